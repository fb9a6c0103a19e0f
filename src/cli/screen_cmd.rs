//! `amlscreen screen`: JSON lines in, one decision (or error record) per line out.

use std::io::{BufRead, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use serde_json::json;

use super::{open_input, open_output, CliResult, GlobalArgs};
use amlscreen::{Screener, Transaction};

/// Longest transaction line accepted, in bytes.
pub use amlscreen::limits::MAX_LINE_BYTES;

#[derive(Debug, Args)]
pub struct ScreenArgs {
    /// Transactions, one JSON object per line; `-` is standard input.
    #[arg(long, short, default_value = "-", value_name = "FILE")]
    input: PathBuf,
    /// Where to write decisions; `-` is standard output.
    #[arg(long, short, default_value = "-", value_name = "FILE")]
    output: PathBuf,
    /// Customer-state snapshot: loaded at start (a missing file starts
    /// empty; a corrupt one is an error) and saved atomically at the end.
    #[arg(long, value_name = "FILE")]
    state: Option<PathBuf>,
    /// Start with empty customer state even if the --state file exists
    /// (it is overwritten at the end).
    #[arg(long, requires = "state")]
    fresh_state: bool,
    /// Also save the state snapshot every N screened lines (0: only at the end).
    #[arg(long, default_value_t = 0, value_name = "N", requires = "state")]
    state_every: usize,
}

pub fn run(global: &GlobalArgs, args: ScreenArgs) -> CliResult {
    let screener = global.screener()?;
    if let Some(torn) = screener.audit_recovery() {
        eprintln!("amlscreen: warning: {torn}");
    }
    if let Some(path) = &args.state {
        if args.fresh_state {
            eprintln!("amlscreen: --fresh-state: starting with empty customer state");
        } else if path.exists() {
            screener.load_state(path)?;
        } else {
            eprintln!(
                "amlscreen: no state file at {} yet: starting with empty customer state",
                path.display()
            );
        }
    }
    let mut input = open_input(&args.input)?;
    let mut output = open_output(&args.output)?;
    let mut failed = 0usize;
    let mut line_no = 0usize;
    let mut buf = Vec::new();
    loop {
        buf.clear();
        let n = std::io::Read::take(&mut input, MAX_LINE_BYTES as u64 + 1)
            .read_until(b'\n', &mut buf)?;
        if n == 0 {
            break;
        }
        line_no += 1;
        let too_long = buf.len() > MAX_LINE_BYTES && buf.last() != Some(&b'\n');
        if too_long {
            // skip the rest of the overlong line
            let mut rest = Vec::new();
            input.read_until(b'\n', &mut rest)?;
        }
        let line = trim_line(&buf);
        if line.iter().all(u8::is_ascii_whitespace) {
            // a blank line carries no transaction; keep numbering, emit nothing
            continue;
        }
        let result = if too_long {
            Err(format!("line longer than {MAX_LINE_BYTES} bytes"))
        } else {
            screen_line(&screener, line)
        };
        let out = match result {
            Ok(json) => json,
            Err(error) => {
                failed += 1;
                serde_json::to_string(&json!({"line": line_no, "error": error}))?
            }
        };
        output.write_all(out.as_bytes())?;
        output.write_all(b"\n")?;
        if let Some(path) = &args.state {
            if args.state_every > 0 && line_no % args.state_every == 0 {
                screener.save_state(path)?;
            }
        }
    }
    output.flush()?;
    if let Some(path) = &args.state {
        screener.save_state(path)?;
    }
    if failed > 0 {
        eprintln!("amlscreen: {failed} of {line_no} lines could not be screened");
        Ok(ExitCode::from(1))
    } else {
        Ok(ExitCode::SUCCESS)
    }
}

fn trim_line(buf: &[u8]) -> &[u8] {
    let mut end = buf.len();
    while end > 0 && matches!(buf[end - 1], b'\n' | b'\r') {
        end -= 1;
    }
    &buf[..end]
}

fn screen_line(screener: &Screener, line: &[u8]) -> Result<String, String> {
    let text =
        std::str::from_utf8(line).map_err(|e| format!("not UTF-8 at byte {}", e.valid_up_to()))?;
    amlscreen::limits::check_json_depth(line, amlscreen::limits::MAX_JSON_DEPTH)
        .map_err(|e| e.to_string())?;
    let tx = Transaction::from_json(text)?;
    let decision = screener.screen(&tx).map_err(|e| e.to_string())?;
    serde_json::to_string(&decision).map_err(|e| e.to_string())
}
