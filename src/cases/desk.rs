//! The reviewers' desk over a case store: what the hot path reads of it
//! (customer status, suppressions) held in memory, and every staff action
//! with the policy it triggers (an account frozen after confirmed blocks,
//! or a confirmed hit on the customer's own name).

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use chrono::{DateTime, Duration, Utc};
use dashmap::DashMap;

use super::{
    ActionKind, Case, CaseId, CaseStore, CustomerRecord, CustomerStatus, Outcome, StaffAction,
    StoreError, Suppression,
};
use crate::model::{FindingKind, RiskLevel};

/// How long a cleared name hit stays cleared, unless the entry changes.
pub const DEFAULT_SUPPRESSION_DAYS: u32 = 365;

/// When an account is frozen without a reviewer asking for it
/// (`account:` in `rules/policy.yaml`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountPolicy {
    /// Freeze after this many blocks within a window.
    pub freeze_after: Vec<FreezeTrigger>,
    /// Freeze when a reviewer confirms a sanctions name hit on the
    /// customer's own party (the originator of an outgoing transfer, the
    /// beneficiary of an incoming one).
    pub freeze_on_own_name: bool,
    /// How long a false positive stays cleared.
    pub suppression_days: u32,
}

impl Default for AccountPolicy {
    fn default() -> Self {
        AccountPolicy {
            freeze_after: vec![FreezeTrigger {
                blocks: 2,
                within: Duration::days(30),
                confirmed: true,
            }],
            freeze_on_own_name: true,
            suppression_days: DEFAULT_SUPPRESSION_DAYS,
        }
    }
}

/// `{confirmed_blocks: 2, within: 30d}` or `{blocks: 3, within: 24h}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FreezeTrigger {
    /// How many.
    pub blocks: u32,
    /// Within how long (by when their decisions were made).
    pub within: Duration,
    /// Only blocks a reviewer confirmed (or reported); else every block.
    pub confirmed: bool,
}

impl FreezeTrigger {
    /// `2 confirmed blocks within 30d`.
    pub fn describe(&self) -> String {
        format!(
            "{} {}block{} within {}",
            self.blocks,
            if self.confirmed { "confirmed " } else { "" },
            if self.blocks == 1 { "" } else { "s" },
            crate::util::duration_text(self.within)
        )
    }
}

/// A name hit skipped because a reviewer cleared it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suppressed {
    /// The case that cleared it.
    pub case: CaseId,
    /// Who.
    pub reviewer: String,
    /// When.
    pub at: DateTime<Utc>,
}

/// What a suppression is looked up by: who, which party, which name and
/// birth date, which list entry.
#[derive(Debug, Clone, Copy)]
pub struct HitSubject<'a> {
    /// The customer.
    pub customer_id: &'a str,
    /// The party's role (`beneficiary`).
    pub role: &'a str,
    /// The party's name, folded (see [`Suppression::name`]).
    pub subject: &'a str,
    /// The party's date of birth, when given.
    pub birth_date: Option<&'a str>,
    /// `list:id` of the entry hit.
    pub entity_id: &'a str,
}

/// A case store with the hot path's view of it in memory.
#[derive(Debug)]
pub struct Desk {
    store: Arc<dyn CaseStore>,
    /// Customers whose status is not normal.
    statuses: DashMap<String, CustomerRecord>,
    /// Suppressions by customer.
    suppressions: RwLock<HashMap<String, Vec<Suppression>>>,
    /// Each rated customer's risk level (what `when: {customer_risk: …}`
    /// rules read).
    ratings: DashMap<String, RiskLevel>,
    /// Held by a refresh from the store and by a status set here: a
    /// freeze made on this instance while a refresh reads the store is
    /// applied after it, never overwritten by the older read.
    applying: std::sync::Mutex<()>,
}

impl Desk {
    /// Opens the desk over `store`, loading customer statuses and live
    /// suppressions.
    pub fn open(store: Arc<dyn CaseStore>, now: DateTime<Utc>) -> Result<Desk, StoreError> {
        let desk = Desk {
            store,
            statuses: DashMap::new(),
            suppressions: RwLock::new(HashMap::new()),
            ratings: DashMap::new(),
            applying: std::sync::Mutex::new(()),
        };
        desk.refresh(now)?;
        Ok(desk)
    }

    /// A desk over a store known to be empty (a new in-memory one):
    /// nothing to load.
    pub fn empty(store: Arc<dyn CaseStore>) -> Desk {
        Desk {
            store,
            statuses: DashMap::new(),
            suppressions: RwLock::new(HashMap::new()),
            ratings: DashMap::new(),
            applying: std::sync::Mutex::new(()),
        }
    }

