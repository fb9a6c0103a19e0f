//! The forbidden-platform registry (`rules/platforms.yaml`) and its matchers.
//!
//! A party involves a platform when its VASP name, its domain (or a
//! subdomain), its wallet address or its own name names the platform; the
//! memo involves one when it names it. Names are matched as whole words
//! over folded text ([`text`]: "gate.io" matches and "the gate is open"
//! does not, "hydra market" matches and "hydraulics" does not), in every
//! spelling the module lists; domains are read as a browser reads them
//! ([`domain`]).
//!
//! What a hit proves ([`PlatformHit::corroborates`]): the platform's own
//! domain or wallet, or a VASP field that names the platform as written,
//! freezes; a name, a memo, or any uncertain spelling suspends for review.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

mod domain;
mod text;

pub use domain::{read_domain, DomainError, Host};
use text::TextMatcher;
pub use text::{Spelling, TextHit};

use crate::addresses::{self, AddressIndex};
use crate::lists::Entity;
use crate::model::Party;
use crate::names::fold_text;
use crate::source::{SourceError, SourceText};

/// What kind of service a platform is; rules use it (a mixer counterparty
/// is an anonymizer signal).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum PlatformCategory {
    /// Coin mixer / tumbler.
    Mixer,
    /// Centralised exchange or swap service.
    Exchange,
    /// Darknet or criminal marketplace.
    DarknetMarket,
    /// Decentralised finance protocol.
    Defi,
    /// Hacking group or other threat actor.
    ThreatActor,
    /// Payment or e-money service.
    PaymentService,
}

/// One forbidden platform, as written in `platforms.yaml`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Platform {
    /// Stable id reported in decisions.
    pub id: String,
    /// Usual name.
    pub name: String,
    /// Other names, matched like the name.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// Kind of service.
    pub category: PlatformCategory,
    /// Web domains; subdomains match too.
    #[serde(default)]
    pub domains: Vec<String>,
    /// `CHAIN:address` wallets attributed to the platform.
    #[serde(default)]
    pub addresses: Vec<String>,
    /// Sanctions-list entity ids whose addresses are attributed to the platform.
    #[serde(default)]
    pub sanctions: Vec<String>,
    /// Free text for reviewers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Lets a name or alias be a common word ("Crypto", "Exchange",
    /// "Банк"): such a name matches ordinary memos and names, so it is
    /// refused unless this says it is meant.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub allow_common_word: bool,
}

/// Words of payments and everyday text that a platform name or alias may
/// not be on its own (in English, Ukrainian and Russian, compared folded):
/// each would match countless honest memos and names.
pub const COMMON_WORDS: &[&str] = &[
    "crypto",
    "exchange",
    "exchanger",
    "bank",
    "wallet",
    "pay",
    "payment",
    "payments",
    "money",
    "cash",
    "coin",
    "coins",
    "market",
    "marketplace",
    "trade",
    "trading",
    "finance",
    "capital",
    "capitalist",
    "gate",
    "blender",
    "mix",
    "mixer",
    "swap",
    "transfer",
    "service",
    "change",
    "token",
    "global",
    "group",
    "labs",
    "net",
    "online",
    "pool",
    "bitcoin",
    "tether",
    "usdt",
    "shop",
    "store",
    "hub",
    "pro",
    "plus",
    "fast",
    "invest",
    "investment",
    "loan",
    "credit",
    "card",
    "account",
    "office",
    "company",
    "банк",
    "біржа",
    "биржа",
    "гаманець",
    "кошелек",
    "крипта",
    "крипто",
    "обмін",
    "обмен",
    "обмінник",
    "обменник",
    "гроші",
    "деньги",
    "платіж",
    "платеж",
    "переказ",
    "перевод",
    "ринок",
    "рынок",
    "маркет",
    "блендер",
    "міксер",
    "миксер",
    "гейт",
    "капітал",
    "капитал",
];

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PlatformsFile {
    platforms: Vec<Platform>,
}

