//! The compiled, immutable screening engine: built once from config
//! (slow, validating), then `screen` many times from many threads (fast,
//! read-only on lists, names, addresses and platforms).

use std::path::Path;
use std::sync::{Arc, Mutex};

use chrono::Utc;
use rust_decimal::Decimal;

use crate::addresses::AddressIndex;
use crate::audit::AuditLog;
use crate::config::Config;
use crate::error::Error;
use crate::lists::{Entity, ListVersion, LoadedList};
use crate::model::{
    Action, Decision, Finding, FindingKind, ListRef, Match, Party, PartyRole, Provenance,
    RiskLevel, Transaction, ENGINE_VERSION,
};
use crate::names::{MatchConfig, NameHit, NameIndex, NameQuery};
use crate::platforms::{PlatformRegistry, PlatformVia};
use crate::rules::{PlatformInvolvement, RuleContext, RuleSet};
use crate::snapshot::{CompiledLists, ListsOrigin};
use crate::state::{StateConfig, StateStore};

/// Rule id of name and address hits on sanctions lists and watchlists.
pub const SANCTIONS_RULE_ID: &str = "sanctions";
/// Rule id of forbidden-platform hits.
pub const PLATFORMS_RULE_ID: &str = "platforms";
/// Points a blocking sanctions or platform hit adds (the whole scale).
const BLOCKING_HIT_POINTS: u32 = crate::decision::MAX_SCORE;
/// Most name hits reported per party.
const NAME_HITS_PER_PARTY: usize = 5;

/// The screening engine. `Send + Sync`: share it behind an `Arc`.
///
/// ```no_run
/// use amlscreen::{Config, Screener, Transaction};
/// let config = Config::load("amlscreen.yaml".as_ref())?;
/// let screener = Screener::from_config(&config)?;
/// let tx: Transaction = serde_json::from_str(r#"{"id":"tx-1","timestamp":"2026-11-21T10:15:00Z",
///   "customer_id":"c-1","direction":"outgoing","amount":"10","currency":"EUR","value":"10",
///   "beneficiary":{"name":"Jane Doe","kind":"person"}}"#)?;
/// let decision = screener.screen(&tx)?;
/// println!("{:?} {:?}", decision.risk, decision.action);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct Screener {
    entities: Vec<Entity>,
    lists: Vec<ListVersion>,
    names: NameIndex,
    addresses: AddressIndex<usize>,
    platforms: PlatformRegistry,
    rules: RuleSet,
    provenance: Provenance,
    // Shared with the screeners that replace this one on reload (see
    // `crate::live`): one audit chain and one customer history per process.
    audit: Option<Arc<Mutex<AuditLog>>>,
    state: Arc<StateStore>,
    origin: ListsOrigin,
}

impl Screener {
    /// Loads every list and rule file named by the config and opens the audit log.
    pub fn from_config(config: &Config) -> Result<Screener, Error> {
        let (lists, rules) = load_lists_and_rules(config)?;
        let audit = config
            .audit
            .as_ref()
            .map(|a| AuditLog::open_with(&a.path, a.options()?))
            .transpose()?;
        Ok(Screener::from_compiled(lists, rules, audit).with_state_config(config.state.clone()))
    }

    /// Builds a screener from lists and rules already loaded.
    pub fn build(
        lists: Vec<LoadedList>,
        rules: RuleSet,
        matching: MatchConfig,
        audit: Option<AuditLog>,
    ) -> Screener {
        Screener::from_compiled(CompiledLists::build(lists, matching), rules, audit)
    }

    /// Builds a screener from lists already compiled (parsed and indexed,
    /// or loaded from a snapshot, see [`crate::snapshot`]).
    pub fn from_compiled(
        lists: CompiledLists,
        rules: RuleSet,
        audit: Option<AuditLog>,
    ) -> Screener {
        let CompiledLists {
            lists: versions,
            entities,
            names,
            addresses,
            origin,
        } = lists;
        let platforms = PlatformRegistry::build(rules.platforms.clone(), &entities);
        let provenance = provenance(&versions, &rules);
        let state = StateStore::new(StateConfig::default(), rules.lookback());
        Screener {
            entities,
            lists: versions,
            names,
            addresses,
            platforms,
            rules,
            provenance,
            audit: audit.map(|log| Arc::new(Mutex::new(log))),
            state: Arc::new(state),
            origin,
        }
    }

