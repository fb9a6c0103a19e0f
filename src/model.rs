//! Plain data types that cross the library boundary: what comes in
//! ([`Transaction`], [`Party`]) and what goes out ([`Decision`], [`Finding`],
//! and the [`Provenance`] of the decision).
//!
//! This module knows nothing of lists, rules or I/O. Every type is serde
//! `Serialize`/`Deserialize` so that a backend can log, queue or replay it.
//! Money is [`rust_decimal::Decimal`], parsed exactly from a decimal string;
//! never a float.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

mod provenance;

pub use provenance::{FileVersion, ListRef, Provenance, ENGINE_VERSION};

/// `rule_id` of name and address hits on sanctions lists and watchlists.
pub const SANCTIONS_RULE_ID: &str = "sanctions";
/// `rule_id` of forbidden-platform hits.
pub const PLATFORMS_RULE_ID: &str = "platforms";
/// `rule_id` of findings on input the engine could not read well enough to
/// screen (a wallet address that is no valid address of its chain): each
/// holds the transfer for review rather than let it pass unscreened.
pub const UNREADABLE_RULE_ID: &str = "unreadable";
/// `rule_id` of a name hit a reviewer cleared ([`FindingKind::Suppressed`]).
pub const SUPPRESSED_RULE_ID: &str = "sanctions.suppressed";
/// `rule_id` of the finding that states a report duty ([`Report`]): no
/// points, no hold; the reviewer reads why the operation is reported.
pub const REPORT_RULE_ID: &str = "report.threshold";
/// `rule_id` of the customer's account status ([`FindingKind::Account`]).
pub const ACCOUNT_RULE_ID: &str = "account";

/// Money as transactions give it: a plain decimal string (`"950.00"`,
/// `"-5"`, `"0.5"`) or a whole JSON number. Anything looser — exponents
/// (`"1e3"`), digit separators (`"1_000"`), a plus sign, a bare leading or
/// trailing point (`".5"`, `"5."`), spaces, or a JSON number with a fraction
/// (a float, which cannot hold every decimal exactly) — is refused, so a
/// value is never read differently from what the sender meant.
pub mod money {
    use rust_decimal::Decimal;
    use serde::de::{self, Deserializer, Unexpected, Visitor};

    /// Whether `s` is a plain decimal: an optional minus, digits, and
    /// optionally a point followed by digits.
    pub fn is_plain_decimal(s: &str) -> bool {
        let digits = s.strip_prefix('-').unwrap_or(s);
        let (whole, fraction) = match digits.split_once('.') {
            Some((w, f)) => (w, Some(f)),
            None => (digits, None),
        };
        let all_digits = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
        all_digits(whole)
            && match fraction {
                Some(f) => all_digits(f),
                None => true,
            }
    }

    struct Money;

    impl Visitor<'_> for Money {
        type Value = Decimal;

        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a plain decimal string such as \"950.00\"")
        }

        fn visit_str<E: de::Error>(self, s: &str) -> Result<Decimal, E> {
            if !is_plain_decimal(s) {
                return Err(E::invalid_value(Unexpected::Str(s), &self));
            }
            Decimal::from_str_exact(s)
                .map_err(|e| E::custom(format!("'{s}' is not a decimal amount: {e}")))
        }

        fn visit_u64<E: de::Error>(self, n: u64) -> Result<Decimal, E> {
            Ok(Decimal::from(n))
        }

        fn visit_i64<E: de::Error>(self, n: i64) -> Result<Decimal, E> {
            Ok(Decimal::from(n))
        }

        fn visit_f64<E: de::Error>(self, n: f64) -> Result<Decimal, E> {
            Err(E::invalid_type(Unexpected::Float(n), &self))
        }
    }

    /// Deserialises money (see the module documentation).
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
        d.deserialize_any(Money)
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn only_plain_decimals_are_money() {
            for ok in ["950.00", "0", "-5", "0.5", "100", "12345678901234567890"] {
                assert!(is_plain_decimal(ok), "{ok}");
            }
            for bad in [
                "1e3", "1E3", "1_000", "+100", ".5", "5.", "", "-", " 1", "1 ", "1,000", "0x10",
                "١٢٣", "NaN", "inf", "--1", "1.2.3",
            ] {
                assert!(!is_plain_decimal(bad), "{bad}");
            }
        }
    }
}

