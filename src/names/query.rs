//! Preparing a query once per search: its words tokenised, each word's
//! fuzzy neighbours among the list words, and the per-query tables that
//! scoring a candidate reads.

use super::deletions::{DeletionDictionary, LookupScratch};
use super::id_table::IdTable;
use super::index::{word_weight, NameIndex};
use super::score::{osa_distance_within, AlignWord, QueryQualifiers, MAX_TOKENS};
use super::scripts::{abjad_key, SHORT_ABJAD_KEY};
use super::tokens::{
    tokenize_both, tokenize_query, NameToken, DIGITS, INITIAL, PARTICLE, PATRONYMIC, REPEATED,
};
use super::NameQuery;

/// A query word, prepared once per search.
#[derive(Debug, Clone)]
pub(super) struct QueryToken {
    pub(super) token: NameToken,
    pub(super) text_id: Option<u32>,
    /// The word's skeleton id when some list word has the same skeleton.
    pub(super) key_id: Option<u32>,
    pub(super) first: u8,
    /// Skeletons this word may pair with and the similarity, sorted by id.
    key_sims: Vec<(u32, f64)>,
    /// Folded words within the typo budget and the similarity, sorted by id.
    text_sims: Vec<(u32, f64)>,
    /// Skeletons whose postings hold every name this word can pair with.
    pub(super) posting_keys: Vec<u32>,
    pub(super) align: AlignWord,
    /// The best similarity this word can reach with any list word.
    pub(super) best_sim: f64,
}

/// A query, prepared once per search.
#[derive(Debug, Clone)]
pub(super) struct PreparedQuery {
    pub(super) tokens: Vec<QueryToken>,
    /// `tokens[i].align`, contiguous, as the aligner takes it.
    pub(super) align: Vec<AlignWord>,
    pub(super) qualifiers: QueryQualifiers,
    /// Every skeleton in some query word's postings → its row in `key_rows`.
    pub(super) key_table: IdTable,
    /// Per skeleton row: which query words reach it (bit `i` for word `i`)
    /// and each word's similarity with it (`tokens.len()` values).
    pub(super) key_masks: Vec<u32>,
    pub(super) key_rows: Vec<f64>,
    /// Every folded word some query word is near → its row in `text_rows`.
    pub(super) text_table: IdTable,
    pub(super) text_rows: Vec<f64>,
    /// Per folded-word row: which query words have a similarity with it.
    pub(super) text_masks: Vec<u32>,
    /// The query's initials and lone particles (bit `i` for word `i`): they
    /// pair by first letter or prefix, outside the tables.
    pub(super) special_mask: u32,
    /// The query's patronymics (bit `i` for word `i`).
    pub(super) patronymics: u32,
    /// The least each word can cost when it finds no partner in a person's
    /// name: its miss cost, or, not at either end of the query, the
    /// dropped-middle-word share ([`super::MatchConfig::query_middle_name_cost`]).
    /// In an organisation's name it is the miss cost.
    pub(super) person_miss_floors: Vec<f64>,
}

impl NameIndex {
    /// The one query word that may take the extra edit of a word in no list
    /// name ([`super::MatchConfig::unknown_word_extra_edit_min_len`]), if any: the
    /// rest of the name must match well for a second typo in a short word
    /// to be believable, so only a query of two or more words of which this
    /// one alone is in no list name (neither as written nor by skeleton)
    /// qualifies. A query of several unknown words (a customer who is not
    /// listed: most queries) never pays for the wider search.
    ///
    /// `ids` are each word's text and skeleton ids, if the lists have them.
    fn widened_word(toks: &[NameToken], ids: &[(Option<u32>, Option<u32>)]) -> Option<usize> {
        let mut words = 0;
        let mut unknown = None;
        for (i, (t, &(text_id, key_id))) in toks.iter().zip(ids).enumerate() {
            if t.flags & (INITIAL | DIGITS) != 0 {
                continue;
            }
            words += 1;
            if text_id.is_none() && key_id.is_none() {
                if unknown.is_some() {
                    return None;
                }
                unknown = Some(i);
            }
        }
        unknown.filter(|_| words >= 2)
    }

