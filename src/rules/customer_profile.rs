//! `customer_profile`: transfers that do not fit the kind of customer
//! (seed 004 §4.5.1 #9: a private customer moving business-size sums).
//!
//! ```yaml
//! - id: private-customer-business-sums
//!   kind: customer_profile
//!   description: A private customer receiving business-size sums from companies
//!   customer_kind: person           # required: the holder's kind (transaction `customer.kind`)
//!   counterparty_kind: organization # optional: the counterparty's kind, when it must be one
//!   direction: incoming             # required: outgoing | incoming | any
//!   min_value: 10000                # required: a business-size transfer
//!   min_count: 3                    # required: this many within the window (this one included)
//!   window: 30d                     # required
//!   level: high
//! ```
//!
//! The rule fires on a transfer that is itself business-size (from a
//! counterparty of the given kind) and completes `min_count` business-size
//! transfers in the direction within the window (earlier ones counted by
//! value and direction; blocked attempts never count). Without the
//! holder's kind it cannot judge and stays quiet.

use super::duration::RuleDuration;
use super::fields::Fields;
use super::money::Units;
use super::rule::{DirectionFilter, Fired, RuleContext, DIRECTIONS};
use crate::decision::Amount;
use crate::model::PartyKind;

/// Party kinds by name.
const KINDS: &[(&str, PartyKind)] = &[
    ("person", PartyKind::Person),
    ("organization", PartyKind::Organization),
];

/// A compiled customer-profile rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerProfileRule {
    /// The holder's kind the rule is about.
    pub customer_kind: PartyKind,
    /// The counterparty's kind, when it must be one.
    pub counterparty_kind: Option<PartyKind>,
    /// Which transfers count.
    pub direction: DirectionFilter,
    /// A business-size transfer.
    pub min_value: Amount,
    /// How many within the window fire the rule.
    pub min_count: u32,
    /// The window.
    pub window: RuleDuration,
}

fn kind_name(k: PartyKind) -> &'static str {
    match k {
        PartyKind::Person => "private",
        PartyKind::Organization => "business",
    }
}

impl CustomerProfileRule {
    /// Reads the rule's parameters.
    pub fn compile(f: &mut Fields<'_>, units: &Units) -> Option<CustomerProfileRule> {
        let customer_kind = f.required_choice("customer_kind", KINDS);
        let counterparty_kind = f.opt_choice("counterparty_kind", KINDS);
        let direction = f.required_choice("direction", DIRECTIONS);
        let min_value = f.required_amount(
            "min_value",
            units,
            "the value of a business-size transfer, e.g. 10000",
        );
        let min_count = f.required_count(
            "min_count",
            1,
            10_000,
            "how many such transfers within the window fire the rule",
        );
        let window = f.required_duration("window", "the time they fall within, e.g. 30d");
        Some(CustomerProfileRule {
            customer_kind: customer_kind?,
            counterparty_kind,
            direction: direction?,
            min_value: min_value?,
            min_count: min_count?,
            window: window?,
        })
    }

    /// How far the rule looks back.
    pub fn lookback(&self) -> chrono::Duration {
        self.window.as_duration()
    }

    /// Fires on the transfer that completes `min_count` business-size ones.
    pub fn evaluate(&self, ctx: &RuleContext<'_>) -> Option<Fired> {
        if ctx.undoes() {
            return None;
        }
        let tx = ctx.tx;
        let holder = tx.customer.as_ref()?.kind?;
        if holder != self.customer_kind
            || !self.direction.accepts(tx.direction)
            || tx.value < self.min_value.value
        {
            return None;
        }
        let counterparty = tx.counterparty();
        if let Some(want) = self.counterparty_kind {
            if counterparty.and_then(|p| p.kind) != Some(want) {
                return None;
            }
        }
        let t = tx.timestamp;
        let earlier = ctx
            .history
            .between(t - self.window.as_duration(), t)
            .iter()
            .filter(|e| {
                e.counts() && self.direction.accepts(e.direction) && e.value >= self.min_value.value
            })
            .count();
        let count = earlier + 1;
        if count < self.min_count as usize {
            return None;
        }
        let from = match (
            self.counterparty_kind,
            counterparty.and_then(|p| p.name.as_deref()),
        ) {
            (Some(PartyKind::Organization), Some(name)) => {
                format!(" (this one with company '{name}')")
            }
            (_, Some(name)) => format!(" (this one with '{name}')"),
            _ => String::new(),
        };
        Some(Fired::new(format!(
            "{} customer: {count} {}transfers of {} or more within {}{from}, this one {}",
            kind_name(holder),
            self.direction.adjective(),
            self.min_value,
            self.window,
            ctx.money(tx.value)
        )))
    }
}
