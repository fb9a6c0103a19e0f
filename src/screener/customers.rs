//! Screening the customer base: at onboarding, and again when the lists
//! change — only against what changed, through the customers' own name
//! index ([`CustomerIndex`]).
//!
//! A customer screen goes through the same matcher and hit policy as a
//! transfer's parties (role `customer`), the same suppressions (a name hit
//! a reviewer cleared for this customer stays cleared) and the same case
//! store. The store remembers each hit (customer, entry, entry content):
//! a later screen opens a case only for a hit it does not hold yet, so a
//! full re-screen repeated opens nothing new, and an entry whose content
//! changed is looked at again.

use std::time::Instant;

use rustc_hash::{FxHashMap, FxHashSet};
use serde::Serialize;

use super::review::case_entries;
use super::Screener;
use crate::cases::{
    CaseId, CustomerHit, CustomerStatus, ListEntry, NewDecision, Registered, Screening, TxSummary,
};
use crate::customers::{Customer, CustomerIndex};
use crate::engine::{Engine, Hit};
use crate::error::Error;
use crate::model::{Action, Decision, PartyRole};

/// A case a customer screen opened.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CustomerCase {
    /// The customer.
    pub customer_id: String,
    /// The case.
    #[cfg_attr(feature = "openapi", schema(value_type = u64))]
    pub case: CaseId,
    /// Hold or block.
    pub action: Action,
    /// The decision's summary.
    pub summary: String,
}

/// What [`Screener::import_customers`] did.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportReport {
    /// Customers given.
    pub given: usize,
    /// Registered for the first time.
    pub added: usize,
    /// Registered before with another profile (screened again).
    pub changed: usize,
    /// Registered before with this very profile (not screened again).
    pub unchanged: usize,
    /// Customers screened (added and changed).
    pub screened: usize,
    /// Cases opened.
    pub cases: Vec<CustomerCase>,
    /// Customers put under enhanced due diligence (a PEP hit, or a
    /// self-declared PEP).
    pub enhanced: Vec<String>,
    /// Customers rated, by level (when the rule files have a model).
    pub ratings: std::collections::BTreeMap<&'static str, usize>,
}

/// What [`Screener::rescreen_customers`] did.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct RescreenReport {
    /// `delta` or `full`.
    pub mode: &'static str,
    /// Why a delta was asked for but a full run was done.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub full_because: Option<String>,
    /// Customers registered.
    pub customers: usize,
    /// Entries the lists in force have that the last screen's did not.
    pub entries_added: usize,
    /// Entries whose content changed since the last screen.
    pub entries_changed: usize,
    /// Entries the last screen's lists had that the lists in force lack.
    pub entries_removed: usize,
    /// Entries searched for among the customers (active added and changed).
    pub entries_screened: usize,
    /// Customers screened forward (every one, in a full run; the reverse
    /// search's candidates, in a delta run).
    pub customers_screened: usize,
    /// Hits not known before.
    pub new_hits: usize,
    /// Cases opened.
    pub cases: Vec<CustomerCase>,
    /// Open cases annotated because an entry they rest on was removed.
    pub annotated: Vec<CaseId>,
    /// Customers put under enhanced due diligence.
    pub enhanced: Vec<String>,
    /// The customers' name index of a delta run: `cached` (read from the
    /// file beside the store, current for the registry) or `built` (the
    /// registry changed since, or no file: built and cached).
    #[serde(skip_serializing_if = "str::is_empty")]
    pub index: &'static str,
    /// Milliseconds getting the customers' name index (delta only).
    pub index_ms: u128,
    /// Milliseconds reading the candidates' profiles (delta only).
    pub fetch_ms: u128,
    /// Milliseconds reading, screening and recording customers.
    pub screen_ms: u128,
    /// Milliseconds re-rating the customers with new cases.
    pub rate_ms: u128,
    /// Milliseconds in all.
    pub total_ms: u128,
}

/// One customer's screen, made on any core, recorded on one.
struct Screened {
    customer_id: String,
    content: u128,
    decision: Decision,
    summary: TxSummary,
    entries: Vec<ListEntry>,
    /// (entry or `platform:id`, content hash) of each new hit.
    hits: Vec<(String, String)>,
    pep: bool,
}

/// The screening id of a re-screen under `engine`.
fn list_change_id(engine: &Engine) -> String {
    format!("lists:{}", engine.engine_id())
}

