//! Reading a customer file: JSON lines (`.jsonl`, `.json`, `.ndjson`) or
//! CSV (`.csv`), every row checked, every bad row named by line and field.

use std::fmt;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use super::{Activity, Customer};
use crate::lists::csv_rows::{RowError as CsvRowError, Rows};
use crate::model::{PartyId, PartyKind, Wallet};

/// The CSV columns, in documentation order. `id`, `names` and `kind` are
/// required; the others may be left out or come in any order.
/// Multi-valued fields are `|`-separated: `names`, `nationality`,
/// `identifiers` (`type:value` or `type:value:COUNTRY`), `wallets`
/// (`CHAIN:address`). `pep` is `true`/`false` (`yes`/`no`, `1`/`0`, empty
/// for false).
pub const CSV_COLUMNS: [&str; 15] = [
    "id",
    "names",
    "kind",
    "birth_date",
    "nationality",
    "residence",
    "identifiers",
    "wallets",
    "occupation",
    "business_type",
    "expected_monthly_volume",
    "currency",
    "pep",
    "document",
    "onboarded",
];

const REQUIRED_COLUMNS: [&str; 3] = ["id", "names", "kind"];

/// A row that could not be imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    /// The file.
    pub path: PathBuf,
    /// Its line (from 1).
    pub line: usize,
    /// The customer id, when the row gave one.
    pub customer: Option<String>,
    /// The field (`names[1]`, `wallets[0].address`; `row` for the whole row).
    pub field: String,
    /// What is wrong with it.
    pub message: String,
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.path.display(), self.line)?;
        if let Some(c) = &self.customer {
            write!(f, " (customer {c})")?;
        }
        write!(f, ": field `{}`: {}", self.field, self.message)
    }
}

impl std::error::Error for RowError {}

/// What a customer file held: the customers that read (with their lines)
/// and the rows that did not.
#[derive(Debug, Clone, Default)]
pub struct CustomerFile {
    /// Each good row's line and customer, in file order.
    pub customers: Vec<(usize, Customer)>,
    /// Each bad row, in file order.
    pub bad: Vec<RowError>,
}

/// Reads a customer file, by its extension: `.csv` is CSV, anything else
/// JSON lines. `Err` is a file that cannot be read at all (missing, not
/// UTF-8 CSV, a wrong header); rows that break a rule are in
/// [`CustomerFile::bad`].
pub fn read_file(path: &Path) -> Result<CustomerFile, RowError> {
    let bytes = std::fs::read(path).map_err(|e| RowError {
        path: path.to_owned(),
        line: 0,
        customer: None,
        field: "file".into(),
        message: format!("cannot read it: {e}"),
    })?;
    let csv = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    if csv {
        parse_csv(&bytes, path)
    } else {
        Ok(parse_jsonl(&bytes, path))
    }
}

/// Reads JSON lines: one customer object a line; blank lines are skipped.
/// A repeated id is an error on its second line.
pub fn parse_jsonl(bytes: &[u8], path: &Path) -> CustomerFile {
    let mut out = CustomerFile::default();
    let mut seen = std::collections::HashSet::new();
    for (i, raw) in bytes.split(|&b| b == b'\n').enumerate() {
        let line = i + 1;
        let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
        if raw.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let bad = |customer: Option<String>, field: &str, message: String| RowError {
            path: path.to_owned(),
            line,
            customer,
            field: field.to_owned(),
            message,
        };
        if raw.len() > crate::limits::MAX_LINE_BYTES {
            out.bad.push(bad(
                None,
                "row",
                format!("longer than {} bytes", crate::limits::MAX_LINE_BYTES),
            ));
            continue;
        }
        let Ok(text) = std::str::from_utf8(raw) else {
            out.bad.push(bad(None, "row", "not UTF-8".into()));
            continue;
        };
        if let Err(e) = crate::limits::check_json_depth(raw, crate::limits::MAX_JSON_DEPTH) {
            out.bad.push(bad(None, "row", e.to_string()));
            continue;
        }
        // the id, for the message, even when the rest does not read
        let id = serde_json::from_str::<serde_json::Value>(text)
            .ok()
            .and_then(|v| v.get("id").and_then(|i| i.as_str()).map(str::to_owned));
        let de = &mut serde_json::Deserializer::from_str(text);
        let customer: Customer = match serde_path_to_error::deserialize(de) {
            Ok(c) => c,
            Err(e) => {
                let field = e.path().to_string();
                let field = if field == "." {
                    "row".to_owned()
                } else {
                    field
                };
                out.bad.push(bad(id, &field, e.into_inner().to_string()));
                continue;
            }
        };
        push_checked(&mut out, &mut seen, path, line, customer);
    }
    out
}

