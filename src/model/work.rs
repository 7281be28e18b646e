//! Work (design 4.5): organizations spend their capacity on their queues,
//! most urgent first; volunteers and the alliance pool top up; departments
//! refer the next part of a bureaucratic issue.

use rand::RngExt;

use super::Model;
use super::issue::{Route, Status};
use super::rules::work as rules;
use super::world::{NONE, Task};

impl Model {
    pub(super) fn work(&mut self) {
        let day = self.day;
        let issues = &mut self.issues;
        let mut own = 0.0;
        let mut by_urgency = Vec::new();
        for org in &mut self.world.orgs {
            let mut available =
                rules::available(org.capacity, self.capacity_multiplier, org.overhead_today);
            // Most urgent first, then by issue and part: a total order, so
            // any sort gives the same queue. Each urgency is computed once.
            by_urgency.clear();
            by_urgency.extend(
                org.queue
                    .iter()
                    .map(|&task| (issues[task.issue as usize].urgency(day), task)),
            );
            by_urgency.sort_unstable_by(|(ua, a), (ub, b)| {
                ub.total_cmp(ua)
                    .then(a.issue.cmp(&b.issue))
                    .then(a.part.cmp(&b.part))
            });
            org.queue.clear();
            org.queue.extend(by_urgency.iter().map(|&(_, task)| task));
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
                if part.remaining <= rules::DONE {
                    part.done = true;
                }
            }
            org.queue
                .retain(|t| !issues[t.issue as usize].parts[t.part as usize].done);
            org.backlog = org.backlog.max(0.0);
            org.unused_today = available;
        }
        self.tally.own_effort += own;
        self.top_up();
        self.refer();
    }

    /// Volunteers top up social, party and coalition work in their community;
    /// the alliance pool tops up alliance members' coalition parts in its subdistrict.
    fn top_up(&mut self) {
        let day = self.day;
        let s = &self.scenario;
        let n_sub = self.world.alliances.len();
        let mut pools = vec![0.0; n_sub];
        if s.party.procedure.pooling > 0.0 {
            for (d, alliance) in self.world.alliances.iter().enumerate() {
                for &o in alliance {
                    let org = &self.world.orgs[o as usize];
                    // District departments sit in every alliance: their unused capacity is shared.
                    let district_wide = org.subdistrict == NONE;
                    pools[d] += rules::pooled(s, org.unused_today, district_wide, n_sub);
                }
            }
        }
        // Most urgent first, then by slot: a total order, so any sort gives
        // the same order. Each urgency is computed once.
        let mut order: Vec<(f64, u32)> = self
            .active
            .iter()
            .copied()
            .filter(|&s| self.issues[s as usize].status == Status::Assigned)
            .map(|s| (self.issues[s as usize].urgency(day), s))
            .collect();
        order.sort_unstable_by(|(ua, a), (ub, b)| ub.total_cmp(ua).then(a.cmp(b)));
        let (mut pooled, mut volunteered) = (0.0, 0.0);
        for (_, slot) in order {
            let issue = &mut self.issues[slot as usize];
            let community = &mut self.world.communities[issue.community as usize];
            let coalition = issue.cross_cutting() && issue.route != Route::Bureaucratic;
            for k in 0..issue.n_parts as usize {
                let part = &mut issue.parts[k];
                if part.done || part.handler == NONE || part.ready_day > day {
                    continue;
                }
                let org = &mut self.world.orgs[part.handler as usize];
                let volunteers_help = rules::volunteers_help(coalition, org.community != NONE);
                let give = |pool: &mut f64, remaining: &mut f64, total: &mut f64| {
                    let spent = pool.min(*remaining);
                    *pool -= spent;
                    *remaining -= spent;
                    *total += spent;
                };
                let before = part.remaining;
                if volunteers_help && community.volunteer_pool > 0.0 {
                    give(
                        &mut community.volunteer_pool,
                        &mut part.remaining,
                        &mut volunteered,
                    );
                }
                let pool = &mut pools[community.subdistrict as usize];
                if rules::pool_helps(coalition, org.alliance)
                    && *pool > 0.0
                    && part.remaining > rules::DONE
                {
                    give(pool, &mut part.remaining, &mut pooled);
                }
                org.backlog = (org.backlog - (before - part.remaining)).max(0.0);
                if part.remaining <= rules::DONE {
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

    /// Bureaucratic issues: once a part is done, the next is referred to its
    /// department with probability `referral_rate` a day, and waits `delay`.
    fn refer(&mut self) {
        let rate = rules::referral_chance(&self.scenario);
        // A referred part waits the delay even for a petition: only its
        // first part is handled as urgent.
        let delay =
            super::rules::routing::part_delay(&self.scenario, self.compliance, true, false, false);
        for idx in 0..self.active.len() {
            let slot = self.active[idx];
            let issue = &self.issues[slot as usize];
            if issue.status != Status::Assigned || issue.route != Route::Bureaucratic {
                continue;
            }
            let next = issue.next_part as usize;
            if next >= issue.n_parts as usize
                || !rules::may_refer_next(&self.scenario, issue.parts[next - 1].done)
            {
                continue;
            }
            if !self.events.random_bool(rate) {
                continue;
            }
            self.refer_next_part(slot, delay);
        }
    }

    /// Gives bureaucratic issue `slot`'s next part to its department, which
    /// starts work after `delay` days.
    pub(super) fn refer_next_part(&mut self, slot: u32, delay: u32) {
        let issue = &mut self.issues[slot as usize];
        let next = issue.next_part as usize;
        let dept = self.world.departments[issue.parts[next].competency as usize];
        issue.next_part += 1;
        issue.parts[next].handler = dept;
        issue.parts[next].ready_day = self.day + delay;
        let org = &mut self.world.orgs[dept as usize];
        org.queue.push(Task {
            issue: slot,
            part: next as u8,
        });
        org.backlog += issue.parts[next].remaining;
    }
}
