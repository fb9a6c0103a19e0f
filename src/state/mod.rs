//! Per-customer history for the behaviour rules: what each customer did,
//! in event time, bounded per customer and in total, saved to and loaded
//! from a checkpoint file ([`StateStore::save_checkpoint`],
//! [`StateStore::load_checkpoint`]) so that a restart loses no window.
//!
//! Each customer has their own lock (a `Mutex` inside a `DashMap` entry):
//! threads screening different customers never wait on each other, and a
//! customer's transfers are applied one at a time, so a batch that applies
//! each customer's transactions in timestamp order on different threads
//! sees exactly what a single thread would.
//!
//! Windows use the transaction's `timestamp`, never arrival time: a late
//! transfer is placed where it belongs. The same transaction again (same
//! id, same content) returns the decision recorded for it and is not
//! counted twice (as long as it is still within the retained history); its
//! id on other content is refused (see [`StateStore::replay`]).
//!
//! Memory: a transfer is kept as a compact [`HistoryEntry`] (what the rules
//! read, plus the id and the decision), never the whole transaction; each
//! counterparty once per customer as a hash; a decision's reasons only for
//! [`StateConfig::full_decision_hours`]. Checkpoints are versioned
//! ([`CHECKPOINT_FORMAT`]); the previous format is migrated on load.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicI64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, Utc};
use dashmap::DashMap;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

mod backend;
mod checkpoint;
#[cfg(feature = "redis")]
pub mod redis;

pub(crate) use backend::HistoryBackend;
pub use backend::{BackendHealth, HistoryUnavailable, OnUnavailable, RedisConfig};
pub use checkpoint::CHECKPOINT_FORMAT;

use crate::model::{
    Action, Channel, Decision, Direction, Finding, Party, PartyKind, Report, RiskLevel,
    Transaction, TransferKind, Wallet,
};

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
    /// How long (event time, from the customer's latest transfer) a
    /// transfer's decision keeps its reasons in memory. Default 24 hours.
    /// A transaction repeated (same id and content) within this time gets its recorded
    /// decision back whole; repeated later (but within the history) it is
    /// still recognised and not counted twice, and gets the same risk,
    /// action, score and version with one note in place of the reasons
    /// (they are in the decision's audit record). Reasons are most of a
    /// recorded decision's size (≈0.9 KB of JSON for a flagged transfer):
    /// raising this keeps more of them, up to the whole history.
    pub full_decision_hours: u32,
    /// Keep the history in Redis (or Valkey), shared by every instance,
    /// instead of in this process (feature `redis`, on in the binary).
    /// The bounds above apply per customer there too; `max_total_entries`
    /// does not (the keys expire: the retention plus a day).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub redis: Option<RedisConfig>,
}

impl Default for StateConfig {
    fn default() -> Self {
        StateConfig {
            max_entries_per_customer: 10_000,
            max_counterparties_per_customer: 10_000,
            max_total_entries: 5_000_000,
            min_retention_days: 0,
            full_decision_hours: DEFAULT_FULL_DECISION_HOURS,
            redis: None,
        }
    }
}

/// Default [`StateConfig::full_decision_hours`]: a day, the same as
/// [`MIN_RETENTION_HOURS`].
pub const DEFAULT_FULL_DECISION_HOURS: u32 = 24;

/// `rule_id` of the note standing in for a recorded decision's reasons
/// once they were dropped from memory (see [`StateConfig::full_decision_hours`]).
pub const DROPPED_REASONS_RULE_ID: &str = "state.reasons_dropped";

/// History is always kept at least this long (from the customer's latest
/// transfer), so a transaction id repeated within a day is recognised even
/// when no rule looks back that far.
pub const MIN_RETENTION_HOURS: i64 = 24;

/// One transfer of a customer, as the rules remember it: only what they
/// read (time, direction, value, its counterparty's hash and wallet print,
/// whether it was returned) plus the id and the decision, for recognising a
/// repeated transaction id. When each counterparty was first and last seen
/// is kept once per customer in [`CustomerHistory::counterparty`].
///
/// 144 bytes plus the id and the decision's reasons (24 more than before
/// the counterparty hash, wallet print and return flags were kept); the
/// whole transaction (≈1.2 KB with its parties) is not kept.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryEntry {
    /// Event time.
    pub timestamp: DateTime<Utc>,
    /// Value in the reference currency.
    pub value: Decimal,
    /// Direction.
    pub direction: Direction,
    id: Box<str>,
    // Hash of the whole transaction as screened (see `content_hash`);
    // `None` for an entry read from a checkpoint written before it was kept.
    content: Option<u128>,
    decision: RecordedDecision,
    // `counterparty_hash` of its counterparty, 0 for none.
    counterparty: u64,
    // `wallet_print` of its counterparty's wallet, 0 for none.
    print: u64,
    // `UNDOES` | `UNDONE`.
    flags: u8,
}

/// The entry is a return or revocation itself.
const UNDOES: u8 = 1;
/// A later return or revocation undid the entry.
const UNDONE: u8 = 2;

