//! Docs that run (issue 29, item 2): every command shown in a code block of
//! `README.md`, `docs/*.md` and `docs/classroom/*.md` is run here, in a
//! reduced form where the full one takes minutes (fewer replications, days
//! and samples; every output into a scratch folder), and must succeed. A
//! synopsis (with placeholders such as `SCENARIO` or `[--reps N]`) is
//! checked by its command's `--help`. The few commands that cannot run
//! here are listed in `EXEMPT` with the reason; a new command in the docs
//! must run, or be listed.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use common::scratch;

/// Commands not run here, by a prefix of their text, and why.
const EXEMPT: &[(&str, &str)] = &[
    ("cargo test", "this test is part of it"),
    ("cargo build", "the test binary is built already"),
    (
        "sbatch",
        "needs Slurm: tests/slurm.rs runs the job-array script",
    ),
    (
        "jid=$(sbatch",
        "needs Slurm: tests/slurm.rs runs the job-array script",
    ),
    (
        "pip install ",
        ".ci/run installs the Python package (docs/python.md) before its tests",
    ),
    (
        "python python/benches/calls.py",
        "needs the Python package: python/tests/test_docs.py runs it (--quick)",
    ),
    (
        "python -m pytest python/tests",
        ".ci/run runs the Python tests, which run docs/python.md's Python blocks",
    ),
];

/// A command of the docs: where it is, and its text with continuation
/// lines joined.
#[derive(Debug, Clone)]
struct DocCommand {
    file: String,
    text: String,
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every command line in the fenced code blocks of the docs.
fn doc_commands() -> Vec<DocCommand> {
    let mut files = vec![root().join("README.md")];
    for folder in ["docs", "docs/classroom"] {
        let mut found: Vec<PathBuf> = std::fs::read_dir(root().join(folder))
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "md"))
            .collect();
        found.sort();
        files.extend(found);
    }
    let starts = [
        "govsim ",
        "cargo ",
        "target/release/govsim ",
        "bash ",
        "scripts/",
        "curl ",
        "id=$(",
        "json=",
        "jid=$(",
        "sbatch ",
        "pip ",
        "python ",
    ];
    let mut out = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let shown = file.strip_prefix(root()).unwrap().display().to_string();
        let mut in_block = false;
        let mut pending = String::new();
        for line in text.lines() {
            if line.trim_start().starts_with("```") {
                in_block = !in_block;
                pending.clear();
                continue;
            }
            if !in_block {
                continue;
            }
            let line = line.trim();
            if let Some(head) = line.strip_suffix('\\') {
                pending.push_str(head);
                pending.push(' ');
                continue;
            }
            let full = format!("{pending}{line}");
            pending.clear();
            if starts.iter().any(|s| full.starts_with(s)) {
                out.push(DocCommand {
                    file: shown.clone(),
                    text: full,
                });
            }
        }
    }
    out
}

/// A synopsis rather than a command: it shows placeholders.
fn synopsis(text: &str) -> bool {
    text.contains(" [")
        || text.contains('|') && !text.contains("| python3")
        || text.split_whitespace().any(|w| {
            let w = w.trim_matches(|c: char| !c.is_ascii_alphanumeric());
            w.len() > 1 && w.chars().all(|c| c.is_ascii_uppercase() || c == '_')
        })
}

/// `text` with `--flag VALUE` replaced (or added) as `--flag new`.
fn with_flag(text: &str, flag: &str, new: &str) -> String {
    let words: Vec<&str> = text.split(' ').collect();
    let mut out = Vec::new();
    let mut i = 0;
    let mut replaced = false;
    while i < words.len() {
        if words[i] == flag && i + 1 < words.len() {
            out.push(flag.to_string());
            out.push(new.to_string());
            replaced = true;
            i += 2;
        } else {
            out.push(words[i].to_string());
            i += 1;
        }
    }
    let mut text = out.join(" ");
    if !replaced {
        text.push_str(&format!(" {flag} {new}"));
    }
    text
}

/// The reduced form of a govsim command: a few replications, days and
/// samples, its output in `out`. Comments are dropped.
fn reduced(text: &str, out: &Path) -> String {
    let text = text.split("  #").next().unwrap().trim();
    let text = text
        .replacen("cargo run --release -- ", "govsim ", 1)
        .replacen("target/release/govsim ", "govsim ", 1);
    let command = text.split_whitespace().nth(1).unwrap_or("");
    let out = out.display().to_string();
    let mut text = text.to_string();
    match command {
        "run" => {
            text = with_flag(&text, "--days", "10");
            text = with_flag(&text, "--out", &out);
        }
        "check" => {}
        "compare" | "decompose" => {
            text = with_flag(&text, "--reps", "2");
            text = with_flag(&text, "--days", "10");
            text = with_flag(&text, "--out", &out);
        }
        "sweep" => {
            if text.contains("--reps auto") {
                text = with_flag(&text, "--max-reps", "10");
            } else {
                text = with_flag(&text, "--reps", "2");
            }
            text = text.replace("lhs:200", "lhs:4").replace(":11 ", ":3 ");
            text = with_flag(&text, "--days", "10");
            text = with_flag(&text, "--out", &out);
        }
        "sensitivity" => {
            text = with_flag(&text, "--samples", "2");
            text = with_flag(&text, "--reps", "2");
            text = with_flag(&text, "--days", "10");
            text = with_flag(&text, "--out", &out);
        }
        "validate" => {
            text = with_flag(&text, "--reps", "2");
            text = with_flag(&text, "--days", "10");
            text = with_flag(&text, "--out", &out);
        }
        "calibrate" => {
            text = with_flag(&text, "--samples", "20");
            text = with_flag(&text, "--generations", "1");
            // Targets with their own days (a month, a year) need the
            // run's days: a run stops at the last target's day anyway.
            if text.contains("--days") || !text.contains("--targets") {
                text = with_flag(&text, "--days", "10");
            }
            text = format!("{text} --set sim.warmup_days=0");
            text = with_flag(&text, "--out", &out);
        }
        _ => {}
    }
    text
}

