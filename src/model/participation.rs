//! Residents' side of the day: mobilization contacts, the participation
//! decision (design 4.1), detection of latent issues (4.2) and weekly trust
//! diffusion along ties.

use rand::RngExt;
use rand_chacha::ChaCha8Rng;

use super::issue::Status;
use rayon::prelude::*;

use super::attitudes::{self, GridAttitudes, Values};
use super::disjoint::DisjointSlice;
use super::network::Ties;
use super::rng::below_logistic;
use super::rules::detection::{self, Watchers};
use super::rules::diffusion::diffused;
use super::rules::participation::{
    self as rules, CONTACT_DRAWS, ContactBasis, Utility, accepts_contact, peer_share, recent_after,
};
use super::tie_counts::CommunityTieCounts;
use super::tie_sums;
use super::world::{Community, Grid, Residents, flag, nth_in_ranges};
use super::{Model, stochastic_round};
use crate::scenario::Scenario;

/// Residents handled together in the participation loop.
const BLOCK: usize = 256;

/// Read-only view of the residents during the participation pass; today's
/// participation and the moving average of taking part are written apart.
struct ResidentsView<'a> {
    flags: &'a [u8],
    values: Values<'a>,
    ties: &'a Ties,
}

/// What one community's participation pass adds to the day.
#[derive(Debug, Clone, Default)]
pub(super) struct CommunityDay {
    /// Residents contacted today, sorted.
    contacted: Vec<u32>,
    /// A bit for each resident of the community, while contacts are drawn.
    contact_marks: Vec<u64>,
    /// Participants today in each grid of the community, in grid order.
    grid_participants: Vec<u32>,
    /// Party members among them.
    grid_members: Vec<u32>,
    /// Residents (local, migrant), participants (local, migrant), took part
    /// yesterday, took part both days.
    counts: [u32; 6],
    /// Sums of the residents' trust in each kind and of their efficacy.
    trust_sums: [f64; 3],
    efficacy_sum: f64,
    /// Today's random words of the residents' decisions, one each.
    words: Vec<u32>,
    /// Room for the changes of participation in the community's first range.
    change: Vec<i8>,
}

impl CommunityDay {
    /// Today's sums of trust in each kind and of efficacy.
    #[cfg(test)]
    pub(super) fn sums(&self) -> ([f64; 3], f64) {
        (self.trust_sums, self.efficacy_sum)
    }
}

/// Draws one contact target in `community`: residents who have not taken part
/// recently are preferred (accepted with probability 1 − recent), and contacts
/// of enterprise party branches go to migrant workers. Returns the target's
/// place in the community (its order in the community's ranges).
fn contact_target(
    flags: &[u8],
    recent: &DisjointSlice<f32>,
    community: &Community,
    migrants_only: bool,
    rng: &mut ChaCha8Rng,
) -> u32 {
    let mut place = 0;
    for _ in 0..CONTACT_DRAWS {
        place = rng.random_range(0..community.population);
        let i = nth_in_ranges(&community.ranges, place) as usize;
        if migrants_only && flags[i] & flag::MIGRANT == 0 {
            continue;
        }
        // SAFETY: i is a resident of this community, which only this task touches.
        if accepts_contact(unsafe { recent.get(i) }, rng.random::<f32>()) {
            break;
        }
    }
    place
}

