//! The JSON API of `govsim serve` (documented in `docs/serve.md`) as one
//! function from a request to a reply, so that it is tested without a
//! socket. Bad input is a 4xx reply whose JSON names the field and, where
//! there is one, the valid range; nothing here panics on input.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use serde::Serialize;
use serde_json::{Value as Json, json};

use super::controls::controls;
use crate::api::{LiveRun, MAX_LIVE_DAYS};
use crate::scenario::{InputError, ScenarioSource};

/// The most days one step request may ask for.
pub const MAX_STEP_DAYS: u32 = 365;
/// The most scenario files the catalogue reads.
const MAX_SCENARIOS: usize = 200;
/// The most levers one request may set.
const MAX_SET_ITEMS: usize = 64;

/// Bounds on what the server holds.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Live runs at once.
    pub max_runs: usize,
    /// A run not used for this long is dropped.
    pub idle: Duration,
    /// Residents of one live run.
    pub max_residents: u64,
}

/// A reply: status, content type, body.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    /// HTTP status code.
    pub status: u16,
    /// Content type.
    pub content_type: &'static str,
    /// Body.
    pub body: Vec<u8>,
    /// A file name to offer for download, if any.
    pub download: Option<String>,
}

impl Reply {
    fn json(status: u16, value: &impl Serialize) -> Self {
        Self {
            status,
            content_type: "application/json",
            body: serde_json::to_vec(value).unwrap_or_else(|_| b"{}".to_vec()),
            download: None,
        }
    }

    /// A JSON error naming `field` (empty when no field is at fault).
    pub fn error(status: u16, field: &str, message: &str) -> Self {
        Self::json(status, &json!({ "error": message, "field": field }))
    }

    fn input(error: &InputError) -> Self {
        let mut value = json!({
            "error": error.message,
            "field": error.key.clone().unwrap_or_default(),
        });
        if let Some(range) = error.range() {
            value["range"] = json!(range);
        }
        Self::json(400, &value)
    }
}

/// Each daily metric's colour, `#rrggbb`, as a run's report draws it.
fn colours() -> serde_json::Map<String, serde_json::Value> {
    crate::report::plots::METRIC_COLOURS
        .iter()
        .filter_map(|(metric, _)| {
            let c = crate::report::plots::metric_color(metric)?;
            Some((metric.to_string(), json!(crate::report::plots::hex(c))))
        })
        .collect()
}

/// A shipped scenario the app offers.
#[derive(Debug, Clone, Serialize)]
pub struct Offered {
    /// Path under the scenarios folder, without `.toml` (`classroom/small_town`).
    pub name: String,
    /// Its description.
    pub description: String,
    /// Residents when it starts.
    pub residents: u64,
    /// Whether a live run may hold it (`Limits::max_residents`).
    pub live: bool,
    #[serde(skip)]
    source: ScenarioSource,
}

struct Entry {
    run: LiveRun,
    scenario: String,
    seed: u64,
    set: Vec<String>,
    last_used: Instant,
}

/// The API: the catalogue of shipped scenarios and the live runs.
pub struct Api {
    folder: PathBuf,
    catalogue: Vec<Offered>,
    limits: Limits,
    runs: Mutex<Registry>,
}

#[derive(Default)]
struct Registry {
    next_id: u64,
    runs: HashMap<u64, Arc<Mutex<Entry>>>,
}

