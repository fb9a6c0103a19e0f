//! Key risk indicators over the case store (seed 002): alert, hold and
//! block rates, the false-positive rate of closed cases, the share of
//! high-risk customers, old open cases and the median time to resolve,
//! each coloured by the thresholds of the rule files' `kri:` section; and
//! the series the report's charts draw.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::Serialize;

use super::Screener;
use crate::cases::{ActionKind, Case, CaseFilter, CaseStatus, Outcome};
use crate::error::Error;
use crate::model::{Action, RiskLevel};
use crate::rules::kri::KRI_INDICATORS;

/// The report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KriReport {
    /// Start of the period (inclusive).
    pub from: DateTime<Utc>,
    /// End of the period (exclusive).
    pub to: DateTime<Utc>,
    /// When the report was made.
    pub generated_at: DateTime<Utc>,
    /// Decisions recorded in the period.
    pub decisions: u64,
    /// Of which holds.
    pub holds: u64,
    /// Of which blocks.
    pub blocks: u64,
    /// Cases opened in the period.
    pub cases_opened: u64,
    /// Cases closed in the period.
    pub cases_closed: u64,
    /// Each indicator, in [`KRI_INDICATORS`] order.
    pub indicators: Vec<Indicator>,
    /// Cases opened per day, by the reason that decided them.
    pub alerts_per_day: Vec<DayAlerts>,
    /// Customers per risk level (now).
    pub risk_levels: BTreeMap<String, u64>,
    /// Hours from opening to closing of each case closed in the period.
    pub resolution_hours: Vec<f64>,
}

/// One indicator.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Indicator {
    /// Its id (`alert_rate`, …).
    pub id: &'static str,
    /// What it measures.
    pub description: &'static str,
    /// Its value; `None` when the period has nothing to measure it on.
    pub value: Option<f64>,
    /// `green`, `yellow`, `red`; `no data`; `no thresholds`.
    pub status: &'static str,
    /// The figures behind it (`12 of 240 decisions`).
    pub detail: String,
    /// The thresholds it was coloured by: (green at or under, yellow at or under).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub thresholds: Option<(f64, f64)>,
}

/// Cases opened on one day, by deciding reason.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DayAlerts {
    /// The day (UTC).
    pub day: NaiveDate,
    /// Reason (rule id, `sanctions`, `platforms`, `account`) → cases.
    pub by_reason: BTreeMap<String, u64>,
}

/// The reason that decided a case: the first finding whose action is the
/// decision's, else the first finding.
fn deciding_reason(c: &Case) -> String {
    let d = &c.decision;
    d.reasons
        .iter()
        .find(|f| f.action == Some(d.action))
        .or(d.reasons.first())
        .map_or_else(|| "unknown".to_owned(), |f| f.rule_id.clone())
}

/// When a case was closed: its last resolution that closed it.
fn closed_at(c: &Case) -> Option<DateTime<Utc>> {
    if c.status != CaseStatus::Closed {
        return None;
    }
    c.actions
        .iter()
        .rev()
        .find(
            |a| matches!(a.what, ActionKind::Resolve { outcome } if outcome != Outcome::Escalated),
        )
        .map(|a| a.at)
}

fn plural(n: u64) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

fn median(values: &mut [f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let n = values.len();
    Some(if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    })
}