/// Customers screened forward per store write (bounds what waits in memory).
const SCREEN_CHUNK: usize = 20_000;

impl Screener {
    /// Registers customers (a new id is added, a known one's profile
    /// replaced) and screens each one added or changed against every
    /// loaded list (onboarding): a hit opens a case, a PEP hit (or a
    /// self-declared PEP) puts the customer under enhanced due diligence.
    /// Every customer is checked first ([`Customer::check`]): one that
    /// cannot be read refuses the whole call, naming it and the field.
    pub fn import_customers(&self, customers: &[Customer]) -> Result<ImportReport, Error> {
        for c in customers {
            if let Err((field, message)) = c.check() {
                return Err(Error::invalid_transaction(
                    format!("customer {}", c.id.trim()),
                    field,
                    message,
                ));
            }
        }
        let engine = self.engine.load_full();
        let store = self.desk.store();
        let now = self.clock.now();
        let mut report = ImportReport {
            given: customers.len(),
            ..ImportReport::default()
        };
        let mut to_screen: Vec<&Customer> = Vec::new();
        let mut registered: Vec<Registered> = Vec::new();
        let mut seen = FxHashSet::default();
        let mut changed_ids: FxHashSet<&str> = FxHashSet::default();
        for c in customers {
            if !seen.insert(c.id.as_str()) {
                return Err(Error::invalid_transaction(
                    format!("customer {}", c.id),
                    "id",
                    "given twice in one import",
                ));
            }
            let hash = c.content_hash();
            match store.registered(&c.id)? {
                Some(r) if r.hash == hash => {
                    report.unchanged += 1;
                    continue;
                }
                Some(_) => {
                    report.changed += 1;
                    changed_ids.insert(c.id.as_str());
                }
                None => report.added += 1,
            }
            registered.push(Registered {
                customer_id: c.id.clone(),
                profile: serde_json::to_string(c).map_err(|e| {
                    Error::from(crate::cases::StoreError::Unrecorded(format!(
                        "customer {}: cannot write the profile as JSON: {e}",
                        c.id
                    )))
                })?,
                hash,
                updated_at: now,
            });
            to_screen.push(c);
        }
        // the first screen of the base is the one the next delta starts from
        let first_screen = store.screened_entries()?.is_empty() && store.registered_count()? == 0;
        let known = known_hits(self, &to_screen)?;
        let (cases, enhanced, _) = self.screen_and_record(
            &engine,
            &to_screen,
            Screening::Onboarding,
            "onboarding",
            None,
            &known,
            &|_, _| {},
        )?;
        report.screened = to_screen.len();
        report.cases = cases;
        report.enhanced = enhanced;
        // registered only once screened: a failure before this leaves the
        // profiles new, so the next import screens them again
        store.put_customers(&registered)?;
        if first_screen && !registered.is_empty() {
            store.set_screened_entries(&current_entries(&engine))?;
        }
        // a self-declared PEP gets enhanced due diligence whatever the lists say
        for c in to_screen.iter().filter(|c| c.pep) {
            if !report.enhanced.contains(&c.id) && self.set_enhanced(&c.id, None, "the customer declared themselves a politically exposed person at onboarding: enhanced due diligence, a management decision on the business relationship")? {
                report.enhanced.push(c.id.clone());
            }
        }
        // every new or changed profile is rated (with the cases just opened)
        if engine.rules().customer_risk().is_some() {
            for chunk in to_screen.chunks(SCREEN_CHUNK) {
                let items: Vec<(&Customer, &str)> = chunk
                    .iter()
                    .map(|c| {
                        let trigger = if changed_ids.contains(c.id.as_str()) {
                            "profile change"
                        } else {
                            "onboarding"
                        };
                        (*c, trigger)
                    })
                    .collect();
                for r in self.rate_profiles(&items)? {
                    *report.ratings.entry(r.level.name()).or_default() += 1;
                }
            }
        }
        Ok(report)
    }

