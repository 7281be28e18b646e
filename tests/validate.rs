//! `govsim validate` through the binary, on the classroom town with pattern
//! files written here: claims whose direction the model settles (more
//! issues arrive when the issue rate doubles) hold, their opposites are
//! read as opposite, a linear response is not an inverted U; the outputs do
//! not depend on thread count and are read back on `--resume`; posterior
//! draws follow the particles' weights; and bad pattern files exit 2
//! naming the file and the key. The claims' statistics are unit tests of
//! `src/validate.rs`.

mod common;

use common::{govsim, scenario_path, scratch};
use std::path::Path;

fn town() -> String {
    scenario_path("classroom/small_town.toml")
        .display()
        .to_string()
        .replace('\\', "/")
}

/// A comparison of the town at its issue rate and at twice it.
fn rate_pattern(extra_claims: &str) -> String {
    format!(
        r#"name = "More issues arrive at twice the issue rate"
kind = "design"
source = "test"

[experiment]
reps = 4
days = 40

[[experiment.scenario]]
name = "base"
file = "{town}"

[[experiment.scenario]]
name = "double"
file = "{town}"
set = ["issues.rate=0.8"]

[[claim]]
type = "difference"
metric = "arrived"
of = "double"
minus = "base"
expect = "positive"

[[claim]]
type = "difference"
metric = "arrived"
of = "double"
minus = "base"
expect = "negative"
label = "the wrong way"
{extra_claims}"#,
        town = town()
    )
}

const SWEEP: &str = r#"name = "Arrivals rise with the issue rate"
kind = "literature"
source = "test"

[experiment]
reps = 3
days = 30

[experiment.sweep]
file = "TOWN"
lever = "issues.rate"
values = [0.2, 0.4, 0.6, 0.8]

[[claim]]
type = "trend"
metric = "arrived"
expect = "positive"

[[claim]]
type = "inverted_u"
metric = "arrived"
"#;

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

/// The rows of `validation.csv` as (claim label, expected, holds, reading).
fn verdicts(dir: &Path) -> Vec<Vec<String>> {
    let mut reader = csv::Reader::from_path(dir.join("validation.csv")).unwrap();
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let (label, expected, holds, reading) =
        (col("claim"), col("expected"), col("holds"), col("reading"));
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            vec![
                r[label].to_string(),
                r[expected].to_string(),
                r[holds].to_string(),
                r[reading].to_string(),
            ]
        })
        .collect()
}

#[test]
fn claims_are_judged_and_the_files_do_not_depend_on_threads() {
    let dir = scratch("validate-judged");
    let patterns = dir.join("patterns");
    std::fs::create_dir_all(&patterns).unwrap();
    write(&patterns, "a_rate.toml", &rate_pattern(""));
    write(&patterns, "b_sweep.toml", &SWEEP.replace("TOWN", &town()));
    let (one, two) = (dir.join("one"), dir.join("two"));
    let out = govsim(&[
        "validate",
        patterns.to_str().unwrap(),
        "--threads",
        "1",
        "--out",
        one.to_str().unwrap(),
    ]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        text.contains("validate: 2 of 4 claims hold (2 patterns)"),
        "{text}"
    );
    let rows = verdicts(&one);
    assert_eq!(rows.len(), 4, "{rows:?}");
    assert_eq!(rows[0][2], "yes", "{rows:?}");
    assert_eq!(
        (rows[1][0].as_str(), rows[1][2].as_str()),
        ("the wrong way", "no")
    );
    assert!(rows[1][3].starts_with("opposite"), "{rows:?}");
    assert_eq!(rows[2][2], "yes", "a trend: {rows:?}");
    assert_eq!(
        rows[3][2], "no",
        "a straight line is no inverted U: {rows:?}"
    );
    let report = std::fs::read_to_string(one.join("report.html")).unwrap();
    assert!(report.contains("More issues arrive at twice the issue rate"));
    assert!(report.contains("opposite: the interval is on the other side"));
    assert!(one.join("a_rate").join("runs.csv").exists());

    let out = govsim(&[
        "validate",
        patterns.to_str().unwrap(),
        "--threads",
        "2",
        "--out",
        two.to_str().unwrap(),
    ]);
    assert!(out.status.success());
    assert_eq!(
        std::fs::read(one.join("validation.csv")).unwrap(),
        std::fs::read(two.join("validation.csv")).unwrap(),
        "validation.csv depends on the thread count"
    );

    // A used folder is refused; --resume reads the runs back unchanged.
    let again = govsim(&[
        "validate",
        patterns.to_str().unwrap(),
        "--out",
        one.to_str().unwrap(),
    ]);
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("--resume"));
    let before = std::fs::read(one.join("a_rate").join("runs.csv")).unwrap();
    let resumed = govsim(&[
        "validate",
        patterns.to_str().unwrap(),
        "--out",
        one.to_str().unwrap(),
        "--resume",
    ]);
    assert!(
        resumed.status.success(),
        "{}",
        String::from_utf8_lossy(&resumed.stderr)
    );
    assert_eq!(
        before,
        std::fs::read(one.join("a_rate").join("runs.csv")).unwrap()
    );
    assert_eq!(
        std::fs::read(one.join("validation.csv")).unwrap(),
        std::fs::read(two.join("validation.csv")).unwrap()
    );

    // `govsim report` judges the patterns again from the runs kept and
    // redraws the same page and table; a pattern file changed since is
    // refused (exit 2), naming it.
    let page = std::fs::read(two.join("report.html")).unwrap();
    let table = std::fs::read(two.join("validation.csv")).unwrap();
    std::fs::remove_file(two.join("report.html")).unwrap();
    std::fs::remove_file(two.join("validation.csv")).unwrap();
    let redrawn = govsim(&["report", two.to_str().unwrap()]);
    assert!(
        redrawn.status.success(),
        "{}",
        String::from_utf8_lossy(&redrawn.stderr)
    );
    assert!(
        std::fs::read(two.join("report.html")).unwrap() == page,
        "page differs"
    );
    assert_eq!(std::fs::read(two.join("validation.csv")).unwrap(), table);
    write(
        &patterns,
        "a_rate.toml",
        &(rate_pattern("") + "\n# edited\n"),
    );
    let refused = govsim(&["report", two.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&refused.stderr);
    assert_eq!(refused.status.code(), Some(2), "{err}");
    assert!(
        err.contains("a_rate.toml") && err.contains("changed"),
        "{err}"
    );
}

