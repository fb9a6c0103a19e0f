//! `jurisdiction`: the countries of the parties and of the channel against
//! country lists (FATF call for action, FATF increased monitoring,
//! comprehensively sanctioned territories).
//!
//! ```yaml
//! - id: jurisdiction-fatf-call-for-action
//!   kind: jurisdiction
//!   description: Party or channel in a FATF "call for action" jurisdiction
//!   country_lists: [data/fatf_call_for_action.txt]  # files, one code or name a line
//!   countries: []       # more codes or names inline
//!   parties: true       # check every party's country
//!   channel: true       # check the channel's (IP geolocation) country
//!   level: high
//! ```
//!
//! Entries are ISO 3166 alpha-2 codes, ISO 3166-2 region codes (`UA-43`
//! Crimea), pseudo-codes (`DN`, `LN` as the NSDC register writes them) or
//! region names (`Crimea`); comparison ignores case and repeated spaces.

use std::collections::HashMap;

use super::data_file::DataFiles;
use super::fields::Fields;
use super::rule::{Fired, RuleContext};

/// A country code or name as compared: upper-case, single spaces.
pub fn normalize_country(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_uppercase()
}

/// A compiled jurisdiction rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JurisdictionRule {
    /// Normalised entry → where it was listed (file name or `countries`).
    pub countries: HashMap<String, String>,
    /// Check party countries.
    pub parties: bool,
    /// Check the channel country.
    pub channel: bool,
}

impl JurisdictionRule {
    /// Reads the rule's parameters and its country list files.
    pub fn compile(f: &mut Fields<'_>, data: &mut DataFiles) -> Option<JurisdictionRule> {
        let files = f.texts("country_lists");
        let inline = f.texts("countries");
        let parties = f.flag("parties", true);
        let channel = f.flag("channel", true);
        let mut countries = HashMap::new();
        for c in &inline {
            countries.insert(normalize_country(c), "the rule's 'countries'".to_owned());
        }
        let source_path = f.source().path.clone();
        for (i, name) in files.iter().enumerate() {
            match data.read(&source_path, name) {
                Ok(file) => {
                    for entry in &file.entries {
                        countries
                            .entry(normalize_country(&entry.value))
                            .or_insert_with(|| name.clone());
                    }
                }
                Err(e) => {
                    let at = f.item_position("country_lists", i);
                    f.push(at.error(format!("'country_lists': {e}")));
                }
            }
        }
        if countries.is_empty() && !f.has_errors() {
            f.error("country_lists", "a jurisdiction rule needs 'country_lists' (files) or 'countries' with at least one entry");
        }
        if !parties && !channel {
            f.error(
                "parties",
                "'parties' and 'channel' are both false: the rule would check nothing",
            );
        }
        Some(JurisdictionRule {
            countries,
            parties,
            channel,
        })
    }

    /// Where a country was listed, if it was. Codes already in normal form
    /// (upper-case ASCII, no spaces, like `IR`) are looked up as they are;
    /// only other spellings pay for [`normalize_country`]'s allocations.
    fn listed_in(&self, country: &str) -> Option<&String> {
        let normal = !country.is_empty()
            && country
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
        if normal {
            self.countries.get(country)
        } else {
            self.countries.get(&normalize_country(country))
        }
    }

    /// Fires when any checked country is listed; the reason names each.
    pub fn evaluate(&self, ctx: &RuleContext<'_>) -> Option<Fired> {
        let tx = ctx.tx;
        let mut hits = Vec::new();
        let mut party = None;
        if self.parties {
            for (role, p) in tx.parties() {
                if let Some(c) = p.country.as_deref() {
                    if let Some(list) = self.listed_in(c) {
                        hits.push(format!("{role} country {c} (listed in {list})"));
                        party = party.or(Some(role));
                    }
                }
            }
        }
        if self.channel {
            if let Some(c) = tx.channel.as_ref().and_then(|ch| ch.country.as_deref()) {
                if let Some(list) = self.listed_in(c) {
                    hits.push(format!("channel country {c} (listed in {list})"));
                }
            }
        }
        (!hits.is_empty()).then(|| Fired {
            party,
            detail: hits.join("; "),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fast_lookup_agrees_with_normalising() {
        let rule = JurisdictionRule {
            countries: [("IR", "a"), ("KP", "b"), ("NORTH KOREA", "c")]
                .into_iter()
                .map(|(k, v)| (normalize_country(k), v.to_owned()))
                .collect(),
            parties: true,
            channel: true,
        };
        for c in [
            "IR",
            "ir",
            " IR ",
            "Ir",
            "KP",
            "DE",
            "",
            "North  Korea",
            "NORTH KOREA",
            "\tkp",
            "İR",
            "I R",
        ] {
            assert_eq!(
                rule.listed_in(c),
                rule.countries.get(&normalize_country(c)),
                "{c:?}"
            );
        }
    }
}
