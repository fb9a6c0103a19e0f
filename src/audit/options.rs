//! How an audit log writes, and why an audit operation failed.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::key::AuditKey;

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
    /// The chain key file is missing, unreadable, malformed, or readable by others.
    #[error("audit key file {path}: {message}")]
    Key {
        /// The key file.
        path: PathBuf,
        /// What is wrong, and what to do.
        message: String,
    },
    /// Another process (or another [`AuditLog`](super::AuditLog) in this
    /// one) writes this audit log: a second writer would fork the chain.
    #[error("audit log {path} {message}")]
    Locked {
        /// The audit file.
        path: PathBuf,
        /// The lock file.
        lock_file: PathBuf,
        /// The holder's process id, when it had written it.
        holder: Option<u32>,
        /// "is in use by process N (lock file …)".
        message: String,
    },
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
            AuditError::Key { path, message } => AuditError::Key {
                path: path.clone(),
                message: message.clone(),
            },
            AuditError::Locked {
                path,
                lock_file,
                holder,
                message,
            } => AuditError::Locked {
                path: path.clone(),
                lock_file: lock_file.clone(),
                holder: *holder,
                message: message.clone(),
            },
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

/// Default of [`AuditOptions::checkpoint_every`].
pub const DEFAULT_CHECKPOINT_EVERY: u64 = 1000;

/// Where the key that seals the chain comes from.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub enum ChainKey {
    /// `<audit file>.key` (see [`default_key_path`](super::default_key_path)),
    /// created at first use. It stops a rewrite by anyone who cannot read
    /// that file, but whoever can read the audit directory can read the key
    /// too: real deployments keep the key elsewhere ([`ChainKey::File`]).
    #[default]
    BesideLog,
    /// This key file, created (owner-only) at first use.
    File(PathBuf),
    /// A key held elsewhere (a key store).
    Given(AuditKey),
}

/// How an [`AuditLog`](super::AuditLog) writes: durability, rotation,
/// pseudonymisation, the chain key and checkpoints.
#[derive(Clone)]
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
    /// The key every record and checkpoint is sealed with. Default
    /// [`ChainKey::BesideLog`].
    pub chain_key: ChainKey,
    /// Write a checkpoint (record count and last seal) to
    /// `<file>.checkpoints` once this many records were appended since the
    /// last one (checked after each append or batch), besides the one
    /// written on close. Lower catches deleted records closer to the end of
    /// the log at the cost of a write (and a sync) per checkpoint; 0 writes
    /// them only on close and on [`AuditLog::checkpoint`](super::AuditLog::checkpoint).
    /// Default [`DEFAULT_CHECKPOINT_EVERY`].
    pub checkpoint_every: u64,
    /// The instance writing this log, recorded in every record (and sealed
    /// with it), when several instances each keep their own chain: what
    /// `amlscreen audit verify` and `audit export` tell the chains apart
    /// by. `None` (the default) leaves it out.
    pub instance: Option<String>,
}

impl Default for AuditOptions {
    fn default() -> AuditOptions {
        AuditOptions {
            durability: Durability::default(),
            rotate_bytes: None,
            pseudonymise_key: None,
            chain_key: ChainKey::default(),
            checkpoint_every: DEFAULT_CHECKPOINT_EVERY,
            instance: None,
        }
    }
}

impl std::fmt::Debug for AuditOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // never print a key (AuditKey's Debug hides its bytes)
        f.debug_struct("AuditOptions")
            .field("durability", &self.durability)
            .field("rotate_bytes", &self.rotate_bytes)
            .field("pseudonymise", &self.pseudonymise_key.is_some())
            .field("chain_key", &self.chain_key)
            .field("checkpoint_every", &self.checkpoint_every)
            .finish()
    }
}
