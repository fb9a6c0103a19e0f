//! Fail closed on inputs the engine could not read (issue 13, items 7–9):
//! each test feeds the exact input that used to get through unscreened.
//!
//! * wallet addresses written another way (no `0x`, payment URIs, invisible
//!   characters, TRON hex, upper- or mixed-case bech32), and listed
//!   addresses written in the memo or the account field, are matched; a
//!   wallet still invalid for its chain holds;
//! * countries as alpha-3 codes or names (English, Ukrainian, Russian)
//!   trigger the jurisdiction rules like their alpha-2 codes; a country
//!   that reads as none is an error naming the field, in transactions and
//!   in rule files alike;
//! * a transaction dated outside the screening bounds is an error and
//!   never enters the customer history.

use std::path::Path;

use amlscreen::lists::{self, ListSpec, SourceKind};
use amlscreen::{
    Action, Decision, Engine, FindingKind, RuleSet, Screener, ScreeningConfig, Transaction,
};
use chrono::{DateTime, TimeZone, Utc};
use serde_json::{json, Value};

use crate::common::{self, repo};

/// OFAC-listed (sample watchlist, Lazarus Group).
const LAZARUS_ETH: &str = "0x098B716B8Aaf21512996dC57EB0615e2383E2f96";
/// OFAC-listed (sample watchlist, YAN Xiaobing).
const YAN_BTC: &str = "12QtD5BFwRsdNsAZY76UVE1xyCGNTojH9h";
/// Garantex's address in rules/platforms.yaml.
const GARANTEX_BTC: &str = "3Lpoy53K625zVeE47ZasiG5jGkAxJ27kh1";
/// Listed by the extra watchlist of these tests, with its hex form.
const LISTED_TRON: &str = "TN3W4H6rK2ce4vX9YnFQHwKENnHjoxb3m9";
const LISTED_TRON_HEX: &str = "4184716914c0fdf7110a44030d04d0c4923504d9cc";
/// Listed by the extra watchlist of these tests (a valid bech32 address).
const LISTED_BECH32: &str = "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq";

/// The time of screening in these tests: the fixtures' era.
fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 22, 12, 0, 0).unwrap()
}

/// The shipped rules, the sample watchlist and a watchlist listing a TRON
/// and a bech32 address, screening at [`now`].
fn screener_with(screening: ScreeningConfig) -> Screener {
    let dir = tempfile::tempdir().unwrap();
    let extra = dir.path().join("extra.csv");
    std::fs::write(
        &extra,
        format!(
            "id,name,aliases,kind,birth_dates,countries,addresses,list\n\
             wl:test-1,TEST WALLETS,,organization,,,TRX:{LISTED_TRON}|XBT:{LISTED_BECH32},test\n"
        ),
    )
    .unwrap();
    let load = |path: &Path| {
        lists::load(&ListSpec::new(SourceKind::Watchlist, path)).unwrap_or_else(|e| panic!("{e}"))
    };
    let lists = vec![
        load(&repo().join("sanctions/sample_watchlist.csv")),
        load(&extra),
    ];
    let rules = RuleSet::load(&repo().join("rules")).unwrap_or_else(|e| panic!("{e:?}"));
    Screener::new(Engine::builder(rules).lists(lists).build())
        .with_screening(screening)
        .with_clock(now)
}

fn screener() -> Screener {
    screener_with(ScreeningConfig::default())
}

/// A transfer of 100 at 2026-11-21T10:00:00Z with `extra` fields.
fn tx(id: &str, extra: Value) -> Transaction {
    let mut t = json!({
        "id": id, "timestamp": "2026-11-21T10:00:00Z", "customer_id": "c-1",
        "direction": "outgoing", "amount": "100", "currency": "USDT", "value": "100"
    });
    for (k, v) in extra.as_object().unwrap() {
        t[k] = v.clone();
    }
    Transaction::from_json(&t.to_string()).unwrap_or_else(|e| panic!("{e}"))
}

fn wallet(chain: &str, address: &str) -> Value {
    json!({"beneficiary": {"wallet": {"chain": chain, "address": address}}})
}

fn screen(s: &Screener, t: &Transaction) -> Decision {
    s.evaluate(t).unwrap_or_else(|e| panic!("{}: {e}", t.id))
}

fn kinds(d: &Decision) -> Vec<FindingKind> {
    d.reasons.iter().map(|f| f.kind).collect()
}

