//! The compiled, immutable engine: lists, name and address indexes,
//! forbidden platforms, behaviour rules and decision policy, with the
//! provenance (list, rule and engine versions) every decision names.
//!
//! Build slow, screen fast: an [`Engine`] is built once ([`Engine::builder`]
//! or [`Engine::from_config`]), validating and indexing everything, and is
//! never changed afterwards. It is `Send + Sync` and holds no file handle;
//! what changes while screening (customer history, the audit log) lives in
//! the [`crate::Screener`] that holds it, which swaps in a new engine on
//! reload.
//!
//! Screening one transaction is two steps: the parties, wallets and memo
//! are matched into typed [`Hit`]s (no customer state involved), then the
//! hits and the customer's history become a [`Decision`] (rules, findings,
//! policy).

mod list_loading;

use std::borrow::Cow;

use rust_decimal::Decimal;

use crate::addresses::{self, AddressIndex};
use crate::config::Config;
use crate::countries::{country_code, COUNTRY_EXPECTED};
use crate::error::Error;
use crate::list_cache::{CompiledLists, ListsOrigin};
use crate::lists::{Entity, ListVersion, LoadedList};
use crate::model::{
    Action, Decision, Finding, FindingKind, ListRef, Match, Party, PartyRole, Provenance,
    RiskLevel, Transaction, Wallet, ENGINE_VERSION, PLATFORMS_RULE_ID, SANCTIONS_RULE_ID,
    UNREADABLE_RULE_ID,
};
use crate::names::lookalike_skeleton;
use crate::names::{MatchConfig, NameHit, NameIndex, NameQuery};
use crate::platforms::{Platform, PlatformRegistry, PlatformVia, Spelling};
use crate::rules::{PlatformInvolvement, RuleContext, RuleSet};

use crate::state::CustomerHistory;
pub use list_loading::compile_list_cache;

/// Points a blocking sanctions or platform hit adds (the whole scale).
const BLOCKING_HIT_POINTS: u32 = crate::decision::MAX_SCORE;
/// Most name hits reported per party.
const NAME_HITS_PER_PARTY: usize = 5;

/// Everything compiled for screening, immutable once built. `Send + Sync`:
/// share it behind an `Arc` (a [`crate::Screener`] does).
///
/// ```
/// use amlscreen::{Engine, RuleSet};
/// let rules = RuleSet::load("rules".as_ref())?;
/// let engine = Engine::builder(rules).build();
/// assert!(engine.entities().is_empty());
/// assert_eq!(engine.engine_id().len(), 16);
/// # Ok::<(), amlscreen::Error>(())
/// ```
#[derive(Debug)]
pub struct Engine {
    entities: Vec<Entity>,
    lists: Vec<ListVersion>,
    names: NameIndex,
    addresses: AddressIndex<usize>,
    platforms: PlatformRegistry,
    rules: RuleSet,
    provenance: Provenance,
    origin: ListsOrigin,
    // The rules' longest window, the customer history they need.
    lookback: chrono::Duration,
    // The list history to record when this engine is put in service (see
    // `Engine::commit_list_history`); `None` when the lists were not guarded.
    list_guard: Option<crate::lists::ListGuard>,
}

/// Builds an [`Engine`] from rules and lists already loaded.
///
/// ```
/// use amlscreen::{Engine, MatchConfig, RuleSet};
/// let rules = RuleSet::load("rules".as_ref())?;
/// let engine = Engine::builder(rules)
///     .lists(Vec::new())
///     .matching(MatchConfig::default())
///     .build();
/// assert!(engine.lists().is_empty());
/// # Ok::<(), amlscreen::Error>(())
/// ```
#[derive(Debug)]
#[must_use]
pub struct EngineBuilder {
    rules: RuleSet,
    lists: BuilderLists,
    matching: MatchConfig,
}

/// The lists an [`EngineBuilder`] was given: parsed, to index with its
/// matching settings, or already compiled with their own.
#[derive(Debug)]
enum BuilderLists {
    Parsed(Vec<LoadedList>),
    Compiled(Box<CompiledLists>),
}

