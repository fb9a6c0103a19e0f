//! The customer risk model: the `customer_risk:` section of a rule file
//! (shipped as `rules/customer_risk.yaml`).
//!
//! Factor groups with weights, each factor graded 0–100 from what is known
//! of the customer ([`CustomerFacts`]); the rating is
//! `R = Σ group weight × Σ factor weight × grade` (weights in percent, each
//! level summing to 100), so `R` runs 0–100, and bands turn it into a
//! level: `R ≥ high` is high, `R ≥ medium` medium, anything lower low.
//! Every rating lists each factor's grade, share and contribution, and
//! why it got that grade.
//!
//! ```yaml
//! customer_risk:
//!   bands: {high: 75, medium: 50}
//!   groups:
//!     - id: geography
//!       weight: 30
//!       factors:
//!         - id: residence
//!           weight: 100
//!           kind: jurisdiction
//!           field: residence               # or nationality
//!           grades:
//!             - {grade: 100, country_lists: [data/fatf_call_for_action.txt]}
//!           otherwise: 0
//!   tests:
//!     - name: a resident of a black-listed country is high
//!       customer: {residence: IR}
//!       expect: {level: high}
//! ```
//!
//! Factor kinds: `jurisdiction` (`field`, `grades` of `country_lists` or
//! `countries`, `otherwise`), `pep` (`grade`: the customer declared
//! themselves a PEP, or a PEP list names them), `document` (`grades` by
//! document type, `missing`, `other`), `declared_activity` (`missing`: no
//! occupation, business type or expected volume declared), `observed_activity`
//! (`window`, `grades` of `{over: N, grade}`: the volume observed in the
//! window is over N times the declared monthly volume), `cases`
//! (`confirmed`, `open`: cases whose hit stands, cases still open),
//! `holds` (`window`, `grades` of `{min: N, grade}`), `anonymizer`
//! (`window`, `grade`: a transfer held by an anonymiser rule). Any factor
//! may carry `floor: medium|high`: graded 100 (its worst), it rates the
//! customer at least that level whatever `R` says (a PEP, a confirmed hit,
//! residence under FATF countermeasures).

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use rust_decimal::Decimal;
use serde::Serialize;

use super::fields::Fields;
use super::jurisdiction::normalize_country;
use super::source::{RuleFileError, SourceText};
use crate::countries::COUNTRY_EXPECTED;
use crate::model::RiskLevel;
use crate::source::{Node, Value};

/// The model: bands, factor groups, and its own tests.
#[derive(Debug, Clone, PartialEq)]
pub struct RiskModel {
    /// `R` at or above this is high.
    pub high: f64,
    /// `R` at or above this (and under `high`) is medium; under it, low.
    pub medium: f64,
    /// The groups, in file order.
    pub groups: Vec<FactorGroup>,
    /// The model's tests (`rules test` runs them).
    pub tests: Vec<RatingTest>,
    /// `file:line` of the section.
    pub defined_at: String,
}

/// A group of factors and its weight (percent of `R`).
#[derive(Debug, Clone, PartialEq)]
pub struct FactorGroup {
    /// Its id.
    pub id: String,
    /// Percent of the rating.
    pub weight: u32,
    /// Its factors; their weights sum to 100.
    pub factors: Vec<Factor>,
}

/// One graded factor.
#[derive(Debug, Clone, PartialEq)]
pub struct Factor {
    /// Its id.
    pub id: String,
    /// Percent of its group.
    pub weight: u32,
    /// How it is graded.
    pub kind: FactorKind,
    /// The level a customer is rated at least when this factor grades 100,
    /// its worst (`floor: high` on `pep`: a PEP is a high-risk customer
    /// whatever the sum), whatever `R` says.
    pub floor: Option<RiskLevel>,
}

/// Which country of the customer a jurisdiction factor reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CountryField {
    /// The country of residence.
    Residence,
    /// Every nationality (the worst grade counts).
    Nationality,
}

