//! The deterministic benchmark workload, shared by the criterion benches,
//! the gungraun latency guard, the `gen_workload` example and the batch
//! tests (each includes this file with `#[path = ".../workload/mod.rs"]`).
//!
//! Why a `#[path]` module and not a library module: the generator is test
//! tooling, it must not grow the library's public API or its dependencies,
//! and it must build on a fresh clone without `../shared`.
//!
//! Lists: every real list under `../shared/data/lists` when that directory
//! exists (UN, OFAC SDN CSV with its 2025 companions, OFAC consolidated XML,
//! EU converted XML, NSDC-shaped JSON, OFAC crypto addresses), else a
//! generated list of the same size. [`Lists::origin`] says which, so no
//! figure from generated names is ever reported as a real-list figure.
//!
//! Transactions: a fixed-seed stream whose parties are clean names (≈90%),
//! exact list names, typos, transliteration variants, reordered tokens,
//! sanctioned crypto addresses, forbidden-platform domains, TOR flags, and
//! structuring/velocity sequences over a few thousand customers. Everything
//! is written against [`Entity`] and [`Transaction`], never loader internals.
#![allow(dead_code)] // each includer uses a different part

use std::path::{Path, PathBuf};

use amlscreen::lists::{self, Alias, Entity, EntityKind, ListSpec, LoadedList, SourceKind};
use amlscreen::{Channel, Direction, Party, PartyKind, Transaction, Wallet};
use chrono::{DateTime, Duration, TimeZone, Utc};
use rust_decimal::Decimal;

/// The seed every generator starts from: same seed, same workload.
pub const SEED: u64 = 0x616d_6c73_6372_6565;

/// Transactions in the `screen_batch` bench and the throughput figure.
pub const BATCH_TRANSACTIONS: usize = 100_000;

/// Distinct customers the transaction stream is spread over.
pub const CUSTOMERS: usize = 3_000;

/// The repository root (where `Cargo.toml` is).
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `../shared/data` beside the repository.
pub fn shared_data() -> PathBuf {
    repo_root().join("../shared/data")
}

/// The real list files the workload loads, relative to `../shared/data/lists`.
pub const REAL_LISTS: &[(SourceKind, &str)] = &[
    (SourceKind::UnXml, "un/consolidated.xml"),
    (SourceKind::OfacSdnCsv, "ofac/sdn_csv/sdn.csv"),
    (
        SourceKind::OfacSdnXml,
        "ofac/consolidated_2025/consolidated.xml",
    ),
    (SourceKind::EuFsfXml, "eu/eu_fsf_converted.xml"),
    (SourceKind::NsdcJson, "ua_nsdc/nsdc_subjects_converted.json"),
];

/// Directory of the OFAC crypto-address extract (one file per ticker).
pub const CRYPTO_DIR: &str = "ofac/crypto_2024-09";

/// Entity counts of the real files, for the generated stand-in of the same
/// size (figures from `../shared/data/README.md`).
pub const REAL_SIZES: &[(SourceKind, usize)] = &[
    (SourceKind::UnXml, 1_003),
    (SourceKind::OfacSdnCsv, 14_965),
    (SourceKind::OfacSdnXml, 443),
    (SourceKind::EuFsfXml, 8_017),
    (SourceKind::NsdcJson, 3_841),
];

/// OFAC crypto addresses in the 2024-09 extract.
pub const REAL_CRYPTO_ADDRESSES: usize = 654;

/// Where the workload's lists came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// Every real file loaded through its loader.
    Real,
    /// `../shared/data` absent: generated lists of the same size.
    Generated,
}

/// The lists of a workload.
#[derive(Debug, Clone)]
pub struct Lists {
    /// Real or generated.
    pub origin: Origin,
    /// The loaded lists, in [`REAL_LISTS`] order, then the crypto addresses.
    pub lists: Vec<LoadedList>,
}

