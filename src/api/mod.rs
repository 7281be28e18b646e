//! The typed library API: the one boundary that the command line, the live
//! app's server and other programs (a notebook through the Python package,
//! an optimizer, another Rust program) call. Requests are typed values — no
//! flag strings to parse — and results come back in memory; a folder is
//! written only when a request names one, and then exactly as the command
//! line writes it.
//!
//! - [`load`]: a scenario file with overrides, validated.
//! - [`run`]: one run, its daily rows and summary.
//! - [`compare`], [`sweep`]: experiments on the one runner (parallel,
//!   common random numbers, resumable, shardable, with a memory limit, a
//!   progress observer and a stop flag), returning the per-point summary
//!   and the paired differences with 95% intervals.
//! - [`LiveRun`]: a run stepped a few days at a time whose levers move.
//! - [`levers`]: every lever with its default, unit, range, meaning and
//!   whether it may change during a run.
//!
//! ```
//! use govsim::api::{self, CompareRequest, Context, Runner};
//! use govsim::experiment::Reps;
//!
//! let town = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
//!     .join("scenarios/classroom/small_town.toml");
//! // One run in memory, 30 days.
//! let scenario = api::load(&town, &["sim.days=30".into()])?;
//! let run = api::run(&scenario.scenario);
//! assert_eq!(run.rows.len(), 30);
//!
//! // The town with and without pooling, 3 paired replications, no folder.
//! let request = CompareRequest {
//!     scenarios: vec![town.clone(), town.clone()],
//!     names: vec!["pooling".into(), "no_pooling".into()],
//!     sets: vec![vec![], vec!["party.procedure.pooling=0".into()]],
//!     reps: Reps::Fixed(3),
//!     runner: Runner {
//!         days: Some(30),
//!         threads: Some(1),
//!         ..Runner::default()
//!     },
//! };
//! let result = api::compare(&request, &Context::quiet())?;
//! let diff = result
//!     .differences()
//!     .into_iter()
//!     .find(|d| d.metric == "resolution_rate")
//!     .unwrap();
//! assert_eq!(diff.scenario, "no_pooling");
//! assert!(diff.ci_low <= diff.diff && diff.diff <= diff.ci_high);
//! # Ok::<(), govsim::error::Error>(())
//! ```

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::time::{Instant, SystemTime};

use crate::error::{Error, InputError, Result};
use crate::experiment::aggregate::{DifferenceRow, Layout, SummaryRow};
use crate::experiment::store::RunsTable;
use crate::experiment::{self, Options, Outcome, Plan, Progress, Reps, Silent, design};
use crate::metrics::{Summary, metrics_where};
use crate::scenario::{ResolvedScenario, Scenario, ScenarioSource, load_scenario};
use crate::store::manifest::{ExperimentKind, Manifest};
use crate::store::output::write_run;
use crate::util::files::csv_fields;
use crate::util::files::{FolderLock, prepare_dir};

mod calibrate;
mod decompose;
mod sensitivity;
mod validate;

pub use crate::run::live::{LiveRun, MAX_LIVE_DAYS};
pub use crate::run::{RunOutput, Stepper, run};
pub use crate::scenario::registry::{LeverInfo, registry as levers};
pub use calibrate::{CalibrateRequest, Calibration, calibrate};
pub use decompose::{DecomposeRequest, Decomposition, decompose};
pub use sensitivity::{MethodRequest, Sensitivity, SensitivityRequest, sensitivity};
pub use validate::{ValidateRequest, Validation, validate};

/// The most worker threads a request may ask for.
pub const MAX_THREADS: usize = 1024;
/// The most design points of a sweep or a sensitivity analysis.
pub const MAX_POINTS: usize = 1_000_000;

/// A scenario file with `KEY=VALUE` overrides (the scenario language of
/// `--set`: VALUE is TOML, or else a plain string), validated: every lever
/// filled, every range checked. Errors name the file, line, key and range.
pub fn load(path: &Path, set: &[String]) -> Result<ResolvedScenario> {
    Ok(load_scenario(path, set)?)
}

