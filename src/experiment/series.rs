//! `series.csv`: every replication's recorded series in tidy long form, one
//! row per (run, recorded day, metric), written when an experiment is run
//! with `--series all`.
//!
//! While the experiment runs, each finished run's rows are appended as one
//! block to `series.partial.csv` and flushed before its `runs.csv` row, so a
//! run in `runs.csv` always has its whole block. Blocks are in the order runs
//! finish, which depends on threads; at the end the blocks are copied in run
//! order into `series.csv` (an index of blocks in memory, the rows streamed
//! from disk), so the file is the same for any thread count, resume or
//! shards. Memory stays one run's block, whatever the size of the file.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::{File, OpenOptions};
use std::io::{self, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use super::store::RunId;
use crate::util::files::{write_atomic, write_atomic_streamed};

/// The finished file.
pub const SERIES: &str = "series.csv";
/// The file runs append to while the experiment runs.
pub const PARTIAL: &str = "series.partial.csv";

/// Columns after the run's identifying columns.
const TAIL: [&str; 3] = ["day", "metric", "value"];

/// The header of `series.csv` for runs identified by `id_header`.
pub fn header(id_header: &[String]) -> Vec<String> {
    let mut h = id_header.to_vec();
    h.extend(TAIL.map(String::from));
    h
}

/// One run's rows in a file: where its block starts and ends.
#[derive(Debug, Clone, Copy)]
struct Block {
    source: usize,
    start: u64,
    end: u64,
}

/// The blocks of one file: its header, each run's block in file order, and
/// the byte where the readable part ends (a cut last line, a row that does
/// not parse, or a run's second block start there).
struct Scan {
    header: Vec<String>,
    blocks: Vec<(RunId, Block)>,
    readable_end: u64,
}

/// A file read back from an output folder, refused unless it is a regular
/// file (a link to a device or a pipe could block or never end).
fn open_regular(path: &Path) -> io::Result<File> {
    let file = File::open(path)?;
    if !file.metadata()?.is_file() {
        return Err(io::Error::other(format!(
            "{}: not a regular file",
            path.display()
        )));
    }
    Ok(file)
}

fn scan(
    path: &Path,
    source: usize,
    id_of: &dyn Fn(&[String]) -> Option<RunId>,
) -> io::Result<Scan> {
    let mut file = open_regular(path)?;
    // Only whole lines are read: a line cut by a crash has no newline yet.
    let whole_lines = whole_lines_length(&mut file)?;
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(io::BufReader::new(file).take(whole_lines));
    let header: Vec<String> = reader
        .headers()
        .map_err(io::Error::other)?
        .iter()
        .map(String::from)
        .collect();
    let mut blocks: Vec<(RunId, Block)> = Vec::new();
    let mut seen: BTreeSet<RunId> = BTreeSet::new();
    let mut record = csv::StringRecord::new();
    let mut readable_end = reader.position().byte();
    loop {
        let start = reader.position().byte();
        match reader.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) | Err(_) => break,
        }
        let end = reader.position().byte();
        let fields: Vec<String> = record.iter().map(String::from).collect();
        let id = (fields.len() == header.len())
            .then(|| id_of(&fields))
            .flatten();
        let Some(id) = id else { break };
        match blocks.last_mut() {
            Some((last, block)) if *last == id => block.end = end,
            _ => {
                if !seen.insert(id) {
                    break;
                }
                blocks.push((id, Block { source, start, end }));
            }
        }
        readable_end = end;
    }
    Ok(Scan {
        header,
        blocks,
        readable_end,
    })
}

/// The length of `file` up to and including its last newline; leaves the
/// file at its start.
fn whole_lines_length(file: &mut File) -> io::Result<u64> {
    let len = file.metadata()?.len();
    let mut end = len;
    let mut chunk = vec![0u8; 64 * 1024];
    while end > 0 {
        let start = end.saturating_sub(chunk.len() as u64);
        let part = &mut chunk[..(end - start) as usize];
        file.seek(SeekFrom::Start(start))?;
        file.read_exact(part)?;
        if let Some(i) = part.iter().rposition(|&b| b == b'\n') {
            end = start + i as u64 + 1;
            break;
        }
        end = start;
    }
    file.seek(SeekFrom::Start(0))?;
    Ok(end)
}

/// `series.partial.csv` open for appending, one flushed block per run.
pub struct SeriesAppender {
    writer: BufWriter<File>,
    path: PathBuf,
}