/// Which part of a transaction named the platform.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlatformVia {
    /// The party's `vasp` field.
    Vasp,
    /// The party's `domain` field.
    Domain,
    /// The party's wallet address.
    Address,
    /// The party's own name (organisations and parties of unknown kind).
    Name,
    /// The transaction memo.
    Memo,
}

/// One platform match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlatformHit {
    /// Index of the platform in [`PlatformRegistry::platforms`].
    pub platform: usize,
    /// Where it matched.
    pub via: PlatformVia,
    /// What matched: the platform name/alias/domain, or the address.
    pub matched: String,
    /// How the party's text spelt it ([`Spelling::AsWritten`] for a
    /// domain or an address that is the platform's own).
    pub spelling: Spelling,
    /// The party's text as it was read (folded words, a host name).
    pub read_as: String,
    /// Whether the hit is evidence enough to freeze: the platform's own
    /// domain (or a subdomain) or wallet, or a VASP field that names the
    /// platform as written (or in look-alike letters) and nothing else but
    /// legal forms and generic service words. A party's name, a mention
    /// among other words, or an uncertain spelling is not.
    pub corroborates: bool,
}

/// Parses and validates a platforms file. Errors carry `file:line:column`.
pub fn parse_platforms(source: &SourceText) -> Result<Vec<Platform>, Vec<SourceError>> {
    let file: PlatformsFile = source.deserialize().map_err(|e| vec![e])?;
    let root = source.root().map_err(|e| vec![e])?;
    let list = root.get("platforms").unwrap_or(root);
    let items = list.as_seq().unwrap_or_default();
    let mut errors = Vec::new();
    let mut ids = HashMap::new();
    for (i, p) in file.platforms.iter().enumerate() {
        // the position of a platform's field (or of the platform, or the list)
        let at = |field: &str| {
            let item = items.get(i);
            source.at(item.and_then(|n| n.get(field)).or(item).unwrap_or(list))
        };
        if p.id.trim().is_empty() || p.id.contains(char::is_whitespace) {
            errors.push(at("id").error(format!(
                "platform id '{}' must be non-empty and without spaces",
                p.id
            )));
        }
        if let Some(first) = ids.insert(p.id.clone(), i) {
            errors.push(at("id").error(format!(
                "duplicate platform id '{}' (first used by platform {})",
                p.id,
                first + 1
            )));
        }
        for (k, name) in std::iter::once(&p.name).chain(&p.aliases).enumerate() {
            let folded = fold_text(name);
            if folded.trim().is_empty() {
                errors.push(at("name").error(format!(
                    "platform '{}': name '{name}' has no letters or digits to match",
                    p.id
                )));
            } else if !p.allow_common_word && common_words().contains(&folded) {
                let field = if k == 0 { "name" } else { "aliases" };
                errors.push(at(field).error(format!(
                    "platform '{}': '{name}' is a common word: it would match ordinary memos and names; use a longer alias (\"{name} Pay\", the domain) or set 'allow_common_word: true' on the platform if it is meant",
                    p.id
                )));
            }
        }
        for d in &p.domains {
            if normalize_domain(d).is_none() {
                errors.push(at("domains").error(format!(
                    "platform '{}': '{d}' is not a domain name (like example.com)",
                    p.id
                )));
            }
        }
        for a in &p.addresses {
            let parsed = a
                .split_once(':')
                .ok_or_else(|| format!("'{a}' is not CHAIN:address"))
                .and_then(|(c, addr)| addresses::normalize(c, addr).map_err(|e| e.to_string()));
            if let Err(msg) = parsed {
                errors.push(at("addresses").error(format!("platform '{}': {msg}", p.id)));
            }
        }
    }
    if errors.is_empty() {
        Ok(file.platforms)
    } else {
        Err(errors)
    }
}

/// [`COMMON_WORDS`] folded as names are.
fn common_words() -> &'static std::collections::HashSet<String> {
    static WORDS: std::sync::OnceLock<std::collections::HashSet<String>> =
        std::sync::OnceLock::new();
    WORDS.get_or_init(|| COMMON_WORDS.iter().map(|w| fold_text(w)).collect())
}

