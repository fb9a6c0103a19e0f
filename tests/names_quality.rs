//! The quality mechanisms of the name matcher on real, publicly listed
//! names that are not in the evaluation set: organisation words translated
//! across scripts, titles and connectives, unplaced initials, dropped middle
//! names, run-together words, spelled-out numbers and legal forms, extra
//! middle words of a query, the extra edit of a word no list knows — each
//! with a near miss that must stay below the review threshold.
//! Runs on a fresh clone (no `../shared/data`).

use amlscreen::lists::{Entity, EntityKind};
use amlscreen::names::{compare, MatchConfig, NameIndex, NameQuery};
use amlscreen::PartyKind;

fn review() -> f64 {
    MatchConfig::default().review_threshold
}

fn person(a: &str, b: &str) -> f64 {
    compare(a, b, Some(PartyKind::Person), &MatchConfig::default())
}

fn org(a: &str, b: &str) -> f64 {
    compare(a, b, Some(PartyKind::Organization), &MatchConfig::default())
}

#[test]
fn russian_organisation_names_meet_their_english_translation() {
    // OFAC- and EU-listed defence plants, printed in English on the lists
    for (query, listed) in [
        ("Ижевский механический завод", "Izhevsk Mechanical Plant"),
        ("АО Воткинский завод", "Votkinsk Plant JSC"),
        (
            "Акционерное общество Научно-исследовательский институт Кулон",
            "JSC Research Institute Kulon",
        ),
    ] {
        let s = org(query, listed);
        assert!(s >= review(), "{query} / {listed}: {s}");
    }
    // another plant of the same town is not the listed one
    let s = org("Воткинский химический завод", "Votkinsk Plant");
    assert!(s < review(), "near miss scored {s}");
}

#[test]
fn russian_organisational_acronyms_weigh_like_legal_forms() {
    // EU IV:32 prints "NPO Splav JSC"; a customer may write the Russian
    // acronym, or another one of the same kind, or none
    for (query, listed) in [
        ("НПО Сплав", "Splav JSC"),
        ("ФГУП Сплав", "Splav"),
        ("НИИ Полюс", "Polyus"),
    ] {
        let s = org(query, listed);
        assert!(s >= review(), "{query} / {listed}: {s}");
    }
    // the acronym alone identifies nobody: another body of the same kind
    let s = org("НПО Сплав", "NPO Stal");
    assert!(s < review(), "near miss scored {s}");
}

#[test]
fn institutions_trades_and_public_bodies_are_translated() {
    for (query, listed) in [
        (
            "Ремонтный завод средств обеспечения полётов",
            "Flight Support Equipment Repair Plant",
        ),
        (
            "Общественная организация Ромашка",
            "Public Organisation Romashka",
        ),
    ] {
        let s = org(query, listed);
        assert!(s >= review(), "{query} / {listed}: {s}");
    }
    // the same kind of works for another trade, the same kind of body
    // with another name
    for (query, listed) in [
        (
            "Ремонтный завод средств связи",
            "Flight Support Equipment Repair Plant",
        ),
        (
            "Общественная организация Ромашка",
            "Public Organization Lyutik",
        ),
    ] {
        let s = org(query, listed);
        assert!(s < review(), "near miss {query} / {listed} scored {s}");
    }
}

#[test]
fn a_different_patronymic_is_a_contradiction_not_an_omission() {
    // OFAC- and EU-listed Gennady Nikolayevich TIMCHENKO
    let listed = "TIMCHENKO, Gennady Nikolayevich";
    for query in [
        "Gennady Timchenko",              // no patronymic: an omission
        "Gennadij Nikolaevich Timchenko", // GOST romanisation
        "Gennadiy Nikolaevich TIMCHENKO", // BGN/PCGN
    ] {
        let s = person(query, listed);
        assert!(s >= review(), "{query}: {s}");
    }
    // a patronymic romanised beyond what pairs ("x" for "kh") is the same
    // father's name, not a conflict
    let s = person(
        "Gennadij Mixajlovich Timchenko",
        "TIMCHENKO, Gennady Mikhailovich",
    );
    assert!(s >= review(), "{s}");
    // another father's name: the hard negative of a namesake
    for query in [
        "Gennady Viktorovich Timchenko",
        "Gennady Andreyevich Timchenko",
    ] {
        let s = person(query, listed);
        assert!(s < review(), "near miss {query} scored {s}");
    }
    // a patronymic that begins like the listed one ("Nikitich" for
    // "Nikolayevich") is given the benefit of the doubt: it may be a
    // romanisation
    let s = person("Gennady Nikitich Timchenko", listed);
    assert!(s >= review(), "{s}");
    // without the conflict cost the namesake would be held for review
    let lenient = MatchConfig {
        patronymic_conflict_cost: MatchConfig::default().patronymic_cost,
        ..MatchConfig::default()
    };
    let s = compare(
        "Gennady Viktorovich Timchenko",
        listed,
        Some(PartyKind::Person),
        &lenient,
    );
    assert!(s >= review(), "{s}");
}

#[test]
fn titles_weigh_little() {
    let listed = "PUTIN, Vladimir Vladimirovich";
    let with_title = person("Mr. Vladimir Putin", listed);
    assert!(with_title >= review(), "{with_title}");
    assert!(person("President Putin", listed) > person("Gennady Putin", listed));
    // a title adds no evidence: the given name alone stays far below
    let s = person("Mr. Vladimir", listed);
    assert!(s < review(), "near miss scored {s}");
}

