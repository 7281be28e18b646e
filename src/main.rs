//! The `govsim` binary: parse flags, call the library, map errors to exit
//! codes (2: bad input, 1: failure at run time).

mod cli;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Instant, SystemTime};

use clap::Parser;
use govsim::files::prepare_dir;
use govsim::manifest::Manifest;
use govsim::output::write_run;
use govsim::scenario::{InputError, ResolvedScenario, load_scenario};

use std::sync::atomic::{AtomicBool, Ordering};

use govsim::experiment::{self, Options, Plan, Reps, aggregate::Layout, design};
use govsim::scenario::ScenarioSource;

use cli::{
    Cli, Command, CompareArgs, ExperimentArgs, MergeArgs, ReportArgs, RunArgs, RunnerArgs,
    ScenarioArgs, SensitivityArgs, SweepArgs,
};

/// Set by Ctrl-C: experiments stop starting runs and keep what is done.
static STOP: AtomicBool = AtomicBool::new(false);

/// Why the program stops early.
enum Failure {
    /// Bad input: exit 2.
    Input(InputError),
    /// Failure at run time: exit 1.
    Runtime(String),
    /// Stopped by Ctrl-C after this many runs: exit 130.
    Interrupted(usize),
}

impl From<experiment::Failure> for Failure {
    fn from(e: experiment::Failure) -> Self {
        match e {
            experiment::Failure::Input(e) => Self::Input(e),
            experiment::Failure::Runtime(e) => Self::Runtime(e),
            experiment::Failure::Interrupted { done } => Self::Interrupted(done),
        }
    }
}

impl From<InputError> for Failure {
    fn from(e: InputError) -> Self {
        Self::Input(e)
    }
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    match dispatch(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Input(e)) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
        Err(Failure::Runtime(e)) => {
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
        Err(Failure::Interrupted(done)) => {
            eprintln!(
                "interrupted: {done} runs are kept; run the same command with --resume to finish"
            );
            ExitCode::from(130)
        }
    }
}

fn dispatch(cli: Cli) -> Result<(), Failure> {
    match cli.command {
        Command::Check(args) => {
            let resolved = load(&args, &[])?;
            print!("{}", resolved.resolved_toml);
            Ok(())
        }
        Command::Run(args) => run(args),
        Command::Compare(args) => compare(args),
        Command::Sweep(args) => sweep(args),
        Command::Merge(args) => merge(args),
        Command::Report(args) => report_command(args),
        Command::Sensitivity(args) => sensitivity(args),
    }
}

fn load(args: &ScenarioArgs, extra: &[String]) -> Result<ResolvedScenario, InputError> {
    let mut overrides = args.set.clone();
    overrides.extend_from_slice(extra);
    load_scenario(&args.scenario, &overrides)
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

fn run(args: RunArgs) -> Result<(), Failure> {
    let mut extra = Vec::new();
    if let Some(seed) = args.seed {
        extra.push(format!("sim.seed={seed}"));
    }
    if let Some(days) = args.days {
        extra.push(format!("sim.days={days}"));
    }
    let resolved = load(&args.scenario, &extra)?;
    let dir = args
        .out
        .clone()
        .unwrap_or_else(|| default_out_dir(&args.scenario.scenario));
    prepare_dir(&dir).map_err(|e| {
        InputError::new(
            dir.display().to_string(),
            format!("cannot write to the output folder: {e}"),
        )
    })?;
    let started = SystemTime::now();
    let clock = Instant::now();
    let threads = match args.threads {
        Some(0) => return Err(InputError::new("--threads", "must be at least 1").into()),
        Some(n) => n,
        None => std::thread::available_parallelism().map_or(1, |n| n.get()),
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| Failure::Runtime(format!("cannot start {threads} threads: {e}")))?;
    let output = pool.install(|| govsim::run::run(&resolved.scenario));
    let wall = clock.elapsed().as_secs_f64();
    let manifest = Manifest::new(
        &resolved,
        std::env::args().collect(),
        humantime::format_rfc3339_seconds(started).to_string(),
        wall,
    );
    write_run(&dir, &output, &manifest)
        .map_err(|e| Failure::Runtime(format!("writing results to {}: {e}", dir.display())))?;
    print!("{}", govsim::report::summary_text(&resolved, &output, wall));
    println!("results: {}", dir.display());
    Ok(())
}

/// Replications, shard, threads and options shared by `compare` and `sweep`.
fn experiment_options(
    args: &ExperimentArgs,
    default_stem: &str,
) -> Result<(Reps, Options), Failure> {
    let reps = match (args.reps.as_str(), args.precision) {
        ("auto", Some(p)) if p > 0.0 && p.is_finite() => {
            if args.max_reps < experiment::AUTO_BATCH {
                return Err(InputError::new(
                    "--max-reps",
                    format!("must be at least {} (one batch)", experiment::AUTO_BATCH),
                )
                .into());
            }
            Reps::Auto {
                precision: p,
                max: args.max_reps,
            }
        }
        ("auto", Some(p)) => {
            return Err(InputError::new(
                "--precision",
                format!("{p}: must be a positive number, e.g. 0.02"),
            )
            .into());
        }
        ("auto", None) => {
            return Err(InputError::new("--reps", "`auto` needs --precision P").into());
        }
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
                return Err(InputError::new("--precision", "only with --reps auto").into());
            }
            Reps::Fixed(n)
        }
    };
    let options = runner_options(&args.runner, default_stem)?;
    Ok((reps, options))
}