/// A wallet address as the eye checks it, its first and last four
/// characters (after a `0x`), lower-cased and packed in a number: two
/// addresses with one print and different middles are look-alikes (address
/// poisoning). 0 for none or a short or non-ASCII address.
pub fn wallet_print(address: &str) -> u64 {
    let a = address.trim();
    let a = a
        .strip_prefix("0x")
        .or_else(|| a.strip_prefix("0X"))
        .unwrap_or(a);
    if !a.is_ascii() || a.len() < 12 {
        return 0;
    }
    let b = a.as_bytes();
    let mut packed = [0u8; 8];
    packed[..4].copy_from_slice(&b[..4]);
    packed[4..].copy_from_slice(&b[b.len() - 4..]);
    for c in &mut packed {
        *c = c.to_ascii_lowercase();
    }
    u64::from_le_bytes(packed)
}

/// A transaction's content, for telling a true repeat (same id, same
/// content: the recorded decision) from an id reused for something else
/// (an error). The first 16 bytes of the BLAKE3 hash of every field, each
/// length-prefixed (so no two transactions feed the same bytes): the same in
/// every process and in checkpoints, and 128 bits so that a sender cannot
/// search for a clean and a sanctioned transaction that share it (64 bits
/// would take about 2^32 tries). The fields are fed directly, not as JSON,
/// to BLAKE3, not SHA-256: measured on the latency guard's `screen_one`,
/// SHA-256 over JSON cost +31% and SHA-256 over the fields +10%.
pub(crate) fn content_hash(tx: &Transaction) -> u128 {
    let mut feed = ContentFeed(Vec::with_capacity(512));
    // Destructured whole, so a new field fails to compile until it is fed.
    let Transaction {
        id,
        timestamp,
        customer_id,
        direction,
        amount,
        currency,
        value,
        originator,
        beneficiary,
        ultimate_originator,
        ultimate_beneficiary,
        intermediaries,
        channel,
        memo,
        customer,
        kind,
        original_id,
    } = tx;
    feed.text(id);
    feed.bytes(&timestamp.timestamp().to_le_bytes());
    feed.bytes(&timestamp.timestamp_subsec_nanos().to_le_bytes());
    feed.text(customer_id);
    feed.bytes(&[match direction {
        Direction::Incoming => 1,
        Direction::Outgoing => 2,
    }]);
    feed.bytes(&amount.serialize());
    feed.text(currency);
    feed.bytes(&value.serialize());
    for party in [
        originator,
        beneficiary,
        ultimate_originator,
        ultimate_beneficiary,
    ] {
        feed.party(party.as_ref());
    }
    feed.bytes(&(intermediaries.len() as u64).to_le_bytes());
    for party in intermediaries {
        feed.party(Some(party));
    }
    match channel {
        None => feed.bytes(&[0]),
        Some(Channel {
            ip,
            ip_flags,
            country,
        }) => {
            feed.bytes(&[1]);
            feed.opt(ip.as_deref());
            feed.bytes(&(ip_flags.len() as u64).to_le_bytes());
            for flag in ip_flags {
                feed.text(flag);
            }
            feed.opt(country.as_deref());
        }
    }
    feed.opt(memo.as_deref());
    // later fields: nothing when absent (see `ContentFeed::party`)
    if let Some(holder) = customer {
        feed.bytes(&[0xC1]);
        feed.opt(holder.name.as_deref());
        feed.bytes(&[match holder.kind {
            None => 0,
            Some(PartyKind::Person) => 1,
            Some(PartyKind::Organization) => 2,
        }]);
    }
    match kind {
        TransferKind::Transfer => {}
        TransferKind::Return => feed.bytes(&[0xD1, 1]),
        TransferKind::Revocation => feed.bytes(&[0xD1, 2]),
    }
    if let Some(original) = original_id {
        feed.bytes(&[0xE1]);
        feed.text(original);
    }
    // One call over the whole feed: many small `update`s cost more than
    // the hashing.
    let digest = blake3::hash(&feed.0);
    let mut first = [0u8; 16];
    first.copy_from_slice(&digest.as_bytes()[..16]);
    u128::from_le_bytes(first)
}

struct ContentFeed(Vec<u8>);

impl ContentFeed {
    fn bytes(&mut self, bytes: &[u8]) {
        self.0.extend_from_slice(bytes);
    }

    fn text(&mut self, text: &str) {
        self.bytes(&(text.len() as u64).to_le_bytes());
        self.bytes(text.as_bytes());
    }

    fn opt(&mut self, text: Option<&str>) {
        match text {
            None => self.bytes(&[0]),
            Some(t) => {
                self.bytes(&[1]);
                self.text(t);
            }
        }
    }

    fn party(&mut self, party: Option<&Party>) {
        let Some(Party {
            name,
            kind,
            country,
            birth_date,
            account,
            wallet,
            vasp,
            domain,
            ids,
            address,
        }) = party
        else {
            self.bytes(&[0]);
            return;
        };
        self.bytes(&[1]);
        self.opt(name.as_deref());
        self.bytes(&[match kind {
            None => 0,
            Some(PartyKind::Person) => 1,
            Some(PartyKind::Organization) => 2,
        }]);
        self.opt(country.as_deref());
        self.opt(birth_date.as_deref());
        self.opt(account.as_deref());
        // fields added after checkpoints and stores held hashes feed
        // nothing when absent, so a transaction without them hashes as it
        // always did (a redelivered one is still a repeat); present, each
        // starts with a tag no earlier field uses
        if let Some(a) = address {
            self.bytes(&[0xA1]);
            for part in [&a.country, &a.region, &a.city, &a.line] {
                self.opt(part.as_deref());
            }
        }
        match wallet {
            None => self.bytes(&[0]),
            Some(Wallet { chain, address }) => {
                self.bytes(&[1]);
                self.text(chain);
                self.text(address);
            }
        }
        self.opt(vasp.as_deref());
        self.opt(domain.as_deref());
        // written only when given, so content hashes of transactions
        // without identifiers stay what earlier versions recorded
        if !ids.is_empty() {
            self.bytes(&[2]);
            self.bytes(&(ids.len() as u64).to_le_bytes());
            for id in ids {
                self.text(&id.kind);
                self.text(&id.value);
                self.opt(id.country.as_deref());
            }
        }
    }
}

