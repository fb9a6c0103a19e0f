//! `lists update` against a local HTTP server on 127.0.0.1 that each test
//! starts itself: a good file, a truncated one, an HTML error page served
//! with 200, a timeout, a 500, an implausible shrink, an oversized body.
//! None may leave a partial file in place.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use amlscreen::lists::update::{
    prev_path, update_source, BodyFormat, Source, UpdateError, UpdateReport, UpdateSettings,
};
use amlscreen::lists::SourceKind;

const HEADER: &str = "id,name,aliases,kind,birth_dates,countries,addresses,list\n";

fn watchlist(rows: usize) -> String {
    let mut s = String::from(HEADER);
    for i in 0..rows {
        s.push_str(&format!(
            "t:{i},\"Person Number{i}, Testname\",Alias{i},person,1970-01-01,RU,,test\n"
        ));
    }
    s
}

/// A tiny HTTP/1.1 server: `routes(path) -> raw response bytes` (or a stall).
struct Server {
    addr: String,
    hits: Arc<AtomicUsize>,
}

enum Reply {
    Raw(Vec<u8>),
    Stall(Duration),
}

fn ok(body: &str, content_type: &str) -> Reply {
    Reply::Raw(
        format!(
            "HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .into_bytes(),
    )
}

fn serve(route: impl Fn(&str) -> Reply + Send + Sync + 'static) -> Server {
    serve_with_headers(move |path, _| route(path))
}

/// Like [`serve`], the route also given the request's header lines
/// (lower-cased names).
fn serve_with_headers(route: impl Fn(&str, &[String]) -> Reply + Send + Sync + 'static) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = format!("http://{}", listener.local_addr().unwrap());
    let hits = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&hits);
    let route = Arc::new(route);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { break };
            counter.fetch_add(1, Ordering::SeqCst);
            let route = Arc::clone(&route);
            std::thread::spawn(move || handle_with_headers(stream, &*route));
        }
    });
    Server { addr, hits }
}

fn handle_with_headers(mut stream: TcpStream, route: &dyn Fn(&str, &[String]) -> Reply) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).is_err() {
        return;
    }
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
            break;
        }
        headers.push(line.trim_end().to_ascii_lowercase());
    }
    let path = request_line
        .split_whitespace()
        .nth(1)
        .unwrap_or("/")
        .to_owned();
    match route(&path, &headers) {
        Reply::Raw(bytes) => {
            let _ = stream.write_all(&bytes);
        }
        Reply::Stall(d) => std::thread::sleep(d),
    }
    let _ = stream.flush();
}

fn settings() -> UpdateSettings {
    UpdateSettings {
        connect_timeout_ms: 2_000,
        read_timeout_ms: 400,
        total_timeout_ms: 5_000,
        retries: 2,
        retry_backoff_ms: 10,
        ..UpdateSettings::default()
    }
}

fn source(url: String, path: PathBuf) -> Source {
    Source {
        id: "test".into(),
        kind: SourceKind::Watchlist,
        url,
        format: BodyFormat::Csv,
        expect: Some("id,name,aliases".into()),
        path,
        frequency: "test".into(),
        max_bytes: None,
        max_bad_rows: 0,
        enabled: true,
        note: None,
        api_key: None,
    }
}

/// One update of the test source from `server` (path `/w.csv`) into `target`.
fn update(server: &Server, target: &Path) -> Result<UpdateReport, UpdateError> {
    update_source(
        &source(format!("{}/w.csv", server.addr), target.to_path_buf()),
        &settings(),
    )
}

/// Serves `route` to a directory holding a first good version, checks the
/// update is refused and leaves that version untouched, and returns the
/// refusal with the server (for its hit count).
fn refused(route: impl Fn(&str) -> Reply + Send + Sync + 'static) -> (UpdateError, Server) {
    let server = serve(route);
    let dir = tempfile::tempdir().unwrap();
    let target = installed(dir.path());
    let err = update(&server, &target).expect_err("the update must be refused");
    assert_untouched(&target);
    (err, server)
}

