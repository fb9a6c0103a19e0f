//! Names in other scripts against Latin list names, measured on the real
//! lists with a held-out half (see `docs/SCRIPTS_EVAL.md`).
//!
//! The development set is built here, from `../shared/data/lists`, never
//! written into the project (the EU file may not be shipped):
//! - every UN entry with a `NAME_ORIGINAL_SCRIPT` (Arabic, Cyrillic);
//! - every EU entry with an alias written in another script (Arabic, Han,
//!   Hangul, Hebrew, Thai, Cyrillic).
//!
//! Each such name is a **query**; its entry's Latin names (primary name and
//! Latin aliases only) form the **list** it is searched in, one index per
//! source. The query is found when its entry is among the hits at the
//! review threshold (recall). For pair figures, the positive pair is the
//! query with its own entry's best Latin name, the negative pair the query
//! with the best-scoring *other* entry that shares no name with it (the
//! hardest confusion the list offers): precision, recall and F1 per
//! threshold.
//!
//! The split: each entry's group (its first Latin name, folded, so that
//! the EU's one entry per regulation stays on one side) is hashed
//! (FNV-1a); even hashes are the **tune** half, odd the **held-out** half.
//! Matching work looks at tune-half misses only
//! (`AMLSCREEN_SCRIPT_MISSES=1`); the held-out figures are reported, and
//! their floors below are ratchets set from what was measured.
//!
//! The same split is applied to `../shared/data/eval/pairs_dev.jsonl` (by
//! pair id), and to the EU entries whose Cyrillic names are organisations
//! (Russian and Ukrainian organisation names against their English ones).
//!
//! `cargo test --release --test integration names_scripts -- --ignored --nocapture`

use std::collections::{BTreeMap, HashSet};

use amlscreen::lists::{Entity, EntityKind, SourceKind};
use amlscreen::names::{compare, fold_words, MatchConfig, NameIndex, NameQuery};
use amlscreen::PartyKind;

use crate::common;

/// The script a name is mostly written in, or `None` for Latin.
pub fn script_of(name: &str) -> Option<&'static str> {
    let mut counts: BTreeMap<&'static str, usize> = BTreeMap::new();
    let mut latin = 0usize;
    for c in name.chars().filter(|c| c.is_alphabetic()) {
        let s = match c as u32 {
            0x0041..=0x024F | 0x1E00..=0x1EFF => {
                latin += 1;
                continue;
            }
            0x0370..=0x03FF | 0x1F00..=0x1FFF => "greek",
            0x0400..=0x052F => "cyrillic",
            0x0530..=0x058F => "armenian",
            0x0590..=0x05FF => "hebrew",
            0x0600..=0x06FF | 0x0750..=0x077F | 0xFB50..=0xFDFF | 0xFE70..=0xFEFF => "arabic",
            0x0E00..=0x0E7F => "thai",
            0x3040..=0x30FF => "kana",
            0x1100..=0x11FF | 0x3130..=0x318F | 0xAC00..=0xD7AF => "hangul",
            0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF => "han",
            _ => "other",
        };
        *counts.entry(s).or_default() += 1;
    }
    let (script, n) = counts.into_iter().max_by_key(|&(_, n)| n)?;
    (n > latin).then_some(script)
}

