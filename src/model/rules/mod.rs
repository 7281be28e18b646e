//! The rules of the model: every formula of `docs/ODD.md`, section 7, once,
//! as a plain scalar function or small struct, one file per submodel and
//! named by its section. This is where a scholar reads a mechanism and
//! changes it.
//!
//! Nothing here keeps state, reads the clock or does I/O, and there is no
//! unsafe code, cache or vector instruction: the daily
//! schedule (`model/*.rs`) and the fast kernels (`model/kernels/`) call these
//! functions (inlined), and so does the plain reference model that the tests
//! step beside [`Model`](super::Model). A change made here reaches all three.
//!
//! A rule that decides by chance returns the probability (or the threshold
//! a uniform draw is compared with), and the caller draws; only the rules
//! that are draws themselves (the competencies, effort, severity and
//! patience of a new issue) take the random stream, and say in which order
//! they draw from it. The order of the
//! floating-point operations is part of each rule: the same operations in the
//! same order give the same bits wherever the rule is called.
//!
//! | ODD section | file |
//! |---|---|
//! | 3, step 2: arrival of issues | [`arrival`] |
//! | 7.1 Participation | [`participation`] |
//! | 7.2 Detection and escalation | [`detection`] |
//! | 7.3 Routing | [`routing`] |
//! | 7.4 Joint conference | [`conference`] |
//! | 7.5 Work | [`work`] |
//! | 7.6 Outcomes and feedback | [`feedback`] |
//! | 7.7 Trust diffusion | [`diffusion`] |
//! | 7.8 Shocks | [`shocks`] |

pub mod arrival;
pub mod conference;
pub mod detection;
pub mod diffusion;
pub mod feedback;
pub mod participation;
pub mod routing;
pub mod shocks;
pub mod work;

/// The logistic function σ(u) = 1 / (1 + exp(−u)), in `f64`: the probability
/// of joining a coalition (7.3).
#[inline]
pub fn logistic(u: f64) -> f64 {
    1.0 / (1.0 + (-u).exp())
}

/// σ by its formula in `f32`: the probability of taking part (7.1). The
/// participation kernel settles most draws with an approximation, and must
/// decide exactly as this formula does (`model/kernels/logistic.rs`).
#[inline]
pub fn logistic_f32(u: f32) -> f32 {
    1.0 / (1.0 + (-u).exp())
}
