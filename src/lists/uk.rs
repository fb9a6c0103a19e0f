//! United Kingdom lists: the FCDO UK Sanctions List XML (`source: uk_xml`)
//! and the legacy OFSI consolidated list CSV (`source: uk_conlist_csv`).
//!
//! XML: each `Designation` becomes `uk:<UniqueID>`; the version is
//! `DateGenerated`. Names are built `Name1`…`Name5` then `Name6` (the
//! family or whole name); the first `Primary Name` is the display name,
//! `Low quality a.k.a` aliases are weak, non-Latin names are strong aliases.
//!
//! ConList CSV: Windows-1252; line 1 `Last Updated,DD/MM/YYYY` (the
//! version), line 2 the header, then one row per *name*; rows are grouped
//! into entities `uk:<Group ID>`, the `Prime Alias` row giving the name.

use std::collections::HashMap;
use std::path::Path;

use super::csv_rows::{RowError, Rows};
use super::xml::{self, Node};
use super::{
    countries, dates, Alias, AliasStrength, Entity, EntityKind, Identifier, ListError, ListSpec,
    LoadedList, SkippedRecord,
};

/// Loads a UK Sanctions List XML file.
pub fn load_xml(spec: &ListSpec) -> Result<LoadedList, ListError> {
    super::load_parsed(spec, parse_xml)
}

/// Parses UK Sanctions List XML bytes.
pub fn parse_xml(bytes: &[u8], path: &Path) -> Result<super::ParsedRecords, ListError> {
    let mut version = None;
    let mut entities = Vec::new();
    let mut skipped = Vec::new();
    xml::stream(
        bytes,
        path,
        &["Designations"],
        |name, depth| depth == 1 && (name == "Designation" || name == "DateGenerated"),
        |_| {},
        |node, position| {
            if node.name == "DateGenerated" {
                version = node.text_opt().map(str::to_owned);
                return;
            }
            match designation(&node) {
                Ok(e) => entities.push(e),
                Err(reason) => skipped.push(SkippedRecord {
                    record: node
                        .child_text("UniqueID")
                        .map(str::to_owned)
                        .unwrap_or_else(|| position.to_owned()),
                    reason,
                }),
            }
        },
    )?;
    Ok((version, entities, skipped))
}

fn uk_name(name: &Node) -> Option<String> {
    let parts: Vec<&str> = ["Name1", "Name2", "Name3", "Name4", "Name5", "Name6"]
        .iter()
        .filter_map(|n| name.child_text(n))
        .collect();
    (!parts.is_empty()).then(|| xml::collapse(&parts.join(" ")))
}

/// Paths under a designation: `IndividualDetails/Individual/DOBs/DOB` …
fn deep<'a>(node: &'a Node, path: &'a [&'a str]) -> Vec<&'a Node> {
    let mut current = vec![node];
    for step in path {
        current = current
            .into_iter()
            .flat_map(|n| n.children_named(step))
            .collect();
    }
    current
}

