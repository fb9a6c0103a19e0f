//! What compliance staff do with the engine's decisions: review cases,
//! false-positive memory, customer status — kept in a case store.
//!
//! Every `hold` or `block` opens a [`Case`] holding what a reviewer needs:
//! the decision with its reasons, the transaction's essential fields
//! ([`TxSummary`]) and each list entry a name hit rests on, as printed when
//! the decision was made ([`ListEntry`]). A case goes open → in review →
//! closed; every [`StaffAction`] on it (who, when, what, why) is kept.
//!
//! Closing a name hit as a false positive stores a [`Suppression`] for that
//! subject and that list entry, which later screens of the same subject
//! skip (saying so); it lapses when the entry's content changes or after
//! its time, and never covers a wallet or identifier hit.
//!
//! A customer is [`CustomerStatus::Normal`], `Enhanced` (every outgoing
//! transfer held) or `Frozen` (every transaction blocked).
//!
//! The store is a trait ([`CaseStore`]) so that a shared server database
//! can serve many instances; [`SqliteStore`] is the embedded default: one
//! file, or memory when nothing is configured. [`Desk`] keeps what the hot
//! path reads (suppressions, customer status) in memory over a store.

mod desk;
#[cfg(feature = "postgres")]
pub mod postgres;
mod spool;
mod sqlite;

use std::fmt;
use std::path::PathBuf;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::model::{Action, Decision};

#[cfg(feature = "postgres")]
pub use self::postgres::PostgresStore;
pub use desk::{
    AccountPolicy, Desk, FreezeTrigger, HitSubject, Suppressed, DEFAULT_SUPPRESSION_DAYS,
};
pub use spool::SpooledStore;
pub use sqlite::{SqliteStore, SCHEMA_VERSION};

/// A case's number in its store, from 1.
pub type CaseId = u64;

/// Where a case stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum CaseStatus {
    /// Opened by a hold or block, not yet looked at.
    Open,
    /// Escalated, or taken up by a reviewer: not decided yet.
    InReview,
    /// Decided: see its outcome.
    Closed,
}

impl CaseStatus {
    /// As written in the store and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            CaseStatus::Open => "open",
            CaseStatus::InReview => "in_review",
            CaseStatus::Closed => "closed",
        }
    }

    /// Reads [`CaseStatus::as_str`] back.
    pub fn parse(text: &str) -> Option<CaseStatus> {
        [CaseStatus::Open, CaseStatus::InReview, CaseStatus::Closed]
            .into_iter()
            .find(|s| s.as_str() == text)
    }
}

impl fmt::Display for CaseStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a reviewer decided about a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Outcome {
    /// Not the listed subject: the transfer is released, and each name hit
    /// of the case is suppressed for this subject from now on.
    FalsePositive,
    /// The hit stands: the transfer stays blocked (frozen).
    Confirmed,
    /// The hit stands and a report to the financial-intelligence unit is due.
    Reported,
    /// Passed up for a senior decision: the case stays in review.
    Escalated,
}

impl Outcome {
    /// As written in the store and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::FalsePositive => "false_positive",
            Outcome::Confirmed => "confirmed",
            Outcome::Reported => "reported",
            Outcome::Escalated => "escalated",
        }
    }

    /// Reads [`Outcome::as_str`] back.
    pub fn parse(text: &str) -> Option<Outcome> {
        [
            Outcome::FalsePositive,
            Outcome::Confirmed,
            Outcome::Reported,
            Outcome::Escalated,
        ]
        .into_iter()
        .find(|o| o.as_str() == text)
    }

    /// Whether the hit was found to stand (confirmed or reported).
    pub fn stands(self) -> bool {
        matches!(self, Outcome::Confirmed | Outcome::Reported)
    }

    /// The status a case has after this outcome.
    pub fn status(self) -> CaseStatus {
        match self {
            Outcome::Escalated => CaseStatus::InReview,
            _ => CaseStatus::Closed,
        }
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A customer's standing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum CustomerStatus {
    /// Screened as usual.
    #[default]
    Normal,
    /// Enhanced due diligence: every outgoing transfer is held.
    Enhanced,
    /// The account is frozen: every transaction is blocked.
    Frozen,
}

