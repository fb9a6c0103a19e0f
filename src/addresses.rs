//! Crypto addresses: per-chain normalisation and exact lookup.
//!
//! Case rules differ by address form, and folding the wrong one creates
//! false matches or misses real ones:
//! - EVM accounts (`0x` + 40 hex) are case-insensitive (EIP-55 case is only
//!   a checksum) and the same account on every EVM chain, so they are keyed
//!   by the lower-case hex alone.
//! - Bech32/bech32m (`bc1…`, `ltc1…`) and cashaddr are case-insensitive by
//!   spec and keyed lower-case.
//! - Everything else (legacy BTC, TRX, LTC, XMR, DASH, ZEC t-addresses, SOL…)
//!   is base58 or similar: case carries information, so it is kept as given.
//!
//! A base58 address is keyed by its text alone, not by chain: version bytes
//! make addresses of different chains distinct strings, and where two chains
//! share a form (BTC/BCH/BSV legacy) the same key controls both.
//!
//! Before its form is judged, an address is unwrapped of what carries it in
//! transit, so that the same address written another way is the same key
//! ([`normalize`]): spaces and invisible characters inside it, a payment
//! URI around it (`bitcoin:…?amount=1`, `ethereum:0x…@1/transfer?…`), an
//! EVM account without its `0x`, a TRON account in its hex form (`41…`),
//! and bech32 in mixed case when its checksum holds. Whether the result is
//! a valid address of its chain (base58check and bech32 checksums, version
//! bytes) is a separate question, [`check_for_chain`]: lists are indexed
//! whatever it answers, transactions are held when it says no.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// A normalised crypto address with the chain it was given for.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct CryptoAddress {
    /// Canonical chain ticker (`BTC`, `ETH`, `TRX`, …) as the source gave it, mapped.
    pub chain: String,
    /// The address, normalised by its form (see the module docs).
    pub address: String,
    /// The source lost the address's case (OFAC's digital-currency extract
    /// lower-cases every address, base58 ones too): the address is kept
    /// lower-case and matched without regard to case. Only a loader that
    /// knows its source forces this sets it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub case_folded: bool,
}

impl fmt::Display for CryptoAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.chain, self.address)
    }
}

/// The family an address form belongs to, which decides its case rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AddressForm {
    /// `0x` + 40 hex digits, any EVM chain.
    Evm,
    /// Bech32/bech32m or cashaddr: case-insensitive.
    Bech32,
    /// Base58 and other case-sensitive forms.
    CaseSensitive,
}

/// Why an address was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid {chain} address '{address}': {reason}")]
pub struct AddressError {
    /// Chain given.
    pub chain: String,
    /// Address given.
    pub address: String,
    /// What is wrong.
    pub reason: String,
}

/// Chains whose accounts are EVM accounts (`0x` + 40 hex).
const EVM_CHAINS: &[&str] = &[
    "ETH", "ETC", "BSC", "BNB", "ARB", "OP", "MATIC", "POLYGON", "AVAX", "BASE", "FTM",
];

/// Maps a ticker or network name to a canonical chain ticker.
/// OFAC writes `XBT` for Bitcoin; token networks map to their chain
/// (`USDT-TRC20` → `TRX`, `USDT-ERC20` → `ETH`). Unknown tickers are
/// upper-cased and kept.
pub fn canonical_chain(ticker: &str) -> String {
    let t = ticker.trim().to_ascii_uppercase();
    let mapped = match t.as_str() {
        "XBT" | "BITCOIN" => "BTC",
        "ETHEREUM" | "ERC20" | "USDT-ERC20" | "USDC-ERC20" => "ETH",
        "TRON" | "TRC20" | "USDT-TRC20" | "USDT_TRX" => "TRX",
        "BEP20" | "USDT-BEP20" => "BSC",
        "LITECOIN" => "LTC",
        "MONERO" => "XMR",
        "ZCASH" => "ZEC",
        "SOLANA" => "SOL",
        "ARBITRUM" => "ARB",
        other => other,
    };
    mapped.to_owned()
}

/// Whether a canonical chain is EVM-based.
pub fn is_evm_chain(chain: &str) -> bool {
    EVM_CHAINS.contains(&chain)
}

