//! Writes a generated customer base (JSON lines) and two versions of an
//! internal watchlist that differ in 200 changed entries: the inputs of the
//! customer re-screening figures in BENCHMARKS.md.
//!
//! ```text
//! cargo run --release --example gen_customers -- 1000000 /tmp/cust
//! ```
//!
//! Arguments: number of customers (default 1,000,000) and the output
//! directory (default `target/customers`). Writes `customers.jsonl`,
//! `watchlist-v1.csv` (1,000 entries) and `watchlist-v2.csv` (the same,
//! 200 of them changed: each gains an alias and a birth date; 20 of the
//! new aliases are the name and birth date of a generated customer (who
//! has a made-up surname of their own), so
//! the delta has hits to find, the other 180 a made-up name no customer
//! has). Listed names are made of made-up words, so that no customer is a
//! namesake by chance: a real list update names specific people.
//!
//! Customers: 90 % persons named like the benchmark workload's clean
//! names (a first name from a pool of common given names, a surname from
//! a pool or made of syllables), half of them also written in Cyrillic;
//! 10 % organisations (`TOV <word> <word>`); a birth date for every
//! person (1940–2007), nationality mostly UA, a tax id, a wallet for one
//! in five. One customer in 2,000 carries the name of a person of the
//! real lists (or the generated stand-ins without `../shared/data`), so
//! a full re-screen has hits. Seeded: the same arguments write the same
//! files.

use std::io::{BufWriter, Write};
use std::path::PathBuf;

#[path = "../benches/workload/mod.rs"]
mod workload;

use amlscreen::lists::EntityKind;
use workload::Rng;

const WATCHLIST_ENTRIES: usize = 1_000;
const CHANGED_ENTRIES: usize = 200;
const CHANGED_TO_CUSTOMERS: usize = 20;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let n: usize = args
        .next()
        .map(|a| a.parse())
        .transpose()?
        .unwrap_or(1_000_000);
    let dir = PathBuf::from(args.next().unwrap_or_else(|| "target/customers".into()));
    std::fs::create_dir_all(&dir)?;
    let lists = workload::Lists::load_or_generate()?;
    let listed: Vec<String> = lists
        .entities()
        .filter(|e| e.kind == EntityKind::Person)
        .map(|e| e.name.clone())
        .collect();
    let mut rng = Rng::new(workload::SEED ^ 0xC057);
    let mut out = BufWriter::new(std::fs::File::create(dir.join("customers.jsonl"))?);
    // (name, birth date) of some customers, for the changed entries
    let mut picked: Vec<(String, String)> = Vec::new();
    for i in 0..n {
        let person = !rng.chance(100);
        let id = format!("cust-{i:07}");
        let mut c = if person {
            // a customer the changed entries will name: a surname of its
            // own, so that the new alias names this customer, not namesakes
            let pick = picked.len() < CHANGED_TO_CUSTOMERS && rng.below(n / 100 + 1) == 0;
            let name = if pick {
                let first = workload::clean_name(&mut rng);
                let first = first.split(' ').next().unwrap_or("Anna").to_owned();
                format!("{first} {}", syllables(&mut rng))
            } else if rng.below(2000) == 0 && !listed.is_empty() {
                rng.pick(&listed).clone()
            } else {
                workload::clean_name(&mut rng)
            };
            let mut names = vec![name.clone()];
            if rng.chance(500) {
                names.push(to_cyrillic(&name));
            }
            let born = format!(
                "{}-{:02}-{:02}",
                1940 + rng.below(68),
                1 + rng.below(12),
                1 + rng.below(28)
            );
            if pick {
                picked.push((name.clone(), born.clone()));
            }
            serde_json::json!({
                "id": id, "names": names, "kind": "person", "birth_date": born,
                "nationality": [if rng.chance(900) { "UA" } else { *rng.pick(&["PL", "DE", "GE", "MD", "KZ"]) }],
                "identifiers": [{"type": "tax_id", "value": format!("{:010}", rng.next_u64() % 10_000_000_000)}],
                "onboarded": format!("20{:02}-{:02}-{:02}", 18 + rng.below(8), 1 + rng.below(12), 1 + rng.below(28)),
            })
        } else {
            let a = workload::clean_name(&mut rng);
            serde_json::json!({
                "id": id, "names": [format!("TOV {a}")], "kind": "organization",
                "nationality": ["UA"],
                "identifiers": [{"type": "registration", "value": format!("{:08}", rng.next_u64() % 100_000_000)}],
            })
        };
        if rng.chance(200) {
            let hex: String = (0..40)
                .map(|_| char::from_digit(rng.below(16) as u32, 16).unwrap_or('0'))
                .collect();
            c["wallets"] = serde_json::json!([{"chain": "ETH", "address": format!("0x{hex}")}]);
        }
        serde_json::to_writer(&mut out, &c)?;
        out.write_all(b"\n")?;
    }
    out.flush()?;
    // two watchlist versions, 200 entries apart
    let header = "id,name,aliases,kind,birth_dates,countries,addresses,list\n";
    let mut v1 = String::from(header);
    let mut v2 = String::from(header);
    for i in 0..WATCHLIST_ENTRIES {
        // listed names of made-up words: no customer is a namesake by chance
        let name = format!("{} {}", syllables(&mut rng), syllables(&mut rng));
        let year = 1950 + rng.below(50);
        let row = |aliases: &str, dates: &str| {
            format!("wl:gen-{i:04},\"{name}\",{aliases},person,{dates},RU,,internal\n")
        };
        v1.push_str(&row("", &year.to_string()));
        if i < CHANGED_ENTRIES {
            let (alias, born) = match picked.get(i) {
                Some((n, b)) => (n.clone(), b.clone()),
                // a name no customer has: the words of the generated
                // names, made rare by a made-up surname
                None => (
                    format!("{} {}", syllables(&mut rng), syllables(&mut rng)),
                    format!("{year}-01-01"),
                ),
            };
            v2.push_str(&row(&alias, &format!("{year}|{born}")));
        } else {
            v2.push_str(&row("", &year.to_string()));
        }
    }
    std::fs::write(dir.join("watchlist-v1.csv"), v1)?;
    std::fs::write(dir.join("watchlist-v2.csv"), v2)?;
    eprintln!(
        "{n} customers, watchlists of {WATCHLIST_ENTRIES} entries ({CHANGED_ENTRIES} changed, {} to customers' names) in {}",
        picked.len(),
        dir.display()
    );
    Ok(())
}

