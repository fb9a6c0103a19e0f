//! The quality ratchet: runs the name-matching evaluation over every file in
//! `../shared/data/eval` (the same library code as `amlscreen eval`) and
//! fails when any figure is worse than `tests/eval_baseline.json` by more
//! than 0.01. Whoever improves matching raises the baseline in the same
//! commit: `AMLSCREEN_WRITE_BASELINE=1 cargo test --release --test eval_ratchet -- --ignored`.
//!
//! As the eval README prescribes, the translit and cyrillic files are
//! screened against `watchlist_latin_only.csv`, every other file against
//! `watchlist_all.csv`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use amlscreen::lists::SourceKind;
use amlscreen::names::eval::{check_baseline, evaluate_file, Figure};
use amlscreen::names::{MatchConfig, NameIndex};

const TOLERANCE: f64 = 0.01;

use crate::common::{shared_data, shared_entities};

#[test]
#[ignore = "reads ../shared/data"]
fn eval_figures_do_not_regress() {
    let dir = shared_data("eval");
    let config = MatchConfig::default();
    let all = shared_entities(SourceKind::Watchlist, "eval/watchlist_all.csv");
    let latin = shared_entities(SourceKind::Watchlist, "eval/watchlist_latin_only.csv");
    let all_index = NameIndex::build(&all, config.clone());
    let latin_index = NameIndex::build(&latin, config.clone());
    let mut thresholds = vec![
        0.80,
        0.85,
        0.90,
        config.review_threshold,
        config.block_threshold,
    ];
    thresholds.sort_by(f64::total_cmp);
    thresholds.dedup_by(|a, b| (*a - *b).abs() < 1e-9);

    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    files.retain(|p| p.extension().is_some_and(|x| x == "jsonl"));
    // The name-matching families hold one name query per line; a set of
    // whole transactions (`{"tx": …}`, such as ua_customers_dev.jsonl) is
    // judged by screening, not by this ratchet.
    files.retain(|p| !is_transaction_set(p));
    files.sort();
    assert!(
        files.len() >= 6,
        "expected the six dev files in {}",
        dir.display()
    );

    let mut figures: Vec<Figure> = Vec::new();
    for path in &files {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let (index, entities) = if name.starts_with("translit") || name.starts_with("cyrillic") {
            (&latin_index, &latin)
        } else {
            (&all_index, &all)
        };
        match evaluate_file(index, entities, path, &thresholds) {
            Ok(f) => figures.extend(f),
            Err(e) => panic!("{e}"),
        }
    }
    for f in &figures {
        println!("{:<40} {:.4} (n={})", f.key(), f.value, f.n);
    }

    let baseline_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/eval_baseline.json");
    if std::env::var_os("AMLSCREEN_WRITE_BASELINE").is_some() {
        let baseline: BTreeMap<String, f64> = figures
            .iter()
            .filter(|f| f.higher_is_better().is_some())
            .map(|f| (f.key(), (f.value * 10_000.0).round() / 10_000.0))
            .collect();
        let text = serde_json::to_string_pretty(&baseline).unwrap_or_default();
        std::fs::write(&baseline_path, text + "\n").unwrap_or_else(|e| panic!("{e}"));
        return;
    }
    let text = std::fs::read_to_string(&baseline_path)
        .unwrap_or_else(|e| panic!("{}: {e}", baseline_path.display()));
    let baseline: BTreeMap<String, f64> =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", baseline_path.display()));
    assert!(!baseline.is_empty(), "empty baseline");
    let regressions = check_baseline(&figures, &baseline, TOLERANCE);
    assert!(
        regressions.is_empty(),
        "figures worse than tests/eval_baseline.json by more than {TOLERANCE}: {regressions:#?}"
    );
}

/// Whether a JSONL file's first record is a transaction with its expected
/// outcome (`{"tx": …, "expect": …}`) rather than a name query.
fn is_transaction_set(path: &Path) -> bool {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    serde_json::from_str::<serde_json::Value>(first)
        .ok()
        .is_some_and(|v| v.get("tx").is_some())
}

#[test]
fn a_transaction_set_is_told_from_a_name_query_file() {
    let dir = tempfile::tempdir().unwrap();
    let tx = dir.path().join("ua.jsonl");
    std::fs::write(&tx, "{\"tx\": {\"id\": \"a\"}, \"expect\": \"allow\"}\n").unwrap();
    let names = dir.path().join("typo.jsonl");
    std::fs::write(
        &names,
        "{\"id\": \"q\", \"name\": \"A B\", \"expect\": []}\n",
    )
    .unwrap();
    assert!(is_transaction_set(&tx));
    assert!(!is_transaction_set(&names));
}
