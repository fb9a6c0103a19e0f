//! The config file (`amlscreen.yaml`): which lists to load, where the rule
//! files are, where to write the audit log, matcher thresholds.
//!
//! Relative paths are resolved against the config file's directory, so a
//! config works from any working directory.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, ErrorKind};
use crate::lists::{CompanionFiles, ListGuard, ListSpec, SourceKind};
use crate::names::MatchConfig;
use crate::source::SourceError;
use crate::state::StateConfig;

/// The engine's configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Lists to load, in order.
    #[serde(default)]
    pub lists: Vec<ListSpec>,
    /// A list cache written by `amlscreen lists compile` to load instead
    /// of parsing `lists`, when it was compiled from exactly these files by
    /// this engine build with these `matching` settings; otherwise it is
    /// refused (reason on stderr) and the lists are parsed. Config key
    /// `list_cache:` (`snapshot:`, its earlier name, is still read).
    #[serde(default, alias = "snapshot", skip_serializing_if = "Option::is_none")]
    pub list_cache: Option<PathBuf>,
    /// Rules directory (or a single rule file).
    pub rules: PathBuf,
    /// Audit log settings; no audit log when absent.
    #[serde(default)]
    pub audit: Option<AuditConfig>,
    /// Name-matcher thresholds and tunables.
    #[serde(default)]
    pub matching: MatchConfig,
    /// Refusal of implausibly shrunken lists (history file, tolerance).
    /// On by default: [`Config::load`] keeps the history in
    /// [`crate::lists::DEFAULT_HISTORY_FILE`] beside the config file when
    /// `list_guard.history` names none.
    #[serde(default)]
    pub list_guard: ListGuard,
    /// Bounds on the per-customer history the behaviour rules keep.
    #[serde(default)]
    pub state: StateConfig,
    /// How far from the time of screening a transaction may be dated.
    #[serde(default)]
    pub screening: ScreeningConfig,
    /// The case store (cases, staff actions, suppressions, customer
    /// status, every decision). Absent: kept in memory for the screener's
    /// lifetime.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub store: Option<StoreConfig>,
    /// The HTTP service (`amlscreen serve`): API tokens and request
    /// limits. Absent: no tokens (the service listens on loopback only)
    /// and the default limits.
    #[serde(default)]
    pub server: ServerConfig,
}

/// The HTTP service's settings (config section `server:`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ServerConfig {
    /// API tokens, each with its roles. None: the service refuses to
    /// listen anywhere but on loopback, and every caller has every role.
    pub tokens: Vec<ApiToken>,
    /// Largest request body accepted, in bytes (a batch included).
    pub max_body_bytes: usize,
    /// Most transactions in one batch request.
    pub max_batch: usize,
    /// Most requests handled at once; one more is answered 503
    /// `overloaded` before its body is read.
    pub max_concurrent: usize,
    /// Longest a request may take before it is answered 503 `timeout`
    /// (`30s`, `2m`).
    #[serde(
        serialize_with = "serialize_duration",
        deserialize_with = "deserialize_duration"
    )]
    pub request_timeout: chrono::Duration,
    /// A list whose publication (or, without one, file) date is older than
    /// this is flagged stale in `GET /v1/lists` and `/metrics`.
    #[serde(
        serialize_with = "serialize_duration",
        deserialize_with = "deserialize_duration"
    )]
    pub stale_after: chrono::Duration,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            tokens: Vec::new(),
            max_body_bytes: 16 << 20,
            max_batch: 10_000,
            max_concurrent: 1024,
            request_timeout: chrono::Duration::seconds(30),
            stale_after: chrono::Duration::days(7),
        }
    }
}

/// One API token of the service: its name (the reviewer id its actions
/// are recorded under), the SHA-256 of the secret (the secret itself is
/// never stored) and its roles.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApiToken {
    /// Who holds it: shown in staff actions, never the secret.
    pub name: String,
    /// SHA-256 of the secret, 64 hex digits (`amlscreen token new` prints
    /// both).
    #[serde(deserialize_with = "deserialize_sha256")]
    pub sha256: String,
    /// What it may do.
    pub roles: Vec<Role>,
}

