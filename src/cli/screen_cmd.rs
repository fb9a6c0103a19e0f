//! `amlscreen screen`: JSON lines in, one decision (or error record) per line out.
//!
//! The input is streamed in chunks of `--chunk-lines` lines: each chunk is
//! parsed on every core, screened through [`Screener::screen_batch`]
//! (per-customer arrival order kept), serialised on every core and written in input
//! order before the next chunk is read. Memory is bounded by the chunk, not
//! the input, so a 10 GB file screens in constant space.
//!
//! Each customer's lines are applied in input (arrival) order, as screening
//! line by line would ([`BatchOrder::Arrival`]): the decisions do not
//! depend on the chunk size, and a late line is placed by its timestamp in
//! the customer's history but judged against what arrived before it.

use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::Args;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle, TermLike};
use rayon::prelude::*;
use serde_json::json;

use super::{open_input, open_output, CliResult, GlobalArgs};
use std::borrow::Cow;

use amlscreen::BatchOrder;
use amlscreen::{Decision, Screener, ScreeningConfig, Transaction};

/// The result of a commit thread; a panic there is re-raised here.
fn join<T>(handle: std::thread::ScopedJoinHandle<'_, T>) -> T {
    match handle.join() {
        Ok(v) => v,
        Err(panic) => std::panic::resume_unwind(panic),
    }
}

/// Longest transaction line accepted, in bytes.
pub use amlscreen::limits::MAX_LINE_BYTES;

/// Default lines per chunk: large enough to keep both cores busy and
/// amortise the per-chunk fork/join, small enough that a chunk of
/// maximal lines stays far below the memory target (8192 typical 500-byte
/// lines are 4 MB of input plus their decisions).
pub const DEFAULT_CHUNK_LINES: u64 = 8192;
/// Most lines per chunk: a chunk is held in memory whole (up to
/// `MAX_LINE_BYTES` per line), so a larger one is refused, not attempted.
pub const MAX_CHUNK_LINES: u64 = 1 << 20;

/// How often a progress bar on a non-terminal stderr (`--progress` into a
/// file or pipe) prints a line, per second.
const PLAIN_PROGRESS_HZ: u8 = 1;

#[derive(Debug, Args)]
pub struct ScreenArgs {
    /// Transactions, one JSON object per line; `-` is standard input.
    #[arg(long, short, default_value = "-", value_name = "FILE")]
    input: PathBuf,
    /// Where to write decisions; `-` is standard output.
    #[arg(long, short, default_value = "-", value_name = "FILE")]
    output: PathBuf,
    /// Customer-state checkpoint: loaded at start (a missing file starts
    /// empty; a corrupt one is an error) and saved atomically at the end.
    #[arg(long, value_name = "FILE")]
    state: Option<PathBuf>,
    /// Start with empty customer state even if the --state file exists
    /// (it is overwritten at the end).
    #[arg(long, requires = "state")]
    fresh_state: bool,
    /// Also save the state checkpoint every N screened lines (0: only at the
    /// end). Saved after the chunk holding the N-th line, once its
    /// decisions are written.
    #[arg(long, default_value_t = 0, value_name = "N", requires = "state")]
    state_every: usize,
    /// Show a progress bar (rate, ETA) on stderr even when stderr is not a
    /// terminal; without it the bar shows only on a terminal.
    #[arg(long)]
    progress: bool,
    /// Lines read, screened in parallel and written per chunk; bounds memory.
    #[arg(long, default_value_t = DEFAULT_CHUNK_LINES, value_name = "N",
          value_parser = clap::value_parser!(u64).range(1..=MAX_CHUNK_LINES))]
    chunk_lines: u64,
    /// Back-testing: accept transactions of any age (the config's
    /// `screening.max_age` is lifted; the future stays bounded).
    #[arg(long, conflicts_with = "max_age")]
    backtest: bool,
    /// Oldest timestamp accepted, behind the time of screening (`400d`,
    /// `unlimited`); overrides the config's `screening.max_age`.
    #[arg(long, value_name = "DURATION")]
    max_age: Option<String>,
    /// Latest timestamp accepted, ahead of the time of screening (`1d`,
    /// `36h`); overrides the config's `screening.max_future`.
    #[arg(long, value_name = "DURATION")]
    max_future: Option<String>,
    /// The time of screening that timestamps are bounded around (RFC 3339,
    /// e.g. 2026-11-21T12:00:00Z); default: the system clock. For
    /// re-screening a past day as of that day.
    #[arg(long, value_name = "TIME")]
    now: Option<chrono::DateTime<chrono::Utc>>,
    /// Re-screen: a transaction whose recorded decision was made under
    /// other lists or rules (another engine id) is decided afresh and
    /// linked to that decision (`rescreen_of`); under the same engine id
    /// the recorded decision is returned. Lines run one by one.
    #[arg(long)]
    rescreen: bool,
    /// Output: `json` (one decision or error record per line, the default)
    /// or `text` (a block per transaction for a reviewer to read:
    /// customer, time, amount, counterparty, decision, reasons).
    #[arg(long, value_enum, default_value_t = OutputFormat::Json)]
    format: OutputFormat,
}

