//! Screening many transactions at once on every core (rayon), with the
//! results in input order and per-customer state kept correct.
//!
//! Why grouping by customer: behaviour rules read and update one
//! customer's history, so two transactions of one customer must not race.
//! A batch is therefore split into one group per `customer_id`; each group
//! runs on one thread at a time, its transactions in timestamp order (ties
//! keep input order; [`BatchOrder::Arrival`] keeps input order instead),
//! while different customers run in parallel. A batch
//! dominated by one customer degrades towards one core, never to a wrong
//! window.
//!
//! Audit records are appended after the parallel part, in input order, so
//! a batch's audit records follow its input lines whatever the thread
//! timing was: all of them in one write and, when every record must be
//! durable, one sync, before any of the batch's decisions is returned.
//!
//! ```
//! use amlscreen::{Engine, RuleSet, Screener, Transaction};
//! let rules = RuleSet::load("rules".as_ref())?;
//! let screener = Screener::new(Engine::builder(rules).build());
//! let tx = Transaction::from_json(r#"{"id":"tx-1","timestamp":"2026-11-21T10:15:00Z",
//!   "customer_id":"c-1","direction":"outgoing","amount":"10","currency":"EUR","value":"10",
//!   "beneficiary":{"name":"Jane Doe","kind":"person"}}"#)?;
//! let decisions = screener.screen_batch(&[tx.clone(), tx]);
//! assert_eq!(decisions.len(), 2);
//! # Ok::<(), amlscreen::Error>(())
//! ```

use std::borrow::Cow;
use std::collections::HashMap;

use rayon::prelude::*;

use super::{Origin, Screener};
use crate::audit::Refusal;
use crate::error::{Error, ErrorKind};
use crate::model::{Decision, Transaction};

/// A batch slot's outcome: the decision and where it comes from (what
/// recording it needs), or the error.
type Decided = Result<(Decision, Origin), Error>;

/// In which order one customer's transactions of a batch are applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum BatchOrder {
    /// By event time (`timestamp`; ties keep input order): the batch is
    /// one set of events, each judged against everything earlier than it.
    #[default]
    Timestamp,
    /// In input order: the batch is a replay of arrivals, each judged
    /// against what had arrived before it, as screening one by one would.
    /// `amlscreen screen` uses this, so its decisions do not depend on the
    /// chunk size.
    Arrival,
}

/// The order in which a batch's transactions are applied: one group of
/// input indices per customer, each group in `order` (the sort is stable,
/// so equal timestamps keep their input order). Groups are in order of
/// first appearance, which keeps the schedule deterministic.
pub(crate) fn customer_schedule(txs: &[Transaction], order: BatchOrder) -> Vec<Vec<usize>> {
    let mut group_of: HashMap<&str, usize> = HashMap::new();
    let mut groups: Vec<Vec<usize>> = Vec::new();
    for (i, tx) in txs.iter().enumerate() {
        let g = *group_of.entry(tx.customer_id.as_str()).or_insert_with(|| {
            groups.push(Vec::new());
            groups.len() - 1
        });
        groups[g].push(i);
    }
    if order == BatchOrder::Timestamp {
        for group in &mut groups {
            group.sort_by_key(|&i| txs[i].timestamp);
        }
    }
    groups
}

impl Screener {
    /// Screens a batch on every core and, when an audit log is configured,
    /// appends one audit record per decision in input order.
    ///
    /// Returns one result per transaction, in input order. A transaction
    /// that fails validation gets its error and does not stop the others.
    /// If the audit log cannot be written, every decision of the batch
    /// gets the audit error (none may be acted on unaudited): the batch's
    /// records are written and synced together.
    pub fn screen_batch(&self, txs: &[Transaction]) -> Vec<Result<Decision, Error>> {
        self.screen_batch_ordered(txs, BatchOrder::Timestamp)
    }

    /// [`Screener::screen_batch`] with each customer's transactions applied in `order`.
    pub fn screen_batch_ordered(
        &self,
        txs: &[Transaction],
        order: BatchOrder,
    ) -> Vec<Result<Decision, Error>> {
        self.decide_batch(Cow::Borrowed(txs), order).commit().1
    }

