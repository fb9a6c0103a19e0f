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
//! ```

use rust_decimal::Decimal;

use super::duration::RuleDuration;
use super::fields::Fields;
use super::rule::{DirectionFilter, Fired, RuleContext, DIRECTIONS};
use super::window::{busiest_window, heaviest_window, list_values, money};

/// Default `window`: 24h.
pub const DEFAULT_WINDOW: RuleDuration = RuleDuration::hours(24);

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
    pub max_sum: Option<Decimal>,
}

impl VelocityRule {
    /// Reads the rule's parameters.
    pub fn compile(f: &mut Fields<'_>) -> Option<VelocityRule> {
        let direction = f.choice("direction", DIRECTIONS, DirectionFilter::Outgoing);
        let window = f.duration("window", DEFAULT_WINDOW);
        let max_count = f.opt_count("max_count", 0, 1_000_000);
        let max_sum = f.opt_decimal("max_sum");
        if max_count.is_none() && max_sum.is_none() && !f.has_errors() {
            f.error("max_count", "a velocity rule needs 'max_count' (a number of transfers) and/or 'max_sum' (an amount)");
        }
        Some(VelocityRule {
            direction,
            window,
            max_count,
            max_sum,
        })
    }

    /// How far the rule looks around a transfer.
    pub fn lookback(&self) -> chrono::Duration {
        self.window.as_duration()
    }

    /// Fires when the count or the sum of a window holding this transfer is over the limit.
    pub fn evaluate(&self, ctx: &RuleContext<'_>) -> Option<Fired> {
        let tx = ctx.tx;
        if !self.direction.accepts(tx.direction) {
            return None;
        }
        let w = self.window.as_duration();
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
                    list_values(&points[r])
                ));
            }
        }
        if let Some(max) = self.max_sum {
            if let Some((r, total)) =
                heaviest_window(&points, tx.timestamp, w).filter(|(_, s)| *s > max)
            {
                details.push(format!(
                    "{}transfers within {} total {} (over {}): {}",
                    self.direction.adjective(),
                    self.window,
                    money(total),
                    money(max),
                    list_values(&points[r])
                ));
            }
        }
        (!details.is_empty()).then(|| Fired::new(capitalise(&details.join("; "))))
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(first) => first.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}
