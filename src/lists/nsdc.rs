//! RNBO/NSDC State Register subjects, `/v2/subjects` JSON: `source: nsdc_json`.
//!
//! A JSON array of subjects, with or without an embedded `actions` array.
//! Each subject becomes `nsdc:<sid>`. `name` (Ukrainian) may be packed as
//! `ukr (rus, eng)`; it is split into the name and two aliases. A plain
//! parenthesis (`NAME (OTHER SPELLING)`) gives the outer name, and the inner
//! text as an alias when it is a full name rather than one word (a maiden
//! name or abbreviation). `aliases` (string or list) and `translit` are
//! aliases. `bd` is `dd.mm.YYYY`, a year, or free text kept as text.
//! `status` `active`/`expired`/`excluded` is kept: only active subjects
//! screen; a subject without a status is skipped, as the register means it.

use std::path::Path;

use serde_json::Value;

use super::{
    countries, dates, read_file, sha256_hex, Alias, AliasStrength, Entity, EntityKind,
    EntityStatus, Identifier, ListError, ListSpec, LoadedList, SkippedRecord,
};
use crate::lists::xml::collapse;

/// Loads an NSDC subjects JSON file.
pub fn load(spec: &ListSpec) -> Result<LoadedList, ListError> {
    let bytes = read_file(&spec.path)?;
    let sha256 = sha256_hex(&bytes);
    let (entities, skipped) = parse(&bytes, &spec.path)?;
    Ok(LoadedList::new(spec, None, sha256, entities, skipped))
}

/// Parses NSDC subjects JSON bytes.
pub fn parse(bytes: &[u8], path: &Path) -> Result<(Vec<Entity>, Vec<SkippedRecord>), ListError> {
    let subjects: Vec<Value> = serde_json::from_slice(bytes).map_err(|e| {
        ListError::format(
            path,
            format!("line {} column {}", e.line(), e.column()),
            format!("not an NSDC subjects JSON array: {e}"),
        )
    })?;
    let mut entities = Vec::with_capacity(subjects.len());
    let mut skipped = Vec::new();
    for (i, s) in subjects.iter().enumerate() {
        match subject(s) {
            Ok(e) => entities.push(e),
            Err(reason) => skipped.push(SkippedRecord {
                record: match s.get("sid") {
                    Some(sid) if !sid.is_null() => format!("sid {}", sid_text(sid)),
                    _ => format!("subject {}", i + 1),
                },
                reason,
            }),
        }
    }
    Ok((entities, skipped))
}

fn sid_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.trim().to_owned(),
        other => other.to_string(),
    }
}

fn str_of<'a>(s: &'a Value, key: &str) -> Option<&'a str> {
    s.get(key)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|t| !t.is_empty())
}

/// Splits a packed name into its names: `ukr (rus, eng)` → three;
/// `NAME (FULL OTHER NAME)` → two; `NAME (WORD)` → the outer name only.
pub fn split_packed(text: &str) -> Vec<String> {
    let text = collapse(text);
    if let Some(open) = text.find('(') {
        if text.ends_with(')') && open > 0 {
            let outer = text[..open].trim();
            let inner = &text[open + 1..text.len() - 1];
            if !inner.contains('(') {
                let mut out = vec![outer.to_owned()];
                let parts: Vec<&str> = inner.split(',').map(str::trim).collect();
                if parts.len() == 2 {
                    out.extend(
                        parts
                            .iter()
                            .filter(|p| !p.is_empty())
                            .map(|p| (*p).to_owned()),
                    );
                } else if inner.split_whitespace().count() >= 2 {
                    out.push(inner.trim().to_owned());
                }
                return out;
            }
        }
    }
    vec![text]
}

