//! The command line's and the live app's side of the API: each command's
//! console text ([`commands`]), the summary printed after a run
//! ([`summary`]), and the live app's server ([`serve`]).

pub mod commands;
pub mod serve;
pub mod summary;
