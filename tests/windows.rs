//! Windows of a run: `sim.summary_from` and a calibration target's days
//! (`METRIC@FIRST..LAST`) count the recorded days of the window alone, as
//! the counts of the days before it subtracted from the whole; the figures
//! of a window agree whichever of the two asks for them; bad windows are
//! input errors (exit 2).

mod common;

use common::{govsim, scratch};
use govsim::experiment::calibration::{parse_target, target_values};
use govsim::run::run;
use govsim::scenario::load_scenario;

fn town(days: u32, extra: &str) -> govsim::scenario::Scenario {
    let path = common::scenario_path("classroom/small_town.toml");
    let mut items = vec![format!("sim.days={days}")];
    items.extend(extra.split_whitespace().map(String::from));
    load_scenario(&path, &items).unwrap().scenario
}

#[test]
fn a_window_counts_its_days_alone() {
    let first = run(&town(120, "")).summary;
    let whole = run(&town(240, "")).summary;
    let second = run(&town(240, "sim.summary_from=121")).summary;
    assert_eq!(second.days, 120, "the window's days");
    assert_eq!(second.arrived, whole.arrived - first.arrived);
    assert_eq!(second.resolved, whole.resolved - first.resolved);
    assert_eq!(second.abandoned, whole.abandoned - first.abandoned);
    assert_ne!(second.resolved, 0, "a window with issues in it");
    let rate = second.resolved as f64 / (second.resolved + second.abandoned) as f64;
    assert!((second.resolution_rate.unwrap() - rate).abs() < 1e-12);
    assert_eq!(
        second.trust_party, whole.trust_party,
        "end-of-run figures are the window's end"
    );
    assert_eq!(run(&town(240, "sim.summary_from=1")).summary, whole);
    let demands = second.demands_per_1000_day.unwrap();
    assert!(demands > 0.0 && demands < 10.0, "{demands}");
}

#[test]
fn calibration_targets_read_the_same_windows() {
    let scenario = town(240, "");
    let targets = [
        parse_target("resolution_rate@121..240=0.5±0.1").unwrap(),
        parse_target("resolution_rate@1..120=0.5±0.1").unwrap(),
        parse_target("demands_per_1000_day=0.3").unwrap(),
    ];
    assert_eq!(targets[0].name(), "resolution_rate@121..240");
    let values = target_values(&scenario, &targets);
    let second = run(&town(240, "sim.summary_from=121")).summary;
    let first = run(&town(120, "")).summary;
    let whole = run(&scenario).summary;
    assert_eq!(values[0], second.resolution_rate);
    assert_eq!(values[1], first.resolution_rate);
    assert_eq!(values[2], whole.demands_per_1000_day);
    assert_ne!(values[0], values[1]);
}

#[test]
fn bad_windows_exit_2() {
    for spec in [
        "resolution_rate@0..30=0.5",
        "resolution_rate@30..1=0.5",
        "resolution_rate@1-30=0.5",
    ] {
        let e = parse_target(spec).unwrap_err();
        assert!(e.to_string().contains("FIRST..LAST"), "{e}");
    }
    let dir = scratch("windows-bad");
    let town = common::scenario_path("classroom/small_town.toml");
    let out = govsim(&[
        "run",
        town.to_str().unwrap(),
        "--set",
        "sim.summary_from=400",
        "--out",
        dir.join("run").to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("sim.summary_from") && err.contains("365"),
        "{err}"
    );
    let targets = dir.join("targets.toml");
    std::fs::write(
        &targets,
        "[[target]]\nmetric = \"resolution_rate\"\ndays = [1, 400]\nvalue = 0.5\nsd = 0.1\n",
    )
    .unwrap();
    let out = govsim(&[
        "calibrate",
        town.to_str().unwrap(),
        "--vary",
        "government.delay=1..10",
        "--targets",
        targets.to_str().unwrap(),
        "--out",
        dir.join("cal").to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("targets.toml:3") && err.contains("target[0].days") && err.contains("400"),
        "{err}"
    );
}
