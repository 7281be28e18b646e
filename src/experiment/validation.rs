//! `govsim validate`: pattern files read and checked, each pattern's
//! experiment planned for the one runner, and its claims judged from
//! `runs.csv` (`crate::analysis::validate`).
//!
//! A pattern file (`validation/*.toml`, format in `docs/validation.md`)
//! names its source, an experiment (scenarios, or one lever swept over
//! values; replications; optionally lever values drawn from a calibration's
//! posterior) and one or more claims. Each pattern's runs are an experiment
//! folder of their own, so a stopped validation resumes pattern by pattern.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rand::RngExt;
use serde::Deserialize;

use super::aggregate::Layout;
use super::store::RunsTable;
use super::{Plan, Reps};
use crate::analysis::validate::{Claim, Side, Sign, Verdict};
use crate::error::{Error, InputError};
use crate::scenario::ScenarioSource;
use crate::seeds::{Purpose, stream};

/// The most pattern files a validation reads.
pub const MAX_PATTERNS: usize = 200;
/// The most scenarios (or sweep values) of one pattern.
pub const MAX_POINTS: usize = 64;
/// The most claims of one pattern.
pub const MAX_CLAIMS: usize = 32;
/// The most replications of one pattern.
pub const MAX_REPS: u32 = 1000;
/// The most posterior draws of one pattern.
pub const MAX_DRAWS: u32 = 500;
/// Replications of a pattern that does not say.
pub const DEFAULT_REPS: u32 = 20;

/// Where a pattern comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A pattern of the design (section 7) or of the ODD.
    Design,
    /// An observed figure (a calibration target, a reform's outcome).
    Observation,
    /// A finding of the published literature.
    Literature,
}

