//! The config file (`amlscreen.yaml`): which lists to load, where the rule
//! files are, where to write the audit log, matcher thresholds.
//!
//! Relative paths are resolved against the config file's directory, so a
//! config works from any working directory.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, ErrorKind};
use crate::lists::{ListGuard, ListSpec};
use crate::names::MatchConfig;
use crate::source::SourceError;
use crate::state::StateConfig;

/// The engine's configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Lists to load, in order.
    #[serde(default)]
    pub lists: Vec<ListSpec>,
    /// A list cache written by `amlscreen lists compile` to load instead
    /// of parsing `lists`, when it was compiled from exactly these files by
    /// this engine build with these `matching` settings; otherwise it is
    /// refused (reason on stderr) and the lists are parsed. Config key
    /// `list_cache:` (`snapshot:`, its earlier name, is still read).
    #[serde(default, alias = "snapshot", skip_serializing_if = "Option::is_none")]
    pub list_cache: Option<PathBuf>,
    /// Rules directory (or a single rule file).
    pub rules: PathBuf,
    /// Audit log settings; no audit log when absent.
    #[serde(default)]
    pub audit: Option<AuditConfig>,
    /// Name-matcher thresholds and tunables.
    #[serde(default)]
    pub matching: MatchConfig,
    /// Refusal of implausibly shrunken lists (history file, tolerance).
    #[serde(default)]
    pub list_guard: ListGuard,
    /// Bounds on the per-customer history the behaviour rules keep.
    #[serde(default)]
    pub state: StateConfig,
}

/// Where and how audit records are written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditConfig {
    /// The audit file (JSON lines, hash-chained).
    pub path: PathBuf,
    /// When records are forced to disk: `every_record` (default: a decision
    /// returned is on disk), `interval` (at most `fsync_interval_ms` after
    /// the write: faster, a power loss can lose that window) or `os` (never
    /// explicitly: survives a killed process, not a power loss).
    #[serde(default)]
    pub fsync: FsyncPolicy,
    /// With `fsync: interval`, the longest a written record waits for its
    /// sync, in milliseconds. Default 200. Lower is safer and costs more syncs.
    #[serde(default = "default_fsync_interval_ms")]
    pub fsync_interval_ms: u64,
    /// Start a new file when the live one would grow past this many bytes;
    /// the old one becomes `<path>.000001`, `<path>.000002`, … and the hash
    /// chain runs on across files. Absent: never rotate.
    #[serde(default)]
    pub rotate_bytes: Option<u64>,
    /// A file holding the secret key (at least 16 bytes) under which customer
    /// identifiers are pseudonymised (HMAC-SHA256) in audit records. Absent:
    /// identifiers are stored as given. Keep the key outside the audit directory.
    #[serde(default)]
    pub pseudonymise_key_file: Option<PathBuf>,
    /// The file holding the key that seals every record and checkpoint
    /// (HMAC-SHA256), created owner-only with a random key at first use.
    /// Absent: `<path>.key` beside the log — which stops a rewrite by anyone
    /// who cannot read it, not by someone who can read the audit directory;
    /// keep it elsewhere in production. Group- or world-readable key files
    /// and symbolic links are refused.
    #[serde(default)]
    pub key_file: Option<PathBuf>,
    /// Write a checkpoint (record count and last seal, to
    /// `<path>.checkpoints`) every this many records, besides the one on
    /// close; records deleted from the end of the log up to the last
    /// checkpoint are detected. Default 1000; 0: only on close.
    #[serde(default = "default_checkpoint_every")]
    pub checkpoint_every: u64,
}

/// When audit records are forced to stable storage (see [`AuditConfig::fsync`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum FsyncPolicy {
    /// After every record.
    #[default]
    EveryRecord,
    /// At most `fsync_interval_ms` after a record.
    Interval,
    /// Left to the operating system.
    Os,
}

fn default_fsync_interval_ms() -> u64 {
    200
}

fn default_checkpoint_every() -> u64 {
    crate::audit::DEFAULT_CHECKPOINT_EVERY
}

impl AuditConfig {
    /// An audit config with default durability, no rotation, no
    /// pseudonymisation, the key beside the log.
    pub fn new(path: impl Into<PathBuf>) -> AuditConfig {
        AuditConfig {
            path: path.into(),
            fsync: FsyncPolicy::default(),
            fsync_interval_ms: default_fsync_interval_ms(),
            rotate_bytes: None,
            pseudonymise_key_file: None,
            key_file: None,
            checkpoint_every: default_checkpoint_every(),
        }
    }

    /// The options the audit log opens with; reads the key file if one is set.
    pub fn options(&self) -> Result<crate::audit::AuditOptions, crate::audit::AuditError> {
        use crate::audit::{AuditError, AuditOptions, ChainKey, Durability};
        let durability = match self.fsync {
            FsyncPolicy::EveryRecord => Durability::EveryRecord,
            FsyncPolicy::Interval => Durability::Interval(std::time::Duration::from_millis(
                self.fsync_interval_ms.max(1),
            )),
            FsyncPolicy::Os => Durability::OsBuffered,
        };
        let pseudonymise_key = match &self.pseudonymise_key_file {
            None => None,
            Some(path) => {
                let bytes = std::fs::read(path).map_err(|source| AuditError::Io {
                    path: path.clone(),
                    source,
                })?;
                let key = bytes.trim_ascii().to_vec();
                if key.len() < crate::audit::MIN_PSEUDONYMISE_KEY_BYTES {
                    return Err(AuditError::Config(format!(
                        "{}: field pseudonymise_key_file: key has {} bytes; at least {} are needed",
                        path.display(),
                        key.len(),
                        crate::audit::MIN_PSEUDONYMISE_KEY_BYTES
                    )));
                }
                Some(key)
            }
        };
        Ok(AuditOptions {
            durability,
            rotate_bytes: self.rotate_bytes,
            pseudonymise_key,
            chain_key: match &self.key_file {
                Some(path) => ChainKey::File(path.clone()),
                None => ChainKey::BesideLog,
            },
            checkpoint_every: self.checkpoint_every,
        })
    }
}

