//! The logistic function σ, and the draw of "takes part" against it for many
//! residents at once.

use crate::model::rules::logistic_f32;

/// Utilities are drawn against the approximation in [−RANGE, RANGE] only;
/// outside, the formula decides.
const RANGE: f32 = 16.0;
/// How far the approximation may be from the formula's `f32` result and
/// still decide: eight times its largest distance (1.2·10⁻⁷, two units in
/// the last place near 1; every `f32` in [−16, 16] checked by the ignored
/// test `the_approximation_is_near_the_formula_everywhere`).
const SLACK: f32 = 1e-6;

/// σ(u) = 1 / (1 + exp(−u)) to within [`SLACK`] of that formula computed in
/// `f32`, for u in [−RANGE, RANGE], in plain arithmetic that the processor
/// does for many residents at once: exp(x) = 2^k · exp(r) with k the
/// integer nearest to x / ln 2 and |r| ≤ ln 2 / 2, exp(r) by the polynomial
/// of Cephes' `expf` (S. L. Moshier), 2^k from its bits. Outside the range
/// it returns a value that is not used.
#[inline(always)]
fn logistic_near(u: f32) -> f32 {
    // Adding and subtracting 1.5·2²³ rounds to the nearest integer, which
    // then sits in the low bits of the sum.
    const SHIFTER: f32 = 12_582_912.0;
    // ln 2 in two parts: the first has few bits, so k·LN2_HIGH is exact.
    const LN2_HIGH: f32 = 0.693_359_4;
    const LN2_LOW: f32 = -2.121_944_4e-4;
    let x = (-u).clamp(-RANGE, RANGE);
    let shifted = x * std::f32::consts::LOG2_E + SHIFTER;
    let k = shifted - SHIFTER;
    let r = x - k * LN2_HIGH - k * LN2_LOW;
    let p = ((((1.987_569_1e-4 * r + 1.398_199_9e-3) * r + 8.333_452e-3) * r + 4.166_579_6e-2) * r
        + 1.666_666_5e-1)
        * r
        + 0.5;
    let exp_r = p * (r * r) + r + 1.0;
    // 2^k: k + 127 in the exponent's bits (k is within ±24 here).
    let k_bits = shifted.to_bits().wrapping_sub(SHIFTER.to_bits());
    let two_to_k = f32::from_bits(k_bits.wrapping_add(127) << 23);
    1.0 / (1.0 + exp_r * two_to_k)
}

/// The uniform number in [0, 1) that `random::<f32>()` makes of the random
/// word `word`, so that words filled in bulk give the same draws.
#[inline]
pub fn unit_f32(word: u32) -> f32 {
    // The 24 bits fit an i32, whose conversion to f32 is one instruction
    // for many words at once (u32's is several); both are exact here.
    (word >> 8) as i32 as f32 * (1.0 / (1u32 << 24) as f32)
}

/// Draws "takes part" for every k: `out[k]` is 1 if `unit_f32(words[k])`
/// is below σ(`utility[k]`), exactly as the formula `r < 1 / (1 + exp(−u))`
/// decides, else 0. The approximation of σ settles every draw farther than
/// [`SLACK`] from it, many residents at once and without a branch on the
/// outcome (a coin flip the processor cannot guess); the formula settles
/// the rest (about one draw in 500,000) and utilities outside the range.
#[inline(always)]
pub fn below_logistic(utility: &[f32], words: &[u32], out: &mut [u8]) {
    const STEP: usize = 256;
    assert!(
        words.len() == utility.len() && out.len() == utility.len(),
        "lengths differ"
    );
    for ((utility, words), out) in utility
        .chunks(STEP)
        .zip(words.chunks(STEP))
        .zip(out.chunks_mut(STEP))
    {
        // Whether any draw of the chunk is left to the formula: almost no
        // chunk has one, so the loop only ors the flags together and the
        // rare chunk is looked at again.
        let mut any_undecided = false;
        for k in 0..utility.len() {
            let (yes, undecided) = settled(utility[k], words[k]);
            out[k] = u8::from(yes);
            any_undecided |= undecided;
        }
        if any_undecided {
            for k in 0..utility.len() {
                if settled(utility[k], words[k]).1 {
                    out[k] = u8::from(unit_f32(words[k]) < logistic_f32(utility[k]));
                }
            }
        }
    }
}

/// The draw of `word` against σ(`utility`) by the approximation: whether it
/// is below (the decision where settled) and whether it is left unsettled
/// (within [`SLACK`] of the approximation, or outside its range).
#[inline(always)]
fn settled(utility: f32, word: u32) -> (bool, bool) {
    let near = logistic_near(utility);
    let inside = utility.abs() <= RANGE;
    let r = unit_f32(word);
    let yes = r < near - SLACK;
    let no = r >= near + SLACK;
    (yes, !(inside & (yes | no)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seeds::{Purpose, stream};
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

    /// The decisions equal the formula's: random utilities (past the range
    /// too) and words, and draws right at σ(u).
    #[test]
    fn draws_equal_the_formula() {
        let mut rng = stream(7, Purpose::Events, 0);
        let mut utility = vec![0f32; 3000];
        let mut words = vec![0u32; 3000];
        let mut out = vec![0u8; 3000];
        let formula = |u: f32, r: f32| r < logistic_f32(u);
        for round in 0..2000 {
            for (u, w) in utility.iter_mut().zip(&mut words) {
                *u = rng.random_range(-20.0f32..20.0);
                *w = rng.random();
                if round % 2 == 1 {
                    // A word whose uniform lies at σ(u), or one step away.
                    let s = logistic_f32(*u);
                    let at = (s * (1u32 << 24) as f32) as u32;
                    let step = rng.random_range(0..3u32);
                    *w = (at + step).saturating_sub(1).min((1 << 24) - 1) << 8;
                }
            }
            let n = rng.random_range(0..3000);
            below_logistic(&utility[..n], &words[..n], &mut out[..n]);
            for k in 0..n {
                let (u, r) = (utility[k], unit_f32(words[k]));
                assert_eq!(out[k] != 0, formula(u, r), "u = {u}, r = {r}");
            }
        }
        // Not-a-number decides "no", as in the formula.
        below_logistic(&[f32::NAN], &[0], &mut out[..1]);
        assert_eq!(out[0], 0);
    }

    /// The bound the draws rest on, on a sample of every scale.
    #[test]
    fn the_approximation_is_near_the_formula() {
        let mut rng = stream(9, Purpose::Events, 0);
        for _ in 0..5_000_000 {
            let u = rng.random_range(-RANGE..=RANGE) * rng.random::<f32>().powi(4);
            let distance = (logistic_near(u) - logistic_f32(u)).abs();
            assert!(distance <= SLACK / 8.0, "u = {u}: {distance}");
        }
    }

    /// The same bound for every `f32` in [−RANGE, RANGE] (2.2·10⁹ values,
    /// about a minute in release: `cargo test --release -- --ignored`).
    #[test]
    #[ignore = "exhaustive, about a minute in release"]
    fn the_approximation_is_near_the_formula_everywhere() {
        for sign in [0, 1u32 << 31] {
            for bits in 0..=RANGE.to_bits() {
                let u = f32::from_bits(bits | sign);
                let distance = (logistic_near(u) - logistic_f32(u)).abs();
                assert!(distance <= SLACK / 8.0, "u = {u}: {distance}");
            }
        }
    }
}
