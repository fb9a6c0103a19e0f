//! `/metrics` in the Prometheus text format: decisions by action and by
//! reason kind, screening errors by kind, the screen latency histogram,
//! list ages, reloads and their failures, open cases. Counters are atomics
//! bumped on the hot path; the gauges are read when scraped.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use dashmap::DashMap;

use crate::model::{Action, Decision};

/// Upper bounds of the latency histogram's buckets, in seconds.
const BUCKETS: [f64; 14] = [
    0.000_05, 0.000_1, 0.000_25, 0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
    1.0,
];

/// The service's counters.
#[derive(Debug, Default)]
pub struct Metrics {
    decisions: [AtomicU64; 3],
    reasons: DashMap<String, AtomicU64>,
    errors: DashMap<String, AtomicU64>,
    buckets: [AtomicU64; BUCKETS.len()],
    count: AtomicU64,
    sum_nanos: AtomicU64,
}

/// What `/metrics` reads at scrape time besides the counters.
#[derive(Debug, Default)]
pub struct Gauges {
    /// Each list's `source:path` and age in seconds (none when unknown).
    pub list_ages: Vec<(String, Option<i64>, bool)>,
    /// Successful and failed reloads.
    pub reloads: (u64, u64),
    /// Open cases (none when the store could not be read).
    pub open_cases: Option<u64>,
    /// Cases in review.
    pub in_review: Option<u64>,
    /// Whether the engine is built.
    pub ready: bool,
    /// The customer-history backend's health.
    pub history: Option<crate::state::BackendHealth>,
    /// Decisions waiting in the case store's spool.
    pub spooled: Option<usize>,
}

impl Metrics {
    /// Counts a decision and the time it took.
    pub fn decided(&self, decision: &Decision, took: Duration) {
        let slot = match decision.action {
            Action::Allow => 0,
            Action::Hold => 1,
            Action::Block => 2,
        };
        self.decisions[slot].fetch_add(1, Ordering::Relaxed);
        for reason in &decision.reasons {
            bump(&self.reasons, reason.kind.as_str());
        }
        self.observe(took);
    }

    /// Counts a transaction that got an error instead of a decision.
    pub fn failed(&self, kind: &str, took: Duration) {
        bump(&self.errors, kind);
        self.observe(took);
    }

    fn observe(&self, took: Duration) {
        let secs = took.as_secs_f64();
        if let Some(i) = BUCKETS.iter().position(|&b| secs <= b) {
            self.buckets[i].fetch_add(1, Ordering::Relaxed);
        }
        self.count.fetch_add(1, Ordering::Relaxed);
        self.sum_nanos.fetch_add(
            u64::try_from(took.as_nanos()).unwrap_or(u64::MAX),
            Ordering::Relaxed,
        );
    }

