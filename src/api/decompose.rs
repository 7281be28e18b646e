//! Attribution as a typed request: every combination of the groups of
//! levers in which two scenarios differ, run with paired replications, and
//! the difference of each metric attributed to the groups (Shapley values).

use std::path::{Path, PathBuf};

use super::{Context, Experiment, ExperimentKind, Runner, execute_noted, run_level_metrics};
use crate::error::{InputError, Result};
use crate::experiment::aggregate::Layout;
use crate::experiment::{Plan, Reps};
use crate::scenario::{ScenarioSource, load_scenario};

/// `decompose`: the difference TARGET − BASE of each metric attributed to
/// groups of the levers in which the two scenarios differ.
#[derive(Debug, Clone)]
pub struct DecomposeRequest {
    /// The scenario the difference starts from.
    pub base: PathBuf,
    /// The scenario it goes to.
    pub target: PathBuf,
    /// Groups as `NAME=PATTERN[,PATTERN...]`, or none for the default
    /// groups (the elements of party building, and the rest).
    pub groups: Vec<String>,
    /// Run-level metrics to attribute (default: the key metrics).
    pub metrics: Vec<String>,
    /// Replications.
    pub reps: Reps,
    /// Runner options.
    pub runner: Runner,
}

/// A decomposition: every combination of groups run, and the attribution.
#[derive(Debug, Clone)]
pub struct Decomposition {
    /// The combinations' runs, summaries and differences from BASE.
    pub experiment: Experiment,
    /// The groups of levers, with the values TARGET gives them.
    pub groups: Vec<crate::experiment::decomposition::Group>,
    /// Per metric: the difference, each group's Shapley value and
    /// one-at-a-time effect, and the pairs' interactions, with 95%
    /// intervals (`attribution.csv`, `interactions.csv`). Empty for a
    /// shard.
    pub attribution: Vec<(String, crate::analysis::decompose::Attribution)>,
    /// Metrics asked for but undefined in some combination of every
    /// replication (party legitimacy where a combination has no party
    /// committee): left out of the attribution.
    pub left_out: Vec<String>,
}

/// Every combination of the groups of levers in which TARGET differs from
/// BASE, with paired replications; the difference of each metric
/// attributed to the groups (Shapley values). With `runner.out`, the
/// attribution tables are written there as `govsim decompose` writes them.
pub fn decompose(request: &DecomposeRequest, context: &Context) -> Result<Decomposition> {
    use crate::experiment::decomposition as dec;
    let built = std::cell::OnceCell::new();
    let plan = || -> Result<(Plan, Option<String>)> {
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
        let note = format!(
            "decompose: {k} groups ({}), {n} combinations",
            groups
                .iter()
                .map(|g| g.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        );
        let _ = built.set((groups, metrics));
        let plan = Plan {
            command: ExperimentKind::Decompose,
            layout: Layout::named(labels),
            scenarios,
            hashes,
            paths: vec![request.base.display().to_string(); n],
            base_seed: request.runner.seed,
            reps: request.reps,
            sample: String::new(),
            sensitivity: None,
            resolved_toml,
        };
        Ok((plan, Some(note)))
    };
    let analyse = |dir: &Path, experiment: &Experiment| {
        let Some((groups, metrics)) = built.get() else {
            return Ok((Vec::new(), Vec::new()));
        };
        if experiment.shard.is_some() {
            return Ok((Vec::new(), Vec::new()));
        }
        let (all, left_out) = dec::analyse(&experiment.runs, groups.len(), metrics)?;
        if all.is_empty() {
            return Err(crate::error::Error::Runtime(format!(
                "{} undefined in some combination of every replication: no metric to attribute; choose others with --metric",
                left_out.join(", ")
            )));
        }
        if request.runner.out.is_some() {
            dec::write_tables(dir, groups, &all)?;
        }
        Ok((all, left_out))
    };
    let (experiment, (attribution, left_out)) = execute_noted(
        ExperimentKind::Decompose,
        &request.runner,
        context,
        plan,
        analyse,
    )?;
    let groups = built.get().map(|(g, _)| g.clone()).unwrap_or_default();
    Ok(Decomposition {
        experiment,
        groups,
        attribution,
        left_out,
    })
}