/// How decisions are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum OutputFormat {
    /// One JSON object per input line.
    Json,
    /// A block of text per input line, for people.
    Text,
}

/// The screener the config and the screening-bound flags describe.
fn screener(
    global: &GlobalArgs,
    args: &ScreenArgs,
) -> Result<Screener, Box<dyn std::error::Error>> {
    let mut config = global.load_config()?;
    if args.backtest {
        config.screening = ScreeningConfig {
            max_age: None,
            ..config.screening
        };
    }
    if let Some(text) = &args.max_age {
        config.screening.max_age = if text.trim() == "unlimited" {
            None
        } else {
            Some(
                ScreeningConfig::parse_duration(text)
                    .map_err(|e| format!("--max-age: {e}, or unlimited"))?,
            )
        };
    }
    if let Some(text) = &args.max_future {
        config.screening.max_future =
            ScreeningConfig::parse_duration(text).map_err(|e| format!("--max-future: {e}"))?;
    }
    let screener = Screener::from_config(&config)?;
    Ok(match args.now {
        Some(now) => screener.with_clock(move || now),
        None => screener,
    })
}

/// One non-blank input line, or why it is already an error record.
struct Line {
    number: usize,
    content: Result<Vec<u8>, String>,
}

pub fn run(global: &GlobalArgs, args: ScreenArgs) -> CliResult {
    let screener = screener(global, &args)?;
    let currency = screener
        .engine()
        .rules()
        .policy()
        .reference_currency
        .clone();
    if let Some(torn) = screener.audit_recovery() {
        eprintln!("amlscreen: warning: {torn}");
    }
    if let Some(path) = &args.state {
        // claimed before anything is read: a second run on the same state
        // file would lose one run's history when both save
        screener.lock_state(path)?;
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
    let total_bytes = if args.input.as_os_str() == "-" {
        None
    } else {
        std::fs::metadata(&args.input).ok().map(|m| m.len())
    };
    let progress = progress_bar(args.progress, total_bytes);
    let chunk_lines = usize::try_from(args.chunk_lines).unwrap_or(usize::MAX);
    let mut failed = 0usize;
    let mut line_no = 0usize;
    let mut screened = 0u64;
    let saved_blocks = std::cell::Cell::new(0usize);
    // What a committed chunk needs to be written out.
    type Committed<'s> = (
        Vec<Line>,
        Vec<Result<usize, String>>,
        Cow<'s, [Transaction]>,
        Vec<Result<Decision, amlscreen::Error>>,
        u64,
    );
    // Chunk N is recorded and audited on its own thread while chunk N+1 is
    // decided; its lines are written once its commit returns, in order.
    std::thread::scope(|scope| -> Result<(), Box<dyn std::error::Error>> {
        let mut inflight: Option<std::thread::ScopedJoinHandle<'_, Committed<'_>>> = None;
        // the last line of the chunk in flight
        let mut inflight_last = 0usize;
        let state_due = |last_line: usize, saved: usize| {
            args.state.is_some() && args.state_every > 0 && last_line / args.state_every > saved
        };
        let mut write_out = |done: Committed<'_>| -> Result<(), Box<dyn std::error::Error>> {
            let (lines, outcomes, txs, decisions, bytes_read) = done;
            let outputs = render_chunk(&lines, outcomes, &txs, &decisions, args.format, &currency);
            for out in &outputs {
                match out {
                    Ok(json) => output.write_all(json.as_bytes())?,
                    Err(json) => {
                        failed += 1;
                        output.write_all(json.as_bytes())?;
                    }
                }
                output.write_all(b"\n")?;
            }
            // A chunk's decisions are recorded and audited before they are
            // printed; flushing per chunk lets a consumer act on them
            // without waiting for the end.
            output.flush()?;
            screened += outputs.len() as u64;
            let last_line = lines.last().map_or(0, |l| l.number);
            if let Some(path) = &args.state {
                if state_due(last_line, saved_blocks.get()) {
                    // nothing is decided beyond this chunk yet (see below):
                    // the checkpoint holds no decision not given out
                    screener.save_state(path)?;
                    saved_blocks.set(last_line / args.state_every);
                }
            }
            if let Some(bar) = &progress {
                if total_bytes.is_some() {
                    bar.inc(bytes_read);
                } else {
                    bar.inc(outputs.len() as u64);
                }
                bar.set_message(lines_message(screened, bar.elapsed()));
            }
            Ok(())
        };
        loop {
            let mut chunk: Vec<Line> =
                Vec::with_capacity(chunk_lines.min(DEFAULT_CHUNK_LINES as usize));
            let mut bytes_read = 0u64;
            let at_end = read_chunk(
                &mut input,
                chunk_lines,
                &mut line_no,
                &mut bytes_read,
                &mut chunk,
            )?;
            let Parsed {
                lines,
                outcomes,
                txs,
            } = parse_chunk(chunk);
            if args.rescreen {
                // one by one, each against the recorded decision
                if let Some(handle) = inflight.take() {
                    write_out(join(handle))?;
                }
                let decisions: Vec<_> = txs.iter().map(|tx| screener.rescreen(tx)).collect();
                write_out((lines, outcomes, Cow::Owned(txs), decisions, bytes_read))?;
            } else {
                // a state checkpoint due after the chunk in flight is saved
                // before the next chunk is decided into the history
                if state_due(inflight_last, saved_blocks.get()) {
                    if let Some(handle) = inflight.take() {
                        write_out(join(handle))?;
                    }
                }
                let pending = screener.decide_batch(Cow::Owned(txs), BatchOrder::Arrival);
                if let Some(handle) = inflight.take() {
                    write_out(join(handle))?;
                }
                inflight_last = lines.last().map_or(inflight_last, |l| l.number);
                inflight = Some(scope.spawn(move || {
                    let (txs, decisions) = pending.commit();
                    (lines, outcomes, txs, decisions, bytes_read)
                }));
            }
            if at_end {
                break;
            }
        }
        if let Some(handle) = inflight.take() {
            write_out(join(handle))?;
        }
        Ok(())
    })?;
    output.flush()?;
    screener.checkpoint_audit()?;
    if let Some(path) = &args.state {
        screener.save_state(path)?;
    }
    if let Some(bar) = &progress {
        bar.finish_with_message(lines_message(screened, bar.elapsed()));
    }
    if failed > 0 {
        eprintln!("amlscreen: {failed} of {line_no} lines could not be screened");
        Ok(ExitCode::from(1))
    } else {
        Ok(ExitCode::SUCCESS)
    }
}

