//! Downloading new versions of official lists, safely.
//!
//! Reach for this to refresh the list files a config loads. The sources
//! (`sanctions/sources.yaml`) name each official download: its loader kind,
//! URL, expected body format, where the file is stored, and how often the
//! publisher changes it. [`update_source`] then:
//!
//! 1. downloads into a temporary file beside the stored one, with connect,
//!    read and total timeouts, a size limit, and a bounded number of retries
//!    (with doubling back-off) for network errors, HTTP 5xx and 429;
//! 2. checks that the body is the declared format (an HTML error page served
//!    with status 200 is refused) and not cut short (`Content-Length`, final
//!    line break);
//! 3. loads it completely with the same loader the screener uses
//!    ([`crate::lists::load`]), and refuses it when it holds implausibly
//!    fewer entities than the stored file ([`UpdateSettings::max_shrink_percent`])
//!    or too many malformed records ([`UpdateSettings::max_skipped_percent`]);
//! 4. only then keeps the stored file as `<file>.prev` and replaces the
//!    stored file with the new one through `crate::durable::AtomicFile`
//!    (fsync, rename over the stored one — atomic on POSIX — and fsync of
//!    the directory).
//!
//! Any failure removes the temporary file and leaves the stored file and
//! its `.prev` exactly as they were.

use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::{load, ListError, ListSpec, SourceKind};
use crate::durable::AtomicFile;

/// Tunables of every download; each has a documented default.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct UpdateSettings {
    /// Longest wait for a TCP/TLS connection, ms. Default 10 000.
    pub connect_timeout_ms: u64,
    /// Longest silence while reading the response, ms. Default 30 000.
    /// Raise it for publishers that generate the file on the fly (EU FSF).
    pub read_timeout_ms: u64,
    /// Longest a whole attempt may take, ms. Default 600 000 (10 minutes).
    pub total_timeout_ms: u64,
    /// Extra attempts after a failed one (network error, HTTP 5xx or 429).
    /// Default 3. A refused body (wrong format, too large, shrink) is never retried.
    pub retries: u32,
    /// Wait before the first retry, ms; doubles each time. Default 2 000.
    pub retry_backoff_ms: u64,
    /// Largest body accepted, bytes, unless the source sets its own. Default
    /// 512 MiB (OFAC's SDN_ADVANCED.XML is ≈130 MB).
    pub max_bytes: u64,
    /// Largest drop in entity count accepted versus the stored file, in
    /// percent. Default 10: a list that loses more than a tenth of its
    /// entries overnight is far likelier a broken export than a policy
    /// change. Raise it (or replace the file by hand) for a real purge.
    pub max_shrink_percent: u32,
    /// Largest share of malformed (skipped) records accepted in a new file,
    /// in percent of its records. Default 1.
    pub max_skipped_percent: u32,
    /// `User-Agent` sent; some publishers refuse unnamed clients.
    pub user_agent: String,
}

impl Default for UpdateSettings {
    fn default() -> UpdateSettings {
        UpdateSettings {
            connect_timeout_ms: 10_000,
            read_timeout_ms: 30_000,
            total_timeout_ms: 600_000,
            retries: 3,
            retry_backoff_ms: 2_000,
            max_bytes: 512 << 20,
            max_shrink_percent: 10,
            max_skipped_percent: 1,
            user_agent: concat!("amlscreen/", env!("CARGO_PKG_VERSION"), " (list update)")
                .to_owned(),
        }
    }
}

/// What a body must look like before it is even parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum BodyFormat {
    /// An XML document (not HTML).
    Xml,
    /// Comma- or semicolon-separated text ending with a line break.
    Csv,
    /// A JSON array or object.
    Json,
}

