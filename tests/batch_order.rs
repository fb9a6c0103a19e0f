//! The parallel batch API: results in input order, each customer's
//! transactions applied in timestamp order, the same decisions as screening
//! one by one in that order, audit records in input order.

use std::collections::HashMap;

use amlscreen::audit::{self, AuditLog};
use amlscreen::rules::RuleSet;
use amlscreen::{Decision, Screener, Transaction};
use chrono::Duration;

use crate::workload;

use workload::{Lists, Rng, SEED};

fn screener(lists: &Lists, audit: Option<AuditLog>) -> Screener {
    let rules = RuleSet::load(&workload::repo_root().join("rules"))
        .unwrap_or_else(|e| panic!("invalid rules: {e:?}"));
    {
        let s = Screener::new(
            amlscreen::Engine::builder(rules)
                .lists(lists.lists.clone())
                .build(),
        );
        match audit {
            Some(log) => s.with_audit(log),
            None => s,
        }
    }
}

/// Decisions of screening one by one: each customer's transactions in
/// timestamp order (ties in input order), keyed by transaction id.
fn sequential(screener: &Screener, txs: &[Transaction]) -> HashMap<String, Decision> {
    let mut order: Vec<usize> = (0..txs.len()).collect();
    order.sort_by_key(|&i| txs[i].timestamp);
    order
        .into_iter()
        .map(|i| {
            let d = screener
                .evaluate(&txs[i])
                .unwrap_or_else(|e| panic!("{}: {e}", txs[i].id));
            (txs[i].id.clone(), d)
        })
        .collect()
}

/// A shuffled stream over few customers, so customers have many
/// transactions each and their input order differs from timestamp order.
fn shuffled_stream(lists: &Lists, n: usize, customers: usize) -> Vec<Transaction> {
    let mut txs = workload::transactions(lists, SEED, n, customers);
    let mut rng = Rng::new(SEED ^ 7);
    for i in (1..txs.len()).rev() {
        let j = rng.below(i + 1);
        txs.swap(i, j);
    }
    txs
}

#[test]
fn batch_equals_one_by_one_in_timestamp_order() {
    let lists = Lists::generated_scaled(SEED, 20);
    let txs = shuffled_stream(&lists, 3_000, 40);
    let batch = screener(&lists, None).evaluate_batch(&txs);
    let expected = sequential(&screener(&lists, None), &txs);
    assert_eq!(batch.len(), txs.len());
    for (tx, result) in txs.iter().zip(&batch) {
        let decision = result.as_ref().unwrap_or_else(|e| panic!("{}: {e}", tx.id));
        assert_eq!(decision.transaction_id, tx.id, "results are in input order");
        assert_eq!(Some(decision), expected.get(&tx.id), "{}", tx.id);
    }
}

#[test]
fn same_seed_same_stream_and_same_decisions() {
    let lists = Lists::generated_scaled(SEED, 20);
    let a = workload::transactions(&lists, SEED, 500, 50);
    let b = workload::transactions(&lists, SEED, 500, 50);
    assert_eq!(a, b);
    let da: Vec<_> = screener(&lists, None)
        .evaluate_batch(&a)
        .into_iter()
        .map(Result::ok)
        .collect();
    let db: Vec<_> = screener(&lists, None)
        .evaluate_batch(&b)
        .into_iter()
        .map(Result::ok)
        .collect();
    assert_eq!(da, db);
}

#[test]
fn one_customer_given_backwards_is_applied_forwards() {
    let lists = Lists::generated_scaled(SEED, 20);
    let mut txs = workload::transactions(&lists, SEED, 200, 1);
    txs.reverse();
    let batch = screener(&lists, None).evaluate_batch(&txs);
    let expected = sequential(&screener(&lists, None), &txs);
    for (tx, result) in txs.iter().zip(batch) {
        assert_eq!(result.ok().as_ref(), expected.get(&tx.id), "{}", tx.id);
    }
}

#[test]
fn an_invalid_transaction_fails_alone() {
    let lists = Lists::generated_scaled(SEED, 20);
    let mut txs = workload::transactions(&lists, SEED, 50, 5);
    txs[17].customer_id = " ".into();
    txs[30].value = -txs[30].value - rust_decimal::Decimal::ONE;
    let results = screener(&lists, None).evaluate_batch(&txs);
    for (i, r) in results.iter().enumerate() {
        match i {
            17 => assert!(r
                .as_ref()
                .is_err_and(|e| e.to_string().contains("customer_id"))),
            30 => assert!(r.as_ref().is_err_and(|e| e.to_string().contains("value"))),
            _ => assert_eq!(
                r.as_ref().map(|d| d.transaction_id.as_str()).ok(),
                Some(txs[i].id.as_str())
            ),
        }
    }
}

#[test]
fn audit_records_follow_input_order_and_verify() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let path = dir.path().join("audit.jsonl");
    let lists = Lists::generated_scaled(SEED, 20);
    let log = AuditLog::open(&path).unwrap_or_else(|e| panic!("{e}"));
    let mut txs = shuffled_stream(&lists, 400, 10);
    // Two transactions of one customer with equal timestamps keep input order.
    txs[1].customer_id = txs[0].customer_id.clone();
    txs[1].timestamp = txs[0].timestamp;
    txs[2].timestamp = txs[0].timestamp - Duration::hours(1);
    let results = screener(&lists, Some(log)).screen_batch(&txs);
    assert!(results.iter().all(Result::is_ok));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{e}"));
    let ids: Vec<String> = text
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}"));
            v["transaction_id"].as_str().unwrap_or_default().to_owned()
        })
        .collect();
    let input: Vec<String> = txs.iter().map(|t| t.id.clone()).collect();
    assert_eq!(ids, input);
    let verified = audit::verify(&path).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(verified, audit::Verification::Ok { records: 400 });
}
