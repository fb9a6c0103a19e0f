//! The list cache ("list snapshot" in the CLI and config): the parsed
//! lists, the name index and the address index written to one binary file by `amlscreen lists compile`, so a process
//! starts screening in a fraction of the time parsing the sources takes.
//!
//! Reach for it when start-up time matters (a restart, a hot reload, a
//! short-lived CLI run): with every real list, parsing and indexing costs
//! about 2 s, loading a snapshot a small fraction of that (see BENCHMARKS.md).
//!
//! A snapshot is only ever a cache of the sources. It is used only when all
//! of these hold, and refused with a [`ListCacheError`] naming the file and
//! the reason otherwise:
//! - it starts with [`MAGIC`] and has format [`FORMAT_VERSION`];
//! - it was written by this engine version ([`crate::model::ENGINE_VERSION`])
//!   *and* by a build of the same parser and index code (the build
//!   fingerprint, see `build.rs`): the version alone does not change while
//!   the index is developed;
//! - it was compiled with the same [`MatchConfig`] (the index's token
//!   weights and typo budgets depend on it);
//! - it was compiled from the same list sources, in order, and every source
//!   file (and OFAC CSV companion) still has the recorded size and SHA-256;
//! - its payload has the recorded length and SHA-256.
//!
//! Hashing every source on each start is deliberate: it costs about 1 ms
//! per MB with SHA-NI (≈25 ms for all real lists), and a size or mtime check
//! alone would let a list edited in place keep screening against the old
//! entries. When a snapshot is refused the engine parses the sources
//! instead and says so on stderr ([`crate::Engine::from_config`]); it never screens
//! against a stale snapshot.
//!
//! File layout: `MAGIC` (8 bytes), format version (u32 LE), header length
//! (u32 LE), the header ([`ListCacheHeader`]), the payload (entities, list
//! versions, name index, address index), both encoded with `bitcode`
//! through serde. bitcode decoded the real-list payload about 40% faster
//! than postcard (measured, see BENCHMARKS.md) and is maintained; its
//! encoding may change between its versions, which the build fingerprint
//! covers (it hashes `Cargo.lock`). It is not self-describing, so types
//! whose serde attributes need a self-describing format (internally tagged
//! [`BirthDate`], skipped `None` fields of [`Entity`]) are written through
//! mirror records defined here.
//!
//! Loading overlaps its work on two cores: one thread hashes the source
//! files and then the payload while the other reads and decodes the
//! payload; a refusal from the hashing thread discards what was decoded.

use std::fmt;
use std::fs::File;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize, Serializer};

use crate::addresses::{AddressIndex, CryptoAddress};
use crate::lists::{
    ofac_csv, Alias, BirthDate, BirthDateRecord, Category, Entity, EntityKind, EntityStatus,
    Identifier, ListSpec, ListVersion, LoadedList, SourceKind,
};
use crate::model::ENGINE_VERSION;
use crate::names::{MatchConfig, NameIndex};
use crate::util::{hex, sha256_hex};

/// The first bytes of every snapshot file.
pub const MAGIC: [u8; 8] = *b"AMLSNAP\0";
/// Version of the file layout. Raise it whenever the header or payload
/// layout changes in a way the build fingerprint would not catch.
///
/// 2: the name index carries what it computes at build for fast searches
/// (fuzzy neighbours of every dictionary word, the tokenisation memo,
/// per-name bound records, word arenas), so a loaded index is warm at once.
/// 3: entities carry their list category. 4: the name index carries the
/// consonant keys of words romanised from Arabic and Hebrew script.
pub const FORMAT_VERSION: u32 = 4;
/// Fingerprint of the parser and index code this binary was built from
/// (computed by `build.rs`).
pub const BUILD_FINGERPRINT: &str = env!("AMLSCREEN_BUILD_FINGERPRINT");
/// Bytes before the header: magic, format version, header length.
const PREFIX_LEN: usize = 16;
/// Read size when hashing a source file: large enough that the read calls
/// cost nothing next to the hashing, small enough to stay in L2.
const HASH_CHUNK_BYTES: usize = 256 * 1024;

/// Lists ready to screen against: versions, entities, name index and
/// address index, built from parsed sources or loaded from a snapshot.
#[derive(Debug)]
pub struct CompiledLists {
    pub(crate) lists: Vec<ListVersion>,
    pub(crate) entities: Vec<Entity>,
    pub(crate) names: NameIndex,
    pub(crate) addresses: AddressIndex<usize>,
    pub(crate) origin: ListsOrigin,
}

