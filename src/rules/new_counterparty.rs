//! `new_counterparty`: transfers to (or from) wallets or accounts never
//! seen for this customer.
//!
//! ```yaml
//! - id: new-counterparty-1k
//!   kind: new_counterparty
//!   description: First transfer of 1,000 USD or more to a new wallet or account
//!   direction: outgoing   # required: outgoing | incoming | any
//!   min_value: 1000       # required: the smallest transfer that counts
//!   score: 15
//!
//! - id: new-counterparty-spike
//!   kind: new_counterparty
//!   description: A transfer far above the customer's usual to a wallet never used before
//!   direction: outgoing
//!   min_value: 1000
//!   spike:                # optional: fires only when the value is also a spike
//!     multiple: 10        # more than this × the median of
//!     lookback: 30d       # the customer's transfers in this time before,
//!     min_prior: 3        # given at least this many
//!   level: high
//!
//! - id: new-counterparties-many
//!   kind: new_counterparty
//!   description: Transfers to 10 or more new wallets or accounts within 24 hours
//!   direction: outgoing
//!   min_value: 100
//!   many:                 # optional: fires when this transfer's counterparty is
//!     count: 10           # new and at least this many were first seen within
//!     window: 24h         # this time in transfers the rule counts (this one included)
//!   level: high
//! ```
//!
//! The counterparty is the beneficiary of an outgoing transfer and the
//! originator of an incoming one, keyed by wallet (`CHAIN:address`) or
//! account. "Never seen" is judged in event time: a counterparty first seen
//! in a later transfer is still new for an earlier one arriving late. A
//! counterparty of a blocked attempt is not thereby known, and a transfer
//! already blocked by another finding adds no new-counterparty points.

use rust_decimal::Decimal;

use super::duration::RuleDuration;
use super::fields::Fields;
use super::money::Units;
use super::rule::{DirectionFilter, Fired, RuleContext, DIRECTIONS};
use super::window::money;
use crate::decision::Amount;

/// A value spike the transfer must also be (see the module documentation).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spike {
    /// More than this × the median fires.
    pub multiple: Decimal,
    /// The history the median is taken over.
    pub lookback: RuleDuration,
    /// Earlier transfers needed.
    pub min_prior: u32,
}

/// Many new counterparties in a window (see the module documentation).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Many {
    /// New counterparties needed, this one included.
    pub count: u32,
    /// The window.
    pub window: RuleDuration,
}

/// A compiled new-counterparty rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCounterpartyRule {
    /// Which transfers it applies to.
    pub direction: DirectionFilter,
    /// Smallest value that counts.
    pub min_value: Amount,
    /// Fires only on a value spike as well.
    pub spike: Option<Spike>,
    /// Fires only when many counterparties are new within a window.
    pub many: Option<Many>,
}

impl NewCounterpartyRule {
    /// Reads the rule's parameters.
    pub fn compile(f: &mut Fields<'_>, units: &Units) -> Option<NewCounterpartyRule> {
        let direction = f.required_choice("direction", DIRECTIONS);
        let min_value = f.required_amount(
            "min_value",
            units,
            "the smallest transfer that counts, e.g. 1000",
        );
        let source = f.source();
        let spike = match f.raw("spike") {
            None => None,
            Some(node) => match Fields::new(source, node) {
                Ok(mut g) => {
                    let multiple = g.required_decimal(
                        "multiple",
                        "how many times the customer's median fires, e.g. 10",
                    );
                    let lookback = g.required_duration(
                        "lookback",
                        "the history the median is taken over, e.g. 30d",
                    );
                    let min_prior = g.required_count(
                        "min_prior",
                        1,
                        1_000_000,
                        "earlier transfers needed before the median means anything",
                    );
                    if let Some(m) = multiple.filter(|m| *m <= Decimal::ONE) {
                        g.error(
                            "multiple",
                            format!("'multiple' is {}; it must be more than 1", money(m)),
                        );
                    }
                    let errors = g.finish();
                    let ok = errors.is_empty();
                    for e in errors {
                        f.push(e);
                    }
                    match (multiple, lookback, min_prior) {
                        (Some(multiple), Some(lookback), Some(min_prior)) if ok => Some(Spike {
                            multiple,
                            lookback,
                            min_prior,
                        }),
                        _ => None,
                    }
                }
                Err(e) => {
                    f.push(e);
                    None
                }
            },
        };
        let many = match f.raw("many") {
            None => None,
            Some(node) => match Fields::new(source, node) {
                Ok(mut g) => {
                    let count = g.required_count(
                        "count",
                        2,
                        1_000_000,
                        "how many new counterparties within the window fire the rule",
                    );
                    let window =
                        g.required_duration("window", "the time they fall within, e.g. 24h");
                    let errors = g.finish();
                    let ok = errors.is_empty();
                    for e in errors {
                        f.push(e);
                    }
                    match (count, window) {
                        (Some(count), Some(window)) if ok => Some(Many { count, window }),
                        _ => None,
                    }
                }
                Err(e) => {
                    f.push(e);
                    None
                }
            },
        };
        Some(NewCounterpartyRule {
            direction: direction?,
            min_value: min_value?,
            spike,
            many,
        })
    }

