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
//!
//! Where an oblast is split between occupied and government-controlled
//! territory, a region code says too little (`UA-14` holds both occupied
//! Donetsk and free Kramatorsk). `settlement_lists` name occupied towns:
//! a party's `address` whose `city` is one, or whose `line` names one, is
//! in the list; with `memo: true` the memo is searched for them too (a
//! weaker signal: give such a rule fewer points).
//!
//! ```yaml
//! - id: jurisdiction-occupied-in-memo
//!   kind: jurisdiction
//!   description: The memo names a temporarily occupied town
//!   settlement_lists: [data/occupied_settlements.txt]  # `UA-14 | Донецьк | Донецк | Donetsk`
//!   parties: false
//!   channel: false
//!   memo: true
//!   score: 40
//! ```
//!
//! `unless_city: true` skips an address's region when the address names
//! its city: for a rule about split oblasts, the city decides.

use std::borrow::Cow;
use std::collections::HashMap;

use super::data_file::{DataFile, DataFiles};
use super::fields::Fields;
use super::rule::{Fired, RuleContext};
use crate::countries::{country_code, COUNTRY_EXPECTED};

/// The code a country field or rule entry is compared as (see the module
/// documentation); `None` when it reads as no country.
pub fn normalize_country(text: &str) -> Option<Cow<'static, str>> {
    country_code(text)
}

/// Occupied settlements by their folded spellings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Settlements {
    /// Folded spelling (words joined by spaces) → settlement.
    by_name: HashMap<String, Settlement>,
    /// The most words a spelling has.
    max_words: usize,
}

/// One occupied settlement.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Settlement {
    /// Its oblast's ISO 3166-2 code.
    region: String,
    /// Its first spelling, as the reason shows it.
    name: String,
    /// Where it was listed.
    list: String,
    /// Whether it may be matched in a memo (not an ordinary word).
    in_memo: bool,
}

impl Settlements {
    /// Reads a settlements file: `CODE[*] | spelling | spelling …` per line.
    fn read(&mut self, file: &DataFile, list: &str, errors: &mut Vec<super::RuleFileError>) {
        for entry in &file.entries {
            let mut parts = entry.value.split('|').map(str::trim);
            let code = parts.next().unwrap_or_default();
            let (code, in_memo) = match code.strip_suffix('*') {
                Some(c) => (c.trim(), false),
                None => (code, true),
            };
            let region = match normalize_country(code) {
                Some(c) if c.contains('-') => c.into_owned(),
                _ => {
                    errors.push(file.error_at(
                        entry,
                        format!("'{code}' is no ISO 3166-2 region code (write e.g. UA-14 | Донецьк | Donetsk)"),
                    ));
                    continue;
                }
            };
            let names: Vec<&str> = parts.filter(|p| !p.is_empty()).collect();
            if names.is_empty() {
                errors.push(file.error_at(entry, "no settlement name after the region code"));
                continue;
            }
            for name in &names {
                let words = crate::names::fold_words(name);
                if words.is_empty() {
                    errors.push(file.error_at(entry, format!("'{name}' has no letters")));
                    continue;
                }
                self.max_words = self.max_words.max(words.len());
                self.by_name.insert(
                    words.join(" "),
                    Settlement {
                        region: region.clone(),
                        name: names[0].to_owned(),
                        list: list.to_owned(),
                        in_memo,
                    },
                );
            }
        }
    }

    /// The settlement a city field names, when it names one: whole words
    /// anywhere in it ("м. Донецьк", "Donetsk city", "Донецьк, Донецька
    /// обл." all name Donetsk; "Донецька обл." alone names none).
    fn city(&self, city: &str) -> Option<&Settlement> {
        self.in_text(city, false).into_iter().next()
    }

