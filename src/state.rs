//! Per-customer history for the behaviour rules: what each customer did,
//! in event time, bounded per customer and in total, saved to and loaded
//! from a snapshot file so that a restart loses no window.
//!
//! Each customer has their own lock (a `Mutex` inside a `DashMap` entry):
//! threads screening different customers never wait on each other, and a
//! customer's transfers are applied one at a time, so a batch that applies
//! each customer's transactions in timestamp order on different threads
//! sees exactly what a single thread would.
//!
//! Windows use the transaction's `timestamp`, never arrival time: a late
//! transfer is placed where it belongs. A transaction id already recorded
//! for the customer returns the decision recorded for it, and is not
//! counted twice (as long as it is still within the retained history).

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, Utc};
use dashmap::DashMap;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::model::{Decision, Direction, Transaction};

/// Bounds on the history kept in memory. Defaults suit an exchange with up
/// to a few hundred thousand active customers in a few GB of memory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct StateConfig {
    /// Most transfers kept per customer (oldest dropped first). Default
    /// 10,000. Lower it to save memory; a rule then sees at most this many
    /// transfers in its window.
    pub max_entries_per_customer: usize,
    /// Most distinct counterparties remembered per customer for the
    /// new-counterparty rule (least recently used dropped first). Default 10,000.
    pub max_counterparties_per_customer: usize,
    /// Most transfers kept across all customers. Default 5,000,000. When
    /// exceeded, the least recently active customers are forgotten until
    /// the total is back under 90% of this.
    pub max_total_entries: usize,
    /// Keep at least this many days of history even when no rule looks that
    /// far back (the longest rule window is always kept). Default 0.
    pub min_retention_days: u32,
}

impl Default for StateConfig {
    fn default() -> Self {
        StateConfig {
            max_entries_per_customer: 10_000,
            max_counterparties_per_customer: 10_000,
            max_total_entries: 5_000_000,
            min_retention_days: 0,
        }
    }
}

/// History is always kept at least this long (from the customer's latest
/// transfer), so a transaction id repeated within a day is recognised even
/// when no rule looks back that far.
pub const MIN_RETENTION_HOURS: i64 = 24;

/// One transfer of a customer, as the rules remember it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEntry {
    /// Transaction id.
    pub id: String,
    /// Event time.
    pub timestamp: DateTime<Utc>,
    /// Direction.
    pub direction: Direction,
    /// Value in the reference currency.
    #[serde(with = "rust_decimal::serde::str")]
    pub value: Decimal,
    /// Counterparty wallet or account, when known (see [`counterparty_key`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub counterparty: Option<String>,
}

/// When a counterparty was first and last seen for a customer (event time).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Seen {
    /// Earliest transfer with this counterparty.
    pub first: DateTime<Utc>,
    /// Latest transfer with this counterparty.
    pub last: DateTime<Utc>,
}

/// One customer's retained history, sorted by (timestamp, id).
#[derive(Debug, Clone, Default)]
pub struct CustomerHistory {
    entries: Vec<HistoryEntry>,
    decisions: HashMap<String, Decision>,
    counterparties: HashMap<String, Seen>,
}

impl CustomerHistory {
    /// Every retained transfer, oldest first.
    pub fn entries(&self) -> &[HistoryEntry] {
        &self.entries
    }

