//! The name index: every list name tokenised once at build, an inverted
//! index from word skeletons to names, and a symmetric-deletion dictionary
//! over skeletons that finds every skeleton within the edit budget of a
//! query word without scanning the vocabulary.
//!
//! A search only scores names reached through the postings of its
//! "essential" words. Query words are set aside as non-essential, cheapest
//! first, while a name matched only by set-aside words provably cannot reach
//! the threshold (`S / (S + C)` with `S` the best those words can contribute
//! and `C` what the other words cost when unmatched). Common words
//! ("Mohammad", "LLC") are then never walked when a rarer word decides.
//! The result equals scoring every list name (tested).
//!
//! This file holds the index proper (its tables, building them, walking
//! the postings); the phases of a search live beside it:
//! [`super::vocabulary`] and [`super::deletions`] (the word dictionaries and
//! their fuzzy lookups), [`super::query`] (preparing a query),
//! [`super::bounds`] (which words and names can be skipped) and
//! [`super::ranking`] (scoring, ordering and explaining candidates).

use rustc_hash::FxHashMap;

use super::bounds::NameBound;
use super::deletions::DeletionDictionary;
use super::id_table::SeenNames;
use super::query::PreparedQuery;
use super::score::{max_qualifier_bonus, AlignWord, EntityQualifiers, MAX_TOKENS};
use super::scripts::abjad_key;
use super::tokens::{
    memo_word, tokenize_listed, MemoWord, NameToken, ASIDE, DIGITS, FILLER, INITIAL, LEGAL_FORM,
    PARTICLE, PATRONYMIC, REPEATED,
};
use super::vocabulary::{intern, NeighbourTable, WordArena, WordMap, PARALLEL_BUILD_MIN_WORDS};
use super::{MatchConfig, NameHit, NameQuery};
use crate::lists::{AliasStrength, Entity, EntityKind};

/// One word of one list name.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, Copy)]
pub(super) struct ListToken {
    pub(super) text: u32,
    pub(super) key: u32,
    pub(super) first: u8,
    pub(super) flags: u8,
    /// [`NameToken::origin`]: 0 unless romanised from another script.
    pub(super) origin: u32,
    pub(super) align: AlignWord,
}

/// One indexed list name.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, Copy)]
pub(super) struct NameEntry {
    pub(super) entity: u32,
    pub(super) name_index: u32,
    pub(super) start: u32,
    pub(super) len: u32,
    pub(super) weak: bool,
    /// The name's other reading ([`super::tokens::tokenize_both`]): the
    /// other reading of a query is not compared with it, since two Latin
    /// names that both read otherwise compare as written.
    pub(super) other_reading: bool,
    /// Whether one of its words is an initial (pairs outside the postings).
    pub(super) has_initial: bool,
    /// The smallest cost any of its words has when unmatched: bounds the
    /// list-side cost in [`NameIndex::upper_bound`].
    pub(super) min_miss: f64,
    /// The same when every query word pairs, so that a dropped middle word
    /// of a person's name costs only [`MatchConfig::middle_name_cost`].
    pub(super) min_miss_middle: f64,
}

/// Words a listed name may lack and still be found whole in a query, and
/// query words that do not count towards one: titles, legal forms, asides,
/// initials, lone particles, repeated words.
const CONTAINMENT_SKIPPED: u8 = FILLER | LEGAL_FORM | ASIDE | INITIAL | PARTICLE | REPEATED;

/// The skeleton by which a query word can hold a list word whole: none
/// for titles, legal forms, initials and the like, nor for a skeleton of
/// one letter, which says nothing ("Yoo", "Oh" and "O" all read "o").
fn containment_key(t: &super::query::QueryToken) -> Option<u32> {
    (t.token.flags & CONTAINMENT_SKIPPED == 0 && t.token.key.len() >= 2)
        .then_some(t.key_id)
        .flatten()
}

/// The least weight (word weights run from [`MatchConfig::min_token_weight`]
/// to 1) of the words of a listed name found whole in a query: two of the
/// commonest given names ("Mohammad Ali") found among other words say
/// little, a given name and a surname do.
pub(super) const CONTAINED_MIN_WEIGHT: f64 = 1.0;

/// The bit of an initial's first byte in `NameIndex::initial_letters`: one
/// per letter a–z, one shared by every other byte.
fn initial_letter_bit(first: u8) -> u32 {
    if first.is_ascii_lowercase() {
        1 << (first - b'a')
    } else {
        OTHER_INITIAL_BIT
    }
}

/// See [`initial_letter_bit`].
const OTHER_INITIAL_BIT: u32 = 1 << 26;