#[test]
fn unplaced_initials_cost_little() {
    // UN TAi.024: "Abdul Ghani" is one token, so "G." has nothing to pair with
    let listed = "ABDUL GHANI BARADAR";
    let s = person("Baradar, A. G.", listed);
    assert!(s >= review(), "{s}");
    // wrong initials do not match
    let s = person("Baradar, K. G.", listed);
    assert!(s < review(), "near miss scored {s}");
}

#[test]
fn dropped_middle_names_cost_little() {
    // UN QDi.299: the given and family names with every middle name dropped
    let listed = "IBRAHIM AWWAD IBRAHIM ALI AL-BADRI AL-SAMARRAI";
    let s = person("Ibrahim Al-Samarrai", listed);
    assert!(s >= review(), "{s}");
    // a middle name replaced by another is not a dropped one
    let s = person("Ibrahim Hassan Al-Samarrai", listed);
    assert!(s < review(), "near miss scored {s}");
    // in an organisation's name a missing middle word still costs in full
    let (a, b) = ("Industrial Bank", "Industrial Commercial Savings Bank");
    assert!(
        org(a, b) < person(a, b),
        "{} vs {}",
        org(a, b),
        person(a, b)
    );
}

#[test]
fn run_together_words_numbers_and_spelled_out_legal_forms() {
    // OFAC/EU-listed companies, written the ways customers type them
    let s = org("RosneftAktiengesellschaft", "Rosneft AG");
    assert!(s >= review(), "{s}");
    let s = org(
        "Rosneft Deutschland Gesellschaft mit beschränkter Haftung",
        "Rosneft Deutschland GmbH",
    );
    assert!(s >= review(), "{s}");
    let s = person("VladimirPutin", "PUTIN, Vladimir Vladimirovich");
    assert!(s >= review(), "{s}");
    let s = org(
        "Thirty-Three Central Research Institute",
        "33 Central Research Institute",
    );
    assert!(s >= review(), "{s}");
    // near misses: another number, another company with the same legal form
    let s = org(
        "Thirty-Four Central Research Institute",
        "33 Central Research Institute",
    );
    assert!(s < review(), "near miss scored {s}");
    let s = org("Gazprom Aktiengesellschaft", "Rosneft AG");
    assert!(s < review(), "near miss scored {s}");
}

#[test]
fn an_extra_middle_word_of_the_query_costs_part_of_a_word() {
    // UN TAi.024, with a middle name the list does not print
    let listed = "ABDUL GHANI BARADAR";
    let s = person("Abdul Ghani Akhund Baradar", listed);
    assert!(s >= review(), "{s}");
    // an extra word at the end is not a middle name: the listed name is
    // found whole among extra words, which holds it (exactly at the review
    // threshold, below the middle name's score), no more
    let end = person("Abdul Ghani Baradar Akhund", listed);
    assert!(
        (end - review()).abs() < 1e-9 && end < s,
        "extra word at the end scored {end}, middle name {s}"
    );
}

#[test]
fn a_word_no_list_knows_gets_one_more_edit_when_short() {
    // two typos in a four-letter word, three-letter word with one
    let entities = vec![
        Entity::new("un:QDi.012", "t", EntityKind::Person, "Amir KHAN"),
        Entity::new("x:2", "t", EntityKind::Person, "Omar FAROOQ"),
    ];
    let index = NameIndex::build(&entities, MatchConfig::default());
    let score = |q: &str| {
        let query = NameQuery {
            name: q,
            ..Default::default()
        };
        let hits = index.search(&query, 0.01, 10);
        assert_eq!(hits, index.search_exhaustive(&query, 0.01, 10), "{q}");
        hits.iter().find(|h| h.entity == 0).map_or(0.0, |h| h.score)
    };
    assert!(score("Amr Khan") >= review(), "{}", score("Amr Khan"));
    assert!(
        score("Aimr Knah") < review(),
        "two weak words: {}",
        score("Aimr Knah")
    );
    // near miss: "Omar" is a listed name of its own, so no typo of "Amir"
    assert!(
        score("Omar Khan") < review(),
        "near miss scored {}",
        score("Omar Khan")
    );
}

#[test]
fn index_and_full_scan_agree_with_the_new_mechanisms() {
    let entities = vec![
        Entity::new(
            "un:QDi.299",
            "t",
            EntityKind::Person,
            "IBRAHIM AWWAD IBRAHIM ALI AL-BADRI AL-SAMARRAI",
        ),
        Entity::new("un:TAi.024", "t", EntityKind::Person, "ABDUL GHANI BARADAR"),
        Entity::new(
            "x:1",
            "t",
            EntityKind::Organization,
            "Izhevsk Mechanical Plant",
        ),
        Entity::new("x:2", "t", EntityKind::Organization, "Votkinsk Plant JSC"),
        Entity::new(
            "x:3",
            "t",
            EntityKind::Person,
            "Brigadier General Ali Mamluk",
        ),
    ];
    let index = NameIndex::build(&entities, MatchConfig::default());
    for q in [
        "Ibrahim Al-Samarrai",
        "Baradar, A. G.",
        "Ижевский механический завод",
        "Воткинский завод",
        "Ali Mamluk",
        "General Mamluk",
        "Plant",
        "AliMamluk",
        "Ali Hassan Mamluk",
        "Aly Mamlk",
        "Ibrahim Awwad Ali Al-Samarrai",
    ] {
        let query = NameQuery {
            name: q,
            ..Default::default()
        };
        for t in [0.3, 0.6, 0.8] {
            assert_eq!(
                index.search(&query, t, 10),
                index.search_exhaustive(&query, t, 10),
                "{q} @ {t}"
            );
        }
    }
}
