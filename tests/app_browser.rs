//! The live app as a person uses it, in headless Chromium driven through
//! the DevTools protocol: the page loads, Play is pressed with the mouse,
//! the charts and the map move, a slider is moved with the keyboard and the
//! API then shows the new lever and the marked day, A/B mode shows two runs
//! that differ only in the lever moved. Screenshots are written to
//! `target/app-screenshots/` to be looked at. Without Chromium the test says
//! so on standard error and passes; CI sets GOVSIM_REQUIRE_BROWSER=1, under
//! which a missing browser fails it.

mod common;

use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{CHROMIUM_FLAGS, Served, chromium, http, json_of};
use govsim::app::serve::api::Limits;
use serde_json::{Value, json};
use tungstenite::stream::MaybeTlsStream;
use tungstenite::{Message, WebSocket};

/// A headless browser and one page's DevTools connection.
struct Browser {
    child: Child,
    ws: WebSocket<MaybeTlsStream<TcpStream>>,
    next: u64,
    _profile: PathBuf,
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Browser {
    fn launch(binary: &str, profile: &Path) -> Self {
        let _ = std::fs::remove_dir_all(profile);
        std::fs::create_dir_all(profile).unwrap();
        let child = Command::new(binary)
            .args(CHROMIUM_FLAGS)
            .args(["--window-size=1600,1300", "--remote-debugging-port=0"])
            .arg(format!("--user-data-dir={}", profile.display()))
            .arg("about:blank")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromium starts");
        // Chromium writes its port into the profile once it listens.
        let active = profile.join("DevToolsActivePort");
        let deadline = Instant::now() + Duration::from_secs(30);
        let port = loop {
            if let Ok(text) = std::fs::read_to_string(&active)
                && let Some(port) = text
                    .lines()
                    .next()
                    .and_then(|l| l.trim().parse::<u16>().ok())
            {
                break port;
            }
            assert!(
                Instant::now() < deadline,
                "chromium did not open its DevTools port"
            );
            std::thread::sleep(Duration::from_millis(100));
        };
        let address = format!("127.0.0.1:{port}");
        let (_, list) = http(&address, "GET", "/json/list", b"");
        let list = json_of(&list);
        let page = list
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["type"] == "page")
            .expect("a page target");
        let url = page["webSocketDebuggerUrl"].as_str().unwrap().to_string();
        let (ws, _) = tungstenite::connect(url).expect("DevTools socket");
        Self {
            child,
            ws,
            next: 0,
            _profile: profile.to_path_buf(),
        }
    }

    fn call(&mut self, method: &str, params: Value) -> Value {
        self.next += 1;
        let id = self.next;
        let message = json!({ "id": id, "method": method, "params": params }).to_string();
        self.ws.send(Message::text(message)).expect("send");
        loop {
            let reply = self.ws.read().expect("DevTools reply");
            let Message::Text(text) = reply else { continue };
            let value: Value = serde_json::from_str(text.as_str()).unwrap();
            if value["id"] == id {
                assert!(value.get("error").is_none(), "{method}: {value}");
                return value["result"].clone();
            }
        }
    }

    /// Evaluates `expression` in the page (promises awaited); its value.
    fn eval(&mut self, expression: &str) -> Value {
        let result = self.call(
            "Runtime.evaluate",
            json!({ "expression": expression, "awaitPromise": true, "returnByValue": true }),
        );
        assert!(
            result.get("exceptionDetails").is_none(),
            "{expression}: {result}"
        );
        result["result"]["value"].clone()
    }

