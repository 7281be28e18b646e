//! The experiment commands through the binary: identical files for any thread
//! count, resume after a kill, shards that merge into the unsharded result,
//! paired differences, sweeps, automatic replications and bad input.

mod common;

use common::{govsim, scratch};

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

fn s(path: &Path) -> String {
    path.display().to_string()
}

fn scenario(name: &str) -> String {
    s(&common::scenario_path(name))
}

const DATA_FILES: &[&str] = &[
    "runs.csv",
    "summary.csv",
    "differences.csv",
    "timeseries.csv",
    "checkpoint.txt",
];

fn assert_same_files(a: &Path, b: &Path, files: &[&str]) {
    for f in files {
        let x = std::fs::read(a.join(f)).unwrap_or_else(|e| panic!("{}: {e}", a.join(f).display()));
        let y = std::fs::read(b.join(f)).unwrap_or_else(|e| panic!("{}: {e}", b.join(f).display()));
        assert!(
            x == y,
            "{f} differs between {} and {}",
            a.display(),
            b.display()
        );
    }
}

/// A copy of the files (not the folders) of `from` in a new folder `to`.
fn copy_files(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        if entry.path().is_file() {
            std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
        }
    }
}

fn ok(out: &Output) {
    assert!(
        out.status.success(),
        "exit {:?}: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn compare_args(out: &Path, extra: &[&str]) -> Vec<String> {
    let mut args: Vec<String> = vec![
        "compare".into(),
        scenario("classroom/small_town.toml"),
        scenario("regimes/bureaucratic_silo.toml"),
        "--set".into(),
        "district.communities.0.count=1".into(),
        "--days".into(),
        "60".into(),
        "--out".into(),
        s(out),
    ];
    args.extend(extra.iter().map(|x| x.to_string()));
    if !extra.contains(&"--reps") {
        args.extend(["--reps".to_string(), "5".to_string()]);
    }
    args
}

fn compare(out: &Path, extra: &[&str]) -> Output {
    let args = compare_args(out, extra);
    govsim(&args.iter().map(String::as_str).collect::<Vec<_>>())
}

#[test]
fn results_are_identical_for_one_two_and_eight_threads() {
    let dir = scratch("threads");
    for t in ["1", "2", "8"] {
        ok(&compare(&dir.join(t), &["--threads", t]));
    }
    assert_same_files(&dir.join("1"), &dir.join("2"), DATA_FILES);
    assert_same_files(&dir.join("1"), &dir.join("8"), DATA_FILES);
    let runs = std::fs::read_to_string(dir.join("1/runs.csv")).unwrap();
    assert_eq!(runs.lines().count(), 1 + 2 * 5, "a row per run");
    assert!(runs.starts_with("scenario,rep,seed,days,"));
}

/// Slower runs (larger communities, one thread), so an experiment can be stopped mid-way.
const SLOW: [&str; 6] = [
    "--threads",
    "1",
    "--reps",
    "12",
    "--set",
    "district.communities.0.count=40",
];

/// Starts the slow experiment into `dir`, waits until it has written a few
/// runs, stops it with `stop` and returns its exit status and rows written.
fn interrupted(
    dir: &Path,
    stop: impl FnOnce(&mut std::process::Child),
) -> (std::process::ExitStatus, usize) {
    interrupted_with(dir, &SLOW, stop)
}

/// [`interrupted`] with other arguments than [`SLOW`].
fn interrupted_with(
    dir: &Path,
    extra: &[&str],
    stop: impl FnOnce(&mut std::process::Child),
) -> (std::process::ExitStatus, usize) {
    let args = compare_args(dir, extra);
    let mut child = Command::new(env!("CARGO_BIN_EXE_govsim"))
        .args(&args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Stopped once a few runs are written, or when it has ended on its own
    // (then the assertions below fail): no clock.
    loop {
        let lines = std::fs::read_to_string(dir.join("runs.csv")).map_or(0, |t| t.lines().count());
        if lines >= 4 || child.try_wait().unwrap().is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    stop(&mut child);
    let status = child.wait().unwrap();
    let rows = std::fs::read_to_string(dir.join("runs.csv")).map_or(0, |t| t.lines().count());
    assert!(rows >= 2, "the experiment never wrote a run");
    assert!(
        rows < 1 + 24,
        "the experiment was not interrupted ({rows} lines)"
    );
    (status, rows)
}

#[test]
fn a_killed_experiment_resumes_to_the_same_files() {
    let dir = scratch("resume");
    let killed = dir.join("killed");
    interrupted(&killed, |child| child.kill().unwrap());
    ok(&compare(&killed, &[&SLOW[..], &["--resume"]].concat()));
    ok(&compare(&dir.join("whole12"), &SLOW));
    assert_same_files(&dir.join("whole12"), &killed, DATA_FILES);
}

/// The rows of a `series.csv` by (scenario, day, metric): each run's value.
fn series_values(path: &Path) -> std::collections::BTreeMap<(String, u32, String), Vec<f64>> {
    let mut reader = csv::Reader::from_path(path).unwrap();
    assert_eq!(
        reader.headers().unwrap().iter().collect::<Vec<_>>(),
        ["scenario", "rep", "seed", "day", "metric", "value"]
    );
    let mut values = std::collections::BTreeMap::new();
    for record in reader.records() {
        let r = record.unwrap();
        if let Ok(v) = r[5].parse::<f64>() {
            values
                .entry((r[0].to_string(), r[3].parse().unwrap(), r[4].to_string()))
                .or_insert_with(Vec::new)
                .push(v);
        }
    }
    values
}

#[test]
fn series_all_keeps_every_replications_series_whatever_the_threads() {
    let dir = scratch("series-all");
    for t in ["1", "2"] {
        ok(&compare(&dir.join(t), &["--threads", t, "--series", "all"]));
    }
    ok(&compare(&dir.join("mean"), &[]));
    assert_same_files(&dir.join("1"), &dir.join("2"), &["series.csv"]);
    // Keeping the series changes no other file, and leaves no partial copy.
    assert_same_files(&dir.join("1"), &dir.join("mean"), DATA_FILES);
    assert!(!dir.join("1/series.partial.csv").exists());
    assert!(!dir.join("mean/series.csv").exists());

    // Each (scenario, day, metric) has one value per replication, and their
    // mean is timeseries.csv's mean.
    let values = series_values(&dir.join("1/series.csv"));
    let mut reader = csv::Reader::from_path(dir.join("1/timeseries.csv")).unwrap();
    let mut checked = 0;
    for record in reader.records() {
        let r = record.unwrap();
        let key = (r[0].to_string(), r[1].parse().unwrap(), r[2].to_string());
        let n: usize = r[3].parse().unwrap();
        let Ok(mean) = r[4].parse::<f64>() else {
            continue;
        };
        let v = values
            .get(&key)
            .unwrap_or_else(|| panic!("{key:?} not in series.csv"));
        assert_eq!(v.len(), n, "{key:?}: replications");
        let m = v.iter().sum::<f64>() / v.len() as f64;
        assert!(
            (m - mean).abs() <= 1e-6 * mean.abs().max(1.0),
            "{key:?}: {m} against {mean}"
        );
        checked += 1;
    }
    assert!(checked > 1000, "only {checked} cells checked");
    let reps: std::collections::BTreeSet<u32> = csv::Reader::from_path(dir.join("1/series.csv"))
        .unwrap()
        .records()
        .map(|r| r.unwrap()[1].parse().unwrap())
        .collect();
    assert_eq!(reps.len(), 5, "every replication is there");
}

#[test]
fn a_killed_experiment_with_series_all_resumes_to_the_same_series() {
    let dir = scratch("series-resume");
    let extra = [&SLOW[..], &["--series", "all"]].concat();
    let killed = dir.join("killed");
    interrupted_with(&killed, &extra, |child| child.kill().unwrap());
    // A block cut by the crash half-way through a line, after the last row.
    let partial = killed.join("series.partial.csv");
    let mut bytes = std::fs::read(&partial).unwrap();
    bytes.extend_from_slice(b"bureaucratic_silo,11,123,5,arri");
    std::fs::write(&partial, bytes).unwrap();
    let other = compare(&killed, &[&SLOW[..], &["--resume"]].concat());
    assert_eq!(
        other.status.code(),
        Some(2),
        "resuming without --series all"
    );
    assert!(String::from_utf8_lossy(&other.stderr).contains("series"));
    ok(&compare(&killed, &[&extra[..], &["--resume"]].concat()));
    ok(&compare(&dir.join("whole"), &extra));
    assert_same_files(&dir.join("whole"), &killed, &["series.csv"]);
    assert_same_files(&dir.join("whole"), &killed, DATA_FILES);
    assert!(!partial.exists());
}

#[test]
fn shards_with_series_all_merge_into_the_unsharded_series() {
    let dir = scratch("series-shards");
    let all = ["--series", "all"];
    ok(&compare(&dir.join("whole"), &all));
    let mut merge = vec!["merge".to_string()];
    for k in 1..=2 {
        let d = dir.join(format!("shard{k}"));
        ok(&compare(
            &d,
            &[&all[..], &["--shard", &format!("{k}/2")]].concat(),
        ));
        merge.push(s(&d));
    }
    let mut args = merge.clone();
    args.extend(["--out".to_string(), s(&dir.join("merged"))]);
    ok(&govsim(
        &args.iter().map(String::as_str).collect::<Vec<_>>(),
    ));
    assert_same_files(&dir.join("whole"), &dir.join("merged"), &["series.csv"]);
    assert_same_files(&dir.join("whole"), &dir.join("merged"), DATA_FILES);

    // A shard run without --series all does not merge with one run with it.
    let plain = dir.join("plain2");
    ok(&compare(&plain, &["--shard", "2/2"]));
    let mixed = govsim(&[
        "merge",
        &merge[1],
        &s(&plain),
        "--out",
        &s(&dir.join("mixed")),
    ]);
    assert_eq!(mixed.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&mixed.stderr).contains("--series all"));
    // A shard whose series.csv lost a run's block does not merge either.
    let cut = dir.join("shard2/series.csv");
    let text = std::fs::read_to_string(&cut).unwrap();
    let keep: Vec<&str> = text
        .lines()
        .filter(|l| l.split(',').nth(1) != Some("3"))
        .collect();
    std::fs::write(&cut, keep.join("\n") + "\n").unwrap();
    let lost = govsim(&[
        "merge",
        &merge[1],
        &merge[2],
        "--out",
        &s(&dir.join("lost")),
    ]);
    assert_eq!(lost.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&lost.stderr).contains("lacks the series"));
}

#[test]
fn ctrl_c_stops_cleanly_keeping_what_is_done() {
    let dir = scratch("ctrl-c");
    let stopped = dir.join("stopped");
    let (status, _) = interrupted(&stopped, |child| {
        let sent = Command::new("kill")
            .args(["-INT", &child.id().to_string()])
            .status()
            .unwrap();
        assert!(sent.success());
    });
    assert_eq!(status.code(), Some(130), "Ctrl-C exits with 130");
    let manifest = std::fs::read_to_string(stopped.join("manifest.json")).unwrap();
    assert!(manifest.contains("\"complete\": false"));
    ok(&compare(&stopped, &[&SLOW[..], &["--resume"]].concat()));
    ok(&compare(&dir.join("whole"), &SLOW));
    assert_same_files(&dir.join("whole"), &stopped, DATA_FILES);
}

#[test]
fn resume_refuses_a_different_command_and_fresh_runs_refuse_a_used_folder() {
    let dir = scratch("refuse");
    ok(&compare(&dir, &[]));
    let before = std::fs::read(dir.join("summary.csv")).unwrap();
    let again = compare(&dir, &[]);
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("--resume"));
    let other = compare(&dir, &["--resume", "--seed", "9"]);
    assert_eq!(other.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&other.stderr).contains("different experiment"));
    assert_eq!(
        std::fs::read(dir.join("summary.csv")).unwrap(),
        before,
        "nothing written is lost"
    );
}

