//! The ratio check of the latency guard: the indexed `match_name` must be
//! at least [`MIN_SPEEDUP`]× faster than scoring every list name with the
//! same scorer (`NameIndex::search_exhaustive`), and return the same hits
//! at or above the review threshold on the workload's query names. Both
//! are timed in one process, one after the other on the same queries, so
//! machine load largely cancels out of the ratio. The two tests take one
//! lock, so neither is timed while the other builds its index; the
//! indexed pass (a few milliseconds in all, where a busy neighbour or a
//! cold cache weighs most) is warmed once and timed as the best of
//! [`INDEXED_PASSES`]; the exhaustive pass lasts seconds and is timed once.
//!
//! Runs on the generated lists (fresh clone) and, ignored by default, on
//! all real lists (`cargo test --release -- --ignored`).

use std::collections::BTreeMap;
use std::hint::black_box;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use amlscreen::names::{MatchConfig, NameIndex, NameQuery};

use crate::workload;

use workload::{Lists, NameKind, NamePool, SEED};

/// The speed-up the index must keep over an exhaustive scan.
const MIN_SPEEDUP: f64 = 100.0;
/// Query names compared (hits) and timed.
const QUERIES: usize = 300;
/// Hits compared per query: high enough that no hit above the threshold
/// is cut by the limit.
const LIMIT: usize = 100;
/// Timed passes of the indexed search; the fastest counts.
const INDEXED_PASSES: usize = 5;

/// Held by each test for its whole run: the other test's index build
/// (all cores) must not land inside this one's timing.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

/// The workload's names are persons and organisations alike: no kind is
/// given, so none is excluded as the other kind of party.
fn query(name: &str) -> NameQuery<'_> {
    NameQuery {
        name,
        kind: None,
        birth_date: None,
        country: None,
    }
}

/// `(entity, score in 1e-6)` of every hit, for comparing two searches.
type HitSet = BTreeMap<usize, i64>;

fn hit_set(hits: &[amlscreen::names::NameHit]) -> HitSet {
    hits.iter()
        .map(|h| (h.entity, (h.score * 1e6).round() as i64))
        .collect()
}

fn check(lists: &Lists) {
    let _alone = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    eprintln!("workload: {}", lists.summary());
    let entities: Vec<_> = lists.entities().cloned().collect();
    let config = MatchConfig::default();
    let review = config.review_threshold;
    let index = NameIndex::build(&entities, config);
    let queries = NamePool::new(lists).queries(SEED ^ 3, QUERIES);

    let indexed_pass = || -> Vec<HitSet> {
        queries
            .iter()
            .map(|(_, n)| hit_set(&black_box(index.search(&query(n), review, LIMIT))))
            .collect()
    };
    let indexed = indexed_pass(); // warm-up, and the hits compared below
    let mut t_indexed = Duration::MAX;
    for _ in 0..INDEXED_PASSES {
        let start = Instant::now();
        let again = indexed_pass();
        t_indexed = t_indexed.min(start.elapsed());
        assert_eq!(again, indexed, "the index must answer the same way twice");
    }
    let start = Instant::now();
    let exhaustive: Vec<HitSet> = queries
        .iter()
        .map(|(_, n)| {
            hit_set(&black_box(index.search_exhaustive(
                &query(n),
                review,
                LIMIT,
            )))
        })
        .collect();
    let t_exhaustive = start.elapsed();

    let mut disagreements = Vec::new();
    let mut listed_found = 0usize;
    let mut listed = 0usize;
    for (((kind, name), a), b) in queries.iter().zip(&indexed).zip(&exhaustive) {
        if *kind != NameKind::Clean {
            listed += 1;
            listed_found += usize::from(!b.is_empty());
        }
        if a != b {
            disagreements.push(format!(
                "{kind:?} '{name}': indexed {a:?} vs exhaustive {b:?}"
            ));
        }
    }
    let speedup = t_exhaustive.as_secs_f64() / t_indexed.as_secs_f64().max(1e-9);
    eprintln!(
        "{QUERIES} queries: indexed {:.2} µs/query, exhaustive {:.1} µs/query, speed-up {speedup:.0}×; \
         {listed_found}/{listed} list-derived queries found; {} disagreements",
        t_indexed.as_secs_f64() * 1e6 / QUERIES as f64,
        t_exhaustive.as_secs_f64() * 1e6 / QUERIES as f64,
        disagreements.len()
    );
    for d in &disagreements {
        eprintln!("  {d}");
    }
    assert!(
        disagreements.is_empty(),
        "the index must return the same hits as scoring every name"
    );
    assert!(
        speedup >= MIN_SPEEDUP,
        "indexed match_name is only {speedup:.0}× faster than the exhaustive scan (need ≥ {MIN_SPEEDUP}×)"
    );
}

#[test]
fn index_is_100x_faster_with_the_same_hits_on_generated_lists() {
    check(&Lists::generated(SEED));
}

#[test]
#[ignore = "reads ../shared/data"]
fn index_is_100x_faster_with_the_same_hits_on_real_lists() {
    check(&Lists::load_real().unwrap_or_else(|e| panic!("{e}")));
}
