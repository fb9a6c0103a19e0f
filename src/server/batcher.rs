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
//! as with [`Screener::screen`]. The queue is bounded ([`MAX_QUEUED`]): a
//! request finding it full is answered 503 `overloaded` at once. A request
//! that went away before its group was taken (a timeout, a client gone) is
//! not screened: it was never told a decision. A panic while deciding or
//! committing answers that group with an `internal` error and the thread
//! goes on.

use std::borrow::Cow;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};

use tokio::sync::oneshot;

use crate::error::Error;
use crate::model::{Decision, Transaction};
use crate::screener::{BatchOrder, Screener};

/// Most transactions screened as one group.
pub const MAX_GROUP: usize = 512;

/// Most transactions waiting for a group.
pub const MAX_QUEUED: usize = 8192;

/// What a request is answered with: the decision, the library's error,
/// or a failure of the batching thread itself (a panic: `internal`).
pub type Answer = Result<Result<Decision, Error>, String>;

/// A transaction waiting for its decision.
type Job = (Transaction, oneshot::Sender<Answer>);

enum Message {
    /// Boxed: the queue's slots stay small.
    Job(Box<Job>),
    /// Screen what is queued, commit it, and end.
    Stop,
}

/// Why a transaction was not taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// The queue is full.
    Overloaded,
    /// The batching thread has stopped (the service is stopping).
    Stopped,
}

/// The sending side, shared by every request.
#[derive(Debug)]
pub struct Batcher {
    jobs: mpsc::SyncSender<Message>,
    thread: Mutex<Option<std::thread::JoinHandle<()>>>,
}

impl Batcher {
    /// Starts the batching thread over `screener`.
    pub fn start(screener: Arc<Screener>) -> std::io::Result<Batcher> {
        let (jobs, receiver) = mpsc::sync_channel::<Message>(MAX_QUEUED);
        let thread = std::thread::Builder::new()
            .name("amlscreen-batcher".into())
            .spawn(move || run(&screener, &receiver))?;
        Ok(Batcher {
            jobs,
            thread: Mutex::new(Some(thread)),
        })
    }

    /// Screens `tx` in the next group: its answer, or why it was not taken.
    pub async fn screen(&self, tx: Transaction) -> Result<Answer, Refused> {
        let (send, receive) = oneshot::channel();
        match self.jobs.try_send(Message::Job(Box::new((tx, send)))) {
            Ok(()) => {}
            Err(mpsc::TrySendError::Full(_)) => return Err(Refused::Overloaded),
            Err(mpsc::TrySendError::Disconnected(_)) => return Err(Refused::Stopped),
        }
        receive.await.map_err(|_| Refused::Stopped)
    }

    /// Whether the batching thread is running.
    pub fn is_running(&self) -> bool {
        self.thread
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .as_ref()
            .is_some_and(|t| !t.is_finished())
    }

    /// Screens and commits what is queued, then ends the thread and waits
    /// for it.
    pub fn stop(&self) {
        let _ = self.jobs.send(Message::Stop);
        let thread = self.thread.lock().unwrap_or_else(|p| p.into_inner()).take();
        if let Some(thread) = thread {
            let _ = thread.join();
        }
    }
}

fn run(screener: &Screener, receiver: &mpsc::Receiver<Message>) {
    std::thread::scope(|scope| {
        let mut committing: Option<std::thread::ScopedJoinHandle<'_, ()>> = None;
        let mut stopping = false;
        while !stopping {
            // blocks until a transaction arrives
            let first = match receiver.recv() {
                Ok(Message::Job(job)) => *job,
                Ok(Message::Stop) | Err(_) => break,
            };
            let mut group = vec![first];
            while group.len() < MAX_GROUP {
                match receiver.try_recv() {
                    Ok(Message::Job(job)) => group.push(*job),
                    Ok(Message::Stop) => {
                        stopping = true;
                        break;
                    }
                    Err(_) => break,
                }
            }
            // a caller that left was never told a decision: not screened
            group.retain(|(_, answer)| !answer.is_closed());
            if group.is_empty() {
                continue;
            }
            let (txs, answers): (Vec<Transaction>, Vec<_>) = group.into_iter().unzip();
            let decided = catch_unwind(AssertUnwindSafe(|| {
                screener.decide_batch(Cow::Owned(txs), BatchOrder::Arrival)
            }));
            let pending = match decided {
                Ok(pending) => pending,
                Err(panic) => {
                    let why = panic_text(&panic);
                    eprintln!("amlscreen: error: deciding a group of transactions failed: {why}");
                    for answer in answers {
                        let _ = answer.send(Err(why.clone()));
                    }
                    continue;
                }
            };
            // groups are committed one after another, in order
            if let Some(previous) = committing.take() {
                let _ = previous.join();
            }
            committing = Some(scope.spawn(move || {
                match catch_unwind(AssertUnwindSafe(|| pending.commit())) {
                    Ok((_, results)) => {
                        for (answer, result) in answers.into_iter().zip(results) {
                            let _ = answer.send(Ok(result));
                        }
                    }
                    Err(panic) => {
                        let why = panic_text(&panic);
                        eprintln!("amlscreen: error: recording a group of decisions failed: {why}");
                        for answer in answers {
                            let _ = answer.send(Err(why.clone()));
                        }
                    }
                }
            }));
        }
        if let Some(previous) = committing.take() {
            let _ = previous.join();
        }
    });
}

fn panic_text(panic: &Box<dyn std::any::Any + Send>) -> String {
    let what = panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic".into());
    format!("internal error ({what}): no decision; do not act on the transaction")
}