/// One official download.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// Short name used by `--only` (`un`, `ofac_sdn`, `eu`, `uk`, …).
    pub id: String,
    /// Loader that reads the file.
    pub kind: SourceKind,
    /// Official download URL.
    pub url: String,
    /// Expected body format.
    pub format: BodyFormat,
    /// A string the first 4 KiB of the body must contain (e.g. the root
    /// element `<CONSOLIDATED_LIST`), to tell the list from any other valid
    /// document of the same format.
    #[serde(default)]
    pub expect: Option<String>,
    /// Where the file is stored (relative to the sources file).
    pub path: PathBuf,
    /// How often the publisher changes it (informative; drives the schedule).
    pub frequency: String,
    /// Body size limit for this source, overriding [`UpdateSettings::max_bytes`].
    #[serde(default)]
    pub max_bytes: Option<u64>,
    /// Malformed records accepted in a download before it is refused, as
    /// the config's `max_bad_rows` for the list (default 0). Give both the
    /// same value: a file the update accepts must also load.
    #[serde(default)]
    pub max_bad_rows: usize,
    /// Whether `lists update` fetches it without `--only` (default true).
    #[serde(default = "yes")]
    pub enabled: bool,
    /// Why it is disabled, or anything an operator should know.
    #[serde(default)]
    pub note: Option<String>,
    /// An API key the publisher requires, sent as a request header and read
    /// from an environment variable (never from the sources file).
    #[serde(default)]
    pub api_key: Option<ApiKey>,
}

/// Where a source's API key comes from and how it is sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApiKey {
    /// The request header (`x-cota-public-api-key` for the NSDC register).
    pub header: String,
    /// The environment variable holding the key.
    pub env: String,
}

impl ApiKey {
    /// The key from the environment; an error naming the variable when it
    /// is unset or empty.
    fn value(&self, id: &str) -> Result<String, UpdateError> {
        match std::env::var(&self.env) {
            Ok(v) if !v.trim().is_empty() => Ok(v.trim().to_owned()),
            _ => Err(UpdateError::Body {
                id: id.to_owned(),
                message: format!(
                    "the source needs an API key in the environment variable {} (header {}), which is not set",
                    self.env, self.header
                ),
            }),
        }
    }
}

fn yes() -> bool {
    true
}

/// The sources file: settings and every source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sources {
    /// Download tunables.
    #[serde(default)]
    pub settings: UpdateSettings,
    /// Official downloads.
    pub sources: Vec<Source>,
}

impl Sources {
    /// Reads a sources file; relative `path`s become relative to its directory.
    pub fn load(path: &Path) -> Result<Sources, UpdateError> {
        let text = std::fs::read_to_string(path).map_err(|source| UpdateError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let mut sources: Sources = crate::source::SourceText::new(path, text)
            .deserialize()
            .map_err(|e| UpdateError::Config {
                path: path.to_path_buf(),
                message: format!("{} at line {} column {}", e.message, e.line, e.column),
            })?;
        let base = path.parent().unwrap_or(Path::new(""));
        let mut seen = std::collections::HashSet::new();
        for s in &mut sources.sources {
            if !seen.insert(s.id.clone()) {
                return Err(UpdateError::Config {
                    path: path.to_path_buf(),
                    message: format!("source id '{}' appears twice", s.id),
                });
            }
            if s.path.is_relative() {
                s.path = base.join(&s.path);
            }
        }
        Ok(sources)
    }

    /// The source with this id.
    pub fn get(&self, id: &str) -> Option<&Source> {
        self.sources.iter().find(|s| s.id == id)
    }
}

/// What a successful update did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpdateReport {
    /// Source id.
    pub id: String,
    /// The stored file, now replaced.
    pub path: PathBuf,
    /// Bytes downloaded.
    pub bytes: u64,
    /// SHA-256 of the new file.
    pub sha256: String,
    /// Entities in the new file.
    pub entities: usize,
    /// Entities in the replaced file (`None` when there was none, or it did not load).
    pub previous_entities: Option<usize>,
    /// Where the replaced file was kept.
    pub kept_previous: Option<PathBuf>,
    /// Whether the new file is byte-identical to the stored one (then nothing was replaced).
    pub unchanged: bool,
    /// Attempts made (1 = no retry).
    pub attempts: u32,
}

