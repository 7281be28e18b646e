//! Ties between residents: a Watts–Strogatz small world inside each community,
//! stored as compressed sparse rows (CSR) over all residents.

use rand::RngExt;
use rand_chacha::ChaCha8Rng;

/// Ties of every resident: `targets[offsets[i]..offsets[i + 1]]` are resident i's ties.
#[derive(Debug, Clone, Default)]
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
    if n < 2 || k == 0 {
        return adj;
    }
    let half = (k / 2).min((n - 1) / 2).max(1);
    for i in 0..n {
        for step in 1..=half {
            let mut j = (i + step) % n;
            if rng.random::<f64>() < p {
                // Rewire to a random other resident not yet tied to i.
                for _ in 0..8 {
                    let c = rng.random_range(0..n);
                    if c != i && !adj[i as usize].contains(&(first + c)) {
                        j = c;
                        break;
                    }
                }
            }
            if j != i && !adj[i as usize].contains(&(first + j)) {
                adj[i as usize].push(first + j);
                adj[j as usize].push(first + i);
            }
        }
    }
    adj
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::rng::{Purpose, stream};

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