#[test]
fn shards_merge_into_the_unsharded_experiment() {
    let dir = scratch("shards");
    ok(&compare(&dir.join("whole"), &[]));
    let mut shards = Vec::new();
    for k in 1..=3 {
        let d = dir.join(format!("shard{k}"));
        ok(&compare(&d, &["--shard", &format!("{k}/3")]));
        shards.push(s(&d));
    }
    let merged = dir.join("merged");
    let mut args = vec!["merge".to_string()];
    args.extend(shards.iter().cloned());
    args.extend(["--out".to_string(), s(&merged)]);
    ok(&govsim(
        &args.iter().map(String::as_str).collect::<Vec<_>>(),
    ));
    assert_same_files(&dir.join("whole"), &merged, DATA_FILES);
    // A shard written by another govsim version does not merge (issue 29,
    // item 14).
    let other_version = dir.join("other-version");
    copy_files(Path::new(&shards[0]), &other_version);
    let manifest = std::fs::read_to_string(other_version.join("manifest.json")).unwrap();
    let edited = manifest.replacen(
        &format!("\"govsim_version\": \"{}\"", env!("CARGO_PKG_VERSION")),
        "\"govsim_version\": \"0.0.1\"",
        1,
    );
    assert_ne!(edited, manifest);
    std::fs::write(other_version.join("manifest.json"), edited).unwrap();
    let versions = govsim(&[
        "merge",
        &s(&other_version),
        &shards[1],
        &shards[2],
        "--out",
        &s(&dir.join("m-version")),
    ]);
    assert_eq!(versions.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&versions.stderr).contains("written by govsim 0.0.1"));
    // Shards of another experiment, or the same shard twice, do not merge.
    ok(&compare(&dir.join("other"), &["--seed", "5"]));
    let mixed = govsim(&[
        "merge",
        &shards[0],
        &s(&dir.join("other")),
        "--out",
        &s(&dir.join("m2")),
    ]);
    assert_eq!(mixed.status.code(), Some(2));
    let twice = govsim(&[
        "merge",
        &shards[0],
        &shards[0],
        "--out",
        &s(&dir.join("m3")),
    ]);
    assert_eq!(twice.status.code(), Some(2));

    // Two of three shards: refused, unless --allow-partial, which marks the
    // result incomplete in its manifest and its report.
    let partial = s(&dir.join("partial"));
    let two = govsim(&["merge", &shards[0], &shards[1], "--out", &partial]);
    assert_eq!(two.status.code(), Some(2));
    let err = String::from_utf8_lossy(&two.stderr);
    assert!(
        err.contains("planned runs") && err.contains("--allow-partial"),
        "{err}"
    );
    assert!(!dir.join("partial/manifest.json").exists());
    ok(&govsim(&[
        "merge",
        &shards[0],
        &shards[1],
        "--out",
        &partial,
        "--allow-partial",
    ]));
    let manifest = std::fs::read_to_string(dir.join("partial/manifest.json")).unwrap();
    assert!(manifest.contains("\"complete\": false"), "{manifest}");
    let report = std::fs::read_to_string(dir.join("partial/report.html")).unwrap();
    assert!(report.contains("id=\"incomplete\""));
    // A shard that lost its last row is missing a run too.
    let cut = dir.join("cut");
    copy_files(Path::new(&shards[2]), &cut);
    let runs = std::fs::read_to_string(cut.join("runs.csv")).unwrap();
    let kept: Vec<&str> = runs.lines().collect();
    std::fs::write(
        cut.join("runs.csv"),
        kept[..kept.len() - 1].join("\n") + "\n",
    )
    .unwrap();
    let short = govsim(&[
        "merge",
        &shards[0],
        &shards[1],
        &s(&cut),
        "--out",
        &s(&dir.join("m4")),
    ]);
    assert_eq!(short.status.code(), Some(2));
    // A merge stopped before its manifest was written is merged again.
    let stopped = dir.join("stopped");
    std::fs::create_dir_all(&stopped).unwrap();
    std::fs::copy(merged.join("runs.csv"), stopped.join("runs.csv")).unwrap();
    let mut again = vec!["merge".to_string()];
    again.extend(shards.iter().cloned());
    again.extend(["--out".to_string(), s(&stopped)]);
    ok(&govsim(
        &again.iter().map(String::as_str).collect::<Vec<_>>(),
    ));
    assert_same_files(&dir.join("whole"), &stopped, DATA_FILES);
}

