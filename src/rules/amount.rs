//! `amount`: a single transfer whose `value` is at or over a threshold.
//!
//! ```yaml
//! - id: large-transfer-15k
//!   kind: amount
//!   description: Single transfer of 15,000 or more
//!   threshold: 15000
//!   direction: any        # outgoing | incoming | any
//!   score: 30
//! ```

use rust_decimal::Decimal;

use super::fields::Fields;
use super::rule::{DirectionFilter, Fired, RuleContext, DIRECTIONS};
use super::window::money;

/// Default `threshold`: 15,000 in the reference currency.
pub const DEFAULT_THRESHOLD: i64 = 15_000;

/// A compiled amount rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AmountRule {
    /// Fires at or over this value.
    pub threshold: Decimal,
    /// Which transfers it applies to.
    pub direction: DirectionFilter,
}

impl AmountRule {
    /// Reads the rule's parameters.
    pub fn compile(f: &mut Fields<'_>) -> Option<AmountRule> {
        Some(AmountRule {
            threshold: f.decimal("threshold", Decimal::from(DEFAULT_THRESHOLD)),
            direction: f.choice("direction", DIRECTIONS, DirectionFilter::Any),
        })
    }

    /// Fires when the value is at or over the threshold.
    pub fn evaluate(&self, ctx: &RuleContext<'_>) -> Option<Fired> {
        let tx = ctx.tx;
        (self.direction.accepts(tx.direction) && tx.value >= self.threshold).then(|| {
            Fired::new(format!(
                "{}transfer of {} is at or over {}",
                self.direction.adjective(),
                money(tx.value),
                money(self.threshold)
            ))
        })
    }
}
