//! The report wing on top: an output folder's files in ([`results`]), plots
//! ([`plots`], drawn on SVG and PNG by [`png_backend`]) and pages ([`html`])
//! out. It reads files only, never the model or the experiment runner.
//! Drawing returns bytes; [`write_plots`] and [`write_page`] are the one
//! writer of plot files and pages.

pub mod html;
pub mod plots;
pub mod png_backend;
pub mod results;

use std::path::{Path, PathBuf};

use crate::error::Error;
use crate::report::plots::{Plot, Raster};

/// Draws every plot (`plots/*.svg`, `plots/*.png`) and `report.html` of the
/// experiment or run in `dir`, from its files alone. Returns the report's
/// path.
pub fn write_report(dir: &Path) -> Result<PathBuf, Error> {
    write_report_with(dir, Raster::Png)
}

/// [`write_report`], with the plots rasterised to PNG or not: the page
/// embeds the SVG drawings, so [`Raster::SvgOnly`] gives the same
/// `report.html` without the PNG files, in a fraction of the time.
pub fn write_report_with(dir: &Path, raster: Raster) -> Result<PathBuf, Error> {
    let kind = results::folder_kind(dir);
    if kind == results::FolderKind::Validation {
        let _lock = crate::util::files::FolderLock::acquire(dir)?;
        return write_validation_report(dir).map(|_| dir.join("report.html"));
    }
    if kind == results::FolderKind::Calibration {
        let _lock = crate::util::files::FolderLock::acquire(dir)?;
        return write_calibration_report(dir, raster);
    }
    if kind == results::FolderKind::Run {
        let results = crate::report::results::load_run(dir).map_err(Error::Input)?;
        let _lock = crate::util::files::FolderLock::acquire(dir)?;
        let plots = crate::report::plots::run_plots(&results, raster)
            .map_err(|e| Error::runtime("drawing plots", e))?;
        write_plots(&dir.join("plots"), &plots)?;
        return write_page(dir, &crate::report::html::run_report_html(&results, &plots));
    }
    let results = crate::report::results::load(dir).map_err(Error::Input)?;
    let _lock = crate::util::files::FolderLock::acquire(dir)?;
    let plots = crate::report::plots::all_plots(&results, raster)
        .map_err(|e| Error::runtime("drawing plots", e))?;
    write_plots(&dir.join("plots"), &plots)?;
    write_page(dir, &crate::report::html::report_html(&results, &plots))
}

/// Draws a calibration's plots and `report.html` from its files alone:
/// each lever's marginal posterior, the pairs, the predictive check and the
/// tolerance by generation. The caller holds the folder's lock.
pub fn write_calibration_report(dir: &Path, raster: Raster) -> Result<PathBuf, Error> {
    let r = results::load_calibration(dir).map_err(Error::Input)?;
    let plots = plots::calibration_plots(&r.priors, &r.generations, &r.predictive, raster)
        .map_err(|e| Error::runtime("drawing plots", e))?;
    write_plots(&dir.join("plots"), &plots)?;
    let last = r.generations.last().expect("loaded with a generation");
    let marginals: Vec<_> = (0..r.priors.len())
        .map(|i| crate::analysis::calibrate::marginal(last, i))
        .collect();
    write_page(
        dir,
        &html::calibration_report_html(
            &r.scenario_path,
            &r.priors,
            &marginals,
            &r.generations,
            &r.predictive,
            &plots,
        ),
    )
}

/// Judges a validation's patterns again from the runs its folder keeps (the
/// pattern files must be as they were: their SHA-256 is in the manifest)
/// and writes `validation.csv` and `report.html`. The caller holds the
/// folder's lock.
pub fn write_validation_report(
    dir: &Path,
) -> Result<
    (
        Vec<crate::experiment::validation::Pattern>,
        Vec<crate::experiment::validation::ClaimResult>,
    ),
    Error,
> {
    use crate::experiment::validation as val;
    let manifest = results::load_validation(dir).map_err(Error::Input)?;
    let (metrics, _) =
        crate::util::files::csv_fields(std::slice::from_ref(&crate::metrics::Summary::default()))
            .map_err(|e| Error::runtime("the summary's columns", e))?;
    let mut patterns = Vec::new();
    let mut claims = Vec::new();
    for entry in &manifest.patterns {
        let path = Path::new(&entry.path);
        let pattern = val::read_pattern(path, manifest.reps, manifest.days, &metrics)?;
        if pattern.sha256 != entry.sha256 {
            return Err(Error::Input(crate::error::InputError::new(
                &entry.path,
                "the pattern file changed since this validation ran: run govsim validate again",
            )));
        }
        if pattern.stem != entry.stem {
            return Err(Error::Input(crate::error::InputError::new(
                dir.join("manifest.json").display().to_string(),
                format!("pattern `{}` is kept as `{}`", entry.path, entry.stem),
            )));
        }
        claims.extend(val::judge_pattern(&pattern, &dir.join(&pattern.stem))?);
        patterns.push(pattern);
    }
    write_validation_files(dir, &manifest, &patterns, &claims)?;
    Ok((patterns, claims))
}

/// Writes each plot's `<stem>.png` (when drawn) and `<stem>.svg` into
/// `plot_dir`, each whole through a temporary file: never a half-written
/// file, and a full disk is an error in words naming the file.
pub fn write_plots(plot_dir: &Path, plots: &[Plot]) -> Result<(), Error> {
    std::fs::create_dir_all(plot_dir).map_err(|e| Error::runtime(plot_dir.display(), e))?;
    for plot in plots {
        if let Some(png) = &plot.png {
            let path = plot_dir.join(format!("{}.png", plot.stem));
            crate::util::files::write_atomic(&path, png).map_err(|e| {
                Error::runtime(format!("drawing plots: writing {}", path.display()), e)
            })?;
        }
    }
    for plot in plots {
        let path = plot_dir.join(format!("{}.svg", plot.stem));
        crate::util::files::write_atomic(&path, plot.svg.as_bytes())
            .map_err(|e| Error::runtime(path.display(), e))?;
    }
    Ok(())
}

/// Writes a validation's `manifest.json`, `validation.csv` and
/// `report.html` into `dir`: what `govsim validate` writes after its runs,
/// and `govsim report` again from them.
pub fn write_validation_files(
    dir: &Path,
    manifest: &crate::store::manifest::ValidationManifest,
    patterns: &[crate::experiment::validation::Pattern],
    results: &[crate::experiment::validation::ClaimResult],
) -> Result<(), Error> {
    use crate::experiment::validation as val;
    let json = serde_json::to_vec_pretty(manifest)
        .map_err(|e| Error::runtime("the validation's manifest", e))?;
    crate::api::write_file(&dir.join("manifest.json"), &json)?;
    write_file(
        &dir.join("validation.csv"),
        &val::validation_csv(patterns, results),
    )?;
    write_page(dir, &html::validation_report_html(patterns, results))?;
    Ok(())
}

/// Writes a whole file through a temporary one (fsync, rename); a failure
/// is a run-time error naming the file.
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    crate::util::files::write_atomic(path, bytes).map_err(|e| Error::runtime(path.display(), e))
}

/// Writes `report.html` into `dir`; returns its path.
pub fn write_page(dir: &Path, html: &str) -> Result<PathBuf, Error> {
    let path = dir.join("report.html");
    crate::util::files::write_atomic(&path, html.as_bytes())
        .map_err(|e| Error::runtime(path.display(), e))?;
    Ok(path)
}
