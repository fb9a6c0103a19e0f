//! EU Financial Sanctions Files XML (`xmlFullSanctionsList_1_1`):
//! `source: eu_fsf_xml`.
//!
//! Namespace-agnostic. The version is the root's `generationDate` plus
//! `globalFileId`. Each `sanctionEntity` becomes `eu:<logicalId>`.
//! There is no primary-name flag and nearly every alias says
//! `strong="true"`, so the display name is the first strong Latin-script
//! `nameAlias` in English or without language; every other name is an
//! alias, kept in its script. An alias is weak when `strong="false"` or a
//! remark calls it low quality (`low quality alias`, `lo quality`, …).

use std::path::Path;

use super::xml::{self, Node};
use super::{
    Alias, AliasStrength, BirthDate, Entity, EntityKind, Identifier, ListError, ListSpec,
    LoadedList, SkippedRecord,
};

/// Loads an EU FSF XML file.
pub fn load(spec: &ListSpec) -> Result<LoadedList, ListError> {
    super::load_parsed(spec, parse)
}

/// Parses EU FSF XML bytes into the version, entities and skipped records.
pub fn parse(bytes: &[u8], path: &Path) -> Result<super::ParsedRecords, ListError> {
    let mut version = None;
    let mut entities = Vec::new();
    let mut skipped = Vec::new();
    xml::stream(
        bytes,
        path,
        &["export"],
        |name, depth| depth == 1 && name == "sanctionEntity",
        |root| {
            version = match (root.attr("generationDate"), root.attr("globalFileId")) {
                (Some(d), Some(id)) => Some(format!("{d} globalFileId={id}")),
                (Some(d), None) => Some(d.to_owned()),
                (None, Some(id)) => Some(format!("globalFileId={id}")),
                (None, None) => None,
            }
        },
        |node, position| match entity(&node) {
            Ok(e) => entities.push(e),
            Err(reason) => skipped.push(SkippedRecord {
                record: node
                    .attr("logicalId")
                    .map(|id| format!("logicalId {id}"))
                    .unwrap_or_else(|| position.to_owned()),
                reason,
            }),
        },
    )?;
    Ok((version, entities, skipped))
}

/// Whether every letter of `s` is Latin (Basic Latin to Latin Extended-B).
fn is_latin(s: &str) -> bool {
    s.chars()
        .filter(|c| c.is_alphabetic())
        .all(|c| (c as u32) < 0x250)
}

fn is_weak(alias: &Node) -> bool {
    if alias.attr("strong") == Some("false") {
        return true;
    }
    alias.children_named("remark").any(|r| {
        let t = r.text().to_lowercase();
        t.contains("low quality") || t.contains("lo quality")
    })
}

fn alias_name(alias: &Node) -> Option<String> {
    if let Some(whole) = alias.attr("wholeName") {
        return Some(xml::collapse(whole));
    }
    let parts: Vec<&str> = ["firstName", "middleName", "lastName"]
        .iter()
        .filter_map(|a| alias.attr(a))
        .collect();
    (!parts.is_empty()).then(|| xml::collapse(&parts.join(" ")))
}

fn entity(node: &Node) -> Result<Entity, String> {
    let id = node.attr("logicalId").ok_or("no logicalId")?;
    let kind = match node.child("subjectType").and_then(|s| s.attr("code")) {
        Some("person") => EntityKind::Person,
        Some("enterprise") => EntityKind::Organization,
        _ => EntityKind::Unknown,
    };
    let mut names: Vec<(String, AliasStrength, bool)> = Vec::new();
    for alias in node.children_named("nameAlias") {
        let Some(name) = alias_name(alias) else {
            continue;
        };
        let strength = if is_weak(alias) {
            AliasStrength::Weak
        } else {
            AliasStrength::Strong
        };
        let english = matches!(alias.attr("nameLanguage"), None | Some("EN"));
        let display = strength == AliasStrength::Strong && english && is_latin(&name);
        if !names.iter().any(|(n, _, _)| *n == name) {
            names.push((name, strength, display));
        }
    }
    if names.is_empty() {
        return Err("no nameAlias with a name".into());
    }
    let primary = names.iter().position(|(_, _, d)| *d).unwrap_or(0);
    let (name, _, _) = names.remove(primary);
    let mut e = Entity::new(format!("eu:{id}"), "eu", kind, name);
    e.aliases = names
        .into_iter()
        .map(|(name, strength, _)| Alias { name, strength })
        .collect();
    for regulation in node.children_named("regulation") {
        if let Some(p) = regulation.attr("programme") {
            if !e.programs.iter().any(|x| x == p) {
                e.programs.push(p.to_owned());
            }
        }
        if e.source_url.is_none() {
            e.source_url = regulation.child_text("publicationUrl").map(str::to_owned);
        }
    }
    e.listed_on = node.attr("designationDate").map(str::to_owned);
    for c in node.children_named("citizenship") {
        if let Some(code) = c.attr("countryIso2Code").filter(|c| *c != "00") {
            let code = code.to_ascii_uppercase();
            if !e.countries.contains(&code) {
                e.countries.push(code);
            }
        }
    }
    for b in node.children_named("birthdate") {
        if let Some(date) = birth_date(b) {
            if !e.birth_dates.contains(&date) {
                e.birth_dates.push(date);
            }
        }
    }
    for i in node.children_named("identification") {
        let Some(number) = i.attr("number").or(i.attr("latinNumber")) else {
            continue;
        };
        let kind = match i.attr("identificationTypeCode").unwrap_or("other") {
            "passport" => "passport",
            "id" => "national_id",
            "regnumber" => "registration",
            "fiscalcode" | "taxid" | "euvat" => "tax",
            "swiftbic" => "swift",
            "imo" => "imo",
            other => other,
        };
        e.identifiers.push(Identifier {
            kind: kind.to_ascii_lowercase(),
            value: number.to_owned(),
            country: i
                .attr("countryIso2Code")
                .filter(|c| *c != "00")
                .map(str::to_ascii_uppercase),
        });
    }
    Ok(e)
}

