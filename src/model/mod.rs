//! The model: the district's state and its daily schedule (design, section 3).
//!
//! A [`Model`] is built from a validated [`Scenario`] and a seed, and advanced
//! one day at a time with [`Model::step`]. It does no I/O: every input comes in
//! the scenario, every output leaves as a [`DayTally`].

pub mod issue;
pub mod memory;
pub mod network;
pub mod org_trust;
pub mod party_specific;
pub mod rules;
pub mod tally;
pub mod world;

mod arrival;
mod detection;
mod diffusion;
mod feedback;
mod kernels;
mod participation;
#[cfg(test)]
mod reference;
mod routing;
pub mod shared;
mod work;

use kernels::{attitudes, build::Build, tie_counts, tie_sums};

use rand::RngExt;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Poisson};

use crate::scenario::Scenario;
use crate::seeds::{Purpose, stream};
use issue::Issue;
use rules::shocks::ShockEffect;
pub use tally::DayTally;
use world::{NONE, World};

/// The phases of a day, in the order `Model::step` runs them (docs/ODD.md,
/// section 3). `Model::run_phase` runs one on its own, for benchmarks of the
/// daily kernels and for stepping through a day in class.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Shocks, newcomers and the arrival of new issues.
    Arrival,
    /// Contacts and every resident's decision to take part.
    Participation,
    /// Detection and escalation of latent issues.
    Detection,
    /// The joint conference (on meeting days) and routing of detected issues.
    Routing,
    /// Organizations, volunteers and the alliance pool work; referrals.
    Work,
    /// Resolution, abandonment and their feedback; legitimacy and autonomy;
    /// weekly trust diffusion.
    Feedback,
    /// End-of-day state into the day's tally.
    Record,
}

impl Phase {
    /// Every phase, in the order of a day.
    pub const ALL: [Phase; 7] = [
        Phase::Arrival,
        Phase::Participation,
        Phase::Detection,
        Phase::Routing,
        Phase::Work,
        Phase::Feedback,
        Phase::Record,
    ];
}

/// A running simulation.
#[derive(Clone)]
pub struct Model {
    /// The scenario it runs.
    scenario: Scenario,
    /// The district.
    world: World,
    /// Issue slots; closed slots are reused.
    issues: Vec<Issue>,
    /// Affected residents of slot i: `affected[i * A..(i + 1) * A]`, A = `issues.affected`.
    affected: Vec<u32>,
    free: Vec<u32>,
    /// Slots of open issues.
    active: Vec<u32>,
    events: ChaCha8Rng,
    community_rngs: Vec<ChaCha8Rng>,
    /// Each community's participation stream as it was before tomorrow's
    /// contacts were drawn ahead (see [`Model::change_levers`]).
    rngs_before_ahead: Vec<ChaCha8Rng>,
    /// The next words of each community's participation stream, drawn
    /// ahead while the serial issue phases and the closures run
    /// (`Model::beside_tie_changes`, `Model::beside_words_ahead`).
    words_ahead: kernels::words_ahead::WordsAhead,
    /// Next week's trust in each kind, during diffusion.
    next_trust: [Vec<f32>; 3],
    took_part_yesterday: Vec<u8>,
    /// For each resident built with the district, how many of its ties took
    /// part on the latest day whose changes of participation have moved
    /// them (a pass's changes move them after it: `Model::beside_tie_changes`).
    tie_counts: tie_counts::TieCounts,
    /// Whether the latest participation pass's changes have yet to move
    /// `tie_counts` (`Model::beside_tie_changes`).
    tie_changes_pending: bool,
    /// Each resident's row of ties split for the weekly diffusion's sums.
    row_split: tie_sums::RowSplit,
    /// The attitude parts of the utility of taking part, and the sums of
    /// trust and efficacy, of every grid (refreshed where the world marked a change).
    attitudes: attitudes::Attitudes,
    /// Each community's contacts and counts of today's participation.
    community_days: Vec<kernels::participation::CommunityDay>,
    /// The day whose contacts were drawn at the end of the day before's
    /// participation pass, if any (`Model::participate`).
    contacts_drawn_for: Option<u32>,
    /// Whether contacts may be drawn a day ahead (tests turn it off to
    /// check that it changes nothing).
    draw_contacts_ahead: bool,
    /// The build of the fast kernels (tests run each for sure).
    build: Build,
    /// The next day to simulate (0-based).
    day: u32,
    /// The departments' compliance with the reply limit (section 8, item 44).
    compliance: f64,
    /// Issues resolved and closed so far this month (30 days), the rate
    /// that ranking reads.
    month_closed: [u32; 2],
    /// Counts of the day being simulated.
    tally: DayTally,
    capacity_multiplier: f64,
    meeting_today: bool,
    /// The residents' mean efficacy after the last participation pass (the
    /// starting value before the first), read by induced demand.
    mean_efficacy: f64,
    /// For each resident, bit `rules::participation::YEAR_BIT`: took part
    /// since the year's count started; bit `MONTH_BIT`: since the month's.
    took_part_this_year: Vec<u8>,
    traits: rules::arrival::IssueTraits,
}

