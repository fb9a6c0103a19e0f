//! A reload that lengthens a rule's window makes the rule see the longer
//! history: the customer history's retention follows the rules in force,
//! not the rules the screener started with.

use amlscreen::{Engine, RuleSet, Screener, Transaction};

fn rules(dir: &std::path::Path, window: &str, max_count: u32) -> RuleSet {
    let path = dir.join(format!("velocity-{window}.yaml"));
    std::fs::write(
        &path,
        format!(
            "rules:\n  - id: velocity-count\n    kind: velocity\n    description: many outgoing transfers\n    direction: outgoing\n    window: {window}\n    max_count: {max_count}\n    score: 30\n"
        ),
    )
    .unwrap();
    RuleSet::load(&path).unwrap_or_else(|e| panic!("{e:?}"))
}

fn transfer(day: u32) -> Transaction {
    Transaction::from_json(&format!(
        r#"{{"id":"tx-{day}","timestamp":"2026-11-{day:02}T10:00:00Z","customer_id":"c-1",
            "direction":"outgoing","amount":"10","currency":"EUR","value":"10"}}"#
    ))
    .unwrap()
}

fn fires(screener: &Screener, tx: &Transaction) -> bool {
    let decision = screener.evaluate(tx).unwrap();
    decision
        .reasons
        .iter()
        .any(|f| f.rule_id == "velocity-count")
}

#[test]
fn a_reload_that_lengthens_a_window_makes_the_rule_see_the_longer_history() {
    let dir = tempfile::tempdir().unwrap();
    // Starts with a one-hour window: one day of history is kept.
    let screener = Screener::new(Engine::builder(rules(dir.path(), "1h", 10)).build());
    assert_eq!(screener.state().retention(), chrono::Duration::hours(24));
    // Now more than 5 transfers within 20 days is the rule.
    screener
        .reload_with(Engine::builder(rules(dir.path(), "20d", 5)).build())
        .unwrap();
    assert!(screener.state().retention() >= chrono::Duration::days(20));
    // One transfer every second day: six of them span ten days.
    for day in [1, 3, 5, 7, 9] {
        assert!(!fires(&screener, &transfer(day)), "day {day}");
    }
    assert!(
        fires(&screener, &transfer(11)),
        "the sixth transfer within 20 days must fire: the history before it was kept"
    );
}

#[test]
fn a_failed_reload_changes_neither_the_engine_nor_the_retention() {
    let dir = tempfile::tempdir().unwrap();
    let config_path = dir.path().join("amlscreen.yaml");
    std::fs::write(&config_path, "lists: []\nrules: missing-rules-dir\n").unwrap();
    let screener = Screener::new(Engine::builder(rules(dir.path(), "1h", 10)).build());
    let version = screener.version();
    let retention = screener.state().retention();
    let config = amlscreen::Config::load(&config_path).unwrap_or_else(|e| panic!("{e}"));
    assert!(screener.reload(&config).is_err());
    assert_eq!(screener.version(), version);
    assert_eq!(screener.state().retention(), retention);
    assert_eq!(screener.reload_counts().0, 0);
}

/// A reload that fails after its lists loaded (here: broken rules) must not
/// record those lists in the list guard's history: the next load would be
/// checked against a version that never screened.
#[test]
fn a_reload_that_fails_records_no_list_history() {
    let dir = tempfile::tempdir().unwrap();
    let repo = crate::common::repo();
    let list_a = dir.path().join("a.csv");
    std::fs::copy(repo.join("sanctions/sample_watchlist.csv"), &list_a).unwrap();
    let mut longer = std::fs::read_to_string(&list_a).unwrap();
    longer.push_str("wl:extra-1,Extra Person,,person,,,,internal\n");
    let list_b = dir.path().join("b.csv");
    std::fs::write(&list_b, longer).unwrap();
    let broken_rules = dir.path().join("broken-rules");
    std::fs::create_dir(&broken_rules).unwrap();
    std::fs::write(
        broken_rules.join("velocity.yaml"),
        "rules:\n  - id: x\n    kind: velocty\n",
    )
    .unwrap();
    let history = dir.path().join("history.json");
    let config = |list: &std::path::Path, rules: &std::path::Path, name: &str| {
        let path = dir.path().join(name);
        std::fs::write(
            &path,
            format!(
                "lists:\n  - source: watchlist\n    path: {}\nrules: {}\nlist_guard:\n  history: {}\n",
                list.display(),
                rules.display(),
                history.display()
            ),
        )
        .unwrap();
        amlscreen::Config::load(&path).unwrap_or_else(|e| panic!("{e}"))
    };
    let good = config(&list_a, &repo.join("rules"), "good.yaml");
    let screener = Screener::from_config(&good).unwrap_or_else(|e| panic!("{e}"));
    let recorded = std::fs::read(&history).expect("the first engine's lists are recorded");
    let err = screener
        .reload(&config(&list_b, &broken_rules, "broken.yaml"))
        .unwrap_err();
    assert!(err.to_string().contains("velocty"), "{err}");
    assert_eq!(
        std::fs::read(&history).unwrap(),
        recorded,
        "a failed reload changed the list history"
    );
    // The same new list with good rules is recorded.
    screener
        .reload(&config(&list_b, &repo.join("rules"), "b.yaml"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_ne!(std::fs::read(&history).unwrap(), recorded);
}
