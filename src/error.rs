//! The library's one error type. Every error a user can cause names the
//! file (or transaction), the position or field, and what is wrong; a
//! did-you-mean hint is its own field, not part of the message.
//!
//! Shaped like aho-corasick's `BuildError`: a small struct whose
//! [`Error::kind`] says what went wrong with the numbers that explain it,
//! and accessors for what every kind may carry ([`Error::location`],
//! [`Error::hint`]).

use std::fmt;
use std::path::{Path, PathBuf};

use crate::audit::AuditError;
use crate::cases::StoreError;
use crate::list_cache::ListCacheError;
use crate::lists::ListError;
use crate::rules::RuleFileError;
use crate::source::SourceError;
use crate::state::{HistoryUnavailable, StateError};

/// Anything that can go wrong building an engine or screening.
///
/// ```
/// let err = amlscreen::Transaction::from_json(r#"{"id": 5}"#).unwrap_err();
/// match err.kind() {
///     amlscreen::ErrorKind::Json { field, .. } => assert_eq!(field, "id"),
///     other => panic!("{other:?}"),
/// }
/// assert!(err.to_string().starts_with("id: invalid type"), "{err}");
/// ```
#[derive(Debug)]
pub struct Error {
    kind: Box<ErrorKind>,
}

/// What went wrong, with what explains it.
#[derive(Debug)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The config file is unreadable or invalid (position 0:0 when the
    /// whole file is concerned).
    Config(SourceError),
    /// A list file could not be loaded.
    List(ListError),
    /// Rule files failed validation; every error is listed.
    Rules(Vec<RuleFileError>),
    /// The audit log could not be written.
    Audit(AuditError),
    /// A list cache could not be written, or was refused.
    ListCache(ListCacheError),
    /// A customer-history checkpoint could not be read or written.
    State(StateError),
    /// The shared customer history (Redis) could not be reached and the
    /// config says to refuse rather than hold (`state.redis.on_unavailable:
    /// error`).
    HistoryUnavailable(HistoryUnavailable),
    /// The case store could not be opened, read or written, or refused a
    /// staff action (a closed case resolved again).
    Store(StoreError),
    /// A transaction's JSON could not be read: not JSON, a field of the
    /// wrong type, too deep or too long.
    Json {
        /// The field's path (`beneficiary.wallet.chain`), empty when the
        /// text as a whole is at fault.
        field: String,
        /// 1-based line and column in the text, when known.
        line: Option<usize>,
        /// See `line`.
        column: Option<usize>,
        /// What is wrong.
        message: String,
    },
    /// A transaction reuses the id of one screened before, with other
    /// content: refused unscreened (the recorded decision stands), and
    /// recorded in the audit log as a refusal.
    ReusedId {
        /// The transaction id.
        id: String,
        /// What was found.
        message: String,
    },
    /// A transaction is not valid for screening.
    InvalidTransaction {
        /// Transaction id (may be empty when that is what is wrong).
        id: String,
        /// Field name.
        field: String,
        /// What is wrong.
        message: String,
    },
}

/// Where in a file an error is: file, and line and column when known
/// (1-based).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Location {
    /// The file.
    pub file: PathBuf,
    /// 1-based line.
    pub line: Option<usize>,
    /// 1-based column.
    pub column: Option<usize>,
}

impl Error {
    /// What went wrong.
    pub fn kind(&self) -> &ErrorKind {
        &self.kind
    }

    /// The file position of a config or rule-file error (the first, when
    /// several rule files failed), or the list-cache file at fault.
    pub fn location(&self) -> Option<Location> {
        let at = |file: &Path, line: usize, column: usize| Location {
            file: file.to_path_buf(),
            line: (line > 0).then_some(line),
            column: (column > 0).then_some(column),
        };
        match &*self.kind {
            ErrorKind::Config(e) => Some(at(&e.file, e.line, e.column)),
            ErrorKind::Rules(errors) => errors.first().map(|e| at(&e.file, e.line, e.column)),
            ErrorKind::ListCache(e) => Some(at(e.path(), 0, 0)),
            _ => None,
        }
    }

