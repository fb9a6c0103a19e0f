//! Rule-file text with source positions, so every error a compliance
//! officer can cause reads `file:line:column: message`.
//!
//! serde_yaml reports positions for syntax and type errors but gives no
//! positions for values it accepted. Validation that happens after
//! deserialisation (duplicate ids, unknown rule kinds, band gaps) looks the
//! position up by the value's path (`rules[3].kind`) in a map built from
//! yaml-rust2's marked event stream.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::Marker;

/// Rule files larger than this are refused (a rule file is hand-written).
pub const MAX_RULE_FILE_BYTES: usize = 4 << 20;

/// An error in a rule, policy or platform file, with its source position.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{}:{line}:{column}: {message}", file.display())]
pub struct RuleFileError {
    /// The file.
    pub file: PathBuf,
    /// 1-based line (0 when the error concerns the whole file).
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// What is wrong, and what would be valid.
    pub message: String,
}

/// A position in a source file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Position<'a> {
    file: &'a Path,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
}

impl Position<'_> {
    /// An error at this position.
    pub fn error(&self, message: impl Into<String>) -> RuleFileError {
        RuleFileError {
            file: self.file.to_path_buf(),
            line: self.line,
            column: self.column,
            message: message.into(),
        }
    }
}

/// The text of one YAML file, with the position of every node by path.
#[derive(Debug, Clone)]
pub struct SourceText {
    /// Where it was read from (as given).
    pub path: PathBuf,
    /// The text.
    pub text: String,
    positions: HashMap<String, (usize, usize)>,
}

impl SourceText {
    /// Wraps text read from `path` and indexes node positions.
    pub fn new(path: impl Into<PathBuf>, text: String) -> SourceText {
        let mut recorder = PathRecorder::default();
        // A syntax error stops the recorder early; serde_yaml reports it
        // with its own position when the file is deserialised.
        let _ = Parser::new_from_str(&text).load(&mut recorder, true);
        SourceText {
            path: path.into(),
            text,
            positions: recorder.positions,
        }
    }

    /// Reads a file, refusing non-UTF-8 and oversized files.
    pub fn read(path: &Path) -> Result<SourceText, RuleFileError> {
        let whole_file = |message: String| RuleFileError {
            file: path.to_path_buf(),
            line: 0,
            column: 0,
            message,
        };
        let bytes = std::fs::read(path).map_err(|e| whole_file(format!("cannot read: {e}")))?;
        if bytes.len() > MAX_RULE_FILE_BYTES {
            return Err(whole_file(format!(
                "file is {} bytes, more than the {MAX_RULE_FILE_BYTES} a rule file may have",
                bytes.len()
            )));
        }
        let text = String::from_utf8(bytes).map_err(|e| {
            let offset = e.utf8_error().valid_up_to();
            whole_file(format!("not UTF-8 at byte {offset}"))
        })?;
        Ok(SourceText::new(path, text))
    }

    /// The position of the node at `path` (`rules[3].kind`); falls back to
    /// the nearest recorded ancestor, then to the first line mentioning
    /// `value`, then to line 1.
    pub fn locate(&self, path: &str, value: &str) -> Position<'_> {
        let mut p = path;
        loop {
            if let Some(&(line, column)) = self.positions.get(p) {
                return self.at(line, column);
            }
            match p.rfind(['.', '[']) {
                Some(cut) if cut > 0 => p = &p[..cut],
                _ => break,
            }
        }
        let found = (!value.is_empty())
            .then(|| {
                self.text
                    .lines()
                    .enumerate()
                    .find_map(|(i, l)| l.find(value).map(|c| (i + 1, l[..c].chars().count() + 1)))
            })
            .flatten();
        let (line, column) = found.unwrap_or((1, 1));
        self.at(line, column)
    }

    /// Whether a node exists at `path`.
    pub fn has(&self, path: &str) -> bool {
        self.positions.contains_key(path)
    }

    fn at(&self, line: usize, column: usize) -> Position<'_> {
        Position {
            file: &self.path,
            line,
            column,
        }
    }

    /// Converts a serde_yaml error into a positioned error.
    pub fn yaml_error(&self, e: &serde_yaml::Error) -> RuleFileError {
        let (line, column) = e
            .location()
            .map(|l| (l.line(), l.column()))
            .unwrap_or((0, 0));
        // serde_yaml appends " at line L column C" to its message; the
        // position is already in front, so strip it.
        let mut message = e.to_string();
        if let Some(cut) = message.find(" at line ") {
            message.truncate(cut);
        }
        RuleFileError {
            file: self.path.clone(),
            line,
            column,
            message,
        }
    }
}

impl fmt::Display for SourceText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

enum Frame {
    Mapping { key: Option<String>, path: String },
    Sequence { index: usize, path: String },
}

#[derive(Default)]
struct PathRecorder {
    stack: Vec<Frame>,
    positions: HashMap<String, (usize, usize)>,
}

impl PathRecorder {
    /// The path of the node starting now, or `None` when it is a mapping key.
    fn node_path(&mut self) -> Option<String> {
        match self.stack.last_mut() {
            None => Some(String::new()),
            Some(Frame::Sequence { index, path }) => {
                let p = format!("{path}[{index}]");
                *index += 1;
                Some(p)
            }
            Some(Frame::Mapping { key, path }) => match key.take() {
                Some(k) if path.is_empty() => Some(k),
                Some(k) => Some(format!("{path}.{k}")),
                None => None,
            },
        }
    }

    fn record(&mut self, path: &str, mark: Marker) {
        self.positions
            .entry(path.to_owned())
            .or_insert((mark.line(), mark.col() + 1));
    }
}

impl MarkedEventReceiver for PathRecorder {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        match ev {
            Event::Scalar(value, ..) => match self.node_path() {
                Some(p) => self.record(&p, mark),
                None => {
                    if let Some(Frame::Mapping { key, .. }) = self.stack.last_mut() {
                        *key = Some(value);
                    }
                }
            },
            Event::Alias(_) => {
                if let Some(p) = self.node_path() {
                    self.record(&p, mark);
                }
            }
            Event::MappingStart(..) => {
                let path = self.node_path().unwrap_or_default();
                self.record(&path, mark);
                self.stack.push(Frame::Mapping { key: None, path });
            }
            Event::SequenceStart(..) => {
                let path = self.node_path().unwrap_or_default();
                self.record(&path, mark);
                self.stack.push(Frame::Sequence { index: 0, path });
            }
            Event::MappingEnd | Event::SequenceEnd => {
                self.stack.pop();
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_by_path() {
        let s = SourceText::new(
            "f.yaml",
            "rules:\n  - id: a\n    kind: velocty\n  - id: b\n    tags: [x, y]\n".into(),
        );
        let p = s.locate("rules[0].kind", "");
        assert_eq!((p.line, p.column), (3, 11));
        let p = s.locate("rules[1].tags[1]", "");
        assert_eq!((p.line, p.column), (5, 15));
        // a missing key falls back to its parent mapping's line
        let p = s.locate("rules[1].missing", "");
        assert_eq!(p.line, 4);
        assert_eq!(
            s.locate("nothing", "").error("x").to_string(),
            "f.yaml:1:1: x"
        );
    }
}