/// Every `.toml` file under `folder`, at most three folders deep.
fn scenario_files(folder: &Path, depth: usize, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return;
    };
    let mut entries: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for path in entries {
        if out.len() >= MAX_SCENARIOS {
            return;
        }
        if path.is_dir() && depth < 3 {
            scenario_files(&path, depth + 1, out);
        } else if path.extension().is_some_and(|e| e == "toml") {
            out.push(path);
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while a lock was held leaves data that is still whole here
    // (each change is one assignment); go on with it.
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// A JSON value as the TOML text that `--set` reads.
fn toml_text(value: &Json) -> Option<String> {
    match value {
        Json::Bool(b) => Some(b.to_string()),
        Json::Number(n) => match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => Some(i.to_string()),
            (None, Some(x)) if x.is_finite() => Some(format!("{x:?}")),
            _ => None,
        },
        Json::String(s) => Some(toml::Value::String(s.clone()).to_string()),
        _ => None,
    }
}

/// `{"key": value, ...}` as `KEY=VALUE` items.
fn set_items(value: Option<&Json>, field: &str) -> Result<Vec<String>, Reply> {
    let Some(value) = value else {
        return Ok(Vec::new());
    };
    let Some(object) = value.as_object() else {
        return Err(Reply::error(
            400,
            field,
            "expected an object of lever paths and values",
        ));
    };
    if object.len() > MAX_SET_ITEMS {
        return Err(Reply::error(
            400,
            field,
            &format!("at most {MAX_SET_ITEMS} levers at once"),
        ));
    }
    object
        .iter()
        .map(|(key, value)| {
            if key.contains('=') || key.chars().any(char::is_whitespace) {
                return Err(Reply::error(400, key, "not a lever path"));
            }
            toml_text(value)
                .map(|text| format!("{key}={text}"))
                .ok_or_else(|| Reply::error(400, key, "expected a number, a boolean or a string"))
        })
        .collect()
}

fn parse_body(body: &[u8]) -> Result<Json, Reply> {
    if body.is_empty() {
        return Ok(json!({}));
    }
    serde_json::from_slice(body)
        .map_err(|e| Reply::error(400, "", &format!("malformed JSON body: {e}")))
}

impl Api {
    /// Reads the scenarios under `folder` once; `limits` bound the runs.
    pub fn new(folder: &Path, limits: Limits) -> Self {
        let mut files = Vec::new();
        scenario_files(folder, 0, &mut files);
        let catalogue = files
            .into_iter()
            .filter_map(|path| {
                let source = ScenarioSource::read(&path).ok()?;
                let scenario = source.resolve(&[]).ok()?.scenario;
                let name = path
                    .strip_prefix(folder)
                    .ok()?
                    .with_extension("")
                    .to_string_lossy()
                    .replace('\\', "/");
                let residents = scenario.district.residents();
                Some(Offered {
                    name,
                    description: scenario.description,
                    residents,
                    live: residents <= limits.max_residents,
                    source,
                })
            })
            .collect();
        Self {
            folder: folder.to_path_buf(),
            catalogue,
            limits,
            runs: Mutex::new(Registry::default()),
        }
    }

    /// The scenarios offered.
    pub fn catalogue(&self) -> &[Offered] {
        &self.catalogue
    }

    /// Live runs now.
    pub fn live_runs(&self) -> usize {
        lock(&self.runs).runs.len()
    }

    /// Answers one request. `path` may carry a query, which is ignored.
    pub fn handle(&self, method: &str, path: &str, body: &[u8]) -> Reply {
        self.expire();
        let path = path.split('?').next().unwrap_or(path);
        let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
        match (method, parts.as_slice()) {
            ("GET", ["api", "scenarios"]) => Reply::json(200, &self.catalogue),
            ("GET", ["api", "controls"]) => Reply::json(200, &controls()),
            ("GET", ["api", "colours"]) => Reply::json(200, &colours()),
            ("POST", ["api", "runs"]) => match parse_body(body) {
                Ok(body) => self.create(&body),
                Err(reply) => reply,
            },
            (_, ["api", "runs", id, rest @ ..]) => {
                let Some(entry) = self.entry(id) else {
                    return Reply::error(
                        404,
                        "id",
                        &format!(
                            "no live run `{}` (it may have expired)",
                            id.chars().take(40).collect::<String>()
                        ),
                    );
                };
                let body = match parse_body(body) {
                    Ok(body) => body,
                    Err(reply) => return reply,
                };
                match (method, rest) {
                    ("GET", []) => Reply::json(200, &state(&lock(&entry))),
                    ("DELETE", []) => {
                        let id: u64 = id.parse().unwrap_or(0);
                        lock(&self.runs).runs.remove(&id);
                        Reply::json(200, &json!({ "deleted": id }))
                    }
                    ("POST", ["step"]) => step(&mut lock(&entry), &body),
                    ("POST", ["set"]) => set(&mut lock(&entry), &body),
                    ("GET", ["map"]) => Reply::json(200, &lock(&entry).run.map()),
                    ("GET", ["timeseries.csv"]) => {
                        let entry = lock(&entry);
                        match entry.run.timeseries_csv() {
                            Ok(bytes) => Reply {
                                status: 200,
                                content_type: "text/csv; charset=utf-8",
                                body: bytes,
                                download: Some("timeseries.csv".into()),
                            },
                            Err(e) => Reply::error(409, "", &format!("cannot write the rows: {e}")),
                        }
                    }
                    (_, ["step" | "set"]) | (_, []) | (_, ["map" | "timeseries.csv"]) => {
                        Reply::error(405, "method", &format!("{method} is not allowed here"))
                    }
                    _ => Reply::error(404, "path", "no such API path"),
                }
            }
            (_, ["api", ..]) => Reply::error(404, "path", "no such API path"),
            _ => Reply::error(404, "path", "not found"),
        }
    }

    fn expire(&self) {
        let idle = self.limits.idle;
        lock(&self.runs)
            .runs
            .retain(|_, entry| match entry.try_lock() {
                Ok(e) => e.last_used.elapsed() < idle,
                // In use right now.
                Err(_) => true,
            });
    }

    fn entry(&self, id: &str) -> Option<Arc<Mutex<Entry>>> {
        let id: u64 = id.parse().ok()?;
        let entry = lock(&self.runs).runs.get(&id).cloned()?;
        lock(&entry).last_used = Instant::now();
        Some(entry)
    }

    fn create(&self, body: &Json) -> Reply {
        let Some(object) = body.as_object() else {
            return Reply::error(400, "", "expected a JSON object");
        };
        for key in object.keys() {
            if !["scenario", "seed", "set", "text"].contains(&key.as_str()) {
                return Reply::error(
                    400,
                    key,
                    "unknown field; expected scenario, seed, set or text",
                );
            }
        }
        let seed = match object.get("seed") {
            None => 1,
            Some(v) => match v.as_u64() {
                Some(s) if s <= 9_000_000_000_000_000_000 => s,
                _ => return Reply::error(400, "seed", "valid range is 0 to 9e18 (integer)"),
            },
        };
        let set = match set_items(object.get("set"), "set") {
            Ok(set) => set,
            Err(reply) => return reply,
        };
        let (name, source) = match (object.get("scenario"), object.get("text")) {
            (Some(Json::String(name)), None) => {
                match self.catalogue.iter().find(|o| &o.name == name) {
                    Some(offered) => (offered.name.clone(), offered.source.clone()),
                    None => {
                        let names: Vec<&str> =
                            self.catalogue.iter().map(|o| o.name.as_str()).collect();
                        return Reply::error(
                            400,
                            "scenario",
                            &format!("unknown scenario; expected one of {}", names.join(", ")),
                        );
                    }
                }
            }
            (None, Some(Json::String(text))) => match self.uploaded(text) {
                Ok(source) => ("uploaded".to_string(), source),
                Err(reply) => return reply,
            },
            _ => {
                return Reply::error(
                    400,
                    "scenario",
                    "give either `scenario` (a shipped scenario's name) or `text` (a scenario file's text)",
                );
            }
        };
        if self.live_runs() >= self.limits.max_runs {
            return Reply::error(
                429,
                "",
                &format!(
                    "{} live runs already (the most this server holds); delete one or wait for one to expire",
                    self.limits.max_runs
                ),
            );
        }
        let run = match LiveRun::start(&source, &set, seed, self.limits.max_residents) {
            Ok(run) => run,
            Err(e) => return Reply::input(&e),
        };
        let entry = Entry {
            run,
            scenario: name,
            seed,
            set,
            last_used: Instant::now(),
        };
        let reply = state(&entry);
        let mut registry = lock(&self.runs);
        if registry.runs.len() >= self.limits.max_runs {
            return Reply::error(429, "", "too many live runs");
        }
        registry.next_id += 1;
        let id = registry.next_id;
        registry.runs.insert(id, Arc::new(Mutex::new(entry)));
        let mut reply = reply;
        reply["id"] = json!(id.to_string());
        Reply::json(201, &reply)
    }

    /// An uploaded scenario: its `extends`, if any, must name a shipped one.
    fn uploaded(&self, text: &str) -> Result<ScenarioSource, Reply> {
        if let Ok(table) = text.parse::<toml::Table>()
            && let Some(base) = table.get("extends")
        {
            let shipped = base.as_str().is_some_and(|b| {
                let b = b.trim_end_matches(".toml");
                self.catalogue.iter().any(|o| o.name == b)
            });
            if !shipped {
                return Err(Reply::error(
                    400,
                    "extends",
                    "an uploaded scenario may extend only a shipped scenario, by its name with `.toml` (e.g. \"regimes/party_led.toml\")",
                ));
            }
        }
        ScenarioSource::from_text("uploaded scenario", text, &self.folder)
            .map_err(|e| Reply::input(&e))
    }
}

/// What the app shows of a run besides its rows.
fn state(entry: &Entry) -> Json {
    let table = toml::Value::try_from(entry.run.scenario()).unwrap_or(toml::Value::Boolean(false));
    let mut levers = BTreeMap::new();
    for control in controls() {
        let mut value = &table;
        for part in control.key.split('.') {
            match value.get(part) {
                Some(v) => value = v,
                None => break,
            }
        }
        let json = match value {
            toml::Value::Float(x) => json!(x),
            toml::Value::Integer(i) => json!(i),
            toml::Value::Boolean(b) => json!(b),
            toml::Value::String(s) => json!(s),
            _ => Json::Null,
        };
        levers.insert(control.key, json);
    }
    json!({
        "scenario": entry.scenario,
        "name": entry.run.scenario().name,
        "description": entry.run.scenario().description,
        "seed": entry.seed,
        "set": entry.set,
        "day": entry.run.day(),
        "days": entry.run.scenario().sim.days,
        "max_days": MAX_LIVE_DAYS,
        "levers": levers,
        "changes": entry.run.changes(),
    })
}

fn step(entry: &mut Entry, body: &Json) -> Reply {
    // Only {"days": N} (or nothing): a misspelt field or another shape is
    // an error, not a step of one day (issue 29, item 14).
    let Some(fields) = body.as_object() else {
        return Reply::error(400, "", "expected a JSON object, e.g. {\"days\": 30}");
    };
    if let Some(other) = fields.keys().find(|k| k.as_str() != "days") {
        return Reply::error(
            400,
            other,
            &format!("unknown field `{other}`: a step takes only `days`"),
        );
    }
    let days = match body.get("days") {
        None => 1,
        Some(v) => match v.as_u64() {
            Some(d) if (1..=u64::from(MAX_STEP_DAYS)).contains(&d) => d as u32,
            _ => {
                return Reply::error(
                    400,
                    "days",
                    &format!("valid range is 1 to {MAX_STEP_DAYS} days (integer)"),
                );
            }
        },
    };
    if entry.run.day() >= MAX_LIVE_DAYS {
        return Reply::error(
            409,
            "days",
            &format!("a live run lasts at most {MAX_LIVE_DAYS} days; start a new one"),
        );
    }
    let stepped = entry.run.step(days);
    Reply::json(
        200,
        &json!({ "day": entry.run.day(), "rows": stepped.rows, "events": stepped.events }),
    )
}

fn set(entry: &mut Entry, body: &Json) -> Reply {
    let items = match set_items(Some(body), "") {
        Ok(items) if !items.is_empty() => items,
        Ok(_) => {
            return Reply::error(
                400,
                "",
                "expected at least one lever, e.g. {\"party.procedure.formalism\": 0.6}",
            );
        }
        Err(reply) => return reply,
    };
    match entry.run.set(&items) {
        Ok(changes) => {
            // The latest value of each lever, as the run keeps them.
            entry.set = crate::run::live::latest_per_key(entry.set.iter().chain(&items));
            Reply::json(200, &json!({ "changes": changes, "state": state(entry) }))
        }
        Err(e) => Reply::input(&e),
    }
}
