//! What the daily participation pass needs of the residents' attitudes,
//! kept up to date instead of recomputed for every resident every day.
//!
//! Two things depend only on a resident's civic propensity, efficacy and
//! trust, which change only at closures (the grid), in the weekly
//! diffusion (everyone) and when newcomers arrive (their grid):
//! - the *attitude part* of the utility of taking part (design 4.1),
//!   [`Utility::attitude`] of `model/rules/participation.rs`;
//! - the sums of trust in each kind and of efficacy over a community (in
//!   `f64`), which the day's tally and the party's legitimacy read.
//!
//! So both are refreshed, grid by grid, only for grids whose residents'
//! trust or efficacy changed since the last pass: `World` marks them in
//! the only methods that change those values, and clears the marks after
//! the pass. The community's sums are then the sums of its grids'. That
//! gives the same bits as the row-order sum over the community, because both
//! are exact: every value is 0 or in [2⁻¹³, 1] in magnitude, hence a
//! multiple of 2⁻³⁶ of at most 1, and a community has fewer than 2¹⁷
//! residents, so every partial sum, in any order, is a multiple of 2⁻³⁶
//! below 2¹⁷ in magnitude and fits the 53 bits of an `f64`. A community
//! where that does not hold (a smaller value, or more residents) is summed
//! in row order, as the pass did before.

use super::disjoint::{DisjointSlice, consecutive};
use crate::model::rules::participation::{Utility, mean_trust};
use crate::model::world::{Community, Grid};

/// Communities with at least this many residents are summed in row order.
const EXACT_POPULATION: u32 = 1 << 17;

/// Whether `value` keeps sums of such values exact: its magnitude is 0 or
/// in [2⁻¹³, 1] (so it is a multiple of 2⁻³⁶ of at most 1), tested on its
/// bits, many values at once.
#[inline(always)]
fn keeps_sums_exact(value: f32) -> bool {
    const LOW: u32 = (1.0f32 / 8192.0).to_bits();
    const HIGH: u32 = 1.0f32.to_bits();
    let magnitude = value.to_bits() & !(1 << 31);
    (magnitude == 0) | (magnitude.wrapping_sub(LOW) <= HIGH - LOW)
}

/// The residents' values that the attitude part and the sums read.
#[derive(Clone, Copy)]
pub(in crate::model) struct Values<'a> {
    /// Civic propensity.
    pub civic: &'a [f32],
    /// Efficacy.
    pub efficacy: &'a [f32],
    /// Trust in each kind.
    pub trust: [&'a [f32]; 3],
}

/// A grid's share: its sums as of the latest pass that refreshed it.
#[derive(Debug, Clone, Copy, Default)]
pub(in crate::model) struct GridAttitudes {
    /// Sums over the grid's residents of trust in each kind, then of efficacy.
    sums: [f64; 4],
    /// Every one of those values keeps sums exact.
    exact: bool,
}

/// Attitude parts of every resident and sums of every grid.
#[derive(Debug, Clone, Default)]
pub(in crate::model) struct Attitudes {
    /// For each resident, the attitude part of the utility of taking part.
    pub parts: Vec<f32>,
    /// For each grid, in grid order.
    grids: Vec<GridAttitudes>,
}

impl Attitudes {
    /// Room for the sums of `grids` (a new world marks every grid changed,
    /// so the first pass computes all).
    pub(in crate::model) fn new(grids: &[Grid]) -> Self {
        Self {
            parts: Vec::new(),
            grids: vec![GridAttitudes::default(); grids.len()],
        }
    }

    /// Whether `community`'s sums came from its grids (all exact) in the
    /// latest pass.
    #[cfg(test)]
    pub(in crate::model) fn community_exact(&self, community: &Community) -> bool {
        community.population() < EXACT_POPULATION
            && self.grids[community.grids.start as usize..community.grids.end as usize]
                .iter()
                .all(|g| g.exact)
    }

    /// The grids cut by community, in community order, and the attitude
    /// parts of every resident, made room for `residents` of them (a
    /// newcomer's part is computed when the pass refreshes its grid, which
    /// its arrival marked changed); `grid_ranges` are the communities' grid
    /// ranges, which follow each other from grid 0.
    pub(in crate::model) fn by_community(
        &mut self,
        residents: usize,
        grid_ranges: impl Iterator<Item = std::ops::Range<u32>>,
    ) -> (Vec<&mut [GridAttitudes]>, &mut [f32]) {
        self.parts.resize(residents, 0.0);
        let mut at = 0;
        let lengths: Vec<usize> = grid_ranges
            .map(|range| {
                assert_eq!(range.start, at, "grids of communities are not consecutive");
                at = range.end;
                range.len()
            })
            .collect();
        (consecutive(&mut self.grids, lengths), &mut self.parts)
    }
}

