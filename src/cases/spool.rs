//! A local durable spool in front of a shared case store (config
//! `store.spool`): when the database cannot be reached, the decisions that
//! would have been recorded (and the cases their holds and blocks open) are
//! appended to a file, fsynced, and recorded in the database in the same
//! order once it answers again — before any newer decision. Screening goes
//! on meanwhile: a decision recorded in the spool is given out without a
//! case number (its case is opened when the spool is replayed).
//!
//! What is not spooled: a reviewer's action (resolving a case, freezing an
//! account) is refused while the database is away — refused and said so,
//! never accepted and dropped — and reads (cases, customers) are errors.
//! The desk keeps its cached suppressions and statuses, so screening
//! applies what was known when the database went away.
//!
//! Each line of the spool is one batch (`SpooledDecision`s as JSON). A
//! batch replayed is skipped when the database already holds its first
//! decision (same customer, transaction, content and decision time, to the
//! microsecond the database keeps): a crash between a replay and the
//! spool's rewrite records nothing twice. A transaction repeated while its
//! decision waits in the spool is answered from the spool, not recorded
//! again.
//!
//! Only an unreachable database is spooled: when a write fails but the
//! database answers a read, the error is the write's own (a value it
//! refuses) and is returned, not spooled behind every later decision.
//! After a failure, writes go straight to the spool for a backoff (50 ms
//! doubling to 5 s) instead of waiting on a connection each; a thread
//! replays the spool every 250 ms, so an idle instance empties it too.
//! A torn last line (a crash mid-append: never acknowledged) is dropped
//! when the spool is opened.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{
    Case, CaseFilter, CaseId, CaseStatus, CaseStore, CustomerHit, CustomerRecord, ListEntry,
    NewDecision, Pruned, RatingRecord, Registered, StaffAction, StoreError, StoredDecision,
    Suppression, TxSummary,
};
use crate::model::Decision;

/// One decision as the spool keeps it: a [`NewDecision`] owned.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct SpooledDecision {
    decision: Decision,
    customer_id: String,
    transaction: Option<TxSummary>,
    content: String,
    decided_at: DateTime<Utc>,
    entries: Vec<ListEntry>,
    replaces: Option<i64>,
}

impl SpooledDecision {
    fn of(d: &NewDecision<'_>) -> SpooledDecision {
        SpooledDecision {
            decision: d.decision.clone(),
            customer_id: d.customer_id.to_owned(),
            transaction: d.transaction.cloned(),
            content: format!("{:032x}", d.content),
            decided_at: d.decided_at,
            entries: d.entries.to_vec(),
            replaces: d.replaces,
        }
    }

    fn as_new(&self) -> Result<NewDecision<'_>, StoreError> {
        Ok(NewDecision {
            decision: &self.decision,
            customer_id: &self.customer_id,
            transaction: self.transaction.as_ref(),
            content: u128::from_str_radix(&self.content, 16)
                .map_err(|e| StoreError::Refused(format!("spool: content hash: {e}")))?,
            decided_at: self.decided_at,
            entries: &self.entries,
            replaces: self.replaces,
        })
    }
}

/// A case store with a spool in front of its decision writes.
#[derive(Debug)]
pub struct SpooledStore {
    inner: Arc<dyn CaseStore>,
    path: PathBuf,
    // Batches waiting, oldest first (mirrors the file); the lock also
    // orders writers while anything waits, so nothing overtakes the spool.
    pending: Mutex<Vec<Vec<SpooledDecision>>>,
    // How many decisions wait (read without the lock: health, fast path).
    waiting: AtomicUsize,
    // After a failure: no connection tried before this, and the next wait.
    backoff: Mutex<Option<(Instant, Duration)>>,
    // One process per spool file.
    _lock: crate::durable::FileLock,
}

const BACKOFF_MIN: Duration = Duration::from_millis(50);
const BACKOFF_MAX: Duration = Duration::from_secs(5);
/// How often the drainer thread tries to replay the spool.
const DRAIN_EVERY: Duration = Duration::from_millis(250);

