//! Sanctions lists and watchlists: one entity model that every source
//! format loads into, plus each list's version and content hash.
//!
//! One file per source format. Each loader reads a file, never the network,
//! and returns a [`LoadedList`]: the entities and a [`ListVersion`] that the
//! audit record names. A file that cannot be read completely (cut short,
//! ending inside a record, a companion file missing) is an error. So is a
//! malformed record (a row that does not parse, an entry without a name),
//! unless the source's [`ListSpec::max_bad_rows`] accepts that many: then
//! each is skipped and reported in [`LoadedList::skipped`], which the
//! engine and `lists stats` print as warnings naming the line or record.

use std::fmt;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::addresses::CryptoAddress;

pub(crate) use crate::countries;
pub(crate) mod csv_rows;
pub(crate) mod dates;
mod diff;
pub mod ftm;
pub mod ofac_crypto;
pub(crate) use dates::{birth_dates_compact, BirthDateRecord};
pub mod eu_fsf;
pub(crate) mod history;
pub mod nsdc;
pub mod ofac_csv;
pub mod ofac_xml;
pub mod uk;
pub mod un;
#[cfg(feature = "update")]
pub mod update;
pub mod watchlist;
pub(crate) mod xml;

pub use diff::{diff, field_changes, EntryChange, FieldChange, ListDiff};
pub use history::{HistoryEntry, ListGuard, ListHistory, DEFAULT_HISTORY_FILE, RECENT_VERSIONS};

pub(crate) use crate::util::sha256_hex;

/// Which loader reads a list file. The names are the `source` values of the
/// config file and of `--list KIND=PATH`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum SourceKind {
    /// OFAC `sdn.xml` / consolidated SDN-style XML.
    OfacSdnXml,
    /// OFAC legacy `sdn.csv` with `alt.csv`, `add.csv`, `sdn_comments.csv` beside it.
    OfacSdnCsv,
    /// EU Financial Sanctions Files XML (`xmlFullSanctionsList_1_1`).
    EuFsfXml,
    /// UN Security Council consolidated list XML.
    UnXml,
    /// FCDO UK Sanctions List XML.
    UkXml,
    /// Legacy OFSI `ConList.csv` (Windows-1252).
    UkConlistCsv,
    /// RNBO/NSDC `/v2/subjects` JSON.
    NsdcJson,
    /// The internal watchlist CSV.
    Watchlist,
    /// A FollowTheMoney entity export, JSON lines (OpenSanctions and most
    /// published PEP and sanctions datasets).
    FtmJson,
    /// OFAC's digital-currency-address extract (`sanctioned-addresses.json`).
    OfacCryptoJson,
}

impl SourceKind {
    /// Every kind, in documentation order.
    pub const ALL: [SourceKind; 10] = [
        SourceKind::OfacSdnXml,
        SourceKind::OfacSdnCsv,
        SourceKind::EuFsfXml,
        SourceKind::UnXml,
        SourceKind::UkXml,
        SourceKind::UkConlistCsv,
        SourceKind::NsdcJson,
        SourceKind::Watchlist,
        SourceKind::FtmJson,
        SourceKind::OfacCryptoJson,
    ];

    /// The config/CLI name of this kind (`ofac_sdn_xml`, …).
    pub fn name(self) -> &'static str {
        match self {
            SourceKind::OfacSdnXml => "ofac_sdn_xml",
            SourceKind::OfacSdnCsv => "ofac_sdn_csv",
            SourceKind::EuFsfXml => "eu_fsf_xml",
            SourceKind::UnXml => "un_xml",
            SourceKind::UkXml => "uk_xml",
            SourceKind::UkConlistCsv => "uk_conlist_csv",
            SourceKind::NsdcJson => "nsdc_json",
            SourceKind::Watchlist => "watchlist",
            SourceKind::FtmJson => "ftm_json",
            SourceKind::OfacCryptoJson => "ofac_crypto_json",
        }
    }
}

