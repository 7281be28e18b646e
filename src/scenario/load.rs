//! Reading scenario files: `extends` chains, `--set` overrides, strict
//! deserialization and range checks, each failure an [`InputError`] that names
//! the file, the key, the line where known and the valid range.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use toml::{Table, Value};

use super::Scenario;
use super::levers::LEVERS;

/// Name used in place of a file for values given with `--set`.
const SET_ORIGIN: &str = "--set";

/// The largest scenario file read, in bytes (shipped ones are under 10 KB).
pub const MAX_FILE_BYTES: u64 = 1 << 20;
/// The longest `extends` chain followed (shipped ones are at most 3 files).
pub const MAX_EXTENDS: usize = 32;
/// The most dotted segments of a `--set` key (levers have at most 4).
pub const MAX_KEY_SEGMENTS: usize = 16;
/// Lists whose entries are sections (tables), checked as such.
const LISTS_OF_SECTIONS: [&str; 3] = ["district.communities", "shocks", "policy"];

pub use crate::error::InputError;

/// A scenario with everything resolved, and where it came from.
#[derive(Debug, Clone)]
pub struct ResolvedScenario {
    /// The validated scenario.
    pub scenario: Scenario,
    /// The file it was loaded from.
    pub path: PathBuf,
    /// The `--set KEY=VALUE` overrides applied, in order.
    pub overrides: Vec<String>,
    /// Every lever, defaults filled in, as TOML.
    pub resolved_toml: String,
    /// SHA-256 of `resolved_toml`, hex.
    pub sha256: String,
}

/// One loaded file: its path and text, kept to find lines for errors.
#[derive(Debug, Clone)]
struct Source {
    name: String,
    text: String,
}

/// Scenario files read and merged (`extends` followed), before overrides:
/// read once, resolved with many sets of overrides (sweeps).
#[derive(Debug, Clone)]
pub struct ScenarioSource {
    path: PathBuf,
    sources: Vec<Source>,
    origins: BTreeMap<String, usize>,
    merged: Table,
}

impl ScenarioSource {
    /// Reads `path` and the files it extends.
    pub fn read(path: &Path) -> Result<Self, InputError> {
        let mut sources = Vec::new();
        let mut origins = BTreeMap::new();
        let merged = load_chain(path, &mut Vec::new(), &mut sources, &mut origins)?;
        Ok(Self {
            path: path.to_path_buf(),
            sources,
            origins,
            merged,
        })
    }

    /// A scenario given as text (an upload) named `name`, at most
    /// [`MAX_FILE_BYTES`]; its `extends` is read relative to `folder`.
    pub fn from_text(name: &str, text: &str, folder: &Path) -> Result<Self, InputError> {
        if text.len() as u64 > MAX_FILE_BYTES {
            return Err(InputError::new(
                name,
                format!("scenario text is larger than {MAX_FILE_BYTES} bytes"),
            ));
        }
        let mut sources = Vec::new();
        let mut origins = BTreeMap::new();
        let merged = load_text(
            name.to_string(),
            text.to_string(),
            folder,
            &mut Vec::new(),
            &mut sources,
            &mut origins,
        )?;
        Ok(Self {
            path: PathBuf::from(name),
            sources,
            origins,
            merged,
        })
    }

    /// The file it was read from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Applies `overrides` (`KEY=VALUE`) and validates every lever.
    pub fn resolve(&self, overrides: &[String]) -> Result<ResolvedScenario, InputError> {
        let mut merged = self.merged.clone();
        let mut origins = self.origins.clone();
        for item in overrides {
            apply_override(&mut merged, item)?;
            if let Some((key, _)) = item.split_once('=') {
                origins.insert(bracket_indices(key.trim()), usize::MAX);
            }
        }
        let blame = |key: &str, message: String| -> InputError {
            locate(
                key,
                with_range(key, message),
                &self.sources,
                &origins,
                &self.path,
            )
        };
        let defaults = Value::try_from(Scenario::default())
            .ok()
            .and_then(|v| v.as_table().cloned())
            .unwrap_or_default();
        check_sections(&merged, &defaults, "").map_err(|(key, msg)| blame(&key, msg))?;
        let scenario: Scenario =
            serde_path_to_error::deserialize(Value::Table(merged)).map_err(|e| {
                let key = e.path().to_string();
                let inner = e.into_inner();
                blame(&key, clean_serde_message(&inner.to_string()))
            })?;
        check_ranges(&scenario).map_err(|(key, msg)| blame(&key, msg))?;
        check_consistency(&scenario).map_err(|(key, msg)| blame(&key, msg))?;
        policy_stages(&scenario).map_err(|(key, msg)| blame(&key, msg))?;
        let resolved_toml = toml::to_string(&scenario)
            .map_err(|e| InputError::new(self.path.display().to_string(), e.to_string()))?;
        let sha256 = crate::util::files::sha256_hex(resolved_toml.as_bytes());
        Ok(ResolvedScenario {
            scenario,
            path: self.path.clone(),
            overrides: overrides.to_vec(),
            resolved_toml,
            sha256,
        })
    }
}

