//! `govsim calibrate` as an experiment: ABC-SMC (`crate::analysis::calibrate`) over
//! levers of a scenario, each proposal simulated by the model (with its own
//! seed, `reps` replications, in parallel), its distance to the targets
//! scaled by their SDs or by the prior-predictive spread. Every generation
//! is written when done (temporary file, fsync, rename), so a killed
//! calibration resumes from its last whole generation with the same result.

use std::fmt::Write as _;
use std::path::Path;

use rayon::prelude::*;

use crate::analysis::calibrate::{Generation, Marginal, Particle, Prior, Settings, marginal};
use crate::error::Error;
use crate::metrics::metric_info;
use crate::run::run;
use crate::scenario::{InputError, ScenarioSource};
use crate::util::files::{format_float, write_atomic};

/// A target: a run-level metric's observed value and its SD (`None`: the
/// prior-predictive spread).
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    /// A column of `summary.csv`.
    pub metric: String,
    /// The recorded days it counts, first and last (`METRIC@FIRST..LAST`);
    /// `None`: the whole run.
    pub days: Option<(u32, u32)>,
    /// Observed value.
    pub value: f64,
    /// Its standard deviation, if given.
    pub sd: Option<f64>,
}

impl Target {
    /// Its name in the tables: the metric, with its days if it has them
    /// (`resolution_rate@1..30`).
    pub fn name(&self) -> String {
        match self.days {
            Some((first, last)) => format!("{}@{first}..{last}", self.metric),
            None => self.metric.clone(),
        }
    }

    /// Refuses days beyond a run of `days` recorded days.
    pub fn check_days(&self, days: u32) -> Result<(), String> {
        match self.days {
            Some((_, last)) if last > days => Err(format!(
                "`{}` counts up to day {last}, but the run records {days} days (sim.days or --days)",
                self.name()
            )),
            _ => Ok(()),
        }
    }
}

/// Parses `METRIC=VALUE[±SD]` (`+-` for `±`), checking the metric and its bounds.
pub fn parse_target(spec: &str) -> Result<Target, InputError> {
    let bad = |message: String| InputError::new("--target", message);
    let (metric, rest) = spec
        .split_once('=')
        .ok_or_else(|| bad(format!("`{spec}` is not METRIC=VALUE[±SD]")))?;
    let (metric, days) = match metric.trim().split_once('@') {
        Some((m, window)) => {
            let parsed = window.split_once("..").and_then(|(a, b)| {
                let (a, b) = (a.trim().parse::<u32>().ok()?, b.trim().parse::<u32>().ok()?);
                (1 <= a && a <= b && b <= 36_500).then_some((a, b))
            });
            let days = parsed.ok_or_else(|| {
                bad(format!(
                    "`{spec}`: `@{window}` is not recorded days FIRST..LAST with 1 <= FIRST <= LAST <= 36500"
                ))
            })?;
            (m.trim().to_string(), Some(days))
        }
        None => (metric.trim().to_string(), None),
    };
    let rest = rest.replace("+-", "±");
    let (value, sd) = match rest.split_once('±') {
        Some((v, s)) => (v, Some(s)),
        None => (rest.as_str(), None),
    };
    let number = |x: &str| {
        x.trim()
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite())
            .ok_or_else(|| bad(format!("`{spec}`: `{}` is not a number", x.trim())))
    };
    let value = number(value)?;
    let sd = sd.map(number).transpose()?;
    if sd.is_some_and(|s| s <= 0.0) {
        return Err(bad(format!("`{spec}`: the SD must be above 0")));
    }
    let summary = serde_json::to_value(crate::metrics::Summary::default()).unwrap_or_default();
    if summary.get(&metric).is_none() {
        return Err(InputError {
            file: "--target".into(),
            key: Some(metric.clone()),
            line: None,
            message: "no such run-level metric (a column of summary.csv, docs/outputs.md)".into(),
        });
    }
    if let Some((lo, hi)) = metric_info(&metric).and_then(|m| m.bounds)
        && (value < lo || value > hi)
    {
        return Err(InputError {
            file: "--target".into(),
            key: Some(metric.clone()),
            line: None,
            message: format!(
                "{value} lies outside the metric's bounds: valid range is {lo} to {hi}"
            ),
        });
    }
    Ok(Target {
        metric,
        days,
        value,
        sd,
    })
}

