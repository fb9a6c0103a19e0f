//! The record format: one JSON line per decision, whose last member seals
//! the line before it (see the [module docs](super)).
//!
//! Format 2 (written now): the line starts with `"format":2` and ends with
//! `"mac"`, the HMAC-SHA256 under the chain key of [`RECORD_DOMAIN`]
//! followed by the line's bytes before that member, closed with `}`.
//! Format 1 (earlier logs, still read): no `format` member, and the line
//! ends with `"hash"`, the plain SHA-256 of the same bytes — which anyone
//! can recompute, so it proves nothing against a rewrite.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::key::AuditKey;
use crate::model::{Decision, Provenance};
use crate::util::sha256_hex;

/// `prev_hash` of the first record of a chain.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The `format` of the records written now: keyed (sealed with `"mac"`).
pub const RECORD_FORMAT: u32 = 2;

/// What a record's MAC covers before the record's bytes, so a record seal
/// can never pass for a checkpoint seal or the reverse.
pub(super) const RECORD_DOMAIN: &[u8] = b"amlscreen-audit-record/2\n";

/// One audit record, as written (without its trailing `mac` or `hash`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditRecord {
    /// [`RECORD_FORMAT`] for keyed records; absent in unkeyed (format 1) ones.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<u32>,
    /// Seal (`mac`, or `hash` of a format-1 record) of the previous record.
    pub prev_hash: String,
    /// Position in the chain, from 1 (continues across rotated files).
    pub seq: u64,
    /// The instance that wrote the chain, when several do (config
    /// `audit.instance`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance: Option<String>,
    /// When the decision was made.
    pub decided_at: DateTime<Utc>,
    /// The transaction screened.
    pub transaction_id: String,
    /// The customer the transaction belongs to: as given, or
    /// `hmac-sha256:<hex>` when a pseudonymisation key is configured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_id: Option<String>,
    /// The decision with every reason; absent when the transaction was
    /// refused unscreened ([`AuditRecord::refused`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision: Option<Decision>,
    /// Why the transaction was refused without a decision (its id reused
    /// with other content).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refused: Option<Refusal>,
    /// A staff action (a case resolved, a customer's status set), as the
    /// case store keeps it; absent in decision records.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub staff: Option<serde_json::Value>,
    /// What decided (absent in staff-action records: no engine decided).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provenance: Option<Provenance>,
}

/// A transaction the screener refused to screen, as the audit log records
/// it: the output for its line is an error record, and this says so in the
/// chain (a sanctioned payment re-sent under the id of a clean one).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Refusal {
    /// The field that made it unscreenable (`id`).
    pub field: String,
    /// What was wrong.
    pub reason: String,
}

impl Refusal {
    /// A refusal of `field` for `reason`.
    pub fn new(field: impl Into<String>, reason: impl Into<String>) -> Refusal {
        Refusal {
            field: field.into(),
            reason: reason.into(),
        }
    }
}

/// [`AuditRecord`] borrowed from the decision being recorded: serialises
/// to the same bytes without copying the decision.
#[derive(Serialize)]
pub(super) struct AuditRecordRef<'a> {
    pub(super) format: u32,
    pub(super) prev_hash: &'a str,
    pub(super) seq: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) instance: Option<&'a str>,
    pub(super) decided_at: DateTime<Utc>,
    pub(super) transaction_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) customer_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) decision: Option<&'a Decision>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) refused: Option<&'a Refusal>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) staff: Option<&'a serde_json::Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) provenance: Option<&'a Provenance>,
}

impl AuditRecordRef<'_> {
    /// The record's line (with its newline) and MAC under `key`.
    pub(super) fn line(&self, key: &AuditKey) -> serde_json::Result<(String, String)> {
        let body = serde_json::to_string(self)?;
        let mac = key.seal(RECORD_DOMAIN, body.as_bytes());
        let mut line = body;
        line.pop(); // the closing brace; the mac member goes before it
        line.reserve(mac.len() + 12);
        line.push_str(",\"mac\":\"");
        line.push_str(&mac);
        line.push_str("\"}\n");
        Ok((line, mac))
    }
}

