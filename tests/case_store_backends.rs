//! The same case-store scenarios on both backends: each scenario takes a
//! `&dyn CaseStore` and runs once on a SQLite file (`on_sqlite::…`, with
//! the README's `cargo test`) and once on a PostgreSQL database
//! (`on_postgres::…`, ignored: it starts a PostgreSQL 15 server, see
//! `tests/pg_server.rs`; `.ci/run` runs it with the other ignored tests).
//! What one backend answers, the other must answer too.
//!
//! The PostgreSQL database of the scenarios sorts text by an ICU locale
//! (`en-US`, where `c-1` comes before `C-9`): the store must still order
//! ids bytewise, as SQLite does.
//!
//! Then what only a server database meets: two instances on one database,
//! concurrent writers, two reviewers resolving one case at once, a server
//! restart, a schema from a newer build.

use std::collections::HashSet;
use std::sync::{Arc, Barrier, Mutex};
use std::time::Duration;

use amlscreen::cases::{
    ActionKind, CaseFilter, CaseId, CaseStatus, CaseStore, CustomerHit, CustomerRecord,
    CustomerStatus, ListEntry, NewDecision, Outcome, PartySummary, PostgresStore, RatingRecord,
    Registered, Screening, SqliteStore, StaffAction, StoreError, Suppression, TxSummary,
};
use amlscreen::{Action, Decision, Finding, RiskLevel};
use chrono::{DateTime, Duration as Span, NaiveDate, Utc};

use crate::pg_server::PgServer;

/// A time written in RFC 3339 (microseconds at most: what the stores keep).
fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .unwrap_or_else(|e| panic!("{text}: {e}"))
        .with_timezone(&Utc)
}

/// The scenarios' reference time.
fn t0() -> DateTime<Utc> {
    at("2026-03-02T10:00:00.123456Z")
}

/// A decision as the engine returns it; with `reasons`, one finding (so
/// the store keeps its JSON), else none (kept in columns alone).
fn decision(id: &str, action: Action, reasons: bool) -> Decision {
    let (risk, score) = match action {
        Action::Allow => (RiskLevel::Low, 0),
        Action::Hold => (RiskLevel::Medium, 40),
        Action::Block => (RiskLevel::High, 90),
    };
    let mut d: Decision = serde_json::from_value(serde_json::json!({
        "transaction_id": id,
        "risk": risk,
        "action": action,
        "score": score,
        "reasons": [],
        "version": "engine-1/lists-abc",
    }))
    .unwrap_or_else(|e| panic!("{e}"));
    if reasons {
        d.reasons.push(Finding::note(
            "sanctions",
            format!("beneficiary name matches wl:{id} (score 0.97)"),
        ));
    }
    d.summary = d.compose_summary();
    d
}

/// One screened transaction, owning what a [`NewDecision`] borrows.
struct Screened {
    decision: Decision,
    customer: String,
    summary: TxSummary,
    entries: Vec<ListEntry>,
    content: u128,
    at: DateTime<Utc>,
    /// Whether the store gets the summary (a hold or block then opens a
    /// case).
    with_summary: bool,
    replaces: Option<i64>,
}

impl Screened {
    fn new(customer: &str, id: &str, action: Action, at: DateTime<Utc>) -> Screened {
        let screening = match id {
            "onboarding" => Screening::Onboarding,
            id if id.starts_with("lists:") => Screening::ListChange,
            _ => Screening::Transfer,
        };
        Screened {
            decision: decision(id, action, action != Action::Allow),
            customer: customer.into(),
            summary: TxSummary {
                screening,
                transaction_id: id.into(),
                timestamp: at - Span::seconds(5),
                customer_id: customer.into(),
                direction: "outgoing".into(),
                amount: "1500.00".into(),
                currency: "EUR".into(),
                parties: vec![PartySummary {
                    role: "beneficiary".into(),
                    name: Some("Petro Melnyk".into()),
                    kind: Some("person".into()),
                    birth_date: Some("1962-03-04".into()),
                    country: Some("UA".into()),
                    wallet: None,
                    account: Some("UA213223130000026007233566001".into()),
                    vasp: None,
                    domain: None,
                    ids: vec!["passport AB123456".into()],
                }],
            },
            entries: Vec::new(),
            content: u128::from_le_bytes(*b"content-of-tx-01") ^ id.len() as u128,
            at,
            with_summary: true,
            replaces: None,
        }
    }

    /// With the list entry its name hit rests on.
    fn hitting(mut self, entity: &str) -> Screened {
        self.entries.push(ListEntry {
            entity_id: entity.into(),
            role: "beneficiary".into(),
            query: "Petro Melnyk".into(),
            subject: "melnyk petro".into(),
            birth_date: Some("1962-03-04".into()),
            content_hash: format!("hash-of-{entity}"),
            printed: format!("{entity}: MELNYK, Petro (b. 1962-03-04)"),
        });
        self
    }

    fn without_summary(mut self) -> Screened {
        self.with_summary = false;
        self
    }

    fn replacing(mut self, row: i64) -> Screened {
        self.replaces = Some(row);
        self
    }

    fn new_decision(&self) -> NewDecision<'_> {
        NewDecision {
            decision: &self.decision,
            customer_id: &self.customer,
            transaction: self.with_summary.then_some(&self.summary),
            content: self.content,
            decided_at: self.at,
            entries: &self.entries,
            replaces: self.replaces,
        }
    }
}

fn record(store: &dyn CaseStore, screened: &[&Screened]) -> Vec<Option<CaseId>> {
    let decisions: Vec<NewDecision<'_>> = screened.iter().map(|s| s.new_decision()).collect();
    store
        .record(&decisions)
        .unwrap_or_else(|e| panic!("record: {e}"))
}