    /// Screens the registered customers again because the lists changed:
    /// by default only against the entries added or changed since the last
    /// screen (searched for among the customers through their own name
    /// index, each candidate then screened as onboarding screens it);
    /// `full` screens every customer against every entry. Either way a
    /// case opens only for a hit the store does not hold yet, and each
    /// open case resting on an entry the lists no longer have gets a note
    /// saying so. `progress(done, total)` is called as customers are
    /// screened.
    pub fn rescreen_customers(
        &self,
        full: bool,
        progress: &(dyn Fn(usize, usize) + Sync),
    ) -> Result<RescreenReport, Error> {
        let engine = self.engine.load_full();
        let store = self.desk.store();
        let started = Instant::now();
        let mut report = RescreenReport {
            mode: if full { "full" } else { "delta" },
            customers: store.registered_count()? as usize,
            ..RescreenReport::default()
        };
        let current = current_entries(&engine);
        let base: FxHashMap<String, String> = store.screened_entries()?.into_iter().collect();
        let now_ids: FxHashSet<&str> = current.iter().map(|(id, _)| id.as_str()).collect();
        let mut delta: FxHashSet<&str> = FxHashSet::default();
        for (id, hash) in &current {
            match base.get(id) {
                None => {
                    report.entries_added += 1;
                    delta.insert(id);
                }
                Some(h) if h != hash => {
                    report.entries_changed += 1;
                    delta.insert(id);
                }
                Some(_) => {}
            }
        }
        let removed: Vec<&String> = base
            .keys()
            .filter(|id| !now_ids.contains(id.as_str()))
            .collect();
        report.entries_removed = removed.len();
        let full = full || {
            if base.is_empty() && report.customers > 0 {
                report.full_because = Some(
                    "no earlier screen of the registry is recorded: every entry is new".into(),
                );
                report.mode = "full";
                true
            } else {
                false
            }
        };
        let screening_id = list_change_id(&engine);
        // a delta's candidates first: a listed name that brings more
        // customers than the search returns could hide some, and then the
        // run is a full one
        let mut delta_customers: Vec<Customer> = Vec::new();
        let full = full
            || {
                let entities: Vec<&crate::lists::Entity> = engine
                    .entities()
                    .iter()
                    .filter(|e| e.is_active() && delta.contains(e.id.as_str()))
                    .collect();
                report.entries_screened = entities.len();
                let mut chosen_customers: Vec<Customer> = Vec::new();
                let mut capped = 0;
                if !entities.is_empty() && report.customers > 0 {
                    let index_started = Instant::now();
                    let (index, cached) = self.customer_index(&engine)?;
                    report.index = if cached { "cached" } else { "built" };
                    report.index_ms = index_started.elapsed().as_millis();
                    use rayon::prelude::*;
                    let found: Vec<(Vec<u32>, bool)> = entities
                        .par_iter()
                        .map(|e| {
                            let mut found = Vec::new();
                            let capped = index.candidates(e, &mut found);
                            (found, capped)
                        })
                        .collect();
                    capped = found.iter().filter(|(_, c)| *c).count();
                    let mut picked: Vec<u32> = found.into_iter().flat_map(|(f, _)| f).collect();
                    picked.sort_unstable();
                    picked.dedup();
                    let fetch_started = Instant::now();
                    for p in picked {
                        let Some(id) = index.id(p) else { continue };
                        if let Some(r) = store.registered(id)? {
                            chosen_customers.push(profile(&r)?);
                        }
                    }
                    report.fetch_ms = fetch_started.elapsed().as_millis();
                }
                if capped > 0 {
                    report.full_because = Some(format!(
                    "{capped} changed entr{} matched more than {} customers by one name: a delta could miss some",
                    if capped == 1 { "y" } else { "ies" },
                    crate::customers::CANDIDATES_PER_NAME
                ));
                    report.mode = "full";
                    true
                } else {
                    delta_customers = chosen_customers;
                    false
                }
            };
        let (cases, enhanced, new_hits) = if full {
            // every customer, read and screened a block at a time
            report.entries_screened = current.len();
            let total = report.customers;
            let mut outcome = (Vec::new(), Vec::new(), 0);
            let mut done = 0;
            // the stored rows first (their JSON, not yet parsed), then each
            // block parsed, screened and dropped in turn
            let mut blocks: Vec<Vec<Registered>> = vec![Vec::new()];
            store.each_registered(&mut |r| {
                if blocks.last().is_some_and(|b| b.len() >= SCREEN_CHUNK) {
                    blocks.push(Vec::with_capacity(SCREEN_CHUNK));
                }
                if let Some(b) = blocks.last_mut() {
                    b.push(r);
                }
                Ok(())
            })?;
            for block in blocks {
                let customers = parse_profiles(block)?;
                let chosen: Vec<&Customer> = customers.iter().collect();
                let known = known_hits(self, &chosen)?;
                let offset = done;
                let (c, e, n) = self.screen_and_record(
                    &engine,
                    &chosen,
                    Screening::ListChange,
                    &screening_id,
                    None,
                    &known,
                    &|d, _| progress(offset + d, total),
                )?;
                done += chosen.len();
                outcome.0.extend(c);
                outcome.1.extend(e);
                outcome.2 += n;
            }
            report.customers_screened = done;
            report.screen_ms = started.elapsed().as_millis();
            outcome
        } else {
            let screen_started = Instant::now();
            let chosen: Vec<&Customer> = delta_customers.iter().collect();
            report.customers_screened = chosen.len();
            let known = known_hits(self, &chosen)?;
            let outcome = self.screen_and_record(
                &engine,
                &chosen,
                Screening::ListChange,
                &screening_id,
                Some(&delta),
                &known,
                progress,
            )?;
            report.screen_ms = screen_started.elapsed().as_millis();
            outcome
        };
        report.new_hits = new_hits;
        // a customer with a new case is rated again
        let rate_started = Instant::now();
        if engine.rules().customer_risk().is_some() {
            let mut rated = FxHashSet::default();
            let items: Vec<(String, String)> = cases
                .iter()
                .filter(|c| rated.insert(c.customer_id.clone()))
                .map(|c| {
                    (
                        c.customer_id.clone(),
                        format!("case {} on a list change", c.case),
                    )
                })
                .collect();
            self.rate_many(&items)?;
        }
        report.rate_ms = rate_started.elapsed().as_millis();
        report.cases = cases;
        report.enhanced = enhanced;
        // a removed entry: each open case resting on it is told
        let now = self.clock.now();
        for id in removed {
            for hit in store.customer_hits(Some(id))? {
                let Some(case) = hit.case else { continue };
                let open = store
                    .case(case)?
                    .is_some_and(|c| c.status != crate::cases::CaseStatus::Closed);
                if !open || report.annotated.contains(&case) {
                    continue;
                }
                let note = format!(
                    "list entry {id} is no longer in the lists in force (engine {}, {}): the hit of this case on it no longer stands on a listed subject — review and close the case",
                    engine.engine_id(),
                    now.format("%Y-%m-%d")
                );
                self.desk
                    .annotate(case, "lists", &note, now, &mut |a| self.seal(a))?;
                report.annotated.push(case);
            }
        }
        store.set_screened_entries(&current)?;
        report.total_ms = started.elapsed().as_millis();
        Ok(report)
    }