/// A targets file: `[[target]]` entries with `metric`, `value`, an
/// optional `sd`, optional `days = [FIRST, LAST]` (the recorded days the
/// figure counts; absent: the whole run) and `source` (where the figure
/// comes from).
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct TargetsFile {
    target: Vec<TargetEntry>,
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct TargetEntry {
    metric: String,
    days: Option<[u32; 2]>,
    value: f64,
    sd: Option<f64>,
    #[allow(dead_code)]
    source: Option<String>,
}

/// The targets of a `--targets FILE.toml` (at most 1 MiB, 50 targets),
/// each checked as a `--target` is, and its days within a run of `days`
/// recorded days.
pub fn read_targets(path: &Path, days: u32) -> Result<Vec<Target>, InputError> {
    let name = path.display().to_string();
    let (parsed, text): (TargetsFile, String) =
        crate::util::files::read_toml(path, "targets file", crate::scenario::load::MAX_FILE_BYTES)?;
    if parsed.target.is_empty() || parsed.target.len() > 50 {
        return Err(InputError::new(&name, "give 1 to 50 [[target]] entries"));
    }
    parsed
        .target
        .iter()
        .enumerate()
        .map(|(k, t)| {
            let metric = match t.days {
                Some([first, last]) => format!("{}@{first}..{last}", t.metric),
                None => t.metric.clone(),
            };
            let spec = match t.sd {
                Some(sd) => format!("{metric}={}±{}", t.value, sd),
                None => format!("{metric}={}", t.value),
            };
            let target = parse_target(&spec).map_err(|mut e| {
                e.file = name.clone();
                e.key = Some(format!(
                    "target[{k}].{}",
                    e.key.unwrap_or_else(|| "value".into())
                ));
                e
            })?;
            target.check_days(days).map_err(|message| {
                let key = format!("target[{k}].days");
                InputError {
                    file: name.clone(),
                    line: crate::scenario::load::find_line(&text, &key),
                    key: Some(key),
                    message,
                }
            })?;
            Ok(target)
        })
        .collect()
}

/// A calibration as asked.
pub struct Calibration<'a> {
    /// The scenario, read once.
    pub source: &'a ScenarioSource,
    /// `--set` items applied before the varied levers.
    pub overrides: Vec<String>,
    /// Varied levers: priors, and whether each takes integers.
    pub priors: Vec<(Prior, bool)>,
    /// Targets.
    pub targets: Vec<Target>,
    /// Replications per proposal (their mean is compared).
    pub reps: u32,
    /// The sampler's settings.
    pub settings: Settings,
}

/// The value of each target in one run of `scenario`: the whole run's
/// summary, or the summary of the target's days (a window of the run, its
/// recorded days from the first to the last, counted as a run of their
/// own would count them). When every target has its days, the run stops
/// at the last of them.
pub fn target_values(scenario: &crate::scenario::Scenario, targets: &[Target]) -> Vec<Option<f64>> {
    let value = |summary: &crate::metrics::Summary, metric: &str| {
        serde_json::to_value(summary).unwrap_or_default()[metric].as_f64()
    };
    if targets.iter().all(|t| t.days.is_none()) {
        let summary = run(scenario).summary;
        return targets.iter().map(|t| value(&summary, &t.metric)).collect();
    }
    let mut stepper = crate::run::Stepper::new(scenario);
    let mut firsts: Vec<u32> = targets.iter().filter_map(|t| t.days.map(|d| d.0)).collect();
    firsts.sort_unstable();
    firsts.dedup();
    let windows: Vec<usize> = firsts.iter().map(|&f| stepper.add_window(f)).collect();
    let mut values = vec![None; targets.len()];
    // With every target in a window, the days after the last window's end
    // change nothing: they are not simulated.
    let whole = targets.iter().any(|t| t.days.is_none());
    let end = targets
        .iter()
        .filter_map(|t| t.days.map(|d| d.1))
        .max()
        .filter(|_| !whole)
        .unwrap_or(scenario.sim.days);
    for day in 1..=end {
        stepper.step();
        for (k, t) in targets.iter().enumerate() {
            if let Some((first, last)) = t.days
                && last == day
            {
                let w = windows[firsts.binary_search(&first).unwrap_or(0)];
                values[k] = stepper.window_summary(w).and_then(|s| value(&s, &t.metric));
            }
        }
    }
    if whole {
        let summary = stepper.summary();
        for (k, t) in targets.iter().enumerate() {
            if t.days.is_none() {
                values[k] = value(&summary, &t.metric);
            }
        }
    }
    values
}

