//! Writing results: CSV and JSON are built as bytes, then each file is written
//! to a temporary name in the output folder and renamed, so that an
//! interrupted run never leaves a half-written file.

use std::io;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::run::RunOutput;
use crate::scenario::ResolvedScenario;

/// Provenance of a run, written as `manifest.json`.
#[derive(Debug, Clone, Serialize)]
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
        }
    }
}

/// Serializes `rows` as CSV with a header.
pub fn csv_bytes<T: Serialize>(rows: &[T]) -> Result<Vec<u8>, csv::Error> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    for row in rows {
        writer.serialize(row)?;
    }
    writer
        .into_inner()
        .map_err(|e| csv::Error::from(e.into_error()))
}

/// A CSV file of text fields built row by row in memory, so that no table of
/// rows needs to be held.
pub struct CsvBuilder(csv::Writer<Vec<u8>>);

impl CsvBuilder {
    /// A file with this header.
    pub fn new<S: AsRef<str>>(header: &[S]) -> Self {
        let mut writer = csv::Writer::from_writer(Vec::new());
        // Writing into a Vec cannot fail.
        let _ = writer.write_record(header.iter().map(AsRef::as_ref));
        Self(writer)
    }

    /// Appends one row.
    pub fn push<S: AsRef<str>>(&mut self, row: &[S]) {
        let _ = self.0.write_record(row.iter().map(AsRef::as_ref));
    }

    /// The file's bytes.
    pub fn bytes(self) -> Vec<u8> {
        self.0.into_inner().unwrap_or_default()
    }
}

/// The CSV header and the fields of each row, as the CSV files hold them.
pub fn csv_fields<T: Serialize>(rows: &[T]) -> Result<(Vec<String>, Vec<Vec<String>>), csv::Error> {
    let bytes = csv_bytes(rows)?;
    let mut reader = csv::Reader::from_reader(bytes.as_slice());
    let header = reader.headers()?.iter().map(String::from).collect();
    let mut out = Vec::with_capacity(rows.len());
    for record in reader.records() {
        out.push(record?.iter().map(String::from).collect());
    }
    Ok((header, out))
}

/// Formats a float for CSV: shortest exact decimal, empty for NaN (NA).
pub fn format_float(x: f64) -> String {
    if x.is_finite() {
        format!("{x}")
    } else {
        String::new()
    }
}

/// Writes `bytes` to `path` through a temporary file in the same folder.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = path.with_file_name(format!(".{name}.tmp"));
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path)
}

/// Creates `dir` (and parents) and checks it can be written.
pub fn prepare_dir(dir: &Path) -> io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let probe = dir.join(".govsim-write-check");
    std::fs::write(&probe, b"")?;
    std::fs::remove_file(probe)
}

/// Writes `timeseries.csv`, `summary.csv` and `manifest.json` into `dir`.
/// Returns the paths written.
pub fn write_run(dir: &Path, output: &RunOutput, manifest: &Manifest) -> io::Result<Vec<PathBuf>> {
    let to_io = |e: csv::Error| io::Error::other(e.to_string());
    let files = [
        ("timeseries.csv", csv_bytes(&output.rows).map_err(to_io)?),
        (
            "summary.csv",
            csv_bytes(std::slice::from_ref(&output.summary)).map_err(to_io)?,
        ),
        (
            "manifest.json",
            serde_json::to_vec_pretty(manifest).map_err(io::Error::other)?,
        ),
    ];
    let mut written = Vec::new();
    for (name, bytes) in files {
        let path = dir.join(name);
        write_atomic(&path, &bytes)?;
        written.push(path);
    }
    Ok(written)
}

/// Why the report could not be written.
#[derive(Debug)]
pub enum ReportError {
    /// The folder is not an experiment's (bad input).
    Input(crate::scenario::InputError),
    /// Drawing or writing failed.
    Runtime(String),
}

/// Draws every plot (`plots/*.svg`, `plots/*.png`) and `report.html` of the
/// experiment in `dir`, from its files alone. Returns the report's path.
pub fn write_report(dir: &Path) -> Result<PathBuf, ReportError> {
    let results = crate::results::load(dir).map_err(ReportError::Input)?;
    let plot_dir = dir.join("plots");
    std::fs::create_dir_all(&plot_dir)
        .map_err(|e| ReportError::Runtime(format!("{}: {e}", plot_dir.display())))?;
    let plots = crate::plots::all_plots(&results, Some(&plot_dir))
        .map_err(|e| ReportError::Runtime(format!("drawing plots: {e}")))?;
    for plot in &plots {
        let path = plot_dir.join(format!("{}.svg", plot.stem));
        write_atomic(&path, plot.svg.as_bytes())
            .map_err(|e| ReportError::Runtime(format!("{}: {e}", path.display())))?;
    }
    let html = crate::html::report_html(&results, &plots);
    let path = dir.join("report.html");
    write_atomic(&path, html.as_bytes())
        .map_err(|e| ReportError::Runtime(format!("{}: {e}", path.display())))?;
    Ok(path)
}
