//! Pattern-oriented validation (Grimm et al. 2005): claims about the
//! model's outputs, each judged from replications with 95% intervals.
//!
//! A claim is read from *units*: one unit is one replication seed (and,
//! where a pattern draws levers from a calibration's posterior, one
//! posterior draw), and holds the metric's value at every point of the
//! pattern's experiment. Paired claims (a difference, a trend, a curvature)
//! are computed within each unit first and then averaged, so that common
//! random numbers cancel the noise the points share. Pure: values in,
//! verdicts out.

use crate::analysis::stats;

/// The sign a paired difference or a slope is expected to have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sign {
    /// Above zero: the interval's lower end is above 0.
    Positive,
    /// Below zero: the interval's upper end is below 0.
    Negative,
}

/// Which side of a value a level is expected on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// The interval's lower end is above the value.
    Above,
    /// The interval's upper end is below the value.
    Below,
}

/// One claim of a pattern; points are indices into the experiment's points.
#[derive(Debug, Clone, PartialEq)]
pub enum Claim {
    /// The paired difference `of` − `minus` has the sign `expect` and is
    /// at least `by` in size (its whole interval beyond ±`by`).
    Difference {
        /// Treatment point.
        of: usize,
        /// Baseline point.
        minus: usize,
        /// Expected sign.
        expect: Sign,
        /// Smallest size that counts (0: any).
        by: f64,
    },
    /// The paired difference `of` − `minus` lies within ±`margin`: its
    /// whole interval does (an equivalence test: "no more than").
    Equivalence {
        /// Treatment point.
        of: usize,
        /// Baseline point.
        minus: usize,
        /// Largest difference that counts as none.
        margin: f64,
    },
    /// The mean at `point` is on `side` of `value`.
    Level {
        /// The point.
        point: usize,
        /// Above or below.
        side: Side,
        /// The value.
        value: f64,
    },
    /// Over the points (x the swept lever's values), the least-squares slope
    /// has the sign `expect`.
    Trend {
        /// Expected sign.
        expect: Sign,
    },
    /// Over the points, a quadratic fit curves down (its x² coefficient's
    /// interval is below 0) and peaks strictly inside the swept range.
    InvertedU,
    /// The predictive interval at `point` (2.5% to 97.5% of the units'
    /// values) meets the observed `value` ± 2 `sd`.
    Target {
        /// The point.
        point: usize,
        /// Observed value.
        value: f64,
        /// Its standard error, if known.
        sd: Option<f64>,
    },
    /// A prediction that no observation tests yet: the predictive interval
    /// at `point` (2.5% to 97.5% of the units' values), stated before the
    /// data exist, never judged.
    Prediction {
        /// The point.
        point: usize,
    },
    /// A predicted effect that no observation tests yet: the paired
    /// difference `of` − `minus` with its 95% t interval, never judged.
    PredictedEffect {
        /// Treatment point.
        of: usize,
        /// Baseline point.
        minus: usize,
    },
}

impl Claim {
    /// Whether the claim tests a sign (a direction, a slope, a curvature)
    /// or a size (a target, an equivalence margin, a level, a difference
    /// of at least `by`): the catalogue says which, so that a reader
    /// knows how severe each test is.
    pub fn tests(&self) -> &'static str {
        match self {
            Claim::Difference { by, .. } if *by > 0.0 => "size",
            Claim::Difference { .. } | Claim::Trend { .. } | Claim::InvertedU => "sign",
            Claim::Equivalence { .. } | Claim::Level { .. } | Claim::Target { .. } => "size",
            Claim::Prediction { .. } | Claim::PredictedEffect { .. } => "none yet",
        }
    }
}

/// What a claim's data showed.
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    /// The estimate: mean difference, slope, x² coefficient, mean level or
    /// predictive mean.
    pub estimate: f64,
    /// Lower end of its interval (95% CI of the mean; for a target, the
    /// 2.5% quantile of the units).
    pub ci_low: f64,
    /// Upper end.
    pub ci_high: f64,
    /// Units the claim used (those with the metric defined at every point
    /// it reads).
    pub units: usize,
    /// An inverted U's peak (the swept lever's value), from the mean
    /// coefficients.
    pub peak: Option<f64>,
    /// Whether the claim holds; `None` when it cannot be judged (fewer
    /// than two units).
    pub holds: Option<bool>,
    /// The verdict in words: whether the data were inconclusive or showed
    /// the opposite.
    pub reading: &'static str,
}

