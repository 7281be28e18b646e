//! An experiment's results read back from its folder: the manifest and the
//! CSV files, as plain data for plots and the report. Reading is all this
//! module does; nothing is re-run.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::analysis::stats::PairedDifference;
use crate::experiment::aggregate::{Layout, paired_difference};
use crate::experiment::id_of;
use crate::experiment::store::RunsTable;
use crate::scenario::InputError;
use crate::store::manifest::{ExperimentKind, ExperimentManifest, Manifest};

/// One row of an experiment's `summary.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct Estimate {
    /// Point index.
    pub point: usize,
    /// Metric name (one shared copy per name).
    pub metric: Arc<str>,
    /// Replications with a value.
    pub n: usize,
    /// Mean.
    pub mean: Option<f64>,
    /// Lower end of the 95% interval.
    pub ci_low: Option<f64>,
    /// Upper end.
    pub ci_high: Option<f64>,
}

/// One row of `differences.csv` or `contrasts.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct Difference {
    /// Point index (never a baseline point).
    pub point: usize,
    /// Metric name.
    pub metric: Arc<str>,
    /// Mean paired difference.
    pub diff: Option<f64>,
    /// Lower end of its 95% interval.
    pub ci_low: Option<f64>,
    /// Upper end.
    pub ci_high: Option<f64>,
    /// d_z.
    pub effect_size: Option<f64>,
    /// Holm-adjusted p-value.
    pub p_adjusted: Option<f64>,
}

/// One row of a sensitivity analysis's `indices.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct SensitivityIndex {
    /// Metric.
    pub metric: String,
    /// Parameter (`a|b` for a second-order pair).
    pub parameter: String,
    /// `S1`, `ST`, `S2`, `mu_star`, `mu` or `sigma`.
    pub index: String,
    /// Estimate.
    pub value: Option<f64>,
    /// Lower end of the bootstrap interval.
    pub ci_low: Option<f64>,
    /// Upper end.
    pub ci_high: Option<f64>,
}

/// A band over days: (day, mean, low, high).
pub type Band = Vec<(f64, f64, f64, f64)>;

/// Everything an experiment folder holds.
#[derive(Debug, Clone)]
pub struct Results {
    /// The folder.
    pub dir: PathBuf,
    /// Its manifest.
    pub manifest: ExperimentManifest,
    /// `summary.csv`, sorted by (point, metric) (rows of equal keys in file
    /// order), so that a lookup is a binary search.
    pub estimates: Vec<Estimate>,
    /// `differences.csv` (comparisons) or `contrasts.csv` (sweeps of
    /// several scenarios), sorted likewise.
    pub differences: Vec<Difference>,
    /// `timeseries.csv` by (point, metric) (comparisons).
    pub series: BTreeMap<(usize, String), Band>,
    /// Resolved scenario TOML of each point (comparisons).
    pub scenarios: Vec<Option<String>>,
    /// Sensitivity indices (sensitivity analyses).
    pub indices: Vec<SensitivityIndex>,
    /// Replication noise share of each metric (sensitivity analyses with replications).
    pub noise: Vec<(String, Option<f64>)>,
    /// A decomposition's `attribution.csv`: per metric, each group's
    /// Shapley value (`index` = `shapley`, `parameter` the group) and the
    /// difference itself (`index` = `total`).
    pub attribution: Vec<SensitivityIndex>,
    /// A decomposition's `interactions.csv`: (metric, group a, group b,
    /// Shapley interaction index).
    pub interactions: Vec<(String, String, String, Option<f64>)>,
    /// `runs.csv` of a comparison or sweep, for paired differences between
    /// any two points; `None` if it is missing or unreadable.
    pub runs: Option<(Layout, RunsTable)>,
}

impl Results {
    /// Whether this is a sweep (or a sensitivity analysis, whose points are a sweep's).
    pub fn sweep(&self) -> bool {
        self.manifest.key.command.numbered_points()
    }

