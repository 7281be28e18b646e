//! The lever table (`scenario::levers::LEVERS`) covers every numeric field
//! of the scenario format, and names nothing else: a new field without a row
//! would be unvalidated (no range check) and undocumented with every other
//! test green.

mod common;

use std::collections::BTreeSet;

use common::scenario_path;
use govsim::scenario::{levers::LEVERS, load_scenario};
use toml::Value;

/// Dotted paths (`[]` for list entries) of every number and of every other
/// leaf, in a resolved scenario.
fn leaves(
    value: &Value,
    path: &str,
    numbers: &mut BTreeSet<String>,
    others: &mut BTreeSet<String>,
) {
    match value {
        Value::Table(table) => {
            for (k, v) in table {
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                // A policy's `set` holds other levers' values, not levers.
                if p != "policy[].set" {
                    leaves(v, &p, numbers, others);
                }
            }
        }
        Value::Array(items) if items.iter().any(Value::is_table) => {
            for item in items {
                leaves(item, &format!("{path}[]"), numbers, others);
            }
        }
        // A list of numbers: each entry is the lever `path[]`.
        Value::Array(items)
            if !items.is_empty() && items.iter().all(|v| v.is_float() || v.is_integer()) =>
        {
            numbers.insert(format!("{path}[]"));
        }
        Value::Integer(_) | Value::Float(_) => {
            numbers.insert(path.to_string());
        }
        _ => {
            others.insert(path.to_string());
        }
    }
}

#[test]
fn every_numeric_field_has_a_row_in_the_lever_table_and_every_row_a_field() {
    let (mut numbers, mut others) = (BTreeSet::new(), BTreeSet::new());
    // Between them these set every optional field and list: shocks of each
    // kind, policies, the whistle levers.
    for name in [
        "regimes/party_led.toml",
        "shocks/issue_surge.toml",
        "shocks/migrant_influx.toml",
        "reforms/beijing_2019.toml",
        "classroom/small_town.toml",
    ] {
        let resolved = load_scenario(&scenario_path(name), &[]).unwrap();
        let value: Value = toml::from_str(&resolved.resolved_toml).unwrap();
        leaves(&value, "", &mut numbers, &mut others);
    }
    let table: BTreeSet<String> = LEVERS.iter().map(|l| l.path.to_string()).collect();
    let unregistered: Vec<&String> = numbers.difference(&table).collect();
    assert!(
        unregistered.is_empty(),
        "numeric fields without a row in LEVERS (no range check, no docs): {unregistered:?}"
    );
    // Every row is a field that holds a number (a row for a field that was
    // renamed or removed would check nothing).
    let stale: Vec<&String> = table.difference(&numbers).collect();
    assert!(
        stale.is_empty(),
        "rows of LEVERS that are no numeric field: {stale:?}"
    );
    assert!(numbers.len() >= 100, "{}", numbers.len());
    // Shock fields are only seen where a shipped scenario has a shock.
    assert!(numbers.contains("shocks[].issue_rate"), "{numbers:?}");
    assert!(numbers.contains("policy[].day"), "{numbers:?}");
}

/// Every lever of the registry that is not a number (lists of names,
/// choices, switches) is a field of the scenario format, and the registry's
/// fixed levers are exactly those read when the district is built: a
/// misspelt row would leave a lever unlisted or movable with every other
/// test green.
#[test]
fn every_other_lever_is_a_field_and_fixed_levers_are_the_built_ones() {
    let (mut numbers, mut others) = (BTreeSet::new(), BTreeSet::new());
    // A shock of one competency sets the optional `shocks[].competency`.
    let dir = common::scratch("levers-other");
    let surge = dir.join("surge.toml");
    std::fs::write(
        &surge,
        format!(
            "extends = \"{}\"\n[[shocks]]\nname = \"one\"\nstart = 5\ndays = 5\nissue_rate = 2.0\ncompetency = \"public_safety\"\n",
            scenario_path("classroom/small_town.toml").display()
        ),
    )
    .unwrap();
    for path in [scenario_path("reforms/beijing_2019.toml"), surge] {
        let resolved = load_scenario(&path, &[]).unwrap();
        let value: Value = toml::from_str(&resolved.resolved_toml).unwrap();
        leaves(&value, "", &mut numbers, &mut others);
    }
    // Lists count by their own path too (`issues.competencies`).
    let fields: BTreeSet<String> = numbers
        .iter()
        .chain(&others)
        .map(|p| p.trim_end_matches("[]").to_string())
        .collect();
    for lever in govsim::scenario::levers::OTHER_LEVERS {
        // A policy's `set` holds other levers' values, which `leaves` skips.
        let known = lever.path == "policy[].set"
            || fields.contains(lever.path)
            || fields.iter().any(|f| {
                f.strip_prefix(lever.path)
                    .is_some_and(|rest| rest.starts_with('.') || rest.starts_with("[]"))
            });
        assert!(known, "`{}` is no field of the scenario format", lever.path);
    }
    use govsim::scenario::levers::fixed_reason;
    for built in [
        "sim.days",
        "sim.seed",
        "district.communities[0].population",
        "district.communities[2]",
        "residents.ties_k",
        "issues.competencies[1]",
        "government.office_competencies",
        "social.capacity",
        "social.enterprise_competencies[0]",
        "party.system.linkage",
        "party.security.service_centers",
        "grid.coverage",
    ] {
        assert!(fixed_reason(built).is_some(), "{built}");
    }
    for rule in [
        "social.autonomy_erosion",
        "issues.type_weights[3]",
        "government.sequential_referral",
        "party.procedure.pooling",
        "residents.newcomer_trust",
        "no.such.lever",
    ] {
        assert!(fixed_reason(rule).is_none(), "{rule}");
    }
}
