//! Common organisation words of Russian, Ukrainian and Belarusian names and
//! their English translations, written as data.
//!
//! Transliteration makes "Завод" read `zavod`, but a Latin-script list
//! prints the same entity translated: "Tomsk Electrotechnical Plant" for
//! "Томский электротехнический завод". Words of this table therefore get
//! the skeleton key of their English translation, on list names and queries
//! alike, so `zavod` aligns with `plant` as two spellings of one word would
//! ([`crate::names::MatchConfig::key_equal_score`]); the folded text is kept,
//! so the explanation still shows "zavod ≈ plant".
//!
//! A few combining forms ("научно-", "военно-") translate to nothing: an
//! English name drops them ("научно-исследовательский институт" is a
//! "research institute"), so they weigh as little as a title
//! ([`crate::names::MatchConfig::filler_weight`]).
//!
//! Only the vocabulary of organisation names is here (plant, institute,
//! ministry, state, research …), never a proper name: a proper name is
//! transliterated, not translated. Each entry is a Cyrillic stem (folded to
//! ASCII exactly as a name is, at first use) followed by one of the
//! inflection endings below, so "завод", "завода", "заводом" all read
//! "plant", while a longer word that merely begins with the stem
//! ("заводской") does not. Ukrainian spellings that fold to the same ASCII
//! as the Russian ones ("компанія", "корпорація") need no entry of their own.
//!
//! Behind the hand-written stems stands a vocabulary mined from the lists
//! themselves (`data/org_vocabulary.txt`): the words that stand together
//! in the Cyrillic and English names of one organisation, learnt from one
//! half of the EU entries and measured on the other
//! (`tests/names_scripts.rs`).

use std::collections::HashMap;
use std::sync::OnceLock;

use super::normalize::fold_words;

