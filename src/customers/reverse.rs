//! The customer base indexed the other way round: the same name index the
//! lists are searched with, built over the customers' names, so that a list
//! update's new and changed entries are searched against the customers
//! instead of every customer against every list.
//!
//! The reverse search only finds candidates: it runs below the review
//! threshold (by [`CANDIDATE_MARGIN`]), and every candidate is then
//! screened forward, exactly as onboarding screens, so that a delta
//! re-screen opens the cases a full re-screen would — no more (the forward
//! screen decides) and, within the margin, no fewer.

use rustc_hash::FxHashMap;

use super::Customer;
use crate::lists::{Alias, AliasStrength, BirthDate, Entity, EntityKind};
use crate::model::PartyKind;
use crate::names::{MatchConfig, NameIndex, NameQuery};

/// How far below the review threshold the reverse search reaches: the
/// score of list name against customer name is not the score of customer
/// name against list name (a word only one side has costs differently),
/// so candidates are taken generously and the forward screen decides.
pub const CANDIDATE_MARGIN: f64 = 0.15;

/// Most customers one list name may bring as candidates.
pub const CANDIDATES_PER_NAME: usize = 2000;

/// A base this large is indexed in shards, one per core.
const SHARD_MIN_CUSTOMERS: usize = 100_000;

/// Customers' names, identifiers and wallets, searchable by a list entry.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub struct CustomerIndex {
    /// The name index of each shard of customers, with the position of its
    /// first customer: shards are built on all cores at once.
    names: Vec<(u32, NameIndex)>,
    identifiers: FxHashMap<String, Vec<u32>>,
    wallets: FxHashMap<String, Vec<u32>>,
    /// The same wallets lower-cased, for list addresses whose source lost
    /// their case ([`crate::CryptoAddress::case_folded`]).
    wallets_lower: FxHashMap<String, Vec<u32>>,
    /// Each position's customer id.
    ids: Vec<String>,
}

impl CustomerIndex {
    /// Indexes `customers` (positions in the slice are what searches return).
    pub fn build(customers: &[Customer], config: &MatchConfig) -> CustomerIndex {
        use rayon::prelude::*;
        let shards = if customers.len() >= SHARD_MIN_CUSTOMERS {
            rayon::current_num_threads().max(1)
        } else {
            1
        };
        let per_shard = customers.len().div_ceil(shards).max(1);
        // the roles are swapped: the list name is the query, the customer's
        // the indexed name, so each side's cost for a word without partner
        // is the other's
        let mut config = config.clone();
        std::mem::swap(
            &mut config.unmatched_query_cost,
            &mut config.unmatched_list_cost,
        );
        std::mem::swap(
            &mut config.query_middle_name_cost,
            &mut config.middle_name_cost,
        );
        let config = &config;
        let names: Vec<(u32, NameIndex)> = customers
            .par_chunks(per_shard)
            .enumerate()
            .map(|(s, chunk)| {
                let first = s * per_shard;
                let entities: Vec<Entity> = chunk
                    .iter()
                    .enumerate()
                    .map(|(i, c)| as_entity(first + i, c))
                    .collect();
                (first as u32, NameIndex::build(&entities, config.clone()))
            })
            .collect();
        let mut identifiers: FxHashMap<String, Vec<u32>> = FxHashMap::default();
        let mut wallets: FxHashMap<String, Vec<u32>> = FxHashMap::default();
        let mut wallets_lower: FxHashMap<String, Vec<u32>> = FxHashMap::default();
        for (i, c) in customers.iter().enumerate() {
            for id in &c.identifiers {
                let key = crate::model::normalize_identifier(&id.value);
                if !key.is_empty() {
                    identifiers.entry(key).or_default().push(i as u32);
                }
            }
            for w in &c.wallets {
                if let Ok(a) = crate::addresses::normalize(&w.chain, &w.address) {
                    wallets_lower
                        .entry(a.address.to_ascii_lowercase())
                        .or_default()
                        .push(i as u32);
                    wallets.entry(a.address).or_default().push(i as u32);
                }
            }
        }
        CustomerIndex {
            names,
            identifiers,
            wallets,
            wallets_lower,
            ids: customers.iter().map(|c| c.id.clone()).collect(),
        }
    }