/// Shard, threads, output folder and resuming: every command on the runner.
fn runner_options(args: &RunnerArgs, default_stem: &str) -> Result<Options, Failure> {
    let shard = match &args.shard {
        None => None,
        Some(spec) => {
            let parsed = spec
                .split_once('/')
                .and_then(|(k, n)| Some((k.parse::<u32>().ok()?, n.parse::<u32>().ok()?)));
            match parsed {
                Some((k, n)) if n >= 1 && (1..=n).contains(&k) => Some((k, n)),
                _ => {
                    return Err(InputError::new(
                        "--shard",
                        format!("`{spec}`: expected K/N with 1 ≤ K ≤ N, e.g. 2/8"),
                    )
                    .into());
                }
            }
        }
    };
    let threads = match args.threads {
        Some(0) => return Err(InputError::new("--threads", "must be at least 1").into()),
        Some(n) => n,
        None => std::thread::available_parallelism().map_or(1, |n| n.get()),
    };
    if args.resume && args.out.is_none() {
        return Err(InputError::new(
            "--resume",
            "needs --out DIR: the folder of the experiment to continue",
        )
        .into());
    }
    Ok(Options {
        out: args
            .out
            .clone()
            .unwrap_or_else(|| new_out_dir(default_stem)),
        threads,
        shard,
        resume: args.resume,
        progress: true,
        command_line: std::env::args().collect(),
    })
}

fn common_overrides(args: &RunnerArgs) -> Vec<String> {
    let mut overrides = args.set.clone();
    if let Some(days) = args.days {
        overrides.push(format!("sim.days={days}"));
    }
    overrides
}

fn start_stop_handler() {
    // If a handler cannot be installed, Ctrl-C simply ends the process; what
    // runs.csv holds is still kept and --resume still works.
    let _ = ctrlc::set_handler(|| STOP.store(true, Ordering::SeqCst));
}

/// Draws plots and report.html of the experiment in `dir`.
fn draw_report(dir: &Path) -> Result<PathBuf, Failure> {
    govsim::export::write_report(dir).map_err(|e| match e {
        govsim::export::ReportError::Input(e) => Failure::Input(e),
        govsim::export::ReportError::Runtime(e) => Failure::Runtime(e),
    })
}

fn report_command(args: ReportArgs) -> Result<(), Failure> {
    let path = draw_report(&args.dir)?;
    println!("report: {}", path.display());
    Ok(())
}

fn report(plan_line: &str, outcome: &experiment::Outcome, dir: &Path) -> Result<(), Failure> {
    println!(
        "{plan_line}: {} runs, {} replications per point",
        outcome.runs_done, outcome.reps
    );
    print!("{}", outcome.table);
    if let Some((w, metric, label)) = &outcome.worst_precision {
        println!(
            "precision: largest CI half-width relative to the mean is {:.1}% ({metric}, {label})",
            100.0 * w
        );
    }
    println!("results: {}", dir.display());
    let path = draw_report(dir)?;
    println!("report: {}", path.display());
    Ok(())
}

