//! A throwaway PostgreSQL server for the tests of the shared case store
//! (`tests/case_store_backends.rs`): a cluster made by `initdb` in a
//! scratch directory, `trust` authentication, a superuser `amlscreen`,
//! listening on a free loopback port only. Stopped on drop.
//!
//! It needs the PostgreSQL 15 server binaries (Debian's `postgresql-15`,
//! in `/usr/lib/postgresql/15/bin`); `AMLSCREEN_PG_BIN` names another
//! directory holding `initdb` and `pg_ctl`. PostgreSQL refuses to run as
//! root: as root, the binaries run as the `postgres` user (`runuser`),
//! which the Debian package creates.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Where Debian's `postgresql-15` puts the server binaries.
const DEFAULT_BIN: &str = "/usr/lib/postgresql/15/bin";

/// A PostgreSQL cluster of the tests' own, on `127.0.0.1:port`.
pub struct PgServer {
    port: u16,
    bin: PathBuf,
    /// The cluster's directory (its data, socket directory and log).
    data: PathBuf,
    sockets: PathBuf,
    log: PathBuf,
    /// Run the binaries as `postgres` (the tests run as root).
    as_postgres: bool,
    running: bool,
}

impl PgServer {
    /// Makes a cluster under `dir` (a scratch directory, created if need
    /// be: as root, it and the scratch directories above it in the temp
    /// directory are opened to other users, for `postgres` to reach the
    /// cluster in it) and starts it on a free loopback port.
    pub fn start(dir: &Path) -> PgServer {
        let bin = std::env::var_os("AMLSCREEN_PG_BIN")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(DEFAULT_BIN));
        for tool in ["initdb", "pg_ctl", "postgres"] {
            if !bin.join(tool).is_file() {
                panic!(
                    "the PostgreSQL server binaries are not installed: no {} \
                     (install Debian's postgresql-15: apt-get install postgresql-15, \
                     or set AMLSCREEN_PG_BIN to the directory holding initdb and pg_ctl)",
                    bin.join(tool).display()
                );
            }
        }
        // SAFETY: geteuid has no preconditions and cannot fail
        let as_postgres = unsafe { libc::geteuid() } == 0;
        let root = dir.join("postgres");
        std::fs::create_dir_all(&root).unwrap_or_else(|e| panic!("{}: {e}", root.display()));
        let sockets = root.join("sockets");
        std::fs::create_dir_all(&sockets).unwrap_or_else(|e| panic!("{}: {e}", sockets.display()));
        if as_postgres {
            // the server's user must reach its directory through the
            // scratch directories (a tempdir is owner-only)
            use std::os::unix::fs::PermissionsExt;
            let tmp = std::env::temp_dir();
            let scratch = dir
                .ancestors()
                .take_while(|d| *d == dir || (d.starts_with(&tmp) && *d != tmp));
            for d in scratch {
                let mode = std::fs::metadata(d)
                    .unwrap_or_else(|e| panic!("{}: {e}", d.display()))
                    .permissions()
                    .mode();
                std::fs::set_permissions(d, std::fs::Permissions::from_mode(mode | 0o711))
                    .unwrap_or_else(|e| panic!("{}: {e}", d.display()));
            }
            run(
                Command::new("chown")
                    .args(["-R", "postgres:postgres"])
                    .arg(&root),
                "chown the cluster's directory to postgres (is there a postgres user?)",
            );
        }
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("a free loopback port");
        let mut server = PgServer {
            port,
            data: root.join("data"),
            sockets,
            log: root.join("server.log"),
            bin,
            as_postgres,
            running: false,
        };
        let initdb = server
            .command("initdb")
            .arg("-D")
            .arg(&server.data)
            .args([
                "-U",
                "amlscreen",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--no-locale",
            ])
            .arg("--no-sync")
            .output()
            .unwrap_or_else(|e| panic!("cannot run initdb: {e}"));
        check(&initdb, "initdb");
        server.restart();
        server
    }

    /// The URL of its `postgres` database, as the superuser `amlscreen`.
    pub fn url(&self) -> String {
        format!("postgres://amlscreen@127.0.0.1:{}/postgres", self.port)
    }

    /// The URL of another database of the cluster, created empty.
    pub fn database(&self, name: &str) -> String {
        self.database_with(name, "")
    }

    /// [`PgServer::database`] with `CREATE DATABASE` options (a locale).
    pub fn database_with(&self, name: &str, options: &str) -> String {
        let mut client = postgres::Client::connect(&self.url(), postgres::NoTls)
            .unwrap_or_else(|e| panic!("cannot connect to the test server: {e}"));
        client
            .batch_execute(&format!("CREATE DATABASE {name} {options}"))
            .unwrap_or_else(|e| panic!("CREATE DATABASE {name} {options}: {e}"));
        format!("postgres://amlscreen@127.0.0.1:{}/{name}", self.port)
    }

    /// Stops it at once (`pg_ctl stop -m immediate`): connections are cut,
    /// nothing is shut down cleanly; committed data survives.
    pub fn stop(&mut self) {
        if !self.running {
            return;
        }
        let out = self
            .command("pg_ctl")
            .arg("-D")
            .arg(&self.data)
            .args(["-m", "immediate", "-w", "stop"])
            .output()
            .unwrap_or_else(|e| panic!("cannot run pg_ctl stop: {e}"));
        check(&out, "pg_ctl stop");
        self.running = false;
    }

    /// Starts it again (stopping it first if it runs), on the same port
    /// with the same data.
    pub fn restart(&mut self) {
        self.stop();
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off \
             -c shared_buffers=16MB -c max_connections=50",
            self.port,
            self.sockets.display()
        );
        let out = self
            .command("pg_ctl")
            .arg("-D")
            .arg(&self.data)
            .arg("-l")
            .arg(&self.log)
            .args(["-w", "-t", "60", "-o", &options, "start"])
            .output()
            .unwrap_or_else(|e| panic!("cannot run pg_ctl start: {e}"));
        if !out.status.success() {
            let log = std::fs::read_to_string(&self.log).unwrap_or_default();
            panic!(
                "pg_ctl start failed ({}): {}{}\nserver log:\n{log}",
                out.status,
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        self.running = true;
    }

    /// One of the server binaries, as `postgres` when the tests run as root.
    fn command(&self, tool: &str) -> Command {
        let path = self.bin.join(tool);
        if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(path);
            c
        } else {
            Command::new(path)
        }
    }
}

impl Drop for PgServer {
    fn drop(&mut self) {
        if self.running {
            let _ = self
                .command("pg_ctl")
                .arg("-D")
                .arg(&self.data)
                .args(["-m", "immediate", "-w", "stop"])
                .output();
        }
    }
}

fn run(command: &mut Command, what: &str) {
    let out = command
        .output()
        .unwrap_or_else(|e| panic!("cannot {what}: {e}"));
    check(&out, what);
}

fn check(out: &Output, what: &str) {
    assert!(
        out.status.success(),
        "{what} failed ({}): {}{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
