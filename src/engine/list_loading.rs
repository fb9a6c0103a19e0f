//! The config's lists as an engine needs them: from the list cache when one
//! is configured and valid for these sources and this engine, else parsed
//! from the sources; checked against the list guard either way, recording
//! nothing (see [`super::Engine::commit_list_history`]).

use std::path::Path;

use crate::config::Config;
use crate::error::Error;
use crate::list_cache::{self, CompileSummary, CompiledLists, ListsOrigin};
use crate::lists;

/// Parses every list the config names (checked against implausible
/// shrinks, see [`crate::lists::ListGuard`]) and indexes them.
pub(crate) fn from_sources(config: &Config) -> Result<CompiledLists, Error> {
    let lists = config
        .lists
        .iter()
        .map(|spec| lists::load_checked(spec, &config.list_guard))
        .collect::<Result<Vec<_>, _>>()?;
    for (list, spec) in lists.iter().zip(&config.lists) {
        warn_skipped(list, spec);
    }
    Ok(CompiledLists::build(lists, config.matching.clone()))
}

/// Names on stderr every malformed record a source's `max_bad_rows`
/// let through: a list in force without some of its records is never silent.
fn warn_skipped(list: &lists::LoadedList, spec: &lists::ListSpec) {
    for s in &list.skipped {
        eprintln!(
            "amlscreen: warning: {}: skipped {}: {} (accepted by max_bad_rows: {})",
            list.version.path, s.record, s.reason, spec.max_bad_rows
        );
    }
}

/// The lists as the config wants them at start or reload: from its list
/// cache when one is configured and valid, else parsed from the sources.
/// A refused list cache is reported on stderr (and in
/// [`CompiledLists::origin`]) before the sources are parsed.
pub(crate) fn load(config: &Config) -> Result<CompiledLists, Error> {
    let Some(path) = &config.list_cache else {
        return from_sources(config);
    };
    match list_cache::read(path, &config.lists, &config.matching) {
        Ok(compiled) => {
            for (version, spec) in compiled.lists().iter().zip(&config.lists) {
                config.list_guard.check(version)?;
                if version.skipped > 0 {
                    eprintln!(
                        "amlscreen: warning: {}: {} malformed record(s) skipped (accepted by max_bad_rows: {}); `amlscreen lists stats` names them",
                        version.path, version.skipped, spec.max_bad_rows
                    );
                }
            }
            Ok(compiled)
        }
        Err(refusal) => {
            eprintln!("amlscreen: {refusal}; parsing the list sources instead");
            let mut compiled = from_sources(config)?;
            compiled.origin = ListsOrigin::SourcesAfterRefusal {
                refusal: refusal.to_string(),
            };
            Ok(compiled)
        }
    }
}

/// Parses the config's lists exactly as [`crate::Engine::from_config`]
/// does, indexes them, and writes the list cache to `out` atomically (a
/// temporary file beside it, synced, then renamed); then records the lists
/// in the list guard's history. Fails if a source file changes while it is
/// read.
///
/// ```no_run
/// let config = amlscreen::Config::load("amlscreen.yaml".as_ref())?;
/// let summary = amlscreen::compile_list_cache(&config, "lists.snap".as_ref())?;
/// println!("{} entities, {} bytes", summary.entities, summary.bytes);
/// # Ok::<(), amlscreen::Error>(())
/// ```
pub fn compile_list_cache(config: &Config, out: &Path) -> Result<CompileSummary, Error> {
    let (compiled, summary) =
        list_cache::compile_with(&config.lists, &config.matching, out, || {
            from_sources(config)
        })?;
    config.list_guard.record_all(compiled.lists())?;
    Ok(summary)
}
