//! The `/v1` endpoints: each reads its request, checks the caller's role,
//! calls the [`Screener`] on the blocking pool and answers JSON. Bodies are
//! read as bytes and parsed here, so a body that does not parse gets the
//! library's error (`json`, with the field and position), never the
//! framework's text.

use std::sync::Arc;
use std::time::Instant;

use axum::body::{Body, Bytes};
use axum::extract::rejection::{BytesRejection, PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::error::ApiError;
use super::App;
use crate::cases::StaffAction;
use crate::cases::{Case, CaseFilter, CaseStatus, CustomerRecord, CustomerStatus, Outcome};
use crate::config::Role;
use crate::customers::{self, Customer};
use crate::model::{Decision, PartyKind, Transaction};
use crate::names::NameQuery;
use crate::screener::{BatchOrder, ImportReport, Screener};

/// Transactions screened per step of a batch: each step's results are
/// streamed out before the next step starts.
const BATCH_STEP: usize = 1024;

/// A body the request limit refused, or one that could not be read.
pub(crate) fn body_error(e: BytesRejection) -> ApiError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "body_too_large",
            e.body_text(),
        )
    } else {
        ApiError::new(e.status(), "body", e.body_text())
    }
}

fn utf8(body: &[u8]) -> Result<&str, ApiError> {
    std::str::from_utf8(body)
        .map_err(|e| ApiError::bad_json(format!("body is not UTF-8 at byte {}", e.valid_up_to())))
}

/// A JSON body of type `T`, with the field at fault named when it does
/// not fit.
fn json_body<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    crate::limits::check_json_depth(body, crate::limits::MAX_JSON_DEPTH)
        .map_err(|e| ApiError::bad_json(e.to_string()))?;
    let mut de = serde_json::Deserializer::from_slice(body);
    let value: T = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let mut err = ApiError::bad_json(inner.to_string());
        if path != "." {
            err = err.with_field(path);
        }
        err.line = (inner.line() > 0).then_some(inner.line());
        err.column = (inner.column() > 0).then_some(inner.column());
        err
    })?;
    de.end()
        .map_err(|e| ApiError::bad_json(format!("{e} after the JSON value")))?;
    Ok(value)
}

/// Runs `f` with the screener on the blocking pool: screening and the
/// store write to files.
async fn blocking<T: Send + 'static>(
    app: &Arc<App>,
    f: impl FnOnce(&Screener) -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    let screener = app.screener()?;
    tokio::task::spawn_blocking(move || f(&screener))
        .await
        .map_err(|e| ApiError::internal(format!("the request's task failed: {e}")))?
}

/// Screens one transaction.
#[utoipa::path(
    post, path = "/v1/screen", tag = "screening",
    request_body(content = Transaction, description = "One transaction."),
    responses(
        (status = 200, description = "The decision, every reason explained.", body = Decision),
        (status = 400, description = "The body is not a transaction (`json`, with the field).", body = ApiError),
        (status = 401, description = "No or unknown API token.", body = ApiError),
        (status = 403, description = "The token lacks the `screen` role.", body = ApiError),
        (status = 409, description = "The id was used before for another transaction (`reused_id`).", body = ApiError),
        (status = 413, description = "The body is larger than `server.max_body_bytes`.", body = ApiError),
        (status = 422, description = "A field is unreadable or out of bounds (`invalid_transaction`).", body = ApiError),
        (status = 500, description = "An internal error (`internal`): no decision; do not act on the transaction.", body = ApiError),
        (status = 503, description = "`not_ready`, `overloaded`, `store`/`audit`/`state` (the decision could not be recorded) or `timeout` (outcome unknown): hold the transaction and retry with the same id.", body = ApiError),
    ),
    security(("token" = ["screen"]))
)]
pub(crate) async fn screen(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<Decision>, ApiError> {
    app.authorize(&headers, Role::Screen)?;
    let body = body.map_err(body_error)?;
    let started = Instant::now();
    let tx = Transaction::from_json(utf8(&body)?).map_err(|e| {
        let err = ApiError::from(&e);
        app.metrics.failed(&err.kind, started.elapsed());
        err
    })?;
    // grouped with whatever else is being screened (group commit)
    let decision = match app.batcher()?.screen(tx).await {
        Ok(Ok(outcome)) => outcome.map_err(ApiError::from),
        Ok(Err(internal)) => Err(ApiError::internal(internal)),
        Err(super::batcher::Refused::Overloaded) => Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "overloaded",
            "too many transactions waiting; retry with the same id",
        )),
        Err(super::batcher::Refused::Stopped) => Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "not_ready",
            "the service is stopping",
        )),
    };
    match &decision {
        Ok(d) => app.metrics.decided(d, started.elapsed()),
        Err(e) => app.metrics.failed(&e.kind, started.elapsed()),
    }
    decision.map(Json)
}

/// One entry of a batch's answer that is not a decision.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct BatchError {
    /// The transaction's place in the batch, from 0.
    pub index: usize,
    /// Its line in a JSON-lines body, from 1.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    /// Its id, when it could be read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transaction_id: Option<String>,
    /// Why it was not screened.
    pub error: ApiError,
}