/// What an experiment is told while it runs, and what it records of how it
/// was asked for.
pub struct Context<'a> {
    /// Set to stop: no new run starts, the runs done are kept (resume them).
    pub stop: &'a AtomicBool,
    /// Told of the plan, each run's end, and the end.
    pub progress: &'a dyn Progress,
    /// How the experiment was asked for, kept in its manifest.
    pub command_line: Vec<String>,
}

/// A stop flag that is never set.
static NEVER: AtomicBool = AtomicBool::new(false);

impl Context<'static> {
    /// No stop, no progress, the command line `govsim-api`.
    pub fn quiet() -> Self {
        Self {
            stop: &NEVER,
            progress: &Silent,
            command_line: vec!["govsim-api".into()],
        }
    }
}

/// The `K`-th of `N` slices of an experiment's runs (1 ≤ K ≤ N).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// Which slice, from 1.
    pub index: u32,
    /// How many slices.
    pub count: u32,
}

/// Seeds, days, overrides, threads, output, shards, resuming and memory:
/// what every experiment on the runner takes. The default is the command
/// line's: base seed 1, every core, no folder.
#[derive(Debug, Clone)]
pub struct Runner {
    /// Base seed: every replication's seed derives from it, the same for
    /// every point (common random numbers).
    pub seed: u64,
    /// Days (overrides `sim.days` of every scenario).
    pub days: Option<u32>,
    /// Overrides of every scenario, `KEY=VALUE`.
    pub set: Vec<String>,
    /// Worker threads (default: all cores). Results do not depend on it.
    pub threads: Option<usize>,
    /// Output folder to write and keep; none: the experiment runs in a
    /// temporary folder that is removed once its results are read.
    pub out: Option<PathBuf>,
    /// Run only this slice of the runs (merge the slices' folders after).
    pub shard: Option<Shard>,
    /// Continue the experiment in `out`.
    pub resume: bool,
    /// Keep every run's daily series in `series.csv`.
    pub series_all: bool,
    /// Memory limit in bytes of the runs held at once; default: the
    /// machine's memory.
    pub max_memory: Option<u64>,
}

/// `compare`: scenarios side by side over replications; the first is the
/// baseline of the differences.
#[derive(Debug, Clone)]
pub struct CompareRequest {
    /// Scenario files.
    pub scenarios: Vec<PathBuf>,
    /// A name for each scenario instead of its `name` (empty: their own);
    /// names must differ.
    pub names: Vec<String>,
    /// Overrides of each scenario in turn, after the runner's `set`
    /// (empty: none).
    pub sets: Vec<Vec<String>>,
    /// Replications.
    pub reps: Reps,
    /// Runner options.
    pub runner: Runner,
}

/// `sweep`: levers varied over a grid or a Latin hypercube, for one
/// scenario or for several side by side (the contrast over the levers).
#[derive(Debug, Clone)]
pub struct SweepRequest {
    /// Scenario files: each is run at every point of the design. With more
    /// than one, the first is the baseline of the contrasts: every other
    /// scenario against it at the same point, paired by replication.
    pub scenarios: Vec<PathBuf>,
    /// `KEY=LO..HI[:STEPS]`, one per varied lever.
    pub vary: Vec<String>,
    /// How points are placed.
    pub sample: design::Sample,
    /// Replications.
    pub reps: Reps,
    /// Runner options.
    pub runner: Runner,
}

/// A finished (or stopped, or sharded) experiment, read back into memory.
#[derive(Debug, Clone)]
pub struct Experiment {
    /// The folder it was written to, when one was asked for.
    pub dir: Option<PathBuf>,
    /// The slice of the runs it ran, if a shard: then its summaries are
    /// of that slice, and an analysis waits for the merged folder.
    pub shard: Option<Shard>,
    /// Runs done, replications, the console table, the precision reached.
    pub outcome: Outcome,
    /// Labels, varied levers and values of the points.
    pub layout: Layout,
    /// Every run's summary (`runs.csv`), by point and replication.
    pub runs: RunsTable,
}