/// What a customer's history holds of a transaction's id.
#[derive(Debug)]
pub(crate) enum Replay {
    /// The id is new.
    New,
    /// The same transaction again: its recorded decision.
    Same(Box<Decision>),
    /// The id was screened with other content (or with content this
    /// history cannot compare: a checkpoint written before it was kept).
    Different,
}

impl HistoryEntry {
    /// Transaction id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// What was decided for it.
    pub fn action(&self) -> Action {
        self.decision.action
    }

    /// Whether it was blocked: an attempt, not a transfer that happened.
    /// Blocked attempts do not count toward a customer's sums and counts
    /// (they are a signal of their own).
    pub fn blocked(&self) -> bool {
        self.decision.action == Action::Block
    }

    /// Whether it is a return or revocation, or was undone by one.
    pub fn undone(&self) -> bool {
        self.flags != 0
    }

    /// Whether it counts toward a customer's transfers and sums: it
    /// happened (not blocked) and stands (neither a return or revocation
    /// nor undone by one).
    pub fn counts(&self) -> bool {
        !self.blocked() && !self.undone()
    }

    /// The `counterparty_hash` of its counterparty, if it had one.
    pub fn counterparty_hash(&self) -> Option<u64> {
        (self.counterparty != 0).then_some(self.counterparty)
    }

    /// The wallet print (`wallet_print`) of its counterparty's wallet, if it
    /// had one.
    pub fn wallet_print(&self) -> Option<u64> {
        (self.print != 0).then_some(self.print)
    }

    /// The decision recorded for this transfer (with a note in place of
    /// its reasons once they were dropped, see
    /// [`StateConfig::full_decision_hours`]).
    pub fn decision(&self) -> Decision {
        let mut d = self.decision.to_decision(&self.id);
        if let RecordedReasons::Dropped(n) = self.decision.reasons {
            d.reasons = vec![Finding::note(
                DROPPED_REASONS_RULE_ID,
                format!(
                    "transaction id already screened for {}: decision repeated; its {n} reason(s) \
                     are no longer kept in memory (state full_decision_hours) and are in that \
                     decision's audit record",
                    self.timestamp.to_rfc3339()
                ),
            )];
        }
        d
    }
}

/// A [`Decision`] without its transaction id (the entry has it), with the
/// engine version shared between entries and the reasons in a boxed slice
/// (no allocation for the usual decision without reasons).
#[derive(Debug, Clone, PartialEq)]
struct RecordedDecision {
    risk: RiskLevel,
    action: Action,
    score: u32,
    reasons: RecordedReasons,
    version: Arc<str>,
    report: Option<Report>,
}

/// A recorded decision's reasons: whole, or only how many there were.
#[derive(Debug, Clone, PartialEq)]
enum RecordedReasons {
    Full(Box<[Finding]>),
    Dropped(u32),
}

impl RecordedDecision {
    /// `version` is reused when it equals `decision.version` (one copy of
    /// the engine version per customer instead of one per transfer).
    fn new(decision: Decision, version: Option<&Arc<str>>) -> RecordedDecision {
        let version = match version {
            Some(v) if **v == *decision.version => Arc::clone(v),
            _ => Arc::from(decision.version),
        };
        RecordedDecision {
            risk: decision.risk,
            action: decision.action,
            score: decision.score,
            reasons: RecordedReasons::Full(decision.reasons.into_boxed_slice()),
            version,
            report: decision.report,
        }
    }

    /// Forgets the reasons, keeping their number.
    fn drop_reasons(&mut self) {
        if let RecordedReasons::Full(r) = &self.reasons {
            if !r.is_empty() {
                self.reasons = RecordedReasons::Dropped(u32::try_from(r.len()).unwrap_or(u32::MAX));
            }
        }
    }

    /// The decision as recorded; dropped reasons are left out.
    fn to_decision(&self, id: &str) -> Decision {
        let mut d = Decision {
            transaction_id: id.to_owned(),
            risk: self.risk,
            action: self.action,
            score: self.score,
            reasons: match &self.reasons {
                RecordedReasons::Full(r) => r.to_vec(),
                RecordedReasons::Dropped(_) => Vec::new(),
            },
            version: self.version.to_string(),
            case: None,
            rescreen_of: None,
            report: self.report,
            summary: String::new(),
        };
        d.summary = match self.reasons {
            RecordedReasons::Full(_) => d.compose_summary(),
            RecordedReasons::Dropped(n) => format!(
                "{}: {n} reason(s) no longer kept in memory, in the audit record = score {} → {} → {}",
                d.action.past(),
                d.score,
                d.risk.name(),
                d.action.name()
            ),
        };
        d
    }
}

/// When a counterparty was first and last seen for a customer (event time).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Seen {
    /// Earliest transfer with this counterparty.
    pub first: DateTime<Utc>,
    /// Latest transfer with this counterparty.
    pub last: DateTime<Utc>,
}