/// Cyrillic stem → English word. One comment per entry says what the stem
/// covers when that is not obvious.
const ORG_WORDS: &[(&str, &str)] = &[
    // kinds of organisation
    ("завод", "plant"),
    ("комбинат", "plant"), // Soviet "kombinat": an integrated works
    ("фабрик", "factory"),
    ("предприяти", "enterprise"),
    ("підприємств", "enterprise"), // Ukrainian
    ("объединени", "association"), // also written with a soft sign: both fold away
    ("об'єднанн", "association"),  // Ukrainian
    ("корпораци", "corporation"),
    ("компани", "company"),
    ("групп", "group"),
    ("груп", "group"), // Ukrainian
    ("концерн", "concern"),
    ("институт", "institute"),
    ("университет", "university"),
    ("академи", "academy"),
    ("центр", "center"),
    ("бюро", "bureau"),
    ("агентств", "agency"),
    ("служб", "service"),
    ("министерств", "ministry"),
    ("департамент", "department"),
    ("управлени", "directorate"),
    ("управлінн", "directorate"), // Ukrainian
    ("комитет", "committee"),
    ("партия", "party"), // the whole word: "парти-" also starts "партизан"
    ("партии", "party"),
    ("партію", "party"), // Ukrainian
    ("войск", "troops"),
    ("військ", "troops"), // Ukrainian
    ("флот", "fleet"),
    ("филиал", "branch"),
    ("філі", "branch"), // Ukrainian
    ("банк", "bank"),
    ("холдинг", "holding"),
    ("холдингов", "holding"), // the adjective: "холдинговая компания"
    ("систем", "systems"),
    ("технологи", "technologies"),
    // what it does
    ("научн", "scientific"),
    ("научно", ""), // combining form: "научно-исследовательский" is "research"
    ("военно", ""), // combining form: "военно-морской" is "naval"
    ("науков", "scientific"), // Ukrainian
    ("исследовательск", "research"),
    ("исследовани", "research"),
    ("дослідн", "research"), // Ukrainian
    ("производственн", "production"),
    ("виробнич", "production"), // Ukrainian
    ("конструкторск", "design"),
    ("проектн", "design"),
    ("опытн", "experimental"),
    ("специальн", "special"),
    ("особ", "special"), // "особое конструкторское бюро": special design bureau
    ("управляющ", "management"),
    ("стратегическ", "strategic"),
    ("гражданск", "civil"),
    ("самолет", "aircraft"),
    ("технологическ", "technology"),
    ("техническ", "technical"),
    ("ремонтн", "repair"),
    ("авиационн", "aviation"),
    ("авіаційн", "aviation"), // Ukrainian
    ("авиастроительн", "aircraft"),
    ("самолетостроительн", "aircraft"),
    ("приборостроительн", "instrument"),
    ("машиностроительн", "engineering"),
    ("судостроительн", "shipbuilding"),
    ("химическ", "chemical"),
    ("хімічн", "chemical"), // Ukrainian
    ("электротехническ", "electrotechnical"),
    ("электронн", "electronic"),
    ("механическ", "mechanical"),
    ("энергетическ", "energy"),
    ("металлургическ", "metallurgical"),
    ("нефтян", "oil"),
    ("нефт", "oil"), // "нефти", "нефть"
    ("газов", "gas"),
    ("промышленн", "industrial"),
    ("торгов", "trade"),
    ("коммерческ", "commercial"),
    ("финансов", "financial"),
    ("инвестиционн", "investment"),
    ("страхов", "insurance"),
    ("строительн", "construction"),
    ("транспортн", "transport"),
    ("информационн", "information"),
    ("інформаційн", "information"), // Ukrainian
    ("ракетн", "rocket"),
    ("космическ", "space"),
    ("оборон", "defence"),
    ("безопасност", "security"),
    ("внутренних", "internal"),
    ("радиовещательн", "broadcasting"),
    ("телевизионн", "television"),
    // whose it is, where it is
    ("государственн", "state"),
    ("казенн", "state"), // "федеральное казенное предприятие": federal state enterprise
    ("державн", "state"), // Ukrainian
    ("дзяржаўн", "state"), // Belarusian
    ("федеральн", "federal"),
    ("федераци", "federation"),
    ("национальн", "national"),
    ("республиканск", "republican"),
    ("центральн", "central"),
    ("главн", "main"),
    ("российск", "russian"),
    ("российская", "russian"),
    ("всероссийск", "russian"), // "all-Russian"
    ("белорусск", "belarusian"),
    ("украинск", "ukrainian"),
    ("українськ", "ukrainian"), // Ukrainian
    ("международн", "international"),
    ("міжнародн", "international"), // Ukrainian
    ("объединенн", "united"),
    ("унитарн", "unitary"),
    ("дочерн", "subsidiary"),
    ("город", "city"),
    ("народн", "people"),
    ("коммунистическ", "communist"),
    ("общероссийск", "russian"), // "all-Russian", like "всероссийск"
    ("императорск", "imperial"),
    ("крымск", "crimean"),
    ("республик", "republic"), // "Республики Крым": of the Republic of Crimea
    ("област", "region"),      // "области"; lists print "Oblast" or "Region"
    // more kinds of organisation and their parts
    ("учреждени", "institution"), // "бюджетное учреждение": budgetary institution
    ("организаци", "organisation"),
    ("общественн", "public"), // "общественная организация": public organisation
    ("отделени", "branch"),   // "отделение академии наук": branch of the academy
    ("наук", "sciences"),     // "академия наук": academy of sciences
    ("союз", "union"),
    ("бюджетн", "budgetary"),
    ("вооруженн", "armed"), // "вооруженные силы": armed forces
    // more of what it does
    ("испытательн", "testing"),
    ("оружейн", "arms"),
    ("бронетанков", "armoured"),
    ("порохов", "gunpowder"),
    ("обеспечени", "support"), // "средства обеспечения": support equipment
    ("средств", "equipment"),
    ("оборудовани", "equipment"),
    ("полет", "flight"), // "полётов" folds alike
    ("биологическ", "biological"),
    ("хими", "chemistry"), // the noun; the adjective is "химическ"
    ("аналитическ", "analytical"),
    ("инновационн", "innovative"),
    ("термоядерн", "thermonuclear"),
    ("автоматизаци", "automation"),
    ("приборостроени", "instrument"), // the noun: "institute of instrument engineering"
    ("надзор", "supervision"),
    ("связ", "communications"), // "связи"
    ("коммуникаци", "communications"),
    ("массов", "mass"),
    ("подготовк", "training"),
    ("молодеж", "youth"),
    ("патриотическ", "patriotic"),
    ("спортивн", "sports"),
    ("голос", "voice"),
];