/// One entry of a batch's answer.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(untagged)]
pub enum BatchEntry {
    /// A decision.
    Decision(Box<Decision>),
    /// A transaction that could not be screened.
    Error(BatchError),
}

/// Screens many transactions, in input order.
///
/// The body is a JSON array of transactions (`Content-Type:
/// application/json`) or JSON lines (`application/x-ndjson`), at most
/// `server.max_batch` of them. The answer has one entry per transaction in
/// input order, as the body was given (an array, or one JSON line each),
/// streamed as each step of 1,024 is recorded. A transaction that cannot be
/// screened is an error entry in its place; the others are screened.
#[utoipa::path(
    post, path = "/v1/screen/batch", tag = "screening",
    request_body(content = Vec<Transaction>, description = "Transactions, as a JSON array (or JSON lines with Content-Type application/x-ndjson)."),
    responses(
        (status = 200, description = "One entry per transaction, in input order: a decision or an error entry.", body = Vec<BatchEntry>),
        (status = 400, description = "The body is not a JSON array (or not UTF-8).", body = ApiError),
        (status = 401, description = "No or unknown API token.", body = ApiError),
        (status = 403, description = "The token lacks the `screen` role.", body = ApiError),
        (status = 413, description = "More transactions than `server.max_batch`, or a body over `server.max_body_bytes`.", body = ApiError),
        (status = 503, description = "Not ready or timed out.", body = ApiError),
    ),
    security(("token" = ["screen"]))
)]
pub(crate) async fn screen_batch(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    app.authorize(&headers, Role::Screen)?;
    let body = body.map_err(body_error)?;
    let screener = app.screener()?;
    let lines = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            let v = v.to_ascii_lowercase();
            v.starts_with("application/x-ndjson")
                || v.starts_with("application/jsonl")
                || v.starts_with("application/json-lines")
        });
    let max = app.server.max_batch;
    let items = if lines {
        split_lines(&body, max)
    } else {
        split_array(&body, max)?
    };
    let items = items.map_err(|max| {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "batch_too_large",
            format!("more than server.max_batch ({max}) transactions"),
        )
    })?;
    let (sender, receiver) = tokio::sync::mpsc::channel::<Result<Bytes, std::io::Error>>(2);
    let app_for_task = Arc::clone(&app);
    tokio::spawn(async move {
        let app = app_for_task;
        if !lines && sender.send(Ok(Bytes::from_static(b"["))).await.is_err() {
            return;
        }
        let mut first = true;
        let mut items = items.into_iter().enumerate().peekable();
        while items.peek().is_some() {
            let step: Vec<(usize, Item)> = items.by_ref().take(BATCH_STEP).collect();
            let places: Vec<(usize, Option<usize>)> =
                step.iter().map(|(i, item)| (*i, item.line)).collect();
            let screener = Arc::clone(&screener);
            let app2 = Arc::clone(&app);
            let rendered = tokio::task::spawn_blocking(move || {
                screen_step(&app2, &screener, step, lines)
            })
            .await
            .unwrap_or_else(|e| {
                // one error entry per transaction of the step, in its place
                let error = ApiError::internal(format!(
                    "screening this part of the batch failed ({e}): no decision; do not act on the transaction"
                ));
                places
                    .iter()
                    .map(|&(index, line)| {
                        serde_json::to_string(&BatchError {
                            index,
                            line,
                            transaction_id: None,
                            error: error.clone(),
                        })
                        .unwrap_or_default()
                    })
                    .collect()
            });
            let mut chunk = String::new();
            for entry in rendered {
                if lines {
                    chunk.push_str(&entry);
                    chunk.push('\n');
                } else {
                    if !first {
                        chunk.push(',');
                    }
                    chunk.push_str(&entry);
                }
                first = false;
            }
            if sender.send(Ok(Bytes::from(chunk))).await.is_err() {
                // the client left: what was screened is recorded; the
                // rest is not screened
                return;
            }
        }
        if !lines {
            let _ = sender.send(Ok(Bytes::from_static(b"]"))).await;
        }
    });
    let stream = tokio_stream::wrappers::ReceiverStream::new(receiver);
    let content_type = if lines {
        "application/x-ndjson"
    } else {
        "application/json"
    };
    Ok((
        [(header::CONTENT_TYPE, content_type)],
        Body::from_stream(stream),
    )
        .into_response())
}

/// One transaction of a batch as given: its bytes, and its line in a
/// JSON-lines body.
pub(crate) struct Item {
    bytes: Bytes,
    line: Option<usize>,
}

