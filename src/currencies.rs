//! Currency and asset codes the rule files may name: the ISO 4217 currency
//! codes in use, and the crypto tickers an exchange meets, with the
//! privacy coins among them. A code outside these vocabularies is a typo
//! until shown otherwise (`UHA` for `UAH`, `XRM` for `XMR`): the rule
//! loader refuses it with the closest code as a hint.
//!
//! Sources: ISO 4217 list one (current currencies and funds, amendment 179,
//! 2025: the codes below, without precious metals, testing and "no
//! currency" codes); crypto tickers as the major exchanges list them.

/// ISO 4217 codes of current currencies, the most used first (the order
/// breaks ties between equally close hints).
pub const ISO_4217: &[&str] = &[
    "UAH", "USD", "EUR", "GBP", "PLN", "CHF", "JPY", "CNY", "CAD", "AUD", "CZK", "HUF", "RON",
    "BGN", "MDL", "GEL", "TRY", "ILS", "AED", "KZT", "SEK", "NOK", "DKK", "RUB", "BYN", "AFN",
    "ALL", "AMD", "ANG", "AOA", "ARS", "AWG", "AZN", "BAM", "BBD", "BDT", "BHD", "BIF", "BMD",
    "BND", "BOB", "BRL", "BSD", "BTN", "BWP", "BZD", "CDF", "CLP", "COP", "CRC", "CUP", "CVE",
    "DJF", "DOP", "DZD", "EGP", "ERN", "ETB", "FJD", "FKP", "GHS", "GIP", "GMD", "GNF", "GTQ",
    "GYD", "HKD", "HNL", "HTG", "IDR", "INR", "IQD", "IRR", "ISK", "JMD", "JOD", "KES", "KGS",
    "KHR", "KMF", "KPW", "KRW", "KWD", "KYD", "LAK", "LBP", "LKR", "LRD", "LSL", "LYD", "MAD",
    "MGA", "MKD", "MMK", "MNT", "MOP", "MRU", "MUR", "MVR", "MWK", "MXN", "MYR", "MZN", "NAD",
    "NGN", "NIO", "NPR", "NZD", "OMR", "PAB", "PEN", "PGK", "PHP", "PKR", "PYG", "QAR", "RSD",
    "RWF", "SAR", "SBD", "SCR", "SDG", "SGD", "SHP", "SLE", "SOS", "SRD", "SSP", "STN", "SVC",
    "SYP", "SZL", "THB", "TJS", "TMT", "TND", "TOP", "TTD", "TWD", "TZS", "UGX", "UYU", "UZS",
    "VES", "VND", "VUV", "WST", "XAF", "XCD", "XCG", "XOF", "XPF", "YER", "ZAR", "ZMW", "ZWG",
];

/// Crypto asset tickers, the most traded first.
pub const CRYPTO: &[&str] = &[
    "BTC", "ETH", "USDT", "USDC", "TRX", "BNB", "SOL", "XRP", "TON", "LTC", "DOGE", "ADA", "DAI",
    "BCH", "DOT", "POL", "MATIC", "AVAX", "LINK", "XLM", "ETC", "ATOM", "NEAR", "APT", "ARB", "OP",
    "SUI", "ALGO", "XTZ", "EOS", "FIL", "UNI", "SHIB", "PEPE", "WBTC", "WETH", "BUSD", "TUSD",
    "FDUSD", "PYUSD", "USDE", "EURC", "EURT", "USDP", "BSV", "NEO", "XEM", "HBAR", "ICP", "KAS",
    "VET", "TAO", "HYPE", "FET", "RNDR", "INJ", "STX", "IMX", "MKR", "AAVE", "CRV", "LDO", "GRT",
    "SAND", "MANA", "AXS", "APE", "CAKE", "KAVA", "ZIL", "WAVES", "QTUM", "ONT", "IOTA", "ICX",
    "NANO", "RVN", "DGB", "SC", "XDC", "CRO", "OKB", "LEO", "GT", "KCS", "HT", "MX", "BGB", "A7A5",
    "XAUT", "PAXG", // privacy coins (see PRIVACY_COINS)
    "XMR", "ZEC", "DASH", "GRIN", "BEAM", "FIRO", "ARRR", "ZEN", "XVG", "DERO", "OXEN", "PIVX",
    "SCRT", "MOB", "XHV", "ZANO",
];

/// Coins whose protocol hides amounts, senders or receivers (by default or
/// as an option the sender chooses): Monero, Zcash, Dash (PrivateSend),
/// Grin and Beam (Mimblewimble), Firo (Lelantus), Pirate Chain, Horizen,
/// Verge, Dero, Oxen, PIVX, Secret, MobileCoin, Haven, Zano.
pub const PRIVACY_COINS: &[&str] = &[
    "XMR", "ZEC", "DASH", "GRIN", "BEAM", "FIRO", "ARRR", "ZEN", "XVG", "DERO", "OXEN", "PIVX",
    "SCRT", "MOB", "XHV", "ZANO",
];

/// Whether `code` (upper case) is a known currency or crypto ticker.
pub fn is_known(code: &str) -> bool {
    ISO_4217.contains(&code) || CRYPTO.contains(&code)
}

/// Whether `code` (upper case) is a crypto ticker rather than a currency.
pub fn is_crypto(code: &str) -> bool {
    CRYPTO.contains(&code)
}

/// The code of `candidates` closest to `word` by one edit (a letter
/// changed, added, dropped, or two neighbours swapped: `UHA` → `UAH`); the
/// first of equally close ones. Codes are short, so anything further is
/// no hint at all.
pub fn closest<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let word = word.to_uppercase();
    candidates
        .iter()
        .copied()
        .find(|c| strsim::osa_distance(&word, &c.to_uppercase()) <= 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vocabularies_hold_what_the_policy_names_and_hint_typos() {
        for code in ["UAH", "USD", "EUR", "USDT", "BTC", "XMR", "ZEC", "DASH"] {
            assert!(is_known(code), "{code}");
        }
        assert!(!is_known("UHA") && !is_known("XRM") && !is_known("usd"));
        assert_eq!(closest("UHA", ISO_4217), Some("UAH"));
        assert_eq!(closest("XRM", PRIVACY_COINS), Some("XMR"));
        assert_eq!(closest("ZZZZ", ISO_4217), None);
        for c in PRIVACY_COINS {
            assert!(is_crypto(c), "{c}");
        }
        // no code is listed twice
        let mut all: Vec<&str> = ISO_4217.iter().chain(CRYPTO).copied().collect();
        all.sort_unstable();
        let n = all.len();
        all.dedup();
        assert_eq!(all.len(), n);
    }
}
