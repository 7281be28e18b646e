//! Shapley attribution of one difference between two scenarios to groups of
//! levers (issue "Which element of party building carries the effect").
//!
//! With k groups, every combination of groups is a scenario: bit i of its
//! index set means group i takes TARGET's values, clear means BASE's. The
//! value v(S) of a combination is a run-level metric. The Shapley value of
//! group i (Shapley 1953) is its marginal contribution v(S ∪ {i}) − v(S)
//! averaged over every order in which the groups could be switched from
//! BASE to TARGET; the values add up exactly to v(all) − v(none)
//! (efficiency). The Shapley interaction index of two groups (Grabisch &
//! Roubens 1999) averages their joint second difference the same way.
//! Replications pair the combinations (common random numbers), so each
//! replication gives its own values and their mean and t interval are the
//! estimate. Pure: no I/O.

use crate::analysis::stats::{Estimate, estimate};

/// The largest number of groups: 2¹⁰ = 1,024 combinations.
pub const MAX_GROUPS: usize = 10;

/// n! as a float (exact for the n ≤ `MAX_GROUPS` used here).
fn factorial(n: usize) -> f64 {
    (1..=n).map(|i| i as f64).product()
}

/// The Shapley value of each of the `k` groups from the values of every
/// combination (`values[S]`, S a bit set of groups; `values.len()` = 2^k).
pub fn shapley(values: &[f64], k: usize) -> Vec<f64> {
    assert_eq!(values.len(), 1 << k, "one value per combination");
    let all = (1usize << k) - 1;
    (0..k)
        .map(|i| {
            let bit = 1 << i;
            (0..=all)
                .filter(|s| s & bit == 0)
                .map(|s| {
                    let size = s.count_ones() as usize;
                    let weight = factorial(size) * factorial(k - size - 1) / factorial(k);
                    weight * (values[s | bit] - values[s])
                })
                .sum()
        })
        .collect()
}

/// The Shapley interaction index of every pair of groups, `[i][j]` (0 on
/// the diagonal): the average over coalitions S without i and j, weighted
/// |S|! (k − |S| − 2)! / (k − 1)!, of v(S ∪ ij) − v(S ∪ i) − v(S ∪ j) + v(S).
pub fn interactions(values: &[f64], k: usize) -> Vec<Vec<f64>> {
    assert_eq!(values.len(), 1 << k, "one value per combination");
    let all = (1usize << k) - 1;
    let pair = |i: usize, j: usize| -> f64 {
        if i == j {
            return 0.0;
        }
        let (bi, bj) = (1 << i, 1 << j);
        (0..=all)
            .filter(|s| s & (bi | bj) == 0)
            .map(|s| {
                let size = s.count_ones() as usize;
                let weight = factorial(size) * factorial(k - size - 2) / factorial(k - 1);
                weight * (values[s | bi | bj] - values[s | bi] - values[s | bj] + values[s])
            })
            .sum()
    };
    (0..k)
        .map(|i| (0..k).map(|j| pair(i, j)).collect())
        .collect()
}

/// One-at-a-time effects from BASE: v({i}) − v(∅) for each group.
pub fn main_effects(values: &[f64], k: usize) -> Vec<f64> {
    assert_eq!(values.len(), 1 << k, "one value per combination");
    (0..k).map(|i| values[1 << i] - values[0]).collect()
}

/// What the replications say about one metric's attribution.
#[derive(Debug, Clone, PartialEq)]
pub struct Attribution {
    /// TARGET − BASE over the replications.
    pub total: Estimate,
    /// The Shapley value of each group.
    pub shapley: Vec<Estimate>,
    /// The one-at-a-time effect of each group from BASE.
    pub main: Vec<Estimate>,
    /// The Shapley interaction index of each pair (i < j), in the order
    /// (0, 1), (0, 2), …, (1, 2), …
    pub interactions: Vec<((usize, usize), Estimate)>,
}

