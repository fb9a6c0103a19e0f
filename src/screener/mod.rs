//! The runtime an exchange holds: the [`Engine`] in force (swapped whole
//! on reload) and everything that changes while screening — the
//! per-customer history and the audit log.
//!
//! Each call to [`Screener::screen`] takes one engine (an `Arc` loaded from
//! an [`ArcSwap`]) and makes the whole decision under it, so a decision —
//! and its audit record — names exactly one fully built version. A reload
//! builds and validates the replacement first (lists parsed and guarded
//! against implausible shrinks, rules validated, indexes built); only then
//! is the customer-history retention set from the new rules, the list
//! history recorded and the engine swapped in. A reload that fails at any
//! step returns the error and changes nothing.
//!
//! A transaction dated too far from the time of screening (see
//! [`ScreeningConfig`]; the time comes from the screener's clock, which
//! [`Screener::with_clock`] replaces) is refused before the customer
//! history sees it.

mod batch;
mod customers;
mod kri;
mod rating;
mod review;

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use arc_swap::ArcSwap;
use chrono::{DateTime, Utc};

use crate::audit::{AuditEntry, AuditError, AuditLog, Refusal, TornTail};
use crate::cases::{Desk, SqliteStore};
use crate::config::{duration_to_text, Config, ScreeningConfig};
use crate::engine::Engine;
use crate::error::{Error, ErrorKind};
use crate::model::{Action, Decision, Finding, FindingKind, PriorDecision, RiskLevel, Transaction};
use crate::rules::{RuleSet, TestOutcome};
use crate::state::{
    content_hash, BackendHealth, CustomerHistory, HistoryBackend, HistoryUnavailable,
    OnUnavailable, Replay, StateConfig, StateStore,
};

pub use batch::{BatchOrder, PendingBatch};
pub use customers::{CustomerCase, ImportReport, RescreenReport};
pub use kri::{DayAlerts, Indicator, KriReport};

/// Where a decision [`Screener::evaluate_with`] hands out comes from, and
/// so what recording it needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Origin {
    /// Decided now: to be recorded.
    New,
    /// The customer history's copy: the store's copy replaces it when the
    /// store has one, else it is recorded now (its first recording failed,
    /// is still under way, or it was only evaluated).
    Memory,
    /// The store's copy, or (for [`Screener::evaluate`]) nothing to record.
    Settled,
}

/// What an exchange holds: the engine in force, the customer history and
/// the audit log. `Send + Sync`: share one behind an `Arc` across request
/// threads; deciding takes no lock but the screened customer's (appending
/// the audit record takes the audit log's).
///
/// ```no_run
/// use amlscreen::{Config, Screener, Transaction};
/// let config = Config::load("amlscreen.yaml".as_ref())?;
/// let screener = Screener::from_config(&config)?;
/// let tx = Transaction::from_json(r#"{"id":"tx-1","timestamp":"2026-11-21T10:15:00Z",
///   "customer_id":"c-1","direction":"outgoing","amount":"10","currency":"EUR","value":"10",
///   "beneficiary":{"name":"Jane Doe","kind":"person"}}"#)?;
/// let decision = screener.screen(&tx)?;
/// println!("{:?} {:?}", decision.risk, decision.action);
/// match screener.reload(&Config::load("amlscreen.yaml".as_ref())?) {
///     Ok(version) => println!("now screening with {version}"),
///     Err(e) => eprintln!("reload refused, still on {}: {e}", screener.version()),
/// }
/// # Ok::<(), amlscreen::Error>(())
/// ```
#[derive(Debug)]
pub struct Screener {
    engine: ArcSwap<Engine>,
    state: StateStore,
    // The customer history shared with other instances (Redis), used
    // instead of `state` when configured.
    shared: Option<Box<dyn HistoryBackend>>,
    on_unavailable: OnUnavailable,
    audit: Option<Mutex<AuditLog>>,
    // Serialises reloads (never screening): two concurrent reloads would
    // otherwise race to swap and one validated engine could be lost.
    reloading: Mutex<()>,
    reloads: AtomicU64,
    failed_reloads: AtomicU64,
    // How far from `clock`'s now a timestamp may be; `None` checks nothing
    // (rule-file tests, whose transactions are fixtures of any date).
    screening: Option<ScreeningConfig>,
    clock: Clock,
    // Cases, staff actions, suppressions, customer status and every
    // decision: in memory unless a store is configured.
    desk: Arc<Desk>,
}

