//! List snapshots end to end on the repository's fixture lists (every
//! source format, OFAC CSV with its companions): `lists compile` → load →
//! the same entities, name hits and decisions as parsing the sources; every
//! reason a snapshot is refused, each with its message; the fallback to the
//! sources; atomic writes; hot reload.

use std::path::{Path, PathBuf};
use std::process::Command;

use amlscreen::list_cache::{self, ListsOrigin};
use amlscreen::names::NameQuery;
use amlscreen::{Config, Screener, Transaction};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `(source kind, file in sanctions/)` of every fixture list.
const FIXTURES: [(&str, &str); 8] = [
    ("un_xml", "fixtures/un.xml"),
    ("ofac_sdn_xml", "fixtures/ofac_sdn.xml"),
    ("ofac_sdn_csv", "fixtures/ofac_csv/sdn.csv"),
    ("eu_fsf_xml", "fixtures/eu_fsf.xml"),
    ("nsdc_json", "fixtures/nsdc.json"),
    ("uk_xml", "fixtures/uk.xml"),
    ("uk_conlist_csv", "fixtures/ofsi_conlist.csv"),
    ("watchlist", "sample_watchlist.csv"),
];

/// The fixtures holding one malformed record on purpose.
const BAD_RECORD_FIXTURES: [&str; 3] = ["ofac_sdn_xml", "ofac_sdn_csv", "eu_fsf_xml"];

/// A directory with a copy of every fixture list (so tests can change
/// them) and a config naming them, with `extra` appended.
struct Setup {
    dir: tempfile::TempDir,
}

impl Setup {
    fn new() -> Setup {
        let dir = tempfile::tempdir().unwrap();
        for (_, file) in FIXTURES {
            let to = dir.path().join("lists").join(file);
            std::fs::create_dir_all(to.parent().unwrap()).unwrap();
            std::fs::copy(repo().join("sanctions").join(file), &to).unwrap();
        }
        for companion in ["alt.csv", "add.csv", "sdn_comments.csv"] {
            std::fs::copy(
                repo().join("sanctions/fixtures/ofac_csv").join(companion),
                dir.path().join("lists/fixtures/ofac_csv").join(companion),
            )
            .unwrap();
        }
        Setup { dir }
    }

    fn path(&self, relative: &str) -> PathBuf {
        self.dir.path().join(relative)
    }

    fn snapshot(&self) -> PathBuf {
        self.path("lists.snap")
    }

    /// Writes `name` naming the fixture lists (those `keep` accepts) and
    /// `extra` YAML, and loads it.
    fn config_with(&self, name: &str, extra: &str, keep: impl Fn(&str) -> bool) -> Config {
        let mut text = String::from("lists:\n");
        for (kind, file) in FIXTURES.iter().filter(|(k, _)| keep(k)) {
            text.push_str(&format!("  - source: {kind}\n    path: lists/{file}\n"));
            if BAD_RECORD_FIXTURES.contains(kind) {
                text.push_str("    max_bad_rows: 1\n");
            }
        }
        text.push_str(&format!(
            "rules: {}\n{extra}",
            repo().join("rules").display()
        ));
        let path = self.path(name);
        std::fs::write(&path, text).unwrap();
        Config::load(&path).unwrap()
    }

    /// Every fixture list, no snapshot.
    fn sources_config(&self) -> Config {
        self.config_with("sources.yaml", "", |_| true)
    }

    /// Every fixture list and `snapshot: lists.snap`.
    fn snapshot_config(&self) -> Config {
        self.config_with("snapshot.yaml", "snapshot: lists.snap\n", |_| true)
    }

    fn compile(&self) {
        amlscreen::compile_list_cache(&self.sources_config(), &self.snapshot()).unwrap();
    }

    /// The refusal message of the snapshot for `config`.
    fn refusal(&self, config: &Config) -> String {
        match list_cache::read(&self.snapshot(), &config.lists, &config.matching) {
            Ok(_) => panic!("snapshot accepted"),
            Err(e) => {
                let msg = e.to_string();
                assert!(
                    msg.starts_with(&format!("{}: ", self.snapshot().display())),
                    "the message names the snapshot file: {msg}"
                );
                msg
            }
        }
    }
}