/// The non-blank lines of a JSON-lines body; `Err` when there are more
/// than `max`.
fn split_lines(body: &Bytes, max: usize) -> Result<Vec<Item>, usize> {
    let mut out = Vec::new();
    let mut start = 0usize;
    for (number, piece) in body.split(|&b| b == b'\n').enumerate() {
        let end = start + piece.len();
        let trimmed = piece.strip_suffix(b"\r").unwrap_or(piece);
        if !trimmed.iter().all(u8::is_ascii_whitespace) {
            if out.len() == max {
                return Err(max);
            }
            out.push(Item {
                bytes: body.slice(start..start + trimmed.len()),
                line: Some(number + 1),
            });
        }
        start = end + 1;
    }
    Ok(out)
}

/// Reads a JSON array's elements unparsed, refusing more than `.0`.
struct Elements(usize);

const TOO_MANY: &str = "more elements than server.max_batch";

impl<'de> serde::de::DeserializeSeed<'de> for Elements {
    type Value = Vec<&'de serde_json::value::RawValue>;
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> serde::de::Visitor<'de> for Elements {
    type Value = Vec<&'de serde_json::value::RawValue>;
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON array of transactions")
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut out = Vec::new();
        while let Some(element) = seq.next_element::<&'de serde_json::value::RawValue>()? {
            if out.len() == self.0 {
                return Err(serde::de::Error::custom(TOO_MANY));
            }
            out.push(element);
        }
        Ok(out)
    }
}

/// The elements of a JSON array body, each as its own text; `Ok(Err)`
/// when there are more than `max`. Each element's depth is checked when
/// it is read as a transaction, so one deep element is an error entry in
/// its place (serde_json's own limit of 128 still refuses the whole body
/// past that).
fn split_array(body: &Bytes, max: usize) -> Result<Result<Vec<Item>, usize>, ApiError> {
    use serde::de::DeserializeSeed;
    let text = utf8(body)?;
    let mut de = serde_json::Deserializer::from_str(text);
    let raw = match Elements(max)
        .deserialize(&mut de)
        .and_then(|raw| de.end().map(|()| raw))
    {
        Ok(raw) => raw,
        Err(e) if e.to_string().starts_with(TOO_MANY) => return Ok(Err(max)),
        Err(e) => {
            let mut err = ApiError::bad_json(format!(
                "{e}: a batch is a JSON array of transactions (or JSON lines with Content-Type: application/x-ndjson)"
            ));
            err.line = (e.line() > 0).then_some(e.line());
            err.column = (e.column() > 0).then_some(e.column());
            return Err(err);
        }
    };
    let base = text.as_ptr() as usize;
    Ok(Ok(raw
        .into_iter()
        .map(|r| {
            // each element is a slice of the body: no copy
            let offset = (r.get().as_ptr() as usize).saturating_sub(base);
            Item {
                bytes: body.slice(offset..offset + r.get().len()),
                line: None,
            }
        })
        .collect()))
}

/// A batch item read: its index, its line, and its transaction's place
/// among those read (or its id, when readable, and why it was not read).
type Parsed = (
    usize,
    Option<usize>,
    Result<usize, (Option<String>, ApiError)>,
);

/// Screens one step of a batch; one rendered entry per item, in order.
fn screen_step(
    app: &App,
    screener: &Screener,
    step: Vec<(usize, Item)>,
    lines: bool,
) -> Vec<String> {
    let started = Instant::now();
    let mut txs = Vec::with_capacity(step.len());
    let parsed: Vec<Parsed> = step
        .into_iter()
        .map(|(index, item)| {
            let mut id = None;
            let outcome = utf8(&item.bytes).and_then(|text| {
                Transaction::from_json(text).map_err(|e| {
                    id = crate::limits::readable_id(text.as_bytes());
                    let mut err = ApiError::from(&e);
                    if !lines {
                        // positions within the element, not the body
                        err.line = None;
                        err.column = None;
                    }
                    err
                })
            });
            let outcome = match outcome {
                Ok(tx) => {
                    txs.push(tx);
                    Ok(txs.len() - 1)
                }
                Err(e) => Err((id, e)),
            };
            (index, item.line, outcome)
        })
        .collect();
    let decisions = screener.screen_batch_ordered(&txs, BatchOrder::Arrival);
    let per = started.elapsed() / u32::try_from(parsed.len().max(1)).unwrap_or(u32::MAX);
    parsed
        .into_iter()
        .map(|(index, line, outcome)| {
            let entry = match outcome {
                Ok(k) => match decisions.get(k) {
                    Some(Ok(d)) => {
                        app.metrics.decided(d, per);
                        return serde_json::to_string(d).unwrap_or_default();
                    }
                    Some(Err(e)) => BatchError {
                        index,
                        line,
                        transaction_id: txs.get(k).map(|t| t.id.clone()),
                        error: ApiError::from(e),
                    },
                    None => BatchError {
                        index,
                        line,
                        transaction_id: None,
                        error: ApiError::internal("no decision returned"),
                    },
                },
                Err((id, error)) => BatchError {
                    index,
                    line: if lines { line } else { None },
                    transaction_id: id,
                    error,
                },
            };
            app.metrics.failed(&entry.error.kind, per);
            serde_json::to_string(&entry).unwrap_or_default()
        })
        .collect()
}

