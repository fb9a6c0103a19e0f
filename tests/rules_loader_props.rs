//! The rule loader never panics, whatever text a rule file holds.

use amlscreen::rules::{RuleSet, SourceText};
use proptest::prelude::*;

const FRAGMENTS: &[&str] = &[
    "rules:",
    "tests:",
    "policy:",
    "platforms:",
    "\n",
    "  ",
    "- ",
    "id: ",
    "kind: ",
    "structuring",
    "velocity",
    "anonymizer",
    "jurisdiction",
    "amount",
    "unusual_activity",
    "new_counterparty",
    "pattern",
    "description: d",
    "window: ",
    "24h",
    "90x",
    "threshold: ",
    "-1",
    "1e400",
    "\"9999.99\"",
    "score: ",
    "level: ",
    "high",
    "action: ",
    "block",
    "bands: ",
    "{level: low, from: 0, to: 100, action: allow}",
    "[",
    "]",
    "{",
    "}",
    ",",
    "&a ",
    "*a",
    "!!str ",
    "regexes: ",
    "'(a'",
    "'\\w{999}'",
    "keywords: ",
    "ips: ",
    "10.0.0.0/33",
    "country_lists: ",
    "../x",
    "transactions: ",
    "{timestamp: '2026-01-01T00:00:00Z', value: 1}",
    "expect: ",
    "measure: ",
    "rhythm_change",
    "max_count: ",
    "max_sum: ",
    "min_count: ",
    "0",
    "4294967296",
    "~",
    "null",
    "true",
    "ü",
    "\t",
    ":",
    "#",
];

fn load(text: String) {
    let _ = RuleSet::from_sources(&[SourceText::new("fuzz.yaml", text)]);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,400}") {
        load(text);
    }

    #[test]
    fn rule_shaped_text_never_panics(parts in prop::collection::vec(prop::sample::select(FRAGMENTS), 0..60)) {
        load(parts.concat());
    }
}
