//! Outcomes and feedback (design 4.6): resolution with quality, recurrence,
//! abandonment, trust and efficacy of residents and observers,
//! inter-organizational trust, party legitimacy and the erosion of autonomy.

use rand::RngExt;

use super::Model;
use super::issue::{Route, Status};
use super::kernels::build::Kernel;
use super::rules::feedback::{self as rules, LegitimacyBasis};
use super::world::{Kind, NONE, OrgRole, Task};

impl Model {
    /// Closes finished and expired issues and applies their feedback.
    pub(super) fn close_issues(&mut self) {
        self.close_issues_counting(Self::deliberators);
    }

    /// [`Model::close_issues`], with the deliberators of an issue counted
    /// by `deliberators`: the model's own count from the kept counts of ties
    /// that took part, or the reference model's count made afresh. The
    /// procedure is written once; only the count is the kernels'.
    pub(super) fn close_issues_counting(&mut self, deliberators: fn(&Model, u32) -> u32) {
        // Today's counts of ties that took part, which the deliberators read.
        self.beside_tie_changes(|_| {});
        let mut recurrences = Vec::new();
        let mut changes = AttitudeChanges::default();
        let mut closed = false;
        for idx in 0..self.active.len() {
            let slot = self.active[idx];
            let issue = &self.issues[slot as usize];
            let finished = issue.status == Status::Assigned && issue.parts().iter().all(|p| p.done);
            let expired = f64::from(self.day - issue.arrival) > issue.patience;
            if finished && !issue.meetable {
                self.tally.satisfied += rules::explained_satisfaction(
                    &self.scenario,
                    self.day - issue.arrival,
                    issue.patience,
                );
                self.explain(slot);
                closed = true;
            } else if finished {
                let quality = rules::quality(&self.scenario, deliberators(self, slot));
                self.tally.satisfied += rules::satisfaction(
                    &self.scenario,
                    quality,
                    self.day - issue.arrival,
                    issue.patience,
                );
                self.resolve(slot, quality, &mut changes);
                let recurrence = rules::recurrence_chance(&self.scenario, quality);
                if self.events.random_bool(recurrence) {
                    let issue = &self.issues[slot as usize];
                    let comps: Vec<u8> = issue.parts().iter().map(|p| p.competency).collect();
                    recurrences.push((self.affected_of(slot)[0], comps));
                }
                closed = true;
            } else if expired {
                self.abandon(slot, &mut changes);
                closed = true;
            }
        }
        if closed {
            let issues = &self.issues;
            self.active.retain(|&s| issues[s as usize].open());
        }
        self.change_attitudes(changes);
        for (reporter, comps) in recurrences {
            self.spawn_issue(reporter, &comps);
        }
    }