/// How a factor is graded (see the module docs).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum FactorKind {
    /// The customer's country against country lists.
    Jurisdiction {
        /// Residence or nationality.
        field: CountryField,
        /// (grade, countries each with the list that names it), first
        /// match wins.
        grades: Vec<(u32, Vec<(String, String)>)>,
        /// The grade of any other country, and of none.
        otherwise: u32,
    },
    /// A politically exposed person (declared, or named by a PEP list).
    Pep {
        /// The grade of a PEP.
        grade: u32,
    },
    /// The identity document verified at onboarding.
    Document {
        /// Grade by document type.
        grades: BTreeMap<String, u32>,
        /// No document recorded.
        missing: u32,
        /// A type the grades do not name.
        other: u32,
    },
    /// Whether the customer declared what they do and how much they move.
    DeclaredActivity {
        /// Nothing declared.
        missing: u32,
    },
    /// The volume observed against the declared one.
    ObservedActivity {
        /// How far back the observed volume is summed (compared with the
        /// declared monthly volume scaled to it).
        window: Duration,
        /// (more than this many times the declared volume, grade), the
        /// highest reached counts.
        grades: Vec<(Decimal, u32)>,
    },
    /// Cases and their outcomes.
    Cases {
        /// A case whose hit stands (confirmed or reported).
        confirmed: u32,
        /// A case not yet closed.
        open: u32,
    },
    /// Holds in the window.
    Holds {
        /// How far back.
        window: Duration,
        /// (at least this many holds, grade), the highest reached counts.
        grades: Vec<(u32, u32)>,
    },
    /// Transfers held by an anonymiser rule in the window.
    Anonymizer {
        /// How far back.
        window: Duration,
        /// The grade when there was one.
        grade: u32,
    },
}

/// What the model reads of a customer. The screener gathers it from the
/// registry, the case store and the customer history.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CustomerFacts {
    /// Country of residence, as given.
    pub residence: Option<String>,
    /// Nationalities, as given.
    pub nationality: Vec<String>,
    /// The customer declared themselves a PEP.
    pub pep_declared: bool,
    /// A PEP list names the customer (a case on a PEP entry).
    pub pep_hit: bool,
    /// The identity document verified at onboarding.
    pub document: Option<String>,
    /// Whether an occupation, business type or expected volume is declared.
    pub activity_declared: bool,
    /// The declared monthly volume in the reference currency (`None`: not
    /// declared, or in a currency without a rate).
    pub declared_monthly: Option<Decimal>,
    /// (event time, value in the reference currency) of the transfers the
    /// history holds; `None` when no history is at hand (a process that
    /// does not screen transfers).
    pub observed: Option<Vec<(DateTime<Utc>, Decimal)>>,
    /// Cases whose hit stands.
    pub confirmed_cases: Vec<u64>,
    /// Cases not yet closed.
    pub open_cases: Vec<u64>,
    /// When each hold was decided.
    pub holds: Vec<DateTime<Utc>>,
    /// When each transfer an anonymiser rule held was decided.
    pub anonymizer_holds: Vec<DateTime<Utc>>,
}

/// A customer's rating with every factor's part in it.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct Rating {
    /// The customer.
    pub customer_id: String,
    /// `R`, 0–100, one decimal.
    pub score: f64,
    /// The band it falls in, or the floor of a factor that raised it.
    pub level: RiskLevel,
    /// The factor whose floor raised the level above `R`'s band.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub raised_by: Option<String>,
    /// Each factor, in model order.
    pub factors: Vec<FactorScore>,
    /// What made it be computed: `import`, `case 12 confirmed`, `hold`,
    /// `on demand`, …
    pub trigger: String,
    /// When.
    pub rated_at: DateTime<Utc>,
}

/// One factor's part in a rating.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct FactorScore {
    /// `group.factor`.
    pub factor: String,
    /// Its grade, 0–100.
    pub grade: u32,
    /// Its share of `R` (group weight × factor weight), 0–1.
    pub share: f64,
    /// grade × share.
    pub contribution: f64,
    /// Why this grade.
    pub why: String,
}

impl Rating {
    /// One line: `high (R 78.5): geography.residence 30.0 (IR on …), …`
    /// with the factors that contribute, largest first.
    pub fn explain(&self) -> String {
        let mut parts: Vec<&FactorScore> = self
            .factors
            .iter()
            .filter(|f| f.contribution > 0.0)
            .collect();
        parts.sort_by(|a, b| b.contribution.total_cmp(&a.contribution));
        let body: Vec<String> = parts
            .iter()
            .map(|f| format!("{} {:.1} ({})", f.factor, f.contribution, f.why))
            .collect();
        let raised = self
            .raised_by
            .as_deref()
            .map(|f| format!(", raised to {} by {f}", self.level.name()))
            .unwrap_or_default();
        format!(
            "{} (R {:.1}{raised}): {}",
            self.level.name(),
            self.score,
            if body.is_empty() {
                "no factor contributes".to_owned()
            } else {
                body.join("; ")
            }
        )
    }
}