/// Where the time of screening comes from: the system clock, or one a test
/// or a replay sets.
#[derive(Clone)]
struct Clock(Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>);

impl Clock {
    fn system() -> Clock {
        Clock(Arc::new(Utc::now))
    }

    fn now(&self) -> DateTime<Utc> {
        (self.0)()
    }
}

impl std::fmt::Debug for Clock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Clock")
    }
}

impl Screener {
    /// A screener around `engine`, with an empty customer history bounded
    /// by the default [`StateConfig`], the default (live) timestamp bounds
    /// of [`ScreeningConfig`] on the system clock, and no audit log. The
    /// engine's list history is not recorded (see
    /// [`Engine::commit_list_history`]).
    ///
    /// ```
    /// use amlscreen::{Engine, RuleSet, Screener};
    /// let screener = Screener::new(Engine::builder(RuleSet::load("rules".as_ref())?).build());
    /// assert_eq!(screener.version(), screener.engine().engine_id());
    /// # Ok::<(), amlscreen::Error>(())
    /// ```
    pub fn new(engine: Engine) -> Screener {
        let state = StateStore::new(StateConfig::default(), engine.lookback());
        Screener {
            engine: ArcSwap::from_pointee(engine),
            state,
            shared: None,
            on_unavailable: OnUnavailable::default(),
            audit: None,
            reloading: Mutex::new(()),
            reloads: AtomicU64::new(0),
            failed_reloads: AtomicU64::new(0),
            screening: Some(ScreeningConfig::default()),
            clock: Clock::system(),
            desk: Arc::new(Desk::empty(Arc::new(SqliteStore::in_memory()))),
        }
    }

    /// Builds the engine the config describes, opens the audit log, records
    /// the engine's list history and bounds the customer history as
    /// configured.
    pub fn from_config(config: &Config) -> Result<Screener, Error> {
        // the store first: a second process is refused naming it
        let store = config
            .store
            .as_ref()
            .map(|s| open_store(s, true, true))
            .transpose()?;
        let engine = Engine::from_config(config)?;
        let audit = config
            .audit
            .as_ref()
            .map(|a| AuditLog::open_with(&a.path, a.options()?))
            .transpose()?;
        engine.commit_list_history()?;
        let mut screener = Screener::new(engine)
            .with_state_config(config.state.clone())
            .with_screening(config.screening);
        if let Some(redis) = &config.state.redis {
            screener.on_unavailable = redis.on_unavailable;
            let lookback = screener.engine.load().lookback();
            screener.shared = Some(shared_history(config, lookback)?);
        }
        screener.audit = audit.map(Mutex::new);
        match store {
            Some(store) => screener.with_store(store),
            None => Ok(screener),
        }
    }

    /// A screener for reviewers' actions on the config's case store and
    /// audit log: the rules (for the account policy), no lists. It is the
    /// store's and the log's one writer while it lives. Screening with it
    /// would match no name: use [`Screener::from_config`] for that.
    pub fn for_review(config: &Config) -> Result<Screener, Error> {
        Screener::reviewer(config, true)
    }

    /// A screener that only reads the config's case store (no lock, no
    /// audit log): for listing and showing cases and customers while
    /// another process screens.
    pub fn for_reading(config: &Config) -> Result<Screener, Error> {
        Screener::reviewer(config, false)
    }

    /// The screener that registers and re-screens customers: the config's
    /// lists and rules, case store and audit log (required: every customer
    /// screen with a hit is a decision of record).
    pub fn for_customers(config: &Config) -> Result<Screener, Error> {
        if config.audit.is_none() {
            return Err(Error::from(crate::cases::StoreError::Refused(
                "the config has no `audit:` section: a customer screen's decisions and the \
                 policy's actions on them must be appended to the audit chain"
                    .into(),
            )));
        }
        let engine = Engine::from_config(config)?;
        engine.commit_list_history()?;
        let mut screener = Screener::reviewer(config, true)?;
        screener.engine = ArcSwap::from_pointee(engine);
        Ok(screener)
    }