    /// A stable name for what went wrong, the same in every binding (the
    /// HTTP service's and the Python package's `kind`): `config`, `list`,
    /// `rules`, `audit`, `list_cache`, `state`, `history_unavailable`, `store`, `refused` (a
    /// reviewer's action the store refuses: a closed case), `json`,
    /// `reused_id`, `invalid_transaction`.
    ///
    /// ```
    /// let err = amlscreen::Transaction::from_json(r#"{"id": 7}"#).unwrap_err();
    /// assert_eq!((err.code(), err.field()), ("json", Some("id")));
    /// ```
    pub fn code(&self) -> &'static str {
        match &*self.kind {
            ErrorKind::Config(_) => "config",
            ErrorKind::List(_) => "list",
            ErrorKind::Rules(_) => "rules",
            ErrorKind::Audit(_) => "audit",
            ErrorKind::ListCache(_) => "list_cache",
            ErrorKind::State(_) => "state",
            ErrorKind::HistoryUnavailable(_) => "history_unavailable",
            ErrorKind::Store(StoreError::Refused(_)) => "refused",
            ErrorKind::Store(_) => "store",
            ErrorKind::Json { .. } => "json",
            ErrorKind::ReusedId { .. } => "reused_id",
            ErrorKind::InvalidTransaction { .. } => "invalid_transaction",
        }
    }

    /// The field at fault (`beneficiary.name`, `id`), for an error in a
    /// transaction.
    pub fn field(&self) -> Option<&str> {
        match &*self.kind {
            ErrorKind::Json { field, .. } if !field.is_empty() => Some(field),
            ErrorKind::InvalidTransaction { field, .. } => Some(field),
            ErrorKind::ReusedId { .. } => Some("id"),
            _ => None,
        }
    }

    /// The line and column in the JSON text of a transaction that did not
    /// parse.
    pub fn json_position(&self) -> Option<(Option<usize>, Option<usize>)> {
        match &*self.kind {
            ErrorKind::Json { line, column, .. } => Some((*line, *column)),
            _ => None,
        }
    }

    /// The valid word the author probably meant, for a config or rule-file
    /// error that has one.
    pub fn hint(&self) -> Option<&str> {
        match &*self.kind {
            ErrorKind::Config(e) => e.hint.as_deref(),
            ErrorKind::Rules(errors) => errors.iter().find_map(|e| e.hint.as_deref()),
            _ => None,
        }
    }

    pub(crate) fn new(kind: ErrorKind) -> Error {
        Error {
            kind: Box::new(kind),
        }
    }

    pub(crate) fn invalid_transaction(
        id: impl Into<String>,
        field: impl Into<String>,
        message: impl Into<String>,
    ) -> Error {
        Error::new(ErrorKind::InvalidTransaction {
            id: id.into(),
            field: field.into(),
            message: message.into(),
        })
    }

    pub(crate) fn json(field: impl Into<String>, message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Json {
            field: field.into(),
            line: None,
            column: None,
            message: message.into(),
        })
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &*self.kind {
            // A whole-file config error has no position to show.
            ErrorKind::Config(e) if e.line == 0 => {
                write!(f, "{}: {}", e.file.display(), e.message)
            }
            ErrorKind::Config(e) => e.fmt(f),
            ErrorKind::List(e) => e.fmt(f),
            ErrorKind::Rules(errors) => {
                for (i, e) in errors.iter().enumerate() {
                    if i > 0 {
                        f.write_str("\n")?;
                    }
                    e.fmt(f)?;
                }
                Ok(())
            }
            ErrorKind::Audit(e) => e.fmt(f),
            ErrorKind::ListCache(e) => e.fmt(f),
            ErrorKind::State(e) => e.fmt(f),
            ErrorKind::HistoryUnavailable(e) => e.fmt(f),
            ErrorKind::Store(e) => e.fmt(f),
            ErrorKind::Json { field, message, .. } if field.is_empty() => f.write_str(message),
            ErrorKind::Json { field, message, .. } => write!(f, "{field}: {message}"),
            ErrorKind::InvalidTransaction { id, field, message } => {
                write!(f, "transaction '{id}': field '{field}': {message}")
            }
            ErrorKind::ReusedId { id, message } => {
                write!(f, "transaction '{id}': field 'id': {message}")
            }
        }
    }
}

// The wrapped errors' messages are this error's message, so their causes
// are this error's causes (as `#[error(transparent)]` would have it): a
// reporter that prints the chain prints each message once.
impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &*self.kind {
            ErrorKind::List(e) => e.source(),
            ErrorKind::Audit(e) => e.source(),
            ErrorKind::ListCache(e) => e.source(),
            ErrorKind::State(e) => e.source(),
            ErrorKind::Store(e) => e.source(),
            _ => None,
        }
    }
}

impl From<ErrorKind> for Error {
    fn from(kind: ErrorKind) -> Error {
        Error::new(kind)
    }
}

impl From<ListError> for Error {
    fn from(e: ListError) -> Error {
        Error::new(ErrorKind::List(e))
    }
}

impl From<Vec<RuleFileError>> for Error {
    fn from(errors: Vec<RuleFileError>) -> Error {
        Error::new(ErrorKind::Rules(errors))
    }
}

impl From<AuditError> for Error {
    fn from(e: AuditError) -> Error {
        Error::new(ErrorKind::Audit(e))
    }
}

impl From<ListCacheError> for Error {
    fn from(e: ListCacheError) -> Error {
        Error::new(ErrorKind::ListCache(e))
    }
}

impl From<StoreError> for Error {
    fn from(e: StoreError) -> Error {
        Error::new(ErrorKind::Store(e))
    }
}

impl From<HistoryUnavailable> for Error {
    fn from(e: HistoryUnavailable) -> Error {
        Error::new(ErrorKind::HistoryUnavailable(e))
    }
}

impl From<StateError> for Error {
    fn from(e: StateError) -> Error {
        Error::new(ErrorKind::State(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_file_config_errors_show_no_position_and_positioned_ones_do() {
        let whole = Error::new(ErrorKind::Config(SourceError::whole_file(
            "amlscreen.yaml",
            "cannot read: gone",
        )));
        assert_eq!(whole.to_string(), "amlscreen.yaml: cannot read: gone");
        assert_eq!(
            whole.location(),
            Some(Location {
                file: "amlscreen.yaml".into(),
                line: None,
                column: None
            })
        );
        let mut at = SourceError::whole_file("amlscreen.yaml", "unknown field `rulez`");
        at.line = 3;
        at.column = 1;
        at.hint = Some("rules".into());
        let positioned = Error::new(ErrorKind::Config(at));
        assert!(
            positioned
                .to_string()
                .starts_with("amlscreen.yaml:3:1: unknown field `rulez`"),
            "{positioned}"
        );
        assert_eq!(positioned.hint(), Some("rules"));
        assert_eq!(positioned.location().and_then(|l| l.line), Some(3));
    }

    #[test]
    fn the_error_is_small_send_and_sync() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Error>();
        assert_eq!(std::mem::size_of::<Error>(), std::mem::size_of::<usize>());
    }
}
