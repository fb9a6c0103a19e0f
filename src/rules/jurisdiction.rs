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
//! Entries — in the files and inline — are read exactly as transaction
//! countries are, and compared as the codes both read as: ISO 3166-1
//! alpha-2 or alpha-3 codes in any case (`IR`, `IRN`), country names in
//! English, Ukrainian or Russian (`Iran`, `Іран`, `Иран` all read as `IR`),
//! ISO 3166-2 region codes (`UA-43` Crimea), pseudo-codes (`DN`, `LN` as the
//! NSDC register writes them) and the region names that stand for them
//! (`Crimea` reads as `UA-43`, `DNR` as `DN`). An entry that reads as no
//! country is an error at its position: a typo would otherwise list
//! nothing.

use std::borrow::Cow;
use std::collections::HashMap;

use super::data_file::DataFiles;
use super::fields::Fields;
use super::rule::{Fired, RuleContext};
use crate::countries::{country_code, COUNTRY_EXPECTED};

/// The code a country field or rule entry is compared as (see the module
/// documentation); `None` when it reads as no country.
pub fn normalize_country(text: &str) -> Option<Cow<'static, str>> {
    country_code(text)
}

/// A compiled jurisdiction rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JurisdictionRule {
    /// Country code (see [`normalize_country`]) → where it was listed
    /// (file name or `countries`).
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
        for (i, c) in inline.iter().enumerate() {
            match normalize_country(c) {
                Some(code) => {
                    countries.insert(code.into_owned(), "the rule's 'countries'".to_owned());
                }
                None => {
                    let at = f.item_position("countries", i);
                    f.push(at.error(format!(
                        "'countries': '{c}' is not a country — write {COUNTRY_EXPECTED}"
                    )));
                }
            }
        }
        let source_path = f.source().path.clone();
        for (i, name) in files.iter().enumerate() {
            match data.read(&source_path, name) {
                Ok(file) => {
                    for entry in &file.entries {
                        match normalize_country(&entry.value) {
                            Some(code) => {
                                countries
                                    .entry(code.into_owned())
                                    .or_insert_with(|| name.clone());
                            }
                            None => f.push(file.error_at(
                                entry,
                                format!(
                                    "'{}' is not a country — write {COUNTRY_EXPECTED}",
                                    entry.value
                                ),
                            )),
                        }
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

    /// The code a country reads as and where it was listed, if it was.
    /// Codes (`IR`, `irn`) are read without allocating; a country that
    /// reads as nothing was refused before the rules ran (see
    /// `engine::validate`) and matches nothing here.
    #[cfg(test)]
    fn listed_in(&self, country: &str) -> Option<(Cow<'static, str>, &String)> {
        let code = normalize_country(country)?;
        let list = self.countries.get(code.as_ref())?;
        Some((code, list))
    }

    /// Fires when any checked country is listed; the reason names each.
    /// The countries are read once per transaction for every rule.
    pub fn evaluate(&self, ctx: &RuleContext<'_>) -> Option<Fired> {
        let mut hits = Vec::new();
        let mut party = None;
        for seen in ctx.derived.countries(ctx.tx) {
            let wanted = match seen.role {
                Some(_) => self.parties,
                None => self.channel,
            };
            let Some(list) = self.countries.get(seen.code.as_ref()).filter(|_| wanted) else {
                continue;
            };
            match seen.role {
                Some(role) => {
                    hits.push(format!(
                        "{role} country {}(listed in {list})",
                        shown(seen.given, &seen.code)
                    ));
                    party = party.or(Some(role));
                }
                None => hits.push(format!(
                    "channel country {}(listed in {list})",
                    shown(seen.given, &seen.code)
                )),
            }
        }
        (!hits.is_empty()).then(|| Fired {
            party,
            detail: hits.join("; "),
        })
    }
}

/// A country as the reason shows it: as given, with the code it read as
/// when that differs (`Iran (IR) `), and a trailing space.
fn shown(given: &str, code: &str) -> String {
    if given == code {
        format!("{given} ")
    } else {
        format!("{given} ({code}) ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_spelling_reads_as_its_code() {
        let rule = JurisdictionRule {
            countries: [("IR", "a"), ("KP", "b"), ("UA-43", "c")]
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect(),
            parties: true,
            channel: true,
        };
        for (c, listed) in [
            ("IR", Some("a")),
            ("ir", Some("a")),
            (" IR ", Some("a")),
            ("IRN", Some("a")),
            ("Iran", Some("a")),
            ("Іран", Some("a")),
            ("Иран", Some("a")),
            ("KP", Some("b")),
            ("North  Korea", Some("b")),
            ("\tkp", Some("b")),
            ("Crimea", Some("c")),
            ("ua-43", Some("c")),
            ("DE", None),
            ("", None),
            ("İR", None),
            ("I R", None),
        ] {
            assert_eq!(rule.listed_in(c).map(|(_, l)| l.as_str()), listed, "{c:?}");
        }
    }
}