fn designation(node: &Node) -> Result<Entity, String> {
    let id = node.child_text("UniqueID").ok_or("no UniqueID")?;
    let kind = match node.child_text("IndividualEntityShip") {
        Some("Individual") => EntityKind::Person,
        Some("Entity") => EntityKind::Organization,
        Some("Ship") => EntityKind::Vessel,
        _ => EntityKind::Unknown,
    };
    let mut primary: Option<String> = None;
    let mut aliases: Vec<Alias> = Vec::new();
    for name in node.items("Names", "Name") {
        let Some(text) = uk_name(name) else { continue };
        if primary.is_none() && name.child_text("NameType") == Some("Primary Name") {
            primary = Some(text);
            continue;
        }
        let strength = match name.child_text("AliasStrength") {
            Some(s) if s.to_ascii_lowercase().starts_with("low") => AliasStrength::Weak,
            _ => AliasStrength::Strong,
        };
        aliases.push(Alias {
            name: text,
            strength,
        });
    }
    for n in node.items("NonLatinNames", "NonLatinName") {
        if let Some(text) = n.child_text("NameNonLatinScript") {
            aliases.push(Alias {
                name: xml::collapse(text),
                strength: AliasStrength::Strong,
            });
        }
    }
    let name = match primary {
        Some(p) => p,
        None if !aliases.is_empty() => aliases.remove(0).name,
        None => return Err("no names".into()),
    };
    let mut e = Entity::new(format!("uk:{id}"), "uk", kind, name);
    aliases.retain(|a| a.name != e.name);
    e.aliases = aliases;
    e.programs = node
        .child_text("RegimeName")
        .map(str::to_owned)
        .into_iter()
        .collect();
    e.listed_on = node.child_text("DateDesignated").map(str::to_owned);
    e.source_url = Some(format!("UK Sanctions List {id}"));
    for dob in deep(node, &["IndividualDetails", "Individual", "DOBs", "DOB"]) {
        if let Some(t) = dob.text_opt() {
            e.birth_dates.push(dates::parse_dmy(t, '/'));
        }
    }
    for n in deep(
        node,
        &[
            "IndividualDetails",
            "Individual",
            "Nationalities",
            "Nationality",
        ],
    ) {
        if let Some(t) = n.text_opt() {
            countries::push_country(&mut e.countries, t);
        }
    }
    let mut push_id = |kind: &str, value: Option<&str>| {
        if let Some(v) = value {
            let id = Identifier {
                kind: kind.into(),
                value: v.to_owned(),
                country: None,
            };
            if !e.identifiers.contains(&id) {
                e.identifiers.push(id);
            }
        }
    };
    for p in deep(
        node,
        &[
            "IndividualDetails",
            "Individual",
            "PassportDetails",
            "Passport",
        ],
    ) {
        push_id("passport", p.child_text("PassportNumber"));
    }
    for p in deep(
        node,
        &[
            "IndividualDetails",
            "Individual",
            "NationalIdentifierDetails",
            "NationalIdentifier",
        ],
    ) {
        push_id("national_id", p.child_text("NationalIdentifierNumber"));
    }
    for r in deep(
        node,
        &[
            "EntityDetails",
            "Entity",
            "BusinessRegistrationNumbers",
            "BusinessRegistrationNumber",
        ],
    ) {
        push_id("registration", r.text_opt());
    }
    for r in deep(node, &["ShipDetails", "Ship", "IMONumbers", "IMONumber"]) {
        push_id("imo", r.text_opt());
    }
    Ok(e)
}

/// Loads a legacy OFSI ConList CSV file (Windows-1252).
pub fn load_conlist(spec: &ListSpec) -> Result<LoadedList, ListError> {
    super::load_parsed(spec, parse_conlist)
}

/// The ConList columns the loader reads; the header must name them all.
const CONLIST_COLUMNS: [&str; 16] = [
    "Name 6",
    "Name 1",
    "Name 2",
    "Name 3",
    "Name 4",
    "Name 5",
    "DOB",
    "Nationality",
    "Passport Details",
    "NI Number",
    "Group Type",
    "Alias Type",
    "Regime",
    "Listed On",
    "Group ID",
    "Country",
];

