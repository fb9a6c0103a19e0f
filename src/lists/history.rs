//! The implausible-shrink check: a list file that suddenly holds far fewer
//! entities than recent versions loaded for the same source is more likely
//! a truncated or broken download than a mass delisting, so it is refused.
//!
//! The recent loaded versions of each source (the last
//! [`RECENT_VERSIONS`] distinct ones, by SHA-256) are kept in a small JSON
//! history file, keyed by `kind=path`, each with its entity count, SHA-256
//! and version. A load is refused when its entity count is more than
//! `list_guard.max_shrink_percent` (default 20) below the *largest* of
//! them, not only the last: repeated 9 % drops cannot walk a list down,
//! the third is refused. An accepted load joins the recent versions.
//!
//! On by default: a config file without `list_guard.history` keeps the
//! history in [`DEFAULT_HISTORY_FILE`] beside the config file (that
//! directory must be writable, or `history` must name another file). To
//! accept a genuine large delisting, raise the tolerance for one load or
//! delete the source's entry from the history file. The first load of a
//! source always passes. A [`ListGuard`] built in code without a history
//! file checks nothing.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::{ListError, ListVersion};

/// The history file a config file's list guard uses when it names none,
/// in the config file's directory.
pub const DEFAULT_HISTORY_FILE: &str = "amlscreen-list-history.json";

/// How many distinct versions of each source the history keeps; a new
/// version is compared with the largest of them.
pub const RECENT_VERSIONS: usize = 10;

/// Default tolerance of [`ListGuard::max_shrink_percent`].
pub const DEFAULT_MAX_SHRINK_PERCENT: u8 = 20;

fn default_max_shrink_percent() -> u8 {
    DEFAULT_MAX_SHRINK_PERCENT
}

/// Config of the shrink check (`list_guard:` in the config file).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListGuard {
    /// JSON file remembering the recent loaded versions of each source.
    /// In a config file it defaults to [`DEFAULT_HISTORY_FILE`] beside the
    /// config; a guard built in code without one checks nothing.
    #[serde(default)]
    pub history: Option<PathBuf>,
    /// Largest accepted drop in entity count against the largest of the
    /// recent loaded versions of the same source, in percent (default 20).
    /// Lower it to catch smaller truncations; raise it (up to 100 = off) to
    /// accept a large delisting.
    #[serde(default = "default_max_shrink_percent")]
    pub max_shrink_percent: u8,
}

impl Default for ListGuard {
    fn default() -> Self {
        ListGuard {
            history: None,
            max_shrink_percent: DEFAULT_MAX_SHRINK_PERCENT,
        }
    }
}

/// What the history remembers of one accepted load of a source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEntry {
    /// Entities loaded.
    pub entities: usize,
    /// SHA-256 of the file.
    pub sha256: String,
    /// Version the file declared.
    #[serde(default)]
    pub version: Option<String>,
}

/// The history file's contents: the recent accepted loads per `kind=path`,
/// oldest first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListHistory {
    /// Recent versions by `kind=path`, oldest first, at most
    /// [`RECENT_VERSIONS`] each. (A history written before kept one entry
    /// per source; it is read as that one recent version.)
    #[serde(deserialize_with = "recent_versions")]
    pub sources: BTreeMap<String, Vec<HistoryEntry>>,
}

fn recent_versions<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<BTreeMap<String, Vec<HistoryEntry>>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Stored {
        Recent(Vec<HistoryEntry>),
        Last(HistoryEntry),
    }
    let stored = BTreeMap::<String, Stored>::deserialize(d)?;
    Ok(stored
        .into_iter()
        .map(|(key, s)| {
            let recent = match s {
                Stored::Recent(recent) => recent,
                Stored::Last(last) => vec![last],
            };
            (key, recent)
        })
        .collect())
}

impl ListHistory {
    /// The key of a loaded list: `kind=path`.
    pub fn key(version: &ListVersion) -> String {
        format!("{}={}", version.source, version.path)
    }

