//! Global sensitivity analysis: Morris elementary effects and Sobol' indices
//! (Saltelli 2010 first order, Jansen total order, optional second order),
//! with bootstrap intervals, and the standard test functions with known
//! answers (Ishigami, Sobol' G) that check the estimators. Pure: designs and
//! estimators take numbers and return numbers.

use rand::RngExt;
use rand::seq::SliceRandom;

use crate::seeds::{Purpose, stream};

/// Which method.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Method {
    /// Morris elementary effects on a p-level grid.
    Morris {
        /// Grid levels p (even, at least 2).
        levels: u32,
    },
    /// Sobol' indices from Saltelli's design.
    Sobol {
        /// Also estimate second-order indices.
        second_order: bool,
    },
}

impl Method {
    /// `morris` or `sobol`.
    pub fn name(&self) -> &'static str {
        match self {
            Method::Morris { .. } => "morris",
            Method::Sobol { .. } => "sobol",
        }
    }
}

/// Sample points in the unit hypercube, in evaluation order.
#[derive(Debug, Clone, PartialEq)]
pub struct Design {
    /// Factors.
    pub k: usize,
    /// Points: `unit[i][f]` in [0, 1].
    pub unit: Vec<Vec<f64>>,
    /// What each point is: `A`, `B`, `AB3`, `BA3` with its row (Sobol), or
    /// the trajectory and step (Morris).
    pub role: Vec<(String, usize)>,
}

/// Morris design: `r` trajectories of k + 1 points on a `levels`-level grid,
/// each moving one factor at a time by Δ = p / (2(p − 1)), in random order.
pub fn morris_design(k: usize, r: usize, levels: u32, seed: u64) -> Design {
    let mut rng = stream(seed, Purpose::Design, 1);
    let p = f64::from(levels);
    let delta = p / (2.0 * (p - 1.0));
    let mut unit = Vec::with_capacity(r * (k + 1));
    let mut role = Vec::with_capacity(r * (k + 1));
    for t in 0..r {
        let mut x: Vec<f64> = (0..k)
            .map(|_| f64::from(rng.random_range(0..levels)) / (p - 1.0))
            .collect();
        let mut order: Vec<usize> = (0..k).collect();
        order.shuffle(&mut rng);
        unit.push(x.clone());
        role.push((format!("T{t}"), 0));
        for (s, &f) in order.iter().enumerate() {
            x[f] = if x[f] + delta <= 1.0 + 1e-12 {
                x[f] + delta
            } else {
                x[f] - delta
            };
            unit.push(x.clone());
            role.push((format!("T{t}"), s + 1));
        }
    }
    Design { k, unit, role }
}

/// Saltelli's design on an Owen-scrambled Sobol' sequence of 2k dimensions:
/// base matrices A and B (N rows), and for each factor i, AB_i (A with column
/// i from B) and, for second order, BA_i. Rows are laid out as SALib does:
/// A_j, AB_1j … AB_kj, [BA_1j … BA_kj], B_j.
pub fn saltelli_design(k: usize, n: usize, second_order: bool, seed: u64) -> Design {
    let scramble =
        (rand::Rng::next_u64(&mut stream(seed, Purpose::Design, 2)) & 0xffff_ffff) as u32;
    let point = |j: usize, d: usize| f64::from(sobol_burley::sample(j as u32, d as u32, scramble));
    let mut unit = Vec::new();
    let mut role = Vec::new();
    for j in 0..n {
        let a: Vec<f64> = (0..k).map(|d| point(j, d)).collect();
        let b: Vec<f64> = (0..k).map(|d| point(j, k + d)).collect();
        unit.push(a.clone());
        role.push(("A".to_string(), j));
        for i in 0..k {
            let mut ab = a.clone();
            ab[i] = b[i];
            unit.push(ab);
            role.push((format!("AB{}", i + 1), j));
        }
        if second_order {
            for i in 0..k {
                let mut ba = b.clone();
                ba[i] = a[i];
                unit.push(ba);
                role.push((format!("BA{}", i + 1), j));
            }
        }
        unit.push(b);
        role.push(("B".to_string(), j));
    }
    Design { k, unit, role }
}

/// One sensitivity index of one parameter.
#[derive(Debug, Clone, PartialEq)]
pub struct Index {
    /// Parameter (factor) number; for S2, the first of the pair.
    pub parameter: usize,
    /// The second parameter of an S2 pair.
    pub partner: Option<usize>,
    /// `S1`, `ST`, `S2`, `mu_star`, `mu` or `sigma`.
    pub index: &'static str,
    /// Estimate.
    pub value: f64,
    /// Lower end of the 95% bootstrap interval (NaN where none).
    pub ci_low: f64,
    /// Upper end.
    pub ci_high: f64,
}

fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len() as f64
}

