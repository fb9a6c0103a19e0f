//! The embedded case store: one SQLite file (WAL mode, owner-only), or
//! memory.
//!
//! One connection writes, under a mutex: SQLite allows one writer at a
//! time, and a process-wide lock file (`<store>.lock`) keeps a second
//! process from writing the same file. Reads use their own connections
//! (WAL lets them run beside the writer), so a reviewer listing cases
//! never waits on screening. Each write is one transaction; a commit
//! survives the process being killed (WAL with `synchronous=NORMAL`; a
//! power loss may lose the last commits, not corrupt the file).
//!
//! The schema is versioned in `PRAGMA user_version` and migrated forward
//! in one transaction when opened; a store written by a newer version is
//! refused.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::{params, Connection, OpenFlags, OptionalExtension, Transaction as SqlTx};

use super::{
    to_json, ActionKind, Case, CaseFilter, CaseId, CaseStatus, CaseStore, CustomerHit,
    CustomerRecord, CustomerStatus, ListEntry, NewDecision, Outcome, Pruned, RatingRecord,
    Registered, StaffAction, StoreError, StoredDecision, Suppression, TxSummary,
};
use crate::durable::FileLock;
use crate::model::{Action, Decision, RiskLevel};

/// The schema this build writes; older stores are migrated to it.
pub const SCHEMA_VERSION: u32 = 3;

/// Each migration, applied in order: `MIGRATIONS[i]` takes a store from
/// version `i` to `i + 1`.
const MIGRATIONS: &[&str] = &[
    r"
CREATE TABLE decisions (
    id INTEGER PRIMARY KEY,
    key INTEGER NOT NULL,
    customer_id TEXT NOT NULL,
    transaction_id TEXT NOT NULL,
    content BLOB NOT NULL,
    engine_id TEXT NOT NULL,
    decided_at TEXT NOT NULL,
    action TEXT NOT NULL,
    risk TEXT NOT NULL,
    score INTEGER NOT NULL,
    decision TEXT,
    case_id INTEGER,
    replaces INTEGER
);
CREATE INDEX decisions_by_key ON decisions (key);
CREATE TABLE cases (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    decision_id INTEGER NOT NULL,
    customer_id TEXT NOT NULL,
    transaction_id TEXT NOT NULL,
    opened_at TEXT NOT NULL,
    status TEXT NOT NULL,
    outcome TEXT,
    action TEXT NOT NULL,
    summary TEXT NOT NULL,
    entries TEXT NOT NULL
);
CREATE INDEX cases_by_customer ON cases (customer_id, opened_at);
CREATE INDEX cases_by_status ON cases (status, opened_at);
CREATE TABLE actions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    reviewer TEXT NOT NULL,
    action TEXT NOT NULL,
    case_id INTEGER,
    customer_id TEXT NOT NULL,
    transaction_id TEXT,
    note TEXT NOT NULL
);
CREATE INDEX actions_by_case ON actions (case_id);
CREATE TABLE suppressions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    customer_id TEXT NOT NULL,
    role TEXT NOT NULL,
    name TEXT NOT NULL,
    birth_date TEXT,
    entity_id TEXT NOT NULL,
    entry_hash TEXT NOT NULL,
    case_id INTEGER NOT NULL,
    reviewer TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE TABLE counters (
    name TEXT PRIMARY KEY,
    next INTEGER NOT NULL
);
CREATE TABLE customers (
    customer_id TEXT PRIMARY KEY,
    status TEXT NOT NULL,
    case_id INTEGER,
    reviewer TEXT,
    note TEXT,
    since TEXT
);
",
    r"
CREATE TABLE registry (
    customer_id TEXT PRIMARY KEY,
    profile TEXT NOT NULL,
    hash TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE customer_hits (
    customer_id TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    entry_hash TEXT NOT NULL,
    case_id INTEGER,
    found_at TEXT NOT NULL,
    PRIMARY KEY (customer_id, entity_id)
);
CREATE INDEX customer_hits_by_entity ON customer_hits (entity_id);
CREATE TABLE screened_entries (
    entity_id TEXT PRIMARY KEY,
    entry_hash TEXT NOT NULL
);
",
    r"
CREATE TABLE ratings (
    customer_id TEXT PRIMARY KEY,
    level TEXT NOT NULL,
    score REAL NOT NULL,
    rating TEXT NOT NULL,
    rated_at TEXT NOT NULL
);
",
];

/// The keys of the decisions a store holds, approximately (a Bloom
/// filter: no false negatives): a transaction whose key it has never seen
/// needs no read, which is nearly every transaction screened. Grows by
/// adding filters of twice the capacity.
#[derive(Debug, Default)]
struct KnownKeys {
    filters: Vec<Bloom>,
}

#[derive(Debug)]
struct Bloom {
    bits: Vec<u64>,
    /// Bit count − 1 (a power of two).
    mask: u64,
    len: usize,
    capacity: usize,
}

/// Probes per key (with 16 bits a key: about 0.05 % false positives).
const BLOOM_PROBES: u64 = 7;

impl Bloom {
    fn with_capacity(capacity: usize) -> Bloom {
        let capacity = capacity.max(1 << 16);
        let bits = (capacity * 16).next_power_of_two();
        Bloom {
            bits: vec![0; bits / 64],
            mask: bits as u64 - 1,
            len: 0,
            capacity,
        }
    }

    /// The bits a key sets (double hashing).
    fn probes(mask: u64, key: i64) -> impl Iterator<Item = u64> {
        let h1 = (key as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        let h2 = (key as u64)
            .rotate_left(31)
            .wrapping_mul(0xc2b2_ae3d_27d4_eb4f)
            | 1;
        (0..BLOOM_PROBES).map(move |i| h1.wrapping_add(i.wrapping_mul(h2)) & mask)
    }

    fn insert(&mut self, key: i64) {
        for bit in Bloom::probes(self.mask, key) {
            self.bits[(bit / 64) as usize] |= 1 << (bit % 64);
        }
        self.len += 1;
    }

    fn may_contain(&self, key: i64) -> bool {
        Bloom::probes(self.mask, key)
            .all(|bit| self.bits[(bit / 64) as usize] & (1 << (bit % 64)) != 0)
    }
}

impl KnownKeys {
    fn with_capacity(capacity: usize) -> KnownKeys {
        KnownKeys {
            filters: vec![Bloom::with_capacity(capacity)],
        }
    }