    /// Transfers with `from <= timestamp < to`, oldest first.
    pub fn between(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> &[HistoryEntry] {
        let a = self.entries.partition_point(|e| e.timestamp < from);
        let b = self.entries.partition_point(|e| e.timestamp < to);
        &self.entries[a..b.max(a)]
    }

    /// When a counterparty was seen, if it was.
    pub fn counterparty(&self, key: &str) -> Option<Seen> {
        self.counterparties.get(key).copied()
    }

    /// The decision recorded for a transaction id.
    pub fn decision(&self, id: &str) -> Option<&Decision> {
        self.decisions.get(id)
    }

    fn latest(&self) -> Option<DateTime<Utc>> {
        self.entries.last().map(|e| e.timestamp)
    }

    /// Inserts in (timestamp, id) order; returns the new length.
    fn insert(&mut self, entry: HistoryEntry, decision: Decision) {
        if let Some(key) = &entry.counterparty {
            let seen = self.counterparties.entry(key.clone()).or_insert(Seen {
                first: entry.timestamp,
                last: entry.timestamp,
            });
            seen.first = seen.first.min(entry.timestamp);
            seen.last = seen.last.max(entry.timestamp);
        }
        let at = self.entries.partition_point(|e| {
            (e.timestamp, e.id.as_str()) <= (entry.timestamp, entry.id.as_str())
        });
        self.decisions.insert(entry.id.clone(), decision);
        self.entries.insert(at, entry);
    }

    /// Drops what lies beyond the retention and the caps.
    fn prune(&mut self, retention: Duration, config: &StateConfig) {
        if let Some(latest) = self.latest() {
            let horizon = latest - retention;
            let old = self.entries.partition_point(|e| e.timestamp < horizon);
            let over = self
                .entries
                .len()
                .saturating_sub(config.max_entries_per_customer);
            let cut = old.max(over);
            if cut > 0 {
                for e in self.entries.drain(..cut) {
                    self.decisions.remove(&e.id);
                }
            }
        }
        if self.counterparties.len() > config.max_counterparties_per_customer {
            let keep = config.max_counterparties_per_customer * 9 / 10;
            let mut by_last: Vec<(DateTime<Utc>, String)> = self
                .counterparties
                .iter()
                .map(|(k, s)| (s.last, k.clone()))
                .collect();
            by_last.sort_unstable();
            let drop = by_last.len().saturating_sub(keep);
            for (_, k) in by_last.into_iter().take(drop) {
                self.counterparties.remove(&k);
            }
        }
    }
}

/// The counterparty a transfer goes to or comes from, as a stable key:
/// `CHAIN:address` for a wallet, else `account:<IBAN without spaces>`.
pub fn counterparty_key(tx: &Transaction) -> Option<String> {
    let party = tx.counterparty()?;
    if let Some(w) = party
        .wallet
        .as_ref()
        .filter(|w| !w.address.trim().is_empty())
    {
        return Some(format!(
            "{}:{}",
            w.chain.trim().to_uppercase(),
            w.address.trim()
        ));
    }
    let account: String = party
        .account
        .as_deref()?
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_uppercase();
    (!account.is_empty()).then(|| format!("account:{account}"))
}

/// A state snapshot could not be read or written.
#[derive(Debug, thiserror::Error)]
#[error("state file {}: {message}", path.display())]
pub struct StateError {
    /// The snapshot file.
    pub path: PathBuf,
    /// What went wrong, and what to do.
    pub message: String,
}

/// The format tag written in every snapshot.
pub const SNAPSHOT_FORMAT: &str = "amlscreen-state/1";

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Snapshot {
    format: String,
    saved_at: DateTime<Utc>,
    customers: Vec<CustomerSnapshot>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct CustomerSnapshot {
    customer_id: String,
    entries: Vec<HistoryEntry>,
    decisions: Vec<Decision>,
    counterparties: Vec<(String, Seen)>,
}

/// Every customer's history. `Send + Sync`; one lock per customer.
#[derive(Debug)]
pub struct StateStore {
    customers: DashMap<String, Arc<Mutex<CustomerHistory>>>,
    config: StateConfig,
    retention: Duration,
    total_entries: AtomicUsize,
}

impl StateStore {
    /// An empty store keeping `retention` of history per customer (at
    /// least; see [`StateConfig::min_retention_days`]).
    pub fn new(config: StateConfig, retention: Duration) -> StateStore {
        let retention = retention
            .max(Duration::days(i64::from(config.min_retention_days)))
            .max(Duration::hours(MIN_RETENTION_HOURS));
        StateStore {
            customers: DashMap::new(),
            config,
            retention,
            total_entries: AtomicUsize::new(0),
        }
    }

    /// The bounds in force.
    pub fn config(&self) -> &StateConfig {
        &self.config
    }

    /// How far back each customer's history reaches from their latest transfer.
    pub fn retention(&self) -> Duration {
        self.retention
    }

    /// Number of customers with history.
    pub fn customer_count(&self) -> usize {
        self.customers.len()
    }

    /// Number of transfers retained across all customers.
    pub fn total_entries(&self) -> usize {
        self.total_entries.load(Ordering::Relaxed)
    }

    /// A copy of one customer's history.
    pub fn history(&self, customer_id: &str) -> Option<CustomerHistory> {
        let slot = self.customers.get(customer_id)?.clone();
        let h = slot.lock().unwrap_or_else(|p| p.into_inner());
        Some(h.clone())
    }

    /// The decision already recorded for this transaction, if any.
    pub fn recorded(&self, tx: &Transaction) -> Option<Decision> {
        let slot = self.customers.get(&tx.customer_id)?.clone();
        let h = slot.lock().unwrap_or_else(|p| p.into_inner());
        h.decision(&tx.id).cloned()
    }

    /// Decides a transaction against its customer's history and records it,
    /// under that customer's lock. A transaction id already recorded returns
    /// its recorded decision without calling `decide`.
    pub fn apply(
        &self,
        tx: &Transaction,
        decide: impl FnOnce(&CustomerHistory) -> Decision,
    ) -> Decision {
        let slot = self
            .customers
            .entry(tx.customer_id.clone())
            .or_default()
            .clone();
        let added;
        let decision;
        {
            let mut h = slot.lock().unwrap_or_else(|p| p.into_inner());
            if let Some(d) = h.decision(&tx.id) {
                return d.clone();
            }
            decision = decide(&h);
            let before = h.entries.len();
            h.insert(
                HistoryEntry {
                    id: tx.id.clone(),
                    timestamp: tx.timestamp,
                    direction: tx.direction,
                    value: tx.value,
                    counterparty: counterparty_key(tx),
                },
                decision.clone(),
            );
            h.prune(self.retention, &self.config);
            added = h.entries.len() as isize - before as isize;
        }
        self.adjust_total(added);
        if self.total_entries() > self.config.max_total_entries {
            self.forget_least_active();
        }
        decision
    }

    fn adjust_total(&self, delta: isize) {
        if delta >= 0 {
            self.total_entries
                .fetch_add(delta.unsigned_abs(), Ordering::Relaxed);
        } else {
            self.total_entries
                .fetch_sub(delta.unsigned_abs(), Ordering::Relaxed);
        }
    }

    /// Forgets the least recently active customers until the total is under
    /// 90% of the cap. Customers being screened right now are skipped.
    fn forget_least_active(&self) {
        let target = self.config.max_total_entries / 10 * 9;
        let mut by_activity: Vec<(Option<DateTime<Utc>>, String)> = self
            .customers
            .iter()
            .map(|e| {
                let h = e.value().lock().unwrap_or_else(|p| p.into_inner());
                (h.latest(), e.key().clone())
            })
            .collect();
        by_activity.sort_unstable();
        for (_, id) in by_activity {
            if self.total_entries() <= target {
                break;
            }
            // strong_count 1: nobody holds this customer's lock handle, and
            // nobody can take one while remove_if holds the shard.
            if let Some((_, slot)) = self
                .customers
                .remove_if(&id, |_, v| Arc::strong_count(v) == 1)
            {
                let n = slot.lock().unwrap_or_else(|p| p.into_inner()).entries.len();
                self.adjust_total(-(n as isize));
            }
        }
    }

    /// Forgets everything.
    pub fn clear(&self) {
        self.customers.clear();
        self.total_entries.store(0, Ordering::Relaxed);
    }

    /// Writes every customer's history to `path` atomically: a temporary
    /// file beside it is written and fsynced, then renamed over `path`, so a
    /// crash leaves either the old snapshot or the new one, never half.
    pub fn save(&self, path: &Path) -> Result<(), StateError> {
        let err = |message: String| StateError {
            path: path.to_path_buf(),
            message,
        };
        let mut customers: Vec<CustomerSnapshot> = self
            .customers
            .iter()
            .map(|e| {
                let h = e.value().lock().unwrap_or_else(|p| p.into_inner());
                let mut decisions: Vec<Decision> = h.decisions.values().cloned().collect();
                decisions.sort_by(|a, b| a.transaction_id.cmp(&b.transaction_id));
                let mut counterparties: Vec<(String, Seen)> = h
                    .counterparties
                    .iter()
                    .map(|(k, s)| (k.clone(), *s))
                    .collect();
                counterparties.sort_by(|a, b| a.0.cmp(&b.0));
                CustomerSnapshot {
                    customer_id: e.key().clone(),
                    entries: h.entries.clone(),
                    decisions,
                    counterparties,
                }
            })
            .collect();
        customers.sort_by(|a, b| a.customer_id.cmp(&b.customer_id));
        let snapshot = Snapshot {
            format: SNAPSHOT_FORMAT.into(),
            saved_at: Utc::now(),
            customers,
        };
        let dir = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let file_name = path
            .file_name()
            .ok_or_else(|| err("not a file path".into()))?
            .to_string_lossy()
            .into_owned();
        let tmp = dir.join(format!(".{file_name}.tmp-{}", std::process::id()));
        let write = || -> std::io::Result<()> {
            let file = std::fs::File::create(&tmp)?;
            let mut w = std::io::BufWriter::new(file);
            serde_json::to_writer(&mut w, &snapshot)?;
            w.write_all(b"\n")?;
            let file = w.into_inner().map_err(|e| e.into_error())?;
            file.sync_all()?;
            std::fs::rename(&tmp, path)?;
            // make the rename itself durable
            if let Ok(d) = std::fs::File::open(dir) {
                let _ = d.sync_all();
            }
            Ok(())
        };
        write().map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            err(format!("cannot write snapshot: {e}"))
        })
    }

