//! Who takes on a detected issue (design 4.3) and the joint conference of the
//! regional alliance (4.4).

use rand::RngExt;
use rand::seq::SliceRandom;

use super::Model;
use super::issue::{Route, Stage, Status};
use super::party_specific;
use super::rules::routing::AfterFailedTry;
use super::rules::{conference, routing as rules};
use super::world::{NONE, OrgRole, Task};

/// How a coalition is being formed: by the community's convener or self-organized.
#[derive(Clone, Copy, PartialEq)]
enum Formation {
    Convened { bonus: f64 },
    SelfOrganized,
}

impl Model {
    /// Trust between organizations fades a little every day; every
    /// `meeting_interval` days the alliance of each subdistrict meets.
    /// Returns whether a meeting was held today.
    pub(super) fn joint_conference(&mut self) -> bool {
        let s = &self.scenario;
        self.world
            .org_trust
            .update_all(|t| conference::trust_after_a_day(s, t));
        if !conference::meets(s, self.day) {
            return false;
        }
        let t0 = s.coalition.initial_trust;
        let multiplier = self.capacity_multiplier;
        let world = &mut self.world;
        let mut met = vec![false; world.alliances.len()];
        for (d, alliance) in world.alliances.iter().enumerate() {
            // A joint conference needs a convener in the subdistrict.
            let convened = alliance.iter().any(|&o| {
                let org = &world.orgs[o as usize];
                org.community != NONE && world.communities[org.community as usize].convener != NONE
            });
            if !convened {
                continue;
            }
            met[d] = true;
            for (x, &a) in alliance.iter().enumerate() {
                for &b in &alliance[x + 1..] {
                    let t = world.org_trust.get_or_insert(a, b, t0);
                    *t = conference::trust_after_meeting(s, *t);
                }
            }
            for &o in alliance {
                let org = &mut world.orgs[o as usize];
                // No member loses more than it has left today.
                let left =
                    super::rules::work::available(org.capacity, multiplier, org.overhead_today);
                let lost = conference::meeting_overhead(s, org.capacity).min(left);
                org.overhead_today += lost;
                self.tally.overhead += lost;
            }
        }
        if !met.contains(&true) {
            return false;
        }
        self.share_and_review(&met);
        true
    }

    /// What members bring to a meeting of the alliances that `met`: latent
    /// issues of their subdistrict come to light (information shared), and
    /// bureaucratic issues waiting to be referred get all their remaining
    /// parts referred at once (joint commitment of the departments).
    fn share_and_review(&mut self, met: &[bool]) {
        let disclose = conference::disclosure_chance(&self.scenario);
        let review = conference::review_chance(&self.scenario);
        let delay = rules::part_delay(&self.scenario, self.compliance, true, false, false);
        for idx in 0..self.active.len() {
            let slot = self.active[idx];
            let issue = &self.issues[slot as usize];
            let c = issue.community as usize;
            if !met[self.world.communities[c].subdistrict as usize] {
                continue;
            }
            if issue.status == Status::Latent {
                if disclose > 0.0 && self.events.random_bool(disclose) {
                    let cross = issue.cross_cutting();
                    self.issues[slot as usize].detect(self.day);
                    self.tally.detected += 1;
                    self.tally.disclosed += 1;
                    if cross {
                        self.world.communities[c].cross_cutting_seen += 1.0;
                    }
                }
            } else if issue.status == Status::Assigned
                && issue.route == Route::Bureaucratic
                && issue.next_part < issue.n_parts
                && review > 0.0
                && self.events.random_bool(review)
            {
                self.tally.reviewed += 1;
                while self.issues[slot as usize].next_part < self.issues[slot as usize].n_parts {
                    self.refer_next_part(slot, delay);
                }
            }
        }
    }

    /// Routes every detected issue that no one has taken on yet, in random order.
    pub(super) fn route(&mut self) {
        let mut waiting: Vec<u32> = self
            .active
            .iter()
            .copied()
            .filter(|&s| self.issues[s as usize].status == Status::Detected)
            .collect();
        waiting.shuffle(&mut self.events);
        for slot in waiting {
            if self.issues[slot as usize].escalated {
                self.assign_bureaucratic(slot, true);
            } else if self.issues[slot as usize].cross_cutting() {
                self.route_cross_cutting(slot);
            } else {
                self.route_single(slot);
            }
        }
    }

    /// Whether `org` can take on more work.
    fn has_room(&self, org: u32) -> bool {
        org != NONE
            && rules::has_room(
                self.world.orgs[org as usize].utilization(self.scenario.coalition.queue_days),
            )
    }

    /// Whether `org` has today's capacity left for a convening try or a
    /// triage.
    fn can_convene(&self, org: u32) -> bool {
        let o = &self.world.orgs[org as usize];
        let left =
            super::rules::work::available(o.capacity, self.capacity_multiplier, o.overhead_today);
        rules::can_convene(left, rules::convening_cost(&self.scenario))
    }

    /// Whether an issue of community `c` is brought to its convener, by its
    /// legitimacy.
    fn brought(&mut self, c: usize) -> bool {
        let chance =
            rules::brought_to_convener(&self.scenario, self.world.communities[c].legitimacy);
        self.events.random_bool(chance)
    }