/// A bodiless (or tiny-bodied) response with the given status line.
fn status(line: &str, body: &str) -> Reply {
    Reply::Raw(
        format!(
            "HTTP/1.1 {line}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .into_bytes(),
    )
}

/// Every file in the directory: the stored file and its `.prev` at most.
fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Installs a first good version (12 entities) and returns the stored path.
fn installed(dir: &Path) -> PathBuf {
    let target = dir.join("lists/watch.csv");
    std::fs::create_dir_all(target.parent().unwrap()).unwrap();
    std::fs::write(&target, watchlist(12)).unwrap();
    target
}

fn assert_untouched(target: &Path) {
    assert_eq!(std::fs::read_to_string(target).unwrap(), watchlist(12));
    assert_eq!(
        files_in(target.parent().unwrap()),
        vec!["watch.csv".to_string()],
        "no temporary or partial file may remain"
    );
}

#[test]
fn a_good_file_replaces_the_stored_one_and_keeps_the_previous() {
    let body = watchlist(13);
    let server = serve(move |_| ok(&body, "text/csv"));
    let dir = tempfile::tempdir().unwrap();
    let target = installed(dir.path());
    let report = update(&server, &target).unwrap();
    assert_eq!(report.entities, 13);
    assert_eq!(report.previous_entities, Some(12));
    assert_eq!(report.attempts, 1);
    assert!(!report.unchanged);
    assert_eq!(std::fs::read_to_string(&target).unwrap(), watchlist(13));
    assert_eq!(
        std::fs::read_to_string(prev_path(&target)).unwrap(),
        watchlist(12)
    );
    assert_eq!(
        files_in(target.parent().unwrap()),
        vec!["watch.csv", "watch.csv.prev"]
    );

    // the same file again changes nothing
    let again = update(&server, &target).unwrap();
    assert!(again.unchanged);
    assert_eq!(
        std::fs::read_to_string(prev_path(&target)).unwrap(),
        watchlist(12)
    );
}

#[test]
fn a_first_download_needs_no_stored_file() {
    let body = watchlist(3);
    let server = serve(move |_| ok(&body, "text/csv"));
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("new/dir/watch.csv");
    let report = update(&server, &target).unwrap();
    assert_eq!((report.entities, report.previous_entities), (3, None));
    assert!(report.kept_previous.is_none());
    assert_eq!(files_in(target.parent().unwrap()), vec!["watch.csv"]);
}

#[test]
fn a_truncated_body_is_refused() {
    let body = watchlist(13);
    // Content-Length says the whole file, the connection closes half-way
    let (err, _) = refused(move |_| {
        let half = &body[..body.len() / 2];
        Reply::Raw(
            format!(
                "HTTP/1.1 200 OK\r\nContent-Type: text/csv\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{half}",
                body.len()
            )
            .into_bytes(),
        )
    });
    let msg = err.to_string();
    assert!(
        matches!(err, UpdateError::Download { attempts: 3, .. }),
        "{msg}"
    );
    assert!(
        msg.contains("truncated")
            || msg.contains("closed")
            || msg.contains("EOF")
            || msg.contains("eof"),
        "{msg}"
    );
}

#[test]
fn a_body_cut_mid_row_without_content_length_is_refused() {
    let body = watchlist(13);
    let (err, _) = refused(move |_| {
        let cut = &body[..body.len() - 20];
        Reply::Raw(
            format!("HTTP/1.1 200 OK\r\nContent-Type: text/csv\r\nConnection: close\r\n\r\n{cut}")
                .into_bytes(),
        )
    });
    assert!(err.to_string().contains("truncated"), "{err}");
}

#[test]
fn an_html_error_page_with_status_200_is_refused() {
    let (err, server) = refused(|_| {
        ok(
            "<!DOCTYPE html>\n<html><head><title>Maintenance</title></head><body>Try later</body></html>\n",
            "text/html",
        )
    });
    assert!(matches!(err, UpdateError::Body { .. }), "{err}");
    assert!(err.to_string().contains("HTML"), "{err}");
    assert_eq!(
        server.hits.load(Ordering::SeqCst),
        1,
        "a refused body is not retried"
    );
}

#[test]
fn a_server_that_never_answers_times_out_after_bounded_retries() {
    let started = std::time::Instant::now();
    let (err, _) = refused(|_| Reply::Stall(Duration::from_secs(3)));
    let msg = err.to_string();
    assert!(
        matches!(err, UpdateError::Download { attempts: 3, .. }),
        "{msg}"
    );
    assert!(
        msg.to_lowercase().contains("timed out") || msg.contains("timeout"),
        "{msg}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn a_500_is_retried_a_bounded_number_of_times() {
    let (err, server) = refused(|_| status("500 Internal Server Error", "oops!"));
    assert!(err.to_string().contains("HTTP 500"), "{err}");
    assert!(
        matches!(err, UpdateError::Download { attempts: 3, .. }),
        "{err}"
    );
    assert_eq!(server.hits.load(Ordering::SeqCst), 3);
}

#[test]
fn a_transient_500_then_the_file_succeeds() {
    let body = watchlist(12);
    let calls = AtomicUsize::new(0);
    let server = serve(move |_| {
        if calls.fetch_add(1, Ordering::SeqCst) == 0 {
            status("503 Service Unavailable", "")
        } else {
            ok(&body.replace("Alias1,", "Alias1b,"), "text/csv")
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let target = installed(dir.path());
    let report = update(&server, &target).unwrap();
    assert_eq!(report.attempts, 2);
    assert!(std::fs::read_to_string(&target)
        .unwrap()
        .contains("Alias1b"));
}

#[test]
fn an_implausible_shrink_is_refused() {
    let body = watchlist(6);
    let server = serve(move |_| ok(&body, "text/csv"));
    let dir = tempfile::tempdir().unwrap();
    let target = installed(dir.path());
    let err = update(&server, &target).unwrap_err();
    assert!(
        matches!(
            err,
            UpdateError::Shrink {
                old: 12,
                new: 6,
                ..
            }
        ),
        "{err}"
    );
    assert_untouched(&target);
    // a tolerance that allows it lets it through
    let lax = UpdateSettings {
        max_shrink_percent: 60,
        ..settings()
    };
    update_source(
        &source(format!("{}/w.csv", server.addr), target.clone()),
        &lax,
    )
    .unwrap();
    assert_eq!(std::fs::read_to_string(&target).unwrap(), watchlist(6));
}

#[test]
fn an_oversized_body_is_refused() {
    let body = watchlist(40);
    let server = serve(move |_| ok(&body, "text/csv"));
    let dir = tempfile::tempdir().unwrap();
    let target = installed(dir.path());
    let mut s = source(format!("{}/w.csv", server.addr), target.clone());
    s.max_bytes = Some(1000);
    let err = update_source(&s, &settings()).unwrap_err();
    assert!(err.to_string().contains("size limit"), "{err}");
    assert_untouched(&target);
}

#[test]
fn a_file_of_the_right_format_but_not_the_list_is_refused() {
    let (err, _) = refused(|_| ok("a,b,c\n1,2,3\n", "text/csv"));
    assert!(err.to_string().contains("not this list"), "{err}");
}

#[test]
fn the_cli_updates_only_the_named_source_and_reports_failures() {
    let body = watchlist(13);
    let server = serve(move |path| {
        if path == "/good.csv" {
            ok(&body, "text/csv")
        } else {
            status("404 Not Found", "")
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let target = installed(dir.path());
    let sources = dir.path().join("sources.yaml");
    std::fs::write(
        &sources,
        format!(
            "settings:\n  retries: 0\n  read_timeout_ms: 1000\nsources:\n  - id: good\n    kind: watchlist\n    url: {0}/good.csv\n    format: csv\n    path: lists/watch.csv\n    frequency: daily\n  - id: gone\n    kind: watchlist\n    url: {0}/gone.csv\n    format: csv\n    path: lists/other.csv\n    frequency: daily\n",
            server.addr
        ),
    )
    .unwrap();
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_amlscreen"))
            .args(["lists", "update", "--sources"])
            .arg(&sources)
            .args(args)
            .output()
            .unwrap()
    };
    let out = run(&["--only", "gone"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("FAILED gone") && stdout.contains("HTTP 404"),
        "{stdout}"
    );
    assert_untouched(&target);

    let out = run(&["--only", "good"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.contains("updated good") && stdout.contains("13 entities, was 12"),
        "{stdout}"
    );

    let out = run(&["--only", "nope"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no source 'nope'"));
}

#[test]
fn the_shipped_sources_file_loads() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("sanctions/sources.yaml");
    let sources = amlscreen::lists::update::Sources::load(&path).unwrap();
    for id in [
        "un",
        "ofac_sdn",
        "eu",
        "uk",
        "nsdc_individuals",
        "nsdc_legal",
    ] {
        let s = sources.get(id).unwrap_or_else(|| panic!("source {id}"));
        assert!(s.url.starts_with("https://"), "{}", s.url);
        assert!(!s.frequency.is_empty());
    }
    let key = sources
        .get("nsdc_individuals")
        .unwrap()
        .api_key
        .as_ref()
        .unwrap();
    assert_eq!(
        (key.header.as_str(), key.env.as_str()),
        ("x-cota-public-api-key", "AMLSCREEN_NSDC_API_KEY")
    );
}

fn redirect(to: &str) -> Reply {
    Reply::Raw(
        format!("HTTP/1.1 302 Found\r\nLocation: {to}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            .into_bytes(),
    )
}

/// Before, ureq followed the redirect and panicked on the host-less URL.
#[test]
fn a_redirect_to_a_file_url_is_refused_without_panic() {
    for to in ["file:///etc/passwd", "ftp://example.org/w.csv", "data:,x"] {
        let location = to.to_owned();
        let (err, server) = refused(move |_| redirect(&location));
        let msg = err.to_string();
        assert!(matches!(err, UpdateError::Body { .. }), "{to}: {msg}");
        assert!(
            msg.contains(&format!("HTTP 302 redirect to \"{to}\" refused")),
            "{msg}"
        );
        assert_eq!(server.hits.load(Ordering::SeqCst), 1, "never retried");
    }
}

#[test]
fn redirects_to_http_are_followed_a_bounded_number_of_times() {
    let body = watchlist(13);
    let server = serve(move |path| match path {
        "/w.csv" => redirect("/moved/w.csv"),
        "/moved/w.csv" => ok(&body, "text/csv"),
        _ => redirect(path),
    });
    let dir = tempfile::tempdir().unwrap();
    let target = installed(dir.path());
    assert_eq!(update(&server, &target).unwrap().entities, 13);

    let (err, _) = refused(|path| redirect(&format!("{path}x")));
    assert!(err.to_string().contains("more than 5 redirects"), "{err}");
}

/// A source whose publisher wants an API key in a header, read from `env`.
fn keyed_source(url: String, path: PathBuf, env: &str) -> Source {
    Source {
        api_key: Some(amlscreen::lists::update::ApiKey {
            header: "x-cota-public-api-key".into(),
            env: env.into(),
        }),
        ..source(url, path)
    }
}

#[test]
fn an_api_key_from_the_environment_is_sent_and_a_missing_one_fails_before_any_request() {
    let body = watchlist(3);
    let server = serve_with_headers(move |_, headers| {
        if headers
            .iter()
            .any(|h| h == "x-cota-public-api-key: s3cret-key")
        {
            ok(&body, "text/csv")
        } else {
            status("401 Unauthorized", "no key")
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("nsdc.csv");
    // each test its own variable: tests run in parallel
    let env = "AMLSCREEN_TEST_KEY_UNSET_4711";
    let src = keyed_source(format!("{}/w.csv", server.addr), target.clone(), env);
    let e = update_source(&src, &settings()).unwrap_err().to_string();
    assert!(e.contains(env) && e.contains("not set"), "{e}");
    assert_eq!(
        server.hits.load(Ordering::SeqCst),
        0,
        "nothing is fetched without the key"
    );
    assert!(!target.exists());
    let env = "AMLSCREEN_TEST_KEY_SET_4712";
    std::env::set_var(env, "s3cret-key");
    let src = keyed_source(format!("{}/w.csv", server.addr), target.clone(), env);
    let report = update_source(&src, &settings()).unwrap();
    assert_eq!(report.entities, 3);
    // a wrong key is the publisher's 401, and the key is in no message
    let env = "AMLSCREEN_TEST_KEY_WRONG_4713";
    std::env::set_var(env, "wrong-key");
    let src = keyed_source(format!("{}/w.csv", server.addr), target, env);
    let e = update_source(&src, &settings()).unwrap_err().to_string();
    assert!(e.contains("401") && !e.contains("wrong-key"), "{e}");
}

#[test]
fn an_api_key_is_not_sent_to_the_host_a_redirect_leads_to() {
    let body = watchlist(3);
    let other = serve_with_headers(move |_, headers| {
        if headers
            .iter()
            .any(|h| h.starts_with("x-cota-public-api-key"))
        {
            status("400 Bad Request", "a key leaked to another host")
        } else {
            ok(&body, "text/csv")
        }
    });
    let to = format!("{}/w.csv", other.addr);
    let first = serve_with_headers(move |_, headers| {
        assert!(headers.iter().any(|h| h == "x-cota-public-api-key: k-4714"));
        redirect(&to)
    });
    let dir = tempfile::tempdir().unwrap();
    let env = "AMLSCREEN_TEST_KEY_REDIRECT_4714";
    std::env::set_var(env, "k-4714");
    let src = keyed_source(
        format!("{}/w.csv", first.addr),
        dir.path().join("w.csv"),
        env,
    );
    let report = update_source(&src, &settings()).unwrap();
    assert_eq!(report.entities, 3);
    assert_eq!(other.hits.load(Ordering::SeqCst), 1);
}