/// One decision for [`AuditLog::append_batch`](super::AuditLog::append_batch).
#[derive(Debug, Clone, Copy)]
pub struct AuditEntry<'a> {
    /// The transaction.
    pub transaction_id: &'a str,
    /// The decision (`None` for a refusal).
    pub decision: Option<&'a Decision>,
    /// Why the transaction was refused unscreened (`None` for a decision).
    pub refused: Option<&'a Refusal>,
    /// A staff action (`None` for a decision or refusal).
    pub staff: Option<&'a serde_json::Value>,
    /// The customer it concerns (pseudonymised when a key is configured).
    pub customer_id: Option<&'a str>,
    /// When it was made.
    pub decided_at: DateTime<Utc>,
}

/// How a record is sealed: its last member.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Seal<'a> {
    /// Format 1: `"hash"`, plain SHA-256 (anyone can recompute it).
    Hash(&'a str),
    /// Format 2: `"mac"`, HMAC-SHA256 under the chain key.
    Mac(&'a str),
}

impl<'a> Seal<'a> {
    /// The 64 hex digits, which the next record's `prev_hash` repeats.
    pub(super) fn value(self) -> &'a str {
        match self {
            Seal::Hash(v) | Seal::Mac(v) => v,
        }
    }
}

/// Splits a line into (record-without-seal bytes, seal), or says why not.
pub(super) fn split_line(line: &str) -> Result<(String, Seal<'_>), String> {
    let trimmed = line
        .strip_suffix("\"}")
        .ok_or("record does not end with its mac")?;
    // the seal is whichever member comes last
    let (cut, seal) = match (trimmed.rfind(",\"mac\":\""), trimmed.rfind(",\"hash\":\"")) {
        (Some(m), Some(h)) if h > m => (h, Seal::Hash(&trimmed[h + 9..])),
        (Some(m), _) => (m, Seal::Mac(&trimmed[m + 8..])),
        (None, Some(h)) => (h, Seal::Hash(&trimmed[h + 9..])),
        (None, None) => return Err("record has no mac".into()),
    };
    let value = seal.value();
    if value.len() != 64
        || !value
            .bytes()
            .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
    {
        return Err(match seal {
            Seal::Mac(_) => "mac is not 64 lower-case hex digits".into(),
            Seal::Hash(_) => "hash is not 64 lower-case hex digits".into(),
        });
    }
    Ok((format!("{}}}", &trimmed[..cut]), seal))
}

/// Why a record's seal does not hold, if it does not: a keyed record whose
/// MAC does not verify under `key` (or that no key was given for), or an
/// unkeyed one whose SHA-256 does not match.
pub(super) fn seal_problem(body: &str, seal: Seal<'_>, key: Option<&AuditKey>) -> Option<String> {
    match (seal, key) {
        (Seal::Mac(_), None) => Some(
            "record is keyed (format 2) but no key was given, so it cannot be checked: pass the key file".into(),
        ),
        (Seal::Mac(mac), Some(key)) => (!key.opens(RECORD_DOMAIN, body.as_bytes(), mac)).then(|| {
            "mac does not verify under the key: the record was edited or forged (or the key is not this log's)".into()
        }),
        (Seal::Hash(stored), _) => {
            let computed = sha256_hex(body.as_bytes());
            (computed != stored).then(|| {
                format!("content does not match its hash (stored {stored}, computed {computed})")
            })
        }
    }
}

/// Where a chain ends: its last record's position and seal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct ChainEnd {
    /// The last record's `seq` (0 for an empty chain).
    pub(super) seq: u64,
    /// Its seal, which the next record's `prev_hash` repeats.
    pub(super) seal: String,
    /// Whether it is keyed (format 2).
    pub(super) keyed: bool,
}