/// The fewest units a claim is judged from.
pub const MIN_UNITS: usize = 2;

/// The claim judged on `units` (each the metric at every point; NaN where
/// undefined) with `x` the points' lever values (sweeps only).
pub fn judge(claim: &Claim, units: &[Vec<f64>], x: &[f64]) -> Verdict {
    let values = |f: &dyn Fn(&[f64]) -> Option<f64>| -> Vec<f64> {
        units
            .iter()
            .filter_map(|u| f(u))
            .filter(|v| v.is_finite())
            .collect()
    };
    let at = |u: &[f64], p: usize| u.get(p).copied().filter(|v| v.is_finite());
    match *claim {
        Claim::Difference {
            of,
            minus,
            expect,
            by,
        } => {
            let d = values(&|u| Some(at(u, of)? - at(u, minus)?));
            let e = stats::estimate(&d);
            signed(&e, expect, by)
        }
        Claim::Equivalence { of, minus, margin } => {
            let d = values(&|u| Some(at(u, of)? - at(u, minus)?));
            let e = stats::estimate(&d);
            let holds = judged(&e, || e.ci_low > -margin && e.ci_high < margin);
            let reading = match holds {
                Some(true) => HOLDS,
                Some(false) if e.ci_low >= margin || e.ci_high <= -margin => {
                    "differs by more than the margin"
                }
                Some(false) => "not shown: the interval reaches past the margin",
                None => TOO_FEW,
            };
            verdict(&e, None, holds, reading)
        }
        Claim::Level { point, side, value } => {
            let v = values(&|u| at(u, point));
            let e = stats::estimate(&v);
            let holds = judged(&e, || match side {
                Side::Above => e.ci_low > value,
                Side::Below => e.ci_high < value,
            });
            let opposite = match side {
                Side::Above => e.ci_high < value,
                Side::Below => e.ci_low > value,
            };
            let reading = match holds {
                Some(true) => HOLDS,
                Some(false) if opposite => OPPOSITE,
                Some(false) => "not shown: the interval includes the value",
                None => TOO_FEW,
            };
            verdict(&e, None, holds, reading)
        }
        Claim::Trend { expect } => {
            let s = values(&|u| fit(x, u, 1).map(|c| c[1]));
            let e = stats::estimate(&s);
            signed(&e, expect, 0.0)
        }
        Claim::InvertedU => {
            let coefs: Vec<[f64; 3]> = units
                .iter()
                .filter_map(|u| fit(x, u, 2))
                .filter(|c| c.iter().all(|v| v.is_finite()))
                .collect();
            let c2: Vec<f64> = coefs.iter().map(|c| c[2]).collect();
            let e = stats::estimate(&c2);
            let b = coefs.iter().map(|c| c[1]).sum::<f64>() / coefs.len().max(1) as f64;
            let peak = (e.mean != 0.0).then(|| -b / (2.0 * e.mean));
            let (lo, hi) = x
                .iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), &v| {
                    (l.min(v), h.max(v))
                });
            let holds = judged(&e, || {
                e.ci_high < 0.0 && peak.is_some_and(|p| p > lo && p < hi)
            });
            let reading = match holds {
                Some(true) => HOLDS,
                Some(false) if e.ci_low > 0.0 => "opposite: U-shaped",
                Some(false) if e.ci_high < 0.0 => {
                    "curved down, but the peak is outside the range: monotone"
                }
                Some(false) => "not shown: no clear curvature",
                None => TOO_FEW,
            };
            verdict(&e, peak, holds, reading)
        }
        Claim::PredictedEffect { of, minus } => {
            let d = values(&|u| Some(at(u, of)? - at(u, minus)?));
            let e = stats::estimate(&d);
            verdict(&e, None, None, PREDICTION)
        }
        // A prediction is a target's predictive interval, never judged.
        Claim::Prediction { point } => Verdict {
            holds: None,
            reading: PREDICTION,
            ..predictive(values(&|u| at(u, point)))
        },
        Claim::Target { point, value, sd } => {
            let p = predictive(values(&|u| at(u, point)));
            let reach = 2.0 * sd.unwrap_or(0.0);
            let holds = (p.units >= MIN_UNITS)
                .then_some(value + reach >= p.ci_low && value - reach <= p.ci_high);
            let reading = match holds {
                Some(true) => "holds: the observed value meets the predictive interval",
                Some(false) if value > p.ci_high => {
                    "missed: the observed value is above the predictive interval"
                }
                Some(false) => "missed: the observed value is below the predictive interval",
                None => TOO_FEW,
            };
            Verdict {
                holds,
                reading,
                ..p
            }
        }
    }
}

