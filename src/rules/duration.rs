//! Rule durations as compliance staff write them: a whole number and a unit,
//! `90m`, `24h`, `30d`. Anything else is an error that says what is valid.

use std::fmt;

use chrono::Duration;

/// The units a duration may use, with their length in seconds.
pub const DURATION_UNITS: &[(&str, i64)] = &[
    ("s", 1),
    ("m", 60),
    ("h", 3_600),
    ("d", 86_400),
    ("w", 604_800),
];

/// Longest duration a rule may use (ten years): a longer window is a typo.
pub const MAX_DURATION_SECONDS: i64 = 10 * 366 * 86_400;

/// A positive duration written as `<number><unit>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct RuleDuration {
    seconds: i64,
    amount: i64,
    unit: &'static str,
}

impl RuleDuration {
    /// Parses `90m`, `24h`, `30d` (units `s`, `m`, `h`, `d`, `w`).
    pub fn parse(text: &str) -> Result<RuleDuration, String> {
        let t = text.trim();
        let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
        let (number, unit) = t.split_at(split);
        let valid = "write a whole number and a unit, e.g. 90m, 24h, 30d (units: s, m, h, d, w)";
        let Some(&(unit, unit_seconds)) = DURATION_UNITS.iter().find(|(u, _)| *u == unit) else {
            return Err(format!("bad duration '{text}': {valid}"));
        };
        let amount: i64 = number
            .parse()
            .map_err(|_| format!("bad duration '{text}': {valid}"))?;
        if amount == 0 {
            return Err(format!("bad duration '{text}': must be longer than zero"));
        }
        let seconds = amount
            .checked_mul(unit_seconds)
            .filter(|s| *s <= MAX_DURATION_SECONDS)
            .ok_or_else(|| {
                format!("bad duration '{text}': longer than the 10 years a rule may look back")
            })?;
        Ok(RuleDuration {
            seconds,
            amount,
            unit,
        })
    }

    /// Builds a duration from a number of hours (for defaults).
    pub const fn hours(amount: i64) -> RuleDuration {
        RuleDuration {
            seconds: amount * 3_600,
            amount,
            unit: "h",
        }
    }

    /// Builds a duration from a number of days (for defaults).
    pub const fn days(amount: i64) -> RuleDuration {
        RuleDuration {
            seconds: amount * 86_400,
            amount,
            unit: "d",
        }
    }

    /// The length as a chrono duration.
    pub fn as_duration(&self) -> Duration {
        Duration::seconds(self.seconds)
    }
}

impl fmt::Display for RuleDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.amount, self.unit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_examples() {
        assert_eq!(
            RuleDuration::parse("24h").unwrap().as_duration(),
            chrono::Duration::hours(24)
        );
        assert!(RuleDuration::parse("24 hours").is_err());
    }

    #[test]
    fn valid_and_invalid_durations() {
        assert_eq!(
            RuleDuration::parse("90m").unwrap().as_duration(),
            Duration::minutes(90)
        );
        assert_eq!(
            RuleDuration::parse("30d").unwrap().as_duration(),
            Duration::days(30)
        );
        assert_eq!(RuleDuration::parse("1w").unwrap().to_string(), "1w");
        for bad in [
            "",
            "24",
            "h",
            "24hours",
            "1.5h",
            "-3h",
            "0h",
            "24 h",
            "99999999999999999999d",
            "4000d",
        ] {
            let e = RuleDuration::parse(bad).unwrap_err();
            assert!(e.contains("bad duration"), "{bad}: {e}");
        }
        assert!(RuleDuration::parse("24x")
            .unwrap_err()
            .contains("90m, 24h, 30d"));
    }
}
