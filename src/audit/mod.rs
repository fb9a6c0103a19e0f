//! The audit trail: one JSON line per decision, hash-chained.
//!
//! Each line is a JSON object whose last member is `"hash"`: the SHA-256 of
//! the line's bytes before that member, closed with `}` — i.e. of the
//! record as it would read without its hash. Every record also carries
//! `prev_hash`, the hash of the record before it (64 zeros for the first),
//! so editing, inserting or deleting any record breaks the chain at that
//! point, and [`verify`] names the first broken line.
//!
//! Hashing the exact bytes written avoids any canonical-JSON question:
//! verification never re-serialises.
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
//! * `record` — the record format: one line, its hash and its link;
//!   pseudonymisation of customer identifiers.
//! * `options` — [`AuditOptions`], [`Durability`] and [`AuditError`].
//! * `files` — the files of a set on disk: rotated names, the last whole
//!   record, setting a torn tail aside.
//! * `log` — [`AuditLog`]: durable appends, batches, rotation.
//! * `verify` — [`verify`], [`verify_set`], [`verify_reader`].
//!
//! What decided ([`Provenance`], [`ListRef`], [`ENGINE_VERSION`]) belongs
//! to the model; it is re-exported here for older paths.

mod files;
mod log;
mod options;
mod record;
mod verify;

#[cfg(test)]
mod test_support;

pub use files::{rotated_files, TornTail};
pub use log::AuditLog;
pub use options::{AuditError, AuditOptions, Durability, MIN_PSEUDONYMISE_KEY_BYTES};
pub use record::{pseudonymise, AuditEntry, AuditRecord, GENESIS_HASH};
pub use verify::{verify, verify_reader, verify_set, SetVerification, Verification};

pub use crate::model::{ListRef, Provenance, ENGINE_VERSION};
