//! `amlscreen serve` (issue 19) through real HTTP on an ephemeral loopback
//! port: every endpoint, every role allowed and refused, JSON errors with a
//! stable kind, batches with bad lines, limits, a failed reload that keeps
//! the service ready on the old engine, SIGHUP reloads, SIGTERM draining a
//! batch in flight, and the committed OpenAPI document.

use std::io::{BufRead, BufReader, Read};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::common::repo;

const SCREEN: &str = "screen-token-0123456789abcdef";
const REVIEW: &str = "review-token-0123456789abcdef";
const ADMIN: &str = "admin-token-0123456789abcdef";

fn sha256(token: &str) -> String {
    amlscreen::server::auth::hash_hex(token)
}

/// A running service over its own copy of the sample watchlist, with a
/// store and an audit log in a temporary directory.
struct Service {
    dir: tempfile::TempDir,
    child: Child,
    base: String,
    stderr: mpsc::Receiver<String>,
}

impl Service {
    /// Starts with tokens (one per role) and `extra` under `server:`.
    fn start(server_extra: &str) -> Service {
        let tokens = format!(
            "server:\n  tokens:\n    - name: screener-app\n      sha256: {}\n      roles: [screen]\n    \
             - name: alice\n      sha256: {}\n      roles: [review]\n    \
             - name: ops\n      sha256: {}\n      roles: [admin]\n{server_extra}",
            sha256(SCREEN),
            sha256(REVIEW),
            sha256(ADMIN)
        );
        Service::start_with(&tokens, "127.0.0.1:0")
    }

    /// `server` is appended; unless it has its own `store:` and `audit:`
    /// sections the store is `cases.db` and the audit log
    /// `audit/audit.jsonl` beside the config.
    fn config_text(dir: &std::path::Path, server: &str) -> String {
        let own = |section: &str, default: &'static str| {
            if server.contains(section) {
                ""
            } else {
                default
            }
        };
        format!(
            "lists:\n  - source: watchlist\n    path: watchlist.csv\nrules: {}\n\
             list_guard:\n  history: history.json\n{}{}{server}",
            dir.join("rules").display(),
            own("audit:", "audit:\n  path: audit/audit.jsonl\n"),
            own("store:", "store:\n  path: cases.db\n"),
        )
    }

    fn start_with(server: &str, listen: &str) -> Service {
        let dir = tempfile::tempdir().unwrap();
        std::fs::copy(
            repo().join("sanctions/sample_watchlist.csv"),
            dir.path().join("watchlist.csv"),
        )
        .unwrap();
        copy_dir(&repo().join("rules"), &dir.path().join("rules"));
        std::fs::write(
            dir.path().join("amlscreen.yaml"),
            Service::config_text(dir.path(), server),
        )
        .unwrap();
        let (child, base, stderr, _) = spawn(&dir.path().join("amlscreen.yaml"), listen)
            .unwrap_or_else(|e| panic!("the service did not start: {e}"));
        let service = Service {
            dir,
            child,
            base,
            stderr,
        };
        service.wait_ready();
        service
    }

    fn wait_ready(&self) {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let (status, _) = self.call("GET", "/readyz", None, None);
            if status == 200 {
                return;
            }
            assert!(Instant::now() < deadline, "not ready within 60 s");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// One request; the status and the body.
    fn call(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<(&str, &str)>,
    ) -> (u16, String) {
        call(&self.base, method, path, token, body)
    }

    fn json(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> (u16, Value) {
        let text = body.map(Value::to_string);
        let (status, out) = self.call(
            method,
            path,
            token,
            text.as_deref().map(|t| ("application/json", t)),
        );
        let value = serde_json::from_str(&out)
            .unwrap_or_else(|e| panic!("{method} {path}: {status} not JSON ({e}): {out}"));
        (status, value)
    }

    fn signal(&self, signal: i32) {
        let pid = i32::try_from(self.child.id()).unwrap();
        // SAFETY: kill(2) on our own child's pid
        assert_eq!(unsafe { libc::kill(pid, signal) }, 0);
    }

    /// Waits for the process to exit: its status and everything it
    /// printed on stderr.
    fn wait(&mut self) -> (std::process::ExitStatus, String) {
        let deadline = Instant::now() + Duration::from_secs(60);
        let status = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break status;
            }
            assert!(Instant::now() < deadline, "the service did not stop");
            std::thread::sleep(Duration::from_millis(20));
        };
        let mut err = String::new();
        while let Ok(line) = self.stderr.recv_timeout(Duration::from_secs(1)) {
            err.push_str(&line);
            err.push('\n');
        }
        (status, err)
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// Starts `amlscreen serve`; its base URL once it says where it listens,
/// and its stderr lines as they come.
fn spawn(
    config: &std::path::Path,
    listen: &str,
) -> Result<(Child, String, mpsc::Receiver<String>, String), String> {
    let mut child = Command::new(env!("CARGO_BIN_EXE_amlscreen"))
        .args([
            "--config",
            &config.display().to_string(),
            "serve",
            "--listen",
            listen,
            "--drain",
            "60",
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| e.to_string())?;
    let stderr = child.stderr.take().unwrap();
    let (send, lines) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines() {
            let Ok(line) = line else { break };
            if send.send(line).is_err() {
                break;
            }
        }
    });
    let mut seen = String::new();
    loop {
        match lines.recv_timeout(Duration::from_secs(60)) {
            Ok(line) => {
                if let Some(url) = line.split("listening on http").nth(1) {
                    let url = format!("http{url}");
                    return Ok((child, url.trim().to_owned(), lines, seen));
                }
                seen.push_str(&line);
                seen.push('\n');
            }
            Err(_) => {
                let status = child.wait().map_err(|e| e.to_string())?;
                return Err(format!("exited {status}: {seen}"));
            }
        }
    }
}

fn agent() -> ureq::Agent {
    ureq::AgentBuilder::new()
        .timeout(Duration::from_secs(120))
        .build()
}

