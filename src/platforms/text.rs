//! Finding a platform's name in free text: a VASP field, a party's name, a
//! memo, the labels of a domain.
//!
//! The text is read several ways, each a sequence of folded words
//! ([`crate::names::fold_words`]: case, accents, invisible characters,
//! full-width forms, majority-script look-alikes and romanisation are
//! already gone):
//!
//! * as written, possessive `'s` removed ("Garantex's");
//! * with every all-look-alike word read as the Latin letters it imitates
//!   ([`crate::names::lookalike_skeleton`]: "МЕХС", "ΗΥDRΑ");
//! * with digits and symbols inside words read as letters ("G4r4nt3x",
//!   "$hinbad"), `1` once as `i` and once as `l`.
//!
//! Every window of up to [`MAX_WINDOW_WORDS`] consecutive words is joined
//! without spaces and compared with each platform name, alias and domain
//! joined the same way, so "gate io", "Gateio", "G a t e . i o" and
//! "Gar antex" all meet their platform. A window also matches
//!
//! * a name's **sound key** ([`sound_key`]: "Гарантекс", "Гидра",
//!   "Торнадо Кэш", "Garanteks") — how Russian and Ukrainian writers
//!   transliterate a Latin brand, and back;
//! * a name **glued** to other letters ("GarantexPay", "MyGarantex"): a
//!   name of [`GLUE_MIN_LEN`] letters or more at the start or end of a word,
//!   a shorter one only between common brand affixes ("HydraPay", not
//!   "Hydraulic");
//! * a name **misspelt** by one edit (two from [`TYPO2_MIN_LEN`] letters),
//!   for names of [`TYPO1_MIN_LEN`] letters or more whose first or last
//!   letter the text keeps.
//!
//! Each hit says how it was spelt ([`Spelling`]); only the name as written
//! or in look-alike letters is certain — the rest is reasonable suspicion,
//! which holds a transfer for review and never freezes it.

use aho_corasick::{AhoCorasick, MatchKind};
use rustc_hash::FxHashMap as HashMap;

use serde::{Deserialize, Serialize};

use crate::names::{fold_words, lookalike_key, lookalike_skeleton};

/// Longest run of words joined into one candidate ("M E X C" is four).
pub const MAX_WINDOW_WORDS: usize = 6;
/// Names at least this long (letters, joined) match glued to any letters at
/// the start or end of a word; shorter names only between known affixes.
pub const GLUE_MIN_LEN: usize = 7;
/// Most letters of affixes a name is glued to ("officialexchange24").
const MAX_GLUE_LEN: usize = 24;
/// Names at least this long match with one edit (insertion, deletion,
/// substitution, transposition). Shorter names are too close to ordinary
/// words and other brands ("COMEX", "BitMax", "Rapida").
pub const TYPO1_MIN_LEN: usize = 7;
/// Names at least this long match with two edits.
pub const TYPO2_MIN_LEN: usize = 11;
/// Sound keys shorter than this are not compared (short keys collide with
/// ordinary words: "Мекс" and "Max" are both `maks`).
pub const SOUND_KEY_MIN_LEN: usize = 5;
/// Sound keys shorter than this are not compared in text written wholly in
/// ASCII: a Latin word that sounds like a short brand is usually another
/// word or brand ("COMEX" and CommEx are both `komeks`).
pub const SOUND_KEY_MIN_LEN_LATIN: usize = 8;

/// Words that name no business of their own: legal forms and generic
/// service words. A VASP field of the platform's name and these only names
/// the platform ([`TextHit::whole`]).
const GENERIC_WORDS: &[&str] = &[
    "llc",
    "ltd",
    "limited",
    "inc",
    "corp",
    "corporation",
    "co",
    "company",
    "ou",
    "gmbh",
    "ag",
    "sa",
    "sas",
    "srl",
    "bv",
    "nv",
    "fzc",
    "fze",
    "fzco",
    "ic",
    "plc",
    "lp",
    "llp",
    "jsc",
    "ooo",
    "tov",
    "pao",
    "zao",
    "oao",
    "as",
    "ab",
    "oy",
    "kft",
    "sro",
    "spa",
    "exchange",
    "exch",
    "global",
    "official",
    "io",
    "com",
    "net",
    "org",
    "app",
    "market",
    "marketplace",
    "platform",
    "wallet",
    "crypto",
    "the",
    "europe",
];

