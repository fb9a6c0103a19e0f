//! Text folding shared by list names, queries and platform/memo matching.
//!
//! Every piece of text goes through the same steps, so a list name and a
//! query that differ only in how they were typed fold to the same words:
//!
//! 1. text behind a right-to-left override (U+202E) is put in the order it
//!    is displayed ("\u{202E}xetnaraG" reads "Garantex"); then every
//!    invisible character — each `Default_Ignorable_Code_Point` and format
//!    character (zero-width spaces and joiners, soft hyphens, BOMs, bidi
//!    controls, variation selectors, Hangul fillers, tags, …) — and
//!    apostrophes are dropped, so "Gar\u{200B}antex" and "O'Neil" stay one
//!    word; every other Unicode space separates words;
//! 2. Unicode NFKC unifies compatibility forms (full-width "Ｇａｒａｎｔｅｘ",
//!    ligatures, superscripts), then lower case;
//! 3. accents and other combining marks are removed (except on Cyrillic
//!    letters, where й and ї are letters of their own);
//! 4. the text splits into words at every character that is not a letter or
//!    digit;
//! 5. a word written mostly in one script has its look-alike letters from
//!    another script folded into the main one ([`super::translit`]);
//! 6. each word is romanised to lower-case ASCII;
//! 7. a run of single letters joined by punctuation ("G.a.r.a.n.t.e.x",
//!    "L.L.C.") or of five or more spaced single letters ("G a r a n t e x")
//!    becomes one word. Two initials ("V. V. Putin") stay initials.

use unicode_normalization::char::{decompose_canonical, is_combining_mark};
use unicode_normalization::UnicodeNormalization;

use super::{scripts, translit};

/// Single letters joined by punctuation only merge from this many on
/// ("A.B.C." merges, the initials "V.V." do not).
const MIN_PUNCTUATED_LETTER_RUN: usize = 3;
/// Single letters separated by spaces merge from this many on.
const MIN_SPACED_LETTER_RUN: usize = 5;

/// Characters that render as nothing (or as a blank that is not a space)
/// and are used to split a word invisibly: every Unicode
/// `Default_Ignorable_Code_Point` and every format character (general
/// category `Cf`), the Braille blank U+2800, and control characters that
/// are not whitespace. A unit test checks the table against the regex
/// crate's Unicode property tables.
pub(crate) fn is_invisible(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_control() && !c.is_whitespace();
    }
    IGNORABLE
        .binary_search_by(|&(lo, hi)| {
            if hi < c {
                std::cmp::Ordering::Less
            } else if lo > c {
                std::cmp::Ordering::Greater
            } else {
                std::cmp::Ordering::Equal
            }
        })
        .is_ok()
        || (c.is_control() && !c.is_whitespace())
}

/// `Default_Ignorable_Code_Point` ∪ `Cf` (Unicode 16), plus U+2800, as
/// sorted, disjoint inclusive ranges.
const IGNORABLE: &[(char, char)] = &[
    ('\u{00AD}', '\u{00AD}'), // soft hyphen
    ('\u{034F}', '\u{034F}'), // combining grapheme joiner
    ('\u{0600}', '\u{0605}'), // Arabic number signs
    ('\u{061C}', '\u{061C}'), // Arabic letter mark
    ('\u{06DD}', '\u{06DD}'),
    ('\u{070F}', '\u{070F}'),
    ('\u{0890}', '\u{0891}'),
    ('\u{08E2}', '\u{08E2}'),
    ('\u{115F}', '\u{1160}'), // Hangul fillers
    ('\u{17B4}', '\u{17B5}'), // Khmer inherent vowels
    ('\u{180B}', '\u{180F}'), // Mongolian variation selectors, vowel separator
    ('\u{200B}', '\u{200F}'), // zero-width space/non-joiner/joiner, LRM, RLM
    ('\u{202A}', '\u{202E}'), // bidi embeddings and overrides
    ('\u{2060}', '\u{206F}'), // word joiner, invisible operators, bidi isolates
    ('\u{2800}', '\u{2800}'), // Braille pattern blank
    ('\u{3164}', '\u{3164}'), // Hangul filler
    ('\u{FE00}', '\u{FE0F}'), // variation selectors
    ('\u{FEFF}', '\u{FEFF}'), // byte-order mark / zero-width no-break space
    ('\u{FFA0}', '\u{FFA0}'), // half-width Hangul filler
    ('\u{FFF0}', '\u{FFFB}'), // unassigned specials, interlinear annotation
    ('\u{110BD}', '\u{110BD}'),
    ('\u{110CD}', '\u{110CD}'),
    ('\u{13430}', '\u{1343F}'), // Egyptian hieroglyph format controls
    ('\u{1BCA0}', '\u{1BCA3}'), // shorthand format controls
    ('\u{1D173}', '\u{1D17A}'), // musical symbol format controls
    ('\u{E0000}', '\u{E0FFF}'), // tags, variation selectors supplement
];

