//! The YAML policy: rule files parsed, validated with source positions,
//! and compiled before use. A rule set that fails validation is never used.
//!
//! A rules directory holds YAML files; each file's top-level keys say what
//! it holds: `policy` (reference currency, score bands, level → action, see
//! `policy`), `account` (when an account is frozen by policy, see
//! `account`), `platforms` (the forbidden-platform registry, see
//! `crate::platforms`), `rules` (behaviour rules, one module per kind:
//! `structuring`, `velocity`, `anonymizer`, `jurisdiction`,
//! `amount`, `unusual_activity`, `new_counterparty`, `pattern`,
//! `travel_rule`, `third_party`, `customer_profile`, `fraud`) and
//! `tests` (rule tests, see `testing`).
//!
//! Every rule has an `id`, a `kind`, a `description`, its parameters, and
//! what it contributes when it fires: `score` points, a `level` floor
//! and/or an `action` (`block` beats `hold` beats `allow`).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::cases::AccountPolicy;
use crate::decision::Policy;
use crate::model::Finding;
use crate::platforms::{parse_platforms, Platform};

pub(crate) mod account;
pub(crate) mod amount;
pub(crate) mod anonymizer;
pub(crate) mod customer_profile;
pub mod customer_risk;
pub(crate) mod data_file;
pub(crate) mod duration;
pub(crate) mod fields;
pub(crate) mod fraud;
pub(crate) mod jurisdiction;
pub mod kri;
pub(crate) mod money;
pub(crate) mod new_counterparty;
pub(crate) mod pattern;
pub(crate) mod policy;
pub(crate) mod rule;
pub(crate) mod source;
pub(crate) mod structuring;
pub(crate) mod testing;
pub(crate) mod third_party;
pub(crate) mod travel_rule;
pub(crate) mod unusual_activity;
pub(crate) mod velocity;
pub(crate) mod window;

/// A decimal as reasons show it: thousands separators, no trailing zeros.
pub use crate::decision::group_digits;
/// A rule or policy file's identity, for the audit record (defined in the model).
pub use crate::model::FileVersion;
pub use rule::{Contribution, Rule, RuleKind};
pub(crate) use rule::{Derived, PlatformInvolvement, RuleContext};
pub use source::{RuleFileError, SourceText};
pub use testing::{RuleTest, TestOutcome};

/// The validated, compiled contents of a rules directory.
#[derive(Debug, Clone)]
pub struct RuleSet {
    /// Score bands and actions.
    pub(crate) policy: Policy,
    /// Forbidden platforms from every `platforms` file.
    pub(crate) platforms: Vec<Platform>,
    /// Behaviour rules from every `rules` list, in file order.
    pub(crate) rules: Vec<Rule>,
    /// Rule tests from every `tests` list.
    pub(crate) tests: Vec<RuleTest>,
    /// Every file read (rule files and the data files they name), with its hash.
    pub(crate) files: Vec<FileVersion>,
    /// When an account is frozen by policy (the `account:` section).
    pub(crate) account: AccountPolicy,
    /// The customer risk model (the `customer_risk:` section).
    pub(crate) customer_risk: Option<customer_risk::RiskModel>,
    /// The key risk indicators' thresholds (the `kri:` section).
    pub(crate) kri: Option<kri::KriThresholds>,
    /// What loads but is probably a mistake (a `high` band that allows).
    pub(crate) warnings: Vec<RuleFileError>,
}

const TOP_LEVEL_KEYS: &[&str] = &[
    "policy",
    "account",
    "platforms",
    "rules",
    "tests",
    "customer_risk",
    "kri",
];

/// The YAML files of a rules path: the file itself, or every `*.yaml`/`*.yml`
/// file in the directory, sorted by name.
pub fn rule_files(path: &Path) -> Result<Vec<PathBuf>, RuleFileError> {
    if path.is_file() {
        return Ok(vec![path.to_path_buf()]);
    }
    let entries = std::fs::read_dir(path).map_err(|e| {
        RuleFileError::whole_file(path, format!("cannot read rules directory: {e}"))
    })?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.is_file()
                && matches!(
                    p.extension().and_then(|e| e.to_str()),
                    Some("yaml") | Some("yml")
                )
        })
        .collect();
    files.sort();
    Ok(files)
}