/// Inflection endings (as folded ASCII) a stem of [`ORG_WORDS`] may carry:
/// the case and gender endings of Russian and Ukrainian nouns and
/// adjectives under the common romanisations.
const ENDINGS: &[&str] = &[
    "", "a", "u", "e", "o", "y", "i", "om", "ov", "am", "ami", "akh", "ah", "oy", "oi", "oj", "ey",
    "ei", "ej", "iy", "ii", "ij", "yy", "yi", "yj", "ym", "im", "ykh", "ikh", "yh", "ih", "ie",
    "ye", "iye", "aya", "aia", "aja", "ya", "ia", "ja", "yu", "iu", "ju", "oe", "oye", "ogo",
    "omu", "yam", "iam", "yami", "iami", "ymi", "imi", "ova", "oho", "iv", "ee", "ego", "emu",
    "eye", "eyu",
];

/// The shortest folded stem, in bytes (tested).
const MIN_STEM_LEN: usize = 3;

/// The first [`MIN_STEM_LEN`] bytes of every folded stem, sorted.
fn stem_heads() -> &'static [[u8; MIN_STEM_LEN]] {
    static HEADS: OnceLock<Vec<[u8; MIN_STEM_LEN]>> = OnceLock::new();
    HEADS.get_or_init(|| {
        let mut heads: Vec<[u8; MIN_STEM_LEN]> = folded_table()
            .keys()
            .filter_map(|stem| stem.as_bytes().get(..MIN_STEM_LEN)?.try_into().ok())
            .collect();
        heads.sort_unstable();
        heads.dedup();
        heads
    })
}

/// The longest ending of [`ENDINGS`], in bytes.
const MAX_ENDING_LEN: usize = 4;

/// The table folded to ASCII: stem → English word.
fn folded_table() -> &'static HashMap<String, &'static str> {
    static TABLE: OnceLock<HashMap<String, &'static str>> = OnceLock::new();
    TABLE.get_or_init(|| {
        ORG_WORDS
            .iter()
            .filter_map(|&(stem, english)| {
                let folded = fold_words(stem);
                (folded.len() == 1).then(|| (folded.concat(), english))
            })
            .collect()
    })
}

/// The English translation of a folded organisation word, when the word is
/// a stem of the table plus an inflection ending; `""` for a combining form
/// that translations drop. The longest stem wins ("нефтян" over "нефт").
///
/// Called for every word of every name, so it splits the word at most
/// five times (one per possible ending length) instead of trying every
/// stem.
pub fn translate(word: &str) -> Option<&'static str> {
    translate_stem(word).or_else(|| mined().get(word).copied())
}

/// The vocabulary mined from the real lists (`data/org_vocabulary.txt`,
/// see its header): whole folded words, not stems.
fn mined() -> &'static HashMap<&'static str, &'static str> {
    static TABLE: OnceLock<HashMap<&'static str, &'static str>> = OnceLock::new();
    TABLE.get_or_init(|| {
        include_str!("data/org_vocabulary.txt")
            .lines()
            .filter(|l| !l.starts_with('#'))
            .filter_map(|l| l.split_once(' '))
            .collect()
    })
}

