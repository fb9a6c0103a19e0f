//! Criterion benches of the screening hot paths, over the workload of
//! `workload/mod.rs` (all real lists when `../shared/data` exists, else a
//! generated list of the same size; the first line printed says which).
//!
//! `cargo bench --bench screening` runs every bench, then measures what
//! criterion's mean hides: a per-call latency histogram (p50/p90/p99/max)
//! of `screen_one` and `match_name`, and resident memory with 100k
//! customers of state. Measurement times are short so the whole suite
//! runs in a few minutes on two cores.
//!
//! `AMLSCREEN_BENCH_LISTS=generated` forces the generated lists even when
//! `../shared/data` exists (to compare with a fresh clone).

use std::cell::Cell;
use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

use amlscreen::names::NameQuery;
use amlscreen::rules::RuleSet;
use amlscreen::{PartyKind, Screener, Transaction};
use criterion::{BatchSize, Criterion, Throughput};

#[path = "workload/mod.rs"]
mod workload;

use workload::{Lists, NamePool, Sources, CUSTOMERS, SEED};

/// Transactions screened before measuring, so rule state is warm.
const WARMUP_TRANSACTIONS: usize = 20_000;
/// Distinct transactions/names cycled through by the per-call benches.
const CALL_SET: usize = 4_096;
/// Calls timed one by one for the latency histograms.
const HISTOGRAM_CALLS: usize = 200_000;
/// Customers of state for the resident-memory figure.
const MEMORY_CUSTOMERS: usize = 100_000;
/// Rule kinds benched alone (the ones that read customer history or run
/// user regexes); a kind whose file is absent from `rules/` is skipped.
const RULE_KINDS: &[&str] = &[
    "structuring",
    "velocity",
    "unusual_activity",
    "new_counterparty",
    "anonymizer",
    "jurisdiction",
    "pattern",
];

fn lists() -> Lists {
    let lists =
        Lists::load_or_generate().unwrap_or_else(|e| panic!("cannot load the real lists: {e}"));
    eprintln!("workload: {}", lists.summary());
    lists
}

fn rules() -> RuleSet {
    let dir = workload::repo_root().join("rules");
    RuleSet::load(&dir).unwrap_or_else(|e| panic!("{}: invalid rules: {e:?}", dir.display()))
}

fn build(lists: &Lists) -> Screener {
    Screener::new(
        amlscreen::Engine::builder(rules())
            .lists(lists.lists.clone())
            .build(),
    )
    .with_clock(workload::screening_time)
}

/// A screener with warm state and the sources the stream draws from.
struct Bench {
    lists: Lists,
    sources: Sources,
    screener: Screener,
    /// Index of the next unused transaction of the stream.
    next: Cell<usize>,
}

impl Bench {
    fn new() -> Bench {
        let lists = lists();
        let sources = Sources::new(&lists);
        let screener = build(&lists);
        let warm = workload::transactions_from(&sources, SEED, 0, WARMUP_TRANSACTIONS, CUSTOMERS);
        for r in screener.evaluate_batch(&warm) {
            r.unwrap_or_else(|e| panic!("warm-up transaction rejected: {e}"));
        }
        Bench {
            lists,
            sources,
            screener,
            next: Cell::new(WARMUP_TRANSACTIONS),
        }
    }

    fn take(&self, n: usize, customers: usize) -> Vec<Transaction> {
        let first = self.next.get();
        self.next.set(first + n);
        workload::transactions_from(&self.sources, SEED, first, n, customers)
    }
}

fn queries(lists: &Lists) -> Vec<String> {
    NamePool::new(lists)
        .queries(SEED ^ 1, CALL_SET)
        .into_iter()
        .map(|(_, n)| n)
        .collect()
}

fn query(name: &str) -> NameQuery<'_> {
    NameQuery {
        name,
        kind: Some(PartyKind::Person),
        birth_date: None,
        country: None,
    }
}

