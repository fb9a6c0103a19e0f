//! Countries to ISO 3166-1 alpha-2 codes, for two readers (a module of its
//! own below `lists`, `rules` and `engine`, which all read countries):
//!
//! * the list loaders ([`iso2`], [`push_country`]): country names as OFAC,
//!   UN, UK and OFSI print them ([`COUNTRY_NAMES`]); add a spelling when a
//!   list uses a new one;
//! * transaction fields and rule files ([`country_code`]): whatever a
//!   customer or a compliance officer writes for a country — an alpha-2 or
//!   alpha-3 code in any case, a name, an ISO 3166-2 region code, or one
//!   of the region names and pseudo-codes of [`REGIONS`]. A value it cannot
//!   read is `None`, which screening turns into an error, never a pass.
//!
//! Coverage of names, for [`country_code`]: every one of the 249 ISO 3166-1
//! countries by its English short, common and official name and by the
//! Ukrainian and Russian translations of those names (the generated table
//! in `countries/iso3166.rs`, from the iso-codes package: a few are untranslated
//! there — Russian for Iran, Laos, Syria and Türkiye — and
//! [`MORE_NAMES`] adds them with the usual short forms such as Россия,
//! Білорусь, КНДР); plus the list spellings and demonyms of
//! [`COUNTRY_NAMES`]. Lookup ignores case, punctuation, apostrophes,
//! hyphens, stress marks, `ё`/`е` and a leading "the".

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::OnceLock;

mod iso3166;

use iso3166::{ISO_3166_1, ISO_3166_1_NAMES};