/// Words a brand is commonly glued to ("GarantexPay", "MyHydra",
/// "Commex24"); a short platform name glued to anything else ("Hydraulic")
/// is not a match.
const GLUE_AFFIXES: &[&str] = &[
    "my", "the", "pay", "exchange", "exch", "market", "bot", "app", "wallet", "io", "com", "net",
    "org", "official", "support", "help", "team", "global", "pro", "online", "club", "shop",
    "trade", "trading", "swap", "cash", "coin", "crypto", "btc", "usdt", "pp", "bank", "card",
    "money", "fx", "ru", "ua", "eu", "plus", "hub", "service", "dex", "finance", "labs", "group",
    "mixer", "mix", "otc", "change", "obmen",
];

/// How a platform's name was spelt in the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Spelling {
    /// As listed, up to case, accents, invisible characters and width.
    AsWritten,
    /// In letters of another script that imitate the listed ones.
    LookAlike,
    /// The name's letters split across words ("Gar antex").
    Split,
    /// Glued to other letters ("GarantexPay").
    Glued,
    /// Sounds like the name: another script's or a phonetic spelling
    /// ("Гарантекс", "Торнадо Кэш").
    SoundAlike,
    /// Digits or symbols for letters ("G4r4nt3x").
    Leetspeak,
    /// One or two letters off ("Garntex").
    Misspelt,
}

impl Spelling {
    /// Whether the spelling leaves no doubt the platform is meant: the name
    /// as written or in look-alike letters. Everything else is suspicion.
    pub fn is_certain(self) -> bool {
        matches!(self, Spelling::AsWritten | Spelling::LookAlike)
    }

    /// A reviewer's description.
    pub fn describe(self) -> &'static str {
        match self {
            Spelling::AsWritten => "as written",
            Spelling::LookAlike => "in look-alike letters of another script",
            Spelling::Split => "with its letters split apart",
            Spelling::Glued => "glued to other letters",
            Spelling::SoundAlike => "in a spelling that sounds alike",
            Spelling::Leetspeak => "with digits or symbols for letters",
            Spelling::Misspelt => "misspelt",
        }
    }
}

/// One platform named in a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextHit {
    /// Index of the platform in the registry.
    pub platform: usize,
    /// The platform's name, alias or domain that matched, as listed.
    pub matched: String,
    /// How the text spelt it.
    pub spelling: Spelling,
    /// The words of the text that matched, as read (folded).
    pub read_as: String,
    /// Whether every other word of the text is a legal form or a generic
    /// service word ("Garantex Europe OU", "Garantex Exchange"): the text
    /// names the platform rather than mentioning its name among others
    /// ("Hydra Pumps GmbH").
    pub whole: bool,
}

thread_local! {
    /// Buffers [`TextMatcher::scan`] reuses, so screening a text allocates
    /// nothing once they have grown.
    static SCRATCH: std::cell::RefCell<Scratch> = std::cell::RefCell::default();
}

/// A text's words written end to end, three ways: as folded, in
/// look-alike key form, in sound-key form, with where each word ends.
#[derive(Default)]
struct Scratch {
    raw: Arena,
    lookalike: Arena,
    sound: Arena,
    masks: Vec<u64>,
}

impl Scratch {
    fn fill(&mut self, words: &[String]) {
        self.raw.clear();
        self.lookalike.clear();
        self.sound.clear();
        self.masks.clear();
        for w in words {
            self.raw.text.push_str(w);
            self.raw.end_word();
            push_lookalike_key(&mut self.lookalike.text, w);
            self.lookalike.end_word();
            push_sound_key(&mut self.sound.text, w);
            self.sound.end_word();
            self.masks.push(letter_mask(w));
        }
    }
}

/// Words written end to end in one string.
#[derive(Default)]
struct Arena {
    text: String,
    ends: Vec<usize>,
}

impl Arena {
    fn clear(&mut self) {
        self.text.clear();
        self.ends.clear();
    }

    fn end_word(&mut self) {
        self.ends.push(self.text.len());
    }

    fn start(&self, word: usize) -> usize {
        if word == 0 {
            0
        } else {
            self.ends[word - 1]
        }
    }

    /// The word starting at byte `at`, if a word starts there.
    fn word_starting(&self, at: usize) -> Option<usize> {
        if at == 0 {
            return Some(0);
        }
        self.ends.binary_search(&at).ok().map(|i| i + 1)
    }

    /// The word ending at byte `at`, if a word ends there.
    fn word_ending(&self, at: usize) -> Option<usize> {
        self.ends.binary_search(&at).ok()
    }

    /// The word byte `at` lies in.
    fn word_at(&self, at: usize) -> usize {
        self.ends.partition_point(|&e| e <= at)
    }
}

