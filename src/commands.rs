//! Every command of the binary as a library call: a typed request (what the
//! command line said) in, the work done, the text to print out. The binary
//! only turns flags into requests, passes its progress bar and its Ctrl-C
//! flag, prints what comes back and exits with the error's code.
//!
//! Plans of experiments (compare, sweep, sensitivity) are built here, from
//! scenario files and lever ranges, and run on the one experiment runner.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::time::{Instant, SystemTime};

use crate::error::{Error, InputError, Result};
use crate::experiment::aggregate::Layout;
use crate::experiment::sensitivity::{Spec, analyse_function, analyse_model_runs};
use crate::experiment::{self, Options, Outcome, Plan, Progress, Reps, design};
use crate::files::{FolderLock, csv_fields, format_float, prepare_dir, write_atomic};
use crate::manifest::Manifest;
use crate::metrics::{Summary, metrics_where};
use crate::output::write_run;
use crate::scenario::{ResolvedScenario, ScenarioSource, load_scenario};
use crate::sensitivity::{Index, Method, TestFunction};

/// The most worker threads a command may ask for.
pub const MAX_THREADS: usize = 1024;
/// The most design points of a sweep or a sensitivity analysis.
pub const MAX_POINTS: usize = 1_000_000;

/// A scenario file and `--set` overrides.
#[derive(Debug, Clone, Default)]
pub struct ScenarioRequest {
    /// Scenario TOML file.
    pub scenario: PathBuf,
    /// Overrides `KEY=VALUE`, in order.
    pub set: Vec<String>,
    /// Memory limit (`8G`, …); default: the machine's memory.
    pub max_memory: Option<String>,
}

/// `govsim run`.
#[derive(Debug, Clone, Default)]
pub struct RunRequest {
    /// Scenario and overrides.
    pub scenario: ScenarioRequest,
    /// Seed (overrides `sim.seed`).
    pub seed: Option<u64>,
    /// Days (overrides `sim.days`).
    pub days: Option<u32>,
    /// Output folder (default: a new folder under `output/`).
    pub out: Option<PathBuf>,
    /// Threads for the communities of the run (default: all cores).
    pub threads: Option<usize>,
}

/// Seeds, days, overrides, threads, output, shards and resuming: what every
/// command on the experiment runner takes.
#[derive(Debug, Clone, Default)]
pub struct RunnerRequest {
    /// Base seed.
    pub seed: u64,
    /// Days (overrides `sim.days` of every scenario).
    pub days: Option<u32>,
    /// Overrides of every scenario.
    pub set: Vec<String>,
    /// Worker threads (default: all cores).
    pub threads: Option<usize>,
    /// Output folder (default: a new folder under `output/`).
    pub out: Option<PathBuf>,
    /// `K/N`: run only the K-th of N slices of the runs.
    pub shard: Option<String>,
    /// Continue the experiment in `out`.
    pub resume: bool,
    /// Keep every run's series in `series.csv`.
    pub series_all: bool,
    /// Memory limit (`8G`, …) of the runs held at once; default: the
    /// machine's memory.
    pub max_memory: Option<String>,
}

/// Replications: a number, or `auto` with a precision target.
#[derive(Debug, Clone)]
pub struct RepsRequest {
    /// `N` or `auto`.
    pub reps: String,
    /// Target relative half-width, with `auto`.
    pub precision: Option<f64>,
    /// At most this many replications, with `auto`.
    pub max_reps: u32,
}

/// `govsim compare`.
#[derive(Debug, Clone)]
pub struct CompareRequest {
    /// Scenario files; the first is the baseline.
    pub scenarios: Vec<PathBuf>,
    /// Replications.
    pub reps: RepsRequest,
    /// Runner options.
    pub runner: RunnerRequest,
}

/// `govsim decompose`.
#[derive(Debug, Clone)]
pub struct DecomposeRequest {
    /// The scenario the difference starts from.
    pub base: PathBuf,
    /// The scenario it goes to.
    pub target: PathBuf,
    /// `NAME=PATTERN[,PATTERN...]`, or none for the default groups.
    pub groups: Vec<String>,
    /// Run-level metrics to attribute (default: the key metrics).
    pub metrics: Vec<String>,
    /// Replications.
    pub reps: RepsRequest,
    /// Runner options.
    pub runner: RunnerRequest,
}

/// `govsim sweep`.
#[derive(Debug, Clone)]
pub struct SweepRequest {
    /// Scenario file.
    pub scenario: PathBuf,
    /// `KEY=LO..HI[:STEPS]`, one per varied lever.
    pub vary: Vec<String>,
    /// `grid` or `lhs:N`.
    pub sample: String,
    /// Replications.
    pub reps: RepsRequest,
    /// Runner options.
    pub runner: RunnerRequest,
}

/// The method of a sensitivity analysis, as asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MethodRequest {
    /// Morris elementary effects.
    Morris,
    /// Sobol' first-order and total indices.
    Sobol,
}

/// `govsim sensitivity`.
#[derive(Debug, Clone)]
pub struct SensitivityRequest {
    /// Scenario file (not with `function`).
    pub scenario: Option<PathBuf>,
    /// Morris or Sobol'.
    pub method: MethodRequest,
    /// `KEY=LO..HI`, one per lever analysed.
    pub vary: Vec<String>,
    /// Trajectories (Morris) or base samples N (Sobol').
    pub samples: usize,
    /// Replications averaged at every design point.
    pub reps: u32,
    /// Run-level metrics (default: the catalogue's sensitivity metrics).
    pub metrics: Vec<String>,
    /// Morris grid levels.
    pub levels: u32,
    /// Sobol': second-order indices too.
    pub second_order: bool,
    /// Bootstrap resamples.
    pub bootstrap: usize,
    /// A test function with known indices instead of the model.
    pub function: Option<TestFunction>,
    /// Runner options.
    pub runner: RunnerRequest,
}

/// `govsim validate`.
#[derive(Debug, Clone, Default)]
pub struct ValidateRequest {
    /// Pattern files, or folders of them (default: `validation`).
    pub patterns: Vec<PathBuf>,
    /// Replications of every pattern, instead of each file's own.
    pub reps: Option<u32>,
    /// Days of every pattern's runs, instead of each file's own.
    pub days: Option<u32>,
    /// Worker threads (default: all cores).
    pub threads: Option<usize>,
    /// Output folder (default: a new folder under `output/`).
    pub out: Option<PathBuf>,
    /// Continue the validation in `out`: finished patterns are read back,
    /// a stopped one goes on from its runs.
    pub resume: bool,
    /// Memory limit (`8G`, …) of the runs held at once.
    pub max_memory: Option<String>,
}

