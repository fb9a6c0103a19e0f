//! Screening latency and throughput with the customer history in process
//! against in Redis (`state.redis`), one and two instances (screeners) on
//! one server. Figures in BENCHMARKS.md, "Shared customer history".
//!
//!     redis-server --port 6390 --save '' --appendonly no &
//!     cargo run --release --example history_bench -- redis://127.0.0.1:6390 [TRANSACTIONS]
//!
//! The bundled config's sample watchlist and default rules, no case store
//! or audit log (so what differs is the history); transactions from 500
//! customers over the last 20 hours, each to one of 40 counterparties.

use std::sync::Arc;
use std::time::Instant;

use amlscreen::{Config, RedisConfig, Screener, Transaction};

fn transactions(n: usize, run: &str) -> Vec<Transaction> {
    let now = chrono::Utc::now();
    let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let mut txs: Vec<Transaction> = (0..n)
        .map(|i| {
            let r = next();
            let at = now - chrono::Duration::seconds((20 * 3600 * (n - i) / n) as i64);
            let value = 20 + r % 12_000;
            let direction = if r % 3 == 0 { "incoming" } else { "outgoing" };
            let party = if direction == "incoming" {
                "originator"
            } else {
                "beneficiary"
            };
            Transaction::from_json(&format!(
                r#"{{"id":"{run}-{i}","timestamp":"{}","customer_id":"c-{}","direction":"{direction}",
                "amount":"{value}","currency":"USD","value":"{value}",
                "{party}":{{"name":"Counterparty {}","kind":"person","account":"UA21322313000002600723356{:04}"}}}}"#,
                at.to_rfc3339(),
                (r >> 8) % 500,
                (r >> 20) % 40,
                (r >> 20) % 40
            ))
            .expect("a valid transaction")
        })
        .collect();
    txs.sort_by_key(|t| t.timestamp);
    txs
}

fn config(redis: Option<&str>, prefix: &str) -> Config {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut config = Config::load(&root.join("amlscreen.yaml")).expect("the bundled config");
    config.audit = None;
    config.store = None;
    config.state.redis = redis.map(|url| RedisConfig {
        url: url.into(),
        key_prefix: prefix.into(),
        on_unavailable: Default::default(),
        timeout_ms: 1000,
        pool: 32,
    });
    config
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

/// Screens `txs` one at a time on each of `screeners` (a thread each,
/// transactions dealt round-robin): per-call latency p50/p99 and throughput.
fn run(label: &str, screeners: &[Arc<Screener>], txs: &[Transaction]) {
    let started = Instant::now();
    let threads: Vec<_> = screeners
        .iter()
        .enumerate()
        .map(|(k, s)| {
            let s = Arc::clone(s);
            let mine: Vec<Transaction> = txs
                .iter()
                .skip(k)
                .step_by(screeners.len())
                .cloned()
                .collect();
            std::thread::spawn(move || {
                let mut took = Vec::with_capacity(mine.len());
                for tx in &mine {
                    let t = Instant::now();
                    s.screen(tx).expect("screened");
                    took.push(t.elapsed().as_secs_f64() * 1e6);
                }
                took
            })
        })
        .collect();
    let mut took: Vec<f64> = threads
        .into_iter()
        .flat_map(|t| t.join().expect("a screening thread"))
        .collect();
    let wall = started.elapsed().as_secs_f64();
    took.sort_by(f64::total_cmp);
    let trips: u64 = screeners
        .iter()
        .map(|s| s.history_health().round_trips)
        .sum();
    println!(
        "{label:<34} p50 {:>7.1} µs  p99 {:>7.1} µs  {:>7.0} tx/s  round trips/tx {:.2}",
        percentile(&took, 0.5),
        percentile(&took, 0.99),
        txs.len() as f64 / wall,
        trips as f64 / txs.len() as f64
    );
}

fn main() {
    let mut args = std::env::args().skip(1);
    let url = args
        .next()
        .expect("usage: history_bench REDIS_URL [TRANSACTIONS]");
    let n: usize = args.next().map_or(20_000, |a| a.parse().expect("a count"));
    let stamp = chrono::Utc::now().timestamp_millis();
    let screener = |redis: Option<&str>, prefix: &str| {
        Arc::new(Screener::from_config(&config(redis, prefix)).expect("a screener"))
    };
    let txs = transactions(n, &format!("m{stamp}"));
    run("memory, 1 instance", &[screener(None, "")], &txs);
    let txs = transactions(n, &format!("m2{stamp}"));
    let shared = screener(None, "");
    // two threads on one in-process history: the in-process ceiling
    run(
        "memory, 1 instance, 2 threads",
        &[Arc::clone(&shared), shared],
        &txs,
    );
    let txs = transactions(n, &format!("r{stamp}"));
    run(
        "redis, 1 instance",
        &[screener(Some(&url), &format!("b1-{stamp}"))],
        &txs,
    );
    let txs = transactions(n, &format!("r2{stamp}"));
    let prefix = format!("b2-{stamp}");
    run(
        "redis, 2 instances",
        &[screener(Some(&url), &prefix), screener(Some(&url), &prefix)],
        &txs,
    );
}
