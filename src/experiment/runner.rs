//! The one runner of every experiment kind: runs jobs in parallel on a rayon
//! pool of a chosen size and hands each finished run to the caller's thread,
//! in whatever order runs finish. Results must not depend on that order; the
//! callers make sure of it.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;

use rayon::prelude::*;

use crate::model::shared::SharedResidents;
use crate::run::{RunOutput, run_shared};
use crate::scenario::Scenario;

/// Runs `jobs` on `threads` threads, building each run's scenario (seed
/// included) with `scenario_of` only when the run starts, so that a long list
/// of runs costs no memory; calls `on_done` on the calling thread for each
/// finished run. Stops starting new runs once `stop` is set; runs in progress
/// finish and are handed over.
pub fn run_jobs<Id: Send + Sync + Clone>(
    jobs: &[Id],
    scenario_of: impl Fn(&Id) -> Scenario + Sync,
    threads: usize,
    stop: &AtomicBool,
    mut on_done: impl FnMut(Id, RunOutput),
) -> Result<(), String> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads.max(1))
        .build()
        .map_err(|e| format!("cannot start {threads} threads: {e}"))?;
    let (sender, receiver) = mpsc::sync_channel::<(Id, RunOutput)>(threads.max(1) * 2);
    // Each thread goes through the jobs in their order, which callers give
    // replication by replication: a thread's next run usually has the seed
    // and residents of its last.
    let shared = SharedResidents::new(threads.max(1) + 1);
    std::thread::scope(|scope| {
        scope.spawn(|| {
            pool.install(|| {
                jobs.par_iter()
                    .with_max_len(1)
                    .for_each_with(sender, |sender, id| {
                        if stop.load(Ordering::SeqCst) {
                            return;
                        }
                        let output = run_shared(&scenario_of(id), &shared);
                        // The receiver lives until every sender is gone.
                        let _ = sender.send((id.clone(), output));
                    });
            });
        });
        for (id, output) in receiver {
            on_done(id, output);
        }
    });
    Ok(())
}
