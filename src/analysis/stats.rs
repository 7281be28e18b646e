//! Statistics for experiments: means with t-based confidence intervals,
//! paired differences with effect sizes and p-values, and the Holm
//! adjustment. Distributions come from `statrs`.

use std::sync::OnceLock;

use statrs::distribution::{ContinuousCDF, StudentsT};

/// Confidence level of every interval.
pub const CONFIDENCE: f64 = 0.95;

/// Mean, standard deviation and 95% confidence interval of a sample.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    /// Sample size.
    pub n: usize,
    /// Mean.
    pub mean: f64,
    /// Sample standard deviation (n − 1); NaN if n < 2.
    pub sd: f64,
    /// Lower end of the 95% interval of the mean; NaN if n < 2.
    pub ci_low: f64,
    /// Upper end.
    pub ci_high: f64,
}

impl Estimate {
    /// Half-width of the interval relative to |mean| (infinite if the mean is 0).
    pub fn relative_half_width(&self) -> f64 {
        (self.ci_high - self.ci_low) / 2.0 / self.mean.abs()
    }
}

/// The two-sided t quantile for `CONFIDENCE` with `df` degrees of freedom.
/// Whole `df` up to [`KEPT_QUANTILES`] are computed once per process and
/// kept (an experiment asks for the same few, once per day, metric and
/// point of its time-series bands; each is a search over the t
/// distribution's function), the same values either way.
pub fn t_quantile(df: f64) -> f64 {
    static KEPT: OnceLock<Vec<OnceLock<f64>>> = OnceLock::new();
    if df >= 1.0 && df <= KEPT_QUANTILES as f64 && df.fract() == 0.0 {
        let kept = KEPT.get_or_init(|| (0..KEPT_QUANTILES).map(|_| OnceLock::new()).collect());
        return *kept[df as usize - 1].get_or_init(|| computed_t_quantile(df));
    }
    computed_t_quantile(df)
}

/// How many whole degrees of freedom [`t_quantile`] keeps: those of up to
/// 4,096 replications.
pub const KEPT_QUANTILES: usize = 4096;

/// The t quantile computed (`t_quantile`, without keeping it).
fn computed_t_quantile(df: f64) -> f64 {
    StudentsT::new(0.0, 1.0, df).map_or(f64::NAN, |t| t.inverse_cdf(0.5 + CONFIDENCE / 2.0))
}

/// Mean, sd and the t interval of `values` (NaN where undefined).
pub fn estimate(values: &[f64]) -> Estimate {
    let n = values.len();
    if n == 0 {
        return Estimate {
            n,
            mean: f64::NAN,
            sd: f64::NAN,
            ci_low: f64::NAN,
            ci_high: f64::NAN,
        };
    }
    let mean = values.iter().sum::<f64>() / n as f64;
    if n < 2 {
        return Estimate {
            n,
            mean,
            sd: f64::NAN,
            ci_low: f64::NAN,
            ci_high: f64::NAN,
        };
    }
    let sd = (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1) as f64).sqrt();
    let half = t_quantile((n - 1) as f64) * sd / (n as f64).sqrt();
    Estimate {
        n,
        mean,
        sd,
        ci_low: mean - half,
        ci_high: mean + half,
    }
}

/// A paired comparison: differences treatment − baseline over replications.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PairedDifference {
    /// The mean difference with its interval.
    pub estimate: Estimate,
    /// Standardized mean difference d_z = mean / sd of the differences.
    pub effect_size: f64,
    /// Two-sided p-value of the paired t-test (NaN if undefined).
    pub p_value: f64,
}

/// Paired t statistics of `diffs` (one difference per replication).
pub fn paired(diffs: &[f64]) -> PairedDifference {
    let estimate = estimate(diffs);
    let n = diffs.len() as f64;
    let (effect_size, p_value) = if estimate.n < 2 {
        (f64::NAN, f64::NAN)
    } else if estimate.sd == 0.0 {
        // Identical differences: no variance; p is 0 unless the difference is 0.
        (f64::NAN, if estimate.mean == 0.0 { 1.0 } else { 0.0 })
    } else {
        let t = estimate.mean / (estimate.sd / n.sqrt());
        // statrs panics on a NaN argument; an infinite t has p = 0.
        let p = if t.is_nan() {
            f64::NAN
        } else if t.is_infinite() {
            0.0
        } else {
            StudentsT::new(0.0, 1.0, n - 1.0).map_or(f64::NAN, |d| 2.0 * (1.0 - d.cdf(t.abs())))
        };
        (estimate.mean / estimate.sd, p)
    };
    PairedDifference {
        estimate,
        effect_size,
        p_value,
    }
}

