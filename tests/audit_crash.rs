//! Kills a child process that is writing audit records (SIGKILL at random
//! points, repeatedly), then reopens and verifies: no record the child had
//! reported (it prints a decision only after its record was fsynced) is
//! lost, a torn tail is reported and set aside, and the hash chain is
//! intact across rotated files.

use std::collections::HashSet;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use amlscreen::audit::{rotated_files, verify_set, AuditLog, AuditOptions, SetVerification};

use crate::common;

fn write_config(dir: &Path) -> PathBuf {
    common::default_config(
        dir,
        "audit:\n  path: audit/log.jsonl\n  fsync: every_record\n  rotate_bytes: 200000\n",
    )
}

fn write_input(dir: &Path, run: usize, n: usize) -> PathBuf {
    let path = dir.join(format!("in-{run}.jsonl"));
    let mut f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    for i in 0..n {
        writeln!(
            f,
            r#"{{"id":"r{run}-{i}","timestamp":"2026-11-21T10:15:00Z","customer_id":"c-{i}","direction":"outgoing","amount":"10.00","currency":"EUR","value":"10.00","beneficiary":{{"name":"Jane Example {i}","kind":"person"}}}}"#
        )
        .unwrap();
    }
    path
}

/// xorshift64*: random kill points without a dependency; the seed is printed.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
}

/// Every transaction id in the audit set, in chain order.
fn audited_ids(live: &Path) -> Vec<String> {
    let mut files = rotated_files(live).unwrap();
    files.push(live.to_path_buf());
    let mut ids = Vec::new();
    for f in files {
        let Ok(text) = std::fs::read_to_string(&f) else {
            continue;
        };
        for line in text.lines() {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            ids.push(v["transaction_id"].as_str().unwrap().to_owned());
        }
    }
    ids
}

#[cfg(unix)]
#[test]
fn sigkill_at_random_points_loses_no_synced_record_and_keeps_the_chain() {
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path());
    let live = dir.path().join("audit/log.jsonl");
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64
        | 1;
    println!("kill-point seed {seed}");
    let mut rng = Rng(seed);
    let mut reported = HashSet::new();
    let mut kills = 0;
    for run in 0..8 {
        let input = write_input(dir.path(), run, 20_000);
        let mut child = Command::new(env!("CARGO_BIN_EXE_amlscreen"))
            .arg("--config")
            .arg(&config)
            // small chunks: decisions reach stdout while the child runs
            .args(["screen", "--chunk-lines", "4", "--input"])
            .arg(&input)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let reader = std::thread::spawn(move || {
            let mut ids = Vec::new();
            let mut lines = BufReader::new(stdout);
            let mut line = String::new();
            while lines.read_line(&mut line).unwrap_or(0) > 0 {
                // only whole lines: a decision the child finished printing
                if line.ends_with('\n') {
                    let v: serde_json::Value = serde_json::from_str(&line).unwrap();
                    ids.push(v["transaction_id"].as_str().unwrap().to_owned());
                }
                line.clear();
            }
            ids
        });
        // wait until the child has started writing, then a random extra delay
        let start = Instant::now();
        while !live.exists() && start.elapsed() < Duration::from_secs(30) {
            std::thread::sleep(Duration::from_millis(5));
        }
        std::thread::sleep(Duration::from_millis(300 + rng.next() % 1500));
        if child.try_wait().unwrap().is_none() {
            child.kill().unwrap(); // SIGKILL
            kills += 1;
        }
        child.wait().unwrap();
        reported.extend(reader.join().unwrap());

        // reopen as the next process would: a torn tail is set aside
        let log = AuditLog::open_with(&live, AuditOptions::default()).unwrap();
        if let Some(torn) = log.recovered() {
            println!("run {run}: {torn}");
            assert!(torn.kept_at.exists());
        }
        drop(log);
        match verify_set(&live).unwrap() {
            SetVerification::Ok { records, files, .. } => {
                println!("run {run}: {records} records in {} files", files.len())
            }
            broken => panic!("run {run}: chain broken after SIGKILL: {broken:?}"),
        }
    }
    assert!(kills >= 4, "only {kills} of 8 runs were killed mid-stream");
    let audited: HashSet<String> = audited_ids(&live).into_iter().collect();
    let lost: Vec<&String> = reported.difference(&audited).collect();
    assert!(
        lost.is_empty(),
        "{} decisions were reported but their fsynced audit records are missing: {:?}",
        lost.len(),
        &lost[..lost.len().min(5)]
    );
    assert!(
        reported.len() > 100,
        "the child reported {} decisions",
        reported.len()
    );
    assert!(
        rotated_files(&live).unwrap().len() >= 2,
        "rotation was exercised"
    );

    // A writer killed inside its write leaves a line without its newline:
    // simulate that exactly, then let the CLI reopen and report it.
    let whole = std::fs::read(&live).unwrap();
    let torn: Vec<u8> = whole
        .split(|&b| b == b'\n')
        .find(|l| !l.is_empty())
        .map(|l| l[..l.len() / 2].to_vec())
        .unwrap_or_else(|| b"{\"prev_hash\":\"0".to_vec());
    std::fs::OpenOptions::new()
        .append(true)
        .open(&live)
        .unwrap()
        .write_all(&torn)
        .unwrap();
    let verify = Command::new(env!("CARGO_BIN_EXE_amlscreen"))
        .args(["audit", "verify"])
        .arg(&live)
        .output()
        .unwrap();
    assert_eq!(verify.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&verify.stdout).contains("torn"),
        "{}",
        String::from_utf8_lossy(&verify.stdout)
    );

    let input = write_input(dir.path(), 99, 3);
    let out = Command::new(env!("CARGO_BIN_EXE_amlscreen"))
        .arg("--config")
        .arg(&config)
        .args(["screen", "--input"])
        .arg(&input)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("torn last record"), "{stderr}");
    let verify = Command::new(env!("CARGO_BIN_EXE_amlscreen"))
        .args(["audit", "verify"])
        .arg(&live)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&verify.stdout);
    assert_eq!(verify.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.contains("chain intact") && stdout.contains("files"),
        "{stdout}"
    );
    let ids = audited_ids(&live);
    assert_eq!(&ids[ids.len() - 3..], ["r99-0", "r99-1", "r99-2"]);
}
