//! The documentation covers the code: every lever is in `docs/ODD.md` and
//! every output column in `docs/outputs.md`.

mod common;

fn read(path: &str) -> String {
    std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).unwrap()
}

#[test]
fn odd_documents_every_lever() {
    let odd = read("docs/ODD.md");
    for lever in govsim::scenario::levers::LEVERS {
        // A list of numbers (`issues.type_weights[]`) is documented under its name.
        let name = lever.path.strip_suffix("[]").unwrap_or(lever.path);
        assert!(
            odd.contains(&format!("`{name}`")),
            "docs/ODD.md lacks lever {}",
            lever.path
        );
    }
}

#[test]
fn outputs_doc_names_every_column() {
    let doc = read("docs/outputs.md");
    let output = common::run_scenario("classroom/small_town.toml", &["sim.days=3"]);
    let mut names = Vec::new();
    for value in [
        serde_json::to_value(&output.rows[0]).unwrap(),
        serde_json::to_value(&output.summary).unwrap(),
    ] {
        names.extend(value.as_object().unwrap().keys().cloned());
    }
    for name in names {
        assert!(
            doc.contains(&format!("`{name}`")),
            "docs/outputs.md lacks column {name}"
        );
    }
}