/// Appends [`lookalike_key`] of an ASCII word; a number stays a number
/// ("gate 10" is no "gate io").
fn push_lookalike_key(out: &mut String, word: &str) {
    if word.bytes().all(|b| b.is_ascii_digit()) {
        out.push_str(word);
        return;
    }
    let b = word.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let c = match b[i] {
            b'r' if b.get(i + 1) == Some(&b'n') => {
                i += 1;
                'm'
            }
            b'l' | b'1' => 'i',
            b'0' => 'o',
            c => char::from(c),
        };
        out.push(c);
        i += 1;
    }
}

/// A joined name or alias, with the set of its letters and digits.
#[derive(Debug, Clone)]
struct Key {
    text: String,
    /// The folded words joined into `text`.
    words: Vec<String>,
    mask: u64,
    listed: Listed,
}

/// Whether a window of words close to a key's joined words is a typo of
/// its words: one word (a glued, misspelt name) or the key's words one by
/// one, where every word that differs is a word of four letters or more
/// ("Tornado Cahs"; not "blender to", which is no misspelt "Blender.io").
fn typo_within_words(window: &[String], key: &[String], allowed: usize) -> bool {
    if window.len() == 1 {
        return true;
    }
    if window.len() != key.len() {
        return false;
    }
    let mut edits = 0;
    for (w, k) in window.iter().zip(key) {
        if w == k {
            continue;
        }
        if k.len() < 4 || !within_edits(w.as_bytes(), k.as_bytes(), allowed - edits.min(allowed)) {
            return false;
        }
        edits += (1..=allowed)
            .find(|&d| within_edits(w.as_bytes(), k.as_bytes(), d))
            .unwrap_or(allowed);
        if edits > allowed {
            return false;
        }
    }
    true
}

/// Bit `i` for each of a–z (0–25) and 0–9 (26–35) the word has.
fn letter_mask(word: &str) -> u64 {
    word.bytes().fold(0, |m, b| match b {
        b'a'..=b'z' => m | 1 << (b - b'a'),
        b'0'..=b'9' => m | 1 << (26 + b - b'0'),
        _ => m,
    })
}

/// Whether `a` and `b` are at most `k` edits apart (insertions, deletions,
/// substitutions, adjacent transpositions: optimal string alignment),
/// without allocating for words of up to 63 bytes.
fn within_edits(a: &[u8], b: &[u8], k: usize) -> bool {
    if a.len().abs_diff(b.len()) > k {
        return false;
    }
    const MAX: usize = 64;
    if a.len() >= MAX || b.len() >= MAX {
        return strsim::osa_distance(&String::from_utf8_lossy(a), &String::from_utf8_lossy(b)) <= k;
    }
    // three rows, rotated by index: two back (for transpositions), one
    // back, current; cells saturate at 255, far above any k used here
    let mut rows = [[0u8; MAX]; 3];
    let n = b.len();
    for (j, cell) in rows[1].iter_mut().enumerate().take(n + 1) {
        *cell = j as u8;
    }
    let (mut two, mut one, mut cur) = (0usize, 1usize, 2usize);
    for i in 1..=a.len() {
        rows[cur][0] = i as u8;
        let mut row_min = rows[cur][0];
        for j in 1..=n {
            let cost = u8::from(a[i - 1] != b[j - 1]);
            let mut d = (rows[one][j].saturating_add(1))
                .min(rows[cur][j - 1].saturating_add(1))
                .min(rows[one][j - 1].saturating_add(cost));
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(rows[two][j - 2].saturating_add(1));
            }
            rows[cur][j] = d;
            row_min = row_min.min(d);
        }
        if usize::from(row_min) > k {
            return false;
        }
        (two, one, cur) = (one, cur, two);
    }
    usize::from(rows[one][n]) <= k
}

/// The words of a candidate window, and whether the rest is generic.
struct Read {
    text: String,
    whole: bool,
}

/// A listed spelling: which platform, which of its texts.
#[derive(Debug, Clone, Copy)]
struct Listed {
    platform: usize,
    text: usize,
}

/// One listed text under a look-alike key.
#[derive(Debug, Clone)]
struct LookalikeEntry {
    listed: Listed,
    /// The listed text's folded words: a window with the same words is the
    /// name as written, one with other word boundaries a split.
    words: Vec<String>,
}

