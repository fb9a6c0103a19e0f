//! What changed between two versions of the lists: entries added, removed,
//! and changed (by each entry's content hash), with the change field by
//! field — a new alias, a new birth date, a new programme.

use std::collections::BTreeSet;

use rustc_hash::FxHashMap;
use serde::Serialize;

use super::Entity;

/// The difference between two sets of list entries, by entry id.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ListDiff {
    /// Entries in the old version.
    pub old_entries: usize,
    /// Entries in the new version.
    pub new_entries: usize,
    /// Ids only the new version has.
    pub added: Vec<String>,
    /// Ids only the old version has.
    pub removed: Vec<String>,
    /// Entries both have whose content differs, with what differs.
    pub changed: Vec<EntryChange>,
    /// Entries both have, unchanged.
    pub unchanged: usize,
}

/// One entry whose content differs between the versions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EntryChange {
    /// The entry's id.
    pub id: String,
    /// Each field that differs.
    pub fields: Vec<FieldChange>,
}

/// What changed in one field of an entry: the values only the new version
/// has, and those only the old one has.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldChange {
    /// `names`, `birth_dates`, `countries`, `identifiers`, `addresses`,
    /// `programs`, `kind`, `status`, `category`, `listed_on`, `list`,
    /// `source_url`.
    pub field: &'static str,
    /// Values the new version adds.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub added: Vec<String>,
    /// Values the new version drops.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub removed: Vec<String>,
}

impl ListDiff {
    /// Whether the versions hold the same entries with the same content.
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty() && self.changed.is_empty()
    }

    /// The ids a re-screen must search for: added and changed entries.
    pub fn to_screen(&self) -> impl Iterator<Item = &str> {
        self.added
            .iter()
            .map(String::as_str)
            .chain(self.changed.iter().map(|c| c.id.as_str()))
    }
}

fn by_id(entities: &[Entity]) -> FxHashMap<&str, usize> {
    let mut m: FxHashMap<&str, usize> = FxHashMap::default();
    for (i, e) in entities.iter().enumerate() {
        m.entry(e.id.as_str()).or_insert(i);
    }
    m
}

/// Compares two versions of the lists (or of one list) entry by entry.
/// Ids repeated within one side count once (the first).
pub fn diff(old: &[Entity], new: &[Entity]) -> ListDiff {
    let old_ix = by_id(old);
    let new_ix = by_id(new);
    let mut out = ListDiff {
        old_entries: old_ix.len(),
        new_entries: new_ix.len(),
        ..ListDiff::default()
    };
    for (i, e) in new.iter().enumerate() {
        if new_ix.get(e.id.as_str()) != Some(&i) {
            continue;
        }
        match old_ix.get(e.id.as_str()) {
            None => out.added.push(e.id.clone()),
            Some(&j) => {
                let fields = field_changes(&old[j], e);
                if fields.is_empty() {
                    out.unchanged += 1;
                } else {
                    out.changed.push(EntryChange {
                        id: e.id.clone(),
                        fields,
                    });
                }
            }
        }
    }
    for (i, e) in old.iter().enumerate() {
        if old_ix.get(e.id.as_str()) == Some(&i) && !new_ix.contains_key(e.id.as_str()) {
            out.removed.push(e.id.clone());
        }
    }
    out
}

/// Each field of `a` → `b` that differs. Equal entries (by every field)
/// have none.
pub fn field_changes(a: &Entity, b: &Entity) -> Vec<FieldChange> {
    let mut out = Vec::new();
    let mut set = |field: &'static str, old: Vec<String>, new: Vec<String>| {
        let old: BTreeSet<String> = old.into_iter().collect();
        let new: BTreeSet<String> = new.into_iter().collect();
        if old != new {
            out.push(FieldChange {
                field,
                added: new.difference(&old).cloned().collect(),
                removed: old.difference(&new).cloned().collect(),
            });
        }
    };
    let names = |e: &Entity| {
        e.names()
            .map(|(n, s)| match s {
                super::AliasStrength::Strong => n.to_owned(),
                super::AliasStrength::Weak => format!("{n} (weak)"),
            })
            .collect()
    };
    set("names", names(a), names(b));
    let dates = |e: &Entity| e.birth_dates.iter().map(|d| d.to_string()).collect();
    set("birth_dates", dates(a), dates(b));
    set("countries", a.countries.clone(), b.countries.clone());
    let ids = |e: &Entity| {
        e.identifiers
            .iter()
            .map(|i| match &i.country {
                Some(c) => format!("{} {} ({c})", i.kind, i.value),
                None => format!("{} {}", i.kind, i.value),
            })
            .collect()
    };
    set("identifiers", ids(a), ids(b));
    let addresses = |e: &Entity| e.addresses.iter().map(|a| a.to_string()).collect();
    set("addresses", addresses(a), addresses(b));
    set("programs", a.programs.clone(), b.programs.clone());
    let one = |v: String| vec![v];
    let opt = |v: &Option<String>| v.iter().cloned().collect::<Vec<_>>();
    set(
        "kind",
        one(format!("{:?}", a.kind).to_lowercase()),
        one(format!("{:?}", b.kind).to_lowercase()),
    );
    set(
        "status",
        one(format!("{:?}", a.status).to_lowercase()),
        one(format!("{:?}", b.status).to_lowercase()),
    );
    set(
        "category",
        one(a.category.name().to_owned()),
        one(b.category.name().to_owned()),
    );
    set("listed_on", opt(&a.listed_on), opt(&b.listed_on));
    set("list", one(a.list.clone()), one(b.list.clone()));
    set("source_url", opt(&a.source_url), opt(&b.source_url));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lists::{Alias, AliasStrength, BirthDate, EntityKind};

    fn person(id: &str, name: &str) -> Entity {
        Entity::new(id, "t", EntityKind::Person, name)
    }

    #[test]
    fn added_removed_and_changed_entries_are_told_apart_field_by_field() {
        let mut a1 = person("t:1", "Ivan PETRENKO");
        a1.programs.push("UKRAINE-EO13660".into());
        let old = vec![
            a1.clone(),
            person("t:2", "Olena SHEVCHUK"),
            person("t:3", "Same"),
        ];
        let mut b1 = a1;
        b1.aliases.push(Alias {
            name: "Іван Петренко".into(),
            strength: AliasStrength::Strong,
        });
        b1.birth_dates.push(BirthDate::parse_iso("1970-01-02"));
        b1.programs.push("RUSSIA-EO14024".into());
        let new = vec![person("t:3", "Same"), b1, person("t:4", "New Person")];
        let d = diff(&old, &new);
        assert_eq!(d.added, ["t:4"]);
        assert_eq!(d.removed, ["t:2"]);
        assert_eq!(d.unchanged, 1);
        assert_eq!(d.changed.len(), 1);
        let fields: Vec<(&str, Vec<String>)> = d.changed[0]
            .fields
            .iter()
            .map(|f| (f.field, f.added.clone()))
            .collect();
        assert_eq!(
            fields,
            [
                ("names", vec!["Іван Петренко".to_owned()]),
                ("birth_dates", vec!["1970-01-02".to_owned()]),
                ("programs", vec!["RUSSIA-EO14024".to_owned()]),
            ]
        );
        assert_eq!(d.to_screen().collect::<Vec<_>>(), ["t:4", "t:1"]);
        assert!(diff(&new, &new).is_empty());
    }
}
