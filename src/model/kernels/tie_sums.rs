//! Sums of a value over each resident's ties, in row order: what the weekly
//! trust diffusion needs for its means.
//!
//! A sum starts from −0.0 and adds the ties' values in the order of the row,
//! as `Iterator::sum` does, so that it is the same to the bit however it is
//! computed. Most ties are ring-lattice neighbours of the small world, and a
//! row meets them in the order of the lattice: the four behind, then the
//! four ahead. So each row is read once, when its resident is first seen,
//! and split into eight *slots* — neighbour i + d for d = −4, …, −1, 1, …, 4,
//! each present or not — and the other ties, each with its *place*: how many
//! slots come before it in the row. The sum is then built slot by slot for a
//! whole block of residents at once (neighbours at fixed distances, many
//! residents per instruction); an absent slot adds −0.0, which leaves any sum
//! exactly as it is, and after each slot the other ties of that place are
//! added one by one, for the three kinds of trust at once (each other tie
//! read once, three additions that do not wait on each other; each kind's
//! order is still the row's). Rows never change once made (newcomers' ties are
//! one-way and only appended), so the split stays true.

use super::build::{Build, Kernel};
use crate::model::network::Ties;

/// Residents summed together (the diffusion's block).
pub(in crate::model) const BLOCK: usize = 1024;

/// How far the lattice slots reach on each side.
const REACH: usize = 4;

/// The slots' distances, in the order a lattice row meets them.
const SLOT_DISTANCES: [isize; 2 * REACH] = [-4, -3, -2, -1, 1, 2, 3, 4];

/// Places of the other ties: before slot 0, …, after slot 7.
const PLACES: usize = 2 * REACH + 1;

/// The slot of a tie at distance `d` along the ring (`SLOT_DISTANCES`),
/// if it has one.
#[inline]
fn slot_of(d: isize) -> Option<usize> {
    match d {
        -4..=-1 => Some((d + 4) as usize),
        1..=4 => Some((d + 3) as usize),
        _ => None,
    }
}

