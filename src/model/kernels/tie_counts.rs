//! How many of each resident's ties took part on the latest day, kept up to
//! date instead of counted afresh.
//!
//! The residents built with a community are its first range, and their
//! Watts–Strogatz ties are symmetric and stay inside that range. So a
//! resident's count changes, from one day to the next, by the changes in
//! participation of its own ties. Most of those ties are ring-lattice
//! neighbours (a fraction `1 − ties_p` of them stays unrewired): for these a
//! bit per neighbour says whether the tie exists, and the update reads the
//! neighbours' changes at fixed distances, in order, many residents at once.
//! The other ties (rewired ones, and all of them in tiny communities) are kept
//! as a list of pairs. Newcomers, whose ties are one-way, are not counted here.
//!
//! To stay fast: the lattice part must stay a pass in memory order over
//! bytes (changes, bits, sums of changes), 32 residents to an AVX2
//! register, with the counts touched once. An update that visits only the
//! residents whose participation changed (about one in seventeen a day) was
//! tried in issue 30: it executed 5% fewer instructions in the pass but ran
//! 10% slower, its branches on each change being a coin flip to the
//! processor.

use super::disjoint::consecutive;
use crate::model::network::Ties;
use crate::model::world::Residents;

/// Lattice neighbours covered by the bits, on each side (the update below
/// is written out for four).
const REACH: usize = 4;

/// Residents whose sums of changes are made together before they go into
/// the counts.
const SUMS: usize = 256;

/// Counts of ties that took part, with what is needed to update them.
#[derive(Debug, Clone, Default)]
pub(in crate::model) struct TieCounts {
    /// For each resident built with the district, how many of its ties took
    /// part on the latest day whose changes of participation have moved
    /// them (a pass's changes move them after it: `Model::beside_tie_changes`).
    pub counts: Vec<u16>,
    /// For each of those residents, its ties to ring-lattice neighbours of its
    /// community's first range: bit s − 1 for the one s places ahead, bit
    /// REACH + s − 1 for the one s places behind (s = 1..=REACH).
    lattice: Vec<u8>,
    /// For each community, its other ties.
    others: Vec<OtherTies>,
}

/// A community's ties that are not lattice bits, as (resident, tie), both
/// places in the community's first range: every one below `places`, the
/// range's length (only `sort_ties` makes them, and checks it), which is
/// what lets the update read and write them without a check each.
#[derive(Debug, Clone, Default, PartialEq)]
struct OtherTies {
    pairs: Vec<(u32, u32)>,
    places: usize,
}

impl TieCounts {
    /// Sorts the ties of the residents built with each community into
    /// lattice bits and other ties, and counts the ties that took part.
    ///
    /// `first_ranges` are the communities' first ranges, in community
    /// order: the residents built with the district, from resident 0 on.
    ///
    /// # Panics
    /// If a built resident's tie leaves its community's first range (the
    /// district builder never makes one).
    pub(in crate::model) fn new(residents: &Residents, first_ranges: &[(u32, u32)]) -> Self {
        use rayon::prelude::*;
        let built = first_ranges.last().map_or(0, |&(_, b)| b as usize);
        let mut lattice = vec![0u8; built];
        // Communities in parallel, each sorting its own range's ties into
        // its own part of the bits.
        let parts = consecutive(
            &mut lattice,
            first_ranges.iter().map(|&(a, b)| (b - a) as usize),
        );
        let others = first_ranges
            .par_iter()
            .zip(parts)
            .with_max_len(super::communities_per_piece())
            .map(|(&(a, b), part)| sort_ties(residents.ties(), a as usize, b as usize, part))
            .collect();
        // A count is at most the degree, which the update's 16 bits must
        // hold (a built resident's row never grows: newcomers' ties are
        // one-way).
        let counts = (0..built)
            .into_par_iter()
            .with_min_len(4096)
            .map(|i| {
                assert!(
                    residents.ties().of(i).len() <= usize::from(u16::MAX),
                    "resident {i} has more ties than a count holds"
                );
                residents.ties().count_marked(i, residents.took_part()) as u16
            })
            .collect();
        Self {
            counts,
            lattice,
            others,
        }
    }

