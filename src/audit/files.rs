//! The files of an audit set on disk: `<file>` and its rotated
//! `<file>.NNNNNN`, where the whole records of a file end, and setting a
//! torn last record aside.

use std::fs::File;
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use chrono::Utc;
use serde::{Deserialize, Serialize};

use super::key::AuditKey;
use super::options::AuditError;
use super::record::{record_link, ChainEnd, GENESIS_HASH};
use crate::durable::{self, Access};

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
pub(super) struct Tail {
    /// Length of the file up to and including the last newline.
    pub(super) whole_len: u64,
    /// The last whole record line (without its newline), if any.
    pub(super) last_line: Option<Vec<u8>>,
}

/// Reads backwards from the end to find the last newline-terminated line.
pub(super) fn read_tail(file: &mut File, len: u64, path: &Path) -> Result<Tail, AuditError> {
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

/// Opens (creating, owner-only) an audit file for appending.
pub(super) fn open_append(path: &Path) -> Result<File, AuditError> {
    durable::open_append(path, Access::OwnerOnly).map_err(AuditError::io(path))
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

/// Copies `whole_len..len` of the live file to `<file>.torn-<timestamp>`
/// (synced, with its directory entry), then truncates the live file to
/// `whole_len` and syncs it.
pub(super) fn set_aside_torn_tail(
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
    durable::write_new(&kept_at, &torn, Access::OwnerOnly).map_err(AuditError::io(&kept_at))?;
    // only once the bytes are safe elsewhere is the live file cut
    file.set_len(whole_len).map_err(AuditError::io(path))?;
    file.sync_all().map_err(AuditError::io(path))?;
    Ok(TornTail {
        path: path.to_path_buf(),
        line,
        bytes: len - whole_len,
        kept_at,
    })
}

/// The chain position of an empty live file: the end of the newest rotated file.
pub(super) fn continue_from_rotated(path: &Path, key: &AuditKey) -> Result<ChainEnd, AuditError> {
    let Some(newest) = rotated_files(path)?.pop() else {
        return Ok(ChainEnd {
            seq: 0,
            seal: GENESIS_HASH.to_owned(),
            keyed: false,
        });
    };
    let mut file = durable::open_read(&newest).map_err(AuditError::io(&newest))?;
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
        Some(line) => record_link(&line, key).map_err(|m| {
            corrupt(format!(
                "last record of the newest rotated file is unreadable, so the chain cannot continue: {m}"
            ))
        }),
        None => Err(corrupt("rotated audit file is empty".into())),
    }
}

/// The name the live file takes when it is rotated: the next `<file>.NNNNNN`.
pub(super) fn next_rotated(path: &Path) -> Result<PathBuf, AuditError> {
    let next = rotated_files(path)?
        .last()
        .and_then(|p| p.extension())
        .and_then(|e| e.to_str())
        .and_then(|e| e.parse::<u64>().ok())
        .unwrap_or(0)
        + 1;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "audit".into());
    Ok(path.with_file_name(format!("{name}.{next:06}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::test_support::append_n;
    use crate::audit::{verify, verify_set, AuditLog, AuditOptions, Durability};
    use crate::audit::{SetVerification, Verification};
    use std::fs::OpenOptions;
    use std::io::Write;

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
            SetVerification::Ok { files, records, .. } => {
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
}
