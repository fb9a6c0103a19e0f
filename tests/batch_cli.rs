//! `amlscreen screen` streaming through the batch API: one output line per
//! non-blank input line, in order, whatever the chunk size; error records
//! keep their line numbers; exit codes unchanged; `--progress` reports on
//! stderr.

use std::path::{Path, PathBuf};
use std::process::Output;

use crate::common;

/// A config with the bundled sample watchlist and rules and an audit log
/// in `dir`.
fn config(dir: &Path) -> PathBuf {
    common::default_config(
        dir,
        &format!("audit:\n  path: {}\n", dir.join("audit.jsonl").display()),
    )
}

fn screen(config: &Path, input: &str, extra: &[&str]) -> Output {
    let config = config.to_string_lossy();
    let mut args = vec!["--config", &config, "screen"];
    args.extend_from_slice(extra);
    common::amlscreen(&args, input.as_bytes())
}

fn tx(id: &str, customer: &str, minute: u32, beneficiary: &str) -> String {
    format!(
        r#"{{"id":"{id}","timestamp":"2026-11-21T10:{minute:02}:00Z","customer_id":"{customer}","direction":"outgoing","amount":"9500","currency":"USD","value":"9500","beneficiary":{{"name":"{beneficiary}","kind":"person"}}}}"#
    )
}

/// 38 lines: transactions of 4 customers, each customer's in reverse
/// timestamp order, a blank line, a line that is not JSON, a listed
/// beneficiary. Each customer's transfers are structured (9,500 each), so
/// decisions depend on history and on order: the chunk size must not
/// change them (lines are applied in arrival order).
fn input() -> String {
    let mut lines = Vec::new();
    for i in 0..36 {
        let name = if i == 20 {
            "Vladimir Putin"
        } else {
            "Jane Doe"
        };
        lines.push(tx(&format!("t{i}"), &format!("c{}", i % 4), 59 - i, name));
        if i == 10 {
            lines.push(String::new());
        }
        if i == 25 {
            lines.push("{not json".into());
        }
    }
    lines.join("\n") + "\n"
}

fn ids_and_errors(stdout: &[u8]) -> Vec<String> {
    String::from_utf8_lossy(stdout)
        .lines()
        .map(|l| {
            let v: serde_json::Value =
                serde_json::from_str(l).unwrap_or_else(|e| panic!("{l}: {e}"));
            match v.get("transaction_id") {
                Some(id) => format!("{}:{}", id.as_str().unwrap_or_default(), v["action"]),
                None => format!("line {} error", v["line"]),
            }
        })
        .collect()
}

#[test]
fn output_is_in_input_order_whatever_the_chunk_size() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let config = config(dir.path());
    let one = screen(&config, &input(), &["--chunk-lines", "1"]);
    let seven = screen(&config, &input(), &["--chunk-lines", "7"]);
    let all = screen(&config, &input(), &[]);
    assert_eq!(one.status.code(), Some(1), "one bad line → exit 1");
    assert_eq!(seven.status.code(), Some(1));
    assert_eq!(all.status.code(), Some(1));
    let expected = ids_and_errors(&one.stdout);
    assert_eq!(
        expected.len(),
        37,
        "36 transactions + 1 error record, blank skipped"
    );
    assert!(expected[0].starts_with("t0:"), "{}", expected[0]);
    assert!(
        expected[11].starts_with("t11:"),
        "blank line 12 emits nothing"
    );
    assert!(expected[20].starts_with("t20:\"hold\""), "{}", expected[20]);
    assert_eq!(
        expected[26], "line 28 error",
        "line numbers count the blank line"
    );
    assert_eq!(ids_and_errors(&seven.stdout), expected);
    assert_eq!(ids_and_errors(&all.stdout), expected);
    let stderr = String::from_utf8_lossy(&all.stderr);
    assert!(
        stderr.contains("1 of 38 lines could not be screened"),
        "{stderr}"
    );
}

#[test]
fn clean_input_exits_zero_and_progress_goes_to_stderr() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let config = config(dir.path());
    let input: String = (0..500)
        .map(|i| tx(&format!("p{i}"), &format!("c{}", i % 9), i % 60, "Jane Doe") + "\n")
        .collect();
    let quiet = screen(&config, &input, &["--chunk-lines", "64"]);
    assert_eq!(quiet.status.code(), Some(0));
    assert!(
        quiet.stderr.is_empty(),
        "no bar when stderr is not a terminal"
    );
    let shown = screen(&config, &input, &["--chunk-lines", "64", "--progress"]);
    assert_eq!(shown.status.code(), Some(0));
    assert_eq!(shown.stdout, quiet.stdout);
    let stderr = String::from_utf8_lossy(&shown.stderr);
    assert!(
        stderr.contains("500 lines"),
        "final progress line: {stderr}"
    );
    assert_eq!(String::from_utf8_lossy(&shown.stdout).lines().count(), 500);
}

#[test]
fn progress_on_a_file_shows_rate_and_eta_and_the_audit_has_every_line() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let config = config(dir.path());
    let input: String = (0..300)
        .map(|i| tx(&format!("f{i}"), &format!("c{}", i % 7), i % 60, "Jane Doe") + "\n")
        .collect();
    let file = dir.path().join("in.jsonl");
    std::fs::write(&file, &input).unwrap_or_else(|e| panic!("{e}"));
    let file_arg = file.display().to_string();
    let out = screen(
        &config,
        "",
        &["--input", &file_arg, "--chunk-lines", "50", "--progress"],
    );
    assert_eq!(out.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let last = stderr.lines().last().unwrap_or_default();
    assert!(
        last.contains("300 lines") && last.contains("lines/s") && last.contains("ETA 0s"),
        "final progress line: {stderr}"
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 300);
    // one audit record per line, chained in input order across chunks
    let audit =
        std::fs::read_to_string(dir.path().join("audit.jsonl")).unwrap_or_else(|e| panic!("{e}"));
    let ids: Vec<String> = audit
        .lines()
        .map(|l| {
            let v: serde_json::Value =
                serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}"));
            v["transaction_id"].as_str().unwrap_or_default().to_owned()
        })
        .collect();
    let expected: Vec<String> = (0..300).map(|i| format!("f{i}")).collect();
    assert_eq!(ids, expected);
    let verified =
        amlscreen::audit::verify(&dir.path().join("audit.jsonl")).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        matches!(
            verified,
            amlscreen::audit::Verification::Ok { records: 300, .. }
        ),
        "{verified:?}"
    );
}

#[test]
fn zero_chunk_lines_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let out = screen(&config(dir.path()), "", &["--chunk-lines", "0"]);
    assert_eq!(out.status.code(), Some(2));
}