    /// How many of resident `i`'s ties took part on the latest day whose
    /// changes of participation have moved the counts, if `i` was built
    /// with the district.
    #[inline]
    pub(in crate::model) fn of(&self, i: usize) -> Option<u32> {
        self.counts.get(i).map(|&count| u32::from(count))
    }

    /// The counts cut into the first range of each community, in community
    /// order, with what updates them; `first_ranges` are those ranges, which
    /// follow each other from resident 0.
    pub(in crate::model) fn by_community<'a>(
        &'a mut self,
        first_ranges: impl Iterator<Item = (u32, u32)>,
    ) -> Vec<CommunityTieCounts<'a>> {
        let mut at = 0;
        let ranges: Vec<(u32, u32)> = first_ranges
            .inspect(|&(a, b)| {
                assert_eq!(a, at, "first ranges of communities are not consecutive");
                at = b;
            })
            .collect();
        let counts = consecutive(
            &mut self.counts,
            ranges.iter().map(|&(a, b)| (b - a) as usize),
        );
        ranges
            .iter()
            .zip(counts)
            .zip(&self.others)
            .map(|((&(a, b), counts), others)| CommunityTieCounts {
                counts,
                lattice: &self.lattice[a as usize..b as usize],
                others,
            })
            .collect()
    }
}

/// Sorts the ties of residents `a..b` (one community's first range) into
/// `lattice` bits and returns the others as pairs of places.
fn sort_ties(ties: &Ties, a: usize, b: usize, lattice: &mut [u8]) -> OtherTies {
    let n = b - a;
    assert_eq!(lattice.len(), n, "a bit field for each resident");
    let mut others = Vec::new();
    for (i, bits) in lattice.iter_mut().enumerate() {
        for &j in ties.of(a + i) {
            let j = (j as usize)
                .checked_sub(a)
                .filter(|&j| j < n)
                .expect("a built resident's tie leaves its community");
            // Distance ahead on the ring; only rings long enough that the
            // neighbours at ±1..=REACH are all different use bits.
            let ahead = if j >= i { j - i } else { j + n - i };
            let bit = if n > 2 * REACH && (1..=REACH).contains(&ahead) {
                Some(ahead - 1)
            } else if n > 2 * REACH && (1..=REACH).contains(&(n - ahead)) {
                Some(REACH + n - ahead - 1)
            } else {
                None
            };
            match bit {
                Some(bit) if *bits & (1 << bit) == 0 => *bits |= 1 << bit,
                _ => others.push((i as u32, j as u32)),
            }
        }
    }
    // i < n (one per bit field) and j < n (checked above).
    OtherTies {
        pairs: by_tie(&others, n),
        places: n,
    }
}

/// `pairs` (resident, tie), each below `places`, ordered by tie and, for
/// one tie, as they came: a resident's other ties then lie apart, so that
/// the update's additions to its count do not wait on each other (integer
/// sums, the same in any order). A counting sort: one pass to count, one
/// to place.
fn by_tie(pairs: &[(u32, u32)], places: usize) -> Vec<(u32, u32)> {
    let mut next = vec![0u32; places + 1];
    for &(_, j) in pairs {
        next[j as usize + 1] += 1;
    }
    for p in 1..=places {
        next[p] += next[p - 1];
    }
    let mut sorted = vec![(0, 0); pairs.len()];
    for &(i, j) in pairs {
        let at = &mut next[j as usize];
        sorted[*at as usize] = (i, j);
        *at += 1;
    }
    sorted
}

/// One community's share of the counts, during the parallel pass.
pub(in crate::model) struct CommunityTieCounts<'a> {
    /// The counts of the community's first range.
    pub counts: &'a mut [u16],
    lattice: &'a [u8],
    others: &'a OtherTies,
}

