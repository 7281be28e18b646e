//! The reference model: the whole daily schedule of `docs/ODD.md`, section 3,
//! written plainly on the rules of `model/rules/` — one resident at a time,
//! no caches, no vector builds, no parallelism, every count made afresh.
//! It is compiled for the tests only: they step it beside [`Model`] on
//! several scenarios and require the same daily tallies and the same state
//! (residents, communities, grids, organizations, issues) every day. So the
//! fast kernels are checked against a model a scholar can read from top to
//! bottom, and this file is the model of record.
//!
//! It restates the schedule on purpose (that is what makes it a check); the
//! formulas it shares with [`Model`] are the rules, called, never copied.
//! Random draws come from the same streams in the same order: each
//! community's participation stream gives its contacts and then one uniform
//! number per resident, in the order of the community's ranges; the events
//! stream gives everything else, in the order of the schedule.

use std::collections::BTreeSet;

use rand::RngExt;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

use super::issue::{self, Issue, Route, Stage, Status};
use super::rules::participation::{self as participation, ContactBasis, Utility};
use super::rules::routing::AfterFailedTry;
use super::rules::{arrival, conference, detection, diffusion, feedback, routing, shocks, work};
use super::world::{self, Kind, NONE, OrgRole, Task, World, flag, nth_in_ranges};
use super::{DayTally, Model, poisson, stochastic_round};
use crate::scenario::Scenario;
use crate::seeds::{Purpose, stream};