fn transactions() -> Vec<Transaction> {
    std::fs::read_to_string(repo().join("examples/transactions.jsonl"))
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// Every list name as given, with one letter dropped, and with its words
/// reversed: exact, typo and reordered queries.
fn query_names(screener: &Screener) -> Vec<String> {
    let mut names = Vec::new();
    for e in screener.engine().entities() {
        for (name, _) in e.names() {
            names.push(name.to_owned());
            let chars: Vec<char> = name.chars().collect();
            if chars.len() > 6 {
                let mut typo = chars.clone();
                typo.remove(chars.len() / 2);
                names.push(typo.into_iter().collect());
            }
            let reversed: Vec<&str> = name.split_whitespace().rev().collect();
            names.push(reversed.join(" "));
        }
    }
    names
}

/// Asserts two screeners hold the same lists and answer every query and
/// transaction identically.
fn assert_same_screening(parsed: &Screener, loaded: &Screener) {
    let (parsed_engine, loaded_engine) = (parsed.engine(), loaded.engine());
    assert_eq!(parsed.engine().lists(), loaded.engine().lists());
    assert_eq!(parsed.engine().entities(), loaded.engine().entities());
    assert_eq!(parsed.engine().provenance(), loaded.engine().provenance());
    let names = query_names(parsed);
    assert!(names.len() > 100, "{} query names", names.len());
    let mut with_hits = 0;
    for name in &names {
        let query = NameQuery {
            name,
            ..NameQuery::default()
        };
        let a: Vec<_> = parsed_engine.match_name(&query, 0.7, 10);
        let b: Vec<_> = loaded_engine.match_name(&query, 0.7, 10);
        assert_eq!(a, b, "hits for '{name}'");
        with_hits += usize::from(!a.is_empty());
    }
    assert!(
        with_hits * 2 > names.len(),
        "{with_hits} of {} hit",
        names.len()
    );
    let mut decided = 0;
    for tx in transactions() {
        let a = serde_json::to_value(parsed.evaluate(&tx).unwrap()).unwrap();
        let b = serde_json::to_value(loaded.evaluate(&tx).unwrap()).unwrap();
        assert_eq!(a, b, "decision for {}", tx.id);
        decided += 1;
    }
    assert!(decided >= 10);
}

#[test]
fn a_snapshot_screens_exactly_like_the_parsed_sources() {
    let setup = Setup::new();
    setup.compile();
    let parsed = Screener::from_config(&setup.sources_config()).unwrap();
    let loaded = Screener::from_config(&setup.snapshot_config()).unwrap();
    assert_eq!(parsed.engine().lists_origin(), &ListsOrigin::Sources);
    assert_eq!(
        loaded.engine().lists_origin(),
        &ListsOrigin::ListCache {
            path: setup.snapshot()
        }
    );
    assert_eq!(parsed.engine().lists().len(), FIXTURES.len());
    assert_same_screening(&parsed, &loaded);
}

#[test]
fn the_header_records_engine_matcher_and_every_source_file() {
    let setup = Setup::new();
    setup.compile();
    let header = list_cache::read_header_of(&setup.snapshot()).unwrap();
    assert_eq!(header.engine_version, amlscreen::ENGINE_VERSION);
    assert_eq!(header.build_fingerprint, list_cache::BUILD_FINGERPRINT);
    assert_eq!(header.lists.len(), FIXTURES.len());
    let csv = &header.lists[2];
    let files: Vec<&str> = csv
        .files
        .iter()
        .map(|f| f.path.rsplit('/').next().unwrap())
        .collect();
    assert_eq!(files, ["sdn.csv", "alt.csv", "add.csv", "sdn_comments.csv"]);
    let un = std::fs::read(setup.path("lists/fixtures/un.xml")).unwrap();
    assert_eq!(header.lists[0].files[0].size, un.len() as u64);
    assert_eq!(header.lists[0].files[0].sha256, {
        use sha2::Digest;
        sha2::Sha256::digest(&un)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    });
}

#[test]
fn list_paths_in_decisions_are_the_configured_ones() {
    // compiled through one path, loaded through another: the audit names
    // the path in force, as parsing would
    let setup = Setup::new();
    setup.compile();
    std::fs::create_dir(setup.path("sub")).unwrap();
    let _ = setup.snapshot_config();
    let text = std::fs::read_to_string(setup.path("snapshot.yaml"))
        .unwrap()
        .replace("path: lists/", "path: ../lists/")
        .replace("snapshot: lists.snap", "snapshot: ../lists.snap");
    std::fs::write(setup.path("sub/moved.yaml"), text).unwrap();
    let moved = Config::load(&setup.path("sub/moved.yaml")).unwrap();
    let loaded = Screener::from_config(&moved).unwrap();
    assert!(matches!(
        loaded.engine().lists_origin(),
        ListsOrigin::ListCache { .. }
    ));
    let mut parsed_config = moved.clone();
    parsed_config.list_cache = None;
    let parsed = Screener::from_config(&parsed_config).unwrap();
    assert!(loaded.engine().lists()[0].path.contains("sub/../lists/"));
    assert_eq!(parsed.engine().lists(), loaded.engine().lists());
}

#[test]
fn wrong_magic_is_refused() {
    let setup = Setup::new();
    setup.compile();
    let mut bytes = std::fs::read(setup.snapshot()).unwrap();
    bytes[0] = b'X';
    std::fs::write(setup.snapshot(), bytes).unwrap();
    let msg = setup.refusal(&setup.snapshot_config());
    assert!(
        msg.ends_with("list snapshot refused: not a list snapshot (wrong magic bytes)"),
        "{msg}"
    );
}

#[test]
fn another_format_version_is_refused() {
    let setup = Setup::new();
    setup.compile();
    let mut bytes = std::fs::read(setup.snapshot()).unwrap();
    bytes[8..12].copy_from_slice(&(list_cache::FORMAT_VERSION + 1).to_le_bytes());
    std::fs::write(setup.snapshot(), bytes).unwrap();
    let msg = setup.refusal(&setup.snapshot_config());
    assert!(
        msg.ends_with(&format!(
            "list snapshot refused: format version {}, this engine reads {}",
            list_cache::FORMAT_VERSION + 1,
            list_cache::FORMAT_VERSION
        )),
        "{msg}"
    );
}

#[test]
fn other_matcher_settings_are_refused() {
    let setup = Setup::new();
    setup.compile();
    let config = setup.config_with(
        "stricter.yaml",
        "snapshot: lists.snap\nmatching:\n  review_threshold: 0.85\n",
        |_| true,
    );
    let msg = setup.refusal(&config);
    assert!(
        msg.contains("list snapshot refused: compiled with other `matching` settings"),
        "{msg}"
    );
}

#[test]
fn a_changed_source_file_is_refused_by_size_and_by_hash() {
    let setup = Setup::new();
    setup.compile();
    let config = setup.snapshot_config();
    let un = setup.path("lists/fixtures/un.xml");
    let original = std::fs::read(&un).unwrap();

    // one more byte: caught by the size
    let mut longer = original.clone();
    longer.push(b'\n');
    std::fs::write(&un, &longer).unwrap();
    let msg = setup.refusal(&config);
    assert!(
        msg.contains(&format!(
            "list snapshot refused: source file {} changed since it was compiled: {} bytes, {} when compiled",
            un.display(),
            longer.len(),
            original.len()
        )),
        "{msg}"
    );

    // same size, one letter changed: caught by the SHA-256
    let mut edited = original.clone();
    let at = edited.iter().rposition(|b| b.is_ascii_uppercase()).unwrap();
    edited[at] = if edited[at] == b'A' { b'B' } else { b'A' };
    std::fs::write(&un, &edited).unwrap();
    let msg = setup.refusal(&config);
    assert!(
        msg.contains(&format!(
            "list snapshot refused: source file {} changed since it was compiled: SHA-256 ",
            un.display()
        )),
        "{msg}"
    );
    assert!(msg.contains("when compiled"), "{msg}");
}

#[test]
fn a_changed_or_removed_companion_file_is_refused() {
    let setup = Setup::new();
    setup.compile();
    let config = setup.snapshot_config();
    let alt = setup.path("lists/fixtures/ofac_csv/alt.csv");
    let mut bytes = std::fs::read(&alt).unwrap();
    bytes.extend_from_slice(b"\r\n");
    std::fs::write(&alt, &bytes).unwrap();
    let msg = setup.refusal(&config);
    assert!(
        msg.contains(&format!(
            "source file {} changed since it was compiled",
            alt.display()
        )),
        "{msg}"
    );
    std::fs::remove_file(&alt).unwrap();
    let msg = setup.refusal(&config);
    assert!(
        msg.contains(&format!("source file {} changed", alt.display()))
            && msg.contains("cannot read it"),
        "{msg}"
    );
    // and the sources, parsed instead, refuse the list without its companion
    let err = amlscreen::Engine::from_config(&config)
        .unwrap_err()
        .to_string();
    assert!(err.contains("alt.csv is missing beside it"), "{err}");
}

#[test]
fn other_configured_lists_are_refused() {
    let setup = Setup::new();
    setup.compile();
    let fewer = setup.config_with("fewer.yaml", "snapshot: lists.snap\n", |k| k != "watchlist");
    let msg = setup.refusal(&fewer);
    assert!(
        msg.ends_with(&format!(
            "list snapshot refused: the config names {} lists, the snapshot was compiled from {}",
            FIXTURES.len() - 1,
            FIXTURES.len()
        )),
        "{msg}"
    );
    // same count, another kind in first place
    let path = setup.path("swapped.yaml");
    let text = std::fs::read_to_string(setup.path("fewer.yaml")).unwrap();
    let swapped = format!(
        "lists:\n  - source: watchlist\n    path: lists/sample_watchlist.csv\n{}",
        text.trim_start_matches("lists:\n")
    );
    std::fs::write(&path, swapped).unwrap();
    let msg = setup.refusal(&Config::load(&path).unwrap());
    assert!(
        msg.contains("list snapshot refused: list 1 is watchlist ")
            && msg.contains("but was compiled from un_xml "),
        "{msg}"
    );
}

#[test]
fn a_corrupt_payload_is_refused_by_its_checksum() {
    let setup = Setup::new();
    setup.compile();
    let mut bytes = std::fs::read(setup.snapshot()).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 0x55;
    std::fs::write(setup.snapshot(), bytes).unwrap();
    let msg = setup.refusal(&setup.snapshot_config());
    assert!(
        msg.contains("list snapshot refused: payload checksum mismatch (SHA-256 ")
            && msg.ends_with("): the file is corrupt"),
        "{msg}"
    );
}

#[test]
fn a_truncated_or_extended_snapshot_is_refused() {
    let setup = Setup::new();
    setup.compile();
    let bytes = std::fs::read(setup.snapshot()).unwrap();
    let config = setup.snapshot_config();
    for keep in [bytes.len() - 1, bytes.len() / 2, 40, 12] {
        std::fs::write(setup.snapshot(), &bytes[..keep]).unwrap();
        let msg = setup.refusal(&config);
        assert!(
            msg.contains(&format!(
                "list snapshot refused: truncated: {keep} bytes, the header accounts for "
            )),
            "{keep}: {msg}"
        );
    }
    std::fs::write(setup.snapshot(), &bytes[..4]).unwrap();
    let msg = setup.refusal(&config);
    assert!(msg.contains("wrong magic bytes"), "{msg}");
    let mut longer = bytes.clone();
    longer.extend_from_slice(b"xyz");
    std::fs::write(setup.snapshot(), &longer).unwrap();
    let msg = setup.refusal(&config);
    assert!(
        msg.ends_with(&format!(
            "list snapshot refused: {} bytes, 3 more than the header accounts for",
            longer.len()
        )),
        "{msg}"
    );
}

#[test]
fn a_missing_snapshot_is_refused() {
    let setup = Setup::new();
    let msg = setup.refusal(&setup.snapshot_config());
    assert!(msg.contains("list snapshot: No such file"), "{msg}");
}

#[test]
fn a_refused_snapshot_falls_back_to_the_sources_which_win() {
    let setup = Setup::new();
    setup.compile();
    // the watchlist gains an entry after the snapshot was compiled
    let watchlist = setup.path("lists/sample_watchlist.csv");
    let mut text = std::fs::read_to_string(&watchlist).unwrap();
    let header = text.lines().next().unwrap().to_owned();
    let columns = header.split(',').count();
    let mut row = vec![String::new(); columns];
    for (i, column) in header.split(',').enumerate() {
        row[i] = match column.trim() {
            "id" => "wl-snapshot-test".into(),
            "name" => "Zebulon Quartermaine".into(),
            "kind" | "type" => "person".into(),
            "list" => "internal".into(),
            _ => String::new(),
        };
    }
    if !text.ends_with('\n') {
        text.push('\n');
    }
    text.push_str(&row.join(","));
    text.push('\n');
    std::fs::write(&watchlist, text).unwrap();

    let screener = Screener::from_config(&setup.snapshot_config()).unwrap();
    match screener.engine().lists_origin() {
        ListsOrigin::SourcesAfterRefusal { refusal } => {
            assert!(
                refusal.contains("sample_watchlist.csv changed since it was compiled"),
                "{refusal}"
            )
        }
        other => panic!("{other:?}"),
    }
    let parsed = Screener::from_config(&setup.sources_config()).unwrap();
    assert_eq!(parsed.engine().lists(), screener.engine().lists());
    let query = NameQuery {
        name: "Zebulon Quartermaine",
        ..NameQuery::default()
    };
    assert_eq!(
        screener.engine().match_name(&query, 0.9, 5).len(),
        1,
        "the new entry screens"
    );
}

#[test]
fn hot_reload_uses_a_valid_snapshot_and_refuses_a_stale_one() {
    let setup = Setup::new();
    setup.compile();
    let config = setup.snapshot_config();
    let live = Screener::from_config(&config).unwrap();
    assert!(matches!(
        live.engine().lists_origin(),
        ListsOrigin::ListCache { .. }
    ));
    let version = live.version();
    assert_eq!(live.reload(&config).unwrap(), version);
    assert!(matches!(
        live.engine().lists_origin(),
        ListsOrigin::ListCache { .. }
    ));
    // a source changes: the reload parses it instead of the stale snapshot
    let un = setup.path("lists/fixtures/un.xml");
    let mut bytes = std::fs::read(&un).unwrap();
    bytes.extend_from_slice(b"\n");
    std::fs::write(&un, bytes).unwrap();
    let new_version = live.reload(&config).unwrap();
    assert_ne!(new_version, version, "a changed file is a new list version");
    assert!(matches!(
        live.engine().lists_origin(),
        ListsOrigin::SourcesAfterRefusal { .. }
    ));
    // recompiled: the snapshot is used again
    setup.compile();
    assert_eq!(live.reload(&config).unwrap(), new_version);
    assert!(matches!(
        live.engine().lists_origin(),
        ListsOrigin::ListCache { .. }
    ));
}

#[test]
fn compile_replaces_the_snapshot_atomically() {
    let setup = Setup::new();
    setup.compile();
    let before = std::fs::read(setup.snapshot()).unwrap();
    let leftovers = |dir: &Path| -> Vec<String> {
        std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.contains(".tmp"))
            .collect()
    };
    // a failing compile (a list file is missing) leaves the old snapshot
    std::fs::rename(
        setup.path("lists/fixtures/un.xml"),
        setup.path("lists/fixtures/un.xml.away"),
    )
    .unwrap();
    let err = amlscreen::compile_list_cache(&setup.sources_config(), &setup.snapshot())
        .unwrap_err()
        .to_string();
    assert!(err.contains("un.xml"), "{err}");
    assert_eq!(std::fs::read(setup.snapshot()).unwrap(), before);
    assert!(leftovers(setup.dir.path()).is_empty());
    std::fs::rename(
        setup.path("lists/fixtures/un.xml.away"),
        setup.path("lists/fixtures/un.xml"),
    )
    .unwrap();
    // an unwritable destination: error names it, nothing left behind
    let missing_dir = setup.path("no/such/dir/lists.snap");
    let err = amlscreen::compile_list_cache(&setup.sources_config(), &missing_dir)
        .unwrap_err()
        .to_string();
    assert!(err.starts_with(&missing_dir.display().to_string()), "{err}");
    // a successful recompile replaces it whole and leaves no temporary file
    setup.compile();
    assert!(leftovers(setup.dir.path()).is_empty());
    assert!(list_cache::read(
        &setup.snapshot(),
        &setup.snapshot_config().lists,
        &setup.snapshot_config().matching
    )
    .is_ok());
}

