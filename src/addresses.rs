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

use std::collections::HashMap;
use std::fmt;

use serde::{Deserialize, Serialize};

/// A normalised crypto address with the chain it was given for.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct CryptoAddress {
    /// Canonical chain ticker (`BTC`, `ETH`, `TRX`, …) as the source gave it, mapped.
    pub chain: String,
    /// The address, normalised by its form (see the module docs).
    pub address: String,
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

/// Human-readable part + `1` + data in the bech32 charset, one case only;
/// or a cashaddr with a `bitcoincash:`/`bchtest:` prefix.
fn is_bech32_like(a: &str) -> bool {
    const CHARSET: &[u8] = b"qpzry9x8gf2tvdw0s3jn54khce6mua7l";
    let lower = a.to_ascii_lowercase();
    if a != lower && a != a.to_ascii_uppercase() {
        return false; // mixed case is invalid bech32
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
    const KNOWN_HRPS: &[&str] = &["bc", "tb", "ltc", "tltc", "bcrt"];
    KNOWN_HRPS.contains(&hrp) && data.len() >= 6 && data.bytes().all(|b| CHARSET.contains(&b))
}

/// Normalises an address given for a chain, or says why it is malformed.
///
/// ```
/// use amlscreen::normalize_address as normalize;
/// let a = normalize("ETH", "0x8589427373D6D84E98730D7795D8f6f8731FDA16").unwrap();
/// assert_eq!(a.address, "0x8589427373d6d84e98730d7795d8f6f8731fda16");
/// let b = normalize("TRX", "TXdWPMpXcbmMLsD3r3ARnuGMAXPdXCv7vv").unwrap();
/// assert_eq!(b.address, "TXdWPMpXcbmMLsD3r3ARnuGMAXPdXCv7vv");
/// assert!(normalize("ETH", "TXdWPMpXcbmMLsD3r3ARnuGMAXPdXCv7vv").is_err());
/// ```
pub fn normalize(chain: &str, address: &str) -> Result<CryptoAddress, AddressError> {
    let chain = canonical_chain(chain);
    let a = address.trim();
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
    if is_evm_chain(&chain) && form != AddressForm::Evm {
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
    Ok(CryptoAddress { chain, address })
}

/// Exact lookup of normalised addresses to the entities or platforms that own them.
///
/// The key is the normalised address alone (see the module docs for why
/// the chain is not part of it). Values are caller-defined ids, e.g.
/// entity indices.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct AddressIndex<T> {
    by_address: HashMap<String, Vec<(String, T)>>,
}

impl<T: Clone + PartialEq> AddressIndex<T> {
    /// An empty index.
    pub fn new() -> Self {
        AddressIndex {
            by_address: HashMap::new(),
        }
    }

    /// Adds an owner for an already normalised address; an owner already
    /// recorded for the address is not added twice.
    pub fn insert(&mut self, address: &CryptoAddress, owner: T) {
        let owners = self.by_address.entry(address.address.clone()).or_default();
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

    /// Number of distinct addresses.
    pub fn len(&self) -> usize {
        self.by_address.len()
    }

    /// Whether the index is empty.
    pub fn is_empty(&self) -> bool {
        self.by_address.is_empty()
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
        assert!(normalize("BTC", "12Qt D5").is_err());
        assert_eq!(canonical_chain("xbt"), "BTC");
    }
}