/// `govsim check`: the scenario fully resolved, as TOML.
pub fn check(request: &ScenarioRequest) -> Result<String> {
    let resolved = load(request, &[])?;
    let limit = memory_limit(request.max_memory.as_deref())?;
    check_memory(
        &[&resolved.scenario],
        &request.scenario.display().to_string(),
        1,
        limit,
    )?;
    Ok(resolved.resolved_toml)
}

/// `govsim run`: one run written to its folder; returns the summary to print.
pub fn run(request: &RunRequest, command_line: Vec<String>) -> Result<String> {
    let mut extra = Vec::new();
    if let Some(seed) = request.seed {
        in_lever_range("--seed", "sim.seed", seed as f64, &seed.to_string())?;
        extra.push(format!("sim.seed={seed}"));
    }
    if let Some(days) = request.days {
        in_lever_range("--days", "sim.days", f64::from(days), &days.to_string())?;
        extra.push(format!("sim.days={days}"));
    }
    let resolved = load(&request.scenario, &extra)?;
    let dir = request
        .out
        .clone()
        .unwrap_or_else(|| default_out_dir(&request.scenario.scenario));
    // Every input checked before the folder is made.
    let threads = threads(request.threads)?;
    let limit = memory_limit(request.scenario.max_memory.as_deref())?;
    check_memory(
        &[&resolved.scenario],
        &request.scenario.scenario.display().to_string(),
        1,
        limit,
    )?;
    check_run_folder(&dir)?;
    writable(&dir)?;
    let lock = FolderLock::acquire(&dir)?;
    let started = SystemTime::now();
    let clock = Instant::now();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| Error::runtime(format!("cannot start {threads} threads"), e))?;
    let output = pool.install(|| crate::run::run(&resolved.scenario));
    let wall = clock.elapsed().as_secs_f64();
    let manifest = Manifest::new(
        &resolved,
        command_line,
        humantime::format_rfc3339_seconds(started).to_string(),
        wall,
    );
    write_run(&dir, &output, &manifest)
        .map_err(|e| Error::runtime(format!("writing results to {}", dir.display()), e))?;
    let mut text = crate::report::summary_text(&resolved, &output, wall);
    let _ = writeln!(text, "results: {}", dir.display());
    drop(lock);
    text.push_str(&report(&dir)?);
    Ok(text)
}

/// `govsim compare`: the scenarios side by side over replications with
/// common random numbers; returns what to print.
pub fn compare(
    request: &CompareRequest,
    command_line: Vec<String>,
    stop: &AtomicBool,
    progress: &dyn Progress,
) -> Result<String> {
    let reps = request.reps.parse()?;
    request.runner.checked_overrides()?;
    let options = request.runner.options("compare", command_line)?;
    let plan = compare_plan(&request.scenarios, &request.runner, reps)?;
    check_plan_memory(&plan, &options, &request.runner)?;
    progress.note(&plan.describe());
    let outcome = experiment::execute(&plan, &options, stop, progress)?;
    finish("compare", &outcome, &options.out, reps.precision())
}

