//! Every forbidden platform × every evasion technique × every channel
//! (issue 13, items 2–6): each must be held or blocked, except leetspeak and
//! typos, whose caught share is printed. Benign near-misses stay allowed,
//! and organisations that merely contain a platform's word are never
//! blocked.
//!
//! The platforms come from the shipped `rules/platforms.yaml`; the
//! techniques are generated from each platform's name and domain, never
//! written per platform, so a platform added to the file is tested the
//! same way. Run with `--nocapture` for the per-technique table.

use std::collections::BTreeMap;

use amlscreen::{Action, Decision, Engine, RuleSet, Screener, Transaction};
use serde_json::json;

/// A technique rewrites a platform's name (or domain); `None` when it does
/// not apply (a name with no letter that has a look-alike, say).
type Technique = fn(&str) -> Option<String>;

/// Whether a technique must be caught, or is measured only.
#[derive(Clone, Copy, PartialEq)]
enum Expect {
    Caught,
    Measured,
}

fn techniques() -> Vec<(&'static str, Technique, Expect)> {
    use Expect::*;
    vec![
        ("as written", |s| Some(s.to_owned()), Caught),
        ("upper case", |s| Some(s.to_uppercase()), Caught),
        (
            "cyrillic look-alikes",
            |s| map_letters(s, cyrillic_lookalike),
            Caught,
        ),
        (
            "cyrillic look-alikes, upper case",
            |s| map_letters(&s.to_uppercase(), cyrillic_lookalike),
            Caught,
        ),
        (
            "greek look-alikes",
            |s| map_letters(&s.to_uppercase(), greek_lookalike),
            Caught,
        ),
        (
            "armenian look-alikes",
            |s| map_letters(&s.to_lowercase(), armenian_lookalike),
            Caught,
        ),
        (
            "cherokee look-alikes",
            |s| map_letters(&s.to_uppercase(), cherokee_lookalike),
            Caught,
        ),
        (
            "regional indicators",
            |s| map_letters(s, regional_indicator),
            Caught,
        ),
        ("full-width", |s| map_letters(s, full_width), Caught),
        (
            "zero-width space inside",
            |s| Some(inside(s, "\u{200B}")),
            Caught,
        ),
        (
            "zero-width joiner inside",
            |s| Some(inside(s, "\u{200D}")),
            Caught,
        ),
        (
            "soft hyphen inside",
            |s| Some(inside(s, "\u{00AD}")),
            Caught,
        ),
        (
            "word joiner inside",
            |s| Some(inside(s, "\u{2060}")),
            Caught,
        ),
        (
            "braille blank inside",
            |s| Some(inside(s, "\u{2800}")),
            Caught,
        ),
        (
            "interlinear annotation inside",
            |s| Some(inside(s, "\u{FFF9}")),
            Caught,
        ),
        (
            "musical format control inside",
            |s| Some(inside(s, "\u{1D173}")),
            Caught,
        ),
        (
            "shorthand format control inside",
            |s| Some(inside(s, "\u{1BCA0}")),
            Caught,
        ),
        (
            "egyptian format control inside",
            |s| Some(inside(s, "\u{13430}")),
            Caught,
        ),
        (
            "tag character inside",
            |s| Some(inside(s, "\u{E0041}")),
            Caught,
        ),
        (
            "variation selector inside",
            |s| Some(inside(s, "\u{FE0F}")),
            Caught,
        ),
        (
            "mongolian vowel separator inside",
            |s| Some(inside(s, "\u{180E}")),
            Caught,
        ),
        (
            "hangul filler inside",
            |s| Some(inside(s, "\u{3164}")),
            Caught,
        ),
        ("hair space inside", |s| Some(inside(s, "\u{200A}")), Caught),
        (
            "ideographic space inside",
            |s| Some(inside(s, "\u{3000}")),
            Caught,
        ),
        ("tab inside", |s| Some(inside(s, "\t")), Caught),
        (
            "no-break spaces for spaces",
            |s| Some(s.replace(' ', "\u{00A0}")),
            Caught,
        ),
        (
            "right-to-left override",
            |s| {
                Some(format!(
                    "\u{202E}{}\u{202C}",
                    s.chars().rev().collect::<String>()
                ))
            },
            Caught,
        ),
        ("letters spaced", |s| Some(separated(s, " ")), Caught),
        ("letters dotted", |s| Some(separated(s, ".")), Caught),
        ("letters dashed", |s| Some(separated(s, "-")), Caught),
        ("russian spelling", |s| Some(to_cyrillic(s, false)), Caught),
        ("ukrainian spelling", |s| Some(to_cyrillic(s, true)), Caught),
        ("possessive", |s| Some(format!("{s}'s")), Caught),
        (
            "possessive, typographic apostrophe",
            |s| Some(format!("{s}\u{2019}s")),
            Caught,
        ),
        ("glued suffix", |s| Some(format!("{}Pay", glued(s))), Caught),
        ("glued prefix", |s| Some(format!("My{}", glued(s))), Caught),
        (
            "defanged",
            |s| s.contains('.').then(|| s.replacen('.', "[.]", 1)),
            Caught,
        ),
        (
            "defanged (dot)",
            |s| s.contains('.').then(|| s.replacen('.', "(dot)", 1)),
            Caught,
        ),
        ("leetspeak", leet, Measured),
        ("typo: letter dropped", |s| typo(s, Typo::Drop), Measured),
        ("typo: letters swapped", |s| typo(s, Typo::Swap), Measured),
        ("typo: letter doubled", |s| typo(s, Typo::Double), Measured),
    ]
}

