//! `amlscreen customers import` and `amlscreen customers rescreen`: the
//! customer registry in the case store, screened at onboarding and again
//! when the lists change.

use std::path::Path;
use std::process::ExitCode;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::cases_cmd::Format;
use super::{CliResult, GlobalArgs};
use amlscreen::customers;
use amlscreen::{CustomerCase, ImportReport, RescreenReport};

/// `customers import FILE [--skip-bad]`.
pub fn import(global: &GlobalArgs, file: &Path, skip_bad: bool, format: Format) -> CliResult {
    let read = customers::read_file(file)?;
    for bad in &read.bad {
        eprintln!("amlscreen: {bad}");
    }
    if !read.bad.is_empty() && !skip_bad {
        eprintln!(
            "amlscreen: {}: {} bad row{}: nothing imported (fix them, or give --skip-bad to import the {} good row{} and skip these)",
            file.display(),
            read.bad.len(),
            if read.bad.len() == 1 { "" } else { "s" },
            read.customers.len(),
            if read.customers.len() == 1 { "" } else { "s" },
        );
        return Ok(ExitCode::from(1));
    }
    if !read.bad.is_empty() {
        let lines: Vec<String> = read.bad.iter().map(|b| b.line.to_string()).collect();
        eprintln!(
            "amlscreen: {}: skipped line{} {} (--skip-bad)",
            file.display(),
            if lines.len() == 1 { "" } else { "s" },
            lines.join(", ")
        );
    }
    let screener = amlscreen::Screener::for_customers(&global.load_config()?)?;
    let customers: Vec<customers::Customer> = read.customers.into_iter().map(|(_, c)| c).collect();
    let report = screener.import_customers(&customers)?;
    screener.checkpoint_audit()?;
    match format {
        Format::Json => println!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({
                "report": report,
                "skipped": skip_bad.then_some(read.bad.len()),
            }))?
        ),
        Format::Table => print_import(&report),
    }
    Ok(ExitCode::SUCCESS)
}

fn print_import(r: &ImportReport) {
    println!(
        "{} customers: {} added, {} changed, {} unchanged; {} screened, {} case{} opened, {} under enhanced due diligence",
        r.given,
        r.added,
        r.changed,
        r.unchanged,
        r.screened,
        r.cases.len(),
        if r.cases.len() == 1 { "" } else { "s" },
        r.enhanced.len()
    );
    print_cases(&r.cases);
}

fn print_cases(cases: &[CustomerCase]) {
    for c in cases {
        println!(
            "  case {:>6}  {:<5}  {}  {}",
            c.case,
            c.action.name(),
            c.customer_id,
            c.summary
        );
    }
}

/// `customers rescreen [--full]`.
pub fn rescreen(global: &GlobalArgs, full: bool, forced: bool, format: Format) -> CliResult {
    let screener = amlscreen::Screener::for_customers(&global.load_config()?)?;
    let bar = {
        use std::io::IsTerminal;
        let target = if forced || std::io::stderr().is_terminal() {
            ProgressDrawTarget::stderr()
        } else {
            ProgressDrawTarget::hidden()
        };
        let bar = ProgressBar::with_draw_target(Some(0), target);
        if let Ok(style) = ProgressStyle::with_template(
            "{bar:40} {pos}/{len} customers screened ({per_sec}, {eta} left)",
        ) {
            bar.set_style(style);
        }
        bar
    };
    let report = screener.rescreen_customers(full, &|done, total| {
        bar.set_length(total as u64);
        bar.set_position(done as u64);
    })?;
    bar.finish_and_clear();
    screener.checkpoint_audit()?;
    match format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&report)?),
        Format::Table => print_rescreen(&report),
    }
    Ok(ExitCode::SUCCESS)
}

fn print_rescreen(r: &RescreenReport) {
    println!(
        "{} re-screen of {} customers{}",
        r.mode,
        r.customers,
        r.full_because
            .as_deref()
            .map_or(String::new(), |w| format!(" ({w})"))
    );
    println!(
        "list entries since the last screen: {} added, {} changed, {} removed; {} searched for",
        r.entries_added, r.entries_changed, r.entries_removed, r.entries_screened
    );
    println!(
        "{} customers screened, {} new hit{}, {} case{} opened, {} case{} annotated, {} under enhanced due diligence",
        r.customers_screened,
        r.new_hits,
        if r.new_hits == 1 { "" } else { "s" },
        r.cases.len(),
        if r.cases.len() == 1 { "" } else { "s" },
        r.annotated.len(),
        if r.annotated.len() == 1 { "" } else { "s" },
        r.enhanced.len()
    );
    println!(
        "time: {} ms in all; customers' name index {} ms{}, candidates' profiles {} ms, screening {} ms, ratings {} ms",
        r.total_ms,
        r.index_ms,
        if r.index.is_empty() {
            String::new()
        } else {
            format!(" ({})", r.index)
        },
        r.fetch_ms,
        r.screen_ms,
        r.rate_ms
    );
    print_cases(&r.cases);
}

/// `customers rate [ID]`.
pub fn rate(global: &GlobalArgs, customer: Option<&str>, format: Format) -> CliResult {
    let screener = amlscreen::Screener::for_customers(&global.load_config()?)?;
    if screener.engine().rules().customer_risk().is_none() {
        eprintln!(
            "amlscreen: the rule files have no `customer_risk:` model (see rules/customer_risk.yaml)"
        );
        return Ok(ExitCode::from(1));
    }
    let ratings = match customer {
        Some(id) => match screener.rate_customer(id, "on demand")? {
            Some(r) => vec![r],
            None => {
                eprintln!("amlscreen: customer {id} is not registered (customers import)");
                return Ok(ExitCode::from(1));
            }
        },
        None => screener.rate_all_customers("on demand")?,
    };
    screener.checkpoint_audit()?;
    match format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&ratings)?),
        Format::Table => {
            for r in &ratings {
                println!("{}  {}", r.customer_id, r.explain());
                if customer.is_some() {
                    for f in &r.factors {
                        println!(
                            "  {:<32} grade {:>3} × share {:>5.3} = {:>5.1}  {}",
                            f.factor, f.grade, f.share, f.contribution, f.why
                        );
                    }
                }
            }
            let count = |l: amlscreen::RiskLevel| ratings.iter().filter(|r| r.level == l).count();
            println!(
                "{} rated: {} high, {} medium, {} low",
                ratings.len(),
                count(amlscreen::RiskLevel::High),
                count(amlscreen::RiskLevel::Medium),
                count(amlscreen::RiskLevel::Low)
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