    /// Replaces the store's contents with a snapshot written by [`save`](Self::save).
    /// A missing, unreadable or corrupt file is an error — never silently
    /// an empty history.
    pub fn load(&self, path: &Path) -> Result<(), StateError> {
        let err = |message: String| StateError {
            path: path.to_path_buf(),
            message,
        };
        let file = std::fs::File::open(path).map_err(|e| err(format!("cannot read: {e}")))?;
        let snapshot: Snapshot = serde_json::from_reader(std::io::BufReader::new(file)).map_err(|e| {
            err(format!(
                "corrupt snapshot at line {} column {}: {e}; restore a good copy or start with --fresh-state",
                e.line(),
                e.column()
            ))
        })?;
        if snapshot.format != SNAPSHOT_FORMAT {
            return Err(err(format!(
                "unknown snapshot format '{}' (expected '{SNAPSHOT_FORMAT}')",
                snapshot.format
            )));
        }
        let mut loaded = Vec::with_capacity(snapshot.customers.len());
        let mut total = 0usize;
        for c in snapshot.customers {
            let mut h = CustomerHistory::default();
            let mut decisions: HashMap<String, Decision> = c
                .decisions
                .into_iter()
                .map(|d| (d.transaction_id.clone(), d))
                .collect();
            for e in c.entries {
                let Some(d) = decisions.remove(&e.id) else {
                    return Err(err(format!(
                        "corrupt snapshot: customer '{}' transaction '{}' has no recorded decision",
                        c.customer_id, e.id
                    )));
                };
                h.insert(e, d);
            }
            h.counterparties = c.counterparties.into_iter().collect();
            h.prune(self.retention, &self.config);
            total += h.entries.len();
            loaded.push((c.customer_id, h));
        }
        // only a snapshot read whole replaces the current history
        self.clear();
        for (id, h) in loaded {
            self.customers.insert(id, Arc::new(Mutex::new(h)));
        }
        self.total_entries.store(total, Ordering::Relaxed);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Action, RiskLevel};