/// The compiled text matcher of a registry.
#[derive(Debug, Clone, Default)]
pub(crate) struct TextMatcher {
    /// Each platform's listed texts (names, aliases, domains), as written.
    texts: Vec<Vec<String>>,
    /// Look-alike keys ([`lookalike_key`] of the joined folded words: I/l/1,
    /// 0/o, rn/m made one) of every listed text, found in the text's joined
    /// look-alike form by one automaton.
    lookalike: Option<AhoCorasick>,
    lookalike_entries: Vec<Vec<LookalikeEntry>>,
    /// Sound keys of names and aliases, found in the text's joined sound
    /// form by one automaton.
    sound: Option<AhoCorasick>,
    sound_entries: Vec<Vec<Listed>>,
    /// Joined names and aliases (not domains) for typo checks.
    keys: Vec<Key>,
    /// Keys long enough for typos, by their first byte and by their last:
    /// a misspelling is looked for among the keys that begin or end like
    /// the text (one edit at each end at once is not found).
    typo_by_first: Vec<Vec<usize>>,
    typo_by_last: Vec<Vec<usize>>,
    /// Longest joined key, in bytes.
    max_key_len: usize,
    /// The glue affixes in look-alike key form.
    affixes: Vec<String>,
}

impl TextMatcher {
    /// Compiles the matcher. `names[i]` lists platform `i`'s names and
    /// aliases. Domains are not text: "blender.to" read as words is "the
    /// blender to the shop"; a domain written out is found by
    /// [`super::PlatformRegistry::domains_in_text`].
    pub(crate) fn build(names: &[Vec<String>]) -> TextMatcher {
        let mut m = TextMatcher::default();
        let mut lookalike: HashMap<String, Vec<LookalikeEntry>> = HashMap::default();
        let mut sound: HashMap<String, Vec<Listed>> = HashMap::default();
        for (platform, names) in names.iter().enumerate() {
            let mut texts = Vec::new();
            for text in names {
                let words = fold_words(text);
                if words.is_empty() {
                    continue;
                }
                let mut scratch = Scratch::default();
                scratch.fill(&words);
                let joined: String = words.concat();
                let listed = Listed {
                    platform,
                    text: texts.len(),
                };
                texts.push(text.clone());
                m.max_key_len = m.max_key_len.max(joined.len());
                lookalike
                    .entry(scratch.lookalike.text.clone())
                    .or_default()
                    .push(LookalikeEntry {
                        listed,
                        words: words.clone(),
                    });
                if scratch.sound.text.len() >= SOUND_KEY_MIN_LEN {
                    sound
                        .entry(scratch.sound.text.clone())
                        .or_default()
                        .push(listed);
                }
                m.keys.push(Key {
                    mask: letter_mask(&joined),
                    text: joined,
                    words: words.clone(),
                    listed,
                });
            }
            m.texts.push(texts);
        }
        let (patterns, entries): (Vec<String>, Vec<_>) = lookalike.into_iter().unzip();
        m.lookalike = automaton(&patterns);
        m.lookalike_entries = entries;
        let (patterns, entries): (Vec<String>, Vec<_>) = sound.into_iter().unzip();
        m.sound = automaton(&patterns);
        m.sound_entries = entries;
        m.typo_by_first = vec![Vec::new(); 256];
        m.typo_by_last = vec![Vec::new(); 256];
        for (i, k) in m.keys.iter().enumerate() {
            let b = k.text.as_bytes();
            if let (true, Some(&first), Some(&last)) =
                (b.len() >= TYPO1_MIN_LEN, b.first(), b.last())
            {
                m.typo_by_first[usize::from(first)].push(i);
                m.typo_by_last[usize::from(last)].push(i);
            }
        }
        m.affixes = GLUE_AFFIXES.iter().map(|a| lookalike_key(a)).collect();
        m
    }

    /// Whether every automaton with patterns was built.
    pub(crate) fn is_complete(&self) -> bool {
        (self.lookalike.is_some() || self.lookalike_entries.is_empty())
            && (self.sound.is_some() || self.sound_entries.is_empty())
    }

    /// Every platform the text names, once each, in its most certain
    /// spelling.
    pub(crate) fn find(&self, text: &str) -> Vec<TextHit> {
        let mut hits: Vec<TextHit> = Vec::new();
        let text = strip_possessives(text);
        let mut words = fold_words(&text);
        // a defanged "gate(dot)io" reads "gate io"
        if words.len() > 2 && words.iter().any(|w| w == "dot") {
            words.retain(|w| w != "dot");
        }
        // whether some word was romanised from another script
        let romanised = !text.is_ascii();
        self.scan(&words, Spelling::AsWritten, romanised, &mut hits);
        if let Some(skeleton) = lookalike_skeleton(&text) {
            let lookalike = fold_words(&skeleton);
            if lookalike != words {
                self.scan(&lookalike, Spelling::LookAlike, romanised, &mut hits);
            }
        }
        if has_leetspeak(&text) {
            for one in ['i', 'l'] {
                let read = fold_words(&unleet(&text, one));
                if read != words {
                    self.scan(&read, Spelling::Leetspeak, romanised, &mut hits);
                }
            }
        }
        hits
    }

