//! `amlscreen audit verify`: recompute the keyed chain of an audit file or
//! of its whole rotated set, and check its checkpoints.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Subcommand;

use std::io::Write;

use chrono::{DateTime, Utc};

use super::cases_cmd::parse_time;
use super::{CliResult, GlobalArgs};
use amlscreen::audit::{
    default_key_path, for_each_record, prune_set, verify_set_with, AuditKey, AuditRecord,
    SetVerification,
};
use amlscreen::{AuditConfig, Config, Screener};

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Recompute the chain under its key and check the checkpoints; report
    /// OK or the first bad record (file and line). When FILE has rotated
    /// siblings (FILE.000001, FILE.000002, …) they are checked first, in
    /// order, as one chain ending in FILE. Exits 1 for a broken chain, and
    /// for one that ends in unkeyed (older) records, whose rewrite could
    /// not be detected. Several FILEs (one chain per instance) are each
    /// checked under their own key, and must name distinct instances
    /// (`audit.instance`), each chain only its own.
    Verify {
        /// The (live) audit file of each instance.
        #[arg(required = true, num_args = 1..)]
        files: Vec<PathBuf>,
        /// The chain key file (one FILE only). Default: the config's
        /// `audit.key_file` when the config's audit path is FILE, else
        /// FILE.key when it exists.
        #[arg(long, value_name = "KEY_FILE")]
        key: Option<PathBuf>,
    },
    /// Every decision and staff action on one transaction, in chain order.
    Show {
        /// The transaction id.
        transaction: String,
        /// The audit file (default: the config's `audit.path`).
        #[arg(long, value_name = "FILE")]
        file: Option<PathBuf>,
    },
    /// The records made between two dates, for an auditor or regulator.
    Export {
        /// First day (YYYY-MM-DD, from its midnight UTC) or RFC 3339 time.
        #[arg(long, value_name = "DATE", value_parser = parse_time)]
        from: DateTime<Utc>,
        /// Day after the last (YYYY-MM-DD) or RFC 3339 time; exclusive.
        #[arg(long, value_name = "DATE", value_parser = parse_time)]
        to: DateTime<Utc>,
        /// `jsonl` (the records as written) or `csv` (one row each).
        #[arg(long, value_enum, default_value_t = ExportFormat::Jsonl)]
        format: ExportFormat,
        /// The audit file (default: the config's `audit.path`); repeat it
        /// for several instances' chains, merged in time order (each record
        /// names its instance).
        #[arg(long = "file", value_name = "FILE")]
        files: Vec<PathBuf>,
    },
    /// Remove closed cases and whole rotated audit files older than DATE —
    /// never anything younger than the configured retention (`audit.retention`,
    /// default 10 years). Leaves sealed anchors, so `audit verify` still
    /// passes on what remains.
    Prune {
        /// Remove what is older than this (YYYY-MM-DD or RFC 3339).
        #[arg(long, value_name = "DATE", value_parser = parse_time)]
        before: DateTime<Utc>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    /// The records as written, one per line.
    Jsonl,
    /// One row per record: seq, time, kind, transaction, customer, action, risk, score, case, engine, detail, instance.
    Csv,
}

