//! ODD section 3, step 2: the arrival of new issues: how many, which
//! competencies they need, and their effort, severity and patience.

use rand::RngExt;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Beta, Distribution, Gamma};

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
/// The base is the issue rate times `induced` (see [`induced_demand`]).
#[inline]
pub fn arrivals(
    s: &Scenario,
    population: u32,
    multiplier: f64,
    competency_share: Option<f64>,
    induced: f64,
) -> Arrivals {
    let base = s.issues.rate * f64::from(population) / 1000.0 * induced;
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

/// Induced demand: the factor on the issue rate when the district's mean
/// efficacy yesterday was `efficacy`, max(0, 1 + d · (efficacy − prior)),
/// d = `issues.induced_demand` and the prior `residents.prior_efficacy`.
/// Residents who find that reporting works report more (Beijing 12345 took
/// 6.96 M requests in 2019, 11.04 M in 2020); d = 0 (the default): a fixed
/// rate, as in v2.
#[inline]
pub fn induced_demand(s: &Scenario, efficacy: f64) -> f64 {
    (1.0 + s.issues.induced_demand * (efficacy - s.residents.prior_efficacy)).max(0.0)
}

/// Which competencies a new issue needs, drawn from `rng`: the primary one
/// from the type weights (the migrants' weights for an issue a migrant
/// reports), unless `forced` (a surge of one competency); then, with
/// probability `cross_cutting_share`, a cross-cutting issue with one more
/// competency (two more with probability `three_competency_share`), drawn
/// uniformly among the others.
pub fn competencies(
    s: &Scenario,
    migrant: bool,
    forced: Option<u8>,
    rng: &mut ChaCha8Rng,
) -> Vec<u8> {
    let i = &s.issues;
    let weights = if migrant {
        &i.migrant_type_weights
    } else {
        &i.type_weights
    };
    let n = weights.len();
    let primary = forced.unwrap_or_else(|| {
        let total: f64 = weights.iter().sum();
        let mut x = rng.random::<f64>() * total;
        for (k, w) in weights.iter().enumerate() {
            if x < *w {
                return k as u8;
            }
            x -= w;
        }
        (n - 1) as u8
    });
    let mut comps = vec![primary];
    if n > 1 && rng.random_bool(i.cross_cutting_share) {
        let parts = if n > 2 && rng.random_bool(i.three_competency_share) {
            3
        } else {
            2
        };
        while comps.len() < parts {
            let c = rng.random_range(0..n) as u8;
            if !comps.contains(&c) {
                comps.push(c);
            }
        }
    }
    comps
}

/// The distributions of a new issue's effort per part, severity and
/// patience (`issues.effort_*`, `severity_*`, `patience_*`).
#[derive(Debug, Clone)]
pub struct IssueTraits {
    effort: Gamma<f64>,
    patience: Gamma<f64>,
    severity: Beta<f64>,
}

/// What a new issue is drawn with.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Drawn {
    /// Effort of each part, in the order of its competencies.
    pub effort: [f64; 3],
    /// Severity in [0.01, 1].
    pub severity: f64,
    /// Days before it is abandoned, at least 1.
    pub patience: f64,
}

impl IssueTraits {
    /// The distributions of `s` (validated: shapes and means positive).
    pub fn new(s: &Scenario) -> Self {
        let i = &s.issues;
        Self {
            effort: Gamma::new(i.effort_shape, i.effort_mean / i.effort_shape).expect("validated"),
            patience: Gamma::new(i.patience_shape, i.patience_mean / i.patience_shape)
                .expect("validated"),
            severity: Beta::new(i.severity_a, i.severity_b).expect("validated"),
        }
    }

    /// Draws the effort of `parts` parts, then severity, then patience.
    pub fn draw(&self, parts: usize, rng: &mut ChaCha8Rng) -> Drawn {
        let mut effort = [0.0; 3];
        for e in &mut effort[..parts] {
            *e = self.effort.sample(rng);
        }
        Drawn {
            effort,
            severity: self.severity.sample(rng).max(0.01),
            patience: self.patience.sample(rng).max(1.0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seeds::{Purpose, stream};

    #[test]
    fn arrivals_and_competencies() {
        let mut s = Scenario::default();
        let rate = s.issues.rate;
        let plain = arrivals(&s, 2000, 1.5, None, 1.0);
        assert_eq!((plain.any, plain.extra), (rate * 2.0 * 1.5, 0.0));
        let one = arrivals(&s, 2000, 3.0, Some(0.25), 1.0);
        assert_eq!((one.any, one.extra), (rate * 2.0, rate * 2.0 * 2.0 * 0.25));
        assert_eq!(arrivals(&s, 2000, 0.5, Some(0.25), 1.0).extra, 0.0);
        let mut rng = stream(1, Purpose::Events, 0);
        s.issues.cross_cutting_share = 1.0;
        s.issues.three_competency_share = 1.0;
        for _ in 0..200 {
            let comps = competencies(&s, false, Some(2), &mut rng);
            assert_eq!(comps.len(), 3);
            assert_eq!(comps[0], 2);
            assert!(comps[1] != comps[0] && comps[2] != comps[0] && comps[1] != comps[2]);
        }
        s.issues.cross_cutting_share = 0.0;
        assert_eq!(competencies(&s, true, None, &mut rng).len(), 1);
        let drawn = IssueTraits::new(&s).draw(2, &mut rng);
        assert!(drawn.effort[0] > 0.0 && drawn.effort[1] > 0.0 && drawn.effort[2] == 0.0);
        assert!((0.01..=1.0).contains(&drawn.severity) && drawn.patience >= 1.0);
    }
}
