//! The customer registry (issue 17): import with bad rows, the onboarding
//! screen, a list update re-screened from its delta only, a removed entry
//! annotating its case, PEP hits that hold and never block, `lists diff`.

use std::path::PathBuf;
use std::sync::Arc;

use serde_json::Value;

use crate::common::{amlscreen, repo};
use amlscreen::cases::{CaseStatus, CustomerStatus, Screening, SqliteStore};
use amlscreen::customers::Customer;
use amlscreen::lists::{self, ListSpec, SourceKind};
use amlscreen::{Action, Engine, PartyKind, RuleSet, Screener};

const HEADER: &str = "id,name,aliases,kind,birth_dates,countries,addresses,list,category\n";

/// A watchlist file of `rows` (after the header) in `dir`.
fn watchlist(dir: &std::path::Path, name: &str, rows: &[&str]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, format!("{HEADER}{}\n", rows.join("\n"))).unwrap();
    path
}

fn engine(path: &std::path::Path) -> Engine {
    let list = lists::load(&ListSpec::new(SourceKind::Watchlist, path)).unwrap();
    Engine::builder(RuleSet::load(&repo().join("rules")).unwrap())
        .lists(vec![list])
        .build()
}

fn person(id: &str, name: &str, born: &str) -> Customer {
    let mut c = Customer::new(id, PartyKind::Person, name);
    c.birth_date = Some(born.into());
    c.nationality = vec!["UA".into()];
    c
}

const BASE: &[&str] = &[
    "wl:1,\"KOVALCHUK, Taras Ivanovych\",,person,1961-04-12,RU,,internal,",
    "wl:2,\"ZARUBIN, Hennadii\",,person,1955-02-02,RU,,internal,",
    "wl:3,\"MORDVIN, Arkadii\",,person,1949,RU,,internal,",
];

/// A base of customers, one of them listed in `BASE`.
fn customers() -> Vec<Customer> {
    let mut out: Vec<Customer> = (0..200)
        .map(|i| {
            person(
                &format!("c-{i:03}"),
                &format!("Olena Shevchenko{i}"),
                "1990-01-01",
            )
        })
        .collect();
    out.push(person("c-kov", "Taras Kovalchuk", "1961-04-12"));
    // no birth date: the name alone, which holds
    let mut zar = person("c-zar", "Hennadii Zarubin", "1970-07-07");
    zar.birth_date = None;
    out.push(zar);
    out.push(person("c-pet", "Ivan Petrenko", "1980-02-01"));
    out
}

fn screener(dir: &std::path::Path, rows: &[&str]) -> Screener {
    let path = watchlist(dir, "wl.csv", rows);
    Screener::new(engine(&path))
        .with_store(Arc::new(SqliteStore::in_memory()))
        .unwrap()
}

#[test]
fn onboarding_hit_opens_a_case_and_a_second_import_of_the_same_profiles_opens_none() {
    let dir = tempfile::tempdir().unwrap();
    let s = screener(dir.path(), BASE);
    let report = s.import_customers(&customers()).unwrap();
    assert_eq!((report.added, report.screened), (203, 203));
    let ids: Vec<&str> = report
        .cases
        .iter()
        .map(|c| c.customer_id.as_str())
        .collect();
    assert_eq!(ids, ["c-kov", "c-zar"], "{report:?}");
    // name + date of birth freezes; the name alone (another birth date) holds
    let kov = report
        .cases
        .iter()
        .find(|c| c.customer_id == "c-kov")
        .unwrap();
    assert_eq!(kov.action, Action::Block);
    let zar = report
        .cases
        .iter()
        .find(|c| c.customer_id == "c-zar")
        .unwrap();
    assert_eq!(zar.action, Action::Hold);
    let case = s.case(kov.case).unwrap().unwrap();
    assert_eq!(case.transaction.screening, Screening::Onboarding);
    assert_eq!(case.entries[0].entity_id, "wl:1");
    assert_eq!(case.entries[0].role, "customer");
    assert!(case.decision.reasons[0]
        .message
        .starts_with("customer name 'Taras Kovalchuk'"));
    let again = s.import_customers(&customers()).unwrap();
    assert_eq!(
        (again.unchanged, again.screened, again.cases.len()),
        (203, 0, 0)
    );
    // a changed profile is screened again; a hit the store holds opens nothing
    let mut changed = customers();
    changed[200].names.push("Тарас Ковальчук".into());
    let third = s.import_customers(&changed).unwrap();
    assert_eq!(
        (third.changed, third.screened, third.cases.len()),
        (1, 1, 0)
    );
}