impl Experiment {
    /// Per point and metric: mean, SD and 95% interval (`summary.csv`),
    /// computed from the runs when asked for (an experiment of many points
    /// holds only its run table).
    pub fn summary(&self) -> Vec<SummaryRow> {
        crate::experiment::aggregate::summary_rows(&self.layout, &self.runs)
    }

    /// Per point and metric, against its baseline point: the paired
    /// difference with its 95% interval and p-values (`differences.csv` of
    /// a comparison, `contrasts.csv` of a sweep of several scenarios),
    /// computed from the runs when asked for.
    pub fn differences(&self) -> Vec<DifferenceRow> {
        crate::experiment::aggregate::difference_rows(&self.layout, &self.runs)
    }
}

impl Default for Runner {
    fn default() -> Self {
        Self {
            seed: 1,
            days: None,
            set: Vec::new(),
            threads: None,
            out: None,
            shard: None,
            resume: false,
            series_all: false,
            max_memory: None,
        }
    }
}

impl Runner {
    /// The overrides of every scenario: `set`, then `days` (checked as
    /// `--days` first, so a bad value is blamed on it).
    pub fn checked_overrides(&self) -> Result<Vec<String>> {
        if let Some(days) = self.days {
            in_lever_range("--days", "sim.days", f64::from(days), &days.to_string())?;
        }
        Ok(self.overrides())
    }

    /// The overrides of every scenario: `set`, then `days`.
    pub fn overrides(&self) -> Vec<String> {
        let mut overrides = self.set.clone();
        if let Some(days) = self.days {
            overrides.push(format!("sim.days={days}"));
        }
        overrides
    }

    /// Refuses to resume without a folder to resume.
    pub fn check_resume(&self) -> Result<()> {
        if self.resume && self.out.is_none() {
            return Err(InputError::new(
                "--resume",
                "needs --out DIR: the folder of the experiment to continue",
            )
            .into());
        }
        Ok(())
    }

    /// The runner's options in `out`.
    pub fn options(&self, out: PathBuf, command_line: Vec<String>) -> Result<Options> {
        if let Some(Shard { index, count }) = self.shard
            && !(count >= 1 && (1..=count).contains(&index))
        {
            return Err(InputError::new(
                "--shard",
                format!("`{index}/{count}`: expected K/N with 1 ≤ K ≤ N, e.g. 2/8"),
            )
            .into());
        }
        self.check_resume()?;
        Ok(Options {
            out,
            threads: threads(self.threads)?,
            shard: self.shard.map(|s| (s.index, s.count)),
            resume: self.resume,
            series_all: self.series_all,
            command_line,
        })
    }
}

/// Checks `runner`'s options, builds the plan, runs it in `runner.out` or
/// a temporary folder, and reads its results back. Inputs are checked in
/// the order the command line always has: days, then the runner's options,
/// then the plan's scenarios.
fn execute(
    kind: ExperimentKind,
    runner: &Runner,
    context: &Context,
    plan: impl FnOnce() -> Result<Plan>,
) -> Result<Experiment> {
    execute_noted(kind, runner, context, || Ok((plan()?, None)), |_, _| Ok(())).map(|(e, ())| e)
}

/// [`execute`] with a progress note of the plan's own (`None`:
/// [`Plan::describe`]), then `analyse` the experiment while its folder
/// exists; it gets the folder. A shard's analysis is the caller's to skip:
/// its runs are a slice.
fn execute_noted<T>(
    kind: ExperimentKind,
    runner: &Runner,
    context: &Context,
    plan: impl FnOnce() -> Result<(Plan, Option<String>)>,
    analyse: impl FnOnce(&Path, &Experiment) -> Result<T>,
) -> Result<(Experiment, T)> {
    runner.checked_overrides()?;
    runner.check_resume()?;
    let threads = threads(runner.threads)?;
    let (plan, note) = plan()?;
    let (dir, temporary) = match &runner.out {
        Some(dir) => {
            own_folder(dir, FolderKind::Experiment, kind.name())?;
            (dir.clone(), None)
        }
        None => {
            let dir = temporary_dir(kind)?;
            (dir.clone(), Some(TemporaryDir(dir)))
        }
    };
    let options = Options {
        threads,
        ..runner.options(dir.clone(), context.command_line.clone())?
    };
    check_plan_memory(&plan, &options, runner.max_memory)?;
    context
        .progress
        .note(&note.unwrap_or_else(|| plan.describe()));
    let outcome = experiment::execute(&plan, &options, context.stop, context.progress)?;
    let runs = experiment::read_runs(&dir, &plan.layout)?;
    let experiment = Experiment {
        dir: runner.out.clone(),
        shard: runner.shard,
        outcome,
        layout: plan.layout.clone(),
        runs,
    };
    let analysed = analyse(&dir, &experiment)?;
    drop(temporary);
    Ok((experiment, analysed))
}