impl fmt::Display for SourceKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for SourceKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        SourceKind::ALL
            .into_iter()
            .find(|k| k.name() == s)
            .ok_or_else(|| {
                let valid: Vec<&str> = SourceKind::ALL.iter().map(|k| k.name()).collect();
                format!("unknown list source '{s}' (valid: {})", valid.join(", "))
            })
    }
}

/// Which list to load: a source kind, a file path, and how strictly.
///
/// ```
/// use amlscreen::lists::{ListSpec, SourceKind};
/// let spec: ListSpec = "watchlist=sanctions/sample_watchlist.csv".parse().unwrap();
/// assert_eq!(spec, ListSpec::new(SourceKind::Watchlist, "sanctions/sample_watchlist.csv"));
/// assert_eq!(spec.max_bad_rows, 0);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct ListSpec {
    /// Loader to use.
    pub source: SourceKind,
    /// File to read.
    pub path: PathBuf,
    /// Malformed records (rows that do not parse, records without a name
    /// …) accepted before the whole list is refused. Default 0: any
    /// malformed record refuses the list. Each one accepted is reported as
    /// a warning naming its line or record id. Config key `max_bad_rows:`.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub max_bad_rows: usize,
    /// For `ofac_sdn_csv`: whether `alt.csv`, `add.csv` and
    /// `sdn_comments.csv` must lie beside `sdn.csv` (default, `required`)
    /// or are known to be absent (`none`: `sdn.csv` is read alone). Config
    /// key `companions:`; refused on other sources.
    #[serde(default, skip_serializing_if = "CompanionFiles::is_required")]
    pub companions: CompanionFiles,
    /// What the list's subjects are: `sanctions` (the default), `pep`
    /// (politically exposed persons) or `rca` (their relatives and close
    /// associates). Given, it applies to every entity the list loads (a
    /// FollowTheMoney export otherwise says per entity, by its topics). A
    /// PEP or RCA hit never blocks: it holds for enhanced due diligence.
    /// Config key `category:`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<Category>,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

impl ListSpec {
    /// A spec with the strict defaults: no malformed record accepted,
    /// OFAC CSV companions required.
    pub fn new(source: SourceKind, path: impl Into<PathBuf>) -> ListSpec {
        ListSpec {
            source,
            path: path.into(),
            max_bad_rows: 0,
            companions: CompanionFiles::Required,
            category: None,
        }
    }

    /// Marks every entity of the list as `category` (see [`ListSpec::category`]).
    pub fn with_category(mut self, category: Category) -> ListSpec {
        self.category = Some(category);
        self
    }

    /// Accepts up to `n` malformed records, each reported as a warning.
    pub fn with_max_bad_rows(mut self, n: usize) -> ListSpec {
        self.max_bad_rows = n;
        self
    }

    /// Sets whether OFAC CSV companion files are required.
    pub fn with_companions(mut self, companions: CompanionFiles) -> ListSpec {
        self.companions = companions;
        self
    }
}

/// Whether an `ofac_sdn_csv` list needs its companion files (see
/// [`ListSpec::companions`]). Without `alt.csv` and `add.csv` OFAC's
/// aliases and addresses are lost, so a missing one refuses the list
/// unless the config says `companions: none`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum CompanionFiles {
    /// `alt.csv`, `add.csv` and `sdn_comments.csv` must lie beside `sdn.csv`.
    #[default]
    Required,
    /// There are none: `sdn.csv` is read alone, companions beside it unread.
    #[serde(rename = "none", alias = "absent")]
    Absent,
}

impl CompanionFiles {
    fn is_required(&self) -> bool {
        *self == CompanionFiles::Required
    }
}

impl std::str::FromStr for ListSpec {
    type Err = String;
    /// Parses the CLI form `KIND=PATH` (with the strict defaults).
    fn from_str(s: &str) -> Result<Self, String> {
        let (kind, path) = s
            .split_once('=')
            .ok_or_else(|| format!("expected KIND=PATH, got '{s}'"))?;
        if path.is_empty() {
            return Err(format!("empty path in '{s}'"));
        }
        Ok(ListSpec::new(kind.parse()?, path))
    }
}

