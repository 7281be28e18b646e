//! Live runs (`govsim::run::live`): levers moved between days act from the next
//! day exactly as if the scenario had had them then; levers read only when
//! the district is built are refused; stepping in any chunks gives the same
//! rows; the map and the events agree with the rows.

mod common;

use common::scenario_path;
use govsim::run::live::LiveRun;
use govsim::scenario::changes::fixed_reason;
use govsim::scenario::{ScenarioSource, levers};
use toml::Value;

fn town() -> ScenarioSource {
    ScenarioSource::read(&scenario_path("classroom/small_town.toml")).expect("shipped scenario")
}

const MAX: u64 = 1_000_000;

/// A value of `key` other than `now`, inside its valid range, as `--set` text.
fn other_value(key: &str, now: &Value) -> Option<String> {
    match now {
        Value::Boolean(b) => Some((!b).to_string()),
        Value::Integer(i) => {
            let lever = levers::find(key)?;
            let max = lever.max.min(*i as f64 * 2.0 + 2.0) as i64;
            (max != *i).then(|| max.to_string())
        }
        Value::Float(x) => {
            let lever = levers::find(key)?;
            let target = if *x < (lever.min + lever.max) / 2.0 {
                (x + (lever.max - x) * 0.3).min(x + 2.0)
            } else {
                (x - (x - lever.min) * 0.3).max(x - 2.0)
            };
            (target != *x).then(|| format!("{target}"))
        }
        _ => None,
    }
}

fn leaves(prefix: &str, value: &Value, out: &mut Vec<(String, Value)>) {
    match value {
        Value::Table(t) => {
            for (k, v) in t {
                let path = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                leaves(&path, v, out);
            }
        }
        other => out.push((prefix.to_string(), other.clone())),
    }
}

/// Every lever that may change during a run, moved before the first day,
/// gives the run whose scenario had the new value from the start: no such
/// lever is read only when the district is built. Most of them also move
/// the outputs, so the comparison sees what they do.
#[test]
fn a_change_before_the_first_day_equals_the_value_from_the_start() {
    let source = town();
    let resolved = source.resolve(&[]).unwrap();
    let table: Value = toml::from_str(&resolved.resolved_toml).unwrap();
    let mut all = Vec::new();
    leaves("", &table, &mut all);
    let (mut checked, mut moved) = (0, 0);
    let base = {
        let mut run = LiveRun::start(&source, &[], 3, MAX).unwrap();
        run.step(40).rows
    };
    for (key, now) in all {
        if fixed_reason(&key).is_some() || ["name", "description"].contains(&key.as_str()) {
            continue;
        }
        let Some(value) = other_value(&key, &now) else {
            continue;
        };
        let item = format!("{key}={value}");
        // Some values break a consistency rule between levers; those are
        // not this test's concern.
        let Ok(mut from_start) = LiveRun::start(&source, std::slice::from_ref(&item), 3, MAX)
        else {
            continue;
        };
        let mut changed = LiveRun::start(&source, &[], 3, MAX).unwrap();
        changed.set(std::slice::from_ref(&item)).unwrap();
        let (a, b) = (from_start.step(40).rows, changed.step(40).rows);
        assert_eq!(
            a, b,
            "{item}: a change before day 1 differs from the value from the start"
        );
        checked += 1;
        moved += usize::from(a != base);
    }
    assert!(checked >= 70, "only {checked} levers checked");
    assert!(
        moved * 2 >= checked,
        "only {moved} of {checked} levers moved the outputs"
    );
}

/// A lever moved before day 31 leaves days 1–30 as they were and moves the
/// days after; stepping in chunks of any size gives the same rows.
#[test]
fn a_change_during_the_run_acts_from_the_next_day() {
    let source = town();
    let mut base = LiveRun::start(&source, &[], 7, MAX).unwrap();
    let base_rows = base.step(90).rows;
    let mut daily = LiveRun::start(&source, &[], 7, MAX).unwrap();
    let rows: Vec<_> = (0..90).flat_map(|_| daily.step(1).rows).collect();
    assert_eq!(rows, base_rows, "stepping one day at a time");

    let mut reform = LiveRun::start(&source, &[], 7, MAX).unwrap();
    let before = reform.step(30).rows;
    let made = reform.set(&["issues.rate=2".into()]).unwrap();
    assert_eq!(made.len(), 1);
    assert_eq!((made[0].day, made[0].key.as_str()), (31, "issues.rate"));
    let after = reform.step(60).rows;
    assert_eq!(before, base_rows[..30], "days before the change");
    let arrived = |rows: &[govsim::metrics::DayRow]| rows.iter().map(|r| r.arrived).sum::<u32>();
    assert!(
        arrived(&after) as f64 > 1.5 * arrived(&base_rows[30..]) as f64,
        "doubling the issue rate from day 31: {} against {}",
        arrived(&after),
        arrived(&base_rows[30..])
    );
    assert!(
        reform
            .events()
            .iter()
            .any(|e| e.day == 31 && e.text.contains("issues.rate"))
    );
}