/// A folder removed when dropped.
pub(crate) struct TemporaryDir(pub(crate) PathBuf);

impl Drop for TemporaryDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A new empty folder under the system's temporary folder.
pub(crate) fn temporary_dir(kind: ExperimentKind) -> Result<PathBuf> {
    let stamp = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    for k in 0..1000u32 {
        let dir = std::env::temp_dir().join(format!(
            "govsim-{}-{}-{stamp}-{k}",
            kind.name(),
            std::process::id()
        ));
        match std::fs::create_dir(&dir) {
            Ok(()) => return Ok(dir),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(Error::runtime("cannot make a temporary folder", e)),
        }
    }
    Err(Error::Runtime("cannot make a temporary folder".into()))
}

/// Scenarios side by side over replications with common random numbers.
pub fn compare(request: &CompareRequest, context: &Context) -> Result<Experiment> {
    execute(ExperimentKind::Compare, &request.runner, context, || {
        compare_plan(request)
    })
}

/// Levers varied over a grid or a Latin hypercube.
pub fn sweep(request: &SweepRequest, context: &Context) -> Result<Experiment> {
    execute(ExperimentKind::Sweep, &request.runner, context, || {
        sweep_plan(request)
    })
}

/// Joins the folders of an experiment's shards into `out`, which is then
/// the experiment a single run would have written; every planned run must
/// be there unless `allow_partial`, which marks the result incomplete. An
/// analysis (decompose, sensitivity) is computed after by its request with
/// `out` and `resume`.
pub fn merge(
    dirs: &[PathBuf],
    out: &Path,
    allow_partial: bool,
    context: &Context,
) -> Result<Outcome> {
    own_folder(out, FolderKind::Experiment, "merge")?;
    experiment::merge(dirs, out, allow_partial, context.command_line.clone())
}

/// One run of `resolved` on `threads` threads (default: all cores) after
/// checking that it fits in memory; if `out` is given, its folder checked
/// before the run and written after it as `govsim run` writes it. Returns
/// the output and the wall time in seconds.
pub fn run_scenario(
    resolved: &ResolvedScenario,
    threads: Option<usize>,
    max_memory: Option<u64>,
    out: Option<(&Path, Vec<String>)>,
) -> Result<(RunOutput, f64)> {
    let threads = self::threads(threads)?;
    check_memory(
        &[&resolved.scenario],
        &resolved.path.display().to_string(),
        1,
        memory_limit(max_memory),
    )?;
    let lock = match &out {
        Some((dir, _)) => {
            check_run_folder(dir)?;
            writable(dir)?;
            Some(FolderLock::acquire(dir)?)
        }
        None => None,
    };
    let started = SystemTime::now();
    let clock = Instant::now();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| Error::runtime(format!("cannot start {threads} threads"), e))?;
    let output = pool.install(|| crate::run::run(&resolved.scenario));
    let wall = clock.elapsed().as_secs_f64();
    if let Some((dir, command_line)) = out {
        let manifest = Manifest::new(
            resolved,
            command_line,
            humantime::format_rfc3339_seconds(started).to_string(),
            wall,
        );
        write_run(dir, &output, &manifest)
            .map_err(|e| Error::runtime(format!("writing results to {}", dir.display()), e))?;
    }
    drop(lock);
    Ok((output, wall))
}

