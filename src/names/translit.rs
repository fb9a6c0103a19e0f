//! Script conversion and romanisation convergence, written as data.
//!
//! Three jobs, each a table below:
//! 1. **Confusables**: a word written mostly in one script with a few
//!    look-alike letters of another ("Gаrantex" with a Cyrillic `а`, the EU's
//!    "Дзмiтрый" with a Latin `i`) has those letters folded into its main script
//!    before anything else happens.
//! 2. **Transliteration** of Cyrillic (Russian, Ukrainian, Belarusian, Serbian,
//!    Macedonian) and Greek to Latin. Other scripts (Arabic, CJK, Hangul,
//!    Armenian, Georgian, …) go through the `any_ascii` crate.
//! 3. **Skeleton keys**: ordered rewrites that make the romanisation
//!    standards of one name converge (BGN/PCGN, GOST 7.79, ICAO 9303, KMU 2010,
//!    German and French conventions): Yevgeniy / Evgenii / Jewgeni all become
//!    `evgeni`, Tchernov / Tschernow / Chernov become `chernov`. A key is only
//!    ever compared with other keys; it is not meant to be read.
//!
//! The given-name table then maps Ukrainian and Belarusian forms of common
//! East Slavic given names to the Russian form (Volodymyr → Vladimir), since
//! they differ by more than spelling.

use std::collections::HashMap;
use std::sync::OnceLock;

/// Cyrillic letter (lower case) → Latin, Russian values. Close to BGN/PCGN
/// without diacritics, which is what most sanctions lists print.
const CYRILLIC: &[(char, &str)] = &[
    ('а', "a"),
    ('б', "b"),
    ('в', "v"),
    ('г', "g"), // Russian г; Ukrainian/Belarusian г is h (see below)
    ('д', "d"),
    ('е', "e"),
    ('ё', "e"), // BGN "ë"/"yo"; lists mostly print "e"
    ('ж', "zh"),
    ('з', "z"),
    ('и', "i"), // Ukrainian и is y (see below)
    ('й', "y"),
    ('к', "k"),
    ('л', "l"),
    ('м', "m"),
    ('н', "n"),
    ('о', "o"),
    ('п', "p"),
    ('р', "r"),
    ('с', "s"),
    ('т', "t"),
    ('у', "u"),
    ('ф', "f"),
    ('х', "kh"),
    ('ц', "ts"),
    ('ч', "ch"),
    ('ш', "sh"),
    ('щ', "shch"),
    ('ъ', ""), // hard sign: not romanised in passports
    ('ы', "y"),
    ('ь', ""), // soft sign: not romanised in passports
    ('э', "e"),
    ('ю', "yu"),
    ('я', "ya"),
    ('і', "i"),  // Ukrainian, Belarusian
    ('ї', "yi"), // Ukrainian (KMU 2010: yi)
    ('є', "ye"), // Ukrainian (KMU 2010: ye)
    ('ґ', "g"),  // Ukrainian hard g
    ('ў', "u"),  // Belarusian short u
    ('ђ', "dj"), // Serbian
    ('ј', "j"),  // Serbian, Macedonian
    ('љ', "lj"), // Serbian, Macedonian
    ('њ', "nj"), // Serbian, Macedonian
    ('ћ', "c"),  // Serbian
    ('џ', "dz"), // Serbian, Macedonian
    ('ѓ', "gj"), // Macedonian
    ('ќ', "kj"), // Macedonian
    ('ѕ', "dz"), // Macedonian
    ('ә', "a"),  // Kazakh, Azerbaijani Cyrillic
    ('ғ', "g"),  // Kazakh, Uzbek
    ('қ', "k"),  // Kazakh, Uzbek
    ('ң', "n"),  // Kazakh
    ('ө', "o"),  // Kazakh, Mongolian
    ('ұ', "u"),  // Kazakh
    ('ү', "u"),  // Kazakh, Mongolian, Kyrgyz
    ('һ', "h"),  // Kazakh, Bashkir
];