    fn scan(&self, words: &[String], base: Spelling, romanised: bool, hits: &mut Vec<TextHit>) {
        SCRATCH.with(|scratch| match scratch.try_borrow_mut() {
            Ok(mut scratch) => self.scan_with(words, base, romanised, hits, &mut scratch),
            // re-entered on this thread (never, today): fresh buffers
            Err(_) => self.scan_with(words, base, romanised, hits, &mut Scratch::default()),
        });
    }

    fn scan_with(
        &self,
        words: &[String],
        base: Spelling,
        romanised: bool,
        hits: &mut Vec<TextHit>,
        scratch: &mut Scratch,
    ) {
        if words.is_empty() {
            return;
        }
        scratch.fill(words);
        let read_as = |start: usize, end: usize| Read {
            text: words[start..=end].join(" "),
            whole: words[..start]
                .iter()
                .chain(&words[end + 1..])
                .all(|w| GENERIC_WORDS.contains(&w.as_str())),
        };
        // names as written, in look-alike letters, split, glued
        if let Some(ac) = &self.lookalike {
            let arena = &scratch.lookalike;
            for m in ac.find_overlapping_iter(arena.text.as_str()) {
                let entries = &self.lookalike_entries[m.pattern().as_usize()];
                match (arena.word_starting(m.start()), arena.word_ending(m.end())) {
                    (Some(first), Some(last)) if last >= first => {
                        let raw =
                            &scratch.raw.text[scratch.raw.start(first)..scratch.raw.ends[last]];
                        let window = &words[first..=last];
                        for e in entries {
                            let mut spelling = if e.words.concat() == raw {
                                base
                            } else if raw.bytes().any(|b| b.is_ascii_digit()) {
                                // 0 for o, 1 for l: digits for letters
                                base.max(Spelling::Leetspeak)
                            } else {
                                base.max(Spelling::LookAlike)
                            };
                            // the listed words, or one glued word; other
                            // word boundaries are a split ("Tornad oCash")
                            if window.len() > 1 && window != e.words.as_slice() {
                                spelling = spelling.max(Spelling::Split);
                            }
                            self.record(hits, &e.listed, spelling, read_as(first, last));
                        }
                    }
                    _ => {
                        // inside one word, glued to other letters
                        let word = arena.word_at(m.start());
                        if arena.word_at(m.end() - 1) != word {
                            continue;
                        }
                        let (ws, we) = (arena.start(word), arena.ends[word]);
                        let before = &arena.text[ws..m.start()];
                        let after = &arena.text[m.end()..we];
                        let len = m.end() - m.start();
                        let long_at_edge =
                            len >= GLUE_MIN_LEN && (before.is_empty() || after.is_empty());
                        if len < 4
                            || !(long_at_edge
                                || (self.is_affixes(before) && self.is_affixes(after)))
                        {
                            continue;
                        }
                        for e in entries {
                            self.record(
                                hits,
                                &e.listed,
                                base.max(Spelling::Glued),
                                read_as(word, word),
                            );
                        }
                    }
                }
            }
        }
        // names by sound: how another script spells them; a Latin text
        // only for longer keys ("COMEX" is a futures market, not CommEx)
        let min_sound = if romanised {
            SOUND_KEY_MIN_LEN
        } else {
            SOUND_KEY_MIN_LEN_LATIN
        };
        if let Some(ac) = &self.sound {
            let arena = &scratch.sound;
            for m in ac.find_overlapping_iter(arena.text.as_str()) {
                if m.end() - m.start() < min_sound {
                    continue;
                }
                if let (Some(first), Some(last)) =
                    (arena.word_starting(m.start()), arena.word_ending(m.end()))
                {
                    if last < first {
                        continue;
                    }
                    for l in &self.sound_entries[m.pattern().as_usize()] {
                        self.record(
                            hits,
                            l,
                            base.max(Spelling::SoundAlike),
                            read_as(first, last),
                        );
                    }
                }
            }
        }
        // names misspelt: windows of whole words
        let raw = &scratch.raw;
        for start in 0..words.len() {
            let mut mask = 0u64;
            for end in start..words.len().min(start + MAX_WINDOW_WORDS) {
                let joined = &raw.text[raw.start(start)..raw.ends[end]];
                if joined.len() > self.max_key_len + 2 {
                    break;
                }
                mask |= scratch.masks[end];
                if joined.len() >= TYPO1_MIN_LEN - 1 {
                    let window = &words[start..=end];
                    self.misspelt(joined, window, mask, base, hits, &|| read_as(start, end));
                }
            }
        }
    }

