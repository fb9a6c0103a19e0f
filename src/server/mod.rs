//! `amlscreen serve`: the screener as an HTTP service (feature `serve`).
//!
//! Thin over the public API: each endpoint reads its request, checks the
//! caller's token and role ([`auth`]), calls the [`Screener`] on tokio's
//! blocking pool and answers JSON; errors are the library's, as JSON with a
//! stable `kind` and the field at fault ([`ApiError`]). The OpenAPI 3.1
//! document is derived from the same types ([`openapi_json`]).
//!
//! The listener is bound first and answers `/healthz` at once; `/readyz`
//! and every `/v1` endpoint answer 503 `not_ready` until the engine is
//! built. A failed reload leaves the engine in force (and the service
//! ready). SIGTERM (or Ctrl-C) stops accepting, lets requests in flight
//! finish, then flushes the audit log; SIGHUP reloads lists and rules.

use std::net::{SocketAddr, TcpListener, ToSocketAddrs};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use chrono::{DateTime, Utc};
use utoipa::OpenApi;

use crate::config::{Config, ServerConfig};
use crate::lists::ListVersion;
use crate::screener::Screener;

pub mod api;
pub mod auth;
pub mod batcher;
mod error;
pub mod metrics;
mod ui;

pub use error::ApiError;

/// How `amlscreen serve` was asked to run.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// The config file (read again on every reload).
    pub config: PathBuf,
    /// Address to listen on, e.g. `127.0.0.1:8080` (port 0: any free port).
    pub listen: String,
    /// TLS certificate chain (PEM); with `tls_key`, the service speaks HTTPS.
    pub tls_cert: Option<PathBuf>,
    /// TLS private key (PEM).
    pub tls_key: Option<PathBuf>,
    /// Longest the in-flight requests may take to finish after SIGTERM.
    pub drain: Duration,
}

/// Why the service could not start or stopped with an error.
pub type ServeError = Box<dyn std::error::Error + Send + Sync>;

/// The service's shared state.
#[derive(Debug)]
pub struct App {
    config_path: PathBuf,
    server: ServerConfig,
    tokens: arc_swap::ArcSwap<auth::Tokens>,
    /// Whether the listening address is loopback (set when bound): a
    /// reload may not take the tokens away otherwise.
    loopback: std::sync::atomic::AtomicBool,
    /// Requests in flight, at most `server.max_concurrent`.
    in_flight: Arc<tokio::sync::Semaphore>,
    metrics: metrics::Metrics,
    screener: OnceLock<Arc<Screener>>,
    batcher: OnceLock<batcher::Batcher>,
    in_force_since: Mutex<DateTime<Utc>>,
}

impl App {
    /// The service's state for `config` (read from `config_path`); the
    /// screener is given later, when built ([`App::set_screener`]).
    pub fn new(config_path: &Path, config: &Config) -> App {
        App {
            config_path: config_path.to_path_buf(),
            server: config.server.clone(),
            tokens: arc_swap::ArcSwap::from_pointee(auth::Tokens::new(&config.server.tokens)),
            loopback: std::sync::atomic::AtomicBool::new(true),
            in_flight: Arc::new(tokio::sync::Semaphore::new(
                config.server.max_concurrent.max(1),
            )),
            metrics: metrics::Metrics::default(),
            screener: OnceLock::new(),
            batcher: OnceLock::new(),
            in_force_since: Mutex::new(Utc::now()),
        }
    }

    /// Puts the built screener in service, with the thread that groups
    /// single screens: the service is ready.
    pub fn set_screener(&self, screener: Screener) -> std::io::Result<()> {
        *self
            .in_force_since
            .lock()
            .unwrap_or_else(|p| p.into_inner()) = Utc::now();
        let screener = Arc::new(screener);
        let batcher = batcher::Batcher::start(Arc::clone(&screener))?;
        let _ = self.batcher.set(batcher);
        let _ = self.screener.set(screener);
        Ok(())
    }