/// Where a screener's lists came from.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ListsOrigin {
    /// Parsed from the list files (no list cache configured).
    Sources,
    /// Loaded from a list cache.
    ListCache {
        /// The list cache file.
        path: PathBuf,
    },
    /// A list cache was configured but refused; the list files were parsed.
    SourcesAfterRefusal {
        /// Why the snapshot was refused (names the file).
        refusal: String,
    },
}

impl CompiledLists {
    /// Indexes parsed lists: entities in list order, names of active
    /// entities, crypto addresses of active entities.
    pub fn build(lists: Vec<LoadedList>, matching: MatchConfig) -> CompiledLists {
        let mut versions = Vec::with_capacity(lists.len());
        let mut entities = Vec::new();
        for list in lists {
            versions.push(list.version);
            entities.extend(list.entities);
        }
        let names = NameIndex::build(&entities, matching);
        let mut addresses = AddressIndex::new();
        for (i, e) in entities.iter().enumerate().filter(|(_, e)| e.is_active()) {
            for a in &e.addresses {
                addresses.insert(a, i);
            }
        }
        CompiledLists {
            lists: versions,
            entities,
            names,
            addresses,
            origin: ListsOrigin::Sources,
        }
    }

    /// Versions of every list, in config order.
    pub fn lists(&self) -> &[ListVersion] {
        &self.lists
    }

    /// Every entity, in list order.
    pub fn entities(&self) -> &[Entity] {
        &self.entities
    }

    /// The name index.
    pub fn names(&self) -> &NameIndex {
        &self.names
    }

    /// The crypto-address index (values are entity indices).
    pub fn addresses(&self) -> &AddressIndex<usize> {
        &self.addresses
    }

    /// Where these lists came from.
    pub fn origin(&self) -> &ListsOrigin {
        &self.origin
    }
}

/// What a snapshot was compiled from and for; checked before its payload
/// is read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListCacheHeader {
    /// `CARGO_PKG_VERSION` of the engine that wrote it.
    pub engine_version: String,
    /// [`BUILD_FINGERPRINT`] of the engine that wrote it.
    pub build_fingerprint: String,
    /// SHA-256 of the serialized [`MatchConfig`] the index was built with.
    pub matching_sha256: String,
    /// The configured lists, in order, with the files each was read from.
    pub lists: Vec<ListCacheList>,
    /// When it was written (RFC 3339, informational).
    pub created_at: String,
    /// Payload length in bytes.
    pub payload_len: u64,
    /// SHA-256 of the payload bytes.
    pub payload_sha256: String,
}

/// One configured list as it was compiled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListCacheList {
    /// Loader used.
    pub source: SourceKind,
    /// The configured path.
    pub path: String,
    /// Every file the loader read (the list file first, then companions).
    pub files: Vec<SourceFile>,
    /// The category the config gave the list (`None`: the loader's own).
    pub category: Option<Category>,
}

/// One file a list was read from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceFile {
    /// Path as read.
    pub path: String,
    /// Size in bytes.
    pub size: u64,
    /// SHA-256 of the bytes, lower-case hex.
    pub sha256: String,
}

/// What `lists compile` wrote.
#[derive(Debug, Clone, Serialize)]
pub struct CompileSummary {
    /// The snapshot file.
    pub path: PathBuf,
    /// Its size in bytes.
    pub bytes: u64,
    /// Lists compiled.
    pub lists: usize,
    /// Entities stored.
    pub entities: usize,
    /// List names indexed.
    pub names: usize,
    /// Crypto addresses indexed.
    pub addresses: usize,
}

/// A snapshot that could not be written, or was refused. Always names the
/// snapshot file; [`ListCacheError::reason`] says why.
#[derive(Debug)]
pub struct ListCacheError {
    path: PathBuf,
    reason: ListCacheRefusal,
}

/// Why a snapshot was refused (or could not be written).
#[derive(Debug)]
#[non_exhaustive]
pub enum ListCacheRefusal {
    /// The snapshot file could not be read or written.
    Io(std::io::Error),
    /// The file does not start with [`MAGIC`].
    BadMagic,
    /// Another file layout version.
    FormatVersion {
        /// In the file.
        found: u32,
    },
    /// The file is shorter or longer than its header says.
    Length {
        /// Bytes in the file.
        actual: u64,
        /// Bytes the header accounts for.
        expected: u64,
    },
    /// The header could not be decoded.
    Header(String),
    /// Written by another engine version.
    EngineVersion {
        /// In the file.
        found: String,
    },
    /// Written by a build with other parser or index code.
    BuildFingerprint {
        /// In the file.
        found: String,
    },
    /// Compiled with another matcher configuration.
    MatchConfig {
        /// In the file.
        found: String,
        /// Of the configuration in force.
        expected: String,
    },
    /// The config names other lists (count, order or kind).
    Lists(String),
    /// A source file differs from the one compiled.
    SourceChanged {
        /// The file.
        path: String,
        /// What differs.
        detail: String,
    },
    /// A source file changed while the snapshot was being compiled.
    ChangedWhileCompiling {
        /// The file.
        path: String,
    },
    /// The payload's SHA-256 is not the recorded one.
    Checksum {
        /// Computed.
        found: String,
        /// Recorded.
        expected: String,
    },
    /// The payload passed its checksum but could not be decoded.
    Payload(String),
}

