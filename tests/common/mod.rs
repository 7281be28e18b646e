//! Helpers shared by the integration tests: loading shipped scenarios, running
//! replications through the library, and checking invariants of outputs.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use govsim::run::{RunOutput, run};
use govsim::scenario::load_scenario;

/// Runs the govsim binary with `args`.
pub fn govsim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_govsim"))
        .args(args)
        .output()
        .expect("binary runs")
}

/// A fresh, empty folder for one test (unique per test process and name).
pub fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("govsim-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Path of a shipped scenario, relative to `scenarios/`.
pub fn scenario_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(name)
}

/// Runs a shipped scenario with overrides.
pub fn run_scenario(name: &str, overrides: &[&str]) -> RunOutput {
    let overrides: Vec<String> = overrides.iter().map(|s| s.to_string()).collect();
    let resolved = load_scenario(&scenario_path(name), &overrides).expect("valid scenario");
    run(&resolved.scenario)
}

/// Mean of a summary figure over `seeds` replications of a shipped scenario.
pub fn mean_over_seeds(
    name: &str,
    overrides: &[&str],
    seeds: u64,
    figure: fn(&RunOutput) -> f64,
) -> f64 {
    let mut total = 0.0;
    for seed in 1..=seeds {
        let seed_set = format!("sim.seed={seed}");
        let mut all: Vec<&str> = overrides.to_vec();
        all.push(&seed_set);
        total += figure(&run_scenario(name, &all));
    }
    total / seeds as f64
}

/// Checks the invariants every run must keep: conservation of issues each
/// recorded day, rates and trust in [0, 1], no NaN or infinity anywhere.
pub fn assert_invariants(output: &RunOutput, context: &str) {
    let mut arrived = 0u64;
    let mut closed = 0u64;
    for row in &output.rows {
        arrived += u64::from(row.arrived);
        closed += u64::from(row.resolved) + u64::from(row.abandoned);
        assert_eq!(
            arrived,
            closed + u64::from(row.backlog),
            "{context}: conservation broken on day {}",
            row.day
        );
        let value = serde_json::to_value(row).unwrap();
        check_numbers(&value, context, row.day);
    }
    let s = &output.summary;
    assert_eq!(
        s.arrived,
        s.resolved + s.abandoned + u64::from(s.backlog),
        "{context}: summary conservation"
    );
    check_numbers(&serde_json::to_value(s).unwrap(), context, s.days);
}

/// Columns that are shares, rates or trust: must lie in [0, 1].
fn unit_interval(name: &str) -> bool {
    (name.contains("rate") && !name.contains("gap"))
        || name.starts_with("share_")
        || name.starts_with("credit_")
        || name.starts_with("trust_")
        || name.starts_with("agil_")
        || ["abandoned_share", "efficacy", "party_legitimacy"].contains(&name)
}

fn check_numbers(value: &serde_json::Value, context: &str, day: u32) {
    for (name, v) in value.as_object().unwrap() {
        let Some(x) = v.as_f64() else {
            assert!(v.is_null(), "{context}: {name} is neither a number nor NA");
            continue;
        };
        assert!(x.is_finite(), "{context}: {name} = {x} on day {day}");
        if unit_interval(name) {
            assert!(
                (0.0..=1.0).contains(&x),
                "{context}: {name} = {x} outside [0, 1] on day {day}"
            );
        }
        if name == "polycentricity" {
            // An effective number of centres: at least one (up to rounding).
            assert!(
                x >= 1.0 - 1e-9,
                "{context}: {name} = {x} below 1 on day {day}"
            );
        }
        if name.ends_with("_gap") {
            assert!(
                (-1.0..=1.0).contains(&x),
                "{context}: {name} = {x} outside [-1, 1] on day {day}"
            );
        }
    }
}
