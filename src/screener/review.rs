//! The screener's side of the case work: what the desk changes in a
//! decision (suppressed name hits, the customer's status), what a case
//! keeps of a transaction, and the reviewers' operations.

use std::sync::Arc;

use super::Screener;
use crate::cases::{
    Case, CaseFilter, CaseId, CaseStatus, CaseStore, CustomerRecord, CustomerStatus, Desk,
    HitSubject, ListEntry, NewDecision, Outcome, PartySummary, StaffAction, TxSummary,
};
use crate::engine::{Engine, Hit};
use crate::error::{Error, ErrorKind};
use crate::model::{
    Action, Decision, Direction, Finding, FindingKind, Party, RiskLevel, Transaction,
    ACCOUNT_RULE_ID, SUPPRESSED_RULE_ID,
};

/// The key a suppression is stored under for a party's name: its words
/// folded (case, accents, script variants) and joined.
pub(crate) fn suppression_subject(name: &str) -> String {
    crate::names::fold_words(name).join(" ")
}

impl Screener {
    /// Drops the name hits a reviewer cleared for this subject and entry
    /// (the entry unchanged, the clearance not lapsed); each becomes a
    /// finding that says so.
    pub(super) fn suppress<'a>(
        &self,
        engine: &Engine,
        customer_id: &str,
        hits: Vec<Hit<'a>>,
    ) -> (Vec<Hit<'a>>, Vec<Finding>) {
        if !self.desk.has_suppressions(customer_id) {
            return (hits, Vec::new());
        }
        let now = self.clock.now();
        let mut kept = Vec::with_capacity(hits.len());
        let mut notes = Vec::new();
        for hit in hits {
            if let Hit::Name {
                role,
                party,
                query,
                entity,
                ..
            } = &hit
            {
                let role_text = role.to_string();
                let subject = suppression_subject(query);
                let found = self.desk.suppression(
                    &HitSubject {
                        customer_id,
                        role: &role_text,
                        subject: &subject,
                        birth_date: party.birth_date.as_deref(),
                        entity_id: &entity.id,
                    },
                    || engine.entity_hash(entity),
                    now,
                );
                if let Some(s) = found {
                    notes.push(Finding {
                        rule_id: SUPPRESSED_RULE_ID.into(),
                        kind: FindingKind::Suppressed,
                        party: Some(*role),
                        points: 0,
                        level_floor: None,
                        action: None,
                        matched: Some(crate::model::Match {
                            list: Some(entity.list.clone()),
                            entity_id: Some(entity.id.clone()),
                            query: Some((*query).to_owned()),
                            ..Default::default()
                        }),
                        message: format!(
                            "name hit on `{}` suppressed: case {}, reviewer {}, {} \
                             ({role} name '{query}' cleared as a false positive; the entry is unchanged)",
                            entity.id,
                            s.case,
                            s.reviewer,
                            s.at.format("%Y-%m-%d")
                        ),
                    });
                    continue;
                }
            }
            kept.push(hit);
        }
        (kept, notes)
    }

    /// The finding the customer's status adds, if it is not normal: a
    /// frozen account blocks everything, enhanced due diligence holds every
    /// outgoing transfer.
    pub(super) fn status_finding(&self, tx: &Transaction) -> Option<Finding> {
        let record = self.desk.status(&tx.customer_id)?;
        let by = match record.case {
            Some(case) => format!("case {case}"),
            None => format!(
                "reviewer {}",
                record.reviewer.as_deref().unwrap_or("unknown")
            ),
        };
        let why = record.note.as_deref().unwrap_or("");
        let (action, message) = match record.status {
            CustomerStatus::Normal => return None,
            CustomerStatus::Frozen => (Action::Block, format!("account frozen by {by}: {why}")),
            CustomerStatus::Enhanced if tx.direction == Direction::Outgoing => (
                Action::Hold,
                format!(
                    "enhanced due diligence (set by {by}: {why}): every outgoing transfer is held"
                ),
            ),
            CustomerStatus::Enhanced => return None,
        };
        Some(Finding {
            rule_id: ACCOUNT_RULE_ID.into(),
            kind: FindingKind::Account,
            party: None,
            points: 0,
            level_floor: Some(RiskLevel::High),
            action: Some(action),
            matched: None,
            message,
        })
    }

    /// The store's copy of a transaction the customer history answered a
    /// repeat with (with its case and every reason), or `None` when the
    /// store lacks it and the history's decision is to be recorded now (its
    /// first recording failed, or it was only evaluated). A store copy of
    /// other content is the reused-id error.
    pub(super) fn settle_replay(&self, tx: &Transaction) -> Result<Option<Decision>, Error> {
        match self.desk.store().recorded(&tx.customer_id, &tx.id)? {
            Some(kept) if kept.content == crate::state::content_hash(tx) => Ok(Some(kept.decision)),
            Some(_) => Err(Error::new(ErrorKind::ReusedId {
                id: tx.id.clone(),
                message: format!(
                    "id '{}' of customer '{}' is recorded in the case store with other content \
                     than the customer history holds: the recorded decision stands and this \
                     transaction is not screened",
                    tx.id, tx.customer_id
                ),
            })),
            None => Ok(None),
        }
    }

    /// Records new decisions in the case store (one transaction), fills in
    /// each decision's case, and freezes accounts the policy freezes after
    /// a block. `decisions` pairs each transaction with its decision and,
    /// for a re-screen, the store row it replaces. `Err`: nothing was
    /// recorded. `Ok` lists the decisions (by index) whose policy freeze
    /// could not be recorded: they are recorded, the freeze is tried again
    /// at the customer's next block, and the caller gets the error.
    pub(super) fn record_decisions(
        &self,
        engine: &Engine,
        decisions: &mut [(&Transaction, &mut Decision, Option<i64>)],
    ) -> Result<Vec<(usize, Error)>, Error> {
        if decisions.is_empty() {
            return Ok(Vec::new());
        }
        use rayon::prelude::*;
        let decided_at = self.clock.now();
        // what each record needs, on every core: the store's write then
        // only inserts
        type Prepared = (u128, Option<(TxSummary, Vec<ListEntry>)>);
        let prepared: Vec<Prepared> = decisions
            .par_iter()
            .map(|(tx, d, _)| {
                let case = (d.action >= Action::Hold).then(|| {
                    let parties: Vec<_> = tx.parties().collect();
                    (summary(tx), case_entries(engine, &parties, d))
                });
                (crate::state::content_hash(tx), case)
            })
            .collect();
        let records: Vec<NewDecision<'_>> = decisions
            .iter()
            .zip(&prepared)
            .map(|((tx, d, replaces), (content, case))| NewDecision {
                decision: d,
                customer_id: &tx.customer_id,
                transaction: case.as_ref().map(|(s, _)| s),
                content: *content,
                decided_at,
                entries: case.as_ref().map_or(&[], |(_, e)| e.as_slice()),
                replaces: *replaces,
            })
            .collect();
        let cases = self.desk.store().record(&records)?;
        drop(records);
        let mut freeze_failures = Vec::new();
        for (i, ((tx, d, _), case)) in decisions.iter_mut().zip(cases).enumerate() {
            d.case = case;
            if let (Some(case), true) = (case, engine.rules().customer_risk().is_some()) {
                // a hold or block of a registered customer re-rates them
                let rated = match self.desk.store().registered(&tx.customer_id) {
                    Ok(Some(_)) => self.rerate(
                        &tx.customer_id,
                        &format!("{} of {} (case {case})", d.action.name(), tx.id),
                    ),
                    Ok(None) => Ok(()),
                    Err(e) => Err(Error::from(e)),
                };
                if let Err(e) = rated {
                    freeze_failures.push((i, e));
                }
            }
            if let (Some(case), Action::Block) = (case, d.action) {
                let account = engine.rules().account();
                let frozen =
                    self.desk
                        .after_block(&tx.customer_id, case, decided_at, account, &mut |a| {
                            self.seal(a)
                        });
                if let Err(e) = frozen {
                    freeze_failures.push((i, Error::from(e)));
                }
            }
        }
        Ok(freeze_failures)
    }

    /// Appends a staff action to the audit chain, when an audit log is kept.
    pub(super) fn seal(&self, action: &StaffAction) -> Result<(), String> {
        let Some(audit) = &self.audit else {
            return Ok(());
        };
        let value = serde_json::to_value(action).map_err(|e| e.to_string())?;
        let mut log = audit.lock().unwrap_or_else(|p| p.into_inner());
        log.append_staff(
            action.transaction_id.as_deref().unwrap_or(""),
            Some(&action.customer_id),
            &value,
            action.at,
        )
        .map(|_| ())
        .map_err(|e| e.to_string())
    }

    /// The case store and the in-memory view of it.
    pub fn desk(&self) -> &Desk {
        &self.desk
    }

    /// One case, with its actions.
    pub fn case(&self, id: CaseId) -> Result<Option<Case>, Error> {
        Ok(self.desk.store().case(id)?)
    }

    /// Cases matching `filter`, newest first.
    pub fn cases(&self, filter: &CaseFilter) -> Result<Vec<Case>, Error> {
        Ok(self.desk.store().cases(filter)?)
    }

    /// Decisions waiting in the case store's local spool for its database
    /// to come back (`store.spool`); 0 without one.
    pub fn spooled_decisions(&self) -> usize {
        self.desk.store().spooled()
    }

    /// How many cases stand in `status` (all cases when `None`).
    pub fn count_cases(&self, status: Option<CaseStatus>) -> Result<u64, Error> {
        Ok(self.desk.store().count_cases(status)?)
    }

    /// A customer's status and what set it.
    pub fn customer(&self, customer_id: &str) -> Result<CustomerRecord, Error> {
        Ok(self.desk.store().customer(customer_id)?)
    }

    /// Resolves a case as `reviewer` with `note`: the outcome is stored and
    /// appended to the audit chain (neither happens without the other;
    /// a screener without an audit log only stores it — see
    /// [`Screener::audits_staff_actions`]); a
    /// false positive clears its name hits for the subject; a hit that
    /// stands may freeze the account by the policy (`account:`). Returns
    /// every action taken, the reviewer's first.
    pub fn resolve_case(
        &self,
        case: CaseId,
        outcome: Outcome,
        reviewer: &str,
        note: &str,
    ) -> Result<Vec<StaffAction>, Error> {
        let engine = self.engine.load();
        let actions = self.desk.resolve(
            case,
            outcome,
            reviewer,
            note,
            self.clock.now(),
            engine.rules().account(),
            &mut |a| self.seal(a),
        )?;
        // the outcome changes what the customer's rating reads
        if let Some(first) = actions.first() {
            self.rerate(&first.customer_id, &format!("case {case} {outcome}"))?;
        }
        Ok(actions)
    }

    /// Takes an open case into review (`in_review`) as `reviewer` with
    /// `note`: stored and appended to the audit chain.
    pub fn review_case(
        &self,
        case: CaseId,
        reviewer: &str,
        note: &str,
    ) -> Result<StaffAction, Error> {
        Ok(self
            .desk
            .review(case, reviewer, note, self.clock.now(), &mut |a| {
                self.seal(a)
            })?)
    }

    /// Whether staff actions are appended to an audit chain (an audit log
    /// is configured).
    pub fn audits_staff_actions(&self) -> bool {
        self.audit.is_some()
    }

    /// Sets a customer's status as `reviewer` with `note` (freeze,
    /// unfreeze, enhanced due diligence): stored and appended to the audit
    /// chain; in force for the next transaction.
    pub fn set_customer_status(
        &self,
        customer_id: &str,
        status: CustomerStatus,
        reviewer: &str,
        note: &str,
    ) -> Result<StaffAction, Error> {
        Ok(self.desk.set_status(
            customer_id,
            status,
            reviewer,
            note,
            None,
            self.clock.now(),
            &mut |a| self.seal(a),
        )?)
    }

    /// Puts `store` in place of the (in-memory) case store, loading its
    /// customer statuses and suppressions.
    ///
    /// A store other instances write too ([`CaseStore::shared`]:
    /// PostgreSQL) is watched: a thread asks it every
    /// 250 ms (`SHARED_STORE_POLL`) for its latest staff action and, when that
    /// changed, reloads statuses, suppressions and ratings — so a freeze or
    /// a cleared false positive made through another instance applies here
    /// within that time. The thread ends with the screener.
    pub fn with_store(mut self, store: Arc<dyn CaseStore>) -> Result<Screener, Error> {
        let shared = store.shared();
        self.desk = Arc::new(Desk::open(store, self.clock.now())?);
        if shared {
            watch_shared_store(Arc::downgrade(&self.desk), self.clock.clone());
        }
        Ok(self)
    }
}