impl Lists {
    /// Real lists when `../shared/data` exists, else generated ones.
    ///
    /// With `../shared/data` present, a real file that fails to load is an
    /// error (never a silent fallback to generated names).
    ///
    /// `AMLSCREEN_BENCH_LISTS=generated` forces the generated lists (to
    /// compare with a fresh clone).
    pub fn load_or_generate() -> Result<Lists, String> {
        let forced = std::env::var("AMLSCREEN_BENCH_LISTS").is_ok_and(|v| v == "generated");
        if !forced && shared_data().join("lists").is_dir() {
            Lists::load_real()
        } else {
            Ok(Lists::generated(SEED))
        }
    }

    /// Loads every real list; fails naming the file when one is missing or broken.
    pub fn load_real() -> Result<Lists, String> {
        let base = shared_data().join("lists");
        let mut out = Vec::new();
        for (source, rel) in REAL_LISTS {
            let path = base.join(rel);
            if !path.is_file() {
                return Err(format!(
                    "{}: missing (the real-list workload needs ../shared/data beside the repository)",
                    path.display()
                ));
            }
            let spec = ListSpec::new(*source, path);
            out.push(lists::load(&spec).map_err(|e| e.to_string())?);
        }
        out.push(load_crypto_extract(&base.join(CRYPTO_DIR))?);
        Ok(Lists {
            origin: Origin::Real,
            lists: out,
        })
    }

    /// Generated lists with the entity counts of the real ones.
    pub fn generated(seed: u64) -> Lists {
        Lists::generated_scaled(seed, 1)
    }

    /// Generated lists with `1 / divisor` of the real entity counts (for
    /// quick tests in debug builds).
    pub fn generated_scaled(seed: u64, divisor: usize) -> Lists {
        let divisor = divisor.max(1);
        let mut rng = Rng::new(seed);
        let mut out = Vec::new();
        for (source, size) in REAL_SIZES {
            let size = &(size / divisor).max(1);
            let label = list_label(*source);
            let cyrillic = *source == SourceKind::NsdcJson;
            let entities = (0..*size)
                .map(|i| generated_entity(&mut rng, label, i, cyrillic))
                .collect();
            let spec = ListSpec::new(*source, format!("generated/{label}"));
            out.push(LoadedList::new(
                &spec,
                Some("generated".into()),
                format!("{seed:064x}"),
                entities,
                Vec::new(),
            ));
        }
        let mut crypto = Vec::new();
        for i in 0..(REAL_CRYPTO_ADDRESSES / divisor).max(1) {
            let mut e = Entity::new(
                format!("gen-crypto:{i}"),
                "ofac",
                EntityKind::Organization,
                generated_org_name(&mut rng),
            );
            if let Ok(a) = amlscreen::normalize_address("ETH", &random_eth_address(&mut rng)) {
                e.addresses.push(a);
            }
            crypto.push(e);
        }
        let spec = ListSpec::new(SourceKind::Watchlist, "generated/crypto");
        out.push(LoadedList::new(
            &spec,
            Some("generated".into()),
            format!("{seed:064x}"),
            crypto,
            Vec::new(),
        ));
        Lists {
            origin: Origin::Generated,
            lists: out,
        }
    }

    /// Every entity of every list.
    pub fn entities(&self) -> impl Iterator<Item = &Entity> {
        self.lists.iter().flat_map(|l| &l.entities)
    }

    /// Total names (primary + aliases) over all lists.
    pub fn name_count(&self) -> usize {
        self.entities().map(|e| 1 + e.aliases.len()).sum()
    }

    /// One line describing the lists, for bench and test output.
    pub fn summary(&self) -> String {
        format!(
            "{} lists ({:?}): {} entities, {} names, {} addresses",
            self.lists.len(),
            self.origin,
            self.entities().count(),
            self.name_count(),
            self.entities().map(|e| e.addresses.len()).sum::<usize>()
        )
    }
}

fn list_label(source: SourceKind) -> &'static str {
    match source {
        SourceKind::UnXml => "un",
        SourceKind::OfacSdnCsv | SourceKind::OfacSdnXml => "ofac",
        SourceKind::EuFsfXml => "eu",
        SourceKind::NsdcJson => "nsdc",
        _ => "watchlist",
    }
}