/// Apostrophe-like marks inside names ("O'Neil", "Ra'ad", Ukrainian "Ф'юрі"):
/// dropped so the name stays one word.
fn is_apostrophe(c: char) -> bool {
    matches!(
        c,
        '\'' | '\u{2019}' | '\u{2018}' | '\u{02BC}' | '\u{02BB}' | '\u{02B9}' | '`' | '\u{00B4}'
    )
}

fn is_cyrillic(c: char) -> bool {
    matches!(c, '\u{0400}'..='\u{052F}' | '\u{1C80}'..='\u{1C8F}' | '\u{A640}'..='\u{A69F}')
}

fn is_greek(c: char) -> bool {
    matches!(c, '\u{0370}'..='\u{03FF}' | '\u{1F00}'..='\u{1FFF}')
}

/// Hangul syllables, kana and Thai: scripts whose marks are part of the
/// letter ([`super::scripts`] reads them whole).
fn keeps_marks(c: char) -> bool {
    matches!(c, '\u{AC00}'..='\u{D7AF}' | '\u{3040}'..='\u{30FF}' | '\u{0E00}'..='\u{0E7F}')
}

/// Whether `c` is a Latin letter (ASCII or accented).
pub(crate) fn is_latin(c: char) -> bool {
    c.is_ascii_alphabetic()
        || matches!(c, '\u{00C0}'..='\u{024F}' | '\u{1E00}'..='\u{1EFF}' | '\u{2C60}'..='\u{2C7F}')
}

/// One folded word and whether whitespace preceded it.
struct RawWord {
    text: String,
    spaced: bool,
}

/// Folds text into lower-case ASCII words (see the module doc).
///
/// ```
/// use amlscreen::names::fold_words;
/// assert_eq!(fold_words("G.a.r.a.n.t.e.x"), vec!["garantex"]);
/// assert_eq!(fold_words("ＭÜLLER, Jürgen"), vec!["muller", "jurgen"]);
/// assert_eq!(fold_words("Сергій"), vec!["serhiy"]);
/// ```
pub fn fold_words(text: &str) -> Vec<String> {
    let letters = fold_letters(text);
    // a Korean or Chinese name written as one word is surname and given
    // name; written in several words, each word is one part already
    let whole_name = is_whole_name(&letters);
    let mut raw: Vec<RawWord> = Vec::new();
    let mut word = String::new();
    let mut spaced = false;
    for c in letters.chars() {
        if c.is_alphanumeric() {
            word.push(c);
        } else {
            if !word.is_empty() {
                push_romanized(&word, spaced, whole_name, &mut raw);
                word.clear();
                spaced = false;
            }
            if c.is_whitespace() {
                spaced = true;
            }
        }
    }
    if !word.is_empty() {
        push_romanized(&word, spaced, whole_name, &mut raw);
    }
    merge_letter_runs(raw)
}

/// Lower-cased letters of `text` without invisible characters, apostrophes
/// and accents, compatibility forms unified (NFKC).
fn fold_letters(text: &str) -> String {
    // Most names screened are plain ASCII, where NFKC and canonical
    // decomposition change nothing and lower-casing is ASCII lower-casing:
    // skip the Unicode tables (a third of preparing a query). Same result
    // as the general path (tested).
    if text.is_ascii() {
        return text
            .chars()
            .filter(|&c| !is_invisible(c) && !is_apostrophe(c))
            .map(|c| c.to_ascii_lowercase())
            .collect();
    }
    fold_letters_unicode(text)
}

