//! Sensitivity analysis through the binary: the estimators recover the known
//! indices of the Ishigami and Sobol' G functions, converge as N grows, run
//! the model on the experiment runner, and refuse bad input.

use std::collections::BTreeMap;

mod common;

use common::{govsim, scratch};

/// (value, ci_low, ci_high) by (metric, parameter, index).
type Indices = BTreeMap<(String, String, String), (f64, f64, f64)>;

fn indices(dir: &std::path::Path) -> Indices {
    let text = std::fs::read_to_string(dir.join("indices.csv")).unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let num = |s: &str| s.parse::<f64>().unwrap_or(f64::NAN);
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            (
                (r[0].to_string(), r[1].to_string(), r[3].to_string()),
                (num(&r[4]), num(&r[5]), num(&r[6])),
            )
        })
        .collect()
}

fn analyse(function: &str, method: &str, samples: &str, name: &str) -> Indices {
    let dir = scratch(name);
    let out = govsim(&[
        "sensitivity",
        "--function",
        function,
        "--method",
        method,
        "--samples",
        samples,
        "--bootstrap",
        "500",
        "--out",
        &dir.display().to_string(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    indices(&dir)
}

const ISHIGAMI_S1: [f64; 3] = [0.3139, 0.4424, 0.0];
const ISHIGAMI_ST: [f64; 3] = [0.5576, 0.4424, 0.2437];

#[test]
fn ishigami_indices_lie_in_their_bootstrap_intervals_at_n_4096() {
    let ix = analyse("ishigami", "sobol", "4096", "ishigami");
    for (i, (s1, st)) in ISHIGAMI_S1.iter().zip(ISHIGAMI_ST).enumerate() {
        for (name, truth) in [("S1", *s1), ("ST", st)] {
            let key = ("y".to_string(), format!("x{}", i + 1), name.to_string());
            let (v, lo, hi) = ix[&key];
            assert!(
                lo <= truth && truth <= hi,
                "x{} {name}: {truth} not in [{lo}, {hi}] (estimate {v})",
                i + 1
            );
            assert!(
                hi - lo < 0.15,
                "x{} {name}: interval too wide to mean anything",
                i + 1
            );
        }
    }
}

#[test]
fn sobol_estimates_converge_as_n_grows() {
    let error = |ix: &Indices| -> f64 {
        (0..3)
            .map(|i| {
                let get = |n: &str| ix[&("y".to_string(), format!("x{}", i + 1), n.to_string())].0;
                (get("S1") - ISHIGAMI_S1[i]).abs() + (get("ST") - ISHIGAMI_ST[i]).abs()
            })
            .sum()
    };
    let coarse = error(&analyse("ishigami", "sobol", "64", "conv64"));
    let fine = error(&analyse("ishigami", "sobol", "16384", "conv16k"));
    assert!(
        fine < coarse / 4.0,
        "error {fine} at N = 16384 vs {coarse} at N = 64"
    );
    assert!(fine < 0.02, "error {fine} at N = 16384");
}

#[test]
fn sobol_g_morris_ranks_the_inputs_by_importance() {
    let ix = analyse("sobol-g", "morris", "50", "g-morris");
    let mu = |i: usize| ix[&("y".to_string(), format!("x{i}"), "mu_star".to_string())].0;
    for i in 1..4 {
        assert!(
            mu(i) > mu(i + 1),
            "μ*(x{i}) = {} not above μ*(x{}) = {}",
            mu(i),
            i + 1,
            mu(i + 1)
        );
    }
    for i in 5..=8 {
        assert!(
            mu(4) > 3.0 * mu(i),
            "x4 should dominate the near-inert x{i}"
        );
    }
}

#[test]
fn sobol_g_indices_match_the_analytic_values() {
    let ix = analyse("sobol-g", "sobol", "8192", "g-sobol");
    // V_i = 1 / (3 (1 + a_i)²); S1_i = V_i / (Π(1 + V_j) − 1); ST_i = V_i Π_{j≠i}(1 + V_j) / (Π(1 + V_j) − 1).
    let a = [0.0, 1.0, 4.5, 9.0, 99.0, 99.0, 99.0, 99.0];
    let v: Vec<f64> = a
        .iter()
        .map(|a: &f64| 1.0 / (3.0 * (1.0 + a).powi(2)))
        .collect();
    let total = v.iter().map(|x| 1.0 + x).product::<f64>() - 1.0;
    for i in 0..8 {
        let s1 = v[i] / total;
        let st = v[i]
            * (0..8)
                .filter(|&j| j != i)
                .map(|j| 1.0 + v[j])
                .product::<f64>()
            / total;
        let get = |n: &str| ix[&("y".to_string(), format!("x{}", i + 1), n.to_string())];
        let (e1, lo1, hi1) = get("S1");
        let (et, lot, hit) = get("ST");
        assert!(
            lo1 <= s1 && s1 <= hi1 && (e1 - s1).abs() < 0.01,
            "x{} S1 {e1} [{lo1}, {hi1}] vs {s1}",
            i + 1
        );
        assert!(
            lot <= st && st <= hit && (et - st).abs() < 0.01,
            "x{} ST {et} [{lot}, {hit}] vs {st}",
            i + 1
        );
    }
}

/// A small Morris analysis of the classroom town (9 design points × 2
/// replications) with `extra` flags; asserts success.
fn town_morris(extra: &[&str]) {
    let town = common::scenario_path("classroom/small_town.toml")
        .display()
        .to_string();
    let mut args = vec![
        "sensitivity",
        &town,
        "--method",
        "morris",
        "--samples",
        "3",
        "--reps",
        "2",
        "--days",
        "30",
        "--vary",
        "party.procedure.pooling=0..0.6",
        "--vary",
        "government.delay=0..6",
        "--metric",
        "resolution_rate",
        "--bootstrap",
        "50",
    ];
    args.extend_from_slice(extra);
    let out = govsim(&args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn the_model_is_analysed_on_the_experiment_runner_with_noise_reported() {
    let dir = scratch("model");
    let run = |threads: &str, sub: &str| {
        let out_dir = dir.join(sub);
        town_morris(&[
            "--threads",
            threads,
            "--out",
            &out_dir.display().to_string(),
        ]);
        out_dir
    };
    let one = run("1", "one");
    let two = run("2", "two");
    for f in ["indices.csv", "runs.csv", "samples.csv", "noise.csv"] {
        assert_eq!(
            std::fs::read(one.join(f)).unwrap(),
            std::fs::read(two.join(f)).unwrap(),
            "{f} depends on threads"
        );
    }
    let ix = indices(&one);
    assert_eq!(ix.len(), 2 * 3, "mu_star, mu and sigma of two levers");
    let runs = std::fs::read_to_string(one.join("runs.csv")).unwrap();
    assert_eq!(
        runs.lines().count(),
        1 + 3 * 3 * 2,
        "r (k + 1) points × 2 replications"
    );
    let noise = std::fs::read_to_string(one.join("noise.csv")).unwrap();
    assert!(
        noise
            .lines()
            .nth(1)
            .unwrap()
            .starts_with("resolution_rate,")
    );
    assert!(one.join("report.html").exists() && one.join("plots/morris.svg").exists());
}

#[test]
fn bad_sensitivity_input_exits_2() {
    let town = common::scenario_path("classroom/small_town.toml")
        .display()
        .to_string();
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec![
                "--function",
                "ishigami",
                "--method",
                "morris",
                "--samples",
                "1",
            ],
            "--samples",
        ),
        (
            vec![
                "--function",
                "ishigami",
                "--method",
                "sobol",
                "--samples",
                "8",
            ],
            "--samples",
        ),
        (
            vec![
                "--function",
                "ishigami",
                "--method",
                "sobol",
                "--samples",
                "64",
                "--vary",
                "party.procedure.pooling=0..1",
            ],
            "--vary",
        ),
        (
            vec![
                "--function",
                "rosenbrock",
                "--method",
                "sobol",
                "--samples",
                "64",
            ],
            "--function",
        ),
        (
            vec![
                "--function",
                "ishigami",
                "--method",
                "fast",
                "--samples",
                "64",
            ],
            "--method",
        ),
        (
            vec![
                "--function",
                "ishigami",
                "--method",
                "morris",
                "--samples",
                "10",
                "--levels",
                "3",
            ],
            "--levels",
        ),
        (
            vec![
                &town,
                "--method",
                "morris",
                "--samples",
                "4",
                "--vary",
                "party.procedure.pooling=0.5..0.1",
            ],
            "below",
        ),
        (
            vec![
                &town,
                "--method",
                "morris",
                "--samples",
                "4",
                "--vary",
                "party.procedure.polling=0..1",
            ],
            "polling",
        ),
        (
            vec![
                &town,
                "--method",
                "morris",
                "--samples",
                "4",
                "--vary",
                "party.procedure.pooling=0..1",
                "--metric",
                "happiness",
            ],
            "happiness",
        ),
        (
            vec![&town, "--method", "morris", "--samples", "4"],
            "--vary",
        ),
    ];
    for (args, needle) in cases {
        let mut all = vec!["sensitivity"];
        all.extend(args.iter().copied());
        let out = govsim(&all);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{all:?}: {err}");
        assert!(err.contains(needle), "{all:?}: `{needle}` not in {err}");
        assert!(!err.contains("panicked"), "{err}");
    }
}

#[test]
fn sharded_analyses_merge_and_resume_to_the_same_indices() {
    let dir = scratch("shards");
    let run = town_morris;
    let path = |sub: &str| dir.join(sub).display().to_string();
    run(&["--out", &path("whole")]);
    run(&["--shard", "1/2", "--out", &path("a")]);
    run(&["--shard", "2/2", "--out", &path("b")]);
    let merged = govsim(&["merge", &path("a"), &path("b"), "--out", &path("merged")]);
    assert!(
        merged.status.success(),
        "{}",
        String::from_utf8_lossy(&merged.stderr)
    );
    run(&["--out", &path("merged"), "--resume"]);
    for f in ["runs.csv", "indices.csv", "noise.csv"] {
        assert_eq!(
            std::fs::read(dir.join("whole").join(f)).unwrap(),
            std::fs::read(dir.join("merged").join(f)).unwrap(),
            "{f} differs after shards, merge and resume"
        );
    }
}

/// The per-design-point means that the indices were computed from, by
/// (metric, sample).
fn outputs(dir: &std::path::Path) -> BTreeMap<(String, usize), f64> {
    let text = std::fs::read_to_string(dir.join("outputs.csv")).unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            (
                (r[1].to_string(), r[0].parse().unwrap()),
                r[3].parse().unwrap(),
            )
        })
        .collect()
}

#[test]
fn a_paired_contrast_is_analysed_with_its_known_answers() {
    let dir = scratch("sensitivity-contrast");
    let town = common::scenario_path("classroom/small_town.toml");
    let town = town.display().to_string();
    let write = |name: &str, text: String| {
        let path = dir.join(format!("{name}.toml"));
        std::fs::write(&path, text).unwrap();
        path.display().to_string()
    };
    let communities = |urban: u32| {
        format!(
            "[[district.communities]]\nkind = \"urban\"\ncount = {urban}\npopulation = 750\nmigrant_share = 0.25\ngrids = 4\n\n[[district.communities]]\nkind = \"industrial\"\ncount = 1\npopulation = 500\nmigrant_share = 0.55\ngrids = 3\n"
        )
    };
    let same = write(
        "same",
        format!(
            "extends = {town:?}\nname = \"same_town\"\n{}",
            communities(2)
        ),
    );
    let twice = write(
        "twice",
        format!(
            "extends = {town:?}\nname = \"twice_the_urban\"\n{}",
            communities(4)
        ),
    );
    let run = |target: &str, out: &str| {
        let out = dir.join(out);
        let result = govsim(&[
            "sensitivity",
            &town,
            target,
            "--method",
            "morris",
            "--samples",
            "4",
            "--vary",
            "district.communities.0.population=500..1000",
            "--vary",
            "party.procedure.pooling=0..0.5",
            "--metric",
            "residents_start",
            "--metric",
            "resolution_rate",
            "--days",
            "30",
            "--reps",
            "2",
            "--bootstrap",
            "100",
            "--out",
            &out.display().to_string(),
        ]);
        assert!(
            result.status.success(),
            "{}",
            String::from_utf8_lossy(&result.stderr)
        );
        out
    };

    // Two scenarios that differ only in their name: every design point's
    // contrast is exactly zero, whatever the metric.
    let zero = run(&same, "zero");
    let means = outputs(&zero);
    assert_eq!(means.len(), 2 * 12);
    assert!(means.values().all(|&m| m == 0.0), "{means:?}");

    // The second scenario has twice the urban communities: its residents
    // exceed the baseline's by exactly twice the varied population at every
    // design point, and pooling has no effect on that contrast at all.
    let known = run(&twice, "known");
    let samples = std::fs::read_to_string(known.join("samples.csv")).unwrap();
    let mut reader = csv::Reader::from_reader(samples.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    let col = header
        .iter()
        .position(|h| h == "district.communities.0.population")
        .unwrap();
    let means = outputs(&known);
    for (i, r) in reader.records().enumerate() {
        let population: f64 = r.unwrap()[col].parse().unwrap();
        assert_eq!(means[&("residents_start".to_string(), i)], 2.0 * population);
    }
    let ix = indices(&known);
    let mu_star = |lever: &str| {
        ix[&(
            "residents_start".to_string(),
            lever.to_string(),
            "mu_star".to_string(),
        )]
            .0
    };
    assert_eq!(mu_star("party.procedure.pooling"), 0.0);
    assert!(mu_star("district.communities.0.population") > 900.0);
    let manifest = std::fs::read_to_string(known.join("manifest.json")).unwrap();
    assert!(
        manifest.contains("\"baseline\": \"small_town\""),
        "{manifest}"
    );
    let report = std::fs::read_to_string(known.join("report.html")).unwrap();
    assert!(report.contains("the paired contrast <b>twice_the_urban</b> − <b>small_town</b>"));

    // A baseline of the same name, or a third scenario: exit 2.
    let clash = write("clash", format!("extends = {town:?}\n{}", communities(4)));
    let out = govsim(&[
        "sensitivity",
        &town,
        &clash,
        "--method",
        "morris",
        "--samples",
        "2",
        "--vary",
        "party.procedure.pooling=0..0.5",
        "--days",
        "10",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("also named"));
    let out = govsim(&[
        "sensitivity",
        &town,
        &same,
        &twice,
        "--method",
        "morris",
        "--samples",
        "2",
        "--vary",
        "party.procedure.pooling=0..0.5",
        "--days",
        "10",
    ]);
    assert_eq!(out.status.code(), Some(2));
}