fn record_one(store: &dyn CaseStore, screened: &Screened) -> Option<CaseId> {
    record(store, &[screened])[0]
}

fn staff(what: ActionKind, case: Option<CaseId>, customer: &str, at: DateTime<Utc>) -> StaffAction {
    StaffAction {
        at,
        reviewer: "r-anna".into(),
        what,
        case,
        customer_id: customer.into(),
        transaction_id: case.map(|c| format!("tx-of-case-{c}")),
        note: "checked the passport copy".into(),
    }
}

fn resolve(case: CaseId, outcome: Outcome, at: DateTime<Utc>) -> StaffAction {
    staff(ActionKind::Resolve { outcome }, Some(case), "c-1", at)
}

fn set_status(customer: &str, status: CustomerStatus, case: Option<CaseId>) -> StaffAction {
    staff(ActionKind::SetStatus { status }, case, customer, t0())
}

fn suppression(case: CaseId, entity: &str, expires_at: DateTime<Utc>) -> Suppression {
    Suppression {
        customer_id: "c-1".into(),
        role: "beneficiary".into(),
        name: "melnyk petro".into(),
        birth_date: Some("1962-03-04".into()),
        entity_id: entity.into(),
        entry_hash: format!("hash-of-{entity}"),
        case,
        reviewer: "r-anna".into(),
        created_at: t0(),
        expires_at,
    }
}

/// Applies `actions` with a seal that accepts every one.
fn act(
    store: &dyn CaseStore,
    actions: &[StaffAction],
    suppressions: &[Suppression],
) -> Result<(), StoreError> {
    store.act(actions, suppressions, &mut |_| Ok(()))
}

fn refused(result: Result<(), StoreError>, says: &str) {
    match result {
        Err(StoreError::Refused(why)) => assert!(why.contains(says), "{why}"),
        other => panic!("expected a refusal saying {says:?}, got {other:?}"),
    }
}

// ---------------------------------------------------------------------
// The scenarios, on either backend.

fn decisions_open_cases_and_read_back(store: &dyn CaseStore) {
    assert!(store.record(&[]).unwrap().is_empty());
    let t1 = t0() + Span::hours(1);
    let allowed = Screened::new("c-1", "t-1", Action::Allow, t0());
    let held = Screened::new("c-1", "t-2", Action::Hold, t0()).hitting("wl:1");
    let blocked = Screened::new("c-1", "t-3", Action::Block, t0()).hitting("ofac:7");
    let other = Screened::new("c-2", "t-4", Action::Hold, t1);
    let unsummarised = Screened::new("c-1", "t-5", Action::Hold, t0()).without_summary();
    let cases = record(store, &[&allowed, &held, &blocked, &other, &unsummarised]);
    let [None, Some(a), Some(b), Some(c), None] = cases[..] else {
        panic!("cases {cases:?}: one for each hold and block with a summary");
    };
    assert!(a < b && b < c, "case ids in decision order: {cases:?}");

    // a decision read back: its content, time and case
    let kept = store.recorded("c-1", "t-1").unwrap().expect("t-1 recorded");
    assert_eq!(kept.content, allowed.content);
    assert_eq!(kept.decided_at, t0());
    assert_eq!(kept.decision, allowed.decision);
    let kept_hold = store.recorded("c-1", "t-2").unwrap().expect("t-2 recorded");
    let mut expected = held.decision.clone();
    expected.case = Some(a);
    assert_eq!(kept_hold.decision, expected);
    assert!(kept_hold.row > kept.row);
    assert!(store.recorded("c-2", "t-1").unwrap().is_none());
    assert!(store.recorded("c-1", "t-404").unwrap().is_none());
    assert_eq!(
        store.recorded("c-1", "t-5").unwrap().unwrap().decision.case,
        None
    );

    // a re-screen: the latest decision is the one read back, in a new case
    let t2 = t0() + Span::hours(2);
    let rescreen = Screened::new("c-1", "t-2", Action::Block, t2)
        .hitting("wl:1")
        .replacing(kept_hold.row);
    let d = record_one(store, &rescreen).expect("a block opens a case");
    assert!(d > c);
    let latest = store.recorded("c-1", "t-2").unwrap().unwrap();
    assert!(latest.row > kept_hold.row);
    assert_eq!(latest.decision.action, Action::Block);
    assert_eq!(latest.decision.case, Some(d));
    assert_eq!(latest.decided_at, t2);

    // one case, whole
    let case = store.case(a).unwrap().expect("case a");
    assert_eq!(case.id, a);
    assert_eq!(case.status, CaseStatus::Open);
    assert_eq!(case.outcome, None);
    assert_eq!(case.opened_at, t0());
    assert_eq!(case.decision, expected);
    assert_eq!(case.transaction, held.summary);
    assert_eq!(case.entries, held.entries);
    assert_eq!(case.customer_id(), "c-1");
    assert!(case.actions.is_empty());
    assert!(store.case(d + 1000).unwrap().is_none());

    // lists of cases: newest first, filtered
    let ids = |filter: CaseFilter| -> Vec<CaseId> {
        store.cases(&filter).unwrap().iter().map(|c| c.id).collect()
    };
    assert_eq!(ids(CaseFilter::default()), [d, c, b, a]);
    let open = CaseFilter {
        status: Some(CaseStatus::Open),
        ..CaseFilter::default()
    };
    assert_eq!(ids(open), [d, c, b, a]);
    let closed = CaseFilter {
        status: Some(CaseStatus::Closed),
        ..CaseFilter::default()
    };
    assert_eq!(ids(closed), Vec::<CaseId>::new());
    let of_c2 = CaseFilter {
        customer_id: Some("c-2".into()),
        ..CaseFilter::default()
    };
    assert_eq!(ids(of_c2), [c]);
    let recent = CaseFilter {
        since: Some(t0() + Span::minutes(30)),
        ..CaseFilter::default()
    };
    assert_eq!(ids(recent), [d, c]);
    let at_t1 = CaseFilter {
        since: Some(t1),
        ..CaseFilter::default()
    };
    assert_eq!(ids(at_t1), [d, c], "since is inclusive");
    let two = CaseFilter {
        limit: Some(2),
        ..CaseFilter::default()
    };
    assert_eq!(ids(two), [d, c]);
    let none = CaseFilter {
        limit: Some(0),
        ..CaseFilter::default()
    };
    assert_eq!(ids(none), Vec::<CaseId>::new());
    let newest_of_c1 = CaseFilter {
        customer_id: Some("c-1".into()),
        status: Some(CaseStatus::Open),
        since: Some(t0()),
        limit: Some(1),
    };
    assert_eq!(ids(newest_of_c1), [d]);
    let listed = store.cases(&CaseFilter::default()).unwrap();
    assert_eq!(listed[3], case, "a listed case is the case read alone");

    assert_eq!(store.count_cases(None).unwrap(), 4);
    assert_eq!(store.count_cases(Some(CaseStatus::Open)).unwrap(), 4);
    assert_eq!(store.count_cases(Some(CaseStatus::InReview)).unwrap(), 0);
    let day_before = t0() - Span::days(1);
    assert_eq!(store.count_blocks("c-1", day_before, false).unwrap(), 2);
    assert_eq!(store.count_blocks("c-1", t1, false).unwrap(), 1);
    assert_eq!(store.count_blocks("c-1", day_before, true).unwrap(), 0);
    assert_eq!(store.count_blocks("c-2", day_before, false).unwrap(), 0);
}