fn push_checked(
    out: &mut CustomerFile,
    seen: &mut std::collections::HashSet<String>,
    path: &Path,
    line: usize,
    customer: Customer,
) {
    let bad = |field: String, message: String| RowError {
        path: path.to_owned(),
        line,
        customer: Some(customer.id.clone()),
        field,
        message,
    };
    if let Err((field, message)) = customer.check() {
        out.bad.push(bad(field, message));
        return;
    }
    if !seen.insert(customer.id.trim().to_owned()) {
        out.bad.push(bad(
            "id".into(),
            "repeated: an earlier line of the file has this customer".into(),
        ));
        return;
    }
    out.customers.push((line, customer));
}

/// Reads CSV with a header naming [`CSV_COLUMNS`] (required: `id`, `names`,
/// `kind`). `Err`: the header is wrong, or the file ends inside a quoted
/// field.
pub fn parse_csv(bytes: &[u8], path: &Path) -> Result<CustomerFile, RowError> {
    let file_error = |line: usize, message: String| RowError {
        path: path.to_owned(),
        line,
        customer: None,
        field: "header".into(),
        message,
    };
    let mut rows = Rows::new(bytes);
    let header = match rows.next() {
        Some(Ok(row)) => row.record,
        Some(Err(CsvRowError::Row { message, .. } | CsvRowError::Truncated { message, .. })) => {
            return Err(file_error(1, format!("cannot read the header: {message}")))
        }
        None => return Ok(CustomerFile::default()),
    };
    let mut columns: Vec<usize> = Vec::with_capacity(header.len());
    for name in header.iter().map(str::trim) {
        let Some(i) = CSV_COLUMNS.iter().position(|c| *c == name) else {
            return Err(file_error(
                1,
                format!(
                    "unknown column '{name}' (columns: {})",
                    CSV_COLUMNS.join(", ")
                ),
            ));
        };
        if columns.contains(&i) {
            return Err(file_error(1, format!("column '{name}' given twice")));
        }
        columns.push(i);
    }
    for required in REQUIRED_COLUMNS {
        let i = CSV_COLUMNS.iter().position(|c| *c == required).unwrap_or(0);
        if !columns.contains(&i) {
            return Err(file_error(
                1,
                format!("required column '{required}' missing"),
            ));
        }
    }
    let mut out = CustomerFile::default();
    let mut seen = std::collections::HashSet::new();
    for result in rows {
        let (line, record) = match result {
            Ok(row) => (row.line as usize, row.record),
            Err(CsvRowError::Row { line, message }) => {
                let line = line as usize;
                out.bad.push(RowError {
                    path: path.to_owned(),
                    line,
                    customer: None,
                    field: "row".into(),
                    message,
                });
                continue;
            }
            Err(CsvRowError::Truncated { line, message }) => {
                let line = line as usize;
                return Err(RowError {
                    field: "row".into(),
                    ..file_error(line, message)
                });
            }
        };
        if record.len() != columns.len() {
            out.bad.push(RowError {
                path: path.to_owned(),
                line,
                customer: None,
                field: "row".into(),
                message: format!("{} fields, the header has {}", record.len(), columns.len()),
            });
            continue;
        }
        let mut fields: [&str; CSV_COLUMNS.len()] = [""; CSV_COLUMNS.len()];
        for (value, &column) in record.iter().zip(&columns) {
            fields[column] = value.trim();
        }
        match csv_customer(&fields) {
            Ok(c) => push_checked(&mut out, &mut seen, path, line, c),
            Err((field, message)) => out.bad.push(RowError {
                path: path.to_owned(),
                line,
                customer: Some(fields[0].to_owned()).filter(|i| !i.is_empty()),
                field,
                message,
            }),
        }
    }
    Ok(out)
}