impl CommunityTieCounts<'_> {
    /// Moves the counts from yesterday's participation (`before`) to today's
    /// (`today`), both over the community's first range; `change` is room for
    /// the changes, kept between days to save allocations. The same as
    /// [`note_changes`] and then [`CommunityTieCounts::apply_changes`].
    #[cfg(test)]
    pub(in crate::model) fn update(&mut self, today: &[u8], before: &[u8], change: &mut Vec<i8>) {
        assert_eq!(today.len(), self.counts.len(), "lengths differ");
        note_changes(today, before, change);
        self.apply_changes(change);
    }

    /// Moves the counts by the changes of participation noted by
    /// [`note_changes`] over the community's first range.
    #[inline(always)]
    pub(in crate::model) fn apply_changes(&mut self, change: &[i8]) {
        let n = self.counts.len();
        assert_eq!(change.len(), n + 2 * REACH, "changes of another range");
        // Below, the changes s places ahead of and behind each resident are
        // slices of the same length, so that the loops run on many residents
        // at once. A sum of 2·REACH changes fits in an i8.
        let (lattice, counts) = (&self.lattice[..n], &mut self.counts[..n]);
        // The sums of changes first, in bytes (32 residents to an AVX2
        // register), SUMS residents at a time; then into the counts (16 bits,
        // 16 to a register). One loop for both would go 16 at a time.
        let mut sums = [0i8; SUMS];
        for first in (0..n).step_by(SUMS) {
            let len = SUMS.min(n - first);
            let sums = &mut sums[..len];
            let bits = &lattice[first..first + len];
            let at = |from: usize| &change[from + first..from + first + len];
            let (a1, a2, a3, a4) = (at(5), at(6), at(7), at(8));
            let (b1, b2, b3, b4) = (at(3), at(2), at(1), at(0));
            // The change where bit `bit` of `bits` is set, else zero.
            let tied = |change: i8, bits: u8, bit: u32| {
                if bits & (1 << bit) != 0 { change } else { 0 }
            };
            for k in 0..len {
                let bits = bits[k];
                sums[k] = tied(a1[k], bits, 0)
                    + tied(a2[k], bits, 1)
                    + tied(a3[k], bits, 2)
                    + tied(a4[k], bits, 3)
                    + tied(b1[k], bits, 4)
                    + tied(b2[k], bits, 5)
                    + tied(b3[k], bits, 6)
                    + tied(b4[k], bits, 7);
            }
            for (count, &sum) in counts[first..first + len].iter_mut().zip(&*sums) {
                *count = count.wrapping_add(sum as i16 as u16);
            }
        }
        // The other ties, one by one: the most instructions of the update
        // per tie, so without a bounds check each (7% of the pass's
        // instructions with them).
        assert_eq!(self.others.places, n, "the other ties are this range's");
        let (counts, change) = (&mut self.counts[..n], &change[REACH..REACH + n]);
        for &(i, j) in &self.others.pairs {
            // SAFETY: i, j < places (`OtherTies`), which is n, the length of
            // both slices (asserted above).
            unsafe {
                let count = counts.get_unchecked_mut(i as usize);
                *count = count.wrapping_add(*change.get_unchecked(j as usize) as i16 as u16);
            }
        }
    }
}