fn call(
    base: &str,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<(&str, &str)>,
) -> (u16, String) {
    let mut request = agent().request(method, &format!("{base}{path}"));
    if let Some(token) = token {
        request = request.set("Authorization", &format!("Bearer {token}"));
    }
    let result = match body {
        Some((content_type, text)) => request.set("Content-Type", content_type).send_string(text),
        None => request.call(),
    };
    match result {
        Ok(response) => (response.status(), response.into_string().unwrap()),
        Err(ureq::Error::Status(status, response)) => (status, response.into_string().unwrap()),
        Err(e) => panic!("{method} {path}: {e}"),
    }
}

fn tx(id: &str, customer: &str, beneficiary: Value) -> Value {
    json!({
        "id": id, "timestamp": chrono::Utc::now().to_rfc3339(), "customer_id": customer,
        "direction": "outgoing", "amount": "100", "currency": "USDT", "value": "100",
        "beneficiary": beneficiary
    })
}

fn clean(id: &str, customer: &str) -> Value {
    tx(
        id,
        customer,
        json!({"name": "Olena Kovalenko", "kind": "person"}),
    )
}

#[test]
fn every_endpoint_answers_each_role_and_refuses_the_others() {
    let s = Service::start("");
    // health needs no token
    assert_eq!(s.call("GET", "/healthz", None, None).0, 200);
    let (status, ready) = s.json("GET", "/readyz", None, None);
    assert_eq!((status, ready["status"].as_str()), (200, Some("ready")));

    // screening: screen role only
    let body = clean("t-1", "c-1");
    let (status, decision) = s.json("POST", "/v1/screen", Some(SCREEN), Some(&body));
    assert_eq!((status, decision["action"].as_str()), (200, Some("allow")));
    for (token, expected, kind) in [
        (None, 401, "unauthorized"),
        (Some("not-a-token"), 401, "unauthorized"),
        (Some(REVIEW), 403, "forbidden"),
        (Some(ADMIN), 403, "forbidden"),
    ] {
        let (status, err) = s.json("POST", "/v1/screen", token, Some(&body));
        assert_eq!(
            (status, err["kind"].as_str()),
            (expected, Some(kind)),
            "{err}"
        );
        // the secret is never echoed
        assert!(!err.to_string().contains("token-0123"), "{err}");
    }

    // a bad body: the field at fault
    let mut bad = clean("t-2", "c-1");
    bad["amount"] = json!("ten");
    let (status, err) = s.json("POST", "/v1/screen", Some(SCREEN), Some(&bad));
    assert_eq!(status, 400, "{err}");
    assert_eq!(err["kind"], "json");
    assert_eq!(err["field"], "amount");
    let (status, err) = s.json(
        "POST",
        "/v1/screen",
        Some(SCREEN),
        Some(&tx(
            "t-3",
            "c-1",
            json!({"name": "Olena", "kind": "person", "country": "Atlantis"}),
        )),
    );
    assert_eq!(
        (status, err["kind"].as_str()),
        (422, Some("invalid_transaction")),
        "{err}"
    );
    assert_eq!(err["field"], "beneficiary.country");
    // the same id for another transaction
    let mut reused = clean("t-1", "c-1");
    reused["amount"] = json!("999");
    reused["value"] = json!("999");
    let (status, err) = s.json("POST", "/v1/screen", Some(SCREEN), Some(&reused));
    assert_eq!(
        (status, err["kind"].as_str()),
        (409, Some("reused_id")),
        "{err}"
    );

    // a name alone holds; the case is the reviewer's
    let named = tx(
        "t-4",
        "c-2",
        json!({"name": "Vladimir Putin", "kind": "person"}),
    );
    let (status, held) = s.json("POST", "/v1/screen", Some(SCREEN), Some(&named));
    assert_eq!(
        (status, held["action"].as_str()),
        (200, Some("hold")),
        "{held}"
    );
    let case = held["case"].as_u64().expect("a hold opens a case");

    // matching names
    let (status, hits) = s.json(
        "POST",
        "/v1/match",
        Some(SCREEN),
        Some(&json!({"name": "Путин Владимир Владимирович", "kind": "person"})),
    );
    assert_eq!(status, 200, "{hits}");
    assert_eq!(hits["hits"][0]["entity_id"], "wl:ofac-35096", "{hits}");
    assert!(hits["hits"][0]["printed"]
        .as_str()
        .unwrap()
        .contains("PUTIN"));
    let (status, err) = s.json(
        "POST",
        "/v1/match",
        Some(SCREEN),
        Some(&json!({"name": "x", "limit": 0})),
    );
    assert_eq!(
        (status, err["field"].as_str()),
        (422, Some("limit")),
        "{err}"
    );
    assert_eq!(
        s.json(
            "POST",
            "/v1/match",
            Some(REVIEW),
            Some(&json!({"name": "x"}))
        )
        .0,
        403
    );

    // cases: review role only
    let (status, open) = s.json("GET", "/v1/cases?status=open", Some(REVIEW), None);
    assert_eq!(status, 200);
    assert!(
        open.as_array().unwrap().iter().any(|c| c["id"] == case),
        "{open}"
    );
    let (_, by_reason) = s.json(
        "GET",
        "/v1/cases?reason=sanctions_name&customer=c-2",
        Some(REVIEW),
        None,
    );
    assert_eq!(by_reason.as_array().unwrap().len(), 1, "{by_reason}");
    let (_, none) = s.json("GET", "/v1/cases?reason=platform", Some(REVIEW), None);
    assert!(none.as_array().unwrap().is_empty(), "{none}");
    assert_eq!(s.json("GET", "/v1/cases", Some(SCREEN), None).0, 403);
    assert_eq!(
        s.json("GET", "/v1/cases?status=sideways", Some(REVIEW), None)
            .0,
        400
    );
    let (status, one) = s.json("GET", &format!("/v1/cases/{case}"), Some(REVIEW), None);
    assert_eq!(
        (status, one["status"].as_str()),
        (200, Some("open")),
        "{one}"
    );
    assert!(one["entries"][0]["printed"]
        .as_str()
        .unwrap()
        .contains("PUTIN"));
    assert_eq!(s.json("GET", "/v1/cases/999999", Some(REVIEW), None).0, 404);
    assert_eq!(s.json("GET", "/v1/cases/abc", Some(REVIEW), None).0, 400);

    // resolve: a note is required; the token's name is the reviewer
    let (status, err) = s.json(
        "POST",
        &format!("/v1/cases/{case}/resolve"),
        Some(REVIEW),
        Some(&json!({"outcome": "false_positive", "note": " "})),
    );
    assert_eq!(
        (status, err["field"].as_str()),
        (422, Some("note")),
        "{err}"
    );
    let (status, err) = s.json(
        "POST",
        &format!("/v1/cases/{case}/resolve"),
        Some(REVIEW),
        Some(&json!({"outcome": "maybe", "note": "x"})),
    );
    assert_eq!(
        (status, err["field"].as_str()),
        (400, Some("outcome")),
        "{err}"
    );
    let resolve = json!({"outcome": "false_positive", "note": "another man, born 1990", "reviewer": "mallory"});
    assert_eq!(
        s.json(
            "POST",
            &format!("/v1/cases/{case}/resolve"),
            Some(SCREEN),
            Some(&resolve)
        )
        .0,
        403
    );
    let (status, done) = s.json(
        "POST",
        &format!("/v1/cases/{case}/resolve"),
        Some(REVIEW),
        Some(&resolve),
    );
    assert_eq!(status, 200, "{done}");
    assert_eq!(
        done["actions"][0]["reviewer"], "alice",
        "a token's name, not the body's"
    );
    let (status, err) = s.json(
        "POST",
        &format!("/v1/cases/{case}/resolve"),
        Some(REVIEW),
        Some(&resolve),
    );
    assert_eq!(
        (status, err["kind"].as_str()),
        (409, Some("refused")),
        "{err}"
    );
    // the cleared name no longer holds the same subject
    let again = tx(
        "t-5",
        "c-2",
        json!({"name": "Vladimir Putin", "kind": "person"}),
    );
    let (_, d) = s.json("POST", "/v1/screen", Some(SCREEN), Some(&again));
    assert_eq!(d["action"], "allow", "{d}");

    // customers
    let profile = json!({"names": ["Ivan Petrenko"], "kind": "person", "birth_date": "1980-02-03"});
    let (status, report) = s.json("PUT", "/v1/customers/c-9", Some(REVIEW), Some(&profile));
    assert_eq!(
        (status, report["added"].as_u64()),
        (200, Some(1)),
        "{report}"
    );
    let (status, err) = s.json(
        "PUT",
        "/v1/customers/c-9",
        Some(REVIEW),
        Some(&json!({"id": "c-8", "names": ["A"], "kind": "person"})),
    );
    assert_eq!((status, err["field"].as_str()), (422, Some("id")), "{err}");
    let (status, err) = s.json(
        "PUT",
        "/v1/customers/c-9",
        Some(REVIEW),
        Some(&json!({"names": [], "kind": "person"})),
    );
    assert_eq!(
        (status, err["kind"].as_str()),
        (422, Some("invalid_customer")),
        "{err}"
    );
    assert_eq!(
        s.json("PUT", "/v1/customers/c-9", Some(SCREEN), Some(&profile))
            .0,
        403
    );
    let note = json!({"note": "court order 12/2026"});
    let (status, frozen) = s.json(
        "POST",
        "/v1/customers/c-9/freeze",
        Some(REVIEW),
        Some(&note),
    );
    assert_eq!(status, 200, "{frozen}");
    let (_, d) = s.json(
        "POST",
        "/v1/screen",
        Some(SCREEN),
        Some(&clean("t-6", "c-9")),
    );
    assert_eq!(d["action"], "block", "a frozen account blocks: {d}");
    let (status, view) = s.json("GET", "/v1/customers/c-9", Some(REVIEW), None);
    assert_eq!(status, 200);
    assert_eq!(view["customer"]["status"], "frozen", "{view}");
    assert_eq!(view["profile"]["names"][0], "Ivan Petrenko", "{view}");
    assert!(!view["cases"].as_array().unwrap().is_empty(), "{view}");
    assert_eq!(
        s.json(
            "POST",
            "/v1/customers/c-9/unfreeze",
            Some(REVIEW),
            Some(&note)
        )
        .0,
        200
    );
    let (_, d) = s.json(
        "POST",
        "/v1/screen",
        Some(SCREEN),
        Some(&clean("t-7", "c-9")),
    );
    assert_eq!(d["action"], "allow", "{d}");
    assert_eq!(
        s.json(
            "POST",
            "/v1/customers/c-9/enhance",
            Some(REVIEW),
            Some(&note)
        )
        .0,
        200
    );
    let (_, d) = s.json(
        "POST",
        "/v1/screen",
        Some(SCREEN),
        Some(&clean("t-8", "c-9")),
    );
    assert_eq!(
        d["action"], "hold",
        "enhanced due diligence holds outgoing: {d}"
    );
    assert_eq!(
        s.json("POST", "/v1/customers/c-9/freeze", Some(ADMIN), Some(&note))
            .0,
        403
    );

    // admin: lists and reload
    let (status, lists) = s.json("GET", "/v1/lists", Some(ADMIN), None);
    assert_eq!(status, 200, "{lists}");
    assert_eq!(lists["lists"][0]["entities"], 13, "{lists}");
    assert!(
        lists["lists"][0]["age_seconds"].as_i64().is_some(),
        "{lists}"
    );
    assert_eq!(s.json("GET", "/v1/lists", Some(REVIEW), None).0, 403);
    let (status, reloaded) = s.json("POST", "/v1/reload", Some(ADMIN), None);
    assert_eq!(
        (status, reloaded["changed"].as_bool()),
        (200, Some(false)),
        "{reloaded}"
    );
    assert_eq!(s.json("POST", "/v1/reload", Some(SCREEN), None).0, 403);

    // the API document and the review page are served, the page with its
    // own-origin-only policy
    let (status, doc) = s.call("GET", "/openapi.json", None, None);
    assert_eq!(status, 200);
    assert_eq!(doc, amlscreen::server::openapi_json());
    let page = agent().get(&format!("{}/ui", s.base)).call().unwrap();
    let policy = page
        .header("Content-Security-Policy")
        .unwrap_or_default()
        .to_owned();
    assert!(policy.contains("default-src 'self'"), "{policy}");
    assert!(page.into_string().unwrap().contains("Review token"));

    // unknown paths and methods are JSON too
    let (status, err) = s.json("GET", "/v2/nothing", None, None);
    assert_eq!((status, err["kind"].as_str()), (404, Some("not_found")));
    let (status, err) = s.json("DELETE", "/v1/screen", Some(SCREEN), None);
    assert_eq!(
        (status, err["kind"].as_str()),
        (405, Some("method_not_allowed"))
    );

    // metrics
    let (status, text) = s.call("GET", "/metrics", None, None);
    assert_eq!(status, 200);
    for needle in [
        "amlscreen_decisions_total{action=\"allow\"} 3",
        "amlscreen_decisions_total{action=\"hold\"} 2",
        "amlscreen_decisions_total{action=\"block\"} 1",
        "amlscreen_decision_reasons_total{kind=\"sanctions_name\"} 1",
        "amlscreen_screen_errors_total{kind=\"json\"} 1",
        "amlscreen_screen_errors_total{kind=\"reused_id\"} 1",
        "amlscreen_screen_duration_seconds_count 9",
        "amlscreen_reloads_total 1",
        "amlscreen_reload_failures_total 0",
        "amlscreen_cases{status=\"open\"} 2",
        "amlscreen_ready 1",
        "amlscreen_list_age_seconds{list=\"watchlist:",
    ] {
        assert!(text.contains(needle), "{needle} not in\n{text}");
    }
    // the audit chain holds every decision and staff action
    drop(s.call("GET", "/healthz", None, None));
    s.signal(libc::SIGTERM);
    let audit = s.path("audit/audit.jsonl");
    let config = s.path("amlscreen.yaml");
    let mut s = s;
    let (status, _) = s.wait();
    assert!(status.success());
    let out = crate::common::amlscreen(
        &[
            "--config",
            &config.display().to_string(),
            "audit",
            "verify",
            &audit.display().to_string(),
        ],
        b"",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(audit.exists());
}

#[test]
fn a_batch_answers_in_order_with_bad_lines_in_their_place() {
    let s = Service::start("  max_batch: 50\n");
    let lines = [
        clean("b-1", "c-1").to_string(),
        "{not json".to_owned(),
        String::new(),
        tx(
            "b-2",
            "c-2",
            json!({"name": "Vladimir Putin", "kind": "person"}),
        )
        .to_string(),
        json!({"id": "b-3"}).to_string(),
        clean("b-4", "c-1").to_string(),
    ];
    let body = lines.join("\n");
    let (status, out) = s.call(
        "POST",
        "/v1/screen/batch",
        Some(SCREEN),
        Some(("application/x-ndjson", &body)),
    );
    assert_eq!(status, 200, "{out}");
    let entries: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(entries.len(), 5, "one per non-blank line: {out}");
    assert_eq!(entries[0]["transaction_id"], "b-1");
    assert_eq!(entries[1]["line"], 2);
    assert_eq!(entries[1]["error"]["kind"], "json");
    assert_eq!(entries[2]["action"], "hold");
    assert_eq!(entries[3]["line"], 5);
    assert_eq!(entries[3]["index"], 3);
    assert_eq!(entries[4]["transaction_id"], "b-4");

    // a JSON array answers an array
    let array = json!([clean("a-1", "c-3"), {"id": 7}, clean("a-2", "c-3")]).to_string();
    let (status, out) = s.call(
        "POST",
        "/v1/screen/batch",
        Some(SCREEN),
        Some(("application/json", &array)),
    );
    assert_eq!(status, 200, "{out}");
    let entries: Vec<Value> = serde_json::from_str(&out).unwrap();
    assert_eq!(entries.len(), 3);
    assert_eq!(entries[1]["index"], 1);
    assert_eq!(entries[1]["error"]["field"], "id");
    assert_eq!(entries[2]["transaction_id"], "a-2");

    // not an array: the whole request is refused, saying why
    let (status, out) = s.call(
        "POST",
        "/v1/screen/batch",
        Some(SCREEN),
        Some(("application/json", "{}")),
    );
    assert_eq!(status, 400, "{out}");
    // more than max_batch
    let many: Vec<Value> = (0..51).map(|i| clean(&format!("m-{i}"), "c-4")).collect();
    let (status, out) = s.call(
        "POST",
        "/v1/screen/batch",
        Some(SCREEN),
        Some(("application/json", &Value::from(many).to_string())),
    );
    assert_eq!(status, 413, "{out}");
    assert!(out.contains("batch_too_large"), "{out}");
    assert_eq!(
        s.call(
            "POST",
            "/v1/screen/batch",
            Some(REVIEW),
            Some(("application/json", "[]"))
        )
        .0,
        403
    );
}

#[test]
fn bodies_over_the_limit_are_refused_as_json() {
    let s = Service::start("  max_body_bytes: 2000\n");
    let mut big = clean("x-1", "c-1");
    big["memo"] = json!("m".repeat(3000));
    let (status, err) = s.json("POST", "/v1/screen", Some(SCREEN), Some(&big));
    assert_eq!(
        (status, err["kind"].as_str()),
        (413, Some("body_too_large")),
        "{err}"
    );
}

#[test]
fn a_failed_reload_keeps_the_engine_in_force_and_the_service_ready() {
    let s = Service::start("");
    let (_, before) = s.json("GET", "/readyz", None, None);
    // a rule file that does not parse
    std::fs::write(s.path("rules/broken.yaml"), "rules:\n  - id: [unclosed\n").unwrap();
    let (status, err) = s.json("POST", "/v1/reload", Some(ADMIN), None);
    assert_eq!(status, 422, "{err}");
    assert!(
        matches!(err["kind"].as_str(), Some("rules") | Some("config")),
        "{err}"
    );
    assert!(
        err["message"].as_str().unwrap().contains("stays in force"),
        "{err}"
    );
    let (status, after) = s.json("GET", "/readyz", None, None);
    assert_eq!(status, 200);
    assert_eq!(before["engine"], after["engine"]);
    let (status, d) = s.json(
        "POST",
        "/v1/screen",
        Some(SCREEN),
        Some(&tx(
            "r-1",
            "c-1",
            json!({"name": "Vladimir Putin", "kind": "person"}),
        )),
    );
    assert_eq!((status, d["action"].as_str()), (200, Some("hold")), "{d}");
    let (_, metrics) = s.call("GET", "/metrics", None, None);
    assert!(
        metrics.contains("amlscreen_reload_failures_total 1"),
        "{metrics}"
    );

    // fixed, and reloaded by SIGHUP: a new list entry is in force
    std::fs::remove_file(s.path("rules/broken.yaml")).unwrap();
    let mut list = std::fs::read_to_string(s.path("watchlist.csv")).unwrap();
    list.push_str("wl:test-1,\"ZAPOROZHETS, Hnat\",,person,,UA,,test\n");
    std::fs::write(s.path("watchlist.csv"), list).unwrap();
    s.signal(libc::SIGHUP);
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let (_, ready) = s.json("GET", "/readyz", None, None);
        if ready["engine"] != before["engine"] {
            break;
        }
        assert!(Instant::now() < deadline, "SIGHUP did not reload");
        std::thread::sleep(Duration::from_millis(50));
    }
    let (_, hits) = s.json(
        "POST",
        "/v1/match",
        Some(SCREEN),
        Some(&json!({"name": "Hnat Zaporozhets"})),
    );
    assert_eq!(hits["hits"][0]["entity_id"], "wl:test-1", "{hits}");
}

