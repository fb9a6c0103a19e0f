//! Audit settings from the config file, end to end through `amlscreen screen`:
//! pseudonymised customer ids, durability and rotation settings, clear errors.

use std::path::{Path, PathBuf};
use std::process::Command;

use amlscreen::audit::{pseudonymise, verify_set, Durability, SetVerification};
use amlscreen::Config;

use crate::common;

fn config(dir: &Path, audit: &str) -> PathBuf {
    common::default_config(dir, &format!("audit:\n  path: audit/log.jsonl\n{audit}"))
}

const TXS: &str = r#"{"id":"t-1","timestamp":"2026-11-21T10:15:00Z","customer_id":"cust-secret-42","direction":"outgoing","amount":"1","currency":"EUR","value":"1","beneficiary":{"name":"Jane Example"}}
{"id":"t-2","timestamp":"2026-11-21T10:16:00Z","customer_id":"cust-secret-42","direction":"outgoing","amount":"1","currency":"EUR","value":"1","beneficiary":{"vasp":"Garantex"}}
"#;

fn screen(config: &Path, dir: &Path) -> std::process::Output {
    let input = dir.join("in.jsonl");
    std::fs::write(&input, TXS).unwrap();
    Command::new(env!("CARGO_BIN_EXE_amlscreen"))
        .arg("--config")
        .arg(config)
        .args(["screen", "--input"])
        .arg(&input)
        .output()
        .unwrap()
}

#[test]
fn customer_ids_are_pseudonymised_with_the_configured_key() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("audit.key"), "k3y-of-at-least-16-bytes\n").unwrap();
    let config = config(
        dir.path(),
        "  fsync: interval\n  fsync_interval_ms: 50\n  rotate_bytes: 1000000\n  pseudonymise_key_file: audit.key\n",
    );
    let out = screen(&config, dir.path());
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let live = dir.path().join("audit/log.jsonl");
    let text = std::fs::read_to_string(&live).unwrap();
    assert!(!text.contains("cust-secret-42"), "{text}");
    let expected = pseudonymise(b"k3y-of-at-least-16-bytes", "cust-secret-42");
    assert_eq!(
        text.matches(&format!("\"customer_id\":\"{expected}\""))
            .count(),
        2
    );
    assert!(matches!(
        verify_set(&live).unwrap(),
        SetVerification::Ok { records: 2, .. }
    ));

    let loaded = Config::load(&config).unwrap();
    let audit = loaded.audit.unwrap();
    let options = audit.options().unwrap();
    assert_eq!(
        options.durability,
        Durability::Interval(std::time::Duration::from_millis(50))
    );
    assert_eq!(options.rotate_bytes, Some(1_000_000));
    assert!(format!("{options:?}").contains("pseudonymise: true"));
    assert!(
        !format!("{options:?}").contains("k3y"),
        "the key is never printed"
    );
}

#[test]
fn without_a_key_customer_ids_are_stored_as_given() {
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path(), "");
    let out = screen(&config, dir.path());
    assert_eq!(out.status.code(), Some(0));
    let text = std::fs::read_to_string(dir.path().join("audit/log.jsonl")).unwrap();
    assert_eq!(
        text.matches("\"customer_id\":\"cust-secret-42\"").count(),
        2
    );
}

#[test]
fn a_short_or_missing_key_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("short.key"), "tiny").unwrap();
    let config = config(dir.path(), "  pseudonymise_key_file: short.key\n");
    let out = screen(&config, dir.path());
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("short.key")
            && stderr.contains("pseudonymise_key_file")
            && stderr.contains("at least 16"),
        "{stderr}"
    );

    let config = self::config(dir.path(), "  pseudonymise_key_file: missing.key\n");
    let out = screen(&config, dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("missing.key"));

    let config = self::config(dir.path(), "  fsync: sometimes\n");
    let out = screen(&config, dir.path());
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("amlscreen.yaml:") && stderr.contains("sometimes"),
        "{stderr}"
    );
}