    /// The group-commit queue of single screens.
    pub fn batcher(&self) -> Result<&batcher::Batcher, ApiError> {
        self.screener()?;
        self.batcher
            .get()
            .ok_or_else(|| ApiError::internal("no batching thread"))
    }

    /// Ready: the engine is built and the batching thread runs.
    pub fn is_ready(&self) -> bool {
        self.screener.get().is_some() && self.batcher.get().is_some_and(|b| b.is_running())
    }

    /// The caller of a request needing `role` (see [`auth::Tokens::authorize`]).
    pub fn authorize(
        &self,
        headers: &axum::http::HeaderMap,
        role: crate::config::Role,
    ) -> Result<auth::Caller, ApiError> {
        self.tokens.load().authorize(headers, role)
    }

    /// Whether the service runs without tokens (loopback only).
    pub fn is_open(&self) -> bool {
        self.tokens.load().is_open()
    }

    /// The screener, or 503 `not_ready` while it is built.
    pub fn screener(&self) -> Result<Arc<Screener>, ApiError> {
        self.screener.get().cloned().ok_or_else(|| {
            ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "not_ready",
                "the engine is being built (lists and rules loading); retry shortly",
            )
        })
    }

    /// Reloads lists and rules from the config file: the previous and the
    /// new engine id, or why the engine in force stays.
    pub fn reload(&self) -> Result<(String, String), ApiError> {
        let screener = self.screener()?;
        let previous = screener.version();
        let config = Config::load(&self.config_path);
        let outcome = config.as_ref().map_err(ApiError::from).and_then(|config| {
            screener
                .reload(config)
                .map_err(|e| ApiError::from(&e))
                .map(|id| (id, config))
        });
        match outcome {
            Ok((engine, config)) => {
                self.reload_tokens(config);
                if engine != previous {
                    *self
                        .in_force_since
                        .lock()
                        .unwrap_or_else(|p| p.into_inner()) = Utc::now();
                }
                eprintln!("amlscreen: reloaded: engine {engine} in force (was {previous})");
                Ok((previous, engine))
            }
            Err(mut err) => {
                eprintln!(
                    "amlscreen: reload refused ({}); engine {previous} stays in force: {}",
                    err.kind, err.message
                );
                err.message = format!("{}; engine {previous} stays in force", err.message);
                Err(err)
            }
        }
    }

    /// Puts the config's tokens in force, unless that would leave a
    /// non-loopback listener without tokens.
    fn reload_tokens(&self, config: &Config) {
        let next = auth::Tokens::new(&config.server.tokens);
        if next.is_open() && !self.loopback.load(std::sync::atomic::Ordering::Relaxed) {
            eprintln!(
                "amlscreen: warning: the reloaded config has no API tokens; the service listens \
                 beyond loopback, so the tokens in force stay"
            );
            return;
        }
        if self.tokens.load().is_open() != next.is_open() {
            eprintln!(
                "amlscreen: API tokens {}",
                if next.is_open() {
                    "removed: every local caller has every role"
                } else {
                    "now required"
                }
            );
        }
        self.tokens.store(Arc::new(next));
    }

    /// The lists in force with their dates and ages.
    pub fn lists_in_force(&self, screener: &Screener) -> api::ListsResponse {
        let engine = screener.engine();
        let now = Utc::now();
        let stale_after = self.server.stale_after;
        let lists: Vec<api::ListInfo> = engine
            .lists()
            .iter()
            .map(|v| {
                let date = list_date(v);
                let age = date.map(|d| (now - d).num_seconds().max(0));
                api::ListInfo {
                    source: v.source.to_string(),
                    path: v.path.clone(),
                    version: v.version.clone(),
                    date,
                    age_seconds: age,
                    stale: age.map_or(true, |a| a > stale_after.num_seconds()),
                    entities: v.entities,
                    names: v.names,
                    addresses: v.addresses,
                    skipped: v.skipped,
                    sha256: v.sha256.clone(),
                }
            })
            .collect();
        api::ListsResponse {
            engine: engine.engine_id().to_owned(),
            in_force_since: *self
                .in_force_since
                .lock()
                .unwrap_or_else(|p| p.into_inner()),
            any_stale: lists.iter().any(|l| l.stale),
            lists,
        }
    }

    /// `/metrics`: the counters and what is read at scrape time.
    pub fn render_metrics(&self) -> String {
        let mut gauges = metrics::Gauges::default();
        if let Ok(screener) = self.screener() {
            gauges.ready = self.is_ready();
            gauges.history = Some(screener.history_health());
            gauges.spooled = Some(screener.spooled_decisions());
            gauges.reloads = screener.reload_counts();
            gauges.list_ages = self
                .lists_in_force(&screener)
                .lists
                .into_iter()
                .map(|l| (format!("{}:{}", l.source, l.path), l.age_seconds, l.stale))
                .collect();
            gauges.open_cases = screener
                .count_cases(Some(crate::cases::CaseStatus::Open))
                .ok();
            gauges.in_review = screener
                .count_cases(Some(crate::cases::CaseStatus::InReview))
                .ok();
        }
        self.metrics.render(&gauges)
    }
}