    fn reviewer(config: &Config, write: bool) -> Result<Screener, Error> {
        let store = match &config.store {
            Some(s) => open_store(s, write, false)?,
            None => {
                return Err(Error::from(crate::cases::StoreError::Refused(
                    "the config has no `store:` section, so there are no cases to review \
                     (a screener without one keeps its cases in memory only)"
                        .into(),
                )))
            }
        };
        if !write {
            let screener = Screener::new(Engine::builder(RuleSet::load(&config.rules)?).build());
            return screener.with_store(store);
        }
        let rules = RuleSet::load(&config.rules)?;
        let engine = Engine::builder(rules).build();
        let audit = config
            .audit
            .as_ref()
            .map(|a| AuditLog::open_with(&a.path, a.options()?))
            .transpose()?;
        let mut screener = Screener::new(engine);
        screener.audit = audit.map(Mutex::new);
        screener.with_store(store)
    }

    /// Loads a config file and builds the screener it describes.
    pub fn from_config_file(path: &Path) -> Result<Screener, Error> {
        Screener::from_config(&Config::load(path)?)
    }

    /// Appends every decision's record to `log` from now on.
    #[must_use]
    pub fn with_audit(mut self, log: AuditLog) -> Screener {
        self.audit = Some(Mutex::new(log));
        self
    }

    /// Replaces the (empty) customer history with one bounded by `config`.
    /// Call before screening: history recorded so far is dropped.
    #[must_use]
    pub fn with_state_config(mut self, config: StateConfig) -> Screener {
        self.state = StateStore::new(config, self.engine.load().lookback());
        self
    }

    /// Bounds how far from the time of screening a transaction may be
    /// dated (default [`ScreeningConfig::default`]).
    #[must_use]
    pub fn with_screening(mut self, screening: ScreeningConfig) -> Screener {
        self.screening = Some(screening);
        self
    }

    /// Takes the time of screening from `clock` instead of the system
    /// clock: for tests, and for replaying a past day as of that day.
    ///
    /// ```
    /// use amlscreen::{Engine, RuleSet, Screener, Transaction};
    /// use chrono::{TimeZone, Utc};
    /// let now = Utc.with_ymd_and_hms(2026, 11, 21, 12, 0, 0).unwrap();
    /// let screener = Screener::new(Engine::builder(RuleSet::load("rules".as_ref())?).build())
    ///     .with_clock(move || now);
    /// let tx = Transaction::from_json(r#"{"id":"t","timestamp":"9999-12-31T00:00:00Z",
    ///   "customer_id":"c","direction":"outgoing","amount":"10","currency":"EUR","value":"10"}"#)?;
    /// let err = screener.screen(&tx).unwrap_err();
    /// assert!(err.to_string().contains("timestamp"), "{err}");
    /// # Ok::<(), amlscreen::Error>(())
    /// ```
    #[must_use]
    pub fn with_clock(
        mut self,
        clock: impl Fn() -> DateTime<Utc> + Send + Sync + 'static,
    ) -> Screener {
        self.clock = Clock(Arc::new(clock));
        self
    }

    /// Checks no timestamp: for rule-file tests, whose transactions are
    /// fixtures of any date.
    fn without_timestamp_bounds(mut self) -> Screener {
        self.screening = None;
        self
    }

    /// The transaction's timestamp lies within the screening bounds of the
    /// time of screening, or the error says by how much it does not.
    fn check_timestamp(&self, tx: &Transaction) -> Result<(), Error> {
        let Some(bounds) = &self.screening else {
            return Ok(());
        };
        let now = self.clock.now();
        let at = tx.timestamp;
        let refuse = |message: String| {
            Err(Error::invalid_transaction(
                tx.id.chars().take(64).collect::<String>(),
                "timestamp",
                message,
            ))
        };
        let ahead = at.signed_duration_since(now);
        if ahead > bounds.max_future {
            return refuse(format!(
                "{} is {} after the time of screening {}; at most {} ahead is accepted \
                 (screening.max_future): the transaction is not screened and not recorded",
                at.to_rfc3339(),
                gap_text(ahead),
                now.to_rfc3339(),
                duration_to_text(bounds.max_future)
            ));
        }
        if let Some(max_age) = bounds.max_age {
            let behind = now.signed_duration_since(at);
            if behind > max_age {
                return refuse(format!(
                    "{} is {} before the time of screening {}; at most {} back is accepted \
                     (screening.max_age; back-testing can lift it)",
                    at.to_rfc3339(),
                    gap_text(behind),
                    now.to_rfc3339(),
                    duration_to_text(max_age)
                ));
            }
        }
        Ok(())
    }

