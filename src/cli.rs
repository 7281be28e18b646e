//! The command line: clap definitions, and their conversion into the typed
//! requests of the library (`govsim::app::commands`, `govsim::api`): the strings
//! of flags (`auto`, `lhs:200`, `2/8`, `8G`) become typed values here, and
//! a bad one is bad input (exit 2) naming the flag. The only file that
//! knows clap.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use govsim::analysis::sensitivity::TestFunction;
use govsim::api::{
    CompareRequest, DecomposeRequest, MethodRequest, Runner, SensitivityRequest, Shard,
    SweepRequest,
};
use govsim::app::commands::{RunRequest, ScenarioRequest};
use govsim::error::InputError;
use govsim::experiment::{Reps, design::Sample};

/// govsim: simulate party-led collaborative governance of a district.
#[derive(Debug, Parser)]
#[command(name = "govsim", version, about, arg_required_else_help = true)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Validate a scenario and print it fully resolved (every lever) as TOML.
    Check(ScenarioArgs),
    /// Run one scenario and write timeseries.csv, summary.csv and manifest.json.
    Run(RunArgs),
    /// Run scenarios side by side over replications with common random numbers.
    Compare(CompareArgs),
    /// Vary levers over a grid or a Latin hypercube, with replications at every point; several scenarios give their contrast over the levers.
    Sweep(SweepArgs),
    /// Join the output folders of shards of one experiment.
    Merge(MergeArgs),
    /// Redraw the plots and report.html of an experiment folder from its files.
    Report(ReportArgs),
    /// Global sensitivity analysis: Morris screening or Sobol' indices.
    Sensitivity(SensitivityArgs),
    /// Attribute the difference between two scenarios to groups of levers (Shapley values).
    Decompose(DecomposeArgs),
    /// Start the live app in the browser: a local web server and its JSON API.
    Serve(ServeArgs),
    /// Fit levers of a scenario to observed targets (ABC-SMC): posterior intervals.
    Calibrate(CalibrateArgs),
    /// Check the patterns of validation/*.toml by running their experiments.
    Validate(ValidateArgs),
}

/// Arguments of `validate`.
#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Pattern files, or folders of them (default: validation).
    #[arg(value_name = "PATTERN.toml|DIR")]
    pub patterns: Vec<PathBuf>,
    /// Replications of every pattern, instead of each file's own (2 to 1000).
    #[arg(long)]
    pub reps: Option<u32>,
    /// Days of every pattern's runs, instead of each file's own.
    #[arg(long)]
    pub days: Option<u32>,
    /// Worker threads (default: all cores; results do not depend on it).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Output folder (default: a new folder under output/).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Continue the validation in --out: finished patterns are read back.
    #[arg(long)]
    pub resume: bool,
    /// Memory for the runs held at once, e.g. 8G (default: the machine's).
    #[arg(long, value_name = "SIZE")]
    pub max_memory: Option<String>,
}

impl TryFrom<ValidateArgs> for govsim::api::ValidateRequest {
    type Error = InputError;
    fn try_from(a: ValidateArgs) -> Result<Self, InputError> {
        Ok(Self {
            patterns: a.patterns,
            reps: a.reps,
            days: a.days,
            threads: a.threads,
            out: a.out,
            resume: a.resume,
            max_memory: a.max_memory.as_deref().map(parse_size).transpose()?,
        })
    }
}

