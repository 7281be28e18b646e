//! Approximate Bayesian computation by sequential Monte Carlo (ABC-SMC):
//! Beaumont, Cornuet, Marin & Robert (2009), with the adaptive tolerance of
//! Del Moral, Doucet & Jasra (2012) as pyABC uses it. Pure: the model is a
//! batch function from parameter vectors to distances, so the same code
//! calibrates a toy with a known posterior and the model itself.
//!
//! - Priors are uniform over `[lo, hi]` per parameter.
//! - Generation 0 draws `samples` particles from the prior and accepts all.
//! - Generation t's tolerance ε_t is the `quantile` of generation t − 1's
//!   distances. Proposals draw a particle of t − 1 by weight and move it
//!   with a Gaussian kernel of twice the weighted variance of each
//!   parameter (Beaumont et al.'s choice, per parameter). A proposal
//!   outside the prior is refused before it is evaluated. It is accepted
//!   when its distance is at most ε_t, until `samples` are accepted.
//! - Weights are prior(θ) / Σ_j w_j K(θ | θ_j), normalized.
//!
//! Proposal k of generation t draws from its own stream `(seed, t, k)` and
//! gets its own simulation seed, and proposals are evaluated in batches
//! whose results are taken in index order: the posterior is the same for
//! any number of threads and any batch split.

use std::ops::ControlFlow;

use rand::RngExt;
use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::SeedableRng;
use rand_distr::{Distribution, Normal};

/// A uniform prior over `[lo, hi]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Prior {
    /// The parameter's name (a lever path).
    pub name: String,
    /// Lower bound.
    pub lo: f64,
    /// Upper bound.
    pub hi: f64,
}

/// How the sampler runs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Settings {
    /// Accepted particles per generation.
    pub samples: usize,
    /// Generations after the prior's.
    pub generations: usize,
    /// Quantile of the last distances that sets the next tolerance.
    pub quantile: f64,
    /// Stop early when a generation accepts fewer than this share of its
    /// proposals.
    pub min_acceptance: f64,
    /// Proposals evaluated at once.
    pub batch: usize,
    /// The most proposals of one generation (then it stops short).
    pub max_proposals: usize,
    /// Base seed of every draw.
    pub seed: u64,
}

/// One accepted particle.
#[derive(Debug, Clone, PartialEq)]
pub struct Particle {
    /// Parameter values, in the order of the priors.
    pub theta: Vec<f64>,
    /// Normalized importance weight.
    pub weight: f64,
    /// Distance of its simulation to the targets.
    pub distance: f64,
}

/// One generation.
#[derive(Debug, Clone, PartialEq)]
pub struct Generation {
    /// 0 for the prior's.
    pub index: usize,
    /// Its tolerance (infinite for generation 0).
    pub epsilon: f64,
    /// Proposals evaluated.
    pub proposals: usize,
    /// Its accepted particles.
    pub particles: Vec<Particle>,
}

impl Generation {
    /// Accepted / evaluated proposals.
    pub fn acceptance(&self) -> f64 {
        self.particles.len() as f64 / self.proposals.max(1) as f64
    }

    /// The effective sample size of its weights, (Σw)² / Σw².
    pub fn effective_size(&self) -> f64 {
        let sum: f64 = self.particles.iter().map(|p| p.weight).sum();
        let squares: f64 = self.particles.iter().map(|p| p.weight * p.weight).sum();
        if squares > 0.0 {
            sum * sum / squares
        } else {
            0.0
        }
    }
}

/// A parameter's posterior summary.
#[derive(Debug, Clone, PartialEq)]
pub struct Marginal {
    /// Weighted mean.
    pub mean: f64,
    /// Weighted median.
    pub median: f64,
    /// Weighted 2.5% quantile.
    pub ci_low: f64,
    /// Weighted 97.5% quantile.
    pub ci_high: f64,
}

/// The batch evaluator: parameter vectors and their simulation seeds in,
/// distances out (same order).
pub type Evaluate<'a> = dyn Fn(&[Vec<f64>], &[u64]) -> Vec<f64> + Sync + 'a;

/// The stream of proposal `k` of generation `t`.
fn proposal_rng(seed: u64, t: usize, k: usize) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(((t as u64) << 40) | k as u64);
    rng
}