    /// Adds to `text_sims` the list words that share a consonant key with
    /// `token` across scripts: every list word for a word romanised from
    /// Arabic or Hebrew, the list words romanised from them for any other
    /// word. Each at `score` unless it already pairs better.
    fn abjad_pairs(&self, token: &NameToken, score: f64, text_sims: &mut Vec<(u32, f64)>) {
        let map = if token.abjad {
            &self.abjad_all
        } else {
            &self.abjad_listed
        };
        if map.is_empty() {
            return;
        }
        let Some(key) = abjad_key(token.bare()) else {
            return;
        };
        let Some(ids) = map.get(key.as_str()) else {
            return;
        };
        let score = if key.len() <= SHORT_ABJAD_KEY {
            score * 0.95
        } else {
            score
        };
        for &t in ids {
            // a Latin query word's consonants agree with a list word
            // romanised from Arabic or Hebrew; their spellings must not be
            // further apart than half the longer one either (the customer
            // Moroz is not the listed مرادی, Maradi). A query word read
            // from those scripts itself needs no such check: the
            // consonants are all it says
            if !token.abjad {
                let (a, b) = (token.text.as_bytes(), self.texts[t as usize].as_bytes());
                let budget = a.len().max(b.len()) / 2;
                if osa_distance_within(a, b, budget).is_none() {
                    continue;
                }
            }
            match text_sims.iter_mut().find(|(id, _)| *id == t) {
                Some((_, s)) => *s = s.max(score),
                None => text_sims.push((t, score)),
            }
        }
    }

    /// The query's tokens, and those of its other reading if it has one
    /// ([`super::tokens::tokenize_both`]).
    pub(super) fn query_tokens(
        &self,
        query: &NameQuery<'_>,
        exhaustive: bool,
    ) -> (Vec<NameToken>, Option<Vec<NameToken>>) {
        // the exhaustive reference tokenises from scratch, so the tests that
        // compare it with the index also check the word memo
        if exhaustive {
            tokenize_both(query.name)
        } else {
            tokenize_query(query.name, |word| {
                let id = *self.text_ids.get(word)?;
                self.word_memo.get(id as usize)
            })
        }
    }

