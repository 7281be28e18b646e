//! The on-disk contract of outputs: what `manifest.json` holds, and one
//! run's files.

pub mod manifest;
pub mod output;
