//! Global sensitivity analysis as a typed request: Morris screening or
//! Sobol' indices of levers of a scenario (design points through the one
//! runner), or of a test function with known indices.

use std::path::{Path, PathBuf};

use super::{
    Context, Experiment, ExperimentKind, MAX_POINTS, Runner, TemporaryDir, execute_noted,
    parse_varies, run_level_metrics, temporary_dir,
};
use crate::analysis::sensitivity::{Index, Method, TestFunction};
use crate::error::{Error, InputError, Result};
use crate::experiment::sensitivity::{Noise, Spec, analyse_function, analyse_model_runs};
use crate::experiment::{Plan, Reps};
use crate::util::files::FolderLock;

/// The method of a sensitivity analysis, as asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MethodRequest {
    /// Morris elementary effects.
    Morris,
    /// Sobol' first-order and total indices.
    Sobol,
}

/// `sensitivity`: Morris screening or Sobol' indices of levers of a
/// scenario, or of a test function with known indices.
#[derive(Debug, Clone)]
pub struct SensitivityRequest {
    /// Scenario file (not with `function`).
    pub scenario: Option<PathBuf>,
    /// A baseline scenario: then the paired contrast `scenario` −
    /// `baseline` is analysed, each design point running both with the same
    /// seeds (common random numbers), so that the indices say which levers
    /// decide the sign and size of the difference between them.
    pub baseline: Option<PathBuf>,
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
    pub runner: Runner,
}

/// A sensitivity analysis done: the indices of each metric, and for the
/// model how much of the variance between design points is replication
/// noise.
#[derive(Debug, Clone)]
pub struct Sensitivity {
    /// The method with its settings.
    pub method: Method,
    /// The analysed inputs: the levers, or `x1`, `x2`, … of a test function.
    pub names: Vec<String>,
    /// Per metric (`y` for a test function), every index with its 95%
    /// bootstrap interval (`indices.csv`). Empty for a shard.
    pub indices: Vec<(String, Vec<Index>)>,
    /// Per metric, the replication noise (`noise.csv`; the model only).
    pub noise: Vec<Noise>,
    /// The design points' runs (the model only).
    pub experiment: Option<Experiment>,
    /// A test function's analytic S1 and ST of each input.
    pub analytic: Option<(Vec<f64>, Vec<f64>)>,
    /// Evaluations of the design (points × replications for the model).
    pub evaluations: usize,
}