impl ListCacheError {
    fn new(path: &Path, reason: ListCacheRefusal) -> ListCacheError {
        ListCacheError {
            path: path.to_path_buf(),
            reason,
        }
    }

    /// The snapshot file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Why it was refused.
    pub fn reason(&self) -> &ListCacheRefusal {
        &self.reason
    }
}

impl fmt::Display for ListCacheError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use ListCacheRefusal as R;
        let path = self.path.display();
        match &self.reason {
            R::Io(e) => write!(f, "{path}: list snapshot: {e}"),
            R::BadMagic => write!(
                f,
                "{path}: list snapshot refused: not a list snapshot (wrong magic bytes)"
            ),
            R::FormatVersion { found } => write!(
                f,
                "{path}: list snapshot refused: format version {found}, this engine reads {FORMAT_VERSION}"
            ),
            R::Length { actual, expected } if actual < expected => write!(
                f,
                "{path}: list snapshot refused: truncated: {actual} bytes, the header accounts for {expected}"
            ),
            R::Length { actual, expected } => write!(
                f,
                "{path}: list snapshot refused: {actual} bytes, {} more than the header accounts for",
                actual - expected
            ),
            R::Header(e) => write!(f, "{path}: list snapshot refused: unreadable header: {e}"),
            R::EngineVersion { found } => write!(
                f,
                "{path}: list snapshot refused: written by engine version {found}, this is {ENGINE_VERSION}"
            ),
            R::BuildFingerprint { found } => write!(
                f,
                "{path}: list snapshot refused: written by a build with other list parser or index code (build {found}, this is {BUILD_FINGERPRINT})"
            ),
            R::MatchConfig { found, expected } => write!(
                f,
                "{path}: list snapshot refused: compiled with other `matching` settings (SHA-256 {} in the snapshot, {} in force)",
                &found[..found.len().min(16)],
                &expected[..expected.len().min(16)]
            ),
            R::Lists(detail) => write!(f, "{path}: list snapshot refused: {detail}"),
            R::SourceChanged { path: source, detail } => write!(
                f,
                "{path}: list snapshot refused: source file {source} changed since it was compiled: {detail}"
            ),
            R::ChangedWhileCompiling { path: source } => write!(
                f,
                "{path}: list snapshot not written: source file {source} changed while it was compiled"
            ),
            R::Checksum { found, expected } => write!(
                f,
                "{path}: list snapshot refused: payload checksum mismatch (SHA-256 {found}, recorded {expected}): the file is corrupt"
            ),
            R::Payload(e) => write!(f, "{path}: list snapshot refused: unreadable payload: {e}"),
        }
    }
}

impl std::error::Error for ListCacheError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.reason {
            ListCacheRefusal::Io(e) => Some(e),
            _ => None,
        }
    }
}

/// Indexes the lists `build` parses and writes them as a list cache of
/// `specs` to `out` atomically. Fails if a source file changes while it is
/// read. Returns the compiled lists with the summary.
pub(crate) fn compile_with<E: From<ListCacheError>>(
    specs: &[ListSpec],
    matching: &MatchConfig,
    out: &Path,
    build: impl FnOnce() -> Result<CompiledLists, E>,
) -> Result<(CompiledLists, CompileSummary), E> {
    let before = source_lists(specs).map_err(|e| ListCacheError::new(out, e))?;
    let compiled = build()?;
    let after = source_lists(specs).map_err(|e| ListCacheError::new(out, e))?;
    if before != after {
        let path = before
            .iter()
            .zip(&after)
            .find(|(a, b)| a != b)
            .map(|(a, b)| {
                a.files
                    .iter()
                    .zip(&b.files)
                    .find(|(x, y)| x != y)
                    .map_or_else(|| a.path.clone(), |(x, _)| x.path.clone())
            })
            .unwrap_or_default();
        return Err(
            ListCacheError::new(out, ListCacheRefusal::ChangedWhileCompiling { path }).into(),
        );
    }
    let bytes = write(&compiled, before, matching, out)?;
    let summary = CompileSummary {
        path: out.to_path_buf(),
        bytes,
        lists: compiled.lists.len(),
        entities: compiled.entities.len(),
        names: compiled.names.len(),
        addresses: compiled.addresses.len(),
    };
    Ok((compiled, summary))
}

