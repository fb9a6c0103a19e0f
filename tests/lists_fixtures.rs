//! Every loader over the small hand-made fixtures in `sanctions/fixtures`
//! (runs on a fresh clone), and the failure behaviour: truncated XML, a file
//! of the wrong format for its declared kind, an empty file, one bad record
//! among good ones, an implausibly shrunken list.

use std::path::{Path, PathBuf};
use std::process::Command;

use amlscreen::lists::{
    self, AliasStrength, BirthDate, CompanionFiles, EntityStatus, ListError, ListGuard, ListSpec,
    SourceKind,
};

fn fixture(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("sanctions/fixtures")
        .join(rel)
}

fn spec(source: SourceKind, path: impl Into<PathBuf>) -> ListSpec {
    ListSpec::new(source, path)
}

const FIXTURES: [(SourceKind, &str); 7] = [
    (SourceKind::OfacSdnXml, "ofac_sdn.xml"),
    (SourceKind::OfacSdnCsv, "ofac_csv/sdn.csv"),
    (SourceKind::EuFsfXml, "eu_fsf.xml"),
    (SourceKind::UnXml, "un.xml"),
    (SourceKind::UkXml, "uk.xml"),
    (SourceKind::UkConlistCsv, "ofsi_conlist.csv"),
    (SourceKind::NsdcJson, "nsdc.json"),
];

#[test]
fn every_loader_reads_its_fixture_with_exact_counts() {
    // (entities, persons, organizations, vessels, weak aliases, addresses, skipped)
    let expected = [
        (2, 1, 1, 0, 1, 2, 1),
        (3, 1, 1, 1, 0, 3, 1),
        (2, 1, 1, 0, 1, 0, 1),
        (2, 1, 1, 0, 1, 0, 0),
        (3, 1, 1, 1, 1, 0, 0),
        (2, 1, 1, 0, 0, 0, 0),
        (3, 2, 1, 0, 0, 0, 0),
    ];
    for ((kind, file), want) in FIXTURES.iter().zip(expected) {
        // the fixtures with one malformed record are refused unless it is allowed
        let strict = lists::load(&spec(*kind, fixture(file)));
        if want.6 > 0 {
            let err = strict.unwrap_err();
            assert!(matches!(err, ListError::BadRecords { .. }), "{file}: {err}");
        } else {
            strict.unwrap_or_else(|e| panic!("{file}: {e}"));
        }
        let allowing = spec(*kind, fixture(file)).with_max_bad_rows(want.6);
        let list = lists::load(&allowing).unwrap_or_else(|e| panic!("{e}"));
        let v = &list.version;
        let got = (
            v.entities,
            v.persons,
            v.organizations,
            v.vessels,
            v.weak_aliases,
            v.addresses,
            v.skipped,
        );
        assert_eq!(got, want, "{file}");
        assert_eq!(v.sha256.len(), 64);
        // loading twice gives identical ids and counts
        let again = lists::load(&allowing).unwrap();
        assert_eq!(again.version, list.version);
        assert!(again
            .entities
            .iter()
            .map(|e| &e.id)
            .eq(list.entities.iter().map(|e| &e.id)));
    }
}

#[test]
fn fixture_records_field_by_field() {
    let ofac = lists::load(
        &spec(SourceKind::OfacSdnCsv, fixture("ofac_csv/sdn.csv")).with_max_bad_rows(1),
    )
    .unwrap();
    let perez = ofac.entities.iter().find(|e| e.id == "ofac:7001").unwrap();
    assert_eq!(perez.name, "PEREZ, José");
    assert_eq!(perez.birth_dates, [BirthDate::Circa { year: 1951 }]);
    // the cut-off remark address is not indexed; the continuation's is, and alt.csv's alias joined
    let addrs: Vec<&str> = perez.addresses.iter().map(|a| a.address.as_str()).collect();
    assert_eq!(addrs, ["1DtGgdCi9VPKz2Bpq8GQhUQEPnQ5HwaT9n"]);
    assert!(perez.aliases.iter().any(|a| a.name == "PEREZ, Pepe"));
    assert!(ofac
        .warnings
        .iter()
        .any(|w| w.record == "alt.csv ent_num 9999"));
    let vessel = ofac.entities.iter().find(|e| e.id == "ofac:7002").unwrap();
    assert_eq!(vessel.identifiers[0].kind, "imo");

    let eu = lists::load(&spec(SourceKind::EuFsfXml, fixture("eu_fsf.xml")).with_max_bad_rows(1))
        .unwrap();
    let lavrov = &eu.entities[0];
    assert_eq!(
        (lavrov.id.as_str(), lavrov.name.as_str()),
        ("eu:2963", "Sergey Viktorovich LAVROV")
    );
    assert_eq!(lavrov.aliases[0].name, "Сергей Викторович ЛАВРОВ");
    assert_eq!(lavrov.aliases[1].strength, AliasStrength::Weak);
    assert_eq!(eu.skipped[0].record, "logicalId 3001");

    let nsdc = lists::load(&spec(SourceKind::NsdcJson, fixture("nsdc.json"))).unwrap();
    let statuses: Vec<EntityStatus> = nsdc.entities.iter().map(|e| e.status).collect();
    assert_eq!(
        statuses,
        [
            EntityStatus::Active,
            EntityStatus::Expired,
            EntityStatus::Excluded
        ]
    );
    assert_eq!(nsdc.entities[1].name, "ТОВ Ромашка");
    assert!(nsdc.entities[1]
        .aliases
        .iter()
        .any(|a| a.name == "Romashka LLC"));
}