impl EngineBuilder {
    /// Parsed lists to index (replaces any compiled lists given before).
    pub fn lists(mut self, lists: Vec<LoadedList>) -> EngineBuilder {
        self.lists = BuilderLists::Parsed(lists);
        self
    }

    /// Lists already compiled (parsed and indexed, or read from a list
    /// cache); the matching thresholds are theirs.
    pub fn compiled_lists(mut self, compiled: CompiledLists) -> EngineBuilder {
        self.lists = BuilderLists::Compiled(Box::new(compiled));
        self
    }

    /// Name-matcher thresholds and costs (default [`MatchConfig::default`]).
    pub fn matching(mut self, matching: MatchConfig) -> EngineBuilder {
        self.matching = matching;
        self
    }

    /// Indexes the lists and compiles everything. Writes no file.
    pub fn build(self) -> Engine {
        let compiled = match self.lists {
            BuilderLists::Compiled(compiled) => *compiled,
            BuilderLists::Parsed(lists) => CompiledLists::build(lists, self.matching),
        };
        Engine::from_parts(compiled, self.rules, None)
    }
}

impl Engine {
    /// A builder over a validated rule set (see [`RuleSet::load`]).
    pub fn builder(rules: RuleSet) -> EngineBuilder {
        EngineBuilder {
            rules,
            lists: BuilderLists::Parsed(Vec::new()),
            matching: MatchConfig::default(),
        }
    }

    /// Loads every list (from the config's list cache when it is valid for
    /// them, else parsed and checked against the list guard) and every rule
    /// file the config names, and compiles them. Writes no file: the list
    /// guard's history is recorded by [`Engine::commit_list_history`] when
    /// the engine is put in service.
    pub fn from_config(config: &Config) -> Result<Engine, Error> {
        let lists = list_loading::load(config)?;
        let rules = RuleSet::load(&config.rules)?;
        Ok(Engine::from_parts(
            lists,
            rules,
            Some(config.list_guard.clone()),
        ))
    }

    fn from_parts(
        lists: CompiledLists,
        rules: RuleSet,
        list_guard: Option<crate::lists::ListGuard>,
    ) -> Engine {
        let CompiledLists {
            lists: versions,
            entities,
            names,
            addresses,
            origin,
        } = lists;
        let platforms = PlatformRegistry::build(rules.platforms.clone(), &entities);
        let provenance = provenance(&versions, &rules);
        let lookback = rules.lookback();
        Engine {
            entities,
            lists: versions,
            names,
            addresses,
            platforms,
            rules,
            provenance,
            origin,
            lookback,
            list_guard,
        }
    }

    /// Records this engine's list versions in the list guard's history, so
    /// the next load is checked against them. Call once the engine is in
    /// service (the [`crate::Screener`] does, before swapping it in); a
    /// no-op for engines not built from a config with a history file.
    pub fn commit_list_history(&self) -> Result<(), Error> {
        if let Some(guard) = &self.list_guard {
            guard.record_all(&self.lists)?;
        }
        Ok(())
    }

    /// Versions of every loaded list.
    pub fn lists(&self) -> &[ListVersion] {
        &self.lists
    }

    /// Where the lists came from: parsed sources, a list cache, or sources
    /// after a refused list cache (with the reason).
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

    /// The engine id every decision of this engine carries
    /// ([`Decision::version`]): a hash of the engine version and every list
    /// and rule file.
    pub fn engine_id(&self) -> &str {
        &self.provenance.engine_id
    }