/// Parses ConList CSV bytes: returns the version, entities and skipped rows.
pub fn parse_conlist(bytes: &[u8], path: &Path) -> Result<super::ParsedRecords, ListError> {
    let (text, _, _) = encoding_rs::WINDOWS_1252.decode(bytes);
    let (first, rest) = text.split_once('\n').unwrap_or((&text, ""));
    let version = match first.trim().split_once(',') {
        Some(("Last Updated", date)) => Some(date.trim().to_owned()),
        _ => {
            return Err(ListError::format(
                path,
                "line 1",
                format!(
                    "expected 'Last Updated,DD/MM/YYYY', found '{}'",
                    first.trim()
                ),
            ))
        }
    };
    let mut rows = Rows::new(rest.as_bytes());
    let header = match rows.next() {
        Some(Ok(row)) => row.record,
        Some(Err(RowError::Row { message, .. } | RowError::Truncated { message, .. })) => {
            return Err(ListError::format(
                path,
                "line 2",
                format!("cannot read header: {message}"),
            ))
        }
        None => csv::StringRecord::new(),
    };
    let mut col = HashMap::new();
    for (i, h) in header.iter().enumerate() {
        col.insert(h.trim().to_owned(), i);
    }
    for c in CONLIST_COLUMNS {
        if !col.contains_key(c) {
            return Err(ListError::format(
                path,
                "line 2",
                format!("header lacks column '{c}'"),
            ));
        }
    }
    let get = |r: &csv::StringRecord, c: &str| -> String {
        col.get(c)
            .and_then(|&i| r.get(i))
            .map(str::trim)
            .unwrap_or("")
            .to_owned()
    };
    let mut order: Vec<String> = Vec::new();
    let mut groups: HashMap<String, Entity> = HashMap::new();
    let mut skipped = Vec::new();
    for result in rows {
        let (line, r) = match result {
            // line 1 of `rest` is line 2 of the file
            Ok(row) => (row.line + 1, row.record),
            Err(RowError::Row { line, message }) => {
                skipped.push(SkippedRecord {
                    record: format!("line {}", line + 1),
                    reason: message,
                });
                continue;
            }
            Err(RowError::Truncated { line, message }) => {
                return Err(ListError::format(
                    path,
                    format!("line {}", line + 1),
                    message,
                ))
            }
        };
        let group = get(&r, "Group ID");
        let parts: Vec<String> = ["Name 1", "Name 2", "Name 3", "Name 4", "Name 5", "Name 6"]
            .iter()
            .map(|c| get(&r, c))
            .filter(|p| !p.is_empty())
            .collect();
        if group.is_empty() || parts.is_empty() {
            skipped.push(SkippedRecord {
                record: format!("line {line}"),
                reason: if group.is_empty() {
                    "no Group ID".into()
                } else {
                    "no name".into()
                },
            });
            continue;
        }
        let name = xml::collapse(&parts.join(" "));
        let prime = get(&r, "Alias Type").eq_ignore_ascii_case("Prime Alias");
        let e = groups.entry(group.clone()).or_insert_with(|| {
            order.push(group.clone());
            let kind = match get(&r, "Group Type").as_str() {
                "Individual" => EntityKind::Person,
                "Entity" => EntityKind::Organization,
                "Ship" => EntityKind::Vessel,
                _ => EntityKind::Unknown,
            };
            let mut e = Entity::new(format!("uk:{group}"), "uk", kind, String::new());
            let regime = get(&r, "Regime");
            if !regime.is_empty() {
                e.programs.push(regime);
            }
            e.listed_on = Some(get(&r, "Listed On")).filter(|s| !s.is_empty());
            e.source_url = Some(format!("OFSI ConList Group ID {group}"));
            e
        });
        if prime && e.name.is_empty() {
            e.name = name;
        } else if e.name != name && !e.aliases.iter().any(|a| a.name == name) {
            e.aliases.push(Alias {
                name,
                strength: AliasStrength::Strong,
            });
        }
        let dob = get(&r, "DOB");
        if !dob.is_empty() {
            let d = dates::parse_dmy(&dob, '/');
            if !e.birth_dates.contains(&d) {
                e.birth_dates.push(d);
            }
        }
        for n in split_numbered(&get(&r, "Nationality")) {
            countries::push_country(&mut e.countries, n);
        }
    }
    let mut entities = Vec::with_capacity(order.len());
    for g in order {
        if let Some(mut e) = groups.remove(&g) {
            if e.name.is_empty() {
                // no Prime Alias row: promote the first alias
                if e.aliases.is_empty() {
                    continue;
                }
                e.name = e.aliases.remove(0).name;
            }
            entities.push(e);
        }
    }
    Ok((version, entities, skipped))
}