/// Today's contacts in `community` by party members (only a share is real
/// under formalism) and grid workers: the residents contacted, sorted, each
/// once, into `day.contacted`.
fn contact(
    s: &Scenario,
    grids: &[Grid],
    flags: &[u8],
    recent: &DisjointSlice<f32>,
    community: &Community,
    rng: &mut ChaCha8Rng,
    day: &mut CommunityDay,
) {
    let (contacted, marks) = (&mut day.contacted, &mut day.contact_marks);
    contacted.clear();
    marks.clear();
    marks.resize((community.population as usize).div_ceil(64), 0);
    let covered_residents: u32 = community
        .grids
        .clone()
        .filter(|&g| grids[g as usize].covered)
        .map(|g| {
            grids[g as usize]
                .ranges
                .iter()
                .map(|(a, b)| b - a)
                .sum::<u32>()
        })
        .sum();
    let expected = rules::contacts(
        s,
        &ContactBasis {
            party_members: community.party_members,
            covered_residents,
            service_center: community.service_center,
            enterprise_branch_share: community.enterprise_branch_share,
            migrants: community.migrants,
            population: community.population,
        },
    );
    let n_member = stochastic_round(expected.by_members, rng);
    let n_grid = stochastic_round(expected.by_grid_workers, rng);
    let to_migrants = expected.to_migrants;
    for k in 0..n_member + n_grid {
        let migrants_only =
            k < n_member && community.migrants > 0 && rng.random::<f64>() < to_migrants;
        let place = contact_target(flags, recent, community, migrants_only, rng) as usize;
        marks[place / 64] |= 1 << (place % 64);
    }
    // The marked places in order are the residents in order: a community's
    // ranges follow each other upward (newcomers are appended).
    for (w, &word) in marks.iter().enumerate() {
        let mut word = word;
        while word != 0 {
            let place = w as u32 * 64 + word.trailing_zeros();
            contacted.push(nth_in_ranges(&community.ranges, place));
            word &= word - 1;
        }
    }
}

/// What every community's participation pass reads, and the slices it
/// writes at its own residents only.
struct Pass<'a> {
    s: &'a Scenario,
    residents: &'a ResidentsView<'a>,
    grids: &'a [Grid],
    yesterday: &'a [u8],
    today_all: &'a DisjointSlice<'a, u8>,
    recent: &'a DisjointSlice<'a, f32>,
    /// Every resident's attitude part of the utility (`model/attitudes.rs`).
    attitude: &'a DisjointSlice<'a, f32>,
}

/// The residents of `community` decide whether to take part today (design
/// 4.1) from yesterday's state, in range order, block by block; each
/// decision is written into `today` and the moving average `recent`, and
/// counted in `day`. Runs the AVX2 build of the pass where the processor
/// has it (`model/cpu.rs`; the same results either way).
fn decide(
    pass: &Pass,
    community: &Community,
    grid_attitudes: &mut [GridAttitudes],
    tie_counts: &mut CommunityTieCounts,
    rng: &mut ChaCha8Rng,
    day: &mut CommunityDay,
) {
    #[cfg(target_arch = "x86_64")]
    if super::cpu::avx2() {
        // SAFETY: the processor has AVX2 (checked just above).
        unsafe { decide_avx2(pass, community, grid_attitudes, tie_counts, rng, day) };
        return;
    }
    decide_here(pass, community, grid_attitudes, tie_counts, rng, day);
}

/// `decide_here` compiled for AVX2.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn decide_avx2(
    pass: &Pass,
    community: &Community,
    grid_attitudes: &mut [GridAttitudes],
    tie_counts: &mut CommunityTieCounts,
    rng: &mut ChaCha8Rng,
    day: &mut CommunityDay,
) {
    decide_here(pass, community, grid_attitudes, tie_counts, rng, day);
}

