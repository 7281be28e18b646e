//! One run: a scenario in, rows and a summary out. Pure: no I/O, no clock.
//!
//! [`Stepper`] is the one procedure of a run — the unrecorded warm-up, the
//! `[[policy]]` reforms on their days, the recorded days and the
//! participation year restarted every 365 of them — that both a whole run
//! ([`run`]) and a live run (`crate::run::live::LiveRun`) step. A day is
//! its first part (`advance`: policies, the model's day) and its recording
//! (`record`); a whole run records each day while the model steps the next
//! ([`Stepper::step_days`]), the same days.

pub mod live;

use crate::metrics::{DayRow, Recorder, Summary};
use crate::model::shared::SharedResidents;
use crate::model::{DayTally, Model};
use crate::scenario::changes::differing_scenarios;
use crate::scenario::{Scenario, apply_policy};

/// What one run produces.
#[derive(Debug, Clone, PartialEq)]
pub struct RunOutput {
    /// Rows of `timeseries.csv`, one per recorded day.
    pub rows: Vec<DayRow>,
    /// The row of `summary.csv`.
    pub summary: Summary,
}

/// A policy that came due before a day, and what became of it.
#[derive(Debug, Clone, PartialEq)]
pub struct PolicyTaken {
    /// Its index in the scenario's `[[policy]]` list.
    pub index: usize,
    /// The levers it changed, with their new values, if it took effect;
    /// else why not (`policy[k].set` and the reason).
    pub outcome: Result<Vec<(String, toml::Value)>, (String, String)>,
}

/// One day stepped.
#[derive(Debug, Clone, PartialEq)]
pub struct Day {
    /// The day's row, if the day is recorded (`sim.record_every`).
    pub row: Option<DayRow>,
    /// The policies due on the day, applied before it, in the order of the
    /// scenario's list.
    pub policies: Vec<PolicyTaken>,
}

/// A run stepped day by day, whose levers may move between days.
pub struct Stepper {
    levers: Scenario,
    model: Model,
    recorder: Recorder,
    day: u32,
    windows: Vec<Window>,
}

/// A window of a run: the recorded days from `first` on, counted by a
/// recorder of their own (started on that day).
struct Window {
    first: u32,
    recorder: Option<Recorder>,
}

impl Stepper {
    /// Builds the district of `scenario` for `scenario.sim.seed` and steps
    /// its `sim.warmup_days`, which are not recorded.
    pub fn new(scenario: &Scenario) -> Self {
        Self::around(scenario, Model::new(scenario, scenario.sim.seed))
    }

    /// [`Stepper::new`], with the residents taken from `shared` where it
    /// keeps those of the same levers and seed (the same run either way).
    pub fn new_shared(scenario: &Scenario, shared: &SharedResidents) -> Self {
        Self::around(
            scenario,
            Model::new_shared(scenario, scenario.sim.seed, shared),
        )
    }

    /// Steps the warm-up of `model`, just built for `scenario`.
    fn around(scenario: &Scenario, mut model: Model) -> Self {
        for _ in 0..scenario.sim.warmup_days {
            model.step();
        }
        model.start_participation_year();
        model.start_participation_month();
        let recorder = Recorder::new(scenario, model.world().residents.len() as u32);
        Self {
            levers: scenario.clone(),
            model,
            recorder,
            day: 0,
            windows: Vec::new(),
        }
    }

    /// Opens a window from recorded day `first` (not yet simulated) on:
    /// [`Stepper::window_summary`] then gives the run-level figures of
    /// those days alone. Returns its index.
    ///
    /// # Panics
    /// If day `first` has been simulated already.
    pub fn add_window(&mut self, first: u32) -> usize {
        assert!(first > self.day, "a window opens on a day still to come");
        self.windows.push(Window {
            first,
            recorder: None,
        });
        self.windows.len() - 1
    }

    /// The run-level figures of window `k` from its first day to the last
    /// day simulated; `None` before its first day.
    pub fn window_summary(&mut self, k: usize) -> Option<Summary> {
        self.windows[k].recorder.as_mut().map(Recorder::summary)
    }

    /// Recorded days simulated so far (the warm-up not counted).
    pub fn day(&self) -> u32 {
        self.day
    }

    /// The levers in force now.
    pub fn levers(&self) -> &Scenario {
        &self.levers
    }

    /// The model, to read its state.
    pub fn model(&self) -> &Model {
        &self.model
    }

    /// Simulates the next day. First every `[[policy]]` of that day takes
    /// effect, each over the levers in force (those moved before stay
    /// moved), through [`apply_policy`]; a policy that cannot take effect
    /// leaves the levers as they were and says why.
    pub fn step(&mut self) -> Day {
        let advanced = advance(&mut self.levers, &mut self.model, &mut self.day);
        open_windows(
            &mut self.windows,
            &self.levers,
            advanced.residents,
            self.day,
        );
        record(&mut self.recorder, &mut self.windows, advanced)
    }