/// [`translate`] by the hand-written stems only, without the mined
/// vocabulary.
pub(crate) fn translate_stem(word: &str) -> Option<&'static str> {
    // most words of most names begin like no stem: one binary search of
    // the stems' first three letters turns them away
    let head = word.as_bytes().get(..MIN_STEM_LEN)?;
    if stem_heads()
        .binary_search_by(|h| h.as_slice().cmp(head))
        .is_err()
    {
        return None;
    }
    let table = folded_table();
    (0..=MAX_ENDING_LEN.min(word.len())).find_map(|k| {
        let split = word.len() - k;
        let (stem, ending) = (word.get(..split)?, word.get(split..)?);
        if ENDINGS.contains(&ending) {
            table.get(stem).copied()
        } else {
            None
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn translate_examples() {
        assert_eq!(translate("zavoda"), Some("plant"));
        assert_eq!(translate("zavodskoy"), None);
    }

    fn tr(cyrillic: &str) -> Vec<Option<&'static str>> {
        fold_words(cyrillic).iter().map(|w| translate(w)).collect()
    }

    #[test]
    fn every_stem_folds_to_one_word() {
        for (stem, _) in ORG_WORDS {
            assert_eq!(fold_words(stem).len(), 1, "{stem}");
        }
        // no two stems fold to the same ASCII
        let mut seen = std::collections::HashMap::new();
        for (stem, _) in ORG_WORDS {
            if let Some(other) = seen.insert(fold_words(stem).concat(), stem) {
                panic!("{stem} and {other} fold alike");
            }
        }
        assert_eq!(folded_table().len(), ORG_WORDS.len());
        assert!(folded_table().keys().all(|s| s.len() >= MIN_STEM_LEN));
        assert!(ENDINGS.iter().all(|e| e.len() <= MAX_ENDING_LEN));
    }

    #[test]
    fn inflected_forms_translate() {
        // Уралвагонзавод's parent and the listed Kalashnikov concern name
        // their works with these words in every case
        assert_eq!(tr("завод заводом заводе"), vec![Some("plant"); 3]);
        // "научно-" is a combining form English drops; "научный" is
        // "scientific"
        assert_eq!(
            tr("научный центр"),
            vec![Some("scientific"), Some("center")]
        );
        assert_eq!(
            tr("Научно-исследовательский институт"),
            vec![Some(""), Some("research"), Some("institute")]
        );
        assert_eq!(
            tr("Министерства обороны Российской Федерации"),
            vec![
                Some("ministry"),
                Some("defence"),
                Some("russian"),
                Some("federation")
            ]
        );
        assert_eq!(
            tr("державне підприємство"),
            vec![Some("state"), Some("enterprise")]
        );
    }

    #[test]
    fn institutions_and_their_trades_translate() {
        // the words of a budgetary institute or a repair works, as the
        // EU annexes print such bodies in English
        assert_eq!(
            tr("бюджетное учреждение академии наук"),
            vec![
                Some("budgetary"),
                Some("institution"),
                Some("academy"),
                Some("sciences")
            ]
        );
        assert_eq!(
            tr("средств обеспечения полётов"),
            vec![Some("equipment"), Some("support"), Some("flight")]
        );
        assert_eq!(
            tr("общественная организация союз"),
            vec![Some("public"), Some("organisation"), Some("union")]
        );
        // a word that only begins with a stem is not translated
        assert_eq!(tr("наукоград голосование"), vec![None, None]);
    }

    #[test]
    fn proper_names_and_longer_words_are_left_alone() {
        // a proper name, and words that only begin with a stem
        assert_eq!(
            tr("Калашников заводской партизан Центробанк"),
            vec![None; 4]
        );
        // English words are not rewritten unless they are a stem + ending
        assert_eq!(translate("plant"), None);
        assert_eq!(translate("bank"), Some("bank"));
    }
}