fn in_prior(priors: &[Prior], theta: &[f64]) -> bool {
    priors
        .iter()
        .zip(theta)
        .all(|(p, &x)| x >= p.lo && x <= p.hi)
}

/// The weighted `q`-quantile of `values` (weights sum to any positive total).
pub fn weighted_quantile(values: &[f64], weights: &[f64], q: f64) -> f64 {
    let mut pairs: Vec<(f64, f64)> = values
        .iter()
        .copied()
        .zip(weights.iter().copied())
        .collect();
    pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
    let total: f64 = pairs.iter().map(|p| p.1).sum();
    let mut seen = 0.0;
    for &(v, w) in &pairs {
        seen += w;
        if seen >= q * total {
            return v;
        }
    }
    pairs.last().map_or(f64::NAN, |p| p.0)
}

/// Weighted mean, median and 95% interval of parameter `i`.
pub fn marginal(generation: &Generation, i: usize) -> Marginal {
    let values: Vec<f64> = generation.particles.iter().map(|p| p.theta[i]).collect();
    let weights: Vec<f64> = generation.particles.iter().map(|p| p.weight).collect();
    let total: f64 = weights.iter().sum();
    let mean = values.iter().zip(&weights).map(|(v, w)| v * w).sum::<f64>() / total;
    Marginal {
        mean,
        median: weighted_quantile(&values, &weights, 0.5),
        ci_low: weighted_quantile(&values, &weights, 0.025),
        ci_high: weighted_quantile(&values, &weights, 0.975),
    }
}

/// The weighted Pearson correlation of every pair of parameters in
/// `generation` (the posterior's shape: a strong correlation is a ridge,
/// along which the targets cannot tell the levers apart). NaN where a
/// parameter does not vary.
pub fn correlations(generation: &Generation) -> Vec<Vec<f64>> {
    let k = generation.particles.first().map_or(0, |p| p.theta.len());
    let total: f64 = generation.particles.iter().map(|p| p.weight).sum();
    let means: Vec<f64> = (0..k)
        .map(|i| {
            generation
                .particles
                .iter()
                .map(|p| p.weight * p.theta[i])
                .sum::<f64>()
                / total
        })
        .collect();
    let covariance = |i: usize, j: usize| {
        generation
            .particles
            .iter()
            .map(|p| p.weight * (p.theta[i] - means[i]) * (p.theta[j] - means[j]))
            .sum::<f64>()
            / total
    };
    (0..k)
        .map(|i| {
            (0..k)
                .map(|j| covariance(i, j) / (covariance(i, i) * covariance(j, j)).sqrt())
                .collect()
        })
        .collect()
}

/// How much the data pin a lever: the width of its posterior 95% interval
/// against that of its uniform prior (0.95 of the range), and the reading:
/// `pinned` below 0.5, `partly` below 0.8, `not pinned` from 0.8 (a
/// convention, stated in docs/calibration.md).
pub fn identification(prior: &Prior, posterior: &Marginal) -> (f64, &'static str) {
    let ratio = (posterior.ci_high - posterior.ci_low) / (0.95 * (prior.hi - prior.lo));
    let reading = if ratio < 0.5 {
        "pinned"
    } else if ratio < 0.8 {
        "partly"
    } else {
        "not pinned"
    };
    (ratio, reading)
}

/// The first generation: `samples` draws from the prior, all accepted.
pub fn prior_generation(priors: &[Prior], settings: &Settings, evaluate: &Evaluate) -> Generation {
    let mut thetas = Vec::with_capacity(settings.samples);
    let mut seeds = Vec::with_capacity(settings.samples);
    for k in 0..settings.samples {
        let mut rng = proposal_rng(settings.seed, 0, k);
        thetas.push(
            priors
                .iter()
                .map(|p| p.lo + (p.hi - p.lo) * rng.random::<f64>())
                .collect(),
        );
        seeds.push(rng.random::<u64>());
    }
    let mut distances = Vec::with_capacity(settings.samples);
    for (chunk, seed_chunk) in thetas
        .chunks(settings.batch.max(1))
        .zip(seeds.chunks(settings.batch.max(1)))
    {
        distances.extend(evaluate(chunk, seed_chunk));
    }
    let weight = 1.0 / settings.samples as f64;
    Generation {
        index: 0,
        epsilon: f64::INFINITY,
        proposals: settings.samples,
        particles: thetas
            .into_iter()
            .zip(distances)
            .map(|(theta, distance)| Particle {
                theta,
                weight,
                distance,
            })
            .collect(),
    }
}

