//! Hot reload under load: two threads screen continuously while a third
//! reloads lists and rules 200 times, some reloads deliberately broken.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use amlscreen::audit::{verify_set, SetVerification};
use amlscreen::{Action, Config, Screener, Transaction};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let target = to.join(path.file_name().unwrap());
        if path.is_dir() {
            copy_dir(&path, &target);
        } else {
            std::fs::copy(&path, target).unwrap();
        }
    }
}

fn config(dir: &Path, name: &str, list: &Path, rules: &Path) -> Config {
    let path = dir.join(name);
    std::fs::write(
        &path,
        format!(
            "lists:\n  - source: watchlist\n    path: {}\nrules: {}\naudit:\n  path: {}\nlist_guard:\n  history: {}\n  max_shrink_percent: 20\n",
            list.display(),
            rules.display(),
            dir.join("audit.jsonl").display(),
            dir.join("list-history.json").display(),
        ),
    )
    .unwrap();
    Config::load(&path).unwrap()
}

fn transaction(thread: usize, i: usize) -> Transaction {
    // Viktor Bout with his listed birth date: corroborated, so frozen (each
    // blocked attempt by its own customer: a customer's repeated blocked
    // attempts hold the next transfer, which is not what this test is about)
    let customer = if i % 3 == 0 {
        format!("b-{thread}-{i}")
    } else {
        format!("c-{thread}-{}", i % 50)
    };
    let beneficiary = if i % 3 == 0 {
        r#"Viktor Bout","birth_date":"1967-01-13"#
    } else {
        "Maria Schmidt"
    };
    Transaction::from_json(&format!(
        r#"{{"id":"t{thread}-{i}","timestamp":"2026-11-21T10:00:00Z","customer_id":"{customer}",
            "direction":"outgoing","amount":"10","currency":"EUR","value":"10",
            "beneficiary":{{"name":"{beneficiary}","kind":"person"}}}}"#,
    ))
    .unwrap()
}

#[test]
fn reloads_swap_atomically_while_screening_and_broken_reloads_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let sample = std::fs::read_to_string(repo().join("sanctions/sample_watchlist.csv")).unwrap();
    // two valid list versions, a broken list, and a list that shrinks implausibly
    let list_a = d.join("a.csv");
    std::fs::write(&list_a, &sample).unwrap();
    let list_b = d.join("b.csv");
    std::fs::write(
        &list_b,
        format!("{sample}wl:extra-1,Ekstra Person,,person,,,,internal\n"),
    )
    .unwrap();
    let broken_list = d.join("broken.csv");
    std::fs::write(&broken_list, "this is not,the watchlist header\n").unwrap();
    let shrinking = d.join("shrinking.csv");
    std::fs::write(&shrinking, &sample).unwrap();
    let rules = d.join("rules");
    copy_dir(&repo().join("rules"), &rules);
    let broken_rules = d.join("broken-rules");
    copy_dir(&repo().join("rules"), &broken_rules);
    let policy = broken_rules.join("policy.yaml");
    let text = std::fs::read_to_string(&policy).unwrap();
    std::fs::write(&policy, text.replacen("action: hold", "action: hodl", 1)).unwrap();

    let config_a = config(d, "a.yaml", &list_a, &rules);
    let config_b = config(d, "b.yaml", &list_b, &rules);
    let config_broken_rules = config(d, "br.yaml", &list_a, &broken_rules);
    let config_broken_list = config(d, "bl.yaml", &broken_list, &rules);
    let config_shrinking = config(d, "s.yaml", &shrinking, &rules);

    let live = Arc::new(Screener::from_config(&config_a).unwrap());
    // record the shrinking list's full size in the history, then cut it to one row
    live.reload(&config_shrinking).unwrap();
    let header_and_one_row: String = sample.lines().take(2).map(|l| format!("{l}\n")).collect();
    std::fs::write(&shrinking, header_and_one_row).unwrap();

    let loaded: Arc<Mutex<HashSet<String>>> = Arc::new(Mutex::new(HashSet::new()));
    loaded.lock().unwrap().insert(live.version());
    let stop = Arc::new(AtomicBool::new(false));
    let screeners: Vec<_> = (0..2)
        .map(|thread| {
            let live = Arc::clone(&live);
            let stop = Arc::clone(&stop);
            std::thread::spawn(move || {
                let mut decisions = Vec::new();
                let mut i = 0;
                while !stop.load(Ordering::Relaxed) || i < 50 {
                    let tx = transaction(thread, i);
                    let decision = live.screen(&tx).expect("no screen may fail during reloads");
                    let expected = if i % 3 == 0 {
                        Action::Block
                    } else {
                        Action::Allow
                    };
                    assert_eq!(decision.action, expected, "{tx:?} → {decision:?}");
                    decisions.push(decision.version);
                    i += 1;
                }
                decisions
            })
        })
        .collect();

    let mut failures = 0;
    for round in 0..200 {
        let before = live.version();
        let result = match round % 5 {
            0 => live.reload(&config_a),
            1 => live.reload(&config_broken_rules),
            2 => live.reload(&config_b),
            3 => live.reload(&config_broken_list),
            _ => live.reload(&config_shrinking),
        };
        match result {
            Ok(version) => {
                assert!(
                    matches!(round % 5, 0 | 2),
                    "round {round} should have failed"
                );
                assert_eq!(live.version(), version);
                loaded.lock().unwrap().insert(version);
            }
            Err(e) => {
                assert!(matches!(round % 5, 1 | 3 | 4), "round {round} failed: {e}");
                let message = e.to_string();
                let names_the_cause = match round % 5 {
                    1 => message.contains("policy.yaml:"),
                    3 => message.contains("broken.csv"),
                    _ => message.contains("shrinking.csv"),
                };
                assert!(names_the_cause, "round {round}: {message}");
                assert_eq!(
                    live.version(),
                    before,
                    "a failed reload changed the version"
                );
                failures += 1;
            }
        }
    }
    stop.store(true, Ordering::Relaxed);
    let versions: Vec<String> = screeners
        .into_iter()
        .flat_map(|h| h.join().unwrap())
        .collect();
    let loaded = loaded.lock().unwrap();
    assert_eq!(failures, 120);
    assert_eq!(live.reload_counts(), (81, 120));
    // versions are content hashes: the shrinking list's first version had
    // A's bytes, so it is A's version; B's differ
    assert_eq!(loaded.len(), 2, "versions A and B");
    for v in &versions {
        assert!(
            loaded.contains(v),
            "decision made under version {v} that was never fully loaded"
        );
    }
    // the audit chain carried across every version, one record per decision
    drop(live);
    match verify_set(&d.join("audit.jsonl")).unwrap() {
        SetVerification::Ok { records, files, .. } => {
            assert_eq!(records as usize, versions.len());
            // each record names the version that made its decision
            for file in files {
                for line in std::fs::read_to_string(file).unwrap().lines() {
                    let record: serde_json::Value = serde_json::from_str(line).unwrap();
                    assert_eq!(
                        record["provenance"]["snapshot"],
                        record["decision"]["version"]
                    );
                    assert!(loaded.contains(record["decision"]["version"].as_str().unwrap()));
                }
            }
        }
        broken => panic!("{broken:?}"),
    }
}
