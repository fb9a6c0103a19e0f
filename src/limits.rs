//! Limits on hostile input, in one place.
//!
//! An exchange feeds the screener whatever its counterparties send. Each
//! limit below bounds the time or memory one input can cost; an input over
//! a limit is rejected with an error that names the field and the limit —
//! never a hang, a panic or unbounded memory. The limits are far above any
//! real transaction: raising one only admits bigger (slower) inputs, lowering
//! one may reject real ones.
//!
//! Where each is enforced:
//! * [`MAX_LINE_BYTES`], [`MAX_JSON_DEPTH`]: by [`Transaction::from_json`]
//!   before the text is parsed ([`check_json_depth`]), for every caller;
//!   the `screen` command also stops reading a line at [`MAX_LINE_BYTES`];
//! * the per-field limits and [`MAX_INTERMEDIARIES`]: by
//!   [`check_transaction`], called from [`Transaction::from_json`] and from
//!   `Screener::screen`/`evaluate` (for transactions built in code);
//! * YAML alias expansion ("billion laughs") and deep nesting in config
//!   and rule files: by the one YAML loader (`source`) while parsing
//!   (at most 100,000 values copied by aliases and 128 levels of nesting;
//!   tested in `tests/limits_hostile_input.rs`); rule files are also
//!   capped at 4 MiB;
//! * [`MAX_LIST_ROW_BYTES`], [`MAX_LIST_ROW_FIELDS`]: by every CSV list
//!   loader (OFAC `sdn.csv` and its companions, OFSI ConList, watchlists),
//!   which reads rows into buffers of these fixed sizes: a longer or wider
//!   row is a malformed record naming its line, and never grows a buffer.
//!   A list loader holds the file (at most the update's `max_bytes` for a
//!   downloaded one), its parsed entities and these two buffers.

use crate::error::Error;
// defined beside the reader that enforces them, listed here with the others
pub use crate::lists::csv_rows::{MAX_LIST_ROW_BYTES, MAX_LIST_ROW_FIELDS};
use crate::model::{Party, Transaction};

/// Longest transaction line the `screen` command reads, in bytes (1 MiB).
/// The rest of a longer line is skipped and the line gets an error record.
pub const MAX_LINE_BYTES: usize = 1 << 20;

/// Deepest JSON nesting accepted in a transaction line. A transaction is 3
/// levels deep; 16 leaves room and stops stack-heavy nesting bombs early.
pub const MAX_JSON_DEPTH: usize = 16;

/// Longest party name, in characters. The longest names on the official
/// lists are under 300 characters; name scoring is quadratic in length.
pub const MAX_NAME_CHARS: usize = 1024;

/// Longest memo (payment reference), in characters; the memo is scanned
/// for platform names.
pub const MAX_MEMO_CHARS: usize = 16 * 1024;

/// Longest of any other text field (ids, codes, accounts, addresses,
/// domains, VASP names), in characters.
pub const MAX_FIELD_CHARS: usize = 1024;

/// Most intermediaries in one transaction; each is screened like a party.
pub const MAX_INTERMEDIARIES: usize = 64;

/// Most identity and registration numbers (`ids`) one party may carry.
pub const MAX_PARTY_IDS: usize = 32;

/// Longest identifier type or value, in bytes.
pub const MAX_ID_BYTES: usize = 256;

fn too_long(tx: &Transaction, field: String, len: usize, max: usize) -> Error {
    Error::invalid_transaction(
        tx.id.chars().take(64).collect::<String>(),
        field,
        format!("{len} characters, more than the limit of {max}"),
    )
}

fn check_len(
    tx: &Transaction,
    field: impl FnOnce() -> String,
    value: &str,
    max: usize,
) -> Result<(), Error> {
    // bytes bound characters from above: count only when it could matter
    if value.len() > max {
        let chars = value.chars().count();
        if chars > max {
            return Err(too_long(tx, field(), chars, max));
        }
    }
    Ok(())
}

