//! Event-time window arithmetic shared by the rules that count or sum a
//! customer's transfers, and the number formatting of their reasons.
//!
//! A window of length `w` holds transfers whose timestamps are less than `w`
//! apart: two transfers exactly 24h apart are *not* within 24h; transfers
//! with equal timestamps always are. Because transactions may arrive late,
//! a rule looks at every window that contains the transfer being screened,
//! including transfers with later timestamps already seen, and reports the
//! one that weighs most.

use std::ops::Range;

use chrono::{DateTime, Duration, Utc};
use rust_decimal::Decimal;

/// One transfer as a window sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Point {
    /// Event time.
    pub timestamp: DateTime<Utc>,
    /// Value in the reference currency.
    pub value: Decimal,
}

/// Every window of length `w` that contains time `t`, as index ranges of
/// `points` (sorted by timestamp), one per possible first transfer.
pub fn windows_containing(points: &[Point], t: DateTime<Utc>, w: Duration) -> Vec<Range<usize>> {
    let earliest = t - w;
    let first = points.partition_point(|p| p.timestamp <= earliest);
    let last = points.partition_point(|p| p.timestamp <= t);
    (first..last)
        .map(|i| {
            let end_time = points[i].timestamp + w;
            let end = points.partition_point(|p| p.timestamp < end_time);
            i..end
        })
        .collect()
}

/// The window containing `t` with the most transfers (the earliest on ties).
pub fn busiest_window(points: &[Point], t: DateTime<Utc>, w: Duration) -> Option<Range<usize>> {
    windows_containing(points, t, w)
        .into_iter()
        .fold(None, |best: Option<Range<usize>>, r| match best {
            Some(b) if b.len() >= r.len() => Some(b),
            _ => Some(r),
        })
}

/// The window containing `t` with the largest total value (the earliest on ties).
pub fn heaviest_window(
    points: &[Point],
    t: DateTime<Utc>,
    w: Duration,
) -> Option<(Range<usize>, Decimal)> {
    windows_containing(points, t, w)
        .into_iter()
        .map(|r| {
            let s = sum(&points[r.clone()]);
            (r, s)
        })
        .fold(
            None,
            |best: Option<(Range<usize>, Decimal)>, (r, s)| match best {
                Some((br, bs)) if bs >= s => Some((br, bs)),
                _ => Some((r, s)),
            },
        )
}

/// The total value of some transfers; saturates at the largest decimal
/// instead of overflowing.
pub fn sum(points: &[Point]) -> Decimal {
    points.iter().fold(Decimal::ZERO, |acc, p| {
        acc.checked_add(p.value).unwrap_or(Decimal::MAX)
    })
}

/// Most values listed one by one in a reason; longer lists are shortened.
pub const MAX_LISTED_VALUES: usize = 10;

/// `9,500 + 9,800 + 9,900 USD` (shortened with `… (n more)` past
/// [`MAX_LISTED_VALUES`]).
pub fn list_values(points: &[Point], currency: &str) -> String {
    let mut parts: Vec<String> = points
        .iter()
        .take(MAX_LISTED_VALUES)
        .map(|p| money(p.value))
        .collect();
    if points.len() > MAX_LISTED_VALUES {
        parts.push(format!("… ({} more)", points.len() - MAX_LISTED_VALUES));
    }
    format!("{} {currency}", parts.join(" + "))
}

/// A decimal with thousands separators and no trailing zeros: `9,500`, `12,000.5`.
pub fn money(d: Decimal) -> String {
    crate::decision::group_digits(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_examples() {
        assert_eq!(money("9500.00".parse().unwrap()), "9,500");
        assert_eq!(money("1234567.891".parse().unwrap()), "1,234,567.891");
    }

    fn at(hours: i64, value: i64) -> Point {
        Point {
            timestamp: DateTime::from_timestamp(1_700_000_000 + hours * 3_600, 0).unwrap(),
            value: Decimal::from(value),
        }
    }

    #[test]
    fn exactly_one_window_apart_is_outside() {
        let pts = [at(0, 1), at(24, 1)];
        let r = busiest_window(&pts, pts[1].timestamp, Duration::hours(24)).unwrap();
        assert_eq!(r.len(), 1);
        // one second less than 24h apart is inside
        let mut inside = pts;
        inside[1].timestamp -= Duration::seconds(1);
        let r = busiest_window(&inside, inside[1].timestamp, Duration::hours(24)).unwrap();
        assert_eq!(r.len(), 2);
    }

    #[test]
    fn equal_timestamps_share_a_window() {
        let pts = [at(5, 1), at(5, 2), at(5, 3)];
        let r = busiest_window(&pts, pts[0].timestamp, Duration::seconds(1)).unwrap();
        assert_eq!(r, 0..3);
    }

    #[test]
    fn windows_reach_forward_for_late_transfers() {
        // screening the transfer at hour 10 when hours 0 and 20 are known:
        // [0, 24) holds all three.
        let pts = [at(0, 1), at(10, 1), at(20, 1), at(40, 1)];
        let r = busiest_window(&pts, pts[1].timestamp, Duration::hours(24)).unwrap();
        assert_eq!(r, 0..3);
        let (r, s) = heaviest_window(&pts, pts[3].timestamp, Duration::hours(24)).unwrap();
        assert_eq!((r, s), (2..4, Decimal::from(2)));
        assert!(busiest_window(&pts, at(100, 0).timestamp, Duration::hours(1)).is_none());
    }

    #[test]
    fn sums_saturate_and_money_formats() {
        let big = Point {
            timestamp: at(0, 0).timestamp,
            value: Decimal::MAX,
        };
        assert_eq!(sum(&[big, big, big]), Decimal::MAX);
        assert_eq!(money("9500.00".parse().unwrap()), "9,500");
        assert_eq!(money("100".parse().unwrap()), "100");
        assert_eq!(money("123456".parse().unwrap()), "123,456");
        assert_eq!(
            money("0.000000000000000000000000001".parse().unwrap()),
            "0.000000000000000000000000001"
        );
        assert_eq!(
            money(Decimal::MAX),
            "79,228,162,514,264,337,593,543,950,335"
        );
        let pts: Vec<Point> = (0..12).map(|h| at(h, 1000)).collect();
        assert!(list_values(&pts, "USD").ends_with("+ … (2 more) USD"));
    }
}
