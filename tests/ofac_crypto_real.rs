//! OFAC's digital-currency-address extract (issue 17): the real 2026-08
//! file loads whole, and its lower-cased base58 addresses still find the
//! wallets OFAC lists, written in their real case (taken from the 2024-09
//! per-ticker files, which kept it).

use crate::common::{repo, shared_data};
use amlscreen::lists::{self, ListSpec, SourceKind};
use amlscreen::{Action, Engine, RuleSet, Screener};

#[test]
#[ignore = "reads ../shared/data"]
fn the_extract_loads_whole_and_its_folded_addresses_match_wallets_in_their_real_case() {
    let spec = ListSpec::new(
        SourceKind::OfacCryptoJson,
        shared_data("lists/ofac/crypto_2026-08/sanctioned-addresses.json"),
    );
    let list = lists::load(&spec).unwrap();
    assert!(list.skipped.is_empty(), "{:?}", list.skipped);
    assert_eq!(list.version.version.as_deref(), Some("2026-08-20"));
    assert_eq!(list.entities.len(), 94);
    let addresses: usize = list.entities.iter().map(|e| e.addresses.len()).sum();
    // 961 addresses in 977 entries, which name 963 distinct (entry, address)
    // pairs: some addresses belong to two SDN entries, some entries repeat
    assert_eq!(addresses, 963);
    let folded = list
        .entities
        .iter()
        .flat_map(|e| &e.addresses)
        .filter(|a| a.case_folded)
        .count();
    assert!(
        folded > 300,
        "legacy BTC and TRON addresses are folded: {folded}"
    );
    // the same addresses in their real case, from the older extract
    let mut real_case: Vec<(String, String)> = Vec::new();
    let dir = shared_data("lists/ofac/crypto_2024-09");
    for file in std::fs::read_dir(&dir).unwrap() {
        let path = file.unwrap().path();
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        let Some(ticker) = name.strip_prefix("sanctioned_addresses_") else {
            continue;
        };
        if !["XBT", "TRX", "LTC"].contains(&ticker) {
            continue;
        }
        for line in std::fs::read_to_string(&path).unwrap().lines() {
            let a = line.trim();
            // base58 only: bech32 and 0x are case-insensitive anyway
            if !a.is_empty()
                && !a.starts_with("bc1")
                && !a.starts_with("ltc1")
                && a != a.to_lowercase()
            {
                real_case.push((ticker.to_owned(), a.to_owned()));
            }
        }
    }
    let listed: std::collections::HashSet<String> = list
        .entities
        .iter()
        .flat_map(|e| &e.addresses)
        .map(|a| a.address.clone())
        .collect();
    let both: Vec<&(String, String)> = real_case
        .iter()
        .filter(|(_, a)| listed.contains(&a.to_lowercase()))
        .collect();
    assert!(
        both.len() >= 100,
        "addresses in both extracts: {}",
        both.len()
    );
    let engine = Engine::builder(RuleSet::load(&repo().join("rules")).unwrap())
        .lists(vec![list])
        .build();
    let screener = Screener::new(engine);
    let now = chrono::Utc::now().to_rfc3339();
    for (i, (ticker, address)) in both.iter().enumerate() {
        let tx = amlscreen::Transaction::from_json(&format!(
            r#"{{"id":"t{i}","timestamp":"{now}","customer_id":"c{i}","direction":"outgoing",
               "amount":"10","currency":"USDT","value":"10",
               "beneficiary":{{"name":"Jan Kowalski","wallet":{{"chain":"{ticker}","address":"{address}"}}}}}}"#
        ))
        .unwrap();
        let d = screener.screen(&tx).unwrap();
        assert_eq!(
            d.action,
            Action::Block,
            "{ticker} {address}: {:?}",
            d.reasons
        );
        assert!(
            d.reasons
                .iter()
                .any(|r| r.message.contains("matched without regard to case")),
            "{:?}",
            d.reasons
        );
    }
}
