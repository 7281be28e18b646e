//! What an experiment keeps on disk while it runs: `runs.csv`, appended and
//! flushed as runs finish, and `checkpoint.txt`, the exact time-series sums
//! of the runs done so far. Both are enough to resume after a crash and to
//! merge shards.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::{File, OpenOptions};
use std::io::{self, BufWriter};
use std::path::Path;

use crate::util::files::write_atomic;

/// A run of an experiment: (point, replication).
pub type RunId = (u32, u32);

/// Values are summed as integers of this many units per 1, so that sums are
/// exact and do not depend on the order in which runs finish.
const QUANTUM: f64 = 1e6;

/// The fields of one row of `runs.csv`, kept as one string (fields separated
/// by the ASCII unit separator) so that a table of many runs stays small.
#[derive(Debug, Clone, PartialEq)]
pub struct Row(Box<str>);

const UNIT_SEPARATOR: char = '\u{1f}';

impl Row {
    /// A row of these fields.
    pub fn new<S: AsRef<str>>(fields: &[S]) -> Self {
        let joined: Vec<&str> = fields.iter().map(AsRef::as_ref).collect();
        Self(joined.join(&UNIT_SEPARATOR.to_string()).into_boxed_str())
    }

    /// Its fields.
    pub fn fields(&self) -> impl Iterator<Item = &str> {
        self.0.split(UNIT_SEPARATOR)
    }

    /// Field `i`, empty if there is none.
    pub fn field(&self, i: usize) -> &str {
        self.fields().nth(i).unwrap_or("")
    }
}

/// The rows of `runs.csv`, keyed by run.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RunsTable {
    /// Column names.
    pub header: Vec<String>,
    /// Each run's row.
    pub rows: BTreeMap<RunId, Row>,
}

impl RunsTable {
    /// The index of column `name`, or an error naming the missing column.
    pub fn column(&self, name: &str) -> Result<usize, crate::error::Error> {
        self.header
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| crate::error::Error::Runtime(format!("runs.csv has no column {name}")))
    }

    /// The replication numbers present, sorted, each once.
    pub fn replications(&self) -> Vec<u32> {
        let mut r: Vec<u32> = self.rows.keys().map(|&(_, rep)| rep).collect();
        r.sort_unstable();
        r.dedup();
        r
    }

    /// Reads `runs.csv`; a last line cut short by a crash (no final newline,
    /// or too few fields) is dropped. `id_of` finds the run of a row.
    pub fn read(path: &Path, id_of: impl Fn(&[String]) -> Option<RunId>) -> io::Result<Self> {
        let mut bytes =
            crate::util::files::read_bytes(path, "runs.csv", crate::util::files::MAX_TABLE_BYTES)
                .map_err(io::Error::other)?;
        // Every complete row ends with a newline; a row written half-way does not,
        // even when its last field happens to look complete.
        let complete = bytes.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        bytes.truncate(complete);
        Self::parse(&bytes, id_of)
    }

    fn parse(bytes: &[u8], id_of: impl Fn(&[String]) -> Option<RunId>) -> io::Result<Self> {
        let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(bytes);
        let header: Vec<String> = reader
            .headers()
            .map_err(io::Error::other)?
            .iter()
            .map(String::from)
            .collect();
        let mut rows = BTreeMap::new();
        for record in reader.records() {
            let Ok(record) = record else { break };
            let fields: Vec<String> = record.iter().map(String::from).collect();
            if fields.len() != header.len() {
                break;
            }
            if let Some(id) = id_of(&fields) {
                rows.insert(id, Row::new(&fields));
            }
        }
        Ok(Self { header, rows })
    }

    /// The table as CSV, rows in run order.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut writer = csv::Writer::from_writer(Vec::new());
        let _ = writer.write_record(&self.header);
        for row in self.rows.values() {
            let _ = writer.write_record(row.fields());
        }
        writer.into_inner().unwrap_or_default()
    }
}

/// `runs.csv` open for appending: one flushed line per finished run.
pub struct RunsAppender {
    writer: csv::Writer<BufWriter<File>>,
}

impl RunsAppender {
    /// Rewrites `path` with `table` (atomically), then opens it for appending.
    pub fn start(path: &Path, table: &RunsTable) -> io::Result<Self> {
        write_atomic(path, &table.to_bytes())?;
        let file = OpenOptions::new().append(true).open(path)?;
        let writer = csv::WriterBuilder::new()
            .has_headers(false)
            .from_writer(BufWriter::new(file));
        Ok(Self { writer })
    }

    /// Appends one row and flushes it to the file.
    pub fn append(&mut self, row: &[String]) -> io::Result<()> {
        self.writer.write_record(row).map_err(io::Error::other)?;
        self.writer.flush()
    }
}