    /// The customers' name index: read from the file beside the store when
    /// it is current for the registry and the matcher, else built from the
    /// registry and written there (atomically) for the next run. Whether it
    /// was read.
    fn customer_index(&self, engine: &Engine) -> Result<(CustomerIndex, bool), Error> {
        let store = self.desk.store();
        let generation = store.registry_generation()?;
        let fingerprint = index_fingerprint(engine);
        let cache = store
            .file()
            .map(|f| std::path::PathBuf::from(format!("{}.customer-index", f.display())));
        if let Some(path) = &cache {
            if let Some(index) = read_index(path, generation, &fingerprint) {
                return Ok((index, true));
            }
        }
        // rows parsed a block at a time, so that only one block of their
        // JSON is held beside the profiles
        let mut customers: Vec<Customer> = Vec::new();
        let mut block: Vec<Registered> = Vec::new();
        store.each_registered(&mut |r| {
            block.push(r);
            if block.len() >= 16_384 {
                customers.extend(parse_profiles(std::mem::take(&mut block))?);
            }
            Ok(())
        })?;
        customers.extend(parse_profiles(block)?);
        let index = CustomerIndex::build(&customers, engine.matching());
        drop(customers);
        if let Some(path) = &cache {
            // a cache that cannot be written costs the next run a rebuild,
            // nothing else
            if let Err(e) = write_index(path, generation, &fingerprint, &index) {
                eprintln!(
                    "amlscreen: the customers' name index was not cached at {}: {e}",
                    path.display()
                );
            }
        }
        Ok((index, false))
    }

