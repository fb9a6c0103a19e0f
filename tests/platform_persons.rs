//! The forbidden-platform check runs on every party whatever kind the caller
//! gives it (issue 13, item 5): a "person" named Garantex used to pass.

use amlscreen::{Action, Engine, RuleSet, Screener, Transaction};

fn screen(beneficiary: &str) -> amlscreen::Decision {
    let rules =
        RuleSet::load(&crate::common::repo().join("rules")).unwrap_or_else(|e| panic!("{e:?}"));
    let screener = Screener::new(Engine::builder(rules).build());
    let tx = Transaction::from_json(&format!(
        r#"{{"id":"t","timestamp":"2026-11-21T10:00:00Z","customer_id":"c","direction":"outgoing",
            "amount":"10","currency":"USDT","value":"10","beneficiary":{beneficiary}}}"#
    ))
    .unwrap_or_else(|e| panic!("{e}"));
    screener.evaluate(&tx).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn a_person_named_like_a_platform_is_held_not_allowed() {
    for name in ["Garantex", "Tornado Cash", "Hydra Market"] {
        let d = screen(&format!(r#"{{"name":"{name}","kind":"person"}}"#));
        assert_eq!(d.action, Action::Hold, "{name}: {d:?}");
        assert!(
            d.reasons.iter().any(|f| f.message.contains("a name alone")),
            "{name}: {d:?}"
        );
    }
}

#[test]
fn corroboration_still_freezes_whatever_the_kind() {
    let d = screen(r#"{"name":"Ivan Petrenko","kind":"person","vasp":"Garantex"}"#);
    assert_eq!(d.action, Action::Block, "{d:?}");
    let d = screen(r#"{"name":"Garantex","kind":"person","domain":"garantex.org"}"#);
    assert_eq!(d.action, Action::Block, "{d:?}");
}

#[test]
fn an_organisation_named_like_a_platform_is_held_too() {
    // a name alone suspends, whatever the kind; before, an organisation's
    // name froze while a person's held
    let d = screen(r#"{"name":"Garantex Europe OU","kind":"organization"}"#);
    assert_eq!(d.action, Action::Hold, "{d:?}");
}

#[test]
fn an_ordinary_person_is_still_allowed() {
    let d = screen(r#"{"name":"Olena Kovalenko","kind":"person"}"#);
    assert_eq!(d.action, Action::Allow, "{d:?}");
}