    /// How much customer history the rules need: their longest window.
    pub fn lookback(&self) -> chrono::Duration {
        self.lookback
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

    /// Screens a transaction against `history` (the customer's earlier
    /// transfers, without this one) and decides. Pure: neither the history
    /// nor any file is changed; the [`crate::Screener`] records the
    /// transfer and the audit record.
    pub fn evaluate(&self, tx: &Transaction, history: &CustomerHistory) -> Result<Decision, Error> {
        validate(tx)?;
        let hits = self.hits(tx);
        let findings = self.findings(&hits);
        Ok(self.decide(tx, &hits, findings, history))
    }

    /// Every sanctions and platform hit of a transaction: each party's name
    /// and wallet (and a wallet that cannot be read), addresses written in
    /// its account field, its VASP and domain, and the memo (platform names
    /// and addresses written in it).
    pub(crate) fn hits<'a>(&'a self, tx: &'a Transaction) -> Vec<Hit<'a>> {
        let mut hits = Vec::new();
        for (role, party) in tx.parties() {
            self.party_hits(role, party, &mut hits);
        }
        if let Some(memo) = &tx.memo {
            // A memo that names a platform is a mention: it suspends. One
            // that writes the platform's own domain ("top up my Gate.io
            // account", "send to blender.to") points at it: that freezes.
            for hit in self.platforms.match_memo(memo) {
                hits.push(self.platform_hit(None, hit, memo));
            }
            self.text_address_hits(None, AddressSource::Memo, memo, &mut hits);
        }
        hits
    }

    /// Listed addresses written in free text (the memo, an account field):
    /// sanctions and platform hits on each address-shaped word.
    fn text_address_hits<'a>(
        &'a self,
        role: Option<PartyRole>,
        source: AddressSource<'a>,
        text: &'a str,
        hits: &mut Vec<Hit<'a>>,
    ) {
        for key in addresses::keys_in_text(text) {
            for (listed_chain, i) in self.addresses.lookup_normalized(&key) {
                hits.push(Hit::Address {
                    role,
                    source,
                    address: key.clone(),
                    listed_chain,
                    entity: &self.entities[*i],
                });
            }
            for platform in self.platforms.platforms_at_address(&key) {
                hits.push(Hit::Platform {
                    role,
                    platform: &self.platforms.platforms()[platform],
                    via: match role {
                        None => PlatformVia::Memo,
                        Some(_) => PlatformVia::Address,
                    },
                    matched: key.clone(),
                    query: text,
                    spelling: Spelling::AsWritten,
                    read_as: key.clone(),
                    // the platform's own wallet, written out: that freezes
                    corroborates: true,
                });
            }
        }
    }

