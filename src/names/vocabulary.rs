//! The words of the lists: folded words and skeletons interned to ids
//! ([`WordMap`], [`intern`]), stored back to back for the edit-distance
//! checks ([`WordArena`]), and each word's fuzzy neighbours, found through
//! the deletion dictionaries ([`NameIndex::fuzzy_neighbours`]) and
//! precomputed at build ([`NeighbourTable`]).

use rustc_hash::{FxHashMap, FxHashSet};

use super::deletions::{for_each_deletion, DeletionDictionary, LookupScratch};
use super::index::NameIndex;
use super::namesakes::{different_split_names, Split};
use super::score::{edit_budget, jaro_winkler, unknown_word_edit_budget, OsaPattern};

/// The words of one dictionary (skeletons or folded words) back to back in
/// one byte array, as the edit-distance check of a fuzzy lookup reads them:
/// tens of scattered words per query word, each a cache miss or two as
/// separate heap strings behind an array of pointers, and in a compact array
/// of about a megabyte that mostly stays in cache.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, Default)]
pub(super) struct WordArena {
    bytes: Vec<u8>,
    /// Word `w` is `bytes[start[w]..start[w + 1]]`.
    start: Vec<u32>,
    /// Word `w`'s stem and ending (see [`super::namesakes`]), found once.
    splits: Vec<Split>,
}

impl WordArena {
    pub(super) fn of(words: &[Box<str>]) -> Self {
        let mut arena = WordArena {
            bytes: Vec::with_capacity(words.iter().map(|w| w.len()).sum()),
            start: Vec::with_capacity(words.len() + 1),
            splits: Vec::with_capacity(words.len()),
        };
        for w in words {
            arena.start.push(arena.bytes.len() as u32);
            arena.bytes.extend_from_slice(w.as_bytes());
            arena.splits.push(Split::of(w.as_bytes()));
        }
        arena.start.push(arena.bytes.len() as u32);
        arena
    }

    fn len(&self) -> usize {
        self.start.len().saturating_sub(1)
    }

    /// Word `w`'s split (computed afresh when a damaged snapshot lacks it).
    fn split(&self, w: u32) -> Split {
        self.splits
            .get(w as usize)
            .copied()
            .unwrap_or_else(|| Split::of(self.get(w)))
    }

    /// Word `w` (empty when out of range: only a damaged snapshot has such
    /// ids, and an empty word pairs with nothing).
    fn get(&self, w: u32) -> &[u8] {
        let w = w as usize;
        match (self.start.get(w), self.start.get(w + 1)) {
            (Some(&lo), Some(&hi)) => self.bytes.get(lo as usize..hi as usize).unwrap_or(&[]),
            _ => &[],
        }
    }
}

/// The fuzzy neighbours (dictionary words within the edit budget, with
/// their similarity) of every dictionary word, computed when the index is
/// built.
///
/// A query word that is itself a list word (most words of most names:
/// common first names, surnames of listed families, "bank", "trading")
/// has neighbours that depend on nothing but that word. Computing them —
/// deletion lookups plus an edit-distance check of every colliding word —
/// was the costliest part of preparing a query; here it is done once per
/// vocabulary word at build (on every core), so the first query meeting a
/// word is as fast as the thousandth and a snapshot-loaded index is warm at
/// once. The lists are the same as computing afresh (the index-vs-full-scan
/// tests compare against the exhaustive path, which recomputes them).
///
/// Stored flat (compressed-sparse-row): word `w`'s neighbours are
/// `entries[start[w]..start[w + 1]]`, in the order the lookup found them.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, Default)]
pub(super) struct NeighbourTable {
    start: Vec<u32>,
    entries: Vec<(u32, f64)>,
}

/// Below this many dictionary words the per-word tables (neighbours, word
/// memo) are computed on the calling thread: for the one-name indexes of
/// `compare`, handing work to the thread pool costs more than the work.
pub(super) const PARALLEL_BUILD_MIN_WORDS: usize = 4096;

impl NeighbourTable {
    /// The neighbours of every word of `dictionary`, as
    /// [`NameIndex::fuzzy_neighbours`] finds them for that word.
    pub(super) fn compute(
        index: &NameIndex,
        dictionary: (&WordArena, &DeletionDictionary, &DeletionDictionary),
    ) -> Self {
        use rayon::prelude::*;
        let words = dictionary.0;
        let of_word = |scratch: &mut LookupScratch, w: usize| {
            let mut found = Vec::new();
            index.fuzzy_neighbours(
                words.get(w as u32),
                dictionary,
                Some(w as u32),
                false,
                false,
                scratch,
                &mut found,
            );
            found
        };
        let lists: Vec<Vec<(u32, f64)>> = if words.len() < PARALLEL_BUILD_MIN_WORDS {
            let mut scratch = LookupScratch::default();
            (0..words.len()).map(|w| of_word(&mut scratch, w)).collect()
        } else {
            (0..words.len())
                .into_par_iter()
                .map_init(LookupScratch::default, of_word)
                .collect()
        };
        let mut table = NeighbourTable {
            start: Vec::with_capacity(words.len() + 1),
            entries: Vec::with_capacity(lists.iter().map(Vec::len).sum()),
        };
        for list in lists {
            table.start.push(table.entries.len() as u32);
            table.entries.extend(list);
        }
        table.start.push(table.entries.len() as u32);
        table
    }

