//! `unusual_activity`: a customer suddenly behaving unlike themselves.
//!
//! Two measures:
//! - `value_spike`: the transfer's value is more than `multiple` × the
//!   median value of the customer's transfers in the previous `lookback`,
//!   given at least `min_prior` of them.
//! - `rhythm_change`: the number of transfers in the last `recent` window
//!   (this one included) is more than `multiple` × the customer's average
//!   per `recent` over the `lookback` before it, given at least `min_prior`
//!   transfers in that lookback and at least `min_recent` in the recent
//!   window. A low `min_prior` with a `min_recent` catches the rare customer
//!   who turns intensive (3 transfers in a month, then 12 in a day).
//!
//! Every parameter is required: there are no hidden defaults.
//!
//! ```yaml
//! - id: unusual-value-spike
//!   kind: unusual_activity
//!   description: Transfer far above the customer's usual value
//!   measure: value_spike
//!   multiple: 10
//!   lookback: 30d
//!   min_prior: 5
//!   direction: any
//!   score: 35
//!
//! - id: unusual-rhythm-change
//!   kind: unusual_activity
//!   description: A rare customer turns intensive
//!   measure: rhythm_change
//!   multiple: 5
//!   recent: 24h
//!   min_recent: 10
//!   lookback: 30d
//!   min_prior: 1
//!   direction: any
//!   score: 40
//! ```

use rust_decimal::Decimal;

use super::duration::RuleDuration;
use super::fields::Fields;
use super::rule::{DirectionFilter, Fired, RuleContext, DIRECTIONS};
use super::window::money;

/// What an unusual-activity rule measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Measure {
    /// Value against the median of recent values.
    ValueSpike,
    /// Count in the recent window against the average per window.
    RhythmChange,
}

/// Measures by name, for `measure:`.
pub const MEASURES: &[(&str, Measure)] = &[
    ("value_spike", Measure::ValueSpike),
    ("rhythm_change", Measure::RhythmChange),
];

/// A compiled unusual-activity rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnusualActivityRule {
    /// What is measured.
    pub measure: Measure,
    /// How many times the usual fires.
    pub multiple: Decimal,
    /// The history that defines "usual".
    pub lookback: RuleDuration,
    /// The recent window (`rhythm_change` only).
    pub recent: RuleDuration,
    /// Prior transfers needed before the rule judges.
    pub min_prior: u32,
    /// Transfers in the recent window needed before it fires
    /// (`rhythm_change` only; 1 for `value_spike`).
    pub min_recent: u32,
    /// Which transfers count.
    pub direction: DirectionFilter,
}

impl UnusualActivityRule {
    /// Reads the rule's parameters.
    pub fn compile(f: &mut Fields<'_>) -> Option<UnusualActivityRule> {
        let measure = f.required_choice("measure", MEASURES);
        let multiple = f.required_decimal(
            "multiple",
            "how many times the customer's usual fires the rule, e.g. 10",
        );
        let lookback = f.required_duration(
            "lookback",
            "the history that defines the customer's usual, e.g. 30d",
        );
        let min_prior = f.required_count(
            "min_prior",
            1,
            1_000_000,
            "the earlier transfers needed before the rule judges",
        );
        let direction = f.required_choice("direction", DIRECTIONS);
        let (recent, min_recent) = match measure {
            Some(Measure::RhythmChange) => (
                f.required_duration("recent", "the recent window compared, e.g. 24h"),
                f.required_count(
                    "min_recent",
                    1,
                    1_000_000,
                    "the transfers in the recent window needed to fire, e.g. 10",
                ),
            ),
            _ => {
                for key in ["recent", "min_recent"] {
                    if f.present(key) {
                        f.error(
                            key,
                            format!("'{key}' applies to measure rhythm_change only"),
                        );
                    }
                }
                f.raw("recent");
                f.raw("min_recent");
                (Some(RuleDuration::hours(24)), Some(1))
            }
        };
        if let Some(m) = multiple.filter(|m| *m <= Decimal::ONE) {
            f.error(
                "multiple",
                format!("'multiple' is {}; it must be more than 1", money(m)),
            );
        }
        Some(UnusualActivityRule {
            measure: measure?,
            multiple: multiple?,
            lookback: lookback?,
            recent: recent?,
            min_prior: min_prior?,
            min_recent: min_recent?,
            direction: direction?,
        })
    }

    /// How far back the rule looks.
    pub fn lookback(&self) -> chrono::Duration {
        match self.measure {
            Measure::ValueSpike => self.lookback.as_duration(),
            Measure::RhythmChange => self.lookback.as_duration() + self.recent.as_duration(),
        }
    }

