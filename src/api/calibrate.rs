//! Calibration as a typed request: ABC-SMC over levers of a scenario
//! against run-level targets, the posterior and its predictive check in
//! memory, each generation written as soon as it is done.

use std::fmt::Write as _;
use std::ops::ControlFlow;
use std::path::PathBuf;
use std::sync::atomic::Ordering;

use super::{
    Context, ExperimentKind, TemporaryDir, check_memory, memory_limit, temporary_dir, write_file,
};
use crate::analysis::calibrate::{Generation, Marginal, Prior};
use crate::error::{Error, InputError, Result};
use crate::experiment::calibration::Target;
use crate::experiment::design;
use crate::report::plots::Predictive;
use crate::scenario::ScenarioSource;
use crate::util::files::{FolderLock, format_float};

/// `calibrate`: levers of a scenario fitted to run-level targets.
#[derive(Debug, Clone)]
pub struct CalibrateRequest {
    /// The scenario file.
    pub scenario: PathBuf,
    /// Its overrides, `KEY=VALUE`.
    pub set: Vec<String>,
    /// The calibrated levers and their uniform priors, `KEY=LO..HI`.
    pub vary: Vec<String>,
    /// Targets, `METRIC=VALUE[±SD]`.
    pub targets: Vec<String>,
    /// A TOML file of more targets (`[[target]]` with metric, value, sd,
    /// source).
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
    /// Threads (default: all cores; results do not depend on them).
    pub threads: Option<usize>,
    /// Memory limit in bytes of the runs held at once (one per thread);
    /// default: the machine's memory.
    pub max_memory: Option<u64>,
    /// Output folder to write and keep; none: a temporary folder.
    pub out: Option<PathBuf>,
    /// Continue the calibration in `out` from its last whole generation.
    pub resume: bool,
}

/// A calibration done.
#[derive(Debug, Clone)]
pub struct Calibration {
    /// The calibrated levers and their priors.
    pub priors: Vec<Prior>,
    /// The targets, with the SD each distance is scaled by.
    pub targets: Vec<Target>,
    /// Each lever's marginal posterior: mean, median, 95% credible interval.
    pub marginals: Vec<Marginal>,
    /// Every generation (the last is the posterior).
    pub generations: Vec<Generation>,
    /// The targets' metrics at 40 particles drawn from the posterior.
    pub predictive: Vec<Predictive>,
    /// The folder it was written to, when one was asked for.
    pub dir: Option<PathBuf>,
}