fn staff_actions_are_kept_only_when_allowed_and_sealed(store: &dyn CaseStore) {
    assert_eq!(store.last_action().unwrap(), 0);
    let held = Screened::new("c-1", "t-1", Action::Hold, t0()).hitting("wl:1");
    let blocked = Screened::new("c-1", "t-2", Action::Block, t0()).hitting("ofac:7");
    let h = record_one(store, &held).unwrap();
    let k = record_one(store, &blocked).unwrap();
    let later = |minutes| t0() + Span::minutes(minutes);

    // the audit refuses: nothing is kept
    let audit = store
        .act(
            &[
                resolve(h, Outcome::FalsePositive, later(1)),
                set_status("c-1", CustomerStatus::Enhanced, Some(h)),
            ],
            &[suppression(h, "wl:1", t0() + Span::days(90))],
            &mut |_| Err("audit disk full".into()),
        )
        .unwrap_err();
    assert!(
        matches!(audit, StoreError::Audit(ref why) if why.contains("disk full")),
        "{audit}"
    );
    let case = store.case(h).unwrap().unwrap();
    assert_eq!(case.status, CaseStatus::Open);
    assert!(case.actions.is_empty());
    assert!(store.suppressions(t0()).unwrap().is_empty());
    assert_eq!(
        store.customer("c-1").unwrap(),
        CustomerRecord::normal("c-1")
    );
    assert_eq!(store.last_action().unwrap(), 0);

    // one refused action refuses the whole set, before any seal
    let mut sealed = 0;
    let missing = store.act(
        &[
            staff(ActionKind::Review, Some(h), "c-1", later(2)),
            resolve(h + k + 100, Outcome::Confirmed, later(2)),
        ],
        &[],
        &mut |_| {
            sealed += 1;
            Ok(())
        },
    );
    refused(missing, "there is no case");
    assert_eq!(sealed, 0);
    assert_eq!(store.case(h).unwrap().unwrap().status, CaseStatus::Open);
    let nameless = StaffAction {
        case: None,
        ..resolve(h, Outcome::Confirmed, later(2))
    };
    refused(act(store, &[nameless], &[]), "names no case");
    assert_eq!(store.last_action().unwrap(), 0);

    // taken into review, once
    let review = staff(ActionKind::Review, Some(h), "c-1", later(3));
    act(store, std::slice::from_ref(&review), &[]).unwrap();
    let first = store.last_action().unwrap();
    assert!(first > 0);
    assert_eq!(store.case(h).unwrap().unwrap().status, CaseStatus::InReview);
    refused(
        act(store, std::slice::from_ref(&review), &[]),
        "only an open case",
    );
    assert_eq!(store.last_action().unwrap(), first);

    // escalated: still in review
    let escalate = resolve(h, Outcome::Escalated, later(4));
    act(store, std::slice::from_ref(&escalate), &[]).unwrap();
    let case = store.case(h).unwrap().unwrap();
    assert_eq!(case.status, CaseStatus::InReview);
    assert_eq!(case.outcome, Some(Outcome::Escalated));
    let second = store.last_action().unwrap();
    assert!(second > first);

    // closed as a false positive with the freeze the policy draws from it,
    // each sealed in order
    let close = resolve(h, Outcome::FalsePositive, later(5));
    let enhance = StaffAction {
        reviewer: "policy".into(),
        ..set_status("c-1", CustomerStatus::Enhanced, Some(h))
    };
    let mut seals = Vec::new();
    store
        .act(
            &[close.clone(), enhance.clone()],
            &[suppression(h, "wl:1", t0() + Span::days(90))],
            &mut |a| {
                seals.push(a.clone());
                Ok(())
            },
        )
        .unwrap();
    assert_eq!(seals, [close.clone(), enhance.clone()]);
    let case = store.case(h).unwrap().unwrap();
    assert_eq!(case.status, CaseStatus::Closed);
    assert_eq!(case.outcome, Some(Outcome::FalsePositive));
    assert_eq!(case.actions, [review, escalate, close, enhance.clone()]);
    assert_eq!(
        store.customer("c-1").unwrap().status,
        CustomerStatus::Enhanced
    );
    assert_eq!(store.suppressions(t0()).unwrap().len(), 1);
    let third = store.last_action().unwrap();
    assert!(third > second);

    // a closed case is not resolved again, nor taken into review; a note
    // on it is kept
    refused(
        act(store, &[resolve(h, Outcome::Confirmed, later(6))], &[]),
        "already closed (false_positive)",
    );
    refused(
        act(
            store,
            &[staff(ActionKind::Review, Some(h), "c-1", later(6))],
            &[],
        ),
        "only an open case",
    );
    assert_eq!(store.last_action().unwrap(), third);
    let note = staff(ActionKind::Annotate, Some(h), "c-1", later(7));
    act(store, std::slice::from_ref(&note), &[]).unwrap();
    assert_eq!(store.case(h).unwrap().unwrap().actions.len(), 5);
    assert_eq!(
        store.case(h).unwrap().unwrap().outcome,
        Some(Outcome::FalsePositive)
    );
    assert!(store.last_action().unwrap() > third);

    // a confirmed block counts as confirmed
    let day_before = t0() - Span::days(1);
    assert_eq!(store.count_blocks("c-1", day_before, true).unwrap(), 0);
    act(store, &[resolve(k, Outcome::Reported, later(8))], &[]).unwrap();
    assert_eq!(store.count_blocks("c-1", day_before, true).unwrap(), 1);
    assert_eq!(store.count_cases(Some(CaseStatus::Closed)).unwrap(), 2);
    assert_eq!(store.count_cases(Some(CaseStatus::Open)).unwrap(), 0);
}

