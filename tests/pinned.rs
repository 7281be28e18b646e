//! Value stability: hashes of `timeseries.csv` and `summary.csv` of two small
//! scenarios for two seeds each, as the binary writes them. Any change of
//! behaviour moves a hash and fails this test; moving them on purpose is a
//! commit of its own that says why, and updates the pins here.

mod common;

use common::scenario_path;
use govsim::run::run;
use govsim::scenario::load_scenario;
use govsim::util::files::csv_bytes;
use sha2::{Digest, Sha256};

/// The first 16 hex digits of the SHA-256 of `bytes`.
fn short_hash(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// (time series hash, summary hash) of `path` run with `seed`.
fn hashes(path: &std::path::Path, seed: u64) -> (String, String) {
    let overrides = [format!("sim.seed={seed}")];
    let resolved = load_scenario(path, &overrides).expect("valid scenario");
    let output = run(&resolved.scenario);
    let rows = csv_bytes(&output.rows).expect("rows serialize");
    let summary = csv_bytes(std::slice::from_ref(&output.summary)).expect("summary serializes");
    (short_hash(&rows), short_hash(&summary))
}

#[test]
fn outputs_of_pinned_runs_do_not_move() {
    let shocks =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/scenarios/pinned_shocks.toml");
    let town = scenario_path("classroom/small_town.toml");
    let pins: [(&std::path::Path, u64, &str, &str); 4] = [
        (&town, 1, "f26ba8ec984eac53", "2afe3c3c9375d8ee"),
        (&town, 2, "716b3341c656e7f3", "b85c6f138f444d0c"),
        (&shocks, 1, "2aaf2bc0207a6e8c", "7262142ffd0e34b1"),
        (&shocks, 2, "38632a7468734990", "22b5293b10b14520"),
    ];
    let mut moved = Vec::new();
    for (path, seed, series, summary) in pins {
        let got = hashes(path, seed);
        if got != (series.to_string(), summary.to_string()) {
            moved.push(format!(
                "{} seed {seed}: timeseries {} summary {} (pinned {series} {summary})",
                path.display(),
                got.0,
                got.1
            ));
        }
    }
    assert!(moved.is_empty(), "outputs moved:\n{}", moved.join("\n"));
}
