//! Combine findings into a decision: points → score → level → action.
//!
//! Knows nothing of how findings were made. The score is the sum of every
//! finding's points, capped at [`MAX_SCORE`]; the level is the band the score
//! falls in, raised to the highest level floor any finding imposes; the
//! action is the policy's action for that level, raised to the strongest
//! action any finding forces (`block` beats `hold` beats `allow`).

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::model::{Action, Decision, Finding, RiskLevel};

/// Scores are on a 0–100 scale.
pub const MAX_SCORE: u32 = 100;

/// Score bands and the level → action mapping, from the policy file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Policy {
    /// Currency of transactions' `value`; thresholds are in it.
    pub reference_currency: String,
    /// Lowest score that is `medium` (below is `low`). Default 40.
    pub medium_from: u32,
    /// Lowest score that is `high`. Default 70.
    pub high_from: u32,
    /// Action for a `low` decision. Default `allow`.
    pub low_action: Action,
    /// Action for a `medium` decision. Default `allow` (reasons kept for monitoring).
    pub medium_action: Action,
    /// Action for a `high` decision. Default `hold`.
    pub high_action: Action,
    /// What a sanctions name hit does (the `name_hits:` section).
    #[serde(default)]
    pub name_hits: NameHitPolicy,
    /// Exchange rates that read amounts the rule files write in other
    /// currencies (`1000 EUR`): units of the reference currency per unit
    /// (the `rates:` section).
    #[serde(default)]
    pub rates: Rates,
    /// An operation whose value is at or over this (in the reference
    /// currency) carries `report: threshold`: a report duty, not a hold
    /// (the `report:` section).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub report_threshold: Option<Amount>,
}

/// Exchange rates with their date and source, as the policy states them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rates {
    /// Currency code → units of the reference currency per unit.
    pub per_unit: BTreeMap<String, Decimal>,
    /// The date the rates are of (`2025-05-22`).
    pub as_of: Option<String>,
    /// Where they come from.
    pub source: Option<String>,
}

/// An amount a rule file wrote: its value in the reference currency, and
/// how it was written when that was another currency (`1,000 EUR`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Amount {
    /// The value in the reference currency; rules compare this.
    pub value: Decimal,
    /// The reference currency's code.
    pub currency: String,
    /// The amount and currency as written, when not the reference currency.
    pub written: Option<(Decimal, String)>,
}

impl Amount {
    /// Whether a transaction is at or over this amount: compared in the
    /// currency the amount was written in when the transaction is in that
    /// currency (400,000 UAH is reached by 400,000 UAH whatever the rate of
    /// the day), else by its value in the reference currency.
    pub fn reached_by(&self, amount: Decimal, currency: &str, value: Decimal) -> bool {
        match &self.written {
            Some((written, code)) if currency.trim().eq_ignore_ascii_case(code) => {
                amount >= *written
            }
            _ => value >= self.value,
        }
    }
}

impl std::fmt::Display for Amount {
    /// `15,000 USD`, or `1,132.2 USD (1,000 EUR)` for an amount written in
    /// another currency.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // a converted amount is shown to the cent; one written as is, exactly
        let value = match self.written {
            Some(_) => self.value.round_dp(2),
            None => self.value,
        };
        write!(f, "{} {}", group_digits(value), self.currency)?;
        if let Some((amount, code)) = &self.written {
            write!(f, " ({} {code})", group_digits(*amount))?;
        }
        Ok(())
    }
}

/// A decimal with thousands separators and no trailing zeros: `9,500`,
/// `12,000.5`.
pub fn group_digits(d: Decimal) -> String {
    let text = d.normalize().to_string();
    let (sign, digits) = match text.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", text.as_str()),
    };
    let (int, frac) = match digits.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (digits, None),
    };
    let mut grouped = String::with_capacity(int.len() + int.len() / 3);
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    match frac {
        Some(f) => format!("{sign}{grouped}.{f}"),
        None => format!("{sign}{grouped}"),
    }
}

/// Evidence, besides the name, that a party is the listed subject.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Evidence {
    /// The party's birth date agrees with the list's at the precision both
    /// give.
    BirthDate,
    /// One of the party's identity or registration numbers is printed by
    /// the list for the same subject.
    Identifier,
    /// The party's wallet is listed for the same subject.
    Wallet,
    /// The party's country is one of the subject's (organisations: with an
    /// exact name only).
    Country,
}

impl Evidence {
    /// The names the policy file uses.
    pub const NAMES: &'static [(&'static str, Evidence)] = &[
        ("birth_date", Evidence::BirthDate),
        ("identifier", Evidence::Identifier),
        ("wallet", Evidence::Wallet),
        ("country", Evidence::Country),
    ];
}