/// Reads up to `max` non-blank lines into `chunk`; true at end of input.
fn read_chunk(
    input: &mut dyn BufRead,
    max: usize,
    line_no: &mut usize,
    bytes_read: &mut u64,
    chunk: &mut Vec<Line>,
) -> std::io::Result<bool> {
    while chunk.len() < max {
        let mut buf = Vec::new();
        let n = std::io::Read::take(&mut *input, MAX_LINE_BYTES as u64 + 1)
            .read_until(b'\n', &mut buf)?;
        if n == 0 {
            return Ok(true);
        }
        *bytes_read += n as u64;
        *line_no += 1;
        let too_long = buf.len() > MAX_LINE_BYTES && buf.last() != Some(&b'\n');
        if too_long {
            // skip the rest of the overlong line without holding it
            *bytes_read += skip_line(input)?;
        }
        let end = trimmed_len(&buf);
        if buf[..end].iter().all(u8::is_ascii_whitespace) {
            // a blank line carries no transaction; keep numbering, emit nothing
            continue;
        }
        buf.truncate(end);
        chunk.push(Line {
            number: *line_no,
            content: if too_long {
                Err(format!("line longer than {MAX_LINE_BYTES} bytes"))
            } else {
                Ok(buf)
            },
        });
    }
    Ok(false)
}

