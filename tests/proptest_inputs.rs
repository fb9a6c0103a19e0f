//! Property tests: arbitrary input never panics the transaction parser and
//! screen path, audit verification, address normalisation or the platform
//! text matcher; and what they compute has the properties it must.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use proptest::prelude::*;

use amlscreen::audit::{verify_reader, AuditKey, AuditLog, AuditOptions, ChainKey, Verification};
use amlscreen::lists::{self, ListSpec, SourceKind};
use amlscreen::rules::RuleSet;
use amlscreen::PlatformRegistry;
use amlscreen::{Screener, Transaction};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn screener() -> &'static Screener {
    static SCREENER: OnceLock<Screener> = OnceLock::new();
    SCREENER.get_or_init(|| {
        let list = lists::load(&ListSpec::new(
            SourceKind::Watchlist,
            repo().join("sanctions/sample_watchlist.csv"),
        ))
        .unwrap();
        let rules = RuleSet::load(&repo().join("rules")).unwrap();
        Screener::new(amlscreen::Engine::builder(rules).lists(vec![list]).build())
    })
}

fn platforms() -> &'static PlatformRegistry {
    static ENGINE: OnceLock<std::sync::Arc<amlscreen::Engine>> = OnceLock::new();
    ENGINE.get_or_init(|| screener().engine()).platforms()
}

/// What `amlscreen screen` does with one line, minus the output.
fn screen_line(line: &[u8]) -> Result<(), String> {
    let text = std::str::from_utf8(line).map_err(|e| e.to_string())?;
    let tx = Transaction::from_json(text).map_err(|e| e.to_string())?;
    screener().screen(&tx).map_err(|e| e.to_string())?;
    Ok(())
}

