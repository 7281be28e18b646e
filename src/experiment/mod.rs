//! Experiments: many runs of one or more scenarios, in parallel, with
//! statistics a scholar can cite. `compare` runs scenarios side by side,
//! `sweep` varies levers; both go through one runner ([`runner`]), keep
//! `runs.csv` and exact time-series sums on disk as runs finish ([`store`]),
//! and compute every finding from those two alone ([`aggregate`]), so that
//! thread count, completion order, resuming and sharding never change a byte.

pub mod aggregate;
pub mod calibration;
pub mod decomposition;
pub mod design;
pub mod runner;
pub mod sensitivity;
pub mod series;
pub mod store;
pub mod validation;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Instant, SystemTime};

use rand::Rng;
use serde::Serialize;

use crate::error::Error;
use crate::metrics::Summary;
use crate::scenario::{InputError, Scenario};
use crate::seeds::{Purpose, stream};
use crate::store::manifest::{
    ExperimentKey, ExperimentKind, ExperimentManifest, PointEntry, SensitivityInfo,
};
use crate::util::files::{
    FolderLock, csv_fields, prepare_dir, write_atomic, write_atomic_streamed,
};
use aggregate::{Layout, point_estimate};
use runner::run_jobs;
use series::SeriesAppender;
use store::{RunId, RunsAppender, RunsTable, SeriesSums};

/// The error for replications `shown` that are not a whole number from 2
/// to [`MAX_REPS`].
pub fn bad_reps(shown: &str) -> InputError {
    InputError::new(
        "--reps",
        format!("`{shown}`: a whole number from 2 to {MAX_REPS}, or `auto`"),
    )
}

/// Replications added per batch by `--reps auto`.
pub const AUTO_BATCH: u32 = 10;

/// How many replications.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Reps {
    /// Exactly this many.
    Fixed(u32),
    /// Batches of [`AUTO_BATCH`] until every precision metric's relative
    /// half-width is at most `precision`, or `max` replications.
    Auto {
        /// Target relative half-width.
        precision: f64,
        /// Cap on replications.
        max: u32,
    },
}

/// The most replications a point may have.
pub const MAX_REPS: u32 = 100_000;

impl Reps {
    /// Bad input unless the replications are within the bounds `--reps`
    /// has: 2 to [`MAX_REPS`], or `auto` with a positive precision and a cap
    /// of at least one batch. Every request that takes replications checks
    /// it, whoever calls (the command line, the server, Python).
    pub fn check(&self) -> Result<(), InputError> {
        match *self {
            Reps::Fixed(n) if (2..=MAX_REPS).contains(&n) => Ok(()),
            Reps::Fixed(n) => Err(bad_reps(&n.to_string())),
            Reps::Auto { precision, .. } if !(precision > 0.0 && precision.is_finite()) => {
                Err(InputError::new(
                    "--precision",
                    format!("{precision}: must be a positive number, e.g. 0.02"),
                ))
            }
            Reps::Auto { max, .. } if !(AUTO_BATCH..=MAX_REPS).contains(&max) => {
                Err(InputError::new(
                    "--max-reps",
                    format!("must be from {AUTO_BATCH} (one batch) to {MAX_REPS}"),
                ))
            }
            Reps::Auto { .. } => Ok(()),
        }
    }

    fn describe(&self) -> String {
        match self {
            Reps::Fixed(n) => n.to_string(),
            Reps::Auto { precision, max } => format!("auto (precision {precision}, at most {max})"),
        }
    }
}

