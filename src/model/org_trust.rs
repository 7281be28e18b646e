//! Trust between organizations that have met (design 4.5): a sparse,
//! symmetric table.
//!
//! Each pair is kept once, in the row of its lower organization, and rows
//! are sorted by the higher one. A lookup is a binary search in one short
//! row, and going through the rows in order visits the pairs in the order
//! (lower, higher), so a sum over them is the same to the bit whatever the
//! order in which the pairs met.

/// Trust of each pair of organizations that met.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OrgTrust {
    /// Row a: every b with a < b that met a, sorted, and the pair's trust
    /// (apart, so that a search reads only the short keys).
    rows: Vec<Row>,
    pairs: usize,
}

/// One organization's partners above it, sorted, and the pairs' trust.
#[derive(Debug, Clone, Default, PartialEq)]
struct Row {
    partners: Vec<u32>,
    trust: Vec<f64>,
}

impl OrgTrust {
    /// Trust between `a` and `b` (either order), if they ever met.
    #[inline]
    pub fn get(&self, a: u32, b: u32) -> Option<f64> {
        let (low, high) = (a.min(b), a.max(b));
        let row = self.rows.get(low as usize)?;
        row.partners.binary_search(&high).ok().map(|k| row.trust[k])
    }

    /// The trust of pair (`a`, `b`), first set to `initial` if they never met.
    pub fn get_or_insert(&mut self, a: u32, b: u32, initial: f64) -> &mut f64 {
        let (low, high) = (a.min(b) as usize, a.max(b));
        if self.rows.len() <= low {
            self.rows.resize_with(low + 1, Row::default);
        }
        let row = &mut self.rows[low];
        let k = match row.partners.binary_search(&high) {
            Ok(k) => k,
            Err(k) => {
                row.partners.insert(k, high);
                row.trust.insert(k, initial);
                self.pairs += 1;
                k
            }
        };
        &mut row.trust[k]
    }

    /// Pairs that met.
    pub fn len(&self) -> usize {
        self.pairs
    }

    /// Whether no pair has met.
    pub fn is_empty(&self) -> bool {
        self.pairs == 0
    }

    /// Applies `change` to the trust of every pair.
    pub fn update_all(&mut self, change: impl Fn(f64) -> f64) {
        for row in &mut self.rows {
            for t in &mut row.trust {
                *t = change(*t);
            }
        }
    }

    /// The trust of every pair, in the order (lower, higher).
    pub fn values(&self) -> impl Iterator<Item = f64> + '_ {
        self.rows.iter().flat_map(|row| row.trust.iter().copied())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seeds::{Purpose, stream};
    use rand::RngExt;
    use std::collections::BTreeMap;

    /// Random meetings in any order: the same pairs, values and order of
    /// values as an ordered map keyed (lower, higher).
    #[test]
    fn behaves_as_an_ordered_map_of_pairs() {
        let mut rng = stream(9, Purpose::Events, 0);
        let mut table = OrgTrust::default();
        let mut map = BTreeMap::new();
        for _ in 0..5000 {
            let (a, b) = (rng.random_range(0..300u32), rng.random_range(0..300u32));
            if a == b {
                continue;
            }
            let gain = rng.random::<f64>();
            let t = table.get_or_insert(a, b, 0.5);
            *t += gain * (1.0 - *t);
            let m = map.entry((a.min(b), a.max(b))).or_insert(0.5);
            *m += gain * (1.0 - *m);
            let (c, d) = (rng.random_range(0..320u32), rng.random_range(0..320u32));
            assert_eq!(table.get(c, d), map.get(&(c.min(d), c.max(d))).copied());
        }
        assert_eq!(table.len(), map.len());
        assert!(!table.is_empty());
        let listed: Vec<f64> = table.values().collect();
        let expected: Vec<f64> = map.values().copied().collect();
        assert_eq!(listed, expected);
    }
}