impl SpooledStore {
    /// `inner` with its spool at `path` (created owner-only when
    /// missing); batches a previous run left there are replayed first.
    pub fn open(inner: Arc<dyn CaseStore>, path: &Path) -> Result<SpooledStore, StoreError> {
        let err = |message: String| StoreError::Database {
            path: path.to_path_buf(),
            message,
        };
        let lock = crate::durable::FileLock::acquire(path).map_err(|e| StoreError::Locked {
            path: path.to_path_buf(),
            message: e.describe(),
        })?;
        let mut pending = Vec::new();
        let mut torn = false;
        match std::fs::read_to_string(path) {
            Ok(text) => {
                // a last line without its newline was never acknowledged
                // (the append did not finish): dropped, and the file
                // rewritten without it below
                let whole = match text.rfind('\n') {
                    Some(end) => &text[..=end],
                    None => "",
                };
                torn = whole.len() != text.len();
                for (i, line) in whole.lines().enumerate() {
                    if line.trim().is_empty() {
                        continue;
                    }
                    let batch: Vec<SpooledDecision> = serde_json::from_str(line).map_err(|e| {
                        err(format!(
                            "spool line {}: {e}: the spool is damaged; move it aside and \
                             record its decisions by hand (nothing was dropped)",
                            i + 1
                        ))
                    })?;
                    pending.push(batch);
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(err(format!("spool cannot be opened: {e}"))),
        }
        let waiting = pending.iter().map(Vec::len).sum();
        let store = SpooledStore {
            inner,
            path: path.to_path_buf(),
            pending: Mutex::new(pending),
            waiting: AtomicUsize::new(waiting),
            backoff: Mutex::new(None),
            _lock: lock,
        };
        {
            let mut pending = store.pending.lock().unwrap_or_else(|p| p.into_inner());
            if torn {
                store.rewrite(&pending)?;
            }
            // the database may still be away: what is left stays spooled
            let _ = store.drain(&mut pending);
        }
        Ok(store)
    }

    /// Starts the thread that replays the spool every 250 ms while anything
    /// waits (so an idle instance empties it too); it ends with the store.
    pub fn start_draining(store: &Arc<SpooledStore>) {
        let weak = Arc::downgrade(store);
        let _ = std::thread::Builder::new()
            .name("amlscreen-spool".into())
            .spawn(move || loop {
                std::thread::sleep(DRAIN_EVERY);
                let Some(store) = weak.upgrade() else { return };
                if store.waiting.load(Ordering::Acquire) > 0 && store.may_try() {
                    let mut pending = store.pending.lock().unwrap_or_else(|p| p.into_inner());
                    let _ = store.drain(&mut pending);
                }
            });
    }

    /// Whether the database may be tried now (no backoff running).
    fn may_try(&self) -> bool {
        let backoff = self.backoff.lock().unwrap_or_else(|p| p.into_inner());
        backoff.map_or(true, |(until, _)| Instant::now() >= until)
    }

    fn went_away(&self) {
        let mut backoff = self.backoff.lock().unwrap_or_else(|p| p.into_inner());
        let wait = backoff.map_or(BACKOFF_MIN, |(_, w)| (w * 2).min(BACKOFF_MAX));
        *backoff = Some((Instant::now() + wait, wait));
    }

    fn came_back(&self) {
        *self.backoff.lock().unwrap_or_else(|p| p.into_inner()) = None;
    }

    /// Whether a failed write means the database is away (it does not
    /// answer a read either), rather than refusing this write.
    fn unreachable(&self, error: &StoreError) -> bool {
        matches!(error, StoreError::Database { .. }) && self.inner.last_action().is_err()
    }

    /// Appends a batch behind what waits.
    fn spool(
        &self,
        pending: &mut Vec<Vec<SpooledDecision>>,
        decisions: &[NewDecision<'_>],
    ) -> Result<Vec<Option<CaseId>>, StoreError> {
        let batch: Vec<SpooledDecision> = decisions.iter().map(SpooledDecision::of).collect();
        self.append(&batch)?;
        pending.push(batch);
        self.waiting.fetch_add(decisions.len(), Ordering::AcqRel);
        Ok(vec![None; decisions.len()])
    }

    /// The decision waiting in the spool for this transaction, if any (the
    /// latest).
    fn spooled_decision(&self, customer_id: &str, transaction_id: &str) -> Option<StoredDecision> {
        if self.waiting.load(Ordering::Acquire) == 0 {
            return None;
        }
        let pending = self.pending.lock().unwrap_or_else(|p| p.into_inner());
        let found = pending.iter().flatten().rev().find(|d| {
            d.customer_id == customer_id && d.decision.transaction_id == transaction_id
        })?;
        Some(StoredDecision {
            // no row yet: a re-screen of it replaces nothing
            row: 0,
            content: u128::from_str_radix(&found.content, 16).ok()?,
            decided_at: found.decided_at,
            decision: found.decision.clone(),
        })
    }

    /// Records the waiting batches in order; stops at the first the
    /// database refuses, keeping it and the rest.
    fn drain(&self, pending: &mut Vec<Vec<SpooledDecision>>) -> Result<(), StoreError> {
        let mut done = 0;
        let mut outcome = Ok(());
        for batch in pending.iter() {
            let news: Vec<NewDecision<'_>> =
                match batch.iter().map(SpooledDecision::as_new).collect() {
                    Ok(news) => news,
                    Err(e) => {
                        outcome = Err(e);
                        break;
                    }
                };
            // already recorded (a crash after the replay, before the
            // rewrite): not again
            let first = &batch[0];
            let recorded = self
                .inner
                .recorded(&first.customer_id, &first.decision.transaction_id);
            match recorded {
                Ok(Some(kept))
                    if kept.decided_at.timestamp_micros()
                        == first.decided_at.timestamp_micros()
                        && format!("{:032x}", kept.content) == first.content =>
                {
                    done += 1;
                    continue;
                }
                Ok(_) => {}
                Err(e) => {
                    outcome = Err(e);
                    break;
                }
            }
            if let Err(e) = self.inner.record(&news) {
                outcome = Err(e);
                break;
            }
            done += 1;
        }
        if done > 0 {
            // the file first: if it cannot be rewritten, memory keeps
            // mirroring it, and the next replay skips what is recorded
            self.rewrite(&pending[done..])?;
            let n: usize = pending.drain(..done).map(|b| b.len()).sum();
            self.waiting.fetch_sub(n, Ordering::AcqRel);
        }
        match &outcome {
            Ok(()) => self.came_back(),
            Err(_) => self.went_away(),
        }
        outcome
    }

    /// Writes the pending batches as the spool, atomically and durably.
    fn rewrite(&self, pending: &[Vec<SpooledDecision>]) -> Result<(), StoreError> {
        let mut text = String::new();
        for batch in pending {
            text.push_str(&serde_json::to_string(batch).map_err(|e| self.io(e.to_string()))?);
            text.push('\n');
        }
        crate::durable::write_atomic(&self.path, text.as_bytes())
            .map_err(|e| self.io(e.to_string()))
    }

    /// Appends one batch to the spool and syncs it.
    fn append(&self, batch: &[SpooledDecision]) -> Result<(), StoreError> {
        let mut line = serde_json::to_string(batch).map_err(|e| self.io(e.to_string()))?;
        line.push('\n');
        let mut options = std::fs::OpenOptions::new();
        options.create(true).append(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut file = options
            .open(&self.path)
            .map_err(|e| self.io(e.to_string()))?;
        file.write_all(line.as_bytes())
            .and_then(|()| file.sync_data())
            .map_err(|e| self.io(e.to_string()))
    }

    fn io(&self, message: String) -> StoreError {
        StoreError::Unrecorded(format!(
            "the database is away and the spool {} cannot be written: {message}",
            self.path.display()
        ))
    }
}

impl CaseStore for SpooledStore {
    fn record(&self, decisions: &[NewDecision<'_>]) -> Result<Vec<Option<CaseId>>, StoreError> {
        // the usual case, nothing waiting: no lock held across the write
        if self.waiting.load(Ordering::Acquire) == 0 {
            match self.inner.record(decisions) {
                Ok(cases) => return Ok(cases),
                Err(e) if !self.unreachable(&e) => return Err(e),
                Err(_) => {
                    self.went_away();
                    let mut pending = self.pending.lock().unwrap_or_else(|p| p.into_inner());
                    return self.spool(&mut pending, decisions);
                }
            }
        }
        let mut pending = self.pending.lock().unwrap_or_else(|p| p.into_inner());
        if !pending.is_empty() && (!self.may_try() || self.drain(&mut pending).is_err()) {
            // still away: behind what waits
            return self.spool(&mut pending, decisions);
        }
        match self.inner.record(decisions) {
            Ok(cases) => Ok(cases),
            Err(e) if !self.unreachable(&e) => Err(e),
            Err(_) => {
                self.went_away();
                self.spool(&mut pending, decisions)
            }
        }
    }

    fn recorded(
        &self,
        customer_id: &str,
        transaction_id: &str,
    ) -> Result<Option<StoredDecision>, StoreError> {
        // a decision waiting in the spool is the latest recorded
        if let Some(waiting) = self.spooled_decision(customer_id, transaction_id) {
            return Ok(Some(waiting));
        }
        match self.inner.recorded(customer_id, transaction_id) {
            // away: the customer history (memory or Redis) still knows
            // repeated ids; the store's copy is looked for once it is back
            Err(StoreError::Database { .. }) => Ok(None),
            other => other,
        }
    }

    fn case(&self, id: CaseId) -> Result<Option<Case>, StoreError> {
        self.inner.case(id)
    }

    fn cases(&self, filter: &CaseFilter) -> Result<Vec<Case>, StoreError> {
        self.inner.cases(filter)
    }

    fn count_cases(&self, status: Option<CaseStatus>) -> Result<u64, StoreError> {
        self.inner.count_cases(status)
    }

    fn count_blocks(
        &self,
        customer_id: &str,
        since: DateTime<Utc>,
        confirmed: bool,
    ) -> Result<u64, StoreError> {
        self.inner.count_blocks(customer_id, since, confirmed)
    }

    fn act(
        &self,
        actions: &[StaffAction],
        suppressions: &[Suppression],
        seal: &mut dyn FnMut(&StaffAction) -> Result<(), String>,
    ) -> Result<(), StoreError> {
        self.inner.act(actions, suppressions, seal)
    }

    fn suppressions(&self, now: DateTime<Utc>) -> Result<Vec<Suppression>, StoreError> {
        self.inner.suppressions(now)
    }

    fn customers(&self) -> Result<Vec<CustomerRecord>, StoreError> {
        self.inner.customers()
    }

    fn customer(&self, customer_id: &str) -> Result<CustomerRecord, StoreError> {
        self.inner.customer(customer_id)
    }

    fn put_customers(&self, customers: &[Registered]) -> Result<(), StoreError> {
        self.inner.put_customers(customers)
    }

    fn registered(&self, customer_id: &str) -> Result<Option<Registered>, StoreError> {
        self.inner.registered(customer_id)
    }

    fn each_registered(
        &self,
        each: &mut dyn FnMut(Registered) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        self.inner.each_registered(each)
    }

    fn registered_count(&self) -> Result<u64, StoreError> {
        self.inner.registered_count()
    }

    fn registry_generation(&self) -> Result<u64, StoreError> {
        self.inner.registry_generation()
    }

    fn file(&self) -> Option<&Path> {
        self.inner.file()
    }

    fn customer_hits(&self, entity_id: Option<&str>) -> Result<Vec<CustomerHit>, StoreError> {
        self.inner.customer_hits(entity_id)
    }

    fn put_customer_hits(&self, hits: &[CustomerHit]) -> Result<(), StoreError> {
        self.inner.put_customer_hits(hits)
    }

    fn screened_entries(&self) -> Result<Vec<(String, String)>, StoreError> {
        self.inner.screened_entries()
    }

    fn set_screened_entries(&self, entries: &[(String, String)]) -> Result<(), StoreError> {
        self.inner.set_screened_entries(entries)
    }

    fn decision_counts(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<(chrono::NaiveDate, crate::model::Action, u64)>, StoreError> {
        self.inner.decision_counts(from, to)
    }

    fn put_ratings(&self, ratings: &[RatingRecord]) -> Result<(), StoreError> {
        self.inner.put_ratings(ratings)
    }

    fn rating(&self, customer_id: &str) -> Result<Option<RatingRecord>, StoreError> {
        self.inner.rating(customer_id)
    }

    fn rating_levels(&self) -> Result<Vec<(String, crate::model::RiskLevel)>, StoreError> {
        self.inner.rating_levels()
    }

    fn prune(&self, before: DateTime<Utc>) -> Result<Pruned, StoreError> {
        self.inner.prune(before)
    }

    fn last_action(&self) -> Result<i64, StoreError> {
        self.inner.last_action()
    }

    fn shared(&self) -> bool {
        self.inner.shared()
    }

    fn spooled(&self) -> usize {
        self.waiting.load(Ordering::Acquire)
    }
}