impl CustomerStatus {
    /// As written in the store and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            CustomerStatus::Normal => "normal",
            CustomerStatus::Enhanced => "enhanced",
            CustomerStatus::Frozen => "frozen",
        }
    }

    /// Reads [`CustomerStatus::as_str`] back.
    pub fn parse(text: &str) -> Option<CustomerStatus> {
        [
            CustomerStatus::Normal,
            CustomerStatus::Enhanced,
            CustomerStatus::Frozen,
        ]
        .into_iter()
        .find(|s| s.as_str() == text)
    }
}

impl fmt::Display for CustomerStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One party of a case's transaction, as a reviewer needs it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PartySummary {
    /// Its role (`originator`, `beneficiary`, …).
    pub role: String,
    /// Name as given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `person` or `organization`, when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Date of birth as given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub birth_date: Option<String>,
    /// Country as given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// `CHAIN:address`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wallet: Option<String>,
    /// Account (IBAN) as given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    /// VASP as given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vasp: Option<String>,
    /// Domain as given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
    /// Identity documents and registration numbers, `type value`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ids: Vec<String>,
}

/// What was screened when a case opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Screening {
    /// A transfer (the usual case).
    #[default]
    Transfer,
    /// A customer, when registered ([`crate::Screener::import_customers`]).
    Onboarding,
    /// A registered customer, again, because the lists changed
    /// ([`crate::Screener::rescreen_customers`]).
    ListChange,
}

impl Screening {
    /// As written in the store and shown to a reviewer.
    pub fn as_str(self) -> &'static str {
        match self {
            Screening::Transfer => "transfer",
            Screening::Onboarding => "onboarding",
            Screening::ListChange => "list_change",
        }
    }

    fn is_transfer(&self) -> bool {
        *self == Screening::Transfer
    }
}

/// A case's transaction — or, for a customer screen, the screening — as a
/// reviewer needs it, no more. A customer screen has no transfer: its
/// `direction`, `amount` and `currency` are empty and its one party is the
/// customer (role `customer`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TxSummary {
    /// What was screened: a transfer, or a customer (at onboarding, after
    /// a list change).
    #[serde(default, skip_serializing_if = "Screening::is_transfer")]
    pub screening: Screening,
    /// Transaction id (for a customer screen, the screening's id:
    /// `onboarding` or `lists:<digest>`).
    pub transaction_id: String,
    /// Event time.
    pub timestamp: DateTime<Utc>,
    /// The customer.
    pub customer_id: String,
    /// `incoming` or `outgoing`.
    pub direction: String,
    /// Amount, as given.
    pub amount: String,
    /// Currency of the amount.
    pub currency: String,
    /// Every party, in screening order.
    pub parties: Vec<PartySummary>,
}

/// A list entry a name hit rests on, as printed when the decision was made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ListEntry {
    /// `list:id`.
    pub entity_id: String,
    /// The party whose name hit it.
    pub role: String,
    /// The party's name as given.
    pub query: String,
    /// The party's name folded as the suppression key (see
    /// [`Suppression::name`]).
    pub subject: String,
    /// The party's date of birth, when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub birth_date: Option<String>,
    /// Hash of the entry's content (names, dates, countries, ids,
    /// addresses, programmes): a suppression lapses when it changes.
    pub content_hash: String,
    /// The entry as a reviewer reads it.
    pub printed: String,
}

/// A hold or block waiting for, or given, a reviewer's decision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Case {
    /// Its number.
    #[cfg_attr(feature = "openapi", schema(value_type = u64))]
    pub id: CaseId,
    /// Where it stands.
    pub status: CaseStatus,
    /// The last outcome given (escalated, or the closing one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<Outcome>,
    /// When the decision that opened it was made.
    pub opened_at: DateTime<Utc>,
    /// The decision, with every reason.
    pub decision: Decision,
    /// The transaction's essential fields.
    pub transaction: TxSummary,
    /// Each list entry a name hit rests on.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub entries: Vec<ListEntry>,
    /// Every staff action on it, oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub actions: Vec<StaffAction>,
}

impl Case {
    /// The customer whose transaction opened it.
    pub fn customer_id(&self) -> &str {
        &self.transaction.customer_id
    }
}