    /// Fires on a value spike or a rhythm change.
    pub fn evaluate(&self, ctx: &RuleContext<'_>) -> Option<Fired> {
        if ctx.undoes() {
            return None;
        }
        let tx = ctx.tx;
        if !self.direction.accepts(tx.direction) {
            return None;
        }
        let t = tx.timestamp;
        match self.measure {
            Measure::ValueSpike => {
                let mut prior: Vec<Decimal> = ctx
                    .history
                    .between(t - self.lookback.as_duration(), t)
                    .iter()
                    .filter(|e| e.counts() && self.direction.accepts(e.direction))
                    .map(|e| e.value)
                    .collect();
                if prior.len() < self.min_prior as usize {
                    return None;
                }
                let n = prior.len();
                let median = median(&mut prior)?;
                let limit = median.checked_mul(self.multiple).unwrap_or(Decimal::MAX);
                (tx.value > limit).then(|| {
                    Fired::new(format!(
                        "{} is more than {}× the median {} of {n} {}transfers in the previous {}",
                        ctx.money(tx.value),
                        money(self.multiple),
                        ctx.money(median),
                        self.direction.adjective(),
                        self.lookback
                    ))
                })
            }
            Measure::RhythmChange => {
                let recent = self.recent.as_duration();
                let start_recent = t - recent;
                let in_recent = |ts: chrono::DateTime<chrono::Utc>| ts > start_recent && ts <= t;
                let count_recent = 1 + ctx
                    .history
                    .between(start_recent, t + chrono::Duration::nanoseconds(1))
                    .iter()
                    .filter(|e| {
                        e.counts() && in_recent(e.timestamp) && self.direction.accepts(e.direction)
                    })
                    .count();
                let baseline_start = start_recent - self.lookback.as_duration();
                let baseline = ctx
                    .history
                    .between(
                        baseline_start + chrono::Duration::nanoseconds(1),
                        start_recent + chrono::Duration::nanoseconds(1),
                    )
                    .iter()
                    .filter(|e| e.counts() && self.direction.accepts(e.direction))
                    .count();
                if baseline < self.min_prior as usize || count_recent < self.min_recent as usize {
                    return None;
                }
                let periods = Decimal::from(self.lookback.as_duration().num_seconds())
                    / Decimal::from(recent.num_seconds().max(1));
                let average = Decimal::from(baseline) / periods;
                let limit = average.checked_mul(self.multiple).unwrap_or(Decimal::MAX);
                (Decimal::from(count_recent) > limit).then(|| {
                    Fired::new(format!(
                        "{count_recent} {}transfers in the last {} is more than {}× the average of {} per {} over the previous {} ({baseline} transfers)",
                        self.direction.adjective(),
                        self.recent,
                        money(self.multiple),
                        money(average.round_dp(2)),
                        self.recent,
                        self.lookback
                    ))
                })
            }
        }
    }
}

/// The median of `values` (the mean of the two middle ones for an even
/// count), `None` for none. Reorders `values`. A selection, not a sort:
/// O(n) per transfer over the whole lookback instead of O(n log n).
pub(crate) fn median(values: &mut [Decimal]) -> Option<Decimal> {
    let n = values.len();
    if n == 0 {
        return None;
    }
    let (below, &mut upper, _) = values.select_nth_unstable(n / 2);
    if n % 2 == 1 {
        return Some(upper);
    }
    // the lower middle is the largest value left of the upper one
    let lower = below.iter().copied().max().unwrap_or(upper);
    Some(
        lower
            .checked_add(upper)
            .map(|s| s / Decimal::TWO)
            .unwrap_or(upper),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sorted_median(values: &[Decimal]) -> Option<Decimal> {
        let mut v = values.to_vec();
        v.sort_unstable();
        let n = v.len();
        match n {
            0 => None,
            _ if n % 2 == 1 => Some(v[n / 2]),
            _ => Some(
                v[n / 2 - 1]
                    .checked_add(v[n / 2])
                    .map(|s| s / Decimal::TWO)
                    .unwrap_or(v[n / 2]),
            ),
        }
    }

    #[test]
    fn selected_median_equals_the_sorted_one() {
        let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
        for n in 0..60 {
            let values: Vec<Decimal> = (0..n)
                .map(|_| {
                    seed ^= seed << 13;
                    seed ^= seed >> 7;
                    seed ^= seed << 17;
                    // few distinct values, so ties are common
                    Decimal::new((seed % 40) as i64 * 125, 2)
                })
                .collect();
            let mut work = values.clone();
            assert_eq!(median(&mut work), sorted_median(&values), "{values:?}");
        }
        let mut max = vec![Decimal::MAX, Decimal::MAX];
        assert_eq!(median(&mut max), Some(Decimal::MAX));
    }
}