#[test]
fn wallets_written_another_way_are_still_matched() {
    let s = screener();
    let no_0x = &LAZARUS_ETH[2..];
    let cases = [
        ("eth-without-0x", wallet("ETH", no_0x)),
        (
            "eth-uri",
            wallet("ETH", &format!("ethereum:{LAZARUS_ETH}@1?value=1e18")),
        ),
        (
            "eth-zero-width",
            wallet("ETH", "0x098B716B8Aaf2151\u{200B}2996dC57EB0615e2383E2f96"),
        ),
        (
            "eth-spaces",
            wallet("ETH", "0x098B 716B 8Aaf21512996dC57EB0615e2383E2f96"),
        ),
        ("tron-hex", wallet("TRX", LISTED_TRON_HEX)),
        ("tron-hex-usdt", wallet("USDT-TRC20", LISTED_TRON_HEX)),
        (
            "bech32-upper",
            wallet("BTC", &LISTED_BECH32.to_ascii_uppercase()),
        ),
        (
            "bech32-mixed",
            wallet("BTC", "bc1qAR0SRRR7xfkvy5l643lydnw9re59gtzzwf5mdq"),
        ),
        ("btc-bom", wallet("BTC", &format!("\u{FEFF}{YAN_BTC}"))),
    ];
    for (id, extra) in cases {
        let d = screen(&s, &tx(id, extra));
        assert_eq!(d.action, Action::Block, "{id}: {d:?}");
        assert!(
            kinds(&d).contains(&FindingKind::SanctionsAddress),
            "{id}: {d:?}"
        );
        assert!(!kinds(&d).contains(&FindingKind::Unreadable), "{id}: {d:?}");
    }
}

#[test]
fn a_platform_address_in_a_payment_uri_is_frozen() {
    let s = screener();
    let uri = format!("bitcoin:{GARANTEX_BTC}?amount=1");
    let d = screen(&s, &tx("garantex-uri", wallet("BTC", &uri)));
    assert_eq!(d.action, Action::Block, "{d:?}");
    let platform = d
        .reasons
        .iter()
        .find(|f| f.kind == FindingKind::Platform)
        .unwrap_or_else(|| panic!("{d:?}"));
    assert_eq!(
        platform
            .matched
            .as_ref()
            .and_then(|m| m.platform.as_deref()),
        Some("garantex")
    );
}

#[test]
fn listed_addresses_written_in_the_memo_or_account_are_matched() {
    let s = screener();
    let d = screen(
        &s,
        &tx(
            "memo",
            json!({"memo": format!("withdrawal, send to {YAN_BTC} asap")}),
        ),
    );
    assert_eq!(d.action, Action::Block, "{d:?}");
    let f = &d.reasons[0];
    assert_eq!(f.kind, FindingKind::SanctionsAddress, "{d:?}");
    assert!(f.message.contains("in the memo"), "{}", f.message);
    assert_eq!(f.party, None);

    // a payment URI with a zero-width space, in the memo
    let d = screen(
        &s,
        &tx(
            "memo-uri",
            json!({"memo": "ref ethereum:0x098B716B8Aaf2151\u{200B}2996dC57EB0615e2383E2f96?value=1"}),
        ),
    );
    assert_eq!(d.action, Action::Block, "{d:?}");

    // a platform's address in the memo freezes like its name there
    let d = screen(
        &s,
        &tx(
            "memo-platform",
            json!({"memo": format!("bitcoin:{GARANTEX_BTC}")}),
        ),
    );
    assert_eq!(d.action, Action::Block, "{d:?}");
    assert!(kinds(&d).contains(&FindingKind::Platform), "{d:?}");

    let d = screen(
        &s,
        &tx(
            "account",
            json!({"beneficiary": {"name": "Ivan Petrenko", "account": LAZARUS_ETH}}),
        ),
    );
    assert_eq!(d.action, Action::Block, "{d:?}");
    assert!(
        d.reasons
            .iter()
            .any(|f| f.message.contains("beneficiary account")),
        "{d:?}"
    );
}