#[test]
fn a_list_update_adding_a_namesake_with_the_same_birth_date_opens_one_case_from_the_delta() {
    let dir = tempfile::tempdir().unwrap();
    let s = screener(dir.path(), BASE);
    s.import_customers(&customers()).unwrap();
    let mut rows = BASE.to_vec();
    rows.push("wl:9,\"PETRENKO, Ivan\",Іван Петренко,person,1980-02-01,RU,,internal,");
    let next = watchlist(dir.path(), "wl2.csv", &rows);
    s.reload_with(engine(&next)).unwrap();
    let r = s.rescreen_customers(false, &|_, _| {}).unwrap();
    assert_eq!(r.mode, "delta");
    assert_eq!(
        (r.entries_added, r.entries_changed, r.entries_removed),
        (1, 0, 0)
    );
    assert_eq!(r.entries_screened, 1);
    // only the candidates of the one new entry are screened, not 203
    assert!(
        (1..=3).contains(&r.customers_screened),
        "screened {} customers",
        r.customers_screened
    );
    assert_eq!(r.cases.len(), 1, "{r:?}");
    assert_eq!(r.cases[0].customer_id, "c-pet");
    assert_eq!(r.cases[0].action, Action::Block);
    let case = s.case(r.cases[0].case).unwrap().unwrap();
    assert_eq!(case.transaction.screening, Screening::ListChange);
    // a full re-screen afterwards finds nothing the store does not hold
    let full = s.rescreen_customers(true, &|_, _| {}).unwrap();
    assert_eq!((full.customers_screened, full.cases.len()), (203, 0));
    // and a delta with no change screens nobody
    let idle = s.rescreen_customers(false, &|_, _| {}).unwrap();
    assert_eq!((idle.entries_screened, idle.customers_screened), (0, 0));
}

#[test]
fn a_changed_entry_is_looked_at_again_and_a_removed_one_annotates_its_open_case() {
    let dir = tempfile::tempdir().unwrap();
    let s = screener(dir.path(), BASE);
    let report = s.import_customers(&customers()).unwrap();
    let zar_case = report
        .cases
        .iter()
        .find(|c| c.customer_id == "c-zar")
        .unwrap()
        .case;
    // wl:2 removed, wl:3 gains an alias a customer has
    let rows = [
        BASE[0],
        "wl:3,\"MORDVIN, Arkadii\",Olena Shevchenko7,person,1949|1990-01-01,RU,,internal,",
    ];
    let next = watchlist(dir.path(), "wl2.csv", &rows);
    s.reload_with(engine(&next)).unwrap();
    let r = s.rescreen_customers(false, &|_, _| {}).unwrap();
    assert_eq!((r.entries_changed, r.entries_removed), (1, 1), "{r:?}");
    assert_eq!(r.annotated, [zar_case]);
    let ids: Vec<&str> = r.cases.iter().map(|c| c.customer_id.as_str()).collect();
    assert_eq!(ids, ["c-007"], "{r:?}");
    let case = s.case(zar_case).unwrap().unwrap();
    assert_ne!(case.status, CaseStatus::Closed);
    let note = &case.actions.last().unwrap().note;
    assert!(note.contains("wl:2 is no longer in the lists"), "{note}");
}