/// A run of the reference model.
pub(super) struct Reference {
    s: Scenario,
    world: World,
    issues: Vec<Issue>,
    affected: Vec<u32>,
    free: Vec<u32>,
    active: Vec<u32>,
    events: ChaCha8Rng,
    community_rngs: Vec<ChaCha8Rng>,
    yesterday: Vec<u8>,
    traits: arrival::IssueTraits,
    day: u32,
    tally: DayTally,
    capacity_multiplier: f64,
    meeting_today: bool,
    ever: Vec<bool>,
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
        let world = world::build(s, seed);
        let community_rngs = (0..world.communities.len())
            .map(|c| stream(seed, Purpose::Participation, c as u64))
            .collect();
        Self {
            s: s.clone(),
            world,
            issues: Vec::new(),
            affected: Vec::new(),
            free: Vec::new(),
            active: Vec::new(),
            events: stream(seed, Purpose::Events, 0),
            community_rngs,
            yesterday: Vec::new(),
            traits: arrival::IssueTraits::new(s),
            day: 0,
            tally: DayTally::default(),
            capacity_multiplier: 1.0,
            meeting_today: false,
            ever: Vec::new(),
        }
    }

    /// One day, in the order of ODD section 3.
    pub(super) fn step(&mut self) -> DayTally {
        self.tally = DayTally::default();
        let shock = shocks::on_day(&self.s, self.day, self.world.initial_population);
        self.capacity_multiplier = shock.capacity;
        self.newcomers(shock.newcomers);
        self.arrivals(&shock);
        self.participation();
        let took_part = self.world.residents.took_part();
        self.ever.resize(took_part.len(), false);
        for (i, &t) in took_part.iter().enumerate() {
            if t != 0 && !self.ever[i] {
                self.ever[i] = true;
                self.tally.first_participants += 1;
            }
        }
        self.detection();
        for org in &mut self.world.orgs {
            org.overhead_today = 0.0;
            org.unused_today = 0.0;
        }
        self.meeting_today = self.joint_conference();
        self.routing();
        self.work();
        self.top_up();
        self.refer();
        self.closures();
        self.legitimacy_and_autonomy();
        if diffusion::diffuses_on(self.day) {
            self.diffusion();
        }
        self.record();
        self.day += 1;
        std::mem::take(&mut self.tally)
    }

    /// The levers from the next day on; the district stays as it was built.
    pub(super) fn change_levers(&mut self, s: &Scenario) {
        self.s = s.clone();
        self.traits = arrival::IssueTraits::new(s);
    }

    /// Everything the comparison reads, as text.
    pub(super) fn state(&self) -> String {
        format!(
            "{:?}\n{:?}\n{:?}\n{:?}\n{:?}",
            self.world, self.issues, self.affected, self.active, self.free
        )
    }

    // ---- Shocks and arrival (ODD 3, steps 1 and 2; 7.8) ----

    fn newcomers(&mut self, expected: f64) {
        if expected <= 0.0 {
            return;
        }
        let weights = shocks::newcomer_weights(self.world.communities.iter().map(|c| c.migrants));
        let norm: f64 = weights.iter().sum();
        for (c, w) in weights.iter().enumerate() {
            let count = stochastic_round(expected * w / norm, &mut self.events);
            self.world
                .add_newcomers(&self.s, c, count, self.day, &mut self.events);
        }
    }

    fn arrivals(&mut self, shock: &shocks::ShockEffect) {
        for c in 0..self.world.communities.len() {
            let share = shock
                .competency
                .map(|k| shocks::competency_share(&self.s, k));
            let population = self.world.communities[c].population();
            let expected = arrival::arrivals(&self.s, population, shock.issue_rate, share);
            let n = poisson(expected.any, &mut self.events);
            let n_extra = poisson(expected.extra, &mut self.events);
            for k in 0..n + n_extra {
                let reporter = self.world.random_resident(c, &mut self.events);
                let migrant = self.world.residents.is(reporter as usize, flag::MIGRANT);
                let forced = if k >= n { shock.competency } else { None };
                let comps = arrival::competencies(&self.s, migrant, forced, &mut self.events);
                self.new_issue(reporter, &comps);
            }
        }
    }

    fn new_issue(&mut self, reporter: u32, comps: &[u8]) {
        let drawn = self.traits.draw(comps.len(), &mut self.events);
        let issue = Issue::reported_by(&self.world.residents, reporter, comps, drawn, self.day);
        let grid = issue.grid as usize;
        let a = self.s.issues.affected as usize;
        let slot = issue::place(
            &mut self.issues,
            &mut self.affected,
            &mut self.free,
            a,
            issue,
        );
        let out = &mut self.affected[slot as usize * a..(slot as usize + 1) * a];
        self.world
            .affected_by(reporter, grid, out, &mut self.events);
        self.active.push(slot);
        self.tally.arrived += 1;
    }

    fn affected_of(&self, slot: u32) -> Vec<u32> {
        let a = self.s.issues.affected as usize;
        self.affected[slot as usize * a..(slot as usize + 1) * a].to_vec()
    }

    // ---- Participation (ODD 7.1) ----

    fn participation(&mut self) {
        let s = &self.s;
        let weight = s.residents.recent_weight as f32;
        let day = self.world.start_participation(&mut self.yesterday);
        let yesterday = &self.yesterday;
        let mut all = Vec::new();
        for (c, community) in day.communities.iter().enumerate() {
            let rng = &mut self.community_rngs[c];
            // Contacts first, then one draw per resident in range order.
            let covered_residents = community
                .grids
                .clone()
                .filter(|&g| day.grids[g as usize].covered)
                .map(|g| {
                    let ranges = &day.grids[g as usize].ranges();
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
                    if migrants_only && day.flags[i] & flag::MIGRANT == 0 {
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
                community.party_committee != NONE,
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
                    let migrant = day.flags[i] & flag::MIGRANT != 0;
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
                for &(a, b) in day.grids[g as usize].ranges() {
                    for i in a as usize..b as usize {
                        participants += u32::from(day.took_part[i]);
                        if day.took_part[i] != 0 && day.flags[i] & flag::MEMBER != 0 {
                            members += 1;
                        }
                    }
                }
                counts.grid_participants.push(participants);
                counts.grid_members.push(members);
            }
            all.push(counts);
        }
        self.world.attitudes_seen();
        let (mut trust_sums, mut efficacy_sum) = ([0f64; 3], 0f64);
        for (community, counts) in self.world.communities.iter_mut().zip(&all) {
            let grids = community.grids.start as usize..community.grids.end as usize;
            for (k, grid) in self.world.grids[grids].iter_mut().enumerate() {
                grid.participants = counts.grid_participants[k];
                grid.active_members = counts.grid_members[k];
            }
            let t = &mut self.tally;
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
            community.trust_party_sum = counts.trust_sums[0];
            let participants = counts.participants[0] + counts.participants[1];
            community.volunteer_pool = participation::volunteer_pool(s, participants);
        }
        let n = self.world.residents.len().max(1) as f64;
        self.tally.trust = trust_sums.map(|t| t / n);
        self.tally.efficacy = efficacy_sum / n;
    }

    // ---- Detection and escalation (ODD 7.2) ----

    fn detection(&mut self) {
        let s = &self.s;
        for idx in 0..self.active.len() {
            let slot = self.active[idx];
            let issue = &self.issues[slot as usize];
            if issue.status == Status::Latent {
                let res = &self.world.residents;
                let mut by_residents = Vec::new();
                for a in self.affected_of(slot) {
                    let a = a as usize;
                    let takes_part = res.took_part()[a] != 0;
                    by_residents.push(detection::by_resident(
                        s,
                        takes_part,
                        res.mean_trust(a),
                        res.efficacy()[a],
                    ));
                }
                let grid = &self.world.grids[issue.grid as usize];
                let community = &self.world.communities[issue.community as usize];
                let watchers = detection::Watchers {
                    covered: grid.covered,
                    active_members: grid.active_members,
                    service_center: community.service_center,
                };
                let miss = detection::chance_missed(s, by_residents, watchers);
                if self.events.random::<f64>() >= miss {
                    let cross = issue.cross_cutting();
                    let c = issue.community as usize;
                    self.issues[slot as usize].status = Status::Detected;
                    self.tally.detected += 1;
                    if cross {
                        self.world.communities[c].cross_cutting_seen += 1.0;
                    }
                }
            }
            let issue = &mut self.issues[slot as usize];
            if matches!(issue.status, Status::Latent | Status::Detected) {
                issue.severity = detection::grown_severity(s, issue.severity);
                let age = f64::from(self.day - issue.arrival);
                if !issue.escalated && detection::escalates(s, issue.severity, age, issue.patience)
                {
                    issue.escalated = true;
                    self.tally.escalations += 1;
                    if issue.status == Status::Latent {
                        issue.status = Status::Detected;
                        self.tally.detected += 1;
                    }
                }
            }
        }
    }

    // ---- Joint conference (ODD 7.4) ----

    fn joint_conference(&mut self) -> bool {
        let s = self.s.clone();
        self.world
            .org_trust
            .update_all(|t| conference::trust_after_a_day(&s, t));
        if !conference::meets(&self.s, self.day) {
            return false;
        }
        let mut met = vec![false; self.world.alliances.len()];
        for (d, held) in met.iter_mut().enumerate() {
            let alliance = self.world.alliances[d].clone();
            let convened = alliance.iter().any(|&o| {
                let c = self.world.orgs[o as usize].community;
                c != NONE && self.world.communities[c as usize].party_committee != NONE
            });
            if !convened {
                continue;
            }
            *held = true;
            for x in 0..alliance.len() {
                for y in x + 1..alliance.len() {
                    let t0 = self.s.coalition.initial_trust;
                    let t = self
                        .world
                        .org_trust
                        .get_or_insert(alliance[x], alliance[y], t0);
                    *t = conference::trust_after_meeting(&self.s, *t);
                }
            }
            for &o in &alliance {
                let org = &mut self.world.orgs[o as usize];
                let lost = conference::meeting_overhead(&self.s, org.capacity);
                org.overhead_today += lost;
                self.tally.overhead += lost;
            }
        }
        if !met.iter().any(|&m| m) {
            return false;
        }
        // What members bring to the meeting: latent issues come to light,
        // bureaucratic issues waiting for referral get every part referred.
        for idx in 0..self.active.len() {
            let slot = self.active[idx] as usize;
            let c = self.issues[slot].community as usize;
            if !met[self.world.communities[c].subdistrict as usize] {
                continue;
            }
            let chance = conference::disclosure_chance(&self.s);
            if self.issues[slot].status == Status::Latent {
                if chance > 0.0 && self.events.random_bool(chance) {
                    self.issues[slot].status = Status::Detected;
                    self.tally.detected += 1;
                    self.tally.disclosed += 1;
                    if self.issues[slot].cross_cutting() {
                        self.world.communities[c].cross_cutting_seen += 1.0;
                    }
                }
                continue;
            }
            let waiting = self.issues[slot].status == Status::Assigned
                && self.issues[slot].route == Route::Bureaucratic
                && self.issues[slot].next_part < self.issues[slot].n_parts;
            let chance = conference::review_chance(&self.s);
            if waiting && chance > 0.0 && self.events.random_bool(chance) {
                self.tally.reviewed += 1;
                while self.issues[slot].next_part < self.issues[slot].n_parts {
                    self.refer_next_part(slot as u32);
                }
            }
        }
        true
    }

    // ---- Routing (ODD 7.3) ----

    fn has_room(&self, org: u32) -> bool {
        org != NONE
            && routing::has_room(
                self.world.orgs[org as usize].utilization(self.s.coalition.queue_days),
            )
    }

    fn charge_convening(&mut self, org: u32) {
        let cost = routing::convening_cost(&self.s);
        self.world.orgs[org as usize].overhead_today += cost;
        self.tally.overhead += cost;
    }

    fn routing(&mut self) {
        let mut waiting: Vec<u32> = Vec::new();
        for &slot in &self.active {
            if self.issues[slot as usize].status == Status::Detected {
                waiting.push(slot);
            }
        }
        waiting.shuffle(&mut self.events);
        for slot in waiting {
            let issue = &self.issues[slot as usize];
            if issue.escalated {
                self.give_to_department(slot, true);
            } else if issue.cross_cutting() {
                self.route_cross_cutting(slot);
            } else {
                self.route_single(slot);
            }
        }
    }

    fn route_single(&mut self, slot: u32) {
        let c = self.issues[slot as usize].community as usize;
        let competency = self.issues[slot as usize].parts[0].competency;
        let committee = self.world.communities[c].party_committee;
        let kappa = routing::triage_chance(&self.s);
        if kappa > 0.0
            && self.has_room(committee)
            && self.world.orgs[committee as usize].has(competency)
            && self.events.random_bool(kappa)
        {
            self.charge_convening(committee);
            self.take_on(slot, &[committee], Route::PartyConvened, committee, 0.0);
            self.world.communities[c].party_present += 1.0;
            return;
        }
        let mut asked: Vec<u32> = Vec::new();
        for &o in &self.world.communities[c].social_orgs {
            if self.world.orgs[o as usize].has(competency) {
                asked.push(o);
            }
        }
        asked.shuffle(&mut self.events);
        for o in asked {
            let chance = routing::take_on_chance(self.world.orgs[o as usize].autonomy);
            if self.has_room(o) && self.events.random_bool(chance) {
                self.take_on(slot, &[o], Route::SelfOrganized, NONE, 0.0);
                return;
            }
        }
        let rc = self.world.communities[c].committee;
        let chance = routing::take_on_chance(self.world.orgs[rc as usize].autonomy);
        if self.world.orgs[rc as usize].has(competency)
            && self.has_room(rc)
            && self.events.random_bool(chance)
        {
            self.take_on(slot, &[rc], Route::SelfOrganized, NONE, 0.0);
            return;
        }
        self.give_to_department(slot, false);
    }

    fn route_cross_cutting(&mut self, slot: u32) {
        let c = self.issues[slot as usize].community as usize;
        let committee = self.world.communities[c].party_committee;
        let reconvene = self.meeting_today && committee != NONE;
        let stage = self.issues[slot as usize].stage;
        if (stage == Stage::Convening || reconvene) && self.has_room(committee) {
            self.charge_convening(committee);
            let bonus = if reconvene {
                conference::reconvene_bonus(&self.s)
            } else {
                0.0
            };
            let lead = routing::leadership(&self.s, self.world.communities[c].legitimacy, bonus);
            if let Some(members) = self.ask_partners(slot, committee, Some(lead)) {
                let paperwork = routing::paperwork(&self.s);
                self.take_on(slot, &members, Route::PartyConvened, committee, paperwork);
                self.world.communities[c].party_present += 1.0;
                return;
            }
            if stage == Stage::Convening {
                let issue = &mut self.issues[slot as usize];
                issue.tries += 1;
                match routing::after_failed_try(&self.s, issue.tries, true) {
                    AfterFailedTry::TryAgain => return,
                    AfterFailedTry::SelfOrganize => {
                        issue.stage = Stage::Searching;
                        return;
                    }
                    AfterFailedTry::Refer => issue.stage = Stage::Referral,
                }
            }
        } else if stage == Stage::Convening {
            self.issues[slot as usize].stage = Stage::Searching;
        }
        if self.issues[slot as usize].stage == Stage::Searching {
            self.self_organize(slot);
        }
        if self.issues[slot as usize].stage == Stage::Referral {
            self.give_to_department(slot, false);
        }
    }

    fn self_organize(&mut self, slot: u32) {
        let c = self.issues[slot as usize].community as usize;
        if self.issues[slot as usize].convener == NONE {
            let primary = self.issues[slot as usize].parts[0].competency;
            let mut asked: Vec<u32> = Vec::new();
            for &o in &self.world.communities[c].social_orgs {
                if self.world.orgs[o as usize].has(primary) {
                    asked.push(o);
                }
            }
            asked.shuffle(&mut self.events);
            asked.push(self.world.communities[c].committee);
            let mut intake = NONE;
            for o in asked {
                let chance = routing::take_on_chance(self.world.orgs[o as usize].autonomy);
                if self.has_room(o) && self.events.random_bool(chance) {
                    intake = o;
                    break;
                }
            }
            if intake == NONE {
                self.issues[slot as usize].stage = Stage::Referral;
                return;
            }
            self.issues[slot as usize].convener = intake;
        }
        let intake = self.issues[slot as usize].convener;
        if let Some(members) = self.ask_partners(slot, intake, None) {
            self.take_on(slot, &members, Route::SelfOrganized, intake, 0.0);
            return;
        }
        let issue = &mut self.issues[slot as usize];
        issue.tries += 1;
        if routing::after_failed_try(&self.s, issue.tries, false) == AfterFailedTry::Refer {
            issue.stage = Stage::Referral;
            issue.convener = NONE;
        }
    }

    /// For each competency, the reachable organization the asker trusts
    /// most; all must join. `leadership` is `Some` for a party convener.
    fn ask_partners(&mut self, slot: u32, asker: u32, leadership: Option<f64>) -> Option<Vec<u32>> {
        let c = self.issues[slot as usize].community as usize;
        let initial = self.s.coalition.initial_trust;
        let mut members = Vec::new();
        for k in 0..self.issues[slot as usize].n_parts as usize {
            let competency = self.issues[slot as usize].parts[k].competency;
            if self.world.orgs[asker as usize].has(competency) {
                members.push(asker);
                continue;
            }
            let community = &self.world.communities[c];
            let reach = match leadership {
                Some(_) => community.convening_reach[competency as usize].clone(),
                None => community.local_reach[competency as usize].clone(),
            };
            let (mut best, mut best_score) = (NONE, f64::NEG_INFINITY);
            for o in reach {
                if o == asker {
                    continue;
                }
                let t = self.world.trust_between(asker, o).unwrap_or(initial);
                let score = routing::partner_score(t, self.events.random::<f64>());
                if score > best_score {
                    best = o;
                    best_score = score;
                }
            }
            if best == NONE {
                return None;
            }
            let t = self.world.trust_between(asker, best).unwrap_or(initial);
            let load = self.world.orgs[best as usize].utilization(self.s.coalition.queue_days);
            let mut chance = routing::join_chance(&self.s, t, leadership.unwrap_or(0.0), load);
            if leadership.is_some() && self.world.orgs[best as usize].role == OrgRole::Department {
                chance = routing::summoned_join_chance(&self.s, chance);
            }
            if !self.events.random_bool(chance) {
                return None;
            }
            members.push(best);
        }
        Some(members)
    }

    fn give_to_department(&mut self, slot: u32, escalated: bool) {
        let competency = self.issues[slot as usize].parts[0].competency;
        let dept = self.world.departments[competency as usize];
        let issue = &mut self.issues[slot as usize];
        issue.status = Status::Assigned;
        issue.route = Route::Bureaucratic;
        issue.next_part = 1;
        issue.parts[0].handler = dept;
        issue.parts[0].ready_day = self.day + routing::part_delay(&self.s, true, false, escalated);
        let org = &mut self.world.orgs[dept as usize];
        org.queue.push(Task {
            issue: slot,
            part: 0,
        });
        org.backlog += issue.parts[0].remaining;
    }

    fn take_on(&mut self, slot: u32, members: &[u32], route: Route, convener: u32, extra: f64) {
        let issue = &mut self.issues[slot as usize];
        issue.status = Status::Assigned;
        issue.route = route;
        issue.convener = convener;
        issue.next_part = issue.n_parts;
        for k in 0..issue.n_parts as usize {
            let org = if members.len() == 1 {
                members[0]
            } else {
                members[k]
            };
            let delay = routing::part_delay(
                &self.s,
                self.world.orgs[org as usize].role == OrgRole::Department,
                route == Route::PartyConvened,
                issue.escalated,
            );
            let part = &mut issue.parts[k];
            part.handler = org;
            part.ready_day = self.day + delay;
            part.remaining += extra;
            let o = &mut self.world.orgs[org as usize];
            o.queue.push(Task {
                issue: slot,
                part: k as u8,
            });
            o.backlog += part.remaining;
        }
    }

    // ---- Work (ODD 7.5) ----

    fn work(&mut self) {
        let day = self.day;
        let mut own = 0.0;
        for o in 0..self.world.orgs.len() {
            let org = &mut self.world.orgs[o];
            let mut available =
                work::available(org.capacity, self.capacity_multiplier, org.overhead_today);
            let issues = &mut self.issues;
            org.queue.sort_by(|a, b| {
                let (ua, ub) = (
                    issues[a.issue as usize].urgency(day),
                    issues[b.issue as usize].urgency(day),
                );
                ub.total_cmp(&ua)
                    .then(a.issue.cmp(&b.issue))
                    .then(a.part.cmp(&b.part))
            });
            for task in &org.queue {
                if available <= 0.0 {
                    break;
                }
                let part = &mut issues[task.issue as usize].parts[task.part as usize];
                if part.ready_day > day {
                    continue;
                }
                let spent = available.min(part.remaining);
                part.remaining -= spent;
                org.backlog -= spent;
                available -= spent;
                own += spent;
                if part.remaining <= work::DONE {
                    part.done = true;
                }
            }
            org.queue
                .retain(|t| !issues[t.issue as usize].parts[t.part as usize].done);
            org.backlog = org.backlog.max(0.0);
            org.unused_today = available;
        }
        self.tally.own_effort += own;
    }

    fn top_up(&mut self) {
        let s = &self.s;
        let day = self.day;
        let n_sub = self.world.alliances.len();
        let mut pools = vec![0.0; n_sub];
        if s.party.procedure.pooling > 0.0 {
            for (d, alliance) in self.world.alliances.iter().enumerate() {
                for &o in alliance {
                    let org = &self.world.orgs[o as usize];
                    pools[d] += work::pooled(s, org.unused_today, org.subdistrict == NONE, n_sub);
                }
            }
        }
        let mut order: Vec<u32> = Vec::new();
        for &slot in &self.active {
            if self.issues[slot as usize].status == Status::Assigned {
                order.push(slot);
            }
        }
        let issues = &self.issues;
        order.sort_by(|&a, &b| {
            let (ua, ub) = (
                issues[a as usize].urgency(day),
                issues[b as usize].urgency(day),
            );
            ub.total_cmp(&ua).then(a.cmp(&b))
        });
        let (mut pooled, mut volunteered) = (0.0, 0.0);
        for slot in order {
            let issue = &mut self.issues[slot as usize];
            let community = &mut self.world.communities[issue.community as usize];
            let coalition = issue.cross_cutting() && issue.route != Route::Bureaucratic;
            for k in 0..issue.n_parts as usize {
                let part = &mut issue.parts[k];
                if part.done || part.handler == NONE || part.ready_day > day {
                    continue;
                }
                let org = &mut self.world.orgs[part.handler as usize];
                let government = org.role.kind() == Kind::Government;
                let before = part.remaining;
                if work::volunteers_help(coalition, government) && community.volunteer_pool > 0.0 {
                    let spent = community.volunteer_pool.min(part.remaining);
                    community.volunteer_pool -= spent;
                    part.remaining -= spent;
                    volunteered += spent;
                }
                let pool = &mut pools[community.subdistrict as usize];
                if work::pool_helps(coalition, org.alliance)
                    && *pool > 0.0
                    && part.remaining > work::DONE
                {
                    let spent = pool.min(part.remaining);
                    *pool -= spent;
                    part.remaining -= spent;
                    pooled += spent;
                }
                org.backlog = (org.backlog - (before - part.remaining)).max(0.0);
                if part.remaining <= work::DONE {
                    part.done = true;
                    let task = Task {
                        issue: slot,
                        part: k as u8,
                    };
                    org.queue.retain(|t| *t != task);
                }
            }
        }
        self.tally.pooled_effort += pooled;
        self.tally.volunteer_effort += volunteered;
    }

    fn refer(&mut self) {
        let chance = work::referral_chance(&self.s);
        for idx in 0..self.active.len() {
            let slot = self.active[idx];
            let issue = &self.issues[slot as usize];
            if issue.status != Status::Assigned || issue.route != Route::Bureaucratic {
                continue;
            }
            let next = issue.next_part as usize;
            if next >= issue.n_parts as usize
                || !work::may_refer_next(&self.s, issue.parts[next - 1].done)
            {
                continue;
            }
            if !self.events.random_bool(chance) {
                continue;
            }
            self.refer_next_part(slot);
        }
    }

    /// Gives bureaucratic issue `slot`'s next part to its department. A
    /// referred part waits the delay even for a petition: only its first
    /// part is handled as urgent.
    fn refer_next_part(&mut self, slot: u32) {
        let issue = &mut self.issues[slot as usize];
        let next = issue.next_part as usize;
        let dept = self.world.departments[issue.parts[next].competency as usize];
        issue.next_part += 1;
        issue.parts[next].handler = dept;
        issue.parts[next].ready_day = self.day + routing::part_delay(&self.s, true, false, false);
        let org = &mut self.world.orgs[dept as usize];
        org.queue.push(Task {
            issue: slot,
            part: next as u8,
        });
        org.backlog += issue.parts[next].remaining;
    }

    // ---- Outcomes and feedback (ODD 7.6) ----

    fn closures(&mut self) {
        let mut recurrences = Vec::new();
        for idx in 0..self.active.len() {
            let slot = self.active[idx];
            let issue = &self.issues[slot as usize];
            let finished = issue.status == Status::Assigned && issue.parts().iter().all(|p| p.done);
            let expired = f64::from(self.day - issue.arrival) > issue.patience;
            if finished {
                // Deliberators: affected residents who take part today and
                // their ties who take part today, counted afresh.
                let took_part = self.world.residents.took_part();
                let mut deliberators = 0;
                for a in self.affected_of(slot) {
                    deliberators += u32::from(took_part[a as usize]);
                    let ties = self.world.residents.ties().of(a as usize);
                    deliberators +=
                        ties.iter().filter(|&&j| took_part[j as usize] != 0).count() as u32;
                }
                let quality = feedback::quality(&self.s, deliberators);
                self.close(slot, Some(quality));
                let recurrence = feedback::recurrence_chance(&self.s, quality);
                if self.events.random_bool(recurrence) {
                    let issue = &self.issues[slot as usize];
                    let comps: Vec<u8> = issue.parts().iter().map(|p| p.competency).collect();
                    recurrences.push((self.affected_of(slot)[0], comps));
                }
            } else if expired {
                self.close(slot, None);
            }
        }
        let issues = &self.issues;
        self.active.retain(|&s| issues[s as usize].open());
        for (reporter, comps) in recurrences {
            self.new_issue(reporter, &comps);
        }
    }

    /// Closes issue `slot`: resolved with a quality, or abandoned (`None`).
    fn close(&mut self, slot: u32, resolved_with: Option<f64>) {
        let resolved = resolved_with.is_some();
        let issue = &self.issues[slot as usize];
        let mut handlers: Vec<u32> = issue
            .parts()
            .iter()
            .map(|p| p.handler)
            .filter(|&h| h != NONE)
            .collect();
        if issue.convener != NONE {
            handlers.push(issue.convener);
        }
        handlers.sort_unstable();
        handlers.dedup();
        let mut kinds = [false; 3];
        for &o in &handlers {
            kinds[self.world.orgs[o as usize].role.kind() as usize] = true;
        }
        if !resolved {
            if handlers.is_empty() {
                kinds[Kind::Government as usize] = true;
            }
            for (k, part) in issue.parts().iter().enumerate() {
                if part.handler != NONE && !part.done {
                    let org = &mut self.world.orgs[part.handler as usize];
                    let task = Task {
                        issue: slot,
                        part: k as u8,
                    };
                    org.queue.retain(|t| *t != task);
                    org.backlog = (org.backlog - part.remaining).max(0.0);
                }
            }
        }
        let issue = &mut self.issues[slot as usize];
        let cross = issue.cross_cutting();
        let t = &mut self.tally;
        let community = &mut self.world.communities[issue.community as usize];
        if resolved {
            issue.status = Status::Resolved;
            t.resolved += 1;
            t.resolved_cross += u32::from(cross);
            t.resolved_migrant += u32::from(issue.migrant);
            t.by_route[issue.route as usize - 1] += 1;
            t.quality_sum += resolved_with.unwrap_or(0.0);
            t.satisfied += feedback::satisfaction(
                &self.s,
                resolved_with.unwrap_or(0.0),
                self.day - issue.arrival,
                issue.patience,
            );
            let mut part_handlers: Vec<u32> = issue.parts().iter().map(|p| p.handler).collect();
            part_handlers.dedup();
            if cross && issue.route != Route::Bureaucratic && part_handlers.len() > 1 {
                t.resolved_cross_jointly += 1;
            }
            t.resolution_days
                .push((self.day - issue.arrival, cross, issue.route as u8 - 1));
            let n_kinds = kinds.iter().filter(|&&k| k).count() as f64;
            for (k, &handled) in kinds.iter().enumerate() {
                if handled {
                    t.credit[k] += 1.0 / n_kinds;
                }
            }
            for &o in &handlers {
                t.org_credit.push((
                    o,
                    1.0 / handlers.len() as f64,
                    self.world.orgs[o as usize].autonomy,
                ));
            }
            if issue.route == Route::PartyConvened {
                community.convened_outcomes.0 += 1.0;
            }
        } else {
            issue.status = Status::Abandoned;
            t.abandoned += 1;
            t.abandoned_cross += u32::from(cross);
            t.abandoned_migrant += u32::from(issue.migrant);
            if issue.route == Route::PartyConvened {
                community.convened_outcomes.1 += 1.0;
            }
        }
        self.residents_see(slot, kinds, resolved_with);
        for x in 0..handlers.len() {
            for y in x + 1..handlers.len() {
                let initial = self.s.coalition.initial_trust;
                let t = self
                    .world
                    .org_trust
                    .get_or_insert(handlers[x], handlers[y], initial);
                *t = feedback::org_trust_after(&self.s, *t, resolved);
            }
        }
        self.free.push(slot);
    }

    /// Trust and efficacy of the affected residents, then of every resident
    /// of the issue's grid as observers, one resident at a time.
    fn residents_see(&mut self, slot: u32, kinds: [bool; 3], resolved_with: Option<f64>) {
        let s = &self.s;
        let resolved = resolved_with.is_some();
        let change = |trust: f32| match resolved_with {
            Some(quality) => feedback::trust_gain(s, quality, trust),
            None => feedback::trust_loss(s, trust),
        };
        let update = |world: &mut World, i: usize, weight: f64, efficacy: f64| {
            world.change_attitudes(i, |trust, own_efficacy| {
                for (t, &handled) in trust.iter_mut().zip(&kinds) {
                    if handled {
                        *t = feedback::changed(*t, weight, change(*t));
                    }
                }
                *own_efficacy = feedback::changed(*own_efficacy, weight, efficacy);
            });
        };
        for a in self.affected_of(slot) {
            let takes_part = self.world.residents.took_part()[a as usize] != 0;
            let efficacy = feedback::efficacy_change(s, resolved, takes_part);
            update(&mut self.world, a as usize, 1.0, efficacy);
        }
        let w = feedback::observer_weight(s);
        if w > 0.0 {
            let grid = self.issues[slot as usize].grid as usize;
            let efficacy = feedback::efficacy_change(s, resolved, false);
            for (a, b) in self.world.grids[grid].ranges().to_vec() {
                for i in a as usize..b as usize {
                    update(&mut self.world, i, w, efficacy);
                }
            }
        }
    }

    fn legitimacy_and_autonomy(&mut self) {
        let s = &self.s;
        let decay = feedback::presence_decay();
        for c in &mut self.world.communities {
            if c.party_committee != NONE {
                let basis = feedback::LegitimacyBasis {
                    trust_in_party: c.trust_party_sum / f64::from(c.population().max(1)),
                    convened_outcomes: c.convened_outcomes,
                    party_present: c.party_present,
                    cross_cutting_seen: c.cross_cutting_seen,
                };
                c.legitimacy = feedback::legitimacy_after(s, c.legitimacy, &basis);
            }
            c.party_present *= decay;
            c.cross_cutting_seen *= decay;
            c.convened_outcomes.0 *= decay;
            c.convened_outcomes.1 *= decay;
        }
        for org in &mut self.world.orgs {
            if org.role.kind() == Kind::Social && org.role != OrgRole::Enterprise {
                org.autonomy = feedback::autonomy_after(s, org.autonomy);
            }
        }
    }

    // ---- Trust diffusion (ODD 7.7) ----

    fn diffusion(&mut self) {
        let r = &self.s.residents;
        let (w, forget) = (r.diffusion as f32, r.forgetting as f32);
        let (trust0, efficacy0) = (r.initial_trust as f32, r.initial_efficacy as f32);
        if forget != 0.0 {
            for i in 0..self.world.residents.len() {
                self.world.change_attitudes(i, |_, e| {
                    *e = diffusion::forgotten(*e, efficacy0, forget);
                });
            }
        }
        if w == 0.0 && forget == 0.0 {
            return;
        }
        let res = &self.world.residents;
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
        self.world.replace_trust(&mut next);
    }

    // ---- Record ----

    fn record(&mut self) {
        let t = &mut self.tally;
        t.open = self.active.len() as u32;
        let legitimacy: Vec<f64> = self
            .world
            .communities
            .iter()
            .filter(|c| c.party_committee != NONE)
            .map(|c| c.legitimacy)
            .collect();
        t.legitimacy = if legitimacy.is_empty() {
            f64::NAN
        } else {
            legitimacy.iter().sum::<f64>() / legitimacy.len() as f64
        };
        let pairs = self.world.org_trust.len() as f64;
        t.org_trust = if pairs > 0.0 {
            self.world.org_trust.values().sum::<f64>() / pairs
        } else {
            0.0
        };
        t.org_density = if self.world.possible_pairs > 0.0 {
            (pairs / self.world.possible_pairs).min(1.0)
        } else {
            0.0
        };
        t.capacity =
            self.world.orgs.iter().map(|o| o.capacity).sum::<f64>() * self.capacity_multiplier;
    }
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
