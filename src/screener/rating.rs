//! Customer risk ratings: the model of the rule files
//! ([`crate::rules::customer_risk`]) applied to what the registry, the case
//! store and the customer history know of a customer; kept in the store,
//! in memory for the transaction rules that read it, and in the audit
//! chain.

use rust_decimal::Decimal;

use super::Screener;
use crate::cases::{CaseFilter, CaseStatus, RatingRecord};
use crate::customers::Customer;
use crate::engine::Engine;
use crate::error::Error;
use crate::model::Action;
use crate::rules::customer_risk::{CustomerFacts, Rating};
use crate::rules::RuleKind;

impl Screener {
    /// Rates a registered customer with the rule files' model, keeps the
    /// rating (store, memory, audit chain) and returns it. `trigger` says
    /// why (`on demand`, `import`, `case 12 confirmed`, `hold of tx-9`).
    /// `Ok(None)`: the rule files have no `customer_risk:` model, or the
    /// customer is not registered.
    pub fn rate_customer(&self, customer_id: &str, trigger: &str) -> Result<Option<Rating>, Error> {
        Ok(self
            .rate_many(&[(customer_id.to_owned(), trigger.to_owned())])?
            .pop())
    }

    /// Rates several customers (`(id, trigger)`), as [`Screener::rate_customer`]
    /// does, with one audit write and one store write for all: the ratings
    /// of those registered.
    pub(super) fn rate_many(&self, items: &[(String, String)]) -> Result<Vec<Rating>, Error> {
        let mut profiles = Vec::with_capacity(items.len());
        for (id, trigger) in items {
            if let Some(c) = self.registered_customer(id)? {
                profiles.push((c, trigger.clone()));
            }
        }
        let refs: Vec<(&Customer, &str)> = profiles.iter().map(|(c, t)| (c, t.as_str())).collect();
        self.rate_profiles(&refs)
    }

    /// Rates customers whose profiles are at hand.
    pub(super) fn rate_profiles(&self, items: &[(&Customer, &str)]) -> Result<Vec<Rating>, Error> {
        let engine = self.engine.load_full();
        let Some(model) = engine.rules().customer_risk() else {
            return Ok(Vec::new());
        };
        let mut ratings = Vec::with_capacity(items.len());
        for (customer, trigger) in items {
            let facts = self.facts(&engine, customer)?;
            let mut rating = model.rate(&customer.id, &facts, self.clock.now());
            rating.trigger = (*trigger).to_owned();
            ratings.push(rating);
        }
        // sealed first: a rating is kept only once its record is in the chain
        self.seal_ratings(&ratings)?;
        let mut records = Vec::with_capacity(ratings.len());
        for rating in &ratings {
            let json = serde_json::to_string(rating).map_err(|e| {
                Error::from(crate::cases::StoreError::Unrecorded(format!(
                    "rating of {}: {e}",
                    rating.customer_id
                )))
            })?;
            records.push(RatingRecord {
                customer_id: rating.customer_id.clone(),
                level: rating.level,
                score: rating.score,
                rating: json,
                rated_at: rating.rated_at,
            });
        }
        self.desk.store().put_ratings(&records)?;
        for rating in &ratings {
            self.desk.remember_rating(&rating.customer_id, rating.level);
        }
        Ok(ratings)
    }

    /// A customer's last rating, as kept.
    pub fn customer_rating(&self, customer_id: &str) -> Result<Option<Rating>, Error> {
        match self.desk.store().rating(customer_id)? {
            Some(r) => Ok(Some(serde_json::from_str(&r.rating).map_err(|e| {
                Error::from(crate::cases::StoreError::Database {
                    path: "ratings".into(),
                    message: format!("the stored rating of {customer_id} does not read: {e}"),
                })
            })?)),
            None => Ok(None),
        }
    }