#[test]
fn identical_scenarios_differ_by_exactly_zero_under_common_random_numbers() {
    let dir = scratch("crn");
    let copy = dir.join("copy.toml");
    std::fs::write(
        &copy,
        format!(
            "extends = {:?}\nname = \"copy\"\n",
            scenario("classroom/small_town.toml")
        ),
    )
    .unwrap();
    let out = govsim(&[
        "compare",
        &scenario("classroom/small_town.toml"),
        &s(&copy),
        "--reps",
        "4",
        "--days",
        "60",
        "--out",
        &s(&dir.join("out")),
    ]);
    ok(&out);
    let text = std::fs::read_to_string(dir.join("out/differences.csv")).unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let mut zeros = 0;
    let mut metrics = Vec::new();
    for record in reader.records() {
        let r = record.unwrap();
        metrics.push(r[1].to_string());
        if r[3].is_empty() {
            continue;
        }
        // Every run of the copy equals its paired run of the original, so
        // the difference and both ends of its interval are exactly 0.
        for column in 3..6 {
            assert_eq!(
                r[column].parse::<f64>().unwrap(),
                0.0,
                "{} column {column}",
                &r[1]
            );
        }
        zeros += 1;
    }
    // Not a pass by absence: the key metrics are there with values.
    for key in [
        "resolution_rate",
        "cross_cutting_resolution_rate",
        "participation_rate",
    ] {
        assert!(metrics.iter().any(|m| m == key), "{key} missing");
    }
    assert!(
        zeros >= 30,
        "only {zeros} of {} differences have values",
        metrics.len()
    );
}