    /// Whether `s` is made of glue affixes and digits only (or is empty),
    /// in look-alike key form.
    fn is_affixes(&self, s: &str) -> bool {
        if s.is_empty() {
            return true;
        }
        // a brand is glued to a word or two, not to a paragraph (and the
        // recursion below stays shallow)
        if s.len() > MAX_GLUE_LEN {
            return false;
        }
        let digits = s.trim_start_matches(|c: char| c.is_ascii_digit());
        if digits.len() < s.len() {
            return self.is_affixes(digits);
        }
        self.affixes.iter().any(|a| {
            s.strip_prefix(a.as_str())
                .is_some_and(|rest| self.is_affixes(rest))
        })
    }

    /// Names one or two edits away from the window.
    fn misspelt(
        &self,
        joined: &str,
        window: &[String],
        mask: u64,
        base: Spelling,
        hits: &mut Vec<TextHit>,
        read_as: &dyn Fn() -> Read,
    ) {
        let b = joined.as_bytes();
        let (Some(&first), Some(&last)) = (b.first(), b.last()) else {
            return;
        };
        let by_first = &self.typo_by_first[usize::from(first)];
        let by_last = self.typo_by_last[usize::from(last)]
            .iter()
            // the keys that also begin alike were seen in `by_first`
            .filter(|&&k| self.keys[k].text.as_bytes()[0] != first);
        for &k in by_first.iter().chain(by_last) {
            let key = &self.keys[k];
            let text = key.text.as_str();
            let allowed = if text.len() >= TYPO2_MIN_LEN { 2 } else { 1 };
            // each edit adds or removes at most one letter of the set
            let cheap_bound = joined.len().abs_diff(text.len()) <= allowed
                && (key.mask & !mask).count_ones() as usize <= allowed
                && (mask & !key.mask).count_ones() as usize <= allowed;
            if cheap_bound
                && joined != text
                && within_edits(joined.as_bytes(), text.as_bytes(), allowed)
                && typo_within_words(window, &key.words, allowed)
            {
                self.record(hits, &key.listed, base.max(Spelling::Misspelt), read_as());
            }
        }
    }

    /// Keeps the most certain hit per platform: by spelling, then a text
    /// that names only the platform over one that mentions it.
    fn record(&self, hits: &mut Vec<TextHit>, l: &Listed, spelling: Spelling, read: Read) {
        let matched = &self.texts[l.platform][l.text];
        let hit = TextHit {
            platform: l.platform,
            matched: matched.clone(),
            spelling,
            read_as: read.text,
            whole: read.whole,
        };
        let rank = |h: &TextHit| (h.spelling, !h.whole);
        match hits.iter_mut().find(|h| h.platform == l.platform) {
            Some(h) if rank(h) <= rank(&hit) => {}
            Some(h) => *h = hit,
            None => hits.push(hit),
        }
    }
}

/// One automaton over the patterns, overlapping matches; `None` when there
/// are none (or, for pathological sizes, when it cannot be built — then
/// that way of matching is off, never the engine).
fn automaton(patterns: &[String]) -> Option<AhoCorasick> {
    if patterns.is_empty() {
        return None;
    }
    AhoCorasick::builder()
        .match_kind(MatchKind::Standard)
        .build(patterns)
        .ok()
}

/// Removes a possessive `'s` (any apostrophe) at the end of a word.
fn strip_possessives(text: &str) -> std::borrow::Cow<'_, str> {
    const APOSTROPHES: [char; 4] = ['\'', '\u{2019}', '\u{02BC}', '`'];
    if !text.contains(APOSTROPHES) {
        return std::borrow::Cow::Borrowed(text);
    }
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let possessive = APOSTROPHES.contains(&chars[i])
            && i > 0
            && chars[i - 1].is_alphanumeric()
            && matches!(chars.get(i + 1), Some('s' | 'S'))
            && !chars.get(i + 2).is_some_and(|c| c.is_alphanumeric());
        if possessive {
            i += 2;
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    std::borrow::Cow::Owned(out)
}