#[test]
fn ordinary_memos_and_clean_wallets_still_pass() {
    let s = screener();
    for (id, extra) in [
        (
            "memo-rent",
            json!({"memo": "rent for November, flat 12, invoice 2026-11-0042"}),
        ),
        (
            "memo-long-words",
            json!({"memo": "Rechtsschutzversicherungsgesellschaften Donaudampfschifffahrtsgesellschaft"}),
        ),
        (
            "memo-iban",
            json!({"memo": "IBAN UA213223130000026007233566001"}),
        ),
        (
            "clean-eth",
            wallet("ETH", "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"),
        ),
        (
            "clean-tron",
            wallet("TRX", "TLG6ciBUBh4z1nWE3FtCvdRAdX4yviWfeb"),
        ),
        (
            "clean-account",
            json!({"beneficiary": {"account": "UA213223130000026007233566001"}}),
        ),
    ] {
        let d = screen(&s, &tx(id, extra));
        assert!(
            !kinds(&d).contains(&FindingKind::SanctionsAddress),
            "{id}: {d:?}"
        );
        assert_eq!(d.action, Action::Allow, "{id}: {d:?}");
    }
}

#[test]
fn a_wallet_still_invalid_for_its_chain_is_held_with_a_reason() {
    let s = screener();
    for (id, chain, address, because) in [
        // one character changed in Garantex's address
        (
            "btc-typo",
            "BTC",
            "3Lpoy53K625zVeE47ZasiG5jGkAxJ27kh2",
            "checksum",
        ),
        ("eth-short", "ETH", "0x098B716B8Aaf21512996", "40 hex"),
        ("btc-junk", "BTC", "not an address!", "characters"),
        (
            "tron-as-btc",
            "BTC",
            "TLG6ciBUBh4z1nWE3FtCvdRAdX4yviWfeb",
            "version byte",
        ),
        (
            "bech32-typo",
            "BTC",
            "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdp",
            "checksum",
        ),
    ] {
        let d = screen(&s, &tx(id, wallet(chain, address)));
        assert_eq!(d.action, Action::Hold, "{id}: {d:?}");
        let f = d
            .reasons
            .iter()
            .find(|f| f.kind == FindingKind::Unreadable)
            .unwrap_or_else(|| panic!("{id}: {d:?}"));
        assert_eq!(f.rule_id, amlscreen::UNREADABLE_RULE_ID);
        assert!(
            f.message.contains(because) && f.message.contains("beneficiary wallet"),
            "{id}: {}",
            f.message
        );
    }
    // a listed address given for the wrong chain is still listed: frozen,
    // and the reviewer also reads why the chain does not fit
    let d = screen(&s, &tx("listed-tron-as-btc", wallet("BTC", LISTED_TRON)));
    assert_eq!(d.action, Action::Block, "{d:?}");
    assert_eq!(
        kinds(&d),
        [FindingKind::SanctionsAddress, FindingKind::Unreadable]
    );
}

fn fired(d: &Decision) -> Vec<&str> {
    d.reasons.iter().map(|f| f.rule_id.as_str()).collect()
}

#[test]
fn countries_as_alpha3_codes_and_names_trigger_the_jurisdiction_rules() {
    let s = screener();
    for country in [
        "IR",
        "IRN",
        "irn",
        "Iran",
        "Іран",
        "Иран",
        "Iran, Islamic Republic of",
        "KP",
        "PRK",
        "North Korea",
        "Північна Корея",
        "КНДР",
    ] {
        let d = screen(
            &s,
            &tx(
                &format!("country-{country}"),
                json!({"beneficiary": {"name": "A. Karimi", "country": country}}),
            ),
        );
        assert_eq!(d.action, Action::Hold, "{country}: {d:?}");
        assert!(
            fired(&d).contains(&"jurisdiction-fatf-call-for-action")
                && fired(&d).contains(&"jurisdiction-sanctioned-territory"),
            "{country}: {d:?}"
        );
    }
    // the channel's country is read the same way
    let d = screen(
        &s,
        &tx("channel-prk", json!({"channel": {"country": "PRK"}})),
    );
    assert!(
        fired(&d).contains(&"jurisdiction-fatf-call-for-action"),
        "{d:?}"
    );
    // region codes and names stay as they were
    for region in ["UA-43", "Crimea", "Крим", "DN"] {
        let d = screen(
            &s,
            &tx(
                &format!("region-{region}"),
                json!({"originator": {"country": region}}),
            ),
        );
        assert!(
            fired(&d).contains(&"jurisdiction-sanctioned-territory"),
            "{region}: {d:?}"
        );
    }
    // Ukraine itself, in any of its spellings, is not listed
    for ua in ["UA", "UKR", "Україна", "Украина", "Ukraine"] {
        let d = screen(
            &s,
            &tx(&format!("ua-{ua}"), json!({"beneficiary": {"country": ua}})),
        );
        assert_eq!(d.action, Action::Allow, "{ua}: {d:?}");
    }
}

