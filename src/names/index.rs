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

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use super::score::{
    align, edit_budget, jaro_winkler, max_qualifier_bonus, qualifier_effect,
    unknown_word_edit_budget, AlignWord, Alignment, EntityQualifiers, MiddleCost, OsaPattern,
    PatronymicConflict, QueryQualifiers, MAX_TOKENS, MAX_WORD_LEN,
};
use super::tokens::{
    memo_word, tokenize, tokenize_listed, tokenize_query, MemoWord, NameToken, ASIDE, DIGITS,
    FILLER, INITIAL, LEGAL_FORM, PARTICLE, PATRONYMIC, REPEATED,
};
use super::{MatchConfig, NameHit, NameQuery};
use crate::lists::{AliasStrength, Entity, EntityKind};

/// Queries with at most this many non-initial words choose the words to
/// set aside among all subsets (see `NameIndex::set_aside_words`).
const EXHAUSTIVE_SET_ASIDE_WORDS: usize = 8;

/// Bits of a deletion hash used to find its bucket.
const DIRECTORY_BITS: u32 = 20;

/// One word of one list name.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, Copy)]
struct ListToken {
    text: u32,
    key: u32,
    first: u8,
    flags: u8,
    align: AlignWord,
}

/// One indexed list name.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, Copy)]
struct NameEntry {
    entity: u32,
    name_index: u32,
    start: u32,
    len: u32,
    weak: bool,
    /// Whether one of its words is an initial (pairs outside the postings).
    has_initial: bool,
    /// The smallest cost any of its words has when unmatched: bounds the
    /// list-side cost in [`NameIndex::upper_bound`].
    min_miss: f64,
    /// The same when every query word pairs, so that a dropped middle word
    /// of a person's name costs only [`MatchConfig::middle_name_cost`].
    min_miss_middle: f64,
}

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

/// Skeletons of a name kept inline in its [`NameBound`]; longer names read
/// the rest from `NameIndex::token_keys`.
const INLINE_BOUND_KEYS: usize = 4;

/// What [`NameIndex::upper_bound`] reads of one name, packed into 32 bytes
/// (half a cache line, never straddling one) so that bounding a candidate
/// costs one memory access instead of one for its [`NameEntry`] and one or
/// two for its 32-byte [`ListToken`]s. Most candidates are turned away by
/// the bound, and in an index of tens of megabytes each of those accesses
/// is a cache miss: they, not instructions, set the search time.
///
/// The costs are `f32` rounded *down* from the `f64` of [`NameEntry`]: a
/// smaller unmatched cost only raises the bound, so the bound stays an
/// upper bound and no hit is lost (it may let a few more names be scored).
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, Copy, Default)]
#[repr(C, align(32))]
struct NameBound {
    /// The name's first [`INLINE_BOUND_KEYS`] skeletons (fewer: `len`).
    keys: [u32; INLINE_BOUND_KEYS],
    /// Where its tokens start in `NameIndex::tokens`.
    start: u32,
    /// Its number of words (at most [`MAX_TOKENS`]).
    len: u8,
    has_initial: bool,
    /// Whether the name is a person's (a middle word of the query may then
    /// cost less when unmatched, see `PreparedQuery::person_miss_floors`).
    person: bool,
    /// [`NameEntry::min_miss`], rounded down.
    min_miss: f32,
    /// [`NameEntry::min_miss_middle`], rounded down.
    min_miss_middle: f32,
}

impl NameBound {
    fn of(name: &NameEntry, tokens: &[ListToken], person: bool) -> Self {
        let mut keys = [0u32; INLINE_BOUND_KEYS];
        for (slot, t) in keys.iter_mut().zip(tokens) {
            *slot = t.key;
        }
        NameBound {
            keys,
            start: name.start,
            len: name.len.min(MAX_TOKENS as u32) as u8,
            has_initial: name.has_initial,
            person,
            min_miss: f32_at_most(name.min_miss),
            min_miss_middle: f32_at_most(name.min_miss_middle),
        }
    }
}

/// The largest `f32` not above `x` (`x as f32` rounds to nearest, which
/// may be above).
fn f32_at_most(x: f64) -> f32 {
    let f = x as f32;
    if f64::from(f) <= x || f.is_nan() {
        f
    } else if f > 0.0 {
        f32::from_bits(f.to_bits() - 1)
    } else if f == 0.0 {
        -f32::from_bits(1)
    } else {
        f32::from_bits(f.to_bits() + 1)
    }
}

/// Skeletons by their deletion variants: `(hash tag, word length, word id)`
/// entries grouped by bucket (the hash's top [`DIRECTORY_BITS`] bits) and a
/// directory from the bucket to where its entries start.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, Default)]
struct DeletionDictionary {
    directory: Vec<u32>,
    entries: Vec<DeletionEntry>,
}

/// Bits of a deletion hash kept in an entry, after the bucket's bits.
const TAG_BITS: u32 = 24;

/// One deletion variant of one dictionary word, in 8 bytes (a bucket scan
/// reads one cache line where a 16-byte entry with the whole hash read
/// two). The bucket and the tag together compare 44 bits of the hash; a
/// rare variant that agrees on them by chance only brings one more word to
/// the edit-distance check, which keeps it only if it is within the budget
/// (and then a variant it truly shares finds it anyway), so the neighbours
/// found are the same; none is missed, as equal strings hash equally.
/// The word's length rides along so that most colliding words are rejected
/// by length without touching their text.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, Copy, Default)]
struct DeletionEntry {
    /// The hash's [`TAG_BITS`] bits after the bucket's, then the length in
    /// bytes (saturated at 255) in the low byte.
    tag_len: u32,
    id: u32,
}

/// The tag of a deletion hash (see [`DeletionEntry`]).
fn tag(hash: u64) -> u32 {
    ((hash >> (64 - DIRECTORY_BITS - TAG_BITS)) & ((1 << TAG_BITS) - 1)) as u32
}

