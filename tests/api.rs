//! The typed API (`govsim::api`) gives, in memory, exactly what the command
//! line writes: the same runs, summaries and paired differences, whether or
//! not a folder is asked for, and leaves no temporary folder behind.

mod common;

use common::{govsim, scenario_path, scratch};
use govsim::api::{self, CompareRequest, Context, Runner, SweepRequest};
use govsim::experiment::{Reps, design::Sample};
use govsim::util::files::format_float;

fn town() -> std::path::PathBuf {
    scenario_path("classroom/small_town.toml")
}

/// `summary.csv` rebuilt from the API's typed rows.
fn summary_text(result: &api::Experiment) -> String {
    let mut text = String::new();
    for r in &result.summary() {
        let e = &r.estimate;
        let mut cells: Vec<String> = Vec::new();
        if result.layout.sweep {
            cells.push(r.point.to_string());
        }
        cells.push(r.scenario.clone());
        cells.extend(r.values.iter().cloned());
        cells.push(r.metric.clone());
        cells.push(e.n.to_string());
        for x in [e.mean, e.sd, e.ci_low, e.ci_high, e.relative_half_width()] {
            cells.push(format_float(x));
        }
        text.push_str(&cells.join(","));
        text.push('\n');
    }
    text
}

/// The rows of a CSV file without its header.
fn body(path: &std::path::Path) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    text.split_once('\n').unwrap().1.to_string()
}

#[test]
fn compare_in_memory_equals_the_command_line() {
    let dir = scratch("api-compare");
    let silo = scenario_path("regimes/bureaucratic_silo.toml");
    let party = scenario_path("regimes/party_led.toml");
    let out = dir.join("cli");
    let result = govsim(&[
        "compare",
        silo.to_str().unwrap(),
        party.to_str().unwrap(),
        "--reps",
        "3",
        "--days",
        "20",
        "--seed",
        "5",
        "--threads",
        "2",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(result.status.success(), "{result:?}");

    let request = CompareRequest {
        scenarios: vec![silo, party],
        names: Vec::new(),
        sets: Vec::new(),
        reps: Reps::Fixed(3),
        runner: Runner {
            seed: 5,
            days: Some(20),
            threads: Some(1),
            ..Runner::default()
        },
    };
    let memory = api::compare(&request, &Context::quiet()).unwrap();
    assert_eq!(memory.dir, None);
    assert_eq!(memory.outcome.runs_done, 6);
    assert_eq!(summary_text(&memory), body(&out.join("summary.csv")));
    assert_eq!(
        memory.runs.to_bytes(),
        std::fs::read(out.join("runs.csv")).unwrap()
    );
    // The paired differences: the party-led district against the silo.
    let mut text = String::new();
    for d in &memory.differences() {
        assert_eq!(d.scenario, "party_led");
        let mut cells = vec![d.metric.clone(), d.n.to_string()];
        for x in [
            d.diff,
            d.ci_low,
            d.ci_high,
            d.effect_size,
            d.p_value,
            d.p_adjusted,
        ] {
            cells.push(format_float(x));
        }
        text.push_str(&format!("party_led,{}\n", cells.join(",")));
    }
    assert_eq!(text, body(&out.join("differences.csv")));

    // With a folder asked for, the API writes what the command line writes.
    let written = dir.join("api");
    let request = CompareRequest {
        runner: Runner {
            out: Some(written.clone()),
            ..request.runner.clone()
        },
        ..request
    };
    let kept = api::compare(&request, &Context::quiet()).unwrap();
    assert_eq!(kept.dir.as_deref(), Some(written.as_path()));
    for file in [
        "runs.csv",
        "summary.csv",
        "differences.csv",
        "timeseries.csv",
    ] {
        assert_eq!(
            std::fs::read(written.join(file)).unwrap(),
            std::fs::read(out.join(file)).unwrap(),
            "{file}"
        );
    }
}

#[test]
fn one_file_compared_with_itself_under_other_levers() {
    let request = CompareRequest {
        scenarios: vec![town(), town()],
        names: vec!["pooling".into(), "no_pooling".into()],
        sets: vec![vec![], vec!["party.procedure.pooling=0".into()]],
        reps: Reps::Fixed(4),
        runner: Runner {
            days: Some(60),
            threads: Some(2),
            ..Runner::default()
        },
    };
    let result = api::compare(&request, &Context::quiet()).unwrap();
    assert_eq!(result.layout.labels, ["pooling", "no_pooling"]);
    let d = result
        .differences()
        .into_iter()
        .find(|d| d.metric == "cross_cutting_resolution_rate")
        .unwrap();
    assert_eq!((d.scenario.as_str(), d.n), ("no_pooling", 4));
    assert!(d.ci_low <= d.diff && d.diff <= d.ci_high, "{d:?}");
    // The same lever set by hand gives the same runs: overrides are applied.
    let by_hand = api::load(&town(), &["party.procedure.pooling=0".into()]).unwrap();
    assert_eq!(by_hand.scenario.party.procedure.pooling, 0.0);
    // Equal names are refused, as equal scenario names are.
    let same = CompareRequest {
        names: vec!["a".into(), "a".into()],
        ..request.clone()
    };
    let err = api::compare(&same, &Context::quiet()).unwrap_err();
    assert_eq!(err.exit_code(), 2, "{err}");
    // Replications are bounded by the API, not only by the command line's
    // flag: a client (Python, a program) gets the same refusal.
    for reps in [
        Reps::Fixed(0),
        Reps::Fixed(1),
        Reps::Fixed(100_001),
        Reps::Auto {
            precision: 0.0,
            max: 100,
        },
        Reps::Auto {
            precision: 0.05,
            max: 5,
        },
    ] {
        let bad = CompareRequest {
            reps,
            ..request.clone()
        };
        let err = api::compare(&bad, &Context::quiet()).unwrap_err();
        assert_eq!(err.exit_code(), 2, "{reps:?}: {err}");
    }
}

#[test]
fn a_sweep_in_memory_numbers_its_points() {
    let request = SweepRequest {
        scenarios: vec![town()],
        vary: vec!["party.procedure.centralization=0..1:3".into()],
        sample: Sample::Grid,
        reps: Reps::Fixed(2),
        runner: Runner {
            days: Some(30),
            threads: Some(2),
            ..Runner::default()
        },
    };
    // The only sweep of this test process: its temporary folder is gone
    // after it (compare tests run beside it, so they are not counted).
    let result = api::sweep(&request, &Context::quiet()).unwrap();
    assert_eq!(temporary_folders("sweep"), Vec::<String>::new());
    assert!(result.differences().is_empty());
    assert_eq!(result.outcome.runs_done, 6);
    let points: std::collections::BTreeSet<(usize, Vec<String>)> = result
        .summary()
        .iter()
        .map(|r| (r.point, r.values.clone()))
        .collect();
    assert_eq!(
        points.into_iter().collect::<Vec<_>>(),
        [
            (0, vec!["0".to_string()]),
            (1, vec!["0.5".to_string()]),
            (2, vec!["1".to_string()])
        ]
    );
    // Bad input is an input error, not a panic.
    let bad = SweepRequest {
        vary: vec!["party.procedure.centralisation=0..1".into()],
        ..request
    };
    assert_eq!(
        api::sweep(&bad, &Context::quiet()).unwrap_err().exit_code(),
        2
    );
}

/// The API's temporary folders of `kind` experiments of this process now
/// in the system's temporary folder.
fn temporary_folders(kind: &str) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(std::env::temp_dir())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(&format!("govsim-{kind}-{}-", std::process::id())))
        .collect();
    names.sort();
    names
}