/// Writes `compiled` as a snapshot of `sources` to `out`, atomically.
/// Returns the file size.
fn write(
    compiled: &CompiledLists,
    sources: Vec<ListCacheList>,
    matching: &MatchConfig,
    out: &Path,
) -> Result<u64, ListCacheError> {
    let fail = |e: String| ListCacheError::new(out, ListCacheRefusal::Io(std::io::Error::other(e)));
    let payload = bitcode::serialize(&PayloadOut {
        lists: &compiled.lists,
        entities: EntitiesOut(&compiled.entities),
        names: &compiled.names,
        addresses: &compiled.addresses,
    })
    .map_err(|e| fail(format!("cannot serialize the payload: {e}")))?;
    let header = ListCacheHeader {
        engine_version: ENGINE_VERSION.to_owned(),
        build_fingerprint: BUILD_FINGERPRINT.to_owned(),
        matching_sha256: matching_sha256(matching),
        lists: sources,
        created_at: chrono::Utc::now().to_rfc3339(),
        payload_len: payload.len() as u64,
        payload_sha256: sha256_hex(&payload),
    };
    let header = bitcode::serialize(&header)
        .map_err(|e| fail(format!("cannot serialize the header: {e}")))?;
    let header_len =
        u32::try_from(header.len()).map_err(|_| fail("header larger than 4 GiB".into()))?;
    crate::durable::write_atomic_with(out, |file| {
        file.write_all(&MAGIC)?;
        file.write_all(&FORMAT_VERSION.to_le_bytes())?;
        file.write_all(&header_len.to_le_bytes())?;
        file.write_all(&header)?;
        file.write_all(&payload)
    })
    .map_err(|e| ListCacheError::new(out, ListCacheRefusal::Io(e)))?;
    Ok((PREFIX_LEN + header.len() + payload.len()) as u64)
}

/// Reads the snapshot at `path` if it is valid for `specs` (same lists, in
/// order, every file unchanged), `matching` and this engine build.
pub fn read(
    path: &Path,
    specs: &[ListSpec],
    matching: &MatchConfig,
) -> Result<CompiledLists, ListCacheError> {
    let refuse = |reason| ListCacheError::new(path, reason);
    let io = |e| refuse(ListCacheRefusal::Io(e));
    let mut file = File::open(path).map_err(io)?;
    let file_len = file.metadata().map_err(io)?.len();
    let (header, payload_len) = read_header(&mut file, file_len).map_err(refuse)?;
    let sources = check_header(&header, specs, matching).map_err(refuse)?;
    let (verified, decoded) = std::thread::scope(|scope| {
        let sources = scope.spawn(|| check_source_hashes(&header, &sources));
        let mut payload = Vec::with_capacity(payload_len);
        if let Err(e) = file.read_to_end(&mut payload) {
            return (Err(ListCacheRefusal::Io(e)), None);
        }
        if payload.len() != payload_len {
            // the file changed under us after its length was checked
            let actual = file_len - payload_len as u64 + payload.len() as u64;
            let refusal = ListCacheRefusal::Length {
                actual,
                expected: file_len,
            };
            return (Err(refusal), None);
        }
        let (checksum, decoded) = std::thread::scope(|inner| {
            let checksum = inner.spawn(|| sha256_hex(&payload));
            let decoded = bitcode::deserialize::<PayloadIn>(&payload);
            (checksum.join(), decoded)
        });
        let panicked = |_| ListCacheRefusal::Payload("verification thread panicked".into());
        let verified = sources
            .join()
            .map_err(panicked)
            .and_then(|r| r)
            .and_then(|()| {
                let found = checksum.map_err(panicked)?;
                if found == header.payload_sha256 {
                    Ok(())
                } else {
                    Err(ListCacheRefusal::Checksum {
                        found,
                        expected: header.payload_sha256.clone(),
                    })
                }
            });
        (verified, Some(decoded))
    });
    verified.map_err(refuse)?;
    let decoded = match decoded {
        Some(Ok(decoded)) => decoded,
        Some(Err(e)) => return Err(refuse(ListCacheRefusal::Payload(e.to_string()))),
        None => return Err(refuse(ListCacheRefusal::Payload("not read".into()))),
    };
    if decoded.names.config() != matching {
        return Err(refuse(ListCacheRefusal::Payload(
            "the index's matcher settings differ from its header's".into(),
        )));
    }
    let mut lists = decoded.lists;
    if lists.len() != specs.len() {
        return Err(refuse(ListCacheRefusal::Payload(format!(
            "{} list versions for {} configured lists",
            lists.len(),
            specs.len()
        ))));
    }
    // A list compiled under a looser `max_bad_rows` is not loaded under a
    // stricter one.
    for (version, spec) in lists.iter().zip(specs) {
        if version.skipped > spec.max_bad_rows {
            return Err(refuse(ListCacheRefusal::Lists(format!(
                "{} {} was compiled with {} malformed record(s) skipped; its max_bad_rows is now {}",
                spec.source,
                spec.path.display(),
                version.skipped,
                spec.max_bad_rows
            ))));
        }
    }
    // The content is what was compiled; the audit names the path in force.
    for (version, spec) in lists.iter_mut().zip(specs) {
        version.path = spec.path.display().to_string();
    }
    Ok(CompiledLists {
        lists,
        entities: decoded.entities.into_iter().map(Entity::from).collect(),
        names: decoded.names,
        addresses: decoded.addresses,
        origin: ListsOrigin::ListCache {
            path: path.to_path_buf(),
        },
    })
}

