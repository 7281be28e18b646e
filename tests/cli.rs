//! The binary as a user meets it: determinism of written files, and every
//! kind of bad input giving exit code 2 and a message that names the file,
//! the key, the line and the valid range — never a panic.

mod common;

use common::{govsim, scenario_path, scratch};

use std::path::Path;
use std::process::Output;

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Asserts exit code 2, no panic, and that stderr contains every `needle`.
fn assert_input_error(out: &Output, needles: &[&str]) {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(2), "expected exit 2, stderr: {err}");
    assert!(!err.contains("panicked"), "panic: {err}");
    for needle in needles {
        assert!(err.contains(needle), "stderr lacks `{needle}`: {err}");
    }
    assert_eq!(
        err.trim().lines().count(),
        1,
        "one clear message expected: {err}"
    );
}

fn small_town() -> String {
    common::scenario_path("classroom/small_town.toml")
        .display()
        .to_string()
}

fn run_to(dir: &Path, seed: &str) -> (Vec<u8>, Vec<u8>) {
    let out = govsim(&[
        "run",
        &small_town(),
        "--seed",
        seed,
        "--days",
        "120",
        "--out",
        &dir.display().to_string(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    (
        std::fs::read(dir.join("timeseries.csv")).unwrap(),
        std::fs::read(dir.join("summary.csv")).unwrap(),
    )
}

#[test]
fn same_seed_gives_identical_files_and_another_seed_differs() {
    let dir = scratch("determinism");
    let a = run_to(&dir.join("a"), "7");
    let b = run_to(&dir.join("b"), "7");
    let c = run_to(&dir.join("c"), "8");
    assert_eq!(a, b, "same seed, different files");
    assert_ne!(a.0, c.0, "different seeds gave identical time series");
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("a/manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["seed"], 7);
    assert_eq!(manifest["scenario_sha256"].as_str().unwrap().len(), 64);
    assert!(manifest["wall_seconds"].as_f64().unwrap() >= 0.0);
    // Files are written through temporary names that must not remain.
    for entry in std::fs::read_dir(dir.join("a")).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        assert!(!name.ends_with(".tmp"), "left a temporary file: {name}");
    }
}

#[test]
fn results_do_not_depend_on_the_thread_count() {
    // Communities decide in parallel: one, two and eight threads give the same files.
    let dir = scratch("threads");
    let run = |threads: &str| {
        let out = dir.join(threads);
        let status = govsim(&[
            "run",
            &common::scenario_path("regimes/party_led.toml")
                .display()
                .to_string(),
            "--days",
            "40",
            "--threads",
            threads,
            "--out",
            &out.display().to_string(),
        ]);
        assert!(
            status.status.success(),
            "{}",
            String::from_utf8_lossy(&status.stderr)
        );
        (
            std::fs::read(out.join("timeseries.csv")).unwrap(),
            std::fs::read(out.join("summary.csv")).unwrap(),
        )
    };
    let one = run("1");
    assert_eq!(one, run("2"));
    assert_eq!(one, run("8"));
    assert_input_error(
        &govsim(&["run", &small_town(), "--threads", "0"]),
        &["--threads"],
    );
}

#[test]
fn check_prints_every_lever_resolved() {
    let out = govsim(&[
        "check",
        &small_town(),
        "--set",
        "party.procedure.pooling=0.35",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = String::from_utf8(out.stdout).unwrap();
    let table: toml::Table = text.parse().expect("check prints TOML");
    let pooling = table["party"]["procedure"]["pooling"].as_float().unwrap();
    assert_eq!(pooling, 0.35);
    for lever in govsim::scenario::levers::LEVERS {
        let head = lever.path.split(['.', '[']).next().unwrap();
        assert!(
            table.contains_key(head),
            "resolved scenario lacks {}",
            lever.path
        );
    }
    assert!(
        table["residents"].get("b_crowd").is_some(),
        "defaults are filled in"
    );
}

#[test]
fn malformed_toml_names_file_and_line() {
    let dir = scratch("malformed");
    let f = write(
        &dir,
        "bad.toml",
        "name = \"x\"\n[party.procedure\npooling = 0.2\n",
    );
    assert_input_error(&govsim(&["check", &f]), &["bad.toml:2", "malformed TOML"]);
}

#[test]
fn unknown_key_in_a_file_names_key_line_and_valid_keys() {
    let dir = scratch("unknown");
    let f = write(
        &dir,
        "typo.toml",
        "name = \"x\"\n\n[party.procedure]\npolling = 0.5\n",
    );
    assert_input_error(
        &govsim(&["run", &f]),
        &["typo.toml:4", "party.procedure.polling", "pooling"],
    );
}

#[test]
fn unknown_key_in_set_is_blamed_on_set() {
    assert_input_error(
        &govsim(&[
            "check",
            &small_town(),
            "--set",
            "party.procedure.polling=0.5",
        ]),
        &["--set", "party.procedure.polling", "unknown field"],
    );
}

#[test]
fn wrong_type_names_key_and_range() {
    let dir = scratch("type");
    let f = write(&dir, "type.toml", "[sim]\ndays = \"many\"\n");
    assert_input_error(
        &govsim(&["check", &f]),
        &["type.toml:2", "sim.days", "1 to 36500"],
    );
}

#[test]
fn value_out_of_range_names_key_line_and_range() {
    let dir = scratch("range");
    let f = write(
        &dir,
        "range.toml",
        "[party.procedure]\n# comment\npooling = 1.5\n",
    );
    assert_input_error(
        &govsim(&["check", &f]),
        &["range.toml:3", "party.procedure.pooling", "0 to 1"],
    );
    assert_input_error(
        &govsim(&[
            "check",
            &small_town(),
            "--set",
            "district.communities.1.migrant_share=2",
        ]),
        &["--set", "district.communities[1].migrant_share", "0 to 1"],
    );
}

#[test]
fn out_of_range_in_an_extended_file_blames_that_file() {
    let dir = scratch("extends-range");
    write(
        &dir,
        "base.toml",
        "[grid]\ncoverage = 0.5\npatrol_rate = -0.1\n",
    );
    let top = write(
        &dir,
        "top.toml",
        "extends = \"base.toml\"\nname = \"top\"\n",
    );
    assert_input_error(
        &govsim(&["check", &top]),
        &["base.toml:3", "grid.patrol_rate"],
    );
}

#[test]
fn missing_file_is_named() {
    assert_input_error(
        &govsim(&["run", "no/such/scenario.toml"]),
        &["no/such/scenario.toml", "cannot read"],
    );
    let dir = scratch("missing-base");
    let top = write(&dir, "top.toml", "extends = \"gone.toml\"\n");
    assert_input_error(&govsim(&["check", &top]), &["gone.toml", "cannot read"]);
}

#[test]
fn extends_cycle_is_reported() {
    let dir = scratch("cycle");
    write(&dir, "a.toml", "extends = \"b.toml\"\n");
    let b = write(&dir, "b.toml", "extends = \"a.toml\"\n");
    assert_input_error(&govsim(&["check", &b]), &["extends", "cycle"]);
}

#[test]
fn unwritable_output_folder_is_bad_input() {
    let dir = scratch("unwritable");
    let file = write(&dir, "plain-file", "not a folder");
    let out = govsim(&[
        "run",
        &small_town(),
        "--days",
        "5",
        "--out",
        &format!("{file}/sub"),
    ]);
    assert_input_error(&out, &["plain-file/sub", "cannot write"]);
}

#[test]
fn inconsistent_lists_and_bad_flags_are_bad_input() {
    assert_input_error(
        &govsim(&[
            "check",
            &small_town(),
            "--set",
            "issues.type_weights=[1, 2]",
        ]),
        &["issues.type_weights", "one weight per competency"],
    );
    for (key, list, needle) in [
        ("social.organization_competencies", "[]", "at least one"),
        (
            "social.organization_competencies",
            "[\"policing\"]",
            "unknown competency `policing`",
        ),
        (
            "government.office_competencies",
            "[\"policing\"]",
            "unknown competency `policing`",
        ),
    ] {
        assert_input_error(
            &govsim(&["check", &small_town(), "--set", &format!("{key}={list}")]),
            &[key, needle],
        );
    }
    assert_input_error(
        &govsim(&["check", &small_town(), "--set", "pooling"]),
        &["--set", "KEY=VALUE"],
    );
    let out = govsim(&["run", &small_town(), "--seed", "minus-one"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(!stderr(&out).contains("panicked"));
}

#[test]
fn a_failed_run_keeps_earlier_results() {
    let dir = scratch("keep");
    let (series, _) = run_to(&dir, "3");
    let out = govsim(&[
        "run",
        &small_town(),
        "--set",
        "sim.days=0",
        "--out",
        &dir.display().to_string(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(std::fs::read(dir.join("timeseries.csv")).unwrap(), series);
}

/// Runs the binary with `args`, killed after `seconds` (a hang fails the test).
fn govsim_within(seconds: u64, args: &[&str]) -> Output {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_govsim"))
        .args(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("binary starts");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(seconds);
    while child.try_wait().expect("waits").is_none() {
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!("govsim {args:?} still running after {seconds} s");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    child.wait_with_output().expect("output")
}

/// Hostile scenario input is bounded before work starts: very deep `--set`
/// keys, long `extends` chains, files that are devices, FIFOs, folders or
/// too large, and sections written as lists, all exit 2 fast with a
/// message naming the file (and the file that says `extends`).
#[test]
fn hostile_scenario_input_is_bounded() {
    let dir = scratch("hostile");
    let deep_key = format!("a{}=1", ".a".repeat(20_000));
    let out = govsim_within(10, &["check", &small_town(), "--set", &deep_key]);
    assert_input_error(&out, &["--set", "more than 16 dotted segments"]);

    // A chain of 40 files, each extending the next.
    for k in 0..40 {
        let text = if k == 39 {
            String::new()
        } else {
            format!("extends = \"chain{}.toml\"\n", k + 1)
        };
        write(&dir, &format!("chain{k}.toml"), &text);
    }
    let first = dir.join("chain0.toml").display().to_string();
    let out = govsim_within(10, &["check", &first]);
    assert_input_error(&out, &["chain longer than 32 files", "extends"]);

    let zero = write(&dir, "zero.toml", "extends = \"/dev/zero\"\n");
    let out = govsim_within(10, &["check", &zero]);
    assert_input_error(&out, &["/dev/zero", "not a regular file", "zero.toml:1"]);

    let empty = write(&dir, "empty.toml", "extends = \"\"\n");
    let out = govsim_within(10, &["check", &empty]);
    assert_input_error(&out, &["not a regular file", "empty.toml:1"]);

    let missing = write(
        &dir,
        "missing.toml",
        "name = \"x\"\nextends = \"nowhere.toml\"\n",
    );
    let out = govsim_within(10, &["check", &missing]);
    assert_input_error(&out, &["nowhere.toml", "missing.toml:2", "relative to"]);

    let fifo = dir.join("fifo.toml");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    if made.is_ok_and(|s| s.success()) {
        let out = govsim_within(10, &["check", &fifo.display().to_string()]);
        assert_input_error(&out, &["fifo.toml", "not a regular file"]);
    }

    let big = write(&dir, "big.toml", &format!("# {}\n", "x".repeat(2 << 20)));
    let out = govsim_within(10, &["check", &big]);
    assert_input_error(&out, &["big.toml", "at most 1048576"]);

    let listed = write(&dir, "listed.toml", "sim = [30, 7, 3]\n");
    let out = govsim_within(10, &["check", &listed]);
    assert_input_error(&out, &["listed.toml:1", "`sim` is a section", "[sim]"]);

    let shock = write(&dir, "shock.toml", "shocks = [[1, 2]]\n");
    let out = govsim_within(10, &["check", &shock]);
    assert_input_error(&out, &["shocks[0]", "[[shocks]]"]);
}

/// Sizes are checked before anything is built (no allocation of the asked
/// size, no abort), and bad input leaves no output folder behind.
#[test]
fn huge_designs_and_bad_flags_fail_fast_and_leave_nothing() {
    let dir = scratch("huge");
    let town = small_town();
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec![
                "sweep",
                &town,
                "--vary",
                "party.procedure.pooling=0..1:1000000000",
            ],
            "at most 1000000",
        ),
        (
            vec![
                "sweep",
                &town,
                "--vary",
                "party.procedure.pooling=0..1:1000",
                "--vary",
                "party.procedure.mobilization=0..1:1000",
                "--vary",
                "residents.b0=-3..0:1000",
            ],
            "at most 1000000",
        ),
        (
            vec![
                "sweep",
                &town,
                "--vary",
                "party.procedure.pooling=0..1",
                "--sample",
                "lhs:1000000000000",
            ],
            "--sample",
        ),
        (
            vec![
                "sweep",
                &town,
                "--vary",
                "party.procedure.pooling=0..1",
                "--vary",
                "party.procedure.pooling=0..0.5",
            ],
            "given twice",
        ),
        (
            vec![
                "sensitivity",
                &town,
                "--method",
                "morris",
                "--levels",
                "100",
                "--samples",
                "1000000000",
                "--vary",
                "party.procedure.pooling=0..1",
            ],
            "design points: at most 1000000",
        ),
        (
            vec![
                "sensitivity",
                "--function",
                "sobol-g",
                "--method",
                "morris",
                "--samples",
                "100000000000",
            ],
            "design points",
        ),
        (
            vec![
                "sensitivity",
                &town,
                "--method",
                "morris",
                "--samples",
                "4",
                "--bootstrap",
                "100000000000",
                "--vary",
                "party.procedure.pooling=0..1",
            ],
            "--bootstrap",
        ),
        (vec!["run", &town, "--threads", "0"], "--threads"),
        (vec!["run", &town, "--threads", "100000"], "from 1 to 1024"),
        (
            vec![
                "compare",
                &town,
                "--reps",
                "2",
                "--threads",
                "18446744073709551615",
            ],
            "--threads",
        ),
    ];
    for (k, (args, needle)) in cases.into_iter().enumerate() {
        let out_dir = dir.join(format!("out{k}"));
        let out_arg = out_dir.display().to_string();
        let mut all = args.clone();
        all.extend(["--out", &out_arg]);
        let out = govsim_within(20, &all);
        assert_input_error(&out, &[needle]);
        assert!(!out_dir.exists(), "{args:?} left {}", out_dir.display());
    }
    // Without --out, nothing appears under output/ either.
    let cwd = dir.join("cwd");
    std::fs::create_dir_all(&cwd).unwrap();
    for args in [
        vec!["run", town.as_str(), "--threads", "0"],
        vec!["run", town.as_str(), "--set", "sim.dayz=3"],
        vec!["compare", town.as_str(), "--reps", "1"],
    ] {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_govsim"))
            .args(&args)
            .current_dir(&cwd)
            .output()
            .unwrap();
        assert_input_error(&out, &[]);
        assert!(!cwd.join("output").exists(), "{args:?} made output/");
    }
}

/// `run --out` never overwrites what is not a run's: an experiment's folder
/// or a folder with other files is refused and left as it was; an earlier
/// run's folder is replaced.
#[test]
fn run_refuses_a_folder_that_is_not_its_own() {
    let dir = scratch("own-folder");
    let town = small_town();
    let experiment = dir.join("experiment");
    let experiment_arg = experiment.display().to_string();
    let out = govsim(&[
        "compare",
        &town,
        "--reps",
        "2",
        "--days",
        "10",
        "--out",
        &experiment_arg,
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let before: Vec<(String, Vec<u8>)> = std::fs::read_dir(&experiment)
        .unwrap()
        .flatten()
        .filter(|e| e.path().is_file())
        .map(|e| {
            let path = e.path();
            (path.display().to_string(), std::fs::read(&path).unwrap())
        })
        .collect();
    let out = govsim(&["run", &town, "--days", "5", "--out", &experiment_arg]);
    assert_input_error(&out, &["experiment", "choose another --out"]);
    for (path, bytes) in &before {
        assert_eq!(&std::fs::read(path).unwrap(), bytes, "{path} changed");
    }
    // A folder with another file is refused too.
    let other = dir.join("other");
    std::fs::create_dir_all(&other).unwrap();
    write(&other, "notes.txt", "mine");
    let out = govsim(&[
        "run",
        &town,
        "--days",
        "5",
        "--out",
        &other.display().to_string(),
    ]);
    assert_input_error(&out, &["notes.txt"]);
    // An earlier run's folder is the run's own.
    let again = dir.join("again").display().to_string();
    for _ in 0..2 {
        let out = govsim(&["run", &town, "--days", "5", "--out", &again]);
        assert!(out.status.success(), "{}", stderr(&out));
    }
    let leftovers: Vec<String> = std::fs::read_dir(dir.join("again"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

/// A scenario named like a spreadsheet formula, or with a terminal escape in
/// its name, is written neutralised (OWASP's rule: a leading `'`) in every
/// CSV and printed with the escape made visible; an escape in a bad key is
/// made visible in the error.
#[test]
fn formulas_and_escapes_in_names_are_neutralised() {
    let dir = scratch("injection");
    let town = small_town();
    let formula = write(
        &dir,
        "formula.toml",
        &format!("extends = {town:?}\nname = \"=HYPERLINK(1)\"\n"),
    );
    let escape = write(
        &dir,
        "escape.toml",
        &format!("extends = {town:?}\nname = \"red\\u001b[31m\"\n"),
    );
    let out_dir = dir.join("out");
    let out = govsim(&[
        "compare",
        &formula,
        &escape,
        "--reps",
        "2",
        "--days",
        "10",
        "--out",
        &out_dir.display().to_string(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let printed = String::from_utf8_lossy(&out.stdout);
    assert!(!printed.contains('\u{1b}'), "raw escape printed: {printed}");
    assert!(printed.contains("red\\u{1b}[31m"), "{printed}");
    for file in [
        "runs.csv",
        "summary.csv",
        "differences.csv",
        "timeseries.csv",
    ] {
        let text = std::fs::read_to_string(out_dir.join(file)).unwrap();
        assert!(!text.contains('\u{1b}'), "{file} holds a raw escape");
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        for record in reader.records() {
            for cell in record.unwrap().iter() {
                assert!(
                    !cell.starts_with(['=', '+', '@']),
                    "{file}: cell `{cell}` reads as a formula"
                );
            }
        }
        // The baseline (the formula) has no row among the differences.
        if file != "differences.csv" {
            assert!(text.contains("'=HYPERLINK(1)"), "{file}");
        }
    }
    // The report is drawn from those files all the same.
    assert!(out_dir.join("report.html").exists());
    let out = govsim(&["check", &town, "--set", "sim.\u{1b}[2Jdays=3"]);
    assert_input_error(&out, &["\\u{1b}[2J"]);
    assert!(!stderr(&out).contains('\u{1b}'));
}

/// One writer per folder: while another process holds a folder's lock,
/// run, compare, merge and report refuse it (exit 2, saying who holds it)
/// and write nothing; once it is released they go ahead.
#[test]
fn a_locked_folder_is_refused() {
    let dir = scratch("locked");
    let town = small_town();
    let folder = dir.join("busy");
    std::fs::create_dir_all(&folder).unwrap();
    let lock = std::fs::File::create(folder.join(".govsim.lock")).unwrap();
    lock.lock().unwrap();
    std::fs::write(folder.join(".govsim.lock"), "pid 1: govsim sweep (test)").unwrap();
    let busy = folder.display().to_string();
    let attempts: [Vec<&str>; 3] = [
        vec!["run", &town, "--days", "5", "--out", &busy],
        vec![
            "compare", &town, "--reps", "2", "--days", "5", "--out", &busy,
        ],
        vec!["report", &busy],
    ];
    for args in &attempts[..2] {
        let out = govsim(args);
        // (compare says what it plans before it reaches the folder)
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{err}");
        assert!(
            err.contains("being written by another govsim (pid 1"),
            "{err}"
        );
        let names: Vec<String> = std::fs::read_dir(&folder)
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            names,
            [".govsim.lock"],
            "{args:?} wrote into a locked folder"
        );
    }
    drop(lock);
    let out = govsim(&attempts[1]);
    assert!(out.status.success(), "{}", stderr(&out));
    // The report of a finished experiment is refused while it is locked.
    let lock = std::fs::File::open(folder.join(".govsim.lock")).unwrap();
    lock.lock().unwrap();
    assert_input_error(&govsim(&attempts[2]), &["being written by another govsim"]);
}

/// A scenario too large for the memory allowed is refused before anything
/// is built, with the estimate in the message.
/// A tie's place is 32 bits: a district whose ties could not all be
/// placed is refused before anything is built, naming the key and the bound.
#[test]
fn districts_with_more_ties_than_a_run_can_place_are_refused() {
    let dir = scratch("ties_bound");
    let district = |ties_k: u32| {
        format!(
            "name = \"wide\"\n[residents]\nties_k = {ties_k}\n[district]\nsubdistricts = 5\n[[district.communities]]\nkind = \"urban\"\ncount = 50\npopulation = 1000000\nmigrant_share = 0.3\ngrids = 500\n"
        )
    };
    let wide = write(&dir, "wide.toml", &district(100));
    let out = govsim_within(20, &["check", &wide]);
    assert_input_error(&out, &["wide.toml", "residents.ties_k", "4294967295"]);
    // 80 ties each fit (the run may still be refused for its memory).
    let narrower = write(&dir, "narrower.toml", &district(80));
    let out = govsim_within(20, &["check", &narrower]);
    assert!(
        !stderr(&out).contains("residents.ties_k"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn districts_with_more_residents_than_a_run_can_number_are_refused() {
    let dir = scratch("residents_bound");
    // 50 million residents and `shocks` influxes of ten times as many
    // newcomers each, without ties (so that no tie bound is reached first).
    let district = |shocks: usize| {
        let influx = "[[shocks]]\nstart = 10\ndays = 30\nmigrant_influx = 10\n".repeat(shocks);
        format!(
            "name = \"crowded\"\n[residents]\nties_k = 10\nnewcomer_ties = 0\n[district]\nsubdistricts = 5\n[[district.communities]]\nkind = \"urban\"\ncount = 50\npopulation = 1000000\nmigrant_share = 0.3\ngrids = 500\n{influx}"
        )
    };
    let crowded = write(&dir, "crowded.toml", &district(9));
    let out = govsim_within(20, &["check", &crowded]);
    assert_input_error(
        &out,
        &["crowded.toml", "shocks[8].migrant_influx", "4294967295"],
    );
    // Eight such influxes can be numbered (the run may still be refused for
    // its memory).
    let fewer = write(&dir, "fewer.toml", &district(8));
    let out = govsim_within(20, &["check", &fewer]);
    assert!(!stderr(&out).contains("migrant_influx"), "{}", stderr(&out));
}

#[test]
fn scenarios_that_cannot_fit_in_memory_are_refused() {
    let dir = scratch("memory");
    let town = small_town();
    let huge = write(
        &dir,
        "huge.toml",
        &format!(
            "extends = {town:?}\n[[district.communities]]\nkind = \"urban\"\ncount = 49\npopulation = 1000000\nmigrant_share = 0.3\ngrids = 500\n[[shocks]]\nstart = 10\ndays = 30\nmigrant_influx = 10\n"
        ),
    );
    let out = govsim_within(20, &["check", &huge, "--max-memory", "32G"]);
    assert_input_error(&out, &["huge.toml", "needs about", "GiB", "--max-memory"]);
    let out = govsim_within(
        20,
        &[
            "run",
            &town,
            "--max-memory",
            "100K",
            "--out",
            &dir.join("r").display().to_string(),
        ],
    );
    assert_input_error(&out, &["needs about", "100.0 KiB"]);
    assert!(!dir.join("r").exists());
    let out = govsim_within(
        20,
        &[
            "compare",
            &town,
            "--reps",
            "2",
            "--threads",
            "2",
            "--max-memory",
            "300K",
            "--out",
            &dir.join("c").display().to_string(),
        ],
    );
    assert_input_error(&out, &["needs about", "2 runs at once"]);
    let out = govsim(&["check", &town, "--max-memory", "lots"]);
    assert_input_error(&out, &["--max-memory", "8G"]);
    // What fits is not refused.
    let out = govsim(&["check", &town, "--max-memory", "64M"]);
    assert!(out.status.success(), "{}", stderr(&out));
}

/// Each message blames what gave the value: `--set` for a key set there,
/// `--seed` and `--days` for theirs, the file and line of an enum given a
/// number (with its choices); bad flags get one line with clap's
/// suggestion; an unknown `--vary` lever gets a "did you mean".
#[test]
fn blame_is_put_where_the_value_came_from() {
    let dir = scratch("blame");
    let town = small_town();
    assert_input_error(
        &govsim(&["check", &town, "--set", "a.b=1"]),
        &["--set: key `a`", "unknown field"],
    );
    let err = stderr(&govsim(&["check", &town, "--set", "a.b=1"]));
    assert!(!err.contains("built-in defaults"), "{err}");
    let kind = write(
        &dir,
        "kind.toml",
        &format!(
            "extends = {town:?}\n[[district.communities]]\nkind = 5\ncount = 1\npopulation = 500\nmigrant_share = 0.1\ngrids = 2\n"
        ),
    );
    let out = govsim(&["check", &kind]);
    assert_input_error(&out, &["kind.toml:3", "`urban`, `industrial`, `village`"]);
    assert!(!stderr(&out).contains("variant"));
    let out_dir = dir.join("out").display().to_string();
    assert_input_error(
        &govsim(&[
            "run",
            &town,
            "--seed",
            "18446744073709551615",
            "--out",
            &out_dir,
        ]),
        &["--seed: 18446744073709551615", "0 to 9000000000000000000"],
    );
    assert_input_error(
        &govsim(&["run", &town, "--days", "0", "--out", &out_dir]),
        &["--days: 0", "1 to 36500"],
    );
    assert_input_error(
        &govsim(&["compare", &town, "--days", "0", "--out", &out_dir]),
        &["--days: 0"],
    );
    assert_input_error(&govsim(&["compare", &town, "--rep", "30"]), &["'--reps'"]);
    assert!(!stderr(&govsim(&["compare", &town, "--rep", "30"])).contains("--help"));
    assert_input_error(
        &govsim(&["sweep", &town, "--vary", "party.procedure.poling=0..1"]),
        &["did you mean `party.procedure.pooling`"],
    );
    assert!(!dir.join("out").exists());
}

/// What a newcomer meets first: bare `govsim` lists the commands (exit 2),
/// a folder given to `run` suggests `compare`, and a flag of the
/// experiments given to `run` says where it belongs (not clap's tip to pass
/// it after `--`).
#[test]
fn a_newcomer_is_told_what_to_do() {
    let bare = govsim(&[]);
    let err = String::from_utf8_lossy(&bare.stderr);
    assert_eq!(bare.status.code(), Some(2), "{err}");
    for command in ["run", "compare", "sweep", "serve", "validate", "--help"] {
        assert!(err.contains(command), "`{command}` not in: {err}");
    }
    let folder = govsim(&["run", scenario_path("regimes").to_str().unwrap()]);
    let err = String::from_utf8_lossy(&folder.stderr);
    assert_eq!(folder.status.code(), Some(2), "{err}");
    assert!(
        err.contains("a folder") && err.contains("govsim compare"),
        "{err}"
    );
    assert!(err.contains("regimes/*.toml"), "{err}");
    let town = scenario_path("classroom/small_town.toml");
    let reps = govsim(&["run", town.to_str().unwrap(), "--reps", "30"]);
    let err = String::from_utf8_lossy(&reps.stderr);
    assert_eq!(reps.status.code(), Some(2), "{err}");
    assert!(!err.contains("-- --reps"), "{err}");
    assert!(err.contains("govsim compare"), "{err}");
}

/// Paths that are not UTF-8 and an output that cannot be written are said,
/// never a panic (issue 29, item 9).
#[cfg(unix)]
#[test]
fn non_utf8_paths_and_unwritable_output_are_not_panics() {
    use std::os::unix::ffi::OsStrExt;
    let dir = scratch("non-utf8");
    let odd = dir.join(std::ffi::OsStr::from_bytes(b"\xfe-folder"));
    std::fs::create_dir_all(&odd).unwrap();
    let run = |args: Vec<std::ffi::OsString>| {
        std::process::Command::new(env!("CARGO_BIN_EXE_govsim"))
            .args(args)
            .output()
            .unwrap()
    };
    let town = scenario_path("classroom/small_town.toml").into_os_string();
    // A run and an experiment into a folder whose name is not UTF-8.
    let out = run(vec![
        "run".into(),
        town.clone(),
        "--days".into(),
        "3".into(),
        "--out".into(),
        odd.join("run").into_os_string(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(odd.join("run/summary.csv").exists());
    let out = run(vec![
        "compare".into(),
        town.clone(),
        "--days".into(),
        "3".into(),
        "--reps".into(),
        "2".into(),
        "--out".into(),
        odd.join("compare").into_os_string(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // A scenario file of such a name that does not exist: bad input.
    let out = run(vec!["run".into(), odd.join("none.toml").into_os_string()]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Standard output on a full device: exit 1 with a line on stderr.
    if let Ok(full) = std::fs::OpenOptions::new().write(true).open("/dev/full") {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_govsim"))
            .args(["check".as_ref(), town.as_os_str()])
            .stdout(full)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{err}");
        assert!(err.contains("cannot write to standard output"), "{err}");
    }
}
