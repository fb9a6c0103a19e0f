//! The policy file: the reference currency, the score bands and what each
//! risk level does.
//!
//! ```yaml
//! policy:
//!   reference_currency: USD
//!   bands:                       # cover 0–100 with no gap and no overlap
//!     - {level: low,    from: 0,  to: 39,  action: allow}
//!     - {level: medium, from: 40, to: 69,  action: allow}   # reasons kept for monitoring
//!     - {level: high,   from: 70, to: 100, action: hold}
//!   name_hits:                   # optional; these are the defaults
//!     name_only: {action: hold, reason: "name only: held for review"}
//!     corroborated: {action: block, reason: "name + {evidence}: blocked"}
//!     person_corroboration: [birth_date, identifier, wallet]
//!     organization_corroboration: [country, identifier, wallet]
//! ```

use crate::source::{Node, Value};

use super::fields::{type_name, Fields};
use super::money::{check_code, read_rate, Units};
use super::rule::{ACTIONS, LEVELS};
use super::source::{RuleFileError, SourceText};
use crate::decision::{Evidence, NameHitPolicy, Policy, Rates, MAX_SCORE};
use crate::model::{Action, RiskLevel};

struct Band<'a> {
    level: RiskLevel,
    from: u32,
    to: u32,
    action: Action,
    node: &'a Node,
}