/// Reads a snapshot's header without checking it against anything (for
/// tools and tests).
pub fn read_header_of(path: &Path) -> Result<ListCacheHeader, ListCacheError> {
    let refuse = |reason| ListCacheError::new(path, reason);
    let io = |e| refuse(ListCacheRefusal::Io(e));
    let mut file = File::open(path).map_err(io)?;
    let file_len = file.metadata().map_err(io)?.len();
    read_header(&mut file, file_len)
        .map(|(h, _)| h)
        .map_err(refuse)
}

/// Reads and decodes the header, checking magic, format version and that
/// the file is exactly as long as the header says; leaves `file` at the
/// payload and returns the payload length.
fn read_header(
    file: &mut File,
    file_len: u64,
) -> Result<(ListCacheHeader, usize), ListCacheRefusal> {
    let truncated = |expected: u64| ListCacheRefusal::Length {
        actual: file_len,
        expected,
    };
    let mut prefix = [0u8; PREFIX_LEN];
    let available = file_len.min(PREFIX_LEN as u64) as usize;
    file.read_exact(&mut prefix[..available])
        .map_err(ListCacheRefusal::Io)?;
    if available < MAGIC.len() || prefix[..MAGIC.len()] != MAGIC {
        return Err(ListCacheRefusal::BadMagic);
    }
    if available < PREFIX_LEN {
        return Err(truncated(PREFIX_LEN as u64));
    }
    let word = |at: usize| {
        u32::from_le_bytes([prefix[at], prefix[at + 1], prefix[at + 2], prefix[at + 3]])
    };
    let format = word(8);
    if format != FORMAT_VERSION {
        return Err(ListCacheRefusal::FormatVersion { found: format });
    }
    let header_len = word(12) as usize;
    let header_end = (PREFIX_LEN + header_len) as u64;
    if file_len < header_end {
        return Err(truncated(header_end));
    }
    let mut header_bytes = vec![0u8; header_len];
    file.read_exact(&mut header_bytes)
        .map_err(ListCacheRefusal::Io)?;
    let header: ListCacheHeader =
        bitcode::deserialize(&header_bytes).map_err(|e| ListCacheRefusal::Header(e.to_string()))?;
    let expected = header_end.saturating_add(header.payload_len);
    if file_len != expected {
        return Err(truncated(expected));
    }
    let payload_len = usize::try_from(header.payload_len)
        .map_err(|_| ListCacheRefusal::Header("payload larger than memory".into()))?;
    Ok((header, payload_len))
}