    /// The findings the hits become, in hit order.
    pub(crate) fn findings(&self, hits: &[Hit<'_>]) -> Vec<Finding> {
        hits.iter().map(|h| self.finding(h)).collect()
    }

    /// Runs the behaviour rules over the hits and the customer's history,
    /// adds their findings to the hits' `findings`, and decides.
    pub(crate) fn decide(
        &self,
        tx: &Transaction,
        hits: &[Hit<'_>],
        mut findings: Vec<Finding>,
        history: &CustomerHistory,
    ) -> Decision {
        let platforms: Vec<PlatformInvolvement<'_>> = hits
            .iter()
            .filter_map(|hit| match hit {
                Hit::Platform {
                    role,
                    platform,
                    corroborates: true,
                    ..
                } => Some(PlatformInvolvement {
                    party: *role,
                    platform,
                }),
                _ => None,
            })
            .collect();
        let ctx = RuleContext {
            tx,
            history,
            platforms: &platforms,
        };
        findings.extend(self.rules.evaluate(&ctx));
        self.rules
            .policy
            .decide(&tx.id, findings, &self.provenance.engine_id)
    }

    fn party_hits<'a>(&'a self, role: PartyRole, party: &'a Party, hits: &mut Vec<Hit<'a>>) {
        let matching = self.names.config();
        if let Some(name) = party.name.as_deref().filter(|n| !n.trim().is_empty()) {
            // the lists' countries are alpha-2 codes: compare `IRN` or
            // `Iran` as the `IR` it reads as
            let country = party.country.as_deref().map(|c| -> Cow<'_, str> {
                match country_code(c) {
                    Some(code) => code,
                    None => Cow::Borrowed(c),
                }
            });
            let query = NameQuery {
                name,
                kind: party.kind,
                birth_date: party.birth_date.as_deref(),
                country: country.as_deref(),
            };
            let first = hits.len();
            for (hit, entity) in
                self.match_name(&query, matching.review_threshold, NAME_HITS_PER_PARTY)
            {
                hits.push(Hit::Name {
                    role,
                    query: name,
                    hit,
                    entity,
                    read_as: None,
                });
            }
            // A name written wholly or partly in look-alike letters of
            // another script ("ΡUΤΙΝ") is also read as what it imitates.
            if let Some(skeleton) = lookalike_skeleton(name)
                .filter(|s| crate::names::fold_words(s) != crate::names::fold_words(name))
            {
                let query = NameQuery {
                    name: &skeleton,
                    ..query
                };
                for (hit, entity) in
                    self.match_name(&query, matching.review_threshold, NAME_HITS_PER_PARTY)
                {
                    let seen = hits[first..].iter().any(|h| {
                        matches!(h, Hit::Name { entity: e, hit: earlier, .. }
                            if e.id == entity.id && earlier.score >= hit.score)
                    });
                    if !seen {
                        hits.push(Hit::Name {
                            role,
                            query: name,
                            hit,
                            entity,
                            read_as: Some(skeleton.clone()),
                        });
                    }
                }
            }
        }
        let mut wallet_address = None;
        if let Some(wallet) = &party.wallet {
            // An address that cannot be read, or reads as no address of its
            // chain, cannot be screened: it holds rather than passes.
            match addresses::normalize(&wallet.chain, &wallet.address) {
                Ok(address) => {
                    for (listed_chain, i) in self.addresses.lookup_normalized(&address.address) {
                        hits.push(Hit::Address {
                            role: Some(role),
                            source: AddressSource::Wallet(wallet),
                            address: address.address.clone(),
                            listed_chain,
                            entity: &self.entities[*i],
                        });
                    }
                    if let Err(reason) = addresses::check_for_chain(&address) {
                        hits.push(Hit::unreadable_wallet(role, wallet, reason));
                    }
                    wallet_address = Some(address);
                }
                Err(e) => hits.push(Hit::unreadable_wallet(role, wallet, e.reason)),
            }
        }
        if let Some(account) = party.account.as_deref() {
            self.text_address_hits(Some(role), AddressSource::Account, account, hits);
        }
        let mut unreadable_domain = None;
        let platform_hits =
            self.platforms
                .match_party_with(party, wallet_address.as_ref(), &mut unreadable_domain);
        if let (Some(e), Some(domain)) = (unreadable_domain, party.domain.as_deref()) {
            hits.push(Hit::Unreadable {
                role,
                field: "domain".into(),
                value: domain,
                reason: e.to_string(),
            });
        }
        for hit in platform_hits {
            let query = match hit.via {
                PlatformVia::Vasp => party.vasp.as_deref(),
                PlatformVia::Domain => party.domain.as_deref(),
                PlatformVia::Address => party.wallet.as_ref().map(|w| w.address.as_str()),
                PlatformVia::Name | PlatformVia::Memo => party.name.as_deref(),
            }
            .unwrap_or_default();
            // A name that reads like a platform, a mention among other
            // words or an uncertain spelling suspends; the platform's own
            // domain or wallet, or a VASP field naming it, freezes.
            hits.push(self.platform_hit(Some(role), hit, query));
        }
    }