impl Calibration<'_> {
    fn items(&self, theta: &[f64]) -> Vec<String> {
        let mut items = self.overrides.clone();
        for ((prior, integer), &x) in self.priors.iter().zip(theta) {
            if *integer {
                items.push(format!("{}={}", prior.name, x.round() as i64));
            } else {
                items.push(format!("{}={x}", prior.name));
            }
        }
        items
    }

    /// The targets' metrics of `theta`, means over `reps` runs from `seed`.
    fn simulate(&self, theta: &[f64], seed: u64) -> Result<Vec<f64>, InputError> {
        let mut items = self.items(theta);
        let mut sums = vec![0.0; self.targets.len()];
        for r in 0..self.reps {
            let run_seed = seed.wrapping_add(u64::from(r)) % 9_000_000_000_000_000_000;
            items.push(format!("sim.seed={run_seed}"));
            let scenario = self.source.resolve(&items)?.scenario;
            items.pop();
            for (sum, value) in sums.iter_mut().zip(target_values(&scenario, &self.targets)) {
                // A metric without a value (NA) is as far as it can be.
                *sum += value.unwrap_or(f64::NAN);
            }
        }
        Ok(sums.into_iter().map(|s| s / f64::from(self.reps)).collect())
    }

    /// Scales of the targets: their SDs, else the SD of the metric over a
    /// pilot of prior draws (its own stream).
    pub fn scales(&self, pool: &rayon::ThreadPool) -> Result<Vec<f64>, Error> {
        if self.targets.iter().all(|t| t.sd.is_some()) {
            return Ok(self.targets.iter().map(|t| t.sd.unwrap_or(1.0)).collect());
        }
        let pilot = self.settings.samples.min(100);
        let mut pilot_settings = self.settings;
        pilot_settings.seed = self.settings.seed ^ 0x5ca1_e5ca_1e00;
        pilot_settings.samples = pilot;
        let priors: Vec<Prior> = self.priors.iter().map(|(p, _)| p.clone()).collect();
        // Prior draws only: their simulations follow, with their own seeds.
        let g = crate::analysis::calibrate::prior_generation(&priors, &pilot_settings, &|t, _| {
            vec![0.0; t.len()]
        });
        let seeds: Vec<u64> = (0..pilot as u64)
            .map(|k| pilot_settings.seed.wrapping_add(k.wrapping_mul(7919)))
            .collect();
        let metrics: Vec<Vec<f64>> = pool.install(|| {
            g.particles
                .par_iter()
                .zip(&seeds)
                .map(|(p, &s)| self.simulate(&p.theta, s))
                .collect::<Result<Vec<_>, _>>()
        })?;
        Ok(self
            .targets
            .iter()
            .enumerate()
            .map(|(k, t)| {
                t.sd.unwrap_or_else(|| {
                    let values: Vec<f64> = metrics
                        .iter()
                        .map(|m| m[k])
                        .filter(|v| v.is_finite())
                        .collect();
                    let n = values.len().max(2) as f64;
                    let mean = values.iter().sum::<f64>() / n;
                    let sd =
                        (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
                    if sd > 0.0 { sd } else { 1.0 }
                })
            })
            .collect())
    }

    /// The distance of each proposal, simulated in parallel on `pool`.
    pub fn distances(
        &self,
        pool: &rayon::ThreadPool,
        scales: &[f64],
        thetas: &[Vec<f64>],
        seeds: &[u64],
    ) -> Vec<f64> {
        pool.install(|| {
            thetas
                .par_iter()
                .zip(seeds)
                .map(|(theta, &seed)| match self.simulate(theta, seed) {
                    Ok(metrics) => {
                        let sum: f64 = metrics
                            .iter()
                            .zip(&self.targets)
                            .zip(scales)
                            .map(|((m, t), s)| ((m - t.value) / s).powi(2))
                            .sum();
                        let d = (sum / self.targets.len() as f64).sqrt();
                        if d.is_finite() { d } else { f64::INFINITY }
                    }
                    // A proposal the scenario refuses (a consistency rule
                    // between levers) cannot be accepted.
                    Err(_) => f64::INFINITY,
                })
                .collect()
        })
    }
}

