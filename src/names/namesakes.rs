//! Two spellings a few letters apart that are nonetheless two names: the
//! other sex of one name (Oleksandr / Oleksandra, Ivanov / Ivanova,
//! Viktorovich / Viktorovna), one stem with another name ending (Shcherbak /
//! Shcherbakov, Tarasiuk / Tarasov, Kostenko / Kostenok, Petrova /
//! Petrovna), or two surnames sharing only a frequent ending (Savchenko /
//! Shevchenko, Zakharchenko / Kharchenko, Fedorenko / Fedosenko).
//!
//! Slavic names are built from a stem and an ending that says the sex and
//! the kind of word (surname, patronymic, given name). A typo is as likely
//! anywhere in a word, but when the letters that differ are exactly such an
//! ending, or the stems before a shared surname ending differ, the two
//! words are two real names — a namesake, not a misspelling — and the
//! fuzzy matcher must not pair them. Spellings that are the same name in
//! another script or romanisation have equal skeletons and pair before this
//! is asked; it only vetoes *fuzzy* pairs.

/// What the end of a word says about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub(crate) enum Ending {
    #[default]
    /// No ending the table knows: a consonant-final stem (Viktor, Bondar).
    Bare,
    /// `-o` (Petro, Danylo): the Ukrainian form of a bare stem.
    O,
    /// Masculine adjectival `-i`/`-y`/`-iy` (Yevgeniy, Zaki): also the
    /// Arabic and Persian nisba, so it only conflicts with a feminine form.
    AdjectiveMasculine,
    /// Feminine `-a`/`-ia`/`-iya`/`-aya` (Viktoria, Ivanova's `a`).
    Feminine,
    Ov,
    Ova,
    Sky,
    Ska,
    Enko,
    Uk,
    /// Diminutive `-ok` (Kostenok).
    Ok,
    PatronymicMasculine,
    PatronymicFeminine,
}

/// Endings, longest first within each group; a word's ending is the
/// longest that leaves a stem of at least [`MIN_STEM`] letters.
const ENDINGS: &[(&str, Ending)] = &[
    ("ienko", Ending::Enko),
    ("yenko", Ending::Enko),
    ("enko", Ending::Enko),
    ("ovych", Ending::PatronymicMasculine),
    ("ovich", Ending::PatronymicMasculine),
    ("evych", Ending::PatronymicMasculine),
    ("evich", Ending::PatronymicMasculine),
    ("ivna", Ending::PatronymicFeminine),
    ("ovna", Ending::PatronymicFeminine),
    ("evna", Ending::PatronymicFeminine),
    ("skaya", Ending::Ska),
    ("skaia", Ending::Ska),
    ("skaja", Ending::Ska),
    ("tskaya", Ending::Ska),
    ("tska", Ending::Ska),
    ("ska", Ending::Ska),
    ("tsky", Ending::Sky),
    ("tskiy", Ending::Sky),
    ("tskyi", Ending::Sky),
    ("skiy", Ending::Sky),
    ("skyi", Ending::Sky),
    ("skii", Ending::Sky),
    ("skij", Ending::Sky),
    ("sky", Ending::Sky),
    ("ski", Ending::Sky),
    ("yova", Ending::Ova),
    ("iova", Ending::Ova),
    ("ova", Ending::Ova),
    ("eva", Ending::Ova),
    ("yov", Ending::Ov),
    ("iov", Ending::Ov),
    ("ov", Ending::Ov),
    ("ev", Ending::Ov),
    ("chuk", Ending::Uk),
    ("iuk", Ending::Uk),
    ("yuk", Ending::Uk),
    ("uk", Ending::Uk),
    ("ok", Ending::Ok),
    ("iya", Ending::Feminine),
    ("iia", Ending::Feminine),
    ("ija", Ending::Feminine),
    ("aya", Ending::Feminine),
    ("aia", Ending::Feminine),
    ("ia", Ending::Feminine),
    ("ya", Ending::Feminine),
    ("a", Ending::Feminine),
    ("iy", Ending::AdjectiveMasculine),
    ("yi", Ending::AdjectiveMasculine),
    ("ii", Ending::AdjectiveMasculine),
    ("ij", Ending::AdjectiveMasculine),
    ("i", Ending::AdjectiveMasculine),
    ("y", Ending::AdjectiveMasculine),
    ("o", Ending::O),
];

/// Words up to this long are short names: see [`different_names`].
const SHORT_NAME_MAX_LEN: usize = 6;

