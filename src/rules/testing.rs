//! Rule tests, as the authors of rule files write them: a rule file may
//! carry `tests:`, each a named sequence of transactions with the decision
//! expected for the last one.
//!
//! ```yaml
//! tests:
//!   - name: three structured transfers within 24h are held
//!     transactions:            # defaults: id t1, t2…; customer_id test-customer;
//!                              # direction outgoing; currency USD; amount = value
//!       - {timestamp: "2026-11-21T09:00:00Z", value: 9500}
//!       - {timestamp: "2026-11-21T13:00:00Z", value: 9800}
//!       - {timestamp: "2026-11-21T17:00:00Z", value: 9900}
//!     expect:
//!       action: hold
//!       level: high
//!       fires: [structuring-under-10k]   # must be among the reasons
//!       does_not_fire: []                # must not be
//!       report: none                     # the report duty: threshold, or none
//! ```
//!
//! Each test runs on a fresh screener state with the whole rule set (all
//! files), the forbidden platforms, and no sanctions lists.

use serde_json::Value as Json;

use super::fields::{type_name, Fields};
use super::rule::{ACTIONS, LEVELS};
use super::source::{RuleFileError, SourceText};
use crate::model::{Action, Decision, Report, RiskLevel, Transaction};
use crate::source::{to_json, Node, Value};

/// Customer id given to test transactions that name none.
pub const DEFAULT_TEST_CUSTOMER: &str = "test-customer";

/// What a test expects of the last transaction's decision.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Expectation {
    /// Expected action.
    pub action: Option<Action>,
    /// Expected risk level.
    pub level: Option<RiskLevel>,
    /// Rule ids that must be among the reasons.
    pub fires: Vec<String>,
    /// Rule ids that must not be.
    pub does_not_fire: Vec<String>,
    /// The report duty expected (`threshold`), or `none` for none.
    pub report: Option<Option<Report>>,
}

/// Report expectations by name, for `report:`.
const REPORTS: &[(&str, Option<Report>)] =
    &[("threshold", Some(Report::Threshold)), ("none", None)];

impl Expectation {
    /// Every way `d` differs from the expectation; empty when it passes.
    pub fn mismatches(&self, d: &Decision) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(a) = self.action.filter(|a| *a != d.action) {
            out.push(format!("expected action {a:?}, got {:?}", d.action).to_lowercase());
        }
        if let Some(l) = self.level.filter(|l| *l != d.risk) {
            out.push(format!("expected level {l:?}, got {:?}", d.risk).to_lowercase());
        }
        for id in &self.fires {
            if !d.reasons.iter().any(|r| &r.rule_id == id) {
                out.push(format!("expected rule '{id}' to fire, it did not"));
            }
        }
        if let Some(r) = self.report.filter(|r| *r != d.report) {
            let name = |r: Option<Report>| match r {
                Some(Report::Threshold) => "threshold",
                _ => "none",
            };
            out.push(format!(
                "expected report {}, got {}",
                name(r),
                name(d.report)
            ));
        }
        for id in &self.does_not_fire {
            if d.reasons.iter().any(|r| &r.rule_id == id) {
                out.push(format!("expected rule '{id}' not to fire, it did"));
            }
        }
        out
    }
}

/// One rule test.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleTest {
    /// Its name.
    pub name: String,
    /// Where it is written (`file:line`).
    pub defined_at: String,
    /// The transactions, screened in order.
    pub transactions: Vec<Transaction>,
    /// What the last decision must be.
    pub expect: Expectation,
    /// The risk rating the test's customers have (`customer_risk:`), for
    /// rules that run only for rated customers.
    pub customer_risk: Option<crate::model::RiskLevel>,
    pub(crate) id_positions: Vec<(String, RuleFileError)>,
}

/// The outcome of one rule test.
#[derive(Debug, Clone, PartialEq)]
pub struct TestOutcome {
    /// The test's name.
    pub name: String,
    /// Where it is written.
    pub defined_at: String,
    /// What went wrong; empty when the test passed.
    pub failures: Vec<String>,
    /// The last transaction's decision, when screening got that far.
    pub decision: Option<Decision>,
}

impl TestOutcome {
    /// Whether the test passed.
    pub fn passed(&self) -> bool {
        self.failures.is_empty()
    }
}

