//! UN Security Council consolidated list XML: `source: un_xml`.
//!
//! Root `CONSOLIDATED_LIST@dateGenerated` is the version; `INDIVIDUAL` and
//! `ENTITY` records become entities `un:<REFERENCE_NUMBER>`. Name parts
//! `FIRST_NAME`…`FOURTH_NAME` are joined in the listed order;
//! `NAME_ORIGINAL_SCRIPT` becomes a strong alias. Alias `QUALITY` is
//! `Good`/`Low` for individuals (Low = weak) and `a.k.a.`/`f.k.a.` for
//! entities (both strong). Birth dates keep their `TYPE_OF_DATE`:
//! `APPROXIMATELY` + year is circa, `BETWEEN` is a year range.

use std::path::Path;

use super::xml::{self, Node};
use super::{
    countries, Alias, AliasStrength, BirthDate, Entity, EntityKind, Identifier, ListError,
    ListSpec, LoadedList, SkippedRecord,
};

/// Loads a UN consolidated XML file.
pub fn load(spec: &ListSpec) -> Result<LoadedList, ListError> {
    super::load_parsed(spec, parse)
}

/// Parses UN XML bytes into the version, entities and skipped records.
pub fn parse(bytes: &[u8], path: &Path) -> Result<super::ParsedRecords, ListError> {
    let mut version = None;
    let mut entities = Vec::new();
    let mut skipped = Vec::new();
    xml::stream(
        bytes,
        path,
        &["CONSOLIDATED_LIST"],
        |name, depth| depth == 2 && (name == "INDIVIDUAL" || name == "ENTITY"),
        |root| version = root.attr("dateGenerated").map(str::to_owned),
        |node, position| match record(&node) {
            Ok(e) => entities.push(e),
            Err(reason) => skipped.push(SkippedRecord {
                record: node
                    .child_text("REFERENCE_NUMBER")
                    .or(node.child_text("DATAID"))
                    .map(str::to_owned)
                    .unwrap_or_else(|| position.to_owned()),
                reason,
            }),
        },
    )?;
    Ok((version, entities, skipped))
}

fn values<'a>(node: &'a Node, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
    node.items(name, "VALUE").filter_map(Node::text_opt)
}

fn record(node: &Node) -> Result<Entity, String> {
    let reference = node
        .child_text("REFERENCE_NUMBER")
        .ok_or("no REFERENCE_NUMBER")?;
    let individual = node.name == "INDIVIDUAL";
    let parts: Vec<&str> = ["FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME"]
        .iter()
        .filter_map(|p| node.child_text(p))
        .filter(|p| *p != "na")
        .collect();
    if parts.is_empty() {
        return Err("no FIRST_NAME".into());
    }
    let kind = if individual {
        EntityKind::Person
    } else {
        EntityKind::Organization
    };
    let mut e = Entity::new(
        format!("un:{reference}"),
        "un",
        kind,
        xml::collapse(&parts.join(" ")),
    );
    e.source_url = node
        .child_text("DATAID")
        .map(|d| format!("UN consolidated list DATAID {d}"));
    e.listed_on = node.child_text("LISTED_ON").map(str::to_owned);
    e.programs = node
        .child_text("UN_LIST_TYPE")
        .map(str::to_owned)
        .into_iter()
        .collect();
    if let Some(original) = node.child_text("NAME_ORIGINAL_SCRIPT") {
        e.aliases.push(Alias {
            name: xml::collapse(original),
            strength: AliasStrength::Strong,
        });
    }
    let alias_tag = if individual {
        "INDIVIDUAL_ALIAS"
    } else {
        "ENTITY_ALIAS"
    };
    for alias in node.children_named(alias_tag) {
        let Some(name) = alias.child_text("ALIAS_NAME") else {
            continue; // the UN file carries many empty alias blocks
        };
        let strength = match alias.child_text("QUALITY") {
            Some(q) if q.eq_ignore_ascii_case("low") => AliasStrength::Weak,
            _ => AliasStrength::Strong,
        };
        e.aliases.push(Alias {
            name: xml::collapse(name),
            strength,
        });
    }
    for nationality in values(node, "NATIONALITY") {
        countries::push_country(&mut e.countries, nationality);
    }
    for dob in node.children_named("INDIVIDUAL_DATE_OF_BIRTH") {
        if let Some(date) = birth_date(dob) {
            e.birth_dates.push(date);
        }
    }
    for doc in node.children_named("INDIVIDUAL_DOCUMENT") {
        let Some(number) = doc.child_text("NUMBER") else {
            continue;
        };
        let doc_type = doc
            .child_text("TYPE_OF_DOCUMENT")
            .unwrap_or("")
            .to_lowercase();
        let kind = if doc_type.contains("passport") || doc_type.contains("passeport") {
            "passport"
        } else if doc_type.contains("identi") {
            "national_id"
        } else {
            "other"
        };
        e.identifiers.push(Identifier {
            kind: kind.into(),
            value: number.to_owned(),
            country: doc
                .child_text("ISSUING_COUNTRY")
                .or(doc.child_text("COUNTRY_OF_ISSUE"))
                .and_then(countries::iso2)
                .map(str::to_owned),
        });
    }
    Ok(e)
}

fn year(node: &Node, name: &str) -> Option<i32> {
    node.child_text(name).and_then(|y| y.parse().ok())
}