/// Checks every size limit of a parsed transaction.
pub fn check_transaction(tx: &Transaction) -> Result<(), Error> {
    if tx.intermediaries.len() > MAX_INTERMEDIARIES {
        return Err(Error::invalid_transaction(
            tx.id.chars().take(64).collect::<String>(),
            "intermediaries",
            format!(
                "{} parties, more than the limit of {MAX_INTERMEDIARIES}",
                tx.intermediaries.len()
            ),
        ));
    }
    check_len(tx, || "id".into(), &tx.id, MAX_FIELD_CHARS)?;
    check_len(
        tx,
        || "customer_id".into(),
        &tx.customer_id,
        MAX_FIELD_CHARS,
    )?;
    check_len(tx, || "currency".into(), &tx.currency, MAX_FIELD_CHARS)?;
    if let Some(memo) = &tx.memo {
        check_len(tx, || "memo".into(), memo, MAX_MEMO_CHARS)?;
    }
    if let Some(channel) = &tx.channel {
        let text = serde_json::to_string(channel).unwrap_or_default();
        check_len(tx, || "channel".into(), &text, MAX_FIELD_CHARS)?;
    }
    for (role, party) in tx.parties() {
        check_party(tx, &role.to_string(), party)?;
    }
    if let Some(original) = &tx.original_id {
        check_len(tx, || "original_id".into(), original, MAX_FIELD_CHARS)?;
    }
    if let Some(name) = tx.customer.as_ref().and_then(|c| c.name.as_deref()) {
        check_len(tx, || "customer.name".into(), name, MAX_NAME_CHARS)?;
    }
    Ok(())
}

fn check_party(tx: &Transaction, role: &str, party: &Party) -> Result<(), Error> {
    let field = |name: &str| format!("{role}.{name}");
    if let Some(a) = &party.address {
        for (name, part, max) in [
            ("address.country", &a.country, MAX_FIELD_CHARS),
            ("address.region", &a.region, MAX_FIELD_CHARS),
            ("address.city", &a.city, MAX_FIELD_CHARS),
            ("address.line", &a.line, MAX_MEMO_CHARS),
        ] {
            if let Some(text) = part {
                check_len(tx, || field(name), text, max)?;
            }
        }
    }
    if let Some(name) = &party.name {
        check_len(tx, || field("name"), name, MAX_NAME_CHARS)?;
    }
    let others = [
        ("country", party.country.as_deref()),
        ("birth_date", party.birth_date.as_deref()),
        ("account", party.account.as_deref()),
        ("vasp", party.vasp.as_deref()),
        ("domain", party.domain.as_deref()),
        (
            "wallet.chain",
            party.wallet.as_ref().map(|w| w.chain.as_str()),
        ),
        (
            "wallet.address",
            party.wallet.as_ref().map(|w| w.address.as_str()),
        ),
    ];
    for (name, value) in others {
        if let Some(value) = value {
            check_len(tx, || field(name), value, MAX_FIELD_CHARS)?;
        }
    }
    if party.ids.len() > MAX_PARTY_IDS {
        return Err(Error::invalid_transaction(
            tx.id.chars().take(64).collect::<String>(),
            field("ids"),
            format!("{} identifiers (at most {MAX_PARTY_IDS})", party.ids.len()),
        ));
    }
    for (i, id) in party.ids.iter().enumerate() {
        if id.value.len() > MAX_ID_BYTES || id.kind.len() > MAX_ID_BYTES {
            return Err(Error::invalid_transaction(
                tx.id.chars().take(64).collect::<String>(),
                field(&format!("ids[{i}]")),
                format!("longer than {MAX_ID_BYTES} bytes"),
            ));
        }
        if let Some(country) = &id.country {
            check_len(
                tx,
                || field(&format!("ids[{i}].country")),
                country,
                MAX_FIELD_CHARS,
            )?;
        }
    }
    Ok(())
}

impl Transaction {
    /// Parses one JSON transaction and checks every input limit of this
    /// module (length, nesting depth, field sizes, intermediaries). The
    /// error names the offending field (`beneficiary.wallet.chain: invalid
    /// type …`) and is [`crate::ErrorKind::Json`] for unreadable text,
    /// [`crate::ErrorKind::InvalidTransaction`] for a limit.
    ///
    /// ```
    /// let err = amlscreen::Transaction::from_json(r#"{"id": 5}"#).unwrap_err();
    /// assert!(err.to_string().starts_with("id: invalid type"), "{err}");
    /// let deep = format!("{}{}", "[".repeat(100), "]".repeat(100));
    /// assert!(amlscreen::Transaction::from_json(&deep).is_err());
    /// let tx = r#"{"id":"t","timestamp":"2026-11-21T10:00:00Z","customer_id":"c",
    ///   "direction":"incoming","amount":"1","currency":"EUR","value":"1"}"#;
    /// assert!(amlscreen::Transaction::from_json(tx).is_ok());
    /// let err = amlscreen::Transaction::from_json(&format!("{tx} {tx}")).unwrap_err();
    /// assert!(err.to_string().contains("trailing characters"), "{err}");
    /// ```
    pub fn from_json(text: &str) -> Result<Transaction, Error> {
        if text.len() > MAX_LINE_BYTES {
            return Err(Error::json(
                "",
                format!(
                    "{} bytes, more than the limit of {MAX_LINE_BYTES}",
                    text.len()
                ),
            ));
        }
        check_json_depth(text.as_bytes(), MAX_JSON_DEPTH)
            .map_err(|e| Error::json("", e.to_string()))?;
        let mut de = serde_json::Deserializer::from_str(text);
        let tx: Transaction = serde_path_to_error::deserialize(&mut de).map_err(|e| {
            let path = e.path().to_string();
            let inner = e.into_inner();
            let (line, column) = (inner.line(), inner.column());
            crate::error::ErrorKind::Json {
                field: if path == "." { String::new() } else { path },
                line: (line > 0).then_some(line),
                column: (column > 0).then_some(column),
                message: inner.to_string(),
            }
        })?;
        // A second object or any other text after the transaction would
        // otherwise be dropped unread.
        de.end().map_err(|e| crate::error::ErrorKind::Json {
            field: String::new(),
            line: Some(e.line()),
            column: Some(e.column()),
            message: format!("{e} after the transaction; one transaction per line"),
        })?;
        check_transaction(&tx)?;
        Ok(tx)
    }
}

