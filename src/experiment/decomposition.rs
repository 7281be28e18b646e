//! `govsim decompose` as an experiment: the levers in which two scenarios
//! differ, split into groups; every combination of groups as a point of a
//! comparison (common random numbers, the one runner); then the Shapley
//! attribution of each metric's difference (`crate::analysis::decompose`) from
//! `runs.csv`.

use std::path::Path;

use toml::Value;

use super::store::RunsTable;
use crate::analysis::decompose::{Attribution, MAX_GROUPS, attribute};
use crate::error::Error;
use crate::scenario::InputError;
use crate::util::files::write_atomic;

/// The default groups: the four elements of party building; every other
/// differing lever goes to the group of its top-level section.
const ELEMENTS: [(&str, &str); 4] = [
    ("setting", "party.setting."),
    ("system", "party.system."),
    ("procedure", "party.procedure."),
    ("security", "party.security."),
];

/// A group of levers and TARGET's value of each, as `--set` items.
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    /// Its name.
    pub name: String,
    /// Dotted paths of its levers.
    pub levers: Vec<String>,
    /// `PATH=VALUE` with TARGET's value of each lever.
    pub target_values: Vec<String>,
}

pub use crate::scenario::changes::differing_levers;

/// Whether `path` matches `pattern`: the same path, or `prefix.*`
/// covering everything under `prefix`.
fn matches(pattern: &str, path: &str) -> bool {
    match pattern.strip_suffix(".*") {
        Some(prefix) => path.starts_with(&format!("{prefix}.")),
        None => pattern == path,
    }
}

/// Splits the differing levers into groups: `--group NAME=PATTERN[,…]` as
/// given (a lever in no group or in two is an error), else the default
/// groups. Refuses no difference and more than [`MAX_GROUPS`] groups.
pub fn groups(levers: &[(String, Value)], asked: &[String]) -> Result<Vec<Group>, InputError> {
    let bad = |message: String| InputError::new("--group", message);
    if levers.is_empty() {
        return Err(InputError::new(
            "decompose",
            "BASE and TARGET do not differ in any lever: nothing to decompose",
        ));
    }
    let mut defined: Vec<(String, Vec<String>)> = Vec::new();
    for item in asked {
        let (name, patterns) = item
            .split_once('=')
            .ok_or_else(|| bad(format!("`{item}` is not NAME=PATTERN[,PATTERN...]")))?;
        let name = name.trim();
        let patterns: Vec<String> = patterns
            .split(',')
            .map(|p| p.trim().to_string())
            .filter(|p| !p.is_empty())
            .collect();
        if name.is_empty() || patterns.is_empty() {
            return Err(bad(format!(
                "`{item}` needs a name and at least one pattern"
            )));
        }
        if !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        {
            return Err(bad(format!(
                "the group name `{name}`: use letters, digits, `_` and `-` only"
            )));
        }
        if defined.iter().any(|(n, _)| n == name) {
            return Err(bad(format!("the group `{name}` is defined twice")));
        }
        defined.push((name.to_string(), patterns));
    }
    let group_of = |path: &str| -> Result<String, InputError> {
        if defined.is_empty() {
            let element = ELEMENTS.iter().find(|(_, p)| path.starts_with(p));
            return Ok(match element {
                Some((name, _)) => (*name).to_string(),
                None => path.split('.').next().unwrap_or(path).to_string(),
            });
        }
        let hits: Vec<&String> = defined
            .iter()
            .filter(|(_, ps)| ps.iter().any(|p| matches(p, path)))
            .map(|(n, _)| n)
            .collect();
        match hits.as_slice() {
            [one] => Ok((*one).clone()),
            [] => Err(bad(format!(
                "the lever `{path}`, in which BASE and TARGET differ, is in no group: add it to one"
            ))),
            many => Err(bad(format!(
                "the lever `{path}` is in {} groups ({}): give each lever one group",
                many.len(),
                many.iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))),
        }
    };
    let mut out: Vec<Group> = Vec::new();
    for (path, value) in levers {
        let name = group_of(path)?;
        let item = format!("{path}={value}");
        match out.iter_mut().find(|g| g.name == name) {
            Some(g) => {
                g.levers.push(path.clone());
                g.target_values.push(item);
            }
            None => out.push(Group {
                name,
                levers: vec![path.clone()],
                target_values: vec![item],
            }),
        }
    }
    if let Some((name, _)) = defined
        .iter()
        .find(|(n, _)| !out.iter().any(|g| &g.name == n))
    {
        return Err(bad(format!(
            "the group `{name}` holds none of the levers in which BASE and TARGET differ"
        )));
    }
    if out.len() > MAX_GROUPS {
        return Err(bad(format!(
            "{} groups make 2^{} combinations: at most {MAX_GROUPS} groups; join some with --group",
            out.len(),
            out.len()
        )));
    }
    Ok(out)
}

