//! Hostile input: every limit is rejected with a clear error — never a
//! hang, a panic or unbounded memory — and a bad transaction line yields an
//! error record for that line only.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use amlscreen::limits::{MAX_INTERMEDIARIES, MAX_LINE_BYTES, MAX_NAME_CHARS};

use crate::common;

fn config(dir: &Path) -> PathBuf {
    common::default_config(dir, "")
}

fn tx(id: &str, extra: &str) -> String {
    format!(
        r#"{{"id":"{id}","timestamp":"2026-11-21T10:15:00Z","customer_id":"c-1","direction":"outgoing","amount":"10.00","currency":"EUR","value":"10.00","beneficiary":{{"name":"Jane Example","kind":"person"}}{extra}}}"#
    )
}

#[test]
fn each_bad_line_gets_an_error_record_and_the_run_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path());
    let mut input: Vec<u8> = Vec::new();
    let mut line = |bytes: &[u8]| {
        input.extend_from_slice(bytes);
        input.push(b'\n');
    };
    line(tx("good-1", "").as_bytes()); // 1
    line(
        tx(
            "overlong",
            &format!(r#","memo":"{}""#, "x".repeat(MAX_LINE_BYTES)),
        )
        .as_bytes(),
    ); // 2
    let mut bad_utf8 = tx("bad-utf8", "").into_bytes();
    bad_utf8[40] = 0xff;
    line(&bad_utf8); // 3
    line(tx("wrong-type", r#","intermediaries":"not a list""#).as_bytes()); // 4
    line(
        tx("wrong-amount", "")
            .replace(r#""amount":"10.00""#, r#""amount":{"x":1}"#)
            .as_bytes(),
    ); // 5
    line(
        tx(
            "deep",
            &format!(r#","memo":{}1{}"#, "[".repeat(100_000), "]".repeat(100_000)),
        )
        .as_bytes(),
    ); // 6
    let many = vec![r#"{"name":"Bank"}"#; MAX_INTERMEDIARIES + 1].join(",");
    line(tx("many-parties", &format!(r#","intermediaries":[{many}]"#)).as_bytes()); // 7
    line(
        tx("long-name", "")
            .replace("Jane Example", &"Ab ".repeat(MAX_NAME_CHARS))
            .as_bytes(),
    ); // 8
    line(b"[1,2,3]"); // 9
    line(tx("good-2", "").as_bytes()); // 10

    let started = Instant::now();
    let out = common::amlscreen(&["--config", config.to_str().unwrap(), "screen"], &input);
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "{:?}",
        started.elapsed()
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    let records: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(records.len(), 10, "{stdout}");
    assert_eq!(records[0]["transaction_id"], "good-1");
    assert_eq!(records[9]["transaction_id"], "good-2");
    let expect = [
        (2, "longer than 1048576 bytes"),
        (3, "not UTF-8 at byte 40"),
        (4, "intermediaries: invalid type"),
        (5, "amount: invalid type"),
        (6, "nested deeper than 16 levels"),
        (7, "intermediaries"),
        (8, "beneficiary.name"),
        (9, "invalid type"),
    ];
    for (line_no, needle) in expect {
        let r = &records[line_no - 1];
        assert_eq!(r["line"], line_no, "{r}");
        let error = r["error"].as_str().unwrap_or_default();
        assert!(error.contains(needle), "line {line_no}: {error}");
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("8 of 10 lines could not be screened"),
        "{stderr}"
    );
}

/// 9 levels of 9 aliases each: 9^9 (387 million) nodes once expanded.
const BILLION_LAUGHS: &str = r#"
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"#;

#[test]
fn yaml_alias_expansion_in_a_rule_file_is_refused_quickly() {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("rules");
    std::fs::create_dir(&rules).unwrap();
    std::fs::write(
        rules.join("bomb.yaml"),
        format!("{BILLION_LAUGHS}platforms: *i\n"),
    )
    .unwrap();
    let started = Instant::now();
    let errors = amlscreen::rules::RuleSet::load(&rules).unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    let text: Vec<String> = errors.iter().map(ToString::to_string).collect();
    assert!(
        text.iter()
            .any(|e| e.contains("bomb.yaml") && e.contains("repetition limit")),
        "{text:?}"
    );

    let out = Command::new(env!("CARGO_BIN_EXE_amlscreen"))
        .args(["rules", "check"])
        .arg(&rules)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let all =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert!(all.contains("bomb.yaml"), "{all}");
}

#[test]
fn yaml_alias_expansion_in_the_config_is_refused_quickly() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("amlscreen.yaml");
    std::fs::write(&path, format!("{BILLION_LAUGHS}rules: r\nlists: *i\n")).unwrap();
    let started = Instant::now();
    let err = amlscreen::Config::load(&path).unwrap_err().to_string();
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    assert!(err.contains("amlscreen.yaml"), "{err}");
    assert!(
        err.contains("repetition limit") || err.contains("unknown field"),
        "{err}"
    );
}
