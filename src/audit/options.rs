//! How an audit log writes, and why an audit operation failed.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// Why an audit operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AuditError {
    /// I/O on the audit file.
    #[error("{path}: {source}")]
    Io {
        /// Audit file.
        path: PathBuf,
        /// Cause.
        source: std::io::Error,
    },
    /// The existing file's last record is unreadable, so the chain cannot continue.
    #[error("{path}: line {line}: {message}")]
    Corrupt {
        /// Audit file.
        path: PathBuf,
        /// 1-based line (0 when unknown).
        line: u64,
        /// What is wrong.
        message: String,
    },
    /// The audit settings are unusable (e.g. a pseudonymisation key that is too short).
    #[error("audit settings: {0}")]
    Config(String),
}

impl AuditError {
    /// A copy of this error, for reporting one failure on every decision
    /// of a batch (`std::io::Error` is not `Clone`; its kind and message are kept).
    pub fn duplicate(&self) -> AuditError {
        match self {
            AuditError::Io { path, source } => AuditError::Io {
                path: path.clone(),
                source: std::io::Error::new(source.kind(), source.to_string()),
            },
            AuditError::Corrupt {
                path,
                line,
                message,
            } => AuditError::Corrupt {
                path: path.clone(),
                line: *line,
                message: message.clone(),
            },
            AuditError::Config(message) => AuditError::Config(message.clone()),
        }
    }

    pub(super) fn io(path: &Path) -> impl FnOnce(std::io::Error) -> AuditError + '_ {
        move |source| AuditError::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}

/// When written records are forced to stable storage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[non_exhaustive]
pub enum Durability {
    /// `fdatasync` after every record, before `append` returns: a decision
    /// the caller has seen is on disk. The safest and slowest setting.
    #[default]
    EveryRecord,
    /// A background thread syncs at most this long after a record was
    /// written: a power loss can lose up to this window; a killed process
    /// loses nothing (the OS still holds the written lines).
    Interval(Duration),
    /// Never sync explicitly; the OS writes back when it chooses (and on
    /// close). Survives a killed process, not a power loss.
    OsBuffered,
}

/// Smallest accepted pseudonymisation key, in bytes.
pub const MIN_PSEUDONYMISE_KEY_BYTES: usize = 16;

/// How an [`AuditLog`](super::AuditLog) writes: durability, rotation, pseudonymisation.
#[derive(Clone, Default)]
pub struct AuditOptions {
    /// When records reach the disk. Default [`Durability::EveryRecord`].
    pub durability: Durability,
    /// Rotate when the live file would grow past this many bytes; `None`
    /// (the default) never rotates. A single record larger than the limit
    /// still gets a file of its own.
    pub rotate_bytes: Option<u64>,
    /// HMAC-SHA256 key for customer identifiers; `None` stores them as given.
    /// At least [`MIN_PSEUDONYMISE_KEY_BYTES`] bytes.
    pub pseudonymise_key: Option<Vec<u8>>,
}

impl std::fmt::Debug for AuditOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // never print the key
        f.debug_struct("AuditOptions")
            .field("durability", &self.durability)
            .field("rotate_bytes", &self.rotate_bytes)
            .field("pseudonymise", &self.pseudonymise_key.is_some())
            .finish()
    }
}
