//! Whole-pipeline tests of the behaviour rules: the `amlscreen` binary
//! screens JSONL sequences with the shipped `rules/` and sample watchlist.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::{json, Value};

use crate::common;
use crate::common::repo;

fn config(dir: &Path, rules: &Path) -> PathBuf {
    common::sample_config(dir, rules, "")
}

fn amlscreen(args: &[&str], stdin: &str) -> Output {
    common::amlscreen(args, stdin.as_bytes())
}

struct Run {
    code: i32,
    lines: Vec<Value>,
    stderr: String,
}

impl Run {
    fn by_id(&self) -> HashMap<String, Vec<Value>> {
        let mut m: HashMap<String, Vec<Value>> = HashMap::new();
        for l in &self.lines {
            if let Some(id) = l["transaction_id"].as_str() {
                m.entry(id.to_owned()).or_default().push(l.clone());
            }
        }
        m
    }
}

fn screen(dir: &Path, extra: &[&str], txs: &[Value]) -> Run {
    let cfg = config(dir, &repo().join("rules"));
    let input: String = txs.iter().map(|t| format!("{t}\n")).collect();
    let mut args = vec!["--config", cfg.to_str().unwrap(), "screen"];
    args.extend_from_slice(extra);
    let out = amlscreen(&args, &input);
    Run {
        code: out.status.code().unwrap_or(-1),
        lines: String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// A transaction: customer, id, time "2026-11-21T10:00:00Z", value, extra fields.
fn tx(customer: &str, id: &str, ts: &str, value: &str, extra: Value) -> Value {
    let mut t = json!({
        "id": id, "timestamp": ts, "customer_id": customer, "direction": "outgoing",
        "amount": value, "currency": "USD", "value": value
    });
    if let (Some(t), Some(e)) = (t.as_object_mut(), extra.as_object()) {
        for (k, v) in e {
            t.insert(k.clone(), v.clone());
        }
    }
    t
}

fn at(day: u32, hour: u32, minute: u32) -> String {
    format!("2026-11-{day:02}T{hour:02}:{minute:02}:00Z")
}

fn rule_ids(d: &Value) -> Vec<String> {
    d["reasons"]
        .as_array()
        .map(|r| {
            r.iter()
                .filter_map(|x| x["rule_id"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// (action, risk, rule ids) of a decision.
fn summary(d: &Value) -> (String, String, Vec<String>) {
    (
        d["action"].as_str().unwrap_or_default().to_owned(),
        d["risk"].as_str().unwrap_or_default().to_owned(),
        rule_ids(d),
    )
}

#[test]
fn each_default_rule_fires_and_its_near_miss_does_not() {
    let dir = tempfile::tempdir().unwrap();
    let mut txs = Vec::new();
    let none = json!({});
    // structuring: three vs two
    for (i, v) in ["9500", "9800", "9900"].iter().enumerate() {
        txs.push(tx(
            "struct",
            &format!("struct-{i}"),
            &at(21, 9 + 4 * i as u32, 0),
            v,
            none.clone(),
        ));
    }
    for (i, v) in ["9500", "9800"].iter().enumerate() {
        txs.push(tx(
            "struct-near",
            &format!("struct-near-{i}"),
            &at(21, 9 + 4 * i as u32, 0),
            v,
            none.clone(),
        ));
    }
    // velocity count: 11 vs 10 within an hour
    for i in 0..11 {
        txs.push(tx(
            "vel",
            &format!("vel-{i}"),
            &at(21, 10, 5 * i),
            "100",
            none.clone(),
        ));
    }
    for i in 0..10 {
        txs.push(tx(
            "vel-near",
            &format!("vel-near-{i}"),
            &at(21, 10, 5 * i),
            "100",
            none.clone(),
        ));
    }
    // velocity sum: 50,000.01 vs 50,000 within 24h
    for (c, last) in [("sum", "8000.01"), ("sum-near", "8000")] {
        for (i, v) in ["14000", "14000", "14000", last].iter().enumerate() {
            txs.push(tx(
                c,
                &format!("{c}-{i}"),
                &at(21, 8 + 4 * i as u32, 0),
                v,
                none.clone(),
            ));
        }
    }
    // anonymizer
    txs.push(tx(
        "tor",
        "tor",
        &at(21, 9, 0),
        "100",
        json!({"channel": {"ip": "185.220.101.1", "ip_flags": ["tor"]}}),
    ));
    txs.push(tx(
        "tor-near",
        "tor-near",
        &at(21, 9, 0),
        "100",
        json!({"channel": {"ip": "185.220.104.1"}}),
    ));
    txs.push(tx(
        "vpn",
        "vpn",
        &at(21, 9, 0),
        "100",
        json!({"channel": {"ip_flags": ["vpn"]}}),
    ));
    txs.push(tx(
        "xmr",
        "xmr",
        &at(21, 9, 0),
        "100",
        json!({"currency": "XMR", "amount": "0.4"}),
    ));
    txs.push(tx(
        "xmr-near",
        "xmr-near",
        &at(21, 9, 0),
        "100",
        json!({"currency": "BTC", "amount": "0.001"}),
    ));
    // jurisdiction
    txs.push(tx(
        "ir",
        "ir",
        &at(21, 9, 0),
        "100",
        json!({"beneficiary": {"name": "A. Karimi", "country": "IR"}}),
    ));
    txs.push(tx(
        "crimea",
        "crimea",
        &at(21, 9, 0),
        "100",
        json!({"beneficiary": {"country": "UA-43"}}),
    ));
    txs.push(tx(
        "grey",
        "grey",
        &at(21, 9, 0),
        "100",
        json!({"channel": {"country": "VE"}}),
    ));
    txs.push(tx(
        "ua",
        "ua",
        &at(21, 9, 0),
        "100",
        json!({"beneficiary": {"country": "UA"}}),
    ));
    // amount (each customer with a transfer the day before: a large sum
    // without history is a stop criterion of its own)
    for c in ["amt", "amt-near"] {
        txs.push(tx(
            c,
            &format!("{c}-prior"),
            &at(20, 9, 0),
            "10",
            none.clone(),
        ));
    }
    txs.push(tx("amt", "amt", &at(21, 9, 0), "15000", none.clone()));
    txs.push(tx(
        "amt-near",
        "amt-near",
        &at(21, 9, 0),
        "14999.99",
        none.clone(),
    ));
    // unusual value spike: 5 prior of 100, then > 1,000 vs exactly 1,000
    for (c, last) in [("spike", "1000.01"), ("spike-near", "1000")] {
        for d in 0..5 {
            txs.push(tx(
                c,
                &format!("{c}-{d}"),
                &at(1 + 3 * d, 12, 0),
                "100",
                none.clone(),
            ));
        }
        txs.push(tx(
            c,
            &format!("{c}-last"),
            &at(20, 12, 0),
            last,
            none.clone(),
        ));
    }
    // unusual rhythm: a rare customer (3 over the previous 30 days), then
    // 10 in a day vs 9
    for (c, n) in [("rhythm", 10), ("rhythm-near", 9)] {
        for d in 0..3 {
            txs.push(tx(
                c,
                &format!("{c}-{d}"),
                &format!("2026-10-{:02}T12:00:00Z", 21 + 4 * d),
                "100",
                none.clone(),
            ));
        }
        for i in 0..n {
            txs.push(tx(
                c,
                &format!("{c}-last-{i}"),
                &at(20, 8 + i, 0),
                "100",
                none.clone(),
            ));
        }
    }
    // new counterparty: new wallet vs one used before
    let wallet = json!({"originator": {"name": "Olena Kovalenko"},
        "beneficiary": {"name": "Petro Ivanenko", "wallet": {"chain": "TRX", "address": "TN3W4H6rK2ce4vX9YnFQHwKENnHjoxb3m9"}}});
    txs.push(tx("newcp", "newcp", &at(21, 9, 0), "1500", wallet.clone()));
    txs.push(tx(
        "newcp-near",
        "newcp-near-0",
        &at(20, 9, 0),
        "10",
        wallet.clone(),
    ));
    txs.push(tx(
        "newcp-near",
        "newcp-near-1",
        &at(21, 9, 0),
        "1500",
        wallet.clone(),
    ));
    // pattern
    txs.push(tx(
        "memo",
        "memo",
        &at(21, 9, 0),
        "100",
        json!({"memo": "ransom for the files"}),
    ));
    txs.push(tx(
        "memo-near",
        "memo-near",
        &at(21, 9, 0),
        "100",
        json!({"memo": "transom window"}),
    ));

    let run = screen(dir.path(), &[], &txs);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.lines.len(), txs.len());
    let d = run.by_id();
    let last = |id: &str| summary(&d[id][0]);
    let s = |a: &str, r: &str, ids: &[&str]| {
        (
            a.to_owned(),
            r.to_owned(),
            ids.iter().map(|x| x.to_string()).collect::<Vec<_>>(),
        )
    };

    // 9,900 USD is at or over 400,000 UAH: the decision carries a report duty
    assert_eq!(
        last("struct-2"),
        s(
            "hold",
            "high",
            &["structuring-under-10k", "report.threshold"]
        )
    );
    assert_eq!(d["struct-2"][0]["report"], "threshold");
    let msg = d["struct-2"][0]["reasons"][0]["message"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        msg.contains(
            "3 transfers of 8,000 USD to under 10,000 USD within 24h: 9,500 + 9,800 + 9,900 USD"
        ),
        "{msg}"
    );
    assert!(
        msg.contains("Transfers split to stay just under the 10,000 USD threshold"),
        "{msg}"
    );
    assert_eq!(
        last("struct-near-1"),
        s("allow", "low", &["report.threshold"])
    );

    assert_eq!(
        last("vel-10"),
        s("allow", "low", &["velocity-outgoing-count-1h"])
    );
    assert_eq!(last("vel-near-9"), s("allow", "low", &[]));
    assert_eq!(
        last("sum-3"),
        s("allow", "low", &["velocity-outgoing-sum-24h"])
    );
    assert!(d["sum-3"][0]["reasons"][0]["message"]
        .as_str()
        .unwrap()
        .contains("total 50,000.01 USD > 50,000 USD"));
    assert_eq!(last("sum-near-3"), s("allow", "low", &[]));

    assert_eq!(last("tor"), s("hold", "high", &["anonymizer-tor-or-mixer"]));
    assert_eq!(last("tor-near"), s("allow", "low", &[]));
    assert_eq!(last("vpn"), s("allow", "low", &["anonymizer-vpn-proxy"]));
    assert_eq!(last("xmr"), s("hold", "high", &["anonymizer-privacy-coin"]));
    assert_eq!(last("xmr-near"), s("allow", "low", &[]));

    assert_eq!(
        last("ir"),
        s(
            "hold",
            "high",
            &[
                "jurisdiction-fatf-call-for-action",
                "jurisdiction-sanctioned-territory"
            ]
        )
    );
    assert_eq!(
        last("crimea"),
        s("hold", "high", &["jurisdiction-sanctioned-territory"])
    );
    assert_eq!(
        last("grey"),
        s("allow", "low", &["jurisdiction-fatf-grey-list"])
    );
    assert_eq!(last("ua"), s("allow", "low", &[]));

    assert_eq!(
        last("amt"),
        s("allow", "low", &["large-transfer-15k", "report.threshold"])
    );
    assert_eq!(last("amt-near"), s("allow", "low", &["report.threshold"]));

    assert_eq!(
        last("spike-last"),
        s("allow", "low", &["unusual-value-spike"])
    );
    assert_eq!(last("spike-near-last"), s("allow", "low", &[]));
    assert_eq!(
        last("rhythm-last-9"),
        s("allow", "medium", &["unusual-rhythm-change"])
    );
    assert_eq!(last("rhythm-near-last-8"), s("allow", "low", &[]));

    assert_eq!(last("newcp"), s("allow", "low", &["new-counterparty-1k"]));
    assert_eq!(last("newcp-near-1"), s("allow", "low", &[]));

    assert_eq!(last("memo"), s("allow", "medium", &["memo-ransom-payment"]));
    assert_eq!(last("memo-near"), s("allow", "low", &[]));
}

#[test]
fn out_of_order_transfers_are_judged_by_event_time() {
    let dir = tempfile::tempdir().unwrap();
    let none = json!({});
    let txs = [
        tx("c", "late-a", &at(21, 9, 0), "9500", none.clone()),
        tx("c", "late-c", &at(21, 17, 0), "9900", none.clone()),
        // arrives last, belongs in the middle: completes the group
        tx("c", "late-b", &at(21, 13, 0), "9800", none.clone()),
        // arrives later still but is 2 days earlier: alone in its window
        tx("c", "early", &at(19, 13, 0), "9600", none.clone()),
    ];
    let run = screen(dir.path(), &[], &txs);
    let d = run.by_id();
    assert_eq!(summary(&d["late-c"][0]).0, "allow");
    assert_eq!(
        summary(&d["late-b"][0]),
        (
            "hold".into(),
            "high".into(),
            vec!["structuring-under-10k".into(), "report.threshold".into()]
        )
    );
    let msg = d["late-b"][0]["reasons"][0]["message"].as_str().unwrap();
    assert!(msg.contains("9,500 + 9,800 + 9,900"), "{msg}");
    assert_eq!(summary(&d["early"][0]).0, "allow");
}

#[test]
fn a_duplicate_transaction_id_returns_the_same_decision_and_counts_once() {
    let dir = tempfile::tempdir().unwrap();
    let none = json!({});
    let first = tx("c", "dup-1", &at(21, 9, 0), "9500", none.clone());
    let second = tx("c", "dup-2", &at(21, 10, 0), "9600", none.clone());
    let txs = [first.clone(), second.clone(), second.clone(), first.clone()];
    let run = screen(dir.path(), &[], &txs);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.lines[1], run.lines[2]);
    assert_eq!(run.lines[0], run.lines[3]);
    // counted twice, the repeat would have made three structured transfers
    assert_eq!(summary(&run.lines[2]).0, "allow");
    let third = tx("c", "dup-3", &at(21, 11, 0), "9700", none);
    let run2 = screen(
        dir.path(),
        &[],
        &[txs[0].clone(), txs[1].clone(), txs[2].clone(), third],
    );
    assert_eq!(summary(&run2.lines[3]).0, "hold");
    assert!(run2.lines[3]["reasons"][0]["message"]
        .as_str()
        .unwrap()
        .contains("3 transfers"));
}

#[test]
fn state_saved_reloaded_and_continued_still_holds_the_third_transfer() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state.json");
    let state_arg = state.to_str().unwrap();
    let none = json!({});
    let run1 = screen(
        dir.path(),
        &["--state", state_arg],
        &[
            tx("c", "s1", &at(21, 9, 0), "9500", none.clone()),
            tx("c", "s2", &at(21, 13, 0), "9800", none.clone()),
        ],
    );
    assert_eq!(run1.code, 0, "{}", run1.stderr);
    assert!(run1.stderr.contains("no state file"), "{}", run1.stderr);
    assert!(state.exists());

    let third = tx("c", "s3", &at(21, 17, 0), "9900", none.clone());
    let run2 = screen(
        dir.path(),
        &["--state", state_arg],
        std::slice::from_ref(&third),
    );
    assert_eq!(run2.code, 0, "{}", run2.stderr);
    assert_eq!(
        summary(&run2.lines[0]),
        (
            "hold".into(),
            "high".into(),
            vec!["structuring-under-10k".into(), "report.threshold".into()]
        )
    );
    // a transaction screened before the restart keeps its decision
    let run3 = screen(
        dir.path(),
        &["--state", state_arg],
        &[tx("c", "s2", &at(21, 13, 0), "9800", none.clone())],
    );
    assert_eq!(run3.lines[0], run1.lines[1]);

    // without the state, the third transfer is alone (and, a large sum
    // without history, held for that reason alone)
    let fresh = screen(dir.path(), &[], std::slice::from_ref(&third));
    assert_eq!(
        summary(&fresh.lines[0]).2,
        ["large-sum-without-history", "report.threshold"]
    );

    // a corrupt checkpoint is a clear error at start, never an empty state
    let text = std::fs::read_to_string(&state).unwrap();
    std::fs::write(&state, &text[..text.len() / 2]).unwrap();
    let broken = screen(
        dir.path(),
        &["--state", state_arg],
        std::slice::from_ref(&third),
    );
    assert_eq!(broken.code, 2);
    assert!(broken.lines.is_empty());
    assert!(
        broken.stderr.contains("corrupt checkpoint") && broken.stderr.contains("--fresh-state"),
        "{}",
        broken.stderr
    );
    // … unless the operator says to start fresh
    let restarted = screen(
        dir.path(),
        &["--state", state_arg, "--fresh-state"],
        &[third],
    );
    assert_eq!(restarted.code, 0, "{}", restarted.stderr);
    assert!(!summary(&restarted.lines[0])
        .2
        .contains(&"structuring-under-10k".to_owned()));
    // and the checkpoint written at the end is whole again, with no temp file left
    assert!(serde_json::from_str::<Value>(&std::fs::read_to_string(&state).unwrap()).is_ok());
    // (and the list guard's history, beside the config by default)
    let files = std::fs::read_dir(dir.path())
        .unwrap()
        .filter(|e| e.as_ref().unwrap().file_name() != amlscreen::lists::DEFAULT_HISTORY_FILE)
        .count();
    assert_eq!(files, 3, "config, state and its lock file only");
}

#[test]
fn negative_or_missing_values_are_clear_errors_and_the_run_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let none = json!({});
    let negative = tx("c", "neg", &at(21, 9, 0), "-5", json!({"amount": "5"}));
    let mut missing = tx("c", "missing", &at(21, 9, 0), "5", none.clone());
    missing.as_object_mut().unwrap().remove("value");
    let fine = tx("c", "fine", &at(21, 9, 0), "5", none);
    let run = screen(dir.path(), &[], &[negative, missing, fine]);
    assert_eq!(run.code, 1);
    assert_eq!(run.lines[0]["line"], 1);
    let e0 = run.lines[0]["error"].as_str().unwrap();
    assert!(
        e0.contains("'neg'") && e0.contains("field 'value'") && e0.contains("negative"),
        "{e0}"
    );
    let e1 = run.lines[1]["error"].as_str().unwrap();
    assert!(e1.contains("missing field `value`"), "{e1}");
    assert_eq!(run.lines[2]["action"], "allow");
}

fn rules_cmd(args: &[&str]) -> (i32, String) {
    let out = amlscreen(args, "");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr),
    )
}

fn copy_rules(dir: &Path) -> PathBuf {
    let to = dir.join("rules");
    std::fs::create_dir_all(to.join("data")).unwrap();
    for sub in ["", "data"] {
        for e in std::fs::read_dir(repo().join("rules").join(sub)).unwrap() {
            let p = e.unwrap().path();
            if p.is_file() {
                std::fs::copy(&p, to.join(sub).join(p.file_name().unwrap())).unwrap();
            }
        }
    }
    to
}

fn edit(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.contains(from), "{from} not in {}", path.display());
    std::fs::write(path, text.replacen(from, to, 1)).unwrap();
}