/// The consonants of a romanised word, in order.
fn consonants(word: &[u8]) -> Letters {
    let mut out = Letters::default();
    word.iter()
        .filter(|c| !matches!(c, b'a' | b'e' | b'i' | b'o' | b'u' | b'y'))
        .for_each(|&c| out.push(c));
    out
}

/// Letters a stem keeps at least (shorter words are not split).
const MIN_STEM: usize = 3;

/// Stems at least this long may differ by one edit before a shared
/// surname ending; shorter stems carry the whole name and must agree
/// ("Fedor-enko" / "Fedos-enko" are two families).
const STEM_ONE_EDIT_MIN_LEN: usize = 6;

/// A word's ending and where its stem ends, found once per word.
#[derive(Debug, Clone, Copy, Default, serde::Serialize, serde::Deserialize)]
pub(crate) struct Split {
    stem_len: u16,
    ending: Ending,
}

impl Split {
    /// The split of `word` (see [`split`]).
    pub(crate) fn of(word: &[u8]) -> Split {
        let (stem, ending) = split(word);
        Split {
            stem_len: stem.len().min(usize::from(u16::MAX)) as u16,
            ending,
        }
    }

    fn parts<'w>(&self, word: &'w [u8]) -> (&'w [u8], Ending) {
        (
            word.get(..usize::from(self.stem_len)).unwrap_or(word),
            self.ending,
        )
    }
}

/// The endings that end in one letter, longest first.
type EndingsOf = Vec<(&'static [u8], Ending)>;

fn split(word: &[u8]) -> (&[u8], Ending) {
    // the endings that end in each letter, longest first: one short list
    // is tried per word
    static BY_LAST: std::sync::OnceLock<Vec<EndingsOf>> = std::sync::OnceLock::new();
    let by_last = BY_LAST.get_or_init(|| {
        let mut table = vec![Vec::new(); 256];
        for &(suffix, ending) in ENDINGS {
            let s = suffix.as_bytes();
            if let Some(&last) = s.last() {
                table[usize::from(last)].push((s, ending));
            }
        }
        for list in &mut table {
            list.sort_by_key(|(s, _)| std::cmp::Reverse(s.len()));
        }
        table
    });
    let Some(&last) = word.last() else {
        return (word, Ending::Bare);
    };
    for &(s, ending) in &by_last[usize::from(last)] {
        if word.len() >= s.len() + MIN_STEM && word.ends_with(s) {
            return (&word[..word.len() - s.len()], ending);
        }
    }
    (word, Ending::Bare)
}

/// A stem as romanisations agree on it: the letters Cyrillic names are
/// written with in ISO 9, GOST, ICAO, French and German spellings brought
/// together (ч as `ch`/`c`/`tsch`/`tch`, ц as `ts`/`c`/`cz`/`tz`, х as
/// `kh`/`x`/`h`, г as `g`/`h`, ш/щ as `sh`/`sch`/`shch`, й/и as `j`/`y`/`i`,
/// a soft `i` before a vowel), doubled letters collapsed. Two stems that
/// still differ are two stems, not two spellings of one.
fn romanised_stem(stem: &[u8]) -> Letters {
    const REWRITES: &[(&[u8], &[u8])] = &[
        (b"shch", b"s"),
        // ё written yo, jo, io or e
        (b"yo", b"e"),
        (b"jo", b"e"),
        (b"io", b"e"),
        (b"tsch", b"c"),
        (b"sch", b"s"),
        (b"shh", b"s"),
        (b"tch", b"c"),
        (b"sh", b"s"),
        (b"zh", b"z"),
        (b"ch", b"c"),
        (b"cz", b"c"),
        (b"ts", b"c"),
        (b"tz", b"c"),
        (b"kh", b"h"),
        (b"ck", b"k"),
        (b"ph", b"f"),
        (b"ou", b"u"),
        (b"x", b"h"),
        (b"g", b"h"),
        (b"w", b"v"),
        (b"q", b"k"),
        (b"j", b"i"),
        (b"y", b"i"),
    ];
    let mut out = Letters::default();
    let mut i = 0;
    'letters: while i < stem.len() {
        for (from, to) in REWRITES {
            if stem[i..].starts_with(from) {
                to.iter().for_each(|&c| out.push(c));
                i += from.len();
                continue 'letters;
            }
        }
        out.push(stem[i]);
        i += 1;
    }
    // a soft i before a vowel (ie, ia, iu, io) and doubled letters
    let mut key = Letters::default();
    let letters = out.as_slice();
    for (k, &c) in letters.iter().enumerate() {
        let before_vowel = matches!(letters.get(k + 1), Some(b'a' | b'e' | b'o' | b'u'));
        if (c == b'i' && before_vowel) || key.as_slice().last() == Some(&c) {
            continue;
        }
        key.push(c);
    }
    key
}