/// A name to screen against the lists.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MatchRequest {
    /// The name, in any script.
    #[schema(min_length = 1, max_length = 1024)]
    pub name: String,
    /// `person` or `organization`; absent: either.
    #[serde(default)]
    pub kind: Option<PartyKind>,
    /// Date of birth (`YYYY-MM-DD`, `YYYY-MM`, `YYYY`): corroborates or
    /// rules out a hit.
    #[serde(default)]
    pub birth_date: Option<String>,
    /// Country (ISO code or name).
    #[serde(default)]
    pub country: Option<String>,
    /// Lowest score returned (default: the review threshold), 0–1.
    #[serde(default)]
    #[schema(minimum = 0.0, maximum = 1.0)]
    pub threshold: Option<f64>,
    /// Most hits returned (default 10, at most 100).
    #[serde(default)]
    #[schema(minimum = 1, maximum = 100)]
    pub limit: Option<usize>,
}

/// A list entry a name met.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MatchHit {
    /// Score, 0–1.
    pub score: f64,
    /// The entry (`list:id`).
    pub entity_id: String,
    /// The list it is on.
    pub list: String,
    /// The entry's name (or alias) the query met.
    pub matched_name: String,
    /// The entry's primary name.
    pub entity_name: String,
    /// Whether the names are equal once normalised.
    pub exact: bool,
    /// How the names align, word by word.
    pub explanation: String,
    /// What the birth dates say: `confirms`, `differs`, `unknown`, …
    pub birth_date: String,
    /// The entry as a reviewer reads it.
    pub printed: String,
}

/// The hits of a name.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MatchResponse {
    /// Hits at or above the threshold, best first.
    pub hits: Vec<MatchHit>,
    /// The threshold applied.
    pub threshold: f64,
}

/// Screens a name against every list (onboarding checks).
#[utoipa::path(
    post, path = "/v1/match", tag = "screening",
    request_body = MatchRequest,
    responses(
        (status = 200, description = "Hits, best first.", body = MatchResponse),
        (status = 400, description = "The body does not fit (`json`, with the field).", body = ApiError),
        (status = 401, description = "No or unknown API token.", body = ApiError),
        (status = 403, description = "The token lacks the `screen` role.", body = ApiError),
        (status = 413, description = "The body is too large.", body = ApiError),
        (status = 422, description = "A value is out of bounds.", body = ApiError),
        (status = 503, description = "Not ready or timed out.", body = ApiError),
    ),
    security(("token" = ["screen"]))
)]
pub(crate) async fn match_name(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<MatchResponse>, ApiError> {
    app.authorize(&headers, Role::Screen)?;
    let body = body.map_err(body_error)?;
    let req: MatchRequest = json_body(&body)?;
    let invalid = |field: &str, message: &str| {
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_request", message)
            .with_field(field)
    };
    if req.name.trim().is_empty() {
        return Err(invalid("name", "empty name"));
    }
    if req.name.chars().count() > crate::limits::MAX_NAME_CHARS {
        return Err(invalid("name", "name longer than the limit"));
    }
    if let Some(t) = req.threshold {
        if !(0.0..=1.0).contains(&t) || t.is_nan() {
            return Err(invalid("threshold", "a score between 0 and 1"));
        }
    }
    let limit = req.limit.unwrap_or(10);
    if !(1..=100).contains(&limit) {
        return Err(invalid("limit", "between 1 and 100"));
    }
    let response = blocking(&app, move |s| {
        let engine = s.engine();
        let threshold = req.threshold.unwrap_or(engine.matching().review_threshold);
        let query = NameQuery {
            name: &req.name,
            kind: req.kind,
            birth_date: req.birth_date.as_deref(),
            country: req.country.as_deref(),
        };
        let hits = engine
            .match_name(&query, threshold, limit)
            .into_iter()
            .map(|(hit, entity)| MatchHit {
                score: hit.score,
                entity_id: entity.id.clone(),
                list: entity.list.clone(),
                matched_name: entity
                    .names()
                    .nth(hit.name_index)
                    .map_or_else(|| entity.name.clone(), |(n, _)| n.to_owned()),
                entity_name: entity.name.clone(),
                exact: hit.exact,
                explanation: hit.explanation.clone(),
                birth_date: serde_json::to_value(hit.birth_date)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default(),
                printed: engine
                    .printed_entry(&entity.id)
                    .unwrap_or_default()
                    .to_owned(),
            })
            .collect();
        Ok(MatchResponse { hits, threshold })
    })
    .await?;
    Ok(Json(response))
}

/// How many of the newest cases a `reason` filter looks through.
const REASON_SCAN: usize = 10_000;

/// Which cases to list.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CasesQuery {
    /// `open`, `in_review` or `closed`.
    #[param(inline)]
    pub status: Option<CaseStatus>,
    /// Only this customer's.
    pub customer: Option<String>,
    /// Only cases with a reason of this kind (`sanctions_name`,
    /// `platform`, `rule`, …) or this rule id, among the newest 10,000.
    pub reason: Option<String>,
    /// At most this many, newest first (default 100, at most 1000).
    pub limit: Option<usize>,
}

