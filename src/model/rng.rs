//! Random streams: every draw of a run comes from a ChaCha8 generator derived
//! from the run's seed and a fixed stream number, so that results depend only
//! on (scenario, seed) and never on thread count or scheduling.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// What a stream is used for; the purpose and an index make its stream number.
#[derive(Debug, Clone, Copy)]
#[repr(u64)]
pub enum Purpose {
    /// Building the district: organizations, flags, party members.
    Structure = 1,
    /// Initial resident attributes and ties of one community.
    Residents = 2,
    /// Daily participation and contacts in one community.
    Participation = 3,
    /// Issue arrival, detection, routing, work, feedback (district-wide, sequential).
    Events = 4,
    /// Seeds of replications of an experiment.
    Replications = 6,
    /// Placement of sweep points (Latin hypercube).
    Design = 7,
}

/// The generator for `purpose` and `index` under `seed`.
pub fn stream(seed: u64, purpose: Purpose, index: u64) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(((purpose as u64) << 40) | index);
    rng
}

/// The logistic function σ.
#[inline]
pub fn logistic(u: f64) -> f64 {
    1.0 / (1.0 + (-u).exp())
}

/// Draws "takes part" with probability σ(u) exactly as `r < 1 / (1 + exp(−u))`
/// would, for a uniform `r`, but looks σ up in a table of bounds first and
/// computes the exponential only when `r` falls within a cell's bounds (about
/// 0.5% of draws: a cell is 1/128 wide, so its bounds lie at most 1/512
/// apart). The decisions are the same as with the formula everywhere.
#[derive(Debug, Clone)]
pub struct LogisticDraw {
    /// For each cell, its bounds with the slack: below the first, r is
    /// surely below σ(u); at or above the second, surely not.
    cells: Vec<[f32; 2]>,
}

/// Cells per unit of u in [`LogisticDraw`].
const CELLS_PER_UNIT: f32 = 128.0;
/// The table covers u in [−RANGE, RANGE].
const RANGE: f32 = 16.0;
/// Slack for rounding in the f32 exponential (about 8 ulps near 1).
const SLACK: f32 = 1e-6;

impl Default for LogisticDraw {
    fn default() -> Self {
        let n = (2.0 * RANGE * CELLS_PER_UNIT) as usize;
        let bounds = (0..=n)
            .map(|k| {
                let u = -RANGE + k as f32 / CELLS_PER_UNIT;
                1.0 / (1.0 + (-u).exp())
            })
            .collect::<Vec<f32>>();
        let cells = bounds
            .windows(2)
            .map(|w| [w[0] - SLACK, w[1] + SLACK])
            .collect();
        Self { cells }
    }
}

/// The uniform number in [0, 1) that `random::<f32>()` makes of the random
/// word `word`, so that words filled in bulk give the same draws.
#[inline]
pub fn unit_f32(word: u32) -> f32 {
    // The 24 bits fit an i32, whose conversion to f32 is one instruction
    // for many words at once (u32's is several); both are exact here.
    (word >> 8) as i32 as f32 * (1.0 / (1u32 << 24) as f32)
}

impl LogisticDraw {
    /// `out[k] = below(utility[k], unit_f32(words[k]))` for every k, in
    /// steps the processor can take for many residents at once and without a
    /// branch on the outcome (a coin flip it cannot guess): the table cells,
    /// then their bounds, then the comparisons; the exponential only for the
    /// few draws that fell inside a cell's bounds or outside the table.
    #[inline(always)]
    pub fn below_each(&self, utility: &[f32], words: &[u32], out: &mut [u8]) {
        const STEP: usize = 256;
        assert!(
            words.len() == utility.len() && out.len() == utility.len(),
            "lengths differ"
        );
        let last_cell = (self.cells.len() - 1) as f32;
        let top = self.cells.len() as f32;
        let mut cell = [0i32; STEP];
        let mut bounds = [[0f32; 2]; STEP];
        let mut undecided = [0u8; STEP];
        for ((utility, words), out) in utility
            .chunks(STEP)
            .zip(words.chunks(STEP))
            .zip(out.chunks_mut(STEP))
        {
            let n = utility.len();
            let (cell, bounds, undecided) = (&mut cell[..n], &mut bounds[..n], &mut undecided[..n]);
            for (cell, &u) in cell.iter_mut().zip(utility) {
                let x = (u + RANGE) * CELLS_PER_UNIT;
                // SAFETY: clamped to [0, last cell] (NaN becomes 0), far
                // inside i32; outside the table the cell is not used.
                *cell = unsafe { x.max(0.0).min(last_cell).to_int_unchecked::<i32>() };
            }
            for (bounds, &cell) in bounds.iter_mut().zip(&*cell) {
                *bounds = self.cells[cell as usize];
            }
            for k in 0..n {
                let x = (utility[k] + RANGE) * CELLS_PER_UNIT;
                let inside = (x >= 0.0) & (x < top);
                let r = unit_f32(words[k]);
                let yes = r < bounds[k][0];
                let no = r >= bounds[k][1];
                out[k] = u8::from(yes);
                undecided[k] = u8::from(!(inside & (yes | no)));
            }
            // Looked for 32 at a time: most groups of 32 have none.
            for (first, flags) in (0..n).step_by(32).zip(undecided.chunks(32)) {
                if flags.iter().fold(0, |any, &flag| any | flag) == 0 {
                    continue;
                }
                for (k, &flag) in (first..).zip(flags) {
                    if flag != 0 {
                        out[k] = u8::from(unit_f32(words[k]) < 1.0 / (1.0 + (-utility[k]).exp()));
                    }
                }
            }
        }
    }