    /// Every settlement a free text names (whole words), in text order.
    fn in_text(&self, text: &str, memo: bool) -> Vec<&Settlement> {
        let words = crate::names::fold_words(text);
        let mut found: Vec<&Settlement> = Vec::new();
        for start in 0..words.len() {
            for n in (1..=self.max_words.min(words.len() - start)).rev() {
                if let Some(s) = self.by_name.get(&words[start..start + n].join(" ")) {
                    if (!memo || s.in_memo) && !found.iter().any(|f| f.name == s.name) {
                        found.push(s);
                    }
                    break;
                }
            }
        }
        found
    }
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
    /// Occupied settlements, checked in party addresses.
    pub settlements: Settlements,
    /// Search the memo for the settlements too.
    pub memo: bool,
    /// Skip an address's region when the address names its city (the
    /// city then decides, against `settlement_lists`).
    pub unless_city: bool,
}

impl JurisdictionRule {
    /// Reads the rule's parameters and its country list files.
    pub fn compile(f: &mut Fields<'_>, data: &mut DataFiles) -> Option<JurisdictionRule> {
        let files = f.texts("country_lists");
        let inline = f.texts("countries");
        let settlement_files = f.texts("settlement_lists");
        let parties = f.flag("parties", true);
        let channel = f.flag("channel", true);
        let memo = f.flag("memo", false);
        let unless_city = f.flag("unless_city", false);
        let mut settlements = Settlements::default();
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
        for (i, name) in settlement_files.iter().enumerate() {
            match data.read(&source_path, name) {
                Ok(file) => {
                    let mut errors = Vec::new();
                    settlements.read(&file, name, &mut errors);
                    for e in errors {
                        f.push(e);
                    }
                }
                Err(e) => {
                    let at = f.item_position("settlement_lists", i);
                    f.push(at.error(format!("'settlement_lists': {e}")));
                }
            }
        }
        if countries.is_empty() && settlements.by_name.is_empty() && !f.has_errors() {
            f.error("country_lists", "a jurisdiction rule needs 'country_lists' (files), 'countries' or 'settlement_lists' with at least one entry");
        }
        if memo && settlements.by_name.is_empty() && !f.has_errors() {
            f.error(
                "memo",
                "'memo: true' searches the memo for the 'settlement_lists': give one",
            );
        }
        if !parties && !channel && !memo {
            f.error(
                "parties",
                "'parties', 'channel' and 'memo' are all false: the rule would check nothing",
            );
        }
        Some(JurisdictionRule {
            countries,
            parties,
            channel,
            settlements,
            memo,
            unless_city,
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
            if self.unless_city && seen.settled {
                continue;
            }
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
        if !self.settlements.by_name.is_empty() {
            if self.parties {
                for (role, p) in ctx.tx.parties() {
                    let Some(a) = &p.address else { continue };
                    let region = a.region.as_deref().and_then(normalize_country);
                    if let Some(s) = a.city.as_deref().and_then(|c| self.settlements.city(c)) {
                        // a region that reads as another oblast's code says
                        // it is another town of that name
                        let allowed = match region.as_deref() {
                            None => true,
                            Some(r) => r == s.region,
                        };
                        if allowed {
                            hits.push(format!(
                                "{role} address city '{}' is {} ({}), temporarily occupied (listed in {})",
                                a.city.as_deref().unwrap_or_default(),
                                s.name,
                                s.region,
                                s.list
                            ));
                            party = party.or(Some(role));
                        }
                    }
                    if let Some(line) = a.line.as_deref() {
                        for s in self.settlements.in_text(line, false) {
                            hits.push(format!(
                                "{role} address '{line}' names {} ({}), temporarily occupied (listed in {})",
                                s.name, s.region, s.list
                            ));
                            party = party.or(Some(role));
                        }
                    }
                }
            }
            if self.memo {
                if let Some(memo) = ctx.tx.memo.as_deref() {
                    for s in self.settlements.in_text(memo, true) {
                        hits.push(format!(
                            "memo names {} ({}), temporarily occupied (listed in {})",
                            s.name, s.region, s.list
                        ));
                    }
                }
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
            settlements: Settlements::default(),
            memo: false,
            unless_city: false,
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