/// What an API token may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Screen transactions and match names.
    Screen,
    /// Read and resolve cases; read, register, freeze, unfreeze and
    /// enhance customers.
    Review,
    /// Reload lists and rules; read the lists in force.
    Admin,
}

impl Role {
    /// Its name in the config.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Screen => "screen",
            Role::Review => "review",
            Role::Admin => "admin",
        }
    }
}

fn deserialize_sha256<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    let text = String::deserialize(d)?;
    let hex = text.trim().to_ascii_lowercase();
    if hex.len() != 64 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(serde::de::Error::custom(
            "a token's sha256 is 64 hex digits (`amlscreen token new` prints it); \
             never the token itself",
        ));
    }
    Ok(hex)
}

/// Where the case store is kept (config section `store:`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoreConfig {
    /// The SQLite file, created owner-only at first use. One process
    /// writes it at a time. Leave it out when `postgres` is given.
    #[serde(default, skip_serializing_if = "path_is_empty")]
    pub path: PathBuf,
    /// A PostgreSQL database shared by every instance
    /// (`postgres://user:password@host:5432/db`; feature `postgres`, on in
    /// the binary) instead of the SQLite file: cases, reviewers' actions,
    /// cleared false positives and customer status reach every instance
    /// (each polls for new staff actions every 250 ms).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postgres: Option<String>,
    /// A local file where decisions wait while the database cannot be
    /// reached, recorded in order when it answers again (only with
    /// `postgres`). Without it, a decision that cannot be recorded is an
    /// error (HTTP 503), as with SQLite.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spool: Option<PathBuf>,
}

fn path_is_empty(path: &Path) -> bool {
    path.as_os_str().is_empty()
}

impl StoreConfig {
    /// The problem with a `store:` section naming neither or both places.
    fn problem(&self) -> Option<&'static str> {
        match (path_is_empty(&self.path), &self.postgres) {
            (true, None) => {
                Some("store: give `path` (a SQLite file) or `postgres` (a database URL)")
            }
            (false, Some(_)) => {
                Some("store: give `path` (a SQLite file) or `postgres` (a database URL), not both")
            }
            (false, None) if self.spool.is_some() => {
                Some("store.spool: only a `postgres` store is spooled (SQLite is local)")
            }
            _ => None,
        }
    }
}

/// How far from the time of screening a transaction's timestamp may lie
/// (config section `screening:`). A transaction outside is refused — an
/// error naming `timestamp` — before it touches the customer history: one
/// transfer dated 9999-12-31 would otherwise be every later window's
/// "latest" and empty it, so structuring and velocity never fired again.
///
/// ```
/// let live = amlscreen::ScreeningConfig::default();
/// assert_eq!(live.max_future, chrono::Duration::days(1));
/// assert_eq!(live.max_age, Some(chrono::Duration::days(400)));
/// assert_eq!(amlscreen::ScreeningConfig::backtest().max_age, None);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ScreeningConfig {
    /// How far ahead of the time of screening a timestamp may be: the clock
    /// skew between the exchange's systems. Default `1d`; written like rule
    /// durations (`90m`, `24h`, `1d`). Raising it lets a mis-dated transfer
    /// further into the future push the customer's windows forward.
    #[serde(
        serialize_with = "serialize_duration",
        deserialize_with = "deserialize_duration"
    )]
    pub max_future: chrono::Duration,
    /// How far behind the time of screening a timestamp may be. Default
    /// `400d` (more than a year of late arrivals, and more than any rule
    /// window); `unlimited` for back-testing old transactions (as `screen
    /// --backtest` does). Lowering it refuses late-arriving transfers.
    #[serde(
        serialize_with = "serialize_max_age",
        deserialize_with = "deserialize_max_age"
    )]
    pub max_age: Option<chrono::Duration>,
}

impl Default for ScreeningConfig {
    fn default() -> Self {
        ScreeningConfig {
            max_future: chrono::Duration::days(1),
            max_age: Some(chrono::Duration::days(400)),
        }
    }
}

impl ScreeningConfig {
    /// For back-testing: any age accepted, the future still bounded by
    /// the default [`ScreeningConfig::max_future`].
    pub fn backtest() -> ScreeningConfig {
        ScreeningConfig {
            max_age: None,
            ..ScreeningConfig::default()
        }
    }

