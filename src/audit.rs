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

use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::model::Decision;
pub use crate::model::{ListRef, Provenance, ENGINE_VERSION};
use crate::util::sha256_hex;

/// `prev_hash` of the first record of a chain.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One audit record, as written (without its trailing `hash`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditRecord {
    /// Hash of the previous record.
    pub prev_hash: String,
    /// Position in the chain, from 1 (continues across rotated files).
    pub seq: u64,
    /// When the decision was made.
    pub decided_at: DateTime<Utc>,
    /// The transaction screened.
    pub transaction_id: String,
    /// The customer the transaction belongs to: as given, or
    /// `hmac-sha256:<hex>` when a pseudonymisation key is configured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_id: Option<String>,
    /// The decision with every reason.
    pub decision: Decision,
    /// What decided.
    pub provenance: Provenance,
}

/// [`AuditRecord`] borrowed from the decision being recorded: serialises
/// to the same bytes without copying the decision.
#[derive(Serialize)]
struct AuditRecordRef<'a> {
    prev_hash: &'a str,
    seq: u64,
    decided_at: DateTime<Utc>,
    transaction_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    customer_id: Option<&'a str>,
    decision: &'a Decision,
    provenance: &'a Provenance,
}

/// One decision for [`AuditLog::append_batch`].
#[derive(Debug, Clone, Copy)]
pub struct AuditEntry<'a> {
    /// The decision.
    pub decision: &'a Decision,
    /// The customer it concerns (pseudonymised when a key is configured).
    pub customer_id: Option<&'a str>,
    /// When it was made.
    pub decided_at: DateTime<Utc>,
}

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

    fn io(path: &Path) -> impl FnOnce(std::io::Error) -> AuditError + '_ {
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

/// How an [`AuditLog`] writes: durability, rotation, pseudonymisation.
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

/// A torn last line found (and set aside) when an audit file was opened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TornTail {
    /// The audit file.
    pub path: PathBuf,
    /// 1-based line number the torn record would have had in that file.
    pub line: u64,
    /// Bytes removed from the end of the file.
    pub bytes: u64,
    /// Where those bytes were kept.
    pub kept_at: PathBuf,
}

impl std::fmt::Display for TornTail {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: line {}: torn last record ({} bytes, the writer stopped mid-record) moved to {}; the chain continues from the last whole record",
            self.path.display(),
            self.line,
            self.bytes,
            self.kept_at.display()
        )
    }
}

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

/// Appends hash-chained records to a (possibly rotated) audit file.
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
}

/// Splits a line into (record-without-hash bytes, stored hash), or says why not.
fn split_line(line: &str) -> Result<(String, &str), String> {
    const MARK: &str = ",\"hash\":\"";
    let trimmed = line
        .strip_suffix("\"}")
        .ok_or("record does not end with its hash")?;
    let cut = trimmed.rfind(MARK).ok_or("record has no hash")?;
    let hash = &trimmed[cut + MARK.len()..];
    if hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err("hash is not 64 hex digits".into());
    }
    Ok((format!("{}}}", &trimmed[..cut]), hash))
}

/// `(seq, hash)` of one whole record line.
fn record_link(line: &[u8]) -> Result<(u64, String), String> {
    let text = std::str::from_utf8(line).map_err(|_| "record is not UTF-8".to_string())?;
    let (body, hash) = split_line(text)?;
    #[derive(Deserialize)]
    struct Seq {
        seq: u64,
    }
    let seq: Seq = serde_json::from_str(&body).map_err(|e| format!("not a valid record: {e}"))?;
    Ok((seq.seq, hash.to_owned()))
}

/// `HMAC-SHA256(key, customer_id)` as stored in a pseudonymised record.
pub fn pseudonymise(key: &[u8], customer_id: &str) -> String {
    use hmac::{Hmac, Mac};
    // HMAC accepts keys of any length; this cannot fail.
    let mut mac = match Hmac::<sha2::Sha256>::new_from_slice(key) {
        Ok(m) => m,
        Err(_) => unreachable!("HMAC takes keys of any length"),
    };
    mac.update(customer_id.as_bytes());
    format!(
        "hmac-sha256:{}",
        crate::util::hex(&mac.finalize().into_bytes())
    )
}