/// Bad input naming `flag` if `value` (shown as `shown`) is outside the
/// range of `lever`.
pub fn in_lever_range(flag: &str, lever: &str, value: f64, shown: &str) -> Result<()> {
    match crate::scenario::levers::find(lever) {
        Some(l) if !(l.min..=l.max).contains(&value) => Err(InputError::new(
            flag,
            format!(
                "{shown} is out of range: valid range is {} to {} ({})",
                l.min, l.max, l.unit
            ),
        )
        .into()),
        _ => Ok(()),
    }
}

/// Worker threads: as asked (1 to [`MAX_THREADS`]), or every core.
pub fn threads(requested: Option<usize>) -> std::result::Result<usize, InputError> {
    match requested {
        Some(n) if (1..=MAX_THREADS).contains(&n) => Ok(n),
        Some(n) => Err(InputError::new(
            "--threads",
            format!("{n}: from 1 to {MAX_THREADS}"),
        )),
        None => Ok(std::thread::available_parallelism().map_or(1, |n| n.get())),
    }
}

/// The plan of a comparison: every scenario resolved with the overrides,
/// each with a name of its own.
fn compare_plan(request: &CompareRequest) -> Result<Plan> {
    request.reps.check()?;
    let runner = &request.runner;
    let overrides = runner.overrides();
    let mut labels = Vec::new();
    let mut scenarios = Vec::new();
    let mut hashes = Vec::new();
    let mut resolved_toml = Vec::new();
    for (k, path) in request.scenarios.iter().enumerate() {
        let mut set = overrides.clone();
        if let Some(own) = request.sets.get(k) {
            set.extend(own.iter().cloned());
        }
        if let Some(name) = request.names.get(k) {
            set.push(format!("name={}", toml::Value::String(name.clone())));
        }
        let resolved = load_scenario(path, &set)?;
        let label = crate::util::safe_text::label(&resolved.scenario.name);
        if labels.contains(&label) {
            return Err(InputError::new(
                path.display().to_string(),
                format!("another scenario is also named `{label}`: give each a different `name`"),
            )
            .into());
        }
        labels.push(label);
        hashes.push(resolved.sha256.clone());
        resolved_toml.push(resolved.resolved_toml.clone());
        scenarios.push(resolved.scenario);
    }
    Ok(Plan {
        command: ExperimentKind::Compare,
        layout: Layout::named(labels),
        scenarios,
        hashes,
        paths: request
            .scenarios
            .iter()
            .map(|p| p.display().to_string())
            .collect(),
        base_seed: runner.seed,
        reps: request.reps,
        sample: String::new(),
        sensitivity: None,
        resolved_toml,
    })
}

/// Scenarios read for a design they all run: each valid with the
/// overrides before its levers are varied, each with a name of its own.
pub(crate) struct Sides {
    /// The files, as given.
    pub files: Vec<PathBuf>,
    /// Their sources, to resolve at each point.
    pub sources: Vec<ScenarioSource>,
    /// Their labels (names, guarded), all different.
    pub labels: Vec<String>,
}

impl Sides {
    /// Reads `files`, checking each resolves with `overrides` and that no
    /// two share a name.
    pub(crate) fn read(files: &[PathBuf], overrides: &[String]) -> Result<Self> {
        let mut sources = Vec::with_capacity(files.len());
        let mut labels: Vec<String> = Vec::with_capacity(files.len());
        for path in files {
            let source = ScenarioSource::read(path)?;
            let base = source.resolve(overrides)?;
            let label = crate::util::safe_text::label(&base.scenario.name);
            if labels.contains(&label) {
                return Err(InputError::new(
                    path.display().to_string(),
                    format!(
                        "another scenario is also named `{label}`: give each a different `name`"
                    ),
                )
                .into());
            }
            labels.push(label);
            sources.push(source);
        }
        Ok(Self {
            files: files.to_vec(),
            sources,
            labels,
        })
    }