    /// The deliberators of issue `slot` (ODD 7.6): affected residents and
    /// their ties who take part today.
    fn deliberators(&self, slot: u32) -> u32 {
        let res = &self.world.residents;
        let mut deliberators = 0u32;
        for &a in self.affected_of(slot) {
            let a = a as usize;
            deliberators += u32::from(res.took_part()[a]);
            // Residents built with the district have their count at hand.
            deliberators += self
                .tie_counts
                .of(a)
                .unwrap_or_else(|| res.ties().count_marked(a, res.took_part()));
        }
        deliberators
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
            kinds[self.world.orgs[o as usize].center as usize] = true;
        }
        kinds
    }

    fn resolve(&mut self, slot: u32, quality: f64, changes: &mut AttitudeChanges) {
        let orgs = self.handlers(slot);
        let kinds = self.kinds_of(&orgs);
        let issue = &mut self.issues[slot as usize];
        issue.status = Status::Resolved;
        let t = &mut self.tally;
        t.resolved += 1;
        t.responded += u32::from(issue.responded);
        t.resolved_cross += u32::from(issue.cross_cutting());
        t.resolved_migrant += u32::from(issue.migrant);
        t.by_route[issue.route as usize - 1] += 1;
        t.quality_sum += quality;
        let parts = &issue.parts[..issue.n_parts as usize];
        let coalition = issue.route != Route::Bureaucratic
            && parts.iter().any(|p| p.handler != parts[0].handler);
        t.resolved_cross_jointly += u32::from(issue.cross_cutting() && coalition);
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
        let share = 1.0 / orgs.len().max(1) as f64;
        for &o in &orgs {
            t.org_credit
                .push((o, share, self.world.orgs[o as usize].autonomy));
        }
        let convened = issue.route == Route::Convened;
        let community = issue.community as usize;
        if convened {
            self.world.communities[community].convened_outcomes.0 += 1.0;
        }
        self.update_residents(slot, kinds, Some(quality), changes);
        self.update_org_trust(&orgs, true);
        self.release_slot(slot);
    }

    fn abandon(&mut self, slot: u32, changes: &mut AttitudeChanges) {
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
        t.responded += u32::from(issue.responded);
        t.abandoned_cross += u32::from(issue.cross_cutting());
        t.abandoned_migrant += u32::from(issue.migrant);
        if issue.route == Route::Convened {
            self.world.communities[issue.community as usize]
                .convened_outcomes
                .1 += 1.0;
        }
        self.update_residents(slot, kinds, None, changes);
        self.update_org_trust(&orgs, false);
        self.release_slot(slot);
    }

    /// Closes a demand that cannot be met, worked and answered with the
    /// reason: neither a resolution nor an abandonment, it moves no one's
    /// trust or efficacy.
    fn explain(&mut self, slot: u32) {
        let issue = &mut self.issues[slot as usize];
        issue.status = Status::Explained;
        self.tally.explained += 1;
        self.tally.responded += u32::from(issue.responded);
        self.release_slot(slot);
    }

    fn release_slot(&mut self, slot: u32) {
        self.free.push(slot);
    }

    /// The residents' side of a closure (ODD 7.6): trust in each handling
    /// kind and efficacy of the affected residents change in full, and of
    /// every resident of the issue's grid (the affected ones too) with the
    /// observers' weight. `resolved_with` is the quality of a resolution, or
    /// `None` for an abandoned issue. The change is noted in `changes` and
    /// made with the day's others by [`Model::change_attitudes`].
    fn update_residents(
        &self,
        slot: u32,
        kinds: [bool; 3],
        resolved_with: Option<f64>,
        changes: &mut AttitudeChanges,
    ) {
        let s = &self.scenario;
        let resolved = resolved_with.is_some();
        let first = changes.affected.len();
        for &i in self.affected_of(slot) {
            let takes_part = self.world.residents.took_part()[i as usize] != 0;
            changes
                .affected
                .push((i, rules::efficacy_change(s, resolved, takes_part)));
        }
        changes.closures.push(ClosureChange {
            grid: self.issues[slot as usize].grid,
            kinds,
            delta: rules::TrustChange::new(s, resolved_with),
            resolved,
            affected: first..changes.affected.len(),
        });
    }

    /// Makes the day's closures' changes to residents' trust and efficacy
    /// (noted by `update_residents`), each grid's in the order of the
    /// closures, grids in parallel: a closure changes only residents of its
    /// issue's grid (the affected ones are drawn there), and nothing reads
    /// trust or efficacy between the closures, so the values are those of
    /// making each change as its issue closes, whatever the threads. Each
    /// grid's residents are waited on from memory once per day, by one of
    /// the threads, instead of once per closure by one thread.
    fn change_attitudes(&mut self, mut changes: AttitudeChanges) {
        // A stable sort: the closures of one grid keep their order.
        changes.closures.sort_by_key(|c| c.grid);
        let by_grid: Vec<&[ClosureChange]> =
            changes.closures.chunk_by(|a, b| a.grid == b.grid).collect();
        let grids: Vec<u32> = by_grid.iter().map(|closures| closures[0].grid).collect();
        let s = &self.scenario;
        let w = rules::observer_weight(s);
        let build = self.build;
        let affected = &changes.affected;
        self.world.change_grids_attitudes(&grids, |at, mut grid| {
            for closure in by_grid[at] {
                let (kinds, delta) = (closure.kinds, closure.delta);
                for &(i, efficacy) in &affected[closure.affected.clone()] {
                    grid.change_resident(i as usize, |trust, own_efficacy| {
                        for (t, &handled) in trust.iter_mut().zip(&kinds) {
                            if handled {
                                *t = rules::changed(*t, 1.0, delta.of(*t));
                            }
                        }
                        *own_efficacy = rules::changed(*own_efficacy, 1.0, efficacy);
                    });
                }
                if w > 0.0 {
                    // The same update for every resident of the grid, one
                    // quantity at a time over each range, so that many
                    // residents go at once (the levers in locals, the loops
                    // in the AVX2 build where there is one).
                    let efficacy = rules::efficacy_change(s, closure.resolved, false);
                    grid.change_ranges(|trust, efficacies| {
                        build.run(Observers {
                            trust,
                            efficacies,
                            kinds,
                            delta,
                            weight: w,
                            efficacy,
                        });
                    });
                }
            }
        });
    }

    /// τ⁺ on shared success, τ⁻ on shared failure, for every pair of handlers.
    fn update_org_trust(&mut self, orgs: &[u32], success: bool) {
        let s = &self.scenario;
        for (x, &a) in orgs.iter().enumerate() {
            for &b in &orgs[x + 1..] {
                let t = self
                    .world
                    .org_trust
                    .get_or_insert(a, b, s.coalition.initial_trust);
                *t = rules::org_trust_after(s, *t, success);
            }
        }
    }

    /// Party legitimacy moves toward trust × success × presence; autonomy
    /// erodes toward autonomy × (1 − κ).
    pub(super) fn update_party_and_autonomy(&mut self) {
        let s = &self.scenario;
        let decay = rules::presence_decay();
        for c in &mut self.world.communities {
            if c.convener != NONE {
                let basis = LegitimacyBasis {
                    trust_in_convener: c.trust_convener_sum / f64::from(c.population().max(1)),
                    convened_outcomes: c.convened_outcomes,
                    convener_present: c.convener_present,
                    cross_cutting_seen: c.cross_cutting_seen,
                };
                c.legitimacy = rules::legitimacy_after(s, c.legitimacy, &basis);
            }
            c.convener_present *= decay;
            c.cross_cutting_seen *= decay;
            c.convened_outcomes.0 *= decay;
            c.convened_outcomes.1 *= decay;
        }
        for org in &mut self.world.orgs {
            if matches!(org.role.kind(), Kind::Social) && org.role != OrgRole::Enterprise {
                org.autonomy = rules::autonomy_after(s, org.autonomy);
            }
        }
    }
}

