//! Beilun built from its statistics: the scenarios of the micro-grid
//! what-if agree with every figure of `validation/beilun/data.toml` that
//! they use (residents, subdistricts, grids before and after, micro-grid
//! sizes from households, the reply limit), so that an edit of either is
//! seen.

mod common;

use govsim::scenario::load_scenario;

fn data() -> toml::Table {
    let path = common::scenario_path("../validation/beilun/data.toml");
    toml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn number(t: &toml::Table, section: &str, key: &str) -> f64 {
    let v = &t[section][key];
    v.as_float()
        .or_else(|| v.as_integer().map(|i| i as f64))
        .unwrap_or_else(|| panic!("{section}.{key}"))
}

fn scenario(name: &str) -> govsim::scenario::Scenario {
    load_scenario(&common::scenario_path(name), &[])
        .unwrap()
        .scenario
}

fn residents_and_grids(s: &govsim::scenario::Scenario) -> (f64, f64) {
    s.district.communities.iter().fold((0.0, 0.0), |(r, g), c| {
        (
            r + f64::from(c.count) * f64::from(c.population),
            g + f64::from(c.count) * f64::from(c.grids),
        )
    })
}

#[test]
fn the_beilun_scenarios_agree_with_the_data_file() {
    let d = data();
    let before = scenario("reforms/beilun_2021.toml");
    let after = scenario("reforms/beilun_micro_grids.toml");
    for s in [&scenario("beilun.toml"), &before, &after] {
        let (residents, _) = residents_and_grids(s);
        assert_eq!(
            residents,
            number(&d, "census_2020", "residents"),
            "{}",
            s.name
        );
        assert_eq!(
            f64::from(s.district.subdistricts),
            number(&d, "administration", "subdistricts")
        );
    }
    assert_eq!(
        residents_and_grids(&before).1,
        number(&d, "grids", "basic_grids")
    );
    assert_eq!(
        residents_and_grids(&after).1,
        number(&d, "grids", "micro_grids")
    );
    // Every micro-grid holds 50 to 100 households at the census's persons
    // per household.
    let per_household = number(&d, "census_2020", "persons_per_household");
    let households = d["grids"]["micro_grid_households"].as_array().unwrap();
    let (lo, hi) = (
        households[0].as_integer().unwrap() as f64 * per_household,
        households[1].as_integer().unwrap() as f64 * per_household,
    );
    for c in &after.district.communities {
        let size = f64::from(c.population) / f64::from(c.grids);
        assert!((lo..=hi).contains(&size), "{size} residents a micro-grid");
    }
    assert_eq!(after.grid.coverage, 1.0, "a team to every micro-grid");
    for s in [&before, &after] {
        assert_eq!(
            f64::from(s.government.reply_limit),
            number(&d, "reply_limits", "general_days")
        );
    }
    // Only the grids differ between before and after.
    let changed = govsim::scenario::changes::differing_scenarios(&before, &after).unwrap();
    let keys: Vec<&str> = changed.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(keys, ["district.communities", "grid.coverage"]);
}
