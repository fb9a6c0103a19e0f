//! Reading a set's records back (`audit show`, `audit export`) and removing
//! its oldest files once the retention allows (`audit prune`).
//!
//! Pruning removes whole rotated files, oldest first, whose last record is
//! older than the cut-off — never the live file, never the file holding
//! the chain's end, never a record younger than the retention. Before each
//! file goes, a sealed prune anchor (a checkpoint marked `pruned`) names
//! its last record, so [`verify_set`](super::verify_set) still verifies
//! what remains: the first record left must link to an anchor, which only
//! the key's holder can write. A prune stopped part-way leaves a set that
//! verifies too (each removed file has its anchor).

use std::io::{BufRead, BufReader, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Duration, Utc};

use super::checkpoint::{checkpoint_path, CheckpointFile};
use super::files::{read_tail, rotated_files};
use super::key::AuditKey;
use super::options::AuditError;
use super::record::{record_link, AuditRecord, ChainEnd};
use super::verify::{verify_set_with, SetVerification};
use crate::durable::{self, FileLock};

/// What [`prune_set`] removed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PruneReport {
    /// The files removed, oldest first.
    pub removed: Vec<PathBuf>,
    /// The last record removed (0: none).
    pub through_seq: u64,
}

/// Calls `visit` with every record of the set (rotated files, then the
/// live file), in chain order, with its file and line. A line that is no
/// record is an error naming it.
pub fn for_each_record(
    path: &Path,
    mut visit: impl FnMut(&Path, u64, AuditRecord) -> Result<(), AuditError>,
) -> Result<(), AuditError> {
    let mut files = rotated_files(path)?;
    if path.exists() {
        files.push(path.to_path_buf());
    }
    for file in &files {
        let reader = BufReader::new(durable::open_read(file).map_err(AuditError::io(file))?);
        for (i, line) in reader.lines().enumerate() {
            let line = line.map_err(AuditError::io(file))?;
            let record: AuditRecord =
                serde_json::from_str(&line).map_err(|e| AuditError::Corrupt {
                    path: file.clone(),
                    line: i as u64 + 1,
                    message: format!("not an audit record: {e}"),
                })?;
            visit(file, i as u64 + 1, record)?;
        }
    }
    Ok(())
}

/// The last whole record of `file`: its link and when it was made.
fn last_record(
    file: &Path,
    key: &AuditKey,
) -> Result<Option<(ChainEnd, DateTime<Utc>)>, AuditError> {
    let mut f = durable::open_read(file).map_err(AuditError::io(file))?;
    let len = f.seek(SeekFrom::End(0)).map_err(AuditError::io(file))?;
    let tail = read_tail(&mut f, len, file)?;
    let Some(line) = tail.last_line else {
        return Ok(None);
    };
    let corrupt = |message: String| AuditError::Corrupt {
        path: file.to_path_buf(),
        line: 0,
        message,
    };
    let end = record_link(&line, key).map_err(&corrupt)?;
    let record: AuditRecord = serde_json::from_slice(&line)
        .map_err(|e| corrupt(format!("last record is not an audit record: {e}")))?;
    Ok(Some((end, record.decided_at)))
}

/// Removes the rotated files of the set at `path` whose every record was
/// made before `before`, oldest first, leaving a sealed anchor for each.
///
/// Refused (nothing removed) when `before` is younger than `retention`
/// before `now`, when the set does not verify under `key`, or when
/// another process writes the log.
pub fn prune_set(
    path: &Path,
    key: &AuditKey,
    before: DateTime<Utc>,
    retention: Duration,
    now: DateTime<Utc>,
) -> Result<PruneReport, AuditError> {
    let oldest_allowed = now - retention;
    if before > oldest_allowed {
        return Err(AuditError::Config(format!(
            "nothing younger than the retention ({} days) is removed: --before {} is after {}",
            retention.num_days(),
            before.to_rfc3339(),
            oldest_allowed.to_rfc3339()
        )));
    }
    let _lock = FileLock::acquire(path).map_err(|e| AuditError::Locked {
        path: path.to_path_buf(),
        lock_file: durable::lock_path(path),
        holder: None,
        message: e.describe(),
    })?;
    match verify_set_with(path, Some(key))? {
        SetVerification::Ok { .. } => {}
        other => {
            return Err(AuditError::Corrupt {
                path: path.to_path_buf(),
                line: 0,
                message: format!(
                    "the log does not verify, so nothing is pruned (run `amlscreen audit verify`): {other:?}"
                ),
            })
        }
    }
    let files = rotated_files(path)?;
    let live_has_records = std::fs::metadata(path).is_ok_and(|m| m.len() > 0);
    let mut removable: Vec<(PathBuf, ChainEnd)> = Vec::new();
    for (i, file) in files.iter().enumerate() {
        // the file holding the chain's end stays: the log continues from it
        if i + 1 == files.len() && !live_has_records {
            break;
        }
        match last_record(file, key)? {
            Some((end, at)) if at < before => removable.push((file.clone(), end)),
            _ => break,
        }
    }
    let mut report = PruneReport {
        removed: Vec::new(),
        through_seq: 0,
    };
    if removable.is_empty() {
        return Ok(report);
    }
    // where the chain ends now: checkpointed after the anchors, so that
    // the last checkpoint (which a reopened log checks its end against)
    // still names the end, not a removed record
    let chain_end = match live_has_records {
        true => last_record(path, key)?,
        false => match files.last() {
            Some(newest) => last_record(newest, key)?,
            None => None,
        },
    };
    let (mut checkpoints, _) = CheckpointFile::open(&checkpoint_path(path), key)?;
    for (_, end) in &removable {
        checkpoints.append_anchor(key, end.seq, &end.seal)?;
    }
    if let Some((end, _)) = chain_end {
        checkpoints.append(key, end.seq, &end.seal, true)?;
    }
    for (file, end) in removable {
        std::fs::remove_file(&file).map_err(AuditError::io(&file))?;
        report.through_seq = end.seq;
        report.removed.push(file);
    }
    durable::sync_dir(durable::parent_dir(path)).map_err(AuditError::io(path))?;
    Ok(report)
}