#[test]
fn sigterm_lets_a_batch_in_flight_finish_and_flushes_the_audit_log() {
    let s = Service::start("  max_batch: 20000\n");
    let n = 6000;
    let body: String = (0..n)
        .map(|i| format!("{}\n", clean(&format!("d-{i}"), &format!("c-{}", i % 50))))
        .collect();
    let base = s.base.clone();
    // the request goes out; once its answer has begun, SIGTERM
    let agent = agent();
    let response = agent
        .post(&format!("{base}/v1/screen/batch"))
        .set("Authorization", &format!("Bearer {SCREEN}"))
        .set("Content-Type", "application/x-ndjson")
        .send_string(&body)
        .unwrap();
    s.signal(libc::SIGTERM);
    let mut text = String::new();
    response.into_reader().read_to_string(&mut text).unwrap();
    let decisions = text
        .lines()
        .filter(|l| serde_json::from_str::<Value>(l).unwrap()["action"].is_string())
        .count();
    assert_eq!(
        decisions, n,
        "every transaction of the batch in flight is answered"
    );
    let config = s.path("amlscreen.yaml");
    let audit = s.path("audit/audit.jsonl");
    let mut s = s;
    let (status, stderr) = s.wait();
    assert!(status.success(), "{status}: {stderr}");
    assert!(stderr.contains("audit log flushed"), "{stderr}");
    let out = crate::common::amlscreen(
        &[
            "--config",
            &config.display().to_string(),
            "audit",
            "verify",
            &audit.display().to_string(),
        ],
        b"",
    );
    let verify =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{verify}");
    assert!(
        call_refused(&base),
        "the service still answers after stopping"
    );
}