    /// A registered customer.
    pub fn registered_customer(&self, customer_id: &str) -> Result<Option<Customer>, Error> {
        Ok(self
            .desk
            .store()
            .registered(customer_id)?
            .map(|r| profile(&r))
            .transpose()?)
    }

    /// Screens `customers` (keeping only hits on `only`'s entries, when
    /// given, and hits `known` does not hold), records each decision with
    /// a hit (a hold or block opens a case), remembers the hits, applies
    /// the policy's freeze to a block and enhanced due diligence to a PEP
    /// hit. Returns the cases opened and the customers enhanced.
    #[allow(clippy::too_many_arguments)]
    fn screen_and_record(
        &self,
        engine: &Engine,
        customers: &[&Customer],
        screening: Screening,
        screening_id: &str,
        only: Option<&FxHashSet<&str>>,
        known: &FxHashMap<String, Vec<(String, String)>>,
        progress: &(dyn Fn(usize, usize) + Sync),
    ) -> Result<(Vec<CustomerCase>, Vec<String>, usize), Error> {
        use rayon::prelude::*;
        let total = customers.len();
        let done = std::sync::atomic::AtomicUsize::new(0);
        let mut cases = Vec::new();
        let mut enhanced = Vec::new();
        let mut new_hits = 0;
        for chunk in customers.chunks(SCREEN_CHUNK) {
            let screened: Vec<Screened> = chunk
                .par_iter()
                .filter_map(|c| {
                    let s = self.screen_one(engine, c, screening, screening_id, only, known);
                    let n = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
                    if n % 4096 == 0 || n == total {
                        progress(n, total);
                    }
                    s
                })
                .collect();
            if screened.is_empty() {
                continue;
            }
            let decided_at = self.clock.now();
            let records: Vec<NewDecision<'_>> = screened
                .iter()
                .map(|s| NewDecision {
                    decision: &s.decision,
                    customer_id: &s.customer_id,
                    transaction: Some(&s.summary),
                    content: s.content,
                    decided_at,
                    entries: &s.entries,
                    replaces: None,
                })
                .collect();
            let opened = self.desk.store().record(&records)?;
            drop(records);
            let decisions: Vec<Decision> = screened
                .iter()
                .zip(&opened)
                .map(|(s, case)| Decision {
                    case: *case,
                    ..s.decision.clone()
                })
                .collect();
            self.append_customer_audit(engine, &screened, &decisions, decided_at)?;
            let mut hits = Vec::new();
            for (s, case) in screened.iter().zip(&opened) {
                for (entity_id, entry_hash) in &s.hits {
                    hits.push(CustomerHit {
                        customer_id: s.customer_id.clone(),
                        entity_id: entity_id.clone(),
                        entry_hash: entry_hash.clone(),
                        case: *case,
                        found_at: decided_at,
                    });
                }
                let Some(case) = *case else { continue };
                cases.push(CustomerCase {
                    customer_id: s.customer_id.clone(),
                    case,
                    action: s.decision.action,
                    summary: s.decision.summary.clone(),
                });
                if s.decision.action == Action::Block {
                    let account = engine.rules().account();
                    self.desk
                        .after_block(&s.customer_id, case, decided_at, account, &mut |a| {
                            self.seal(a)
                        })?;
                } else if s.pep {
                    let note = format!(
                        "a list of politically exposed persons names the customer (case {case}): enhanced due diligence, a management decision on the business relationship"
                    );
                    if self.set_enhanced(&s.customer_id, Some(case), &note)? {
                        enhanced.push(s.customer_id.clone());
                    }
                }
            }
            new_hits += hits.len();
            self.desk.store().put_customer_hits(&hits)?;
        }
        Ok((cases, enhanced, new_hits))
    }