/// A counterparty key (see [`counterparty_key`]) as stored: the first 8
/// bytes of its SHA-256. Stable across processes (checkpoints hold it), and
/// a collision between two counterparties of one customer needs ~2^32
/// counterparties of that customer by chance, or a second preimage of
/// SHA-256 on purpose.
pub fn counterparty_hash(key: &str) -> u64 {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(key.as_bytes());
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    u64::from_le_bytes(first)
}

/// A transaction id as kept in the duplicate index: a fast in-process hash.
/// A hit is confirmed against the entries' ids, so a collision costs one
/// scan, never a wrong answer.
fn id_hash(id: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    id.hash(&mut h);
    h.finish()
}

/// One customer's retained history, sorted by (timestamp, id).
#[derive(Debug, Clone, Default)]
pub struct CustomerHistory {
    entries: Vec<HistoryEntry>,
    /// How many retained entries have each id hash.
    ids: HashMap<u64, u32>,
    counterparties: HashMap<u64, Seen>,
    /// Entries before this time have had their decisions' reasons dropped.
    reasons_dropped_before: Option<DateTime<Utc>>,
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

    /// When a counterparty (a [`counterparty_key`]) was seen, if it was.
    pub fn counterparty(&self, key: &str) -> Option<Seen> {
        self.counterparty_by_hash(counterparty_hash(key))
    }

    /// When the counterparty with this `counterparty_hash` was seen.
    pub fn counterparty_by_hash(&self, hash: u64) -> Option<Seen> {
        self.counterparties.get(&hash).copied()
    }

    /// The retained transfer with this id, if any.
    pub fn entry(&self, id: &str) -> Option<&HistoryEntry> {
        if !self.ids.contains_key(&id_hash(id)) {
            return None;
        }
        // Rare: a true repeat (usually recent, so search from the end) or
        // an id-hash collision.
        self.entries.iter().rev().find(|e| &*e.id == id)
    }

    /// The decision recorded for a transaction id.
    pub fn decision(&self, id: &str) -> Option<Decision> {
        self.entry(id).map(HistoryEntry::decision)
    }

    fn replay(&self, id: &str, content: u128) -> Replay {
        match self.entry(id) {
            None => Replay::New,
            Some(e) if e.content == Some(content) => Replay::Same(Box::new(e.decision())),
            Some(_) => Replay::Different,
        }
    }

    fn latest(&self) -> Option<DateTime<Utc>> {
        self.entries.last().map(|e| e.timestamp)
    }

    /// Remembers that a transfer with `counterparty` (a hash) happened at `at`.
    fn see(&mut self, counterparty: u64, at: DateTime<Utc>) {
        let seen = self.counterparties.entry(counterparty).or_insert(Seen {
            first: at,
            last: at,
        });
        seen.first = seen.first.min(at);
        seen.last = seen.last.max(at);
    }

    /// Takes the entry with this id out (a re-screen puts it back); its
    /// flags, for the re-screen to keep what a later return did to it.
    fn remove(&mut self, id: &str) -> u8 {
        let Some(i) = self.entries.iter().rposition(|e| &*e.id == id) else {
            return 0;
        };
        let e = self.entries.remove(i);
        let h = id_hash(&e.id);
        if let Some(n) = self.ids.get_mut(&h) {
            *n -= 1;
            if *n == 0 {
                self.ids.remove(&h);
            }
        }
        e.flags
    }

    /// Inserts in (timestamp, id) order.
    fn insert(&mut self, entry: HistoryEntry) {
        let at = self
            .entries
            .partition_point(|e| (e.timestamp, &*e.id) <= (entry.timestamp, &*entry.id));
        *self.ids.entry(id_hash(&entry.id)).or_insert(0) += 1;
        self.entries.insert(at, entry);
    }