/// What a staff action did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ActionKind {
    /// A case was given an outcome.
    Resolve {
        /// The outcome.
        outcome: Outcome,
    },
    /// An open case was taken into review.
    Review,
    /// A customer's status was set (by a reviewer, or by the policy).
    SetStatus {
        /// The new status.
        status: CustomerStatus,
    },
    /// A note on a case that changes nothing in it: a list entry the case
    /// rests on was removed from its list (reviewer `lists`).
    Annotate,
}

/// One action of compliance staff (or of the policy, reviewer `policy`):
/// kept in the store and appended to the audit chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StaffAction {
    /// When.
    pub at: DateTime<Utc>,
    /// Who (reviewer id; `policy` for an automatic one).
    pub reviewer: String,
    /// What was done.
    #[serde(flatten)]
    pub what: ActionKind,
    /// The case acted on, or that caused a status change.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<u64>))]
    pub case: Option<CaseId>,
    /// The customer concerned.
    pub customer_id: String,
    /// The case's transaction, when there is a case.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transaction_id: Option<String>,
    /// Why.
    pub note: String,
}

/// A name hit a reviewer cleared: skipped for this subject and entry until
/// the entry changes or `expires_at`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suppression {
    /// The customer whose transaction it was.
    pub customer_id: String,
    /// The party's role.
    pub role: String,
    /// The party's name, folded ([`crate::names::fold_words`] form).
    pub name: String,
    /// The party's date of birth, when it was given: a screen giving
    /// another (or none, where one was given) is not covered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub birth_date: Option<String>,
    /// `list:id` of the entry.
    pub entity_id: String,
    /// The entry's content hash when it was cleared.
    pub entry_hash: String,
    /// The case that cleared it.
    pub case: CaseId,
    /// Who cleared it.
    pub reviewer: String,
    /// When.
    pub created_at: DateTime<Utc>,
    /// When it lapses.
    pub expires_at: DateTime<Utc>,
}

/// A customer's standing and what set it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CustomerRecord {
    /// The customer.
    pub customer_id: String,
    /// Its status.
    pub status: CustomerStatus,
    /// The case that caused it, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<u64>))]
    pub case: Option<CaseId>,
    /// Who set it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reviewer: Option<String>,
    /// Why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Since when.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<DateTime<Utc>>,
}

impl CustomerRecord {
    /// A customer nobody acted on.
    pub fn normal(customer_id: &str) -> CustomerRecord {
        CustomerRecord {
            customer_id: customer_id.to_owned(),
            status: CustomerStatus::Normal,
            case: None,
            reviewer: None,
            note: None,
            since: None,
        }
    }
}

/// The JSON a store keeps in a text column; a value that cannot be written
/// is an error, never an empty column.
pub(crate) fn to_json<T: Serialize>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value)
        .map_err(|e| StoreError::Unrecorded(format!("cannot write it as JSON: {e}")))
}

/// A decision to record, with the case it opens (a hold or block).
#[derive(Debug, Clone)]
pub struct NewDecision<'a> {
    /// The decision (its `case` is filled in by the store).
    pub decision: &'a Decision,
    /// The customer.
    pub customer_id: &'a str,
    /// The transaction's summary, for the case a hold or block opens
    /// (`None` otherwise: nothing reads it).
    pub transaction: Option<&'a TxSummary>,
    /// The transaction's content hash (idempotency).
    pub content: u128,
    /// When it was made.
    pub decided_at: DateTime<Utc>,
    /// The entries its name hits rest on.
    pub entries: &'a [ListEntry],
    /// The store row of the decision it replaces (a re-screen).
    pub replaces: Option<i64>,
}

impl NewDecision<'_> {
    /// Whether recording it opens a case.
    pub fn opens_case(&self) -> bool {
        self.decision.action >= Action::Hold && self.transaction.is_some()
    }
}

/// A recorded decision read back.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredDecision {
    /// Its row, for a re-screen to link to.
    pub row: i64,
    /// The transaction's content hash.
    pub content: u128,
    /// When it was made.
    pub decided_at: DateTime<Utc>,
    /// The decision as returned (with its case).
    pub decision: Decision,
}

/// A registered customer's hit on a list entry, as the store remembers it:
/// a re-screen opens a case only for a hit it does not hold yet (a new
/// entry, or an entry whose content changed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerHit {
    /// The customer.
    pub customer_id: String,
    /// `list:id` of the entry.
    pub entity_id: String,
    /// The entry's content hash when it was hit.
    pub entry_hash: String,
    /// The case the hit opened (none when it was suppressed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub case: Option<CaseId>,
    /// When it was found.
    pub found_at: DateTime<Utc>,
}