impl RiskModel {
    /// Rates a customer: each factor graded, weighted and summed.
    pub fn rate(&self, customer_id: &str, facts: &CustomerFacts, now: DateTime<Utc>) -> Rating {
        let mut factors = Vec::new();
        let mut score = 0.0;
        let mut floor: Option<(RiskLevel, String)> = None;
        for g in &self.groups {
            for f in &g.factors {
                let (grade, why) = f.kind.grade(facts, now);
                if let Some(level) = f.floor.filter(|_| grade >= 100) {
                    if floor.as_ref().map_or(true, |(l, _)| level > *l) {
                        floor = Some((level, format!("{}.{}", g.id, f.id)));
                    }
                }
                let share = f64::from(g.weight) / 100.0 * f64::from(f.weight) / 100.0;
                let contribution = f64::from(grade) * share;
                score += contribution;
                factors.push(FactorScore {
                    factor: format!("{}.{}", g.id, f.id),
                    grade,
                    share,
                    contribution: (contribution * 10.0).round() / 10.0,
                    why,
                });
            }
        }
        let score = (score * 10.0).round() / 10.0;
        let banded = self.level(score);
        let (level, raised_by) = match floor {
            Some((l, by)) if l > banded => (l, Some(by)),
            _ => (banded, None),
        };
        Rating {
            customer_id: customer_id.to_owned(),
            score,
            level,
            raised_by,
            factors,
            trigger: String::new(),
            rated_at: now,
        }
    }

    /// The band of a score.
    pub fn level(&self, score: f64) -> RiskLevel {
        if score >= self.high {
            RiskLevel::High
        } else if score >= self.medium {
            RiskLevel::Medium
        } else {
            RiskLevel::Low
        }
    }

    /// Runs the model's tests: each failure as text, empty when all pass.
    pub fn run_tests(&self) -> Vec<(String, String, Vec<String>)> {
        let now = Utc::now();
        self.tests
            .iter()
            .map(|t| {
                let r = self.rate("test", &t.facts.at(now), now);
                let mut failures = Vec::new();
                if let Some(level) = t.level {
                    if r.level != level {
                        failures.push(format!(
                            "expected level {}, got {} — {}",
                            level.name(),
                            r.level.name(),
                            r.explain()
                        ));
                    }
                }
                if let Some(min) = t.min_score {
                    if r.score < min {
                        failures.push(format!(
                            "expected R ≥ {min}, got {} — {}",
                            r.score,
                            r.explain()
                        ));
                    }
                }
                if let Some(max) = t.max_score {
                    if r.score > max {
                        failures.push(format!(
                            "expected R ≤ {max}, got {} — {}",
                            r.score,
                            r.explain()
                        ));
                    }
                }
                (t.name.clone(), t.defined_at.clone(), failures)
            })
            .collect()
    }
}

