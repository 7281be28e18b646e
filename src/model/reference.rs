//! The reference model: the daily schedule of `docs/ODD.md`, section 3,
//! with what the fast kernels optimise written plainly — participation one
//! resident at a time (contacts, attitudes, the logistic, peers counted
//! afresh from the ties), the deliberators of an issue counted afresh, and
//! trust diffusion summed tie by tie — and every other phase the model's
//! own procedure, called: a mechanism's procedure is written once.
//! It is compiled for the tests only: they step it beside [`Model`] on
//! several scenarios and require the same daily tallies and the same state
//! (residents, communities, grids, organizations, issues) every day, so the
//! fast kernels are checked against plain code a scholar can read.
//!
//! Random draws come from the same streams in the same order: each
//! community's participation stream gives its contacts and then one uniform
//! number per resident, in the order of the community's ranges; the events
//! stream gives everything else, in the order of the schedule.

use std::collections::BTreeSet;

use rand::RngExt;

use super::rules::participation::{self as participation, ContactBasis, Utility};
use super::rules::{diffusion, shocks};
use super::world::{NONE, flag, nth_in_ranges};
use super::{DayTally, Model, party_specific, stochastic_round};
use crate::scenario::Scenario;

/// A run of the reference model: the model's state and plain phases, with
/// the kernels' phases written plainly here.
pub(super) struct Reference {
    model: Model,
    yesterday: Vec<u8>,
}

/// What one community's participation adds to the day.
struct CommunityCounts {
    residents: [u32; 2],
    participants: [u32; 2],
    yesterday: u32,
    persisting: u32,
    grid_participants: Vec<u32>,
    grid_members: Vec<u32>,
    trust_sums: [f64; 3],
    efficacy_sum: f64,
}

impl Reference {
    /// The district of `s` built for `seed`, as [`Model::new`] builds it.
    pub(super) fn new(s: &Scenario, seed: u64) -> Self {
        Self {
            model: Model::new(s, seed),
            yesterday: Vec::new(),
        }
    }

    /// One day, in the order of ODD section 3 (as [`Model::run_phase`]).
    pub(super) fn step(&mut self) -> DayTally {
        let m = &mut self.model;
        m.tally = DayTally::default();
        let shock = shocks::on_day(&m.scenario, m.day, m.world.initial_population);
        m.capacity_multiplier = shock.capacity;
        m.add_newcomers(shock.newcomers);
        m.arrive(&shock);
        self.participation();
        let m = &mut self.model;
        m.count_first_participants();
        m.mean_efficacy = m.tally.efficacy;
        m.detect_and_escalate();
        m.start_day_for_orgs();
        m.meeting_today = m.joint_conference();
        m.route();
        m.work();
        m.close_issues_counting(deliberators);
        m.update_party_and_autonomy();
        if diffusion::diffuses_on(m.day) {
            self.diffusion();
        }
        self.model.record_state();
        self.model.end_day()
    }

    /// The levers from the next day on; the district stays as it was built.
    pub(super) fn change_levers(&mut self, s: &Scenario) {
        self.model
            .change_levers(s)
            .expect("the tests move rule levers only");
    }

    /// Everything the comparison reads, as text.
    pub(super) fn state(&self) -> String {
        self.model.reference_state()
    }

    // ---- Participation (ODD 7.1) ----