/// A registered customer as stored: the profile (a
/// [`crate::customers::Customer`] as JSON: the store does not read it) and
/// when it last changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Registered {
    /// The customer id.
    pub customer_id: String,
    /// The profile, as JSON.
    pub profile: String,
    /// Its content hash ([`crate::customers::Customer::content_hash`]).
    pub hash: String,
    /// When it was imported or last changed.
    pub updated_at: DateTime<Utc>,
}

/// A customer's risk rating as the store keeps it: the level and score,
/// and the whole rating (every factor's part) as JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RatingRecord {
    /// The customer.
    pub customer_id: String,
    /// Its level.
    pub level: crate::model::RiskLevel,
    /// `R`, 0–100.
    pub score: f64,
    /// The rating with its factors, as JSON
    /// ([`crate::rules::customer_risk::Rating`]).
    pub rating: String,
    /// When it was computed.
    pub rated_at: DateTime<Utc>,
}

/// Which cases to list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CaseFilter {
    /// Only in this status.
    pub status: Option<CaseStatus>,
    /// Only of this customer.
    pub customer_id: Option<String>,
    /// Only opened at or after.
    pub since: Option<DateTime<Utc>>,
    /// At most this many, newest first (`None`: all).
    pub limit: Option<usize>,
}

/// How much `prune` removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Pruned {
    /// Closed cases (with their actions).
    pub cases: u64,
    /// Decisions (of closed or no cases).
    pub decisions: u64,
    /// Lapsed suppressions.
    pub suppressions: u64,
}

/// Why the store could not do what was asked.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The store file could not be opened, read or written.
    #[error("case store {}: {message}", path.display())]
    Database {
        /// The store file (`:memory:` for an in-memory store).
        path: PathBuf,
        /// What went wrong, with the database's own words.
        message: String,
    },
    /// Another process writes this store.
    #[error("case store {}: {message}", path.display())]
    Locked {
        /// The store file.
        path: PathBuf,
        /// Who holds it.
        message: String,
    },
    /// What was asked cannot be done (a case already closed, no such case).
    #[error("{0}")]
    Refused(String),
    /// A decision could not be recorded, so it is not returned (it may
    /// not be acted on unrecorded).
    #[error("decision not recorded in the case store: {0}")]
    Unrecorded(String),
    /// The audit chain refused the action's record: nothing was stored.
    #[error("staff action not recorded: the audit log refused it: {0}")]
    Audit(String),
}