/// What the loader collects across files before it can check references.
#[derive(Default)]
struct Collector {
    set_policy: Option<(Policy, String)>,
    /// The policy's currency and rates when the policy itself failed.
    fallback_units: Option<money::Units>,
    account: Option<(AccountPolicy, String)>,
    customer_risk: Option<(customer_risk::RiskModel, String)>,
    kri: Option<(kri::KriThresholds, String)>,
    platforms: Vec<Platform>,
    rules: Vec<(Rule, RuleFileError)>,
    tests: Vec<RuleTest>,
    data: data_file::DataFiles,
    warnings: Vec<RuleFileError>,
}

impl RuleSet {
    /// Loads and validates every rule file under `path` (a file or a
    /// directory). Returns every error found, not just the first.
    pub fn load(path: &Path) -> Result<RuleSet, Vec<RuleFileError>> {
        let files = rule_files(path).map_err(|e| vec![e])?;
        let mut errors = Vec::new();
        let mut sources = Vec::new();
        for file in files {
            match SourceText::read(&file) {
                Ok(s) => sources.push(s),
                Err(e) => errors.push(e),
            }
        }
        match RuleSet::from_sources(&sources) {
            Ok(set) if errors.is_empty() => Ok(set),
            Ok(_) => Err(errors),
            Err(mut e) => {
                errors.append(&mut e);
                Err(errors)
            }
        }
    }