    /// Every scenario at every design point (`values` of the levers
    /// `vary`), point = design point × scenarios + scenario, the first
    /// scenario first.
    pub(crate) fn at_points(
        &self,
        overrides: &[String],
        vary: &[String],
        varied: Vec<String>,
        values: &[Vec<String>],
    ) -> Result<Points> {
        let mut resolved = Vec::with_capacity(self.sources.len());
        for source in &self.sources {
            let varies = parse_varies(vary, source)?;
            let (scenarios, hashes) = design::resolve_points(source, overrides, &varies, values)?;
            resolved.push((scenarios.into_iter(), hashes.into_iter()));
        }
        let n = values.len() * self.sources.len();
        let (mut scenarios, mut hashes) = (Vec::with_capacity(n), Vec::with_capacity(n));
        let (mut labels, mut point_values, mut paths) = (
            Vec::with_capacity(n),
            Vec::with_capacity(n),
            Vec::with_capacity(n),
        );
        for value in values {
            for (s, (points, point_hashes)) in resolved.iter_mut().enumerate() {
                let (Some(scenario), Some(hash)) = (points.next(), point_hashes.next()) else {
                    return Err(Error::Runtime("a design point was not resolved".into()));
                };
                scenarios.push(scenario);
                hashes.push(hash);
                labels.push(self.labels[s].clone());
                point_values.push(value.clone());
                paths.push(self.files[s].display().to_string());
            }
        }
        Ok(Points {
            layout: Layout::numbered(labels, varied, point_values),
            scenarios,
            hashes,
            paths,
        })
    }
}

/// The points of a design that several scenarios run ([`Sides::at_points`]).
pub(crate) struct Points {
    /// Each point's label and lever values.
    pub layout: Layout,
    /// Each point's resolved scenario.
    pub scenarios: Vec<Scenario>,
    /// Their SHA-256.
    pub hashes: Vec<String>,
    /// Each point's scenario file.
    pub paths: Vec<String>,
}

/// The plan of a sweep: each base scenario valid first, then every point;
/// with several scenarios, each design point holds them all in turn
/// (point = design point × scenarios + scenario), so that one scenario's
/// sweep numbers its points as before.
fn sweep_plan(request: &SweepRequest) -> Result<Plan> {
    request.reps.check()?;
    let overrides = request.runner.overrides();
    let sample = request.sample;
    if request.scenarios.is_empty() {
        return Err(InputError::new("sweep", "name at least one scenario file").into());
    }
    let sides = Sides::read(&request.scenarios, &overrides)?;
    let varies = parse_varies(&request.vary, &sides.sources[0])?;
    // Counted before any is placed, so that no size is allocated unchecked.
    match design::point_count(&varies, sample).and_then(|n| n.checked_mul(sides.files.len())) {
        Some(n) if n <= MAX_POINTS => {}
        count => {
            let flag = if matches!(sample, design::Sample::Lhs(_)) {
                "--sample"
            } else {
                "--vary"
            };
            let count = count.map_or("more than 2^64".into(), |n| n.to_string());
            return Err(
                InputError::new(flag, format!("{count} points: at most {MAX_POINTS}")).into(),
            );
        }
    }
    // The same design for every scenario: it depends on the levers and the
    // seed only.
    let values = design::points(&varies, sample, request.runner.seed);
    let varied = varies.iter().map(|v| v.key.clone()).collect();
    let points = sides.at_points(&overrides, &request.vary, varied, &values)?;
    Ok(Plan {
        command: ExperimentKind::Sweep,
        layout: points.layout,
        scenarios: points.scenarios,
        hashes: points.hashes,
        paths: points.paths,
        base_seed: request.runner.seed,
        reps: request.reps,
        sample: sample.to_string(),
        sensitivity: None,
        resolved_toml: Vec::new(),
    })
}

/// Every `--vary`, each lever at most once.
pub fn parse_varies(vary: &[String], source: &ScenarioSource) -> Result<Vec<design::Vary>> {
    let varies: Vec<design::Vary> = vary
        .iter()
        .map(|v| design::parse_vary(v, source))
        .collect::<std::result::Result<_, _>>()?;
    for (i, v) in varies.iter().enumerate() {
        if varies[..i].iter().any(|w| w.key == v.key) {
            return Err(InputError::new("--vary", format!("`{}` is given twice", v.key)).into());
        }
    }
    Ok(varies)
}

