//! The arrival of new issues (ODD section 3, step 2; the formulas in
//! `rules/arrival.rs`): each community's issues of the day, their
//! reporters, competencies, traits and affected residents, drawn from the
//! event stream in community order.
//!
//! Arrival reads where residents live and nothing that the participation
//! pass writes, and the pass reads no issue, so a day's issues arrive on
//! this thread while the other threads run the pass (`Model::step`); they
//! draw the same words from the event stream either way.

use rand::RngExt;
use rand_chacha::ChaCha8Rng;

use super::issue::{self, Issue};
use super::rules;
use super::rules::arrival::IssueTraits;
use super::rules::shocks::ShockEffect;
use super::world::{Places, flag};
use super::{Model, poisson};
use crate::scenario::Scenario;

/// What arriving issues read and write: the open issues, the event stream
/// and the day's count of arrivals, beside where residents live (read only).
/// Made by `arrivals_of!`.
pub(super) struct Arrivals<'a> {
    pub s: &'a Scenario,
    pub day: u32,
    pub places: Places<'a>,
    pub traits: &'a IssueTraits,
    pub events: &'a mut ChaCha8Rng,
    pub issues: &'a mut Vec<Issue>,
    pub affected: &'a mut Vec<u32>,
    pub free: &'a mut Vec<u32>,
    pub active: &'a mut Vec<u32>,
    pub arrived: &'a mut u32,
}

/// The `Arrivals` of `$model` (a `Model`, by place) beside `$places`: a
/// macro, not a method, so that the participation pass can borrow the
/// model's other fields at the same time.
macro_rules! arrivals_of {
    ($model:expr, $places:expr) => {
        $crate::model::arrival::Arrivals {
            s: &$model.scenario,
            day: $model.day,
            places: $places,
            traits: &$model.traits,
            events: &mut $model.events,
            issues: &mut $model.issues,
            affected: &mut $model.affected,
            free: &mut $model.free,
            active: &mut $model.active,
            arrived: &mut $model.tally.arrived,
        }
    };
}
pub(super) use arrivals_of;

impl Arrivals<'_> {
    /// The day's new issues in each community, in community order: the
    /// usual ones and those a shock adds, at a rate raised by `induced`
    /// demand.
    pub(super) fn arrive(&mut self, shock: &ShockEffect, induced: f64) {
        let s = self.s;
        let share = shock
            .competency
            .map(|k| rules::shocks::competency_share(s, k));
        for c in 0..self.places.communities.len() {
            let population = self.places.communities[c].population();
            let expected =
                rules::arrival::arrivals(s, population, shock.issue_rate, share, induced);
            let n = poisson(expected.any, self.events);
            let n_extra = poisson(expected.extra, self.events);
            for k in 0..n + n_extra {
                let reporter = self.places.random_resident(c, self.events);
                let migrant = self.places.flags[reporter as usize] & flag::MIGRANT != 0;
                let forced = if k >= n { shock.competency } else { None };
                let comps = rules::arrival::competencies(s, migrant, forced, self.events);
                self.spawn_issue(reporter, &comps);
            }
        }
    }

    /// Creates a latent issue of competencies `comps` reported by `reporter`.
    pub(super) fn spawn_issue(&mut self, reporter: u32, comps: &[u8]) {
        let drawn = self.traits.draw(comps.len(), self.events);
        let r = reporter as usize;
        let places = &self.places;
        let mut issue = Issue::latent(
            places.community[r],
            places.grid[r],
            places.flags[r] & flag::MIGRANT != 0,
            comps,
            drawn,
            self.day,
        );
        let unmeetable = self.s.issues.unmeetable_share;
        // No draw without unmeetable demands, so that the share 0 keeps v2's draws.
        issue.meetable = !(unmeetable > 0.0 && self.events.random_bool(unmeetable));
        let grid = issue.grid as usize;
        let a = self.s.issues.affected as usize;
        let slot = issue::place(self.issues, self.affected, self.free, a, issue);
        let out = &mut self.affected[slot as usize * a..(slot as usize + 1) * a];
        self.places.affected_by(reporter, grid, out, self.events);
        self.active.push(slot);
        *self.arrived += 1;
    }
}

impl Model {
    /// The day's new issues, alone (`Arrivals::arrive`); `Model::step` has
    /// them arrive beside the participation pass instead.
    pub(super) fn arrive(&mut self, shock: &ShockEffect) {
        let induced = self.induced_demand();
        let places = self.world.places();
        arrivals_of!(self, places).arrive(shock, induced);
    }

    /// How much efficacy raises the rate of new issues today: read from
    /// the residents' mean efficacy after the latest pass, so before today's.
    pub(super) fn induced_demand(&self) -> f64 {
        rules::arrival::induced_demand(&self.scenario, self.mean_efficacy)
    }

    /// Creates a latent issue of competencies `comps` reported by `reporter`.
    pub(super) fn spawn_issue(&mut self, reporter: u32, comps: &[u8]) {
        let places = self.world.places();
        arrivals_of!(self, places).spawn_issue(reporter, comps);
    }
}
