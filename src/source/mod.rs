//! Reading the files people edit: YAML with positions, and typed errors
//! that say `file:line:column: message` with a "did you mean" hint. Knows
//! nothing of what the files mean: rules, platforms and the config read
//! their own meaning from the [`Node`] tree, or deserialise serde types
//! from it with [`SourceText::deserialize`].
//!
//! One parser (yaml-rust2's event parser) reads each file once into an
//! owned tree in which every node, mapping keys included, carries its line
//! and column, so an error found long after parsing — a duplicate id, an
//! unknown rule kind, a gap between score bands — still points at the
//! exact place. Alias bombs, deep nesting, duplicate keys and second
//! documents are refused while parsing (see [`yaml`]).

use std::fmt;
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

pub mod de;
pub mod yaml;

pub use de::{from_node, to_json};
pub use yaml::{parse, Node, Value};

/// Files larger than this are refused (these files are written by hand).
pub const MAX_FILE_BYTES: usize = 4 << 20;

/// An error in a file people edit, with its source position.
///
/// Displays as `file:line:column: message`, then `, did you mean 'hint'?`
/// when there is a hint, then ` note` when there is a note.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub struct SourceError {
    /// The file.
    pub file: PathBuf,
    /// 1-based line (0 when the error concerns the whole file).
    pub line: usize,
    /// 1-based column (0 when the error concerns the whole file).
    pub column: usize,
    /// What is wrong.
    pub message: String,
    /// The valid word the author probably meant ("did you mean").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
    /// What would be valid here, shown after the hint (`(valid: a, b)`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl fmt::Display for SourceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.file.display(),
            self.line,
            self.column,
            self.message
        )?;
        if let Some(hint) = &self.hint {
            write!(f, ", did you mean '{hint}'?")?;
        }
        if let Some(note) = &self.note {
            write!(f, " {note}")?;
        }
        Ok(())
    }
}

impl SourceError {
    /// An error about a whole file (position 0:0).
    pub fn whole_file(file: impl Into<PathBuf>, message: impl Into<String>) -> SourceError {
        SourceError {
            file: file.into(),
            line: 0,
            column: 0,
            message: message.into(),
            hint: None,
            note: None,
        }
    }

    /// Adds the closest of `candidates` to `word` as the hint, when one is close.
    pub fn with_hint_for<'a>(
        mut self,
        word: &str,
        candidates: impl IntoIterator<Item = &'a str>,
    ) -> SourceError {
        self.hint = crate::util::did_you_mean(word, candidates).map(str::to_owned);
        self
    }

    /// Adds a note shown after the hint.
    pub fn with_note(mut self, note: impl Into<String>) -> SourceError {
        self.note = Some(note.into());
        self
    }

    /// The same error with another message (same position, no hint or note).
    pub fn with_message(&self, message: impl Into<String>) -> SourceError {
        SourceError {
            message: message.into(),
            hint: None,
            note: None,
            ..self.clone()
        }
    }
}

/// A position in a source file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position<'a> {
    file: &'a Path,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
}

impl Position<'_> {
    /// An error at this position.
    pub fn error(&self, message: impl Into<String>) -> SourceError {
        SourceError {
            file: self.file.to_path_buf(),
            line: self.line,
            column: self.column,
            message: message.into(),
            hint: None,
            note: None,
        }
    }

    /// The file.
    pub fn file(&self) -> &Path {
        self.file
    }
}

/// The text of one YAML file and its tree (or why it has none).
#[derive(Debug, Clone)]
pub struct SourceText {
    /// Where it was read from (as given).
    pub path: PathBuf,
    /// The text.
    pub text: String,
    doc: Result<Node, SourceError>,
}

