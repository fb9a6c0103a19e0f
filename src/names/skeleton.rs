//! Look-alike letters of any script read as the Latin letters they imitate.
//!
//! [`super::fold_words`] folds a look-alike letter into the script most of
//! its word is written in, so "G\u{0430}rantex" (one Cyrillic а) reads
//! "garantex". A word written *entirely* in look-alikes — Cyrillic "МЕХС",
//! Greek "ΗΥDRΑ", Cherokee, Armenian, regional-indicator letters
//! "🇬🇦🇷🇦🇳🇹🇪🇽" — has no Latin majority to fold into and is romanised by
//! its sound ("mekhs"). [`lookalike_skeleton`] gives the second reading: each
//! word whose every letter has a Latin or digit prototype in Unicode's
//! confusables table (TS #39, via the `unicode-security` crate) is replaced
//! by those prototypes. Words with a letter that imitates nothing Latin
//! (most real Cyrillic words: "Петров" has П and в) are left as they are,
//! so the reading adds nothing for them.
//!
//! Screening matches both readings, on the list side and the query side
//! alike; explanations quote the text as written.

use unicode_security::confusable_detection::skeleton;

use super::normalize::{display_order, is_invisible};

/// The text with every all-look-alike word replaced by its Latin skeleton;
/// `None` when no word changes (always for ASCII text), so callers pay
/// nothing for ordinary input.
///
/// ```
/// use amlscreen::names::lookalike_skeleton;
/// assert_eq!(lookalike_skeleton("МЕХС Global").as_deref(), Some("MEXC Global"));
/// assert_eq!(lookalike_skeleton("ΗΥDRΑ").as_deref(), Some("HYDRA"));
/// assert_eq!(lookalike_skeleton("Петров"), None);
/// assert_eq!(lookalike_skeleton("Garantex"), None);
/// ```
pub fn lookalike_skeleton(text: &str) -> Option<String> {
    if text.is_ascii() {
        return None;
    }
    let text = display_order(text);
    let mut out = String::with_capacity(text.len());
    let mut word: Vec<char> = Vec::new();
    let mut changed = false;
    for c in text.chars().filter(|&c| !is_invisible(c)) {
        if c.is_alphanumeric() || is_regional_indicator(c) {
            word.push(c);
        } else {
            changed |= flush_word(&mut word, &mut out);
            out.push(c);
        }
    }
    changed |= flush_word(&mut word, &mut out);
    changed.then_some(out)
}

/// A folded word with the letters TS #39 cannot tell apart in some case
/// made one: `l`, `i` and `1` read `i` (capital I is confusable with l),
/// `0` reads `o`, `rn` reads `m` — in a word with a letter: a number stays
/// a number. Applied to list and query words alike when comparing
/// look-alike readings.
///
/// ```
/// use amlscreen::names::lookalike_key;
/// assert_eq!(lookalike_key("chlpmlxer"), lookalike_key("chipmixer"));
/// assert_eq!(lookalike_key("tomado"), lookalike_key("tornado"));
/// ```
pub fn lookalike_key(word: &str) -> String {
    if word.bytes().all(|b| b.is_ascii_digit()) {
        return word.to_owned();
    }
    word.replace("rn", "m")
        .chars()
        .map(|c| match c {
            'l' | '1' => 'i',
            '0' => 'o',
            c => c,
        })
        .collect()
}

/// Regional-indicator symbols 🇦–🇿 (flags are pairs of them).
fn is_regional_indicator(c: char) -> bool {
    ('\u{1F1E6}'..='\u{1F1FF}').contains(&c)
}

/// Writes the word, as its skeleton when every letter has an ASCII
/// prototype and at least one is not ASCII already; whether it changed.
fn flush_word(word: &mut Vec<char>, out: &mut String) -> bool {
    let skeleton_word: Option<String> = if word.iter().all(char::is_ascii) {
        None
    } else {
        word.iter().map(|&c| ascii_prototype(c)).collect()
    };
    let changed = skeleton_word.is_some();
    match skeleton_word {
        Some(s) => out.push_str(&s),
        None => out.extend(word.iter()),
    }
    word.clear();
    changed
}

/// The ASCII letters or digits `c` imitates, if it imitates any.
fn ascii_prototype(c: char) -> Option<String> {
    if c.is_ascii_alphanumeric() {
        return Some(c.to_string());
    }
    if is_regional_indicator(c) {
        let offset = c as u32 - 0x1F1E6;
        return char::from_u32('A' as u32 + offset).map(String::from);
    }
    let mut buf = [0u8; 4];
    let proto: String = skeleton(c.encode_utf8(&mut buf)).collect();
    // TS #39 maps "m" to "rn"; a letter imitating m is m here. It also
    // maps capital I (Latin, Cyrillic І, Greek Ι) to l: a capital reads I.
    let proto = match proto.as_str() {
        "rn" => "m".to_owned(),
        "l" if c.is_uppercase() => "I".to_owned(),
        _ => proto,
    };
    (!proto.is_empty() && proto.chars().all(|p| p.is_ascii_alphanumeric())).then_some(proto)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::names::fold_words;

    fn read(text: &str) -> String {
        fold_words(&lookalike_skeleton(text).unwrap_or_else(|| text.to_owned())).join(" ")
    }

    #[test]
    fn whole_words_of_lookalikes_in_any_script() {
        assert_eq!(read("МЕХС"), "mexc"); // Cyrillic
        assert_eq!(read("ВІТМЕХ"), "bitmex"); // Cyrillic, Ukrainian І
        assert_eq!(read("ΗΥDRΑ"), "hydra"); // Greek with one Latin D
        assert_eq!(
            read("\u{1F1EC}\u{1F1E6}\u{1F1F7}\u{1F1E6}\u{1F1F3}\u{1F1F9}\u{1F1EA}\u{1F1FD}"),
            "garantex"
        );
        // Cherokee capitals that imitate Latin ones
        assert_eq!(read("\u{13A0}\u{13AA}"), "da");
        // TS #39 reads a capital I (Latin, Cyrillic І, Greek Ι) as l; a
        // capital reads I here
        assert_eq!(read("СНІРМІХЕR"), "chipmixer");
        assert_eq!(read("РUТІΝ"), "putin");
        assert_eq!(lookalike_key("chlpmlxer"), lookalike_key("chipmixer"));
    }

    #[test]
    fn real_words_of_other_scripts_are_left_alone() {
        assert_eq!(lookalike_skeleton("Петров Іван"), None);
        assert_eq!(lookalike_skeleton("Αλέξανδρος"), None);
        assert_eq!(lookalike_skeleton("محمد"), None);
        assert_eq!(lookalike_skeleton("plain ascii"), None);
    }
}