    /// The engine in force now. Hold the `Arc` to make several calls
    /// against one version.
    pub fn engine(&self) -> Arc<Engine> {
        self.engine.load_full()
    }

    /// The engine id in force (as in [`Decision::version`]).
    pub fn version(&self) -> String {
        self.engine.load().engine_id().to_owned()
    }

    /// The in-process per-customer history the behaviour rules read and
    /// update (empty when the history is shared in Redis: `state.redis`).
    pub fn state(&self) -> &StateStore {
        &self.state
    }

    /// Where the customer history is kept: in process, or shared.
    pub(crate) fn history(&self) -> &dyn HistoryBackend {
        match &self.shared {
            Some(shared) => shared.as_ref(),
            None => &self.state,
        }
    }

    /// How the customer-history backend is doing (`memory` is always
    /// available; `redis` reports when it became unreachable and why).
    pub fn history_health(&self) -> BackendHealth {
        self.history().health()
    }

    /// Refuses a state file when the history is shared (it lives in Redis).
    fn local_state(&self, path: &Path) -> Result<&StateStore, Error> {
        if self.shared.is_some() {
            return Err(Error::from(crate::state::StateCheckpointError {
                path: path.to_path_buf(),
                message: "the customer history is kept in Redis (state.redis): there is no \
                          state file to load or save; drop --state"
                    .into(),
            }));
        }
        Ok(&self.state)
    }

    /// Writes the customer history to a checkpoint file at `path`
    /// atomically (see [`StateStore::save_checkpoint`]).
    pub fn save_state(&self, path: &Path) -> Result<(), Error> {
        Ok(self.local_state(path)?.save_checkpoint(path)?)
    }

    /// Replaces the customer history with the checkpoint at `path`; a
    /// corrupt checkpoint is an error and leaves the history as it was.
    pub fn load_state(&self, path: &Path) -> Result<(), Error> {
        Ok(self.local_state(path)?.load_checkpoint(path)?)
    }

    /// Claims the state file `path` for this screener's lifetime (see
    /// [`StateStore::lock_file`]): a second process on the same file is
    /// refused with an error naming this one. [`save_state`](Self::save_state)
    /// and [`load_state`](Self::load_state) claim it too; call this first
    /// when the file may not exist yet.
    pub fn lock_state(&self, path: &Path) -> Result<(), Error> {
        Ok(self.local_state(path)?.lock_file(path)?)
    }

    /// Writes a checkpoint of the audit chain (see
    /// [`AuditLog::checkpoint`]), when an audit log is configured: done on
    /// drop too, but only this reports a failure.
    pub fn checkpoint_audit(&self) -> Result<(), Error> {
        if let Some(audit) = &self.audit {
            let mut log = audit.lock().unwrap_or_else(|p| p.into_inner());
            log.checkpoint()?;
        }
        Ok(())
    }

    /// The torn last audit record found (and set aside) when the audit log
    /// was opened, if any: callers should report it.
    pub fn audit_recovery(&self) -> Option<TornTail> {
        let audit = self.audit.as_ref()?;
        let log = audit.lock().unwrap_or_else(|p| p.into_inner());
        log.recovered().cloned()
    }

    /// Screens a transaction and, when an audit log is configured, appends
    /// its audit record before returning the decision.
    ///
    /// A new decision is recorded in the case store first (a hold or block
    /// opens a case, named in [`Decision::case`]); the same transaction
    /// again returns the recorded decision, from memory or, once memory no
    /// longer holds it (a restart), from the store.
    pub fn screen(&self, tx: &Transaction) -> Result<Decision, Error> {
        let engine = self.engine.load();
        let outcome = self
            .evaluate_stored(&engine, tx)
            .and_then(|(d, origin)| self.record_one(&engine, tx, d, origin, None));
        self.audited(&engine, tx, outcome)
    }

