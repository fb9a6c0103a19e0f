//! Name matching: normalise a party's name, find candidate list names in an
//! index, score them. Shared by list names (normalised once at load) and
//! queries (normalised once per call).
//!
//! This first version matches on exact normalised equality (case, accents,
//! punctuation and token order ignored); the fuzzy matcher replaces it
//! behind the same [`NameIndex`] interface.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization;

use crate::lists::{AliasStrength, Entity};
use crate::model::PartyKind;

/// Thresholds and tunables of the name matcher.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MatchConfig {
    /// A hit scoring at least this holds the transfer for review.
    pub review_threshold: f64,
    /// A hit scoring at least this blocks the transfer.
    pub block_threshold: f64,
}

impl Default for MatchConfig {
    fn default() -> Self {
        MatchConfig {
            review_threshold: 0.85,
            block_threshold: 0.92,
        }
    }
}

/// A name to screen, with optional qualifiers.
#[derive(Debug, Clone, Copy, Default)]
pub struct NameQuery<'a> {
    /// The name as given.
    pub name: &'a str,
    /// Person or organisation, when known.
    pub kind: Option<PartyKind>,
    /// Birth date `YYYY-MM-DD` or `YYYY`, when known.
    pub birth_date: Option<&'a str>,
    /// Country ISO 3166 alpha-2, when known.
    pub country: Option<&'a str>,
}

/// One list name that matched a query.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NameHit {
    /// Index of the entity in the slice the index was built from.
    pub entity: usize,
    /// Which of the entity's names matched: 0 is the primary name, `i + 1` alias `i`.
    pub name_index: usize,
    /// Score in [0, 1].
    pub score: f64,
    /// How the query aligned with the list name.
    pub explanation: String,
}

/// Folds free text for whole-word matching: compatibility forms unified,
/// lower case, accents removed, every run of non-alphanumerics one space,
/// no leading or trailing space. Used for names and for memo/platform text.
pub fn fold_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pending_space = false;
    for c in text
        .nfkd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .flat_map(char::to_lowercase)
    {
        if c.is_alphanumeric() {
            if pending_space && !out.is_empty() {
                out.push(' ');
            }
            pending_space = false;
            out.push(c);
        } else {
            pending_space = true;
        }
    }
    out
}

/// Normalises a name for comparison: [`fold_text`], tokens sorted.
pub fn normalize(name: &str) -> String {
    let folded = fold_text(name);
    let mut tokens: Vec<&str> = folded.split(' ').filter(|t| !t.is_empty()).collect();
    tokens.sort_unstable();
    tokens.join(" ")
}

/// Index over every name of every active entity.
#[derive(Debug, Clone, Default)]
pub struct NameIndex {
    config: MatchConfig,
    exact: HashMap<String, Vec<(usize, usize, AliasStrength)>>,
}

impl NameIndex {
    /// Builds the index; inactive (expired/excluded) entities are left out.
    pub fn build(entities: &[Entity], config: MatchConfig) -> NameIndex {
        let mut exact: HashMap<String, Vec<(usize, usize, AliasStrength)>> = HashMap::new();
        for (e, entity) in entities.iter().enumerate().filter(|(_, e)| e.is_active()) {
            for (n, (name, strength)) in entity.names().enumerate() {
                let key = normalize(name);
                if !key.is_empty() {
                    exact.entry(key).or_default().push((e, n, strength));
                }
            }
        }
        NameIndex { config, exact }
    }

    /// The matcher configuration.
    pub fn config(&self) -> &MatchConfig {
        &self.config
    }

    /// List names scoring at least `threshold`, best first, at most `limit`,
    /// one hit per entity.
    pub fn search(&self, query: &NameQuery<'_>, threshold: f64, limit: usize) -> Vec<NameHit> {
        let key = normalize(query.name);
        let mut hits: Vec<NameHit> = Vec::new();
        if threshold > 1.0 {
            return hits;
        }
        for &(entity, name_index, _) in self.exact.get(&key).map(Vec::as_slice).unwrap_or(&[]) {
            if hits.iter().any(|h| h.entity == entity) {
                continue;
            }
            hits.push(NameHit {
                entity,
                name_index,
                score: 1.0,
                explanation: format!("normalised names equal: '{key}'"),
            });
        }
        hits.truncate(limit);
        hits
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalisation_ignores_case_accents_punctuation_order() {
        assert_eq!(normalize("PETRENKO, Ivan"), normalize("ivan petrenko"));
        assert_eq!(normalize("José Müller"), "jose muller");
        assert_eq!(normalize("  "), "");
    }
}