    /// The metrics of a decomposition's `attribution.csv`, in file order.
    pub fn attribution_metrics(&self) -> Vec<&str> {
        let mut metrics: Vec<&str> = Vec::new();
        for a in &self.attribution {
            if !metrics.contains(&a.metric.as_str()) {
                metrics.push(&a.metric);
            }
        }
        metrics
    }

    /// Whether this is a sensitivity analysis.
    pub fn sensitivity(&self) -> bool {
        self.manifest.key.command == ExperimentKind::Sensitivity
    }

    /// The scenarios, each once, in the order of their first point: the
    /// first is the baseline.
    pub fn scenario_names(&self) -> Vec<String> {
        crate::experiment::aggregate::first_appearances(
            self.manifest.points.iter().map(|p| p.label.as_str()),
        )
        .into_iter()
        .map(String::from)
        .collect()
    }

    /// Whether this is a sweep of several scenarios, whose contrasts
    /// (`contrasts.csv`) pair each with the first at the same lever values.
    pub fn contrast(&self) -> bool {
        self.sweep() && !self.sensitivity() && self.scenario_names().len() > 1
    }

    /// Labels of the points.
    pub fn labels(&self) -> Vec<String> {
        self.manifest
            .points
            .iter()
            .map(|p| p.label.clone())
            .collect()
    }

    /// The estimate of `metric` at `point` (the first such row).
    pub fn estimate(&self, point: usize, metric: &str) -> Option<&Estimate> {
        let at = self
            .estimates
            .partition_point(|e| (e.point, &*e.metric) < (point, metric));
        self.estimates
            .get(at)
            .filter(|e| e.point == point && &*e.metric == metric)
    }

    /// The paired difference of `metric` between points `a` and `b` (a − b,
    /// by replication), from `runs.csv`.
    pub fn paired(&self, a: usize, b: usize, metric: &str) -> Option<PairedDifference> {
        let (layout, runs) = self.runs.as_ref()?;
        paired_difference(layout, runs, a as u32, b as u32, metric).filter(|d| d.estimate.n > 0)
    }

    /// The difference of `metric` at `point` against the baseline (the first
    /// such row).
    pub fn difference(&self, point: usize, metric: &str) -> Option<&Difference> {
        let at = self
            .differences
            .partition_point(|d| (d.point, &*d.metric) < (point, metric));
        self.differences
            .get(at)
            .filter(|d| d.point == point && &*d.metric == metric)
    }
}

fn num(s: &str) -> Option<f64> {
    s.parse::<f64>().ok().filter(|v| v.is_finite())
}

/// The header and every row of a small table (the per-point tables go
/// through [`each_csv_row`] and are not held as text).
fn read_csv(path: &Path) -> Result<(Vec<String>, Vec<Vec<String>>), InputError> {
    let mut rows = Vec::new();
    let mut header = Vec::new();
    each_csv_row(
        path,
        |h| {
            header = h.to_vec();
            Ok(())
        },
        |_, row| rows.push(row.iter().map(String::from).collect()),
    )?;
    Ok((header, rows))
}

/// The rows of the CSV file at `path`, one at a time, without holding the
/// file or its rows: `columns` reads the header (the columns a row is read
/// by), then `row` is called for each row.
fn each_csv_row<C>(
    path: &Path,
    columns: impl FnOnce(&[String]) -> Result<C, InputError>,
    mut row: impl FnMut(&C, &csv::StringRecord),
) -> Result<(), InputError> {
    let bad = |e: String| InputError::new(path.display().to_string(), e);
    let reader = crate::util::files::open_bounded(
        path,
        "an output table",
        crate::util::files::MAX_TABLE_BYTES,
    )
    .map_err(bad)?;
    let mut reader = csv::Reader::from_reader(reader);
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| bad(e.to_string()))?
        .iter()
        .map(String::from)
        .collect();
    let columns = columns(&header)?;
    let mut record = csv::StringRecord::new();
    while reader
        .read_record(&mut record)
        .map_err(|e| bad(e.to_string()))?
    {
        row(&columns, &record);
    }
    Ok(())
}