fn party_json(
    name: &str,
    vasp: &str,
    domain: &str,
    chain: &str,
    address: &str,
) -> serde_json::Value {
    serde_json::json!({"name": name, "vasp": vasp, "domain": domain,
        "wallet": {"chain": chain, "address": address}})
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, .. ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic_the_screen_path(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = screen_line(&bytes);
    }

    #[test]
    fn json_shaped_noise_never_panics_the_screen_path(
        s in r#"[\{\}\[\]":,0-9a-z\\ .-]{0,200}"#
    ) {
        let _ = screen_line(s.as_bytes());
    }

    #[test]
    fn transactions_with_arbitrary_text_screen_or_fail_cleanly(
        name in any::<String>(), vasp in any::<String>(), domain in any::<String>(),
        chain in "[A-Za-z0-9-]{0,12}", address in any::<String>(), memo in any::<String>(),
        amount in "-?[0-9]{1,20}(\\.[0-9]{0,10})?",
    ) {
        let tx = serde_json::json!({
            "id": "p", "timestamp": "2026-11-21T10:15:00Z", "customer_id": "c",
            "direction": "incoming", "amount": amount, "currency": "BTC", "value": "1",
            "originator": party_json(&name, &vasp, &domain, &chain, &address),
            "intermediaries": [party_json(&memo, &name, &vasp, &chain, &domain)],
            "memo": memo,
        });
        let line = serde_json::to_vec(&tx).unwrap();
        let result = screen_line(&line);
        let parsed: rust_decimal::Decimal = amount.parse().unwrap();
        if parsed.is_sign_negative() && !parsed.is_zero() {
            prop_assert!(result.as_ref().is_err_and(|e| e.contains("amount")), "{result:?}");
        }
    }

    #[test]
    fn audit_verify_never_panics_on_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let _ = verify_reader(&bytes[..], Path::new("fuzz.jsonl"), Some(audit_key()));
    }

    #[test]
    fn any_single_byte_change_to_a_chain_is_detected(records in 1usize..6, pick in any::<prop::sample::Index>(), new_byte in any::<u8>()) {
        let chain = audit_chain(records);
        let i = pick.index(chain.len());
        prop_assume!(chain[i] != new_byte);
        let mut edited = chain.clone();
        edited[i] = new_byte;
        let result = verify_reader(&edited[..], Path::new("a.jsonl"), Some(audit_key())).unwrap();
        prop_assert!(matches!(result, Verification::Broken { .. }), "byte {i} -> {new_byte}: {result:?}");
    }

    #[test]
    fn address_normalisation_never_panics_and_is_idempotent(chain in "[A-Za-z0-9-]{0,12}", address in any::<String>()) {
        if let Ok(a) = amlscreen::normalize_address(&chain, &address) {
            let again = amlscreen::normalize_address(&a.chain, &a.address).unwrap();
            prop_assert_eq!(again, a);
        }
    }

    #[test]
    fn evm_addresses_normalise_case_insensitively(hex in "[0-9a-fA-F]{40}", chain in prop::sample::select(vec!["ETH", "eth", "BSC", "erc20", "USDT-ERC20"])) {
        let mixed = amlscreen::normalize_address(chain, &format!("0x{hex}")).unwrap();
        let lower = amlscreen::normalize_address(chain, &format!("0x{}", hex.to_ascii_lowercase())).unwrap();
        let upper = amlscreen::normalize_address(chain, &format!("0X{}", hex.to_ascii_uppercase())).unwrap();
        prop_assert_eq!(&mixed, &lower);
        prop_assert_eq!(&mixed, &upper);
    }

    #[test]
    fn platform_text_matcher_never_panics(text in any::<String>()) {
        let _ = platforms().match_text(&text);
    }

    #[test]
    fn a_platform_name_as_a_whole_word_always_matches(
        before in "[a-z0-9 ,.!?]{0,30}", after in "[a-z0-9 ,.!?]{0,30}",
        spelling in prop::sample::select(vec!["Garantex", "GARANTEX", "garantex", "Garantex."]),
    ) {
        let text = format!("{before} {spelling} {after}");
        let hits = platforms().match_text(&text);
        let ids: Vec<&str> = hits.iter().map(|(p, _)| platforms().platforms()[*p].id.as_str()).collect();
        prop_assert!(ids.contains(&"garantex"), "{text:?} -> {ids:?}");
    }

    #[test]
    fn a_platform_name_inside_a_longer_word_is_at_most_suspicion(
        prefix in "[qzwv]{0,4}", suffix in "[qzwv]{0,4}",
    ) {
        // glued to other letters it may be "GarantexPay": held, never
        // certain; glued on both sides to letters that are no brand affix,
        // it is some other word
        prop_assume!(!(prefix.is_empty() && suffix.is_empty()));
        let text = format!("pay {prefix}garantex{suffix} today");
        let hits = platforms().find_in_text(&text);
        for h in &hits {
            prop_assert!(!h.spelling.is_certain(), "{text:?} -> {h:?}");
        }
        if !prefix.is_empty() && !suffix.is_empty() {
            prop_assert!(hits.is_empty(), "{text:?} -> {hits:?}");
        }
    }
}

/// The key every [`audit_chain`] is sealed with.
fn audit_key() -> &'static AuditKey {
    static KEY: OnceLock<AuditKey> = OnceLock::new();
    KEY.get_or_init(|| AuditKey::from_bytes(&[0x5a; 32]).unwrap())
}

/// A valid audit chain of `n` records, as bytes.
fn audit_chain(n: usize) -> Vec<u8> {
    static CHAINS: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    let chains = CHAINS.get_or_init(|| {
        (0..6)
            .map(|n| {
                let dir = tempfile::tempdir().unwrap();
                let path = dir.path().join("a.jsonl");
                let options = AuditOptions {
                    chain_key: ChainKey::Given(audit_key().clone()),
                    ..AuditOptions::default()
                };
                let mut log = AuditLog::open_with(&path, options).unwrap();
                let tx: Transaction = serde_json::from_str(
                    r#"{"id":"t","timestamp":"2026-11-21T10:15:00Z","customer_id":"c","direction":"outgoing",
                    "amount":"1","currency":"EUR","value":"1","beneficiary":{"vasp":"Garantex"}}"#,
                )
                .unwrap();
                let decision = screener().evaluate(&tx).unwrap();
                for _ in 0..n {
                    log.append_for(&decision, screener().engine().provenance(), Some("c"), chrono::Utc::now())
                        .unwrap();
                }
                drop(log);
                std::fs::read(&path).unwrap()
            })
            .collect()
    });
    chains[n].clone()
}