    /// A customer's risk level, when rated.
    pub fn rating_level(&self, customer_id: &str) -> Option<RiskLevel> {
        if self.ratings.is_empty() {
            return None;
        }
        self.ratings.get(customer_id).map(|r| *r.value())
    }

    /// Keeps a customer's (new) risk level for the next transaction.
    pub fn remember_rating(&self, customer_id: &str, level: RiskLevel) {
        self.ratings.insert(customer_id.to_owned(), level);
    }

    /// Forgets every risk level held in memory (the store keeps them).
    pub fn forget_ratings(&self) {
        self.ratings.clear();
    }

    /// Reloads statuses and suppressions from the store.
    pub fn refresh(&self, now: DateTime<Utc>) -> Result<(), StoreError> {
        let _one_at_a_time = self.applying.lock().unwrap_or_else(|p| p.into_inner());
        let customers = self.store.customers()?;
        let suppressions = self.store.suppressions(now)?;
        let levels = self.store.rating_levels()?;
        // entries are replaced in place, then the ones gone are removed: a
        // frozen customer never reads as normal while this runs
        let rated: std::collections::HashSet<String> =
            levels.iter().map(|(c, _)| c.clone()).collect();
        for (customer, level) in levels {
            self.ratings.insert(customer, level);
        }
        self.ratings.retain(|c, _| rated.contains(c));
        let listed: std::collections::HashSet<String> =
            customers.iter().map(|c| c.customer_id.clone()).collect();
        for c in customers {
            self.statuses.insert(c.customer_id.clone(), c);
        }
        self.statuses.retain(|c, _| listed.contains(c));
        let mut by_customer: HashMap<String, Vec<Suppression>> = HashMap::new();
        for s in suppressions {
            by_customer
                .entry(s.customer_id.clone())
                .or_default()
                .push(s);
        }
        *self.suppressions.write().unwrap_or_else(|p| p.into_inner()) = by_customer;
        Ok(())
    }

    /// The store.
    pub fn store(&self) -> &dyn CaseStore {
        &*self.store
    }

    /// The customer's status when it is not normal.
    pub fn status(&self, customer_id: &str) -> Option<CustomerRecord> {
        if self.statuses.is_empty() {
            return None;
        }
        self.statuses.get(customer_id).map(|r| r.value().clone())
    }

    /// Whether there is any suppression for this customer (the cheap test
    /// before folding names).
    pub fn has_suppressions(&self, customer_id: &str) -> bool {
        let map = self.suppressions.read().unwrap_or_else(|p| p.into_inner());
        !map.is_empty() && map.contains_key(customer_id)
    }

    /// The suppression covering a name hit, if one does: same customer,
    /// role, folded name, birth date (both absent or equal) and entry, the
    /// entry's content unchanged (`entry_hash` computes it now), not lapsed.
    pub fn suppression(
        &self,
        hit: &HitSubject<'_>,
        entry_hash: impl FnOnce() -> String,
        now: DateTime<Utc>,
    ) -> Option<Suppressed> {
        let map = self.suppressions.read().unwrap_or_else(|p| p.into_inner());
        let candidates: Vec<&Suppression> = map
            .get(hit.customer_id)?
            .iter()
            .filter(|s| {
                s.role == hit.role
                    && s.name == hit.subject
                    && s.birth_date.as_deref() == hit.birth_date
                    && s.entity_id == hit.entity_id
                    && s.expires_at > now
            })
            .collect();
        if candidates.is_empty() {
            return None;
        }
        let hash = entry_hash();
        candidates
            .into_iter()
            .filter(|s| s.entry_hash == hash)
            .max_by_key(|s| s.created_at)
            .map(|s| Suppressed {
                case: s.case,
                reviewer: s.reviewer.clone(),
                at: s.created_at,
            })
    }