#[test]
fn a_country_that_reads_as_none_is_an_error_naming_the_field() {
    let s = screener();
    for (extra, field) in [
        (
            json!({"beneficiary": {"country": "XX"}}),
            "beneficiary.country",
        ),
        (
            json!({"originator": {"country": "Atlantis"}}),
            "originator.country",
        ),
        (
            json!({"intermediaries": [{"country": "ZZZ"}]}),
            "intermediaries[0].country",
        ),
        (
            json!({"channel": {"country": "Persia!"}}),
            "channel.country",
        ),
        (
            json!({"beneficiary": {"country": "XX-43"}}),
            "beneficiary.country",
        ),
    ] {
        let t = tx("bad-country", extra);
        let e = s.evaluate(&t).unwrap_err().to_string();
        assert!(
            e.contains(&format!("field '{field}'")) && e.contains("is not a country"),
            "{field}: {e}"
        );
    }
    // nothing was recorded for the refused transactions
    assert_eq!(s.state().total_entries(), 0);
}

#[test]
fn rule_files_read_countries_the_same_way_and_refuse_unknown_ones() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("j.yaml"),
        "rules:\n  - id: j\n    kind: jurisdiction\n    description: d\n    countries: [RUS, Iran, XX]\n    level: high\n",
    )
    .unwrap();
    let errors = RuleSet::load(dir.path()).unwrap_err();
    let messages: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
    assert_eq!(messages.len(), 1, "{messages:?}");
    assert!(
        messages[0].contains("j.yaml:5:28:") && messages[0].contains("'XX' is not a country"),
        "{messages:?}"
    );
    // through the binary too
    let out = common::amlscreen(&["rules", "check", dir.path().to_str().unwrap()], b"");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("j.yaml:5:28: 'countries': 'XX'"),
        "{stdout}"
    );

    // RUS and Iran read as RU and IR, as in transactions
    std::fs::write(
        dir.path().join("j.yaml"),
        "rules:\n  - id: j\n    kind: jurisdiction\n    description: d\n    countries: [RUS, Iran]\n    level: high\n",
    )
    .unwrap();
    let set = RuleSet::load(dir.path()).unwrap_or_else(|e| panic!("{e:?}"));
    let s = Screener::new(Engine::builder(set).build()).with_clock(now);
    for (country, fires) in [
        ("RU", true),
        ("Россия", true),
        ("IR", true),
        ("IRN", true),
        ("UA", false),
    ] {
        let d = screen(
            &s,
            &tx(country, json!({"beneficiary": {"country": country}})),
        );
        assert_eq!(fired(&d).contains(&"j"), fires, "{country}: {d:?}");
    }

    // a country list file: the bad line is named
    std::fs::write(dir.path().join("c.txt"), "# list\nIR\nXX  # typo\n").unwrap();
    std::fs::write(
        dir.path().join("j.yaml"),
        "rules:\n  - id: j\n    kind: jurisdiction\n    description: d\n    country_lists: [c.txt]\n    level: high\n",
    )
    .unwrap();
    let errors = RuleSet::load(dir.path()).unwrap_err();
    let messages: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
    assert!(
        messages.len() == 1 && messages[0].contains("c.txt:3:1: 'XX' is not a country"),
        "{messages:?}"
    );
}

/// Three transfers in the structuring band on 2026-11-22, hours apart.
fn structured(s: &Screener) -> Decision {
    let mut last = None;
    for (i, hour) in [8, 9, 10].into_iter().enumerate() {
        let mut t = tx(
            &format!("s-{i}"),
            json!({"value": "9500", "amount": "9500"}),
        );
        t.timestamp = Utc.with_ymd_and_hms(2026, 11, 22, hour, 0, 0).unwrap();
        last = Some(screen(s, &t));
    }
    last.unwrap()
}