#[test]
fn cli_compiles_and_screens_from_the_snapshot() {
    let setup = Setup::new();
    let sources = setup.sources_config();
    let _ = setup.snapshot_config();
    let bin = env!("CARGO_BIN_EXE_amlscreen");
    let out = Command::new(bin)
        .args(["--config"])
        .arg(setup.path("sources.yaml"))
        .args(["lists", "compile", "--out"])
        .arg(setup.snapshot())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let line: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(line["lists"], sources.lists.len());
    assert!(line["bytes"].as_u64().unwrap() > 1000);
    assert!(line["entities"].as_u64().unwrap() > 10);
    let screen = |config: &str| {
        Command::new(bin)
            .arg("--config")
            .arg(setup.path(config))
            .args(["screen", "--input"])
            .arg(repo().join("examples/transactions.jsonl"))
            .output()
            .unwrap()
    };
    let parsed = screen("sources.yaml");
    let loaded = screen("snapshot.yaml");
    assert_eq!(parsed.stdout, loaded.stdout);
    assert!(!parsed.stdout.is_empty());
    assert!(
        !String::from_utf8_lossy(&loaded.stderr).contains("refused"),
        "{}",
        String::from_utf8_lossy(&loaded.stderr)
    );
    // stale: said on stderr, same decisions from the sources
    let nsdc = setup.path("lists/fixtures/nsdc.json");
    let mut bytes = std::fs::read(&nsdc).unwrap();
    bytes.push(b' ');
    std::fs::write(&nsdc, bytes).unwrap();
    let stale = screen("snapshot.yaml");
    let stderr = String::from_utf8_lossy(&stale.stderr);
    assert!(
        stderr.contains("list snapshot refused: source file")
            && stderr.contains("nsdc.json changed since it was compiled")
            && stderr.contains("parsing the list sources instead"),
        "{stderr}"
    );
    assert_eq!(stale.stdout, screen("sources.yaml").stdout);
}
