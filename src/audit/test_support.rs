//! Shared fixtures of the audit tests.

use super::AuditLog;
use crate::model::{Action, Decision, Provenance, RiskLevel, ENGINE_VERSION};
use chrono::Utc;

pub(super) fn decision(id: &str) -> Decision {
    Decision {
        transaction_id: id.into(),
        risk: RiskLevel::Low,
        action: Action::Allow,
        score: 0,
        reasons: vec![],
        version: "v".into(),
    }
}

pub(super) fn provenance() -> Provenance {
    Provenance {
        engine_version: ENGINE_VERSION.into(),
        engine_id: "v".into(),
        lists: vec![],
        rules: vec![],
    }
}

pub(super) fn append_n(log: &mut AuditLog, from: usize, to: usize) {
    for i in from..to {
        log.append_for(
            &decision(&format!("tx-{i}")),
            &provenance(),
            Some("customer-7"),
            Utc::now(),
        )
        .unwrap();
    }
}