/// `(name, code)` pairs; several spellings may share a code.
const COUNTRY_NAMES: &[(&str, &str)] = &[
    ("afghanistan", "AF"),
    ("afghan", "AF"),
    ("albania", "AL"),
    ("albanian", "AL"),
    ("algeria", "DZ"),
    ("algerian", "DZ"),
    ("andorra", "AD"),
    ("angola", "AO"),
    ("antigua and barbuda", "AG"),
    ("argentina", "AR"),
    ("armenia", "AM"),
    ("australia", "AU"),
    ("austria", "AT"),
    ("azerbaijan", "AZ"),
    ("bahamas", "BS"),
    ("bahrain", "BH"),
    ("bahraini", "BH"),
    ("bangladesh", "BD"),
    ("barbados", "BB"),
    ("belarus", "BY"),
    ("belarusian", "BY"),
    ("belgium", "BE"),
    ("belgian", "BE"),
    ("belize", "BZ"),
    ("benin", "BJ"),
    ("bhutan", "BT"),
    ("bolivia", "BO"),
    ("bosnia and herzegovina", "BA"),
    ("botswana", "BW"),
    ("brazil", "BR"),
    ("british virgin islands", "VG"),
    ("virgin islands british", "VG"),
    ("brunei", "BN"),
    ("brunei darussalam", "BN"),
    ("bulgaria", "BG"),
    ("burkina faso", "BF"),
    ("burma", "MM"),
    ("myanmar", "MM"),
    ("burundi", "BI"),
    ("cabo verde", "CV"),
    ("cape verde", "CV"),
    ("cambodia", "KH"),
    ("cameroon", "CM"),
    ("canada", "CA"),
    ("canadian", "CA"),
    ("cayman islands", "KY"),
    ("central african republic", "CF"),
    ("chad", "TD"),
    ("chile", "CL"),
    ("china", "CN"),
    ("chinese", "CN"),
    ("colombia", "CO"),
    ("colombian", "CO"),
    ("comoros", "KM"),
    ("congo", "CG"),
    ("republic of the congo", "CG"),
    ("congo democratic republic of the", "CD"),
    ("democratic republic of the congo", "CD"),
    ("congolese", "CD"),
    ("costa rica", "CR"),
    ("cote divoire", "CI"),
    ("ivory coast", "CI"),
    ("croatia", "HR"),
    ("cuba", "CU"),
    ("cuban", "CU"),
    ("cyprus", "CY"),
    ("czech republic", "CZ"),
    ("czechia", "CZ"),
    ("denmark", "DK"),
    ("djibouti", "DJ"),
    ("dominica", "DM"),
    ("dominican republic", "DO"),
    ("ecuador", "EC"),
    ("egypt", "EG"),
    ("egyptian", "EG"),
    ("el salvador", "SV"),
    ("equatorial guinea", "GQ"),
    ("eritrea", "ER"),
    ("eritrean", "ER"),
    ("estonia", "EE"),
    ("eswatini", "SZ"),
    ("ethiopia", "ET"),
    ("ethiopian", "ET"),
    ("fiji", "FJ"),
    ("finland", "FI"),
    ("france", "FR"),
    ("french", "FR"),
    ("gabon", "GA"),
    ("gambia", "GM"),
    ("georgia", "GE"),
    ("germany", "DE"),
    ("german", "DE"),
    ("ghana", "GH"),
    ("gibraltar", "GI"),
    ("greece", "GR"),
    ("guatemala", "GT"),
    ("guernsey", "GG"),
    ("guinea", "GN"),
    ("guinea-bissau", "GW"),
    ("guinea bissau", "GW"),
    ("guyana", "GY"),
    ("haiti", "HT"),
    ("haitian", "HT"),
    ("honduras", "HN"),
    ("hong kong", "HK"),
    ("hungary", "HU"),
    ("iceland", "IS"),
    ("india", "IN"),
    ("indian", "IN"),
    ("indonesia", "ID"),
    ("indonesian", "ID"),
    ("iran", "IR"),
    ("iran islamic republic of", "IR"),
    ("iranian", "IR"),
    ("iraq", "IQ"),
    ("iraqi", "IQ"),
    ("ireland", "IE"),
    ("isle of man", "IM"),
    ("israel", "IL"),
    ("italy", "IT"),
    ("italian", "IT"),
    ("jamaica", "JM"),
    ("japan", "JP"),
    ("jersey", "JE"),
    ("jordan", "JO"),
    ("jordanian", "JO"),
    ("kazakhstan", "KZ"),
    ("kenya", "KE"),
    ("kenyan", "KE"),
    ("korea north", "KP"),
    ("north korea", "KP"),
    ("democratic peoples republic of korea", "KP"),
    ("korea democratic peoples republic of", "KP"),
    ("korea south", "KR"),
    ("south korea", "KR"),
    ("republic of korea", "KR"),
    ("korea republic of", "KR"),
    ("kosovo", "XK"),
    ("kuwait", "KW"),
    ("kuwaiti", "KW"),
    ("kyrgyzstan", "KG"),
    ("laos", "LA"),
    ("lao peoples democratic republic", "LA"),
    ("latvia", "LV"),
    ("lebanon", "LB"),
    ("lebanese", "LB"),
    ("lesotho", "LS"),
    ("liberia", "LR"),
    ("liberian", "LR"),
    ("libya", "LY"),
    ("libyan", "LY"),
    ("libyan arab jamahiriya", "LY"),
    ("liechtenstein", "LI"),
    ("lithuania", "LT"),
    ("luxembourg", "LU"),
    ("macau", "MO"),
    ("macao", "MO"),
    ("madagascar", "MG"),
    ("malawi", "MW"),
    ("malaysia", "MY"),
    ("malaysian", "MY"),
    ("maldives", "MV"),
    ("mali", "ML"),
    ("malian", "ML"),
    ("malta", "MT"),
    ("marshall islands", "MH"),
    ("mauritania", "MR"),
    ("mauritanian", "MR"),
    ("mauritius", "MU"),
    ("mexico", "MX"),
    ("mexican", "MX"),
    ("moldova", "MD"),
    ("republic of moldova", "MD"),
    ("monaco", "MC"),
    ("mongolia", "MN"),
    ("montenegro", "ME"),
    ("morocco", "MA"),
    ("moroccan", "MA"),
    ("mozambique", "MZ"),
    ("namibia", "NA"),
    ("nepal", "NP"),
    ("netherlands", "NL"),
    ("dutch", "NL"),
    ("new zealand", "NZ"),
    ("nicaragua", "NI"),
    ("niger", "NE"),
    ("nigeria", "NG"),
    ("nigerian", "NG"),
    ("north macedonia", "MK"),
    ("north macedonia the republic of", "MK"),
    ("macedonia", "MK"),
    ("norway", "NO"),
    ("oman", "OM"),
    ("pakistan", "PK"),
    ("pakistani", "PK"),
    ("palau", "PW"),
    ("palestinian", "PS"),
    ("state of palestine", "PS"),
    ("palestine", "PS"),
    ("panama", "PA"),
    ("papua new guinea", "PG"),
    ("paraguay", "PY"),
    ("peru", "PE"),
    ("philippines", "PH"),
    ("filipino", "PH"),
    ("poland", "PL"),
    ("portugal", "PT"),
    ("qatar", "QA"),
    ("qatari", "QA"),
    ("romania", "RO"),
    ("russia", "RU"),
    ("russian federation", "RU"),
    ("russian", "RU"),
    ("rwanda", "RW"),
    ("rwandan", "RW"),
    ("saint kitts and nevis", "KN"),
    ("saint lucia", "LC"),
    ("saint vincent and the grenadines", "VC"),
    ("samoa", "WS"),
    ("san marino", "SM"),
    ("saudi arabia", "SA"),
    ("saudi", "SA"),
    ("saudi arabian", "SA"),
    ("senegal", "SN"),
    ("serbia", "RS"),
    ("seychelles", "SC"),
    ("sierra leone", "SL"),
    ("singapore", "SG"),
    ("slovakia", "SK"),
    ("slovenia", "SI"),
    ("somalia", "SO"),
    ("somali", "SO"),
    ("south africa", "ZA"),
    ("south sudan", "SS"),
    ("spain", "ES"),
    ("spanish", "ES"),
    ("sri lanka", "LK"),
    ("sudan", "SD"),
    ("sudanese", "SD"),
    ("suriname", "SR"),
    ("sweden", "SE"),
    ("swedish", "SE"),
    ("switzerland", "CH"),
    ("swiss", "CH"),
    ("syria", "SY"),
    ("syrian arab republic", "SY"),
    ("syrian", "SY"),
    ("taiwan", "TW"),
    ("tajikistan", "TJ"),
    ("tanzania", "TZ"),
    ("united republic of tanzania", "TZ"),
    ("thailand", "TH"),
    ("timor-leste", "TL"),
    ("togo", "TG"),
    ("trinidad and tobago", "TT"),
    ("tunisia", "TN"),
    ("tunisian", "TN"),
    ("turkey", "TR"),
    ("turkiye", "TR"),
    ("türkiye", "TR"),
    ("turkish", "TR"),
    ("turkmenistan", "TM"),
    ("uganda", "UG"),
    ("ugandan", "UG"),
    ("ukraine", "UA"),
    ("ukrainian", "UA"),
    ("united arab emirates", "AE"),
    ("uae", "AE"),
    ("united kingdom", "GB"),
    ("uk", "GB"),
    ("british", "GB"),
    ("united kingdom of great britain and northern ireland", "GB"),
    ("united states", "US"),
    ("united states of america", "US"),
    ("usa", "US"),
    ("american", "US"),
    ("uruguay", "UY"),
    ("uzbekistan", "UZ"),
    ("vanuatu", "VU"),
    ("venezuela", "VE"),
    ("venezuelan", "VE"),
    ("vietnam", "VN"),
    ("viet nam", "VN"),
    ("yemen", "YE"),
    ("yemeni", "YE"),
    ("zambia", "ZM"),
    ("zimbabwe", "ZW"),
    ("zimbabwean", "ZW"),
];