/// Exact sums of one (point, recorded row, metric) cell over runs.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Cell {
    /// Runs with a value (NA not counted).
    pub n: u64,
    /// Sum of values, in quanta.
    pub sum: i128,
    /// Sum of squared values, in quanta².
    pub sumsq: i128,
}

impl Cell {
    /// Mean and sample variance.
    pub fn moments(&self) -> (f64, f64) {
        let n = self.n as f64;
        let mean = self.sum as f64 / n / QUANTUM;
        let var = if self.n > 1 {
            ((self.sumsq as f64 - (self.sum as f64).powi(2) / n) / (n - 1.0) / (QUANTUM * QUANTUM))
                .max(0.0)
        } else {
            f64::NAN
        };
        (mean, var)
    }
}

/// Time-series sums of every point, and which runs they include.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SeriesSums {
    /// Metric names (time-series columns but `day`).
    pub metrics: Vec<String>,
    /// Recorded days of each point.
    pub days: BTreeMap<u32, Vec<u32>>,
    /// Cells of each point: `cells[point][row * metrics + metric]`.
    pub cells: BTreeMap<u32, Vec<Cell>>,
    /// Runs included.
    pub done: BTreeSet<RunId>,
}

impl SeriesSums {
    /// Adds one run's time series (`header` names the columns; the first is `day`).
    pub fn add(&mut self, id: RunId, header: &[String], rows: &[Vec<String>]) {
        if self.metrics.is_empty() {
            self.metrics = header[1..].to_vec();
        }
        let m = self.metrics.len();
        let days = self
            .days
            .entry(id.0)
            .or_insert_with(|| rows.iter().map(|r| r[0].parse().unwrap_or(0)).collect());
        let cells = self
            .cells
            .entry(id.0)
            .or_insert_with(|| vec![Cell::default(); days.len() * m]);
        for (r, row) in rows.iter().enumerate().take(days.len()) {
            for (k, field) in row[1..].iter().enumerate().take(m) {
                if let Ok(v) = field.parse::<f64>() {
                    let q = (v * QUANTUM).round() as i128;
                    let cell = &mut cells[r * m + k];
                    cell.n += 1;
                    cell.sum += q;
                    cell.sumsq += q * q;
                }
            }
        }
        self.done.insert(id);
    }

    /// Adds another set of sums (a shard); fails if both include a run.
    pub fn merge(&mut self, other: SeriesSums) -> Result<(), String> {
        if let Some(id) = self.done.intersection(&other.done).next() {
            return Err(format!(
                "run (point {}, replication {}) is in two shards",
                id.0, id.1
            ));
        }
        if self.metrics.is_empty() {
            self.metrics = other.metrics.clone();
        }
        for (point, cells) in other.cells {
            match self.cells.get_mut(&point) {
                Some(mine) if mine.len() == cells.len() => {
                    for (a, b) in mine.iter_mut().zip(cells) {
                        a.n += b.n;
                        a.sum += b.sum;
                        a.sumsq += b.sumsq;
                    }
                }
                Some(_) => {
                    return Err(format!(
                        "point {point} has different recorded days in two shards"
                    ));
                }
                None => {
                    self.cells.insert(point, cells);
                }
            }
        }
        for (point, days) in other.days {
            self.days.entry(point).or_insert(days);
        }
        self.done.extend(other.done);
        Ok(())
    }

    /// The sums as text (see `docs/experiments.md`).
    pub fn to_text(&self) -> String {
        let mut out = String::from("govsim-series-sums 1\n");
        out.push_str(&format!("metrics\t{}\n", self.metrics.join("\t")));
        let done: Vec<String> = self.done.iter().map(|(p, r)| format!("{p}:{r}")).collect();
        out.push_str(&format!("done\t{}\n", done.join("\t")));
        for (point, days) in &self.days {
            let days: Vec<String> = days.iter().map(u32::to_string).collect();
            out.push_str(&format!("days\t{point}\t{}\n", days.join("\t")));
        }
        for (point, cells) in &self.cells {
            for (i, c) in cells.iter().enumerate() {
                if c.n > 0 {
                    out.push_str(&format!(
                        "cell\t{point}\t{i}\t{}\t{}\t{}\n",
                        c.n, c.sum, c.sumsq
                    ));
                }
            }
        }
        out
    }

