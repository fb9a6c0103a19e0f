//! The service's error body: the library's [`Error`] as JSON with a stable
//! `kind` and the field at fault, and the errors only the service has
//! (tokens, limits, readiness).

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::error::Error;

/// An error as the service answers it.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ApiError {
    /// What went wrong, stable across versions: `json`,
    /// `invalid_transaction`, `reused_id`, `not_found`, `refused`,
    /// `unauthorized`, `forbidden`, `body_too_large`, `batch_too_large`,
    /// `timeout`, `not_ready`, `config`, `list`, `rules`, `audit`,
    /// `store`, `state`, `list_cache`, `internal`.
    pub kind: String,
    /// What is wrong, in words.
    pub message: String,
    /// The field at fault (`beneficiary.name`, `id`), when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// Line and column in the body, when the body did not parse.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    /// Column in the body's line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<usize>,
    /// The HTTP status it is answered with.
    #[serde(skip)]
    pub status: u16,
}

impl ApiError {
    /// An error of `kind` answered with `status`.
    pub fn new(status: StatusCode, kind: &str, message: impl Into<String>) -> ApiError {
        ApiError {
            kind: kind.to_owned(),
            message: message.into(),
            field: None,
            line: None,
            column: None,
            status: status.as_u16(),
        }
    }

    /// The same, naming the field at fault.
    pub fn with_field(mut self, field: impl Into<String>) -> ApiError {
        let field = field.into();
        self.field = (!field.is_empty()).then_some(field);
        self
    }

    pub(crate) fn bad_json(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, "json", message)
    }

    pub(crate) fn not_found(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, "not_found", message)
    }

    pub(crate) fn internal(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", message)
    }

    /// The HTTP status.
    pub fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }
}

impl From<&Error> for ApiError {
    fn from(e: &Error) -> ApiError {
        let kind = e.code();
        let status = match kind {
            "json" => StatusCode::BAD_REQUEST,
            "invalid_transaction" => StatusCode::UNPROCESSABLE_ENTITY,
            "reused_id" | "refused" => StatusCode::CONFLICT,
            // nothing was recorded, so nothing may be acted on: the caller
            // retries or holds
            "store" | "audit" | "state" | "history_unavailable" => StatusCode::SERVICE_UNAVAILABLE,
            // a reload refused: config, list, rules, list_cache
            _ => StatusCode::UNPROCESSABLE_ENTITY,
        };
        let mut out = ApiError::new(status, kind, e.to_string());
        if let Some(field) = e.field() {
            out = out.with_field(field);
        }
        if let Some((line, column)) = e.json_position() {
            out.line = line;
            out.column = column;
        } else if let Some(at) = e.location() {
            out.line = at.line;
            out.column = at.column;
        }
        out
    }
}

impl From<Error> for ApiError {
    fn from(e: Error) -> ApiError {
        ApiError::from(&e)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status_code();
        (status, axum::Json(self)).into_response()
    }
}
