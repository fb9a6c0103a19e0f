//! The shared case store: one PostgreSQL database that several instances
//! of the service use at once (feature `postgres`).
//!
//! Reach for it when more than one process screens or serves reviewers:
//! a case opened on one instance, a false positive cleared on another and
//! a customer frozen on a third are then one store. A single process keeps
//! the embedded [`super::SqliteStore`]: no server to run, and no network
//! round trip on every decision.
//!
//! It keeps [`super::SqliteStore`]'s schema and answers every
//! [`CaseStore`] method as it does. What differs follows from several
//! writers:
//! - ids come from sequences (`BIGSERIAL`), never from reading the largest
//!   id and adding one, so two instances recording at once never share a
//!   case number;
//! - staff actions are applied under one transaction-level advisory lock
//!   (and the case row `FOR UPDATE`): two reviewers resolving the same case
//!   on two instances are serialised, the second is refused as on SQLite,
//!   and action ids become visible in their order, so an instance polling
//!   [`CaseStore::last_action`] never skips one;
//! - the schema is migrated under an advisory lock, so instances starting
//!   together migrate it once.
//!
//! Times are kept as the same fixed-width RFC 3339 text as in SQLite, and
//! every text column sorts and compares bytewise (`COLLATE "C"`), so orders
//! and time ranges are SQLite's, whatever the database's locale.
//!
//! Connections are opened on demand and kept idle for reuse (at most
//! [`MAX_IDLE_CONNECTIONS`]); one that fails is closed. A call that finds
//! its idle connection closed by the server (a restart, a failover) before
//! anything was done on it is tried once more on a new connection.
//! Connections are unencrypted (`NoTls`): keep the database on a private
//! network or a local socket, or put a TLS tunnel in front of it.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use ::postgres::fallible_iterator::FallibleIterator;
use ::postgres::types::ToSql;
use ::postgres::{Client, NoTls, Row, Statement};
use chrono::{DateTime, SecondsFormat, Utc};

use super::{
    to_json, ActionKind, Case, CaseFilter, CaseId, CaseStatus, CaseStore, CustomerHit,
    CustomerRecord, CustomerStatus, ListEntry, NewDecision, Outcome, Pruned, RatingRecord,
    Registered, StaffAction, StoreError, StoredDecision, Suppression, TxSummary, SCHEMA_VERSION,
};
use crate::model::{Action, Decision, RiskLevel};

/// Idle connections kept for reuse; more are opened when more calls run at
/// once, and closed when they end.
pub const MAX_IDLE_CONNECTIONS: usize = 8;

/// How long connecting may take when the URL does not say
/// (`connect_timeout`): a database that cannot be reached is an error
/// after this, not a request thread stuck.
const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Rows per statement in a multi-row write (each column sent as one
/// array): large imports are several statements of one transaction.
const ROWS_PER_STATEMENT: usize = 1000;

/// The advisory lock held while the schema is migrated ("amlsmig").
const MIGRATION_LOCK: i64 = 0x616d_6c73_6d69_6700;

/// The advisory lock every staff action and prune is applied under
/// ("amlsact"): see the module documentation.
const ACTIONS_LOCK: i64 = 0x616d_6c73_6163_7400;

/// Each migration, applied in order: `MIGRATIONS[i]` takes a database from
/// version `i` to `i + 1`, as SQLite's do (the same version numbers).
const MIGRATIONS: &[&str] = &[
    r#"
CREATE TABLE decisions (
    id BIGSERIAL PRIMARY KEY,
    customer_id TEXT COLLATE "C" NOT NULL,
    transaction_id TEXT COLLATE "C" NOT NULL,
    content BYTEA NOT NULL,
    engine_id TEXT NOT NULL,
    decided_at TEXT COLLATE "C" NOT NULL,
    action TEXT COLLATE "C" NOT NULL,
    risk TEXT NOT NULL,
    score BIGINT NOT NULL,
    decision TEXT,
    case_id BIGINT,
    replaces BIGINT
);
CREATE INDEX decisions_by_transaction ON decisions (customer_id, transaction_id, id);
CREATE TABLE cases (
    id BIGSERIAL PRIMARY KEY,
    decision_id BIGINT NOT NULL,
    customer_id TEXT COLLATE "C" NOT NULL,
    transaction_id TEXT COLLATE "C" NOT NULL,
    opened_at TEXT COLLATE "C" NOT NULL,
    status TEXT COLLATE "C" NOT NULL,
    outcome TEXT COLLATE "C",
    action TEXT COLLATE "C" NOT NULL,
    summary TEXT NOT NULL,
    entries TEXT NOT NULL
);
CREATE INDEX cases_by_customer ON cases (customer_id, opened_at);
CREATE INDEX cases_by_status ON cases (status, opened_at);
CREATE INDEX cases_by_decision ON cases (decision_id);
CREATE TABLE actions (
    id BIGSERIAL PRIMARY KEY,
    at TEXT COLLATE "C" NOT NULL,
    reviewer TEXT NOT NULL,
    action TEXT NOT NULL,
    case_id BIGINT,
    customer_id TEXT COLLATE "C" NOT NULL,
    transaction_id TEXT COLLATE "C",
    note TEXT NOT NULL
);
CREATE INDEX actions_by_case ON actions (case_id);
CREATE TABLE suppressions (
    id BIGSERIAL PRIMARY KEY,
    customer_id TEXT COLLATE "C" NOT NULL,
    role TEXT NOT NULL,
    name TEXT NOT NULL,
    birth_date TEXT,
    entity_id TEXT COLLATE "C" NOT NULL,
    entry_hash TEXT NOT NULL,
    case_id BIGINT NOT NULL,
    reviewer TEXT NOT NULL,
    created_at TEXT COLLATE "C" NOT NULL,
    expires_at TEXT COLLATE "C" NOT NULL
);
CREATE TABLE counters (
    name TEXT COLLATE "C" PRIMARY KEY,
    next BIGINT NOT NULL
);
CREATE TABLE customers (
    customer_id TEXT COLLATE "C" PRIMARY KEY,
    status TEXT COLLATE "C" NOT NULL,
    case_id BIGINT,
    reviewer TEXT,
    note TEXT,
    since TEXT COLLATE "C"
);
"#,
    r#"
CREATE TABLE registry (
    customer_id TEXT COLLATE "C" PRIMARY KEY,
    profile TEXT NOT NULL,
    hash TEXT NOT NULL,
    updated_at TEXT COLLATE "C" NOT NULL
);
CREATE TABLE customer_hits (
    customer_id TEXT COLLATE "C" NOT NULL,
    entity_id TEXT COLLATE "C" NOT NULL,
    entry_hash TEXT NOT NULL,
    case_id BIGINT,
    found_at TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (customer_id, entity_id)
);
CREATE INDEX customer_hits_by_entity ON customer_hits (entity_id);
CREATE TABLE screened_entries (
    entity_id TEXT COLLATE "C" PRIMARY KEY,
    entry_hash TEXT NOT NULL
);
"#,
    r#"
CREATE TABLE ratings (
    customer_id TEXT COLLATE "C" PRIMARY KEY,
    level TEXT NOT NULL,
    score DOUBLE PRECISION NOT NULL,
    rating TEXT NOT NULL,
    rated_at TEXT COLLATE "C" NOT NULL
);
"#,
];

// one schema version for both stores: a migration added to one is added
// to the other
const _: () = assert!(MIGRATIONS.len() == SCHEMA_VERSION as usize);

/// The PostgreSQL [`CaseStore`], shared by every instance that connects
/// to the same database.
///
/// ```no_run
/// use amlscreen::cases::{CaseStatus, CaseStore, PostgresStore};
///
/// let store = PostgresStore::connect("postgres://amlscreen:secret@db.internal:5432/amlscreen")?;
/// println!("{} open cases", store.count_cases(Some(CaseStatus::Open))?);
/// # Ok::<(), amlscreen::cases::StoreError>(())
/// ```
pub struct PostgresStore {
    config: ::postgres::Config,
    /// Where the database is, without user or password: what errors name.
    target: PathBuf,
    /// The password, removed from every message that could quote it.
    password: Option<String>,
    idle: Mutex<Vec<Conn>>,
}

impl std::fmt::Debug for PostgresStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresStore")
            .field("database", &self.target)
            .finish_non_exhaustive()
    }
}