/// Holm–Bonferroni adjusted p-values, in the order given; NaN stays NaN and
/// does not count as a test.
pub fn holm(p_values: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..p_values.len())
        .filter(|&i| !p_values[i].is_nan())
        .collect();
    order.sort_by(|&a, &b| p_values[a].total_cmp(&p_values[b]).then(a.cmp(&b)));
    let m = order.len();
    let mut adjusted = vec![f64::NAN; p_values.len()];
    let mut running: f64 = 0.0;
    for (rank, &i) in order.iter().enumerate() {
        running = running.max(((m - rank) as f64 * p_values[i]).min(1.0));
        adjusted[i] = running;
    }
    adjusted
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paired_statistics_of_overflowing_differences_do_not_panic() {
        // The sd overflows to infinity and t is NaN or 0: no p-value to give.
        let d = paired(&[1e308, -1e308, 1e308]);
        assert!(d.p_value.is_nan() || (0.0..=1.0).contains(&d.p_value));
        let d = paired(&[f64::MAX, f64::MAX, f64::MAX / 2.0]);
        assert!(d.p_value.is_nan() || (0.0..=1.0).contains(&d.p_value));
    }

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() < tol
    }

    #[test]
    fn t_quantiles_match_tables() {
        // Two-sided 95% critical values of Student's t (scipy.stats.t.ppf(0.975, df)).
        for (df, expected) in [
            (1.0, 12.70620474),
            (9.0, 2.26215716),
            (29.0, 2.04522964),
            (1000.0, 1.96233908),
        ] {
            assert!(
                close(t_quantile(df), expected, 1e-7),
                "df {df}: {}",
                t_quantile(df)
            );
        }
    }

    /// Kept quantiles are the computed ones, bit for bit, at both ends of
    /// what is kept and past it; fractional and invalid df are computed.
    #[test]
    fn kept_quantiles_equal_computed_ones() {
        for df in [
            1.0, 2.0, 29.0, 30.0, 4095.0, 4096.0, 4097.0, 2.5, 0.5, 0.0, -3.0,
        ] {
            for _ in 0..2 {
                let (kept, computed) = (t_quantile(df), computed_t_quantile(df));
                assert!(
                    kept.to_bits() == computed.to_bits() || (kept.is_nan() && computed.is_nan()),
                    "df {df}: {kept} against {computed}"
                );
            }
        }
    }

    #[test]
    fn interval_of_one_to_ten() {
        let values: Vec<f64> = (1..=10).map(f64::from).collect();
        let e = estimate(&values);
        assert_eq!(e.n, 10);
        assert!(close(e.mean, 5.5, 1e-12));
        assert!(close(e.sd, 3.0276503540974917, 1e-12));
        // 5.5 ± t(0.975, 9) × sd / √10; scipy: 3.334149410331831, 7.665850589668169.
        assert!(close(e.ci_low, 3.334149410331831, 1e-9), "{}", e.ci_low);
        assert!(close(e.ci_high, 7.665850589668169, 1e-9), "{}", e.ci_high);
    }

    #[test]
    fn paired_test_matches_scipy() {
        // scipy.stats.ttest_1samp([1.2, 0.8, 1.5, 0.3, 0.9, 1.1], 0):
        // t = 5.8, df = 5, p = 0.0021474259397497; sd = 0.408248290463863.
        let d = [1.2, 0.8, 1.5, 0.3, 0.9, 1.1];
        let p = paired(&d);
        assert!(close(p.estimate.mean, 0.966666667, 1e-8));
        assert!(
            close(p.p_value, 0.0021474259397497, 1e-10),
            "p = {}",
            p.p_value
        );
        assert!(
            close(p.effect_size, 2.367840084690406, 1e-10),
            "d_z = {}",
            p.effect_size
        );
    }

    #[test]
    fn holm_matches_the_definition() {
        // Holm by hand: sorted 0.005, 0.01, 0.03, 0.04 times 4, 3, 2, 1 = 0.02, 0.03, 0.06, 0.04,
        // made monotone: 0.02, 0.03, 0.06, 0.06 (as R's p.adjust(..., "holm")).
        let adjusted = holm(&[0.01, 0.04, 0.03, 0.005]);
        for (a, e) in adjusted.iter().zip([0.03, 0.06, 0.06, 0.02]) {
            assert!(close(*a, e, 1e-12), "{adjusted:?}");
        }
        let with_nan = holm(&[0.2, f64::NAN, 0.01]);
        assert!(with_nan[1].is_nan());
        assert!(close(with_nan[2], 0.02, 1e-12) && close(with_nan[0], 0.2, 1e-12));
    }

    #[test]
    fn degenerate_samples_are_nan_not_panics() {
        assert!(estimate(&[]).mean.is_nan());
        assert!(estimate(&[3.0]).ci_low.is_nan());
        let p = paired(&[0.5, 0.5, 0.5]);
        assert_eq!(p.p_value, 0.0);
    }
}