/// Recognises the form of an address from its text alone.
pub fn address_form(address: &str) -> AddressForm {
    let a = address.trim();
    if is_evm_address(a) {
        AddressForm::Evm
    } else if is_bech32_like(a) {
        AddressForm::Bech32
    } else {
        AddressForm::CaseSensitive
    }
}

fn is_evm_address(a: &str) -> bool {
    a.len() == 42
        && (a.starts_with("0x") || a.starts_with("0X"))
        && a[2..].bytes().all(|b| b.is_ascii_hexdigit())
}

/// The bech32 data alphabet.
const BECH32_CHARSET: &[u8] = b"qpzry9x8gf2tvdw0s3jn54khce6mua7l";

/// Human-readable part + `1` + data in the bech32 charset, one case only
/// (or mixed case when the checksum of the lower-cased text holds: the
/// same address with its case garbled in transit); or a cashaddr with a
/// `bitcoincash:`/`bchtest:` prefix.
fn is_bech32_like(a: &str) -> bool {
    const CHARSET: &[u8] = BECH32_CHARSET;
    let lower = a.to_ascii_lowercase();
    if a != lower && a != a.to_ascii_uppercase() && !bech32_checksum_ok(&lower) {
        return false; // mixed case is invalid bech32 unless the checksum says otherwise
    }
    if let Some(rest) = lower
        .strip_prefix("bitcoincash:")
        .or_else(|| lower.strip_prefix("bchtest:"))
    {
        return !rest.is_empty() && rest.bytes().all(|b| CHARSET.contains(&b));
    }
    let Some(sep) = lower.rfind('1') else {
        return false;
    };
    let (hrp, data) = (&lower[..sep], &lower[sep + 1..]);
    const KNOWN_HRPS: &[&str] = &["bc", "tb", "ltc", "tltc", "bcrt", "bnb"];
    KNOWN_HRPS.contains(&hrp) && data.len() >= 6 && data.bytes().all(|b| CHARSET.contains(&b))
}

/// Whether `c` is invisible or a space: characters that never belong to an
/// address and are dropped from one (zero-width spaces and joiners,
/// direction marks, the byte-order mark, soft hyphens, any whitespace).
fn is_invisible(c: char) -> bool {
    c.is_whitespace()
        || matches!(c,
            '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{180E}'
            | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{206F}' | '\u{FEFF}')
}

/// URI schemes a payment request wraps an address in (`bitcoin:` BIP 21,
/// `ethereum:` EIP 681, and their kin). `bitcoincash:` is not one: it is
/// part of a cashaddr.
const PAYMENT_SCHEMES: &[&str] = &[
    "bitcoin", "ethereum", "litecoin", "tron", "dogecoin", "dash", "zcash", "monero", "solana",
];

/// The address inside what carried it: invisible characters and spaces
/// dropped, full-width letters and digits made ASCII, a payment URI's
/// scheme and parameters removed (an EIP-681 token transfer's recipient is
/// its `address` parameter). Borrows when there is nothing to remove.
fn unwrap_address(text: &str) -> Cow<'_, str> {
    let t = text.trim();
    let plain = t.bytes().all(|b| b.is_ascii_alphanumeric());
    if plain {
        return Cow::Borrowed(t);
    }
    let mut a: String = t
        .chars()
        .filter(|c| !is_invisible(*c))
        .map(|c| match c {
            // full-width forms (U+FF01..U+FF5E) of ASCII
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            _ => c,
        })
        .collect();
    if let Some((scheme, rest)) = a.split_once(':') {
        let scheme = scheme.to_ascii_lowercase();
        let chain_prefix = matches!(
            canonical_chain(&scheme).as_str(),
            "BTC" | "TRX" | "LTC" | "XMR" | "ZEC" | "SOL" | "DASH" | "DOGE"
        ) || is_evm_chain(&canonical_chain(&scheme));
        if PAYMENT_SCHEMES.contains(&scheme.as_str()) || chain_prefix {
            let rest = rest.trim_start_matches('/');
            let (target, params) = rest.split_once('?').unwrap_or((rest, ""));
            let recipient = params
                .split('&')
                .find_map(|p| p.strip_prefix("address="))
                .filter(|_| target.contains("/transfer"));
            let target = recipient.unwrap_or(target);
            let target = target.strip_prefix("pay-").unwrap_or(target);
            let end = target
                .find(['@', '/', '?', '#', '&'])
                .unwrap_or(target.len());
            a = target[..end].to_owned();
        }
    }
    Cow::Owned(a)
}