/// One block's sums over ties: for residents `start..start + degree.len()`
/// (`start` a multiple of [`BLOCK`], at most BLOCK residents, all split),
/// the three kinds of trust in `values` summed into `sums[kind][k]` for
/// resident `start + k`, and each resident's number of ties into
/// `degree[k]`.
pub(in crate::model) struct BlockSums<'a> {
    /// The block's first resident.
    pub start: usize,
    /// Every resident's trust in each kind.
    pub values: [&'a [f32]; 3],
    /// The block's sums, one slice per kind.
    pub sums: [&'a mut [f32]; 3],
    /// The block's numbers of ties.
    pub degree: &'a mut [f32],
}

/// Each resident's row split into lattice slots and other ties.
#[derive(Debug, Clone, Default, PartialEq)]
pub(in crate::model) struct RowSplit {
    /// Bit q: slot q of the resident's row holds neighbour i + SLOT_DISTANCES[q].
    slots: Vec<u8>,
    /// The other ties (resident, tie), block by block, place by place within
    /// a block, and in row order for each resident.
    others: Vec<(u32, u32)>,
    /// Where each block's place starts in `others`: entry b·PLACES + p, with
    /// one more entry at the end.
    starts: Vec<u32>,
    /// For each block, the slots that any of its residents uses.
    used: Vec<u8>,
}

impl RowSplit {
    /// Residents whose rows are split.
    fn len(&self) -> usize {
        self.slots.len()
    }

    /// Splits the rows of every resident not split yet. The last block, if it
    /// was not full, is split again. Each thread splits a run of the blocks
    /// in order, and the runs then follow each other, so the split is the
    /// same for any number of threads (on one, it is made in place).
    pub(in crate::model) fn catch_up(&mut self, ties: &Ties) {
        use rayon::prelude::*;
        let residents = ties.offsets.len() - 1;
        if self.len() == residents {
            return;
        }
        let first_block = self.len() / BLOCK;
        self.slots.truncate(first_block * BLOCK);
        if self.starts.is_empty() {
            self.starts.push(0);
        }
        self.starts.truncate(first_block * PLACES + 1);
        self.used.truncate(first_block);
        self.others
            .truncate(*self.starts.last().expect("one entry") as usize);
        let block_starts: Vec<usize> = (first_block * BLOCK..residents).step_by(BLOCK).collect();
        // One run of blocks a thread: the first split here, the others into
        // parts of their own, which then follow it.
        let per_thread = block_starts.len().div_ceil(rayon::current_num_threads());
        let mut runs = block_starts.chunks(per_thread.max(1));
        let here = runs.next().unwrap_or_default();
        let later_runs: Vec<&[usize]> = runs.collect();
        let split_run = |split: &mut RowSplit, starts: &[usize]| {
            let mut by_place = Default::default();
            for &start in starts {
                let end = (start + BLOCK).min(residents);
                split.split_block(ties, start, end, &mut by_place);
            }
        };
        let ((), parts) = rayon::join(
            || split_run(self, here),
            || {
                later_runs
                    .par_iter()
                    .map(|starts| {
                        let mut part = RowSplit {
                            starts: vec![0],
                            ..RowSplit::default()
                        };
                        split_run(&mut part, starts);
                        part
                    })
                    .collect::<Vec<_>>()
            },
        );
        self.others
            .reserve(parts.iter().map(|part| part.others.len()).sum());
        for part in parts {
            let before = self.others.len() as u32;
            self.slots.extend(part.slots);
            self.used.extend(part.used);
            self.starts
                .extend(part.starts[1..].iter().map(|&end| before + end));
            self.others.extend(part.others);
        }
    }

    /// Splits the rows of residents `start..end`, one block, after the
    /// blocks split so far; `by_place` is room for the block's other ties,
    /// left empty.
    fn split_block(
        &mut self,
        ties: &Ties,
        start: usize,
        end: usize,
        by_place: &mut [Vec<(u32, u32)>; PLACES],
    ) {
        let mut used = 0u8;
        for i in start..end {
            let mut bits = 0u8;
            let mut next = 0;
            for &j in ties.of(i) {
                let slot = slot_of(j as isize - i as isize).filter(|&q| q >= next);
                match slot {
                    Some(q) => {
                        bits |= 1 << q;
                        next = q + 1;
                    }
                    None => by_place[next].push((i as u32, j)),
                }
            }
            self.slots.push(bits);
            used |= bits;
        }
        self.used.push(used);
        for place in by_place {
            self.others.append(place);
            self.starts.push(self.others.len() as u32);
        }
    }

    /// The three kinds of trust summed over the ties of one block of
    /// residents (see [`BlockSums`]), in the build `build` (the same results
    /// either way).
    ///
    /// # Panics
    /// If the block is not one of the split ones.
    pub(in crate::model) fn sum_block(&self, ties: &Ties, block: BlockSums, build: Build) {
        build.run(SumBlock {
            split: self,
            ties,
            block,
        });
    }

    /// The block's sums, inlined into both builds.
    #[inline(always)]
    fn sum_block_here(&self, ties: &Ties, block: BlockSums) {
        let BlockSums {
            start,
            values,
            sums,
            degree,
        } = block;
        let n = degree.len();
        let end = start + n;
        assert!(
            start.is_multiple_of(BLOCK) && n <= BLOCK && end <= self.len(),
            "block {start}..{end} is not split"
        );
        let row_ends = &ties.offsets[start + 1..=end];
        for ((d, &a), &b) in degree
            .iter_mut()
            .zip(&ties.offsets[start..end])
            .zip(row_ends)
        {
            *d = (b - a) as f32;
        }
        let len = values[0].len();
        if start < REACH || end + REACH > len {
            // The lattice's neighbours would fall outside the values.
            for (kind, sums) in sums.into_iter().enumerate() {
                for (k, sum) in sums.iter_mut().enumerate() {
                    *sum = ties
                        .of(start + k)
                        .iter()
                        .map(|&j| values[kind][j as usize])
                        .sum();
                }
            }
            return;
        }
        let block = start / BLOCK;
        let starts = &self.starts[block * PLACES..=(block + 1) * PLACES];
        let slots = &self.slots[start..end];
        let used = self.used[block];
        // The three kinds go slot by slot together, so that each other tie
        // is read once for all three and their additions do not wait on
        // each other; each kind's sums still add their values in row order.
        let [sums0, sums1, sums2] = sums;
        let [values0, values1, values2] = values;
        let others = |place: usize, sums0: &mut [f32], sums1: &mut [f32], sums2: &mut [f32]| {
            let (a, b) = (starts[place] as usize, starts[place + 1] as usize);
            for &(i, j) in &self.others[a..b] {
                let (i, j) = (i as usize - start, j as usize);
                sums0[i] += values0[j];
                sums1[i] += values1[j];
                sums2[i] += values2[j];
            }
        };
        for sums in [&mut *sums0, &mut *sums1, &mut *sums2] {
            sums.fill(-0.0);
        }
        others(0, sums0, sums1, sums2);
        for (q, &distance) in SLOT_DISTANCES.iter().enumerate() {
            if used & (1 << q) != 0 {
                // An empty slot everywhere adds −0.0, which changes nothing.
                let at = (REACH as isize + distance) as usize;
                for (values, sums) in [values0, values1, values2].into_iter().zip([
                    &mut *sums0,
                    &mut *sums1,
                    &mut *sums2,
                ]) {
                    let neighbours = &values[start - REACH + at..end + at - REACH];
                    for ((sum, &bits), &value) in sums.iter_mut().zip(slots).zip(neighbours) {
                        *sum += if bits & (1 << q) != 0 { value } else { -0.0 };
                    }
                }
            }
            others(q + 1, sums0, sums1, sums2);
        }
    }
}

/// `RowSplit::sum_block`'s arguments, as a kernel of both builds.
struct SumBlock<'s, 'a> {
    split: &'s RowSplit,
    ties: &'s Ties,
    block: BlockSums<'a>,
}

impl Kernel for SumBlock<'_, '_> {
    type Output = ();

    #[inline(always)]
    fn run(self) {
        self.split.sum_block_here(self.ties, self.block);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::network::watts_strogatz;
    use crate::seeds::{Purpose, stream};
    use rand::RngExt;

    /// Row-order sums, one row at a time: what the split must reproduce.
    fn plain(ties: &Ties, values: &[f32], i: usize) -> f32 {
        ties.of(i).iter().map(|&j| values[j as usize]).sum()
    }

    /// Small worlds of every rewiring, rows shuffled or cut short, random
    /// rows appended later (newcomers), values of every size: the sums of
    /// both builds equal row-order sums to the bit.
    #[test]
    fn split_sums_equal_row_order_sums() {
        let mut rng = stream(3, Purpose::Residents, 0);
        let mut ties = Ties::new();
        for (n, p) in [(700, 0.0), (300, 0.1), (5, 0.2), (900, 0.5), (600, 1.0)] {
            let first = ties.offsets.len() as u32 - 1;
            for mut row in watts_strogatz(first, n, 8, p, &mut rng) {
                match rng.random_range(0..6) {
                    0 => row.reverse(),
                    1 => row.truncate(3),
                    2 => row.push(rng.random_range(0..first + n)),
                    _ => {}
                }
                ties.push_row(&row);
            }
        }
        let mut split = RowSplit::default();
        for added in [0, 37, 600] {
            for _ in 0..added {
                let len = rng.random_range(0..12);
                let residents = ties.offsets.len() as u32 - 1;
                let row: Vec<u32> = (0..len).map(|_| rng.random_range(0..residents)).collect();
                ties.push_row(&row);
            }
            split.catch_up(&ties);
            let n = ties.offsets.len() - 1;
            let values: Vec<Vec<f32>> = (0..3)
                .map(|_| {
                    (0..n)
                        .map(|_| rng.random::<f32>() * 2f32.powi(rng.random_range(-30..4)))
                        .collect()
                })
                .collect();
            let values = [&values[0][..], &values[1][..], &values[2][..]];
            for build in [Build::fastest(), Build::portable()] {
                for start in (0..n).step_by(BLOCK) {
                    let count = BLOCK.min(n - start);
                    let mut sums = vec![vec![0f32; count]; 3];
                    let mut degree = vec![0f32; count];
                    let [a, b, c] = &mut sums[..] else {
                        unreachable!()
                    };
                    split.sum_block(
                        &ties,
                        BlockSums {
                            start,
                            values,
                            sums: [a, b, c],
                            degree: &mut degree,
                        },
                        build,
                    );
                    for k in 0..count {
                        let i = start + k;
                        for kind in 0..3 {
                            assert_eq!(
                                sums[kind][k].to_bits(),
                                plain(&ties, values[kind], i).to_bits(),
                                "resident {i}, kind {kind}, {build:?}"
                            );
                        }
                        assert_eq!(degree[k], ties.of(i).len() as f32);
                    }
                }
            }
        }
    }

    /// The split caught up in parallel parts, again after rows are
    /// appended (the last block split again), is the split made block
    /// after block on one thread, on any number of threads.
    #[test]
    fn a_split_caught_up_in_parts_is_the_split_block_by_block() {
        let mut rng = stream(5, Purpose::Residents, 0);
        let mut ties = Ties::new();
        for row in watts_strogatz(0, 40 * BLOCK as u32 + 300, 8, 0.3, &mut rng) {
            ties.push_row(&row);
        }
        let block_by_block = |ties: &Ties| {
            let n = ties.offsets.len() - 1;
            let mut split = RowSplit {
                starts: vec![0],
                ..RowSplit::default()
            };
            let mut by_place = Default::default();
            for start in (0..n).step_by(BLOCK) {
                split.split_block(ties, start, (start + BLOCK).min(n), &mut by_place);
            }
            split
        };
        let on_threads = |threads: usize, split: &mut RowSplit, ties: &Ties| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .expect("a pool")
                .install(|| split.catch_up(ties));
        };
        let (mut one, mut three) = (RowSplit::default(), RowSplit::default());
        on_threads(1, &mut one, &ties);
        on_threads(3, &mut three, &ties);
        assert_eq!(one, block_by_block(&ties));
        assert_eq!(three, one);
        // Newcomers' rows, appended: the last block is split again.
        for _ in 0..23 * BLOCK {
            let residents = ties.offsets.len() as u32 - 1;
            let row: Vec<u32> = (0..3).map(|_| rng.random_range(0..residents)).collect();
            ties.push_row(&row);
        }
        on_threads(1, &mut one, &ties);
        on_threads(3, &mut three, &ties);
        assert_eq!(one, block_by_block(&ties));
        assert_eq!(three, one);
    }

    /// A distance's slot is the one `SLOT_DISTANCES` gives it.
    #[test]
    fn slots_are_those_of_the_distances() {
        for d in -10..=10 {
            let expected = SLOT_DISTANCES.iter().position(|&s| s == d);
            assert_eq!(slot_of(d), expected, "distance {d}");
        }
    }

    /// Most ties of an ordinary small world land in the slots.
    #[test]
    fn lattice_ties_land_in_the_slots() {
        let mut rng = stream(4, Purpose::Residents, 0);
        let mut ties = Ties::new();
        for row in watts_strogatz(0, 5000, 8, 0.1, &mut rng) {
            ties.push_row(&row);
        }
        let mut split = RowSplit::default();
        split.catch_up(&ties);
        let in_slots: u32 = split.slots.iter().map(|b| b.count_ones()).sum();
        let all = ties.targets.len() as u32;
        assert_eq!(in_slots as usize + split.others.len(), all as usize);
        assert!(in_slots > all * 8 / 10, "{in_slots} of {all} in slots");
    }
}