/// The OFAC crypto extract (`sanctioned_addresses_<TICKER>.txt`, one
/// address per line, original case) as one entity per address, so the
/// workload's address index holds every real sanctioned address.
pub fn load_crypto_extract(dir: &Path) -> Result<LoadedList, String> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    files.sort();
    let mut entities = Vec::new();
    let mut hasher_input = Vec::new();
    for file in &files {
        let ticker = file
            .file_stem()
            .and_then(|s| s.to_str())
            .and_then(|s| s.strip_prefix("sanctioned_addresses_"))
            .ok_or_else(|| format!("{}: unexpected file name", file.display()))?
            .to_owned();
        let text = std::fs::read_to_string(file).map_err(|e| format!("{}: {e}", file.display()))?;
        hasher_input.extend_from_slice(text.as_bytes());
        for (line_no, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() {
                continue;
            }
            // Tickers the address module cannot validate are skipped, as a
            // loader would skip a malformed record.
            if let Ok(addr) = amlscreen::normalize_address(&ticker, line) {
                let mut e = Entity::new(
                    format!("ofac-crypto:{ticker}:{}", line_no + 1),
                    "ofac",
                    EntityKind::Unknown,
                    format!("OFAC digital currency address {ticker} {}", line_no + 1),
                );
                e.addresses.push(addr);
                entities.push(e);
            }
        }
    }
    if entities.is_empty() {
        return Err(format!("{}: no crypto addresses read", dir.display()));
    }
    let spec = ListSpec::new(SourceKind::Watchlist, dir);
    Ok(LoadedList::new(
        &spec,
        Some("2024-09-27".into()),
        sha256_hex(&hasher_input),
        entities,
        Vec::new(),
    ))
}

// ---------------------------------------------------------------------------
// A small deterministic PRNG (SplitMix64): no dependency, same stream on
// every platform.

/// SplitMix64: tiny, fast, and good enough to pick names and amounts.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    /// True with probability `per_mille / 1000`.
    pub fn chance(&mut self, per_mille: u64) -> bool {
        self.next_u64() % 1000 < per_mille
    }

    /// One element of a non-empty slice.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

// ---------------------------------------------------------------------------
// Names.

const FIRST_NAMES: &[&str] = &[
    "James",
    "Maria",
    "John",
    "Anna",
    "Robert",
    "Elena",
    "Michael",
    "Sofia",
    "David",
    "Laura",
    "Thomas",
    "Julia",
    "Daniel",
    "Emma",
    "Peter",
    "Olga",
    "Andrew",
    "Natalia",
    "Paul",
    "Irina",
    "Mark",
    "Sarah",
    "Lukas",
    "Marta",
    "Jan",
    "Eva",
    "Pierre",
    "Claire",
    "Hans",
    "Greta",
    "Carlos",
    "Lucia",
    "Ahmed",
    "Fatima",
    "Kenji",
    "Yuki",
    "Wei",
    "Mei",
    "Oleh",
    "Oksana",
    "Taras",
    "Iryna",
    "Dmytro",
    "Halyna",
    "Marco",
    "Giulia",
    "Sven",
    "Ingrid",
    "Pavel",
    "Katarzyna",
];

const LAST_NAMES: &[&str] = &[
    "Smith",
    "Johnson",
    "Brown",
    "Garcia",
    "Miller",
    "Davis",
    "Wilson",
    "Anderson",
    "Taylor",
    "Moore",
    "Martin",
    "Lee",
    "Thompson",
    "White",
    "Harris",
    "Clark",
    "Lewis",
    "Walker",
    "Hall",
    "Young",
    "Schmidt",
    "Schneider",
    "Fischer",
    "Weber",
    "Meyer",
    "Wagner",
    "Becker",
    "Hoffmann",
    "Dubois",
    "Laurent",
    "Rossi",
    "Russo",
    "Ferrari",
    "Kowalski",
    "Nowak",
    "Wisniewski",
    "Shevchenko",
    "Kovalenko",
    "Bondarenko",
    "Tkachenko",
    "Kravchenko",
    "Oliynyk",
    "Lysenko",
    "Nakamura",
    "Tanaka",
    "Chen",
    "Wang",
    "Jensen",
    "Nielsen",
    "Hansen",
];

const SYLLABLES: &[&str] = &[
    "ka", "ro", "mi", "ten", "la", "vor", "shi", "dan", "pel", "ost", "ru", "bek", "zan", "tor",
    "li", "mar", "nes", "gal", "fe", "din", "sor", "ul", "hab", "qui", "ven", "do", "zar", "ish",
];