/// Where decisions, cases, staff actions, suppressions and customer status
/// are kept. One writer at a time (the implementation serialises writes);
/// reads may run beside writes.
///
/// Narrow on purpose: a server database backend implements these and
/// nothing else.
pub trait CaseStore: Send + Sync + fmt::Debug {
    /// Records decisions in one transaction, opening a case for each hold
    /// or block; returns each one's case.
    fn record(&self, decisions: &[NewDecision<'_>]) -> Result<Vec<Option<CaseId>>, StoreError>;

    /// The latest decision recorded for this customer's transaction id.
    fn recorded(
        &self,
        customer_id: &str,
        transaction_id: &str,
    ) -> Result<Option<StoredDecision>, StoreError>;

    /// One case with its actions.
    fn case(&self, id: CaseId) -> Result<Option<Case>, StoreError>;

    /// Cases matching `filter`, newest first, with their actions.
    fn cases(&self, filter: &CaseFilter) -> Result<Vec<Case>, StoreError>;

    /// How many cases stand in `status` (all cases when `None`).
    fn count_cases(&self, status: Option<CaseStatus>) -> Result<u64, StoreError>;

    /// Cases of a customer opened at or after `since` whose decision was a
    /// block, and (with `confirmed`) whose outcome says the hit stands.
    fn count_blocks(
        &self,
        customer_id: &str,
        since: DateTime<Utc>,
        confirmed: bool,
    ) -> Result<u64, StoreError>;

    /// Applies staff actions in one transaction (a reviewer's resolution
    /// and the freeze the policy draws from it go together or not at all):
    /// checks each is allowed (a closed case is not resolved again),
    /// stores it with the suppressions it creates, updates the case or
    /// customer, calls `seal` on each (which appends it to the audit
    /// chain) and commits only if every seal succeeds.
    fn act(
        &self,
        actions: &[StaffAction],
        suppressions: &[Suppression],
        seal: &mut dyn FnMut(&StaffAction) -> Result<(), String>,
    ) -> Result<(), StoreError>;

    /// Every suppression not lapsed at `now`.
    fn suppressions(&self, now: DateTime<Utc>) -> Result<Vec<Suppression>, StoreError>;

    /// Every customer whose status is not normal.
    fn customers(&self) -> Result<Vec<CustomerRecord>, StoreError>;

    /// One customer's record (normal when nobody acted on it).
    fn customer(&self, customer_id: &str) -> Result<CustomerRecord, StoreError>;

    /// Adds customers to the registry, or replaces their profiles (one
    /// transaction).
    fn put_customers(&self, customers: &[Registered]) -> Result<(), StoreError>;

    /// One registered customer.
    fn registered(&self, customer_id: &str) -> Result<Option<Registered>, StoreError>;

    /// Every registered customer, by id. `each` is called once per
    /// customer, in id order; an `Err` from it stops the walk.
    fn each_registered(
        &self,
        each: &mut dyn FnMut(Registered) -> Result<(), StoreError>,
    ) -> Result<(), StoreError>;

    /// How many customers are registered.
    fn registered_count(&self) -> Result<u64, StoreError>;

    /// A number that changes whenever the registry does (each
    /// [`CaseStore::put_customers`] raises it): what an index built over
    /// the customers is current for.
    fn registry_generation(&self) -> Result<u64, StoreError>;

    /// Where the store keeps its file, when it has one: indexes derived
    /// from it may be cached beside it.
    fn file(&self) -> Option<&std::path::Path>;

    /// Every customer hit the store holds (optionally of one entry).
    fn customer_hits(&self, entity_id: Option<&str>) -> Result<Vec<CustomerHit>, StoreError>;

    /// Records customer hits (replacing one of the same customer and entry).
    fn put_customer_hits(&self, hits: &[CustomerHit]) -> Result<(), StoreError>;

    /// The list entries (`list:id` → content hash) the registry was last
    /// screened against: the base a delta re-screen compares the lists in
    /// force with. Empty before the first screen.
    fn screened_entries(&self) -> Result<Vec<(String, String)>, StoreError>;

    /// Replaces [`CaseStore::screened_entries`].
    fn set_screened_entries(&self, entries: &[(String, String)]) -> Result<(), StoreError>;

    /// How many decisions on transfers were recorded per day (UTC) and
    /// action, decided in `[from, to)`, by day. Customer screens (ids
    /// `onboarding` and `lists:…`) are not counted.
    fn decision_counts(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<(chrono::NaiveDate, Action, u64)>, StoreError>;

    /// Keeps customers' ratings (each replacing the one before), in one
    /// transaction.
    fn put_ratings(&self, ratings: &[RatingRecord]) -> Result<(), StoreError>;

    /// A customer's last rating.
    fn rating(&self, customer_id: &str) -> Result<Option<RatingRecord>, StoreError>;

    /// Every rated customer's level.
    fn rating_levels(&self) -> Result<Vec<(String, crate::model::RiskLevel)>, StoreError>;

    /// Removes closed cases opened before `before` with their actions,
    /// decisions before it that no open case needs, and suppressions
    /// lapsed by then.
    fn prune(&self, before: DateTime<Utc>) -> Result<Pruned, StoreError>;

    /// The id of the latest staff action stored (0 for none): it grows with
    /// every action, so an instance sharing the store with others polls it
    /// to learn that suppressions or customer statuses changed.
    fn last_action(&self) -> Result<i64, StoreError>;

    /// Whether other processes write this store too (PostgreSQL): the
    /// screener then polls [`CaseStore::last_action`] to pick up their
    /// staff actions. A SQLite file has one writer: false.
    fn shared(&self) -> bool {
        false
    }

    /// Decisions waiting in a local spool for the database to come back
    /// (see [`SpooledStore`]); 0 for a store without one.
    fn spooled(&self) -> usize {
        0
    }
}