/// Splits OFSI's `(1) German (2) Moroccan` lists.
fn split_numbered(s: &str) -> Vec<&str> {
    s.split(['(', ')'])
        .map(str::trim)
        .filter(|p| !p.is_empty() && !p.bytes().all(|b| b.is_ascii_digit()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lists::BirthDate;

    #[test]
    fn xml_names_order_strength_and_details() {
        let xml = r#"<?xml version="1.0" encoding="utf-8"?>
<Designations><DateGenerated>10/09/2026</DateGenerated>
<Designation><UniqueID>AFG0006</UniqueID><DateDesignated>25/01/2001</DateDesignated>
<Names><Name><Name1>MOHAMMAD</Name1><Name2>HASSAN</Name2><Name6>AKHUND</Name6><NameType>Primary Name</NameType></Name>
<Name><Name6>Mullah Hassan</Name6><NameType>Alias</NameType><AliasStrength>Low quality a.k.a</AliasStrength></Name></Names>
<NonLatinNames><NonLatinName><NameNonLatinScript>محمد حسن آخوند</NameNonLatinScript></NonLatinName></NonLatinNames>
<RegimeName>The Afghanistan (Sanctions) (EU Exit) Regulations 2020</RegimeName><IndividualEntityShip>Individual</IndividualEntityShip>
<IndividualDetails><Individual><DOBs><DOB>dd/mm/1945</DOB></DOBs><Nationalities><Nationality>Afghanistan</Nationality></Nationalities>
<PassportDetails><Passport><PassportNumber>P1</PassportNumber></Passport><Passport><PassportNumber>P1</PassportNumber></Passport></PassportDetails></Individual></IndividualDetails>
</Designation>
<Designation><UniqueID>X</UniqueID></Designation>
</Designations>"#;
        let (version, entities, skipped) = parse_xml(xml.as_bytes(), Path::new("uk.xml")).unwrap();
        assert_eq!(version.as_deref(), Some("10/09/2026"));
        let e = &entities[0];
        assert_eq!(e.id, "uk:AFG0006");
        assert_eq!(e.name, "MOHAMMAD HASSAN AKHUND");
        assert_eq!(e.aliases[0].strength, AliasStrength::Weak);
        assert_eq!(e.aliases[1].name, "محمد حسن آخوند");
        assert_eq!(e.birth_dates, [BirthDate::Year { year: 1945 }]);
        assert_eq!(e.countries, ["AF"]);
        assert_eq!(e.identifiers.len(), 1);
        assert_eq!(skipped[0].record, "X");
    }

    #[test]
    fn conlist_groups_rows_and_decodes_windows_1252() {
        let mut csv = b"Last Updated,12/02/2016\r\nName 6,Name 1,Name 2,Name 3,Name 4,Name 5,Title,DOB,Nationality,Passport Details,NI Number,Country,Group Type,Alias Type,Regime,Listed On,Group ID\r\n".to_vec();
        csv.extend_from_slice(b"ABU ABDA,Mohamed,,,,,,05/02/1969,(1) Tunisian (2) German,,,,Individual,Prime Alias,Al-Qaida,24/04/2002,7087\r\n");
        csv.extend_from_slice(b"LAKHAL,Mohamed,,,,,,05/02/1969,Tunisian,,,,Individual,AKA,Al-Qaida,24/04/2002,7087\r\n");
        csv.extend_from_slice(b"CAF\xc9 NOIR,,,,,,,,,,,,Entity,Prime Alias,Libya,01/01/2011,9\r\n");
        csv.extend_from_slice(b",,,,,,,,,,,,Entity,AKA,Libya,01/01/2011,10\r\n");
        let (version, entities, skipped) = parse_conlist(&csv, Path::new("c.csv")).unwrap();
        assert_eq!(version.as_deref(), Some("12/02/2016"));
        assert_eq!(entities.len(), 2);
        assert_eq!(entities[0].name, "Mohamed ABU ABDA");
        assert_eq!(entities[0].aliases[0].name, "Mohamed LAKHAL");
        assert_eq!(entities[0].countries, ["TN", "DE"]);
        assert_eq!(entities[1].name, "CAFÉ NOIR");
        assert_eq!(skipped.len(), 1);
        assert_eq!(skipped[0].record, "line 6");
    }

    #[test]
    fn conlist_wrong_first_line_is_an_error() {
        let err = parse_conlist(b"id,name\n", Path::new("c.csv"))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("c.csv: line 1: expected 'Last Updated"),
            "{err}"
        );
    }
}
