//! `govsim calibrate` on the model: levers used to make synthetic targets
//! are recovered inside their 95% credible intervals; a calibration killed
//! with `kill -9` and resumed gives the files of one never stopped, for any
//! thread count; bad input is exit 2 naming the cause. The sampler's known
//! answers (a normal mean's posterior, coverage) are unit tests of
//! `src/calibrate.rs`.

mod common;

use common::{govsim, scenario_path, scratch};
use std::process::Command;
use std::time::Duration;

fn town() -> String {
    scenario_path("classroom/small_town.toml")
        .display()
        .to_string()
}

fn summary(dir: &std::path::Path) -> serde_json::Map<String, serde_json::Value> {
    let text = std::fs::read_to_string(dir.join("summary.csv")).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let row: Vec<&str> = lines.next().unwrap().split(',').collect();
    header
        .iter()
        .zip(row)
        .map(|(h, v)| {
            (
                h.to_string(),
                v.parse::<f64>()
                    .map(serde_json::Value::from)
                    .unwrap_or(serde_json::Value::Null),
            )
        })
        .collect()
}

fn interval(dir: &std::path::Path, lever: &str) -> (f64, f64, f64) {
    let text = std::fs::read_to_string(dir.join("calibration.csv")).unwrap();
    let row: Vec<f64> = text
        .lines()
        .find(|l| l.starts_with(&format!("{lever},")))
        .unwrap_or_else(|| panic!("{lever} in {text}"))
        .split(',')
        .skip(1)
        .map(|v| v.parse().unwrap())
        .collect();
    (row[1], row[2], row[3])
}

/// Two levers that move different outputs — the issue rate (arrivals) and
/// the patience of residents (the share given up) — are recovered from the
/// outputs of a run made with known values, averaged over 4 seeds.
#[test]
fn levers_behind_synthetic_targets_are_recovered() {
    let dir = scratch("calibrate-recover");
    let truth = ["issues.rate=0.7", "issues.patience_mean=40"];
    let (mut arrived, mut resolution) = (0.0, 0.0);
    for seed in 1..=4 {
        let out = dir.join(format!("truth{seed}"));
        let mut args = vec![
            "run".to_string(),
            town(),
            "--days".into(),
            "150".into(),
            "--out".into(),
            out.display().to_string(),
        ];
        for t in truth
            .iter()
            .chain(&[format!("sim.seed={}", 100 + seed).as_str()])
        {
            args.extend(["--set".into(), t.to_string()]);
        }
        let done = Command::new(env!("CARGO_BIN_EXE_govsim"))
            .args(&args)
            .output()
            .unwrap();
        assert!(
            done.status.success(),
            "{}",
            String::from_utf8_lossy(&done.stderr)
        );
        let s = summary(&out);
        arrived += s["arrived"].as_f64().unwrap() / 4.0;
        resolution += s["resolution_rate"].as_f64().unwrap() / 4.0;
    }
    let out = dir.join("calibration");
    let result = govsim(&[
        "calibrate",
        &town(),
        "--days",
        "150",
        "--reps",
        "2",
        "--vary",
        "issues.rate=0.2..1.5",
        "--vary",
        "issues.patience_mean=10..120",
        "--target",
        &format!("arrived={arrived}±15"),
        "--target",
        &format!("resolution_rate={resolution}±0.03"),
        "--samples",
        "150",
        "--generations",
        "4",
        "--out",
        &out.display().to_string(),
    ]);
    assert!(
        result.status.success(),
        "{}",
        String::from_utf8_lossy(&result.stderr)
    );
    for (lever, value) in [("issues.rate", 0.7), ("issues.patience_mean", 40.0)] {
        let (median, lo, hi) = interval(&out, lever);
        assert!(
            lo <= value && value <= hi,
            "{lever}: {value} outside [{lo}, {hi}] (median {median})"
        );
    }
    let (_, lo, hi) = interval(&out, "issues.rate");
    assert!(
        hi - lo < 0.5,
        "the rate is identified: [{lo}, {hi}] of a prior 0.2..1.5"
    );
    // The calibrated scenario loads and carries the medians.
    let checked = govsim(&["check", &out.join("calibrated.toml").display().to_string()]);
    assert!(
        checked.status.success(),
        "{}",
        String::from_utf8_lossy(&checked.stderr)
    );
    let posterior = std::fs::read_to_string(out.join("posterior.csv")).unwrap();
    assert!(
        posterior
            .starts_with("generation,particle,weight,distance,issues.rate,issues.patience_mean")
    );
    let generations = std::fs::read_to_string(out.join("generations.csv")).unwrap();
    assert_eq!(
        generations.lines().count(),
        6,
        "a header, the prior and 4 generations: {generations}"
    );
    // The posterior predictive, the plots and the report.
    let predictive = std::fs::read_to_string(out.join("predictive.csv")).unwrap();
    assert_eq!(
        predictive.lines().count(),
        1 + 40 * 2,
        "40 draws of 2 targets"
    );
    for plot in [
        "posterior_0",
        "posterior_1",
        "pairs_0_1",
        "predictive",
        "tolerance",
    ] {
        let svg = std::fs::read_to_string(out.join(format!("plots/{plot}.svg"))).unwrap();
        assert!(svg.contains("<svg"), "{plot}");
        assert!(out.join(format!("plots/{plot}.png")).exists(), "{plot}.png");
    }
    // Identification: the rate, which the targets pin, reads so; the
    // posterior correlation of the pair is a number in [-1, 1].
    let identification = std::fs::read_to_string(out.join("identification.csv")).unwrap();
    assert!(
        identification
            .starts_with("lever,prior_low,prior_high,ci_low,ci_high,width_ratio,pinned\n")
    );
    let rate = identification
        .lines()
        .find(|l| l.starts_with("issues.rate,"))
        .unwrap();
    assert!(rate.ends_with(",pinned"), "{rate}");
    let correlations = std::fs::read_to_string(out.join("correlations.csv")).unwrap();
    let line = correlations.lines().nth(1).unwrap();
    assert!(
        line.starts_with("issues.rate,issues.patience_mean,"),
        "{line}"
    );
    let r: f64 = line.rsplit(',').next().unwrap().parse().unwrap();
    assert!((-1.0..=1.0).contains(&r), "{r}");
    let report = std::fs::read_to_string(out.join("report.html")).unwrap();
    for id in [
        "id=\"calibration\"",
        "id=\"correlations\"",
        "id=\"predictive\"",
        "id=\"generations\"",
        "plot-posterior_0",
        "plot-predictive",
    ] {
        assert!(report.contains(id), "report lacks {id}");
    }
}

