//! Recomputing a chain: one file, a reader, or a rotated set with its
//! checkpoints.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::checkpoint::{checkpoint_path, read_checkpoints, Checkpoint};
use super::files::rotated_files;
use super::key::{default_key_path, AuditKey};
use super::options::AuditError;
use super::record::{seal_problem, split_line, Seal, GENESIS_HASH, RECORD_FORMAT};
use crate::durable;

/// The result of verifying an audit file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum Verification {
    /// Every record's seal and link is intact, and the last record is keyed.
    Ok {
        /// Records checked.
        records: u64,
    },
    /// The chain is intact but ends in unkeyed (format 1) records, sealed
    /// with a plain SHA-256 that anyone can recompute: a rewrite of them
    /// cannot be detected.
    Unkeyed {
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

/// The result of verifying a rotated set of audit files and its checkpoints.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum SetVerification {
    /// Every file of the set, in order, forms one intact keyed chain, and
    /// every checkpoint names a record the chain holds.
    Ok {
        /// Files checked, oldest first (the live file last).
        files: Vec<PathBuf>,
        /// Records checked across them.
        records: u64,
        /// Leading unkeyed (format 1) records, written before the chain was
        /// keyed: the keyed records after them pin them (each seal covers
        /// the previous one's), but they were never sealed with the key.
        unkeyed_records: u64,
        /// Checkpoints checked.
        checkpoints: u64,
        /// Records removed by `audit prune` before the first one checked
        /// (a sealed prune anchor vouches for where the chain resumes).
        pruned_records: u64,
    },
    /// The chain is intact but ends in unkeyed (format 1) records: a
    /// rewrite of them cannot be detected. Not a pass.
    Unkeyed {
        /// Files checked, oldest first (the live file last).
        files: Vec<PathBuf>,
        /// Records checked across them.
        records: u64,
    },
    /// The first broken record of the set (or the checkpoint that does not hold).
    Broken {
        /// The file that holds it (the checkpoint file, for a checkpoint
        /// that is itself broken or missing).
        file: PathBuf,
        /// 1-based line number in that file (one past its last line for
        /// records missing at the end; 0 for a missing file).
        line: u64,
        /// What is wrong with it.
        reason: String,
    },
}

/// The key beside `path` (`<path>.key`) when there is one.
fn key_beside(path: &Path) -> Result<Option<AuditKey>, AuditError> {
    let key_path = default_key_path(path);
    if std::fs::symlink_metadata(&key_path).is_err() {
        return Ok(None);
    }
    AuditKey::load(&key_path).map(Some)
}

/// Recomputes the chain of one audit file (which must start the chain),
/// with the key beside it (`<file>.key`) when there is one. Checkpoints
/// are not read: see [`verify_set`] for records cut from the end.
pub fn verify(path: &Path) -> Result<Verification, AuditError> {
    verify_with(path, key_beside(path)?.as_ref())
}

/// [`verify`] with this key (`None`: keyed records cannot be checked and
/// are reported as broken).
pub fn verify_with(path: &Path, key: Option<&AuditKey>) -> Result<Verification, AuditError> {
    let file = durable::open_read(path).map_err(AuditError::io(path))?;
    verify_reader(file, path, key)
}

/// Recomputes the chain of audit records read from `reader` (`path` names
/// it in errors) under `key`.
pub fn verify_reader(
    reader: impl Read,
    path: &Path,
    key: Option<&AuditKey>,
) -> Result<Verification, AuditError> {
    let mut chain = ChainState::new(key, HashMap::new());
    Ok(match chain.check(reader, path)? {
        Verification::Ok { records } if chain.seq > 0 && !chain.keyed => {
            Verification::Unkeyed { records }
        }
        other => other,
    })
}

/// [`verify_set_with`] the key beside the live file (`<file>.key`) when
/// there is one.
pub fn verify_set(path: &Path) -> Result<SetVerification, AuditError> {
    verify_set_with(path, key_beside(path)?.as_ref())
}

