//! OFAC legacy SDN CSV (`sdn.csv`): `source: ofac_sdn_csv`.
//!
//! `sdn.csv` has no header and twelve columns (`ent_num`, `SDN_Name`,
//! `SDN_Type`, `Program`, `Title`, `Call_Sign`, `Vess_type`, `Tonnage`, `GRT`,
//! `Vess_flag`, `Vess_owner`, `Remarks`); `-0-` means empty; Latin-1 with
//! CRLF and a trailing 0x1A. `alt.csv` (aliases), `add.csv` (addresses)
//! and `sdn_comments.csv` (continuations of remarks cut at OFAC's
//! 1,000-character limit) must lie beside it — a missing one is an error,
//! unless the config says `companions: none` — and are joined on
//! `ent_num`; rows naming an entity `sdn.csv` lacks are orphans, reported
//! as warnings. A file that ends inside a row (a quoted field still open,
//! or no line break after the last row) is an error: OFAC ends every file
//! with CRLF, so a cut download never loads as a shorter list.
//!
//! Aliases, birth dates, nationalities, documents and crypto addresses are
//! read from the `;`-separated remarks. When the remarks are cut off (they
//! do not end with `.` or have a continuation), the last item is incomplete
//! and dropped with a warning rather than indexed as a wrong address or a
//! partial alias.
//!
//! The list's SHA-256 covers every file read: it is the hash of `sdn.csv`
//! alone, or, with companions, the hash of each file's name and hash.

use std::collections::HashMap;
use std::path::Path;

use super::csv_rows::{RowError, Rows};
use super::ofac_xml::{identifier_kind, source_url, DIGITAL_CURRENCY_PREFIX};
use super::{
    countries, dates, read_file, sha256_hex, Alias, AliasStrength, CompanionFiles, Entity,
    EntityKind, Identifier, ListError, ListSpec, LoadedList, SkippedRecord,
};
use crate::addresses;
use crate::lists::xml::collapse;

/// Companion files read from the directory of `sdn.csv`.
pub const COMPANIONS: [&str; 3] = ["alt.csv", "add.csv", "sdn_comments.csv"];

/// Number of columns of `sdn.csv`.
const SDN_COLUMNS: usize = 12;

/// Loads `sdn.csv` and its companions. Each companion is required unless
/// the spec says `companions: none`; then `sdn.csv` is read alone.
pub fn load(spec: &ListSpec) -> Result<LoadedList, ListError> {
    let sdn = read_file(&spec.path)?;
    let mut companions: Vec<(&str, Vec<u8>)> = Vec::new();
    for path in companion_paths(spec) {
        let name = COMPANIONS
            .iter()
            .copied()
            .find(|n| path.file_name().is_some_and(|f| f == *n))
            .unwrap_or("companion");
        match std::fs::read(&path) {
            Ok(bytes) => companions.push((name, bytes)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(ListError::MissingCompanion {
                    path: spec.path.clone(),
                    companion: name,
                    what: companion_content(name),
                })
            }
            Err(source) => return Err(ListError::Io { path, source }),
        }
    }
    let sha256 = if companions.is_empty() {
        sha256_hex(&sdn)
    } else {
        let mut input = format!("sdn.csv {}\n", sha256_hex(&sdn));
        for (name, bytes) in &companions {
            input.push_str(&format!("{name} {}\n", sha256_hex(bytes)));
        }
        sha256_hex(input.as_bytes())
    };
    let find = |n: &str| {
        companions
            .iter()
            .find(|(c, _)| *c == n)
            .map(|(_, b)| b.as_slice())
    };
    let parsed = parse(
        &sdn,
        &spec.path,
        Companions {
            alt: find("alt.csv"),
            add: find("add.csv"),
            comments: find("sdn_comments.csv"),
        },
    )?;
    let mut list = LoadedList::new(spec, None, sha256, parsed.entities, parsed.skipped);
    list.warnings = parsed.warnings;
    Ok(list)
}

/// The companion files a spec's loader reads, in [`COMPANIONS`] order:
/// all three beside `sdn.csv`, or none with `companions: none`.
pub(crate) fn companion_paths(spec: &ListSpec) -> Vec<std::path::PathBuf> {
    if spec.companions == CompanionFiles::Absent {
        return Vec::new();
    }
    let dir = spec.path.parent().unwrap_or(Path::new(""));
    COMPANIONS.iter().map(|name| dir.join(name)).collect()
}