/// What a listed subject is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum EntityKind {
    /// A natural person.
    Person,
    /// A company, group, body or other organisation.
    Organization,
    /// A ship.
    Vessel,
    /// An aircraft.
    Aircraft,
    /// The source does not say.
    #[default]
    Unknown,
}

impl EntityKind {
    /// The CSV/JSON name of this kind.
    pub fn name(self) -> &'static str {
        match self {
            EntityKind::Person => "person",
            EntityKind::Organization => "organization",
            EntityKind::Vessel => "vessel",
            EntityKind::Aircraft => "aircraft",
            EntityKind::Unknown => "unknown",
        }
    }
}

/// How reliable an alias is. OFAC `weak`, UN `Low` quality, EU low-quality
/// remarks and UK weak aliases are [`AliasStrength::Weak`]: they score lower.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum AliasStrength {
    /// A name the subject is known by.
    #[default]
    Strong,
    /// A low-quality alias (nickname, fragment) that alone identifies poorly.
    Weak,
}

/// One alias of an entity, as written in the source (any script).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Alias {
    /// The alias text, unaltered.
    pub name: String,
    /// Strong or weak.
    #[serde(default)]
    pub strength: AliasStrength,
}

/// A birth date as precise as the source gives it; never invented.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum BirthDate {
    /// A full date.
    Date {
        /// The date.
        date: NaiveDate,
    },
    /// Year and month only.
    YearMonth {
        /// Year.
        year: i32,
        /// Month 1–12.
        month: u32,
    },
    /// A year only.
    Year {
        /// Year.
        year: i32,
    },
    /// "circa" a year.
    Circa {
        /// Year.
        year: i32,
    },
    /// A range of years, inclusive (UN `BETWEEN`).
    Range {
        /// First year.
        from: i32,
        /// Last year.
        to: i32,
    },
    /// Free text the loader could not read as a date.
    Text {
        /// The text as given.
        text: String,
    },
}

impl std::fmt::Display for BirthDate {
    /// `1962-03-04`, `1962-03`, `1962`, `circa 1962`, `1960–1962`, or the
    /// text as given.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BirthDate::Date { date } => write!(f, "{date}"),
            BirthDate::YearMonth { year, month } => write!(f, "{year}-{month:02}"),
            BirthDate::Year { year } => write!(f, "{year}"),
            BirthDate::Circa { year } => write!(f, "circa {year}"),
            BirthDate::Range { from, to } => write!(f, "{from}–{to}"),
            BirthDate::Text { text } => f.write_str(text),
        }
    }
}

impl BirthDate {
    /// Parses `YYYY-MM-DD`, `YYYY-MM` or `YYYY`; anything else is kept as text.
    pub fn parse_iso(s: &str) -> BirthDate {
        let s = s.trim();
        if let Ok(date) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
            return BirthDate::Date { date };
        }
        let digits = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
        match s.split('-').collect::<Vec<_>>().as_slice() {
            [y] if y.len() == 4 && digits(y) => BirthDate::Year {
                year: y.parse().unwrap_or_default(),
            },
            [y, m] if y.len() == 4 && digits(y) && digits(m) => match m.parse::<u32>() {
                Ok(month @ 1..=12) => BirthDate::YearMonth {
                    year: y.parse().unwrap_or_default(),
                    month,
                },
                _ => BirthDate::Text { text: s.to_owned() },
            },
            _ => BirthDate::Text { text: s.to_owned() },
        }
    }

    /// The inclusive range of years this date can mean, if any.
    pub fn year_range(&self) -> Option<(i32, i32)> {
        use chrono::Datelike;
        match self {
            BirthDate::Date { date } => Some((date.year(), date.year())),
            BirthDate::YearMonth { year, .. }
            | BirthDate::Year { year }
            | BirthDate::Circa { year } => Some((*year, *year)),
            BirthDate::Range { from, to } => Some((*from, *to)),
            BirthDate::Text { .. } => None,
        }
    }
}