fn path_error(e: PathRejection) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, "path", e.body_text())
}

fn query_error(e: QueryRejection) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, "query", e.body_text())
}

/// Cases, newest first.
#[utoipa::path(
    get, path = "/v1/cases", tag = "review",
    params(CasesQuery),
    responses(
        (status = 200, description = "Cases matching the filter, newest first, each with its decision, list entries and actions.", body = Vec<Case>),
        (status = 400, description = "A parameter does not parse.", body = ApiError),
        (status = 401, description = "No or unknown API token.", body = ApiError),
        (status = 403, description = "The token lacks the `review` role.", body = ApiError),
        (status = 503, description = "Not ready, or the store could not be read.", body = ApiError),
    ),
    security(("token" = ["review"]))
)]
pub(crate) async fn list_cases(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    query: Result<Query<CasesQuery>, QueryRejection>,
) -> Result<Json<Vec<Case>>, ApiError> {
    app.authorize(&headers, Role::Review)?;
    let Query(q) = query.map_err(query_error)?;
    let limit = q.limit.unwrap_or(100).clamp(1, 1000);
    let cases = blocking(&app, move |s| {
        let reason = q.reason.filter(|r| !r.is_empty());
        let filter = CaseFilter {
            status: q.status,
            customer_id: q.customer.filter(|c| !c.is_empty()),
            since: None,
            // a reason filter reads past the limit to fill it, among the
            // newest REASON_SCAN cases
            limit: Some(if reason.is_some() { REASON_SCAN } else { limit }),
        };
        let mut cases = s.cases(&filter)?;
        if let Some(reason) = reason {
            cases.retain(|c| {
                c.decision
                    .reasons
                    .iter()
                    .any(|f| f.rule_id == reason || f.kind.as_str() == reason)
            });
            cases.truncate(limit);
        }
        Ok(cases)
    })
    .await?;
    Ok(Json(cases))
}

fn case_id(text: &str) -> Result<u64, ApiError> {
    text.parse::<u64>().map_err(|_| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "path",
            format!(
                "case id '{}' is not a number",
                text.chars().take(40).collect::<String>()
            ),
        )
        .with_field("id")
    })
}

/// One case with its actions.
#[utoipa::path(
    get, path = "/v1/cases/{id}", tag = "review",
    params(("id" = u64, Path, description = "The case number.")),
    responses(
        (status = 200, description = "The case.", body = Case),
        (status = 400, description = "The id is not a number.", body = ApiError),
        (status = 401, description = "No or unknown API token.", body = ApiError),
        (status = 403, description = "The token lacks the `review` role.", body = ApiError),
        (status = 404, description = "No such case.", body = ApiError),
        (status = 503, description = "Not ready, or the store could not be read.", body = ApiError),
    ),
    security(("token" = ["review"]))
)]
pub(crate) async fn get_case(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    id: Result<Path<String>, PathRejection>,
) -> Result<Json<Case>, ApiError> {
    app.authorize(&headers, Role::Review)?;
    let Path(id) = id.map_err(path_error)?;
    let id = case_id(&id)?;
    let case = blocking(&app, move |s| Ok(s.case(id)?)).await?;
    case.map(Json)
        .ok_or_else(|| ApiError::not_found(format!("no case {id}")))
}

/// A reviewer's outcome for a case.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResolveRequest {
    /// `false_positive` (released; its name hits cleared for this
    /// subject), `confirmed`, `reported` or `escalated`.
    pub outcome: Outcome,
    /// Why: kept with the case and in the audit chain.
    #[schema(min_length = 1, max_length = 10000, pattern = r"\S")]
    pub note: String,
    /// The reviewer, only when the service runs without tokens (with
    /// tokens, the token's name is the reviewer).
    #[serde(default)]
    pub reviewer: Option<String>,
}

/// What resolving did.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ActionsResponse {
    /// Every action taken, the reviewer's first (a freeze the policy
    /// makes follows it).
    pub actions: Vec<StaffAction>,
}

fn reviewer(caller: &super::auth::Caller, given: Option<String>) -> Result<String, ApiError> {
    let name = match given {
        Some(name) if caller.open => name,
        _ => caller.name.clone(),
    };
    let name = name.trim().to_owned();
    if name.is_empty() || name.len() > 200 || name.chars().any(char::is_control) {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_request",
            "reviewer: 1–200 printable characters",
        )
        .with_field("reviewer"));
    }
    Ok(name)
}

fn note(text: &str) -> Result<String, ApiError> {
    if text.trim().is_empty() || text.chars().count() > 10_000 {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_request",
            "a note saying why is required (at most 10,000 characters)",
        )
        .with_field("note"));
    }
    Ok(text.to_owned())
}

