//! The participation pass of one community (ODD 7.1), fast: residents in
//! blocks, the attitude parts kept per grid (`kernels/attitudes.rs`), the
//! counts of ties that took part kept up to date (`kernels/tie_counts.rs`),
//! the draws settled by an approximation of σ (`kernels/logistic.rs`), built
//! twice (portable and AVX2, `kernels/build.rs`), and run for every
//! community in parallel, each writing only its own residents
//! (`kernels/disjoint.rs`). Every formula comes from
//! `rules::participation`; the plain reference model of the tests computes
//! the same decisions one resident at a time.
//!
//! To stay fast: every loop over a block runs on contiguous slices with no
//! branch on a resident's outcome; the draw against σ runs over whole
//! blocks (a short block's tail computed and ignored), so that its
//! vectorized loop leaves no remainder to scalar code; the day's counts
//! (participants, first participants of the year and month, grid counts)
//! are integers counted in the same pass, so their order does not matter
//! and no pass over all residents is left for one thread after the
//! parallel part.

use rand::RngExt;
use rand_chacha::ChaCha8Rng;

use super::attitudes::{self, GridAttitudes, Values};
use super::build::{Build, Kernel};
use super::disjoint::DisjointSlice;
use super::logistic::below_logistic;
use super::tie_counts::{CommunityTieCounts, note_changes};
use super::words_ahead::Stream;
use crate::model::network::Ties;
use crate::model::party_specific;
use crate::model::rules::participation::{
    self as rules, CONTACT_DRAWS, ContactBasis, Utility, accepts_contact, peer_share, recent_after,
};
use crate::model::stochastic_round;
use crate::model::world::{Community, Grid, NONE, flag, nth_in_ranges};
use crate::scenario::Scenario;

/// Residents handled together in the participation loop.
const BLOCK: usize = 256;
// A block's counts are kept in 16 bits.
const _: () = assert!(BLOCK <= u16::MAX as usize);

/// Read-only view of the residents during the participation pass; today's
/// participation and the moving average of taking part are written apart.
pub(in crate::model) struct ResidentsView<'a> {
    pub flags: &'a [u8],
    pub values: Values<'a>,
    pub ties: &'a Ties,
}

/// What one community's participation pass adds to the day.
#[derive(Debug, Clone, Default)]
pub(in crate::model) struct CommunityDay {
    /// Residents contacted today, sorted.
    pub contacted: Vec<u32>,
    /// A bit for each resident of the community, while contacts are drawn.
    contact_marks: Vec<u64>,
    /// Participants today in each grid of the community, in grid order.
    pub grid_participants: Vec<u32>,
    /// Party members among them.
    pub grid_members: Vec<u32>,
    /// Residents (local, migrant), participants (local, migrant), took part
    /// yesterday, took part both days.
    pub counts: [u32; 6],
    /// Residents who took part today for the first time this year, this
    /// month (`rules::participation::first_participation`).
    pub first_participants: [u32; 2],
    /// Sums of the residents' trust in each kind and of their efficacy.
    pub trust_sums: [f64; 3],
    /// Sum of the residents' efficacy.
    pub efficacy_sum: f64,
    /// The changes of participation in the community's first range today
    /// (`tie_counts::note_changes`), until they move the counts.
    change: Vec<i8>,
}

impl CommunityDay {
    /// Today's sums of trust in each kind and of efficacy.
    #[cfg(test)]
    pub(in crate::model) fn sums(&self) -> ([f64; 3], f64) {
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
        place = rng.random_range(0..community.population());
        let i = nth_in_ranges(community.ranges(), place) as usize;
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
pub(in crate::model) fn contact(
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
    marks.resize((community.population() as usize).div_ceil(64), 0);
    let covered_residents: u32 = community
        .grids
        .clone()
        .filter(|&g| grids[g as usize].covered)
        .map(|g| {
            grids[g as usize]
                .ranges()
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
            population: community.population(),
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
            contacted.push(nth_in_ranges(community.ranges(), place));
            word &= word - 1;
        }
    }
}

/// What every community's participation pass reads, and the slices it
/// writes at its own residents only.
pub(in crate::model) struct Pass<'a> {
    /// The scenario.
    pub s: &'a Scenario,
    /// The residents, read only.
    pub residents: &'a ResidentsView<'a>,
    /// Every grid.
    pub grids: &'a [Grid],
    /// For each grid, whether its residents' trust or efficacy changed since
    /// the last pass.
    pub attitudes_changed: &'a [bool],
    /// Every resident's participation yesterday.
    pub yesterday: &'a [u8],
    /// Every resident's participation today, written at the community's own.
    pub today_all: &'a DisjointSlice<'a, u8>,
    /// Every resident's moving average of taking part, likewise.
    pub recent: &'a DisjointSlice<'a, f32>,
    /// Every resident's attitude part of the utility (`kernels/attitudes.rs`), likewise.
    pub attitude: &'a DisjointSlice<'a, f32>,
    /// Every resident's mark of taking part this year and month
    /// (`rules::participation::first_participation`), likewise.
    pub seen: &'a DisjointSlice<'a, u8>,
    /// The build of the pass to run.
    pub build: Build,
}

/// The residents of `community` decide whether to take part today (design
/// 4.1) from yesterday's state, in range order, block by block; each
/// decision is written into `today` and the moving average `recent`, and
/// counted in `day`. Runs the build `pass.build` (the same results either
/// way).
pub(in crate::model) fn decide(
    pass: &Pass,
    community: &Community,
    grid_attitudes: &mut [GridAttitudes],
    tie_counts: &mut CommunityTieCounts,
    words: &mut Stream,
    day: &mut CommunityDay,
) {
    pass.build.run(Decide {
        pass,
        community,
        grid_attitudes,
        tie_counts,
        words,
        day,
    });
}

/// `decide`'s arguments, as a kernel of both builds.
struct Decide<'p, 'a, 't, 's> {
    pass: &'p Pass<'a>,
    community: &'p Community,
    grid_attitudes: &'p mut [GridAttitudes],
    tie_counts: &'p mut CommunityTieCounts<'t>,
    words: &'p mut Stream<'s>,
    day: &'p mut CommunityDay,
}

impl Kernel for Decide<'_, '_, '_, '_> {
    type Output = ();

