//! Every flag of the `amlscreen` command, with its help text beside it.
//! Each command lives in its own module and only calls the library.

use std::io::{self, BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use amlscreen::lists::ListSpec;
use amlscreen::Config;

mod audit_cmd;
mod cases_cmd;
mod customers_cmd;
mod eval_cmd;
mod lists_cmd;
mod match_cmd;
mod report_cmd;
mod rules_cmd;
mod screen_cmd;
mod serve_cmd;
mod update_cmd;

/// Embeddable AML/KYT transaction screening: sanctions lists, fuzzy names,
/// forbidden platforms, behaviour rules, hash-chained audit trail.
#[derive(Debug, Parser)]
#[command(name = "amlscreen", version, about)]
struct Cli {
    #[command(flatten)]
    global: GlobalArgs,
    #[command(subcommand)]
    command: Command,
}

/// Options every command takes.
#[derive(Debug, Args, Clone)]
pub struct GlobalArgs {
    /// Config file: lists, rules directory, audit log, thresholds.
    #[arg(
        long,
        global = true,
        default_value = "amlscreen.yaml",
        value_name = "FILE"
    )]
    pub config: PathBuf,
    /// A list to load instead of the config's lists (repeatable), e.g.
    /// `--list un_xml=consolidated.xml`. Kinds: ofac_sdn_xml, ofac_sdn_csv,
    /// eu_fsf_xml, un_xml, uk_xml, uk_conlist_csv, nsdc_json, watchlist, ftm_json, ofac_crypto_json.
    /// The config's lists it replaces are named on stderr; `--add-list`
    /// loads a list beside them instead.
    #[arg(long = "list", global = true, value_name = "KIND=PATH")]
    pub lists: Vec<ListSpec>,
    /// A list to load beside the config's lists (or the `--list` ones),
    /// repeatable, e.g. `--add-list watchlist=internal.csv`.
    #[arg(long = "add-list", global = true, value_name = "KIND=PATH")]
    pub add_lists: Vec<ListSpec>,
}

impl GlobalArgs {
    /// The config file with `--list` and `--add-list` flags applied.
    pub fn load_config(&self) -> Result<Config, amlscreen::Error> {
        let mut config = Config::load(&self.config)?;
        if !self.lists.is_empty() || !self.add_lists.is_empty() {
            config.lists = self.effective_lists(Some(&config.lists));
            // a list cache caches the config's lists, not these
            config.list_cache = None;
        }
        Ok(config)
    }

    /// The lists to load: `--list` ones in place of `configured` (each
    /// configured list so dropped is named on stderr, so that none goes
    /// silently), then the `--add-list` ones.
    pub fn effective_lists(&self, configured: Option<&[ListSpec]>) -> Vec<ListSpec> {
        let mut lists = match (self.lists.is_empty(), configured) {
            (true, Some(configured)) => configured.to_vec(),
            (true, None) => Vec::new(),
            (false, configured) => {
                let dropped: Vec<String> = configured
                    .unwrap_or_default()
                    .iter()
                    .filter(|c| !self.lists.iter().any(|l| same_list(l, c)))
                    .map(|c| format!("{}={}", c.source.name(), c.path.display()))
                    .collect();
                if !dropped.is_empty() {
                    eprintln!(
                        "amlscreen: --list replaces the config's lists; not loaded: {} \
                         (use --add-list KIND=PATH to load a list beside them)",
                        dropped.join(", ")
                    );
                }
                self.lists.clone()
            }
        };
        lists.extend(self.add_lists.iter().cloned());
        lists
    }
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Screen transactions (JSON lines): one decision per input line, in order.
    Screen(screen_cmd::ScreenArgs),
    /// Validate and test rule files.
    #[command(subcommand)]
    Rules(rules_cmd::RulesCommand),
    /// The audit trail: verify, show a transaction's records, export, prune.
    #[command(subcommand)]
    Audit(audit_cmd::AuditCommand),
    /// Review cases: list, show, resolve (the config's `store:`).
    #[command(subcommand)]
    Cases(cases_cmd::CasesCommand),
    /// Customers: import and re-screen the registry, rate, show, freeze,
    /// unfreeze, enhance.
    #[command(subcommand)]
    Customers(cases_cmd::CustomersCommand),
    /// Reports over the case store: key risk indicators.
    #[command(subcommand)]
    Report(report_cmd::ReportCommand),
    /// Screen names (JSON lines) against the lists: hits per name, best first.
    Match(match_cmd::MatchArgs),
    /// Score pairs of names (JSON lines {"id","a","b","kind"?}).
    Compare(match_cmd::CompareArgs),
    /// Measure matching quality on labelled query and pair files.
    Eval(eval_cmd::EvalArgs),
    /// Inspect the sanctions lists (versions, hashes, counts) and update them.
    #[command(subcommand)]
    Lists(lists_cmd::ListsCommand),
    /// Run the HTTP service: /v1 endpoints, /openapi.json, /metrics, the
    /// review page at /ui.
    Serve(serve_cmd::ServeArgs),
    /// API tokens for the service: `token new` prints a token and the
    /// config lines that admit it.
    #[command(subcommand)]
    Token(serve_cmd::TokenCommand),
}

/// Parses flags, runs the command, maps the outcome to an exit code:
/// 0 success, 1 a failure the command reports (bad lines, failed checks),
/// 2 the command could not run (bad flags, unreadable config).
pub fn run() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Screen(args) => screen_cmd::run(&cli.global, args),
        Command::Rules(cmd) => rules_cmd::run(&cli.global, cmd),
        Command::Audit(cmd) => audit_cmd::run(&cli.global, cmd),
        Command::Cases(cmd) => cases_cmd::run_cases(&cli.global, cmd),
        Command::Customers(cmd) => cases_cmd::run_customers(&cli.global, cmd),
        Command::Report(cmd) => report_cmd::run(&cli.global, cmd),
        Command::Match(args) => match_cmd::run_match(&cli.global, args),
        Command::Compare(args) => match_cmd::run_compare(&cli.global, args),
        Command::Eval(args) => eval_cmd::run(&cli.global, args),
        Command::Lists(cmd) => lists_cmd::run(&cli.global, cmd),
        Command::Serve(args) => serve_cmd::run(&cli.global, args),
        Command::Token(cmd) => serve_cmd::token(cmd),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("amlscreen: {e}");
            ExitCode::from(2)
        }
    }
}

/// Errors a command reports before exiting 2.
pub type CliResult = Result<ExitCode, Box<dyn std::error::Error>>;

/// Whether two list specs load the same file with the same loader.
fn same_list(a: &ListSpec, b: &ListSpec) -> bool {
    let file = |p: &Path| p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
    a.source == b.source && file(&a.path) == file(&b.path)
}

/// Opens `-` or a path for reading lines.
pub fn open_input(path: &Path) -> io::Result<Box<dyn BufRead>> {
    if path == Path::new("-") {
        Ok(Box::new(BufReader::new(io::stdin().lock())))
    } else {
        let file = std::fs::File::open(path)
            .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", path.display())))?;
        Ok(Box::new(BufReader::with_capacity(1 << 16, file)))
    }
}

/// Opens `-` or a path for writing.
pub fn open_output(path: &Path) -> io::Result<Box<dyn Write>> {
    if path == Path::new("-") {
        Ok(Box::new(BufWriter::new(io::stdout().lock())))
    } else {
        let file = std::fs::File::create(path)
            .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", path.display())))?;
        Ok(Box::new(BufWriter::new(file)))
    }
}