/// Resolves a case.
#[utoipa::path(
    post, path = "/v1/cases/{id}/resolve", tag = "review",
    params(("id" = u64, Path, description = "The case number.")),
    request_body = ResolveRequest,
    responses(
        (status = 200, description = "The actions taken, the reviewer's first.", body = ActionsResponse),
        (status = 400, description = "The body or id does not parse.", body = ApiError),
        (status = 401, description = "No or unknown API token.", body = ApiError),
        (status = 403, description = "The token lacks the `review` role.", body = ApiError),
        (status = 404, description = "No such case.", body = ApiError),
        (status = 409, description = "The case is already closed (`refused`).", body = ApiError),
        (status = 413, description = "The body is too large.", body = ApiError),
        (status = 422, description = "No note, or a bad reviewer.", body = ApiError),
        (status = 503, description = "Not ready, or the store or audit log refused the action: nothing was done.", body = ApiError),
    ),
    security(("token" = ["review"]))
)]
pub(crate) async fn resolve_case(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    id: Result<Path<String>, PathRejection>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<ActionsResponse>, ApiError> {
    let caller = app.authorize(&headers, Role::Review)?;
    let Path(id) = id.map_err(path_error)?;
    let id = case_id(&id)?;
    let body = body.map_err(body_error)?;
    let req: ResolveRequest = json_body(&body)?;
    let reviewer = reviewer(&caller, req.reviewer)?;
    let note = note(&req.note)?;
    let actions = blocking(&app, move |s| {
        if s.case(id)?.is_none() {
            return Err(ApiError::not_found(format!("no case {id}")));
        }
        Ok(s.resolve_case(id, req.outcome, &reviewer, &note)?)
    })
    .await?;
    Ok(Json(ActionsResponse { actions }))
}

fn customer_id(text: &str) -> Result<String, ApiError> {
    let id = text.trim();
    if id.is_empty() || id.len() > 256 || id.chars().any(char::is_control) {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "path",
            "a customer id is 1–256 printable characters",
        )
        .with_field("id"));
    }
    Ok(id.to_owned())
}

/// A customer as the service shows it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CustomerView {
    /// Status, and what set it.
    pub customer: CustomerRecord,
    /// The registered profile, when the customer was registered.
    pub profile: Option<Customer>,
    /// The latest risk rating with every factor's part, when rated.
    #[schema(value_type = Option<Object>)]
    pub rating: Option<serde_json::Value>,
    /// The customer's cases, newest first (at most 100).
    pub cases: Vec<Case>,
}

/// A customer: status, profile, rating and cases.
#[utoipa::path(
    get, path = "/v1/customers/{id}", tag = "review",
    params(("id" = String, Path, description = "The customer id.")),
    responses(
        (status = 200, description = "The customer (status `normal` and no profile when nothing is known).", body = CustomerView),
        (status = 400, description = "The id is not readable.", body = ApiError),
        (status = 401, description = "No or unknown API token.", body = ApiError),
        (status = 403, description = "The token lacks the `review` role.", body = ApiError),
        (status = 503, description = "Not ready, or the store could not be read.", body = ApiError),
    ),
    security(("token" = ["review"]))
)]
pub(crate) async fn get_customer(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    id: Result<Path<String>, PathRejection>,
) -> Result<Json<CustomerView>, ApiError> {
    app.authorize(&headers, Role::Review)?;
    let Path(id) = id.map_err(path_error)?;
    let id = customer_id(&id)?;
    let view = blocking(&app, move |s| {
        let rating = s
            .customer_rating(&id)?
            .and_then(|r| serde_json::to_value(r).ok());
        Ok(CustomerView {
            customer: s.customer(&id)?,
            profile: s.registered_customer(&id)?,
            rating,
            cases: s.cases(&CaseFilter {
                customer_id: Some(id.clone()),
                limit: Some(100),
                ..CaseFilter::default()
            })?,
        })
    })
    .await?;
    Ok(Json(view))
}

/// Registers (or updates) a customer and screens the profile.
#[utoipa::path(
    put, path = "/v1/customers/{id}", tag = "review",
    params(("id" = String, Path, description = "The customer id; the body's `id`, when given, must be the same.")),
    request_body(content = Customer, description = "The customer's profile, as one line of `customers import`."),
    responses(
        (status = 200, description = "What registering did: screened or unchanged, cases opened.", body = ImportReport),
        (status = 400, description = "The body or id does not parse.", body = ApiError),
        (status = 401, description = "No or unknown API token.", body = ApiError),
        (status = 403, description = "The token lacks the `review` role.", body = ApiError),
        (status = 413, description = "The body is too large.", body = ApiError),
        (status = 422, description = "A field is unreadable (`invalid_customer`, with the field).", body = ApiError),
        (status = 503, description = "Not ready, or the store could not be written.", body = ApiError),
    ),
    security(("token" = ["review"]))
)]
pub(crate) async fn put_customer(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    id: Result<Path<String>, PathRejection>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<ImportReport>, ApiError> {
    app.authorize(&headers, Role::Review)?;
    let Path(id) = id.map_err(path_error)?;
    let id = customer_id(&id)?;
    let body = body.map_err(body_error)?;
    let mut value: serde_json::Value = json_body(&body)?;
    let Some(object) = value.as_object_mut() else {
        return Err(ApiError::bad_json("a customer is a JSON object"));
    };
    match object.get("id") {
        None => {
            object.insert("id".into(), serde_json::Value::String(id.clone()));
        }
        Some(serde_json::Value::String(given)) if given.trim() == id => {
            object.insert("id".into(), serde_json::Value::String(id.clone()));
        }
        Some(_) => {
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_customer",
                format!("the body's id is not the path's '{id}'"),
            )
            .with_field("id"))
        }
    }
    let line = serde_json::to_vec(&value).map_err(|e| ApiError::internal(e.to_string()))?;
    let read = customers::parse_jsonl(&line, std::path::Path::new("request"));
    if let Some(bad) = read.bad.first() {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_customer",
            bad.message.clone(),
        )
        .with_field(bad.field.clone()));
    }
    let customers: Vec<Customer> = read.customers.into_iter().map(|(_, c)| c).collect();
    let report = blocking(&app, move |s| Ok(s.import_customers(&customers)?)).await?;
    Ok(Json(report))
}