fn bench_screen_one(c: &mut Criterion, b: &Bench) {
    let mut group = c.benchmark_group("screen_one");
    group.measurement_time(Duration::from_secs(4));
    group.bench_function("evaluate", |bench| bench_fresh(bench, b, &b.screener));
    group.finish();
}

/// Times `evaluate` on transactions never screened before (a repeated id
/// would take the duplicate path), generated outside the timed routine.
fn bench_fresh(bench: &mut criterion::Bencher<'_>, b: &Bench, screener: &Screener) {
    bench.iter_batched(
        || b.take(1, CUSTOMERS),
        |txs| {
            let d = screener.evaluate(black_box(&txs[0]));
            (txs, d)
        },
        BatchSize::SmallInput,
    )
}

fn bench_match_name(c: &mut Criterion, b: &Bench) {
    let names = queries(&b.lists);
    let engine = b.screener.engine();
    let review = engine.matching().review_threshold;
    let mut i = 0usize;
    let mut group = c.benchmark_group("match_name");
    group.measurement_time(Duration::from_secs(4));
    group.bench_function("review_threshold", |bench| {
        bench.iter(|| {
            i = (i + 1) % names.len();
            black_box(engine.match_name(&query(&names[i]), review, 5))
        })
    });
    group.finish();
}

fn bench_screen_batch(c: &mut Criterion, b: &Bench) {
    let n = workload::BATCH_TRANSACTIONS;
    let mut group = c.benchmark_group("screen_batch");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(15));
    group.throughput(Throughput::Elements(n as u64));
    group.bench_function("100k", |bench| {
        bench.iter_batched(
            || b.take(n, CUSTOMERS),
            |txs| black_box(b.screener.evaluate_batch(&txs)),
            BatchSize::PerIteration,
        )
    });
    group.finish();
}

fn bench_load_lists(c: &mut Criterion, b: &Bench) {
    let mut group = c.benchmark_group("load_lists");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(20));
    match b.lists.origin {
        workload::Origin::Real => {
            group.bench_function("parse_and_index_real", |bench| {
                bench.iter(|| {
                    let lists = Lists::load_real().unwrap_or_else(|e| panic!("{e}"));
                    black_box(build(&lists))
                })
            });
        }
        workload::Origin::Generated => {
            group.bench_function("index_generated", |bench| {
                bench.iter(|| black_box(build(&b.lists)))
            });
        }
    }
    group.finish();
}