    /// Parses a duration as the config writes it: a whole number and a
    /// unit (`90m`, `36h`, `400d`; units s, m, h, d, w).
    ///
    /// ```
    /// use amlscreen::ScreeningConfig;
    /// assert_eq!(ScreeningConfig::parse_duration("36h"), Ok(chrono::Duration::hours(36)));
    /// assert!(ScreeningConfig::parse_duration("1 day").is_err());
    /// ```
    pub fn parse_duration(text: &str) -> Result<chrono::Duration, String> {
        duration_from_text(text)
    }
}

/// A duration as the config writes it: `1d`, `36h`, `400d`.
pub(crate) fn duration_to_text(d: chrono::Duration) -> String {
    crate::util::duration_text(d)
}

/// Parses a config duration (`1d`, `36h`; units s, m, h, d, w).
pub(crate) fn duration_from_text(text: &str) -> Result<chrono::Duration, String> {
    crate::rules::duration::RuleDuration::parse(text).map(|d| d.as_duration())
}

/// Reads a duration text inside the value's own visit, so that an error
/// carries the value's position.
struct DurationText {
    unlimited_allowed: bool,
}

impl serde::de::Visitor<'_> for DurationText {
    type Value = Option<chrono::Duration>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a duration such as 1d or 36h")?;
        if self.unlimited_allowed {
            f.write_str(", or unlimited")?;
        }
        Ok(())
    }

    fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<Self::Value, E> {
        if self.unlimited_allowed && text.trim() == "unlimited" {
            return Ok(None);
        }
        duration_from_text(text).map(Some).map_err(|e| {
            E::custom(if self.unlimited_allowed {
                format!("{e}, or unlimited")
            } else {
                e
            })
        })
    }
}

fn serialize_duration<S: serde::Serializer>(d: &chrono::Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&duration_to_text(*d))
}

fn deserialize_duration<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<chrono::Duration, D::Error> {
    let visitor = DurationText {
        unlimited_allowed: false,
    };
    d.deserialize_str(visitor)?
        .ok_or_else(|| serde::de::Error::custom("a duration is needed"))
}

fn serialize_max_age<S: serde::Serializer>(
    d: &Option<chrono::Duration>,
    s: S,
) -> Result<S::Ok, S::Error> {
    match d {
        Some(d) => s.serialize_str(&duration_to_text(*d)),
        None => s.serialize_str("unlimited"),
    }
}

fn deserialize_max_age<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<chrono::Duration>, D::Error> {
    d.deserialize_str(DurationText {
        unlimited_allowed: true,
    })
}

/// Where and how audit records are written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditConfig {
    /// The audit file (JSON lines, hash-chained).
    pub path: PathBuf,
    /// When records are forced to disk: `every_record` (default: a decision
    /// returned is on disk), `interval` (at most `fsync_interval_ms` after
    /// the write: faster, a power loss can lose that window) or `os` (never
    /// explicitly: survives a killed process, not a power loss).
    #[serde(default)]
    pub fsync: FsyncPolicy,
    /// With `fsync: interval`, the longest a written record waits for its
    /// sync, in milliseconds. Default 200. Lower is safer and costs more syncs.
    #[serde(default = "default_fsync_interval_ms")]
    pub fsync_interval_ms: u64,
    /// Start a new file when the live one would grow past this many bytes;
    /// the old one becomes `<path>.000001`, `<path>.000002`, … and the hash
    /// chain runs on across files. Absent: never rotate.
    #[serde(default)]
    pub rotate_bytes: Option<u64>,
    /// A file holding the secret key (at least 16 bytes) under which customer
    /// identifiers are pseudonymised (HMAC-SHA256) in audit records. Absent:
    /// identifiers are stored as given. Keep the key outside the audit directory.
    #[serde(default)]
    pub pseudonymise_key_file: Option<PathBuf>,
    /// The file holding the key that seals every record and checkpoint
    /// (HMAC-SHA256), created owner-only with a random key at first use.
    /// Absent: `<path>.key` beside the log — which stops a rewrite by anyone
    /// who cannot read it, not by someone who can read the audit directory;
    /// keep it elsewhere in production. Group- or world-readable key files
    /// and symbolic links are refused.
    #[serde(default)]
    pub key_file: Option<PathBuf>,
    /// Write a checkpoint (record count and last seal, to
    /// `<path>.checkpoints`) every this many records, besides the one on
    /// close; records deleted from the end of the log up to the last
    /// checkpoint are detected. Default 1000; 0: only on close.
    #[serde(default = "default_checkpoint_every")]
    pub checkpoint_every: u64,
    /// How long records and closed cases are kept at least: `audit prune`
    /// removes nothing younger. Default `10y` (years count 365.25 days,
    /// rounded up); written like other durations, or in years.
    #[serde(
        default = "default_retention",
        serialize_with = "serialize_duration",
        deserialize_with = "deserialize_retention"
    )]
    pub retention: chrono::Duration,
    /// This instance's name when several instances run (each with its own
    /// audit file and key): written into every record, so `amlscreen audit
    /// verify` checks each chain is one instance's and `audit export`
    /// merges several in time order naming each. Letters, digits, `.`,
    /// `_`, `-`; at most 64.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance: Option<String>,
}

