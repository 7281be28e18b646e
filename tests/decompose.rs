//! `govsim decompose` on known answers: the Shapley values add up to the
//! difference on the same runs, a group that changes nothing gets exactly
//! zero, and bad input exits 2 naming its cause.

mod common;

use std::path::Path;

use common::{govsim, scratch};

/// A scenario file in `dir` extending the classroom town with `levers`.
fn town_variant(dir: &Path, name: &str, levers: &str) -> String {
    let town = common::scenario_path("classroom/small_town.toml");
    let text = format!(
        "extends = \"{}\"\nname = \"{name}\"\n{levers}\n",
        town.display()
    );
    let path = dir.join(format!("{name}.toml"));
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

/// Rows of `attribution.csv` for `metric`: (group, shapley, ci_low, ci_high).
fn attribution(dir: &Path, metric: &str) -> Vec<(String, f64, f64, f64)> {
    let text = std::fs::read_to_string(dir.join("attribution.csv")).unwrap();
    text.lines()
        .skip(1)
        .map(|l| l.split(',').collect::<Vec<_>>())
        .filter(|f| f[0] == metric)
        .map(|f| {
            let num = |s: &str| s.parse::<f64>().unwrap_or(f64::NAN);
            (f[1].to_string(), num(f[3]), num(f[4]), num(f[5]))
        })
        .collect()
}

#[test]
fn shapley_values_add_up_and_a_group_without_effect_gets_zero() {
    let dir = scratch("decompose-known");
    // Without joint conferences, `meeting_disclosure` (the chance that a
    // latent issue is brought up at a conference) can change nothing.
    let base = town_variant(
        &dir,
        "base",
        "[party.procedure]\nmeeting_interval = 0\npooling = 0.0\nmeeting_disclosure = 0.0",
    );
    let target = town_variant(
        &dir,
        "target",
        "[party.procedure]\nmeeting_interval = 0\npooling = 0.5\nmeeting_disclosure = 0.8\n[social]\nautonomy = 0.9",
    );
    let out = dir.join("out");
    let o = govsim(&[
        "decompose",
        &base,
        &target,
        "--group",
        "pooling=party.procedure.pooling",
        "--group",
        "disclosure=party.procedure.meeting_disclosure",
        "--group",
        "autonomy=social.*",
        "--reps",
        "6",
        "--days",
        "120",
        "--metric",
        "resolution_rate",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(
        stdout.contains("most of the difference is carried by")
            || stdout.contains("more than the difference"),
        "{stdout}"
    );
    // Shares only where they read as shares (issue 29, item 5).
    for line in stdout.lines() {
        if let Some(pct) = line.trim_end().strip_suffix('%') {
            let value: f64 = pct.rsplit(' ').next().unwrap().parse().unwrap();
            assert!(value.abs() <= 100.0 && !pct.ends_with("-0"), "{line}");
        }
    }
    // The report names BASE and TARGET and leads with the attribution.
    let report = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(report.contains("<h1>govsim decomposition</h1>"));
    assert!(report.contains("id=\"base-target\""));
    assert!(!report.contains("id=\"summary\""));
    // Its plots are the attribution and the interactions, not the 2^k
    // combinations drawn as scenarios.
    assert!(report.contains("plot-attribution") && report.contains("plot-interactions"));
    assert!(!report.contains("plot-ts_") && !report.contains("plot-estimates"));
    // Its tables fit the page (issue 29, item 5): the levers by group with
    // BASE's and TARGET's values only, and findings for BASE and TARGET,
    // not a column or a row for each of the 2^k combinations.
    let levers = report
        .split("<table id=\"levers-table\">")
        .nth(1)
        .and_then(|t| t.split("</table>").next())
        .expect("a lever table");
    assert!(levers.contains("<th>group</th><th>lever</th><th>BASE</th><th>TARGET</th></tr>"));
    assert_eq!(
        levers.matches("<tr>").count(),
        1 + 3,
        "one row a lever: {levers}"
    );
    assert!(levers.contains("<td>pooling</td><td><code>party.procedure.pooling</code>"));
    let findings = report
        .split("<table id=\"findings-table\">")
        .nth(1)
        .and_then(|t| t.split("</table>").next())
        .expect("a findings table");
    assert!(
        findings.contains("rowspan=\"2\""),
        "BASE and TARGET rows only"
    );
    assert!(report.contains("And 6 combinations of the groups between them"));
    assert!(report.contains("A waterfall from BASE"));
    let rows = attribution(&out, "resolution_rate");
    let get = |g: &str| rows.iter().find(|r| r.0 == g).unwrap().clone();
    let total = get("total").1;
    let sum: f64 = ["pooling", "disclosure", "autonomy"]
        .iter()
        .map(|g| get(g).1)
        .sum();
    assert!((sum - total).abs() < 1e-9, "sum {sum}, total {total}");
    let disclosure = get("disclosure");
    assert_eq!(
        (disclosure.1, disclosure.2, disclosure.3),
        (0.0, 0.0, 0.0),
        "a lever that changes nothing"
    );
    assert!(get("autonomy").1.abs() > 0.0);
    let interactions = std::fs::read_to_string(out.join("interactions.csv")).unwrap();
    assert_eq!(interactions.lines().count(), 1 + 3, "three pairs of groups");
    assert!(out.join("runs.csv").exists() && out.join("manifest.json").exists());
    // The report says who carries the difference and draws the attribution.
    let report = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(report.contains("Which group carries the difference"));
    let top = ["pooling", "disclosure", "autonomy"]
        .into_iter()
        .max_by(|a, b| get(a).1.abs().total_cmp(&get(b).1.abs()))
        .unwrap();
    assert!(
        report.contains(&format!("<b>{top}</b> carries the most")),
        "the report names {top}, the largest value"
    );
    assert!(out.join("plots/attribution.svg").exists());
    assert!(out.join("plots/interactions.svg").exists());
}

#[test]
fn bad_input_exits_2_naming_the_cause() {
    let dir = scratch("decompose-bad");
    let a = town_variant(&dir, "a", "[social]\nautonomy = 0.2");
    let b = town_variant(
        &dir,
        "b",
        "[social]\nautonomy = 0.8\n[party.procedure]\npooling = 0.5",
    );
    let run = |args: &[&str]| {
        let o = govsim(&[&["decompose"], args, &["--reps", "2", "--days", "5"]].concat());
        (
            o.status.code(),
            String::from_utf8_lossy(&o.stderr).to_string(),
        )
    };
    let (code, err) = run(&[&a, &a]);
    assert_eq!(code, Some(2));
    assert!(err.contains("do not differ"), "{err}");
    let (code, err) = run(&[&a, &b, "--metric", "happiness"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("happiness"), "{err}");
    let (code, err) = run(&[&a, &b, "--group", "party=party.*"]);
    assert_eq!(code, Some(2));
    assert!(
        err.contains("social.autonomy") && err.contains("no group"),
        "{err}"
    );
    let (code, err) = run(&[
        &a,
        &b,
        "--group",
        "x=social.*",
        "--group",
        "y=social.autonomy,party.*",
    ]);
    assert_eq!(code, Some(2));
    assert!(err.contains("2 groups"), "{err}");
}

/// Two shards merged and resumed give the attribution of the unsharded
/// run, and the thread count changes nothing.
#[test]
fn shards_and_threads_give_the_same_attribution() {
    let dir = scratch("decompose-shards");
    let a = town_variant(&dir, "a", "[social]\nautonomy = 0.2");
    let b = town_variant(
        &dir,
        "b",
        "[social]\nautonomy = 0.8\n[party.procedure]\npooling = 0.5",
    );
    let out = |name: &str| dir.join(name).display().to_string();
    let common = ["--reps", "3", "--days", "30", "--metric", "resolution_rate"];
    let run = |extra: &[&str]| {
        let o = govsim(&[&["decompose", a.as_str(), b.as_str()], &common[..], extra].concat());
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    };
    run(&["--threads", "1", "--out", &out("one")]);
    run(&["--threads", "2", "--out", &out("two")]);
    run(&["--shard", "1/2", "--out", &out("s1")]);
    run(&["--shard", "2/2", "--out", &out("s2")]);
    let o = govsim(&["merge", &out("s1"), &out("s2"), "--out", &out("merged")]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    run(&["--resume", "--out", &out("merged")]);
    let read = |name: &str| std::fs::read(dir.join(name).join("attribution.csv")).unwrap();
    assert_eq!(read("one"), read("two"));
    assert_eq!(read("one"), read("merged"));
}

/// A metric undefined in some combination of every replication (party
/// legitimacy, where a combination has no party committee) is left out with
/// a note; the others are attributed. Before, the whole run failed after
/// every combination had run (the README's own command did).
#[test]
fn a_metric_undefined_in_some_combination_is_left_out_with_a_note() {
    let dir = scratch("decompose-left-out");
    let town = common::scenario_path("classroom/small_town.toml");
    let town = town.to_str().unwrap();
    let base = dir.join("no_committees.toml");
    std::fs::write(
        &base,
        format!(
            "extends = \"{town}\"\nname = \"no_committees\"\n[party.setting]\ncommunity_coverage = 0.0\n"
        ),
    )
    .unwrap();
    // The same decomposition of the town, for `metrics`, into `out`.
    let decompose = |metrics: &[&str], out: &std::path::Path| {
        let mut args = vec!["decompose", base.to_str().unwrap(), town, "--reps", "2"];
        args.extend(["--days", "20"]);
        for metric in metrics {
            args.extend(["--metric", metric]);
        }
        args.extend(["--out", out.to_str().unwrap()]);
        govsim(&args)
    };
    let out = dir.join("out");
    let result = decompose(&["party_legitimacy", "resolution_rate"], &out);
    let text = String::from_utf8_lossy(&result.stdout);
    assert!(
        result.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&result.stderr)
    );
    assert!(text.contains("party_legitimacy: left out"), "{text}");
    assert!(text.contains("resolution_rate: TARGET − BASE"), "{text}");
    let table = std::fs::read_to_string(out.join("attribution.csv")).unwrap();
    assert!(!table.contains("party_legitimacy"), "{table}");
    // With no metric left to attribute, it says so (a run-time error).
    let alone = decompose(&["party_legitimacy"], &dir.join("alone"));
    let err = String::from_utf8_lossy(&alone.stderr);
    assert_eq!(alone.status.code(), Some(1), "{err}");
    assert!(err.contains("no metric to attribute"), "{err}");
}