/// What a sanctions name hit does: a name alone suspends; a name
/// corroborated by a second identifier freezes.
///
/// A person's hit is corroborated when its score reaches the block
/// threshold and one of [`NameHitPolicy::person_corroboration`] agrees. An
/// organisation's, vessel's or aircraft's hit is corroborated when the name
/// is exact (legal forms, titles and script aside) and one of
/// [`NameHitPolicy::organization_corroboration`] agrees. Every other hit at
/// or above the review threshold is a name-only hit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NameHitPolicy {
    /// Action of a name-only hit: `hold` (default) or `block`.
    pub name_only: Action,
    /// Its reason, as the finding states it.
    pub name_only_reason: String,
    /// Action of a corroborated hit: `block` (default) or `hold`.
    pub corroborated: Action,
    /// Its reason; `{evidence}` is replaced by what corroborates it
    /// ("date of birth 1962-03-04").
    pub corroborated_reason: String,
    /// What corroborates a person's name.
    pub person_corroboration: Vec<Evidence>,
    /// What corroborates an organisation's, vessel's or aircraft's exact
    /// name.
    pub organization_corroboration: Vec<Evidence>,
}

impl Default for NameHitPolicy {
    fn default() -> Self {
        NameHitPolicy {
            name_only: Action::Hold,
            name_only_reason: "name only: held for review".into(),
            corroborated: Action::Block,
            corroborated_reason: "name + {evidence}: blocked".into(),
            person_corroboration: vec![Evidence::BirthDate, Evidence::Identifier, Evidence::Wallet],
            organization_corroboration: vec![
                Evidence::Country,
                Evidence::Identifier,
                Evidence::Wallet,
            ],
        }
    }
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            reference_currency: "USD".into(),
            medium_from: 40,
            high_from: 70,
            low_action: Action::Allow,
            medium_action: Action::Allow,
            high_action: Action::Hold,
            name_hits: NameHitPolicy::default(),
            rates: Rates::default(),
            report_threshold: None,
        }
    }
}

impl Policy {
    /// The band a score falls in.
    pub fn level_for(&self, score: u32) -> RiskLevel {
        if score >= self.high_from {
            RiskLevel::High
        } else if score >= self.medium_from {
            RiskLevel::Medium
        } else {
            RiskLevel::Low
        }
    }

    /// The policy's action for a level.
    pub fn action_for(&self, level: RiskLevel) -> Action {
        match level {
            RiskLevel::Low => self.low_action,
            RiskLevel::Medium => self.medium_action,
            RiskLevel::High => self.high_action,
        }
    }

    /// Combines findings into a decision.
    ///
    /// ```
    /// use amlscreen::{Action, Policy, RiskLevel};
    /// let d = Policy::default().decide("tx-1", Vec::new(), "v1");
    /// assert_eq!((d.risk, d.action, d.score), (RiskLevel::Low, Action::Allow, 0));
    /// ```
    pub fn decide(&self, transaction_id: &str, reasons: Vec<Finding>, version: &str) -> Decision {
        let score = reasons
            .iter()
            .fold(0u32, |sum, f| sum.saturating_add(f.points))
            .min(MAX_SCORE);
        let risk = reasons
            .iter()
            .filter_map(|f| f.level_floor)
            .fold(self.level_for(score), Ord::max);
        let action = reasons
            .iter()
            .filter_map(|f| f.action)
            .fold(self.action_for(risk), Ord::max);
        let mut d = Decision {
            transaction_id: transaction_id.to_owned(),
            risk,
            action,
            score,
            reasons,
            version: version.to_owned(),
            case: None,
            rescreen_of: None,
            report: None,
            summary: String::new(),
        };
        d.summary = d.compose_summary();
        d
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::FindingKind;

    fn finding(points: u32, floor: Option<RiskLevel>, action: Option<Action>) -> Finding {
        Finding {
            rule_id: "r".into(),
            kind: FindingKind::Rule,
            party: None,
            points,
            level_floor: floor,
            action,
            matched: None,
            message: String::new(),
        }
    }

    #[test]
    fn bands_floors_and_actions() {
        let p = Policy::default();
        let d = p.decide(
            "t",
            vec![finding(25, None, None), finding(20, None, None)],
            "v",
        );
        assert_eq!(
            (d.score, d.risk, d.action),
            (45, RiskLevel::Medium, Action::Allow)
        );
        let d = p.decide(
            "t",
            vec![finding(60, None, None), finding(60, None, None)],
            "v",
        );
        assert_eq!(
            (d.score, d.risk, d.action),
            (100, RiskLevel::High, Action::Hold)
        );
        let d = p.decide("t", vec![finding(0, Some(RiskLevel::High), None)], "v");
        assert_eq!((d.risk, d.action), (RiskLevel::High, Action::Hold));
        let d = p.decide("t", vec![finding(0, None, Some(Action::Block))], "v");
        assert_eq!((d.risk, d.action), (RiskLevel::Low, Action::Block));
        assert_eq!(p.level_for(39), RiskLevel::Low);
        assert_eq!(p.level_for(40), RiskLevel::Medium);
        assert_eq!(p.level_for(70), RiskLevel::High);
    }
}
