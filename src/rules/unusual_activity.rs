//! `unusual_activity`: a customer suddenly behaving unlike themselves.
//!
//! Two measures:
//! - `value_spike`: the transfer's value is more than `multiple` × the
//!   median value of the customer's transfers in the previous `lookback`,
//!   given at least `min_prior` of them.
//! - `rhythm_change`: the number of transfers in the last `recent` window
//!   (this one included) is more than `multiple` × the customer's average
//!   per `recent` over the `lookback` before it, given at least `min_prior`
//!   transfers in that lookback.
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

/// Default `multiple` for `value_spike`: 10.
pub const DEFAULT_SPIKE_MULTIPLE: i64 = 10;
/// Default `min_prior` for `value_spike`: 5 (fewer and "usual" means little).
pub const DEFAULT_SPIKE_MIN_PRIOR: u32 = 5;
/// Default `multiple` for `rhythm_change`: 5.
pub const DEFAULT_RHYTHM_MULTIPLE: i64 = 5;
/// Default `min_prior` for `rhythm_change`: 10.
pub const DEFAULT_RHYTHM_MIN_PRIOR: u32 = 10;
/// Default `lookback`: 30d.
pub const DEFAULT_LOOKBACK: RuleDuration = RuleDuration::days(30);
/// Default `recent` for `rhythm_change`: 24h.
pub const DEFAULT_RECENT: RuleDuration = RuleDuration::hours(24);

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
    /// Which transfers count.
    pub direction: DirectionFilter,
}

impl UnusualActivityRule {
    /// Reads the rule's parameters.
    pub fn compile(f: &mut Fields<'_>) -> Option<UnusualActivityRule> {
        let measure = f.opt_choice("measure", MEASURES);
        if measure.is_none() && !f.present("measure") {
            f.error(
                "measure",
                "missing 'measure' (valid: value_spike, rhythm_change)",
            );
        }
        let measure = measure.unwrap_or(Measure::ValueSpike);
        let (default_multiple, default_min) = match measure {
            Measure::ValueSpike => (DEFAULT_SPIKE_MULTIPLE, DEFAULT_SPIKE_MIN_PRIOR),
            Measure::RhythmChange => (DEFAULT_RHYTHM_MULTIPLE, DEFAULT_RHYTHM_MIN_PRIOR),
        };
        let has_recent = f.present("recent");
        let rule = UnusualActivityRule {
            measure,
            multiple: f.decimal("multiple", Decimal::from(default_multiple)),
            lookback: f.duration("lookback", DEFAULT_LOOKBACK),
            recent: f.duration("recent", DEFAULT_RECENT),
            min_prior: f.count("min_prior", default_min, 1, 1_000_000),
            direction: f.choice("direction", DIRECTIONS, DirectionFilter::Any),
        };
        if has_recent && measure == Measure::ValueSpike {
            f.error("recent", "'recent' applies to measure rhythm_change only");
        }
        if rule.multiple <= Decimal::ONE {
            f.error(
                "multiple",
                format!(
                    "'multiple' is {}; it must be more than 1",
                    money(rule.multiple)
                ),
            );
        }
        Some(rule)
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
                    .filter(|e| self.direction.accepts(e.direction))
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
                        money(tx.value),
                        money(self.multiple),
                        money(median),
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
                    .filter(|e| in_recent(e.timestamp) && self.direction.accepts(e.direction))
                    .count();
                let baseline_start = start_recent - self.lookback.as_duration();
                let baseline = ctx
                    .history
                    .between(
                        baseline_start + chrono::Duration::nanoseconds(1),
                        start_recent + chrono::Duration::nanoseconds(1),
                    )
                    .iter()
                    .filter(|e| self.direction.accepts(e.direction))
                    .count();
                if baseline < self.min_prior as usize {
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
fn median(values: &mut [Decimal]) -> Option<Decimal> {
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