fn default_retention() -> chrono::Duration {
    retention_years(10)
}

/// `n` years as days, leap days counted and rounded up.
fn retention_years(n: i64) -> chrono::Duration {
    chrono::Duration::days(n * 365 + (n + 3) / 4)
}

fn deserialize_retention<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<chrono::Duration, D::Error> {
    struct Retention;
    impl serde::de::Visitor<'_> for Retention {
        type Value = chrono::Duration;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a retention such as 10y or 3653d")
        }
        fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<Self::Value, E> {
            let text = text.trim();
            if let Some(years) = text.strip_suffix('y') {
                return match years.parse::<i64>() {
                    Ok(n) if (0..=100).contains(&n) => Ok(retention_years(n)),
                    _ => Err(E::custom(format!(
                        "'{text}': a whole number of years 0–100, such as 10y"
                    ))),
                };
            }
            duration_from_text(text).map_err(|e| E::custom(format!("{e}, or years such as 10y")))
        }
    }
    d.deserialize_str(Retention)
}

/// When audit records are forced to stable storage (see [`AuditConfig::fsync`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum FsyncPolicy {
    /// After every record.
    #[default]
    EveryRecord,
    /// At most `fsync_interval_ms` after a record.
    Interval,
    /// Left to the operating system.
    Os,
}

fn default_fsync_interval_ms() -> u64 {
    200
}

fn default_checkpoint_every() -> u64 {
    crate::audit::DEFAULT_CHECKPOINT_EVERY
}

impl AuditConfig {
    /// An audit config with default durability, no rotation, no
    /// pseudonymisation, the key beside the log.
    pub fn new(path: impl Into<PathBuf>) -> AuditConfig {
        AuditConfig {
            path: path.into(),
            fsync: FsyncPolicy::default(),
            fsync_interval_ms: default_fsync_interval_ms(),
            rotate_bytes: None,
            pseudonymise_key_file: None,
            key_file: None,
            checkpoint_every: default_checkpoint_every(),
            retention: default_retention(),
            instance: None,
        }
    }

    /// The options the audit log opens with; reads the key file if one is set.
    pub fn options(&self) -> Result<crate::audit::AuditOptions, crate::audit::AuditError> {
        use crate::audit::{AuditError, AuditOptions, ChainKey, Durability};
        let durability = match self.fsync {
            FsyncPolicy::EveryRecord => Durability::EveryRecord,
            FsyncPolicy::Interval => Durability::Interval(std::time::Duration::from_millis(
                self.fsync_interval_ms.max(1),
            )),
            FsyncPolicy::Os => Durability::OsBuffered,
        };
        let pseudonymise_key = match &self.pseudonymise_key_file {
            None => None,
            Some(path) => {
                let bytes = std::fs::read(path).map_err(|source| AuditError::Io {
                    path: path.clone(),
                    source,
                })?;
                let key = bytes.trim_ascii().to_vec();
                if key.len() < crate::audit::MIN_PSEUDONYMISE_KEY_BYTES {
                    return Err(AuditError::Config(format!(
                        "{}: field pseudonymise_key_file: key has {} bytes; at least {} are needed",
                        path.display(),
                        key.len(),
                        crate::audit::MIN_PSEUDONYMISE_KEY_BYTES
                    )));
                }
                Some(key)
            }
        };
        if let Some(instance) = &self.instance {
            let fine = !instance.is_empty()
                && instance.len() <= 64
                && instance
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
            if !fine {
                return Err(AuditError::Config(format!(
                    "audit.instance '{instance}': use letters, digits, '.', '_' and '-' \
                     (1 to 64 of them)"
                )));
            }
        }
        Ok(AuditOptions {
            instance: self.instance.clone(),
            durability,
            rotate_bytes: self.rotate_bytes,
            pseudonymise_key,
            chain_key: match &self.key_file {
                Some(path) => ChainKey::File(path.clone()),
                None => ChainKey::BesideLog,
            },
            checkpoint_every: self.checkpoint_every,
        })
    }
}

