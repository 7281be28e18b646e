//! The mathematics of the analyses, pure (no I/O, no model): statistics
//! with intervals, sensitivity designs and estimators, Shapley attribution,
//! ABC-SMC calibration, and the judging of validation claims.

pub mod calibrate;
pub mod decompose;
pub mod sensitivity;
pub mod stats;
pub mod validate;