/// Recomputes the chain of a rotated set: `<file>.000001`, `<file>.000002`,
/// …, then `<file>` itself (when present), as one chain from the genesis,
/// every keyed record's MAC under `key`; then checks the checkpoints of
/// `<file>.checkpoints`: each must verify under `key` and name a record the
/// chain holds, so records deleted from the end of the log are found.
pub fn verify_set_with(path: &Path, key: Option<&AuditKey>) -> Result<SetVerification, AuditError> {
    let mut files = rotated_files(path)?;
    if path.exists() || files.is_empty() {
        files.push(path.to_path_buf());
    }
    let checkpoints_path = checkpoint_path(path);
    let checkpoints_exist = std::fs::symlink_metadata(&checkpoints_path).is_ok();
    let mut checkpoints: Vec<Checkpoint> = Vec::new();
    if let (Some(key), true) = (key, checkpoints_exist) {
        match read_checkpoints(&checkpoints_path, key)? {
            Ok(read) => checkpoints = read,
            Err((line, reason)) => {
                return Ok(SetVerification::Broken {
                    file: checkpoints_path,
                    line,
                    reason,
                })
            }
        }
    }
    let mut by_position: HashMap<u64, Vec<Checkpoint>> = HashMap::new();
    for c in &checkpoints {
        if c.records == 0 && c.head != GENESIS_HASH {
            return Ok(SetVerification::Broken {
                file: checkpoints_path,
                line: c.line,
                reason: "checkpoint of an empty chain names a record".into(),
            });
        }
        by_position.entry(c.records).or_default().push(c.clone());
    }
    let anchors: HashMap<u64, String> = checkpoints
        .iter()
        .filter(|c| c.pruned)
        .map(|c| (c.records, c.head.clone()))
        .collect();
    let mut chain = ChainState::new(key, by_position);
    chain.anchors = anchors;
    let mut last_file_lines = 0;
    for file in &files {
        let reader = durable::open_read(file).map_err(AuditError::io(file))?;
        match chain.check(reader, file)? {
            Verification::Broken { line, reason } => {
                return Ok(SetVerification::Broken {
                    file: file.clone(),
                    line,
                    reason,
                })
            }
            Verification::Ok { records } | Verification::Unkeyed { records } => {
                last_file_lines = records
            }
        }
    }
    if let Some(longest) = checkpoints.iter().max_by_key(|c| c.records) {
        if longest.records > chain.seq {
            return Ok(SetVerification::Broken {
                file: files.last().cloned().unwrap_or_else(|| path.to_path_buf()),
                line: last_file_lines + 1,
                reason: format!(
                    "records deleted after checkpoint: expected ≥{} records, found {} ({} line {})",
                    longest.records,
                    chain.seq,
                    checkpoints_path.display(),
                    longest.line
                ),
            });
        }
    }
    if chain.keyed && !checkpoints_exist {
        return Ok(SetVerification::Broken {
            file: checkpoints_path,
            line: 0,
            reason: "checkpoint file is missing although the log holds keyed records: \
                     it was removed, so records deleted from the end of the log cannot be detected"
                .into(),
        });
    }
    if chain.seq > 0 && !chain.keyed {
        return Ok(SetVerification::Unkeyed {
            files,
            records: chain.seq,
        });
    }
    Ok(SetVerification::Ok {
        files,
        records: chain.seq,
        unkeyed_records: chain.unkeyed,
        checkpoints: checkpoints.len() as u64,
        pruned_records: chain.pruned,
    })
}

/// Where a chain stands after the records checked so far.
struct ChainState<'k> {
    key: Option<&'k AuditKey>,
    prev: String,
    seq: u64,
    /// Whether a keyed record was seen: no unkeyed one may follow.
    keyed: bool,
    /// Unkeyed records before the first keyed one.
    unkeyed: u64,
    /// Checkpoints by the record count they name.
    checkpoints: HashMap<u64, Vec<Checkpoint>>,
    /// Prune anchors: record count → seal of the last removed record.
    anchors: HashMap<u64, String>,
    /// Records removed before the first one read (0 when it starts the chain).
    pruned: u64,
}