/// A made-up word of syllables (keeps watchlist names apart from customers').
fn syllables(rng: &mut Rng) -> String {
    const S: &[&str] = &[
        "zar", "vok", "tel", "mir", "dun", "kes", "rab", "lio", "gor", "pha",
    ];
    let mut w = String::new();
    for _ in 0..3 {
        let s: &&str = rng.pick(S);
        w.push_str(s);
    }
    let mut c = w.chars();
    c.next()
        .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
        .unwrap_or_default()
}

/// A Latin name written in Cyrillic letters, roughly as a Ukrainian
/// passport office would.
fn to_cyrillic(name: &str) -> String {
    let pairs = [
        ("shch", "щ"),
        ("sh", "ш"),
        ("ch", "ч"),
        ("kh", "х"),
        ("zh", "ж"),
        ("ts", "ц"),
        ("yu", "ю"),
        ("ya", "я"),
        ("ye", "є"),
        ("a", "а"),
        ("b", "б"),
        ("v", "в"),
        ("h", "г"),
        ("g", "ґ"),
        ("d", "д"),
        ("e", "е"),
        ("z", "з"),
        ("y", "и"),
        ("i", "і"),
        ("k", "к"),
        ("l", "л"),
        ("m", "м"),
        ("n", "н"),
        ("o", "о"),
        ("p", "п"),
        ("r", "р"),
        ("s", "с"),
        ("t", "т"),
        ("u", "у"),
        ("f", "ф"),
        ("c", "к"),
        ("j", "й"),
        ("w", "в"),
        ("x", "кс"),
        ("q", "к"),
    ];
    let mut out = String::new();
    for word in name.split(' ') {
        if !out.is_empty() {
            out.push(' ');
        }
        let lower = word.to_lowercase();
        let mut rest = lower.as_str();
        let mut first = true;
        while !rest.is_empty() {
            let (latin, cyr) = pairs
                .iter()
                .find(|(l, _)| rest.starts_with(l))
                .copied()
                .unwrap_or_else(|| (&rest[..rest.chars().next().map_or(1, char::len_utf8)], ""));
            let piece = if cyr.is_empty() { latin } else { cyr };
            if first {
                out.extend(piece.chars().flat_map(char::to_uppercase).take(1));
                out.extend(piece.chars().skip(1));
            } else {
                out.push_str(piece);
            }
            first = false;
            rest = &rest[latin.len()..];
        }
    }
    out
}
