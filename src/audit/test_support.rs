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
        case: None,
        rescreen_of: None,
        report: None,
        summary: String::new(),
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

/// What an attacker without the key can do to lines `from..` of a log:
/// re-link them (each `prev_hash` naming the seal before it) and re-seal
/// each with a plain SHA-256 — as `"mac"` (`downgrade` false) or, dropping
/// `"format":2`, as a format-1 `"hash"` (`downgrade` true).
pub(super) fn rechain(text: &str, from: usize, downgrade: bool) -> String {
    let mut out = String::new();
    let mut prev: Option<String> = None;
    for (i, line) in text.lines().enumerate() {
        let cut = line
            .rfind(",\"mac\":\"")
            .or_else(|| line.rfind(",\"hash\":\""))
            .unwrap();
        let seal = line[cut..].split('"').nth(3).unwrap().to_owned();
        if i < from {
            out.push_str(line);
            out.push('\n');
            prev = Some(seal);
            continue;
        }
        let mut body = format!("{}}}", &line[..cut]);
        if let Some(prev) = &prev {
            let at = body.find("\"prev_hash\":\"").unwrap() + 13;
            body.replace_range(at..at + 64, prev);
        }
        if downgrade {
            body = body.replacen("\"format\":2,", "", 1);
        }
        let hash = crate::util::sha256_hex(body.as_bytes());
        let member = if downgrade { "hash" } else { "mac" };
        out.push_str(&format!(
            "{},\"{member}\":\"{hash}\"}}\n",
            &body[..body.len() - 1]
        ));
        prev = Some(hash);
    }
    out
}
