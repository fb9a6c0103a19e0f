//! Country names (as OFAC, UN, UK and OFSI print them) to ISO 3166-1
//! alpha-2 codes. The table is data: add a spelling when a list uses a new
//! one. Lookup ignores case, punctuation and a leading "the".

use std::collections::HashMap;
use std::sync::OnceLock;

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

fn key(name: &str) -> String {
    let lowered: String = name
        .chars()
        .filter(|c| !matches!(c, '.' | ',' | '\'' | '’' | '(' | ')'))
        .collect::<String>()
        .to_lowercase();
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
}
