//! What can stop a command, and the exit code each one means: bad input (2),
//! a failure at run time (1), or a stop by the user (130) after which what
//! was done is kept. Every library entry point that the binary calls returns
//! this one error; the binary only prints it and exits with its code.

use std::fmt;

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

impl From<crate::util::files::LockRefused> for Error {
    fn from(e: crate::util::files::LockRefused) -> Self {
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
            Self::Runtime(e) => write!(f, "error: {}", crate::util::safe_text::for_terminal(e)),
            Self::Interrupted { done } => write!(
                f,
                "interrupted: {done} runs are kept; run the same command with --resume to finish"
            ),
        }
    }
}

impl std::error::Error for Error {}

/// Bad input: a file, flag or value that cannot be used. The binary exits 2.
#[derive(Debug, Clone, PartialEq)]
pub struct InputError {
    /// The file (or `--set`, or a flag) the problem is in.
    pub file: String,
    /// The dotted key, where one is to blame.
    pub key: Option<String>,
    /// 1-based line in `file`, where known.
    pub line: Option<usize>,
    /// What is wrong and, for values, the valid range.
    pub message: String,
}

impl InputError {
    /// An error about a whole file or flag, with no key.
    pub fn new(file: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            file: file.into(),
            key: None,
            line: None,
            message: message.into(),
        }
    }

    /// The valid range the message states ("… valid range is 0 to 1
    /// (share)"), for clients that show it apart (the live app's API, the
    /// Python package): the text after "valid range is ", up to the end of
    /// the message, a `;` or a `)` that closes a parenthesis the range did
    /// not open ("(valid range is 1 to 60000 residents)" gives "1 to 60000
    /// residents", issue 29, item 14).
    pub fn range(&self) -> Option<&str> {
        let (_, after) = self.message.split_once("valid range is ")?;
        let mut depth = 0usize;
        let mut end = after.len();
        for (i, c) in after.char_indices() {
            match c {
                '(' => depth += 1,
                ')' if depth == 0 => {
                    end = i;
                    break;
                }
                ')' => depth -= 1,
                ';' | '\n' if depth == 0 => {
                    end = i;
                    break;
                }
                _ => {}
            }
        }
        let range = after[..end].trim().trim_end_matches('.').trim_end();
        (!range.is_empty()).then_some(range)
    }
}

impl fmt::Display for InputError {
    /// One line, with any control character from the input made visible.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use crate::util::safe_text::for_terminal;
        write!(f, "{}", for_terminal(&self.file))?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        if let Some(key) = &self.key {
            write!(f, ": key `{}`", for_terminal(key))?;
        }
        write!(f, ": {}", for_terminal(&self.message))
    }
}

impl std::error::Error for InputError {}

#[cfg(test)]
mod tests {
    use super::InputError;

    #[test]
    fn a_range_ends_where_its_sentence_or_parenthesis_does() {
        let cases = [
            (
                "x is out of range: valid range is 0 to 1 (share)",
                Some("0 to 1 (share)"),
            ),
            (
                "300 residents (valid range is 1 to 60000 residents)",
                Some("1 to 60000 residents"),
            ),
            (
                "bad; valid range is 1 to 365 days (integer).",
                Some("1 to 365 days (integer)"),
            ),
            ("valid range is 1 to 50; did you mean y?", Some("1 to 50")),
            (
                "day 9: valid range is 1 to 36500 (a day; after 365, never)",
                Some("1 to 36500 (a day; after 365, never)"),
            ),
            ("no range here", None),
            ("(valid range is )", None),
        ];
        for (message, range) in cases {
            assert_eq!(InputError::new("f", message).range(), range, "{message}");
        }
    }
}
