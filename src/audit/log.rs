//! [`AuditLog`]: appends keyed, chained records to a (possibly rotated)
//! audit file, durably as [`Durability`] says, with checkpoints beside it
//! and an exclusive lock on it.

use std::fs::File;
use std::io::{Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use chrono::{DateTime, Utc};

use super::checkpoint::{checkpoint_path, CheckpointFile};
use super::files::{
    continue_from_rotated, next_rotated, open_append, read_tail, set_aside_torn_tail, TornTail,
};
use super::key::{default_key_path, AuditKey};
use super::options::{AuditError, AuditOptions, ChainKey, Durability, MIN_PSEUDONYMISE_KEY_BYTES};
use super::record::{
    pseudonymise, record_link, AuditEntry, AuditRecordRef, ChainEnd, Refusal, RECORD_FORMAT,
};
use crate::durable;
use crate::durable::{FileLock, LockError};
use crate::model::{Decision, Provenance};

/// State shared with the interval-sync thread.
#[derive(Debug)]
struct SyncShared {
    /// A handle on the live file (replaced at rotation).
    file: Mutex<File>,
    /// Records written / records known to be on disk (chain `seq`).
    written: AtomicU64,
    synced: AtomicU64,
    stop: AtomicBool,
}

impl SyncShared {
    /// Syncs the live file; returns whether anything was pending.
    fn sync_now(&self) -> std::io::Result<()> {
        let target = self.written.load(Ordering::Acquire);
        if self.synced.load(Ordering::Acquire) >= target {
            return Ok(());
        }
        let file = self.file.lock().unwrap_or_else(|p| p.into_inner());
        file.sync_data()?;
        self.synced.fetch_max(target, Ordering::AcqRel);
        Ok(())
    }
}

/// Appends keyed, chained records to a (possibly rotated) audit file,
/// holding the file's lock for its lifetime.
#[derive(Debug)]
pub struct AuditLog {
    path: PathBuf,
    file: File,
    /// Bytes in the live file.
    size: u64,
    last_hash: String,
    seq: u64,
    options: AuditOptions,
    recovered: Option<TornTail>,
    shared: Arc<SyncShared>,
    syncer: Option<JoinHandle<()>>,
    key: AuditKey,
    checkpoints: CheckpointFile,
    /// `seq` at the last checkpoint written or found.
    checkpointed: u64,
    // Released (closed) when the log is dropped.
    _lock: FileLock,
}

impl AuditLog {
    /// Opens (creating if needed) an audit file with the default options
    /// (sync every record, no rotation, no pseudonymisation, the key
    /// `<file>.key` created at first use) and continues its chain.
    pub fn open(path: &Path) -> Result<AuditLog, AuditError> {
        AuditLog::open_with(path, AuditOptions::default())
    }

    /// Opens (creating if needed) an audit file and continues its chain —
    /// across rotated files, and past a torn last line, which is set aside
    /// and reported by [`AuditLog::recovered`].
    ///
    /// Refused, so that nothing is appended to a log that was tampered
    /// with or that another writer holds: when another process (or another
    /// `AuditLog`) holds `<file>.lock` ([`AuditError::Locked`]); when the
    /// key file is missing and cannot be created, malformed, or readable by
    /// others ([`AuditError::Key`]); when the last record's seal does not
    /// hold under the key; when the log is shorter than its last
    /// checkpoint, or its checkpoint file is gone while it holds keyed
    /// records ([`AuditError::Corrupt`]). A symbolic link in place of the
    /// log, key, checkpoint or lock file is refused, not followed.
    pub fn open_with(path: &Path, options: AuditOptions) -> Result<AuditLog, AuditError> {
        if let Some(key) = &options.pseudonymise_key {
            if key.len() < MIN_PSEUDONYMISE_KEY_BYTES {
                return Err(AuditError::Config(format!(
                    "pseudonymisation key has {} bytes; at least {MIN_PSEUDONYMISE_KEY_BYTES} are needed",
                    key.len()
                )));
            }
        }
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(AuditError::io(path))?;
        }
        // First the lock: everything after it (key creation, torn-tail
        // repair, checkpoints) must not race a second writer.
        let lock = FileLock::acquire(path).map_err(|e| lock_error(path, e))?;
        let key = match &options.chain_key {
            ChainKey::BesideLog => AuditKey::load_or_create(&default_key_path(path))?,
            ChainKey::File(key_file) => AuditKey::load_or_create(key_file)?,
            ChainKey::Given(key) => key.clone(),
        };
        let mut file = open_append(path)?;
        let len = file.seek(SeekFrom::End(0)).map_err(AuditError::io(path))?;
        let tail = read_tail(&mut file, len, path)?;
        let mut recovered = None;
        if tail.whole_len < len {
            recovered = Some(set_aside_torn_tail(&mut file, path, tail.whole_len, len)?);
        }
        let end = match &tail.last_line {
            Some(line) => record_link(line, &key).map_err(|message| AuditError::Corrupt {
                path: path.to_path_buf(),
                line: 0,
                message: format!(
                    "last whole record is unreadable, so the chain cannot continue: {message}"
                ),
            })?,
            None => continue_from_rotated(path, &key)?,
        };
        let (checkpoints, checkpointed) = open_checkpoints(path, &key, &end)?;
        let (seq, last_hash) = (end.seq, end.seal);
        let shared = Arc::new(SyncShared {
            file: Mutex::new(file.try_clone().map_err(AuditError::io(path))?),
            written: AtomicU64::new(seq),
            synced: AtomicU64::new(seq),
            stop: AtomicBool::new(false),
        });
        let syncer = match options.durability {
            Durability::Interval(every) => {
                let shared = Arc::clone(&shared);
                Some(std::thread::spawn(move || {
                    while !shared.stop.load(Ordering::Acquire) {
                        std::thread::park_timeout(every);
                        // An error here surfaces at the next explicit sync or
                        // on close; the thread keeps trying.
                        let _ = shared.sync_now();
                    }
                }))
            }
            _ => None,
        };
        Ok(AuditLog {
            path: path.to_path_buf(),
            file,
            size: tail.whole_len,
            last_hash,
            seq,
            options,
            recovered,
            shared,
            syncer,
            key,
            checkpoints,
            checkpointed,
            _lock: lock,
        })
    }

    /// The torn last line found and set aside when this log was opened.
    pub fn recovered(&self) -> Option<&TornTail> {
        self.recovered.as_ref()
    }

    /// The live audit file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends one decision; the whole line reaches the OS in one write.
    pub fn append(
        &mut self,
        decision: &Decision,
        provenance: &Provenance,
        decided_at: DateTime<Utc>,
    ) -> Result<String, AuditError> {
        self.append_for(decision, provenance, None, decided_at)
    }

    /// Appends one decision with the customer it concerns (pseudonymised
    /// when a key is configured); returns the record's hash. Under
    /// [`Durability::EveryRecord`] the record is on disk when this returns.
    pub fn append_for(
        &mut self,
        decision: &Decision,
        provenance: &Provenance,
        customer_id: Option<&str>,
        decided_at: DateTime<Utc>,
    ) -> Result<String, AuditError> {
        self.append_entry(
            &AuditEntry {
                transaction_id: &decision.transaction_id,
                decision: Some(decision),
                refused: None,
                staff: None,
                customer_id,
                decided_at,
            },
            Some(provenance),
        )
    }

    /// Appends the record of a transaction refused unscreened (its id
    /// reused with other content): the chain shows the attempt, the
    /// output shows an error record. Returns the record's MAC.
    pub fn append_refusal(
        &mut self,
        transaction_id: &str,
        refusal: &Refusal,
        provenance: &Provenance,
        customer_id: Option<&str>,
        decided_at: DateTime<Utc>,
    ) -> Result<String, AuditError> {
        self.append_entry(
            &AuditEntry {
                transaction_id,
                decision: None,
                refused: Some(refusal),
                staff: None,
                customer_id,
                decided_at,
            },
            Some(provenance),
        )
    }

    /// Appends the record of a staff action (`staff`, as the case store
    /// keeps it) on a transaction (`""` for none) and customer. Under
    /// [`Durability::EveryRecord`] it is on disk when this returns.
    ///
    /// With a pseudonymisation key, a `customer_id` member of `staff` is
    /// stored pseudonymised like the record's own. A staff record is
    /// synced whatever the durability: the case store commits the action
    /// only after its record is on disk.
    pub fn append_staff(
        &mut self,
        transaction_id: &str,
        customer_id: Option<&str>,
        staff: &serde_json::Value,
        at: DateTime<Utc>,
    ) -> Result<String, AuditError> {
        let mut staff = staff.clone();
        if let (Some(key), Some(id)) =
            (&self.options.pseudonymise_key, staff.get_mut("customer_id"))
        {
            if let Some(plain) = id.as_str() {
                *id = serde_json::Value::String(pseudonymise(key, plain));
            }
        }
        let mac = self.append_entry(
            &AuditEntry {
                transaction_id,
                decision: None,
                refused: None,
                staff: Some(&staff),
                customer_id,
                decided_at: at,
            },
            None,
        )?;
        if self.options.durability != Durability::EveryRecord {
            self.sync()?;
        }
        Ok(mac)
    }

    fn append_entry(
        &mut self,
        entry: &AuditEntry<'_>,
        provenance: Option<&Provenance>,
    ) -> Result<String, AuditError> {
        let (line, hash) = self.record_line(&self.last_hash, self.seq + 1, entry, provenance)?;
        if self.rotation_due(0, line.len()) {
            self.rotate()?;
        }
        self.write_lines(line.as_bytes(), 1, &hash)?;
        if self.options.durability == Durability::EveryRecord {
            self.sync()?;
        }
        self.checkpoint_if_due()?;
        Ok(hash)
    }

    /// Appends many decisions, chained in slice order, with as few writes
    /// as possible: all records go to the OS in one `write_all` (one per
    /// file when the batch crosses a rotation), and under
    /// [`Durability::EveryRecord`] one `fdatasync` covers the batch before
    /// this returns. That keeps the guarantee "no reported decision without
    /// its record on disk" as long as the caller reports none of the batch's
    /// decisions before this returns `Ok`.
    ///
    /// On error, some leading records of the batch may have been written
    /// (and the chain continues after them), but none is known to be on
    /// disk: treat every decision of the batch as unaudited.
    pub fn append_batch(
        &mut self,
        records: &[AuditEntry<'_>],
        provenance: &Provenance,
    ) -> Result<(), AuditError> {
        self.append_records(records, Some(provenance))
    }

    /// Appends many records that are no decisions (customer ratings: what
    /// the policy computed, not what an engine decided), chained in slice
    /// order, without provenance, in as few writes as
    /// [`AuditLog::append_batch`], and synced before this returns whatever
    /// the durability (as a staff record is).
    pub fn append_notes(&mut self, records: &[AuditEntry<'_>]) -> Result<(), AuditError> {
        self.append_records(records, None)?;
        if self.options.durability != Durability::EveryRecord && !records.is_empty() {
            self.sync()?;
        }
        Ok(())
    }

    fn append_records(
        &mut self,
        records: &[AuditEntry<'_>],
        provenance: Option<&Provenance>,
    ) -> Result<(), AuditError> {
        // Records serialised but not yet written, and the chain after them.
        let mut pending: Vec<u8> = Vec::new();
        let mut pending_count = 0u64;
        let mut last_hash = self.last_hash.clone();
        for record in records {
            let (line, hash) =
                self.record_line(&last_hash, self.seq + pending_count + 1, record, provenance)?;
            if self.rotation_due(pending.len(), line.len()) {
                if pending_count > 0 {
                    self.write_lines(&pending, pending_count, &last_hash)?;
                    pending.clear();
                    pending_count = 0;
                }
                // a record alone over the limit still gets a file of its own
                if self.rotation_due(0, line.len()) {
                    self.rotate()?;
                }
            }
            pending.extend_from_slice(line.as_bytes());
            pending_count += 1;
            last_hash = hash;
        }
        if pending_count > 0 {
            self.write_lines(&pending, pending_count, &last_hash)?;
        }
        if self.options.durability == Durability::EveryRecord && !records.is_empty() {
            self.sync()?;
        }
        self.checkpoint_if_due()?;
        Ok(())
    }

    /// Whether a record of `line` bytes, after `pending` bytes not yet
    /// written, would push a non-empty live file past the rotation limit.
    fn rotation_due(&self, pending: usize, line: usize) -> bool {
        let size = self.size + pending as u64;
        match self.options.rotate_bytes {
            Some(limit) => size > 0 && size + line as u64 > limit,
            None => false,
        }
    }

    /// The line (with its newline) and hash of one record at chain
    /// position `seq` after `prev_hash`.
    fn record_line(
        &self,
        prev_hash: &str,
        seq: u64,
        entry: &AuditEntry<'_>,
        provenance: Option<&Provenance>,
    ) -> Result<(String, String), AuditError> {
        let customer_id = entry
            .customer_id
            .map(|c| match &self.options.pseudonymise_key {
                Some(key) => pseudonymise(key, c),
                None => c.to_owned(),
            });
        AuditRecordRef {
            format: RECORD_FORMAT,
            prev_hash,
            seq,
            instance: self.options.instance.as_deref(),
            decided_at: entry.decided_at,
            transaction_id: entry.transaction_id,
            customer_id: customer_id.as_deref(),
            decision: entry.decision,
            refused: entry.refused,
            staff: entry.staff,
            provenance,
        }
        .line(&self.key)
        .map_err(|e| AuditError::io(&self.path)(std::io::Error::other(e)))
    }

    /// Writes whole lines (`count` records, the last with hash `last_hash`)
    /// to the live file in one `write_all` and advances the chain.
    fn write_lines(&mut self, lines: &[u8], count: u64, last_hash: &str) -> Result<(), AuditError> {
        self.file
            .write_all(lines)
            .map_err(AuditError::io(&self.path))?;
        self.size += lines.len() as u64;
        self.seq += count;
        self.last_hash.clear();
        self.last_hash.push_str(last_hash);
        self.shared.written.store(self.seq, Ordering::Release);
        Ok(())
    }

    /// Closes the live file as the next rotated file and starts a new one.
    fn rotate(&mut self) -> Result<(), AuditError> {
        self.sync()?;
        let rotated = next_rotated(&self.path)?;
        std::fs::rename(&self.path, &rotated).map_err(AuditError::io(&rotated))?;
        let file = open_append(&self.path)?;
        let dir = durable::parent_dir(&self.path);
        durable::sync_dir(dir).map_err(AuditError::io(dir))?;
        let clone = file.try_clone().map_err(AuditError::io(&self.path))?;
        *self.shared.file.lock().unwrap_or_else(|p| p.into_inner()) = clone;
        self.file = file;
        self.size = 0;
        Ok(())
    }

    /// Writes a checkpoint when [`AuditOptions::checkpoint_every`] records
    /// were appended since the last one.
    fn checkpoint_if_due(&mut self) -> Result<(), AuditError> {
        let every = self.options.checkpoint_every;
        if every > 0 && self.seq - self.checkpointed >= every {
            self.checkpoint()?;
        }
        Ok(())
    }

    /// Records the chain's length and last seal in `<file>.checkpoints`, so
    /// that records cut from the end of the log up to here are detected.
    /// Unless the durability is [`Durability::OsBuffered`], the records are
    /// synced before and the checkpoint after: a checkpoint never claims
    /// records that are not on disk. Done every
    /// [`AuditOptions::checkpoint_every`] records and when the log is
    /// dropped; call it to report a failure that a drop would swallow.
    pub fn checkpoint(&mut self) -> Result<(), AuditError> {
        if self.seq == self.checkpointed {
            return Ok(());
        }
        let sync = self.options.durability != Durability::OsBuffered;
        if sync {
            self.sync()?;
        }
        self.checkpoints
            .append(&self.key, self.seq, &self.last_hash, sync)?;
        self.checkpointed = self.seq;
        Ok(())
    }

    /// Forces written records to stable storage.
    pub fn sync(&mut self) -> Result<(), AuditError> {
        self.shared.sync_now().map_err(AuditError::io(&self.path))
    }

    /// Chain position of the last record written (records in the whole set).
    pub fn len(&self) -> u64 {
        self.seq
    }

    /// Whether the chain has no records.
    pub fn is_empty(&self) -> bool {
        self.seq == 0
    }

    /// Chain position of the last record known to be on stable storage.
    pub fn synced(&self) -> u64 {
        self.shared.synced.load(Ordering::Acquire)
    }
}

impl Drop for AuditLog {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::Release);
        if let Some(handle) = self.syncer.take() {
            handle.thread().unpark();
            let _ = handle.join();
        }
        // best effort: nothing to report to from a destructor (the
        // checkpoint syncs the records first, unless OsBuffered)
        if self.checkpoint().is_err() && self.options.durability != Durability::OsBuffered {
            let _ = self.shared.sync_now();
        }
    }
}

/// An [`AuditError`] for a lock that could not be taken.
fn lock_error(path: &Path, error: LockError) -> AuditError {
    let message = error.describe();
    match error {
        LockError::Io { lock_file, source } => AuditError::Io {
            path: lock_file,
            source,
        },
        LockError::Held { lock_file, holder } => AuditError::Locked {
            path: path.to_path_buf(),
            lock_file,
            holder,
            message,
        },
    }
}

/// Opens the checkpoint file of the audit file `path` and checks the
/// chain's end against its last checkpoint; returns the file and the
/// record count of that checkpoint.
fn open_checkpoints(
    path: &Path,
    key: &AuditKey,
    end: &ChainEnd,
) -> Result<(CheckpointFile, u64), AuditError> {
    let checkpoints_path = checkpoint_path(path);
    // Created with the first keyed record, so its absence beside keyed
    // records means it was removed (an older, unkeyed log has none yet).
    if end.keyed && std::fs::symlink_metadata(&checkpoints_path).is_err() {
        return Err(AuditError::Corrupt {
            path: checkpoints_path,
            line: 0,
            message: format!(
                "checkpoint file is missing, but the log holds keyed records ({} of them): it was removed, \
                 so records cut from the end of the log would go unnoticed; restore it, \
                 then check the log with `amlscreen audit verify`",
                end.seq
            ),
        });
    }
    let (file, last) = CheckpointFile::open(&checkpoints_path, key)?;
    let Some(last) = last else {
        return Ok((file, 0));
    };
    let tampered = |message: String| AuditError::Corrupt {
        path: path.to_path_buf(),
        line: 0,
        message: format!(
            "{message}; the chain cannot continue (check it with `amlscreen audit verify`)"
        ),
    };
    if last.records > end.seq {
        return Err(tampered(format!(
            "records deleted after checkpoint: {} says the chain had {} records, the log has {}",
            checkpoints_path.display(),
            last.records,
            end.seq
        )));
    }
    if last.records == end.seq && last.head != end.seal {
        return Err(tampered(format!(
            "the last record (seq {}) is not the one {} names: the log was rewritten",
            end.seq,
            checkpoints_path.display()
        )));
    }
    Ok((file, last.records))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::test_support::{append_n, decision, provenance};
    use crate::audit::{
        checkpoint_path, rotated_files, verify, verify_set, verify_set_with, verify_with,
        AuditRecord,
    };
    use crate::audit::{SetVerification, Verification};
    use crate::model::Action;
    use std::time::Duration;

    #[cfg(unix)]
    #[test]
    fn file_is_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.jsonl");
        AuditLog::open(&path).unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    #[cfg(unix)]
    #[test]
    fn existing_files_are_narrowed_to_the_owner_and_symlinks_refused() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.jsonl");
        std::fs::write(&path, b"").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let mut log = AuditLog::open(&path).unwrap();
        append_n(&mut log, 0, 1);
        drop(log);
        for file in [
            path.clone(),
            default_key_path(&path),
            checkpoint_path(&path),
            crate::durable::lock_path(&path),
        ] {
            let mode = std::fs::metadata(&file).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600, "{}", file.display());
        }
        // a link planted in place of the log is refused, not written through
        let link = dir.path().join("link.jsonl");
        std::os::unix::fs::symlink(&path, &link).unwrap();
        std::fs::copy(default_key_path(&path), default_key_path(&link)).unwrap();
        let err = AuditLog::open(&link).unwrap_err().to_string();
        assert!(err.contains("symbolic link"), "{err}");
        // ... and so is one in place of its checkpoint file
        let other = dir.path().join("other.jsonl");
        std::os::unix::fs::symlink(checkpoint_path(&path), checkpoint_path(&other)).unwrap();
        let err = AuditLog::open(&other).unwrap_err().to_string();
        assert!(err.contains("symbolic link"), "{err}");
    }

    #[test]
    fn a_second_writer_is_refused_while_the_first_holds_the_log() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.jsonl");
        let mut first = AuditLog::open(&path).unwrap();
        append_n(&mut first, 0, 2);
        let err = AuditLog::open(&path).unwrap_err();
        match &err {
            AuditError::Locked { holder, .. } => assert_eq!(*holder, Some(std::process::id())),
            other => panic!("{other:?}"),
        }
        let message = err.to_string();
        assert!(
            message.contains("audit.jsonl")
                && message.contains(&format!("in use by process {}", std::process::id()))
                && message.contains("audit.jsonl.lock"),
            "{message}"
        );
        drop(first);
        let mut second = AuditLog::open(&path).unwrap();
        append_n(&mut second, 2, 3);
        drop(second);
        assert_eq!(verify(&path).unwrap(), Verification::Ok { records: 3 });
    }

    #[test]
    fn checkpoints_are_written_every_n_records_and_on_close() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.jsonl");
        let options = AuditOptions {
            checkpoint_every: 4,
            durability: Durability::OsBuffered,
            ..AuditOptions::default()
        };
        let mut log = AuditLog::open_with(&path, options.clone()).unwrap();
        append_n(&mut log, 0, 9);
        let lines = || {
            std::fs::read_to_string(checkpoint_path(&path))
                .unwrap()
                .lines()
                .count()
        };
        assert_eq!(lines(), 2, "after records 4 and 8");
        log.checkpoint().unwrap();
        log.checkpoint().unwrap(); // nothing new: no second line
        assert_eq!(lines(), 3);
        append_n(&mut log, 9, 10);
        drop(log);
        assert_eq!(lines(), 4, "on close");
        // reopened without new records: no checkpoint
        drop(AuditLog::open_with(&path, options).unwrap());
        assert_eq!(lines(), 4);
        assert!(matches!(
            verify_set(&path).unwrap(),
            SetVerification::Ok {
                records: 10,
                checkpoints: 4,
                ..
            }
        ));
    }

    #[test]
    fn customer_ids_are_pseudonymised_with_the_key() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.jsonl");
        let key = b"0123456789abcdef-secret".to_vec();
        let options = AuditOptions {
            pseudonymise_key: Some(key.clone()),
            ..AuditOptions::default()
        };
        let mut log = AuditLog::open_with(&path, options).unwrap();
        append_n(&mut log, 0, 2);
        // a staff action names the customer inside it too
        let staff = serde_json::json!({"reviewer": "r-1", "customer_id": "customer-7"});
        log.append_staff("t-1", Some("customer-7"), &staff, Utc::now())
            .unwrap();
        drop(log);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(!text.contains("customer-7"));
        let expected = pseudonymise(&key, "customer-7");
        assert!(expected.starts_with("hmac-sha256:") && expected.len() == 12 + 64);
        assert_eq!(text.matches(&expected).count(), 4);
        assert_ne!(
            expected,
            pseudonymise(b"another key of 16+ bytes", "customer-7")
        );
        assert!(matches!(
            verify(&path).unwrap(),
            Verification::Ok { records: 3 }
        ));
        // RFC 4231 test case 2: HMAC-SHA256("Jefe", "what do ya want for nothing?")
        assert_eq!(
            pseudonymise(b"Jefe", "what do ya want for nothing?"),
            "hmac-sha256:5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        let short = AuditOptions {
            pseudonymise_key: Some(b"short".to_vec()),
            ..AuditOptions::default()
        };
        let err = AuditLog::open_with(&dir.path().join("b.jsonl"), short).unwrap_err();
        assert!(err.to_string().contains("at least 16"), "{err}");
    }

    #[test]
    fn durability_policies_sync_when_they_say() {
        let dir = tempfile::tempdir().unwrap();
        let every = dir.path().join("every.jsonl");
        let mut log = AuditLog::open(&every).unwrap();
        append_n(&mut log, 0, 3);
        assert_eq!(log.synced(), 3);

        let interval = dir.path().join("interval.jsonl");
        let options = AuditOptions {
            durability: Durability::Interval(Duration::from_millis(20)),
            ..AuditOptions::default()
        };
        let mut log = AuditLog::open_with(&interval, options).unwrap();
        append_n(&mut log, 0, 3);
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        while log.synced() < 3 && std::time::Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(5));
        }
        assert_eq!(log.synced(), 3, "the interval thread synced");

        let os = dir.path().join("os.jsonl");
        let options = AuditOptions {
            durability: Durability::OsBuffered,
            ..AuditOptions::default()
        };
        let mut log = AuditLog::open_with(&os, options).unwrap();
        append_n(&mut log, 0, 3);
        assert_eq!(log.synced(), 0);
        log.sync().unwrap();
        assert_eq!(log.synced(), 3);
    }

    /// Decisions with reasons and customers, and one fixed time, so two
    /// logs written from them can be compared byte for byte.
    fn batch_inputs(n: usize) -> (Vec<Decision>, Vec<String>, DateTime<Utc>) {
        let decisions = (0..n)
            .map(|i| {
                let mut d = decision(&format!("tx-{i}"));
                if i % 3 == 0 {
                    d.score = 40;
                    d.reasons.push(crate::model::Finding {
                        rule_id: "velocity".into(),
                        kind: crate::model::FindingKind::Rule,
                        party: None,
                        points: 40,
                        level_floor: None,
                        action: Some(Action::Hold),
                        matched: None,
                        message: format!("{i} transfers \"quoted\" ü"),
                    });
                }
                d
            })
            .collect();
        let customers = (0..n).map(|i| format!("c-{}", i % 4)).collect();
        let at = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        (decisions, customers, at)
    }

    /// The reference the batch tests compare with: one `append_for` per record.
    fn append_one_by_one(
        path: &Path,
        options: AuditOptions,
        decisions: &[Decision],
        customers: &[String],
        at: DateTime<Utc>,
    ) {
        let mut log = AuditLog::open_with(path, options).unwrap();
        for (d, c) in decisions.iter().zip(customers) {
            log.append_for(d, &provenance(), Some(c), at).unwrap();
        }
    }

    fn entries<'a>(
        decisions: &'a [Decision],
        customers: &'a [String],
        at: DateTime<Utc>,
    ) -> Vec<AuditEntry<'a>> {
        decisions
            .iter()
            .zip(customers)
            .map(|(d, c)| AuditEntry {
                transaction_id: &d.transaction_id,
                decision: Some(d),
                refused: None,
                staff: None,
                customer_id: Some(c),
                decided_at: at,
            })
            .collect()
    }

    #[test]
    fn a_batch_writes_the_same_bytes_as_one_append_per_record() {
        let dir = tempfile::tempdir().unwrap();
        let (decisions, customers, at) = batch_inputs(7);
        // one key for both logs, so that their bytes can be compared
        let key = AuditKey::from_bytes(&[5u8; 32]).unwrap();
        for (round, options) in [
            AuditOptions {
                chain_key: ChainKey::Given(key.clone()),
                ..AuditOptions::default()
            },
            AuditOptions {
                pseudonymise_key: Some(b"0123456789abcdef0123456789abcdef".to_vec()),
                chain_key: ChainKey::Given(key.clone()),
                ..AuditOptions::default()
            },
        ]
        .into_iter()
        .enumerate()
        {
            let one = dir.path().join(format!("{round}/one.jsonl"));
            let batch = dir.path().join(format!("{round}/batch.jsonl"));
            append_one_by_one(&one, options.clone(), &decisions, &customers, at);
            let mut log = AuditLog::open_with(&batch, options.clone()).unwrap();
            let entries = entries(&decisions, &customers, at);
            log.append_batch(&entries[..3], &provenance()).unwrap();
            log.append_batch(&[], &provenance()).unwrap();
            log.append_batch(&entries[3..], &provenance()).unwrap();
            assert_eq!(log.len(), 7);
            // one sync covered the whole batch before it returned
            assert_eq!(log.synced(), 7);
            drop(log);
            assert_eq!(
                std::fs::read_to_string(&one).unwrap(),
                std::fs::read_to_string(&batch).unwrap()
            );
            assert!(matches!(
                verify_with(&batch, Some(&key)).unwrap(),
                Verification::Ok { records: 7, .. }
            ));
            // without the key, its records cannot be checked
            assert!(matches!(
                verify(&batch).unwrap(),
                Verification::Broken { line: 1, .. }
            ));
            // the serialised record is exactly an AuditRecord
            let first = std::fs::read_to_string(&batch).unwrap();
            let line = first.lines().next().unwrap();
            let record: AuditRecord = serde_json::from_str(line).unwrap();
            assert_eq!(record.decision.as_ref(), Some(&decisions[0]));
            assert_eq!(record.seq, 1);
        }
    }

    #[test]
    fn a_batch_crossing_rotations_keeps_one_chain_and_the_size_limit() {
        let dir = tempfile::tempdir().unwrap();
        let (decisions, customers, at) = batch_inputs(40);
        let key = AuditKey::from_bytes(&[5u8; 32]).unwrap();
        let options = AuditOptions {
            rotate_bytes: Some(2_000),
            chain_key: ChainKey::Given(key.clone()),
            ..AuditOptions::default()
        };
        let one = dir.path().join("one/audit.jsonl");
        let batch = dir.path().join("batch/audit.jsonl");
        append_one_by_one(&one, options.clone(), &decisions, &customers, at);
        let mut log = AuditLog::open_with(&batch, options).unwrap();
        log.append_batch(&entries(&decisions, &customers, at), &provenance())
            .unwrap();
        drop(log);
        let files = rotated_files(&batch).unwrap();
        assert!(files.len() >= 3, "{files:?}");
        let reference = rotated_files(&one).unwrap();
        assert_eq!(files.len(), reference.len());
        for (a, b) in files.iter().zip(&reference) {
            assert!(std::fs::metadata(a).unwrap().len() <= 2_000);
            assert_eq!(std::fs::read(a).unwrap(), std::fs::read(b).unwrap());
        }
        match verify_set_with(&batch, Some(&key)).unwrap() {
            SetVerification::Ok {
                records,
                checkpoints,
                ..
            } => assert_eq!((records, checkpoints), (40, 1)),
            broken => panic!("{broken:?}"),
        }
    }
}
