//! The Mesa port (benches/reference/mesa_govsim.py) refuses a scenario with
//! a lever it does not implement, naming it, so that it never runs another
//! model than govsim's without saying so. Checked through its lever list
//! (benches/reference/port_levers.py, standard-library Python) on every
//! shipped scenario as `govsim check` resolves it.

mod common;

use std::path::Path;
use std::process::Command;

use common::{govsim, scratch};

/// Runs the port's lever check on a resolved scenario; None without Python.
fn port_levers(resolved: &Path) -> Option<(i32, String)> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/reference/port_levers.py");
    let out = Command::new("python3")
        .arg(script)
        .arg(resolved)
        .output()
        .ok()?;
    Some((
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    ))
}

#[test]
fn the_mesa_port_refuses_what_it_does_not_implement() {
    let dir = scratch("docking-levers");
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut files = Vec::new();
    for entry in std::fs::read_dir(&root).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            files.extend(
                std::fs::read_dir(&path)
                    .unwrap()
                    .flatten()
                    .map(|e| e.path()),
            );
        } else {
            files.push(path);
        }
    }
    files.retain(|p| p.extension().is_some_and(|e| e == "toml"));
    files.sort();
    assert!(files.len() >= 15, "{files:?}");
    let mut checked = 0;
    for file in &files {
        let out = govsim(&["check", file.to_str().unwrap()]);
        assert!(out.status.success(), "{}", file.display());
        let resolved = dir.join("resolved.toml");
        std::fs::write(&resolved, &out.stdout).unwrap();
        let Some((code, err)) = port_levers(&resolved) else {
            common::notice("the Mesa port's lever check is SKIPPED: no python3 on this machine");
            return;
        };
        let reform = file.parent().unwrap().ends_with("reforms");
        if reform {
            assert_eq!(code, 2, "{}: {err}", file.display());
            if file.ends_with("beijing_2019.toml") {
                for lever in [
                    "`sim.warmup_days`",
                    "`policy`",
                    "`government.office_competencies`",
                    "`social.organization_competencies`",
                ] {
                    assert!(err.contains(lever), "{lever} not named: {err}");
                }
            }
        } else {
            assert_eq!(code, 0, "{}: {err}", file.display());
        }
        checked += 1;
    }
    assert_eq!(checked, files.len());
    // A lever the port has never heard of, and one set off its neutral value.
    let town = govsim(&[
        "check",
        root.join("classroom/small_town.toml").to_str().unwrap(),
    ]);
    let text = String::from_utf8(town.stdout).unwrap();
    let unknown = dir.join("unknown.toml");
    std::fs::write(&unknown, format!("{text}\n[future]\nlever = 1\n")).unwrap();
    let (code, err) = port_levers(&unknown).unwrap();
    assert_eq!(code, 2);
    assert!(
        err.contains("`future.lever`: not a lever this port knows"),
        "{err}"
    );
    let summons = dir.join("summons.toml");
    let set = govsim(&[
        "check",
        root.join("classroom/small_town.toml").to_str().unwrap(),
        "--set",
        "party.procedure.summons=0.5",
    ]);
    std::fs::write(&summons, &set.stdout).unwrap();
    let (code, err) = port_levers(&summons).unwrap();
    assert_eq!(code, 2);
    assert!(err.contains("`party.procedure.summons` = 0.5"), "{err}");
}