/// Index over every name of every active entity: build once, search from
/// many threads (`Send + Sync`, read-only).
///
/// ```
/// use amlscreen::lists::{Entity, EntityKind};
/// use amlscreen::names::{MatchConfig, NameIndex, NameQuery};
/// let entities = vec![Entity::new("x:1", "test", EntityKind::Person, "Vladimir Vladimirovich PUTIN")];
/// let index = NameIndex::build(&entities, MatchConfig::default());
/// let hits = index.search(&NameQuery { name: "Путин Владимир", ..Default::default() }, 0.8, 10);
/// assert_eq!(hits[0].entity, 0);
/// ```
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, Default)]
pub struct NameIndex {
    pub(super) config: MatchConfig,
    pub(super) texts: Vec<Box<str>>,
    pub(super) text_ids: WordMap,
    /// Per folded word (by text id), what tokenising it on its own yields:
    /// a query word met in the lists is tokenised from this.
    pub(super) word_memo: Vec<MemoWord>,
    pub(super) text_keys: Vec<Vec<u32>>,
    keys: Vec<Box<str>>,
    pub(super) key_ids: WordMap,
    pub(super) key_weight: Vec<f64>,
    pub(super) tokens: Vec<ListToken>,
    /// `tokens[i].align`, contiguous, so scoring a name copies nothing.
    pub(super) token_align: Vec<AlignWord>,
    /// `tokens[i].key`, contiguous: the bound of a long name reads its
    /// skeletons from one cache line instead of one 32-byte token each.
    pub(super) token_keys: Vec<u32>,
    pub(super) names: Vec<NameEntry>,
    /// Per name (same order as `names`), what bounding it reads.
    pub(super) bounds: Vec<NameBound>,
    posting_start: Vec<u32>,
    postings: Vec<u32>,
    /// Per skeleton, the names of its postings that hold an initial
    /// (`initial_posting_start[k]..[k + 1]` in `initial_postings`).
    initial_posting_start: Vec<u32>,
    initial_postings: Vec<u32>,
    /// Per entry of `initial_postings`, the first letters of that name's
    /// initials ([`initial_letter_bit`]), so the walk that wants an initial
    /// of one letter need not read the name's tokens (a cache miss each).
    initial_letters: Vec<u32>,
    pub(super) deletions: DeletionDictionary,
    pub(super) text_deletions: DeletionDictionary,
    /// The widened variants of short folded words, for the query word in
    /// no list name (see [`DeletionDictionary::over`]). Skeletons have none:
    /// a typo rarely survives the skeleton rewrites, and the folded words
    /// alone find the same names for half the cost.
    pub(super) widened_text_deletions: DeletionDictionary,
    /// `keys` and `texts` back to back, for the fuzzy lookups.
    pub(super) key_arena: WordArena,
    pub(super) text_arena: WordArena,
    /// Fuzzy neighbours of each skeleton (by key id). See [`NeighbourTable`].
    pub(super) key_neighbours: NeighbourTable,
    /// Fuzzy neighbours of each folded word (by text id), likewise.
    pub(super) text_neighbours: NeighbourTable,
    pub(super) entities: Vec<EntityQualifiers>,
    /// Consonant key ([`super::scripts::abjad_key`]) → the list words (text
    /// ids) that have it: a query word romanised from Arabic or Hebrew
    /// script pairs with these.
    pub(super) abjad_all: FxHashMap<Box<str>, Vec<u32>>,
    /// The same over the list words that were themselves romanised from
    /// Arabic or Hebrew script: a Latin query word pairs with these.
    pub(super) abjad_listed: FxHashMap<Box<str>, Vec<u32>>,
}