/// Why a raw line was refused before parsing.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("JSON nested deeper than {max} levels (at byte {at})")]
pub struct DepthError {
    /// The limit.
    pub max: usize,
    /// Byte offset where the limit was crossed.
    pub at: usize,
}

/// The `id` of a line that did not parse as a transaction, when its first
/// JSON value is an object with a string `id` (the rest of the line may be
/// what is wrong), cut to 256 characters: error records name the
/// transaction they are about. Bounded by the line length limit the caller
/// already applied.
///
/// ```
/// use amlscreen::limits::readable_id;
/// assert_eq!(readable_id(br#"{"id": "tx-9", "amount": ten}"#), None);
/// assert_eq!(readable_id(br#"{"id": "tx-9", "amount": 1} trailing"#).as_deref(), Some("tx-9"));
/// ```
pub fn readable_id(line: &[u8]) -> Option<String> {
    let mut values = serde_json::Deserializer::from_slice(line).into_iter::<serde_json::Value>();
    match values.next()? {
        Ok(serde_json::Value::Object(map)) => match map.get("id")? {
            serde_json::Value::String(id) => Some(id.chars().take(256).collect()),
            _ => None,
        },
        _ => None,
    }
}

/// Checks that JSON text nests no deeper than `max` arrays/objects, without
/// parsing it (strings and escapes are skipped). Malformed JSON passes —
/// the parser reports it.
pub fn check_json_depth(bytes: &[u8], max: usize) -> Result<(), DepthError> {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for (at, &b) in bytes.iter().enumerate() {
        if in_string {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'{' | b'[' => {
                depth += 1;
                if depth > max {
                    return Err(DepthError { max, at });
                }
            }
            b'}' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tx() -> Transaction {
        serde_json::from_str(
            r#"{"id":"t","timestamp":"2026-11-21T10:15:00Z","customer_id":"c","direction":"outgoing",
            "amount":"1","currency":"EUR","value":"1","beneficiary":{"name":"Jane Doe"}}"#,
        )
        .unwrap()
    }

    #[test]
    fn depth_counts_only_structure_outside_strings() {
        assert!(check_json_depth(br#"{"a":[{"b":"[[[[[[[[[[[[[[[[[[[[[\"["}]}"#, 3).is_ok());
        let deep = "[".repeat(17) + &"]".repeat(17);
        let err = check_json_depth(deep.as_bytes(), MAX_JSON_DEPTH).unwrap_err();
        assert_eq!(err.at, 16);
        assert!(check_json_depth("[".repeat(16).as_bytes(), MAX_JSON_DEPTH).is_ok());
    }

    #[test]
    fn each_limit_names_its_field() {
        assert!(check_transaction(&tx()).is_ok());
        let mut t = tx();
        t.beneficiary.as_mut().unwrap().name = Some("é".repeat(MAX_NAME_CHARS + 1));
        let msg = check_transaction(&t).unwrap_err().to_string();
        assert!(
            msg.contains("beneficiary.name") && msg.contains("1025 characters"),
            "{msg}"
        );
        // multi-byte characters are counted as characters, not bytes
        t.beneficiary.as_mut().unwrap().name = Some("é".repeat(MAX_NAME_CHARS));
        assert!(check_transaction(&t).is_ok());

        let mut t = tx();
        t.intermediaries = vec![Party::default(); MAX_INTERMEDIARIES + 1];
        let msg = check_transaction(&t).unwrap_err().to_string();
        assert!(
            msg.contains("intermediaries") && msg.contains("limit of 64"),
            "{msg}"
        );

        let mut t = tx();
        t.memo = Some("x".repeat(MAX_MEMO_CHARS + 1));
        assert!(check_transaction(&t)
            .unwrap_err()
            .to_string()
            .contains("memo"));
    }
}
