//! One behaviour rule: its id, kind, description, what it contributes to
//! the decision, and its compiled check. Compiling validates everything
//! (types, durations, regexes, data files) before the rule can ever run.

use serde::{Deserialize, Serialize};

use super::amount::AmountRule;
use super::anonymizer::AnonymizerRule;
use super::customer_profile::CustomerProfileRule;
use super::data_file::DataFiles;
use super::fields::Fields;
use super::fraud::FraudRule;
use super::jurisdiction::JurisdictionRule;
use super::money::Units;
use super::new_counterparty::NewCounterpartyRule;
use super::pattern::PatternRule;
use super::source::{RuleFileError, SourceText};
use super::structuring::StructuringRule;
use super::third_party::ThirdPartyRule;
use super::travel_rule::TravelRule;
use super::unusual_activity::UnusualActivityRule;
use super::velocity::VelocityRule;
use super::window::Point;
use crate::model::{Action, Direction, Finding, FindingKind, PartyRole, RiskLevel, Transaction};
use crate::platforms::Platform;
use crate::source::Node;
use crate::state::{CustomerHistory, HistoryEntry};

/// The kinds of behaviour rule, as written in `kind:`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum RuleKind {
    /// Several transfers just under a threshold within a window.
    Structuring,
    /// Count and/or sum of transfers per window and direction.
    Velocity,
    /// TOR/VPN/proxy, listed IPs, mixers, privacy coins.
    Anonymizer,
    /// Party or channel countries against country lists.
    Jurisdiction,
    /// A single transfer at or over a threshold.
    Amount,
    /// A value far above the customer's usual, or a sudden change of rhythm.
    UnusualActivity,
    /// First transfer to a wallet or account never seen for the customer.
    NewCounterparty,
    /// Keywords or regexes over the memo and party names.
    Pattern,
    /// A crypto transfer over a threshold without both parties' names.
    TravelRule,
    /// An operation for or from someone other than the account holder.
    ThirdParty,
    /// Transfers that do not fit the kind of customer.
    CustomerProfile,
    /// Double payments, address poisoning, returns that match nothing.
    Fraud,
}

/// Every kind with its name in rule files.
pub const RULE_KINDS: &[(&str, RuleKind)] = &[
    ("structuring", RuleKind::Structuring),
    ("velocity", RuleKind::Velocity),
    ("anonymizer", RuleKind::Anonymizer),
    ("jurisdiction", RuleKind::Jurisdiction),
    ("amount", RuleKind::Amount),
    ("unusual_activity", RuleKind::UnusualActivity),
    ("new_counterparty", RuleKind::NewCounterparty),
    ("pattern", RuleKind::Pattern),
    ("travel_rule", RuleKind::TravelRule),
    ("third_party", RuleKind::ThirdParty),
    ("customer_profile", RuleKind::CustomerProfile),
    ("fraud", RuleKind::Fraud),
];

/// Risk levels by name, for `level:`.
pub const LEVELS: &[(&str, RiskLevel)] = &[
    ("low", RiskLevel::Low),
    ("medium", RiskLevel::Medium),
    ("high", RiskLevel::High),
];

/// Actions by name, for `action:`.
pub const ACTIONS: &[(&str, Action)] = &[
    ("allow", Action::Allow),
    ("hold", Action::Hold),
    ("block", Action::Block),
];

/// Which transfers a rule looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DirectionFilter {
    /// Only incoming transfers.
    Incoming,
    /// Only outgoing transfers.
    Outgoing,
    /// Both.
    Any,
}

/// Directions by name, for `direction:`.
pub const DIRECTIONS: &[(&str, DirectionFilter)] = &[
    ("outgoing", DirectionFilter::Outgoing),
    ("incoming", DirectionFilter::Incoming),
    ("any", DirectionFilter::Any),
];

impl DirectionFilter {
    /// Whether a transfer in direction `d` passes.
    pub fn accepts(self, d: Direction) -> bool {
        match self {
            DirectionFilter::Any => true,
            DirectionFilter::Incoming => d == Direction::Incoming,
            DirectionFilter::Outgoing => d == Direction::Outgoing,
        }
    }

