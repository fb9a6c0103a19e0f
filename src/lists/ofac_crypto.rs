//! OFAC's digital-currency-address extract, JSON: `source: ofac_crypto_json`.
//!
//! `{"metadata": {"sdnListDate": "08/20/2026", "totalAddresses": 961, …},
//! "addresses": {"<address>": {"type": "Digital Currency Address - XBT",
//! "entries": [{"entity", "program", "uid", "akas"}]}}}`: every address
//! the SDN list prints, with the SDN entries it belongs to. Each SDN entry
//! (`uid`) becomes one entity `ofac-crypto:<uid>` (list `ofac`), named as
//! the extract names it, with its aliases, programmes and addresses.
//!
//! The extract lower-cases every address. That is harmless for EVM
//! (`0x…`) and bech32 (`bc1…`) addresses, which are case-insensitive, but
//! base58 addresses (legacy Bitcoin, TRON, Litecoin, Monero, …) carry
//! information in their case: lower-cased they are no valid address. Those
//! are kept lower-case and marked [`crate::CryptoAddress::case_folded`]:
//! they match a wallet written in any case, and the reason says the match
//! ignored case because the source forced it. Addresses of the other
//! sources keep their case rules.
//!
//! The count of addresses the metadata states must be the count read: a
//! file cut short is refused, not used in part.

use std::collections::BTreeMap;

use serde_json::Value;

use super::{
    read_file, Alias, AliasStrength, Entity, EntityKind, ListError, ListSpec, LoadedList,
    SkippedRecord,
};
use crate::addresses::{address_form, normalize, AddressForm};

/// Loads the extract.
pub fn load(spec: &ListSpec) -> Result<LoadedList, ListError> {
    let bytes = read_file(&spec.path)?;
    let sha256 = crate::util::sha256_hex(&bytes);
    let (version, entities, skipped) = parse(&bytes, &spec.path)?;
    Ok(LoadedList::new(spec, version, sha256, entities, skipped))
}