/// Engine, build, matcher settings, the configured lists and the size of
/// every source file: everything but the hashes. Returns each list's files.
fn check_header(
    header: &ListCacheHeader,
    specs: &[ListSpec],
    matching: &MatchConfig,
) -> Result<Vec<Vec<PathBuf>>, ListCacheRefusal> {
    if header.engine_version != ENGINE_VERSION {
        return Err(ListCacheRefusal::EngineVersion {
            found: header.engine_version.clone(),
        });
    }
    if header.build_fingerprint != BUILD_FINGERPRINT {
        return Err(ListCacheRefusal::BuildFingerprint {
            found: header.build_fingerprint.clone(),
        });
    }
    let expected = matching_sha256(matching);
    if header.matching_sha256 != expected {
        return Err(ListCacheRefusal::MatchConfig {
            found: header.matching_sha256.clone(),
            expected,
        });
    }
    if header.lists.len() != specs.len() {
        return Err(ListCacheRefusal::Lists(format!(
            "the config names {} lists, the snapshot was compiled from {}",
            specs.len(),
            header.lists.len()
        )));
    }
    let mut current = Vec::with_capacity(specs.len());
    for (i, (spec, compiled)) in specs.iter().zip(&header.lists).enumerate() {
        if spec.source != compiled.source {
            return Err(ListCacheRefusal::Lists(format!(
                "list {} is {} {} in the config but was compiled from {} {}",
                i + 1,
                spec.source,
                spec.path.display(),
                compiled.source,
                compiled.path
            )));
        }
        if spec.category != compiled.category {
            let name = |c: Option<Category>| c.map_or("the loader's own", Category::name);
            return Err(ListCacheRefusal::Lists(format!(
                "list {} ({} {}) is category {} in the config but was compiled as {}",
                i + 1,
                spec.source,
                spec.path.display(),
                name(spec.category),
                name(compiled.category)
            )));
        }
        let files = source_paths(spec);
        let names = |paths: Vec<&str>| paths.join(", ");
        let now: Vec<String> = files.iter().map(|p| p.display().to_string()).collect();
        if files.len() != compiled.files.len()
            || files
                .iter()
                .zip(&compiled.files)
                .any(|(p, c)| p.file_name() != Path::new(&c.path).file_name())
        {
            return Err(ListCacheRefusal::Lists(format!(
                "list {} ({} {}) now reads files [{}], it was compiled from [{}]",
                i + 1,
                spec.source,
                spec.path.display(),
                names(now.iter().map(String::as_str).collect()),
                names(compiled.files.iter().map(|f| f.path.as_str()).collect())
            )));
        }
        // sizes of every file before any hash: a changed size is the usual
        // case and costs one stat
        for (path, recorded) in files.iter().zip(&compiled.files) {
            let size = std::fs::metadata(path)
                .map_err(|e| ListCacheRefusal::SourceChanged {
                    path: path.display().to_string(),
                    detail: format!("cannot read it: {e}"),
                })?
                .len();
            if size != recorded.size {
                return Err(ListCacheRefusal::SourceChanged {
                    path: path.display().to_string(),
                    detail: format!("{size} bytes, {} when compiled", recorded.size),
                });
            }
        }
        current.push(files);
    }
    Ok(current)
}

/// Whether every source file still has the SHA-256 recorded in `header`
/// (`files` as [`check_header`] found them, in header order).
fn check_source_hashes(
    header: &ListCacheHeader,
    files: &[Vec<PathBuf>],
) -> Result<(), ListCacheRefusal> {
    for (paths, compiled) in files.iter().zip(&header.lists) {
        for (path, recorded) in paths.iter().zip(&compiled.files) {
            let (size, sha) = file_sha256(path).map_err(|e| ListCacheRefusal::SourceChanged {
                path: path.display().to_string(),
                detail: format!("cannot read it: {e}"),
            })?;
            if sha != recorded.sha256 || size != recorded.size {
                return Err(ListCacheRefusal::SourceChanged {
                    path: path.display().to_string(),
                    detail: format!(
                        "SHA-256 {}…, {}… when compiled",
                        &sha[..16],
                        &recorded.sha256[..recorded.sha256.len().min(16)]
                    ),
                });
            }
        }
    }
    Ok(())
}

/// The files a list's loader reads: the list file, then for OFAC CSV its
/// companion files (as [`ofac_csv::load`] reads them).
fn source_paths(spec: &ListSpec) -> Vec<PathBuf> {
    let mut files = vec![spec.path.clone()];
    if spec.source == SourceKind::OfacSdnCsv {
        files.extend(ofac_csv::companion_paths(spec));
    }
    files
}

/// Size and SHA-256 of every file of every configured list.
fn source_lists(specs: &[ListSpec]) -> Result<Vec<ListCacheList>, ListCacheRefusal> {
    specs
        .iter()
        .map(|spec| {
            let files = source_paths(spec)
                .into_iter()
                .map(|path| {
                    let (size, sha256) =
                        file_sha256(&path).map_err(|e| ListCacheRefusal::SourceChanged {
                            path: path.display().to_string(),
                            detail: format!("cannot read it: {e}"),
                        })?;
                    Ok(SourceFile {
                        path: path.display().to_string(),
                        size,
                        sha256,
                    })
                })
                .collect::<Result<Vec<_>, ListCacheRefusal>>()?;
            Ok(ListCacheList {
                source: spec.source,
                path: spec.path.display().to_string(),
                files,
                category: spec.category,
            })
        })
        .collect()
}

/// Size and SHA-256 of a file, read in chunks (no copy of the whole file
/// in memory: the sources are hashed on every start).
fn file_sha256(path: &Path) -> std::io::Result<(u64, String)> {
    use sha2::{Digest, Sha256};
    let mut file = File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; HASH_CHUNK_BYTES];
    let mut size = 0u64;
    loop {
        match file.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                hasher.update(&buf[..n]);
                size += n as u64;
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok((size, hex(&hasher.finalize())))
}

