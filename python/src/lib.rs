//! `amlscreen` for Python: a [`amlscreen::Screener`] behind a small class.
//!
//! Transactions go in as dicts (or JSON text) and are read by the library's
//! own parser, so a bad field raises the same error, with the same `kind`
//! and field, as the CLI and the HTTP service give. Decisions come back as
//! dicts. The GIL is released while screening, so Python threads screen in
//! parallel.

use std::path::PathBuf;

use pyo3::create_exception;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList, PyString};

use amlscreen::{BatchOrder, Config, Error, NameQuery, PartyKind, Screener as Inner, Transaction};

create_exception!(
    _amlscreen,
    AmlscreenError,
    PyException,
    "An error of the engine: `kind` (stable: json, invalid_transaction, reused_id, config, list, rules, audit, store, state, list_cache, refused), `field` and `message`."
);

/// The exception for a library error, with `kind`, `field`, `line`,
/// `column` and `message` attributes.
fn raise(py: Python<'_>, e: &Error) -> PyErr {
    let err = AmlscreenError::new_err(e.to_string());
    let value = err.value(py);
    let (line, column) = e.json_position().unwrap_or((None, None));
    let _ = value.setattr("kind", e.code());
    let _ = value.setattr("field", e.field());
    let _ = value.setattr("line", line);
    let _ = value.setattr("column", column);
    let _ = value.setattr("message", e.to_string());
    err
}

fn usage(py: Python<'_>, kind: &str, field: Option<&str>, message: String) -> PyErr {
    let err = AmlscreenError::new_err(message.clone());
    let value = err.value(py);
    let _ = value.setattr("kind", kind);
    let _ = value.setattr("field", field);
    let _ = value.setattr("line", py.None());
    let _ = value.setattr("column", py.None());
    let _ = value.setattr("message", message);
    err
}

/// JSON text of a transaction given as a dict (or already as text).
fn json_text(
    py: Python<'_>,
    json: &Bound<'_, PyModule>,
    tx: &Bound<'_, PyAny>,
) -> PyResult<String> {
    if let Ok(text) = tx.downcast::<PyString>() {
        return text.extract::<String>();
    }
    if let Ok(bytes) = tx.downcast::<PyBytes>() {
        return std::str::from_utf8(bytes.as_bytes())
            .map(str::to_owned)
            .map_err(|e| {
                usage(
                    py,
                    "json",
                    None,
                    format!("not UTF-8 at byte {}", e.valid_up_to()),
                )
            });
    }
    if !tx.is_instance_of::<PyDict>() {
        return Err(usage(
            py,
            "json",
            None,
            format!(
                "a transaction is a dict (or JSON text), not {}",
                tx.get_type().name()?
            ),
        ));
    }
    // allow_nan=False: NaN is not JSON, and the parser would refuse it
    // anyway; ensure_ascii=False keeps names as written
    let kwargs = PyDict::new(py);
    kwargs.set_item("ensure_ascii", false)?;
    kwargs.set_item("allow_nan", false)?;
    json.call_method("dumps", (tx,), Some(&kwargs))
        .map_err(|e| usage(py, "json", None, format!("not serialisable as JSON: {e}")))?
        .extract()
}

fn to_python<T: serde::Serialize>(
    py: Python<'_>,
    json: &Bound<'_, PyModule>,
    value: &T,
) -> PyResult<PyObject> {
    let text =
        serde_json::to_string(value).map_err(|e| usage(py, "internal", None, e.to_string()))?;
    Ok(json.call_method1("loads", (text,))?.unbind())
}

/// The screener: the engine built from a config file (lists, rules,
/// audit log, case store), customer history in memory.
#[pyclass(frozen, module = "amlscreen._amlscreen")]
struct Screener {
    inner: Inner,
    config: PathBuf,
}

#[pymethods]
impl Screener {
    /// Builds the engine from the config file (`amlscreen.yaml`).
    #[new]
    fn new(py: Python<'_>, config_path: PathBuf) -> PyResult<Screener> {
        let path = config_path.clone();
        let built =
            py.allow_threads(move || Config::load(&path).and_then(|c| Inner::from_config(&c)));
        match built {
            Ok(inner) => Ok(Screener {
                inner,
                config: config_path,
            }),
            Err(e) => Err(raise(py, &e)),
        }
    }

    /// Screens one transaction (a dict, or JSON text): the decision as a
    /// dict. Raises `AmlscreenError` when it cannot be screened.
    fn screen(&self, py: Python<'_>, tx: &Bound<'_, PyAny>) -> PyResult<PyObject> {
        let json = py.import("json")?;
        let text = json_text(py, &json, tx)?;
        let outcome = py
            .allow_threads(|| Transaction::from_json(&text).and_then(|tx| self.inner.screen(&tx)));
        match outcome {
            Ok(decision) => to_python(py, &json, &decision),
            Err(e) => Err(raise(py, &e)),
        }
    }

