//! The symmetric-deletion dictionary: every deletion variant (up to two
//! bytes removed) of every dictionary word, hashed and bucketed, so that
//! the words within the edit budget of a query word are found by looking
//! up the query word's own variants instead of scanning the vocabulary.

use super::score::{edit_budget, unknown_word_edit_budget, MAX_WORD_LEN};
use super::MatchConfig;

/// Bits of a deletion hash used to find its bucket.
const DIRECTORY_BITS: u32 = 20;

/// Skeletons by their deletion variants: `(hash tag, word length, word id)`
/// entries grouped by bucket (the hash's top [`DIRECTORY_BITS`] bits) and a
/// directory from the bucket to where its entries start.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, Default)]
pub(super) struct DeletionDictionary {
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
    pub(super) fn over(words: &[Box<str>], config: &MatchConfig, widened: bool) -> Self {
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
    pub(super) fn lookup_many(&self, scratch: &mut LookupScratch, keep: impl Fn(u8) -> bool) {
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

/// Buffers one query reuses across its words' dictionary lookups.
#[derive(Debug, Default)]
pub(super) struct LookupScratch {
    pub(super) hashes: Vec<u64>,
    ranges: Vec<(u32, u32)>,
    pub(super) found: Vec<(u32, u8)>,
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
pub(super) fn for_each_deletion(word: &[u8], deletions: usize, f: impl FnMut(u64)) {
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