impl Calibration<'_> {
    /// The targets' metrics at `draws` particles drawn by weight from
    /// `last`, each simulated with seeds of its own (the posterior
    /// predictive), in parallel on `pool`.
    pub fn predictive(
        &self,
        pool: &rayon::ThreadPool,
        last: &Generation,
        draws: usize,
    ) -> Vec<Vec<f64>> {
        use rand::RngExt;
        use rand_chacha::rand_core::SeedableRng;
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(self.settings.seed ^ 0x0bad_cafe_f00d);
        let total: f64 = last.particles.iter().map(|p| p.weight).sum();
        let picks: Vec<(Vec<f64>, u64)> = (0..draws)
            .filter_map(|_| {
                let u = rng.random::<f64>() * total;
                let mut seen = 0.0;
                let p = last.particles.iter().find(|p| {
                    seen += p.weight;
                    seen >= u
                })?;
                Some((p.theta.clone(), rng.random::<u64>()))
            })
            .collect();
        pool.install(|| {
            picks
                .par_iter()
                .map(|(theta, seed)| {
                    self.simulate(theta, *seed)
                        .unwrap_or_else(|_| vec![f64::NAN; self.targets.len()])
                })
                .collect()
        })
    }
}

/// `x` as written in the tables, an infinity (generation 0's tolerance, an
/// unmatchable draw's distance) as `inf`, so that the table reads back.
fn format_or_inf(x: f64) -> String {
    if x.is_finite() {
        format_float(x)
    } else {
        "inf".into()
    }
}

/// `generations.csv` and `posterior.csv` of `generations`.
pub fn tables(priors: &[Prior], generations: &[Generation]) -> (String, String) {
    let mut gens =
        String::from("generation,epsilon,proposals,accepted,acceptance,effective_size\n");
    let mut post = String::from("generation,particle,weight,distance");
    for p in priors {
        let _ = write!(post, ",{}", p.name);
    }
    post.push('\n');
    for g in generations {
        let _ = writeln!(
            gens,
            "{},{},{},{},{},{}",
            g.index,
            format_or_inf(g.epsilon),
            g.proposals,
            g.particles.len(),
            format_float(g.acceptance()),
            format_float(g.effective_size())
        );
        for (k, p) in g.particles.iter().enumerate() {
            let _ = write!(
                post,
                "{},{k},{},{}",
                g.index,
                format_float(p.weight),
                // A prior draw whose metric is undefined (no issue closed
                // in a short run) is infinitely far.
                format_or_inf(p.distance)
            );
            for x in &p.theta {
                let _ = write!(post, ",{}", format_float(*x));
            }
            post.push('\n');
        }
    }
    (gens, post)
}

/// Generations read back from the two tables (for `--resume`).
pub fn read_tables(priors: &[Prior], gens: &str, post: &str) -> Result<Vec<Generation>, String> {
    let mut out: Vec<Generation> = Vec::new();
    for line in gens.lines().skip(1).filter(|l| !l.is_empty()) {
        let f: Vec<&str> = line.split(',').collect();
        if f.len() != 6 {
            return Err(format!("generations.csv: bad row `{line}`"));
        }
        let epsilon = if f[1] == "inf" {
            f64::INFINITY
        } else {
            f[1].parse().map_err(|_| "bad epsilon")?
        };
        out.push(Generation {
            index: f[0].parse().map_err(|_| "bad generation")?,
            epsilon,
            proposals: f[2].parse().map_err(|_| "bad proposals")?,
            particles: Vec::new(),
        });
    }
    let header = post.lines().next().unwrap_or("");
    let expected = 4 + priors.len();
    if header.split(',').count() != expected || !priors.iter().all(|p| header.contains(&p.name)) {
        return Err("posterior.csv has other levers than this calibration".into());
    }
    for line in post.lines().skip(1).filter(|l| !l.is_empty()) {
        let f: Vec<&str> = line.split(',').collect();
        if f.len() != expected {
            return Err(format!("posterior.csv: bad row `{line}`"));
        }
        let g: usize = f[0].parse().map_err(|_| "bad generation")?;
        let number = |s: &str| {
            s.parse::<f64>()
                .map_err(|_| format!("posterior.csv: `{s}` is not a number"))
        };
        let particle = Particle {
            weight: number(f[2])?,
            distance: number(f[3])?,
            theta: f[4..].iter().map(|s| number(s)).collect::<Result<_, _>>()?,
        };
        out.get_mut(g)
            .ok_or("posterior.csv: a generation missing from generations.csv")?
            .particles
            .push(particle);
    }
    Ok(out)
}