/// Letters whose value differs in a Ukrainian or Belarusian word, detected by
/// the letters і ї є ґ ў, which Russian does not use (KMU 2010 values).
const UKRAINIAN_BELARUSIAN: &[(char, &str)] = &[
    ('г', "h"), // Олег → Oleh, Гомель → Homel
    ('и', "y"), // Ukrainian и: Микола → Mykola
    ('е', "e"),
];

/// Greek letter (lower case, accents already removed) → Latin (ELOT 743).
const GREEK: &[(char, &str)] = &[
    ('α', "a"),
    ('β', "v"),
    ('γ', "g"),
    ('δ', "d"),
    ('ε', "e"),
    ('ζ', "z"),
    ('η', "i"),
    ('θ', "th"),
    ('ι', "i"),
    ('κ', "k"),
    ('λ', "l"),
    ('μ', "m"),
    ('ν', "n"),
    ('ξ', "x"),
    ('ο', "o"),
    ('π', "p"),
    ('ρ', "r"),
    ('σ', "s"),
    ('ς', "s"),
    ('τ', "t"),
    ('υ', "y"),
    ('φ', "f"),
    ('χ', "ch"),
    ('ψ', "ps"),
    ('ω', "o"),
];

/// Cyrillic and Greek letters (lower case) that look like a Latin letter:
/// used only inside a word that is mostly Latin.
const LOOKALIKE_TO_LATIN: &[(char, char)] = &[
    ('а', 'a'),
    ('в', 'b'), // small-cap В reads as B
    ('е', 'e'),
    ('ё', 'e'),
    ('з', '3'),
    ('і', 'i'),
    ('ї', 'i'),
    ('ј', 'j'),
    ('к', 'k'),
    ('м', 'm'),
    ('н', 'h'), // Н reads as H
    ('о', 'o'),
    ('р', 'p'),
    ('с', 'c'),
    ('т', 't'),
    ('у', 'y'),
    ('х', 'x'),
    ('ѕ', 's'),
    ('ԁ', 'd'),
    ('ԛ', 'q'),
    ('ԝ', 'w'),
    ('ӏ', 'l'),
    ('һ', 'h'),
    ('ь', 'b'),
    ('α', 'a'),
    ('β', 'b'),
    ('ε', 'e'),
    ('η', 'n'),
    ('ι', 'i'),
    ('κ', 'k'),
    ('ν', 'v'),
    ('ο', 'o'),
    ('ρ', 'p'),
    ('τ', 't'),
    ('υ', 'u'),
    ('χ', 'x'),
    ('γ', 'y'),
    ('ω', 'w'),
];

/// Latin letters (lower case) that look like a Cyrillic letter: used only
/// inside a word that is mostly Cyrillic (the EU's "Дзмiтрый").
const LOOKALIKE_TO_CYRILLIC: &[(char, char)] = &[
    ('a', 'а'),
    ('b', 'в'),
    ('c', 'с'),
    ('e', 'е'),
    ('h', 'н'),
    ('i', 'і'),
    ('j', 'ј'),
    ('k', 'к'),
    ('m', 'м'),
    ('o', 'о'),
    ('p', 'р'),
    ('t', 'т'),
    ('x', 'х'),
    ('y', 'у'),
];

/// Ordered rewrites that make romanisation standards converge. Applied to a
/// lower-case ASCII word; each rule replaces every occurrence, in this order.
const SKELETON_REWRITES: &[(&str, &str)] = &[
    ("tsch", "ch"), // German ч: Tschernow → chernov
    ("shch", "sh"), // BGN щ vs. ICAO "shch"/GOST "shh"/German "schtsch": all shorten to sh
    ("shh", "sh"),  // GOST 7.79-B щ
    ("sch", "sh"),  // German ш: Schukow, Schoigu
    ("tch", "ch"),  // French ч: Tchernov
    ("kh", "h"),    // х: Khodorkovsky vs. Hodorkovsky
    ("zh", "sh"),   // ж: English zh vs. German sch (Prigoschin)
    ("ph", "f"),    // Greek/older English φ
    ("ck", "k"),
    ("w", "v"),  // German в: Jewgeni, Chodorkowski
    ("q", "k"),  // Arabic ق romanised q or k
    ("x", "ks"), // Alexander vs. Aleksandr; Greek ξ
    ("ou", "u"), // French у: Choukri, Oustinov
    ("j", "y"),  // German/GOST й: Jurij → yury
    ("y", "i"),  // й/ы/и as y, i, j all meet at i
];