/// One shared copy of each metric name read.
#[derive(Default)]
struct Names(HashMap<String, Arc<str>>);

impl Names {
    fn of(&mut self, name: &str) -> Arc<str> {
        if let Some(shared) = self.0.get(name) {
            return shared.clone();
        }
        let shared: Arc<str> = Arc::from(name);
        self.0.insert(name.to_string(), shared.clone());
        shared
    }
}

/// Column `name` of `header`, or an error naming the file.
fn col(path: &Path, header: &[String], name: &str) -> Result<usize, InputError> {
    header.iter().position(|h| h == name).ok_or_else(|| {
        InputError::new(
            path.display().to_string(),
            format!("has no column `{name}`: not a govsim experiment file"),
        )
    })
}

/// A manifest read from `path`: `absent` or `malformed` (with the cause)
/// if it cannot be.
fn read_json<T: serde::de::DeserializeOwned>(
    path: &Path,
    absent: &str,
    malformed: &str,
) -> Result<T, InputError> {
    let bad = |message: String| InputError::new(path.display().to_string(), message);
    let text =
        crate::util::files::read_text(path, "manifest", crate::experiment::MAX_MANIFEST_BYTES)
            .map_err(|e| bad(format!("{absent}: {e}")))?;
    serde_json::from_str(&text).map_err(|e| bad(format!("{malformed}: {e}")))
}