/// Why an update was refused. The stored file is untouched in every case.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum UpdateError {
    /// The sources file is invalid.
    #[error("{}: {message}", path.display())]
    Config {
        /// Sources file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// No source has this id.
    #[error("no source '{id}' (known: {known})")]
    UnknownSource {
        /// Asked for.
        id: String,
        /// Comma-separated known ids.
        known: String,
    },
    /// The download failed after every attempt.
    #[error("{id}: download from {url} failed after {attempts} attempt(s): {message}")]
    Download {
        /// Source id.
        id: String,
        /// URL.
        url: String,
        /// Attempts made.
        attempts: u32,
        /// Last failure.
        message: String,
    },
    /// The body is not what the source declares.
    #[error("{id}: downloaded body refused: {message}")]
    Body {
        /// Source id.
        id: String,
        /// What is wrong.
        message: String,
    },
    /// The body is the right format but the loader rejects it.
    #[error("{id}: downloaded file does not load: {source}")]
    Load {
        /// Source id.
        id: String,
        /// Loader error.
        source: ListError,
    },
    /// The new file holds implausibly fewer entities than the stored one.
    #[error("{id}: new file has {new} entities, the stored one {old}: a drop of more than {max_percent}% is refused as implausible (raise settings.max_shrink_percent if it is real)")]
    Shrink {
        /// Source id.
        id: String,
        /// Entities in the stored file.
        old: usize,
        /// Entities in the download.
        new: usize,
        /// Tolerance.
        max_percent: u32,
    },
    /// File-system failure.
    #[error("{}: {source}", path.display())]
    Io {
        /// File.
        path: PathBuf,
        /// Cause.
        source: std::io::Error,
    },
}

/// Where the previous version of a stored file is kept.
pub fn prev_path(target: &Path) -> PathBuf {
    let mut name = target.file_name().unwrap_or_default().to_os_string();
    name.push(".prev");
    target.with_file_name(name)
}

/// Downloads, checks and installs one source (see the module docs).
pub fn update_source(
    source: &Source,
    settings: &UpdateSettings,
) -> Result<UpdateReport, UpdateError> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |e: std::io::Error| UpdateError::Io { path, source: e }
    };
    let target = &source.path;
    if let Some(dir) = target.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(io(dir))?;
    }
    // removed on every early return; renamed into place by `commit`
    // a missing key fails before anything is fetched or created
    let key = match &source.api_key {
        Some(k) => Some((k.header.as_str(), k.value(&source.id)?)),
        None => None,
    };
    let mut tmp = AtomicFile::create(target).map_err(io(target))?;
    let limit = source.max_bytes.unwrap_or(settings.max_bytes);
    let (bytes, attempts) = download(source, settings, limit, key.as_ref(), &mut tmp)?;
    check_body(source, &mut tmp)?;

    let loaded =
        load(&ListSpec::new(source.kind, tmp.path()).with_max_bad_rows(source.max_bad_rows))
            .map_err(|e| UpdateError::Load {
                id: source.id.clone(),
                source: e,
            })?;
    let new = loaded.version.entities;
    let skipped = loaded.version.skipped;
    if skipped * 100 > (new + skipped) * settings.max_skipped_percent as usize {
        return Err(UpdateError::Body {
            id: source.id.clone(),
            message: format!(
                "{skipped} of {} records are malformed (more than {}%): truncated or broken export",
                new + skipped,
                settings.max_skipped_percent
            ),
        });
    }
    let current = if target.exists() {
        // counted whatever its malformed records: the shrink check needs
        // the stored file's size even if it would no longer load
        load(&ListSpec::new(source.kind, target).with_max_bad_rows(usize::MAX)).ok()
    } else {
        None
    };
    let previous_entities = current.as_ref().map(|c| c.version.entities);
    if let Some(old) = previous_entities {
        if (new as u128) * 100
            < (old as u128) * (100 - settings.max_shrink_percent.min(100)) as u128
        {
            return Err(UpdateError::Shrink {
                id: source.id.clone(),
                old,
                new,
                max_percent: settings.max_shrink_percent,
            });
        }
    }
    let sha256 = loaded.version.sha256.clone();
    if current.as_ref().is_some_and(|c| c.version.sha256 == sha256) {
        return Ok(UpdateReport {
            id: source.id.clone(),
            path: target.clone(),
            bytes,
            sha256,
            entities: new,
            previous_entities,
            kept_previous: None,
            unchanged: true,
            attempts,
        });
    }

    let mut kept_previous = None;
    if target.exists() {
        let prev = prev_path(target);
        let staging = crate::durable::temp_path(target).map_err(io(target))?;
        if std::fs::hard_link(target, &staging).is_err() {
            std::fs::copy(target, &staging).map_err(io(&staging))?;
        }
        std::fs::rename(&staging, &prev).map_err(io(&prev))?;
        kept_previous = Some(prev);
    }
    tmp.commit().map_err(io(target))?;
    Ok(UpdateReport {
        id: source.id.clone(),
        path: target.clone(),
        bytes,
        sha256,
        entities: new,
        previous_entities,
        kept_previous,
        unchanged: false,
        attempts,
    })
}