fn fold_letters_unicode(text: &str) -> String {
    let text = display_order(text);
    let cleaned: String = text
        .chars()
        .filter(|&c| !is_invisible(c) && !is_apostrophe(c))
        .nfkc()
        .filter(|&c| !is_invisible(c) && !is_apostrophe(c))
        .collect();
    let mut letters = String::with_capacity(cleaned.len());
    for c in cleaned.chars().flat_map(char::to_lowercase) {
        // Cyrillic й and ї, Hangul syllables, kana with their voicing marks
        // and Thai with its vowel signs are letters of their own: kept whole
        if is_cyrillic(c) || keeps_marks(c) {
            // Thai tone marks and the like are no letters: a word goes on
            // across them
            if !is_combining_mark(c) || c.is_alphanumeric() {
                letters.push(c);
            }
        } else {
            decompose_canonical(c, |d| {
                if !is_combining_mark(d) {
                    letters.push(d);
                }
            });
        }
    }
    letters
}

/// The text in the order it is displayed, as far as explicit overrides
/// decide it: a run after a right-to-left override (U+202E) is reversed up
/// to its pop (U+202C), a paragraph end or the end of the text. Embeddings,
/// isolates and left-to-right overrides nest inside it and are kept in
/// their own order as one block ("\u{202E}\u{202D}Garantex" shows
/// "Garantex"); each pop closes the innermost. Borrowed when there is no
/// right-to-left override.
pub(crate) fn display_order(text: &str) -> std::borrow::Cow<'_, str> {
    const RLO: char = '\u{202E}';
    if !text.contains(RLO) {
        return std::borrow::Cow::Borrowed(text);
    }
    /// One level of nesting: whether it reverses, and its pieces (a
    /// closed inner level is one piece, kept whole).
    struct Level {
        reverse: bool,
        isolate: bool,
        pieces: Vec<String>,
    }
    fn close(levels: &mut Vec<Level>) {
        let Some(level) = levels.pop() else { return };
        let text: String = if level.reverse {
            level.pieces.iter().rev().map(String::as_str).collect()
        } else {
            level.pieces.concat()
        };
        if let Some(parent) = levels.last_mut() {
            parent.pieces.push(text);
        }
    }
    let mut levels = vec![Level {
        reverse: false,
        isolate: false,
        pieces: Vec::new(),
    }];
    let open = |levels: &mut Vec<Level>, reverse: bool, isolate: bool| {
        levels.push(Level {
            reverse,
            isolate,
            pieces: Vec::new(),
        })
    };
    for c in text.chars() {
        match c {
            '\u{202E}' => open(&mut levels, true, false),
            '\u{202A}' | '\u{202B}' | '\u{202D}' => open(&mut levels, false, false),
            '\u{2066}'..='\u{2068}' => open(&mut levels, false, true),
            // a pop closes the innermost embedding or override, never an isolate
            '\u{202C}' if levels.len() > 1 && !levels.last().is_some_and(|l| l.isolate) => {
                close(&mut levels)
            }
            // an isolate's end closes everything opened inside it, then it
            '\u{2069}' => {
                while levels.len() > 1 && !levels.last().is_some_and(|l| l.isolate) {
                    close(&mut levels);
                }
                if levels.len() > 1 {
                    close(&mut levels);
                }
            }
            '\n' | '\u{2029}' => {
                while levels.len() > 1 {
                    close(&mut levels);
                }
                levels[0].pieces.push(c.to_string());
            }
            c => {
                if let Some(level) = levels.last_mut() {
                    level.pieces.push(c.to_string());
                }
            }
        }
    }
    while levels.len() > 1 {
        close(&mut levels);
    }
    std::borrow::Cow::Owned(levels.pop().map(|l| l.pieces.concat()).unwrap_or_default())
}