fn calibrate_args(out: &std::path::Path, threads: &str) -> Vec<String> {
    [
        "calibrate",
        &town(),
        "--days",
        "90",
        "--vary",
        "issues.rate=0.2..1.2",
        "--target",
        "arrived=90",
        "--target",
        "resolution_rate=0.6",
        "--samples",
        "60",
        "--generations",
        "4",
        "--threads",
        threads,
        "--out",
        &out.display().to_string(),
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

/// Runs a calibration in `out` and signals it with `signal` (`-KILL`,
/// `-INT`) once its first generations are written (no clock: if it ends
/// before writing them, the test fails); returns its exit status.
fn calibration_stopped(out: &std::path::Path, signal: &str) -> std::process::ExitStatus {
    let mut child = Command::new(env!("CARGO_BIN_EXE_govsim"))
        .args(calibrate_args(out, "1"))
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    loop {
        let rows =
            std::fs::read_to_string(out.join("generations.csv")).map_or(0, |t| t.lines().count());
        if rows >= 3 {
            break;
        }
        assert!(
            child.try_wait().unwrap().is_none(),
            "the calibration ended before a generation was written"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let sent = Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    child.wait().unwrap()
}

/// Finishes the calibration stopped in `stopped` with --resume (on two
/// threads) and requires the files of the one never stopped, in `whole`.
fn resumed_equals(stopped: &std::path::Path, whole: &std::path::Path, how: &str) {
    let mut args = calibrate_args(stopped, "2");
    args.push("--resume".into());
    let out = govsim(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for file in ["posterior.csv", "generations.csv", "calibration.csv"] {
        assert_eq!(
            std::fs::read(whole.join(file)).unwrap(),
            std::fs::read(stopped.join(file)).unwrap(),
            "{file} differs after {how} and --resume"
        );
    }
}

/// A calibration stopped by Ctrl-C (exit 130, keeping its whole
/// generations; the one under way is dropped) or killed with `kill -9`,
/// then finished with --resume (on another thread count), gives the files
/// of one never stopped; its report is redrawn from its files alone.
#[test]
fn a_stopped_calibration_resumes_to_the_same_files() {
    let dir = scratch("calibrate-ctrl-c");
    let whole = dir.join("whole");
    let out = govsim(
        &calibrate_args(&whole, "2")
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // `govsim report` redraws the calibration's page and plots from its
    // files alone, byte for byte.
    let page = std::fs::read(whole.join("report.html")).unwrap();
    let plot = std::fs::read(whole.join("plots/posterior_0.png")).unwrap();
    std::fs::remove_file(whole.join("report.html")).unwrap();
    std::fs::remove_dir_all(whole.join("plots")).unwrap();
    let redrawn = govsim(&["report", whole.to_str().unwrap()]);
    assert!(
        redrawn.status.success(),
        "{}",
        String::from_utf8_lossy(&redrawn.stderr)
    );
    assert!(
        std::fs::read(whole.join("report.html")).unwrap() == page,
        "page differs"
    );
    assert!(std::fs::read(whole.join("plots/posterior_0.png")).unwrap() == plot);
    // A damaged calibration folder is bad input (exit 2), never a panic.
    type Damage = fn(&str) -> String;
    let cases: [(&str, Damage); 5] = [
        ("posterior.csv", |t| t.replace(',', ";")),
        ("posterior.csv", |t| {
            t.lines().take(1).collect::<Vec<_>>().join("\n")
        }),
        ("posterior.csv", |t| t.replacen("0.", "NaN", 3)),
        ("generations.csv", |_| "generation\n".into()),
        ("manifest.json", |t| t.replace("..", "~")),
    ];
    for (k, (file, damage)) in cases.iter().enumerate() {
        let copy = dir.join(format!("damaged-{k}"));
        std::fs::create_dir_all(&copy).unwrap();
        for entry in std::fs::read_dir(&whole).unwrap().flatten() {
            if entry.path().is_file() {
                std::fs::copy(entry.path(), copy.join(entry.file_name())).unwrap();
            }
        }
        let text = std::fs::read_to_string(copy.join(file)).unwrap();
        std::fs::write(copy.join(file), damage(&text)).unwrap();
        let out = govsim(&["report", copy.to_str().unwrap()]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{file} damaged ({k}): {err}");
        assert!(!err.contains("panicked"), "{err}");
    }
    let stopped = dir.join("stopped");
    let status = calibration_stopped(&stopped, "-INT");
    assert_eq!(status.code(), Some(130), "Ctrl-C exits with 130");
    assert!(!stopped.join("calibration.csv").exists(), "finished anyway");
    resumed_equals(&stopped, &whole, "Ctrl-C");
    let killed = dir.join("killed");
    calibration_stopped(&killed, "-KILL");
    resumed_equals(&killed, &whole, "kill -9");
}

#[test]
fn bad_calibrations_are_input_errors_naming_the_cause() {
    let dir = scratch("calibrate-bad");
    let out = dir.join("x").display().to_string();
    let t = town();
    let base = |extra: &[&str]| -> Vec<String> {
        let mut v: Vec<String> = [
            "calibrate",
            t.as_str(),
            "--days",
            "30",
            "--out",
            out.as_str(),
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        v.extend(extra.iter().map(|s| s.to_string()));
        v
    };
    let cases: Vec<(Vec<&str>, Vec<&str>)> = vec![
        (
            vec!["--vary", "issues.rat=0.1..1", "--target", "arrived=10"],
            vec!["issues.rat", "issues.rate"],
        ),
        (
            vec!["--vary", "issues.rate=1..0.5", "--target", "arrived=10"],
            vec!["issues.rate", "below"],
        ),
        (
            // Issue 29, item 11: a prior no float can resolve.
            vec![
                "--vary",
                "party.procedure.pooling=0..1e-309",
                "--target",
                "arrived=10",
            ],
            vec!["party.procedure.pooling", "narrower than 1e-9"],
        ),
        (
            vec!["--vary", "issues.rate=0.1..200", "--target", "arrived=10"],
            vec!["issues.rate", "valid range"],
        ),
        (
            vec!["--vary", "issues.rate=0.1..1:5", "--target", "arrived=10"],
            vec!["--vary", "no steps"],
        ),
        (
            // The memory limit holds for a calibration's runs too.
            vec![
                "--vary",
                "issues.rate=0.1..1",
                "--target",
                "arrived=10",
                "--max-memory",
                "1K",
            ],
            vec!["memory", "--max-memory"],
        ),
        (
            vec![
                "--vary",
                "issues.rate=0.1..1",
                "--target",
                "arrived=10",
                "--resume",
            ],
            vec!["--resume", "no calibration to continue"],
        ),
        (
            vec!["--vary", "issues.rate=0.1..1", "--target", "arived=10"],
            vec!["arived", "no such run-level metric"],
        ),
        (
            vec![
                "--vary",
                "issues.rate=0.1..1",
                "--target",
                "resolution_rate=1.5",
            ],
            vec!["resolution_rate", "valid range is 0 to 1"],
        ),
        (
            vec!["--vary", "issues.rate=0.1..1", "--target", "arrived=10±-1"],
            vec!["--target", "above 0"],
        ),
        (
            vec!["--vary", "issues.rate=0.1..1", "--target", "arrived=ten"],
            vec!["--target", "not a number"],
        ),
        (
            vec![
                "--vary",
                "issues.rate=0.1..1",
                "--target",
                "arrived=10",
                "--samples",
                "10",
            ],
            vec!["--samples", "20 to 100000"],
        ),
        (
            vec![
                "--vary",
                "issues.rate=0.1..1",
                "--vary",
                "issues.rate=0.2..0.9",
                "--target",
                "arrived=10",
            ],
            vec!["varied twice"],
        ),
        (
            vec![
                "--vary",
                "issues.rate=0.1..1",
                "--target",
                "arrived=10",
                "--resume",
            ],
            vec!["--resume", "no calibration"],
        ),
    ];
    for (extra, needles) in cases {
        let args = base(&extra);
        let result = govsim(&args.iter().map(String::as_str).collect::<Vec<_>>());
        let err = String::from_utf8_lossy(&result.stderr).to_string();
        assert_eq!(result.status.code(), Some(2), "{extra:?}: {err}");
        assert!(!err.contains("panicked"), "{extra:?}: {err}");
        for needle in needles {
            assert!(
                err.contains(needle),
                "{extra:?}: `{needle}` missing from {err}"
            );
        }
    }
    // Targets from a file: checked as flags are, named by file and entry.
    let file = dir.join("targets.toml");
    for (text, needles) in [
        (
            "[[target]]\nmetric = \"resolution_rate\"\nvalue = 1.5\n",
            vec![
                "targets.toml",
                "target[0].resolution_rate",
                "valid range is 0 to 1",
            ],
        ),
        (
            "[[target]]\nmetric = \"arrived\"\nvalue = 10\nunit = 3\n",
            // The unknown key is on line 4, and the error says so.
            vec!["targets.toml:4", "unit"],
        ),
        (
            "[[target]]\nmetric = \"arrived\"\n",
            vec!["targets.toml", "value"],
        ),
    ] {
        std::fs::write(&file, text).unwrap();
        let args = base(&[
            "--vary",
            "issues.rate=0.1..1",
            "--targets",
            &file.display().to_string(),
        ]);
        let result = govsim(&args.iter().map(String::as_str).collect::<Vec<_>>());
        let err = String::from_utf8_lossy(&result.stderr).to_string();
        assert_eq!(result.status.code(), Some(2), "{text}: {err}");
        for needle in needles {
            assert!(
                err.contains(needle),
                "{text}: `{needle}` missing from {err}"
            );
        }
    }
    std::fs::write(
        &file,
        "[[target]]\nmetric = \"arrived\"\nvalue = 10\nsd = 2\nsource = \"synthetic\"\n",
    )
    .unwrap();
    let from_file = dir.join("file").display().to_string();
    let mut args = base(&[
        "--vary",
        "issues.rate=0.1..1",
        "--targets",
        &file.display().to_string(),
        "--samples",
        "20",
        "--generations",
        "1",
    ]);
    let at = args.iter().position(|a| a == &out).unwrap();
    args[at] = from_file;
    assert!(
        govsim(&args.iter().map(String::as_str).collect::<Vec<_>>())
            .status
            .success()
    );

    // A folder that holds a calibration is not overwritten.
    let ok = base(&[
        "--vary",
        "issues.rate=0.1..1",
        "--target",
        "arrived=10",
        "--samples",
        "20",
        "--generations",
        "1",
    ]);
    assert!(
        govsim(&ok.iter().map(String::as_str).collect::<Vec<_>>())
            .status
            .success()
    );
    let before = std::fs::read(dir.join("x/posterior.csv")).unwrap();
    let again = govsim(&ok.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("already holds a calibration"));
    assert_eq!(std::fs::read(dir.join("x/posterior.csv")).unwrap(), before);
    // Resuming with other targets is refused.
    let mut other = base(&[
        "--vary",
        "issues.rate=0.1..1",
        "--target",
        "arrived=12",
        "--samples",
        "20",
        "--resume",
    ]);
    other.push("--generations".into());
    other.push("2".into());
    let refused = govsim(&other.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("another calibration"));
}
