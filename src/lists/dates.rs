//! Birth-date spellings of the official lists, read into [`BirthDate`]
//! without inventing precision: a year stays a year, a range stays a
//! range, "circa" stays circa, and anything else is kept as text.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::BirthDate;

fn year(s: &str) -> Option<i32> {
    let s = s.trim();
    (s.len() == 4 && s.bytes().all(|b| b.is_ascii_digit()))
        .then(|| s.parse().ok())
        .flatten()
}

fn month(s: &str) -> Option<u32> {
    const MONTHS: [&str; 12] = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    let lower = s.trim().trim_end_matches('.').to_ascii_lowercase();
    if lower.len() < 3 {
        return None;
    }
    MONTHS
        .iter()
        .position(|m| lower.starts_with(m))
        .map(|i| i as u32 + 1)
}

/// OFAC forms: `1962`, `08 Feb 1980`, `Feb 1980`, `circa 1951`,
/// `1953 to 1954`, `01 Jan 1953 to 31 Dec 1954`.
pub fn parse_ofac(s: &str) -> BirthDate {
    let s = s.trim();
    let text = || BirthDate::Text { text: s.to_owned() };
    let lower = s.to_ascii_lowercase();
    if let Some(rest) = lower.strip_prefix("circa") {
        return match parse_ofac(rest).year_range() {
            Some((from, to)) if from == to => BirthDate::Circa { year: from },
            Some((from, to)) => BirthDate::Range { from, to },
            None => text(),
        };
    }
    if let Some((a, b)) = s.split_once(" to ") {
        return match (parse_ofac(a).year_range(), parse_ofac(b).year_range()) {
            (Some((from, _)), Some((_, to))) if from <= to => BirthDate::Range { from, to },
            _ => text(),
        };
    }
    let parts: Vec<&str> = s.split_whitespace().collect();
    match parts.as_slice() {
        [y] => year(y).map(|year| BirthDate::Year { year }),
        [m, y] => match (month(m), year(y)) {
            (Some(month), Some(year)) => Some(BirthDate::YearMonth { year, month }),
            _ => None,
        },
        [d, m, y] => match (d.parse::<u32>().ok(), month(m), year(y)) {
            (Some(d), Some(m), Some(y)) => {
                NaiveDate::from_ymd_opt(y, m, d).map(|date| BirthDate::Date { date })
            }
            _ => None,
        },
        _ => None,
    }
    .unwrap_or_else(text)
}

/// Day-month-year with a separator (`07.02.1956`, `12/05/1958`); `dd`/`mm`
/// placeholders (UK) give a year-month or year; a bare year is a year.
pub fn parse_dmy(s: &str, sep: char) -> BirthDate {
    let s = s.trim();
    let text = || BirthDate::Text { text: s.to_owned() };
    let parts: Vec<&str> = s.split(sep).map(str::trim).collect();
    match parts.as_slice() {
        [y] => year(y).map(|year| BirthDate::Year { year }),
        [d, m, y] => {
            let y = year(y);
            // `dd`, `mm` and `00` are placeholders for an unknown part
            let m = m.parse::<u32>().ok().filter(|m| (1..=12).contains(m));
            let d = d.parse::<u32>().ok().filter(|d| *d != 0);
            match (d, m, y) {
                (Some(d), Some(m), Some(y)) => {
                    NaiveDate::from_ymd_opt(y, m, d).map(|date| BirthDate::Date { date })
                }
                (None, Some(month), Some(year)) => Some(BirthDate::YearMonth { year, month }),
                (None, None, Some(year)) => Some(BirthDate::Year { year }),
                _ => None,
            }
        }
        _ => None,
    }
    .unwrap_or_else(text)
}

/// [`BirthDate`], externally tagged (bitcode cannot read the internally
/// tagged JSON form).
#[derive(Serialize, Deserialize)]
pub(crate) enum BirthDateRecord {
    Date(chrono::NaiveDate),
    YearMonth(i32, u32),
    Year(i32),
    Circa(i32),
    Range(i32, i32),
    Text(String),
}