/// Morris screening or Sobol' indices of the levers `request.vary` of a
/// scenario, or of a test function. With `runner.out`, the folder holds
/// what `govsim sensitivity` writes.
pub fn sensitivity(request: &SensitivityRequest, context: &Context) -> Result<Sensitivity> {
    let method = request.checked_method()?;
    request.runner.check_resume()?;
    super::threads(request.runner.threads)?;
    if let Method::Sobol { .. } = method
        && !request.samples.is_power_of_two()
    {
        context.progress.note(&format!(
            "note: N = {} is not a power of 2; Sobol' sequences balance best at powers of 2",
            request.samples
        ));
    }
    if let Some(function) = request.function {
        return sensitivity_of_function(request, method, function, context);
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
    let built = std::cell::OnceCell::new();
    // The contrast's baseline runs first at every design point.
    let files: Vec<PathBuf> = request.baseline.iter().chain([scenario]).cloned().collect();
    let plan = || -> Result<(Plan, Option<String>)> {
        let overrides = request.runner.overrides();
        let sides = super::Sides::read(&files, &overrides)?;
        let labels = sides.labels.clone();
        let varies = parse_varies(&request.vary, &sides.sources[sides.sources.len() - 1])?;
        let metrics = run_level_metrics(&request.metrics, |m| m.sensitivity)?;
        let spec = Spec {
            method,
            samples: request.samples,
            bootstrap: request.bootstrap,
            seed: request.runner.seed,
            names: varies.iter().map(|v| v.key.clone()).collect(),
            ranges: varies.iter().map(|v| (v.lo, v.hi)).collect(),
        };
        check_design_size(&spec, files.len())?;
        let design = spec.design();
        let values = spec.point_values(&design, &varies);
        let n = values.len();
        let points = sides.at_points(&overrides, &request.vary, spec.names.clone(), &values)?;
        let mut info = spec.info(&metrics, None);
        info.baseline = request.baseline.as_ref().map(|_| labels[0].clone());
        let plan = Plan {
            command: ExperimentKind::Sensitivity,
            layout: points.layout,
            scenarios: points.scenarios,
            hashes: points.hashes,
            paths: points.paths,
            base_seed: request.runner.seed,
            reps: Reps::Fixed(request.reps),
            sample: method.name().into(),
            sensitivity: Some(info),
            resolved_toml: Vec::new(),
        };
        let note = if files.len() > 1 {
            format!(
                "{}: {} design points × 2 scenarios × {} replications; indices of the paired contrast {} − {}",
                method.name(),
                n,
                request.reps,
                labels[1],
                labels[0]
            )
        } else {
            format!(
                "{}: {} design points × {} replications",
                method.name(),
                n,
                request.reps
            )
        };
        let _ = built.set((spec, design, values, metrics));
        Ok((plan, Some(note)))
    };
    let analyse = |dir: &Path, experiment: &Experiment| {
        let Some((spec, design, values, metrics)) = built.get() else {
            return Ok((Vec::new(), Vec::new()));
        };
        if experiment.shard.is_some() {
            return Ok((Vec::new(), Vec::new()));
        }
        analyse_model_runs(
            spec,
            design,
            values,
            &experiment.layout,
            metrics,
            files.len() > 1,
            dir,
        )
    };
    let (experiment, (indices, noise)) = execute_noted(
        ExperimentKind::Sensitivity,
        &request.runner,
        context,
        plan,
        analyse,
    )?;
    let names = built
        .get()
        .map(|(spec, ..)| spec.names.clone())
        .unwrap_or_default();
    Ok(Sensitivity {
        method,
        names,
        indices,
        noise,
        evaluations: experiment.outcome.runs_done,
        experiment: Some(experiment),
        analytic: None,
    })
}

/// The sensitivity analysis of a test function.
fn sensitivity_of_function(
    request: &SensitivityRequest,
    method: Method,
    function: TestFunction,
    context: &Context,
) -> Result<Sensitivity> {
    let bad = |flag: &str, message: &str| -> Error { InputError::new(flag, message).into() };
    if !request.vary.is_empty() {
        return Err(bad(
            "--vary",
            "not with --function: a test function has its own inputs",
        ));
    }
    let runner = &request.runner;
    if request.scenario.is_some()
        || request.baseline.is_some()
        || !runner.set.is_empty()
        || runner.days.is_some()
    {
        return Err(bad(
            "--function",
            "evaluates the test function instead of a scenario: give no SCENARIO, --set or --days",
        ));
    }
    if request.metrics.iter().any(|m| m != "y") {
        return Err(bad("--metric", "a test function has one output, `y`"));
    }
    let spec = spec_of_function(request, method, function);
    check_design_size(&spec, 1)?;
    let (out, _temporary) = match &runner.out {
        Some(out) => {
            super::own_folder(
                out,
                crate::report::results::FolderKind::Experiment,
                "sensitivity",
            )?;
            (out.clone(), None)
        }
        None => {
            let dir = temporary_dir(ExperimentKind::Sensitivity)?;
            (dir.clone(), Some(TemporaryDir(dir)))
        }
    };
    super::writable(&out)?;
    if out.join("manifest.json").exists() {
        return Err(bad(
            &out.display().to_string(),
            "already holds an experiment; choose another --out",
        ));
    }
    let lock = FolderLock::acquire(&out)?;
    let indices = analyse_function(&spec, function, &out, context.command_line.clone())?;
    drop(lock);
    Ok(Sensitivity {
        method,
        evaluations: spec.design().unit.len(),
        names: spec.names,
        indices: vec![("y".into(), indices)],
        noise: Vec::new(),
        experiment: None,
        analytic: Some(function.analytic()),
    })
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
/// The design's points, each run for `scenarios` scenarios, fit the limit.
fn check_design_size(spec: &Spec, scenarios: usize) -> Result<()> {
    match spec.design_points().and_then(|n| n.checked_mul(scenarios)) {
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

impl SensitivityRequest {
    /// The method with its settings, after checking the sizes asked for.
    pub fn checked_method(&self) -> Result<Method> {
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