    /// The first half of [`Screener::screen_batch_ordered`]: decides the
    /// batch on every core (the customer history is updated) without
    /// recording or auditing it. [`PendingBatch::commit`] records and
    /// audits it and only then gives the decisions out, so a caller may
    /// commit one batch on another thread while deciding the next (as
    /// `amlscreen screen` does). A status a commit sets (an account frozen
    /// by the policy) applies to batches decided after it.
    pub fn decide_batch<'a>(
        &'a self,
        txs: Cow<'a, [Transaction]>,
        order: BatchOrder,
    ) -> PendingBatch<'a> {
        let engine = self.engine.load_full();
        let decided = self.evaluate_batch_under(&engine, &txs, order, true);
        PendingBatch {
            screener: self,
            engine,
            txs,
            decided,
        }
    }

    /// Screens a batch on every core without writing audit records or
    /// reading or writing the case store (a hold or block opens no case):
    /// one result per transaction, in input order (see `customer_schedule`).
    pub fn evaluate_batch(&self, txs: &[Transaction]) -> Vec<Result<Decision, Error>> {
        self.evaluate_batch_ordered(txs, BatchOrder::Timestamp)
    }

    /// [`Screener::evaluate_batch`] with each customer's transactions applied in `order`.
    pub fn evaluate_batch_ordered(
        &self,
        txs: &[Transaction],
        order: BatchOrder,
    ) -> Vec<Result<Decision, Error>> {
        self.evaluate_batch_under(&self.engine.load(), txs, order, false)
            .into_iter()
            .map(|r| r.map(|(d, _)| d))
            .collect()
    }

    /// The whole batch under one engine, so its decisions name one version.
    fn evaluate_batch_under(
        &self,
        engine: &crate::engine::Engine,
        txs: &[Transaction],
        order: BatchOrder,
        stored: bool,
    ) -> Vec<Decided> {
        let groups = customer_schedule(txs, order);
        let per_group: Vec<Vec<(usize, Decided)>> = groups
            .par_iter()
            .map(|group| {
                group
                    .iter()
                    .map(|&i| (i, self.evaluate_with(engine, &txs[i], stored)))
                    .collect()
            })
            .collect();
        let mut slots: Vec<Option<Decided>> = Vec::with_capacity(txs.len());
        slots.resize_with(txs.len(), || None);
        for (i, result) in per_group.into_iter().flatten() {
            slots[i] = Some(result);
        }
        // Every index is in exactly one group, so every slot is filled.
        slots
            .into_iter()
            .map(|s| s.unwrap_or_else(|| unreachable!("customer_schedule covers every index")))
            .collect()
    }
}

/// A batch decided but not yet recorded or audited: see
/// [`Screener::decide_batch`]. Dropping it leaves its transactions in the
/// customer history with no record and no decision given out.
#[derive(Debug)]
#[must_use = "a decided batch gives no decision out until it is committed"]
pub struct PendingBatch<'a> {
    screener: &'a Screener,
    engine: std::sync::Arc<crate::engine::Engine>,
    txs: Cow<'a, [Transaction]>,
    decided: Vec<Decided>,
}

impl<'a> PendingBatch<'a> {
    /// Records the batch's new decisions in the case store (one
    /// transaction; a hold or block opens its case), appends every record
    /// to the audit log (one write, one sync), and returns the
    /// transactions with one result each, in input order. A decision that
    /// could not be recorded or audited is returned as that error: none
    /// may be acted on unrecorded.
    pub fn commit(self) -> (Cow<'a, [Transaction]>, Vec<Result<Decision, Error>>) {
        let PendingBatch {
            screener,
            engine,
            txs,
            decided,
        } = self;
        let results = screener.commit_batch(&engine, &txs, decided);
        (txs, results)
    }
}

impl Screener {
    /// Records the decisions at `slots` (input indexes, ascending) in one
    /// store transaction, filling in their cases; on failure each of them
    /// becomes the error (none may be acted on unrecorded), and a policy
    /// freeze that could not be recorded is its decision's error.
    fn record_slots(
        &self,
        engine: &crate::engine::Engine,
        txs: &[Transaction],
        results: &mut [Result<Decision, Error>],
        slots: &[usize],
    ) {
        if slots.is_empty() {
            return;
        }
        let mut wanted = vec![false; results.len()];
        for &i in slots {
            wanted[i] = true;
        }
        let recorded = {
            let mut refs: Vec<(&Transaction, &mut Decision, Option<i64>)> = results
                .iter_mut()
                .zip(txs)
                .zip(&wanted)
                .filter_map(|((r, tx), want)| match (r, want) {
                    (Ok(d), true) => Some((tx, d, None)),
                    _ => None,
                })
                .collect();
            self.record_decisions(engine, &mut refs)
        };
        // `refs` held the wanted slots that were Ok, in input order
        let kept: Vec<usize> = slots
            .iter()
            .copied()
            .filter(|&i| results[i].is_ok())
            .collect();
        match recorded {
            Ok(freeze_failures) => {
                for (k, e) in freeze_failures {
                    results[kept[k]] = Err(e);
                }
            }
            Err(e) => {
                let message = e.to_string();
                for i in kept {
                    results[i] = Err(Error::from(crate::cases::StoreError::Unrecorded(
                        message.clone(),
                    )));
                }
            }
        }
    }