/// Given-name forms that differ by more than spelling: Ukrainian and
/// Belarusian forms → the Russian form. Both sides are skeletonised when the
/// table is loaded, so any romanisation of either side matches.
const GIVEN_NAME_FORMS: &[(&str, &str)] = &[
    ("volodymyr", "vladimir"),   // uk
    ("uladzimir", "vladimir"),   // be
    ("oleksandr", "aleksandr"),  // uk
    ("aliaksandr", "aleksandr"), // be
    ("alexander", "aleksandr"),  // English
    ("oleksandra", "aleksandra"),
    ("oleksiy", "aleksey"),  // uk
    ("oleksii", "aleksey"),  // uk (KMU)
    ("aliaksei", "aleksey"), // be
    ("alexei", "aleksey"),
    ("serhiy", "sergey"),         // uk
    ("serhii", "sergey"),         // uk (KMU)
    ("siarhei", "sergey"),        // be
    ("mykola", "nikolay"),        // uk
    ("mikalai", "nikolay"),       // be
    ("dmytro", "dmitry"),         // uk
    ("dzmitry", "dmitry"),        // be
    ("andriy", "andrey"),         // uk
    ("andrii", "andrey"),         // uk (KMU)
    ("petro", "pyotr"),           // uk
    ("petr", "pyotr"),            // ru without ё
    ("pavlo", "pavel"),           // uk
    ("mykhailo", "mikhail"),      // uk
    ("mykhaylo", "mikhail"),      // uk
    ("hryhoriy", "grigory"),      // uk
    ("hryhorii", "grigory"),      // uk (KMU)
    ("ryhor", "grigory"),         // be
    ("vasyl", "vasily"),          // uk
    ("oleh", "oleg"),             // uk
    ("ihor", "igor"),             // uk
    ("ihar", "igor"),             // be
    ("yevhen", "yevgeny"),        // uk
    ("yevhenii", "yevgeny"),      // uk (KMU)
    ("yauhen", "yevgeny"),        // be
    ("yauheni", "yevgeny"),       // be
    ("hennadiy", "gennady"),      // uk
    ("hennadii", "gennady"),      // uk (KMU)
    ("heorhiy", "georgy"),        // uk
    ("heorhii", "georgy"),        // uk (KMU)
    ("kostiantyn", "konstantin"), // uk (KMU)
    ("kostyantyn", "konstantin"), // uk
    ("bohdan", "bogdan"),         // uk
    ("olha", "olga"),             // uk
    ("volha", "olga"),            // be
    ("halyna", "galina"),         // uk
    ("tetiana", "tatyana"),       // uk (KMU)
    ("tetyana", "tatyana"),       // uk
    ("tatsiana", "tatyana"),      // be
    ("kateryna", "yekaterina"),   // uk
    ("olena", "yelena"),          // uk
    ("alena", "yelena"),          // be
    ("mykyta", "nikita"),         // uk
    ("ihnat", "ignat"),           // uk
    ("fedir", "fyodor"),          // uk
    ("uladzislau", "vladislav"),  // be
    ("vladyslav", "vladislav"),   // uk
    ("viktar", "viktor"),         // be
    ("hanna", "anna"),            // uk, be
    ("natallia", "natalya"),      // be
];

/// Patronymic endings (on skeleton keys): a token ending so after a known
/// given-name stem has that stem mapped too (Oleksandrovych → aleksandrovich).
const PATRONYMIC_SUFFIXES: &[&str] = &["ovich", "evich", "ovna", "evna", "ivna", "ich", "ichna"];