/// The generation after `last`.
pub fn next_generation(
    priors: &[Prior],
    settings: &Settings,
    last: &Generation,
    evaluate: &Evaluate,
) -> Generation {
    let t = last.index + 1;
    let distances: Vec<f64> = last.particles.iter().map(|p| p.distance).collect();
    let weights: Vec<f64> = last.particles.iter().map(|p| p.weight).collect();
    let epsilon = weighted_quantile(&distances, &weights, settings.quantile);
    // Twice the weighted variance of each parameter (Beaumont et al. 2009).
    let total: f64 = weights.iter().sum();
    let sd: Vec<f64> = (0..priors.len())
        .map(|i| {
            let mean = last
                .particles
                .iter()
                .map(|p| p.weight * p.theta[i])
                .sum::<f64>()
                / total;
            let var = last
                .particles
                .iter()
                .map(|p| p.weight * (p.theta[i] - mean).powi(2))
                .sum::<f64>()
                / total;
            let floor = 1e-9 * (priors[i].hi - priors[i].lo);
            (2.0 * var).sqrt().max(floor)
        })
        .collect();
    let cumulative: Vec<f64> = weights
        .iter()
        .scan(0.0, |acc, w| {
            *acc += w / total;
            Some(*acc)
        })
        .collect();
    let mut accepted = Vec::new();
    let mut proposals = 0;
    let mut needed = 0;
    let batch = settings.batch.max(1);
    while accepted.len() < settings.samples && proposals < settings.max_proposals {
        let mut thetas = Vec::with_capacity(batch);
        let mut seeds = Vec::with_capacity(batch);
        let mut index = Vec::with_capacity(batch);
        let first = proposals;
        for k in first..(first + batch).min(settings.max_proposals) {
            proposals += 1;
            let mut rng = proposal_rng(settings.seed, t, k);
            let u: f64 = rng.random();
            let j = cumulative
                .partition_point(|&c| c < u)
                .min(last.particles.len() - 1);
            let theta: Vec<f64> = last.particles[j]
                .theta
                .iter()
                .zip(&sd)
                .map(|(&x, &s)| {
                    x + s * Normal::new(0.0, 1.0).expect("unit normal").sample(&mut rng)
                })
                .collect();
            let seed = rng.random::<u64>();
            if in_prior(priors, &theta) {
                thetas.push(theta);
                seeds.push(seed);
                index.push(k);
            }
        }
        let distances = if thetas.is_empty() {
            Vec::new()
        } else {
            evaluate(&thetas, &seeds)
        };
        for ((theta, distance), k) in thetas.into_iter().zip(distances).zip(index) {
            if distance <= epsilon && accepted.len() < settings.samples {
                accepted.push((theta, distance));
                if accepted.len() == settings.samples {
                    // Proposals after the last one needed do not count, so
                    // the count does not depend on the batch size.
                    needed = k + 1;
                }
            }
        }
    }
    let proposals = if accepted.len() == settings.samples {
        needed
    } else {
        proposals
    };
    // Importance weights: a uniform prior is constant inside its box.
    let kernel = |a: &[f64], b: &[f64]| -> f64 {
        a.iter()
            .zip(b)
            .zip(&sd)
            .map(|((x, y), s)| (-0.5 * ((x - y) / s).powi(2)).exp() / s)
            .product()
    };
    let raw: Vec<f64> = accepted
        .iter()
        .map(|(theta, _)| {
            let denominator: f64 = last
                .particles
                .iter()
                .map(|p| p.weight / total * kernel(theta, &p.theta))
                .sum();
            if denominator > 0.0 {
                1.0 / denominator
            } else {
                0.0
            }
        })
        .collect();
    let sum: f64 = raw.iter().sum();
    Generation {
        index: t,
        epsilon,
        proposals,
        particles: accepted
            .into_iter()
            .zip(raw)
            .map(|((theta, distance), w)| Particle {
                theta,
                weight: if sum > 0.0 { w / sum } else { 0.0 },
                distance,
            })
            .collect(),
    }
}