/// The hint a YAML structure error gets: most come from a line indented
/// differently from its neighbours, often the line above the one the
/// parser stopped at.
fn indentation_note(message: &str, line: usize) -> Option<String> {
    const STRUCTURE: &[&str] = &[
        "block collection",
        "block mapping",
        "mapping values are not allowed",
        "did not find expected key",
        "did not find expected '-'",
        "expected <block end>",
        "indentation",
    ];
    STRUCTURE.iter().any(|m| message.contains(m)).then(|| {
        let above = if line > 1 {
            format!(" and of line {} above it", line - 1)
        } else {
            String::new()
        };
        format!(
            "(check the indentation of line {line}{above}: the keys of one mapping start in one column, a list's items with '- ' under their key)"
        )
    })
}

impl SourceText {
    /// Wraps text read from `path` and parses it.
    pub fn new(path: impl Into<PathBuf>, text: String) -> SourceText {
        let path = path.into();
        let doc = parse(&text).map_err(|e| {
            let note = indentation_note(&e.message, e.line);
            SourceError {
                file: path.clone(),
                line: e.line,
                column: e.column,
                message: e.message,
                hint: None,
                note,
            }
        });
        SourceText { path, text, doc }
    }

    /// Reads a file, refusing non-UTF-8 and files over `MAX_FILE_BYTES`.
    pub fn read(path: &Path) -> Result<SourceText, SourceError> {
        let whole_file = |message: String| SourceError::whole_file(path, message);
        let bytes = std::fs::read(path).map_err(|e| whole_file(format!("cannot read: {e}")))?;
        if bytes.len() > MAX_FILE_BYTES {
            return Err(whole_file(format!(
                "file is {} bytes, more than the {MAX_FILE_BYTES} a rule file may have",
                bytes.len()
            )));
        }
        let text = String::from_utf8(bytes).map_err(|e| {
            let offset = e.utf8_error().valid_up_to();
            whole_file(format!("not UTF-8 at byte {offset}"))
        })?;
        Ok(SourceText::new(path, text))
    }

    /// The document's root node, or the positioned reason the text is not YAML.
    pub fn root(&self) -> Result<&Node, SourceError> {
        self.doc.as_ref().map_err(Clone::clone)
    }

    /// The position of a node of this file.
    pub fn at(&self, node: &Node) -> Position<'_> {
        self.position(node.line, node.column)
    }

    /// A position in this file.
    pub fn position(&self, line: usize, column: usize) -> Position<'_> {
        Position {
            file: &self.path,
            line,
            column,
        }
    }

    /// Reads the whole document as a `T`; an error names the position and
    /// the path of the value that does not fit (`lists[0]: unknown field …`).
    pub fn deserialize<T: DeserializeOwned>(&self) -> Result<T, SourceError> {
        let root = self.root()?;
        from_node(root).map_err(|e| {
            let (line, column) = e.at.unwrap_or((root.line, root.column));
            self.position(line, column).error(e.message_with_path())
        })
    }
}

impl fmt::Display for SourceText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_display_position_hint_and_note() {
        let s = SourceText::new("f.yaml", "kind: velocty\n".into());
        let node = s.root().unwrap().get("kind").unwrap();
        let e = s
            .at(node)
            .error("unknown kind 'velocty'")
            .with_hint_for("velocty", ["velocity", "amount"])
            .with_note("(valid: velocity, amount)");
        assert_eq!((e.line, e.column), (1, 7));
        assert_eq!(e.hint.as_deref(), Some("velocity"));
        assert_eq!(
            e.to_string(),
            "f.yaml:1:7: unknown kind 'velocty', did you mean 'velocity'? (valid: velocity, amount)"
        );
        assert_eq!(
            SourceError::whole_file("f.yaml", "cannot read").to_string(),
            "f.yaml:0:0: cannot read"
        );
    }

    #[test]
    fn syntax_errors_are_positioned() {
        let s = SourceText::new("f.yaml", "a: [1, 2\nb: c\n".into());
        let e = s.root().unwrap_err();
        assert_eq!(e.file, PathBuf::from("f.yaml"));
        assert!(e.line >= 1 && e.column >= 1, "{e}");
    }
}