    /// The Prometheus text exposition.
    pub fn render(&self, gauges: &Gauges) -> String {
        let mut body = String::with_capacity(4096);
        let name = metric_into(
            &mut body,
            "amlscreen_decisions_total",
            "counter",
            "Decisions given, by action.",
        );
        for (i, action) in ["allow", "hold", "block"].iter().enumerate() {
            let _ = writeln!(
                body,
                "{name}{{action=\"{action}\"}} {}",
                self.decisions[i].load(Ordering::Relaxed)
            );
        }
        let name = metric_into(
            &mut body,
            "amlscreen_decision_reasons_total",
            "counter",
            "Reasons given in decisions, by kind.",
        );
        let mut reasons: Vec<(String, u64)> = self
            .reasons
            .iter()
            .map(|e| (e.key().clone(), e.value().load(Ordering::Relaxed)))
            .collect();
        reasons.sort();
        for (kind, n) in reasons {
            let _ = writeln!(body, "{name}{{kind=\"{}\"}} {n}", label(&kind));
        }
        let name = metric_into(
            &mut body,
            "amlscreen_screen_errors_total",
            "counter",
            "Transactions answered with an error instead of a decision, by error kind.",
        );
        let mut errors: Vec<(String, u64)> = self
            .errors
            .iter()
            .map(|e| (e.key().clone(), e.value().load(Ordering::Relaxed)))
            .collect();
        errors.sort();
        for (kind, n) in errors {
            let _ = writeln!(body, "{name}{{kind=\"{}\"}} {n}", label(&kind));
        }
        let name = metric_into(
            &mut body,
            "amlscreen_screen_duration_seconds",
            "histogram",
            "Time to screen one transaction (decide, record, audit).",
        );
        let mut cumulative = 0u64;
        for (i, bound) in BUCKETS.iter().enumerate() {
            cumulative += self.buckets[i].load(Ordering::Relaxed);
            let _ = writeln!(body, "{name}_bucket{{le=\"{bound}\"}} {cumulative}");
        }
        let count = self.count.load(Ordering::Relaxed);
        let _ = writeln!(body, "{name}_bucket{{le=\"+Inf\"}} {count}");
        let _ = writeln!(
            body,
            "{name}_sum {}",
            self.sum_nanos.load(Ordering::Relaxed) as f64 / 1e9
        );
        let _ = writeln!(body, "{name}_count {count}");
        let name = metric_into(
            &mut body,
            "amlscreen_list_age_seconds",
            "gauge",
            "Age of each list in force: since its publication date, or its file's date.",
        );
        for (list, age, _) in &gauges.list_ages {
            if let Some(age) = age {
                let _ = writeln!(body, "{name}{{list=\"{}\"}} {age}", label(list));
            }
        }
        let name = metric_into(
            &mut body,
            "amlscreen_list_stale",
            "gauge",
            "1 when a list in force is older than server.stale_after.",
        );
        for (list, _, stale) in &gauges.list_ages {
            let _ = writeln!(
                body,
                "{name}{{list=\"{}\"}} {}",
                label(list),
                u8::from(*stale)
            );
        }
        let name = metric_into(
            &mut body,
            "amlscreen_reloads_total",
            "counter",
            "Reloads of lists and rules that put a new engine in force.",
        );
        let _ = writeln!(body, "{name} {}", gauges.reloads.0);
        let name = metric_into(
            &mut body,
            "amlscreen_reload_failures_total",
            "counter",
            "Reloads refused; the engine in force stayed.",
        );
        let _ = writeln!(body, "{name} {}", gauges.reloads.1);
        let name = metric_into(
            &mut body,
            "amlscreen_cases",
            "gauge",
            "Cases waiting for a reviewer, by status.",
        );
        if let Some(n) = gauges.open_cases {
            let _ = writeln!(body, "{name}{{status=\"open\"}} {n}");
        }
        if let Some(n) = gauges.in_review {
            let _ = writeln!(body, "{name}{{status=\"in_review\"}} {n}");
        }
        let name = metric_into(
            &mut body,
            "amlscreen_ready",
            "gauge",
            "1 when the engine is built and screening.",
        );
        let _ = writeln!(body, "{name} {}", u8::from(gauges.ready));
        if let Some(n) = gauges.spooled {
            let name = metric_into(
                &mut body,
                "amlscreen_store_spooled",
                "gauge",
                "Decisions waiting in the local spool for the case database to come back.",
            );
            let _ = writeln!(body, "{name} {n}");
        }
        if let Some(h) = &gauges.history {
            let backend = h.backend;
            let name = metric_into(
                &mut body,
                "amlscreen_history_available",
                "gauge",
                "1 when the customer history (memory or redis) answers; 0: transactions are held \
                 (or blocked, or refused) as state.redis.on_unavailable says.",
            );
            let _ = writeln!(
                body,
                "{name}{{backend=\"{backend}\"}} {}",
                u8::from(h.available)
            );
            let name = metric_into(
                &mut body,
                "amlscreen_history_round_trips_total",
                "counter",
                "Requests (Lua scripts) sent to the shared customer history.",
            );
            let _ = writeln!(body, "{name}{{backend=\"{backend}\"}} {}", h.round_trips);
            let name = metric_into(
                &mut body,
                "amlscreen_history_unavailable_total",
                "counter",
                "Transactions decided without the customer history because it could not be reached.",
            );
            let _ = writeln!(body, "{name}{{backend=\"{backend}\"}} {}", h.failed);
        }
        body
    }
}

/// Adds one to `key`'s counter, allocating the key only the first time.
fn bump(counters: &DashMap<String, AtomicU64>, key: &str) {
    match counters.get(key) {
        Some(c) => {
            c.fetch_add(1, Ordering::Relaxed);
        }
        None => {
            counters
                .entry(key.to_owned())
                .or_default()
                .fetch_add(1, Ordering::Relaxed);
        }
    }
}

fn metric_into(out: &mut String, name: &str, kind: &str, help: &str) -> String {
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
    name.to_owned()
}

/// A label value escaped as the text format wants.
fn label(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_is_cumulative_and_counts_match() {
        let m = Metrics::default();
        m.failed("json", Duration::from_micros(30));
        m.failed("json", Duration::from_millis(3));
        m.failed("json", Duration::from_secs(3));
        let text = m.render(&Gauges::default());
        assert!(text.contains("amlscreen_screen_errors_total{kind=\"json\"} 3"));
        assert!(text.contains("amlscreen_screen_duration_seconds_bucket{le=\"0.00005\"} 1"));
        assert!(text.contains("amlscreen_screen_duration_seconds_bucket{le=\"0.005\"} 2"));
        assert!(text.contains("amlscreen_screen_duration_seconds_bucket{le=\"+Inf\"} 3"));
        assert!(text.contains("amlscreen_screen_duration_seconds_count 3"));
    }
}
