//! The fast kernels: how the model computes its rules quickly. None of them
//! holds a rule of its own; each calls the functions of `model/rules/`
//! (inlined), so a change to a rule reaches the fast path without being
//! written twice, and the plain reference model of the tests checks that
//! they give the same results as one resident at a time.
//!
//! - `participation` — the blocked participation pass of one community.
//! - `attitudes` — the attitude part of each resident's utility and each
//!   grid's sums of trust and efficacy, refreshed only where the world marked a change.
//! - `tie_counts` — how many of each resident's ties took part, kept up to
//!   date.
//! - `tie_sums` — the weekly diffusion's sums of trust over each row of
//!   ties, many residents at once.
//! - `logistic` — the draw of "takes part" against σ by an approximation,
//!   the formula deciding where they could differ.
//! - `build` — the portable and AVX2 builds of every hot loop (a
//!   `Kernel`), run through `Build::run`.
//! - `prefetch` — asking for memory ahead of its use, where work jumps
//!   around memory (a day's closures, grid by grid).
//! - `words_ahead` — the words of tomorrow's decisions, drawn from each
//!   community's stream by a thread that would otherwise wait.
//! - `disjoint` — the one unsafe data structure: a slice that the parallel
//!   pass writes at disjoint indices; and `consecutive`, the safe cut of a
//!   slice into parts that follow each other. (Besides it, `tie_counts` reads its
//!   other ties without a bounds check each, under the bound that
//!   `OtherTies`' one maker checks.)
//!
//! # To stay fast
//!
//! What a later change must keep, measured in `benches/README.md` (issue 30's
//! profile, `benches/phase_profile.sh`); each file says its own in detail:
//!
//! - **One pass over the residents a day, in memory order, many at once.**
//!   Per resident-day the participation pass executes about 45
//!   instructions; a rule that adds a loop over every resident, a branch on
//!   a random outcome, or a read of another array per resident shows in the
//!   profile at once. Per-resident state lives in one array per quantity
//!   (never a struct per resident), so that a loop reads only what it uses,
//!   in the fewest bytes that hold it (the day's counts and the counts of
//!   ties that took part in 16 bits): on a district larger than the cache
//!   (Beilun), a resident-day costs about a fifth more than on the 50,000
//!   district at the same instructions, from the bytes it moves.
//! - **Communities are independent within a day.** Each decides from
//!   yesterday's state, draws from its own stream and writes only its own
//!   residents; what the day adds up (counts, sums) is integers or exact
//!   sums, added in community order. That is what lets the pass run on
//!   every core with results that do not depend on the threads. Work over
//!   communities is cut one community a piece on several threads
//!   (`communities_per_piece`): they differ 25-fold in size, and a piece
//!   cut larger went to one thread whole.
//! - **Kept, not recomputed.** The attitude parts and grid sums change only
//!   where `World` marked a grid; the counts of ties that took part change
//!   only by the day's changes. A new way of changing trust, efficacy or
//!   ties must go through `World`'s marking methods.
//! - **Random words in bulk, where they are used.** A block's decisions
//!   take one `fill` of its community's stream (one 32-bit word each), not
//!   a call per resident, into the block's own array just before the block
//!   is decided, so that the words never leave the fastest cache (a fill of
//!   the whole community at the start cost 4% more time in the pass);
//!   ChaCha8 costs about 7 instructions a word in bulk, an eighth of the
//!   pass (one at a time, as contacts draw them, more). On several threads
//!   the thread that would wait while one runs the serial issue phases and
//!   the closures draws tomorrow's decisions' words ahead (`words_ahead`,
//!   about a third of them on Beilun), which the pass reads first. So
//!   nothing may draw from a community's stream between a pass and the
//!   next but tomorrow's contacts, drawn before the words are planned; what
//!   sets a stream back (`Model::change_levers`) forgets its words ahead.
//! - **Loops outside the kernels are vectorized too.** A loop over the
//!   residents of a grid or a block (the diffusion's moves, a closure's
//!   observers) runs over zipped slices, with the levers in locals, and as
//!   a `build::Kernel` so that the AVX2 build compiles it; a closure handed
//!   to `Build::run` would be compiled without AVX2.
//! - **Serial work is per issue, not per resident.** Arrival, detection,
//!   routing, work and closures run on one thread, in the order of the
//!   event stream; each must stay proportional to the open issues (and
//!   their grids), or it bounds what a second core can give. What reads no
//!   draw runs apart from them: the chances of detection (issues in
//!   parallel) and the closures' changes to residents, made after the day's
//!   closures grid by grid in parallel, each grid's in closing order, the
//!   next grid's values asked for (`prefetch`) while one is changed. And
//!   parallel work that the issue phases do not read runs beside them: the
//!   participation pass only notes its changes of participation, which move
//!   the counts of ties that took part while detection, routing and work run
//!   (`Model::beside_tie_changes`; about a tenth of a one-thread day on
//!   Beilun). Whatever reads those counts must settle them first, as
//!   closing issues and the next pass do. Likewise the day's issues arrive
//!   beside the pass (`Model::participate`): the pass must read no issue,
//!   and arrival nothing the pass writes (it reads `world::Places` only).

/// The most communities a piece of parallel work over communities holds.
/// On several threads, one: communities differ in size (Beilun's first 15
/// have 22,000 residents, its last 135 under 1,000), and rayon stops
/// cutting a piece that no other thread took, so without a bound the first
/// quarter of the communities (three fifths of Beilun's residents) went to
/// one thread whole while the other ran out of work. On one thread, all of
/// them: cutting pieces there only costs (2.6% of a Beilun day).
pub(super) fn communities_per_piece() -> usize {
    if rayon::current_num_threads() > 1 {
        1
    } else {
        usize::MAX
    }
}

pub(super) mod attitudes;
pub(super) mod build;
pub(super) mod disjoint;
pub(super) mod logistic;
pub(super) mod participation;
pub(super) mod prefetch;
pub(super) mod tie_counts;
pub(super) mod tie_sums;
pub(super) mod words_ahead;
