//! Invariants on every shipped scenario and on random valid lever values:
//! issue conservation each day, rates and trust in [0, 1], no NaN.

mod common;

use common::{assert_invariants, run_scenario};
use proptest::prelude::*;

const SHIPPED: &[&str] = &[
    "regimes/bureaucratic_silo.toml",
    "regimes/polycentric.toml",
    "regimes/party_led.toml",
    "regimes/over_centralized.toml",
    "regimes/formalism_trap.toml",
    "shocks/issue_surge.toml",
    "shocks/migrant_influx.toml",
    "classroom/small_town.toml",
];

#[test]
fn every_shipped_scenario_keeps_the_invariants() {
    for name in SHIPPED {
        let output = run_scenario(name, &[]);
        assert_invariants(&output, name);
        assert!(output.summary.resolved > 0, "{name}: nothing resolved");
        assert!(
            output.summary.abandoned > 0,
            "{name}: nothing abandoned: a model that resolves everything"
        );
    }
}

#[test]
fn beilun_at_full_scale_keeps_the_invariants_for_a_month() {
    let output = run_scenario("beilun.toml", &["sim.days=30"]);
    assert_eq!(output.summary.residents_start, 829_448);
    assert_invariants(&output, "beilun");
}

#[test]
fn every_shipped_scenario_file_validates() {
    let dir = common::scenario_path("");
    let mut stack = vec![dir];
    let mut seen = 0;
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "toml") {
                govsim::scenario::load_scenario(&path, &[]).unwrap_or_else(|e| panic!("{e}"));
                seen += 1;
            }
        }
    }
    assert!(seen >= 10, "only {seen} scenario files found");
}

fn lever_values() -> impl Strategy<Value = Vec<String>> {
    let linkage = prop_oneof![Just("isolated"), Just("vertical"), Just("regional")];
    (
        (
            0.0..=1.0f64,
            0.0..=1.0f64,
            0.0..=1.0f64,
            0.0..=1.0f64,
            0.0..=1.0f64,
            0.0..=1.0f64,
        ),
        (
            0.0..=1.0f64,
            0.0..=1.0f64,
            0.0..=1.0f64,
            0.0..=1.0f64,
            0.0..=1.0f64,
            0.0..=1.0f64,
        ),
        (
            0.0..=3.0f64,
            0u32..=20,
            0.0..=0.5f64,
            0.0..=1.0f64,
            0.0..=2.0f64,
            0.0..=2.0f64,
        ),
        (
            linkage,
            0.0..=1.0f64,
            0.0..=1.0f64,
            1u64..1000,
            0.0..=0.3f64,
            0.0..=1.0f64,
        ),
    )
        .prop_map(|(a, b, c, d)| {
            vec![
                format!("party.setting.community_coverage={}", a.0),
                format!("party.setting.two_new_coverage={}", a.1),
                format!("party.procedure.pooling={}", a.2),
                format!("party.procedure.mobilization={}", a.3),
                format!("party.procedure.formalism={}", a.4),
                format!("party.procedure.centralization={}", a.5),
                format!("social.autonomy={}", b.0),
                format!("party.security.inclusion={}", b.1),
                format!("issues.cross_cutting_share={}", b.2),
                format!("government.referral_rate={}", b.3),
                format!("grid.coverage={}", b.4),
                format!("residents.observer_weight={}", b.5),
                format!("issues.rate={}", c.0),
                format!("party.procedure.meeting_interval={}", c.1),
                format!("issues.escalation_rate={}", c.2),
                format!("issues.recurrence={}", c.3),
                format!("government.department_capacity={}", c.4),
                format!("social.capacity={}", c.5),
                format!("party.system.linkage=\"{}\"", d.0),
                format!("party.system.alliance_openness={}", d.1),
                format!("residents.trust_loss={}", d.2),
                format!("sim.seed={}", d.3),
                format!("issues.escalation_age={}", d.4),
                format!("residents.diffusion={}", d.5),
            ]
        })
}