    /// Replaces the (empty) customer state with one bounded by `config`.
    /// Call before screening: history recorded so far is dropped.
    pub fn with_state_config(mut self, config: StateConfig) -> Screener {
        self.state = Arc::new(StateStore::new(config, self.rules.lookback()));
        self
    }

    /// Takes over `previous`'s audit log and customer state, so a screener
    /// built from new lists or rules continues the same audit chain and the
    /// same per-customer windows (hot reload).
    pub fn continuing(mut self, previous: &Screener) -> Screener {
        self.audit = previous.audit.clone();
        self.state = Arc::clone(&previous.state);
        self
    }

    /// The per-customer history the behaviour rules read and update.
    pub fn state(&self) -> &StateStore {
        &self.state
    }

    /// Writes a checkpoint of the customer state to `path` atomically (see
    /// [`StateStore::save_checkpoint`]).
    pub fn save_state(&self, path: &Path) -> Result<(), Error> {
        Ok(self.state.save_checkpoint(path)?)
    }

    /// Replaces the customer state with the checkpoint at `path`; a corrupt
    /// checkpoint is an error and leaves the state as it was.
    pub fn load_state(&self, path: &Path) -> Result<(), Error> {
        Ok(self.state.load_checkpoint(path)?)
    }

    /// Loads a config file and builds the screener it describes.
    pub fn from_config_file(path: &Path) -> Result<Screener, Error> {
        Screener::from_config(&Config::load(path)?)
    }

    /// Versions of every loaded list.
    pub fn lists(&self) -> &[ListVersion] {
        &self.lists
    }

    /// Where the lists came from: parsed sources, a snapshot, or sources
    /// after a refused snapshot (with the reason).
    pub fn lists_origin(&self) -> &ListsOrigin {
        &self.origin
    }

    /// Every loaded entity, in list order.
    pub fn entities(&self) -> &[Entity] {
        &self.entities
    }

    /// The compiled rule set.
    pub fn rules(&self) -> &RuleSet {
        &self.rules
    }

    /// The forbidden-platform registry.
    pub fn platforms(&self) -> &PlatformRegistry {
        &self.platforms
    }

    /// What decides: engine, list and rule versions.
    pub fn provenance(&self) -> &Provenance {
        &self.provenance
    }

    /// Name-matcher thresholds in force.
    pub fn matching(&self) -> &MatchConfig {
        self.names.config()
    }

    /// Screens one name against every list: hits at or above `threshold`,
    /// best first, at most `limit`, each with its entity.
    pub fn match_name(
        &self,
        query: &NameQuery<'_>,
        threshold: f64,
        limit: usize,
    ) -> Vec<(NameHit, &Entity)> {
        self.names
            .search(query, threshold, limit)
            .into_iter()
            .filter_map(|h| self.entities.get(h.entity).map(|e| (h, e)))
            .collect()
    }

    /// The torn last audit record found (and set aside) when the audit log
    /// was opened, if any: callers should report it.
    pub fn audit_recovery(&self) -> Option<crate::audit::TornTail> {
        let audit = self.audit.as_ref()?;
        let log = audit.lock().unwrap_or_else(|p| p.into_inner());
        log.recovered().cloned()
    }

    /// Screens a transaction and, when an audit log is configured, appends
    /// its audit record before returning the decision.
    pub fn screen(&self, tx: &Transaction) -> Result<Decision, Error> {
        let decision = self.evaluate(tx)?;
        self.append_audit(tx, &decision)?;
        Ok(decision)
    }

    /// Whether decisions are written to an audit log.
    pub(crate) fn has_audit(&self) -> bool {
        self.audit.is_some()
    }

    /// Appends the audit record of a decision, when an audit log is configured.
    pub(crate) fn append_audit(&self, tx: &Transaction, decision: &Decision) -> Result<(), Error> {
        if let Some(audit) = &self.audit {
            // A poisoned lock means a writer panicked mid-append; the file
            // itself is still consistent line by line, so keep going.
            let mut log = audit.lock().unwrap_or_else(|p| p.into_inner());
            log.append_for(
                decision,
                &self.provenance,
                Some(&tx.customer_id),
                Utc::now(),
            )?;
        }
        Ok(())
    }

