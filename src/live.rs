//! Hot reload: a [`LiveScreener`] serves screening from many threads while
//! new lists and rules are swapped in, with no restart and no lock on the
//! screening path.
//!
//! Each call to [`LiveScreener::screen`] takes one [`Screener`] version
//! (an `Arc` loaded from an [`ArcSwap`]) and makes the whole decision under
//! it, so a decision — and its audit record — names exactly one fully
//! loaded version. A reload builds and validates the replacement first
//! (lists parsed and guarded against implausible shrinks, rules validated,
//! index built) and only then swaps it in; a reload that fails at any step
//! returns the error and leaves the running version untouched. The audit
//! chain and the customer state are shared across versions.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use arc_swap::ArcSwap;

use crate::config::Config;
use crate::error::Error;
use crate::lists;
use crate::model::{Decision, Transaction};
use crate::rules::RuleSet;
use crate::screener::Screener;

/// A screener whose lists and rules can be replaced while it runs.
///
/// ```no_run
/// use amlscreen::{live::LiveScreener, Config};
/// let config = Config::load("amlscreen.yaml".as_ref())?;
/// let live = LiveScreener::from_config(&config)?;
/// // … request threads call live.screen(&tx) …
/// match live.reload(&Config::load("amlscreen.yaml".as_ref())?) {
///     Ok(version) => println!("now screening with {version}"),
///     Err(e) => eprintln!("reload refused, still on {}: {e}", live.version()),
/// }
/// # Ok::<(), amlscreen::Error>(())
/// ```
#[derive(Debug)]
pub struct LiveScreener {
    current: ArcSwap<Screener>,
    // Serialises reloads (never screening): two concurrent reloads would
    // otherwise race to swap and one validated version could be lost.
    reloading: Mutex<()>,
    reloads: AtomicU64,
    failed_reloads: AtomicU64,
}

impl LiveScreener {
    /// Wraps a built screener.
    pub fn new(screener: Screener) -> LiveScreener {
        LiveScreener {
            current: ArcSwap::from_pointee(screener),
            reloading: Mutex::new(()),
            reloads: AtomicU64::new(0),
            failed_reloads: AtomicU64::new(0),
        }
    }

    /// Builds the first version from a config (opens the audit log).
    pub fn from_config(config: &Config) -> Result<LiveScreener, Error> {
        Ok(LiveScreener::new(Screener::from_config(config)?))
    }

    /// The version in force now. Hold the `Arc` to make several calls
    /// against one version.
    pub fn current(&self) -> Arc<Screener> {
        self.current.load_full()
    }

    /// The engine id of the version in force (as in [`Decision::version`]).
    pub fn version(&self) -> String {
        self.current.load().provenance().engine_id.clone()
    }

    /// Screens one transaction entirely under the version in force when the
    /// call starts, appending its audit record.
    pub fn screen(&self, tx: &Transaction) -> Result<Decision, Error> {
        self.current.load().screen(tx)
    }

    /// Reloads lists and rules as `config` names them — the lists from its
    /// list cache (`snapshot:`) when that is valid for them, else parsed (its
    /// `audit` and `state` sections are not reopened: the running audit chain
    /// and customer state carry over). Returns the new engine id, or the
    /// error that kept the current version in force.
    pub fn reload(&self, config: &Config) -> Result<String, Error> {
        self.swap_in(|| {
            let (lists, rules) = crate::screener::load_lists_and_rules(config)?;
            Ok(Screener::from_compiled(lists, rules, None))
        })
    }

    /// Reloads from lists and rules the caller has already loaded.
    pub fn reload_with(
        &self,
        lists: Vec<lists::LoadedList>,
        rules: RuleSet,
        matching: crate::names::MatchConfig,
    ) -> Result<String, Error> {
        self.swap_in(|| Ok(Screener::build(lists, rules, matching, None)))
    }

    fn swap_in(&self, build: impl FnOnce() -> Result<Screener, Error>) -> Result<String, Error> {
        let _one_at_a_time = self.reloading.lock().unwrap_or_else(|p| p.into_inner());
        match build() {
            Ok(next) => {
                let next = next.continuing(&self.current.load());
                let version = next.provenance().engine_id.clone();
                self.current.store(Arc::new(next));
                self.reloads.fetch_add(1, Ordering::Relaxed);
                Ok(version)
            }
            Err(e) => {
                self.failed_reloads.fetch_add(1, Ordering::Relaxed);
                Err(e)
            }
        }
    }

    /// Successful and failed reloads so far.
    pub fn reload_counts(&self) -> (u64, u64) {
        (
            self.reloads.load(Ordering::Relaxed),
            self.failed_reloads.load(Ordering::Relaxed),
        )
    }
}