/// The label of combination `mask`: its groups at TARGET joined by `+`,
/// `base` for none.
pub fn label(groups: &[Group], mask: usize) -> String {
    if mask == 0 {
        return "base".into();
    }
    groups
        .iter()
        .enumerate()
        .filter(|(i, _)| mask & (1 << i) != 0)
        .map(|(_, g)| g.name.as_str())
        .collect::<Vec<_>>()
        .join("+")
}

/// A metric and its attribution.
pub type MetricAttribution = (String, Attribution);

/// Each metric's attribution from the runs of a decomposition, the points
/// in combination order, over the replications in which the metric is
/// defined in every combination. A metric undefined in some combination of
/// every replication (party legitimacy where a combination has no party
/// committee) cannot be attributed: it is returned apart, left out.
pub fn analyse(
    runs: &RunsTable,
    k: usize,
    metrics: &[String],
) -> Result<(Vec<MetricAttribution>, Vec<String>), Error> {
    let reps = runs.replications();
    let mut out = Vec::new();
    let mut left_out = Vec::new();
    for metric in metrics {
        let col = runs.column(metric)?;
        // A replication counts if the metric is defined in every combination.
        let per_rep: Vec<Vec<f64>> = reps
            .iter()
            .filter_map(|&rep| {
                (0..1u32 << k)
                    .map(|p| {
                        runs.rows
                            .get(&(p, rep))
                            .and_then(|row| row.field(col).parse::<f64>().ok())
                    })
                    .collect::<Option<Vec<f64>>>()
            })
            .collect();
        if per_rep.is_empty() {
            left_out.push(metric.clone());
            continue;
        }
        out.push((metric.clone(), attribute(&per_rep, k)));
    }
    Ok((out, left_out))
}

/// `attribution.csv` and `interactions.csv` of the attributions.
pub fn write_tables(
    dir: &Path,
    groups: &[Group],
    all: &[(String, Attribution)],
) -> Result<(), Error> {
    let mut a = String::from("metric,group,levers,shapley,ci_low,ci_high,share,one_at_a_time\n");
    let mut i = String::from("metric,group_a,group_b,interaction,ci_low,ci_high\n");
    let num = |x: f64| {
        if x.is_finite() {
            format!("{x}")
        } else {
            "NA".into()
        }
    };
    for (metric, at) in all {
        for (g, (s, m)) in groups.iter().zip(at.shapley.iter().zip(&at.main)) {
            let share = s.mean / at.total.mean;
            a.push_str(&format!(
                "{metric},{},{},{},{},{},{},{}\n",
                g.name,
                g.levers.join(" "),
                num(s.mean),
                num(s.ci_low),
                num(s.ci_high),
                num(share),
                num(m.mean)
            ));
        }
        a.push_str(&format!(
            "{metric},total,,{},{},{},1,{}\n",
            num(at.total.mean),
            num(at.total.ci_low),
            num(at.total.ci_high),
            num(main_sum(at))
        ));
        for ((x, y), e) in &at.interactions {
            i.push_str(&format!(
                "{metric},{},{},{},{},{}\n",
                groups[*x].name,
                groups[*y].name,
                num(e.mean),
                num(e.ci_low),
                num(e.ci_high)
            ));
        }
    }
    for (name, text) in [("attribution.csv", a), ("interactions.csv", i)] {
        let path = dir.join(name);
        write_atomic(&path, text.as_bytes())
            .map_err(|e| Error::Runtime(format!("writing {}: {e}", path.display())))?;
    }
    Ok(())
}

/// The sum of the one-at-a-time effects from BASE: what the groups would
/// give if their effects simply added.
fn main_sum(at: &Attribution) -> f64 {
    at.main.iter().map(|m| m.mean).sum()
}

/// A part's share of a difference in percent, where it reads as one: the
/// difference's interval excludes 0 and the part is at most the whole of
/// it (issue 29, item 5: "−774%" where the groups pull both ways and
/// "−0%" read as nonsense). `None` otherwise.
pub fn share_percent(part: f64, total: f64, total_low: f64, total_high: f64) -> Option<f64> {
    let apart = total_low > 0.0 || total_high < 0.0;
    let share = part / total;
    // `+ 0.0` turns a rounded −0 into 0.
    (apart && share.abs() <= 1.0).then(|| (100.0 * share).round() + 0.0)
}