/// What to run: the points (scenario variants) and how to label them.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The kind of experiment.
    pub command: ExperimentKind,
    /// Labels, varied levers and values of the points.
    pub layout: Layout,
    /// Resolved scenario of each point.
    pub scenarios: Vec<Scenario>,
    /// SHA-256 of each point's resolved scenario.
    pub hashes: Vec<String>,
    /// Scenario file of each point.
    pub paths: Vec<String>,
    /// Seed from which every replication's seed is derived.
    pub base_seed: u64,
    /// Replications.
    pub reps: Reps,
    /// `--sample` as given (sweeps).
    pub sample: String,
    /// Sensitivity analyses: what to record in the manifest.
    pub sensitivity: Option<SensitivityInfo>,
    /// Resolved TOML of each point, kept in `scenarios/` of the output
    /// (comparisons; empty for sweeps, whose points differ only in `varied`).
    pub resolved_toml: Vec<String>,
}

/// How to run it.
#[derive(Debug, Clone)]
pub struct Options {
    /// Output folder.
    pub out: PathBuf,
    /// Worker threads.
    pub threads: usize,
    /// Run only the K-th (1-based) of N slices.
    pub shard: Option<(u32, u32)>,
    /// Continue an experiment already in `out`.
    pub resume: bool,
    /// Keep every run's series in `series.csv` (`--series all`).
    pub series_all: bool,
    /// The command line, for the manifest.
    pub command_line: Vec<String>,
}

/// What a finished experiment reports.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The kind of experiment.
    pub kind: ExperimentKind,
    /// Replications per point.
    pub reps: u32,
    /// Runs in the output.
    pub runs_done: usize,
    /// The console table.
    pub table: String,
    /// Largest relative half-width among precision metrics: (value, metric, point label).
    pub worst_precision: Option<(f64, String, String)>,
}

/// The seed of replication `rep`: the same for every point (common random numbers).
pub fn replication_seed(base_seed: u64, rep: u32) -> u64 {
    stream(base_seed, Purpose::Replications, u64::from(rep)).next_u64() >> 1
}

impl Plan {
    /// The experiment's identity.
    pub fn key(&self) -> ExperimentKey {
        let reps = match self.reps {
            Reps::Fixed(n) => n.to_string(),
            Reps::Auto { precision, max } => format!("auto:{precision}:{max}"),
        };
        ExperimentKey {
            command: self.command,
            hashes: self.hashes.clone(),
            reps,
            base_seed: self.base_seed,
        }
    }

    fn id_header(&self) -> Vec<String> {
        let mut h: Vec<String> = Vec::new();
        if self.layout.sweep {
            h.push("point".into());
        }
        h.extend([
            "scenario".to_string(),
            "rep".to_string(),
            "seed".to_string(),
        ]);
        if self.layout.sweep {
            h.extend(self.layout.varied.iter().cloned());
        }
        h
    }

    fn row(&self, id: RunId, summary: &Summary) -> Result<Vec<String>, String> {
        let (p, rep) = (id.0 as usize, id.1);
        let mut row = Vec::new();
        if self.layout.sweep {
            row.push(p.to_string());
        }
        row.push(self.layout.labels[p].clone());
        row.push(rep.to_string());
        row.push(replication_seed(self.base_seed, rep).to_string());
        if self.layout.sweep {
            row.extend(self.layout.values[p].iter().cloned());
        }
        let (_, fields) = csv_fields(std::slice::from_ref(summary)).map_err(|e| e.to_string())?;
        row.extend(fields.into_iter().next().unwrap_or_default());
        Ok(row)
    }

    fn manifest(&self, options: &Options, start_time: &str) -> ExperimentManifest {
        ExperimentManifest {
            govsim_version: env!("CARGO_PKG_VERSION").into(),
            key: self.key(),
            points: (0..self.scenarios.len())
                .map(|p| PointEntry {
                    label: self.layout.labels[p].clone(),
                    path: self.paths[p].clone(),
                    sha256: self.hashes[p].clone(),
                    values: self.layout.values.get(p).cloned().unwrap_or_default(),
                })
                .collect(),
            varied: self.layout.varied.clone(),
            sample: self.sample.clone(),
            reps: 0,
            threads: options.threads,
            shard: options.shard.map(|(k, n)| format!("{k}/{n}")),
            merged_from: Vec::new(),
            complete: false,
            runs_done: 0,
            command_line: options.command_line.clone(),
            start_time: start_time.into(),
            wall_seconds: 0.0,
            sensitivity: self.sensitivity.clone(),
            series_all: options.series_all,
        }
    }
}

