//! How a command fails: an [`Error`] carries what to print and the exit
//! code it means (docs/cli.md#exit-codes). Commands return it with `?`;
//! [`super::run`] prints it, once, through [`super::report::failure`].

use std::fmt;
use std::process::ExitCode;

use crate::diagnostics::Diagnostic;
use crate::load::LoadError;
use crate::pipeline::BuildError;
use crate::write::WriteError;

/// Exit codes (docs/cli.md#exit-codes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Invalid postmortems, failed checks.
    ContentErrors,
    /// Usage or configuration errors.
    UsageOrConfig,
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> ExitCode {
        match exit {
            Exit::ContentErrors => ExitCode::from(1),
            Exit::UsageOrConfig => ExitCode::from(2),
        }
    }
}

/// A failed command. Printed in this order: the diagnostics, the message
/// (`error: …` and `help: …`), the closing line.
#[derive(Debug)]
pub struct Error {
    pub exit: Exit,
    pub diagnostics: Vec<Diagnostic>,
    /// Not tied to a file; with an optional hint.
    pub message: Option<(String, Option<String>)>,
    /// A last line saying what the failure means, e.g. `Build failed: …`.
    pub closing: Option<String>,
}

impl Error {
    fn new(exit: Exit) -> Error {
        Error {
            exit,
            diagnostics: Vec::new(),
            message: None,
            closing: None,
        }
    }

    /// A usage or configuration error (exit code 2).
    pub fn usage(message: impl Into<String>) -> Error {
        Error {
            message: Some((message.into(), None)),
            ..Error::new(Exit::UsageOrConfig)
        }
    }

    /// Diagnostics that fail the command with `exit`.
    pub fn diagnostics(items: Vec<Diagnostic>, exit: Exit) -> Error {
        Error {
            diagnostics: items,
            ..Error::new(exit)
        }
    }

    /// The command's own output already says what failed (`check`'s
    /// findings, `import`'s report): only the exit code is left to give.
    pub fn reported(exit: Exit) -> Error {
        Error::new(exit)
    }

    /// How to fix it, under the message.
    pub fn hint(mut self, hint: impl Into<String>) -> Error {
        if let Some((_, h)) = &mut self.message {
            *h = Some(hint.into());
        }
        self
    }

    /// A message after the diagnostics.
    pub fn and_message(mut self, message: impl Into<String>) -> Error {
        self.message = Some((message.into(), None));
        self
    }

    pub fn closing(mut self, line: impl Into<String>) -> Error {
        self.closing = Some(line.into());
        self
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.message {
            Some((message, _)) => f.write_str(message),
            None => write!(f, "{} problems", self.diagnostics.len()),
        }
    }
}

impl std::error::Error for Error {}

impl From<LoadError> for Error {
    fn from(error: LoadError) -> Error {
        match error {
            LoadError::Config(items) => Error::diagnostics(items, Exit::UsageOrConfig),
            LoadError::NoContent(_) => Error::usage(error.to_string()).hint(
                "postmortems live in content/*.md; run `hindsight init DIR` to start a knowledge base",
            ),
            other => Error::usage(other.to_string()),
        }
    }
}

impl From<WriteError> for Error {
    fn from(error: WriteError) -> Error {
        Error::usage(error.to_string()).hint(error.hint())
    }
}

impl From<BuildError> for Error {
    fn from(error: BuildError) -> Error {
        match error {
            BuildError::Content(items) => Error::diagnostics(items, Exit::ContentErrors),
            BuildError::Theme(items) => Error::diagnostics(items, Exit::UsageOrConfig),
            BuildError::Search(_) => Error::usage(error.to_string()).hint(
                "this is a bug in hindsight: please report it with the content that triggers it",
            ),
            BuildError::Write(e) => e.into(),
            // Only `serve`'s builds in the background are superseded; it
            // drops them without a report.
            BuildError::Superseded => Error::usage(error.to_string()),
        }
    }
}
