//! `new_counterparty`: the first transfer to (or from) a wallet or account
//! never seen for this customer, above a minimum value.
//!
//! ```yaml
//! - id: new-counterparty-1k
//!   kind: new_counterparty
//!   description: First transfer of 1,000 or more to a new wallet or account
//!   direction: outgoing
//!   min_value: 1000
//!   score: 15
//! ```
//!
//! The counterparty is the beneficiary of an outgoing transfer and the
//! originator of an incoming one, keyed by wallet (`CHAIN:address`) or
//! account. "Never seen" is judged in event time: a counterparty first seen
//! in a later transfer is still new for an earlier one arriving late.

use rust_decimal::Decimal;

use super::fields::Fields;
use super::rule::{DirectionFilter, Fired, RuleContext, DIRECTIONS};
use super::window::money;
use crate::state::counterparty_key;

/// Default `min_value`: 1,000 in the reference currency.
pub const DEFAULT_MIN_VALUE: i64 = 1_000;

/// A compiled new-counterparty rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCounterpartyRule {
    /// Which transfers it applies to.
    pub direction: DirectionFilter,
    /// Smallest value that fires.
    pub min_value: Decimal,
}

impl NewCounterpartyRule {
    /// Reads the rule's parameters.
    pub fn compile(f: &mut Fields<'_>) -> Option<NewCounterpartyRule> {
        Some(NewCounterpartyRule {
            direction: f.choice("direction", DIRECTIONS, DirectionFilter::Outgoing),
            min_value: f.decimal("min_value", Decimal::from(DEFAULT_MIN_VALUE)),
        })
    }

    /// Fires on the first transfer with a counterparty.
    pub fn evaluate(&self, ctx: &RuleContext<'_>) -> Option<Fired> {
        let tx = ctx.tx;
        if !self.direction.accepts(tx.direction) || tx.value < self.min_value {
            return None;
        }
        let key = counterparty_key(tx)?;
        let seen_before = ctx
            .history
            .counterparty(&key)
            .is_some_and(|s| s.first <= tx.timestamp);
        if seen_before {
            return None;
        }
        let role = match tx.direction {
            crate::model::Direction::Outgoing => crate::model::PartyRole::Beneficiary,
            crate::model::Direction::Incoming => crate::model::PartyRole::Originator,
        };
        Some(Fired {
            party: Some(role),
            detail: format!(
                "first transfer with counterparty {key} ({} ≥ {})",
                money(tx.value),
                money(self.min_value)
            ),
        })
    }
}