/// Techniques only a domain field has.
fn domain_techniques() -> Vec<(&'static str, Technique)> {
    vec![
        ("e-mail address", |d| Some(format!("user@{d}"))),
        ("URL with user and password", |d| {
            Some(format!("https://user:pw@{d}/"))
        }),
        ("scheme-relative URL", |d| Some(format!("//{d}"))),
        ("scheme without slashes", |d| Some(format!("https:{d}"))),
        ("URL with port, path and query", |d| {
            Some(format!("http://{d}:8080/a/b?c=d#e"))
        }),
        ("ideographic full stop", |d| {
            Some(d.replace('.', "\u{3002}"))
        }),
        ("full-width full stop", |d| Some(d.replace('.', "\u{FF0E}"))),
        ("trailing dot", |d| Some(format!("{d}."))),
        ("www and upper case", |d| {
            Some(format!("WWW.{}", d.to_uppercase()))
        }),
        ("defanged URL", |d| {
            Some(format!("hxxps://{}", d.replace('.', "[.]")))
        }),
        ("punycode of a look-alike", |d| {
            let lookalike = map_letters(d, cyrillic_lookalike)?;
            amlscreen::read_domain(&lookalike).ok().map(|h| h.ascii)
        }),
        ("subdomain", |d| Some(format!("pay.{d}"))),
    ]
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Channel {
    Vasp,
    Domain,
    Memo,
    OrganisationName,
    PersonName,
}

const CHANNELS: [Channel; 5] = [
    Channel::Vasp,
    Channel::Domain,
    Channel::Memo,
    Channel::OrganisationName,
    Channel::PersonName,
];

fn transaction(channel: Channel, text: &str, n: usize) -> Transaction {
    let mut tx = json!({
        "id": format!("m{n}"),
        "timestamp": "2026-11-21T10:00:00Z",
        "customer_id": format!("c{n}"),
        "direction": "outgoing",
        "amount": "10",
        "currency": "USDT",
        "value": "10",
        "beneficiary": {"name": "Olena Kovalenko", "kind": "person"},
    });
    let b = &mut tx["beneficiary"];
    match channel {
        Channel::Vasp => b["vasp"] = json!(text),
        Channel::Domain => {
            b["name"] = json!("Acme Trading Ltd");
            b["kind"] = json!("organization");
            b["domain"] = json!(text);
        }
        Channel::Memo => tx["memo"] = json!(format!("payout to {text} for order 5521")),
        Channel::OrganisationName => {
            b["name"] = json!(text);
            b["kind"] = json!("organization");
        }
        Channel::PersonName => b["name"] = json!(text),
    }
    Transaction::from_json(&tx.to_string()).unwrap_or_else(|e| panic!("{text:?}: {e}"))
}

fn screener() -> Screener {
    let rules =
        RuleSet::load(&crate::common::repo().join("rules")).unwrap_or_else(|e| panic!("{e:?}"));
    Screener::new(Engine::builder(rules).build())
}

fn decide(s: &Screener, channel: Channel, text: &str, n: usize) -> Decision {
    s.evaluate(&transaction(channel, text, n))
        .unwrap_or_else(|e| panic!("{channel:?} {text:?}: {e}"))
}

#[derive(Default)]
struct Tally {
    tried: usize,
    caught: usize,
    blocked: usize,
}

#[test]
fn every_platform_every_technique_every_channel_is_held_or_blocked() {
    let s = screener();
    let platforms = s.engine().platforms().platforms().to_vec();
    assert_eq!(platforms.len(), 21);
    let mut tallies: BTreeMap<&str, Tally> = BTreeMap::new();
    let mut by_channel: BTreeMap<Channel, Tally> = BTreeMap::new();
    let mut missed: Vec<String> = Vec::new();
    let mut n = 0;
    let mut run = |technique: &'static str,
                   expect: Expect,
                   channel: Channel,
                   text: &str,
                   platform: &str,
                   tallies: &mut BTreeMap<&str, Tally>| {
        n += 1;
        let d = decide(&s, channel, text, n);
        let caught = d.action != Action::Allow;
        for t in [
            tallies.entry(technique).or_default(),
            by_channel.entry(channel).or_default(),
        ] {
            t.tried += 1;
            t.caught += usize::from(caught);
            t.blocked += usize::from(d.action == Action::Block);
        }
        if !caught && expect == Expect::Caught {
            missed.push(format!("{platform} / {technique} / {channel:?}: {text:?}"));
        }
        if !caught && expect == Expect::Measured {
            println!(
                "measured technique let through: {platform} / {technique} / {channel:?}: {text:?}"
            );
        }
        if d.action == Action::Block && expect == Expect::Measured {
            println!(
                "measured technique blocked: {platform} / {technique} / {channel:?}: {text:?}"
            );
        }
    };
    for p in &platforms {
        for (technique, make, expect) in techniques() {
            for channel in CHANNELS {
                let base = if channel == Channel::Domain {
                    match p.domains.iter().find(|d| !d.ends_with(".onion")) {
                        Some(d) => d.clone(),
                        None => continue, // a platform without a domain
                    }
                } else {
                    p.name.clone()
                };
                if let Some(text) = make(&base) {
                    run(technique, expect, channel, &text, &p.id, &mut tallies);
                }
            }
        }
        for (technique, make) in domain_techniques() {
            for d in &p.domains {
                if let Some(text) = make(d) {
                    run(
                        technique,
                        Expect::Caught,
                        Channel::Domain,
                        &text,
                        &p.id,
                        &mut tallies,
                    );
                }
            }
        }
    }
    println!(
        "{:<40} {:>6} {:>6} {:>7}",
        "technique", "tried", "caught", "blocked"
    );
    for (technique, t) in &tallies {
        println!(
            "{technique:<40} {:>6} {:>6} {:>7}",
            t.tried, t.caught, t.blocked
        );
    }
    for (channel, t) in &by_channel {
        println!(
            "{:<40} {:>6} {:>6} {:>7}",
            format!("{channel:?}"),
            t.tried,
            t.caught,
            t.blocked
        );
    }
    assert!(
        missed.is_empty(),
        "{} let through:\n{}",
        missed.len(),
        missed.join("\n")
    );
    // the measured techniques: most are caught
    for technique in ["leetspeak", "typo: letter dropped", "typo: letters swapped"] {
        let t = &tallies[technique];
        assert!(
            t.caught * 2 > t.tried,
            "{technique}: {}/{}",
            t.caught,
            t.tried
        );
    }
}

#[test]
fn benign_near_misses_stay_allowed() {
    let s = screener();
    let mut n = 0;
    for (channel, text) in [
        (Channel::Memo, "the gate is open"),
        (Channel::Memo, "new blender for the kitchen"),
        (Channel::Memo, "capitalist economy reading list"),
        (Channel::Memo, "hydraulics parts, invoice 42"),
        (Channel::OrganisationName, "Hydraulic Supplies LLC"),
        (Channel::OrganisationName, "Gateway Logistics LLC"),
        (Channel::OrganisationName, "Norsk Hydro ASA"),
        (Channel::OrganisationName, "Commerce Bank"),
        (Channel::PersonName, "Emma Lazarus"),
        (Channel::PersonName, "Maxim Gidrov"),
        (Channel::Vasp, "Kuna"),
        (Channel::Vasp, "WhiteBIT"),
        (Channel::Domain, "kuna.io"),
        (Channel::Domain, "notgate.io"),
    ] {
        n += 1;
        let d = decide(&s, channel, text, n);
        assert_eq!(
            d.action,
            Action::Allow,
            "{channel:?} {text:?}: {:?}",
            d.reasons
        );
    }
}

#[test]
fn organisations_that_merely_contain_a_platform_word_are_never_blocked() {
    let s = screener();
    let mut n = 0;
    for text in [
        "Hydra Pumps GmbH",
        "Rapira Fencing Club",
        "Commex Trading LLC",
        "my capitalist net worth",
    ] {
        for channel in [Channel::OrganisationName, Channel::Vasp, Channel::Memo] {
            n += 1;
            let d = decide(&s, channel, text, n);
            assert_ne!(
                d.action,
                Action::Block,
                "{channel:?} {text:?}: {:?}",
                d.reasons
            );
        }
    }
}

#[test]
fn a_vasp_field_naming_the_platform_freezes_and_says_how_it_was_spelt() {
    let s = screener();
    for (n, (text, spelling)) in [
        ("Garantex", None),
        ("Garantex Europe OU", None),
        ("Гарантекс", None),
        ("МЕХС", Some("look-alike")),
        ("ΗΥDRΑ", Some("look-alike")),
    ]
    .into_iter()
    .enumerate()
    {
        let d = decide(&s, Channel::Vasp, text, n);
        assert_eq!(d.action, Action::Block, "{text:?}: {:?}", d.reasons);
        if let Some(spelling) = spelling {
            assert!(
                d.reasons.iter().any(|f| f.message.contains(spelling)),
                "{text:?}: {:?}",
                d.reasons
            );
        }
    }
    // the Russian spellings the issue names: caught
    for (n, text) in ["Гарантекс", "Гидра", "Торнадо Кэш", "Нобитекс", "Битпапа"]
        .into_iter()
        .enumerate()
    {
        let d = decide(&s, Channel::Vasp, text, 50 + n);
        assert_ne!(d.action, Action::Allow, "{text:?}: {:?}", d.reasons);
    }
    // an uncertain spelling in the VASP field holds, and says why
    let d = decide(&s, Channel::Vasp, "Garntex", 99);
    assert_eq!(d.action, Action::Hold, "{:?}", d.reasons);
    assert!(
        d.reasons.iter().any(|f| f.message.contains("misspelt")),
        "{:?}",
        d.reasons
    );
}

#[test]
fn an_unreadable_domain_holds_with_the_reason() {
    let s = screener();
    let d = decide(&s, Channel::Domain, "http://exa mple", 1);
    assert_eq!(d.action, Action::Hold, "{:?}", d.reasons);
    assert!(
        d.reasons
            .iter()
            .any(|f| f.message.contains("cannot be read")),
        "{:?}",
        d.reasons
    );
}

// ---- the techniques ----

fn map_letters(s: &str, f: fn(char) -> Option<char>) -> Option<String> {
    let mut changed = 0;
    let out: String = s
        .chars()
        .map(|c| match f(c) {
            Some(m) => {
                changed += 1;
                m
            }
            None => c,
        })
        .collect();
    (changed > 0).then_some(out)
}

fn cyrillic_lookalike(c: char) -> Option<char> {
    let m = match c {
        'a' => 'а',
        'c' => 'с',
        'e' => 'е',
        'o' => 'о',
        'p' => 'р',
        'x' => 'х',
        'y' => 'у',
        'i' => 'і',
        'j' => 'ј',
        's' => 'ѕ',
        'A' => 'А',
        'B' => 'В',
        'C' => 'С',
        'E' => 'Е',
        'H' => 'Н',
        'I' => 'І',
        'K' => 'К',
        'M' => 'М',
        'O' => 'О',
        'P' => 'Р',
        'T' => 'Т',
        'X' => 'Х',
        'Y' => 'У',
        'S' => 'Ѕ',
        _ => return None,
    };
    Some(m)
}

fn greek_lookalike(c: char) -> Option<char> {
    let m = match c {
        'A' => 'Α',
        'B' => 'Β',
        'E' => 'Ε',
        'H' => 'Η',
        'I' => 'Ι',
        'K' => 'Κ',
        'M' => 'Μ',
        'N' => 'Ν',
        'O' => 'Ο',
        'P' => 'Ρ',
        'T' => 'Τ',
        'X' => 'Χ',
        'Y' => 'Υ',
        'Z' => 'Ζ',
        _ => return None,
    };
    Some(m)
}

fn armenian_lookalike(c: char) -> Option<char> {
    let m = match c {
        'o' => 'օ',
        'u' => 'ս',
        'h' => 'հ',
        'n' => 'ո',
        'g' => 'ց',
        'q' => 'զ',
        _ => return None,
    };
    Some(m)
}

fn cherokee_lookalike(c: char) -> Option<char> {
    let m = match c {
        'A' => 'Ꭺ',
        'B' => 'Ᏼ',
        'C' => 'Ꮯ',
        'D' => 'Ꭰ',
        'E' => 'Ꭼ',
        'G' => 'Ꮐ',
        'H' => 'Ꮋ',
        'J' => 'Ꭻ',
        'K' => 'Ꮶ',
        'L' => 'Ꮮ',
        'M' => 'Ꮇ',
        'P' => 'Ꮲ',
        'R' => 'Ꭱ',
        'S' => 'Ꮪ',
        'T' => 'Ꭲ',
        'V' => 'Ꮩ',
        'W' => 'Ꮃ',
        'Z' => 'Ꮓ',
        _ => return None,
    };
    Some(m)
}

fn regional_indicator(c: char) -> Option<char> {
    let c = c.to_ascii_uppercase();
    c.is_ascii_uppercase()
        .then(|| char::from_u32(0x1F1E6 + (c as u32 - 'A' as u32)))
        .flatten()
}

fn full_width(c: char) -> Option<char> {
    ('!'..='~')
        .contains(&c)
        .then(|| char::from_u32(c as u32 - 0x21 + 0xFF01))
        .flatten()
}

/// `sep` inserted after the second letter and before the last.
fn inside(s: &str, sep: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::new();
    for (i, c) in chars.iter().enumerate() {
        if i == 2 || (i + 1 == chars.len() && i > 3) {
            out.push_str(sep);
        }
        out.push(*c);
    }
    out
}

/// Every letter and digit separated by `sep` ("G.a.r.a.n.t.e.x").
fn separated(s: &str, sep: &str) -> String {
    let parts: Vec<String> = s
        .chars()
        .filter(|c| c.is_alphanumeric())
        .map(String::from)
        .collect();
    parts.join(sep)
}

/// The name without spaces and dots, to glue to another word.
fn glued(s: &str) -> String {
    s.chars().filter(|c| c.is_alphanumeric()).collect()
}

fn leet(s: &str) -> Option<String> {
    let mut changed = false;
    let out = s
        .chars()
        .map(|c| {
            let m = match c.to_ascii_lowercase() {
                'a' => '4',
                'e' => '3',
                'o' => '0',
                'i' => '1',
                's' => '5',
                't' => '7',
                _ => return c,
            };
            changed = true;
            m
        })
        .collect();
    changed.then_some(out)
}

enum Typo {
    Drop,
    Swap,
    Double,
}

/// One typo in the middle of the longest word.
fn typo(s: &str, kind: Typo) -> Option<String> {
    let words: Vec<&str> = s.split(' ').collect();
    let (longest, _) = words
        .iter()
        .enumerate()
        .max_by_key(|(_, w)| w.chars().filter(|c| c.is_alphabetic()).count())?;
    let chars: Vec<char> = words[longest].chars().collect();
    if chars.len() < 4 {
        return None;
    }
    let mid = chars.len() / 2;
    let mut c = chars.clone();
    match kind {
        Typo::Drop => {
            c.remove(mid);
        }
        Typo::Swap => {
            if c[mid] == c[mid - 1] {
                return None;
            }
            c.swap(mid - 1, mid);
        }
        Typo::Double => c.insert(mid, c[mid]),
    }
    let mut words: Vec<String> = words.iter().map(|w| w.to_string()).collect();
    words[longest] = c.into_iter().collect();
    Some(words.join(" "))
}

/// How a Russian (or Ukrainian) writer spells a Latin brand: by sound,
/// letter group by letter group. Generic rules, not per-brand spellings.
fn to_cyrillic(s: &str, ukrainian: bool) -> String {
    let lower = s.to_lowercase();
    let b: Vec<char> = lower.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < b.len() {
        let rest: String = b[i..].iter().collect();
        let next = b.get(i + 1).copied();
        let vowel_next = matches!(next, Some('a' | 'e' | 'i' | 'o' | 'u' | 'y'));
        let (cyr, len): (&str, usize) = if rest.starts_with("sh") {
            ("ш", 2)
        } else if rest.starts_with("ch") {
            ("ч", 2)
        } else if rest.starts_with("ck") {
            ("к", 2)
        } else if rest.starts_with("ph") {
            ("ф", 2)
        } else if rest.starts_with("oo") || rest.starts_with("ou") {
            ("у", 2)
        } else if rest.starts_with("ex") {
            ("екс", 2)
        } else {
            let c = match b[i] {
                'a' => "а",
                'b' => "б",
                'c' if matches!(next, Some('e' | 'i' | 'y')) => "с",
                'c' => "к",
                'd' => "д",
                'e' if i == 0 => {
                    if ukrainian {
                        "е"
                    } else {
                        "э"
                    }
                }
                'e' => "е",
                'f' => "ф",
                'g' => "г",
                'h' => {
                    if ukrainian {
                        "г"
                    } else {
                        "х"
                    }
                }
                'i' => {
                    if ukrainian {
                        "і"
                    } else {
                        "и"
                    }
                }
                'j' => "дж",
                'k' => "к",
                'l' => "л",
                'm' => "м",
                'n' => "н",
                'o' => "о",
                'p' => "п",
                'q' => "к",
                'r' => "р",
                's' => "с",
                't' => "т",
                'u' if i == 0 => "ю",
                'u' => "у",
                'v' => "в",
                'w' => "в",
                'x' => "кс",
                'y' if vowel_next => "й",
                'y' => {
                    if ukrainian {
                        "і"
                    } else {
                        "и"
                    }
                }
                'z' => "з",
                '.' => ".",
                ' ' => " ",
                c if c.is_ascii_digit() => {
                    out.push(c);
                    i += 1;
                    continue;
                }
                _ => "",
            };
            (c, 1)
        };
        out.push_str(cyr);
        i += len;
    }
    out
}

#[test]
fn readings_that_a_review_found_wrong_stay_right() {
    let s = screener();
    let mut n = 1000;
    let mut check = |channel: Channel, text: &str, want: &[Action]| {
        n += 1;
        let d = decide(&s, channel, text, n);
        assert!(
            want.contains(&d.action),
            "{channel:?} {text:?}: {:?} {:?}",
            d.action,
            d.reasons
        );
    };
    use Action::{Allow, Block, Hold};
    // a left-to-right override inside a right-to-left one shows the name
    check(Channel::Vasp, "\u{202E}\u{202D}Garantex", &[Block]);
    check(Channel::Domain, "\u{202E}\u{202D}garantex.org", &[Block]);
    check(
        Channel::Memo,
        "pay \u{202E}\u{202D}\u{202C}xetnaraG now",
        &[Hold, Block],
    );
    // numbers are not look-alike letters; digits for letters never freeze
    check(Channel::Memo, "deliver to gate 10", &[Allow]);
    check(Channel::Vasp, "Tornad0 Cash", &[Hold]);
    // a domain read as words is not the domain
    check(Channel::Memo, "return the blender to the shop", &[Allow]);
    check(Channel::OrganisationName, "Blender To Go Ltd", &[Allow]);
    // ... but written as a domain it is
    check(Channel::Memo, "send it to blender.to", &[Block]);
    check(Channel::Vasp, "blender.to", &[Block]);
    check(Channel::Memo, "(see garantex.org)", &[Block]);
    // a word before a sound-alike ends on its first sound
    check(Channel::Memo, "долг Хидра", &[Hold]);
    // a Latin word that sounds like a short brand is another word
    check(Channel::Memo, "COMEX gold futures", &[Allow]);
    // the rest of a URL
    check(Channel::Domain, "https://t.me/garantex_bot", &[Hold]);
    check(Channel::Domain, "garantex.org@gmail.com", &[Hold]);
    // other word boundaries are a split: held, not frozen
    check(Channel::Vasp, "Tornad oCash", &[Hold]);
    // a long glued run neither recurses deep nor matches
    check(
        Channel::Memo,
        &format!("hydra{}", "2pp".repeat(5000)),
        &[Allow, Hold],
    );
}