fn call_refused(base: &str) -> bool {
    agent().get(&format!("{base}/healthz")).call().is_err()
}

#[test]
fn without_tokens_the_service_stays_on_loopback() {
    let dir = tempfile::tempdir().unwrap();
    let config = crate::common::default_config(dir.path(), "");
    let err = spawn(&config, "0.0.0.0:0").map(|_| ()).unwrap_err();
    assert!(err.contains("loopback only"), "{err}");
    // on loopback it starts and says so
    let (mut child, base, _, said) = spawn(&config, "127.0.0.1:0").unwrap();
    let (status, _) = call(&base, "GET", "/healthz", None, None);
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(status, 200);
    assert!(said.contains("no API tokens configured"), "{said}");
}

#[test]
fn the_committed_openapi_document_is_the_code_s() {
    let committed = std::fs::read_to_string(repo().join("docs/openapi.json"))
        .expect("docs/openapi.json: write it with `amlscreen serve --openapi > docs/openapi.json`");
    let generated = amlscreen::server::openapi_json();
    if committed != generated {
        if std::env::var_os("AMLSCREEN_WRITE_OPENAPI").is_some() {
            std::fs::write(repo().join("docs/openapi.json"), &generated).unwrap();
        } else {
            panic!(
                "docs/openapi.json differs from the code's document: regenerate it with \
                 `cargo run -- serve --openapi > docs/openapi.json` (or AMLSCREEN_WRITE_OPENAPI=1)"
            );
        }
    }
    let doc: Value = serde_json::from_str(&generated).unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    for path in [
        "/v1/screen",
        "/v1/screen/batch",
        "/v1/match",
        "/v1/cases",
        "/v1/cases/{id}",
        "/v1/cases/{id}/resolve",
        "/v1/customers/{id}",
        "/v1/customers/{id}/freeze",
        "/v1/customers/{id}/unfreeze",
        "/v1/customers/{id}/enhance",
        "/v1/lists",
        "/v1/reload",
        "/healthz",
        "/readyz",
        "/metrics",
    ] {
        assert!(
            doc["paths"].get(path).is_some(),
            "{path} missing from the document"
        );
    }
}