    /// Validates and compiles rule files already read. Data files they name
    /// are read relative to each source's path.
    pub fn from_sources(sources: &[SourceText]) -> Result<RuleSet, Vec<RuleFileError>> {
        let mut errors = Vec::new();
        let mut c = Collector::default();
        let mut files = Vec::new();
        for source in sources {
            files.push(FileVersion {
                path: source.path.display().to_string(),
                sha256: crate::util::sha256_hex(source.text.as_bytes()),
            });
            // the policy first: rules read their amounts in its currency
            if let Err(mut e) = load_source(source, &mut c, Phase::Policy) {
                errors.append(&mut e);
            }
        }
        for source in sources {
            if let Err(mut e) = load_source(source, &mut c, Phase::Rest) {
                errors.append(&mut e);
            }
        }
        // rule ids are unique across files
        let mut ids: HashMap<&str, &RuleFileError> = HashMap::new();
        for (rule, at) in &c.rules {
            if let Some(first) = ids.insert(rule.id.as_str(), at) {
                errors.push(at.with_message(format!(
                    "duplicate rule id '{}' (first defined at {}:{})",
                    rule.id,
                    first.file.display(),
                    first.line
                )));
            }
        }
        // tests name existing rules (or the built-in sanctions/platform
        // checks); when rules failed to compile, their own errors say enough
        let compiled_all = errors.is_empty();
        let builtin = [
            crate::model::SANCTIONS_RULE_ID,
            crate::model::PLATFORMS_RULE_ID,
            crate::model::REPORT_RULE_ID,
        ];
        let known: Vec<&str> = ids.keys().copied().chain(builtin).collect();
        // a renamed rule: in the test's file, named by no test any more
        let named: std::collections::HashSet<&str> = c
            .tests
            .iter()
            .flat_map(|t| t.id_positions.iter().map(|(id, _)| id.as_str()))
            .collect();
        let file_of = |defined_at: &str| {
            defined_at
                .rsplit_once(':')
                .map_or(defined_at, |(f, _)| f)
                .to_owned()
        };
        for test in c.tests.iter().filter(|_| compiled_all) {
            let file = file_of(&test.defined_at);
            let unnamed: Vec<&str> = c
                .rules
                .iter()
                .filter(|(r, _)| file_of(&r.defined_at) == file && !named.contains(r.id.as_str()))
                .map(|(r, _)| r.id.as_str())
                .collect();
            for (id, at) in &test.id_positions {
                if !known.contains(&id.as_str()) {
                    errors.push(renamed_hint(
                        &unnamed,
                        at.with_message(format!("test '{}' names unknown rule '{id}'", test.name)),
                        id,
                        &known,
                    ));
                }
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        files.append(&mut c.data.versions);
        Ok(RuleSet {
            policy: c.set_policy.map(|(p, _)| p).unwrap_or_default(),
            account: c.account.map(|(a, _)| a).unwrap_or_default(),
            customer_risk: c.customer_risk.map(|(m, _)| m),
            kri: c.kri.map(|(k, _)| k),
            platforms: c.platforms,
            rules: c.rules.into_iter().map(|(r, _)| r).collect(),
            tests: c.tests,
            files,
            warnings: c.warnings,
        })
    }

    /// Runs every enabled rule on one transaction; a finding per rule fired.
    pub fn evaluate(&self, ctx: &RuleContext<'_>) -> Vec<Finding> {
        self.rules.iter().filter_map(|r| r.evaluate(ctx)).collect()
    }

    /// What loaded but is probably a mistake, with its position: a `high`
    /// band whose action is `allow` (high-risk operations would pass
    /// unreviewed). `rules check` prints them.
    pub fn warnings(&self) -> &[RuleFileError] {
        &self.warnings
    }

    /// When an account is frozen by policy, and how long a cleared false
    /// positive stays cleared (the `account:` section).
    pub fn account(&self) -> &AccountPolicy {
        &self.account
    }

    /// The customer risk model (the `customer_risk:` section), when the
    /// rule files have one.
    pub fn customer_risk(&self) -> Option<&customer_risk::RiskModel> {
        self.customer_risk.as_ref()
    }

    /// The key risk indicators' thresholds (the `kri:` section), when
    /// the rule files have one.
    pub fn kri(&self) -> Option<&kri::KriThresholds> {
        self.kri.as_ref()
    }

    /// The score bands and what each level does.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// Forbidden platforms from every `platforms` file.
    pub fn platforms(&self) -> &[Platform] {
        &self.platforms
    }

    /// Behaviour rules from every `rules` list, in file order.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// Rule tests from every `tests` list.
    pub fn tests(&self) -> &[RuleTest] {
        &self.tests
    }

    /// Every file read (rule files and the data files they name), with its
    /// hash.
    pub fn files(&self) -> &[FileVersion] {
        &self.files
    }

    /// The furthest any rule looks around a transfer: the history the
    /// customer state must keep.
    pub fn lookback(&self) -> chrono::Duration {
        self.rules
            .iter()
            .map(Rule::lookback)
            .max()
            .unwrap_or_else(chrono::Duration::zero)
    }

    /// A rule by id.
    pub fn rule(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id == id)
    }
}

/// The hint for a test naming a rule id no rule has: the closest id by
/// edits (a typo); else the one rule of the test's file that no test names
/// any more (the rule was renamed); else the most similar id (a renamed
/// rule often keeps most of its id).
fn renamed_hint(
    unnamed_here: &[&str],
    e: RuleFileError,
    id: &str,
    known: &[&str],
) -> RuleFileError {
    let e = e.with_hint_for(id, known.iter().copied());
    if e.hint.is_some() {
        return e;
    }
    if let [only] = unnamed_here {
        return e.with_note(format!(
            "(renamed? rule '{only}' in this file is named by no test)"
        ));
    }
    let best = known
        .iter()
        .map(|k| (strsim::jaro_winkler(id, k), *k))
        .filter(|(s, _)| *s >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0));
    match best {
        Some((_, k)) => e.with_note(format!("(renamed? the closest rule id is '{k}')")),
        None => e,
    }
}

/// Keeps the first of a section that may appear once in the rule files;
/// a second is an error naming where the first is.
#[allow(clippy::too_many_arguments)]
fn keep_once<T>(
    slot: &mut Option<(T, String)>,
    parsed: Result<T, Vec<RuleFileError>>,
    source: &SourceText,
    at: &source::Position<'_>,
    second: &str,
    advice: &str,
    errors: &mut Vec<RuleFileError>,
) {
    match parsed {
        Ok(value) => match slot {
            Some((_, first)) => {
                errors.push(at.error(format!("{second} (the first is at {first}); {advice}")))
            }
            None => *slot = Some((value, format!("{}:{}", source.path.display(), at.line))),
        },
        Err(mut e) => errors.append(&mut e),
    }
}