    /// Waits until `expression` is true, up to `seconds`.
    fn wait_for(&mut self, expression: &str, seconds: u64) {
        let deadline = Instant::now() + Duration::from_secs(seconds);
        while self.eval(expression) != json!(true) {
            if Instant::now() > deadline {
                let state = self.eval("JSON.stringify({a: app.runs.A && app.runs.A.rows.length, b: app.runs.B && app.runs.B.rows.length, busy: app.busy, playing: app.playing, message: document.getElementById('message').textContent})");
                panic!("timed out waiting for {expression}: {state}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// A left click with the mouse at the middle of the element `id`,
    /// scrolled into view first (as a person scrolls to it).
    fn click(&mut self, id: &str) {
        let at = self.eval(&format!(
            "(() => {{ const e = document.getElementById('{id}'); e.scrollIntoView({{block: 'center'}}); const r = e.getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2]; }})()"
        ));
        let (x, y) = (at[0].as_f64().unwrap(), at[1].as_f64().unwrap());
        for kind in ["mousePressed", "mouseReleased"] {
            self.call(
                "Input.dispatchMouseEvent",
                json!({ "type": kind, "x": x, "y": y, "button": "left", "clickCount": 1 }),
            );
        }
    }

    /// Presses a key (e.g. `ArrowRight`, code 39) on the focused element.
    fn press(&mut self, key: &str, code: u32) {
        for kind in ["keyDown", "keyUp"] {
            self.call(
                "Input.dispatchKeyEvent",
                json!({ "type": kind, "key": key, "code": key, "windowsVirtualKeyCode": code }),
            );
        }
    }

    /// Moves the keyboard focus with Tab until the element `id` has it.
    fn tab_to(&mut self, id: &str) {
        for _ in 0..200 {
            if self.eval(&format!(
                "document.activeElement && document.activeElement.id === '{id}'"
            )) == json!(true)
            {
                return;
            }
            self.press("Tab", 9);
        }
        panic!("Tab never reached #{id}");
    }

    fn screenshot(&mut self, path: &Path) {
        let shot = self.call(
            "Page.captureScreenshot",
            json!({ "format": "png", "captureBeyondViewport": true }),
        );
        let bytes = base64(shot["data"].as_str().unwrap());
        assert!(
            bytes.starts_with(b"\x89PNG") && bytes.len() > 20_000,
            "a real screenshot"
        );
        std::fs::write(path, bytes).unwrap();
    }
}

fn base64(text: &str) -> Vec<u8> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        _ => 63,
    };
    let clean: Vec<u8> = text
        .bytes()
        .filter(|&c| c != b'=' && !c.is_ascii_whitespace())
        .collect();
    let mut out = Vec::with_capacity(clean.len() * 3 / 4);
    for chunk in clean.chunks(4) {
        let mut n = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            n |= u32::from(value(c)) << (18 - 6 * i);
        }
        let bytes = n.to_be_bytes();
        out.extend_from_slice(&bytes[1..chunk.len()]);
    }
    out
}

#[test]
fn the_app_plays_moves_a_lever_and_compares_two_runs_in_a_browser() {
    let Some(binary) = chromium() else {
        assert!(
            std::env::var("GOVSIM_REQUIRE_BROWSER").is_err(),
            "GOVSIM_REQUIRE_BROWSER is set but no Chromium was found"
        );
        common::notice(
            "the browser test of the live app is SKIPPED: no Chromium on this machine (Debian: apt-get install chromium; CI requires it)",
        );
        return;
    };
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let served = Served::start(Limits {
        max_runs: 8,
        idle: Duration::from_secs(600),
        max_residents: 60_000,
    });
    let (url, address) = (served.url(), served.address.clone());
    let shots = root.join("target/app-screenshots");
    std::fs::create_dir_all(&shots).unwrap();

    let profile = std::env::temp_dir().join(format!("govsim-app-browser-{}", std::process::id()));
    let mut b = Browser::launch(&binary, &profile);
    b.call("Page.enable", json!({}));
    b.call("Page.navigate", json!({ "url": url }));
    b.wait_for(
        "document.body && document.body.dataset.ready === 'true'",
        30,
    );
    assert_eq!(
        b.eval("document.getElementById('scenario').value"),
        json!("classroom/small_town")
    );
    assert_eq!(
        b.eval("document.getElementById('day').textContent"),
        json!("day 0")
    );
    assert!(
        b.eval("document.querySelectorAll('.chart').length")
            .as_u64()
            .unwrap()
            >= 5
    );
    let sliders = b.eval("document.querySelectorAll('#lever-groups input[type=range]').length");
    assert!(sliders.as_u64().unwrap() >= 14, "{sliders}");

    // Play with the mouse; the charts draw lines and the map moves on.
    b.click("play");
    b.wait_for("app.runs.A.rows.length >= 60", 30);
    b.click("play");
    b.wait_for("!app.playing && !app.busy", 10);
    let days = b.eval("app.runs.A.rows.length").as_u64().unwrap();
    assert_eq!(
        b.eval("document.getElementById('day').textContent"),
        json!(format!("day {days}"))
    );
    let points = b.eval(
        "Math.max(...[...document.querySelectorAll('[data-chart=resolution_rate] polyline')].map(p => p.points.length))",
    );
    assert!(
        points.as_u64().unwrap() >= 30,
        "resolution line has {points} points"
    );
    b.wait_for(
        &format!("document.querySelector('#maps figure').dataset.day === '{days}'"),
        10,
    );
    let cells = b.eval("document.querySelectorAll('#maps rect.cell').length");
    assert_eq!(cells, json!(11), "every grid of the town is a cell");

    // Move the formalism slider with the keyboard: Tab to it, four steps right.
    b.tab_to("lever-party-procedure-formalism");
    for _ in 0..4 {
        b.press("ArrowRight", 39);
    }
    b.wait_for(
        "app.runs.A.state.levers['party.procedure.formalism'] > 0.39",
        10,
    );
    let id = b.eval("app.runs.A.id").as_str().unwrap().to_string();
    let (_, state) = http(&address, "GET", &format!("/api/runs/{id}"), b"");
    let state = json_of(&state);
    let formalism = state["levers"]["party.procedure.formalism"]
        .as_f64()
        .unwrap();
    assert!(
        (formalism - 0.4).abs() < 1e-9,
        "the API shows the new lever: {state}"
    );
    let changes = state["changes"].as_array().unwrap();
    assert!(
        changes.iter().all(|c| c["day"].as_u64() == Some(days + 1)),
        "{state}"
    );
    // A fixed lever cannot move during a run.
    assert_eq!(
        b.eval("document.getElementById('lever-party-setting-community_coverage').disabled"),
        json!(true)
    );
    b.click("step-month");
    b.wait_for(
        &format!("app.runs.A.rows.length === {} && !app.busy", days + 30),
        20,
    );
    assert!(
        b.eval("document.querySelectorAll('[data-chart=resolution_rate] line.mark').length")
            .as_u64()
            .unwrap()
            >= 1,
        "the change's day is marked"
    );
    // Each metric is drawn in its colour from the server, the one a run's
    // report gives it (issue 29, item 6).
    let stroke = b.eval(
        "document.querySelector('[data-chart=resolution_rate] polyline[data-run=A][data-series=resolution_rate]').getAttribute('stroke')",
    );
    assert_eq!(
        stroke,
        json!(govsim::report::plots::hex(
            govsim::report::plots::metric_color("resolution_rate").unwrap()
        ))
    );
    assert!(b.eval("document.getElementById('feed').textContent.includes('party.procedure.formalism set to 0.4')") == json!(true));
    // Choose a community on the map with the keyboard; its organizations show.
    b.eval("document.querySelector('#maps .community').focus()");
    b.press("Enter", 13);
    b.wait_for(
        "document.querySelectorAll('#detail table tr').length > 2",
        10,
    );
    b.screenshot(&shots.join("app.png"));

    // A/B mode: two runs, same seed; the lever moved goes to B only.
    b.click("ab");
    b.wait_for("app.runs.B !== null && document.querySelectorAll('#maps figure').length === 2 && !app.busy", 20);
    b.tab_to("lever-issues-cross_cutting_share");
    b.press("ArrowRight", 39);
    b.wait_for("app.runs.B !== null && app.runs.B.state.levers['issues.cross_cutting_share'] > 0.3 && !app.busy", 10);
    b.click("step-month");
    b.wait_for(
        "app.runs.B !== null && app.runs.B.rows.length === 30 && !app.busy",
        20,
    );
    let a = b
        .eval("app.runs.A.state.levers['issues.cross_cutting_share']")
        .as_f64()
        .unwrap();
    let bb = b
        .eval("app.runs.B.state.levers['issues.cross_cutting_share']")
        .as_f64()
        .unwrap();
    assert!(
        (a - 0.3).abs() < 1e-9 && (bb - 0.35).abs() < 1e-9,
        "A {a}, B {bb}"
    );
    assert_eq!(
        b.eval("app.runs.A.state.seed === app.runs.B.state.seed"),
        json!(true)
    );
    assert_eq!(b.eval("document.querySelectorAll('[data-chart=resolution_rate] polyline[data-run=B]').length > 0"), json!(true));
    assert_eq!(
        b.eval("document.getElementById('legend-runs').hidden"),
        json!(false)
    );
    b.screenshot(&shots.join("app-ab.png"));
    // Each legend names the run of each value (issue 29, item 6).
    let keys = b.eval("document.querySelector('[data-chart=resolution_rate] .keys').textContent");
    assert!(
        keys.as_str().unwrap().contains("A ") && keys.as_str().unwrap().contains(" · B "),
        "{keys}"
    );
    // B is drawn in its own, darker shade.
    assert_eq!(
        b.eval("(() => { const a = document.querySelector('[data-chart=resolution_rate] polyline[data-run=A]'); const bb = document.querySelector('[data-chart=resolution_rate] polyline[data-run=B]'); return a.getAttribute('stroke') !== bb.getAttribute('stroke'); })()"),
        json!(true)
    );
    // At the widths of a laptop and of a projector the charts keep two
    // columns or more; screenshots of both are kept to be looked at.
    for width in [1366, 1920] {
        b.call(
            "Emulation.setDeviceMetricsOverride",
            json!({ "width": width, "height": 1300, "deviceScaleFactor": 1, "mobile": false }),
        );
        b.wait_for("document.querySelectorAll('.chart').length > 0", 5);
        let columns = b.eval(
            "new Set([...document.querySelectorAll('#chart-list .chart')].map(c => Math.round(c.getBoundingClientRect().left))).size",
        );
        assert!(
            columns.as_u64().unwrap() >= 2,
            "{columns} chart column(s) at {width} px"
        );
        b.screenshot(&shots.join(format!("app-ab-{width}.png")));
    }
    b.call("Emulation.clearDeviceMetricsOverride", json!({}));
    // "Smooth" draws 30-day means: the participation line of run A moves
    // less from day to day than the raw one.
    let wiggle = "(() => { const p = document.querySelector('[data-chart=participation_rate_local] polyline[data-run=A]').points; let s = 0; for (let i = 1; i < p.length; i++) s += Math.abs(p[i].y - p[i-1].y); return s; })()";
    let raw = b.eval(wiggle).as_f64().unwrap();
    b.click("smooth");
    b.wait_for("document.getElementById('smooth').checked", 5);
    let smooth = b.eval(wiggle).as_f64().unwrap();
    assert!(smooth < raw, "smoothed {smooth} against raw {raw}");
    // Play stops at the end of the scenario's days, as the lessons ask.
    b.eval("document.getElementById('speed').value = '365'");
    b.click("play");
    b.wait_for("!app.playing && !app.busy", 60);
    assert_eq!(
        b.eval("[app.runs.A.rows.length, app.runs.B.rows.length, app.runs.A.state.days]"),
        json!([365, 365, 365])
    );
    assert!(
        b.eval("document.getElementById('message').textContent")
            .as_str()
            .unwrap()
            .contains("end of the scenario's days")
    );

    // Upload a scenario file through the file chooser: its name, full of
    // markup, is shown as text.
    b.click("ab");
    b.wait_for(
        "app.runs.B === null && app.runs.A !== null && !app.busy",
        20,
    );
    let upload = profile.join("mine.toml");
    std::fs::write(
        &upload,
        "extends = \"classroom/small_town.toml\"\nname = \"<b id='injected'>mine</b>\"\ndescription = \"<img src=x onerror=alert(1)>\"\n",
    )
    .unwrap();
    let input = b.call(
        "Runtime.evaluate",
        json!({ "expression": "document.getElementById('upload')" }),
    );
    let object = input["result"]["objectId"].as_str().unwrap().to_string();
    b.call(
        "DOM.setFileInputFiles",
        json!({ "files": [upload.display().to_string()], "objectId": object }),
    );
    b.wait_for(
        "app.runs.A !== null && app.runs.A.state.scenario === 'uploaded' && !app.busy",
        20,
    );
    assert_eq!(b.eval("document.getElementById('injected') === null && document.querySelectorAll('#description img').length === 0"), json!(true));
    let shown = b.eval("document.getElementById('description').textContent");
    assert!(
        shown
            .as_str()
            .unwrap()
            .contains("<b id='injected'>mine</b>"),
        "{shown}"
    );

    drop(b);
    drop(served);
    let _ = std::fs::remove_dir_all(&profile);
}