/// A TRON account in hex form (`41` + 40 hex digits, optionally after
/// `0x`) in its usual base58check form (`T…`).
fn tron_from_hex(a: &str) -> Option<String> {
    let hex = a
        .strip_prefix("0x")
        .or_else(|| a.strip_prefix("0X"))
        .unwrap_or(a);
    if hex.len() != 42 || !hex.starts_with("41") || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let mut payload = Vec::with_capacity(25);
    for i in (0..42).step_by(2) {
        payload.push(u8::from_str_radix(&hex[i..i + 2], 16).ok()?);
    }
    let check = double_sha256(&payload);
    payload.extend_from_slice(&check[..4]);
    Some(base58_encode(&payload))
}

/// Normalises an address given for a chain, or says why it is malformed.
/// What carried the address is removed first (see the module docs).
///
/// ```
/// use amlscreen::normalize_address as normalize;
/// let a = normalize("ETH", "0x8589427373D6D84E98730D7795D8f6f8731FDA16").unwrap();
/// assert_eq!(a.address, "0x8589427373d6d84e98730d7795d8f6f8731fda16");
/// // without 0x, in a payment URI, with a zero-width space inside
/// for given in ["8589427373D6D84E98730D7795D8f6f8731FDA16",
///               "ethereum:0x8589427373D6D84E98730D7795D8f6f8731FDA16@1?value=1e18",
///               "0x8589427373D6D84E\u{200B}98730D7795D8f6f8731FDA16"] {
///     assert_eq!(normalize("ETH", given).unwrap(), a, "{given}");
/// }
/// let b = normalize("TRX", "TXdWPMpXcbmMLsD3r3ARnuGMAXPdXCv7vv").unwrap();
/// assert_eq!(b.address, "TXdWPMpXcbmMLsD3r3ARnuGMAXPdXCv7vv");
/// assert!(normalize("ETH", "TXdWPMpXcbmMLsD3r3ARnuGMAXPdXCv7vv").is_err());
/// ```
pub fn normalize(chain: &str, address: &str) -> Result<CryptoAddress, AddressError> {
    let chain = canonical_chain(chain);
    let unwrapped = unwrap_address(address);
    let mut a: &str = &unwrapped;
    let evm_without_prefix;
    let tron;
    if is_evm_chain(&chain) && a.len() == 40 && a.bytes().all(|b| b.is_ascii_hexdigit()) {
        evm_without_prefix = format!("0x{a}");
        a = &evm_without_prefix;
    } else if !is_evm_chain(&chain) {
        if let Some(t) = tron_from_hex(a) {
            tron = t;
            a = &tron;
        }
    }
    let err = |reason: &str| AddressError {
        chain: chain.clone(),
        address: address.to_owned(),
        reason: reason.to_owned(),
    };
    if a.is_empty() {
        return Err(err("empty"));
    }
    if a.len() > 128 {
        return Err(err("longer than 128 characters"));
    }
    if !a.bytes().all(|b| b.is_ascii_alphanumeric() || b == b':') {
        return Err(err("contains characters no address format uses"));
    }
    let form = address_form(a);
    // BNB is also the coin of the BNB Beacon Chain, whose addresses are
    // bech32 (`bnb1…`): OFAC lists such addresses under BNB
    let beacon =
        chain == "BNB" && form == AddressForm::Bech32 && a.to_ascii_lowercase().starts_with("bnb1");
    if is_evm_chain(&chain) && form != AddressForm::Evm && !beacon {
        return Err(err("EVM chains use 0x followed by 40 hex digits"));
    }
    if a.starts_with("0x") && form != AddressForm::Evm {
        return Err(err(
            "starts with 0x but is not 0x followed by 40 hex digits",
        ));
    }
    let address = match form {
        AddressForm::Evm => format!("0x{}", a[2..].to_ascii_lowercase()),
        AddressForm::Bech32 => a.to_ascii_lowercase(),
        AddressForm::CaseSensitive => a.to_owned(),
    };
    Ok(CryptoAddress {
        chain,
        address,
        case_folded: false,
    })
}