fn variance(v: &[f64]) -> f64 {
    let m = mean(v);
    v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / v.len() as f64
}

fn sample_sd(v: &[f64]) -> f64 {
    if v.len() < 2 {
        return f64::NAN;
    }
    let m = mean(v);
    (v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (v.len() - 1) as f64).sqrt()
}

/// 2.5% and 97.5% percentiles.
fn percentile_interval(mut values: Vec<f64>) -> (f64, f64) {
    values.retain(|v| v.is_finite());
    if values.is_empty() {
        return (f64::NAN, f64::NAN);
    }
    values.sort_by(f64::total_cmp);
    let at = |q: f64| {
        let pos = q * (values.len() - 1) as f64;
        let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
        values[lo] + (values[hi] - values[lo]) * (pos - lo as f64)
    };
    (at(0.025), at(0.975))
}

/// Elementary effects of each factor, one per trajectory.
pub fn elementary_effects(design: &Design, y: &[f64]) -> Vec<Vec<f64>> {
    let k = design.k;
    let mut effects = vec![Vec::new(); k];
    for t in 0..design.unit.len() / (k + 1) {
        for s in 1..=k {
            let (i0, i1) = (t * (k + 1) + s - 1, t * (k + 1) + s);
            let Some(f) = (0..k).find(|&f| design.unit[i1][f] != design.unit[i0][f]) else {
                continue;
            };
            let dx = design.unit[i1][f] - design.unit[i0][f];
            effects[f].push((y[i1] - y[i0]) / dx);
        }
    }
    effects
}

/// μ*, μ and σ of every factor; μ* with a bootstrap interval over trajectories.
pub fn morris_indices(design: &Design, y: &[f64], bootstrap: usize, seed: u64) -> Vec<Index> {
    let effects = elementary_effects(design, y);
    let mut rng = stream(seed, Purpose::Design, 3);
    let mut out = Vec::new();
    for (f, ee) in effects.iter().enumerate() {
        let abs: Vec<f64> = ee.iter().map(|e| e.abs()).collect();
        let boot: Vec<f64> = (0..bootstrap)
            .map(|_| {
                let resample: Vec<f64> = (0..abs.len())
                    .map(|_| abs[rng.random_range(0..abs.len())])
                    .collect();
                mean(&resample)
            })
            .collect();
        let (lo, hi) = percentile_interval(boot);
        out.push(Index {
            parameter: f,
            partner: None,
            index: "mu_star",
            value: mean(&abs),
            ci_low: lo,
            ci_high: hi,
        });
        out.push(Index {
            parameter: f,
            partner: None,
            index: "mu",
            value: mean(ee),
            ci_low: f64::NAN,
            ci_high: f64::NAN,
        });
        out.push(Index {
            parameter: f,
            partner: None,
            index: "sigma",
            value: sample_sd(ee),
            ci_low: f64::NAN,
            ci_high: f64::NAN,
        });
    }
    out
}

/// Outputs of a Saltelli design split into blocks by row.
struct Blocks {
    a: Vec<f64>,
    b: Vec<f64>,
    ab: Vec<Vec<f64>>,
    ba: Vec<Vec<f64>>,
}

fn blocks(y: &[f64], n: usize, k: usize, second_order: bool) -> Blocks {
    let step = if second_order { 2 * k + 2 } else { k + 2 };
    let mut bl = Blocks {
        a: Vec::with_capacity(n),
        b: Vec::with_capacity(n),
        ab: vec![Vec::new(); k],
        ba: vec![Vec::new(); k],
    };
    for j in 0..n {
        let row = &y[j * step..(j + 1) * step];
        bl.a.push(row[0]);
        for i in 0..k {
            bl.ab[i].push(row[1 + i]);
            if second_order {
                bl.ba[i].push(row[1 + k + i]);
            }
        }
        bl.b.push(row[step - 1]);
    }
    bl
}

