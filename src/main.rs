//! The `amlscreen` command: flags, I/O and exit codes around the library.

mod cli;

fn main() -> std::process::ExitCode {
    cli::run()
}