/// One connection and the statements prepared on it.
struct Conn {
    client: Client,
    statements: HashMap<String, Statement>,
}

/// Why an operation failed: the database (the connection is then
/// closed), or the store's own refusal (the connection is fine).
enum Fail {
    Db {
        what: &'static str,
        error: ::postgres::Error,
    },
    Store(StoreError),
    /// A stored value this build cannot read.
    Corrupt(String),
}

impl From<StoreError> for Fail {
    fn from(e: StoreError) -> Fail {
        Fail::Store(e)
    }
}

/// `.ctx("what was being done")` on a database result.
trait Context<T> {
    fn ctx(self, what: &'static str) -> Result<T, Fail>;
}

impl<T> Context<T> for Result<T, ::postgres::Error> {
    fn ctx(self, what: &'static str) -> Result<T, Fail> {
        self.map_err(|error| Fail::Db { what, error })
    }
}

/// Whether an error means the connection is gone (closed, reset, the
/// server shutting down), rather than one statement failing.
fn connection_lost(e: &::postgres::Error) -> bool {
    if e.is_closed() {
        return true;
    }
    if let Some(code) = e.code() {
        // class 08: connection exception; 57P0x: the server going away
        let code = code.code();
        return code.starts_with("08") || code.starts_with("57P");
    }
    std::error::Error::source(e).is_some_and(|s| s.is::<std::io::Error>())
}

/// A connection in use by one call: counts the requests that succeeded,
/// so a call whose first request found the connection closed can be
/// tried again with nothing done twice.
struct Session<'a> {
    conn: &'a mut Conn,
    done: usize,
}

