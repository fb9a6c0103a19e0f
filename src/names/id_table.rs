//! Small sets and maps of dictionary and name ids, built per query.

use std::collections::hash_map::Entry;

use fixedbitset::FixedBitSet;
use rustc_hash::{FxHashMap, FxHashSet};

/// A small map from dictionary ids to row numbers, built per query so that
/// scoring a candidate looks each of its words up once instead of searching
/// every query word's neighbour list per word pair.
#[derive(Debug, Clone, Default)]
pub(super) struct IdTable {
    rows: FxHashMap<u32, u32>,
}

impl IdTable {
    /// A table for at most `capacity` ids.
    pub(super) fn with_capacity(capacity: usize) -> Self {
        IdTable {
            rows: FxHashMap::with_capacity_and_hasher(capacity, Default::default()),
        }
    }

    /// The row of `id`, inserting it as the next row if absent.
    pub(super) fn row_or_insert(&mut self, id: u32) -> (u32, bool) {
        let next = self.rows.len() as u32;
        match self.rows.entry(id) {
            Entry::Occupied(e) => (*e.get(), false),
            Entry::Vacant(e) => (*e.insert(next), true),
        }
    }

    pub(super) fn get(&self, id: u32) -> Option<u32> {
        self.rows.get(&id).copied()
    }
}

/// The names one search has met: a small hash set when few postings are
/// walked, a bit per list name when many are (a hash set of that size
/// would cost more to allocate and clear than the bits).
pub(super) enum SeenNames {
    Few(FxHashSet<u32>),
    Many(FixedBitSet),
}

impl SeenNames {
    pub(super) fn for_walk(walk: usize, names: usize) -> Self {
        // a hash set takes up to about 16 bytes per id, the bits 1/8 byte
        // per name
        if walk.saturating_mul(16) < names / 8 {
            SeenNames::Few(FxHashSet::with_capacity_and_hasher(
                walk,
                Default::default(),
            ))
        } else {
            SeenNames::Many(FixedBitSet::with_capacity(names))
        }
    }

    /// Whether `id` is new (and records it).
    pub(super) fn insert(&mut self, id: u32) -> bool {
        match self {
            SeenNames::Few(set) => set.insert(id),
            // an id beyond the names (only in a damaged snapshot) is never new
            SeenNames::Many(bits) => (id as usize) < bits.len() && !bits.put(id as usize),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