/// Loads `path`, follows `extends`, applies `overrides` (`KEY=VALUE`) and
/// validates every lever.
pub fn load_scenario(path: &Path, overrides: &[String]) -> Result<ResolvedScenario, InputError> {
    ScenarioSource::read(path)?.resolve(overrides)
}

/// Adds the valid range of `key` to a type error, where the lever table knows it.
fn with_range(key: &str, message: String) -> String {
    if message.contains("valid range") {
        return message;
    }
    let pattern = super::levers::pattern_of(key);
    if let Some(choices) = super::levers::choices(&pattern) {
        let list: Vec<String> = choices.iter().map(|c| format!("`{c}`")).collect();
        // serde's words for a wrong enum type ("unit variant") mean nothing here.
        let message = if message.contains("variant") {
            "invalid value".to_string()
        } else {
            message
        };
        return format!("{message}; expected one of {}", list.join(", "));
    }
    match super::levers::find(&pattern) {
        Some(l) => format!(
            "{message}; valid range is {} to {} ({})",
            l.min, l.max, l.unit
        ),
        None => message,
    }
}

/// serde's messages end with details that are noise here; keep the first line.
fn clean_serde_message(message: &str) -> String {
    message.lines().next().unwrap_or(message).trim().to_string()
}

/// Reads `path` and the files it extends, base first, into one table.
fn load_chain(
    path: &Path,
    chain: &mut Vec<PathBuf>,
    sources: &mut Vec<Source>,
    origins: &mut BTreeMap<String, usize>,
) -> Result<Table, InputError> {
    let name = path.display().to_string();
    let canonical = path
        .canonicalize()
        .map_err(|e| InputError::new(&name, format!("cannot read scenario file: {e}")))?;
    if chain.contains(&canonical) {
        let cycle: Vec<String> = chain.iter().map(|p| p.display().to_string()).collect();
        return Err(InputError {
            file: name,
            key: Some("extends".into()),
            line: None,
            message: format!(
                "`extends` cycle: {} -> {}",
                cycle.join(" -> "),
                canonical.display()
            ),
        });
    }
    if chain.len() >= MAX_EXTENDS {
        return Err(InputError {
            file: name,
            key: Some("extends".into()),
            line: None,
            message: format!("`extends` chain longer than {MAX_EXTENDS} files"),
        });
    }
    if canonical.is_dir() && chain.is_empty() {
        let shown = path.display().to_string();
        let shown = shown.trim_end_matches('/');
        return Err(InputError::new(
            &name,
            format!(
                "a folder, not a scenario file: give a .toml file, or compare every scenario in it with `govsim compare {shown}/*.toml`"
            ),
        ));
    }
    let text = crate::util::files::read_text(&canonical, "scenario file", MAX_FILE_BYTES)
        .map_err(|message| InputError::new(&name, message))?;
    chain.push(canonical);
    let folder = path.parent().unwrap_or(Path::new("."));
    let merged = load_text(name, text, folder, chain, sources, origins)?;
    chain.pop();
    Ok(merged)
}

