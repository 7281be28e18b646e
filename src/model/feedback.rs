//! Outcomes and feedback (design 4.6): resolution with quality, recurrence,
//! abandonment, trust and efficacy of residents and observers,
//! inter-organizational trust, party legitimacy and the erosion of autonomy.

use rand::RngExt;

use super::Model;
use super::issue::{Route, Status};
use super::world::{Kind, NONE, OrgRole, Task};

/// Half-life, in days, of the counts behind party legitimacy (about 2 months).
const PRESENCE_MEMORY_DAYS: f64 = 60.0;

impl Model {
    /// Closes finished and expired issues and applies their feedback.
    pub(super) fn close_issues(&mut self) {
        let mut recurrences = Vec::new();
        let mut closed = false;
        for idx in 0..self.active.len() {
            let slot = self.active[idx];
            let issue = &self.issues[slot as usize];
            let finished = issue.status == Status::Assigned && issue.parts().iter().all(|p| p.done);
            let expired = f64::from(self.day - issue.arrival) > issue.patience;
            if finished {
                let quality = self.quality(slot);
                self.resolve(slot, quality);
                let recurrence = (1.0 - quality) * self.scenario.issues.recurrence;
                if self.events.random_bool(recurrence.clamp(0.0, 1.0)) {
                    let issue = &self.issues[slot as usize];
                    let comps: Vec<u8> = issue.parts().iter().map(|p| p.competency).collect();
                    recurrences.push((self.affected_of(slot)[0], comps));
                }
                closed = true;
            } else if expired {
                self.abandon(slot);
                closed = true;
            }
        }
        if closed {
            let issues = &self.issues;
            self.active.retain(|&s| issues[s as usize].open());
        }
        for (reporter, comps) in recurrences {
            self.spawn_issue(reporter, &comps);
        }
    }

    /// Quality Q = q0 + q_delib · min(1, deliberators / deliberators_needed),
    /// deliberators being affected residents and their ties who take part today.
    fn quality(&self, slot: u32) -> f64 {
        let r = &self.scenario.residents;
        let res = &self.world.residents;
        let mut deliberators = 0u32;
        for &a in self.affected_of(slot) {
            let a = a as usize;
            deliberators += u32::from(res.took_part[a]);
            // Residents built with the district have their count at hand.
            deliberators += self
                .tie_counts
                .of(a)
                .unwrap_or_else(|| res.ties.count_marked(a, &res.took_part));
        }
        let share = (f64::from(deliberators) / f64::from(r.deliberators_needed)).min(1.0);
        (r.q0 + r.q_delib * share).min(1.0)
    }

    /// Organizations that handled issue `slot`, its convener included.
    fn handlers(&self, slot: u32) -> Vec<u32> {
        let issue = &self.issues[slot as usize];
        let mut orgs: Vec<u32> = issue
            .parts()
            .iter()
            .map(|p| p.handler)
            .filter(|&h| h != NONE)
            .collect();
        if issue.convener != NONE {
            orgs.push(issue.convener);
        }
        orgs.sort_unstable();
        orgs.dedup();
        orgs
    }

    fn kinds_of(&self, orgs: &[u32]) -> [bool; 3] {
        let mut kinds = [false; 3];
        for &o in orgs {
            kinds[self.world.orgs[o as usize].role.kind() as usize] = true;
        }
        kinds
    }

    fn resolve(&mut self, slot: u32, quality: f64) {
        let orgs = self.handlers(slot);
        let kinds = self.kinds_of(&orgs);
        let issue = &mut self.issues[slot as usize];
        issue.status = Status::Resolved;
        let t = &mut self.tally;
        t.resolved += 1;
        t.resolved_cross += u32::from(issue.cross_cutting());
        t.resolved_migrant += u32::from(issue.migrant);
        t.by_route[issue.route as usize - 1] += 1;
        t.resolution_days.push((
            self.day - issue.arrival,
            issue.cross_cutting(),
            issue.route as u8 - 1,
        ));
        let n_kinds = kinds.iter().filter(|&&k| k).count() as f64;
        for (k, &handled) in kinds.iter().enumerate() {
            if handled {
                t.credit[k] += 1.0 / n_kinds;
            }
        }
        let convened_by_party = issue.route == Route::PartyConvened;
        let community = issue.community as usize;
        if convened_by_party {
            self.world.communities[community].convened_outcomes.0 += 1.0;
        }
        let gain = self.scenario.residents.trust_gain * quality;
        let eff = self.scenario.residents.efficacy_gain;
        self.update_residents(slot, kinds, |trust| gain * (1.0 - f64::from(trust)), eff);
        self.update_org_trust(&orgs, true);
        self.release_slot(slot);
    }