/// Why a customer's status is set.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusRequest {
    /// Why: kept with the status and in the audit chain.
    #[schema(min_length = 1, max_length = 10000, pattern = r"\S")]
    pub note: String,
    /// The reviewer, only when the service runs without tokens.
    #[serde(default)]
    pub reviewer: Option<String>,
}

async fn set_status(
    app: Arc<App>,
    headers: HeaderMap,
    id: Result<Path<String>, PathRejection>,
    body: Result<Bytes, BytesRejection>,
    status: CustomerStatus,
) -> Result<Json<ActionsResponse>, ApiError> {
    let caller = app.authorize(&headers, Role::Review)?;
    let Path(id) = id.map_err(path_error)?;
    let id = customer_id(&id)?;
    let body = body.map_err(body_error)?;
    let req: StatusRequest = json_body(&body)?;
    let reviewer = reviewer(&caller, req.reviewer)?;
    let note = note(&req.note)?;
    let action = blocking(&app, move |s| {
        Ok(s.set_customer_status(&id, status, &reviewer, &note)?)
    })
    .await?;
    Ok(Json(ActionsResponse {
        actions: vec![action],
    }))
}

macro_rules! status_endpoint {
    ($fn:ident, $path:literal, $status:expr, $what:literal) => {
        #[doc = $what]
        #[utoipa::path(
            post, path = $path, tag = "review",
            params(("id" = String, Path, description = "The customer id.")),
            request_body = StatusRequest,
            responses(
                (status = 200, description = "The action taken.", body = ActionsResponse),
                (status = 400, description = "The body or id does not parse.", body = ApiError),
                (status = 401, description = "No or unknown API token.", body = ApiError),
                (status = 403, description = "The token lacks the `review` role.", body = ApiError),
                (status = 413, description = "The body is too large.", body = ApiError),
                (status = 422, description = "No note, or a bad reviewer.", body = ApiError),
                (status = 503, description = "Not ready, or the store or audit log refused the action: nothing was done.", body = ApiError),
            ),
            security(("token" = ["review"]))
        )]
        pub(crate) async fn $fn(
            State(app): State<Arc<App>>,
            headers: HeaderMap,
            id: Result<Path<String>, PathRejection>,
            body: Result<Bytes, BytesRejection>,
        ) -> Result<Json<ActionsResponse>, ApiError> {
            set_status(app, headers, id, body, $status).await
        }
    };
}

status_endpoint!(
    freeze,
    "/v1/customers/{id}/freeze",
    CustomerStatus::Frozen,
    "Freezes a customer's account: every transaction blocked."
);
status_endpoint!(
    unfreeze,
    "/v1/customers/{id}/unfreeze",
    CustomerStatus::Normal,
    "Unfreezes a customer's account (status `normal`)."
);
status_endpoint!(
    enhance,
    "/v1/customers/{id}/enhance",
    CustomerStatus::Enhanced,
    "Puts a customer under enhanced due diligence: every outgoing transfer held."
);

/// A list in force.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ListInfo {
    /// The loader (`un_xml`, `ofac_sdn_xml`, …).
    pub source: String,
    /// The file read.
    pub path: String,
    /// The publication date or version the file gives.
    pub version: Option<String>,
    /// The list's date: its publication date, or without one the file's
    /// modification date.
    pub date: Option<DateTime<Utc>>,
    /// Seconds since `date`.
    pub age_seconds: Option<i64>,
    /// Older than `server.stale_after` (or of unknown age).
    pub stale: bool,
    /// Entries loaded.
    pub entities: usize,
    /// Names (primary and aliases).
    pub names: usize,
    /// Crypto addresses.
    pub addresses: usize,
    /// Malformed records skipped.
    pub skipped: usize,
    /// SHA-256 of the file.
    pub sha256: String,
}

/// The lists and rules in force.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ListsResponse {
    /// The engine id (lists, rules and settings in force).
    pub engine: String,
    /// When this engine was put in force.
    pub in_force_since: DateTime<Utc>,
    /// Each list.
    pub lists: Vec<ListInfo>,
    /// Whether any list is stale.
    pub any_stale: bool,
}