/// Notes each resident's change of participation from `before` to `today`
/// (−1, 0 or 1; both over one community's first range) into `change`, with
/// the ring's ends copied around it so that the neighbours at ±1..=REACH of
/// every resident are in reach: what [`CommunityTieCounts::apply_changes`]
/// reads. `change` is room kept between days to save allocations.
#[inline(always)]
pub(in crate::model) fn note_changes(today: &[u8], before: &[u8], change: &mut Vec<i8>) {
    let n = today.len();
    assert_eq!(before.len(), n, "lengths differ");
    change.clear();
    change.resize(n + 2 * REACH, 0);
    for ((change, &now), &then) in change[REACH..REACH + n].iter_mut().zip(today).zip(before) {
        *change = now as i8 - then as i8;
    }
    if n > 2 * REACH {
        for p in 0..REACH {
            change[p] = change[n + p];
            change[n + REACH + p] = change[REACH + p];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rows of ties as `Ties`, from adjacency lists.
    fn ties(rows: &[&[u32]]) -> Ties {
        let mut ties = Ties::new();
        for row in rows {
            ties.push_row(row);
        }
        ties
    }

    #[test]
    fn lattice_neighbours_become_bits_and_the_rest_pairs() {
        // A ring of 10: resident 0 is tied to 1 (ahead 1), 9 (behind 1),
        // 6 (ahead 6 = behind 4) and 5 (ahead 5: not a lattice neighbour).
        let mut rows: Vec<Vec<u32>> = vec![Vec::new(); 10];
        for (x, y) in [(0u32, 1u32), (0, 9), (0, 6), (0, 5)] {
            rows[x as usize].push(y);
            rows[y as usize].push(x);
        }
        let rows: Vec<&[u32]> = rows.iter().map(Vec::as_slice).collect();
        let mut lattice = vec![0u8; 10];
        let others = sort_ties(&ties(&rows), 0, 10, &mut lattice);
        assert_eq!(lattice[0], 1 | (1 << REACH) | (1 << (REACH + 3)));
        assert_eq!(others.pairs, vec![(5, 0), (0, 5)], "by tie");
        assert_eq!(lattice[5], 0);
        assert_eq!(lattice[1], 1 << REACH);
    }

    /// The update reads other ties without a check each, so it refuses
    /// ties sorted for a range of another length.
    #[test]
    #[should_panic(expected = "the other ties are this range's")]
    fn other_ties_of_another_range_are_refused() {
        let rows: [&[u32]; 3] = [&[1, 2], &[0, 2], &[0, 1]];
        let mut lattice = vec![0u8; 3];
        let others = sort_ties(&ties(&rows), 0, 3, &mut lattice);
        let mut counts = vec![0u16; 2];
        CommunityTieCounts {
            counts: &mut counts,
            lattice: &lattice[..2],
            others: &others,
        }
        .update(&[1, 1], &[0, 0], &mut Vec::new());
    }

    /// The counting sort orders by tie, then by resident (the order pairs
    /// are made in), as a sort by (tie, resident) does.
    #[test]
    fn by_tie_sorts_by_tie_then_resident() {
        use crate::seeds::{Purpose, stream};
        use rand::RngExt;
        let mut rng = stream(5, Purpose::Residents, 2);
        for places in [1usize, 2, 7, 300] {
            let mut pairs: Vec<(u32, u32)> = (0..rng.random_range(0..2000))
                .map(|_| {
                    (
                        rng.random_range(0..places as u32),
                        rng.random_range(0..places as u32),
                    )
                })
                .collect();
            pairs.sort_unstable();
            let mut expected = pairs.clone();
            expected.sort_by_key(|&(i, j)| (j, i));
            assert_eq!(by_tie(&pairs, places), expected, "{places} places");
        }
    }

    #[test]
    fn small_rings_keep_every_tie_as_a_pair() {
        let rows: [&[u32]; 3] = [&[1, 2], &[0, 2], &[0, 1]];
        let mut lattice = vec![0u8; 3];
        let others = sort_ties(&ties(&rows), 0, 3, &mut lattice);
        assert_eq!(lattice, vec![0, 0, 0]);
        assert_eq!(others.pairs.len(), 6);
    }

    #[test]
    fn updates_equal_counts_made_afresh() {
        // Random symmetric ties inside a ring of 40, lattice and not.
        use crate::seeds::{Purpose, stream};
        use rand::RngExt;
        let mut rng = stream(4, Purpose::Residents, 1);
        let n = 40;
        let mut rows: Vec<Vec<u32>> = vec![Vec::new(); n];
        for _ in 0..120 {
            let (x, y) = (rng.random_range(0..n), rng.random_range(0..n));
            if x != y && !rows[x].contains(&(y as u32)) {
                rows[x].push(y as u32);
                rows[y].push(x as u32);
            }
        }
        let slices: Vec<&[u32]> = rows.iter().map(Vec::as_slice).collect();
        let ties = ties(&slices);
        let mut lattice = vec![0u8; n];
        let others = sort_ties(&ties, 0, n, &mut lattice);
        let mut counts = vec![0u16; n];
        let mut before = vec![0u8; n];
        let mut change = Vec::new();
        for _ in 0..30 {
            let today: Vec<u8> = (0..n).map(|_| u8::from(rng.random_bool(0.4))).collect();
            CommunityTieCounts {
                counts: &mut counts,
                lattice: &lattice,
                others: &others,
            }
            .update(&today, &before, &mut change);
            for (i, &count) in counts.iter().enumerate() {
                let fresh: u32 = ties
                    .of(i)
                    .iter()
                    .map(|&j| u32::from(today[j as usize]))
                    .sum();
                assert_eq!(u32::from(count), fresh, "resident {i}");
            }
            before = today;
        }
    }
}