/// Whether to stop after `g`: too few accepted or too low an acceptance.
pub fn should_stop(settings: &Settings, g: &Generation) -> bool {
    g.index >= settings.generations
        || g.particles.len() < settings.samples
        || (g.index > 0 && g.acceptance() < settings.min_acceptance)
}

/// Runs every generation; `after` sees each one as it is done (to write
/// it) and may end the run there (`Break`: that generation is dropped).
/// It may start from generations done before (`done`, resumed).
pub fn run(
    priors: &[Prior],
    settings: &Settings,
    evaluate: &Evaluate,
    done: Vec<Generation>,
    mut after: impl FnMut(&Generation) -> ControlFlow<()>,
) -> Vec<Generation> {
    let mut generations = done;
    if generations.is_empty() {
        let g = prior_generation(priors, settings, evaluate);
        if after(&g).is_break() {
            return generations;
        }
        generations.push(g);
    }
    while let Some(last) = generations.last() {
        if should_stop(settings, last) {
            break;
        }
        let g = next_generation(priors, settings, last, evaluate);
        if after(&g).is_break() {
            break;
        }
        generations.push(g);
    }
    generations
}

#[cfg(test)]
mod identification_tests {
    use super::*;

    fn generation(thetas: &[[f64; 3]]) -> Generation {
        Generation {
            index: 1,
            epsilon: 1.0,
            proposals: thetas.len(),
            particles: thetas
                .iter()
                .map(|t| Particle {
                    theta: t.to_vec(),
                    weight: 1.0 / thetas.len() as f64,
                    distance: 0.0,
                })
                .collect(),
        }
    }

    #[test]
    fn correlations_find_a_ridge_and_independence() {
        // The second lever is twice the first (a ridge); the third is
        // balanced against both (uncorrelated).
        let g = generation(&[
            [0.0, 0.0, 1.0],
            [1.0, 2.0, -1.0],
            [2.0, 4.0, -1.0],
            [3.0, 6.0, 1.0],
        ]);
        let c = correlations(&g);
        assert!((c[0][1] - 1.0).abs() < 1e-12, "{c:?}");
        assert!((c[0][0] - 1.0).abs() < 1e-12);
        assert!(c[0][2].abs() < 1e-12 && c[1][2].abs() < 1e-12, "{c:?}");
        // Weights count: a particle of weight 0 changes nothing.
        let mut w = generation(&[
            [0.0, 0.0, 1.0],
            [1.0, 2.0, -1.0],
            [2.0, 4.0, -1.0],
            [3.0, 6.0, 1.0],
        ]);
        w.particles.push(Particle {
            theta: vec![10.0, -50.0, 3.0],
            weight: 0.0,
            distance: 0.0,
        });
        assert!((correlations(&w)[0][1] - 1.0).abs() < 1e-12);
    }