/// Reads the experiment in `dir`.
pub fn load(dir: &Path) -> Result<Results, InputError> {
    let manifest_path = dir.join("manifest.json");
    let manifest: ExperimentManifest = read_json(
        &manifest_path,
        "no experiment here (run compare or sweep first)",
        "not an experiment manifest",
    )?;
    // Only a sensitivity analysis of a test function runs no scenario.
    if manifest.points.is_empty() && manifest.key.command != ExperimentKind::Sensitivity {
        return Err(InputError::new(
            manifest_path.display().to_string(),
            "lists no points: not a finished experiment's manifest",
        ));
    }
    let labels: Vec<String> = manifest.points.iter().map(|p| p.label.clone()).collect();
    let sweep = manifest.key.command.numbered_points();
    let sensitivity = manifest.key.command == ExperimentKind::Sensitivity;
    let point_of =
        |row: &csv::StringRecord, label_col: usize, point_col: Option<usize>| -> Option<usize> {
            match point_col {
                Some(c) => row[c].parse().ok().filter(|&p| p < labels.len()),
                None => labels.iter().position(|l| *l == row[label_col]),
            }
        };

    let path = dir.join("summary.csv");
    let mut names = Names::default();
    let mut estimates = Vec::new();
    // A sensitivity analysis of a test function runs no model and has no summary.
    if !sensitivity || path.exists() {
        each_csv_row(
            &path,
            |h| {
                let c = |name: &str| col(&path, h, name);
                Ok((
                    (c("scenario")?, c("metric")?, c("n")?),
                    if sweep { Some(c("point")?) } else { None },
                    (c("mean")?, c("ci_low")?, c("ci_high")?),
                ))
            },
            |&((c_label, c_metric, c_n), c_point, (c_mean, c_lo, c_hi)), row| {
                let Some(point) = point_of(row, c_label, c_point) else {
                    return;
                };
                estimates.push(Estimate {
                    point,
                    metric: names.of(&row[c_metric]),
                    n: row[c_n].parse().unwrap_or(0),
                    mean: num(&row[c_mean]),
                    ci_low: num(&row[c_lo]),
                    ci_high: num(&row[c_hi]),
                });
            },
        )?;
    }

    let mut differences = Vec::new();
    let mut series: BTreeMap<(usize, String), Band> = BTreeMap::new();
    let mut scenarios = vec![None; labels.len()];
    // Comparisons pair every scenario with the first; a sweep of several
    // scenarios pairs each with the first scenario at the same lever values.
    let several = labels.iter().any(|l| Some(l) != labels.first());
    if !sweep || (several && !sensitivity) {
        let path = dir.join(if sweep {
            crate::experiment::CONTRASTS
        } else {
            "differences.csv"
        });
        each_csv_row(
            &path,
            |h| {
                let c = |n: &str| col(&path, h, n);
                Ok((
                    (c("scenario")?, c("metric")?, c("diff")?),
                    (
                        c("ci_low")?,
                        c("ci_high")?,
                        c("effect_size")?,
                        c("p_adjusted")?,
                    ),
                    if sweep { Some(c("point")?) } else { None },
                ))
            },
            |&((cl, cm, cd), (clo, chi, ce, cp), c_point), row| {
                let Some(point) = point_of(row, cl, c_point) else {
                    return;
                };
                differences.push(Difference {
                    point,
                    metric: names.of(&row[cm]),
                    diff: num(&row[cd]),
                    ci_low: num(&row[clo]),
                    ci_high: num(&row[chi]),
                    effect_size: num(&row[ce]),
                    p_adjusted: num(&row[cp]),
                });
            },
        )?;
    }
    if !sweep {
        let path = dir.join("timeseries.csv");
        let (h, rows) = read_csv(&path)?;
        let c = |n: &str| col(&path, &h, n);
        let (cl, cday, cm, cmean, clo, chi) = (
            c("scenario")?,
            c("day")?,
            c("metric")?,
            c("mean")?,
            c("ci_low")?,
            c("ci_high")?,
        );
        for row in &rows {
            let Some(point) = labels.iter().position(|l| *l == row[cl]) else {
                continue;
            };
            let (Some(day), Some(mean)) = (num(&row[cday]), num(&row[cmean])) else {
                continue;
            };
            let lo = num(&row[clo]).unwrap_or(mean);
            let hi = num(&row[chi]).unwrap_or(mean);
            series
                .entry((point, row[cm].clone()))
                .or_default()
                .push((day, mean, lo, hi));
        }
        for (p, slot) in scenarios.iter_mut().enumerate() {
            *slot = crate::util::files::read_text(
                &dir.join("scenarios").join(format!("{p}.toml")),
                "resolved scenario",
                crate::scenario::load::MAX_FILE_BYTES,
            )
            .ok();
        }
    }
    let mut indices = Vec::new();
    let mut noise = Vec::new();
    if sensitivity {
        let path = dir.join("indices.csv");
        let (h, rows) = read_csv(&path)?;
        let c = |n: &str| col(&path, &h, n);
        let (cm, cp, ci) = (c("metric")?, c("parameter")?, c("index")?);
        let (cv, clo, chi) = (c("value")?, c("ci_low")?, c("ci_high")?);
        for row in &rows {
            indices.push(SensitivityIndex {
                metric: row[cm].clone(),
                parameter: row[cp].clone(),
                index: row[ci].clone(),
                value: num(&row[cv]),
                ci_low: num(&row[clo]),
                ci_high: num(&row[chi]),
            });
        }
        let path = dir.join("noise.csv");
        if path.exists() {
            let (h, rows) = read_csv(&path)?;
            let (cm, cs) = (col(&path, &h, "metric")?, col(&path, &h, "noise_share")?);
            noise = rows.iter().map(|r| (r[cm].clone(), num(&r[cs]))).collect();
        }
    }
    let mut attribution = Vec::new();
    let path = dir.join("attribution.csv");
    if manifest.key.command == ExperimentKind::Decompose && path.exists() {
        let (h, rows) = read_csv(&path)?;
        let c = |n: &str| col(&path, &h, n);
        let (cm, cg, cv) = (c("metric")?, c("group")?, c("shapley")?);
        let (clo, chi) = (c("ci_low")?, c("ci_high")?);
        for row in &rows {
            let total = row[cg] == "total";
            attribution.push(SensitivityIndex {
                metric: row[cm].clone(),
                parameter: row[cg].clone(),
                index: if total { "total" } else { "shapley" }.into(),
                value: num(&row[cv]),
                ci_low: num(&row[clo]),
                ci_high: num(&row[chi]),
            });
        }
    }
    let mut interactions = Vec::new();
    let path = dir.join("interactions.csv");
    if manifest.key.command == ExperimentKind::Decompose && path.exists() {
        let (h, rows) = read_csv(&path)?;
        let c = |n: &str| col(&path, &h, n);
        let (cm, ca, cb, cv) = (
            c("metric")?,
            c("group_a")?,
            c("group_b")?,
            c("interaction")?,
        );
        for row in &rows {
            interactions.push((
                row[cm].clone(),
                row[ca].clone(),
                row[cb].clone(),
                num(&row[cv]),
            ));
        }
    }
    let runs = if sensitivity {
        None
    } else {
        let layout = Layout::of_manifest(&manifest);
        RunsTable::read(&dir.join("runs.csv"), |row| id_of(&layout, row))
            .ok()
            .filter(|table| table.header.len() > layout.id_columns)
            .map(|table| (layout, table))
    };
    // Stable sorts: lookups are binary searches, and the first of equal rows
    // is the first in the file.
    sort_by_point_and_metric(&mut estimates, |e| (e.point, &e.metric));
    sort_by_point_and_metric(&mut differences, |d| (d.point, &d.metric));
    Ok(Results {
        dir: dir.to_path_buf(),
        manifest,
        estimates,
        differences,
        series,
        scenarios,
        indices,
        noise,
        attribution,
        interactions,
        runs,
    })
}

