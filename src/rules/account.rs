//! The `account:` section: when the policy freezes an account by itself,
//! and how long a cleared false positive stays cleared.
//!
//! ```yaml
//! account:
//!   freeze_after:                       # any of these freezes the account
//!     - {confirmed_blocks: 2, within: 30d}  # blocks a reviewer confirmed
//!     - {blocks: 3, within: 24h}            # blocks, confirmed or not
//!   freeze_on_own_name: true            # a confirmed hit on the customer's own party
//!   suppression_days: 365               # a cleared name hit stays cleared this long
//! ```

use super::duration::RuleDuration;
use super::fields::{type_name, Fields};
use super::source::{RuleFileError, SourceText};
use crate::cases::{AccountPolicy, FreezeTrigger};
use crate::source::{Node, Value};

/// Parses and validates the `account` mapping of a rule file.
pub fn parse_account(
    source: &SourceText,
    value: &Node,
) -> Result<AccountPolicy, Vec<RuleFileError>> {
    let mut f = Fields::new(source, value).map_err(|e| vec![e])?;
    let defaults = AccountPolicy::default();
    let mut freeze_after = defaults.freeze_after.clone();
    match f.raw("freeze_after") {
        None => {}
        Some(Node {
            value: Value::Seq(items),
            ..
        }) => {
            freeze_after.clear();
            for item in items {
                let mut t = match Fields::new(source, item) {
                    Ok(t) => t,
                    Err(e) => {
                        f.push(e);
                        continue;
                    }
                };
                let confirmed = t.opt_count("confirmed_blocks", 1, 1000);
                let any = t.opt_count("blocks", 1, 1000);
                let within = t.duration("within", RuleDuration::days(30));
                if !t.present("within") {
                    t.error("within", "missing 'within' (a window such as 30d or 24h)");
                }
                match (t.present("confirmed_blocks"), t.present("blocks")) {
                    (true, true) => t.error(
                        "blocks",
                        "give either 'confirmed_blocks' or 'blocks' in one trigger, not both",
                    ),
                    (false, false) => t.error(
                        "confirmed_blocks",
                        "missing 'confirmed_blocks' (blocks a reviewer confirmed) or 'blocks' (any block)",
                    ),
                    _ => {}
                }
                let errors = t.finish();
                let ok = errors.is_empty();
                for e in errors {
                    f.push(e);
                }
                if let (true, Some(n)) = (ok, confirmed.or(any)) {
                    freeze_after.push(FreezeTrigger {
                        blocks: n,
                        within: within.as_duration(),
                        confirmed: confirmed.is_some(),
                    });
                }
            }
        }
        Some(other) => f.error(
            "freeze_after",
            format!(
                "'freeze_after' must be a list of triggers, found {}",
                type_name(other)
            ),
        ),
    }
    let freeze_on_own_name = f.flag("freeze_on_own_name", defaults.freeze_on_own_name);
    let suppression_days = f.count("suppression_days", defaults.suppression_days, 1, 3660);
    let errors = f.finish();
    if errors.is_empty() {
        Ok(AccountPolicy {
            freeze_after,
            freeze_on_own_name,
            suppression_days,
        })
    } else {
        Err(errors)
    }
}