impl Session<'_> {
    fn statement(&mut self, sql: &str) -> Result<Statement, ::postgres::Error> {
        if let Some(s) = self.conn.statements.get(sql) {
            return Ok(s.clone());
        }
        let s = self.conn.client.prepare(sql)?;
        self.conn.statements.insert(sql.to_owned(), s.clone());
        Ok(s)
    }

    fn query(
        &mut self,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Vec<Row>, ::postgres::Error> {
        let s = self.statement(sql)?;
        let rows = self.conn.client.query(&s, params)?;
        self.done += 1;
        Ok(rows)
    }

    fn query_opt(
        &mut self,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Option<Row>, ::postgres::Error> {
        let s = self.statement(sql)?;
        let row = self.conn.client.query_opt(&s, params)?;
        self.done += 1;
        Ok(row)
    }

    fn query_one(
        &mut self,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Row, ::postgres::Error> {
        let s = self.statement(sql)?;
        let row = self.conn.client.query_one(&s, params)?;
        self.done += 1;
        Ok(row)
    }

    fn execute(
        &mut self,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<u64, ::postgres::Error> {
        let s = self.statement(sql)?;
        let n = self.conn.client.execute(&s, params)?;
        self.done += 1;
        Ok(n)
    }

    /// Statements without parameters, in the simple protocol.
    fn batch(&mut self, sql: &str) -> Result<(), ::postgres::Error> {
        self.conn.client.batch_execute(sql)?;
        self.done += 1;
        Ok(())
    }
}

/// Times are stored as fixed-width RFC 3339 (UTC, microseconds), as in
/// SQLite, so text order is time order.
fn time_text(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

fn parse_time(text: &str) -> Result<DateTime<Utc>, Fail> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| Fail::Corrupt(format!("time {text}: {e}")))
}

fn json_column<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, Fail> {
    serde_json::from_str(text).map_err(|e| Fail::Corrupt(format!("stored JSON: {e}")))
}

fn parse_action(text: &str) -> Result<Action, Fail> {
    match text {
        "allow" => Ok(Action::Allow),
        "hold" => Ok(Action::Hold),
        "block" => Ok(Action::Block),
        other => Err(Fail::Corrupt(format!("decision action {other}"))),
    }
}

fn parse_risk(text: &str) -> Result<RiskLevel, Fail> {
    match text {
        "low" => Ok(RiskLevel::Low),
        "medium" => Ok(RiskLevel::Medium),
        "high" => Ok(RiskLevel::High),
        other => Err(Fail::Corrupt(format!("risk level {other}"))),
    }
}

/// Column `i` of a row.
fn col<'r, T: ::postgres::types::FromSql<'r>>(row: &'r Row, i: usize) -> Result<T, Fail> {
    row.try_get(i).ctx("cannot read")
}

/// Keeps the last of the items sharing a key, in their order: what one
/// `INSERT … ON CONFLICT DO UPDATE` per item would leave (a single
/// statement may not touch a row twice).
fn last_per_key<'a, T, K: std::hash::Hash + Eq>(
    items: &'a [T],
    key: impl Fn(&'a T) -> K,
) -> Vec<&'a T> {
    let mut seen = HashSet::new();
    let mut kept: Vec<&T> = items.iter().rev().filter(|i| seen.insert(key(i))).collect();
    kept.reverse();
    kept
}

/// The database a URL names, without user or password: `postgres://host:port/db`.
fn describe(config: &::postgres::Config) -> String {
    use ::postgres::config::Host;
    let ports = config.get_ports();
    let hosts: Vec<String> = config
        .get_hosts()
        .iter()
        .enumerate()
        .map(|(i, host)| {
            let port = ports.get(i).or(ports.first()).copied().unwrap_or(5432);
            match host {
                Host::Tcp(name) => format!("{name}:{port}"),
                Host::Unix(dir) => format!("{}:{port}", dir.display()),
            }
        })
        .collect();
    let db = config.get_dbname().or(config.get_user()).unwrap_or("");
    format!("postgres://{}/{db}", hosts.join(","))
}

impl PostgresStore {
    /// Connects to the database `url` names
    /// (`postgres://user:password@host:port/database`, or libpq's
    /// `key=value` form) and brings its schema to [`SCHEMA_VERSION`], in
    /// one transaction, under an advisory lock: instances starting together
    /// migrate it once. The user needs `CREATE` on the database's schema
    /// the first time.
    ///
    /// A URL that does not parse, a server that cannot be reached or
    /// refuses the login, or a schema written by a newer amlscreen: an
    /// error naming the database, never the password.
    pub fn connect(url: &str) -> Result<PostgresStore, StoreError> {
        let mut config: ::postgres::Config = url.parse().map_err(|e| StoreError::Database {
            path: PathBuf::from("postgres"),
            message: format!(
                "not a PostgreSQL connection URL \
                 (postgres://user:password@host:port/database): {e}"
            ),
        })?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(DEFAULT_CONNECT_TIMEOUT);
        }
        if config.get_application_name().is_none() {
            config.application_name("amlscreen");
        }
        let password = config
            .get_password()
            .map(|p| String::from_utf8_lossy(p).into_owned())
            .filter(|p| !p.is_empty());
        let store = PostgresStore {
            target: PathBuf::from(describe(&config)),
            config,
            password,
            idle: Mutex::new(Vec::new()),
        };
        store.migrate()?;
        Ok(store)
    }

    /// The database, as errors name it: `postgres://host:port/database`
    /// (no user, no password).
    pub fn database(&self) -> &Path {
        &self.target
    }

    fn error(&self, message: String) -> StoreError {
        let message = match &self.password {
            Some(p) => message.replace(p.as_str(), "********"),
            None => message,
        };
        StoreError::Database {
            path: self.target.clone(),
            message,
        }
    }

    /// Creates the tables, or migrates them forward, under the migration
    /// lock; refuses a schema newer than this build's.
    fn migrate(&self) -> Result<(), StoreError> {
        self.write(|s| {
            let what = "cannot read it as a case store";
            s.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
                .ctx(what)?;
            let known: bool = col(
                &s.query_one("SELECT to_regclass('amlscreen_schema') IS NOT NULL", &[])
                    .ctx(what)?,
                0,
            )?;
            if !known {
                s.batch("CREATE TABLE amlscreen_schema (version BIGINT NOT NULL)")
                    .ctx("cannot migrate its schema")?;
            }
            let version: i64 = match s
                .query_opt("SELECT max(version) FROM amlscreen_schema", &[])
                .ctx(what)?
            {
                Some(row) => col::<Option<i64>>(&row, 0)?.unwrap_or(0),
                None => 0,
            };
            let version = usize::try_from(version)
                .map_err(|_| Fail::Corrupt(format!("schema version {version}")))?;
            if version > MIGRATIONS.len() {
                return Err(Fail::Store(self.error(format!(
                    "its schema is version {version}, newer than this amlscreen's \
                     {SCHEMA_VERSION}: open it with a newer amlscreen"
                ))));
            }
            if version == MIGRATIONS.len() {
                return Ok(());
            }
            for migration in &MIGRATIONS[version..] {
                s.batch(migration).ctx("cannot migrate its schema")?;
            }
            s.batch(&format!(
                "DELETE FROM amlscreen_schema; \
                 INSERT INTO amlscreen_schema (version) VALUES ({SCHEMA_VERSION})"
            ))
            .ctx("cannot migrate its schema")?;
            Ok(())
        })
    }

    /// An idle connection (and `true`), or a new one.
    fn checkout(&self) -> Result<(Conn, bool), StoreError> {
        loop {
            let idle = self.idle.lock().unwrap_or_else(|p| p.into_inner()).pop();
            match idle {
                Some(conn) if conn.client.is_closed() => continue,
                Some(conn) => return Ok((conn, true)),
                None => break,
            }
        }
        let client = self
            .config
            .connect(NoTls)
            .map_err(|e| self.error(format!("cannot connect: {e}")))?;
        Ok((
            Conn {
                client,
                statements: HashMap::new(),
            },
            false,
        ))
    }

    fn checkin(&self, conn: Conn) {
        let mut idle = self.idle.lock().unwrap_or_else(|p| p.into_inner());
        if idle.len() < MAX_IDLE_CONNECTIONS && !conn.client.is_closed() {
            idle.push(conn);
        }
    }

    /// Runs `f` on a connection (in one transaction with `transaction`,
    /// committed when it returns `Ok`). A database error closes the
    /// connection; one that lost the connection empties the idle ones too
    /// (the server went away: they are most likely dead as well), and is
    /// tried again on a new connection when it was the first request on a
    /// reused one and `retry` allows it.
    fn run<T>(
        &self,
        transaction: bool,
        retry: bool,
        mut f: impl FnMut(&mut Session<'_>) -> Result<T, Fail>,
    ) -> Result<T, StoreError> {
        let mut tried_again = false;
        loop {
            let (mut conn, reused) = self.checkout()?;
            let mut s = Session {
                conn: &mut conn,
                done: 0,
            };
            let out = (|| {
                if transaction {
                    s.batch("BEGIN").ctx("cannot write")?;
                }
                let out = f(&mut s)?;
                if transaction {
                    s.batch("COMMIT").ctx("cannot commit")?;
                }
                Ok(out)
            })();
            let done = s.done;
            match out {
                Ok(out) => {
                    self.checkin(conn);
                    return Ok(out);
                }
                Err(Fail::Db { what, error }) => {
                    let lost = connection_lost(&error) || conn.client.is_closed();
                    drop(conn);
                    if lost {
                        self.idle.lock().unwrap_or_else(|p| p.into_inner()).clear();
                        // nothing was done: BEGIN (or a read's first
                        // request) found the connection closed
                        let again = retry && reused && done == 0;
                        if again && !tried_again {
                            tried_again = true;
                            continue;
                        }
                    }
                    return Err(self.error(format!("{what}: {error}")));
                }
                Err(Fail::Store(e)) => {
                    self.release(conn, transaction);
                    return Err(e);
                }
                Err(Fail::Corrupt(what)) => {
                    self.release(conn, transaction);
                    return Err(self.error(format!("cannot read: {what}")));
                }
            }
        }
    }

    /// Returns a connection after the store's own refusal: it is fine
    /// once its transaction is rolled back.
    fn release(&self, mut conn: Conn, transaction: bool) {
        if !transaction || conn.client.batch_execute("ROLLBACK").is_ok() {
            self.checkin(conn);
        }
    }

    /// Runs `f` outside a transaction (each statement on its own), tried
    /// again once when its reused connection turned out closed.
    fn read<T>(&self, f: impl FnMut(&mut Session<'_>) -> Result<T, Fail>) -> Result<T, StoreError> {
        self.run(false, true, f)
    }

    /// Runs `f` in one transaction, committed when it returns `Ok`; tried
    /// again once when its reused connection turned out closed at `BEGIN`.
    fn write<T>(
        &self,
        f: impl FnMut(&mut Session<'_>) -> Result<T, Fail>,
    ) -> Result<T, StoreError> {
        self.run(true, true, f)
    }
}

/// `SELECT` list of a case with its decision, read by [`case_row`].
macro_rules! case_columns {
    () => {
        "c.id, c.status, c.outcome, c.opened_at, d.case_id, c.summary, c.entries, \
         d.decision, d.transaction_id, d.action, d.risk, d.score, d.engine_id"
    };
}

/// `SELECT` list of a staff action, read by [`action_row`].
macro_rules! action_columns {
    () => {
        "at, reviewer, action, case_id, customer_id, transaction_id, note"
    };
}

const CASE_BY_ID: &str = concat!(
    "SELECT ",
    case_columns!(),
    " FROM cases c JOIN decisions d ON d.id = c.decision_id WHERE c.id = $1"
);

const CASES_OF_CUSTOMER: &str = concat!(
    "SELECT ",
    case_columns!(),
    " FROM cases c JOIN decisions d ON d.id = c.decision_id \
     WHERE ($1::text IS NULL OR c.status = $1) AND c.customer_id = $2 \
     AND ($3::text IS NULL OR c.opened_at >= $3) ORDER BY c.id DESC LIMIT $4"
);

// a separate statement: `$2 IS NULL OR …` would keep a generic plan
// from using the customer index
const CASES_OF_ANYONE: &str = concat!(
    "SELECT ",
    case_columns!(),
    " FROM cases c JOIN decisions d ON d.id = c.decision_id \
     WHERE ($1::text IS NULL OR c.status = $1) AND $2::text IS NULL \
     AND ($3::text IS NULL OR c.opened_at >= $3) ORDER BY c.id DESC LIMIT $4"
);

const ACTIONS_OF_CASES: &str = concat!(
    "SELECT ",
    action_columns!(),
    " FROM actions WHERE case_id = ANY($1) ORDER BY id"
);

const INSERT_ACTION: &str = concat!(
    "INSERT INTO actions (",
    action_columns!(),
    ") VALUES ($1, $2, $3, $4, $5, $6, $7)"
);

/// A decision from the columns `decision, transaction_id, action, risk,
/// score, engine_id` starting at `at`: its JSON when kept, else (no
/// reasons) its columns.
fn decision_columns(row: &Row, at: usize) -> Result<Decision, Fail> {
    let text: Option<String> = col(row, at)?;
    if let Some(text) = text {
        let mut d: Decision = json_column(&text)?;
        // a decision stored before decisions carried a summary
        if d.summary.is_empty() {
            d.summary = d.compose_summary();
        }
        return Ok(d);
    }
    let score: i64 = col(row, at + 4)?;
    let mut d = Decision {
        transaction_id: col(row, at + 1)?,
        action: parse_action(&col::<String>(row, at + 2)?)?,
        risk: parse_risk(&col::<String>(row, at + 3)?)
            .map_err(|_| Fail::Corrupt("decision risk".into()))?,
        score: u32::try_from(score).map_err(|_| Fail::Corrupt(format!("score {score}")))?,
        reasons: Vec::new(),
        version: col(row, at + 5)?,
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
fn case_row(row: &Row) -> Result<Case, Fail> {
    let id: i64 = col(row, 0)?;
    let status: String = col(row, 1)?;
    let outcome: Option<String> = col(row, 2)?;
    let opened: String = col(row, 3)?;
    let case_id: Option<i64> = col(row, 4)?;
    let summary: String = col(row, 5)?;
    let entries: String = col(row, 6)?;
    let mut decision = decision_columns(row, 7)?;
    decision.case = case_id.map(|c| c as u64);
    Ok(Case {
        id: id as CaseId,
        status: CaseStatus::parse(&status)
            .ok_or_else(|| Fail::Corrupt(format!("case status {status}")))?,
        outcome: match outcome {
            Some(o) => {
                Some(Outcome::parse(&o).ok_or_else(|| Fail::Corrupt(format!("case outcome {o}")))?)
            }
            None => None,
        },
        opened_at: parse_time(&opened)?,
        decision,
        transaction: json_column::<TxSummary>(&summary)?,
        entries: json_column::<Vec<ListEntry>>(&entries)?,
        actions: Vec::new(),
    })
}

fn action_row(row: &Row) -> Result<StaffAction, Fail> {
    let at: String = col(row, 0)?;
    let what: String = col(row, 2)?;
    let case: Option<i64> = col(row, 3)?;
    Ok(StaffAction {
        at: parse_time(&at)?,
        reviewer: col(row, 1)?,
        what: json_column::<ActionKind>(&what)?,
        case: case.map(|c| c as CaseId),
        customer_id: col(row, 4)?,
        transaction_id: col(row, 5)?,
        note: col(row, 6)?,
    })
}

/// Fills in each case's actions, oldest first, in one query.
fn with_actions(s: &mut Session<'_>, cases: &mut [Case]) -> Result<(), Fail> {
    if cases.is_empty() {
        return Ok(());
    }
    let ids: Vec<i64> = cases.iter().map(|c| c.id as i64).collect();
    let rows = s.query(ACTIONS_OF_CASES, &[&ids]).ctx("cannot read")?;
    let mut by_case: HashMap<CaseId, Vec<StaffAction>> = HashMap::new();
    for row in &rows {
        let action = action_row(row)?;
        if let Some(case) = action.case {
            by_case.entry(case).or_default().push(action);
        }
    }
    for case in cases {
        case.actions = by_case.remove(&case.id).unwrap_or_default();
    }
    Ok(())
}

fn registered_row(row: &Row) -> Result<Registered, Fail> {
    let updated: String = col(row, 3)?;
    Ok(Registered {
        customer_id: col(row, 0)?,
        profile: col(row, 1)?,
        hash: col(row, 2)?,
        updated_at: parse_time(&updated)?,
    })
}

fn customer_row(row: &Row) -> Result<CustomerRecord, Fail> {
    let status: String = col(row, 1)?;
    let case: Option<i64> = col(row, 2)?;
    let since: Option<String> = col(row, 5)?;
    Ok(CustomerRecord {
        customer_id: col(row, 0)?,
        status: CustomerStatus::parse(&status)
            .ok_or_else(|| Fail::Corrupt(format!("customer status {status}")))?,
        case: case.map(|c| c as CaseId),
        reviewer: col(row, 3)?,
        note: col(row, 4)?,
        since: since.as_deref().map(parse_time).transpose()?,
    })
}

/// Applies one staff action inside the actions transaction: checks it is
/// allowed (the case row locked until the commit), updates the case or
/// customer and stores the action.
fn apply_action(s: &mut Session<'_>, action: &StaffAction) -> Result<(), Fail> {
    let what = "cannot record the staff action";
    let case_state =
        |s: &mut Session<'_>, case: CaseId| -> Result<(String, Option<String>), Fail> {
            let row = s
                .query_opt(
                    "SELECT status, outcome FROM cases WHERE id = $1 FOR UPDATE",
                    &[&(case as i64)],
                )
                .ctx(what)?
                .ok_or_else(|| StoreError::Refused(format!("there is no case {case}")))?;
            Ok((col(&row, 0)?, col(&row, 1)?))
        };
    match &action.what {
        ActionKind::Resolve { outcome } => {
            let case = action
                .case
                .ok_or_else(|| StoreError::Refused("a resolution names no case".into()))?;
            let (status, previous) = case_state(s, case)?;
            if status == CaseStatus::Closed.as_str() {
                return Err(StoreError::Refused(format!(
                    "case {case} is already closed ({}): a closed case is not resolved again",
                    previous.as_deref().unwrap_or("no outcome")
                ))
                .into());
            }
            s.execute(
                "UPDATE cases SET status = $1, outcome = $2 WHERE id = $3",
                &[
                    &outcome.status().as_str(),
                    &outcome.as_str(),
                    &(case as i64),
                ],
            )
            .ctx(what)?;
        }
        ActionKind::Review => {
            let case = action
                .case
                .ok_or_else(|| StoreError::Refused("a review names no case".into()))?;
            let (status, _) = case_state(s, case)?;
            if status != CaseStatus::Open.as_str() {
                return Err(StoreError::Refused(format!(
                    "case {case} is {status}: only an open case is taken into review"
                ))
                .into());
            }
            s.execute(
                "UPDATE cases SET status = 'in_review' WHERE id = $1",
                &[&(case as i64)],
            )
            .ctx(what)?;
        }
        ActionKind::Annotate => {
            let case = action
                .case
                .ok_or_else(|| StoreError::Refused("a note names no case".into()))?;
            case_state(s, case)?;
        }
        ActionKind::SetStatus { status } => {
            s.execute(
                "INSERT INTO customers (customer_id, status, case_id, reviewer, note, since) \
                 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (customer_id) DO UPDATE SET \
                 status = EXCLUDED.status, case_id = EXCLUDED.case_id, \
                 reviewer = EXCLUDED.reviewer, note = EXCLUDED.note, since = EXCLUDED.since",
                &[
                    &action.customer_id,
                    &status.as_str(),
                    &action.case.map(|c| c as i64),
                    &action.reviewer,
                    &action.note,
                    &time_text(action.at),
                ],
            )
            .ctx(what)?;
        }
    }
    s.execute(
        INSERT_ACTION,
        &[
            &time_text(action.at),
            &action.reviewer,
            &to_json(&action.what)?,
            &action.case.map(|c| c as i64),
            &action.customer_id,
            &action.transaction_id,
            &action.note,
        ],
    )
    .ctx(what)?;
    Ok(())
}

/// What one decision writes, prepared before the transaction.
struct DecisionRow<'a> {
    d: &'a NewDecision<'a>,
    decided_at: String,
    /// The decision's JSON, when it has reasons or links.
    decision: Option<String>,
    /// The case's summary and entries, when it opens one.
    case: Option<(String, String)>,
}

/// Records one chunk of decisions inside the record transaction.
fn record_chunk(s: &mut Session<'_>, rows: &[DecisionRow<'_>]) -> Result<Vec<Option<i64>>, Fail> {
    let what = "cannot record a decision";
    // ids from the sequence, before the rows are written: a case names its
    // decision and the decision its case without a second write (a
    // sequence never gives an id twice, even one a prune removed, so a
    // `replaces` link cannot be misread)
    let n = rows.len() as i64;
    let ids: Vec<i64> = s
        .query(
            "SELECT nextval(pg_get_serial_sequence('decisions', 'id')) \
             FROM generate_series(1, $1::bigint)",
            &[&n],
        )
        .ctx(what)?
        .iter()
        .map(|r| col::<i64>(r, 0))
        .collect::<Result<_, _>>()?;
    if ids.len() != rows.len() {
        return Err(Fail::Corrupt(format!(
            "{} decision ids for {} decisions",
            ids.len(),
            rows.len()
        )));
    }
    let opening: Vec<(i64, &DecisionRow<'_>)> = ids
        .iter()
        .copied()
        .zip(rows)
        .filter(|(_, r)| r.case.is_some())
        .collect();
    let mut case_of: HashMap<i64, i64> = HashMap::new();
    if !opening.is_empty() {
        let decision_ids: Vec<i64> = opening.iter().map(|(id, _)| *id).collect();
        let customers: Vec<&str> = opening.iter().map(|(_, r)| r.d.customer_id).collect();
        let transactions: Vec<&str> = opening
            .iter()
            .map(|(_, r)| r.d.decision.transaction_id.as_str())
            .collect();
        let opened: Vec<&str> = opening.iter().map(|(_, r)| r.decided_at.as_str()).collect();
        let actions: Vec<&str> = opening
            .iter()
            .map(|(_, r)| r.d.decision.action.name())
            .collect();
        let (summaries, entries): (Vec<&str>, Vec<&str>) = opening
            .iter()
            .filter_map(|(_, r)| r.case.as_ref())
            .map(|(s, e)| (s.as_str(), e.as_str()))
            .unzip();
        // ordered by decision id: case ids are given in decision order
        let made = s
            .query(
                "INSERT INTO cases (decision_id, customer_id, transaction_id, opened_at, status, \
                 action, summary, entries) \
                 SELECT d, c, t, o, 'open', a, s, e FROM unnest($1::bigint[], $2::text[], \
                 $3::text[], $4::text[], $5::text[], $6::text[], $7::text[]) \
                 AS u(d, c, t, o, a, s, e) ORDER BY d RETURNING id, decision_id",
                &[
                    &decision_ids,
                    &customers,
                    &transactions,
                    &opened,
                    &actions,
                    &summaries,
                    &entries,
                ],
            )
            .ctx(what)?;
        for row in &made {
            case_of.insert(col(row, 1)?, col(row, 0)?);
        }
    }
    let cases: Vec<Option<i64>> = ids.iter().map(|id| case_of.get(id).copied()).collect();
    let customers: Vec<&str> = rows.iter().map(|r| r.d.customer_id).collect();
    let transactions: Vec<&str> = rows
        .iter()
        .map(|r| r.d.decision.transaction_id.as_str())
        .collect();
    let contents: Vec<Vec<u8>> = rows
        .iter()
        .map(|r| r.d.content.to_le_bytes().to_vec())
        .collect();
    let engines: Vec<&str> = rows.iter().map(|r| r.d.decision.version.as_str()).collect();
    let at: Vec<&str> = rows.iter().map(|r| r.decided_at.as_str()).collect();
    let actions: Vec<&str> = rows.iter().map(|r| r.d.decision.action.name()).collect();
    let risks: Vec<&str> = rows.iter().map(|r| r.d.decision.risk.name()).collect();
    let scores: Vec<i64> = rows.iter().map(|r| i64::from(r.d.decision.score)).collect();
    let texts: Vec<Option<&str>> = rows.iter().map(|r| r.decision.as_deref()).collect();
    let replaces: Vec<Option<i64>> = rows.iter().map(|r| r.d.replaces).collect();
    s.execute(
        "INSERT INTO decisions (id, customer_id, transaction_id, content, engine_id, decided_at, \
         action, risk, score, decision, replaces, case_id) \
         SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::bytea[], $5::text[], \
         $6::text[], $7::text[], $8::text[], $9::bigint[], $10::text[], $11::bigint[], \
         $12::bigint[])",
        &[
            &ids,
            &customers,
            &transactions,
            &contents,
            &engines,
            &at,
            &actions,
            &risks,
            &scores,
            &texts,
            &replaces,
            &cases,
        ],
    )
    .ctx(what)?;
    Ok(cases)
}

impl CaseStore for PostgresStore {
    fn record(&self, decisions: &[NewDecision<'_>]) -> Result<Vec<Option<CaseId>>, StoreError> {
        if decisions.is_empty() {
            return Ok(Vec::new());
        }
        // serialised on every core before a connection is taken
        use rayon::prelude::*;
        let rows: Vec<DecisionRow<'_>> = decisions
            .par_iter()
            .map(|d| -> Result<DecisionRow<'_>, StoreError> {
                let case = match d.transaction.filter(|_| d.opens_case()) {
                    Some(t) => Some((to_json(t)?, to_json(&d.entries)?)),
                    None => None,
                };
                // a decision without reasons or links (most of them) is
                // kept in its columns alone
                let plain = d.decision.reasons.is_empty() && d.decision.rescreen_of.is_none();
                let decision = match plain {
                    true => None,
                    false => Some(to_json(d.decision)?),
                };
                Ok(DecisionRow {
                    d,
                    decided_at: time_text(d.decided_at),
                    decision,
                    case,
                })
            })
            .collect::<Result<_, _>>()?;
        self.write(|s| {
            let mut cases = Vec::with_capacity(rows.len());
            for chunk in rows.chunks(ROWS_PER_STATEMENT) {
                cases.extend(
                    record_chunk(s, chunk)?
                        .into_iter()
                        .map(|c| c.map(|c| c as CaseId)),
                );
            }
            Ok(cases)
        })
    }

    fn recorded(
        &self,
        customer_id: &str,
        transaction_id: &str,
    ) -> Result<Option<StoredDecision>, StoreError> {
        self.read(|s| {
            let Some(row) = s
                .query_opt(
                    "SELECT id, content, decided_at, case_id, decision, transaction_id, action, \
                     risk, score, engine_id FROM decisions \
                     WHERE customer_id = $1 AND transaction_id = $2 ORDER BY id DESC LIMIT 1",
                    &[&customer_id, &transaction_id],
                )
                .ctx("cannot read")?
            else {
                return Ok(None);
            };
            let content: Vec<u8> = col(&row, 1)?;
            let at: String = col(&row, 2)?;
            let case: Option<i64> = col(&row, 3)?;
            let mut decision = decision_columns(&row, 4)?;
            decision.case = case.map(|c| c as u64);
            let content = <[u8; 16]>::try_from(content.as_slice())
                .map(u128::from_le_bytes)
                .map_err(|_| {
                    Fail::Corrupt(format!(
                        "decision content hash of {} bytes (16 expected)",
                        content.len()
                    ))
                })?;
            Ok(Some(StoredDecision {
                row: col(&row, 0)?,
                content,
                decided_at: parse_time(&at)?,
                decision,
            }))
        })
    }

    fn case(&self, id: CaseId) -> Result<Option<Case>, StoreError> {
        self.read(|s| {
            let Some(row) = s
                .query_opt(CASE_BY_ID, &[&(id as i64)])
                .ctx("cannot read")?
            else {
                return Ok(None);
            };
            let mut cases = [case_row(&row)?];
            with_actions(s, &mut cases)?;
            let [case] = cases;
            Ok(Some(case))
        })
    }

    fn cases(&self, filter: &CaseFilter) -> Result<Vec<Case>, StoreError> {
        let status = filter.status.map(CaseStatus::as_str);
        let since = filter.since.map(time_text);
        let limit = filter.limit.map(|l| l.min(i64::MAX as usize) as i64);
        let sql = match filter.customer_id {
            Some(_) => CASES_OF_CUSTOMER,
            None => CASES_OF_ANYONE,
        };
        self.read(|s| {
            let rows = s
                .query(sql, &[&status, &filter.customer_id, &since, &limit])
                .ctx("cannot read")?;
            let mut cases = rows.iter().map(case_row).collect::<Result<Vec<_>, _>>()?;
            with_actions(s, &mut cases)?;
            Ok(cases)
        })
    }

    fn count_cases(&self, status: Option<CaseStatus>) -> Result<u64, StoreError> {
        let status = status.map(CaseStatus::as_str);
        self.read(|s| {
            let row = s
                .query_one(
                    "SELECT COUNT(*) FROM cases WHERE $1::text IS NULL OR status = $1",
                    &[&status],
                )
                .ctx("cannot read")?;
            Ok(col::<i64>(&row, 0)?.max(0) as u64)
        })
    }

    fn count_blocks(
        &self,
        customer_id: &str,
        since: DateTime<Utc>,
        confirmed: bool,
    ) -> Result<u64, StoreError> {
        let since = time_text(since);
        self.read(|s| {
            let row = s
                .query_one(
                    "SELECT COUNT(*) FROM cases WHERE customer_id = $1 AND opened_at >= $2 \
                     AND action = 'block' AND (NOT $3 OR outcome IN ('confirmed', 'reported'))",
                    &[&customer_id, &since, &confirmed],
                )
                .ctx("cannot read")?;
            Ok(col::<i64>(&row, 0)?.max(0) as u64)
        })
    }

    fn act(
        &self,
        actions: &[StaffAction],
        suppressions: &[Suppression],
        seal: &mut dyn FnMut(&StaffAction) -> Result<(), String>,
    ) -> Result<(), StoreError> {
        self.write(|s| {
            s.execute("SELECT pg_advisory_xact_lock($1)", &[&ACTIONS_LOCK])
                .ctx("cannot record the staff action")?;
            for action in actions {
                apply_action(s, action)?;
            }
            for sup in suppressions {
                s.execute(
                    "INSERT INTO suppressions (customer_id, role, name, birth_date, entity_id, \
                     entry_hash, case_id, reviewer, created_at, expires_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                    &[
                        &sup.customer_id,
                        &sup.role,
                        &sup.name,
                        &sup.birth_date,
                        &sup.entity_id,
                        &sup.entry_hash,
                        &(sup.case as i64),
                        &sup.reviewer,
                        &time_text(sup.created_at),
                        &time_text(sup.expires_at),
                    ],
                )
                .ctx("cannot record a suppression")?;
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
        let now = time_text(now);
        self.read(|s| {
            let rows = s
                .query(
                    "SELECT customer_id, role, name, birth_date, entity_id, entry_hash, case_id, \
                     reviewer, created_at, expires_at FROM suppressions WHERE expires_at > $1 \
                     ORDER BY id",
                    &[&now],
                )
                .ctx("cannot read")?;
            rows.iter()
                .map(|r| {
                    let case: i64 = col(r, 6)?;
                    Ok(Suppression {
                        customer_id: col(r, 0)?,
                        role: col(r, 1)?,
                        name: col(r, 2)?,
                        birth_date: col(r, 3)?,
                        entity_id: col(r, 4)?,
                        entry_hash: col(r, 5)?,
                        case: case as CaseId,
                        reviewer: col(r, 7)?,
                        created_at: parse_time(&col::<String>(r, 8)?)?,
                        expires_at: parse_time(&col::<String>(r, 9)?)?,
                    })
                })
                .collect()
        })
    }

    fn customers(&self) -> Result<Vec<CustomerRecord>, StoreError> {
        self.read(|s| {
            s.query(
                "SELECT customer_id, status, case_id, reviewer, note, since FROM customers \
                 WHERE status <> 'normal' ORDER BY customer_id",
                &[],
            )
            .ctx("cannot read")?
            .iter()
            .map(customer_row)
            .collect()
        })
    }

    fn customer(&self, customer_id: &str) -> Result<CustomerRecord, StoreError> {
        let found = self.read(|s| {
            s.query_opt(
                "SELECT customer_id, status, case_id, reviewer, note, since FROM customers \
                 WHERE customer_id = $1",
                &[&customer_id],
            )
            .ctx("cannot read")?
            .as_ref()
            .map(customer_row)
            .transpose()
        })?;
        Ok(found.unwrap_or_else(|| CustomerRecord::normal(customer_id)))
    }

    fn put_customers(&self, customers: &[Registered]) -> Result<(), StoreError> {
        let kept = last_per_key(customers, |r| r.customer_id.as_str());
        self.write(|s| {
            let what = "cannot register a customer";
            for chunk in kept.chunks(ROWS_PER_STATEMENT) {
                let ids: Vec<&str> = chunk.iter().map(|r| r.customer_id.as_str()).collect();
                let profiles: Vec<&str> = chunk.iter().map(|r| r.profile.as_str()).collect();
                let hashes: Vec<&str> = chunk.iter().map(|r| r.hash.as_str()).collect();
                let at: Vec<String> = chunk.iter().map(|r| time_text(r.updated_at)).collect();
                s.execute(
                    "INSERT INTO registry (customer_id, profile, hash, updated_at) \
                     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) \
                     ON CONFLICT (customer_id) DO UPDATE SET profile = EXCLUDED.profile, \
                     hash = EXCLUDED.hash, updated_at = EXCLUDED.updated_at",
                    &[&ids, &profiles, &hashes, &at],
                )
                .ctx(what)?;
            }
            if !customers.is_empty() {
                s.execute(
                    "INSERT INTO counters (name, next) VALUES ('registry', 1) \
                     ON CONFLICT (name) DO UPDATE SET next = counters.next + 1",
                    &[],
                )
                .ctx(what)?;
            }
            Ok(())
        })
    }

    fn registered(&self, customer_id: &str) -> Result<Option<Registered>, StoreError> {
        self.read(|s| {
            s.query_opt(
                "SELECT customer_id, profile, hash, updated_at FROM registry \
                 WHERE customer_id = $1",
                &[&customer_id],
            )
            .ctx("cannot read")?
            .as_ref()
            .map(registered_row)
            .transpose()
        })
    }

    fn each_registered(
        &self,
        each: &mut dyn FnMut(Registered) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        // rows streamed as they come, not the whole registry in memory;
        // never tried again: `each` may have seen some
        self.run(false, false, |s| {
            let statement = s
                .statement(
                    "SELECT customer_id, profile, hash, updated_at FROM registry \
                     ORDER BY customer_id",
                )
                .ctx("cannot read")?;
            let mut rows = s
                .conn
                .client
                .query_raw(&statement, std::iter::empty::<&(dyn ToSql + Sync)>())
                .ctx("cannot read")?;
            while let Some(row) = rows.next().ctx("cannot read")? {
                each(registered_row(&row)?)?;
            }
            Ok(())
        })
    }

    fn registered_count(&self) -> Result<u64, StoreError> {
        self.read(|s| {
            let row = s
                .query_one("SELECT count(*) FROM registry", &[])
                .ctx("cannot read")?;
            Ok(col::<i64>(&row, 0)?.max(0) as u64)
        })
    }

    fn registry_generation(&self) -> Result<u64, StoreError> {
        self.read(|s| {
            let row = s
                .query_one(
                    "SELECT coalesce((SELECT next FROM counters WHERE name = 'registry'), 0)",
                    &[],
                )
                .ctx("cannot read")?;
            Ok(col::<i64>(&row, 0)?.max(0) as u64)
        })
    }

    fn file(&self) -> Option<&Path> {
        None
    }

    fn customer_hits(&self, entity_id: Option<&str>) -> Result<Vec<CustomerHit>, StoreError> {
        self.read(|s| {
            let rows = match entity_id {
                Some(e) => s.query(
                    "SELECT customer_id, entity_id, entry_hash, case_id, found_at \
                     FROM customer_hits WHERE entity_id = $1 ORDER BY customer_id",
                    &[&e],
                ),
                None => s.query(
                    "SELECT customer_id, entity_id, entry_hash, case_id, found_at \
                     FROM customer_hits ORDER BY customer_id, entity_id",
                    &[],
                ),
            }
            .ctx("cannot read")?;
            rows.iter()
                .map(|r| {
                    let case: Option<i64> = col(r, 3)?;
                    Ok(CustomerHit {
                        customer_id: col(r, 0)?,
                        entity_id: col(r, 1)?,
                        entry_hash: col(r, 2)?,
                        case: case.map(|c| c as CaseId),
                        found_at: parse_time(&col::<String>(r, 4)?)?,
                    })
                })
                .collect()
        })
    }

    fn put_customer_hits(&self, hits: &[CustomerHit]) -> Result<(), StoreError> {
        let kept = last_per_key(hits, |h| (h.customer_id.as_str(), h.entity_id.as_str()));
        self.write(|s| {
            for chunk in kept.chunks(ROWS_PER_STATEMENT) {
                let customers: Vec<&str> = chunk.iter().map(|h| h.customer_id.as_str()).collect();
                let entities: Vec<&str> = chunk.iter().map(|h| h.entity_id.as_str()).collect();
                let hashes: Vec<&str> = chunk.iter().map(|h| h.entry_hash.as_str()).collect();
                let cases: Vec<Option<i64>> =
                    chunk.iter().map(|h| h.case.map(|c| c as i64)).collect();
                let found: Vec<String> = chunk.iter().map(|h| time_text(h.found_at)).collect();
                s.execute(
                    "INSERT INTO customer_hits (customer_id, entity_id, entry_hash, case_id, \
                     found_at) SELECT * FROM unnest($1::text[], $2::text[], $3::text[], \
                     $4::bigint[], $5::text[]) ON CONFLICT (customer_id, entity_id) DO UPDATE \
                     SET entry_hash = EXCLUDED.entry_hash, case_id = EXCLUDED.case_id, \
                     found_at = EXCLUDED.found_at",
                    &[&customers, &entities, &hashes, &cases, &found],
                )
                .ctx("cannot record a customer hit")?;
            }
            Ok(())
        })
    }

    fn screened_entries(&self) -> Result<Vec<(String, String)>, StoreError> {
        self.read(|s| {
            s.query(
                "SELECT entity_id, entry_hash FROM screened_entries ORDER BY entity_id",
                &[],
            )
            .ctx("cannot read")?
            .iter()
            .map(|r| Ok((col(r, 0)?, col(r, 1)?)))
            .collect()
        })
    }

    fn set_screened_entries(&self, entries: &[(String, String)]) -> Result<(), StoreError> {
        let kept = last_per_key(entries, |(id, _)| id.as_str());
        self.write(|s| {
            let what = "cannot record the screened list entries";
            s.execute("DELETE FROM screened_entries", &[]).ctx(what)?;
            for chunk in kept.chunks(ROWS_PER_STATEMENT) {
                let ids: Vec<&str> = chunk.iter().map(|(id, _)| id.as_str()).collect();
                let hashes: Vec<&str> = chunk.iter().map(|(_, h)| h.as_str()).collect();
                s.execute(
                    "INSERT INTO screened_entries (entity_id, entry_hash) \
                     SELECT * FROM unnest($1::text[], $2::text[])",
                    &[&ids, &hashes],
                )
                .ctx(what)?;
            }
            Ok(())
        })
    }

    fn decision_counts(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<(chrono::NaiveDate, Action, u64)>, StoreError> {
        let (from, to) = (time_text(from), time_text(to));
        self.read(|s| {
            s.query(
                "SELECT substr(decided_at, 1, 10) AS day, action, COUNT(*) FROM decisions \
                 WHERE decided_at >= $1 AND decided_at < $2 AND transaction_id <> 'onboarding' \
                 AND transaction_id NOT LIKE 'lists:%' GROUP BY day, action ORDER BY day, action",
                &[&from, &to],
            )
            .ctx("cannot read")?
            .iter()
            .map(|r| {
                let day: String = col(r, 0)?;
                let n: i64 = col(r, 2)?;
                let day = chrono::NaiveDate::parse_from_str(&day, "%Y-%m-%d")
                    .map_err(|e| Fail::Corrupt(format!("decision day {day}: {e}")))?;
                Ok((day, parse_action(&col::<String>(r, 1)?)?, n.max(0) as u64))
            })
            .collect()
        })
    }

    fn put_ratings(&self, ratings: &[RatingRecord]) -> Result<(), StoreError> {
        let kept = last_per_key(ratings, |r| r.customer_id.as_str());
        self.write(|s| {
            for chunk in kept.chunks(ROWS_PER_STATEMENT) {
                let customers: Vec<&str> = chunk.iter().map(|r| r.customer_id.as_str()).collect();
                let levels: Vec<&str> = chunk.iter().map(|r| r.level.name()).collect();
                let scores: Vec<f64> = chunk.iter().map(|r| r.score).collect();
                let texts: Vec<&str> = chunk.iter().map(|r| r.rating.as_str()).collect();
                let at: Vec<String> = chunk.iter().map(|r| time_text(r.rated_at)).collect();
                s.execute(
                    "INSERT INTO ratings (customer_id, level, score, rating, rated_at) \
                     SELECT * FROM unnest($1::text[], $2::text[], $3::float8[], $4::text[], \
                     $5::text[]) ON CONFLICT (customer_id) DO UPDATE SET level = EXCLUDED.level, \
                     score = EXCLUDED.score, rating = EXCLUDED.rating, \
                     rated_at = EXCLUDED.rated_at",
                    &[&customers, &levels, &scores, &texts, &at],
                )
                .ctx("cannot record the rating")?;
            }
            Ok(())
        })
    }

    fn rating(&self, customer_id: &str) -> Result<Option<RatingRecord>, StoreError> {
        self.read(|s| {
            let Some(r) = s
                .query_opt(
                    "SELECT customer_id, level, score, rating, rated_at FROM ratings \
                     WHERE customer_id = $1",
                    &[&customer_id],
                )
                .ctx("cannot read")?
            else {
                return Ok(None);
            };
            Ok(Some(RatingRecord {
                customer_id: col(&r, 0)?,
                level: parse_risk(&col::<String>(&r, 1)?)?,
                score: col(&r, 2)?,
                rating: col(&r, 3)?,
                rated_at: parse_time(&col::<String>(&r, 4)?)?,
            }))
        })
    }

    fn rating_levels(&self) -> Result<Vec<(String, RiskLevel)>, StoreError> {
        self.read(|s| {
            s.query(
                "SELECT customer_id, level FROM ratings ORDER BY customer_id",
                &[],
            )
            .ctx("cannot read")?
            .iter()
            .map(|r| Ok((col(r, 0)?, parse_risk(&col::<String>(r, 1)?)?)))
            .collect()
        })
    }

    fn prune(&self, before: DateTime<Utc>) -> Result<Pruned, StoreError> {
        let cut = time_text(before);
        self.write(|s| {
            let what = "cannot prune";
            // under the actions lock: no action lands on a case being removed
            s.execute("SELECT pg_advisory_xact_lock($1)", &[&ACTIONS_LOCK])
                .ctx(what)?;
            s.execute(
                "DELETE FROM actions WHERE case_id IN (SELECT id FROM cases \
                 WHERE status = 'closed' AND opened_at < $1)",
                &[&cut],
            )
            .ctx(what)?;
            let cases = s
                .execute(
                    "DELETE FROM cases WHERE status = 'closed' AND opened_at < $1",
                    &[&cut],
                )
                .ctx(what)?;
            let decisions = s
                .execute(
                    "DELETE FROM decisions d WHERE decided_at < $1 AND NOT EXISTS \
                     (SELECT 1 FROM cases c WHERE c.decision_id = d.id)",
                    &[&cut],
                )
                .ctx(what)?;
            let suppressions = s
                .execute("DELETE FROM suppressions WHERE expires_at < $1", &[&cut])
                .ctx(what)?;
            Ok(Pruned {
                cases,
                decisions,
                suppressions,
            })
        })
    }

    fn last_action(&self) -> Result<i64, StoreError> {
        self.read(|s| {
            let row = s
                .query_one("SELECT COALESCE(MAX(id), 0) FROM actions", &[])
                .ctx("cannot read")?;
            col(&row, 0)
        })
    }

    fn shared(&self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_url_that_does_not_parse_is_an_error_without_the_password() {
        let e = PostgresStore::connect("postgres://u:hunter2@host:notaport/db").unwrap_err();
        assert!(matches!(e, StoreError::Database { .. }), "{e}");
        assert!(!e.to_string().contains("hunter2"), "{e}");
    }

    #[test]
    fn a_server_that_cannot_be_reached_is_an_error_naming_it_without_the_password() {
        // a port nothing listens on: bound, then released
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .unwrap();
        let url = format!("postgres://amlscreen:s3cr3t-pw@127.0.0.1:{port}/cases");
        let e = PostgresStore::connect(&url).unwrap_err();
        let text = e.to_string();
        assert!(matches!(e, StoreError::Database { .. }), "{text}");
        assert!(text.contains(&format!("127.0.0.1:{port}/cases")), "{text}");
        assert!(text.contains("cannot connect"), "{text}");
        assert!(!text.contains("s3cr3t-pw"), "{text}");
        assert!(!text.contains("amlscreen:"), "{text}");
    }

    #[test]
    fn the_last_item_of_a_key_wins_in_order() {
        let items = [("a", 1), ("b", 2), ("a", 3), ("c", 4), ("b", 5)];
        let kept: Vec<_> = last_per_key(&items, |(k, _)| *k)
            .into_iter()
            .copied()
            .collect();
        assert_eq!(kept, [("a", 3), ("c", 4), ("b", 5)]);
    }

    #[test]
    fn the_database_is_described_without_user_or_password() {
        let config: ::postgres::Config =
            "postgres://u:pw@db.example:6543/amlscreen".parse().unwrap();
        assert_eq!(describe(&config), "postgres://db.example:6543/amlscreen");
    }
}
