//! FollowTheMoney entity exports (JSON lines): `source: ftm_json`.
//!
//! The format OpenSanctions publishes its datasets in (`entities.ftm.json`)
//! and most published PEP and sanctions datasets follow: one entity a
//! line, `{"id", "schema", "properties": {"name": [...], ...}}`, every
//! property a list of strings.
//!
//! - Matchable schemata become entities: `Person`; `Organization`,
//!   `Company`, `LegalEntity`, `PublicBody` (organisations); `Vessel`;
//!   `Airplane`. Each is `ftm:<id>`, listed as its first dataset (or
//!   `ftm`).
//! - Names: `name` (the first is the primary name), `alias` (strong),
//!   `weakAlias` (weak), `previousName`; a person without `name` is named
//!   from `firstName`, `middleName`, `fatherName`, `lastName`.
//! - `birthDate` (`YYYY`, `YYYY-MM`, `YYYY-MM-DD`), `nationality`,
//!   `citizenship`, `country`, `jurisdiction` (ISO codes, any case),
//!   `idNumber`, `passportNumber`, `taxNumber`, `innCode`, `ogrnCode`,
//!   `registrationNumber`, `imoNumber`, `program`, `sourceUrl`.
//! - `topics` set the category: `role.pep` a PEP, `role.rca` a relative
//!   or close associate, unless the topic `sanction` is there too (then
//!   sanctioned; `sanction.linked` and `sanction.counter` are not
//!   sanctions); without either, sanctioned. A list's `category:` in the
//!   config overrides it for every entity.
//! - Linked entities are joined to the entity they name: `Sanction`
//!   (`entity` → its `program`, `authority`, `startDate`), `CryptoWallet`
//!   (`holder` → `currency`:`publicKey` as a listed address),
//!   `Passport`/`Identification` (`holder` → `number` with `type` and
//!   `country`). Other schemata (addresses, relationships, …) are not
//!   screened and are skipped without complaint.
//! - A line that is not a JSON object, or an entity without `id` or
//!   `schema`, is a malformed record naming its line; a matchable entity
//!   without any name, likewise. Links to an entity the file lacks, and
//!   country codes that are no ISO alpha-2 code (FtM's `suhh`, `ua-cri`),
//!   are warnings (`lists stats --verbose` prints them).

use std::collections::HashMap;
use std::path::Path;

use serde_json::{Map, Value};

use super::{
    read_file, Alias, AliasStrength, BirthDate, Category, Entity, EntityKind, Identifier,
    ListError, ListSpec, LoadedList, SkippedRecord,
};

/// Loads a FollowTheMoney JSON-lines file.
pub fn load(spec: &ListSpec) -> Result<LoadedList, ListError> {
    let bytes = read_file(&spec.path)?;
    let sha256 = crate::util::sha256_hex(&bytes);
    let (entities, skipped, warnings) = parse(&bytes, &spec.path)?;
    let mut list = LoadedList::new(spec, None, sha256, entities, skipped);
    list.warnings = warnings;
    Ok(list)
}

fn kind_of(schema: &str) -> Option<EntityKind> {
    match schema {
        "Person" => Some(EntityKind::Person),
        "Organization" | "Company" | "LegalEntity" | "PublicBody" => Some(EntityKind::Organization),
        "Vessel" => Some(EntityKind::Vessel),
        "Airplane" => Some(EntityKind::Aircraft),
        _ => None,
    }
}

fn values<'a>(props: &'a Map<String, Value>, key: &str) -> impl Iterator<Item = &'a str> {
    props
        .get(key)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