/// The participation pass of one community, inlined into both builds.
#[inline(always)]
fn decide_here(
    pass: &Pass,
    community: &Community,
    grid_attitudes: &mut [GridAttitudes],
    tie_counts: &mut CommunityTieCounts,
    rng: &mut ChaCha8Rng,
    day: &mut CommunityDay,
) {
    let Pass {
        s,
        residents,
        grids,
        yesterday,
        today_all,
        recent,
        attitude,
    } = *pass;
    let utility_rule = Utility::new(s, community.service_center);
    // The attitude parts of residents whose efficacy or trust changed since
    // the last pass, and the community's sums of trust and efficacy.
    let (trust_sums, efficacy_sum) = attitudes::refresh_community(
        utility_rule,
        residents.values,
        community,
        grids,
        grid_attitudes,
        attitude,
    );
    let weight = s.residents.recent_weight as f32;
    let n_grids = community.grids.len();
    day.grid_participants.clear();
    day.grid_participants.resize(n_grids, 0);
    day.grid_members.clear();
    day.grid_members.resize(n_grids, 0);
    // One word per resident, drawn at once: the same words, in the same
    // order, as one `random::<f32>()` per resident.
    day.words.resize(community.population as usize, 0);
    rng.fill(&mut day.words[..]);
    let contacted = &day.contacted;
    let mut next_contact = 0;
    // Counts live in locals during the loop and are stored at the end.
    let mut counts = [0u32; 6];
    let mut first_word = 0;
    // Residents go in blocks of BLOCK: first the parts of the utility that
    // the processor computes for many residents at once (the same operations,
    // in the same order, for each), then the decisions one by one.
    let mut utility = [0f32; BLOCK];
    let mut mobilized = [false; BLOCK];
    for &(a, b) in &community.ranges {
        for start in (a as usize..b as usize).step_by(BLOCK) {
            let end = (start + BLOCK).min(b as usize);
            let n = end - start;
            let flags = &residents.flags[start..end];
            let before = &yesterday[start..end];
            let offsets = &residents.ties.offsets[start..=end];
            let words = &day.words[first_word..first_word + n];
            first_word += n;
            // SAFETY: the block is this community's, which only this task touches.
            let (today, recent, attitude) = unsafe {
                (
                    today_all.range_mut(start, end),
                    recent.range_mut(start, end),
                    &*attitude.range_mut(start, end),
                )
            };
            let (utility, mobilized) = (&mut utility[..n], &mut mobilized[..n]);
            // Contacts are sorted, as are the blocks.
            mobilized.fill(false);
            while next_contact < contacted.len() && (contacted[next_contact] as usize) < end {
                mobilized[contacted[next_contact] as usize - start] = true;
                next_contact += 1;
            }
            // The utility (ODD 7.1, `rules::participation::Utility`) from
            // the attitude part kept per resident and the share of ties
            // that took part yesterday.
            if (a, b) == community.ranges[0] {
                // Residents built with the community: their ties that took
                // part yesterday are counted already. The counts and degrees
                // are far below 2^24, so i32 → f32 is exact, as u32 → f32 is
                // (and i32's conversion is one instruction for many).
                let took_part = &tie_counts.counts[start - a as usize..end - a as usize];
                let (row_starts, row_ends) = (&offsets[..n], &offsets[1..]);
                for k in 0..n {
                    let degree = row_ends[k].wrapping_sub(row_starts[k]) as i32;
                    let share = peer_share(took_part[k] as i32 as f32, degree as f32);
                    let migrant = flags[k] & flag::MIGRANT != 0;
                    utility[k] = utility_rule.of(attitude[k], share, mobilized[k], migrant);
                }
            } else {
                // Newcomers: their ties are one-way, so they are counted here.
                for k in 0..n {
                    let degree = offsets[k + 1] - offsets[k];
                    let active = residents.ties.count_marked(start + k, yesterday);
                    let share = peer_share(active as f32, degree as f32);
                    let migrant = flags[k] & flag::MIGRANT != 0;
                    utility[k] = utility_rule.of(attitude[k], share, mobilized[k], migrant);
                }
            }
            below_logistic(utility, words, today);
            // The bookkeeping, in loops the compiler vectorizes: the moving
            // average, then the counts of the day (integers, so their order
            // does not matter).
            for (recent, &took) in recent.iter_mut().zip(&*today) {
                *recent = recent_after(*recent, took != 0, weight);
            }
            let mut migrants = 0u32;
            let mut took_part = [0u32; 2];
            let mut before_count = 0u32;
            let mut persisting = 0u32;
            for ((&f, &took), &then) in flags.iter().zip(&*today).zip(before) {
                let migrant = u32::from(f & flag::MIGRANT);
                migrants += migrant;
                took_part[0] += u32::from(took);
                took_part[1] += u32::from(took) & migrant;
                before_count += u32::from(then);
                persisting += u32::from(then & took);
            }
            counts[0] += n as u32 - migrants;
            counts[1] += migrants;
            counts[2] += took_part[0] - took_part[1];
            counts[3] += took_part[1];
            counts[4] += before_count;
            counts[5] += persisting;
        }
    }
    // Today's participation into the counts of ties that took part, for
    // tomorrow.
    let (a, b) = community.ranges[0];
    // SAFETY: the range is this community's, which only this task touches.
    let today_built = unsafe { today_all.range_mut(a as usize, b as usize) };
    tie_counts.update(
        today_built,
        &yesterday[a as usize..b as usize],
        &mut day.change,
    );
    // Participants and active party members of each grid, over the grid's
    // ranges (inside this community's).
    for (g, grid) in grids[community.grids.start as usize..community.grids.end as usize]
        .iter()
        .enumerate()
    {
        let (mut participants, mut members) = (0u32, 0u32);
        for &(a, b) in &grid.ranges {
            // SAFETY: the grid is in this community, which only this task touches.
            let today = unsafe { today_all.range_mut(a as usize, b as usize) };
            let flags = &residents.flags[a as usize..b as usize];
            for (&took, &f) in today.iter().zip(flags) {
                participants += u32::from(took);
                members += u32::from(took & u8::from(f & flag::MEMBER != 0));
            }
        }
        day.grid_participants[g] = participants;
        day.grid_members[g] = members;
    }
    day.counts = counts;
    day.trust_sums = trust_sums;
    day.efficacy_sum = efficacy_sum;
}