/// The memory limit: `asked` bytes, else the machine's memory where it can
/// be read.
pub(crate) fn memory_limit(asked: Option<u64>) -> Option<f64> {
    match asked {
        Some(bytes) => Some(bytes as f64),
        None => machine_memory(),
    }
}

/// The machine's memory (Linux: `MemTotal` of /proc/meminfo), if known.
fn machine_memory() -> Option<f64> {
    let text =
        crate::util::files::read_text(Path::new("/proc/meminfo"), "/proc/meminfo", 1 << 20).ok()?;
    let line = text.lines().find(|l| l.starts_with("MemTotal:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024.0)
}

/// A size for people: `3.2 GiB`.
fn human_bytes(bytes: f64) -> String {
    let units = ["bytes", "KiB", "MiB", "GiB", "TiB", "PiB"];
    let mut value = bytes;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < units.len() {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1} {}", units[unit])
}

/// Refuses scenarios whose runs, `at_once` of them, would need more memory
/// than `limit`, with the estimate in the message.
pub(crate) fn check_memory(
    scenarios: &[&Scenario],
    file: &str,
    at_once: usize,
    limit: Option<f64>,
) -> Result<()> {
    let Some(limit) = limit else {
        return Ok(());
    };
    let Some(largest) = scenarios
        .iter()
        .map(|s| crate::model::memory::estimate(s))
        .max_by(|a, b| a.bytes.total_cmp(&b.bytes))
    else {
        return Ok(());
    };
    let needed = largest.bytes * at_once as f64;
    if needed <= limit {
        return Ok(());
    }
    let runs = if at_once > 1 {
        format!(", {at_once} runs at once")
    } else {
        String::new()
    };
    Err(InputError::new(
        file,
        format!(
            "needs about {} of memory ({:.0} residents and {:.0} open issues at the most{runs}); the limit is {} (the machine's memory, or --max-memory)",
            human_bytes(needed),
            largest.residents,
            largest.open_issues,
            human_bytes(limit)
        ),
    )
    .into())
}

/// The memory check of one scenario, as `govsim check` makes it.
pub fn check_scenario_memory(resolved: &ResolvedScenario, max_memory: Option<u64>) -> Result<()> {
    check_memory(
        &[&resolved.scenario],
        &resolved.path.display().to_string(),
        1,
        memory_limit(max_memory),
    )
}

/// The memory check of an experiment: its largest scenario, as many at once
/// as there are worker threads (or runs, if fewer).
pub fn check_plan_memory(plan: &Plan, options: &Options, max_memory: Option<u64>) -> Result<()> {
    let reps = match plan.reps {
        Reps::Fixed(n) => n as usize,
        Reps::Auto { max, .. } => max as usize,
    };
    let at_once = options.threads.min(plan.scenarios.len() * reps).max(1);
    let scenarios: Vec<&Scenario> = plan.scenarios.iter().collect();
    let file = plan.paths.first().cloned().unwrap_or_default();
    check_memory(&scenarios, &file, at_once, memory_limit(max_memory))
}

/// The files a run writes into its folder.
const RUN_FILES: [&str; 6] = [
    "timeseries.csv",
    "summary.csv",
    "manifest.json",
    "report.html",
    "plots",
    crate::util::files::LOCK_FILE,
];

/// A run writes only into an empty folder or one holding an earlier run's
/// files (which it replaces); anything else, an experiment above all, is
/// refused so that nothing is overwritten.
fn check_run_folder(dir: &Path) -> Result<()> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(());
    };
    let refuse = |why: String| -> Error {
        InputError::new(
            dir.display().to_string(),
            format!("{why}: a run writes only into an empty folder or an earlier run's; choose another --out"),
        )
        .into()
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if !RUN_FILES.contains(&name.as_str()) {
            return Err(refuse(format!("holds `{name}`, which no run writes")));
        }
    }
    let manifest = crate::util::files::read_text(
        &dir.join("manifest.json"),
        "manifest",
        crate::experiment::MAX_MANIFEST_BYTES,
    )
    .unwrap_or_default();
    if manifest.contains("\"key\"") {
        return Err(refuse("holds an experiment".into()));
    }
    Ok(())
}

