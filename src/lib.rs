//! amlscreen: an embeddable AML/KYT transaction-screening engine.
//!
//! A transaction comes in ([`model`]); every party is screened against
//! sanctions lists and watchlists by name ([`names`]) and wallet
//! ([`addresses`]), and against the forbidden-platform registry
//! ([`platforms`]); behaviour rules add findings ([`rules`]); the findings
//! become a decision ([`decision`]); an audit record is appended
//! ([`audit`]). [`Screener`] wires these together: build it once from a
//! [`Config`], then screen from many threads. The YAML files people edit
//! (the config, rule and platform files, the list sources) are read by
//! [`source`], with `file:line:column` in every error.
#![warn(missing_docs)]

pub mod addresses;
pub mod audit;
pub mod batch;
pub mod config;
pub mod decision;
pub mod error;
pub mod limits;
pub mod lists;
pub mod live;
pub mod model;
pub mod names;
pub mod platforms;
pub mod rules;
pub mod screener;
pub mod snapshot;
pub mod source;
pub mod state;
pub mod util;

pub use config::Config;
pub use error::Error;
pub use model::{
    Action, Channel, Decision, Direction, Finding, FindingKind, Match, Party, PartyKind, PartyRole,
    RiskLevel, Transaction, Wallet,
};
pub use screener::Screener;