impl FactorKind {
    fn grade(&self, facts: &CustomerFacts, now: DateTime<Utc>) -> (u32, String) {
        match self {
            FactorKind::Jurisdiction {
                field,
                grades,
                otherwise,
            } => {
                let countries: Vec<&str> = match field {
                    CountryField::Residence => facts.residence.iter().map(String::as_str).collect(),
                    CountryField::Nationality => {
                        facts.nationality.iter().map(String::as_str).collect()
                    }
                };
                let what = match field {
                    CountryField::Residence => "residence",
                    CountryField::Nationality => "nationality",
                };
                let mut best: Option<(u32, String)> = None;
                for c in countries {
                    let Some(code) = normalize_country(c) else {
                        continue;
                    };
                    for (grade, list) in grades {
                        if let Some((_, from)) = list.iter().find(|(l, _)| *l == code) {
                            if best.as_ref().map_or(true, |(b, _)| grade > b) {
                                best = Some((*grade, format!("{what} {code} is on {from}")));
                            }
                            break;
                        }
                    }
                }
                best.unwrap_or_else(|| {
                    let shown = match field {
                        CountryField::Residence => facts.residence.clone(),
                        CountryField::Nationality => {
                            (!facts.nationality.is_empty()).then(|| facts.nationality.join(", "))
                        }
                    };
                    match shown {
                        Some(c) => (
                            *otherwise,
                            format!("{what} {c} is on no listed jurisdiction"),
                        ),
                        None => (*otherwise, format!("no {what} given")),
                    }
                })
            }
            FactorKind::Pep { grade } => match (facts.pep_declared, facts.pep_hit) {
                (_, true) => (*grade, "a PEP list names the customer".into()),
                (true, false) => (*grade, "declared a politically exposed person".into()),
                _ => (0, "not a politically exposed person".into()),
            },
            FactorKind::Document {
                grades,
                missing,
                other,
            } => match facts
                .document
                .as_deref()
                .map(str::trim)
                .filter(|d| !d.is_empty())
            {
                None => (*missing, "no identity document recorded".into()),
                Some(d) => match grades.get(&d.to_lowercase()) {
                    Some(g) => (*g, format!("document {d}")),
                    None => (
                        *other,
                        format!("document {d}, a type the model does not grade"),
                    ),
                },
            },
            FactorKind::DeclaredActivity { missing } => {
                if facts.activity_declared {
                    (0, "activity declared".into())
                } else {
                    (
                        *missing,
                        "no occupation, business type or expected volume declared".into(),
                    )
                }
            }
            FactorKind::ObservedActivity { window, grades } => {
                let Some(observed) = &facts.observed else {
                    return (0, "no transfers observed in this process".into());
                };
                let since = now - *window;
                let total: Decimal = observed
                    .iter()
                    .filter(|(t, _)| *t >= since)
                    .map(|(_, v)| *v)
                    .sum();
                let Some(declared) = facts.declared_monthly.filter(|d| *d > Decimal::ZERO) else {
                    return (
                        0,
                        format!("{total} observed; no monthly volume declared to compare"),
                    );
                };
                let days = Decimal::from(window.num_days().max(1));
                // checked: a declared volume of 1e-28 or 1e28 must not panic
                let expected = declared
                    .checked_mul(days)
                    .and_then(|v| v.checked_div(Decimal::from(30)))
                    .filter(|e| *e > Decimal::ZERO);
                let Some(ratio) = expected.and_then(|e| total.checked_div(e)) else {
                    return (
                        0,
                        format!(
                            "{total} observed; the declared volume {declared} cannot be compared"
                        ),
                    );
                };
                let expected = expected.unwrap_or_default();
                let grade = grades
                    .iter()
                    .filter(|(over, _)| ratio > *over)
                    .map(|(_, g)| *g)
                    .max()
                    .unwrap_or(0);
                (
                    grade,
                    format!(
                        "{} observed in {} days against {} expected from the declared volume ({}×)",
                        total.round_dp(2),
                        window.num_days(),
                        expected.round_dp(2),
                        ratio.round_dp(1)
                    ),
                )
            }
            FactorKind::Cases { confirmed, open } => {
                if let Some(c) = facts.confirmed_cases.first() {
                    (
                        *confirmed,
                        format!(
                            "{} case{} whose hit stands (case {c})",
                            facts.confirmed_cases.len(),
                            if facts.confirmed_cases.len() == 1 {
                                ""
                            } else {
                                "s"
                            }
                        ),
                    )
                } else if let Some(c) = facts.open_cases.first() {
                    (
                        *open,
                        format!(
                            "{} open case{} (case {c})",
                            facts.open_cases.len(),
                            if facts.open_cases.len() == 1 { "" } else { "s" }
                        ),
                    )
                } else {
                    (0, "no open case, none confirmed".into())
                }
            }
            FactorKind::Holds { window, grades } => {
                let since = now - *window;
                let n = facts.holds.iter().filter(|t| **t >= since).count() as u32;
                let grade = grades
                    .iter()
                    .filter(|(min, _)| n >= *min)
                    .map(|(_, g)| *g)
                    .max()
                    .unwrap_or(0);
                (
                    grade,
                    format!(
                        "{n} hold{} in {} days",
                        if n == 1 { "" } else { "s" },
                        window.num_days()
                    ),
                )
            }
            FactorKind::Anonymizer { window, grade } => {
                let since = now - *window;
                let n = facts
                    .anonymizer_holds
                    .iter()
                    .filter(|t| **t >= since)
                    .count();
                if n > 0 {
                    (
                        *grade,
                        format!(
                            "{n} transfer{} held for an anonymiser in {} days",
                            if n == 1 { "" } else { "s" },
                            window.num_days()
                        ),
                    )
                } else {
                    (
                        0,
                        format!("no anonymiser use held in {} days", window.num_days()),
                    )
                }
            }
        }
    }
}

/// A test of the model: the facts of a customer and the level (or score
/// range) expected.
#[derive(Debug, Clone, PartialEq)]
pub struct RatingTest {
    /// Its name.
    pub name: String,
    /// `file:line`.
    pub defined_at: String,
    /// The customer.
    pub facts: TestFacts,
    /// The level expected.
    pub level: Option<RiskLevel>,
    /// `R` at least.
    pub min_score: Option<f64>,
    /// `R` at most.
    pub max_score: Option<f64>,
}

/// A test customer: counts stand for events at the time of the test.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TestFacts {
    residence: Option<String>,
    nationality: Vec<String>,
    pep: bool,
    pep_hit: bool,
    document: Option<String>,
    activity_declared: bool,
    declared_monthly: Option<Decimal>,
    observed: Option<Decimal>,
    confirmed_cases: u32,
    open_cases: u32,
    holds: u32,
    anonymizer_holds: u32,
}

