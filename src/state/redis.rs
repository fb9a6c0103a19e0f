//! Customer history in Redis (or Valkey), shared by every instance of a
//! service (feature `redis`): a customer whose transfers land on different
//! instances is one history, so structuring split across them is seen.
//!
//! Per customer, six keys sharing one hash tag (`{hex of the customer
//! id}`, so Redis Cluster keeps them on one slot and a script may touch
//! them all):
//!
//! | key          | type       | holds                                                  |
//! |--------------|------------|--------------------------------------------------------|
//! | `<p>:{c}:t`  | sorted set | transaction ids, scored by event time (ms)             |
//! | `<p>:{c}:e`  | hash       | id → compact entry (what the rules read, ≈ 100 bytes)  |
//! | `<p>:{c}:d`  | hash       | id → its recorded decision (JSON), for a replayed id   |
//! | `<p>:{c}:c`  | hash       | counterparty hash → first and last seen (ms)           |
//! | `<p>:{c}:l`  | sorted set | counterparty hashes by last seen (the cap drops oldest) |
//! | `<p>:{c}:v`  | string     | version: incremented by every write                    |
//!
//! Two round trips per transaction, each one Lua script run atomically on
//! the server: [`LOAD`] reads the version, the transaction id's record (a
//! replay), the entries in the deciding rules' window and the counterparties
//! they name; the rules decide in process (the same code as in memory, so
//! the decision does not depend on the backend); [`COMMIT`] writes the
//! entry only if the version is unchanged, prunes what left the retention
//! or the caps, bumps the version and sets every key's TTL (the retention
//! plus a day). When another instance wrote the same customer in between,
//! the commit is refused and the transaction is decided again on the new
//! history (optimistic concurrency: no lock to leak when an instance dies).
//!
//! Any failure (connection refused, timeout, a reply that does not parse)
//! is [`HistoryUnavailable`]: the screener fails closed. Connections are
//! pooled; after a failure no new connection is tried until a backoff
//! (50 ms doubling to 2 s) has passed, so a dead server costs a hold, not
//! a wait.

use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::Mutex;

use chrono::{DateTime, Duration, TimeZone, Utc};
use rust_decimal::Decimal;

use super::backend::{BackendHealth, HistoryBackend, HistoryUnavailable, RedisConfig};
use super::{
    counterparty_hash, counterparty_key, wallet_print, CustomerHistory, HistoryEntry,
    RecordedDecision, RecordedReasons, Replay, Seen, StateConfig, MIN_RETENTION_HOURS, UNDOES,
    UNDONE,
};
use crate::model::{Action, Decision, Direction, RiskLevel, Transaction};