/// An identity document or registration number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identifier {
    /// `passport`, `national_id`, `tax`, `registration`, `imo`, `swift`, … (lower snake case).
    pub kind: String,
    /// The number as given.
    pub value: String,
    /// Issuing country, ISO 3166 alpha-2, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
}

/// What a listed subject is listed as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// Sanctioned (or on an internal watchlist): a hit may freeze.
    #[default]
    Sanctions,
    /// A politically exposed person: a hit holds for enhanced due
    /// diligence and a management decision, never blocks.
    Pep,
    /// A relative or close associate of a PEP: treated as a PEP.
    Rca,
}

impl Category {
    /// As written in the config and the watchlist CSV.
    pub fn name(self) -> &'static str {
        match self {
            Category::Sanctions => "sanctions",
            Category::Pep => "pep",
            Category::Rca => "rca",
        }
    }

    /// Reads [`Category::name`] back (case and surrounding blanks ignored).
    pub fn parse(text: &str) -> Option<Category> {
        let text = text.trim();
        [Category::Sanctions, Category::Pep, Category::Rca]
            .into_iter()
            .find(|c| c.name().eq_ignore_ascii_case(text))
    }

    /// Whether a hit on such a subject is a PEP hit (PEP or RCA).
    pub fn is_pep(self) -> bool {
        matches!(self, Category::Pep | Category::Rca)
    }

    fn is_sanctions(&self) -> bool {
        *self == Category::Sanctions
    }
}

/// Whether a listed subject is currently sanctioned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum EntityStatus {
    /// In force: screens as sanctioned.
    #[default]
    Active,
    /// Sanctions expired (RNBO): kept for `lists stats`, not screened.
    Expired,
    /// Removed from the register (RNBO): kept for `lists stats`, not screened.
    Excluded,
}

/// One listed subject, whatever list it came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entity {
    /// Stable id prefixed by source: `ofac:36025`, `eu:<logicalId>`, `un:QDi.001`.
    pub id: String,
    /// List label reported in hits (`ofac`, `eu`, `un`, `uk`, `nsdc`, or a watchlist's `list`).
    pub list: String,
    /// Person, organisation, vessel, aircraft or unknown.
    pub kind: EntityKind,
    /// The primary name, as written in the source.
    pub name: String,
    /// Other names, any script, each strong or weak.
    #[serde(default)]
    pub aliases: Vec<Alias>,
    /// Birth dates, as precise as the source gives.
    #[serde(default)]
    pub birth_dates: Vec<BirthDate>,
    /// Nationalities/citizenships/countries, ISO 3166 alpha-2 where known.
    #[serde(default)]
    pub countries: Vec<String>,
    /// Identity documents and registration numbers.
    #[serde(default)]
    pub identifiers: Vec<Identifier>,
    /// Crypto addresses attributed to the subject.
    #[serde(default)]
    pub addresses: Vec<CryptoAddress>,
    /// Sanctions programmes or regimes.
    #[serde(default)]
    pub programs: Vec<String>,
    /// Date of listing, as the source gives it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub listed_on: Option<String>,
    /// Active, expired or excluded.
    #[serde(default)]
    pub status: EntityStatus,
    /// Link or reference back to the source record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_url: Option<String>,
    /// Sanctioned (default), PEP or RCA.
    #[serde(default, skip_serializing_if = "Category::is_sanctions")]
    pub category: Category,
}

impl Entity {
    /// A new active entity with only a name.
    pub fn new(
        id: impl Into<String>,
        list: impl Into<String>,
        kind: EntityKind,
        name: impl Into<String>,
    ) -> Entity {
        Entity {
            id: id.into(),
            list: list.into(),
            kind,
            name: name.into(),
            aliases: Vec::new(),
            birth_dates: Vec::new(),
            countries: Vec::new(),
            identifiers: Vec::new(),
            addresses: Vec::new(),
            programs: Vec::new(),
            listed_on: None,
            status: EntityStatus::Active,
            source_url: None,
            category: Category::Sanctions,
        }
    }