impl From<&BirthDate> for BirthDateRecord {
    fn from(d: &BirthDate) -> Self {
        match d {
            BirthDate::Date { date } => BirthDateRecord::Date(*date),
            BirthDate::YearMonth { year, month } => BirthDateRecord::YearMonth(*year, *month),
            BirthDate::Year { year } => BirthDateRecord::Year(*year),
            BirthDate::Circa { year } => BirthDateRecord::Circa(*year),
            BirthDate::Range { from, to } => BirthDateRecord::Range(*from, *to),
            BirthDate::Text { text } => BirthDateRecord::Text(text.clone()),
        }
    }
}

impl From<BirthDateRecord> for BirthDate {
    fn from(r: BirthDateRecord) -> Self {
        match r {
            BirthDateRecord::Date(date) => BirthDate::Date { date },
            BirthDateRecord::YearMonth(year, month) => BirthDate::YearMonth { year, month },
            BirthDateRecord::Year(year) => BirthDate::Year { year },
            BirthDateRecord::Circa(year) => BirthDate::Circa { year },
            BirthDateRecord::Range(from, to) => BirthDate::Range { from, to },
            BirthDateRecord::Text(text) => BirthDate::Text { text },
        }
    }
}

/// `#[serde(with)]` adapter for `Vec<BirthDate>` fields of index types
/// (the name index keeps each entity's birth dates as qualifiers), in the
/// compact form of [`BirthDateRecord`] that the list cache stores.
pub(crate) mod birth_dates_compact {
    use serde::{Deserialize, Deserializer, Serializer};

    use super::{BirthDate, BirthDateRecord};

    pub fn serialize<S: Serializer>(dates: &[BirthDate], s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(dates.iter().map(BirthDateRecord::from))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<BirthDate>, D::Error> {
        let records = Vec::<BirthDateRecord>::deserialize(d)?;
        Ok(records.into_iter().map(BirthDate::from).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> BirthDate {
        BirthDate::Date {
            date: NaiveDate::from_ymd_opt(y, m, d).unwrap(),
        }
    }

    #[test]
    fn ofac_forms() {
        assert_eq!(parse_ofac("1962"), BirthDate::Year { year: 1962 });
        assert_eq!(parse_ofac("08 Feb 1980"), date(1980, 2, 8));
        assert_eq!(
            parse_ofac("Feb 1980"),
            BirthDate::YearMonth {
                year: 1980,
                month: 2
            }
        );
        assert_eq!(parse_ofac("circa 1951"), BirthDate::Circa { year: 1951 });
        assert_eq!(
            parse_ofac("01 Jan 1953 to 31 Dec 1954"),
            BirthDate::Range {
                from: 1953,
                to: 1954
            }
        );
        assert_eq!(
            parse_ofac("31 Feb 1980"),
            BirthDate::Text {
                text: "31 Feb 1980".into()
            }
        );
    }

    #[test]
    fn day_month_year_forms() {
        assert_eq!(parse_dmy("07.02.1956", '.'), date(1956, 2, 7));
        assert_eq!(
            parse_dmy("dd/05/1958", '/'),
            BirthDate::YearMonth {
                year: 1958,
                month: 5
            }
        );
        assert_eq!(parse_dmy("dd/mm/1945", '/'), BirthDate::Year { year: 1945 });
        assert_eq!(parse_dmy("1946", '/'), BirthDate::Year { year: 1946 });
        assert_eq!(parse_dmy("00/00/1943", '/'), BirthDate::Year { year: 1943 });
        assert_eq!(
            parse_dmy("29.02.1963 (не валідна)", '.'),
            BirthDate::Text {
                text: "29.02.1963 (не валідна)".into()
            }
        );
    }
}