const CYRILLIC_SYLLABLES: &[&str] = &[
    "ко", "ва", "лен", "ро", "ми", "шев", "чен", "ба", "дар", "ов", "ен", "ски", "петр", "ив",
    "ан", "ол", "ег", "сер", "гей", "ник", "тин", "жу", "ков", "рый",
];

const ORG_WORDS: &[&str] = &[
    "Trading",
    "Logistics",
    "Holding",
    "Energy",
    "Shipping",
    "Metals",
    "Capital",
    "Invest",
    "Systems",
    "Industrial",
    "Export",
    "Technologies",
    "Marine",
    "Petroleum",
    "Group",
    "Services",
];

const LEGAL_FORMS: &[&str] = &["LLC", "Ltd", "GmbH", "JSC", "OOO", "FZE", "S.A.", "Co."];

fn syllable_word(rng: &mut Rng, syllables: &[&str], min: usize, max: usize) -> String {
    let n = min + rng.below(max - min + 1);
    let mut w = String::new();
    for _ in 0..n {
        let syllable: &&str = rng.pick(syllables);
        w.push_str(syllable);
    }
    capitalise(&w)
}

fn capitalise(w: &str) -> String {
    let mut c = w.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

fn generated_person_name(rng: &mut Rng, cyrillic: bool) -> String {
    let s = if cyrillic {
        CYRILLIC_SYLLABLES
    } else {
        SYLLABLES
    };
    match rng.below(3) {
        0 => format!(
            "{} {}",
            syllable_word(rng, s, 2, 3),
            syllable_word(rng, s, 2, 4)
        ),
        _ => format!(
            "{} {} {}",
            syllable_word(rng, s, 2, 4),
            syllable_word(rng, s, 2, 3),
            syllable_word(rng, s, 2, 4)
        ),
    }
}

fn generated_org_name(rng: &mut Rng) -> String {
    format!(
        "{} {} {}",
        syllable_word(rng, SYLLABLES, 2, 3),
        rng.pick(ORG_WORDS),
        rng.pick(LEGAL_FORMS)
    )
}

fn generated_entity(rng: &mut Rng, list: &str, i: usize, cyrillic: bool) -> Entity {
    let person = rng.chance(600);
    let (kind, name) = if person {
        (EntityKind::Person, generated_person_name(rng, cyrillic))
    } else {
        (EntityKind::Organization, generated_org_name(rng))
    };
    let mut e = Entity::new(format!("gen-{list}:{i}"), list, kind, name.clone());
    // About 1.3 aliases per entity, as in the real OFAC files.
    for _ in 0..rng.below(3) + usize::from(rng.chance(300)) {
        let alias = if person {
            let mut tokens: Vec<&str> = name.split(' ').collect();
            tokens.reverse();
            if rng.chance(500) {
                typo(rng, &tokens.join(" "))
            } else {
                generated_person_name(rng, cyrillic)
            }
        } else {
            generated_org_name(rng)
        };
        e.aliases.push(Alias {
            name: alias,
            strength: if rng.chance(150) {
                lists::AliasStrength::Weak
            } else {
                lists::AliasStrength::Strong
            },
        });
    }
    if person && rng.chance(700) {
        e.birth_dates.push(lists::BirthDate::Year {
            year: 1940 + rng.below(60) as i32,
        });
    }
    e
}

/// A clean (unlisted-looking) person name.
pub fn clean_name(rng: &mut Rng) -> String {
    match rng.below(4) {
        0 => format!(
            "{} {}",
            rng.pick(FIRST_NAMES),
            syllable_word(rng, SYLLABLES, 2, 3)
        ),
        _ => format!("{} {}", rng.pick(FIRST_NAMES), rng.pick(LAST_NAMES)),
    }
}

/// One edit (substitution, deletion, transposition or insertion) in the
/// longest token, as a typing slip would make.
pub fn typo(rng: &mut Rng, name: &str) -> String {
    let tokens: Vec<&str> = name.split(' ').collect();
    let Some((ti, _)) = tokens
        .iter()
        .enumerate()
        .max_by_key(|(_, t)| t.chars().count())
    else {
        return name.to_owned();
    };
    let mut chars: Vec<char> = tokens[ti].chars().collect();
    if chars.len() < 4 {
        return name.to_owned();
    }
    let at = 1 + rng.below(chars.len() - 2);
    match rng.below(4) {
        0 => chars[at] = if chars[at] == 'e' { 'a' } else { 'e' },
        1 => {
            chars.remove(at);
        }
        2 => chars.swap(at, at + 1),
        _ => chars.insert(at, chars[at]),
    }
    let edited: String = chars.into_iter().collect();
    tokens
        .iter()
        .enumerate()
        .map(|(i, t)| if i == ti { edited.as_str() } else { t })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Another romanisation of a name: Cyrillic is transliterated (a plain
/// BGN-like table), Latin names get the spelling swaps different
/// standards make (y/i, kh/h, ov/ow, ch/tch, j/y, ks/x).
pub fn translit_variant(name: &str) -> String {
    if name.chars().any(|c| ('\u{0400}'..='\u{04ff}').contains(&c)) {
        return name.chars().map(cyrillic_to_latin).collect();
    }
    let swaps: &[(&str, &str)] = &[
        ("kh", "h"),
        ("ov", "ow"),
        ("ch", "tch"),
        ("iy", "ij"),
        ("y", "i"),
        ("ks", "x"),
        ("j", "y"),
    ];
    let lower = name.to_lowercase();
    for (from, to) in swaps {
        if lower.contains(from) {
            return lower.replacen(from, to, 1);
        }
    }
    lower
}

fn cyrillic_to_latin(c: char) -> String {
    let lower = c.to_lowercase().next().unwrap_or(c);
    let s = match lower {
        'а' => "a",
        'б' => "b",
        'в' => "v",
        'г' => "g",
        'ґ' => "g",
        'д' => "d",
        'е' => "e",
        'є' => "ye",
        'ё' => "yo",
        'ж' => "zh",
        'з' => "z",
        'и' => "i",
        'і' => "i",
        'ї' => "yi",
        'й' => "y",
        'к' => "k",
        'л' => "l",
        'м' => "m",
        'н' => "n",
        'о' => "o",
        'п' => "p",
        'р' => "r",
        'с' => "s",
        'т' => "t",
        'у' => "u",
        'ў' => "w",
        'ф' => "f",
        'х' => "kh",
        'ц' => "ts",
        'ч' => "ch",
        'ш' => "sh",
        'щ' => "shch",
        'ъ' => "",
        'ы' => "y",
        'ь' => "",
        'э' => "e",
        'ю' => "yu",
        'я' => "ya",
        other => return other.to_string(),
    };
    if c.is_uppercase() {
        capitalise(s)
    } else {
        s.to_owned()
    }
}

/// The tokens of a name in reverse order ("Ivan Petrov" → "Petrov Ivan").
pub fn reordered(name: &str) -> String {
    let mut tokens: Vec<&str> = name.split_whitespace().collect();
    tokens.rotate_left(1);
    tokens.join(" ")
}

/// How a query name was derived, for per-kind reporting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NameKind {
    /// Not derived from a list name.
    Clean,
    /// A list name as written.
    Exact,
    /// A list name with one typing slip.
    Typo,
    /// Another romanisation of a list name.
    Translit,
    /// A list name with its tokens rotated.
    Reordered,
}

/// Names derived from the lists, for the query mix.
#[derive(Debug, Clone)]
pub struct NamePool {
    /// Primary names and strong aliases of active persons and organisations
    /// with at least two tokens (single tokens make meaningless variants).
    pub listed: Vec<String>,
}

impl NamePool {
    /// Collects the pool from the lists (deterministic order).
    pub fn new(lists: &Lists) -> NamePool {
        let listed = lists
            .entities()
            .filter(|e| {
                e.is_active() && matches!(e.kind, EntityKind::Person | EntityKind::Organization)
            })
            .flat_map(|e| e.names())
            .filter(|(n, s)| {
                *s == lists::AliasStrength::Strong && n.split_whitespace().count() >= 2
            })
            .map(|(n, _)| n.to_owned())
            .collect();
        NamePool { listed }
    }

    /// One query name: ≈90% clean, the rest list-derived (exact, typo,
    /// transliteration, reordered — 2.5% each).
    pub fn query(&self, rng: &mut Rng) -> (NameKind, String) {
        if self.listed.is_empty() || rng.chance(900) {
            return (NameKind::Clean, clean_name(rng));
        }
        let base = rng.pick(&self.listed).clone();
        match rng.below(4) {
            0 => (NameKind::Exact, base),
            1 => (NameKind::Typo, typo(rng, &base)),
            2 => (NameKind::Translit, translit_variant(&base)),
            _ => (NameKind::Reordered, reordered(&base)),
        }
    }

    /// `n` query names of the standard mix.
    pub fn queries(&self, seed: u64, n: usize) -> Vec<(NameKind, String)> {
        let mut rng = Rng::new(seed);
        (0..n).map(|_| self.query(&mut rng)).collect()
    }
}

// ---------------------------------------------------------------------------
// Transactions.

/// Sanctioned addresses and platform domains the stream draws from.
#[derive(Debug, Clone)]
pub struct Sources {
    /// Listed names.
    pub names: NamePool,
    /// `(chain, address)` of listed wallets, original case.
    pub addresses: Vec<(String, String)>,
    /// Forbidden-platform domains from the repository's `rules/`.
    pub domains: Vec<String>,
}

impl Sources {
    /// Draws sources from lists and the platform registry of `rules/`.
    pub fn new(lists: &Lists) -> Sources {
        let addresses = lists
            .entities()
            .filter(|e| e.is_active())
            .flat_map(|e| &e.addresses)
            .map(|a| (a.chain.clone(), a.address.clone()))
            .collect();
        let domains = amlscreen::rules::RuleSet::load(&repo_root().join("rules"))
            .map(|r| {
                r.platforms()
                    .iter()
                    .flat_map(|p| p.domains.clone())
                    .collect()
            })
            .unwrap_or_default();
        Sources {
            names: NamePool::new(lists),
            addresses,
            domains,
        }
    }
}

/// The clock the stream starts at.
pub fn epoch() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0)
        .single()
        .unwrap_or_default()
}