/// The predictive interval of `values` (2.5% to 97.5% of the units) with
/// their mean, not yet judged.
fn predictive(mut values: Vec<f64>) -> Verdict {
    values.sort_by(f64::total_cmp);
    Verdict {
        estimate: stats::estimate(&values).mean,
        ci_low: quantile(&values, 0.025),
        ci_high: quantile(&values, 0.975),
        units: values.len(),
        peak: None,
        holds: None,
        reading: TOO_FEW,
    }
}

const HOLDS: &str = "holds";
const PREDICTION: &str = "a prediction: no observation tests it yet";
const OPPOSITE: &str = "opposite: the interval is on the other side";
const TOO_FEW: &str = "not judged: fewer than two runs with the metric defined";

fn judged(e: &stats::Estimate, test: impl FnOnce() -> bool) -> Option<bool> {
    (e.n >= MIN_UNITS && e.sd.is_finite()).then(test)
}

/// A difference's or a slope's verdict against its expected sign and
/// smallest size `by`.
fn signed(e: &stats::Estimate, expect: Sign, by: f64) -> Verdict {
    let (holds_if, signed_so, opposite) = match expect {
        Sign::Positive => (e.ci_low > by, e.ci_low > 0.0, e.ci_high < 0.0),
        Sign::Negative => (e.ci_high < -by, e.ci_high < 0.0, e.ci_low > 0.0),
    };
    let holds = judged(e, || holds_if);
    let reading = match holds {
        Some(true) => HOLDS,
        Some(false) if opposite => OPPOSITE,
        Some(false) if signed_so => "not shown: the sign holds, but not the size asked for",
        Some(false) => "not shown: the interval includes 0",
        None => TOO_FEW,
    };
    verdict(e, None, holds, reading)
}

fn verdict(
    e: &stats::Estimate,
    peak: Option<f64>,
    holds: Option<bool>,
    reading: &'static str,
) -> Verdict {
    Verdict {
        estimate: e.mean,
        ci_low: e.ci_low,
        ci_high: e.ci_high,
        units: e.n,
        peak,
        holds,
        reading,
    }
}

/// Least-squares polynomial of `degree` 1 or 2 through the points (x, y)
/// with y defined; `None` if fewer than degree + 2 points are defined or
/// the x values cannot determine it. Coefficients from the constant up
/// (a degree-1 fit has 0 for x²).
pub fn fit(x: &[f64], y: &[f64], degree: usize) -> Option<[f64; 3]> {
    let pts: Vec<(f64, f64)> = x
        .iter()
        .zip(y)
        .filter(|(a, b)| a.is_finite() && b.is_finite())
        .map(|(&a, &b)| (a, b))
        .collect();
    let k = degree + 1;
    if !(1..=2).contains(&degree) || pts.len() < k + 1 {
        return None;
    }
    // Centred and scaled x keeps the normal equations well conditioned.
    let n = pts.len() as f64;
    let mx = pts.iter().map(|p| p.0).sum::<f64>() / n;
    let sx = (pts.iter().map(|p| (p.0 - mx).powi(2)).sum::<f64>() / n).sqrt();
    if sx == 0.0 || !sx.is_finite() {
        return None;
    }
    let mut a = [[0.0f64; 4]; 3];
    for &(xi, yi) in &pts {
        let t = (xi - mx) / sx;
        let basis = [1.0, t, t * t];
        for r in 0..k {
            for c in 0..k {
                a[r][c] += basis[r] * basis[c];
            }
            a[r][3] += basis[r] * yi;
        }
    }
    let g = solve(&mut a, k)?;
    // Back from t = (x − mx)/sx to x.
    let (g0, g1, g2) = (g[0], g[1], if k == 3 { g[2] } else { 0.0 });
    let c2 = g2 / (sx * sx);
    let c1 = g1 / sx - 2.0 * g2 * mx / (sx * sx);
    let c0 = g0 - g1 * mx / sx + g2 * mx * mx / (sx * sx);
    Some([c0, c1, c2])
}

