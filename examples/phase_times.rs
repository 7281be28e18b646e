//! Where a simulated day goes: runs a scenario day by day, phase by phase
//! (`Model::run_phase`), and prints the wall time of each phase in
//! nanoseconds per resident-day. A look at proportions, not a benchmark:
//! the criterion benches in `benches/model.rs` are the measurements.
//!
//! ```sh
//! RAYON_NUM_THREADS=1 cargo run --release --example phase_times -- scenarios/beilun.toml 63
//! ```
//!
//! Each phase runs through a function of its own (`phase_arrival`, …) that
//! is never inlined, so that an instruction profile (callgrind) gives each
//! phase's count as that function's inclusive cost:
//! `benches/phase_profile.sh` does both.
//!
//! With a third argument `steps`, it then runs the same days again on a
//! fresh district through `Model::step`, as a run does, and prints their
//! wall time per resident-day as `Step`: a run lets more work overlap than
//! phases run one at a time can (the counts of ties that took part move
//! beside all three serial issue phases).

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use govsim::model::{Model, Phase};
use govsim::scenario::load_scenario;

/// Runs one phase, a function per phase that is never inlined: its
/// inclusive cost in an instruction profile is the phase's.
macro_rules! phase_fns {
    ($($name:ident: $phase:ident),*) => {
        $(
            #[inline(never)]
            fn $name(model: &mut Model) {
                model.run_phase(Phase::$phase);
            }
        )*
        /// The functions in the order of `Phase::ALL`.
        const RUN_PHASE: [fn(&mut Model); Phase::ALL.len()] = [$($name),*];
        /// The phases they run, checked against `Phase::ALL` at start.
        const PHASES: [Phase; Phase::ALL.len()] = [$(Phase::$phase),*];
    };
}

phase_fns!(
    phase_arrival: Arrival,
    phase_participation: Participation,
    phase_detection: Detection,
    phase_routing: Routing,
    phase_work: Work,
    phase_feedback: Feedback,
    phase_record: Record
);

fn main() -> ExitCode {
    assert_eq!(
        PHASES,
        Phase::ALL,
        "a phase function for each phase, in order"
    );
    let args: Vec<String> = std::env::args().collect();
    let Some(path) = args.get(1) else {
        eprintln!("usage: phase_times SCENARIO [DAYS] [steps]");
        return ExitCode::from(2);
    };
    let days: u32 = match args.get(2).map(|d| d.parse()) {
        None => 63,
        Some(Ok(d)) if d > 0 => d,
        Some(_) => {
            eprintln!("phase_times: DAYS must be a whole number above 0");
            return ExitCode::from(2);
        }
    };
    let with_steps = match args.get(3).map(String::as_str) {
        None => false,
        Some("steps") => true,
        Some(other) => {
            eprintln!("phase_times: the third argument can only be `steps`, got `{other}`");
            return ExitCode::from(2);
        }
    };
    let scenario = match load_scenario(Path::new(path), &[]) {
        Ok(loaded) => loaded.scenario,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    // This thread joins a rayon pool (`RAYON_NUM_THREADS` sets its size), as
    // `govsim run` runs inside its own: the parallel passes then start here
    // instead of waking a pool from outside, which would be timed too.
    let Ok(_pool) = rayon::ThreadPoolBuilder::new().use_current_thread().build() else {
        eprintln!("phase_times: could not start a thread pool");
        return ExitCode::from(1);
    };
    let start = Instant::now();
    let mut model = Model::new(&scenario, 1);
    // Lines go out as they come; a reader that stops early (`| head`) ends
    // the output, not the program with a panic.
    let say = |line: String| {
        let _ = writeln!(std::io::stdout(), "{line}");
    };
    say(format!(
        "building the district: {:.3} s",
        start.elapsed().as_secs_f64()
    ));
    let mut spent = [0f64; Phase::ALL.len()];
    let mut residents = 0f64;
    for _ in 0..days {
        residents += model.world().residents.len() as f64;
        for (k, run_phase) in RUN_PHASE.into_iter().enumerate() {
            let start = Instant::now();
            run_phase(&mut model);
            spent[k] += start.elapsed().as_secs_f64();
        }
        model.end_day();
    }
    let total: f64 = spent.iter().sum();
    say("phase          ns per resident-day   share".to_string());
    for (k, phase) in Phase::ALL.into_iter().enumerate() {
        say(format!(
            "{:<14} {:>20.2} {:>6.1}%",
            format!("{phase:?}"),
            spent[k] * 1e9 / residents,
            100.0 * spent[k] / total
        ));
    }
    say(format!("{:<14} {:>20.2}", "all", total * 1e9 / residents));
    say(format!("resident-days: {residents}"));
    if with_steps {
        // The same days again, a day at a time as a run steps them
        // (`Model::step` lets the counts of ties that took part move beside
        // all three serial issue phases, not beside detection alone).
        let mut model = Model::new(&scenario, 1);
        let start = Instant::now();
        for _ in 0..days {
            model.step();
        }
        say(format!(
            "{:<14} {:>20.2}",
            "Step",
            start.elapsed().as_secs_f64() * 1e9 / residents
        ));
    }
    ExitCode::SUCCESS
}