/// Every numeric lever of the lever table except the district's shape, the
/// run's length and lists, each drawn anywhere in its valid range.
fn every_lever_in_range() -> impl Strategy<Value = Vec<String>> {
    let levers: Vec<&'static govsim::scenario::levers::Lever> = govsim::scenario::levers::LEVERS
        .iter()
        .filter(|l| {
            !l.path.contains("[]")
                && !l.path.starts_with("sim.")
                && !l.path.starts_with("district.")
        })
        .collect();
    proptest::collection::vec(0.0..=1.0f64, levers.len()).prop_map(move |u| {
        levers
            .iter()
            .zip(u)
            .map(|(l, x)| {
                let v = l.min + x * (l.max - l.min);
                let integer = [
                    "ties",
                    "tries",
                    "affected",
                    "needed",
                    "interval",
                    "delay",
                    "reply_days",
                    "reply_limit",
                    "enterprises_per",
                ]
                .iter()
                .any(|k| l.path.contains(k));
                match l.path {
                    // Even, and below the smallest community of the town (500).
                    "residents.ties_k" => format!("{}={}", l.path, 2 * (v as u32 / 4)),
                    _ if integer => format!("{}={}", l.path, v.round() as u64),
                    _ => format!("{}={v}", l.path),
                }
            })
            .collect()
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn every_lever_anywhere_in_its_range_keeps_the_invariants(levers in every_lever_in_range()) {
        let mut all: Vec<&str> = levers.iter().map(String::as_str).collect();
        all.push("sim.days=45");
        let output = run_scenario("classroom/small_town.toml", &all);
        assert_invariants(&output, &levers.join(" "));
    }

    #[test]
    fn random_valid_levers_keep_the_invariants(levers in lever_values()) {
        let mut all: Vec<&str> = levers.iter().map(String::as_str).collect();
        all.push("sim.days=90");
        let output = run_scenario("classroom/small_town.toml", &all);
        assert_invariants(&output, &levers.join(" "));
    }

    #[test]
    fn a_shock_with_random_size_keeps_the_invariants(
        influx in 0.0..=0.5f64, rate in 0.0..=5.0f64, capacity in 0.0..=2.0f64, start in 0u32..60,
    ) {
        let levers = [
            format!("shocks.0.migrant_influx={influx}"),
            format!("shocks.0.issue_rate={rate}"),
            format!("shocks.0.capacity={capacity}"),
            format!("shocks.0.start={start}"),
            "sim.days=90".to_string(),
            "district.subdistricts=1".to_string(),
        ];
        let all: Vec<&str> = levers.iter().map(String::as_str).collect();
        let output = run_scenario("shocks/migrant_influx.toml", &all);
        assert_invariants(&output, &levers.join(" "));
    }
}

/// The burn-in runs the model without recording it: the recorded days of a
/// run with `warmup_days` = W are days W+1… of a run without one (state
/// columns equal), and a shock's `start` counts from the first recorded day.
#[test]
fn warmup_days_are_run_but_not_recorded() {
    let town = "classroom/small_town.toml";
    let long = common::run_scenario(town, &["sim.days=60"]);
    let warmed = common::run_scenario(town, &["sim.days=40", "sim.warmup_days=20"]);
    assert_eq!(warmed.rows.len(), 40);
    assert_eq!(warmed.summary.days, 40);
    for (w, l) in warmed.rows.iter().zip(&long.rows[20..]) {
        assert_eq!(w.efficacy, l.efficacy, "day {}", w.day);
        assert_eq!(w.trust_government, l.trust_government, "day {}", w.day);
        assert_eq!(w.backlog, l.backlog, "day {}", w.day);
    }
    let surge = [
        "sim.days=40",
        "sim.warmup_days=20",
        "shocks.0.start=10",
        "shocks.0.days=10",
        "shocks.0.issue_rate=4",
    ];
    let shocked = common::run_scenario("shocks/issue_surge.toml", &surge);
    let calm = common::run_scenario(
        "shocks/issue_surge.toml",
        &[&surge[..], &["shocks.0.issue_rate=1"]].concat(),
    );
    let arrived = |o: &govsim::run::RunOutput, days: std::ops::Range<usize>| -> u32 {
        o.rows[days].iter().map(|r| r.arrived).sum()
    };
    assert_eq!(arrived(&shocked, 0..10), arrived(&calm, 0..10));
    assert!(arrived(&shocked, 10..20) > 2 * arrived(&calm, 10..20));
}

/// The share who took part at least once in a year is at least the daily
/// rate and at most 1, and is there only for runs of a whole year.
#[test]
fn the_yearly_participation_share_is_bounded_by_the_daily_rate() {
    let year = common::run_scenario("classroom/small_town.toml", &["sim.days=365"]);
    let share = year.summary.participation_share_year.expect("a whole year");
    let daily = year.summary.participation_rate.expect("residents");
    assert!(
        share >= daily && share <= 1.0,
        "share {share}, daily {daily}"
    );
    // A month's share lies between a day's and a year's, and a run shorter
    // than a month has none.
    let month = year
        .summary
        .participation_share_month
        .expect("whole months");
    assert!(
        daily < month && month < share,
        "daily {daily}, month {month}, year {share}"
    );
    let short = common::run_scenario("classroom/small_town.toml", &["sim.days=100"]);
    assert_eq!(short.summary.participation_share_year, None);
    assert!(short.summary.participation_share_month.is_some());
    let shorter = common::run_scenario("classroom/small_town.toml", &["sim.days=29"]);
    assert_eq!(shorter.summary.participation_share_month, None);
    let petitions = year.summary.petitions_per_10k.expect("residents");
    let expected =
        year.summary.escalations as f64 * 10_000.0 / f64::from(year.summary.residents_start);
    assert!(
        (petitions - expected).abs() <= 1e-9 * expected.max(1.0),
        "{petitions} vs {expected}"
    );
}