    /// A platform hit of a party (`role`) or the memo (`None`) in `query`.
    fn platform_hit<'a>(
        &'a self,
        role: Option<PartyRole>,
        hit: crate::platforms::PlatformHit,
        query: &'a str,
    ) -> Hit<'a> {
        Hit::Platform {
            role,
            platform: &self.platforms.platforms()[hit.platform],
            via: hit.via,
            matched: hit.matched,
            query,
            spelling: hit.spelling,
            read_as: hit.read_as,
            corroborates: hit.corroborates,
        }
    }

    /// The finding a hit becomes: points, level floor, action, and the
    /// message a reviewer reads.
    fn finding(&self, hit: &Hit<'_>) -> Finding {
        match hit {
            Hit::Name {
                role,
                query,
                hit,
                entity,
                read_as,
            } => {
                let mut finding = self.name_finding(*role, query, hit, entity);
                if let Some(read_as) = read_as {
                    finding.message.push_str(&format!(
                        " — the name read in the Latin letters its look-alike letters imitate: '{read_as}'"
                    ));
                }
                finding
            }
            Hit::Unreadable {
                role,
                field,
                value,
                reason,
            } => unreadable_finding(*role, field, value, reason),
            Hit::Address {
                role,
                source,
                address,
                listed_chain,
                entity,
            } => address_finding(*role, *source, address, listed_chain, entity),
            Hit::Platform {
                role,
                platform,
                via,
                matched,
                query,
                spelling,
                read_as,
                corroborates,
            } => {
                let mut finding = platform_finding(*role, platform, *via, matched, query);
                if *spelling != Spelling::AsWritten {
                    finding
                        .message
                        .push_str(&format!(", {} (read as '{read_as}')", spelling.describe()));
                }
                if !*corroborates {
                    finding.points = 0;
                    finding.action = Some(Action::Hold);
                    let why = match via {
                        PlatformVia::Name => "a name alone",
                        PlatformVia::Memo => "a mention in the memo, not the platform's domain",
                        _ if !spelling.is_certain() => "an uncertain spelling",
                        PlatformVia::Domain => "the name inside another domain",
                        _ => "the name among other words",
                    };
                    finding
                        .message
                        .push_str(&format!(" — {why}: held for review, not frozen"));
                }
                finding
            }
        }
    }

    fn name_finding(&self, role: PartyRole, name: &str, hit: &NameHit, entity: &Entity) -> Finding {
        let matching = self.names.config();
        let blocks = hit.score >= matching.block_threshold;
        let matched_name = entity
            .names()
            .nth(hit.name_index)
            .map(|(n, _)| n.to_owned())
            .unwrap_or_else(|| entity.name.clone());
        Finding {
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
        }
    }
}

/// One thing a transaction matched, before it is rendered as a finding:
/// what the rules and the finding renderer read, typed.
#[derive(Debug)]
pub(crate) enum Hit<'a> {
    /// A party's name matched a listed name.
    Name {
        role: PartyRole,
        query: &'a str,
        hit: NameHit,
        entity: &'a Entity,
        /// The look-alike reading that matched, when not the name as given.
        read_as: Option<String>,
    },
    /// A listed address: a party's wallet, or written in an account field
    /// or the memo.
    Address {
        /// `None` for the memo.
        role: Option<PartyRole>,
        source: AddressSource<'a>,
        /// The address as normalised (the index key).
        address: String,
        listed_chain: &'a str,
        entity: &'a Entity,
    },
    /// A party or the memo involves a forbidden platform.
    Platform {
        /// `None` for the memo.
        role: Option<PartyRole>,
        platform: &'a Platform,
        via: PlatformVia,
        matched: String,
        query: &'a str,
        spelling: Spelling,
        /// The text as it was read.
        read_as: String,
        /// Evidence enough to freeze (see [`crate::platforms::PlatformHit`]);
        /// otherwise it holds.
        corroborates: bool,
    },
    /// A party's field could not be read or screened (a domain that is no
    /// host name, a wallet that is no address of its chain): it holds,
    /// with the reason.
    Unreadable {
        role: PartyRole,
        /// `domain`, `wallet ETH`, …
        field: String,
        value: &'a str,
        reason: String,
    },
}

