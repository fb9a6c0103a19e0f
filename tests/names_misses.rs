//! The miss dump: every missed positive and every false positive of the
//! development set at the review threshold, with its best score and
//! alignment, grouped by a coarse cause. Not a pass/fail check (the ratchet,
//! `eval_ratchet.rs`, is that): a tool for deciding which quality fix to
//! make next.
//!
//! `cargo test --release --test names_misses -- --ignored --nocapture`
//! (set `AMLSCREEN_MISSES=FILE` to also write the full dump as JSON lines).

use std::collections::BTreeMap;
use std::io::Write;

use amlscreen::lists::SourceKind;
use amlscreen::names::eval::{pair_misses, query_misses, Miss};
use amlscreen::names::{MatchConfig, NameIndex};

use crate::common::{shared_data, shared_entities};

/// A coarse cause, read off the alignment explanation.
fn cause(m: &Miss) -> &'static str {
    let Some(x) = m.explanation.as_deref() else {
        return if m.outcome == "missed" {
            "not a candidate (no word pairs)"
        } else {
            "?"
        };
    };
    if m.outcome == "false_positive" {
        return if x.contains('≈') || x.contains('~') {
            "fp: fuzzy or initial pairs"
        } else if x.contains(" unmatched") {
            "fp: exact words, some unmatched"
        } else {
            "fp: all words exact"
        };
    }
    let query_unmatched = x
        .split("; ")
        .filter(|p| p.ends_with(" unmatched") && !p.starts_with("list "))
        .count();
    let list_unmatched = x
        .split("; ")
        .filter(|p| p.ends_with(" unmatched") && p.starts_with("list "))
        .count();
    if x.contains("differs") {
        "qualifier penalty (birth year/country/kind differs)"
    } else if query_unmatched > 0 {
        "query word without partner"
    } else if list_unmatched >= 2 {
        "two or more list words without partner"
    } else if list_unmatched == 1 {
        "one list word without partner"
    } else {
        "all words paired, similarity too low"
    }
}

#[test]
#[ignore = "reads ../shared/data"]
fn dump_misses_by_cause() {
    let config = MatchConfig::default();
    let threshold = config.review_threshold;
    let all = shared_entities(SourceKind::Watchlist, "eval/watchlist_all.csv");
    let latin = shared_entities(SourceKind::Watchlist, "eval/watchlist_latin_only.csv");
    let all_index = NameIndex::build(&all, config.clone());
    let latin_index = NameIndex::build(&latin, config.clone());
    let mut misses: Vec<Miss> = Vec::new();
    for file in [
        "typo_dev.jsonl",
        "reorder_dev.jsonl",
        "translit_dev.jsonl",
        "cyrillic_dev.jsonl",
        "negatives_dev.jsonl",
        "pairs_dev.jsonl",
    ] {
        let path = shared_data(&format!("eval/{file}"));
        let found = if file.starts_with("pairs") {
            pair_misses(&config, &path, threshold)
        } else if file.starts_with("translit") || file.starts_with("cyrillic") {
            query_misses(&latin_index, &latin, &path, threshold)
        } else {
            query_misses(&all_index, &all, &path, threshold)
        };
        misses.extend(found.unwrap_or_else(|e| panic!("{e}")));
    }
    let mut groups: BTreeMap<(String, &str, &str), Vec<&Miss>> = BTreeMap::new();
    for m in &misses {
        groups
            .entry((m.file.clone(), m.outcome, cause(m)))
            .or_default()
            .push(m);
    }
    for ((file, outcome, cause), ms) in &groups {
        println!("== {file} {outcome}: {cause} ({})", ms.len());
        for m in ms {
            println!(
                "  {:.3} {} | {} | {} | {}",
                m.score,
                m.id,
                m.name,
                m.matched_name.as_deref().unwrap_or("-"),
                m.explanation.as_deref().unwrap_or("-")
            );
        }
    }
    println!("== summary");
    for ((file, outcome, cause), ms) in &groups {
        println!("{:>4}  {file} {outcome}: {cause}", ms.len());
    }
    if let Some(out) = std::env::var_os("AMLSCREEN_MISSES") {
        let mut f = std::fs::File::create(&out).unwrap_or_else(|e| panic!("{e}"));
        for m in &misses {
            let line = serde_json::json!({
                "file": m.file, "id": m.id, "name": m.name, "outcome": m.outcome,
                "cause": cause(m), "score": m.score, "matched": m.matched_name,
                "explanation": m.explanation,
            });
            writeln!(f, "{line}").unwrap_or_else(|e| panic!("{e}"));
        }
    }
    // the dump must agree with the threshold it was taken at
    for m in &misses {
        match m.outcome {
            "missed" => assert!(m.score < threshold, "{m:?}"),
            _ => assert!(m.score >= threshold, "{m:?}"),
        }
    }
}
