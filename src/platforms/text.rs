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

use rustc_hash::FxHashMap as HashMap;

use serde::{Deserialize, Serialize};

use crate::names::{fold_words, lookalike_key, lookalike_skeleton};

/// Longest run of words joined into one candidate ("M E X C" is four).
pub const MAX_WINDOW_WORDS: usize = 6;
/// Names at least this long (letters, joined) match glued to any letters at
/// the start or end of a word; shorter names only between known affixes.
pub const GLUE_MIN_LEN: usize = 7;
/// Names at least this long match with one edit (insertion, deletion,
/// substitution, transposition). Shorter names are too close to ordinary
/// words and other brands ("COMEX", "BitMax", "Rapida").
pub const TYPO1_MIN_LEN: usize = 7;
/// Names at least this long match with two edits.
pub const TYPO2_MIN_LEN: usize = 11;
/// Sound keys shorter than this are not compared (short keys collide with
/// ordinary words: "Мекс" and "Max" are both `maks`).
pub const SOUND_KEY_MIN_LEN: usize = 5;

/// Words a brand is commonly glued to ("GarantexPay", "MyHydra",
/// "Commex24"); a short platform name glued to anything else ("Hydraulic")
/// is not a match.
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

/// Reused buffers of one scan.
#[derive(Default)]
struct Scratch {
    lookalike_words: Arena,
    sound_words: Arena,
    masks: Vec<u64>,
    joined: String,
    lookalike: String,
    sound: String,
}