    /// Resolves a case: records the outcome (with a suppression for each
    /// name hit of a false positive), then applies the account policy to a
    /// hit that stands. Returns every action taken, the reviewer's first.
    #[allow(clippy::too_many_arguments)]
    pub fn resolve(
        &self,
        case: CaseId,
        outcome: Outcome,
        reviewer: &str,
        note: &str,
        at: DateTime<Utc>,
        policy: &AccountPolicy,
        seal: &mut dyn FnMut(&StaffAction) -> Result<(), String>,
    ) -> Result<Vec<StaffAction>, StoreError> {
        let (found, action) =
            self.case_action(case, ActionKind::Resolve { outcome }, reviewer, note, at)?;
        let suppressions: Vec<Suppression> = if outcome == Outcome::FalsePositive {
            found
                .entries
                .iter()
                .map(|e| Suppression {
                    customer_id: found.customer_id().to_owned(),
                    role: e.role.clone(),
                    name: e.subject.clone(),
                    birth_date: e.birth_date.clone(),
                    entity_id: e.entity_id.clone(),
                    entry_hash: e.content_hash.clone(),
                    case,
                    reviewer: reviewer.to_owned(),
                    created_at: at,
                    expires_at: at + Duration::days(i64::from(policy.suppression_days)),
                })
                .collect()
        } else {
            Vec::new()
        };
        // the freeze the policy draws from a hit that stands goes into the
        // same store transaction: both are kept, or neither
        let mut taken = vec![action];
        if outcome.stands() {
            if let Some(freeze) = self.policy_freeze(&found, policy, at)? {
                taken.push(StaffAction {
                    at,
                    reviewer: "policy".into(),
                    what: ActionKind::SetStatus {
                        status: CustomerStatus::Frozen,
                    },
                    case: Some(case),
                    customer_id: found.customer_id().to_owned(),
                    transaction_id: Some(found.transaction.transaction_id.clone()),
                    note: freeze,
                });
            }
        }
        self.store.act(&taken, &suppressions, seal)?;
        if !suppressions.is_empty() {
            let mut map = self.suppressions.write().unwrap_or_else(|p| p.into_inner());
            map.entry(found.customer_id().to_owned())
                .or_default()
                .extend(suppressions);
        }
        for a in &taken[1..] {
            self.remember_status(a);
        }
        Ok(taken)
    }

    /// Takes an open case into review (its status `in_review`), recorded.
    pub fn review(
        &self,
        case: CaseId,
        reviewer: &str,
        note: &str,
        at: DateTime<Utc>,
        seal: &mut dyn FnMut(&StaffAction) -> Result<(), String>,
    ) -> Result<StaffAction, StoreError> {
        self.act_on_case(case, ActionKind::Review, reviewer, note, at, seal)
    }

    /// Adds a note to a case that changes nothing in it (a list entry the
    /// case rests on was removed): stored and sealed as a staff action of
    /// `reviewer`.
    pub fn annotate(
        &self,
        case: CaseId,
        reviewer: &str,
        note: &str,
        at: DateTime<Utc>,
        seal: &mut dyn FnMut(&StaffAction) -> Result<(), String>,
    ) -> Result<StaffAction, StoreError> {
        self.act_on_case(case, ActionKind::Annotate, reviewer, note, at, seal)
    }

    /// A staff action on a case that needs nothing else done: checked,
    /// stored and sealed.
    fn act_on_case(
        &self,
        case: CaseId,
        what: ActionKind,
        reviewer: &str,
        note: &str,
        at: DateTime<Utc>,
        seal: &mut dyn FnMut(&StaffAction) -> Result<(), String>,
    ) -> Result<StaffAction, StoreError> {
        let (_, action) = self.case_action(case, what, reviewer, note, at)?;
        self.store.act(std::slice::from_ref(&action), &[], seal)?;
        Ok(action)
    }

    /// A reviewer's action `what` on case `case`, with the case it acts on
    /// (which must exist).
    fn case_action(
        &self,
        case: CaseId,
        what: ActionKind,
        reviewer: &str,
        note: &str,
        at: DateTime<Utc>,
    ) -> Result<(Case, StaffAction), StoreError> {
        check_reviewer(reviewer, note)?;
        let found = self
            .store
            .case(case)?
            .ok_or_else(|| StoreError::Refused(format!("there is no case {case}")))?;
        let action = StaffAction {
            at,
            reviewer: reviewer.to_owned(),
            what,
            case: Some(case),
            customer_id: found.customer_id().to_owned(),
            transaction_id: Some(found.transaction.transaction_id.clone()),
            note: note.to_owned(),
        };
        Ok((found, action))
    }

    /// Puts a status action's effect in the in-memory view.
    fn remember_status(&self, action: &StaffAction) {
        let ActionKind::SetStatus { status } = action.what else {
            return;
        };
        let _after_any_refresh = self.applying.lock().unwrap_or_else(|p| p.into_inner());
        if status == CustomerStatus::Normal {
            self.statuses.remove(&action.customer_id);
        } else {
            self.statuses.insert(
                action.customer_id.clone(),
                CustomerRecord {
                    customer_id: action.customer_id.clone(),
                    status,
                    case: action.case,
                    reviewer: Some(action.reviewer.clone()),
                    note: Some(action.note.clone()),
                    since: Some(action.at),
                },
            );
        }
    }

