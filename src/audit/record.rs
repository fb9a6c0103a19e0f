//! The record format: one JSON line per decision, whose last member is
//! the SHA-256 of the line before it (see the [module docs](super)).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::model::{Decision, Provenance};
use crate::util::sha256_hex;

/// `prev_hash` of the first record of a chain.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One audit record, as written (without its trailing `hash`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditRecord {
    /// Hash of the previous record.
    pub prev_hash: String,
    /// Position in the chain, from 1 (continues across rotated files).
    pub seq: u64,
    /// When the decision was made.
    pub decided_at: DateTime<Utc>,
    /// The transaction screened.
    pub transaction_id: String,
    /// The customer the transaction belongs to: as given, or
    /// `hmac-sha256:<hex>` when a pseudonymisation key is configured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_id: Option<String>,
    /// The decision with every reason.
    pub decision: Decision,
    /// What decided.
    pub provenance: Provenance,
}

/// [`AuditRecord`] borrowed from the decision being recorded: serialises
/// to the same bytes without copying the decision.
#[derive(Serialize)]
pub(super) struct AuditRecordRef<'a> {
    pub(super) prev_hash: &'a str,
    pub(super) seq: u64,
    pub(super) decided_at: DateTime<Utc>,
    pub(super) transaction_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) customer_id: Option<&'a str>,
    pub(super) decision: &'a Decision,
    pub(super) provenance: &'a Provenance,
}

impl AuditRecordRef<'_> {
    /// The record's line (with its newline) and hash.
    pub(super) fn line(&self) -> serde_json::Result<(String, String)> {
        let body = serde_json::to_string(self)?;
        let hash = sha256_hex(body.as_bytes());
        let mut line = body;
        line.pop(); // the closing brace; the hash member goes before it
        line.reserve(hash.len() + 13);
        line.push_str(",\"hash\":\"");
        line.push_str(&hash);
        line.push_str("\"}\n");
        Ok((line, hash))
    }
}

/// One decision for [`AuditLog::append_batch`](super::AuditLog::append_batch).
#[derive(Debug, Clone, Copy)]
pub struct AuditEntry<'a> {
    /// The decision.
    pub decision: &'a Decision,
    /// The customer it concerns (pseudonymised when a key is configured).
    pub customer_id: Option<&'a str>,
    /// When it was made.
    pub decided_at: DateTime<Utc>,
}

/// Splits a line into (record-without-hash bytes, stored hash), or says why not.
pub(super) fn split_line(line: &str) -> Result<(String, &str), String> {
    const MARK: &str = ",\"hash\":\"";
    let trimmed = line
        .strip_suffix("\"}")
        .ok_or("record does not end with its hash")?;
    let cut = trimmed.rfind(MARK).ok_or("record has no hash")?;
    let hash = &trimmed[cut + MARK.len()..];
    if hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err("hash is not 64 hex digits".into());
    }
    Ok((format!("{}}}", &trimmed[..cut]), hash))
}

/// `(seq, hash)` of one whole record line.
pub(super) fn record_link(line: &[u8]) -> Result<(u64, String), String> {
    let text = std::str::from_utf8(line).map_err(|_| "record is not UTF-8".to_string())?;
    let (body, hash) = split_line(text)?;
    #[derive(Deserialize)]
    struct Seq {
        seq: u64,
    }
    let seq: Seq = serde_json::from_str(&body).map_err(|e| format!("not a valid record: {e}"))?;
    Ok((seq.seq, hash.to_owned()))
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
    fn a_line_ends_with_the_hash_of_the_record_without_it() {
        let d = decision("tx-1");
        let p = provenance();
        let at = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        let record = AuditRecordRef {
            prev_hash: GENESIS_HASH,
            seq: 1,
            decided_at: at,
            transaction_id: &d.transaction_id,
            customer_id: None,
            decision: &d,
            provenance: &p,
        };
        let (line, hash) = record.line().unwrap();
        assert!(line.ends_with(&format!(",\"hash\":\"{hash}\"}}\n")));
        let (body, stored) = split_line(line.trim_end()).unwrap();
        assert_eq!(stored, hash);
        assert_eq!(sha256_hex(body.as_bytes()), hash);
        assert_eq!(body, serde_json::to_string(&record).unwrap());
        assert_eq!(record_link(line.trim_end().as_bytes()).unwrap(), (1, hash));
        assert!(split_line("{\"seq\":1}").is_err());
        assert!(split_line("{\"seq\":1,\"hash\":\"abc\"}").is_err());
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