fn companion_content(name: &str) -> &'static str {
    match name {
        "alt.csv" => "every alias (about half its names)",
        "add.csv" => "every address and the countries read from them",
        _ => "the continuations of remarks cut at 1,000 characters (aliases, documents and crypto addresses in them)",
    }
}

/// The companion files' bytes, each optional.
#[derive(Debug, Default, Clone, Copy)]
pub struct Companions<'a> {
    /// `alt.csv`: `ent_num, alt_num, alt_type, alt_name, alt_remarks`.
    pub alt: Option<&'a [u8]>,
    /// `add.csv`: `ent_num, add_num, address, city, country, add_remarks`.
    pub add: Option<&'a [u8]>,
    /// `sdn_comments.csv`: `ent_num, remarks_extended`.
    pub comments: Option<&'a [u8]>,
}

/// What [`parse`] read.
#[derive(Debug, Default)]
pub struct Parsed {
    /// Entities in file order.
    pub entities: Vec<Entity>,
    /// Rows skipped.
    pub skipped: Vec<SkippedRecord>,
    /// Orphan companion rows and dropped details.
    pub warnings: Vec<SkippedRecord>,
}

fn field(r: &csv::StringRecord, i: usize) -> &str {
    match r.get(i).map(str::trim) {
        Some("-0-") | None => "",
        Some(v) => v,
    }
}

/// Parses `sdn.csv` bytes with optional companions. A file (or companion)
/// that ends inside a row is an error; a row that does not parse is a
/// skipped record naming its file and line.
pub fn parse(sdn: &[u8], path: &Path, companions: Companions<'_>) -> Result<Parsed, ListError> {
    let mut out = Parsed::default();
    let mut by_id: HashMap<String, usize> = HashMap::new();
    // per entity: whether its remarks stop at an item boundary (`;`)
    let mut ends_at_item: Vec<bool> = Vec::new();
    let text = decode(sdn);
    let (sdn_rows, cut) = rows(&text, path, "");
    for row in sdn_rows {
        let (line, r) = match row {
            Ok(row) => row,
            Err(skipped) => {
                out.skipped.push(skipped);
                continue;
            }
        };
        if r.len() != SDN_COLUMNS || field(&r, 0).parse::<u64>().is_err() {
            let reason = if r.len() != SDN_COLUMNS {
                format!("expected {SDN_COLUMNS} columns, found {}", r.len())
            } else {
                format!("ent_num '{}' is not a number", field(&r, 0))
            };
            if line == 1 {
                return Err(ListError::format(
                    path,
                    "line 1",
                    format!("not an OFAC sdn.csv: {reason}"),
                ));
            }
            out.skipped.push(SkippedRecord {
                record: format!("line {line}"),
                reason,
            });
            continue;
        }
        let ent_num = field(&r, 0);
        let name = collapse(field(&r, 1));
        if name.is_empty() {
            out.skipped.push(SkippedRecord {
                record: format!("line {line} (ent_num {ent_num})"),
                reason: "empty SDN_Name".into(),
            });
            continue;
        }
        let kind = match field(&r, 2) {
            "individual" => EntityKind::Person,
            "vessel" => EntityKind::Vessel,
            "aircraft" => EntityKind::Aircraft,
            _ => EntityKind::Organization,
        };
        let mut e = Entity::new(format!("ofac:{ent_num}"), "ofac", kind, name);
        e.source_url = Some(source_url(ent_num));
        e.programs = field(&r, 3)
            .split("] [")
            .map(|p| p.trim_matches(|c| c == '[' || c == ']' || c == ' '))
            .filter(|p| !p.is_empty())
            .map(str::to_owned)
            .collect();
        let remarks = field(&r, 11);
        // complete remarks end with `.`; cut ones end mid-item, or exactly after a `;`
        let cut = !remarks.is_empty() && !remarks.ends_with('.') && !remarks.ends_with(';');
        read_remarks(&mut e, remarks, cut, &mut out.warnings);
        if by_id.contains_key(ent_num) {
            out.skipped.push(SkippedRecord {
                record: format!("line {line} (ent_num {ent_num})"),
                reason: "duplicate ent_num".into(),
            });
            continue;
        }
        by_id.insert(ent_num.to_owned(), out.entities.len());
        ends_at_item.push(remarks.ends_with(';'));
        out.entities.push(e);
    }
    // after the rows, so that a file of another format is named as such
    if let Some(cut) = cut {
        return Err(cut);
    }
    if let Some(bytes) = companions.comments {
        let mut orphans = Orphans::new("sdn_comments.csv");
        let text = decode(bytes);
        for r in companion_rows(&text, path, "sdn_comments.csv", 2, &mut out.skipped)? {
            let ent_num = field(&r, 0);
            match by_id.get(ent_num) {
                Some(&i) => {
                    let e = &mut out.entities[i];
                    // the continuation starts mid-item where the remarks were cut,
                    // unless they were cut between items (`;` then ` next item`)
                    let text = r.get(1).unwrap_or("");
                    let whole_first = ends_at_item[i] || text.starts_with(' ');
                    let rest = if whole_first {
                        text
                    } else {
                        text.split_once(';').map(|(_, rest)| rest).unwrap_or("")
                    };
                    let text = text.trim();
                    let cut = !text.ends_with('.') && !text.ends_with(';');
                    read_remarks(e, rest, cut, &mut out.warnings);
                }
                None => orphans.add(ent_num),
            }
        }
        orphans.report(&mut out.warnings);
    }
    if let Some(bytes) = companions.alt {
        let mut orphans = Orphans::new("alt.csv");
        let text = decode(bytes);
        for r in companion_rows(&text, path, "alt.csv", 5, &mut out.skipped)? {
            let ent_num = field(&r, 0);
            let name = collapse(field(&r, 3));
            match by_id.get(ent_num) {
                Some(&i) if !name.is_empty() => push_alias(&mut out.entities[i], name),
                Some(_) => {}
                None => orphans.add(ent_num),
            }
        }
        orphans.report(&mut out.warnings);
    }
    if let Some(bytes) = companions.add {
        let mut orphans = Orphans::new("add.csv");
        let text = decode(bytes);
        for r in companion_rows(&text, path, "add.csv", 6, &mut out.skipped)? {
            let ent_num = field(&r, 0);
            match by_id.get(ent_num) {
                Some(&i) => {
                    let e = &mut out.entities[i];
                    // an address country says where a company is, not a person's nationality
                    if e.kind != EntityKind::Person {
                        countries::push_country(&mut e.countries, field(&r, 4));
                    }
                }
                None => orphans.add(ent_num),
            }
        }
        orphans.report(&mut out.warnings);
    }
    Ok(out)
}