/// `text` without a top-level key and its value: the lines from the key
/// to the next top-level key (a line starting in column 0 that is not a
/// comment), or the end. The repository's rule files are block YAML.
fn without_top_level_key(_from: &Path, text: &str, key: &str) -> String {
    let mut skipping = false;
    let mut out = String::with_capacity(text.len());
    for line in text.lines() {
        let top_level = !line.is_empty() && !line.starts_with([' ', '\t', '#', '-']);
        if top_level {
            skipping = line.strip_prefix(key).is_some_and(|r| r.starts_with(':'));
        }
        if !skipping {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

/// A rules directory holding the policy, the platforms and one rule kind's
/// file (plus the `data/` files rules may reference).
fn single_rule_dir(kind: &str) -> Option<tempfile::TempDir> {
    let rules = workload::repo_root().join("rules");
    let file = rules.join(format!("{kind}.yaml"));
    if !file.is_file() {
        eprintln!("rule kind {kind}: no {} — skipped", file.display());
        return None;
    }
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    for name in ["policy.yaml", "platforms.yaml", &format!("{kind}.yaml")] {
        let from = rules.join(name);
        if from.is_file() {
            // Rule-file `tests:` name rules of other kinds; drop them here.
            let text = std::fs::read_to_string(&from)
                .unwrap_or_else(|e| panic!("{}: {e}", from.display()));
            let text = without_top_level_key(&from, &text, "tests");
            std::fs::write(dir.path().join(name), text)
                .unwrap_or_else(|e| panic!("{}: {e}", from.display()));
        }
    }
    let data = rules.join("data");
    if data.is_dir() {
        std::os::unix::fs::symlink(&data, dir.path().join("data"))
            .unwrap_or_else(|e| panic!("{}: {e}", data.display()));
    }
    Some(dir)
}

/// `evaluate` with only one rule kind enabled (plus sanctions and
/// platforms, which always run), on warm state.
fn bench_rule_kinds(c: &mut Criterion, b: &Bench) {
    let mut group = c.benchmark_group("rule_kind");
    group.measurement_time(Duration::from_secs(2));
    group.sample_size(30);
    for kind in RULE_KINDS {
        let Some(dir) = single_rule_dir(kind) else {
            continue;
        };
        let rules =
            RuleSet::load(dir.path()).unwrap_or_else(|e| panic!("{kind}: invalid rules: {e:?}"));
        let screener = Screener::new(
            amlscreen::Engine::builder(rules)
                .lists(b.lists.lists.clone())
                .build(),
        )
        .with_clock(workload::screening_time);
        for r in screener.evaluate_batch(&b.take(WARMUP_TRANSACTIONS, CUSTOMERS)) {
            black_box(r.ok());
        }
        group.bench_function(*kind, |bench| bench_fresh(bench, b, &screener));
    }
    group.finish();
}

/// Per-call latencies, sorted, in nanoseconds.
fn histogram(mut samples: Vec<u64>) -> String {
    samples.sort_unstable();
    let at = |q: f64| samples[((samples.len() as f64 - 1.0) * q).round() as usize];
    format!(
        "n={} p50={:.2}µs p90={:.2}µs p99={:.2}µs p99.9={:.2}µs max={:.2}µs",
        samples.len(),
        at(0.5) as f64 / 1e3,
        at(0.9) as f64 / 1e3,
        at(0.99) as f64 / 1e3,
        at(0.999) as f64 / 1e3,
        at(1.0) as f64 / 1e3
    )
}

fn latency_histograms(b: &Bench, calls: usize) {
    let txs = b.take(calls, CUSTOMERS);
    let mut samples = Vec::with_capacity(calls);
    for tx in &txs {
        let t = Instant::now();
        black_box(b.screener.evaluate(black_box(tx)).ok());
        samples.push(t.elapsed().as_nanos() as u64);
    }
    println!("screen_one latency (one core): {}", histogram(samples));

    let names = queries(&b.lists);
    let engine = b.screener.engine();
    let review = engine.matching().review_threshold;
    let mut samples = Vec::with_capacity(calls);
    for i in 0..calls {
        let q = query(&names[i % names.len()]);
        let t = Instant::now();
        black_box(engine.match_name(black_box(&q), review, 5));
        samples.push(t.elapsed().as_nanos() as u64);
    }
    println!("match_name latency (one core): {}", histogram(samples));
}

fn resident_memory(b: &Bench, customers: usize) {
    // Three transactions per customer, spread over `customers` customers.
    let mut screened = 0usize;
    while screened < customers * 3 {
        let txs = b.take(workload::BATCH_TRANSACTIONS, customers);
        for r in b.screener.evaluate_batch(&txs) {
            black_box(r.ok());
        }
        screened += txs.len();
    }
    let rss = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .map(|l| l.trim_start_matches("VmRSS:").trim().to_owned())
        })
        .unwrap_or_else(|| "unknown (no /proc/self/status)".into());
    println!(
        "resident memory after {screened} transactions over {customers} customers: VmRSS {rss}"
    );
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` does not, and
    // then every bench runs once and the extra figures are kept small.
    let bench_mode = std::env::args().any(|a| a == "--bench");
    let mut c = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .configure_from_args();
    let b = Bench::new();
    bench_screen_one(&mut c, &b);
    bench_match_name(&mut c, &b);
    bench_screen_batch(&mut c, &b);
    bench_load_lists(&mut c, &b);
    bench_rule_kinds(&mut c, &b);
    c.final_summary();
    if bench_mode {
        latency_histograms(&b, HISTOGRAM_CALLS);
        resident_memory(&b, MEMORY_CUSTOMERS);
    } else {
        latency_histograms(&b, 1_000);
    }
}
