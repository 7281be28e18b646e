//! Experimental designs: which scenario variants (points) to run. A
//! comparison has one point per scenario file; a sweep varies levers over a
//! full-factorial grid or a Latin hypercube.

use rand::RngExt;
use rand::seq::SliceRandom;

use crate::scenario::levers;
use crate::scenario::{InputError, Scenario, ScenarioSource};
use crate::seeds::{Purpose, stream};

/// One `--vary KEY=LO..HI[:STEPS]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Vary {
    /// Dotted lever path (list entries as `a.list.0.b`).
    pub key: String,
    /// Low end.
    pub lo: f64,
    /// High end.
    pub hi: f64,
    /// Grid steps (values including both ends).
    pub steps: usize,
    /// The lever takes integers.
    pub integer: bool,
}

/// How points are placed in the varied space.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Sample {
    /// Full factorial over every lever's steps.
    Grid,
    /// Latin hypercube of N points.
    Lhs(usize),
}

impl std::fmt::Display for Sample {
    /// `grid` or `lhs:N`, as `--sample` takes it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Grid => write!(f, "grid"),
            Self::Lhs(n) => write!(f, "lhs:{n}"),
        }
    }
}

const FLAG: &str = "--vary";

/// `a.list.0.b` → `a.list[].b`, the form of the lever table.
fn lever_pattern(key: &str) -> String {
    key.split('.')
        .map(|s| {
            if s.parse::<usize>().is_ok() {
                "[]".to_string()
            } else {
                format!(".{s}")
            }
        })
        .collect::<String>()
        .trim_start_matches('.')
        .replace(".[]", "[]")
}

/// Parses `KEY=LO..HI[:STEPS]`, checking the lever exists, LO < HI and both
/// lie in its valid range. `source` tells whether the lever takes integers.
pub fn parse_vary(spec: &str, source: &ScenarioSource) -> Result<Vary, InputError> {
    let bad = |message: String| InputError::new(FLAG, message);
    let (key, range) = spec
        .split_once('=')
        .ok_or_else(|| bad(format!("`{spec}` is not KEY=LO..HI[:STEPS]")))?;
    let key = key.trim();
    let (range, steps) = match range.split_once(':') {
        Some((r, s)) => {
            let steps = s
                .trim()
                .parse::<usize>()
                .ok()
                .filter(|&n| n >= 2)
                .ok_or_else(|| {
                    bad(format!(
                        "`{spec}`: STEPS must be a whole number of at least 2, found `{s}`"
                    ))
                })?;
            (r, steps)
        }
        None => (range, 5),
    };
    let (lo, hi) = range
        .split_once("..")
        .ok_or_else(|| bad(format!("`{spec}`: expected LO..HI")))?;
    let parse = |x: &str| {
        x.trim()
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite())
            .ok_or_else(|| bad(format!("`{spec}`: `{x}` is not a number")))
    };
    let (lo, hi) = (parse(lo)?, parse(hi)?);
    let lever = levers::find(&lever_pattern(key)).ok_or_else(|| InputError {
        file: FLAG.into(),
        key: Some(key.into()),
        line: None,
        message: match levers::nearest(&lever_pattern(key)).as_slice() {
            [] => "no such numeric lever (see docs/ODD.md, section 7.9)".into(),
            near => format!(
                "no such numeric lever; did you mean {}? (see docs/ODD.md, section 7.9)",
                near.iter()
                    .map(|p| format!("`{p}`"))
                    .collect::<Vec<_>>()
                    .join(" or ")
            ),
        },
    })?;
    let keyed = |message: String| InputError {
        file: FLAG.into(),
        key: Some(key.into()),
        line: None,
        message,
    };
    if lo >= hi {
        return Err(keyed(format!("LO ({lo}) must be below HI ({hi})")));
    }
    if lo < lever.min || hi > lever.max {
        return Err(keyed(format!(
            "{lo}..{hi} leaves the valid range {} to {} ({})",
            lever.min, lever.max, lever.unit
        )));
    }
    // An integer lever is one whose resolved value is a TOML integer.
    let resolved = source.resolve(&[])?;
    let table: toml::Value =
        toml::from_str(&resolved.resolved_toml).map_err(|e| keyed(e.to_string()))?;
    let mut value = Some(&table);
    for segment in key.split('.') {
        value = value.and_then(|v| match segment.parse::<usize>() {
            Ok(i) => v.get(i),
            Err(_) => v.get(segment),
        });
    }
    let integer = matches!(value, Some(toml::Value::Integer(_)));
    Ok(Vary {
        key: key.into(),
        lo,
        hi,
        steps,
        integer,
    })
}

/// Parses `grid` or `lhs:N`.
pub fn parse_sample(spec: &str) -> Result<Sample, InputError> {
    match spec.split_once(':') {
        None if spec == "grid" => Ok(Sample::Grid),
        Some(("lhs", n)) => n
            .parse::<usize>()
            .ok()
            .filter(|&n| n >= 2)
            .map(Sample::Lhs)
            .ok_or_else(|| {
                InputError::new(
                    "--sample",
                    format!("`lhs:{n}`: N must be a whole number of at least 2"),
                )
            }),
        _ => Err(InputError::new(
            "--sample",
            format!("`{spec}`: expected `grid` or `lhs:N`"),
        )),
    }
}

/// Drops the floating-point residue of grid arithmetic (0.39999999999999997 → 0.4).
fn round_to_12_digits(x: f64) -> f64 {
    format!("{x:.11e}").parse().unwrap_or(x)
}

