//! The one runner of every experiment kind: runs jobs in parallel on a rayon
//! pool of a chosen size and hands each finished run to the caller's thread,
//! in whatever order runs finish. Results must not depend on that order; the
//! callers make sure of it.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;

use rayon::prelude::*;

use crate::run::{RunOutput, run};
use crate::scenario::Scenario;

/// One run to do: an identifier and the scenario with its seed set.
#[derive(Debug, Clone)]
pub struct Job<Id> {
    /// Caller's identifier of the run.
    pub id: Id,
    /// The scenario, `sim.seed` set to the run's seed.
    pub scenario: Scenario,
}

/// Runs `jobs` on `threads` threads; calls `on_done` on the calling thread for
/// each finished run. Stops starting new runs once `stop` is set; runs in
/// progress finish and are handed over.
pub fn run_jobs<Id: Send + Sync + Clone>(
    jobs: &[Job<Id>],
    threads: usize,
    stop: &AtomicBool,
    mut on_done: impl FnMut(Id, RunOutput),
) -> Result<(), String> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads.max(1))
        .build()
        .map_err(|e| format!("cannot start {threads} threads: {e}"))?;
    let (sender, receiver) = mpsc::sync_channel::<(Id, RunOutput)>(threads.max(1) * 2);
    std::thread::scope(|scope| {
        scope.spawn(|| {
            pool.install(|| {
                jobs.par_iter()
                    .with_max_len(1)
                    .for_each_with(sender, |sender, job| {
                        if stop.load(Ordering::SeqCst) {
                            return;
                        }
                        let output = run(&job.scenario);
                        // The receiver lives until every sender is gone.
                        let _ = sender.send((job.id.clone(), output));
                    });
            });
        });
        for (id, output) in receiver {
            on_done(id, output);
        }
    });
    Ok(())
}