impl SeriesAppender {
    /// Opens `dir`'s partial file for an experiment whose runs are
    /// identified by `id_header` (`id_of` finds a row's run). Of a file left
    /// by an earlier start, the blocks of runs in `keep` are kept, the rest
    /// (a block cut by a crash, a run that will be run again) is cut off; a
    /// finished `series.csv` is taken up again. Returns the runs whose
    /// blocks are in the file: a run in `keep` but not among them must be
    /// run again.
    pub fn start(
        dir: &Path,
        id_header: &[String],
        keep: &BTreeSet<RunId>,
        id_of: &dyn Fn(&[String]) -> Option<RunId>,
    ) -> io::Result<(Self, BTreeSet<RunId>)> {
        let path = dir.join(PARTIAL);
        let finished = dir.join(SERIES);
        if !path.exists() && finished.exists() {
            std::fs::rename(&finished, &path)?;
        }
        let header = header(id_header);
        let mut present = BTreeSet::new();
        let mut cut_at = 0;
        if path.exists() {
            let scan = scan(&path, 0, id_of)?;
            if scan.header == header {
                cut_at = scan.readable_end;
                for (id, block) in &scan.blocks {
                    if !keep.contains(id) {
                        cut_at = block.start;
                        break;
                    }
                    present.insert(*id);
                }
            }
        }
        if cut_at == 0 {
            let mut bytes = Vec::new();
            write_row(&mut bytes, &header)?;
            write_atomic(&path, &bytes)?;
        } else {
            let file = OpenOptions::new().write(true).open(&path)?;
            file.set_len(cut_at)?;
            file.sync_all()?;
        }
        let file = OpenOptions::new().append(true).open(&path)?;
        Ok((
            Self {
                writer: BufWriter::new(file),
                path,
            },
            present,
        ))
    }

    /// Appends one run's block: for every recorded row of `rows` (columns
    /// named by `ts_header`, the first `day`) and every other column, a row
    /// of `id_fields`, the day, the column's name and its value. Flushed.
    pub fn append(
        &mut self,
        id_fields: &[String],
        ts_header: &[String],
        rows: &[Vec<String>],
    ) -> io::Result<()> {
        let mut block = Vec::new();
        {
            let mut writer = csv::WriterBuilder::new()
                .has_headers(false)
                .from_writer(&mut block);
            let mut record: Vec<&str> = Vec::with_capacity(id_fields.len() + 3);
            for row in rows {
                for (name, value) in ts_header.iter().zip(row).skip(1) {
                    record.clear();
                    record.extend(id_fields.iter().map(String::as_str));
                    record.push(&row[0]);
                    record.push(name);
                    record.push(value);
                    writer.write_record(&record).map_err(io::Error::other)?;
                }
            }
            writer.flush()?;
        }
        self.writer.write_all(&block)?;
        self.writer.flush()
    }

    /// Flushes and closes the file; returns its path.
    pub fn close(mut self) -> io::Result<PathBuf> {
        self.writer.flush()?;
        self.writer.get_ref().sync_all()?;
        Ok(self.path)
    }
}

fn write_row(out: &mut Vec<u8>, fields: &[String]) -> io::Result<()> {
    let mut writer = csv::Writer::from_writer(out);
    writer.write_record(fields).map_err(io::Error::other)?;
    writer.flush()
}

/// Writes `out` (atomically) with the blocks of `sources` in run order: the
/// experiment's own partial file, or the `series.csv` of each shard. Every
/// source must have the header of `id_header`, and no run may be in two.
/// Returns the runs written.
pub fn write_sorted(
    sources: &[PathBuf],
    id_header: &[String],
    out: &Path,
    id_of: &dyn Fn(&[String]) -> Option<RunId>,
) -> Result<BTreeSet<RunId>, String> {
    let header = header(id_header);
    let mut index: BTreeMap<RunId, Block> = BTreeMap::new();
    for (source, path) in sources.iter().enumerate() {
        let scan = scan(path, source, id_of).map_err(|e| format!("{}: {e}", path.display()))?;
        if scan.header != header {
            return Err(format!(
                "{}: columns differ from this experiment's series",
                path.display()
            ));
        }
        for (id, block) in scan.blocks {
            if index.insert(id, block).is_some() {
                return Err(format!(
                    "{}: run (point {}, replication {}) is in two series files",
                    path.display(),
                    id.0,
                    id.1
                ));
            }
        }
    }
    let mut files: Vec<File> = sources
        .iter()
        .map(|p| open_regular(p))
        .collect::<io::Result<_>>()
        .map_err(|e| e.to_string())?;
    let copy = |writer: &mut dyn Write| -> io::Result<()> {
        let mut head = Vec::new();
        write_row(&mut head, &header)?;
        writer.write_all(&head)?;
        let mut buffer = Vec::new();
        for block in index.values() {
            let file = &mut files[block.source];
            file.seek(SeekFrom::Start(block.start))?;
            buffer.resize((block.end - block.start) as usize, 0);
            file.read_exact(&mut buffer)?;
            writer.write_all(&buffer)?;
        }
        Ok(())
    };
    write_atomic_streamed(out, copy).map_err(|e| format!("writing {}: {e}", out.display()))?;
    Ok(index.keys().copied().collect())
}
