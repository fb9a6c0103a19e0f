//! Screening over the real lists: a beneficiary named exactly as an OFAC,
//! EU, UN and NSDC-shaped entry is blocked with that entry's id, and a
//! payment to a real OFAC-listed wallet is blocked — on EVM whatever its
//! case, on a base58 chain only in its listed case.

use std::path::PathBuf;

use amlscreen::lists::{self, ListSpec, SourceKind};
use amlscreen::rules::RuleSet;
use amlscreen::{Action, Decision, FindingKind, Screener, Transaction};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn screener() -> Screener {
    let lists = [
        (SourceKind::OfacSdnCsv, "ofac/sdn_csv/sdn.csv"),
        (SourceKind::EuFsfXml, "eu/eu_fsf_converted.xml"),
        (SourceKind::UnXml, "un/consolidated.xml"),
        (SourceKind::NsdcJson, "ua_nsdc/nsdc_subjects_converted.json"),
    ]
    .into_iter()
    .map(|(source, rel)| {
        let path = root().join("../shared/data/lists").join(rel);
        assert!(path.is_file(), "missing real-data file {}", path.display());
        lists::load(&ListSpec::new(source, path)).unwrap_or_else(|e| panic!("{e}"))
    })
    .collect();
    let rules = RuleSet::load(&root().join("rules")).unwrap_or_else(|e| panic!("{e:?}"));
    Screener::new(amlscreen::Engine::builder(rules).lists(lists).build())
}

fn tx(id: &str, beneficiary: serde_json::Value) -> Transaction {
    serde_json::from_value(serde_json::json!({
        "id": id, "timestamp": "2026-11-21T10:15:00Z", "customer_id": "c-1",
        "direction": "outgoing", "amount": "10", "currency": "EUR", "value": "10",
        "beneficiary": beneficiary
    }))
    .unwrap()
}

/// The entities the findings of `kind` name, with every other list's entry
/// for the same subject (`also_listed`).
fn hits(d: &Decision, kind: FindingKind) -> Vec<String> {
    d.reasons
        .iter()
        .filter(|f| f.kind == kind)
        .filter_map(|f| f.matched.as_ref())
        .flat_map(|m| m.entity_id.iter().chain(&m.also_listed).cloned())
        .collect()
}

#[test]
#[ignore = "reads ../shared/data"]
fn exact_names_hold_and_block_when_corroborated_and_listed_wallets_block() {
    let s = screener();
    let engine = s.engine();
    let eu_lavrov: Vec<&str> = engine
        .entities()
        .iter()
        .filter(|e| e.list == "eu" && e.name == "Sergey Viktorovich LAVROV")
        .map(|e| e.id.as_str())
        .collect();
    assert!(!eu_lavrov.is_empty());
    for (name, kind, expect) in [
        ("GARANTEX EUROPE OU", "organization", vec!["ofac:36025"]),
        ("Sergey Viktorovich LAVROV", "person", eu_lavrov),
        (
            "SIRAJUDDIN JALLALOUDINE HAQQANI",
            "person",
            vec!["un:TAi.144"],
        ),
        (
            "Уладзімір Уладзіміравіч НАВУМАЎ",
            "person",
            vec!["nsdc:700000"],
        ),
    ] {
        // a name alone, however exact, suspends
        let d = s
            .evaluate(&tx(
                &format!("name-{name}"),
                serde_json::json!({"name": name, "kind": kind}),
            ))
            .unwrap();
        assert_eq!(d.action, Action::Hold, "{name}: {:?}", d.reasons);
        let ids = hits(&d, FindingKind::SanctionsName);
        assert!(
            ids.iter().any(|id| expect.contains(&id.as_str())),
            "{name}: {ids:?}"
        );
        // with what the list gives to corroborate it, it freezes
        let entity = engine
            .entities()
            .iter()
            .find(|e| e.id == expect[0])
            .unwrap_or_else(|| panic!("{} not loaded", expect[0]));
        let mut party = serde_json::json!({"name": name, "kind": kind});
        if kind == "person" {
            // a range of years holds the party's year but corroborates
            // nothing: such an entry is checked by name only
            let Some(date) = entity.birth_dates.iter().find_map(|b| match b {
                amlscreen::lists::BirthDate::Date { date } => Some(date.to_string()),
                amlscreen::lists::BirthDate::Year { year }
                | amlscreen::lists::BirthDate::Circa { year } => Some(year.to_string()),
                _ => None,
            }) else {
                eprintln!(
                    "{}: {:?}: no date to corroborate",
                    entity.id, entity.birth_dates
                );
                continue;
            };
            party["birth_date"] = serde_json::json!(date);
        } else {
            let country = entity
                .countries
                .first()
                .unwrap_or_else(|| panic!("{}: no country listed", entity.id));
            party["country"] = serde_json::json!(country);
        }
        let d = s
            .evaluate(&tx(&format!("corroborated-{name}"), party))
            .unwrap();
        assert_eq!(
            d.action,
            Action::Block,
            "{name} corroborated: {:?}",
            d.reasons
        );
    }

    // GARANTEX's ETH address as OFAC prints it, then lower-cased, on Ethereum and BSC
    for (chain, address) in [
        ("ETH", "0x7FF9cFad3877F21d41Da833E2F775dB0569eE3D9"),
        ("ETH", "0x7ff9cfad3877f21d41da833e2f775db0569ee3d9"),
        ("BSC", "0x7FF9CFAD3877F21D41DA833E2F775DB0569EE3D9"),
    ] {
        let d = s
            .evaluate(&tx(
                &format!("wallet-{chain}-{address}"),
                serde_json::json!({"wallet": {"chain": chain, "address": address}}),
            ))
            .unwrap();
        assert_eq!(d.action, Action::Block, "{chain} {address}");
        assert!(hits(&d, FindingKind::SanctionsAddress).contains(&"ofac:36025".to_owned()));
    }
    // a base58 Bitcoin address of ent_num 42496: blocked as listed, not with its case changed
    let listed = "18yWCu6agTxYqAerMxiz9sgHrK3ViezzGa";
    let d = s
        .evaluate(&tx(
            "b",
            serde_json::json!({"wallet": {"chain": "BTC", "address": listed}}),
        ))
        .unwrap();
    assert_eq!(d.action, Action::Block);
    assert_eq!(hits(&d, FindingKind::SanctionsAddress), ["ofac:42496"]);
    let swapped: String = listed
        .chars()
        .map(|c| {
            if c.is_ascii_uppercase() {
                c.to_ascii_lowercase()
            } else {
                c.to_ascii_uppercase()
            }
        })
        .collect();
    let d = s
        .evaluate(&tx(
            "c",
            serde_json::json!({"wallet": {"chain": "BTC", "address": swapped}}),
        ))
        .unwrap();
    assert!(hits(&d, FindingKind::SanctionsAddress).is_empty());
    assert_ne!(d.action, Action::Block, "{:?}", d.reasons);
}
