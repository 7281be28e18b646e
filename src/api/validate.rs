//! Validation as a typed request: pattern files (`validation/*.toml`), each
//! an experiment on the one runner and claims about it, judged with 95%
//! intervals.

use std::path::PathBuf;

use super::{Context, ExperimentKind, TemporaryDir};
use crate::error::{Error, InputError, Result};
use crate::experiment::validation::{ClaimResult, Pattern};
use crate::experiment::{self, Options};
use crate::metrics::Summary;
use crate::store::manifest::{PatternEntry, ValidationManifest};
use crate::util::files::{FolderLock, csv_fields};

/// `validate`: pattern files, or folders of them.
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
    /// Output folder to write and keep; none: a temporary folder.
    pub out: Option<PathBuf>,
    /// Continue the validation in `out`: finished patterns are read back,
    /// a stopped one goes on from its runs.
    pub resume: bool,
    /// Memory limit in bytes of the runs held at once.
    pub max_memory: Option<u64>,
}

/// A validation done: every pattern read, every claim judged.
#[derive(Debug, Clone)]
pub struct Validation {
    /// The patterns, in file order.
    pub patterns: Vec<Pattern>,
    /// Every claim of every pattern: expected, measured with its 95%
    /// interval, and the verdict in words (`validation.csv`).
    pub results: Vec<ClaimResult>,
}

/// Every pattern file's experiment run on the one runner (each in a folder
/// of its own under `out`, or under a temporary folder), its claims judged
/// with 95% intervals; with a folder, `validation.csv` and `report.html`
/// written there. Whether patterns hold or not, it succeeds; it fails only
/// if a pattern cannot be read or run.
pub fn validate(request: &ValidateRequest, context: &Context) -> Result<Validation> {
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
        super::in_lever_range("--days", "sim.days", f64::from(days), &days.to_string())?;
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
    let (dir, _temporary) = match &request.out {
        Some(dir) => {
            super::own_folder(
                dir,
                crate::report::results::FolderKind::Validation,
                "validate",
            )?;
            (dir.clone(), None)
        }
        None => {
            let dir = super::temporary_dir(ExperimentKind::Compare)?;
            (dir.clone(), Some(TemporaryDir(dir)))
        }
    };
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
    super::writable(&dir)?;
    let lock = FolderLock::acquire(&dir)?;
    let threads = super::threads(request.threads)?;
    let mut results = Vec::new();
    for (i, pattern) in patterns.iter().enumerate() {
        let out = dir.join(&pattern.stem);
        let options = Options {
            resume: request.resume && out.join("manifest.json").exists(),
            out: out.clone(),
            threads,
            shard: None,
            series_all: false,
            command_line: context.command_line.clone(),
        };
        super::check_plan_memory(&pattern.plan, &options, request.max_memory)?;
        context.progress.note(&format!(
            "validate {}/{}: {} ({})",
            i + 1,
            patterns.len(),
            crate::util::safe_text::for_terminal(&pattern.name),
            pattern.plan.describe()
        ));
        experiment::execute(&pattern.plan, &options, context.stop, context.progress)?;
        results.extend(val::judge_pattern(pattern, &out)?);
    }
    let entries = patterns
        .iter()
        .map(|p| PatternEntry {
            stem: p.stem.clone(),
            path: std::path::absolute(&p.path)
                .unwrap_or(p.path.clone())
                .display()
                .to_string(),
            sha256: p.sha256.clone(),
        })
        .collect();
    let manifest = ValidationManifest {
        govsim_version: env!("CARGO_PKG_VERSION").into(),
        command: "validate".into(),
        reps: request.reps,
        days: request.days,
        patterns: entries,
    };
    crate::report::write_validation_files(&dir, &manifest, &patterns, &results)?;
    drop(lock);
    Ok(Validation { patterns, results })
}
