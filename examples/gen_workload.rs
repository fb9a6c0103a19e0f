//! Writes the benchmark workload's transaction stream as JSON lines, for
//! `amlscreen screen` runs at scale (e.g. the 1M-line memory check):
//!
//! ```text
//! cargo run --release --example gen_workload -- 1000000 > /tmp/tx-1m.jsonl
//! ```
//!
//! Arguments: number of transactions (default 100000) and customers
//! (default 3000). Uses the real lists' names and addresses when
//! `../shared/data` exists, else the generated lists.

use std::io::{BufWriter, Write};

#[path = "../benches/workload/mod.rs"]
mod workload;

/// Transactions generated and written per step (bounded memory).
const STEP: usize = 10_000;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let n: usize = args
        .next()
        .map(|a| a.parse())
        .transpose()?
        .unwrap_or(100_000);
    let customers: usize = args
        .next()
        .map(|a| a.parse())
        .transpose()?
        .unwrap_or(workload::CUSTOMERS);
    let lists = workload::Lists::load_or_generate()?;
    eprintln!("workload: {}", lists.summary());
    let sources = workload::Sources::new(&lists);
    let mut out = BufWriter::new(std::io::stdout().lock());
    let mut first = 0;
    while first < n {
        let step = STEP.min(n - first);
        for tx in workload::transactions_from(&sources, workload::SEED, first, step, customers) {
            serde_json::to_writer(&mut out, &tx)?;
            out.write_all(b"\n")?;
        }
        first += step;
    }
    out.flush()?;
    Ok(())
}