/// The console table: per metric, TARGET − BASE and each group's Shapley
/// value with its interval and share, and the sentence of who carries most.
pub fn table(groups: &[Group], all: &[(String, Attribution)]) -> String {
    let mut text = String::new();
    for (metric, at) in all {
        text.push_str(&format!(
            "{metric}: TARGET − BASE {:+.4} [{:+.4}, {:+.4}]\n",
            at.total.mean, at.total.ci_low, at.total.ci_high
        ));
        let share =
            |part: f64| share_percent(part, at.total.mean, at.total.ci_low, at.total.ci_high);
        let mut unshared = false;
        for (g, s) in groups.iter().zip(&at.shapley) {
            let shown = match share(s.mean) {
                Some(p) => format!("{p:>5.0}%"),
                None => {
                    unshared = true;
                    "     —".to_string()
                }
            };
            text.push_str(&format!(
                "  {:<14} {:+.4} [{:+.4}, {:+.4}]  {shown}\n",
                g.name, s.mean, s.ci_low, s.ci_high
            ));
        }
        if unshared {
            text.push_str("  —: no share, since the difference is not told apart from 0 or is small next to groups that pull both ways\n");
        }
        let main = main_sum(at);
        let of_difference =
            share(main).map_or(String::new(), |p| format!(" ({p:.0}% of the difference)"));
        text.push_str(&format!(
            "  one at a time from BASE the groups add up to {main:+.4}{of_difference}; the rest is interaction\n"
        ));
        if let Some((g, s)) = groups
            .iter()
            .zip(&at.shapley)
            .max_by(|a, b| a.1.mean.abs().total_cmp(&b.1.mean.abs()))
        {
            if s.mean.abs() <= at.total.mean.abs() {
                text.push_str(&format!(
                    "  most of the difference is carried by {} ({:+.4} of {:+.4})\n",
                    g.name, s.mean, at.total.mean
                ));
            } else {
                text.push_str(&format!(
                    "  the largest part is {} ({:+.4}), more than the difference ({:+.4}): other groups pull the other way\n",
                    g.name, s.mean, at.total.mean
                ));
            }
        }
    }
    text
}

#[cfg(test)]
mod share_tests {
    use super::share_percent;

    #[test]
    fn shares_are_given_only_where_they_read_as_shares() {
        assert_eq!(share_percent(0.03, 0.05, 0.04, 0.06), Some(60.0));
        // More than the whole, or a difference not told apart from 0: none.
        assert_eq!(share_percent(0.8, 0.11, 0.03, 0.19), None);
        assert_eq!(share_percent(0.01, 0.02, -0.01, 0.05), None);
        // A rounded −0 is 0.
        assert_eq!(share_percent(-0.00001, 0.05, 0.04, 0.06), Some(0.0));
        assert!(
            share_percent(-0.00001, 0.05, 0.04, 0.06)
                .unwrap()
                .is_sign_positive()
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = "name = \"a\"\n[party.setting]\ncommunity_coverage = 0.0\n[party.procedure]\npooling = 0.0\nformalism = 0.2\n[social]\nautonomy = 0.15\n[sim]\nseed = 1\n";
    const TARGET: &str = "name = \"b\"\n[party.setting]\ncommunity_coverage = 1.0\n[party.procedure]\npooling = 0.2\nformalism = 0.2\n[social]\nautonomy = 0.6\n[sim]\nseed = 9\n";

    #[test]
    fn the_differing_levers_fall_into_the_elements_and_their_sections() {
        let levers = differing_levers(BASE, TARGET).unwrap();
        let paths: Vec<&str> = levers.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(
            paths,
            [
                "party.procedure.pooling",
                "party.setting.community_coverage",
                "social.autonomy"
            ]
        );
        let g = groups(&levers, &[]).unwrap();
        let names: Vec<&str> = g.iter().map(|g| g.name.as_str()).collect();
        assert_eq!(names, ["procedure", "setting", "social"]);
        assert_eq!(g[0].target_values, ["party.procedure.pooling=0.2"]);
        assert_eq!(label(&g, 0), "base");
        assert_eq!(label(&g, 0b101), "procedure+social");
    }

    #[test]
    fn asked_groups_must_cover_each_lever_once() {
        let levers = differing_levers(BASE, TARGET).unwrap();
        let ok = groups(
            &levers,
            &["party=party.*".into(), "rest=social.autonomy".into()],
        )
        .unwrap();
        assert_eq!(ok.len(), 2);
        let missing = groups(&levers, &["party=party.*".into()]).unwrap_err();
        assert!(
            missing.message.contains("social.autonomy"),
            "{}",
            missing.message
        );
        let twice = groups(
            &levers,
            &[
                "party=party.*".into(),
                "all=party.setting.*,social.*".into(),
            ],
        )
        .unwrap_err();
        assert!(twice.message.contains("2 groups"), "{}", twice.message);
        let empty = groups(
            &levers,
            &[
                "party=party.*".into(),
                "rest=social.*".into(),
                "none=grid.*".into(),
            ],
        )
        .unwrap_err();
        assert!(empty.message.contains("none"), "{}", empty.message);
        assert!(
            groups(&[], &[])
                .unwrap_err()
                .message
                .contains("do not differ")
        );
    }
}
