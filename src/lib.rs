//! govsim: a multi-agent simulator of party-led collaborative governance.
//!
//! Residents, party organizations, government and social groups of a district
//! handle public issues under multi-center governance rules. The model follows
//! the design in `docs/ODD.md`: [`scenario`] holds every lever, [`model`] runs
//! a day-by-day simulation as a pure function of (scenario, seed), [`metrics`]
//! turns its state into rows, and [`output`] writes a run's files through
//! [`files`]; [`experiment`] runs many, and [`export`] turns an experiment's
//! files into plots and a report.

#![warn(missing_docs)]

pub mod api;
pub mod calibrate;
pub mod commands;
pub mod decompose;
pub mod error;
pub mod experiment;
pub mod export;
pub mod files;
pub mod html;
pub mod live;
pub mod manifest;
pub mod metrics;
pub mod model;
pub mod output;
pub mod plots;
pub mod png_backend;
pub mod report;
pub mod results;
pub mod run;
pub mod safe_text;
pub mod scenario;
pub mod seeds;
pub mod sensitivity;
pub mod serve;
pub mod stats;
pub mod validate;