    /// Appends the audit records of a batch's decisions in slice order
    /// with one write and (under `Durability::EveryRecord`) one sync, when
    /// an audit log is configured (see [`AuditLog::append_batch`]). On
    /// error none of them may be reported as audited.
    pub(crate) fn append_audit_batch(
        &self,
        decided: &[(&Transaction, &Decision)],
    ) -> Result<(), crate::audit::AuditError> {
        let Some(audit) = &self.audit else {
            return Ok(());
        };
        let decided_at = Utc::now();
        let entries: Vec<crate::audit::AuditEntry<'_>> = decided
            .iter()
            .map(|(tx, decision)| crate::audit::AuditEntry {
                decision,
                customer_id: Some(&tx.customer_id),
                decided_at,
            })
            .collect();
        let mut log = audit.lock().unwrap_or_else(|p| p.into_inner());
        log.append_batch(&entries, &self.provenance)
    }

    /// Screens a transaction without writing an audit record. The customer
    /// state is updated: a transaction id already screened for the customer
    /// returns its recorded decision and is not counted twice.
    pub fn evaluate(&self, tx: &Transaction) -> Result<Decision, Error> {
        validate(tx)?;
        if let Some(recorded) = self.state.recorded(tx) {
            return Ok(recorded);
        }
        let mut findings = Vec::new();
        for (role, party) in tx.parties() {
            self.screen_party(role, party, &mut findings);
        }
        if let Some(memo) = &tx.memo {
            for (platform, matched) in self.platforms.match_text(memo) {
                findings.push(self.platform_finding(
                    None,
                    platform,
                    PlatformVia::Memo,
                    &matched,
                    memo,
                ));
            }
        }
        Ok(self.apply_rules(tx, findings))
    }

    /// Runs the behaviour rules against the customer's history, decides,
    /// and records the transaction — under that customer's lock only.
    fn apply_rules(&self, tx: &Transaction, mut findings: Vec<Finding>) -> Decision {
        let platforms: Vec<PlatformInvolvement<'_>> = findings
            .iter()
            .filter(|f| f.kind == FindingKind::Platform)
            .filter_map(|f| {
                let id = f.matched.as_ref()?.platform.as_deref()?;
                let platform = self.platforms.platforms().iter().find(|p| p.id == id)?;
                Some(PlatformInvolvement {
                    party: f.party,
                    platform,
                })
            })
            .collect();
        self.state.apply(tx, |history| {
            let ctx = RuleContext {
                tx,
                history,
                platforms: &platforms,
            };
            findings.extend(self.rules.evaluate(&ctx));
            self.rules
                .policy
                .decide(&tx.id, findings, &self.provenance.engine_id)
        })
    }

    fn screen_party(&self, role: PartyRole, party: &Party, findings: &mut Vec<Finding>) {
        let matching = self.names.config();
        if let Some(name) = party.name.as_deref().filter(|n| !n.trim().is_empty()) {
            let query = NameQuery {
                name,
                kind: party.kind,
                birth_date: party.birth_date.as_deref(),
                country: party.country.as_deref(),
            };
            for (hit, entity) in
                self.match_name(&query, matching.review_threshold, NAME_HITS_PER_PARTY)
            {
                let blocks = hit.score >= matching.block_threshold;
                let matched_name = entity
                    .names()
                    .nth(hit.name_index)
                    .map(|(n, _)| n.to_owned())
                    .unwrap_or_else(|| entity.name.clone());
                findings.push(Finding {
                    rule_id: SANCTIONS_RULE_ID.into(),
                    kind: FindingKind::SanctionsName,
                    party: Some(role),
                    points: if blocks { BLOCKING_HIT_POINTS } else { 0 },
                    level_floor: Some(RiskLevel::High),
                    action: Some(if blocks { Action::Block } else { Action::Hold }),
                    message: format!(
                        "{role} name '{name}' matches {} entry {} '{matched_name}' (score {:.2} {} {} threshold {:.2}): {}",
                        entity.list,
                        entity.id,
                        hit.score,
                        if blocks { "≥" } else { "<" },
                        if blocks { "block" } else { "block; ≥ review" },
                        if blocks { matching.block_threshold } else { matching.review_threshold },
                        hit.explanation
                    ),
                    matched: Some(Match {
                        list: Some(entity.list.clone()),
                        entity_id: Some(entity.id.clone()),
                        name: Some(matched_name),
                        query: Some(name.to_owned()),
                        score: Some(hit.score),
                        ..Match::default()
                    }),
                });
            }
        }
        if let Some(wallet) = &party.wallet {
            for (listed_chain, i) in self.addresses.lookup(&wallet.chain, &wallet.address) {
                let entity = &self.entities[*i];
                findings.push(Finding {
                    rule_id: SANCTIONS_RULE_ID.into(),
                    kind: FindingKind::SanctionsAddress,
                    party: Some(role),
                    points: BLOCKING_HIT_POINTS,
                    level_floor: Some(RiskLevel::High),
                    action: Some(Action::Block),
                    message: format!(
                        "{role} wallet {} {} is listed by {} for {} '{}' (listed as {listed_chain})",
                        wallet.chain, wallet.address, entity.list, entity.id, entity.name
                    ),
                    matched: Some(Match {
                        list: Some(entity.list.clone()),
                        entity_id: Some(entity.id.clone()),
                        name: Some(entity.name.clone()),
                        address: Some(format!("{listed_chain}:{}", wallet.address)),
                        query: Some(wallet.address.clone()),
                        ..Match::default()
                    }),
                });
            }
        }
        for hit in self.platforms.match_party(party) {
            let query = match hit.via {
                PlatformVia::Vasp => party.vasp.as_deref(),
                PlatformVia::Domain => party.domain.as_deref(),
                PlatformVia::Address => party.wallet.as_ref().map(|w| w.address.as_str()),
                PlatformVia::Name | PlatformVia::Memo => party.name.as_deref(),
            }
            .unwrap_or_default();
            findings.push(self.platform_finding(
                Some(role),
                hit.platform,
                hit.via,
                &hit.matched,
                query,
            ));
        }
    }