    /// Reads a history file; a missing file is an empty history.
    pub fn read(path: &Path) -> Result<ListHistory, ListError> {
        let err = |message: String| ListError::History {
            path: path.to_path_buf(),
            message,
        };
        match std::fs::read(path) {
            Ok(bytes) => {
                serde_json::from_slice(&bytes).map_err(|e| err(format!("not a list history: {e}")))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(ListHistory::default()),
            Err(e) => Err(err(e.to_string())),
        }
    }

    /// Writes the history atomically and durably
    /// (`crate::durable::write_atomic`): a crash or a concurrent writer
    /// leaves one whole history, never a mix.
    pub fn write(&self, path: &Path) -> Result<(), ListError> {
        let err = |message: String| ListError::History {
            path: path.to_path_buf(),
            message,
        };
        let json = serde_json::to_vec_pretty(self).map_err(|e| err(e.to_string()))?;
        crate::durable::write_atomic(path, &json).map_err(|e| err(e.to_string()))
    }
}

impl ListGuard {
    /// Refuses `version` if it shrank more than allowed against the history,
    /// otherwise records it as the source's last accepted load.
    pub fn check_and_record(&self, version: &ListVersion) -> Result<(), ListError> {
        self.check(version)?;
        self.record_all(std::slice::from_ref(version))
    }

    /// Refuses `version` if it shrank more than allowed against the
    /// largest recent version in the history; records nothing (see
    /// [`ListGuard::record_all`]).
    pub fn check(&self, version: &ListVersion) -> Result<(), ListError> {
        let Some(history_path) = &self.history else {
            return Ok(());
        };
        let history = ListHistory::read(history_path)?;
        let largest = history
            .sources
            .get(&ListHistory::key(version))
            .and_then(|recent| recent.iter().max_by_key(|e| e.entities));
        match largest {
            Some(largest) => check_shrink(version, largest, self.max_shrink_percent),
            None => Ok(()),
        }
    }

