//! Idempotency keys on content (issue 13, item 1): a Garantex payment re-sent
//! under the id of an earlier clean transfer used to come back `allow`, in
//! one run and across runs through the state checkpoint.

use amlscreen::{Action, Engine, ErrorKind, RuleSet, Screener, Transaction};

fn screener() -> Screener {
    let rules =
        RuleSet::load(&crate::common::repo().join("rules")).unwrap_or_else(|e| panic!("{e:?}"));
    Screener::new(Engine::builder(rules).build())
}

fn tx(id: &str, beneficiary: &str) -> Transaction {
    Transaction::from_json(&format!(
        r#"{{"id":"{id}","timestamp":"2026-11-21T10:00:00Z","customer_id":"c-1","direction":"outgoing",
            "amount":"10","currency":"USDT","value":"10","beneficiary":{beneficiary}}}"#
    ))
    .unwrap_or_else(|e| panic!("{e}"))
}

const CLEAN: &str = r#"{"name":"Olena Kovalenko","kind":"person"}"#;
const GARANTEX: &str = r#"{"name":"Olena Kovalenko","kind":"person","vasp":"Garantex"}"#;

fn assert_reused(result: Result<amlscreen::Decision, amlscreen::Error>) {
    let err = result.expect_err("a reused id must not be answered with the earlier decision");
    assert!(
        matches!(err.kind(), ErrorKind::ReusedId { id, .. } if !id.is_empty()),
        "{err:?}"
    );
    assert!(
        err.to_string().contains("reused with different content"),
        "{err}"
    );
}

#[test]
fn a_repeat_gets_its_decision_and_a_reused_id_is_an_error() {
    let s = screener();
    let first = s.screen(&tx("t-1", CLEAN)).unwrap();
    assert_eq!(first.action, Action::Allow);
    // the same transaction again: the recorded decision, counted once
    assert_eq!(s.screen(&tx("t-1", CLEAN)).unwrap(), first);
    assert_eq!(s.state().total_entries(), 1);
    // the same id on a Garantex payment
    assert_reused(s.screen(&tx("t-1", GARANTEX)));
    assert_reused(s.screen_batch(&[tx("t-1", GARANTEX)]).remove(0));
    assert_eq!(s.state().total_entries(), 1);
    // under its own id it is blocked
    assert_eq!(
        s.screen(&tx("t-2", GARANTEX)).unwrap().action,
        Action::Block
    );
}

#[test]
fn a_reused_id_is_an_error_after_a_restart_from_the_checkpoint() {
    let dir = tempfile::tempdir().unwrap();
    let checkpoint = dir.path().join("state.json");
    let first = screener();
    first.screen(&tx("t-1", CLEAN)).unwrap();
    first.save_state(&checkpoint).unwrap();
    drop(first); // the restart: the first process releases the state file
    let second = screener();
    second.load_state(&checkpoint).unwrap();
    assert_eq!(
        second.screen(&tx("t-1", CLEAN)).unwrap().action,
        Action::Allow
    );
    assert_reused(second.screen(&tx("t-1", GARANTEX)));
}

#[test]
fn a_reused_id_is_recorded_in_the_audit_log_as_a_refusal() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.jsonl");
    let s = screener().with_audit(amlscreen::audit::AuditLog::open(&path).unwrap());
    s.screen(&tx("t-1", CLEAN)).unwrap();
    assert_reused(s.screen(&tx("t-1", GARANTEX)));
    assert_reused(s.screen_batch(&[tx("t-1", GARANTEX)]).remove(0));
    // a validation error is no transaction to decide on: no record
    assert!(s.screen(&tx("", CLEAN)).is_err());
    drop(s);
    let lines: Vec<amlscreen::audit::AuditRecord> = std::fs::read_to_string(&path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3, "one decision and two refusals");
    assert!(lines[0].decision.is_some() && lines[0].refused.is_none());
    for refusal in &lines[1..] {
        assert_eq!(refusal.transaction_id, "t-1");
        assert!(refusal.decision.is_none());
        let why = refusal.refused.as_ref().expect("a refusal record");
        assert_eq!(why.field, "id");
        assert!(
            why.reason.contains("reused with different content"),
            "{}",
            why.reason
        );
    }
    // and the chain with its refusals verifies
    match amlscreen::audit::verify(&path).unwrap() {
        amlscreen::audit::Verification::Ok { records } => assert_eq!(records, 3),
        other => panic!("{other:?}"),
    }
}