fn split_multi(field: &str) -> impl Iterator<Item = &str> {
    field.split('|').map(str::trim).filter(|s| !s.is_empty())
}

fn some(text: &str) -> Option<String> {
    (!text.is_empty()).then(|| text.to_owned())
}

/// One CSV row (fields in [`CSV_COLUMNS`] order) as a customer, before
/// [`Customer::check`].
fn csv_customer(f: &[&str; CSV_COLUMNS.len()]) -> Result<Customer, (String, String)> {
    let field = |name: &str| {
        CSV_COLUMNS
            .iter()
            .position(|c| *c == name)
            .map_or("", |i| f[i])
    };
    let err = |name: &str, message: String| (name.to_owned(), message);
    let kind = match field("kind").to_ascii_lowercase().as_str() {
        "person" => PartyKind::Person,
        "organization" | "organisation" => PartyKind::Organization,
        other => {
            return Err(err(
                "kind",
                format!("'{other}' is not person or organization"),
            ))
        }
    };
    let mut identifiers = Vec::new();
    for item in split_multi(field("identifiers")) {
        let mut parts = item.splitn(3, ':').map(str::trim);
        let (Some(k), Some(v)) = (parts.next(), parts.next()) else {
            return Err(err(
                "identifiers",
                format!("'{item}' is not type:value or type:value:COUNTRY"),
            ));
        };
        if k.is_empty() || v.is_empty() {
            return Err(err(
                "identifiers",
                format!("'{item}' is not type:value or type:value:COUNTRY"),
            ));
        }
        identifiers.push(PartyId {
            kind: k.to_ascii_lowercase(),
            value: v.to_owned(),
            country: parts.next().and_then(some),
        });
    }
    let mut wallets = Vec::new();
    for item in split_multi(field("wallets")) {
        let Some((chain, address)) = item.split_once(':') else {
            return Err(err("wallets", format!("'{item}' is not CHAIN:address")));
        };
        wallets.push(Wallet {
            chain: chain.trim().to_owned(),
            address: address.trim().to_owned(),
        });
    }
    let pep = match field("pep").to_ascii_lowercase().as_str() {
        "" | "false" | "no" | "0" => false,
        "true" | "yes" | "1" => true,
        other => return Err(err("pep", format!("'{other}' is not true or false"))),
    };
    let onboarded = match field("onboarded") {
        "" => None,
        d => Some(
            NaiveDate::parse_from_str(d, "%Y-%m-%d")
                .map_err(|_| err("onboarded", format!("'{d}' is not a date (YYYY-MM-DD)")))?,
        ),
    };
    let volume = match field("expected_monthly_volume") {
        "" => None,
        v => Some(plain_decimal(v).ok_or_else(|| {
            err(
                "expected_monthly_volume",
                format!("'{v}' is not a number (write 150000 or 150000.50)"),
            )
        })?),
    };
    let activity = Activity {
        occupation: some(field("occupation")),
        business_type: some(field("business_type")),
        expected_monthly_volume: volume,
        currency: some(field("currency")),
    };
    Ok(Customer {
        id: field("id").to_owned(),
        names: split_multi(field("names")).map(str::to_owned).collect(),
        kind,
        birth_date: some(field("birth_date")),
        nationality: split_multi(field("nationality"))
            .map(str::to_owned)
            .collect(),
        residence: some(field("residence")),
        identifiers,
        wallets,
        activity: (activity != Activity::default()).then_some(activity),
        pep,
        document: some(field("document")),
        onboarded,
    })
}

/// A decimal written plainly: digits with at most one point, no sign,
/// exponent or grouping.
fn plain_decimal(text: &str) -> Option<rust_decimal::Decimal> {
    let plain = !text.is_empty()
        && text.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && text.bytes().filter(|&b| b == b'.').count() <= 1
        && !text.starts_with('.')
        && !text.ends_with('.');
    plain.then(|| text.parse().ok()).flatten()
}
