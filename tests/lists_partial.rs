//! Lists that load only partly are refused, never used silently (issue
//! "Fail closed", item 12), each with the input that got through before:
//! `sdn.csv` cut in the middle, a file ending inside a quoted field or an
//! XML element, a malformed watchlist row, `ofac_sdn_csv` without its
//! companions, one row of 10,000 columns. Runs on the repository's
//! fixtures (a fresh clone); `lists_real` cuts the real `sdn.csv`.

use std::path::{Path, PathBuf};

use amlscreen::lists::{self, CompanionFiles, ListError, ListSpec, SourceKind};
use amlscreen::Config;

use crate::common::{amlscreen, repo};

fn fixture(rel: &str) -> PathBuf {
    repo().join("sanctions/fixtures").join(rel)
}

/// A temporary copy of the OFAC CSV fixture (sdn.csv and its companions).
fn ofac_csv_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for name in ["sdn.csv", "alt.csv", "add.csv", "sdn_comments.csv"] {
        std::fs::copy(fixture("ofac_csv").join(name), dir.path().join(name)).unwrap();
    }
    dir
}

/// The fixture holds one malformed row (line 4) on purpose.
fn sdn_spec(dir: &Path) -> ListSpec {
    ListSpec::new(SourceKind::OfacSdnCsv, dir.join("sdn.csv")).with_max_bad_rows(1)
}

#[test]
fn sdn_csv_cut_in_the_middle_is_refused() {
    let dir = ofac_csv_copy();
    let path = dir.path().join("sdn.csv");
    let full = std::fs::read(&path).unwrap();
    assert_eq!(
        lists::load(&sdn_spec(dir.path())).unwrap().entities.len(),
        3
    );
    // cut inside the remarks of the second row: before, the quoted field ran
    // to the end of the file and the row loaded as complete
    let at = full.windows(4).position(|w| w == b"Cuba").unwrap();
    std::fs::write(&path, &full[..at]).unwrap();
    let err = lists::load(&sdn_spec(dir.path())).unwrap_err().to_string();
    assert!(
        err.starts_with(&format!("{}: line 2: a quoted field", path.display()))
            && err.contains("still open at the end of the file"),
        "{err}"
    );
    // cut after a closing quote: every field parses, no line break follows
    let at = full.windows(3).position(|w| w == b"\"\r\n").unwrap() + 1;
    std::fs::write(&path, &full[..at]).unwrap();
    let err = lists::load(&sdn_spec(dir.path())).unwrap_err().to_string();
    assert!(
        err.contains("line 1: the file ends inside this row"),
        "{err}"
    );
}

/// Every prefix of every fixture that does not end at a line break (CSV)
/// or is not the whole document (XML, JSON) is refused: a cut download
/// never loads as a shorter list.
#[test]
fn every_cut_of_every_fixture_is_refused() {
    let cases = [
        (SourceKind::OfacSdnXml, "ofac_sdn.xml"),
        (SourceKind::EuFsfXml, "eu_fsf.xml"),
        (SourceKind::UnXml, "un.xml"),
        (SourceKind::UkXml, "uk.xml"),
        (SourceKind::NsdcJson, "nsdc.json"),
        (SourceKind::UkConlistCsv, "ofsi_conlist.csv"),
        (SourceKind::OfacSdnCsv, "ofac_csv/sdn.csv"),
        (SourceKind::Watchlist, "../sample_watchlist.csv"),
    ];
    for (kind, file) in cases {
        let full = std::fs::read(fixture(file)).unwrap();
        let dir = ofac_csv_copy();
        let path = dir.path().join("sdn.csv");
        let spec = ListSpec::new(kind, &path).with_max_bad_rows(1);
        let csv = file.ends_with(".csv");
        let content_end = full
            .iter()
            .rposition(|b| !b.is_ascii_whitespace() && *b != 0x1a)
            .unwrap();
        for cut in 1..=content_end {
            let prefix = &full[..cut];
            if csv && matches!(prefix.last(), Some(b'\n' | b'\r')) {
                // a cut at a line break is a shorter file: the shrink guard's
                continue;
            }
            std::fs::write(&path, prefix).unwrap();
            if let Ok(list) = lists::load(&spec) {
                panic!(
                    "{file} cut to {cut} of {} bytes loaded {} entities",
                    full.len(),
                    list.entities.len()
                );
            }
        }
    }
}

