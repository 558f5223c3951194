//! Why a use-case could not be done, by kind, so that each face answers it its own way
//! (an exit code and a message; a status code, a page or a JSON envelope).

use assure_plan::Diagnostics;
use assure_store::StoreError;

/// Why a use-case failed.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// No such item in the plan.
    #[error("There is no {what} '{id}' in the plan.")]
    NotFound {
        /// What kind of item ("indicator", "milestone", ...).
        what: &'static str,
        /// The id asked for.
        id: String,
    },
    /// A file that cannot be imported: every problem, each naming its line; nothing was written.
    #[error("{file}: {} problem(s); nothing was written", problems.total())]
    InvalidFile {
        /// The file's name.
        file: String,
        /// Each problem with its file, line, column and field.
        problems: Diagnostics,
    },
    /// Fingertips indicator ids mapped to ids that are not tracked indicators of the
    /// plan, in order of the Fingertips id; nothing was written.
    #[error("{}", .0.iter().map(|(id, target)| format!("--map {id}={target}: '{target}' is not an indicator of the plan")).collect::<Vec<_>>().join("\n"))]
    UnknownMapTargets(Vec<(u32, String)>),
    /// Fields that cannot be accepted: each with its field and what is wrong.
    #[error("{}", .0.iter().map(|(f, m)| format!("{f}: {m}")).collect::<Vec<_>>().join("; "))]
    Rejected(Vec<assure_plan::delivery::FieldProblem>),
    /// The person may not do this (the message says why, in words for them).
    #[error("{0}")]
    Forbidden(String),
    /// The store failed, or refused.
    #[error(transparent)]
    Store(StoreError),
    /// Too many submissions from one address or email: try again after this many seconds.
    #[error("Too many submissions: try again in {retry_after} seconds.")]
    TooMany {
        /// Seconds to wait.
        retry_after: u64,
    },
    /// An email could not be sent.
    #[error(transparent)]
    Mail(crate::MailError),
    /// Some reminders could not be sent (the others were): who, and why.
    #[error("{0}")]
    NotSent(String),
    /// Data could not be fetched (an error status, no answer in time, unreachable);
    /// nothing was written.
    #[error(transparent)]
    Fetch(crate::FetchError),
    /// Some scheduled Fingertips sources could not be fetched (the others were): which, and why.
    #[error("{0}")]
    Refresh(String),
    /// A report could not be typeset.
    #[error("the report could not be generated: {0}")]
    Report(String),
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> AppError {
        match e {
            StoreError::Rejected { field, message } => AppError::Rejected(vec![(field, message)]),
            e => AppError::Store(e),
        }
    }
}

impl AppError {
    /// The fields and their problems, when the error is about fields.
    pub fn field_problems(&self) -> Option<&[assure_plan::delivery::FieldProblem]> {
        match self {
            AppError::Rejected(problems) => Some(problems),
            _ => None,
        }
    }
}
