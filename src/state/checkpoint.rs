//! Checkpoints of the customer history: what `StateStore::save_checkpoint`
//! writes and `StateStore::load_checkpoint` reads (and migrates from
//! earlier versions).

use super::*;

/// The format tag written in every checkpoint. Version 2 keeps each
/// transfer's decision beside it and counterparties as
/// `counterparty_hash`es; version 1 checkpoints (`CHECKPOINT_FORMAT_V1`)
/// are still read (migrated on load).
pub const CHECKPOINT_FORMAT: &str = "amlscreen-state/4";
/// Version 3 checkpoints: as version 4 without each transfer's counterparty
/// hash, wallet print and return flags; read as they are (their entries
/// count as plain transfers without a counterparty).
pub const CHECKPOINT_FORMAT_V3: &str = "amlscreen-state/3";
/// Version 2 checkpoints: as version 3 without the transactions' content
/// hashes; read as they are (a repeated id from one is an error, since its
/// content cannot be compared).
pub const CHECKPOINT_FORMAT_V2: &str = "amlscreen-state/2";

/// The first checkpoint format: whole counterparty keys, decisions in a
/// separate list. Read and migrated; never written.
pub const CHECKPOINT_FORMAT_V1: &str = "amlscreen-state/1";

#[derive(Serialize)]
struct Checkpoint<'a> {
    format: &'static str,
    saved_at: DateTime<Utc>,
    customers: Vec<CustomerCheckpoint<'a>>,
}

#[derive(Serialize)]
struct CustomerCheckpoint<'a> {
    customer_id: &'a str,
    entries: Vec<EntryCheckpoint>,
    counterparties: Vec<(u64, Seen)>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct EntryCheckpoint {
    id: String,
    timestamp: DateTime<Utc>,
    direction: Direction,
    #[serde(with = "rust_decimal::serde::str")]
    value: Decimal,
    /// Version 1: the counterparty key (its `Seen` is in `counterparties`).
    #[serde(default, skip_serializing)]
    #[allow(dead_code)]
    counterparty: Option<String>,
    /// Version 2: the decision (version 1 keeps them in a separate list).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    decision: Option<Decision>,
    /// Version 2: how many reasons the decision had when they were
    /// dropped from memory (its `reasons` are then empty).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    reasons_dropped: Option<u32>,
    /// Version 3: the transaction's content hash, so a reused id is told
    /// from a repeat after a restart too (absent in earlier versions).
    /// (32 hex digits: JSON numbers do not hold 128 bits everywhere)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    content: Option<String>,
    /// Version 4: the counterparty's `counterparty_hash`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    counterparty_hash: Option<u64>,
    /// Version 4: the counterparty wallet's `wallet_print`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    wallet_print: Option<u64>,
    /// Version 4: 1 for a return or revocation, 2 for a transfer one undid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    flags: Option<u8>,
}

/// A checkpoint of either version, as read.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CheckpointIn {
    format: String,
    #[allow(dead_code)]
    saved_at: DateTime<Utc>,
    customers: Vec<CustomerCheckpointIn>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CustomerCheckpointIn {
    customer_id: String,
    entries: Vec<EntryCheckpoint>,
    /// Version 1 only.
    #[serde(default)]
    decisions: Vec<Decision>,
    counterparties: Vec<(CounterpartyIn, Seen)>,
}

/// A counterparty as checkpoints store it: a hash (version 2) or the key
/// itself (version 1).
#[derive(Deserialize)]
#[serde(untagged)]
enum CounterpartyIn {
    Hash(u64),
    Key(String),
}