#[test]
fn a_pep_hit_holds_with_enhanced_status_and_never_blocks() {
    let dir = tempfile::tempdir().unwrap();
    let mut rows = BASE.to_vec();
    // a PEP with the customer's name and birth date: corroborated, still a hold
    rows.push("wl:pep-1,\"PETRENKO, Ivan\",,person,1980-02-01,UA,,peps,pep");
    let s = screener(dir.path(), &rows);
    let report = s.import_customers(&customers()).unwrap();
    let pet = report
        .cases
        .iter()
        .find(|c| c.customer_id == "c-pet")
        .expect("a case for the PEP");
    assert_eq!(pet.action, Action::Hold);
    assert_eq!(report.enhanced, ["c-pet"]);
    assert_eq!(
        s.customer("c-pet").unwrap().status,
        CustomerStatus::Enhanced
    );
    let case = s.case(pet.case).unwrap().unwrap();
    let reason = &case.decision.reasons[0].message;
    assert!(
        reason.contains("politically exposed person (PEP)") && reason.contains("never a freeze"),
        "{reason}"
    );
    // a self-declared PEP is enhanced without any hit
    let mut declared = person("c-decl", "Marta Hnatiuk", "1975-05-05");
    declared.pep = true;
    let r = s.import_customers(&[declared]).unwrap();
    assert!(r.cases.is_empty());
    assert_eq!(r.enhanced, ["c-decl"]);
}

#[test]
fn a_customer_that_cannot_be_read_refuses_the_import_naming_the_field() {
    let dir = tempfile::tempdir().unwrap();
    let s = screener(dir.path(), BASE);
    let mut bad = person("c-x", "Ivan Petrenko", "1980-13-45");
    let e = s.import_customers(&[bad.clone()]).unwrap_err().to_string();
    assert!(e.contains("birth_date") && e.contains("c-x"), "{e}");
    bad.birth_date = None;
    bad.wallets.push(amlscreen::Wallet {
        chain: "BTC".into(),
        address: "not-an-address".into(),
    });
    let e = s.import_customers(&[bad]).unwrap_err().to_string();
    assert!(e.contains("wallets[0].address"), "{e}");
    assert_eq!(s.registered_customer("c-x").unwrap(), None);
}

/// The CLI: a config with a watchlist, a store and an audit log.
fn cli_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    watchlist(dir.path(), "wl.csv", BASE);
    let config = format!(
        "lists:\n  - source: watchlist\n    path: wl.csv\nrules: {}\n\
         list_guard:\n  history: history.json\n\
         audit:\n  path: audit.jsonl\nstore:\n  path: cases.db\n",
        repo().join("rules").display()
    );
    std::fs::write(dir.path().join("amlscreen.yaml"), config).unwrap();
    dir
}

fn run(dir: &std::path::Path, args: &[&str]) -> (String, String, i32) {
    let config = dir.join("amlscreen.yaml").display().to_string();
    let mut all = vec!["--config", config.as_str()];
    all.extend_from_slice(args);
    let out = amlscreen(&all, b"");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.code().unwrap_or(-1),
    )
}