/// Parses and validates the `policy` mapping of a rule file.
pub fn parse_policy(source: &SourceText, value: &Node) -> Result<Policy, Vec<RuleFileError>> {
    let mut f = Fields::new(source, value).map_err(|e| vec![e])?;
    let currency = f
        .required_text("reference_currency")
        .map(|c| c.trim().to_uppercase());
    if let Some(Err(e)) = currency.as_deref().map(check_code) {
        f.error("reference_currency", format!("'reference_currency': {e}"));
    }
    let rates = match f.raw("rates") {
        None => Rates::default(),
        Some(node) => parse_rates(source, node, currency.as_deref().unwrap_or_default())
            .unwrap_or_else(|errors| {
                for e in errors {
                    f.push(e);
                }
                Rates::default()
            }),
    };
    let units = Units {
        reference: currency.clone().unwrap_or_default(),
        rates: rates.clone(),
    };
    let report_threshold = match f.raw("report") {
        None => None,
        Some(node) => match Fields::new(source, node) {
            Ok(mut g) => {
                let t = g.required_amount(
                    "threshold",
                    &units,
                    "the value at or over which an operation is reported (e.g. \"400000 UAH\")",
                );
                for e in g.finish() {
                    f.push(e);
                }
                t
            }
            Err(e) => {
                f.push(e);
                None
            }
        },
    };
    let mut bands = Vec::new();
    match f.raw("bands") {
        None => f.error(
            "bands",
            "missing 'bands': list the low, medium and high bands covering 0–100",
        ),
        Some(Node {
            value: Value::Seq(items),
            ..
        }) => {
            for item in items {
                let mut b = match Fields::new(source, item) {
                    Ok(b) => b,
                    Err(e) => {
                        f.push(e);
                        continue;
                    }
                };
                let level = b.opt_choice("level", LEVELS);
                if !b.present("level") {
                    b.error("level", "missing 'level' (valid: low, medium, high)");
                }
                let from = b.opt_count("from", 0, MAX_SCORE);
                let to = b.opt_count("to", 0, MAX_SCORE);
                for key in ["from", "to"] {
                    if !b.present(key) {
                        b.error(key, format!("missing '{key}' (a score 0–{MAX_SCORE})"));
                    }
                }
                let action = b.opt_choice("action", ACTIONS);
                if !b.present("action") {
                    b.error("action", "missing 'action' (valid: allow, hold, block)");
                }
                for e in b.finish() {
                    f.push(e);
                }
                if let (Some(level), Some(from), Some(to), Some(action)) = (level, from, to, action)
                {
                    bands.push(Band {
                        level,
                        from,
                        to,
                        action,
                        node: item,
                    });
                }
            }
        }
        Some(other) => f.error(
            "bands",
            format!("'bands' must be a list, found {}", type_name(other)),
        ),
    }
    let name_hits = match f.raw("name_hits") {
        None => NameHitPolicy::default(),
        Some(node) => match parse_name_hits(source, node) {
            Ok(p) => p,
            Err(errors) => {
                for e in errors {
                    f.push(e);
                }
                NameHitPolicy::default()
            }
        },
    };
    let band_errors_before = f.has_errors();
    let mut errors = f.finish();
    if band_errors_before || !errors.is_empty() {
        return Err(errors);
    }
    let at = |band: &Node, key: &str| source.at(band.get(key).unwrap_or(band));
    let bands_at = source.at(value.get("bands").unwrap_or(value));
    bands.sort_by_key(|b| (b.from, b.to));
    let mut expected_from = 0u32;
    for (i, b) in bands.iter().enumerate() {
        if b.from > b.to {
            errors.push(at(b.node, "to").error(format!(
                "band '{}' runs from {} to {}: 'to' must not be below 'from'",
                level_name(b.level),
                b.from,
                b.to
            )));
            continue;
        }
        if b.from > expected_from {
            errors.push(at(b.node, "from").error(format!(
                "gap in score bands: no band covers {}–{} (the '{}' band starts at {}; bands must cover 0–{MAX_SCORE} without gaps or overlaps)",
                expected_from,
                b.from - 1,
                level_name(b.level),
                b.from
            )));
        } else if b.from < expected_from && i > 0 {
            errors.push(at(b.node, "from").error(format!(
                "score bands overlap: '{}' starts at {} but {} is already covered (the next band must start at {expected_from})",
                level_name(b.level),
                b.from,
                b.from
            )));
        }
        expected_from = expected_from.max(b.to + 1);
    }
    if errors.is_empty() && expected_from <= MAX_SCORE {
        let last = bands.last().map_or(bands_at, |b| at(b.node, "to"));
        errors.push(last.error(format!(
            "gap in score bands: no band covers {expected_from}–{MAX_SCORE} (bands must reach {MAX_SCORE})"
        )));
    }
    for pair in bands.windows(2) {
        if pair[0].level >= pair[1].level {
            errors.push(at(pair[1].node, "level").error(format!(
                "band levels must rise with the score (low, medium, high): '{}' follows '{}'",
                level_name(pair[1].level),
                level_name(pair[0].level)
            )));
        }
    }
    let find = |l: RiskLevel| bands.iter().find(|b| b.level == l);
    for (name, level) in LEVELS {
        if find(*level).is_none() && errors.is_empty() {
            errors.push(bands_at.error(format!(
                "no '{name}' band: give each of low, medium and high one band"
            )));
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let (Some(low), Some(medium), Some(high)) = (
        find(RiskLevel::Low),
        find(RiskLevel::Medium),
        find(RiskLevel::High),
    ) else {
        return Err(errors);
    };
    Ok(Policy {
        reference_currency: currency.unwrap_or_default(),
        medium_from: medium.from,
        high_from: high.from,
        low_action: low.action,
        medium_action: medium.action,
        high_action: high.action,
        name_hits,
        rates,
        report_threshold,
    })
}

/// What in a `policy` mapping loads but is probably a mistake: a `high`
/// band that allows (high-risk operations would pass without review).
pub fn warnings(source: &SourceText, value: &Node) -> Vec<RuleFileError> {
    let Some(bands) = value.get("bands").and_then(Node::as_seq) else {
        return Vec::new();
    };
    bands
        .iter()
        .filter(|b| {
            b.get("level").and_then(Node::as_str) == Some("high")
                && b.get("action").and_then(Node::as_str) == Some("allow")
        })
        .filter_map(|b| b.get("action"))
        .map(|at| {
            source.at(at).error(
                "the 'high' band's action is allow: high-risk operations would pass without review (the policy holds them: action hold)",
            )
        })
        .collect()
}

/// The reference currency and rates of a `policy` mapping that failed
/// validation elsewhere (a band, say), read leniently so that the rules'
/// amounts can still be checked without a cascade of "no rate" errors.
pub fn read_units(source: &SourceText, value: &Node) -> Option<Units> {
    let reference = value
        .get("reference_currency")
        .and_then(super::fields::scalar_text)?
        .trim()
        .to_uppercase();
    let rates = value
        .get("rates")
        .and_then(|r| parse_rates(source, r, &reference).ok())
        .unwrap_or_default();
    Some(Units { reference, rates })
}

/// The `rates:` section: `as_of` and `source` (both required: an undated
/// rate of unknown origin cannot be checked), then `CODE: rate`, units of
/// the reference currency per unit.
fn parse_rates(
    source: &SourceText,
    value: &Node,
    reference: &str,
) -> Result<Rates, Vec<RuleFileError>> {
    let Some(map) = value.as_map() else {
        return Err(vec![source.at(value).error(format!(
            "'rates' must be a mapping of currency codes to rates, found {}",
            type_name(value)
        ))]);
    };
    let mut rates = Rates::default();
    let mut errors = Vec::new();
    for (key, v) in map {
        let at = source.at(v);
        let Some(key) = key.as_str() else {
            errors.push(at.error("a 'rates' key must be a currency code, 'as_of' or 'source'"));
            continue;
        };
        let text = super::fields::scalar_text(v);
        match (key, text) {
            ("as_of", Some(t)) => match chrono::NaiveDate::parse_from_str(t.trim(), "%Y-%m-%d") {
                Ok(_) => rates.as_of = Some(t.trim().to_owned()),
                Err(_) => errors.push(at.error(format!("'as_of': '{t}' is not a date YYYY-MM-DD"))),
            },
            ("source", Some(t)) if !t.trim().is_empty() => rates.source = Some(t),
            (code, Some(t)) if code != "source" => {
                let code = code.trim().to_uppercase();
                if let Err(e) = check_code(&code) {
                    errors.push(at.error(format!("'rates': {e}")));
                } else if code == reference {
                    errors.push(at.error(format!(
                        "'rates': {code} is the reference currency; it needs no rate"
                    )));
                } else {
                    match read_rate(&t) {
                        Ok(r) => {
                            rates.per_unit.insert(code, r);
                        }
                        Err(e) => errors.push(at.error(format!("'rates': {code}: {e}"))),
                    }
                }
            }
            (key, _) => errors.push(at.error(format!(
                "'rates': '{key}' must be text (a date, a source, or a rate such as 1/41.4360)"
            ))),
        }
    }
    if !rates.per_unit.is_empty() {
        for (key, missing) in [
            ("as_of", rates.as_of.is_none()),
            ("source", rates.source.is_none()),
        ] {
            if missing {
                errors.push(source.at(value).error(format!(
                    "'rates' needs '{key}': say the date of the rates and where they come from"
                )));
            }
        }
    }
    if errors.is_empty() {
        Ok(rates)
    } else {
        Err(errors)
    }
}

/// The `name_hits:` section. A name hit can never `allow`: a listed name
/// that passes silently is what this engine exists to prevent.
fn parse_name_hits(source: &SourceText, value: &Node) -> Result<NameHitPolicy, Vec<RuleFileError>> {
    const HOLD_OR_BLOCK: &[(&str, Action)] = &[("hold", Action::Hold), ("block", Action::Block)];
    let mut f = Fields::new(source, value).map_err(|e| vec![e])?;
    let mut policy = NameHitPolicy::default();
    for (key, action, reason) in [
        (
            "name_only",
            &mut policy.name_only,
            &mut policy.name_only_reason,
        ),
        (
            "corroborated",
            &mut policy.corroborated,
            &mut policy.corroborated_reason,
        ),
    ] {
        let Some(node) = f.raw(key) else { continue };
        match Fields::new(source, node) {
            Ok(mut g) => {
                if let Some(a) = g.opt_choice("action", HOLD_OR_BLOCK) {
                    *action = a;
                }
                if let Some(r) = g.text("reason") {
                    if r.trim().is_empty() {
                        g.error("reason", "empty 'reason': say what the reviewer reads");
                    } else {
                        *reason = r;
                    }
                }
                for e in g.finish() {
                    f.push(e);
                }
            }
            Err(e) => f.push(e),
        }
    }
    for (key, list) in [
        ("person_corroboration", &mut policy.person_corroboration),
        (
            "organization_corroboration",
            &mut policy.organization_corroboration,
        ),
    ] {
        if !f.present(key) {
            continue;
        }
        let names = f.texts(key);
        let mut parsed = Vec::new();
        for name in &names {
            match Evidence::NAMES.iter().find(|(n, _)| n == name) {
                Some((_, e)) => parsed.push(*e),
                None => {
                    let valid: Vec<&str> = Evidence::NAMES.iter().map(|(n, _)| *n).collect();
                    let e = f
                        .key_position(key)
                        .error(format!(
                            "unknown evidence '{name}' in '{key}' (valid: {})",
                            valid.join(", ")
                        ))
                        .with_hint_for(name, valid.iter().copied());
                    f.push(e);
                }
            }
        }
        *list = parsed;
    }
    let errors = f.finish();
    if errors.is_empty() {
        Ok(policy)
    } else {
        Err(errors)
    }
}

fn level_name(l: RiskLevel) -> &'static str {
    LEVELS
        .iter()
        .find(|(_, v)| *v == l)
        .map(|(n, _)| *n)
        .unwrap_or("?")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Policy, Vec<RuleFileError>> {
        let source = SourceText::new("policy.yaml", text.to_owned());
        let policy = source.root().unwrap().get("policy").unwrap();
        parse_policy(&source, policy)
    }

    const HEAD: &str = "policy:\n  reference_currency: usd\n  bands:\n";

    #[test]
    fn default_bands_parse() {
        let p = parse(&format!(
            "{HEAD}    - {{level: low, from: 0, to: 39, action: allow}}\n    - {{level: medium, from: 40, to: 69, action: allow}}\n    - {{level: high, from: 70, to: 100, action: hold}}\n"
        ))
        .unwrap();
        assert_eq!(p, Policy::default());
    }

    #[test]
    fn gaps_overlaps_and_typos_are_positioned() {
        let e = parse(&format!(
            "{HEAD}    - {{level: low, from: 0, to: 39, action: allow}}\n    - {{level: medium, from: 45, to: 69, action: allow}}\n    - {{level: high, from: 70, to: 100, action: hold}}\n"
        ))
        .unwrap_err();
        assert_eq!(e.len(), 1);
        assert!(e[0].to_string().starts_with("policy.yaml:5:"), "{}", e[0]);
        assert!(e[0].message.contains("no band covers 40–44"), "{}", e[0]);

        let e = parse(&format!(
            "{HEAD}    - {{level: low, from: 0, to: 50, action: allow}}\n    - {{level: medium, from: 40, to: 69, action: allow}}\n    - {{level: high, from: 70, to: 100, action: hold}}\n"
        ))
        .unwrap_err();
        assert!(e[0].message.contains("overlap"), "{}", e[0]);

        let e = parse(&format!(
            "{HEAD}    - {{level: low, from: 0, to: 39, action: allow}}\n    - {{level: medium, from: 40, to: 69, action: alow}}\n    - {{level: high, from: 70, to: 90, action: hold}}\n"
        ))
        .unwrap_err();
        let text: Vec<String> = e.iter().map(ToString::to_string).collect();
        assert!(text[0].contains("did you mean 'allow'?"), "{text:?}");

        let e = parse(&format!(
            "{HEAD}    - {{level: low, from: 0, to: 100, action: allow, colour: red}}\n"
        ))
        .unwrap_err();
        assert!(e[0].message.contains("unknown key 'colour'"), "{}", e[0]);
    }
}