/// Parses one scenario's `text` (named `name`), follows its `extends`
/// relative to `folder` and merges it over its base.
fn load_text(
    name: String,
    text: String,
    folder: &Path,
    chain: &mut Vec<PathBuf>,
    sources: &mut Vec<Source>,
    origins: &mut BTreeMap<String, usize>,
) -> Result<Table, InputError> {
    let mut table: Table = text.parse().map_err(|e: toml::de::Error| InputError {
        file: name.clone(),
        key: None,
        line: e
            .span()
            .map(|s| crate::util::files::line_of(&text, s.start)),
        message: format!("malformed TOML: {}", e.message()),
    })?;
    let mut merged = match table.remove("extends") {
        None => Table::new(),
        Some(Value::String(base)) => {
            let base_path = folder.join(&base);
            load_chain(&base_path, chain, sources, origins).map_err(|mut e| {
                // Say which file named the one that failed, once.
                if !e.message.contains("named by `extends`") {
                    let at = find_line(&text, "extends").map_or(String::new(), |l| format!(":{l}"));
                    e.message = format!(
                        "{} (named by `extends = {base:?}` in {name}{at}, relative to that file's folder)",
                        e.message
                    );
                }
                e
            })?
        }
        Some(other) => {
            return Err(InputError {
                key: Some("extends".into()),
                line: find_line(&text, "extends"),
                message: format!("expected a file path string, found {}", other.type_str()),
                file: name,
            });
        }
    };
    let index = sources.len();
    sources.push(Source { name, text });
    let mut leaves = Vec::new();
    collect_leaves(&table, "", &mut leaves);
    for leaf in leaves {
        origins.insert(leaf, index);
    }
    merge(&mut merged, table);
    Ok(merged)
}