    fn tx(id: &str, customer: &str, hours: i64, value: &str) -> Transaction {
        serde_json::from_value(serde_json::json!({
            "id": id, "customer_id": customer, "direction": "outgoing",
            "timestamp": (DateTime::from_timestamp(1_800_000_000 + hours * 3600, 0).unwrap()).to_rfc3339(),
            "amount": value, "currency": "USD", "value": value,
            "beneficiary": {"account": "DE89 3704 0044 0532 0130 00"}
        }))
        .unwrap()
    }

    fn decision(id: &str, score: u32) -> Decision {
        Decision {
            transaction_id: id.into(),
            risk: RiskLevel::Low,
            action: Action::Allow,
            score,
            reasons: Vec::new(),
            version: "v".into(),
        }
    }

    #[test]
    fn out_of_order_transfers_are_placed_by_event_time() {
        let s = StateStore::new(StateConfig::default(), Duration::days(1));
        for (id, h) in [("a", 0), ("c", 2), ("b", 1), ("b2", 1)] {
            s.apply(&tx(id, "c1", h, "1"), |_| decision(id, 0));
        }
        let ids: Vec<String> = s
            .history("c1")
            .unwrap()
            .entries()
            .iter()
            .map(|e| e.id.clone())
            .collect();
        assert_eq!(ids, ["a", "b", "b2", "c"]);
        assert_eq!(
            s.history("c1")
                .unwrap()
                .counterparty("account:DE89370400440532013000")
                .map(|x| x.first),
            Some(tx("a", "c1", 0, "1").timestamp)
        );
    }