impl NameIndex {
    /// Builds the index; inactive (expired/excluded) entities are left out.
    pub fn build(entities: &[Entity], config: MatchConfig) -> NameIndex {
        let mut ix = NameIndex {
            config,
            entities: entities.iter().map(EntityQualifiers::of).collect(),
            ..NameIndex::default()
        };
        let mut raw_tokens: Vec<NameToken> = Vec::new();
        for (e, entity) in entities.iter().enumerate().filter(|(_, e)| e.is_active()) {
            for (n, (name, strength)) in entity.names().enumerate() {
                let (toks, other) = tokenize_listed(name);
                // a name with another reading is indexed under both
                for (other_reading, mut toks) in
                    std::iter::once((false, toks)).chain(other.map(|o| (true, o)))
                {
                    toks.truncate(MAX_TOKENS);
                    if toks.is_empty() {
                        continue;
                    }
                    let start = ix.tokens.len() as u32;
                    for t in &toks {
                        let text = intern(&mut ix.text_ids, &mut ix.texts, &t.text);
                        let key = intern(&mut ix.key_ids, &mut ix.keys, &t.key);
                        ix.tokens.push(ListToken {
                            text,
                            key,
                            first: t.text.as_bytes().first().copied().unwrap_or(0),
                            flags: t.flags,
                            origin: t.origin,
                            align: AlignWord::default(),
                        });
                    }
                    raw_tokens.extend(toks);
                    ix.names.push(NameEntry {
                        entity: e as u32,
                        name_index: n as u32,
                        start,
                        len: ix.tokens.len() as u32 - start,
                        weak: strength == AliasStrength::Weak,
                        other_reading,
                        has_initial: false,
                        min_miss: 0.0,
                        min_miss_middle: 0.0,
                    });
                }
            }
        }
        // consonant keys, each folded word once per map
        {
            let mut seen_all = vec![false; ix.texts.len()];
            let mut seen_listed = vec![false; ix.texts.len()];
            for (raw, t) in raw_tokens.iter().zip(&ix.tokens) {
                if raw.flags & (INITIAL | DIGITS) != 0 {
                    continue;
                }
                let id = t.text as usize;
                if seen_all[id] && (seen_listed[id] || !raw.abjad) {
                    continue;
                }
                let Some(key) = abjad_key(raw.bare()) else {
                    continue;
                };
                if !seen_all[id] {
                    seen_all[id] = true;
                    ix.abjad_all
                        .entry(key.clone().into_boxed_str())
                        .or_default()
                        .push(t.text);
                }
                if raw.abjad && !seen_listed[id] {
                    seen_listed[id] = true;
                    ix.abjad_listed
                        .entry(key.into_boxed_str())
                        .or_default()
                        .push(t.text);
                }
            }
        }
        ix.word_memo = {
            use rayon::prelude::*;
            if ix.texts.len() < PARALLEL_BUILD_MIN_WORDS {
                ix.texts.iter().map(|t| memo_word(t)).collect()
            } else {
                ix.texts.par_iter().map(|t| memo_word(t)).collect()
            }
        };
        // which skeletons each folded word appeared with
        ix.text_keys = vec![Vec::new(); ix.texts.len()];
        for t in &ix.tokens {
            let keys = &mut ix.text_keys[t.text as usize];
            if !keys.contains(&t.key) {
                keys.push(t.key);
            }
        }
        // postings and document frequencies
        let mut df = vec![0u32; ix.keys.len()];
        let mut per_key: Vec<Vec<u32>> = vec![Vec::new(); ix.keys.len()];
        for (id, name) in ix.names.iter().enumerate() {
            let toks = &ix.tokens[name.start as usize..(name.start + name.len) as usize];
            for (k, t) in toks.iter().enumerate() {
                if toks[..k].iter().any(|p| p.key == t.key) {
                    continue;
                }
                // a name's other reading is no new name: its words count
                // once per listed name, with the words of the name as
                // listed (indexed just before it)
                let counted = name.other_reading && id > 0 && {
                    let listed = &ix.names[id - 1];
                    ix.tokens[listed.start as usize..(listed.start + listed.len) as usize]
                        .iter()
                        .any(|p| p.key == t.key)
                };
                if !counted {
                    df[t.key as usize] += 1;
                }
                per_key[t.key as usize].push(id as u32);
            }
        }
        ix.posting_start = Vec::with_capacity(per_key.len() + 1);
        for list in per_key {
            ix.posting_start.push(ix.postings.len() as u32);
            ix.postings.extend(list);
        }
        ix.posting_start.push(ix.postings.len() as u32);
        // the same postings restricted to names holding an initial
        ix.initial_posting_start = Vec::with_capacity(ix.posting_start.len());
        for k in 0..ix.keys.len() {
            ix.initial_posting_start
                .push(ix.initial_postings.len() as u32);
            let (lo, hi) = (
                ix.posting_start[k] as usize,
                ix.posting_start[k + 1] as usize,
            );
            for &id in &ix.postings[lo..hi] {
                let name = &ix.names[id as usize];
                let toks = &ix.tokens[name.start as usize..(name.start + name.len) as usize];
                if toks.iter().any(|t| t.flags & INITIAL != 0) {
                    ix.initial_postings.push(id);
                    ix.initial_letters.push(
                        toks.iter()
                            .filter(|t| t.flags & INITIAL != 0)
                            .fold(0, |m, t| m | initial_letter_bit(t.first)),
                    );
                }
            }
        }
        ix.initial_posting_start
            .push(ix.initial_postings.len() as u32);
        let listed_names = ix.names.iter().filter(|n| !n.other_reading).count();
        let n = listed_names as f64;
        let trust_idf = listed_names >= ix.config.idf_min_names;
        ix.key_weight = df
            .iter()
            .map(|&d| {
                if trust_idf && d > 0 {
                    ((n / f64::from(d)).ln() / n.ln()).clamp(ix.config.min_token_weight, 1.0)
                } else {
                    1.0
                }
            })
            .collect();
        for t in &mut ix.tokens {
            let weight = word_weight(t.flags, ix.key_weight[t.key as usize], &ix.config);
            let cost = if t.flags & REPEATED != 0 {
                ix.config.repeated_word_cost
            } else if t.flags & PATRONYMIC != 0 {
                ix.config.patronymic_cost
            } else {
                ix.config.unmatched_list_cost
            };
            t.align = AlignWord {
                weight,
                miss_cost: weight * cost,
            };
        }
        ix.token_align = ix.tokens.iter().map(|t| t.align).collect();
        ix.token_keys = ix.tokens.iter().map(|t| t.key).collect();
        for id in 0..ix.names.len() {
            let name = ix.names[id];
            // a dropped middle word may cost less than its miss cost
            let middle_share = ix.middle_cost(&name);
            let toks = &ix.tokens[name.start as usize..(name.start + name.len) as usize];
            ix.names[id].has_initial = toks.iter().any(|t| t.flags & INITIAL != 0);
            ix.names[id].min_miss = toks
                .iter()
                .map(|t| t.align.miss_cost)
                .fold(f64::INFINITY, f64::min);
            ix.names[id].min_miss_middle = toks
                .iter()
                .map(|t| match middle_share {
                    Some(share) => t.align.miss_cost.min(t.align.weight * share.list),
                    None => t.align.miss_cost,
                })
                .fold(f64::INFINITY, f64::min);
        }
        ix.bounds = ix
            .names
            .iter()
            .map(|n| {
                let tokens = &ix.tokens[n.start as usize..(n.start + n.len) as usize];
                NameBound::of(n, tokens, ix.middle_cost(n).is_some())
            })
            .collect();
        // deletion dictionaries over the skeletons and, for typos the
        // skeleton rewrites would hide, over the folded words
        ix.deletions = DeletionDictionary::over(&ix.keys, &ix.config, false);
        ix.text_deletions = DeletionDictionary::over(&ix.texts, &ix.config, false);
        ix.widened_text_deletions = DeletionDictionary::over(&ix.texts, &ix.config, true);
        ix.key_arena = WordArena::of(&ix.keys);
        ix.text_arena = WordArena::of(&ix.texts);
        let no_widened = DeletionDictionary::default();
        ix.key_neighbours =
            NeighbourTable::compute(&ix, (&ix.key_arena, &ix.deletions, &no_widened));
        ix.text_neighbours = NeighbourTable::compute(
            &ix,
            (
                &ix.text_arena,
                &ix.text_deletions,
                &ix.widened_text_deletions,
            ),
        );
        ix
    }