impl Scratch {
    fn fill(&mut self, words: &[String]) {
        self.lookalike_words.clear();
        self.sound_words.clear();
        self.masks.clear();
        for w in words {
            push_lookalike_key(&mut self.lookalike_words.text, w);
            self.lookalike_words.end_word();
            push_sound_key(&mut self.sound_words.text, w);
            self.sound_words.end_word();
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

    fn word(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.text[start..self.ends[i]]
    }
}

/// Appends [`lookalike_key`] of an ASCII word.
fn push_lookalike_key(out: &mut String, word: &str) {
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

/// Appends a word's sound key to a window's, one sound where the two meet
/// on the same sound ("gar" + "rantex").
fn push_sound(window: &mut String, word: &str) {
    let skip =
        usize::from(!window.is_empty() && window.as_bytes().last() == word.as_bytes().first());
    window.push_str(&word[skip..]);
}

/// The letters a text must have to match one listed text (see
/// [`TextMatcher::possible`]).
#[derive(Debug, Clone, Copy)]
struct Needs {
    lookalike: u64,
    /// All bits set when the text has no sound key: never satisfied.
    sound: u64,
    raw: u64,
    /// Letters a typo may lose (0 when typos are not looked for).
    typos: u32,
}

/// A joined name or alias, with the set of its letters and digits.
#[derive(Debug, Clone)]
struct Key {
    text: String,
    mask: u64,
    listed: Listed,
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

/// A listed spelling: which platform, which of its texts, how many words.
#[derive(Debug, Clone, Copy)]
struct Listed {
    platform: usize,
    text: usize,
    words: usize,
}

/// The compiled text matcher of a registry.
#[derive(Debug, Clone, Default)]
pub(crate) struct TextMatcher {
    /// Each platform's listed texts (names, aliases, domains), as written.
    texts: Vec<Vec<String>>,
    /// Joined folded words → listed spellings.
    exact: HashMap<String, Vec<Listed>>,
    /// The same keys with look-alike letter classes made one
    /// ([`lookalike_key`]: I/l/1, 0/o, rn/m).
    lookalike: HashMap<String, Vec<Listed>>,
    /// Sound key of the joined words → listed names and aliases.
    sound: HashMap<String, Vec<Listed>>,
    /// Joined names and aliases (not domains) for glue and typo checks,
    /// shortest first.
    keys: Vec<Key>,
    /// Keys long enough for typos, by their first byte and by their last:
    /// a misspelling is looked for among the keys that begin or end like
    /// the text (one edit at each end at once is not found).
    typo_by_first: Vec<Vec<usize>>,
    typo_by_last: Vec<Vec<usize>>,
    /// Longest joined key, in bytes.
    max_key_len: usize,
    /// What letters each listed text needs a text to have.
    needs: Vec<Needs>,
}

impl TextMatcher {
    /// Compiles the matcher. `platforms[i]` lists platform `i`'s names and
    /// aliases; `domains[i]` its domains (matched as text, not fuzzily).
    pub(crate) fn build(names: &[Vec<String>], domains: &[Vec<String>]) -> TextMatcher {
        let mut m = TextMatcher::default();
        for (platform, names) in names.iter().enumerate() {
            let mut texts = Vec::new();
            let domains = domains.get(platform).map(Vec::as_slice).unwrap_or_default();
            for (is_domain, text) in names
                .iter()
                .map(|n| (false, n))
                .chain(domains.iter().map(|d| (true, d)))
            {
                let words = fold_words(text);
                if words.is_empty() {
                    continue;
                }
                let joined: String = words.concat();
                let lookalike_joined: String = words.iter().map(|w| lookalike_key(w)).collect();
                let mut sound_joined = String::new();
                for w in &words {
                    push_sound(&mut sound_joined, &sound_key(w));
                }
                let listed = Listed {
                    platform,
                    text: texts.len(),
                    words: words.len(),
                };
                texts.push(text.clone());
                m.max_key_len = m.max_key_len.max(joined.len());
                let typos = if is_domain {
                    0
                } else if joined.len() >= TYPO2_MIN_LEN {
                    2
                } else if joined.len() >= TYPO1_MIN_LEN {
                    1
                } else {
                    0
                };
                m.needs.push(Needs {
                    lookalike: letter_mask(&lookalike_joined),
                    sound: if is_domain || sound_joined.len() < SOUND_KEY_MIN_LEN {
                        u64::MAX
                    } else {
                        letter_mask(&sound_joined)
                    },
                    raw: letter_mask(&joined),
                    typos,
                });
                m.exact.entry(joined.clone()).or_default().push(listed);
                m.lookalike
                    .entry(lookalike_joined)
                    .or_default()
                    .push(listed);
                if !is_domain {
                    if sound_joined.len() >= SOUND_KEY_MIN_LEN {
                        m.sound.entry(sound_joined).or_default().push(listed);
                    }
                    m.keys.push(Key {
                        mask: letter_mask(&joined),
                        text: joined,
                        listed,
                    });
                }
            }
            m.texts.push(texts);
        }
        m.keys.sort_by_key(|k| k.text.len());
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
        m
    }

    /// The keys whose length is in `lo..=hi`.
    fn keys_of_len(&self, lo: usize, hi: usize) -> &[Key] {
        let start = self.keys.partition_point(|k| k.text.len() < lo);
        let end = self.keys.partition_point(|k| k.text.len() <= hi);
        &self.keys[start..end.max(start)]
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
        self.scan(&words, Spelling::AsWritten, &mut hits);
        if let Some(skeleton) = lookalike_skeleton(&text) {
            let lookalike = fold_words(&skeleton);
            if lookalike != words {
                self.scan(&lookalike, Spelling::LookAlike, &mut hits);
            }
        }
        if has_leetspeak(&text) {
            for one in ['i', 'l'] {
                let read = fold_words(&unleet(&text, one));
                if read != words {
                    self.scan(&read, Spelling::Leetspeak, &mut hits);
                }
            }
        }
        hits
    }

    fn scan(&self, words: &[String], base: Spelling, hits: &mut Vec<TextHit>) {
        SCRATCH.with(|scratch| match scratch.try_borrow_mut() {
            Ok(mut scratch) => self.scan_with(words, base, hits, &mut scratch),
            // re-entered on this thread (never, today): fresh buffers
            Err(_) => self.scan_with(words, base, hits, &mut Scratch::default()),
        });
    }

    fn scan_with(
        &self,
        words: &[String],
        base: Spelling,
        hits: &mut Vec<TextHit>,
        scratch: &mut Scratch,
    ) {
        // per-word keys, joined per window below (a window's look-alike and
        // sound keys are its words' keys joined, as on the list side)
        scratch.fill(words);
        if !self.possible(scratch) {
            return;
        }
        let Scratch {
            lookalike_words,
            sound_words,
            masks,
            joined,
            lookalike,
            sound,
        } = scratch;
        for start in 0..words.len() {
            joined.clear();
            lookalike.clear();
            sound.clear();
            let mut mask = 0u64;
            for end in start..words.len().min(start + MAX_WINDOW_WORDS) {
                joined.push_str(&words[end]);
                if joined.len() > self.max_key_len + 2 {
                    break;
                }
                lookalike.push_str(lookalike_words.word(end));
                push_sound(sound, sound_words.word(end));
                mask |= masks[end];
                let window = end - start + 1;
                let read_as = || Read {
                    text: words[start..=end].join(" "),
                    whole: words[..start]
                        .iter()
                        .chain(&words[end + 1..])
                        .all(|w| GENERIC_WORDS.contains(&w.as_str())),
                };
                let split = |l: &Listed, spelling: Spelling| {
                    if window > l.words {
                        spelling.max(Spelling::Split)
                    } else {
                        spelling
                    }
                };
                if let Some(listed) = self.exact.get(joined.as_str()) {
                    for l in listed {
                        self.record(hits, l, split(l, base), read_as());
                    }
                } else if let Some(listed) = self.lookalike.get(lookalike.as_str()) {
                    for l in listed {
                        self.record(hits, l, split(l, base.max(Spelling::LookAlike)), read_as());
                    }
                }
                if window == 1 {
                    self.glued(joined, masks[end], base, hits, &read_as);
                }
                if sound.len() >= SOUND_KEY_MIN_LEN {
                    if let Some(listed) = self.sound.get(sound.as_str()) {
                        for l in listed {
                            self.record(hits, l, base.max(Spelling::SoundAlike), read_as());
                        }
                    }
                }
                if joined.len() >= TYPO1_MIN_LEN - 1 {
                    self.misspelt(joined, mask, base, hits, &read_as);
                }
            }
        }
    }

    /// Whether any listed text could match: every way of matching needs
    /// the text to have the listed text's letters — all of them as
    /// written, in look-alike or sound-key form, all but one or two of
    /// them for a typo. Most names and memos have not, and are done here.
    fn possible(&self, scratch: &Scratch) -> bool {
        let fold = |arena: &Arena| letter_mask(&arena.text);
        let lookalike = fold(&scratch.lookalike_words);
        let sound = fold(&scratch.sound_words);
        let raw = scratch.masks.iter().fold(0, |m, w| m | w);
        self.needs.iter().any(|n| {
            n.lookalike & !lookalike == 0
                || n.sound & !sound == 0
                || (n.raw & !raw).count_ones() <= n.typos
        })
    }

    /// Names glued to other letters inside one word.
    fn glued(
        &self,
        word: &str,
        mask: u64,
        base: Spelling,
        hits: &mut Vec<TextHit>,
        read_as: &dyn Fn() -> Read,
    ) {
        for key in self.keys_of_len(4, word.len().saturating_sub(1)) {
            let text = key.text.as_str();
            if key.mask & !mask != 0 {
                continue;
            }
            let Some(at) = word.find(text) else {
                continue;
            };
            let (before, after) = (&word[..at], &word[at + text.len()..]);
            let long_at_edge =
                text.len() >= GLUE_MIN_LEN && (before.is_empty() || after.is_empty());
            if long_at_edge || (is_affixes(before) && is_affixes(after)) {
                self.record(hits, &key.listed, base.max(Spelling::Glued), read_as());
            }
        }
    }

    /// Names one or two edits away from the window.
    fn misspelt(
        &self,
        joined: &str,
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

/// Whether `s` is made of glue affixes and digits only (or is empty).
fn is_affixes(s: &str) -> bool {
    if s.is_empty() {
        return true;
    }
    let digits = s.trim_start_matches(|c: char| c.is_ascii_digit());
    if digits.len() < s.len() {
        return is_affixes(digits);
    }
    GLUE_AFFIXES
        .iter()
        .any(|a| s.strip_prefix(a).is_some_and(is_affixes))
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
    let starts = |i: usize, s: &str| b[i..].starts_with(s.as_bytes());
    let is_vowel = |c: Option<&u8>| matches!(c, Some(b'a' | b'e' | b'o' | b'u'));
    while i < b.len() {
        let (sound, len): (&[u8], usize) = if starts(i, "shch") {
            (b"S", 4)
        } else if starts(i, "sch") {
            (b"S", 3)
        } else if starts(i, "sh") {
            (b"S", 2)
        } else if starts(i, "zh") {
            (b"Z", 2)
        } else if starts(i, "tch") {
            (b"C", 3)
        } else if starts(i, "ch") {
            (b"C", 2)
        } else if starts(i, "kh") {
            (b"g", 2)
        } else if starts(i, "ck") {
            (b"k", 2)
        } else if starts(i, "ph") {
            (b"f", 2)
        } else if starts(i, "ou") {
            (b"u", 2)
        } else {
            let next = b.get(i + 1);
            let sound: &[u8] = match b[i] {
                b'x' => b"ks",
                b'h' | b'g' => b"g",
                b'c' if matches!(next, Some(b'e' | b'i' | b'y')) => b"s",
                b'c' | b'q' => b"k",
                b'w' => b"v",
                b'z' => b"s",
                b'y' | b'j' if is_vowel(next) => b"",
                b'y' | b'j' | b'i' => b"i",
                _ => &b[i..i + 1],
            };
            (sound, 1)
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
    fn affixes() {
        assert!(is_affixes("pay"));
        assert!(is_affixes("my"));
        assert!(is_affixes("24"));
        assert!(is_affixes("pay24"));
        assert!(!is_affixes("ulic"));
        assert!(!is_affixes("nt"));
    }

    #[test]
    fn possessives() {
        assert_eq!(strip_possessives("Garantex's desk"), "Garantex desk");
        assert_eq!(strip_possessives("Garantex\u{2019}s"), "Garantex");
        assert_eq!(strip_possessives("O'Sullivan"), "O'Sullivan");
    }
}