/// The letter a digit or symbol stands for in leetspeak; `one` is what `1`
/// and `!` read as (`i` or `l`).
fn leet_letter(c: char, one: char) -> Option<char> {
    Some(match c {
        '0' => 'o',
        '1' | '!' => one,
        '3' => 'e',
        '4' | '@' => 'a',
        '5' | '$' => 's',
        '7' => 't',
        '8' => 'b',
        '9' => 'g',
        '|' => 'l',
        '€' => 'e',
        _ => return None,
    })
}

/// Whether some word mixes letters with digits or leet symbols.
/// Whether some word mixes letters with leet digits or symbols. Words are
/// split at punctuation first, and a part with fewer than two letters or
/// more than two digits beyond its letters is a number ("INV-2026-11",
/// "A123"), not leetspeak.
fn has_leetspeak(text: &str) -> bool {
    if !text
        .bytes()
        .any(|b| b.is_ascii_digit() || b"@$!|".contains(&b))
        && text.is_ascii()
    {
        return false;
    }
    text.split(|c: char| !(c.is_alphanumeric() || leet_letter(c, 'i').is_some()))
        .any(|part| {
            let letters = part.chars().filter(|c| c.is_alphabetic()).count();
            let digits = part.chars().filter(char::is_ascii_digit).count();
            let leet = part.chars().any(|c| leet_letter(c, 'i').is_some());
            // "B17p4p4" has more digits than letters; "INV2026" too, and
            // costs a second reading only
            letters >= 2 && leet && digits <= letters + 2
        })
}

/// The text with leet digits and symbols read as letters, inside words
/// that have letters.
fn unleet(text: &str, one: char) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, token) in text.split_whitespace().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        if token.chars().any(char::is_alphabetic) {
            out.extend(token.chars().map(|c| leet_letter(c, one).unwrap_or(c)));
        } else {
            out.push_str(token);
        }
    }
    out
}

/// A coarse key of how a romanised word sounds, so that a Latin brand and
/// its Russian or Ukrainian spelling romanised back meet: Garantex and
/// Гарантекс (garanteks), Hydra and Гидра (gidra) and Гідра (hidra) and
/// Хидра (khidra), Nobitex and Нобитекс, UniSwap and Юнисвап.
///
/// Consonants: `x` → `ks`; `h`, `kh` and `g` → `g` (Russian writes Latin
/// h as г or х, Ukrainian as г, which romanises h); `c` → `s` before e/i/y
/// and `k` otherwise; `ck`, `q` → `k`; `ph` → `f`; `w` → `v`; `z` → `s`;
/// `sh`/`sch`/`shch` one hush sound, `zh` another, `ch`/`tch` a third.
/// Vowels keep their identity but `y`, `j` and `i` are one, `ou` is `u`,
/// and a `y`/`j` before a vowel (Cyrillic я, ю, е, ё romanised `ya`, `yu`,
/// `ye`, `yo`) is dropped. Runs of one sound collapse ("commex", "комекс").
#[cfg(test)]
pub(crate) fn sound_key(word: &str) -> String {
    let mut out = String::new();
    push_sound_key(&mut out, word);
    out
}

