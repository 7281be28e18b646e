//! The bottom layer: bytes, bounded reads and atomic writes of files, the
//! folder lock, and text made safe for spreadsheets and terminals.

pub mod files;
pub mod safe_text;
