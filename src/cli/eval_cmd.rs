//! `amlscreen eval`: recall, false-positive rate and pair F1 of the name
//! matcher on labelled files, per threshold.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use super::match_cmd::load_lists;
use super::{CliResult, GlobalArgs};
use amlscreen::names::eval::{check_baseline, evaluate_file, Figure};
use amlscreen::names::NameIndex;

#[derive(Debug, Args)]
pub struct EvalArgs {
    /// Labelled query files ({"id","name",…,"expect":[ids]}) or pair files
    /// ({"id","a","b","match"}); repeatable.
    #[arg(long = "input", required = true, num_args = 1.., value_name = "FILE")]
    inputs: Vec<PathBuf>,
    /// Thresholds to report, comma-separated (default: 0.80,0.85,0.90 and
    /// the config's review and block thresholds).
    #[arg(long, value_delimiter = ',', value_name = "X,Y,…")]
    thresholds: Vec<f64>,
    /// A baseline JSON file {"<file> <metric>@<threshold>": value}: exit 1 if
    /// any figure in it is worse by more than --tolerance.
    #[arg(long, value_name = "FILE")]
    baseline: Option<PathBuf>,
    /// How much worse than the baseline a figure may be.
    #[arg(long, default_value_t = 0.01)]
    tolerance: f64,
}

pub fn run(global: &GlobalArgs, args: EvalArgs) -> CliResult {
    let (matching, entities) = load_lists(global)?;
    let mut thresholds = args.thresholds.clone();
    if thresholds.is_empty() {
        thresholds = vec![
            0.80,
            0.85,
            0.90,
            matching.review_threshold,
            matching.block_threshold,
        ];
    }
    thresholds.sort_by(f64::total_cmp);
    thresholds.dedup_by(|a, b| (*a - *b).abs() < 1e-9);
    let index = NameIndex::build(&entities, matching);
    let mut all: Vec<Figure> = Vec::new();
    let header: Vec<String> = thresholds.iter().map(|t| format!("@{t:.2}")).collect();
    println!(
        "{:<28} {:<16} {:>6}  {}",
        "file",
        "metric",
        "n",
        header.join("  ")
    );
    for path in &args.inputs {
        let figures = evaluate_file(&index, &entities, path, &thresholds)?;
        let mut metrics: Vec<&str> = Vec::new();
        for f in &figures {
            if !metrics.contains(&f.metric.as_str()) {
                metrics.push(&f.metric);
            }
        }
        for m in metrics {
            let row: Vec<&Figure> = figures.iter().filter(|f| f.metric == m).collect();
            let n = row.first().map_or(0, |f| f.n);
            let values: Vec<String> = row.iter().map(|f| format!("{:>5.3}", f.value)).collect();
            let file = row.first().map_or("", |f| f.file.as_str());
            println!("{file:<28} {m:<16} {n:>6}  {}", values.join("  "));
        }
        all.extend(figures);
    }
    if let Some(path) = &args.baseline {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
        let baseline =
            serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        let regressions = check_baseline(&all, &baseline, args.tolerance);
        for r in &regressions {
            eprintln!(
                "amlscreen: {} is {:.4}, baseline {:.4} (tolerance {})",
                r.key, r.measured, r.baseline, args.tolerance
            );
        }
        if !regressions.is_empty() {
            return Ok(ExitCode::from(1));
        }
    }
    Ok(ExitCode::SUCCESS)
}