/// S1 (Saltelli 2010), ST (Jansen 1999) and optional S2 from rows `rows` of the blocks.
fn sobol_point(
    bl: &Blocks,
    rows: &[usize],
    k: usize,
    second_order: bool,
) -> (Vec<f64>, Vec<f64>, Vec<Vec<f64>>) {
    let pick = |v: &[f64]| -> Vec<f64> { rows.iter().map(|&j| v[j]).collect() };
    let (a, b) = (pick(&bl.a), pick(&bl.b));
    let mut both = a.clone();
    both.extend_from_slice(&b);
    let v = variance(&both);
    let mut s1 = Vec::with_capacity(k);
    let mut st = Vec::with_capacity(k);
    let abs: Vec<Vec<f64>> = (0..k).map(|i| pick(&bl.ab[i])).collect();
    for ab in &abs {
        s1.push(
            mean(
                &b.iter()
                    .zip(ab)
                    .zip(&a)
                    .map(|((b, ab), a)| b * (ab - a))
                    .collect::<Vec<_>>(),
            ) / v,
        );
        st.push(
            0.5 * mean(
                &a.iter()
                    .zip(ab)
                    .map(|(a, ab)| (a - ab).powi(2))
                    .collect::<Vec<_>>(),
            ) / v,
        );
    }
    let mut s2 = vec![vec![f64::NAN; k]; k];
    if second_order {
        let bas: Vec<Vec<f64>> = (0..k).map(|i| pick(&bl.ba[i])).collect();
        for j in 0..k {
            for l in j + 1..k {
                let vjl = mean(
                    &bas[j]
                        .iter()
                        .zip(&abs[l])
                        .zip(a.iter().zip(&b))
                        .map(|((ba, ab), (a, b))| ba * ab - a * b)
                        .collect::<Vec<_>>(),
                ) / v;
                s2[j][l] = vjl - s1[j] - s1[l];
            }
        }
    }
    (s1, st, s2)
}

/// Sobol' indices of a Saltelli design's outputs `y` (N base rows), with
/// percentile bootstrap intervals over rows. Outputs are centred first.
pub fn sobol_indices(
    y: &[f64],
    n: usize,
    k: usize,
    second_order: bool,
    bootstrap: usize,
    seed: u64,
) -> Vec<Index> {
    // Centring the outputs on their overall mean (as SALib does) leaves ST
    // unchanged and lowers the variance of the S1 estimator.
    let centre = mean(y);
    let centred: Vec<f64> = y.iter().map(|v| v - centre).collect();
    let bl = blocks(&centred, n, k, second_order);
    let all: Vec<usize> = (0..n).collect();
    let (s1, st, s2) = sobol_point(&bl, &all, k, second_order);
    let mut rng = stream(seed, Purpose::Design, 4);
    let mut boot_s1 = vec![Vec::with_capacity(bootstrap); k];
    let mut boot_st = vec![Vec::with_capacity(bootstrap); k];
    let mut boot_s2 = vec![vec![Vec::with_capacity(bootstrap); k]; k];
    for _ in 0..bootstrap {
        let rows: Vec<usize> = (0..n).map(|_| rng.random_range(0..n)).collect();
        let (b1, bt, b2) = sobol_point(&bl, &rows, k, second_order);
        for i in 0..k {
            boot_s1[i].push(b1[i]);
            boot_st[i].push(bt[i]);
            for l in i + 1..k {
                boot_s2[i][l].push(b2[i][l]);
            }
        }
    }
    let mut out = Vec::new();
    for i in 0..k {
        let (lo, hi) = percentile_interval(std::mem::take(&mut boot_s1[i]));
        out.push(Index {
            parameter: i,
            partner: None,
            index: "S1",
            value: s1[i],
            ci_low: lo,
            ci_high: hi,
        });
        let (lo, hi) = percentile_interval(std::mem::take(&mut boot_st[i]));
        out.push(Index {
            parameter: i,
            partner: None,
            index: "ST",
            value: st[i],
            ci_low: lo,
            ci_high: hi,
        });
    }
    if second_order {
        for i in 0..k {
            for l in i + 1..k {
                let (lo, hi) = percentile_interval(std::mem::take(&mut boot_s2[i][l]));
                out.push(Index {
                    parameter: i,
                    partner: Some(l),
                    index: "S2",
                    value: s2[i][l],
                    ci_low: lo,
                    ci_high: hi,
                });
            }
        }
    }
    out
}

/// A standard test function with known indices.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum TestFunction {
    /// Ishigami, a = 7, b = 0.1, x_i uniform on [−π, π].
    Ishigami,
    /// Sobol' G with a = (0, 1, 4.5, 9, 99, 99, 99, 99), x_i uniform on [0, 1].
    SobolG,
}

/// The a of the Sobol' G function.
pub const SOBOL_G_A: [f64; 8] = [0.0, 1.0, 4.5, 9.0, 99.0, 99.0, 99.0, 99.0];