#[test]
fn summary_intervals_are_the_t_intervals_of_runs() {
    let dir = scratch("intervals");
    ok(&compare(&dir, &[]));
    let runs = std::fs::read_to_string(dir.join("runs.csv")).unwrap();
    let mut reader = csv::Reader::from_reader(runs.as_bytes());
    let col = reader
        .headers()
        .unwrap()
        .iter()
        .position(|h| h == "resolution_rate")
        .unwrap();
    let values: Vec<f64> = reader
        .records()
        .map(|r| r.unwrap())
        .filter(|r| &r[0] == "small_town")
        .map(|r| r[col].parse().unwrap())
        .collect();
    assert_eq!(values.len(), 5);
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let sd = (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
    // t(0.975, 4) = 2.7764451051977987 (scipy.stats.t.ppf).
    let half = 2.7764451051977987 * sd / n.sqrt();
    let summary = std::fs::read_to_string(dir.join("summary.csv")).unwrap();
    let line = summary
        .lines()
        .find(|l| l.starts_with("small_town,resolution_rate,"))
        .unwrap();
    let f: Vec<f64> = line
        .split(',')
        .skip(2)
        .map(|x| x.parse().unwrap())
        .collect();
    assert_eq!(f[0], 5.0);
    assert!((f[1] - mean).abs() < 1e-12 && (f[2] - sd).abs() < 1e-12);
    assert!(
        (f[3] - (mean - half)).abs() < 1e-9 && (f[4] - (mean + half)).abs() < 1e-9,
        "{line}"
    );
}

#[test]
fn sweeps_write_a_column_per_lever_and_a_summary_per_point() {
    let dir = scratch("sweep");
    let town = scenario("classroom/small_town.toml");
    let grid = dir.join("grid");
    ok(&govsim(&[
        "sweep",
        &town,
        "--vary",
        "party.procedure.pooling=0..0.5:3",
        "--vary",
        "government.delay=0..4:2",
        "--reps",
        "2",
        "--days",
        "30",
        "--out",
        &s(&grid),
    ]));
    let runs = std::fs::read_to_string(grid.join("runs.csv")).unwrap();
    assert!(
        runs.starts_with("point,scenario,rep,seed,party.procedure.pooling,government.delay,days,")
    );
    assert_eq!(runs.lines().count(), 1 + 6 * 2);
    assert!(
        runs.lines()
            .any(|l| l.starts_with("5,small_town,1,") && l.contains(",0.5,4,"))
    );
    let summary = std::fs::read_to_string(grid.join("summary.csv")).unwrap();
    assert!(
        summary
            .lines()
            .any(|l| l.starts_with("3,small_town,0.25,4,resolution_rate,2,"))
    );
    let lhs = dir.join("lhs");
    ok(&govsim(&[
        "sweep",
        &town,
        "--vary",
        "party.procedure.pooling=0..1",
        "--vary",
        "issues.affected=1..9",
        "--sample",
        "lhs:6",
        "--reps",
        "2",
        "--days",
        "20",
        "--out",
        &s(&lhs),
    ]));
    let runs = std::fs::read_to_string(lhs.join("runs.csv")).unwrap();
    assert_eq!(runs.lines().count(), 1 + 6 * 2);
    // `issues.affected` takes integers: its column holds whole numbers.
    for line in runs.lines().skip(1) {
        let affected = line.split(',').nth(5).unwrap();
        assert!(affected.parse::<u32>().is_ok(), "{affected}");
    }
}

/// `runs.csv` as (point, scenario, rep, lever values) → that run's
/// `metric`.
fn runs_by_point(path: &Path, metric: &str) -> Vec<(u32, String, u32, String, f64)> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = header.iter().position(|h| *h == metric).unwrap();
    lines
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (
                f[0].parse().unwrap(),
                f[1].to_string(),
                f[2].parse().unwrap(),
                f[4].to_string(),
                f[col].parse().unwrap(),
            )
        })
        .collect()
}