/// Gaussian elimination with partial pivoting of the k×k system in `a`
/// (its column 3 the right-hand side).
fn solve(a: &mut [[f64; 4]; 3], k: usize) -> Option<[f64; 3]> {
    for col in 0..k {
        let pivot = (col..k).max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))?;
        if a[pivot][col].abs() < 1e-12 {
            return None;
        }
        a.swap(col, pivot);
        let pivot_row = a[col];
        for row in a.iter_mut().take(k).skip(col + 1) {
            let f = row[col] / pivot_row[col];
            for (cell, p) in row.iter_mut().zip(pivot_row).skip(col) {
                *cell -= f * p;
            }
        }
    }
    let mut out = [0.0; 3];
    for row in (0..k).rev() {
        let s: f64 = (row + 1..k).map(|c| a[row][c] * out[c]).sum();
        out[row] = (a[row][3] - s) / a[row][row];
    }
    Some(out)
}

/// The `q` quantile of sorted values, linear between order statistics
/// (type 7 of Hyndman & Fan 1996, R's default); NaN if empty.
pub fn quantile(sorted: &[f64], q: f64) -> f64 {
    match sorted.len() {
        0 => f64::NAN,
        1 => sorted[0],
        n => {
            let h = q.clamp(0.0, 1.0) * (n - 1) as f64;
            let (i, frac) = (h.floor() as usize, h - h.floor());
            let next = sorted[(i + 1).min(n - 1)];
            sorted[i] + frac * (next - sorted[i])
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_claim_says_whether_it_tests_a_sign_or_a_size() {
        let difference = |by| Claim::Difference {
            of: 1,
            minus: 0,
            expect: Sign::Positive,
            by,
        };
        assert_eq!(difference(0.0).tests(), "sign");
        assert_eq!(difference(0.05).tests(), "size");
        assert_eq!(
            Claim::Trend {
                expect: Sign::Negative
            }
            .tests(),
            "sign"
        );
        assert_eq!(Claim::InvertedU.tests(), "sign");
        let target = Claim::Target {
            point: 0,
            value: 0.75,
            sd: None,
        };
        assert_eq!(target.tests(), "size");
        let equivalence = Claim::Equivalence {
            of: 1,
            minus: 0,
            margin: 0.01,
        };
        assert_eq!(equivalence.tests(), "size");
    }

    #[test]
    fn a_fit_recovers_a_known_polynomial() {
        let x = [0.0, 0.2, 0.4, 0.6, 0.8, 1.0];
        let y: Vec<f64> = x.iter().map(|v| 0.5 + 0.8 * v - 1.2 * v * v).collect();
        let c = fit(&x, &y, 2).unwrap();
        assert!((c[0] - 0.5).abs() < 1e-9 && (c[1] - 0.8).abs() < 1e-9);
        assert!((c[2] + 1.2).abs() < 1e-9, "{c:?}");
        let line: Vec<f64> = x.iter().map(|v| 2.0 - 3.0 * v).collect();
        let c = fit(&x, &line, 1).unwrap();
        assert!((c[1] + 3.0).abs() < 1e-9 && c[2] == 0.0);
        assert!(fit(&[1.0, 1.0, 1.0], &[1.0, 2.0, 3.0], 1).is_none());
        assert!(fit(&[0.0, 1.0], &[1.0, 2.0], 1).is_none(), "too few points");
    }

    /// Units of y = f(x) + unit noise shared by every point of the unit.
    fn units(f: impl Fn(f64) -> f64, x: &[f64], n: usize) -> Vec<Vec<f64>> {
        (0..n)
            .map(|u| {
                let shared = ((u * 7919) % 13) as f64 / 13.0 - 0.5;
                x.iter()
                    .enumerate()
                    .map(|(i, &v)| f(v) + shared + 0.01 * (((u + i) * 31 % 7) as f64 - 3.0))
                    .collect()
            })
            .collect()
    }

    #[test]
    fn an_inverted_u_is_told_from_a_monotone_decline() {
        let x = [0.0, 0.2, 0.4, 0.6, 0.8, 1.0];
        let hump = judge(&Claim::InvertedU, &units(|v| v * (1.0 - v), &x, 20), &x);
        assert_eq!(hump.holds, Some(true), "{hump:?}");
        assert!((hump.peak.unwrap() - 0.5).abs() < 0.05);
        // Curving down but peaking below the range: a decline, not a U.
        let decline = judge(&Claim::InvertedU, &units(|v| -v - v * v, &x, 20), &x);
        assert!(decline.ci_high < 0.0, "{decline:?}");
        assert_eq!(decline.holds, Some(false));
        assert!(decline.reading.contains("monotone"), "{}", decline.reading);
        let valley = judge(&Claim::InvertedU, &units(|v| (v - 0.5).powi(2), &x, 20), &x);
        assert_eq!(valley.reading, "opposite: U-shaped");
        let trend = judge(
            &Claim::Trend {
                expect: Sign::Negative,
            },
            &units(|v| -v - v * v, &x, 20),
            &x,
        );
        assert_eq!(trend.holds, Some(true));
    }

    #[test]
    fn paired_claims_use_the_shared_noise() {
        // The shared noise (±0.5) dwarfs the difference (0.05), which only
        // pairing can see.
        let u = units(|v| v, &[0.0, 0.05], 20);
        let d = judge(
            &Claim::Difference {
                of: 1,
                minus: 0,
                expect: Sign::Positive,
                by: 0.0,
            },
            &u,
            &[],
        );
        assert_eq!(d.holds, Some(true), "{d:?}");
        let big = judge(
            &Claim::Difference {
                of: 1,
                minus: 0,
                expect: Sign::Positive,
                by: 0.1,
            },
            &u,
            &[],
        );
        assert_eq!(big.holds, Some(false), "0.05 is not 0.1");
        assert!(big.reading.contains("size"), "{}", big.reading);
        assert!((d.estimate - 0.05).abs() < 0.01);
        let wrong = judge(
            &Claim::Difference {
                of: 1,
                minus: 0,
                expect: Sign::Negative,
                by: 0.0,
            },
            &u,
            &[],
        );
        assert_eq!(wrong.holds, Some(false));
        assert_eq!(wrong.reading, OPPOSITE);
        let same = Claim::Equivalence {
            of: 1,
            minus: 0,
            margin: 0.1,
        };
        assert_eq!(judge(&same, &u, &[]).holds, Some(true));
        let tight = Claim::Equivalence {
            of: 1,
            minus: 0,
            margin: 0.02,
        };
        assert_eq!(judge(&tight, &u, &[]).holds, Some(false));
    }

    #[test]
    fn levels_targets_and_missing_values() {
        let u: Vec<Vec<f64>> = (0..40).map(|i| vec![0.5 + 0.01 * (i % 5) as f64]).collect();
        let above = Claim::Level {
            point: 0,
            side: Side::Above,
            value: 0.45,
        };
        assert_eq!(judge(&above, &u, &[]).holds, Some(true));
        let below = Claim::Level {
            point: 0,
            side: Side::Below,
            value: 0.51,
        };
        assert_eq!(judge(&below, &u, &[]).holds, Some(false));
        let hit = judge(
            &Claim::Target {
                point: 0,
                value: 0.53,
                sd: None,
            },
            &u,
            &[],
        );
        assert_eq!(hit.holds, Some(true));
        assert!(hit.ci_low >= 0.5 && hit.ci_high <= 0.54);
        let miss = Claim::Target {
            point: 0,
            value: 0.6,
            sd: Some(0.02),
        };
        assert_eq!(judge(&miss, &u, &[]).holds, Some(false));
        let near = Claim::Target {
            point: 0,
            value: 0.6,
            sd: Some(0.04),
        };
        assert_eq!(judge(&near, &u, &[]).holds, Some(true));
        // A prediction gives the target's predictive interval, unjudged.
        let told = judge(&Claim::Prediction { point: 0 }, &u, &[]);
        assert_eq!(told.holds, None);
        assert_eq!((told.ci_low, told.ci_high), (hit.ci_low, hit.ci_high));
        assert_eq!(told.estimate, hit.estimate);
        let paired: Vec<Vec<f64>> = (0..20).map(|i| vec![0.5, 0.6 + 0.001 * i as f64]).collect();
        let effect = judge(&Claim::PredictedEffect { of: 1, minus: 0 }, &paired, &[]);
        assert_eq!(effect.holds, None);
        assert!(
            (effect.estimate - 0.1095).abs() < 1e-9
                && effect.ci_low < 0.1095
                && effect.ci_high > 0.1095
        );
        // Undefined values are left out; one unit cannot be judged.
        let sparse = vec![vec![f64::NAN], vec![0.5]];
        let v = judge(&above, &sparse, &[]);
        assert_eq!((v.units, v.holds), (1, None));
    }

    #[test]
    fn quantiles_interpolate() {
        let v = [1.0, 2.0, 3.0, 4.0, 5.0];
        assert_eq!(quantile(&v, 0.5), 3.0);
        assert_eq!(quantile(&v, 0.25), 2.0);
        assert!((quantile(&v, 0.1) - 1.4).abs() < 1e-12);
        assert!(quantile(&[], 0.5).is_nan());
    }
}
