//! Whole-pipeline tests of `amlscreen screen`, `audit verify` and
//! `rules check` through the binary, with the bundled sample lists and rules.

use std::path::{Path, PathBuf};
use std::process::Output;

use amlscreen::{Action, Decision, RiskLevel};

use crate::common;
use crate::common::repo;

/// A config like the shipped one, with its audit file in `dir`.
fn config_in(dir: &Path) -> PathBuf {
    common::default_config(
        dir,
        &format!("audit:\n  path: {}\n", dir.join("audit.jsonl").display()),
    )
}

fn amlscreen(args: &[&str], stdin: Option<&str>) -> Output {
    common::amlscreen(args, stdin.unwrap_or("").as_bytes())
}

fn stdout_lines(out: &Output) -> Vec<serde_json::Value> {
    String::from_utf8(out.stdout.clone())
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn examples_block_exactly_the_platform_and_watchlist_cases() {
    let dir = tempfile::tempdir().unwrap();
    let config = config_in(dir.path());
    let out = amlscreen(
        &[
            "--config",
            config.to_str().unwrap(),
            "screen",
            "--input",
            "examples/transactions.jsonl",
        ],
        None,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let input = std::fs::read_to_string(repo().join("examples/transactions.jsonl")).unwrap();
    let lines = stdout_lines(&out);
    assert_eq!(
        lines.len(),
        input.lines().count(),
        "one decision per input line"
    );
    let expected_blocks = [
        ("ex-03-platform-vasp", "platforms"),
        ("ex-04-platform-domain", "platforms"),
        ("ex-05-platform-address", "platforms"),
        ("ex-06-platform-memo", "platforms"),
        ("ex-07-watchlist-alias", "sanctions"),
        ("ex-08-watchlist-reordered", "sanctions"),
        ("ex-11-sanctioned-wallet-incoming", "sanctions"),
        ("ex-13-platform-intermediary", "platforms"),
        ("ex-14-watchlist-organization", "sanctions"),
    ];
    // a listed name without anything to corroborate it: held, not frozen;
    // 15,500 EUR from an organisation with no history: a stop criterion
    let expected_holds = [
        ("ex-16-watchlist-name-only", "sanctions"),
        ("ex-15-org-incoming-no-history", "large-sum-without-history"),
    ];
    for (line, tx) in lines.iter().zip(input.lines()) {
        let decision: Decision = serde_json::from_value(line.clone()).unwrap();
        let tx: serde_json::Value = serde_json::from_str(tx).unwrap();
        assert_eq!(
            decision.transaction_id, tx["id"],
            "decisions keep input order"
        );
        match expected_blocks
            .iter()
            .find(|(id, _)| *id == decision.transaction_id)
        {
            Some((id, rule)) => {
                assert_eq!(decision.action, Action::Block, "{id}: {decision:?}");
                assert_eq!(decision.risk, RiskLevel::High, "{id}");
                assert!(
                    decision.reasons.iter().any(|r| r.rule_id == *rule),
                    "{id} should be blocked by {rule}: {decision:?}"
                );
            }
            None => match expected_holds
                .iter()
                .find(|(id, _)| *id == decision.transaction_id)
            {
                Some((id, rule)) => {
                    assert_eq!(decision.action, Action::Hold, "{id}: {decision:?}");
                    assert!(
                        decision.reasons.iter().any(|r| r.rule_id == *rule),
                        "{id} should be held by {rule}: {decision:?}"
                    );
                }
                None => assert_eq!(
                    decision.action,
                    Action::Allow,
                    "{} must be allowed: {decision:?}",
                    decision.transaction_id
                ),
            },
        }
    }
    // every decision was audited, and the chain verifies
    let audit = dir.path().join("audit.jsonl");
    let verify = amlscreen(&["audit", "verify", audit.to_str().unwrap()], None);
    assert!(verify.status.success());
    let text = String::from_utf8_lossy(&verify.stdout);
    assert!(
        text.starts_with(&format!("OK: {} records", lines.len())),
        "{text}"
    );
}

#[test]
fn bad_lines_yield_error_records_and_exit_1() {
    let dir = tempfile::tempdir().unwrap();
    let config = config_in(dir.path());
    let good = r#"{"id":"t1","timestamp":"2026-11-21T10:00:00Z","customer_id":"c","direction":"incoming","amount":"1","currency":"EUR","value":"1"}"#;
    let missing = r#"{"id":"t2","timestamp":"2026-11-21T10:00:00Z","customer_id":"c","direction":"incoming","amount":"1","currency":"EUR"}"#;
    let float_money = r#"{"id":"t3","timestamp":"2026-11-21T10:00:00Z","customer_id":"c","direction":"incoming","amount":1.5,"currency":"EUR","value":"1"}"#;
    let negative = r#"{"id":"t4","timestamp":"2026-11-21T10:00:00Z","customer_id":"c","direction":"incoming","amount":"1","currency":"EUR","value":"-5"}"#;
    let input = format!("{good}\nnot json\n{missing}\n{float_money}\n{negative}\n{good}\n");
    let out = amlscreen(
        &["--config", config.to_str().unwrap(), "screen"],
        Some(&input),
    );
    assert_eq!(out.status.code(), Some(1));
    let lines = stdout_lines(&out);
    assert_eq!(lines.len(), 6);
    assert_eq!(lines[0]["transaction_id"], "t1");
    for (i, needle) in [
        (1, "expected"),
        (2, "missing field `value`"),
        (3, "amount"),
        (4, "negative"),
    ] {
        assert_eq!(lines[i]["line"], i + 1, "{:?}", lines[i]);
        let error = lines[i]["error"].as_str().unwrap();
        assert!(error.contains(needle), "line {}: {error}", i + 1);
    }
    assert_eq!(lines[5]["transaction_id"], "t1");
}

#[test]
fn invalid_utf8_is_an_error_for_that_line_only() {
    let dir = tempfile::tempdir().unwrap();
    let config = config_in(dir.path());
    let input_path = dir.path().join("in.jsonl");
    let good = br#"{"id":"t1","timestamp":"2026-11-21T10:00:00Z","customer_id":"c","direction":"incoming","amount":"1","currency":"EUR","value":"1"}"#;
    let mut bytes = good.to_vec();
    bytes.extend_from_slice(b"\n{\"id\":\"\xff\xfe\"}\n");
    bytes.extend_from_slice(good);
    std::fs::write(&input_path, bytes).unwrap();
    let out = amlscreen(
        &[
            "--config",
            config.to_str().unwrap(),
            "screen",
            "--input",
            input_path.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(1));
    let lines = stdout_lines(&out);
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[1]["line"], 2);
    assert!(lines[1]["error"].as_str().unwrap().contains("UTF-8"));
    assert_eq!(lines[2]["transaction_id"], "t1");
}

#[test]
fn decision_json_round_trips() {
    let dir = tempfile::tempdir().unwrap();
    let config = config_in(dir.path());
    let out = amlscreen(
        &[
            "--config",
            config.to_str().unwrap(),
            "screen",
            "--input",
            "examples/transactions.jsonl",
        ],
        None,
    );
    for line in String::from_utf8(out.stdout).unwrap().lines() {
        let decision: Decision = serde_json::from_str(line).unwrap();
        let again = serde_json::to_string(&decision).unwrap();
        let back: Decision = serde_json::from_str(&again).unwrap();
        assert_eq!(decision, back);
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(line).unwrap(),
            serde_json::from_str::<serde_json::Value>(&again).unwrap()
        );
    }
}

#[test]
fn audit_verify_names_the_edited_record() {
    let dir = tempfile::tempdir().unwrap();
    let config = config_in(dir.path());
    let out = amlscreen(
        &[
            "--config",
            config.to_str().unwrap(),
            "screen",
            "--input",
            "examples/transactions.jsonl",
        ],
        None,
    );
    assert!(out.status.success());
    let audit = dir.path().join("audit.jsonl");
    let original = std::fs::read(&audit).unwrap();
    let line_starts: Vec<usize> = std::iter::once(0)
        .chain(
            original
                .iter()
                .enumerate()
                .filter(|(_, b)| **b == b'\n')
                .map(|(i, _)| i + 1),
        )
        .collect();
    // change one byte in the middle of record 7: a digit of its score or a letter of its id
    let start = line_starts[6];
    let offset = start
        + original[start..]
            .windows(4)
            .position(|w| w == b"ex-0")
            .unwrap()
        + 3;
    let mut edited = original.clone();
    edited[offset] = b'9';
    std::fs::write(&audit, &edited).unwrap();
    let verify = amlscreen(&["audit", "verify", audit.to_str().unwrap()], None);
    assert_eq!(verify.status.code(), Some(1));
    let text = String::from_utf8_lossy(&verify.stdout);
    assert!(text.contains("line 7:"), "{text}");
}

#[test]
fn rules_check_passes_on_shipped_rules_and_positions_errors() {
    let out = amlscreen(&["rules", "check", "rules"], None);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );

    let dir = tempfile::tempdir().unwrap();
    copy_dir(&repo().join("rules"), dir.path());
    let platforms = dir.path().join("platforms.yaml");
    let text = std::fs::read_to_string(&platforms).unwrap();
    let broken = text.replacen("category: mixer", "category: mixr", 1);
    let line = broken
        .lines()
        .position(|l| l.contains("category: mixr"))
        .unwrap()
        + 1;
    std::fs::write(&platforms, broken).unwrap();
    let out = amlscreen(&["rules", "check", dir.path().to_str().unwrap()], None);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    let expected = format!("{}:{line}:", platforms.display());
    assert!(text.contains(&expected), "expected {expected} in {text}");
    assert!(text.contains("mixr"), "{text}");
    // the only error is the one introduced
    assert_eq!(text.lines().count(), 1, "{text}");
}