/// The rotated files of an audit file's set, oldest first: `<file>.NNNNNN`.
pub fn rotated_files(path: &Path) -> Result<Vec<PathBuf>, AuditError> {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return Ok(Vec::new());
    };
    let dir = match path.parent().filter(|d| !d.as_os_str().is_empty()) {
        Some(d) => d.to_path_buf(),
        None => PathBuf::from("."),
    };
    let entries = match std::fs::read_dir(&dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(AuditError::io(&dir)(e)),
    };
    let mut numbered = Vec::new();
    for entry in entries {
        let entry = entry.map_err(AuditError::io(&dir))?;
        let file_name = entry.file_name();
        let Some(rest) = file_name
            .to_str()
            .and_then(|f| f.strip_prefix(name))
            .and_then(|r| r.strip_prefix('.'))
        else {
            continue;
        };
        if !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_digit()) {
            if let Ok(n) = rest.parse::<u64>() {
                numbered.push((n, path.with_file_name(&file_name)));
            }
        }
    }
    numbered.sort();
    Ok(numbered.into_iter().map(|(_, p)| p).collect())
}

/// Where the whole records of a file end, and the last whole record.
struct Tail {
    /// Length of the file up to and including the last newline.
    whole_len: u64,
    /// The last whole record line (without its newline), if any.
    last_line: Option<Vec<u8>>,
}

/// Reads backwards from the end to find the last newline-terminated line.
fn read_tail(file: &mut File, len: u64, path: &Path) -> Result<Tail, AuditError> {
    const CHUNK: u64 = 64 * 1024;
    let mut buf: Vec<u8> = Vec::new();
    let mut start = len;
    loop {
        let take = CHUNK.min(start);
        start -= take;
        let mut chunk = vec![0u8; take as usize];
        file.seek(SeekFrom::Start(start))
            .map_err(AuditError::io(path))?;
        file.read_exact(&mut chunk).map_err(AuditError::io(path))?;
        chunk.extend_from_slice(&buf);
        buf = chunk;
        // last newline in the file (end of the whole records)
        if let Some(last_nl) = buf.iter().rposition(|&b| b == b'\n') {
            let whole_len = start + last_nl as u64 + 1;
            if let Some(prev_nl) = buf[..last_nl].iter().rposition(|&b| b == b'\n') {
                return Ok(Tail {
                    whole_len,
                    last_line: Some(buf[prev_nl + 1..last_nl].to_vec()),
                });
            }
            if start == 0 {
                return Ok(Tail {
                    whole_len,
                    last_line: Some(buf[..last_nl].to_vec()),
                });
            }
        } else if start == 0 {
            return Ok(Tail {
                whole_len: 0,
                last_line: None,
            });
        }
    }
}

fn open_append(path: &Path) -> Result<File, AuditError> {
    let mut options = OpenOptions::new();
    options.read(true).append(true).create(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path).map_err(AuditError::io(path))
}

/// Makes a rename or file creation in `dir` durable.
fn sync_dir(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        let dir = if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        };
        File::open(dir)?.sync_all()?;
    }
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

/// Counts the lines of the first `len` bytes of a file.
fn count_lines(file: &mut File, len: u64, path: &Path) -> Result<u64, AuditError> {
    file.seek(SeekFrom::Start(0))
        .map_err(AuditError::io(path))?;
    let mut reader = BufReader::new(Read::take(&mut *file, len));
    let mut lines = 0u64;
    loop {
        let buf = reader.fill_buf().map_err(AuditError::io(path))?;
        if buf.is_empty() {
            return Ok(lines);
        }
        lines += buf.iter().filter(|&&b| b == b'\n').count() as u64;
        let n = buf.len();
        reader.consume(n);
    }
}