/// The text of an OFAC CSV file: Latin-1 (read as Windows-1252, its
/// superset), without the trailing end-of-file byte 0x1A.
fn decode(bytes: &[u8]) -> std::borrow::Cow<'_, str> {
    let trimmed = bytes.strip_suffix(b"\x1a").unwrap_or(bytes);
    encoding_rs::WINDOWS_1252.decode(trimmed).0
}

/// The rows of one OFAC CSV file, each a line and record or a skipped
/// record, and the error when the file ends inside a row. `file` is
/// empty for `sdn.csv` itself, else the companion named in records.
type OfacRow = Result<(u64, csv::StringRecord), SkippedRecord>;

fn rows(text: &str, path: &Path, file: &str) -> (Vec<OfacRow>, Option<ListError>) {
    let prefix = if file.is_empty() {
        String::new()
    } else {
        format!("{file} ")
    };
    let mut out = Vec::new();
    for row in Rows::new(text.as_bytes()) {
        out.push(match row {
            Ok(row) => Ok((row.line, row.record)),
            Err(RowError::Row { line, message }) => Err(SkippedRecord {
                record: format!("{prefix}line {line}"),
                reason: message,
            }),
            Err(RowError::Truncated { line, message }) => {
                let cut = ListError::format(path, format!("{prefix}line {line}"), message);
                return (out, Some(cut));
            }
        });
    }
    (out, None)
}

/// The well-formed rows of a companion file; malformed rows (and rows of
/// the wrong width) become skipped records naming the file and line.
fn companion_rows(
    text: &str,
    path: &Path,
    file: &str,
    columns: usize,
    skipped: &mut Vec<SkippedRecord>,
) -> Result<Vec<csv::StringRecord>, ListError> {
    let mut out = Vec::new();
    let (rows, cut) = rows(text, path, file);
    if let Some(cut) = cut {
        return Err(cut);
    }
    for row in rows {
        match row {
            Ok((_, r)) if r.len() == columns && field(&r, 0).parse::<u64>().is_ok() => out.push(r),
            Ok((line, r)) => skipped.push(SkippedRecord {
                record: format!("{file} line {line}"),
                reason: if r.len() != columns {
                    format!("expected {columns} columns, found {}", r.len())
                } else {
                    format!("ent_num '{}' is not a number", field(&r, 0))
                },
            }),
            Err(s) => skipped.push(s),
        }
    }
    Ok(out)
}

struct Orphans {
    file: &'static str,
    rows: Vec<(String, usize)>,
}