/// Whether a normalised address is a valid address of its chain, as far as
/// this module can tell: base58check checksum and version byte for BTC,
/// LTC and TRX legacy forms, the bech32/bech32m checksum and prefix for
/// segwit forms, the `0x` form for EVM chains. Chains it knows no rule for
/// pass. The error says what is wrong, for a reviewer.
///
/// ```
/// use amlscreen::{check_address_for_chain as check, normalize_address as normalize};
/// assert!(check(&normalize("BTC", "3Lpoy53K625zVeE47ZasiG5jGkAxJ27kh1").unwrap()).is_ok());
/// assert!(check(&normalize("BTC", "3Lpoy53K625zVeE47ZasiG5jGkAxJ27kh2").unwrap()).is_err());
/// ```
pub fn check_for_chain(address: &CryptoAddress) -> Result<(), String> {
    let a = address.address.as_str();
    let base58 = |versions: &[u8], what: &str| -> Result<(), String> {
        let bytes = base58_decode(a)
            .ok_or_else(|| format!("not a {what} address: characters outside base58"))?;
        if bytes.len() != 25 {
            return Err(format!(
                "not a {what} address: {} bytes where base58check addresses have 25",
                bytes.len()
            ));
        }
        let (payload, check) = bytes.split_at(21);
        if double_sha256(payload)[..4] != *check {
            return Err(format!("not a {what} address: its base58check checksum fails (a typo or a changed character)"));
        }
        if !versions.contains(&payload[0]) {
            return Err(format!(
                "not a {what} address: version byte {:#04x}",
                payload[0]
            ));
        }
        Ok(())
    };
    let bech32 = |hrps: &[&str], what: &str| -> Result<(), String> {
        let hrp = a.rsplit_once('1').map(|(h, _)| h).unwrap_or("");
        if !hrps.contains(&hrp) {
            return Err(format!("not a {what} address: prefix '{hrp}1'"));
        }
        if !bech32_checksum_ok(a) {
            return Err(format!(
                "not a {what} address: its bech32 checksum fails (a typo or a changed character)"
            ));
        }
        Ok(())
    };
    let form = address_form(a);
    match address.chain.as_str() {
        "BTC" if form == AddressForm::Bech32 => bech32(&["bc", "tb", "bcrt"], "Bitcoin"),
        "BTC" => base58(&[0x00, 0x05, 0x6f, 0xc4], "Bitcoin"),
        "LTC" if form == AddressForm::Bech32 => bech32(&["ltc", "tltc"], "Litecoin"),
        "LTC" => base58(&[0x30, 0x32, 0x05, 0x6f, 0xc4, 0x3a], "Litecoin"),
        "TRX" => base58(&[0x41], "TRON"),
        c if is_evm_chain(c) && form != AddressForm::Evm => {
            Err("EVM chains use 0x followed by 40 hex digits".into())
        }
        _ => Ok(()),
    }
}

