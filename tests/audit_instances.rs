//! Several instances, one audit chain each (`audit.instance`): every record
//! names its instance under the seal; `amlscreen audit verify` checks a set
//! of chains, each under its own key, and refuses two chains claiming one
//! instance; `audit export` merges them in time order.

use std::path::{Path, PathBuf};

use amlscreen::{Config, Screener, Transaction};

use crate::common::{amlscreen, default_config};

/// A screener writing `dir/<name>/audit.jsonl` as instance `name`.
fn instance(dir: &Path, name: &str, claimed: &str) -> (Screener, PathBuf) {
    let sub = dir.join(name);
    std::fs::create_dir_all(&sub).unwrap();
    let audit = sub.join("audit.jsonl");
    let config = default_config(
        &sub,
        &format!(
            "audit:\n  path: {}\n  instance: {claimed}\n",
            audit.display()
        ),
    );
    let screener = Screener::from_config(&Config::load(&config).unwrap()).unwrap();
    (screener, audit)
}

fn tx(id: &str, minutes_ago: i64) -> Transaction {
    let at = (chrono::Utc::now() - chrono::Duration::minutes(minutes_ago)).to_rfc3339();
    Transaction::from_json(&format!(
        r#"{{"id":"{id}","timestamp":"{at}","customer_id":"c-1","direction":"outgoing",
            "amount":"10","currency":"EUR","value":"10",
            "beneficiary":{{"name":"Olena Kovalenko","kind":"person"}}}}"#
    ))
    .unwrap()
}

fn text(out: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn each_instance_keeps_its_chain_verified_together_and_exported_merged() {
    let dir = tempfile::tempdir().unwrap();
    let (a, audit_a) = instance(dir.path(), "a", "node-a");
    let (b, audit_b) = instance(dir.path(), "b", "node-b");
    // interleaved in time across the two instances
    for i in 0..6 {
        let s = if i % 2 == 0 { &a } else { &b };
        s.screen(&tx(&format!("t-{i}"), 60 - i)).unwrap();
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    drop((a, b));
    let (fa, fb) = (audit_a.display().to_string(), audit_b.display().to_string());

    let out = amlscreen(&["audit", "verify", &fa, &fb], b"");
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("OK: 2 instance chains"),
        "{}",
        text(&out)
    );

    let out = amlscreen(
        &[
            "audit",
            "export",
            "--from",
            "2000-01-01",
            "--to",
            "2100-01-01",
            "--file",
            &fa,
            "--file",
            &fb,
        ],
        b"",
    );
    assert!(out.status.success(), "{}", text(&out));
    let records: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(records.len(), 6);
    let order: Vec<&str> = records
        .iter()
        .map(|r| r["transaction_id"].as_str().unwrap())
        .collect();
    assert_eq!(
        order,
        ["t-0", "t-1", "t-2", "t-3", "t-4", "t-5"],
        "merged in time order"
    );
    let names: Vec<&str> = records
        .iter()
        .map(|r| r["instance"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["node-a", "node-b", "node-a", "node-b", "node-a", "node-b"]
    );

    let out = amlscreen(
        &[
            "audit",
            "export",
            "--from",
            "2000-01-01",
            "--to",
            "2100-01-01",
            "--format",
            "csv",
            "--file",
            &fa,
            "--file",
            &fb,
        ],
        b"",
    );
    let csv = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(csv.lines().next().unwrap().ends_with(",instance"), "{csv}");
    assert_eq!(
        csv.lines().filter(|l| l.ends_with(",node-b")).count(),
        3,
        "{csv}"
    );
}

#[test]
fn two_chains_claiming_one_instance_or_a_forged_name_fail() {
    let dir = tempfile::tempdir().unwrap();
    let (a, audit_a) = instance(dir.path(), "a", "node-a");
    let (b, audit_b) = instance(dir.path(), "b", "node-a");
    a.screen(&tx("x-1", 10)).unwrap();
    b.screen(&tx("x-2", 9)).unwrap();
    drop((a, b));
    let (fa, fb) = (audit_a.display().to_string(), audit_b.display().to_string());
    let out = amlscreen(&["audit", "verify", &fa, &fb], b"");
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        text(&out).contains("two instances share a name"),
        "{}",
        text(&out)
    );

    // the instance name is under the seal: renaming it breaks the chain
    let forged = std::fs::read_to_string(&audit_b)
        .unwrap()
        .replace("node-a", "node-b");
    std::fs::write(&audit_b, forged).unwrap();
    let out = amlscreen(&["audit", "verify", &fa, &fb], b"");
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("mac does not verify"), "{}", text(&out));

    // an instance name that is not a name is refused at start
    let sub = dir.path().join("bad");
    std::fs::create_dir_all(&sub).unwrap();
    let config = default_config(
        &sub,
        &format!(
            "audit:\n  path: {}\n  instance: \"a b\"\n",
            sub.join("audit.jsonl").display()
        ),
    );
    let err = Screener::from_config(&Config::load(&config).unwrap()).unwrap_err();
    assert!(err.to_string().contains("audit.instance"), "{err}");
}