fn birth_date(dob: &Node) -> Option<BirthDate> {
    let kind = dob.child_text("TYPE_OF_DATE").unwrap_or("");
    if let (Some(from), Some(to)) = (year(dob, "FROM_YEAR"), year(dob, "TO_YEAR")) {
        return Some(BirthDate::Range { from, to });
    }
    if let Some(date) = dob.child_text("DATE") {
        // xs:date may carry a zone suffix; the first ten characters are the date
        let parsed = BirthDate::parse_iso(date.get(..10).unwrap_or(date));
        return Some(match (kind, parsed.year_range()) {
            ("APPROXIMATELY", Some((y, _))) => BirthDate::Circa { year: y },
            _ => parsed,
        });
    }
    if let Some(year) = year(dob, "YEAR") {
        return Some(if kind == "APPROXIMATELY" {
            BirthDate::Circa { year }
        } else {
            BirthDate::Year { year }
        });
    }
    dob.child_text("NOTE").map(|text| BirthDate::Text {
        text: text.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const XML: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<CONSOLIDATED_LIST dateGenerated="2026-02-27T00:00:09.554Z"><INDIVIDUALS>
<INDIVIDUAL><DATAID>1</DATAID><FIRST_NAME>AIMAN</FIRST_NAME><SECOND_NAME>MUHAMMED</SECOND_NAME><THIRD_NAME>RABI</THIRD_NAME><FOURTH_NAME>AL-ZAWAHIRI</FOURTH_NAME>
<UN_LIST_TYPE>Al-Qaida</UN_LIST_TYPE><REFERENCE_NUMBER>QDi.006</REFERENCE_NUMBER><LISTED_ON>2001-01-25</LISTED_ON>
<NAME_ORIGINAL_SCRIPT> أيمن محمد ربيع الظواهري </NAME_ORIGINAL_SCRIPT>
<NATIONALITY><VALUE>Egypt</VALUE></NATIONALITY>
<INDIVIDUAL_ALIAS><QUALITY>Low</QUALITY><ALIAS_NAME>Abu Mohammed</ALIAS_NAME></INDIVIDUAL_ALIAS>
<INDIVIDUAL_ALIAS><QUALITY/><ALIAS_NAME/></INDIVIDUAL_ALIAS>
<INDIVIDUAL_ALIAS><QUALITY>Good</QUALITY><ALIAS_NAME>Ayman al-Zawahari</ALIAS_NAME></INDIVIDUAL_ALIAS>
<INDIVIDUAL_DATE_OF_BIRTH><TYPE_OF_DATE>EXACT</TYPE_OF_DATE><DATE>1951-06-19</DATE></INDIVIDUAL_DATE_OF_BIRTH>
<INDIVIDUAL_DATE_OF_BIRTH><TYPE_OF_DATE>BETWEEN</TYPE_OF_DATE><FROM_YEAR>1953</FROM_YEAR><TO_YEAR>1958</TO_YEAR></INDIVIDUAL_DATE_OF_BIRTH>
<INDIVIDUAL_DATE_OF_BIRTH><TYPE_OF_DATE>APPROXIMATELY</TYPE_OF_DATE><YEAR>1950</YEAR></INDIVIDUAL_DATE_OF_BIRTH>
<INDIVIDUAL_DOCUMENT><TYPE_OF_DOCUMENT>Passport</TYPE_OF_DOCUMENT><NUMBER>1084010</NUMBER><ISSUING_COUNTRY>Egypt</ISSUING_COUNTRY></INDIVIDUAL_DOCUMENT>
</INDIVIDUAL>
<INDIVIDUAL><DATAID>2</DATAID><FIRST_NAME>NO REF</FIRST_NAME></INDIVIDUAL>
</INDIVIDUALS><ENTITIES>
<ENTITY><DATAID>3</DATAID><FIRST_NAME>AL-QAIDA</FIRST_NAME><REFERENCE_NUMBER>QDe.004</REFERENCE_NUMBER>
<ENTITY_ALIAS><QUALITY>a.k.a.</QUALITY><ALIAS_NAME>The Base</ALIAS_NAME></ENTITY_ALIAS></ENTITY>
</ENTITIES></CONSOLIDATED_LIST>"#;

    #[test]
    fn individuals_and_entities_with_quality_and_dates() {
        let (version, entities, skipped) = parse(XML.as_bytes(), Path::new("un.xml")).unwrap();
        assert_eq!(version.as_deref(), Some("2026-02-27T00:00:09.554Z"));
        assert_eq!(entities.len(), 2);
        let z = &entities[0];
        assert_eq!(z.id, "un:QDi.006");
        assert_eq!(z.name, "AIMAN MUHAMMED RABI AL-ZAWAHIRI");
        assert_eq!(z.aliases[0].name, "أيمن محمد ربيع الظواهري");
        assert_eq!(z.aliases[1].strength, AliasStrength::Weak);
        assert_eq!(z.aliases[2].strength, AliasStrength::Strong);
        assert_eq!(z.aliases.len(), 3);
        assert_eq!(z.countries, ["EG"]);
        assert_eq!(
            z.birth_dates[1],
            BirthDate::Range {
                from: 1953,
                to: 1958
            }
        );
        assert_eq!(z.birth_dates[2], BirthDate::Circa { year: 1950 });
        assert_eq!(z.identifiers[0].country.as_deref(), Some("EG"));
        assert_eq!(entities[1].kind, EntityKind::Organization);
        assert_eq!(entities[1].aliases[0].strength, AliasStrength::Strong);
        assert_eq!(skipped.len(), 1);
        assert_eq!(skipped[0].record, "2");
    }
}