/// The lists in force: version, date, entries, age; stale ones flagged.
#[utoipa::path(
    get, path = "/v1/lists", tag = "admin",
    responses(
        (status = 200, description = "The lists in force.", body = ListsResponse),
        (status = 401, description = "No or unknown API token.", body = ApiError),
        (status = 403, description = "The token lacks the `admin` role.", body = ApiError),
        (status = 503, description = "Not ready.", body = ApiError),
    ),
    security(("token" = ["admin"]))
)]
pub(crate) async fn lists(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
) -> Result<Json<ListsResponse>, ApiError> {
    app.authorize(&headers, Role::Admin)?;
    let screener = app.screener()?;
    Ok(Json(app.lists_in_force(&screener)))
}

/// What a reload did.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ReloadResponse {
    /// The engine in force now.
    pub engine: String,
    /// The engine before.
    pub previous: String,
    /// Whether lists or rules changed.
    pub changed: bool,
}

/// Reloads lists and rules from the config file. On failure the engine in
/// force stays and keeps screening; the error says why.
#[utoipa::path(
    post, path = "/v1/reload", tag = "admin",
    responses(
        (status = 200, description = "The new engine is in force.", body = ReloadResponse),
        (status = 401, description = "No or unknown API token.", body = ApiError),
        (status = 403, description = "The token lacks the `admin` role.", body = ApiError),
        (status = 422, description = "The config, a list or a rule file was refused (`config`, `list`, `rules`, `list_cache`); the engine in force stays.", body = ApiError),
        (status = 503, description = "Not ready (the engine is still being built).", body = ApiError),
    ),
    security(("token" = ["admin"]))
)]
pub(crate) async fn reload(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
) -> Result<Json<ReloadResponse>, ApiError> {
    app.authorize(&headers, Role::Admin)?;
    let app2 = Arc::clone(&app);
    let (previous, engine) = blocking(&app, move |_| app2.reload()).await?;
    Ok(Json(ReloadResponse {
        changed: previous != engine,
        engine,
        previous,
    }))
}

/// Liveness.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Health {
    /// `ok`, `ready`, `starting`, or `degraded` (the customer history
    /// cannot be reached: transactions are held, or blocked or refused, as
    /// `state.redis.on_unavailable` says, until it answers again).
    pub status: String,
    /// The engine in force, once there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub engine: Option<String>,
    /// Where the customer history is kept and whether it answers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub history: Option<crate::state::BackendHealth>,
    /// Decisions waiting in the case store's spool for the database to
    /// come back (`degraded` while there are any).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub spooled: Option<usize>,
}

/// Alive: the process answers.
#[utoipa::path(
    get, path = "/healthz", tag = "operations",
    responses((status = 200, description = "The process answers; `degraded` when the customer history cannot be reached.", body = Health))
)]
pub(crate) async fn healthz(State(app): State<Arc<App>>) -> Json<Health> {
    let screener = app.screener().ok();
    let history = screener.as_ref().map(|s| s.history_health());
    let spooled = screener.as_ref().map(|s| s.spooled_decisions());
    let degraded = history.as_ref().is_some_and(|h| !h.available) || spooled.unwrap_or(0) > 0;
    Json(Health {
        status: if degraded { "degraded" } else { "ok" }.into(),
        engine: None,
        history,
        spooled,
    })
}

/// Ready: the engine is built and screening (a failed reload keeps the
/// service ready on the engine in force).
#[utoipa::path(
    get, path = "/readyz", tag = "operations",
    responses(
        (status = 200, description = "Screening.", body = Health),
        (status = 503, description = "The engine is being built.", body = Health),
    )
)]
pub(crate) async fn readyz(State(app): State<Arc<App>>) -> Response {
    match app.screener().ok().filter(|_| app.is_ready()) {
        Some(s) => {
            // still ready when the history is away: transactions are held,
            // not lost, and taking every instance out would stop screening
            let history = s.history_health();
            let spooled = s.spooled_decisions();
            Json(Health {
                status: if history.available && spooled == 0 {
                    "ready"
                } else {
                    "degraded"
                }
                .into(),
                engine: Some(s.version()),
                history: Some(history),
                spooled: Some(spooled),
            })
            .into_response()
        }
        None => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(Health {
                status: "starting".into(),
                engine: None,
                history: None,
                spooled: None,
            }),
        )
            .into_response(),
    }
}

/// Prometheus metrics.
#[utoipa::path(
    get, path = "/metrics", tag = "operations",
    responses((status = 200, description = "The Prometheus text format: decisions by action and reason kind, screen latency histogram, list ages, reloads and failures, cases waiting.", body = String, content_type = "text/plain"))
)]
pub(crate) async fn metrics(State(app): State<Arc<App>>) -> Response {
    let app2 = Arc::clone(&app);
    let text = tokio::task::spawn_blocking(move || app2.render_metrics())
        .await
        .unwrap_or_default();
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        text,
    )
        .into_response()
}
