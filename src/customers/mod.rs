//! The customer registry: who the exchange's customers are, so that they
//! can be screened at onboarding and again when the lists change, not only
//! when they transact.
//!
//! A [`Customer`] is read from a JSON-lines or CSV file ([`read_file`]) or
//! built by the caller; every field is checked as a transaction's party
//! fields are (a birth date must read as a date, a country as a country, a
//! wallet as an address of its chain), and a row that breaks a rule is a
//! [`RowError`] naming its line and field — never a customer imported with
//! the field dropped.
//!
//! Screening a customer ([`crate::Screener::import_customers`],
//! [`crate::Screener::rescreen_customers`]) uses the same matcher and hit
//! policy as a transaction's parties, under the party role `customer`.

mod read;
mod reverse;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::model::{Party, PartyId, PartyKind, Wallet};

pub use read::{parse_csv, parse_jsonl, read_file, CustomerFile, RowError, CSV_COLUMNS};
pub use reverse::{CustomerIndex, CANDIDATES_PER_NAME, CANDIDATE_MARGIN};

/// One customer of the exchange, as its onboarding recorded them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Customer {
    /// The exchange's customer id (the `customer_id` of its transactions).
    pub id: String,
    /// Every spelling of the name the customer gave (passport, local
    /// script, transliteration, former names), the usual one first.
    pub names: Vec<String>,
    /// Person or organisation.
    pub kind: PartyKind,
    /// Date of birth (`YYYY-MM-DD`, `YYYY-MM` or `YYYY`), a person's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub birth_date: Option<String>,
    /// Nationalities (a person) or country of registration (an
    /// organisation), read as a party's `country` is.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub nationality: Vec<String>,
    /// Country of residence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub residence: Option<String>,
    /// Identity documents and registration numbers.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub identifiers: Vec<PartyId>,
    /// The wallets the customer has used or declared.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub wallets: Vec<Wallet>,
    /// What the customer said they do, and how much they expect to move.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub activity: Option<Activity>,
    /// The customer declared themselves a politically exposed person.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub pep: bool,
    /// The identity document verified at onboarding (`passport`,
    /// `id_card`, `foreign_passport`, `residence_permit`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document: Option<String>,
    /// When the customer was onboarded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub onboarded: Option<NaiveDate>,
}

/// A customer's declared activity.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Activity {
    /// A person's occupation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub occupation: Option<String>,
    /// An organisation's (or sole trader's) business type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub business_type: Option<String>,
    /// Expected volume a month, in `currency`.
    #[serde(
        default,
        with = "rust_decimal::serde::str_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub expected_monthly_volume: Option<Decimal>,
    /// The currency of `expected_monthly_volume`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
}

/// Most names one customer may carry.
pub const MAX_CUSTOMER_NAMES: usize = 32;
/// The largest expected monthly volume read (a trillion a month is no
/// customer's; larger figures are typing errors or hostile input).
pub const MAX_MONTHLY_VOLUME: u64 = 1_000_000_000_000;
/// Most wallets one customer may carry.
pub const MAX_CUSTOMER_WALLETS: usize = 256;

impl Customer {
    /// A person or organisation with one name and nothing else.
    pub fn new(id: impl Into<String>, kind: PartyKind, name: impl Into<String>) -> Customer {
        Customer {
            id: id.into(),
            names: vec![name.into()],
            kind,
            birth_date: None,
            nationality: Vec::new(),
            residence: None,
            identifiers: Vec::new(),
            wallets: Vec::new(),
            activity: None,
            pep: false,
            document: None,
            onboarded: None,
        }
    }