/// `govsim decompose`: the difference TARGET − BASE of each metric
/// attributed to groups of the levers in which they differ (Shapley values
/// over every combination of groups, with paired replications).
pub fn decompose(
    request: &DecomposeRequest,
    command_line: Vec<String>,
    stop: &AtomicBool,
    progress: &dyn Progress,
) -> Result<String> {
    use crate::experiment::decomposition as dec;
    let reps = request.reps.parse()?;
    request.runner.checked_overrides()?;
    let options = request.runner.options("decompose", command_line)?;
    let overrides = request.runner.overrides();
    let source = ScenarioSource::read(&request.base)?;
    let base = source.resolve(&overrides)?;
    let target = load_scenario(&request.target, &overrides)?;
    let levers = dec::differing_levers(&base.resolved_toml, &target.resolved_toml)
        .map_err(|m| InputError::new(request.target.display().to_string(), m))?;
    let groups = dec::groups(&levers, &request.groups)?;
    let metrics = run_level_metrics(&request.metrics, |m| m.key)?;
    let k = groups.len();
    let (mut labels, mut scenarios, mut hashes, mut resolved_toml) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for mask in 0..1usize << k {
        let label = dec::label(&groups, mask);
        let mut set = overrides.clone();
        set.push(format!("name=\"{label}\""));
        for (i, g) in groups.iter().enumerate() {
            if mask & (1 << i) != 0 {
                set.extend(g.target_values.iter().cloned());
            }
        }
        let resolved = source.resolve(&set).map_err(|mut e| {
            e.message = format!("{} (in the combination {label})", e.message);
            e
        })?;
        labels.push(label);
        hashes.push(resolved.sha256.clone());
        resolved_toml.push(resolved.resolved_toml.clone());
        scenarios.push(resolved.scenario);
    }
    let n = scenarios.len();
    let plan = Plan {
        command: crate::manifest::ExperimentKind::Decompose,
        layout: Layout {
            sweep: false,
            labels,
            varied: Vec::new(),
            values: Vec::new(),
            id_columns: 3,
        },
        scenarios,
        hashes,
        paths: vec![request.base.display().to_string(); n],
        base_seed: request.runner.seed,
        reps,
        sample: String::new(),
        sensitivity: None,
        resolved_toml,
    };
    check_plan_memory(&plan, &options, &request.runner)?;
    progress.note(&format!(
        "decompose: {k} groups ({}), {n} combinations",
        groups
            .iter()
            .map(|g| g.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    ));
    let outcome = experiment::execute(&plan, &options, stop, progress)?;
    if options.shard.is_some() {
        return Ok("shard done: merge the shards with `govsim merge`, then rerun this command with --out the merged folder and --resume to attribute the differences\n".into());
    }
    let all = dec::analyse(&options.out, &plan.layout, k, &metrics)?;
    dec::write_tables(&options.out, &groups, &all)?;
    let mut text = format!(
        "decompose: {} runs, {} replications per combination\n",
        outcome.runs_done, outcome.reps
    );
    text.push_str(&dec::table(&groups, &all));
    let _ = writeln!(text, "results: {}", options.out.display());
    text.push_str(&report(&options.out)?);
    Ok(text)
}

/// `govsim sweep`: levers varied over a grid or a Latin hypercube.
pub fn sweep(
    request: &SweepRequest,
    command_line: Vec<String>,
    stop: &AtomicBool,
    progress: &dyn Progress,
) -> Result<String> {
    let reps = request.reps.parse()?;
    request.runner.checked_overrides()?;
    let options = request.runner.options("sweep", command_line)?;
    let plan = sweep_plan(request, reps)?;
    check_plan_memory(&plan, &options, &request.runner)?;
    progress.note(&plan.describe());
    let outcome = experiment::execute(&plan, &options, stop, progress)?;
    finish("sweep", &outcome, &options.out, reps.precision())
}

/// `govsim merge`: the folders of shards joined into one experiment; every
/// planned run must be there unless `allow_partial`, which marks the result
/// incomplete.
pub fn merge(
    dirs: &[PathBuf],
    out: &Path,
    allow_partial: bool,
    command_line: Vec<String>,
) -> Result<String> {
    let outcome = experiment::merge(dirs, out, allow_partial, command_line)?;
    if outcome.kind == crate::manifest::ExperimentKind::Sensitivity {
        return Ok(format!(
            "merge: {} runs in {}\ncompute the indices with the same `govsim sensitivity` command and `--out {} --resume`\n",
            outcome.runs_done,
            out.display(),
            out.display()
        ));
    }
    finish("merge", &outcome, out, None)
}

/// `govsim calibrate`.
#[derive(Debug, Clone)]
pub struct CalibrateRequest {
    /// The scenario and `--set` overrides.
    pub scenario: ScenarioRequest,
    /// `--vary KEY=LO..HI`: the calibrated levers and their uniform priors.
    pub vary: Vec<String>,
    /// `--target METRIC=VALUE[±SD]`.
    pub targets: Vec<String>,
    /// `--targets FILE.toml`: more targets.
    pub targets_file: Option<PathBuf>,
    /// Accepted particles per generation.
    pub samples: usize,
    /// Generations after the prior's.
    pub generations: usize,
    /// Replications per proposal.
    pub reps: u32,
    /// Days of each run (default: the scenario's).
    pub days: Option<u32>,
    /// Base seed.
    pub seed: u64,
    /// Threads.
    pub threads: Option<usize>,
    /// Output folder.
    pub out: Option<PathBuf>,
    /// Continue the calibration in `out` from its last whole generation.
    pub resume: bool,
}

/// `govsim calibrate`: ABC-SMC over levers of a scenario against targets;
/// writes `posterior.csv`, `generations.csv`, `calibration.csv`,
/// `calibrated.toml` and `manifest.json` into the folder, each generation
/// as soon as it is done.
pub fn calibrate(request: &CalibrateRequest) -> Result<String> {
    use crate::calibrate::{Prior, Settings};
    use crate::experiment::calibration as cal;
    let source = ScenarioSource::read(&request.scenario.scenario)?;
    let mut overrides = request.scenario.set.clone();
    if let Some(days) = request.days {
        overrides.push(format!("sim.days={days}"));
    }
    let resolved = source.resolve(&overrides)?;
    let bad = |flag: &str, message: String| -> Error { InputError::new(flag, message).into() };
    if request.vary.is_empty() || request.vary.len() > 20 {
        return Err(bad(
            "--vary",
            "give 1 to 20 levers to calibrate, as KEY=LO..HI".into(),
        ));
    }
    let mut targets = request
        .targets
        .iter()
        .map(|t| cal::parse_target(t))
        .collect::<std::result::Result<Vec<_>, _>>()?;
    if let Some(file) = &request.targets_file {
        targets.extend(cal::read_targets(file)?);
    }
    if targets.is_empty() || targets.len() > 50 {
        return Err(bad(
            "--target",
            "give 1 to 50 targets, as METRIC=VALUE[±SD]".into(),
        ));
    }
    if !(20..=100_000).contains(&request.samples) {
        return Err(bad(
            "--samples",
            format!(
                "{}: valid range is 20 to 100000 (fewer particles cannot estimate an interval)",
                request.samples
            ),
        ));
    }
    if !(1..=50).contains(&request.generations) {
        return Err(bad(
            "--generations",
            format!("{}: valid range is 1 to 50", request.generations),
        ));
    }
    if !(1..=100).contains(&request.reps) {
        return Err(bad(
            "--reps",
            format!("{}: valid range is 1 to 100", request.reps),
        ));
    }
    let mut priors = Vec::new();
    for spec in &request.vary {
        if spec.contains(':') {
            return Err(bad(
                "--vary",
                format!("`{spec}`: calibrate takes KEY=LO..HI (no steps)"),
            ));
        }
        let v = design::parse_vary(spec, &source)?;
        if priors.iter().any(|(p, _): &(Prior, bool)| p.name == v.key) {
            return Err(bad("--vary", format!("`{}` is varied twice", v.key)));
        }
        if crate::scenario::changes::NOT_LEVERS.contains(&v.key.as_str()) {
            return Err(bad(
                "--vary",
                format!("`{}` is not a lever to calibrate", v.key),
            ));
        }
        priors.push((
            Prior {
                name: v.key,
                lo: v.lo,
                hi: v.hi,
            },
            v.integer,
        ));
    }
    let threads = threads(request.threads)?;
    let settings = Settings {
        samples: request.samples,
        generations: request.generations,
        quantile: 0.5,
        min_acceptance: 0.01,
        batch: (threads * 8).max(16),
        max_proposals: request.samples * 200,
        seed: request.seed,
    };
    let dir = request
        .out
        .clone()
        .unwrap_or_else(|| default_out_dir(&request.scenario.scenario));
    let key = serde_json::json!({
        "command": "calibrate",
        "scenario_sha256": resolved.sha256,
        "vary": request.vary,
        "targets": targets.iter().map(|t| format!("{}={}±{:?}", t.metric, t.value, t.sd)).collect::<Vec<_>>(),
        "samples": request.samples,
        "reps": request.reps,
        "seed": request.seed,
    });
    let held = dir.join("generations.csv").exists();
    let done = if request.resume {
        let text = |name: &str| std::fs::read_to_string(dir.join(name));
        let (Ok(manifest), Ok(gens), Ok(post)) = (
            text("manifest.json"),
            text("generations.csv"),
            text("posterior.csv"),
        ) else {
            return Err(bad(
                "--resume",
                format!("{} holds no calibration to continue", dir.display()),
            ));
        };
        let manifest: serde_json::Value = serde_json::from_str(&manifest).unwrap_or_default();
        if manifest.get("key") != Some(&key) {
            return Err(bad(
                "--resume",
                format!(
                    "{} holds another calibration (scenario, levers, targets, samples, reps or seed differ)",
                    dir.display()
                ),
            ));
        }
        let bare: Vec<Prior> = priors.iter().map(|(p, _)| p.clone()).collect();
        cal::read_tables(&bare, &gens, &post).map_err(|e| bad("--resume", e))?
    } else {
        if held {
            return Err(bad(
                "--out",
                format!(
                    "{} already holds a calibration: --resume to continue it, or choose another folder",
                    dir.display()
                ),
            ));
        }
        Vec::new()
    };
    writable(&dir)?;
    let lock = FolderLock::acquire(&dir)?;
    let manifest = serde_json::json!({
        "govsim_version": env!("CARGO_PKG_VERSION"),
        "scenario_path": request.scenario.scenario.display().to_string(),
        "overrides": overrides,
        "generations": request.generations,
        "threads_do_not_matter": true,
        "key": key,
    });
    write_atomic(
        &dir.join("manifest.json"),
        &serde_json::to_vec_pretty(&manifest).unwrap_or_default(),
    )
    .map_err(|e| Error::Runtime(e.to_string()))?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| Error::Runtime(e.to_string()))?;
    let calibration = cal::Calibration {
        source: &source,
        overrides: overrides.clone(),
        priors: priors.clone(),
        targets: targets.clone(),
        reps: request.reps,
        settings,
    };
    let scales = calibration.scales(&pool)?;
    let bare: Vec<Prior> = priors.iter().map(|(p, _)| p.clone()).collect();
    let mut so_far = done.clone();
    let mut failed = None;
    let evaluate =
        |thetas: &[Vec<f64>], seeds: &[u64]| calibration.distances(&pool, &scales, thetas, seeds);
    let generations = crate::calibrate::run(&bare, &settings, &evaluate, done, |g| {
        so_far.push(g.clone());
        if let Err(e) = cal::write_generations(&dir, &bare, &so_far) {
            failed.get_or_insert(e);
        }
    });
    if let Some(e) = failed {
        return Err(Error::Runtime(format!(
            "cannot write {}: {e}",
            dir.display()
        )));
    }
    let last = generations
        .last()
        .ok_or_else(|| Error::Runtime("no generation".into()))?;
    let (table, marginals) = cal::summary_table(&bare, last);
    write_atomic(&dir.join("calibration.csv"), table.as_bytes())
        .map_err(|e| Error::Runtime(e.to_string()))?;
    let calibrated = cal::calibrated_scenario(
        &std::path::absolute(&request.scenario.scenario)
            .unwrap_or(request.scenario.scenario.clone()),
        &request.scenario.set,
        &priors,
        &marginals,
    );
    write_atomic(&dir.join("calibrated.toml"), calibrated.as_bytes())
        .map_err(|e| Error::Runtime(e.to_string()))?;
    // The posterior predictive: the targets' metrics at 40 particles drawn
    // from the posterior, each with seeds of its own.
    let simulated = calibration.predictive(&pool, last, 40);
    let mut csv = String::from("draw,metric,value\n");
    for (k, row) in simulated.iter().enumerate() {
        for (t, v) in targets.iter().zip(row) {
            let _ = writeln!(csv, "{k},{},{}", t.metric, format_float(*v));
        }
    }
    write_atomic(&dir.join("predictive.csv"), csv.as_bytes())
        .map_err(|e| Error::Runtime(e.to_string()))?;
    let predictive: Vec<crate::plots::Predictive> = targets
        .iter()
        .enumerate()
        .map(|(k, t)| crate::plots::Predictive {
            metric: t.metric.clone(),
            target: t.value,
            sd: t.sd,
            simulated: simulated
                .iter()
                .map(|r| r[k])
                .filter(|v| v.is_finite())
                .collect(),
        })
        .collect();
    let plot_dir = dir.join("plots");
    std::fs::create_dir_all(&plot_dir)
        .map_err(|e| Error::Runtime(format!("{}: {e}", plot_dir.display())))?;
    let plots = crate::plots::calibration_plots(&bare, &generations, &predictive, Some(&plot_dir))
        .map_err(Error::Runtime)?;
    for plot in &plots {
        write_atomic(
            &plot_dir.join(format!("{}.svg", plot.stem)),
            plot.svg.as_bytes(),
        )
        .map_err(|e| Error::Runtime(e.to_string()))?;
    }
    let html = crate::html::calibration_report_html(
        &request.scenario.scenario.display().to_string(),
        &bare,
        &marginals,
        &generations,
        &predictive,
        &plots,
    );
    write_atomic(&dir.join("report.html"), html.as_bytes())
        .map_err(|e| Error::Runtime(e.to_string()))?;
    drop(lock);
    let mut text = format!(
        "calibrate: {} generations, tolerance {} after {} proposals in the last (acceptance {:.3})\n",
        generations.len(),
        format_float(last.epsilon),
        last.proposals,
        last.acceptance()
    );
    let _ = writeln!(
        text,
        "{:<44} {:>10} {:>10} {:>23}",
        "lever", "mean", "median", "95% credible interval"
    );
    for (p, m) in bare.iter().zip(&marginals) {
        let _ = writeln!(
            text,
            "{:<44} {:>10.4} {:>10.4}   [{:>9.4}, {:>9.4}]",
            crate::safe_text::for_terminal(&p.name),
            m.mean,
            m.median,
            m.ci_low,
            m.ci_high
        );
    }
    let _ = writeln!(text, "results: {}", dir.display());
    Ok(text)
}