/// One word a name's other-script part romanised to (see [`script_words`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ScriptWord {
    /// The folded (romanised) word.
    pub text: String,
    /// Romanised letter by letter from a script that leaves short vowels
    /// unwritten (Arabic, Hebrew): compared by its consonants too
    /// ([`scripts::abjad_key`]). Words of the name tables are not: their
    /// spelling is known.
    pub abjad: bool,
    /// [`scripts::Romanized::origin`]: which original-script letters it
    /// was read from, 0 for a word of a name table.
    pub origin: u32,
}

/// The folded words of `text` romanised from Arabic, Hebrew, Hangul, Han,
/// kana or Thai script, with what [`ScriptWord`] says of each. Empty for
/// ASCII text.
pub(crate) fn script_words(text: &str) -> Vec<ScriptWord> {
    let mut out = Vec::new();
    if text.is_ascii() {
        return out;
    }
    let letters = fold_letters(text);
    let whole_name = is_whole_name(&letters);
    let mut marked = Vec::new();
    for word in letters
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        let Some(script) = scripts::script_of_word(word) else {
            continue;
        };
        marked.clear();
        let ending = scripts::romanize(word, script, whole_name, &mut marked);
        let mut words = marked.drain(..);
        if ending {
            if let (Some(previous), Some(w)) = (out.last_mut(), words.next()) {
                let previous: &mut ScriptWord = previous;
                previous.text.push_str(&w.text);
                previous.abjad = true;
                previous.origin = 0;
            }
        }
        out.extend(words.map(|w| ScriptWord {
            text: w.text,
            abjad: w.by_letters && script.is_abjad(),
            origin: w.origin,
        }));
    }
    out
}

/// Whether a Korean or Chinese name in `letters` is written as one word
/// (surname and given name together) rather than in several words, each
/// one part already.
fn is_whole_name(letters: &str) -> bool {
    letters.is_ascii()
        || letters
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| {
                matches!(
                    scripts::script_of_word(w),
                    Some(scripts::Script::Hangul | scripts::Script::Han)
                )
            })
            .nth(1)
            .is_none()
}

/// Folds text to its words joined by single spaces: the form platform and
/// memo matching compare ("gate.io" → "gate io").
pub fn fold_text(text: &str) -> String {
    fold_words(text).join(" ")
}

/// Romanises one word (any script) and pushes the ASCII words it yields.
fn push_romanized(word: &str, spaced: bool, whole_name: bool, out: &mut Vec<RawWord>) {
    // Hot path (most words of most names): an ASCII word is one script, its
    // letters and digits pass through lower-cased and it does not split —
    // the general path below yields exactly this, with three allocations.
    if word.is_ascii() && word.bytes().all(|b| b.is_ascii_alphanumeric()) {
        out.push(RawWord {
            text: word.to_ascii_lowercase(),
            spaced,
        });
        return;
    }
    if let Some(script) = scripts::script_of_word(word) {
        let mut words = Vec::new();
        let ending = scripts::romanize(word, script, whole_name, &mut words);
        let mut words = words.into_iter();
        if ending {
            if let (Some(previous), Some(w)) = (out.last_mut(), words.next()) {
                previous.text.push_str(&w.text);
            }
        }
        for (i, w) in words.enumerate() {
            out.push(RawWord {
                text: w.text,
                spaced: spaced || i > 0,
            });
        }
        return;
    }
    let (mut latin, mut cyrillic, mut greek) = (0usize, 0usize, 0usize);
    for c in word.chars() {
        if is_latin(c) {
            latin += 1;
        } else if is_cyrillic(c) {
            cyrillic += 1;
        } else if is_greek(c) {
            greek += 1;
        }
    }
    let mixed = [latin, cyrillic, greek].iter().filter(|&&n| n > 0).count() > 1;
    let folded: String = if !mixed {
        word.to_owned()
    } else if latin >= cyrillic && latin >= greek {
        word.chars()
            .map(|c| {
                if is_cyrillic(c) || is_greek(c) {
                    translit::lookalike_latin(c).unwrap_or(c)
                } else {
                    c
                }
            })
            .collect()
    } else if cyrillic >= greek {
        word.chars()
            .map(|c| {
                if is_latin(c) {
                    translit::lookalike_cyrillic(c).unwrap_or(c)
                } else if is_greek(c) {
                    translit::lookalike_latin(c)
                        .and_then(translit::lookalike_cyrillic)
                        .unwrap_or(c)
                } else {
                    c
                }
            })
            .collect()
    } else {
        word.to_owned()
    };
    let ukrainian = translit::is_ukrainian_or_belarusian(&folded);
    let mut ascii = String::with_capacity(folded.len() + 4);
    for c in folded.chars() {
        if c.is_ascii() {
            ascii.push(c.to_ascii_lowercase());
        } else if let Some(s) = translit::romanize_char(c, ukrainian) {
            ascii.push_str(s);
        } else {
            ascii.extend(
                any_ascii::any_ascii_char(c)
                    .chars()
                    .map(|a| a.to_ascii_lowercase()),
            );
        }
    }
    let mut first = true;
    for part in ascii
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|p| !p.is_empty())
    {
        out.push(RawWord {
            text: part.to_owned(),
            spaced: spaced || !first,
        });
        first = false;
    }
}