    fn participation(&mut self) {
        let m = &mut self.model;
        // The reference draws every word from the streams themselves.
        assert!(m.words_ahead.is_empty(), "no word drawn ahead");
        let s = &m.scenario;
        let weight = s.residents.recent_weight as f32;
        let day = m.world.start_participation(&mut self.yesterday);
        let yesterday = &self.yesterday;
        let mut all = Vec::new();
        for (c, community) in day.places.communities.iter().enumerate() {
            let rng = &mut m.community_rngs[c];
            // Contacts first, then one draw per resident in range order.
            let covered_residents = community
                .grids
                .clone()
                .filter(|&g| day.places.grids[g as usize].covered)
                .map(|g| {
                    let ranges = &day.places.grids[g as usize].ranges();
                    ranges.iter().map(|(a, b)| b - a).sum::<u32>()
                })
                .sum();
            let expected = participation::contacts(
                s,
                &ContactBasis {
                    party_members: community.party_members,
                    covered_residents,
                    service_center: community.service_center,
                    enterprise_branch_share: community.enterprise_branch_share,
                    migrants: community.migrants,
                    population: community.population(),
                },
            );
            let n_member = stochastic_round(expected.by_members, rng);
            let n_grid = stochastic_round(expected.by_grid_workers, rng);
            let mut contacted = BTreeSet::new();
            for k in 0..n_member + n_grid {
                let migrants_only = k < n_member
                    && community.migrants > 0
                    && rng.random::<f64>() < expected.to_migrants;
                let mut place = 0;
                for _ in 0..participation::CONTACT_DRAWS {
                    place = rng.random_range(0..community.population());
                    let i = nth_in_ranges(community.ranges(), place) as usize;
                    if migrants_only && day.places.flags[i] & flag::MIGRANT == 0 {
                        continue;
                    }
                    if participation::accepts_contact(day.recent[i], rng.random::<f32>()) {
                        break;
                    }
                }
                contacted.insert(nth_in_ranges(community.ranges(), place));
            }
            let reach = participation::inclusion_reach(
                s,
                party_specific::migrant_members_reach(community),
                community.convener != NONE,
                community.service_center,
                community.enterprise_branch_share,
            );
            let utility = Utility::new(s, community.service_center, reach);
            let mut counts = CommunityCounts {
                residents: [0; 2],
                participants: [0; 2],
                yesterday: 0,
                persisting: 0,
                grid_participants: Vec::new(),
                grid_members: Vec::new(),
                trust_sums: [0.0; 3],
                efficacy_sum: 0.0,
            };
            for &(a, b) in community.ranges() {
                for i in a as usize..b as usize {
                    let draw = rng.random::<f32>();
                    let trust = [day.trust[0][i], day.trust[1][i], day.trust[2][i]];
                    let attitude = utility.attitude(
                        day.civic[i],
                        day.efficacy[i],
                        participation::mean_trust(trust),
                    );
                    let ties = day.ties.of(i);
                    let active = ties.iter().filter(|&&j| yesterday[j as usize] != 0).count();
                    let share = participation::peer_share(active as f32, ties.len() as f32);
                    let migrant = day.places.flags[i] & flag::MIGRANT != 0;
                    let mobilized = contacted.contains(&(i as u32));
                    let u = utility.of(attitude, share, mobilized, migrant);
                    let took = participation::takes_part(u, draw);
                    day.took_part[i] = u8::from(took);
                    day.recent[i] = participation::recent_after(day.recent[i], took, weight);
                    let m = usize::from(migrant);
                    counts.residents[m] += 1;
                    counts.participants[m] += u32::from(took);
                    counts.yesterday += u32::from(yesterday[i]);
                    counts.persisting += u32::from(took && yesterday[i] != 0);
                    for (sum, t) in counts.trust_sums.iter_mut().zip(trust) {
                        *sum += f64::from(t);
                    }
                    counts.efficacy_sum += f64::from(day.efficacy[i]);
                }
            }
            for g in community.grids.clone() {
                let (mut participants, mut members) = (0, 0);
                for &(a, b) in day.places.grids[g as usize].ranges() {
                    for i in a as usize..b as usize {
                        participants += u32::from(day.took_part[i]);
                        if day.took_part[i] != 0 && day.places.flags[i] & flag::MEMBER != 0 {
                            members += 1;
                        }
                    }
                }
                counts.grid_participants.push(participants);
                counts.grid_members.push(members);
            }
            all.push(counts);
        }
        m.world.attitudes_seen();
        let (mut trust_sums, mut efficacy_sum) = ([0f64; 3], 0f64);
        for (community, counts) in m.world.communities.iter_mut().zip(&all) {
            let grids = community.grids.start as usize..community.grids.end as usize;
            for (k, grid) in m.world.grids[grids].iter_mut().enumerate() {
                grid.participants = counts.grid_participants[k];
                grid.active_members = counts.grid_members[k];
            }
            let t = &mut m.tally;
            for m in 0..2 {
                t.residents[m] += counts.residents[m];
                t.participants[m] += counts.participants[m];
            }
            t.yesterday += counts.yesterday;
            t.persisting += counts.persisting;
            for (total, sum) in trust_sums.iter_mut().zip(counts.trust_sums) {
                *total += sum;
            }
            efficacy_sum += counts.efficacy_sum;
            community.trust_convener_sum = counts.trust_sums[0];
            let participants = counts.participants[0] + counts.participants[1];
            community.volunteer_pool = participation::volunteer_pool(s, participants);
        }
        let n = m.world.residents.len().max(1) as f64;
        m.tally.trust = trust_sums.map(|t| t / n);
        m.tally.efficacy = efficacy_sum / n;
    }