    fn insert(&mut self, key: i64) {
        let full = self.filters.last().map_or(true, |f| f.len >= f.capacity);
        if full {
            let capacity = self.filters.last().map_or(1 << 16, |f| f.capacity * 2);
            self.filters.push(Bloom::with_capacity(capacity));
        }
        if let Some(f) = self.filters.last_mut() {
            f.insert(key);
        }
    }

    fn may_contain(&self, key: i64) -> bool {
        self.filters.iter().any(|f| f.may_contain(key))
    }
}

/// The SQLite [`CaseStore`].
pub struct SqliteStore {
    path: PathBuf,
    /// In memory, only decisions that open a case are kept (the rest would
    /// grow without bound and die with the process anyway; the customer
    /// history answers repeats within its window).
    cases_only: bool,
    known: std::sync::RwLock<KnownKeys>,
    /// Whether `known` holds every stored key (false for a store opened
    /// read-only, which does not load it: every lookup reads).
    known_complete: bool,
    writer: Mutex<Connection>,
    /// Idle read connections (a file store); an in-memory store reads
    /// through the writer.
    readers: Option<Mutex<Vec<Connection>>>,
    _lock: Option<FileLock>,
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

/// The indexed key of a customer's transaction id: 63 bits of a
/// SipHash-free FNV-1a over both (collisions only cost a comparison: the
/// lookup checks both columns).
pub(crate) fn decision_key(customer_id: &str, transaction_id: &str) -> i64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in customer_id
        .bytes()
        .chain(std::iter::once(0xff))
        .chain(transaction_id.bytes())
    {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    (h >> 1) as i64
}

/// Times are stored as fixed-width RFC 3339 (UTC, microseconds), so text
/// order is time order.
fn time_text(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

fn parse_time(text: &str) -> rusqlite::Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e))
        })
}

fn json_column<T: serde::de::DeserializeOwned>(text: &str) -> rusqlite::Result<T> {
    serde_json::from_str(text).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e))
    })
}

impl SqliteStore {
    /// Opens (creating, owner-only, on first use) the store file at
    /// `path`, takes its writer lock and migrates its schema. A path that
    /// cannot be created, a read-only directory, a file that is no
    /// database or one written by a newer version: an error naming the
    /// file. Never falls back to memory.
    pub fn open(path: &Path) -> Result<SqliteStore, StoreError> {
        let fail = |message: String| StoreError::Database {
            path: path.to_path_buf(),
            message,
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|e| fail(format!("cannot create its directory: {e}")))?;
        }
        if std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
            return Err(fail(
                "is a symbolic link; refusing to follow it (point the config at the file itself)"
                    .into(),
            ));
        }
        if std::fs::symlink_metadata(path).is_ok_and(|m| !m.is_file()) {
            return Err(fail("is not a regular file".into()));
        }
        let lock = FileLock::acquire(path).map_err(|e| StoreError::Locked {
            path: path.to_path_buf(),
            message: e.describe(),
        })?;
        create_owner_only(path).map_err(|e| fail(format!("cannot create it: {e}")))?;
        let writer = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| fail(format!("cannot open it: {e}")))?;
        let store = SqliteStore {
            path: path.to_path_buf(),
            cases_only: false,
            writer: Mutex::new(writer),
            readers: Some(Mutex::new(Vec::new())),
            _lock: Some(lock),
            known: std::sync::RwLock::new(KnownKeys::default()),
            known_complete: true,
        };
        store.prepare(true)?;
        store.load_known()?;
        Ok(store)
    }

    /// Opens an existing store file for reading only: no lock is taken,
    /// so reviewers can list and show cases while a screening process
    /// writes it. Nothing can be written through it. A missing file, one
    /// that is no database, or a schema other than this build's is an
    /// error naming the file.
    pub fn open_read_only(path: &Path) -> Result<SqliteStore, StoreError> {
        let fail = |message: String| StoreError::Database {
            path: path.to_path_buf(),
            message,
        };
        if !path.is_file() {
            return Err(fail(
                "there is no case store file here yet: it is created by the first screening \
                 with this config"
                    .into(),
            ));
        }
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| fail(format!("cannot open it: {e}")))?;
        let read = |e: rusqlite::Error| {
            fail(format!(
                "cannot read it as a case store (not a database, or corrupt): {e}"
            ))
        };
        conn.execute_batch("PRAGMA busy_timeout=5000;")
            .map_err(read)?;
        let version: u32 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(read)?;
        if version != SCHEMA_VERSION {
            return Err(fail(format!(
                "its schema is version {version}, this amlscreen reads {SCHEMA_VERSION}: \
                 open it once for writing (screening or a reviewer's action) with the \
                 amlscreen that matches it"
            )));
        }
        let check: String = conn
            .query_row("PRAGMA quick_check(1)", [], |r| r.get(0))
            .map_err(read)?;
        if check != "ok" {
            return Err(fail(format!("it is corrupt: {check}")));
        }
        Ok(SqliteStore {
            path: path.to_path_buf(),
            cases_only: false,
            writer: Mutex::new(conn),
            readers: Some(Mutex::new(Vec::new())),
            _lock: None,
            known: std::sync::RwLock::new(KnownKeys::default()),
            known_complete: false,
        })
    }

    /// A store in memory: what a screener without a configured store
    /// keeps. Its cases last as long as it does.
    pub fn in_memory() -> SqliteStore {
        let writer = match Connection::open_in_memory() {
            Ok(c) => c,
            // SQLite cannot open memory only when it cannot allocate
            Err(e) => panic!("SQLite cannot open an in-memory database: {e}"),
        };
        let store = SqliteStore {
            path: PathBuf::from(":memory:"),
            cases_only: true,
            writer: Mutex::new(writer),
            readers: None,
            _lock: None,
            known: std::sync::RwLock::new(KnownKeys::with_capacity(1 << 16)),
            known_complete: true,
        };
        if let Err(e) = store.prepare(false) {
            panic!("the in-memory case store could not be set up: {e}");
        }
        store
    }

    /// The store file (`:memory:` for an in-memory store).
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn db_error(&self, what: &str) -> impl Fn(rusqlite::Error) -> StoreError + '_ {
        let what = what.to_owned();
        move |e| StoreError::Database {
            path: self.path.clone(),
            message: format!("{what}: {e}"),
        }
    }

    /// Sets the pragmas and brings the schema to [`SCHEMA_VERSION`].
    fn prepare(&self, file: bool) -> Result<(), StoreError> {
        let mut conn = self.writer.lock().unwrap_or_else(|p| p.into_inner());
        let err = self.db_error("cannot read it as a case store (not a database, or corrupt)");
        if file {
            let mode: String = conn
                .query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))
                .map_err(&err)?;
            if !mode.eq_ignore_ascii_case("wal") {
                return Err(StoreError::Database {
                    path: self.path.clone(),
                    message: format!("cannot switch it to WAL mode (it stays in {mode} mode)"),
                });
            }
            conn.execute_batch(
                "PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000; PRAGMA mmap_size=268435456; \
                 PRAGMA wal_autocheckpoint=8192; PRAGMA cache_size=-65536;",
            )
            .map_err(&err)?;
        }
        let version: u32 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(&err)?;
        if version as usize > MIGRATIONS.len() {
            return Err(StoreError::Database {
                path: self.path.clone(),
                message: format!(
                    "its schema is version {version}, newer than this amlscreen's {SCHEMA_VERSION}: \
                     open it with a newer amlscreen"
                ),
            });
        }
        if (version as usize) < MIGRATIONS.len() {
            let tx = conn.transaction().map_err(&err)?;
            for migration in &MIGRATIONS[version as usize..] {
                tx.execute_batch(migration)
                    .map_err(self.db_error("cannot migrate its schema"))?;
            }
            tx.execute_batch(&format!("PRAGMA user_version={SCHEMA_VERSION}"))
                .map_err(&err)?;
            tx.commit()
                .map_err(self.db_error("cannot migrate its schema"))?;
        }
        // a quick look at every table: a damaged file is refused here, at
        // start, rather than at the first hold
        let check: String = conn
            .query_row("PRAGMA quick_check(1)", [], |r| r.get(0))
            .map_err(&err)?;
        if check != "ok" {
            return Err(StoreError::Database {
                path: self.path.clone(),
                message: format!("it is corrupt: {check}"),
            });
        }
        Ok(())
    }

    /// Reads every stored decision's key into the filter.
    fn load_known(&self) -> Result<(), StoreError> {
        let known = self.read(|conn| {
            let n: i64 = conn.query_row("SELECT count(*) FROM decisions", [], |r| r.get(0))?;
            let mut known = KnownKeys::with_capacity((n.max(0) as usize).saturating_mul(2));
            let mut stmt = conn.prepare("SELECT key FROM decisions")?;
            let mut rows = stmt.query([])?;
            while let Some(row) = rows.next()? {
                known.insert(row.get(0)?);
            }
            Ok(known)
        })?;
        *self.known.write().unwrap_or_else(|p| p.into_inner()) = known;
        Ok(())
    }

    /// Runs `f` on a read connection.
    fn read<T>(&self, f: impl FnOnce(&Connection) -> rusqlite::Result<T>) -> Result<T, StoreError> {
        let Some(pool) = &self.readers else {
            let conn = self.writer.lock().unwrap_or_else(|p| p.into_inner());
            return f(&conn).map_err(self.db_error("cannot read"));
        };
        let idle = pool.lock().unwrap_or_else(|p| p.into_inner()).pop();
        let conn = match idle {
            Some(c) => c,
            None => {
                let c = Connection::open_with_flags(
                    &self.path,
                    OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
                )
                .map_err(self.db_error("cannot open it for reading"))?;
                // pages read through the map, not copied in by pread
                c.execute_batch(
                    "PRAGMA busy_timeout=5000; PRAGMA mmap_size=268435456; PRAGMA cache_size=-16384;",
                )
                    .map_err(self.db_error("cannot open it for reading"))?;
                c
            }
        };
        let result = f(&conn).map_err(self.db_error("cannot read"));
        pool.lock().unwrap_or_else(|p| p.into_inner()).push(conn);
        result
    }

    /// Runs `f` in one write transaction, committed when it returns `Ok`.
    fn write<T>(
        &self,
        f: impl FnOnce(&SqlTx<'_>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut conn = self.writer.lock().unwrap_or_else(|p| p.into_inner());
        let tx = conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(self.db_error("cannot write"))?;
        let out = f(&tx)?;
        tx.commit().map_err(self.db_error("cannot commit"))?;
        Ok(out)
    }
}