pub(crate) use crate::report::write_file;

/// What kind of folder `dir` holds, if it holds one: from its manifest, or,
/// without one (a command stopped before writing it), from the files only
/// that kind writes. `None` for a missing or empty folder, or one holding
/// nothing a govsim command writes.
fn folder_holds(dir: &Path) -> Option<FolderKind> {
    if dir.join("manifest.json").exists() {
        return Some(crate::report::results::folder_kind(dir));
    }
    let has = |name: &str| dir.join(name).exists();
    if has("validation.csv") {
        Some(FolderKind::Validation)
    } else if has("posterior.csv") || has("generations.csv") {
        Some(FolderKind::Calibration)
    } else if has("runs.csv") || has("checkpoint.txt") || has("indices.csv") {
        Some(FolderKind::Experiment)
    } else if has("timeseries.csv") || has("summary.csv") {
        Some(FolderKind::Run)
    } else {
        None
    }
}

/// Refuses an output folder that holds another command's results (issue
/// 29, item 7: `calibrate`, `validate` or `compare --out` of another kind's
/// folder mixed files and replaced its manifest and report): one writer
/// per folder, each command only into an empty folder or its own kind's.
pub(crate) fn own_folder(dir: &Path, kind: FolderKind, command: &str) -> Result<()> {
    match folder_holds(dir) {
        Some(held) if held != kind => Err(InputError::new(
            dir.display().to_string(),
            format!(
                "holds {}: `govsim {command}` writes only into an empty folder or its own; choose another --out",
                match held {
                    FolderKind::Run => "a run",
                    FolderKind::Experiment => "an experiment (compare, sweep, sensitivity or decompose)",
                    FolderKind::Calibration => "a calibration",
                    FolderKind::Validation => "a validation",
                }
            ),
        )
        .into()),
        _ => Ok(()),
    }
}

use crate::report::results::FolderKind;

/// `dir` created and writable, or bad input naming it.
pub fn writable(dir: &Path) -> Result<()> {
    prepare_dir(dir).map_err(|e| {
        InputError::new(
            dir.display().to_string(),
            format!("cannot write to the output folder: {e}"),
        )
        .into()
    })
}

/// The summary of a run as `summary.csv` has it, by column name; for
/// clients that read metrics by name.
pub fn summary_fields(summary: &Summary) -> Result<Vec<(String, String)>> {
    let (header, rows) = crate::util::files::csv_fields(std::slice::from_ref(summary))
        .map_err(|e| Error::Runtime(e.to_string()))?;
    Ok(header
        .into_iter()
        .zip(rows.into_iter().next().unwrap_or_default())
        .collect())
}

/// The run-level metrics asked for with `--metric`, or those of the
/// catalogue for which `default` holds; each must be a column of
/// `summary.csv`, else an input error naming it and the valid ones.
pub fn run_level_metrics(
    asked: &[String],
    default: impl Fn(&crate::metrics::MetricInfo) -> bool,
) -> Result<Vec<String>> {
    let metrics: Vec<String> = if asked.is_empty() {
        metrics_where(default)
            .into_iter()
            .map(String::from)
            .collect()
    } else {
        asked.to_vec()
    };
    let (summary_header, _) = csv_fields(std::slice::from_ref(&Summary::default()))
        .map_err(|e| Error::Runtime(e.to_string()))?;
    if let Some(m) = metrics.iter().find(|m| !summary_header.contains(m)) {
        return Err(InputError::new(
            "--metric",
            format!(
                "`{m}` is not a run-level metric; valid: {}",
                summary_header.join(", ")
            ),
        )
        .into());
    }
    Ok(metrics)
}