/// Arguments of `calibrate`.
#[derive(Debug, Args)]
pub struct CalibrateArgs {
    /// Scenario file and overrides.
    #[command(flatten)]
    pub scenario: ScenarioArgs,
    /// A lever to calibrate and its uniform prior, `KEY=LO..HI` (repeatable).
    #[arg(long = "vary", value_name = "KEY=LO..HI", required = true)]
    pub vary: Vec<String>,
    /// An observed run-level metric, `METRIC=VALUE[±SD]`, or the figure of
    /// recorded days FIRST to LAST alone, `METRIC@FIRST..LAST=VALUE[±SD]`
    /// (`+-` for `±`; without SD the prior-predictive spread scales it;
    /// repeatable).
    #[arg(
        long = "target",
        value_name = "METRIC=VALUE[±SD]",
        required_unless_present = "targets_file"
    )]
    pub targets: Vec<String>,
    /// A file of targets: `[[target]]` entries with `metric`, `value`, and
    /// optionally `sd`, `days = [FIRST, LAST]` and `source`.
    #[arg(long = "targets", value_name = "FILE.toml")]
    pub targets_file: Option<PathBuf>,
    /// Accepted particles per generation.
    #[arg(long, default_value_t = 200)]
    pub samples: usize,
    /// Generations after the prior's (fewer if the acceptance falls below 1%).
    #[arg(long, default_value_t = 5)]
    pub generations: usize,
    /// Replications per proposal (their mean is compared with the targets).
    #[arg(long, default_value_t = 1)]
    pub reps: u32,
    /// Days of each run (default: the scenario's `sim.days`).
    #[arg(long)]
    pub days: Option<u32>,
    /// Base seed of the sampler and the runs.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Worker threads (default: all cores; results do not depend on it).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Output folder.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Continue the calibration in --out from its last whole generation.
    #[arg(long)]
    pub resume: bool,
}

impl TryFrom<CalibrateArgs> for govsim::api::CalibrateRequest {
    type Error = InputError;
    fn try_from(a: CalibrateArgs) -> Result<Self, InputError> {
        let scenario = ScenarioRequest::try_from(a.scenario)?;
        Ok(Self {
            scenario: scenario.scenario,
            set: scenario.set,
            max_memory: scenario.max_memory,
            vary: a.vary,
            targets: a.targets,
            targets_file: a.targets_file,
            samples: a.samples,
            generations: a.generations,
            reps: a.reps,
            days: a.days,
            seed: a.seed,
            threads: a.threads,
            out: a.out,
            resume: a.resume,
        })
    }
}

/// Arguments of `serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on. Anything but 127.0.0.1 lets anyone on the network use it.
    #[arg(long, default_value = "127.0.0.1")]
    pub host: std::net::IpAddr,
    /// Port to listen on (0: any free port).
    #[arg(long, default_value_t = 8080)]
    pub port: u16,
    /// Folder of the scenarios the app offers.
    #[arg(long, default_value = "scenarios")]
    pub scenarios: PathBuf,
    /// Live runs held at once.
    #[arg(long, default_value_t = 16, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub max_runs: u32,
    /// Minutes after which a run nobody uses is dropped.
    #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u32).range(1..=10080))]
    pub idle_minutes: u32,
    /// Residents of one live run.
    #[arg(long, default_value_t = 200_000, value_parser = clap::value_parser!(u64).range(1..=5_000_000))]
    pub max_residents: u64,
}

impl From<ServeArgs> for govsim::app::serve::Config {
    fn from(a: ServeArgs) -> Self {
        Self {
            host: a.host,
            port: a.port,
            scenarios: a.scenarios,
            limits: govsim::app::serve::api::Limits {
                max_runs: a.max_runs as usize,
                idle: std::time::Duration::from_secs(u64::from(a.idle_minutes) * 60),
                max_residents: a.max_residents,
            },
        }
    }
}

/// Arguments of `decompose`.
#[derive(Debug, Args)]
pub struct DecomposeArgs {
    /// The scenario the difference starts from.
    pub base: PathBuf,
    /// The scenario it goes to.
    pub target: PathBuf,
    /// A group of levers, `NAME=PATTERN[,PATTERN...]` (`a.b.*` covers a section);
    /// repeatable. Default: setting, system, procedure, security and one group
    /// for each other section in which the two differ.
    #[arg(long = "group", value_name = "NAME=PATTERN[,PATTERN...]")]
    pub groups: Vec<String>,
    /// Run-level metric to attribute (repeatable; default: the key metrics).
    #[arg(long = "metric")]
    pub metrics: Vec<String>,
    /// Replications, seeds, threads, output.
    #[command(flatten)]
    pub experiment: ExperimentArgs,
}

