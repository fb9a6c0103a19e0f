//! `third_party`: an operation for or from someone other than the account
//! holder (seed 004 §4.5.1 #7). Two checks, each named in `checks:`:
//!
//! - `ultimate_parties`: the ultimate originator of an outgoing transfer,
//!   or the ultimate beneficiary of an incoming one, is not the holder — the
//!   customer moves someone else's money;
//! - `fiat_payer`: the payer of an incoming fiat transfer (a card or bank
//!   deposit) is not the holder — a deposit from another person's account.
//!
//! ```yaml
//! - id: third-party-operation
//!   kind: third_party
//!   description: Operation for or from someone other than the account holder
//!   checks: [ultimate_parties, fiat_payer]   # required, at least one
//!   level: high
//! ```
//!
//! The holder is the transaction's `customer` (name, kind). Names are the
//! same when their folded words are (any order, any script: `Коваленко
//! Олена` = `Olena Kovalenko`) or when the shorter name's words, two at
//! least, are all in the longer one (a patronymic or middle name left
//! out). Without the holder's name, or the other party's, the rule cannot
//! judge and stays quiet.

use super::fields::Fields;
use super::rule::{Fired, RuleContext};
use super::travel_rule::is_crypto_transfer;
use crate::model::{Direction, Party, PartyRole};

/// The checks by name.
pub const CHECKS: &[&str] = &["ultimate_parties", "fiat_payer"];

/// A compiled third-party rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThirdPartyRule {
    /// Check the ultimate originator (outgoing) / beneficiary (incoming).
    pub ultimate_parties: bool,
    /// Check the payer of incoming fiat transfers.
    pub fiat_payer: bool,
}

/// Whether two names are one person's or organisation's (see the module
/// documentation).
pub fn same_holder(a: &str, b: &str) -> bool {
    let (a, b) = (crate::names::fold_words(a), crate::names::fold_words(b));
    if a.is_empty() || b.is_empty() {
        return true; // nothing to compare: never a finding
    }
    let (short, long) = if a.len() <= b.len() {
        (&a, &b)
    } else {
        (&b, &a)
    };
    let all_in = short.iter().all(|w| long.contains(w));
    all_in && (short.len() == long.len() || short.len() >= 2)
}

impl ThirdPartyRule {
    /// Reads the rule's parameters.
    pub fn compile(f: &mut Fields<'_>) -> Option<ThirdPartyRule> {
        if f.missing("checks", || format!(" (valid: {})", CHECKS.join(", "))) {
            return None;
        }
        let checks = f.texts("checks");
        for (i, c) in checks.iter().enumerate() {
            if !CHECKS.contains(&c.as_str()) {
                let at = f.item_position("checks", i);
                let e = at
                    .error(format!("'checks': unknown check '{c}'"))
                    .with_hint_for(c, CHECKS.iter().copied())
                    .with_note(format!("(valid: {})", CHECKS.join(", ")));
                f.push(e);
            }
        }
        if checks.is_empty() {
            f.error("checks", "'checks' needs at least one check");
        }
        Some(ThirdPartyRule {
            ultimate_parties: checks.iter().any(|c| c == "ultimate_parties"),
            fiat_payer: checks.iter().any(|c| c == "fiat_payer"),
        })
    }

    /// Fires when a party who should be the holder is someone else.
    pub fn evaluate(&self, ctx: &RuleContext<'_>) -> Option<Fired> {
        let tx = ctx.tx;
        let holder = tx
            .customer
            .as_ref()?
            .name
            .as_deref()
            .filter(|n| !n.trim().is_empty())?;
        let mut seen = Vec::new();
        let mut party = None;
        if self.ultimate_parties {
            let (role, ultimate) = match tx.direction {
                Direction::Outgoing => (
                    PartyRole::UltimateOriginator,
                    tx.ultimate_originator.as_ref(),
                ),
                Direction::Incoming => (
                    PartyRole::UltimateBeneficiary,
                    tx.ultimate_beneficiary.as_ref(),
                ),
            };
            if let Some(name) = ultimate
                .and_then(Party::given_name)
                .filter(|n| !same_holder(n, holder))
            {
                seen.push(format!(
                    "{role} '{name}' is not the account holder '{holder}'"
                ));
                party = Some(role);
            }
        }
        if self.fiat_payer && tx.direction == Direction::Incoming && !is_crypto_transfer(tx) {
            if let Some(name) = tx
                .originator
                .as_ref()
                .and_then(Party::given_name)
                .filter(|n| !same_holder(n, holder))
            {
                seen.push(format!(
                    "fiat deposit from '{name}', not from the account holder '{holder}'"
                ));
                party = party.or(Some(PartyRole::Originator));
            }
        }
        (!seen.is_empty()).then(|| Fired {
            party,
            detail: seen.join("; "),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::same_holder;

    #[test]
    fn a_holder_is_the_same_in_any_order_script_or_without_a_middle_name() {
        assert!(same_holder("Olena Kovalenko", "KOVALENKO, Olena"));
        assert!(same_holder("Коваленко Олена", "Olena Kovalenko"));
        assert!(same_holder("Olena Petrivna Kovalenko", "Olena Kovalenko"));
        assert!(!same_holder("Olena Kovalenko", "Ivan Kovalenko"));
        assert!(!same_holder("Olena Kovalenko", "Kovalenko"));
        assert!(!same_holder("TOV Agro Trade", "Olena Kovalenko"));
    }
}