/// SHA-256 of the matcher settings as the snapshot serializes them.
fn matching_sha256(matching: &MatchConfig) -> String {
    // encoding a struct of numbers cannot fail; an empty encoding would
    // only make every snapshot look compiled with other settings
    let bytes = bitcode::serialize(matching).unwrap_or_default();
    use sha2::{Digest, Sha256};
    hex(&Sha256::digest(&bytes))
}

// ---- payload ------------------------------------------------------------

#[derive(Serialize)]
struct PayloadOut<'a> {
    lists: &'a [ListVersion],
    entities: EntitiesOut<'a>,
    names: &'a NameIndex,
    addresses: &'a AddressIndex<usize>,
}

#[derive(Deserialize)]
struct PayloadIn {
    lists: Vec<ListVersion>,
    entities: Vec<EntityRecord>,
    names: NameIndex,
    addresses: AddressIndex<usize>,
}

struct EntitiesOut<'a>(&'a [Entity]);

impl Serialize for EntitiesOut<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.iter().map(EntityRef::from))
    }
}

/// [`Entity`] as the snapshot writes it: every field, always present.
/// The destructuring in the conversions lists every field, so a field
/// added to `Entity` fails to compile here until the snapshot carries it.
#[derive(Serialize)]
struct EntityRef<'a> {
    id: &'a str,
    list: &'a str,
    kind: EntityKind,
    name: &'a str,
    aliases: &'a [Alias],
    birth_dates: Vec<BirthDateRecord>,
    countries: &'a [String],
    identifiers: Vec<IdentifierRecord>,
    addresses: Vec<AddressRecord>,
    programs: &'a [String],
    listed_on: &'a Option<String>,
    status: EntityStatus,
    source_url: &'a Option<String>,
    category: Category,
}

/// [`Entity`] as the snapshot reads it.
#[derive(Deserialize)]
struct EntityRecord {
    id: String,
    list: String,
    kind: EntityKind,
    name: String,
    aliases: Vec<Alias>,
    birth_dates: Vec<BirthDateRecord>,
    countries: Vec<String>,
    identifiers: Vec<IdentifierRecord>,
    addresses: Vec<AddressRecord>,
    programs: Vec<String>,
    listed_on: Option<String>,
    status: EntityStatus,
    source_url: Option<String>,
    category: Category,
}

impl<'a> From<&'a Entity> for EntityRef<'a> {
    fn from(e: &'a Entity) -> Self {
        let Entity {
            id,
            list,
            kind,
            name,
            aliases,
            birth_dates,
            countries,
            identifiers,
            addresses,
            programs,
            listed_on,
            status,
            source_url,
            category,
        } = e;
        EntityRef {
            id,
            list,
            kind: *kind,
            name,
            aliases,
            birth_dates: birth_dates.iter().map(BirthDateRecord::from).collect(),
            countries,
            identifiers: identifiers.iter().map(IdentifierRecord::from).collect(),
            addresses: addresses.iter().map(AddressRecord::from).collect(),
            programs,
            listed_on,
            status: *status,
            source_url,
            category: *category,
        }
    }
}

impl From<EntityRecord> for Entity {
    fn from(r: EntityRecord) -> Self {
        let EntityRecord {
            id,
            list,
            kind,
            name,
            aliases,
            birth_dates,
            countries,
            identifiers,
            addresses,
            programs,
            listed_on,
            status,
            source_url,
            category,
        } = r;
        Entity {
            id,
            list,
            kind,
            name,
            aliases,
            birth_dates: birth_dates.into_iter().map(BirthDate::from).collect(),
            countries,
            identifiers: identifiers.into_iter().map(Identifier::from).collect(),
            addresses: addresses.into_iter().map(CryptoAddress::from).collect(),
            programs,
            listed_on,
            status,
            source_url,
            category,
        }
    }
}

/// [`CryptoAddress`] with every field always written (bitcode reads
/// fields by position: a skipped one would shift the rest).
#[derive(Serialize, Deserialize)]
struct AddressRecord {
    chain: String,
    address: String,
    case_folded: bool,
}

impl From<&CryptoAddress> for AddressRecord {
    fn from(a: &CryptoAddress) -> Self {
        AddressRecord {
            chain: a.chain.clone(),
            address: a.address.clone(),
            case_folded: a.case_folded,
        }
    }
}

impl From<AddressRecord> for CryptoAddress {
    fn from(r: AddressRecord) -> Self {
        CryptoAddress {
            chain: r.chain,
            address: r.address,
            case_folded: r.case_folded,
        }
    }
}

/// [`Identifier`] with its country always written.
#[derive(Serialize, Deserialize)]
struct IdentifierRecord {
    kind: String,
    value: String,
    country: Option<String>,
}