    /// `outgoing `, `incoming ` or nothing, to put before "transfers".
    pub fn adjective(self) -> &'static str {
        match self {
            DirectionFilter::Any => "",
            DirectionFilter::Incoming => "incoming ",
            DirectionFilter::Outgoing => "outgoing ",
        }
    }
}

/// What a fired rule adds to the decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Contribution {
    /// Score points (0–100).
    pub points: u32,
    /// Minimum level imposed.
    pub level_floor: Option<RiskLevel>,
    /// Minimum action forced.
    pub action: Option<Action>,
}

/// A platform a party of the transaction involves (found by the screener).
#[derive(Debug, Clone, Copy)]
pub struct PlatformInvolvement<'a> {
    /// The party, or `None` for the memo.
    pub party: Option<PartyRole>,
    /// The platform.
    pub platform: &'a Platform,
}

/// Everything a rule may look at while screening one transaction.
#[derive(Debug, Clone, Copy)]
pub struct RuleContext<'a> {
    /// The transaction being screened.
    pub tx: &'a Transaction,
    /// The customer's history, without this transaction.
    pub history: &'a CustomerHistory,
    /// Forbidden platforms the transaction involves.
    pub platforms: &'a [PlatformInvolvement<'a>],
    /// The reference currency values are in.
    pub currency: &'a str,
    /// Whether a finding already blocks the transaction (a sanctions or
    /// platform hit): rules that only add points to a transfer that will
    /// not happen stay quiet.
    pub blocked: bool,
    /// What several rules derive from the transaction, worked out once.
    pub derived: &'a Derived<'a>,
    /// The customer's risk rating, when one is kept.
    pub customer_risk: Option<RiskLevel>,
}

/// What several rules derive from one transaction, worked out once, on
/// first use, and shared: the counterparty's key and the codes the
/// parties' and the channel's countries read as.
#[derive(Debug, Default)]
pub struct Derived<'a> {
    counterparty: std::cell::OnceCell<Option<(String, u64)>>,
    countries: std::cell::OnceCell<Vec<CountrySeen<'a>>>,
}

/// A country a transaction names: whose it is (a party, or the channel
/// when `None`), as given, and the code it reads as.
#[derive(Debug, Clone)]
pub struct CountrySeen<'a> {
    /// The party, or `None` for the channel.
    pub role: Option<PartyRole>,
    /// As the transaction gives it.
    pub given: &'a str,
    /// The code it reads as.
    pub code: std::borrow::Cow<'static, str>,
    /// An address's region, where the address also names the city.
    pub settled: bool,
}

impl<'a> Derived<'a> {
    /// The counterparty's key (`crate::state::counterparty_key`) and its
    /// hash, if the transaction has one.
    pub fn counterparty(&self, tx: &Transaction) -> Option<(&str, u64)> {
        self.counterparty
            .get_or_init(|| {
                crate::state::counterparty_key(tx).map(|k| {
                    let h = crate::state::counterparty_hash(&k);
                    (k, h)
                })
            })
            .as_ref()
            .map(|(k, h)| (k.as_str(), *h))
    }

    /// Every party's and the channel's country that reads as a code.
    pub fn countries(&self, tx: &'a Transaction) -> &[CountrySeen<'a>] {
        self.countries.get_or_init(|| {
            // a party's country, and its address's country and region
            let parties = tx.parties().flat_map(|(role, p)| {
                let address = p.address.as_ref();
                let city = address
                    .and_then(|a| a.city.as_deref())
                    .is_some_and(|c| !c.trim().is_empty());
                [
                    (p.country.as_deref(), false),
                    (address.and_then(|a| a.country.as_deref()), false),
                    (address.and_then(|a| a.region.as_deref()), city),
                ]
                .into_iter()
                .filter_map(move |(c, settled)| Some((Some(role), c?, settled)))
            });
            let channel = tx
                .channel
                .as_ref()
                .and_then(|c| c.country.as_deref())
                .map(|c| (None, c, false));
            parties
                .chain(channel)
                .filter_map(|(role, given, settled)| {
                    Some(CountrySeen {
                        role,
                        given,
                        code: crate::countries::country_code(given)?,
                        settled,
                    })
                })
                .collect()
        })
    }
}