    #[inline(always)]
    fn run(self) {
        decide_here(self);
    }
}

/// The participation pass of one community, inlined into both builds.
#[inline(always)]
fn decide_here(kernel: Decide) {
    let Decide {
        pass,
        community,
        grid_attitudes,
        tie_counts,
        words,
        day,
    } = kernel;
    let Pass {
        s,
        residents,
        grids,
        attitudes_changed,
        yesterday,
        today_all,
        recent,
        attitude,
        seen,
        build: _,
    } = *pass;
    let reach = crate::model::rules::participation::inclusion_reach(
        s,
        party_specific::migrant_members_reach(community),
        community.convener != NONE,
        community.service_center,
        community.enterprise_branch_share,
    );
    let utility_rule = Utility::new(s, community.service_center, reach);
    // The attitude parts of residents whose efficacy or trust changed since
    // the last pass, and the community's sums of trust and efficacy.
    let (trust_sums, efficacy_sum) = attitudes::refresh_community(
        utility_rule,
        residents.values,
        community,
        grids,
        attitudes_changed,
        grid_attitudes,
        attitude,
    );
    let weight = s.residents.recent_weight as f32;
    let n_grids = community.grids.len();
    day.grid_participants.clear();
    day.grid_participants.resize(n_grids, 0);
    day.grid_members.clear();
    day.grid_members.resize(n_grids, 0);
    let contacted = &day.contacted;
    let mut next_contact = 0;
    // Counts live in locals during the loop and are stored at the end.
    let mut counts = [0u32; 6];
    let mut first_participants = [0u32; 2];
    // Residents go in blocks of BLOCK: first the parts of the utility that
    // the processor computes for many residents at once (the same operations,
    // in the same order, for each), then the decisions one by one.
    let mut utility_block = [0f32; BLOCK];
    let mut mobilized = [false; BLOCK];
    // The draws of a block go over whole arrays of BLOCK, a short block's
    // tail ignored, so that the vectorized loop has no remainder. A block's
    // words are drawn at once, just before they are used (in the fastest
    // cache): the same words, in the same order, as one `random::<f32>()`
    // per resident, since nothing else draws from the stream meanwhile. The
    // words drawn ahead of the stream (`words_ahead`) are the first of them.
    let mut block_words = [0u32; BLOCK];
    let mut decided = [0u8; BLOCK];
    for &(a, b) in community.ranges() {
        for start in (a as usize..b as usize).step_by(BLOCK) {
            let end = (start + BLOCK).min(b as usize);
            let n = end - start;
            let flags = &residents.flags[start..end];
            let before = &yesterday[start..end];
            let offsets = &residents.ties.offsets[start..=end];
            // SAFETY: the block is this community's, which only this task touches.
            let (today, recent, attitude, seen) = unsafe {
                (
                    today_all.range_mut(start, end),
                    recent.range_mut(start, end),
                    &*attitude.range_mut(start, end),
                    seen.range_mut(start, end),
                )
            };
            words.fill(&mut block_words[..n]);
            let (utility, mobilized) = (&mut utility_block[..n], &mut mobilized[..n]);
            // Contacts are sorted, as are the blocks.
            mobilized.fill(false);
            while next_contact < contacted.len() && (contacted[next_contact] as usize) < end {
                mobilized[contacted[next_contact] as usize - start] = true;
                next_contact += 1;
            }
            // The utility (ODD 7.1, `rules::participation::Utility`) from
            // the attitude part kept per resident and the share of ties
            // that took part yesterday.
            if (a, b) == community.ranges()[0] {
                // Residents built with the community: their ties that took
                // part yesterday are counted already. The degrees are far
                // below 2^24, so i32 → f32 is exact, as u32 → f32 is (and
                // i32's conversion is one instruction for many); a count is
                // 16 bits.
                let took_part = &tie_counts.counts[start - a as usize..end - a as usize];
                let (row_starts, row_ends) = (&offsets[..n], &offsets[1..]);
                for k in 0..n {
                    let degree = row_ends[k].wrapping_sub(row_starts[k]) as i32;
                    let share = peer_share(f32::from(took_part[k]), degree as f32);
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
            below_logistic(&utility_block, &block_words, &mut decided);
            today.copy_from_slice(&decided[..n]);
            // The bookkeeping, in loops the compiler vectorizes: the moving
            // average, then the counts of the day (integers, so their order
            // does not matter).
            for (recent, &took) in recent.iter_mut().zip(&*today) {
                *recent = recent_after(*recent, took != 0, weight);
            }
            // In 16 bits (a block's count fits), so that 16 residents go
            // at once.
            let mut migrants = 0u16;
            let mut took_part = [0u16; 2];
            let mut before_count = 0u16;
            let mut persisting = 0u16;
            for ((&f, &took), &then) in flags.iter().zip(&*today).zip(before) {
                let migrant = u16::from(f & flag::MIGRANT);
                migrants += migrant;
                took_part[0] += u16::from(took);
                took_part[1] += u16::from(took) & migrant;
                before_count += u16::from(then);
                persisting += u16::from(then & took);
            }
            let (migrants, before_count, persisting) = (
                u32::from(migrants),
                u32::from(before_count),
                u32::from(persisting),
            );
            let took_part = took_part.map(u32::from);
            // Bytes (a block's count fits), so that 32 residents go at once.
            let (mut first_year, mut first_month) = (0u16, 0u16);
            for (seen, &took) in seen.iter_mut().zip(&*today) {
                let (year, month, after) = rules::first_participation(*seen, took);
                first_year += u16::from(year);
                first_month += u16::from(month);
                *seen = after;
            }
            first_participants[0] += u32::from(first_year);
            first_participants[1] += u32::from(first_month);
            counts[0] += n as u32 - migrants;
            counts[1] += migrants;
            counts[2] += took_part[0] - took_part[1];
            counts[3] += took_part[1];
            counts[4] += before_count;
            counts[5] += persisting;
        }
    }
    // Today's changes of participation, which move the counts of ties that
    // took part for tomorrow (`apply_tie_changes`, after the pass).
    let (a, b) = community.ranges()[0];
    // SAFETY: the range is this community's, which only this task touches.
    let today_built = unsafe { today_all.range_mut(a as usize, b as usize) };
    note_changes(
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
        for &(a, b) in grid.ranges() {
            // SAFETY: the grid is in this community, which only this task touches.
            let today = unsafe { today_all.range_mut(a as usize, b as usize) };
            let flags = &residents.flags[a as usize..b as usize];
            // Counted in 16 bits, so that 16 residents go at once, over
            // pieces whose counts fit.
            const PIECE: usize = u16::MAX as usize;
            for (today, flags) in today.chunks(PIECE).zip(flags.chunks(PIECE)) {
                let (mut piece_participants, mut piece_members) = (0u16, 0u16);
                for (&took, &f) in today.iter().zip(flags) {
                    piece_participants += u16::from(took);
                    piece_members += u16::from(took & u8::from(f & flag::MEMBER != 0));
                }
                participants += u32::from(piece_participants);
                members += u32::from(piece_members);
            }
        }
        day.grid_participants[g] = participants;
        day.grid_members[g] = members;
    }
    day.counts = counts;
    day.first_participants = first_participants;
    day.trust_sums = trust_sums;
    day.efficacy_sum = efficacy_sum;
}

/// Moves one community's counts of ties that took part by the changes its
/// latest pass noted in `day`, in the build `build` (the same counts either
/// way).
pub(in crate::model) fn apply_tie_changes(
    tie_counts: &mut CommunityTieCounts,
    day: &CommunityDay,
    build: Build,
) {
    build.run(ApplyTieChanges {
        tie_counts,
        change: &day.change,
    });
}

/// `apply_tie_changes`' arguments, as a kernel of both builds.
struct ApplyTieChanges<'p, 't> {
    tie_counts: &'p mut CommunityTieCounts<'t>,
    change: &'p [i8],
}

impl Kernel for ApplyTieChanges<'_, '_> {
    type Output = ();

    #[inline(always)]
    fn run(self) {
        self.tie_counts.apply_changes(self.change);
    }
}