/// Arguments of `sensitivity`.
#[derive(Debug, Args)]
pub struct SensitivityArgs {
    /// Scenario file (not with --function); with two, the paired contrast
    /// second − first is analysed: each design point runs both with the
    /// same seeds
    #[arg(num_args = 0..=2)]
    pub scenarios: Vec<PathBuf>,
    /// `morris` (elementary effects) or `sobol` (first-order and total indices).
    #[arg(long, value_enum)]
    pub method: MethodArg,
    /// A lever and its range, `KEY=LO..HI`; give one per lever analysed.
    #[arg(long = "vary", value_name = "KEY=LO..HI")]
    pub vary: Vec<String>,
    /// Morris: trajectories r. Sobol: base samples N (a power of 2 is best; runs = N(k+2)).
    #[arg(long)]
    pub samples: usize,
    /// Replications averaged at every design point (common random numbers).
    #[arg(long, default_value_t = 1)]
    pub reps: u32,
    /// Run-level metric to analyse (repeatable; default: key metrics).
    #[arg(long = "metric")]
    pub metrics: Vec<String>,
    /// Morris grid levels p (even).
    #[arg(long, default_value_t = 4)]
    pub levels: u32,
    /// Sobol: also estimate second-order indices.
    #[arg(long)]
    pub second_order: bool,
    /// Bootstrap resamples for the intervals.
    #[arg(long, default_value_t = 1000)]
    pub bootstrap: usize,
    /// Analyse a test function with known indices instead of the model.
    #[arg(long, value_enum)]
    pub function: Option<FunctionArg>,
    /// Seeds, days, overrides, threads, output, shards, resuming.
    #[command(flatten)]
    pub runner: RunnerArgs,
}

/// Arguments of `report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Output folder of `compare`, `sweep` or `merge`.
    pub dir: PathBuf,
}

/// Options shared by `compare` and `sweep`.
#[derive(Debug, Args)]
pub struct ExperimentArgs {
    /// Replications per point: a number, or `auto` with --precision.
    #[arg(long, default_value = "30")]
    pub reps: String,
    /// With `--reps auto`: target CI half-width relative to the mean of every precision metric.
    #[arg(long)]
    pub precision: Option<f64>,
    /// With `--reps auto`: at most this many replications.
    #[arg(long, default_value_t = 200)]
    pub max_reps: u32,
    /// Seeds, days, overrides, threads, output, shards, resuming.
    #[command(flatten)]
    pub runner: RunnerArgs,
}

/// Options of every command that runs many simulations on the experiment runner.
#[derive(Debug, Args)]
pub struct RunnerArgs {
    /// Base seed; replication i of every point uses the same derived seed.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Days to simulate (overrides `sim.days` of every scenario).
    #[arg(long)]
    pub days: Option<u32>,
    /// Override a lever of every scenario by its dotted path.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// Worker threads (default: all cores).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Output folder (default: a new folder under `output/`).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Run only the K-th of N disjoint slices of the runs, e.g. `2/8`.
    #[arg(long, value_name = "K/N")]
    pub shard: Option<String>,
    /// Continue the experiment already in --out, running only what is missing.
    #[arg(long)]
    pub resume: bool,
    /// `all`: also write every replication's recorded series, in tidy long
    /// form, to series.csv (streamed as runs finish; resumable).
    #[arg(long, value_enum, default_value_t = SeriesArg::Mean)]
    pub series: SeriesArg,
    /// Refuse an experiment whose runs at once would need more memory than
    /// this, e.g. `8G` (default: the machine's memory).
    #[arg(long, value_name = "BYTES")]
    pub max_memory: Option<String>,
}

/// Arguments of `compare`.
#[derive(Debug, Args)]
pub struct CompareArgs {
    /// Scenario files; the first is the baseline of the differences.
    #[arg(required = true)]
    pub scenarios: Vec<PathBuf>,
    /// Replications, seeds, threads, output.
    #[command(flatten)]
    pub experiment: ExperimentArgs,
}