#[test]
fn a_far_future_transfer_is_refused_and_structuring_still_fires() {
    let s = screener();
    let mut far = tx("far-future", json!({"value": "9500", "amount": "9500"}));
    far.timestamp = Utc.with_ymd_and_hms(9999, 12, 31, 0, 0, 0).unwrap();
    let e = s.evaluate(&far).unwrap_err().to_string();
    assert!(
        e.contains("field 'timestamp'") && e.contains("screening.max_future"),
        "{e}"
    );
    // never recorded: the same id with other content is not "reused"
    assert_eq!(s.state().total_entries(), 0);
    let d = structured(&s);
    assert!(fired(&d).contains(&"structuring-under-10k"), "{d:?}");

    // within a day ahead is clock skew, accepted
    let mut skewed = tx("skewed", json!({}));
    skewed.timestamp = now() + chrono::Duration::hours(20);
    assert!(s.evaluate(&skewed).is_ok());
}

#[test]
fn old_transfers_are_refused_live_and_accepted_when_back_testing() {
    let mut old = tx("old", json!({}));
    old.timestamp = now() - chrono::Duration::days(401);
    let e = screener().evaluate(&old).unwrap_err().to_string();
    assert!(
        e.contains("field 'timestamp'") && e.contains("screening.max_age"),
        "{e}"
    );
    assert!(screener_with(ScreeningConfig::backtest())
        .evaluate(&old)
        .is_ok());
    // back-testing still refuses the far future
    let mut far = tx("far", json!({}));
    far.timestamp = Utc.with_ymd_and_hms(9999, 12, 31, 0, 0, 0).unwrap();
    assert!(screener_with(ScreeningConfig::backtest())
        .evaluate(&far)
        .is_err());
}

#[test]
fn the_screen_command_writes_error_records_and_takes_the_bounds_flags() {
    let dir = tempfile::tempdir().unwrap();
    let config = common::default_config(dir.path(), "");
    let line = |id: &str, ts: &str, extra: Value| {
        let mut t = json!({
            "id": id, "timestamp": ts, "customer_id": "c-9", "direction": "outgoing",
            "amount": "9500", "currency": "USD", "value": "9500"
        });
        for (k, v) in extra.as_object().unwrap() {
            t[k] = v.clone();
        }
        format!("{t}\n")
    };
    let input = [
        line("far", "9999-12-31T00:00:00Z", json!({})),
        line("s1", "2026-11-22T08:00:00Z", json!({})),
        line(
            "bad-country",
            "2026-11-22T08:30:00Z",
            json!({"beneficiary": {"country": "XX"}}),
        ),
        line("s2", "2026-11-22T09:00:00Z", json!({})),
        line(
            "s3",
            "2026-11-22T10:00:00Z",
            json!({"beneficiary": {"country": "Іран"}}),
        ),
        line("old", "2024-01-01T00:00:00Z", json!({})),
    ]
    .concat();
    let run = |extra: &[&str]| {
        let mut args = vec![
            "--config",
            config.to_str().unwrap(),
            "screen",
            "--now",
            "2026-11-22T12:00:00Z",
        ];
        args.extend_from_slice(extra);
        let out = common::amlscreen(&args, input.as_bytes());
        let lines: Vec<Value> = String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        (out.status.code(), lines)
    };
    let (code, lines) = run(&[]);
    assert_eq!(code, Some(1));
    assert_eq!(lines.len(), 6);
    assert_eq!(lines[0]["line"], 1);
    assert_eq!(lines[0]["transaction_id"], "far");
    let error = lines[0]["error"].as_str().unwrap();
    assert!(error.contains("field 'timestamp'"), "{error}");
    let error = lines[2]["error"].as_str().unwrap();
    assert!(error.contains("field 'beneficiary.country'"), "{error}");
    let reasons: Vec<&str> = lines[4]["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["rule_id"].as_str())
        .collect();
    assert!(
        reasons.contains(&"structuring-under-10k")
            && reasons.contains(&"jurisdiction-fatf-call-for-action"),
        "{}",
        lines[4]
    );
    assert!(lines[5]["error"].as_str().unwrap().contains("max_age"));

    // back-testing accepts the old line, not the far one
    let (_, lines) = run(&["--backtest"]);
    assert!(lines[5]["action"].is_string(), "{}", lines[5]);
    assert!(lines[0]["error"].is_string(), "{}", lines[0]);
    let (_, lines) = run(&["--max-age", "1100d"]);
    assert!(lines[5]["action"].is_string(), "{}", lines[5]);
    for bad in [["--max-age", "forever"], ["--max-future", "1 day"]] {
        let (code, _) = run(&bad);
        assert_eq!(code, Some(2), "{bad:?}");
    }
}