/// The Latin form of a Cyrillic or Greek letter in a word of the given kind,
/// or `None` when the letter is neither.
pub(crate) fn romanize_char(c: char, ukrainian_or_belarusian: bool) -> Option<&'static str> {
    if ukrainian_or_belarusian {
        if let Some((_, s)) = UKRAINIAN_BELARUSIAN.iter().find(|(k, _)| *k == c) {
            return Some(s);
        }
    }
    CYRILLIC
        .iter()
        .chain(GREEK)
        .find(|(k, _)| *k == c)
        .map(|(_, s)| *s)
}

/// Whether a Cyrillic word is Ukrainian or Belarusian (uses і ї є ґ ў).
pub(crate) fn is_ukrainian_or_belarusian(word: &str) -> bool {
    word.chars()
        .any(|c| matches!(c, 'і' | 'ї' | 'є' | 'ґ' | 'ў'))
}

/// The Latin look-alike of a Cyrillic/Greek letter.
pub(crate) fn lookalike_latin(c: char) -> Option<char> {
    LOOKALIKE_TO_LATIN
        .iter()
        .find(|(k, _)| *k == c)
        .map(|(_, v)| *v)
}

/// The Cyrillic look-alike of a Latin letter.
pub(crate) fn lookalike_cyrillic(c: char) -> Option<char> {
    LOOKALIKE_TO_CYRILLIC
        .iter()
        .find(|(k, _)| *k == c)
        .map(|(_, v)| *v)
}

/// The skeleton key of one lower-case ASCII word (see the module doc).
pub fn skeleton(word: &str) -> String {
    let key = spelling_skeleton(word);
    canonical_given_name(&key).unwrap_or(key)
}

/// Rewrites, `i` before a vowel dropped (ia/ya → a, ie/ye → e, iu/yu → u),
/// doubled letters collapsed.
fn spelling_skeleton(word: &str) -> String {
    if word.bytes().any(|b| b.is_ascii_digit()) {
        return word.to_owned();
    }
    let mut s = word.to_owned();
    for (from, to) in SKELETON_REWRITES {
        if s.contains(from) {
            s = s.replace(from, to);
        }
    }
    let s = collapse_doubles(&s);
    // i before a vowel is the glide of я/ю/е/ё/ї written ya/ia/ja…: drop it
    let bytes = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    for (i, &b) in bytes.iter().enumerate() {
        let next_is_vowel = bytes
            .get(i + 1)
            .is_some_and(|n| matches!(n, b'a' | b'e' | b'o' | b'u'));
        if b == b'i' && next_is_vowel {
            continue;
        }
        out.push(b as char);
    }
    collapse_doubles(&out)
}

fn collapse_doubles(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut last = None;
    for c in s.chars() {
        if Some(c) != last {
            out.push(c);
        }
        last = Some(c);
    }
    out
}

/// The spellings of `data/name_variants.txt`: (variant, the form compared).
fn name_variants() -> impl Iterator<Item = (&'static str, &'static str)> {
    include_str!("data/name_variants.txt")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .flat_map(|line| {
            let mut words = line.split_whitespace();
            let canonical = words.next().unwrap_or_default();
            words.map(move |w| (w, canonical))
        })
}

/// Skeleton → the skeleton it is compared as, and the skeletons two tables
/// rows sent different ways (left out: an ambiguous spelling such as
/// "saeed"/"sayed" must not pick one).
fn build_given_name_table() -> (HashMap<String, String>, Vec<String>) {
    let mut table: HashMap<String, String> = HashMap::new();
    let mut ambiguous: Vec<String> = Vec::new();
    let pairs = GIVEN_NAME_FORMS.iter().copied().chain(name_variants());
    for (from, to) in pairs {
        let (from, to) = (spelling_skeleton(from), spelling_skeleton(to));
        if from == to {
            continue;
        }
        match table.get(&from) {
            Some(existing) if *existing != to => ambiguous.push(from),
            Some(_) => {}
            None => {
                table.insert(from, to);
            }
        }
    }
    for a in &ambiguous {
        table.remove(a);
    }
    (table, ambiguous)
}