impl StateStore {
    /// Takes (once) an exclusive lock on the checkpoint file `path` — on
    /// `<path>.lock`, since the file itself is replaced by a rename — and
    /// holds it for the store's lifetime: two processes (or two stores)
    /// that both loaded one state file and each saved it would each drop
    /// the other's history, so the second is refused, naming the process
    /// that holds the file. [`save_checkpoint`](Self::save_checkpoint) and
    /// [`load_checkpoint`](Self::load_checkpoint) take it themselves; take
    /// it earlier to claim a state file that does not exist yet.
    pub fn lock_file(&self, path: &Path) -> Result<(), StateCheckpointError> {
        let mut locks = self.locks.lock().unwrap_or_else(|p| p.into_inner());
        if locks.iter().any(|l| l.guarded() == path) {
            return Ok(());
        }
        let lock = crate::durable::FileLock::acquire(path).map_err(|e| StateCheckpointError {
            path: path.to_path_buf(),
            message: e.describe(),
        })?;
        locks.push(lock);
        Ok(())
    }

    /// Writes every customer's history to the checkpoint file `path`
    /// atomically and durably (`crate::durable::write_atomic_with`): a
    /// crash leaves either the old checkpoint or the new one, never half.
    /// The file is readable by its owner only; a symbolic link at `path` is
    /// replaced, not written through. Takes the file's lock first
    /// ([`lock_file`](Self::lock_file)).
    pub fn save_checkpoint(&self, path: &Path) -> Result<(), StateCheckpointError> {
        self.lock_file(path)?;
        let err = |message: String| StateCheckpointError {
            path: path.to_path_buf(),
            message,
        };
        let slots: Vec<(String, Arc<Mutex<CustomerHistory>>)> = self
            .customers
            .iter()
            .map(|e| (e.key().clone(), Arc::clone(e.value())))
            .collect();
        let mut customers: Vec<CustomerCheckpoint<'_>> = slots
            .iter()
            .map(|(id, slot)| {
                let h = slot.lock().unwrap_or_else(|p| p.into_inner());
                let entries = h
                    .entries
                    .iter()
                    .map(|e| EntryCheckpoint {
                        id: e.id.to_string(),
                        timestamp: e.timestamp,
                        direction: e.direction,
                        value: e.value,
                        counterparty: None,
                        decision: Some(e.decision.to_decision(&e.id)),
                        reasons_dropped: match e.decision.reasons {
                            RecordedReasons::Dropped(n) => Some(n),
                            RecordedReasons::Full(_) => None,
                        },
                        content: e.content.map(|c| format!("{c:032x}")),
                        counterparty_hash: e.counterparty_hash(),
                        wallet_print: e.wallet_print(),
                        flags: (e.flags != 0).then_some(e.flags),
                    })
                    .collect();
                let mut counterparties: Vec<(u64, Seen)> =
                    h.counterparties.iter().map(|(k, s)| (*k, *s)).collect();
                counterparties.sort_unstable_by_key(|c| c.0);
                CustomerCheckpoint {
                    customer_id: id,
                    entries,
                    counterparties,
                }
            })
            .collect();
        customers.sort_by(|a, b| a.customer_id.cmp(b.customer_id));
        let checkpoint = Checkpoint {
            format: CHECKPOINT_FORMAT,
            saved_at: Utc::now(),
            customers,
        };
        crate::durable::write_atomic_with_access(path, crate::durable::Access::OwnerOnly, |w| {
            serde_json::to_writer(&mut *w, &checkpoint)?;
            w.write_all(b"\n")
        })
        .map_err(|e| err(format!("cannot write checkpoint: {e}")))
    }