/// How often an instance asks a shared case store whether staff actions
/// were made elsewhere.
pub const SHARED_STORE_POLL: std::time::Duration = std::time::Duration::from_millis(250);

fn watch_shared_store(desk: std::sync::Weak<Desk>, clock: super::Clock) {
    let spawned = std::thread::Builder::new()
        .name("amlscreen-store-watch".into())
        .spawn(move || {
            let mut seen: Option<i64> = None;
            loop {
                std::thread::sleep(SHARED_STORE_POLL);
                let Some(desk) = desk.upgrade() else { return };
                // an unreachable store keeps what is cached; asked again next time
                if let Ok(latest) = desk.store().last_action() {
                    if seen != Some(latest) && desk.refresh(clock.now()).is_ok() {
                        seen = Some(latest);
                    }
                }
            }
        });
    // without the thread this instance would not learn of other
    // instances' actions until restarted: say so rather than hide it
    if let Err(e) = spawned {
        eprintln!("amlscreen: warning: cannot watch the shared case store: {e}");
    }
}

/// What a case keeps of a transaction.
pub(crate) fn summary(tx: &Transaction) -> TxSummary {
    TxSummary {
        screening: crate::cases::Screening::Transfer,
        transaction_id: tx.id.clone(),
        timestamp: tx.timestamp,
        customer_id: tx.customer_id.clone(),
        direction: match tx.direction {
            Direction::Incoming => "incoming",
            Direction::Outgoing => "outgoing",
        }
        .to_owned(),
        amount: tx.amount.to_string(),
        currency: tx.currency.clone(),
        parties: tx
            .parties()
            .map(|(role, p)| party_summary(&role.to_string(), p))
            .collect(),
    }
}