impl AuditLog {
    /// Opens (creating if needed) an audit file with the default options
    /// (sync every record, no rotation, no pseudonymisation) and continues its chain.
    pub fn open(path: &Path) -> Result<AuditLog, AuditError> {
        AuditLog::open_with(path, AuditOptions::default())
    }

    /// Opens (creating if needed) an audit file and continues its chain —
    /// across rotated files, and past a torn last line, which is set aside
    /// and reported by [`AuditLog::recovered`].
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
        let mut file = open_append(path)?;
        let len = file.seek(SeekFrom::End(0)).map_err(AuditError::io(path))?;
        let tail = read_tail(&mut file, len, path)?;
        let mut recovered = None;
        if tail.whole_len < len {
            recovered = Some(Self::set_aside_torn_tail(
                &mut file,
                path,
                tail.whole_len,
                len,
            )?);
        }
        let (seq, last_hash) = match &tail.last_line {
            Some(line) => record_link(line).map_err(|message| AuditError::Corrupt {
                path: path.to_path_buf(),
                line: 0,
                message: format!(
                    "last whole record is unreadable, so the chain cannot continue: {message}"
                ),
            })?,
            None => Self::continue_from_rotated(path)?,
        };
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
        })
    }

    /// Copies `whole_len..len` to `<file>.torn-<timestamp>`, then truncates.
    fn set_aside_torn_tail(
        file: &mut File,
        path: &Path,
        whole_len: u64,
        len: u64,
    ) -> Result<TornTail, AuditError> {
        let line = count_lines(file, whole_len, path)? + 1;
        let mut torn = Vec::with_capacity((len - whole_len) as usize);
        file.seek(SeekFrom::Start(whole_len))
            .map_err(AuditError::io(path))?;
        Read::take(&mut *file, len - whole_len)
            .read_to_end(&mut torn)
            .map_err(AuditError::io(path))?;
        let stamp = Utc::now().format("%Y%m%dT%H%M%S%.6fZ");
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "audit".into());
        let kept_at = path.with_file_name(format!("{name}.torn-{stamp}"));
        let mut options = OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut aside = options.open(&kept_at).map_err(AuditError::io(&kept_at))?;
        aside.write_all(&torn).map_err(AuditError::io(&kept_at))?;
        aside.sync_all().map_err(AuditError::io(&kept_at))?;
        // only once the bytes are safe elsewhere is the live file cut
        file.set_len(whole_len).map_err(AuditError::io(path))?;
        file.sync_all().map_err(AuditError::io(path))?;
        if let Some(dir) = path.parent() {
            sync_dir(dir).map_err(AuditError::io(dir))?;
        }
        Ok(TornTail {
            path: path.to_path_buf(),
            line,
            bytes: len - whole_len,
            kept_at,
        })
    }

    /// The chain position of an empty live file: the end of the newest rotated file.
    fn continue_from_rotated(path: &Path) -> Result<(u64, String), AuditError> {
        let Some(newest) = rotated_files(path)?.pop() else {
            return Ok((0, GENESIS_HASH.to_owned()));
        };
        let mut file = File::open(&newest).map_err(AuditError::io(&newest))?;
        let len = file
            .seek(SeekFrom::End(0))
            .map_err(AuditError::io(&newest))?;
        let tail = read_tail(&mut file, len, &newest)?;
        let corrupt = |message: String| AuditError::Corrupt {
            path: newest.clone(),
            line: 0,
            message,
        };
        if tail.whole_len != len {
            return Err(corrupt(
                "rotated audit file does not end with a whole record".into(),
            ));
        }
        match tail.last_line {
            Some(line) => record_link(&line).map_err(corrupt),
            None => Err(corrupt("rotated audit file is empty".into())),
        }
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
        let (line, hash) = self.record_line(
            &self.last_hash,
            self.seq + 1,
            decision,
            provenance,
            customer_id,
            decided_at,
        )?;
        if self.rotation_due(0, line.len()) {
            self.rotate()?;
        }
        self.write_lines(line.as_bytes(), 1, &hash)?;
        if self.options.durability == Durability::EveryRecord {
            self.sync()?;
        }
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
        // Records serialised but not yet written, and the chain after them.
        let mut pending: Vec<u8> = Vec::new();
        let mut pending_count = 0u64;
        let mut last_hash = self.last_hash.clone();
        for record in records {
            let (line, hash) = self.record_line(
                &last_hash,
                self.seq + pending_count + 1,
                record.decision,
                provenance,
                record.customer_id,
                record.decided_at,
            )?;
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
        decision: &Decision,
        provenance: &Provenance,
        customer_id: Option<&str>,
        decided_at: DateTime<Utc>,
    ) -> Result<(String, String), AuditError> {
        let customer_id = customer_id.map(|c| match &self.options.pseudonymise_key {
            Some(key) => pseudonymise(key, c),
            None => c.to_owned(),
        });
        let record = AuditRecordRef {
            prev_hash,
            seq,
            decided_at,
            transaction_id: &decision.transaction_id,
            customer_id: customer_id.as_deref(),
            decision,
            provenance,
        };
        let body = serde_json::to_string(&record)
            .map_err(|e| AuditError::io(&self.path)(std::io::Error::other(e)))?;
        let hash = sha256_hex(body.as_bytes());
        let mut line = body;
        line.pop(); // the closing brace; the hash member goes before it
        line.reserve(hash.len() + 13);
        line.push_str(",\"hash\":\"");
        line.push_str(&hash);
        line.push_str("\"}\n");
        Ok((line, hash))
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
        let next = rotated_files(&self.path)?
            .last()
            .and_then(|p| p.extension())
            .and_then(|e| e.to_str())
            .and_then(|e| e.parse::<u64>().ok())
            .unwrap_or(0)
            + 1;
        let name = self
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "audit".into());
        let rotated = self.path.with_file_name(format!("{name}.{next:06}"));
        std::fs::rename(&self.path, &rotated).map_err(AuditError::io(&rotated))?;
        let file = open_append(&self.path)?;
        if let Some(dir) = self.path.parent() {
            sync_dir(dir).map_err(AuditError::io(dir))?;
        }
        let clone = file.try_clone().map_err(AuditError::io(&self.path))?;
        *self.shared.file.lock().unwrap_or_else(|p| p.into_inner()) = clone;
        self.file = file;
        self.size = 0;
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
        if self.options.durability != Durability::OsBuffered {
            // best effort: nothing to report to from a destructor
            let _ = self.shared.sync_now();
        }
    }
}

