//! Helpers shared by the integration tests: loading shipped scenarios, running
//! replications through the library, and checking invariants of outputs.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use govsim::run::{RunOutput, run};
use govsim::scenario::load_scenario;

/// Prints a notice where a person sees it: on the process's standard
/// error, not through the test harness's capture (which swallows the
/// output of a test that passes), e.g. that a test was skipped.
pub fn notice(text: &str) {
    use std::io::Write as _;
    let _ = writeln!(std::io::stderr(), "NOTICE: {text}");
}

/// Runs the govsim binary with `args`.
pub fn govsim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_govsim"))
        .args(args)
        .output()
        .expect("binary runs")
}

/// A fresh, empty folder for one test (unique per test process and name).
pub fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("govsim-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Path of a shipped scenario, relative to `scenarios/`.
pub fn scenario_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(name)
}

/// Runs a shipped scenario with overrides.
pub fn run_scenario(name: &str, overrides: &[&str]) -> RunOutput {
    let overrides: Vec<String> = overrides.iter().map(|s| s.to_string()).collect();
    let resolved = load_scenario(&scenario_path(name), &overrides).expect("valid scenario");
    run(&resolved.scenario)
}

/// Mean of a summary figure over `seeds` replications of a shipped scenario.
pub fn mean_over_seeds(
    name: &str,
    overrides: &[&str],
    seeds: u64,
    figure: fn(&RunOutput) -> f64,
) -> f64 {
    let mut total = 0.0;
    for seed in 1..=seeds {
        let seed_set = format!("sim.seed={seed}");
        let mut all: Vec<&str> = overrides.to_vec();
        all.push(&seed_set);
        total += figure(&run_scenario(name, &all));
    }
    total / seeds as f64
}

/// Checks the invariants every run must keep: conservation of issues each
/// recorded day, rates and trust in [0, 1], no NaN or infinity anywhere.
pub fn assert_invariants(output: &RunOutput, context: &str) {
    let mut arrived = 0u64;
    let mut closed = 0u64;
    for row in &output.rows {
        arrived += u64::from(row.arrived);
        closed += u64::from(row.resolved) + u64::from(row.abandoned) + u64::from(row.explained);
        assert_eq!(
            arrived,
            closed + u64::from(row.backlog),
            "{context}: conservation broken on day {}",
            row.day
        );
        let value = serde_json::to_value(row).unwrap();
        check_numbers(&value, context, row.day);
    }
    let s = &output.summary;
    assert_eq!(
        s.arrived,
        s.resolved + s.abandoned + s.explained + u64::from(s.backlog),
        "{context}: summary conservation"
    );
    check_numbers(&serde_json::to_value(s).unwrap(), context, s.days);
    // Capacity used on issues and capacity lost to overhead together fit
    // in the capacity the organizations had (ODD section 8, item 34).
    if let Some(used) = s
        .capacity_used
        .filter(|_| output.rows.len() == s.days as usize)
    {
        let capacity: f64 = output
            .rows
            .iter()
            .map(|r| r.capacity_per_1000.unwrap_or(0.0) * f64::from(r.residents) / 1000.0)
            .sum();
        if capacity > 0.0 {
            let overhead = s.meeting_overhead / capacity;
            assert!(
                used >= 0.0 && used + overhead <= 1.0 + 1e-6,
                "{context}: capacity used {used} + overhead {overhead} exceeds the capacity"
            );
        }
    }
    // A reporter is satisfied only by a resolution or an explained reply to
    // a demand that cannot be met (ODD 7.6; section 8, item 37).
    if let (Some(satisfied), Some(resolved)) = (s.satisfaction_rate, s.resolution_rate) {
        let closed = (s.resolved + s.abandoned + s.explained) as f64;
        let explained = s.explained as f64 / closed.max(1.0);
        assert!(
            satisfied <= resolved + explained + 1e-12,
            "{context}: satisfaction {satisfied} above resolution {resolved} + explained {explained}"
        );
    }
    // Without demands that cannot be met, not above resolution on any day.
    let rows = if s.explained == 0 {
        &output.rows[..]
    } else {
        &[]
    };
    for row in rows {
        if let (Some(satisfied), Some(resolved)) = (row.satisfaction_rate, row.resolution_rate) {
            assert!(
                satisfied <= resolved + 1e-12,
                "{context}: day {} satisfaction above resolution",
                row.day
            );
        }
    }
}

/// Columns that are shares, rates or trust: must lie in [0, 1].
fn unit_interval(name: &str) -> bool {
    (name.contains("rate") && !name.contains("gap"))
        || name.starts_with("share_")
        || name.starts_with("credit_")
        || name.starts_with("trust_")
        || name.starts_with("agil_")
        || ["abandoned_share", "efficacy", "party_legitimacy"].contains(&name)
}