/// The time of screening for the stream: a year after [`epoch`], so that
/// every transaction of a stream up to 10 million long (3 s apart) lies
/// within the default screening bounds whatever the date the benches run
/// on. Give it to `Screener::with_clock`: with the system clock the stream
/// would one day be refused as too old, and benches that drop errors would
/// measure the refusal.
pub fn screening_time() -> DateTime<Utc> {
    epoch() + Duration::days(365)
}

fn random_eth_address(rng: &mut Rng) -> String {
    let mut s = String::from("0x");
    for _ in 0..5 {
        s.push_str(&format!("{:08x}", rng.next_u64() as u32));
    }
    s
}

fn party(rng: &mut Rng, src: &Sources) -> Party {
    let (_, name) = src.names.query(rng);
    let mut p = Party {
        name: Some(name),
        kind: Some(PartyKind::Person),
        country: Some((*rng.pick(&["DE", "FR", "UA", "GB", "US", "PL", "NL", "ES"])).into()),
        ..Party::default()
    };
    if rng.chance(400) {
        let wallet = if !src.addresses.is_empty() && rng.chance(25) {
            let (chain, address) = rng.pick(&src.addresses).clone();
            Wallet { chain, address }
        } else {
            Wallet {
                chain: "ETH".into(),
                address: random_eth_address(rng),
            }
        };
        p.wallet = Some(wallet);
    }
    if rng.chance(200) {
        p.domain = Some(if !src.domains.is_empty() && rng.chance(50) {
            rng.pick(&src.domains).clone()
        } else {
            (*rng.pick(&["kraken.com", "binance.com", "coinbase.com", "bitstamp.net"])).into()
        });
    }
    p
}

