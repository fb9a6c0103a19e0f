//! `amlscreen rules check`: validate rule files.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Subcommand;

use super::{CliResult, GlobalArgs};
use amlscreen::rules::RuleSet;

#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// Validate rule files; errors as file:line:column: message.
    Check {
        /// Rule file or directory (default: the config's rules directory).
        path: Option<PathBuf>,
    },
}

pub fn run(global: &GlobalArgs, cmd: RulesCommand) -> CliResult {
    match cmd {
        RulesCommand::Check { path } => {
            let path = match path {
                Some(p) => p,
                None => global.load_config()?.rules,
            };
            match RuleSet::load(&path) {
                Ok(set) => {
                    println!(
                        "OK: {} files, {} platforms",
                        set.files.len(),
                        set.platforms.len()
                    );
                    Ok(ExitCode::SUCCESS)
                }
                Err(errors) => {
                    for e in &errors {
                        println!("{e}");
                    }
                    eprintln!("amlscreen: {} errors", errors.len());
                    Ok(ExitCode::from(1))
                }
            }
        }
    }
}