fn stochastic_round(x: f64, rng: &mut ChaCha8Rng) -> u32 {
    let base = x.floor();
    base as u32 + u32::from(rng.random::<f64>() < x - base)
}

fn poisson(lambda: f64, rng: &mut ChaCha8Rng) -> u32 {
    if lambda <= 0.0 {
        return 0;
    }
    Poisson::new(lambda).map_or(0, |p| p.sample(rng) as u32)
}

impl Model {
    /// Builds the district of `scenario` for `seed`.
    pub fn new(scenario: &Scenario, seed: u64) -> Self {
        let spec = world::ResidentsSpec::of(scenario);
        Self::around(scenario, seed, shared::BuiltResidents::new(&spec, seed))
    }

    /// [`Model::new`], with the residents taken from `shared` where it
    /// keeps those of the same spec and seed (the same model either way).
    pub fn new_shared(scenario: &Scenario, seed: u64, shared: &shared::SharedResidents) -> Self {
        let spec = world::ResidentsSpec::of(scenario);
        Self::around(scenario, seed, shared.get(&spec, seed))
    }

    /// Builds the district of `scenario` for `seed` around `built`, its
    /// residents for that seed.
    fn around(scenario: &Scenario, seed: u64, built: shared::BuiltResidents) -> Self {
        let shared::BuiltResidents { made, tie_counts } = built;
        let world = world::build_with(scenario, seed, made);
        let n_communities = world.communities.len();
        let community_rngs = (0..world.communities.len())
            .map(|c| stream(seed, Purpose::Participation, c as u64))
            .collect();
        Self {
            scenario: scenario.clone(),
            next_trust: Default::default(),
            took_part_yesterday: Vec::new(),
            tie_counts,
            tie_changes_pending: false,
            row_split: tie_sums::RowSplit::default(),
            attitudes: attitudes::Attitudes::new(&world.grids),
            community_days: vec![Default::default(); n_communities],
            contacts_drawn_for: None,
            draw_contacts_ahead: true,
            build: Build::fastest(),
            world,
            issues: Vec::new(),
            affected: Vec::new(),
            free: Vec::new(),
            active: Vec::new(),
            events: stream(seed, Purpose::Events, 0),
            community_rngs,
            rngs_before_ahead: Vec::new(),
            words_ahead: Default::default(),
            day: 0,
            compliance: scenario.government.compliance,
            month_closed: [0, 0],
            tally: DayTally::default(),
            capacity_multiplier: 1.0,
            meeting_today: false,
            mean_efficacy: scenario.residents.initial_efficacy,
            took_part_this_year: Vec::new(),
            traits: rules::arrival::IssueTraits::new(scenario),
        }
    }

