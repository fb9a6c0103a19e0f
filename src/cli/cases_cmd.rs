//! `amlscreen cases …` and `amlscreen customers …`: the reviewers' work on
//! the case store named by the config's `store:`. Every change is stored
//! and appended to the audit chain together (the process is the store's
//! and the log's one writer while it runs); reads open the store read-only
//! and take no lock, so they work beside a screening process.

use std::process::ExitCode;

use chrono::{DateTime, NaiveDate, Utc};
use clap::{Subcommand, ValueEnum};

use super::{CliResult, GlobalArgs};
use amlscreen::cases::{Case, CaseFilter, CaseStatus, CustomerStatus, Outcome, StaffAction};
use amlscreen::Screener;

/// How a command prints what it read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum Format {
    /// A readable table (default).
    #[default]
    Table,
    /// One JSON document, for scripts.
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StatusArg {
    Open,
    InReview,
    Closed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutcomeArg {
    /// Not the listed subject: released; its name hits are cleared for this subject.
    FalsePositive,
    /// The hit stands: stays blocked.
    Confirmed,
    /// The hit stands and a report to the financial-intelligence unit is due.
    Reported,
    /// Passed up for a senior decision: stays in review.
    Escalated,
}

#[derive(Debug, Subcommand)]
pub enum CasesCommand {
    /// List cases, newest first.
    List {
        /// Only cases in this status.
        #[arg(long, value_enum)]
        status: Option<StatusArg>,
        /// Only this customer's cases.
        #[arg(long, value_name = "ID")]
        customer: Option<String>,
        /// Only cases opened on or after this date (YYYY-MM-DD or RFC 3339).
        #[arg(long, value_name = "DATE", value_parser = parse_time)]
        since: Option<DateTime<Utc>>,
        /// At most this many.
        #[arg(long, default_value_t = 200)]
        limit: usize,
        /// `table` (default) or `json`.
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// Show one case: the decision, each reason with its name alignment,
    /// the list entries as printed, the staff actions and the customer's
    /// earlier cases.
    Show {
        /// Case number.
        case: u64,
        /// `table` (default) or `json`.
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// Take an open case into review (status `in_review`; stored and
    /// appended to the audit chain).
    Review {
        /// Case number.
        case: u64,
        /// Who takes it.
        #[arg(long, value_name = "ID")]
        reviewer: String,
        /// Why, or what will be checked.
        #[arg(long, value_name = "TEXT")]
        note: String,
    },
    /// Resolve a case (stored and appended to the audit chain).
    Resolve {
        /// Case number.
        case: u64,
        /// What was decided.
        #[arg(long, value_enum)]
        outcome: OutcomeArg,
        /// Who decided.
        #[arg(long, value_name = "ID")]
        reviewer: String,
        /// Why.
        #[arg(long, value_name = "TEXT")]
        note: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum CustomersCommand {
    /// A customer's status and cases.
    Show {
        /// Customer id.
        customer: String,
        /// `table` (default) or `json`.
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// Register customers from a file (JSON lines, or CSV by its `.csv`
    /// extension) and screen each new or changed one against every loaded
    /// list: a hit opens a case. A bad row is an error naming its line and
    /// field; the file is imported all or nothing unless --skip-bad.
    Import {
        /// The customer file.
        file: std::path::PathBuf,
        /// Import the good rows and list each bad one skipped.
        #[arg(long)]
        skip_bad: bool,
        /// `table` (default) or `json`.
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// Screen the registered customers again because the lists changed:
    /// only the entries added or changed since the last screen (the
    /// default), or every entry (--full).
    Rescreen {
        /// Every customer against every entry.
        #[arg(long)]
        full: bool,
        /// Draw a progress bar on stderr even when it is not a terminal.
        #[arg(long)]
        progress: bool,
        /// `table` (default) or `json`.
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// Rate a registered customer (or every one) with the rule files'
    /// customer risk model: each factor's grade, share and why; kept in the
    /// store and appended to the audit chain.
    Rate {
        /// Customer id (every registered customer when left out).
        customer: Option<String>,
        /// `table` (default) or `json`.
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// Freeze the account: every transaction blocked.
    Freeze(StatusArgs),
    /// Lift a freeze (or enhanced due diligence): screened as usual.
    Unfreeze(StatusArgs),
    /// Enhanced due diligence: every outgoing transfer held.
    Enhance(StatusArgs),
}

#[derive(Debug, clap::Args)]
pub struct StatusArgs {
    /// Customer id.
    customer: String,
    /// Who decided.
    #[arg(long, value_name = "ID")]
    reviewer: String,
    /// Why.
    #[arg(long, value_name = "TEXT")]
    note: String,
}

/// `2026-12-01` (midnight UTC) or an RFC 3339 time.
pub fn parse_time(text: &str) -> Result<DateTime<Utc>, String> {
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Ok(t.with_timezone(&Utc));
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc())
        .ok_or_else(|| format!("'{text}' is not a date (YYYY-MM-DD) or an RFC 3339 time"))
}

/// The screener a reviewer's action goes through: the store's and the
/// audit log's writer. Refused without an audit log: every staff action is
/// chained.
pub(super) fn reviewer(global: &GlobalArgs) -> Result<Screener, Box<dyn std::error::Error>> {
    let config = global.load_config()?;
    if config.audit.is_none() {
        return Err(format!(
            "{}: no `audit:` section: a staff action must be appended to the audit chain; \
             configure the audit log first",
            global.config.display()
        )
        .into());
    }
    Ok(Screener::for_review(&config)?)
}

/// A screener that only reads the store (no lock: works beside a
/// screening process).
fn reader(global: &GlobalArgs) -> Result<Screener, Box<dyn std::error::Error>> {
    let config = global.load_config()?;
    Ok(Screener::for_reading(&config)?)
}

pub fn run_cases(global: &GlobalArgs, cmd: CasesCommand) -> CliResult {
    match cmd {
        CasesCommand::List {
            status,
            customer,
            since,
            limit,
            format,
        } => {
            let screener = reader(global)?;
            let cases = screener.cases(&CaseFilter {
                status: status.map(|s| match s {
                    StatusArg::Open => CaseStatus::Open,
                    StatusArg::InReview => CaseStatus::InReview,
                    StatusArg::Closed => CaseStatus::Closed,
                }),
                customer_id: customer,
                since,
                limit: Some(limit),
            })?;
            match format {
                Format::Json => println!("{}", serde_json::to_string_pretty(&cases)?),
                Format::Table => print_case_table(&cases),
            }
            Ok(ExitCode::SUCCESS)
        }
        CasesCommand::Show { case, format } => {
            let screener = reader(global)?;
            let Some(found) = screener.case(case)? else {
                eprintln!("amlscreen: there is no case {case}");
                return Ok(ExitCode::from(1));
            };
            let earlier: Vec<Case> = screener
                .cases(&CaseFilter {
                    customer_id: Some(found.customer_id().to_owned()),
                    ..CaseFilter::default()
                })?
                .into_iter()
                .filter(|c| c.id != found.id)
                .collect();
            match format {
                Format::Json => println!(
                    "{}",
                    serde_json::to_string_pretty(&serde_json::json!({
                        "case": found,
                        "customer_cases": earlier,
                    }))?
                ),
                Format::Table => print_case(&found, &earlier),
            }
            Ok(ExitCode::SUCCESS)
        }
        CasesCommand::Review {
            case,
            reviewer,
            note,
        } => {
            let screener = self::reviewer(global)?;
            let action = screener.review_case(case, &reviewer, &note)?;
            println!("{}", action_line(&action));
            screener.checkpoint_audit()?;
            Ok(ExitCode::SUCCESS)
        }
        CasesCommand::Resolve {
            case,
            outcome,
            reviewer,
            note,
        } => {
            let outcome = match outcome {
                OutcomeArg::FalsePositive => Outcome::FalsePositive,
                OutcomeArg::Confirmed => Outcome::Confirmed,
                OutcomeArg::Reported => Outcome::Reported,
                OutcomeArg::Escalated => Outcome::Escalated,
            };
            let screener = self::reviewer(global)?;
            let actions = screener.resolve_case(case, outcome, &reviewer, &note)?;
            for a in &actions {
                println!("{}", action_line(a));
            }
            screener.checkpoint_audit()?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

pub fn run_customers(global: &GlobalArgs, cmd: CustomersCommand) -> CliResult {
    let (args, status) = match cmd {
        CustomersCommand::Import {
            file,
            skip_bad,
            format,
        } => return super::customers_cmd::import(global, &file, skip_bad, format),
        CustomersCommand::Rescreen {
            full,
            progress,
            format,
        } => return super::customers_cmd::rescreen(global, full, progress, format),
        CustomersCommand::Rate { customer, format } => {
            return super::customers_cmd::rate(global, customer.as_deref(), format)
        }
        CustomersCommand::Show { customer, format } => {
            let screener = reader(global)?;
            let record = screener.customer(&customer)?;
            let profile = screener.registered_customer(&customer)?;
            let rating = screener.customer_rating(&customer)?;
            let cases = screener.cases(&CaseFilter {
                customer_id: Some(customer.clone()),
                ..CaseFilter::default()
            })?;
            match format {
                Format::Json => println!(
                    "{}",
                    serde_json::to_string_pretty(&serde_json::json!({
                        "customer": record,
                        "profile": profile,
                        "rating": rating,
                        "cases": cases,
                    }))?
                ),
                Format::Table => {
                    println!("customer  {}", record.customer_id);
                    println!("status    {}", record.status);
                    if let Some(since) = record.since {
                        println!("since     {}", since.to_rfc3339());
                    }
                    if let Some(r) = &record.reviewer {
                        println!("by        {r}");
                    }
                    if let Some(c) = record.case {
                        println!("case      {c}");
                    }
                    if let Some(n) = &record.note {
                        println!("note      {n}");
                    }
                    match &profile {
                        Some(p) => {
                            println!("names     {}", p.names.join(" | "));
                            if let Some(b) = &p.birth_date {
                                println!("born      {b}");
                            }
                            if !p.nationality.is_empty() {
                                println!("national  {}", p.nationality.join(", "));
                            }
                            if p.pep {
                                println!("pep       self-declared");
                            }
                        }
                        None => println!("profile   not registered (customers import)"),
                    }
                    if let Some(r) = &rating {
                        println!(
                            "risk      {} ({}, {})",
                            r.explain(),
                            r.trigger,
                            r.rated_at.format("%Y-%m-%d %H:%M")
                        );
                    }
                    println!();
                    print_case_table(&cases);
                }
            }
            return Ok(ExitCode::SUCCESS);
        }
        CustomersCommand::Freeze(a) => (a, CustomerStatus::Frozen),
        CustomersCommand::Unfreeze(a) => (a, CustomerStatus::Normal),
        CustomersCommand::Enhance(a) => (a, CustomerStatus::Enhanced),
    };
    let screener = reviewer(global)?;
    let action =
        screener.set_customer_status(&args.customer, status, &args.reviewer, &args.note)?;
    println!("{}", action_line(&action));
    screener.checkpoint_audit()?;
    Ok(ExitCode::SUCCESS)
}

/// `2026-12-01T10:00:00Z r-4 resolved case 17: false_positive — note`.
fn action_line(a: &StaffAction) -> String {
    let what = match &a.what {
        amlscreen::cases::ActionKind::Resolve { outcome } => format!(
            "resolved case {}: {outcome}",
            a.case.map_or("?".into(), |c| c.to_string())
        ),
        amlscreen::cases::ActionKind::Review => format!(
            "took case {} into review",
            a.case.map_or("?".into(), |c| c.to_string())
        ),
        amlscreen::cases::ActionKind::Annotate => format!(
            "noted on case {}",
            a.case.map_or("?".into(), |c| c.to_string())
        ),
        amlscreen::cases::ActionKind::SetStatus { status } => {
            let by = a.case.map_or(String::new(), |c| format!(" (case {c})"));
            format!("set customer {} to {status}{by}", a.customer_id)
        }
    };
    format!("{} {} {what} — {}", a.at.to_rfc3339(), a.reviewer, a.note)
}

fn print_case_table(cases: &[Case]) {
    if cases.is_empty() {
        println!("no cases");
        return;
    }
    println!(
        "{:>6}  {:<10}  {:<15}  {:<6}  {:<20}  {:<16}  {:<24}  reason",
        "case", "status", "outcome", "action", "opened", "customer", "transaction"
    );
    for c in cases {
        let reason = c
            .decision
            .reasons
            .iter()
            .find(|f| f.action >= Some(c.decision.action))
            .or(c.decision.reasons.first())
            .map_or(String::new(), |f| shorten(&f.message, 70));
        println!(
            "{:>6}  {:<10}  {:<15}  {:<6}  {:<20}  {:<16}  {:<24}  {reason}",
            c.id,
            c.status.as_str(),
            c.outcome.map_or("", |o| o.as_str()),
            format!("{:?}", c.decision.action).to_lowercase(),
            c.opened_at.format("%Y-%m-%d %H:%M:%S"),
            shorten(c.customer_id(), 16),
            shorten(&c.transaction.transaction_id, 24),
        );
    }
}

fn print_case(c: &Case, earlier: &[Case]) {
    let t = &c.transaction;
    println!("case {} — {}", c.id, c.status);
    if let Some(o) = c.outcome {
        println!("outcome      {o}");
    }
    println!("opened       {}", c.opened_at.to_rfc3339());
    println!(
        "decision     {} / {} risk, score {} (engine {})",
        format!("{:?}", c.decision.action).to_lowercase(),
        format!("{:?}", c.decision.risk).to_lowercase(),
        c.decision.score,
        c.decision.version
    );
    if let Some(prior) = &c.decision.rescreen_of {
        println!(
            "re-screen of {} decision{} (engine {})",
            format!("{:?}", prior.action).to_lowercase(),
            prior
                .decided_at
                .map_or(String::new(), |t| format!(" of {}", t.to_rfc3339())),
            prior.version
        );
    }
    match t.screening {
        amlscreen::cases::Screening::Transfer => println!(
            "transaction  {} at {}: {} {} {} for customer {}",
            t.transaction_id,
            t.timestamp.to_rfc3339(),
            t.direction,
            t.amount,
            t.currency,
            t.customer_id
        ),
        other => println!(
            "screening    customer {} ({}, {}) at {}",
            t.customer_id,
            other.as_str(),
            t.transaction_id,
            t.timestamp.to_rfc3339()
        ),
    }
    for p in &t.parties {
        let mut parts = vec![p.role.clone()];
        parts.extend(p.name.iter().map(|n| format!("'{n}'")));
        parts.extend(p.kind.iter().cloned());
        parts.extend(p.birth_date.iter().map(|d| format!("born {d}")));
        parts.extend(p.country.iter().map(|c| format!("country {c}")));
        parts.extend(p.wallet.iter().map(|w| format!("wallet {w}")));
        parts.extend(p.account.iter().map(|a| format!("account {a}")));
        parts.extend(p.vasp.iter().map(|v| format!("VASP {v}")));
        parts.extend(p.domain.iter().map(|d| format!("domain {d}")));
        parts.extend(p.ids.iter().cloned());
        println!("  party      {}", parts.join(", "));
    }
    println!("reasons");
    for (i, f) in c.decision.reasons.iter().enumerate() {
        let action = f.action.map_or(String::new(), |a| {
            format!(" [{}]", format!("{a:?}").to_lowercase())
        });
        println!("  {}. {}{action}: {}", i + 1, f.rule_id, f.message);
    }
    if !c.entries.is_empty() {
        println!("list entries (as printed when decided)");
        for e in &c.entries {
            println!("  {} — hit by {} '{}'", e.printed, e.role, e.query);
        }
    }
    println!("actions");
    if c.actions.is_empty() {
        println!("  none yet");
    }
    for a in &c.actions {
        println!("  {}", action_line(a));
    }
    println!("customer's other cases");
    if earlier.is_empty() {
        println!("  none");
    }
    for e in earlier {
        println!(
            "  case {} {} {} {} — {}",
            e.id,
            e.opened_at.format("%Y-%m-%d"),
            format!("{:?}", e.decision.action).to_lowercase(),
            e.status,
            e.outcome.map_or("", |o| o.as_str())
        );
    }
}

fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}