/// `calibration.csv`: each lever's posterior mean, median and 95% interval.
pub fn summary_table(priors: &[Prior], last: &Generation) -> (String, Vec<Marginal>) {
    let mut out = String::from("lever,mean,median,ci_low,ci_high\n");
    let mut all = Vec::new();
    for (i, p) in priors.iter().enumerate() {
        let m = marginal(last, i);
        let _ = writeln!(
            out,
            "{},{},{},{},{}",
            p.name,
            format_float(m.mean),
            format_float(m.median),
            format_float(m.ci_low),
            format_float(m.ci_high)
        );
        all.push(m);
    }
    (out, all)
}

/// `identification.csv`: how much the data pin each lever (its posterior
/// 95% interval against its prior's), and `correlations.csv`: the
/// posterior correlation of every pair of levers.
pub fn identification_tables(
    priors: &[Prior],
    last: &Generation,
    marginals: &[Marginal],
) -> (String, String) {
    let mut identification =
        String::from("lever,prior_low,prior_high,ci_low,ci_high,width_ratio,pinned\n");
    for (p, m) in priors.iter().zip(marginals) {
        let (ratio, reading) = crate::analysis::calibrate::identification(p, m);
        let _ = writeln!(
            identification,
            "{},{},{},{},{},{},{reading}",
            p.name,
            format_float(p.lo),
            format_float(p.hi),
            format_float(m.ci_low),
            format_float(m.ci_high),
            format_float(ratio)
        );
    }
    let c = crate::analysis::calibrate::correlations(last);
    let mut correlations = String::from("lever_a,lever_b,correlation\n");
    for i in 0..priors.len() {
        for j in i + 1..priors.len() {
            let _ = writeln!(
                correlations,
                "{},{},{}",
                priors[i].name,
                priors[j].name,
                format_float(c[i][j])
            );
        }
    }
    (identification, correlations)
}

/// The scenario with the posterior medians: `extends` the calibrated file.
pub fn calibrated_scenario(
    base: &Path,
    overrides: &[String],
    priors: &[(Prior, bool)],
    medians: &[Marginal],
) -> String {
    let mut out = String::from(
        "# Written by govsim calibrate: the calibrated scenario with each varied\n# lever at its posterior median (calibration.csv has the intervals).\n",
    );
    let _ = writeln!(
        out,
        "extends = {}",
        toml::Value::String(base.display().to_string())
    );
    let mut sections: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    let mut add = |key: &str, value: String| {
        let (section, leaf) = key.rsplit_once('.').unwrap_or(("", key));
        sections
            .entry(section.to_string())
            .or_default()
            .push(format!("{leaf} = {value}"));
    };
    for item in overrides {
        if let Some((k, v)) = item.split_once('=') {
            add(k.trim(), v.trim().to_string());
        }
    }
    for ((prior, integer), m) in priors.iter().zip(medians) {
        let value = if *integer {
            (m.median.round() as i64).to_string()
        } else {
            format!("{:?}", m.median)
        };
        add(&prior.name, value);
    }
    for (section, lines) in sections {
        if !section.is_empty() {
            let _ = writeln!(out, "\n[{section}]");
        }
        for line in lines {
            let _ = writeln!(out, "{line}");
        }
    }
    out
}

/// Writes the tables of `generations` into `dir`, each atomically.
pub fn write_generations(
    dir: &Path,
    priors: &[Prior],
    generations: &[Generation],
) -> std::io::Result<()> {
    let (gens, post) = tables(priors, generations);
    // posterior.csv first: a generation listed in generations.csv always
    // has its particles on disk.
    write_atomic(&dir.join("posterior.csv"), post.as_bytes())?;
    write_atomic(&dir.join("generations.csv"), gens.as_bytes())
}