/// Names the generated ISO table lacks: Russian names iso-codes leaves
/// untranslated, and the short forms people write in Ukrainian and Russian
/// for the countries of the jurisdiction rules, their neighbours and the
/// FATF lists.
const MORE_NAMES: &[(&str, &str)] = &[
    ("Иран", "IR"),
    ("Лаос", "LA"),
    ("Сирия", "SY"),
    ("Турция", "TR"),
    ("Туреччина", "TR"),
    ("Türkiye", "TR"),
    ("Россия", "RU"),
    ("Росія", "RU"),
    ("РФ", "RU"),
    ("Российская Федерация", "RU"),
    ("Беларусь", "BY"),
    ("Белоруссия", "BY"),
    ("Білорусія", "BY"),
    ("КНДР", "KP"),
    ("Северная Корея", "KP"),
    ("Північна Корея", "KP"),
    ("Южная Корея", "KR"),
    ("Південна Корея", "KR"),
    ("Молдавия", "MD"),
    ("Молдова", "MD"),
    ("Киргизия", "KG"),
    ("Киргизстан", "KG"),
    ("Кыргызстан", "KG"),
    ("Великобритания", "GB"),
    ("Британия", "GB"),
    ("США", "US"),
    ("Америка", "US"),
    ("Мьянма", "MM"),
    ("М'янма", "MM"),
    ("Бирма", "MM"),
    ("Грузия", "GE"),
    ("Грузія", "GE"),
    ("Венесуэла", "VE"),
    ("Венесуела", "VE"),
    ("Вьетнам", "VN"),
    ("В'єтнам", "VN"),
    ("Кот-д'Ивуар", "CI"),
    ("Кот-д'Івуар", "CI"),
    ("ДР Конго", "CD"),
    ("ОАЭ", "AE"),
    ("ОАЕ", "AE"),
];

