//! One run: a scenario in, rows and a summary out. Pure: no I/O, no clock.

use crate::metrics::{DayRow, Recorder, Summary};
use crate::model::Model;
use crate::scenario::Scenario;

/// What one run produces.
#[derive(Debug, Clone, PartialEq)]
pub struct RunOutput {
    /// Rows of `timeseries.csv`, one per recorded day.
    pub rows: Vec<DayRow>,
    /// The row of `summary.csv`.
    pub summary: Summary,
}

/// Runs `scenario` for `scenario.sim.days` recorded days from
/// `scenario.sim.seed`, after `sim.warmup_days` days that are not recorded.
/// Each `[[policy]]` sets its levers before its recorded day.
///
/// # Panics
/// On a policy that loading would have refused (`scenario::load` checks
/// every policy; a scenario built in code must be as valid).
pub fn run(scenario: &Scenario) -> RunOutput {
    let stages = crate::scenario::policy_stages(scenario)
        .unwrap_or_else(|(key, message)| panic!("invalid policy `{key}`: {message}"));
    let mut stages = stages.into_iter().peekable();
    let mut model = Model::new(scenario, scenario.sim.seed);
    for _ in 0..scenario.sim.warmup_days {
        model.step();
    }
    model.start_participation_year();
    let mut recorder = Recorder::new(scenario, model.world().residents.len() as u32);
    let mut rows = Vec::new();
    for day in 1..=scenario.sim.days {
        while let Some((_, levers)) = stages.next_if(|(at, _)| *at == day) {
            model
                .change_levers(&levers)
                .unwrap_or_else(|fixed| panic!("policy sets fixed levers: {fixed:?}"));
        }
        if let Some(row) = recorder.record(model.step()) {
            rows.push(row);
        }
        if recorder.year_ended() {
            model.start_participation_year();
        }
    }
    RunOutput {
        rows,
        summary: recorder.summary(),
    }
}