/// Which keys a pass over the rule files reads: the policy, which says the
/// currency every amount is in, comes before everything else.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Phase {
    Policy,
    Rest,
}

fn load_source(
    source: &SourceText,
    c: &mut Collector,
    phase: Phase,
) -> Result<(), Vec<RuleFileError>> {
    let root = match source.root() {
        Ok(root) => root,
        // a file that does not parse is reported once, by the first pass
        Err(_) if phase == Phase::Rest => return Ok(()),
        Err(e) => return Err(vec![e]),
    };
    let Some(map) = root.as_map() else {
        if phase == Phase::Rest {
            return Ok(());
        }
        return Err(vec![source.at(root).error(format!(
            "a rule file is a mapping with top-level keys {}",
            TOP_LEVEL_KEYS.join(", ")
        ))]);
    };
    let mut errors = Vec::new();
    let units = match (&c.set_policy, &c.fallback_units) {
        (Some((p, _)), _) => money::Units {
            reference: p.reference_currency.clone(),
            rates: p.rates.clone(),
        },
        (None, Some(units)) => units.clone(),
        (None, None) => money::Units {
            reference: Policy::default().reference_currency,
            rates: Default::default(),
        },
    };
    for (key, value) in map {
        let at = source.at(value);
        let key_text = key.as_str().unwrap_or_default();
        if (key_text == "policy") != (phase == Phase::Policy) {
            continue;
        }
        match key_text {
            "platforms" => match parse_platforms(source) {
                Ok(mut p) => c.platforms.append(&mut p),
                Err(mut e) => errors.append(&mut e),
            },
            "policy" => {
                c.warnings.extend(policy::warnings(source, value));
                keep_once(
                    &mut c.set_policy,
                    policy::parse_policy(source, value).inspect_err(|_| {
                        c.fallback_units = c
                            .fallback_units
                            .take()
                            .or_else(|| policy::read_units(source, value));
                    }),
                    source,
                    &at,
                    "a second policy",
                    "keep one policy file",
                    &mut errors,
                )
            }
            "kri" => keep_once(
                &mut c.kri,
                kri::parse(source, value),
                source,
                &at,
                "a second kri section",
                "keep one",
                &mut errors,
            ),
            "customer_risk" => keep_once(
                &mut c.customer_risk,
                customer_risk::parse(source, value, &mut c.data),
                source,
                &at,
                "a second customer_risk model",
                "keep one model",
                &mut errors,
            ),
            "account" => keep_once(
                &mut c.account,
                account::parse_account(source, value),
                source,
                &at,
                "a second account section",
                "keep one",
                &mut errors,
            ),
            "rules" => match value.as_seq() {
                Some(items) => {
                    for item in items {
                        match Rule::compile(source, item, &mut c.data, &units) {
                            Ok(rule) => {
                                let id = item.get("id").unwrap_or(item);
                                c.rules.push((rule, source.at(id).error(String::new())));
                            }
                            Err(mut e) => errors.append(&mut e),
                        }
                    }
                }
                None => errors.push(at.error(format!(
                    "'rules' must be a list of rules, found {}",
                    fields::type_name(value)
                ))),
            },
            "tests" => match value.as_seq() {
                Some(items) => {
                    for item in items {
                        match testing::parse_test(source, item) {
                            Ok(t) => c.tests.push(t),
                            Err(mut e) => errors.append(&mut e),
                        }
                    }
                }
                None => errors.push(at.error(format!(
                    "'tests' must be a list of tests, found {}",
                    fields::type_name(value)
                ))),
            },
            other => {
                // a key that is not text points at the file's mapping
                let at = if key.as_str().is_some() {
                    at
                } else {
                    source.at(root)
                };
                errors.push(
                    at.error(format!(
                        "unknown top-level key '{other}' (valid: {})",
                        TOP_LEVEL_KEYS.join(", ")
                    ))
                    .with_hint_for(other, TOP_LEVEL_KEYS.iter().copied()),
                );
            }
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}