fn suppressions_lapse_at_their_time(store: &dyn CaseStore) {
    let held = Screened::new("c-1", "t-1", Action::Hold, t0()).hitting("wl:1");
    let h = record_one(store, &held).unwrap();
    let soon = t0() + Span::days(1);
    let later = t0() + Span::days(90);
    let long = suppression(h, "wl:1", later);
    let short = suppression(h, "wl:2", soon);
    act(
        store,
        &[resolve(h, Outcome::FalsePositive, t0())],
        &[long.clone(), short.clone()],
    )
    .unwrap();
    assert_eq!(store.suppressions(t0()).unwrap(), [long.clone(), short]);
    // lapsed at its time, not after
    assert_eq!(
        store.suppressions(soon).unwrap(),
        std::slice::from_ref(&long)
    );
    assert_eq!(
        store.suppressions(later - Span::microseconds(1)).unwrap(),
        [long]
    );
    assert!(store.suppressions(later).unwrap().is_empty());
}

fn customer_status_is_kept_per_customer(store: &dyn CaseStore) {
    assert!(store.customers().unwrap().is_empty());
    assert_eq!(
        store.customer("nobody").unwrap(),
        CustomerRecord::normal("nobody")
    );
    act(
        store,
        &[
            set_status("c-2", CustomerStatus::Frozen, None),
            set_status("c-10", CustomerStatus::Enhanced, Some(7)),
            set_status("C-9", CustomerStatus::Enhanced, None),
            set_status("c-3", CustomerStatus::Enhanced, None),
        ],
        &[],
    )
    .unwrap();
    let back_to_normal = StaffAction {
        note: "documents received".into(),
        at: t0() + Span::days(2),
        ..set_status("c-3", CustomerStatus::Normal, None)
    };
    act(store, &[back_to_normal], &[]).unwrap();
    let listed = store.customers().unwrap();
    let ids: Vec<&str> = listed.iter().map(|c| c.customer_id.as_str()).collect();
    assert_eq!(
        ids,
        ["C-9", "c-10", "c-2"],
        "bytewise id order, normal left out"
    );
    assert_eq!(
        listed[1],
        CustomerRecord {
            customer_id: "c-10".into(),
            status: CustomerStatus::Enhanced,
            case: Some(7),
            reviewer: Some("r-anna".into()),
            note: Some("checked the passport copy".into()),
            since: Some(t0()),
        }
    );
    assert_eq!(
        store.customer("c-2").unwrap().status,
        CustomerStatus::Frozen
    );
    let c3 = store.customer("c-3").unwrap();
    assert_eq!(c3.status, CustomerStatus::Normal);
    assert_eq!(c3.note.as_deref(), Some("documents received"));
    assert_eq!(c3.since, Some(t0() + Span::days(2)));
}