/// Sections written as something else: `sim = [30, 7, 3]` would be read
/// field by field in order, so a section must be a table, and so must each
/// entry of a list of sections. Returns the dotted key and the message.
fn check_sections(given: &Table, defaults: &Table, prefix: &str) -> Result<(), (String, String)> {
    for (key, value) in given {
        let path = if prefix.is_empty() {
            key.clone()
        } else {
            format!("{prefix}.{key}")
        };
        match (defaults.get(key), value) {
            (Some(Value::Table(d)), Value::Table(g)) => check_sections(g, d, &path)?,
            (Some(Value::Table(_)), other) => {
                return Err((
                    path.clone(),
                    format!(
                        "`{path}` is a section: write it as `[{path}]` with its levers (found {})",
                        other.type_str()
                    ),
                ));
            }
            (_, Value::Array(items)) if LISTS_OF_SECTIONS.contains(&path.as_str()) => {
                for (k, item) in items.iter().enumerate() {
                    if !item.is_table() {
                        return Err((
                            format!("{path}[{k}]"),
                            format!(
                                "entries of `{path}` are sections: write `[[{path}]]` with its levers (found {})",
                                item.type_str()
                            ),
                        ));
                    }
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// Dotted paths of every value that is not a table (lists count as values).
fn collect_leaves(table: &Table, prefix: &str, out: &mut Vec<String>) {
    for (key, value) in table {
        let path = if prefix.is_empty() {
            key.clone()
        } else {
            format!("{prefix}.{key}")
        };
        match value {
            Value::Table(inner) => collect_leaves(inner, &path, out),
            _ => out.push(path),
        }
    }
}

/// Deep merge: tables merge key by key, anything else is replaced.
fn merge(base: &mut Table, over: Table) {
    for (key, value) in over {
        match (base.get_mut(&key), value) {
            (Some(Value::Table(b)), Value::Table(o)) => merge(b, o),
            (_, v) => {
                base.insert(key, v);
            }
        }
    }
}

/// Applies one `KEY=VALUE`; VALUE is read as TOML, or else as a plain string.
fn apply_override(table: &mut Table, item: &str) -> Result<(), InputError> {
    let Some((key, raw)) = item.split_once('=') else {
        return Err(InputError::new(
            SET_ORIGIN,
            format!("`{item}` is not KEY=VALUE"),
        ));
    };
    let key = key.trim();
    let raw = raw.trim();
    let value = format!("v = {raw}")
        .parse::<Table>()
        .ok()
        .and_then(|mut t| t.remove("v"))
        .unwrap_or_else(|| Value::String(raw.to_string()));
    if key.split('.').count() > MAX_KEY_SEGMENTS {
        return Err(InputError::new(
            SET_ORIGIN,
            format!(
                "`{}…` has more than {MAX_KEY_SEGMENTS} dotted segments: no lever is that deep",
                key.chars().take(40).collect::<String>()
            ),
        ));
    }
    let segments: Vec<&str> = key.split('.').collect();
    if key.is_empty() || segments.iter().any(|s| s.is_empty()) {
        return Err(InputError::new(
            SET_ORIGIN,
            format!("`{key}` is not a dotted lever path"),
        ));
    }
    set_path(table, &segments, value).map_err(|message| InputError {
        file: SET_ORIGIN.into(),
        key: Some(key.into()),
        line: None,
        message,
    })
}

fn set_path(table: &mut Table, segments: &[&str], value: Value) -> Result<(), String> {
    let (first, rest) = segments.split_first().expect("non-empty path");
    if rest.is_empty() {
        table.insert(first.to_string(), value);
        return Ok(());
    }
    if !table.contains_key(*first) && rest[0].parse::<usize>().is_ok() {
        return Err(format!(
            "`{first}` is not a list in the scenario file; list entries can be overridden only where the file defines the list"
        ));
    }
    let entry = table
        .entry(first.to_string())
        .or_insert_with(|| Value::Table(Table::new()));
    match entry {
        Value::Table(inner) => set_path(inner, rest, value),
        Value::Array(items) => {
            let index: usize = rest[0]
                .parse()
                .map_err(|_| format!("`{first}` is a list: give an index, e.g. `{first}.0`"))?;
            let len = items.len();
            let item = items.get_mut(index).ok_or_else(|| {
                format!("`{first}` has {len} entries; index {index} is out of range")
            })?;
            match (item, &rest[1..]) {
                (slot, []) => {
                    *slot = value;
                    Ok(())
                }
                (Value::Table(inner), more) => set_path(inner, more, value),
                _ => Err(format!("`{first}.{index}` is not a table")),
            }
        }
        _ => Err(format!("`{first}` is a value, not a section")),
    }
}

/// Builds the error for `key`, naming the file that set it (or the defaults).
fn locate(
    key: &str,
    message: String,
    sources: &[Source],
    origins: &BTreeMap<String, usize>,
    top: &Path,
) -> InputError {
    // The most specific recorded origin: the key itself, else its closest parent
    // (a list element `a.b[2].c` set in a file belongs to the list `a.b`).
    let mut probe = key;
    let origin = loop {
        if let Some(&o) = origins.get(probe) {
            break Some(o);
        }
        match probe.rfind(['.', '[']) {
            Some(i) => probe = &probe[..i],
            None => break None,
        }
    };
    // Else a value set below the key (`--set a.b=1` makes the table `a`).
    let origin = origin.or_else(|| {
        origins
            .range(key.to_string()..)
            .take_while(|(k, _)| k.starts_with(key))
            .find(|(k, _)| k[key.len()..].starts_with(['.', '[']))
            .map(|(_, &o)| o)
    });
    let key = Some(key.to_string()).filter(|k| !k.is_empty());
    match origin {
        Some(usize::MAX) => InputError {
            file: SET_ORIGIN.into(),
            key,
            line: None,
            message,
        },
        Some(index) => {
            let source = &sources[index];
            let line = key.as_deref().and_then(|k| find_line(&source.text, k));
            InputError {
                file: source.name.clone(),
                key,
                line,
                message,
            }
        }
        None => InputError {
            file: top.display().to_string(),
            key,
            line: None,
            message: format!("{message} (value from the built-in defaults)"),
        },
    }
}

/// `a.list.2.b` as serde names it: `a.list[2].b`.
fn bracket_indices(key: &str) -> String {
    let mut out = String::new();
    for segment in key.split('.') {
        if segment.parse::<usize>().is_ok() {
            out.push_str(&format!("[{segment}]"));
        } else {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(segment);
        }
    }
    out
}

/// Finds the line that sets dotted `key` (`a.b.c`, or `a.list[2].c`) in TOML text.
pub(crate) fn find_line(text: &str, key: &str) -> Option<usize> {
    // A list element: find the n-th `[[list]]` header, then the key after it.
    let (want_header, want_nth, want_key) = match key.split_once('[') {
        Some((list, rest)) => {
            let (index, after) = rest.split_once(']')?;
            (
                list.to_string(),
                index.parse::<usize>().ok(),
                after.trim_start_matches('.').to_string(),
            )
        }
        None => (String::new(), None, key.to_string()),
    };
    let mut header = String::new();
    let mut nth_seen: Option<usize> = None;
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if let Some(h) = line.strip_prefix("[[").and_then(|l| l.split("]]").next()) {
            header = h.trim().to_string();
            if header == want_header {
                nth_seen = Some(nth_seen.map_or(0, |n| n + 1));
                if want_key.is_empty() && nth_seen == want_nth {
                    return Some(i + 1);
                }
            }
            continue;
        }
        if let Some(h) = line.strip_prefix('[').and_then(|l| l.split(']').next()) {
            header = h.trim().to_string();
            continue;
        }
        let Some((k, _)) = line.split_once('=') else {
            continue;
        };
        let k = k.trim().replace(' ', "");
        let full = if header.is_empty() {
            k
        } else {
            format!("{header}.{k}")
        };
        match want_nth {
            Some(n) => {
                let inside = header == want_header && nth_seen == Some(n);
                if inside && full == format!("{want_header}.{want_key}") {
                    return Some(i + 1);
                }
            }
            None if full == want_key => return Some(i + 1),
            None => {}
        }
    }
    None
}

/// Checks every lever of the lever table against its valid range.
fn check_ranges(scenario: &Scenario) -> Result<(), (String, String)> {
    let value = Value::try_from(scenario).map_err(|e| (String::new(), e.to_string()))?;
    for lever in LEVERS {
        let mut found = Vec::new();
        collect_at(&value, lever.path, String::new(), &mut found);
        for (path, v) in found {
            let number = match v {
                Value::Integer(i) => *i as f64,
                Value::Float(f) => *f,
                _ => continue,
            };
            if !number.is_finite() || number < lever.min || number > lever.max {
                return Err((
                    path,
                    format!(
                        "value {number} is out of range: valid range is {} to {} ({})",
                        lever.min, lever.max, lever.unit
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// Every value at `pattern` (dotted, `[]` for each list element), with its concrete path.
fn collect_at<'v>(
    value: &'v Value,
    pattern: &str,
    prefix: String,
    out: &mut Vec<(String, &'v Value)>,
) {
    if pattern.is_empty() {
        out.push((prefix, value));
        return;
    }
    let (segment, rest) = pattern.split_once('.').unwrap_or((pattern, ""));
    let join = |p: &str, s: &str| {
        if p.is_empty() {
            s.to_string()
        } else {
            format!("{p}.{s}")
        }
    };
    if let Some(list) = segment.strip_suffix("[]") {
        if let Some(Value::Array(items)) = value.get(list) {
            for (i, item) in items.iter().enumerate() {
                let path = format!("{}[{i}]", join(&prefix, list));
                if rest.is_empty() {
                    out.push((path, item));
                } else {
                    collect_at(item, rest, path, out);
                }
            }
        }
    } else if let Some(inner) = value.get(segment) {
        collect_at(inner, rest, join(&prefix, segment), out);
    }
}

/// The most policy entries of a scenario.
pub const MAX_POLICIES: usize = 100;

/// The scenario in force from each policy's day: the policies applied one
/// after another in the order of their days (the order written for equal
/// days), each with its recorded day. Errors name `policy[k].…` and say
/// why: a day outside the run, a key that is no lever, a value of the
/// wrong type or out of range, a lever read only when the district is built.
pub fn policy_stages(s: &Scenario) -> Result<Vec<(u32, Scenario)>, (String, String)> {
    if s.policy.len() > MAX_POLICIES {
        return Err((
            "policy".into(),
            format!("more than {MAX_POLICIES} policy entries"),
        ));
    }
    let mut order: Vec<usize> = (0..s.policy.len()).collect();
    order.sort_by_key(|&k| s.policy[k].day);
    let mut stages: Vec<(u32, Scenario)> = Vec::new();
    let mut now = s.clone();
    for k in order {
        let policy = &s.policy[k];
        // A policy after the run's last day is allowed (a window of a
        // longer scenario, `--days`): it never comes due, and `run` says so.
        if !(1..=MAX_POLICY_DAY).contains(&policy.day) {
            return Err((
                format!("policy[{k}].day"),
                format!(
                    "day {}: valid range is 1 to {MAX_POLICY_DAY} (a recorded day; after sim.days, {}, it is never reached)",
                    policy.day, s.sim.days
                ),
            ));
        }
        now = apply_policy(&now, s, k)?;
        stages.push((policy.day, now.clone()));
    }
    Ok(stages)
}

/// The latest day a policy may name: the longest run (`sim.days`).
pub const MAX_POLICY_DAY: u32 = 36_500;

/// The levers in force after `scenario`'s policy number `k` (whose levers
/// it sets) is applied over `now`, the levers in force before it: every
/// other lever of `now` stays as it is. This is the one way a policy takes
/// effect, in whole runs and live runs alike. Errors name `policy[k].set`
/// and say why: a key that is no lever, a value of the wrong type or out of
/// range, a lever read only when the district is built.
pub fn apply_policy(
    now: &Scenario,
    scenario: &Scenario,
    k: usize,
) -> Result<Scenario, (String, String)> {
    let policy = &scenario.policy[k];
    let at = format!("policy[{k}]");
    let mut table = match Value::try_from(now) {
        Ok(Value::Table(t)) => t,
        _ => return Err((at, "cannot apply the policy".into())),
    };
    for (key, value) in &policy.set {
        let blame = |message: String| (format!("{at}.set"), format!("`{key}`: {message}"));
        if key == "policy" || key.starts_with("policy.") || key == "shocks" {
            return Err(blame("a policy sets levers, not policies or shocks".into()));
        }
        if let Some(reason) = super::changes::fixed_reason(key) {
            return Err(blame(format!("cannot change during a run: {reason}")));
        }
        let segments: Vec<&str> = key.split('.').collect();
        if segments.len() > MAX_KEY_SEGMENTS || segments.iter().any(|p| p.is_empty()) {
            return Err(blame("not a dotted lever path".into()));
        }
        let mut slot = &mut table;
        for part in &segments[..segments.len() - 1] {
            match slot.get_mut(*part) {
                Some(Value::Table(inner)) => slot = inner,
                _ => return Err(blame(unknown_lever(key))),
            }
        }
        let last = segments[segments.len() - 1];
        match slot.get(last) {
            Some(Value::Table(_)) | None => return Err(blame(unknown_lever(key))),
            Some(_) => {
                slot.insert(last.to_string(), value.clone());
            }
        }
    }
    let next: Scenario = serde_path_to_error::deserialize(Value::Table(table)).map_err(|e| {
        let lever = e.path().to_string();
        let inner = e.into_inner();
        (
            format!("{at}.set"),
            format!(
                "`{lever}`: {}",
                with_range(&lever, clean_serde_message(&inner.to_string()))
            ),
        )
    })?;
    check_ranges(&next).map_err(|(lever, m)| (format!("{at}.set"), format!("`{lever}`: {m}")))?;
    check_consistency(&next)
        .map_err(|(lever, m)| (format!("{at}.set"), format!("`{lever}`: {m}")))?;
    Ok(next)
}

fn unknown_lever(key: &str) -> String {
    let near = super::levers::nearest(key);
    if near.is_empty() {
        "unknown lever".into()
    } else {
        format!(
            "unknown lever; did you mean {}?",
            near.iter()
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    }
}

/// Checks that tie lists to each other: weights per competency, names that exist.
fn check_consistency(s: &Scenario) -> Result<(), (String, String)> {
    let err = |k: &str, m: String| Err((k.to_string(), m));
    let comps = &s.issues.competencies;
    if comps.is_empty() || comps.len() > 16 {
        return err(
            "issues.competencies",
            format!("needs 1 to 16 competencies, found {}", comps.len()),
        );
    }
    for (i, c) in comps.iter().enumerate() {
        if comps[..i].contains(c) {
            return err(
                "issues.competencies",
                format!("competency `{c}` is listed twice"),
            );
        }
    }
    for (key, weights) in [
        ("issues.type_weights", &s.issues.type_weights),
        (
            "issues.migrant_type_weights",
            &s.issues.migrant_type_weights,
        ),
    ] {
        if weights.len() != comps.len() {
            return err(
                key,
                format!(
                    "needs one weight per competency ({}), found {}",
                    comps.len(),
                    weights.len()
                ),
            );
        }
        if weights.iter().sum::<f64>() <= 0.0 {
            return err(key, "weights must not all be zero".into());
        }
    }
    let named = [
        (
            "government.office_competencies",
            s.government.office_competencies.as_ref().unwrap_or(comps),
        ),
        (
            "social.organization_competencies",
            s.social.organization_competencies.as_ref().unwrap_or(comps),
        ),
        (
            "social.committee_competencies",
            &s.social.committee_competencies,
        ),
        (
            "social.property_competencies",
            &s.social.property_competencies,
        ),
        (
            "social.enterprise_competencies",
            &s.social.enterprise_competencies,
        ),
    ];
    if s.social
        .organization_competencies
        .as_ref()
        .is_some_and(Vec::is_empty)
    {
        return err(
            "social.organization_competencies",
            format!(
                "name at least one competency, or leave it out for all; valid: {}",
                comps.join(", ")
            ),
        );
    }
    for (key, list) in named {
        if let Some(bad) = list.iter().find(|c| !comps.contains(c)) {
            return err(
                key,
                format!("unknown competency `{bad}`; valid: {}", comps.join(", ")),
            );
        }
    }
    for (i, shock) in s.shocks.iter().enumerate() {
        if let Some(c) = &shock.competency
            && !comps.contains(c)
        {
            return err(
                &format!("shocks[{i}].competency"),
                format!("unknown competency `{c}`; valid: {}", comps.join(", ")),
            );
        }
    }
    if s.sim.record_every > s.sim.days {
        return err(
            "sim.record_every",
            format!("must be at most sim.days ({})", s.sim.days),
        );
    }
    if s.sim.summary_from > s.sim.days {
        return err(
            "sim.summary_from",
            format!(
                "must be at most sim.days ({}): the summary counts from this recorded day",
                s.sim.days
            ),
        );
    }
    if s.district.communities.is_empty() {
        return err(
            "district.communities",
            "needs at least one community group".into(),
        );
    }
    if s.residents.ties_k % 2 == 1 {
        return err(
            "residents.ties_k",
            format!("must be even, found {}", s.residents.ties_k),
        );
    }
    for (i, g) in s.district.communities.iter().enumerate() {
        if g.grids > g.population {
            return err(
                &format!("district.communities[{i}].grids"),
                format!("more grids ({}) than residents ({})", g.grids, g.population),
            );
        }
        if s.residents.ties_k >= g.population {
            return err(
                "residents.ties_k",
                format!(
                    "must be below every community's population (group {i} has {})",
                    g.population
                ),
            );
        }
    }
    let total = s.district.residents();
    if total > 50_000_000 {
        return err(
            "district.communities",
            format!("{total} residents; at most 50,000,000"),
        );
    }
    // A tie's place in the district's ties is 32 bits: every tie the
    // residents are built with, and every newcomer's, must have one.
    let newcomers: f64 = s.shocks.iter().map(|k| k.migrant_influx).sum::<f64>() * total as f64;
    // So is a resident's number: the residents and every newcomer, whose
    // count each community rounds up on some days (one more at most, a
    // community and a day of a shock).
    let communities: u64 = s
        .district
        .communities
        .iter()
        .map(|g| u64::from(g.count))
        .sum();
    let roundings: f64 = s
        .shocks
        .iter()
        .filter(|k| k.migrant_influx > 0.0)
        .map(|k| f64::from(k.days) * communities as f64)
        .sum();
    let most_residents = total as f64 + newcomers + roundings;
    if most_residents > f64::from(u32::MAX) {
        let (i, _) = s
            .shocks
            .iter()
            .enumerate()
            .rev()
            .find(|(_, k)| k.migrant_influx > 0.0)
            .expect("newcomers come with a shock");
        return err(
            &format!("shocks[{i}].migrant_influx"),
            format!(
                "{total} residents and about {newcomers:.0} newcomers make up to {most_residents:.0} \
                 residents; at most {}: fewer residents or newcomers",
                u32::MAX
            ),
        );
    }
    let ties = total as f64 * f64::from(s.residents.ties_k)
        + newcomers * f64::from(s.residents.newcomer_ties);
    if ties > f64::from(u32::MAX) {
        let with_newcomers = if newcomers > 0.0 {
            format!(
                " and about {newcomers:.0} newcomers with {} each",
                s.residents.newcomer_ties
            )
        } else {
            String::new()
        };
        return err(
            "residents.ties_k",
            format!(
                "{total} residents with {} ties each{with_newcomers} make about {ties:.0} ties; \
                 at most {}: fewer residents, ties or newcomers",
                s.residents.ties_k,
                u32::MAX
            ),
        );
    }
    Ok(())
}
