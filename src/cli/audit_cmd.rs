//! `amlscreen audit verify`: recompute the hash chain.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Subcommand;

use super::CliResult;
use amlscreen::audit::{verify, Verification};

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Recompute the hash chain of an audit file; report OK or the first broken record.
    Verify {
        /// The audit file.
        file: PathBuf,
    },
}

pub fn run(cmd: AuditCommand) -> CliResult {
    match cmd {
        AuditCommand::Verify { file } => match verify(&file)? {
            Verification::Ok { records } => {
                println!("OK: {} records, chain intact", records);
                Ok(ExitCode::SUCCESS)
            }
            Verification::Broken { line, reason } => {
                println!("BROKEN: {}: line {line}: {reason}", file.display());
                Ok(ExitCode::from(1))
            }
        },
    }
}