/// Arguments of `sweep`.
#[derive(Debug, Args)]
pub struct SweepArgs {
    /// Scenario files, each run at every point; with several, the first is
    /// the baseline of the contrasts (each other scenario against it at the
    /// same point, paired by replication: a regime difference over a lever)
    #[arg(required = true)]
    pub scenarios: Vec<PathBuf>,
    /// A lever and its range, `KEY=LO..HI[:STEPS]` (steps default 5).
    #[arg(long = "vary", value_name = "KEY=LO..HI[:STEPS]", required = true)]
    pub vary: Vec<String>,
    /// `grid` (full factorial) or `lhs:N` (Latin hypercube of N points).
    #[arg(long, default_value = "grid")]
    pub sample: String,
    /// Replications, seeds, threads, output.
    #[command(flatten)]
    pub experiment: ExperimentArgs,
}

/// Arguments of `merge`.
#[derive(Debug, Args)]
pub struct MergeArgs {
    /// Output folders of the shards.
    #[arg(required = true)]
    pub dirs: Vec<PathBuf>,
    /// Folder for the merged experiment.
    #[arg(long)]
    pub out: PathBuf,
    /// Merge even if some runs are missing (a shard not given or cut
    /// short); the result is marked incomplete in its manifest and report.
    #[arg(long)]
    pub allow_partial: bool,
}

/// A scenario file and overrides.
#[derive(Debug, Args)]
pub struct ScenarioArgs {
    /// Scenario TOML file.
    pub scenario: PathBuf,
    /// Override a lever by its dotted path, e.g. `party.procedure.pooling=0.5`.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// Refuse a scenario whose run would need more memory than this, e.g.
    /// `8G` (default: the machine's memory).
    #[arg(long, value_name = "BYTES")]
    pub max_memory: Option<String>,
}

/// Arguments of `run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// Scenario file and overrides.
    #[command(flatten)]
    pub scenario: ScenarioArgs,
    /// Seed (overrides `sim.seed`).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Days to simulate (overrides `sim.days`).
    #[arg(long)]
    pub days: Option<u32>,
    /// Output folder (default: a new folder under `output/`).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Threads for the communities of one run (default: all cores); results do not depend on it.
    #[arg(long)]
    pub threads: Option<usize>,
}

/// `--method` of `sensitivity`.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum MethodArg {
    /// Morris elementary effects (screening).
    Morris,
    /// Sobol' first-order and total indices.
    Sobol,
}

/// `--series` of the experiment commands.
#[derive(Debug, Clone, Copy, PartialEq, ValueEnum)]
pub enum SeriesArg {
    /// The mean series across replications only (timeseries.csv; comparisons).
    Mean,
    /// Also each replication's own series (series.csv).
    All,
}

/// `--function` of `sensitivity`.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum FunctionArg {
    /// Ishigami (three inputs).
    Ishigami,
    /// Sobol' G (eight inputs).
    #[value(name = "sobol-g")]
    SobolG,
}

impl TryFrom<ScenarioArgs> for ScenarioRequest {
    type Error = InputError;
    fn try_from(a: ScenarioArgs) -> Result<Self, InputError> {
        Ok(Self {
            scenario: a.scenario,
            set: a.set,
            max_memory: a.max_memory.as_deref().map(parse_size).transpose()?,
        })
    }
}

impl TryFrom<RunArgs> for RunRequest {
    type Error = InputError;
    fn try_from(a: RunArgs) -> Result<Self, InputError> {
        Ok(Self {
            scenario: a.scenario.try_into()?,
            seed: a.seed,
            days: a.days,
            out: a.out,
            threads: a.threads,
        })
    }
}

impl TryFrom<RunnerArgs> for Runner {
    type Error = InputError;
    fn try_from(a: RunnerArgs) -> Result<Self, InputError> {
        Ok(Self {
            seed: a.seed,
            days: a.days,
            set: a.set,
            threads: a.threads,
            out: a.out,
            shard: a.shard.as_deref().map(parse_shard).transpose()?,
            resume: a.resume,
            series_all: a.series == SeriesArg::All,
            max_memory: a.max_memory.as_deref().map(parse_size).transpose()?,
        })
    }
}

impl ExperimentArgs {
    fn into_parts(self) -> Result<(Reps, Runner), InputError> {
        let reps = parse_reps(&self.reps, self.precision, self.max_reps)?;
        Ok((reps, self.runner.try_into()?))
    }
}