/// One transfer to screen, incoming or outgoing, fiat or crypto.
///
/// The originator/beneficiary terms are the FATF travel-rule ones: every
/// party present (including ultimate parties and intermediaries) is screened.
///
/// ```
/// let line = r#"{"id":"tx-1","timestamp":"2026-11-21T10:15:00Z","customer_id":"c-42",
///   "direction":"outgoing","amount":"950.00","currency":"USDT","value":"950.00",
///   "beneficiary":{"name":"Garantex Europe OU","kind":"organization"}}"#;
/// let tx: amlscreen::Transaction = serde_json::from_str(line).unwrap();
/// assert_eq!(tx.value.to_string(), "950.00");
/// assert_eq!(tx.parties().count(), 1);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Transaction {
    /// Caller's transaction id; screening the same id twice is idempotent.
    pub id: String,
    /// Event time (RFC 3339). Rule windows are computed on this, not on arrival.
    pub timestamp: DateTime<Utc>,
    /// The exchange's own customer this transfer belongs to.
    pub customer_id: String,
    /// Whether funds come to or leave the customer.
    pub direction: Direction,
    /// Amount in `currency`, an exact decimal string such as `"950.00"`
    /// (see `money` for what is accepted).
    #[serde(
        serialize_with = "rust_decimal::serde::str::serialize",
        deserialize_with = "money::deserialize"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "1000.50"))]
    pub amount: Decimal,
    /// Asset or currency code of `amount` (`USDT`, `BTC`, `EUR`, `XMR`…).
    pub currency: String,
    /// The amount in the policy's reference currency; rules compare this.
    #[serde(
        serialize_with = "rust_decimal::serde::str::serialize",
        deserialize_with = "money::deserialize"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "1000.50"))]
    pub value: Decimal,
    /// Who sends the funds.
    #[serde(default)]
    pub originator: Option<Party>,
    /// Who receives the funds.
    #[serde(default)]
    pub beneficiary: Option<Party>,
    /// On whose behalf the originator acts, when different.
    #[serde(default)]
    pub ultimate_originator: Option<Party>,
    /// For whose benefit the beneficiary receives, when different.
    #[serde(default)]
    pub ultimate_beneficiary: Option<Party>,
    /// Banks or VASPs the transfer passes through.
    #[serde(default)]
    pub intermediaries: Vec<Party>,
    /// How the customer reached us (IP address and flags from upstream checks).
    #[serde(default)]
    pub channel: Option<Channel>,
    /// Free-text payment reference, screened for platform names and for
    /// listed crypto addresses written in it.
    #[serde(default)]
    pub memo: Option<String>,
    /// The account holder (the exchange's customer) as the exchange knows
    /// them: compared with the parties to find operations for a third
    /// party (an ultimate originator or beneficiary who is someone else, a
    /// fiat deposit from another person's account).
    #[serde(default)]
    pub customer: Option<AccountHolder>,
    /// A transfer (the default), or the return or revocation of an earlier
    /// one (`original_id`): returned funds are linked to the transfer they
    /// undo and never count toward structuring or velocity.
    #[serde(default, skip_serializing_if = "TransferKind::is_transfer")]
    pub kind: TransferKind,
    /// The transaction a return or revocation undoes (required for them,
    /// refused on a transfer).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub original_id: Option<String>,
}

/// What a transaction is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum TransferKind {
    /// Funds moved at the customer's request.
    #[default]
    Transfer,
    /// Funds of an earlier transfer coming back (a bounced payment, a
    /// refund by the receiving bank or VASP).
    Return,
    /// An earlier transfer cancelled before it completed.
    Revocation,
}

impl TransferKind {
    /// Whether it is a plain transfer.
    pub fn is_transfer(&self) -> bool {
        *self == TransferKind::Transfer
    }
}

/// The exchange's own customer whose account a transfer moves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AccountHolder {
    /// Full name as verified at onboarding.
    #[serde(default)]
    pub name: Option<String>,
    /// Person or organisation.
    #[serde(default)]
    pub kind: Option<PartyKind>,
}