    /// The matcher configuration.
    pub fn config(&self) -> &MatchConfig {
        &self.config
    }

    /// Number of indexed list names, each name's other reading
    /// (an Arabic compound split, an East Asian given name joined) counted
    /// as a name of its own.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// Whether no name is indexed.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// List names scoring at least `threshold` (and above 0), best first
    /// (ties by entity order), at most `limit`, one hit per entity.
    pub fn search(&self, query: &NameQuery<'_>, threshold: f64, limit: usize) -> Vec<NameHit> {
        let (tokens, other) = self.query_tokens(query, false);
        let hits = self.search_tokens(query, tokens, false, threshold, limit);
        match other {
            None => hits,
            Some(other) => merge_hits(
                hits,
                self.search_tokens(query, other, true, threshold, limit),
                limit,
            ),
        }
    }

    /// [`NameIndex::search`] for one reading of the query; the other
    /// reading (`other_reading`) only meets list names as they read.
    fn search_tokens(
        &self,
        query: &NameQuery<'_>,
        tokens: Vec<NameToken>,
        other_reading: bool,
        threshold: f64,
        limit: usize,
    ) -> Vec<NameHit> {
        let prepared = self.prepare(query, tokens, false);
        let mut candidates = self.candidates(&prepared, threshold);
        // a listed name found whole among extra words is scored whatever
        // the extra words cost (see `NameIndex::contains_whole`)
        let mut contained = self.names_contained_in(&prepared);
        candidates.extend_from_slice(&contained);
        if other_reading {
            candidates.retain(|&id| !self.names[id as usize].other_reading);
            contained.retain(|&id| !self.names[id as usize].other_reading);
        }
        self.rank(
            &prepared,
            candidates.into_iter(),
            Some(&contained),
            threshold,
            limit,
        )
    }