    /// Customers indexed.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// Whether no customer is indexed.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// The id of the customer at `position` (as [`CustomerIndex::candidates`]
    /// gives it).
    pub fn id(&self, position: u32) -> Option<&str> {
        self.ids.get(position as usize).map(String::as_str)
    }

    /// The customers (positions, ascending, each once) that `entity` may
    /// hit: any of its names near any of theirs, or an identifier or
    /// wallet they share. `true` when a name brought as many customers as
    /// one search returns ([`CANDIDATES_PER_NAME`]): there may be more, and
    /// the caller should not rely on the list being whole.
    pub fn candidates(&self, entity: &Entity, out: &mut Vec<u32>) -> bool {
        if !entity.is_active() {
            return false;
        }
        let Some((_, first)) = self.names.first() else {
            return false;
        };
        let mut capped = false;
        let threshold = (first.config().review_threshold - CANDIDATE_MARGIN).max(0.05);
        let kind = match entity.kind {
            EntityKind::Person => Some(PartyKind::Person),
            EntityKind::Organization | EntityKind::Vessel | EntityKind::Aircraft => {
                Some(PartyKind::Organization)
            }
            EntityKind::Unknown => None,
        };
        let start = out.len();
        for (name, _) in entity.names() {
            if name.trim().is_empty() {
                continue;
            }
            let query = NameQuery {
                name,
                kind,
                ..NameQuery::default()
            };
            for (offset, shard) in &self.names {
                let hits = shard.search(&query, threshold, CANDIDATES_PER_NAME);
                capped |= hits.len() >= CANDIDATES_PER_NAME;
                for hit in hits {
                    out.push(offset + hit.entity as u32);
                }
            }
        }
        for id in &entity.identifiers {
            let key = crate::model::normalize_identifier(&id.value);
            if let Some(found) = self.identifiers.get(&key) {
                out.extend_from_slice(found);
            }
        }
        for a in &entity.addresses {
            let found = if a.case_folded {
                self.wallets_lower.get(&a.address.to_ascii_lowercase())
            } else {
                self.wallets.get(&a.address)
            };
            if let Some(found) = found {
                out.extend_from_slice(found);
            }
        }
        out[start..].sort_unstable();
        let mut kept = start;
        for i in start..out.len() {
            if i == start || out[i] != out[kept - 1] {
                out[kept] = out[i];
                kept += 1;
            }
        }
        out.truncate(kept);
        capped
    }
}

/// A customer as a "listed" entity of the reverse index.
fn as_entity(i: usize, c: &Customer) -> Entity {
    // the entity's position in its shard is what a search returns; the id
    // is only for a reader of the index
    let kind = match c.kind {
        PartyKind::Person => EntityKind::Person,
        PartyKind::Organization => EntityKind::Organization,
    };
    let mut names = c.names.iter().filter(|n| !n.trim().is_empty());
    let first = names.next().cloned().unwrap_or_default();
    let mut e = Entity::new(i.to_string(), "customers", kind, first);
    e.aliases = names
        .map(|n| Alias {
            name: n.clone(),
            strength: AliasStrength::Strong,
        })
        .collect();
    if let Some(b) = c.birth_date.as_deref() {
        e.birth_dates.push(BirthDate::parse_iso(b));
    }
    e
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lists::EntityKind;
    use crate::model::{PartyKind, Wallet};

    #[test]
    fn a_case_folded_list_address_finds_the_customer_holding_it_in_its_real_case() {
        let mut c = Customer::new("c-1", PartyKind::Person, "Ivan Petrenko");
        c.wallets.push(Wallet {
            chain: "TRX".into(),
            address: "TNiq9AxbP9ejuqhdhrwrFvaa8u3guqzh81".into(),
        });
        let index = CustomerIndex::build(&[c], &MatchConfig::default());
        let mut listed = Entity::new("x:1", "ofac", EntityKind::Unknown, "Zzzz Qqqq");
        let mut a =
            crate::addresses::normalize("TRX", "tniq9axbp9ejuqhdhrwrfvaa8u3guqzh81").unwrap();
        a.case_folded = true;
        listed.addresses.push(a);
        let mut found = Vec::new();
        index.candidates(&listed, &mut found);
        assert_eq!(found, [0]);
        assert_eq!(index.id(0), Some("c-1"));
        // without the mark, a lower-cased base58 address is another address
        listed.addresses[0].case_folded = false;
        found.clear();
        index.candidates(&listed, &mut found);
        assert!(found.is_empty());
    }
}