/// The `runs.csv` of the experiment in `dir`, read back.
pub fn read_runs(dir: &Path, layout: &Layout) -> Result<RunsTable, Error> {
    let path = dir.join(RUNS);
    RunsTable::read(&path, |row| id_of(layout, row)).map_err(runtime("reading", &path))
}

/// Finds the run of a `runs.csv` row under `layout`.
pub fn id_of(layout: &Layout, row: &[String]) -> Option<RunId> {
    if layout.sweep {
        Some((row.first()?.parse().ok()?, row.get(2)?.parse().ok()?))
    } else {
        let label = row.first()?;
        let p = layout.labels.iter().position(|l| l == label)?;
        Some((p as u32, row.get(1)?.parse().ok()?))
    }
}

const MANIFEST: &str = "manifest.json";
/// The largest `manifest.json` read back: a million points of a few hundred
/// bytes each.
pub const MAX_MANIFEST_BYTES: u64 = 1 << 30;
const RUNS: &str = "runs.csv";
const CHECKPOINT: &str = "checkpoint.txt";
/// A sweep of several scenarios: each against the baseline scenario at the
/// same lever values.
pub const CONTRASTS: &str = "contrasts.csv";

fn read_manifest(dir: &Path) -> Result<ExperimentManifest, InputError> {
    let path = dir.join(MANIFEST);
    let text = crate::util::files::read_text(&path, "experiment manifest", MAX_MANIFEST_BYTES)
        .map_err(|e| {
            InputError::new(
                path.display().to_string(),
                format!("no experiment manifest here: {e}"),
            )
        })?;
    serde_json::from_str(&text).map_err(|e| {
        InputError::new(
            path.display().to_string(),
            format!("not an experiment manifest: {e}"),
        )
    })
}

fn runtime(what: &str, path: &Path) -> impl Fn(std::io::Error) -> Error {
    let context = format!("{what} {}", path.display());
    move |e| Error::Runtime(format!("{context}: {e}"))
}

/// What an experiment reports while it runs; the binary draws a progress
/// bar, tests and scripts pass [`Silent`].
pub trait Progress {
    /// A line for the user before the runs start (what is planned).
    fn note(&self, text: &str);
    /// `total` runs are planned, `done` of them are already in the folder.
    fn start(&self, total: u64, done: u64);
    /// One more run is done.
    fn advance(&self);
    /// The experiment stopped early; what is done is kept.
    fn stopped(&self);
    /// Every planned run is done.
    fn finished(&self);
}

/// Reports nothing.
pub struct Silent;

impl Progress for Silent {
    fn note(&self, _text: &str) {}
    fn start(&self, _total: u64, _done: u64) {}
    fn advance(&self) {}
    fn stopped(&self) {}
    fn finished(&self) {}
}