#[test]
fn concurrent_single_screens_each_get_their_own_decision() {
    let s = Service::start("");
    let base = s.base.clone();
    let workers: Vec<_> = (0..16)
        .map(|w| {
            let base = base.clone();
            std::thread::spawn(move || {
                for i in 0..40 {
                    let id = format!("p-{w}-{i}");
                    let name = if i % 10 == 3 {
                        "Vladimir Putin"
                    } else {
                        "Olena Kovalenko"
                    };
                    let body = tx(
                        &id,
                        &format!("c-{}", w % 4),
                        json!({"name": name, "kind": "person"}),
                    );
                    let (status, out) = call(
                        &base,
                        "POST",
                        "/v1/screen",
                        Some(SCREEN),
                        Some(("application/json", &body.to_string())),
                    );
                    assert_eq!(status, 200, "{out}");
                    let d: Value = serde_json::from_str(&out).unwrap();
                    assert_eq!(d["transaction_id"], id.as_str(), "{d}");
                    if name == "Vladimir Putin" {
                        assert_eq!(d["action"], "hold", "{d}");
                        assert!(d["case"].is_u64(), "{d}");
                    }
                }
            })
        })
        .collect();
    for w in workers {
        w.join().unwrap();
    }
    let (_, metrics) = s.call("GET", "/metrics", None, None);
    assert!(
        metrics.contains("amlscreen_screen_duration_seconds_count 640"),
        "{metrics}"
    );
    // every hold and block opened its own case
    let value = |name: &str| -> u64 {
        metrics
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or_else(|| panic!("{name} not in {metrics}"))
    };
    assert_eq!(
        value("amlscreen_cases{status=\"open\"}"),
        value("amlscreen_decisions_total{action=\"hold\"}")
            + value("amlscreen_decisions_total{action=\"block\"}")
    );
}

