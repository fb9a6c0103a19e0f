//! The library's error type. Every error a user can cause names the file,
//! line/record and field.

use std::path::PathBuf;

use crate::audit::AuditError;
use crate::lists::ListError;
use crate::rules::RuleFileError;

/// Anything that can go wrong building a screener or screening.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The config file is unreadable or invalid.
    #[error("{}{position}: {message}", path.display())]
    Config {
        /// Config file.
        path: PathBuf,
        /// `:line:column` when known, else empty.
        position: String,
        /// What is wrong.
        message: String,
    },
    /// A list file could not be loaded.
    #[error(transparent)]
    List(#[from] ListError),
    /// Rule files failed validation; every error is listed.
    #[error("{}", join_lines(.0))]
    Rules(Vec<RuleFileError>),
    /// The audit log could not be written.
    #[error(transparent)]
    Audit(#[from] AuditError),
    /// A list snapshot could not be written, or was refused.
    #[error(transparent)]
    Snapshot(#[from] crate::snapshot::SnapshotError),
    /// A customer-state checkpoint could not be read or written.
    #[error(transparent)]
    State(#[from] crate::state::StateCheckpointError),
    /// A transaction is not valid for screening.
    #[error("transaction '{id}': field '{field}': {message}")]
    InvalidTransaction {
        /// Transaction id (may be empty when that is what is wrong).
        id: String,
        /// Field name.
        field: String,
        /// What is wrong.
        message: String,
    },
}

fn join_lines(errors: &[RuleFileError]) -> String {
    errors
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}

impl From<Vec<RuleFileError>> for Error {
    fn from(errors: Vec<RuleFileError>) -> Error {
        Error::Rules(errors)
    }
}