/// Runs (or resumes) `plan` into `options.out`, telling `progress` how far
/// it is. Stops starting runs once `stop` is set (what is done is kept).
pub fn execute(
    plan: &Plan,
    options: &Options,
    stop: &AtomicBool,
    progress: &dyn Progress,
) -> Result<Outcome, Error> {
    let started = SystemTime::now();
    let clock = Instant::now();
    let dir = &options.out;
    let (runs_path, checkpoint_path, manifest_path) =
        (dir.join(RUNS), dir.join(CHECKPOINT), dir.join(MANIFEST));
    if let Some((k, n)) = options.shard
        && matches!(plan.reps, Reps::Auto { .. })
    {
        return Err(InputError::new(
            format!("--shard {k}/{n}"),
            "--reps auto needs every run and cannot be sharded",
        )
        .into());
    }
    prepare_dir(dir).map_err(|e| {
        InputError::new(
            dir.display().to_string(),
            format!("cannot write to the output folder: {e}"),
        )
    })?;
    let _lock = FolderLock::acquire(dir)?;
    let keep_series = !plan.layout.sweep;
    let mut header = plan.id_header();
    let (summary_header, _) = csv_fields(std::slice::from_ref(&Summary::default()))
        .map_err(|e| Error::Runtime(e.to_string()))?;
    header.extend(summary_header);
    let (mut runs, mut sums) = if options.resume {
        let manifest = read_manifest(dir)?;
        let shard = options.shard.map(|(k, n)| format!("{k}/{n}"));
        if manifest.key != plan.key()
            || manifest.shard != shard
            || manifest.series_all != options.series_all
        {
            return Err(InputError::new(
                dir.display().to_string(),
                format!(
                    "--resume: this folder holds a different experiment (command `{}`, {} points, reps {}, seed {}, shard {}, series {}); resume it with the command that started it",
                    manifest.key.command.name(),
                    manifest.key.hashes.len(),
                    manifest.key.reps,
                    manifest.key.base_seed,
                    manifest.shard.as_deref().unwrap_or("none"),
                    if manifest.series_all { "all" } else { "mean" }
                ),
            )
            .into());
        }
        let mut runs = if runs_path.exists() {
            RunsTable::read(&runs_path, |row| id_of(&plan.layout, row))
                .map_err(|e| InputError::new(runs_path.display().to_string(), e.to_string()))?
        } else {
            RunsTable::default()
        };
        if !runs.header.is_empty() && runs.header != header {
            return Err(InputError::new(
                runs_path.display().to_string(),
                "columns differ from this version's",
            )
            .into());
        }
        runs.header = header.clone();
        let sums = if keep_series && checkpoint_path.exists() {
            let text = crate::util::files::read_text(
                &checkpoint_path,
                "checkpoint",
                crate::util::files::MAX_TABLE_BYTES,
            )
            .map_err(|e| InputError::new(checkpoint_path.display().to_string(), e))?;
            SeriesSums::from_text(&text)
                .map_err(|e| InputError::new(checkpoint_path.display().to_string(), e))?
        } else {
            SeriesSums::default()
        };
        // Runs whose time series are not in the checkpoint are run again.
        if keep_series {
            runs.rows.retain(|id, _| sums.done.contains(id));
        }
        (runs, sums)
    } else {
        if runs_path.exists() || manifest_path.exists() {
            return Err(InputError::new(
                dir.display().to_string(),
                "this folder already holds an experiment: continue it with --resume, or choose another --out",
            )
            .into());
        }
        (
            RunsTable {
                header: header.clone(),
                rows: Default::default(),
            },
            SeriesSums::default(),
        )
    };
    let start_time = humantime::format_rfc3339_seconds(started).to_string();
    if !plan.resolved_toml.is_empty() {
        let scenario_dir = dir.join("scenarios");
        std::fs::create_dir_all(&scenario_dir).map_err(runtime("creating", &scenario_dir))?;
        for (p, text) in plan.resolved_toml.iter().enumerate() {
            let path = scenario_dir.join(format!("{p}.toml"));
            write_atomic(&path, text.as_bytes()).map_err(runtime("writing", &path))?;
        }
    }
    let id_header = plan.id_header();
    let row_id = |row: &[String]| id_of(&plan.layout, row);
    let mut series = if options.series_all {
        let keep: BTreeSet<RunId> = runs.rows.keys().copied().collect();
        let partial = dir.join(series::PARTIAL);
        let (appender, present) = SeriesAppender::start(dir, &id_header, &keep, &row_id)
            .map_err(runtime("writing", &partial))?;
        if present != keep {
            return Err(InputError::new(
                partial.display().to_string(),
                format!(
                    "holds the series of {} of the {} finished runs (was it changed or removed?); run the experiment again into another --out",
                    present.len(),
                    keep.len()
                ),
            )
            .into());
        }
        Some(appender)
    } else {
        None
    };
    let mut manifest = plan.manifest(options, &start_time);
    write_json(&manifest_path, &manifest)?;
    let mut appender =
        RunsAppender::start(&runs_path, &runs).map_err(runtime("writing", &runs_path))?;

    let n_points = plan.scenarios.len() as u32;
    let mut reps = match plan.reps {
        Reps::Fixed(n) => n,
        Reps::Auto { max, .. } => AUTO_BATCH.min(max),
    };
    let planned_total = match plan.reps {
        Reps::Fixed(n) => u64::from(n * n_points),
        Reps::Auto { max, .. } => u64::from(max * n_points),
    };
    progress.start(planned_total, runs.rows.len() as u64);
    let mut last_checkpoint = Instant::now();
    let mut failure: Option<Error> = None;
    loop {
        let jobs: Vec<RunId> = (0..reps)
            .flat_map(|r| (0..n_points).map(move |p| (p, r)))
            .filter(|&(p, r)| match options.shard {
                Some((k, n)) => (r * n_points + p) % n == k - 1,
                None => true,
            })
            .filter(|id| !runs.rows.contains_key(id))
            .collect();
        let scenario_of = |&(p, r): &RunId| {
            let mut scenario = plan.scenarios[p as usize].clone();
            scenario.sim.seed = replication_seed(plan.base_seed, r);
            scenario
        };
        run_jobs(&jobs, scenario_of, options.threads, stop, |id, output| {
            if failure.is_some() {
                return;
            }
            let result = (|| -> Result<(), Error> {
                let row = plan.row(id, &output.summary).map_err(Error::Runtime)?;
                let recorded = if keep_series || series.is_some() {
                    Some(csv_fields(&output.rows).map_err(|e| Error::Runtime(e.to_string()))?)
                } else {
                    None
                };
                // A run's series reach the disk before its row: a run in
                // runs.csv always has its whole block.
                if let (Some(series), Some((ts_header, ts_rows))) = (series.as_mut(), &recorded) {
                    series
                        .append(&row[..id_header.len()], ts_header, ts_rows)
                        .map_err(runtime("writing", &dir.join(series::PARTIAL)))?;
                }
                appender
                    .append(&row)
                    .map_err(runtime("writing", &runs_path))?;
                runs.rows.insert(id, store::Row::new(&row));
                if let (true, Some((ts_header, ts_rows))) = (keep_series, &recorded) {
                    sums.add(id, ts_header, ts_rows);
                    if last_checkpoint.elapsed().as_secs_f64() > 2.0 {
                        write_atomic(&checkpoint_path, sums.to_text().as_bytes())
                            .map_err(runtime("writing", &checkpoint_path))?;
                        last_checkpoint = Instant::now();
                    }
                }
                Ok(())
            })();
            if let Err(e) = result {
                stop.store(true, Ordering::SeqCst);
                failure = Some(e);
            }
            progress.advance();
        })
        .map_err(Error::Runtime)?;
        if keep_series {
            write_atomic(&checkpoint_path, sums.to_text().as_bytes())
                .map_err(runtime("writing", &checkpoint_path))?;
        }
        if let Some(f) = failure {
            return Err(f);
        }
        if stop.load(Ordering::SeqCst) {
            progress.stopped();
            manifest.runs_done = runs.rows.len();
            manifest.wall_seconds = clock.elapsed().as_secs_f64();
            write_json(&manifest_path, &manifest)?;
            return Err(Error::Interrupted {
                done: runs.rows.len(),
            });
        }
        match plan.reps {
            Reps::Fixed(_) => break,
            Reps::Auto { precision, max } => {
                let worst = worst_precision(&plan.layout, &runs);
                if reps >= max || worst.as_ref().is_some_and(|w| w.0 <= precision) {
                    break;
                }
                reps = (reps + AUTO_BATCH).min(max);
            }
        }
    }
    progress.finished();
    manifest.reps = reps;
    manifest.complete = true;
    let partial = match series {
        Some(appender) => Some(
            appender
                .close()
                .map_err(runtime("writing", &dir.join(series::PARTIAL)))?,
        ),
        None => None,
    };
    finish(
        dir,
        &plan.layout,
        &runs,
        keep_series.then_some(&sums),
        partial.as_slice(),
        &mut manifest,
        clock,
    )?;
    if let Some(partial) = partial {
        // series.csv is whole and the manifest says so: the appended copy goes.
        std::fs::remove_file(&partial).map_err(runtime("removing", &partial))?;
    }
    Ok(Outcome {
        kind: plan.command,
        reps,
        runs_done: runs.rows.len(),
        table: aggregate::console_table(&plan.layout, &runs),
        worst_precision: worst_precision(&plan.layout, &runs),
    })
}