    // ---- Trust diffusion (ODD 7.7) ----

    fn diffusion(&mut self) {
        let m = &mut self.model;
        let r = &m.scenario.residents;
        let (w, forget) = (r.diffusion as f32, r.forgetting as f32);
        let (trust0, efficacy0) = (r.prior_trust as f32, r.prior_efficacy as f32);
        if forget != 0.0 {
            for i in 0..m.world.residents.len() {
                m.world.change_attitudes(i, |_, e| {
                    *e = diffusion::forgotten(*e, efficacy0, forget);
                });
            }
        }
        if w == 0.0 && forget == 0.0 {
            return;
        }
        let res = &m.world.residents;
        let mut next: [Vec<f32>; 3] = Default::default();
        for (kind, next) in next.iter_mut().enumerate() {
            let trust = &res.trust()[kind];
            for i in 0..res.len() {
                let ties = res.ties().of(i);
                let sum: f32 = ties.iter().map(|&j| trust[j as usize]).sum();
                let d = diffusion::diffused(trust[i], sum, ties.len() as f32, w);
                next.push(diffusion::forgotten(d, trust0, forget));
            }
        }
        m.world.replace_trust(&mut next);
    }
}

/// The deliberators of issue `slot` (ODD 7.6), counted afresh: affected
/// residents who take part today and their ties who take part today.
fn deliberators(model: &Model, slot: u32) -> u32 {
    let took_part = model.world.residents.took_part();
    let mut deliberators = 0;
    for &a in model.affected_of(slot) {
        deliberators += u32::from(took_part[a as usize]);
        let ties = model.world.residents.ties().of(a as usize);
        deliberators += ties.iter().filter(|&&j| took_part[j as usize] != 0).count() as u32;
    }
    deliberators
}

impl Model {
    /// Everything the comparison with the reference reads, as text.
    fn reference_state(&self) -> String {
        format!(
            "{:?}\n{:?}\n{:?}\n{:?}\n{:?}",
            self.world, self.issues, self.affected, self.active, self.free
        )
    }
}

mod tests {
    use super::*;
    use crate::scenario::load_scenario;
    use std::path::Path;

    /// A shipped scenario (or a test one, from the crate's root).
    fn scenario(path: &str) -> Scenario {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
        load_scenario(&path, &[]).expect("valid scenario").scenario
    }

    /// Where two texts first differ, with some context.
    fn first_difference(a: &str, b: &str) -> String {
        let at = a
            .bytes()
            .zip(b.bytes())
            .position(|(x, y)| x != y)
            .unwrap_or(a.len().min(b.len()));
        let from = at.saturating_sub(200);
        let window = |s: &str| {
            s.get(from..(at + 200).min(s.len()))
                .unwrap_or("")
                .to_string()
        };
        format!("model:     …{}…\nreference: …{}…", window(a), window(b))
    }

    /// Steps the model and the reference side by side for `days` days and
    /// requires the same tallies and the same state every day.
    fn side_by_side(s: &Scenario, seed: u64, days: u32) {
        side_by_side_with_changes(s, seed, days, &[]);
    }

