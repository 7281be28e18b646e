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
//! - `build` — the portable and AVX2 builds of the two hottest kernels.
//! - `disjoint` — the one unsafe data structure: a slice that the parallel
//!   pass writes at disjoint indices.

pub(super) mod attitudes;
pub(super) mod build;
pub(super) mod disjoint;
pub(super) mod logistic;
pub(super) mod participation;
pub(super) mod tie_counts;
pub(super) mod tie_sums;