    /// The primary name followed by every alias, with strengths.
    pub fn names(&self) -> impl Iterator<Item = (&str, AliasStrength)> {
        std::iter::once((self.name.as_str(), AliasStrength::Strong))
            .chain(self.aliases.iter().map(|a| (a.name.as_str(), a.strength)))
    }

    /// Whether this subject screens as sanctioned.
    pub fn is_active(&self) -> bool {
        self.status == EntityStatus::Active
    }
}

/// The identity of one loaded list file: feeds `lists stats` and the audit record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ListVersion {
    /// Loader used.
    pub source: SourceKind,
    /// File read.
    pub path: String,
    /// Publication date/version from the file itself, when it has one.
    pub version: Option<String>,
    /// SHA-256 of the file bytes, lower-case hex.
    pub sha256: String,
    /// Entities loaded.
    pub entities: usize,
    /// Of which persons.
    pub persons: usize,
    /// Of which organisations.
    pub organizations: usize,
    /// Of which vessels.
    pub vessels: usize,
    /// Of which aircraft.
    pub aircraft: usize,
    /// Names (primary + aliases) loaded.
    pub names: usize,
    /// Of which weak aliases.
    pub weak_aliases: usize,
    /// Crypto addresses loaded.
    pub addresses: usize,
    /// Malformed records skipped.
    pub skipped: usize,
}

impl From<&ListVersion> for crate::model::ListRef {
    /// The list as an audit record names it.
    fn from(v: &ListVersion) -> crate::model::ListRef {
        crate::model::ListRef {
            source: v.source.to_string(),
            path: v.path.clone(),
            version: v.version.clone(),
            sha256: v.sha256.clone(),
        }
    }
}

/// A malformed record skipped while loading an otherwise valid file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SkippedRecord {
    /// Record id or line number that identifies it in the file.
    pub record: String,
    /// Why it was skipped.
    pub reason: String,
}

/// One list file, parsed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LoadedList {
    /// Version, hash and counts.
    pub version: ListVersion,
    /// Every entity, in file order.
    pub entities: Vec<Entity>,
    /// Records skipped, with reasons.
    pub skipped: Vec<SkippedRecord>,
    /// Details dropped from records that were kept (a malformed crypto
    /// address, an alias row naming an entity the file lacks …), with reasons.
    #[serde(default)]
    pub warnings: Vec<SkippedRecord>,
}

impl LoadedList {
    /// Builds the list and computes its counts from the entities.
    pub fn new(
        spec: &ListSpec,
        version: Option<String>,
        sha256: String,
        entities: Vec<Entity>,
        skipped: Vec<SkippedRecord>,
    ) -> LoadedList {
        let count = |k: EntityKind| entities.iter().filter(|e| e.kind == k).count();
        let version = ListVersion {
            source: spec.source,
            path: spec.path.display().to_string(),
            version,
            sha256,
            entities: entities.len(),
            persons: count(EntityKind::Person),
            organizations: count(EntityKind::Organization),
            vessels: count(EntityKind::Vessel),
            aircraft: count(EntityKind::Aircraft),
            names: entities.iter().map(|e| 1 + e.aliases.len()).sum(),
            weak_aliases: entities
                .iter()
                .flat_map(|e| &e.aliases)
                .filter(|a| a.strength == AliasStrength::Weak)
                .count(),
            addresses: entities.iter().map(|e| e.addresses.len()).sum(),
            skipped: skipped.len(),
        };
        LoadedList {
            version,
            entities,
            skipped,
            warnings: Vec::new(),
        }
    }
}

