//! Where customer history lives: one trait, [`HistoryBackend`], with the
//! in-process [`StateStore`] (the default) and, with the `redis` feature,
//! [`super::redis::RedisHistory`] shared by every instance of a service.
//!
//! The screener asks a backend two things: whether a transaction's id was
//! seen ([`HistoryBackend::replay`]) and to decide a transaction against
//! the customer's history and record it ([`HistoryBackend::apply`]). The
//! rules read the same [`CustomerHistory`] from either, so a decision does
//! not depend on where the history was kept.
//!
//! A backend that cannot answer says so ([`HistoryUnavailable`]); the
//! screener then fails closed as configured (see [`OnUnavailable`]), never
//! deciding as if the customer had no history.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::{CustomerHistory, Replay, StateStore};
use crate::model::{Decision, Transaction};

/// The shared customer history could not be read or written (the server
/// is down, a timeout, a reply that does not parse).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("customer history unavailable: {0}")]
pub struct HistoryUnavailable(pub String);

/// What the screener does with a transaction when the customer history
/// cannot be reached (config `state.redis.on_unavailable`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OnUnavailable {
    /// Decide on lists and the customer's status alone and hold the
    /// transaction for review, with the reason "customer history
    /// unavailable" (a list hit that blocks still blocks). The default.
    #[default]
    Hold,
    /// The same, but block (freeze) it.
    Block,
    /// Refuse to decide: the transaction is an error (`history_unavailable`,
    /// HTTP 503), audited as a refusal.
    Error,
}

/// Config section `state.redis`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RedisConfig {
    /// `redis://[user:password@]host:port[/db]` (or `rediss://` for TLS
    /// when the redis crate is built with it). Valkey speaks the same.
    pub url: String,
    /// Prefix of every key, so several deployments can share a server.
    /// Default `amlscreen`.
    #[serde(default = "default_prefix")]
    pub key_prefix: String,
    /// What a transaction gets when Redis cannot be reached: `hold` (the
    /// default), `block` or `error`.
    #[serde(default)]
    pub on_unavailable: OnUnavailable,
    /// Longest wait for a connection or a reply, in milliseconds. Default 500.
    #[serde(default = "default_timeout_ms")]
    pub timeout_ms: u64,
    /// Most idle connections kept. Default 32.
    #[serde(default = "default_pool")]
    pub pool: usize,
}

fn default_prefix() -> String {
    "amlscreen".into()
}

fn default_timeout_ms() -> u64 {
    500
}

fn default_pool() -> usize {
    32
}

/// How a history backend is doing, for `/healthz` and `/metrics`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BackendHealth {
    /// `memory` or `redis`.
    pub backend: &'static str,
    /// Whether the last request reached it (always true in memory).
    pub available: bool,
    /// Since when it has been unavailable.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unavailable_since: Option<DateTime<Utc>>,
    /// The last failure, if it is unavailable.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
    /// Requests to the server so far (scripts run; 0 in memory).
    pub round_trips: u64,
    /// Transactions decided without history because it was unavailable.
    pub failed: u64,
}

/// A store of per-customer history the behaviour rules read. Implemented
/// by [`StateStore`] (in process) and, with the `redis` feature, by
/// [`super::redis::RedisHistory`].
pub(crate) trait HistoryBackend: Send + Sync + std::fmt::Debug {
    /// Whether [`HistoryBackend::replay`] is a local look-up, cheap enough
    /// to ask before matching; a remote backend reports a replay from
    /// [`HistoryBackend::apply`] instead, saving a round trip.
    fn local(&self) -> bool;

    /// Whether this transaction (`content` = [`super::content_hash`]) was
    /// seen: new, the same again, or its id reused with other content.
    fn replay(&self, tx: &Transaction, content: u128) -> Result<Replay, HistoryUnavailable>;

    /// Decides `tx` against its customer's history (at least `lookback` of
    /// it) and records it. `again`: a re-screen, deciding an id already
    /// recorded afresh (its entry is left out while `decide` runs).
    /// `decide` may be called more than once (a remote backend retries
    /// when another instance changed the customer's history meanwhile);
    /// only the decision recorded is returned. An id already recorded is
    /// `Ok(Err(Replay::Same | Replay::Different))`, unless `again`.
    fn apply(
        &self,
        tx: &Transaction,
        content: u128,
        lookback: Duration,
        again: bool,
        decide: &mut dyn FnMut(&CustomerHistory) -> Decision,
    ) -> Result<Result<Decision, Replay>, HistoryUnavailable>;

    /// Keeps `retention` of history from now on (new rules' windows).
    fn set_retention(&self, retention: Duration);

    /// How it is doing.
    fn health(&self) -> BackendHealth;

    /// Counts a transaction decided without history (it was unavailable).
    fn unavailable(&self) {}
}

impl HistoryBackend for StateStore {
    fn local(&self) -> bool {
        true
    }

    fn replay(&self, tx: &Transaction, content: u128) -> Result<Replay, HistoryUnavailable> {
        Ok(StateStore::replay(self, tx, content))
    }

    fn apply(
        &self,
        tx: &Transaction,
        content: u128,
        lookback: Duration,
        again: bool,
        decide: &mut dyn FnMut(&CustomerHistory) -> Decision,
    ) -> Result<Result<Decision, Replay>, HistoryUnavailable> {
        Ok(self.apply_inner(tx, content, lookback, again, decide))
    }

    fn set_retention(&self, retention: Duration) {
        StateStore::set_retention(self, retention);
    }

    fn health(&self) -> BackendHealth {
        BackendHealth {
            backend: "memory",
            available: true,
            unavailable_since: None,
            last_error: None,
            round_trips: 0,
            failed: 0,
        }
    }
}