fn subject(s: &Value) -> Result<Entity, String> {
    let sid = s.get("sid").filter(|v| !v.is_null()).ok_or("no sid")?;
    let sid = sid_text(sid);
    if sid.is_empty() {
        return Err("empty sid".into());
    }
    let status = match str_of(s, "status") {
        Some("active") => EntityStatus::Active,
        Some("expired") => EntityStatus::Expired,
        Some("excluded") => EntityStatus::Excluded,
        Some(other) => {
            return Err(format!(
                "status '{other}' is not active, expired or excluded"
            ))
        }
        None => {
            return Err("no status: the register does not say the subject is sanctioned".into())
        }
    };
    let packed = str_of(s, "name").ok_or("no name")?;
    let mut names = split_packed(packed);
    let name = names.remove(0);
    let kind = match str_of(s, "subjectType") {
        Some("individual") => EntityKind::Person,
        Some("legal") => EntityKind::Organization,
        _ => EntityKind::Unknown,
    };
    let mut e = Entity::new(format!("nsdc:{sid}"), "nsdc", kind, name);
    e.status = status;
    let mut alias_texts: Vec<String> = names;
    match s.get("aliases") {
        Some(Value::String(a)) => alias_texts.extend(split_packed(a)),
        Some(Value::Array(list)) => {
            for a in list.iter().filter_map(Value::as_str) {
                alias_texts.extend(split_packed(a));
            }
        }
        _ => {}
    }
    if let Some(t) = str_of(s, "translit") {
        alias_texts.extend(split_packed(t));
    }
    for a in alias_texts {
        if !a.is_empty() && a != e.name && !e.aliases.iter().any(|x| x.name == a) {
            e.aliases.push(Alias {
                name: a,
                strength: AliasStrength::Strong,
            });
        }
    }
    if let Some(bd) = str_of(s, "bd") {
        e.birth_dates.push(dates::parse_dmy(bd, '.'));
    }
    if let Some(list) = s.get("citizenships").and_then(Value::as_array) {
        for c in list.iter().filter_map(Value::as_str) {
            countries::push_country(&mut e.countries, c);
        }
    }
    if let Some(ids) = s.get("identifiers").and_then(Value::as_array) {
        for id in ids {
            let Some(code) = str_of(id, "code") else {
                continue;
            };
            let kind = match str_of(id, "id") {
                Some(t) if t.contains("passport") => "passport".to_owned(),
                Some(t) if t.starts_with("tax:") => "tax".to_owned(),
                Some(t) if t.starts_with("reg:") => "registration".to_owned(),
                Some(t) => t.replace(':', "_"),
                None => "other".to_owned(),
            };
            let country = str_of(id, "iso2")
                .and_then(countries::iso2)
                .map(str::to_owned);
            for value in code.split(';').map(str::trim).filter(|v| !v.is_empty()) {
                e.identifiers.push(Identifier {
                    kind: kind.clone(),
                    value: value.to_owned(),
                    country: country.clone(),
                });
            }
        }
    }
    if let Some(actions) = s.get("actions").and_then(Value::as_array) {
        for a in actions {
            let decree = a.get("decree");
            if let Some(number) = decree.and_then(|d| str_of(d, "number")) {
                let program = format!("decree {number}");
                if !e.programs.contains(&program) {
                    e.programs.push(program);
                }
            }
            if e.listed_on.is_none() {
                e.listed_on = decree.and_then(|d| str_of(d, "date")).map(str::to_owned);
            }
            if e.source_url.is_none() {
                e.source_url = decree.and_then(|d| str_of(d, "link")).map(str::to_owned);
            }
        }
    }
    Ok(e)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lists::BirthDate;

    #[test]
    fn packed_names_split() {
        assert_eq!(
            split_packed("Іван ПЕТРОВ (Иван ПЕТРОВ, Ivan PETROV)"),
            ["Іван ПЕТРОВ", "Иван ПЕТРОВ", "Ivan PETROV"]
        );
        assert_eq!(
            split_packed("Лiлiя ЛУКАШЭНКА (СЯМАШКА)"),
            ["Лiлiя ЛУКАШЭНКА"]
        );
        assert_eq!(
            split_packed("Viktar SHEIMAN (Viktar SHEYMAN)"),
            ["Viktar SHEIMAN", "Viktar SHEYMAN"]
        );
    }

    #[test]
    fn subjects_with_and_without_actions_and_statuses() {
        let json = r#"[
          {"sid": 1, "subjectType": "individual", "name": "Іван ПЕТРОВ (Иван ПЕТРОВ, Ivan PETROV)",
           "aliases": "Vanya PETROV", "translit": "Ivan PETROV", "citizenships": ["RU", "LN"],
           "bd": "07.02.1956", "status": "active",
           "identifiers": [{"id": "tax:inn", "code": "123; 456", "iso2": "RU"}],
           "actions": [{"aid": 9, "decree": {"link": "https://x", "date": "2022-02-24", "number": "12/2022"}}]},
          {"sid": "2", "subjectType": "legal", "name": "ТОВ Ромашка", "aliases": [], "bd": "1957-1959 роки", "status": "expired"},
          {"sid": 3, "name": "No status", "status": null},
          {"name": "No sid", "status": "active"}
        ]"#;
        let (entities, skipped) = parse(json.as_bytes(), Path::new("n.json")).unwrap();
        assert_eq!(entities.len(), 2);
        let a = &entities[0];
        assert_eq!(a.id, "nsdc:1");
        assert_eq!(a.name, "Іван ПЕТРОВ");
        let names: Vec<&str> = a.aliases.iter().map(|x| x.name.as_str()).collect();
        assert_eq!(names, ["Иван ПЕТРОВ", "Ivan PETROV", "Vanya PETROV"]);
        assert_eq!(a.countries, ["RU"]);
        assert_eq!(a.identifiers.len(), 2);
        assert_eq!(a.listed_on.as_deref(), Some("2022-02-24"));
        assert!(matches!(a.birth_dates[0], BirthDate::Date { .. }));
        let b = &entities[1];
        assert_eq!(b.id, "nsdc:2");
        assert!(!b.is_active());
        assert!(matches!(b.birth_dates[0], BirthDate::Text { .. }));
        assert_eq!(skipped[0].record, "sid 3");
        assert_eq!(skipped[1].record, "subject 4");
    }

    #[test]
    fn not_json_is_an_error_with_position() {
        let err = parse(b"<sdnList/>", Path::new("n.json"))
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("n.json: line 1 column 1"), "{err}");
    }
}