/// `govsim validate`: every pattern file's experiment run on the one
/// runner (each in a folder of its own under `out`), its claims judged
/// with 95% intervals; writes `validation.csv` and `report.html`. Whether
/// patterns hold or not, it succeeds; it fails only if a pattern cannot be
/// run.
pub fn validate(
    request: &ValidateRequest,
    command_line: Vec<String>,
    stop: &AtomicBool,
    progress: &dyn Progress,
) -> Result<String> {
    use crate::experiment::validation as val;
    let asked = if request.patterns.is_empty() {
        vec![PathBuf::from("validation")]
    } else {
        request.patterns.clone()
    };
    if let Some(r) = request.reps.filter(|r| !(2..=val::MAX_REPS).contains(r)) {
        return Err(InputError::new("--reps", format!("{r}: from 2 to {}", val::MAX_REPS)).into());
    }
    if let Some(days) = request.days {
        in_lever_range("--days", "sim.days", f64::from(days), &days.to_string())?;
    }
    let files = val::pattern_files(&asked)?;
    let (metrics, _) = csv_fields(std::slice::from_ref(&Summary::default()))
        .map_err(|e| Error::Runtime(e.to_string()))?;
    // Every file is read and checked before anything runs.
    let patterns = files
        .iter()
        .map(|f| val::read_pattern(f, request.reps, request.days, &metrics))
        .collect::<std::result::Result<Vec<_>, _>>()?;
    if request.resume && request.out.is_none() {
        return Err(InputError::new(
            "--resume",
            "needs --out DIR: the folder of the validation to continue",
        )
        .into());
    }
    let dir = request
        .out
        .clone()
        .unwrap_or_else(|| new_out_dir("validate"));
    let held =
        dir.join("validation.csv").exists() || patterns.iter().any(|p| dir.join(&p.stem).exists());
    if held && !request.resume {
        return Err(InputError::new(
            "--out",
            format!(
                "{} already holds a validation: --resume to continue it, or choose another folder",
                dir.display()
            ),
        )
        .into());
    }
    writable(&dir)?;
    let lock = FolderLock::acquire(&dir)?;
    let threads = threads(request.threads)?;
    let runner = RunnerRequest {
        max_memory: request.max_memory.clone(),
        ..RunnerRequest::default()
    };
    let mut results = Vec::new();
    for (i, pattern) in patterns.iter().enumerate() {
        let out = dir.join(&pattern.stem);
        let options = Options {
            resume: request.resume && out.join("manifest.json").exists(),
            out: out.clone(),
            threads,
            shard: None,
            series_all: false,
            command_line: command_line.clone(),
        };
        check_plan_memory(&pattern.plan, &options, &runner)?;
        progress.note(&format!(
            "validate {}/{}: {} ({})",
            i + 1,
            patterns.len(),
            crate::safe_text::for_terminal(&pattern.name),
            pattern.plan.describe()
        ));
        experiment::execute(&pattern.plan, &options, stop, progress)?;
        results.extend(val::judge_pattern(pattern, &out)?);
    }
    write_atomic(
        &dir.join("validation.csv"),
        &val::validation_csv(&patterns, &results),
    )
    .map_err(|e| Error::Runtime(format!("writing validation.csv: {e}")))?;
    write_atomic(
        &dir.join("report.html"),
        crate::html::validation_report_html(&patterns, &results).as_bytes(),
    )
    .map_err(|e| Error::Runtime(format!("writing report.html: {e}")))?;
    drop(lock);
    let mut text = validation_table(&patterns, &results);
    let held = results
        .iter()
        .filter(|r| r.verdict.holds == Some(true))
        .count();
    let _ = writeln!(
        text,
        "validate: {held} of {} claims hold ({} patterns); results: {}",
        results.len(),
        patterns.len(),
        dir.display()
    );
    Ok(text)
}

