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

use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::lists::ListVersion;
use crate::model::Decision;
use crate::rules::FileVersion;
use crate::util::sha256_hex;

/// `prev_hash` of the first record of a chain.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The version of the engine (this crate).
pub const ENGINE_VERSION: &str = env!("CARGO_PKG_VERSION");

/// Hashes of everything that decided: list files and rule files.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Provenance {
    /// Engine (crate) version.
    pub engine_version: String,
    /// Snapshot id shared with [`Decision::version`].
    pub snapshot: String,
    /// Each loaded list: source, path, version and SHA-256.
    pub lists: Vec<ListRef>,
    /// Each rule file: path and SHA-256.
    pub rules: Vec<FileVersion>,
}

/// A list file as named in an audit record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListRef {
    /// Loader.
    pub source: String,
    /// File.
    pub path: String,
    /// Version from the file.
    pub version: Option<String>,
    /// SHA-256 of the file.
    pub sha256: String,
}

impl From<&ListVersion> for ListRef {
    fn from(v: &ListVersion) -> ListRef {
        ListRef {
            source: v.source.to_string(),
            path: v.path.clone(),
            version: v.version.clone(),
            sha256: v.sha256.clone(),
        }
    }
}

/// One audit record, as written (without its trailing `hash`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditRecord {
    /// Hash of the previous record.
    pub prev_hash: String,
    /// Position in the chain, from 1.
    pub seq: u64,
    /// When the decision was made.
    pub decided_at: DateTime<Utc>,
    /// The transaction screened.
    pub transaction_id: String,
    /// The decision with every reason.
    pub decision: Decision,
    /// What decided.
    pub provenance: Provenance,
}

/// Why an audit operation failed.
#[derive(Debug, thiserror::Error)]
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
        /// 1-based line.
        line: u64,
        /// What is wrong.
        message: String,
    },
}

/// Appends hash-chained records to one file.
#[derive(Debug)]
pub struct AuditLog {
    path: PathBuf,
    file: File,
    last_hash: String,
    seq: u64,
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

impl AuditLog {
    /// Opens (creating if needed) an audit file and continues its chain.
    pub fn open(path: &Path) -> Result<AuditLog, AuditError> {
        let io = |source| AuditError::Io {
            path: path.to_path_buf(),
            source,
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(io)?;
        }
        let mut options = OpenOptions::new();
        options.read(true).append(true).create(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut file = options.open(path).map_err(io)?;
        let (seq, last_hash) = Self::tail(&mut file, path)?;
        Ok(AuditLog {
            path: path.to_path_buf(),
            file,
            last_hash,
            seq,
        })
    }

    /// Reads the last whole record of an existing file: (count, last hash).
    fn tail(file: &mut File, path: &Path) -> Result<(u64, String), AuditError> {
        let io = |source| AuditError::Io {
            path: path.to_path_buf(),
            source,
        };
        let len = file.seek(SeekFrom::End(0)).map_err(io)?;
        if len == 0 {
            return Ok((0, GENESIS_HASH.to_owned()));
        }
        file.seek(SeekFrom::Start(0)).map_err(io)?;
        let mut count = 0u64;
        let mut last = String::new();
        let mut reader = BufReader::new(&mut *file);
        let mut line = String::new();
        loop {
            line.clear();
            let n = reader.read_line(&mut line).map_err(io)?;
            if n == 0 {
                break;
            }
            count += 1;
            if !line.ends_with('\n') {
                return Err(AuditError::Corrupt {
                    path: path.to_path_buf(),
                    line: count,
                    message:
                        "last record is incomplete (no newline): the writer stopped mid-record"
                            .into(),
                });
            }
            std::mem::swap(&mut last, &mut line);
        }
        let (_, hash) =
            split_line(last.trim_end_matches('\n')).map_err(|message| AuditError::Corrupt {
                path: path.to_path_buf(),
                line: count,
                message,
            })?;
        Ok((count, hash.to_owned()))
    }

    /// Appends one decision; the whole line reaches the OS in one write.
    pub fn append(
        &mut self,
        decision: &Decision,
        provenance: &Provenance,
        decided_at: DateTime<Utc>,
    ) -> Result<String, AuditError> {
        let record = AuditRecord {
            prev_hash: self.last_hash.clone(),
            seq: self.seq + 1,
            decided_at,
            transaction_id: decision.transaction_id.clone(),
            decision: decision.clone(),
            provenance: provenance.clone(),
        };
        let body = serde_json::to_string(&record).map_err(|e| AuditError::Io {
            path: self.path.clone(),
            source: std::io::Error::other(e),
        })?;
        let hash = sha256_hex(body.as_bytes());
        let mut line = body;
        line.pop(); // the closing brace; the hash member goes before it
        line.push_str(",\"hash\":\"");
        line.push_str(&hash);
        line.push_str("\"}\n");
        self.file
            .write_all(line.as_bytes())
            .map_err(|source| AuditError::Io {
                path: self.path.clone(),
                source,
            })?;
        self.seq += 1;
        self.last_hash = hash.clone();
        Ok(hash)
    }

    /// Forces written records to stable storage.
    pub fn sync(&mut self) -> Result<(), AuditError> {
        self.file.sync_data().map_err(|source| AuditError::Io {
            path: self.path.clone(),
            source,
        })
    }

    /// Records written in this file so far.
    pub fn len(&self) -> u64 {
        self.seq
    }

    /// Whether the file has no records.
    pub fn is_empty(&self) -> bool {
        self.seq == 0
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

/// Recomputes the chain of an audit file.
pub fn verify(path: &Path) -> Result<Verification, AuditError> {
    let file = File::open(path).map_err(|source| AuditError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    verify_reader(BufReader::new(file), path)
}

/// Recomputes the chain of audit records read from `reader`.
pub fn verify_reader(reader: impl Read, path: &Path) -> Result<Verification, AuditError> {
    let mut reader = BufReader::new(reader);
    let mut prev = GENESIS_HASH.to_owned();
    let mut line_no = 0u64;
    let mut buf = Vec::new();
    loop {
        buf.clear();
        let n = reader
            .read_until(b'\n', &mut buf)
            .map_err(|source| AuditError::Io {
                path: path.to_path_buf(),
                source,
            })?;
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
            return broken("incomplete last record (no newline)".into());
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
        }
        let link: Link = match serde_json::from_str(&body) {
            Ok(l) => l,
            Err(e) => return broken(format!("not a valid record: {e}")),
        };
        if link.prev_hash != prev {
            return broken(format!(
                "prev_hash {} does not match the previous record's hash {prev}: a record was removed, inserted or reordered",
                link.prev_hash
            ));
        }
        prev = stored.to_owned();
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
            snapshot: "v".into(),
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
}