impl TestFacts {
    fn at(&self, now: DateTime<Utc>) -> CustomerFacts {
        CustomerFacts {
            residence: self.residence.clone(),
            nationality: self.nationality.clone(),
            pep_declared: self.pep,
            pep_hit: self.pep_hit,
            document: self.document.clone(),
            activity_declared: self.activity_declared || self.declared_monthly.is_some(),
            declared_monthly: self.declared_monthly,
            observed: self.observed.map(|v| vec![(now, v)]),
            confirmed_cases: (1..=u64::from(self.confirmed_cases)).collect(),
            open_cases: (1..=u64::from(self.open_cases)).collect(),
            holds: vec![now; self.holds as usize],
            anonymizer_holds: vec![now; self.anonymizer_holds as usize],
        }
    }
}

/// Each item of the list under `key`, parsed by `parse`; every error
/// lands in `f`. A missing key, or one that is no list, is the error
/// `missing` (unless `missing` is `None`: the list is optional).
fn items<T>(
    f: &mut Fields<'_>,
    key: &'static str,
    missing: Option<&str>,
    mut parse: impl FnMut(&Node) -> Result<T, Vec<RuleFileError>>,
) -> Vec<T> {
    let mut out = Vec::new();
    match f.raw(key) {
        Some(Node {
            value: Value::Seq(list),
            ..
        }) => {
            for item in list {
                match parse(item) {
                    Ok(v) => out.push(v),
                    Err(errors) => errors.into_iter().for_each(|e| f.push(e)),
                }
            }
        }
        _ => {
            if let Some(m) = missing {
                f.error(key, m);
            }
        }
    }
    out
}