/// Regions and pseudo-codes that stand for a region, with the code they
/// are read as: the occupied regions of Ukraine and the oblasts the
/// occupation touches by name (English, Ukrainian, Russian; `обл.` for
/// `область`) and the pseudo-codes the NSDC register writes (`DN`, `LN`,
/// read as themselves).
pub const REGIONS: &[(&str, &str)] = &[
    // the oblasts the occupation touches, by name: an address's region is
    // read as their code (which oblast an address is in decides which
    // occupied towns it can be; Luhansk oblast is listed whole)
    ("Luhansk oblast", "UA-09"),
    ("Luhanska oblast", "UA-09"),
    ("Lugansk oblast", "UA-09"),
    ("Luhansk region", "UA-09"),
    ("Lugansk region", "UA-09"),
    ("Луганська область", "UA-09"),
    ("Луганська обл", "UA-09"),
    ("Луганщина", "UA-09"),
    ("Луганская область", "UA-09"),
    ("Луганская обл", "UA-09"),
    ("Donetsk oblast", "UA-14"),
    ("Donetska oblast", "UA-14"),
    ("Donetsk region", "UA-14"),
    ("Донецька область", "UA-14"),
    ("Донецька обл", "UA-14"),
    ("Донеччина", "UA-14"),
    ("Донецкая область", "UA-14"),
    ("Донецкая обл", "UA-14"),
    ("Zaporizhzhia oblast", "UA-23"),
    ("Zaporizka oblast", "UA-23"),
    ("Zaporozhye oblast", "UA-23"),
    ("Zaporizhzhia region", "UA-23"),
    ("Zaporozhye region", "UA-23"),
    ("Запорізька область", "UA-23"),
    ("Запорізька обл", "UA-23"),
    ("Запорожская область", "UA-23"),
    ("Запорожская обл", "UA-23"),
    ("Kherson oblast", "UA-65"),
    ("Khersonska oblast", "UA-65"),
    ("Kherson region", "UA-65"),
    ("Херсонська область", "UA-65"),
    ("Херсонська обл", "UA-65"),
    ("Херсонщина", "UA-65"),
    ("Херсонская область", "UA-65"),
    ("Херсонская обл", "UA-65"),
    ("DN", "DN"),
    ("LN", "LN"),
    ("Crimea", "UA-43"),
    ("Krym", "UA-43"),
    ("Autonomous Republic of Crimea", "UA-43"),
    ("Republic of Crimea", "UA-43"),
    ("Крим", "UA-43"),
    ("Крым", "UA-43"),
    ("Автономна Республіка Крим", "UA-43"),
    ("Республика Крым", "UA-43"),
    ("Sevastopol", "UA-40"),
    ("Sebastopol", "UA-40"),
    ("Севастополь", "UA-40"),
    ("DNR", "DN"),
    ("DPR", "DN"),
    ("Donetsk People's Republic", "DN"),
    ("ДНР", "DN"),
    ("Донецька Народна Республіка", "DN"),
    ("Донецкая Народная Республика", "DN"),
    ("LNR", "LN"),
    ("LPR", "LN"),
    ("Luhansk People's Republic", "LN"),
    ("Lugansk People's Republic", "LN"),
    ("ЛНР", "LN"),
    ("Луганська Народна Республіка", "LN"),
    ("Луганская Народная Республика", "LN"),
];

/// Codes outside ISO 3166-1 that countries are written with: Kosovo's
/// user-assigned `XK`/`XKX`, and `UK`, which ISO reserves for the United
/// Kingdom.
const EXTRA_CODES: &[(&str, &str)] = &[("XK", "XK"), ("XKX", "XK"), ("UK", "GB")];

fn key(name: &str) -> String {
    let lowered: String = name
        .chars()
        .filter(|c| {
            !matches!(
                c,
                '.' | ',' | '\'' | '’' | 'ʼ' | '`' | '(' | ')' | '\u{301}'
            )
        })
        .map(|c| if c == '-' { ' ' } else { c })
        .collect::<String>()
        .to_lowercase()
        .replace('ё', "е");
    let words: Vec<&str> = lowered.split_whitespace().collect();
    let words = match words.first() {
        Some(&"the") => &words[1..],
        _ => &words[..],
    };
    words.join(" ")
}