/// A list's date: the first `YYYY-MM-DD` (or `DD.MM.YYYY`, `MM/DD/YYYY`)
/// in its version, else its file's modification time.
fn list_date(v: &ListVersion) -> Option<DateTime<Utc>> {
    if let Some(version) = &v.version {
        if let Some(date) = date_in(version) {
            return Some(date);
        }
    }
    let modified = std::fs::metadata(&v.path).and_then(|m| m.modified()).ok()?;
    Some(DateTime::<Utc>::from(modified))
}

fn date_in(text: &str) -> Option<DateTime<Utc>> {
    use chrono::NaiveDate;
    static DATE: OnceLock<regex::Regex> = OnceLock::new();
    let pattern = DATE.get_or_init(|| {
        regex::Regex::new(
            r"\b(?:(\d{4})-(\d{2})-(\d{2})|(\d{2})\.(\d{2})\.(\d{4})|(\d{2})/(\d{2})/(\d{4}))\b",
        )
        .unwrap_or_else(|e| unreachable!("a fixed pattern: {e}"))
    });
    let found = pattern.captures(text)?;
    let number = |i: usize| found.get(i).and_then(|m| m.as_str().parse::<u32>().ok());
    let (year, month, day) = if let Some(y) = number(1) {
        (y, number(2)?, number(3)?)
    } else if let Some(y) = number(6) {
        (y, number(5)?, number(4)?)
    } else {
        (number(9)?, number(7)?, number(8)?)
    };
    NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, month, day)?
        .and_hms_opt(0, 0, 0)
        .map(|t| t.and_utc())
}

/// The OpenAPI 3.1 document of the service.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "amlscreen",
        description = "AML/KYT transaction screening: sanctions lists, fuzzy names, forbidden platforms, behaviour rules; cases and customers for reviewers. Every error is JSON with a stable `kind` and the field at fault.",
        license(name = "MIT OR Apache-2.0")
    ),
    paths(
        api::screen, api::screen_batch, api::match_name,
        api::list_cases, api::get_case, api::resolve_case,
        api::get_customer, api::put_customer, api::freeze, api::unfreeze, api::enhance,
        api::lists, api::reload,
        api::healthz, api::readyz, api::metrics,
    ),
    modifiers(&BearerToken),
    tags(
        (name = "screening", description = "Transactions and names (role `screen`)."),
        (name = "review", description = "Cases and customers (role `review`)."),
        (name = "admin", description = "Lists and reloads (role `admin`)."),
        (name = "operations", description = "Health, readiness and metrics (no token)."),
    )
)]
pub struct ApiDoc;

struct BearerToken;

impl utoipa::Modify for BearerToken {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "token",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "An API token of `server.tokens` (its role in the scope). Without tokens configured the service listens on loopback only and asks for none.",
                    ))
                    .build(),
            ),
        );
    }
}

/// The OpenAPI document as served at `/openapi.json` (and committed as
/// `docs/openapi.json`).
pub fn openapi_json() -> String {
    let mut text = ApiDoc::openapi()
        .to_pretty_json()
        .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    text.push('\n');
    text
}