#[test]
fn xml_cut_mid_element_names_the_position() {
    for (kind, text, needle) in [
        (
            SourceKind::UnXml,
            "<CONSOLIDATED_LIST>\n<INDIVIDUALS>\n<INDIVIDUAL><DATAID>1</DATAID><FIRST_NAME>A",
            "element(s) still open",
        ),
        (
            SourceKind::OfacSdnXml,
            "<sdnList>\n<sdnEntry><uid>1</uid><lastName>X</lastName></sdnEntry>\n<sdnEntry><uid>2</ui",
            "line 3",
        ),
        (
            SourceKind::EuFsfXml,
            "<export generationDate=\"2026\">\n<sanctionEntity logicalId=\"1\"><nameAlias wholeName=\"A B",
            "line 2",
        ),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cut.xml");
        std::fs::write(&path, text).unwrap();
        let err = lists::load(&ListSpec::new(kind, &path)).unwrap_err();
        assert!(matches!(err, ListError::Format { .. }), "{kind}: {err}");
        let msg = err.to_string();
        assert!(
            msg.starts_with(&path.display().to_string()) && msg.contains(needle),
            "{kind}: {msg}"
        );
    }
}

const HEAD: &str = "id,name,aliases,kind,birth_dates,countries,addresses,list\n";

fn write_config(dir: &Path, list_options: &str) -> PathBuf {
    let config = dir.join("c.yaml");
    std::fs::write(
        &config,
        format!(
            "lists:\n  - source: watchlist\n    path: w.csv\n{list_options}rules: {}\n",
            repo().join("rules").display()
        ),
    )
    .unwrap();
    config
}

#[test]
fn a_malformed_watchlist_row_refuses_the_list_unless_allowed() {
    let dir = tempfile::tempdir().unwrap();
    let w = dir.path().join("w.csv");
    // line 3's kind is unreadable; before, the row was skipped silently
    std::fs::write(
        &w,
        format!("{HEAD}w1,Good Name,,person,,,,\nw2,Bad Kind,,alien,,,,\nw3,Other Name,,,,,,\n"),
    )
    .unwrap();
    let config = write_config(dir.path(), "");
    let err = amlscreen::Engine::from_config(&Config::load(&config).unwrap())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains(&format!(
            "{}: 1 malformed record(s), 0 allowed (max_bad_rows)",
            w.display()
        )) && err.contains("line 3 (id w2): field 'kind'"),
        "{err}"
    );
    let out = amlscreen(
        &["--config", config.to_str().unwrap(), "lists", "stats"],
        b"",
    );
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("line 3 (id w2)"), "{stderr}");

    // allowed: loaded, and the skipped line is named on every load
    let config = write_config(dir.path(), "    max_bad_rows: 1\n");
    let engine = amlscreen::Engine::from_config(&Config::load(&config).unwrap()).unwrap();
    assert_eq!(engine.entities().len(), 2);
    assert_eq!(engine.lists()[0].skipped, 1);
    let out = amlscreen(
        &["--config", config.to_str().unwrap(), "lists", "stats"],
        b"",
    );
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!(
            "{}: skipped line 3 (id w2): field 'kind'",
            w.display()
        )),
        "{stderr}"
    );
    let out = amlscreen(&["--config", config.to_str().unwrap(), "screen"], b"");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("warning: ")
            && stderr.contains("skipped line 3 (id w2)")
            && stderr.contains("max_bad_rows: 1"),
        "{stderr}"
    );
}

#[test]
fn max_bad_rows_is_read_with_its_position() {
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), "    max_bad_rows: many\n");
    let err = Config::load(&config).unwrap_err().to_string();
    assert!(err.contains("c.yaml:4:"), "{err}");
    let config = write_config(dir.path(), "    companions: none\n");
    let err = Config::load(&config).unwrap_err().to_string();
    assert!(
        err.contains("c.yaml:4:") && err.contains("only an ofac_sdn_csv list has companion files"),
        "{err}"
    );
}

#[test]
fn a_watchlist_ending_inside_a_quoted_field_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let w = dir.path().join("w.csv");
    std::fs::write(
        &w,
        format!("{HEAD}w1,Good Name,,person,,,,\nw2,\"Cut, Name,,person,,,,\nw3,Third,,,,,,\n"),
    )
    .unwrap();
    let spec = ListSpec::new(SourceKind::Watchlist, &w).with_max_bad_rows(10);
    let err = lists::load(&spec).unwrap_err().to_string();
    assert!(
        err.starts_with(&format!("{}: line 3: a quoted field", w.display())),
        "{err}"
    );
}

