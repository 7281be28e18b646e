//! The file layer at the bottom: CSV built as bytes in memory, and files
//! written whole through a temporary name (flushed, then renamed), so that an
//! interrupted run never leaves a half-written file. It knows nothing of the
//! model, experiments or reports.

use std::io::{self, Write as _};
use std::path::Path;

use serde::Serialize;

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

/// Writes `bytes` to `path` through a temporary file in the same folder,
/// flushed to disk before it is renamed (and the folder after), so that
/// `path` holds either its old bytes or all the new ones, also after a power
/// loss; on failure the temporary file is removed.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    write_atomic_streamed(path, |writer| writer.write_all(bytes))
}

/// Like [`write_atomic`], for a file too large to build in memory: `write`
/// streams its bytes into the temporary file (buffered).
pub fn write_atomic_streamed(
    path: &Path,
    write: impl FnOnce(&mut dyn io::Write) -> io::Result<()>,
) -> io::Result<()> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = path.with_file_name(format!(".{name}.tmp"));
    let written = (|| {
        let mut writer = io::BufWriter::new(std::fs::File::create(&tmp)?);
        write(&mut writer)?;
        let file = writer
            .into_inner()
            .map_err(io::IntoInnerError::into_error)?;
        file.sync_all()?;
        drop(file);
        std::fs::rename(&tmp, path)
    })();
    if written.is_err() {
        // No half-written temporary file is left behind.
        let _ = std::fs::remove_file(&tmp);
        return written;
    }
    // The rename itself reaches the disk with the folder's entry.
    if let Some(folder) = path.parent().filter(|p| !p.as_os_str().is_empty())
        && let Ok(folder) = std::fs::File::open(folder)
    {
        let _ = folder.sync_all();
    }
    Ok(())
}

/// Creates `dir` (and parents) and checks it can be written.
pub fn prepare_dir(dir: &Path) -> io::Result<()> {
    std::fs::create_dir_all(dir)?;
    // One probe per process: two commands started at once on the same new
    // folder must not remove each other's probe; the lock taken next then
    // names the other writer (issue 29, item 14).
    let probe = dir.join(format!(".govsim-write-check-{}", std::process::id()));
    std::fs::write(&probe, b"")?;
    std::fs::remove_file(probe)
}

/// Why a folder could not be locked (bad input: exit 2).
#[derive(Debug, Clone, PartialEq)]
pub struct LockRefused {
    /// The folder.
    pub folder: String,
    /// Who holds it, or what failed.
    pub message: String,
}

/// The lock file of an output folder.
pub const LOCK_FILE: &str = ".govsim.lock";

/// An exclusive lock on an output folder, held while one command writes
/// into it (one writer per folder); released when dropped or when the
/// process ends, however it ends.
#[derive(Debug)]
pub struct FolderLock {
    _file: std::fs::File,
}

impl FolderLock {
    /// Locks `dir` (which must exist) for this process, or says who holds
    /// it: the process id and command line the holder wrote into the lock
    /// file.
    pub fn acquire(dir: &Path) -> Result<Self, LockRefused> {
        let refused = |message: String| LockRefused {
            folder: dir.display().to_string(),
            message,
        };
        let path = dir.join(LOCK_FILE);
        let mut file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(|e| refused(format!("cannot open {LOCK_FILE}: {e}")))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                let holder = read_text(&path, "lock file", 4096).unwrap_or_default();
                let holder = holder.trim();
                let holder = if holder.is_empty() {
                    "unknown process"
                } else {
                    holder
                };
                return Err(refused(format!(
                    "is being written by another govsim ({holder}); wait for it to finish or choose another --out"
                )));
            }
            Err(std::fs::TryLockError::Error(e)) => {
                return Err(refused(format!("cannot lock {LOCK_FILE}: {e}")));
            }
        }
        let holder = format!(
            "pid {}: {}",
            std::process::id(),
            std::env::args_os()
                .map(|a| a.to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join(" ")
        );
        let _ = file.set_len(0);
        let _ = file.write_all(holder.as_bytes());
        Ok(Self { _file: file })
    }
}

/// The text of a regular file (not a device, a FIFO or a folder, which could
/// block or never end) of at most `max` bytes, read with that bound even if
/// the file grows after its size was checked. `what` names the file in the
/// message (`scenario file`, `pattern file`, …).
pub fn read_text(path: &Path, what: &str, max: u64) -> Result<String, String> {
    let bytes = read_bytes(path, what, max)?;
    String::from_utf8(bytes).map_err(|_| format!("cannot read {what}: not UTF-8 text"))
}

/// The bytes of a regular file (not a device, a pipe or a folder, which can
/// block or never end) of at most `max` bytes, read with that bound even if
/// the file grows after its size was checked: every file read back from an
/// output folder goes through here or [`read_text`].
pub fn read_bytes(path: &Path, what: &str, max: u64) -> Result<Vec<u8>, String> {
    use std::io::Read as _;
    let mut bytes = Vec::new();
    open_checked(path, what, max)?
        .take(max + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read {what}: {e}"))?;
    if bytes.len() as u64 > max {
        return Err(format!("{what} longer than {max} bytes"));
    }
    Ok(bytes)
}

/// A reader of a regular file of at most `max` bytes, for a table too large
/// to hold in memory: the same checks as [`read_bytes`], and reads stop at
/// the bound even if the file grows after its size was checked (the caller
/// then sees a truncated last row, or the rows up to the bound).
pub fn open_bounded(path: &Path, what: &str, max: u64) -> Result<impl std::io::Read, String> {
    use std::io::Read as _;
    Ok(io::BufReader::new(open_checked(path, what, max)?.take(max)))
}

/// `path` opened, if it is a regular file (not a device, a pipe or a folder,
/// which can block or never end) of at most `max` bytes now.
fn open_checked(path: &Path, what: &str, max: u64) -> Result<std::fs::File, String> {
    let meta = std::fs::metadata(path).map_err(|e| format!("cannot read {what}: {e}"))?;
    if !meta.is_file() {
        return Err(format!("cannot read {what}: not a regular file"));
    }
    if meta.len() > max {
        return Err(format!("{what} of {} bytes: at most {max}", meta.len()));
    }
    std::fs::File::open(path).map_err(|e| format!("cannot read {what}: {e}"))
}

/// The largest table read back from an output folder (`runs.csv`, the
/// checkpoint, a summary): a million runs of a few kilobytes each.
pub const MAX_TABLE_BYTES: u64 = 4 << 30;

/// The 1-based line of byte `offset` in `text`.
pub fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

/// A TOML file of at most `max` bytes read into `T` (unknown keys are
/// refused where `T` says so), and its text for finding the lines of keys
/// later; every failure names the file and, for malformed or unexpected
/// content, the line.
pub fn read_toml<T: serde::de::DeserializeOwned>(
    path: &Path,
    what: &str,
    max: u64,
) -> Result<(T, String), crate::error::InputError> {
    let name = path.display().to_string();
    let text = read_text(path, what, max).map_err(|m| crate::error::InputError::new(&name, m))?;
    let value = toml::from_str(&text).map_err(|e| crate::error::InputError {
        file: name,
        key: None,
        line: e.span().map(|s| line_of(&text, s.start)),
        message: e.message().to_string(),
    })?;
    Ok((value, text))
}

/// The SHA-256 of `bytes`, in hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
