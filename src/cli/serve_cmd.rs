//! `amlscreen serve` (the HTTP service) and `amlscreen token new`.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, Subcommand};

use super::{CliResult, GlobalArgs};
use amlscreen::server::{self, ServeOptions};
use amlscreen::Role;

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on (port 0: any free port, printed on stderr).
    /// Without API tokens in the config only a loopback address is
    /// accepted.
    #[arg(long, default_value = "127.0.0.1:8080", value_name = "ADDR")]
    listen: String,
    /// TLS certificate chain (PEM): with --tls-key, serve HTTPS (rustls).
    /// Without them, terminate TLS in front of the service.
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// TLS private key (PEM).
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    /// After SIGTERM, how long requests in flight may take to finish, in
    /// seconds.
    #[arg(long, default_value_t = 30, value_name = "SECONDS")]
    drain: u64,
    /// Print the OpenAPI document and exit.
    #[arg(long)]
    openapi: bool,
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// A new random token: the secret (give it to its holder; it is shown
    /// once and never stored) and the `server.tokens` entry to add to the
    /// config, which keeps only its SHA-256.
    New {
        /// Who holds it: the reviewer id its actions are recorded under.
        #[arg(long)]
        name: String,
        /// A role (repeatable): screen, review, admin.
        #[arg(long = "role", value_parser = parse_role, required = true)]
        roles: Vec<Role>,
    },
}

fn parse_role(text: &str) -> Result<Role, String> {
    match text {
        "screen" => Ok(Role::Screen),
        "review" => Ok(Role::Review),
        "admin" => Ok(Role::Admin),
        _ => Err(format!("'{text}': one of screen, review, admin")),
    }
}

pub fn run(global: &GlobalArgs, args: ServeArgs) -> CliResult {
    if args.openapi {
        print!("{}", server::openapi_json());
        return Ok(ExitCode::SUCCESS);
    }
    if !global.lists.is_empty() || !global.add_lists.is_empty() {
        return Err(
            "serve reads its lists from the config (reloads re-read it): \
                    --list and --add-list are not taken"
                .into(),
        );
    }
    server::run(ServeOptions {
        config: global.config.clone(),
        listen: args.listen,
        tls_cert: args.tls_cert,
        tls_key: args.tls_key,
        drain: Duration::from_secs(args.drain),
    })
    .map_err(|e| -> Box<dyn std::error::Error> { e.to_string().into() })?;
    Ok(ExitCode::SUCCESS)
}

pub fn token(cmd: TokenCommand) -> CliResult {
    let TokenCommand::New { name, roles } = cmd;
    if name.trim().is_empty() || name.chars().any(char::is_control) {
        return Err("--name: a printable name".into());
    }
    let (token, hash) =
        server::auth::new_token().map_err(|e| format!("no random bytes from the system: {e}"))?;
    let roles: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
    eprintln!("amlscreen: the token below is shown once; the config keeps only its SHA-256");
    println!("token: {token}");
    println!("# add under server.tokens in the config:");
    println!("- name: {}", serde_json::to_string(&name)?);
    println!("  sha256: {hash}");
    println!("  roles: [{}]", roles.join(", "));
    Ok(ExitCode::SUCCESS)
}