/// HTTPS with rustls when `--tls-cert` and `--tls-key` are given: a
/// self-signed certificate made by openssl, checked by curl against it.
/// Skipped (saying so) where openssl or curl is missing.
#[test]
fn tls_is_served_with_the_given_certificate() {
    let tools = ["openssl", "curl"];
    if let Some(missing) = tools.iter().find(|t| {
        Command::new(t)
            .arg("--version")
            .output()
            .map_or(true, |o| !o.status.success())
            && Command::new(t)
                .arg("version")
                .output()
                .map_or(true, |o| !o.status.success())
    }) {
        eprintln!("tls test skipped: {missing} is not installed");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    let made = Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=localhost",
        ])
        .args(["-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"])
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .output()
        .unwrap();
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    let config = crate::common::default_config(dir.path(), "");
    let mut child = Command::new(env!("CARGO_BIN_EXE_amlscreen"))
        .args([
            "--config",
            &config.display().to_string(),
            "serve",
            "--listen",
            "127.0.0.1:0",
        ])
        .arg("--tls-cert")
        .arg(&cert)
        .arg("--tls-key")
        .arg(&key)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let url = loop {
        let line = lines
            .next()
            .expect("the service said where it listens")
            .unwrap();
        if let Some(rest) = line.split("listening on ").nth(1) {
            if rest.starts_with("https://") {
                break rest.trim().to_owned();
            }
        }
    };
    let curl = |extra: &[&str]| {
        Command::new("curl")
            .args(["-s", "--max-time", "10"])
            .args(extra)
            .arg(format!("{url}/healthz"))
            .output()
            .unwrap()
    };
    let trusted = curl(&["--cacert", &cert.display().to_string()]);
    let plain = Command::new("curl")
        .args(["-s", "--max-time", "10"])
        .arg(url.replace("https://", "http://") + "/healthz")
        .output()
        .unwrap();
    let untrusted = curl(&[]);
    let _ = child.kill();
    let _ = child.wait();
    assert!(
        trusted.status.success(),
        "{}",
        String::from_utf8_lossy(&trusted.stderr)
    );
    assert!(String::from_utf8_lossy(&trusted.stdout).contains("\"ok\""));
    assert!(
        !untrusted.status.success(),
        "an unknown certificate is not trusted"
    );
    assert!(
        !String::from_utf8_lossy(&plain.stdout).contains("\"ok\""),
        "plain HTTP is not answered on the TLS port"
    );
}

/// Without tokens: only requests to a loopback host, and only JSON bodies
/// (no web page can drive the service through the browser).
#[test]
fn without_tokens_only_local_json_requests_are_answered() {
    let dir = tempfile::tempdir().unwrap();
    let config = crate::common::default_config(dir.path(), "");
    let (mut child, base, _, _) = spawn(&config, "127.0.0.1:0").unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while call(&base, "GET", "/readyz", None, None).0 != 200 {
        assert!(Instant::now() < deadline, "not ready within 60 s");
        std::thread::sleep(Duration::from_millis(50));
    }
    let body = clean("o-1", "c-1").to_string();
    let post = |content_type: &str, host: Option<&str>| {
        let mut request = agent()
            .post(&format!("{base}/v1/screen"))
            .set("Content-Type", content_type);
        if let Some(host) = host {
            request = request.set("Host", host);
        }
        match request.send_string(&body) {
            Ok(r) => (r.status(), r.into_string().unwrap()),
            Err(ureq::Error::Status(s, r)) => (s, r.into_string().unwrap()),
            Err(e) => panic!("{e}"),
        }
    };
    let form = post("application/x-www-form-urlencoded", None);
    let text = post("text/plain", None);
    let rebound = post("application/json", Some("attacker.example:8080"));
    let json = post("application/json", None);
    let localhost = post("application/json", Some("localhost:8080"));
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(form.0, 415, "{}", form.1);
    assert!(form.1.contains("unsupported_media_type"), "{}", form.1);
    assert_eq!(text.0, 415, "{}", text.1);
    assert_eq!(rebound.0, 403, "{}", rebound.1);
    assert_eq!(json.0, 200, "{}", json.1);
    assert_eq!(localhost.0, 200, "{}", localhost.1);
}