#[test]
fn a_sweep_of_several_scenarios_contrasts_each_with_the_first_at_the_same_values() {
    let dir = scratch("sweep-contrast");
    let town = scenario("classroom/small_town.toml");
    let hub = dir.join("hub_town.toml");
    std::fs::write(
        &hub,
        format!(
            "extends = {town:?}\nname = \"hub_town\"\n[party.setting]\ncommunity_coverage = 0.0\n[institutions]\nconvener = \"community_hub\"\nconvener_coverage = 1.0\n"
        ),
    )
    .unwrap();
    let args = |out: &Path, scenarios: &[&str], extra: &[&str]| -> Vec<String> {
        let mut a = vec!["sweep".to_string()];
        a.extend(scenarios.iter().map(|x| x.to_string()));
        for x in [
            "--vary",
            "party.procedure.pooling=0..0.5:2",
            "--reps",
            "4",
            "--days",
            "40",
            "--out",
        ] {
            a.push(x.into());
        }
        a.push(s(out));
        a.extend(extra.iter().map(|x| x.to_string()));
        a
    };
    let run = |a: Vec<String>| govsim(&a.iter().map(String::as_str).collect::<Vec<_>>());
    let whole = dir.join("whole");
    ok(&run(args(&whole, &[&town, &s(&hub)], &[])));

    // Points: each design point holds both scenarios, the baseline first.
    let runs = runs_by_point(&whole.join("runs.csv"), "resolution_rate");
    assert_eq!(runs.len(), 2 * 2 * 4);
    let points: std::collections::BTreeSet<(u32, String, String)> = runs
        .iter()
        .map(|r| (r.0, r.1.clone(), r.3.clone()))
        .collect();
    let expected: std::collections::BTreeSet<(u32, String, String)> = [
        (0, "small_town", "0"),
        (1, "hub_town", "0"),
        (2, "small_town", "0.5"),
        (3, "hub_town", "0.5"),
    ]
    .iter()
    .map(|(p, l, v)| (*p, l.to_string(), v.to_string()))
    .collect();
    assert_eq!(points, expected);

    // The baseline's runs are those of a sweep of it alone.
    let alone = dir.join("alone");
    ok(&run(args(&alone, &[&town], &[])));
    let own: Vec<(String, u32, f64)> = runs_by_point(&alone.join("runs.csv"), "resolution_rate")
        .into_iter()
        .map(|r| (r.3, r.2, r.4))
        .collect();
    let mut baseline: Vec<(String, u32, f64)> = runs
        .iter()
        .filter(|r| r.1 == "small_town")
        .map(|r| (r.3.clone(), r.2, r.4))
        .collect();
    baseline.sort_by(|a, b| (&a.0, a.1).cmp(&(&b.0, b.1)));
    let mut own_sorted = own.clone();
    own_sorted.sort_by(|a, b| (&a.0, a.1).cmp(&(&b.0, b.1)));
    assert_eq!(baseline, own_sorted);
    assert!(!alone.join("contrasts.csv").exists());

    // Each contrast is the mean of the paired differences, computed here
    // from runs.csv, against the baseline at the same lever value.
    let contrasts = std::fs::read_to_string(whole.join("contrasts.csv")).unwrap();
    assert!(
        contrasts
            .starts_with("point,scenario,party.procedure.pooling,metric,n,diff,ci_low,ci_high,"),
        "{contrasts}"
    );
    for (point, value) in [(1u32, "0"), (3, "0.5")] {
        let at = |label: &str, rep: u32| {
            runs.iter()
                .find(|r| r.1 == label && r.3 == value && r.2 == rep)
                .unwrap()
                .4
        };
        let mean = (0..4)
            .map(|rep| at("hub_town", rep) - at("small_town", rep))
            .sum::<f64>()
            / 4.0;
        let line = contrasts
            .lines()
            .find(|l| l.starts_with(&format!("{point},hub_town,{value},resolution_rate,4,")))
            .unwrap_or_else(|| panic!("{contrasts}"));
        let diff: f64 = line.split(',').nth(5).unwrap().parse().unwrap();
        assert!((diff - mean).abs() < 1e-12, "{diff} against {mean}");
    }
    assert!(
        !contrasts
            .lines()
            .any(|l| l.starts_with("0,") || l.starts_with("2,"))
    );

    // The report leads with the contrast and draws it over the lever.
    let report = std::fs::read_to_string(whole.join("report.html")).unwrap();
    assert!(report.contains("hub_town</b> − small_town"), "{report}");
    assert!(
        whole
            .join("plots/contrast_party_procedure_pooling.svg")
            .exists()
    );

    // Shards merge into the same files.
    let mut merge = vec!["merge".to_string()];
    for k in 1..=2 {
        let d = dir.join(format!("shard{k}"));
        ok(&run(args(
            &d,
            &[&town, &s(&hub)],
            &["--shard", &format!("{k}/2")],
        )));
        merge.push(s(&d));
    }
    merge.extend(["--out".to_string(), s(&dir.join("merged"))]);
    ok(&run(merge));
    assert_same_files(
        &whole,
        &dir.join("merged"),
        &["runs.csv", "summary.csv", "contrasts.csv"],
    );

    // Two scenarios of one name cannot be told apart: refused.
    let same = run(args(&dir.join("same"), &[&town, &town], &[]));
    assert_eq!(same.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&same.stderr).contains("also named"));
}