/// The console table of a validation: pattern, source, expected, measured,
/// verdict.
fn validation_table(
    patterns: &[crate::experiment::validation::Pattern],
    results: &[crate::experiment::validation::ClaimResult],
) -> String {
    use crate::experiment::validation as val;
    let short = |s: &str, n: usize| {
        let s = crate::safe_text::for_terminal(s);
        if s.chars().count() > n {
            format!("{}…", s.chars().take(n - 1).collect::<String>())
        } else {
            s
        }
    };
    let rows: Vec<[String; 5]> = results
        .iter()
        .map(|r| {
            let p = patterns.iter().find(|p| p.stem == r.pattern);
            [
                r.pattern.clone(),
                short(p.map_or("", |p| p.source.as_str()), 40),
                short(&r.claim.expected, 70),
                val::measured(&r.verdict),
                r.verdict.reading.to_string(),
            ]
        })
        .collect();
    let head = ["pattern", "source", "expected", "measured [95%]", "verdict"];
    let widths: Vec<usize> = (0..5)
        .map(|c| {
            rows.iter()
                .map(|r| r[c].chars().count())
                .chain([head[c].len()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut text = String::new();
    let line = |cells: &[String]| {
        cells
            .iter()
            .zip(&widths)
            .map(|(c, &w)| format!("{c}{}", " ".repeat(w - c.chars().count())))
            .collect::<Vec<_>>()
            .join("  ")
            .trim_end()
            .to_string()
    };
    let _ = writeln!(text, "{}", line(&head.map(String::from)));
    for r in &rows {
        let _ = writeln!(text, "{}", line(r));
    }
    text
}

/// `govsim serve`: binds, tells `announce` the address (and a warning when
/// it is not this machine's loopback), and answers until `stop` is set.
pub fn serve(
    config: &crate::serve::Config,
    stop: &AtomicBool,
    announce: impl Fn(&str),
) -> Result<String> {
    if !config.scenarios.is_dir() {
        return Err(Error::Input(InputError {
            file: config.scenarios.display().to_string(),
            key: Some("--scenarios".into()),
            line: None,
            message: "not a folder of scenario files".into(),
        }));
    }
    let server = crate::serve::Server::bind(config).map_err(Error::Runtime)?;
    if !config.host.is_loopback() {
        announce(&format!(
            "warning: listening on {}: anyone who can reach this machine on the network can use the app and its API",
            config.host
        ));
    }
    announce(&format!(
        "govsim serve: {} ({} scenarios; Ctrl-C stops)",
        server.url(),
        server.api().catalogue().len()
    ));
    server.run(stop);
    Ok(String::new())
}

/// `govsim report`: plots and report.html of an experiment's or a run's
/// folder, redrawn from its files.
pub fn report(dir: &Path) -> Result<String> {
    let path = crate::export::write_report(dir)?;
    Ok(format!("report: {}\n", path.display()))
}

/// `govsim sensitivity`: Morris screening or Sobol' indices of levers of a
/// scenario, or of a test function with known indices.
pub fn sensitivity(
    request: &SensitivityRequest,
    command_line: Vec<String>,
    stop: &AtomicBool,
    progress: &dyn Progress,
) -> Result<String> {
    let method = request.checked_method()?;
    let options = request
        .runner
        .options("sensitivity", command_line.clone())?;
    let out = options.out.clone();
    if let Method::Sobol { .. } = method
        && !request.samples.is_power_of_two()
    {
        progress.note(&format!(
            "note: N = {} is not a power of 2; Sobol' sequences balance best at powers of 2",
            request.samples
        ));
    }
    if let Some(function) = request.function {
        return sensitivity_of_function(request, method, function, &out, command_line);
    }
    let bad = |flag: &str, message: String| -> Error { InputError::new(flag, message).into() };
    let scenario = request.scenario.as_ref().ok_or_else(|| {
        bad(
            "sensitivity",
            "give a SCENARIO file, or --function ishigami|sobol-g".into(),
        )
    })?;
    if request.vary.is_empty() {
        return Err(bad(
            "--vary",
            "give at least one lever to analyse, KEY=LO..HI".into(),
        ));
    }
    let overrides = request.runner.overrides();
    let source = ScenarioSource::read(scenario)?;
    let base = source.resolve(&overrides)?;
    let varies = parse_varies(&request.vary, &source)?;
    let metrics = run_level_metrics(&request.metrics, |m| m.sensitivity)?;
    let spec = Spec {
        method,
        samples: request.samples,
        bootstrap: request.bootstrap,
        seed: request.runner.seed,
        names: varies.iter().map(|v| v.key.clone()).collect(),
        ranges: varies.iter().map(|v| (v.lo, v.hi)).collect(),
    };
    check_design_size(&spec)?;
    let design = spec.design();
    let values = spec.point_values(&design, &varies);
    let (scenarios, hashes) = design::resolve_points(&source, &overrides, &varies, &values)?;
    let n = values.len();
    let layout = Layout {
        sweep: true,
        labels: vec![crate::safe_text::label(&base.scenario.name); n],
        varied: spec.names.clone(),
        values: values.clone(),
        id_columns: 4 + varies.len(),
    };
    let plan = Plan {
        command: crate::manifest::ExperimentKind::Sensitivity,
        layout: layout.clone(),
        scenarios,
        hashes,
        paths: vec![scenario.display().to_string(); n],
        base_seed: request.runner.seed,
        reps: Reps::Fixed(request.reps),
        sample: method.name().into(),
        sensitivity: Some(spec.info(&metrics, None)),
        resolved_toml: Vec::new(),
    };
    check_plan_memory(&plan, &options, &request.runner)?;
    progress.note(&format!(
        "{}: {} design points × {} replications",
        method.name(),
        n,
        request.reps
    ));
    experiment::execute(&plan, &options, stop, progress)?;
    if options.shard.is_some() {
        return Ok("shard done: merge the shards with `govsim merge`, then rerun this command with --out the merged folder and --resume to compute the indices\n".into());
    }
    let (all, noise) = analyse_model_runs(&spec, &design, &values, &layout, &metrics, &out)?;
    let mut text = String::new();
    for (metric, indices) in &all {
        text.push_str(&indices_table(&spec.names, metric, indices, None));
    }
    for n in &noise {
        let flag = if n.share > 0.2 {
            "  <- noisy: add replications before reading these indices"
        } else {
            ""
        };
        let _ = writeln!(
            text,
            "replication noise in {}: {:.1}% of the variance between design points{flag}",
            n.metric,
            100.0 * n.share
        );
    }
    let _ = writeln!(text, "results: {}", out.display());
    text.push_str(&report(&out)?);
    Ok(text)
}

impl SensitivityRequest {
    /// The method with its settings, after checking the sizes asked for.
    fn checked_method(&self) -> Result<Method> {
        let bad = |flag: &str, message: String| -> Error { InputError::new(flag, message).into() };
        let method = match self.method {
            MethodRequest::Morris => {
                if self.levels < 2 || self.levels % 2 == 1 || self.levels > 100 {
                    return Err(bad(
                        "--levels",
                        format!("{}: an even number from 2 to 100", self.levels),
                    ));
                }
                if self.second_order {
                    return Err(bad("--second-order", "only with --method sobol".into()));
                }
                if self.samples < 2 {
                    return Err(bad(
                        "--samples",
                        format!(
                            "{}: Morris needs at least 2 trajectories (10 or more is usual)",
                            self.samples
                        ),
                    ));
                }
                Method::Morris {
                    levels: self.levels,
                }
            }
            MethodRequest::Sobol => {
                if !(16..=65536).contains(&self.samples) {
                    return Err(bad(
                        "--samples",
                        format!(
                            "{}: Sobol needs N from 16 to 65536 base samples (a power of 2, e.g. 1024)",
                            self.samples
                        ),
                    ));
                }
                Method::Sobol {
                    second_order: self.second_order,
                }
            }
        };
        if self.bootstrap < 10 || self.bootstrap > 100_000 {
            return Err(bad(
                "--bootstrap",
                format!(
                    "{}: from 10 to 100000 resamples (1000 is usual)",
                    self.bootstrap
                ),
            ));
        }
        if self.reps == 0 || self.reps > 10_000 {
            return Err(bad("--reps", format!("{}: from 1 to 10000", self.reps)));
        }
        Ok(method)
    }
}

/// The sensitivity analysis of a test function.
fn sensitivity_of_function(
    request: &SensitivityRequest,
    method: Method,
    function: TestFunction,
    out: &Path,
    command_line: Vec<String>,
) -> Result<String> {
    let bad = |flag: &str, message: &str| -> Error { InputError::new(flag, message).into() };
    if !request.vary.is_empty() {
        return Err(bad(
            "--vary",
            "not with --function: a test function has its own inputs",
        ));
    }
    let runner = &request.runner;
    if request.scenario.is_some() || !runner.set.is_empty() || runner.days.is_some() {
        return Err(bad(
            "--function",
            "evaluates the test function instead of a scenario: give no SCENARIO, --set or --days",
        ));
    }
    if request.metrics.iter().any(|m| m != "y") {
        return Err(bad("--metric", "a test function has one output, `y`"));
    }
    check_design_size(&spec_of_function(request, method, function))?;
    writable(out)?;
    if out.join("manifest.json").exists() {
        return Err(bad(
            &out.display().to_string(),
            "already holds an experiment; choose another --out",
        ));
    }
    let spec = spec_of_function(request, method, function);
    let lock = FolderLock::acquire(out)?;
    let indices = analyse_function(&spec, function, out, command_line)?;
    drop(lock);
    let (s1, st) = function.analytic();
    let mut text = format!(
        "{} on {} ({} evaluations)\n",
        method.name(),
        function.name(),
        spec.design().unit.len()
    );
    text.push_str(&indices_table(&spec.names, "y", &indices, Some((&s1, &st))));
    let _ = writeln!(text, "results: {}", out.display());
    text.push_str(&report(out)?);
    Ok(text)
}

/// The analysis of a test function's inputs `x1`, `x2`, …
fn spec_of_function(request: &SensitivityRequest, method: Method, function: TestFunction) -> Spec {
    let names: Vec<String> = (1..=function.inputs()).map(|i| format!("x{i}")).collect();
    Spec {
        method,
        samples: request.samples,
        bootstrap: request.bootstrap,
        seed: request.runner.seed,
        ranges: vec![function.range(); names.len()],
        names,
    }
}

/// Refuses a design of more than [`MAX_POINTS`] points before it is built.
fn check_design_size(spec: &Spec) -> Result<()> {
    match spec.design_points() {
        Some(n) if n <= MAX_POINTS => Ok(()),
        n => Err(InputError::new(
            "--samples",
            format!(
                "{} samples make {} design points: at most {MAX_POINTS}",
                spec.samples,
                n.map_or("more than 2^64".into(), |n| n.to_string())
            ),
        )
        .into()),
    }
}

/// The first-order (and total) indices of each input, one line each.
fn indices_table(
    names: &[String],
    metric: &str,
    indices: &[Index],
    analytic: Option<(&Vec<f64>, &Vec<f64>)>,
) -> String {
    let mut text = format!("{metric}\n");
    let width = names.iter().map(|n| n.len()).max().unwrap_or(4).max(9);
    for (p, name) in names.iter().enumerate() {
        let mut line = format!("  {name:width$}");
        for ix in indices
            .iter()
            .filter(|i| i.parameter == p && i.partner.is_none())
        {
            if ix.ci_low.is_finite() {
                let _ = write!(
                    line,
                    "  {} {:.4} [{:.4}, {:.4}]",
                    ix.index, ix.value, ix.ci_low, ix.ci_high
                );
            } else {
                let _ = write!(line, "  {} {:.4}", ix.index, ix.value);
            }
        }
        if let Some((s1, st)) = analytic {
            let _ = write!(line, "   analytic S1 {:.4} ST {:.4}", s1[p], st[p]);
        }
        let _ = writeln!(text, "{line}");
    }
    text
}

impl RepsRequest {
    /// Replications as asked: 2 to 100,000, or `auto` with a positive
    /// precision and at least one batch.
    pub fn parse(&self) -> std::result::Result<Reps, InputError> {
        match (self.reps.as_str(), self.precision) {
            ("auto", Some(p)) if p > 0.0 && p.is_finite() => {
                if self.max_reps < experiment::AUTO_BATCH || self.max_reps > 100_000 {
                    return Err(InputError::new(
                        "--max-reps",
                        format!(
                            "must be from {} (one batch) to 100000",
                            experiment::AUTO_BATCH
                        ),
                    ));
                }
                Ok(Reps::Auto {
                    precision: p,
                    max: self.max_reps,
                })
            }
            ("auto", Some(p)) => Err(InputError::new(
                "--precision",
                format!("{p}: must be a positive number, e.g. 0.02"),
            )),
            ("auto", None) => Err(InputError::new("--reps", "`auto` needs --precision P")),
            (n, precision) => {
                let n: u32 = n
                    .parse()
                    .ok()
                    .filter(|&n| (2..=100_000).contains(&n))
                    .ok_or_else(|| {
                        InputError::new(
                            "--reps",
                            format!("`{n}`: a whole number from 2 to 100000, or `auto`"),
                        )
                    })?;
                if precision.is_some() {
                    return Err(InputError::new("--precision", "only with --reps auto"));
                }
                Ok(Reps::Fixed(n))
            }
        }
    }
}

impl RunnerRequest {
    /// The overrides of every scenario: `--set`, then `--days` (checked as
    /// `--days` first, so a bad value is blamed on it).
    pub fn checked_overrides(&self) -> Result<Vec<String>> {
        if let Some(days) = self.days {
            in_lever_range("--days", "sim.days", f64::from(days), &days.to_string())?;
        }
        Ok(self.overrides())
    }

    /// The overrides of every scenario: `--set`, then `--days`.
    pub fn overrides(&self) -> Vec<String> {
        let mut overrides = self.set.clone();
        if let Some(days) = self.days {
            overrides.push(format!("sim.days={days}"));
        }
        overrides
    }

    /// The runner's options; the output folder defaults to a new one named
    /// after `default_stem`.
    pub fn options(&self, default_stem: &str, command_line: Vec<String>) -> Result<Options> {
        let shard = match &self.shard {
            None => None,
            Some(spec) => Some(parse_shard(spec)?),
        };
        if self.resume && self.out.is_none() {
            return Err(InputError::new(
                "--resume",
                "needs --out DIR: the folder of the experiment to continue",
            )
            .into());
        }
        Ok(Options {
            out: self
                .out
                .clone()
                .unwrap_or_else(|| new_out_dir(default_stem)),
            threads: threads(self.threads)?,
            shard,
            resume: self.resume,
            series_all: self.series_all,
            command_line,
        })
    }
}

/// Bad input naming `flag` if `value` (shown as `shown`) is outside the
/// range of `lever`.
fn in_lever_range(flag: &str, lever: &str, value: f64, shown: &str) -> Result<()> {
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

/// `K/N` with 1 ≤ K ≤ N.
fn parse_shard(spec: &str) -> std::result::Result<(u32, u32), InputError> {
    let parsed = spec
        .split_once('/')
        .and_then(|(k, n)| Some((k.parse::<u32>().ok()?, n.parse::<u32>().ok()?)));
    match parsed {
        Some((k, n)) if n >= 1 && (1..=n).contains(&k) => Ok((k, n)),
        _ => Err(InputError::new(
            "--shard",
            format!("`{spec}`: expected K/N with 1 ≤ K ≤ N, e.g. 2/8"),
        )),
    }
}

/// The run-level metrics asked for with `--metric`, or those of the
/// catalogue for which `default` holds; each must be a column of
/// `summary.csv`, else an input error naming it and the valid ones.
fn run_level_metrics(
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

/// Worker threads: as asked (1 to [`MAX_THREADS`]), or every core.
fn threads(requested: Option<usize>) -> std::result::Result<usize, InputError> {
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
fn compare_plan(paths: &[PathBuf], runner: &RunnerRequest, reps: Reps) -> Result<Plan> {
    let overrides = runner.overrides();
    let mut labels = Vec::new();
    let mut scenarios = Vec::new();
    let mut hashes = Vec::new();
    let mut resolved_toml = Vec::new();
    for path in paths {
        let resolved = load_scenario(path, &overrides)?;
        let label = crate::safe_text::label(&resolved.scenario.name);
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
        command: crate::manifest::ExperimentKind::Compare,
        layout: Layout {
            sweep: false,
            labels,
            varied: Vec::new(),
            values: Vec::new(),
            id_columns: 3,
        },
        scenarios,
        hashes,
        paths: paths.iter().map(|p| p.display().to_string()).collect(),
        base_seed: runner.seed,
        reps,
        sample: String::new(),
        sensitivity: None,
        resolved_toml,
    })
}

/// The plan of a sweep: the base scenario valid first, then every point.
fn sweep_plan(request: &SweepRequest, reps: Reps) -> Result<Plan> {
    let overrides = request.runner.overrides();
    let source = ScenarioSource::read(&request.scenario)?;
    // The base scenario must be valid before its levers are varied.
    let base = source.resolve(&overrides)?;
    let varies = parse_varies(&request.vary, &source)?;
    let sample = design::parse_sample(&request.sample)?;
    // Counted before any is placed, so that no size is allocated unchecked.
    match design::point_count(&varies, sample) {
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
    let values = design::points(&varies, sample, request.runner.seed);
    let (scenarios, hashes) = design::resolve_points(&source, &overrides, &varies, &values)?;
    let n = values.len();
    Ok(Plan {
        command: crate::manifest::ExperimentKind::Sweep,
        layout: Layout {
            sweep: true,
            labels: vec![crate::safe_text::label(&base.scenario.name); n],
            varied: varies.iter().map(|v| v.key.clone()).collect(),
            values,
            id_columns: 4 + varies.len(),
        },
        scenarios,
        hashes,
        paths: vec![request.scenario.display().to_string(); n],
        base_seed: request.runner.seed,
        reps,
        sample: request.sample.clone(),
        sensitivity: None,
        resolved_toml: Vec::new(),
    })
}

/// Every `--vary`, each lever at most once.
fn parse_varies(vary: &[String], source: &ScenarioSource) -> Result<Vec<design::Vary>> {
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

/// What a finished experiment prints, and its report drawn; a warning when
/// `--reps auto` stopped at its cap short of the precision asked for.
fn finish(plan_line: &str, outcome: &Outcome, dir: &Path, target: Option<f64>) -> Result<String> {
    let mut text = format!(
        "{plan_line}: {} runs, {} replications per point\n",
        outcome.runs_done, outcome.reps
    );
    text.push_str(&outcome.table);
    if let Some((w, metric, label)) = &outcome.worst_precision {
        let _ = writeln!(
            text,
            "precision: largest CI half-width relative to the mean is {:.1}% ({metric}, {label})",
            100.0 * w
        );
        if let Some(target) = target.filter(|&t| *w > t) {
            let _ = writeln!(
                text,
                "warning: the precision asked for ({:.1}%) was not reached: the replications stopped at the --max-reps cap ({}); raise --max-reps, or read the intervals as they are",
                100.0 * target,
                outcome.reps
            );
        }
    }
    let _ = writeln!(text, "results: {}", dir.display());
    text.push_str(&report(dir)?);
    Ok(text)
}

fn load(request: &ScenarioRequest, extra: &[String]) -> Result<ResolvedScenario> {
    let mut overrides = request.set.clone();
    overrides.extend_from_slice(extra);
    Ok(load_scenario(&request.scenario, &overrides)?)
}

/// The memory limit: `--max-memory` (bytes, or with K, M, G or T: powers
/// of 1,024), else the machine's memory where it can be read.
fn memory_limit(asked: Option<&str>) -> std::result::Result<Option<f64>, InputError> {
    let Some(asked) = asked else {
        return Ok(machine_memory());
    };
    let text = asked.trim();
    let (digits, unit) = match text.char_indices().last() {
        Some((at, c)) if c.is_ascii_alphabetic() => (&text[..at], c.to_ascii_uppercase()),
        _ => (text, 'B'),
    };
    let scale = match unit {
        'B' => 1.0,
        'K' => 1024.0,
        'M' => 1024f64.powi(2),
        'G' => 1024f64.powi(3),
        'T' => 1024f64.powi(4),
        _ => f64::NAN,
    };
    match digits.trim().parse::<f64>() {
        Ok(x) if x > 0.0 && x.is_finite() && scale.is_finite() => Ok(Some(x * scale)),
        _ => Err(InputError::new(
            "--max-memory",
            format!("`{asked}`: a positive size such as 512M, 8G or 1T"),
        )),
    }
}

/// The machine's memory (Linux: `MemTotal` of /proc/meminfo), if known.
fn machine_memory() -> Option<f64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
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
fn check_memory(
    scenarios: &[&crate::scenario::Scenario],
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

/// The memory check of an experiment: its largest scenario, as many at once
/// as there are worker threads (or runs, if fewer).
fn check_plan_memory(plan: &Plan, options: &Options, runner: &RunnerRequest) -> Result<()> {
    let limit = memory_limit(runner.max_memory.as_deref())?;
    let reps = match plan.reps {
        Reps::Fixed(n) => n as usize,
        Reps::Auto { max, .. } => max as usize,
    };
    let at_once = options.threads.min(plan.scenarios.len() * reps).max(1);
    let scenarios: Vec<&crate::scenario::Scenario> = plan.scenarios.iter().collect();
    let file = plan.paths.first().cloned().unwrap_or_default();
    check_memory(&scenarios, &file, at_once, limit)
}

/// The files a run writes into its folder.
const RUN_FILES: [&str; 6] = [
    "timeseries.csv",
    "summary.csv",
    "manifest.json",
    "report.html",
    "plots",
    crate::files::LOCK_FILE,
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
    let manifest = std::fs::read_to_string(dir.join("manifest.json")).unwrap_or_default();
    if manifest.contains("\"key\"") {
        return Err(refuse("holds an experiment".into()));
    }
    Ok(())
}

/// `dir` created and writable, or bad input naming it.
fn writable(dir: &Path) -> Result<()> {
    prepare_dir(dir).map_err(|e| {
        InputError::new(
            dir.display().to_string(),
            format!("cannot write to the output folder: {e}"),
        )
        .into()
    })
}

/// A new folder under `output/` named after the scenario and the time.
fn default_out_dir(scenario: &Path) -> PathBuf {
    let stem = scenario
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "run".into());
    new_out_dir(&stem)
}

/// A new folder `output/<stem>-<time>`.
fn new_out_dir(stem: &str) -> PathBuf {
    let stamp = humantime::format_rfc3339_seconds(SystemTime::now())
        .to_string()
        .replace(':', "-");
    let base = PathBuf::from("output").join(format!("{stem}-{stamp}"));
    let mut dir = base.clone();
    let mut k = 1;
    while dir.exists() {
        k += 1;
        dir = PathBuf::from(format!("{}-{k}", base.display()));
    }
    dir
}