    /// Replaces the levers from the next day on (a reform, or a lever moved
    /// in a live run). Levers read only when the district was built cannot
    /// change: they are returned, each with the reason, and nothing changes.
    /// Contacts already drawn for the next day are drawn again on the new
    /// levers from the same point of their streams, so a run with a change
    /// is the same as one that had the new levers from that day on.
    pub fn change_levers(
        &mut self,
        scenario: &Scenario,
    ) -> Result<(), Vec<(String, &'static str)>> {
        let fixed = crate::scenario::changes::fixed_changes(&self.scenario, scenario);
        if !fixed.is_empty() {
            return Err(fixed);
        }
        if self.contacts_drawn_for == Some(self.day) {
            self.community_rngs.clone_from(&self.rngs_before_ahead);
            self.words_ahead.forget();
            self.contacts_drawn_for = None;
        }
        self.scenario = scenario.clone();
        self.traits = rules::arrival::IssueTraits::new(scenario);
        self.world.attitude_levers_changed();
        Ok(())
    }

    /// Whether the joint conference met on the latest day simulated.
    pub fn conference_met(&self) -> bool {
        self.meeting_today
    }

    /// Open issues now.
    pub fn open_issues(&self) -> usize {
        self.active.len()
    }

    /// The scenario it runs.
    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }

    /// The district, read only: the model's own methods are the only
    /// writers, so that what it keeps of the district stays right.
    pub fn world(&self) -> &World {
        &self.world
    }

    /// Issue slots (closed slots are reused; [`Issue::open`] tells which
    /// hold open issues).
    pub fn issues(&self) -> &[Issue] {
        &self.issues
    }

    /// The next day to simulate (0-based).
    pub fn day(&self) -> u32 {
        self.day
    }

    /// Simulates one day and returns its counts.
    pub fn step(&mut self) -> DayTally {
        let [
            arrival,
            participation,
            detection,
            routing,
            work,
            feedback,
            record,
        ] = Phase::ALL;
        // The day's issues arrive beside the participation pass, which
        // reads none of them (`arrival`).
        debug_assert_eq!([arrival, participation], Phase::ALL[..2]);
        let shock = self.start_day();
        self.participate(Some(&shock));
        // The pass's changes move the counts of ties that took part beside
        // all three serial issue phases, which read none of them.
        self.beside_tie_changes(|model| {
            for phase in [detection, routing, work] {
                model.run_phase(phase);
            }
        });
        self.run_phase(feedback);
        self.run_phase(record);
        self.end_day()
    }

    /// Runs one phase of the current day. A day is every phase of
    /// [`Phase::ALL`] in order and then [`Model::end_day`], which is what
    /// [`Model::step`] does (with the same results; `step` only lets more
    /// run beside the counts of ties that took part as they move); a phase
    /// run on its own is for measuring it.
    pub fn run_phase(&mut self, phase: Phase) {
        match phase {
            Phase::Arrival => {
                let shock = self.start_day();
                self.arrive(&shock);
            }
            Phase::Participation => self.participate(None),
            // Detection reads no count of ties that took part: the pass's
            // changes move them meanwhile.
            Phase::Detection => self.beside_tie_changes(Self::detect_and_escalate),
            Phase::Routing => {
                self.start_day_for_orgs();
                self.meeting_today = self.joint_conference();
                self.route();
            }
            Phase::Work => self.work(),
            Phase::Feedback => {
                // The closures and the party's update run beside the next
                // pass's words drawn ahead (`kernels::words_ahead`); the
                // weekly diffusion is parallel work of its own.
                self.beside_words_ahead(|model| {
                    model.close_issues();
                    model.update_party_and_autonomy();
                });
                if rules::diffusion::diffuses_on(self.day) {
                    self.diffuse_trust();
                }
            }
            Phase::Record => self.record_state(),
        }
    }

    /// Starts the day: a new tally, the day's shock effects and newcomers;
    /// returns the shock effects, which the issues' arrival reads next.
    fn start_day(&mut self) -> ShockEffect {
        self.tally = DayTally::default();
        let shock = self.shock_on(self.day);
        self.capacity_multiplier = shock.capacity;
        self.add_newcomers(shock.newcomers);
        shock
    }

    /// Ends the day whose phases have run: the next day begins. Returns the
    /// counts of the day that ended.
    pub fn end_day(&mut self) -> DayTally {
        let t = &self.tally;
        self.month_closed[0] += t.resolved;
        self.month_closed[1] += t.resolved + t.abandoned + t.explained;
        self.day += 1;
        if self.day.is_multiple_of(rules::routing::RANKING_DAYS) {
            let [resolved, closed] = std::mem::take(&mut self.month_closed);
            let rate = (closed > 0).then(|| f64::from(resolved) / f64::from(closed));
            self.compliance =
                rules::routing::ranked_compliance(&self.scenario, self.compliance, rate);
        }
        std::mem::take(&mut self.tally)
    }

    /// The shock effects of `day` (ODD 7.8).
    /// Starts a new year of the count of residents who took part at least
    /// once: from now on, each resident's first day of taking part is
    /// counted again (`DayTally::first_participants`).
    pub fn start_participation_year(&mut self) {
        self.took_part_this_year.fill(0);
    }

    /// Starts a new month (30 recorded days) of the count of residents who
    /// took part at least once (`DayTally::first_participants_month`).
    pub fn start_participation_month(&mut self) {
        for seen in &mut self.took_part_this_year {
            *seen &= !rules::participation::MONTH_BIT;
        }
    }

    /// Counts the residents who took part today for the first time this
    /// year and this month, one resident at a time: the plain count of the
    /// reference model (the participation pass counts them with its
    /// decisions).
    #[cfg(test)]
    fn count_first_participants(&mut self) {
        let today = self.world.residents.took_part();
        self.took_part_this_year.resize(today.len(), 0);
        let (mut first, mut first_month) = (0u32, 0u32);
        for (seen, &took) in self.took_part_this_year.iter_mut().zip(today) {
            let (year, month, after) = rules::participation::first_participation(*seen, took);
            first += u32::from(year);
            first_month += u32::from(month);
            *seen = after;
        }
        self.tally.first_participants = first;
        self.tally.first_participants_month = first_month;
    }

    fn shock_on(&self, day: u32) -> ShockEffect {
        rules::shocks::on_day(&self.scenario, day, self.world.initial_population)
    }

    fn add_newcomers(&mut self, expected: f64) {
        if expected <= 0.0 {
            return;
        }
        let weights =
            rules::shocks::newcomer_weights(self.world.communities.iter().map(|c| c.migrants));
        let norm: f64 = weights.iter().sum();
        for (c, w) in weights.iter().enumerate() {
            let count = stochastic_round(expected * w / norm, &mut self.events);
            self.world
                .add_newcomers(&self.scenario, c, count, self.day, &mut self.events);
        }
    }

    /// Affected residents of issue `slot`.
    pub fn affected_of(&self, slot: u32) -> &[u32] {
        let a = self.scenario.issues.affected as usize;
        &self.affected[slot as usize * a..(slot as usize + 1) * a]
    }

    /// Clears each organization's overhead and unused capacity of the previous day.
    fn start_day_for_orgs(&mut self) {
        for org in &mut self.world.orgs {
            org.overhead_today = 0.0;
            org.unused_today = 0.0;
        }
    }

    /// Records end-of-day state into the tally.
    fn record_state(&mut self) {
        self.tally.open = self.active.len() as u32;
        let with_committee: Vec<f64> = self
            .world
            .communities
            .iter()
            .filter(|c| c.convener != NONE)
            .map(|c| c.legitimacy)
            .collect();
        self.tally.legitimacy = if with_committee.is_empty() {
            f64::NAN
        } else {
            with_committee.iter().sum::<f64>() / with_committee.len() as f64
        };
        let (with_convener, idle) = self
            .world
            .communities
            .iter()
            .filter(|c| c.convener != NONE)
            .fold((0u32, 0u32), |(n, idle), c| {
                (
                    n + 1,
                    idle + u32::from(rules::feedback::is_virtual(c.convener_present)),
                )
            });
        self.tally.virtual_share = if with_convener == 0 {
            f64::NAN
        } else {
            f64::from(idle) / f64::from(with_convener)
        };
        let pairs = self.world.org_trust.len() as f64;
        self.tally.org_trust = if pairs > 0.0 {
            self.world.org_trust.values().sum::<f64>() / pairs
        } else {
            0.0
        };
        self.tally.org_density = if self.world.possible_pairs > 0.0 {
            (pairs / self.world.possible_pairs).min(1.0)
        } else {
            0.0
        };
        self.tally.capacity =
            self.world.orgs.iter().map(|o| o.capacity).sum::<f64>() * self.capacity_multiplier;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::Shock;

    /// The default district with a migrant influx of `share` of its residents
    /// arriving over `days` days from day `start`.
    fn with_newcomers(start: u32, days: u32, share: f64) -> Scenario {
        let mut scenario = Scenario::default();
        scenario.shocks.push(Shock {
            start,
            days,
            migrant_influx: share,
            ..Shock::default()
        });
        scenario
    }

    /// The parallel passes rely on this: every resident belongs to exactly
    /// one community, through that community's ranges, which follow each
    /// other upward, and to one grid of it, also after newcomers arrive in
    /// several batches.
    #[test]
    fn communities_and_grids_partition_the_residents_after_newcomers_arrive() {
        let scenario = with_newcomers(3, 5, 0.2);
        let mut model = Model::new(&scenario, 11);
        let before = model.world.residents.len();
        for _ in 0..10 {
            model.step();
        }
        let residents = &model.world.residents;
        assert!(residents.len() > before, "no newcomers arrived");
        let mut owner = vec![u32::MAX; residents.len()];
        for (c, community) in model.world.communities.iter().enumerate() {
            // The ranges follow each other upward (contacts rely on it).
            assert!(community.ranges().windows(2).all(|w| w[0].1 <= w[1].0));
            let mut population = 0;
            for &(a, b) in community.ranges() {
                population += b - a;
                for i in a..b {
                    assert_eq!(
                        owner[i as usize],
                        u32::MAX,
                        "resident {i} in two communities"
                    );
                    owner[i as usize] = c as u32;
                }
            }
            assert_eq!(population, community.population());
        }
        for (i, &c) in owner.iter().enumerate() {
            assert_eq!(c, residents.community()[i], "resident {i}");
        }
        assert_eq!(residents.took_part().len(), residents.len());
        // Grids too (a day's closures change residents grid by grid in
        // parallel), each inside its community.
        let mut grid_of = vec![u32::MAX; residents.len()];
        for (g, grid) in model.world.grids.iter().enumerate() {
            for &(a, b) in grid.ranges() {
                for i in a..b {
                    assert_eq!(grid_of[i as usize], u32::MAX, "resident {i} in two grids");
                    assert_eq!(owner[i as usize], grid.community, "resident {i}");
                    grid_of[i as usize] = g as u32;
                }
            }
        }
        for (i, &g) in grid_of.iter().enumerate() {
            assert_eq!(g, residents.grid()[i], "resident {i}");
        }
    }

    /// The counts of ties that took part are kept up to date only where
    /// participation changed; they must equal counts made afresh, day after
    /// day, with newcomers arriving and with formalism, crowding and
    /// mobilization all in play.
    #[test]
    fn counts_of_ties_that_took_part_stay_exact() {
        let scenario = with_newcomers(2, 6, 0.1);
        let mut model = Model::new(&scenario, 5);
        let mut changed = 0;
        for _ in 0..12 {
            let before = model.world.residents.took_part().to_vec();
            model.step();
            let after = model.world.residents.took_part();
            changed += before.iter().zip(after).filter(|(x, y)| x != y).count();
            assert_eq!(
                model.tie_counts.counts,
                tie_counts::TieCounts::new(&model.world.residents, &model.world.first_ranges())
                    .counts,
                "day {}",
                model.day
            );
        }
        assert!(changed > 1000, "participation barely changed: {changed}");
    }

    /// The pass leaves the day's changes to move the counts of ties that
    /// took part beside detection; wherever the counts are read (closing
    /// issues, the next pass), they are moved first, so that phases run on
    /// their own, in any order, read the latest pass's counts.
    #[test]
    fn counts_of_ties_are_moved_before_they_are_read() {
        let mut model = Model::new(&Scenario::default(), 8);
        let fresh = |model: &Model| {
            tie_counts::TieCounts::new(&model.world.residents, &model.world.first_ranges()).counts
        };
        for _ in 0..3 {
            model.step();
        }
        // Two passes in a row: the second reads the first's counts.
        model.run_phase(Phase::Participation);
        model.run_phase(Phase::Participation);
        assert!(model.tie_changes_pending);
        // Closing issues right after the pass, detection left out.
        model.close_issues();
        assert!(!model.tie_changes_pending);
        assert_eq!(model.tie_counts.counts, fresh(&model));
    }

    /// A day of `step` (the issues arriving beside the participation pass,
    /// the counts of ties moved beside the three serial issue phases)
    /// equals the day run phase by phase (the issues arriving first, the
    /// counts moved beside detection alone), day after day, with newcomers
    /// arriving.
    #[test]
    fn a_step_equals_its_phases_run_one_by_one() {
        let mut scenario = with_newcomers(3, 4, 0.1);
        // Arrival reads the residents' mean efficacy of the day before.
        scenario.issues.induced_demand = 5.0;
        let (mut stepped, mut phased) = (Model::new(&scenario, 13), Model::new(&scenario, 13));
        for day in 0..15 {
            let by_step = stepped.step();
            for phase in Phase::ALL {
                phased.run_phase(phase);
            }
            let by_phase = phased.end_day();
            assert_eq!(format!("{by_step:?}"), format!("{by_phase:?}"), "day {day}");
        }
        assert_eq!(stepped.tie_counts.counts, phased.tie_counts.counts);
        let (a, b) = (&stepped.world.residents, &phased.world.residents);
        assert_eq!(a.took_part(), b.took_part());
        assert_eq!(a.trust(), b.trust());
    }

    /// The participation pass built for AVX2 and the portable one give the
    /// same district, to the bit, day after day. (On a processor without
    /// AVX2 both runs take the portable pass.)
    #[test]
    fn the_avx2_and_the_portable_pass_agree() {
        let scenario = with_newcomers(4, 5, 0.1);
        let run = |build: Build| {
            let mut model = Model::new(&scenario, 21);
            model.build = build;
            let days: Vec<String> = (0..25).map(|_| format!("{:?}", model.step())).collect();
            (days, model)
        };
        let (fast_days, fast) = run(Build::fastest());
        let (portable_days, portable) = run(Build::portable());
        assert_eq!(fast_days, portable_days);
        let (a, b) = (&fast.world.residents, &portable.world.residents);
        assert_eq!(a.took_part(), b.took_part());
        assert_eq!(a.recent(), b.recent());
        assert_eq!(a.trust(), b.trust());
        assert_eq!(a.efficacy(), b.efficacy());
        assert_eq!(fast.tie_counts.counts, portable.tie_counts.counts);
    }

    /// Contacts drawn at the end of the day before are the ones drawn on the
    /// day: the same district, day after day, with newcomers arriving on
    /// some days (when contacts are not drawn ahead).
    #[test]
    fn contacts_drawn_ahead_are_the_same_contacts() {
        let scenario = with_newcomers(6, 3, 0.1);
        let run = |ahead: bool| {
            let mut model = Model::new(&scenario, 13);
            model.draw_contacts_ahead = ahead;
            let days: Vec<String> = (0..20).map(|_| format!("{:?}", model.step())).collect();
            (days, model)
        };
        let ((ahead_days, ahead), (plain_days, plain)) = (run(true), run(false));
        assert_eq!(ahead_days, plain_days);
        let (a, b) = (&ahead.world.residents, &plain.world.residents);
        assert_eq!(a.took_part(), b.took_part());
        assert_eq!(a.recent(), b.recent());
        assert_eq!(a.trust(), b.trust());
        assert!(ahead.contacts_drawn_for.is_some());
        assert!(plain.contacts_drawn_for.is_none());
    }

    /// The words of a pass drawn ahead of it (`kernels::words_ahead`), all,
    /// some communities' or none, are the words it draws from the streams
    /// itself: the same days and residents, with newcomers on some days
    /// (when nothing is drawn ahead) and the levers moved after words were
    /// drawn ahead for the next day (whose contacts are drawn again).
    #[test]
    fn words_drawn_ahead_are_the_streams_words() {
        let scenario = with_newcomers(6, 3, 0.1);
        let mut moved = scenario.clone();
        moved.grid.contact_rate *= 2.0;
        // On one thread, where only the test draws ahead.
        let one_thread = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        let run = |communities: &(dyn Fn(u32) -> usize + Sync)| {
            let mut model = Model::new(&scenario, 13);
            let mut drawn = 0;
            let days: Vec<String> = (0..20)
                .map(|day| {
                    let tally = format!("{:?}", model.step());
                    let stop = std::sync::atomic::AtomicBool::new(false);
                    let ahead = &mut model.words_ahead;
                    ahead.draw_until(&mut model.community_rngs, &stop, communities(day));
                    drawn += usize::from(!ahead.is_empty());
                    if day == 12 {
                        model.change_levers(&moved).unwrap();
                    }
                    tally
                })
                .collect();
            (days, model, drawn)
        };
        let run =
            |communities: &(dyn Fn(u32) -> usize + Sync)| one_thread.install(|| run(communities));
        let (plain_days, plain, none) = run(&|_| 0);
        assert_eq!(none, 0);
        let all = |_: u32| usize::MAX;
        let some = |day: u32| day as usize % 4;
        for (name, communities) in [
            ("all", &all as &(dyn Fn(u32) -> usize + Sync)),
            ("some", &some),
        ] {
            let (days, model, drawn) = run(communities);
            assert!(drawn >= 10, "{name}: words drawn ahead on {drawn} days");
            assert_eq!(days, plain_days, "{name}");
            let (a, b) = (&model.world.residents, &plain.world.residents);
            assert_eq!(a.took_part(), b.took_part(), "{name}");
            assert_eq!(a.recent(), b.recent(), "{name}");
            assert_eq!(a.trust(), b.trust(), "{name}");
        }
    }

    /// The attitude parts of the utility, and the communities' sums of trust
    /// and efficacy, refreshed only for grids the world marked, equal what the
    /// pass would compute afresh from every resident's values, day after
    /// day: with closures, the weekly diffusion and newcomers. A community
    /// with a value too small for exact sums is summed in row order.
    #[test]
    fn attitude_parts_and_sums_stay_current() {
        let scenario = with_newcomers(3, 4, 0.1);
        let mut model = Model::new(&scenario, 17);
        // A value below 2⁻¹³ in community 0: its sums must come in row order
        // (until the weekly diffusion averages the value away).
        let (a, _) = model.world.communities[0].ranges()[0];
        model
            .world
            .change_attitudes(a as usize, |trust, _| trust[1] = 1e-6);
        let mut refreshed_after_start = 0;
        for day in 0..16 {
            let before = model.attitudes.parts.clone();
            for phase in Phase::ALL {
                model.run_phase(phase);
                if phase != Phase::Participation {
                    continue;
                }
                let res = &model.world.residents;
                for (c, community) in model.world.communities.iter().enumerate() {
                    let reach = rules::participation::inclusion_reach(
                        &model.scenario,
                        party_specific::migrant_members_reach(community),
                        community.convener != NONE,
                        community.service_center,
                        community.enterprise_branch_share,
                    );
                    let w = rules::participation::Utility::new(
                        &model.scenario,
                        community.service_center,
                        reach,
                    );
                    let (mut trust, mut efficacy) = ([0f64; 3], 0f64);
                    for &(a, b) in community.ranges() {
                        for i in a as usize..b as usize {
                            let expected =
                                w.attitude(res.civic()[i], res.efficacy()[i], res.mean_trust(i));
                            assert_eq!(
                                model.attitudes.parts[i].to_bits(),
                                expected.to_bits(),
                                "day {day}, resident {i}"
                            );
                            for (sum, t) in trust.iter_mut().zip(res.trust()) {
                                *sum += f64::from(t[i]);
                            }
                            efficacy += f64::from(res.efficacy()[i]);
                        }
                    }
                    let (counted_trust, counted_efficacy) = model.community_days[c].sums();
                    assert_eq!(counted_trust.map(f64::to_bits), trust.map(f64::to_bits));
                    assert_eq!(counted_efficacy.to_bits(), efficacy.to_bits());
                }
                if day == 0 {
                    let communities = &model.world.communities;
                    assert!(!model.attitudes.community_exact(&communities[0]));
                    assert!(model.attitudes.community_exact(&communities[1]));
                } else {
                    refreshed_after_start += before
                        .iter()
                        .zip(&model.attitudes.parts)
                        .filter(|(x, y)| x != y)
                        .count();
                }
            }
            model.end_day();
        }
        assert!(refreshed_after_start > 10_000, "attitudes barely changed");
    }

    /// The residents are made community by community in parallel, each
    /// community's ties written into room for its lattice and then moved
    /// down to follow the ties before them: the same residents on one
    /// thread and on three, every row where it belongs (symmetric, inside
    /// its community), also when rewiring dropped many ties.
    #[test]
    fn residents_made_on_any_threads_are_the_same() {
        let mut s = Scenario::default();
        // Many rewired ties among few neighbours: lattice ties meet rewired
        // ones and are dropped.
        s.residents.ties_k = 40;
        s.residents.ties_p = 0.5;
        let spec = world::ResidentsSpec::of(&s);
        let made_on = |threads| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .expect("a pool")
                .install(|| world::make_residents(&spec, 5))
        };
        let (one, three) = (made_on(1), made_on(3));
        assert_eq!(one.residents(), three.residents());
        let residents = one.residents();
        let ties = residents.ties();
        assert_eq!(ties.offsets.len(), residents.len() + 1);
        assert_eq!(ties.offsets[residents.len()] as usize, ties.targets.len());
        assert!(
            ties.targets.len() < residents.len() * s.residents.ties_k as usize,
            "rewiring dropped no tie, so no row was moved"
        );
        assert!(one.community_ranges().len() > 2, "several communities");
        for &(a, b) in one.community_ranges() {
            for i in a..b {
                for &j in ties.of(i as usize) {
                    assert!((a..b).contains(&j), "tie {i}–{j} leaves the community");
                    assert!(ties.of(j as usize).contains(&i), "tie {i}–{j} is one-way");
                }
            }
        }
    }

    /// What the counts rely on: ties of the residents built with a community
    /// (its first range) are symmetric and stay inside that range.
    #[test]
    fn ties_of_built_residents_are_symmetric_and_inside_their_community() {
        let model = Model::new(&Scenario::default(), 8);
        let ties = model.world.residents.ties();
        for community in &model.world.communities {
            let (a, b) = community.ranges()[0];
            for i in a..b {
                for &j in ties.of(i as usize) {
                    assert!((a..b).contains(&j), "tie {i}–{j} leaves the community");
                    assert!(ties.of(j as usize).contains(&i), "tie {i}–{j} is one-way");
                }
            }
        }
    }
}