#[test]
fn automatic_replications_stop_at_the_precision_or_the_cap() {
    let dir = scratch("auto");
    let town = scenario("classroom/small_town.toml");
    let run = |sub: &str, precision: &str| {
        let out = dir.join(sub);
        let result = govsim(&[
            "compare",
            &town,
            "--reps",
            "auto",
            "--precision",
            precision,
            "--max-reps",
            "30",
            "--days",
            "60",
            "--out",
            &s(&out),
        ]);
        ok(&result);
        let manifest: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(out.join("manifest.json")).unwrap())
                .unwrap();
        let warned = String::from_utf8_lossy(&result.stdout).contains("was not reached");
        (manifest["reps"].as_u64().unwrap(), warned)
    };
    let loose = run("loose", "0.5");
    let strict = run("strict", "0.0001");
    assert_eq!(
        loose,
        (10, false),
        "a loose target is met by the first batch"
    );
    assert_eq!(
        strict,
        (30, true),
        "an unreachable target stops at the cap, and says so"
    );
}

#[test]
fn bad_experiment_input_exits_2_with_a_clear_message() {
    let dir = scratch("bad");
    let town = scenario("classroom/small_town.toml");
    let (nothing, merged) = (s(&dir.join("nothing")), s(&dir.join("m")));
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["compare", &town, "--reps", "1"], "--reps"),
        (vec!["compare", &town, "--reps", "auto"], "--precision"),
        (vec!["compare", &town, "--shard", "3/2"], "--shard"),
        (vec!["compare", &town, "--shard", "0/2"], "--shard"),
        (vec!["compare", &town, "--threads", "0"], "--threads"),
        (vec!["compare", &town, "--resume"], "--out"),
        (vec!["compare", &town, &town], "named"),
        (vec!["compare", &town, "--set", "sim.dayz=3"], "sim.dayz"),
        (
            vec!["sweep", &town, "--vary", "party.procedure.polling=0..1"],
            "party.procedure.polling",
        ),
        (
            vec!["sweep", &town, "--vary", "party.procedure.pooling=0..3"],
            "valid range 0 to 1",
        ),
        (
            vec!["sweep", &town, "--vary", "party.procedure.pooling=0.6..0.2"],
            "below",
        ),
        (
            vec![
                "sweep",
                &town,
                "--vary",
                "party.procedure.pooling=0..1",
                "--sample",
                "lhs:x",
            ],
            "--sample",
        ),
        (vec!["merge", &nothing, "--out", &merged], "manifest"),
    ];
    for (args, needle) in cases {
        let out = govsim(&args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(needle), "{args:?}: `{needle}` not in {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
    }
}