impl TestFunction {
    /// Parses `ishigami` or `sobol-g`.
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "ishigami" => Some(Self::Ishigami),
            "sobol-g" => Some(Self::SobolG),
            _ => None,
        }
    }

    /// Its name on the command line.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Ishigami => "ishigami",
            Self::SobolG => "sobol-g",
        }
    }

    /// Number of inputs.
    pub fn inputs(&self) -> usize {
        match self {
            Self::Ishigami => 3,
            Self::SobolG => 8,
        }
    }

    /// Range of every input.
    pub fn range(&self) -> (f64, f64) {
        match self {
            Self::Ishigami => (-std::f64::consts::PI, std::f64::consts::PI),
            Self::SobolG => (0.0, 1.0),
        }
    }

    /// The function at `x` (inputs in their own range).
    pub fn eval(&self, x: &[f64]) -> f64 {
        match self {
            Self::Ishigami => {
                x[0].sin() + 7.0 * x[1].sin().powi(2) + 0.1 * x[2].powi(4) * x[0].sin()
            }
            Self::SobolG => SOBOL_G_A
                .iter()
                .zip(x)
                .map(|(a, x)| ((4.0 * x - 2.0).abs() + a) / (1.0 + a))
                .product(),
        }
    }

    /// Analytic first-order and total indices.
    pub fn analytic(&self) -> (Vec<f64>, Vec<f64>) {
        match self {
            Self::Ishigami => {
                let (a, b) = (7.0f64, 0.1f64);
                let pi4 = std::f64::consts::PI.powi(4);
                let v1 = 0.5 * (1.0 + b * pi4 / 5.0).powi(2);
                let v2 = a * a / 8.0;
                let v13 = b * b * pi4 * pi4 * (1.0 / 18.0 - 1.0 / 50.0);
                let v = v1 + v2 + v13;
                (
                    vec![v1 / v, v2 / v, 0.0],
                    vec![(v1 + v13) / v, v2 / v, v13 / v],
                )
            }
            Self::SobolG => {
                let vi: Vec<f64> = SOBOL_G_A
                    .iter()
                    .map(|a| 1.0 / (3.0 * (1.0 + a).powi(2)))
                    .collect();
                let v: f64 = vi.iter().map(|v| 1.0 + v).product::<f64>() - 1.0;
                let s1 = vi.iter().map(|x| x / v).collect();
                let st = vi
                    .iter()
                    .map(|x| {
                        x * vi
                            .iter()
                            .filter(|y| *y != x)
                            .map(|y| 1.0 + y)
                            .product::<f64>()
                            / v
                    })
                    .collect();
                (s1, st)
            }
        }
    }
}

/// Evaluates `f` on a design (unit points mapped to the function's range).
pub fn evaluate(f: TestFunction, design: &Design) -> Vec<f64> {
    let (lo, hi) = f.range();
    design
        .unit
        .iter()
        .map(|u| f.eval(&u.iter().map(|x| lo + x * (hi - lo)).collect::<Vec<_>>()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ishigami_analytic_values_are_the_published_ones() {
        let (s1, st) = TestFunction::Ishigami.analytic();
        for (got, want) in s1
            .iter()
            .zip([0.3139, 0.4424, 0.0])
            .chain(st.iter().zip([0.5576, 0.4424, 0.2437]))
        {
            assert!((got - want).abs() < 1e-4, "{got} vs {want}");
        }
    }

    #[test]
    fn saltelli_design_has_n_times_k_plus_2_points_in_salib_order() {
        let d = saltelli_design(3, 8, false, 1);
        assert_eq!(d.unit.len(), 8 * 5);
        let (a, ab2, b) = (&d.unit[0], &d.unit[2], &d.unit[4]);
        assert_eq!(ab2[0], a[0]);
        assert_eq!(ab2[1], b[1]);
        assert_eq!(ab2[2], a[2]);
        assert_eq!(saltelli_design(3, 8, true, 1).unit.len(), 8 * 8);
    }

    #[test]
    fn morris_trajectories_move_one_factor_by_delta() {
        let d = morris_design(5, 10, 4, 3);
        assert_eq!(d.unit.len(), 10 * 6);
        for t in 0..10 {
            for s in 1..=5 {
                let (p, q) = (&d.unit[t * 6 + s - 1], &d.unit[t * 6 + s]);
                let moved: Vec<f64> = p
                    .iter()
                    .zip(q)
                    .map(|(a, b)| (a - b).abs())
                    .filter(|d| *d > 0.0)
                    .collect();
                assert_eq!(moved.len(), 1);
                assert!((moved[0] - 2.0 / 3.0).abs() < 1e-12);
                assert!(q.iter().all(|x| (0.0..=1.0).contains(x)));
            }
        }
    }

    #[test]
    fn linear_model_has_exact_morris_effects() {
        let d = morris_design(3, 6, 4, 5);
        let y: Vec<f64> = d.unit.iter().map(|x| 2.0 * x[0] - 3.0 * x[1]).collect();
        let idx = morris_indices(&d, &y, 50, 1);
        let get = |p: usize, name: &str| {
            idx.iter()
                .find(|i| i.parameter == p && i.index == name)
                .unwrap()
                .value
        };
        assert!((get(0, "mu_star") - 2.0).abs() < 1e-9 && (get(0, "mu") - 2.0).abs() < 1e-9);
        assert!((get(1, "mu_star") - 3.0).abs() < 1e-9 && (get(1, "mu") + 3.0).abs() < 1e-9);
        assert!(get(2, "mu_star").abs() < 1e-12 && get(0, "sigma").abs() < 1e-9);
    }
}