/// ABC-SMC over levers of a scenario against targets; writes
/// `posterior.csv`, `generations.csv`, `calibration.csv`, `calibrated.toml`,
/// `predictive.csv`, the plots, `report.html` and `manifest.json` into the
/// folder (a temporary one without `out`), each generation as soon as it
/// is done. A stop (the context's flag) ends it between batches of
/// proposals: the unfinished generation is dropped, the whole ones are
/// kept for `resume`.
pub fn calibrate(request: &CalibrateRequest, context: &Context) -> Result<Calibration> {
    use crate::analysis::calibrate::{Prior, Settings};
    use crate::experiment::calibration as cal;
    let source = ScenarioSource::read(&request.scenario)?;
    let mut overrides = request.set.clone();
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
    let days = resolved.scenario.sim.days;
    for t in &targets {
        t.check_days(days).map_err(|m| bad("--target", m))?;
    }
    if let Some(file) = &request.targets_file {
        targets.extend(cal::read_targets(file, days)?);
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
        // A prior narrower than the floats can resolve gives weights and
        // plots no finite scale (issue 29, item 11): such a lever is fixed.
        let scale = v.lo.abs().max(v.hi.abs()).max(1.0);
        if (v.hi - v.lo) < 1e-9 * scale {
            return Err(bad(
                "--vary",
                format!(
                    "`{}`: the prior {}..{} is narrower than 1e-9 of its scale; fix the lever with --set instead",
                    v.key, v.lo, v.hi
                ),
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
    let threads = super::threads(request.threads)?;
    let settings = Settings {
        samples: request.samples,
        generations: request.generations,
        quantile: 0.5,
        min_acceptance: 0.01,
        batch: (threads * 8).max(16),
        max_proposals: request.samples * 200,
        seed: request.seed,
    };
    check_memory(
        &[&resolved.scenario],
        &request.scenario.display().to_string(),
        threads,
        memory_limit(request.max_memory),
    )?;
    if request.resume && request.out.is_none() {
        return Err(bad(
            "--resume",
            "needs --out DIR: the folder of the calibration to continue".into(),
        ));
    }
    let (dir, _temporary) = match &request.out {
        Some(dir) => {
            super::own_folder(
                dir,
                crate::report::results::FolderKind::Calibration,
                "calibrate",
            )?;
            (dir.clone(), None)
        }
        None => {
            let dir = temporary_dir(ExperimentKind::Compare)?;
            (dir.clone(), Some(TemporaryDir(dir)))
        }
    };
    let key = serde_json::json!({
        "command": "calibrate",
        "scenario_sha256": resolved.sha256,
        "vary": request.vary,
        "targets": targets.iter().map(|t| format!("{}={}±{:?}", t.name(), t.value, t.sd)).collect::<Vec<_>>(),
        "samples": request.samples,
        "reps": request.reps,
        "seed": request.seed,
    });
    let held = dir.join("generations.csv").exists();
    let done = if request.resume {
        let text = |name: &str| {
            crate::util::files::read_text(
                &dir.join(name),
                name,
                crate::experiment::MAX_MANIFEST_BYTES,
            )
        };
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
    super::writable(&dir)?;
    let lock = FolderLock::acquire(&dir)?;
    let manifest = serde_json::json!({
        "govsim_version": env!("CARGO_PKG_VERSION"),
        "scenario_path": request.scenario.display().to_string(),
        "overrides": overrides,
        "generations": request.generations,
        "threads_do_not_matter": true,
        "key": key,
    });
    write_file(
        &dir.join("manifest.json"),
        &serde_json::to_vec_pretty(&manifest).unwrap_or_default(),
    )?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| Error::runtime(format!("cannot start {threads} threads"), e))?;
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
    let stopped = || context.stop.load(Ordering::SeqCst);
    // Once stopped, the rest of the generation is not simulated: its
    // distances are NaN, and the generation is dropped, not written.
    let evaluate = |thetas: &[Vec<f64>], seeds: &[u64]| {
        if stopped() {
            vec![f64::NAN; thetas.len()]
        } else {
            calibration.distances(&pool, &scales, thetas, seeds)
        }
    };
    let total = request.generations as u64 + 1;
    context.progress.start(total, done.len() as u64);
    let generations = crate::analysis::calibrate::run(&bare, &settings, &evaluate, done, |g| {
        if stopped() {
            return ControlFlow::Break(());
        }
        so_far.push(g.clone());
        if let Err(e) = cal::write_generations(&dir, &bare, &so_far) {
            failed.get_or_insert(e);
            return ControlFlow::Break(());
        }
        context.progress.advance();
        ControlFlow::Continue(())
    });
    if let Some(e) = failed {
        context.progress.stopped();
        return Err(Error::Runtime(format!(
            "cannot write {}: {e}",
            dir.display()
        )));
    }
    if stopped() {
        context.progress.stopped();
        return Err(Error::Interrupted {
            done: generations.len(),
        });
    }
    context.progress.finished();
    let last = generations
        .last()
        .ok_or_else(|| Error::Runtime("no generation".into()))?;
    let (table, marginals) = cal::summary_table(&bare, last);
    write_file(&dir.join("calibration.csv"), table.as_bytes())?;
    let (identification, correlations) = cal::identification_tables(&bare, last, &marginals);
    write_file(&dir.join("identification.csv"), identification.as_bytes())?;
    write_file(&dir.join("correlations.csv"), correlations.as_bytes())?;
    let calibrated = cal::calibrated_scenario(
        &std::path::absolute(&request.scenario).unwrap_or(request.scenario.clone()),
        &request.set,
        &priors,
        &marginals,
    );
    write_file(&dir.join("calibrated.toml"), calibrated.as_bytes())?;
    // The posterior predictive: the targets' metrics at 40 particles drawn
    // from the posterior, each with seeds of its own.
    let simulated = calibration.predictive(&pool, last, 40);
    let mut csv = String::from("draw,metric,value\n");
    for (k, row) in simulated.iter().enumerate() {
        for (t, v) in targets.iter().zip(row) {
            let _ = writeln!(csv, "{k},{},{}", t.name(), format_float(*v));
        }
    }
    write_file(&dir.join("predictive.csv"), csv.as_bytes())?;
    let predictive: Vec<crate::report::plots::Predictive> = targets
        .iter()
        .enumerate()
        .map(|(k, t)| crate::report::plots::Predictive {
            metric: t.name(),
            target: t.value,
            sd: t.sd,
            simulated: simulated
                .iter()
                .map(|r| r[k])
                .filter(|v| v.is_finite())
                .collect(),
        })
        .collect();
    // The report is drawn from the files just written, as `govsim report`
    // redraws it.
    crate::report::write_calibration_report(&dir, crate::report::plots::Raster::Png)?;
    drop(lock);
    Ok(Calibration {
        priors: bare,
        targets,
        marginals,
        generations,
        predictive,
        dir: request.out.clone(),
    })
}
