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

#[test]
fn odd_lever_table_shows_the_code_defaults() {
    let odd = read("docs/ODD.md");
    let defaults = govsim::scenario::Scenario::default();
    let value = toml::Value::try_from(&defaults).unwrap();
    let mut checked = 0;
    for lever in govsim::scenario::levers::LEVERS {
        if lever.path.contains("[]") {
            continue;
        }
        let mut v = &value;
        for part in lever.path.split('.') {
            v = &v[part];
        }
        let row = format!("| `{}` | ", lever.path);
        let line = odd
            .lines()
            .find(|l| l.starts_with(&row))
            .unwrap_or_else(|| panic!("no row for {}", lever.path));
        let documented = line[row.len()..].split(" |").next().unwrap().trim();
        let documented: f64 = documented
            .parse()
            .unwrap_or_else(|_| panic!("{}: `{documented}`", lever.path));
        let actual = v
            .as_float()
            .or_else(|| v.as_integer().map(|i| i as f64))
            .unwrap();
        assert_eq!(
            documented, actual,
            "docs/ODD.md gives {} a default of {documented}, the code {actual}",
            lever.path
        );
        checked += 1;
    }
    assert!(checked > 90, "only {checked} levers checked");
}
