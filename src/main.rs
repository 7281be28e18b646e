//! The `govsim` binary: parse flags, call the library, map errors to exit
//! codes (2: bad input, 1: failure at run time).

mod cli;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Instant, SystemTime};

use clap::Parser;
use govsim::output::{Manifest, prepare_dir, write_run};
use govsim::scenario::{InputError, ResolvedScenario, load_scenario};

use cli::{Cli, Command, RunArgs, ScenarioArgs};

/// Why the program stops early.
enum Failure {
    /// Bad input: exit 2.
    Input(InputError),
    /// Failure at run time: exit 1.
    Runtime(String),
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
    let output = govsim::run::run(&resolved.scenario);
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