/// The changes to residents' attitudes of the day's closures, in the
/// order the issues closed.
#[derive(Default)]
struct AttitudeChanges {
    closures: Vec<ClosureChange>,
    /// The affected residents of every closure, each with its change of
    /// efficacy, before its weight.
    affected: Vec<(u32, f64)>,
}

/// One closure's change to the attitudes of its issue's grid.
struct ClosureChange {
    grid: u32,
    /// Which kinds handled the issue.
    kinds: [bool; 3],
    delta: rules::TrustChange,
    resolved: bool,
    /// Its affected residents in `AttitudeChanges::affected`.
    affected: std::ops::Range<usize>,
}

/// The observers' side of a closure over one range of a grid's residents:
/// trust in each handling kind and efficacy moved with the observers'
/// weight, one quantity at a time, the levers in locals, so that many
/// residents go at once.
struct Observers<'a> {
    trust: [&'a mut [f32]; 3],
    efficacies: &'a mut [f32],
    /// Which kinds handled the issue.
    kinds: [bool; 3],
    delta: rules::TrustChange,
    weight: f64,
    /// The change of efficacy, before its weight.
    efficacy: f64,
}

impl Kernel for Observers<'_> {
    type Output = ();

    #[inline(always)]
    fn run(self) {
        let (delta, w) = (self.delta, self.weight);
        for (values, handled) in self.trust.into_iter().zip(self.kinds) {
            if handled {
                for t in values {
                    *t = rules::changed(*t, w, delta.of(*t));
                }
            }
        }
        for e in self.efficacies {
            *e = rules::changed(*e, w, self.efficacy);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::Scenario;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    /// Made grid by grid in parallel, a day's closure changes give the
    /// values of making each change, one resident at a time, in the order
    /// the issues closed: closures of one grid interleaved with others',
    /// resolutions and abandonments, on and off every kind.
    #[test]
    fn grouped_closure_changes_equal_each_change_in_turn() {
        let s = Scenario::default();
        let mut model = Model::new(&s, 5);
        let mut rng = ChaCha8Rng::seed_from_u64(9);
        let n_grids = model.world.grids.len() as u32;
        assert!(n_grids > 4, "a district of a few grids at least");
        let mut changes = AttitudeChanges::default();
        for k in 0..200 {
            // Few grids, so that most get several closures.
            let grid = rng.random_range(0..4) * (n_grids / 4);
            let resolved_with = (k % 3 != 0).then(|| rng.random_range(0.0..1.0));
            let first = changes.affected.len();
            for _ in 0..rng.random_range(0..4) {
                let i = model.world.random_in_grid(grid as usize, &mut rng);
                changes.affected.push((i, rng.random_range(-0.1..0.1)));
            }
            changes.closures.push(ClosureChange {
                grid,
                kinds: [rng.random(), rng.random(), rng.random()],
                delta: rules::TrustChange::new(&s, resolved_with),
                resolved: resolved_with.is_some(),
                affected: first..changes.affected.len(),
            });
        }
        let mut in_turn = model.world.clone();
        let w = rules::observer_weight(&s);
        assert!(w > 0.0, "observers change too");
        for closure in &changes.closures {
            let (kinds, delta) = (closure.kinds, closure.delta);
            let change = |trust: &mut [f32; 3], efficacy: &mut f32, weight: f64, by: f64| {
                for (t, &handled) in trust.iter_mut().zip(&kinds) {
                    if handled {
                        *t = rules::changed(*t, weight, delta.of(*t));
                    }
                }
                *efficacy = rules::changed(*efficacy, weight, by);
            };
            for &(i, by) in &changes.affected[closure.affected.clone()] {
                in_turn.change_attitudes(i as usize, |t, e| change(t, e, 1.0, by));
            }
            let by = rules::efficacy_change(&s, closure.resolved, false);
            let ranges = in_turn.grids[closure.grid as usize].ranges().to_vec();
            for (a, b) in ranges {
                for i in a..b {
                    in_turn.change_attitudes(i as usize, |t, e| change(t, e, w, by));
                }
            }
        }
        model.change_attitudes(changes);
        let (grouped, expected) = (&model.world.residents, &in_turn.residents);
        assert_eq!(grouped.trust(), expected.trust());
        assert_eq!(grouped.efficacy(), expected.efficacy());
        assert_eq!(
            model.world.attitudes_changed(),
            in_turn.attitudes_changed(),
            "the changed grids are marked"
        );
        assert_ne!(
            grouped.trust(),
            Model::new(&s, 5).world.residents.trust(),
            "the changes changed something"
        );
    }

    #[test]
    #[should_panic(expected = "is not in the grid")]
    fn a_closure_changes_only_its_own_grid() {
        let s = Scenario::default();
        let mut model = Model::new(&s, 5);
        let (_, outside) = model.world.grids[0].ranges()[0];
        model.world.change_grids_attitudes(&[0], |_, mut grid| {
            grid.change_resident(outside as usize, |t, _| t[0] = 0.0);
        });
    }
}
