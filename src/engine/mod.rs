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
use crate::decision::Evidence;
use crate::error::Error;
use crate::list_cache::{CompiledLists, ListsOrigin};
use crate::lists::EntityKind;
use crate::lists::{Entity, ListVersion, LoadedList};
use crate::model::{
    Action, Decision, Finding, FindingKind, ListRef, Match, Party, PartyRole, Provenance,
    RiskLevel, Transaction, Wallet, ENGINE_VERSION, PLATFORMS_RULE_ID, SANCTIONS_RULE_ID,
    UNREADABLE_RULE_ID,
};
use crate::names::lookalike_skeleton;
use crate::names::{BirthDateEvidence, MatchConfig, NameHit, NameIndex, NameQuery};
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
    /// Identifiers the lists print, normalised ([`normalize_identifier`]) →
    /// (entity, identifier) indexes.
    identifiers: rustc_hash::FxHashMap<String, Vec<(usize, usize)>>,
    platforms: PlatformRegistry,
    rules: RuleSet,
    provenance: Provenance,
    origin: ListsOrigin,
    // The rules' longest window, the customer history they need.
    lookback: chrono::Duration,
    // The list history to record when this engine is put in service (see
    // `Engine::commit_list_history`); `None` when the lists were not guarded.
    list_guard: Option<crate::lists::ListGuard>,
    // Entity id → index, built when a case first needs an entry by id.
    by_id: std::sync::OnceLock<rustc_hash::FxHashMap<Box<str>, u32>>,
    // Each entity's content hash and print, made when a case first needs
    // them (a listed subject hit again and again is hashed once).
    entries: Vec<std::sync::OnceLock<(Box<str>, Box<str>)>>,
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
        // a platform reference a loaded list does not answer is never silent
        for (platform, entity) in platforms.unresolved_sanctions() {
            eprintln!(
                "amlscreen: warning: platform '{platform}' names sanctions entity '{entity}', which the loaded lists do not hold: its listed wallets are not attributed to the platform (check the id in the platforms file)"
            );
        }
        let identifiers = identifier_index(&entities);
        let provenance = provenance(&versions, &rules);
        let lookback = rules.lookback();
        let entity_count = entities.len();
        Engine {
            entities,
            lists: versions,
            names,
            addresses,
            identifiers,
            platforms,
            rules,
            provenance,
            origin,
            lookback,
            by_id: std::sync::OnceLock::new(),
            entries: (0..entity_count)
                .map(|_| std::sync::OnceLock::new())
                .collect(),
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

    /// The entity with this id (`list:id` as findings print it), if loaded.
    pub fn entity(&self, id: &str) -> Option<&Entity> {
        self.entity_index(id).map(|i| &self.entities[i])
    }

    /// The index of the entity with this id (the map is built when first
    /// asked: only cases need it).
    fn entity_index(&self, id: &str) -> Option<usize> {
        let by_id = self.by_id.get_or_init(|| {
            self.entities
                .iter()
                .enumerate()
                .map(|(i, e)| (e.id.as_str().into(), i as u32))
                .collect()
        });
        by_id.get(id).map(|&i| i as usize)
    }

    /// The list entry with this id (`list:id`) as a reviewer reads it:
    /// id, kind, names, dates, countries, identifiers, addresses,
    /// programmes.
    pub fn printed_entry(&self, id: &str) -> Option<&str> {
        self.entry(id).map(|(_, _, printed)| printed)
    }

    /// The entity with this id with its content hash ([`entry_hash`]) and
    /// print ([`entry_print`]), each computed once per engine.
    pub(crate) fn entry(&self, id: &str) -> Option<(&Entity, &str, &str)> {
        let i = self.entity_index(id)?;
        let entity = &self.entities[i];
        let (hash, print) = self.entries.get(i)?.get_or_init(|| {
            (
                entry_hash(entity).into_boxed_str(),
                entry_print(entity).into_boxed_str(),
            )
        });
        Some((entity, hash, print))
    }

    /// [`entry_hash`] of a loaded entity, computed once per engine.
    pub(crate) fn entity_hash(&self, entity: &Entity) -> String {
        match self.entry(&entity.id) {
            Some((_, hash, _)) => hash.to_owned(),
            None => entry_hash(entity),
        }
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
        Ok(self.decide(tx, &hits, findings, history, None))
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
            let exact = self
                .addresses
                .lookup_normalized(&key)
                .iter()
                .map(|h| (h, false));
            let folded = self.addresses.lookup_folded(&key).iter().map(|h| (h, true));
            for ((listed_chain, i), case_folded) in exact.chain(folded) {
                hits.push(Hit::Address {
                    role,
                    source,
                    address: key.clone(),
                    listed_chain,
                    entity: &self.entities[*i],
                    case_folded,
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

    /// The findings the hits become, in hit order. Name hits of one party
    /// on the same subject listed by several lists (the same name, no
    /// contradicting birth dates) become one finding naming every entry.
    pub(crate) fn findings(&self, hits: &[Hit<'_>]) -> Vec<Finding> {
        let mut out: Vec<Finding> = Vec::with_capacity(hits.len());
        // (finding index, party, subject key, entity) of each name finding
        let mut subjects: Vec<(usize, PartyRole, String, &Entity)> = Vec::new();
        // with one name hit (the common case, when any) there is nothing to
        // merge: no subject key is folded
        let several_names = hits
            .iter()
            .filter(|h| matches!(h, Hit::Name { .. }))
            .nth(1)
            .is_some();
        for hit in hits {
            let finding = self.finding(hit, hits);
            if let (
                true,
                Hit::Name {
                    role,
                    hit: h,
                    entity,
                    ..
                },
            ) = (several_names, hit)
            {
                let key = subject_key(entity, h.name_index);
                let same = subjects.iter().find(|(_, r, k, e)| {
                    r == role && *k == key && e.list != entity.list && same_birth(e, entity)
                });
                if let Some(&(i, ..)) = same {
                    merge_same_subject(&mut out[i], finding);
                    continue;
                }
                subjects.push((out.len(), *role, key, entity));
            }
            out.push(finding);
        }
        for (i, ..) in subjects {
            let f = &mut out[i];
            if let Some(m) = f.matched.as_ref().filter(|m| !m.also_listed.is_empty()) {
                let also = m.also_listed.join(", ");
                f.message
                    .push_str(&format!(" — the same subject is also listed as {also}"));
            }
        }
        one_reason_per_subject(out)
    }

    /// Runs the behaviour rules over the hits and the customer's history,
    /// adds their findings to the hits' `findings`, and decides.
    pub(crate) fn decide(
        &self,
        tx: &Transaction,
        hits: &[Hit<'_>],
        mut findings: Vec<Finding>,
        history: &CustomerHistory,
        customer_risk: Option<RiskLevel>,
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
        let derived = crate::rules::Derived::default();
        let ctx = RuleContext {
            tx,
            history,
            platforms: &platforms,
            currency: &self.rules.policy.reference_currency,
            blocked: findings.iter().any(|f| f.action == Some(Action::Block)),
            derived: &derived,
            customer_risk,
        };
        findings.extend(self.rules.evaluate(&ctx));
        let policy = &self.rules.policy;
        let report = policy
            .report_threshold
            .as_ref()
            .filter(|t| t.reached_by(tx.amount, &tx.currency, tx.value));
        if let Some(t) = report {
            findings.push(Finding::note(
                crate::model::REPORT_RULE_ID,
                format!(
                    "{} ({}): {} {} = {} {} ≥ {t}: report to the financial intelligence unit (a report duty, not a hold)",
                    crate::model::REPORT_RULE_ID,
                    "operation at or over the reporting threshold",
                    crate::decision::group_digits(tx.amount),
                    tx.currency,
                    crate::decision::group_digits(tx.value),
                    policy.reference_currency,
                ),
            ));
        }
        let mut d = policy.decide(&tx.id, findings, &self.provenance.engine_id);
        if report.is_some() {
            d.report = Some(crate::model::Report::Threshold);
        }
        d
    }

    /// Every sanctions and platform hit of a registered customer, given as
    /// its parties ([`crate::customers::Customer::parties`]), all under the
    /// role `customer`: the same matcher and hit policy as a transfer's
    /// parties.
    pub(crate) fn customer_hits<'a>(&'a self, parties: &'a [Party]) -> Vec<Hit<'a>> {
        let mut hits = Vec::new();
        for party in parties {
            self.party_hits(PartyRole::Customer, party, &mut hits);
        }
        hits
    }

    /// The decision on a customer screen (`id` names the screening): the
    /// findings of its hits under the policy's bands; no behaviour rule
    /// runs, as there is no transfer.
    pub(crate) fn decide_customer(&self, id: &str, findings: Vec<Finding>) -> Decision {
        self.rules
            .policy
            .decide(id, findings, &self.provenance.engine_id)
    }

    fn party_hits<'a>(&'a self, role: PartyRole, party: &'a Party, hits: &mut Vec<Hit<'a>>) {
        let matching = self.names.config();
        if let Some(name) = party.given_name() {
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
                // a sole trader (ФОП, ИП) is a person, whatever the caller's kind
                kind: if crate::names::is_sole_trader(name) {
                    Some(crate::model::PartyKind::Person)
                } else {
                    party.kind
                },
                birth_date: party.birth_date.as_deref(),
                country: country.as_deref(),
            };
            let first = hits.len();
            for (hit, entity) in
                self.match_name(&query, matching.review_threshold, NAME_HITS_PER_PARTY)
            {
                hits.push(Hit::Name {
                    role,
                    party,
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
                            party,
                            query: name,
                            hit,
                            entity,
                            read_as: Some(skeleton.clone()),
                        });
                    }
                }
            }
        }
        for id in &party.ids {
            let key = normalize_identifier(&id.value);
            for &(e, i) in self.identifiers.get(&key).map_or(&[][..], Vec::as_slice) {
                let entity = &self.entities[e];
                hits.push(Hit::Identifier {
                    role,
                    id,
                    entity,
                    listed: &entity.identifiers[i],
                });
            }
        }
        let mut wallet_address = None;
        if let Some(wallet) = &party.wallet {
            // An address that cannot be read, or reads as no address of its
            // chain, cannot be screened: it holds rather than passes.
            match addresses::normalize(&wallet.chain, &wallet.address) {
                Ok(address) => {
                    let exact = self
                        .addresses
                        .lookup_normalized(&address.address)
                        .iter()
                        .map(|h| (h, false));
                    let folded = self
                        .addresses
                        .lookup_folded(&address.address)
                        .iter()
                        .map(|h| (h, true));
                    for ((listed_chain, i), case_folded) in exact.chain(folded) {
                        hits.push(Hit::Address {
                            role: Some(role),
                            source: AddressSource::Wallet(wallet),
                            address: address.address.clone(),
                            listed_chain,
                            entity: &self.entities[*i],
                            case_folded,
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
    fn finding(&self, hit: &Hit<'_>, hits: &[Hit<'_>]) -> Finding {
        let mut finding = self.finding_as_listed(hit, hits);
        if let Some(entity) = hit.entity().filter(|e| e.category.is_pep()) {
            pep_finding(&mut finding, entity);
        }
        finding
    }

    /// [`Engine::finding`] before the PEP rule.
    fn finding_as_listed(&self, hit: &Hit<'_>, hits: &[Hit<'_>]) -> Finding {
        match hit {
            Hit::Name {
                role,
                party,
                query,
                hit,
                entity,
                read_as,
            } => {
                let evidence = self.corroboration(*role, party, hit, entity, hits);
                let mut finding = self.name_finding(*role, party, query, hit, entity, &evidence);
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
            Hit::Identifier {
                role,
                id,
                entity,
                listed,
            } => identifier_finding(*role, id, entity, listed),
            Hit::Address {
                role,
                source,
                address,
                listed_chain,
                entity,
                case_folded,
            } => {
                let mut f = address_finding(*role, *source, address, listed_chain, entity);
                if *case_folded {
                    f.message.push_str(
                        " — matched without regard to case: the list's source prints this address lower-cased (OFAC's digital-currency extract), so its case could not be compared",
                    );
                }
                f
            }
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

    /// What, besides the name, says that `party` is `entity`: each piece
    /// the policy counts for the entity's kind, as a reviewer reads it
    /// ("date of birth 1962-03-04", "passport AB123456", "wallet ETH 0x…",
    /// "country RU").
    fn corroboration(
        &self,
        role: PartyRole,
        party: &Party,
        hit: &NameHit,
        entity: &Entity,
        hits: &[Hit<'_>],
    ) -> Vec<(Evidence, String)> {
        let policy = &self.rules.policy.name_hits;
        let counts = match entity.kind {
            EntityKind::Person | EntityKind::Unknown => &policy.person_corroboration,
            _ => &policy.organization_corroboration,
        };
        let mut found = Vec::new();
        if hit.birth_date.corroborates() {
            if let Some(date) = party.birth_date.as_deref() {
                let what = match hit.birth_date {
                    BirthDateEvidence::SameDay => "date of birth",
                    BirthDateEvidence::SameMonth => "month of birth",
                    _ => "year of birth",
                };
                found.push((Evidence::BirthDate, format!("{what} {}", date.trim())));
            }
        }
        for other in hits {
            match other {
                Hit::Identifier {
                    role: r,
                    id,
                    entity: e,
                    ..
                } if *r == role && e.id == entity.id => {
                    found.push((
                        Evidence::Identifier,
                        format!("{} {}", id.label(), id.value.trim()),
                    ));
                }
                Hit::Address {
                    role: Some(r),
                    address,
                    listed_chain,
                    entity: e,
                    ..
                } if *r == role && e.id == entity.id => {
                    found.push((Evidence::Wallet, format!("wallet {listed_chain}:{address}")));
                }
                _ => {}
            }
        }
        if let Some(country) = party.country.as_deref().and_then(country_code) {
            if entity
                .countries
                .iter()
                .any(|c| c.eq_ignore_ascii_case(&country))
            {
                found.push((Evidence::Country, format!("country {country}")));
            }
        }
        found.retain(|(e, _)| counts.contains(e));
        found
    }

    fn name_finding(
        &self,
        role: PartyRole,
        party: &Party,
        name: &str,
        hit: &NameHit,
        entity: &Entity,
        evidence: &[(Evidence, String)],
    ) -> Finding {
        let matching = self.names.config();
        let policy = &self.rules.policy.name_hits;
        let person = matches!(entity.kind, EntityKind::Person | EntityKind::Unknown);
        // a person's name must reach the block threshold, an organisation's
        // be exact; either then needs corroboration
        // (a listed name found whole among extra words counts as strong: the
        // extra words lower it to a hold unless corroborated)
        let strong_name = if person {
            hit.score >= matching.block_threshold || hit.whole_in_query
        } else {
            hit.exact
        };
        // without the party's kind (or a birth date, which only a person
        // has) a person's name may be a company's: it holds at most
        let kind_known = party.kind.is_some() || party.birth_date.is_some();
        let corroborated = strong_name && !evidence.is_empty() && kind_known;
        let action = if corroborated {
            policy.corroborated
        } else {
            policy.name_only
        };
        let blocks = action == Action::Block;
        let pieces: Vec<&str> = evidence.iter().map(|(_, s)| s.as_str()).collect();
        let grade = if corroborated {
            format!("name + {}", pieces.join(" + "))
        } else {
            "name only".to_owned()
        };
        let mut verdict = if corroborated {
            policy
                .corroborated_reason
                .replace("{evidence}", &pieces.join(" + "))
        } else {
            policy.name_only_reason.clone()
        };
        if !corroborated {
            let why = if !kind_known && strong_name && !evidence.is_empty() {
                Some("the party's kind is not given".to_owned())
            } else if !strong_name && !evidence.is_empty() {
                Some(if person {
                    format!(
                        "the name scores {} < block threshold {}",
                        fmt_score_against(hit.score, matching.block_threshold),
                        fmt_score_against(matching.block_threshold, hit.score)
                    )
                } else {
                    "the name is not exact".to_owned()
                })
            } else {
                None
            };
            if let Some(why) = why {
                verdict.push_str(&format!(" ({why}, though {} agrees)", pieces.join(" + ")));
            }
        }
        if entity.category.is_pep() {
            // the PEP rule (see `pep_finding`) makes it a hold whatever agrees
            verdict = format!("{grade}: held for enhanced due diligence");
        }
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
            action: Some(action),
            message: format!(
                "{role} name '{name}' matches {} entry {} '{matched_name}' (score {} ≥ review threshold {}): {} — {verdict}{}",
                entity.list,
                entity.id,
                fmt_score_against(hit.score, matching.review_threshold),
                fmt_score_against(matching.review_threshold, hit.score),
                hit.explanation,
                legal_basis(entity)
            ),
            matched: Some(Match {
                list: Some(entity.list.clone()),
                entity_id: Some(entity.id.clone()),
                name: Some(matched_name),
                query: Some(name.to_owned()),
                score: Some(hit.score),
                evidence: Some(grade),
                ..Match::default()
            }),
        }
    }
}

/// A hit on a politically exposed person (or a relative or close
/// associate) never blocks: it holds for enhanced due diligence and a
/// management decision, and its reason says so.
fn pep_finding(finding: &mut Finding, entity: &Entity) {
    finding.points = 0;
    finding.action = Some(Action::Hold);
    finding.level_floor = Some(RiskLevel::High);
    if let Some(m) = finding.matched.as_mut() {
        if let Some(evidence) = m.evidence.as_mut() {
            evidence.push_str(", PEP");
        }
    }
    let who = match entity.category {
        crate::lists::Category::Rca => {
            "a relative or close associate of a politically exposed person (RCA)"
        }
        _ => "a politically exposed person (PEP)",
    };
    finding.message.push_str(&format!(
        " — {} lists {who}: enhanced due diligence and a management decision, never a freeze on this hit alone",
        entity.list
    ));
}

/// What the list prints about why and whom it lists, as a reason ends:
/// " — listed under SDGT, UKRAINE-EO13660 (since 2014-03-20); born
/// 1967-01-13; nationality RU". Empty when the list prints none of it.
fn legal_basis(entity: &Entity) -> String {
    use crate::lists::BirthDate;
    let mut parts: Vec<String> = Vec::new();
    let programmes = entity
        .programs
        .iter()
        .map(|p| p.trim())
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>();
    match (programmes.is_empty(), entity.listed_on.as_deref()) {
        (false, Some(on)) => parts.push(format!(
            "listed under {} (since {on})",
            programmes.join(", ")
        )),
        (false, None) => parts.push(format!("listed under {}", programmes.join(", "))),
        (true, Some(on)) => parts.push(format!("listed since {on}")),
        (true, None) => {}
    }
    let born: Vec<String> = entity
        .birth_dates
        .iter()
        .map(BirthDate::to_string)
        .collect();
    if !born.is_empty() {
        parts.push(format!("born {}", born.join(" or ")));
    }
    if !entity.countries.is_empty() {
        let label = match entity.kind {
            crate::lists::EntityKind::Person => "nationality",
            _ => "country",
        };
        parts.push(format!("{label} {}", entity.countries.join(", ")));
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!(" — {}", parts.join("; "))
    }
}

/// A score as a reason prints it beside a threshold it is compared with:
/// two decimals, more where two decimals would print both alike while they
/// differ ("0.9195 < block threshold 0.92", never "0.92 < 0.92").
fn fmt_score_against(score: f64, other: f64) -> String {
    for decimals in 2..=6 {
        let a = format!("{score:.decimals$}");
        if a != format!("{other:.decimals$}") || score == other {
            return a;
        }
    }
    format!("{score}")
}

pub(crate) use crate::model::normalize_identifier;

/// Shortest normalised identifier indexed: shorter numbers ("12", "A1")
/// identify nobody.
const MIN_IDENTIFIER_LEN: usize = 5;

fn identifier_index(entities: &[Entity]) -> rustc_hash::FxHashMap<String, Vec<(usize, usize)>> {
    let mut index: rustc_hash::FxHashMap<String, Vec<(usize, usize)>> = Default::default();
    for (e, entity) in entities.iter().enumerate() {
        for (i, id) in entity.identifiers.iter().enumerate() {
            let key = normalize_identifier(&id.value);
            if key.chars().count() >= MIN_IDENTIFIER_LEN && key.chars().any(|c| c != '0') {
                index.entry(key).or_default().push((e, i));
            }
        }
    }
    index
}

/// A listed identifier alone holds (a number can be mistyped or reused);
/// it corroborates a name hit on the same subject, which then blocks.
fn identifier_finding(
    role: PartyRole,
    id: &crate::model::PartyId,
    entity: &Entity,
    listed: &crate::lists::Identifier,
) -> Finding {
    let kind = id.label();
    Finding {
        rule_id: SANCTIONS_RULE_ID.into(),
        kind: FindingKind::SanctionsIdentifier,
        party: Some(role),
        points: 0,
        level_floor: Some(RiskLevel::High),
        action: Some(Action::Hold),
        message: format!(
            "{role} {kind} '{}' is listed by {} for {} '{}' ({} {}): identifier only: held for review{}",
            id.value,
            entity.list,
            entity.id,
            entity.name,
            listed.kind,
            listed.value,
            legal_basis(entity)
        ),
        matched: Some(Match {
            list: Some(entity.list.clone()),
            entity_id: Some(entity.id.clone()),
            name: Some(entity.name.clone()),
            query: Some(id.value.clone()),
            evidence: Some("identifier".into()),
            ..Match::default()
        }),
    }
}

/// Which subject a name hit is on, across lists: the matched name's
/// folded words, sorted ("Vladislav Yevgenyevich LOBAEV" on three lists).
fn subject_key(entity: &Entity, name_index: usize) -> String {
    let name = entity
        .names()
        .nth(name_index)
        .map_or(entity.name.as_str(), |(n, _)| n);
    let mut words = crate::names::fold_words(name);
    words.sort_unstable();
    words.join(" ")
}

/// Two entries give no contradicting birth dates: one gives none, or they
/// share one.
fn same_birth(a: &Entity, b: &Entity) -> bool {
    a.birth_dates.is_empty()
        || b.birth_dates.is_empty()
        || a.birth_dates.iter().any(|d| b.birth_dates.contains(d))
}

/// Folds a second list's hit on the same subject into the first finding:
/// the stronger of the two leads, the other is named in `also_listed`.
fn merge_same_subject(first: &mut Finding, other: Finding) {
    let rank = |f: &Finding| {
        (
            f.action,
            f.matched.as_ref().and_then(|m| m.score).unwrap_or(0.0),
        )
    };
    let mut follower = if rank(&other) > rank(first) {
        std::mem::replace(first, other)
    } else {
        other
    };
    if let (Some(m), Some(f)) = (first.matched.as_mut(), follower.matched.as_mut()) {
        if let Some(id) = f.entity_id.take() {
            m.also_listed.push(id);
        }
        m.also_listed.append(&mut f.also_listed);
    }
}

/// One reason per real-world subject a party matched: the findings of one
/// party on the same listed entity (its name, its wallet, its identifier)
/// or on the same forbidden platform (its VASP field, its name) become the
/// strongest of them, the others' evidence appended ("— also: …"), the
/// points, level and action the strongest each gave.
fn one_reason_per_subject(findings: Vec<Finding>) -> Vec<Finding> {
    if findings.len() < 2 {
        return findings;
    }
    let key = |f: &Finding| -> Option<(Option<PartyRole>, bool, String)> {
        let m = f.matched.as_ref()?;
        match f.kind {
            FindingKind::Platform => Some((f.party, true, m.platform.clone()?)),
            FindingKind::SanctionsName
            | FindingKind::SanctionsAddress
            | FindingKind::SanctionsIdentifier => Some((f.party, false, m.entity_id.clone()?)),
            _ => None,
        }
    };
    let mut out: Vec<Finding> = Vec::with_capacity(findings.len());
    let mut keys: Vec<Option<(Option<PartyRole>, bool, String)>> = Vec::new();
    for f in findings {
        let k = key(&f);
        let same = k
            .as_ref()
            .and_then(|k| keys.iter().position(|x| x.as_ref() == Some(k)));
        match same {
            None => {
                keys.push(k);
                out.push(f);
            }
            Some(i) => {
                let first = &mut out[i];
                let stronger = (f.action, f.points) > (first.action, first.points);
                let weaker = if stronger {
                    std::mem::replace(first, f)
                } else {
                    f
                };
                first.points = first.points.max(weaker.points);
                first.level_floor = first.level_floor.max(weaker.level_floor);
                first.action = first.action.max(weaker.action);
                // what the weaker one saw, without its own verdict
                let seen = weaker
                    .message
                    .split(" — ")
                    .next()
                    .unwrap_or(&weaker.message);
                first.message.push_str(" — also: ");
                first.message.push_str(seen);
            }
        }
    }
    out
}

/// One thing a transaction matched, before it is rendered as a finding:
/// what the rules and the finding renderer read, typed.
#[derive(Debug)]
pub(crate) enum Hit<'a> {
    /// A party's name matched a listed name.
    Name {
        role: PartyRole,
        party: &'a Party,
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
        /// Matched without case: the list's source lost the address's case.
        case_folded: bool,
    },
    /// One of a party's identity or registration numbers is printed by a
    /// list for a subject.
    Identifier {
        role: PartyRole,
        id: &'a crate::model::PartyId,
        entity: &'a Entity,
        listed: &'a crate::lists::Identifier,
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
    /// The list entry hit (a name, identifier or address hit).
    pub(crate) fn entity(&self) -> Option<&'a Entity> {
        match self {
            Hit::Name { entity, .. }
            | Hit::Identifier { entity, .. }
            | Hit::Address { entity, .. } => Some(*entity),
            _ => None,
        }
    }

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
            "{found} is listed by {} for {} '{}' (listed as {listed_chain}){}",
            entity.list,
            entity.id,
            entity.name,
            legal_basis(entity)
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
            "{whose}{via_text} '{query}' involves forbidden platform {} ({category}) via '{matched}'{}",
            platform.name,
            platform
                .note
                .as_deref()
                .map(|n| format!(" [{}]", n.trim()))
                .unwrap_or_default()
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
    let original = tx.original_id.as_deref().map(str::trim);
    match (tx.kind, original) {
        (crate::model::TransferKind::Transfer, Some(_)) => {
            return Err(invalid(
                "original_id",
                "given on a transfer: only a return or revocation undoes another transaction (set kind)",
            ))
        }
        (crate::model::TransferKind::Return | crate::model::TransferKind::Revocation, None | Some("")) => {
            return Err(invalid(
                "original_id",
                "missing: a return or revocation names the transaction it undoes",
            ))
        }
        _ => {}
    }
    if tx.amount < Decimal::ZERO {
        return Err(invalid("amount", "negative"));
    }
    if tx.value < Decimal::ZERO {
        return Err(invalid("value", "negative"));
    }
    check_countries(tx)?;
    check_birth_dates_and_ids(tx)
}

/// A birth date must read as a date (`YYYY-MM-DD`, `YYYY-MM` or `YYYY`):
/// one that does not could neither corroborate nor contradict a name, and
/// would pass unnoticed. An identifier must have a value.
fn check_birth_dates_and_ids(tx: &Transaction) -> Result<(), Error> {
    for (role, party) in tx.parties() {
        if let Some(b) = party.birth_date.as_deref().filter(|b| !b.trim().is_empty()) {
            if !birth_date_readable(b) {
                let shown: String = b.chars().take(64).collect();
                return Err(Error::invalid_transaction(
                    &tx.id,
                    format!("{role}.birth_date"),
                    format!("'{shown}' is not a birth date — write YYYY-MM-DD, YYYY-MM or YYYY"),
                ));
            }
        }
        for (i, id) in party.ids.iter().enumerate() {
            if normalize_identifier(&id.value).is_empty() {
                return Err(Error::invalid_transaction(
                    &tx.id,
                    format!("{role}.ids[{i}].value"),
                    "empty: give the number, or leave the identifier out",
                ));
            }
        }
    }
    Ok(())
}

pub(crate) use crate::lists::birth_date_readable;

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
        if let Some(a) = &party.address {
            check(&|| format!("{role}.address.country"), a.country.as_deref())?;
        }
        for (i, id) in party.ids.iter().enumerate() {
            check(
                &|| format!("{role}.ids[{i}].country"),
                id.country.as_deref(),
            )?;
        }
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

/// A hash of everything a list entry says (names, dates, countries,
/// identifiers, addresses, programmes, status): a reviewer's clearance of
/// a name hit on it lapses when it changes.
pub(crate) fn entry_hash(entity: &Entity) -> String {
    // an entity is plain data and serialises; were it ever not to, its
    // debug form (every field) is hashed instead, never nothing
    let bytes = serde_json::to_vec(entity).unwrap_or_else(|_| format!("{entity:?}").into_bytes());
    blake3::hash(&bytes).to_hex()[..32].to_owned()
}

/// A list entry as a reviewer reads it: id, kind, names, dates, countries,
/// identifiers, addresses, programmes.
pub(crate) fn entry_print(entity: &Entity) -> String {
    let kind = format!("{:?}", entity.kind).to_lowercase();
    let mut out = format!("{} ({kind}) {}", entity.id, entity.name);
    let aliases: Vec<&str> = entity.aliases.iter().map(|a| a.name.as_str()).collect();
    if !aliases.is_empty() {
        out.push_str(&format!("; aka {}", aliases.join(" | ")));
    }
    let dates: Vec<String> = entity
        .birth_dates
        .iter()
        .map(|d| match d {
            crate::lists::BirthDate::Date { date } => date.to_string(),
            crate::lists::BirthDate::YearMonth { year, month } => format!("{year}-{month:02}"),
            crate::lists::BirthDate::Year { year } => year.to_string(),
            crate::lists::BirthDate::Circa { year } => format!("c. {year}"),
            crate::lists::BirthDate::Range { from, to } => format!("{from}–{to}"),
            crate::lists::BirthDate::Text { text } => text.clone(),
        })
        .collect();
    if !dates.is_empty() {
        out.push_str(&format!("; born {}", dates.join(", ")));
    }
    if !entity.countries.is_empty() {
        out.push_str(&format!("; countries {}", entity.countries.join(", ")));
    }
    let ids: Vec<String> = entity
        .identifiers
        .iter()
        .map(|i| match &i.country {
            Some(c) => format!("{} {} ({c})", i.kind, i.value),
            None => format!("{} {}", i.kind, i.value),
        })
        .collect();
    if !ids.is_empty() {
        out.push_str(&format!("; ids {}", ids.join(", ")));
    }
    if !entity.addresses.is_empty() {
        out.push_str(&format!("; {} wallet(s)", entity.addresses.len()));
    }
    if !entity.programs.is_empty() {
        out.push_str(&format!("; programmes {}", entity.programs.join(", ")));
    }
    out
}

#[cfg(test)]
mod tests {

    #[test]
    fn sanctions_reasons_end_with_what_the_list_prints_about_the_listing() {
        use super::legal_basis;
        use crate::lists::{BirthDate, Entity, EntityKind};
        let mut e = Entity::new("ofac:1", "ofac", EntityKind::Person, "BOUT, Viktor");
        assert_eq!(legal_basis(&e), "");
        e.programs = vec!["SDGT".into(), " RUSSIA-EO14024 ".into()];
        e.listed_on = Some("2022-03-11".into());
        e.birth_dates = vec![
            BirthDate::parse_iso("1967-01-13"),
            BirthDate::Circa { year: 1970 },
        ];
        e.countries = vec!["RU".into()];
        assert_eq!(
            legal_basis(&e),
            " — listed under SDGT, RUSSIA-EO14024 (since 2022-03-11); born 1967-01-13 or circa 1970; nationality RU"
        );
        let mut org = Entity::new("eu:2", "eu", EntityKind::Organization, "X LLC");
        org.listed_on = Some("2023-02-25".into());
        org.countries = vec!["RU".into()];
        assert_eq!(legal_basis(&org), " — listed since 2023-02-25; country RU");
    }
    use super::fmt_score_against;

    #[test]
    fn a_score_is_printed_so_its_comparison_reads_true() {
        assert_eq!(fmt_score_against(0.95, 0.92), "0.95");
        assert_eq!(fmt_score_against(0.92, 0.92), "0.92");
        for (a, b) in [
            (0.9195, 0.92),
            (0.92, 0.9195),
            (0.919_999_9, 0.92),
            (0.800_04, 0.8),
        ] {
            let (x, y) = (fmt_score_against(a, b), fmt_score_against(b, a));
            // never "0.92 < 0.92": the printed numbers differ, in the
            // order of the numbers themselves
            assert_ne!(x, y, "{a} vs {b}");
            let (px, py): (f64, f64) = (x.parse().unwrap(), y.parse().unwrap());
            assert_eq!(px < py, a < b, "{x} vs {y}");
        }
    }
}