impl Orphans {
    fn new(file: &'static str) -> Self {
        Orphans {
            file,
            rows: Vec::new(),
        }
    }
    fn add(&mut self, ent_num: &str) {
        match self.rows.iter_mut().find(|(e, _)| e == ent_num) {
            Some((_, n)) => *n += 1,
            None => self.rows.push((ent_num.to_owned(), 1)),
        }
    }
    fn report(self, warnings: &mut Vec<SkippedRecord>) {
        for (ent_num, n) in self.rows {
            warnings.push(SkippedRecord {
                record: format!("{} ent_num {ent_num}", self.file),
                reason: format!("orphan: {n} row(s) for an entity sdn.csv lacks"),
            });
        }
    }
}

fn push_alias(e: &mut Entity, name: String) {
    if name != e.name && !e.aliases.iter().any(|a| a.name == name) {
        e.aliases.push(Alias {
            name,
            strength: AliasStrength::Strong,
        });
    }
}

/// Remark labels of documents, longest first where one prefixes another.
const DOCUMENT_LABELS: &[&str] = &[
    "Passport",
    "National ID No.",
    "Tax ID No.",
    "Business Registration Number",
    "Registration Number",
    "Registration ID",
    "Company Number",
    "Cedula No.",
    "C.U.R.P. #",
    "R.F.C. #",
    "NIT #",
    "RUC #",
    "Identification Number",
    "SWIFT/BIC",
    "Vessel Registration Identification",
    "Legal Entity Number",
    "Unified Social Credit Code (USCC)",
    "V.A.T. Number",
    "D.N.I.",
    "Driver's License No.",
    "SSN",
];

fn document_kind(label: &str) -> &'static str {
    match label {
        "C.U.R.P. #" | "Cedula No." | "D.N.I." => "national_id",
        "R.F.C. #" | "NIT #" | "RUC #" | "V.A.T. Number" => "tax",
        other => identifier_kind(other).unwrap_or("other"),
    }
}

