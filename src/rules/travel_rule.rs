//! `travel_rule`: a crypto transfer at or over a threshold must carry the
//! originator's and the beneficiary's names (FATF Recommendation 16, the
//! EU Transfer of Funds Regulation 2023/1113, and Ukraine's law on
//! financial monitoring for virtual-asset transfers). A transfer without
//! them is held until the counterparty VASP supplies them.
//!
//! ```yaml
//! - id: travel-rule-names-missing
//!   kind: travel_rule
//!   description: Crypto transfer of 1,000 EUR or more without both parties' names
//!   threshold: 1000 EUR   # required; at or over this the names are required
//!   direction: any        # required: outgoing | incoming | any
//!   level: high
//! ```
//!
//! A transfer is crypto when its currency is a crypto ticker (`USDT`,
//! `USDT-TRC20`), any code that is no ISO 4217 currency (an unknown token),
//! or a party gives a wallet. A name that is empty or only
//! spaces is missing.

use super::fields::Fields;
use super::money::Units;
use super::rule::{DirectionFilter, Fired, RuleContext, DIRECTIONS};
use super::window::money;
use crate::currencies::is_crypto;
use crate::decision::Amount;
use crate::model::{Party, Transaction};

/// A compiled travel-rule check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TravelRule {
    /// At or over this value both names are required.
    pub threshold: Amount,
    /// Which transfers it applies to.
    pub direction: DirectionFilter,
}

/// Whether a transfer moves a crypto asset.
pub fn is_crypto_transfer(tx: &Transaction) -> bool {
    let code = tx.currency.trim().to_uppercase();
    let asset = code.split(['-', '_', '.', ' ']).next().unwrap_or_default();
    // a code that is no ISO 4217 currency is taken for a crypto asset (an
    // unknown token must not escape the travel rule as "fiat")
    is_crypto(asset)
        || !crate::currencies::ISO_4217.contains(&asset)
        || tx.parties().any(|(_, p)| p.wallet.is_some())
}

fn named(p: Option<&Party>) -> bool {
    p.and_then(Party::given_name).is_some()
}

impl TravelRule {
    /// Reads the rule's parameters; every one is required.
    pub fn compile(f: &mut Fields<'_>, units: &Units) -> Option<TravelRule> {
        let threshold = f.required_amount(
            "threshold",
            units,
            "the value at or over which both names are required (e.g. \"1000 EUR\")",
        );
        let direction = f.required_choice("direction", DIRECTIONS);
        Some(TravelRule {
            threshold: threshold?,
            direction: direction?,
        })
    }

    /// Fires on a crypto transfer at or over the threshold that lacks a name.
    pub fn evaluate(&self, ctx: &RuleContext<'_>) -> Option<Fired> {
        let tx = ctx.tx;
        if !self.direction.accepts(tx.direction)
            || !self.threshold.reached_by(tx.amount, &tx.currency, tx.value)
            || !is_crypto_transfer(tx)
        {
            return None;
        }
        let missing: Vec<&str> = [
            ("originator", named(tx.originator.as_ref())),
            ("beneficiary", named(tx.beneficiary.as_ref())),
        ]
        .into_iter()
        .filter(|(_, has)| !has)
        .map(|(role, _)| role)
        .collect();
        if missing.is_empty() {
            return None;
        }
        let amount = format!("{} {}", money(tx.amount), tx.currency.trim());
        let value = ctx.money(tx.value);
        let shown = if amount == value {
            amount
        } else {
            format!("{amount} = {value}")
        };
        Some(Fired::new(format!(
            "crypto transfer of {shown} ≥ {} without the {}'s name",
            self.threshold,
            missing.join("'s and the ")
        )))
    }
}