    /// Reads what [`SeriesSums::to_text`] wrote.
    pub fn from_text(text: &str) -> Result<Self, String> {
        let mut lines = text.lines();
        if lines.next() != Some("govsim-series-sums 1") {
            return Err("not a govsim checkpoint".into());
        }
        let mut sums = SeriesSums::default();
        let bad = |line: &str| format!("unreadable checkpoint line: {line}");
        for line in lines {
            let fields: Vec<&str> = line.split('\t').collect();
            match fields[0] {
                "metrics" => {
                    sums.metrics = fields[1..]
                        .iter()
                        .filter(|s| !s.is_empty())
                        .map(|s| s.to_string())
                        .collect()
                }
                "done" => {
                    for item in fields[1..].iter().filter(|s| !s.is_empty()) {
                        let (p, r) = item.split_once(':').ok_or_else(|| bad(line))?;
                        sums.done.insert((
                            p.parse().map_err(|_| bad(line))?,
                            r.parse().map_err(|_| bad(line))?,
                        ));
                    }
                }
                "days" => {
                    let point: u32 = fields
                        .get(1)
                        .and_then(|p| p.parse().ok())
                        .ok_or_else(|| bad(line))?;
                    let days: Result<Vec<u32>, _> = fields[2..].iter().map(|d| d.parse()).collect();
                    let days = days.map_err(|_| bad(line))?;
                    let m = sums.metrics.len();
                    sums.cells
                        .insert(point, vec![Cell::default(); days.len() * m]);
                    sums.days.insert(point, days);
                }
                "cell" if fields.len() == 6 => {
                    let point: u32 = fields[1].parse().map_err(|_| bad(line))?;
                    let i: usize = fields[2].parse().map_err(|_| bad(line))?;
                    let cell = Cell {
                        n: fields[3].parse().map_err(|_| bad(line))?,
                        sum: fields[4].parse().map_err(|_| bad(line))?,
                        sumsq: fields[5].parse().map_err(|_| bad(line))?,
                    };
                    let cells = sums.cells.get_mut(&point).ok_or_else(|| bad(line))?;
                    *cells.get_mut(i).ok_or_else(|| bad(line))? = cell;
                }
                _ => return Err(bad(line)),
            }
        }
        Ok(sums)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn series(values: &[&str]) -> (Vec<String>, Vec<Vec<String>>) {
        let header = vec!["day".to_string(), "x".to_string()];
        let rows = values
            .iter()
            .enumerate()
            .map(|(d, v)| vec![(d + 1).to_string(), v.to_string()])
            .collect();
        (header, rows)
    }

    #[test]
    fn sums_do_not_depend_on_order_and_survive_text() {
        let runs = [
            series(&["0.1", "0.7"]),
            series(&["0.30000000000000004", ""]),
            series(&["0.2", "0.9"]),
        ];
        let mut forward = SeriesSums::default();
        for (r, (h, rows)) in runs.iter().enumerate() {
            forward.add((0, r as u32), h, rows);
        }
        let mut backward = SeriesSums::default();
        for (r, (h, rows)) in runs.iter().enumerate().rev() {
            backward.add((0, r as u32), h, rows);
        }
        assert_eq!(forward, backward);
        assert_eq!(SeriesSums::from_text(&forward.to_text()).unwrap(), forward);
        let (mean, var) = forward.cells[&0][0].moments();
        assert!(
            (mean - 0.2).abs() < 1e-12 && (var - 0.01).abs() < 1e-12,
            "{mean} {var}"
        );
        assert_eq!(forward.cells[&0][1].n, 2, "NA is not counted");
    }

    #[test]
    fn a_row_cut_short_by_a_crash_is_dropped() {
        let dir = std::env::temp_dir().join(format!("govsim-store-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("runs.csv");
        let id = |row: &[String]| Some((row[0].parse().ok()?, row[1].parse().ok()?));
        // The last row has every field but its value is cut: 0.12 written as 0.1.
        std::fs::write(&path, "point,rep,value\n0,0,0.5\n0,1,0.1").unwrap();
        let table = RunsTable::read(&path, id).unwrap();
        assert_eq!(table.rows.len(), 1);
        assert!(table.rows.contains_key(&(0, 0)));
        std::fs::write(&path, "point,rep,value\n0,0,0.5\n0,1,0.12\n0,2").unwrap();
        assert_eq!(RunsTable::read(&path, id).unwrap().rows.len(), 2);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn shards_merge_to_the_whole_and_refuse_overlap() {
        let (h, a) = series(&["1", "2"]);
        let (_, b) = series(&["3", "5"]);
        let mut whole = SeriesSums::default();
        whole.add((0, 0), &h, &a);
        whole.add((0, 1), &h, &b);
        let mut left = SeriesSums::default();
        left.add((0, 0), &h, &a);
        let mut right = SeriesSums::default();
        right.add((0, 1), &h, &b);
        left.merge(right.clone()).unwrap();
        assert_eq!(left, whole);
        assert!(left.merge(right).is_err());
    }
}