    /// How far the rule looks back.
    pub fn lookback(&self) -> chrono::Duration {
        let spike = self
            .spike
            .as_ref()
            .map_or_else(chrono::Duration::zero, |s| s.lookback.as_duration());
        let many = self
            .many
            .as_ref()
            .map_or_else(chrono::Duration::zero, |m| m.window.as_duration());
        spike.max(many)
    }

    /// Fires on a transfer with a new counterparty (and a spike, or many
    /// new ones, when the rule asks for them).
    pub fn evaluate(&self, ctx: &RuleContext<'_>) -> Option<Fired> {
        if ctx.undoes() {
            return None;
        }
        let tx = ctx.tx;
        if ctx.blocked || !self.direction.accepts(tx.direction) || tx.value < self.min_value.value {
            return None;
        }
        let (key, hash) = ctx.derived.counterparty(tx)?;
        let seen_before = ctx
            .history
            .counterparty_by_hash(hash)
            .is_some_and(|s| s.first <= tx.timestamp);
        if seen_before {
            return None;
        }
        let role = match tx.direction {
            crate::model::Direction::Outgoing => crate::model::PartyRole::Beneficiary,
            crate::model::Direction::Incoming => crate::model::PartyRole::Originator,
        };
        let mut detail = format!(
            "first transfer with counterparty {key} ({} ≥ {})",
            ctx.money(tx.value),
            self.min_value
        );
        let t = tx.timestamp;
        if let Some(spike) = &self.spike {
            let mut prior: Vec<Decimal> = ctx
                .history
                .between(t - spike.lookback.as_duration(), t)
                .iter()
                .filter(|e| e.counts() && self.direction.accepts(e.direction))
                .map(|e| e.value)
                .collect();
            if prior.len() < spike.min_prior as usize {
                return None;
            }
            let n = prior.len();
            let median = super::unusual_activity::median(&mut prior)?;
            let limit = median.checked_mul(spike.multiple).unwrap_or(Decimal::MAX);
            if tx.value <= limit {
                return None;
            }
            detail.push_str(&format!(
                ", more than {}× the median {} of {n} transfers in the previous {}",
                money(spike.multiple),
                ctx.money(median),
                spike.lookback
            ));
        }
        if let Some(many) = &self.many {
            let w = many.window.as_duration();
            // this counterparty is new; the others: first seen within the
            // window in a transfer this rule counts (its direction, at
            // least `min_value`, not blocked or undone)
            let mut others: Vec<u64> = ctx
                .history
                .between(t - w, t)
                .iter()
                .filter(|e| {
                    e.counts()
                        && self.direction.accepts(e.direction)
                        && e.value >= self.min_value.value
                })
                .filter_map(|e| e.counterparty_hash())
                .filter(|h| {
                    *h != hash
                        && ctx
                            .history
                            .counterparty_by_hash(*h)
                            .is_some_and(|s| s.first >= t - w)
                })
                .collect();
            others.sort_unstable();
            others.dedup();
            let new = 1 + others.len();
            if new < many.count as usize {
                return None;
            }
            detail.push_str(&format!(
                ", {new} new counterparties within {} (this one included)",
                many.window
            ));
        }
        Some(Fired {
            party: Some(role),
            detail,
        })
    }
}
