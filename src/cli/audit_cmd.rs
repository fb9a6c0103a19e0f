//! `amlscreen audit verify`: recompute the keyed chain of an audit file or
//! of its whole rotated set, and check its checkpoints.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Subcommand;

use super::{CliResult, GlobalArgs};
use amlscreen::audit::{default_key_path, verify_set_with, AuditKey, SetVerification};
use amlscreen::Config;

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Recompute the chain under its key and check the checkpoints; report
    /// OK or the first bad record (file and line). When FILE has rotated
    /// siblings (FILE.000001, FILE.000002, …) they are checked first, in
    /// order, as one chain ending in FILE. Exits 1 for a broken chain, and
    /// for one that ends in unkeyed (older) records, whose rewrite could
    /// not be detected.
    Verify {
        /// The (live) audit file.
        file: PathBuf,
        /// The chain key file. Default: the config's `audit.key_file` when
        /// the config's audit path is FILE, else FILE.key when it exists.
        #[arg(long, value_name = "KEY_FILE")]
        key: Option<PathBuf>,
    },
}

pub fn run(global: &GlobalArgs, cmd: AuditCommand) -> CliResult {
    match cmd {
        AuditCommand::Verify { file, key } => {
            let key_file = match key {
                Some(key) => Some(key),
                None => configured_key(global, &file)?,
            };
            let key = key_file.as_deref().map(AuditKey::load).transpose()?;
            report(verify_set_with(&file, key.as_ref())?, key_file.as_deref())
        }
    }
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