/// Creates `path` empty and owner-only if it does not exist; narrows an
/// existing one to the owner.
fn create_owner_only(path: &Path) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true).write(true).create(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let file = options.open(path)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = file.metadata()?.permissions().mode();
        if mode & 0o077 != 0 {
            file.set_permissions(std::fs::Permissions::from_mode(mode & 0o700))?;
        }
    }
    Ok(())
}

const CASE_COLUMNS: &str = "c.id, c.status, c.outcome, c.opened_at, d.case_id, \
                            c.summary, c.entries, d.decision, d.transaction_id, d.action, d.risk, \
                            d.score, d.engine_id";

/// The columns [`decision_columns`] reads, in its order.
const DECISION_COLUMNS: &str =
    "d.decision, d.transaction_id, d.action, d.risk, d.score, d.engine_id";

fn parse_risk(text: &str) -> rusqlite::Result<RiskLevel> {
    match text {
        "low" => Ok(RiskLevel::Low),
        "medium" => Ok(RiskLevel::Medium),
        "high" => Ok(RiskLevel::High),
        other => Err(bad_column(format!("risk level {other}"))),
    }
}

fn bad_column(what: String) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(
        0,
        rusqlite::types::Type::Text,
        Box::<dyn std::error::Error + Send + Sync>::from(what),
    )
}

/// A decision from [`DECISION_COLUMNS`] starting at column `at`: its JSON
/// when kept, else (no reasons) its columns.
fn decision_columns(row: &rusqlite::Row<'_>, at: usize) -> rusqlite::Result<Decision> {
    let text: Option<String> = row.get(at)?;
    if let Some(text) = text {
        let mut d: Decision = json_column(&text)?;
        // a decision stored before decisions carried a summary
        if d.summary.is_empty() {
            d.summary = d.compose_summary();
        }
        return Ok(d);
    }
    let action: String = row.get(at + 2)?;
    let risk: String = row.get(at + 3)?;
    let mut d = Decision {
        transaction_id: row.get(at + 1)?,
        action: match action.as_str() {
            "allow" => Action::Allow,
            "hold" => Action::Hold,
            "block" => Action::Block,
            other => return Err(bad_column(format!("decision action {other}"))),
        },
        risk: match risk.as_str() {
            "low" => RiskLevel::Low,
            "medium" => RiskLevel::Medium,
            "high" => RiskLevel::High,
            other => return Err(bad_column(format!("decision risk {other}"))),
        },
        score: row.get(at + 4)?,
        reasons: Vec::new(),
        version: row.get(at + 5)?,
        case: None,
        rescreen_of: None,
        report: None,
        summary: String::new(),
    };
    // the summary of a decision without reasons follows from its columns
    d.summary = d.compose_summary();
    Ok(d)
}