/// Runs `script` under bash in the repository, `govsim` meaning the
/// binary under test; returns whether it succeeded, and what it said.
fn bash(script: &str) -> (bool, String) {
    let full = format!(
        "set -eo pipefail\ngovsim_binary=\"{}\"\ngovsim() {{ \"$govsim_binary\" \"$@\"; }}\n{script}",
        env!("CARGO_BIN_EXE_govsim")
    );
    let out = Command::new("bash")
        .arg("-c")
        .arg(full)
        .current_dir(root())
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), said)
}

/// Shell lines that start the server on a free port, its output in `log`,
/// its process id in `$pid`, and wait until it says where it listens. The
/// binary is started itself, not through the `govsim` shell function: a
/// function put in the background runs in a subshell, whose id `$!` would
/// be, and killing that subshell leaves the server running.
fn start_server(log: &str) -> String {
    format!(
        "\"$govsim_binary\" serve --port 0 > {log} 2>&1 & pid=$!\nfor i in $(seq 100); do grep -q http {log} && break; sleep 0.1; done\n"
    )
}

/// Shell lines that stop the server `start_server` started, wait for it to
/// end, and fail if anything still listens where it said it listened (as a
/// server left running by a killed wrapper would).
fn stop_server(log: &str) -> String {
    format!(
        "kill $pid\nwait $pid || true\naddress=$(grep -o '127.0.0.1:[0-9]*' {log} | head -1)\n\
         if (exec 3<>/dev/tcp/127.0.0.1/${{address#*:}}) 2>/dev/null; then\n\
         echo \"a server still listens at $address after it was stopped\"; exit 1; fi\n"
    )
}

#[test]
fn every_command_in_the_docs_runs() {
    let dir = scratch("docs-run");
    let commands = doc_commands();
    assert!(commands.len() > 25, "too few commands found: {commands:?}");
    let mut served = Vec::new();
    for (k, c) in commands.iter().enumerate() {
        let context = format!("{}: {}", c.file, c.text);
        if EXEMPT.iter().any(|(prefix, _)| c.text.starts_with(prefix)) {
            continue;
        }
        if c.text.starts_with("curl ") || c.text.starts_with("id=$(") || c.text.starts_with("json=")
        {
            // The live API's example: run below, in order, against a server.
            served.push(c.text.clone());
            continue;
        }
        if synopsis(&c.text) {
            // A synopsis: the command it shows exists and explains itself.
            let words: Vec<&str> = c.text.split_whitespace().collect();
            let sub = if words[0] == "govsim" {
                words[1]
            } else {
                words[3]
            };
            let (ok, said) = bash(&format!("govsim {sub} --help"));
            assert!(ok, "{context}: {said}");
            continue;
        }
        if c.text.contains(" serve") {
            // The server: started on a free port and stopped once it says
            // where it listens.
            let (ok, said) = bash(&format!(
                "{}{}grep http serve.out && rm serve.out",
                start_server("serve.out"),
                stop_server("serve.out")
            ));
            assert!(ok, "{context}: {said}");
            continue;
        }
        let out = dir.join(format!("cmd{k}"));
        let script = reduced(&c.text, &out);
        eprintln!("docs: {}: {script}", c.file);
        let (ok, said) = bash(&script);
        assert!(ok, "{context}\nran: {script}\n{said}");
    }
    // The live API's example, in order, against a server of its own.
    if served.is_empty() {
        return;
    }
    if !bash("command -v curl").0 {
        eprintln!("NOTICE: curl is not installed: the curl example of docs/serve.md was not run");
        return;
    }
    let address_file = dir.join("address");
    let script = format!(
        "{}trap 'kill $pid' EXIT\naddress=$(grep -o '127.0.0.1:[0-9]*' {a} | head -1)\ncd {d}\n{}\ntrap - EXIT\n{}",
        start_server(&address_file.display().to_string()),
        served
            .iter()
            .map(|l| l.replace("localhost:8080", "$address"))
            .collect::<Vec<_>>()
            .join("\n"),
        stop_server(&address_file.display().to_string()),
        a = address_file.display(),
        d = dir.display()
    );
    let (ok, said) = bash(&script);
    assert!(ok, "the docs/serve.md example:\n{script}\n{said}");
    let rows = std::fs::read_to_string(dir.join("timeseries.csv")).unwrap();
    assert_eq!(rows.lines().count(), 1 + 365, "90 + 275 days recorded");
}
