//! Key risk indicators: the `kri:` section of a rule file (shipped as
//! `rules/kri.yaml`): green/yellow/red thresholds for the portfolio
//! indicators `amlscreen report kri` computes over the case store.
//!
//! ```yaml
//! kri:
//!   open_case_days: 5          # an open case older than this counts in old_open_cases
//!   indicators:                # lower is better: ≤ green is green, ≤ yellow yellow, above red
//!     alert_rate: {green: 0.05, yellow: 0.10}
//! ```

use super::fields::{type_name, Fields};
use super::source::{RuleFileError, SourceText};
use crate::source::Node;

/// Every indicator, with what it measures. Lower is better for each.
pub const KRI_INDICATORS: &[(&str, &str)] = &[
    (
        "alert_rate",
        "share of decisions that held or blocked (opened a case)",
    ),
    ("hold_rate", "share of decisions that held"),
    ("block_rate", "share of decisions that blocked"),
    (
        "false_positive_rate",
        "share of the cases closed in the period that were false positives",
    ),
    (
        "high_risk_share",
        "share of rated customers rated high risk (now)",
    ),
    (
        "old_open_cases",
        "cases still open at the period's end, opened more than open_case_days before it",
    ),
    (
        "median_resolution_hours",
        "median hours from a case's opening to its closing, cases closed in the period",
    ),
];

/// The thresholds of the indicators.
#[derive(Debug, Clone, PartialEq)]
pub struct KriThresholds {
    /// Age after which an open case counts as old.
    pub open_case_days: u32,
    /// (indicator, green at or under, yellow at or under), in
    /// [`KRI_INDICATORS`] order; an indicator without thresholds is
    /// reported without a colour.
    pub indicators: Vec<(&'static str, f64, f64)>,
}

impl KriThresholds {
    /// The thresholds of `indicator`, when given.
    pub fn of(&self, indicator: &str) -> Option<(f64, f64)> {
        self.indicators
            .iter()
            .find(|(i, ..)| *i == indicator)
            .map(|&(_, g, y)| (g, y))
    }
}

/// Parses and validates the `kri` mapping.
pub fn parse(source: &SourceText, value: &Node) -> Result<KriThresholds, Vec<RuleFileError>> {
    let mut f = Fields::new(source, value).map_err(|e| vec![e])?;
    let open_case_days = f.count("open_case_days", 5, 1, 3650);
    let mut indicators = Vec::new();
    match f.raw("indicators") {
        Some(node) => match node.as_map() {
            Some(map) => {
                for (k, v) in map {
                    let name = k.as_str().unwrap_or_default();
                    let Some(&(id, _)) = KRI_INDICATORS.iter().find(|(i, _)| *i == name) else {
                        let names: Vec<&str> = KRI_INDICATORS.iter().map(|(i, _)| *i).collect();
                        f.push(
                            source
                                .at(k)
                                .error(format!("unknown indicator '{name}'"))
                                .with_hint_for(name, names.iter().copied())
                                .with_note(format!("(indicators: {})", names.join(", "))),
                        );
                        continue;
                    };
                    match Fields::new(source, v) {
                        Ok(mut t) => {
                            let green = t.required_decimal("green", "green at or under this");
                            let yellow =
                                t.required_decimal("yellow", "yellow at or under this, red above");
                            if let (Some(g), Some(y)) = (green, yellow) {
                                if g > y {
                                    t.error(
                                        "yellow",
                                        format!("'yellow' ({y}) must be at or above 'green' ({g})"),
                                    );
                                } else {
                                    let as_f64 = |d: rust_decimal::Decimal| {
                                        d.to_string().parse::<f64>().unwrap_or(0.0)
                                    };
                                    indicators.push((id, as_f64(g), as_f64(y)));
                                }
                            }
                            for e in t.finish() {
                                f.push(e);
                            }
                        }
                        Err(e) => f.push(e),
                    }
                }
            }
            None => f.error(
                "indicators",
                format!(
                    "'indicators' must map indicator names to {{green, yellow}}, found {}",
                    type_name(node)
                ),
            ),
        },
        None => f.error(
            "indicators",
            "missing 'indicators' ({alert_rate: {green: 0.05, yellow: 0.10}, …})",
        ),
    }
    indicators.sort_by_key(|(id, ..)| KRI_INDICATORS.iter().position(|(i, _)| i == id));
    let errors = f.finish();
    if errors.is_empty() {
        Ok(KriThresholds {
            open_case_days,
            indicators,
        })
    } else {
        Err(errors)
    }
}
