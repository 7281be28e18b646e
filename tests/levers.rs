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

/// Every lever that the list of levers fixed during a run names (or every
/// section it names, ending in `.`) is a field of the scenario format: a
/// misspelt entry would leave a lever movable that the model reads only
/// when the district is built, with every other test green.
#[test]
fn every_lever_fixed_during_a_run_is_a_field() {
    let (mut numbers, mut others) = (BTreeSet::new(), BTreeSet::new());
    for name in ["reforms/beijing_2019.toml", "shocks/issue_surge.toml"] {
        let resolved = load_scenario(&scenario_path(name), &[]).unwrap();
        let value: Value = toml::from_str(&resolved.resolved_toml).unwrap();
        leaves(&value, "", &mut numbers, &mut others);
    }
    // Lists count by their own path too (`issues.competencies`).
    let fields: BTreeSet<String> = numbers
        .iter()
        .chain(&others)
        .map(|p| p.trim_end_matches("[]").to_string())
        .collect();
    let mut listed = 0;
    for (levers, reason) in govsim::scenario::changes::FIXED_DURING_RUN {
        assert!(!reason.is_empty());
        for lever in levers.split_whitespace() {
            let known = if lever.ends_with('.') {
                fields.iter().any(|f| f.starts_with(lever))
            } else {
                fields.contains(lever)
            };
            assert!(
                known,
                "`{lever}` in FIXED_DURING_RUN is no field of the scenario format"
            );
            listed += 1;
        }
    }
    assert!(listed >= 20, "{listed}");
}