impl<'a> Hit<'a> {
    fn unreadable_wallet(role: PartyRole, wallet: &'a Wallet, reason: String) -> Hit<'a> {
        Hit::Unreadable {
            role,
            field: format!("wallet {}", wallet.chain),
            value: &wallet.address,
            reason,
        }
    }
}

/// A field that cannot be read or screened holds the transfer: it adds no
/// points (it is no evidence of risk) but forces a hold at medium risk at
/// least.
fn unreadable_finding(role: PartyRole, field: &str, value: &str, reason: &str) -> Finding {
    Finding {
        rule_id: UNREADABLE_RULE_ID.into(),
        kind: FindingKind::Unreadable,
        party: Some(role),
        points: 0,
        level_floor: Some(RiskLevel::Medium),
        action: Some(Action::Hold),
        message: format!(
            "{role} {field} '{value}' cannot be read ({reason}): held for review — what the engine cannot read does not pass"
        ),
        matched: Some(Match {
            query: Some(value.to_owned()),
            ..Match::default()
        }),
    }
}

/// Where a listed address was found.
#[derive(Debug, Clone, Copy)]
pub(crate) enum AddressSource<'a> {
    /// The party's wallet.
    Wallet(&'a Wallet),
    /// Written in the party's `account` field.
    Account,
    /// Written in the memo.
    Memo,
}

fn address_finding(
    role: Option<PartyRole>,
    source: AddressSource<'_>,
    address: &str,
    listed_chain: &str,
    entity: &Entity,
) -> Finding {
    let whose = role.map(|r| format!("{r} ")).unwrap_or_default();
    let (found, query) = match source {
        AddressSource::Wallet(wallet) if wallet.address == address => (
            format!("{whose}wallet {} {}", wallet.chain, wallet.address),
            wallet.address.clone(),
        ),
        AddressSource::Wallet(wallet) => (
            format!(
                "{whose}wallet {} '{}' (read as {address})",
                wallet.chain, wallet.address
            ),
            wallet.address.clone(),
        ),
        AddressSource::Account => (
            format!("address {address} in the {whose}account field"),
            address.to_owned(),
        ),
        AddressSource::Memo => (format!("address {address} in the memo"), address.to_owned()),
    };
    Finding {
        rule_id: SANCTIONS_RULE_ID.into(),
        kind: FindingKind::SanctionsAddress,
        party: role,
        points: BLOCKING_HIT_POINTS,
        level_floor: Some(RiskLevel::High),
        action: Some(Action::Block),
        message: format!(
            "{found} is listed by {} for {} '{}' (listed as {listed_chain})",
            entity.list, entity.id, entity.name
        ),
        matched: Some(Match {
            list: Some(entity.list.clone()),
            entity_id: Some(entity.id.clone()),
            name: Some(entity.name.clone()),
            address: Some(format!("{listed_chain}:{address}")),
            query: Some(query),
            ..Match::default()
        }),
    }
}

fn platform_finding(
    role: Option<PartyRole>,
    platform: &Platform,
    via: PlatformVia,
    matched: &str,
    query: &str,
) -> Finding {
    let whose = role.map(|r| format!("{r} ")).unwrap_or_default();
    let via_text = match via {
        PlatformVia::Vasp => "VASP",
        PlatformVia::Domain => "domain",
        PlatformVia::Address => "wallet address",
        PlatformVia::Name => "name",
        PlatformVia::Memo => "memo",
    };
    let category = serde_json::to_value(platform.category)
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
            platform.name
        ),
        matched: Some(Match {
            platform: Some(platform.id.clone()),
            name: Some(matched.to_owned()),
            query: Some(query.to_owned()),
            ..Match::default()
        }),
    }
}

/// Checks what serde cannot: size limits (see [`crate::limits`]),
/// non-empty ids, non-negative money, countries that read as a country.
pub(crate) fn validate(tx: &Transaction) -> Result<(), Error> {
    crate::limits::check_transaction(tx)?;
    let invalid = |field: &str, message: &str| Error::invalid_transaction(&tx.id, field, message);
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
    check_countries(tx)
}

/// Every country field must read as a country (see
/// [`crate::countries::country_code`]): one that does not — `XX`, a
/// typo, a name in a language the table lacks — would match no
/// jurisdiction list and pass unnoticed, so it is an error naming the
/// field. An empty country is an absent one.
fn check_countries(tx: &Transaction) -> Result<(), Error> {
    let check = |field: &dyn Fn() -> String, country: Option<&str>| {
        let Some(c) = country.filter(|c| !c.trim().is_empty()) else {
            return Ok(());
        };
        if country_code(c).is_some() {
            return Ok(());
        }
        let shown: String = c.chars().take(64).collect();
        Err(Error::invalid_transaction(
            &tx.id,
            field(),
            format!("'{shown}' is not a country — write {COUNTRY_EXPECTED}"),
        ))
    };
    for (role, party) in tx.parties() {
        check(&|| format!("{role}.country"), party.country.as_deref())?;
    }
    let channel = tx.channel.as_ref().and_then(|c| c.country.as_deref());
    check(&|| "channel.country".to_owned(), channel)
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