impl Model {
    /// Contacts, then each resident's decision to take part today. Communities
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
    pub(super) fn participate(&mut self) {
        let today_number = self.day;
        let drawn_already = self.contacts_drawn_for == Some(today_number);
        let draw_ahead =
            self.draw_contacts_ahead && self.shock_on(today_number + 1).newcomers <= 0.0;
        let residents = &mut self.world.residents;
        let n = residents.len();
        // Yesterday's participation, read by peers while today's is decided;
        // today's buffer is overwritten for every resident.
        std::mem::swap(&mut residents.took_part, &mut self.took_part_yesterday);
        residents.took_part.resize(n, 0);
        let Residents {
            flags,
            civic,
            efficacy,
            trust,
            recent,
            ties,
            took_part,
            ..
        } = residents;
        let view = ResidentsView {
            flags,
            values: Values {
                civic,
                efficacy,
                trust: [&trust[0], &trust[1], &trust[2]],
            },
            ties,
        };
        let today = DisjointSlice::new(took_part);
        let recent = DisjointSlice::new(recent);
        let (mut grid_attitudes, attitude) = self
            .attitudes
            .by_community(n, self.world.communities.iter().map(|c| c.grids.clone()));
        let attitude = DisjointSlice::new(attitude);
        let scenario = &self.scenario;
        let (grids, communities) = (&self.world.grids, &self.world.communities);
        let yesterday = &self.took_part_yesterday;
        let pass = Pass {
            s: scenario,
            residents: &view,
            grids,
            yesterday,
            today_all: &today,
            recent: &recent,
            attitude: &attitude,
        };
        let mut tie_counts = self
            .tie_counts
            .by_community(communities.iter().map(|c| c.ranges[0]));
        self.community_rngs
            .par_iter_mut()
            .zip(self.community_days.par_iter_mut())
            .zip(tie_counts.par_iter_mut())
            .zip(grid_attitudes.par_iter_mut())
            .enumerate()
            .for_each(|(c, (((rng, day), tie_counts), grid_attitudes))| {
                let community = &communities[c];
                let draw_contacts = |rng: &mut ChaCha8Rng, day: &mut CommunityDay| {
                    contact(scenario, grids, view.flags, &recent, community, rng, day);
                };
                if !drawn_already {
                    draw_contacts(rng, day);
                }
                decide(&pass, community, grid_attitudes, tie_counts, rng, day);
                if draw_ahead {
                    draw_contacts(rng, day);
                }
            });
        self.contacts_drawn_for = draw_ahead.then_some(today_number + 1);
        self.add_up_participation();
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
            for (total, sum) in trust_sums.iter_mut().zip(day.trust_sums) {
                *total += sum;
            }
            efficacy_sum += day.efficacy_sum;
            community.trust_party_sum = day.trust_sums[0];
            community.volunteer_pool =
                rules::volunteer_pool(s, counts[2] + counts[3], community.party_members);
        }
        let n = world.residents.len().max(1) as f64;
        self.tally.trust = trust_sums.map(|t| t / n);
        self.tally.efficacy = efficacy_sum / n;
    }

    /// Detection of latent issues; severity growth and escalation of issues no one has taken on.
    pub(super) fn detect_and_escalate(&mut self) {
        let s = &self.scenario;
        for idx in 0..self.active.len() {
            let slot = self.active[idx];
            let issue = &self.issues[slot as usize];
            if matches!(issue.status, Status::Latent) {
                let res = &self.world.residents;
                let by_residents = self.affected_of(slot).iter().map(|&a| {
                    let a = a as usize;
                    detection::by_resident(
                        s,
                        res.took_part[a] != 0,
                        res.mean_trust(a),
                        res.efficacy[a],
                    )
                });
                let grid = &self.world.grids[issue.grid as usize];
                let watchers = Watchers {
                    covered: grid.covered,
                    active_members: grid.active_members,
                    service_center: self.world.communities[issue.community as usize].service_center,
                };
                let miss = detection::chance_missed(s, by_residents, watchers);
                let (community, cross) = (issue.community as usize, issue.cross_cutting());
                if self.events.random::<f64>() >= miss {
                    self.issues[slot as usize].status = Status::Detected;
                    self.tally.detected += 1;
                    if cross {
                        self.world.communities[community].cross_cutting_seen += 1.0;
                    }
                }
            }
            let day = self.day;
            let issue = &mut self.issues[slot as usize];
            if matches!(issue.status, Status::Latent | Status::Detected) {
                issue.severity = detection::grown_severity(s, issue.severity);
                let age = f64::from(day - issue.arrival);
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

    /// Weekly: each resident's trust in each kind moves toward the mean trust
    /// of its ties, all computed from last week's values. One pass reads each
    /// row of ties once for the three kinds, residents in parallel (each
    /// writes only its own entry, so the result does not depend on threads).
    pub(super) fn diffuse_trust(&mut self) {
        let w = self.scenario.residents.diffusion as f32;
        if w == 0.0 {
            return;
        }
        let res = &mut self.world.residents;
        let n = res.len();
        for next in &mut self.next_trust {
            next.resize(n, 0.0);
        }
        self.row_split.catch_up(&res.ties);
        let (trust, ties, row_split) = (&res.trust, &res.ties, &self.row_split);
        let [next0, next1, next2] = &mut self.next_trust;
        const BLOCK: usize = tie_sums::BLOCK;
        next0
            .par_chunks_mut(BLOCK)
            .zip(next1.par_chunks_mut(BLOCK))
            .zip(next2.par_chunks_mut(BLOCK))
            .enumerate()
            .with_min_len(16)
            .for_each(|(block, ((next0, next1), next2))| {
                let start = block * BLOCK;
                let n = next0.len();
                // Sums over each row of ties (in row order, from −0.0, as
                // `Iterator::sum` does), then the moves (many residents at once).
                let mut sums = [[0f32; BLOCK]; 3];
                let mut degree = [0f32; BLOCK];
                let [sums0, sums1, sums2] = &mut sums;
                row_split.sum_block(
                    ties,
                    tie_sums::BlockSums {
                        start,
                        values: [&trust[0], &trust[1], &trust[2]],
                        sums: [&mut sums0[..n], &mut sums1[..n], &mut sums2[..n]],
                        degree: &mut degree[..n],
                    },
                );
                for (kind, next) in [next0, next1, next2].into_iter().enumerate() {
                    let own = &trust[kind][start..start + n];
                    let sums = &sums[kind][..n];
                    for k in 0..n {
                        next[k] = diffused(own[k], sums[k], degree[k], w);
                    }
                }
            });
        for (now, next) in res.trust.iter_mut().zip(&mut self.next_trust) {
            std::mem::swap(now, next);
        }
        self.attitudes.mark_all();
    }
}