fn compare(args: CompareArgs) -> Result<(), Failure> {
    let (reps, options) = experiment_options(&args.experiment, "compare")?;
    let overrides = common_overrides(&args.experiment.runner);
    let mut labels = Vec::new();
    let mut scenarios = Vec::new();
    let mut hashes = Vec::new();
    let mut paths = Vec::new();
    let mut resolved_toml = Vec::new();
    for path in &args.scenarios {
        let resolved = load_scenario(path, &overrides)?;
        let label = resolved.scenario.name.clone();
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
        paths.push(path.display().to_string());
        scenarios.push(resolved.scenario);
    }
    let plan = Plan {
        command: "compare".into(),
        layout: Layout {
            sweep: false,
            labels,
            varied: Vec::new(),
            values: Vec::new(),
            id_columns: 3,
        },
        scenarios,
        hashes,
        paths,
        base_seed: args.experiment.runner.seed,
        reps,
        sample: String::new(),
        sensitivity: None,
        resolved_toml,
    };
    start_stop_handler();
    eprintln!("{}", plan.describe());
    let outcome = experiment::execute(&plan, &options, &STOP)?;
    report("compare", &outcome, &options.out)
}

fn sweep(args: SweepArgs) -> Result<(), Failure> {
    let (reps, options) = experiment_options(&args.experiment, "sweep")?;
    let overrides = common_overrides(&args.experiment.runner);
    let source = ScenarioSource::read(&args.scenario)?;
    // The base scenario must be valid before its levers are varied.
    let base = source.resolve(&overrides)?;
    let varies: Vec<design::Vary> = args
        .vary
        .iter()
        .map(|v| design::parse_vary(v, &source))
        .collect::<Result<_, _>>()?;
    let sample = design::parse_sample(&args.sample)?;
    let values = design::points(&varies, sample, args.experiment.runner.seed);
    if values.len() > 1_000_000 {
        return Err(InputError::new(
            "--vary",
            format!("{} points: at most 1,000,000", values.len()),
        )
        .into());
    }
    let (scenarios, hashes) = design::resolve_points(&source, &overrides, &varies, &values)?;
    let n = values.len();
    let plan = Plan {
        command: "sweep".into(),
        layout: Layout {
            sweep: true,
            labels: vec![base.scenario.name.clone(); n],
            varied: varies.iter().map(|v| v.key.clone()).collect(),
            values,
            id_columns: 4 + varies.len(),
        },
        scenarios,
        hashes,
        paths: vec![args.scenario.display().to_string(); n],
        base_seed: args.experiment.runner.seed,
        reps,
        sample: args.sample.clone(),
        sensitivity: None,
        resolved_toml: Vec::new(),
    };
    start_stop_handler();
    eprintln!("{}", plan.describe());
    let outcome = experiment::execute(&plan, &options, &STOP)?;
    report("sweep", &outcome, &options.out)
}

fn merge(args: MergeArgs) -> Result<(), Failure> {
    let outcome = experiment::merge(&args.dirs, &args.out, std::env::args().collect())?;
    let manifest = args.out.join("manifest.json");
    let sensitivity = std::fs::read_to_string(&manifest)
        .is_ok_and(|t| t.contains("\"command\": \"sensitivity\""));
    if sensitivity {
        println!(
            "merge: {} runs in {}",
            outcome.runs_done,
            args.out.display()
        );
        println!(
            "compute the indices with the same `govsim sensitivity` command and `--out {} --resume`",
            args.out.display()
        );
        return Ok(());
    }
    report("merge", &outcome, &args.out)
}