/// Up to 64 letters on the stack (longer words are compared on their
/// first 64, as everywhere in the matcher).
#[derive(Clone, Copy)]
struct Letters {
    buf: [u8; 64],
    len: usize,
}

impl Default for Letters {
    fn default() -> Self {
        Letters {
            buf: [0; 64],
            len: 0,
        }
    }
}

impl Letters {
    fn push(&mut self, c: u8) {
        if let Some(slot) = self.buf.get_mut(self.len) {
            *slot = c;
            self.len += 1;
        }
    }

    fn as_slice(&self) -> &[u8] {
        &self.buf[..self.len]
    }
}

/// Whether one ending is a surname's.
fn is_surname_ending(e: Ending) -> bool {
    matches!(
        e,
        Ending::Ov | Ending::Ova | Ending::Sky | Ending::Ska | Ending::Enko | Ending::Uk
    )
}

/// Endings that may stand for one another in one name: a bare stem, its
/// `-o` form and its masculine adjectival form (Petr / Petro, Hussein /
/// Husseini).
fn interchangeable(a: Ending, b: Ending) -> bool {
    use Ending::{AdjectiveMasculine as Adj, Bare, O};
    matches!((a, b), (Bare | O | Adj, Bare | O | Adj))
}

use super::MatchConfig;

/// Whether two stems are one stem for the purpose of comparing endings:
/// equal or one edit apart, or, when both words end in an ending the table
/// knows, one the start of the other (Sokol-ova / Sokolov-skaya). A word
/// without a known ending may be a typo in one ("Kovalenco"), so its stem
/// must match closely.
fn same_stem(a: &[u8], b: &[u8], both_known: bool) -> bool {
    (both_known && (a.starts_with(b) || b.starts_with(a)))
        || super::score::osa_distance_within(a, b, 1).is_some()
}

fn is_known(e: Ending) -> bool {
    !matches!(
        e,
        Ending::Bare | Ending::O | Ending::AdjectiveMasculine | Ending::Feminine
    )
}

/// Whether the ASCII words `a` and `b` (folded words or skeletons, already
/// within the fuzzy edit budget of each other) are two different names
/// rather than two spellings of one (see the module doc).
///
/// `known`: `a` is itself a list word, a name in its own right, so a
/// surname stem that differs from `b`'s is another family; an unknown word
/// may be a typo and keeps the ordinary edit budget on its stem.
#[cfg(test)]
pub(crate) fn different_names(a: &[u8], b: &[u8], known: bool, config: &MatchConfig) -> bool {
    different_split_names((a, Split::of(a)), (b, Split::of(b)), known, config)
}

/// [`different_names`] of words already split ([`Split::of`]; the
/// matcher splits every list word once, at build).
pub(crate) fn different_split_names(
    (a, split_a): (&[u8], Split),
    (b, split_b): (&[u8], Split),
    known: bool,
    config: &MatchConfig,
) -> bool {
    // "Abdulla" / "Abdullah", "Fatima" / "Fatimah": a silent final h
    if a.strip_suffix(b"h") == Some(b) || b.strip_suffix(b"h") == Some(a) {
        return false;
    }
    let (stem_a, end_a) = split_a.parts(a);
    let (stem_b, end_b) = split_b.parts(b);
    if end_a == end_b {
        // two surnames on the same ending: the stems carry the name
        if is_surname_ending(end_a) {
            let (ra, rb) = (romanised_stem(stem_a), romanised_stem(stem_b));
            let (ra, rb) = (ra.as_slice(), rb.as_slice());
            if known {
                let budget = usize::from(ra.len().min(rb.len()) >= STEM_ONE_EDIT_MIN_LEN);
                return super::score::osa_distance_within(ra, rb, budget).is_none();
            }
            // a typo may fall on a letter the romanised form merges or
            // splits: either form within the ordinary budget pairs
            let within = |x: &[u8], y: &[u8]| {
                let budget = super::score::edit_budget(x.len(), y.len(), config);
                super::score::osa_distance_within(x, y, budget).is_some()
            };
            return !within(ra, rb) && !within(stem_a, stem_b);
        }
        // two short names the lists know, with as many consonants but other
        // ones once romanisation is set aside, are two names: Bondar /
        // Bondal, Melnyk / Telnykh (vowels vary with the romanisation,
        // consonants carry the name)
        if known && a.len().min(b.len()) <= SHORT_NAME_MAX_LEN {
            // as many consonants, some replaced: another name; a consonant
            // dropped or added ("Amad" / "Ahmad") is more likely a typo
            let (ca, cb) = (
                consonants(romanised_stem(a).as_slice()),
                consonants(romanised_stem(b).as_slice()),
            );
            return ca.len == cb.len && ca.as_slice() != cb.as_slice();
        }
        return false;
    }
    if interchangeable(end_a, end_b) {
        return false;
    }
    // an ending that changes the sex or the kind of name changes the
    // length too; a bare word as long as the other is a transposed or
    // replaced letter ("Marian" for "Marina")
    if a.len() == b.len() && !(is_known(end_a) && is_known(end_b)) {
        return false;
    }
    // one stem, two endings: the other sex, or another name built on it
    same_stem(stem_a, stem_b, is_known(end_a) && is_known(end_b))
}