/// The [`ChainEnd`] of one whole record line, whose seal must hold under
/// `key` (an unkeyed record's hash must match).
pub(super) fn record_link(line: &[u8], key: &AuditKey) -> Result<ChainEnd, String> {
    let text = std::str::from_utf8(line).map_err(|_| "record is not UTF-8".to_string())?;
    let (body, seal) = split_line(text)?;
    if let Some(problem) = seal_problem(&body, seal, Some(key)) {
        return Err(problem);
    }
    #[derive(Deserialize)]
    struct Seq {
        seq: u64,
    }
    let seq: Seq = serde_json::from_str(&body).map_err(|e| format!("not a valid record: {e}"))?;
    Ok(ChainEnd {
        seq: seq.seq,
        seal: seal.value().to_owned(),
        keyed: matches!(seal, Seal::Mac(_)),
    })
}

/// `HMAC-SHA256(key, customer_id)` as stored in a pseudonymised record.
pub fn pseudonymise(key: &[u8], customer_id: &str) -> String {
    use hmac::{Hmac, Mac};
    // HMAC accepts keys of any length; this cannot fail.
    let mut mac = match Hmac::<sha2::Sha256>::new_from_slice(key) {
        Ok(m) => m,
        Err(_) => unreachable!("HMAC takes keys of any length"),
    };
    mac.update(customer_id.as_bytes());
    format!(
        "hmac-sha256:{}",
        crate::util::hex(&mac.finalize().into_bytes())
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::test_support::{decision, provenance};

    #[test]
    fn a_line_ends_with_the_mac_of_the_record_without_it() {
        let d = decision("tx-1");
        let p = provenance();
        let key = AuditKey::from_bytes(&[9u8; 32]).unwrap();
        let at = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        let record = AuditRecordRef {
            format: RECORD_FORMAT,
            prev_hash: GENESIS_HASH,
            seq: 1,
            instance: None,
            decided_at: at,
            transaction_id: &d.transaction_id,
            customer_id: None,
            decision: Some(&d),
            refused: None,
            staff: None,
            provenance: Some(&p),
        };
        let (line, mac) = record.line(&key).unwrap();
        assert!(line.starts_with("{\"format\":2,\"prev_hash\":"), "{line}");
        assert!(line.ends_with(&format!(",\"mac\":\"{mac}\"}}\n")));
        let (body, stored) = split_line(line.trim_end()).unwrap();
        assert_eq!(stored, Seal::Mac(&mac));
        assert_eq!(key.seal(RECORD_DOMAIN, body.as_bytes()), mac);
        assert_eq!(body, serde_json::to_string(&record).unwrap());
        assert_eq!(seal_problem(&body, stored, Some(&key)), None);
        assert!(seal_problem(&body, stored, None).is_some());
        let other = AuditKey::from_bytes(&[8u8; 32]).unwrap();
        assert!(seal_problem(&body, stored, Some(&other)).is_some());
        assert_eq!(
            record_link(line.trim_end().as_bytes(), &key).unwrap(),
            ChainEnd {
                seq: 1,
                seal: mac,
                keyed: true
            }
        );
        assert!(record_link(line.trim_end().as_bytes(), &other).is_err());
        assert!(split_line("{\"seq\":1}").is_err());
        assert!(split_line("{\"seq\":1,\"mac\":\"abc\"}").is_err());
        // a format-1 line: plain SHA-256, still read
        let legacy = format!("{{\"seq\":1,\"hash\":\"{}\"}}", sha256_hex(b"{\"seq\":1}"));
        let (body, seal) = split_line(&legacy).unwrap();
        assert!(matches!(seal, Seal::Hash(_)));
        assert_eq!(seal_problem(&body, seal, None), None);
        let parsed: AuditRecord = serde_json::from_str(line.trim_end()).unwrap();
        assert_eq!(parsed.format, Some(RECORD_FORMAT));
    }

    #[test]
    fn pseudonymise_is_hmac_sha256() {
        // RFC 4231 test case 2: HMAC-SHA256("Jefe", "what do ya want for nothing?")
        assert_eq!(
            pseudonymise(b"Jefe", "what do ya want for nothing?"),
            "hmac-sha256:5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
