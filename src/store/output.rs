//! The files of one run: `timeseries.csv`, `summary.csv` and its
//! `manifest.json` (provenance), each written whole through the file layer.

use std::io;
use std::path::{Path, PathBuf};

use crate::run::RunOutput;
use crate::store::manifest::Manifest;
use crate::util::files::{csv_bytes, write_atomic};

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