/// Every route of the service over `app`.
pub fn router(app: Arc<App>) -> Router {
    let review = Router::new()
        .route("/v1/cases", get(api::list_cases))
        .route("/v1/cases/{id}", get(api::get_case))
        .route("/v1/cases/{id}/resolve", post(api::resolve_case))
        .route(
            "/v1/customers/{id}",
            get(api::get_customer).put(api::put_customer),
        )
        .route("/v1/customers/{id}/freeze", post(api::freeze))
        .route("/v1/customers/{id}/unfreeze", post(api::unfreeze))
        .route("/v1/customers/{id}/enhance", post(api::enhance));
    Router::new()
        .route("/v1/screen", post(api::screen))
        .route("/v1/screen/batch", post(api::screen_batch))
        .route("/v1/match", post(api::match_name))
        .merge(review)
        .route("/v1/lists", get(api::lists))
        .route("/v1/reload", post(api::reload))
        .route("/healthz", get(api::healthz))
        .route("/readyz", get(api::readyz))
        .route("/metrics", get(api::metrics))
        .route("/openapi.json", get(openapi))
        .merge(ui::routes())
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(app.server.max_body_bytes))
        .layer(axum::middleware::from_fn_with_state(
            Arc::clone(&app),
            limit_time,
        ))
        .layer(axum::middleware::from_fn_with_state(
            Arc::clone(&app),
            guard,
        ))
        .with_state(app)
}

async fn openapi() -> Response {
    static DOC: OnceLock<String> = OnceLock::new();
    (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        DOC.get_or_init(openapi_json).clone(),
    )
        .into_response()
}

async fn not_found() -> ApiError {
    ApiError::not_found("no such endpoint (see /openapi.json)")
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "this endpoint does not take that method (see /openapi.json)",
    )
}

/// The role a path needs, for the check made before a body is read.
fn role_of(path: &str) -> Option<crate::config::Role> {
    use crate::config::Role;
    if path == "/v1/screen" || path.starts_with("/v1/screen/") || path == "/v1/match" {
        Some(Role::Screen)
    } else if path.starts_with("/v1/cases") || path.starts_with("/v1/customers") {
        Some(Role::Review)
    } else if path == "/v1/lists" || path == "/v1/reload" {
        Some(Role::Admin)
    } else {
        None
    }
}

/// Whether a `Host` header names this machine's loopback.
fn loopback_host(host: &str) -> bool {
    let name = if let Some(rest) = host.strip_prefix('[') {
        rest.split(']').next().unwrap_or("")
    } else {
        host.rsplit_once(':').map_or(host, |(name, _)| name)
    };
    matches!(
        name.to_ascii_lowercase().as_str(),
        "localhost" | "127.0.0.1" | "::1"
    )
}

/// Before anything is read: at most `server.max_concurrent` requests at
/// once (503 `overloaded`), the token and its role (401/403, so no body
/// is buffered for a caller without one), and without tokens, a loopback
/// `Host` and a JSON content type on every POST and PUT — so no web page
/// the operator visits can drive the service (a cross-site form cannot
/// send JSON without a preflight this service never grants, and a
/// rebinding domain is not a loopback host).
async fn guard(State(app): State<Arc<App>>, request: Request, next: Next) -> Response {
    let Ok(_permit) = Arc::clone(&app.in_flight).try_acquire_owned() else {
        return ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "overloaded",
            "too many requests in flight (server.max_concurrent); retry shortly",
        )
        .into_response();
    };
    if app.is_open() {
        let host = request
            .headers()
            .get(axum::http::header::HOST)
            .and_then(|h| h.to_str().ok())
            .or_else(|| request.uri().host());
        if !host.is_some_and(loopback_host) {
            return ApiError::new(
                StatusCode::FORBIDDEN,
                "forbidden",
                "without API tokens the service answers only requests to localhost",
            )
            .into_response();
        }
        let method = request.method();
        if method == axum::http::Method::POST || method == axum::http::Method::PUT {
            let json = request
                .headers()
                .get(axum::http::header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| {
                    let v = v.trim().to_ascii_lowercase();
                    v.starts_with("application/json")
                        || v.starts_with("application/x-ndjson")
                        || v.starts_with("application/jsonl")
                });
            if !json {
                return ApiError::new(
                    StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    "unsupported_media_type",
                    "without API tokens, a POST or PUT must say Content-Type: application/json",
                )
                .into_response();
            }
        }
    }
    if let Some(role) = role_of(request.uri().path()) {
        if let Err(refused) = app.authorize(request.headers(), role) {
            return refused.into_response();
        }
    }
    next.run(request).await
}