/// Every command writes only into an empty folder or its own kind's (issue
/// 29, item 7): another command's folder is refused before anything is
/// written, and its files stay as they were.
#[test]
fn each_command_refuses_another_commands_folder() {
    let dir = scratch("foreign-folders");
    let town = scenario("classroom/small_town.toml");
    let pattern = common::scenario_path("../validation/design_9_steady_state.toml");
    let pattern = s(&pattern);
    let experiment = dir.join("experiment");
    ok(&govsim(&[
        "compare",
        &town,
        "--reps",
        "2",
        "--days",
        "5",
        "--out",
        &s(&experiment),
    ]));
    let validation = dir.join("validation");
    ok(&govsim(&[
        "validate",
        &pattern,
        "--reps",
        "2",
        "--days",
        "5",
        "--out",
        &s(&validation),
    ]));
    let calibration = dir.join("calibration");
    let calibrate = |out: &Path| {
        govsim(&[
            "calibrate",
            &town,
            "--vary",
            "issues.rate=0.2..1",
            "--target",
            "resolution_rate=0.5±0.1",
            "--samples",
            "20",
            "--generations",
            "1",
            "--days",
            "5",
            "--out",
            &s(out),
        ])
    };
    ok(&calibrate(&calibration));
    // Prior draws whose metric is undefined in a 5-day run (no issue closed)
    // are infinitely far, written `inf`, and read back by `report`.
    let posterior = std::fs::read_to_string(calibration.join("posterior.csv")).unwrap();
    assert!(posterior.contains(",inf,"), "{posterior}");
    ok(&govsim(&["report", &s(&calibration)]));
    let run = dir.join("run");
    ok(&govsim(&["run", &town, "--days", "5", "--out", &s(&run)]));
    let snapshot = |d: &Path| -> Vec<(String, Vec<u8>)> {
        let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(d)
            .unwrap()
            .flatten()
            .filter(|e| e.path().is_file())
            .map(|e| {
                (
                    e.file_name().to_string_lossy().into_owned(),
                    std::fs::read(e.path()).unwrap(),
                )
            })
            .collect();
        files.sort();
        files
    };
    let before: Vec<_> = [&experiment, &validation, &calibration, &run]
        .iter()
        .map(|d| snapshot(d))
        .collect();
    let refused = |out: Output, what: &str| {
        let err = String::from_utf8_lossy(&out.stderr).to_string();
        assert_eq!(out.status.code(), Some(2), "{what}: {err}");
        assert!(
            err.contains("writes only into an empty folder or its own"),
            "{what}: {err}"
        );
    };
    refused(calibrate(&experiment), "calibrate into an experiment");
    refused(calibrate(&validation), "calibrate into a validation");
    refused(
        govsim(&[
            "validate",
            &pattern,
            "--reps",
            "2",
            "--days",
            "5",
            "--out",
            &s(&experiment),
        ]),
        "validate into an experiment",
    );
    refused(
        govsim(&[
            "validate",
            &pattern,
            "--reps",
            "2",
            "--days",
            "5",
            "--out",
            &s(&calibration),
        ]),
        "validate into a calibration",
    );
    for target in [&validation, &calibration, &run] {
        refused(
            govsim(&[
                "compare",
                &town,
                "--reps",
                "2",
                "--days",
                "5",
                "--out",
                &s(target),
            ]),
            "compare into another kind's folder",
        );
        refused(
            govsim(&["merge", &s(&experiment), "--out", &s(target)]),
            "merge into another kind's folder",
        );
    }
    refused(
        govsim(&[
            "sweep",
            &town,
            "--vary",
            "issues.rate=0.2..0.4:2",
            "--reps",
            "2",
            "--days",
            "5",
            "--out",
            &s(&validation),
        ]),
        "sweep into a validation",
    );
    let after: Vec<_> = [&experiment, &validation, &calibration, &run]
        .iter()
        .map(|d| snapshot(d))
        .collect();
    assert!(before == after, "a refused command changed a folder");
}