impl DeletionDictionary {
    /// The dictionary over `words` (by position): every deletion variant
    /// within each word's own edit budget; words with digits (which must
    /// match exactly) and words too short for any edit are left out.
    ///
    /// With `widened`, only the words whose budget is widened for a query
    /// word in no list name ([`unknown_word_edit_budget`]), with variants
    /// up to that budget: kept apart so that the lookups of known words
    /// (nearly all) do not wade through their many short variants.
    fn over(words: &[Box<str>], config: &MatchConfig, widened: bool) -> Self {
        // (bucket and tag, word id, length): sorted, they group by bucket
        let mut entries: Vec<(u64, u32, u8)> = Vec::new();
        let shift = 64 - DIRECTORY_BITS - TAG_BITS;
        for (id, word) in words.iter().enumerate() {
            let bytes = word.as_bytes();
            if bytes.iter().any(u8::is_ascii_digit) {
                continue;
            }
            let normal = edit_budget(bytes.len(), bytes.len(), config);
            if widened {
                // only what the plain dictionary lacks: the variants with
                // one deletion more than the word's own budget (all of a
                // word too short for any, which the plain one leaves out)
                let wide = unknown_word_edit_budget(bytes.len(), bytes.len(), config);
                if wide > normal {
                    let len = bytes.len().min(255) as u8;
                    let from = if normal == 0 { 0 } else { wide };
                    for_each_deletion_between(bytes, from, wide, |hash| {
                        entries.push((hash >> shift, id as u32, len))
                    });
                }
                continue;
            }
            let budget = normal;
            if budget > 0 {
                let len = bytes.len().min(255) as u8;
                for_each_deletion(bytes, budget, |hash| {
                    entries.push((hash >> shift, id as u32, len))
                });
            }
        }
        if entries.is_empty() {
            // no 4 MB directory for nothing: a one-name index (`compare`)
            // and the widened dictionary of lists without short words
            // have none, and lookups answer an empty dictionary at once
            return DeletionDictionary::default();
        }
        entries.sort_unstable();
        entries.dedup();
        let buckets = 1usize << DIRECTORY_BITS;
        let mut directory = vec![0u32; buckets + 1];
        let mut pos = 0usize;
        for (b, slot) in directory.iter_mut().enumerate() {
            while pos < entries.len() && ((entries[pos].0 >> TAG_BITS) as usize) < b {
                pos += 1;
            }
            *slot = pos as u32;
        }
        let entries = entries
            .into_iter()
            .map(|(top, id, len)| DeletionEntry {
                tag_len: ((top & ((1 << TAG_BITS) - 1)) as u32) << 8 | u32::from(len),
                id,
            })
            .collect();
        DeletionDictionary { directory, entries }
    }

    /// The `(word id, length)` of every entry whose bucket and tag are those
    /// of a hash in `hashes`.
    ///
    /// Every lookup is two dependent cache misses (directory, then bucket)
    /// in tables of tens of megabytes. Done one after another they stall
    /// the processor; here all directory loads are issued first, then all
    /// bucket scans, so the misses of different variants overlap.
    ///
    /// `keep(len)` says whether a word of that length can be within the
    /// budget at all; the others are dropped before the caller reads them.
    fn lookup_many(&self, scratch: &mut LookupScratch, keep: impl Fn(u8) -> bool) {
        scratch.found.clear();
        if self.entries.is_empty() {
            return;
        }
        scratch.ranges.clear();
        scratch.ranges.extend(scratch.hashes.iter().map(|&h| {
            let b = bucket(h);
            (self.directory[b], self.directory[b + 1])
        }));
        for (&h, &(lo, hi)) in scratch.hashes.iter().zip(&scratch.ranges) {
            let want = tag(h);
            scratch.found.extend(
                self.entries
                    .get(lo as usize..hi as usize)
                    .unwrap_or(&[])
                    .iter()
                    .filter(|e| e.tag_len >> 8 == want && keep(e.tag_len as u8))
                    .map(|e| (e.id, e.tag_len as u8)),
            );
        }
    }
}

/// The words of one dictionary (skeletons or folded words) back to back in
/// one byte array, as the edit-distance check of a fuzzy lookup reads them:
/// tens of scattered words per query word, each a cache miss or two as
/// separate heap strings behind an array of pointers, and in a compact array
/// of about a megabyte that mostly stays in cache.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, Default)]
struct WordArena {
    bytes: Vec<u8>,
    /// Word `w` is `bytes[start[w]..start[w + 1]]`.
    start: Vec<u32>,
}

impl WordArena {
    fn of(words: &[Box<str>]) -> Self {
        let mut arena = WordArena {
            bytes: Vec::with_capacity(words.iter().map(|w| w.len()).sum()),
            start: Vec::with_capacity(words.len() + 1),
        };
        for w in words {
            arena.start.push(arena.bytes.len() as u32);
            arena.bytes.extend_from_slice(w.as_bytes());
        }
        arena.start.push(arena.bytes.len() as u32);
        arena
    }