/// One attempt's failure: whether to retry, and why.
struct Failure {
    retry: bool,
    message: String,
}

fn download(
    source: &Source,
    settings: &UpdateSettings,
    limit: u64,
    key: Option<&(&str, String)>,
    tmp: &mut AtomicFile,
) -> Result<(u64, u32), UpdateError> {
    let agent = ureq::AgentBuilder::new()
        .timeout_connect(Duration::from_millis(settings.connect_timeout_ms))
        .timeout_read(Duration::from_millis(settings.read_timeout_ms))
        // not `.timeout(..)`: in ureq 2 it replaces the read timeout; the
        // total is enforced by `Deadline` instead
        .user_agent(&settings.user_agent)
        // redirects are followed by `get_following_redirects`: ureq 2
        // panics on a redirect to a URL without a host (`file:///etc/passwd`)
        .redirects(0)
        .build();
    let mut attempts = 0u32;
    let mut backoff = Duration::from_millis(settings.retry_backoff_ms);
    loop {
        attempts += 1;
        let started = std::time::Instant::now();
        let deadline = started + Duration::from_millis(settings.total_timeout_ms);
        let outcome = attempt(&agent, source, limit, key, deadline, tmp).map_err(|mut f| {
            // ureq reports a read timeout as an I/O error ("Unexpected EOF"
            // on the status line); name it for what it was
            let waited = started.elapsed();
            if f.retry && waited >= Duration::from_millis(settings.read_timeout_ms) {
                f.message = format!(
                    "timed out: no complete response within {} ms ({})",
                    waited.as_millis(),
                    f.message
                );
            }
            f
        });
        match outcome {
            Ok(bytes) => return Ok((bytes, attempts)),
            Err(f) if f.retry && attempts <= settings.retries => {
                std::thread::sleep(backoff);
                backoff = backoff.saturating_mul(2);
            }
            Err(f) => {
                return Err(if f.retry {
                    UpdateError::Download {
                        id: source.id.clone(),
                        url: source.url.clone(),
                        attempts,
                        message: f.message,
                    }
                } else {
                    UpdateError::Body {
                        id: source.id.clone(),
                        message: f.message,
                    }
                })
            }
        }
    }
}

/// A body reader that fails once the attempt's total time is up.
struct Deadline<R> {
    inner: R,
    at: std::time::Instant,
}

impl<R: Read> Read for Deadline<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if std::time::Instant::now() >= self.at {
            return Err(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                "total download time exceeded (settings.total_timeout_ms)",
            ));
        }
        self.inner.read(buf)
    }
}