impl Config {
    /// Reads a config file and resolves its relative paths.
    pub fn load(path: &Path) -> Result<Config, Error> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            ErrorKind::Config(SourceError::whole_file(path, format!("cannot read: {e}")))
        })?;
        let source = crate::source::SourceText::new(path, text);
        let mut config: Config = source.deserialize().map_err(ErrorKind::Config)?;
        // Settings that parse but would switch screening off are refused,
        // at the value's position.
        if let Some((field, message)) = config.matching.problems().into_iter().next() {
            let matching = source.root().ok().and_then(|root| root.entry("matching"));
            let at = match matching {
                Some((key, section)) => match section.entry(&field) {
                    Some((_, value)) => source.at(value),
                    None => source.at(key),
                },
                None => source.position(0, 0),
            };
            return Err(ErrorKind::Config(at.error(format!("matching.{field}: {message}"))).into());
        }
        let base = path.parent().unwrap_or(Path::new(""));
        config.resolve_relative_to(base);
        Ok(config)
    }

    /// Makes every relative path relative to `base` instead.
    pub fn resolve_relative_to(&mut self, base: &Path) {
        let fix = |p: &mut PathBuf| {
            if p.is_relative() && !base.as_os_str().is_empty() {
                *p = base.join(&*p);
            }
        };
        for list in &mut self.lists {
            fix(&mut list.path);
        }
        fix(&mut self.rules);
        if let Some(list_cache) = &mut self.list_cache {
            fix(list_cache);
        }
        if let Some(audit) = &mut self.audit {
            fix(&mut audit.path);
            if let Some(key) = &mut audit.pseudonymise_key_file {
                fix(key);
            }
            if let Some(key) = &mut audit.key_file {
                fix(key);
            }
        }
        if let Some(history) = &mut self.list_guard.history {
            fix(history);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_follow_the_config_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.yaml");
        std::fs::write(
            &path,
            "lists:\n  - source: watchlist\n    path: w.csv\nrules: rules\naudit:\n  path: /abs/audit.jsonl\n",
        )
        .unwrap();
        let c = Config::load(&path).unwrap();
        assert_eq!(c.lists[0].path, dir.path().join("w.csv"));
        assert_eq!(c.rules, dir.path().join("rules"));
        assert_eq!(c.audit.unwrap().path, PathBuf::from("/abs/audit.jsonl"));
    }

    #[test]
    fn errors_name_file_line_and_field() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.yaml");
        std::fs::write(&path, "rules: r\nlistz: []\n").unwrap();
        let msg = Config::load(&path).unwrap_err().to_string();
        assert!(msg.contains("c.yaml:2:1: unknown field `listz`"), "{msg}");
        std::fs::write(&path, "rules: r\nlists:\n  - source: ofac\n    path: x\n").unwrap();
        let msg = Config::load(&path).unwrap_err().to_string();
        assert!(msg.contains("c.yaml:3:"), "{msg}");
    }

    #[test]
    fn the_list_cache_is_read_under_its_name_and_its_earlier_one() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.yaml");
        for key in ["list_cache", "snapshot"] {
            std::fs::write(&path, format!("rules: r\n{key}: lists.snap\n")).unwrap();
            let c = Config::load(&path).unwrap_or_else(|e| panic!("{key}: {e}"));
            assert_eq!(c.list_cache, Some(dir.path().join("lists.snap")), "{key}");
        }
        std::fs::write(&path, "rules: r\nlist_cach: lists.snap\n").unwrap();
        let err = Config::load(&path).unwrap_err();
        assert!(err.to_string().contains("c.yaml:2:1"), "{err}");
        assert_eq!(err.location().and_then(|l| l.line), Some(2));
    }

    /// Each of these parsed before and switched name screening off.
    #[test]
    fn thresholds_that_would_switch_screening_off_are_refused_at_their_position() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.yaml");
        for (matching, needle) in [
            (
                "review_threshold: .nan",
                "matching.review_threshold: must be a finite number",
            ),
            (
                "review_threshold: .inf",
                "matching.review_threshold: must be a finite number",
            ),
            (
                "review_threshold: 1.5",
                "matching.review_threshold: 1.5 is outside 0 to 1",
            ),
            (
                "review_threshold: -0.2",
                "matching.review_threshold: -0.2 is outside 0 to 1",
            ),
            (
                "block_threshold: 0.5",
                "matching.block_threshold: 0.5 is below review_threshold",
            ),
            (
                "unmatched_query_cost: .nan",
                "matching.unmatched_query_cost",
            ),
        ] {
            std::fs::write(&path, format!("rules: r\nmatching:\n  {matching}\n")).unwrap();
            let err = Config::load(&path).unwrap_err();
            let msg = err.to_string();
            assert!(msg.contains(needle), "{matching}: {msg}");
            assert!(msg.contains("c.yaml:3:"), "{matching}: {msg}");
        }
        std::fs::write(&path, "rules: r\nmatching:\n  review_threshold: 0.85\n").unwrap();
        assert!(Config::load(&path).is_ok());
    }
}
