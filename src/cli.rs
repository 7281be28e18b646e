//! The command line: clap definitions only.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// govsim: simulate party-led collaborative governance of a district.
#[derive(Debug, Parser)]
#[command(name = "govsim", version, about)]
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
}

/// A scenario file and overrides.
#[derive(Debug, Args)]
pub struct ScenarioArgs {
    /// Scenario TOML file.
    pub scenario: PathBuf,
    /// Override a lever by its dotted path, e.g. `party.procedure.pooling=0.5`.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
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
}
