//! `fraud`: payment-fraud patterns (seed 004 §6.4) and returns that do not
//! match what they claim to return (seed 003). One `measure` per rule:
//!
//! - `double_payment`: the same value to (or from) the same counterparty,
//!   in the same direction, within `window` — a payment sent twice;
//! - `address_poisoning`: a withdrawal to a wallet that looks like one the
//!   customer used within `window` (the same first and last four
//!   characters) but is another address — copied from a poisoned history.
//!   A wallet the customer sent to before is theirs; one seen only in a
//!   deposit (the poisoner's dust) is not;
//! - `unlinked_return`: a return or revocation whose `original_id` is no
//!   transfer of the customer's within `window`, flows the same way as its
//!   original, is worth more than it, or undoes a transfer that was blocked,
//!   is itself a return, or was already returned (a second return of one
//!   transfer).
//!
//! ```yaml
//! - id: fraud-double-payment
//!   kind: fraud
//!   description: The same amount to the same beneficiary twice within 10 minutes
//!   measure: double_payment   # required
//!   window: 10m               # required
//!   level: high
//! ```

use super::duration::RuleDuration;
use super::fields::Fields;
use super::rule::{Fired, RuleContext};
use crate::model::Direction;
use crate::state::wallet_print;

/// What a fraud rule looks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Measure {
    /// The same value to the same counterparty twice within the window.
    DoublePayment,
    /// A look-alike of a wallet used within the window.
    AddressPoisoning,
    /// A return that matches no earlier transfer.
    UnlinkedReturn,
}

/// Measures by name.
pub const MEASURES: &[(&str, Measure)] = &[
    ("double_payment", Measure::DoublePayment),
    ("address_poisoning", Measure::AddressPoisoning),
    ("unlinked_return", Measure::UnlinkedReturn),
];

/// A compiled fraud rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FraudRule {
    /// What it looks for.
    pub measure: Measure,
    /// How far back it looks.
    pub window: RuleDuration,
}

impl FraudRule {
    /// Reads the rule's parameters; both are required.
    pub fn compile(f: &mut Fields<'_>) -> Option<FraudRule> {
        let measure = f.required_choice("measure", MEASURES);
        let window = f.required_duration(
            "window",
            "how far back the rule looks, e.g. 10m (double payment) or 90d",
        );
        Some(FraudRule {
            measure: measure?,
            window: window?,
        })
    }

    /// How far back the rule looks.
    pub fn lookback(&self) -> chrono::Duration {
        self.window.as_duration()
    }

    /// Fires on the pattern the rule measures.
    pub fn evaluate(&self, ctx: &RuleContext<'_>) -> Option<Fired> {
        match self.measure {
            Measure::DoublePayment => self.double_payment(ctx),
            Measure::AddressPoisoning => self.address_poisoning(ctx),
            Measure::UnlinkedReturn => self.unlinked_return(ctx),
        }
    }

    fn double_payment(&self, ctx: &RuleContext<'_>) -> Option<Fired> {
        let tx = ctx.tx;
        if ctx.undoes() || ctx.blocked {
            return None;
        }
        let (key, hash) = ctx.derived.counterparty(tx)?;
        let t = tx.timestamp;
        let w = self.window.as_duration();
        let twin = ctx.history.between(t - w, t + w).iter().find(|e| {
            e.counts()
                && e.direction == tx.direction
                && e.value == tx.value
                && e.counterparty_hash() == Some(hash)
                && (e.timestamp - t).abs() < w
        })?;
        Some(Fired::new(format!(
            "{} to counterparty {key} again within {}: transaction {} at {} was the same",
            ctx.money(tx.value),
            self.window,
            twin.id(),
            twin.timestamp.format("%Y-%m-%d %H:%M:%S UTC")
        )))
    }

    fn address_poisoning(&self, ctx: &RuleContext<'_>) -> Option<Fired> {
        let tx = ctx.tx;
        if ctx.undoes() || tx.direction != Direction::Outgoing {
            return None;
        }
        let wallet = tx.beneficiary.as_ref()?.wallet.as_ref()?;
        let print = wallet_print(&wallet.address);
        if print == 0 {
            return None;
        }
        let (_, hash) = ctx.derived.counterparty(tx)?;
        let t = tx.timestamp;
        let earlier = ctx.history.between(t - self.window.as_duration(), t);
        // the customer's own habitual destination: sent to before
        let sent_before = earlier.iter().any(|e| {
            e.counts() && e.direction == Direction::Outgoing && e.counterparty_hash() == Some(hash)
        });
        if sent_before {
            return None;
        }
        // a look-alike of another address seen (dust from the poisoner's
        // look-alike is received, so an address seen only incoming is no
        // proof of the customer's own)
        let like = earlier
            .iter()
            .find(|e| e.wallet_print() == Some(print) && e.counterparty_hash() != Some(hash))?;
        Some(Fired {
            party: Some(crate::model::PartyRole::Beneficiary),
            detail: format!(
                "wallet {} looks like the wallet of transaction {} ({}): the same first and last four characters, another address",
                wallet.address.trim(),
                like.id(),
                like.timestamp.format("%Y-%m-%d")
            ),
        })
    }

    fn unlinked_return(&self, ctx: &RuleContext<'_>) -> Option<Fired> {
        let tx = ctx.tx;
        if !ctx.undoes() {
            return None;
        }
        let original = tx.original_id.as_deref()?.trim();
        let what = match tx.kind {
            crate::model::TransferKind::Return => "return",
            _ => "revocation",
        };
        let t = tx.timestamp;
        let found = ctx
            .history
            .entry(original)
            .filter(|e| e.timestamp >= t - self.window.as_duration() && e.timestamp <= t);
        let problem = match found {
            None => format!(
                "{what} of '{original}', which is no transfer of this customer's within {}",
                self.window
            ),
            Some(e) if e.direction == tx.direction => format!(
                "{what} of '{original}' flows the same way as it ({}), not back",
                match e.direction {
                    Direction::Incoming => "incoming",
                    Direction::Outgoing => "outgoing",
                }
            ),
            Some(e) if tx.value > e.value => format!(
                "{what} of '{original}' is worth {}, more than its {}",
                ctx.money(tx.value),
                ctx.money(e.value)
            ),
            Some(e) if e.blocked() => {
                format!("{what} of '{original}', which was blocked: no funds moved to come back")
            }
            Some(e) if e.undone() => format!(
                "{what} of '{original}', which is itself a return or was already returned or revoked"
            ),
            Some(_) => return None,
        };
        Some(Fired::new(problem))
    }
}
