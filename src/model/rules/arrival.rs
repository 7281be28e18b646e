//! ODD section 3, step 2: the arrival of new issues.

use crate::scenario::Scenario;

/// Expected issues of one kind: the base arrivals of a community (`rate` ×
/// residents / 1,000) and, under a shock of one competency, the extra ones.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Arrivals {
    /// Issues of any kind, drawn from the type weights.
    pub any: f64,
    /// Extra issues of the shocked competency only.
    pub extra: f64,
}

/// Today's expected arrivals in a community of `population` under an issue
/// rate multiplier `multiplier`, for every competency or, when
/// `competency_share` is given, for the one competency with that share of
/// the type weights: Poisson(base × (multiplier − 1) × share) extra issues.
#[inline]
pub fn arrivals(
    s: &Scenario,
    population: u32,
    multiplier: f64,
    competency_share: Option<f64>,
) -> Arrivals {
    let base = s.issues.rate * f64::from(population) / 1000.0;
    match competency_share {
        None => Arrivals {
            any: base * multiplier,
            extra: 0.0,
        },
        Some(share) => Arrivals {
            any: base,
            extra: base * (multiplier - 1.0).max(0.0) * share,
        },
    }
}
