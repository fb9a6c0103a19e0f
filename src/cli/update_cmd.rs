//! `amlscreen lists update`: download new versions of the official lists
//! named in the sources file and install them safely (see
//! `amlscreen::lists::update`).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use super::CliResult;
use amlscreen::lists::update::{update_source, Sources, UpdateError};

#[derive(Debug, Args)]
pub struct UpdateArgs {
    /// The sources file: official URLs, formats, stored paths, download settings.
    #[arg(long, default_value = "sanctions/sources.yaml", value_name = "FILE")]
    sources: PathBuf,
    /// Update only this source (repeatable); default every enabled source.
    #[arg(long, value_name = "SOURCE")]
    only: Vec<String>,
}

/// Runs `lists update`: one line per source; exit 1 if any update failed.
pub fn run(args: UpdateArgs) -> CliResult {
    let sources = Sources::load(&args.sources)?;
    for id in &args.only {
        if sources.get(id).is_none() {
            let known: Vec<&str> = sources.sources.iter().map(|s| s.id.as_str()).collect();
            return Err(UpdateError::UnknownSource {
                id: id.clone(),
                known: known.join(", "),
            }
            .into());
        }
    }
    let chosen = sources.sources.iter().filter(|s| {
        if args.only.is_empty() {
            s.enabled
        } else {
            args.only.contains(&s.id)
        }
    });
    let mut failed = 0usize;
    for source in chosen {
        match update_source(source, &sources.settings) {
            Ok(r) if r.unchanged => println!(
                "unchanged {}: {} ({} entities, sha256 {})",
                r.id,
                r.path.display(),
                r.entities,
                &r.sha256[..16]
            ),
            Ok(r) => {
                let was = r
                    .previous_entities
                    .map(|n| format!(", was {n}"))
                    .unwrap_or_default();
                let kept = r
                    .kept_previous
                    .map(|p| format!("; previous kept as {}", p.display()))
                    .unwrap_or_default();
                println!(
                    "updated {}: {} ({} bytes, {} entities{was}, sha256 {}){kept}",
                    r.id,
                    r.path.display(),
                    r.bytes,
                    r.entities,
                    &r.sha256[..16]
                );
            }
            Err(e) => {
                failed += 1;
                println!(
                    "FAILED {}: {e} — {} left untouched",
                    source.id,
                    source.path.display()
                );
            }
        }
    }
    Ok(if failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
