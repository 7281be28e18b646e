//! The on-disk contract: what `manifest.json` holds, for one run and for an
//! experiment. The experiment runner writes these; resume, merge and the
//! report read them back (through [`crate::report::results`]), so they are the one
//! definition both sides share.

use serde::{Deserialize, Serialize};

use crate::scenario::ResolvedScenario;

/// Provenance of a run, written as `manifest.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// govsim version.
    pub govsim_version: String,
    /// Scenario file as given.
    pub scenario_path: String,
    /// SHA-256 of the resolved scenario TOML.
    pub scenario_sha256: String,
    /// Seed of the run.
    pub seed: u64,
    /// Days simulated.
    pub days: u32,
    /// `--set` overrides, in order.
    pub overrides: Vec<String>,
    /// The command line.
    pub command_line: Vec<String>,
    /// Start time, RFC 3339 (UTC).
    pub start_time: String,
    /// Wall time in seconds.
    pub wall_seconds: f64,
    /// The scenario's reforms: each `[[policy]]` entry's day and name.
    #[serde(default)]
    pub policies: Vec<PolicyMark>,
}

/// A `[[policy]]` entry as outputs mark it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PolicyMark {
    /// The first recorded day with its levers.
    pub day: u32,
    /// Its name.
    pub name: String,
}

impl Manifest {
    /// A manifest for `scenario`, started at `start_time`.
    pub fn new(
        scenario: &ResolvedScenario,
        command_line: Vec<String>,
        start_time: String,
        wall_seconds: f64,
    ) -> Self {
        Self {
            govsim_version: env!("CARGO_PKG_VERSION").into(),
            scenario_path: scenario.path.display().to_string(),
            scenario_sha256: scenario.sha256.clone(),
            seed: scenario.scenario.sim.seed,
            days: scenario.scenario.sim.days,
            overrides: scenario.overrides.clone(),
            command_line,
            start_time,
            wall_seconds,
            policies: scenario
                .scenario
                .policy
                .iter()
                .map(|p| PolicyMark {
                    day: p.day,
                    name: p.name.clone(),
                })
                .collect(),
        }
    }
}

/// What kind of experiment a folder holds: the command that planned it. It
/// decides how `runs.csv` is laid out (sweeps number their points) and what
/// the report draws.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ExperimentKind {
    /// Scenarios side by side (`govsim compare`, and `govsim validate`'s
    /// patterns that compare scenarios).
    Compare,
    /// Levers varied over points (`govsim sweep`).
    Sweep,
    /// Morris or Sobol' design points (`govsim sensitivity`).
    Sensitivity,
    /// Every combination of groups of levers (`govsim decompose`).
    Decompose,
}

impl ExperimentKind {
    /// The command's name, as `manifest.json` writes it.
    pub fn name(self) -> &'static str {
        match self {
            Self::Compare => "compare",
            Self::Sweep => "sweep",
            Self::Sensitivity => "sensitivity",
            Self::Decompose => "decompose",
        }
    }

    /// Whether points are numbered and carry varied lever values (sweeps
    /// and sensitivity designs), rather than named scenarios.
    pub fn numbered_points(self) -> bool {
        matches!(self, Self::Sweep | Self::Sensitivity)
    }
}

/// The identity of an experiment: equal keys mean the same runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExperimentKey {
    /// The kind of experiment.
    pub command: ExperimentKind,
    /// SHA-256 of each point's resolved scenario.
    pub hashes: Vec<String>,
    /// Replications as requested.
    pub reps: String,
    /// Base seed.
    pub base_seed: u64,
}

/// One scenario point in the manifest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PointEntry {
    /// Label in outputs.
    pub label: String,
    /// Scenario file.
    pub path: String,
    /// SHA-256 of the resolved scenario.
    pub sha256: String,
    /// Varied lever values (sweeps).
    pub values: Vec<String>,
}

/// `manifest.json` of an experiment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExperimentManifest {
    /// govsim version.
    pub govsim_version: String,
    /// What the runs are; resume and merge require equal keys.
    pub key: ExperimentKey,
    /// Every point.
    pub points: Vec<PointEntry>,
    /// Varied levers (sweeps).
    pub varied: Vec<String>,
    /// `--sample` (sweeps).
    pub sample: String,
    /// Replications per point in the finished experiment (0 until finished).
    pub reps: u32,
    /// Worker threads.
    pub threads: usize,
    /// `K/N` for a shard.
    pub shard: Option<String>,
    /// Folders merged into this one.
    pub merged_from: Vec<String>,
    /// Whether every planned run is done.
    pub complete: bool,
    /// Runs done.
    pub runs_done: usize,
    /// Command line.
    pub command_line: Vec<String>,
    /// Start time, RFC 3339 UTC.
    pub start_time: String,
    /// Wall time in seconds (this invocation).
    pub wall_seconds: f64,
    /// Sensitivity analyses: method and sample size.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sensitivity: Option<SensitivityInfo>,
    /// Whether every run's series is kept in `series.csv` (`--series all`).
    #[serde(default)]
    pub series_all: bool,
}

/// What a sensitivity analysis ran, in its manifest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SensitivityInfo {
    /// `morris` or `sobol`.
    pub method: String,
    /// Trajectories (Morris) or base samples N (Sobol).
    pub samples: usize,
    /// Morris grid levels.
    pub levels: u32,
    /// Second-order Sobol' indices estimated.
    pub second_order: bool,
    /// Bootstrap resamples.
    pub bootstrap: usize,
    /// Metrics analysed.
    pub metrics: Vec<String>,
    /// Test function instead of the model, if any.
    pub function: Option<String>,
    /// Lever ranges: name, low, high.
    pub ranges: Vec<(String, f64, f64)>,
    /// The baseline of a paired contrast (its label): the indices are of
    /// the other scenario minus it. None: one scenario's outputs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline: Option<String>,
}

/// `manifest.json` of a validation (`govsim validate`): which pattern files
/// it judged, as they were, so that `govsim report` can judge them again
/// from the runs kept and redraw the page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ValidationManifest {
    /// govsim version.
    pub govsim_version: String,
    /// Always `validate`.
    pub command: String,
    /// `--reps` given instead of each file's own.
    pub reps: Option<u32>,
    /// `--days` given instead of each file's own.
    pub days: Option<u32>,
    /// Every pattern, in order.
    pub patterns: Vec<PatternEntry>,
}

/// One pattern file of a validation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PatternEntry {
    /// Its folder in the validation's folder.
    pub stem: String,
    /// The file, as an absolute path.
    pub path: String,
    /// SHA-256 of its text when it was judged.
    pub sha256: String,
}