/// One test transaction as JSON, with the defaults filled in; numbers
/// for `value` and `amount` become decimal text, as in transaction input.
fn transaction_json(map: &[(Node, Node)], j: usize) -> serde_json::Map<String, Json> {
    let mut out = serde_json::Map::new();
    for (k, v) in map {
        let key = k.scalar_text().unwrap_or_default().to_owned();
        let value = match (key.as_str(), v.number_text()) {
            ("value" | "amount", Some(text)) => Json::String(text),
            _ => to_json(v),
        };
        out.insert(key, value);
    }
    let value = out.get("value").cloned().unwrap_or(Json::Null);
    let mut with_default = |key: &str, default: Json| {
        if matches!(out.get(key), None | Some(Json::Null)) {
            out.insert(key.to_owned(), default);
        }
    };
    with_default("id", Json::String(format!("t{}", j + 1)));
    with_default("customer_id", Json::String(DEFAULT_TEST_CUSTOMER.into()));
    with_default("direction", Json::String("outgoing".into()));
    with_default("currency", Json::String("USD".into()));
    with_default("amount", value);
    out
}

/// Parses one test (an item of a `tests` list).
pub fn parse_test(source: &SourceText, value: &Node) -> Result<RuleTest, Vec<RuleFileError>> {
    let mut f = Fields::new(source, value).map_err(|e| vec![e])?;
    let name = f.required_text("name");
    let mut transactions = Vec::new();
    let listed = f.raw("transactions");
    match listed.map(|v| &v.value) {
        Some(Value::Seq(items)) if !items.is_empty() => {
            for (j, item) in items.iter().enumerate() {
                let Some(map) = item.as_map() else {
                    f.push(source.at(item).error(format!(
                        "transaction {} must be a mapping of transaction fields, found {}",
                        j + 1,
                        type_name(item)
                    )));
                    continue;
                };
                let json = Json::Object(transaction_json(map, j));
                match serde_json::from_value::<Transaction>(json) {
                    Ok(tx) => transactions.push(tx),
                    Err(e) => f.push(source.at(item).error(format!("transaction {}: {e}", j + 1))),
                }
            }
        }
        Some(Value::Seq(_)) | None => f.error(
            "transactions",
            "a test needs 'transactions': a list of at least one",
        ),
        Some(_) => f.error(
            "transactions",
            format!(
                "'transactions' must be a list, found {}",
                listed.map_or("nothing", type_name)
            ),
        ),
    }
    let mut expect = Expectation::default();
    let mut id_positions = Vec::new();
    match f.raw("expect") {
        Some(v) => match Fields::new(source, v) {
            Ok(mut e) => {
                expect.action = e.opt_choice("action", ACTIONS);
                expect.level = e.opt_choice("level", LEVELS);
                expect.fires = e.texts("fires");
                expect.does_not_fire = e.texts("does_not_fire");
                expect.report = e.opt_choice("report", REPORTS);
                for (key, ids) in [
                    ("fires", &expect.fires),
                    ("does_not_fire", &expect.does_not_fire),
                ] {
                    for (k, id) in ids.iter().enumerate() {
                        let at = e.item_position(key, k);
                        id_positions.push((id.clone(), at.error(String::new())));
                    }
                }
                if !e.present("action")
                    && !e.present("level")
                    && !e.present("report")
                    && expect.fires.is_empty()
                    && expect.does_not_fire.is_empty()
                {
                    e.error(
                        "action",
                        "'expect' needs at least one of action, level, fires, does_not_fire, report",
                    );
                }
                for err in e.finish() {
                    f.push(err);
                }
            }
            Err(err) => f.push(err),
        },
        None => f.error(
            "expect",
            "a test needs 'expect' (action, level, fires, does_not_fire)",
        ),
    }
    let customer_risk = f.opt_choice("customer_risk", LEVELS);
    let defined_at = format!("{}:{}", source.path.display(), f.position().line);
    let errors = f.finish();
    match name {
        Some(name) if errors.is_empty() => Ok(RuleTest {
            name,
            defined_at,
            transactions,
            expect,
            customer_risk,
            id_positions,
        }),
        _ => Err(errors),
    }
}

impl RuleTest {
    /// Runs the test's transactions through `evaluate` in order (on a
    /// customer history the caller has emptied) and compares the last
    /// decision with the expectation.
    pub fn run(
        &self,
        mut evaluate: impl FnMut(&Transaction) -> Result<Decision, String>,
    ) -> TestOutcome {
        let mut outcome = TestOutcome {
            name: self.name.clone(),
            defined_at: self.defined_at.clone(),
            failures: Vec::new(),
            decision: None,
        };
        for (j, tx) in self.transactions.iter().enumerate() {
            match evaluate(tx) {
                Ok(d) if j + 1 == self.transactions.len() => outcome.decision = Some(d),
                Ok(_) => {}
                Err(e) => {
                    outcome.failures.push(format!(
                        "transaction {} ('{}') could not be screened: {e}",
                        j + 1,
                        tx.id
                    ));
                    return outcome;
                }
            }
        }
        if let Some(d) = &outcome.decision {
            outcome.failures = self.expect.mismatches(d);
        }
        outcome
    }
}