/// [`items`] for a list of mappings, each read through its own [`Fields`]
/// by `read` (a value when its keys read).
fn mappings<T>(
    f: &mut Fields<'_>,
    source: &SourceText,
    key: &'static str,
    missing: &str,
    mut read: impl FnMut(&mut Fields<'_>) -> Option<T>,
) -> Vec<T> {
    items(f, key, Some(missing), |item| {
        let mut sub = Fields::new(source, item).map_err(|e| vec![e])?;
        let value = read(&mut sub);
        let errors = sub.finish();
        match value {
            Some(v) if errors.is_empty() => Ok(v),
            _ => Err(errors),
        }
    })
}

fn grade_value(f: &mut Fields<'_>, key: &'static str) -> Option<u32> {
    let present = f.present(key);
    let v = f.opt_count(key, 0, 100);
    if !present {
        f.error(key, format!("missing '{key}' (a grade 0–100)"));
    }
    v.or(if present { None } else { Some(0) })
}

/// Parses and validates the `customer_risk` mapping.
pub fn parse(
    source: &SourceText,
    value: &Node,
    data: &mut super::data_file::DataFiles,
) -> Result<RiskModel, Vec<RuleFileError>> {
    let mut f = Fields::new(source, value).map_err(|e| vec![e])?;
    let defined_at = {
        let p = f.position();
        format!("{}:{}", source.path.display(), p.line)
    };
    let (mut high, mut medium) = (75.0, 50.0);
    match f.raw("bands") {
        Some(bands) => match Fields::new(source, bands) {
            Ok(mut b) => {
                let h = b.opt_count("high", 1, 100);
                let m = b.opt_count("medium", 1, 100);
                match (h, m) {
                    (Some(h), Some(m)) if m < h => {
                        high = f64::from(h);
                        medium = f64::from(m);
                    }
                    (Some(_), Some(_)) => b.error("medium", "'medium' must be under 'high'"),
                    _ => {
                        if !b.present("high") {
                            b.error("high", "missing 'high' (R at or above it is high)");
                        }
                        if !b.present("medium") {
                            b.error("medium", "missing 'medium' (R at or above it is medium)");
                        }
                    }
                }
                for e in b.finish() {
                    f.push(e);
                }
            }
            Err(e) => f.push(e),
        },
        None => f.error("bands", "missing 'bands' ({high: 75, medium: 50})"),
    }
    let groups = items(
        &mut f,
        "groups",
        Some("missing 'groups' (a list of factor groups with weights)"),
        |item| parse_group(source, item, data),
    );
    let total: u32 = groups.iter().map(|g| g.weight).sum();
    if !f.has_errors() && total != 100 {
        f.error(
            "groups",
            format!("the group weights sum to {total}: they must sum to 100 (R runs 0–100)"),
        );
    }
    let mut seen = std::collections::HashSet::new();
    for g in &groups {
        if !seen.insert(g.id.clone()) {
            f.error("groups", format!("group id '{}' given twice", g.id));
        }
    }
    let tests = items(&mut f, "tests", None, |item| parse_test(source, item));
    let errors = f.finish();
    if errors.is_empty() {
        Ok(RiskModel {
            high,
            medium,
            groups,
            tests,
            defined_at,
        })
    } else {
        Err(errors)
    }
}

fn parse_group(
    source: &SourceText,
    item: &Node,
    data: &mut super::data_file::DataFiles,
) -> Result<FactorGroup, Vec<RuleFileError>> {
    let mut g = Fields::new(source, item).map_err(|e| vec![e])?;
    let id = g.required_text("id").unwrap_or_default();
    let weight = g.opt_count("weight", 0, 100);
    if !g.present("weight") {
        g.error("weight", "missing 'weight' (percent of the rating)");
    }
    let factors = items(
        &mut g,
        "factors",
        Some("missing 'factors' (a list of graded factors)"),
        |item| parse_factor(source, item, data),
    );
    let total: u32 = factors.iter().map(|f| f.weight).sum();
    if !g.has_errors() && total != 100 {
        g.error(
            "factors",
            format!("the factor weights of group '{id}' sum to {total}: they must sum to 100"),
        );
    }
    let errors = g.finish();
    if errors.is_empty() {
        Ok(FactorGroup {
            id,
            weight: weight.unwrap_or(0),
            factors,
        })
    } else {
        Err(errors)
    }
}

const FACTOR_KINDS: &[&str] = &[
    "jurisdiction",
    "pep",
    "document",
    "declared_activity",
    "observed_activity",
    "cases",
    "holds",
    "anonymizer",
];

fn parse_factor(
    source: &SourceText,
    item: &Node,
    data: &mut super::data_file::DataFiles,
) -> Result<Factor, Vec<RuleFileError>> {
    let mut f = Fields::new(source, item).map_err(|e| vec![e])?;
    let id = f.required_text("id").unwrap_or_default();
    let weight = f.opt_count("weight", 0, 100);
    if !f.present("weight") {
        f.error("weight", "missing 'weight' (percent of its group)");
    }
    let floor = f.opt_choice("floor", super::rule::LEVELS);
    let kind_text = f.required_text("kind").unwrap_or_default();
    let kind =
        match kind_text.as_str() {
            "jurisdiction" => {
                let field = match f.required_text("field").as_deref() {
                    Some("residence") => Some(CountryField::Residence),
                    Some("nationality") => Some(CountryField::Nationality),
                    Some(other) => {
                        f.error(
                            "field",
                            format!("'{other}' is not residence or nationality"),
                        );
                        None
                    }
                    None => None,
                };
                let grades = mappings(
                    &mut f,
                    source,
                    "grades",
                    "missing 'grades' (a list of {grade, country_lists})",
                    |gf| {
                        let grade = grade_value(gf, "grade");
                        let mut codes: Vec<(String, String)> = Vec::new();
                        for name in gf.texts("country_lists") {
                            match data.read(&source.path, &name) {
                                Ok(file) => {
                                    for entry in &file.entries {
                                        match normalize_country(&entry.value) {
                                            Some(c) => codes.push((c.into_owned(), name.clone())),
                                            None => gf.push(file.error_at(
                                                entry,
                                                format!(
                                                "'{}' is not a country — write {COUNTRY_EXPECTED}",
                                                entry.value
                                            ),
                                            )),
                                        }
                                    }
                                }
                                Err(e) => gf.error("country_lists", e),
                            }
                        }
                        for c in gf.texts("countries") {
                            match normalize_country(&c) {
                                Some(code) => codes
                                    .push((code.into_owned(), "the model's own countries".into())),
                                None => gf.error(
                                    "countries",
                                    format!("'{c}' is not a country — write {COUNTRY_EXPECTED}"),
                                ),
                            }
                        }
                        if codes.is_empty() && !gf.has_errors() {
                            gf.error(
                                "country_lists",
                                "a grade needs 'country_lists' (files) or 'countries'",
                            );
                        }
                        grade.map(|g| (g, codes))
                    },
                );
                let otherwise = grade_value(&mut f, "otherwise").unwrap_or(0);
                field.map(|field| FactorKind::Jurisdiction {
                    field,
                    grades,
                    otherwise,
                })
            }
            "pep" => grade_value(&mut f, "grade").map(|grade| FactorKind::Pep { grade }),
            "document" => {
                let mut grades = BTreeMap::new();
                match f.raw("grades") {
                    Some(node) => match node.as_map() {
                        Some(map) => {
                            for (k, v) in map {
                                let key = k.as_str().unwrap_or_default().to_lowercase();
                                match v.number_text().and_then(|t| t.parse::<u32>().ok()) {
                                    Some(g) if g <= 100 => {
                                        grades.insert(key, g);
                                    }
                                    _ => f.push(source.at(v).error(format!(
                                        "grade of document '{key}' must be a whole number 0–100"
                                    ))),
                                }
                            }
                        }
                        None => f.error("grades", "'grades' must map document types to grades"),
                    },
                    None => f.error("grades", "missing 'grades' (document type: grade)"),
                }
                let missing = grade_value(&mut f, "missing");
                let other = grade_value(&mut f, "other");
                match (missing, other) {
                    (Some(missing), Some(other)) => Some(FactorKind::Document {
                        grades,
                        missing,
                        other,
                    }),
                    _ => None,
                }
            }
            "declared_activity" => grade_value(&mut f, "missing")
                .map(|missing| FactorKind::DeclaredActivity { missing }),
            "observed_activity" => {
                let window =
                    f.required_duration("window", "the window the observed volume is summed over");
                let grades = mappings(
                    &mut f,
                    source,
                    "grades",
                    "missing 'grades' (a list of {over, grade})",
                    |gf| {
                        let over = gf.required_decimal("over", "times the declared volume");
                        let grade = grade_value(gf, "grade");
                        over.zip(grade)
                    },
                );
                window.map(|w| FactorKind::ObservedActivity {
                    window: w.as_duration(),
                    grades,
                })
            }
            "cases" => match (
                grade_value(&mut f, "confirmed"),
                grade_value(&mut f, "open"),
            ) {
                (Some(confirmed), Some(open)) => Some(FactorKind::Cases { confirmed, open }),
                _ => None,
            },
            "holds" => {
                let window = f.required_duration("window", "how far back holds count");
                let grades = mappings(
                    &mut f,
                    source,
                    "grades",
                    "missing 'grades' (a list of {min, grade})",
                    |gf| {
                        let min = gf.required_count("min", 1, 10_000, "holds");
                        let grade = grade_value(gf, "grade");
                        min.zip(grade)
                    },
                );
                window.map(|w| FactorKind::Holds {
                    window: w.as_duration(),
                    grades,
                })
            }
            "anonymizer" => {
                let window = f.required_duration("window", "how far back");
                let grade = grade_value(&mut f, "grade");
                match (window, grade) {
                    (Some(w), Some(grade)) => Some(FactorKind::Anonymizer {
                        window: w.as_duration(),
                        grade,
                    }),
                    _ => None,
                }
            }
            "" => None,
            other => {
                f.error(
                    "kind",
                    format!(
                        "unknown factor kind '{other}' (kinds: {})",
                        FACTOR_KINDS.join(", ")
                    ),
                );
                None
            }
        };
    let errors = f.finish();
    match kind {
        Some(kind) if errors.is_empty() => Ok(Factor {
            id,
            weight: weight.unwrap_or(0),
            kind,
            floor,
        }),
        _ => Err(errors),
    }
}

fn parse_test(source: &SourceText, item: &Node) -> Result<RatingTest, Vec<RuleFileError>> {
    let mut t = Fields::new(source, item).map_err(|e| vec![e])?;
    let name = t.required_text("name").unwrap_or_default();
    let defined_at = format!("{}:{}", source.path.display(), t.position().line);
    let mut facts = TestFacts::default();
    match t.raw("customer") {
        Some(c) => match Fields::new(source, c) {
            Ok(mut c) => {
                facts.residence = c.text("residence");
                facts.nationality = c.texts("nationality");
                facts.pep = c.flag("pep", false);
                facts.pep_hit = c.flag("pep_hit", false);
                facts.document = c.text("document");
                facts.activity_declared = c.flag("activity_declared", false);
                facts.declared_monthly = c.opt_decimal("declared_monthly");
                facts.observed = c.opt_decimal("observed");
                facts.confirmed_cases = c.opt_count("confirmed_cases", 0, 1000).unwrap_or(0);
                facts.open_cases = c.opt_count("open_cases", 0, 1000).unwrap_or(0);
                facts.holds = c.opt_count("holds", 0, 1000).unwrap_or(0);
                facts.anonymizer_holds = c.opt_count("anonymizer_holds", 0, 1000).unwrap_or(0);
                for country in facts.residence.iter().chain(&facts.nationality) {
                    if normalize_country(country).is_none() {
                        c.error(
                            "residence",
                            format!("'{country}' is not a country — write {COUNTRY_EXPECTED}"),
                        );
                    }
                }
                for e in c.finish() {
                    t.push(e);
                }
            }
            Err(e) => t.push(e),
        },
        None => t.error("customer", "missing 'customer' (the facts the test rates)"),
    }
    let (mut level, mut min_score, mut max_score) = (None, None, None);
    match t.raw("expect") {
        Some(e) => match Fields::new(source, e) {
            Ok(mut e) => {
                level = match e.text("level").as_deref() {
                    None => None,
                    Some("low") => Some(RiskLevel::Low),
                    Some("medium") => Some(RiskLevel::Medium),
                    Some("high") => Some(RiskLevel::High),
                    Some(other) => {
                        e.error("level", format!("'{other}' is not low, medium or high"));
                        None
                    }
                };
                min_score = e
                    .opt_decimal("min_score")
                    .and_then(|d| d.to_string().parse().ok());
                max_score = e
                    .opt_decimal("max_score")
                    .and_then(|d| d.to_string().parse().ok());
                if level.is_none() && min_score.is_none() && max_score.is_none() && !e.has_errors()
                {
                    e.error(
                        "level",
                        "an expectation needs 'level', 'min_score' or 'max_score'",
                    );
                }
                for err in e.finish() {
                    t.push(err);
                }
            }
            Err(e) => t.push(e),
        },
        None => t.error("expect", "missing 'expect' ({level: high})"),
    }
    let errors = t.finish();
    if errors.is_empty() {
        Ok(RatingTest {
            name,
            defined_at,
            facts,
            level,
            min_score,
            max_score,
        })
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::super::{RuleSet, SourceText};

    fn errors(text: &str) -> Vec<String> {
        RuleSet::from_sources(&[SourceText::new("m.yaml", text.to_owned())])
            .err()
            .unwrap_or_default()
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    const MODEL: &str = "customer_risk:\n  bands: {high: 75, medium: 50}\n  groups:\n    - id: g\n      weight: 100\n      factors:\n        - {id: pep, weight: 100, kind: pep, grade: 100}\n";

    #[test]
    fn a_valid_model_loads_and_rates() {
        let set = RuleSet::from_sources(&[SourceText::new("m.yaml", MODEL.to_owned())]).unwrap();
        let model = set.customer_risk().unwrap();
        let facts = super::CustomerFacts {
            pep_declared: true,
            ..Default::default()
        };
        let r = model.rate("c", &facts, chrono::Utc::now());
        assert_eq!(r.score, 100.0);
        assert_eq!(r.level, crate::model::RiskLevel::High);
    }

    #[test]
    fn a_declared_volume_too_small_or_too_large_to_compare_grades_nothing_and_does_not_panic() {
        let text = "customer_risk:\n  bands: {high: 75, medium: 50}\n  groups:\n    - id: g\n      weight: 100\n      factors:\n        - {id: o, weight: 100, kind: observed_activity, window: 7d, grades: [{over: 2, grade: 100}]}\n";
        let set = RuleSet::from_sources(&[SourceText::new("m.yaml", text.to_owned())]).unwrap();
        let model = set.customer_risk().unwrap();
        let now = chrono::Utc::now();
        for declared in [
            "0.0000000000000000000000000001",
            "79228162514264337593543950335",
        ] {
            let facts = super::CustomerFacts {
                declared_monthly: Some(declared.parse().unwrap()),
                observed: Some(vec![(now, rust_decimal::Decimal::from(5))]),
                ..Default::default()
            };
            let r = model.rate("c", &facts, now);
            assert_eq!(r.factors[0].grade, 0, "{}", r.factors[0].why);
        }
    }

    #[test]
    fn weights_kinds_grades_and_bands_are_checked_with_positions() {
        let e = errors(&MODEL.replace("weight: 100\n      factors", "weight: 90\n      factors"));
        assert!(
            e.iter().any(|e| e.contains("group weights sum to 90")),
            "{e:?}"
        );
        let e = errors(&MODEL.replace("kind: pep", "kind: pepp"));
        assert!(
            e.iter()
                .any(|e| e.starts_with("m.yaml:7:") && e.contains("unknown factor kind 'pepp'")),
            "{e:?}"
        );
        let e = errors(&MODEL.replace("grade: 100}", "grade: 140}"));
        assert!(!e.is_empty(), "a grade over 100 is refused");
        let e = errors(&MODEL.replace("{high: 75, medium: 50}", "{high: 50, medium: 75}"));
        assert!(
            e.iter()
                .any(|e| e.contains("'medium' must be under 'high'")),
            "{e:?}"
        );
        let e = errors(&format!("{MODEL}  tests:\n    - name: t\n      customer: {{residence: Atlantis}}\n      expect: {{level: high}}\n"));
        assert!(
            e.iter().any(|e| e.contains("'Atlantis' is not a country")),
            "{e:?}"
        );
    }
}
