//! govsim: a multi-agent simulator of party-led collaborative governance.
//!
//! Residents, party organizations, government and social groups of a district
//! handle public issues under multi-center governance rules. The model follows
//! the design in `docs/ODD.md`: [`scenario`] holds every lever, [`model`] runs
//! a day-by-day simulation as a pure function of (scenario, seed), [`metrics`]
//! turns its state into rows, [`run`] steps a whole run or a live one;
//! [`experiment`] runs many on one runner, [`analysis`] holds the pure
//! mathematics of the analyses, [`store`] the on-disk contract, [`report`]
//! draws plots and pages from files, and [`util`] the file layer. [`api`] is
//! the typed API every client calls; [`app`] is the command line's and the
//! live app's side of it.

#![warn(missing_docs)]

pub mod analysis;
pub mod api;
pub mod app;
pub mod error;
pub mod experiment;
pub mod metrics;
pub mod model;
pub mod report;
pub mod run;
pub mod scenario;
pub mod seeds;
pub mod store;
pub mod util;
