//! Recomputing a chain: one file, a reader, or a rotated set.

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::files::rotated_files;
use super::options::AuditError;
use super::record::{split_line, GENESIS_HASH};
use crate::util::sha256_hex;

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
    use crate::audit::test_support::{decision, provenance};
    use crate::audit::AuditLog;
    use chrono::Utc;

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
}
