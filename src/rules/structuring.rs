//! `structuring`: one customer's transfers split to stay under a threshold,
//! within a window. Two shapes, each with every number explicit:
//!
//! - **band**: `min_count` transfers each just under `threshold` (from
//!   `from`, inclusive, to `threshold`, exclusive) — the classic split just
//!   below a limit;
//! - **count and sum**: `min_count` transfers each under `max_each` whose
//!   total reaches `min_total` — many small transfers that together make a
//!   large one (20 × 500), or a large one cut in two.
//!
//! ```yaml
//! - id: structuring-under-10k
//!   kind: structuring
//!   description: Transfers split to stay just under the 10,000 USD threshold
//!   threshold: 10000      # band upper bound (exclusive)
//!   from: 8000            # band lower bound (inclusive)
//!   min_count: 3          # this many in the band within the window fire the rule
//!   window: 24h
//!   same_direction: true  # count only transfers in the current one's direction
//!   score: 60
//!
//! - id: structuring-under-report-threshold
//!   kind: structuring
//!   description: Transfers each under the reporting threshold that together reach it
//!   max_each: 400000 UAH  # every counted transfer is under this (exclusive)
//!   min_total: 400000 UAH # their total within the window reaches this
//!   min_each: 40000 UAH   # optional: and each is at least this (pieces of a
//!                         # large sum, not small change)
//!   min_count: 3
//!   window: 24h
//!   same_direction: true
//!   score: 40
//! ```
//!
//! The rule fires on a transfer that itself counts and completes a group
//! (late transfers complete a group as well). Amounts are in the reference
//! currency or written with a currency the policy has a rate for.

use rust_decimal::Decimal;

use super::duration::RuleDuration;
use super::fields::Fields;
use super::money::Units;
use super::rule::{Fired, RuleContext};
use super::window::{list_values, sum, windows_containing};
use crate::decision::Amount;

/// Which transfers a structuring rule counts, and what a group must reach.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Shape {
    /// Transfers in `[from, threshold)`.
    Band {
        /// Lower bound (inclusive).
        from: Amount,
        /// Upper bound (exclusive).
        threshold: Amount,
    },
    /// Transfers under `max_each` (and at least `min_each`, when given)
    /// whose total reaches `min_total`.
    CountAndSum {
        /// Each counted transfer is at least this, when given.
        min_each: Option<Amount>,
        /// Each counted transfer is under this.
        max_each: Amount,
        /// The group's total reaches this.
        min_total: Amount,
    },
}

/// A compiled structuring rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StructuringRule {
    /// What is counted and what a group must reach.
    pub shape: Shape,
    /// Transfers needed within the window to fire.
    pub min_count: u32,
    /// The window.
    pub window: RuleDuration,
    /// Count only transfers in the same direction as the screened one.
    pub same_direction: bool,
}

