//! `govsim serve` through HTTP: the API's answers, every kind of bad input
//! as a 4xx JSON error naming the field, the bounds (runs, idle runs,
//! residents, body size), the page's assets (all in the binary, no request
//! elsewhere), and the binary's start-up.

mod common;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use common::{Served, http, http_with_host, json_of};
use govsim::app::serve::api::Limits;

fn limits() -> Limits {
    Limits {
        max_runs: 4,
        idle: Duration::from_secs(600),
        max_residents: 60_000,
    }
}

fn start(limits: Limits) -> Served {
    Served::start(limits)
}

fn post(s: &Served, path: &str, body: &str) -> (u16, serde_json::Value) {
    let (status, body) = http(&s.address, "POST", path, body.as_bytes());
    (status, json_of(&body))
}

fn new_run(s: &Served, body: &str) -> String {
    let (status, reply) = post(s, "/api/runs", body);
    assert_eq!(status, 201, "{reply}");
    reply["id"].as_str().expect("an id").to_string()
}

#[test]
fn a_run_is_created_stepped_moved_mapped_downloaded_and_deleted() {
    let s = start(limits());
    let (status, body) = http(&s.address, "GET", "/api/scenarios", b"");
    assert_eq!(status, 200);
    let scenarios = json_of(&body);
    let names: Vec<&str> = scenarios
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"classroom/small_town") && names.contains(&"regimes/party_led"));
    let beilun = scenarios
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["name"] == "beilun")
        .unwrap();
    assert_eq!(
        beilun["live"], false,
        "Beilun is over this server's residents limit"
    );

    let id = new_run(
        &s,
        r#"{"scenario": "classroom/small_town", "seed": 3, "set": {"issues.rate": 0.5}}"#,
    );
    let (status, stepped) = post(&s, &format!("/api/runs/{id}/step"), r#"{"days": 30}"#);
    assert_eq!(status, 200);
    assert_eq!(stepped["day"], 30);
    let rows = stepped["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 30);
    assert_eq!(rows[29]["day"], 30);

    // The same rows as the library's live run with the same levers, to the bit.
    let source =
        govsim::scenario::ScenarioSource::read(&common::scenario_path("classroom/small_town.toml"))
            .unwrap();
    let mut direct =
        govsim::run::live::LiveRun::start(&source, &["issues.rate=0.5".into()], 3, 1 << 20)
            .unwrap();
    direct.step(30);
    let (_, csv) = http(
        &s.address,
        "GET",
        &format!("/api/runs/{id}/timeseries.csv"),
        b"",
    );
    assert_eq!(csv, direct.timeseries_csv().unwrap());

    let (status, moved) = post(
        &s,
        &format!("/api/runs/{id}/set"),
        r#"{"party.procedure.formalism": 0.6}"#,
    );
    assert_eq!(status, 200, "{moved}");
    assert_eq!(moved["changes"][0]["day"], 31);
    assert_eq!(moved["state"]["levers"]["party.procedure.formalism"], 0.6);
    let (_, state) = http(&s.address, "GET", &format!("/api/runs/{id}"), b"");
    assert_eq!(json_of(&state)["changes"].as_array().unwrap().len(), 1);

    let (status, map) = http(&s.address, "GET", &format!("/api/runs/{id}/map"), b"");
    assert_eq!(status, 200);
    let map = json_of(&map);
    assert_eq!(map["grids"].as_array().unwrap().len(), 11);
    assert_eq!(map["communities"].as_array().unwrap().len(), 3);

    let (status, csv) = http(
        &s.address,
        "GET",
        &format!("/api/runs/{id}/timeseries.csv"),
        b"",
    );
    assert_eq!(status, 200);
    let text = String::from_utf8(csv).unwrap();
    assert!(text.starts_with("day,"), "{}", &text[..40.min(text.len())]);
    assert_eq!(text.lines().count(), 31, "a header and 30 rows");

    let (status, _) = http(&s.address, "DELETE", &format!("/api/runs/{id}"), b"");
    assert_eq!(status, 200);
    let (status, gone) = post(&s, &format!("/api/runs/{id}/step"), "{}");
    assert_eq!((status, gone["field"].as_str()), (404, Some("id")));
}

#[test]
fn bad_input_is_a_4xx_naming_the_field_never_a_5xx() {
    let s = start(limits());
    let id = new_run(&s, r#"{"scenario": "classroom/small_town"}"#);
    let run = format!("/api/runs/{id}");
    let cases: Vec<(&str, String, String, u16, &str, &str)> = vec![
        ("POST", "/api/runs".into(), r#"{"scenario": "no/such"}"#.into(), 400, "scenario", "unknown scenario"),
        ("POST", "/api/runs".into(), r#"{"scenario": "classroom/small_town", "colour": 1}"#.into(), 400, "colour", "unknown field"),
        ("POST", "/api/runs".into(), r#"{"scenario": "classroom/small_town", "seed": -1}"#.into(), 400, "seed", "valid range"),
        ("POST", "/api/runs".into(), r#"{"scenario": "classroom/small_town", "set": {"party.procedure.formalism": 2}}"#.into(), 400, "party.procedure.formalism", "valid range is 0 to 1"),
        ("POST", "/api/runs".into(), r#"{"scenario": "classroom/small_town", "set": {"party.procedure.formalsm": 0.2}}"#.into(), 400, "party.procedure.formalsm", "formalism"),
        ("POST", "/api/runs".into(), r#"{"scenario": "classroom/small_town", "set": [1, 2]}"#.into(), 400, "set", "object"),
        ("POST", "/api/runs".into(), r#"{"scenario": "classroom/small_town", "set": {"issues.rate": [1]}}"#.into(), 400, "issues.rate", "number"),
        ("POST", "/api/runs".into(), r#"{"text": "[[district.communities]]\nkind = \"urban\"\ncount = 100\npopulation = 1000\nmigrant_share = 0.1\ngrids = 5\n"}"#.into(), 400, "district.communities", "at most 60000"),
        ("POST", "/api/runs".into(), r#"{"scenario": "beilun"}"#.into(), 400, "district.communities", "at most 60000"),
        ("POST", "/api/runs".into(), r#"{"scenario": "#.into(), 400, "", "malformed JSON"),
        ("POST", "/api/runs".into(), r#"{"text": "name = 3\n"}"#.into(), 400, "name", "string"),
        ("POST", "/api/runs".into(), r#"{"text": "[sim]\ndays = \n"}"#.into(), 400, "", "malformed TOML"),
        ("POST", "/api/runs".into(), r#"{"text": "extends = \"../../Cargo.toml\"\n"}"#.into(), 400, "extends", "shipped scenario"),
        ("POST", format!("{run}/step"), r#"{"days": 0}"#.into(), 400, "days", "valid range is 1 to 365"),
        ("POST", format!("{run}/step"), r#"{"days": "ten"}"#.into(), 400, "days", "valid range"),
        // Issue 29, item 14: a misspelt field or another shape is not a step.
        ("POST", format!("{run}/step"), r#"{"dayz": 30}"#.into(), 400, "dayz", "unknown field"),
        ("POST", format!("{run}/step"), r#"[30]"#.into(), 400, "", "JSON object"),
        ("POST", format!("{run}/step"), r#"30"#.into(), 400, "", "JSON object"),
        ("POST", format!("{run}/set"), r#"{"party.procedure.formalism": 1.5}"#.into(), 400, "party.procedure.formalism", "valid range is 0 to 1"),
        ("POST", format!("{run}/set"), r#"{"party.setting.community_coverage": 0}"#.into(), 400, "party.setting.community_coverage", "cannot change during a run"),
        ("POST", format!("{run}/set"), r#"{"party.procedure.meeting_interval": 0.5}"#.into(), 400, "party.procedure.meeting_interval", "valid range"),
        ("POST", format!("{run}/set"), "{}".into(), 400, "", "at least one lever"),
        ("POST", "/api/runs/123456/step".into(), "{}".into(), 404, "id", "no live run"),
        ("POST", "/api/runs/x%00y/step".into(), "{}".into(), 404, "id", "no live run"),
        ("GET", format!("{run}/step"), "".into(), 405, "method", "not allowed"),
        ("GET", "/api/nothing".into(), "".into(), 404, "path", "no such"),
    ];
    for (method, path, body, status, field, words) in cases {
        let (got, reply) = http(&s.address, method, &path, body.as_bytes());
        let reply = json_of(&reply);
        let context = format!("{method} {path} {body}: {got} {reply}");
        assert_eq!(got, status, "{context}");
        assert!(
            reply["field"].as_str().unwrap().starts_with(field),
            "{context}"
        );
        assert!(
            reply["error"].as_str().unwrap().contains(words),
            "{context}"
        );
        // A range is whole: no stray ")" (issue 29, item 14).
        if let Some(range) = reply["range"].as_str() {
            assert_eq!(
                range.matches('(').count(),
                range.matches(')').count(),
                "{context}"
            );
        }
    }
    let (_, reply) = post(&s, "/api/runs", r#"{"scenario": "beilun"}"#);
    assert_eq!(reply["range"], "1 to 60000 residents", "{reply}");
    // Nothing of that moved the run.
    let (_, state) = http(&s.address, "GET", &run, b"");
    let state = json_of(&state);
    assert_eq!(
        (
            state["day"].as_u64(),
            state["changes"].as_array().map(Vec::len)
        ),
        (Some(0), Some(0))
    );
}

#[test]
fn the_server_is_bounded_in_runs_idle_time_body_size_and_hosts() {
    let s = start(Limits {
        max_runs: 2,
        idle: Duration::from_millis(700),
        max_residents: 60_000,
    });
    let body = r#"{"scenario": "classroom/small_town"}"#;
    new_run(&s, body);
    new_run(&s, body);
    let (status, reply) = post(&s, "/api/runs", body);
    assert_eq!(status, 429, "{reply}");
    assert!(reply["error"].as_str().unwrap().contains("2 live runs"));
    std::thread::sleep(Duration::from_millis(900));
    // Idle runs are gone; there is room again.
    new_run(&s, body);

    let big = vec![b' '; (govsim::app::serve::MAX_BODY_BYTES + 10) as usize];
    let (status, reply) = http(&s.address, "POST", "/api/runs", &big);
    assert_eq!(status, 413, "{}", String::from_utf8_lossy(&reply));

    let (status, reply) = http_with_host(
        &s.address,
        "attacker.example:80",
        "GET",
        "/api/scenarios",
        b"",
    );
    assert_eq!(status, 403, "{}", String::from_utf8_lossy(&reply));
    let (status, _) = http_with_host(&s.address, "localhost", "GET", "/api/scenarios", b"");
    assert_eq!(status, 200);
}

#[test]
fn an_uploaded_scenario_runs_and_may_extend_a_shipped_one() {
    let s = start(limits());
    let text = "extends = \"classroom/small_town.toml\"\nname = \"<b>mine</b>\"\n[party.procedure]\nformalism = 0.7\n";
    let body = serde_json::json!({ "text": text, "seed": 2 }).to_string();
    let (status, reply) = post(&s, "/api/runs", &body);
    assert_eq!(status, 201, "{reply}");
    assert_eq!(
        reply["name"], "<b>mine</b>",
        "kept as text; the page sets it as text"
    );
    assert_eq!(reply["levers"]["party.procedure.formalism"], 0.7);
    assert_eq!(reply["scenario"], "uploaded");
}

#[test]
fn the_page_and_its_assets_come_from_the_binary_and_ask_nothing_elsewhere() {
    let s = start(limits());
    for (path, kind) in [
        ("/", "text/html"),
        ("/app.js", "text/javascript"),
        ("/app.css", "text/css"),
    ] {
        let (status, body) = http(&s.address, "GET", path, b"");
        assert_eq!(status, 200, "{path}");
        let text = String::from_utf8(body).unwrap();
        // The SVG namespace is a name, not a request.
        let outside = text.replace("http://www.w3.org/2000/svg", "");
        assert!(
            !outside.contains("http://")
                && !outside.contains("https://")
                && !outside.contains("//cdn"),
            "{path} names an outside address"
        );
        let _ = kind;
    }
    let (_, page) = http(&s.address, "GET", "/", b"");
    let page = String::from_utf8(page).unwrap();
    for id in [
        "scenario",
        "upload",
        "seed",
        "ab",
        "play",
        "step-day",
        "step-month",
        "reset",
        "speed",
        "map-color",
    ] {
        assert!(page.contains(&format!("id=\"{id}\"")), "{id}");
        assert!(
            page.contains(&format!("for=\"{id}\""))
                || ["play", "step-day", "step-month", "reset"].contains(&id),
            "{id} has a label"
        );
    }
}

#[test]
fn the_binary_prints_its_address_and_warns_off_loopback() {
    let exe = env!("CARGO_BIN_EXE_govsim");
    let root = env!("CARGO_MANIFEST_DIR");
    for (host, warns) in [("127.0.0.1", false), ("0.0.0.0", true)] {
        let mut child = Command::new(exe)
            .args(["serve", "--port", "0", "--host", host])
            .current_dir(root)
            .stdout(Stdio::piped())
            .spawn()
            .expect("starts");
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let mut first = lines.next().unwrap().unwrap();
        if warns {
            assert!(
                first.contains("warning") && first.contains("anyone"),
                "{first}"
            );
            first = lines.next().unwrap().unwrap();
        }
        let url = first
            .split_whitespace()
            .find(|w| w.starts_with("http://"))
            .unwrap_or_else(|| panic!("no address in {first}"));
        let address = url
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .replace("0.0.0.0", "127.0.0.1");
        let (status, _) = http_with_host(&address, "127.0.0.1", "GET", "/api/scenarios", b"");
        let _ = child.kill();
        let _ = child.wait();
        assert_eq!(status, 200, "{host}");
    }
    let out = common::govsim(&["serve", "--scenarios", "/no/such/folder", "--port", "0"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--scenarios"));
}

/// Every request in the API table of `docs/serve.md` is one the server
/// answers (with a run made for `{id}`), and the table lists every route.
#[test]
fn the_documented_api_is_the_api() {
    let docs = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/serve.md"))
        .unwrap();
    let s = start(limits());
    let id = new_run(&s, r#"{"scenario": "classroom/small_town"}"#);
    let mut documented = Vec::new();
    for line in docs.lines().filter(|l| l.starts_with("| `")) {
        let request = line.trim_start_matches("| `").split('`').next().unwrap();
        let Some((method, path)) = request.split_once(' ') else {
            continue;
        };
        if !path.starts_with("/api/") {
            continue;
        }
        documented.push(format!("{method} {path}"));
    }
    for route in [
        "GET /api/scenarios",
        "GET /api/controls",
        "POST /api/runs",
        "GET /api/runs/{id}",
        "POST /api/runs/{id}/step",
        "POST /api/runs/{id}/set",
        "GET /api/runs/{id}/map",
        "GET /api/runs/{id}/timeseries.csv",
        "DELETE /api/runs/{id}",
    ] {
        assert!(
            documented.contains(&route.to_string()),
            "{route} is not in docs/serve.md"
        );
    }
    // DELETE last: the others need the run.
    documented.sort_by_key(|r| r.starts_with("DELETE"));
    for route in documented {
        let (method, path) = route.split_once(' ').unwrap();
        let body = match path {
            "/api/runs" => r#"{"scenario": "classroom/small_town"}"#,
            p if p.ends_with("/set") => r#"{"issues.rate": 0.5}"#,
            _ => "{}",
        };
        let (status, reply) = http(
            &s.address,
            method,
            &path.replace("{id}", &id),
            body.as_bytes(),
        );
        assert!(
            (200..300).contains(&status),
            "{route}: {status} {}",
            String::from_utf8_lossy(&reply)
        );
    }
}

/// A raw request with the given header lines; the status code.
fn status_with_headers(address: &str, method: &str, path: &str, headers: &str, body: &str) -> u16 {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(address).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .unwrap();
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n{headers}Content-Length: {}\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(head.as_bytes()).unwrap();
    let mut reply = Vec::new();
    let _ = stream.read_to_end(&mut reply);
    let text = String::from_utf8_lossy(&reply);
    text.split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

/// A page on another site cannot drive the loopback server (issue 29, item
/// 13): a "simple" cross-origin POST (text/plain, no preflight) is refused,
/// as are requests that name another origin or a cross-site fetch; the
/// app's own requests (JSON, its own origin) are answered.
#[test]
fn cross_site_requests_cannot_change_runs() {
    let s = start(limits());
    let body = r#"{"scenario": "classroom/small_town"}"#;
    let own = format!("Origin: http://{}\r\n", s.address);
    let cases = [
        ("Content-Type: text/plain\r\n".to_string(), 415),
        (
            "Content-Type: application/x-www-form-urlencoded\r\n".to_string(),
            415,
        ),
        (String::new(), 415),
        (
            "Content-Type: application/json\r\nOrigin: http://evil.example\r\n".to_string(),
            403,
        ),
        (
            "Content-Type: application/json\r\nOrigin: null\r\n".to_string(),
            403,
        ),
        (
            "Content-Type: application/json\r\nSec-Fetch-Site: cross-site\r\n".to_string(),
            403,
        ),
        (
            "Content-Type: application/json\r\nSec-Fetch-Site: same-site\r\n".to_string(),
            403,
        ),
        (
            format!("Content-Type: application/json\r\n{own}Sec-Fetch-Site: same-origin\r\n"),
            201,
        ),
        (
            "Content-Type: application/json; charset=utf-8\r\n".to_string(),
            201,
        ),
    ];
    for (headers, expected) in cases {
        let status = status_with_headers(&s.address, "POST", "/api/runs", &headers, body);
        assert_eq!(status, expected, "{headers:?}");
    }
    // Reading needs no JSON body: the page and a run's rows are GETs. A
    // DELETE (not a simple method: a browser asks first) needs none either,
    // but from another site it is refused.
    assert_eq!(status_with_headers(&s.address, "GET", "/", "", ""), 200);
    let id = {
        let (status, reply) = post(&s, "/api/runs", body);
        assert_eq!(status, 201);
        reply["id"].as_str().unwrap().to_string()
    };
    let path = format!("/api/runs/{id}");
    let evil = "Origin: http://evil.example\r\n";
    assert_eq!(
        status_with_headers(&s.address, "DELETE", &path, evil, ""),
        403
    );
    assert_eq!(
        status_with_headers(&s.address, "DELETE", &path, &own, ""),
        200
    );
}

/// A run's moves are bounded (issue 29, item 12): the overrides a move
/// re-resolves keep only each lever's latest value, so repeated moves do
/// not grow what each later move resolves and each reply echoes, and a run
/// takes at most 1,000 lever changes.
#[test]
fn repeated_moves_keep_only_each_levers_latest_value_and_are_bounded() {
    let s = start(limits());
    let id = new_run(&s, r#"{"scenario": "classroom/small_town"}"#);
    let path = format!("/api/runs/{id}/set");
    let mut last = serde_json::Value::Null;
    for k in 0..10 {
        let value = 0.1 + 0.05 * f64::from(k);
        let (status, reply) = post(
            &s,
            &path,
            &format!(r#"{{"party.procedure.formalism": {value}}}"#),
        );
        assert_eq!(status, 200, "{reply}");
        last = reply;
    }
    let set = last["state"]["set"].as_array().unwrap();
    assert_eq!(set.len(), 1, "{set:?}");
    assert!(
        set[0]
            .as_str()
            .unwrap()
            .starts_with("party.procedure.formalism=0.55"),
        "{set:?}"
    );
    assert_eq!(
        last["state"]["levers"]["party.procedure.formalism"].as_f64(),
        Some(0.55)
    );
    // Up to 1,000 changes, then refused with a reason.
    let mut refused = None;
    for k in 10..1_100 {
        let value = if k % 2 == 0 { 0.2 } else { 0.3 };
        let (status, reply) = post(
            &s,
            &path,
            &format!(r#"{{"party.procedure.formalism": {value}}}"#),
        );
        if status != 200 {
            refused = Some((k, status, reply));
            break;
        }
    }
    let (k, status, reply) = refused.expect("a bound on changes");
    assert_eq!(k, 1_000, "{reply}");
    assert_eq!(status, 400, "{reply}");
    assert!(
        reply["error"]
            .as_str()
            .unwrap()
            .contains("at most 1000 lever changes"),
        "{reply}"
    );
}

/// Clients that send their headers and stall their bodies, all at once,
/// hold threads of their own: quick requests are still answered, and each
/// stalled request is given up (issue 29, item 12).
#[test]
fn stalled_bodies_do_not_freeze_the_server() {
    use std::io::Write;
    let s = start(limits());
    let mut stalled = Vec::new();
    for _ in 0..6 {
        let mut stream = std::net::TcpStream::connect(&s.address).unwrap();
        let head = format!(
            "POST /api/runs HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{{",
            s.address
        );
        stream.write_all(head.as_bytes()).unwrap();
        stalled.push(stream);
    }
    std::thread::sleep(Duration::from_millis(300));
    // More than there are slots for long work are stalled; a quick request is answered
    // (common::http gives up after 60 s, so a frozen server fails here).
    let (status, body) = http(&s.address, "GET", "/api/controls", b"");
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    let (status, _) = http(&s.address, "GET", "/", b"");
    assert_eq!(status, 200);
    drop(stalled);
}

/// The request line and headers are bounded before any work (issue 29,
/// item 12): a header line of 1 MB is answered 431 once 16 KiB are read,
/// chunked bodies 411, and the server goes on answering.
#[test]
fn a_huge_head_is_refused_once_its_bound_is_read() {
    use std::io::{Read, Write};
    let s = start(limits());
    let mut stream = std::net::TcpStream::connect(&s.address).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .unwrap();
    let mut writer = stream.try_clone().unwrap();
    let address = s.address.clone();
    // Written on a thread: the server stops reading long before the end.
    let sent = std::thread::spawn(move || {
        let head = format!("GET / HTTP/1.1\r\nHost: {address}\r\nX-Pad: ");
        writer.write_all(head.as_bytes())?;
        let pad = vec![b'a'; 64 * 1024];
        for _ in 0..16 {
            writer.write_all(&pad)?;
        }
        writer.write_all(b"\r\n\r\n")
    });
    let mut reply = Vec::new();
    let _ = stream.read_to_end(&mut reply);
    let text = String::from_utf8_lossy(&reply);
    assert!(text.starts_with("HTTP/1.1 431 "), "{text}");
    assert!(text.contains(r#""field":"headers""#), "{text}");
    let _ = sent.join();

    let chunked = status_with_headers(
        &s.address,
        "POST",
        "/api/runs",
        "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n",
        "",
    );
    assert_eq!(chunked, 411);
    let (status, _) = http(&s.address, "GET", "/api/controls", b"");
    assert_eq!(status, 200);
}

/// Connections are bounded (issue 29, item 12): clients that open
/// connections in a burst and stall their request line fill the server's
/// 64 connection threads, the next connection is answered 503 at once
/// rather than queued, each stalled connection is closed by the server
/// after its 10 s, and the server then answers again.
#[test]
fn stalled_heads_are_given_up_and_connections_are_bounded() {
    use std::io::{Read, Write};
    let s = start(limits());
    let mut stalled = Vec::new();
    for _ in 0..govsim::app::serve::MAX_CONNECTIONS {
        let mut stream = std::net::TcpStream::connect(&s.address).unwrap();
        stream.write_all(b"GET /api/cont").unwrap();
        stalled.push(stream);
    }
    std::thread::sleep(Duration::from_millis(300));
    let (status, body) = http(&s.address, "GET", "/api/controls", b"");
    assert_eq!(status, 503, "{}", String::from_utf8_lossy(&body));
    assert!(json_of(&body)["error"].as_str().unwrap().contains("64"));
    // The server closes a stalled connection (read gives 0 bytes) rather
    // than waiting for it; the test's own limit is far beyond the 10 s.
    for stream in &mut stalled {
        stream
            .set_read_timeout(Some(Duration::from_secs(60)))
            .unwrap();
        let mut reply = Vec::new();
        let read = stream.read_to_end(&mut reply);
        assert!(
            matches!(read, Ok(0)),
            "a stalled connection was not closed: {read:?} {reply:?}"
        );
    }
    // The slots are given back as the threads end.
    let mut status = 0;
    for _ in 0..100 {
        status = http(&s.address, "GET", "/api/controls", b"").0;
        if status == 200 {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(status, 200);
}

/// Every metric the app draws has its colour from the server, the one a
/// run's report draws it in, and a chart's lines differ (issue 29, item 6).
#[test]
fn the_app_draws_each_metric_in_its_report_colour() {
    let s = start(limits());
    let (status, body) = http(&s.address, "GET", "/api/colours", b"");
    assert_eq!(status, 200);
    let colours = json_of(&body);
    let script = include_str!("../assets/serve/app.js");
    let charts = &script[script.find("const CHARTS").unwrap()..];
    let charts = &charts[..charts.find("];").unwrap()];
    let mut drawn = 0;
    for line in charts.lines().filter(|l| l.contains("series:")) {
        let keys: Vec<&str> = line
            .split("[\"")
            .skip(1)
            .filter_map(|part| part.split('"').next())
            .collect();
        let hexes: Vec<String> = keys
            .iter()
            .map(|key| {
                let hex = colours[key]
                    .as_str()
                    .unwrap_or_else(|| panic!("{key} has no colour"));
                let want =
                    govsim::report::plots::hex(govsim::report::plots::metric_color(key).unwrap());
                assert_eq!(hex, want, "{key}");
                hex.to_string()
            })
            .collect();
        let mut distinct = hexes.clone();
        distinct.sort();
        distinct.dedup();
        assert_eq!(
            distinct.len(),
            hexes.len(),
            "one chart, two lines alike: {line}"
        );
        drawn += keys.len();
    }
    assert!(drawn >= 10, "the app's charts were not found in app.js");
}
