//! Ties between residents: a Watts–Strogatz small world inside each community,
//! stored as compressed sparse rows (CSR) over all residents.

use rand::RngExt;
use rand_chacha::ChaCha8Rng;

/// Ties of every resident: `targets[offsets[i]..offsets[i + 1]]` are resident i's ties.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Ties {
    /// Start of each resident's row; one more entry than residents.
    pub offsets: Vec<u32>,
    /// Tied residents, row after row.
    pub targets: Vec<u32>,
}

impl Ties {
    /// An empty network with no residents.
    pub fn new() -> Self {
        Self {
            offsets: vec![0],
            targets: Vec::new(),
        }
    }

    /// The ties of resident `i`.
    #[inline]
    pub fn of(&self, i: usize) -> &[u32] {
        &self.targets[self.offsets[i] as usize..self.offsets[i + 1] as usize]
    }

    /// How many of resident `i`'s ties are marked in `marks` (0 or 1 per
    /// resident), e.g. took part.
    #[inline]
    pub fn count_marked(&self, i: usize, marks: &[u8]) -> u32 {
        self.of(i)
            .iter()
            .map(|&j| u32::from(marks[j as usize]))
            .sum()
    }

    /// Appends a row for the next resident.
    pub fn push_row(&mut self, row: &[u32]) {
        self.targets.extend_from_slice(row);
        self.offsets.push(self.targets.len() as u32);
    }
}

/// Watts–Strogatz edges among `n` residents numbered from `first`: a ring where
/// each is tied to its k/2 nearest on each side, each edge rewired with
/// probability p to a uniformly drawn resident (no self-ties, no duplicates).
/// Returns one adjacency list per resident (symmetric).
pub fn watts_strogatz(first: u32, n: u32, k: u32, p: f64, rng: &mut ChaCha8Rng) -> Vec<Vec<u32>> {
    let mut adj: Vec<Vec<u32>> = (0..n).map(|_| Vec::with_capacity(k as usize)).collect();
    let done = small_world(&mut adj, first, n, k, p, rng);
    debug_assert!(done.is_ok(), "lists never fill up");
    adj
}

/// The rows of one ring's small world ([`watts_strogatz`]'s ties, from the
/// same random draws), before they are written into a district's [`Ties`].
/// Rows are first built in slots of a fixed size, one block of memory for
/// the whole ring; in the rare ring where a row outgrows its slot, the
/// random stream is rewound and the ring built again as lists.
pub(in crate::model) struct SmallWorld {
    rows: BuiltRows,
}

/// Where a [`SmallWorld`]'s rows were built.
enum BuiltRows {
    Slots(Slots),
    Lists(Vec<Vec<u32>>),
}

impl SmallWorld {
    /// The small world of `n` residents numbered from `first`, `k` ties
    /// each before rewiring with probability `p`, from `rng`.
    pub(in crate::model) fn new(first: u32, n: u32, k: u32, p: f64, rng: &mut ChaCha8Rng) -> Self {
        let rewind = rng.clone();
        let mut slots = Slots::new(n as usize, k as usize + 8);
        let rows = if small_world(&mut slots, first, n, k, p, rng).is_ok() {
            BuiltRows::Slots(slots)
        } else {
            *rng = rewind;
            BuiltRows::Lists(watts_strogatz(first, n, k, p, rng))
        };
        Self { rows }
    }

    /// The ties of the ring's `i`-th resident.
    fn row(&self, i: usize) -> &[u32] {
        match &self.rows {
            BuiltRows::Slots(slots) => slots.row(i),
            BuiltRows::Lists(lists) => &lists[i],
        }
    }

    /// How many rows it has.
    fn rows(&self) -> usize {
        match &self.rows {
            BuiltRows::Slots(slots) => slots.lengths.len(),
            BuiltRows::Lists(lists) => lists.len(),
        }
    }

    /// Writes its rows into a district's ties: the rows one after the other
    /// at the start of `room`, and each row's end into `ends`, counted from
    /// `start`, the place of `room[0]` in the district's ties. Returns how
    /// many ties it wrote: for an even `k`, at most `n·k`, the ring's lattice
    /// before rewiring (rewiring moves a tie or drops it, never adds one).
    ///
    /// # Panics
    /// If `ends` is not one entry per row, or `room` is too small.
    pub(in crate::model) fn write(&self, start: u32, ends: &mut [u32], room: &mut [u32]) -> usize {
        assert_eq!(ends.len(), self.rows(), "an end for each row");
        let mut at = 0;
        for (i, end) in ends.iter_mut().enumerate() {
            let row = self.row(i);
            room[at..at + row.len()].copy_from_slice(row);
            at += row.len();
            *end = start + at as u32;
        }
        at
    }
}

/// A row that has no room for another tie.
#[derive(Debug)]
struct Full;

/// Where the small world's rows grow.
trait Rows {
    fn contains(&self, i: usize, j: u32) -> bool;
    fn push(&mut self, i: usize, j: u32) -> Result<(), Full>;
}

impl Rows for Vec<Vec<u32>> {
    fn contains(&self, i: usize, j: u32) -> bool {
        self[i].contains(&j)
    }

    fn push(&mut self, i: usize, j: u32) -> Result<(), Full> {
        self[i].push(j);
        Ok(())
    }
}