#[test]
fn posterior_draws_follow_the_weights() {
    let dir = scratch("validate-posterior");
    // Only the second particle of the last generation has weight; the first
    // generation's particle is never drawn.
    std::fs::write(
        dir.join("posterior.csv"),
        "generation,particle,weight,distance,government.delay,government.referral_rate\n\
         0,0,1,0.5,9.2,0.11\n\
         1,0,0,0.2,2.4,0.17\n\
         1,1,1,0.1,5.6,0.23\n",
    )
    .unwrap();
    let text = rate_pattern("").replace(
        "reps = 4",
        "reps = 2\nposterior = \"posterior.csv\"\ndraws = 3",
    );
    let file = write(&dir, "drawn.toml", &text);
    let out = dir.join("out");
    let run = govsim(&["validate", &file, "--out", out.to_str().unwrap()]);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let mut seen = 0;
    for entry in std::fs::read_dir(out.join("drawn").join("scenarios")).unwrap() {
        let toml = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        // The integer lever is rounded, the real one kept.
        assert!(toml.contains("delay = 6"), "{toml}");
        assert!(toml.contains("referral_rate = 0.23"), "{toml}");
        seen += 1;
    }
    assert_eq!(seen, 6, "2 scenarios × 3 draws");
    // 3 draws × 2 replications are the units of each claim.
    let csv = std::fs::read_to_string(out.join("validation.csv")).unwrap();
    assert!(csv.lines().nth(1).unwrap().contains(",6,yes,"), "{csv}");
}

