//! Plain-text data files that rules read: country lists, TOR exit nodes and
//! CIDR ranges. One entry per line; `#` starts a comment; blank lines are
//! ignored. Paths are relative to the rule file that names them. Each file
//! read is hashed into the rule set's versions, so the audit record names it.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::source::{RuleFileError, MAX_RULE_FILE_BYTES};
use super::FileVersion;

/// One entry of a data file, with its line for error messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataEntry {
    /// The text before any `#`, trimmed.
    pub value: String,
    /// 1-based line.
    pub line: usize,
}

/// A data file read whole.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataFile {
    /// Path as resolved (relative to the rule file's directory).
    pub path: PathBuf,
    /// Its entries in file order.
    pub entries: Vec<DataEntry>,
}

impl DataFile {
    /// An error at an entry's line.
    pub fn error_at(&self, entry: &DataEntry, message: impl Into<String>) -> RuleFileError {
        RuleFileError {
            line: entry.line,
            column: 1,
            ..RuleFileError::whole_file(&self.path, message)
        }
    }

    /// Parses data-file text.
    pub fn parse(path: PathBuf, text: &str) -> DataFile {
        let entries = text
            .lines()
            .enumerate()
            .filter_map(|(i, line)| {
                let value = line.split('#').next().unwrap_or_default().trim();
                (!value.is_empty()).then(|| DataEntry {
                    value: value.to_owned(),
                    line: i + 1,
                })
            })
            .collect();
        DataFile { path, entries }
    }
}

/// Data files read while compiling a rule set, each read once.
#[derive(Debug, Default)]
pub struct DataFiles {
    /// Every data file read, with its hash.
    pub versions: Vec<FileVersion>,
    cache: HashMap<PathBuf, Arc<DataFile>>,
}

impl DataFiles {
    /// Reads `relative` (relative to `rule_file`'s directory), or returns the
    /// copy already read. The error message says which file and why.
    pub fn read(&mut self, rule_file: &Path, relative: &str) -> Result<Arc<DataFile>, String> {
        let base = rule_file.parent().unwrap_or(Path::new(""));
        let path = base.join(relative);
        if let Some(f) = self.cache.get(&path) {
            return Ok(f.clone());
        }
        let bytes = std::fs::read(&path)
            .map_err(|e| format!("cannot read data file {}: {e}", path.display()))?;
        if bytes.len() > MAX_RULE_FILE_BYTES {
            return Err(format!(
                "data file {} is {} bytes, more than the {MAX_RULE_FILE_BYTES} allowed",
                path.display(),
                bytes.len()
            ));
        }
        let text = String::from_utf8(bytes).map_err(|e| {
            format!(
                "data file {} is not UTF-8 at byte {}",
                path.display(),
                e.utf8_error().valid_up_to()
            )
        })?;
        self.versions.push(FileVersion {
            path: path.display().to_string(),
            sha256: crate::util::sha256_hex(text.as_bytes()),
        });
        let file = Arc::new(DataFile::parse(path.clone(), &text));
        self.cache.insert(path, file.clone());
        Ok(file)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_and_blank_lines_are_skipped() {
        let f = DataFile::parse("x.txt".into(), "# head\n\nKP  # North Korea\n  IR\n");
        let v: Vec<(&str, usize)> = f
            .entries
            .iter()
            .map(|e| (e.value.as_str(), e.line))
            .collect();
        assert_eq!(v, [("KP", 3), ("IR", 4)]);
        assert_eq!(
            f.error_at(&f.entries[1], "bad").to_string(),
            "x.txt:4:1: bad"
        );
    }
}
