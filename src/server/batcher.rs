//! Group commit for `POST /v1/screen`: single transactions arriving
//! together are screened as one batch.
//!
//! Each request hands its transaction to one batching thread and awaits
//! its decision. The thread takes whatever has arrived (up to
//! [`MAX_GROUP`]), decides it on every core ([`Screener::decide_batch`],
//! each customer's transactions in arrival order), and commits it — one
//! store transaction, one audit write — on a second thread while it decides
//! the next group, as `amlscreen screen` does with chunks. Nothing waits
//! for company: under light load a group is one transaction and is screened
//! at once; under heavy load the groups grow and the per-transaction cost
//! of the store and the audit log falls.
//!
//! A decision is given out only after its group is recorded and audited,
//! as with [`Screener::screen`].

use std::borrow::Cow;
use std::sync::mpsc;
use std::sync::Arc;

use tokio::sync::oneshot;

use crate::error::Error;
use crate::model::{Decision, Transaction};
use crate::screener::{BatchOrder, Screener};

/// Most transactions screened as one group.
pub const MAX_GROUP: usize = 512;

/// A transaction waiting for its decision.
type Job = (Transaction, oneshot::Sender<Result<Decision, Error>>);

/// The sending side: cloned into every request.
#[derive(Debug, Clone)]
pub struct Batcher {
    jobs: mpsc::Sender<Job>,
}

impl Batcher {
    /// Starts the batching thread over `screener`.
    pub fn start(screener: Arc<Screener>) -> std::io::Result<Batcher> {
        let (jobs, receiver) = mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name("amlscreen-batcher".into())
            .spawn(move || run(&screener, &receiver))?;
        Ok(Batcher { jobs })
    }

    /// Screens `tx` in the next group; its decision or error. `None` when
    /// the batching thread is gone (the service is stopping).
    pub async fn screen(&self, tx: Transaction) -> Option<Result<Decision, Error>> {
        let (send, receive) = oneshot::channel();
        self.jobs.send((tx, send)).ok()?;
        receive.await.ok()
    }
}

fn run(screener: &Screener, receiver: &mpsc::Receiver<Job>) {
    std::thread::scope(|scope| {
        let mut committing: Option<std::thread::ScopedJoinHandle<'_, ()>> = None;
        // blocks until a transaction arrives; ends when every sender is gone
        while let Ok(first) = receiver.recv() {
            let mut group = vec![first];
            while group.len() < MAX_GROUP {
                match receiver.try_recv() {
                    Ok(job) => group.push(job),
                    Err(_) => break,
                }
            }
            let (txs, answers): (Vec<Transaction>, Vec<_>) = group.into_iter().unzip();
            let pending = screener.decide_batch(Cow::Owned(txs), BatchOrder::Arrival);
            // groups are committed one after another, in order
            if let Some(previous) = committing.take() {
                let _ = previous.join();
            }
            committing = Some(scope.spawn(move || {
                let (_, results) = pending.commit();
                for (answer, result) in answers.into_iter().zip(results) {
                    // a request that went away (timeout, client gone) has
                    // its decision recorded all the same
                    let _ = answer.send(result);
                }
            }));
        }
        if let Some(previous) = committing.take() {
            let _ = previous.join();
        }
    });
}
