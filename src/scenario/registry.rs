//! Every lever of the scenario format in one listing, for clients that
//! show or check levers (the API, the Python package, the live app, the
//! docs): its path, default, unit, valid range, meaning, the values of an
//! enumerated lever, and whether (and why) it cannot change during a run.
//!
//! The listing joins what is defined once elsewhere, each source tested to
//! agree with the others: the structs' defaults ([`super::Scenario`]), the
//! units and ranges the loader checks ([`super::levers::LEVERS`];
//! `tests/levers.rs` checks that every numeric field has a row) with the
//! levers that are not numbers and whether each may change during a run,
//! and the meaning from the lever table of `docs/ODD.md` section 7.9
//! (compiled in; `tests/docs.rs` checks that it shows the code's defaults).

use super::Scenario;
use super::levers;

/// The lever table of the ODD, section 7.9, compiled in.
const ODD: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/ODD.md"));

/// One lever.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct LeverInfo {
    /// Dotted path; `[]` stands for every entry of a list.
    pub path: String,
    /// The default as TOML, where the code has one (entries of lists have
    /// none of their own).
    pub default: Option<String>,
    /// Unit, in words.
    pub unit: String,
    /// Smallest valid value (numeric levers).
    pub min: Option<f64>,
    /// Largest valid value (numeric levers).
    pub max: Option<f64>,
    /// What it means, from the ODD's lever table.
    pub meaning: String,
    /// The values an enumerated lever takes.
    pub choices: Vec<&'static str>,
    /// Why it cannot change during a run (read only when the district is
    /// built), or `None` when it can.
    pub fixed: Option<&'static str>,
}

/// Every lever of the ODD's lever table, in its order.
pub fn registry() -> Vec<LeverInfo> {
    let defaults = toml::Value::try_from(Scenario::default()).ok();
    odd_rows()
        .into_iter()
        .map(|(path, unit, meaning)| {
            // A list of numbers is documented under its name, listed as `[]`.
            let lever = levers::find(&path).or_else(|| levers::find(&format!("{path}[]")));
            let other = levers::OTHER_LEVERS.iter().find(|l| l.path == path);
            let default = (!path.contains("[]"))
                .then(|| {
                    let mut v = defaults.as_ref()?;
                    for part in path.split('.') {
                        v = v.get(part)?;
                    }
                    Some(v.to_string())
                })
                .flatten();
            LeverInfo {
                default,
                unit: lever
                    .map(|l| l.unit)
                    .or(other.map(|l| l.unit))
                    .map_or(unit, String::from),
                min: lever.map(|l| l.min),
                max: lever.map(|l| l.max),
                meaning,
                choices: other.map(|l| l.choices.to_vec()).unwrap_or_default(),
                fixed: levers::fixed_reason(&path),
                path,
            }
        })
        .collect()
}

/// (path, unit, meaning) of each row of the ODD's lever table.
fn odd_rows() -> Vec<(String, String, String)> {
    let section = ODD
        .split_once("### 7.9 ")
        .map_or("", |(_, rest)| rest.split("\n## ").next().unwrap_or(""));
    section
        .lines()
        .filter_map(|line| {
            let cells: Vec<&str> = line.split('|').map(str::trim).collect();
            // | `path` | default | unit | range | meaning |
            let [_, path, _, unit, _, meaning, _] = cells[..] else {
                return None;
            };
            let path = path.strip_prefix('`')?.strip_suffix('`')?;
            Some((path.to_string(), unit.to_string(), meaning.to_string()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_numeric_lever_is_listed_with_its_range_and_meaning() {
        let all = registry();
        for lever in levers::LEVERS {
            let name = lever.path.strip_suffix("[]").unwrap_or(lever.path);
            let row = all
                .iter()
                .find(|r| r.path == lever.path || r.path == name)
                .unwrap_or_else(|| panic!("{} is not in the registry", lever.path));
            assert!(!row.meaning.is_empty(), "{}", row.path);
            if row.path == lever.path {
                assert_eq!((row.min, row.max), (Some(lever.min), Some(lever.max)));
            }
        }
        let pooling = all
            .iter()
            .find(|r| r.path == "party.procedure.pooling")
            .unwrap();
        assert_eq!(pooling.default.as_deref(), Some("0.2"));
        assert_eq!(pooling.fixed, None);
        let coverage = all
            .iter()
            .find(|r| r.path == "party.setting.community_coverage")
            .unwrap();
        assert!(coverage.fixed.is_some());
        let linkage = all
            .iter()
            .find(|r| r.path == "party.system.linkage")
            .unwrap();
        assert_eq!(linkage.choices, ["isolated", "vertical", "regional"]);
        assert!(all.len() >= 130, "{}", all.len());
    }
}