/// A client that leaves in the middle of a streamed batch does not take
/// the service down (SIGPIPE), and what it sent is recorded.
#[test]
fn a_client_leaving_mid_batch_does_not_stop_the_service() {
    use std::io::Write;
    let s = Service::start("  max_batch: 20000\n");
    let body: String = (0..8000)
        .map(|i| format!("{}\n", clean(&format!("l-{i}"), &format!("c-{}", i % 50))))
        .collect();
    let address = s.base.trim_start_matches("http://").to_owned();
    for _ in 0..3 {
        let mut stream = std::net::TcpStream::connect(&address).unwrap();
        write!(
            stream,
            "POST /v1/screen/batch HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {SCREEN}\r\n\
             Content-Type: application/x-ndjson\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        )
        .unwrap();
        // read the start of the answer, then leave
        let mut first = [0u8; 256];
        let _ = std::io::Read::read(&mut stream, &mut first).unwrap();
        drop(stream);
        std::thread::sleep(Duration::from_millis(200));
    }
    let (status, _) = s.call("GET", "/healthz", None, None);
    assert_eq!(
        status, 200,
        "the service answers after clients left mid-batch"
    );
}

/// SIGHUP puts the config's tokens in force too: a revoked token stops
/// working without a restart.
#[test]
fn a_reload_revokes_a_removed_token() {
    let s = Service::start("");
    let body = clean("k-1", "c-1");
    assert_eq!(
        s.json("POST", "/v1/screen", Some(SCREEN), Some(&body)).0,
        200
    );
    let config = std::fs::read_to_string(s.path("amlscreen.yaml")).unwrap();
    let without = config.replace(&sha256(SCREEN), &sha256("a-new-screen-token-0123456789"));
    std::fs::write(s.path("amlscreen.yaml"), without).unwrap();
    let (status, _) = s.json("POST", "/v1/reload", Some(ADMIN), None);
    assert_eq!(status, 200);
    let (status, err) = s.json(
        "POST",
        "/v1/screen",
        Some(SCREEN),
        Some(&clean("k-2", "c-1")),
    );
    assert_eq!(
        (status, err["kind"].as_str()),
        (401, Some("unauthorized")),
        "{err}"
    );
    let (status, _) = s.json(
        "POST",
        "/v1/screen",
        Some("a-new-screen-token-0123456789"),
        Some(&clean("k-3", "c-1")),
    );
    assert_eq!(status, 200);
}

/// Two services on one Redis (each with its own store and audit log).
fn two_on_redis(redis: &crate::shared_state::RedisServer) -> (Service, Service) {
    let state = format!(
        "state:\n  redis:\n    url: {}\n    key_prefix: serve\n    timeout_ms: 300\n",
        redis.url()
    );
    (
        Service::start_with(&state, "127.0.0.1:0"),
        Service::start_with(&state, "127.0.0.1:0"),
    )
}

fn transfer_of(id: &str, customer: &str, value: u32) -> Value {
    let mut t = clean(id, customer);
    t["value"] = json!(value.to_string());
    t["amount"] = json!(value.to_string());
    t["currency"] = json!("USD");
    t
}

#[test]
#[ignore = "needs redis-server: run by .ci/run (cargo test --release -- --ignored)"]
fn two_instances_on_one_redis_see_one_history_and_fail_closed_without_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut redis = crate::shared_state::RedisServer::start(dir.path());
    let (a, b) = two_on_redis(&redis);
    // structuring split across the two instances is held
    let mut last = Value::Null;
    for (i, (service, value)) in [(&a, 9_500), (&b, 9_400), (&a, 9_300)]
        .into_iter()
        .enumerate()
    {
        let (status, d) = service.json(
            "POST",
            "/v1/screen",
            None,
            Some(&transfer_of(&format!("split-{i}"), "c-split", value)),
        );
        assert_eq!(status, 200, "{d}");
        last = d;
    }
    let rules: Vec<&str> = last["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["rule_id"].as_str())
        .collect();
    assert!(rules.contains(&"structuring-under-10k"), "{last}");
    assert_ne!(last["action"], "allow", "{last}");
    let (_, health) = b.json("GET", "/healthz", None, None);
    assert_eq!(
        (
            health["status"].as_str(),
            health["history"]["backend"].as_str()
        ),
        (Some("ok"), Some("redis")),
        "{health}"
    );

    // Redis gone: a clean transfer is held, saying why; health says degraded
    redis.kill();
    let (status, d) = b.json("POST", "/v1/screen", None, Some(&clean("down-1", "c-down")));
    assert_eq!(status, 200, "{d}");
    assert_eq!(d["action"], "hold", "{d}");
    assert!(
        d["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["kind"] == "unavailable"),
        "{d}"
    );
    let (status, health) = b.json("GET", "/healthz", None, None);
    assert_eq!(
        (status, health["status"].as_str()),
        (200, Some("degraded")),
        "{health}"
    );
    let (_, metrics) = b.call("GET", "/metrics", None, None);
    assert!(
        metrics.contains("amlscreen_history_available{backend=\"redis\"} 0"),
        "{metrics}"
    );
    // a batch too: every line held, none allowed
    let lines: String = (0..20)
        .map(|i| clean(&format!("down-b-{i}"), "c-down").to_string() + "\n")
        .collect();
    let (status, out) = b.call(
        "POST",
        "/v1/screen/batch",
        None,
        Some(("application/x-ndjson", &lines)),
    );
    assert_eq!(status, 200, "{out}");
    let answers: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(answers.len(), 20);
    assert!(answers.iter().all(|d| d["action"] == "hold"), "{out}");

    // back: screening uses the history again
    redis.restart();
    let deadline = Instant::now() + Duration::from_secs(10);
    for attempt in 0.. {
        let (_, d) = b.json(
            "POST",
            "/v1/screen",
            None,
            Some(&clean(&format!("up-{attempt}"), "c-up")),
        );
        if d["action"] == "allow" {
            break;
        }
        assert!(Instant::now() < deadline, "did not recover: {d}");
        std::thread::sleep(Duration::from_millis(100));
    }
    let (_, health) = b.json("GET", "/healthz", None, None);
    assert_eq!(health["status"], "ok", "{health}");
}

#[test]
#[ignore = "needs redis-server: run by .ci/run (cargo test --release -- --ignored)"]
fn an_instance_killed_mid_batch_loses_no_committed_history() {
    let dir = tempfile::tempdir().unwrap();
    let redis = crate::shared_state::RedisServer::start(dir.path());
    let (mut a, b) = two_on_redis(&redis);
    const N: usize = 1_000;
    let lines: String = (0..N)
        .map(|i| clean(&format!("k-{i}"), "c-kill").to_string() + "\n")
        .collect();
    let base = a.base.clone();
    let body = lines.clone();
    let sender = std::thread::spawn(move || {
        // the connection dies with the process: whatever came back
        let _ = agent()
            .post(&format!("{base}/v1/screen/batch"))
            .set("Content-Type", "application/x-ndjson")
            .send_string(&body);
    });
    // kill -9 once some of the batch is committed to Redis
    let tag: String = "c-kill".bytes().map(|b| format!("{b:02x}")).collect();
    let key = format!("serve:{{{tag}}}:t");
    let deadline = Instant::now() + Duration::from_secs(60);
    let committed = loop {
        let n: usize = redis
            .command(&["ZCARD", &key])
            .trim()
            .trim_start_matches(':')
            .parse()
            .unwrap();
        if n >= 100 {
            a.signal(libc::SIGKILL);
            let _ = a.wait();
            break redis
                .command(&["ZCARD", &key])
                .trim()
                .trim_start_matches(':')
                .parse::<usize>()
                .unwrap();
        }
        assert!(Instant::now() < deadline, "the batch did not start");
        std::thread::sleep(Duration::from_millis(5));
    };
    sender.join().unwrap();
    assert!(committed < N, "killed before the end ({committed})");
    // the whole batch again, on the other instance: what the dead one
    // committed is recognised (not counted twice), the rest is decided
    let (status, out) = b.call(
        "POST",
        "/v1/screen/batch",
        None,
        Some(("application/x-ndjson", &lines)),
    );
    assert_eq!(status, 200);
    assert_eq!(out.lines().count(), N);
    assert!(out.lines().all(|l| !l.contains("\"error\"")), "{out}");
    let n: usize = redis
        .command(&["ZCARD", &key])
        .trim()
        .trim_start_matches(':')
        .parse()
        .unwrap();
    assert_eq!(n, N, "every transfer once");
    let version = redis.command(&["GET", &format!("serve:{{{tag}}}:v")]);
    assert!(
        version.contains(&format!("\r\n{N}\r\n")),
        "one write per transfer: {version}"
    );
}

#[test]
#[ignore = "needs redis-server and PostgreSQL: run by .ci/run (cargo test --release -- --ignored)"]
fn a_reviewer_s_action_through_one_instance_applies_on_the_other_within_a_second() {
    let dir = tempfile::tempdir().unwrap();
    let redis = crate::shared_state::RedisServer::start(&dir.path().join("redis"));
    let pg = crate::pg_server::PgServer::start(&dir.path().join("pg"));
    let shared = |name: &str| {
        format!(
            "state:\n  redis:\n    url: {}\n    key_prefix: pg\nstore:\n  postgres: {}\n\
             audit:\n  path: audit/audit.jsonl\n  instance: {name}\n",
            redis.url(),
            pg.url()
        )
    };
    let a = Service::start_with(&shared("node-a"), "127.0.0.1:0");
    let b = Service::start_with(&shared("node-b"), "127.0.0.1:0");
    let deripaska = |id: &str| {
        tx(
            id,
            "c-namesake",
            json!({"name": "Oleg Deripaska", "kind": "person", "country": "UA"}),
        )
    };

    // a name alone holds on A; the case is in the one store, seen from B
    let (_, held) = a.json("POST", "/v1/screen", None, Some(&deripaska("n-1")));
    assert_eq!(held["action"], "hold", "{held}");
    let case = held["case"].as_u64().expect("a case");
    let (status, seen) = b.json("GET", &format!("/v1/cases/{case}"), None, None);
    assert_eq!(
        (status, seen["status"].as_str()),
        (200, Some("open")),
        "{seen}"
    );

    // cleared as a false positive through A: B stops holding the namesake
    // within a second
    let (status, done) = a.json(
        "POST",
        &format!("/v1/cases/{case}/resolve"),
        None,
        Some(&json!({"outcome": "false_positive", "note": "born 1991; the entry 1968", "reviewer": "alice"})),
    );
    assert_eq!(status, 200, "{done}");
    let cleared = Instant::now();
    let mut n = 1;
    loop {
        n += 1;
        let (_, d) = b.json(
            "POST",
            "/v1/screen",
            None,
            Some(&deripaska(&format!("n-{n}"))),
        );
        if d["action"] == "allow" {
            assert!(
                d["reasons"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|r| r["kind"] == "suppressed"),
                "{d}"
            );
            break;
        }
        assert!(
            cleared.elapsed() < Duration::from_secs(1),
            "still held after a second: {d}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }

    // a freeze through A blocks on B within a second
    let (status, frozen) = a.json(
        "POST",
        "/v1/customers/c-frozen/freeze",
        None,
        Some(&json!({"note": "court order 7/2026", "reviewer": "alice"})),
    );
    assert_eq!(status, 200, "{frozen}");
    let froze = Instant::now();
    let mut n = 0;
    loop {
        n += 1;
        let (_, d) = b.json(
            "POST",
            "/v1/screen",
            None,
            Some(&clean(&format!("f-{n}"), "c-frozen")),
        );
        if d["action"] == "block" {
            break;
        }
        assert!(
            froze.elapsed() < Duration::from_secs(1),
            "not blocked after a second: {d}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}