impl Transaction {
    /// Every party present, with its role, in a fixed order.
    pub fn parties(&self) -> impl Iterator<Item = (PartyRole, &Party)> {
        let fixed = [
            (PartyRole::Originator, self.originator.as_ref()),
            (PartyRole::Beneficiary, self.beneficiary.as_ref()),
            (
                PartyRole::UltimateOriginator,
                self.ultimate_originator.as_ref(),
            ),
            (
                PartyRole::UltimateBeneficiary,
                self.ultimate_beneficiary.as_ref(),
            ),
        ];
        fixed
            .into_iter()
            .filter_map(|(role, party)| party.map(|p| (role, p)))
            .chain(
                self.intermediaries
                    .iter()
                    .enumerate()
                    .map(|(i, p)| (PartyRole::Intermediary(i), p)),
            )
    }

    /// The party on the other side of the customer: the beneficiary of an
    /// outgoing transfer, the originator of an incoming one.
    pub fn counterparty(&self) -> Option<&Party> {
        match self.direction {
            Direction::Outgoing => self.beneficiary.as_ref(),
            Direction::Incoming => self.originator.as_ref(),
        }
    }
}

/// Whether funds come to or leave the customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Direction {
    /// Funds arrive at the customer.
    Incoming,
    /// Funds leave the customer.
    Outgoing,
}

/// A person or organisation taking part in a transfer.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Party {
    /// Full name as given by the customer or the counterparty VASP.
    #[serde(default)]
    pub name: Option<String>,
    /// Person or organisation; absent when unknown.
    #[serde(default)]
    pub kind: Option<PartyKind>,
    /// Country of residence or registration: an ISO 3166 alpha-2 or alpha-3
    /// code, a country name in English, Ukrainian or Russian, or an ISO
    /// 3166-2 region code (`UA-43`). Anything else makes the transaction an
    /// error naming this field.
    #[serde(default)]
    pub country: Option<String>,
    /// Birth date `YYYY-MM-DD` or year `YYYY`, when known.
    #[serde(default)]
    pub birth_date: Option<String>,
    /// Bank account or IBAN. Crypto addresses written here are screened
    /// like wallets.
    #[serde(default)]
    pub account: Option<String>,
    /// Crypto wallet used by this party. An address that is still no valid
    /// address of its chain once unwrapped (see `normalize_address`) holds
    /// the transfer for review.
    #[serde(default)]
    pub wallet: Option<Wallet>,
    /// Name of the VASP or bank holding the party's account.
    #[serde(default)]
    pub vasp: Option<String>,
    /// Web domain of that VASP.
    #[serde(default)]
    pub domain: Option<String>,
    /// Identity documents and registration numbers: `passport`,
    /// `national_id`, `tax_id` (the Ukrainian РНОКПП or ЄДРПОУ),
    /// `registration`, `imo`. One the lists print for a subject is a hit of
    /// its own and corroborates a name hit on that subject.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ids: Vec<PartyId>,
    /// Where the party lives or is registered, as the exchange or the
    /// counterparty VASP gives it: checked against the occupied
    /// territories at settlement level (an oblast may be split).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<Address>,
}

impl Party {
    /// The party's name, when one is given (not absent, not blank).
    pub fn given_name(&self) -> Option<&str> {
        self.name.as_deref().filter(|n| !n.trim().is_empty())
    }
}

/// A postal address, every part optional.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Address {
    /// Country, read as a party's `country` is.
    #[serde(default)]
    pub country: Option<String>,
    /// Region: an ISO 3166-2 code (`UA-14`) or a name (`Донецька область`).
    #[serde(default)]
    pub region: Option<String>,
    /// City, town or village (`Краматорськ`, `Kramatorsk`).
    #[serde(default)]
    pub city: Option<String>,
    /// The rest, free text (`вул. Миру 5, м. Донецьк`).
    #[serde(default)]
    pub line: Option<String>,
}

/// One identity document or registration number of a party.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PartyId {
    /// `passport`, `national_id`, `tax_id`, `registration`, `imo`, or
    /// another kind in lower case.
    #[serde(rename = "type", default)]
    pub kind: String,
    /// The number as written; case, spaces, dots, slashes and dashes do
    /// not matter.
    pub value: String,
    /// Issuing country, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
}