impl Screener {
    /// The key risk indicators of `[from, to)`. Cases closed in the period
    /// may have opened up to a year before it.
    pub fn kri(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<KriReport, Error> {
        let engine = self.engine.load_full();
        let store = self.desk.store();
        let thresholds = engine.rules().kri();
        let open_case_days = thresholds.map_or(5, |t| t.open_case_days);
        let (mut decisions, mut holds, mut blocks) = (0u64, 0u64, 0u64);
        for (_, action, n) in store.decision_counts(from, to)? {
            decisions += n;
            match action {
                Action::Hold => holds += n,
                Action::Block => blocks += n,
                Action::Allow => {}
            }
        }
        let mut cases = store.cases(&CaseFilter {
            since: Some(from - Duration::days(366)),
            ..CaseFilter::default()
        })?;
        // the oldest backlog too: cases still open however long ago opened
        let loaded: std::collections::HashSet<u64> = cases.iter().map(|c| c.id).collect();
        for status in [CaseStatus::Open, CaseStatus::InReview] {
            let older = store.cases(&CaseFilter {
                status: Some(status),
                ..CaseFilter::default()
            })?;
            cases.extend(older.into_iter().filter(|c| !loaded.contains(&c.id)));
        }
        let mut per_day: BTreeMap<NaiveDate, BTreeMap<String, u64>> = BTreeMap::new();
        let mut opened = 0u64;
        let (mut closed, mut false_positives) = (0u64, 0u64);
        let mut resolution_hours = Vec::new();
        let mut old_open = 0u64;
        let old_before = to - Duration::days(i64::from(open_case_days));
        for c in &cases {
            if c.opened_at >= from && c.opened_at < to {
                opened += 1;
                *per_day
                    .entry(c.opened_at.date_naive())
                    .or_default()
                    .entry(deciding_reason(c))
                    .or_default() += 1;
            }
            let closed_at = closed_at(c);
            if let Some(at) = closed_at.filter(|at| *at >= from && *at < to) {
                closed += 1;
                if c.outcome == Some(Outcome::FalsePositive) {
                    false_positives += 1;
                }
                resolution_hours.push((at - c.opened_at).num_seconds().max(0) as f64 / 3600.0);
            }
            // open (or in review) at the period's end — closed after it, or
            // not yet — and opened long before it
            let open_at_end = closed_at.map_or(true, |at| at >= to);
            if open_at_end && c.opened_at < old_before {
                old_open += 1;
            }
        }
        let mut risk_levels: BTreeMap<String, u64> = ["low", "medium", "high"]
            .iter()
            .map(|l| ((*l).to_owned(), 0))
            .collect();
        for (_, level) in store.rating_levels()? {
            *risk_levels.entry(level.name().to_owned()).or_default() += 1;
        }
        let rated: u64 = risk_levels.values().sum();
        let high = risk_levels
            .get(RiskLevel::High.name())
            .copied()
            .unwrap_or(0);
        let share = |n: u64, of: u64| (of > 0).then(|| n as f64 / of as f64);
        let mut hours = resolution_hours.clone();
        let values: Vec<(Option<f64>, String)> = vec![
            (
                share(holds + blocks, decisions),
                format!("{} of {decisions} decisions held or blocked", holds + blocks),
            ),
            (share(holds, decisions), format!("{holds} of {decisions} decisions held")),
            (share(blocks, decisions), format!("{blocks} of {decisions} decisions blocked")),
            (
                share(false_positives, closed),
                format!(
                    "{false_positives} of {closed} closed case{} {}",
                    plural(closed),
                    if closed == 1 { "was a false positive" } else { "were false positives" }
                ),
            ),
            (share(high, rated), format!("{high} of {rated} rated customers are high risk")),
            (
                Some(old_open as f64),
                format!("{old_open} cases open at the end, opened more than {open_case_days} days before it"),
            ),
            (
                median(&mut hours),
                format!(
                    "median of {} case{} closed in the period",
                    resolution_hours.len(),
                    plural(resolution_hours.len() as u64)
                ),
            ),
        ];
        let indicators = KRI_INDICATORS
            .iter()
            .zip(values)
            .map(|(&(id, description), (value, detail))| {
                let t = thresholds.and_then(|t| t.of(id));
                let status = match (value, t) {
                    (None, _) => "no data",
                    (Some(_), None) => "no thresholds",
                    (Some(v), Some((g, _))) if v <= g => "green",
                    (Some(v), Some((_, y))) if v <= y => "yellow",
                    (Some(_), Some(_)) => "red",
                };
                Indicator {
                    id,
                    description,
                    value,
                    status,
                    detail,
                    thresholds: t,
                }
            })
            .collect();
        Ok(KriReport {
            from,
            to,
            generated_at: self.clock.now(),
            decisions,
            holds,
            blocks,
            cases_opened: opened,
            cases_closed: closed,
            indicators,
            alerts_per_day: per_day
                .into_iter()
                .map(|(day, by_reason)| DayAlerts { day, by_reason })
                .collect(),
            risk_levels,
            resolution_hours,
        })
    }
}