/// Parses FollowTheMoney JSON lines: entities, malformed records, and
/// warnings (links to entities the file lacks).
#[allow(clippy::type_complexity)]
pub fn parse(
    bytes: &[u8],
    path: &Path,
) -> Result<(Vec<Entity>, Vec<SkippedRecord>, Vec<SkippedRecord>), ListError> {
    let text = std::str::from_utf8(bytes)
        .map_err(|e| ListError::format(path, format!("byte {}", e.valid_up_to()), "not UTF-8"))?;
    let mut entities: Vec<Entity> = Vec::new();
    let mut by_id: HashMap<String, usize> = HashMap::new();
    let mut skipped = Vec::new();
    // (line, schema, properties) of linked entities, joined after all are read
    let mut links: Vec<(usize, String, Map<String, Value>)> = Vec::new();
    // details of kept entities that could not be read
    let mut dropped: Vec<SkippedRecord> = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line_no = i + 1;
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let bad = |reason: String| SkippedRecord {
            record: format!("line {line_no}"),
            reason,
        };
        let value: Value = match serde_json::from_str(line) {
            Ok(v) => v,
            Err(e) => {
                skipped.push(bad(format!("not JSON: {e}")));
                continue;
            }
        };
        let Some(obj) = value.as_object() else {
            skipped.push(bad("not a JSON object".into()));
            continue;
        };
        let id = obj
            .get("id")
            .and_then(Value::as_str)
            .map(str::trim)
            .unwrap_or("");
        let schema = obj
            .get("schema")
            .and_then(Value::as_str)
            .map(str::trim)
            .unwrap_or("");
        if id.is_empty() || schema.is_empty() {
            skipped.push(bad("an entity needs 'id' and 'schema'".into()));
            continue;
        }
        let empty = Map::new();
        let props = obj
            .get("properties")
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        let Some(kind) = kind_of(schema) else {
            if matches!(
                schema,
                "Sanction" | "CryptoWallet" | "Passport" | "Identification"
            ) {
                links.push((line_no, schema.to_owned(), props.clone()));
            }
            continue;
        };
        let mut names: Vec<(String, AliasStrength)> = Vec::new();
        for n in values(props, "name")
            .chain(values(props, "alias"))
            .chain(values(props, "previousName"))
        {
            names.push((n.to_owned(), AliasStrength::Strong));
        }
        if names.is_empty() && kind == EntityKind::Person {
            let parts: Vec<&str> = ["firstName", "middleName", "fatherName", "lastName"]
                .iter()
                .filter_map(|k| values(props, k).next())
                .collect();
            if !parts.is_empty() {
                names.push((parts.join(" "), AliasStrength::Strong));
            }
        }
        if names.is_empty() {
            // a caption is what the exporter shows; better than nothing
            if let Some(c) = obj
                .get("caption")
                .and_then(Value::as_str)
                .filter(|c| !c.trim().is_empty())
            {
                names.push((c.trim().to_owned(), AliasStrength::Strong));
            }
        }
        names.extend(values(props, "weakAlias").map(|n| (n.to_owned(), AliasStrength::Weak)));
        let Some((first, _)) = names.first().cloned() else {
            skipped.push(SkippedRecord {
                record: format!("line {line_no} (id {id})"),
                reason: "no name".into(),
            });
            continue;
        };
        let list = obj
            .get("datasets")
            .and_then(Value::as_array)
            .and_then(|d| d.first())
            .and_then(Value::as_str)
            .unwrap_or("ftm");
        let mut e = Entity::new(format!("ftm:{id}"), list, kind, first.clone());
        let mut seen = vec![first];
        for (n, strength) in names.into_iter().skip(1) {
            if !seen.contains(&n) {
                seen.push(n.clone());
                e.aliases.push(Alias { name: n, strength });
            }
        }
        for d in values(props, "birthDate") {
            let date = BirthDate::parse_iso(d);
            if !e.birth_dates.contains(&date) {
                e.birth_dates.push(date);
            }
        }
        for key in ["nationality", "citizenship", "country", "jurisdiction"] {
            for c in values(props, key) {
                let code = c.to_ascii_uppercase();
                if code.len() != 2 || !code.bytes().all(|b| b.is_ascii_alphabetic()) {
                    // FtM's historic or regional codes (`suhh`, `ua-cri`):
                    // not a country this engine compares; said, not dropped
                    dropped.push(SkippedRecord {
                        record: format!("line {line_no} (id {id})"),
                        reason: format!("{key} '{c}' is not an ISO 3166 alpha-2 code: not kept"),
                    });
                } else if !e.countries.contains(&code) {
                    e.countries.push(code);
                }
            }
        }
        for (key, label) in [
            ("idNumber", "national_id"),
            ("passportNumber", "passport"),
            ("taxNumber", "tax_id"),
            ("innCode", "tax_id"),
            ("ogrnCode", "registration"),
            ("registrationNumber", "registration"),
            ("imoNumber", "imo"),
        ] {
            for v in values(props, key) {
                e.identifiers.push(Identifier {
                    kind: label.into(),
                    value: v.to_owned(),
                    country: None,
                });
            }
        }
        e.programs
            .extend(values(props, "program").map(str::to_owned));
        e.source_url = values(props, "sourceUrl").next().map(str::to_owned);
        let topics: Vec<&str> = values(props, "topics").collect();
        // `sanction` only: `sanction.linked` (linked to a sanctioned
        // subject) and `sanction.counter` (sanctioned by a state in
        // retaliation, such as Russia's lists of Western officials) are not
        // sanctions this engine freezes on
        let sanctioned = topics.contains(&"sanction");
        e.category = if sanctioned {
            Category::Sanctions
        } else if topics.contains(&"role.pep") {
            Category::Pep
        } else if topics.contains(&"role.rca") {
            Category::Rca
        } else {
            Category::Sanctions
        };
        by_id.insert(id.to_owned(), entities.len());
        entities.push(e);
    }
    let mut warnings = dropped;
    for (line_no, schema, props) in links {
        let key = if schema == "Sanction" {
            "entity"
        } else {
            "holder"
        };
        let targets: Vec<&str> = values(&props, key).collect();
        if targets.is_empty() {
            warnings.push(SkippedRecord {
                record: format!("line {line_no} ({schema})"),
                reason: format!("no '{key}': it names no entity"),
            });
            continue;
        }
        for target in targets {
            let Some(&i) = by_id.get(target) else {
                warnings.push(SkippedRecord {
                    record: format!("line {line_no} ({schema})"),
                    reason: format!("'{key}' {target} is no entity of the file"),
                });
                continue;
            };
            let e = &mut entities[i];
            match schema.as_str() {
                "Sanction" => {
                    for p in values(&props, "program").chain(values(&props, "authority")) {
                        if !e.programs.iter().any(|x| x == p) {
                            e.programs.push(p.to_owned());
                        }
                    }
                    if e.listed_on.is_none() {
                        e.listed_on = values(&props, "startDate").next().map(str::to_owned);
                    }
                    // a sanction on a PEP makes the subject sanctioned
                    e.category = Category::Sanctions;
                }
                "CryptoWallet" => {
                    let currency = values(&props, "currency").next().unwrap_or("");
                    for key in values(&props, "publicKey") {
                        match crate::addresses::normalize(currency, key) {
                            Ok(a) => e.addresses.push(a),
                            Err(err) => warnings.push(SkippedRecord {
                                record: format!("line {line_no} (CryptoWallet of {target})"),
                                reason: format!(
                                    "address '{key}' ({currency}) dropped: {}",
                                    err.reason
                                ),
                            }),
                        }
                    }
                }
                _ => {
                    let kind = values(&props, "type")
                        .next()
                        .unwrap_or(if schema == "Passport" {
                            "passport"
                        } else {
                            "identifier"
                        });
                    let country = values(&props, "country")
                        .next()
                        .map(str::to_ascii_uppercase)
                        .filter(|c| c.len() == 2);
                    for number in values(&props, "number") {
                        e.identifiers.push(Identifier {
                            kind: kind.to_ascii_lowercase(),
                            value: number.to_owned(),
                            country: country.clone(),
                        });
                    }
                }
            }
        }
    }
    Ok((entities, skipped, warnings))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn persons_companies_topics_and_linked_entities() {
        let text = concat!(
            r#"{"id":"p1","schema":"Person","datasets":["ua_peps"],"properties":{"name":["Ivan Petrenko"],"alias":["Іван Петренко"],"weakAlias":["Vanya"],"birthDate":["1970-05-02"],"nationality":["ua"],"topics":["role.pep"],"position":["Member of Parliament"]}}"#,
            "\n",
            r#"{"id":"p2","schema":"Person","properties":{"firstName":["Olena"],"lastName":["Shevchuk"],"topics":["role.rca"]}}"#,
            "\n",
            r#"{"id":"c1","schema":"Company","datasets":["us_ofac_sdn"],"properties":{"name":["Garantex Europe OU"],"jurisdiction":["ee"],"registrationNumber":["14825812"],"topics":["sanction"]}}"#,
            "\n",
            r#"{"id":"s1","schema":"Sanction","properties":{"entity":["c1"],"program":["CYBER2"],"authority":["OFAC"],"startDate":["2022-04-05"]}}"#,
            "\n",
            r#"{"id":"w1","schema":"CryptoWallet","properties":{"holder":["c1"],"currency":["ETH"],"publicKey":["0x8589427373d6d84e98730d7795d8f6f8731fda16"]}}"#,
            "\n",
            r#"{"id":"id1","schema":"Passport","properties":{"holder":["p1"],"number":["FE123456"],"country":["ua"]}}"#,
            "\n",
            r#"{"id":"a1","schema":"Address","properties":{"full":["Kyiv"]}}"#,
            "\n",
            r#"{"id":"s2","schema":"Sanction","properties":{"entity":["nobody"],"program":["X"]}}"#,
            "\n",
        );
        let (entities, skipped, warnings) = parse(text.as_bytes(), Path::new("f.json")).unwrap();
        assert!(skipped.is_empty(), "{skipped:?}");
        assert_eq!(entities.len(), 3);
        let p1 = &entities[0];
        assert_eq!((p1.id.as_str(), p1.list.as_str()), ("ftm:p1", "ua_peps"));
        assert_eq!(p1.category, Category::Pep);
        assert_eq!(p1.aliases.len(), 2);
        assert_eq!(p1.aliases[1].strength, AliasStrength::Weak);
        assert_eq!(p1.countries, ["UA"]);
        assert_eq!(p1.identifiers[0].value, "FE123456");
        assert_eq!(p1.identifiers[0].country.as_deref(), Some("UA"));
        assert_eq!(entities[1].name, "Olena Shevchuk");
        assert_eq!(entities[1].category, Category::Rca);
        let c1 = &entities[2];
        assert_eq!(c1.kind, EntityKind::Organization);
        assert_eq!(c1.category, Category::Sanctions);
        assert_eq!(c1.programs, ["CYBER2", "OFAC"]);
        assert_eq!(c1.listed_on.as_deref(), Some("2022-04-05"));
        assert_eq!(c1.addresses.len(), 1);
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(warnings[0].reason.contains("nobody"));
    }

    #[test]
    fn a_country_code_this_engine_cannot_compare_is_a_warning_not_a_silent_drop() {
        let text = r#"{"id":"p1","schema":"Person","properties":{"name":["Ivan Petrenko"],"nationality":["suhh","ua"]}}"#;
        let (entities, _, warnings) = parse(text.as_bytes(), Path::new("f.json")).unwrap();
        assert_eq!(entities[0].countries, ["UA"]);
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(
            warnings[0].reason.contains("nationality 'suhh'"),
            "{warnings:?}"
        );
    }

    #[test]
    fn a_counter_sanction_or_a_link_to_a_sanctioned_subject_is_no_sanction() {
        let text = concat!(
            r#"{"id":"us1","schema":"Person","properties":{"name":["John Smith"],"topics":["role.pep","sanction.counter"]}}"#,
            "\n",
            r#"{"id":"l1","schema":"Company","properties":{"name":["Front LLC"],"topics":["sanction.linked"]}}"#,
            "\n",
        );
        let (entities, _, _) = parse(text.as_bytes(), Path::new("f.json")).unwrap();
        assert_eq!(entities[0].category, Category::Pep);
        // linked, no role: what the list is loaded as (sanctions by default)
        assert_eq!(entities[1].category, Category::Sanctions);
    }

    #[test]
    fn a_broken_line_or_a_nameless_entity_is_a_malformed_record() {
        let text = "{\"id\":\"p1\",\"schema\":\"Person\",\"properties\":{}}\nnot json\n{\"schema\":\"Person\"}\n";
        let (entities, skipped, _) = parse(text.as_bytes(), Path::new("f.json")).unwrap();
        assert!(entities.is_empty());
        let records: Vec<&str> = skipped.iter().map(|s| s.record.as_str()).collect();
        assert_eq!(records, ["line 1 (id p1)", "line 2", "line 3"]);
    }
}