/// Reads the version, the id's own record and the window. KEYS: t e d c v;
/// ARGV: window from (ms), window to (ms), id, original id or "",
/// counterparty hash or "". Returns strings: version, the id's entry or "",
/// its decision or "", the original's entry or "", the number n of window
/// entries, the n entries, then counterparty/first,last pairs.
pub const LOAD: &str = r#"
local function hmget(key, list)
  local res = {}
  for i = 1, #list, 1000 do
    local part = redis.call('HMGET', key, unpack(list, i, math.min(i + 999, #list)))
    for _, v in ipairs(part) do res[#res + 1] = v end
  end
  return res
end
local out = {}
out[1] = redis.call('GET', KEYS[5]) or '0'
out[2] = redis.call('HGET', KEYS[2], ARGV[3]) or ''
out[3] = ''
if out[2] ~= '' then out[3] = redis.call('HGET', KEYS[3], ARGV[3]) or '' end
out[4] = ''
if ARGV[4] ~= '' then out[4] = redis.call('HGET', KEYS[2], ARGV[4]) or '' end
out[5] = '0'
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], ARGV[1], ARGV[2])
local data = hmget(KEYS[2], ids)
local cps, seen, n = {}, {}, 0
for _, v in ipairs(data) do
  if v then
    n = n + 1
    out[#out + 1] = v
    local cp = string.sub(v, 1, 16)
    if cp ~= '0000000000000000' and not seen[cp] then
      seen[cp] = true
      cps[#cps + 1] = cp
    end
  end
end
out[5] = tostring(n)
if ARGV[5] ~= '' and not seen[ARGV[5]] then cps[#cps + 1] = ARGV[5] end
local firsts = hmget(KEYS[4], cps)
for i, cp in ipairs(cps) do
  if firsts[i] then
    out[#out + 1] = cp
    out[#out + 1] = firsts[i]
  end
end
return out
"#;

/// Writes one decided transaction if the customer's version is still the
/// one read, then prunes and sets the TTL. KEYS: t e d c v l; ARGV:
/// version read, id, entry, decision, event time (ms), counterparty hash or
/// "" (not seen: none, or blocked), original id or "", original's new
/// entry, retention (ms), most entries, most counterparties, TTL (ms).
/// Returns 1, or 0 when the version changed (decide again).
pub const COMMIT: &str = r#"
local function drop(ids)
  for i = 1, #ids, 1000 do
    local part = {unpack(ids, i, math.min(i + 999, #ids))}
    redis.call('ZREM', KEYS[1], unpack(part))
    redis.call('HDEL', KEYS[2], unpack(part))
    redis.call('HDEL', KEYS[3], unpack(part))
  end
end
local ver = redis.call('GET', KEYS[5]) or '0'
if ver ~= ARGV[1] then return 0 end
redis.call('ZADD', KEYS[1], ARGV[5], ARGV[2])
redis.call('HSET', KEYS[2], ARGV[2], ARGV[3])
redis.call('HSET', KEYS[3], ARGV[2], ARGV[4])
if ARGV[6] ~= '' then
  local ts = tonumber(ARGV[5])
  local first, last = ts, ts
  local s = redis.call('HGET', KEYS[4], ARGV[6])
  if s then
    local a, b = string.match(s, '^(%-?%d+),(%-?%d+)$')
    if a then
      first = math.min(tonumber(a), ts)
      last = math.max(tonumber(b), ts)
    end
  end
  redis.call('HSET', KEYS[4], ARGV[6], string.format('%.0f,%.0f', first, last))
  redis.call('ZADD', KEYS[6], string.format('%.0f', last), ARGV[6])
end
if ARGV[7] ~= '' then redis.call('HSET', KEYS[2], ARGV[7], ARGV[8]) end
local top = redis.call('ZREVRANGE', KEYS[1], 0, 0, 'WITHSCORES')
local horizon = tonumber(top[2]) - tonumber(ARGV[9])
drop(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. string.format('%.0f', horizon)))
local over = redis.call('ZCARD', KEYS[1]) - tonumber(ARGV[10])
if over > 0 then drop(redis.call('ZRANGE', KEYS[1], 0, over - 1)) end
local n = redis.call('ZCARD', KEYS[6])
local max = tonumber(ARGV[11])
if n > max then
  local keep = math.floor(max * 9 / 10)
  local gone = redis.call('ZRANGE', KEYS[6], 0, n - keep - 1)
  for i = 1, #gone, 1000 do
    local part = {unpack(gone, i, math.min(i + 999, #gone))}
    redis.call('ZREM', KEYS[6], unpack(part))
    redis.call('HDEL', KEYS[4], unpack(part))
  end
end
redis.call('INCR', KEYS[5])
for i = 1, 6 do redis.call('PEXPIRE', KEYS[i], ARGV[12]) end
return 1
"#;

/// How often a commit refused because another instance wrote the same
/// customer is decided again before giving up (as unavailable).
const MAX_ATTEMPTS: usize = 32;

/// Customer history in Redis; see the module documentation.
pub struct RedisHistory {
    client: redis::Client,
    config: RedisConfig,
    state: StateConfig,
    retention_ms: AtomicI64,
    idle: Mutex<Vec<redis::Connection>>,
    load: redis::Script,
    commit: redis::Script,
    availability: Availability,
}

impl std::fmt::Debug for RedisHistory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // the URL may hold a password: not printed
        f.debug_struct("RedisHistory")
            .field("key_prefix", &self.config.key_prefix)
            .finish_non_exhaustive()
    }
}

impl RedisHistory {
    /// A backend on the server `config.url` names, bounded by `state` and
    /// keeping at least `retention`. The server is asked once (PING): a
    /// config naming a server that does not answer is refused at start
    /// rather than holding every transaction.
    pub fn connect(
        config: &RedisConfig,
        state: StateConfig,
        retention: Duration,
    ) -> Result<RedisHistory, HistoryUnavailable> {
        let client = redis::Client::open(config.url.as_str())
            .map_err(|e| HistoryUnavailable(format!("state.redis.url: {}", describe(&e))))?;
        let history = RedisHistory {
            client,
            config: config.clone(),
            state,
            retention_ms: AtomicI64::new(0),
            idle: Mutex::new(Vec::new()),
            load: redis::Script::new(LOAD),
            commit: redis::Script::new(COMMIT),
            availability: Availability::default(),
        };
        HistoryBackend::set_retention(&history, retention);
        let mut con = history.connection()?;
        redis::cmd("PING")
            .query::<String>(&mut con)
            .map_err(|e| HistoryUnavailable(describe(&e)))?;
        // a server that evicts keys to make room would silently shorten
        // customers' histories (every key has a TTL, so volatile-* policies
        // evict them too): refused. A server that does not let us ask
        // (managed Redis disabling CONFIG) is taken as configured.
        if let Ok(reply) = redis::cmd("CONFIG")
            .arg("GET")
            .arg("maxmemory-policy")
            .query::<Vec<String>>(&mut con)
        {
            if let Some(policy) = reply.get(1).filter(|p| p.as_str() != "noeviction") {
                return Err(HistoryUnavailable(format!(
                    "Redis maxmemory-policy is {policy}: it may evict customers' history to make \
                     room, and a shortened history is never noticed; set it to noeviction (a \
                     full server then refuses writes, and transactions are held)"
                )));
            }
        }
        history.give_back(con);
        Ok(history)
    }

    fn timeout(&self) -> std::time::Duration {
        std::time::Duration::from_millis(self.config.timeout_ms.max(1))
    }

    fn connection(&self) -> Result<redis::Connection, HistoryUnavailable> {
        if let Some(con) = self.idle.lock().unwrap_or_else(|p| p.into_inner()).pop() {
            return Ok(con);
        }
        self.availability.may_connect()?;
        let fail = |e: redis::RedisError| {
            let message = describe(&e);
            self.availability.failed(&message);
            HistoryUnavailable(message)
        };
        let con = self
            .client
            .get_connection_with_timeout(self.timeout())
            .map_err(fail)?;
        con.set_read_timeout(Some(self.timeout())).map_err(fail)?;
        con.set_write_timeout(Some(self.timeout())).map_err(fail)?;
        Ok(con)
    }

    fn give_back(&self, con: redis::Connection) {
        let mut idle = self.idle.lock().unwrap_or_else(|p| p.into_inner());
        if idle.len() < self.config.pool {
            idle.push(con);
        }
    }

    /// Runs one script on a pooled connection; a failed connection is
    /// dropped (not returned to the pool) and the failure recorded.
    fn run<T: redis::FromRedisValue>(
        &self,
        invocation: &redis::ScriptInvocation<'_>,
    ) -> Result<T, HistoryUnavailable> {
        let mut con = self.connection()?;
        self.availability
            .round_trips
            .fetch_add(1, Ordering::Relaxed);
        match invocation.invoke::<T>(&mut con) {
            Ok(v) => {
                self.give_back(con);
                self.availability.up();
                Ok(v)
            }
            Err(e) => {
                let message = describe(&e);
                self.availability.failed(&message);
                // every idle connection may be as dead as this one
                self.idle.lock().unwrap_or_else(|p| p.into_inner()).clear();
                Err(HistoryUnavailable(message))
            }
        }
    }

    fn keys(&self, customer: &str) -> [String; 6] {
        let tag = hex(customer.as_bytes());
        let p = &self.config.key_prefix;
        ["t", "e", "d", "c", "v", "l"].map(|k| format!("{p}:{{{tag}}}:{k}"))
    }

    fn retention(&self) -> Duration {
        Duration::milliseconds(self.retention_ms.load(Ordering::Relaxed))
    }

    /// One read: version, the id's record, the window around `tx`.
    fn read(
        &self,
        tx: &Transaction,
        keys: &[String; 6],
        lookback: Duration,
        counterparty: Option<u64>,
    ) -> Result<Loaded, HistoryUnavailable> {
        let t = tx.timestamp.timestamp_millis();
        let w = lookback.num_milliseconds();
        let mut load = self.load.prepare_invoke();
        for k in &keys[..5] {
            load.key(k);
        }
        load.arg(t.saturating_sub(w))
            .arg(t.saturating_add(w))
            .arg(tx.id.as_str())
            // a return naming itself undoes nothing (and must not read its
            // own earlier entry back as "the original")
            .arg(
                tx.original_id
                    .as_deref()
                    .map(str::trim)
                    .filter(|o| *o != tx.id)
                    .unwrap_or(""),
            )
            .arg(
                counterparty
                    .map(|c| format!("{c:016x}"))
                    .unwrap_or_default(),
            );
        let reply: Vec<String> = self.run(&load)?;
        Loaded::parse(reply)
            .ok_or_else(|| HistoryUnavailable("a reply from Redis that does not parse".into()))
    }
}

/// What [`LOAD`] returned, parsed.
struct Loaded {
    version: String,
    own: Option<(Entry, String)>,
    original: Option<Entry>,
    window: Vec<Entry>,
    seen: Vec<(u64, Seen)>,
}

impl Loaded {
    fn parse(reply: Vec<String>) -> Option<Loaded> {
        let mut it = reply.into_iter();
        let version = it.next()?;
        let own = it.next()?;
        let decision = it.next()?;
        let original = it.next()?;
        let n: usize = it.next()?.parse().ok()?;
        let own = if own.is_empty() {
            None
        } else {
            Some((Entry::parse(&own)?, decision))
        };
        let original = if original.is_empty() {
            None
        } else {
            Some(Entry::parse(&original)?)
        };
        let mut window = Vec::with_capacity(n);
        for _ in 0..n {
            window.push(Entry::parse(&it.next()?)?);
        }
        let mut seen = Vec::new();
        while let Some(cp) = it.next() {
            let span = it.next()?;
            let (a, b) = span.split_once(',')?;
            seen.push((
                u64::from_str_radix(&cp, 16).ok()?,
                Seen {
                    first: millis(a.parse().ok()?)?,
                    last: millis(b.parse().ok()?)?,
                },
            ));
        }
        Some(Loaded {
            version,
            own,
            original,
            window,
            seen,
        })
    }
}

/// One transfer as stored: `cp|print|ms|value|dir|action|flags|content|id`
/// (hashes in 16 hex digits, so the scripts find the counterparty at a
/// fixed place; the id last, so it may hold any character).
#[derive(Debug, Clone)]
struct Entry {
    counterparty: u64,
    print: u64,
    timestamp: DateTime<Utc>,
    value: Decimal,
    direction: Direction,
    action: Action,
    flags: u8,
    content: u128,
    id: String,
}

impl Entry {
    fn encode(&self) -> String {
        format!(
            "{:016x}|{:016x}|{}|{}|{}|{}|{}|{:032x}|{}",
            self.counterparty,
            self.print,
            self.timestamp.timestamp_millis(),
            self.value,
            match self.direction {
                Direction::Incoming => 'i',
                Direction::Outgoing => 'o',
            },
            match self.action {
                Action::Allow => 'a',
                Action::Hold => 'h',
                Action::Block => 'b',
            },
            self.flags,
            self.content,
            self.id
        )
    }

    fn parse(s: &str) -> Option<Entry> {
        let mut f = s.splitn(9, '|');
        Some(Entry {
            counterparty: u64::from_str_radix(f.next()?, 16).ok()?,
            print: u64::from_str_radix(f.next()?, 16).ok()?,
            timestamp: millis(f.next()?.parse().ok()?)?,
            value: f.next()?.parse().ok()?,
            direction: match f.next()? {
                "i" => Direction::Incoming,
                "o" => Direction::Outgoing,
                _ => return None,
            },
            action: match f.next()? {
                "a" => Action::Allow,
                "h" => Action::Hold,
                "b" => Action::Block,
                _ => return None,
            },
            flags: f.next()?.parse().ok()?,
            content: u128::from_str_radix(f.next()?, 16).ok()?,
            id: f.next()?.to_owned(),
        })
    }

    /// As the rules read it: the decision only by its action (the rules
    /// read no more of an earlier transfer's decision).
    fn to_history(&self) -> HistoryEntry {
        HistoryEntry {
            timestamp: self.timestamp,
            value: self.value,
            direction: self.direction,
            id: self.id.as_str().into(),
            content: Some(self.content),
            decision: RecordedDecision {
                risk: RiskLevel::Low,
                action: self.action,
                score: 0,
                reasons: RecordedReasons::Full(Box::new([])),
                version: std::sync::Arc::from(""),
                report: None,
            },
            counterparty: self.counterparty,
            print: self.print,
            flags: self.flags,
        }
    }
}

fn millis(ms: i64) -> Option<DateTime<Utc>> {
    Utc.timestamp_millis_opt(ms).single()
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// A Redis error as one line (its kind and detail), never the URL.
fn describe(e: &redis::RedisError) -> String {
    let text = e.to_string();
    if e.is_timeout() {
        format!("Redis did not answer in time ({text})")
    } else if e.is_connection_refusal() || e.is_connection_dropped() || e.is_io_error() {
        format!("Redis cannot be reached ({text})")
    } else {
        format!("Redis: {text}")
    }
}

impl HistoryBackend for RedisHistory {
    fn local(&self) -> bool {
        false
    }

    fn replay(&self, tx: &Transaction, content: u128) -> Result<Replay, HistoryUnavailable> {
        let keys = self.keys(&tx.customer_id);
        let loaded = self.read(tx, &keys, Duration::zero(), None)?;
        Ok(replay_of(&tx.id, loaded.own, content))
    }

    fn apply(
        &self,
        tx: &Transaction,
        content: u128,
        lookback: Duration,
        again: bool,
        decide: &mut dyn FnMut(&CustomerHistory) -> Decision,
    ) -> Result<Result<Decision, Replay>, HistoryUnavailable> {
        let keys = self.keys(&tx.customer_id);
        let counterparty = counterparty_key(tx).map(|k| counterparty_hash(&k));
        let retention = self.retention().max(lookback);
        let mut attempt: u64 = 0;
        for _ in 0..MAX_ATTEMPTS {
            let loaded = self.read(tx, &keys, lookback, counterparty)?;
            let mut kept_flags = 0;
            match (loaded.own.as_ref(), again) {
                (None, _) => {}
                (Some((own, _)), true) if own.content == content => {
                    kept_flags = own.flags & UNDONE;
                }
                (Some(_), _) => return Ok(Err(replay_of(&tx.id, loaded.own, content))),
            }
            let mut history = CustomerHistory::default();
            for e in loaded.window.iter().filter(|e| e.id != tx.id) {
                history.insert(e.to_history());
            }
            history.counterparties.extend(loaded.seen.iter().copied());
            let decision = decide(&history);

            let undoes = !tx.kind.is_transfer();
            let mut original = None;
            if undoes && decision.action != Action::Block {
                if let Some(mut o) = loaded.original.clone() {
                    let o_entry = o.to_history();
                    if o_entry.counts() && tx.value >= o.value {
                        o.flags |= UNDONE;
                        original = Some(o);
                    }
                }
            }
            let entry = Entry {
                counterparty: counterparty.unwrap_or(0),
                print: tx
                    .counterparty()
                    .and_then(|p| p.wallet.as_ref())
                    .map_or(0, |w| wallet_print(&w.address)),
                timestamp: tx.timestamp,
                value: tx.value,
                direction: tx.direction,
                action: decision.action,
                flags: if undoes { UNDOES } else { 0 } | kept_flags,
                content,
                id: tx.id.clone(),
            };
            let mut recorded = decision.clone();
            recorded.case = None;
            recorded.rescreen_of = None;
            let recorded = serde_json::to_string(&recorded)
                .map_err(|e| HistoryUnavailable(format!("decision not serialisable: {e}")))?;
            let seen = counterparty
                .filter(|_| decision.action != Action::Block)
                .map(|c| format!("{c:016x}"))
                .unwrap_or_default();
            let ttl = retention + Duration::days(1);
            let mut commit = self.commit.prepare_invoke();
            for k in &keys {
                commit.key(k);
            }
            commit
                .arg(&loaded.version)
                .arg(tx.id.as_str())
                .arg(entry.encode())
                .arg(recorded)
                .arg(tx.timestamp.timestamp_millis())
                .arg(seen)
                .arg(original.as_ref().map_or("", |o| o.id.as_str()))
                .arg(original.as_ref().map(Entry::encode).unwrap_or_default())
                .arg(retention.num_milliseconds())
                .arg(self.state.max_entries_per_customer.max(1))
                .arg(self.state.max_counterparties_per_customer.max(1))
                .arg(ttl.num_milliseconds().max(1));
            let done: i64 = self.run(&commit)?;
            if done == 1 {
                return Ok(Ok(decision));
            }
            // another instance wrote this customer since the read: again,
            // after a pause growing with the attempts (so writers of one
            // busy customer do not keep colliding)
            attempt += 1;
            std::thread::sleep(std::time::Duration::from_micros(
                50 * attempt + u64::from(tx.timestamp.timestamp_subsec_micros() % 50),
            ));
        }
        Err(HistoryUnavailable(format!(
            "customer's history changed under {MAX_ATTEMPTS} attempts in a row"
        )))
    }

    fn set_retention(&self, retention: Duration) {
        let retention = retention
            .max(Duration::days(i64::from(self.state.min_retention_days)))
            .max(Duration::hours(MIN_RETENTION_HOURS));
        self.retention_ms
            .store(retention.num_milliseconds(), Ordering::Relaxed);
    }

    fn health(&self) -> BackendHealth {
        self.availability.health("redis")
    }

    fn unavailable(&self) {
        self.availability.failed.fetch_add(1, Ordering::Relaxed);
    }
}

fn replay_of(id: &str, own: Option<(Entry, String)>, content: u128) -> Replay {
    match own {
        None => Replay::New,
        Some((e, decision)) if e.content == content => {
            match serde_json::from_str::<Decision>(&decision) {
                Ok(mut d) => {
                    d.transaction_id = id.to_owned();
                    Replay::Same(Box::new(d))
                }
                // a decision that does not read back cannot be repeated
                // as recorded: the id is refused rather than re-decided
                Err(_) => Replay::Different,
            }
        }
        Some(_) => Replay::Different,
    }
}

/// Availability bookkeeping shared by remote backends: when it went down,
/// why, and how long to wait before trying to connect again (doubling from
/// `BACKOFF_MIN` to `BACKOFF_MAX` while it stays down).
#[derive(Debug, Default)]
struct Availability {
    down: Mutex<Option<Down>>,
    round_trips: AtomicU64,
    failed: AtomicU64,
}

#[derive(Debug, Clone)]
struct Down {
    since: DateTime<Utc>,
    error: String,
    retry_at: std::time::Instant,
    backoff: std::time::Duration,
}

/// First wait before reconnecting after a failure.
const BACKOFF_MIN: std::time::Duration = std::time::Duration::from_millis(50);
/// Longest wait between reconnection attempts.
const BACKOFF_MAX: std::time::Duration = std::time::Duration::from_secs(2);

impl Availability {
    /// A request succeeded: up again.
    fn up(&self) {
        let mut down = self.down.lock().unwrap_or_else(|p| p.into_inner());
        if down.is_some() {
            *down = None;
        }
    }

    /// A request failed: down (again), next attempt after the backoff.
    fn failed(&self, error: &str) {
        let mut down = self.down.lock().unwrap_or_else(|p| p.into_inner());
        let now = std::time::Instant::now();
        let next = match &*down {
            Some(d) => Down {
                since: d.since,
                error: error.to_owned(),
                backoff: (d.backoff * 2).min(BACKOFF_MAX),
                retry_at: now + (d.backoff * 2).min(BACKOFF_MAX),
            },
            None => Down {
                since: Utc::now(),
                error: error.to_owned(),
                backoff: BACKOFF_MIN,
                retry_at: now + BACKOFF_MIN,
            },
        };
        *down = Some(next);
    }

    /// `Err` while a reconnection should not be tried yet (the backoff
    /// after a failure has not elapsed): fail fast rather than wait on a
    /// server that was just found down.
    fn may_connect(&self) -> Result<(), HistoryUnavailable> {
        let down = self.down.lock().unwrap_or_else(|p| p.into_inner());
        match &*down {
            Some(d) if std::time::Instant::now() < d.retry_at => Err(HistoryUnavailable(format!(
                "{} (since {}; next attempt to reconnect within {} ms)",
                d.error,
                d.since.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                d.backoff.as_millis()
            ))),
            _ => Ok(()),
        }
    }

    fn health(&self, backend: &'static str) -> BackendHealth {
        let down = self.down.lock().unwrap_or_else(|p| p.into_inner()).clone();
        BackendHealth {
            backend,
            available: down.is_none(),
            unavailable_since: down.as_ref().map(|d| d.since),
            last_error: down.map(|d| d.error),
            round_trips: self.round_trips.load(Ordering::Relaxed),
            failed: self.failed.load(Ordering::Relaxed),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_round_trip_with_any_id() {
        let e = Entry {
            counterparty: 0xdead_beef,
            print: 7,
            timestamp: millis(1_780_000_000_123).unwrap(),
            value: "1234.56".parse().unwrap(),
            direction: Direction::Outgoing,
            action: Action::Hold,
            flags: UNDONE,
            content: u128::MAX - 5,
            id: "tx|with|bars 🙂".into(),
        };
        let back = Entry::parse(&e.encode()).unwrap();
        assert_eq!(back.encode(), e.encode());
        assert_eq!(back.id, e.id);
        assert_eq!(&e.encode()[..16], "00000000deadbeef");
        assert!(Entry::parse("garbage").is_none());
        assert!(Entry::parse(&e.encode().replace("|h|", "|x|")).is_none());
    }

    #[test]
    fn keys_share_one_hash_tag_whatever_the_customer_id() {
        let config = RedisConfig {
            url: "redis://127.0.0.1:1".into(),
            key_prefix: "p".into(),
            on_unavailable: Default::default(),
            timeout_ms: 10,
            pool: 1,
        };
        // nothing listens on port 1: refused at start, naming Redis
        let err =
            RedisHistory::connect(&config, StateConfig::default(), Duration::days(1)).unwrap_err();
        assert!(err.0.contains("Redis"), "{err}");
        let history = RedisHistory {
            client: redis::Client::open(config.url.as_str()).unwrap(),
            config,
            state: StateConfig::default(),
            retention_ms: AtomicI64::new(0),
            idle: Mutex::new(Vec::new()),
            load: redis::Script::new(LOAD),
            commit: redis::Script::new(COMMIT),
            availability: Availability::default(),
        };
        let keys = history.keys("c}{1");
        for k in &keys {
            assert!(k.starts_with("p:{637d7b31}:"), "{k}");
        }
    }

    #[test]
    fn a_reply_that_does_not_parse_is_refused() {
        assert!(Loaded::parse(vec!["1".into()]).is_none());
        assert!(Loaded::parse(vec![
            "1".into(),
            "".into(),
            "".into(),
            "".into(),
            "2".into(),
            "bad".into()
        ])
        .is_none());
        let ok = Loaded::parse(vec![
            "3".into(),
            "".into(),
            "".into(),
            "".into(),
            "0".into(),
            "00000000000000ff".into(),
            "1000,2000".into(),
        ])
        .unwrap();
        assert_eq!(ok.version, "3");
        assert_eq!(ok.seen[0].0, 255);
    }
}