impl PartyId {
    /// Its type as a reason names it: `passport`, or `identifier` when no
    /// type is given.
    pub fn label(&self) -> &str {
        match self.kind.trim() {
            "" => "identifier",
            kind => kind,
        }
    }
}

/// Person or organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum PartyKind {
    /// A natural person.
    Person,
    /// A company, group, vessel owner or any other non-person.
    Organization,
}

/// A crypto wallet: chain (ticker or network) and address as given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Wallet {
    /// Chain or asset ticker: `BTC`, `ETH`, `TRX`, `USDT-TRC20`, …
    pub chain: String,
    /// Address exactly as given (case matters on base58 chains).
    pub address: String,
}

/// How the customer reached the exchange.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Channel {
    /// Client IP address.
    #[serde(default)]
    pub ip: Option<String>,
    /// Flags set upstream: `tor`, `vpn`, `proxy`, …
    #[serde(default)]
    pub ip_flags: Vec<String>,
    /// Country the IP geolocates to, read as a party's `country` is.
    #[serde(default)]
    pub country: Option<String>,
}

/// The role a party plays in a transfer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PartyRole {
    /// Sender.
    Originator,
    /// Receiver.
    Beneficiary,
    /// On whose behalf the sender acts.
    UltimateOriginator,
    /// For whose benefit the receiver receives.
    UltimateBeneficiary,
    /// The n-th intermediary bank or VASP (0-based).
    Intermediary(usize),
    /// The exchange's own customer, screened from the customer registry
    /// (at onboarding, or again when the lists change): no transfer.
    Customer,
}

impl std::fmt::Display for PartyRole {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PartyRole::Originator => f.write_str("originator"),
            PartyRole::Beneficiary => f.write_str("beneficiary"),
            PartyRole::UltimateOriginator => f.write_str("ultimate_originator"),
            PartyRole::UltimateBeneficiary => f.write_str("ultimate_beneficiary"),
            PartyRole::Intermediary(i) => write!(f, "intermediaries[{i}]"),
            PartyRole::Customer => f.write_str("customer"),
        }
    }
}

impl std::str::FromStr for PartyRole {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Ok(match s {
            "originator" => PartyRole::Originator,
            "beneficiary" => PartyRole::Beneficiary,
            "ultimate_originator" => PartyRole::UltimateOriginator,
            "ultimate_beneficiary" => PartyRole::UltimateBeneficiary,
            "customer" => PartyRole::Customer,
            other => {
                let index = other
                    .strip_prefix("intermediaries[")
                    .and_then(|rest| rest.strip_suffix(']'))
                    .and_then(|n| n.parse().ok())
                    .ok_or_else(|| format!("unknown party role '{other}'"))?;
                PartyRole::Intermediary(index)
            }
        })
    }
}

impl Serialize for PartyRole {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for PartyRole {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// Risk level of a decision. Ordered: `Low < Medium < High`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum RiskLevel {
    /// Nothing of note.
    Low,
    /// Worth enhanced monitoring.
    Medium,
    /// Needs a compliance officer.
    High,
}

/// What the exchange must do. Ordered by severity: `Allow < Hold < Block`,
/// so the strongest action of all findings is their maximum.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Action {
    /// Let the transfer through.
    Allow,
    /// Suspend it for compliance review.
    Hold,
    /// Freeze the funds.
    Block,
}

/// What kind of check produced a finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum FindingKind {
    /// A party's name matched a sanctions list or watchlist entry.
    SanctionsName,
    /// A wallet address is on a sanctions list.
    SanctionsAddress,
    /// An identity document or registration number is on a sanctions list.
    SanctionsIdentifier,
    /// A party or the memo involves a forbidden platform.
    Platform,
    /// A behaviour rule from the rule files fired.
    Rule,
    /// A field could not be read well enough to screen it (a wallet
    /// address invalid for its chain): held for review.
    Unreadable,
    /// A name hit a reviewer cleared as a false positive for this subject
    /// and list entry: reported, not acted on.
    Suppressed,
    /// The customer's account status: frozen (every transaction blocked)
    /// or under enhanced due diligence (every outgoing transfer held).
    Account,
    /// A check could not be made: the shared customer history could not
    /// be reached, so the behaviour rules did not see the customer's
    /// earlier transfers. Held (or blocked) as configured, never allowed.
    Unavailable,
}