fn table() -> &'static HashMap<String, &'static str> {
    static TABLE: OnceLock<HashMap<String, &'static str>> = OnceLock::new();
    TABLE.get_or_init(|| COUNTRY_NAMES.iter().map(|(n, c)| (key(n), *c)).collect())
}

/// Every name [`country_code`] reads, by [`key`]: the list spellings, the
/// generated ISO names, [`MORE_NAMES`] and [`REGIONS`].
fn field_table() -> &'static HashMap<String, &'static str> {
    static TABLE: OnceLock<HashMap<String, &'static str>> = OnceLock::new();
    TABLE.get_or_init(|| field_names().map(|(n, c)| (key(n), c)).collect())
}

/// The `(name, code)` pairs of [`field_table`].
fn field_names() -> impl Iterator<Item = (&'static str, &'static str)> {
    let short_names = ISO_3166_1.iter().map(|(a2, _, name)| (*name, *a2));
    let others = COUNTRY_NAMES
        .iter()
        .chain(ISO_3166_1_NAMES)
        .chain(MORE_NAMES)
        .chain(REGIONS)
        .map(|(n, c)| (*n, *c));
    short_names.chain(others)
}

/// The alpha-2 code for an alpha-2 or alpha-3 code in upper case.
fn known_code(code: &str) -> Option<&'static str> {
    match code.len() {
        2 => ISO_3166_1
            .binary_search_by(|(a2, _, _)| (*a2).cmp(code))
            .ok()
            .map(|i| ISO_3166_1[i].0),
        3 => ISO_3166_1
            .iter()
            .find(|(_, a3, _)| *a3 == code)
            .map(|(a2, _, _)| *a2),
        _ => None,
    }
    .or_else(|| {
        EXTRA_CODES
            .iter()
            .find(|(c, _)| *c == code)
            .map(|(_, a2)| *a2)
    })
}

/// How a country field reads: an ISO 3166-1 alpha-2 code (`IR`), an ISO
/// 3166-2 region code as given in upper case (`UA-43`), or a pseudo-code of
/// [`REGIONS`] (`DN`). Accepted: alpha-2 and alpha-3 codes in any case
/// (`IR`, `ir`, `IRN`), names in English, Ukrainian or Russian (`Iran`,
/// `Іран`, `Иран`, `North Korea`), region codes whose country part is a
/// country (`UA-43`), and the region names of [`REGIONS`] (`Crimea` →
/// `UA-43`). `None` for anything else: the caller must not pass it.
///
/// Cheap for a code already in normal form (no allocation).
pub(crate) fn country_code(text: &str) -> Option<Cow<'static, str>> {
    let t = text.trim();
    if (2..=3).contains(&t.len()) && t.bytes().all(|b| b.is_ascii_alphabetic()) {
        let mut upper = [0u8; 3];
        for (u, b) in upper.iter_mut().zip(t.bytes()) {
            *u = b.to_ascii_uppercase();
        }
        let upper = std::str::from_utf8(&upper[..t.len()]).unwrap_or_default();
        if let Some(code) = known_code(upper) {
            return Some(Cow::Borrowed(code));
        }
    }
    if let Some((country, region)) = t.split_once('-') {
        let valid_region =
            (1..=3).contains(&region.len()) && region.bytes().all(|b| b.is_ascii_alphanumeric());
        let country = country.to_ascii_uppercase();
        if valid_region && country.len() == 2 && known_code(&country) == Some(country.as_str()) {
            return Some(Cow::Owned(format!(
                "{country}-{}",
                region.to_ascii_uppercase()
            )));
        }
    }
    if t.len() > 200 {
        return None; // longer than any country name; not worth folding
    }
    field_table().get(&key(t)).map(|c| Cow::Borrowed(*c))
}

/// What [`country_code`] accepts, for error messages.
pub(crate) const COUNTRY_EXPECTED: &str = "an ISO 3166 alpha-2 or alpha-3 code (IR, IRN), a \
     country name in English, Ukrainian or Russian (Iran, Іран, Иран), or an ISO 3166-2 region \
     code (UA-43)";

