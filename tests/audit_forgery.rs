//! Fail closed on a rewritten audit trail, end to end through the
//! `amlscreen` binary: each forgery an attacker without the chain key can
//! make — an edited record with its chain recomputed, a forged record
//! appended, the whole file rewritten, records deleted from the end — is
//! reported by `amlscreen audit verify` (exit 1, the first bad record's
//! file and line); and two processes on one audit log or state file never
//! both write it.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

use crate::common;

fn config(dir: &Path, audit: &str) -> PathBuf {
    common::default_config(dir, &format!("audit:\n  path: audit/log.jsonl\n{audit}"))
}

fn transactions(run: &str, n: usize) -> String {
    (0..n)
        .map(|i| {
            format!(
                r#"{{"id":"{run}-{i}","timestamp":"2026-11-21T10:15:00Z","customer_id":"c-{}","direction":"outgoing","amount":"10","currency":"EUR","value":"10","beneficiary":{{"name":"Jane Example {i}"}}}}"#,
                i % 7
            ) + "\n"
        })
        .collect()
}

fn amlscreen(dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_amlscreen"));
    command.current_dir(dir);
    command
}

/// `amlscreen screen` of `n` transactions through `config`.
fn screen(dir: &Path, config: &Path, run: &str, n: usize) -> Output {
    let input = dir.join(format!("{run}.jsonl"));
    std::fs::write(&input, transactions(run, n)).unwrap();
    amlscreen(dir)
        .arg("--config")
        .arg(config)
        .args(["screen", "--output"])
        .arg(dir.join(format!("{run}.out")))
        .arg("--input")
        .arg(&input)
        .output()
        .unwrap()
}

/// `amlscreen audit verify FILE [extra]`: exit code and standard output.
fn verify(dir: &Path, live: &Path, extra: &[&str]) -> (Option<i32>, String) {
    let out = amlscreen(dir)
        .args(["audit", "verify"])
        .arg(live)
        .args(extra)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr);
    (out.status.code(), format!("{stdout}{stderr}"))
}

/// A log of `n` records written by the binary: (dir, live file, its text).
fn written_log(n: usize) -> (tempfile::TempDir, PathBuf, String) {
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path(), "");
    let out = screen(dir.path(), &config, "a", n);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let live = dir.path().join("audit/log.jsonl");
    let text = std::fs::read_to_string(&live).unwrap();
    assert_eq!(text.lines().count(), n);
    let (code, report) = verify(dir.path(), &live, &[]);
    assert_eq!(code, Some(0), "{report}");
    assert!(report.starts_with(&format!("OK: {n} records")), "{report}");
    (dir, live, text)
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// What an attacker without the key does to lines `from..`: re-links each
/// to the seal before it and re-seals it with SHA-256 — as `"mac"`, or
/// (`downgrade`) dropping `"format":2` as an older, unkeyed `"hash"`.
fn rechain(text: &str, from: usize, downgrade: bool) -> String {
    let mut out = String::new();
    let mut prev: Option<String> = None;
    for (i, line) in text.lines().enumerate() {
        let cut = line
            .rfind(",\"mac\":\"")
            .or_else(|| line.rfind(",\"hash\":\""))
            .unwrap();
        let seal = line[cut..].split('"').nth(3).unwrap().to_owned();
        if i < from {
            out.push_str(line);
            out.push('\n');
            prev = Some(seal);
            continue;
        }
        let mut body = format!("{}}}", &line[..cut]);
        if let Some(prev) = &prev {
            let at = body.find("\"prev_hash\":\"").unwrap() + 13;
            body.replace_range(at..at + 64, prev);
        }
        if downgrade {
            body = body.replacen("\"format\":2,", "", 1);
        }
        let hash = sha256_hex(body.as_bytes());
        let member = if downgrade { "hash" } else { "mac" };
        out.push_str(&format!(
            "{},\"{member}\":\"{hash}\"}}\n",
            &body[..body.len() - 1]
        ));
        prev = Some(hash);
    }
    out
}