    /// Screens a list of transactions in order, each customer's in arrival
    /// order: one entry per transaction, a decision dict or an error dict
    /// `{"index", "transaction_id"?, "error": {"kind", "message", "field"?}}`
    /// in its place.
    fn screen_batch(&self, py: Python<'_>, txs: &Bound<'_, PyList>) -> PyResult<Vec<PyObject>> {
        let json = py.import("json")?;
        let mut texts: Vec<Result<String, (String, String)>> = Vec::with_capacity(txs.len());
        for tx in txs.iter() {
            texts.push(json_text(py, &json, &tx).map_err(|e| {
                let v = e.value(py);
                let kind = v
                    .getattr("kind")
                    .and_then(|k| k.extract::<String>())
                    .unwrap_or_else(|_| "json".into());
                (kind, e.to_string())
            }));
        }
        // read, screen and serialise without the GIL
        let entries: Vec<String> = py.allow_threads(|| {
            let mut txs = Vec::new();
            let parsed: Vec<Result<usize, serde_json::Value>> = texts
                .iter()
                .enumerate()
                .map(|(index, text)| match text {
                    Ok(text) => match Transaction::from_json(text) {
                        Ok(tx) => {
                            txs.push(tx);
                            Ok(txs.len() - 1)
                        }
                        Err(e) => Err(error_entry(index, None, &e)),
                    },
                    Err((kind, message)) => Err(serde_json::json!({
                        "index": index, "error": {"kind": kind, "message": message}
                    })),
                })
                .collect();
            let decisions = self.inner.screen_batch_ordered(&txs, BatchOrder::Arrival);
            parsed
                .into_iter()
                .enumerate()
                .map(|(index, p)| match p {
                    Ok(k) => match decisions.get(k) {
                        Some(Ok(d)) => serde_json::to_string(d).unwrap_or_default(),
                        Some(Err(e)) => {
                            error_entry(index, txs.get(k).map(|t| t.id.as_str()), e).to_string()
                        }
                        None => serde_json::json!({
                            "index": index,
                            "error": {"kind": "internal", "message": "no decision returned"}
                        })
                        .to_string(),
                    },
                    Err(entry) => entry.to_string(),
                })
                .collect()
        });
        entries
            .into_iter()
            .map(|text| Ok(json.call_method1("loads", (text,))?.unbind()))
            .collect()
    }

    /// Screens a name against every list: hits at or above `threshold`
    /// (default: the review threshold), best first, at most `limit`.
    #[pyo3(signature = (name, *, kind=None, birth_date=None, country=None, threshold=None, limit=10))]
    #[allow(clippy::too_many_arguments)]
    fn r#match(
        &self,
        py: Python<'_>,
        name: &str,
        kind: Option<&str>,
        birth_date: Option<&str>,
        country: Option<&str>,
        threshold: Option<f64>,
        limit: i64,
    ) -> PyResult<PyObject> {
        let kind = match kind {
            None => None,
            Some("person") => Some(PartyKind::Person),
            Some("organization") | Some("organisation") => Some(PartyKind::Organization),
            Some(other) => {
                return Err(usage(
                    py,
                    "invalid_request",
                    Some("kind"),
                    format!("kind '{other}': person or organization"),
                ))
            }
        };
        if name.trim().is_empty() || name.chars().count() > amlscreen::limits::MAX_NAME_CHARS {
            return Err(usage(
                py,
                "invalid_request",
                Some("name"),
                format!(
                    "a name of 1 to {} characters",
                    amlscreen::limits::MAX_NAME_CHARS
                ),
            ));
        }
        if !(1..=100).contains(&limit) {
            return Err(usage(
                py,
                "invalid_request",
                Some("limit"),
                "between 1 and 100".into(),
            ));
        }
        if let Some(t) = threshold {
            if !(0.0..=1.0).contains(&t) {
                return Err(usage(
                    py,
                    "invalid_request",
                    Some("threshold"),
                    "a score between 0 and 1".into(),
                ));
            }
        }
        let hits = py.allow_threads(|| {
            let engine = self.inner.engine();
            let threshold = threshold.unwrap_or(engine.matching().review_threshold);
            let query = NameQuery {
                name,
                kind,
                birth_date,
                country,
            };
            engine
                .match_name(&query, threshold, usize::try_from(limit).unwrap_or(10))
                .into_iter()
                .map(|(hit, entity)| {
                    serde_json::json!({
                        "score": hit.score,
                        "entity_id": entity.id,
                        "list": entity.list,
                        "matched_name": entity.names().nth(hit.name_index).map(|(n, _)| n).unwrap_or(&entity.name),
                        "entity_name": entity.name,
                        "exact": hit.exact,
                        "explanation": hit.explanation,
                        "birth_date": hit.birth_date,
                        "printed": engine.printed_entry(&entity.id).unwrap_or_default(),
                    })
                })
                .collect::<Vec<_>>()
        });
        let json = py.import("json")?;
        to_python(py, &json, &hits)
    }

    /// Reloads lists and rules from the config file; the engine id now in
    /// force. On failure the engine in force stays and `AmlscreenError` is
    /// raised.
    fn reload(&self, py: Python<'_>) -> PyResult<String> {
        let outcome =
            py.allow_threads(|| Config::load(&self.config).and_then(|c| self.inner.reload(&c)));
        outcome.map_err(|e| raise(py, &e))
    }

    /// The engine id in force (lists, rules and settings).
    #[getter]
    fn version(&self) -> String {
        self.inner.version()
    }

    /// Flushes the audit log to disk.
    fn flush(&self, py: Python<'_>) -> PyResult<()> {
        py.allow_threads(|| self.inner.checkpoint_audit())
            .map_err(|e| raise(py, &e))
    }

    fn __repr__(&self) -> String {
        format!(
            "Screener(config={:?}, engine={})",
            self.config.display().to_string(),
            self.inner.version()
        )
    }
}

fn error_entry(index: usize, id: Option<&str>, e: &Error) -> serde_json::Value {
    let mut error = serde_json::json!({"kind": e.code(), "message": e.to_string()});
    if let Some(field) = e.field() {
        error["field"] = field.into();
    }
    let mut entry = serde_json::json!({"index": index, "error": error});
    if let Some(id) = id {
        entry["transaction_id"] = id.into();
    }
    entry
}

#[pymodule]
fn _amlscreen(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Screener>()?;
    m.add("AmlscreenError", m.py().get_type::<AmlscreenError>())?;
    m.add("ENGINE_VERSION", amlscreen::ENGINE_VERSION)?;
    Ok(())
}