    /// Checks every field: `Err((field, message))` names the first that
    /// cannot be read (`names[1]`, `wallets[0].address`, …).
    pub fn check(&self) -> Result<(), (String, String)> {
        let err = |field: &str, message: String| Err((field.to_owned(), message));
        let id = self.id.trim();
        if id.is_empty() {
            return err("id", "empty".into());
        }
        if id.len() > crate::limits::MAX_ID_BYTES || id.chars().any(char::is_control) {
            return err(
                "id",
                format!(
                    "longer than {} bytes or holds control characters",
                    crate::limits::MAX_ID_BYTES
                ),
            );
        }
        if self.names.iter().all(|n| n.trim().is_empty()) {
            return err("names", "no name: give at least one".into());
        }
        if self.names.len() > MAX_CUSTOMER_NAMES {
            return err(
                "names",
                format!("{} names, at most {MAX_CUSTOMER_NAMES}", self.names.len()),
            );
        }
        for (i, n) in self.names.iter().enumerate() {
            if n.trim().is_empty() {
                return err(&format!("names[{i}]"), "blank".into());
            }
            if n.chars().count() > crate::limits::MAX_NAME_CHARS {
                return err(
                    &format!("names[{i}]"),
                    format!("longer than {} characters", crate::limits::MAX_NAME_CHARS),
                );
            }
        }
        if let Some(b) = self.birth_date.as_deref() {
            if !crate::lists::birth_date_readable(b) {
                return err(
                    "birth_date",
                    format!(
                        "'{}' is not a birth date — write YYYY-MM-DD, YYYY-MM or YYYY",
                        shown(b)
                    ),
                );
            }
            if self.kind == PartyKind::Organization {
                return err(
                    "birth_date",
                    "given for an organisation: only a person has one".into(),
                );
            }
        }
        let country = |field: String, c: &str| {
            if crate::countries::country_code(c).is_some() {
                Ok(())
            } else {
                Err((
                    field,
                    format!(
                        "'{}' is not a country — write {}",
                        shown(c),
                        crate::countries::COUNTRY_EXPECTED
                    ),
                ))
            }
        };
        for (i, c) in self.nationality.iter().enumerate() {
            country(format!("nationality[{i}]"), c)?;
        }
        if let Some(c) = self.residence.as_deref() {
            country("residence".into(), c)?;
        }
        if self.identifiers.len() > crate::limits::MAX_PARTY_IDS {
            return err(
                "identifiers",
                format!(
                    "{} identifiers, at most {}",
                    self.identifiers.len(),
                    crate::limits::MAX_PARTY_IDS
                ),
            );
        }
        for (i, id) in self.identifiers.iter().enumerate() {
            if crate::model::normalize_identifier(&id.value).is_empty() {
                return err(
                    &format!("identifiers[{i}].value"),
                    "empty: give the number, or leave the identifier out".into(),
                );
            }
            if let Some(c) = id.country.as_deref() {
                country(format!("identifiers[{i}].country"), c)?;
            }
        }
        if self.wallets.len() > MAX_CUSTOMER_WALLETS {
            return err(
                "wallets",
                format!(
                    "{} wallets, at most {MAX_CUSTOMER_WALLETS}",
                    self.wallets.len()
                ),
            );
        }
        for (i, w) in self.wallets.iter().enumerate() {
            let read = crate::addresses::normalize(&w.chain, &w.address)
                .map_err(|e| e.reason)
                .and_then(|a| crate::addresses::check_for_chain(&a));
            if let Err(reason) = read {
                return err(
                    &format!("wallets[{i}].address"),
                    format!("'{}' on {}: {reason}", shown(&w.address), shown(&w.chain)),
                );
            }
        }
        if let Some(a) = &self.activity {
            if let Some(v) = a.expected_monthly_volume {
                if v < Decimal::ZERO {
                    return err("activity.expected_monthly_volume", "negative".into());
                }
                if v > Decimal::from(MAX_MONTHLY_VOLUME) {
                    return err(
                        "activity.expected_monthly_volume",
                        format!("over {MAX_MONTHLY_VOLUME}: not a monthly volume"),
                    );
                }
                if a.currency.as_deref().map_or(true, |c| c.trim().is_empty()) {
                    return err(
                        "activity.currency",
                        "missing: an expected volume needs its currency".into(),
                    );
                }
            }
            if let Some(c) = a.currency.as_deref() {
                if !crate::currencies::is_known(c.trim()) {
                    let hint = crate::currencies::closest(c.trim(), crate::currencies::ISO_4217)
                        .map(|h| format!(" (did you mean {h}?)"))
                        .unwrap_or_default();
                    return err(
                        "activity.currency",
                        format!("'{}' is no currency code this engine knows{hint}", shown(c)),
                    );
                }
            }
        }
        Ok(())
    }

    /// The customer as the parties a transaction's screening reads, all
    /// under the role `customer`: one per name (each with the birth date,
    /// the first nationality or else the residence; the first also with
    /// every identifier, so that each is screened once), then one per
    /// wallet.
    pub fn parties(&self) -> Vec<Party> {
        let country = self
            .nationality
            .first()
            .or(self.residence.as_ref())
            .cloned();
        let mut parties: Vec<Party> = self
            .names
            .iter()
            .filter(|n| !n.trim().is_empty())
            .enumerate()
            .map(|(i, name)| Party {
                name: Some(name.clone()),
                kind: Some(self.kind),
                country: country.clone(),
                birth_date: self.birth_date.clone(),
                ids: if i == 0 {
                    self.identifiers.clone()
                } else {
                    Vec::new()
                },
                ..Party::default()
            })
            .collect();
        parties.extend(self.wallets.iter().map(|w| Party {
            wallet: Some(w.clone()),
            ..Party::default()
        }));
        parties
    }

    /// Hash of the whole record: a changed profile is re-rated and
    /// re-screened.
    pub fn content_hash(&self) -> String {
        let bytes = serde_json::to_vec(self).unwrap_or_else(|_| format!("{self:?}").into_bytes());
        blake3::hash(&bytes).to_hex()[..32].to_owned()
    }
}

/// At most 64 characters of a value, for a message.
fn shown(text: &str) -> String {
    text.chars().take(64).collect()
}