/// Reads `;`-separated remark items into the entity. When `cut` is true the
/// last item is incomplete and only reported.
fn read_remarks(e: &mut Entity, remarks: &str, cut: bool, warnings: &mut Vec<SkippedRecord>) {
    let items: Vec<&str> = remarks
        .split(';')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    let ent = e.id.trim_start_matches("ofac:").to_owned();
    for (n, raw) in items.iter().enumerate() {
        if cut && n + 1 == items.len() {
            if raw.contains(DIGITAL_CURRENCY_PREFIX.trim_end()) || raw.starts_with("a.k.a.") {
                warnings.push(SkippedRecord {
                    record: format!("ent_num {ent}"),
                    reason: format!("remarks cut off by OFAC's length limit; incomplete item '{raw}' not indexed"),
                });
            }
            break;
        }
        let item = raw.trim_end_matches('.').trim();
        let item = item.strip_prefix("alt. ").unwrap_or(item);
        if let Some(rest) = item.strip_prefix(DIGITAL_CURRENCY_PREFIX) {
            let (ticker, address) = rest.split_once(' ').unwrap_or((rest, ""));
            match addresses::normalize(ticker, address) {
                Ok(a) if !e.addresses.contains(&a) => e.addresses.push(a),
                Ok(_) => {}
                Err(err) => warnings.push(SkippedRecord {
                    record: format!("ent_num {ent}"),
                    reason: format!("crypto address dropped: {err}"),
                }),
            }
        } else if let Some(rest) = ["a.k.a.", "f.k.a.", "n.k.a."]
            .iter()
            .find_map(|p| item.strip_prefix(p))
        {
            let name = rest
                .trim()
                .trim_matches(|c| c == '\'' || c == ')' || c == '(')
                .trim();
            if !name.is_empty() {
                push_alias(e, collapse(name));
            }
        } else if let Some(rest) = item.strip_prefix("DOB ") {
            let d = dates::parse_ofac(rest);
            if !e.birth_dates.contains(&d) {
                e.birth_dates.push(d);
            }
        } else if let Some(rest) = item
            .strip_prefix("nationality ")
            .or(item.strip_prefix("citizen "))
        {
            countries::push_country(&mut e.countries, rest);
        } else if let Some(label) = DOCUMENT_LABELS
            .iter()
            .find(|l| item.strip_prefix(**l).is_some_and(|r| r.starts_with(' ')))
        {
            let rest = item[label.len()..].trim();
            let (value, country) = match rest.find(" (") {
                Some(open) => {
                    let inside = rest[open + 2..].split(')').next().unwrap_or("");
                    (&rest[..open], countries::iso2(inside).map(str::to_owned))
                }
                None => (rest.split(" issued").next().unwrap_or(rest), None),
            };
            let value = value.trim();
            if !value.is_empty() {
                e.identifiers.push(Identifier {
                    kind: document_kind(label).to_owned(),
                    value: value.to_owned(),
                    country,
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lists::BirthDate;

    const SDN: &[u8] = b"36025,\"GARANTEX EUROPE OU\",-0- ,\"RUSSIA-EO14024\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,\"Website garantex.io; Digital Currency Address - XBT 3Lpoy53K625zVeE47ZasiG5jGkAxJ27kh1; alt. Digital Currency Address - ETH 0x7FF9cFad3877F21d41Da833E2F775dB0569eE3D9; Business Registration Number 14850239 (Estonia) issued 18 Nov 2019.\"\r\n\
7,\"PEREZ, Jos\xe9\",individual,\"SDGT] [IRGC\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,\"DOB circa 1951; nationality Cuba; a.k.a. 'PEPE'; Passport A123 (Cuba); Digital Currency Address - XBT 1B11Ezqg3A\"\r\n\
x,bad,row\r\n\x1a";

    #[test]
    fn remarks_are_read_and_cut_items_dropped() {
        let p = parse(SDN, Path::new("sdn.csv"), Companions::default()).unwrap();
        assert_eq!(p.entities.len(), 2);
        let g = &p.entities[0];
        assert_eq!(g.kind, EntityKind::Organization);
        assert_eq!(g.addresses.len(), 2);
        assert_eq!(
            g.addresses[1].address,
            "0x7ff9cfad3877f21d41da833e2f775db0569ee3d9"
        );
        assert_eq!(g.identifiers[0].kind, "registration");
        assert_eq!(g.identifiers[0].value, "14850239");
        assert_eq!(g.identifiers[0].country.as_deref(), Some("EE"));
        let j = &p.entities[1];
        assert_eq!(j.name, "PEREZ, José");
        assert_eq!(j.programs, ["SDGT", "IRGC"]);
        assert_eq!(j.birth_dates, [BirthDate::Circa { year: 1951 }]);
        assert_eq!(j.countries, ["CU"]);
        assert_eq!(j.aliases[0].name, "PEPE");
        assert_eq!(j.identifiers[0].kind, "passport");
        assert!(
            j.addresses.is_empty(),
            "a cut-off address must not be indexed"
        );
        assert!(p.warnings[0].reason.contains("1B11Ezqg3A"));
        assert_eq!(p.skipped.len(), 1);
        assert_eq!(p.skipped[0].record, "line 3");
    }

    #[test]
    fn companions_join_on_ent_num_and_orphans_are_reported() {
        let alt = b"7,1,\"aka\",\"PEREZ, Pepe\",-0- \r\n999,2,\"aka\",\"GHOST\",-0- \r\n";
        let add = b"36025,1,-0- ,\"Tallinn\",\"Estonia\",-0- \r\n998,2,-0- ,-0- ,\"Cuba\",-0- \r\n";
        let comments = b"7,\"ress - XBT 1B11Ezqg3AXjFhMdRq5UpPDpNyriYNVtkn; Digital Currency Address - XBT 1DtGgdCi9VPKz2Bpq8GQhUQEPnQ5HwaT9n.\"\r\n";
        let p = parse(
            SDN,
            Path::new("sdn.csv"),
            Companions {
                alt: Some(alt),
                add: Some(add),
                comments: Some(comments),
            },
        )
        .unwrap();
        let j = &p.entities[1];
        assert_eq!(j.aliases[1].name, "PEREZ, Pepe");
        assert_eq!(j.addresses.len(), 1);
        assert_eq!(j.addresses[0].address, "1DtGgdCi9VPKz2Bpq8GQhUQEPnQ5HwaT9n");
        assert_eq!(p.entities[0].countries, ["EE"]);
        let orphans: Vec<&str> = p
            .warnings
            .iter()
            .filter(|w| w.reason.starts_with("orphan"))
            .map(|w| w.record.as_str())
            .collect();
        assert_eq!(orphans, ["alt.csv ent_num 999", "add.csv ent_num 998"]);
    }

    #[test]
    fn wrong_format_is_an_error() {
        let err = parse(
            b"<?xml version=\"1.0\"?><sdnList/>",
            Path::new("sdn.csv"),
            Companions::default(),
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("sdn.csv: line 1: not an OFAC sdn.csv"),
            "{err}"
        );
    }
}