impl FindingKind {
    /// Its name as serialised (`sanctions_name`, `platform`, …).
    ///
    /// ```
    /// use amlscreen::FindingKind as K;
    /// for kind in [K::SanctionsName, K::SanctionsAddress, K::SanctionsIdentifier, K::Platform,
    ///              K::Rule, K::Unreadable, K::Suppressed, K::Account, K::Unavailable] {
    ///     assert_eq!(serde_json::to_value(kind).unwrap(), kind.as_str());
    /// }
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            FindingKind::SanctionsName => "sanctions_name",
            FindingKind::SanctionsAddress => "sanctions_address",
            FindingKind::SanctionsIdentifier => "sanctions_identifier",
            FindingKind::Platform => "platform",
            FindingKind::Rule => "rule",
            FindingKind::Unreadable => "unreadable",
            FindingKind::Suppressed => "suppressed",
            FindingKind::Account => "account",
            FindingKind::Unavailable => "unavailable",
        }
    }
}

/// One reason behind a decision: everything the audit record and a
/// compliance reviewer need, without reaching back into lists or rules.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Finding {
    /// Which check made it: `sanctions`, `platforms`, or a rule's `id`.
    pub rule_id: String,
    /// The category of check.
    pub kind: FindingKind,
    /// The party concerned, when the finding is about one party.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, example = "beneficiary"))]
    pub party: Option<PartyRole>,
    /// Score points this finding adds (0–100 scale; the total is capped).
    #[serde(default)]
    pub points: u32,
    /// Minimum risk level this finding imposes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level_floor: Option<RiskLevel>,
    /// Action this finding forces at least.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<Action>,
    /// What matched: list entry, platform, address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub matched: Option<Match>,
    /// Human explanation, with the numbers behind it.
    pub message: String,
}

impl Finding {
    /// A finding that only informs: no points, no level, no action (a
    /// report duty, a note that reasons were dropped).
    pub fn note(rule_id: impl Into<String>, message: String) -> Finding {
        Finding {
            rule_id: rule_id.into(),
            kind: FindingKind::Rule,
            party: None,
            points: 0,
            level_floor: None,
            action: None,
            matched: None,
            message,
        }
    }
}

/// What a finding matched against.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Match {
    /// List label (`ofac`, `eu`, `un`, `uk`, `nsdc`, a watchlist label).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub list: Option<String>,
    /// Stable entity id, prefixed by source (`ofac:36025`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entity_id: Option<String>,
    /// The list name or alias that matched.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The value from the transaction that matched (party name, address, domain, memo word).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query: Option<String>,
    /// Crypto address that matched, normalised (`chain:address`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// Forbidden platform id that matched.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform: Option<String>,
    /// Name-match score in [0, 1].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<f64>,
    /// What a name hit rests on: `name only`, or `name + …` with each
    /// corroborating piece (`date of birth 1962-03-04`, `passport AB123456`,
    /// `wallet`, `country RU`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence: Option<String>,
    /// The same subject on other lists (same name, no contradicting birth
    /// date): `list:entity id` of each, reported in this one finding.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub also_listed: Vec<String>,
}

/// The outcome of screening one transaction.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Decision {
    /// The screened transaction's id.
    pub transaction_id: String,
    /// Overall risk level.
    pub risk: RiskLevel,
    /// What to do with the transfer.
    pub action: Action,
    /// Sum of finding points, capped at 100.
    pub score: u32,
    /// Every finding, in the order the checks ran. Empty when nothing was found.
    pub reasons: Vec<Finding>,
    /// The engine id ([`Provenance::engine_id`]): which engine version,
    /// lists and rules decided.
    pub version: String,
    /// The review case a hold or block opened, when a case store is kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub case: Option<u64>,
    /// The decision this one replaces: the same transaction screened again
    /// after the lists or rules changed ([`crate::Screener::rescreen`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rescreen_of: Option<PriorDecision>,
    /// A report duty the operation carries whatever the action: `threshold`
    /// when its value is at or over the policy's reporting threshold.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub report: Option<Report>,
    /// One sentence a reviewer reads first: the action, what contributed
    /// and how much, and the score ([`Decision::compose_summary`]).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub summary: String,
}