    /// Whether `org` takes on an issue it is asked to (or convenes it): by
    /// the one intake rule, from its mandate and autonomy.
    fn takes_on(&mut self, org: u32) -> bool {
        let o = &self.world.orgs[org as usize];
        let chance = rules::take_on_chance(o.autonomy, o.mandate);
        self.events.random_bool(chance)
    }

    /// Charges convening or triage effort to the convener.
    fn charge_convening(&mut self, org: u32) {
        let cost = rules::convening_cost(&self.scenario);
        self.world.orgs[org as usize].overhead_today += cost;
        self.tally.overhead += cost;
    }

    fn route_single(&mut self, slot: u32) {
        let c = self.issues[slot as usize].community as usize;
        let comp = self.issues[slot as usize].parts[0].competency;
        let kappa = rules::triage_chance(&self.scenario);
        let committee = self.world.communities[c].convener;
        // Triage: the convener claims an issue its staff can handle first,
        // with probability κ, if the issue is brought to it.
        if kappa > 0.0
            && self.has_room(committee)
            && self.can_convene(committee)
            && self.world.orgs[committee as usize].has(comp)
            && self.events.random_bool(kappa)
            && self.brought(c)
        {
            self.charge_convening(committee);
            self.assign(slot, &[committee], Route::Convened, committee, 0.0);
            self.world.communities[c].convener_present += 1.0;
            return;
        }
        let mut candidates: Vec<u32> = self.world.communities[c]
            .social_orgs
            .iter()
            .copied()
            .filter(|&o| self.world.orgs[o as usize].has(comp))
            .collect();
        candidates.shuffle(&mut self.events);
        for o in candidates {
            if self.has_room(o) && self.takes_on(o) {
                self.assign(slot, &[o], Route::SelfOrganized, NONE, 0.0);
                return;
            }
        }
        // The residents' committee takes it on like any intake (one rule
        // for every intake).
        let rc = self.world.communities[c].committee;
        if self.world.orgs[rc as usize].has(comp) && self.has_room(rc) && self.takes_on(rc) {
            self.assign(slot, &[rc], Route::SelfOrganized, NONE, 0.0);
            return;
        }
        self.assign_bureaucratic(slot, false);
    }

