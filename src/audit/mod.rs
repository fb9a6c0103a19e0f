//! The audit trail: one JSON line per decision, chained and sealed with a
//! secret key.
//!
//! Each line is a JSON object whose last member is `"mac"`: the
//! HMAC-SHA256, under the chain key, of the line's bytes before that
//! member, closed with `}` — i.e. of the record as it would read without
//! its seal. Every record also carries `prev_hash`, the seal of the record
//! before it (64 zeros for the first), so editing, inserting or deleting
//! any record breaks the chain at that point, and [`verify_set`] names the
//! first broken line. Without the key nobody can seal a record: an edited
//! record with its chain recomputed, a forged record appended, or a whole
//! file rewritten does not verify.
//!
//! Hashing the exact bytes written avoids any canonical-JSON question:
//! verification never re-serialises.
//!
//! # Keys, checkpoints, locks
//!
//! * The key ([`AuditKey`], at least 32 bytes) comes from
//!   [`AuditOptions::chain_key`]: by default the key file `<file>.key`
//!   beside the log, created at first use with 32 random bytes, owner-only.
//!   A key beside the log stops anyone who cannot read it, but not someone
//!   who can read the directory: real deployments keep it elsewhere
//!   ([`ChainKey::File`], config `audit.key_file`). A key file readable by
//!   group or others, or a symbolic link, is refused.
//! * A keyed chain cut short is still a valid chain, so the length is
//!   recorded apart: `<file>.checkpoints` gets a sealed line (record count
//!   and the last record's seal) every [`AuditOptions::checkpoint_every`]
//!   records and when the log is closed. [`verify_set`] requires every
//!   checkpoint's record to exist with that seal ("records deleted after
//!   checkpoint: expected ≥N records, found M"), and [`AuditLog::open`]
//!   refuses to continue a log shorter than its last checkpoint. Records
//!   cut together with the checkpoints that name them go unnoticed: copy
//!   the checkpoints off the machine where that matters.
//! * An [`AuditLog`] holds an exclusive lock on `<file>.lock` (with its
//!   process id written in it) for its lifetime: a second writer, which
//!   would fork the chain, is refused with [`AuditError::Locked`] naming
//!   the holder. The log, key, checkpoint and lock files are opened without
//!   following symbolic links, and made owner-only if they were not.
//! * Logs written before the chain was keyed (format 1: a plain SHA-256
//!   `"hash"` member) are still read. Appending to one continues it with
//!   keyed records, which pin the unkeyed ones before them; a chain that
//!   ends in unkeyed records verifies only as [`SetVerification::Unkeyed`]
//!   — intact, but nothing stops a rewrite — and an unkeyed record after a
//!   keyed one is a break.
//!
//! # Crash safety
//!
//! * A record is one `write_all` of a whole line on an `O_APPEND` file, so a
//!   reader sees whole lines or (if the process dies inside the write) a torn
//!   last line without its newline — never a record spliced into another.
//!   [`AuditLog::append_batch`] writes a batch's whole lines in one
//!   `write_all`; a crash inside it leaves the batch's leading whole
//!   records and at most one torn line, handled the same way.
//! * [`Durability`] says when written records are forced to disk: after
//!   every record (after every batch, for a batch), at most every N
//!   milliseconds (a background thread syncs), or when the OS decides.
//! * [`AuditLog::open`] finds a torn last line, copies it aside to
//!   `<file>.torn-<timestamp>`, truncates the file to its last whole record
//!   and continues the chain from there; [`AuditLog::recovered`] reports it.
//!
//! # Rotation
//!
//! With [`AuditOptions::rotate_bytes`], a file that would grow past the limit
//! is closed and renamed `<file>.000001`, `<file>.000002`, … and a new
//! `<file>` is started whose first record links to the last record of the
//! previous file: one chain across the set. [`verify_set`] checks the
//! rotated files in order, then the live file.
//!
//! # Pseudonymisation
//!
//! With [`AuditOptions::pseudonymise_key`], the customer identifier stored
//! in each record is `hmac-sha256:<hex>` of the identifier under that key:
//! records of one customer stay linkable, but the identifier cannot be read
//! back without the key.
//!
//! # Layout
//!
//! * `record` — the record format: one line, its seal and its link;
//!   pseudonymisation of customer identifiers.
//! * `key` — [`AuditKey`]: the chain key and its file.
//! * `checkpoint` — `<file>.checkpoints`: sealed record counts.
//! * `options` — [`AuditOptions`], [`ChainKey`], [`Durability`] and [`AuditError`].
//! * `files` — the files of a set on disk: rotated names, the last whole
//!   record, setting a torn tail aside.
//! * `log` — [`AuditLog`]: durable appends, batches, rotation, checkpoints.
//! * `verify` — [`verify`], [`verify_set`], [`verify_reader`] and their
//!   `_with` forms taking the key.
//! * `prune` — reading a set's records back ([`for_each_record`]) and
//!   removing its oldest files once the retention allows ([`prune_set`]),
//!   leaving sealed anchors that keep what remains verifiable.
//!
//! Besides decisions and refusals, the chain holds staff actions (a case
//! resolved, a customer frozen): [`AuditLog::append_staff`].
//!
//! What decided ([`Provenance`], [`ListRef`], [`ENGINE_VERSION`]) belongs
//! to the model; it is re-exported here for older paths.

mod checkpoint;
mod files;
mod key;
mod log;
mod options;
mod prune;
mod record;
mod verify;

#[cfg(test)]
mod test_support;

pub use checkpoint::checkpoint_path;
pub use files::{rotated_files, TornTail};
pub use key::{default_key_path, AuditKey, MIN_CHAIN_KEY_BYTES};
pub use log::AuditLog;
pub use options::{
    AuditError, AuditOptions, ChainKey, Durability, DEFAULT_CHECKPOINT_EVERY,
    MIN_PSEUDONYMISE_KEY_BYTES,
};
pub use prune::{for_each_record, prune_set, PruneReport};
pub use record::{pseudonymise, AuditEntry, AuditRecord, Refusal, GENESIS_HASH, RECORD_FORMAT};
pub use verify::{
    verify, verify_reader, verify_set, verify_set_with, verify_with, SetVerification, Verification,
};

pub use crate::model::{ListRef, Provenance, ENGINE_VERSION};