    fn commit_batch(
        &self,
        engine: &crate::engine::Engine,
        txs: &[Transaction],
        decided: Vec<Decided>,
    ) -> Vec<Result<Decision, Error>> {
        let mut results: Vec<Result<Decision, Error>> = Vec::with_capacity(decided.len());
        let mut fresh: Vec<usize> = Vec::new();
        let mut repeats: Vec<usize> = Vec::new();
        for (i, r) in decided.into_iter().enumerate() {
            results.push(r.map(|(d, origin)| {
                match origin {
                    Origin::New => fresh.push(i),
                    Origin::Memory => repeats.push(i),
                    Origin::Settled => {}
                }
                d
            }));
        }
        // The batch's new decisions in one store transaction (a hold or
        // block opens its case); a failure leaves none of them recorded.
        self.record_slots(engine, txs, &mut results, &fresh);
        // Repeats are settled after that (and after every earlier commit):
        // a repeat finds the case its first copy opened, in this batch or
        // an earlier one; one whose first copy was never recorded is now.
        let mut unrecorded = Vec::new();
        for i in repeats {
            match self.settle_replay(&txs[i]) {
                Ok(Some(kept)) => results[i] = Ok(kept),
                Ok(None) => unrecorded.push(i),
                Err(e) => results[i] = Err(e),
            }
        }
        self.record_slots(engine, txs, &mut results, &unrecorded);
        if self.audit.is_some() {
            // decisions, and refusals of ids reused with other content, in
            // input order
            let refusals: Vec<Option<Refusal>> = results
                .iter()
                .map(|r| match r.as_ref().err().map(Error::kind) {
                    Some(ErrorKind::ReusedId { message, .. }) => {
                        Some(Refusal::new("id", message.clone()))
                    }
                    _ => None,
                })
                .collect();
            let recorded: Vec<(&Transaction, Result<&Decision, &Refusal>)> = txs
                .iter()
                .zip(&results)
                .zip(&refusals)
                .filter_map(|((tx, r), refusal)| match (r, refusal) {
                    (Ok(d), _) => Some((tx, Ok(d))),
                    (Err(_), Some(refusal)) => Some((tx, Err(refusal))),
                    (Err(_), None) => None,
                })
                .collect();
            if let Err(e) = self.append_audit_batch(engine, &recorded) {
                // None of the batch's decisions is known to be on disk.
                for result in results.iter_mut().filter(|r| r.is_ok()) {
                    *result = Err(Error::from(e.duplicate()));
                }
            }
        }
        results
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    fn tx(id: &str, customer: &str, minute: u32) -> Transaction {
        serde_json::from_value(serde_json::json!({
            "id": id,
            "timestamp": Utc.with_ymd_and_hms(2026, 11, 21, 10, minute, 0).single(),
            "customer_id": customer,
            "direction": "outgoing",
            "amount": "10",
            "currency": "EUR",
            "value": "10",
        }))
        .unwrap()
    }

    #[test]
    fn schedule_groups_by_customer_in_timestamp_order() {
        let txs = vec![
            tx("a3", "a", 30),
            tx("b1", "b", 5),
            tx("a1", "a", 10),
            tx("a2", "a", 10),
            tx("b0", "b", 1),
        ];
        let groups = customer_schedule(&txs, BatchOrder::Timestamp);
        assert_eq!(groups, vec![vec![2, 3, 0], vec![4, 1]]);
        let groups = customer_schedule(&txs, BatchOrder::Arrival);
        assert_eq!(groups, vec![vec![0, 2, 3], vec![1, 4]]);
    }

    #[test]
    fn empty_batch_gives_no_results() {
        let rules = crate::rules::RuleSet::load(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("rules"),
        )
        .unwrap();
        let screener = Screener::new(crate::engine::Engine::builder(rules).build());
        assert!(screener.screen_batch(&[]).is_empty());
    }
}
