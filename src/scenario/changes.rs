//! Lever changes: the levers in which two scenarios differ, and which of
//! them may change while a run is under way.
//!
//! Some levers are read only when the district is built (its size, its
//! organizations and their capacities, who is a party member, the ties,
//! the starting attitudes): changing one of them later would change nothing,
//! so a change during a run refuses them. Every other lever is read by the
//! rules day by day and takes effect from the next day. A test checks the
//! split: a change made before the first day gives the same run as the
//! scenario that had the value from the start, for every lever that may
//! change (`tests/live.rs`).

use std::collections::BTreeMap;

use toml::Value;

use super::Scenario;

/// Keys that name a scenario rather than set a lever.
pub const NOT_LEVERS: [&str; 3] = ["name", "description", "sim.seed"];

/// Why `path` cannot change during a run, or `None` when it can: the lever
/// registry's entry ([`super::levers::fixed_reason`]).
pub use super::levers::fixed_reason;

/// Every leaf of a TOML value by dotted path (lists are leaves).
fn leaves(prefix: &str, value: &Value, out: &mut BTreeMap<String, Value>) {
    match value {
        Value::Table(table) => {
            for (k, v) in table {
                let path = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                leaves(&path, v, out);
            }
        }
        other => {
            out.insert(prefix.to_string(), other.clone());
        }
    }
}

/// The levers in which two resolved scenarios (TOML text) differ, with
/// TARGET's value of each, in path order; names and the seed do not count.
pub fn differing_levers(base: &str, target: &str) -> Result<Vec<(String, Value)>, String> {
    let parse =
        |text: &str| -> Result<Value, String> { toml::from_str(text).map_err(|e| e.to_string()) };
    differing_values(&parse(base)?, &parse(target)?)
}

/// [`differing_levers`] of two scenarios.
pub fn differing_scenarios(
    base: &Scenario,
    target: &Scenario,
) -> Result<Vec<(String, Value)>, String> {
    let value = |s: &Scenario| Value::try_from(s).map_err(|e| e.to_string());
    differing_values(&value(base)?, &value(target)?)
}

fn differing_values(base: &Value, target: &Value) -> Result<Vec<(String, Value)>, String> {
    let (mut b, mut t) = (BTreeMap::new(), BTreeMap::new());
    leaves("", base, &mut b);
    leaves("", target, &mut t);
    let mut keys: Vec<&String> = b.keys().chain(t.keys()).collect();
    keys.sort();
    keys.dedup();
    let mut out = Vec::new();
    for key in keys {
        if NOT_LEVERS.contains(&key.as_str()) {
            continue;
        }
        match (b.get(key), t.get(key)) {
            (Some(x), Some(y)) if x == y => {}
            (_, Some(y)) => out.push((key.clone(), y.clone())),
            // Every resolved scenario has every lever, so this is only a
            // list or optional entry TARGET lacks.
            (Some(_), None) => return Err(format!("`{key}` is set in BASE but not in TARGET")),
            (None, None) => {}
        }
    }
    Ok(out)
}

/// The levers of `before` that `after` changes although they are fixed
/// during a run, each with the reason; empty when `after` may replace
/// `before` during a run.
pub fn fixed_changes(before: &Scenario, after: &Scenario) -> Vec<(String, &'static str)> {
    let changed = differing_scenarios(before, after).unwrap_or_default();
    let mut out: Vec<(String, &'static str)> = changed
        .into_iter()
        .filter_map(|(key, _)| fixed_reason(&key).map(|r| (key, r)))
        .collect();
    if before.sim.seed != after.sim.seed {
        out.push((
            "sim.seed".into(),
            fixed_reason("sim.seed").unwrap_or_default(),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levers_read_when_the_district_is_built_are_fixed() {
        for fixed in [
            "sim.days",
            "district.subdistricts",
            "residents.ties_k",
            "issues.competencies[1]",
            "social.capacity",
            "social.autonomy",
            "party.setting.community_coverage",
            "party.system.linkage",
            "party.security.extra_capacity",
        ] {
            assert!(fixed_reason(fixed).is_some(), "{fixed}");
        }
        for rule in [
            "party.procedure.formalism",
            "party.security.inclusion",
            "party.setting.migrant_member_reach",
            "social.autonomy_erosion",
            "issues.rate",
            "residents.b0",
            "residents.initial_trust_x",
        ] {
            assert!(fixed_reason(rule).is_none(), "{rule}");
        }
    }

    #[test]
    fn fixed_changes_name_the_fixed_levers_only() {
        let before = Scenario::default();
        let mut after = before.clone();
        after.party.procedure.formalism = 0.7;
        after.issues.rate *= 2.0;
        assert!(fixed_changes(&before, &after).is_empty());
        after.social.capacity += 1.0;
        after.district.communities.pop();
        after.sim.seed += 1;
        let keys: Vec<String> = fixed_changes(&before, &after)
            .into_iter()
            .map(|(k, _)| k)
            .collect();
        assert!(keys.contains(&"social.capacity".to_string()), "{keys:?}");
        assert!(keys.iter().any(|k| k.starts_with("district.")), "{keys:?}");
        assert!(keys.contains(&"sim.seed".to_string()), "{keys:?}");
    }
}