fn assert_broken_at(report: &str, code: Option<i32>, file: &Path, line: u64, why: &str) {
    assert_eq!(code, Some(1), "{report}");
    let expected = format!("BROKEN: {}: line {line}: ", file.display());
    assert!(
        report.starts_with(&expected) && report.contains(why),
        "expected {expected}…{why}…, got {report}"
    );
}

#[test]
fn an_edited_record_with_its_chain_recomputed_is_detected() {
    let (dir, live, text) = written_log(6);
    let edited = text.replacen("\"a-2\"", "\"a-X\"", 1);
    assert_ne!(edited, text);
    // re-sealed as keyed records, with SHA-256 in place of the unknown key
    std::fs::write(&live, rechain(&edited, 2, false)).unwrap();
    let (code, report) = verify(dir.path(), &live, &[]);
    assert_broken_at(&report, code, &live, 3, "mac does not verify under the key");
    // re-sealed as older, unkeyed records
    std::fs::write(&live, rechain(&edited, 2, true)).unwrap();
    let (code, report) = verify(dir.path(), &live, &[]);
    assert_broken_at(
        &report,
        code,
        &live,
        3,
        "unkeyed (format 1) record after keyed",
    );
    // and the next writer refuses to continue it
    let config = config(dir.path(), "");
    let out = screen(dir.path(), &config, "b", 1);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("the chain cannot continue"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn an_appended_forged_record_is_detected() {
    let (dir, live, text) = written_log(4);
    let last = text.lines().last().unwrap();
    let forged = last
        .replacen("\"seq\":4", "\"seq\":5", 1)
        .replacen("\"a-3\"", "\"a-forged\"", 1);
    std::fs::write(&live, rechain(&format!("{text}{forged}\n"), 4, false)).unwrap();
    let (code, report) = verify(dir.path(), &live, &[]);
    assert_broken_at(&report, code, &live, 5, "mac does not verify under the key");
    // as an unkeyed record
    std::fs::write(&live, rechain(&format!("{text}{forged}\n"), 4, true)).unwrap();
    let (code, report) = verify(dir.path(), &live, &[]);
    assert_broken_at(
        &report,
        code,
        &live,
        5,
        "unkeyed (format 1) record after keyed",
    );
}

#[test]
fn a_whole_file_rewritten_is_detected() {
    let (dir, live, text) = written_log(5);
    // every record rewritten unkeyed from the genesis on: a valid SHA-256
    // chain, but the checkpoint names a record it does not hold
    let edited = text.replacen("\"a-0\"", "\"a-X\"", 1);
    std::fs::write(&live, rechain(&edited, 0, true)).unwrap();
    let (code, report) = verify(dir.path(), &live, &[]);
    assert_broken_at(
        &report,
        code,
        &live,
        5,
        "is not the one checkpoint line 1 names",
    );
    // ... and with the checkpoints removed too, it is not a pass
    let checkpoints = dir.path().join("audit/log.jsonl.checkpoints");
    let saved = std::fs::read(&checkpoints).unwrap();
    std::fs::remove_file(&checkpoints).unwrap();
    let (code, report) = verify(dir.path(), &live, &[]);
    assert_eq!(code, Some(1), "{report}");
    assert!(report.starts_with("UNKEYED: 5 records"), "{report}");
    std::fs::write(&checkpoints, saved).unwrap();

    // a genuine keyed log written by the attacker under a key of their own
    let other = tempfile::tempdir().unwrap();
    let (_, forged_live, _) = {
        let config = config(other.path(), "");
        let out = screen(other.path(), &config, "z", 5);
        assert_eq!(out.status.code(), Some(0));
        let live = other.path().join("audit/log.jsonl");
        let text = std::fs::read_to_string(&live).unwrap();
        ((), live, text)
    };
    std::fs::copy(&forged_live, &live).unwrap();
    let (code, report) = verify(dir.path(), &live, &[]);
    assert_broken_at(&report, code, &live, 1, "mac does not verify under the key");
    // its checkpoints copied along do not verify under this log's key either
    std::fs::copy(
        other.path().join("audit/log.jsonl.checkpoints"),
        &checkpoints,
    )
    .unwrap();
    let (code, report) = verify(dir.path(), &live, &[]);
    assert_broken_at(
        &report,
        code,
        &checkpoints,
        1,
        "checkpoint mac does not verify",
    );
}

#[test]
fn records_deleted_from_the_end_are_detected() {
    let (dir, live, text) = written_log(6);
    let kept: String = text.lines().take(4).map(|l| format!("{l}\n")).collect();
    std::fs::write(&live, kept).unwrap();
    let (code, report) = verify(dir.path(), &live, &[]);
    assert_broken_at(
        &report,
        code,
        &live,
        5,
        "records deleted after checkpoint: expected ≥6 records, found 4",
    );
    // the next writer refuses to continue a log shorter than its checkpoint
    let config = config(dir.path(), "");
    let out = screen(dir.path(), &config, "b", 1);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("records deleted after checkpoint"),
        "{stderr}"
    );
    // all of them deleted
    std::fs::write(&live, "").unwrap();
    let (code, report) = verify(dir.path(), &live, &[]);
    assert_broken_at(&report, code, &live, 1, "expected ≥6 records, found 0");
}

#[test]
fn verify_takes_the_key_from_the_flag_or_the_config_and_refuses_a_wrong_one() {
    let dir = tempfile::tempdir().unwrap();
    let config = config(
        dir.path(),
        "  key_file: keys/chain.key\n  checkpoint_every: 2\n",
    );
    let out = screen(dir.path(), &config, "a", 5);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let live = dir.path().join("audit/log.jsonl");
    let key = dir.path().join("keys/chain.key");
    assert!(key.exists() && !dir.path().join("audit/log.jsonl.key").exists());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    // the config names the key
    let (code, report) = verify(dir.path(), &live, &["--config", "amlscreen.yaml"]);
    assert_eq!(code, Some(0), "{report}");
    assert!(
        report.contains("5 records") && report.contains("chain.key"),
        "{report}"
    );
    // one batch: checkpointed once, after it (checkpoint_every is checked per batch)
    assert!(report.contains("1 checkpoint holds"), "{report}");
    // so does the flag
    let (code, report) = verify(dir.path(), &live, &["--key", "keys/chain.key"]);
    assert_eq!(code, Some(0), "{report}");
    // no key found: keyed records cannot be checked
    let (code, report) = verify(dir.path(), &live, &["--config", "none.yaml"]);
    assert_broken_at(&report, code, &live, 1, "no key was given");
    // another key
    let wrong = dir.path().join("wrong.key");
    std::fs::write(&wrong, format!("{}\n", "ab".repeat(32))).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&wrong, std::fs::Permissions::from_mode(0o644)).unwrap();
        let (code, report) = verify(dir.path(), &live, &["--key", "wrong.key"]);
        assert_eq!(
            code,
            Some(2),
            "a key readable by others is refused: {report}"
        );
        assert!(report.contains("chmod 600"), "{report}");
        std::fs::set_permissions(&wrong, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    let (code, report) = verify(dir.path(), &live, &["--key", "wrong.key"]);
    assert_eq!(code, Some(1), "{report}");
    assert!(report.starts_with("BROKEN: "), "{report}");
}

/// Waits until `child` holds the lock file `lock` (its pid is written in it).
fn wait_for_lock(child: &mut Child, lock: &Path) {
    let start = Instant::now();
    loop {
        let holder = std::fs::read_to_string(lock).unwrap_or_default();
        if holder.trim() == child.id().to_string() {
            return;
        }
        assert!(
            child.try_wait().unwrap().is_none(),
            "the first process ended before taking {}",
            lock.display()
        );
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "no lock taken on {}",
            lock.display()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Starts `amlscreen screen` reading standard input, which the caller holds open.
fn spawn_screen(dir: &Path, config: &Path, extra: &[&str]) -> Child {
    amlscreen(dir)
        .arg("--config")
        .arg(config)
        .arg("screen")
        .args(extra)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

#[test]
fn a_second_screen_on_one_audit_log_is_refused_naming_the_holder() {
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path(), "");
    let live = dir.path().join("audit/log.jsonl");
    let mut first = spawn_screen(dir.path(), &config, &[]);
    wait_for_lock(&mut first, &dir.path().join("audit/log.jsonl.lock"));
    let second = screen(dir.path(), &config, "b", 3);
    assert_eq!(second.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&second.stderr);
    assert!(
        stderr.contains(&format!("audit log {}", live.display()))
            && stderr.contains(&format!("in use by process {}", first.id()))
            && stderr.contains("log.jsonl.lock"),
        "{stderr}"
    );
    let mut stdin = first.stdin.take().unwrap();
    stdin.write_all(transactions("a", 4).as_bytes()).unwrap();
    drop(stdin);
    let out = first.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let (code, report) = verify(dir.path(), &live, &[]);
    assert_eq!(code, Some(0), "{report}");
    assert!(report.starts_with("OK: 4 records"), "{report}");
}

#[test]
fn two_concurrent_screens_on_one_audit_log_leave_a_chain_that_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path(), "");
    let live = dir.path().join("audit/log.jsonl");
    let runs = ["a", "b"];
    for run in runs {
        std::fs::write(
            dir.path().join(format!("{run}.jsonl")),
            transactions(run, 2000),
        )
        .unwrap();
    }
    let children: Vec<Child> = runs
        .iter()
        .map(|run| {
            amlscreen(dir.path())
                .arg("--config")
                .arg(&config)
                .args(["screen", "--chunk-lines", "50", "--input"])
                .arg(format!("{run}.jsonl"))
                .args(["--output", &format!("{run}.out")])
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let mut audited = 0;
    for child in children {
        let out = child.wait_with_output().unwrap();
        match out.status.code() {
            Some(0) => audited += 2000,
            Some(2) => {
                let stderr = String::from_utf8_lossy(&out.stderr);
                assert!(stderr.contains("is in use by process"), "{stderr}");
            }
            other => panic!("{other:?}: {}", String::from_utf8_lossy(&out.stderr)),
        }
    }
    assert!(audited > 0, "one of the two ran");
    let (code, report) = verify(dir.path(), &live, &[]);
    assert_eq!(code, Some(0), "{report}");
    assert!(
        report.starts_with(&format!("OK: {audited} records")),
        "{report}"
    );
}

#[test]
fn a_second_screen_on_one_state_file_is_refused_naming_the_holder() {
    let dir = tempfile::tempdir().unwrap();
    // no audit log: the state file's own lock is what refuses
    let config = common::default_config(dir.path(), "");
    let state = dir.path().join("state.json");
    let mut first = spawn_screen(dir.path(), &config, &["--state", "state.json"]);
    wait_for_lock(&mut first, &dir.path().join("state.json.lock"));
    let input = dir.path().join("b.jsonl");
    std::fs::write(&input, transactions("b", 2)).unwrap();
    let second = amlscreen(dir.path())
        .arg("--config")
        .arg(&config)
        .args(["screen", "--state", "state.json", "--input", "b.jsonl"])
        .output()
        .unwrap();
    assert_eq!(second.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&second.stderr);
    assert!(
        stderr.contains("state file state.json")
            && stderr.contains(&format!("in use by process {}", first.id())),
        "{stderr}"
    );
    drop(first.stdin.take());
    assert_eq!(first.wait().unwrap().code(), Some(0));
    assert!(state.exists());
    // released with the process: the next run takes it
    let third = amlscreen(dir.path())
        .arg("--config")
        .arg(&config)
        .args(["screen", "--state", "state.json", "--input", "b.jsonl"])
        .output()
        .unwrap();
    assert_eq!(
        third.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&third.stderr)
    );
}