    fn platform_finding(
        &self,
        role: Option<PartyRole>,
        platform: usize,
        via: PlatformVia,
        matched: &str,
        query: &str,
    ) -> Finding {
        let p = &self.platforms.platforms()[platform];
        let whose = role.map(|r| format!("{r} ")).unwrap_or_default();
        let via_text = match via {
            PlatformVia::Vasp => "VASP",
            PlatformVia::Domain => "domain",
            PlatformVia::Address => "wallet address",
            PlatformVia::Name => "name",
            PlatformVia::Memo => "memo",
        };
        let category = serde_json::to_value(p.category)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        Finding {
            rule_id: PLATFORMS_RULE_ID.into(),
            kind: FindingKind::Platform,
            party: role,
            points: BLOCKING_HIT_POINTS,
            level_floor: Some(RiskLevel::High),
            action: Some(Action::Block),
            message: format!(
                "{whose}{via_text} '{query}' involves forbidden platform {} ({category}) via '{matched}'",
                p.name
            ),
            matched: Some(Match {
                platform: Some(p.id.clone()),
                name: Some(matched.to_owned()),
                query: Some(query.to_owned()),
                ..Match::default()
            }),
        }
    }
}

/// The lists (from the config's snapshot when it is valid, else parsed and
/// guarded against implausible shrinks) and the validated rules: what a new
/// engine version needs before it is built.
pub(crate) fn load_lists_and_rules(config: &Config) -> Result<(CompiledLists, RuleSet), Error> {
    let lists = CompiledLists::load(config)?;
    let rules = RuleSet::load(&config.rules)?;
    Ok((lists, rules))
}

/// Checks what serde cannot: size limits (see [`crate::limits`]),
/// non-empty ids, non-negative money.
fn validate(tx: &Transaction) -> Result<(), Error> {
    crate::limits::check_transaction(tx)?;
    let invalid = |field: &str, message: &str| Error::InvalidTransaction {
        id: tx.id.clone(),
        field: field.into(),
        message: message.into(),
    };
    if tx.id.trim().is_empty() {
        return Err(invalid("id", "empty"));
    }
    if tx.customer_id.trim().is_empty() {
        return Err(invalid("customer_id", "empty"));
    }
    if tx.amount < Decimal::ZERO {
        return Err(invalid("amount", "negative"));
    }
    if tx.value < Decimal::ZERO {
        return Err(invalid("value", "negative"));
    }
    Ok(())
}

fn provenance(lists: &[ListVersion], rules: &RuleSet) -> Provenance {
    let lists: Vec<ListRef> = lists.iter().map(ListRef::from).collect();
    let mut id_input = String::from(ENGINE_VERSION);
    for l in &lists {
        id_input.push_str(&l.sha256);
    }
    for r in &rules.files {
        id_input.push_str(&r.sha256);
    }
    let engine_id = crate::util::sha256_hex(id_input.as_bytes())[..16].to_owned();
    Provenance {
        engine_version: ENGINE_VERSION.into(),
        engine_id,
        lists,
        rules: rules.files.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn screener_is_send_and_sync() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Screener>();
    }
}
