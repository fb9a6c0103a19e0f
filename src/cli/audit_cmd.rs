//! `amlscreen audit verify`: recompute the hash chain of an audit file or
//! of its whole rotated set.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Subcommand;

use super::CliResult;
use amlscreen::audit::{verify_set, SetVerification};

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Recompute the hash chain; report OK or the first broken record. When
    /// FILE has rotated siblings (FILE.000001, FILE.000002, …) they are
    /// checked first, in order, as one chain ending in FILE.
    Verify {
        /// The (live) audit file.
        file: PathBuf,
    },
}

pub fn run(cmd: AuditCommand) -> CliResult {
    match cmd {
        AuditCommand::Verify { file } => match verify_set(&file)? {
            SetVerification::Ok { files, records } => {
                if files.len() > 1 {
                    println!(
                        "OK: {records} records in {} files, chain intact",
                        files.len()
                    );
                } else {
                    println!("OK: {records} records, chain intact");
                }
                Ok(ExitCode::SUCCESS)
            }
            SetVerification::Broken { file, line, reason } => {
                println!("BROKEN: {}: line {line}: {reason}", file.display());
                Ok(ExitCode::from(1))
            }
            other => Err(format!("unexpected verification result {other:?}").into()),
        },
    }
}