/// The attribution of one metric from its values in each replication:
/// `per_replication[r][S]`, the metric of combination S in replication r.
/// Each replication's values are attributed on their own (they share
/// random numbers), and the estimates are the means over replications with
/// their t intervals.
pub fn attribute(per_replication: &[Vec<f64>], k: usize) -> Attribution {
    let all = (1usize << k) - 1;
    let shap: Vec<Vec<f64>> = per_replication.iter().map(|v| shapley(v, k)).collect();
    let main: Vec<Vec<f64>> = per_replication.iter().map(|v| main_effects(v, k)).collect();
    let inter: Vec<Vec<Vec<f64>>> = per_replication.iter().map(|v| interactions(v, k)).collect();
    let column = |rows: &[Vec<f64>], i: usize| -> Estimate {
        estimate(&rows.iter().map(|r| r[i]).collect::<Vec<_>>())
    };
    let total: Vec<f64> = per_replication.iter().map(|v| v[all] - v[0]).collect();
    let mut pairs = Vec::new();
    for i in 0..k {
        for j in i + 1..k {
            let values: Vec<f64> = inter.iter().map(|m| m[i][j]).collect();
            pairs.push(((i, j), estimate(&values)));
        }
    }
    Attribution {
        total: estimate(&total),
        shapley: (0..k).map(|i| column(&shap, i)).collect(),
        main: (0..k).map(|i| column(&main, i)).collect(),
        interactions: pairs,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// v(S) of k groups from a function of the bit set.
    fn game(k: usize, v: impl FnMut(usize) -> f64) -> Vec<f64> {
        (0..1usize << k).map(v).collect()
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-12
    }

    /// Additive effects: each group's Shapley value is its one-at-a-time
    /// effect, and no pair interacts.
    #[test]
    fn additive_effects_are_their_own_shapley_values() {
        let effect = [0.3, -0.1, 0.05, 0.0];
        let v = game(4, |s| {
            (0..4)
                .filter(|i| s & (1 << i) != 0)
                .map(|i| effect[i])
                .sum::<f64>()
                + 1.0
        });
        let phi = shapley(&v, 4);
        let main = main_effects(&v, 4);
        for i in 0..4 {
            assert!(close(phi[i], effect[i]) && close(main[i], effect[i]));
        }
        assert!(interactions(&v, 4).iter().flatten().all(|&x| close(x, 0.0)));
    }

    /// A pure interaction of two groups (the effect only when both switch)
    /// splits equally between them; a third group that changes nothing
    /// gets zero.
    #[test]
    fn a_pure_interaction_splits_equally_and_a_null_group_gets_nothing() {
        let v = game(3, |s| if s & 0b011 == 0b011 { 0.4 } else { 0.0 });
        let phi = shapley(&v, 3);
        assert!(close(phi[0], 0.2) && close(phi[1], 0.2) && close(phi[2], 0.0));
        assert!(close(interactions(&v, 3)[0][1], 0.4));
        assert!(close(interactions(&v, 3)[0][2], 0.0));
        assert!(main_effects(&v, 3).iter().all(|&m| close(m, 0.0)));
    }

    /// Efficiency: the values add up to v(all) − v(none) for any game, and
    /// a group's value does not depend on the order the groups are numbered.
    #[test]
    fn shapley_values_add_up_to_the_difference_for_any_game() {
        let mut x = 0.123_f64;
        for k in 1..=6 {
            let v = game(k, |_| {
                x = (x * 9301.0 + 0.49297).fract();
                x
            });
            let phi = shapley(&v, k);
            let sum: f64 = phi.iter().sum();
            assert!((sum - (v[(1 << k) - 1] - v[0])).abs() < 1e-12, "k = {k}");
            if k >= 2 {
                // Swap groups 0 and 1 in the game: their values swap.
                let swap = |s: usize| (s & !0b11) | ((s & 1) << 1) | ((s >> 1) & 1);
                let w: Vec<f64> = (0..1usize << k).map(|s| v[swap(s)]).collect();
                let psi = shapley(&w, k);
                assert!(close(psi[0], phi[1]) && close(psi[1], phi[0]));
            }
        }
    }

    /// Over replications: the total is the mean difference, each value an
    /// interval that covers the truth of a noisy additive game, and a null
    /// group an interval that covers zero.
    #[test]
    fn replications_give_intervals_around_the_values() {
        let mut x = 0.7_f64;
        let mut noise = || {
            x = (x * 9301.0 + 0.49297).fract();
            (x - 0.5) * 0.01
        };
        let reps: Vec<Vec<f64>> = (0..30)
            .map(|_| {
                let e = noise();
                game(3, |s| {
                    0.2 * f64::from(u8::from(s & 1 != 0))
                        + 0.1 * f64::from(u8::from(s & 2 != 0))
                        + e
                })
                .into_iter()
                .map(|v| v + noise())
                .collect()
            })
            .collect();
        let a = attribute(&reps, 3);
        let sum: f64 = a.shapley.iter().map(|e| e.mean).sum();
        assert!((sum - a.total.mean).abs() < 1e-12);
        assert!(a.shapley[0].ci_low < 0.2 && 0.2 < a.shapley[0].ci_high);
        assert!(a.shapley[1].ci_low < 0.1 && 0.1 < a.shapley[1].ci_high);
        assert!(a.shapley[2].ci_low < 0.0 && 0.0 < a.shapley[2].ci_high);
        assert_eq!(a.interactions.len(), 3);
    }
}