/// Answers 503 `timeout` when a request takes longer than
/// `server.request_timeout` (work already on the blocking pool finishes
/// and is recorded; only the answer is dropped).
async fn limit_time(State(app): State<Arc<App>>, request: Request, next: Next) -> Response {
    let limit = app
        .server
        .request_timeout
        .to_std()
        .unwrap_or(Duration::from_secs(30));
    match tokio::time::timeout(limit, next.run(request)).await {
        Ok(response) => response,
        Err(_) => ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "timeout",
            format!(
                "no answer within server.request_timeout ({} s)",
                limit.as_secs()
            ),
        )
        .into_response(),
    }
}

/// The address to listen on, refused when it is not loopback and no
/// tokens are configured.
fn listen_address(listen: &str, open: bool) -> Result<SocketAddr, ServeError> {
    let addr = listen
        .to_socket_addrs()
        .map_err(|e| format!("--listen {listen}: {e}"))?
        .next()
        .ok_or_else(|| format!("--listen {listen}: no address"))?;
    if open && !addr.ip().is_loopback() {
        return Err(format!(
            "--listen {listen}: no API tokens are configured (server.tokens), so the service \
             listens on loopback only; add tokens (`amlscreen token new`) to listen on {}",
            addr.ip()
        )
        .into());
    }
    Ok(addr)
}

/// Runs the service until SIGTERM or Ctrl-C; an error when it cannot
/// start (bad config, address refused or taken, the engine not built).
pub fn run(options: ServeOptions) -> Result<(), ServeError> {
    let config = Config::load(&options.config)?;
    let app = Arc::new(App::new(&options.config, &config));
    let open = app.is_open();
    let addr = listen_address(&options.listen, open)?;
    app.loopback.store(
        addr.ip().is_loopback(),
        std::sync::atomic::Ordering::Relaxed,
    );
    let tls = match (&options.tls_cert, &options.tls_key) {
        (Some(cert), Some(key)) => Some((cert.clone(), key.clone())),
        (None, None) => None,
        _ => return Err("--tls-cert and --tls-key go together".into()),
    };
    let listener = TcpListener::bind(addr).map_err(|e| format!("--listen {addr}: {e}"))?;
    listener.set_nonblocking(true)?;
    let bound = listener.local_addr()?;
    // a client that goes away mid-answer is an error on that connection,
    // not a signal that ends the process (`main` restores SIGPIPE's
    // default for the other commands' pipes)
    #[cfg(unix)]
    // SAFETY: SIG_IGN is a valid disposition for SIGPIPE; set before the
    // runtime's threads start.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_IGN);
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let served_app = Arc::clone(&app);
    let outcome = runtime.block_on(async move {
        let app = served_app;
        let handle = axum_server::Handle::new();
        let scheme = if tls.is_some() { "https" } else { "http" };
        if open {
            eprintln!(
                "amlscreen: no API tokens configured (server.tokens): the service stays on loopback, and every local caller has every role"
            );
        }
        eprintln!("amlscreen: listening on {scheme}://{bound}");
        // the engine is built while /healthz already answers
        let building = {
            let app = Arc::clone(&app);
            let handle = handle.clone();
            tokio::task::spawn_blocking(move || {
                let started = std::time::Instant::now();
                match Screener::from_config(&config) {
                    Ok(screener) => {
                        if let Some(torn) = screener.audit_recovery() {
                            eprintln!("amlscreen: warning: {torn}");
                        }
                        eprintln!(
                            "amlscreen: ready: engine {} built in {:.1} s; customer history: {}",
                            screener.version(),
                            started.elapsed().as_secs_f64(),
                            match screener.history_health().backend {
                                "redis" => "redis (shared by every instance on it)",
                                _ => "in this process",
                            }
                        );
                        if let Err(e) = app.set_screener(screener) {
                            handle.shutdown();
                            return Err(format!("starting the batching thread: {e}"));
                        }
                        Ok(())
                    }
                    Err(e) => {
                        handle.shutdown();
                        Err(e.to_string())
                    }
                }
            })
        };
        tokio::spawn(signals(Arc::clone(&app), handle.clone(), options.drain));
        let service = router(Arc::clone(&app)).into_make_service();
        let served = match tls {
            Some((cert, key)) => {
                let _ = rustls::crypto::ring::default_provider().install_default();
                let config = axum_server::tls_rustls::RustlsConfig::from_pem_file(&cert, &key)
                    .await
                    .map_err(|e| {
                        format!("TLS {} / {}: {e}", cert.display(), key.display())
                    })?;
                axum_server::from_tcp_rustls(listener, config)
                    .handle(handle)
                    .serve(service)
                    .await
            }
            None => {
                axum_server::from_tcp(listener)
                    .handle(handle)
                    .serve(service)
                    .await
            }
        };
        served.map_err(|e| format!("serving on {bound}: {e}"))?;
        match building.await {
            Ok(Err(e)) => Err(ServeError::from(format!("the engine could not be built: {e}"))),
            Err(e) => Err(format!("building the engine: {e}").into()),
            Ok(Ok(())) => Ok(()),
        }
    });
    // the runtime's end waits for batch steps still running on its
    // blocking pool; then the grouped screens queued are committed; only
    // then is the audit log flushed
    drop(runtime);
    if let Some(batcher) = app.batcher.get() {
        batcher.stop();
    }
    if let Ok(screener) = app.screener() {
        screener.checkpoint_audit()?;
        eprintln!("amlscreen: stopped; audit log flushed");
    }
    outcome
}