fn attempt(
    agent: &ureq::Agent,
    source: &Source,
    limit: u64,
    key: Option<&(&str, String)>,
    deadline: std::time::Instant,
    tmp: &mut AtomicFile,
) -> Result<u64, Failure> {
    let retry = |message: String| Failure {
        retry: true,
        message,
    };
    let refuse = |message: String| Failure {
        retry: false,
        message,
    };
    tmp.file_mut()
        .set_len(0)
        .and_then(|_| tmp.file_mut().seek(SeekFrom::Start(0)))
        .map_err(|e| refuse(format!("{}: {e}", tmp.path().display())))?;
    let response = get_following_redirects(agent, &source.url, key)?;
    if response.status() != 200 {
        // OFAC answers 202 with an empty body to clients its firewall challenges
        return Err(retry(format!(
            "HTTP {} instead of 200: not the file",
            response.status()
        )));
    }
    let declared = response
        .header("Content-Length")
        .and_then(|v| v.trim().parse::<u64>().ok());
    if let Some(n) = declared.filter(|&n| n > limit) {
        return Err(refuse(format!(
            "Content-Length {n} exceeds the size limit of {limit} bytes"
        )));
    }
    let mut body = Deadline {
        inner: response.into_reader(),
        at: deadline,
    }
    .take(limit + 1);
    let written = std::io::copy(&mut body, tmp.file_mut())
        .map_err(|e| retry(format!("reading the body: {e}")))?;
    if written > limit {
        return Err(refuse(format!(
            "body exceeds the size limit of {limit} bytes"
        )));
    }
    if let Some(n) = declared.filter(|&n| n != written) {
        return Err(retry(format!(
            "body truncated: {written} of {n} bytes (Content-Length) received"
        )));
    }
    tmp.file_mut()
        .flush()
        .map_err(|e| refuse(format!("{}: {e}", tmp.path().display())))?;
    Ok(written)
}

/// Most redirects followed for one download (OFAC answers one: a 302 to a
/// presigned storage URL).
pub const MAX_REDIRECTS: usize = 5;

/// GETs `url`, following at most [`MAX_REDIRECTS`] redirects to `http` or
/// `https` URLs with a host; a redirect anywhere else (`file:`, `ftp:`, no
/// host) or from `https` down to `http` is refused, never followed.
/// An API key (`key`: header, value) goes only to the URL's own origin
/// (scheme, host and port), never to where it redirects elsewhere.
fn get_following_redirects(
    agent: &ureq::Agent,
    url: &str,
    key: Option<&(&str, String)>,
) -> Result<ureq::Response, Failure> {
    let refuse = |message: String| Failure {
        retry: false,
        message,
    };
    let origin = |u: &str| url::Url::parse(u).ok().map(|u| u.origin());
    let first = origin(url);
    let mut current = url.to_owned();
    for _ in 0..=MAX_REDIRECTS {
        let mut request = agent.get(&current);
        if let Some((header, value)) = key {
            if first.is_some() && origin(&current) == first {
                request = request.set(header, value);
            }
        }
        let response = match request.call() {
            Ok(r) => r,
            Err(ureq::Error::Status(code, _)) if code >= 500 || code == 429 => {
                return Err(Failure {
                    retry: true,
                    message: format!("HTTP {code}"),
                })
            }
            Err(ureq::Error::Status(code, _)) => return Err(refuse(format!("HTTP {code}"))),
            Err(ureq::Error::Transport(t)) => {
                return Err(Failure {
                    retry: t.kind() != ureq::ErrorKind::InvalidUrl
                        && t.kind() != ureq::ErrorKind::UnknownScheme,
                    message: t.to_string(),
                })
            }
        };
        if !(300..400).contains(&response.status()) {
            return Ok(response);
        }
        let status = response.status();
        let Some(location) = response.header("Location") else {
            return Err(refuse(format!("HTTP {status} redirect without a Location")));
        };
        let next = redirect_target(response.get_url(), location).map_err(|why| {
            refuse(format!(
                "HTTP {status} redirect to {location:?} refused: {why}"
            ))
        })?;
        current = next;
    }
    Err(refuse(format!(
        "more than {MAX_REDIRECTS} redirects, last to {current}"
    )))
}

