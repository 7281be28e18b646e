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
    if results::is_calibration(dir) {
        let _lock = crate::util::files::FolderLock::acquire(dir)?;
        return write_calibration_report(dir, raster);
    }
    if crate::report::results::is_run(dir) {
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

/// Writes `report.html` into `dir`; returns its path.
pub fn write_page(dir: &Path, html: &str) -> Result<PathBuf, Error> {
    let path = dir.join("report.html");
    crate::util::files::write_atomic(&path, html.as_bytes())
        .map_err(|e| Error::runtime(path.display(), e))?;
    Ok(path)
}