impl StructuringRule {
    /// Reads the rule's parameters; every number is required.
    pub fn compile(f: &mut Fields<'_>, units: &Units) -> Option<StructuringRule> {
        let band = f.present("threshold") || f.present("from");
        let sum_shape = f.present("max_each") || f.present("min_total") || f.present("min_each");
        let shape = match (band, sum_shape) {
            (true, true) => {
                f.error("max_each", "a structuring rule is either a band ('threshold' and 'from') or a count and sum ('max_each' and 'min_total'), not both");
                None
            }
            (false, false) => {
                f.raw("threshold");
                f.error("threshold", "missing the amounts: give 'threshold' and 'from' (transfers just under a threshold) or 'max_each' and 'min_total' (transfers under a size that together reach a total)");
                None
            }
            (true, false) => {
                let threshold = f.required_amount(
                    "threshold",
                    units,
                    "the band's upper bound (exclusive), e.g. 10000",
                );
                let from = f.required_amount(
                    "from",
                    units,
                    "the band's lower bound (inclusive), e.g. 8000",
                );
                match (from, threshold) {
                    (Some(from), Some(threshold)) if from.value >= threshold.value => {
                        f.error(
                            "from",
                            format!("'from' ({from}) must be below 'threshold' ({threshold})"),
                        );
                        None
                    }
                    (Some(from), Some(threshold)) => Some(Shape::Band { from, threshold }),
                    _ => None,
                }
            }
            (false, true) => {
                let max_each = f.required_amount(
                    "max_each",
                    units,
                    "every counted transfer is under this, e.g. \"400000 UAH\"",
                );
                let min_total = f.required_amount(
                    "min_total",
                    units,
                    "the total the group reaches, e.g. \"400000 UAH\"",
                );
                let min_each = f.amount("min_each", units);
                match (max_each, min_total) {
                    (Some(m), _) if m.value.is_zero() => {
                        f.error("max_each", "'max_each' must be more than 0");
                        None
                    }
                    (Some(max), _) if min_each.as_ref().is_some_and(|m| m.value >= max.value) => {
                        f.error(
                            "min_each",
                            format!("'min_each' must be below 'max_each' ({max})"),
                        );
                        None
                    }
                    (Some(max_each), Some(min_total)) => Some(Shape::CountAndSum {
                        min_each,
                        max_each,
                        min_total,
                    }),
                    _ => None,
                }
            }
        };
        let min_count = f.required_count(
            "min_count",
            2,
            10_000,
            "how many transfers within the window fire the rule (2 or more)",
        );
        let window = f.required_duration("window", "the time the transfers fall within, e.g. 24h");
        let same_direction = f.flag("same_direction", true);
        Some(StructuringRule {
            shape: shape?,
            min_count: min_count?,
            window: window?,
            same_direction,
        })
    }

    fn counts(&self, value: Decimal) -> bool {
        match &self.shape {
            Shape::Band { from, threshold } => value >= from.value && value < threshold.value,
            Shape::CountAndSum {
                min_each, max_each, ..
            } => {
                value < max_each.value
                    && match min_each {
                        Some(m) => value >= m.value,
                        None => true,
                    }
            }
        }
    }

    /// How far the rule looks around a transfer.
    pub fn lookback(&self) -> chrono::Duration {
        self.window.as_duration()
    }

    /// Fires when the transfer completes a structured group.
    pub fn evaluate(&self, ctx: &RuleContext<'_>) -> Option<Fired> {
        if ctx.undoes() {
            return None;
        }
        let tx = ctx.tx;
        if !self.counts(tx.value) {
            return None;
        }
        let w = self.window.as_duration();
        let points = ctx.points_around(w, |e| {
            self.counts(e.value) && (!self.same_direction || e.direction == tx.direction)
        });
        let min_count = self.min_count as usize;
        // the group that weighs most among those with enough transfers (the
        // busiest, for a band); the earliest on ties
        let mut best: Option<(std::ops::Range<usize>, Decimal)> = None;
        for r in windows_containing(&points, tx.timestamp, w) {
            if r.len() < min_count {
                continue;
            }
            let total = sum(&points[r.clone()]);
            let better = match &best {
                None => true,
                Some((b, t)) => match self.shape {
                    Shape::Band { .. } => r.len() > b.len(),
                    Shape::CountAndSum { .. } => total > *t,
                },
            };
            if better {
                best = Some((r, total));
            }
        }
        let (range, total) = best?;
        let group = &points[range];
        let detail = match &self.shape {
            Shape::Band { from, threshold } => format!(
                "{} transfers of {from} to under {threshold} within {}: {}",
                group.len(),
                self.window,
                list_values(group, ctx.currency)
            ),
            Shape::CountAndSum {
                min_each,
                max_each,
                min_total,
            } => {
                if total < min_total.value {
                    return None;
                }
                let each = match min_each {
                    Some(m) => format!("each of {m} to under {max_each}"),
                    None => format!("each under {max_each}"),
                };
                format!(
                    "{} transfers {each} within {} total {} ≥ {min_total}: {}",
                    group.len(),
                    self.window,
                    ctx.money(total),
                    list_values(group, ctx.currency)
                )
            }
        };
        Some(Fired::new(detail))
    }
}
