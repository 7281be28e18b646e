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
        (&town, 1, "24c6a496dccbe8c3", "fa8e9c6a0527c08d"),
        (&town, 2, "2dbb9651057a2ab3", "54e42973e604d4e8"),
        (&shocks, 1, "d066c298c0f37868", "3637f6815f1ed41f"),
        (&shocks, 2, "cef8b8ea7d0c9e4a", "c092bc824f3df5af"),
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