    /// Why the policy freezes the customer of a case whose hit a reviewer
    /// confirmed, if it does (and the account is not frozen already).
    fn policy_freeze(
        &self,
        case: &Case,
        policy: &AccountPolicy,
        at: DateTime<Utc>,
    ) -> Result<Option<String>, StoreError> {
        let customer = case.customer_id();
        if self
            .status(customer)
            .is_some_and(|r| r.status == CustomerStatus::Frozen)
        {
            return Ok(None);
        }
        if policy.freeze_on_own_name {
            let own = match case.transaction.direction.as_str() {
                "outgoing" => "originator",
                _ => "beneficiary",
            };
            let own_hit = case.decision.reasons.iter().any(|f| {
                matches!(
                    f.kind,
                    FindingKind::SanctionsName
                        | FindingKind::SanctionsIdentifier
                        | FindingKind::SanctionsAddress
                ) && f.party.is_some_and(|p| p.to_string() == own)
            });
            if own_hit {
                return Ok(Some(format!(
                    "the customer's own party ({own}) is a confirmed sanctions hit (case {})",
                    case.id
                )));
            }
        }
        // this case's confirmation is not committed yet: count it here
        let this_block =
            (case.decision.action == crate::model::Action::Block).then_some(case.opened_at);
        self.freeze_by_count(customer, policy, at, true, this_block)
    }

    /// Why a count trigger freezes the customer now, if one does
    /// (`pending_block`: when a block whose confirmation is being recorded
    /// with this freeze was opened).
    fn freeze_by_count(
        &self,
        customer: &str,
        policy: &AccountPolicy,
        at: DateTime<Utc>,
        confirmed: bool,
        pending_block: Option<DateTime<Utc>>,
    ) -> Result<Option<String>, StoreError> {
        for trigger in policy
            .freeze_after
            .iter()
            .filter(|t| t.confirmed == confirmed)
        {
            let since = at - trigger.within;
            let n = self
                .store
                .count_blocks(customer, since, trigger.confirmed)?
                + u64::from(pending_block.is_some_and(|opened| opened >= since));
            if n >= u64::from(trigger.blocks) {
                return Ok(Some(format!(
                    "policy freeze_after: {n} {}blocks within {} (at least {})",
                    if confirmed { "confirmed " } else { "" },
                    crate::util::duration_text(trigger.within),
                    trigger.blocks
                )));
            }
        }
        Ok(None)
    }

    /// After a block was recorded for `customer` (its case `case`): freezes
    /// the account when an unconfirmed-block trigger of the policy fires.
    pub fn after_block(
        &self,
        customer: &str,
        case: CaseId,
        at: DateTime<Utc>,
        policy: &AccountPolicy,
        seal: &mut dyn FnMut(&StaffAction) -> Result<(), String>,
    ) -> Result<Option<StaffAction>, StoreError> {
        if policy.freeze_after.iter().all(|t| t.confirmed)
            || self
                .status(customer)
                .is_some_and(|r| r.status == CustomerStatus::Frozen)
        {
            return Ok(None);
        }
        match self.freeze_by_count(customer, policy, at, false, None)? {
            Some(why) => self
                .set_status(
                    customer,
                    CustomerStatus::Frozen,
                    "policy",
                    &why,
                    Some(case),
                    at,
                    seal,
                )
                .map(Some),
            None => Ok(None),
        }
    }

    /// Sets a customer's status (a reviewer's freeze, unfreeze or enhanced
    /// due diligence; or the policy's freeze), recorded as a staff action.
    #[allow(clippy::too_many_arguments)]
    pub fn set_status(
        &self,
        customer: &str,
        status: CustomerStatus,
        reviewer: &str,
        note: &str,
        case: Option<CaseId>,
        at: DateTime<Utc>,
        seal: &mut dyn FnMut(&StaffAction) -> Result<(), String>,
    ) -> Result<StaffAction, StoreError> {
        check_reviewer(reviewer, note)?;
        if customer.trim().is_empty() {
            return Err(StoreError::Refused("the customer id is empty".into()));
        }
        let transaction_id = match case {
            Some(id) => Some(
                self.store
                    .case(id)?
                    .ok_or_else(|| StoreError::Refused(format!("there is no case {id}")))?
                    .transaction
                    .transaction_id,
            ),
            None => None,
        };
        let action = StaffAction {
            at,
            reviewer: reviewer.to_owned(),
            what: ActionKind::SetStatus { status },
            case,
            customer_id: customer.to_owned(),
            transaction_id,
            note: note.to_owned(),
        };
        self.store.act(std::slice::from_ref(&action), &[], seal)?;
        self.remember_status(&action);
        Ok(action)
    }
}

/// Every staff action names who and why.
fn check_reviewer(reviewer: &str, note: &str) -> Result<(), StoreError> {
    if reviewer.trim().is_empty() {
        return Err(StoreError::Refused(
            "a staff action needs the reviewer's id (--reviewer)".into(),
        ));
    }
    if note.trim().is_empty() {
        return Err(StoreError::Refused(
            "a staff action needs a note saying why (--note)".into(),
        ));
    }
    Ok(())
}