/// Sorts `rows` by point and metric, stably. The files list points in
/// order, so each point's rows are sorted on their own (no buffer the size
/// of the table); rows out of point order are sorted whole.
fn sort_by_point_and_metric<T>(rows: &mut [T], key: impl Fn(&T) -> (usize, &Arc<str>)) {
    if rows.is_sorted_by_key(|r| key(r).0) {
        for point in rows.chunk_by_mut(|a, b| key(a).0 == key(b).0) {
            point.sort_by(|a, b| key(a).1.cmp(key(b).1));
        }
    } else {
        rows.sort_by(|a, b| key(a).cmp(&key(b)));
    }
}

/// A single run's folder read back: its manifest, its daily series by
/// column and its summary.
#[derive(Debug, Clone)]
pub struct RunResults {
    /// The folder.
    pub dir: PathBuf,
    /// Its manifest.
    pub manifest: Manifest,
    /// The recorded days of `timeseries.csv`.
    pub days: Vec<f64>,
    /// Every other column of `timeseries.csv`, one value per recorded day
    /// (`None` for NA).
    pub series: BTreeMap<String, Vec<Option<f64>>>,
    /// `summary.csv`: each column and its value as written.
    pub summary: Vec<(String, String)>,
}

impl RunResults {
    /// A run-level figure of `summary.csv`, if it has a number.
    pub fn figure(&self, name: &str) -> Option<f64> {
        self.summary
            .iter()
            .find(|(n, _)| n == name)
            .and_then(|(_, v)| num(v))
    }
}

/// What an output folder holds, as its manifest says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FolderKind {
    /// One run (`govsim run`): a manifest without an experiment's key.
    Run,
    /// An experiment on the runner (compare, sweep, sensitivity, decompose).
    Experiment,
    /// A calibration (`govsim calibrate`).
    Calibration,
    /// A validation (`govsim validate`).
    Validation,
}