#[test]
fn a_decomposition_in_memory_equals_the_command_line() {
    let dir = scratch("api-decompose");
    let silo = scenario_path("regimes/bureaucratic_silo.toml");
    let party = scenario_path("regimes/party_led.toml");
    let out = dir.join("cli");
    let args = [
        "decompose",
        silo.to_str().unwrap(),
        party.to_str().unwrap(),
        "--reps",
        "2",
        "--days",
        "15",
        "--metric",
        "resolution_rate",
        "--out",
        out.to_str().unwrap(),
    ];
    let result = govsim(&args);
    assert!(result.status.success(), "{result:?}");
    let mut request = api::DecomposeRequest {
        base: silo,
        target: party,
        groups: Vec::new(),
        metrics: vec!["resolution_rate".into()],
        reps: Reps::Fixed(2),
        runner: Runner {
            days: Some(15),
            threads: Some(2),
            ..Runner::default()
        },
    };
    let memory = api::decompose(&request, &Context::quiet()).unwrap();
    assert_eq!(
        memory.experiment.outcome.runs_done,
        2 << memory.groups.len()
    );
    let (metric, attribution) = &memory.attribution[0];
    assert_eq!(metric, "resolution_rate");
    assert_eq!(attribution.shapley.len(), memory.groups.len());
    // Shapley values add up to the difference, replication by replication.
    let sum: f64 = attribution.shapley.iter().map(|e| e.mean).sum();
    assert!(
        (sum - attribution.total.mean).abs() < 1e-9,
        "{sum} {:?}",
        attribution.total
    );
    // Written where asked, the tables are the command line's.
    let kept = dir.join("api");
    request.runner.out = Some(kept.clone());
    let written = api::decompose(&request, &Context::quiet()).unwrap();
    assert_eq!(written.attribution, memory.attribution);
    for file in ["attribution.csv", "interactions.csv", "runs.csv"] {
        assert_eq!(
            std::fs::read(kept.join(file)).unwrap(),
            std::fs::read(out.join(file)).unwrap(),
            "{file}"
        );
    }
}

