//! Bounds that let a search skip work without losing a hit: which query
//! words need not have their postings walked ([`NameIndex::set_aside_words`]),
//! and an upper bound of a candidate's score from which query words can
//! pair with it at all ([`NameIndex::upper_bound`]), read from a compact
//! per-name [`NameBound`].

use super::index::ListToken;
use super::index::{NameEntry, NameIndex};
use super::query::PreparedQuery;
use super::score::{max_qualifier_bonus, MAX_TOKENS};

/// Queries with at most this many non-initial words choose the words to
/// set aside among all subsets (see `NameIndex::set_aside_words`).
const EXHAUSTIVE_SET_ASIDE_WORDS: usize = 8;

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
pub(super) struct NameBound {
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
    pub(super) fn of(name: &NameEntry, tokens: &[ListToken], person: bool) -> Self {
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

impl NameIndex {
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
    pub(super) fn set_aside_words(&self, q: &PreparedQuery, bound_threshold: f64) -> u32 {
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
    pub(super) fn upper_bound(&self, q: &PreparedQuery, name: &NameBound) -> f64 {
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
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
