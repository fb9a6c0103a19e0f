//! The YAML policy: rule files parsed, validated with source positions,
//! and compiled before use. A rule set that fails validation is never used.
//!
//! A rules directory holds YAML files; each file's top-level keys say what
//! it holds: `policy` (reference currency, score bands, level → action),
//! `platforms` (the forbidden-platform registry, see [`crate::platforms`]).

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::decision::Policy;
use crate::platforms::{parse_platforms, Platform};

pub mod source;

pub use source::{RuleFileError, SourceText};

/// A rule or policy file's identity, for the audit record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileVersion {
    /// File path as loaded.
    pub path: String,
    /// SHA-256 of the file bytes, lower-case hex.
    pub sha256: String,
}

/// The validated, compiled contents of a rules directory.
#[derive(Debug, Clone)]
pub struct RuleSet {
    /// Score bands and actions.
    pub policy: Policy,
    /// Forbidden platforms from every `platforms` file.
    pub platforms: Vec<Platform>,
    /// Every file read, with its hash.
    pub files: Vec<FileVersion>,
}

const TOP_LEVEL_KEYS: &[&str] = &["policy", "platforms"];

/// The YAML files of a rules path: the file itself, or every `*.yaml`/`*.yml`
/// file in the directory, sorted by name.
pub fn rule_files(path: &Path) -> Result<Vec<PathBuf>, RuleFileError> {
    if path.is_file() {
        return Ok(vec![path.to_path_buf()]);
    }
    let entries = std::fs::read_dir(path).map_err(|e| RuleFileError {
        file: path.to_path_buf(),
        line: 0,
        column: 0,
        message: format!("cannot read rules directory: {e}"),
    })?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.is_file()
                && matches!(
                    p.extension().and_then(|e| e.to_str()),
                    Some("yaml") | Some("yml")
                )
        })
        .collect();
    files.sort();
    Ok(files)
}

impl RuleSet {
    /// Loads and validates every rule file under `path` (a file or a
    /// directory). Returns every error found, not just the first.
    pub fn load(path: &Path) -> Result<RuleSet, Vec<RuleFileError>> {
        let files = rule_files(path).map_err(|e| vec![e])?;
        let mut errors = Vec::new();
        let mut set = RuleSet {
            policy: Policy::default(),
            platforms: Vec::new(),
            files: Vec::new(),
        };
        for file in files {
            let source = match SourceText::read(&file) {
                Ok(s) => s,
                Err(e) => {
                    errors.push(e);
                    continue;
                }
            };
            set.files.push(FileVersion {
                path: file.display().to_string(),
                sha256: crate::util::sha256_hex(source.text.as_bytes()),
            });
            if let Err(mut e) = set.load_source(&source) {
                errors.append(&mut e);
            }
        }
        if errors.is_empty() {
            Ok(set)
        } else {
            Err(errors)
        }
    }

    fn load_source(&mut self, source: &SourceText) -> Result<(), Vec<RuleFileError>> {
        let doc: serde_yaml::Value =
            serde_yaml::from_str(&source.text).map_err(|e| vec![source.yaml_error(&e)])?;
        let Some(map) = doc.as_mapping() else {
            return Err(vec![source.locate("", "").error(format!(
                "a rule file is a mapping with top-level keys {}",
                TOP_LEVEL_KEYS.join(", ")
            ))]);
        };
        let mut errors = Vec::new();
        for key in map.keys() {
            let key = key.as_str().unwrap_or_default();
            match key {
                "platforms" => match parse_platforms(source) {
                    Ok(mut p) => self.platforms.append(&mut p),
                    Err(mut e) => errors.append(&mut e),
                },
                "policy" => {
                    #[derive(Deserialize)]
                    struct PolicyFile {
                        policy: Policy,
                    }
                    match serde_yaml::from_str::<PolicyFile>(&source.text) {
                        Ok(p) => self.policy = p.policy,
                        Err(e) => errors.push(source.yaml_error(&e)),
                    }
                }
                other => {
                    let hint = crate::util::did_you_mean(other, TOP_LEVEL_KEYS.iter().copied())
                        .map(|s| format!(", did you mean '{s}'?"))
                        .unwrap_or_default();
                    errors.push(source.locate(other, other).error(format!(
                        "unknown top-level key '{other}' (valid: {}){hint}",
                        TOP_LEVEL_KEYS.join(", ")
                    )));
                }
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}