    /// Records every version among its source's recent accepted loads
    /// (a version already the latest is not repeated; the oldest beyond
    /// [`RECENT_VERSIONS`] are forgotten), in one write of the history
    /// file. A no-op without a history file.
    pub fn record_all(&self, versions: &[ListVersion]) -> Result<(), ListError> {
        let Some(history_path) = &self.history else {
            return Ok(());
        };
        if versions.is_empty() {
            return Ok(());
        }
        let mut history = ListHistory::read(history_path)?;
        let before = history.clone();
        for version in versions {
            let recent = history
                .sources
                .entry(ListHistory::key(version))
                .or_default();
            if recent.last().is_some_and(|e| e.sha256 == version.sha256) {
                continue;
            }
            // a version seen before moves to the end, never counted twice
            recent.retain(|e| e.sha256 != version.sha256);
            recent.push(HistoryEntry {
                entities: version.entities,
                sha256: version.sha256.clone(),
                version: version.version.clone(),
            });
            let extra = recent.len().saturating_sub(RECENT_VERSIONS);
            recent.drain(..extra);
        }
        if history == before {
            return Ok(());
        }
        history.write(history_path)
    }
}

/// The comparison itself: `Err` when `version` holds more than
/// `max_shrink_percent` fewer entities than `previous` (the largest
/// recent version).
pub fn check_shrink(
    version: &ListVersion,
    previous: &HistoryEntry,
    max_shrink_percent: u8,
) -> Result<(), ListError> {
    let (now, before) = (version.entities as u64, previous.entities as u64);
    if before == 0 || now >= before {
        return Ok(());
    }
    // integer arithmetic: drop% = ceil((before - now) * 100 / before)
    let drop_percent = ((before - now) * 100).div_ceil(before);
    if (before - now) * 100 > before * u64::from(max_shrink_percent) {
        return Err(ListError::Shrunk {
            path: PathBuf::from(&version.path),
            entities: version.entities,
            previous: previous.entities,
            previous_sha256: previous.sha256.clone(),
            drop_percent,
            max_shrink_percent,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lists::SourceKind;

    fn version(entities: usize, sha: &str) -> ListVersion {
        ListVersion {
            source: SourceKind::UnXml,
            path: "un.xml".into(),
            version: None,
            sha256: sha.into(),
            entities,
            persons: 0,
            organizations: 0,
            vessels: 0,
            aircraft: 0,
            names: 0,
            weak_aliases: 0,
            addresses: 0,
            skipped: 0,
        }
    }

    #[test]
    fn shrink_beyond_tolerance_is_refused_and_not_recorded() {
        let dir = tempfile::tempdir().unwrap();
        let guard = ListGuard {
            history: Some(dir.path().join("history.json")),
            max_shrink_percent: 20,
        };
        guard.check_and_record(&version(1000, "a")).unwrap();
        // exactly 20% fewer is accepted and becomes the new reference
        guard.check_and_record(&version(800, "b")).unwrap();
        let err = guard
            .check_and_record(&version(639, "c"))
            .unwrap_err()
            .to_string();
        // compared with the largest recent version, not the last
        assert!(
            err.contains("un.xml: 639 entities, 37% fewer than the 1000"),
            "{err}"
        );
        assert!(err.contains("allowed 20%"), "{err}");
        let history = ListHistory::read(guard.history.as_deref().unwrap()).unwrap();
        let recent: Vec<usize> = history.sources["un_xml=un.xml"]
            .iter()
            .map(|e| e.entities)
            .collect();
        assert_eq!(recent, [1000, 800]);
        // growth is always fine
        guard.check_and_record(&version(5000, "d")).unwrap();
    }

    /// Before, each load was compared with the last one only: 9 % drops
    /// walked a list down without limit.
    #[test]
    fn repeated_small_drops_are_refused_once_the_total_drop_is_too_large() {
        let dir = tempfile::tempdir().unwrap();
        let guard = ListGuard {
            history: Some(dir.path().join("history.json")),
            max_shrink_percent: 20,
        };
        guard.check_and_record(&version(1000, "a")).unwrap();
        guard.check_and_record(&version(910, "b")).unwrap(); // 9 % below 1000
        guard.check_and_record(&version(829, "c")).unwrap(); // 17.1 % below 1000
        let err = guard
            .check_and_record(&version(755, "d")) // 9 % below 829, 24.5 % below 1000
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("755 entities, 25% fewer than the 1000 of a recent version (a)"),
            "{err}"
        );
        // reloading the same version adds nothing: the largest stays in view
        for _ in 0..2 * RECENT_VERSIONS {
            guard.check_and_record(&version(829, "c")).unwrap();
        }
        assert!(guard.check(&version(755, "d")).is_err());
        // after RECENT_VERSIONS other versions the oldest is forgotten
        for i in 0..RECENT_VERSIONS {
            guard
                .check_and_record(&version(830 + i, &format!("v{i}")))
                .unwrap();
        }
        guard.check(&version(755, "d")).unwrap();
    }

    #[test]
    fn a_history_of_the_earlier_one_entry_format_is_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("h.json");
        std::fs::write(
            &path,
            r#"{"sources":{"un_xml=un.xml":{"entities":1000,"sha256":"a","version":null}}}"#,
        )
        .unwrap();
        let guard = ListGuard {
            history: Some(path),
            max_shrink_percent: 20,
        };
        assert!(guard.check(&version(700, "b")).is_err());
        guard.check_and_record(&version(990, "b")).unwrap();
        let history = ListHistory::read(guard.history.as_deref().unwrap()).unwrap();
        assert_eq!(history.sources["un_xml=un.xml"].len(), 2);
    }

    #[test]
    fn no_history_means_no_check() {
        ListGuard::default()
            .check_and_record(&version(1, "a"))
            .unwrap();
        let bad = tempfile::tempdir().unwrap();
        let path = bad.path().join("h.json");
        std::fs::write(&path, "not json").unwrap();
        let guard = ListGuard {
            history: Some(path),
            max_shrink_percent: 20,
        };
        assert!(guard
            .check_and_record(&version(1, "a"))
            .unwrap_err()
            .to_string()
            .contains("not a list history"));
    }

    #[test]
    fn writers_of_one_history_never_share_a_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("history.json");
        let histories: Vec<ListHistory> = (0..4)
            .map(|i| {
                let mut h = ListHistory::default();
                for j in 0..200 {
                    h.sources.insert(
                        format!("un_xml=list-{i}-{j}.xml"),
                        vec![HistoryEntry {
                            entities: j,
                            sha256: format!("{i:064}"),
                            version: None,
                        }],
                    );
                }
                h
            })
            .collect();
        std::thread::scope(|s| {
            for h in &histories {
                let path = &path;
                s.spawn(move || h.write(path).unwrap());
            }
        });
        let read = ListHistory::read(&path).unwrap();
        assert!(histories.contains(&read));
        // only the history itself is left
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
