//! The partitioned design for exchanges past one Redis primary (README,
//! "Beyond one Redis: partitions"), simulated in one process: transactions
//! are keyed by customer id onto partitions (as a Kafka topic keyed by
//! customer id, or a consistent-hash router, would deliver them), each
//! partition's history lives in memory in the instance that owns it, and
//! every applied transaction is appended to the partition's changelog (a
//! compacted topic in production). When a partition moves (an instance
//! leaves, or a rebalance), its new owner rebuilds the history from the
//! changelog before taking new transactions.
//!
//! What this checks: with partitions, and across a rebalance in the middle
//! of the stream, every decision is the one a single in-process history
//! makes — the history is per customer and a customer's transactions all
//! reach one partition in order.

use std::collections::HashMap;

use amlscreen::{Config, Decision, Screener, Transaction};
use chrono::Utc;

use crate::common::default_config;

const PARTITIONS: usize = 8;

/// The partition a customer's transactions go to: a stable hash of the
/// id (FNV-1a here; Kafka's default partitioner uses murmur2 the same way).
fn partition_of(customer: &str) -> usize {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in customer.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    (h % PARTITIONS as u64) as usize
}

/// One partition as its owner holds it: the history (a screener's
/// in-process state) and the changelog it can be rebuilt from.
struct Partition {
    screener: Screener,
    changelog: Vec<Transaction>,
}

fn screener(config: &Config) -> Screener {
    Screener::from_config(config).unwrap_or_else(|e| panic!("{e}"))
}

fn stream(n: usize) -> Vec<Transaction> {
    let now = Utc::now();
    let mut seed = 0x2545_f491_4f6c_dd1d_u64;
    (0..n)
        .map(|i| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let value = [9_300, 9_700, 150, 800, 12_500, 40][(seed % 6) as usize];
            let at = now - chrono::Duration::minutes((n - i) as i64);
            Transaction::from_json(&format!(
                r#"{{"id":"p-{i}","timestamp":"{}","customer_id":"c-{}","direction":"outgoing",
                "amount":"{value}","currency":"USD","value":"{value}",
                "beneficiary":{{"name":"Payee {}","kind":"person","account":"UA2132231300000260072335{:04}"}}}}"#,
                at.to_rfc3339(),
                (seed >> 16) % 40,
                (seed >> 24) % 6,
                (seed >> 24) % 6
            ))
            .unwrap()
        })
        .collect()
}

fn summary(d: &Decision) -> (amlscreen::Action, u32, Vec<String>) {
    (
        d.action,
        d.score,
        d.reasons.iter().map(|f| f.rule_id.clone()).collect(),
    )
}

#[test]
fn partitions_keyed_by_customer_decide_as_one_history_across_a_rebalance() {
    let dir = tempfile::tempdir().unwrap();
    let config = Config::load(&default_config(dir.path(), "")).unwrap();
    let txs = stream(600);

    // the baseline: one history for every customer
    let single = screener(&config);
    let expected: Vec<_> = txs
        .iter()
        .map(|tx| summary(&single.evaluate(tx).unwrap()))
        .collect();
    assert!(
        expected
            .iter()
            .filter(|(_, _, r)| r.iter().any(|id| id.starts_with("structuring")))
            .count()
            >= 3,
        "the stream must exercise a windowed rule"
    );

    // two instances, partitions 0..3 on the first and 4..7 on the second
    let mut owner: HashMap<usize, usize> =
        (0..PARTITIONS).map(|p| (p, p * 2 / PARTITIONS)).collect();
    let mut instances: Vec<HashMap<usize, Partition>> = vec![HashMap::new(), HashMap::new()];
    for (p, i) in &owner {
        instances[*i].insert(
            *p,
            Partition {
                screener: screener(&config),
                changelog: Vec::new(),
            },
        );
    }
    let mut got = Vec::new();
    for (n, tx) in txs.iter().enumerate() {
        if n == txs.len() / 2 {
            // rebalance: the first instance leaves; its partitions move to
            // the second, which rebuilds each from its changelog
            let leaving = std::mem::take(&mut instances[0]);
            for (p, old) in leaving {
                let rebuilt = screener(&config);
                for past in &old.changelog {
                    rebuilt.evaluate(past).unwrap();
                }
                assert_eq!(
                    rebuilt.state().total_entries(),
                    old.screener.state().total_entries(),
                    "partition {p} rebuilt whole"
                );
                instances[1].insert(
                    p,
                    Partition {
                        screener: rebuilt,
                        changelog: old.changelog,
                    },
                );
                owner.insert(p, 1);
            }
        }
        let p = partition_of(&tx.customer_id);
        let part = instances[owner[&p]]
            .get_mut(&p)
            .expect("the owner holds it");
        let d = part.screener.evaluate(tx).unwrap();
        part.changelog.push(tx.clone());
        got.push(summary(&d));
    }
    for (n, (g, e)) in got.iter().zip(&expected).enumerate() {
        assert_eq!(
            g, e,
            "transaction {} decided otherwise than by one history",
            txs[n].id
        );
    }
}