/// SIGTERM / Ctrl-C: stop accepting and drain; SIGHUP: reload.
async fn signals(app: Arc<App>, handle: axum_server::Handle, drain: Duration) {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let (Ok(mut term), Ok(mut hup)) = (
            signal(SignalKind::terminate()),
            signal(SignalKind::hangup()),
        ) else {
            eprintln!("amlscreen: warning: signal handlers could not be installed");
            return;
        };
        loop {
            tokio::select! {
                _ = term.recv() => break,
                _ = tokio::signal::ctrl_c() => break,
                _ = hup.recv() => {
                    if app.screener().is_err() {
                        eprintln!("amlscreen: SIGHUP ignored: the engine is still being built");
                        continue;
                    }
                    let app = Arc::clone(&app);
                    // the outcome is on stderr
                    let _ = tokio::task::spawn_blocking(move || app.reload()).await;
                }
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
    eprintln!(
        "amlscreen: stopping: no new connections; requests in flight finish (up to {} s)",
        drain.as_secs()
    );
    handle.graceful_shutdown(Some(drain));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_tokens_means_loopback_only() {
        assert!(listen_address("127.0.0.1:0", true).is_ok());
        assert!(listen_address("[::1]:0", true).is_ok());
        let refused = listen_address("0.0.0.0:8080", true).unwrap_err();
        assert!(refused.to_string().contains("loopback only"), "{refused}");
        assert!(listen_address("0.0.0.0:0", false).is_ok());
    }

    #[test]
    fn list_dates_are_read_from_versions() {
        let d = |s: &str| date_in(s).map(|d| d.date_naive().to_string());
        assert_eq!(d("2026-11-30").as_deref(), Some("2026-11-30"));
        assert_eq!(d("Publish Date 11/30/2026").as_deref(), Some("2026-11-30"));
        assert_eq!(d("від 30.11.2026").as_deref(), Some("2026-11-30"));
        assert_eq!(d("v7"), None);
    }
}