/// The result of verifying an audit file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Verification {
    /// Every record's hash and link is intact.
    Ok {
        /// Records checked.
        records: u64,
    },
    /// The first broken record.
    Broken {
        /// 1-based line number.
        line: u64,
        /// What is wrong with it.
        reason: String,
    },
}

/// The result of verifying a rotated set of audit files.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum SetVerification {
    /// Every file of the set, in order, forms one intact chain.
    Ok {
        /// Files checked, oldest first (the live file last).
        files: Vec<PathBuf>,
        /// Records checked across them.
        records: u64,
    },
    /// The first broken record of the set.
    Broken {
        /// The file that holds it.
        file: PathBuf,
        /// 1-based line number in that file.
        line: u64,
        /// What is wrong with it.
        reason: String,
    },
}

/// Recomputes the chain of one audit file (which must start the chain).
pub fn verify(path: &Path) -> Result<Verification, AuditError> {
    let file = File::open(path).map_err(AuditError::io(path))?;
    verify_reader(BufReader::new(file), path)
}

/// Recomputes the chain of a rotated set: `<file>.000001`, `<file>.000002`,
/// …, then `<file>` itself (when present), as one chain from the genesis.
pub fn verify_set(path: &Path) -> Result<SetVerification, AuditError> {
    let mut files = rotated_files(path)?;
    if path.exists() || files.is_empty() {
        files.push(path.to_path_buf());
    }
    let mut chain = ChainState::new();
    for file in &files {
        let reader = File::open(file).map_err(AuditError::io(file))?;
        if let Verification::Broken { line, reason } = chain.check(reader, file)? {
            return Ok(SetVerification::Broken {
                file: file.clone(),
                line,
                reason,
            });
        }
    }
    Ok(SetVerification::Ok {
        files,
        records: chain.seq,
    })
}