pub fn run(global: &GlobalArgs, cmd: AuditCommand) -> CliResult {
    match cmd {
        AuditCommand::Verify { files, key } => {
            if files.len() == 1 {
                let file = &files[0];
                let key_file = match key {
                    Some(key) => Some(key),
                    None => configured_key(global, file)?,
                };
                let key = key_file.as_deref().map(AuditKey::load).transpose()?;
                return report(verify_set_with(file, key.as_ref())?, key_file.as_deref());
            }
            if key.is_some() {
                return Err("--key names one chain's key: with several files each is \
                            checked under its own (FILE.key, or the config's audit.key_file)"
                    .into());
            }
            verify_instances(global, &files)
        }
        AuditCommand::Show { transaction, file } => {
            let file = audit_file(global, file)?;
            let mut found = 0usize;
            for_each_record(&file, |_, _, record| {
                if record.transaction_id == transaction {
                    found += 1;
                    println!("{}", describe(&record));
                }
                Ok(())
            })?;
            if found == 0 {
                eprintln!(
                    "amlscreen: no record of transaction '{transaction}' in {}",
                    file.display()
                );
                return Ok(ExitCode::from(1));
            }
            Ok(ExitCode::SUCCESS)
        }
        AuditCommand::Export {
            from,
            to,
            format,
            files,
        } => {
            let files = match files.len() {
                0 => vec![audit_file(global, None)?],
                _ => files,
            };
            export(&files, from, to, format)
        }
        AuditCommand::Prune { before } => {
            let config = global.load_config()?;
            if config.audit.is_none() && config.store.is_none() {
                return Err(
                    "the config has neither `audit:` nor `store:`: nothing to prune".into(),
                );
            }
            let now = Utc::now();
            let retention = config
                .audit
                .as_ref()
                .map_or(AuditConfig::new("").retention, |a| a.retention);
            let default_retention = AuditConfig::new("").retention;
            if retention < default_retention {
                eprintln!(
                    "amlscreen: warning: audit.retention is {} days, shorter than the {} days \
                     (10 years) the policy asks records to be kept",
                    retention.num_days(),
                    default_retention.num_days()
                );
            }
            let oldest = now - retention;
            if before > oldest {
                return Err(format!(
                    "nothing younger than the retention ({} days, audit.retention) is removed: \
                     --before {} is after {}",
                    retention.num_days(),
                    before.to_rfc3339(),
                    oldest.to_rfc3339()
                )
                .into());
            }
            // the store is opened (and locked) first: a store that cannot be
            // written stops the prune before any audit file is removed
            let reviewer = match &config.store {
                Some(_) => Some(Screener::for_review(&without_audit(&config))?),
                None => None,
            };
            if let Some(audit) = &config.audit {
                let key_file = audit
                    .key_file
                    .clone()
                    .unwrap_or_else(|| default_key_path(&audit.path));
                let key = AuditKey::load(&key_file)?;
                let report = prune_set(&audit.path, &key, before, audit.retention, now)?;
                println!(
                    "audit: removed {} file(s){}",
                    report.removed.len(),
                    if report.through_seq > 0 {
                        format!(
                            " (records 1–{}; sealed anchors keep the rest verifiable)",
                            report.through_seq
                        )
                    } else {
                        String::new()
                    }
                );
                for f in &report.removed {
                    println!("  {}", f.display());
                }
            }
            if let Some(reviewer) = reviewer {
                let p = reviewer.desk().store().prune(before)?;
                println!(
                    "cases: removed {} closed case(s), {} decision(s), {} lapsed suppression(s)",
                    p.cases, p.decisions, p.suppressions
                );
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// The config without its audit section: the prune opens the store
/// through it, while the audit set is pruned (and locked) on its own.
fn without_audit(config: &Config) -> Config {
    let mut c = config.clone();
    c.audit = None;
    c
}

/// The records of `files` (one chain each) decided in `[from, to)`, in
/// time order (then by file and chain position), as JSON lines or CSV.
/// One chain is in order already and is streamed; several are gathered and
/// merged.
fn export(
    files: &[PathBuf],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    format: ExportFormat,
) -> CliResult {
    let stdout = std::io::stdout();
    let mut json = None;
    let mut csv_out = None;
    match format {
        ExportFormat::Jsonl => json = Some(std::io::BufWriter::new(stdout.lock())),
        ExportFormat::Csv => {
            let mut w = csv::Writer::from_writer(stdout.lock());
            w.write_record([
                "seq",
                "at",
                "kind",
                "transaction",
                "customer",
                "action",
                "risk",
                "score",
                "case",
                "engine",
                "detail",
                "instance",
            ])?;
            csv_out = Some(w);
        }
    }
    let mut write = |record: &AuditRecord| -> Result<(), String> {
        if let Some(out) = &mut json {
            let line = serde_json::to_string(record).map_err(|e| e.to_string())?;
            writeln!(out, "{line}").map_err(|e| e.to_string())?;
        }
        if let Some(w) = &mut csv_out {
            let mut row = csv_row(record);
            row.push(record.instance.clone().unwrap_or_default());
            w.write_record(row).map_err(|e| e.to_string())?;
        }
        Ok(())
    };
    let in_range = |r: &AuditRecord| r.decided_at >= from && r.decided_at < to;
    let mut failure: Option<String> = None;
    if let [file] = files {
        for_each_record(file, |_, _, record| {
            if failure.is_none() && in_range(&record) {
                failure = write(&record).err();
            }
            Ok(())
        })?;
    } else {
        let mut records: Vec<(usize, AuditRecord)> = Vec::new();
        for (i, file) in files.iter().enumerate() {
            for_each_record(file, |_, _, record| {
                if in_range(&record) {
                    records.push((i, record));
                }
                Ok(())
            })?;
        }
        records.sort_by(|(a, ra), (b, rb)| {
            (ra.decided_at, a, ra.seq).cmp(&(rb.decided_at, b, rb.seq))
        });
        for (_, record) in &records {
            if let Err(e) = write(record) {
                failure = Some(e);
                break;
            }
        }
    }
    if let Some(e) = failure {
        return Err(e.into());
    }
    if let Some(mut out) = json {
        out.flush()?;
    }
    if let Some(mut w) = csv_out {
        w.flush()?;
    }
    Ok(ExitCode::SUCCESS)
}

/// `audit verify` of several instances' chains: each under its own key,
/// then that each names one instance and no two the same.
fn verify_instances(global: &GlobalArgs, files: &[PathBuf]) -> CliResult {
    let mut failed = false;
    let mut owners: std::collections::BTreeMap<String, &Path> = std::collections::BTreeMap::new();
    for file in files {
        println!("{}:", file.display());
        let key_file = configured_key(global, file)?;
        let key = key_file.as_deref().map(AuditKey::load).transpose()?;
        let code = report(verify_set_with(file, key.as_ref())?, key_file.as_deref())?;
        failed |= code != ExitCode::SUCCESS;
        let mut names = std::collections::BTreeSet::new();
        let mut unnamed = 0u64;
        for_each_record(file, |_, _, record| {
            match record.instance {
                Some(name) => {
                    names.insert(name);
                }
                None => unnamed += 1,
            }
            Ok(())
        })?;
        let name = match names.len() {
            0 => {
                println!(
                    "FAIL: no record names its instance (audit.instance): this chain cannot be \
                     told apart from the others"
                );
                failed = true;
                continue;
            }
            1 => names.into_iter().next().unwrap_or_default(),
            _ => {
                let all: Vec<String> = names.into_iter().collect();
                println!(
                    "FAIL: records name several instances ({}): one chain is one instance's",
                    all.join(", ")
                );
                failed = true;
                continue;
            }
        };
        if unnamed > 0 {
            println!(
                "note: {unnamed} records (written before audit.instance was set) name no instance"
            );
        }
        match owners.get(&name) {
            Some(other) => {
                println!(
                    "FAIL: instance '{name}' also wrote {}: two instances share a name",
                    other.display()
                );
                failed = true;
            }
            None => {
                println!("instance: {name}");
                owners.insert(name, file);
            }
        }
    }
    if failed {
        return Ok(ExitCode::from(1));
    }
    println!(
        "OK: {} instance chains, each intact under its own key: {}",
        files.len(),
        owners.keys().cloned().collect::<Vec<_>>().join(", ")
    );
    Ok(ExitCode::SUCCESS)
}

/// The audit file a command reads: the one given, else the config's.
fn audit_file(
    global: &GlobalArgs,
    file: Option<PathBuf>,
) -> Result<PathBuf, Box<dyn std::error::Error>> {
    if let Some(f) = file {
        return Ok(f);
    }
    let config = global.load_config()?;
    match config.audit {
        Some(a) => Ok(a.path),
        None => Err(format!(
            "{}: no `audit:` section; pass --file",
            global.config.display()
        )
        .into()),
    }
}

/// One record for a reader: time, seq, what it was.
fn describe(r: &AuditRecord) -> String {
    let head = format!("#{} {}", r.seq, r.decided_at.to_rfc3339());
    if let Some(d) = &r.decision {
        let case = d.case.map_or(String::new(), |c| format!(", case {c}"));
        let again = d.rescreen_of.as_ref().map_or(String::new(), |p| {
            format!(
                ", re-screen of the {} decision{} (engine {})",
                format!("{:?}", p.action).to_lowercase(),
                p.decided_at
                    .map_or(String::new(), |t| format!(" of {}", t.to_rfc3339())),
                p.version
            )
        });
        let mut out = format!(
            "{head} decision: {} / {} risk, score {}{case}{again} (engine {})",
            format!("{:?}", d.action).to_lowercase(),
            format!("{:?}", d.risk).to_lowercase(),
            d.score,
            d.version
        );
        for f in &d.reasons {
            out.push_str(&format!("\n    - {}: {}", f.rule_id, f.message));
        }
        return out;
    }
    if let Some(refused) = &r.refused {
        return format!("{head} refused ({}): {}", refused.field, refused.reason);
    }
    if let Some(staff) = &r.staff {
        let who = staff["reviewer"].as_str().unwrap_or("?");
        let note = staff["note"].as_str().unwrap_or("");
        let what = match staff["kind"].as_str() {
            Some("resolve") => format!(
                "resolved case {} as {}",
                staff["case"],
                staff["outcome"].as_str().unwrap_or("?")
            ),
            Some("review") => format!("took case {} into review", staff["case"]),
            Some("set_status") => format!(
                "set customer {} to {}",
                staff["customer_id"].as_str().unwrap_or("?"),
                staff["status"].as_str().unwrap_or("?")
            ),
            _ => staff.to_string(),
        };
        return format!("{head} staff action by {who}: {what} — {note}");
    }
    format!("{head} (empty record)")
}

fn csv_row(r: &AuditRecord) -> Vec<String> {
    let (kind, action, risk, score, case, engine, detail) = if let Some(d) = &r.decision {
        (
            "decision",
            format!("{:?}", d.action).to_lowercase(),
            format!("{:?}", d.risk).to_lowercase(),
            d.score.to_string(),
            d.case.map_or(String::new(), |c| c.to_string()),
            d.version.clone(),
            d.reasons
                .iter()
                .map(|f| f.message.as_str())
                .collect::<Vec<_>>()
                .join(" | "),
        )
    } else if let Some(refused) = &r.refused {
        (
            "refused",
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            refused.reason.clone(),
        )
    } else if let Some(staff) = &r.staff {
        (
            "staff",
            staff["kind"].as_str().unwrap_or("").to_owned(),
            String::new(),
            String::new(),
            staff["case"]
                .as_u64()
                .map_or(String::new(), |c| c.to_string()),
            String::new(),
            staff.to_string(),
        )
    } else {
        (
            "empty",
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
        )
    };
    vec![
        r.seq.to_string(),
        r.decided_at.to_rfc3339(),
        kind.to_owned(),
        r.transaction_id.clone(),
        r.customer_id.clone().unwrap_or_default(),
        action,
        risk,
        score,
        case,
        engine,
        detail,
    ]
}

/// The key file the config names for `file`, else `file.key` if it exists.
fn configured_key(
    global: &GlobalArgs,
    file: &Path,
) -> Result<Option<PathBuf>, Box<dyn std::error::Error>> {
    if global.config.exists() {
        let config = Config::load(&global.config)?;
        if let Some(audit) = config.audit {
            let same = |a: &Path, b: &Path| match (a.canonicalize(), b.canonicalize()) {
                (Ok(a), Ok(b)) => a == b,
                _ => a == b,
            };
            if let (Some(key_file), true) = (audit.key_file, same(&audit.path, file)) {
                return Ok(Some(key_file));
            }
        }
    }
    let beside = default_key_path(file);
    Ok(std::fs::symlink_metadata(&beside).is_ok().then_some(beside))
}

fn report(verification: SetVerification, key_file: Option<&Path>) -> CliResult {
    match verification {
        SetVerification::Ok {
            files,
            records,
            unkeyed_records,
            checkpoints,
            pruned_records,
            ..
        } => {
            let in_files = if files.len() > 1 {
                format!(" in {} files", files.len())
            } else {
                String::new()
            };
            let key = key_file.map_or(String::new(), |k| format!(" (key {})", k.display()));
            let held = match checkpoints {
                1 => "1 checkpoint holds".to_owned(),
                n => format!("{n} checkpoints hold"),
            };
            println!("OK: {records} records{in_files}, chain intact and keyed{key}, {held}");
            if pruned_records > 0 {
                println!(
                    "note: records 1–{pruned_records} were removed by `audit prune`; a sealed anchor vouches for where the chain resumes"
                );
            }
            if unkeyed_records > 0 {
                println!(
                    "note: the first {unkeyed_records} records are unkeyed (written before the chain was keyed); \
                     the keyed records after them pin them"
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        SetVerification::Unkeyed { records, .. } => {
            println!(
                "UNKEYED: {records} records, chain intact but unkeyed (plain SHA-256): \
                 cannot detect rewrites; appending with this version keys it from there on"
            );
            Ok(ExitCode::from(1))
        }
        SetVerification::Broken { file, line, reason } => {
            println!("BROKEN: {}: line {line}: {reason}", file.display());
            Ok(ExitCode::from(1))
        }
        other => Err(format!("unexpected verification result {other:?}").into()),
    }
}
