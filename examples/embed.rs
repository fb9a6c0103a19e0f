//! What an exchange backend does: build a `Screener` once at start-up, share
//! it across request threads, screen each transfer before executing it.
//!
//! Run from the repository root: `cargo run --example embed`

use std::sync::Arc;

use amlscreen::{Action, Config, Screener, Transaction};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Slow, validating, once: lists parsed and indexed, rules compiled.
    let mut config = Config::load("amlscreen.yaml".as_ref())?;
    config.audit = None; // this demo keeps no audit trail; production does
    let screener = Arc::new(Screener::from_config(&config)?);

    // Fast, read-only, from any thread: one call per transfer.
    let tx: Transaction = serde_json::from_str(
        r#"{"id": "tx-1", "timestamp": "2026-11-21T10:15:00Z", "customer_id": "c-42",
            "direction": "outgoing", "amount": "950.00", "currency": "USDT", "value": "950.00",
            "originator": {"name": "Ivan Petrenko", "kind": "person", "country": "UA"},
            "beneficiary": {"name": "Garantex Europe OU", "kind": "organization",
                            "vasp": "Garantex", "domain": "garantex.org"},
            "memo": "invoice 17"}"#,
    )?;
    let worker = {
        let screener = Arc::clone(&screener);
        std::thread::spawn(move || screener.screen(&tx))
    };
    let decision = worker.join().map_err(|_| "screening thread panicked")??;

    match decision.action {
        Action::Allow => println!("allow: execute the transfer"),
        Action::Hold => println!("hold: queue for compliance review"),
        Action::Block => println!("block: freeze the funds"),
    }
    for reason in &decision.reasons {
        println!("  - [{}] {}", reason.rule_id, reason.message);
    }
    Ok(())
}