/// Why a list could not be loaded. Always names the file.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ListError {
    /// The file could not be read.
    #[error("{path}: {source}")]
    Io {
        /// File.
        path: PathBuf,
        /// Cause.
        source: std::io::Error,
    },
    /// The file is not valid for its declared format.
    #[error("{path}: {position}: {message}")]
    Format {
        /// File.
        path: PathBuf,
        /// Where: `line 12`, `byte 40960`, `record 7`.
        position: String,
        /// What is wrong.
        message: String,
    },
    /// More malformed records than the source's `max_bad_rows` allows.
    #[error("{path}: {} malformed record(s), {allowed} allowed (max_bad_rows): refusing a partly readable list: {}", records.len(), describe_records(records))]
    BadRecords {
        /// File.
        path: PathBuf,
        /// The source's `max_bad_rows`.
        allowed: usize,
        /// Every malformed record, with its line or id and the reason.
        records: Vec<SkippedRecord>,
    },
    /// A companion file an OFAC CSV list needs is missing.
    #[error("{path}: {companion} is missing beside it: without it the list loses {what}; put it there, or say `companions: none` for this list in the config if it is really not published")]
    MissingCompanion {
        /// The list file (`sdn.csv`).
        path: PathBuf,
        /// The companion's file name.
        companion: &'static str,
        /// What it carries.
        what: &'static str,
    },
    /// The file parsed but holds no entities.
    #[error("{path}: no entities found: an empty list would silently screen nothing")]
    Empty {
        /// File.
        path: PathBuf,
    },
    /// The file holds implausibly fewer entities than the largest recent
    /// version loaded for the same source (see [`ListGuard`]).
    #[error("{path}: {entities} entities, {drop_percent}% fewer than the {previous} of a recent version ({previous_sha256}); more than the allowed {max_shrink_percent}% (list_guard.max_shrink_percent): refusing a possibly partial list")]
    Shrunk {
        /// File.
        path: PathBuf,
        /// Entities in this file.
        entities: usize,
        /// Entities in the largest recent version.
        previous: usize,
        /// SHA-256 of that version.
        previous_sha256: String,
        /// How much smaller, in whole percent.
        drop_percent: u64,
        /// The configured tolerance.
        max_shrink_percent: u8,
    },
    /// The history file of the shrink check could not be read or written.
    #[error("{path}: list history: {message}")]
    History {
        /// History file.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
}

/// `line 3: reason; line 7: reason`, at most 20, then how many more.
fn describe_records(records: &[SkippedRecord]) -> String {
    const SHOWN: usize = 20;
    let mut text = records
        .iter()
        .take(SHOWN)
        .map(|r| format!("{}: {}", r.record, r.reason))
        .collect::<Vec<_>>()
        .join("; ");
    if records.len() > SHOWN {
        text.push_str(&format!("; and {} more", records.len() - SHOWN));
    }
    text
}

impl ListError {
    /// A format error at a position.
    pub fn format(
        path: &Path,
        position: impl Into<String>,
        message: impl Into<String>,
    ) -> ListError {
        ListError::Format {
            path: path.to_path_buf(),
            position: position.into(),
            message: message.into(),
        }
    }
}

/// What a format parser returns: the version the file declares, its
/// entities in file order, and the records it skipped.
pub type ParsedRecords = (Option<String>, Vec<Entity>, Vec<SkippedRecord>);

/// Reads a list file, hashes its bytes and parses them with a format's
/// parser: the load step every single-file loader shares.
pub(crate) fn load_parsed(
    spec: &ListSpec,
    parse: fn(&[u8], &Path) -> Result<ParsedRecords, ListError>,
) -> Result<LoadedList, ListError> {
    let bytes = read_file(&spec.path)?;
    let sha256 = sha256_hex(&bytes);
    let (version, entities, skipped) = parse(&bytes, &spec.path)?;
    Ok(LoadedList::new(spec, version, sha256, entities, skipped))
}

/// Reads a whole list file, mapping I/O errors to [`ListError::Io`].
pub fn read_file(path: &Path) -> Result<Vec<u8>, ListError> {
    std::fs::read(path).map_err(|source| ListError::Io {
        path: path.to_path_buf(),
        source,
    })
}

