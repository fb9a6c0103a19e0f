//! OFAC SDN-style XML (`sdn.xml`, and the non-SDN consolidated list in the
//! same `sdnList` schema): `source: ofac_sdn_xml`.
//!
//! Streams `sdnEntry` records in any child order under either namespace
//! (legacy `tempuri.org` or SLS). The version is `publshInformation/Publish_Date`
//! (sic); when the file declares `Record_Count`, a different number of
//! entries is an error, which catches files cut at an element boundary.
//! `idList` rows become identifiers, crypto addresses
//! (`Digital Currency Address - TICKER`) or nothing: websites, gender,
//! directives and other non-documents are dropped, never treated as documents.

use std::path::Path;

use super::xml::{self, Node};
use super::{
    countries, dates, read_file, sha256_hex, Alias, AliasStrength, Entity, EntityKind, Identifier,
    ListError, ListSpec, LoadedList, SkippedRecord,
};
use crate::addresses;

/// Prefix of OFAC id rows that carry a crypto address.
pub const DIGITAL_CURRENCY_PREFIX: &str = "Digital Currency Address - ";

/// Link to a record on OFAC's search site.
pub fn source_url(uid: &str) -> String {
    format!("https://sanctionssearch.ofac.treas.gov/Details.aspx?id={uid}")
}

/// Maps an OFAC id type to an identifier kind, or `None` for rows that are
/// not identity or registration documents (websites, e-mail, gender,
/// directive determinations, listing dates, target types …).
pub fn identifier_kind(id_type: &str) -> Option<&'static str> {
    let t = id_type.trim().to_ascii_lowercase();
    let kind = if t.contains("passport") {
        "passport"
    } else if t.starts_with("national id")
        || t.starts_with("identification number")
        || t.starts_with("cedula")
        || t.starts_with("nit #")
        || t.starts_with("curp")
        || t.starts_with("citizen's card")
        || t.starts_with("personal id")
    {
        "national_id"
    } else if t.starts_with("tax id")
        || t.starts_with("ruc")
        || t.starts_with("rfc")
        || t.starts_with("inn")
        || t.starts_with("tax number")
    {
        "tax"
    } else if t.starts_with("swift") {
        "swift"
    } else if t.starts_with("vessel registration identification") || t.starts_with("imo") {
        "imo"
    } else if t.starts_with("registration")
        || t.starts_with("business registration")
        || t.starts_with("company number")
        || t.starts_with("commercial registry")
        || t.starts_with("legal entity number")
        || t.starts_with("unified social credit code")
        || t.starts_with("certificate of incorporation")
        || t.starts_with("chamber of commerce")
        || t.starts_with("government gazette")
        || t.starts_with("public registration")
        || t.starts_with("trade license")
        || t.starts_with("enterprise number")
    {
        "registration"
    } else if t.starts_with("driver") {
        "drivers_license"
    } else if t.starts_with("ssn") || t.starts_with("social security") {
        "ssn"
    } else if t.starts_with("aircraft")
        && (t.contains("serial") || t.contains("tail") || t.contains("manufacturer"))
    {
        "aircraft"
    } else if t.starts_with("isin") {
        "isin"
    } else {
        return None;
    };
    Some(kind)
}

/// Loads an SDN-style XML file.
pub fn load(spec: &ListSpec) -> Result<LoadedList, ListError> {
    let bytes = read_file(&spec.path)?;
    let sha256 = sha256_hex(&bytes);
    let parsed = parse(&bytes, &spec.path)?;
    let mut list = LoadedList::new(
        spec,
        parsed.version,
        sha256,
        parsed.entities,
        parsed.skipped,
    );
    list.warnings = parsed.warnings;
    Ok(list)
}

/// What [`parse`] read from the bytes.
#[derive(Debug, Default)]
pub struct Parsed {
    /// `Publish_Date`, when present.
    pub version: Option<String>,
    /// Entities in file order.
    pub entities: Vec<crate::lists::Entity>,
    /// Records skipped.
    pub skipped: Vec<SkippedRecord>,
    /// Details dropped from otherwise good records (e.g. malformed addresses).
    pub warnings: Vec<SkippedRecord>,
}