    /// [`side_by_side`], with the levers replaced before the given days.
    fn side_by_side_with_changes(s: &Scenario, seed: u64, days: u32, changes: &[(u32, Scenario)]) {
        let mut model = Model::new(s, seed);
        let mut reference = Reference::new(s, seed);
        let mut resolved = 0;
        for day in 0..days {
            for (_, levers) in changes.iter().filter(|(d, _)| *d == day) {
                model.change_levers(levers).expect("rule levers only");
                reference.change_levers(levers);
            }
            let (a, b) = (model.step(), reference.step());
            resolved += a.resolved;
            assert_eq!(format!("{a:?}"), format!("{b:?}"), "{} day {day}", s.name);
            let (a, b) = (model.reference_state(), reference.state());
            assert!(
                a == b,
                "{} day {day}:\n{}",
                s.name,
                first_difference(&a, &b)
            );
        }
        assert!(resolved > 20, "{}: only {resolved} issues resolved", s.name);
    }

    #[test]
    fn the_classroom_town_matches_the_reference() {
        let town = scenario("scenarios/classroom/small_town.toml");
        side_by_side(&town, 1, 365);
        side_by_side(&town, 2, 120);
    }

    /// Newcomers, a surge of one competency, a capacity drop, triage and
    /// formalism.
    #[test]
    fn shocks_and_newcomers_match_the_reference() {
        side_by_side(&scenario("tests/scenarios/pinned_shocks.toml"), 3, 240);
    }

    /// Every shipped regime's levers on the classroom town's district, and
    /// the shipped shocks on it.
    #[test]
    fn every_regime_matches_the_reference() {
        let town = scenario("scenarios/classroom/small_town.toml");
        for file in [
            "regimes/bureaucratic_silo.toml",
            "regimes/polycentric.toml",
            "regimes/party_led.toml",
            "regimes/over_centralized.toml",
            "regimes/formalism_trap.toml",
            "shocks/issue_surge.toml",
            "shocks/migrant_influx.toml",
            "reforms/beijing_2018.toml",
        ] {
            let mut s = scenario(&format!("scenarios/{file}"));
            s.district = town.district.clone();
            s.shocks.iter_mut().for_each(|shock| shock.start = 40);
            side_by_side(&s, 4, 150);
        }
    }

    /// A summons of departments that alone can do some parts (the office
    /// and enterprises cannot), with slow departments: the forced joins and
    /// the skipped delay.
    #[test]
    fn a_summons_matches_the_reference() {
        let mut s = scenario("scenarios/classroom/small_town.toml");
        s.government.delay = 20;
        s.government.office_competencies = Some(vec!["neighborhood_disputes".into()]);
        s.social.enterprise_competencies = vec!["migrant_services".into()];
        s.party.procedure.summons = 0.7;
        side_by_side(&s, 5, 150);
    }

    /// Levers moved during a run, on consecutive days (contacts drawn
    /// ahead are drawn again) and with a newcomer shock scheduled later:
    /// the model and the reference stay the same every day.
    #[test]
    fn lever_changes_during_a_run_match_the_reference() {
        let town = scenario("scenarios/classroom/small_town.toml");
        let mut first = town.clone();
        first.party.procedure.formalism = 0.7;
        first.residents.b0 += 1.0;
        first.issues.effort_mean *= 1.5;
        let mut second = first.clone();
        second.party.procedure.centralization = 0.9;
        second.grid.contact_rate = 0.5;
        second.party.procedure.contacts_per_member *= 3.0;
        second.party.security.inclusion = 1.0;
        let mut third = second.clone();
        third.shocks.push(crate::scenario::Shock {
            start: 70,
            days: 5,
            migrant_influx: 0.05,
            ..Default::default()
        });
        let changes = [(30, first), (31, second), (60, third), (90, town.clone())];
        side_by_side_with_changes(&town, 5, 120, &changes);
    }
}