    /// One customer's screen: `None` when it finds nothing new.
    fn screen_one(
        &self,
        engine: &Engine,
        customer: &Customer,
        screening: Screening,
        screening_id: &str,
        only: Option<&FxHashSet<&str>>,
        known: &FxHashMap<String, Vec<(String, String)>>,
    ) -> Option<Screened> {
        let parties = customer.parties();
        let hits = engine.customer_hits(&parties);
        if hits.is_empty() {
            return None;
        }
        let already = known.get(&customer.id);
        let key = |hit: &Hit<'_>| -> Option<(String, String)> {
            match hit {
                Hit::Platform { platform, .. } => {
                    Some((format!("platform:{}", platform.id), "platform".to_owned()))
                }
                _ => hit.entity().map(|e| (e.id.clone(), engine.entity_hash(e))),
            }
        };
        let hits: Vec<Hit<'_>> = hits
            .into_iter()
            .filter(|h| match (only, h.entity()) {
                // a delta re-screen looks at the changed entries only
                (Some(only), Some(e)) => only.contains(e.id.as_str()),
                (Some(_), None) => false,
                (None, _) => true,
            })
            .filter(|h| {
                let Some(k) = key(h) else { return true };
                !already.is_some_and(|a| a.contains(&k))
            })
            .collect();
        if hits.is_empty() {
            return None;
        }
        let (hits, notes) = self.suppress(engine, &customer.id, hits);
        if hits.is_empty() {
            return None;
        }
        let pep = hits
            .iter()
            .any(|h| h.entity().is_some_and(|e| e.category.is_pep()));
        let mut keys: Vec<(String, String)> = hits.iter().filter_map(key).collect();
        keys.sort();
        keys.dedup();
        let mut findings = engine.findings(&hits);
        findings.extend(notes);
        let decision = engine.decide_customer(screening_id, findings);
        let with_roles: Vec<(PartyRole, &crate::model::Party)> =
            parties.iter().map(|p| (PartyRole::Customer, p)).collect();
        let entries = case_entries(engine, &with_roles, &decision);
        let content = u128::from_str_radix(&customer.content_hash(), 16).unwrap_or_default();
        Some(Screened {
            customer_id: customer.id.clone(),
            content,
            summary: customer_summary(customer, screening, screening_id, self.clock.now()),
            decision,
            entries,
            hits: keys,
            pep,
        })
    }

    /// Puts a customer under enhanced due diligence (reviewer `policy`)
    /// unless already enhanced or frozen; whether it did.
    fn set_enhanced(
        &self,
        customer: &str,
        case: Option<CaseId>,
        note: &str,
    ) -> Result<bool, Error> {
        let status = self.desk.store().customer(customer)?.status;
        if status != CustomerStatus::Normal {
            return Ok(false);
        }
        self.desk.set_status(
            customer,
            CustomerStatus::Enhanced,
            "policy",
            note,
            case,
            self.clock.now(),
            &mut |a| self.seal(a),
        )?;
        Ok(true)
    }

    /// Appends customer screens' decisions to the audit chain, in one write.
    fn append_customer_audit(
        &self,
        engine: &Engine,
        screened: &[Screened],
        decisions: &[Decision],
        at: chrono::DateTime<chrono::Utc>,
    ) -> Result<(), Error> {
        let Some(audit) = &self.audit else {
            return Ok(());
        };
        let records: Vec<crate::audit::AuditEntry<'_>> = screened
            .iter()
            .zip(decisions)
            .map(|(s, d)| crate::audit::AuditEntry {
                transaction_id: &d.transaction_id,
                decision: Some(d),
                refused: None,
                staff: None,
                customer_id: Some(&s.customer_id),
                decided_at: at,
            })
            .collect();
        let mut log = audit.lock().unwrap_or_else(|p| p.into_inner());
        log.append_batch(&records, engine.provenance())?;
        Ok(())
    }
}

/// The customer index file: magic, format, registry generation, matcher
/// fingerprint, then the index (bitcode).
const INDEX_MAGIC: &[u8; 8] = b"AMLCIDX\0";
const INDEX_FORMAT: u32 = 3;

/// What an index depends on besides the registry: the matcher's settings
/// and how candidates are searched.
fn index_fingerprint(engine: &Engine) -> [u8; 32] {
    let mut h = blake3::Hasher::new();
    h.update(&bitcode::serialize(engine.matching()).unwrap_or_default());
    h.update(&crate::customers::CANDIDATE_MARGIN.to_le_bytes());
    h.update(&(crate::customers::CANDIDATES_PER_NAME as u64).to_le_bytes());
    h.update(crate::model::ENGINE_VERSION.as_bytes());
    *h.finalize().as_bytes()
}