#[test]
fn shipped_rules_check_and_test_clean() {
    let rules = repo().join("rules");
    let (code, out) = rules_cmd(&["rules", "check", rules.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}");
    let (code, out) = rules_cmd(&["rules", "test", rules.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains(" 0 failed") && !out.contains("FAIL"), "{out}");
}

#[test]
fn a_broken_copy_fails_with_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let rules = copy_rules(dir.path());
    edit(
        &rules.join("velocity.yaml"),
        "kind: velocity",
        "kind: velocty",
    );
    edit(
        &rules.join("structuring.yaml"),
        "window: 24h",
        "window: 24hours",
    );
    edit(
        &rules.join("policy.yaml"),
        "from: 40, to: 69",
        "from: 45, to: 69",
    );
    let (code, out) = rules_cmd(&["rules", "check", rules.to_str().unwrap()]);
    assert_eq!(code, 1, "{out}");
    let file = |name: &str| rules.join(name).display().to_string();
    assert!(
        out.contains(&format!(
            "{}:15:11: unknown kind 'velocty', did you mean 'velocity'?",
            file("velocity.yaml")
        )),
        "{out}"
    );
    assert!(
        out.contains(&format!(
            "{}:22:13: 'window': bad duration '24hours'",
            file("structuring.yaml")
        )),
        "{out}"
    );
    assert!(
        out.contains(&format!(
            "{}:37:29: gap in score bands: no band covers 40–44",
            file("policy.yaml")
        )),
        "{out}"
    );
    // a broken band does not take the policy's rates with it: the rules
    // written in UAH and EUR still read, and no error cascades from it
    assert!(!out.contains("no rate for"), "{out}");
    assert_eq!(
        out.lines().filter(|l| l.contains(".yaml:")).count(),
        3,
        "{out}"
    );
    // a rule set that fails validation is never used
    let cfg = config(dir.path(), &rules);
    let out = amlscreen(&["--config", cfg.to_str().unwrap(), "screen"], "");
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn a_failing_rule_test_prints_the_actual_decision_and_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    let rules = copy_rules(dir.path());
    // the rule now needs four transfers: the shipped three-transfer test must fail
    edit(
        &rules.join("structuring.yaml"),
        "min_count: 3",
        "min_count: 4",
    );
    let (code, out) = rules_cmd(&["rules", "test", rules.to_str().unwrap()]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("FAIL three transfers 8,000–10,000 within 24h are held"),
        "{out}"
    );
    assert!(out.contains("expected action hold, got allow"), "{out}");
    assert!(
        out.contains("expected rule 'structuring-under-10k' to fire, it did not"),
        "{out}"
    );
    assert!(
        out.contains("actual decision: {\"transaction_id\":\"t3\""),
        "{out}"
    );
    assert!(
        out.contains("PASS near miss — two structured transfers are not enough"),
        "{out}"
    );
}

#[test]
fn rules_check_warns_of_a_high_band_that_allows_and_helps_with_renames_and_indentation() {
    let dir = tempfile::tempdir().unwrap();
    let rules = copy_rules(dir.path());
    let file = |name: &str| rules.join(name).display().to_string();
    // a high band that allows loads, with a warning at its action
    edit(
        &rules.join("policy.yaml"),
        "{level: high,   from: 70, to: 100, action: hold}",
        "{level: high,   from: 70, to: 100, action: allow}",
    );
    let (code, out) = rules_cmd(&["rules", "check", rules.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains(&format!(
            "warning: {}:38:50: the 'high' band's action is allow",
            file("policy.yaml")
        )),
        "{out}"
    );
    // a renamed rule: the tests that name the old id point at the new one
    edit(
        &rules.join("amount.yaml"),
        "  - id: large-transfer-15k",
        "  - id: big-single-transfer",
    );
    let (code, out) = rules_cmd(&["rules", "check", rules.to_str().unwrap()]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("names unknown rule 'large-transfer-15k' (renamed? rule 'big-single-transfer' in this file is named by no test)"),
        "{out}"
    );
    // a line indented one space short gets the indentation hint
    edit(
        &rules.join("amount.yaml"),
        "    kind: amount\n    description: Single",
        "    kind: amount\n   description: Single",
    );
    let (code, out) = rules_cmd(&["rules", "check", rules.to_str().unwrap()]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("(check the indentation of line 18 and of line 17 above it"),
        "{out}"
    );
}