    /// The engine version of the latest entry, to share with a new one.
    fn last_version(&self) -> Option<&Arc<str>> {
        self.entries.last().map(|e| &e.decision.version)
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
                    let h = id_hash(&e.id);
                    if let Some(n) = self.ids.get_mut(&h) {
                        *n -= 1;
                        if *n == 0 {
                            self.ids.remove(&h);
                        }
                    }
                }
            }
        }
        if let Some(latest) = self.latest() {
            // Only the entries that crossed the horizon since the last prune.
            let horizon = latest - Duration::hours(i64::from(config.full_decision_hours));
            let done = self
                .reasons_dropped_before
                .map_or(0, |t| self.entries.partition_point(|e| e.timestamp < t));
            let upto = self.entries.partition_point(|e| e.timestamp < horizon);
            for e in self.entries.get_mut(done..upto).unwrap_or_default() {
                e.decision.drop_reasons();
            }
            self.reasons_dropped_before = Some(
                self.reasons_dropped_before
                    .map_or(horizon, |t| t.max(horizon)),
            );
        }
        if self.counterparties.len() > config.max_counterparties_per_customer {
            let keep = config.max_counterparties_per_customer * 9 / 10;
            let mut by_last: Vec<(DateTime<Utc>, u64)> = self
                .counterparties
                .iter()
                .map(|(k, s)| (s.last, *k))
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
/// `CHAIN:address` for a wallet (an EVM `0x` address lower-cased: its
/// case is only a checksum), else `account:<IBAN without spaces>`.
pub fn counterparty_key(tx: &Transaction) -> Option<String> {
    let party = tx.counterparty()?;
    if let Some(w) = party
        .wallet
        .as_ref()
        .filter(|w| !w.address.trim().is_empty())
    {
        let address = w.address.trim();
        // an EVM address is hex whatever its (checksum) case: one wallet
        let evm = address.len() == 42
            && (address.starts_with("0x") || address.starts_with("0X"))
            && address[2..].bytes().all(|b| b.is_ascii_hexdigit());
        let address = if evm {
            std::borrow::Cow::Owned(address.to_ascii_lowercase())
        } else {
            std::borrow::Cow::Borrowed(address)
        };
        return Some(format!("{}:{address}", w.chain.trim().to_uppercase()));
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

/// A customer-state checkpoint could not be read or written.
#[derive(Debug, thiserror::Error)]
#[error("state file {}: {message}", path.display())]
pub struct StateCheckpointError {
    /// The checkpoint file.
    pub path: PathBuf,
    /// What went wrong, and what to do.
    pub message: String,
}

/// Former name of [`StateCheckpointError`].
pub type StateError = StateCheckpointError;

/// Every customer's history. `Send + Sync`; one lock per customer.
#[derive(Debug)]
pub struct StateStore {
    customers: DashMap<String, Arc<Mutex<CustomerHistory>>>,
    config: StateConfig,
    // The rules' longest window (whole milliseconds), at least the
    // configured minimum; set again when a reload brings new rules.
    retention_ms: AtomicI64,
    total_entries: AtomicUsize,
    /// Locks on the checkpoint files this store reads or writes, held for
    /// its lifetime (see [`StateStore::lock_file`]).
    locks: Mutex<Vec<crate::durable::FileLock>>,
}

impl StateStore {
    /// An empty store keeping `retention` of history per customer (at
    /// least; see [`StateConfig::min_retention_days`]).
    pub fn new(config: StateConfig, retention: Duration) -> StateStore {
        let store = StateStore {
            customers: DashMap::new(),
            config,
            retention_ms: AtomicI64::new(0),
            total_entries: AtomicUsize::new(0),
            locks: Mutex::new(Vec::new()),
        };
        store.set_retention(retention);
        store
    }

    /// Keeps `retention` of history per customer from now on (at least;
    /// see [`StateConfig::min_retention_days`]): called when new rules with
    /// other windows are put in service, so a lengthened window is not
    /// pruned to the old horizon.
    pub fn set_retention(&self, retention: Duration) {
        let retention = retention
            .max(Duration::days(i64::from(self.config.min_retention_days)))
            .max(Duration::hours(MIN_RETENTION_HOURS));
        self.retention_ms
            .store(retention.num_milliseconds(), Ordering::Relaxed);
    }

    /// The bounds in force.
    pub fn config(&self) -> &StateConfig {
        &self.config
    }

    /// How far back each customer's history reaches from their latest transfer.
    pub fn retention(&self) -> Duration {
        Duration::milliseconds(self.retention_ms.load(Ordering::Relaxed))
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

    /// The decision already recorded for this transaction's id, if any
    /// (whatever its content: see [`StateStore::replay`]).
    #[cfg(test)]
    pub(crate) fn recorded(&self, tx: &Transaction) -> Option<Decision> {
        let slot = self.customers.get(&tx.customer_id)?.clone();
        let h = slot.lock().unwrap_or_else(|p| p.into_inner());
        h.decision(&tx.id)
    }

    /// Whether this transaction (`content` = [`content_hash`]) was seen:
    /// new, the same again, or its id reused with other content.
    pub(crate) fn replay(&self, tx: &Transaction, content: u128) -> Replay {
        match self.customers.get(&tx.customer_id) {
            Some(slot) => {
                let slot = slot.clone();
                let h = slot.lock().unwrap_or_else(|p| p.into_inner());
                h.replay(&tx.id, content)
            }
            None => Replay::New,
        }
    }

    /// Decides a transaction against its customer's history and records it
    /// (the unit tests' shorthand for `apply_inner`): the
    /// recorded decision for a repeat; a reused id with other content is a
    /// bug in the test.
    #[cfg(test)]
    pub(crate) fn apply(
        &self,
        tx: &Transaction,
        decide: impl FnOnce(&CustomerHistory) -> Decision,
    ) -> Decision {
        let content = content_hash(tx);
        match self.apply_inner(tx, content, Duration::zero(), false, decide) {
            Ok(decision) => decision,
            // The id was reused with other content: what is recorded stands.
            Err(Replay::Same(recorded)) => *recorded,
            Err(other) => panic!("id {} reused with other content: {other:?}", tx.id),
        }
    }

    /// Decides a transaction against its customer's history and records
    /// it, keeping at least `lookback` of the history whatever the store's
    /// retention (the deciding rules' longest window, so a batch still
    /// deciding under rules a reload has just replaced by shorter ones does
    /// not see its history cut short). `again`: a re-screen — the entry is
    /// taken out while `decide` runs (not counted against itself) and put
    /// back with the new decision; an id not recorded is decided as new.
    ///
    /// An id already recorded is not decided again (unless `again`):
    /// `Err(Replay::Same)` with its recorded decision when `content`
    /// matches, `Err(Replay::Different)` when it does not.
    pub(crate) fn apply_inner(
        &self,
        tx: &Transaction,
        content: u128,
        lookback: Duration,
        again: bool,
        decide: impl FnOnce(&CustomerHistory) -> Decision,
    ) -> Result<Decision, Replay> {
        // Outside the lock: the only hashing of the counterparty here.
        let counterparty = counterparty_key(tx).map(|k| counterparty_hash(&k));
        let slot = match self.customers.get(tx.customer_id.as_str()) {
            Some(slot) => slot.clone(),
            None => self
                .customers
                .entry(tx.customer_id.clone())
                .or_default()
                .clone(),
        };
        let added;
        let decision;
        {
            let mut h = slot.lock().unwrap_or_else(|p| p.into_inner());
            let before = h.entries.len();
            let mut kept_flags = 0;
            match (h.replay(&tx.id, content), again) {
                (Replay::New, _) => {}
                (Replay::Same(_), true) => kept_flags = h.remove(&tx.id) & UNDONE,
                (seen, _) => return Err(seen),
            }
            decision = decide(&h);
            // a blocked attempt does not make its counterparty a known one
            if let Some(c) = counterparty.filter(|_| decision.action != Action::Block) {
                h.see(c, tx.timestamp);
            }
            let recorded = RecordedDecision::new(decision.clone(), h.last_version());
            let undoes = !tx.kind.is_transfer();
            if undoes && decision.action != Action::Block {
                // the transfer it returns or revokes in full no longer
                // counts (a partial return leaves it counting; a return of
                // a blocked or already undone transfer undoes nothing)
                if let Some(original) = tx.original_id.as_deref().map(str::trim) {
                    if let Some(e) = h.entries.iter_mut().rev().find(|e| &*e.id == original) {
                        if e.counts() && tx.value >= e.value {
                            e.flags |= UNDONE;
                        }
                    }
                }
            }
            h.insert(HistoryEntry {
                timestamp: tx.timestamp,
                value: tx.value,
                direction: tx.direction,
                id: tx.id.as_str().into(),
                content: Some(content),
                decision: recorded,
                counterparty: counterparty.unwrap_or(0),
                print: tx
                    .counterparty()
                    .and_then(|p| p.wallet.as_ref())
                    .map_or(0, |w| wallet_print(&w.address)),
                flags: if undoes { UNDOES } else { 0 } | kept_flags,
            });
            h.prune(self.retention().max(lookback), &self.config);
            added = h.entries.len() as isize - before as isize;
        }
        self.adjust_total(added);
        if self.total_entries() > self.config.max_total_entries {
            self.forget_least_active();
        }
        Ok(decision)
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
        let mut d = Decision {
            transaction_id: id.into(),
            risk: RiskLevel::Low,
            action: Action::Allow,
            score,
            reasons: Vec::new(),
            version: "v".into(),
            case: None,
            rescreen_of: None,
            report: None,
            summary: String::new(),
        };
        d.summary = d.compose_summary();
        d
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
            .map(|e| e.id().to_owned())
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
    fn a_return_undoes_its_original_and_both_survive_a_checkpoint() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        let s = StateStore::new(StateConfig::default(), Duration::days(1));
        s.apply(&tx("t1", "c1", 0, "9500"), |_| decision("t1", 0));
        let mut back = tx("r1", "c1", 1, "9500");
        back.direction = Direction::Incoming;
        back.kind = TransferKind::Return;
        back.original_id = Some("t1".into());
        s.apply(&back, |_| decision("r1", 0));
        let check = |s: &StateStore| {
            let h = s.history("c1").unwrap();
            let (t1, r1) = (&h.entries()[0], &h.entries()[1]);
            assert!(t1.undone() && !t1.counts(), "the original no longer counts");
            assert!(r1.undone() && !r1.counts(), "nor does the return");
            assert!(t1.counterparty_hash().is_some());
        };
        check(&s);
        s.save_checkpoint(&path).unwrap();
        drop(s);
        let t = StateStore::new(StateConfig::default(), Duration::days(1));
        t.load_checkpoint(&path).unwrap();
        check(&t);
        assert!(std::fs::read_to_string(&path)
            .unwrap()
            .contains("\"format\":\"amlscreen-state/4\""));
    }

    #[test]
    fn wallet_prints_compare_the_ends_an_eye_checks() {
        let a = wallet_print("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed");
        assert_eq!(
            a,
            wallet_print("0x5aae1111111111111111111111111111111beaed")
        );
        assert_ne!(
            a,
            wallet_print("0x12d66f87a04a9e220743712ce6d9bb1b5616b8fc")
        );
        assert_eq!(wallet_print("short"), 0);
        assert_eq!(wallet_print("адрес-кириллицей-длинный"), 0);
    }

    #[test]
    fn checkpoints_round_trip_and_corruption_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        let s = StateStore::new(StateConfig::default(), Duration::days(1));
        s.apply(&tx("a", "c1", 0, "9500.123456789012345678"), |_| {
            decision("a", 3)
        });
        s.apply(&tx("b", "c2", 1, "2"), |_| decision("b", 4));
        s.save_checkpoint(&path).unwrap();
        // while `s` holds the file, another store is refused it
        let t = StateStore::new(StateConfig::default(), Duration::days(1));
        let e = t.load_checkpoint(&path).unwrap_err().to_string();
        assert!(
            e.contains("state.json")
                && e.contains(&format!("in use by process {}", std::process::id()))
                && e.contains("state.json.lock"),
            "{e}"
        );
        drop(s); // as a process restart would
        t.load_checkpoint(&path).unwrap();
        assert_eq!(t.total_entries(), 2);
        let h = t.history("c1").unwrap();
        assert_eq!(h.entries()[0].value.to_string(), "9500.123456789012345678");
        assert_eq!(h.decision("a").map(|d| d.score), Some(3));
        // no temporary file left behind; the checkpoint is owner-only
        let names: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert!(names.iter().all(|n| !n.starts_with(".tmp-")), "{names:?}");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
            // a symbolic link in place of the checkpoint is not followed
            let link = dir.path().join("link.json");
            std::os::unix::fs::symlink(&path, &link).unwrap();
            let e = t.load_checkpoint(&link).unwrap_err().to_string();
            assert!(e.contains("symbolic link"), "{e}");
        }

        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, &text[..text.len() / 2]).unwrap();
        let e = t.load_checkpoint(&path).unwrap_err().to_string();
        assert!(
            e.contains("corrupt checkpoint") && e.contains("--fresh-state"),
            "{e}"
        );
        // a failed load does not wipe what was loaded before
        assert_eq!(t.total_entries(), 2);
        assert!(t.load_checkpoint(&dir.path().join("missing.json")).is_err());
    }

    #[test]
    fn the_content_hash_sees_every_field_that_screening_reads() {
        let base = tx("a", "c1", 0, "1");
        let h = content_hash(&base);
        assert_eq!(h, content_hash(&base.clone()));
        let mut with_vasp = base.clone();
        with_vasp.beneficiary = Some(Party {
            vasp: Some("Garantex".into()),
            ..Party::default()
        });
        let mut with_memo = base.clone();
        with_memo.memo = Some("for garantex".into());
        let mut later = base.clone();
        later.timestamp += Duration::seconds(1);
        let mut more = base.clone();
        more.value = "1.5".parse().unwrap();
        let mut via = base.clone();
        via.intermediaries.push(Party::default());
        let mut holder = base.clone();
        holder.customer = Some(crate::model::AccountHolder {
            name: Some("O. K.".into()),
            kind: None,
        });
        let mut returned = base.clone();
        returned.kind = TransferKind::Return;
        returned.original_id = Some("x".into());
        let mut addressed = base.clone();
        if let Some(b) = addressed.beneficiary.as_mut() {
            b.address = Some(crate::model::Address::default());
        }
        let hashes = [
            with_vasp, with_memo, later, more, via, holder, returned, addressed,
        ]
        .map(|t| content_hash(&t));
        for (i, other) in hashes.iter().enumerate() {
            assert_ne!(*other, h, "change {i} not seen");
        }
        // length-prefixed: moving text between fields changes the hash
        let mut a = base.clone();
        a.memo = Some("ab".into());
        a.currency = "X".into();
        let mut b = base.clone();
        b.memo = Some("b".into());
        b.currency = "Xa".into();
        assert_ne!(content_hash(&a), content_hash(&b));
    }

    #[test]
    fn a_repeated_id_gets_back_its_reasons_and_version() {
        let s = StateStore::new(StateConfig::default(), Duration::days(1));
        let mut d = decision("a", 40);
        d.reasons.push(Finding {
            rule_id: "structuring".into(),
            kind: crate::model::FindingKind::Rule,
            party: None,
            points: 40,
            level_floor: Some(RiskLevel::Medium),
            action: Some(Action::Hold),
            matched: None,
            message: "3 transfers".into(),
        });
        d.version = "lists:abc rules:def".into();
        d.summary = d.compose_summary();
        let first = s.apply(&tx("a", "c1", 0, "1"), |_| d.clone());
        s.apply(&tx("b", "c1", 1, "1"), |_| decision("b", 0));
        let again = s.apply(&tx("a", "c1", 0, "1"), |_| decision("a", 99));
        assert_eq!(first, d);
        assert_eq!(again, d);
        // the same id on other content is not answered with `d`
        let other = tx("a", "c1", 5, "2");
        let reused = s.apply_inner(
            &other,
            content_hash(&other),
            Duration::zero(),
            false,
            |_| decision("a", 99),
        );
        assert!(matches!(reused, Err(Replay::Different)), "{reused:?}");
        let h = s.history("c1").unwrap();
        assert_eq!(h.entry("b").map(|e| e.decision().version), Some("v".into()));
        assert!(h.entry("zz").is_none());
    }

    #[test]
    fn counterparties_are_kept_as_hashes() {
        let s = StateStore::new(StateConfig::default(), Duration::days(1));
        s.apply(&tx("a", "c1", 0, "1"), |_| decision("a", 0));
        let h = s.history("c1").unwrap();
        let key = "account:DE89370400440532013000";
        assert!(h.counterparty(key).is_some());
        assert_eq!(
            h.counterparty(key),
            h.counterparty_by_hash(counterparty_hash(key))
        );
        assert!(h.counterparty("account:DE00").is_none());
        // the hash is stable (checkpoints hold it): first 8 bytes of SHA-256, little-endian
        assert_eq!(counterparty_hash("abc"), 0xeacf_018f_bf16_78ba_u64);
    }

    #[test]
    fn version_1_checkpoints_are_migrated_and_unknown_formats_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        let d = |id: &str, score: u32| {
            serde_json::json!({"transaction_id": id, "risk": "low", "action": "allow",
                               "score": score, "reasons": [], "version": "v"})
        };
        let v1 = serde_json::json!({
            "format": "amlscreen-state/1",
            "saved_at": "2027-01-15T08:00:00Z",
            "customers": [{
                "customer_id": "c1",
                "entries": [
                    {"id": "a", "timestamp": "2027-01-15T08:00:00Z", "direction": "outgoing",
                     "value": "9500.50", "counterparty": "account:DE89370400440532013000"},
                    {"id": "b", "timestamp": "2027-01-15T09:00:00Z", "direction": "incoming",
                     "value": "2"}
                ],
                "decisions": [d("b", 4), d("a", 3)],
                "counterparties": [["account:DE89370400440532013000",
                    {"first": "2027-01-15T08:00:00Z", "last": "2027-01-15T08:00:00Z"}]]
            }]
        });
        std::fs::write(&path, v1.to_string()).unwrap();
        let s = StateStore::new(StateConfig::default(), Duration::days(1));
        s.load_checkpoint(&path).unwrap();
        let h = s.history("c1").unwrap();
        assert_eq!(h.entries().len(), 2);
        assert_eq!(h.entries()[0].value.to_string(), "9500.50");
        assert_eq!(h.decision("a").map(|d| d.score), Some(3));
        assert_eq!(h.decision("b").map(|d| d.score), Some(4));
        assert!(h.counterparty("account:DE89370400440532013000").is_some());
        // saved again, it is a version 2 checkpoint that loads the same
        s.save_checkpoint(&path).unwrap();
        assert!(std::fs::read_to_string(&path)
            .unwrap()
            .contains(CHECKPOINT_FORMAT));
        drop(s); // releases the file, as a process restart would
        let t = StateStore::new(StateConfig::default(), Duration::days(1));
        t.load_checkpoint(&path).unwrap();
        assert_eq!(t.history("c1").unwrap().entries(), h.entries());
        assert!(t
            .history("c1")
            .unwrap()
            .counterparty("account:DE89370400440532013000")
            .is_some());

        let mut v9 = v1.clone();
        v9["format"] = "amlscreen-state/9".into();
        std::fs::write(&path, v9.to_string()).unwrap();
        let e = t.load_checkpoint(&path).unwrap_err().to_string();
        assert!(
            e.contains("unknown checkpoint format 'amlscreen-state/9'")
                && e.contains("--fresh-state"),
            "{e}"
        );
        // a v1 checkpoint missing a decision is corrupt, not half-loaded
        let mut broken = v1;
        broken["customers"][0]["decisions"] = serde_json::json!([d("a", 3)]);
        std::fs::write(&path, broken.to_string()).unwrap();
        let e = t.load_checkpoint(&path).unwrap_err().to_string();
        assert!(
            e.contains("transaction 'b' has no recorded decision"),
            "{e}"
        );
        assert_eq!(t.total_entries(), 2);
    }

    #[test]
    fn reasons_older_than_full_decision_hours_become_a_note() {
        let dir = tempfile::tempdir().unwrap();
        let s = StateStore::new(StateConfig::default(), Duration::days(30));
        let mut d = decision("a", 100);
        d.risk = RiskLevel::High;
        d.action = Action::Block;
        d.reasons.push(Finding {
            rule_id: "sanctions".into(),
            kind: crate::model::FindingKind::SanctionsName,
            party: None,
            points: 0,
            level_floor: Some(RiskLevel::High),
            action: Some(Action::Block),
            matched: None,
            message: "listed".into(),
        });
        d.summary = d.compose_summary();
        s.apply(&tx("a", "c1", 0, "1"), |_| d.clone());
        // 23 hours later the reasons are still whole
        s.apply(&tx("b", "c1", 23, "1"), |_| decision("b", 0));
        assert_eq!(s.apply(&tx("a", "c1", 0, "1"), |_| decision("a", 0)), d);
        // 25 hours later they are a note; risk, action, score and version stay
        s.apply(&tx("c", "c1", 25, "1"), |_| decision("c", 0));
        let again = s.apply(&tx("a", "c1", 0, "1"), |_| decision("a", 0));
        assert_eq!(
            (again.risk, again.action, again.score, &again.version),
            (d.risk, d.action, d.score, &d.version)
        );
        assert_eq!(again.reasons.len(), 1);
        assert_eq!(again.reasons[0].rule_id, DROPPED_REASONS_RULE_ID);
        assert!(
            again.reasons[0].message.contains("1 reason(s)"),
            "{again:?}"
        );
        // still counted once, and the note survives a checkpoint
        assert_eq!(s.total_entries(), 3);
        let path = dir.path().join("state.json");
        s.save_checkpoint(&path).unwrap();
        drop(s); // releases the file, as a process restart would
        let t = StateStore::new(StateConfig::default(), Duration::days(30));
        t.load_checkpoint(&path).unwrap();
        assert_eq!(t.recorded(&tx("a", "c1", 0, "1")), Some(again));
        // a longer setting keeps them
        let config = StateConfig {
            full_decision_hours: 48,
            ..StateConfig::default()
        };
        let u = StateStore::new(config, Duration::days(30));
        u.apply(&tx("a", "c1", 0, "1"), |_| d.clone());
        u.apply(&tx("c", "c1", 25, "1"), |_| decision("c", 0));
        assert_eq!(u.recorded(&tx("a", "c1", 0, "1")), Some(d));
    }
}
