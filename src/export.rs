//! The export wing on top: an experiment folder's files in, plots and
//! `report.html` out. It reads files only (through [`crate::results`]),
//! never the model or the experiment runner.

use std::path::{Path, PathBuf};

use crate::error::Error;

/// Draws every plot (`plots/*.svg`, `plots/*.png`) and `report.html` of the
/// experiment in `dir`, from its files alone. Returns the report's path.
pub fn write_report(dir: &Path) -> Result<PathBuf, Error> {
    if crate::results::is_run(dir) {
        return write_run_report(dir);
    }
    let results = crate::results::load(dir).map_err(Error::Input)?;
    let _lock = crate::files::FolderLock::acquire(dir)?;
    let plot_dir = dir.join("plots");
    std::fs::create_dir_all(&plot_dir)
        .map_err(|e| Error::Runtime(format!("{}: {e}", plot_dir.display())))?;
    let plots = crate::plots::all_plots(&results, Some(&plot_dir))
        .map_err(|e| Error::Runtime(format!("drawing plots: {e}")))?;
    for plot in &plots {
        let path = plot_dir.join(format!("{}.svg", plot.stem));
        crate::files::write_atomic(&path, plot.svg.as_bytes())
            .map_err(|e| Error::Runtime(format!("{}: {e}", path.display())))?;
    }
    let html = crate::html::report_html(&results, &plots);
    let path = dir.join("report.html");
    crate::files::write_atomic(&path, html.as_bytes())
        .map_err(|e| Error::Runtime(format!("{}: {e}", path.display())))?;
    Ok(path)
}

/// Draws the plots (`plots/*.svg`, `plots/*.png`) and `report.html` of the
/// single run in `dir`, from its files alone. Returns the report's path.
pub fn write_run_report(dir: &Path) -> Result<PathBuf, Error> {
    let results = crate::results::load_run(dir).map_err(Error::Input)?;
    let _lock = crate::files::FolderLock::acquire(dir)?;
    let plot_dir = dir.join("plots");
    std::fs::create_dir_all(&plot_dir).map_err(|e| Error::runtime(plot_dir.display(), e))?;
    let plots = crate::plots::run_plots(&results, Some(&plot_dir))
        .map_err(|e| Error::runtime("drawing plots", e))?;
    for plot in &plots {
        let path = plot_dir.join(format!("{}.svg", plot.stem));
        crate::files::write_atomic(&path, plot.svg.as_bytes())
            .map_err(|e| Error::runtime(path.display(), e))?;
    }
    let html = crate::html::run_report_html(&results, &plots);
    let path = dir.join("report.html");
    crate::files::write_atomic(&path, html.as_bytes())
        .map_err(|e| Error::runtime(path.display(), e))?;
    Ok(path)
}