impl From<&Identifier> for IdentifierRecord {
    fn from(i: &Identifier) -> Self {
        let Identifier {
            kind,
            value,
            country,
        } = i;
        IdentifierRecord {
            kind: kind.clone(),
            value: value.clone(),
            country: country.clone(),
        }
    }
}

impl From<IdentifierRecord> for Identifier {
    fn from(r: IdentifierRecord) -> Self {
        Identifier {
            kind: r.kind,
            value: r.value,
            country: r.country,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    fn config(dir: &Path) -> Config {
        let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
        let list = dir.join("watchlist.csv");
        std::fs::copy(repo.join("sanctions/sample_watchlist.csv"), &list).unwrap();
        let path = dir.join("amlscreen.yaml");
        std::fs::write(
            &path,
            format!(
                "lists:\n  - source: watchlist\n    path: watchlist.csv\nrules: {}\nsnapshot: lists.snap\n",
                repo.join("rules").display()
            ),
        )
        .unwrap();
        Config::load(&path).unwrap()
    }

    /// Decodes the header, lets `edit` change it, writes it back.
    fn rewrite_header(path: &Path, edit: impl FnOnce(&mut ListCacheHeader)) {
        let bytes = std::fs::read(path).unwrap();
        let len = u32::from_le_bytes(bytes[12..16].try_into().unwrap()) as usize;
        let mut header: ListCacheHeader = bitcode::deserialize(&bytes[16..16 + len]).unwrap();
        edit(&mut header);
        let encoded = bitcode::serialize(&header).unwrap();
        let mut out = bytes[..12].to_vec();
        out.extend_from_slice(&(encoded.len() as u32).to_le_bytes());
        out.extend_from_slice(&encoded);
        out.extend_from_slice(&bytes[16 + len..]);
        std::fs::write(path, out).unwrap();
    }

    fn refusal(config: &Config) -> String {
        let path = config.list_cache.as_deref().unwrap();
        read(path, &config.lists, &config.matching)
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn a_snapshot_of_another_engine_version_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let config = config(dir.path());
        let path = config.list_cache.clone().unwrap();
        crate::engine::compile_list_cache(&config, &path).unwrap();
        assert!(read(&path, &config.lists, &config.matching).is_ok());
        rewrite_header(&path, |h| h.engine_version = "0.0.1-old".into());
        let msg = refusal(&config);
        assert!(msg.contains("lists.snap"), "{msg}");
        assert!(
            msg.contains(&format!(
                "written by engine version 0.0.1-old, this is {ENGINE_VERSION}"
            )),
            "{msg}"
        );
    }

    #[test]
    fn a_snapshot_of_other_parser_or_index_code_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let config = config(dir.path());
        let path = config.list_cache.clone().unwrap();
        crate::engine::compile_list_cache(&config, &path).unwrap();
        rewrite_header(&path, |h| h.build_fingerprint = "0123456789abcdef".into());
        let msg = refusal(&config);
        assert!(msg.contains("lists.snap"), "{msg}");
        assert!(
            msg.contains(
                "written by a build with other list parser or index code (build 0123456789abcdef"
            ),
            "{msg}"
        );
    }

    #[test]
    fn an_unreadable_header_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let config = config(dir.path());
        let path = config.list_cache.clone().unwrap();
        crate::engine::compile_list_cache(&config, &path).unwrap();
        let mut bytes = std::fs::read(&path).unwrap();
        // keep the length field, garble the header itself
        let len = u32::from_le_bytes(bytes[12..16].try_into().unwrap()) as usize;
        for b in &mut bytes[16..16 + len] {
            *b = 0xff;
        }
        std::fs::write(&path, bytes).unwrap();
        let msg = refusal(&config);
        assert!(
            msg.contains("list snapshot refused: unreadable header"),
            "{msg}"
        );
    }

    #[test]
    fn birth_dates_survive_the_mirror_records() {
        let dates = vec![
            BirthDate::parse_iso("1961-02-03"),
            BirthDate::YearMonth {
                year: 1970,
                month: 4,
            },
            BirthDate::Year { year: 1950 },
            BirthDate::Circa { year: 1949 },
            BirthDate::Range {
                from: 1960,
                to: 1962,
            },
            BirthDate::Text {
                text: "unknown".into(),
            },
        ];
        let records: Vec<BirthDateRecord> = dates.iter().map(BirthDateRecord::from).collect();
        let bytes = bitcode::serialize(&records).unwrap();
        let back: Vec<BirthDateRecord> = bitcode::deserialize(&bytes).unwrap();
        let back: Vec<BirthDate> = back.into_iter().map(BirthDate::from).collect();
        assert_eq!(back, dates);
    }
}
