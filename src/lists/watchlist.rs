//! The internal watchlist CSV (`source: watchlist`).
//!
//! Header `id,name,aliases,kind,birth_dates,countries,addresses,list`, UTF-8,
//! RFC 4180 quoting. Multi-valued fields are `|`-separated: aliases;
//! birth dates `YYYY-MM-DD` or `YYYY`; countries ISO 3166 alpha-2;
//! addresses `CHAIN:address`. `list` is a free label reported in hits.
//! Optional columns may follow, each at most once, in any order:
//! `identifiers` holds identity documents and registration numbers as
//! `type:value` or `type:value:COUNTRY`
//! (`passport:AB123456:UA|tax_id:3012345678`); `category` says what the
//! row's subject is listed as — `sanctions` (also when empty), `pep` or
//! `rca` (see [`super::Category`]).
//! A row that breaks these rules is a malformed record naming its line:
//! it refuses the list unless the source's `max_bad_rows` accepts it (then
//! it is skipped and reported). A wrong header, or a file ending inside a
//! quoted field, is an error for the whole file.

use super::csv_rows::{RowError, Rows};
use super::{
    read_file, sha256_hex, Alias, AliasStrength, BirthDate, Entity, EntityKind, ListError,
    ListSpec, LoadedList, SkippedRecord,
};
use crate::addresses;
use csv::StringRecord;

/// The required header, in order.
pub const HEADER: [&str; 8] = [
    "id",
    "name",
    "aliases",
    "kind",
    "birth_dates",
    "countries",
    "addresses",
    "list",
];

/// The optional identifiers column after [`HEADER`].
pub const OPTIONAL_COLUMN: &str = "identifiers";
/// The optional category column after [`HEADER`].
pub const CATEGORY_COLUMN: &str = "category";

/// Where the optional columns are, when the header has them.
#[derive(Debug, Clone, Copy, Default)]
struct Optional {
    identifiers: Option<usize>,
    category: Option<usize>,
}

/// Loads a watchlist CSV file.
pub fn load(spec: &ListSpec) -> Result<LoadedList, ListError> {
    let bytes = read_file(&spec.path)?;
    let sha256 = sha256_hex(&bytes);
    let (entities, skipped) = parse(&bytes, &spec.path)?;
    Ok(LoadedList::new(spec, None, sha256, entities, skipped))
}

/// Parses watchlist CSV bytes. Exposed for tests and for callers that hold
/// the bytes already.
pub fn parse(
    bytes: &[u8],
    path: &std::path::Path,
) -> Result<(Vec<Entity>, Vec<SkippedRecord>), ListError> {
    let mut rows = Rows::new(bytes);
    let header = match rows.next() {
        Some(Ok(row)) => row.record,
        Some(Err(RowError::Row { message, .. } | RowError::Truncated { message, .. })) => {
            return Err(ListError::format(
                path,
                "line 1",
                format!("cannot read header: {message}"),
            ))
        }
        None => StringRecord::new(),
    };
    let names: Vec<&str> = header.iter().map(str::trim).collect();
    let mut optional = Optional::default();
    let mut header_ok = names.len() >= HEADER.len() && names[..HEADER.len()] == HEADER;
    for (i, name) in names.iter().enumerate().skip(HEADER.len()) {
        let slot = match *name {
            OPTIONAL_COLUMN => &mut optional.identifiers,
            CATEGORY_COLUMN => &mut optional.category,
            _ => {
                header_ok = false;
                break;
            }
        };
        if slot.replace(i).is_some() {
            header_ok = false;
        }
    }
    if !header_ok {
        return Err(ListError::format(
            path,
            "line 1",
            format!(
                "header must be '{}' (optionally followed by ',{OPTIONAL_COLUMN}' and/or ',{CATEGORY_COLUMN}', each once), found '{}'",
                HEADER.join(","),
                names.join(",")
            ),
        ));
    }
    let width = names.len();
    let mut entities = Vec::new();
    let mut skipped = Vec::new();
    let mut seen_ids = std::collections::HashSet::new();
    for result in rows {
        let (line, record) = match result {
            Ok(row) => (row.line, row.record),
            Err(RowError::Row { line, message }) => {
                skipped.push(SkippedRecord {
                    record: format!("line {line}"),
                    reason: message,
                });
                continue;
            }
            Err(RowError::Truncated { line, message }) => {
                return Err(ListError::format(path, format!("line {line}"), message))
            }
        };
        match parse_row(&record, width, optional) {
            Ok(entity) => {
                if !seen_ids.insert(entity.id.clone()) {
                    skipped.push(SkippedRecord {
                        record: format!("line {line} (id {})", entity.id),
                        reason: "duplicate id".into(),
                    });
                } else {
                    entities.push(entity);
                }
            }
            Err((field, reason)) => skipped.push(SkippedRecord {
                record: format!(
                    "line {line}{}",
                    record
                        .get(0)
                        .filter(|id| !id.trim().is_empty())
                        .map(|id| format!(" (id {})", id.trim()))
                        .unwrap_or_default()
                ),
                reason: format!("field '{field}': {reason}"),
            }),
        }
    }
    Ok((entities, skipped))
}

fn split_multi(field: &str) -> impl Iterator<Item = &str> {
    field.split('|').map(str::trim).filter(|s| !s.is_empty())
}