/// Rows in slots of `size` entries each, with their lengths.
struct Slots {
    size: usize,
    lengths: Vec<usize>,
    entries: Vec<u32>,
}

impl Slots {
    fn new(n: usize, size: usize) -> Self {
        Self {
            size,
            lengths: vec![0; n],
            entries: vec![0; n * size],
        }
    }

    fn row(&self, i: usize) -> &[u32] {
        &self.entries[i * self.size..i * self.size + self.lengths[i]]
    }
}

impl Rows for Slots {
    fn contains(&self, i: usize, j: u32) -> bool {
        self.row(i).contains(&j)
    }

    fn push(&mut self, i: usize, j: u32) -> Result<(), Full> {
        let length = &mut self.lengths[i];
        if *length == self.size {
            return Err(Full);
        }
        self.entries[i * self.size + *length] = j;
        *length += 1;
        Ok(())
    }
}

/// The small world's construction, into any kind of rows.
fn small_world(
    adj: &mut impl Rows,
    first: u32,
    n: u32,
    k: u32,
    p: f64,
    rng: &mut ChaCha8Rng,
) -> Result<(), Full> {
    if n < 2 || k == 0 {
        return Ok(());
    }
    let half = (k / 2).min((n - 1) / 2).max(1);
    for i in 0..n {
        for step in 1..=half {
            // (i + step) mod n without a division: step < n.
            let mut j = i + step;
            if j >= n {
                j -= n;
            }
            if rng.random::<f64>() < p {
                // Rewire to a random other resident not yet tied to i.
                for _ in 0..8 {
                    let c = rng.random_range(0..n);
                    if c != i && !adj.contains(i as usize, first + c) {
                        j = c;
                        break;
                    }
                }
            }
            if j != i && !adj.contains(i as usize, first + j) {
                adj.push(i as usize, first + j)?;
                adj.push(j as usize, first + i)?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seeds::{Purpose, stream};

    #[test]
    fn lattice_without_rewiring_has_degree_k_and_is_symmetric() {
        let mut rng = stream(1, Purpose::Residents, 0);
        let adj = watts_strogatz(100, 50, 6, 0.0, &mut rng);
        for (i, row) in adj.iter().enumerate() {
            assert_eq!(row.len(), 6);
            for &j in row {
                assert!(adj[(j - 100) as usize].contains(&(100 + i as u32)));
            }
        }
    }

    /// Rows built in slots are the lists' rows, from the same draws, also
    /// when a row outgrows its slot (a small ring rewired completely, whose
    /// hub rows need the lists), and they are written where they are asked
    /// to go: after the ties before them, within the lattice's room.
    #[test]
    fn rows_in_slots_equal_the_lists() {
        for (n, k, p, seed) in [
            (1000, 6, 0.1, 1),
            (300, 8, 1.0, 2),
            (20_000, 10, 1.0, 3),
            (2, 4, 0.5, 4),
            (1, 6, 0.1, 5),
        ] {
            let mut a = stream(seed, Purpose::Residents, 0);
            let mut b = a.clone();
            let lists = watts_strogatz(7, n, k, p, &mut a);
            let world = SmallWorld::new(7, n, k, p, &mut b);
            // Three ties come before the ring's.
            let mut ends = vec![0u32; n as usize];
            let mut room = vec![u32::MAX; (n * k) as usize + 1];
            let written = world.write(3, &mut ends, &mut room[..(n * k) as usize]);
            assert_eq!(written, lists.iter().map(Vec::len).sum::<usize>());
            assert_eq!(room[(n * k) as usize], u32::MAX, "wrote past the room");
            let mut start = 0;
            for (i, row) in lists.iter().enumerate() {
                let end = ends[i] as usize - 3;
                assert_eq!(&room[start..end], &row[..], "n {n}, resident {i}");
                start = end;
            }
            assert_eq!(a.random::<u64>(), b.random::<u64>(), "streams part ways");
        }
    }

    /// The third ring of `rows_in_slots_equal_the_lists` (same seed) has a
    /// row that outgrows a slot of k + 8 ties: the case the lists handle.
    #[test]
    fn some_rows_outgrow_their_slot() {
        let mut rng = stream(3, Purpose::Residents, 0);
        let lists = watts_strogatz(7, 20_000, 10, 1.0, &mut rng);
        assert!(
            lists.iter().any(|row| row.len() > 18),
            "{:?}",
            lists.iter().map(Vec::len).max()
        );
    }

    #[test]
    fn rewiring_keeps_mean_degree_and_adds_long_ties() {
        let mut rng = stream(2, Purpose::Residents, 0);
        let n = 1000;
        let adj = watts_strogatz(0, n, 6, 0.2, &mut rng);
        let edges: usize = adj.iter().map(Vec::len).sum();
        let mean = edges as f64 / n as f64;
        assert!((5.5..=6.0).contains(&mean), "mean degree {mean}");
        let long = adj
            .iter()
            .enumerate()
            .flat_map(|(i, r)| r.iter().map(move |&j| (i as i64 - j as i64).abs()))
            .filter(|&d| d > 3 && d < n as i64 - 3)
            .count();
        assert!(long > edges / 10, "only {long} long ties of {edges}");
    }
}