    /// Appends the audit record of a decision (or of a refused reused id)
    /// before it is given out.
    fn audited(
        &self,
        engine: &Engine,
        tx: &Transaction,
        outcome: Result<Decision, Error>,
    ) -> Result<Decision, Error> {
        match outcome {
            Ok(decision) => {
                self.append_audit(engine, tx, &decision)?;
                Ok(decision)
            }
            Err(e) => {
                self.append_refusal(engine, tx, &e)?;
                Err(e)
            }
        }
    }

    /// Screens a transaction again under the engine in force: when its
    /// recorded decision was made under another engine id (the lists or
    /// rules changed since), it is decided afresh, linked to the earlier
    /// decision ([`Decision::rescreen_of`]), recorded (a hold or block
    /// opens a new case) and audited. Under the same engine id the recorded
    /// decision is returned; a transaction never screened is screened; its
    /// id on other content is an error.
    pub fn rescreen(&self, tx: &Transaction) -> Result<Decision, Error> {
        let engine = self.engine.load();
        let outcome = self.rescreen_with(&engine, tx);
        self.audited(&engine, tx, outcome)
    }

    /// Records one decision as its origin needs (see [`Origin`]); a policy
    /// freeze that could not be recorded is this decision's error.
    fn record_one(
        &self,
        engine: &Engine,
        tx: &Transaction,
        mut d: Decision,
        origin: Origin,
        replaces: Option<i64>,
    ) -> Result<Decision, Error> {
        let record = match origin {
            Origin::New => true,
            Origin::Settled => false,
            Origin::Memory => match self.settle_replay(tx)? {
                Some(kept) => {
                    d = kept;
                    false
                }
                None => true,
            },
        };
        if record {
            if let Some((_, e)) = self
                .record_decisions(engine, &mut [(tx, &mut d, replaces)])?
                .pop()
            {
                return Err(e);
            }
        }
        Ok(d)
    }

    /// [`Screener::rescreen`] without its audit record.
    fn rescreen_with(&self, engine: &Engine, tx: &Transaction) -> Result<Decision, Error> {
        crate::engine::validate(tx)?;
        self.check_timestamp(tx)?;
        let content = content_hash(tx);
        // the earlier decision: the store's, else (an in-memory store keeps
        // only decisions that opened a case) the customer history's
        let (prior, decided_at, row) = match self.desk.store().recorded(&tx.customer_id, &tx.id)? {
            Some(kept) if kept.content != content => return replayed(tx, Replay::Different),
            Some(kept) => (kept.decision, Some(kept.decided_at), Some(kept.row)),
            None => match self.history().replay(tx, content)? {
                Replay::Same(d) => (*d, None, None),
                Replay::Different => return replayed(tx, Replay::Different),
                Replay::New => {
                    let (d, origin) = self.evaluate_stored(engine, tx)?;
                    return self.record_one(engine, tx, d, origin, None);
                }
            },
        };
        if prior.version == engine.engine_id() {
            return Ok(prior);
        }
        let hits = engine.hits(tx);
        let (hits, notes) = self.suppress(engine, &tx.customer_id, hits);
        let mut findings = engine.findings(&hits);
        findings.extend(notes);
        findings.extend(self.status_finding(tx));
        let risk = self.desk.rating_level(&tx.customer_id);
        let mut decision = self
            .decide_recorded(engine, tx, content, true, &hits, findings, risk)?
            .or_else(|seen| replayed(tx, seen))?;
        decision.rescreen_of = Some(PriorDecision::of(&prior, decided_at));
        self.record_one(engine, tx, decision, Origin::New, row)
    }

    /// Screens a transaction without writing an audit record. A transaction
    /// dated outside the screening bounds is an error and changes nothing.
    /// The customer history is updated: the same transaction again (same id, same
    /// content) returns its recorded decision and is not counted twice; its
    /// id on other content is an error.
    ///
    /// Reviewers' clearances and the customer's status apply; the case
    /// store is neither read nor written (no case is opened).
    pub fn evaluate(&self, tx: &Transaction) -> Result<Decision, Error> {
        self.evaluate_with(&self.engine.load(), tx, false)
            .map(|(d, _)| d)
    }

    /// Decides `tx`, consulting the case store for an earlier decision of
    /// its id: the decision, and where it comes from.
    pub(super) fn evaluate_stored(
        &self,
        engine: &Engine,
        tx: &Transaction,
    ) -> Result<(Decision, Origin), Error> {
        self.evaluate_with(engine, tx, true)
    }

