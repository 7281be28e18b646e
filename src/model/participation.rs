//! The residents' day (ODD 7.1): contacts and every resident's decision to
//! take part, community by community in parallel through the fast pass of
//! `kernels/participation.rs`, then the counts added up in community order.

use std::sync::atomic::{AtomicBool, Ordering};

use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

use super::Model;
use super::arrival::arrivals_of;
use super::kernels::attitudes::Values;
use super::kernels::communities_per_piece;
use super::kernels::disjoint::DisjointSlice;
use super::kernels::participation::{
    CommunityDay, Pass, ResidentsView, apply_tie_changes, contact, decide,
};
use super::kernels::words_ahead::Stream;
use super::rules::participation as rules;
use super::rules::shocks::ShockEffect;
use super::world::Community;

impl Model {
    /// Contacts, then each resident's decision to take part today, counting
    /// those who take part for the first time this year and month. Communities
    /// decide in parallel: each has its own random stream, reads only
    /// yesterday's participation of others and writes only its own residents;
    /// the counts are then added up in community order, so results do not
    /// depend on the number of threads.
    ///
    /// Tomorrow's contacts are drawn at the end of today's pass, while the
    /// community's residents are still in the processor's cache, unless
    /// newcomers may arrive tomorrow (they would change whom a contact can
    /// reach). Nothing else draws from a community's stream or changes what
    /// contacts read (the moving average, flags, ranges) in between, so they
    /// are the same contacts, drawn from the same words.
    ///
    /// With `arrival`, the day's shock effects, the day's issues arrive on
    /// this thread meanwhile (`arrival`): they read where residents live,
    /// which the pass does not change, and the pass reads no issue, so
    /// they are the same issues and the same decisions as when the issues
    /// arrive first (`Phase::Arrival`).
    pub(super) fn participate(&mut self, arrival: Option<&ShockEffect>) {
        // Yesterday's counts of ties that took part, which the pass reads.
        self.beside_tie_changes(|_| {});
        let induced = self.induced_demand();
        let today_number = self.day;
        let drawn_already = self.contacts_drawn_for == Some(today_number);
        let draw_ahead =
            self.draw_contacts_ahead && self.shock_on(today_number + 1).newcomers <= 0.0;
        // Yesterday's participation, read by peers while today's is decided;
        // today's buffer is overwritten for every resident.
        let day_state = self
            .world
            .start_participation(&mut self.took_part_yesterday);
        let places = day_state.places;
        let n = places.flags.len();
        let view = ResidentsView {
            flags: places.flags,
            values: Values {
                civic: day_state.civic,
                efficacy: day_state.efficacy,
                trust: day_state.trust,
            },
            ties: day_state.ties,
        };
        let today = DisjointSlice::new(day_state.took_part);
        let recent = DisjointSlice::new(day_state.recent);
        let (grids, communities) = (places.grids, places.communities);
        let (mut grid_attitudes, attitude) = self
            .attitudes
            .by_community(n, communities.iter().map(|c| c.grids.clone()));
        let attitude = DisjointSlice::new(attitude);
        // Newcomers arrived today have no mark yet.
        self.took_part_this_year.resize(n, 0);
        let seen = DisjointSlice::new(&mut self.took_part_this_year);
        let scenario = &self.scenario;
        let yesterday = &self.took_part_yesterday;
        let pass = Pass {
            s: scenario,
            residents: &view,
            grids,
            attitudes_changed: day_state.attitudes_changed,
            yesterday,
            today_all: &today,
            recent: &recent,
            attitude: &attitude,
            seen: &seen,
            build: self.build,
        };
        let mut tie_counts = self
            .tie_counts
            .by_community(communities.iter().map(|c| c.ranges()[0]));
        self.rngs_before_ahead
            .resize(self.community_rngs.len(), self.events.clone());
        // Words are drawn ahead only after the contacts they follow.
        assert!(
            drawn_already || self.words_ahead.is_empty(),
            "words drawn ahead of contacts not drawn yet"
        );
        let words_ahead = self.words_ahead.per_community(communities.len());
        let mut pass_of_communities = || {
            self.community_rngs
                .par_iter_mut()
                .zip(self.rngs_before_ahead.par_iter_mut())
                .zip(self.community_days.par_iter_mut())
                .zip(tie_counts.par_iter_mut())
                .zip(grid_attitudes.par_iter_mut())
                .zip(words_ahead.par_iter_mut())
                .enumerate()
                .with_max_len(communities_per_piece())
                .for_each(
                    |(c, (((((rng, before), day), tie_counts), grid_attitudes), ahead))| {
                        let community = &communities[c];
                        let draw_contacts = |rng: &mut ChaCha8Rng, day: &mut CommunityDay| {
                            contact(scenario, grids, view.flags, &recent, community, rng, day);
                        };
                        if !drawn_already {
                            draw_contacts(rng, day);
                        }
                        let mut words = Stream::new(rng, ahead);
                        decide(
                            &pass,
                            community,
                            grid_attitudes,
                            tie_counts,
                            &mut words,
                            day,
                        );
                        let rng = words.settle();
                        if draw_ahead {
                            // Kept so that a change of levers before tomorrow can
                            // draw tomorrow's contacts again, on tomorrow's levers.
                            before.clone_from(rng);
                            draw_contacts(rng, day);
                        }
                    },
                );
        };
        match arrival {
            // The issues on this thread, where the issue phases run next.
            Some(shock) => {
                let mut arrivals = arrivals_of!(self, places);
                rayon::join(|| arrivals.arrive(shock, induced), pass_of_communities);
            }
            None => pass_of_communities(),
        }
        self.world.attitudes_seen();
        self.contacts_drawn_for = draw_ahead.then_some(today_number + 1);
        if draw_ahead {
            // Tomorrow's contacts are drawn, so the next words of each
            // community's stream are tomorrow's decisions', one per resident
            // (newcomers would have kept the contacts from being drawn ahead).
            let needed = self
                .world
                .communities
                .iter()
                .map(Community::population)
                .collect();
            self.words_ahead.plan(needed);
        }
        self.tie_changes_pending = true;
        self.add_up_participation();
        // Tomorrow's arrivals read today's mean efficacy.
        self.mean_efficacy = self.tally.efficacy;
    }