#[test]
fn cli_import_with_bad_rows_is_all_or_nothing_unless_skip_bad() {
    let dir = cli_dir();
    let file = dir.path().join("customers.jsonl");
    std::fs::write(
        &file,
        concat!(
            r#"{"id":"c-1","names":["Taras Kovalchuk"],"kind":"person","birth_date":"1961-04-12"}"#,
            "\n",
            r#"{"id":"c-2","names":["Olha Bilyk"],"kind":"person","nationality":["XX"]}"#,
            "\n\n",
            r#"{"id":"c-3","names":["Ok Name"],"kind":"robot"}"#,
            "\n",
            r#"{"id":"c-4","names":["Petro Lys"],"kind":"person","birth_date":"1970"}"#,
            "\n",
        ),
    )
    .unwrap();
    let f = file.display().to_string();
    let (out, err, code) = run(dir.path(), &["customers", "import", &f]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        err.contains("customers.jsonl:2 (customer c-2): field `nationality[0]`"),
        "{err}"
    );
    assert!(
        err.contains("customers.jsonl:4 (customer c-3): field `kind`"),
        "{err}"
    );
    assert!(err.contains("nothing imported"), "{err}");
    // refused before the store was touched
    assert!(!dir.path().join("cases.db").exists());
    let (out, err, code) = run(
        dir.path(),
        &["customers", "import", &f, "--skip-bad", "--format", "json"],
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(err.contains("skipped lines 2, 4"), "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["report"]["added"], 2);
    assert_eq!(v["report"]["cases"][0]["customer_id"], "c-1");
    assert_eq!(v["report"]["cases"][0]["action"], "block");
    let (out, _, _) = run(
        dir.path(),
        &["customers", "show", "c-2", "--format", "json"],
    );
    let v: Value = serde_json::from_str(&out).unwrap();
    assert!(
        v["profile"].is_null(),
        "a skipped row is not registered: {v}"
    );
    let (out, _, _) = run(
        dir.path(),
        &["customers", "show", "c-4", "--format", "json"],
    );
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["profile"]["names"][0], "Petro Lys");
    // the decision and the policy's actions are in the audit chain
    let audit = dir.path().join("audit.jsonl").display().to_string();
    let (out, err, code) = run(dir.path(), &["audit", "verify", &audit]);
    assert_eq!(code, 0, "{out}{err}");
    let records = std::fs::read_to_string(dir.path().join("audit.jsonl")).unwrap();
    assert!(
        records.contains("\"transaction_id\":\"onboarding\""),
        "{records}"
    );
}

#[test]
fn cli_csv_import_then_rescreen_after_the_list_file_changes() {
    let dir = cli_dir();
    let file = dir.path().join("customers.csv");
    std::fs::write(
        &file,
        "id,names,kind,birth_date,nationality,wallets,pep\n\
         c-1,Ivan Petrenko|Іван Петренко,person,1980-02-01,UA,,\n\
         c-2,Olha Bilyk,person,1990-03-03,UA|PL,ETH:0x8589427373d6d84e98730d7795d8f6f8731fda16,no\n",
    )
    .unwrap();
    let f = file.display().to_string();
    let (out, err, code) = run(dir.path(), &["customers", "import", &f]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.starts_with("2 customers: 2 added"), "{out}");
    let mut rows = BASE.to_vec();
    rows.push("wl:9,\"PETRENKO, Ivan\",,person,1980-02-01,RU,,internal,");
    watchlist(dir.path(), "wl.csv", &rows);
    let (out, err, code) = run(dir.path(), &["customers", "rescreen", "--format", "json"]);
    assert_eq!(code, 0, "{out}{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["mode"], "delta");
    assert_eq!(v["entries_added"], 1);
    assert_eq!(v["cases"][0]["customer_id"], "c-1");
    let (out, _, _) = run(
        dir.path(),
        &["cases", "show", &v["cases"][0]["case"].to_string()],
    );
    assert!(
        out.contains("screening    customer c-1 (list_change"),
        "{out}"
    );
    assert_eq!(v["index"], "built");
    // the customers' name index is cached beside the store (owner-only)
    // while the registry does not change, and rebuilt when it does
    let cache = dir.path().join("cases.db.customer-index");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&cache).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    rows.push("wl:10,\"BILYK, Olha\",,person,1990-03-03,RU,,internal,");
    watchlist(dir.path(), "wl.csv", &rows);
    let (out, err, code) = run(dir.path(), &["customers", "rescreen", "--format", "json"]);
    assert_eq!(code, 0, "{out}{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["index"], "cached", "{v}");
    assert_eq!(v["cases"][0]["customer_id"], "c-2", "{v}");
    std::fs::write(&file, "id,names,kind\nc-3,Petro Lys,person\n").unwrap();
    let (out, err, code) = run(dir.path(), &["customers", "import", &f]);
    assert_eq!(code, 0, "{out}{err}");
    rows.push("wl:11,\"LYS, Petro\",,person,,RU,,internal,");
    watchlist(dir.path(), "wl.csv", &rows);
    let (out, _, _) = run(dir.path(), &["customers", "rescreen", "--format", "json"]);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["index"], "built", "{v}");
    assert_eq!(v["cases"][0]["customer_id"], "c-3", "{v}");
}

#[test]
fn cli_lists_diff_names_added_removed_and_changed_entries_field_by_field() {
    let dir = tempfile::tempdir().unwrap();
    let old = watchlist(dir.path(), "old.csv", BASE);
    let new = watchlist(
        dir.path(),
        "new.csv",
        &[
            "wl:1,\"KOVALCHUK, Taras Ivanovych\",Тарас Ковальчук,person,1961-04-12,RU,,internal,",
            BASE[2],
            "wl:4,\"NEW, Person\",,person,,RU,,internal,",
        ],
    );
    let old_arg = format!("watchlist={}", old.display());
    let new_arg = new.display().to_string();
    let out = amlscreen(
        &["lists", "diff", &old_arg, &new_arg, "--format", "json"],
        b"",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["diff"]["added"], serde_json::json!(["wl:4"]));
    assert_eq!(v["diff"]["removed"], serde_json::json!(["wl:2"]));
    assert_eq!(v["diff"]["changed"][0]["id"], "wl:1");
    assert_eq!(v["diff"]["changed"][0]["fields"][0]["field"], "names");
    assert_eq!(
        v["diff"]["changed"][0]["fields"][0]["added"],
        serde_json::json!(["Тарас Ковальчук"])
    );
    assert_eq!(v["diff"]["unchanged"], 1);
}

#[test]
fn a_rating_changes_when_a_case_is_confirmed_and_explains_why() {
    let dir = tempfile::tempdir().unwrap();
    let s = screener(dir.path(), BASE);
    let mut zar = Customer::new("c-zar", PartyKind::Person, "Hennadii Zarubin");
    zar.residence = Some("UA".into());
    zar.document = Some("passport".into());
    zar.activity = Some(amlscreen::customers::Activity {
        occupation: Some("engineer".into()),
        ..Default::default()
    });
    let report = s.import_customers(&[zar]).unwrap();
    assert_eq!(report.cases.len(), 1, "{report:?}");
    let case = report.cases[0].case;
    let before = s
        .customer_rating("c-zar")
        .unwrap()
        .expect("rated at import");
    assert_eq!(
        before.level,
        amlscreen::RiskLevel::Low,
        "{}",
        before.explain()
    );
    assert_eq!(before.trigger, "onboarding");
    let open = before
        .factors
        .iter()
        .find(|f| f.factor == "behaviour.cases")
        .unwrap();
    assert_eq!(open.grade, 50, "{}", open.why);
    s.resolve_case(
        case,
        amlscreen::cases::Outcome::Confirmed,
        "r-1",
        "same person",
    )
    .unwrap();
    let after = s.customer_rating("c-zar").unwrap().unwrap();
    assert_eq!(
        after.level,
        amlscreen::RiskLevel::High,
        "{}",
        after.explain()
    );
    assert_eq!(after.raised_by.as_deref(), Some("behaviour.cases"));
    assert_eq!(after.trigger, format!("case {case} confirmed"));
    assert!(after.score > before.score);
    let why = &after
        .factors
        .iter()
        .find(|f| f.factor == "behaviour.cases")
        .unwrap()
        .why;
    assert!(
        why.contains(&format!("case {case}")) && why.contains("stands"),
        "{why}"
    );
    assert!(
        after.explain().starts_with("high (R "),
        "{}",
        after.explain()
    );
}

#[test]
fn a_rule_for_high_risk_customers_holds_their_outgoing_transfers_and_no_one_elses() {
    let dir = tempfile::tempdir().unwrap();
    let s = screener(dir.path(), BASE);
    let mut iran = Customer::new("c-ir", PartyKind::Person, "Ali Rezaei");
    iran.residence = Some("IR".into());
    let ua = Customer::new("c-ua", PartyKind::Person, "Marta Hnatiuk");
    s.import_customers(&[iran, ua]).unwrap();
    let rated = s.customer_rating("c-ir").unwrap().unwrap();
    assert_eq!(rated.level, amlscreen::RiskLevel::High);
    assert_eq!(rated.raised_by.as_deref(), Some("geography.residence"));
    let tx = |customer: &str| {
        amlscreen::Transaction::from_json(&format!(
            r#"{{"id":"t-{customer}","timestamp":"{}","customer_id":"{customer}","direction":"outgoing",
               "amount":"1200","currency":"USD","value":"1200","beneficiary":{{"name":"Jan Kowalski"}}}}"#,
            chrono::Utc::now().to_rfc3339()
        ))
        .unwrap()
    };
    let d = s.screen(&tx("c-ir")).unwrap();
    assert_eq!(d.action, Action::Hold, "{:?}", d.reasons);
    let fired = d
        .reasons
        .iter()
        .find(|r| r.rule_id == "high-risk-customer-outgoing-1k")
        .expect("the high-risk rule fires");
    assert!(
        fired.message.ends_with("the customer is rated high risk"),
        "{}",
        fired.message
    );
    let d = s.screen(&tx("c-ua")).unwrap();
    assert!(d
        .reasons
        .iter()
        .all(|r| r.rule_id != "high-risk-customer-outgoing-1k"));
}