impl TryFrom<CompareArgs> for CompareRequest {
    type Error = InputError;
    fn try_from(a: CompareArgs) -> Result<Self, InputError> {
        let (reps, runner) = a.experiment.into_parts()?;
        Ok(Self {
            scenarios: a.scenarios,
            names: Vec::new(),
            sets: Vec::new(),
            reps,
            runner,
        })
    }
}

impl TryFrom<DecomposeArgs> for DecomposeRequest {
    type Error = InputError;
    fn try_from(a: DecomposeArgs) -> Result<Self, InputError> {
        let (reps, runner) = a.experiment.into_parts()?;
        Ok(Self {
            base: a.base,
            target: a.target,
            groups: a.groups,
            metrics: a.metrics,
            reps,
            runner,
        })
    }
}

impl TryFrom<SweepArgs> for SweepRequest {
    type Error = InputError;
    fn try_from(a: SweepArgs) -> Result<Self, InputError> {
        let sample = parse_sample(&a.sample)?;
        let (reps, runner) = a.experiment.into_parts()?;
        Ok(Self {
            scenarios: a.scenarios,
            vary: a.vary,
            sample,
            reps,
            runner,
        })
    }
}

/// `--reps`: 2 to 100,000, or `auto` with a positive `--precision` and a
/// `--max-reps` of at least one batch.
fn parse_reps(reps: &str, precision: Option<f64>, max_reps: u32) -> Result<Reps, InputError> {
    let asked = match (reps, precision) {
        ("auto", Some(precision)) => Reps::Auto {
            precision,
            max: max_reps,
        },
        ("auto", None) => return Err(InputError::new("--reps", "`auto` needs --precision P")),
        (_, Some(_)) => return Err(InputError::new("--precision", "only with --reps auto")),
        (n, None) => Reps::Fixed(n.parse().map_err(|_| govsim::experiment::bad_reps(n))?),
    };
    asked.check()?;
    Ok(asked)
}

/// `--shard K/N` with 1 ≤ K ≤ N.
fn parse_shard(spec: &str) -> Result<Shard, InputError> {
    let parsed = spec
        .split_once('/')
        .and_then(|(k, n)| Some((k.parse::<u32>().ok()?, n.parse::<u32>().ok()?)));
    match parsed {
        Some((index, count)) if count >= 1 && (1..=count).contains(&index) => {
            Ok(Shard { index, count })
        }
        _ => Err(InputError::new(
            "--shard",
            format!("`{spec}`: expected K/N with 1 ≤ K ≤ N, e.g. 2/8"),
        )),
    }
}

/// `--sample grid` or `lhs:N` (N ≥ 2).
fn parse_sample(spec: &str) -> Result<Sample, InputError> {
    govsim::experiment::design::parse_sample(spec)
}

/// `--max-memory`: bytes, or with K, M, G or T (powers of 1,024).
fn parse_size(asked: &str) -> Result<u64, InputError> {
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
        Ok(x) if x > 0.0 && (x * scale).is_finite() && x * scale < u64::MAX as f64 => {
            Ok((x * scale) as u64)
        }
        _ => Err(InputError::new(
            "--max-memory",
            format!("`{asked}`: a positive size such as 512M, 8G or 1T"),
        )),
    }
}

impl TryFrom<SensitivityArgs> for SensitivityRequest {
    type Error = InputError;
    fn try_from(a: SensitivityArgs) -> Result<Self, InputError> {
        let mut scenarios = a.scenarios.into_iter();
        let (first, second) = (scenarios.next(), scenarios.next());
        let (scenario, baseline) = match second {
            Some(target) => (Some(target), first),
            None => (first, None),
        };
        Ok(Self {
            scenario,
            baseline,
            method: match a.method {
                MethodArg::Morris => MethodRequest::Morris,
                MethodArg::Sobol => MethodRequest::Sobol,
            },
            vary: a.vary,
            samples: a.samples,
            reps: a.reps,
            metrics: a.metrics,
            levels: a.levels,
            second_order: a.second_order,
            bootstrap: a.bootstrap,
            function: a.function.map(|f| match f {
                FunctionArg::Ishigami => TestFunction::Ishigami,
                FunctionArg::SobolG => TestFunction::SobolG,
            }),
            runner: a.runner.try_into()?,
        })
    }
}
