//! What can stop a command, and the exit code each one means: bad input (2),
//! a failure at run time (1), or a stop by the user (130) after which what
//! was done is kept. Every library entry point that the binary calls returns
//! this one error; the binary only prints it and exits with its code.

use std::fmt;

pub use crate::scenario::InputError;

/// Why a command stopped early.
#[derive(Debug)]
pub enum Error {
    /// Bad input: a file, flag or value that cannot be used (exit 2).
    Input(InputError),
    /// A failure at run time, such as a folder that cannot be written (exit 1).
    Runtime(String),
    /// Stopped by the user after this many runs; they are kept (exit 130).
    Interrupted {
        /// Runs done.
        done: usize,
    },
}

/// A result of this crate's commands.
pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    /// The process exit code this error means.
    pub fn exit_code(&self) -> u8 {
        match self {
            Self::Input(_) => 2,
            Self::Runtime(_) => 1,
            Self::Interrupted { .. } => 130,
        }
    }

    /// A run-time error about `context` (a path or a step) caused by `e`.
    pub fn runtime(context: impl fmt::Display, e: impl fmt::Display) -> Self {
        Self::Runtime(format!("{context}: {e}"))
    }
}

impl From<crate::files::LockRefused> for Error {
    fn from(e: crate::files::LockRefused) -> Self {
        Self::Input(InputError::new(e.folder, e.message))
    }
}

impl From<InputError> for Error {
    fn from(e: InputError) -> Self {
        Self::Input(e)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Input(e) => write!(f, "error: {e}"),
            Self::Runtime(e) => write!(f, "error: {}", crate::safe_text::for_terminal(e)),
            Self::Interrupted { done } => write!(
                f,
                "interrupted: {done} runs are kept; run the same command with --resume to finish"
            ),
        }
    }
}

impl std::error::Error for Error {}
