//! `amlscreen rules check` (validate rule files) and `amlscreen rules test`
//! (run the tests the rule files carry).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Subcommand;

use super::{CliResult, GlobalArgs};
use amlscreen::{run_rule_tests, RuleSet};

#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// Validate rule files; errors as file:line:column: message.
    Check {
        /// Rule file or directory (default: the config's rules directory).
        path: Option<PathBuf>,
    },
    /// Run the `tests:` of the rule files: pass/fail per test, the actual
    /// decision on failure; exit 1 on any failure.
    Test {
        /// Rule file or directory (default: the config's rules directory).
        /// Tests run against every rule of the directory.
        path: Option<PathBuf>,
    },
}

fn load(
    global: &GlobalArgs,
    path: Option<PathBuf>,
) -> Result<Result<RuleSet, ExitCode>, Box<dyn std::error::Error>> {
    let path = match path {
        Some(p) => p,
        None => global.load_config()?.rules,
    };
    let loaded = RuleSet::load(&path).map_err(|errors| {
        for e in &errors {
            println!("{e}");
        }
        let n = errors.len();
        eprintln!("amlscreen: {n} error{}", if n == 1 { "" } else { "s" });
        ExitCode::from(1)
    });
    if let Ok(set) = &loaded {
        for w in set.warnings() {
            println!("warning: {w}");
        }
    }
    Ok(loaded)
}

pub fn run(global: &GlobalArgs, cmd: RulesCommand) -> CliResult {
    match cmd {
        RulesCommand::Check { path } => match load(global, path)? {
            Ok(set) => {
                println!(
                    "OK: {} files, {} rules, {} tests, {} platforms",
                    set.files().len(),
                    set.rules().len(),
                    set.tests().len(),
                    set.platforms().len()
                );
                Ok(ExitCode::SUCCESS)
            }
            Err(code) => Ok(code),
        },
        RulesCommand::Test { path } => {
            let set = match load(global, path)? {
                Ok(set) => set,
                Err(code) => return Ok(code),
            };
            let outcomes = run_rule_tests(&set);
            let mut failed = 0;
            for o in &outcomes {
                if o.passed() {
                    println!("PASS {} ({})", o.name, o.defined_at);
                } else {
                    failed += 1;
                    println!("FAIL {} ({})", o.name, o.defined_at);
                    for f in &o.failures {
                        println!("     {f}");
                    }
                    if let Some(d) = &o.decision {
                        println!("     actual decision: {}", serde_json::to_string(d)?);
                    }
                }
            }
            println!(
                "{} tests: {} passed, {failed} failed",
                outcomes.len(),
                outcomes.len() - failed
            );
            Ok(if failed > 0 {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            })
        }
    }
}