/// The ISO 3166-1 alpha-2 code for a country name or an upper-case
/// two-letter code, if known.
pub fn iso2(name: &str) -> Option<&'static str> {
    let name = name.trim();
    if name.len() == 2 && name.bytes().all(|b| b.is_ascii_uppercase()) {
        // codes are upper case; lower-case `na` is the UN's "not available"
        return COUNTRY_NAMES.iter().map(|(_, c)| *c).find(|c| *c == name);
    }
    table().get(&key(name)).copied()
}

/// Pushes the code for `name` onto `out` unless unknown or already present.
pub fn push_country(out: &mut Vec<String>, name: &str) {
    if let Some(code) = iso2(name) {
        if !out.iter().any(|c| c == code) {
            out.push(code.to_owned());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso2_reads_names_and_codes() {
        assert_eq!(iso2("Korea, North"), Some("KP"));
        assert_eq!(iso2("Iran (Islamic Republic of)"), Some("IR"));
        assert_eq!(iso2("RU"), Some("RU"));
        assert_eq!(iso2("Atlantis"), None);
    }

    #[test]
    fn names_seen_in_the_lists_map() {
        for (name, code) in [
            ("Russia", "RU"),
            ("Russian Federation", "RU"),
            ("Congo, Democratic Republic of the", "CD"),
            ("Democratic People's Republic of Korea", "KP"),
            ("The Gambia", "GM"),
            ("Türkiye", "TR"),
            ("Virgin Islands, British", "VG"),
            ("United Kingdom of Great Britain and Northern Ireland", "GB"),
            ("Syrian Arab Republic", "SY"),
        ] {
            assert_eq!(iso2(name), Some(code), "{name}");
        }
        assert_eq!(iso2("former Soviet Union"), None);
        let mut v = Vec::new();
        push_country(&mut v, "Russia");
        push_country(&mut v, "RU");
        push_country(&mut v, "na");
        assert_eq!(v, ["RU"]);
    }

    #[test]
    fn no_name_reads_as_two_countries() {
        let mut seen: HashMap<String, (&str, &str)> = HashMap::new();
        for (name, code) in field_names() {
            if let Some((other, first)) = seen.insert(key(name), (name, code)) {
                assert_eq!(first, code, "'{name}' and '{other}' fold alike");
            }
        }
        assert_eq!(ISO_3166_1.len(), 249);
        assert!(ISO_3166_1.windows(2).all(|w| w[0].0 < w[1].0), "sorted");
        for (name, code) in REGIONS {
            assert!(country_code(code).is_some(), "{name} → {code}");
        }
    }

    #[test]
    fn fields_read_codes_names_and_regions() {
        let read = |t: &str| country_code(t).map(Cow::into_owned);
        for (text, code) in [
            ("IR", "IR"),
            ("ir", "IR"),
            (" IRN ", "IR"),
            ("irn", "IR"),
            ("PRK", "KP"),
            ("RUS", "RU"),
            ("Iran", "IR"),
            ("Іран", "IR"),
            ("Иран", "IR"),
            ("North Korea", "KP"),
            ("Північна Корея", "KP"),
            ("Северная Корея", "KP"),
            ("КНДР", "KP"),
            ("Україна", "UA"),
            ("Украина", "UA"),
            ("Россия", "RU"),
            ("Російська Федерація", "RU"),
            ("Беларусь", "BY"),
            ("Білорусь", "BY"),
            ("М’янма", "MM"),
            ("Мʼянма", "MM"),
            ("Korea, Democratic People's Republic of", "KP"),
            ("Côte d'Ivoire", "CI"),
            ("Guinea-Bissau", "GW"),
            ("mm", "MM"),
            ("UA-43", "UA-43"),
            ("ua-40", "UA-40"),
            ("UA-32", "UA-32"),
            ("Crimea", "UA-43"),
            ("Крым", "UA-43"),
            ("Sevastopol", "UA-40"),
            ("DN", "DN"),
            ("ln", "LN"),
            ("Lugansk People's Republic", "LN"),
            ("XK", "XK"),
            ("UK", "GB"),
        ] {
            assert_eq!(read(text).as_deref(), Some(code), "{text}");
        }
        for bad in [
            "XX", "QQQ", "", "Atlantis", "U", "UAA-43", "XX-01", "UA-", "UA-1234", "I R", "1R",
            "Iran!!!x",
        ] {
            assert_eq!(read(bad), None, "{bad}");
        }
    }
}
