//! Embeds the shipped scenarios (`../scenarios/**/*.toml`) in the extension,
//! so that a wheel installed away from the checkout still loads them by
//! name (they are written out once to a cache folder; see `src/lib.rs`).

use std::fmt::Write;
use std::path::{Path, PathBuf};

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            files(&path, out);
        } else if path.extension().is_some_and(|e| e == "toml") {
            out.push(path);
        }
    }
}

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let root = manifest.join("..").join("scenarios");
    println!("cargo:rerun-if-changed={}", root.display());
    let mut found = Vec::new();
    files(&root, &mut found);
    found.sort();
    let mut code = String::from("/// The shipped scenarios: path under `scenarios/`, text.\n");
    code.push_str("pub static SHIPPED: &[(&str, &str)] = &[\n");
    for path in &found {
        let relative = path
            .strip_prefix(&root)
            .expect("under the root")
            .to_string_lossy()
            .replace('\\', "/");
        let absolute = path.canonicalize().expect("a readable file");
        let _ = writeln!(
            code,
            "    ({relative:?}, include_str!({:?})),",
            absolute.display().to_string()
        );
    }
    code.push_str("];\n");
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("set by cargo")).join("shipped.rs");
    std::fs::write(out, code).expect("OUT_DIR is writable");
}