fn given_name_table() -> &'static HashMap<String, String> {
    static TABLE: OnceLock<HashMap<String, String>> = OnceLock::new();
    TABLE.get_or_init(|| build_given_name_table().0)
}

/// Whether a skeleton is a given name of the table, in either its
/// Ukrainian, Belarusian or Russian form ("aleksandr", "oleksandr"): a name
/// in its own right, whether or not the loaded lists print it.
pub(crate) fn is_known_given_name(key: &[u8]) -> bool {
    static NAMES: OnceLock<std::collections::HashSet<Vec<u8>>> = OnceLock::new();
    NAMES
        .get_or_init(|| {
            given_name_table()
                .iter()
                .flat_map(|(from, to)| [from.as_bytes().to_vec(), to.as_bytes().to_vec()])
                .collect()
        })
        .contains(key)
}

/// The Russian given-name skeleton for a Ukrainian/Belarusian one, also as
/// the stem of a patronymic.
fn canonical_given_name(key: &str) -> Option<String> {
    let table = given_name_table();
    if let Some(to) = table.get(key) {
        return Some(to.clone());
    }
    for suffix in PATRONYMIC_SUFFIXES {
        if let Some(stem) = key.strip_suffix(suffix) {
            if let Some(to) = table.get(stem) {
                return Some(format!("{to}{suffix}"));
            }
            // Ukrainian -ovych/-ivna after a stem ending in a vowel-less form
            let longest = table
                .iter()
                .filter(|(from, _)| stem.len() > from.len() && stem.starts_with(from.as_str()))
                .max_by_key(|(from, _)| from.len());
            if let Some((from, to)) = longest {
                return Some(format!("{to}{}{suffix}", &stem[from.len()..]));
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_variant_table_is_unambiguous() {
        let (table, ambiguous) = build_given_name_table();
        assert!(ambiguous.is_empty(), "{ambiguous:?}");
        // no spelling maps onto a form that itself maps on
        for (from, to) in &table {
            assert!(!table.contains_key(to), "{from} -> {to} -> {}", table[to]);
        }
        same("mohamed", "muhammad");
        same("hossein", "husayn");
        same("yousef", "yusuf");
        same("lee", "ri");
        same("park", "pak");
    }

    fn same(a: &str, b: &str) {
        assert_eq!(skeleton(a), skeleton(b), "{a} vs {b}");
    }

    #[test]
    fn romanisation_standards_converge() {
        // BGN/PCGN, ICAO 9303, German
        same("yevgeniy", "evgenii");
        same("yevgeniy", "jewgeni");
        // French and German ч
        same("tchernov", "chernov");
        same("tschernow", "chernov");
        // ICAO ю/я as iu/ia vs. BGN yu/ya
        same("iurii", "yuriy");
        same("tatiana", "tatyana");
        // GOST 7.79-B щ
        same("shhukin", "shchukin");
        // x vs ks
        same("alexandrov", "aleksandrov");
    }

    #[test]
    fn ukrainian_and_belarusian_given_names_meet_russian() {
        same("oleksandr", "aleksandr");
        same("volodymyr", "vladimir");
        same("serhii", "sergey");
        same("siarhei", "sergei");
        same("oleksandrovych", "aleksandrovich");
    }

    #[test]
    fn cyrillic_tables_cover_ukrainian_letters() {
        assert_eq!(romanize_char('г', true), Some("h"));
        assert_eq!(romanize_char('г', false), Some("g"));
        assert_eq!(romanize_char('ї', true), Some("yi"));
        assert!(is_ukrainian_or_belarusian("сергій"));
        assert!(!is_ukrainian_or_belarusian("сергей"));
    }

    #[test]
    fn digits_are_left_alone() {
        assert_eq!(skeleton("x5"), "x5");
    }
}