    /// Rates every registered customer (`customers rate` without an id).
    pub fn rate_all_customers(&self, trigger: &str) -> Result<Vec<Rating>, Error> {
        let mut ids = Vec::new();
        self.desk.store().each_registered(&mut |r| {
            ids.push(r.customer_id);
            Ok(())
        })?;
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(r) = self.rate_customer(&id, trigger)? {
                out.push(r);
            }
        }
        Ok(out)
    }

    /// What the model reads of a customer: the profile, the cases and
    /// their outcomes, the holds and anonymiser holds (from the cases they
    /// opened), and the transfers the customer history holds.
    fn facts(&self, engine: &Engine, c: &Customer) -> Result<CustomerFacts, Error> {
        let cases = self.desk.store().cases(&CaseFilter {
            customer_id: Some(c.id.clone()),
            ..CaseFilter::default()
        })?;
        let mut facts = CustomerFacts {
            residence: c.residence.clone(),
            nationality: c.nationality.clone(),
            pep_declared: c.pep,
            document: c.document.clone(),
            ..CustomerFacts::default()
        };
        if let Some(a) = &c.activity {
            facts.activity_declared = a.occupation.is_some()
                || a.business_type.is_some()
                || a.expected_monthly_volume.is_some();
            let policy = engine.rules().policy();
            facts.declared_monthly = match (a.expected_monthly_volume, a.currency.as_deref()) {
                (Some(v), Some(cur)) if cur.eq_ignore_ascii_case(&policy.reference_currency) => {
                    Some(v)
                }
                (Some(v), Some(cur)) => policy
                    .rates
                    .per_unit
                    .get(&cur.to_ascii_uppercase())
                    .and_then(|rate| v.checked_mul(*rate)),
                _ => None,
            };
        }
        for case in &cases {
            if case.status == CaseStatus::Closed {
                if case.outcome.is_some_and(|o| o.stands()) {
                    facts.confirmed_cases.push(case.id);
                }
            } else {
                facts.open_cases.push(case.id);
            }
            let pep = case.decision.reasons.iter().any(|f| {
                f.matched
                    .as_ref()
                    .and_then(|m| m.entity_id.as_deref())
                    .and_then(|id| engine.entity(id))
                    .is_some_and(|e| e.category.is_pep())
            });
            // a PEP hit that a reviewer cleared as a false positive is none
            let cleared = case.outcome == Some(crate::cases::Outcome::FalsePositive);
            facts.pep_hit |= pep && !cleared;
            if case.decision.action == Action::Hold {
                facts.holds.push(case.opened_at);
            }
            let anonymizer = case.decision.reasons.iter().any(|f| {
                engine
                    .rules()
                    .rule(&f.rule_id)
                    .is_some_and(|r| r.kind == RuleKind::Anonymizer)
            });
            if anonymizer {
                facts.anonymizer_holds.push(case.opened_at);
            }
        }
        facts.observed = self.state.history(&c.id).map(|h| {
            h.entries()
                .iter()
                .map(|e| (e.timestamp, e.value))
                .collect::<Vec<(chrono::DateTime<chrono::Utc>, Decimal)>>()
        });
        Ok(facts)
    }

    /// Appends ratings to the audit chain (records of reviewer `policy`,
    /// kind `customer_rating`, the customer in the record's own,
    /// pseudonymised, `customer_id`), in one write, when a log is kept.
    fn seal_ratings(&self, ratings: &[Rating]) -> Result<(), Error> {
        let Some(audit) = &self.audit else {
            return Ok(());
        };
        if ratings.is_empty() {
            return Ok(());
        }
        let mut values = Vec::with_capacity(ratings.len());
        for rating in ratings {
            let mut value = serde_json::to_value(rating)
                .map_err(|e| Error::from(crate::cases::StoreError::Audit(e.to_string())))?;
            if let Some(map) = value.as_object_mut() {
                map.remove("customer_id");
                map.insert("kind".into(), "customer_rating".into());
                map.insert("reviewer".into(), "policy".into());
                // the factors that contribute (the others graded 0): what
                // the rating rests on, at a third of the size
                if let Some(serde_json::Value::Array(factors)) = map.get_mut("factors") {
                    factors.retain(|f| f.get("grade").and_then(|g| g.as_u64()).unwrap_or(0) > 0);
                }
            }
            values.push(value);
        }
        let records: Vec<crate::audit::AuditEntry<'_>> = ratings
            .iter()
            .zip(&values)
            .map(|(r, v)| crate::audit::AuditEntry {
                transaction_id: "",
                decision: None,
                refused: None,
                staff: Some(v),
                customer_id: Some(&r.customer_id),
                decided_at: r.rated_at,
            })
            .collect();
        let mut log = audit.lock().unwrap_or_else(|p| p.into_inner());
        log.append_notes(&records)
            .map_err(|e| Error::from(crate::cases::StoreError::Audit(e.to_string())))?;
        Ok(())
    }

    /// Re-rates a customer after an event, when a model and a profile
    /// exist; a failure is returned (the event itself stands).
    pub(super) fn rerate(&self, customer_id: &str, trigger: &str) -> Result<(), Error> {
        self.rate_customer(customer_id, trigger).map(|_| ())
    }
}
