//! The customer history shared through Redis (`state.redis`), against a
//! real `redis-server` each test starts on a loopback port of its own:
//! several screeners (as several instances of a service would) see one
//! history, decide as the in-process history decides, and fail closed —
//! a hold saying why, never an allow that skipped the history — while the
//! server is down, recovering when it returns.
//!
//! Ignored by the README's `cargo test` (it needs `redis-server`); `.ci/run`
//! installs Redis and runs them with the other ignored tests
//! (`cargo test --release -- --ignored`). `AMLSCREEN_REDIS_SERVER` names
//! another server binary (`valkey-server`).

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use amlscreen::{Action, Config, Decision, Screener, Transaction};
use chrono::Utc;

use crate::common::default_config;

/// A `redis-server` on a loopback port, in a scratch directory, with an
/// append-only file fsynced at every write (so a restart keeps the
/// history, as a production server configured for it does). Killed on drop.
pub struct RedisServer {
    pub port: u16,
    dir: PathBuf,
    child: Option<Child>,
}

impl RedisServer {
    pub fn start(dir: &Path) -> RedisServer {
        std::fs::create_dir_all(dir).unwrap();
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("a free loopback port");
        let mut server = RedisServer {
            port,
            dir: dir.to_path_buf(),
            child: None,
        };
        server.restart();
        server
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// Starts it (again, on the same port and files) and waits until it answers.
    pub fn restart(&mut self) {
        assert!(self.child.is_none(), "already running");
        let bin = std::env::var("AMLSCREEN_REDIS_SERVER").unwrap_or_else(|_| "redis-server".into());
        let child = Command::new(&bin)
            .args(["--port", &self.port.to_string(), "--bind", "127.0.0.1"])
            .args([
                "--save",
                "",
                "--appendonly",
                "yes",
                "--appendfsync",
                "always",
            ])
            .args(["--dir", &self.dir.display().to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!("cannot start {bin} ({e}): install Redis (apt-get install redis-server)")
            });
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if self.ping() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("redis-server on port {} did not answer PING", self.port);
    }

    /// Kills it (SIGKILL: nothing is flushed beyond what was fsynced).
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    fn ping(&self) -> bool {
        let Ok(mut s) = TcpStream::connect(("127.0.0.1", self.port)) else {
            return false;
        };
        let _ = s.set_read_timeout(Some(Duration::from_millis(500)));
        let mut buf = [0u8; 16];
        s.write_all(b"PING\r\n").is_ok()
            && s.read(&mut buf)
                .is_ok_and(|n| buf[..n].starts_with(b"+PONG"))
    }

    /// A command's reply, as Redis writes it (for checks the screener
    /// does not expose).
    pub fn command(&self, args: &[&str]) -> String {
        let mut s = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
        let mut req = format!("*{}\r\n", args.len());
        for a in args {
            req.push_str(&format!("${}\r\n{a}\r\n", a.len()));
        }
        s.write_all(req.as_bytes()).unwrap();
        let mut buf = vec![0u8; 65536];
        let n = s.read(&mut buf).unwrap();
        String::from_utf8_lossy(&buf[..n]).into_owned()
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A config over the sample watchlist and the default rules, its history
/// in this server under `prefix` (`on_unavailable` as given).
fn config(dir: &Path, redis: &RedisServer, prefix: &str, on_unavailable: &str) -> Config {
    let sub = dir.join(prefix);
    std::fs::create_dir_all(&sub).unwrap();
    let path = default_config(
        &sub,
        &format!(
            "state:\n  redis:\n    url: {}\n    key_prefix: {prefix}\n    on_unavailable: {on_unavailable}\n    timeout_ms: 300\n",
            redis.url()
        ),
    );
    Config::load(&path).unwrap_or_else(|e| panic!("{e}"))
}

fn memory_config(dir: &Path, name: &str) -> Config {
    let sub = dir.join(name);
    std::fs::create_dir_all(&sub).unwrap();
    Config::load(&default_config(&sub, "")).unwrap()
}

/// An outgoing transfer of `value` USD `minutes_ago`, to an account.
fn transfer(id: &str, customer: &str, minutes_ago: i64, value: u32) -> Transaction {
    let at = (Utc::now() - chrono::Duration::minutes(minutes_ago)).to_rfc3339();
    Transaction::from_json(&format!(
        r#"{{"id":"{id}","timestamp":"{at}","customer_id":"{customer}","direction":"outgoing",
            "amount":"{value}","currency":"USD","value":"{value}",
            "beneficiary":{{"name":"Olena Kovalenko","kind":"person","account":"UA213223130000026007233566001"}}}}"#
    ))
    .unwrap_or_else(|e| panic!("{e}"))
}

fn fired(d: &Decision, rule: &str) -> bool {
    d.reasons.iter().any(|f| f.rule_id == rule)
}

const STRUCTURING: &str = "structuring-under-10k";

#[test]
#[ignore = "needs redis-server: run by .ci/run (cargo test --release -- --ignored)"]
fn structuring_split_across_two_instances_is_held() {
    let dir = tempfile::tempdir().unwrap();
    let redis = RedisServer::start(dir.path());
    let a = Screener::from_config(&config(dir.path(), &redis, "split", "hold")).unwrap();
    let b = Screener::from_config(&config(dir.path(), &redis, "split", "hold")).unwrap();
    // three transfers just under 10,000 within a day, alternating instances
    let third = transfer("s-3", "c-split", 30, 9_300);
    let t1 = a.screen(&transfer("s-1", "c-split", 50, 9_500)).unwrap();
    let t2 = b.screen(&transfer("s-2", "c-split", 40, 9_400)).unwrap();
    let t3 = a.screen(&third).unwrap();
    assert!(
        !fired(&t1, STRUCTURING) && !fired(&t2, STRUCTURING),
        "{t2:?}"
    );
    assert!(
        fired(&t3, STRUCTURING),
        "the third piece, seen with the other instance's: {t3:?}"
    );
    assert!(t3.action >= Action::Hold, "{t3:?}");

    // the same split over two in-process histories goes unseen: this is
    // what sharing the history changes
    let m = memory_config(dir.path(), "mem");
    let (x, y) = (
        Screener::from_config(&m).unwrap(),
        Screener::from_config(&m).unwrap(),
    );
    x.screen(&transfer("s-1", "c-split", 50, 9_500)).unwrap();
    y.screen(&transfer("s-2", "c-split", 40, 9_400)).unwrap();
    let unseen = x.screen(&transfer("s-3", "c-split", 30, 9_300)).unwrap();
    assert!(!fired(&unseen, STRUCTURING), "{unseen:?}");

    // a transaction repeated on the other instance gets its recorded
    // decision, and its id on other content is refused there too
    let again = b.screen(&third).unwrap();
    assert_eq!((again.action, again.score), (t3.action, t3.score));
    let reused = b.screen(&transfer("s-3", "c-split", 30, 10)).unwrap_err();
    assert_eq!(reused.code(), "reused_id", "{reused}");
    let health = a.history_health();
    assert!(health.available && health.backend == "redis", "{health:?}");
    // two scripts per new transaction (plus a load on each SHA's first use)
    assert!(health.round_trips <= 2 * 3 + 2, "{health:?}");
}

#[test]
#[ignore = "needs redis-server: run by .ci/run (cargo test --release -- --ignored)"]
fn decisions_are_the_same_as_with_the_in_process_history() {
    let dir = tempfile::tempdir().unwrap();
    let redis = RedisServer::start(dir.path());
    let shared = Screener::from_config(&config(dir.path(), &redis, "same", "hold")).unwrap();
    let local = Screener::from_config(&memory_config(dir.path(), "mem")).unwrap();
    // three customers, a day of transfers each: sizes that fire the
    // structuring, velocity and large-amount rules somewhere, to new and
    // repeated counterparties, one returned
    let mut txs = Vec::new();
    for c in 0..3 {
        for i in 0..40 {
            let value = [9_200, 300, 12_000, 800, 9_900][(i + c) % 5] as u32;
            let mut tx = transfer(
                &format!("e-{c}-{i}"),
                &format!("c-{c}"),
                1_400 - i as i64 * 30,
                value,
            );
            if i % 7 == 3 {
                tx.beneficiary.as_mut().unwrap().account =
                    Some(format!("UA2132231300000260072335660{i:02}"));
            }
            txs.push(tx);
        }
    }
    let mut fired_any = 0;
    for tx in &txs {
        let (s, l) = (shared.screen(tx).unwrap(), local.screen(tx).unwrap());
        let ids = |d: &Decision| {
            d.reasons
                .iter()
                .map(|f| f.rule_id.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(
            (s.action, s.risk, s.score),
            (l.action, l.risk, l.score),
            "{}",
            tx.id
        );
        assert_eq!(ids(&s), ids(&l), "{}", tx.id);
        fired_any += usize::from(!s.reasons.is_empty());
    }
    assert!(
        fired_any >= 10,
        "the workload must exercise the rules ({fired_any})"
    );
    // and repeats answer the same from either
    for tx in txs.iter().step_by(9) {
        assert_eq!(
            shared.screen(tx).unwrap().score,
            local.screen(tx).unwrap().score
        );
    }
}

#[test]
#[ignore = "needs redis-server: run by .ci/run (cargo test --release -- --ignored)"]
fn redis_down_holds_with_the_reason_and_screening_recovers_after_restart() {
    let dir = tempfile::tempdir().unwrap();
    let mut redis = RedisServer::start(dir.path());
    let s = Screener::from_config(&config(dir.path(), &redis, "fault", "hold")).unwrap();
    let clean = s.screen(&transfer("f-1", "c-fault", 60, 100)).unwrap();
    assert_eq!(clean.action, Action::Allow, "{clean:?}");
    s.screen(&transfer("f-2", "c-fault", 50, 9_500)).unwrap();
    s.screen(&transfer("f-3", "c-fault", 45, 9_400)).unwrap();

    redis.kill();
    // a transfer that alone is clean is held while the history is away,
    // saying why; none is allowed
    for i in 0..5 {
        let d = s
            .screen(&transfer(&format!("f-down-{i}"), "c-fault", 40 - i, 100))
            .unwrap();
        assert_eq!(d.action, Action::Hold, "{d:?}");
        let reason = d
            .reasons
            .iter()
            .find(|f| f.rule_id == "state.unavailable")
            .expect("the reason");
        assert!(
            reason.message.contains("customer history unavailable"),
            "{}",
            reason.message
        );
    }
    let health = s.history_health();
    assert!(
        !health.available && health.unavailable_since.is_some(),
        "{health:?}"
    );
    assert_eq!(health.failed, 5, "{health:?}");

    redis.restart();
    // after the backoff, screening uses the history again: the earlier
    // pieces (fsynced before the kill) are still there
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut attempt = 0;
    let third = loop {
        attempt += 1;
        let d = s
            .screen(&transfer(&format!("f-4-{attempt}"), "c-fault", 30, 9_300))
            .unwrap();
        if !d.reasons.iter().any(|f| f.rule_id == "state.unavailable") {
            break d;
        }
        assert!(Instant::now() < deadline, "did not reconnect: {d:?}");
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(
        fired(&third, STRUCTURING),
        "history survived the restart: {third:?}"
    );
    assert!(s.history_health().available);
}

#[test]
#[ignore = "needs redis-server: run by .ci/run (cargo test --release -- --ignored)"]
fn unreachable_redis_blocks_or_refuses_as_configured_and_a_dead_url_is_refused_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let mut redis = RedisServer::start(dir.path());
    let block = Screener::from_config(&config(dir.path(), &redis, "b", "block")).unwrap();
    let error = Screener::from_config(&config(dir.path(), &redis, "e", "error")).unwrap();
    // a server that may evict keys would shorten histories unseen: refused
    redis.command(&["CONFIG", "SET", "maxmemory-policy", "volatile-lru"]);
    let evicting = Screener::from_config(&config(dir.path(), &redis, "v", "hold")).unwrap_err();
    assert!(
        evicting
            .to_string()
            .contains("maxmemory-policy is volatile-lru"),
        "{evicting}"
    );
    redis.kill();
    let d = block.screen(&transfer("u-1", "c-u", 10, 100)).unwrap();
    assert_eq!(d.action, Action::Block, "{d:?}");
    let e = error.screen(&transfer("u-2", "c-u", 10, 100)).unwrap_err();
    assert_eq!(e.code(), "history_unavailable", "{e}");
    // a screener is not started on a server that does not answer
    let refused = Screener::from_config(&config(dir.path(), &redis, "x", "hold")).unwrap_err();
    assert!(refused.to_string().contains("Redis"), "{refused}");
}

#[test]
#[ignore = "needs redis-server: run by .ci/run (cargo test --release -- --ignored)"]
fn instances_writing_one_customer_at_once_lose_no_transfer() {
    let dir = tempfile::tempdir().unwrap();
    let redis = RedisServer::start(dir.path());
    let screeners: Vec<Arc<Screener>> = (0..2)
        .map(|_| {
            Arc::new(Screener::from_config(&config(dir.path(), &redis, "race", "error")).unwrap())
        })
        .collect();
    let threads: Vec<_> = (0..4)
        .map(|t| {
            let s = Arc::clone(&screeners[t % 2]);
            std::thread::spawn(move || {
                for i in 0..50 {
                    s.screen(&transfer(&format!("r-{t}-{i}"), "c-race", 100 - i, 50))
                        .unwrap_or_else(|e| panic!("{e}"));
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    // every transfer is in the shared history once
    let tag: String = "c-race".bytes().map(|b| format!("{b:02x}")).collect();
    let card = redis.command(&["ZCARD", &format!("race:{{{tag}}}:t")]);
    assert_eq!(card.trim(), ":200", "{card}");
    let version = redis.command(&["GET", &format!("race:{{{tag}}}:v")]);
    assert!(
        version.contains("\r\n200\r\n"),
        "one write per transfer: {version}"
    );
    let ttl = redis.command(&["PTTL", &format!("race:{{{tag}}}:e")]);
    let ttl: i64 = ttl.trim().trim_start_matches(':').parse().unwrap();
    assert!(
        ttl > 24 * 3_600_000,
        "keys expire after the retention plus a margin: {ttl}"
    );
}
