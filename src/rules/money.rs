//! Amounts in rule files: `15000` (the policy's reference currency) or
//! `1000 EUR` (read through the policy's `rates:`), and the currency codes
//! the files name, checked against the vocabularies in `crate::currencies`.
//!
//! ```yaml
//! policy:
//!   reference_currency: USD
//!   rates:                 # units of the reference currency per unit
//!     as_of: 2025-05-22
//!     source: NBU official rates for 22 May 2025
//!     UAH: 1/41.4360       # a quotient is written as the source prints it
//!     EUR: 46.9138/41.4360
//! ```

use std::str::FromStr;

use rust_decimal::Decimal;

use super::fields::Fields;
use crate::currencies::{closest, is_known, CRYPTO, ISO_4217};
use crate::decision::{Amount, Rates};

/// What amounts are read against: the reference currency and the rates.
#[derive(Debug, Clone)]
pub struct Units {
    /// The policy's reference currency (upper case).
    pub reference: String,
    /// The policy's rates.
    pub rates: Rates,
}

impl Units {
    /// Reads `400000`, `"400000 UAH"` or `"1000 eur"`: the value in the
    /// reference currency, or a message saying what is wrong.
    pub fn read(&self, text: &str) -> Result<Amount, String> {
        let mut parts = text.split_whitespace();
        let (Some(number), code, None) = (parts.next(), parts.next(), parts.next()) else {
            return Err(format!(
                "'{text}' is not an amount (write e.g. 10000, \"9999.99\" or \"1000 EUR\")"
            ));
        };
        let value = plain_decimal(number).ok_or_else(|| {
            format!("'{text}' is not an amount (write e.g. 10000, \"9999.99\" or \"1000 EUR\")")
        })?;
        if value < Decimal::ZERO {
            return Err(format!("must not be negative, found {text}"));
        }
        let Some(code) = code.map(str::to_uppercase) else {
            return Ok(self.reference_amount(value));
        };
        if code == self.reference {
            return Ok(self.reference_amount(value));
        }
        check_code(&code)?;
        let Some(rate) = self.rates.per_unit.get(&code) else {
            return Err(format!(
                "no rate for {code}: add '{code}: <{} per {code}>' to the policy's 'rates' (with its 'as_of' and 'source'), or write the amount in {}",
                self.reference, self.reference
            ));
        };
        Ok(Amount {
            value: value.checked_mul(*rate).unwrap_or(Decimal::MAX),
            currency: self.reference.clone(),
            written: Some((value, code)),
        })
    }

    /// An amount in the reference currency.
    pub fn reference_amount(&self, value: Decimal) -> Amount {
        Amount {
            value,
            currency: self.reference.clone(),
            written: None,
        }
    }
}

/// A plain decimal (`9500`, `9999.99`), or one in scientific notation as
/// YAML may print a large number.
pub(crate) fn plain_decimal(text: &str) -> Option<Decimal> {
    Decimal::from_str(text)
        .or_else(|_| Decimal::from_scientific(text))
        .ok()
}

/// A rate as a source prints it: a decimal, or a quotient of two
/// (`1/41.4360`, `46.9138/41.4360`); positive.
pub fn read_rate(text: &str) -> Result<Decimal, String> {
    let text = text.trim();
    let value = match text.split_once('/') {
        Some((a, b)) => {
            let (a, b) = (plain_decimal(a.trim()), plain_decimal(b.trim()));
            match (a, b) {
                (Some(a), Some(b)) if !b.is_zero() => a.checked_div(b),
                _ => None,
            }
        }
        None => plain_decimal(text),
    };
    match value {
        Some(v) if v > Decimal::ZERO => Ok(v),
        Some(_) => Err(format!("rate '{text}' must be more than 0")),
        None => Err(format!(
            "rate '{text}' is not a number or a quotient such as 1/41.4360"
        )),
    }
}

/// `Ok` when `code` (upper case) is an ISO 4217 currency or a known crypto
/// ticker; otherwise a message with the closest known code.
pub fn check_code(code: &str) -> Result<(), String> {
    if is_known(code) {
        return Ok(());
    }
    let hint = closest(code, ISO_4217)
        .or_else(|| closest(code, CRYPTO))
        .map(|c| format!(", did you mean '{c}'?"))
        .unwrap_or_default();
    Err(format!(
        "'{code}' is no ISO 4217 currency or known crypto ticker{hint}"
    ))
}

impl Fields<'_> {
    /// An optional amount (see [`Units::read`]).
    pub fn amount(&mut self, key: &'static str, units: &Units) -> Option<Amount> {
        let v = self.raw(key)?;
        let Some(text) = super::fields::scalar_text(v) else {
            let found = v.type_name();
            self.error(
                key,
                format!("'{key}' must be an amount such as 10000 or \"1000 EUR\", found {found}"),
            );
            return None;
        };
        match units.read(&text) {
            Ok(a) => Some(a),
            Err(e) => {
                self.error(key, format!("'{key}': {e}"));
                None
            }
        }
    }

    /// A required amount: missing is an error naming the key (no hidden
    /// default threshold).
    pub fn required_amount(
        &mut self,
        key: &'static str,
        units: &Units,
        what: &str,
    ) -> Option<Amount> {
        if self.missing(key, || format!(": {what}")) {
            return None;
        }
        self.amount(key, units)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn units() -> Units {
        let mut rates = Rates::default();
        rates
            .per_unit
            .insert("EUR".into(), read_rate("46.9138/41.4360").unwrap());
        rates
            .per_unit
            .insert("UAH".into(), read_rate("1/41.4360").unwrap());
        Units {
            reference: "USD".into(),
            rates,
        }
    }

    #[test]
    fn amounts_read_in_the_reference_currency_or_through_a_rate() {
        let u = units();
        assert_eq!(u.read("15000").unwrap().to_string(), "15,000 USD");
        assert_eq!(u.read("15000 usd").unwrap().to_string(), "15,000 USD");
        assert_eq!(
            u.read("1000 EUR").unwrap().to_string(),
            "1,132.2 USD (1,000 EUR)"
        );
        assert_eq!(
            u.read("400000 UAH").unwrap().to_string(),
            "9,653.44 USD (400,000 UAH)"
        );
        let e = u.read("1000 GBP").unwrap_err();
        assert!(e.starts_with("no rate for GBP"), "{e}");
        let e = u.read("1000 UHA").unwrap_err();
        assert!(e.contains("did you mean 'UAH'?"), "{e}");
        assert!(u.read("lots").is_err() && u.read("-5").is_err());
        assert!(u.read("1 000 EUR").is_err());
        assert!(read_rate("0").is_err() && read_rate("1/0").is_err());
    }
}
