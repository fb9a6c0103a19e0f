//! Rule-file text with source positions, so every error a compliance
//! officer can cause reads `file:line:column: message`. The reading itself
//! (YAML to a positioned tree, typed errors) is [`crate::source`]'s; the
//! rule modules read their meaning from the tree with
//! [`super::fields::Fields`].

pub use crate::source::{Position, SourceError as RuleFileError, SourceText};

/// Rule files larger than this are refused (a rule file is hand-written).
pub const MAX_RULE_FILE_BYTES: usize = crate::source::MAX_FILE_BYTES;