    /// Whether `r` (uniform in [0, 1)) is below σ(u).
    #[inline]
    pub fn below(&self, u: f32, r: f32) -> bool {
        let x = (u + RANGE) * CELLS_PER_UNIT;
        if x >= 0.0 && x < self.cells.len() as f32 {
            // SAFETY: 0 <= x < cells.len() (checked above, and far below
            // i32::MAX), so the truncation fits; `as` would add saturation
            // code to the hot loop, and i32 is one instruction where usize is six.
            let k = unsafe { x.to_int_unchecked::<i32>() } as usize;
            // Both comparisons, then one branch that is almost always taken:
            // whether r < σ(u) itself is a coin flip the processor cannot guess.
            let [sure_yes, sure_no] = self.cells[k];
            let yes = r < sure_yes;
            let no = r >= sure_no;
            if yes | no {
                return yes;
            }
        }
        r < 1.0 / (1.0 + (-u).exp())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::RngExt;

    #[test]
    fn words_filled_in_bulk_give_the_same_draws() {
        let mut one_by_one = stream(3, Purpose::Participation, 5);
        let mut bulk = one_by_one.clone();
        // Odd lengths and a length past a ChaCha block, from a mid-block start.
        for n in [1usize, 7, 63, 64, 65, 1000] {
            let mut words = vec![0u32; n];
            bulk.fill(&mut words[..]);
            for &w in &words {
                assert_eq!(unit_f32(w), one_by_one.random::<f32>());
            }
            assert_eq!(bulk.random::<u64>(), one_by_one.random::<u64>());
        }
    }

    #[test]
    fn table_draws_equal_the_formula() {
        let draw = LogisticDraw::default();
        let mut rng = stream(7, Purpose::Events, 0);
        for _ in 0..2_000_000 {
            let u = rng.random_range(-20.0f32..20.0);
            let r = rng.random::<f32>();
            assert_eq!(
                draw.below(u, r),
                r < 1.0 / (1.0 + (-u).exp()),
                "u = {u}, r = {r}"
            );
        }
        // The same decisions in blocks, with utilities past the table too.
        let mut utility = vec![0f32; 3000];
        let mut words = vec![0u32; 3000];
        let mut out = vec![0u8; 3000];
        for _ in 0..200 {
            for (u, w) in utility.iter_mut().zip(&mut words) {
                *u = rng.random_range(-20.0f32..20.0);
                *w = rng.random();
            }
            let n = rng.random_range(0..3000);
            draw.below_each(&utility[..n], &words[..n], &mut out[..n]);
            for k in 0..n {
                assert_eq!(out[k] != 0, draw.below(utility[k], unit_f32(words[k])));
            }
        }
        // Right at cell edges, too.
        for k in 0..=(2.0 * RANGE * CELLS_PER_UNIT) as usize {
            let u = -RANGE + k as f32 / CELLS_PER_UNIT;
            let s = 1.0 / (1.0 + (-u).exp());
            for r in [s - 1e-7, s, s + 1e-7] {
                assert_eq!(draw.below(u, r), r < s, "edge u = {u}, r = {r}");
            }
        }
    }
}
