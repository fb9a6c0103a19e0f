//! `velocity`: how many transfers, and how much, a customer moves per
//! window and direction.
//!
//! ```yaml
//! - id: velocity-outgoing-count-1h
//!   kind: velocity
//!   description: Many outgoing transfers in a short time
//!   direction: outgoing   # outgoing | incoming | any
//!   window: 1h
//!   max_count: 10         # fires on more than this many transfers in the window
//!   # max_sum: 50000      # fires when the window's total exceeds this
//!   score: 30
//!
//! - id: repeated-blocked-attempts
//!   kind: velocity
//!   description: Two or more blocked attempts within 7 days
//!   direction: any
//!   window: 7d
//!   blocked_attempts: true  # count the customer's blocked attempts (and
//!   max_count: 1            # this one, if it is blocked) instead of transfers
//!   level: high
//! ```
//!
//! Blocked attempts moved no money: they never count toward a window's
//! transfers or total; `blocked_attempts: true` counts them instead.

use super::duration::RuleDuration;
use super::fields::Fields;
use super::money::Units;
use super::rule::{DirectionFilter, Fired, RuleContext, DIRECTIONS};
use super::window::{busiest_window, heaviest_window, list_values};
use crate::decision::Amount;

/// A compiled velocity rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VelocityRule {
    /// Which transfers count.
    pub direction: DirectionFilter,
    /// The window.
    pub window: RuleDuration,
    /// Fires on more than this many transfers in the window.
    pub max_count: Option<u32>,
    /// Fires when the window's total exceeds this.
    pub max_sum: Option<Amount>,
    /// Count blocked attempts instead of transfers.
    pub blocked_attempts: bool,
}

impl VelocityRule {
    /// Reads the rule's parameters.
    pub fn compile(f: &mut Fields<'_>, units: &Units) -> Option<VelocityRule> {
        let direction = f.required_choice("direction", DIRECTIONS);
        let window = f.required_duration(
            "window",
            "the time the transfers are counted over, e.g. 1h or 24h",
        );
        let max_count = f.opt_count("max_count", 0, 1_000_000);
        let max_sum = f.amount("max_sum", units);
        let blocked_attempts = f.flag("blocked_attempts", false);
        if blocked_attempts && (max_sum.is_some() || max_count.is_none()) {
            f.error(
                "blocked_attempts",
                "'blocked_attempts: true' counts attempts: give 'max_count' and no 'max_sum'",
            );
        }
        if max_count.is_none() && max_sum.is_none() && !f.has_errors() {
            f.error("max_count", "a velocity rule needs 'max_count' (a number of transfers) and/or 'max_sum' (an amount)");
        }
        Some(VelocityRule {
            direction: direction?,
            window: window?,
            max_count,
            max_sum,
            blocked_attempts,
        })
    }

    /// How far the rule looks around a transfer.
    pub fn lookback(&self) -> chrono::Duration {
        self.window.as_duration()
    }

    /// Fires when the count or the sum of a window holding this transfer is over the limit.
    pub fn evaluate(&self, ctx: &RuleContext<'_>) -> Option<Fired> {
        if ctx.undoes() {
            return None;
        }
        let tx = ctx.tx;
        if !self.direction.accepts(tx.direction) {
            return None;
        }
        let w = self.window.as_duration();
        if self.blocked_attempts {
            return self.evaluate_attempts(ctx);
        }
        let points = ctx.points_around(w, |e| self.direction.accepts(e.direction));
        let mut details = Vec::new();
        if let Some(max) = self.max_count {
            if let Some(r) =
                busiest_window(&points, tx.timestamp, w).filter(|r| r.len() > max as usize)
            {
                details.push(format!(
                    "{} {}transfers within {} (more than {max}): {}",
                    r.len(),
                    self.direction.adjective(),
                    self.window,
                    list_values(&points[r], ctx.currency)
                ));
            }
        }
        if let Some(max) = &self.max_sum {
            if let Some((r, total)) =
                heaviest_window(&points, tx.timestamp, w).filter(|(_, s)| *s > max.value)
            {
                details.push(format!(
                    "{}transfers within {} total {} > {max}: {}",
                    self.direction.adjective(),
                    self.window,
                    ctx.money(total),
                    list_values(&points[r], ctx.currency)
                ));
            }
        }
        (!details.is_empty()).then(|| Fired::new(capitalise(&details.join("; "))))
    }
}

impl VelocityRule {
    /// Fires when the customer's blocked attempts within the window before
    /// this transfer (and this one, if a finding blocks it) are more than
    /// `max_count`.
    fn evaluate_attempts(&self, ctx: &RuleContext<'_>) -> Option<Fired> {
        let max = self.max_count?;
        let t = ctx.tx.timestamp;
        let earlier = ctx
            .history
            .between(
                t - self.window.as_duration(),
                t + chrono::Duration::nanoseconds(1),
            )
            .iter()
            .filter(|e| e.blocked() && self.direction.accepts(e.direction))
            .count();
        let attempts = earlier + usize::from(ctx.blocked);
        (attempts > max as usize).then(|| {
            Fired::new(format!(
                "{attempts} blocked {}attempts within {} (more than {max}){}",
                self.direction.adjective(),
                self.window,
                if ctx.blocked {
                    ", this one included"
                } else {
                    ""
                }
            ))
        })
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(first) => first.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}