/// Parses SDN-style XML bytes.
pub fn parse(bytes: &[u8], path: &Path) -> Result<Parsed, ListError> {
    let mut out = Parsed::default();
    let mut declared: Option<(usize, String)> = None;
    let mut bad_count: Option<String> = None;
    xml::stream(
        bytes,
        path,
        &["sdnList"],
        |name, depth| depth == 1 && (name == "sdnEntry" || name == "publshInformation"),
        |_| {},
        |node, position| {
            if node.name == "publshInformation" {
                out.version = node.child_text("Publish_Date").map(str::to_owned);
                if let Some(count) = node.child_text("Record_Count") {
                    match count.parse::<usize>() {
                        Ok(n) => declared = Some((n, position.to_owned())),
                        Err(_) => {
                            bad_count = Some(format!("Record_Count '{count}' is not a number"))
                        }
                    }
                }
                return;
            }
            match entry(&node, &mut out.warnings) {
                Ok(e) => out.entities.push(e),
                Err(reason) => out.skipped.push(SkippedRecord {
                    record: node
                        .child_text("uid")
                        .map(|u| format!("uid {u}"))
                        .unwrap_or_else(|| position.to_owned()),
                    reason,
                }),
            }
        },
    )?;
    if let Some(message) = bad_count {
        return Err(ListError::format(path, "publshInformation", message));
    }
    if let Some((n, position)) = declared {
        let found = out.entities.len() + out.skipped.len();
        if n != found {
            return Err(ListError::format(
                path,
                position,
                format!(
                    "Record_Count declares {n} entries but the file holds {found}: incomplete file"
                ),
            ));
        }
    }
    Ok(out)
}

fn full_name(node: &Node) -> Option<String> {
    let last = node.child_text("lastName")?;
    Some(match node.child_text("firstName") {
        Some(first) => xml::collapse(&format!("{first} {last}")),
        None => xml::collapse(last),
    })
}

fn entry(node: &Node, warnings: &mut Vec<SkippedRecord>) -> Result<Entity, String> {
    let uid = node.child_text("uid").ok_or("no uid")?;
    let name = full_name(node).ok_or("no lastName")?;
    let kind = match node.child_text("sdnType") {
        Some("Individual") => EntityKind::Person,
        Some("Entity") => EntityKind::Organization,
        Some("Vessel") => EntityKind::Vessel,
        Some("Aircraft") => EntityKind::Aircraft,
        _ => EntityKind::Unknown,
    };
    let mut e = Entity::new(format!("ofac:{uid}"), "ofac", kind, name);
    e.source_url = Some(source_url(uid));
    e.programs = node
        .items("programList", "program")
        .filter_map(Node::text_opt)
        .map(str::to_owned)
        .collect();
    for aka in node.items("akaList", "aka") {
        if let Some(name) = full_name(aka) {
            let strength = match aka.child_text("category") {
                Some(c) if c.eq_ignore_ascii_case("weak") => AliasStrength::Weak,
                _ => AliasStrength::Strong,
            };
            e.aliases.push(Alias { name, strength });
        }
    }
    for dob in node.items("dateOfBirthList", "dateOfBirthItem") {
        if let Some(text) = dob.child_text("dateOfBirth") {
            e.birth_dates.push(dates::parse_ofac(text));
        }
    }
    for n in node
        .items("nationalityList", "nationality")
        .chain(node.items("citizenshipList", "citizenship"))
    {
        if let Some(country) = n.child_text("country") {
            countries::push_country(&mut e.countries, country);
        }
    }
    for id in node.items("idList", "id") {
        let (Some(id_type), Some(number)) = (id.child_text("idType"), id.child_text("idNumber"))
        else {
            continue;
        };
        if let Some(ticker) = id_type.strip_prefix(DIGITAL_CURRENCY_PREFIX) {
            match addresses::normalize(ticker, number) {
                Ok(a) => {
                    if !e.addresses.contains(&a) {
                        e.addresses.push(a)
                    }
                }
                Err(err) => warnings.push(SkippedRecord {
                    record: format!("uid {uid}"),
                    reason: format!("crypto address dropped: {err}"),
                }),
            }
        } else if let Some(kind) = identifier_kind(id_type) {
            e.identifiers.push(Identifier {
                kind: kind.to_owned(),
                value: number.to_owned(),
                country: id
                    .child_text("idCountry")
                    .and_then(countries::iso2)
                    .map(str::to_owned),
            });
        }
    }
    Ok(e)
}

#[cfg(test)]
mod tests {
    use super::*;

