//! Whole-pipeline name matching on the shipped sample watchlist: evasion
//! spellings still block in `screen`, and the `match`/`compare` commands
//! print their documented formats.

use std::path::Path;

use amlscreen::{Action, Config, Screener, Transaction};
use serde_json::Value;

use crate::common;
use crate::common::repo;

fn screener(dir: &Path) -> Screener {
    let path = common::default_config(dir, "");
    Screener::from_config(&Config::load(&path).unwrap()).unwrap()
}

/// A transfer to `name`, with an id of its own: a shared id would be a
/// replay, answered with the first transfer's decision (or, since ids key
/// on content, refused), whatever the name. It carries what corroborates
/// the listed subject (a person's birth date, a company's country), so a
/// name that is found blocks: a name alone would only hold.
fn transfer_to(name: &str, kind: &str) -> Transaction {
    let beneficiary = if kind == "person" {
        serde_json::json!({"name": name, "kind": kind, "birth_date": "1952-10-07"})
    } else {
        serde_json::json!({"name": name, "kind": kind, "country": "EE"})
    };
    serde_json::from_value(serde_json::json!({
        "id": format!("tx-{kind}-{name}"), "timestamp": "2026-11-21T10:15:00Z", "customer_id": "c-1",
        "direction": "outgoing", "amount": "10", "currency": "EUR", "value": "10",
        "beneficiary": beneficiary
    }))
    .unwrap()
}

#[test]
fn evasion_spellings_of_a_sanctioned_name_still_block() {
    let dir = tempfile::tempdir().unwrap();
    let s = screener(dir.path());
    for name in [
        "Vladimir Putin",
        "Vl\u{0430}dimir Put\u{0456}n", // Cyrillic look-alikes in Latin words
        "Vladi\u{200B}mir Pu\u{200D}tin", // zero-width space and joiner
        "Ｖｌａｄｉｍｉｒ Ｐｕｔｉｎ",  // full-width forms
        "Vla\u{0301}dimir Pu\u{0308}tin", // combining marks
        "Путин Влaдимир",               // Latin a inside a Cyrillic word
        "V.l.a.d.i.m.i.r P.u.t.i.n",    // letters split by dots
        "PUTIN,   Vladimir",            // odd spacing and punctuation
        // wholly in look-alike letters of other scripts (Cyrillic Р, Т, І,
        // Greek Ν): once romanised by sound to "rutin"
        "\u{0420}U\u{0422}\u{0406}\u{039D} Vladimir",
        "\u{0412}\u{039B}\u{0410}DIMIR \u{0420}UTIN",
    ] {
        let d = s.evaluate(&transfer_to(name, "person")).unwrap();
        assert_eq!(d.action, Action::Block, "{name:?}: {d:?}");
    }
    for name in [
        "G\u{0430}rantex",
        "Gar\u{200B}antex",
        "Ｇａｒａｎｔｅｘ",
        "G.a.r.a.n.t.e.x",
    ] {
        let d = s.evaluate(&transfer_to(name, "organization")).unwrap();
        assert_eq!(d.action, Action::Block, "{name:?}: {d:?}");
    }
    // the reasons carry the alignment
    let d = s
        .evaluate(&transfer_to("Putin Vladimir", "person"))
        .unwrap();
    let text = serde_json::to_string(&d).unwrap();
    assert!(text.contains("putin = putin"), "{text}");
}

fn run(args: &[&str], stdin: &str) -> (i32, String) {
    let out = common::amlscreen(args, stdin.as_bytes());
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn match_and_compare_print_their_formats() {
    let list = format!(
        "watchlist={}",
        repo().join("sanctions/sample_watchlist.csv").display()
    );
    let (code, out) = run(
        &["--config", "/nonexistent.yaml", "--list", &list, "match", "--limit", "1"],
        "{\"id\":\"q1\",\"name\":\"Путин Владимир\",\"kind\":\"person\"}\n{\"id\":\"q2\",\"name\":\"Jane Nobody\"}\n",
    );
    assert_eq!(code, 0, "{out}");
    let lines: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["id"], "q1");
    let hit = &lines[0]["hits"][0];
    assert_eq!(hit["entity_id"], "wl:ofac-35096");
    assert_eq!(hit["list"], "sample-ofac");
    assert!(hit["name"].is_string());
    assert!(hit["score"].as_f64().unwrap() >= 0.8);
    assert_eq!(lines[0]["hits"].as_array().unwrap().len(), 1);
    assert_eq!(lines[1]["hits"].as_array().unwrap().len(), 0);

    let (code, out) = run(
        &["--config", "/nonexistent.yaml", "compare"],
        "{\"id\":\"p1\",\"a\":\"Jewgeni Prigoschin\",\"b\":\"Yevgeniy PRIGOZHIN\"}\n{\"id\":\"p2\",\"a\":\"Angelo Cruz\",\"b\":\"Angela Merkel\"}\nnot json\n",
    );
    assert_eq!(code, 1, "a bad line exits 1: {out}");
    let lines: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines[0]["id"], "p1");
    assert!(lines[0]["score"].as_f64().unwrap() > 0.9);
    assert!(lines[1]["score"].as_f64().unwrap() < 0.5);
    assert_eq!(lines[2]["line"], 3);
}