    /// Replaces the store's contents with a checkpoint written by
    /// [`save_checkpoint`](Self::save_checkpoint)
    /// (format [`CHECKPOINT_FORMAT`], or the older `CHECKPOINT_FORMAT_V1`,
    /// migrated). A missing, unreadable or corrupt file is an error — never
    /// silently an empty history. A symbolic link at `path` is refused.
    /// Takes the file's lock first ([`lock_file`](Self::lock_file)).
    pub fn load_checkpoint(&self, path: &Path) -> Result<(), StateCheckpointError> {
        self.lock_file(path)?;
        let err = |message: String| StateCheckpointError {
            path: path.to_path_buf(),
            message,
        };
        let file = crate::durable::open_read(path).map_err(|e| err(format!("cannot read: {e}")))?;
        let checkpoint: CheckpointIn = serde_json::from_reader(std::io::BufReader::new(file)).map_err(|e| {
            err(format!(
                "corrupt checkpoint at line {} column {}: {e}; restore a good copy or start with --fresh-state",
                e.line(),
                e.column()
            ))
        })?;
        let v1 = match checkpoint.format.as_str() {
            CHECKPOINT_FORMAT | CHECKPOINT_FORMAT_V3 | CHECKPOINT_FORMAT_V2 => false,
            CHECKPOINT_FORMAT_V1 => true,
            other => {
                return Err(err(format!(
                    "unknown checkpoint format '{other}' (this engine reads '{CHECKPOINT_FORMAT}', '{CHECKPOINT_FORMAT_V3}', '{CHECKPOINT_FORMAT_V2}' and '{CHECKPOINT_FORMAT_V1}'); \
                     a checkpoint from a newer engine cannot be read by this one — restore one written by this version or start with --fresh-state"
                )))
            }
        };
        let mut loaded = Vec::with_capacity(checkpoint.customers.len());
        let mut total = 0usize;
        for c in checkpoint.customers {
            let customer = &c.customer_id;
            let mut h = CustomerHistory::default();
            let mut v1_decisions: HashMap<String, Decision> = c
                .decisions
                .into_iter()
                .map(|d| (d.transaction_id.clone(), d))
                .collect();
            if !v1 && !v1_decisions.is_empty() {
                return Err(err(format!(
                    "corrupt checkpoint: customer '{customer}' has a 'decisions' list, which only {CHECKPOINT_FORMAT_V1} checkpoints have"
                )));
            }
            for e in c.entries {
                let decision = if v1 {
                    v1_decisions.remove(&e.id)
                } else {
                    e.decision
                };
                let Some(decision) = decision else {
                    return Err(err(format!(
                        "corrupt checkpoint: customer '{customer}' transaction '{}' has no recorded decision",
                        e.id
                    )));
                };
                let mut recorded = RecordedDecision::new(decision, h.last_version());
                if let Some(n) = e.reasons_dropped {
                    recorded.reasons = RecordedReasons::Dropped(n);
                }
                let content = match &e.content {
                    None => None,
                    Some(hex) => match u128::from_str_radix(hex, 16) {
                        Ok(c) if hex.len() == 32 => Some(c),
                        _ => {
                            return Err(err(format!(
                                "corrupt checkpoint: customer '{customer}' transaction '{}' has content '{hex}', not 32 hex digits",
                                e.id
                            )))
                        }
                    },
                };
                let flags = e.flags.unwrap_or(0);
                if flags & !(UNDOES | UNDONE) != 0 {
                    return Err(err(format!(
                        "corrupt checkpoint: customer '{customer}' transaction '{}' has flags {flags}",
                        e.id
                    )));
                }
                h.insert(HistoryEntry {
                    timestamp: e.timestamp,
                    value: e.value,
                    direction: e.direction,
                    id: e.id.into_boxed_str(),
                    content,
                    decision: recorded,
                    counterparty: e.counterparty_hash.unwrap_or(0),
                    print: e.wallet_print.unwrap_or(0),
                    flags,
                });
            }
            for (key, seen) in c.counterparties {
                let hash = match key {
                    CounterpartyIn::Hash(h) if !v1 => h,
                    CounterpartyIn::Key(k) if v1 => counterparty_hash(&k),
                    _ => {
                        return Err(err(format!(
                            "corrupt checkpoint: customer '{customer}' has a counterparty of the wrong kind for format '{}'",
                            checkpoint.format
                        )))
                    }
                };
                h.counterparties.insert(hash, seen);
            }
            h.prune(self.retention(), &self.config);
            total += h.entries.len();
            loaded.push((c.customer_id, h));
        }
        // only a checkpoint read whole replaces the current history
        self.clear();
        for (id, h) in loaded {
            self.customers.insert(id, Arc::new(Mutex::new(h)));
        }
        self.total_entries.store(total, Ordering::Relaxed);
        Ok(())
    }
}