/// Levers built with the district, bad values and unknown levers are
/// refused with the key and the reason or range, and change nothing.
#[test]
fn refused_changes_name_the_key_and_change_nothing() {
    let source = town();
    let mut run = LiveRun::start(&source, &[], 2, MAX).unwrap();
    run.step(10);
    let before = run.scenario().clone();
    let cases = [
        (
            "party.setting.community_coverage=0",
            "party.setting.community_coverage",
            "cannot change during a run",
        ),
        (
            "social.capacity=3",
            "social.capacity",
            "built with the district",
        ),
        (
            "party.procedure.formalism=1.5",
            "party.procedure.formalism",
            "valid range is 0 to 1",
        ),
        ("party.procedure.formalsm=0.5", "formalsm", "formalism"),
    ];
    for (item, key, words) in cases {
        let error = run
            .set(&[item.to_string(), "issues.rate=3".into()])
            .unwrap_err();
        let text = error.to_string();
        assert!(text.contains(key) && text.contains(words), "{item}: {text}");
        assert_eq!(run.scenario(), &before, "{item} changed the levers");
    }
    assert!(run.changes().is_empty());
    let later = run.step(5).rows;
    let mut fresh = LiveRun::start(&source, &[], 2, MAX).unwrap();
    assert_eq!(
        later,
        fresh.step(15).rows[10..],
        "a refused change moved the run"
    );
}

/// The map's grids and backlog agree with the district and the rows; a
/// party-led year has coalition and conference events in words.
#[test]
fn the_map_and_the_events_agree_with_the_rows() {
    let source = town();
    let mut run = LiveRun::start(&source, &[], 4, MAX).unwrap();
    let stepped = run.step(200);
    let map = run.map();
    let last = stepped.rows.last().unwrap();
    assert_eq!(map.day, 200);
    assert_eq!(
        map.grids.iter().map(|g| g.backlog).sum::<u32>(),
        last.backlog
    );
    assert_eq!(
        map.grids.iter().map(|g| g.residents).sum::<u32>(),
        last.residents
    );
    assert_eq!(map.communities.len(), 3);
    assert_eq!(map.grids.len(), 4 + 4 + 3);
    let participants: f64 = map
        .grids
        .iter()
        .map(|g| g.participation * g.residents as f64)
        .sum();
    let rate = last.participation_rate.unwrap();
    assert!((participants / last.residents as f64 - rate).abs() < 1e-9);
    assert!(map.communities.iter().all(|c| c.party_committee));
    assert!(map.communities.iter().all(|c| !c.organizations.is_empty()));
    let texts: Vec<&str> = stepped.events.iter().map(|e| e.text.as_str()).collect();
    assert!(
        texts.iter().any(|t| t.contains("joint conference met")),
        "{texts:?}"
    );
    assert!(
        texts
            .iter()
            .any(|t| t.contains("cross-cutting issue in community") && t.contains("convened")),
        "{texts:?}"
    );
    let mut without = LiveRun::start(
        &source,
        &["party.setting.community_coverage=0".into()],
        4,
        MAX,
    )
    .unwrap();
    let events = without.step(200).events;
    assert!(
        !events
            .iter()
            .any(|e| e.text.contains("party committee convened"))
    );
    assert!(without.map().communities.iter().all(|c| !c.party_committee));
}

/// A district larger than the limit is refused before it is built.
#[test]
fn a_district_over_the_limit_is_refused() {
    let error = LiveRun::start(&town(), &[], 1, 1000)
        .err()
        .expect("refused");
    let text = error.to_string();
    assert!(
        text.contains("district.communities") && text.contains("at most 1000"),
        "{text}"
    );
}
