//! Measures the non-name part of the screening pipeline and the memory the
//! customer state takes, for BENCHMARKS.md:
//!
//! ```text
//! # rules/state/decision cost per transaction, names out of the way
//! # (no list entries, so the name index is empty): warm up on W
//! # transactions, then screen N more one by one
//! # (FILE: a gen_workload output, read instead of generating the stream)
//! valgrind --tool=callgrind --toggle-collect='*pipeline_profile*screen_measured*' \
//!     target/release/examples/pipeline_profile rules 20000 2000 [FILE]
//!
//! # resident memory: all lists of the workload + state of C customers
//! # after T transactions (default 100,000 customers, 300,000 transactions)
//! target/release/examples/pipeline_profile memory 100000 300000
//!
//! # audit cost: N records through the batch path into a temporary file
//! target/release/examples/pipeline_profile audit 20000
//! ```
//!
//! The repository's `rules/` are used as they are. Lists come from
//! `../shared/data` when it exists (see `benches/workload`), else the
//! generated lists of the same size.

use std::hint::black_box;
use std::time::Instant;

use amlscreen::audit::{AuditLog, AuditOptions};
use amlscreen::rules::RuleSet;
use amlscreen::{Screener, Transaction};

#[path = "../benches/workload/mod.rs"]
mod workload;

/// Transactions per batch call in the memory and audit modes.
const STEP: usize = 10_000;

fn rules() -> Result<RuleSet, String> {
    let dir = workload::repo_root().join("rules");
    RuleSet::load(&dir).map_err(|e| format!("{}: invalid rules: {e:?}", dir.display()))
}

fn arg(args: &[String], i: usize, default: usize) -> Result<usize, String> {
    args.get(i)
        .map(|a| a.parse().map_err(|e| format!("argument {i} '{a}': {e}")))
        .transpose()
        .map(|v| v.unwrap_or(default))
}

fn vm_rss() -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .map(|l| l.trim_start_matches("VmRSS:").trim().to_owned())
        })
        .unwrap_or_else(|| "unknown (no /proc/self/status)".into())
}

/// Kept out of line so callgrind can collect just this part.
#[inline(never)]
fn screen_measured(screener: &Screener, txs: &[Transaction]) -> usize {
    let mut flagged = 0;
    for tx in txs {
        if let Ok(d) = screener.evaluate(black_box(tx)) {
            flagged += usize::from(d.score > 0);
        }
    }
    flagged
}

/// The first `n` transactions of a JSON-lines file.
fn read_transactions(path: &str, n: usize) -> Result<Vec<Transaction>, String> {
    use std::io::BufRead;
    let file = std::fs::File::open(path).map_err(|e| format!("{path}: {e}"))?;
    std::io::BufReader::new(file)
        .lines()
        .take(n)
        .enumerate()
        .map(|(i, line)| {
            let line = line.map_err(|e| format!("{path}: {e}"))?;
            Transaction::from_json(&line).map_err(|e| format!("{path}:{}: {e}", i + 1))
        })
        .collect()
}

fn rules_mode(args: &[String]) -> Result<(), String> {
    let warm = arg(args, 1, 20_000)?;
    let measured = arg(args, 2, 2_000)?;
    // gen_workload files are stream transactions too: screen them as of the stream's time
    let screener = Screener::new(amlscreen::Engine::builder(rules()?).build())
        .with_clock(workload::screening_time);
    let txs = match args.get(3) {
        // a file written by gen_workload: no list loading in the profile
        Some(file) => read_transactions(file, warm + measured)?,
        None => {
            let lists = workload::Lists::load_or_generate()?;
            let sources = workload::Sources::new(&lists);
            workload::transactions_from(
                &sources,
                workload::SEED,
                0,
                warm + measured,
                workload::CUSTOMERS,
            )
        }
    };
    let warm = warm.min(txs.len());
    screen_measured(&screener, &txs[..warm]);
    let t = Instant::now();
    let flagged = screen_measured(&screener, &txs[warm..]);
    let elapsed = t.elapsed();
    println!(
        "rules: {measured} transactions after {warm} warm-up, {flagged} with findings, {:.2} µs each (wall)",
        elapsed.as_secs_f64() * 1e6 / measured.max(1) as f64
    );
    Ok(())
}

fn memory_mode(args: &[String]) -> Result<(), String> {
    let customers = arg(args, 1, 100_000)?;
    let total = arg(args, 2, 300_000)?;
    let lists = workload::Lists::load_or_generate()?;
    eprintln!("workload: {}", lists.summary());
    let sources = workload::Sources::new(&lists);
    let screener = Screener::new(
        amlscreen::Engine::builder(rules()?)
            .lists(lists.lists.clone())
            .build(),
    )
    .with_clock(workload::screening_time);
    drop(lists);
    println!("after building the screener: VmRSS {}", vm_rss());
    let mut first = 0;
    while first < total {
        let n = STEP.min(total - first);
        let txs = workload::transactions_from(&sources, workload::SEED, first, n, customers);
        for r in screener.evaluate_batch(&txs) {
            black_box(r.ok());
        }
        first += n;
    }
    let state = screener.state();
    println!(
        "after {total} transactions over {customers} customers ({} with state, {} transfers retained): VmRSS {}",
        state.customer_count(),
        state.total_entries(),
        vm_rss()
    );
    Ok(())
}

fn audit_mode(args: &[String]) -> Result<(), String> {
    let n = arg(args, 1, 20_000)?;
    let lists = workload::Lists::load_or_generate()?;
    let sources = workload::Sources::new(&lists);
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let log = AuditLog::open_with(&dir.path().join("audit.jsonl"), AuditOptions::default())
        .map_err(|e| e.to_string())?;
    let screener = Screener::new(amlscreen::Engine::builder(rules()?).build())
        .with_clock(workload::screening_time)
        .with_audit(log);
    let t = Instant::now();
    let mut first = 0;
    while first < n {
        let step = STEP.min(n - first);
        let txs =
            workload::transactions_from(&sources, workload::SEED, first, step, workload::CUSTOMERS);
        for r in screener.screen_batch(&txs) {
            r.map_err(|e| e.to_string())?;
        }
        first += step;
    }
    let elapsed = t.elapsed();
    println!(
        "audit: {n} transactions screened and audited (sync every record) in {:.2} s, {:.1} µs each (wall)",
        elapsed.as_secs_f64(),
        elapsed.as_secs_f64() * 1e6 / n.max(1) as f64
    );
    Ok(())
}

fn main() -> Result<(), String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("rules") => rules_mode(&args),
        Some("memory") => memory_mode(&args),
        Some("audit") => audit_mode(&args),
        _ => Err("usage: pipeline_profile rules [WARM] [N] [FILE] | memory [CUSTOMERS] [TRANSACTIONS] | audit [N]".into()),
    }
}
