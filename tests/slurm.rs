//! A sweep run as a real Slurm job array (`scripts/slurm/sweep.sbatch`), one
//! shard per array task, merged, gives the same files as the same sweep run
//! in one piece. It needs a Slurm cluster that takes jobs (`sinfo` answers and
//! `sbatch` is on the PATH); without one the test says so on standard error
//! and passes. CI starts a one-node cluster (`scripts/slurm/local-cluster.sh`)
//! and sets GOVSIM_REQUIRE_SLURM=1, under which a missing cluster fails it.

mod common;

use common::{govsim, scenario_path, scratch};

use std::path::Path;
use std::process::Command;

fn s(path: &Path) -> String {
    path.display().to_string()
}

/// Whether a Slurm controller answers and a node is up.
fn cluster_up() -> bool {
    let answers = |cmd: &str, args: &[&str]| {
        Command::new(cmd)
            .args(args)
            .output()
            .map(|o| o.status.success() && !o.stdout.is_empty())
            .unwrap_or(false)
    };
    answers("sbatch", &["--version"]) && answers("sinfo", &["-h", "-o", "%t"])
}

/// The sweep's own arguments, the same for the job array and the whole run.
fn sweep_args() -> Vec<String> {
    [
        s(&scenario_path("classroom/small_town.toml")),
        "--vary".into(),
        "party.procedure.pooling=0..0.6:3".into(),
        "--vary".into(),
        "party.procedure.meeting_interval=7..30:2".into(),
        "--reps".into(),
        "3".into(),
        "--days".into(),
        "60".into(),
        "--seed".into(),
        "7".into(),
    ]
    .to_vec()
}

#[test]
fn a_slurm_job_array_merges_into_the_unsharded_sweep() {
    if !cluster_up() {
        assert!(
            std::env::var_os("GOVSIM_REQUIRE_SLURM").is_none(),
            "GOVSIM_REQUIRE_SLURM is set but no Slurm cluster answers (start one: scripts/slurm/local-cluster.sh)"
        );
        common::notice(
            "the Slurm job-array test is SKIPPED: no Slurm cluster answers here (Debian: apt-get install slurm-wlm munge, then scripts/slurm/local-cluster.sh; CI requires it)",
        );
        return;
    }
    let dir = scratch("slurm");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let shards = dir.join("shards");
    let tasks = 3;

    // The array, waited for: sbatch --wait exits non-zero if any task failed.
    let submitted = Command::new("sbatch")
        .current_dir(root)
        .env("GOVSIM", env!("CARGO_BIN_EXE_govsim"))
        .args([
            "--wait",
            "--parsable",
            &format!("--array=1-{tasks}"),
            "--cpus-per-task=1",
            "--time=10",
            &format!("--output={}/slurm-%A_%a.out", s(&dir)),
            "scripts/slurm/sweep.sbatch",
            &s(&shards),
        ])
        .args(sweep_args())
        .output()
        .expect("sbatch runs");
    let logs: String = std::fs::read_dir(&dir)
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().starts_with("slurm-"))
        .map(|e| std::fs::read_to_string(e.path()).unwrap_or_default())
        .collect();
    assert!(
        submitted.status.success(),
        "the job array failed: {}\n{logs}",
        String::from_utf8_lossy(&submitted.stderr)
    );

    let mut merge = vec!["merge".to_string()];
    merge.extend((1..=tasks).map(|k| s(&shards.join(format!("shard-{k}")))));
    merge.extend(["--out".to_string(), s(&dir.join("merged"))]);
    let merged = govsim(&merge.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(
        merged.status.success(),
        "merge: {}",
        String::from_utf8_lossy(&merged.stderr)
    );

    let mut whole = vec!["sweep".to_string()];
    whole.extend(sweep_args());
    whole.extend(["--out".to_string(), s(&dir.join("whole"))]);
    let whole = govsim(&whole.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(
        whole.status.success(),
        "sweep: {}",
        String::from_utf8_lossy(&whole.stderr)
    );

    for file in ["runs.csv", "summary.csv"] {
        let a = std::fs::read(dir.join("whole").join(file)).unwrap();
        let b = std::fs::read(dir.join("merged").join(file)).unwrap();
        assert!(!a.is_empty(), "{file} is empty");
        assert!(
            a == b,
            "{file} of the merged job array differs from the unsharded sweep"
        );
    }
    // Each task ran its own shard: three shards, every run once.
    let runs = std::fs::read_to_string(dir.join("merged").join("runs.csv")).unwrap();
    assert_eq!(runs.lines().count(), 1 + 3 * 2 * 3, "runs.csv rows");
}