/// The ASCII host name of a domain, URL or e-mail address ([`read_domain`]);
/// `None` when it cannot be read as one.
pub fn normalize_domain(input: &str) -> Option<String> {
    read_domain(input).ok().map(|h| h.ascii)
}

/// The compiled registry: immutable, shared by every screening thread.
#[derive(Debug, Clone)]
pub struct PlatformRegistry {
    platforms: Vec<Platform>,
    text: TextMatcher,
    /// ASCII host → platform.
    domains: HashMap<String, usize>,
    /// The hosts in [`crate::names::lookalike_key`] form → platform.
    lookalike_domains: HashMap<String, usize>,
    addresses: AddressIndex<usize>,
    /// `(platform id, entity id)` of each `sanctions` reference no loaded
    /// entity answers, when a loaded list has entities of that source.
    unresolved: Vec<(String, String)>,
}

impl PlatformRegistry {
    /// Compiles the matchers. Addresses of the entities a platform lists
    /// under `sanctions` are attributed to it.
    pub fn build(platforms: Vec<Platform>, entities: &[Entity]) -> PlatformRegistry {
        let mut domains = HashMap::new();
        let mut lookalike_domains = HashMap::new();
        let mut address_index = AddressIndex::new();
        let mut unresolved = Vec::new();
        let by_id: HashMap<&str, &Entity> = entities.iter().map(|e| (e.id.as_str(), e)).collect();
        let mut names = Vec::with_capacity(platforms.len());
        for (i, p) in platforms.iter().enumerate() {
            names.push(
                std::iter::once(&p.name)
                    .chain(&p.aliases)
                    .cloned()
                    .collect::<Vec<_>>(),
            );
            for d in &p.domains {
                if let Some(d) = normalize_domain(d) {
                    lookalike_domains.insert(crate::names::lookalike_key(&d), i);
                    domains.insert(d, i);
                }
            }
            for a in &p.addresses {
                if let Some(Ok(addr)) = a.split_once(':').map(|(c, x)| addresses::normalize(c, x)) {
                    address_index.insert(&addr, i);
                }
            }
            for id in &p.sanctions {
                match by_id.get(id.as_str()) {
                    Some(entity) => {
                        for addr in &entity.addresses {
                            address_index.insert(addr, i);
                        }
                    }
                    None => {
                        // judged only when a list of that source is loaded
                        // (`ofac:` ids against OFAC's lists)
                        let source = id.split(':').next().unwrap_or_default();
                        let loaded = entities
                            .iter()
                            .any(|e| e.id.split(':').next() == Some(source));
                        if loaded {
                            unresolved.push((p.id.clone(), id.clone()));
                        }
                    }
                }
            }
        }
        PlatformRegistry {
            unresolved,
            text: TextMatcher::build(&names),
            platforms,
            domains,
            lookalike_domains,
            addresses: address_index,
        }
    }

    /// `(platform id, entity id)` of each platform `sanctions` reference
    /// that no loaded entity answers although a list of its source is
    /// loaded: the platform's listed wallets are then not attributed to it.
    pub fn unresolved_sanctions(&self) -> &[(String, String)] {
        &self.unresolved
    }

    /// The platforms, in file order.
    pub fn platforms(&self) -> &[Platform] {
        &self.platforms
    }

    /// Whether names and memos are matched: false only when an automaton
    /// of listed names could not be built (pathological sizes).
    pub fn is_text_matching_enabled(&self) -> bool {
        self.text.is_complete()
    }

    /// Number of addresses attributed to platforms.
    pub fn address_count(&self) -> usize {
        self.addresses.len()
    }

    /// Platforms a text names, once each, in the most certain spelling
    /// found, and how it was spelt ([`Spelling`]).
    pub fn find_in_text(&self, text: &str) -> Vec<TextHit> {
        self.text.find(text)
    }

    /// Platforms named in a text, as `(platform, matched name)`, in any
    /// spelling; one hit per platform.
    pub fn match_text(&self, text: &str) -> Vec<(usize, String)> {
        self.find_in_text(text)
            .into_iter()
            .map(|h| (h.platform, h.matched))
            .collect()
    }