    /// The neighbours of word `w`, or `None` when the table does not cover
    /// it (a table decoded from a damaged snapshot is never indexed out of
    /// bounds).
    fn get(&self, w: u32) -> Option<&[(u32, f64)]> {
        let w = w as usize;
        let lo = *self.start.get(w)? as usize;
        let hi = *self.start.get(w + 1)? as usize;
        self.entries.get(lo..hi)
    }
}

/// Dictionary words to their ids. Looked up several times per query word,
/// so it hashes with FxHash (`rustc-hash`) rather than the default SipHash:
/// the words come from list files the operator loads, not from an attacker
/// choosing collisions.
pub(super) type WordMap = FxHashMap<Box<str>, u32>;

pub(super) fn intern(map: &mut WordMap, list: &mut Vec<Box<str>>, s: &str) -> u32 {
    if let Some(&id) = map.get(s) {
        return id;
    }
    let id = list.len() as u32;
    list.push(s.into());
    map.insert(s.into(), id);
    id
}

impl NameIndex {
    /// Words of one dictionary (skeleton keys or folded texts) within the
    /// edit budget of `q`, other than `exact` and words with digits, each
    /// with its similarity, appended to `out` in dictionary-id order of
    /// discovery. `exhaustive` compares every word instead of walking the
    /// deletion dictionary (the reference the index is tested against).
    ///
    /// With `widen` (the query's one word in no list name, see
    /// [`NameIndex::widened_word`]), a short word may take one edit more
    /// ([`unknown_word_edit_budget`]); a pair that needs it scores at most
    /// [`super::MatchConfig::unknown_word_extra_edit_score`].
    #[allow(clippy::too_many_arguments)]
    fn fuzzy_neighbours(
        &self,
        q: &[u8],
        (words, deletions, widened): (&WordArena, &DeletionDictionary, &DeletionDictionary),
        exact: Option<u32>,
        widen: bool,
        exhaustive: bool,
        scratch: &mut LookupScratch,
        out: &mut Vec<(u32, f64)>,
    ) {
        let c = &self.config;
        let budget_of = |a: usize, b: usize| {
            if widen {
                unknown_word_edit_budget(a, b, c)
            } else {
                edit_budget(a, b, c)
            }
        };
        let budget = budget_of(q.len(), q.len());
        if budget == 0 {
            return;
        }
        let found = &mut scratch.found;
        if exhaustive {
            found.clear();
            found.extend((0..words.len() as u32).map(|w| (w, words.get(w).len().min(255) as u8)));
        } else {
            scratch.hashes.clear();
            for_each_deletion(q, budget, |h| scratch.hashes.push(h));
            // most words met through a shared deletion variant differ too
            // much in length for their budget: drop them before reading
            // their text (saturated lengths are kept)
            let keep = |len: u8| {
                let len = usize::from(len);
                if len == 255 || q.len() >= 255 {
                    return true;
                }
                let b = budget_of(q.len(), len);
                b > 0 && q.len().abs_diff(len) <= b
            };
            deletions.lookup_many(scratch, keep);
            // a widened short word may need a second deletion on the list
            // side too: those variants are in the widened dictionary
            if budget > edit_budget(q.len(), q.len(), c) {
                let found = std::mem::take(&mut scratch.found);
                widened.lookup_many(scratch, keep);
                scratch.found.extend(found);
            }
            // a near word shares many deletion variants with `q`, so it is
            // found many times: keep its first finding (a hash set, cheaper
            // than sorting the findings)
            let mut seen =
                FxHashSet::with_capacity_and_hasher(scratch.found.len(), Default::default());
            scratch.found.retain(|&(w, _)| seen.insert(w));
        }
        let pattern = OsaPattern::new(q);
        let q_split = match exact {
            Some(id) => words.split(id),
            None => Split::of(q),
        };
        // a list word, or a given name of the romanisation table, is a name
        // in its own right (see `different_split_names`)
        let known = exact.is_some() || super::translit::is_known_given_name(q);
        for &(w, _) in scratch.found.iter() {
            if Some(w) == exact {
                continue;
            }
            let other = words.get(w);
            // words with digits are not in the deletion dictionaries: only
            // the exhaustive scan meets them
            if exhaustive && other.iter().any(u8::is_ascii_digit) {
                continue;
            }
            let b = budget_of(q.len(), other.len());
            if let Some(d) = pattern.within(other, b).filter(|_| {
                b > 0 && !different_split_names((q, q_split), (other, words.split(w)), known, c)
            }) {
                let mut sim = jaro_winkler(q, other).min(c.key_equal_score);
                if d > edit_budget(q.len(), other.len(), c) {
                    sim = sim.min(c.unknown_word_extra_edit_score);
                }
                if sim > 0.0 {
                    out.push((w, sim));
                }
            }
        }
    }

    /// [`NameIndex::fuzzy_neighbours`] of a word, taken from the
    /// precomputed `table` when the word is itself in the dictionary.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn cached_neighbours(
        &self,
        q: &[u8],
        dictionary: (&WordArena, &DeletionDictionary, &DeletionDictionary),
        table: &NeighbourTable,
        exact: Option<u32>,
        widen: bool,
        exhaustive: bool,
        scratch: &mut LookupScratch,
        out: &mut Vec<(u32, f64)>,
    ) {
        // only a word's plain neighbours are precomputed
        match exact.filter(|_| !widen).and_then(|id| table.get(id)) {
            Some(list) if !exhaustive => out.extend_from_slice(list),
            _ => self.fuzzy_neighbours(q, dictionary, exact, widen, exhaustive, scratch, out),
        }
    }
}
