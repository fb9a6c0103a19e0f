//! The case work through the library (issue 15): a screener without a
//! configured store keeps its cases in memory, re-screens after a reload,
//! and screens while reviewers act on other threads.

use std::sync::Arc;

use amlscreen::cases::{CaseFilter, CustomerStatus, Outcome};
use amlscreen::lists::{Entity, EntityKind, ListSpec, LoadedList, SourceKind};
use amlscreen::{Action, Engine, RuleSet, Screener, Transaction};

fn rules() -> RuleSet {
    RuleSet::load(&crate::common::repo().join("rules")).unwrap_or_else(|e| panic!("{e:?}"))
}

/// A one-entry watchlist naming `name`.
fn list(name: &str) -> LoadedList {
    let spec = ListSpec::new(SourceKind::Watchlist, "test.csv");
    let entity = Entity::new("wl:t-1", "internal", EntityKind::Person, name);
    LoadedList::new(
        &spec,
        None,
        format!("{:064x}", name.len()),
        vec![entity],
        Vec::new(),
    )
}

/// One fixed time for the whole run, an hour before it started: the same
/// transaction built twice has the same content.
fn an_hour_ago() -> &'static str {
    static AT: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    AT.get_or_init(|| (chrono::Utc::now() - chrono::Duration::hours(1)).to_rfc3339())
}

fn tx(id: &str, customer: &str, name: &str) -> Transaction {
    Transaction::from_json(&format!(
        r#"{{"id":"{id}","timestamp":"{}","customer_id":"{customer}","direction":"outgoing",
            "amount":"10","currency":"USDT","value":"10",
            "beneficiary":{{"name":"{name}","kind":"person"}}}}"#,
        an_hour_ago()
    ))
    .unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn an_in_memory_screener_keeps_cases_and_rescreens_after_a_reload() {
    let screener = Screener::new(Engine::builder(rules()).build());
    let allowed = screener.screen(&tx("m-1", "c-1", "Petro Melnyk")).unwrap();
    assert_eq!(allowed.action, Action::Allow);
    screener
        .reload_with(
            Engine::builder(rules())
                .lists(vec![list("MELNYK, Petro")])
                .build(),
        )
        .unwrap();
    // a repeat keeps its decision; a re-screen decides under the new lists
    assert_eq!(
        screener.screen(&tx("m-1", "c-1", "Petro Melnyk")).unwrap(),
        allowed
    );
    let fresh = screener
        .rescreen(&tx("m-1", "c-1", "Petro Melnyk"))
        .unwrap();
    assert_eq!(fresh.action, Action::Hold, "{fresh:?}");
    let prior = fresh.rescreen_of.as_ref().unwrap();
    assert_eq!(prior.version, allowed.version);
    assert_eq!(prior.action, Action::Allow);
    let case = fresh.case.unwrap();
    let cases = screener.cases(&CaseFilter::default()).unwrap();
    assert_eq!(cases.len(), 1);
    assert_eq!(cases[0].id, case);
    // the re-screen counts once in the history
    assert_eq!(screener.state().total_entries(), 1);
    // the same engine: the recorded re-screen
    assert_eq!(
        screener
            .rescreen(&tx("m-1", "c-1", "Petro Melnyk"))
            .unwrap(),
        fresh
    );
}

#[test]
fn screening_goes_on_while_reviewers_act() {
    let screener = Arc::new(Screener::new(
        Engine::builder(rules())
            .lists(vec![list("MELNYK, Petro")])
            .build(),
    ));
    let holds: Vec<Transaction> = (0..200)
        .map(|i| tx(&format!("h-{i}"), &format!("c-{i}"), "Petro Melnyk"))
        .collect();
    let decided = screener.screen_batch(&holds);
    let cases: Vec<u64> = decided
        .iter()
        .map(|d| d.as_ref().unwrap().case.unwrap())
        .collect();
    let reviewer = {
        let screener = Arc::clone(&screener);
        std::thread::spawn(move || {
            for (i, case) in cases.iter().enumerate() {
                let outcome = if i % 2 == 0 {
                    Outcome::FalsePositive
                } else {
                    Outcome::Confirmed
                };
                screener
                    .resolve_case(*case, outcome, "r-1", "checked")
                    .unwrap();
            }
            screener
                .set_customer_status("c-x", CustomerStatus::Frozen, "r-2", "MLRO")
                .unwrap();
        })
    };
    let screeners: Vec<_> = (0..2)
        .map(|t| {
            let screener = Arc::clone(&screener);
            std::thread::spawn(move || {
                let batch: Vec<Transaction> = (0..300)
                    .map(|i| {
                        tx(
                            &format!("s-{t}-{i}"),
                            &format!("d-{t}-{i}"),
                            "Maria Schmidt",
                        )
                    })
                    .collect();
                screener
                    .screen_batch(&batch)
                    .into_iter()
                    .filter(|d| d.as_ref().is_ok_and(|d| d.action == Action::Allow))
                    .count()
            })
        })
        .collect();
    for s in screeners {
        assert_eq!(s.join().unwrap(), 300);
    }
    reviewer.join().unwrap();
    let closed = screener
        .cases(&CaseFilter {
            status: Some(amlscreen::cases::CaseStatus::Closed),
            ..CaseFilter::default()
        })
        .unwrap();
    assert_eq!(closed.len(), 200);
    // the false positives are cleared for their subjects, the frozen
    // customer is blocked
    let again = screener.screen(&tx("h-0b", "c-0", "Petro Melnyk")).unwrap();
    assert_eq!(again.action, Action::Allow, "{again:?}");
    let frozen = screener.screen(&tx("x-1", "c-x", "Maria Schmidt")).unwrap();
    assert_eq!(frozen.action, Action::Block);
    assert!(frozen.reasons[0]
        .message
        .starts_with("account frozen by reviewer r-2"));
}

#[test]
fn a_hold_only_evaluated_is_recorded_when_screened_and_only_once() {
    let screener = Screener::new(
        Engine::builder(rules())
            .lists(vec![list("MELNYK, Petro")])
            .build(),
    );
    let t = tx("e-1", "c-1", "Petro Melnyk");
    let evaluated = screener.evaluate(&t).unwrap();
    assert_eq!(evaluated.action, Action::Hold);
    assert_eq!(evaluated.case, None, "evaluate opens no case");
    let screened = screener.screen(&t).unwrap();
    assert_eq!(screened.action, Action::Hold);
    let case = screened
        .case
        .expect("screening the held transaction opens its case");
    // a repeat (one by one, and twice in one batch) finds that case
    assert_eq!(screener.screen(&t).unwrap().case, Some(case));
    for d in screener.screen_batch(&[t.clone(), t.clone()]) {
        assert_eq!(d.unwrap().case, Some(case));
    }
    assert_eq!(screener.cases(&CaseFilter::default()).unwrap().len(), 1);
    // a new transaction held twice in one batch opens one case
    let u = tx("e-2", "c-1", "Petro Melnyk");
    let both = screener.screen_batch(&[u.clone(), u]);
    let cases: Vec<Option<u64>> = both.into_iter().map(|d| d.unwrap().case).collect();
    assert!(cases[0].is_some());
    assert_eq!(cases[0], cases[1]);
    assert_eq!(screener.cases(&CaseFilter::default()).unwrap().len(), 2);
}