    /// The platform owning a domain or one of its parent domains, read as
    /// [`read_domain`] reads it, directly or in look-alike letters.
    pub fn match_domain(&self, domain: &str) -> Option<(usize, String)> {
        let host = read_domain(domain).ok()?;
        self.match_host(&host).map(|(i, d, _)| (i, d))
    }

    /// Platforms an already normalised address is attributed to.
    pub(crate) fn platforms_at_address(&self, address: &str) -> impl Iterator<Item = usize> + '_ {
        self.addresses
            .lookup_normalized(address)
            .iter()
            .map(|(_, platform)| *platform)
    }

    /// Platforms whose own domain a text writes as a host name ("top up my
    /// Gate.io account", "see `https://garantex.org`"): the words of the text
    /// that read as a domain ([`read_domain`]) and belong to a platform.
    pub fn domains_in_text(&self, text: &str) -> Vec<usize> {
        let mut found = Vec::new();
        for token in text.split_whitespace() {
            if !token.contains([
                '.', '\u{3002}', '\u{FF0E}', '\u{FF61}', '\u{2024}', '\u{FE52}',
            ]) && !token.contains("(dot)")
                && !token.contains("[dot]")
                && !token.contains("{dot}")
            {
                continue;
            }
            let token = token.trim_matches(|c: char| {
                matches!(
                    c,
                    ',' | ';' | ':' | '"' | '\'' | '<' | '>' | '!' | '?' | '(' | ')' | '«' | '»'
                )
            });
            let token = token
                .strip_suffix("'s")
                .or_else(|| token.strip_suffix("\u{2019}s"))
                .unwrap_or(token)
                .trim_end_matches('.');
            if let Some((i, _, _)) = read_domain(token).ok().and_then(|h| self.match_host(&h)) {
                if !found.contains(&i) {
                    found.push(i);
                }
            }
        }
        found
    }

    /// Every platform a memo involves: each it names is a mention (held),
    /// each whose own domain it writes out corroborated (frozen).
    pub fn match_memo(&self, memo: &str) -> Vec<PlatformHit> {
        let mut hits = Vec::new();
        self.push_text_hits(memo, PlatformVia::Memo, &mut hits);
        self.push_domains_in_text(memo, PlatformVia::Memo, &mut hits);
        hits
    }

    /// Hits for the platforms named in `text`, read through `via`: only a
    /// VASP field that names the platform as written (or in look-alike
    /// letters) and nothing else but generic words corroborates.
    fn push_text_hits(&self, text: &str, via: PlatformVia, hits: &mut Vec<PlatformHit>) {
        for h in self.find_in_text(text) {
            let corroborates = via == PlatformVia::Vasp && h.spelling.is_certain() && h.whole;
            hits.push(PlatformHit {
                platform: h.platform,
                via,
                matched: h.matched,
                spelling: h.spelling,
                read_as: h.read_as,
                corroborates,
            });
        }
    }

    /// The platforms whose own domain `text` writes out: the domain
    /// corroborates the hit naming the platform, or is a hit of its own.
    fn push_domains_in_text(&self, text: &str, via: PlatformVia, hits: &mut Vec<PlatformHit>) {
        for i in self.domains_in_text(text) {
            match hits.iter_mut().find(|h| h.platform == i) {
                Some(h) => h.corroborates = true,
                None => hits.push(PlatformHit {
                    platform: i,
                    via,
                    matched: self.platforms[i]
                        .domains
                        .first()
                        .cloned()
                        .unwrap_or_default(),
                    spelling: Spelling::AsWritten,
                    read_as: text.to_owned(),
                    corroborates: true,
                }),
            }
        }
    }

    fn match_host(&self, host: &Host) -> Option<(usize, String, Spelling)> {
        let walk = |map: &HashMap<String, usize>, name: &str| {
            let mut rest = name;
            loop {
                if let Some(&i) = map.get(rest) {
                    return Some(i);
                }
                rest = rest.split_once('.')?.1;
            }
        };
        let listed = |i: usize| {
            let p = &self.platforms[i];
            p.domains.first().cloned().unwrap_or_else(|| p.name.clone())
        };
        if let Some(i) = walk(&self.domains, &host.ascii) {
            // the listed domain that matched: the host or a parent of it
            let matched = self.platforms[i]
                .domains
                .iter()
                .filter_map(|d| normalize_domain(d))
                .find(|d| host.ascii == *d || host.ascii.ends_with(&format!(".{d}")))
                .unwrap_or_else(|| listed(i));
            return Some((i, matched, Spelling::AsWritten));
        }
        let ascii_key = crate::names::lookalike_key(&host.ascii);
        let i = host
            .lookalike
            .as_deref()
            .and_then(|l| walk(&self.lookalike_domains, l))
            .or_else(|| walk(&self.lookalike_domains, &ascii_key))?;
        Some((i, listed(i), Spelling::LookAlike))
    }

    /// Every way a party involves a platform. An unreadable domain is not a
    /// hit here; [`read_domain`] says why, and the engine holds on it.
    pub fn match_party(&self, party: &Party) -> Vec<PlatformHit> {
        let wallet = party
            .wallet
            .as_ref()
            .and_then(|w| addresses::normalize(&w.chain, &w.address).ok());
        self.match_party_with(party, wallet.as_ref(), &mut None)
    }

    /// [`PlatformRegistry::match_party`] with the party's wallet already
    /// normalised (`None`: no wallet, or one that does not read); why the
    /// party's domain could not be read, if it could not, goes to
    /// `unreadable_domain`.
    pub(crate) fn match_party_with(
        &self,
        party: &Party,
        wallet: Option<&addresses::CryptoAddress>,
        unreadable_domain: &mut Option<DomainError>,
    ) -> Vec<PlatformHit> {
        let mut hits = Vec::new();
        if let Some(vasp) = &party.vasp {
            self.push_text_hits(vasp, PlatformVia::Vasp, &mut hits);
            // the platform's own domain written in the field ("blender.to")
            self.push_domains_in_text(vasp, PlatformVia::Vasp, &mut hits);
        }
        if let Some(domain) = party.domain.as_deref().filter(|d| !d.trim().is_empty()) {
            match read_domain(domain) {
                Ok(host) => {
                    if let Some((platform, matched, spelling)) = self.match_host(&host) {
                        hits.push(PlatformHit {
                            platform,
                            via: PlatformVia::Domain,
                            matched,
                            spelling,
                            read_as: host.ascii.clone(),
                            corroborates: true,
                        });
                    }
                    // the platform's name inside another host ("garantex.xyz",
                    // "garantex-pay.com"), or in the rest of a URL
                    // ("https://t.me/garantex_bot", "garantex.org@gmail.com"):
                    // suspicion
                    let mut labels = domain.to_owned();
                    if host.unicode != host.ascii {
                        // an international name, written in punycode
                        labels.push(' ');
                        labels.push_str(&host.unicode);
                    }
                    if let Some(l) = &host.lookalike {
                        labels.push(' ');
                        labels.push_str(l);
                    }
                    let mut in_labels = Vec::new();
                    self.push_text_hits(&labels, PlatformVia::Domain, &mut in_labels);
                    for mut h in in_labels {
                        if !hits.iter().any(|x| x.platform == h.platform) {
                            h.corroborates = false;
                            hits.push(h);
                        }
                    }
                }
                Err(e) => {
                    // the field as text: "garantex org", "gate(dot)io"
                    self.push_text_hits(domain, PlatformVia::Domain, &mut hits);
                    *unreadable_domain = Some(e);
                }
            }
        }
        if let (Some(w), Some(address)) = (&party.wallet, wallet) {
            for platform in self.platforms_at_address(&address.address) {
                hits.push(PlatformHit {
                    platform,
                    via: PlatformVia::Address,
                    matched: w.address.clone(),
                    spelling: Spelling::AsWritten,
                    read_as: w.address.clone(),
                    corroborates: true,
                });
            }
        }
        // Whatever kind the caller says the party is: the caller chooses
        // the kind, so it must not choose whether the name is checked.
        if let Some(name) = &party.name {
            self.push_text_hits(name, PlatformVia::Name, &mut hits);
        }
        hits
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Wallet;

    fn registry() -> PlatformRegistry {
        let source = SourceText::new(
            "platforms.yaml",
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/rules/platforms.yaml"))
                .unwrap(),
        );
        let platforms = parse_platforms(&source).unwrap();
        let mut garantex = Entity::new(
            "ofac:36025",
            "ofac",
            crate::lists::EntityKind::Organization,
            "GARANTEX EUROPE OU",
        );
        garantex
            .addresses
            .push(addresses::normalize("XBT", "3Lpoy53K625zVeE47ZasiG5jGkAxJ27kh1").unwrap());
        PlatformRegistry::build(platforms, &[garantex])
    }

    #[test]
    fn a_common_word_alias_is_refused_unless_meant_and_unresolved_references_are_named() {
        let text = |extra: &str| {
            format!("platforms:\n  - id: p\n    name: Cryptex Pay\n    aliases: [Crypto, Біржа]\n    category: exchange\n{extra}")
        };
        let errors = parse_platforms(&SourceText::new("p.yaml", text(""))).unwrap_err();
        let errors: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert!(
            errors[0].starts_with("p.yaml:4:14: platform 'p': 'Crypto' is a common word"),
            "{errors:?}"
        );
        assert!(errors[1].contains("'Біржа' is a common word"), "{errors:?}");
        let meant = parse_platforms(&SourceText::new(
            "p.yaml",
            text(
                "    allow_common_word: true\n    sanctions: [\"ofac:1\", \"ofac:2\", \"eu:3\"]\n",
            ),
        ))
        .unwrap();
        // ofac:2 is missing from a loaded OFAC list; no EU list is loaded
        let one = Entity::new(
            "ofac:1",
            "ofac",
            crate::lists::EntityKind::Organization,
            "X",
        );
        let r = PlatformRegistry::build(meant.clone(), &[one]);
        assert_eq!(
            r.unresolved_sanctions(),
            [("p".to_owned(), "ofac:2".to_owned())]
        );
        // with no lists at all, nothing can be judged
        assert!(PlatformRegistry::build(meant, &[])
            .unresolved_sanctions()
            .is_empty());
    }

    fn ids(r: &PlatformRegistry, hits: &[(usize, String)]) -> Vec<String> {
        hits.iter()
            .map(|(i, _)| r.platforms()[*i].id.clone())
            .collect()
    }

    #[test]
    fn shipped_file_names_every_policy_platform_once() {
        let r = registry();
        assert_eq!(r.platforms().len(), 21);
        for name in [
            "Lazarus Group",
            "Hydra",
            "Garantex",
            "Tornado Cash",
            "Blender.io",
            "Genesis Market",
            "ChipMixer",
            "Trocador.app",
            "Shinbad.io",
            "Anonexch.io",
            "Bitpapa",
            "Nobitex",
            "Grinex.io",
            "Rapira.net",
            "CommEx",
            "Capitalist.net",
            "BitMart",
            "Gate.io",
            "BitMEX",
            "MEXC",
            "UniSwap",
        ] {
            assert_eq!(r.match_text(name).len(), 1, "{name}");
        }
    }

    #[test]
    fn memo_whole_words_only() {
        let r = registry();
        assert_eq!(
            ids(&r, &r.match_text("withdraw to gate.io please")),
            ["gate-io"]
        );
        assert!(r.match_text("the gate is open").is_empty());
        assert_eq!(ids(&r, &r.match_text("HYDRA market payout")), ["hydra"]);
        assert!(r.match_text("hydraulics parts").is_empty());
        assert!(r.match_text("capitalist economy").is_empty());
        assert!(r.match_text("blender for the kitchen").is_empty());
        assert_eq!(ids(&r, &r.match_text("via Tornado-Cash")), ["tornado-cash"]);
        assert_eq!(ids(&r, &r.match_text("Garantéx")), ["garantex"]);
    }

    #[test]
    fn memo_evasion_still_matches() {
        let r = registry();
        for memo in [
            "pay to G\u{0430}rantex",          // Cyrillic а inside the Latin word
            "pay to Gar\u{200B}an\u{200D}tex", // zero-width space and joiner
            "pay to Ｇａｒａｎｔｅｘ",         // full-width forms
            "pay to G\u{0301}arante\u{0300}x", // combining marks
            "pay to G.a.r.a.n.t.e.x",          // letters split by dots
            "pay to G a r a n t e x",          // letters split by spaces
        ] {
            assert_eq!(ids(&r, &r.match_text(memo)), ["garantex"], "{memo:?}");
        }
        assert_eq!(
            ids(&r, &r.match_text("withdraw to g\u{0430}te.\u{0456}o")),
            ["gate-io"]
        );
        // folding must not create words that were not there
        assert!(r.match_text("the gate is open").is_empty());
    }

    #[test]
    fn domains_match_with_subdomains_only() {
        let r = registry();
        assert_eq!(r.match_domain("garantex.org").unwrap().1, "garantex.org");
        assert_eq!(
            r.match_domain("https://WWW.Garantex.org/login").unwrap().1,
            "garantex.org"
        );
        assert_eq!(r.match_domain("api.gate.io").unwrap().1, "gate.io");
        assert!(r.match_domain("notgate.io").is_none());
        assert!(r.match_domain("gate.io.example.com").is_none());
        assert!(r.match_domain("localhost").is_none());
    }

    #[test]
    fn party_paths() {
        let r = registry();
        let p = |f: &dyn Fn(&mut Party)| {
            let mut party = Party::default();
            f(&mut party);
            r.match_party(&party)
                .iter()
                .map(|h| (r.platforms()[h.platform].id.clone(), h.via))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            p(&|x| x.vasp = Some("Bitpapa".into())),
            [("bitpapa".into(), PlatformVia::Vasp)]
        );
        assert_eq!(
            p(&|x| x.domain = Some("app.uniswap.org".into())),
            [("uniswap".into(), PlatformVia::Domain)]
        );
        assert_eq!(
            p(&|x| x.wallet = Some(Wallet {
                chain: "BTC".into(),
                address: "3Lpoy53K625zVeE47ZasiG5jGkAxJ27kh1".into()
            })),
            [("garantex".into(), PlatformVia::Address)]
        );
        // base58 is case-sensitive: a case-changed address is a different address
        assert!(p(&|x| x.wallet = Some(Wallet {
            chain: "BTC".into(),
            address: "3lpoy53k625zvee47zasig5jgkaxj27kh1".into()
        }))
        .is_empty());
        assert_eq!(
            p(&|x| x.name = Some("Garantex Europe OU".into())),
            [("garantex".into(), PlatformVia::Name)]
        );
        // a person's name is checked too: the caller chooses the kind, so it
        // must not choose whether the name is checked (the engine holds on
        // a person's name alone, see `engine`)
        assert_eq!(
            p(&|x| {
                x.name = Some("Hydra Smith".into());
                x.kind = Some(crate::model::PartyKind::Person);
            }),
            [("hydra".into(), PlatformVia::Name)]
        );
        assert!(p(&|x| x.vasp = Some("Kuna".into())).is_empty());
    }

    #[test]
    fn validation_errors_have_positions() {
        let source = SourceText::new(
            "p.yaml",
            "platforms:\n  - id: a\n    name: A\n    category: mixer\n  - id: a\n    name: B\n    category: exchange\n    domains: [not_a_domain]\n".into(),
        );
        let errors = parse_platforms(&source).unwrap_err();
        let msgs: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
        assert!(
            msgs.iter()
                .any(|m| m.starts_with("p.yaml:5:") && m.contains("duplicate platform id 'a'")),
            "{msgs:?}"
        );
        assert!(
            msgs.iter()
                .any(|m| m.starts_with("p.yaml:8:") && m.contains("not a domain")),
            "{msgs:?}"
        );
        let source = SourceText::new(
            "p.yaml",
            "platforms:\n  - id: a\n    name: A\n    category: mixr\n".into(),
        );
        let msg = parse_platforms(&source).unwrap_err()[0].to_string();
        assert!(msg.starts_with("p.yaml:4:"), "{msg}");
    }
}
