//! The CI latency guard: instruction counts (callgrind, via gungraun) of
//! the two hot paths, checked against the committed baseline in
//! `ci/latency-baseline.txt` with the tolerance stated there.
//!
//! Why instruction counts and generated lists: wall-clock time on a shared
//! CI machine is noise; the number of instructions a fixed input executes
//! is deterministic to well under 1% (the only variance is hash-map
//! seeding). The lists are the generated stand-in of `workload/mod.rs`, not
//! the real files, so the baseline is the same on a fresh clone and with
//! `../shared` present. Setup (building the screener, warming its state)
//! happens in the bench arguments, which gungraun does not count.
//!
//! Run it with `ci/latency-guard.sh` (installs valgrind's runner if needed);
//! `ci/latency-guard.sh --update` rewrites the baseline on purpose.

use std::hint::black_box;

use amlscreen::names::NameQuery;
use amlscreen::rules::RuleSet;
use amlscreen::{PartyKind, Screener, Transaction};
use gungraun::{
    library_benchmark, library_benchmark_group, main, Callgrind, EventKind, LibraryBenchmarkConfig,
};

#[path = "workload/mod.rs"]
mod workload;

/// Calls per measured run: enough to average over the name mix, few
/// enough to keep a valgrind run short.
const CALLS: usize = 256;
/// The guard's lists are the generated ones at 1/10 of the real size:
/// building the fuzzy index over all 65k names under valgrind takes more
/// than 15 minutes, too slow for CI; per-call instruction counts scale
/// with candidates, not list size, so regressions still show.
const GUARD_LIST_DIVISOR: usize = 10;
/// Transactions screened in setup so rule state is warm.
const WARMUP: usize = 2_000;

/// The committed baseline: `tolerance_percent N` and `<bench> <instructions>` lines.
const BASELINE: &str = include_str!("../ci/latency-baseline.txt");

fn baseline_value(key: &str) -> Option<u64> {
    BASELINE
        .lines()
        .map(str::trim)
        .filter(|l| !l.starts_with('#'))
        .find_map(|l| {
            let (k, v) = l.split_once(char::is_whitespace)?;
            (k == key).then(|| v.trim().replace('_', "").parse().ok())?
        })
}

/// Hard limit on instructions: baseline × (1 + tolerance). No baseline
/// entry means no limit (first run of a new bench).
fn guard(bench: &str) -> LibraryBenchmarkConfig {
    let mut callgrind = Callgrind::default();
    // `ci/latency-guard.sh --update` measures without limits.
    let measuring = std::env::var_os("AMLSCREEN_GUARD_NO_LIMITS").is_some();
    if let (false, Some(base), Some(tol)) = (
        measuring,
        baseline_value(bench),
        baseline_value("tolerance_percent"),
    ) {
        let limit = base + base * tol / 100;
        callgrind.hard_limits([(EventKind::Ir, limit)]);
    }
    let mut config = LibraryBenchmarkConfig::default();
    config.tool(callgrind);
    config
}

fn screener_with_warm_state() -> (Screener, workload::Sources) {
    let lists = workload::Lists::generated_scaled(workload::SEED, GUARD_LIST_DIVISOR);
    let sources = workload::Sources::new(&lists);
    let rules = RuleSet::load(&workload::repo_root().join("rules"))
        .unwrap_or_else(|e| panic!("invalid rules: {e:?}"));
    let screener = Screener::new(amlscreen::Engine::builder(rules).lists(lists.lists).build())
        .with_clock(workload::screening_time);
    let warm =
        workload::transactions_from(&sources, workload::SEED, 0, WARMUP, workload::CUSTOMERS);
    for tx in &warm {
        black_box(screener.evaluate(tx).ok());
    }
    (screener, sources)
}

fn screen_one_input() -> (Screener, Vec<Transaction>) {
    let (screener, sources) = screener_with_warm_state();
    let txs =
        workload::transactions_from(&sources, workload::SEED, WARMUP, CALLS, workload::CUSTOMERS);
    (screener, txs)
}

fn match_name_input() -> (Screener, Vec<String>) {
    let (screener, sources) = screener_with_warm_state();
    let names = sources
        .names
        .queries(workload::SEED ^ 1, CALLS)
        .into_iter()
        .map(|(_, n)| n)
        .collect();
    (screener, names)
}

#[library_benchmark(config = guard("screen_one"))]
#[bench::generated_lists(screen_one_input())]
fn screen_one(input: (Screener, Vec<Transaction>)) {
    let (screener, txs) = input;
    for tx in &txs {
        black_box(screener.evaluate(black_box(tx)).ok());
    }
    // Dropping the engine is not what we measure; the process exits next.
    std::mem::forget((screener, txs));
}

#[library_benchmark(config = guard("match_name"))]
#[bench::generated_lists(match_name_input())]
fn match_name(input: (Screener, Vec<String>)) {
    let (screener, names) = input;
    let engine = screener.engine();
    let review = engine.matching().review_threshold;
    for name in &names {
        let query = NameQuery {
            name,
            kind: Some(PartyKind::Person),
            birth_date: None,
            country: None,
        };
        black_box(engine.match_name(black_box(&query), review, 5));
    }
    std::mem::forget((engine, screener, names));
}

library_benchmark_group!(name = hot_paths; benchmarks = screen_one, match_name);

main!(library_benchmark_groups = hot_paths);
