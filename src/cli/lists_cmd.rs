//! `amlscreen lists stats`: load every list and print one JSON object per
//! source with its version, hash and counts. `amlscreen lists compile`:
//! parse and index the configured lists into a snapshot file.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::Subcommand;
use serde::Serialize;

use super::{CliResult, GlobalArgs};
use amlscreen::lists::{self, ListSpec, ListVersion};

/// One output line: the list version's fields in order, then the extras.
#[derive(Serialize)]
struct StatsLine<'a> {
    #[serde(flatten)]
    version: &'a ListVersion,
    /// Subjects kept but not screened (RNBO expired/excluded).
    inactive: usize,
    /// Details dropped from kept records, and orphan companion rows.
    warnings: usize,
}

#[derive(Debug, Subcommand)]
pub enum ListsCommand {
    /// Load each list (`--list KIND=PATH`, or the config's lists) and print
    /// one JSON line per source: source, path, version, sha256, entities,
    /// persons, organizations, vessels, aircraft, names, weak_aliases,
    /// addresses, skipped (plus inactive subjects and warnings).
    Stats {
        /// Also print every warning (details dropped from kept records,
        /// orphan companion rows) to stderr; records skipped under a
        /// source's `max_bad_rows` are always printed.
        #[arg(long)]
        verbose: bool,
    },
    /// Download the official lists named in the sources file, check them and
    /// replace the stored files atomically (the previous version kept as `.prev`).
    Update(super::update_cmd::UpdateArgs),
    /// Parse and index the lists (`--list KIND=PATH`, or the config's lists)
    /// and write them to a snapshot file (atomically) that the config's
    /// `snapshot:` entry can point at: start-up then loads it instead of
    /// parsing. Prints one JSON line: path, bytes, lists, entities, names,
    /// addresses, compile_ms.
    Compile {
        /// The snapshot file to write.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// Compare two versions of a list: entries added, removed, and changed
    /// (by each entry's content: a new alias, birth date, programme …),
    /// with counts and ids. Each side must load whole.
    Diff {
        /// The old version, `KIND=PATH` (e.g. `un_xml=old/consolidated.xml`).
        old: ListSpec,
        /// The new version: `KIND=PATH`, or a path read as the old one's kind.
        new: String,
        /// `table` (default) or `json`.
        #[arg(long, value_enum, default_value_t)]
        format: super::cases_cmd::Format,
    },
}

/// The `lists compile` output line.
#[derive(Serialize)]
struct CompileLine {
    #[serde(flatten)]
    summary: amlscreen::list_cache::CompileSummary,
    compile_ms: u128,
}

pub fn run(global: &GlobalArgs, cmd: ListsCommand) -> CliResult {
    let verbose = match cmd {
        ListsCommand::Stats { verbose } => verbose,
        ListsCommand::Update(args) => return super::update_cmd::run(args),
        ListsCommand::Diff { old, new, format } => return diff(old, &new, format),
        ListsCommand::Compile { out } => {
            let config = global.load_config()?;
            let started = Instant::now();
            let summary = amlscreen::compile_list_cache(&config, &out)?;
            let line = CompileLine {
                summary,
                compile_ms: started.elapsed().as_millis(),
            };
            println!("{}", serde_json::to_string(&line)?);
            return Ok(ExitCode::SUCCESS);
        }
    };
    let specs: Vec<ListSpec> = if global.lists.is_empty() {
        global.load_config()?.lists
    } else {
        // --list alone names the lists: the config need not exist
        let configured = match global.config.exists() {
            true => Some(amlscreen::Config::load(&global.config)?.lists),
            false => None,
        };
        global.effective_lists(configured.as_deref())
    };
    let mut failed = false;
    for spec in &specs {
        match lists::load(spec) {
            Ok(list) => {
                let v = &list.version;
                let inactive = list.entities.iter().filter(|e| !e.is_active()).count();
                let line = StatsLine {
                    version: v,
                    inactive,
                    warnings: list.warnings.len(),
                };
                println!("{}", serde_json::to_string(&line)?);
                // records skipped under max_bad_rows are always named
                for s in &list.skipped {
                    eprintln!("{}: skipped {}: {}", v.path, s.record, s.reason);
                }
                if verbose {
                    for w in &list.warnings {
                        eprintln!("{}: warning {}: {}", v.path, w.record, w.reason);
                    }
                }
            }
            Err(e) => {
                eprintln!("amlscreen: {e}");
                failed = true;
            }
        }
    }
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// `lists diff OLD NEW`.
fn diff(old: ListSpec, new: &str, format: super::cases_cmd::Format) -> CliResult {
    let new: ListSpec = match new.split_once('=') {
        Some((kind, _)) if kind.parse::<lists::SourceKind>().is_ok() => new.parse()?,
        _ => ListSpec::new(old.source, new),
    };
    let before = lists::load(&old)?;
    let after = lists::load(&new)?;
    let d = lists::diff(&before.entities, &after.entities);
    match format {
        super::cases_cmd::Format::Json => println!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({
                "old": before.version,
                "new": after.version,
                "diff": d,
            }))?
        ),
        super::cases_cmd::Format::Table => {
            let v = |l: &lists::LoadedList| {
                format!(
                    "{} ({}, version {}, sha256 {}…)",
                    l.version.path,
                    l.version.source,
                    l.version.version.as_deref().unwrap_or("not given"),
                    &l.version.sha256[..12]
                )
            };
            println!("old  {}: {} entries", v(&before), d.old_entries);
            println!("new  {}: {} entries", v(&after), d.new_entries);
            println!(
                "{} added, {} removed, {} changed, {} unchanged",
                d.added.len(),
                d.removed.len(),
                d.changed.len(),
                d.unchanged
            );
            for id in &d.added {
                println!("  + {id}");
            }
            for id in &d.removed {
                println!("  - {id}");
            }
            for c in &d.changed {
                println!("  ~ {}", c.id);
                for f in &c.fields {
                    for a in &f.added {
                        println!("      {} + {a}", f.field);
                    }
                    for r in &f.removed {
                        println!("      {} - {r}", f.field);
                    }
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
