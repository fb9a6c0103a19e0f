//! `amount`: a single transfer whose `value` is at or over a threshold.
//!
//! ```yaml
//! - id: large-transfer-15k
//!   kind: amount
//!   description: Single transfer of 15,000 USD or more
//!   threshold: 15000      # required; in the reference currency, or "400000 UAH"
//!   direction: any        # required: outgoing | incoming | any
//!   score: 30
//!
//! - id: large-sum-without-history
//!   kind: amount
//!   description: A large sum from a customer with no transfers in the last 30 days
//!   threshold: 5000
//!   direction: any
//!   no_history_within: 30d  # optional: fires only when the customer made no
//!                           # transfer in this time before it
//!   level: high
//! ```

use super::duration::RuleDuration;
use super::fields::Fields;
use super::money::Units;
use super::rule::{DirectionFilter, Fired, RuleContext, DIRECTIONS};
use crate::decision::Amount;

/// A compiled amount rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AmountRule {
    /// Fires at or over this value.
    pub threshold: Amount,
    /// Which transfers it applies to.
    pub direction: DirectionFilter,
    /// Fires only when the customer made no transfer in this time before.
    pub no_history_within: Option<RuleDuration>,
}

impl AmountRule {
    /// Reads the rule's parameters; every one is required.
    pub fn compile(f: &mut Fields<'_>, units: &Units) -> Option<AmountRule> {
        let threshold = f.required_amount(
            "threshold",
            units,
            "the value at or over which the rule fires (e.g. 15000 or \"400000 UAH\")",
        );
        let direction = f.required_choice("direction", DIRECTIONS);
        let no_history_within = f.opt_duration("no_history_within");
        Some(AmountRule {
            threshold: threshold?,
            direction: direction?,
            no_history_within,
        })
    }

    /// How far the rule looks back (for `no_history_within`).
    pub fn lookback(&self) -> chrono::Duration {
        self.no_history_within
            .map_or_else(chrono::Duration::zero, |d| d.as_duration())
    }

    /// Fires when the value is at or over the threshold.
    pub fn evaluate(&self, ctx: &RuleContext<'_>) -> Option<Fired> {
        let tx = ctx.tx;
        if !self.direction.accepts(tx.direction)
            || !self.threshold.reached_by(tx.amount, &tx.currency, tx.value)
        {
            return None;
        }
        let mut detail = format!(
            "{}transfer of {} ≥ {}",
            self.direction.adjective(),
            ctx.money(tx.value),
            self.threshold
        );
        if let Some(d) = self.no_history_within {
            let t = tx.timestamp;
            let history = ctx.history.between(t - d.as_duration(), t);
            if history.iter().any(|e| !e.blocked()) {
                return None;
            }
            detail.push_str(&format!(", and no earlier transfer within {d}"));
        }
        Some(Fired::new(detail))
    }
}