/// Reads past the next newline (or to the end) without keeping what it
/// reads: memory stays bounded whatever the line's length. Returns the
/// bytes skipped.
fn skip_line(input: &mut dyn BufRead) -> std::io::Result<u64> {
    let mut skipped = 0u64;
    loop {
        let buf = match input.fill_buf() {
            Ok(buf) => buf,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if buf.is_empty() {
            return Ok(skipped);
        }
        match buf.iter().position(|&b| b == b'\n') {
            Some(i) => {
                input.consume(i + 1);
                return Ok(skipped + i as u64 + 1);
            }
            None => {
                let n = buf.len();
                input.consume(n);
                skipped += n as u64;
            }
        }
    }
}

/// A chunk read and parsed: each line's outcome (the index of its
/// transaction in `txs`, or its error record's message), and the
/// transactions.
struct Parsed {
    lines: Vec<Line>,
    outcomes: Vec<Result<usize, String>>,
    txs: Vec<Transaction>,
}

/// Parses a chunk's lines on every core.
fn parse_chunk(lines: Vec<Line>) -> Parsed {
    let parsed: Vec<Result<Transaction, String>> = lines
        .par_iter()
        .map(|line| match &line.content {
            Ok(bytes) => parse_line(bytes),
            Err(e) => Err(e.clone()),
        })
        .collect();
    let mut txs = Vec::with_capacity(parsed.len());
    let outcomes: Vec<Result<usize, String>> = parsed
        .into_iter()
        .map(|p| {
            p.map(|tx| {
                txs.push(tx);
                txs.len() - 1
            })
        })
        .collect();
    Parsed {
        lines,
        outcomes,
        txs,
    }
}

/// One output line per input line of a screened chunk, in order; `Err`
/// holds an error record.
fn render_chunk(
    lines: &[Line],
    outcomes: Vec<Result<usize, String>>,
    txs: &[Transaction],
    decisions: &[Result<Decision, amlscreen::Error>],
    format: OutputFormat,
    currency: &str,
) -> Vec<Result<String, String>> {
    outcomes
        .into_par_iter()
        .zip(lines.par_iter())
        .map(|(outcome, line)| {
            let id = match &outcome {
                Ok(k) => txs.get(*k).map(|tx| tx.id.clone()),
                Err(_) => line
                    .content
                    .as_deref()
                    .ok()
                    .and_then(amlscreen::limits::readable_id),
            };
            let record = outcome.and_then(|k| match (decisions.get(k), format) {
                (Some(Ok(decision)), OutputFormat::Json) => {
                    serde_json::to_string(decision).map_err(|e| e.to_string())
                }
                (Some(Ok(decision)), OutputFormat::Text) => match txs.get(k) {
                    Some(tx) => Ok(text_block(line.number, tx, decision, currency)),
                    None => Err("internal error: no transaction".into()),
                },
                (Some(Err(e)), _) => Err(e.to_string()),
                (None, _) => Err("internal error: no decision returned".into()),
            });
            record.map_err(|error| match format {
                OutputFormat::Json => error_record(line.number, id.as_deref(), &error),
                OutputFormat::Text => text_error(line.number, id.as_deref(), &error),
            })
        })
        .collect()
}

/// Text from a transaction as a block shows it: control characters (a line
/// break in a memo) escaped, so no input can forge a line of the block.
fn shown(text: &str) -> std::borrow::Cow<'_, str> {
    if text.chars().any(char::is_control) {
        std::borrow::Cow::Owned(
            text.chars()
                .flat_map(|c| {
                    let escaped: Vec<char> = if c.is_control() {
                        c.escape_default().collect()
                    } else {
                        vec![c]
                    };
                    escaped
                })
                .collect(),
        )
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

/// A decision as a reviewer reads it: who, when, how much, with whom, what
/// was decided and why, one block per transaction.
fn text_block(line: usize, tx: &Transaction, d: &Decision, currency: &str) -> String {
    use std::fmt::Write;
    let mut out = String::with_capacity(512);
    let direction = match tx.direction {
        amlscreen::Direction::Incoming => "incoming",
        amlscreen::Direction::Outgoing => "outgoing",
    };
    let _ = writeln!(
        out,
        "== {} (line {line}) — {} — customer {}",
        shown(&tx.id),
        tx.timestamp.format("%Y-%m-%d %H:%M:%S UTC"),
        shown(&tx.customer_id)
    );
    let _ = writeln!(
        out,
        "   {direction} {} {} (value {} {currency})",
        amlscreen::rules::group_digits(tx.amount),
        shown(&tx.currency),
        amlscreen::rules::group_digits(tx.value)
    );
    for (role, party) in tx.parties() {
        let mut what: Vec<String> = Vec::new();
        what.push(party.name.clone().unwrap_or_else(|| "(no name)".into()));
        if let Some(c) = &party.country {
            what.push(format!("country {c}"));
        }
        if let Some(w) = &party.wallet {
            what.push(format!("wallet {}:{}", w.chain, w.address));
        }
        if let Some(a) = &party.account {
            what.push(format!("account {a}"));
        }
        if let Some(v) = &party.vasp {
            what.push(format!("VASP {v}"));
        }
        if let Some(dm) = &party.domain {
            what.push(format!("domain {dm}"));
        }
        let _ = writeln!(out, "   {role}: {}", shown(&what.join(", ")));
    }
    if let Some(memo) = &tx.memo {
        let _ = writeln!(out, "   memo: {}", shown(memo));
    }
    let mut head = format!(
        "   decision: {} — risk {}, score {}",
        d.action.name().to_uppercase(),
        d.risk.name(),
        d.score
    );
    if let Some(case) = d.case {
        let _ = write!(head, ", case {case}");
    }
    if d.report.is_some() {
        head.push_str(", report: threshold");
    }
    let _ = writeln!(out, "{head}");
    let _ = writeln!(out, "   summary: {}", shown(&d.summary));
    if d.reasons.is_empty() {
        let _ = writeln!(out, "   reasons: none");
    } else {
        let _ = writeln!(out, "   reasons:");
        for f in &d.reasons {
            let _ = writeln!(out, "   - {}", shown(&f.message));
        }
    }
    // a blank line after each block
    out.truncate(out.trim_end().len());
    out.push('\n');
    out
}

/// An error record as text: the line, the id when it could be read, and
/// what is wrong.
fn text_error(line: usize, transaction_id: Option<&str>, error: &str) -> String {
    match transaction_id {
        Some(id) => format!(
            "== {} (line {line}) — NOT SCREENED\n   error: {}\n",
            shown(id),
            shown(error)
        ),
        None => format!(
            "== line {line} — NOT SCREENED\n   error: {}\n",
            shown(error)
        ),
    }
}

/// An error record: the line number, the transaction id whenever it could
/// be read, and what is wrong.
fn error_record(line: usize, transaction_id: Option<&str>, error: &str) -> String {
    match transaction_id {
        Some(id) => json!({"line": line, "transaction_id": id, "error": error}),
        None => json!({"line": line, "error": error}),
    }
    .to_string()
}

/// "N lines, R lines/s" for the progress bar.
fn lines_message(lines: u64, elapsed: Duration) -> String {
    let secs = elapsed.as_secs_f64();
    if secs > 0.0 {
        format!("{lines} lines, {:.0} lines/s", lines as f64 / secs)
    } else {
        format!("{lines} lines")
    }
}

fn trimmed_len(buf: &[u8]) -> usize {
    let mut end = buf.len();
    while end > 0 && matches!(buf[end - 1], b'\n' | b'\r') {
        end -= 1;
    }
    end
}

fn parse_line(line: &[u8]) -> Result<Transaction, String> {
    let text =
        std::str::from_utf8(line).map_err(|e| format!("not UTF-8 at byte {}", e.valid_up_to()))?;
    Transaction::from_json(text).map_err(|e| e.to_string())
}

/// The progress bar: on a terminal stderr always, elsewhere only with
/// `--progress` (then as plain lines, once per second). Counts bytes
/// against the file size when the input is a file (true ETA), lines otherwise.
fn progress_bar(forced: bool, total_bytes: Option<u64>) -> Option<ProgressBar> {
    let terminal = std::io::stderr().is_terminal();
    if !terminal && !forced {
        return None;
    }
    let target = if terminal {
        ProgressDrawTarget::stderr()
    } else {
        ProgressDrawTarget::term_like_with_hz(Box::new(PlainStderr), PLAIN_PROGRESS_HZ)
    };
    let (bar, template) = match total_bytes {
        Some(total) => (
            ProgressBar::with_draw_target(Some(total), target),
            "{spinner} [{elapsed_precise}] [{wide_bar}] {bytes}/{total_bytes} {msg} (ETA {average_eta})",
        ),
        None => (
            ProgressBar::with_draw_target(None, target),
            "{spinner} [{elapsed_precise}] {msg}",
        ),
    };
    if let Ok(style) = ProgressStyle::with_template(template) {
        bar.set_style(style.with_key("average_eta", write_average_eta));
    }
    bar.enable_steady_tick(Duration::from_millis(500));
    Some(bar)
}

/// The time left at the whole run's average rate so far. indicatif's own
/// `{eta}` follows the recent rate, which jumps as whole chunks complete
/// (nothing moves while a chunk is screened, then a chunk's bytes at once).
fn write_average_eta(state: &ProgressState, w: &mut dyn std::fmt::Write) {
    let (done, total) = (state.pos(), state.len().unwrap_or(0));
    let elapsed = state.elapsed().as_secs_f64();
    if done == 0 || elapsed <= 0.0 {
        let _ = w.write_str("…");
        return;
    }
    let left = elapsed * total.saturating_sub(done) as f64 / done as f64;
    let secs = left.round() as u64;
    let _ = if secs >= 3600 {
        write!(w, "{}h{:02}m", secs / 3600, secs % 3600 / 60)
    } else if secs >= 60 {
        write!(w, "{}m{:02}s", secs / 60, secs % 60)
    } else {
        write!(w, "{secs}s")
    };
}

/// A non-terminal stderr for indicatif: every redraw becomes one plain
/// line, so logs of a `--progress` run stay readable.
#[derive(Debug)]
struct PlainStderr;

impl TermLike for PlainStderr {
    fn width(&self) -> u16 {
        100
    }
    fn move_cursor_up(&self, _n: usize) -> std::io::Result<()> {
        Ok(())
    }
    fn move_cursor_down(&self, _n: usize) -> std::io::Result<()> {
        Ok(())
    }
    fn move_cursor_right(&self, _n: usize) -> std::io::Result<()> {
        Ok(())
    }
    fn move_cursor_left(&self, _n: usize) -> std::io::Result<()> {
        Ok(())
    }
    fn write_line(&self, s: &str) -> std::io::Result<()> {
        if s.trim().is_empty() {
            return Ok(());
        }
        writeln!(std::io::stderr(), "{s}")
    }
    fn write_str(&self, s: &str) -> std::io::Result<()> {
        self.write_line(s)
    }
    fn clear_line(&self) -> std::io::Result<()> {
        Ok(())
    }
    fn flush(&self) -> std::io::Result<()> {
        std::io::stderr().flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skip_line_reads_past_a_long_line_through_a_small_buffer() {
        let long = "x".repeat(100_000);
        let text = format!("{long}\nnext\n");
        // an 8 KiB buffer: the long line is never held whole
        let mut input = std::io::BufReader::with_capacity(8192, text.as_bytes());
        assert_eq!(skip_line(&mut input).unwrap(), long.len() as u64 + 1);
        let mut rest = String::new();
        input.read_line(&mut rest).unwrap();
        assert_eq!(rest, "next\n");
        // at the end: nothing more to skip
        assert_eq!(skip_line(&mut input).unwrap(), 0);
        let mut no_newline =
            std::io::BufReader::with_capacity(16, "abcdefghijklmnopqrstuvwxyz".as_bytes());
        assert_eq!(skip_line(&mut no_newline).unwrap(), 26);
    }
}
