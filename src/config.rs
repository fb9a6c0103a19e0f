//! The config file (`amlscreen.yaml`): which lists to load, where the rule
//! files are, where to write the audit log, matcher thresholds.
//!
//! Relative paths are resolved against the config file's directory, so a
//! config works from any working directory.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::lists::{ListGuard, ListSpec};
use crate::names::MatchConfig;
use crate::state::StateConfig;

/// The engine's configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Lists to load, in order.
    #[serde(default)]
    pub lists: Vec<ListSpec>,
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
}

impl Config {
    /// Reads a config file and resolves its relative paths.
    pub fn load(path: &Path) -> Result<Config, Error> {
        let err = |message: String| Error::Config {
            path: path.to_path_buf(),
            position: String::new(),
            message,
        };
        let text = std::fs::read_to_string(path).map_err(|e| err(format!("cannot read: {e}")))?;
        let mut config: Config = serde_yaml::from_str(&text).map_err(|e| {
            let positioned = crate::rules::SourceText::new(path, String::new()).yaml_error(&e);
            Error::Config {
                path: path.to_path_buf(),
                position: format!(":{}:{}", positioned.line, positioned.column),
                message: positioned.message,
            }
        })?;
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
        if let Some(audit) = &mut self.audit {
            fix(&mut audit.path);
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
}
