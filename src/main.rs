//! The `amlscreen` command: flags, I/O and exit codes around the library.

mod cli;

fn main() -> std::process::ExitCode {
    // A reader that stops early (`amlscreen cases list | head`) closes the
    // pipe: end quietly, as other command-line tools do, instead of
    // panicking on the next write. Rust ignores SIGPIPE by default; this
    // restores the default action for the binary only (never for an
    // embedder of the library).
    #[cfg(unix)]
    // SAFETY: called first thing in main, before any other thread exists;
    // SIG_DFL is a valid disposition for SIGPIPE.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    cli::run()
}
