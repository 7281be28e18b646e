//! Institutions, not labels (design section 10, rule 4): a district in which
//! a community hub (not a party organization) holds exactly the
//! institutions and attributes that community party committees hold gives
//! byte-identical outputs, for every regime preset and two seeds, once the
//! party-specific mechanisms listed in `govsim::model::party_specific` are
//! switched off. Any rule that reads an organization's kind outside that
//! list makes the two districts differ, and this test fail.

mod common;

use common::scenario_path;
use govsim::model::party_specific::MECHANISMS;
use govsim::run::run;
use govsim::scenario::load_scenario;
use govsim::util::files::csv_bytes;

/// The time series and the summary of a regime preset run for `seed` with
/// `overrides`, as the binary writes them.
fn outputs(preset: &str, seed: u64, overrides: &[String]) -> (Vec<u8>, Vec<u8>) {
    let mut set = vec![format!("sim.seed={seed}"), "sim.days=150".to_string()];
    set.extend_from_slice(overrides);
    let path = scenario_path(&format!("regimes/{preset}.toml"));
    let resolved = load_scenario(&path, &set).expect("valid scenario");
    let output = run(&resolved.scenario);
    let rows = csv_bytes(&output.rows).expect("rows serialize");
    let summary = csv_bytes(std::slice::from_ref(&output.summary)).expect("summary serializes");
    (rows, summary)
}

/// `--set` overrides that switch every party-specific mechanism off.
fn mechanisms_off() -> Vec<String> {
    MECHANISMS
        .iter()
        .flat_map(|m| m.off.iter().map(|(path, value)| format!("{path}={value}")))
        .collect()
}

/// Every preset in `scenarios/regimes/`.
fn presets() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(scenario_path("regimes"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn a_hub_holding_the_party_committees_institutions_gives_the_same_outputs() {
    let off = mechanisms_off();
    let mut compared_with_party = 0;
    for preset in presets() {
        let coverage = load_scenario(&scenario_path(&format!("regimes/{preset}.toml")), &[])
            .unwrap()
            .scenario
            .party
            .setting
            .community_coverage;
        if coverage == 0.0 {
            // No party committee to swap (a preset whose convener, if any,
            // is already not a party organization).
            continue;
        }
        // The hub holds the convener institution wherever a party committee
        // would: the same coverage, on the same draw.
        let mut swapped = off.clone();
        swapped.push("party.setting.community_coverage=0".into());
        swapped.push("institutions.convener=\"community_hub\"".into());
        swapped.push(format!("institutions.convener_coverage={coverage}"));
        for seed in [1, 2] {
            let party = outputs(&preset, seed, &off);
            let hub = outputs(&preset, seed, &swapped);
            assert!(
                party.0 == hub.0,
                "{preset} seed {seed}: the time series differ when a community hub holds \
                 the party committees' institutions: a rule reads an organization's kind \
                 outside model::party_specific"
            );
            assert!(
                party.1 == hub.1,
                "{preset} seed {seed}: the summaries differ"
            );
            compared_with_party += 1;
        }
    }
    assert!(
        compared_with_party >= 6,
        "the swap must be tried on presets that have party committees"
    );
}

/// `scripts/odd-v3.sh`, which measures each mechanism switched off for
/// ODD section 9.0, switches off exactly the levers of this list.
#[test]
fn the_section_9_script_switches_off_the_listed_mechanisms() {
    let script = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/odd-v3.sh"),
    )
    .unwrap();
    let variants = script.matches("\"$(mechanism ").count();
    let levers: usize = MECHANISMS.iter().map(|m| m.off.len()).sum();
    assert_eq!(variants, levers, "one variant a lever");
    for mechanism in MECHANISMS {
        for (path, _) in mechanism.off {
            assert!(
                script.contains(&format!(" {path} ")),
                "scripts/odd-v3.sh does not switch {path} ({})",
                mechanism.name
            );
        }
    }
}

/// The list is of mechanisms that act: in the party-led preset, switching
/// any one off (with the others on) changes the outputs, and every lever
/// it names is a lever of the scenario format (the loader refuses others). The summons is off by
/// default, so it is tried switched on against off.
#[test]
fn every_listed_mechanism_acts_and_names_real_levers() {
    for mechanism in MECHANISMS {
        let mut on = Vec::new();
        let mut off = Vec::new();
        for (path, value) in mechanism.off {
            off.push(format!("{path}={value}"));
            if *path == "party.procedure.summons" {
                on.push(format!("{path}=0.8"));
            }
        }
        let a = outputs("party_led", 1, &on);
        let b = outputs("party_led", 1, &off);
        assert!(
            a.0 != b.0,
            "switching off {} changes nothing in party_led",
            mechanism.name
        );
        assert!(!mechanism.source.is_empty() && !mechanism.what.is_empty());
    }
}
