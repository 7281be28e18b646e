//! Every command of the binary: a typed request (what the command line
//! said) in, the work done through the typed API ([`crate::api`]), the text
//! to print out. The binary only turns flags into requests, passes its
//! progress bar and its Ctrl-C flag, prints what comes back and exits with
//! the error's code.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::time::SystemTime;

use crate::analysis::sensitivity::Index;
use crate::api::{self, Runner};
use crate::error::{Error, InputError, Result};
use crate::experiment::Outcome;
use crate::scenario::{ResolvedScenario, load_scenario};
use crate::util::files::format_float;

/// A scenario file and `--set` overrides.
#[derive(Debug, Clone, Default)]
pub struct ScenarioRequest {
    /// Scenario TOML file.
    pub scenario: PathBuf,
    /// Overrides `KEY=VALUE`, in order.
    pub set: Vec<String>,
    /// Memory limit in bytes; default: the machine's memory.
    pub max_memory: Option<u64>,
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

/// `govsim check`: the scenario fully resolved, as TOML.
pub fn check(request: &ScenarioRequest) -> Result<String> {
    let resolved = load(request, &[])?;
    api::check_scenario_memory(&resolved, request.max_memory)?;
    Ok(resolved.resolved_toml)
}

/// `govsim run`: one run written to its folder; returns the summary to print.
pub fn run(request: &RunRequest, command_line: Vec<String>) -> Result<String> {
    let mut extra = Vec::new();
    if let Some(seed) = request.seed {
        api::in_lever_range("--seed", "sim.seed", seed as f64, &seed.to_string())?;
        extra.push(format!("sim.seed={seed}"));
    }
    if let Some(days) = request.days {
        api::in_lever_range("--days", "sim.days", f64::from(days), &days.to_string())?;
        extra.push(format!("sim.days={days}"));
    }
    let resolved = load(&request.scenario, &extra)?;
    let dir = request
        .out
        .clone()
        .unwrap_or_else(|| default_out_dir(&request.scenario.scenario));
    let (output, wall) = api::run_scenario(
        &resolved,
        request.threads,
        request.scenario.max_memory,
        Some((&dir, command_line)),
    )?;
    let mut text = crate::app::summary::summary_text(&resolved, &output, wall);
    let _ = writeln!(text, "results: {}", dir.display());
    text.push_str(&report(&dir)?);
    Ok(text)
}

/// `govsim compare`: the scenarios side by side over replications with
/// common random numbers; returns what to print.
pub fn compare(request: &api::CompareRequest, context: &api::Context) -> Result<String> {
    let mut request = request.clone();
    let out;
    (request.runner, out) = with_output_folder(&request.runner, "compare")?;
    let result = api::compare(&request, context)?;
    finish("compare", &result.outcome, &out, request.reps.precision())
}

/// `govsim decompose`: the difference TARGET − BASE of each metric
/// attributed to groups of the levers in which they differ (Shapley values
/// over every combination of groups, with paired replications).
pub fn decompose(request: &api::DecomposeRequest, context: &api::Context) -> Result<String> {
    let mut request = request.clone();
    let out;
    (request.runner, out) = with_output_folder(&request.runner, "decompose")?;
    let result = api::decompose(&request, context)?;
    if result.experiment.shard.is_some() {
        return Ok("shard done: merge the shards with `govsim merge`, then rerun this command with --out the merged folder and --resume to attribute the differences\n".into());
    }
    let mut text = format!(
        "decompose: {} runs, {} replications per combination\n",
        result.experiment.outcome.runs_done, result.experiment.outcome.reps
    );
    text.push_str(&crate::experiment::decomposition::table(
        &result.groups,
        &result.attribution,
    ));
    for metric in &result.left_out {
        let _ = writeln!(
            text,
            "{metric}: left out, undefined in some combination in every replication (e.g. party legitimacy where a combination has no party committee)"
        );
    }
    let _ = writeln!(text, "results: {}", out.display());
    text.push_str(&report(&out)?);
    Ok(text)
}

/// `govsim sweep`: levers varied over a grid or a Latin hypercube.
pub fn sweep(request: &api::SweepRequest, context: &api::Context) -> Result<String> {
    let mut request = request.clone();
    let out;
    (request.runner, out) = with_output_folder(&request.runner, "sweep")?;
    let result = api::sweep(&request, context)?;
    finish("sweep", &result.outcome, &out, request.reps.precision())
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
    let context = api::Context {
        command_line,
        ..api::Context::quiet()
    };
    let outcome = api::merge(dirs, out, allow_partial, &context)?;
    if outcome.kind == crate::store::manifest::ExperimentKind::Sensitivity {
        return Ok(format!(
            "merge: {} runs in {}\ncompute the indices with the same `govsim sensitivity` command and `--out {} --resume`\n",
            outcome.runs_done,
            out.display(),
            out.display()
        ));
    }
    finish("merge", &outcome, out, None)
}

/// `govsim calibrate`: ABC-SMC over levers of a scenario against targets;
/// the folder gets every generation as soon as it is done, then the
/// posterior's summary, its predictive check, plots and a report.
pub fn calibrate(request: &api::CalibrateRequest, context: &api::Context) -> Result<String> {
    let mut request = request.clone();
    // A new folder unless one is named (resuming needs one: the API says so).
    if request.out.is_none() && !request.resume {
        request.out = Some(default_out_dir(&request.scenario));
    }
    let result = api::calibrate(&request, context)?;
    let dir = request.out.unwrap_or_default();
    let last = result
        .generations
        .last()
        .ok_or_else(|| Error::Runtime("no generation".into()))?;
    let mut text = format!(
        "calibrate: {} generations, tolerance {} after {} proposals in the last (acceptance {:.3})\n",
        result.generations.len(),
        format_float(last.epsilon),
        last.proposals,
        last.acceptance()
    );
    let _ = writeln!(
        text,
        "{:<44} {:>10} {:>10} {:>23}",
        "lever", "mean", "median", "95% credible interval"
    );
    for (p, m) in result.priors.iter().zip(&result.marginals) {
        let _ = writeln!(
            text,
            "{:<44} {:>10.4} {:>10.4}   [{:>9.4}, {:>9.4}]",
            crate::util::safe_text::for_terminal(&p.name),
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
pub fn validate(request: &api::ValidateRequest, context: &api::Context) -> Result<String> {
    let mut request = request.clone();
    // A new folder unless one is named (resuming needs one: the API says so).
    if request.out.is_none() && !request.resume {
        request.out = Some(new_out_dir("validate"));
    }
    let result = api::validate(&request, context)?;
    let dir = request.out.unwrap_or_default();
    let mut text = validation_table(&result.patterns, &result.results);
    let held = result
        .results
        .iter()
        .filter(|r| r.verdict.holds == Some(true))
        .count();
    let _ = writeln!(
        text,
        "validate: {held} of {} claims hold ({} patterns); results: {}",
        result.results.len(),
        result.patterns.len(),
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
        let s = crate::util::safe_text::for_terminal(s);
        if s.chars().count() > n {
            format!("{}…", s.chars().take(n - 1).collect::<String>())
        } else {
            s
        }
    };
    let rows: Vec<[String; 6]> = results
        .iter()
        .map(|r| {
            let p = patterns.iter().find(|p| p.stem == r.pattern);
            [
                r.pattern.clone(),
                short(p.map_or("", |p| p.source.as_str()), 40),
                short(&r.claim.expected, 70),
                r.claim.claim.tests().to_string(),
                val::measured(&r.verdict),
                r.verdict.reading.to_string(),
            ]
        })
        .collect();
    let head = [
        "pattern",
        "source",
        "expected",
        "tests",
        "measured [95%]",
        "verdict",
    ];
    let widths: Vec<usize> = (0..6)
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
    config: &crate::app::serve::Config,
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
    let server = crate::app::serve::Server::bind(config).map_err(Error::Runtime)?;
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
    let path = crate::report::write_report(dir)?;
    Ok(format!("report: {}\n", path.display()))
}

/// `govsim sensitivity`: Morris screening or Sobol' indices of levers of a
/// scenario, or of a test function with known indices.
pub fn sensitivity(request: &api::SensitivityRequest, context: &api::Context) -> Result<String> {
    let mut request = request.clone();
    let out;
    (request.runner, out) = with_output_folder(&request.runner, "sensitivity")?;
    let result = api::sensitivity(&request, context)?;
    if let Some((s1, st)) = &result.analytic {
        let mut text = format!(
            "{} on {} ({} evaluations)\n",
            result.method.name(),
            request.function.map_or("", |f| f.name()),
            result.evaluations
        );
        let (metric, indices) = &result.indices[0];
        text.push_str(&indices_table(
            &result.names,
            metric,
            indices,
            Some((s1, st)),
        ));
        let _ = writeln!(text, "results: {}", out.display());
        text.push_str(&report(&out)?);
        return Ok(text);
    }
    if result
        .experiment
        .as_ref()
        .is_some_and(|e| e.shard.is_some())
    {
        return Ok("shard done: merge the shards with `govsim merge`, then rerun this command with --out the merged folder and --resume to compute the indices\n".into());
    }
    let mut text = String::new();
    for (metric, indices) in &result.indices {
        text.push_str(&indices_table(&result.names, metric, indices, None));
    }
    for n in &result.noise {
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

/// `request` with its output folder filled in: `--out`, or a new folder
/// under `output/` named after the command (`--resume` needs `--out`).
fn with_output_folder(runner: &Runner, stem: &str) -> Result<(Runner, PathBuf)> {
    runner.check_resume()?;
    let out = runner.out.clone().unwrap_or_else(|| new_out_dir(stem));
    let runner = Runner {
        out: Some(out.clone()),
        ..runner.clone()
    };
    Ok((runner, out))
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