/// Refreshes the grids of one community whose residents' trust or efficacy
/// changed since the last pass (`changed`, every grid's marks, kept by
/// `World`'s methods that change them): the attitude part of each of
/// their residents into `parts` (every resident's, written only at the
/// community's own) and the grids' sums. Returns the community's sums of
/// trust in each kind and of efficacy: its grids' sums where they are exact
/// (and so the same as in row order), else summed in row order.
#[inline(always)]
pub(in crate::model) fn refresh_community(
    utility: Utility,
    values: Values,
    community: &Community,
    grids: &[Grid],
    changed: &[bool],
    attitudes: &mut [GridAttitudes],
    parts: &DisjointSlice<f32>,
) -> ([f64; 3], f64) {
    let own = community.grids.start as usize..community.grids.end as usize;
    let (grids, changed) = (&grids[own.clone()], &changed[own]);
    let mut exact = community.population() < EXACT_POPULATION;
    let mut sums = [0f64; 4];
    for ((grid, attitude), &changed) in grids.iter().zip(attitudes).zip(changed) {
        if changed {
            *attitude = refresh_grid(utility, values, grid, parts);
        }
        exact &= attitude.exact;
        for (sum, grid_sum) in sums.iter_mut().zip(attitude.sums) {
            *sum += grid_sum;
        }
    }
    if !exact {
        let quantities = [
            values.trust[0],
            values.trust[1],
            values.trust[2],
            values.efficacy,
        ];
        sums = [0f64; 4];
        for &(a, b) in community.ranges() {
            for i in a as usize..b as usize {
                for (sum, quantity) in sums.iter_mut().zip(quantities) {
                    *sum += f64::from(quantity[i]);
                }
            }
        }
    }
    ([sums[0], sums[1], sums[2]], sums[3])
}

/// The sum of `values` in `f64` and whether every value keeps sums exact;
/// the sum is added in eight lanes, in an order of its own, which matters
/// only where it is not exact (and then it is not used).
#[inline(always)]
fn exact_sum(values: &[f32]) -> (f64, bool) {
    const LANES: usize = 8;
    let mut lanes = [0f64; LANES];
    let mut exact = [true; LANES];
    let chunks = values.chunks_exact(LANES);
    let rest = chunks.remainder();
    for chunk in chunks {
        for k in 0..LANES {
            lanes[k] += f64::from(chunk[k]);
            exact[k] &= keeps_sums_exact(chunk[k]);
        }
    }
    for (k, &value) in rest.iter().enumerate() {
        lanes[k] += f64::from(value);
        exact[k] &= keeps_sums_exact(value);
    }
    (lanes.iter().sum::<f64>(), exact.iter().all(|&e| e))
}

/// The attitude parts and sums of one grid's residents.
#[inline(always)]
fn refresh_grid(
    utility: Utility,
    values: Values,
    grid: &Grid,
    parts: &DisjointSlice<f32>,
) -> GridAttitudes {
    let mut sums = [0f64; 4];
    let mut exact = true;
    for &(a, b) in grid.ranges() {
        let (a, b) = (a as usize, b as usize);
        let civic = &values.civic[a..b];
        let efficacy = &values.efficacy[a..b];
        let [t0, t1, t2] = values.trust;
        let trust = [&t0[a..b], &t1[a..b], &t2[a..b]];
        // SAFETY: the grid is in the caller's community, whose residents
        // only the caller's task touches.
        let out = unsafe { parts.range_mut(a, b) };
        for k in 0..b - a {
            let trust = [trust[0][k], trust[1][k], trust[2][k]];
            out[k] = utility.attitude(civic[k], efficacy[k], mean_trust(trust));
        }
        for (sum, values) in sums
            .iter_mut()
            .zip([trust[0], trust[1], trust[2], efficacy])
        {
            let (total, all_exact) = exact_sum(values);
            *sum += total;
            exact &= all_exact;
        }
    }
    GridAttitudes { sums, exact }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seeds::{Purpose, stream};
    use rand::RngExt;
    use rand::seq::SliceRandom;

    #[test]
    fn the_bounds_of_exact_values() {
        for value in [0.0, -0.0, 1.0 / 8192.0, 0.5, 0.123_456_79, 1.0, -1.0] {
            assert!(keeps_sums_exact(value), "{value}");
        }
        let below = f32::from_bits((1.0f32 / 8192.0).to_bits() - 1);
        for value in [
            below,
            1e-6,
            f32::MIN_POSITIVE,
            1.000_000_1,
            2.0,
            f32::NAN,
            f32::INFINITY,
        ] {
            assert!(!keeps_sums_exact(value), "{value}");
        }
    }

    /// The claim the grids' sums rest on: sums of such values, fewer than
    /// 2¹⁷ of them, are the same in any order, and the same as in lanes.
    /// Values that break the bounds do change with the order, so the
    /// bounds are not idle.
    #[test]
    fn sums_of_exact_values_do_not_depend_on_order() {
        let mut rng = stream(5, Purpose::Residents, 0);
        let row_order = |values: &[f32]| values.iter().fold(0f64, |s, &v| s + f64::from(v));
        let mut values: Vec<f32> = (0..100_000)
            .map(|_| match rng.random_range(0..10) {
                0 => 0.0,
                1 => 1.0,
                2 => 1.0 / 8192.0 * (1.0 + rng.random::<f32>()),
                _ => rng.random_range(1.0 / 8192.0..1.0),
            })
            .collect();
        assert!(values.iter().all(|&v| keeps_sums_exact(v)));
        let sum = row_order(&values);
        for _ in 0..5 {
            values.shuffle(&mut rng);
            assert_eq!(row_order(&values).to_bits(), sum.to_bits());
            let (lanes, exact) = exact_sum(&values);
            assert!(exact);
            assert_eq!(lanes.to_bits(), sum.to_bits());
        }
        // Tiny values among large ones: some order rounds differently.
        let mut tiny: Vec<f32> = (0..100_000)
            .map(|k| {
                if k % 2 == 0 {
                    1.0
                } else {
                    1.1e-9 * (1.0 + rng.random::<f32>())
                }
            })
            .collect();
        assert!(!exact_sum(&tiny).1);
        let first = row_order(&tiny);
        let differs = (0..5).any(|_| {
            tiny.shuffle(&mut rng);
            row_order(&tiny).to_bits() != first.to_bits()
        });
        assert!(differs, "tiny values summed alike in every order");
    }
}