/// Address keys written in free text (a memo, an account field): every
/// run of letters and digits long enough to be an address (invisible
/// characters inside are skipped, anything else ends the run), read as
/// the forms [`normalize`] reads — `0x` + 40 hex or 40 hex alone (EVM),
/// TRON hex, bech32, base58 kept as written. Only exact keys come out:
/// the caller looks them up, so an ordinary word can match nothing.
///
/// Cheap on ordinary text: no allocation until a run of 26 or more
/// letters and digits is found.
pub fn keys_in_text(text: &str) -> Vec<String> {
    /// Shorter runs are no address of any supported form.
    const MIN_RUN: usize = 26;
    /// Longer runs are no address either (bech32 tops out at 90).
    const MAX_RUN: usize = 90;
    let mut keys = Vec::new();
    let mut start = None;
    let mut run = 0usize;
    let mut invisible_inside = false;
    let flush =
        |from: Option<usize>, to: usize, run: usize, invisible: bool, keys: &mut Vec<String>| {
            let Some(from) = from else { return };
            if !(MIN_RUN..=MAX_RUN).contains(&run) {
                return;
            }
            let token: Cow<'_, str> = if invisible {
                Cow::Owned(
                    text[from..to]
                        .chars()
                        .filter(|c| !is_invisible(*c))
                        .collect(),
                )
            } else {
                Cow::Borrowed(&text[from..to])
            };
            if let Some(key) = text_key(&token) {
                if !keys.contains(&key) {
                    keys.push(key);
                }
            }
        };
    let mut last_end = 0;
    for (i, c) in text.char_indices() {
        if c.is_ascii_alphanumeric() {
            start.get_or_insert(i);
            run += 1;
            last_end = i + 1;
        } else if start.is_some() && is_invisible(c) && !c.is_whitespace() {
            invisible_inside = true;
        } else {
            flush(start, last_end, run, invisible_inside, &mut keys);
            start = None;
            run = 0;
            invisible_inside = false;
        }
    }
    flush(start, last_end, run, invisible_inside, &mut keys);
    keys
}

/// The index key of one address-shaped token, if it has an address form.
fn text_key(token: &str) -> Option<String> {
    let hex = |t: &str| t.bytes().all(|b| b.is_ascii_hexdigit());
    if let Some(t) = tron_from_hex(token) {
        return Some(t);
    }
    if token.len() == 40 && hex(token) {
        return Some(format!("0x{}", token.to_ascii_lowercase()));
    }
    match address_form(token) {
        AddressForm::Evm => Some(format!("0x{}", token[2..].to_ascii_lowercase())),
        AddressForm::Bech32 => Some(token.to_ascii_lowercase()),
        AddressForm::CaseSensitive => token
            .bytes()
            .all(|b| BASE58_ALPHABET.contains(&b))
            .then(|| token.to_owned()),
    }
}

/// The base58 alphabet (Bitcoin's, also TRON's).
const BASE58_ALPHABET: &[u8] = b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

fn double_sha256(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(Sha256::digest(bytes)).into()
}

fn base58_encode(bytes: &[u8]) -> String {
    let zeros = bytes.iter().take_while(|&&b| b == 0).count();
    // base-58 digits, least significant first
    let mut digits: Vec<u8> = Vec::with_capacity(bytes.len() * 138 / 100 + 1);
    for &b in &bytes[zeros..] {
        let mut carry = u32::from(b);
        for d in &mut digits {
            carry += u32::from(*d) << 8;
            *d = (carry % 58) as u8;
            carry /= 58;
        }
        while carry > 0 {
            digits.push((carry % 58) as u8);
            carry /= 58;
        }
    }
    let mut out = String::with_capacity(zeros + digits.len());
    out.push_str(&"1".repeat(zeros));
    out.extend(
        digits
            .iter()
            .rev()
            .map(|&d| BASE58_ALPHABET[usize::from(d)] as char),
    );
    out
}

fn base58_decode(text: &str) -> Option<Vec<u8>> {
    let zeros = text.bytes().take_while(|&b| b == b'1').count();
    // bytes, least significant first
    let mut bytes: Vec<u8> = Vec::with_capacity(text.len());
    for c in text.bytes().skip(zeros) {
        let mut carry = BASE58_ALPHABET.iter().position(|&a| a == c)? as u32;
        for b in &mut bytes {
            carry += u32::from(*b) * 58;
            *b = (carry & 0xff) as u8;
            carry >>= 8;
        }
        while carry > 0 {
            bytes.push((carry & 0xff) as u8);
            carry >>= 8;
        }
    }
    let mut out = vec![0u8; zeros];
    out.extend(bytes.iter().rev());
    Some(out)
}