impl RuleContext<'_> {
    /// Whether the transaction returns or revokes an earlier one: it is no
    /// new transfer, and the rules that count or compare transfers skip it.
    pub fn undoes(&self) -> bool {
        !self.tx.kind.is_transfer()
    }

    /// A value in the reference currency as a reason shows it: `9,500 USD`.
    pub fn money(&self, value: rust_decimal::Decimal) -> String {
        format!("{} {}", super::window::money(value), self.currency)
    }

    /// The current transfer and the customer's transfers from
    /// `[t - w, t + w)` that pass `keep`, as window points sorted by time.
    /// Blocked attempts are left out: they moved no money.
    pub fn points_around(
        &self,
        w: chrono::Duration,
        keep: impl Fn(&HistoryEntry) -> bool,
    ) -> Vec<Point> {
        let t = self.tx.timestamp;
        let mut points: Vec<Point> = self
            .history
            .between(t - w, t + w)
            .iter()
            .filter(|e| e.counts() && keep(e))
            .map(|e| Point {
                timestamp: e.timestamp,
                value: e.value,
            })
            .collect();
        let at = points.partition_point(|p| p.timestamp <= t);
        points.insert(
            at,
            Point {
                timestamp: t,
                value: self.tx.value,
            },
        );
        points
    }
}

/// A rule that fired: the numbers behind it, and the party concerned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fired {
    /// The party concerned, when the rule is about one party.
    pub party: Option<PartyRole>,
    /// What was seen, with the numbers ("3 transfers 8,000–10,000 within 24h: …").
    pub detail: String,
}

impl Fired {
    /// A finding about the whole transaction.
    pub fn new(detail: impl Into<String>) -> Fired {
        Fired {
            party: None,
            detail: detail.into(),
        }
    }
}

/// A compiled check of one kind.
#[derive(Debug, Clone)]
pub enum Check {
    /// See [`StructuringRule`].
    Structuring(StructuringRule),
    /// See [`VelocityRule`].
    Velocity(VelocityRule),
    /// See [`AnonymizerRule`].
    Anonymizer(AnonymizerRule),
    /// See [`JurisdictionRule`].
    Jurisdiction(JurisdictionRule),
    /// See [`AmountRule`].
    Amount(AmountRule),
    /// See [`UnusualActivityRule`].
    UnusualActivity(UnusualActivityRule),
    /// See [`NewCounterpartyRule`].
    NewCounterparty(NewCounterpartyRule),
    /// See [`PatternRule`].
    Pattern(PatternRule),
    /// See [`TravelRule`].
    TravelRule(TravelRule),
    /// See [`ThirdPartyRule`].
    ThirdParty(ThirdPartyRule),
    /// See [`CustomerProfileRule`].
    CustomerProfile(CustomerProfileRule),
    /// See [`FraudRule`].
    Fraud(FraudRule),
}

/// A validated, compiled behaviour rule.
#[derive(Debug, Clone)]
pub struct Rule {
    /// Stable id reported in decisions.
    pub id: String,
    /// Its kind.
    pub kind: RuleKind,
    /// Human description, quoted in every reason.
    pub description: String,
    /// What it adds when it fires.
    pub contribution: Contribution,
    /// Disabled rules are validated but never run.
    pub enabled: bool,
    /// Where it is defined (`file:line`), for messages.
    pub defined_at: String,
    /// The rule runs only for customers rated at least this (`when:
    /// {customer_risk: high}`); `None`: for every customer.
    pub when_customer_risk: Option<RiskLevel>,
    check: Check,
}

/// Rule ids: letters, digits, `-`, `_`, `.`.
fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