fn is_single_letter(w: &RawWord) -> bool {
    w.text.len() == 1 && w.text.as_bytes()[0].is_ascii_alphabetic()
}

/// Joins runs of single letters (see the module doc).
fn merge_letter_runs(mut words: Vec<RawWord>) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(words.len());
    let mut i = 0;
    while i < words.len() {
        if !is_single_letter(&words[i]) {
            // read once: moved out rather than copied
            out.push(std::mem::take(&mut words[i].text));
            i += 1;
            continue;
        }
        let mut end = i;
        while end < words.len() && is_single_letter(&words[end]) {
            end += 1;
        }
        // Groups of letters joined by punctuation, split where a space
        // stands ("V.l.a.d P.u.t" is two groups; "G a r" three of one).
        let mut groups: Vec<(usize, usize)> = Vec::new();
        let mut s = i;
        while s < end {
            let mut e = s + 1;
            while e < end && !words[e].spaced {
                e += 1;
            }
            groups.push((s, e));
            s = e;
        }
        let mut g = 0;
        while g < groups.len() {
            // consecutive one-letter groups: letters separated by spaces
            let mut h = g;
            while h < groups.len() && groups[h].1 - groups[h].0 == 1 {
                h += 1;
            }
            if h - g >= MIN_SPACED_LETTER_RUN {
                out.push(
                    words[groups[g].0..groups[h - 1].1]
                        .iter()
                        .map(|w| w.text.as_str())
                        .collect(),
                );
                g = h;
                continue;
            }
            let (s, e) = groups[g];
            if e - s >= MIN_PUNCTUATED_LETTER_RUN {
                out.push(words[s..e].iter().map(|w| w.text.as_str()).collect());
            } else {
                out.extend(words[s..e].iter().map(|w| w.text.clone()));
            }
            g += 1;
        }
        i = end;
    }
    // The words are read back joined by spaces (`fold_text`, the index):
    // letters left single here because punctuation or a romanisation split
    // them would form a spaced run there and merge. Merge them now, so that
    // folding folded text changes nothing.
    if out
        .windows(MIN_SPACED_LETTER_RUN)
        .any(|w| w.iter().all(|t| is_single_letter_text(t)))
    {
        let mut merged: Vec<String> = Vec::with_capacity(out.len());
        let mut k = 0;
        while k < out.len() {
            let mut e = k;
            while e < out.len() && is_single_letter_text(&out[e]) {
                e += 1;
            }
            if e - k >= MIN_SPACED_LETTER_RUN {
                merged.push(out[k..e].concat());
                k = e;
            } else {
                merged.push(std::mem::take(&mut out[k]));
                k += 1;
            }
        }
        out = merged;
    }
    out
}

fn is_single_letter_text(t: &str) -> bool {
    t.len() == 1 && t.as_bytes()[0].is_ascii_alphabetic()
}