    pub(super) fn evaluate_with(
        &self,
        engine: &Engine,
        tx: &Transaction,
        stored: bool,
    ) -> Result<(Decision, Origin), Error> {
        crate::engine::validate(tx)?;
        // Before the history is read or written: a transaction dated years
        // ahead would otherwise become the customer's latest and empty
        // every window.
        self.check_timestamp(tx)?;
        // Idempotency keys on the content too: the same transaction again
        // gets its recorded decision; its id on other content (a sanctioned
        // payment re-sent under the id of a clean one) is an error.
        let content = content_hash(tx);
        // a shared history answers this with the decision's own round trip
        if self.history().local() {
            match self.history().replay(tx, content)? {
                Replay::New => {}
                // the store's copy (with its case) is looked for when it is
                // recorded: a recording under way by then has finished
                Replay::Same(recorded) if stored => return Ok((*recorded, Origin::Memory)),
                seen => return replayed(tx, seen).map(|d| (d, Origin::Settled)),
            }
        }
        if stored {
            // memory no longer holds it (a restart, or beyond retention):
            // the store does
            if let Some(kept) = self.desk.store().recorded(&tx.customer_id, &tx.id)? {
                return if kept.content == content {
                    Ok((kept.decision, Origin::Settled))
                } else {
                    replayed(tx, Replay::Different).map(|d| (d, Origin::Settled))
                };
            }
        }
        // Matching and rendering its findings need no customer state: only
        // the rules and the decision run under the customer's lock.
        let hits = engine.hits(tx);
        let (hits, notes) = self.suppress(engine, &tx.customer_id, hits);
        let mut findings = engine.findings(&hits);
        findings.extend(notes);
        findings.extend(self.status_finding(tx));
        let risk = self.desk.rating_level(&tx.customer_id);
        match self.decide_recorded(engine, tx, content, false, &hits, findings, risk)? {
            Ok(d) => Ok((d, Origin::New)),
            Err(Replay::Same(recorded)) if stored => Ok((*recorded, Origin::Memory)),
            Err(seen) => replayed(tx, seen).map(|d| (d, Origin::Settled)),
        }
    }