impl Rule {
    /// Compiles one rule (an item of a `rules` list) of a rule file.
    pub fn compile(
        source: &SourceText,
        value: &Node,
        data: &mut DataFiles,
        units: &Units,
    ) -> Result<Rule, Vec<RuleFileError>> {
        let mut f = Fields::new(source, value).map_err(|e| vec![e])?;
        let id = f.required_text("id");
        if let Some(id) = id.as_deref().filter(|id| !valid_id(id)) {
            f.error(
                "id",
                format!("rule id '{id}' may hold only letters, digits, '-', '_' and '.'"),
            );
        }
        let kind = match f.required_text("kind") {
            Some(k) => match RULE_KINDS.iter().find(|(name, _)| *name == k) {
                Some((_, kind)) => Some(*kind),
                None => {
                    let names: Vec<&str> = RULE_KINDS.iter().map(|(n, _)| *n).collect();
                    let e = f
                        .key_position("kind")
                        .error(format!("unknown kind '{k}'"))
                        .with_hint_for(&k, names.iter().copied())
                        .with_note(format!("(valid: {})", names.join(", ")));
                    f.push(e);
                    None
                }
            },
            None => None,
        };
        let description = f.required_text("description");
        let points = f.count("score", 0, 0, crate::decision::MAX_SCORE);
        let level_floor = f.opt_choice("level", LEVELS);
        let action = f.opt_choice("action", ACTIONS);
        let enabled = f.flag("enabled", true);
        let when_customer_risk = match f.raw("when") {
            None => None,
            Some(node) => match Fields::new(source, node) {
                Ok(mut w) => {
                    let level = w.opt_choice("customer_risk", LEVELS);
                    if level.is_none() && !w.has_errors() {
                        w.error(
                            "customer_risk",
                            "'when' needs 'customer_risk' (low, medium, high): the rule then runs only for customers rated at least that",
                        );
                    }
                    for e in w.finish() {
                        f.push(e);
                    }
                    level
                }
                Err(e) => {
                    f.push(e);
                    None
                }
            },
        };
        let check = match kind {
            Some(RuleKind::Structuring) => {
                StructuringRule::compile(&mut f, units).map(Check::Structuring)
            }
            Some(RuleKind::Velocity) => VelocityRule::compile(&mut f, units).map(Check::Velocity),
            Some(RuleKind::Anonymizer) => {
                AnonymizerRule::compile(&mut f, data).map(Check::Anonymizer)
            }
            Some(RuleKind::Jurisdiction) => {
                JurisdictionRule::compile(&mut f, data).map(Check::Jurisdiction)
            }
            Some(RuleKind::Amount) => AmountRule::compile(&mut f, units).map(Check::Amount),
            Some(RuleKind::UnusualActivity) => {
                UnusualActivityRule::compile(&mut f).map(Check::UnusualActivity)
            }
            Some(RuleKind::NewCounterparty) => {
                NewCounterpartyRule::compile(&mut f, units).map(Check::NewCounterparty)
            }
            Some(RuleKind::Pattern) => PatternRule::compile(&mut f).map(Check::Pattern),
            Some(RuleKind::TravelRule) => TravelRule::compile(&mut f, units).map(Check::TravelRule),
            Some(RuleKind::ThirdParty) => ThirdPartyRule::compile(&mut f).map(Check::ThirdParty),
            Some(RuleKind::CustomerProfile) => {
                CustomerProfileRule::compile(&mut f, units).map(Check::CustomerProfile)
            }
            Some(RuleKind::Fraud) => FraudRule::compile(&mut f).map(Check::Fraud),
            None => None,
        };
        let contributes = points > 0 || level_floor.is_some() || action.is_some();
        if !contributes && !f.has_errors() {
            f.error("score", "the rule contributes nothing: set 'score' (1–100), 'level' (low, medium, high) or 'action' (allow, hold, block)");
        }
        let defined_at = format!("{}:{}", source.path.display(), f.position().line);
        let errors = if kind.is_some() {
            f.finish()
        } else {
            // with the kind unknown, its parameters cannot be judged
            f.finish_known_only()
        };
        match (id, kind, description, check) {
            (Some(id), Some(kind), Some(description), Some(check)) if errors.is_empty() => {
                Ok(Rule {
                    id,
                    kind,
                    description,
                    contribution: Contribution {
                        points,
                        level_floor,
                        action,
                    },
                    enabled,
                    defined_at,
                    when_customer_risk,
                    check,
                })
            }
            _ => Err(errors),
        }
    }