    fn abandon(&mut self, slot: u32) {
        let orgs = self.handlers(slot);
        let mut kinds = self.kinds_of(&orgs);
        if orgs.is_empty() {
            kinds[Kind::Government as usize] = true;
        }
        // Take its unfinished parts out of the queues.
        let issue = &self.issues[slot as usize];
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
        let issue = &mut self.issues[slot as usize];
        issue.status = Status::Abandoned;
        let t = &mut self.tally;
        t.abandoned += 1;
        t.abandoned_cross += u32::from(issue.cross_cutting());
        t.abandoned_migrant += u32::from(issue.migrant);
        if issue.route == Route::PartyConvened {
            self.world.communities[issue.community as usize]
                .convened_outcomes
                .1 += 1.0;
        }
        let loss = self.scenario.residents.trust_loss;
        let eff = -self.scenario.residents.efficacy_loss;
        self.update_residents(slot, kinds, |trust| -loss * f64::from(trust), eff);
        self.update_org_trust(&orgs, false);
        self.release_slot(slot);
    }

    fn release_slot(&mut self, slot: u32) {
        self.free.push(slot);
    }

    /// Applies `delta(trust)` to trust in each handling kind and `efficacy`
    /// to efficacy: fully for affected residents (efficacy twice for those who
    /// take part), with `observer_weight` for everyone else in the grid.
    fn update_residents(
        &mut self,
        slot: u32,
        kinds: [bool; 3],
        delta: impl Fn(f32) -> f64,
        efficacy: f64,
    ) {
        let a = self.scenario.issues.affected as usize;
        let w = self.scenario.residents.observer_weight;
        let grid = self.issues[slot as usize].grid as usize;
        let res = &mut self.world.residents;
        let apply = |res: &mut super::world::Residents, i: usize, weight: f64, eff: f64| {
            for (k, &handled) in kinds.iter().enumerate() {
                if handled {
                    let t = res.trust[k][i];
                    res.trust[k][i] = (f64::from(t) + weight * delta(t)).clamp(0.0, 1.0) as f32;
                }
            }
            res.efficacy[i] = (f64::from(res.efficacy[i]) + weight * eff).clamp(0.0, 1.0) as f32;
        };
        // The affected residents live in the issue's grid too.
        self.attitudes.mark(grid as u32);
        for k in 0..a {
            let i = self.affected[slot as usize * a + k] as usize;
            let boost = if res.took_part[i] != 0 { 2.0 } else { 1.0 };
            apply(res, i, 1.0, efficacy * boost);
        }
        if w > 0.0 {
            // The same update for every resident of the grid, one quantity
            // at a time over each range, so that many residents go at once.
            for &(lo, hi) in &self.world.grids[grid].ranges {
                let (lo, hi) = (lo as usize, hi as usize);
                for (k, &handled) in kinds.iter().enumerate() {
                    if handled {
                        for t in &mut res.trust[k][lo..hi] {
                            *t = (f64::from(*t) + w * delta(*t)).clamp(0.0, 1.0) as f32;
                        }
                    }
                }
                for e in &mut res.efficacy[lo..hi] {
                    *e = (f64::from(*e) + w * efficacy).clamp(0.0, 1.0) as f32;
                }
            }
        }
    }

    /// τ⁺ on shared success, τ⁻ on shared failure, for every pair of handlers.
    fn update_org_trust(&mut self, orgs: &[u32], success: bool) {
        let co = &self.scenario.coalition;
        for (x, &a) in orgs.iter().enumerate() {
            for &b in &orgs[x + 1..] {
                let t = self.world.org_trust.get_or_insert(a, b, co.initial_trust);
                *t = if success {
                    *t + co.trust_gain * (1.0 - *t)
                } else {
                    *t - co.trust_loss * *t
                };
            }
        }
    }

    /// Party legitimacy moves toward trust × success × presence; autonomy
    /// erodes toward autonomy × (1 − κ).
    pub(super) fn update_party_and_autonomy(&mut self) {
        let rate = self.scenario.party.security.legitimacy_rate;
        let decay = 0.5f64.powf(1.0 / PRESENCE_MEMORY_DAYS);
        for c in &mut self.world.communities {
            if c.party_committee != NONE {
                let trust = c.trust_party_sum / f64::from(c.population.max(1));
                let (won, lost) = c.convened_outcomes;
                let success = (won + 1.0) / (won + lost + 2.0);
                let presence = if c.cross_cutting_seen < 0.5 {
                    1.0
                } else {
                    (c.party_present / c.cross_cutting_seen).min(1.0)
                };
                c.legitimacy += rate * (trust * success * presence - c.legitimacy);
            }
            c.party_present *= decay;
            c.cross_cutting_seen *= decay;
            c.convened_outcomes.0 *= decay;
            c.convened_outcomes.1 *= decay;
        }
        let social = &self.scenario.social;
        let target = social.autonomy * (1.0 - self.scenario.party.procedure.centralization);
        for org in &mut self.world.orgs {
            if matches!(org.role.kind(), Kind::Social) && org.role != OrgRole::Enterprise {
                org.autonomy += social.autonomy_erosion * (target - org.autonomy);
            }
        }
    }
}
