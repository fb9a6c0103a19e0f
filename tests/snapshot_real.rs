//! A snapshot of every real list (`benches/real-lists.yaml`): it loads in
//! under [`MAX_LOAD_MS`] (best of [`LOADS`], release builds) and answers a
//! sample of workload names exactly like the parsed sources.
//!
//! Ignored by default: `cargo test --release -- --ignored` with ../shared.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use amlscreen::names::NameQuery;
use amlscreen::snapshot::{self, ListsOrigin};
use amlscreen::{Config, PartyKind, Screener};

#[path = "../benches/workload/mod.rs"]
mod workload;

/// The load-time target of a snapshot with every real list.
const MAX_LOAD_MS: u128 = 200;
/// Loads timed; the best counts (the machine may be busy).
const LOADS: usize = 3;
/// Entities whose names (and variants of them) are queried.
const SAMPLED_ENTITIES: usize = 400;

fn real_config() -> Config {
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let config = Config::load(&repo.join("benches/real-lists.yaml")).unwrap();
    for spec in &config.lists {
        assert!(
            spec.path.is_file(),
            "missing {} (this test reads ../shared/data)",
            spec.path.display()
        );
    }
    config
}

#[test]
#[ignore = "reads ../shared/data"]
fn a_snapshot_of_all_real_lists_loads_fast_and_screens_like_the_sources() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = real_config();
    let out = dir.path().join("real.snap");

    let started = Instant::now();
    let summary = snapshot::compile(&config, &out).unwrap();
    eprintln!(
        "compiled {} lists, {} entities, {} names into {} bytes in {:?}",
        summary.lists,
        summary.entities,
        summary.names,
        summary.bytes,
        started.elapsed()
    );

    let mut best = Duration::MAX;
    let mut loaded = None;
    for _ in 0..LOADS {
        let started = Instant::now();
        let lists = snapshot::read(&out, &config.lists, &config.matching).unwrap();
        best = best.min(started.elapsed());
        loaded = Some(lists);
    }
    eprintln!("snapshot load: best of {LOADS} {best:?}");
    if cfg!(debug_assertions) {
        eprintln!("(debug build: the {MAX_LOAD_MS} ms target is checked in release builds)");
    } else {
        assert!(
            best.as_millis() < MAX_LOAD_MS,
            "loading the snapshot took {best:?} at best, the target is {MAX_LOAD_MS} ms"
        );
    }
    drop(loaded);

    let parsed = Screener::from_config(&config).unwrap();
    config.snapshot = Some(out.clone());
    let from_snapshot = Screener::from_config(&config).unwrap();
    assert_eq!(
        from_snapshot.lists_origin(),
        &ListsOrigin::Snapshot { path: out.clone() }
    );
    assert_eq!(parsed.lists(), from_snapshot.lists());
    assert_eq!(parsed.provenance(), from_snapshot.provenance());
    assert_eq!(parsed.entities().len(), from_snapshot.entities().len());
    assert!(parsed.entities() == from_snapshot.entities());

    // workload-style queries: exact names, typos, transliterations, reorders
    let mut rng = workload::Rng::new(workload::SEED ^ 0x5a);
    let step = (parsed.entities().len() / SAMPLED_ENTITIES).max(1);
    let mut queries = Vec::new();
    for e in parsed.entities().iter().step_by(step) {
        queries.push(e.name.clone());
        queries.push(workload::typo(&mut rng, &e.name));
        queries.push(workload::translit_variant(&e.name));
        queries.push(workload::reordered(&e.name));
    }
    for _ in 0..200 {
        queries.push(workload::clean_name(&mut rng));
    }
    let review = parsed.matching().review_threshold;
    let mut with_hits = 0;
    for name in &queries {
        let query = NameQuery {
            name,
            kind: Some(PartyKind::Person),
            birth_date: None,
            country: None,
        };
        let a = parsed.match_name(&query, review, 10);
        let b = from_snapshot.match_name(&query, review, 10);
        assert_eq!(a, b, "hits for '{name}'");
        with_hits += usize::from(!a.is_empty());
    }
    eprintln!("{} queries, {with_hits} with hits, identical", queries.len());
    assert!(with_hits * 3 > queries.len());
}
