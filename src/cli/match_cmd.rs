//! `amlscreen match` (screen names against the lists) and `amlscreen compare`
//! (score two names): JSON lines in, one JSON line out per input line.

use std::io::{BufRead, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use serde::Deserialize;
use serde_json::json;

use super::{open_input, open_output, CliResult, GlobalArgs};
use amlscreen::lists::{self, Entity};
use amlscreen::names::{self, MatchConfig, NameIndex, NameQuery};
use amlscreen::PartyKind;

#[derive(Debug, Args)]
pub struct MatchArgs {
    /// Queries, one JSON object per line: {"id","name","kind"?,"birth_date"?,"country"?};
    /// `-` is standard input.
    #[arg(long, short, default_value = "-", value_name = "FILE")]
    input: PathBuf,
    /// Lowest score reported (default: the config's review threshold).
    #[arg(long, value_name = "X")]
    threshold: Option<f64>,
    /// Most hits reported per query.
    #[arg(long, default_value_t = 10, value_name = "N")]
    limit: usize,
}

#[derive(Debug, Args)]
pub struct CompareArgs {
    /// Pairs, one JSON object per line: {"id","a","b","kind"?}; `-` is standard input.
    #[arg(long, short, default_value = "-", value_name = "FILE")]
    input: PathBuf,
}

#[derive(Debug, Deserialize)]
struct MatchLine {
    id: serde_json::Value,
    name: String,
    #[serde(default)]
    kind: Option<String>,
    #[serde(default)]
    birth_date: Option<String>,
    #[serde(default)]
    country: Option<String>,
}

#[derive(Debug, Deserialize)]
struct CompareLine {
    id: serde_json::Value,
    a: String,
    b: String,
    #[serde(default)]
    kind: Option<String>,
}

/// `person` / `organization`; anything else (`any`, absent) is unknown.
pub fn party_kind(kind: Option<&str>) -> Option<PartyKind> {
    match kind {
        Some("person") => Some(PartyKind::Person),
        Some("organization") | Some("organisation") => Some(PartyKind::Organization),
        _ => None,
    }
}

/// The matcher config and the entities of every list: from the config file
/// when it exists, else from `--list` flags with default thresholds.
pub fn load_lists(
    global: &GlobalArgs,
) -> Result<(MatchConfig, Vec<Entity>), Box<dyn std::error::Error>> {
    let (matching, specs) = if global.config.exists() {
        let config = global.load_config()?;
        (config.matching, config.lists)
    } else if !global.lists.is_empty() || !global.add_lists.is_empty() {
        (MatchConfig::default(), global.effective_lists(None))
    } else {
        return Err(format!(
            "{}: no config file, and no --list KIND=PATH given",
            global.config.display()
        )
        .into());
    };
    let mut entities = Vec::new();
    for spec in &specs {
        entities.extend(lists::load(spec)?.entities);
    }
    Ok((matching, entities))
}

/// The matcher config alone: from the config file when it exists.
fn load_matching(global: &GlobalArgs) -> Result<MatchConfig, Box<dyn std::error::Error>> {
    if global.config.exists() {
        Ok(global.load_config()?.matching)
    } else {
        Ok(MatchConfig::default())
    }
}

/// Runs `f` on every non-blank input line; a line it rejects becomes an
/// error record `{"line","error"}`. Exit 1 when any line failed.
fn for_each_line(
    input: &std::path::Path,
    mut f: impl FnMut(&str) -> Result<serde_json::Value, String>,
) -> CliResult {
    let reader = open_input(input)?;
    let mut output = open_output(&PathBuf::from("-"))?;
    let mut failed = 0usize;
    for (i, line) in reader.split(b'\n').enumerate() {
        let line = line?;
        let out = match std::str::from_utf8(&line) {
            Err(e) => Err(format!("not UTF-8 at byte {}", e.valid_up_to())),
            Ok(text) if text.trim().is_empty() => continue,
            Ok(text) => f(text.trim_end_matches('\r')),
        };
        let value = out.unwrap_or_else(|error| {
            failed += 1;
            json!({"line": i + 1, "error": error})
        });
        serde_json::to_writer(&mut output, &value)?;
        output.write_all(b"\n")?;
    }
    output.flush()?;
    if failed > 0 {
        eprintln!("amlscreen: {failed} lines could not be read");
        Ok(ExitCode::from(1))
    } else {
        Ok(ExitCode::SUCCESS)
    }
}

fn rounded(score: f64) -> f64 {
    (score * 10_000.0).round() / 10_000.0
}

pub fn run_match(global: &GlobalArgs, args: MatchArgs) -> CliResult {
    let (matching, entities) = load_lists(global)?;
    let threshold = args.threshold.unwrap_or(matching.review_threshold);
    let index = NameIndex::build(&entities, matching);
    for_each_line(&args.input, |text| {
        let q: MatchLine = serde_json::from_str(text).map_err(|e| e.to_string())?;
        let query = NameQuery {
            name: &q.name,
            kind: party_kind(q.kind.as_deref()),
            birth_date: q.birth_date.as_deref(),
            country: q.country.as_deref(),
        };
        let hits: Vec<serde_json::Value> = index
            .search(&query, threshold, args.limit)
            .into_iter()
            .filter_map(|h| {
                let e = entities.get(h.entity)?;
                let name = e.names().nth(h.name_index).map_or(e.name.as_str(), |(n, _)| n);
                Some(json!({"entity_id": e.id, "list": e.list, "name": name, "score": rounded(h.score)}))
            })
            .collect();
        Ok(json!({"id": q.id, "hits": hits}))
    })
}

pub fn run_compare(global: &GlobalArgs, args: CompareArgs) -> CliResult {
    let matching = load_matching(global)?;
    for_each_line(&args.input, |text| {
        let p: CompareLine = serde_json::from_str(text).map_err(|e| e.to_string())?;
        let score = names::compare(&p.a, &p.b, party_kind(p.kind.as_deref()), &matching);
        Ok(json!({"id": p.id, "score": rounded(score)}))
    })
}