    fn len(&self) -> usize {
        self.start.len().saturating_sub(1)
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

/// Buffers one query reuses across its words' dictionary lookups.
#[derive(Debug, Default)]
struct LookupScratch {
    hashes: Vec<u64>,
    ranges: Vec<(u32, u32)>,
    found: Vec<(u32, u8)>,
}

fn bucket(hash: u64) -> usize {
    (hash >> (64 - DIRECTORY_BITS)) as usize
}

/// Multiplier of the polynomial word hash (odd, so multiplying by it is a
/// bijection modulo 2^64).
const HASH_BASE: u64 = 0x9e37_79b9_7f4a_7c15;

/// Mixes a polynomial hash so that the top bits (the bucket) depend on
/// every byte.
fn mix(mut h: u64) -> u64 {
    h ^= h >> 29;
    h = h.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h ^ (h >> 32)
}

/// Every deletion variant of `word` with up to `deletions` bytes removed.
fn for_each_deletion(word: &[u8], deletions: usize, f: impl FnMut(u64)) {
    for_each_deletion_between(word, 0, deletions, f);
}

/// The hash of every deletion variant of `word` with `from..=to` bytes
/// removed (at most two), the word itself first when `from` is 0.
///
/// The hash of a string is the polynomial `Σ (s[k] + 1)·B^(len-1-k)`
/// modulo 2^64, mixed. A variant's polynomial is assembled from prefix
/// hashes in a few multiplications (`H(a ++ b) = H(a)·B^len(b) + H(b)`),
/// instead of rehashing the whole word per variant: a 10-letter word has 56
/// variants within two deletions. The value depends only on the resulting
/// string, so deleting either "l" of "hello" gives the same hash, as the
/// dictionary lookup needs; colliding strings are told apart afterwards by
/// the edit-distance check.
fn for_each_deletion_between(word: &[u8], from: usize, to: usize, mut f: impl FnMut(u64)) {
    let n = word.len();
    // prefix hashes and powers of the base, on the stack for real words
    let mut stack = [0u64; 2 * (MAX_WORD_LEN + 1)];
    let mut heap = Vec::new();
    let (pre, pow) = if n <= MAX_WORD_LEN {
        stack.split_at_mut(MAX_WORD_LEN + 1)
    } else {
        heap.resize(2 * (n + 1), 0u64);
        heap.split_at_mut(n + 1)
    };
    pow[0] = 1;
    for (i, &b) in word.iter().enumerate() {
        pre[i + 1] = pre[i]
            .wrapping_mul(HASH_BASE)
            .wrapping_add(u64::from(b) + 1);
        pow[i + 1] = pow[i].wrapping_mul(HASH_BASE);
    }
    let (pre, pow) = (&*pre, &*pow);
    // the hash of word[from..to]
    let part =
        |from: usize, to: usize| pre[to].wrapping_sub(pre[from].wrapping_mul(pow[to - from]));
    if from == 0 {
        f(mix(pre[n]));
    }
    if to >= 1 {
        // `head` is the hash of the bytes before the (first) deleted one
        for (i, &head) in pre[..n].iter().enumerate() {
            if from <= 1 {
                let tail = n - 1 - i;
                f(mix(head
                    .wrapping_mul(pow[tail])
                    .wrapping_add(part(i + 1, n))));
            }
            if to >= 2 {
                for j in i + 1..n {
                    let (middle, end) = (j - i - 1, n - 1 - j);
                    let h = head
                        .wrapping_mul(pow[middle])
                        .wrapping_add(part(i + 1, j))
                        .wrapping_mul(pow[end])
                        .wrapping_add(part(j + 1, n));
                    f(mix(h));
                }
            }
        }
    }
}

/// A query word, prepared once per search.
#[derive(Debug, Clone)]
struct QueryToken {
    token: NameToken,
    text_id: Option<u32>,
    first: u8,
    /// Skeletons this word may pair with and the similarity, sorted by id.
    key_sims: Vec<(u32, f64)>,
    /// Folded words within the typo budget and the similarity, sorted by id.
    text_sims: Vec<(u32, f64)>,
    /// Skeletons whose postings hold every name this word can pair with.
    posting_keys: Vec<u32>,
    align: AlignWord,
    /// The best similarity this word can reach with any list word.
    best_sim: f64,
}

/// A query, prepared once per search.
#[derive(Debug, Clone)]
struct PreparedQuery {
    tokens: Vec<QueryToken>,
    /// `tokens[i].align`, contiguous, as the aligner takes it.
    align: Vec<AlignWord>,
    qualifiers: QueryQualifiers,
    /// Every skeleton in some query word's postings → its row in `key_rows`.
    key_table: IdTable,
    /// Per skeleton row: which query words reach it (bit `i` for word `i`)
    /// and each word's similarity with it (`tokens.len()` values).
    key_masks: Vec<u32>,
    key_rows: Vec<f64>,
    /// Every folded word some query word is near → its row in `text_rows`.
    text_table: IdTable,
    text_rows: Vec<f64>,
    /// Per folded-word row: which query words have a similarity with it.
    text_masks: Vec<u32>,
    /// The query's initials and lone particles (bit `i` for word `i`): they
    /// pair by first letter or prefix, outside the tables.
    special_mask: u32,
    /// The query's patronymics (bit `i` for word `i`).
    patronymics: u32,
    /// The least each word can cost when it finds no partner in a person's
    /// name: its miss cost, or, not at either end of the query, the
    /// dropped-middle-word share ([`MatchConfig::query_middle_name_cost`]).
    /// In an organisation's name it is the miss cost.
    person_miss_floors: Vec<f64>,
}

/// A small open-addressing map from dictionary ids to row numbers, built
/// per query so that scoring a candidate looks each of its words up once
/// instead of searching every query word's neighbour list per word pair.
#[derive(Debug, Clone, Default)]
struct IdTable {
    /// `(id + 1, row)`; 0 marks an empty slot.
    slots: Vec<(u32, u32)>,
    shift: u32,
    len: u32,
}

impl IdTable {
    /// A table for at most `capacity` ids, at most half full.
    fn with_capacity(capacity: usize) -> Self {
        let bits = (capacity.max(1) * 2)
            .next_power_of_two()
            .trailing_zeros()
            .max(3);
        IdTable {
            slots: vec![(0, 0); 1 << bits],
            shift: 64 - bits,
            len: 0,
        }
    }

    fn slot_of(&self, id: u32) -> usize {
        // Fibonacci hashing: the top bits of id × 2^64/φ
        ((u64::from(id).wrapping_mul(0x9e37_79b9_7f4a_7c15)) >> self.shift) as usize
    }

    /// The row of `id`, inserting it as the next row if absent.
    fn row_or_insert(&mut self, id: u32) -> (u32, bool) {
        let mask = self.slots.len() - 1;
        let mut at = self.slot_of(id);
        loop {
            let (stored, row) = self.slots[at];
            if stored == id + 1 {
                return (row, false);
            }
            if stored == 0 {
                let row = self.len;
                self.slots[at] = (id + 1, row);
                self.len += 1;
                return (row, true);
            }
            at = (at + 1) & mask;
        }
    }

    fn get(&self, id: u32) -> Option<u32> {
        let mask = self.slots.len().wrapping_sub(1);
        if self.slots.is_empty() {
            return None;
        }
        let mut at = self.slot_of(id);
        loop {
            let (stored, row) = self.slots[at];
            if stored == id + 1 {
                return Some(row);
            }
            if stored == 0 {
                return None;
            }
            at = (at + 1) & mask;
        }
    }
}

/// The names one search has met: a small hash set when few postings are
/// walked, a bit per list name when many are (a hash set of that size
/// would cost more to allocate and clear than the bits).
enum SeenNames {
    Few(IdTable),
    Many(Vec<u64>),
}

impl SeenNames {
    fn for_walk(walk: usize, names: usize) -> Self {
        // an `IdTable` takes 16 bytes per id, the bits 1/8 byte per name
        if walk.saturating_mul(16) < names / 8 {
            SeenNames::Few(IdTable::with_capacity(walk))
        } else {
            SeenNames::Many(vec![0u64; names.div_ceil(64)])
        }
    }

    /// Whether `id` is new (and records it).
    fn insert(&mut self, id: u32) -> bool {
        match self {
            SeenNames::Few(table) => table.row_or_insert(id).1,
            SeenNames::Many(bits) => {
                let (word, bit) = ((id / 64) as usize, 1u64 << (id % 64));
                match bits.get_mut(word) {
                    Some(w) if *w & bit == 0 => {
                        *w |= bit;
                        true
                    }
                    _ => false,
                }
            }
        }
    }
}

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
    config: MatchConfig,
    texts: Vec<Box<str>>,
    text_ids: WordMap,
    /// Per folded word (by text id), what tokenising it on its own yields:
    /// a query word met in the lists is tokenised from this.
    word_memo: Vec<MemoWord>,
    text_keys: Vec<Vec<u32>>,
    keys: Vec<Box<str>>,
    key_ids: WordMap,
    key_weight: Vec<f64>,
    tokens: Vec<ListToken>,
    /// `tokens[i].align`, contiguous, so scoring a name copies nothing.
    token_align: Vec<AlignWord>,
    /// `tokens[i].key`, contiguous: the bound of a long name reads its
    /// skeletons from one cache line instead of one 32-byte token each.
    token_keys: Vec<u32>,
    names: Vec<NameEntry>,
    /// Per name (same order as `names`), what bounding it reads.
    bounds: Vec<NameBound>,
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
    deletions: DeletionDictionary,
    text_deletions: DeletionDictionary,
    /// The widened variants of short folded words, for the query word in
    /// no list name (see [`DeletionDictionary::over`]). Skeletons have none:
    /// a typo rarely survives the skeleton rewrites, and the folded words
    /// alone find the same names for half the cost.
    widened_text_deletions: DeletionDictionary,
    /// `keys` and `texts` back to back, for the fuzzy lookups.
    key_arena: WordArena,
    text_arena: WordArena,
    /// Fuzzy neighbours of each skeleton (by key id). See [`NeighbourTable`].
    key_neighbours: NeighbourTable,
    /// Fuzzy neighbours of each folded word (by text id), likewise.
    text_neighbours: NeighbourTable,
    entities: Vec<EntityQualifiers>,
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
struct NeighbourTable {
    start: Vec<u32>,
    entries: Vec<(u32, f64)>,
}

/// Below this many dictionary words the per-word tables (neighbours, word
/// memo) are computed on the calling thread: for the one-name indexes of
/// `compare`, handing work to the thread pool costs more than the work.
const PARALLEL_BUILD_MIN_WORDS: usize = 4096;

impl NeighbourTable {
    /// The neighbours of every word of `dictionary`, as
    /// [`NameIndex::fuzzy_neighbours`] finds them for that word.
    fn compute(
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
/// so it hashes with [`WordHasher`] rather than the default SipHash.
type WordMap = HashMap<Box<str>, u32, BuildHasherDefault<WordHasher>>;

/// A fast, non-cryptographic hasher for short words (FxHash's
/// multiply-rotate over 8-byte chunks, with a final mix so the bits the
/// table uses depend on every byte). The words come from list files the
/// operator loads, not from an attacker choosing collisions.
#[derive(Debug, Default, Clone, Copy)]
struct WordHasher(u64);

impl WordHasher {
    const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(Self::SEED);
    }
}

impl Hasher for WordHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut buf = [0u8; 8];
            buf.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(buf));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut buf = [0u8; 8];
            buf[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(buf) ^ ((rest.len() as u64) << 59));
        }
    }

    fn write_u8(&mut self, b: u8) {
        self.add(u64::from(b));
    }

    fn finish(&self) -> u64 {
        let h = self.0;
        let h = (h ^ (h >> 31)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        h ^ (h >> 32)
    }
}