impl<'k> ChainState<'k> {
    fn new(
        key: Option<&'k AuditKey>,
        checkpoints: HashMap<u64, Vec<Checkpoint>>,
    ) -> ChainState<'k> {
        ChainState {
            key,
            prev: GENESIS_HASH.to_owned(),
            seq: 0,
            keyed: false,
            unkeyed: 0,
            checkpoints,
            anchors: HashMap::new(),
            pruned: 0,
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
            let (body, seal) = match split_line(line) {
                Ok(x) => x,
                Err(reason) => return broken(reason),
            };
            if let Seal::Hash(_) = seal {
                if self.keyed {
                    return broken(
                        "unkeyed (format 1) record after keyed records: it was written without the key, \
                         so the chain was rewritten from here"
                            .into(),
                    );
                }
            }
            if let Some(problem) = seal_problem(&body, seal, self.key) {
                return broken(problem);
            }
            #[derive(Deserialize)]
            struct Link {
                #[serde(default)]
                format: Option<u32>,
                prev_hash: String,
                seq: u64,
            }
            let link: Link = match serde_json::from_str(&body) {
                Ok(l) => l,
                Err(e) => return broken(format!("not a valid record: {e}")),
            };
            let keyed = matches!(seal, Seal::Mac(_));
            let expected_format = keyed.then_some(RECORD_FORMAT);
            if link.format != expected_format {
                return broken(format!(
                    "format {:?} does not match its seal (a {} record has format {:?})",
                    link.format,
                    if keyed { "keyed" } else { "unkeyed" },
                    expected_format
                ));
            }
            // the first record read after `audit prune` removed the older
            // files: a sealed anchor says where the chain resumes
            if self.seq == 0 && link.seq > 1 && keyed {
                if let Some(head) = self.anchors.get(&(link.seq - 1)) {
                    if *head == link.prev_hash {
                        self.prev = head.clone();
                        self.seq = link.seq - 1;
                        self.pruned = self.seq;
                    }
                }
            }
            if link.prev_hash != self.prev {
                return broken(format!(
                    "prev_hash {} does not match the previous record's seal {}: a record was removed, inserted or reordered",
                    link.prev_hash, self.prev
                ));
            }
            if link.seq != self.seq + 1 {
                return broken(format!(
                    "seq {} does not follow the previous record's seq {}",
                    link.seq, self.seq
                ));
            }
            if let Some(named) = self.checkpoints.get(&link.seq) {
                if let Some(c) = named.iter().find(|c| c.head != seal.value()) {
                    return broken(format!(
                        "record seq {} is not the one checkpoint line {} names (its seal {}): the log was rewritten",
                        link.seq, c.line, c.head
                    ));
                }
            }
            if keyed {
                self.keyed = true;
            } else {
                self.unkeyed += 1;
            }
            self.prev = seal.value().to_owned();
            self.seq = link.seq;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::test_support::{append_n, decision, provenance, rechain};
    use crate::audit::{AuditLog, AuditOptions};
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
        drop(log);
        assert_eq!(verify(&path).unwrap(), Verification::Ok { records: 5 });
        assert!(matches!(
            verify_set(&path).unwrap(),
            SetVerification::Ok {
                records: 5,
                checkpoints: 2,
                unkeyed_records: 0,
                ..
            }
        ));

        let text = std::fs::read_to_string(&path).unwrap();
        let edited = text.replacen("\"tx-2\"", "\"tx-X\"", 1);
        std::fs::write(&path, edited).unwrap();
        match verify(&path).unwrap() {
            Verification::Broken { line, reason } => {
                assert_eq!(line, 3);
                assert!(reason.contains("mac does not verify"), "{reason}");
            }
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

    /// A keyed log of `n` records at `dir/audit.jsonl`, closed (so checkpointed).
    fn keyed_log(dir: &Path, n: usize) -> (PathBuf, String) {
        let path = dir.join("audit.jsonl");
        let mut log = AuditLog::open(&path).unwrap();
        append_n(&mut log, 0, n);
        drop(log);
        let text = std::fs::read_to_string(&path).unwrap();
        (path, text)
    }

    fn broken_at(path: &Path) -> (PathBuf, u64, String) {
        match verify_set(path).unwrap() {
            SetVerification::Broken { file, line, reason } => (file, line, reason),
            ok => panic!("not detected: {ok:?}"),
        }
    }

    #[test]
    fn rewrites_without_the_key_are_detected_at_the_first_rewritten_record() {
        let dir = tempfile::tempdir().unwrap();
        let (path, text) = keyed_log(dir.path(), 6);
        // edit record 3, recompute the chain with plain SHA-256 as "mac"
        let edited = text.replacen("\"tx-2\"", "\"tx-X\"", 1);
        std::fs::write(&path, rechain(&edited, 2, false)).unwrap();
        let (file, line, reason) = broken_at(&path);
        assert_eq!((file, line), (path.clone(), 3));
        assert!(reason.contains("mac does not verify"), "{reason}");
        // ... or as format-1 "hash" records: an unkeyed record after keyed ones
        std::fs::write(&path, rechain(&edited, 2, true)).unwrap();
        let (_, line, reason) = broken_at(&path);
        assert_eq!(line, 3);
        assert!(
            reason.contains("unkeyed (format 1) record after keyed"),
            "{reason}"
        );
        // the whole file rewritten unkeyed: the checkpoint names a record it lacks
        std::fs::write(&path, rechain(&text, 0, true)).unwrap();
        let (_, line, reason) = broken_at(&path);
        assert_eq!(line, 6);
        assert!(reason.contains("checkpoint line 1"), "{reason}");
        assert!(matches!(
            verify(&path).unwrap(),
            Verification::Unkeyed { records: 6 }
        ));
        // ... and without its checkpoints it is still not a pass
        std::fs::remove_file(checkpoint_path(&path)).unwrap();
        assert!(matches!(
            verify_set(&path).unwrap(),
            SetVerification::Unkeyed { records: 6, .. }
        ));
    }

    #[test]
    fn deleted_tail_records_and_a_deleted_checkpoint_file_are_detected() {
        let dir = tempfile::tempdir().unwrap();
        let (path, text) = keyed_log(dir.path(), 5);
        let first_three: String = text.lines().take(3).map(|l| format!("{l}\n")).collect();
        std::fs::write(&path, &first_three).unwrap();
        let (file, line, reason) = broken_at(&path);
        assert_eq!((file, line), (path.clone(), 4));
        assert!(
            reason.contains("records deleted after checkpoint: expected ≥5 records, found 3"),
            "{reason}"
        );
        // the writer refuses to continue it
        let err = AuditLog::open(&path).unwrap_err().to_string();
        assert!(err.contains("records deleted after checkpoint"), "{err}");
        // an edited checkpoint does not verify
        let checkpoints = checkpoint_path(&path);
        let saved = std::fs::read_to_string(&checkpoints).unwrap();
        std::fs::write(
            &checkpoints,
            saved.replace("\"records\":5", "\"records\":3"),
        )
        .unwrap();
        let (file, line, reason) = broken_at(&path);
        assert_eq!((file, line), (checkpoints.clone(), 1));
        assert!(
            reason.contains("checkpoint mac does not verify"),
            "{reason}"
        );
        // a removed checkpoint file is reported, and stops the writer
        std::fs::remove_file(&checkpoints).unwrap();
        let (file, _, reason) = broken_at(&path);
        assert_eq!(file, checkpoints);
        assert!(reason.contains("checkpoint file is missing"), "{reason}");
        let err = AuditLog::open(&path).unwrap_err().to_string();
        assert!(err.contains("checkpoint file is missing"), "{err}");
    }

    #[test]
    fn a_forged_record_appended_or_another_key_is_detected() {
        let dir = tempfile::tempdir().unwrap();
        let (path, text) = keyed_log(dir.path(), 3);
        let last = text.lines().last().unwrap();
        let forged = last.replacen("\"seq\":3", "\"seq\":4", 1);
        let forged = rechain(&format!("{text}{forged}\n"), 3, false);
        std::fs::write(&path, &forged).unwrap();
        let (_, line, reason) = broken_at(&path);
        assert_eq!(line, 4);
        assert!(reason.contains("mac does not verify"), "{reason}");
        // the writer checks the last record under its key before continuing
        let err = AuditLog::open(&path).unwrap_err().to_string();
        assert!(err.contains("mac does not verify"), "{err}");
        std::fs::write(&path, &text).unwrap();
        // a different key, or none
        let other = AuditKey::from_bytes(&[3u8; 32]).unwrap();
        match verify_set_with(&path, Some(&other)).unwrap() {
            SetVerification::Broken { file, line, .. } => {
                assert_eq!((file, line), (checkpoint_path(&path), 1))
            }
            ok => panic!("{ok:?}"),
        }
        match verify_set_with(&path, None).unwrap() {
            SetVerification::Broken { line, reason, .. } => {
                assert_eq!(line, 1);
                assert!(reason.contains("no key was given"), "{reason}");
            }
            ok => panic!("{ok:?}"),
        }
    }

    #[test]
    fn an_unkeyed_log_is_read_reported_and_continued_keyed() {
        let dir = tempfile::tempdir().unwrap();
        let (path, text) = keyed_log(dir.path(), 3);
        // as an earlier version wrote it: format 1, no key, no checkpoints
        std::fs::write(&path, rechain(&text, 0, true)).unwrap();
        std::fs::remove_file(checkpoint_path(&path)).unwrap();
        std::fs::remove_file(default_key_path(&path)).unwrap();
        assert!(matches!(
            verify_set(&path).unwrap(),
            SetVerification::Unkeyed { records: 3, .. }
        ));
        let mut log = AuditLog::open_with(&path, AuditOptions::default()).unwrap();
        assert_eq!(log.len(), 3);
        append_n(&mut log, 3, 5);
        drop(log);
        match verify_set(&path).unwrap() {
            SetVerification::Ok {
                records,
                unkeyed_records,
                checkpoints,
                ..
            } => assert_eq!((records, unkeyed_records, checkpoints), (5, 3, 1)),
            broken => panic!("{broken:?}"),
        }
        // the keyed records pin the unkeyed ones before them: an unkeyed
        // record edited and its unkeyed successors rechained still breaks
        // the link of the first keyed record
        let text = std::fs::read_to_string(&path).unwrap();
        let edited = text.replacen("\"tx-1\"", "\"tx-X\"", 1);
        let rechained = rechain(&edited, 1, true);
        let spliced: String = rechained
            .lines()
            .take(3)
            .chain(text.lines().skip(3))
            .map(|l| format!("{l}\n"))
            .collect();
        std::fs::write(&path, spliced).unwrap();
        let (_, line, reason) = broken_at(&path);
        assert_eq!(line, 4);
        assert!(reason.contains("prev_hash"), "{reason}");
    }
}