fn registered(id: &str, profile: &str, minutes: i64) -> Registered {
    Registered {
        customer_id: id.into(),
        profile: format!(r#"{{"id":"{id}","name":"{profile}"}}"#),
        hash: format!("hash-{id}-{profile}"),
        updated_at: t0() + Span::minutes(minutes),
    }
}

fn the_registry_keeps_customers_in_id_order(store: &dyn CaseStore) {
    assert_eq!(store.registered_count().unwrap(), 0);
    assert_eq!(store.registry_generation().unwrap(), 0);
    store
        .put_customers(&[
            registered("c-2", "Olena Shevchenko", 0),
            registered("c-10", "Petro Melnyk", 0),
            registered("C-9", "Ivan Franko", 0),
        ])
        .unwrap();
    assert_eq!(store.registry_generation().unwrap(), 1);
    // one batch naming a customer twice: the last profile stands
    store
        .put_customers(&[
            registered("c-1", "Taras Bulba", 1),
            registered("c-2", "Olena Shevchenko-Koval", 2),
            registered("c-1", "Taras Bulba-Borovets", 3),
        ])
        .unwrap();
    assert_eq!(store.registry_generation().unwrap(), 2);
    store.put_customers(&[]).unwrap();
    assert_eq!(store.registry_generation().unwrap(), 2, "nothing changed");
    assert_eq!(store.registered_count().unwrap(), 4);
    assert_eq!(
        store.registered("c-1").unwrap(),
        Some(registered("c-1", "Taras Bulba-Borovets", 3))
    );
    assert_eq!(
        store.registered("c-2").unwrap(),
        Some(registered("c-2", "Olena Shevchenko-Koval", 2))
    );
    assert!(store.registered("nobody").unwrap().is_none());

    let mut walked = Vec::new();
    store
        .each_registered(&mut |r| {
            walked.push(r.customer_id);
            Ok(())
        })
        .unwrap();
    assert_eq!(walked, ["C-9", "c-1", "c-10", "c-2"], "bytewise id order");

    // an error from the callback stops the walk and is returned
    let mut seen = 0;
    let stopped = store.each_registered(&mut |_| {
        seen += 1;
        Err(StoreError::Refused("enough".into()))
    });
    assert!(matches!(stopped, Err(StoreError::Refused(ref why)) if why == "enough"));
    assert_eq!(seen, 1);
    // and the store is still usable
    assert_eq!(store.registered_count().unwrap(), 4);
}

fn hit(customer: &str, entity: &str, hash: &str, case: Option<CaseId>) -> CustomerHit {
    CustomerHit {
        customer_id: customer.into(),
        entity_id: entity.into(),
        entry_hash: hash.into(),
        case,
        found_at: t0(),
    }
}

fn customer_hits_and_screened_entries_are_replaced(store: &dyn CaseStore) {
    assert!(store.customer_hits(None).unwrap().is_empty());
    store
        .put_customer_hits(&[
            hit("c-2", "wl:1", "h1", None),
            hit("c-1", "wl:2", "h2", Some(3)),
            hit("c-1", "wl:1", "h1", Some(4)),
            hit("C-9", "wl:1", "h1", None),
        ])
        .unwrap();
    // the same customer and entry again: replaced (in one batch too)
    let changed = CustomerHit {
        found_at: t0() + Span::days(1),
        ..hit("c-1", "wl:1", "h1-changed", Some(5))
    };
    store
        .put_customer_hits(&[hit("c-1", "wl:1", "h1-interim", Some(9)), changed.clone()])
        .unwrap();
    assert_eq!(
        store.customer_hits(None).unwrap(),
        [
            hit("C-9", "wl:1", "h1", None),
            changed.clone(),
            hit("c-1", "wl:2", "h2", Some(3)),
            hit("c-2", "wl:1", "h1", None),
        ]
    );
    assert_eq!(
        store.customer_hits(Some("wl:1")).unwrap(),
        [
            hit("C-9", "wl:1", "h1", None),
            changed,
            hit("c-2", "wl:1", "h1", None)
        ]
    );
    assert!(store.customer_hits(Some("wl:404")).unwrap().is_empty());

    let sorted = |mut v: Vec<(String, String)>| {
        v.sort();
        v
    };
    let pair = |a: &str, b: &str| (a.to_owned(), b.to_owned());
    assert!(store.screened_entries().unwrap().is_empty());
    store
        .set_screened_entries(&[pair("wl:2", "h2"), pair("wl:1", "h1"), pair("wl:2", "h2b")])
        .unwrap();
    assert_eq!(
        sorted(store.screened_entries().unwrap()),
        [pair("wl:1", "h1"), pair("wl:2", "h2b")]
    );
    store.set_screened_entries(&[pair("ofac:3", "h3")]).unwrap();
    assert_eq!(store.screened_entries().unwrap(), [pair("ofac:3", "h3")]);
    store.set_screened_entries(&[]).unwrap();
    assert!(store.screened_entries().unwrap().is_empty());
}

fn decisions_are_counted_per_day_and_action(store: &dyn CaseStore) {
    let day1 = at("2026-03-01T08:15:00Z");
    let day2 = at("2026-03-02T23:59:59.999999Z");
    let day3 = at("2026-03-03T00:00:00Z");
    let all = [
        Screened::new("c-1", "t-1", Action::Allow, day1),
        Screened::new("c-2", "t-2", Action::Allow, day1 + Span::hours(1)),
        Screened::new("c-1", "t-3", Action::Hold, day1),
        Screened::new("c-1", "t-4", Action::Block, day1),
        Screened::new("c-5", "onboarding", Action::Hold, day1),
        Screened::new("c-6", "onboarding", Action::Allow, day1),
        Screened::new("c-5", "lists:abc123", Action::Block, day2),
        Screened::new("c-2", "t-5", Action::Allow, day2),
        Screened::new("c-3", "t-6", Action::Hold, day3),
    ];
    record(store, &all.iter().collect::<Vec<_>>());
    let mut counts = store
        .decision_counts(at("2026-03-01T00:00:00Z"), day3)
        .unwrap();
    counts.sort_by_key(|&(day, action, _)| (day, action));
    let date = |d: &str| NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap();
    assert_eq!(
        counts,
        [
            (date("2026-03-01"), Action::Allow, 2),
            (date("2026-03-01"), Action::Hold, 1),
            (date("2026-03-01"), Action::Block, 1),
            (date("2026-03-02"), Action::Allow, 1),
        ],
        "customer screens left out, [from, to)"
    );
    let days: Vec<NaiveDate> = store
        .decision_counts(day1, day3 + Span::days(1))
        .unwrap()
        .iter()
        .map(|c| c.0)
        .collect();
    let mut by_day = days.clone();
    by_day.sort();
    assert_eq!(days, by_day, "by day");
    assert!(store
        .decision_counts(day3 + Span::seconds(1), day3 + Span::days(1))
        .unwrap()
        .is_empty());
}

fn rating(customer: &str, level: RiskLevel, score: f64) -> RatingRecord {
    RatingRecord {
        customer_id: customer.into(),
        level,
        score,
        rating: format!(r#"{{"customer":"{customer}","score":{score},"factors":[]}}"#),
        rated_at: t0(),
    }
}

fn ratings_replace_the_one_before(store: &dyn CaseStore) {
    assert!(store.rating("c-1").unwrap().is_none());
    assert!(store.rating_levels().unwrap().is_empty());
    store
        .put_ratings(&[
            rating("c-1", RiskLevel::Low, 12.5),
            rating("c-2", RiskLevel::High, 80.25),
        ])
        .unwrap();
    let rerated = RatingRecord {
        rated_at: t0() + Span::days(30),
        ..rating("c-1", RiskLevel::Medium, 45.125)
    };
    store
        .put_ratings(&[rating("c-1", RiskLevel::High, 99.0), rerated.clone()])
        .unwrap();
    assert_eq!(store.rating("c-1").unwrap(), Some(rerated));
    assert_eq!(
        store.rating("c-2").unwrap(),
        Some(rating("c-2", RiskLevel::High, 80.25))
    );
    let mut levels = store.rating_levels().unwrap();
    levels.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(
        levels,
        [
            ("c-1".to_owned(), RiskLevel::Medium),
            ("c-2".to_owned(), RiskLevel::High)
        ]
    );
}

fn prune_removes_closed_cases_old_decisions_and_lapsed_suppressions(store: &dyn CaseStore) {
    let old = at("2026-01-05T09:00:00Z");
    let cut = at("2026-02-01T00:00:00Z");
    let new = at("2026-03-01T09:00:00Z");
    let old_allow = Screened::new("c-1", "t-old-allow", Action::Allow, old);
    let old_closed = Screened::new("c-1", "t-old-closed", Action::Hold, old).hitting("wl:1");
    let old_open = Screened::new("c-1", "t-old-open", Action::Block, old).hitting("wl:2");
    let new_allow = Screened::new("c-1", "t-new-allow", Action::Allow, new);
    let new_closed = Screened::new("c-1", "t-new-closed", Action::Hold, new).hitting("wl:3");
    let cases = record(
        store,
        &[&old_allow, &old_closed, &old_open, &new_allow, &new_closed],
    );
    let (closed, open, recent) = (cases[1].unwrap(), cases[2].unwrap(), cases[4].unwrap());
    act(
        store,
        &[
            resolve(closed, Outcome::FalsePositive, old + Span::hours(1)),
            resolve(recent, Outcome::Confirmed, new + Span::hours(1)),
        ],
        &[
            suppression(closed, "wl:1", at("2026-01-20T00:00:00Z")),
            suppression(closed, "wl:9", at("2026-06-01T00:00:00Z")),
        ],
    )
    .unwrap();

    let pruned = store.prune(cut).unwrap();
    assert_eq!(pruned.cases, 1, "{pruned:?}");
    assert_eq!(pruned.decisions, 2, "{pruned:?}");
    assert_eq!(pruned.suppressions, 1, "{pruned:?}");
    assert!(store.case(closed).unwrap().is_none());
    assert!(store.case(open).unwrap().is_some());
    assert_eq!(store.case(recent).unwrap().unwrap().actions.len(), 1);
    assert!(store.recorded("c-1", "t-old-allow").unwrap().is_none());
    assert!(store.recorded("c-1", "t-old-closed").unwrap().is_none());
    assert!(store.recorded("c-1", "t-old-open").unwrap().is_some());
    assert!(store.recorded("c-1", "t-new-allow").unwrap().is_some());
    let kept: Vec<String> = store
        .suppressions(old)
        .unwrap()
        .into_iter()
        .map(|s| s.entity_id)
        .collect();
    assert_eq!(kept, ["wl:9"]);
    assert_eq!(store.count_cases(None).unwrap(), 2);
    assert_eq!(
        store.prune(cut).unwrap(),
        Default::default(),
        "nothing left"
    );

    // a decision recorded after the prune never takes a pruned row's id
    let after = Screened::new("c-1", "t-after", Action::Hold, new);
    let after_case = record_one(store, &after).unwrap();
    assert!(after_case > recent);
    let rows: Vec<i64> = ["t-old-open", "t-new-allow", "t-after"]
        .iter()
        .map(|t| store.recorded("c-1", t).unwrap().unwrap().row)
        .collect();
    assert!(rows[2] > rows[1] && rows[1] > rows[0], "{rows:?}");
}

// ---------------------------------------------------------------------
// The backends.

/// A SQLite store in a scratch file.
struct OnSqlite {
    store: SqliteStore,
    _dir: tempfile::TempDir,
}

impl OnSqlite {
    fn new() -> OnSqlite {
        let dir = tempfile::tempdir().unwrap();
        let store =
            SqliteStore::open(&dir.path().join("cases.db")).unwrap_or_else(|e| panic!("{e}"));
        assert!(store.file().is_some());
        OnSqlite { store, _dir: dir }
    }
}

/// A PostgreSQL store on a server of its own; dropped in field order:
/// the store, then the server, then its directory.
struct OnPostgres {
    store: PostgresStore,
    server: PgServer,
    url: String,
    _dir: tempfile::TempDir,
}

impl OnPostgres {
    /// A fresh database sorting text by an ICU locale, on a new server.
    fn new() -> OnPostgres {
        let dir = tempfile::tempdir().unwrap();
        let server = PgServer::start(dir.path());
        let url = server.database_with(
            "cases",
            "TEMPLATE template0 ENCODING 'UTF8' LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C'",
        );
        let store = PostgresStore::connect(&url).unwrap_or_else(|e| panic!("{e}"));
        assert!(store.file().is_none());
        OnPostgres {
            store,
            server,
            url,
            _dir: dir,
        }
    }

    /// Another instance on the same database.
    fn instance(&self) -> PostgresStore {
        PostgresStore::connect(&self.url).unwrap_or_else(|e| panic!("{e}"))
    }
}

/// Each scenario as a test on SQLite (`on_sqlite::…`) and an ignored one
/// on PostgreSQL (`on_postgres::…`).
macro_rules! on_both_backends {
    ($($scenario:ident),* $(,)?) => {
        mod on_sqlite {
            $(
                #[test]
                fn $scenario() {
                    let backend = super::OnSqlite::new();
                    super::$scenario(&backend.store);
                }
            )*
        }

        mod on_postgres {
            $(
                #[test]
                #[ignore = "needs PostgreSQL server binaries: run by .ci/run (cargo test --release -- --ignored)"]
                fn $scenario() {
                    let backend = super::OnPostgres::new();
                    super::$scenario(&backend.store);
                }
            )*
        }
    };
}

on_both_backends!(
    decisions_open_cases_and_read_back,
    staff_actions_are_kept_only_when_allowed_and_sealed,
    suppressions_lapse_at_their_time,
    customer_status_is_kept_per_customer,
    the_registry_keeps_customers_in_id_order,
    customer_hits_and_screened_entries_are_replaced,
    decisions_are_counted_per_day_and_action,
    ratings_replace_the_one_before,
    prune_removes_closed_cases_old_decisions_and_lapsed_suppressions,
);

// ---------------------------------------------------------------------
// What only a database shared by several instances meets.

#[test]
#[ignore = "needs PostgreSQL server binaries: run by .ci/run (cargo test --release -- --ignored)"]
fn two_instances_on_one_database_see_each_others_cases_and_actions() {
    let backend = OnPostgres::new();
    let (a, b) = (&backend.store, backend.instance());
    assert!(a.shared() && b.shared());
    let held = Screened::new("c-1", "t-1", Action::Hold, t0()).hitting("wl:1");
    let case = record_one(a, &held).unwrap();
    assert_eq!(b.case(case).unwrap().unwrap().transaction, held.summary);
    assert_eq!(
        b.recorded("c-1", "t-1").unwrap().unwrap().decision.case,
        Some(case)
    );
    let before = a.last_action().unwrap();
    act(
        &b,
        &[
            resolve(case, Outcome::Confirmed, t0()),
            set_status("c-1", CustomerStatus::Frozen, Some(case)),
        ],
        &[],
    )
    .unwrap();
    // the other instance learns of it by polling last_action
    assert!(a.last_action().unwrap() > before);
    assert_eq!(a.case(case).unwrap().unwrap().status, CaseStatus::Closed);
    assert_eq!(a.customer("c-1").unwrap().status, CustomerStatus::Frozen);
    refused(
        act(a, &[resolve(case, Outcome::FalsePositive, t0())], &[]),
        "already closed",
    );
    // neither prints where the database is with its password
    let with_password = backend.url.replace("amlscreen@", "amlscreen:Pa55-w0rd@");
    let c = PostgresStore::connect(&with_password).unwrap();
    let shown = format!("{c:?}");
    assert!(
        !shown.contains("Pa55-w0rd") && !shown.contains("amlscreen@"),
        "{shown}"
    );
}

#[test]
#[ignore = "needs PostgreSQL server binaries: run by .ci/run (cargo test --release -- --ignored)"]
fn concurrent_records_from_two_instances_get_unique_case_ids() {
    let backend = OnPostgres::new();
    let stores = [Arc::new(backend.instance()), Arc::new(backend.instance())];
    const THREADS: usize = 4;
    const BATCHES: usize = 25;
    let start = Arc::new(Barrier::new(THREADS));
    let workers: Vec<_> = (0..THREADS)
        .map(|t| {
            let store = Arc::clone(&stores[t % 2]);
            let start = Arc::clone(&start);
            std::thread::spawn(move || {
                start.wait();
                let mut opened = Vec::new();
                for b in 0..BATCHES {
                    let batch = [
                        Screened::new("c-1", &format!("t-{t}-{b}-a"), Action::Hold, t0()),
                        Screened::new("c-2", &format!("t-{t}-{b}-b"), Action::Allow, t0()),
                        Screened::new("c-3", &format!("t-{t}-{b}-c"), Action::Block, t0()),
                    ];
                    let cases = record(&*store, &batch.iter().collect::<Vec<_>>());
                    assert_eq!(cases[1], None);
                    opened.push((format!("t-{t}-{b}-a"), "c-1", cases[0].unwrap()));
                    opened.push((format!("t-{t}-{b}-c"), "c-3", cases[2].unwrap()));
                }
                opened
            })
        })
        .collect();
    let opened: Vec<(String, &str, CaseId)> = workers
        .into_iter()
        .flat_map(|w| w.join().unwrap())
        .collect();
    assert_eq!(opened.len(), THREADS * BATCHES * 2);
    let ids: HashSet<CaseId> = opened.iter().map(|o| o.2).collect();
    assert_eq!(ids.len(), opened.len(), "every case id given once");
    assert_eq!(
        backend.store.count_cases(None).unwrap(),
        opened.len() as u64
    );
    for (tx, customer, case) in &opened {
        let read = backend.store.case(*case).unwrap().unwrap();
        assert_eq!(&read.transaction.transaction_id, tx);
        assert_eq!(read.customer_id(), *customer);
        let decided = backend.store.recorded(customer, tx).unwrap().unwrap();
        assert_eq!(decided.decision.case, Some(*case));
    }
}

#[test]
#[ignore = "needs PostgreSQL server binaries: run by .ci/run (cargo test --release -- --ignored)"]
fn of_two_reviewers_resolving_one_case_on_two_instances_one_wins() {
    let backend = OnPostgres::new();
    let held = Screened::new("c-1", "t-1", Action::Hold, t0()).hitting("wl:1");
    let case = record_one(&backend.store, &held).unwrap();
    let start = Arc::new(Barrier::new(2));
    let outcomes = [Outcome::Confirmed, Outcome::FalsePositive];
    let sealed = Arc::new(Mutex::new(Vec::new()));
    let reviewers: Vec<_> = outcomes
        .into_iter()
        .map(|outcome| {
            let store = backend.instance();
            let start = Arc::clone(&start);
            let sealed = Arc::clone(&sealed);
            std::thread::spawn(move || {
                start.wait();
                let result = store.act(&[resolve(case, outcome, t0())], &[], &mut |a| {
                    // a slow audit append: the other reviewer arrives meanwhile
                    std::thread::sleep(Duration::from_millis(300));
                    sealed.lock().unwrap().push(a.clone());
                    Ok(())
                });
                (outcome, result)
            })
        })
        .collect();
    let results: Vec<(Outcome, Result<(), StoreError>)> =
        reviewers.into_iter().map(|r| r.join().unwrap()).collect();
    let winners: Vec<Outcome> = results
        .iter()
        .filter(|r| r.1.is_ok())
        .map(|r| r.0)
        .collect();
    assert_eq!(winners.len(), 1, "{results:?}");
    for (_, result) in results.into_iter().filter(|r| r.1.is_err()) {
        refused(result, "already closed");
    }
    let closed = backend.store.case(case).unwrap().unwrap();
    assert_eq!(closed.outcome, Some(winners[0]));
    assert_eq!(closed.actions.len(), 1);
    assert_eq!(sealed.lock().unwrap().len(), 1, "the loser sealed nothing");
}

#[test]
#[ignore = "needs PostgreSQL server binaries: run by .ci/run (cargo test --release -- --ignored)"]
fn the_store_errs_while_the_server_is_down_and_reconnects_after() {
    let mut backend = OnPostgres::new();
    let first = Screened::new("c-1", "t-1", Action::Hold, t0());
    let case = record_one(&backend.store, &first).unwrap();

    backend.server.stop();
    let down = backend.store.count_cases(None).unwrap_err();
    assert!(matches!(down, StoreError::Database { .. }), "{down}");
    assert!(
        down.to_string().contains("/cases"),
        "names the database: {down}"
    );
    let second = Screened::new("c-1", "t-2", Action::Hold, t0());
    let unrecorded = backend.store.record(&[second.new_decision()]).unwrap_err();
    assert!(
        matches!(unrecorded, StoreError::Database { .. }),
        "{unrecorded}"
    );
    assert!(act(
        &backend.store,
        &[resolve(case, Outcome::Confirmed, t0())],
        &[]
    )
    .is_err());

    backend.server.restart();
    assert_eq!(backend.store.count_cases(None).unwrap(), 1);
    record_one(&backend.store, &second).unwrap();
    assert_eq!(backend.store.count_cases(None).unwrap(), 2);

    // restarted between two calls: the idle connection is dead, the call
    // is made on a new one (a read, then a write)
    backend.server.restart();
    assert_eq!(backend.store.count_cases(None).unwrap(), 2);
    backend.server.restart();
    let third = Screened::new("c-1", "t-3", Action::Hold, t0());
    record_one(&backend.store, &third).unwrap();
    backend.server.restart();
    act(
        &backend.store,
        &[resolve(case, Outcome::Confirmed, t0())],
        &[],
    )
    .unwrap();
    assert_eq!(
        backend.store.count_cases(Some(CaseStatus::Closed)).unwrap(),
        1
    );
}

#[test]
#[ignore = "needs PostgreSQL server binaries: run by .ci/run (cargo test --release -- --ignored)"]
fn instances_starting_together_migrate_once_and_a_newer_schema_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let server = PgServer::start(dir.path());
    let url = server.database("fresh");
    let start = Arc::new(Barrier::new(4));
    let starting: Vec<_> = (0..4)
        .map(|_| {
            let (url, start) = (url.clone(), Arc::clone(&start));
            std::thread::spawn(move || {
                start.wait();
                PostgresStore::connect(&url).map(|_| ())
            })
        })
        .collect();
    for s in starting {
        s.join().unwrap().unwrap_or_else(|e| panic!("{e}"));
    }
    let mut client = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    let versions: Vec<i64> = client
        .query("SELECT version FROM amlscreen_schema", &[])
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(versions, [i64::from(amlscreen::cases::SCHEMA_VERSION)]);

    client
        .batch_execute("UPDATE amlscreen_schema SET version = 99")
        .unwrap();
    let newer = PostgresStore::connect(&url).unwrap_err();
    assert!(matches!(newer, StoreError::Database { .. }), "{newer}");
    assert!(newer.to_string().contains("newer"), "{newer}");
    assert!(newer.to_string().contains("version 99"), "{newer}");
}

#[test]
#[ignore = "needs PostgreSQL server binaries: run by .ci/run (cargo test --release -- --ignored)"]
fn a_refused_login_is_an_error_without_the_password() {
    let dir = tempfile::tempdir().unwrap();
    let server = PgServer::start(dir.path());
    let url = server
        .url()
        .replace("amlscreen@", "amlscreen:Pa55-w0rd@")
        .replace("/postgres", "/no_such_database");
    let e = PostgresStore::connect(&url).unwrap_err();
    let text = e.to_string();
    assert!(matches!(e, StoreError::Database { .. }), "{text}");
    assert!(text.contains("no_such_database"), "{text}");
    assert!(!text.contains("Pa55-w0rd"), "{text}");
}