/// FNV-1a, 64 bits: a split that does not change between runs or builds.
pub fn fnv1a(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// Whether `key` falls in the held-out half.
pub fn held_out(key: &str) -> bool {
    fnv1a(key) % 2 == 1
}

/// One query of the development set.
struct ScriptQuery {
    script: &'static str,
    name: String,
    kind: EntityKind,
    /// Index of the entry (in the source's Latin-only entities).
    entity: usize,
    held_out: bool,
}

/// The Latin-only copy of each entry and the queries its other-script
/// names make.
fn build(entities: &[Entity]) -> (Vec<Entity>, Vec<ScriptQuery>) {
    let mut latin_entities = Vec::new();
    let mut queries = Vec::new();
    for e in entities.iter().filter(|e| e.is_active()) {
        let mut latin: Vec<&str> = Vec::new();
        let mut other: Vec<(&'static str, &str)> = Vec::new();
        for (name, _) in e.names() {
            match script_of(name) {
                None => latin.push(name),
                Some(s) => other.push((s, name)),
            }
        }
        if latin.is_empty() {
            continue;
        }
        let mut copy = Entity::new(&e.id, &e.list, e.kind, latin[0]);
        for alias in e.aliases.iter().filter(|a| script_of(&a.name).is_none()) {
            if alias.name != latin[0] {
                copy.aliases.push(alias.clone());
            }
        }
        let group = fold_words(latin[0]).join(" ");
        let entity = latin_entities.len();
        latin_entities.push(copy);
        let mut seen = HashSet::new();
        for (script, name) in other {
            // organisations' names apart: they are translated, not romanised
            let script = match (script, e.kind) {
                ("cyrillic", EntityKind::Organization) => "cyrillic-org",
                ("arabic", EntityKind::Organization) => "arabic-org",
                ("han", EntityKind::Organization) => "han-org",
                (s, _) => s,
            };
            if seen.insert(name) {
                queries.push(ScriptQuery {
                    script,
                    name: name.to_owned(),
                    kind: e.kind,
                    entity,
                    held_out: held_out(&group),
                });
            }
        }
    }
    (latin_entities, queries)
}

fn party_kind(kind: EntityKind) -> Option<PartyKind> {
    match kind {
        EntityKind::Person => Some(PartyKind::Person),
        EntityKind::Organization => Some(PartyKind::Organization),
        _ => None,
    }
}

/// Per (script, half): recall at the review threshold and the scored pairs.
#[derive(Default)]
struct Tally {
    n: usize,
    found: usize,
    /// (score, is the same entry)
    pairs: Vec<(f64, bool)>,
    misses: Vec<String>,
}

impl Tally {
    fn recall(&self) -> f64 {
        self.found as f64 / self.n.max(1) as f64
    }

    /// (precision, recall, F1) of "score ≥ t".
    fn prf(&self, t: f64) -> (f64, f64, f64) {
        let tp = self.pairs.iter().filter(|(s, m)| *s >= t && *m).count() as f64;
        let fp = self.pairs.iter().filter(|(s, m)| *s >= t && !*m).count() as f64;
        let fnn = self.pairs.iter().filter(|(s, m)| *s < t && *m).count() as f64;
        let p = if tp + fp > 0.0 { tp / (tp + fp) } else { 1.0 };
        let r = if tp + fnn > 0.0 { tp / (tp + fnn) } else { 1.0 };
        let f = if p + r > 0.0 {
            2.0 * p * r / (p + r)
        } else {
            0.0
        };
        (p, r, f)
    }

    fn best_f1(&self) -> (f64, f64) {
        (50..=99)
            .map(|t| f64::from(t) / 100.0)
            .map(|t| (self.prf(t).2, t))
            .fold((0.0, 0.0), |a, b| if b.0 > a.0 { b } else { a })
    }
}

fn folded_names(e: &Entity) -> HashSet<String> {
    e.names().map(|(n, _)| fold_words(n).join(" ")).collect()
}

/// Screens every query of one source; adds to `tallies[(script, half)]`.
fn measure(
    entities: &[Entity],
    config: &MatchConfig,
    tallies: &mut BTreeMap<(&'static str, bool), Tally>,
) {
    let (latin, queries) = build(entities);
    let index = NameIndex::build(&latin, config.clone());
    let review = config.review_threshold;
    for q in &queries {
        let tally = tallies.entry((q.script, q.held_out)).or_default();
        tally.n += 1;
        let query = NameQuery {
            name: &q.name,
            kind: party_kind(q.kind),
            ..NameQuery::default()
        };
        let hits = index.search(&query, 0.5, 20);
        let own = &latin[q.entity];
        let own_names = folded_names(own);
        let own_score = hits
            .iter()
            .filter(|h| h.entity == q.entity)
            .map(|h| h.score)
            .fold(0.0, f64::max);
        if own_score >= review {
            tally.found += 1;
        } else if !q.held_out {
            tally.misses.push(format!(
                "{:.3} {} -> {} (top: {})",
                own_score,
                q.name,
                own.name,
                hits.first()
                    .map(|h| format!("{} {:.3}", latin[h.entity].name, h.score))
                    .unwrap_or_default()
            ));
        }
        tally.pairs.push((own_score, true));
        // the hardest other entry: the best hit that shares no name
        let negative_hit = hits
            .iter()
            .filter(|h| h.entity != q.entity)
            .find(|h| folded_names(&latin[h.entity]).is_disjoint(&own_names));
        let negative = negative_hit.map_or(0.0, |h| h.score);
        if negative >= review && !q.held_out {
            if let Some(h) = negative_hit {
                tally.misses.push(format!(
                    "FP {:.3} {} -> {} (own: {})",
                    negative, q.name, latin[h.entity].name, own.name
                ));
            }
        }
        tally.pairs.push((negative, false));
    }
}

/// Floors on the held-out half, per script: recall at the review threshold
/// and F1 at it. Ratchets, set just below what was measured when issue 18
/// was closed (docs/SCRIPTS_EVAL.md); raise them when matching improves.
const HELD_OUT_FLOORS: &[(&str, f64, f64)] = &[
    ("arabic", 0.85, 0.86),       // measured 0.865, 0.874
    ("cyrillic", 0.98, 0.98),     // 0.994, 0.991
    ("cyrillic-org", 0.49, 0.61), // 0.506, 0.625
    ("hangul", 0.70, 0.75),       // 0.738, 0.795
    ("han", 0.80, 0.80),          // 1.000, 1.000 (5 names)
];

#[test]
#[ignore = "reads ../shared/data"]
fn scripts_against_latin_names() {
    let config = MatchConfig::default();
    let un = common::shared_entities(SourceKind::UnXml, "lists/un/consolidated.xml");
    let eu = common::shared_entities(SourceKind::EuFsfXml, "lists/eu/eu_fsf_converted.xml");
    let mut tallies: BTreeMap<(&'static str, bool), Tally> = BTreeMap::new();
    measure(&un, &config, &mut tallies);
    measure(&eu, &config, &mut tallies);
    let review = config.review_threshold;
    println!(
        "{:<10} {:<9} {:>5} {:>8} {:>6} {:>6} {:>6} {:>12}",
        "script", "half", "n", "recall", "P", "R", "F1", "best F1 @t"
    );
    let mut all: BTreeMap<bool, Tally> = BTreeMap::new();
    for ((script, half), t) in &tallies {
        let (p, r, f) = t.prf(review);
        let (bf, bt) = t.best_f1();
        println!(
            "{script:<10} {:<9} {:>5} {:>8.3} {p:>6.3} {r:>6.3} {f:>6.3} {bf:>6.3} @{bt:.2}",
            if *half { "held-out" } else { "tune" },
            t.n,
            t.recall()
        );
        let a = all.entry(*half).or_default();
        a.n += t.n;
        a.found += t.found;
        a.pairs.extend(&t.pairs);
    }
    // each script with its organisations
    let mut per_script: BTreeMap<(String, bool), Tally> = BTreeMap::new();
    for ((script, half), t) in &tallies {
        let a = per_script
            .entry((script.trim_end_matches("-org").to_owned(), *half))
            .or_default();
        a.n += t.n;
        a.found += t.found;
        a.pairs.extend(&t.pairs);
    }
    for ((script, half), t) in per_script
        .iter()
        .filter(|((s, _), _)| tallies.keys().any(|(k, _)| *k == format!("{s}-org")))
    {
        let (p, r, f) = t.prf(review);
        println!(
            "{:<10} {:<9} {:>5} {:>8.3} {p:>6.3} {r:>6.3} {f:>6.3}",
            format!("{script}*"),
            if *half { "held-out" } else { "tune" },
            t.n,
            t.recall()
        );
    }
    for (half, t) in &all {
        let (p, r, f) = t.prf(review);
        println!(
            "{:<10} {:<9} {:>5} {:>8.3} {p:>6.3} {r:>6.3} {f:>6.3}",
            "all",
            if *half { "held-out" } else { "tune" },
            t.n,
            t.recall()
        );
    }
    if std::env::var_os("AMLSCREEN_SCRIPT_MISSES").is_some() {
        for ((script, _), t) in tallies.iter().filter(|((_, h), _)| !h) {
            for m in &t.misses {
                println!("miss {script}: {m}");
            }
        }
    }
    let mut failures = Vec::new();
    for &(script, recall_floor, f1_floor) in HELD_OUT_FLOORS {
        let Some(t) = tallies.get(&(script, true)) else {
            failures.push(format!("{script}: no held-out queries"));
            continue;
        };
        let f1 = t.prf(review).2;
        if t.recall() < recall_floor || f1 < f1_floor {
            failures.push(format!(
                "{script}: held-out recall {:.3} (floor {recall_floor}), F1 {f1:.3} (floor {f1_floor})",
                t.recall()
            ));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

/// `pairs_dev.jsonl` split by pair id: the figures of each half.
#[test]
#[ignore = "reads ../shared/data"]
fn judged_pairs_split() {
    #[derive(serde::Deserialize)]
    struct Pair {
        id: String,
        a: String,
        b: String,
        kind: Option<String>,
        #[serde(rename = "match")]
        is_match: bool,
    }
    let config = MatchConfig::default();
    let path = common::shared_data("eval/pairs_dev.jsonl");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{e}"));
    let mut halves: BTreeMap<bool, Tally> = BTreeMap::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let p: Pair = serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"));
        let kind = match p.kind.as_deref() {
            Some("person") => Some(PartyKind::Person),
            Some("organization") => Some(PartyKind::Organization),
            _ => None,
        };
        let score = compare(&p.a, &p.b, kind, &config);
        let t = halves.entry(held_out(&p.id)).or_default();
        t.n += 1;
        t.pairs.push((score, p.is_match));
    }
    for (half, t) in &halves {
        let (p, r, f) = t.prf(config.review_threshold);
        let (bf, bt) = t.best_f1();
        println!(
            "pairs {:<9} n={:>4} P {p:.3} R {r:.3} F1 {f:.3} @{:.2}; best F1 {bf:.3} @{bt:.2}",
            if *half { "held-out" } else { "tune" },
            t.n,
            config.review_threshold
        );
    }
    let held = halves.get(&true).map(|t| t.best_f1().0).unwrap_or(0.0);
    assert!(held >= PAIRS_HELD_OUT_FLOOR, "held-out best F1 {held:.3}");
}

/// Best F1 on the held-out half of the judged pairs: a ratchet (0.919
/// measured when issue 18 was closed, the same as before it).
const PAIRS_HELD_OUT_FLOOR: f64 = 0.91;

/// Where the mined organisation vocabulary lives.
const VOCABULARY: &str = "src/names/data/org_vocabulary.txt";
/// Words shorter than this are left out: abbreviations and short words
/// ("ООО", "дом", "RAN") pair with whatever stands beside them.
const MIN_WORD_LEN: usize = 4;
/// English function words, which translate no organisation word.
const ENGLISH_FUNCTION_WORDS: &[&str] = &[
    "after", "named", "with", "from", "into", "under", "over", "than", "that", "this", "also",
    "known", "formerly",
];
/// A Cyrillic word and an English word must stand together in this many
/// organisations (of the tune half) …
const MIN_TOGETHER: usize = 3;
/// … and make up this share of both words' occurrences (Dice coefficient).
const MIN_DICE: f64 = 0.6;

/// The organisation vocabulary mined from the **tune half** of the EU
/// entries that name an organisation both in Cyrillic and in English:
/// each Cyrillic word of at least [`MIN_WORD_LEN`] letters (folded, as the
/// matcher folds it) with the English
/// word it most often stands with, when they stand together in at least
/// [`MIN_TOGETHER`] organisations and with a Dice coefficient of at least
/// [`MIN_DICE`]; an entry repeated under several regulations counts once.
/// Words whose spelling skeletons already agree (transliterations) are
/// left out.
fn mine_vocabulary(eu: &[Entity]) -> Vec<(String, String)> {
    use std::collections::HashMap;
    let mut groups: BTreeMap<String, (HashSet<String>, HashSet<String>)> = BTreeMap::new();
    for e in eu
        .iter()
        .filter(|e| e.is_active() && e.kind == EntityKind::Organization)
    {
        let Some(first_latin) = e.names().map(|(n, _)| n).find(|n| script_of(n).is_none()) else {
            continue;
        };
        let group = fold_words(first_latin).join(" ");
        if held_out(&group) {
            continue;
        }
        let (cyr, eng) = groups.entry(group).or_default();
        for (name, _) in e.names() {
            let words = fold_words(name).into_iter().filter(|w| {
                w.len() >= MIN_WORD_LEN
                    && !w.bytes().any(|b| b.is_ascii_digit())
                    && !ENGLISH_FUNCTION_WORDS.contains(&w.as_str())
            });
            match script_of(name) {
                Some("cyrillic") => cyr.extend(words),
                None => eng.extend(words),
                Some(_) => {}
            }
        }
    }
    let mut count_c: HashMap<&str, usize> = HashMap::new();
    let mut count_e: HashMap<&str, usize> = HashMap::new();
    let mut together: HashMap<(&str, &str), usize> = HashMap::new();
    for (cyr, eng) in groups
        .values()
        .filter(|(c, e)| !c.is_empty() && !e.is_empty())
    {
        for c in cyr {
            *count_c.entry(c).or_default() += 1;
            for e in eng {
                *together.entry((c, e)).or_default() += 1;
            }
        }
        for e in eng {
            *count_e.entry(e).or_default() += 1;
        }
    }
    let mut best: BTreeMap<&str, (f64, &str)> = BTreeMap::new();
    for (&(c, e), &n) in &together {
        if n < MIN_TOGETHER {
            continue;
        }
        let dice = 2.0 * n as f64 / (count_c[c] + count_e[e]) as f64;
        if dice < MIN_DICE {
            continue;
        }
        let slot = best.entry(c).or_insert((0.0, ""));
        if dice > slot.0 || (dice == slot.0 && e < slot.1) {
            *slot = (dice, e);
        }
    }
    best.into_iter()
        .filter(|(c, (_, e))| {
            amlscreen::names::spelling_key(c) != amlscreen::names::spelling_key(e)
        })
        .map(|(c, (_, e))| (c.to_owned(), e.to_owned()))
        .collect()
}

/// The committed vocabulary is what mining the tune half gives (rewrite it
/// with `AMLSCREEN_WRITE_VOCABULARY=1`).
#[test]
#[ignore = "reads ../shared/data"]
fn org_vocabulary_is_mined_from_the_tune_half() {
    let eu = common::shared_entities(SourceKind::EuFsfXml, "lists/eu/eu_fsf_converted.xml");
    let mined = mine_vocabulary(&eu);
    let mut text = String::from(
        "# Organisation words of Russian, Ukrainian and Belarusian names and the\n\
         # English word the EU annexes print for them, mined from the tune half of\n\
         # the EU entries named in both scripts (tests/names_scripts.rs,\n\
         # mine_vocabulary; regenerate with AMLSCREEN_WRITE_VOCABULARY=1\n\
         # cargo test --release --test integration org_vocabulary -- --ignored).\n\
         # The held-out half is never read. Folded Cyrillic word, then English.\n",
    );
    for (c, e) in &mined {
        text.push_str(&format!("{c} {e}\n"));
    }
    let path = common::repo().join(VOCABULARY);
    if std::env::var_os("AMLSCREEN_WRITE_VOCABULARY").is_some() {
        std::fs::write(&path, &text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == text,
        "{} is not what mining the tune half gives ({} entries)",
        path.display(),
        mined.len()
    );
}