fn format_value(v: f64, integer: bool) -> String {
    if integer {
        format!("{}", v.round() as i64)
    } else {
        format!("{v}")
    }
}

/// How many points `points` would place, before placing them; `None` if
/// that overflows.
pub fn point_count(varies: &[Vary], sample: Sample) -> Option<usize> {
    match sample {
        Sample::Grid => varies
            .iter()
            .try_fold(1usize, |n, v| n.checked_mul(v.steps)),
        Sample::Lhs(n) => Some(n),
    }
}

/// The lever values of every point, as text ready for `--set` and for CSV.
pub fn points(varies: &[Vary], sample: Sample, seed: u64) -> Vec<Vec<String>> {
    match sample {
        Sample::Grid => {
            let mut points: Vec<Vec<String>> = vec![Vec::new()];
            for v in varies {
                let values: Vec<String> = (0..v.steps)
                    .map(|k| {
                        let x = v.lo + (v.hi - v.lo) * k as f64 / (v.steps - 1) as f64;
                        format_value(round_to_12_digits(x), v.integer)
                    })
                    .collect();
                points = points
                    .into_iter()
                    .flat_map(|p| {
                        values.iter().map(move |x| {
                            let mut q = p.clone();
                            q.push(x.clone());
                            q
                        })
                    })
                    .collect();
            }
            points
        }
        Sample::Lhs(n) => {
            // One stratum per point on every axis, strata matched by random permutations.
            let mut rng = stream(seed, Purpose::Design, 0);
            let columns: Vec<Vec<String>> = varies
                .iter()
                .map(|v| {
                    let mut strata: Vec<usize> = (0..n).collect();
                    strata.shuffle(&mut rng);
                    strata
                        .into_iter()
                        .map(|s| {
                            let u = (s as f64 + rng.random::<f64>()) / n as f64;
                            format_value(v.lo + u * (v.hi - v.lo), v.integer)
                        })
                        .collect()
                })
                .collect();
            (0..n)
                .map(|i| columns.iter().map(|c| c[i].clone()).collect())
                .collect()
        }
    }
}

/// Resolves the scenario of every point (`values[i][j]` is lever `varies[j]`
/// at point i) on top of `overrides`. An invalid point is an error that blames
/// `--vary` when a varied lever is at fault and names the point.
pub fn resolve_points(
    source: &ScenarioSource,
    overrides: &[String],
    varies: &[Vary],
    values: &[Vec<String>],
) -> Result<(Vec<Scenario>, Vec<String>), InputError> {
    let mut scenarios = Vec::with_capacity(values.len());
    let mut hashes = Vec::with_capacity(values.len());
    for point in values {
        let mut set = overrides.to_vec();
        set.extend(
            varies
                .iter()
                .zip(point)
                .map(|(v, x)| format!("{}={x}", v.key)),
        );
        let resolved = source.resolve(&set).map_err(|mut e| {
            // serde names list entries `a.list[0].b`; levers are given as `a.list.0.b`.
            let key = e
                .key
                .as_deref()
                .map(|k| k.replace('[', ".").replace(']', ""));
            if varies
                .iter()
                .any(|v| key.as_deref() == Some(v.key.as_str()))
            {
                e.file = FLAG.into();
            }
            e.message = format!("{} (at the point {})", e.message, point.join(", "));
            e
        })?;
        hashes.push(resolved.sha256);
        scenarios.push(resolved.scenario);
    }
    Ok((scenarios, hashes))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vary(lo: f64, hi: f64, steps: usize) -> Vary {
        Vary {
            key: "x".into(),
            lo,
            hi,
            steps,
            integer: false,
        }
    }

    #[test]
    fn grid_is_full_factorial_with_both_ends() {
        let p = points(&[vary(0.0, 1.0, 3), vary(10.0, 20.0, 2)], Sample::Grid, 1);
        assert_eq!(p.len(), 6);
        assert_eq!(p[0], vec!["0", "10"]);
        assert_eq!(p[5], vec!["1", "20"]);
        let tenths = points(&[vary(0.0, 1.0, 11)], Sample::Grid, 1);
        assert_eq!(
            tenths[3],
            vec!["0.3"],
            "no floating-point residue in grid values"
        );
    }

    #[test]
    fn latin_hypercube_puts_one_point_in_every_stratum() {
        let n = 20;
        let p = points(&[vary(0.0, 1.0, 2), vary(5.0, 7.0, 2)], Sample::Lhs(n), 9);
        assert_eq!(p.len(), n);
        for (axis, (lo, hi)) in [(0.0, 1.0), (5.0, 7.0)].into_iter().enumerate() {
            let mut strata: Vec<usize> = p
                .iter()
                .map(|pt| {
                    (((pt[axis].parse::<f64>().unwrap() - lo) / (hi - lo)) * n as f64) as usize
                })
                .collect();
            strata.sort_unstable();
            assert_eq!(strata, (0..n).collect::<Vec<_>>(), "axis {axis}");
        }
        assert_eq!(
            p,
            points(&[vary(0.0, 1.0, 2), vary(5.0, 7.0, 2)], Sample::Lhs(n), 9),
            "deterministic"
        );
    }

    #[test]
    fn lever_patterns_match_the_table() {
        assert_eq!(
            lever_pattern("party.procedure.pooling"),
            "party.procedure.pooling"
        );
        assert_eq!(
            lever_pattern("district.communities.0.population"),
            "district.communities[].population"
        );
        assert_eq!(lever_pattern("shocks.1.start"), "shocks[].start");
    }
}