/// Files read back from an output folder are bounded like scenario files
/// (issue 29, item 10): a `runs.csv`, checkpoint or manifest made a link to
/// `/dev/zero` is refused as not a regular file, promptly, by `report`,
/// `--resume` and `merge`, instead of hanging or exhausting memory.
#[cfg(unix)]
#[test]
fn files_read_back_from_an_output_folder_are_bounded() {
    let dir = scratch("bounded-reads");
    let whole = dir.join("whole");
    ok(&compare(&whole, &["--reps", "2"]));
    for file in ["runs.csv", "checkpoint.txt", "manifest.json"] {
        let damaged = dir.join(format!("damaged-{file}"));
        copy_files(&whole, &damaged);
        std::fs::remove_file(damaged.join(file)).unwrap();
        std::os::unix::fs::symlink("/dev/zero", damaged.join(file)).unwrap();
        let check = |out: Output, what: &str| {
            let err = String::from_utf8_lossy(&out.stderr).to_string();
            assert_eq!(out.status.code(), Some(2), "{file}, {what}: {err}");
            assert!(err.contains("not a regular file"), "{file}, {what}: {err}");
        };
        // `report` draws from the manifest and the summary tables (runs.csv
        // only for optional pairings, the checkpoint not at all): it ends,
        // and refuses a manifest it cannot read.
        let report = govsim(&["report", &s(&damaged)]);
        if file == "manifest.json" {
            check(report, "report");
        } else {
            ok(&report);
        }
        check(compare(&damaged, &["--reps", "2", "--resume"]), "resume");
        check(
            govsim(&[
                "merge",
                &s(&damaged),
                "--out",
                &s(&dir.join(format!("merged-{file}"))),
            ]),
            "merge",
        );
    }
}

/// Two commands started at once on the same new folder: one writes, the
/// other is told who does, never "No such file or directory" from a write
/// probe the first removed (issue 29, item 14).
#[test]
fn two_commands_at_once_on_one_new_folder_name_each_other() {
    let dir = scratch("race");
    for attempt in 0..6 {
        let out = dir.join(format!("out{attempt}"));
        let spawn = || {
            Command::new(env!("CARGO_BIN_EXE_govsim"))
                .args(compare_args(&out, &["--reps", "2"]))
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        };
        let (a, b) = (spawn(), spawn());
        let results = [a.wait_with_output().unwrap(), b.wait_with_output().unwrap()];
        let said: Vec<String> = results
            .iter()
            .map(|r| String::from_utf8_lossy(&r.stderr).into_owned())
            .collect();
        assert!(
            results.iter().any(|r| r.status.success()),
            "attempt {attempt}: neither wrote: {said:?}"
        );
        for r in &results {
            let err = String::from_utf8_lossy(&r.stderr);
            assert!(!err.contains("No such file"), "attempt {attempt}: {err}");
            if !r.status.success() {
                assert_eq!(r.status.code(), Some(2), "{err}");
                assert!(
                    err.contains("another govsim") || err.contains("already holds"),
                    "attempt {attempt}: {err}"
                );
            }
        }
    }
}