impl Kind {
    /// The name used in files.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Design => "design",
            Kind::Observation => "observation",
            Kind::Literature => "literature",
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PatternFile {
    name: String,
    source: String,
    kind: Kind,
    #[serde(default)]
    description: String,
    #[serde(default)]
    note: String,
    experiment: ExperimentSpec,
    claim: Vec<ClaimSpec>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExperimentSpec {
    reps: Option<u32>,
    days: Option<u32>,
    #[serde(default = "one")]
    seed: u64,
    #[serde(default)]
    set: Vec<String>,
    #[serde(default)]
    scenario: Vec<ScenarioSpec>,
    sweep: Option<SweepSpec>,
    posterior: Option<String>,
    draws: Option<u32>,
}

fn one() -> u64 {
    1
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ScenarioSpec {
    name: String,
    file: String,
    #[serde(default)]
    set: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SweepSpec {
    file: String,
    lever: String,
    values: Vec<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ClaimSpec {
    #[serde(rename = "type")]
    kind: String,
    metric: String,
    of: Option<String>,
    minus: Option<String>,
    expect: Option<String>,
    margin: Option<f64>,
    by: Option<f64>,
    scenario: Option<String>,
    value: Option<f64>,
    sd: Option<f64>,
    #[serde(default)]
    label: String,
}

/// One claim of a pattern, ready to judge.
#[derive(Debug, Clone)]
pub struct PatternClaim {
    /// The run-level metric (a column of `summary.csv`).
    pub metric: String,
    /// The claim.
    pub claim: Claim,
    /// What is expected, in words: "party_led − silo > 0".
    pub expected: String,
    /// The claim's own label, if given.
    pub label: String,
}

/// A pattern file read and checked: its plan and claims.
#[derive(Debug, Clone)]
pub struct Pattern {
    /// The file.
    pub path: PathBuf,
    /// Its stem: the folder of its runs.
    pub stem: String,
    /// Short name.
    pub name: String,
    /// Source: paper, observation, design section.
    pub source: String,
    /// Design, observation or literature.
    pub kind: Kind,
    /// The pattern in words.
    pub description: String,
    /// What a reader should know when reading the verdict.
    pub note: String,
    /// The experiment: points are scenarios × posterior draws
    /// (draw-major within a scenario).
    pub plan: Plan,
    /// Scenarios (or sweep values) before posterior draws.
    pub scenarios: usize,
    /// Posterior draws per scenario (1 without a posterior).
    pub draws: usize,
    /// The swept lever's values (sweeps only).
    pub x: Vec<f64>,
    /// The claims.
    pub claims: Vec<PatternClaim>,
    /// SHA-256 of the file's text as read.
    pub sha256: String,
}

/// A judged claim.
#[derive(Debug, Clone)]
pub struct ClaimResult {
    /// The pattern's stem.
    pub pattern: String,
    /// The claim.
    pub claim: PatternClaim,
    /// What the runs showed.
    pub verdict: Verdict,
}

/// The pattern files of `paths`: files as given, folders for their
/// `*.toml` files (sorted), at most [`MAX_PATTERNS`].
pub fn pattern_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, InputError> {
    let mut files = Vec::new();
    for path in paths {
        let shown = path.display().to_string();
        let meta = std::fs::metadata(path)
            .map_err(|e| InputError::new(&shown, format!("cannot read: {e}")))?;
        if meta.is_dir() {
            let mut found: Vec<PathBuf> = std::fs::read_dir(path)
                .map_err(|e| InputError::new(&shown, format!("cannot read folder: {e}")))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "toml"))
                .take(MAX_PATTERNS + 1)
                .collect();
            if found.is_empty() {
                return Err(InputError::new(&shown, "holds no pattern file (*.toml)"));
            }
            found.sort();
            files.extend(found);
        } else {
            files.push(path.clone());
        }
        if files.len() > MAX_PATTERNS {
            return Err(InputError::new(
                &shown,
                format!("more than {MAX_PATTERNS} pattern files"),
            ));
        }
    }
    let mut stems: Vec<String> = Vec::new();
    for f in &files {
        let stem = stem_of(f);
        // The stem names the folder of the pattern's runs inside --out: it
        // must be one plain path component ("..." has the stem "..").
        let plain = !stem.is_empty()
            && stem.len() <= 100
            && !stem.starts_with('.')
            && stem
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
        if !plain {
            return Err(InputError::new(
                f.display().to_string(),
                format!(
                    "the file's name `{stem}` cannot name the folder of its runs: use letters, digits, `_`, `-` and `.` (not first), at most 100"
                ),
            ));
        }
        if stems.contains(&stem) {
            return Err(InputError::new(
                f.display().to_string(),
                format!(
                    "another pattern file is also named `{stem}`: their runs would share a folder"
                ),
            ));
        }
        stems.push(stem);
    }
    Ok(files)
}

fn stem_of(path: &Path) -> String {
    crate::util::safe_text::label(&path.file_stem().unwrap_or_default().to_string_lossy())
}

/// The pattern in `path`, checked: every scenario resolved, every claim's
/// metric a run-level metric and its points named in the experiment.
/// `reps` and `days` replace the file's replications and days when given.
pub fn read_pattern(
    path: &Path,
    reps: Option<u32>,
    days: Option<u32>,
    metrics: &[String],
) -> Result<Pattern, InputError> {
    let name = path.display().to_string();
    let (spec, text): (PatternFile, String) =
        crate::util::files::read_toml(path, "pattern file", crate::scenario::load::MAX_FILE_BYTES)?;
    let bad = |key: &str, message: String| InputError {
        file: name.clone(),
        key: Some(key.to_string()),
        line: crate::scenario::load::find_line(&text, key),
        message,
    };
    let folder = path.parent().unwrap_or(Path::new("."));
    let e = &spec.experiment;
    let reps = reps.or(e.reps).unwrap_or(DEFAULT_REPS);
    if !(2..=MAX_REPS).contains(&reps) {
        return Err(bad(
            "experiment.reps",
            format!("{reps}: from 2 to {MAX_REPS}"),
        ));
    }
    if spec.claim.is_empty() || spec.claim.len() > MAX_CLAIMS {
        return Err(bad(
            "claim",
            format!("give 1 to {MAX_CLAIMS} [[claim]] entries"),
        ));
    }
    let mut overrides = e.set.clone();
    if let Some(days) = days.or(e.days) {
        overrides.push(format!("sim.days={days}"));
    }
    // The points before posterior draws: (label, source, overrides).
    let mut points: Vec<(String, ScenarioSource, Vec<String>)> = Vec::new();
    let mut x = Vec::new();
    match (&e.sweep, e.scenario.is_empty()) {
        (Some(_), false) | (None, true) => {
            return Err(bad(
                "experiment",
                "give either [[experiment.scenario]] entries or one [experiment.sweep]".into(),
            ));
        }
        (Some(sweep), true) => {
            if sweep.values.len() < 3 || sweep.values.len() > MAX_POINTS {
                return Err(bad(
                    "experiment.sweep.values",
                    format!("give 3 to {MAX_POINTS} values"),
                ));
            }
            let source = ScenarioSource::read(&folder.join(&sweep.file))
                .map_err(|e| within(e, &name, "experiment.sweep.file"))?;
            for &v in &sweep.values {
                let mut set = overrides.clone();
                set.push(format!("{}={v}", sweep.lever));
                points.push((format!("{}={v}", sweep.lever), source.clone(), set));
                x.push(v);
            }
        }
        (None, false) => {
            if e.scenario.len() > MAX_POINTS {
                return Err(bad(
                    "experiment.scenario",
                    format!("at most {MAX_POINTS} scenarios"),
                ));
            }
            for (i, s) in e.scenario.iter().enumerate() {
                let label = crate::util::safe_text::label(&s.name);
                if label.is_empty() || points.iter().any(|p| p.0 == label) {
                    return Err(bad(
                        &format!("experiment.scenario[{i}].name"),
                        format!(
                            "`{}`: give each scenario a different, non-empty name",
                            s.name
                        ),
                    ));
                }
                let source = ScenarioSource::read(&folder.join(&s.file))
                    .map_err(|e| within(e, &name, &format!("experiment.scenario[{i}].file")))?;
                let mut set = overrides.clone();
                set.extend(s.set.iter().cloned());
                points.push((label, source, set));
            }
        }
    }
    let draws = match (&e.posterior, e.draws) {
        (None, None) => Vec::new(),
        (None, Some(_)) => {
            return Err(bad(
                "experiment.draws",
                "only with experiment.posterior".into(),
            ));
        }
        (Some(file), draws) => {
            let n = draws.unwrap_or(20);
            if !(1..=MAX_DRAWS).contains(&n) {
                return Err(bad(
                    "experiment.draws",
                    format!("{n}: from 1 to {MAX_DRAWS}"),
                ));
            }
            let posterior = folder.join(file);
            draw_posterior(&posterior, n as usize, e.seed).map_err(|m| {
                bad(
                    "experiment.posterior",
                    format!("{}: {m}", posterior.display()),
                )
            })?
        }
    };
    let n_draws = draws.len().max(1);
    let (mut labels, mut scenarios, mut hashes, mut resolved_toml, mut paths) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for (label, source, set) in &points {
        let base = source.resolve(set).map_err(|e| within(e, &name, label))?;
        for d in 0..n_draws {
            // The draw's levers come after the experiment's overrides and
            // before the scenario's own, which win.
            let mut items = overrides.clone();
            if let Some(levers) = draws.get(d) {
                for (lever, value) in levers {
                    items.push(lever_item(&base.resolved_toml, lever, *value));
                }
            }
            items.extend(set[overrides.len()..].iter().cloned());
            let shown = if draws.is_empty() {
                label.clone()
            } else {
                format!("{label}#{d}")
            };
            items.push(format!("name=\"{shown}\""));
            let resolved = source
                .resolve(&items)
                .map_err(|e| within(e, &name, &shown))?;
            labels.push(shown);
            hashes.push(resolved.sha256.clone());
            resolved_toml.push(resolved.resolved_toml.clone());
            scenarios.push(resolved.scenario);
            paths.push(source.path().display().to_string());
        }
    }
    let names: Vec<String> = points.iter().map(|p| p.0.clone()).collect();
    let claims = spec
        .claim
        .iter()
        .enumerate()
        .map(|(k, c)| {
            claim(c, &names, !x.is_empty(), metrics)
                .map_err(|(key, message)| bad(&format!("claim[{k}].{key}"), message))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let plan = Plan {
        command: crate::store::manifest::ExperimentKind::Compare,
        layout: Layout::named(labels),
        scenarios,
        hashes,
        paths,
        base_seed: e.seed,
        reps: Reps::Fixed(reps),
        sample: String::new(),
        sensitivity: None,
        resolved_toml,
    };
    Ok(Pattern {
        sha256: crate::util::files::sha256_hex(text.as_bytes()),
        path: path.to_path_buf(),
        stem: stem_of(path),
        name: spec.name,
        source: spec.source,
        kind: spec.kind,
        description: spec.description,
        note: spec.note,
        plan,
        scenarios: points.len(),
        draws: n_draws,
        x,
        claims,
    })
}

/// A scenario's error, saying which pattern file and point it came from.
fn within(mut e: InputError, pattern: &str, point: &str) -> InputError {
    e.message = format!("{} (in `{point}` of the pattern file {pattern})", e.message);
    e
}

/// `lever=value`, rounded if the scenario holds the lever as an integer.
fn lever_item(resolved_toml: &str, lever: &str, value: f64) -> String {
    let table: toml::Table = toml::from_str(resolved_toml).unwrap_or_default();
    let mut node = Some(toml::Value::Table(table));
    for part in lever.split('.') {
        node = node.and_then(|n| n.get(part).cloned());
    }
    match node {
        Some(toml::Value::Integer(_)) => format!("{lever}={}", value.round() as i64),
        _ => format!("{lever}={value}"),
    }
}

/// `n` particles of the last generation of a `posterior.csv` (as written by
/// `govsim calibrate`), drawn by weight with replacement from the seed's
/// posterior stream: each a list of (lever, value).
pub fn draw_posterior(path: &Path, n: usize, seed: u64) -> Result<Vec<Vec<(String, f64)>>, String> {
    let meta = std::fs::metadata(path).map_err(|e| format!("cannot read posterior: {e}"))?;
    if !meta.is_file() || meta.len() > 64 << 20 {
        return Err("the posterior must be a regular file of at most 64 MiB".into());
    }
    let mut reader =
        csv::Reader::from_path(path).map_err(|e| format!("cannot read posterior: {e}"))?;
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| format!("cannot read posterior: {e}"))?
        .iter()
        .map(String::from)
        .collect();
    if header.len() < 5 || header[..4] != ["generation", "particle", "weight", "distance"] {
        return Err(
            "not a posterior.csv of govsim calibrate (generation, particle, weight, distance, levers…)"
                .into(),
        );
    }
    let mut rows: Vec<(u64, f64, Vec<f64>)> = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let record = record.map_err(|e| format!("row {}: {e}", i + 2))?;
        let nums: Option<Vec<f64>> = record.iter().map(|f| f.parse::<f64>().ok()).collect();
        let nums = nums
            .filter(|v| v.len() == header.len() && v.iter().all(|x| x.is_finite()))
            .ok_or_else(|| format!("row {}: expected {} numbers", i + 2, header.len()))?;
        rows.push((nums[0] as u64, nums[2], nums[4..].to_vec()));
    }
    let last = rows
        .iter()
        .map(|r| r.0)
        .max()
        .ok_or("the posterior holds no particle")?;
    let particles: Vec<&(u64, f64, Vec<f64>)> = rows.iter().filter(|r| r.0 == last).collect();
    let total: f64 = particles.iter().map(|r| r.1.max(0.0)).sum();
    if total <= 0.0 || !total.is_finite() {
        return Err("the last generation's weights do not sum to a positive number".into());
    }
    let mut rng = stream(seed, Purpose::Posterior, 0);
    let levers = &header[4..];
    Ok((0..n)
        .map(|_| {
            let mut u = rng.random::<f64>() * total;
            let chosen = particles
                .iter()
                .find(|r| {
                    u -= r.1.max(0.0);
                    u < 0.0
                })
                .unwrap_or(&particles[particles.len() - 1]);
            levers
                .iter()
                .cloned()
                .zip(chosen.2.iter().copied())
                .collect()
        })
        .collect())
}

/// A claim entry checked against the experiment's point names.
fn claim(
    c: &ClaimSpec,
    names: &[String],
    sweep: bool,
    metrics: &[String],
) -> Result<PatternClaim, (String, String)> {
    let err = |key: &str, m: String| (key.to_string(), m);
    if !metrics.contains(&c.metric) {
        return Err(err(
            "metric",
            format!(
                "`{}` is not a run-level metric; valid: {}",
                c.metric,
                metrics.join(", ")
            ),
        ));
    }
    let point = |key: &str, v: &Option<String>| -> Result<(usize, String), (String, String)> {
        if sweep {
            return Err(err(
                key,
                "a sweep's claims are `trend` or `inverted_u`".into(),
            ));
        }
        let v = v
            .as_ref()
            .ok_or_else(|| err(key, format!("a `{}` claim needs `{key}`", c.kind)))?;
        // Names are stored as labels (a leading `+`, `=`, `-` or `@` gets a
        // `'` against spreadsheet formulas): a claim names the scenario as
        // the file does (issue 29, item 14).
        let stored = crate::util::safe_text::label(v);
        let p = names.iter().position(|n| *n == stored).ok_or_else(|| {
            err(
                key,
                format!(
                    "`{v}` is not a scenario of the experiment; they are: {}",
                    names.join(", ")
                ),
            )
        })?;
        Ok((p, v.clone()))
    };
    let sign = || match c.expect.as_deref() {
        Some("positive") => Ok(Sign::Positive),
        Some("negative") => Ok(Sign::Negative),
        other => Err(err(
            "expect",
            format!("{other:?}: `positive` or `negative`"),
        )),
    };
    let value = || {
        c.value.filter(|v| v.is_finite()).ok_or_else(|| {
            err(
                "value",
                format!("a `{}` claim needs a finite `value`", c.kind),
            )
        })
    };
    let m = &c.metric;
    let (claim, expected) = match c.kind.as_str() {
        "difference" => {
            let ((of, a), (minus, b)) = (point("of", &c.of)?, point("minus", &c.minus)?);
            let expect = sign()?;
            let by = match c.by {
                None => 0.0,
                Some(v) if v.is_finite() && v >= 0.0 => v,
                Some(v) => return Err(err("by", format!("{v}: a size ≥ 0"))),
            };
            let bound = match (expect, by == 0.0) {
                (Sign::Positive, _) => format!("> {by}"),
                (Sign::Negative, true) => "< 0".to_string(),
                (Sign::Negative, false) => format!("< -{by}"),
            };
            (
                Claim::Difference {
                    of,
                    minus,
                    expect,
                    by,
                },
                format!("{m}: {a} − {b} {bound}"),
            )
        }
        "equivalence" => {
            let ((of, a), (minus, b)) = (point("of", &c.of)?, point("minus", &c.minus)?);
            let margin = c
                .margin
                .filter(|v| v.is_finite() && *v > 0.0)
                .ok_or_else(|| {
                    err(
                        "margin",
                        "an `equivalence` claim needs a positive `margin`".into(),
                    )
                })?;
            (
                Claim::Equivalence { of, minus, margin },
                format!("{m}: |{a} − {b}| < {margin}"),
            )
        }
        "level" => {
            let (p, a) = point("scenario", &c.scenario)?;
            let side = match c.expect.as_deref() {
                Some("above") => Side::Above,
                Some("below") => Side::Below,
                other => return Err(err("expect", format!("{other:?}: `above` or `below`"))),
            };
            let v = value()?;
            let op = if side == Side::Above { ">" } else { "<" };
            (
                Claim::Level {
                    point: p,
                    side,
                    value: v,
                },
                format!("{m}: {a} {op} {v}"),
            )
        }
        "target" => {
            let (p, a) = point("scenario", &c.scenario)?;
            let v = value()?;
            if let Some(sd) = c.sd.filter(|s| !(s.is_finite() && *s >= 0.0)) {
                return Err(err("sd", format!("{sd}: a standard error ≥ 0")));
            }
            let around = c.sd.map_or(String::new(), |sd| format!(" ± 2×{sd}"));
            (
                Claim::Target {
                    point: p,
                    value: v,
                    sd: c.sd,
                },
                format!("{m}: {a}'s 95% predictive interval meets {v}{around}"),
            )
        }
        "prediction" => {
            if c.value.is_some() || c.sd.is_some() {
                return Err(err(
                    "value",
                    "a prediction has no observed value yet: state one in a `target` claim".into(),
                ));
            }
            if c.of.is_some() || c.minus.is_some() {
                let ((of, a), (minus, b)) = (point("of", &c.of)?, point("minus", &c.minus)?);
                (
                    Claim::PredictedEffect { of, minus },
                    format!("{m}: {a} − {b}, 95% interval (no observation yet)"),
                )
            } else {
                let (p, a) = point("scenario", &c.scenario)?;
                (
                    Claim::Prediction { point: p },
                    format!("{m}: {a}'s 95% predictive interval (no observation yet)"),
                )
            }
        }
        "trend" | "inverted_u" if !sweep => {
            return Err(err(
                "type",
                format!("a `{}` claim needs an [experiment.sweep]", c.kind),
            ));
        }
        "trend" => {
            let expect = sign()?;
            let word = if expect == Sign::Positive {
                "rises"
            } else {
                "falls"
            };
            (
                Claim::Trend { expect },
                format!("{m} {word} along the sweep"),
            )
        }
        "inverted_u" => (
            Claim::InvertedU,
            format!("{m}: inverted U (x² coefficient < 0, peak inside the range)"),
        ),
        other => {
            return Err(err(
                "type",
                format!(
                    "`{other}`: difference, equivalence, level, target, prediction, trend or inverted_u"
                ),
            ));
        }
    };
    Ok(PatternClaim {
        metric: m.clone(),
        claim,
        expected,
        label: c.label.clone(),
    })
}

/// The pattern's claims judged from the `runs.csv` in `dir`.
pub fn judge_pattern(pattern: &Pattern, dir: &Path) -> Result<Vec<ClaimResult>, Error> {
    let path = dir.join("runs.csv");
    let runs = RunsTable::read(&path, |row| super::id_of(&pattern.plan.layout, row))
        .map_err(|e| Error::Runtime(format!("reading {}: {e}", path.display())))?;
    let reps = runs.replications();
    let mut out = Vec::new();
    for c in &pattern.claims {
        let col = runs.column(&c.metric)?;
        // Unit (draw, rep): the metric at each scenario (or sweep value).
        let mut units = Vec::new();
        for d in 0..pattern.draws {
            for &rep in &reps {
                let row: Vec<f64> = (0..pattern.scenarios)
                    .map(|s| {
                        let p = (s * pattern.draws + d) as u32;
                        runs.rows
                            .get(&(p, rep))
                            .and_then(|r| r.field(col).parse::<f64>().ok())
                            .unwrap_or(f64::NAN)
                    })
                    .collect();
                units.push(row);
            }
        }
        out.push(ClaimResult {
            pattern: pattern.stem.clone(),
            claim: c.clone(),
            verdict: crate::analysis::validate::judge(&c.claim, &units, &pattern.x),
        });
    }
    Ok(out)
}

/// `validation.csv`: one row per claim.
pub fn validation_csv(patterns: &[Pattern], results: &[ClaimResult]) -> Vec<u8> {
    let by_stem: BTreeMap<&str, &Pattern> = patterns.iter().map(|p| (p.stem.as_str(), p)).collect();
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record([
        "pattern", "name", "kind", "source", "claim", "metric", "expected", "tests", "estimate",
        "ci_low", "ci_high", "peak", "units", "holds", "reading",
    ]);
    let num = |x: f64| {
        if x.is_finite() {
            format!("{x}")
        } else {
            "NA".into()
        }
    };
    for r in results {
        let p = by_stem[r.pattern.as_str()];
        let v = &r.verdict;
        let _ = w.write_record([
            r.pattern.clone(),
            crate::util::safe_text::label(&p.name),
            p.kind.name().to_string(),
            crate::util::safe_text::label(&p.source),
            crate::util::safe_text::label(&r.claim.label),
            r.claim.metric.clone(),
            crate::util::safe_text::label(&r.claim.expected),
            r.claim.claim.tests().to_string(),
            num(v.estimate),
            num(v.ci_low),
            num(v.ci_high),
            v.peak.map_or("NA".into(), num),
            v.units.to_string(),
            holds_word(v.holds).to_string(),
            v.reading.to_string(),
        ]);
    }
    w.into_inner().unwrap_or_default()
}

/// `yes`, `no`, or `NA` (not judged).
pub fn holds_word(holds: Option<bool>) -> &'static str {
    match holds {
        Some(true) => "yes",
        Some(false) => "no",
        None => "NA",
    }
}

/// What a claim measured, in words: "+0.081 [+0.046, +0.113]".
pub fn measured(v: &Verdict) -> String {
    let mut s = format!("{:+.4} [{:+.4}, {:+.4}]", v.estimate, v.ci_low, v.ci_high);
    if let Some(peak) = v.peak {
        s.push_str(&format!(", peak {peak:.3}"));
    }
    s
}