#[test]
fn ofac_sdn_csv_without_its_companions_is_refused_unless_configured() {
    for missing in ["alt.csv", "add.csv", "sdn_comments.csv"] {
        let dir = ofac_csv_copy();
        std::fs::remove_file(dir.path().join(missing)).unwrap();
        let err = lists::load(&sdn_spec(dir.path())).unwrap_err();
        assert!(
            matches!(err, ListError::MissingCompanion { .. }),
            "{missing}: {err}"
        );
        assert!(
            err.to_string()
                .contains(&format!("{missing} is missing beside it")),
            "{err}"
        );
    }
    // said absent in the config: sdn.csv alone, companions beside it unread
    let dir = ofac_csv_copy();
    for name in ["alt.csv", "add.csv", "sdn_comments.csv"] {
        std::fs::remove_file(dir.path().join(name)).unwrap();
    }
    let config = dir.path().join("c.yaml");
    std::fs::write(
        &config,
        format!(
            "lists:\n  - source: ofac_sdn_csv\n    path: sdn.csv\n    companions: none\n    max_bad_rows: 1\nrules: {}\n",
            repo().join("rules").display()
        ),
    )
    .unwrap();
    let config = Config::load(&config).unwrap();
    assert_eq!(config.lists[0].companions, CompanionFiles::Absent);
    let engine = amlscreen::Engine::from_config(&config).unwrap();
    let perez = engine
        .entities()
        .iter()
        .find(|e| e.id == "ofac:7001")
        .unwrap();
    assert!(perez.aliases.iter().all(|a| a.name != "PEREZ, Pepe"));
}

#[test]
fn a_row_of_ten_thousand_columns_is_a_malformed_row_naming_its_line() {
    let wide = vec!["x"; 10_000].join(",");
    let dir = tempfile::tempdir().unwrap();
    let w = dir.path().join("w.csv");
    std::fs::write(&w, format!("{HEAD}w1,Good Name,,person,,,,\n{wide}\n")).unwrap();
    let err = lists::load(&ListSpec::new(SourceKind::Watchlist, &w))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("line 3: row has more than the limit of 256 fields"),
        "{err}"
    );
    // the same row in sdn.csv
    let dir = ofac_csv_copy();
    let path = dir.path().join("sdn.csv");
    let mut bytes = std::fs::read(&path).unwrap();
    bytes.truncate(bytes.len() - 1); // the 0x1A
    bytes.extend_from_slice(format!("{wide}\r\n\x1a").as_bytes());
    std::fs::write(&path, bytes).unwrap();
    let err = lists::load(&sdn_spec(dir.path())).unwrap_err().to_string();
    assert!(
        err.contains("2 malformed record(s), 1 allowed")
            && err.contains("line 5: row has more than the limit of 256 fields"),
        "{err}"
    );
}

fn watchlist_rows(n: usize) -> String {
    let mut s = String::from(HEAD);
    for i in 0..n {
        s.push_str(&format!("w{i},Person Number{i} Testname,,person,,,,\n"));
    }
    s
}

/// Before, the guard was off without `list_guard.history`, and compared
/// with the last version only: 9 % drops walked a list down unseen.
#[test]
fn the_shrink_guard_is_on_by_default_and_cumulative() {
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), "");
    let w = dir.path().join("w.csv");
    let load = |rows: usize| {
        std::fs::write(&w, watchlist_rows(rows)).unwrap();
        amlscreen::Screener::from_config(&Config::load(&config).unwrap())
            .map(|s| s.engine().entities().len())
    };
    assert_eq!(load(100).unwrap(), 100);
    assert!(dir
        .path()
        .join(amlscreen::lists::DEFAULT_HISTORY_FILE)
        .is_file());
    assert_eq!(load(91).unwrap(), 91); // 9 % below 100
    assert_eq!(load(83).unwrap(), 83); // 9 % below 91, 17 % below 100
    let err = load(76).unwrap_err().to_string(); // 8 % below 83, 24 % below 100
    assert!(
        err.contains("76 entities, 24% fewer than the 100 of a recent version")
            && err.contains("allowed 20%"),
        "{err}"
    );
    // the refused version was not recorded; growth is fine
    assert!(load(76).is_err());
    assert_eq!(load(100).unwrap(), 100);
}