    /// Decides `tx` against its customer's history and records it there
    /// (`again`: a re-screen of a recorded id). When the history cannot be
    /// reached the decision fails closed (`state.redis.on_unavailable`):
    /// decided on lists, status and an empty history, with a finding that
    /// holds (or blocks) it and says why; or the error.
    #[allow(clippy::too_many_arguments)]
    fn decide_recorded(
        &self,
        engine: &Engine,
        tx: &Transaction,
        content: u128,
        again: bool,
        hits: &[crate::engine::Hit<'_>],
        findings: Vec<Finding>,
        risk: Option<RiskLevel>,
    ) -> Result<Result<Decision, Replay>, Error> {
        let history = self.history();
        let mut decide = |h: &CustomerHistory| engine.decide(tx, hits, findings.clone(), h, risk);
        match history.apply(tx, content, engine.lookback(), again, &mut decide) {
            Ok(outcome) => Ok(outcome),
            Err(unavailable) => {
                history.unavailable();
                let action = match self.on_unavailable {
                    OnUnavailable::Error => return Err(Error::from(unavailable)),
                    OnUnavailable::Hold => Action::Hold,
                    OnUnavailable::Block => Action::Block,
                };
                let mut findings = findings;
                findings.push(unavailable_finding(&unavailable, action));
                Ok(Ok(engine.decide(
                    tx,
                    hits,
                    findings,
                    &CustomerHistory::default(),
                    risk,
                )))
            }
        }
    }

    /// Reloads lists and rules as `config` names them — the lists from its
    /// list cache when that is valid for them, else parsed (its `audit` and
    /// `state` sections are not reopened: the running audit chain and
    /// customer history carry over). Returns the new engine id, or the
    /// error that kept the current engine in force.
    pub fn reload(&self, config: &Config) -> Result<String, Error> {
        self.swap_in(|| Engine::from_config(config))
    }

    /// Puts an engine the caller has built in service.
    pub fn reload_with(&self, engine: Engine) -> Result<String, Error> {
        self.swap_in(|| Ok(engine))
    }

    fn swap_in(&self, build: impl FnOnce() -> Result<Engine, Error>) -> Result<String, Error> {
        let _one_at_a_time = self.reloading.lock().unwrap_or_else(|p| p.into_inner());
        let next = build().and_then(|engine| {
            engine.commit_list_history()?;
            Ok(engine)
        });
        match next {
            Ok(next) => {
                // Before the swap, so the first transaction the new rules
                // see is already kept as long as they look back.
                self.history().set_retention(next.lookback());
                let version = next.engine_id().to_owned();
                self.engine.store(Arc::new(next));
                self.reloads.fetch_add(1, Ordering::Relaxed);
                Ok(version)
            }
            Err(e) => {
                self.failed_reloads.fetch_add(1, Ordering::Relaxed);
                Err(e)
            }
        }
    }

    /// Successful and failed reloads so far.
    pub fn reload_counts(&self) -> (u64, u64) {
        (
            self.reloads.load(Ordering::Relaxed),
            self.failed_reloads.load(Ordering::Relaxed),
        )
    }

    /// Appends the audit record of a decision, when an audit log is configured.
    fn append_audit(
        &self,
        engine: &Engine,
        tx: &Transaction,
        decision: &Decision,
    ) -> Result<(), Error> {
        if let Some(audit) = &self.audit {
            // A poisoned lock means a writer panicked mid-append; the file
            // itself is still consistent line by line, so keep going.
            let mut log = audit.lock().unwrap_or_else(|p| p.into_inner());
            log.append_for(
                decision,
                engine.provenance(),
                Some(&tx.customer_id),
                Utc::now(),
            )?;
        }
        Ok(())
    }

    /// Records a transaction refused for reusing an id with other content
    /// (other errors are about input that never became a transaction to
    /// decide on, and have no record).
    fn append_refusal(
        &self,
        engine: &Engine,
        tx: &Transaction,
        error: &Error,
    ) -> Result<(), Error> {
        let (Some(audit), ErrorKind::ReusedId { message, .. }) = (&self.audit, error.kind()) else {
            return Ok(());
        };
        let mut log = audit.lock().unwrap_or_else(|p| p.into_inner());
        log.append_refusal(
            &tx.id,
            &Refusal::new("id", message.clone()),
            engine.provenance(),
            Some(&tx.customer_id),
            Utc::now(),
        )?;
        Ok(())
    }

    /// Appends the audit records of a batch's decisions in slice order
    /// with one write and (under `Durability::EveryRecord`) one sync, when
    /// an audit log is configured (see [`AuditLog::append_batch`]). On
    /// error none of them may be reported as audited.
    fn append_audit_batch(
        &self,
        engine: &Engine,
        recorded: &[(&Transaction, Result<&Decision, &Refusal>)],
    ) -> Result<(), AuditError> {
        let Some(audit) = &self.audit else {
            return Ok(());
        };
        let decided_at = Utc::now();
        let entries: Vec<AuditEntry<'_>> = recorded
            .iter()
            .map(|(tx, what)| AuditEntry {
                transaction_id: &tx.id,
                decision: what.ok(),
                refused: what.err(),
                staff: None,
                customer_id: Some(&tx.customer_id),
                decided_at,
            })
            .collect();
        let mut log = audit.lock().unwrap_or_else(|p| p.into_inner());
        log.append_batch(&entries, engine.provenance())
    }
}

/// A time gap for a reader: `3d 4h`, `5h 2m`, `40s`.
fn gap_text(d: chrono::Duration) -> String {
    let s = d.num_seconds();
    let (days, hours, minutes) = (s / 86_400, s % 86_400 / 3_600, s % 3_600 / 60);
    match (days, hours, minutes) {
        (0, 0, 0) => format!("{s}s"),
        (0, 0, m) => format!("{m}m"),
        (0, h, m) => format!("{h}h {m}m"),
        (d, h, _) => format!("{d}d {h}h"),
    }
}

/// The case store a `store:` section names: the SQLite file (`write`:
/// this process's to write, else read-only), or the PostgreSQL database
/// (behind its spool, when one is configured and `spool`: the screening
/// process's).
fn open_store(
    config: &crate::config::StoreConfig,
    write: bool,
    spool: bool,
) -> Result<Arc<dyn crate::cases::CaseStore>, Error> {
    if let Some(url) = &config.postgres {
        #[cfg(feature = "postgres")]
        {
            let store: Arc<dyn crate::cases::CaseStore> =
                Arc::new(crate::cases::PostgresStore::connect(url)?);
            // only the screening process spools (and replays) decisions: a
            // reader or a reviewer's command leaves the spool alone
            return Ok(match &config.spool {
                Some(path) if spool => {
                    let spooled = Arc::new(crate::cases::SpooledStore::open(store, path)?);
                    crate::cases::SpooledStore::start_draining(&spooled);
                    spooled
                }
                _ => store,
            });
        }
        #[cfg(not(feature = "postgres"))]
        {
            let _ = (url, spool);
            return Err(Error::from(crate::cases::StoreError::Refused(
                "the config's store is `postgres`, but this build of amlscreen has no \
                 PostgreSQL support: build it with the `postgres` feature (the binary has it)"
                    .into(),
            )));
        }
    }
    Ok(if write {
        Arc::new(SqliteStore::open(&config.path)?)
    } else {
        Arc::new(SqliteStore::open_read_only(&config.path)?)
    })
}

/// `rule_id` of the finding that holds a transaction decided without its
/// customer's history (the shared history could not be reached).
pub const HISTORY_UNAVAILABLE_RULE_ID: &str = "state.unavailable";

fn unavailable_finding(why: &HistoryUnavailable, action: Action) -> Finding {
    Finding {
        rule_id: HISTORY_UNAVAILABLE_RULE_ID.into(),
        kind: FindingKind::Unavailable,
        party: None,
        points: 0,
        level_floor: Some(RiskLevel::Medium),
        action: Some(action),
        matched: None,
        message: format!(
            "{why}: the behaviour rules could not see this customer's earlier transfers \
             (structuring, velocity and new-counterparty checks were not made), so the \
             transaction is {} until it is reviewed",
            match action {
                Action::Block => "blocked",
                _ => "held",
            }
        ),
    }
}

/// The shared customer history the config names (`state.redis`).
#[cfg(feature = "redis")]
fn shared_history(
    config: &Config,
    lookback: chrono::Duration,
) -> Result<Box<dyn HistoryBackend>, Error> {
    match &config.state.redis {
        Some(redis) => Ok(Box::new(crate::state::redis::RedisHistory::connect(
            redis,
            config.state.clone(),
            lookback,
        )?)),
        None => Ok(Box::new(StateStore::new(config.state.clone(), lookback))),
    }
}

#[cfg(not(feature = "redis"))]
fn shared_history(
    _config: &Config,
    _lookback: chrono::Duration,
) -> Result<Box<dyn HistoryBackend>, Error> {
    Err(Error::from(HistoryUnavailable(
        "the config has `state.redis`, but this build of amlscreen has no Redis support: \
         build it with the `redis` feature (the binary has it)"
            .into(),
    )))
}

/// The answer to a transaction whose id the customer's history holds.
fn replayed(tx: &Transaction, seen: Replay) -> Result<Decision, Error> {
    match seen {
        Replay::Same(recorded) => Ok(*recorded),
        Replay::New | Replay::Different => Err(Error::new(ErrorKind::ReusedId {
            id: tx.id.clone(),
            message: format!(
                "id '{}' reused with different content: it was screened before for customer '{}' \
                 with other content (or before content was recorded); the recorded decision \
                 stands and this transaction is not screened",
                tx.id, tx.customer_id
            ),
        })),
    }
}

/// Runs every test of a rule set, each on an empty customer history, with
/// the rule set's forbidden platforms and no sanctions lists.
pub fn run_rule_tests(set: &RuleSet) -> Vec<TestOutcome> {
    let screener = Screener::new(Engine::builder(set.clone()).build()).without_timestamp_bounds();
    set.tests
        .iter()
        .map(|test| {
            screener.state().clear();
            screener.desk.forget_ratings();
            if let Some(level) = test.customer_risk {
                for tx in &test.transactions {
                    screener.desk.remember_rating(&tx.customer_id, level);
                }
            }
            test.run(|tx| screener.evaluate(tx).map_err(|e| e.to_string()))
        })
        .chain(set.customer_risk().into_iter().flat_map(|model| {
            model
                .run_tests()
                .into_iter()
                .map(|(name, defined_at, failures)| TestOutcome {
                    name,
                    defined_at,
                    failures,
                    decision: None,
                })
        }))
        .collect()
}