    pub(super) fn prepare(
        &self,
        query: &NameQuery<'_>,
        mut toks: Vec<NameToken>,
        exhaustive: bool,
    ) -> PreparedQuery {
        toks.truncate(MAX_TOKENS);
        let c = &self.config;
        let mut scratch = LookupScratch::default();
        let ids: Vec<(Option<u32>, Option<u32>)> = toks
            .iter()
            .map(|t| {
                (
                    self.text_ids.get(t.text.as_str()).copied(),
                    self.key_ids.get(t.key.as_str()).copied(),
                )
            })
            .collect();
        let widened = Self::widened_word(&toks, &ids);
        let tokens = toks
            .into_iter()
            .zip(ids)
            .enumerate()
            .map(|(i, (token, (text_id, exact_key)))| {
                let widen = widened == Some(i);
                let mut key_sims: Vec<(u32, f64)> = Vec::new();
                let mut text_sims: Vec<(u32, f64)> = Vec::new();
                let mut posting_keys: Vec<u32> = Vec::new();
                if let Some(t) = text_id {
                    posting_keys.extend(&self.text_keys[t as usize]);
                }
                let fuzzy_allowed = token.flags & (DIGITS | INITIAL) == 0;
                if fuzzy_allowed {
                    // a skeleton of one letter ("aaaa", "Yaya" and "AA" all
                    // skeletonise to "a") says nothing: such words pair by
                    // their folded text only
                    if let Some(k) = exact_key.filter(|_| token.key.len() >= 2) {
                        key_sims.push((k, c.key_equal_score));
                    }
                    self.cached_neighbours(
                        token.key.as_bytes(),
                        (
                            &self.key_arena,
                            &self.deletions,
                            &DeletionDictionary::default(),
                        ),
                        &self.key_neighbours,
                        exact_key,
                        false,
                        exhaustive,
                        &mut scratch,
                        &mut key_sims,
                    );
                    key_sims.sort_unstable_by_key(|&(k, _)| k);
                    posting_keys.extend(key_sims.iter().map(|&(k, _)| k));
                    self.cached_neighbours(
                        token.text.as_bytes(),
                        (
                            &self.text_arena,
                            &self.text_deletions,
                            &self.widened_text_deletions,
                        ),
                        &self.text_neighbours,
                        text_id,
                        widen,
                        exhaustive,
                        &mut scratch,
                        &mut text_sims,
                    );
                    self.abjad_pairs(&token, c.script_key_score, &mut text_sims);
                    for &(t, _) in &text_sims {
                        posting_keys.extend(&self.text_keys[t as usize]);
                    }
                    text_sims.sort_unstable_by_key(|&(t, _)| t);
                } else if let Some(k) = exact_key {
                    posting_keys.push(k);
                }
                posting_keys.sort_unstable();
                posting_keys.dedup();
                let base_weight = match exact_key {
                    Some(k) => self.key_weight[k as usize],
                    None => key_sims
                        .iter()
                        .max_by(|a, b| a.1.total_cmp(&b.1))
                        .map(|&(k, _)| k)
                        .or_else(|| {
                            text_sims
                                .iter()
                                .max_by(|a, b| a.1.total_cmp(&b.1))
                                .and_then(|&(t, _)| self.text_keys[t as usize].first().copied())
                        })
                        .map_or(1.0, |k| self.key_weight[k as usize]),
                };
                let weight = word_weight(token.flags, base_weight, c);
                let cost = if token.flags & REPEATED != 0 {
                    c.repeated_word_cost
                } else if token.flags & PATRONYMIC != 0 {
                    c.patronymic_cost
                } else if token.flags & INITIAL != 0 {
                    c.unmatched_initial_cost
                } else {
                    c.unmatched_query_cost
                };
                let best_sim = if text_id.is_some() || token.flags & (INITIAL | PARTICLE) != 0 {
                    1.0
                } else {
                    key_sims
                        .iter()
                        .chain(&text_sims)
                        .map(|&(_, s)| s)
                        .fold(0.0, f64::max)
                        .max(c.initial_score)
                };
                QueryToken {
                    first: token.text.as_bytes().first().copied().unwrap_or(0),
                    token,
                    text_id,
                    key_id: exact_key,
                    key_sims,
                    text_sims,
                    posting_keys,
                    align: AlignWord {
                        weight,
                        miss_cost: weight * cost,
                    },
                    best_sim,
                }
            })
            .collect::<Vec<QueryToken>>();
        // Per-query lookup tables: skeleton → (which words reach it, each
        // word's similarity), folded word → each word's similarity.
        let nq = tokens.len();
        // sized for the most rows there can be: growing them step by step
        // (reallocating and copying) cost more than filling them
        let max_key_rows = tokens.iter().map(|t| t.posting_keys.len()).sum();
        let mut key_table = IdTable::with_capacity(max_key_rows);
        let mut key_masks: Vec<u32> = Vec::with_capacity(max_key_rows);
        let mut key_rows: Vec<f64> = Vec::with_capacity(max_key_rows * nq);
        for (i, t) in tokens.iter().enumerate() {
            for &k in &t.posting_keys {
                let (row, new) = key_table.row_or_insert(k);
                if new {
                    key_masks.push(0);
                    key_rows.resize(key_rows.len() + nq, 0.0);
                }
                key_masks[row as usize] |= 1 << i;
            }
            for &(k, sim) in &t.key_sims {
                // every key of `key_sims` is among the word's posting keys
                if let Some(row) = key_table.get(k) {
                    key_rows[row as usize * nq + i] = sim;
                }
            }
        }
        let max_text_rows = tokens.iter().map(|t| t.text_sims.len()).sum();
        let mut text_table = IdTable::with_capacity(max_text_rows);
        let mut text_rows: Vec<f64> = Vec::with_capacity(max_text_rows * nq);
        let mut text_masks: Vec<u32> = Vec::with_capacity(max_text_rows);
        for (i, t) in tokens.iter().enumerate() {
            for &(w, sim) in &t.text_sims {
                let (row, new) = text_table.row_or_insert(w);
                if new {
                    text_rows.resize(text_rows.len() + nq, 0.0);
                    text_masks.push(0);
                }
                text_rows[row as usize * nq + i] = sim;
                text_masks[row as usize] |= 1 << i;
            }
        }
        let special_mask = tokens
            .iter()
            .enumerate()
            .filter(|(_, t)| t.token.flags & (INITIAL | PARTICLE) != 0)
            .fold(0u32, |m, (i, _)| m | 1 << i);
        let patronymics = tokens
            .iter()
            .enumerate()
            .filter(|(_, t)| t.token.flags & PATRONYMIC != 0)
            .fold(0u32, |m, (i, _)| m | 1 << i);
        let n = tokens.len();
        let person_miss_floors = tokens
            .iter()
            .enumerate()
            .map(|(i, t)| {
                let a = &t.align;
                if i > 0 && i + 1 < n {
                    a.miss_cost
                        .min(a.weight * self.config.query_middle_name_cost)
                } else {
                    a.miss_cost
                }
            })
            .collect();
        PreparedQuery {
            align: tokens.iter().map(|t| t.align).collect(),
            tokens,
            person_miss_floors,
            qualifiers: QueryQualifiers::new(query.birth_date, query.country, query.kind),
            key_table,
            key_masks,
            key_rows,
            text_table,
            text_rows,
            text_masks,
            special_mask,
            patronymics,
        }
    }
}