/// Generates `n` transactions over `customers` customers, in timestamp
/// order, with the standard party mix plus structuring sequences (three
/// transfers just under 10,000 within hours, ≈1 in 300 customers' slots)
/// and velocity bursts (a dozen outgoing transfers within an hour).
pub fn transactions(lists: &Lists, seed: u64, n: usize, customers: usize) -> Vec<Transaction> {
    let src = Sources::new(lists);
    transactions_from(&src, seed, 0, n, customers)
}

/// Transactions `first..first + n` of the stream for `seed` (each index's
/// transaction depends only on seed and index, so a 1M-line file can be
/// written in chunks).
pub fn transactions_from(
    src: &Sources,
    seed: u64,
    first: usize,
    n: usize,
    customers: usize,
) -> Vec<Transaction> {
    let customers = customers.max(1);
    (first..first + n)
        .map(|i| transaction(src, seed, i, customers))
        .collect()
}

/// Transaction number `i` of the stream for `seed`.
pub fn transaction(src: &Sources, seed: u64, i: usize, customers: usize) -> Transaction {
    let mut rng = Rng::new(seed ^ (i as u64).wrapping_mul(0x2545_f491_4f6c_dd1d));
    // Sequences: slot i belongs to a burst when its block of 64 slots is a
    // burst block; burst slots share one customer and sit a few minutes apart.
    let block = i / 64;
    let mut block_rng = Rng::new(seed ^ 0x5eed ^ (block as u64).wrapping_mul(0x9e37_79b9));
    let burst_kind = block_rng.below(6); // 0: structuring, 1: velocity, else none
    let burst_customer = block_rng.below(customers);
    let in_burst = match burst_kind {
        0 => i % 64 < 3 * 8 && i % 8 == 0,  // 3 transfers, 8 slots apart
        1 => i % 64 < 12 * 4 && i % 4 == 0, // 12 transfers, 4 slots apart
        _ => false,
    };
    let customer = if in_burst {
        burst_customer
    } else {
        rng.below(customers)
    };
    let timestamp = epoch() + Duration::seconds(i as i64 * 3);
    // Values are in cents (two decimal places).
    let (direction, value) = if in_burst && burst_kind == 0 {
        (
            Direction::Outgoing,
            Decimal::new(800_000 + rng.below(199_900) as i64, 2),
        )
    } else if in_burst {
        (
            Direction::Outgoing,
            Decimal::new(10_000 + rng.below(90_000) as i64, 2),
        )
    } else {
        let dir = if rng.chance(500) {
            Direction::Outgoing
        } else {
            Direction::Incoming
        };
        let v = if rng.chance(20) {
            1_000_000 + rng.below(2_000_000)
        } else {
            1_000 + rng.below(499_000)
        };
        (dir, Decimal::new(v as i64, 2))
    };
    let mut tx = Transaction {
        id: format!("tx-{i:09}"),
        timestamp,
        customer_id: format!("c-{customer:06}"),
        direction,
        amount: value,
        currency: "USDT".into(),
        value,
        originator: Some(party(&mut rng, src)),
        beneficiary: Some(party(&mut rng, src)),
        ultimate_originator: None,
        ultimate_beneficiary: None,
        intermediaries: Vec::new(),
        channel: None,
        memo: None,
        customer: None,
        kind: Default::default(),
        original_id: None,
    };
    if rng.chance(150) {
        tx.ultimate_beneficiary = Some(party(&mut rng, src));
    }
    if rng.chance(100) {
        tx.intermediaries.push(Party {
            name: Some(format!("{} Bank", rng.pick(LAST_NAMES))),
            kind: Some(PartyKind::Organization),
            ..Party::default()
        });
    }
    if rng.chance(300) {
        tx.channel = Some(Channel {
            ip: Some(format!(
                "{}.{}.{}.{}",
                rng.below(223) + 1,
                rng.below(256),
                rng.below(256),
                rng.below(256)
            )),
            ip_flags: if rng.chance(30) {
                vec!["tor".into()]
            } else {
                Vec::new()
            },
            country: None,
        });
    }
    if rng.chance(200) {
        tx.memo = Some((*rng.pick(&["invoice 2291", "rent", "salary", "loan repayment"])).into());
    }
    tx
}

/// A mid-sized transaction for `screen_one`: originator, beneficiary, one
/// of each listed-name variant across calls.
pub fn screen_one_set(lists: &Lists, seed: u64, n: usize) -> Vec<Transaction> {
    transactions(lists, seed, n, CUSTOMERS)
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