fn party_summary(role: &str, p: &Party) -> PartySummary {
    PartySummary {
        role: role.to_owned(),
        name: p.name.clone(),
        kind: p.kind.map(|k| format!("{k:?}").to_lowercase()),
        birth_date: p.birth_date.clone(),
        country: p.country.clone(),
        wallet: p
            .wallet
            .as_ref()
            .map(|w| format!("{}:{}", w.chain, w.address)),
        account: p.account.clone(),
        vasp: p.vasp.clone(),
        domain: p.domain.clone(),
        ids: p
            .ids
            .iter()
            .map(|i| format!("{} {}", i.label(), i.value))
            .collect(),
    }
}

/// The list entries a decision's name hits rest on, as printed now, with
/// the suppression key of each hit's party.
pub(super) fn case_entries(
    engine: &Engine,
    parties: &[(crate::model::PartyRole, &Party)],
    d: &Decision,
) -> Vec<ListEntry> {
    let mut out: Vec<ListEntry> = Vec::new();
    for f in &d.reasons {
        if f.kind != FindingKind::SanctionsName {
            continue;
        }
        let (Some(role), Some(m)) = (f.party, &f.matched) else {
            continue;
        };
        let Some(query) = m.query.as_deref() else {
            continue;
        };
        // the party whose name this is (a customer's names are parties of
        // one role)
        let party = parties
            .iter()
            .find(|(r, p)| *r == role && p.name.as_deref() == Some(query))
            .or_else(|| parties.iter().find(|(r, _)| *r == role))
            .map(|(_, p)| *p);
        let ids = m.entity_id.iter().chain(&m.also_listed);
        for id in ids {
            let Some((entity, content_hash, printed)) = engine.entry(id) else {
                continue;
            };
            if out
                .iter()
                .any(|e| e.entity_id == entity.id && e.role == role.to_string())
            {
                continue;
            }
            out.push(ListEntry {
                entity_id: entity.id.clone(),
                role: role.to_string(),
                query: query.to_owned(),
                subject: suppression_subject(query),
                birth_date: party.and_then(|p| p.birth_date.clone()),
                content_hash: content_hash.to_owned(),
                printed: printed.to_owned(),
            });
        }
    }
    out
}