fn sensitivity(args: SensitivityArgs) -> Result<(), Failure> {
    use govsim::experiment::sensitivity::{Spec, analyse_function, analyse_model_runs};
    use govsim::sensitivity::{Method, TestFunction};
    let bad = |flag: &str, message: String| -> Failure { InputError::new(flag, message).into() };
    let method = match args.method.as_str() {
        "morris" => {
            if args.levels < 2 || args.levels % 2 == 1 || args.levels > 100 {
                return Err(bad(
                    "--levels",
                    format!("{}: an even number from 2 to 100", args.levels),
                ));
            }
            if args.second_order {
                return Err(bad("--second-order", "only with --method sobol".into()));
            }
            Method::Morris {
                levels: args.levels,
            }
        }
        "sobol" => Method::Sobol {
            second_order: args.second_order,
        },
        other => {
            return Err(bad(
                "--method",
                format!("`{other}`: expected `morris` or `sobol`"),
            ));
        }
    };
    match method {
        Method::Morris { .. } if args.samples < 2 => {
            return Err(bad(
                "--samples",
                format!(
                    "{}: Morris needs at least 2 trajectories (10 or more is usual)",
                    args.samples
                ),
            ));
        }
        Method::Sobol { .. } if !(16..=65536).contains(&args.samples) => {
            return Err(bad(
                "--samples",
                format!(
                    "{}: Sobol needs N from 16 to 65536 base samples (a power of 2, e.g. 1024)",
                    args.samples
                ),
            ));
        }
        _ => {}
    }
    if args.bootstrap < 10 {
        return Err(bad(
            "--bootstrap",
            format!("{}: at least 10 resamples (1000 is usual)", args.bootstrap),
        ));
    }
    if args.reps == 0 || args.reps > 10_000 {
        return Err(bad("--reps", format!("{}: from 1 to 10000", args.reps)));
    }
    let options = runner_options(&args.runner, "sensitivity")?;
    let out = options.out.clone();
    if let Method::Sobol { .. } = method
        && !args.samples.is_power_of_two()
    {
        eprintln!(
            "note: N = {} is not a power of 2; Sobol' sequences balance best at powers of 2",
            args.samples
        );
    }

    if let Some(name) = &args.function {
        let function = TestFunction::parse(name).ok_or_else(|| {
            bad(
                "--function",
                format!("`{name}`: expected `ishigami` or `sobol-g`"),
            )
        })?;
        if !args.vary.is_empty() {
            return Err(bad(
                "--vary",
                "not with --function: a test function has its own inputs".into(),
            ));
        }
        if args.scenario.is_some() || !args.runner.set.is_empty() || args.runner.days.is_some() {
            return Err(bad("--function", "evaluates the test function instead of a scenario: give no SCENARIO, --set or --days".into()));
        }
        if args.metrics.iter().any(|m| m != "y") {
            return Err(bad(
                "--metric",
                "a test function has one output, `y`".into(),
            ));
        }
        govsim::files::prepare_dir(&out).map_err(|e| {
            InputError::new(
                out.display().to_string(),
                format!("cannot write to the output folder: {e}"),
            )
        })?;
        if out.join("manifest.json").exists() {
            return Err(bad(
                &out.display().to_string(),
                "already holds an experiment; choose another --out".into(),
            ));
        }
        let names: Vec<String> = (1..=function.inputs()).map(|i| format!("x{i}")).collect();
        let spec = Spec {
            method,
            samples: args.samples,
            bootstrap: args.bootstrap,
            seed: args.runner.seed,
            ranges: vec![function.range(); names.len()],
            names,
        };
        let indices = analyse_function(&spec, function, &out, std::env::args().collect())?;
        let (s1, st) = function.analytic();
        println!(
            "{} on {} ({} evaluations)",
            method.name(),
            function.name(),
            spec.design().unit.len()
        );
        print_indices(&spec.names, "y", &indices, Some((&s1, &st)));
        println!("results: {}", out.display());
        let path = draw_report(&out)?;
        println!("report: {}", path.display());
        return Ok(());
    }

    let scenario = args.scenario.as_ref().ok_or_else(|| {
        bad(
            "sensitivity",
            "give a SCENARIO file, or --function ishigami|sobol-g".into(),
        )
    })?;
    if args.vary.is_empty() {
        return Err(bad(
            "--vary",
            "give at least one lever to analyse, KEY=LO..HI".into(),
        ));
    }
    let overrides = common_overrides(&args.runner);
    let source = ScenarioSource::read(scenario)?;
    let base = source.resolve(&overrides)?;
    let varies: Vec<design::Vary> = args
        .vary
        .iter()
        .map(|v| design::parse_vary(v, &source))
        .collect::<Result<_, _>>()?;
    for (i, v) in varies.iter().enumerate() {
        if varies[..i].iter().any(|w| w.key == v.key) {
            return Err(bad("--vary", format!("`{}` is given twice", v.key)));
        }
    }
    let metrics: Vec<String> = if args.metrics.is_empty() {
        govsim::metrics::metrics_where(|m| m.sensitivity)
            .into_iter()
            .map(String::from)
            .collect()
    } else {
        args.metrics.clone()
    };
    let (summary_header, _) =
        govsim::files::csv_fields(std::slice::from_ref(&govsim::metrics::Summary::default()))
            .map_err(|e| Failure::Runtime(e.to_string()))?;
    for m in &metrics {
        if !summary_header.contains(m) {
            return Err(bad(
                "--metric",
                format!(
                    "`{m}` is not a run-level metric; valid: {}",
                    summary_header.join(", ")
                ),
            ));
        }
    }
    let spec = Spec {
        method,
        samples: args.samples,
        bootstrap: args.bootstrap,
        seed: args.runner.seed,
        names: varies.iter().map(|v| v.key.clone()).collect(),
        ranges: varies.iter().map(|v| (v.lo, v.hi)).collect(),
    };
    let design = spec.design();
    let values = spec.point_values(&design, &varies);
    let (scenarios, hashes) = design::resolve_points(&source, &overrides, &varies, &values)?;
    let n = values.len();
    let layout = Layout {
        sweep: true,
        labels: vec![base.scenario.name.clone(); n],
        varied: spec.names.clone(),
        values: values.clone(),
        id_columns: 4 + varies.len(),
    };
    let plan = Plan {
        command: "sensitivity".into(),
        layout: layout.clone(),
        scenarios,
        hashes,
        paths: vec![scenario.display().to_string(); n],
        base_seed: args.runner.seed,
        reps: Reps::Fixed(args.reps),
        sample: method.name().into(),
        sensitivity: Some(spec.info(&metrics, None)),
        resolved_toml: Vec::new(),
    };
    start_stop_handler();
    eprintln!(
        "{}: {} design points × {} replications",
        method.name(),
        n,
        args.reps
    );
    experiment::execute(&plan, &options, &STOP)?;
    if options.shard.is_some() {
        println!(
            "shard done: merge the shards with `govsim merge`, then rerun this command with --out the merged folder and --resume to compute the indices"
        );
        return Ok(());
    }
    let (all, noise) = analyse_model_runs(&spec, &design, &values, &layout, &metrics, &out)?;
    for (metric, indices) in &all {
        print_indices(&spec.names, metric, indices, None);
    }
    for n in &noise {
        let flag = if n.share > 0.2 {
            "  <- noisy: add replications before reading these indices"
        } else {
            ""
        };
        println!(
            "replication noise in {}: {:.1}% of the variance between design points{flag}",
            n.metric,
            100.0 * n.share
        );
    }
    println!("results: {}", out.display());
    let path = draw_report(&out)?;
    println!("report: {}", path.display());
    Ok(())
}

fn print_indices(
    names: &[String],
    metric: &str,
    indices: &[govsim::sensitivity::Index],
    analytic: Option<(&Vec<f64>, &Vec<f64>)>,
) {
    println!("{metric}");
    let width = names.iter().map(|n| n.len()).max().unwrap_or(4).max(9);
    for (p, name) in names.iter().enumerate() {
        let mut line = format!("  {name:width$}");
        for ix in indices
            .iter()
            .filter(|i| i.parameter == p && i.partner.is_none())
        {
            if ix.ci_low.is_finite() {
                line.push_str(&format!(
                    "  {} {:.4} [{:.4}, {:.4}]",
                    ix.index, ix.value, ix.ci_low, ix.ci_high
                ));
            } else {
                line.push_str(&format!("  {} {:.4}", ix.index, ix.value));
            }
        }
        if let Some((s1, st)) = analytic {
            line.push_str(&format!("   analytic S1 {:.4} ST {:.4}", s1[p], st[p]));
        }
        println!("{line}");
    }
}
