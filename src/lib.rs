//! amlscreen: an embeddable AML/KYT transaction-screening engine.
//!
//! A [`Transaction`] comes in; every party is screened against sanctions
//! lists and watchlists by name ([`names`]) and wallet, and against the
//! forbidden-platform registry; behaviour rules add findings ([`rules`]);
//! the findings become a [`Decision`]; an audit record is appended
//! ([`audit`]).
//!
//! Two halves: an [`Engine`] is everything compiled — lists, indexes,
//! platforms, rules, policy — built once and never changed; a [`Screener`]
//! is what an exchange holds: the engine in force (swapped whole on
//! [`Screener::reload`]), the customer history and the audit log.
//!
//! ```
//! use amlscreen::{Action, Engine, RuleSet, Screener, Transaction};
//! let screener = Screener::new(Engine::builder(RuleSet::load("rules".as_ref())?).build());
//! let tx = Transaction::from_json(r#"{"id":"tx-1","timestamp":"2026-11-21T10:15:00Z",
//!   "customer_id":"c-1","direction":"outgoing","amount":"10","currency":"USDT","value":"10",
//!   "beneficiary":{"name":"Jane Doe","kind":"person","vasp":"Garantex"}}"#)?;
//! let decision = screener.screen(&tx)?;
//! assert_eq!(decision.action, Action::Block);
//! # Ok::<(), amlscreen::Error>(())
//! ```
//!
//! The public surface is this page's re-exports plus six modules an
//! embedder reaches into: [`lists`] (the list loaders and entities),
//! [`names`] (the name matcher and its evaluation), [`rules`] (rule files),
//! [`audit`] (the audit log and its verification), [`list_cache`] (the
//! compiled list file) and [`limits`] (the bounds on hostile input). The
//! YAML files people edit (the config, rule and platform files, the list
//! sources) are read by one position-aware loader, with `file:line:column`
//! in every error.
#![warn(missing_docs)]

mod addresses;
pub mod audit;
pub mod cases;
mod config;
mod countries;
mod currencies;
pub mod customers;
mod decision;
mod durable;
mod engine;
mod error;
pub mod limits;
pub mod list_cache;
pub mod lists;
mod model;
pub mod names;
mod platforms;
pub mod rules;
mod screener;
#[cfg(feature = "serve")]
pub mod server;
mod source;
mod state;
mod util;

pub use addresses::{
    check_for_chain as check_address_for_chain, normalize as normalize_address, AddressError,
    CryptoAddress,
};
pub use config::{
    ApiToken, AuditConfig, Config, FsyncPolicy, Role, ScreeningConfig, ServerConfig, StoreConfig,
};
pub use decision::{Amount, Policy, Rates, MAX_SCORE};
pub use engine::{compile_list_cache, Engine, EngineBuilder};
pub use error::{Error, ErrorKind, Location};
pub use list_cache::{CompileSummary, ListsOrigin};
pub use model::{
    AccountHolder, Action, Address, Channel, Decision, Direction, FileVersion, Finding,
    FindingKind, ListRef, Match, Party, PartyId, PartyKind, PartyRole, PriorDecision, Provenance,
    Report, RiskLevel, Transaction, Wallet, ACCOUNT_RULE_ID, ENGINE_VERSION, PLATFORMS_RULE_ID,
    REPORT_RULE_ID, SANCTIONS_RULE_ID, SUPPRESSED_RULE_ID, UNREADABLE_RULE_ID,
};
pub use names::{MatchConfig, NameHit, NameQuery};
pub use platforms::{
    read_domain, DomainError, Host, Platform, PlatformCategory, PlatformHit, PlatformRegistry,
    PlatformVia, Spelling, TextHit,
};
pub use rules::RuleSet;
pub use screener::{
    run_rule_tests, BatchOrder, CustomerCase, DayAlerts, ImportReport, Indicator, KriReport,
    PendingBatch, RescreenReport, Screener, HISTORY_UNAVAILABLE_RULE_ID,
};
pub use source::SourceError;
pub use state::{
    counterparty_key, BackendHealth, CustomerHistory, HistoryEntry, HistoryUnavailable,
    OnUnavailable, RedisConfig, Seen, StateCheckpointError, StateConfig, StateError, StateStore,
    CHECKPOINT_FORMAT, DROPPED_REASONS_RULE_ID,
};

#[cfg(test)]
mod tests {
    /// Every public type can be shared across threads.
    #[test]
    fn public_types_are_send_and_sync() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<crate::Engine>();
        assert_send_sync::<crate::EngineBuilder>();
        assert_send_sync::<crate::Screener>();
        assert_send_sync::<crate::Config>();
        assert_send_sync::<crate::Error>();
        assert_send_sync::<crate::Transaction>();
        assert_send_sync::<crate::Decision>();
        assert_send_sync::<crate::Finding>();
        assert_send_sync::<crate::Provenance>();
        assert_send_sync::<crate::RuleSet>();
        assert_send_sync::<crate::MatchConfig>();
        assert_send_sync::<crate::PlatformRegistry>();
        assert_send_sync::<crate::StateStore>();
        assert_send_sync::<crate::CustomerHistory>();
        assert_send_sync::<crate::ListsOrigin>();
        assert_send_sync::<crate::CompileSummary>();
        assert_send_sync::<crate::CryptoAddress>();
        assert_send_sync::<crate::lists::Entity>();
        assert_send_sync::<crate::lists::ListVersion>();
        assert_send_sync::<crate::lists::ListError>();
        assert_send_sync::<crate::names::NameIndex>();
        assert_send_sync::<crate::audit::AuditLog>();
        assert_send_sync::<crate::audit::AuditError>();
        assert_send_sync::<crate::rules::RuleFileError>();
        assert_send_sync::<crate::list_cache::ListCacheError>();
    }
}
