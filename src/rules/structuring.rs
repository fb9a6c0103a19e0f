//! `structuring`: several transfers by one customer, each just under a
//! reporting threshold, within a window — splitting one large transfer to
//! stay below the threshold.
//!
//! ```yaml
//! - id: structuring-under-10k
//!   kind: structuring
//!   description: Transfers split to stay just under the 10,000 threshold
//!   threshold: 10000      # band upper bound (exclusive)
//!   from: 8000            # band lower bound (inclusive)
//!   min_count: 3          # this many in the band within the window fire the rule
//!   window: 24h
//!   same_direction: true  # count only transfers in the current one's direction
//!   score: 60
//!   level: high
//! ```
//!
//! The rule fires on a transfer that is itself in the band and completes a
//! group of `min_count` (late transfers complete a group as well).

use rust_decimal::Decimal;

use super::duration::RuleDuration;
use super::fields::Fields;
use super::rule::{Fired, RuleContext};
use super::window::{busiest_window, list_values, money};

/// Default `threshold`: 10,000 in the reference currency.
pub const DEFAULT_THRESHOLD: i64 = 10_000;
/// Default `from`: 8,000 (80% of the threshold).
pub const DEFAULT_FROM: i64 = 8_000;
/// Default `min_count`: 3. Lowering it to 2 catches more and flags more honest pairs.
pub const DEFAULT_MIN_COUNT: u32 = 3;
/// Default `window`: 24h.
pub const DEFAULT_WINDOW: RuleDuration = RuleDuration::hours(24);

/// A compiled structuring rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StructuringRule {
    /// Upper bound of the band (exclusive).
    pub threshold: Decimal,
    /// Lower bound of the band (inclusive).
    pub from: Decimal,
    /// Transfers in the band within the window needed to fire.
    pub min_count: u32,
    /// The window.
    pub window: RuleDuration,
    /// Count only transfers in the same direction as the screened one.
    pub same_direction: bool,
}

impl StructuringRule {
    /// Reads the rule's parameters.
    pub fn compile(f: &mut Fields<'_>) -> Option<StructuringRule> {
        let threshold = f.decimal("threshold", Decimal::from(DEFAULT_THRESHOLD));
        let from = f.decimal("from", Decimal::from(DEFAULT_FROM));
        let min_count = f.count("min_count", DEFAULT_MIN_COUNT, 2, 10_000);
        let window = f.duration("window", DEFAULT_WINDOW);
        let same_direction = f.flag("same_direction", true);
        if from >= threshold {
            f.error(
                "from",
                format!(
                    "'from' ({}) must be below 'threshold' ({})",
                    money(from),
                    money(threshold)
                ),
            );
        }
        Some(StructuringRule {
            threshold,
            from,
            min_count,
            window,
            same_direction,
        })
    }

    fn in_band(&self, value: Decimal) -> bool {
        value >= self.from && value < self.threshold
    }

    /// How far the rule looks around a transfer.
    pub fn lookback(&self) -> chrono::Duration {
        self.window.as_duration()
    }

    /// Fires when the transfer completes a structured group.
    pub fn evaluate(&self, ctx: &RuleContext<'_>) -> Option<Fired> {
        let tx = ctx.tx;
        if !self.in_band(tx.value) {
            return None;
        }
        let w = self.window.as_duration();
        let points = ctx.points_around(w, |e| {
            self.in_band(e.value) && (!self.same_direction || e.direction == tx.direction)
        });
        let best = busiest_window(&points, tx.timestamp, w)?;
        if best.len() < self.min_count as usize {
            return None;
        }
        Some(Fired::new(format!(
            "{} transfers {}–{} within {}: {}",
            best.len(),
            money(self.from),
            money(self.threshold),
            self.window,
            list_values(&points[best])
        )))
    }
}