    #[test]
    fn identification_reads_the_posterior_width_against_the_prior() {
        let prior = Prior {
            name: "x".into(),
            lo: 0.0,
            hi: 10.0,
        };
        let m = |lo: f64, hi: f64| Marginal {
            mean: 0.0,
            median: 0.0,
            ci_low: lo,
            ci_high: hi,
        };
        assert_eq!(identification(&prior, &m(0.25, 9.75)), (1.0, "not pinned"));
        assert_eq!(identification(&prior, &m(2.0, 4.0)).1, "pinned");
        assert_eq!(identification(&prior, &m(2.0, 8.0)).1, "partly");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// x ~ Normal(θ, σ) once per particle, distance |x − y|: the ABC
    /// posterior tends to the posterior of θ given y, which under a wide
    /// uniform prior is Normal(y, σ).
    fn normal_model(y: f64, sigma: f64) -> impl Fn(&[Vec<f64>], &[u64]) -> Vec<f64> + Sync {
        move |thetas: &[Vec<f64>], seeds: &[u64]| {
            thetas
                .iter()
                .zip(seeds)
                .map(|(t, &s)| {
                    let mut rng = ChaCha8Rng::seed_from_u64(s);
                    let x = t[0] + sigma * Normal::new(0.0, 1.0).unwrap().sample(&mut rng);
                    (x - y).abs()
                })
                .collect()
        }
    }

    fn settings(seed: u64) -> Settings {
        Settings {
            samples: 400,
            generations: 6,
            quantile: 0.5,
            min_acceptance: 0.02,
            batch: 64,
            max_proposals: 200_000,
            seed,
        }
    }

    fn priors() -> Vec<Prior> {
        vec![Prior {
            name: "theta".into(),
            lo: -10.0,
            hi: 10.0,
        }]
    }

    #[test]
    fn the_posterior_of_a_normal_mean_is_recovered() {
        let (y, sigma) = (2.0, 1.0);
        let model = normal_model(y, sigma);
        let gens = run(&priors(), &settings(1), &model, Vec::new(), |_| {
            ControlFlow::Continue(())
        });
        let last = gens.last().unwrap();
        assert!(gens.len() >= 5, "{} generations", gens.len());
        assert!(
            gens.windows(2).all(|w| w[1].epsilon <= w[0].epsilon),
            "tolerances shrink"
        );
        let m = marginal(last, 0);
        // Posterior Normal(2, 1): mean 2, 95% interval about [0.04, 3.96];
        // ABC at a finite tolerance is a little wider.
        assert!((m.mean - y).abs() < 0.25, "mean {}", m.mean);
        assert!((m.median - y).abs() < 0.25, "median {}", m.median);
        let width = m.ci_high - m.ci_low;
        assert!(
            width > 3.5 && width < 5.0,
            "95% interval {} to {}",
            m.ci_low,
            m.ci_high
        );
        assert!((last.particles.iter().map(|p| p.weight).sum::<f64>() - 1.0).abs() < 1e-9);
    }

    #[test]
    fn the_credible_interval_covers_the_truth_at_its_rate() {
        // θ drawn from the prior, y drawn given θ: the 95% interval should
        // cover θ in about 95% of repetitions.
        let mut covered = 0;
        let reps = 40;
        for r in 0..reps {
            let mut rng = ChaCha8Rng::seed_from_u64(1000 + r);
            let truth = -5.0 + 10.0 * rng.random::<f64>();
            let y = truth + Normal::new(0.0, 1.0).unwrap().sample(&mut rng);
            let mut s = settings(r);
            s.samples = 200;
            s.generations = 4;
            let gens = run(&priors(), &s, &normal_model(y, 1.0), Vec::new(), |_| {
                ControlFlow::Continue(())
            });
            let m = marginal(gens.last().unwrap(), 0);
            covered += usize::from(m.ci_low <= truth && truth <= m.ci_high);
        }
        assert!((34..=40).contains(&covered), "covered {covered} of {reps}");
    }

    #[test]
    fn the_result_does_not_depend_on_the_batch_and_a_resumed_run_continues_the_same() {
        let model = normal_model(1.0, 0.5);
        let mut a = settings(7);
        a.samples = 100;
        a.generations = 3;
        let mut b = a;
        b.batch = 7;
        let ga = run(&priors(), &a, &model, Vec::new(), |_| {
            ControlFlow::Continue(())
        });
        let gb = run(&priors(), &b, &model, Vec::new(), |_| {
            ControlFlow::Continue(())
        });
        assert_eq!(ga, gb, "batches of 64 and 7 give the same generations");
        let resumed = run(&priors(), &a, &model, ga[..2].to_vec(), |_| {
            ControlFlow::Continue(())
        });
        assert_eq!(resumed, ga, "resumed after generation 1");
    }

    #[test]
    fn weighted_quantiles_at_their_boundaries() {
        let v = [3.0, 1.0, 2.0];
        let w = [1.0, 1.0, 1.0];
        assert_eq!(weighted_quantile(&v, &w, 0.0), 1.0);
        assert_eq!(weighted_quantile(&v, &w, 0.5), 2.0);
        assert_eq!(weighted_quantile(&v, &w, 1.0), 3.0);
        assert_eq!(
            weighted_quantile(&v, &[0.0, 0.0, 1.0], 0.1),
            2.0,
            "all weight on 2"
        );
    }
}