/// Whether lower-case `hrp1data` carries a valid bech32 (BIP 173) or
/// bech32m (BIP 350) checksum.
fn bech32_checksum_ok(lower: &str) -> bool {
    const GENERATORS: [u32; 5] = [
        0x3b6a_57b2,
        0x2650_8e6d,
        0x1ea1_19fa,
        0x3d42_33dd,
        0x2a14_62b3,
    ];
    const BECH32: u32 = 1;
    const BECH32M: u32 = 0x2bc8_30a3;
    let Some((hrp, data)) = lower.rsplit_once('1') else {
        return false;
    };
    if hrp.is_empty() || data.len() < 6 || lower.len() > 90 {
        return false;
    }
    let mut values = Vec::with_capacity(hrp.len() * 2 + 1 + data.len());
    values.extend(hrp.bytes().map(|b| b >> 5));
    values.push(0);
    values.extend(hrp.bytes().map(|b| b & 31));
    for c in data.bytes() {
        match BECH32_CHARSET.iter().position(|&x| x == c) {
            Some(v) => values.push(v as u8),
            None => return false,
        }
    }
    let mut check: u32 = 1;
    for v in values {
        let top = check >> 25;
        check = ((check & 0x01ff_ffff) << 5) ^ u32::from(v);
        for (i, g) in GENERATORS.iter().enumerate() {
            if (top >> i) & 1 == 1 {
                check ^= g;
            }
        }
    }
    check == BECH32 || check == BECH32M
}

/// Exact lookup of normalised addresses to the entities or platforms that own them.
///
/// The key is the normalised address alone (see the module docs for why
/// the chain is not part of it). Values are caller-defined ids, e.g.
/// entity indices.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct AddressIndex<T> {
    by_address: HashMap<String, Vec<(String, T)>>,
    /// Addresses whose source lost their case ([`CryptoAddress::case_folded`]),
    /// keyed lower-case.
    #[serde(default)]
    folded: HashMap<String, Vec<(String, T)>>,
}

impl<T: Clone + PartialEq> AddressIndex<T> {
    /// An empty index.
    pub fn new() -> Self {
        AddressIndex {
            by_address: HashMap::new(),
            folded: HashMap::new(),
        }
    }

    /// Adds an owner for an already normalised address; an owner already
    /// recorded for the address is not added twice.
    pub fn insert(&mut self, address: &CryptoAddress, owner: T) {
        let map = if address.case_folded
            && address_form(&address.address) == AddressForm::CaseSensitive
        {
            &mut self.folded
        } else {
            &mut self.by_address
        };
        let owners = map.entry(address.address.to_owned()).or_default();
        if !owners.iter().any(|(_, o)| *o == owner) {
            owners.push((address.chain.clone(), owner));
        }
    }

    /// Owners of an address given for a chain, with the chain each was listed
    /// under. Malformed addresses match nothing.
    pub fn lookup(&self, chain: &str, address: &str) -> &[(String, T)] {
        match normalize(chain, address) {
            Ok(a) => self.lookup_normalized(&a.address),
            Err(_) => &[],
        }
    }