    /// The list names found whole in the query ([`NameIndex::contains_whole`]),
    /// sorted. Only asked of a query of three words or more, two of them
    /// list words: a two-word listed name in a two-word query is the query
    /// itself and scores as such. Every such name holds at least two of the
    /// query's words, so it is in the postings of every query word but
    /// (perhaps) the one with the longest postings, which is skipped.
    fn names_contained_in(&self, q: &PreparedQuery) -> Vec<u32> {
        if !self.may_contain_names(q) {
            return Vec::new();
        }
        let keys: Vec<u32> = q.tokens.iter().filter_map(containment_key).collect();
        let longest = keys
            .iter()
            .enumerate()
            .max_by_key(|&(_, &k)| self.posting(k).len())
            .map(|(i, _)| i);
        let mut out = Vec::new();
        for (i, &k) in keys.iter().enumerate() {
            if Some(i) == longest {
                continue;
            }
            for &id in self.posting(k) {
                if self.contains_whole(q, &self.names[id as usize]) {
                    out.push(id);
                }
            }
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    /// Whether a query may hold a list name whole among extra words: three
    /// words or more, two of them list words.
    fn may_contain_names(&self, q: &PreparedQuery) -> bool {
        q.tokens.len() >= 3 && q.tokens.iter().filter_map(containment_key).nth(1).is_some()
    }

    /// Whether the query holds every word of list name `name` — its
    /// skeleton equal to a query word's, in the list's order — whatever
    /// else the query adds ("Comrade Vladimir Putin", "Vladimir Putin
    /// Smith"): at least two words that weigh at least
    /// [`CONTAINED_MIN_WEIGHT`] together. Titles, legal forms, asides,
    /// initials, patronymics and repeated words of the list name may be
    /// missing.
    pub(super) fn contains_whole(&self, q: &PreparedQuery, name: &NameEntry) -> bool {
        if !self.may_contain_names(q)
            || self.entities[name.entity as usize].kind != EntityKind::Person
        {
            // an organisation's name inside a longer one is as often
            // another organisation ("Deutsche Bank Trust Company")
            return false;
        }
        let list = &self.tokens[name.start as usize..(name.start + name.len) as usize];
        // the words that say who is meant (repeated ones kept, as words
        // that may be missing), at most MAX_TOKENS
        const NOT_CORE: u8 = CONTAINMENT_SKIPPED & !REPEATED;
        let mut core = [0usize; super::score::MAX_TOKENS];
        let mut n = 0;
        for (j, l) in list.iter().enumerate().take(super::score::MAX_TOKENS) {
            if l.flags & NOT_CORE == 0 {
                core[n] = j;
                n += 1;
            }
        }
        if n < 2 {
            return false;
        }
        // a patronymic-shaped last word is a surname (Yanukovych,
        // Abramovich), not a patronymic
        let patronymic = |k: usize| list[core[k]].flags & PATRONYMIC != 0 && k + 1 < n;
        // a query patronymic that is no word of the list names another
        // father: then the list's patronymic may not be missing
        let other_father = q.tokens.iter().any(|t| {
            t.token.flags & PATRONYMIC != 0
                && !list.iter().any(|l| containment_key(t) == Some(l.key))
        });
        // the list's order, or its last word (a surname a comma put last)
        // first: "KIM, Jong Un" is written "Kim Jong Un"
        [false, true].iter().any(|&rotate| {
            let at = |k: usize| if rotate { (k + n - 1) % n } else { k };
            let mut next = 0usize;
            let mut names = 0usize;
            let mut weight = 0.0;
            let mut missing_middle = 0usize;
            // whether the word after the dropped middle name was found
            let mut joined = false;
            for k in 0..n {
                let c = at(k);
                let l = &list[core[c]];
                let middle = k > 0 && k + 1 < n;
                match q.tokens[next.min(q.tokens.len())..]
                    .iter()
                    .position(|t| containment_key(t) == Some(l.key))
                {
                    // a dropped middle name leaves no query word in its
                    // place: one there would be a middle name replaced
                    Some(p) if missing_middle == 1 && p > 0 && !joined => return false,
                    Some(p) => {
                        next += p + 1;
                        joined |= missing_middle == 1;
                        if !patronymic(c) && l.flags & REPEATED == 0 {
                            names += 1;
                            weight += l.align.weight;
                        }
                    }
                    // between the first and last words: a repeated word, a
                    // patronymic the query leaves out, or one middle name
                    None if middle && l.flags & REPEATED != 0 => {}
                    None if middle && patronymic(c) && !other_father => {}
                    None if middle && !patronymic(c) && missing_middle == 0 => {
                        missing_middle += 1;
                    }
                    None => return false,
                }
            }
            names >= 2 && weight >= CONTAINED_MIN_WEIGHT
        })
    }

    /// Like [`NameIndex::search`] but scores every list name and compares
    /// every skeleton: the reference the index is tested against. Slow.
    pub fn search_exhaustive(
        &self,
        query: &NameQuery<'_>,
        threshold: f64,
        limit: usize,
    ) -> Vec<NameHit> {
        let (tokens, other) = self.query_tokens(query, true);
        let all = |tokens, other_reading: bool| {
            let prepared = self.prepare(query, tokens, true);
            self.rank(
                &prepared,
                (0..self.names.len() as u32)
                    .filter(|&id| !(other_reading && self.names[id as usize].other_reading)),
                None,
                threshold,
                limit,
            )
        };
        let hits = all(tokens, false);
        match other {
            None => hits,
            Some(other) => merge_hits(hits, all(other, true), limit),
        }
    }

    /// Names reached by the postings of the query's essential words.
    fn candidates(&self, q: &PreparedQuery, threshold: f64) -> Vec<u32> {
        let bound_threshold = threshold - max_qualifier_bonus(&self.config);
        let set_aside = self.set_aside_words(q, bound_threshold);
        let (set_aside, essential): (Vec<usize>, Vec<usize>) =
            (0..q.tokens.len()).partition(|&i| set_aside & (1 << i) != 0);
        // A name that pairs an essential word only with a list initial still
        // needs a real word pair (initials alone never match): with an
        // essential word it is in that word's postings anyway, otherwise it
        // holds a skeleton of a set-aside word. Only those are taken from the
        // (broad) initial postings.
        let mut set_aside_keys: Vec<u32> = set_aside
            .iter()
            .flat_map(|&i| q.tokens[i].posting_keys.iter().copied())
            .collect();
        set_aside_keys.sort_unstable();
        set_aside_keys.dedup();
        // Each name once, in the order first met: a hash set sized by the
        // postings walked instead of sorting them (or clearing a bit per
        // list name). The order does not matter, `rank` orders the hits
        // completely.
        let walk: usize = essential
            .iter()
            .flat_map(|&i| &q.tokens[i].posting_keys)
            .map(|&k| self.posting(k).len())
            .sum::<usize>()
            + essential.len()
                * set_aside_keys
                    .iter()
                    .map(|&k| self.initial_posting(k).0.len())
                    .sum::<usize>();
        let mut seen = SeenNames::for_walk(walk, self.names.len());
        let mut out: Vec<u32> = Vec::with_capacity(walk);
        let mut add = |id: u32| {
            if seen.insert(id) {
                out.push(id);
            }
        };
        for &i in &essential {
            let t = &q.tokens[i];
            for &k in &t.posting_keys {
                self.posting(k).iter().for_each(|&id| add(id));
            }
            if t.token.text.len() > 1 && t.token.flags & DIGITS == 0 {
                // The names wanted hold a set-aside skeleton and an initial
                // of this word's first letter: walk the (short) postings of
                // the set-aside skeletons restricted to names with initials.
                let want = initial_letter_bit(t.first);
                for &k in &set_aside_keys {
                    let (ids, letters) = self.initial_posting(k);
                    for (&id, &letters) in ids.iter().zip(letters) {
                        // no initial of that letter: skip without reading
                        // the name; a-z bits are exact, the shared bit of
                        // other bytes needs the tokens
                        if letters & want == 0 {
                            continue;
                        }
                        if want == OTHER_INITIAL_BIT {
                            let name = &self.names[id as usize];
                            let toks =
                                &self.tokens[name.start as usize..(name.start + name.len) as usize];
                            if !toks
                                .iter()
                                .any(|lt| lt.flags & INITIAL != 0 && lt.first == t.first)
                            {
                                continue;
                            }
                        }
                        add(id);
                    }
                }
            }
        }
        out
    }

    /// The names holding skeleton `k`, by increasing id.
    pub(super) fn posting(&self, k: u32) -> &[u32] {
        let lo = self.posting_start[k as usize] as usize;
        let hi = self.posting_start[k as usize + 1] as usize;
        &self.postings[lo..hi]
    }

    /// The names holding skeleton `k` and an initial, by increasing id,
    /// with the letters of their initials.
    fn initial_posting(&self, k: u32) -> (&[u32], &[u32]) {
        let lo = self.initial_posting_start[k as usize] as usize;
        let hi = self.initial_posting_start[k as usize + 1] as usize;
        (
            &self.initial_postings[lo..hi],
            self.initial_letters.get(lo..hi).unwrap_or(&[]),
        )
    }
}

/// The weight of a word from its role and its frequency weight.
pub(super) fn word_weight(flags: u8, frequency_weight: f64, config: &MatchConfig) -> f64 {
    if flags & INITIAL != 0 {
        config.initial_weight
    } else if flags & LEGAL_FORM != 0 {
        config.legal_form_weight
    } else if flags & PARTICLE != 0 {
        config.particle_weight
    } else if flags & FILLER != 0 {
        config.filler_weight
    } else if flags & ASIDE != 0 {
        config.aside_weight
    } else if flags & DIGITS != 0 {
        1.0
    } else {
        frequency_weight
    }
}

/// The hits of two readings of one query, one per entity (the better),
/// best first, ties by entity order, at most `limit`.
fn merge_hits(mut a: Vec<NameHit>, b: Vec<NameHit>, limit: usize) -> Vec<NameHit> {
    for hit in b {
        match a.iter_mut().find(|h| h.entity == hit.entity) {
            Some(h) if h.score >= hit.score => {}
            Some(h) => *h = hit,
            None => a.push(hit),
        }
    }
    a.sort_by(|x, y| y.score.total_cmp(&x.score).then(x.entity.cmp(&y.entity)));
    a.truncate(limit);
    a
}

/// Scores name `b` (as a list name) against query `a`, with uniform word
/// weights (no list statistics): the `compare` command and the pair
/// evaluation. 0 when nothing aligns.
///
/// ```
/// use amlscreen::names::{compare, MatchConfig};
/// let c = MatchConfig::default();
/// assert!(compare("Jewgeni Prigoschin", "Yevgeniy PRIGOZHIN", None, &c) > 0.9);
/// assert!(compare("Angelo Cruz", "Angela Merkel", None, &c) < 0.5);
/// ```
pub fn compare(
    a: &str,
    b: &str,
    kind: Option<crate::model::PartyKind>,
    config: &MatchConfig,
) -> f64 {
    compare_hit(a, b, kind, config).map_or(0.0, |h| h.score)
}

/// [`compare`] with the alignment: the hit of `b` (as a list name) for
/// query `a`, or `None` when nothing aligns.
pub fn compare_hit(
    a: &str,
    b: &str,
    kind: Option<crate::model::PartyKind>,
    config: &MatchConfig,
) -> Option<NameHit> {
    let entity_kind = match kind {
        Some(crate::model::PartyKind::Person) => EntityKind::Person,
        Some(crate::model::PartyKind::Organization) => EntityKind::Organization,
        None => EntityKind::Unknown,
    };
    let entity = Entity::new("compare:b", "compare", entity_kind, b);
    let index = NameIndex::build(std::slice::from_ref(&entity), config.clone());
    let query = NameQuery {
        name: a,
        kind,
        ..NameQuery::default()
    };
    index
        .search(&query, f64::MIN_POSITIVE, 1)
        .into_iter()
        .next()
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::lists::{Alias, BirthDate};
    use crate::model::PartyKind;
    use crate::names::BirthDateEvidence;

    fn person(id: &str, name: &str) -> Entity {
        Entity::new(id, "test", EntityKind::Person, name)
    }

    fn org(id: &str, name: &str) -> Entity {
        Entity::new(id, "test", EntityKind::Organization, name)
    }

    fn fixture() -> Vec<Entity> {
        let mut putin = person("p:1", "Vladimir Vladimirovich PUTIN");
        putin.birth_dates.push(BirthDate::parse_iso("1952-10-07"));
        putin.countries.push("RU".into());
        let mut medvedev = person("p:2", "Dmitry Anatolyevich MEDVEDEV");
        medvedev.aliases.push(Alias {
            name: "Dima".into(),
            strength: AliasStrength::Weak,
        });
        medvedev.aliases.push(Alias {
            name: "Dmitri Medvedev".into(),
            strength: AliasStrength::Weak,
        });
        vec![
            putin,
            medvedev,
            person("p:3", "Yevgeniy Viktorovich PRIGOZHIN"),
            person("p:4", "Mikhail Borisovich KHODORKOVSKY"),
            person("p:5", "Usama bin Laden"),
            person("p:6", "Abdul Rahman Yasin"),
            org("o:1", "GARANTEX EUROPE OU"),
            org(
                "o:2",
                "Obshchestvo s ogranichennoi otvetstvennostyu Romashka",
            ),
            org("o:3", "Plant 42"),
            org("o:4", "al-Qaida"),
            person("p:7", "Oleksandr Viktorovych HRYHORENKO"),
        ]
    }

    pub(crate) fn index() -> NameIndex {
        NameIndex::build(&fixture(), MatchConfig::default())
    }

    fn score(ix: &NameIndex, name: &str, id: usize) -> f64 {
        let hits = ix.search(
            &NameQuery {
                name,
                ..Default::default()
            },
            0.01,
            20,
        );
        hits.iter()
            .find(|h| h.entity == id)
            .map_or(0.0, |h| h.score)
    }

    #[test]
    fn transliteration_standards_on_real_names() {
        let ix = index();
        let review = ix.config().review_threshold;
        for (q, id) in [
            ("Jewgeni Prigoschin", 2),               // German
            ("Evgenii Prigozhin", 2),                // ICAO 9303
            ("Evgenij Prigozhin", 2),                // GOST 7.79-B / scholarly
            ("Евгений Викторович Пригожин", 2),      // Cyrillic
            ("Michail Chodorkowski", 3),             // German
            ("Mikhail Khodorkovskiy", 3),            // BGN/PCGN
            ("Mikhaïl Khodorkovski", 3),             // French
            ("Aleksandr Grigorenko", 10),            // Russian form of a Ukrainian name
            ("Олександр Вікторович Григоренко", 10), // Ukrainian Cyrillic
            ("Dmitrii Medvedev", 1),                 // ICAO
        ] {
            assert!(score(&ix, q, id) >= review, "{q}: {}", score(&ix, q, id));
        }
    }

    #[test]
    fn initials_reordering_and_missing_patronymic() {
        let ix = index();
        let review = ix.config().review_threshold;
        for q in [
            "V. Putin",
            "PUTIN, Vladimir",
            "Putin Vladimir Vladimirovich",
            "Vladimir Putin",
        ] {
            assert!(score(&ix, q, 0) >= review, "{q}: {}", score(&ix, q, 0));
        }
        // an initial alone never matches, a wrong initial does not help
        assert_eq!(score(&ix, "V. V.", 0), 0.0);
        assert!(score(&ix, "K. Putin", 0) < score(&ix, "V. Putin", 0));
    }

    #[test]
    fn particles_and_compounds() {
        let ix = index();
        let review = ix.config().review_threshold;
        assert!(score(&ix, "Osama bin Ladin", 4) >= review);
        assert!(score(&ix, "Abdulrahman Yasin", 5) >= review);
        assert!(score(&ix, "Al Qaida", 9) >= review);
        assert!(score(&ix, "Alqaida", 9) >= review);
    }

    #[test]
    fn legal_forms_weigh_little_and_digits_must_match() {
        let ix = index();
        let review = ix.config().review_threshold;
        assert!(score(&ix, "Garantex Europe OÜ", 6) >= review);
        assert!(score(&ix, "Garantex Europe LLC", 6) >= review);
        assert!(
            score(&ix, "ООО Ромашка", 7) >= review,
            "{}",
            score(&ix, "ООО Ромашка", 7)
        );
        assert!(score(&ix, "Plant 42", 8) >= review);
        assert!(score(&ix, "Plant 43", 8) < review);
    }

    #[test]
    fn a_contradicting_birth_date_is_no_hit_even_for_an_exact_name() {
        let ix = index();
        let q = |birth_date, country| NameQuery {
            name: "Vladimir Vladimirovich Putin",
            kind: Some(PartyKind::Person),
            birth_date,
            country,
        };
        let top = |query: NameQuery<'_>| {
            ix.search(&query, 0.01, 5)
                .first()
                .map(|h| (h.entity, h.score))
        };
        let none = top(q(None, None)).expect("the exact name is found");
        let same = top(q(Some("1952-10-07"), Some("RU"))).expect("found");
        assert_eq!(same.0, 0);
        assert!(same.1 >= none.1);
        // the listed full date differs: another person of the same name
        assert!(
            ix.search(&q(Some("1990-01-01"), Some("FR")), 0.01, 5)
                .iter()
                .all(|h| h.entity != 0),
            "a namesake born on another day is not the listed person"
        );
        // a year compares by year: the same year agrees, another contradicts
        let by_year = ix.search(&q(Some("1952"), None), 0.01, 5);
        assert_eq!(by_year[0].entity, 0);
        assert_eq!(by_year[0].birth_date, BirthDateEvidence::SameYear);
        assert!(ix
            .search(&q(Some("1953"), None), 0.01, 5)
            .iter()
            .all(|h| h.entity != 0));
    }

    #[test]
    fn weak_aliases_score_lower() {
        let mut strong = fixture();
        strong[1].aliases[1].strength = AliasStrength::Strong;
        let weak_ix = index();
        let strong_ix = NameIndex::build(&strong, MatchConfig::default());
        assert!(score(&weak_ix, "Dmitri Medvedev", 1) < score(&strong_ix, "Dmitri Medvedev", 1));
    }

    #[test]
    fn index_equals_full_scan_on_fixture() {
        let ix = index();
        for q in [
            "Putin",
            "V Putin",
            "Prigozhin Yevgeny",
            "Garantex",
            "Khodorkovski M.",
            "bin Laden",
            "Ромашка",
            "Plant",
            "Medvedev Dima",
            "Hryhorenko",
        ] {
            for t in [0.3, 0.6, 0.8, 0.9] {
                let query = NameQuery {
                    name: q,
                    ..Default::default()
                };
                assert_eq!(
                    ix.search(&query, t, 10),
                    ix.search_exhaustive(&query, t, 10),
                    "{q} @ {t}"
                );
            }
        }
    }
}