/// What `dir` holds, from its `manifest.json` read once (bounded). A
/// folder whose manifest cannot be read counts as an experiment, whose
/// loader then says why.
pub fn folder_kind(dir: &Path) -> FolderKind {
    let manifest: Option<serde_json::Value> =
        read_json(&dir.join("manifest.json"), "no manifest", "no manifest").ok();
    match manifest {
        Some(m) if m["command"] == "validate" => FolderKind::Validation,
        Some(m) if m["key"]["command"] == "calibrate" => FolderKind::Calibration,
        Some(m) if m.get("key").is_none() && m.get("seed").is_some() => FolderKind::Run,
        _ => FolderKind::Experiment,
    }
}

/// Reads the run in `dir`.
pub fn load_run(dir: &Path) -> Result<RunResults, InputError> {
    let manifest: Manifest = read_json(
        &dir.join("manifest.json"),
        "no run here",
        "not a run's manifest",
    )?;
    let path = dir.join("timeseries.csv");
    let (header, rows) = read_csv(&path)?;
    let c_day = col(&path, &header, "day")?;
    let days = rows
        .iter()
        .map(|r| num(&r[c_day]).unwrap_or(f64::NAN))
        .collect();
    let mut series = BTreeMap::new();
    for (c, name) in header.iter().enumerate() {
        if c != c_day {
            series.insert(name.clone(), rows.iter().map(|r| num(&r[c])).collect());
        }
    }
    let path = dir.join("summary.csv");
    let (header, rows) = read_csv(&path)?;
    let row = rows.first().ok_or_else(|| {
        InputError::new(
            path.display().to_string(),
            "has no row: not a run's summary",
        )
    })?;
    Ok(RunResults {
        dir: dir.to_path_buf(),
        manifest,
        days,
        series,
        summary: header.into_iter().zip(row.iter().cloned()).collect(),
    })
}

/// A calibration's folder (`govsim calibrate`) read back: what its report
/// draws.
#[derive(Debug, Clone)]
pub struct CalibrationResults {
    /// The calibrated scenario file, as given.
    pub scenario_path: String,
    /// The calibrated levers and their uniform priors.
    pub priors: Vec<crate::analysis::calibrate::Prior>,
    /// Every generation written (the last is the posterior).
    pub generations: Vec<crate::analysis::calibrate::Generation>,
    /// Each target with the posterior-predictive values of its metric.
    pub predictive: Vec<crate::report::plots::Predictive>,
}

fn calibration_manifest(dir: &Path) -> Result<serde_json::Value, InputError> {
    read_json(
        &dir.join("manifest.json"),
        "no calibration here",
        "not a calibration's manifest",
    )
}