impl Config {
    /// Reads a config file and resolves its relative paths.
    pub fn load(path: &Path) -> Result<Config, Error> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            ErrorKind::Config(SourceError::whole_file(path, format!("cannot read: {e}")))
        })?;
        let source = crate::source::SourceText::new(path, text);
        let mut config: Config = source.deserialize().map_err(ErrorKind::Config)?;
        // Settings that parse but would switch screening off are refused,
        // at the value's position.
        if let Some((field, message)) = config.matching.problems().into_iter().next() {
            let matching = source.root().ok().and_then(|root| root.entry("matching"));
            let at = match matching {
                Some((key, section)) => match section.entry(&field) {
                    Some((_, value)) => source.at(value),
                    None => source.at(key),
                },
                None => source.position(0, 0),
            };
            return Err(ErrorKind::Config(at.error(format!("matching.{field}: {message}"))).into());
        }
        if let Some((i, spec)) = config.lists.iter().enumerate().find(|(_, l)| {
            l.source != SourceKind::OfacSdnCsv && l.companions != CompanionFiles::Required
        }) {
            let item = source
                .root()
                .ok()
                .and_then(|root| root.get("lists"))
                .and_then(|lists| lists.as_seq())
                .and_then(|lists| lists.get(i));
            let at = match item.and_then(|l| l.entry("companions")) {
                Some((key, _)) => source.at(key),
                None => source.position(0, 0),
            };
            return Err(ErrorKind::Config(at.error(format!(
                "lists[{i}].companions: only an ofac_sdn_csv list has companion files, not {}",
                spec.source
            )))
            .into());
        }
        if let Some(problem) = config.store.as_ref().and_then(StoreConfig::problem) {
            let at = match source.root().ok().and_then(|root| root.entry("store")) {
                Some((key, _)) => source.at(key),
                None => source.position(0, 0),
            };
            return Err(ErrorKind::Config(at.error(problem.to_owned())).into());
        }
        let base = path.parent().unwrap_or(Path::new(""));
        // the shrink guard is on unless the config names another history
        config
            .list_guard
            .history
            .get_or_insert_with(|| PathBuf::from(crate::lists::DEFAULT_HISTORY_FILE));
        config.resolve_relative_to(base);
        Ok(config)
    }

    /// Makes every relative path relative to `base` instead.
    pub fn resolve_relative_to(&mut self, base: &Path) {
        let fix = |p: &mut PathBuf| {
            if p.is_relative() && !base.as_os_str().is_empty() {
                *p = base.join(&*p);
            }
        };
        for list in &mut self.lists {
            fix(&mut list.path);
        }
        fix(&mut self.rules);
        if let Some(list_cache) = &mut self.list_cache {
            fix(list_cache);
        }
        if let Some(store) = &mut self.store {
            if !path_is_empty(&store.path) {
                fix(&mut store.path);
            }
            if let Some(spool) = &mut store.spool {
                fix(spool);
            }
        }
        if let Some(audit) = &mut self.audit {
            fix(&mut audit.path);
            if let Some(key) = &mut audit.pseudonymise_key_file {
                fix(key);
            }
            if let Some(key) = &mut audit.key_file {
                fix(key);
            }
        }
        if let Some(history) = &mut self.list_guard.history {
            fix(history);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_follow_the_config_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.yaml");
        std::fs::write(
            &path,
            "lists:\n  - source: watchlist\n    path: w.csv\nrules: rules\naudit:\n  path: /abs/audit.jsonl\n",
        )
        .unwrap();
        let c = Config::load(&path).unwrap();
        assert_eq!(c.lists[0].path, dir.path().join("w.csv"));
        assert_eq!(c.rules, dir.path().join("rules"));
        assert_eq!(c.audit.unwrap().path, PathBuf::from("/abs/audit.jsonl"));
    }

    #[test]
    fn errors_name_file_line_and_field() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.yaml");
        std::fs::write(&path, "rules: r\nlistz: []\n").unwrap();
        let msg = Config::load(&path).unwrap_err().to_string();
        assert!(msg.contains("c.yaml:2:1: unknown field `listz`"), "{msg}");
        std::fs::write(&path, "rules: r\nlists:\n  - source: ofac\n    path: x\n").unwrap();
        let msg = Config::load(&path).unwrap_err().to_string();
        assert!(msg.contains("c.yaml:3:"), "{msg}");
    }

    #[test]
    fn the_list_cache_is_read_under_its_name_and_its_earlier_one() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.yaml");
        for key in ["list_cache", "snapshot"] {
            std::fs::write(&path, format!("rules: r\n{key}: lists.snap\n")).unwrap();
            let c = Config::load(&path).unwrap_or_else(|e| panic!("{key}: {e}"));
            assert_eq!(c.list_cache, Some(dir.path().join("lists.snap")), "{key}");
        }
        std::fs::write(&path, "rules: r\nlist_cach: lists.snap\n").unwrap();
        let err = Config::load(&path).unwrap_err();
        assert!(err.to_string().contains("c.yaml:2:1"), "{err}");
        assert_eq!(err.location().and_then(|l| l.line), Some(2));
    }

    /// Each of these parsed before and switched name screening off.
    #[test]
    fn thresholds_that_would_switch_screening_off_are_refused_at_their_position() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.yaml");
        for (matching, needle) in [
            (
                "review_threshold: .nan",
                "matching.review_threshold: must be a finite number",
            ),
            (
                "review_threshold: .inf",
                "matching.review_threshold: must be a finite number",
            ),
            (
                "review_threshold: 1.5",
                "matching.review_threshold: 1.5 is outside 0 to 1",
            ),
            (
                "review_threshold: -0.2",
                "matching.review_threshold: -0.2 is outside 0 to 1",
            ),
            (
                "block_threshold: 0.5",
                "matching.block_threshold: 0.5 is below review_threshold",
            ),
            (
                "unmatched_query_cost: .nan",
                "matching.unmatched_query_cost",
            ),
        ] {
            std::fs::write(&path, format!("rules: r\nmatching:\n  {matching}\n")).unwrap();
            let err = Config::load(&path).unwrap_err();
            let msg = err.to_string();
            assert!(msg.contains(needle), "{matching}: {msg}");
            assert!(msg.contains("c.yaml:3:"), "{matching}: {msg}");
        }
        std::fs::write(&path, "rules: r\nmatching:\n  review_threshold: 0.85\n").unwrap();
        assert!(Config::load(&path).is_ok());
    }

    #[test]
    fn screening_bounds_read_with_positions() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.yaml");
        std::fs::write(&path, "rules: r\n").unwrap();
        assert_eq!(
            Config::load(&path).unwrap().screening,
            ScreeningConfig::default()
        );
        std::fs::write(
            &path,
            "rules: r\nscreening:\n  max_future: 36h\n  max_age: unlimited\n",
        )
        .unwrap();
        let s = Config::load(&path).unwrap().screening;
        assert_eq!(
            (s.max_future, s.max_age),
            (chrono::Duration::hours(36), None)
        );
        for (bad, line, needle) in [
            ("  max_future: 1 day\n", 3, "bad duration '1 day'"),
            ("  max_future: 1d\n  max_age: forever\n", 4, "or unlimited"),
            ("  max_futur: 1d\n", 3, "unknown field `max_futur`"),
        ] {
            std::fs::write(&path, format!("rules: r\nscreening:\n{bad}")).unwrap();
            let msg = Config::load(&path).unwrap_err().to_string();
            assert!(
                msg.contains(&format!("c.yaml:{line}:")) && msg.contains(needle),
                "{bad}: {msg}"
            );
        }
    }
}