/// Loads one list file with the loader its spec names.
pub fn load(spec: &ListSpec) -> Result<LoadedList, ListError> {
    let mut list = match spec.source {
        SourceKind::OfacSdnXml => ofac_xml::load(spec)?,
        SourceKind::OfacSdnCsv => ofac_csv::load(spec)?,
        SourceKind::EuFsfXml => eu_fsf::load(spec)?,
        SourceKind::UnXml => un::load(spec)?,
        SourceKind::UkXml => uk::load_xml(spec)?,
        SourceKind::UkConlistCsv => uk::load_conlist(spec)?,
        SourceKind::NsdcJson => nsdc::load(spec)?,
        SourceKind::Watchlist => watchlist::load(spec)?,
        SourceKind::FtmJson => ftm::load(spec)?,
        SourceKind::OfacCryptoJson => ofac_crypto::load(spec)?,
    };
    drop_duplicate_ids(&mut list);
    if let Some(category) = spec.category {
        for e in &mut list.entities {
            e.category = category;
        }
    }
    if list.skipped.len() > spec.max_bad_rows {
        return Err(ListError::BadRecords {
            path: spec.path.clone(),
            allowed: spec.max_bad_rows,
            records: list.skipped,
        });
    }
    if list.entities.is_empty() {
        return Err(ListError::Empty {
            path: spec.path.clone(),
        });
    }
    Ok(list)
}

/// Loads a list like [`load`], then applies the shrink check of `guard`
/// against the last version loaded for the same source and records this
/// one as the new last version.
pub fn load_guarded(spec: &ListSpec, guard: &ListGuard) -> Result<LoadedList, ListError> {
    let list = load_checked(spec, guard)?;
    guard.record_all(std::slice::from_ref(&list.version))?;
    Ok(list)
}

/// Loads a list like [`load`] and applies the shrink check of `guard`,
/// recording nothing: an engine under construction writes no file (see
/// [`ListGuard::record_all`]).
pub fn load_checked(spec: &ListSpec, guard: &ListGuard) -> Result<LoadedList, ListError> {
    let list = load(spec)?;
    guard.check(&list.version)?;
    Ok(list)
}

/// Keeps the first entity of each id; later ones are skipped and reported,
/// so ids stay unique and loading a file twice gives the same ids.
fn drop_duplicate_ids(list: &mut LoadedList) {
    let mut seen = std::collections::HashSet::with_capacity(list.entities.len());
    let before = list.entities.len();
    let mut dropped = Vec::new();
    list.entities.retain(|e| {
        let fresh = seen.insert(e.id.clone());
        if !fresh {
            dropped.push(SkippedRecord {
                record: e.id.clone(),
                reason: "duplicate id: an earlier record has the same id".into(),
            });
        }
        fresh
    });
    if list.entities.len() != before {
        let spec = ListSpec::new(list.version.source, &list.version.path);
        let mut skipped = std::mem::take(&mut list.skipped);
        skipped.extend(dropped);
        let warnings = std::mem::take(&mut list.warnings);
        *list = LoadedList::new(
            &spec,
            list.version.version.clone(),
            list.version.sha256.clone(),
            std::mem::take(&mut list.entities),
            skipped,
        );
        list.warnings = warnings;
    }
}

/// Whether a birth date reads as one (`YYYY-MM-DD`, `YYYY-MM` or `YYYY`,
/// years 1800–2200); blank counts as absent, so readable.
pub(crate) fn birth_date_readable(b: &str) -> bool {
    if b.trim().is_empty() {
        return true;
    }
    match BirthDate::parse_iso(b) {
        BirthDate::Date { date } => {
            use chrono::Datelike;
            (1800..=2200).contains(&date.year())
        }
        BirthDate::YearMonth { year, .. } | BirthDate::Year { year } => {
            (1800..=2200).contains(&year)
        }
        _ => false,
    }
}