fn intern(map: &mut WordMap, list: &mut Vec<Box<str>>, s: &str) -> u32 {
    if let Some(&id) = map.get(s) {
        return id;
    }
    let id = list.len() as u32;
    list.push(s.into());
    map.insert(s.into(), id);
    id
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
                let mut toks = tokenize_listed(name);
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
                    has_initial: false,
                    min_miss: 0.0,
                    min_miss_middle: 0.0,
                });
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
                df[t.key as usize] += 1;
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
        let n = ix.names.len() as f64;
        let trust_idf = ix.names.len() >= ix.config.idf_min_names;
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

    /// Number of indexed list names.
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
        let prepared = self.prepare(query, false);
        let candidates = self.candidates(&prepared, threshold);
        self.rank(&prepared, candidates.into_iter(), true, threshold, limit)
    }

    /// Like [`NameIndex::search`] but scores every list name and compares
    /// every skeleton: the reference the index is tested against. Slow.
    pub fn search_exhaustive(
        &self,
        query: &NameQuery<'_>,
        threshold: f64,
        limit: usize,
    ) -> Vec<NameHit> {
        let prepared = self.prepare(query, true);
        self.rank(
            &prepared,
            0..self.names.len() as u32,
            false,
            threshold,
            limit,
        )
    }

    /// Words of one dictionary (skeleton keys or folded texts) within the
    /// edit budget of `q`, other than `exact` and words with digits, each
    /// with its similarity, appended to `out` in dictionary-id order of
    /// discovery. `exhaustive` compares every word instead of walking the
    /// deletion dictionary (the reference the index is tested against).
    ///
    /// With `widen` (the query's one word in no list name, see
    /// [`NameIndex::widened_word`]), a short word may take one edit more
    /// ([`unknown_word_edit_budget`]); a pair that needs it scores at most
    /// [`MatchConfig::unknown_word_extra_edit_score`].
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
            let mut seen = IdTable::with_capacity(scratch.found.len());
            scratch.found.retain(|&(w, _)| seen.row_or_insert(w).1);
        }
        let pattern = OsaPattern::new(q);
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
            if let Some(d) = pattern.within(other, b).filter(|_| b > 0) {
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
    fn cached_neighbours(
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

    /// The one query word that may take the extra edit of a word in no list
    /// name ([`MatchConfig::unknown_word_extra_edit_min_len`]), if any: the
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

    fn prepare(&self, query: &NameQuery<'_>, exhaustive: bool) -> PreparedQuery {
        // the exhaustive reference tokenises from scratch, so the tests that
        // compare it with the index also check the word memo
        let mut toks = if exhaustive {
            tokenize(query.name)
        } else {
            tokenize_query(query.name, |word| {
                let id = *self.text_ids.get(word)?;
                self.word_memo.get(id as usize)
            })
        };
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
                    if let Some(k) = exact_key {
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

    /// The query words whose postings need not be walked (bit `i` for word
    /// `i`): a name reached only through them provably scores below the
    /// threshold (`S / (S + C)`, with `S` the most they can contribute and
    /// `C` what the other words cost when unmatched, is below it), so every
    /// hit is in the postings of some other, "essential" word. Initials and
    /// lone particles are always set aside: they only make initial pairs,
    /// which alone never make a hit.
    ///
    /// Any such set is correct; the cheapest is wanted, i.e. the one whose
    /// essential words have the shortest postings ("John Smith" walks the
    /// postings of whichever of the two is rarer, with its fuzzy variants).
    /// Queries have few words, so every subset is tried (up to
    /// [`EXHAUSTIVE_SET_ASIDE_WORDS`] words; beyond that, words are set aside
    /// greedily, least valuable first).
    fn set_aside_words(&self, q: &PreparedQuery, bound_threshold: f64) -> u32 {
        let n = q.tokens.len();
        let initials = q.special_mask;
        // what each word costs at least when unmatched (a middle word of a
        // person's query may cost less than its miss cost)
        let floors = &q.person_miss_floors;
        let total_miss: f64 = floors.iter().sum();
        let valid = |set: u32| {
            if set & !initials == 0 {
                return true;
            }
            let (mut gain, mut cost) = (0.0, total_miss);
            for (i, t) in q.tokens.iter().enumerate() {
                if set & (1 << i) != 0 {
                    gain += t.align.weight * t.best_sim;
                    cost -= floors[i];
                }
            }
            let bound = if gain + cost > 0.0 {
                gain / (gain + cost)
            } else {
                0.0
            };
            bound < bound_threshold
        };
        let words: Vec<usize> = (0..n).filter(|&i| initials & (1 << i) == 0).collect();
        if words.len() <= EXHAUSTIVE_SET_ASIDE_WORDS {
            let walk: Vec<usize> = q
                .tokens
                .iter()
                .map(|t| t.posting_keys.iter().map(|&k| self.posting(k).len()).sum())
                .collect();
            let mut best = (usize::MAX, initials);
            for subset in 0u32..(1 << words.len()) {
                let set = words
                    .iter()
                    .enumerate()
                    .filter(|&(b, _)| subset & (1 << b) != 0)
                    .fold(initials, |m, (_, &i)| m | 1 << i);
                if !valid(set) {
                    continue;
                }
                let cost: usize = words
                    .iter()
                    .filter(|&&i| set & (1 << i) == 0)
                    .map(|&i| walk[i])
                    .sum();
                if cost < best.0 {
                    best = (cost, set);
                }
            }
            return best.1;
        }
        // many words: least valuable first, while the bound allows
        let mut order = words;
        order.sort_by(|&a, &b| {
            let (ta, tb) = (&q.tokens[a], &q.tokens[b]);
            (ta.align.weight * ta.best_sim).total_cmp(&(tb.align.weight * tb.best_sim))
        });
        let mut set = initials;
        for i in order {
            if valid(set | 1 << i) {
                set |= 1 << i;
            } else {
                break;
            }
        }
        set
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
    fn posting(&self, k: u32) -> &[u32] {
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

    /// Similarity of query word `q` and list word `l` and whether it is
    /// only an initial pair; `rows` is the word's similarity by skeleton and
    /// by folded word, looked up in the query's tables.
    #[inline(never)]
    fn pair_similarity(&self, q: &QueryToken, l: &ListToken, rows: (f64, f64)) -> (f64, bool) {
        let c = &self.config;
        let q_initial = q.token.flags & INITIAL != 0;
        let l_initial = l.flags & INITIAL != 0;
        let q_particle = q.token.flags & PARTICLE != 0;
        if q.text_id == Some(l.text) {
            return (1.0, q_initial || q_particle);
        }
        if q_particle {
            // a particle left on its own ("Agha, Abdul") meets the list word it
            // was attached to ("abdulrahman"), as an initial meets its word
            let l_text = self.texts[l.text as usize].as_bytes();
            let q_text = q.token.text.as_bytes();
            return if l_text.len() > q_text.len() && l_text.starts_with(q_text) {
                (c.initial_score, true)
            } else {
                (0.0, false)
            };
        }
        if q.token.flags & DIGITS != 0 || l.flags & DIGITS != 0 {
            return (0.0, false);
        }
        if q_initial || l_initial {
            return if q.first == l.first && !(q_initial && l_initial) {
                (c.initial_score, true)
            } else {
                (0.0, false)
            };
        }
        (rows.0.max(rows.1), false)
    }

    fn align_name(&self, q: &PreparedQuery, name: &NameEntry) -> Alignment {
        let range = name.start as usize..(name.start + name.len) as usize;
        let list = &self.tokens[range.clone()];
        // each list word's rows in the query tables, looked up once, and
        // which query words can pair with it at all
        let mut key_row = [usize::MAX; MAX_TOKENS];
        let mut text_row = [usize::MAX; MAX_TOKENS];
        let mut may_pair = [0u32; MAX_TOKENS];
        let mut list_patronymics = 0u32;
        let nq = q.tokens.len();
        for (j, l) in list.iter().enumerate().take(MAX_TOKENS) {
            if l.flags & PATRONYMIC != 0 {
                list_patronymics |= 1 << j;
            }
            // Why the mask is safe: `pair_similarity` is above 0 only for an
            // equal folded word (its skeletons are among the query word's
            // posting keys: key mask), a skeleton or folded-word similarity
            // (key or text mask), a query initial or particle (special
            // mask), or a list initial (any query word).
            let mut mask = q.special_mask;
            if let Some(r) = q.key_table.get(l.key) {
                key_row[j] = r as usize * nq;
                mask |= q.key_masks[r as usize];
            }
            if let Some(r) = q.text_table.get(l.text) {
                text_row[j] = r as usize * nq;
                mask |= q.text_masks[r as usize];
            }
            if l.flags & INITIAL != 0 {
                mask = u32::MAX;
            }
            may_pair[j] = mask;
        }
        let row = |rows: &[f64], start: usize, i: usize| {
            if start == usize::MAX {
                0.0
            } else {
                rows.get(start + i).copied().unwrap_or(0.0)
            }
        };
        // dropped middle names are cheap in a person's name only: in an
        // organisation's, a missing middle word is as telling as any other
        let middle_cost = self.middle_cost(name);
        // two differing patronymics in a person's name cost more than a
        // missing one ([`MatchConfig::patronymic_conflict_cost`]); only
        // ever lowers the score, so the upper bounds stay bounds
        let patronymics = middle_cost
            .and((list_patronymics != 0 && q.patronymics != 0).then_some(()))
            .map(|()| self.patronymic_conflict(q, list, list_patronymics));
        align(
            &q.align,
            &self.token_align[range],
            middle_cost,
            patronymics,
            |i, j| {
                if may_pair[j] & (1 << i) == 0 {
                    return (0.0, false);
                }
                let by_key = row(&q.key_rows, key_row[j], i);
                let by_text = row(&q.text_rows, text_row[j], i);
                self.pair_similarity(&q.tokens[i], &list[j], (by_key, by_text))
            },
        )
    }

    /// The patronymics of query and list name that are unlike every
    /// patronymic of the other side (Jaro-Winkler of the folded words, their
    /// common ending removed, below
    /// [`MatchConfig::patronymic_conflict_max_similarity`]): "Vladimirovich"
    /// against "Alekseevich", not "Mixajlovich" against "Mikhailovich", a
    /// romanisation that failed to pair.
    fn patronymic_conflict(
        &self,
        q: &PreparedQuery,
        list: &[ListToken],
        list_patronymics: u32,
    ) -> PatronymicConflict {
        let max_sim = self.config.patronymic_conflict_max_similarity;
        let bits = |mask: u32| (0..MAX_TOKENS).filter(move |&k| mask & (1 << k) != 0);
        let unlike = |i: usize, j: usize| {
            let (Some(qt), Some(lt)) = (q.tokens.get(i), list.get(j)) else {
                return false;
            };
            // the shared ending ("-ovich") says nothing about the father
            let (a, b) = (
                qt.token.text.as_bytes(),
                self.texts[lt.text as usize].as_bytes(),
            );
            let common = a
                .iter()
                .rev()
                .zip(b.iter().rev())
                .take_while(|(x, y)| x == y)
                .count();
            let (a, b) = (&a[..a.len() - common], &b[..b.len() - common]);
            !a.is_empty() && !b.is_empty() && jaro_winkler(a, b) < max_sim
        };
        PatronymicConflict {
            query: bits(q.patronymics)
                .filter(|&i| bits(list_patronymics).all(|j| unlike(i, j)))
                .fold(0, |m, i| m | 1 << i),
            list: bits(list_patronymics)
                .filter(|&j| bits(q.patronymics).all(|i| unlike(i, j)))
                .fold(0, |m, j| m | 1 << j),
            share: self.config.patronymic_conflict_cost,
        }
    }

    /// The shares of their weight dropped middle words cost in `name`
    /// ([`MatchConfig::middle_name_cost`],
    /// [`MatchConfig::query_middle_name_cost`]): persons only.
    fn middle_cost(&self, name: &NameEntry) -> Option<MiddleCost> {
        (self.entities[name.entity as usize].kind == EntityKind::Person)
            .then(|| MiddleCost::of(&self.config))
    }

    /// An upper bound of [`NameIndex::score_name`] for `name`, from which
    /// query words can pair with it at all (cheap: one table lookup per list
    /// word, no alignment).
    ///
    /// Why it is safe: the score is `num / den` plus at most the largest
    /// qualifier bonus, with `num = Σ matched w·sim` and `den = Σ matched w
    /// + Σ unmatched costs` on both sides. A query word can pair with this
    /// name only if (a) some word of the name has a skeleton in that query
    /// word's postings (every non-initial pair with similarity above 0 has
    /// one, by how `posting_keys` is built), or (b) it is an initial or a
    /// lone particle, or (c) the name holds an initial. Counting every such
    /// word as matched at its best similarity overestimates `num`; counting
    /// each at the smaller of its weight and its miss cost, the rest at
    /// their miss cost, and the list words that must stay unpaired (name
    /// length minus possible pairs) at the name's cheapest miss cost
    /// underestimates `den`.
    ///
    /// In a person's name that cheapest cost is the dropped-middle-word
    /// cost when every query word can pair, as only then does that discount
    /// apply.
    fn upper_bound(&self, q: &PreparedQuery, name: &NameBound) -> f64 {
        let mut reached = 0u32;
        let mut reach = |key: u32| {
            if let Some(r) = q.key_table.get(key) {
                reached |= q.key_masks.get(r as usize).copied().unwrap_or(0);
            }
        };
        let len = usize::from(name.len);
        name.keys.iter().take(len).for_each(|&k| reach(k));
        if len > INLINE_BOUND_KEYS {
            let start = name.start as usize;
            let rest = self.token_keys.get(start + INLINE_BOUND_KEYS..start + len);
            rest.unwrap_or(&[]).iter().for_each(|&k| reach(k));
        }
        let mut num = 0.0;
        let mut den = 0.0;
        let mut pairable = 0u32;
        // initials and lone particles pair outside the tables
        let reachable = reached | q.special_mask;
        for (i, t) in q.tokens.iter().enumerate() {
            // an unpaired middle word of a person's query may cost less
            let miss_floor = if name.person {
                q.person_miss_floors[i]
            } else {
                t.align.miss_cost
            };
            let sim = if reachable & (1 << i) != 0 {
                t.best_sim
            } else if name.has_initial {
                self.config.initial_score
            } else {
                den += miss_floor;
                continue;
            };
            pairable += 1;
            num += t.align.weight * sim;
            den += t.align.weight.min(miss_floor);
        }
        // a dropped middle word is cheap only when every query word pairs
        let min_miss = if pairable as usize == q.tokens.len() {
            name.min_miss_middle
        } else {
            name.min_miss
        };
        den += f64::from(u32::from(name.len).saturating_sub(pairable)) * f64::from(min_miss);
        let bound = if den > 0.0 { num / den } else { 1.0 };
        bound + max_qualifier_bonus(&self.config)
    }

    /// Final score of one name: alignment, weak-alias penalty, qualifiers; an
    /// exact full-name match never drops below the review threshold.
    fn score_name(&self, q: &PreparedQuery, name: &NameEntry) -> (f64, Alignment) {
        let alignment = self.align_name(q, name);
        if alignment.score <= 0.0 {
            return (0.0, alignment);
        }
        let mut name_score = alignment.score;
        if name.weak {
            name_score -= self.config.weak_alias_penalty;
        }
        let effect = qualifier_effect(
            &self.config,
            &q.qualifiers,
            &self.entities[name.entity as usize],
            false,
        );
        let mut score = name_score + effect.adjustment;
        if alignment.exact {
            score = score.max(name_score.min(self.config.review_threshold));
        }
        (score.clamp(0.0, 1.0), alignment)
    }

    fn rank(
        &self,
        q: &PreparedQuery,
        candidates: impl Iterator<Item = u32>,
        prune: bool,
        threshold: f64,
        limit: usize,
    ) -> Vec<NameHit> {
        // the alignment rides along for the explanation, so a hit is not
        // aligned a second time
        let mut scored: Vec<(f64, u32, u32, Alignment)> = Vec::new();
        for id in candidates {
            if prune && self.upper_bound(q, &self.bounds[id as usize]) < threshold {
                continue;
            }
            let name = &self.names[id as usize];
            let (score, alignment) = self.score_name(q, name);
            if score > 0.0 && score >= threshold {
                scored.push((score, name.entity, id, alignment));
            }
        }
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
        let mut hits: Vec<NameHit> = Vec::new();
        let mut last_entity = None;
        let mut seen: Vec<u32> = Vec::new();
        for (score, entity, id, alignment) in scored {
            if hits.len() >= limit {
                break;
            }
            if last_entity == Some(entity) || seen.contains(&entity) {
                continue;
            }
            last_entity = Some(entity);
            seen.push(entity);
            let name = &self.names[id as usize];
            hits.push(NameHit {
                entity: entity as usize,
                name_index: name.name_index as usize,
                score,
                explanation: self.explain(q, name, &alignment),
            });
        }
        hits
    }

    /// "ivanov ≈ ivanou 0.93; sergei = sergei; birth year equal".
    ///
    /// Written part by part into one string (`write!` into a `String`
    /// cannot fail) rather than formatting each part apart and joining.
    fn explain(&self, q: &PreparedQuery, name: &NameEntry, alignment: &Alignment) -> String {
        use std::fmt::Write as _;
        let list = &self.tokens[name.start as usize..(name.start + name.len) as usize];
        let mut out = String::with_capacity(128);
        let sep = |out: &mut String| {
            if !out.is_empty() {
                out.push_str("; ");
            }
        };
        let mut q_used = [false; MAX_TOKENS];
        let mut l_used = [false; MAX_TOKENS];
        for &(i, j, s) in &alignment.pairs[..alignment.len] {
            let (qi, lj) = (i as usize, j as usize);
            q_used[qi] = true;
            l_used[lj] = true;
            let qt = &q.tokens[qi].token.text;
            let lt = &self.texts[list[lj].text as usize];
            let initial = q.tokens[qi].token.flags & INITIAL != 0 || list[lj].flags & INITIAL != 0;
            sep(&mut out);
            let _ = if s >= 1.0 {
                write!(out, "{qt} = {lt}")
            } else if initial {
                write!(out, "{qt} ~ {lt} (initial) {s:.2}")
            } else {
                write!(out, "{qt} ≈ {lt} {s:.2}")
            };
        }
        for (i, t) in q.tokens.iter().enumerate() {
            if !q_used[i] {
                sep(&mut out);
                let _ = write!(out, "{} unmatched", t.token.text);
            }
        }
        for (j, t) in list.iter().enumerate() {
            if !l_used[j] {
                let role = if t.flags & PATRONYMIC != 0 {
                    "patronymic"
                } else if t.flags & LEGAL_FORM != 0 {
                    "legal form"
                } else {
                    "word"
                };
                sep(&mut out);
                let _ = write!(out, "list {role} {} unmatched", self.texts[t.text as usize]);
            }
        }
        sep(&mut out);
        let _ = write!(out, "name score {:.2}", alignment.score);
        if name.weak {
            out.push_str("; weak alias");
        }
        let effect = qualifier_effect(
            &self.config,
            &q.qualifiers,
            &self.entities[name.entity as usize],
            true,
        );
        for note in &effect.notes {
            sep(&mut out);
            out.push_str(note);
        }
        out
    }
}

/// The weight of a word from its role and its frequency weight.
fn word_weight(flags: u8, frequency_weight: f64, config: &MatchConfig) -> f64 {
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
mod tests {
    use super::*;
    use crate::lists::{Alias, BirthDate};
    use crate::model::PartyKind;

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

    fn index() -> NameIndex {
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
    fn birth_date_and_country_qualify_but_never_hide_an_exact_name() {
        let ix = index();
        let c = ix.config().clone();
        let q = |birth_date, country| NameQuery {
            name: "Vladimir Vladimirovich Putin",
            kind: Some(PartyKind::Person),
            birth_date,
            country,
        };
        let s = |query: NameQuery<'_>| ix.search(&query, 0.01, 5)[0].score;
        let none = s(q(None, None));
        let same = s(q(Some("1952-10-07"), Some("RU")));
        let other = s(q(Some("1990-01-01"), Some("FR")));
        assert!(same >= none);
        assert!(other < none);
        assert!(
            other >= c.review_threshold,
            "an exact name stays at least under review"
        );
        // for a fuzzy name, a clashing birth year does lower it below review
        let fuzzy = NameQuery {
            name: "Vladimir Putim",
            birth_date: Some("1990"),
            ..Default::default()
        };
        let plain = NameQuery {
            birth_date: None,
            ..fuzzy
        };
        assert!(ix.search(&fuzzy, 0.01, 5)[0].score < ix.search(&plain, 0.01, 5)[0].score);
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
    fn explanation_shows_alignment() {
        let ix = index();
        let query = NameQuery {
            name: "Putin Vladimir",
            birth_date: Some("1952"),
            ..Default::default()
        };
        let hit = &ix.search(&query, 0.5, 1)[0];
        assert!(
            hit.explanation.contains("putin = putin"),
            "{}",
            hit.explanation
        );
        assert!(
            hit.explanation
                .contains("patronymic vladimirovich unmatched"),
            "{}",
            hit.explanation
        );
        assert!(
            hit.explanation.contains("birth year equal"),
            "{}",
            hit.explanation
        );
    }

    /// The hash of a deletion variant is the hash of the string it leaves,
    /// whichever positions were deleted (checked against hashing each
    /// resulting string on its own).
    #[test]
    fn deletion_hashes_depend_only_on_the_remaining_string() {
        let hash_of = |s: &[u8]| {
            let mut first = None;
            for_each_deletion(s, 0, |h| first = first.or(Some(h)));
            first
        };
        for word in [
            "hello",
            "prigozhin",
            "aab",
            "",
            "x",
            "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijklmnop",
        ] {
            let w = word.as_bytes();
            let mut got = Vec::new();
            for_each_deletion(w, 2, |h| got.push(h));
            let mut want = vec![hash_of(w)];
            for i in 0..w.len() {
                let mut one = w.to_vec();
                one.remove(i);
                want.push(hash_of(&one));
                for j in i + 1..w.len() {
                    let mut two = w.to_vec();
                    two.remove(j);
                    two.remove(i);
                    want.push(hash_of(&two));
                }
            }
            let got: Vec<Option<u64>> = got.into_iter().map(Some).collect();
            assert_eq!(got, want, "{word}");
        }
        // deleting either "l" of "hello" leaves "helo"
        let mut h = Vec::new();
        for_each_deletion(b"hello", 1, |x| h.push(x));
        assert_eq!(h[3], h[4]);
        assert_ne!(hash_of(b"helo"), hash_of(b"hell"));
    }

    #[test]
    fn bound_costs_round_down() {
        for x in [
            0.0,
            0.1,
            0.25,
            1.0 / 3.0,
            0.05 * 0.25,
            1e-40,
            7.5,
            f64::INFINITY,
        ] {
            let f = f32_at_most(x);
            assert!(f64::from(f) <= x, "{x}: {f}");
            // and by no more than one step
            assert!(
                f64::from(f32::from_bits(f.to_bits() + 1)) > x || f.is_infinite(),
                "{x}"
            );
        }
    }

    #[test]
    fn both_kinds_of_seen_set_agree() {
        let ids = [5u32, 70, 5, 1023, 64, 70, 0, 1023, 999];
        let mut few = SeenNames::for_walk(ids.len(), 1 << 20);
        let mut many = SeenNames::for_walk(ids.len(), 1024);
        assert!(matches!(few, SeenNames::Few(_)) && matches!(many, SeenNames::Many(_)));
        let a: Vec<bool> = ids.iter().map(|&id| few.insert(id)).collect();
        let b: Vec<bool> = ids.iter().map(|&id| many.insert(id)).collect();
        assert_eq!(a, b);
        assert_eq!(a, [true, true, false, true, true, false, true, false, true]);
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