/// The largest relative half-width over precision metrics and points.
fn worst_precision(layout: &Layout, runs: &RunsTable) -> Option<(f64, String, String)> {
    let mut worst: Option<(f64, String, String)> = None;
    for p in 0..layout.labels.len() {
        for metric in crate::metrics::metrics_where(|m| m.precision) {
            let Some(e) = point_estimate(layout, runs, p as u32, metric) else {
                continue;
            };
            if e.n == 0 {
                continue;
            }
            let w = e.relative_half_width();
            let w = if w.is_nan() { f64::INFINITY } else { w };
            if worst.as_ref().is_none_or(|x| w > x.0) {
                worst = Some((w, metric.to_string(), layout.labels[p].clone()));
            }
        }
    }
    worst
}

fn write_json<T: Serialize>(path: &Path, value: &T) -> Result<(), Error> {
    let bytes = serde_json::to_vec_pretty(value).map_err(|e| Error::Runtime(e.to_string()))?;
    write_atomic(path, &bytes).map_err(runtime("writing", path))
}

/// A final file of an experiment: its bytes, or a table of rows per point
/// and metric, written into the file from the run table.
enum FinalFile {
    Bytes(Vec<u8>),
    Table(fn(&Layout, &RunsTable, &mut dyn std::io::Write) -> std::io::Result<()>),
}