    fn route_cross_cutting(&mut self, slot: u32) {
        let c = self.issues[slot as usize].community as usize;
        let committee = self.world.communities[c].convener;
        // At a joint conference, stalled issues are re-convened with a bonus.
        let reconvene = self.meeting_today && committee != NONE;
        // On its first day an issue is brought to the convener, or goes to
        // a self-organized search.
        if committee != NONE
            && self.issues[slot as usize].stage == Stage::Convening
            && self.issues[slot as usize].tries == 0
            && !self.brought(c)
        {
            self.issues[slot as usize].stage = Stage::Searching;
        }
        let stage = self.issues[slot as usize].stage;
        if (stage == Stage::Convening || reconvene)
            && self.has_room(committee)
            && self.can_convene(committee)
            && self.takes_on(committee)
        {
            self.charge_convening(committee);
            let bonus = if reconvene {
                conference::reconvene_bonus(&self.scenario)
            } else {
                0.0
            };
            if let Some(members) =
                self.form_coalition(slot, committee, Formation::Convened { bonus })
            {
                let paperwork = rules::paperwork(&self.scenario);
                self.assign(slot, &members, Route::Convened, committee, paperwork);
                self.world.communities[c].convener_present += 1.0;
                return;
            }
            if stage == Stage::Convening {
                let issue = &mut self.issues[slot as usize];
                issue.tries += 1;
                match rules::after_failed_try(&self.scenario, issue.tries, true) {
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
            self.search_partners(slot);
        }
        if self.issues[slot as usize].stage == Stage::Referral {
            self.assign_bureaucratic(slot, false);
        }
    }

    /// Self-organized route: an intake organization takes the issue on and
    /// searches partners in its own trust network, one search day a try.
    fn search_partners(&mut self, slot: u32) {
        let c = self.issues[slot as usize].community as usize;
        if self.issues[slot as usize].convener == NONE {
            let primary = self.issues[slot as usize].parts[0].competency;
            let community = &self.world.communities[c];
            let mut candidates: Vec<u32> = community
                .social_orgs
                .iter()
                .copied()
                .filter(|&o| self.world.orgs[o as usize].has(primary))
                .collect();
            candidates.shuffle(&mut self.events);
            candidates.push(community.committee);
            let intake = candidates
                .into_iter()
                .find(|&o| self.has_room(o) && self.takes_on(o));
            match intake {
                Some(o) => self.issues[slot as usize].convener = o,
                None => {
                    self.issues[slot as usize].stage = Stage::Referral;
                    return;
                }
            }
        }
        let intake = self.issues[slot as usize].convener;
        if let Some(members) = self.form_coalition(slot, intake, Formation::SelfOrganized) {
            self.assign(slot, &members, Route::SelfOrganized, intake, 0.0);
            return;
        }
        let issue = &mut self.issues[slot as usize];
        issue.tries += 1;
        if rules::after_failed_try(&self.scenario, issue.tries, false) == AfterFailedTry::Refer {
            issue.stage = Stage::Referral;
            issue.convener = NONE;
        }
    }

    /// Asks, for each competency, the reachable organization the asker trusts
    /// most; returns the members if every one joins.
    fn form_coalition(&mut self, slot: u32, asker: u32, formation: Formation) -> Option<Vec<u32>> {
        let s = &self.scenario;
        let co = &s.coalition;
        let c = self.issues[slot as usize].community as usize;
        let community = &self.world.communities[c];
        let lead = match formation {
            Formation::Convened { bonus } => rules::leadership(s, community.legitimacy, bonus),
            Formation::SelfOrganized => rules::intake_leadership(s),
        };
        let n_parts = self.issues[slot as usize].n_parts as usize;
        let mut members = Vec::with_capacity(n_parts);
        for k in 0..n_parts {
            let comp = self.issues[slot as usize].parts[k].competency;
            if self.world.orgs[asker as usize].has(comp) {
                members.push(asker);
                continue;
            }
            let reach = match formation {
                Formation::Convened { .. } => &community.convening_reach[comp as usize],
                Formation::SelfOrganized => &community.local_reach[comp as usize],
            };
            // The most trusted reachable organization; ties broken at random.
            let mut best = NONE;
            let mut best_score = f64::NEG_INFINITY;
            for &o in reach {
                if o == asker {
                    continue;
                }
                let t = self
                    .world
                    .trust_between(asker, o)
                    .unwrap_or(co.initial_trust);
                let score = rules::partner_score(t, self.events.random::<f64>());
                if score > best_score {
                    best = o;
                    best_score = score;
                }
            }
            if best == NONE {
                return None;
            }
            let t = self
                .world
                .trust_between(asker, best)
                .unwrap_or(co.initial_trust);
            let org = &self.world.orgs[best as usize];
            let load = org.utilization(co.queue_days);
            let mut chance = rules::join_chance(s, t, lead, load);
            if matches!(formation, Formation::Convened { .. })
                && party_specific::summons(&self.world, asker, best)
            {
                chance = rules::summoned_join_chance(s, chance);
            }
            if !self.events.random_bool(chance) {
                return None;
            }
            members.push(best);
        }
        Some(members)
    }

    /// Bureaucratic route: the primary department takes the first part; the
    /// rest are referred one after another. Escalated issues skip the delay.
    fn assign_bureaucratic(&mut self, slot: u32, urgent: bool) {
        let comp = self.issues[slot as usize].parts[0].competency;
        let dept = self.world.departments[comp as usize];
        let delay = rules::part_delay(&self.scenario, self.compliance, true, false, urgent);
        self.take_on(slot, Route::Bureaucratic);
        let issue = &mut self.issues[slot as usize];
        issue.next_part = 1;
        issue.parts[0].handler = dept;
        issue.parts[0].ready_day = self.day + delay;
        let remaining = issue.parts[0].remaining;
        let org = &mut self.world.orgs[dept as usize];
        org.queue.push(Task {
            issue: slot,
            part: 0,
        });
        org.backlog += remaining;
    }

    /// Marks issue `slot` taken on by `route` today, the one place for what
    /// every route records: its status and route, whether its reporter had
    /// a reply in time, and the counts of issues taken on (by the convener).
    fn take_on(&mut self, slot: u32, route: Route) {
        self.tally.assigned[0] += 1;
        self.tally.assigned[1] += u32::from(route == Route::Convened);
        let reply_days = self.scenario.issues.reply_days;
        let issue = &mut self.issues[slot as usize];
        issue.responded = rules::replied_in_time(self.day, issue.detected_day, reply_days);
        issue.status = Status::Assigned;
        issue.route = route;
    }

    /// Puts every part of issue `slot` into its member's queue at once.
    fn assign(
        &mut self,
        slot: u32,
        members: &[u32],
        route: Route,
        convener: u32,
        extra_effort: f64,
    ) {
        self.take_on(slot, route);
        let issue = &mut self.issues[slot as usize];
        issue.convener = convener;
        issue.next_part = issue.n_parts;
        let single_handler = members.len() == 1 && issue.n_parts == 1;
        let summoned = route == Route::Convened;
        for k in 0..issue.n_parts as usize {
            let org = if single_handler {
                members[0]
            } else {
                members[k]
            };
            let department = self.world.orgs[org as usize].role == OrgRole::Department;
            let summoned = summoned && party_specific::summons(&self.world, convener, org);
            let delay = rules::part_delay(
                &self.scenario,
                self.compliance,
                department,
                summoned,
                issue.escalated,
            );
            let part = &mut issue.parts[k];
            part.handler = org;
            part.ready_day = self.day + delay;
            part.remaining += extra_effort;
            let o = &mut self.world.orgs[org as usize];
            o.queue.push(Task {
                issue: slot,
                part: k as u8,
            });
            o.backlog += part.remaining;
        }
    }
}
