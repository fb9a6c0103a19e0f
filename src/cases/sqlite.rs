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
    ActionKind, Case, CaseFilter, CaseId, CaseStatus, CaseStore, CustomerRecord, CustomerStatus,
    ListEntry, NewDecision, Outcome, Pruned, StaffAction, StoreError, StoredDecision, Suppression,
    TxSummary,
};
use crate::durable::FileLock;
use crate::model::{Action, Decision};

/// The schema this build writes; older stores are migrated to it.
pub const SCHEMA_VERSION: u32 = 1;

/// Each migration, applied in order: `MIGRATIONS[i]` takes a store from
/// version `i` to `i + 1`.
const MIGRATIONS: &[&str] = &[r"
CREATE TABLE decisions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    customer_id TEXT NOT NULL,
    transaction_id TEXT NOT NULL,
    content BLOB NOT NULL,
    engine_id TEXT NOT NULL,
    decided_at TEXT NOT NULL,
    action TEXT NOT NULL,
    decision TEXT NOT NULL,
    case_id INTEGER,
    replaces INTEGER
);
CREATE INDEX decisions_by_transaction ON decisions (customer_id, transaction_id);
CREATE INDEX decisions_by_time ON decisions (decided_at);
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
CREATE TABLE customers (
    customer_id TEXT PRIMARY KEY,
    status TEXT NOT NULL,
    case_id INTEGER,
    reviewer TEXT,
    note TEXT,
    since TEXT
);
"];

/// The SQLite [`CaseStore`].
pub struct SqliteStore {
    path: PathBuf,
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

fn to_json<T: serde::Serialize>(value: &T) -> String {
    // the store's own types are plain data: they always serialise
    serde_json::to_string(value).unwrap_or_default()
}

fn action_text(a: Action) -> &'static str {
    match a {
        Action::Allow => "allow",
        Action::Hold => "hold",
        Action::Block => "block",
    }
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
            writer: Mutex::new(writer),
            readers: Some(Mutex::new(Vec::new())),
            _lock: Some(lock),
        };
        store.prepare(true)?;
        Ok(store)
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
            writer: Mutex::new(writer),
            readers: None,
            _lock: None,
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
            conn.execute_batch("PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;")
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
                c.execute_batch("PRAGMA busy_timeout=5000;")
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

const CASE_COLUMNS: &str = "c.id, c.status, c.outcome, c.opened_at, d.decision, d.case_id, \
                            c.summary, c.entries";

/// A case row without its actions.
fn case_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Case> {
    let id: i64 = row.get(0)?;
    let status: String = row.get(1)?;
    let outcome: Option<String> = row.get(2)?;
    let opened: String = row.get(3)?;
    let decision: String = row.get(4)?;
    let case_id: Option<i64> = row.get(5)?;
    let summary: String = row.get(6)?;
    let entries: String = row.get(7)?;
    let mut decision: Decision = json_column(&decision)?;
    decision.case = case_id.map(|c| c as u64);
    let bad = |what: String| {
        rusqlite::Error::FromSqlConversionFailure(
            1,
            rusqlite::types::Type::Text,
            Box::<dyn std::error::Error + Send + Sync>::from(what),
        )
    };
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

impl CaseStore for SqliteStore {
    fn record(&self, decisions: &[NewDecision<'_>]) -> Result<Vec<Option<CaseId>>, StoreError> {
        if decisions.is_empty() {
            return Ok(Vec::new());
        }
        self.write(|tx| {
            let err = self.db_error("cannot record a decision");
            let mut insert_decision = tx
                .prepare_cached(
                    "INSERT INTO decisions (customer_id, transaction_id, content, engine_id, \
                     decided_at, action, decision, replaces) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                )
                .map_err(&err)?;
            let mut insert_case = tx
                .prepare_cached(
                    "INSERT INTO cases (decision_id, customer_id, transaction_id, opened_at, \
                     status, action, summary, entries) VALUES (?1, ?2, ?3, ?4, 'open', ?5, ?6, ?7)",
                )
                .map_err(&err)?;
            let mut link = tx
                .prepare_cached("UPDATE decisions SET case_id = ?1 WHERE id = ?2")
                .map_err(&err)?;
            let mut cases = Vec::with_capacity(decisions.len());
            for d in decisions {
                let summary = d.transaction;
                let at = time_text(d.decided_at);
                insert_decision
                    .execute(params![
                        summary.customer_id,
                        summary.transaction_id,
                        &d.content.to_le_bytes()[..],
                        d.decision.version,
                        at,
                        action_text(d.decision.action),
                        to_json(d.decision),
                        d.replaces,
                    ])
                    .map_err(&err)?;
                let row = tx.last_insert_rowid();
                if !d.opens_case() {
                    cases.push(None);
                    continue;
                }
                insert_case
                    .execute(params![
                        row,
                        summary.customer_id,
                        summary.transaction_id,
                        at,
                        action_text(d.decision.action),
                        to_json(summary),
                        to_json(&d.entries),
                    ])
                    .map_err(&err)?;
                let case = tx.last_insert_rowid();
                link.execute(params![case, row]).map_err(&err)?;
                cases.push(Some(case as CaseId));
            }
            Ok(cases)
        })
    }

    fn recorded(
        &self,
        customer_id: &str,
        transaction_id: &str,
    ) -> Result<Option<StoredDecision>, StoreError> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT id, content, decided_at, decision, case_id FROM decisions \
                 WHERE customer_id = ?1 AND transaction_id = ?2 ORDER BY id DESC LIMIT 1",
            )?;
            stmt.query_row(params![customer_id, transaction_id], |row| {
                let content: Vec<u8> = row.get(1)?;
                let at: String = row.get(2)?;
                let decision: String = row.get(3)?;
                let case: Option<i64> = row.get(4)?;
                let mut decision: Decision = json_column(&decision)?;
                decision.case = case.map(|c| c as u64);
                let content = <[u8; 16]>::try_from(content.as_slice())
                    .map(u128::from_le_bytes)
                    .unwrap_or(0);
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
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT {CASE_COLUMNS} FROM cases c JOIN decisions d ON d.id = c.decision_id \
                 WHERE (?1 IS NULL OR c.status = ?1) AND (?2 IS NULL OR c.customer_id = ?2) \
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
        action: &StaffAction,
        suppressions: &[Suppression],
        seal: &mut dyn FnMut(&StaffAction) -> Result<(), String>,
    ) -> Result<(), StoreError> {
        self.write(|tx| {
            let err = self.db_error("cannot record the staff action");
            match &action.what {
                ActionKind::Resolve { outcome } => {
                    let case = action.case.ok_or_else(|| {
                        StoreError::Refused("a resolution names no case".into())
                    })?;
                    let current: Option<(String, Option<String>)> = tx
                        .query_row(
                            "SELECT status, outcome FROM cases WHERE id = ?1",
                            [case as i64],
                            |r| Ok((r.get(0)?, r.get(1)?)),
                        )
                        .optional()
                        .map_err(&err)?;
                    let Some((status, previous)) = current else {
                        return Err(StoreError::Refused(format!("there is no case {case}")));
                    };
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
            tx.execute(
                "INSERT INTO actions (at, reviewer, action, case_id, customer_id, transaction_id, note) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    time_text(action.at),
                    action.reviewer,
                    to_json(&action.what),
                    action.case.map(|c| c as i64),
                    action.customer_id,
                    action.transaction_id,
                    action.note
                ],
            )
            .map_err(&err)?;
            // sealed in the audit chain before the commit: an action the
            // chain refused is not kept
            seal(action).map_err(StoreError::Audit)
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