/// Writes every final file from the run table, series sums and the blocks
/// of `series_sources` (each run's series, `--series all`) alone.
fn finish(
    dir: &Path,
    layout: &Layout,
    runs: &RunsTable,
    sums: Option<&SeriesSums>,
    series_sources: &[PathBuf],
    manifest: &mut ExperimentManifest,
    clock: Instant,
) -> Result<(), Error> {
    // The per-point tables are written point by point into their files, so
    // that however many points there are, no more than the run table is held.
    let mut files: Vec<(&str, FinalFile)> = vec![
        (RUNS, FinalFile::Bytes(runs.to_bytes())),
        (
            "summary.csv",
            FinalFile::Table(aggregate::write_summary_csv),
        ),
    ];
    if layout.sweep && layout.scenarios().len() > 1 {
        files.push((
            CONTRASTS,
            FinalFile::Table(aggregate::write_differences_csv),
        ));
    }
    if let Some(sums) = sums {
        files.push((CHECKPOINT, FinalFile::Bytes(sums.to_text().into_bytes())));
        files.push((
            "differences.csv",
            FinalFile::Table(aggregate::write_differences_csv),
        ));
        files.push((
            "timeseries.csv",
            FinalFile::Bytes(aggregate::timeseries_csv(layout, sums)),
        ));
    }
    for (name, file) in files {
        let path = dir.join(name);
        match file {
            FinalFile::Bytes(bytes) => write_atomic(&path, &bytes),
            FinalFile::Table(write) => write_atomic_streamed(&path, |out| write(layout, runs, out)),
        }
        .map_err(runtime("writing", &path))?;
    }
    if !series_sources.is_empty() {
        let id_header = &runs.header[..layout.id_columns.min(runs.header.len())];
        let path = dir.join(series::SERIES);
        let written =
            series::write_sorted(series_sources, id_header, &path, &|row| id_of(layout, row))
                .map_err(|e| InputError::new(path.display().to_string(), e))?;
        if let Some(id) = written.iter().find(|id| !runs.rows.contains_key(id)) {
            return Err(InputError::new(
                path.display().to_string(),
                format!(
                    "holds the series of run (point {}, replication {}), which runs.csv lacks",
                    id.0, id.1
                ),
            )
            .into());
        }
        if let Some(id) = runs.rows.keys().find(|id| !written.contains(id)) {
            return Err(InputError::new(
                path.display().to_string(),
                format!(
                    "lacks the series of run (point {}, replication {}), which runs.csv holds",
                    id.0, id.1
                ),
            )
            .into());
        }
    }
    manifest.runs_done = runs.rows.len();
    manifest.wall_seconds = clock.elapsed().as_secs_f64();
    write_json(&dir.join(MANIFEST), manifest)
}