fn birth_date(b: &Node) -> Option<BirthDate> {
    let num = |a: &str| b.attr(a).and_then(|v| v.parse::<i32>().ok());
    // `birthdate` is Gregorian even when the day/month/year parts are Hijri
    if let Some(full) = b.attr("birthdate") {
        return Some(BirthDate::parse_iso(full));
    }
    let circa = b.attr("circa") == Some("true");
    if let (Some(from), Some(to)) = (num("yearRangeFrom"), num("yearRangeTo")) {
        return Some(BirthDate::Range { from, to });
    }
    let year = num("year")?;
    let calendar = b.attr("calendarType").unwrap_or("GREGORIAN");
    if !calendar.eq_ignore_ascii_case("GREGORIAN") {
        return Some(BirthDate::Text {
            text: format!("year {year} ({calendar} calendar)"),
        });
    }
    Some(match num("monthOfYear") {
        _ if circa => BirthDate::Circa { year },
        Some(m @ 1..=12) => BirthDate::YearMonth {
            year,
            month: m as u32,
        },
        _ => BirthDate::Year { year },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const XML: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<export xmlns="http://eu.europa.ec/fpi/fsd/export" generationDate="2026-08-05T16:47:04.449+02:00" globalFileId="184961">
<sanctionEntity logicalId="13" euReferenceNumber="EU.1.1" designationDate="2022-02-25">
  <regulation programme="RUS" logicalId="1"><publicationUrl>https://eur-lex.europa.eu/x</publicationUrl></regulation>
  <subjectType code="person" classificationCode="P"/>
  <nameAlias wholeName="Сергей  Лавров" nameLanguage="RU" strong="true" logicalId="2"/>
  <nameAlias wholeName="Sergey Viktorovich LAVROV" nameLanguage="" strong="true" logicalId="3"/>
  <nameAlias wholeName="S. Lavrov" nameLanguage="" strong="true" logicalId="4"><remark>low quality aliias</remark></nameAlias>
  <nameAlias wholeName="Sergei Lavrov" nameLanguage="" strong="false" logicalId="5"/>
  <citizenship countryIso2Code="RU" logicalId="6"/>
  <citizenship countryIso2Code="00" logicalId="7"/>
  <birthdate birthdate="1950-03-21" logicalId="8"/>
  <birthdate yearRangeFrom="1953" yearRangeTo="1958" circa="true" logicalId="9"/>
  <birthdate year="1402" monthOfYear="6" dayOfMonth="24" calendarType="ISLAMIC" logicalId="10"/>
  <identification number="100" identificationTypeCode="passport" countryIso2Code="RU" logicalId="11"/>
</sanctionEntity>
<sanctionEntity logicalId="14"><subjectType code="enterprise"/></sanctionEntity>
</export>"#;

    #[test]
    fn names_strength_dates_and_version() {
        let (version, entities, skipped) = parse(XML.as_bytes(), Path::new("eu.xml")).unwrap();
        assert_eq!(
            version.as_deref(),
            Some("2026-08-05T16:47:04.449+02:00 globalFileId=184961")
        );
        let e = &entities[0];
        assert_eq!(e.id, "eu:13");
        assert_eq!(e.name, "Sergey Viktorovich LAVROV");
        assert_eq!(e.aliases[0].name, "Сергей Лавров");
        assert_eq!(e.aliases[0].strength, AliasStrength::Strong);
        assert_eq!(e.aliases[1].strength, AliasStrength::Weak);
        assert_eq!(e.aliases[2].strength, AliasStrength::Weak);
        assert_eq!(e.countries, ["RU"]);
        assert_eq!(e.programs, ["RUS"]);
        assert_eq!(
            e.birth_dates[1],
            BirthDate::Range {
                from: 1953,
                to: 1958
            }
        );
        assert!(matches!(e.birth_dates[2], BirthDate::Text { .. }));
        assert_eq!(e.identifiers[0].kind, "passport");
        assert_eq!(skipped.len(), 1);
        assert_eq!(skipped[0].record, "logicalId 14");
    }
}