fn check_numbers(value: &serde_json::Value, context: &str, day: u32) {
    for (name, v) in value.as_object().unwrap() {
        let Some(x) = v.as_f64() else {
            assert!(v.is_null(), "{context}: {name} is neither a number nor NA");
            continue;
        };
        assert!(x.is_finite(), "{context}: {name} = {x} on day {day}");
        if unit_interval(name) {
            assert!(
                (0.0..=1.0).contains(&x),
                "{context}: {name} = {x} outside [0, 1] on day {day}"
            );
        }
        if name == "polycentricity" {
            // An effective number of centres: at least one (up to rounding).
            assert!(
                x >= 1.0 - 1e-9,
                "{context}: {name} = {x} below 1 on day {day}"
            );
        }
        if name.ends_with("_gap") {
            assert!(
                (-1.0..=1.0).contains(&x),
                "{context}: {name} = {x} outside [-1, 1] on day {day}"
            );
        }
    }
}

/// One HTTP/1.1 request to `address` (`host:port`) with `Connection:
/// close`; returns the status and the body. `host` is the `Host` header.
pub fn http_with_host(
    address: &str,
    host: &str,
    method: &str,
    path: &str,
    body: &[u8],
) -> (u16, Vec<u8>) {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(address).expect("server listens");
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(60)))
        .unwrap();
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).unwrap();
    // The server may answer (413) before it reads a large body.
    let _ = stream.write_all(body);
    // Read until the body is complete (by Content-Length where given: not
    // every server closes the connection when asked).
    let mut reply = Vec::new();
    let mut buffer = [0u8; 65536];
    loop {
        let n = stream.read(&mut buffer).unwrap_or(0);
        if n == 0 {
            break;
        }
        reply.extend_from_slice(&buffer[..n]);
        if let Some(split) = reply.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&reply[..split]).to_ascii_lowercase();
            let length = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse::<usize>().ok());
            if length.is_some_and(|len| reply.len() >= split + 4 + len) {
                break;
            }
        }
    }
    let split = reply
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a reply with headers");
    let head = String::from_utf8_lossy(&reply[..split]).to_string();
    let status: u16 = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("a status line");
    let mut body = reply[split + 4..].to_vec();
    if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        body = unchunk(&body);
    }
    (status, body)
}

/// [`http_with_host`] with `Host` set to the address itself.
pub fn http(address: &str, method: &str, path: &str, body: &[u8]) -> (u16, Vec<u8>) {
    http_with_host(address, address, method, path, body)
}

/// A chunked body joined.
fn unchunk(mut body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(end) = body.windows(2).position(|w| w == b"\r\n") {
        let size =
            usize::from_str_radix(String::from_utf8_lossy(&body[..end]).trim(), 16).unwrap_or(0);
        if size == 0 {
            break;
        }
        out.extend_from_slice(&body[end + 2..end + 2 + size]);
        body = &body[end + 2 + size + 2..];
    }
    out
}

/// The JSON of an HTTP reply body.
pub fn json_of(body: &[u8]) -> serde_json::Value {
    serde_json::from_slice(body)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(body)))
}

/// Flags for headless Chromium in tests: no sandbox (root in CI), no GPU,
/// and nothing that reaches the network.
pub const CHROMIUM_FLAGS: [&str; 8] = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--hide-scrollbars",
];

/// A Chromium that runs: GOVSIM_CHROMIUM if set, else one on the PATH.
pub fn chromium() -> Option<String> {
    let candidates = match std::env::var("GOVSIM_CHROMIUM") {
        Ok(path) => vec![path],
        Err(_) => ["chromium", "chromium-browser", "google-chrome"]
            .map(String::from)
            .to_vec(),
    };
    candidates.into_iter().find(|name| {
        Command::new(name)
            .arg("--version")
            .output()
            .map(|o| o.status.success())
            .unwrap_or(false)
    })
}

/// `govsim serve` answering in this process on a free port of 127.0.0.1,
/// over the shipped scenarios, until dropped.
pub struct Served {
    /// `127.0.0.1:port`.
    pub address: String,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Served {
    /// Starts a server with `limits`.
    pub fn start(limits: govsim::app::serve::api::Limits) -> Self {
        let server = govsim::app::serve::Server::bind(&govsim::app::serve::Config {
            host: "127.0.0.1".parse().unwrap(),
            port: 0,
            scenarios: Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios"),
            limits,
        })
        .expect("binds");
        let address = server
            .url()
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .to_string();
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let flag = stop.clone();
        let thread = Some(std::thread::spawn(move || server.run(&flag)));
        Self {
            address,
            stop,
            thread,
        }
    }

    /// The page's address.
    pub fn url(&self) -> String {
        format!("http://{}/", self.address)
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