    /// Steps `days` days, as [`Stepper::step`] does day after day, with the
    /// same days returned: each day's counts are recorded while the model
    /// steps the next day (the recorders read only the day's counts, and
    /// the model nothing of theirs), so that a run on several threads does
    /// not wait for its recording.
    pub fn step_days(&mut self, days: u32) -> Vec<Day> {
        let mut stepped = Vec::with_capacity(days as usize);
        let mut unrecorded: Option<Advanced> = None;
        for _ in 0..days {
            let Self {
                levers,
                model,
                recorder,
                day,
                windows,
            } = self;
            // The model's day on this thread, where its serial phases
            // always run; the recording of the day before beside it.
            let (advanced, recorded) = rayon::join(
                || advance(levers, model, day),
                || {
                    unrecorded
                        .take()
                        .map(|before| record(recorder, windows, before))
                },
            );
            stepped.extend(recorded);
            open_windows(windows, levers, advanced.residents, *day);
            unrecorded = Some(advanced);
        }
        if let Some(last) = unrecorded {
            stepped.push(record(&mut self.recorder, &mut self.windows, last));
        }
        stepped
    }

    /// Moves the levers from the next day on; refused, with the levers
    /// named, where `next` changes a lever read only when the district was
    /// built.
    pub fn change_levers(&mut self, next: Scenario) -> Result<(), Vec<(String, &'static str)>> {
        change_levers(&mut self.levers, &mut self.model, next)
    }

    /// The run's summary so far.
    pub fn summary(&mut self) -> Summary {
        self.recorder.summary()
    }
}

/// A day's first part, stepped by [`advance`].
struct Advanced {
    /// The policies due on the day, applied before it.
    policies: Vec<PolicyTaken>,
    /// The residents at the start of the day (a window opened on it
    /// starts from them).
    residents: u32,
    /// The day's counts, to be recorded.
    tally: DayTally,
}

/// The first part of the next day of a run (its number, `day + 1`, in
/// `day` afterwards): every `[[policy]]` of that day over the levers in
/// force, then the model's day, and the model's next year and month of
/// the count of first participants after a day that ends one.
fn advance(levers: &mut Scenario, model: &mut Model, day: &mut u32) -> Advanced {
    let next = *day + 1;
    let due: Vec<usize> = (0..levers.policy.len())
        .filter(|&k| levers.policy[k].day == next)
        .collect();
    let mut policies = Vec::with_capacity(due.len());
    for index in due {
        let at = format!("policy[{index}].set");
        let outcome = apply_policy(levers, levers, index).and_then(|after| {
            let changed = differing_scenarios(levers, &after).map_err(|e| (at.clone(), e))?;
            change_levers(levers, model, after)
                .map_err(|fixed| (at.clone(), format!("sets fixed levers: {fixed:?}")))?;
            Ok(changed)
        });
        policies.push(PolicyTaken { index, outcome });
    }
    let residents = model.world().residents.len() as u32;
    let tally = model.step();
    *day = next;
    if crate::metrics::ends_year(next) {
        model.start_participation_year();
    }
    if crate::metrics::ends_month(next) {
        model.start_participation_month();
    }
    Advanced {
        policies,
        residents,
        tally,
    }
}

/// Moves the levers in force, `levers`, to `next` from the model's next
/// day on ([`Stepper::change_levers`]).
fn change_levers(
    levers: &mut Scenario,
    model: &mut Model,
    next: Scenario,
) -> Result<(), Vec<(String, &'static str)>> {
    model.change_levers(&next)?;
    *levers = next;
    Ok(())
}

/// Opens the windows whose first day is `day`, which started with
/// `residents` residents under `levers`.
fn open_windows(windows: &mut [Window], levers: &Scenario, residents: u32, day: u32) {
    for w in windows {
        if w.first == day {
            w.recorder = Some(Recorder::from_day(levers, residents, day));
        }
    }
}

/// Records a day's counts in the open windows and the run's recorder;
/// returns the day: its policies, and the run's row of it if the day ends
/// a recording interval.
fn record(recorder: &mut Recorder, windows: &mut [Window], advanced: Advanced) -> Day {
    for w in windows {
        if let Some(r) = w.recorder.as_mut() {
            r.record(advanced.tally.clone());
        }
    }
    Day {
        row: recorder.record(advanced.tally),
        policies: advanced.policies,
    }
}

/// Runs `scenario` for `scenario.sim.days` recorded days from
/// `scenario.sim.seed`, after `sim.warmup_days` days that are not recorded.
/// Each `[[policy]]` sets its levers before its recorded day.
///
/// # Panics
/// On a policy that loading would have refused (`scenario::load` checks
/// every policy; a scenario built in code must be as valid).
pub fn run(scenario: &Scenario) -> RunOutput {
    run_shared(scenario, &SharedResidents::new(0))
}

/// [`run`], with the residents taken from `shared` where it keeps those of
/// the same levers and seed (an experiment's runs): the same output.
///
/// # Panics
/// As [`run`].
pub fn run_shared(scenario: &Scenario, shared: &SharedResidents) -> RunOutput {
    if let Err((key, message)) = crate::scenario::policy_stages(scenario) {
        panic!("invalid policy `{key}`: {message}");
    }
    let mut stepper = Stepper::new_shared(scenario, shared);
    let window =
        (scenario.sim.summary_from > 1).then(|| stepper.add_window(scenario.sim.summary_from));
    let mut rows = Vec::new();
    for day in stepper.step_days(scenario.sim.days) {
        if let Some(PolicyTaken {
            outcome: Err((key, message)),
            ..
        }) = day.policies.iter().find(|p| p.outcome.is_err())
        {
            panic!("invalid policy `{key}`: {message}");
        }
        rows.extend(day.row);
    }
    let summary = match window {
        Some(k) => stepper
            .window_summary(k)
            .expect("sim.summary_from is at most sim.days (checked on loading)"),
        None => stepper.summary(),
    };
    RunOutput { rows, summary }
}
