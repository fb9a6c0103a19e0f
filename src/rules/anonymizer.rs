//! `anonymizer`: the customer hides where they are or where funds go —
//! an IP flagged `tor`/`vpn`/`proxy` upstream, an IP in a list of TOR exit
//! nodes or CIDR ranges, a mixer among the parties, or a privacy coin.
//!
//! ```yaml
//! - id: anonymizer-tor-or-mixer
//!   kind: anonymizer
//!   description: TOR exit node or coin mixer
//!   ip_flags: [tor]                       # channel.ip_flags that fire (case-insensitive)
//!   ip_lists: [data/tor_exit_nodes.txt]   # files of IPs / CIDR ranges, one a line
//!   ips: []                               # more IPs / CIDR ranges inline
//!   mixer: true                           # a party is a mixer in the platform registry
//!   privacy_coins: []                     # currency or wallet chain codes
//!   level: high
//! ```
//!
//! Any one configured signal fires the rule; the reason lists every signal seen.

use std::collections::HashSet;
use std::net::IpAddr;

use super::data_file::DataFiles;
use super::fields::Fields;
use super::rule::{Fired, RuleContext};
use crate::currencies::{closest, PRIVACY_COINS};
use crate::platforms::PlatformCategory;

/// The `channel.ip_flags` an upstream IP check sets that a rule may name:
/// `tor` (a TOR exit node), `vpn`, `proxy` (an open or anonymous proxy),
/// `residential_proxy`, `relay` (a privacy relay such as iCloud Private
/// Relay), `hosting` (a data-centre address), `anonymous` (any of these,
/// unspecified). A rule naming another flag would never fire: it is an
/// error with the closest flag as a hint.
pub const IP_FLAGS: &[&str] = &[
    "tor",
    "vpn",
    "proxy",
    "residential_proxy",
    "relay",
    "hosting",
    "anonymous",
];

/// An IP network: an address and a prefix length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IpNetwork {
    /// Network address.
    pub addr: IpAddr,
    /// Prefix length in bits.
    pub prefix: u8,
}

impl IpNetwork {
    /// Parses `1.2.3.0/24`, `2001:db8::/32` or a single address.
    pub fn parse(text: &str) -> Result<IpNetwork, String> {
        let (addr, prefix) = match text.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (text, None),
        };
        let addr: IpAddr = addr
            .trim()
            .parse()
            .map_err(|_| format!("'{text}' is not an IP address or CIDR range (like 185.220.101.1 or 185.220.100.0/22)"))?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => max,
            Some(p) => p
                .trim()
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= max)
                .ok_or_else(|| format!("'{text}': prefix must be 0–{max}"))?,
        };
        Ok(IpNetwork { addr, prefix })
    }

    fn bits(addr: IpAddr) -> (u128, u8) {
        match addr {
            IpAddr::V4(a) => (u128::from(u32::from(a)), 32),
            IpAddr::V6(a) => (u128::from(a), 128),
        }
    }

    /// Whether `ip` lies in this network (same address family only).
    pub fn contains(&self, ip: IpAddr) -> bool {
        if self.addr.is_ipv4() != ip.is_ipv4() {
            return false;
        }
        let (net, width) = Self::bits(self.addr);
        let (probe, _) = Self::bits(ip);
        let shift = u32::from(width - self.prefix);
        if shift >= 128 {
            return true;
        }
        (net >> shift) == (probe >> shift)
    }
}

/// A compiled anonymizer rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnonymizerRule {
    /// Upstream IP flags that fire, lower-case.
    pub ip_flags: Vec<String>,
    /// Listed single addresses.
    pub ips: HashSet<IpAddr>,
    /// Listed ranges.
    pub networks: Vec<IpNetwork>,
    /// Where the addresses came from, for reasons.
    pub ip_sources: Vec<String>,
    /// Whether a mixer party fires.
    pub mixer: bool,
    /// Privacy coin codes, upper-case.
    pub privacy_coins: Vec<String>,
}