/// Joins the folders of shards of one experiment into `out` and recomputes
/// every finding; the data files equal those of the unsharded experiment.
/// Every planned run must be in the folders, unless `allow_partial` (then
/// the manifest says the result is not complete). A merge that was stopped
/// before it wrote its manifest is done again over its files.
pub fn merge(
    dirs: &[PathBuf],
    out: &Path,
    allow_partial: bool,
    command_line: Vec<String>,
) -> Result<Outcome, Error> {
    let clock = Instant::now();
    let manifests: Vec<ExperimentManifest> = dirs
        .iter()
        .map(|d| read_manifest(d))
        .collect::<Result<_, _>>()?;
    let first = manifests
        .first()
        .ok_or_else(|| InputError::new("merge", "no folders to merge"))?;
    for (dir, m) in dirs.iter().zip(&manifests) {
        // Another version may give other numbers for the same key (issue
        // 29, item 14): its shards are not joined without a word.
        if m.govsim_version != env!("CARGO_PKG_VERSION") {
            return Err(InputError::new(
                dir.display().to_string(),
                format!(
                    "was written by govsim {}, this is {}: merge with the version that ran it",
                    m.govsim_version,
                    env!("CARGO_PKG_VERSION")
                ),
            )
            .into());
        }
        if m.key != first.key {
            return Err(InputError::new(
                dir.display().to_string(),
                format!(
                    "is a different experiment than {} (scenarios, reps or seed differ)",
                    dirs[0].display()
                ),
            )
            .into());
        }
        if !m.complete {
            return Err(InputError::new(
                dir.display().to_string(),
                "did not finish: resume it first",
            )
            .into());
        }
        if m.series_all != first.series_all {
            return Err(InputError::new(
                dir.display().to_string(),
                format!(
                    "was run {} --series all, unlike {}: every shard must keep the same series",
                    if m.series_all { "with" } else { "without" },
                    dirs[0].display()
                ),
            )
            .into());
        }
    }
    let layout = Layout::of_manifest(first);
    let mut runs = RunsTable::default();
    let mut sums = SeriesSums::default();
    let mut seen_shards = BTreeSet::new();
    for dir in dirs {
        let path = dir.join(RUNS);
        let table = RunsTable::read(&path, |row| id_of(&layout, row))
            .map_err(|e| InputError::new(path.display().to_string(), e.to_string()))?;
        if !runs.header.is_empty() && table.header != runs.header {
            return Err(InputError::new(
                path.display().to_string(),
                "columns differ between shards",
            )
            .into());
        }
        for id in table.rows.keys() {
            if runs.rows.contains_key(id) {
                return Err(InputError::new(
                    dir.display().to_string(),
                    format!(
                        "run (point {}, replication {}) is in two of the folders",
                        id.0, id.1
                    ),
                )
                .into());
            }
        }
        runs.header = table.header;
        runs.rows.extend(table.rows);
        if !layout.sweep {
            let path = dir.join(CHECKPOINT);
            let text = crate::util::files::read_text(
                &path,
                "checkpoint",
                crate::util::files::MAX_TABLE_BYTES,
            )
            .map_err(|e| InputError::new(path.display().to_string(), e))?;
            let shard = SeriesSums::from_text(&text)
                .map_err(|e| InputError::new(path.display().to_string(), e))?;
            sums.merge(shard)
                .map_err(|e| InputError::new(dir.display().to_string(), e))?;
        }
        seen_shards.insert(dir.display().to_string());
    }
    let planned = first.points.len() * first.reps as usize;
    let missing: Vec<RunId> = (0..first.reps)
        .flat_map(|r| (0..first.points.len() as u32).map(move |p| (p, r)))
        .filter(|id| !runs.rows.contains_key(id))
        .collect();
    if let Some(&(p, r)) = missing.first()
        && !allow_partial
    {
        return Err(InputError::new(
            "merge",
            format!(
                "the folders hold {} of the {planned} planned runs (point {p}, replication {r} and {} more are missing): merge every shard, or pass --allow-partial to merge what is here and mark it incomplete",
                runs.rows.len(),
                missing.len() - 1
            ),
        )
        .into());
    }
    prepare_dir(out).map_err(|e| {
        InputError::new(
            out.display().to_string(),
            format!("cannot write to the output folder: {e}"),
        )
    })?;
    let _lock = FolderLock::acquire(out)?;
    // The manifest is written last: a folder without one holds at most the
    // files of a merge that was stopped, which this one writes again.
    if out.join(MANIFEST).exists() {
        return Err(InputError::new(
            out.display().to_string(),
            "already holds an experiment; choose another --out",
        )
        .into());
    }
    let scenarios_from = dirs[0].join("scenarios");
    if scenarios_from.is_dir() {
        let scenarios_to = out.join("scenarios");
        std::fs::create_dir_all(&scenarios_to).map_err(runtime("creating", &scenarios_to))?;
        for p in 0..layout.labels.len() {
            let from = scenarios_from.join(format!("{p}.toml"));
            if let Ok(bytes) = std::fs::read(&from) {
                let to = scenarios_to.join(format!("{p}.toml"));
                write_atomic(&to, &bytes).map_err(runtime("writing", &to))?;
            }
        }
    }
    let mut manifest = first.clone();
    manifest.shard = None;
    manifest.merged_from = seen_shards.into_iter().collect();
    manifest.command_line = command_line;
    manifest.start_time = humantime::format_rfc3339_seconds(SystemTime::now()).to_string();
    manifest.threads = 0;
    manifest.complete = missing.is_empty();
    let series_sources: Vec<PathBuf> = if first.series_all {
        dirs.iter().map(|d| d.join(series::SERIES)).collect()
    } else {
        Vec::new()
    };
    finish(
        out,
        &layout,
        &runs,
        (!layout.sweep).then_some(&sums),
        &series_sources,
        &mut manifest,
        clock,
    )?;
    Ok(Outcome {
        kind: manifest.key.command,
        reps: manifest.reps,
        runs_done: runs.rows.len(),
        table: aggregate::console_table(&layout, &runs),
        worst_precision: worst_precision(&layout, &runs),
    })
}

impl Reps {
    /// The precision target of `auto`, if any.
    pub fn precision(&self) -> Option<f64> {
        match *self {
            Self::Fixed(_) => None,
            Self::Auto { precision, .. } => Some(precision),
        }
    }
}

impl Plan {
    /// A one-line description for the console.
    pub fn describe(&self) -> String {
        format!(
            "{} {} point(s) × {} replications, base seed {}",
            self.command.name(),
            self.scenarios.len(),
            self.reps.describe(),
            self.base_seed
        )
    }
}
