//! Checkpoints of an audit chain: `<file>.checkpoints`, one sealed line
//! per checkpoint saying how many records the chain had and the seal of
//! the last one.
//!
//! A keyed chain proves every record it holds, but not that none were cut
//! off its end: a log truncated to its first N records is a valid chain of
//! N records. The checkpoints are that missing claim, kept in a second
//! file: verification requires the record at every checkpoint's position to
//! exist and to carry the seal the checkpoint names.
//!
//! A line is `{"records":N,"head":"<seal>","at":"<time>","mac":"<hex>"}`,
//! the `mac` being HMAC-SHA256 under the chain key of [`CHECKPOINT_DOMAIN`]
//! followed by the line's bytes before that member, closed with `}`.

use std::fs::File;
use std::io::{BufRead, BufReader, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::files::read_tail;
use super::key::AuditKey;
use super::options::AuditError;
use crate::durable::{self, Access};

/// What a checkpoint's MAC covers before its bytes (see [`super::record`]'s
/// record domain: one key seals both, never interchangeably).
pub(super) const CHECKPOINT_DOMAIN: &[u8] = b"amlscreen-audit-checkpoint/1\n";

/// The checkpoint file of the audit file `audit`: `<audit>.checkpoints`.
pub fn checkpoint_path(audit: &Path) -> PathBuf {
    let mut name = audit
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_else(|| "audit".into());
    name.push(".checkpoints");
    audit.with_file_name(name)
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct CheckpointBody {
    records: u64,
    head: String,
    at: DateTime<Utc>,
    /// A prune anchor: the records up to `records` were removed (`audit
    /// prune`), and the chain now starts after the one sealed `head`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pruned: bool,
}

/// One checkpoint read back, with its line in the checkpoint file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Checkpoint {
    /// 1-based line in the checkpoint file.
    pub(super) line: u64,
    /// Records in the chain when it was written.
    pub(super) records: u64,
    /// Seal of the record at `records` ([`GENESIS_HASH`](super::GENESIS_HASH) for 0).
    pub(super) head: String,
    /// A prune anchor: the chain may start right after this record.
    pub(super) pruned: bool,
}

/// The sealed line (with its newline) of a checkpoint.
fn checkpoint_line(
    key: &AuditKey,
    records: u64,
    head: &str,
    at: DateTime<Utc>,
    pruned: bool,
) -> String {
    let body = CheckpointBody {
        records,
        head: head.to_owned(),
        at,
        pruned,
    };
    // A struct of a number, a string and a time always serialises.
    let body = serde_json::to_string(&body).unwrap_or_default();
    let mac = key.seal(CHECKPOINT_DOMAIN, body.as_bytes());
    format!("{},\"mac\":\"{mac}\"}}\n", &body[..body.len() - 1])
}

/// Reads one checkpoint line (without its newline), whose MAC must verify under `key`.
fn parse_line(line: &[u8], line_no: u64, key: &AuditKey) -> Result<Checkpoint, String> {
    const MARK: &str = ",\"mac\":\"";
    let text = std::str::from_utf8(line).map_err(|_| "checkpoint is not UTF-8".to_string())?;
    let trimmed = text
        .strip_suffix("\"}")
        .ok_or("checkpoint does not end with its mac")?;
    let cut = trimmed.rfind(MARK).ok_or("checkpoint has no mac")?;
    let body = format!("{}}}", &trimmed[..cut]);
    if !key.opens(
        CHECKPOINT_DOMAIN,
        body.as_bytes(),
        &trimmed[cut + MARK.len()..],
    ) {
        return Err(
            "checkpoint mac does not verify under the key: the checkpoint was edited or forged"
                .into(),
        );
    }
    let body: CheckpointBody =
        serde_json::from_str(&body).map_err(|e| format!("not a valid checkpoint: {e}"))?;
    Ok(Checkpoint {
        line: line_no,
        records: body.records,
        head: body.head,
        pruned: body.pruned,
    })
}

/// Every checkpoint of `path`, in file order, or the first line that does
/// not verify (`Err((line, reason))`). A last line without its newline (a
/// writer stopped inside it) is no checkpoint and is skipped.
pub(super) fn read_checkpoints(
    path: &Path,
    key: &AuditKey,
) -> Result<Result<Vec<Checkpoint>, (u64, String)>, AuditError> {
    let file = durable::open_read(path).map_err(AuditError::io(path))?;
    let mut reader = BufReader::new(file);
    let mut checkpoints = Vec::new();
    let mut buf = Vec::new();
    let mut line_no = 0u64;
    loop {
        buf.clear();
        let n = reader
            .read_until(b'\n', &mut buf)
            .map_err(AuditError::io(path))?;
        if n == 0 || buf.last() != Some(&b'\n') {
            return Ok(Ok(checkpoints));
        }
        line_no += 1;
        match parse_line(&buf[..buf.len() - 1], line_no, key) {
            Ok(c) => checkpoints.push(c),
            Err(reason) => return Ok(Err((line_no, reason))),
        }
    }
}

/// The checkpoint file an [`AuditLog`](super::AuditLog) appends to.
#[derive(Debug)]
pub(super) struct CheckpointFile {
    path: PathBuf,
    file: File,
}

impl CheckpointFile {
    /// Opens (creating, owner-only) the checkpoint file; a torn last line
    /// (a writer stopped inside it) is cut off. Returns the file and its
    /// last whole checkpoint, which must verify under `key`.
    pub(super) fn open(
        path: &Path,
        key: &AuditKey,
    ) -> Result<(CheckpointFile, Option<Checkpoint>), AuditError> {
        let mut file =
            durable::open_append(path, Access::OwnerOnly).map_err(AuditError::io(path))?;
        let len = file.seek(SeekFrom::End(0)).map_err(AuditError::io(path))?;
        let tail = read_tail(&mut file, len, path)?;
        if tail.whole_len < len {
            file.set_len(tail.whole_len).map_err(AuditError::io(path))?;
        }
        let last = match tail.last_line {
            None => None,
            Some(line) => {
                Some(
                    parse_line(&line, 0, key).map_err(|message| AuditError::Corrupt {
                        path: path.to_path_buf(),
                        line: 0,
                        message: format!("last checkpoint: {message}"),
                    })?,
                )
            }
        };
        Ok((
            CheckpointFile {
                path: path.to_path_buf(),
                file,
            },
            last,
        ))
    }

    /// Appends a checkpoint (one `write_all`), synced when `sync` says so.
    pub(super) fn append(
        &mut self,
        key: &AuditKey,
        records: u64,
        head: &str,
        sync: bool,
    ) -> Result<(), AuditError> {
        self.append_line(checkpoint_line(key, records, head, Utc::now(), false), sync)
    }

    /// Appends a prune anchor, synced: the records up to `records` (the
    /// last sealed `head`) are about to be removed.
    pub(super) fn append_anchor(
        &mut self,
        key: &AuditKey,
        records: u64,
        head: &str,
    ) -> Result<(), AuditError> {
        self.append_line(checkpoint_line(key, records, head, Utc::now(), true), true)
    }

    fn append_line(&mut self, line: String, sync: bool) -> Result<(), AuditError> {
        self.file
            .write_all(line.as_bytes())
            .map_err(AuditError::io(&self.path))?;
        if sync {
            self.file.sync_data().map_err(AuditError::io(&self.path))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checkpoints_are_sealed_lines_and_a_torn_last_one_is_cut() {
        let dir = tempfile::tempdir().unwrap();
        let path = checkpoint_path(&dir.path().join("audit.jsonl"));
        assert!(path.ends_with("audit.jsonl.checkpoints"));
        let key = AuditKey::from_bytes(&[1u8; 32]).unwrap();
        let (mut file, last) = CheckpointFile::open(&path, &key).unwrap();
        assert!(last.is_none());
        file.append(&key, 3, &"a".repeat(64), true).unwrap();
        file.append(&key, 7, &"b".repeat(64), false).unwrap();
        drop(file);
        let read = read_checkpoints(&path, &key).unwrap().unwrap();
        assert_eq!(read.len(), 2);
        assert_eq!((read[1].line, read[1].records), (2, 7));
        assert_eq!(read[1].head, "b".repeat(64));

        std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap()
            .write_all(b"{\"records\":9")
            .unwrap();
        assert_eq!(read_checkpoints(&path, &key).unwrap().unwrap().len(), 2);
        let (_, last) = CheckpointFile::open(&path, &key).unwrap();
        assert_eq!(last.unwrap().records, 7);
        assert!(!std::fs::read_to_string(&path)
            .unwrap()
            .contains("\"records\":9"));

        // an edited count no longer verifies, nor does another key's checkpoint
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, text.replace("\"records\":7", "\"records\":2")).unwrap();
        let (line, reason) = read_checkpoints(&path, &key).unwrap().unwrap_err();
        assert_eq!(line, 2);
        assert!(reason.contains("edited or forged"), "{reason}");
        let other = AuditKey::from_bytes(&[2u8; 32]).unwrap();
        assert_eq!(read_checkpoints(&path, &other).unwrap().unwrap_err().0, 1);
        assert!(CheckpointFile::open(&path, &key).is_err());
    }
}
