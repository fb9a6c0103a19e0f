//! The case store in PostgreSQL with a local spool (`store.postgres`,
//! `store.spool`) while the database goes away and comes back: screening
//! goes on, the decisions made meanwhile wait in the spool and are
//! recorded in order when it returns — no case lost — and a reviewer's
//! action is refused while it is away, never accepted and dropped.
//!
//! Ignored by the README's `cargo test` (it needs PostgreSQL's server
//! binaries); `.ci/run` runs it with the other ignored tests.

use std::time::{Duration, Instant};

use amlscreen::cases::{CaseFilter, CaseStatus, CustomerStatus};
use amlscreen::{Action, Config, Screener, Transaction};

use crate::common::default_config;
use crate::pg_server::PgServer;

fn namesake(id: &str) -> Transaction {
    let at = (chrono::Utc::now() - chrono::Duration::minutes(5)).to_rfc3339();
    Transaction::from_json(&format!(
        r#"{{"id":"{id}","timestamp":"{at}","customer_id":"c-pg","direction":"outgoing",
            "amount":"10","currency":"EUR","value":"10",
            "beneficiary":{{"name":"Oleg Deripaska","kind":"person","country":"UA"}}}}"#
    ))
    .unwrap()
}

#[test]
#[ignore = "needs PostgreSQL server binaries: run by .ci/run (cargo test --release -- --ignored)"]
fn decisions_made_while_postgres_is_down_are_spooled_and_recorded_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let mut pg = PgServer::start(&dir.path().join("pg"));
    let spool = dir.path().join("cases.spool");
    let config = default_config(
        dir.path(),
        &format!(
            "store:\n  postgres: {}\n  spool: {}\n",
            pg.url(),
            spool.display()
        ),
    );
    let screener = Screener::from_config(&Config::load(&config).unwrap()).unwrap();
    let first = screener.screen(&namesake("pg-1")).unwrap();
    assert_eq!(first.action, Action::Hold, "{first:?}");
    assert!(first.case.is_some());

    pg.stop();
    // screening goes on: held, without a case number yet
    let down: Vec<Transaction> = (2..=6).map(|i| namesake(&format!("pg-{i}"))).collect();
    for tx in &down {
        let d = screener.screen(tx).unwrap();
        assert_eq!((d.action, d.case), (Action::Hold, None), "{d:?}");
    }
    assert_eq!(screener.spooled_decisions(), 5);
    // the same transaction again (a client's retry) is answered from the
    // spool, not recorded twice
    let again = screener.screen(&down[0]).unwrap();
    assert_eq!(again.action, Action::Hold);
    assert_eq!(screener.spooled_decisions(), 5);
    assert!(
        std::fs::metadata(&spool).unwrap().len() > 0,
        "spooled on disk"
    );
    // a reviewer's action is refused while the database is away
    let refused =
        screener.set_customer_status("c-pg", CustomerStatus::Frozen, "alice", "court order");
    assert!(
        refused.is_err(),
        "an action must not be accepted unrecorded"
    );

    pg.restart();
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut n = 6;
    while screener.spooled_decisions() > 0 {
        assert!(Instant::now() < deadline, "the spool was not replayed");
        n += 1;
        screener.screen(&namesake(&format!("pg-{n}"))).unwrap();
        std::thread::sleep(Duration::from_millis(100));
    }
    // every hold has its case, the spooled ones in the order they were made
    let cases = screener
        .cases(&CaseFilter {
            status: Some(CaseStatus::Open),
            customer_id: None,
            since: None,
            limit: None,
        })
        .unwrap();
    let mut ids: Vec<(u64, String)> = cases
        .iter()
        .map(|c| (c.id, c.transaction.transaction_id.clone()))
        .collect();
    ids.sort();
    let order: Vec<&str> = ids.iter().map(|(_, t)| t.as_str()).collect();
    assert_eq!(
        &order[..6],
        ["pg-1", "pg-2", "pg-3", "pg-4", "pg-5", "pg-6"],
        "{order:?}"
    );
    assert_eq!(ids.len(), n, "one case per hold: {order:?}");
    assert_eq!(
        std::fs::metadata(&spool).unwrap().len(),
        0,
        "the spool is emptied"
    );
}