#[test]
fn an_opensanctions_style_pep_dataset_holds_its_peps_and_freezes_only_the_sanctioned() {
    let spec: ListSpec = format!(
        "ftm_json={}",
        repo()
            .join("sanctions/fixtures/ftm_entities.jsonl")
            .display()
    )
    .parse()
    .unwrap();
    let list = lists::load(&spec).unwrap();
    // 3 matchable entities; the family link and the address are not screened
    assert_eq!(list.entities.len(), 3);
    assert!(list.warnings.is_empty(), "{:?}", list.warnings);
    let engine = Engine::builder(RuleSet::load(&repo().join("rules")).unwrap())
        .lists(vec![list])
        .build();
    let s = Screener::new(engine)
        .with_store(Arc::new(SqliteStore::in_memory()))
        .unwrap();
    // the PEP with birth date and passport: corroborated, still only held
    let mut pep = person("c-pep", "Микола Гриценко", "1966-03-14");
    pep.identifiers.push(amlscreen::PartyId {
        kind: "passport".into(),
        value: "FT 654321".into(),
        country: None,
    });
    let mut org = Customer::new("c-org", PartyKind::Organization, "Arkhyz Trading LLC");
    org.identifiers.push(amlscreen::PartyId {
        kind: "tax_id".into(),
        value: "7701234567".into(),
        country: None,
    });
    let r = s.import_customers(&[pep, org]).unwrap();
    let action = |id: &str| {
        r.cases
            .iter()
            .find(|c| c.customer_id == id)
            .map(|c| c.action)
    };
    assert_eq!(action("c-pep"), Some(Action::Hold), "{r:?}");
    assert_eq!(action("c-org"), Some(Action::Block), "{r:?}");
    assert_eq!(r.enhanced, ["c-pep"]);
    let case = s
        .case(
            r.cases
                .iter()
                .find(|c| c.customer_id == "c-pep")
                .unwrap()
                .case,
        )
        .unwrap()
        .unwrap();
    assert!(
        case.decision.reasons[0]
            .message
            .contains("ua_peps_sample lists a politically exposed person (PEP)"),
        "{}",
        case.decision.reasons[0].message
    );
    // the config's `category: pep` makes a sanctions-topic list a PEP list
    let list = lists::load(&spec.clone().with_category(amlscreen::lists::Category::Pep)).unwrap();
    assert!(list
        .entities
        .iter()
        .all(|e| e.category == amlscreen::lists::Category::Pep));
}

#[test]
fn a_listed_name_with_more_namesakes_than_one_search_returns_makes_the_re_screen_full() {
    let dir = tempfile::tempdir().unwrap();
    let s = screener(dir.path(), BASE);
    let n = amlscreen::customers::CANDIDATES_PER_NAME + 5;
    let namesakes: Vec<Customer> = (0..n)
        .map(|i| person(&format!("n-{i:05}"), "Ivan Petrenko", "1980-02-01"))
        .collect();
    s.import_customers(&namesakes).unwrap();
    let mut rows = BASE.to_vec();
    rows.push("wl:9,\"PETRENKO, Ivan\",,person,1980-02-01,RU,,internal,");
    let next = watchlist(dir.path(), "wl2.csv", &rows);
    s.reload_with(engine(&next)).unwrap();
    let r = s.rescreen_customers(false, &|_, _| {}).unwrap();
    assert_eq!(r.mode, "full", "{r:?}");
    assert!(
        r.full_because
            .as_deref()
            .is_some_and(|w| w.contains("a delta could miss some")),
        "{r:?}"
    );
    // every namesake is found, not the first 2,000
    assert_eq!(r.cases.len(), n);
}
