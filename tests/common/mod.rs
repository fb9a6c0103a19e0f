//! Helpers shared by the whole-pipeline tests: the repository root, a
//! config over the bundled sample watchlist, and a run of the `amlscreen`
//! binary whose standard input is written from a thread, so that a child
//! filling its output pipe cannot deadlock the test.
//!
//! Each test binary includes this module with `mod common;` and uses a
//! subset of it.
#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use amlscreen::lists::{self, Entity, ListSpec, SourceKind};

/// The repository root (where `Cargo.toml` is).
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Writes `dir/amlscreen.yaml`: the bundled sample watchlist, the rules
/// directory `rules`, then `extra` verbatim (an `audit:` section, say).
pub fn sample_config(dir: &Path, rules: &Path, extra: &str) -> PathBuf {
    let path = dir.join("amlscreen.yaml");
    let text = format!(
        "lists:\n  - source: watchlist\n    path: {}\nrules: {}\n{extra}",
        repo().join("sanctions/sample_watchlist.csv").display(),
        rules.display()
    );
    std::fs::write(&path, text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    path
}

/// [`sample_config`] with the bundled default rules.
pub fn default_config(dir: &Path, extra: &str) -> PathBuf {
    sample_config(dir, &repo().join("rules"), extra)
}

/// Runs the binary with `args` in the repository root, feeding `stdin`.
pub fn amlscreen(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_amlscreen"))
        .args(args)
        .current_dir(repo())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run amlscreen: {e}"));
    let mut pipe = child
        .stdin
        .take()
        .unwrap_or_else(|| panic!("no stdin pipe"));
    let input = stdin.to_vec();
    // a child that stops reading early (an error exit) closes the pipe;
    // that is its answer, not the test's failure
    let writer = std::thread::spawn(move || {
        let _ = pipe.write_all(&input);
    });
    let out = child
        .wait_with_output()
        .unwrap_or_else(|e| panic!("amlscreen: {e}"));
    writer
        .join()
        .unwrap_or_else(|_| panic!("stdin writer panicked"));
    out
}

/// `../shared/data/<rel>` beside the repository, or a panic naming the
/// missing path: the real-data tests (all `#[ignore]`d) need it.
pub fn shared_data(rel: &str) -> PathBuf {
    let path = repo().join("../shared/data").join(rel);
    assert!(
        path.exists(),
        "missing {}: the real-data tests need ../shared/data beside the repository",
        path.display()
    );
    path
}

/// The entities of a real list file under `../shared/data`.
pub fn shared_entities(source: SourceKind, rel: &str) -> Vec<Entity> {
    let spec = ListSpec::new(source, shared_data(rel));
    lists::load(&spec)
        .unwrap_or_else(|e| panic!("{e}"))
        .entities
}
