//! The name index over the real eval watchlist: same hits as scoring every
//! list name, and the search latency.

use std::time::Instant;

use amlscreen::lists::{Entity, SourceKind};
use amlscreen::names::eval::{read_queries, EvalQuery};
use amlscreen::names::{MatchConfig, NameIndex};

use crate::common;

fn watchlist() -> Vec<Entity> {
    common::shared_entities(SourceKind::Watchlist, "eval/watchlist_all.csv")
}

/// Every query of every eval query file.
fn eval_queries() -> Vec<EvalQuery> {
    [
        "typo_dev.jsonl",
        "reorder_dev.jsonl",
        "translit_dev.jsonl",
        "cyrillic_dev.jsonl",
        "negatives_dev.jsonl",
    ]
    .iter()
    .flat_map(|file| {
        read_queries(&common::shared_data(&format!("eval/{file}")))
            .unwrap_or_else(|e| panic!("{e}"))
    })
    .collect()
}

#[test]
#[ignore = "reads ../shared/data"]
fn index_returns_the_same_hits_as_scoring_every_name() {
    let entities = watchlist();
    let index = NameIndex::build(&entities, MatchConfig::default());
    let queries = eval_queries();
    // a fixed pseudo-random sample (every 37th query, offset varies by file order)
    let sample: Vec<&EvalQuery> = queries.iter().step_by(37).collect();
    assert!(sample.len() >= 100);
    for threshold in [0.6, 0.8] {
        for q in &sample {
            let fast = index.search(&q.as_query(), threshold, 50);
            let slow = index.search_exhaustive(&q.as_query(), threshold, 50);
            let key = |h: &amlscreen::names::NameHit| {
                (h.entity, h.name_index, (h.score * 1e9).round() as i64)
            };
            let fast: Vec<_> = fast.iter().map(key).collect();
            let slow: Vec<_> = slow.iter().map(key).collect();
            assert_eq!(fast, slow, "query {:?} at {threshold}", q.name);
        }
    }
}

#[test]
#[ignore = "reads ../shared/data"]
fn median_search_latency_over_the_full_watchlist() {
    let entities = watchlist();
    let config = MatchConfig::default();
    let threshold = config.review_threshold;
    let index = NameIndex::build(&entities, config);
    let queries = eval_queries();
    // Two passes: the first meets every list word for the first time (its
    // fuzzy neighbours are computed then and cached in the index), the
    // second is the steady state of a long-running screener.
    let mut median = 0.0;
    for pass in ["first pass (cold)", "second pass (warm)"] {
        let mut micros: Vec<f64> = Vec::with_capacity(queries.len());
        for q in &queries {
            let start = Instant::now();
            let hits = index.search(&q.as_query(), threshold, 10);
            micros.push(start.elapsed().as_secs_f64() * 1e6);
            std::hint::black_box(hits);
        }
        micros.sort_by(f64::total_cmp);
        median = micros[micros.len() / 2];
        let p90 = micros[micros.len() * 9 / 10];
        let p99 = micros[micros.len() * 99 / 100];
        println!(
            "{} names, {} queries, {pass}: median {median:.1} µs, p90 {p90:.1} µs, p99 {p99:.1} µs per search",
            index.len(),
            micros.len()
        );
    }
    // The product target is 10 µs; this version measures 22–27 µs median
    // (both passes, load ≈2) on the shared 2-core machine, see
    // BENCHMARKS.md. CI shares
    // its cores, so this check only catches an order-of-magnitude
    // regression; the instruction-count guard (ci/latency-guard.sh) is the
    // precise one.
    assert!(median < 2_000.0, "median search took {median:.1} µs");
}

/// A fixed workload for `valgrind --tool=callgrind`: builds the index, then
/// runs `AMLSCREEN_PROFILE_QUERIES` (default 300) eval queries, every
/// `len / n`-th one, so instruction counts per query compare across commits:
///
/// ```text
/// AMLSCREEN_PROFILE_QUERIES=3893 valgrind --tool=callgrind \
///   --toggle-collect='*NameIndex::search*' --callgrind-out-file=cg.out \
///   target/release/deps/names_index-* --ignored --exact search_workload_for_profiling
/// callgrind_annotate --inclusive=yes cg.out | grep NameIndex::search
/// ```
#[test]
#[ignore = "reads ../shared/data"]
fn search_workload_for_profiling() {
    let entities = watchlist();
    let config = MatchConfig::default();
    let threshold = config.review_threshold;
    let index = NameIndex::build(&entities, config);
    let queries = eval_queries();
    let n: usize = std::env::var("AMLSCREEN_PROFILE_QUERIES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(300);
    // `AMLSCREEN_PROFILE_PASSES` (default 1) repeats the queries, so that
    // a sampling profiler (`perf record`) sees the searches rather than
    // the index build
    let passes: usize = std::env::var("AMLSCREEN_PROFILE_PASSES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1);
    let step = (queries.len() / n.max(1)).max(1);
    let mut total_hits = 0usize;
    for _ in 0..passes {
        for q in queries.iter().step_by(step).take(n) {
            total_hits += std::hint::black_box(index.search(&q.as_query(), threshold, 10)).len();
        }
    }
    println!(
        "{} queries × {passes} passes, {total_hits} hits",
        n.min(queries.len())
    );
}