fn parse_row(
    record: &StringRecord,
    expected: usize,
    optional: Optional,
) -> Result<Entity, (&'static str, String)> {
    if record.len() != expected {
        return Err((
            "row",
            format!("expected {expected} fields, found {}", record.len()),
        ));
    }
    let field = |i: usize| record.get(i).unwrap_or("").trim();
    let id = field(0);
    if id.is_empty() {
        return Err(("id", "empty".into()));
    }
    let name = field(1);
    if name.is_empty() {
        return Err(("name", "empty".into()));
    }
    let kind = match field(3) {
        "" | "unknown" => EntityKind::Unknown,
        "person" => EntityKind::Person,
        "organization" => EntityKind::Organization,
        "vessel" => EntityKind::Vessel,
        "aircraft" => EntityKind::Aircraft,
        other => {
            return Err((
                "kind",
                format!("'{other}' is not one of person, organization, vessel, aircraft, unknown"),
            ))
        }
    };
    let list = match field(7) {
        "" => "watchlist",
        l => l,
    };
    let mut entity = Entity::new(id, list, kind, name);
    entity.aliases = split_multi(field(2))
        .map(|a| Alias {
            name: a.to_owned(),
            strength: AliasStrength::Strong,
        })
        .collect();
    for d in split_multi(field(4)) {
        match BirthDate::parse_iso(d) {
            BirthDate::Text { .. } => {
                return Err(("birth_dates", format!("'{d}' is not YYYY-MM-DD or YYYY")))
            }
            date => entity.birth_dates.push(date),
        }
    }
    for c in split_multi(field(5)) {
        if c.len() != 2 || !c.bytes().all(|b| b.is_ascii_alphabetic()) {
            return Err((
                "countries",
                format!("'{c}' is not an ISO 3166 alpha-2 code"),
            ));
        }
        entity.countries.push(c.to_ascii_uppercase());
    }
    for a in split_multi(field(6)) {
        let (chain, address) = a
            .split_once(':')
            .ok_or(("addresses", format!("'{a}' is not CHAIN:address")))?;
        let normalized =
            addresses::normalize(chain, address).map_err(|e| ("addresses", e.to_string()))?;
        entity.addresses.push(normalized);
    }
    if let Some(column) = optional.category {
        let text = field(column);
        if !text.is_empty() {
            entity.category = super::Category::parse(text).ok_or((
                CATEGORY_COLUMN,
                format!("'{text}' is not one of sanctions, pep, rca"),
            ))?;
        }
    }
    if let Some(column) = optional.identifiers {
        for item in split_multi(field(column)) {
            let mut parts = item.splitn(3, ':').map(str::trim);
            let (kind, value) = match (parts.next(), parts.next()) {
                (Some(k), Some(v)) if !k.is_empty() && !v.is_empty() => (k, v),
                _ => {
                    return Err((
                        OPTIONAL_COLUMN,
                        format!("'{item}' is not type:value or type:value:COUNTRY"),
                    ))
                }
            };
            let country = match parts.next().filter(|c| !c.is_empty()) {
                None => None,
                Some(c) if c.len() == 2 && c.bytes().all(|b| b.is_ascii_alphabetic()) => {
                    Some(c.to_ascii_uppercase())
                }
                Some(c) => {
                    return Err((
                        OPTIONAL_COLUMN,
                        format!("'{c}' in '{item}' is not an ISO 3166 alpha-2 code"),
                    ))
                }
            };
            entity.identifiers.push(super::Identifier {
                kind: kind.to_ascii_lowercase(),
                value: value.to_owned(),
                country,
            });
        }
    }
    Ok(entity)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    const HEAD: &str = "id,name,aliases,kind,birth_dates,countries,addresses,list\n";

    #[test]
    fn parses_quoting_and_multi_values() {
        let csv = format!(
            "{HEAD}w1,\"PETRENKO, Ivan\",\"Ivan \"\"Vanya\"\" P|Иван Петренко\",person,1980-02-01|1981,ua|RU,ETH:0x8589427373D6D84E98730D7795D8f6f8731FDA16,internal\n"
        );
        let (entities, skipped) = parse(csv.as_bytes(), Path::new("w.csv")).unwrap();
        assert!(skipped.is_empty(), "{skipped:?}");
        let e = &entities[0];
        assert_eq!(e.name, "PETRENKO, Ivan");
        assert_eq!(e.aliases[0].name, "Ivan \"Vanya\" P");
        assert_eq!(e.aliases[1].name, "Иван Петренко");
        assert_eq!(e.birth_dates.len(), 2);
        assert_eq!(e.countries, ["UA", "RU"]);
        assert_eq!(
            e.addresses[0].address,
            "0x8589427373d6d84e98730d7795d8f6f8731fda16"
        );
        assert_eq!(e.list, "internal");
    }

    #[test]
    fn bad_rows_are_skipped_with_line_and_field() {
        let csv = format!(
            "{HEAD}w1,Good Name,,person,,,,\nw2,Bad Kind,,alien,,,,\nw3,Bad Date,,person,1980-13-01,,,\nw4,,,,,,,\nw5,Bad Addr,,,,,ETH:T123,\nw6,Too,few\n"
        );
        let (entities, skipped) = parse(csv.as_bytes(), Path::new("w.csv")).unwrap();
        assert_eq!(entities.len(), 1);
        let lines: Vec<&str> = skipped.iter().map(|s| s.record.as_str()).collect();
        assert_eq!(
            lines,
            [
                "line 3 (id w2)",
                "line 4 (id w3)",
                "line 5 (id w4)",
                "line 6 (id w5)",
                "line 7 (id w6)"
            ]
        );
        assert!(skipped[0].reason.contains("field 'kind'"));
        assert!(skipped[1].reason.contains("field 'birth_dates'"));
        assert!(skipped[2].reason.contains("field 'name'"));
        assert!(skipped[3].reason.contains("field 'addresses'"));
    }

    #[test]
    fn wrong_header_is_an_error_naming_the_file() {
        let err = parse(b"id,name\nx,y\n", Path::new("w.csv")).unwrap_err();
        let msg = err.to_string();
        assert!(msg.starts_with("w.csv: line 1: header must be"), "{msg}");
    }
}