#[test]
fn a_sensitivity_analysis_in_memory() {
    // A test function with known indices, no folder: the Sobol' estimates
    // come back with the analytic values beside them.
    let request = api::SensitivityRequest {
        scenario: None,
        baseline: None,
        method: api::MethodRequest::Sobol,
        vary: Vec::new(),
        samples: 1024,
        reps: 1,
        metrics: Vec::new(),
        levels: 4,
        second_order: false,
        bootstrap: 100,
        function: Some(govsim::analysis::sensitivity::TestFunction::Ishigami),
        runner: Runner::default(),
    };
    let result = api::sensitivity(&request, &Context::quiet()).unwrap();
    let (s1, _) = result.analytic.clone().unwrap();
    let (metric, indices) = &result.indices[0];
    assert_eq!((metric.as_str(), result.names.len()), ("y", 3));
    for (p, analytic) in s1.iter().enumerate() {
        let estimate = indices
            .iter()
            .find(|i| i.parameter == p && i.index == "S1")
            .unwrap();
        assert!(
            (estimate.value - analytic).abs() < 0.1,
            "{estimate:?} {analytic}"
        );
    }
    // Morris on the model's levers, in memory: every lever gets μ*.
    let request = api::SensitivityRequest {
        scenario: Some(town()),
        baseline: None,
        method: api::MethodRequest::Morris,
        vary: vec![
            "party.procedure.pooling=0..0.6".into(),
            "issues.rate=0.2..1".into(),
        ],
        samples: 2,
        reps: 2,
        metrics: vec!["resolution_rate".into()],
        function: None,
        runner: Runner {
            days: Some(20),
            threads: Some(2),
            ..Runner::default()
        },
        ..request
    };
    let result = api::sensitivity(&request, &Context::quiet()).unwrap();
    // Two trajectories of three points, two replications each.
    assert_eq!(result.evaluations, 2 * 3 * 2);
    let (_, indices) = &result.indices[0];
    for p in 0..2 {
        assert!(
            indices
                .iter()
                .any(|i| i.parameter == p && i.index == "mu_star")
        );
    }
    assert_eq!(result.noise.len(), 1);
}

#[test]
fn a_validation_in_memory_judges_what_the_folder_holds() {
    let dir = scratch("api-validate");
    let pattern =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("validation/design_3_formalism.toml");
    let mut request = api::ValidateRequest {
        patterns: vec![pattern],
        reps: Some(3),
        days: Some(30),
        threads: Some(2),
        ..api::ValidateRequest::default()
    };
    let memory = api::validate(&request, &Context::quiet()).unwrap();
    assert_eq!(memory.patterns.len(), 1);
    assert!(!memory.results.is_empty());
    request.out = Some(dir.join("kept"));
    let kept = api::validate(&request, &Context::quiet()).unwrap();
    let verdicts = |v: &api::Validation| -> Vec<String> {
        v.results
            .iter()
            .map(|r| {
                format!(
                    "{} {}",
                    r.claim.expected,
                    govsim::experiment::validation::measured(&r.verdict)
                )
            })
            .collect()
    };
    assert_eq!(verdicts(&memory), verdicts(&kept));
    assert!(dir.join("kept/validation.csv").exists());
    // Resuming needs the folder to resume.
    request.out = None;
    request.resume = true;
    let err = api::validate(&request, &Context::quiet()).unwrap_err();
    assert_eq!(err.exit_code(), 2);
}

#[test]
fn the_lever_registry_lists_every_lever_with_its_meaning() {
    let levers = api::levers();
    let find = |path: &str| levers.iter().find(|l| l.path == path).unwrap();
    let pooling = find("party.procedure.pooling");
    assert_eq!(
        (pooling.unit.as_str(), pooling.min, pooling.max),
        ("share", Some(0.0), Some(1.0))
    );
    assert!(pooling.meaning.contains("pooled"), "{pooling:?}");
    // Levers that are not numbers are listed too, with their defaults.
    let competencies = find("issues.competencies");
    assert!(
        competencies
            .default
            .as_deref()
            .unwrap()
            .contains("public_safety")
    );
    assert!(competencies.fixed.is_some(), "{competencies:?}");
    // Every lever that --set accepts is listed: each default parses back.
    for lever in levers.iter().filter(|l| l.default.is_some()) {
        let set = format!("{}={}", lever.path, lever.default.as_ref().unwrap());
        if lever.path == "name"
            || lever.path == "description"
            || lever.path.starts_with("district.")
        {
            continue;
        }
        api::load(&town(), std::slice::from_ref(&set)).unwrap_or_else(|e| panic!("{set}: {e}"));
    }
}