    /// The furthest this rule looks back (or forward, for late transfers)
    /// from a transfer's timestamp; the state keeps at least this much.
    pub fn lookback(&self) -> chrono::Duration {
        match &self.check {
            Check::Structuring(r) => r.lookback(),
            Check::Velocity(r) => r.lookback(),
            Check::UnusualActivity(r) => r.lookback(),
            Check::Amount(r) => r.lookback(),
            Check::NewCounterparty(r) => r.lookback(),
            Check::CustomerProfile(r) => r.lookback(),
            Check::Fraud(r) => r.lookback(),
            Check::Anonymizer(_)
            | Check::Jurisdiction(_)
            | Check::Pattern(_)
            | Check::TravelRule(_)
            | Check::ThirdParty(_) => chrono::Duration::zero(),
        }
    }

    /// Runs the rule; a finding when it fires.
    pub fn evaluate(&self, ctx: &RuleContext<'_>) -> Option<Finding> {
        if !self.enabled {
            return None;
        }
        if let Some(min) = self.when_customer_risk {
            if ctx.customer_risk.map_or(true, |r| r < min) {
                return None;
            }
        }
        let fired = match &self.check {
            Check::Structuring(r) => r.evaluate(ctx),
            Check::Velocity(r) => r.evaluate(ctx),
            Check::Anonymizer(r) => r.evaluate(ctx),
            Check::Jurisdiction(r) => r.evaluate(ctx),
            Check::Amount(r) => r.evaluate(ctx),
            Check::UnusualActivity(r) => r.evaluate(ctx),
            Check::NewCounterparty(r) => r.evaluate(ctx),
            Check::Pattern(r) => r.evaluate(ctx),
            Check::TravelRule(r) => r.evaluate(ctx),
            Check::ThirdParty(r) => r.evaluate(ctx),
            Check::CustomerProfile(r) => r.evaluate(ctx),
            Check::Fraud(r) => r.evaluate(ctx),
        }?;
        Some(Finding {
            rule_id: self.id.clone(),
            kind: FindingKind::Rule,
            party: fired.party,
            points: self.contribution.points,
            level_floor: self.contribution.level_floor,
            action: self.contribution.action,
            matched: None,
            message: match (self.when_customer_risk, ctx.customer_risk) {
                (Some(_), Some(rated)) => format!(
                    "{} ({}): {} — the customer is rated {} risk",
                    self.id,
                    self.description,
                    fired.detail,
                    rated.name()
                ),
                _ => format!("{} ({}): {}", self.id, self.description, fired.detail),
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::{RuleSet, SourceText};
    use crate::model::{Action, RiskLevel, Transaction};
    use crate::state::{StateConfig, StateStore};

    fn load(text: &str) -> Result<RuleSet, Vec<String>> {
        RuleSet::from_sources(&[SourceText::new("r.yaml", text.to_owned())])
            .map_err(|e| e.iter().map(ToString::to_string).collect())
    }

    fn errors(text: &str) -> Vec<String> {
        load(text).err().unwrap_or_default()
    }

    fn tx(id: &str, ts: &str, value: &str) -> Transaction {
        serde_json::from_value(serde_json::json!({
            "id": id, "timestamp": ts, "customer_id": "c", "direction": "outgoing",
            "amount": value, "currency": "USD", "value": value
        }))
        .unwrap()
    }

    /// Screens a sequence through rules and state only; the last decision's rule ids.
    fn run(set: &RuleSet, txs: &[Transaction]) -> Vec<Vec<String>> {
        let state = StateStore::new(StateConfig::default(), set.lookback());
        txs.iter()
            .map(|t| {
                let d = state.apply(t, |history| {
                    let ctx = super::RuleContext {
                        tx: t,
                        history,
                        platforms: &[],
                        currency: "USD",
                        blocked: false,
                        derived: &super::Derived::default(),
                        customer_risk: None,
                    };
                    set.policy.decide(&t.id, set.evaluate(&ctx), "v")
                });
                d.reasons.iter().map(|r| r.message.clone()).collect()
            })
            .collect()
    }

    #[test]
    fn every_error_has_a_position_and_the_valid_choices() {
        let e = errors("rules:\n  - id: a\n    kind: velocty\n    description: d\n    score: 5\n");
        assert_eq!(e.len(), 1);
        assert!(
            e[0].starts_with("r.yaml:3:11: unknown kind 'velocty', did you mean 'velocity'?"),
            "{e:?}"
        );

        let e = errors("rules:\n  - id: a\n    kind: structuring\n    description: d\n    window: 90x\n    threshold: 10\n    from: 8\n    min_count: 3\n    score: 5\n");
        assert!(
            e[0].starts_with("r.yaml:5:13: 'window': bad duration '90x'"),
            "{e:?}"
        );

        let e = errors("rules:\n  - id: a\n    kind: amount\n    description: d\n    threshold: lots\n    score: 5\n");
        assert!(
            e[0].starts_with("r.yaml:5:16:") && e[0].contains("not an amount"),
            "{e:?}"
        );

        let e = errors("rules:\n  - id: a\n    kind: amount\n    description: d\n    threshold: -5\n    score: 5\n");
        assert!(e[0].contains("must not be negative"), "{e:?}");

        let e = errors("rules:\n  - id: a\n    kind: amount\n    description: d\n    score: 500\n");
        assert!(e[0].contains("between 0 and 100"), "{e:?}");

        let e =
            errors("rules:\n  - id: a\n    kind: amount\n    description: d\n    level: hihg\n");
        assert!(e[0].contains("did you mean 'high'"), "{e:?}");

        let e = errors("rules:\n  - id: a\n    kind: amount\n    description: d\n    threshold: 1\n    direction: any\n");
        assert!(e[0].contains("contributes nothing"), "{e:?}");

        let e = errors("rules:\n  - id: a\n    kind: velocity\n    description: d\n    direction: any\n    window: 1h\n    max_count: [1]\n    score: 1\n");
        assert!(e[0].contains("'max_count' must be a whole number"), "{e:?}");

        let e = errors("rules:\n  - id: a\n    kind: pattern\n    description: d\n    regexes: ['(unclosed']\n    score: 1\n");
        assert!(
            e[0].starts_with("r.yaml:5:15: regex 1 does not compile"),
            "{e:?}"
        );

        // a regex whose compiled size is over the limit is refused, not run
        let e = errors("rules:\n  - id: a\n    kind: pattern\n    description: d\n    regexes: ['\\w{500}\\w{500}']\n    score: 1\n");
        assert!(e[0].contains("does not compile"), "{e:?}");

        let e = errors("rules:\n  - id: a\n    kind: jurisdiction\n    description: d\n    country_lists: [nope.txt]\n    level: high\n");
        assert!(
            e[0].starts_with("r.yaml:5:21: 'country_lists': cannot read data file nope.txt"),
            "{e:?}"
        );

        let e = errors("rules:\n  - id: a\n    kind: anonymizer\n    description: d\n    ips: [10.0.0.0/8, 10.0.0.999]\n    score: 1\n");
        assert!(
            e[0].starts_with("r.yaml:5:23: 'ips': '10.0.0.999' is not an IP address"),
            "{e:?}"
        );

        let e = errors("rules:\n  - id: a b\n    kind: amount\n    description: d\n    threshold: 1\n    direction: any\n    score: 1\n  - id: x\n    kind: amount\n    description: d\n    threshold: 1\n    direction: any\n    score: 1\n  - id: x\n    kind: amount\n    description: d\n    threshold: 1\n    direction: any\n    score: 1\n");
        assert!(
            e.iter().any(|m| m.contains("may hold only letters")),
            "{e:?}"
        );
        assert!(
            e.iter()
                .any(|m| m.starts_with("r.yaml:14:") && m.contains("duplicate rule id 'x'")),
            "{e:?}"
        );

        let e = errors("rulez: []\n");
        assert!(e[0].contains("did you mean 'rules'"), "{e:?}");

        let e = errors("tests:\n  - name: t\n    transactions: [{timestamp: nope, value: 1}]\n    expect: {action: hold}\n");
        assert!(e[0].starts_with("r.yaml:3:20: transaction 1:"), "{e:?}");

        let e = errors("rules: []\ntests:\n  - name: t\n    transactions: [{timestamp: '2026-01-01T00:00:00Z', value: 1}]\n    expect: {fires: [nosuch]}\n");
        assert!(
            e[0].starts_with("r.yaml:5:22: test 't' names unknown rule 'nosuch'"),
            "{e:?}"
        );
    }

    #[test]
    fn reasons_carry_the_numbers_and_decimals_stay_exact() {
        let set = load(
            "rules:\n  - id: s\n    kind: structuring\n    description: split\n    threshold: \"9999.999999999999999999\"\n    from: \"9999.999999999999999997\"\n    min_count: 3\n    window: 24h\n    score: 60\n    level: high\n",
        )
        .unwrap();
        let out = run(
            &set,
            &[
                tx("a", "2026-01-01T00:00:00Z", "9999.999999999999999997"),
                tx("b", "2026-01-01T01:00:00Z", "9999.999999999999999998"),
                tx("c", "2026-01-01T02:00:00Z", "9999.999999999999999999"),
                tx("d", "2026-01-01T03:00:00Z", "9999.999999999999999998"),
            ],
        );
        // the third is at the (exclusive) threshold, so only a, b, d form the group
        assert!(out[2].is_empty(), "{out:?}");
        assert_eq!(
            out[3],
            ["s (split): 3 transfers of 9,999.999999999999999997 USD to under 9,999.999999999999999999 USD within 24h: 9,999.999999999999999997 + 9,999.999999999999999998 + 9,999.999999999999999998 USD"]
        );
    }

    #[test]
    fn huge_values_saturate_instead_of_overflowing() {
        let set = load("rules:\n  - id: v\n    kind: velocity\n    description: d\n    max_sum: 1\n    direction: outgoing\n    window: 24h\n    score: 1\n  - id: u\n    kind: unusual_activity\n    measure: value_spike\n    min_prior: 1\n    multiple: 10\n    lookback: 30d\n    direction: any\n    description: d\n    score: 1\n").unwrap();
        let max = rust_decimal::Decimal::MAX.to_string();
        let out = run(
            &set,
            &[
                tx("a", "2026-01-01T00:00:00Z", &max),
                tx("b", "2026-01-01T00:00:01Z", &max),
            ],
        );
        assert!(
            out[1][0].contains("total 79,228,162,514,264,337,593,543,950,335"),
            "{out:?}"
        );
    }

    #[test]
    fn disabled_rules_are_validated_but_never_fire() {
        let set = load("rules:\n  - id: a\n    kind: amount\n    description: d\n    threshold: 1\n    direction: any\n    enabled: false\n    level: high\n    action: block\n").unwrap();
        assert!(run(&set, &[tx("a", "2026-01-01T00:00:00Z", "5")])[0].is_empty());
        let r = set.rule("a").unwrap();
        assert_eq!(
            (r.contribution.level_floor, r.contribution.action),
            (Some(RiskLevel::High), Some(Action::Block))
        );
        assert_eq!(r.defined_at, "r.yaml:2");
    }

    #[test]
    fn every_threshold_and_window_is_explicit() {
        // no hidden 15,000 / 10,000 / 1,000 default: each missing number is
        // an error at the rule, naming the key
        for (rule, missing) in [
            ("kind: amount\n    direction: any", "missing 'threshold'"),
            ("kind: amount\n    threshold: 1", "missing 'direction'"),
            (
                "kind: structuring\n    threshold: 10\n    from: 8\n    min_count: 3",
                "missing 'window'",
            ),
            (
                "kind: structuring\n    threshold: 10\n    from: 8\n    window: 24h",
                "missing 'min_count'",
            ),
            (
                "kind: structuring\n    min_count: 3\n    window: 24h",
                "missing the amounts",
            ),
            ("kind: velocity\n    direction: any\n    max_count: 3", "missing 'window'"),
            ("kind: new_counterparty\n    direction: outgoing", "missing 'min_value'"),
            ("kind: travel_rule\n    direction: any", "missing 'threshold'"),
            (
                "kind: unusual_activity\n    measure: rhythm_change\n    multiple: 5\n    lookback: 30d\n    min_prior: 1\n    direction: any\n    recent: 24h",
                "missing 'min_recent'",
            ),
        ] {
            let e = errors(&format!(
                "rules:\n  - id: a\n    description: d\n    score: 5\n    {rule}\n"
            ));
            assert!(
                e.iter()
                    .any(|m| m.starts_with("r.yaml:2:7: ") && m.contains(missing)),
                "{rule}: {e:?}"
            );
        }
    }

    #[test]
    fn vocabularies_are_validated_with_a_hint() {
        let e = errors("rules:\n  - id: a\n    kind: anonymizer\n    description: d\n    ip_flags: [tor, vnp]\n    score: 5\n");
        assert!(
            e[0].starts_with("r.yaml:5:21: 'ip_flags': unknown flag 'vnp', did you mean 'vpn'?"),
            "{e:?}"
        );
        let e = errors("rules:\n  - id: a\n    kind: anonymizer\n    description: d\n    privacy_coins: [XRM]\n    score: 5\n");
        assert!(
            e[0].starts_with(
                "r.yaml:5:21: 'privacy_coins': 'XRM' is no privacy coin, did you mean 'XMR'?"
            ),
            "{e:?}"
        );
        // a currency without a rate, and a typo of a currency
        let e = errors("rules:\n  - id: a\n    kind: amount\n    description: d\n    threshold: 1000 GBP\n    direction: any\n    score: 5\n");
        assert!(
            e[0].starts_with("r.yaml:5:16: 'threshold': no rate for GBP"),
            "{e:?}"
        );
        let e = errors("rules:\n  - id: a\n    kind: amount\n    description: d\n    threshold: 1000 UHA\n    direction: any\n    score: 5\n");
        assert!(e[0].contains("did you mean 'UAH'?"), "{e:?}");
        let policy = "policy:\n  reference_currency: UHA\n  bands:\n    - {level: low, from: 0, to: 39, action: allow}\n    - {level: medium, from: 40, to: 69, action: allow}\n    - {level: high, from: 70, to: 100, action: hold}\n";
        let e = errors(policy);
        assert!(
            e[0].starts_with("r.yaml:2:23: 'reference_currency': 'UHA' is no ISO 4217 currency or known crypto ticker, did you mean 'UAH'?"),
            "{e:?}"
        );
        // a rate without its date and source is refused
        let policy = "policy:\n  reference_currency: USD\n  rates: {UAH: 1/41.4360}\n  bands:\n    - {level: low, from: 0, to: 39, action: allow}\n    - {level: medium, from: 40, to: 69, action: allow}\n    - {level: high, from: 70, to: 100, action: hold}\n";
        let e = errors(policy);
        assert!(
            e.iter().any(|m| m.contains("'rates' needs 'as_of'")),
            "{e:?}"
        );
        assert!(
            e.iter().any(|m| m.contains("'rates' needs 'source'")),
            "{e:?}"
        );
    }

    #[test]
    fn amounts_in_other_currencies_read_through_the_policy_rates() {
        // the rules file sorts before the policy file: the policy is read first
        let rules = SourceText::new(
            "a.yaml",
            "rules:\n  - id: big\n    kind: amount\n    description: d\n    threshold: 400000 UAH\n    direction: any\n    score: 5\n".to_owned(),
        );
        let policy = SourceText::new(
            "z.yaml",
            "policy:\n  reference_currency: USD\n  rates: {as_of: 2025-05-22, source: NBU, UAH: 1/41.4360}\n  bands:\n    - {level: low, from: 0, to: 39, action: allow}\n    - {level: medium, from: 40, to: 69, action: allow}\n    - {level: high, from: 70, to: 100, action: hold}\n".to_owned(),
        );
        let set = RuleSet::from_sources(&[rules, policy]).unwrap();
        let out = run(
            &set,
            &[
                tx("a", "2026-01-01T00:00:00Z", "9653.44"),
                tx("b", "2026-01-01T01:00:00Z", "9653.45"),
            ],
        );
        assert!(out[0].is_empty(), "{out:?}");
        assert_eq!(
            out[1],
            ["big (d): transfer of 9,653.45 USD ≥ 9,653.44 USD (400,000 UAH)"]
        );
    }
}