/// A report duty (to the financial intelligence unit) a decision carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Report {
    /// The value is at or over the reporting threshold (in Ukraine,
    /// 400,000 UAH: threshold financial monitoring).
    Threshold,
}

impl Action {
    /// How a summary says it was done: `allowed`, `held`, `blocked`.
    pub fn past(self) -> &'static str {
        match self {
            Action::Allow => "allowed",
            Action::Hold => "held",
            Action::Block => "blocked",
        }
    }

    /// Its name in files and output: `allow`, `hold`, `block`.
    pub fn name(self) -> &'static str {
        match self {
            Action::Allow => "allow",
            Action::Hold => "hold",
            Action::Block => "block",
        }
    }
}

impl RiskLevel {
    /// Its name in files and output: `low`, `medium`, `high`.
    pub fn name(self) -> &'static str {
        match self {
            RiskLevel::Low => "low",
            RiskLevel::Medium => "medium",
            RiskLevel::High => "high",
        }
    }
}

impl Decision {
    /// The one-sentence summary of a decision: `held: anonymizer-vpn-proxy
    /// (25) + anonymizer-privacy-coin (40, forces high) = score 65 → high →
    /// hold`. A finding that forces a level or an action says so instead
    /// of showing only its points.
    pub fn compose_summary(&self) -> String {
        use std::fmt::Write;
        let mut out = String::with_capacity(64 + 48 * self.reasons.len());
        out.push_str(self.action.past());
        out.push_str(": ");
        if self.reasons.is_empty() {
            out.push_str("nothing found (score ");
            let _ = write!(out, "{}", self.score);
            out.push(')');
        } else {
            for (i, f) in self.reasons.iter().enumerate() {
                if i > 0 {
                    out.push_str(" + ");
                }
                out.push_str(&f.rule_id);
                if let Some(role) = f.party.filter(|_| f.kind != FindingKind::Rule) {
                    let _ = write!(out, " on {role}");
                }
                out.push_str(" (");
                let mut parts = 0;
                if f.points > 0 {
                    let _ = write!(out, "{}", f.points);
                    parts += 1;
                }
                for forced in [
                    f.level_floor.map(RiskLevel::name),
                    f.action.map(Action::name),
                ]
                .into_iter()
                .flatten()
                {
                    if parts > 0 {
                        out.push_str(", ");
                    }
                    out.push_str("forces ");
                    out.push_str(forced);
                    parts += 1;
                }
                if parts == 0 {
                    out.push('0');
                }
                out.push(')');
            }
            let _ = write!(out, " = score {}", self.score);
        }
        out.push_str(" → ");
        out.push_str(self.risk.name());
        out.push_str(" → ");
        out.push_str(self.action.name());
        out
    }
}

/// The earlier decision a re-screen replaces: under which engine it was
/// made, what it said, and its case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PriorDecision {
    /// The engine id that made it.
    pub version: String,
    /// Its risk.
    pub risk: RiskLevel,
    /// Its action.
    pub action: Action,
    /// When it was made (unknown when it was only in the customer history
    /// of a screener without a case store file).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decided_at: Option<DateTime<Utc>>,
    /// Its case, if it opened one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub case: Option<u64>,
}

impl PriorDecision {
    /// The earlier decision `decision`, made at `decided_at`.
    pub fn of(decision: &Decision, decided_at: Option<DateTime<Utc>>) -> PriorDecision {
        PriorDecision {
            version: decision.version.clone(),
            risk: decision.risk,
            action: decision.action,
            decided_at,
            case: decision.case,
        }
    }
}

/// Identifiers compare without case, spaces or punctuation: "AB 123-456"
/// and "ab123456" are one number.
pub(crate) fn normalize_identifier(value: &str) -> String {
    value
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_uppercase)
        .collect()
}