/// A case row without its actions.
fn registered_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Registered> {
    let updated: String = row.get(3)?;
    Ok(Registered {
        customer_id: row.get(0)?,
        profile: row.get(1)?,
        hash: row.get(2)?,
        updated_at: parse_time(&updated)?,
    })
}

fn case_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Case> {
    let id: i64 = row.get(0)?;
    let status: String = row.get(1)?;
    let outcome: Option<String> = row.get(2)?;
    let opened: String = row.get(3)?;
    let case_id: Option<i64> = row.get(4)?;
    let summary: String = row.get(5)?;
    let entries: String = row.get(6)?;
    let mut decision = decision_columns(row, 7)?;
    decision.case = case_id.map(|c| c as u64);
    let bad = bad_column;
    Ok(Case {
        id: id as CaseId,
        status: CaseStatus::parse(&status).ok_or_else(|| bad(format!("case status {status}")))?,
        outcome: match outcome {
            Some(o) => Some(Outcome::parse(&o).ok_or_else(|| bad(format!("case outcome {o}")))?),
            None => None,
        },
        opened_at: parse_time(&opened)?,
        decision,
        transaction: json_column::<TxSummary>(&summary)?,
        entries: json_column::<Vec<ListEntry>>(&entries)?,
        actions: Vec::new(),
    })
}

fn action_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<StaffAction> {
    let at: String = row.get(0)?;
    let what: String = row.get(2)?;
    let case: Option<i64> = row.get(3)?;
    Ok(StaffAction {
        at: parse_time(&at)?,
        reviewer: row.get(1)?,
        what: json_column::<ActionKind>(&what)?,
        case: case.map(|c| c as CaseId),
        customer_id: row.get(4)?,
        transaction_id: row.get(5)?,
        note: row.get(6)?,
    })
}

fn actions_of(conn: &Connection, case: CaseId) -> rusqlite::Result<Vec<StaffAction>> {
    let mut stmt = conn.prepare_cached(
        "SELECT at, reviewer, action, case_id, customer_id, transaction_id, note \
         FROM actions WHERE case_id = ?1 ORDER BY id",
    )?;
    let rows = stmt.query_map([case as i64], action_row)?;
    rows.collect()
}

impl SqliteStore {
    /// Applies one staff action inside a write transaction: checks it is
    /// allowed, updates the case or customer and stores the action.
    fn apply_action(&self, tx: &SqlTx<'_>, action: &StaffAction) -> Result<(), StoreError> {
        let err = self.db_error("cannot record the staff action");
        let case_state = |case: CaseId| -> Result<(String, Option<String>), StoreError> {
            tx.query_row(
                "SELECT status, outcome FROM cases WHERE id = ?1",
                [case as i64],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(&err)?
            .ok_or_else(|| StoreError::Refused(format!("there is no case {case}")))
        };
        match &action.what {
            ActionKind::Resolve { outcome } => {
                let case = action
                    .case
                    .ok_or_else(|| StoreError::Refused("a resolution names no case".into()))?;
                let (status, previous) = case_state(case)?;
                if status == CaseStatus::Closed.as_str() {
                    return Err(StoreError::Refused(format!(
                        "case {case} is already closed ({}): a closed case is not resolved again",
                        previous.as_deref().unwrap_or("no outcome")
                    )));
                }
                tx.execute(
                    "UPDATE cases SET status = ?1, outcome = ?2 WHERE id = ?3",
                    params![outcome.status().as_str(), outcome.as_str(), case as i64],
                )
                .map_err(&err)?;
            }
            ActionKind::Review => {
                let case = action
                    .case
                    .ok_or_else(|| StoreError::Refused("a review names no case".into()))?;
                let (status, _) = case_state(case)?;
                if status != CaseStatus::Open.as_str() {
                    return Err(StoreError::Refused(format!(
                        "case {case} is {status}: only an open case is taken into review"
                    )));
                }
                tx.execute(
                    "UPDATE cases SET status = 'in_review' WHERE id = ?1",
                    [case as i64],
                )
                .map_err(&err)?;
            }
            ActionKind::Annotate => {
                let case = action
                    .case
                    .ok_or_else(|| StoreError::Refused("a note names no case".into()))?;
                case_state(case)?;
            }
            ActionKind::SetStatus { status } => {
                tx.execute(
                    "INSERT INTO customers (customer_id, status, case_id, reviewer, note, since) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (customer_id) DO UPDATE SET \
                     status = ?2, case_id = ?3, reviewer = ?4, note = ?5, since = ?6",
                    params![
                        action.customer_id,
                        status.as_str(),
                        action.case.map(|c| c as i64),
                        action.reviewer,
                        action.note,
                        time_text(action.at)
                    ],
                )
                .map_err(&err)?;
            }
        }
        tx.execute(
            "INSERT INTO actions (at, reviewer, action, case_id, customer_id, transaction_id, note) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                time_text(action.at),
                action.reviewer,
                to_json(&action.what)?,
                action.case.map(|c| c as i64),
                action.customer_id,
                action.transaction_id,
                action.note
            ],
        )
        .map_err(&err)?;
        Ok(())
    }