/// Appends [`sound_key`] of an ASCII word to `out`.
fn push_sound_key(out: &mut String, word: &str) {
    let start = out.len();
    let b = word.as_bytes();
    let mut i = 0;
    let is_vowel = |c: Option<&u8>| matches!(c, Some(b'a' | b'e' | b'o' | b'u'));
    while i < b.len() {
        let next = b.get(i + 1).copied();
        let after = b.get(i + 2).copied();
        // letter groups first, looked at only from the letter they start with
        let (sound, len): (&[u8], usize) = match (b[i], next) {
            (b's', Some(b'h')) if after == Some(b'c') && b.get(i + 3) == Some(&b'h') => (b"S", 4),
            (b's', Some(b'c')) if after == Some(b'h') => (b"S", 3),
            (b's', Some(b'h')) => (b"S", 2),
            (b'z', Some(b'h')) => (b"Z", 2),
            (b't', Some(b'c')) if after == Some(b'h') => (b"C", 3),
            (b'c', Some(b'h')) => (b"C", 2),
            (b'k', Some(b'h')) => (b"g", 2),
            (b'c', Some(b'k')) => (b"k", 2),
            (b'p', Some(b'h')) => (b"f", 2),
            (b'o', Some(b'u')) => (b"u", 2),
            (c, next) => {
                let sound: &[u8] = match c {
                    b'x' => b"ks",
                    b'h' | b'g' => b"g",
                    b'c' if matches!(next, Some(b'e' | b'i' | b'y')) => b"s",
                    b'c' | b'q' => b"k",
                    b'w' => b"v",
                    b'z' => b"s",
                    b'y' | b'j' if is_vowel(next.as_ref()) => b"",
                    b'y' | b'j' | b'i' => b"i",
                    _ => &b[i..i + 1],
                };
                (sound, 1)
            }
        };
        for &s in sound {
            // every sound is one ASCII byte; runs collapse within the word
            if out.len() == start || out.as_bytes().last() != Some(&s) {
                out.push(char::from(s));
            }
        }
        i += len;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sound_keys_meet_across_scripts() {
        let key = |s: &str| sound_key(&fold_words(s).concat());
        assert_eq!(key("Garantex"), key("Гарантекс"));
        assert_eq!(key("Hydra"), key("Гидра"));
        assert_eq!(key("Hydra"), key("Гідра"));
        assert_eq!(key("Hydra"), key("Хидра"));
        assert_eq!(key("Tornado Cash"), key("Торнадо Каш"));
        assert_eq!(key("Nobitex"), key("Нобитекс"));
        assert_eq!(key("ChipMixer"), key("Чипмиксер"));
        assert_eq!(key("CommEx"), key("Комекс"));
        assert_eq!(key("UniSwap"), key("Юнисвап"));
        assert_eq!(key("Lazarus Group"), key("Лазарус Груп"));
        assert_ne!(key("Hydra"), key("Hydraulic"));
        assert_ne!(key("Hydra"), key("Hydro"));
    }

    #[test]
    fn bounded_edits_agree_with_strsim() {
        let words = [
            "garantex",
            "garntex",
            "grantex",
            "garanetx",
            "garantexx",
            "gaarntex",
            "tornadocash",
            "tornadocahs",
            "tornadoash",
            "",
            "a",
            "ab",
            "ba",
            "capitalistnet",
            "capitailstnet",
        ];
        for a in words {
            for b in words {
                for k in 0..=2 {
                    assert_eq!(
                        within_edits(a.as_bytes(), b.as_bytes(), k),
                        strsim::osa_distance(a, b) <= k,
                        "{a} {b} {k}"
                    );
                }
            }
        }
    }

    #[test]
    fn appended_keys_equal_the_keys() {
        let mut out = String::from("x");
        for w in ["tornado", "capitalist", "g4r4nt3x", "l10n", "rnrn", "r", ""] {
            out.truncate(1);
            push_lookalike_key(&mut out, w);
            assert_eq!(out[1..], lookalike_key(w), "{w}");
            out.truncate(1);
            push_sound_key(&mut out, w);
            assert_eq!(out[1..], sound_key(w), "{w}");
        }
    }

    #[test]
    fn reference_numbers_are_not_leetspeak() {
        assert!(!has_leetspeak("INV-2026-11 A123"));
        assert!(has_leetspeak("pay G4r4nt3x"));
        assert!(has_leetspeak("$hinbad"));
    }

    #[test]
    fn sound_keys_of_letter_groups() {
        for (word, key) in [
            ("shchedrin", "Sedrin"),
            ("schmidt", "Smidt"),
            ("tchaikovsky", "Caikovski"),
            ("khodorkovsky", "godorkovski"),
            ("zhukov", "Zukov"),
            ("kochubey", "koCubei"),
            ("phoenix", "foeniks"),
            ("yulia", "ulia"),
            ("joule", "ule"),
            ("commex", "komeks"),
        ] {
            assert_eq!(sound_key(word), key, "{word}");
        }
    }

    #[test]
    fn the_shipped_names_build_every_automaton() {
        let m = TextMatcher::build(&[vec!["Garantex".into(), "Гарантекс".into()]]);
        assert!(m.is_complete());
        assert!(TextMatcher::build(&[]).is_complete());
    }

    #[test]
    fn affixes() {
        let m = TextMatcher::build(&[]);
        assert!(m.is_affixes("pay"));
        assert!(m.is_affixes("my"));
        assert!(m.is_affixes("24"));
        assert!(m.is_affixes("pay24"));
        assert!(m.is_affixes("giobai")); // "global" in look-alike key form
        assert!(!m.is_affixes("uiic"));
        assert!(!m.is_affixes("nt"));
    }

    #[test]
    fn possessives() {
        assert_eq!(strip_possessives("Garantex's desk"), "Garantex desk");
        assert_eq!(strip_possessives("Garantex\u{2019}s"), "Garantex");
        assert_eq!(strip_possessives("O'Sullivan"), "O'Sullivan");
    }
}