/// Normalises a name for exact comparison: its folded words, sorted, joined
/// by spaces. Idempotent.
///
/// ```
/// use amlscreen::names::normalize;
/// assert_eq!(normalize("PETRENKO, Ivan"), normalize("ivan petrenko"));
/// ```
pub fn normalize(name: &str) -> String {
    let mut current = name.to_owned();
    // Sorting can bring single letters together that then merge; repeat to
    // the fixed point (each round only ever merges, so it terminates).
    loop {
        let mut words = fold_words(&current);
        words.sort_unstable();
        let next = words.join(" ");
        if next == current {
            return next;
        }
        current = next;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dotted_words_separated_by_spaces_stay_two_words() {
        // before: the whole run of single letters merged into one word
        assert_eq!(
            fold_words("V.l.a.d.i.m.i.r P.u.t.i.n"),
            ["vladimir", "putin"]
        );
        assert_eq!(fold_words("G.a.r.a.n.t.e.x"), ["garantex"]);
        assert_eq!(fold_words("G a r a n t e x"), ["garantex"]);
        assert_eq!(fold_words("V. V. Putin"), ["v", "v", "putin"]);
        assert_eq!(fold_words("A.B.C. Trading"), ["abc", "trading"]);
    }

    #[test]
    fn ascii_fast_path_equals_the_unicode_path() {
        // every ASCII byte, in short pseudo-random strings
        let mut state: u64 = 0x853c_49e6_748f_ea9b;
        for _ in 0..20_000 {
            let len = (state % 12) as usize;
            let text: String = (0..len)
                .map(|_| {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    char::from((state % 128) as u8)
                })
                .collect();
            assert_eq!(fold_letters(&text), fold_letters_unicode(&text), "{text:?}");
        }
    }
    use proptest::prelude::*;

    #[test]
    fn case_accents_punctuation_and_order() {
        assert_eq!(normalize("PETRENKO, Ivan"), normalize("ivan petrenko"));
        assert_eq!(normalize("José Müller"), "jose muller");
        assert_eq!(normalize("  "), "");
    }

    #[test]
    fn cyrillic_lookalike_inside_latin_word() {
        // Cyrillic а (U+0430) and е (U+0435)
        assert_eq!(fold_text("G\u{0430}rant\u{0435}x"), "garantex");
        // Greek ο (U+03BF) inside a Latin word
        assert_eq!(fold_text("Gar\u{03BF}ntex"), "garontex");
    }

    #[test]
    fn latin_lookalike_inside_cyrillic_word() {
        // the EU's Belarusian "Дзмiтрый" with a Latin i
        assert_eq!(fold_text("Дзм\u{0069}трый"), fold_text("Дзмітрый"));
        // Latin o and a inside Russian words
        assert_eq!(fold_text("Путин Влaдимир"), fold_text("Путин Владимир"));
    }

    #[test]
    fn invisible_characters() {
        for zw in [
            '\u{200B}', '\u{200C}', '\u{200D}', '\u{2060}', '\u{FEFF}', '\u{00AD}',
        ] {
            assert_eq!(fold_text(&format!("Gar{zw}antex")), "garantex", "{zw:?}");
        }
        // a right-to-left override is read as displayed: "Gar" then "antex"
        // reversed
        assert_eq!(fold_text("Gar\u{202E}xetna"), "garantex");
    }

    #[test]
    fn every_default_ignorable_and_format_character_is_invisible() {
        let property = regex::Regex::new(r"^[\p{Cf}\p{Default_Ignorable_Code_Point}]$").unwrap();
        for c in (0..=0x10FFFFu32).filter_map(char::from_u32) {
            let listed = property.is_match(c.encode_utf8(&mut [0; 4]));
            if listed {
                assert!(
                    is_invisible(c),
                    "U+{:04X} is Cf or default-ignorable",
                    c as u32
                );
            } else if is_invisible(c) {
                // the extras: the Braille blank and non-space controls
                assert!(
                    c == '\u{2800}' || (c.is_control() && !c.is_whitespace()),
                    "U+{:04X} is neither Cf nor default-ignorable",
                    c as u32
                );
            }
        }
        // the characters the attack used
        for c in [
            '\u{2800}',
            '\u{FFF9}',
            '\u{1D173}',
            '\u{1BCA0}',
            '\u{13430}',
        ] {
            assert_eq!(fold_text(&format!("Gar{c}antex")), "garantex", "{c:?}");
        }
        // a hair space is a space: it separates
        assert_eq!(fold_text("Gar\u{200A}antex"), "gar antex");
    }

    #[test]
    fn right_to_left_override_reads_as_displayed() {
        assert_eq!(fold_text("\u{202E}xetnaraG"), "garantex");
        assert_eq!(
            fold_text("pay \u{202E}xetnaraG\u{202C} now"),
            "pay garantex now"
        );
        assert_eq!(fold_text("\u{202E}nituP rimidalV"), "vladimir putin");
        // a left-to-right override inside keeps its own order
        assert_eq!(fold_text("\u{202E}\u{202D}Garantex"), "garantex");
        assert_eq!(fold_text("\u{202E}\u{202D}\u{202C}xetnaraG"), "garantex");
        assert_eq!(
            fold_text("pay \u{202E}\u{2066}Garantex\u{2069}\u{202C} now"),
            "pay garantex now"
        );
    }

    #[test]
    fn full_width_forms() {
        assert_eq!(fold_text("Ｇａｒａｎｔｅｘ"), "garantex");
        assert_eq!(fold_text("ＧＡＲＡＮＴＥＸ．ＩＯ"), "garantex io");
    }

    #[test]
    fn combining_marks() {
        assert_eq!(fold_text("G\u{0301}a\u{0300}rantex\u{0308}"), "garantex");
        assert_eq!(fold_text("Müller"), "muller");
        // Cyrillic й and ї are letters, not accented и and і
        assert_eq!(fold_text("Сергей"), "sergey");
        assert_eq!(fold_text("Київ"), "kyyiv");
    }

    #[test]
    fn odd_spacing_and_punctuation() {
        assert_eq!(fold_text("G.a.r.a.n.t.e.x"), "garantex");
        assert_eq!(fold_text("G-a-r-a-n-t-e-x"), "garantex");
        assert_eq!(fold_text("G a r a n t e x"), "garantex");
        assert_eq!(fold_text("  Garantex\t\n "), "garantex");
        assert_eq!(fold_text("Acme L.L.C."), "acme llc");
        // two initials stay initials
        assert_eq!(fold_text("V.V. Putin"), "v v putin");
        assert_eq!(fold_text("gate.io"), "gate io");
    }

    #[test]
    fn folding_folded_text_changes_nothing() {
        // letters split by punctuation and by a romanisation ("ꬨ" → "b e")
        // stay single on the first fold, and would merge on a second
        for s in ["A[º ꬨ:A", "a.b c", "x-y z w"] {
            let once = fold_text(s);
            assert_eq!(fold_text(&once), once, "{s:?}");
        }
        assert_eq!(fold_text("A[º ꬨ:A"), "aobea");
    }

    #[test]
    fn apostrophes_keep_words_whole() {
        assert_eq!(fold_text("O'Neil"), "oneil");
        assert_eq!(fold_text("Ra\u{2019}ad"), "raad");
    }

    #[test]
    fn other_scripts_romanised() {
        assert_eq!(fold_text("Αλέξανδρος"), "alexandros");
        assert!(!fold_text("경수 박").is_empty());
        assert!(fold_text("محمد").is_ascii());
    }

    proptest! {
        #[test]
        fn normalize_is_idempotent(s in "\\PC{0,40}") {
            let once = normalize(&s);
            prop_assert_eq!(normalize(&once), once.clone());
            prop_assert!(once.is_ascii());
        }

        #[test]
        fn fold_text_never_panics_and_is_idempotent(s in any::<String>()) {
            let once = fold_text(&s);
            prop_assert_eq!(fold_text(&once), once.clone());
        }

        #[test]
        fn mixed_script_names_never_panic(s in "[a-zA-Zа-яА-ЯіїєґўαβγΑΒΓ .,\\-'\u{200B}\u{0301}]{0,30}") {
            let _ = normalize(&s);
        }
    }
}