    #[test]
    fn a_repeated_id_returns_the_recorded_decision_and_counts_once() {
        let s = StateStore::new(StateConfig::default(), Duration::days(1));
        let first = s.apply(&tx("a", "c1", 0, "1"), |_| decision("a", 7));
        let again = s.apply(&tx("a", "c1", 0, "1"), |_| decision("a", 99));
        assert_eq!(first, again);
        assert_eq!(s.total_entries(), 1);
        assert_eq!(s.recorded(&tx("a", "c1", 0, "1")).map(|d| d.score), Some(7));
    }

    #[test]
    fn history_is_bounded_by_retention_count_and_total() {
        let config = StateConfig {
            max_entries_per_customer: 5,
            max_total_entries: 20,
            ..StateConfig::default()
        };
        let s = StateStore::new(config, Duration::hours(10));
        assert_eq!(s.retention(), Duration::hours(MIN_RETENTION_HOURS));
        for i in 0..8 {
            s.apply(&tx(&format!("t{i}"), "c1", i, "1"), |_| decision("x", 0));
        }
        assert_eq!(s.history("c1").unwrap().entries().len(), 5);
        // a transfer 30h later pushes everything older than 24h out
        s.apply(&tx("late", "c1", 40, "1"), |_| decision("x", 0));
        assert_eq!(s.history("c1").unwrap().entries().len(), 1);
        assert_eq!(s.total_entries(), 1);
        for c in 0..10 {
            for i in 0..5 {
                s.apply(
                    &tx(&format!("t{i}"), &format!("k{c}"), 100 + c * 10 + i, "1"),
                    |_| decision("x", 0),
                );
            }
        }
        assert!(s.total_entries() <= 20, "{}", s.total_entries());
        // the most recently active customer survives
        assert!(s.history("k9").is_some());
        assert!(s.history("c1").is_none());
    }

    #[test]
    fn threads_screening_customers_lose_no_transfer() {
        let s = StateStore::new(StateConfig::default(), Duration::days(30));
        std::thread::scope(|scope| {
            for t in 0..8 {
                let s = &s;
                scope.spawn(move || {
                    for i in 0..200 {
                        // four threads share customer "shared", each its own too
                        let own = format!("own-{t}");
                        s.apply(&tx(&format!("{t}-{i}"), &own, i, "1"), |h| {
                            assert_eq!(h.entries().len(), i as usize, "own history is exact");
                            decision("x", 0)
                        });
                        if t < 4 {
                            s.apply(&tx(&format!("{t}-{i}"), "shared", i, "1"), |_| {
                                decision("x", 0)
                            });
                        }
                    }
                });
            }
        });
        assert_eq!(s.history("shared").unwrap().entries().len(), 800);
        assert_eq!(s.total_entries(), 8 * 200 + 800);
    }

    #[test]
    fn snapshots_round_trip_and_corruption_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        let s = StateStore::new(StateConfig::default(), Duration::days(1));
        s.apply(&tx("a", "c1", 0, "9500.123456789012345678"), |_| {
            decision("a", 3)
        });
        s.apply(&tx("b", "c2", 1, "2"), |_| decision("b", 4));
        s.save(&path).unwrap();
        let t = StateStore::new(StateConfig::default(), Duration::days(1));
        t.load(&path).unwrap();
        assert_eq!(t.total_entries(), 2);
        let h = t.history("c1").unwrap();
        assert_eq!(h.entries()[0].value.to_string(), "9500.123456789012345678");
        assert_eq!(h.decision("a").map(|d| d.score), Some(3));
        // no temporary file left behind
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);

        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, &text[..text.len() / 2]).unwrap();
        let e = t.load(&path).unwrap_err().to_string();
        assert!(
            e.contains("corrupt snapshot") && e.contains("--fresh-state"),
            "{e}"
        );
        // a failed load does not wipe what was loaded before
        assert_eq!(t.total_entries(), 2);
        assert!(t.load(&dir.path().join("missing.json")).is_err());
    }
}