/// Where a `Location` header leads from `from`, if it may be followed.
fn redirect_target(from: &str, location: &str) -> Result<String, String> {
    let base = url::Url::parse(from).map_err(|e| format!("bad URL {from}: {e}"))?;
    let next = base.join(location).map_err(|e| format!("not a URL: {e}"))?;
    match next.scheme() {
        "https" => {}
        "http" if base.scheme() == "http" => {}
        "http" => return Err("a downgrade from https to http".into()),
        other => return Err(format!("scheme '{other}' is not http or https")),
    }
    if next.host_str().map_or(true, str::is_empty) {
        return Err("no host".into());
    }
    Ok(next.to_string())
}

/// Checks the start (and for CSV the end) of the body against the declared format.
fn check_body(source: &Source, tmp: &mut AtomicFile) -> Result<(), UpdateError> {
    const HEAD_BYTES: usize = 4096;
    let refuse = |message: String| UpdateError::Body {
        id: source.id.clone(),
        message,
    };
    let tmp_path = tmp.path().to_path_buf();
    let io = |e: std::io::Error| UpdateError::Io {
        path: tmp_path.clone(),
        source: e,
    };
    let len = tmp.file_mut().seek(SeekFrom::End(0)).map_err(io)?;
    if len == 0 {
        return Err(refuse("empty body".into()));
    }
    let mut head = Vec::with_capacity(HEAD_BYTES);
    tmp.file_mut().seek(SeekFrom::Start(0)).map_err(io)?;
    tmp.file_mut()
        .take(HEAD_BYTES as u64)
        .read_to_end(&mut head)
        .map_err(io)?;
    let text = String::from_utf8_lossy(&head);
    let start = text.trim_start_matches('\u{feff}').trim_start();
    let lower = start.to_ascii_lowercase();
    if lower.starts_with("<!doctype html") || lower.starts_with("<html") || lower.contains("<html")
    {
        return Err(refuse(format!(
            "an HTML page, not the {:?} list (an error or login page served with status 200?)",
            source.format
        )));
    }
    let ok = match source.format {
        BodyFormat::Xml => start.starts_with('<'),
        BodyFormat::Json => start.starts_with('[') || start.starts_with('{'),
        BodyFormat::Csv => {
            !start.starts_with('<')
                && start
                    .lines()
                    .next()
                    .is_some_and(|l| l.contains(',') || l.contains(';'))
        }
    };
    if !ok {
        let shown: String = start.chars().take(60).collect();
        return Err(refuse(format!(
            "does not look like {:?}: starts with {shown:?}",
            source.format
        )));
    }
    if let Some(expect) = &source.expect {
        if !text.contains(expect.as_str()) {
            return Err(refuse(format!(
                "the first {HEAD_BYTES} bytes do not contain {expect:?}: not this list"
            )));
        }
    }
    if source.format == BodyFormat::Csv {
        let mut last = [0u8; 1];
        tmp.file_mut().seek(SeekFrom::Start(len - 1)).map_err(io)?;
        tmp.file_mut().read_exact(&mut last).map_err(io)?;
        if last[0] != b'\n' {
            return Err(refuse(
                "CSV does not end with a line break: truncated".into(),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::redirect_target;

    #[test]
    fn only_http_and_https_redirects_with_a_host_are_followed() {
        let from = "https://sanctionslistservice.ofac.treas.gov/api/x/SDN.XML";
        assert_eq!(
            redirect_target(from, "https://s3.amazonaws.com/b/SDN.XML?sig=1").as_deref(),
            Ok("https://s3.amazonaws.com/b/SDN.XML?sig=1")
        );
        assert_eq!(
            redirect_target(from, "/other").as_deref(),
            Ok("https://sanctionslistservice.ofac.treas.gov/other")
        );
        for bad in ["file:///etc/passwd", "http://plain.example/x", "ftp://h/x"] {
            assert!(redirect_target(from, bad).is_err(), "{bad}");
        }
        assert!(redirect_target("http://a.example/x", "http://b.example/y").is_ok());
    }
}