#[test]
fn bad_pattern_files_exit_2_naming_file_and_key() {
    let dir = scratch("validate-bad");
    let good = rate_pattern("");
    let cases: Vec<(&str, String, &str)> = vec![
        (
            "unknown key",
            good.replace("reps = 4", "reps = 4\nrepz = 3"),
            "repz",
        ),
        (
            "unknown metric",
            good.replace("metric = \"arrived\"", "metric = \"arived\""),
            "claim[0].metric",
        ),
        (
            "unknown scenario in a claim",
            good.replace("minus = \"base\"", "minus = \"bsae\""),
            "claim[0].minus",
        ),
        (
            "a bad sign",
            good.replace("expect = \"positive\"", "expect = \"up\""),
            "claim[0].expect",
        ),
        (
            "a negative size",
            good.replace("expect = \"positive\"", "expect = \"positive\"\nby = -0.1"),
            "claim[0].by",
        ),
        (
            "too few replications",
            good.replace("reps = 4", "reps = 1"),
            "experiment.reps",
        ),
        (
            "an unknown claim type",
            good.replace("type = \"difference\"", "type = \"correlation\""),
            "claim[0].type",
        ),
        (
            "a trend without a sweep",
            good.replace("type = \"difference\"", "type = \"trend\""),
            "claim[0].type",
        ),
        (
            "a bad lever in a scenario",
            good.replace("issues.rate=0.8", "issues.rat=0.8"),
            "issues.rat",
        ),
        (
            "a value out of range",
            good.replace("issues.rate=0.8", "issues.rate=-1"),
            "issues.rate",
        ),
        (
            "a missing scenario file",
            good.replace("small_town.toml", "no_such_town.toml"),
            "no_such_town.toml",
        ),
        (
            "a missing posterior",
            good.replace("reps = 4", "reps = 4\nposterior = \"none.csv\""),
            "none.csv",
        ),
        (
            "draws without a posterior",
            good.replace("reps = 4", "reps = 4\ndraws = 5"),
            "experiment.draws",
        ),
        (
            "no claim",
            good.split("[[claim]]").next().unwrap().to_string() + "claim = []\n",
            "claim",
        ),
    ];
    for (what, text, needle) in cases {
        let file = write(&dir, "bad.toml", &text);
        let out = govsim(&[
            "validate",
            &file,
            "--out",
            dir.join("out").to_str().unwrap(),
        ]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{what}: {err}");
        assert!(err.contains(needle), "{what}: `{needle}` not in {err}");
        assert!(err.contains("bad.toml"), "{what}: no pattern file in {err}");
        assert!(!dir.join("out").join("bad").exists(), "{what}: ran anyway");
    }
    // The line of the key, where the file sets it.
    let file = write(&dir, "bad.toml", &good.replace("reps = 4", "reps = 1"));
    let err = String::from_utf8_lossy(&govsim(&["validate", &file]).stderr).to_string();
    assert!(err.contains("bad.toml:6: key `experiment.reps`"), "{err}");
    // An unknown key is reported on its own line, not the one before it.
    let text = good.replace("reps = 4", "reps = 4\nbogus = 1");
    let line = text.lines().position(|l| l == "bogus = 1").unwrap() + 1;
    let file = write(&dir, "bad.toml", &text);
    let err = String::from_utf8_lossy(&govsim(&["validate", &file]).stderr).to_string();
    assert!(
        err.contains(&format!("bad.toml:{line}: ")),
        "line {line}: {err}"
    );
    assert!(err.contains("bogus"), "{err}");
    // A file named `...toml` has the stem `..`: its runs would be written
    // outside --out (issue 29, item 8). Refused before anything runs.
    let escape_dir = dir.join("escape");
    std::fs::create_dir_all(&escape_dir).unwrap();
    let file = write(&escape_dir, "...toml", &good);
    let out_dir = escape_dir.join("out");
    let out = govsim(&["validate", &file, "--out", out_dir.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("...toml") && err.contains("cannot name the folder"),
        "{err}"
    );
    assert!(!escape_dir.join("runs.csv").exists() && !dir.join("runs.csv").exists());
    let empty = dir.join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    let out = govsim(&["validate", empty.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no pattern file"));
    let out = govsim(&["validate", &write(&dir, "ok.toml", &good), "--reps", "1"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--reps"));
}

/// The shipped pattern files are all valid: every scenario they name
/// resolves and every claim names a metric and a point of its experiment.
#[test]
fn every_shipped_pattern_file_reads() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("validation");
    // The catalogue, and the predictions kept out of it (heavy runs).
    let files =
        govsim::experiment::validation::pattern_files(&[root.clone(), root.join("predictions")])
            .unwrap();
    assert!(files.len() >= 15, "{files:?}");
    let (metrics, _) =
        govsim::util::files::csv_fields(std::slice::from_ref(&govsim::metrics::Summary::default()))
            .unwrap();
    let mut kinds = std::collections::BTreeSet::new();
    for f in &files {
        let p = govsim::experiment::validation::read_pattern(f, None, None, &metrics)
            .unwrap_or_else(|e| panic!("{e}"));
        kinds.insert(p.kind.name());
        assert!(!p.source.is_empty(), "{}: no source", f.display());
    }
    assert_eq!(
        kinds.into_iter().collect::<Vec<_>>(),
        ["design", "literature", "observation"]
    );
}

/// A scenario named with a leading `+` (stored as `'+…` against
/// spreadsheet formulas) is found by the claim that names it as the file
/// does (issue 29, item 14).
#[test]
fn a_claim_finds_a_scenario_whose_name_is_guarded_against_formulas() {
    let dir = scratch("validate-plus");
    let text = rate_pattern("")
        .replace("name = \"double\"", "name = \"+double\"")
        .replace("of = \"double\"", "of = \"+double\"");
    let file = write(&dir, "plus.toml", &text);
    let out_dir = dir.join("out");
    let out = govsim(&["validate", &file, "--out", out_dir.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows = verdicts(&out_dir);
    assert_eq!(rows[0][2], "yes", "{rows:?}");
}