/// Parses the extract: its SDN list date (ISO), entities, and the address
/// records that could not be read.
#[allow(clippy::type_complexity)]
pub fn parse(
    bytes: &[u8],
    path: &std::path::Path,
) -> Result<(Option<String>, Vec<Entity>, Vec<SkippedRecord>), ListError> {
    let root: Value = serde_json::from_slice(bytes).map_err(|e| {
        ListError::format(
            path,
            format!("line {} column {}", e.line(), e.column()),
            format!("not OFAC's digital-currency-address JSON: {e}"),
        )
    })?;
    let addresses = root
        .get("addresses")
        .and_then(Value::as_object)
        .ok_or_else(|| ListError::format(path, "addresses", "no 'addresses' object"))?;
    let metadata = root.get("metadata");
    if let Some(stated) = metadata.and_then(|m| m.get("totalAddresses")) {
        // a count that does not read cannot vouch for the file either
        let total = stated.as_u64().ok_or_else(|| {
            ListError::format(
                path,
                "metadata.totalAddresses",
                format!("{stated} is not a count of addresses: refused"),
            )
        })?;
        if total != addresses.len() as u64 {
            return Err(ListError::format(
                path,
                "metadata.totalAddresses",
                format!(
                    "the extract says {total} addresses but holds {}: cut short or edited, refused",
                    addresses.len()
                ),
            ));
        }
    }
    // MM/DD/YYYY → YYYY-MM-DD
    let version = metadata
        .and_then(|m| m.get("sdnListDate"))
        .and_then(Value::as_str)
        .map(|d| match d.split('/').collect::<Vec<_>>().as_slice() {
            [m, day, y] => format!("{y}-{m:0>2}-{day:0>2}"),
            _ => d.to_owned(),
        });
    let mut by_uid: BTreeMap<String, Entity> = BTreeMap::new();
    let mut skipped = Vec::new();
    for (address, record) in addresses {
        let bad = |reason: String| SkippedRecord {
            record: format!("address {address}"),
            reason,
        };
        let Some(ticker) = record
            .get("type")
            .and_then(Value::as_str)
            .and_then(|t| t.strip_prefix("Digital Currency Address - "))
        else {
            skipped.push(bad(
                "no 'type' of the form 'Digital Currency Address - TICKER'".into(),
            ));
            continue;
        };
        let mut normalized = match normalize(ticker, address) {
            Ok(a) => a,
            Err(e) => {
                skipped.push(bad(format!("not an address of {ticker}: {}", e.reason)));
                continue;
            }
        };
        // the extract lost the case of base58 addresses: match them without it
        if address_form(&normalized.address) == AddressForm::CaseSensitive {
            normalized.address = normalized.address.to_ascii_lowercase();
            normalized.case_folded = true;
        }
        let entries = record.get("entries").and_then(Value::as_array);
        let Some(entries) = entries.filter(|e| !e.is_empty()) else {
            skipped.push(bad("no 'entries': the address names no SDN entry".into()));
            continue;
        };
        for entry in entries {
            let text = |k: &str| {
                entry
                    .get(k)
                    .and_then(Value::as_str)
                    .map(str::trim)
                    .unwrap_or("")
            };
            let (uid, name) = (text("uid"), text("entity"));
            if uid.is_empty() || name.is_empty() {
                skipped.push(bad("an entry without 'uid' or 'entity'".into()));
                continue;
            }
            let e = by_uid.entry(uid.to_owned()).or_insert_with(|| {
                let mut e = Entity::new(
                    format!("ofac-crypto:{uid}"),
                    "ofac",
                    EntityKind::Unknown,
                    name,
                );
                e.aliases = entry
                    .get("akas")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                    .filter(|a| !a.trim().is_empty())
                    .map(|a| Alias {
                        name: a.trim().to_owned(),
                        strength: AliasStrength::Strong,
                    })
                    .collect();
                e.programs = text("program")
                    .split(',')
                    .map(str::trim)
                    .filter(|p| !p.is_empty())
                    .map(str::to_owned)
                    .collect();
                e
            });
            if !e.addresses.contains(&normalized) {
                e.addresses.push(normalized.clone());
            }
        }
    }
    Ok((version, by_uid.into_values().collect(), skipped))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_group_by_uid_and_base58_addresses_are_case_folded() {
        let text = r#"{"metadata":{"sdnListDate":"08/20/2026","totalAddresses":3},
          "addresses":{
            "tniq9axbp9ejuqhdhrwrfvaa8u3guqzh81":{"type":"Digital Currency Address - TRX","entries":[{"entity":"BANK MARKAZI","program":"IRAN, SDGT","uid":"4632","akas":["CENTRAL BANK OF IRAN"]}]},
            "0x7f367cc41522ce07553e823bf3be79a889debe1b":{"type":"Digital Currency Address - ETH","entries":[{"entity":"BANK MARKAZI","program":"IRAN, SDGT","uid":"4632","akas":[]}]},
            "bc1qsxdxgkpn3eeh7xn9hxjshzhvu2x2s5f0kuhzxj":{"type":"Digital Currency Address - XBT","entries":[{"entity":"SOMEONE","program":"CYBER2","uid":"9","akas":[]}]}}}"#;
        let (version, entities, skipped) =
            parse(text.as_bytes(), std::path::Path::new("x.json")).unwrap();
        assert!(skipped.is_empty(), "{skipped:?}");
        assert_eq!(version.as_deref(), Some("2026-08-20"));
        assert_eq!(entities.len(), 2);
        let bank = entities
            .iter()
            .find(|e| e.id == "ofac-crypto:4632")
            .unwrap();
        assert_eq!(bank.programs, ["IRAN", "SDGT"]);
        assert_eq!(bank.addresses.len(), 2);
        let trx = bank.addresses.iter().find(|a| a.chain == "TRX").unwrap();
        assert!(trx.case_folded);
        let eth = bank.addresses.iter().find(|a| a.chain == "ETH").unwrap();
        assert!(!eth.case_folded);
        let btc = &entities
            .iter()
            .find(|e| e.id == "ofac-crypto:9")
            .unwrap()
            .addresses[0];
        assert!(!btc.case_folded, "bech32 is case-insensitive anyway");
    }

    #[test]
    fn a_stated_count_that_does_not_read_is_refused() {
        let text = r#"{"metadata":{"totalAddresses":"961"},"addresses":{}}"#;
        let e = parse(text.as_bytes(), std::path::Path::new("x.json"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("is not a count of addresses"), "{e}");
    }

    #[test]
    fn a_file_holding_fewer_addresses_than_it_states_is_refused() {
        let text = r#"{"metadata":{"totalAddresses":2},"addresses":{"0x7f367cc41522ce07553e823bf3be79a889debe1b":{"type":"Digital Currency Address - ETH","entries":[{"entity":"X","uid":"1"}]}}}"#;
        let e = parse(text.as_bytes(), std::path::Path::new("x.json"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("says 2 addresses but holds 1"), "{e}");
    }
}