/// Reads the calibration in `dir`: priors and targets from its manifest,
/// generations from `generations.csv` and `posterior.csv`, the predictive
/// check from `predictive.csv`; every file bounded, every error naming it.
pub fn load_calibration(dir: &Path) -> Result<CalibrationResults, InputError> {
    use crate::analysis::calibrate::Prior;
    let manifest = calibration_manifest(dir)?;
    let manifest_path = dir.join("manifest.json").display().to_string();
    let bad = |message: String| InputError::new(&manifest_path, message);
    let key = &manifest["key"];
    let strings = |field: &str| -> Result<Vec<String>, InputError> {
        key[field]
            .as_array()
            .ok_or_else(|| bad(format!("no `key.{field}` list")))?
            .iter()
            .map(|v| {
                v.as_str()
                    .map(String::from)
                    .ok_or_else(|| bad(format!("`key.{field}` holds a non-string")))
            })
            .collect()
    };
    // `KEY=LO..HI`, as `--vary` gave them.
    let priors = strings("vary")?
        .iter()
        .map(|spec| {
            let parsed = spec.split_once('=').and_then(|(name, range)| {
                let (lo, hi) = range.split_once("..")?;
                Some(Prior {
                    name: name.trim().to_string(),
                    lo: lo.trim().parse().ok()?,
                    hi: hi.trim().parse().ok()?,
                })
            });
            parsed.ok_or_else(|| bad(format!("`{spec}` is not KEY=LO..HI")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    // `METRIC=VALUE±None` or `METRIC=VALUE±Some(SD)`.
    let targets = strings("targets")?
        .iter()
        .map(|spec| {
            let parsed = spec.split_once('=').and_then(|(metric, rest)| {
                let (value, sd) = rest.split_once('±')?;
                let sd = match sd {
                    "None" => None,
                    s => Some(s.strip_prefix("Some(")?.strip_suffix(')')?.parse().ok()?),
                };
                Some((metric.to_string(), value.parse::<f64>().ok()?, sd))
            });
            parsed.ok_or_else(|| bad(format!("`{spec}` is not a target")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let text = |name: &str| {
        let path = dir.join(name);
        crate::util::files::read_text(&path, name, crate::experiment::MAX_MANIFEST_BYTES)
            .map_err(|e| InputError::new(path.display().to_string(), e))
    };
    let generations = crate::experiment::calibration::read_tables(
        &priors,
        &text("generations.csv")?,
        &text("posterior.csv")?,
    )
    .map_err(|e| InputError::new(dir.display().to_string(), e))?;
    if let Some(p) = priors
        .iter()
        .find(|p| !(p.lo.is_finite() && p.hi.is_finite() && p.lo < p.hi))
    {
        return Err(bad(format!(
            "the prior of `{}` is no range LO < HI",
            p.name
        )));
    }
    // The posterior: particles with finite values and weights that add up.
    let posterior = dir.join("posterior.csv").display().to_string();
    let Some(last) = generations.last().filter(|g| !g.particles.is_empty()) else {
        return Err(InputError::new(
            &posterior,
            "no particle in the last generation: not a calibration that ran",
        ));
    };
    let weights: f64 = last.particles.iter().map(|p| p.weight).sum();
    let finite = last
        .particles
        .iter()
        .all(|p| p.weight.is_finite() && p.weight >= 0.0 && p.theta.iter().all(|x| x.is_finite()));
    if !(finite && weights > 0.0 && weights.is_finite()) {
        return Err(InputError::new(
            &posterior,
            "the last generation's weights and values must be finite, the weights positive",
        ));
    }
    let predictive_path = dir.join("predictive.csv").display().to_string();
    let mut simulated: Vec<Vec<f64>> = vec![Vec::new(); targets.len()];
    for (n, line) in text("predictive.csv")?.lines().skip(1).enumerate() {
        let fields: Vec<&str> = line.split(',').collect();
        let [_, metric, value] = fields[..] else {
            return Err(InputError::new(
                &predictive_path,
                format!("row {}: expected draw,metric,value", n + 2),
            ));
        };
        let Some(k) = targets.iter().position(|t| t.0 == metric) else {
            return Err(InputError::new(
                &predictive_path,
                format!("row {}: `{metric}` is no target", n + 2),
            ));
        };
        // An undefined value is written empty; it is left out.
        if let Ok(v) = value.parse::<f64>()
            && v.is_finite()
        {
            simulated[k].push(v);
        }
    }
    let predictive = targets
        .into_iter()
        .zip(simulated)
        .map(
            |((metric, target, sd), simulated)| crate::report::plots::Predictive {
                metric,
                target,
                sd,
                simulated,
            },
        )
        .collect();
    Ok(CalibrationResults {
        scenario_path: manifest["scenario_path"].as_str().unwrap_or("").to_string(),
        priors,
        generations,
        predictive,
    })
}

/// The manifest of the validation in `dir`.
pub fn load_validation(
    dir: &Path,
) -> Result<crate::store::manifest::ValidationManifest, InputError> {
    let manifest: crate::store::manifest::ValidationManifest = read_json(
        &dir.join("manifest.json"),
        "no validation here",
        "not a validation's manifest",
    )?;
    if manifest.command != "validate" {
        return Err(InputError::new(
            dir.join("manifest.json").display().to_string(),
            "not a validation's manifest",
        ));
    }
    Ok(manifest)
}