pub(crate) fn copy_dir(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let target = to.join(path.file_name().unwrap());
        if path.is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            copy_dir(&path, &target);
        } else {
            std::fs::copy(&path, target).unwrap();
        }
    }
}

/// A Garantex payment (blocked on its own) hidden after a clean transaction
/// on the same line, and money written loosely: every such line is an
/// error record naming the transaction, never a decision on part of it.
#[test]
fn trailing_data_and_loose_money_are_error_records_with_the_transaction_id() {
    let dir = tempfile::tempdir().unwrap();
    let config = config_in(dir.path());
    let tx = |id: &str, amount: &str| {
        format!(
            r#"{{"id":"{id}","timestamp":"2026-11-21T10:00:00Z","customer_id":"c","direction":"outgoing","amount":{amount},"currency":"USDT","value":"1"}}"#
        )
    };
    let garantex = r#"{"id":"g","timestamp":"2026-11-21T10:00:00Z","customer_id":"c","direction":"outgoing","amount":"1","currency":"USDT","value":"1","beneficiary":{"vasp":"Garantex"}}"#;
    let lines = [
        format!("{} {garantex}", tx("two-on-a-line", r#""1""#)),
        format!("{} xyz", tx("trailing-text", r#""1""#)),
        tx("exponent", r#""1e3""#),
        tx("separator", r#""1_000""#),
        tx("plus", r#""+100""#),
        tx("leading-point", r#"".5""#),
        tx("whole-number", "100"),
    ];
    let out = amlscreen(
        &["--config", config.to_str().unwrap(), "screen"],
        Some(&(lines.join("\n") + "\n")),
    );
    assert_eq!(out.status.code(), Some(1));
    let records = stdout_lines(&out);
    assert_eq!(records.len(), lines.len());
    for (i, (id, needle)) in [
        ("two-on-a-line", "trailing characters"),
        ("trailing-text", "trailing characters"),
        ("exponent", "amount"),
        ("separator", "amount"),
        ("plus", "amount"),
        ("leading-point", "amount"),
    ]
    .into_iter()
    .enumerate()
    {
        let r = &records[i];
        assert_eq!(r["line"], i + 1, "{r}");
        assert_eq!(r["transaction_id"], id, "{r}");
        let error = r["error"].as_str().unwrap_or_default();
        assert!(error.contains(needle), "line {}: {error}", i + 1);
    }
    // A whole JSON number is plain money.
    assert_eq!(records[6]["transaction_id"], "whole-number");
    assert!(records[6].get("error").is_none(), "{}", records[6]);
}

#[test]
fn an_absurd_chunk_size_is_refused_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let config = config_in(dir.path());
    let out = amlscreen(
        &[
            "--config",
            config.to_str().unwrap(),
            "screen",
            "--chunk-lines",
            "18446744073709551615",
        ],
        Some(""),
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("chunk-lines"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

/// `--list` names on stderr the configured lists it replaces (the internal
/// watchlist used to vanish silently); `--add-list` loads a list beside
/// them (issue 16, item 18).
#[test]
fn list_flags_say_what_they_replace_and_add_list_keeps_the_configured_lists() {
    let dir = tempfile::tempdir().unwrap();
    let config = config_in(dir.path());
    let config = config.to_str().unwrap();
    let extra = dir.path().join("extra.csv");
    std::fs::write(
        &extra,
        "id,name,aliases,kind,birth_dates,countries,addresses,list\n\
         wl:extra-1,\"HRYTSENKO, Taras\",,person,,UA,,internal-extra\n",
    )
    .unwrap();
    let extra_flag = format!("watchlist={}", extra.display());
    let stats = |flag: &str| {
        let out = amlscreen(
            &["--config", config, flag, &extra_flag, "lists", "stats"],
            None,
        );
        assert!(out.status.success(), "{out:?}");
        (
            stdout_lines(&out).len(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (loaded, stderr) = stats("--list");
    assert_eq!(loaded, 1);
    assert!(
        stderr.contains("--list replaces the config's lists; not loaded: watchlist=")
            && stderr.contains("sample_watchlist.csv"),
        "{stderr}"
    );
    let (loaded, stderr) = stats("--add-list");
    assert_eq!(loaded, 2);
    assert!(stderr.is_empty(), "{stderr}");
    // screening with the added list: its name holds, the configured
    // watchlist still blocks
    let input = r#"{"id":"a-1","timestamp":"2026-11-21T09:00:00Z","customer_id":"c-1","direction":"outgoing","amount":"10","currency":"EUR","value":"10","beneficiary":{"name":"Taras Hrytsenko","kind":"person"}}
{"id":"a-2","timestamp":"2026-11-21T09:00:00Z","customer_id":"c-2","direction":"outgoing","amount":"10","currency":"EUR","value":"10","beneficiary":{"name":"Garantex Europe OU","kind":"organization","country":"EE"}}
"#;
    let out = amlscreen(
        &[
            "--config",
            config,
            "--add-list",
            &extra_flag,
            "screen",
            "--now",
            "2026-11-21T12:00:00Z",
        ],
        Some(input),
    );
    assert!(out.status.success(), "{out:?}");
    let decisions = stdout_lines(&out);
    assert_eq!(decisions[0]["action"], "hold", "{}", decisions[0]);
    assert_eq!(decisions[1]["action"], "block", "{}", decisions[1]);
}

#[test]
fn text_format_prints_a_block_a_reviewer_reads_and_one_reason_per_platform() {
    let dir = tempfile::tempdir().unwrap();
    let config = config_in(dir.path());
    let input = std::fs::read_to_string(repo().join("examples/transactions.jsonl")).unwrap();
    let ex13 = input.lines().find(|l| l.contains("ex-13-")).unwrap();
    let stdin = format!("{ex13}\n{{\"id\":\"broken\"}}\n");
    let out = amlscreen(
        &[
            "--config",
            config.to_str().unwrap(),
            "screen",
            "--format",
            "text",
        ],
        Some(&stdin),
    );
    assert_eq!(out.status.code(), Some(1), "one line is not screened");
    let text = String::from_utf8(out.stdout).unwrap();
    for expected in [
        "== ex-13-platform-intermediary (line 1) — 2026-11-21 10:00:00 UTC — customer c-112",
        "   outgoing 800 USDT (value 800 USD)",
        "   intermediaries[0]: MEXC Global, VASP MEXC",
        "   decision: BLOCK — risk high, score 100, case 1",
        "   summary: blocked: platforms on intermediaries[0] (100, forces high, forces block) = score 100 → high → block",
        "== broken (line 2) — NOT SCREENED\n   error: missing field `timestamp`",
    ] {
        assert!(text.contains(expected), "{expected:?} in\n{text}");
    }
    // the platform's VASP field (freezes) and its name in the party's name
    // (would suspend) are one reason, the strongest, with both pieces of
    // evidence
    let reasons: Vec<&str> = text.lines().filter(|l| l.starts_with("   - ")).collect();
    assert_eq!(reasons.len(), 1, "{text}");
    assert!(
        reasons[0].contains("VASP 'MEXC' involves forbidden platform MEXC")
            && reasons[0].contains(
                "— also: intermediaries[0] name 'MEXC Global' involves forbidden platform MEXC"
            )
            // the platform's note (its basis) is quoted
            && reasons[0].contains("[Forbidden by the AML policy's list of forbidden platforms"),
        "{text}"
    );
    // a line break in a memo cannot forge a line of the block
    let forged = input
        .lines()
        .find(|l| l.contains("ex-01-"))
        .unwrap()
        .replace("rent November", "rent\\n   decision: ALLOW — forged");
    let out = amlscreen(
        &[
            "--config",
            config.to_str().unwrap(),
            "screen",
            "--format",
            "text",
        ],
        Some(&format!("{forged}\n")),
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("   memo: rent\\n   decision: ALLOW — forged"),
        "{text}"
    );
    assert_eq!(
        text.lines()
            .filter(|l| l.starts_with("   decision:"))
            .count(),
        1,
        "{text}"
    );
    // JSON stays the default
    let out = amlscreen(
        &["--config", config.to_str().unwrap(), "screen"],
        Some(&format!("{ex13}\n")),
    );
    let lines = stdout_lines(&out);
    assert_eq!(lines[0]["transaction_id"], "ex-13-platform-intermediary");
    assert_eq!(lines[0]["reasons"].as_array().unwrap().len(), 1);
}

#[cfg(unix)]
#[test]
fn a_reader_that_stops_early_ends_the_command_quietly_not_with_a_panic() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};
    // `lists diff` prints a line per entry: far more than a pipe holds
    let dir = tempfile::tempdir().unwrap();
    let header = "id,name,aliases,kind,birth_dates,countries,addresses,list\n";
    let old = dir.path().join("old.csv");
    std::fs::write(&old, format!("{header}w:0,Old Entry,,person,,,,t\n")).unwrap();
    let rows: String = (1..8000)
        .map(|i| format!("w:{i},Entry Number{i},,person,,,,t\n"))
        .collect();
    let new = dir.path().join("new.csv");
    std::fs::write(&new, format!("{header}{rows}")).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_amlscreen"))
        .args([
            "lists",
            "diff",
            &format!("watchlist={}", old.display()),
            new.to_str().unwrap(),
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert!(first.starts_with("old "), "{first}");
    // stdout dropped: the reader is gone
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
}