#[cfg(test)]
mod tests {
    use super::different_names;

    fn differ(a: &str, b: &str) -> bool {
        different_names(
            a.as_bytes(),
            b.as_bytes(),
            true,
            &crate::names::MatchConfig::default(),
        )
    }

    #[test]
    fn the_other_sex_is_another_name() {
        for (a, b) in [
            ("oleksandra", "oleksandr"),
            ("aleksandra", "aleksandr"),
            ("viktoriia", "viktor"),
            ("viktoriya", "viktor"),
            ("ivanova", "ivanov"),
            ("sokolova", "sokolov"),
            ("lozinska", "lozinsky"),
            ("yevgeniya", "yevgeniy"),
            ("viktorovna", "viktorovich"),
        ] {
            assert!(differ(a, b), "{a} / {b}");
            assert!(differ(b, a), "{b} / {a}");
        }
    }

    #[test]
    fn another_ending_on_one_stem_is_another_name() {
        for (a, b) in [
            ("shcherbak", "shcherbakov"),
            ("tarasiuk", "tarasov"),
            ("kostenko", "kostenok"),
            ("petrova", "petrovna"),
            ("viktoriia", "viktorivna"),
            ("sokolova", "sokolovskaya"),
            ("timoshenko", "timoshenkova"),
            ("bondar", "bondarev"),
            ("shapoval", "shapovalov"),
            ("bondar", "bondal"),
            ("melnyk", "telnykh"),
        ] {
            assert!(differ(a, b), "{a} / {b}");
        }
    }

    #[test]
    fn surnames_sharing_only_an_ending_are_two_families() {
        for (a, b) in [
            ("savchenko", "shevchenko"),
            ("kravchenko", "savchenko"),
            ("zakharchenko", "kharchenko"),
            ("fedorenko", "fedosenko"),
            ("panchenko", "kharchenko"),
            ("savchuk", "shevchuk"),
            ("sokolov", "solovyov"),
        ] {
            assert!(differ(a, b), "{a} / {b}");
        }
    }

    // Romanisations ("Shewchenko", "Kowalenko") are not asked: their
    // skeletons are equal, which pairs them before any fuzzy comparison.
    #[test]
    fn spellings_of_one_name_still_pair() {
        for (a, b) in [
            ("maria", "mariya"),
            ("lozinskaya", "lozinska"),
            ("lozinski", "lozinsky"),
            ("hussein", "husseini"),
            ("abdulla", "abdullah"),
            ("petro", "petr"),
            ("kovalenko", "kovalenco"),
            ("kovalenko", "kovalemko"),
            ("yanukovych", "yanukovich"),
            ("mohammed", "muhammad"),
            ("timoshenko", "timoshenka"),
            ("hymbatov", "gimbatov"),
            ("hazmanov", "gazmanov"),
            ("kuznecova", "kuznetsova"),
            ("zaxarenko", "zakharenko"),
            ("anancenko", "ananchenko"),
            ("fyodorov", "fedorov"),
            ("izmailov", "ismailov"),
            ("marian", "marina"),
            ("amad", "ahmad"),
        ] {
            assert!(!differ(a, b), "{a} / {b}");
        }
    }
}