    /// Records every decision given, in one transaction.
    fn record_all(&self, decisions: &[NewDecision<'_>]) -> Result<Vec<Option<CaseId>>, StoreError> {
        if decisions.is_empty() {
            return Ok(Vec::new());
        }

        // serialised on every core before the write lock is taken
        use rayon::prelude::*;
        // known before they are written: a key the filter has but the store
        // not yet costs one read, never a missed repeat
        {
            let mut known = self.known.write().unwrap_or_else(|p| p.into_inner());
            for d in decisions {
                known.insert(decision_key(d.customer_id, &d.decision.transaction_id));
            }
        }
        // a decision without reasons or links (most of them) is kept in its
        // columns alone
        // (the decision's JSON when kept, the case's summary and entries)
        type Texts = (Option<String>, Option<(String, String)>);
        let texts: Vec<Texts> = decisions
            .par_iter()
            .map(|d| -> Result<Texts, StoreError> {
                let case = match d.transaction.filter(|_| d.opens_case()) {
                    Some(t) => Some((to_json(t)?, to_json(&d.entries)?)),
                    None => None,
                };
                let plain = d.decision.reasons.is_empty() && d.decision.rescreen_of.is_none();
                let decision = match plain {
                    true => None,
                    false => Some(to_json(d.decision)?),
                };
                Ok((decision, case))
            })
            .collect::<Result<_, _>>()?;
        self.write(|tx| {
            let err = self.db_error("cannot record a decision");
            let mut insert_decision = tx
                .prepare_cached(
                    "INSERT INTO decisions (id, customer_id, transaction_id, content, engine_id, \
                     decided_at, action, risk, score, decision, replaces, key, case_id) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
                )
                .map_err(&err)?;
            let mut insert_case = tx
                .prepare_cached(
                    "INSERT INTO cases (decision_id, customer_id, transaction_id, opened_at, \
                     status, action, summary, entries) VALUES (?1, ?2, ?3, ?4, 'open', ?5, ?6, ?7)",
                )
                .map_err(&err)?;
            // this connection is the only writer: the rows' ids are known
            // before they are written, so a case can name its decision and
            // the decision its case without a second write
            // (from a counter, not the largest id: ids removed by a prune
            // are never given again, so a `replaces` link cannot be misread)
            let first: i64 = tx
                .query_row(
                    "SELECT max(coalesce((SELECT next FROM counters WHERE name = 'decisions'), 1), \
                     (SELECT coalesce(max(id), 0) + 1 FROM decisions))",
                    [],
                    |r| r.get(0),
                )
                .map_err(&err)?;
            tx.execute(
                "INSERT INTO counters (name, next) VALUES ('decisions', ?1) \
                 ON CONFLICT (name) DO UPDATE SET next = ?1",
                [first + decisions.len() as i64],
            )
            .map_err(&err)?;
            let mut cases = Vec::with_capacity(decisions.len());
            for (row, (d, (decision_text, case_texts))) in
                (first..).zip(decisions.iter().zip(&texts))
            {
                let at = time_text(d.decided_at);
                let case = match case_texts {
                    Some((summary_text, entries_text)) => {
                        insert_case
                            .execute(params![
                                row,
                                d.customer_id,
                                d.decision.transaction_id,
                                at,
                                d.decision.action.name(),
                                summary_text,
                                entries_text,
                            ])
                            .map_err(&err)?;
                        Some(tx.last_insert_rowid())
                    }
                    None => None,
                };
                insert_decision
                    .execute(params![
                        row,
                        d.customer_id,
                        d.decision.transaction_id,
                        &d.content.to_le_bytes()[..],
                        d.decision.version,
                        at,
                        d.decision.action.name(),
                        d.decision.risk.name(),
                        d.decision.score,
                        decision_text,
                        d.replaces,
                        decision_key(d.customer_id, &d.decision.transaction_id),
                        case,
                    ])
                    .map_err(&err)?;
                cases.push(case.map(|c| c as CaseId));
            }
            Ok(cases)
        })
    }
}

impl CaseStore for SqliteStore {
    fn record(&self, decisions: &[NewDecision<'_>]) -> Result<Vec<Option<CaseId>>, StoreError> {
        if self.cases_only && decisions.iter().any(|d| !d.opens_case()) {
            let kept: Vec<usize> = (0..decisions.len())
                .filter(|&i| decisions[i].opens_case())
                .collect();
            let subset: Vec<NewDecision<'_>> = kept.iter().map(|&i| decisions[i].clone()).collect();
            let mut out = vec![None; decisions.len()];
            for (i, case) in kept.into_iter().zip(self.record_all(&subset)?) {
                out[i] = case;
            }
            return Ok(out);
        }
        self.record_all(decisions)
    }

    fn recorded(
        &self,
        customer_id: &str,
        transaction_id: &str,
    ) -> Result<Option<StoredDecision>, StoreError> {
        let key = decision_key(customer_id, transaction_id);
        if self.known_complete
            && !self
                .known
                .read()
                .unwrap_or_else(|p| p.into_inner())
                .may_contain(key)
        {
            return Ok(None);
        }
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT id, content, decided_at, case_id, {DECISION_COLUMNS} FROM decisions d \
                 WHERE key = ?3 AND customer_id = ?1 AND transaction_id = ?2 \
                 ORDER BY id DESC LIMIT 1"
            ))?;
            stmt.query_row(params![customer_id, transaction_id, key], |row| {
                let content: Vec<u8> = row.get(1)?;
                let at: String = row.get(2)?;
                let case: Option<i64> = row.get(3)?;
                let mut decision = decision_columns(row, 4)?;
                decision.case = case.map(|c| c as u64);
                let content = <[u8; 16]>::try_from(content.as_slice())
                    .map(u128::from_le_bytes)
                    .map_err(|_| {
                        bad_column(format!(
                            "decision content hash of {} bytes (16 expected)",
                            content.len()
                        ))
                    })?;
                Ok(StoredDecision {
                    row: row.get(0)?,
                    content,
                    decided_at: parse_time(&at)?,
                    decision,
                })
            })
            .optional()
        })
    }

    fn case(&self, id: CaseId) -> Result<Option<Case>, StoreError> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT {CASE_COLUMNS} FROM cases c JOIN decisions d ON d.id = c.decision_id \
                 WHERE c.id = ?1"
            ))?;
            let Some(mut case) = stmt.query_row([id as i64], case_row).optional()? else {
                return Ok(None);
            };
            case.actions = actions_of(conn, id)?;
            Ok(Some(case))
        })
    }

    fn cases(&self, filter: &CaseFilter) -> Result<Vec<Case>, StoreError> {
        self.read(|conn| {
            // one customer's cases through its index; `?2 IS NULL OR …`
            // would keep SQLite from using it (a scan of every case)
            let by_customer = if filter.customer_id.is_some() {
                "c.customer_id = ?2"
            } else {
                "?2 IS NULL"
            };
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT {CASE_COLUMNS} FROM cases c JOIN decisions d ON d.id = c.decision_id \
                 WHERE (?1 IS NULL OR c.status = ?1) AND {by_customer} \
                 AND (?3 IS NULL OR c.opened_at >= ?3) ORDER BY c.id DESC LIMIT ?4"
            ))?;
            let limit = filter.limit.map_or(-1, |l| l.min(i64::MAX as usize) as i64);
            let rows = stmt.query_map(
                params![
                    filter.status.map(CaseStatus::as_str),
                    filter.customer_id,
                    filter.since.map(time_text),
                    limit
                ],
                case_row,
            )?;
            let mut cases: Vec<Case> = rows.collect::<rusqlite::Result<_>>()?;
            for case in &mut cases {
                case.actions = actions_of(conn, case.id)?;
            }
            Ok(cases)
        })
    }

    fn last_action(&self) -> Result<i64, StoreError> {
        self.read(|conn| {
            conn.prepare_cached("SELECT COALESCE(MAX(id), 0) FROM actions")?
                .query_row([], |r| r.get(0))
        })
    }

    fn count_cases(&self, status: Option<CaseStatus>) -> Result<u64, StoreError> {
        self.read(|conn| {
            let mut stmt =
                conn.prepare_cached("SELECT COUNT(*) FROM cases WHERE ?1 IS NULL OR status = ?1")?;
            let n: i64 = stmt.query_row(params![status.map(CaseStatus::as_str)], |r| r.get(0))?;
            Ok(n.max(0) as u64)
        })
    }

    fn count_blocks(
        &self,
        customer_id: &str,
        since: DateTime<Utc>,
        confirmed: bool,
    ) -> Result<u64, StoreError> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT COUNT(*) FROM cases WHERE customer_id = ?1 AND opened_at >= ?2 \
                 AND action = 'block' AND (?3 = 0 OR outcome IN ('confirmed', 'reported'))",
            )?;
            let n: i64 = stmt.query_row(
                params![customer_id, time_text(since), i64::from(confirmed)],
                |r| r.get(0),
            )?;
            Ok(n.max(0) as u64)
        })
    }

    fn act(
        &self,
        actions: &[StaffAction],
        suppressions: &[Suppression],
        seal: &mut dyn FnMut(&StaffAction) -> Result<(), String>,
    ) -> Result<(), StoreError> {
        self.write(|tx| {
            for action in actions {
                self.apply_action(tx, action)?;
            }
            let err = self.db_error("cannot record a suppression");
            for s in suppressions {
                tx.execute(
                    "INSERT INTO suppressions (customer_id, role, name, birth_date, entity_id, \
                     entry_hash, case_id, reviewer, created_at, expires_at) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                    params![
                        s.customer_id,
                        s.role,
                        s.name,
                        s.birth_date,
                        s.entity_id,
                        s.entry_hash,
                        s.case as i64,
                        s.reviewer,
                        time_text(s.created_at),
                        time_text(s.expires_at)
                    ],
                )
                .map_err(&err)?;
            }
            // sealed in the audit chain before the commit: an action the
            // chain refused is not kept
            for action in actions {
                seal(action).map_err(StoreError::Audit)?;
            }
            Ok(())
        })
    }

    fn suppressions(&self, now: DateTime<Utc>) -> Result<Vec<Suppression>, StoreError> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT customer_id, role, name, birth_date, entity_id, entry_hash, case_id, \
                 reviewer, created_at, expires_at FROM suppressions WHERE expires_at > ?1 ORDER BY id",
            )?;
            let rows = stmt.query_map([time_text(now)], |r| {
                let created: String = r.get(8)?;
                let expires: String = r.get(9)?;
                let case: i64 = r.get(6)?;
                Ok(Suppression {
                    customer_id: r.get(0)?,
                    role: r.get(1)?,
                    name: r.get(2)?,
                    birth_date: r.get(3)?,
                    entity_id: r.get(4)?,
                    entry_hash: r.get(5)?,
                    case: case as CaseId,
                    reviewer: r.get(7)?,
                    created_at: parse_time(&created)?,
                    expires_at: parse_time(&expires)?,
                })
            })?;
            rows.collect()
        })
    }

    fn customers(&self) -> Result<Vec<CustomerRecord>, StoreError> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT customer_id, status, case_id, reviewer, note, since FROM customers \
                 WHERE status <> 'normal' ORDER BY customer_id",
            )?;
            let rows = stmt.query_map([], customer_row)?;
            rows.collect()
        })
    }

    fn customer(&self, customer_id: &str) -> Result<CustomerRecord, StoreError> {
        let found = self.read(|conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT customer_id, status, case_id, reviewer, note, since FROM customers \
                 WHERE customer_id = ?1",
            )?;
            stmt.query_row([customer_id], customer_row).optional()
        })?;
        Ok(found.unwrap_or_else(|| CustomerRecord::normal(customer_id)))
    }

    fn put_customers(&self, customers: &[Registered]) -> Result<(), StoreError> {
        self.write(|tx| {
            let err = self.db_error("cannot register a customer");
            let mut stmt = tx
                .prepare_cached(
                    "INSERT INTO registry (customer_id, profile, hash, updated_at) \
                     VALUES (?1, ?2, ?3, ?4) ON CONFLICT (customer_id) DO UPDATE SET \
                     profile = ?2, hash = ?3, updated_at = ?4",
                )
                .map_err(&err)?;
            for r in customers {
                stmt.execute(params![
                    r.customer_id,
                    r.profile,
                    r.hash,
                    time_text(r.updated_at)
                ])
                .map_err(&err)?;
            }
            drop(stmt);
            if !customers.is_empty() {
                tx.execute(
                    "INSERT INTO counters (name, next) VALUES ('registry', 1) \
                     ON CONFLICT (name) DO UPDATE SET next = next + 1",
                    [],
                )
                .map_err(&err)?;
            }
            Ok(())
        })
    }

    fn registered(&self, customer_id: &str) -> Result<Option<Registered>, StoreError> {
        self.read(|conn| {
            conn.prepare_cached(
                "SELECT customer_id, profile, hash, updated_at FROM registry WHERE customer_id = ?1",
            )?
            .query_row([customer_id], registered_row)
            .optional()
        })
    }

    fn each_registered(
        &self,
        each: &mut dyn FnMut(Registered) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        let mut failed = None;
        self.read(|conn| {
            let mut stmt = conn.prepare(
                "SELECT customer_id, profile, hash, updated_at FROM registry ORDER BY customer_id",
            )?;
            let mut rows = stmt.query([])?;
            while let Some(row) = rows.next()? {
                if let Err(e) = each(registered_row(row)?) {
                    failed = Some(e);
                    break;
                }
            }
            Ok(())
        })?;
        failed.map_or(Ok(()), Err)
    }

    fn registered_count(&self) -> Result<u64, StoreError> {
        self.read(|conn| {
            conn.query_row("SELECT count(*) FROM registry", [], |r| r.get::<_, i64>(0))
                .map(|n| n.max(0) as u64)
        })
    }

    fn registry_generation(&self) -> Result<u64, StoreError> {
        self.read(|conn| {
            conn.query_row(
                "SELECT coalesce((SELECT next FROM counters WHERE name = 'registry'), 0)",
                [],
                |r| r.get::<_, i64>(0),
            )
            .map(|n| n.max(0) as u64)
        })
    }

    fn file(&self) -> Option<&Path> {
        self.readers.as_ref().map(|_| self.path.as_path())
    }

    fn customer_hits(&self, entity_id: Option<&str>) -> Result<Vec<CustomerHit>, StoreError> {
        self.read(|conn| {
            let sql =
                "SELECT customer_id, entity_id, entry_hash, case_id, found_at FROM customer_hits";
            let row = |r: &rusqlite::Row<'_>| -> rusqlite::Result<CustomerHit> {
                let case: Option<i64> = r.get(3)?;
                let found: String = r.get(4)?;
                Ok(CustomerHit {
                    customer_id: r.get(0)?,
                    entity_id: r.get(1)?,
                    entry_hash: r.get(2)?,
                    case: case.map(|c| c as CaseId),
                    found_at: parse_time(&found)?,
                })
            };
            match entity_id {
                Some(e) => conn
                    .prepare_cached(&format!("{sql} WHERE entity_id = ?1 ORDER BY customer_id"))?
                    .query_map([e], row)?
                    .collect(),
                None => conn
                    .prepare_cached(&format!("{sql} ORDER BY customer_id, entity_id"))?
                    .query_map([], row)?
                    .collect(),
            }
        })
    }

    fn put_customer_hits(&self, hits: &[CustomerHit]) -> Result<(), StoreError> {
        self.write(|tx| {
            let err = self.db_error("cannot record a customer hit");
            let mut stmt = tx
                .prepare_cached(
                    "INSERT INTO customer_hits (customer_id, entity_id, entry_hash, case_id, found_at) \
                     VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (customer_id, entity_id) DO UPDATE SET \
                     entry_hash = ?3, case_id = ?4, found_at = ?5",
                )
                .map_err(&err)?;
            for h in hits {
                stmt.execute(params![
                    h.customer_id,
                    h.entity_id,
                    h.entry_hash,
                    h.case.map(|c| c as i64),
                    time_text(h.found_at)
                ])
                .map_err(&err)?;
            }
            Ok(())
        })
    }

    fn screened_entries(&self) -> Result<Vec<(String, String)>, StoreError> {
        self.read(|conn| {
            conn.prepare_cached("SELECT entity_id, entry_hash FROM screened_entries")?
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect()
        })
    }

    fn set_screened_entries(&self, entries: &[(String, String)]) -> Result<(), StoreError> {
        self.write(|tx| {
            let err = self.db_error("cannot record the screened list entries");
            tx.execute("DELETE FROM screened_entries", [])
                .map_err(&err)?;
            let mut stmt = tx
                .prepare_cached(
                    "INSERT OR REPLACE INTO screened_entries (entity_id, entry_hash) VALUES (?1, ?2)",
                )
                .map_err(&err)?;
            for (id, hash) in entries {
                stmt.execute(params![id, hash]).map_err(&err)?;
            }
            Ok(())
        })
    }

    fn decision_counts(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<(chrono::NaiveDate, Action, u64)>, StoreError> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT substr(decided_at, 1, 10) AS day, action, COUNT(*) FROM decisions \
                 WHERE decided_at >= ?1 AND decided_at < ?2 AND transaction_id <> 'onboarding' \
                 AND transaction_id NOT LIKE 'lists:%' GROUP BY day, action ORDER BY day",
            )?;
            let rows = stmt.query_map(params![time_text(from), time_text(to)], |r| {
                let day: String = r.get(0)?;
                let action: String = r.get(1)?;
                let n: i64 = r.get(2)?;
                let day = chrono::NaiveDate::parse_from_str(&day, "%Y-%m-%d")
                    .map_err(|e| bad_column(format!("decision day {day}: {e}")))?;
                let action = match action.as_str() {
                    "allow" => Action::Allow,
                    "hold" => Action::Hold,
                    "block" => Action::Block,
                    other => return Err(bad_column(format!("decision action {other}"))),
                };
                Ok((day, action, n.max(0) as u64))
            })?;
            rows.collect()
        })
    }

    fn put_ratings(&self, ratings: &[RatingRecord]) -> Result<(), StoreError> {
        self.write(|tx| {
            let err = self.db_error("cannot record the rating");
            let mut stmt = tx
                .prepare_cached(
                    "INSERT INTO ratings (customer_id, level, score, rating, rated_at) \
                     VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (customer_id) DO UPDATE SET \
                     level = ?2, score = ?3, rating = ?4, rated_at = ?5",
                )
                .map_err(&err)?;
            for r in ratings {
                stmt.execute(params![
                    r.customer_id,
                    r.level.name(),
                    r.score,
                    r.rating,
                    time_text(r.rated_at)
                ])
                .map_err(&err)?;
            }
            Ok(())
        })
    }

    fn rating(&self, customer_id: &str) -> Result<Option<RatingRecord>, StoreError> {
        self.read(|conn| {
            conn.prepare_cached(
                "SELECT customer_id, level, score, rating, rated_at FROM ratings WHERE customer_id = ?1",
            )?
            .query_row([customer_id], |r| {
                let level: String = r.get(1)?;
                let at: String = r.get(4)?;
                Ok(RatingRecord {
                    customer_id: r.get(0)?,
                    level: parse_risk(&level)?,
                    score: r.get(2)?,
                    rating: r.get(3)?,
                    rated_at: parse_time(&at)?,
                })
            })
            .optional()
        })
    }

    fn rating_levels(&self) -> Result<Vec<(String, RiskLevel)>, StoreError> {
        self.read(|conn| {
            conn.prepare_cached("SELECT customer_id, level FROM ratings")?
                .query_map([], |r| {
                    let level: String = r.get(1)?;
                    Ok((r.get(0)?, parse_risk(&level)?))
                })?
                .collect()
        })
    }

    fn prune(&self, before: DateTime<Utc>) -> Result<Pruned, StoreError> {
        let cut = time_text(before);
        self.write(|tx| {
            let err = self.db_error("cannot prune");
            tx.execute(
                "DELETE FROM actions WHERE case_id IN (SELECT id FROM cases \
                 WHERE status = 'closed' AND opened_at < ?1)",
                [&cut],
            )
            .map_err(&err)?;
            let cases = tx
                .execute(
                    "DELETE FROM cases WHERE status = 'closed' AND opened_at < ?1",
                    [&cut],
                )
                .map_err(&err)?;
            let decisions = tx
                .execute(
                    "DELETE FROM decisions WHERE decided_at < ?1 AND id NOT IN \
                     (SELECT decision_id FROM cases)",
                    [&cut],
                )
                .map_err(&err)?;
            let suppressions = tx
                .execute("DELETE FROM suppressions WHERE expires_at < ?1", [&cut])
                .map_err(&err)?;
            Ok(Pruned {
                cases: cases as u64,
                decisions: decisions as u64,
                suppressions: suppressions as u64,
            })
        })
    }
}