    const XML: &str = r#"<?xml version="1.0" standalone="yes"?>
<sdnList xmlns="http://tempuri.org/sdnList.xsd">
  <publshInformation><Publish_Date>03/28/2025</Publish_Date><Record_Count>3</Record_Count></publshInformation>
  <sdnEntry>
    <lastName>GARANTEX EUROPE OU</lastName>
    <uid>36025</uid>
    <sdnType>Entity</sdnType>
    <addressList><address><uid>1</uid><country>Estonia</country></address></addressList>
    <idList>
      <id><uid>2</uid><idType>Website</idType><idNumber>garantex.io</idNumber></id>
      <id><uid>3</uid><idType>Digital Currency Address - XBT</idType><idNumber>3Lpoy53K625zVeE47ZasiG5jGkAxJ27kh1</idNumber></id>
      <id><uid>4</uid><idType>Digital Currency Address - ETH</idType><idNumber>0x7FF9cFad3877F21d41Da833E2F775dB0569eE3D9</idNumber></id>
      <id><uid>5</uid><idType>Digital Currency Address - ETH</idType><idNumber>0x123</idNumber></id>
      <id><uid>6</uid><idType>Registration Number</idType><idNumber>14850239</idNumber><idCountry>Estonia</idCountry></id>
      <id><uid>7</uid><idType>Secondary sanctions risk:</idType><idNumber>Ukraine-/Russia-Related Sanctions Regulations</idNumber></id>
    </idList>
    <programList><program>RUSSIA-EO14024</program><program>CYBER2</program></programList>
    <akaList><aka><uid>8</uid><type>a.k.a.</type><category>weak</category><lastName>GARANTEX</lastName></aka></akaList>
  </sdnEntry>
  <sdnEntry>
    <uid>9639</uid><firstName>Ismail  Abdul Salah</firstName><lastName>HANIYA</lastName><sdnType>Individual</sdnType>
    <dateOfBirthList><dateOfBirthItem><uid>1</uid><dateOfBirth>circa 1962</dateOfBirth></dateOfBirthItem></dateOfBirthList>
    <nationalityList><nationality><uid>1</uid><country>Palestinian</country></nationality></nationalityList>
  </sdnEntry>
  <sdnEntry><uid>1</uid><sdnType>Entity</sdnType></sdnEntry>
</sdnList>"#;

    #[test]
    fn reads_entries_any_order_with_crypto_and_documents() {
        let p = parse(XML.as_bytes(), Path::new("sdn.xml")).unwrap();
        assert_eq!(p.version.as_deref(), Some("03/28/2025"));
        assert_eq!(p.entities.len(), 2);
        let g = &p.entities[0];
        assert_eq!(g.id, "ofac:36025");
        assert_eq!(g.kind, EntityKind::Organization);
        assert_eq!(g.programs, ["RUSSIA-EO14024", "CYBER2"]);
        assert_eq!(g.aliases[0].strength, AliasStrength::Weak);
        assert_eq!(g.addresses.len(), 2);
        assert_eq!(g.addresses[0].chain, "BTC");
        assert_eq!(g.addresses[0].address, "3Lpoy53K625zVeE47ZasiG5jGkAxJ27kh1");
        assert_eq!(
            g.addresses[1].address,
            "0x7ff9cfad3877f21d41da833e2f775db0569ee3d9"
        );
        assert_eq!(g.identifiers.len(), 1, "{:?}", g.identifiers);
        assert_eq!(g.identifiers[0].kind, "registration");
        assert_eq!(g.identifiers[0].country.as_deref(), Some("EE"));
        assert_eq!(p.warnings.len(), 1);
        assert!(p.warnings[0].reason.contains("0x123"));
        let h = &p.entities[1];
        assert_eq!(h.name, "Ismail Abdul Salah HANIYA");
        assert_eq!(
            h.birth_dates,
            [crate::lists::BirthDate::Circa { year: 1962 }]
        );
        assert_eq!(h.countries, ["PS"]);
        assert_eq!(p.skipped.len(), 1);
        assert_eq!(p.skipped[0].record, "uid 1");
    }

    #[test]
    fn record_count_mismatch_is_an_error() {
        let xml = XML.replace(
            "<Record_Count>3</Record_Count>",
            "<Record_Count>4</Record_Count>",
        );
        let err = parse(xml.as_bytes(), Path::new("sdn.xml"))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("Record_Count declares 4 entries but the file holds 3"),
            "{err}"
        );
    }

    #[test]
    fn non_documents_are_dropped() {
        for t in [
            "Website",
            "Email Address",
            "Gender",
            "Target Type",
            "Executive Order 13662 Directive Determination -",
            "Organization Established Date",
            "Nationality of Registration",
        ] {
            assert_eq!(identifier_kind(t), None, "{t}");
        }
        assert_eq!(identifier_kind("Passport"), Some("passport"));
        assert_eq!(identifier_kind("Tax ID No."), Some("tax"));
        assert_eq!(
            identifier_kind("Vessel Registration Identification"),
            Some("imo")
        );
    }
}