/// Recomputes the chain of audit records read from `reader`.
pub fn verify_reader(reader: impl Read, path: &Path) -> Result<Verification, AuditError> {
    ChainState::new().check(reader, path)
}

/// Where a chain stands after the records checked so far.
struct ChainState {
    prev: String,
    seq: u64,
}

impl ChainState {
    fn new() -> ChainState {
        ChainState {
            prev: GENESIS_HASH.to_owned(),
            seq: 0,
        }
    }

    /// Checks the records of one file, continuing the chain.
    fn check(&mut self, reader: impl Read, path: &Path) -> Result<Verification, AuditError> {
        let mut reader = BufReader::new(reader);
        let mut line_no = 0u64;
        let mut buf = Vec::new();
        loop {
            buf.clear();
            let n = reader
                .read_until(b'\n', &mut buf)
                .map_err(AuditError::io(path))?;
            if n == 0 {
                return Ok(Verification::Ok { records: line_no });
            }
            line_no += 1;
            let broken = |reason: String| {
                Ok(Verification::Broken {
                    line: line_no,
                    reason,
                })
            };
            if buf.last() != Some(&b'\n') {
                return broken(
                    "incomplete last record (no newline): torn write; reopening the log sets it aside"
                        .into(),
                );
            }
            let Ok(line) = std::str::from_utf8(&buf[..buf.len() - 1]) else {
                return broken("not UTF-8".into());
            };
            let (body, stored) = match split_line(line) {
                Ok(x) => x,
                Err(reason) => return broken(reason),
            };
            let computed = sha256_hex(body.as_bytes());
            if computed != stored {
                return broken(format!(
                    "content does not match its hash (stored {stored}, computed {computed})"
                ));
            }
            #[derive(Deserialize)]
            struct Link {
                prev_hash: String,
                seq: u64,
            }
            let link: Link = match serde_json::from_str(&body) {
                Ok(l) => l,
                Err(e) => return broken(format!("not a valid record: {e}")),
            };
            if link.prev_hash != self.prev {
                return broken(format!(
                    "prev_hash {} does not match the previous record's hash {}: a record was removed, inserted or reordered",
                    link.prev_hash, self.prev
                ));
            }
            if link.seq != self.seq + 1 {
                return broken(format!(
                    "seq {} does not follow the previous record's seq {}",
                    link.seq, self.seq
                ));
            }
            self.prev = stored.to_owned();
            self.seq = link.seq;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Action, RiskLevel};

    fn decision(id: &str) -> Decision {
        Decision {
            transaction_id: id.into(),
            risk: RiskLevel::Low,
            action: Action::Allow,
            score: 0,
            reasons: vec![],
            version: "v".into(),
        }
    }

    fn provenance() -> Provenance {
        Provenance {
            engine_version: ENGINE_VERSION.into(),
            engine_id: "v".into(),
            lists: vec![],
            rules: vec![],
        }
    }

    #[test]
    fn chain_verifies_and_names_the_edited_record() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a/audit.jsonl");
        let mut log = AuditLog::open(&path).unwrap();
        for i in 0..3 {
            log.append(&decision(&format!("tx-{i}")), &provenance(), Utc::now())
                .unwrap();
        }
        drop(log);
        // reopening continues the chain
        let mut log = AuditLog::open(&path).unwrap();
        assert_eq!(log.len(), 3);
        for i in 3..5 {
            log.append(&decision(&format!("tx-{i}")), &provenance(), Utc::now())
                .unwrap();
        }
        assert_eq!(verify(&path).unwrap(), Verification::Ok { records: 5 });

        let text = std::fs::read_to_string(&path).unwrap();
        let edited = text.replacen("\"tx-2\"", "\"tx-X\"", 1);
        std::fs::write(&path, edited).unwrap();
        match verify(&path).unwrap() {
            Verification::Broken { line, .. } => assert_eq!(line, 3),
            ok => panic!("{ok:?}"),
        }

        // removing a whole record breaks the link of the next one
        let mut lines: Vec<&str> = text.lines().collect();
        lines.remove(1);
        std::fs::write(&path, lines.join("\n") + "\n").unwrap();
        match verify(&path).unwrap() {
            Verification::Broken { line, reason } => {
                assert_eq!(line, 2);
                assert!(reason.contains("prev_hash"));
            }
            ok => panic!("{ok:?}"),
        }
    }

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