fn customer_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<CustomerRecord> {
    let status: String = r.get(1)?;
    let case: Option<i64> = r.get(2)?;
    let since: Option<String> = r.get(5)?;
    Ok(CustomerRecord {
        customer_id: r.get(0)?,
        status: CustomerStatus::parse(&status).ok_or_else(|| {
            rusqlite::Error::FromSqlConversionFailure(
                1,
                rusqlite::types::Type::Text,
                Box::<dyn std::error::Error + Send + Sync>::from(format!(
                    "customer status {status}"
                )),
            )
        })?,
        case: case.map(|c| c as CaseId),
        reviewer: r.get(3)?,
        note: r.get(4)?,
        since: since.as_deref().map(parse_time).transpose()?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decision(id: &str, action: Action) -> Decision {
        Decision {
            transaction_id: id.into(),
            risk: RiskLevel::High,
            action,
            score: 0,
            reasons: Vec::new(),
            version: "engine-1".into(),
            case: None,
            rescreen_of: None,
            report: None,
            summary: String::new(),
        }
    }

    fn summary(id: &str) -> TxSummary {
        TxSummary {
            screening: super::super::Screening::Transfer,
            transaction_id: id.into(),
            timestamp: Utc::now(),
            customer_id: "c-1".into(),
            direction: "outgoing".into(),
            amount: "10".into(),
            currency: "EUR".into(),
            parties: Vec::new(),
        }
    }

    fn record(store: &SqliteStore, id: &str, action: Action) -> Option<CaseId> {
        let d = decision(id, action);
        let s = summary(id);
        store
            .record(&[NewDecision {
                decision: &d,
                customer_id: "c-1",
                transaction: Some(&s),
                content: 7,
                decided_at: Utc::now(),
                entries: &[],
                replaces: None,
            }])
            .unwrap()[0]
    }

    fn resolve(case: CaseId, outcome: Outcome) -> StaffAction {
        StaffAction {
            at: Utc::now(),
            reviewer: "r-1".into(),
            what: ActionKind::Resolve { outcome },
            case: Some(case),
            customer_id: "c-1".into(),
            transaction_id: None,
            note: "n".into(),
        }
    }

    #[test]
    fn a_new_store_is_owner_only_and_keeps_decisions_and_cases_across_opens() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cases.db");
        let store = SqliteStore::open(&path).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o077, 0, "{mode:o}");
        }
        assert_eq!(record(&store, "t-1", Action::Allow), None);
        let case = record(&store, "t-2", Action::Hold).unwrap();
        drop(store);
        let store = SqliteStore::open(&path).unwrap();
        let kept = store.recorded("c-1", "t-2").unwrap().unwrap();
        assert_eq!(kept.content, 7);
        assert_eq!(kept.decision.case, Some(case));
        assert!(store.recorded("c-2", "t-2").unwrap().is_none());
        assert_eq!(store.case(case).unwrap().unwrap().status, CaseStatus::Open);
    }

    #[test]
    fn a_second_store_on_the_file_and_a_newer_schema_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cases.db");
        let first = SqliteStore::open(&path).unwrap();
        let second = SqliteStore::open(&path).unwrap_err();
        assert!(matches!(second, StoreError::Locked { .. }), "{second}");
        assert!(second.to_string().contains("cases.db"), "{second}");
        drop(first);
        {
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch("PRAGMA user_version=99").unwrap();
        }
        let newer = SqliteStore::open(&path).unwrap_err();
        assert!(newer.to_string().contains("newer"), "{newer}");
    }

    #[test]
    fn an_action_the_audit_refuses_is_not_kept_and_a_closed_case_stays_closed() {
        let store = SqliteStore::in_memory();
        let case = record(&store, "t-1", Action::Block).unwrap();
        let refused = store
            .act(&[resolve(case, Outcome::Confirmed)], &[], &mut |_| {
                Err("disk full".into())
            })
            .unwrap_err();
        assert!(matches!(refused, StoreError::Audit(_)), "{refused}");
        assert_eq!(store.case(case).unwrap().unwrap().status, CaseStatus::Open);
        assert!(store.case(case).unwrap().unwrap().actions.is_empty());
        store
            .act(&[resolve(case, Outcome::Escalated)], &[], &mut |_| Ok(()))
            .unwrap();
        assert_eq!(
            store.case(case).unwrap().unwrap().status,
            CaseStatus::InReview
        );
        store
            .act(&[resolve(case, Outcome::Confirmed)], &[], &mut |_| Ok(()))
            .unwrap();
        let again = store
            .act(&[resolve(case, Outcome::FalsePositive)], &[], &mut |_| {
                Ok(())
            })
            .unwrap_err();
        assert!(again.to_string().contains("already closed"), "{again}");
        let closed = store.case(case).unwrap().unwrap();
        assert_eq!(closed.outcome, Some(Outcome::Confirmed));
        assert_eq!(closed.actions.len(), 2);
        assert_eq!(
            store
                .count_blocks("c-1", Utc::now() - chrono::Duration::days(1), true)
                .unwrap(),
            1
        );
        // prune removes the closed case, not an open one
        let open = record(&store, "t-2", Action::Hold).unwrap();
        let pruned = store
            .prune(Utc::now() + chrono::Duration::seconds(1))
            .unwrap();
        assert_eq!(pruned.cases, 1);
        assert!(store.case(case).unwrap().is_none());
        assert!(store.case(open).unwrap().is_some());
    }
}