    /// Owners of an already normalised address.
    pub fn lookup_normalized(&self, address: &str) -> &[(String, T)] {
        self.by_address
            .get(address)
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    /// Owners of an address listed by a source that lost its case
    /// ([`CryptoAddress::case_folded`]): the address compared lower-case.
    /// Empty when no such address is indexed (no folding then).
    pub fn lookup_folded(&self, address: &str) -> &[(String, T)] {
        if self.folded.is_empty() {
            return &[];
        }
        self.folded
            .get(&address.to_ascii_lowercase())
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    /// Number of distinct addresses.
    pub fn len(&self) -> usize {
        self.by_address.len() + self.folded.len()
    }

    /// Whether the index is empty.
    pub fn is_empty(&self) -> bool {
        self.by_address.is_empty() && self.folded.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evm_is_case_insensitive_across_evm_chains() {
        let mut idx = AddressIndex::new();
        idx.insert(
            &normalize("ETH", "0x8589427373D6D84E98730D7795D8f6f8731FDA16").unwrap(),
            1,
        );
        assert_eq!(
            idx.lookup("BSC", "0x8589427373d6d84e98730d7795d8f6f8731fda16")
                .len(),
            1
        );
        assert_eq!(
            idx.lookup("USDT", "0X8589427373D6D84E98730D7795D8F6F8731FDA16")
                .len(),
            1
        );
    }

    #[test]
    fn base58_keeps_case() {
        let mut idx = AddressIndex::new();
        idx.insert(
            &normalize("XBT", "12QtD5BFwRsdNsAZY76UVE1xyCGNTojH9h").unwrap(),
            1,
        );
        assert_eq!(
            idx.lookup("BTC", "12QtD5BFwRsdNsAZY76UVE1xyCGNTojH9h")
                .len(),
            1
        );
        assert!(idx
            .lookup("BTC", "12qtd5bfwrsdnsazy76uve1xycgntojh9h")
            .is_empty());
    }

    #[test]
    fn bech32_folds_case() {
        let a = normalize("BTC", "BC1QSXDTMJ5XHUYGJ5KQ8Y6RRRQQ7U9GPXKDTVU4WX").unwrap();
        assert_eq!(a.address, "bc1qsxdtmj5xhuygj5kq8y6rrrqq7u9gpxkdtvu4wx");
        assert_eq!(
            address_form("bc1qsxdtmj5xhuygj5kq8y6rrrqq7u9gpxkdtvu4wx"),
            AddressForm::Bech32
        );
        // mixed case is not bech32, so it stays case-sensitive
        assert_eq!(
            address_form("bc1qSxdtmj5xhuygj5kq8y6rrrqq7u9gpxkdtvu4wx"),
            AddressForm::CaseSensitive
        );
    }

    #[test]
    fn malformed_is_rejected_with_reason() {
        assert!(normalize("ETH", "0x123")
            .unwrap_err()
            .reason
            .contains("40 hex"));
        assert!(normalize("BTC", "").is_err());
        assert!(normalize("BTC", "12Qt-D5").is_err());
        // a space inside is dropped; what is left is no Bitcoin address
        let short = normalize("BTC", "12Qt D5").unwrap();
        assert_eq!(short.address, "12QtD5");
        assert!(check_for_chain(&short).unwrap_err().contains("25"));
        assert_eq!(canonical_chain("xbt"), "BTC");
    }

    /// The tether example of the OFAC-listed Garantex BTC address and a
    /// TRON account, in their usual forms.
    const GARANTEX_BTC: &str = "3Lpoy53K625zVeE47ZasiG5jGkAxJ27kh1";
    const TRON: &str = "TN3W4H6rK2ce4vX9YnFQHwKENnHjoxb3m9";
    const TRON_HEX: &str = "4184716914c0fdf7110a44030d04d0c4923504d9cc";
    const LAZARUS_ETH: &str = "0x098B716B8Aaf21512996dC57EB0615e2383E2f96";

    #[test]
    fn what_carries_an_address_is_removed() {
        let key = |chain: &str, a: &str| normalize(chain, a).map(|n| n.address);
        let eth = Ok("0x098b716b8aaf21512996dc57eb0615e2383e2f96".to_owned());
        for given in [
            "098B716B8Aaf21512996dC57EB0615e2383E2f96",
            "ethereum:0x098B716B8Aaf21512996dC57EB0615e2383E2f96",
            "ethereum:0x098B716B8Aaf21512996dC57EB0615e2383E2f96@1?value=2.014e18",
            "ethereum:pay-0x098B716B8Aaf21512996dC57EB0615e2383E2f96",
            "ethereum:0xdAC17F958D2ee523a2206206994597C13D831ec7/transfer?address=0x098B716B8Aaf21512996dC57EB0615e2383E2f96&uint256=1",
            "0x098B716B8Aaf\u{200B}21512996dC57EB0615e2383E2f96",
            " 0x098B716B 8Aaf21512996dC57EB0615e2383E2f96\u{FEFF}",
            "ETH:0x098B716B8Aaf21512996dC57EB0615e2383E2f96",
            "０x098B716B8Aaf21512996dC57EB0615e2383E2f96",
        ] {
            assert_eq!(key("ETH", given), eth, "{given:?}");
        }
        for given in [
            "bitcoin:3Lpoy53K625zVeE47ZasiG5jGkAxJ27kh1?amount=1",
            "BITCOIN:3Lpoy53K625zVeE47ZasiG5jGkAxJ27kh1?amount=1&label=x",
            "3Lpoy53K625zVeE47Zasi\u{200D}G5jGkAxJ27kh1",
            "3Lpoy53K625zVeE47ZasiG5jGkAxJ27kh1\u{00A0}",
        ] {
            assert_eq!(key("BTC", given), Ok(GARANTEX_BTC.to_owned()), "{given:?}");
        }
        assert_eq!(key("TRX", TRON_HEX), Ok(TRON.to_owned()));
        assert_eq!(
            key("USDT-TRC20", &format!("0x{TRON_HEX}")),
            Ok(TRON.to_owned())
        );
        assert_eq!(key("TRX", TRON), Ok(TRON.to_owned()));
        // bech32: any single case, or mixed case when the checksum holds
        let bech = Ok("bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq".to_owned());
        assert_eq!(
            key("BTC", "BC1QAR0SRRR7XFKVY5L643LYDNW9RE59GTZZWF5MDQ"),
            bech
        );
        assert_eq!(
            key("BTC", "bc1qAR0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"),
            bech
        );
        // without a 0x and off an EVM chain, 40 hex digits are left as they are
        assert_eq!(
            key("BTC", &LAZARUS_ETH[2..]),
            Ok(LAZARUS_ETH[2..].to_owned())
        );
    }

    #[test]
    fn chain_checks() {
        let check = |chain: &str, a: &str| check_for_chain(&normalize(chain, a).unwrap());
        assert!(check("BTC", GARANTEX_BTC).is_ok());
        assert!(check("XBT", "12QtD5BFwRsdNsAZY76UVE1xyCGNTojH9h").is_ok());
        assert!(check("BTC", "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq").is_ok());
        assert!(check("TRX", TRON).is_ok());
        assert!(check("ETH", LAZARUS_ETH).is_ok());
        assert!(check(
            "XMR",
            "anything-goes-for-chains-without-a-rule"
                .replace('-', "")
                .as_str()
        )
        .is_ok());
        // one character changed: the checksum catches it
        let typo = check("BTC", "3Lpoy53K625zVeE47ZasiG5jGkAxJ27kh2").unwrap_err();
        assert!(typo.contains("checksum"), "{typo}");
        let typo = check("BTC", "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdp").unwrap_err();
        assert!(typo.contains("bech32 checksum"), "{typo}");
        // a valid address of another chain
        let other = check("TRX", GARANTEX_BTC).unwrap_err();
        assert!(other.contains("version byte"), "{other}");
        assert!(check("BTC", TRON).unwrap_err().contains("version byte"));
        assert!(check("BTC", "ltc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq").is_err());
    }

    #[test]
    fn tron_hex_round_trips_through_base58() {
        let bytes = base58_decode(TRON).unwrap();
        assert_eq!(bytes.len(), 25);
        assert_eq!(base58_encode(&bytes), TRON);
        assert_eq!(base58_encode(&[0, 0, 1]), "112");
        assert_eq!(base58_decode("112").unwrap(), [0, 0, 1]);
        assert_eq!(tron_from_hex(TRON_HEX).as_deref(), Some(TRON));
        assert_eq!(tron_from_hex("42"), None);
    }

    #[test]
    fn addresses_in_text() {
        assert!(keys_in_text("rent for November, flat 12").is_empty());
        assert!(keys_in_text("").is_empty());
        // long ordinary words are keys, but only exact lookups use them
        assert_eq!(
            keys_in_text(&format!("pay bitcoin:{GARANTEX_BTC}?amount=1 thanks")),
            [GARANTEX_BTC]
        );
        assert_eq!(
            keys_in_text(&format!("to {} and {TRON_HEX}", &LAZARUS_ETH[2..])),
            ["0x098b716b8aaf21512996dc57eb0615e2383e2f96", TRON]
        );
        assert_eq!(
            keys_in_text("ref: 0x098B716B8Aaf2151\u{200B}2996dC57EB0615e2383E2f96."),
            ["0x098b716b8aaf21512996dc57eb0615e2383e2f96"]
        );
        assert_eq!(
            keys_in_text("BC1QAR0SRRR7XFKVY5L643LYDNW9RE59GTZZWF5MDQ"),
            ["bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"]
        );
        // too long for any address
        assert!(keys_in_text(&"a1".repeat(60)).is_empty());
    }
}