    /// Runs `beside`, and meanwhile, if the latest participation pass's
    /// changes have not moved the counts of ties that took part yet, moves
    /// them, communities in parallel. Only closing issues (the
    /// deliberators) and the next pass read the counts, and each settles
    /// them first, so the phases between them can run beside the move: on
    /// two threads one runs the day's serial issue phases while the other
    /// moves the counts (and then draws the next pass's words ahead), with
    /// the same counts and results for any threads.
    pub(super) fn beside_tie_changes(&mut self, beside: impl FnOnce(&mut Self) + Send) {
        if !self.tie_changes_pending {
            beside(self);
            return;
        }
        // The move is under way: a call inside `beside` (a phase run by
        // `step`) runs its own `beside` alone.
        self.tie_changes_pending = false;
        let mut tie_counts = std::mem::take(&mut self.tie_counts);
        let days = std::mem::take(&mut self.community_days);
        let first_ranges = self.world.first_ranges();
        let build = self.build;
        // `beside` on this thread, where the issue phases always run; the
        // other thread takes the counts, then draws words ahead.
        self.beside_drawing_ahead(beside, || {
            tie_counts
                .by_community(first_ranges.into_iter())
                .par_iter_mut()
                .zip(&days)
                .with_max_len(communities_per_piece())
                .for_each(|(counts, day)| apply_tie_changes(counts, day, build));
        });
        self.tie_counts = tie_counts;
        self.community_days = days;
    }

    /// Runs `beside`, and meanwhile, if words of the next pass are planned
    /// and not all drawn (`kernels::words_ahead`), draws them on another
    /// thread until `beside` is done.
    pub(super) fn beside_words_ahead(&mut self, beside: impl FnOnce(&mut Self) + Send) {
        if self.words_ahead.to_draw() {
            self.beside_drawing_ahead(beside, || {});
        } else {
            beside(self);
        }
    }

    /// Runs `beside` on this thread and meanwhile `first` and then, until
    /// `beside` is done, the planned words ahead on another (on one thread,
    /// `first` after `beside`, and no word ahead). `beside` must not draw
    /// from the communities' participation streams (they are away), and
    /// parallel work inside it runs on this thread alone once the other is
    /// drawing.
    fn beside_drawing_ahead(
        &mut self,
        beside: impl FnOnce(&mut Self) + Send,
        first: impl FnOnce() + Send,
    ) {
        let mut streams = std::mem::take(&mut self.community_rngs);
        let mut words_ahead = std::mem::take(&mut self.words_ahead);
        let beside_done = AtomicBool::new(false);
        rayon::join(
            || {
                beside(self);
                beside_done.store(true, Ordering::Relaxed);
            },
            || {
                first();
                words_ahead.draw(&mut streams, &beside_done);
            },
        );
        self.community_rngs = streams;
        self.words_ahead = words_ahead;
    }

    /// Adds the communities' counts of today's participation into the grids,
    /// the communities and the day's tally, in community order.
    fn add_up_participation(&mut self) {
        let s = &self.scenario;
        let world = &mut self.world;
        let mut trust_sums = [0f64; 3];
        let mut efficacy_sum = 0f64;
        for (community, day) in world.communities.iter_mut().zip(&self.community_days) {
            let grids =
                &mut world.grids[community.grids.start as usize..community.grids.end as usize];
            for ((grid, &participants), &members) in grids
                .iter_mut()
                .zip(&day.grid_participants)
                .zip(&day.grid_members)
            {
                grid.participants = participants;
                grid.active_members = members;
            }
            let counts = day.counts;
            self.tally.residents[0] += counts[0];
            self.tally.residents[1] += counts[1];
            self.tally.participants[0] += counts[2];
            self.tally.participants[1] += counts[3];
            self.tally.yesterday += counts[4];
            self.tally.persisting += counts[5];
            self.tally.first_participants += day.first_participants[0];
            self.tally.first_participants_month += day.first_participants[1];
            for (total, sum) in trust_sums.iter_mut().zip(day.trust_sums) {
                *total += sum;
            }
            efficacy_sum += day.efficacy_sum;
            community.trust_convener_sum = day.trust_sums[0];
            community.volunteer_pool = rules::volunteer_pool(s, counts[2] + counts[3]);
        }
        let n = world.residents.len().max(1) as f64;
        self.tally.trust = trust_sums.map(|t| t / n);
        self.tally.efficacy = efficacy_sum / n;
    }
}