fn temp_with(bytes: &[u8], name: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    (dir, path)
}

#[test]
fn truncated_xml_is_an_error_naming_file_and_position() {
    for (kind, file) in FIXTURES.iter().filter(|(_, f)| f.ends_with(".xml")) {
        let bytes = std::fs::read(fixture(file)).unwrap();
        let (_dir, path) = temp_with(&bytes[..bytes.len() * 2 / 3], "cut.xml");
        let err = lists::load(&spec(*kind, &path)).unwrap_err();
        assert!(matches!(err, ListError::Format { .. }), "{file}: {err}");
        let msg = err.to_string();
        assert!(
            msg.starts_with(&format!("{}: line ", path.display())),
            "{file}: {msg}"
        );
    }
}

#[test]
fn wrong_format_for_the_declared_kind_is_an_error() {
    let cases = [
        (
            SourceKind::OfacSdnXml,
            "un.xml",
            "root element is <CONSOLIDATED_LIST>",
        ),
        (SourceKind::UnXml, "nsdc.json", "not an XML list file"),
        (
            SourceKind::EuFsfXml,
            "ofac_sdn.xml",
            "root element is <sdnList>",
        ),
        (SourceKind::UkXml, "eu_fsf.xml", "root element is <export>"),
        (
            SourceKind::NsdcJson,
            "uk.xml",
            "not an NSDC subjects JSON array",
        ),
        (SourceKind::OfacSdnCsv, "un.xml", "not an OFAC sdn.csv"),
        (
            SourceKind::UkConlistCsv,
            "ofac_csv/sdn.csv",
            "expected 'Last Updated",
        ),
    ];
    for (kind, file, expect) in cases {
        let err = lists::load(&spec(kind, fixture(file)).with_companions(CompanionFiles::Absent))
            .unwrap_err()
            .to_string();
        assert!(err.contains(expect), "{kind} on {file}: {err}");
        assert!(err.contains(file), "{err}");
    }
}

#[test]
fn empty_file_is_an_error_for_every_kind() {
    for kind in SourceKind::ALL {
        let (_dir, path) = temp_with(b"", "empty");
        let err = lists::load(&spec(kind, &path)).unwrap_err().to_string();
        assert!(
            err.starts_with(&path.display().to_string()),
            "{kind}: {err}"
        );
    }
    // a well-formed file without records is empty too
    let (_dir, path) = temp_with(
        b"<CONSOLIDATED_LIST dateGenerated=\"x\"><INDIVIDUALS/></CONSOLIDATED_LIST>",
        "un.xml",
    );
    let err = lists::load(&spec(SourceKind::UnXml, &path)).unwrap_err();
    assert!(matches!(err, ListError::Empty { .. }), "{err}");
}

#[test]
fn implausible_shrink_against_history_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let guard = ListGuard {
        history: Some(dir.path().join("history.json")),
        max_shrink_percent: 20,
    };
    let path = dir.path().join("un.xml");
    let full = std::fs::read_to_string(fixture("un.xml")).unwrap();
    std::fs::write(&path, &full).unwrap();
    lists::load_guarded(&spec(SourceKind::UnXml, &path), &guard).unwrap();
    // the same source now holds one entity of two: a 50% drop
    let start = full.find("<ENTITIES>").unwrap();
    let end = full.find("</ENTITIES>").unwrap() + "</ENTITIES>".len();
    std::fs::write(&path, format!("{}{}", &full[..start], &full[end..])).unwrap();
    let err = lists::load_guarded(&spec(SourceKind::UnXml, &path), &guard).unwrap_err();
    assert!(
        matches!(
            err,
            ListError::Shrunk {
                entities: 1,
                previous: 2,
                ..
            }
        ),
        "{err}"
    );
    // a looser tolerance accepts it
    let loose = ListGuard {
        max_shrink_percent: 50,
        ..guard
    };
    lists::load_guarded(&spec(SourceKind::UnXml, &path), &loose).unwrap();
}

#[test]
fn lists_stats_prints_one_json_object_per_source() {
    let out = Command::new(env!("CARGO_BIN_EXE_amlscreen"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([
            "lists",
            "stats",
            "--list",
            "un_xml=sanctions/fixtures/un.xml",
            "--list",
            "nsdc_json=sanctions/fixtures/nsdc.json",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    let un = &lines[0];
    for key in [
        "source",
        "path",
        "version",
        "sha256",
        "entities",
        "persons",
        "organizations",
        "vessels",
        "aircraft",
        "names",
        "weak_aliases",
        "addresses",
        "skipped",
    ] {
        assert!(un.get(key).is_some(), "missing {key}: {un}");
    }
    assert_eq!(un["source"], "un_xml");
    assert_eq!(un["version"], "2026-02-27T00:00:09.554Z");
    assert_eq!(
        (
            un["persons"].as_u64(),
            un["organizations"].as_u64(),
            un["names"].as_u64()
        ),
        (Some(1), Some(1), Some(6))
    );
    assert_eq!(lines[1]["inactive"], 2);
    assert!(Path::new(un["path"].as_str().unwrap()).ends_with("un.xml"));
}