/// The cached index, when the file holds one current for `generation`
/// and `fingerprint`; anything else (no file, another version, damage)
/// is `None` and the index is rebuilt.
fn read_index(
    path: &std::path::Path,
    generation: u64,
    fingerprint: &[u8; 32],
) -> Option<CustomerIndex> {
    let bytes = std::fs::read(path).ok()?;
    let head = 8 + 4 + 8 + 32;
    if bytes.len() < head || &bytes[..8] != INDEX_MAGIC {
        return None;
    }
    let format = u32::from_le_bytes(bytes[8..12].try_into().ok()?);
    let stored = u64::from_le_bytes(bytes[12..20].try_into().ok()?);
    if format != INDEX_FORMAT || stored != generation || &bytes[20..52] != fingerprint {
        return None;
    }
    bitcode::deserialize(&bytes[head..]).ok()
}

fn write_index(
    path: &std::path::Path,
    generation: u64,
    fingerprint: &[u8; 32],
    index: &CustomerIndex,
) -> std::io::Result<()> {
    let payload = bitcode::serialize(index).map_err(std::io::Error::other)?;
    let mut bytes = Vec::with_capacity(52 + payload.len());
    bytes.extend_from_slice(INDEX_MAGIC);
    bytes.extend_from_slice(&INDEX_FORMAT.to_le_bytes());
    bytes.extend_from_slice(&generation.to_le_bytes());
    bytes.extend_from_slice(fingerprint);
    bytes.extend_from_slice(&payload);
    // customers' names: owner-only, like the store
    let tmp = path.with_extension("customer-index.tmp");
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(&tmp)?;
    std::io::Write::write_all(&mut file, &bytes)?;
    file.sync_all()?;
    drop(file);
    std::fs::rename(&tmp, path)
}

/// Stored profiles read back on every core, in order.
fn parse_profiles(block: Vec<Registered>) -> Result<Vec<Customer>, crate::cases::StoreError> {
    use rayon::prelude::*;
    block.into_par_iter().map(|r| profile(&r)).collect()
}

/// A stored profile read back; one that does not read is a damaged store.
fn profile(r: &Registered) -> Result<Customer, crate::cases::StoreError> {
    serde_json::from_str(&r.profile).map_err(|e| crate::cases::StoreError::Database {
        path: std::path::PathBuf::from("registry"),
        message: format!(
            "customer {}: the stored profile does not read: {e}",
            r.customer_id
        ),
    })
}

/// Each entry of the lists in force with its content hash.
fn current_entries(engine: &Engine) -> Vec<(String, String)> {
    use rayon::prelude::*;
    engine
        .entities()
        .par_iter()
        .map(|e| (e.id.clone(), engine.entity_hash(e)))
        .collect()
}

/// The hits the store holds for `customers`, by customer.
fn known_hits(
    screener: &Screener,
    customers: &[&Customer],
) -> Result<FxHashMap<String, Vec<(String, String)>>, Error> {
    let wanted: FxHashSet<&str> = customers.iter().map(|c| c.id.as_str()).collect();
    let mut out: FxHashMap<String, Vec<(String, String)>> = FxHashMap::default();
    for h in screener.desk.store().customer_hits(None)? {
        if wanted.contains(h.customer_id.as_str()) {
            out.entry(h.customer_id)
                .or_default()
                .push((h.entity_id, h.entry_hash));
        }
    }
    Ok(out)
}

/// What a case keeps of a customer screen.
fn customer_summary(
    c: &Customer,
    screening: Screening,
    id: &str,
    at: chrono::DateTime<chrono::Utc>,
) -> TxSummary {
    TxSummary {
        screening,
        transaction_id: id.to_owned(),
        timestamp: at,
        customer_id: c.id.clone(),
        direction: String::new(),
        amount: String::new(),
        currency: String::new(),
        parties: vec![crate::cases::PartySummary {
            role: "customer".into(),
            name: Some(c.names.join(" | ")),
            kind: Some(format!("{:?}", c.kind).to_lowercase()),
            birth_date: c.birth_date.clone(),
            country: c.nationality.first().or(c.residence.as_ref()).cloned(),
            wallet: (!c.wallets.is_empty()).then(|| {
                c.wallets
                    .iter()
                    .map(|w| format!("{}:{}", w.chain, w.address))
                    .collect::<Vec<_>>()
                    .join(" | ")
            }),
            account: None,
            vasp: None,
            domain: None,
            ids: c
                .identifiers
                .iter()
                .map(|i| format!("{} {}", i.label(), i.value))
                .collect(),
        }],
    }
}