impl AnonymizerRule {
    /// Reads the rule's parameters and its IP list files.
    pub fn compile(f: &mut Fields<'_>, data: &mut DataFiles) -> Option<AnonymizerRule> {
        let ip_flags: Vec<String> = f
            .texts("ip_flags")
            .iter()
            .map(|s| s.trim().to_lowercase())
            .collect();
        let files = f.texts("ip_lists");
        let inline = f.texts("ips");
        let mixer = f.flag("mixer", false);
        let privacy_coins: Vec<String> = f
            .texts("privacy_coins")
            .iter()
            .map(|s| s.trim().to_uppercase())
            .collect();
        for (i, flag) in ip_flags.iter().enumerate() {
            if !IP_FLAGS.contains(&flag.as_str()) {
                let at = f.item_position("ip_flags", i);
                let e = at
                    .error(format!("'ip_flags': unknown flag '{flag}'"))
                    .with_hint_for(flag, IP_FLAGS.iter().copied())
                    .with_note(format!("(valid: {})", IP_FLAGS.join(", ")));
                f.push(e);
            }
        }
        for (i, coin) in privacy_coins.iter().enumerate() {
            if !PRIVACY_COINS.contains(&coin.as_str()) {
                let at = f.item_position("privacy_coins", i);
                let hint = closest(coin, PRIVACY_COINS)
                    .map(|c| format!(", did you mean '{c}'?"))
                    .unwrap_or_default();
                f.push(at.error(format!(
                    "'privacy_coins': '{coin}' is no privacy coin{hint} (known: {})",
                    PRIVACY_COINS.join(", ")
                )));
            }
        }
        let mut rule = AnonymizerRule {
            ip_flags,
            ips: HashSet::new(),
            networks: Vec::new(),
            ip_sources: Vec::new(),
            mixer,
            privacy_coins,
        };
        let add = |rule: &mut AnonymizerRule, text: &str| -> Result<(), String> {
            let net = IpNetwork::parse(text)?;
            let full = if net.addr.is_ipv4() { 32 } else { 128 };
            if net.prefix == full {
                rule.ips.insert(net.addr);
            } else {
                rule.networks.push(net);
            }
            Ok(())
        };
        for (i, text) in inline.iter().enumerate() {
            if let Err(e) = add(&mut rule, text) {
                let at = f.item_position("ips", i);
                f.push(at.error(format!("'ips': {e}")));
            }
        }
        if !inline.is_empty() {
            rule.ip_sources.push("the rule's 'ips'".into());
        }
        let source_path = f.source().path.clone();
        for (i, name) in files.iter().enumerate() {
            match data.read(&source_path, name) {
                Ok(file) => {
                    for entry in &file.entries {
                        if let Err(e) = add(&mut rule, &entry.value) {
                            f.push(file.error_at(entry, e));
                        }
                    }
                    rule.ip_sources.push(name.clone());
                }
                Err(e) => {
                    let at = f.item_position("ip_lists", i);
                    f.push(at.error(format!("'ip_lists': {e}")));
                }
            }
        }
        let has_signal = !rule.ip_flags.is_empty()
            || !files.is_empty()
            || !inline.is_empty()
            || rule.mixer
            || !rule.privacy_coins.is_empty();
        if !has_signal && !f.has_errors() {
            f.error(
                "ip_flags",
                "an anonymizer rule needs at least one signal: 'ip_flags', 'ip_lists', 'ips', 'mixer: true' or 'privacy_coins'",
            );
        }
        Some(rule)
    }

    /// Fires when any configured signal is present.
    pub fn evaluate(&self, ctx: &RuleContext<'_>) -> Option<Fired> {
        let tx = ctx.tx;
        let mut signals = Vec::new();
        let mut party = None;
        if let Some(channel) = &tx.channel {
            for flag in &channel.ip_flags {
                let f = flag.trim().to_lowercase();
                if self.ip_flags.contains(&f) {
                    signals.push(format!("channel IP flagged '{f}'"));
                }
            }
            if let Some(ip) = channel
                .ip
                .as_deref()
                .and_then(|s| s.trim().parse::<IpAddr>().ok())
            {
                let listed = self.ips.contains(&ip) || self.networks.iter().any(|n| n.contains(ip));
                if listed {
                    signals.push(format!(
                        "channel IP {ip} is listed in {}",
                        self.ip_sources.join(", ")
                    ));
                }
            }
        }
        if self.mixer {
            for p in ctx
                .platforms
                .iter()
                .filter(|p| p.platform.category == PlatformCategory::Mixer)
            {
                let whose = p
                    .party
                    .map(|r| r.to_string())
                    .unwrap_or_else(|| "memo".into());
                signals.push(format!("{whose} involves mixer {}", p.platform.name));
                party = party.or(p.party);
            }
        }
        if !self.privacy_coins.is_empty() {
            let currency = tx.currency.trim().to_uppercase();
            if self.privacy_coins.contains(&currency) {
                signals.push(format!("privacy coin {currency}"));
            } else if let Some((role, chain)) = tx.parties().find_map(|(role, p)| {
                let chain = p.wallet.as_ref()?.chain.trim().to_uppercase();
                self.privacy_coins.contains(&chain).then_some((role, chain))
            }) {
                signals.push(format!("{role} wallet on privacy coin {chain}"));
                party = party.or(Some(role));
            }
        }
        (!signals.is_empty()).then(|| Fired {
            party,
            detail: signals.join("; "),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cidr_containment() {
        let n = IpNetwork::parse("185.220.100.0/22").unwrap();
        assert!(n.contains("185.220.101.1".parse().unwrap()));
        assert!(n.contains("185.220.103.255".parse().unwrap()));
        assert!(!n.contains("185.220.104.0".parse().unwrap()));
        assert!(!n.contains("::1".parse().unwrap()));
        assert!(IpNetwork::parse("0.0.0.0/0")
            .unwrap()
            .contains("8.8.8.8".parse().unwrap()));
        let v6 = IpNetwork::parse("2001:db8::/32").unwrap();
        assert!(v6.contains("2001:db8:ffff::1".parse().unwrap()));
        assert!(IpNetwork::parse("1.2.3.4/33").is_err());
        assert!(IpNetwork::parse("tor-node").is_err());
    }
}