    fn append_n(log: &mut AuditLog, from: usize, to: usize) {
        for i in from..to {
            log.append_for(
                &decision(&format!("tx-{i}")),
                &provenance(),
                Some("customer-7"),
                Utc::now(),
            )
            .unwrap();
        }
    }

    #[test]
    fn torn_tail_is_set_aside_and_the_chain_continues() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.jsonl");
        let mut log = AuditLog::open(&path).unwrap();
        append_n(&mut log, 0, 3);
        drop(log);
        let whole = std::fs::read(&path).unwrap();
        // a writer killed mid-record leaves a line without its newline
        let torn = &whole[whole.len() / 3 * 2..whole.len() - 10];
        let mut f = OpenOptions::new().append(true).open(&path).unwrap();
        f.write_all(torn).unwrap();
        drop(f);
        match verify(&path).unwrap() {
            Verification::Broken { line, reason } => {
                assert_eq!(line, 4);
                assert!(reason.contains("torn"), "{reason}");
            }
            ok => panic!("{ok:?}"),
        }
        let mut log = AuditLog::open(&path).unwrap();
        let report = log.recovered().cloned().expect("torn tail reported");
        assert_eq!(report.line, 4);
        assert_eq!(report.bytes, torn.len() as u64);
        assert_eq!(std::fs::read(&report.kept_at).unwrap(), torn);
        assert!(report.to_string().contains("torn last record"));
        assert_eq!(std::fs::read(&path).unwrap(), whole);
        assert_eq!(log.len(), 3);
        append_n(&mut log, 3, 5);
        assert_eq!(verify(&path).unwrap(), Verification::Ok { records: 5 });
        // a clean reopen reports nothing
        drop(log);
        assert!(AuditLog::open(&path).unwrap().recovered().is_none());
    }

    #[test]
    fn a_file_of_only_a_torn_record_restarts_from_genesis() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.jsonl");
        std::fs::write(&path, b"{\"prev_hash\":\"00").unwrap();
        let log = AuditLog::open(&path).unwrap();
        assert_eq!(log.recovered().unwrap().line, 1);
        assert!(log.is_empty());
        assert_eq!(std::fs::metadata(&path).unwrap().len(), 0);
    }

    #[test]
    fn a_corrupt_last_whole_record_is_an_error_not_a_restart() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.jsonl");
        std::fs::write(&path, b"not a record\n").unwrap();
        let err = AuditLog::open(&path).unwrap_err().to_string();
        assert!(err.contains("chain cannot continue"), "{err}");
    }

    #[test]
    fn rotation_carries_the_chain_across_files() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.jsonl");
        let options = AuditOptions {
            rotate_bytes: Some(2_000),
            durability: Durability::OsBuffered,
            ..AuditOptions::default()
        };
        let mut log = AuditLog::open_with(&path, options.clone()).unwrap();
        append_n(&mut log, 0, 10);
        drop(log);
        let rotated = rotated_files(&path).unwrap();
        assert!(rotated.len() >= 2, "{rotated:?}");
        for f in rotated.iter().chain(std::iter::once(&path)) {
            assert!(std::fs::metadata(f).unwrap().len() <= 2_000 || rotated.is_empty());
        }
        // reopening continues from the live file
        let mut log = AuditLog::open_with(&path, options.clone()).unwrap();
        assert_eq!(log.len(), 10);
        append_n(&mut log, 10, 12);
        drop(log);
        match verify_set(&path).unwrap() {
            SetVerification::Ok { files, records } => {
                assert_eq!(records, 12);
                assert_eq!(files.last(), Some(&path));
            }
            broken => panic!("{broken:?}"),
        }
        // a rotated file alone does not start the chain
        let middle = &rotated_files(&path).unwrap()[1];
        assert!(matches!(
            verify(middle).unwrap(),
            Verification::Broken { line: 1, .. }
        ));
        // removing a rotated file breaks the set at the next file's first record
        let first = rotated_files(&path).unwrap()[0].clone();
        std::fs::remove_file(&first).unwrap();
        match verify_set(&path).unwrap() {
            SetVerification::Broken { line, file, .. } => {
                assert_eq!(line, 1);
                assert_ne!(file, first);
            }
            ok => panic!("{ok:?}"),
        }
    }

    #[test]
    fn empty_live_file_after_rotation_continues_from_the_newest_rotated_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.jsonl");
        let mut log = AuditLog::open(&path).unwrap();
        append_n(&mut log, 0, 4);
        drop(log);
        std::fs::rename(&path, dir.path().join("audit.jsonl.000001")).unwrap();
        let mut log = AuditLog::open(&path).unwrap();
        assert_eq!(log.len(), 4);
        append_n(&mut log, 4, 6);
        drop(log);
        assert!(matches!(
            verify_set(&path).unwrap(),
            SetVerification::Ok { records: 6, .. }
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
        drop(log);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(!text.contains("customer-7"));
        let expected = pseudonymise(&key, "customer-7");
        assert!(expected.starts_with("hmac-sha256:") && expected.len() == 12 + 64);
        assert_eq!(text.matches(&expected).count(), 2);
        assert_ne!(
            expected,
            pseudonymise(b"another key of 16+ bytes", "customer-7")
        );
        assert!(matches!(
            verify(&path).unwrap(),
            Verification::Ok { records: 2 }
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
                decision: d,
                customer_id: Some(c),
                decided_at: at,
            })
            .collect()
    }

    #[test]
    fn a_batch_writes_the_same_bytes_as_one_append_per_record() {
        let dir = tempfile::tempdir().unwrap();
        let (decisions, customers, at) = batch_inputs(7);
        for options in [
            AuditOptions::default(),
            AuditOptions {
                pseudonymise_key: Some(b"0123456789abcdef0123456789abcdef".to_vec()),
                ..AuditOptions::default()
            },
        ] {
            let one = dir.path().join("one.jsonl");
            let batch = dir.path().join("batch.jsonl");
            let _ = std::fs::remove_file(&one);
            let _ = std::fs::remove_file(&batch);
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
                verify(&batch).unwrap(),
                Verification::Ok { records: 7, .. }
            ));
            // the serialised record is exactly an AuditRecord
            let first = std::fs::read_to_string(&batch).unwrap();
            let line = first.lines().next().unwrap();
            let record: AuditRecord = serde_json::from_str(line).unwrap();
            assert_eq!(record.decision, decisions[0]);
            assert_eq!(record.seq, 1);
        }
    }

    #[test]
    fn a_batch_crossing_rotations_keeps_one_chain_and_the_size_limit() {
        let dir = tempfile::tempdir().unwrap();
        let (decisions, customers, at) = batch_inputs(40);
        let options = AuditOptions {
            rotate_bytes: Some(2_000),
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
        match verify_set(&batch).unwrap() {
            SetVerification::Ok { records, .. } => assert_eq!(records, 40),
            broken => panic!("{broken:?}"),
        }
    }
}
