//! Issue 16 through `amlscreen screen` with the bundled default rules: each
//! numbered case of the issue as its own customer, the decision of its last
//! transaction checked (the rule files' own tests check the same rules
//! through `rules test`; these run the binary end to end).

use std::collections::HashMap;

use serde_json::{json, Value};

use crate::common;

/// One transaction of `customer` at `at` (2026-11 day and time), with
/// `extra` fields over an outgoing 100 USD transfer.
fn tx(customer: &str, n: usize, at: &str, extra: Value) -> Value {
    let mut t = json!({
        "id": format!("{customer}-{n}"), "timestamp": format!("2026-11-{at}:00Z"),
        "customer_id": customer, "direction": "outgoing",
        "amount": "100", "currency": "USD", "value": "100"
    });
    for (k, v) in extra.as_object().unwrap() {
        t[k] = v.clone();
    }
    t
}

/// Screens every transaction; the last decision of each customer.
fn screen(txs: &[Value]) -> HashMap<String, Value> {
    let dir = tempfile::tempdir().unwrap();
    let config = common::default_config(dir.path(), "");
    let input: String = txs.iter().map(|t| format!("{t}\n")).collect();
    let out = common::amlscreen(
        &["--config", config.to_str().unwrap(), "screen", "--backtest"],
        input.as_bytes(),
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let mut last = HashMap::new();
    for (line, t) in String::from_utf8(out.stdout).unwrap().lines().zip(txs) {
        let d: Value = serde_json::from_str(line).unwrap();
        last.insert(t["customer_id"].as_str().unwrap().to_owned(), d);
    }
    last
}

fn fired(d: &Value) -> Vec<String> {
    d["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["rule_id"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn each_case_of_the_issue_is_decided_as_the_policy_says() {
    let mut txs = Vec::new();
    let org = json!({"name": "TOV Agro Trade", "kind": "organization", "account": "UA213223130000026007233566001"});
    let holder = json!({"name": "Olena Kovalenko", "kind": "person"});
    // 1: Russia, Belarus, Crimea in Cyrillic
    txs.push(tx(
        "ru",
        0,
        "21T09:00",
        json!({"beneficiary": {"name": "I. Sidorov", "country": "RU"}}),
    ));
    txs.push(tx(
        "by",
        0,
        "21T09:00",
        json!({"direction": "incoming", "originator": {"name": "A. Lukin", "country": "Беларусь"}}),
    ));
    txs.push(tx(
        "krym",
        0,
        "21T09:00",
        json!({"beneficiary": {"country": "Крим"}}),
    ));
    // 2: occupied Donetsk by address is held, free Kramatorsk is not; an
    // occupied town in the memo is a weaker signal
    txs.push(tx(
        "donetsk",
        0,
        "21T09:00",
        json!({"beneficiary": {"name": "I. Bondar",
        "address": {"country": "UA", "region": "UA-14", "city": "м. Донецьк"}}}),
    ));
    txs.push(tx(
        "kramatorsk",
        0,
        "21T09:00",
        json!({"beneficiary": {"name": "I. Bondar",
        "address": {"country": "UA", "region": "UA-14", "city": "Краматорськ"}}}),
    ));
    txs.push(tx(
        "memo-town",
        0,
        "21T09:00",
        json!({"memo": "для мами, г. Мелитополь"}),
    ));
    // 3: the channel's country counts
    txs.push(tx(
        "channel",
        0,
        "21T09:00",
        json!({"channel": {"ip": "95.165.0.1", "country": "RU"}}),
    ));
    // 4: 20 x 500 within 23 hours; 50,000 as two 25,000 within 20 minutes
    for i in 0..20 {
        let minutes = i * 69;
        let at = format!(
            "{:02}T{:02}:{:02}",
            21 + minutes / 1440,
            (minutes / 60) % 24,
            minutes % 60
        );
        txs.push(tx(
            "small",
            i,
            &at,
            json!({"value": "500", "amount": "500"}),
        ));
    }
    txs.push(tx(
        "split",
        0,
        "21T09:00",
        json!({"value": "25000", "amount": "25000"}),
    ));
    txs.push(tx(
        "split",
        1,
        "21T09:20",
        json!({"value": "25000", "amount": "25000"}),
    ));
    // 5: 3 in a month, then 12 in one day
    for (i, day) in ["01", "08", "15"].iter().enumerate() {
        txs.push(tx("rare", i, &format!("{day}T12:00"), json!({})));
    }
    for i in 0..12 {
        txs.push(tx("rare", 3 + i, &format!("20T{:02}:10", 8 + i), json!({})));
    }
    // 6: 120 x the median to a wallet never used; 15 x 900 to 15 new accounts
    for (i, day) in ["01", "05", "09"].iter().enumerate() {
        txs.push(tx(
            "spike",
            i,
            &format!("{day}T09:00"),
            json!({"value": "50", "amount": "50",
            "beneficiary": {"name": "Ivan Petrenko", "account": "UA213223130000026007233566001"}}),
        ));
    }
    txs.push(tx("spike", 3, "21T09:00", json!({"value": "6000", "amount": "6000", "currency": "USDT",
        "originator": {"name": "Olena Kovalenko"},
        "beneficiary": {"name": "Petro Ivanenko", "wallet": {"chain": "TRX", "address": "TN3W4H6rK2ce4vX9YnFQHwKENnHjoxb3m9"}}})));
    for i in 0..15 {
        txs.push(tx("fanout", i, &format!("21T{:02}:{:02}", 8 + i / 2, (i % 2) * 30), json!({"value": "900", "amount": "900",
            "beneficiary": {"name": format!("Recipient {i}"), "account": format!("UA21322313000002600723356{:04}", i + 1)}})));
    }
    // 7: on behalf of someone else; a fiat deposit from another person
    txs.push(tx(
        "behalf",
        0,
        "21T09:00",
        json!({"customer": holder, "ultimate_originator": {"name": "Petro Sydorenko"}}),
    ));
    txs.push(tx(
        "payer",
        0,
        "21T09:00",
        json!({"customer": holder, "direction": "incoming", "currency": "UAH", "amount": "4143",
        "originator": {"name": "Mykola Shevchuk", "account": "UA213223130000026007233566001"}}),
    ));
    // 8: a private customer receiving 3 x 14,000 from companies
    for (i, day) in ["03", "12", "21"].iter().enumerate() {
        txs.push(tx(
            "private",
            i,
            &format!("{day}T09:00"),
            json!({"customer": holder, "direction": "incoming",
            "value": "14000", "amount": "14000", "originator": org}),
        ));
    }
    // 9: 5,000 USDT to a bare wallet
    txs.push(tx("bare", 0, "20T09:00", json!({})));
    txs.push(tx("bare", 1, "21T09:00", json!({"value": "5000", "amount": "5000", "currency": "USDT",
        "beneficiary": {"wallet": {"chain": "TRX", "address": "TN3W4H6rK2ce4vX9YnFQHwKENnHjoxb3m9"}}})));
    // 12: a privacy-coin withdrawal; a large sum without history
    txs.push(tx(
        "xmr",
        0,
        "21T09:00",
        json!({"currency": "XMR", "amount": "0.5"}),
    ));
    txs.push(tx(
        "fresh",
        0,
        "21T09:00",
        json!({"direction": "incoming", "value": "10000", "amount": "10000",
        "originator": {"name": "Ivan Petrenko", "account": "UA213223130000026007233566001"}}),
    ));
    // 13: 450,000 UAH carries a report duty
    txs.push(tx("report", 0, "20T09:00", json!({})));
    txs.push(tx(
        "report",
        1,
        "21T09:00",
        json!({"direction": "incoming", "currency": "UAH", "amount": "450000",
        "value": "10860", "originator": org}),
    ));
    // 14: two blocked attempts, then a clean transfer
    txs.push(tx(
        "attempts",
        0,
        "18T08:00",
        json!({"beneficiary": {"name": "Pool", "vasp": "Garantex"}}),
    ));
    txs.push(tx(
        "attempts",
        1,
        "20T08:00",
        json!({"beneficiary": {"name": "Pool", "domain": "garantex.org"}}),
    ));
    txs.push(tx("attempts", 2, "21T12:00", json!({})));

    // 10: a double payment; a withdrawal to a poisoned look-alike
    let acct = json!({"name": "Ivan Petrenko", "account": "DE89370400440532013000"});
    txs.push(tx(
        "double",
        0,
        "21T09:00",
        json!({"value": "2000", "amount": "2000", "beneficiary": acct}),
    ));
    txs.push(tx(
        "double",
        1,
        "21T09:04",
        json!({"value": "2000", "amount": "2000", "beneficiary": acct}),
    ));
    txs.push(tx("poison", 0, "01T09:00", json!({"currency": "USDT", "beneficiary":
        {"name": "Olena Kovalenko", "wallet": {"chain": "ETH", "address": "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"}}})));
    txs.push(tx("poison", 1, "21T09:00", json!({"currency": "USDT", "beneficiary":
        {"name": "Olena Kovalenko", "wallet": {"chain": "ETH", "address": "0x5aAe1111111111111111111111111111111BeAed"}}})));
    // 11: a returned transfer and its re-send are not structuring
    for (n, at, extra) in [
        (
            0,
            "21T09:00",
            json!({"value": "9500", "amount": "9500", "beneficiary": acct}),
        ),
        (
            1,
            "21T10:00",
            json!({"value": "9600", "amount": "9600", "beneficiary": acct}),
        ),
        (
            2,
            "21T11:00",
            json!({"value": "9600", "amount": "9600", "direction": "incoming",
            "kind": "return", "original_id": "resend-1", "originator": acct}),
        ),
        (
            3,
            "21T12:00",
            json!({"value": "9600", "amount": "9600", "beneficiary": acct}),
        ),
    ] {
        txs.push(tx("resend", n, at, extra));
    }
    let d = screen(&txs);
    check_10_11(&d);
    let check = |customer: &str, action: &str, rule: &str| {
        let dec = &d[customer];
        assert_eq!(dec["action"], action, "{customer}: {dec}");
        assert!(
            fired(dec).contains(&rule.to_owned()),
            "{customer}: {rule} in {dec}"
        );
    };
    check("ru", "hold", "jurisdiction-aggressor-state");
    check("by", "hold", "jurisdiction-aggressor-state");
    check("krym", "hold", "jurisdiction-sanctioned-territory");
    check("channel", "hold", "jurisdiction-aggressor-state");
    check("donetsk", "hold", "jurisdiction-sanctioned-territory");
    // free Kramatorsk in the split oblast: the oblast's points, no hold
    assert_eq!(d["kramatorsk"]["action"], "allow", "{}", d["kramatorsk"]);
    assert_eq!(fired(&d["kramatorsk"]), ["jurisdiction-split-oblast"]);
    check("memo-town", "allow", "jurisdiction-occupied-in-memo");
    assert_eq!(d["memo-town"]["risk"], "medium");
    check("small", "hold", "structuring-many-small");
    check("split", "hold", "structuring-split-50k");
    check("rare", "allow", "unusual-rhythm-change");
    check("spike", "hold", "new-counterparty-spike");
    check("fanout", "hold", "new-counterparties-many");
    check("behalf", "hold", "third-party-operation");
    check("payer", "hold", "third-party-operation");
    check("private", "hold", "private-customer-business-sums");
    check("bare", "hold", "travel-rule-names-missing");
    check("xmr", "hold", "anonymizer-privacy-coin");
    check("fresh", "hold", "large-sum-without-history");
    check("report", "allow", "report.threshold");
    assert_eq!(d["report"]["report"], "threshold");
    check("attempts", "hold", "repeated-blocked-attempts");
    // 20: amounts carry their currency, the summary adds up
    let spike = &d["spike"];
    assert!(
        spike["summary"].as_str().unwrap().starts_with("held: "),
        "{spike}"
    );
    let report = d["report"]["reasons"][0]["message"].as_str().unwrap();
    assert!(
        report.contains("450,000 UAH = 10,860 USD ≥ 9,653.44 USD (400,000 UAH)"),
        "{report}"
    );
    // 20: a finding that forces a level says so in the summary
    let small = d["small"]["summary"].as_str().unwrap();
    assert!(
        small.contains("structuring-many-small (40, forces high)")
            && small.ends_with("= score 40 → high → hold"),
        "{small}"
    );
}

fn check_10_11(d: &HashMap<String, Value>) {
    assert_eq!(d["double"]["action"], "hold", "{}", d["double"]);
    assert!(fired(&d["double"]).contains(&"fraud-double-payment".to_owned()));
    assert_eq!(d["poison"]["action"], "hold", "{}", d["poison"]);
    assert!(fired(&d["poison"]).contains(&"fraud-address-poisoning".to_owned()));
    let resend = &d["resend"];
    assert_eq!(resend["action"], "allow", "{resend}");
    assert!(!fired(resend).contains(&"structuring-under-10k".to_owned()));
}

#[test]
fn a_return_names_its_original_and_a_transfer_names_none() {
    let dir = tempfile::tempdir().unwrap();
    let config = common::default_config(dir.path(), "");
    let input = format!(
        "{}\n{}\n",
        tx(
            "r",
            0,
            "21T09:00",
            json!({"direction": "incoming", "kind": "return"})
        ),
        tx("t", 0, "21T09:00", json!({"original_id": "x-1"}))
    );
    let out = common::amlscreen(
        &["--config", config.to_str().unwrap(), "screen", "--backtest"],
        input.as_bytes(),
    );
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(
        lines[0]["error"].as_str().unwrap().contains("original_id")
            && lines[0]["error"].as_str().unwrap().contains("missing"),
        "{text}"
    );
    assert!(
        lines[1]["error"]
            .as_str()
            .unwrap()
            .contains("given on a transfer"),
        "{text}"
    );
}

#[test]
fn hidden_defaults_and_unknown_codes_are_errors_through_rules_check() {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("rules");
    std::fs::create_dir(&rules).unwrap();
    std::fs::write(
        rules.join("r.yaml"),
        "policy:\n  reference_currency: UHA\n  bands:\n    - {level: low, from: 0, to: 39, action: allow}\n    - {level: medium, from: 40, to: 69, action: allow}\n    - {level: high, from: 70, to: 100, action: hold}\nrules:\n  - id: big\n    kind: amount\n    description: d\n    direction: any\n    score: 30\n  - id: anon\n    kind: anonymizer\n    description: d\n    ip_flags: [vnp]\n    privacy_coins: [XRM]\n    score: 5\n",
    )
    .unwrap();
    let out = common::amlscreen(&["rules", "check", rules.to_str().unwrap()], b"");
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    for expected in [
        "r.yaml:2:23: 'reference_currency': 'UHA' is no ISO 4217 currency or known crypto ticker, did you mean 'UAH'?",
        "r.yaml:8:7: missing 'threshold'",
        "r.yaml:16:16: 'ip_flags': unknown flag 'vnp', did you mean 'vpn'?",
        "r.yaml:17:21: 'privacy_coins': 'XRM' is no privacy coin, did you mean 'XMR'?",
    ] {
        assert!(text.contains(expected), "{expected:?} in\n{text}");
    }
}
