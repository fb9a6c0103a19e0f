//! Reading a domain the way a browser or a mail client would.
//!
//! A party's `domain` field may hold a bare host, a URL, an e-mail address,
//! a "defanged" indicator copied from a threat report, or text typed to
//! slip past a filter. [`read_domain`] gets the host out of all of them:
//!
//! * invisible characters are dropped, compatibility forms unified (NFKC:
//!   full-width letters), the ideographic and other full stops read as dots;
//! * defanged forms are undone: `[.]`, `(.)`, `{.}`, `[dot]`, `(dot)`,
//!   ` dot `, `hxxp`, `[:]`, `[at]`, `(at)`;
//! * a scheme with or without slashes (`https://`, `https:`, `//`), user
//!   information (`user:pw@`, `user@`), a port, a path, a query and a
//!   fragment are removed;
//! * the host is converted to ASCII by IDNA (UTS #46), so `Gаrantex.ORG`,
//!   `ｇａｒａｎｔｅｘ．ｏｒｇ` and `xn--…` labels all reach one form;
//! * each label is also read in its look-alike skeleton (TS #39), so a host
//!   written with Cyrillic look-alike letters meets the Latin one.
//!
//! What is still not a host name is an error, which the engine turns into a
//! hold with the reason — never ignored.

use std::fmt;

use unicode_normalization::UnicodeNormalization;

use crate::names::normalize::{display_order, is_invisible};
use crate::names::{lookalike_key, lookalike_skeleton};

/// A host name read from a domain field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Host {
    /// Lower-case ASCII (IDNA) form, without a trailing dot or `www.`.
    pub ascii: String,
    /// The host in Unicode (IDNA `xn--` labels decoded), for reading its
    /// labels as text.
    pub unicode: String,
    /// The host with every label read as the Latin letters its look-alike
    /// letters imitate, in [`crate::names::lookalike_key`] form (I/l/1 one
    /// letter, 0/o, rn/m), when that differs from `ascii`'s.
    pub lookalike: Option<String>,
}

/// Why a domain field could not be read as a host name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DomainError {
    reason: String,
}

impl fmt::Display for DomainError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.reason)
    }
}

impl std::error::Error for DomainError {}

fn error(reason: impl Into<String>) -> DomainError {
    DomainError {
        reason: reason.into(),
    }
}

/// Reads the host name out of a domain, URL or e-mail address (see the
/// module doc).
///
/// ```
/// use amlscreen::read_domain;
/// for input in [
///     "garantex.org",
///     "https://user:pw@Garantex.org:443/login?x=1",
///     "user@garantex.org",
///     "//garantex.org",
///     "garantex\u{3002}org",
///     "garantex[.]org",
///     "hxxps://garantex(dot)org",
/// ] {
///     assert_eq!(read_domain(input).unwrap().ascii, "garantex.org", "{input}");
/// }
/// assert!(read_domain("not a domain").is_err());
/// ```
pub fn read_domain(input: &str) -> Result<Host, DomainError> {
    if input.len() > 2048 {
        return Err(error(format!(
            "{} bytes: longer than any URL a browser opens",
            input.len()
        )));
    }
    let dots_and_spaces = |c: char| match c {
        '\u{3002}' | '\u{FF0E}' | '\u{FF61}' | '\u{2024}' | '\u{FE52}' => '.',
        c if c.is_whitespace() => ' ',
        c => c,
    };
    // ASCII (most fields) has no bidi override and nothing NFKC changes
    let ascii_input = input.is_ascii();
    let cleaned: String = if ascii_input {
        input
            .chars()
            .filter(|&c| !is_invisible(c))
            .map(|c| dots_and_spaces(c).to_ascii_lowercase())
            .collect()
    } else {
        display_order(input)
            .chars()
            .filter(|&c| !is_invisible(c))
            .nfkc()
            .map(dots_and_spaces)
            .collect()
    };
    // lower-cased for parsing; look-alike letters are read in the case
    // they were written (a capital Cyrillic Т imitates T, a small т nothing)
    let lower = if ascii_input {
        std::borrow::Cow::Borrowed(cleaned.trim())
    } else {
        std::borrow::Cow::Owned(cleaned.trim().to_lowercase())
    };
    let text = refang(&lower);
    let text = text.trim();
    if text.is_empty() {
        return Err(error("empty"));
    }
    let authority = strip_scheme(text);
    let authority = authority
        .split(['/', '\\', '?', '#'])
        .next()
        .unwrap_or_default();
    // user information ends at the last '@'
    let host = authority.rsplit('@').next().unwrap_or_default();
    let host = strip_port(host);
    let host = host.trim_end_matches('.');
    let host = host.strip_prefix("www.").unwrap_or(host);
    if host.is_empty() {
        return Err(error("no host name"));
    }
    if host.contains(char::is_whitespace) {
        return Err(error(format!("'{host}' has spaces: not a host name")));
    }
    // a plain ASCII host without punycode labels is its own IDNA form
    let plain = host.is_ascii() && !host.split('.').any(|l| l.starts_with("xn--"));
    if plain {
        validate_ascii_host(host)?;
        return Ok(Host {
            ascii: host.to_owned(),
            unicode: host.to_owned(),
            lookalike: None,
        });
    }
    let ascii = idna::domain_to_ascii(host).map_err(|_| {
        error(format!(
            "'{host}' is not a valid internationalised host name"
        ))
    })?;
    let ascii = ascii.trim_end_matches('.').to_owned();
    validate_ascii_host(&ascii)?;
    let (unicode, _) = idna::domain_to_unicode(&ascii);
    let lookalike = written_case_host(&cleaned, host)
        .and_then(|h| lookalike_skeleton(&h))
        .or_else(|| lookalike_skeleton(&unicode))
        .map(|s| lookalike_key(&s.to_lowercase()))
        .filter(|s| *s != lookalike_key(&ascii) && s.is_ascii());
    Ok(Host {
        ascii,
        unicode,
        lookalike,
    })
}

/// The host as it was written, in its original case: the part of the
/// cleaned input whose lower-case form is the parsed host.
fn written_case_host(cleaned: &str, host: &str) -> Option<String> {
    let lower = cleaned.to_lowercase();
    // only where lower-casing kept every byte offset (the scripts that
    // imitate Latin letters do)
    if lower.len() != cleaned.len() {
        return None;
    }
    let at = lower.find(host)?;
    cleaned.get(at..at + host.len()).map(str::to_owned)
}

/// Undoes the usual ways of "defanging" an indicator.
fn refang(text: &str) -> std::borrow::Cow<'_, str> {
    let may_be_defanged = text.contains(['[', '(', '{'])
        || text.contains(" dot ")
        || text.starts_with("hxxp")
        || text.starts_with("fxp");
    if !may_be_defanged {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut s = text.to_owned();
    for (from, to) in [
        ("[.]", "."),
        ("(.)", "."),
        ("{.}", "."),
        ("[dot]", "."),
        ("(dot)", "."),
        ("{dot}", "."),
        (" dot ", "."),
        ("[:]", ":"),
        ("[://]", "://"),
        ("[at]", "@"),
        ("(at)", "@"),
        ("[@]", "@"),
    ] {
        if s.contains(from) {
            s = s.replace(from, to);
        }
    }
    for (from, to) in [("hxxps", "https"), ("hxxp", "http"), ("fxp", "ftp")] {
        if let Some(rest) = s.strip_prefix(from) {
            s = format!("{to}{rest}");
        }
    }
    std::borrow::Cow::Owned(s)
}

/// Removes a URL scheme (`https://`, `https:`, `mailto:`) and leading
/// slashes (`//host`).
fn strip_scheme(text: &str) -> &str {
    let mut rest = text;
    if let Some((scheme, after)) = text.split_once(':') {
        let is_scheme = !scheme.is_empty()
            && scheme.len() <= 16
            && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
            && !scheme.contains('.');
        // "host:port" is not a scheme: a scheme is followed by '/' or a host
        // name, a port by digits
        let port_follows = after
            .split(['/', '?', '#'])
            .next()
            .is_some_and(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()));
        if is_scheme && !port_follows {
            rest = after;
        }
    }
    rest.trim_start_matches(['/', '\\'])
}

/// Removes `:port` from a host.
fn strip_port(host: &str) -> &str {
    match host.rsplit_once(':') {
        Some((h, port)) if port.chars().all(|c| c.is_ascii_digit()) => h,
        _ => host,
    }
}

/// A dotted name of 1–63-byte labels of letters, digits, `-` and `_`, at
/// most 253 bytes.
fn validate_ascii_host(host: &str) -> Result<(), DomainError> {
    if host.len() > 253 {
        return Err(error(format!("'{host}' is longer than 253 bytes")));
    }
    if !host.contains('.') {
        return Err(error(format!(
            "'{host}' has no dot: not a domain name (like example.com)"
        )));
    }
    for label in host.split('.') {
        if label.is_empty() || label.len() > 63 {
            return Err(error(format!("'{host}' has an empty or over-long label")));
        }
        if !label
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return Err(error(format!("'{host}' has a character no host name has")));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn host(s: &str) -> String {
        read_domain(s)
            .unwrap_or_else(|e| panic!("{s:?}: {e}"))
            .ascii
    }

    #[test]
    fn every_form_a_browser_or_mail_client_reads() {
        for input in [
            "garantex.org",
            "GARANTEX.ORG.",
            "www.garantex.org",
            "user@garantex.org",
            "mailto:user@garantex.org",
            "https://user:pw@garantex.org/",
            "//garantex.org",
            "https:garantex.org",
            "http://garantex.org:8080/path?q=1#f",
            "garantex\u{3002}org",
            "ｇａｒａｎｔｅｘ．ｏｒｇ",
            "gara\u{200B}ntex.org",
            "garantex[.]org",
            "garantex(dot)org",
            "hxxps://garantex[.]org/",
            " garantex.org ",
            "garantex.org:443",
        ] {
            assert_eq!(host(input), "garantex.org", "{input:?}");
        }
    }

    #[test]
    fn international_names_and_lookalikes() {
        // Cyrillic а inside: a different host in ASCII, the same skeleton
        let h = read_domain("g\u{0430}rantex.org").unwrap();
        assert!(h.ascii.starts_with("xn--"), "{}", h.ascii);
        assert_eq!(h.lookalike.as_deref(), Some("garantex.org"));
        // the punycode form of the same name reads the same
        let again = read_domain(&h.ascii).unwrap();
        assert_eq!(again.lookalike.as_deref(), Some("garantex.org"));
        // an all-look-alike label (Cyrillic е, х, с)
        let h = read_domain("m\u{0435}\u{0445}\u{0441}.com").unwrap();
        assert_eq!(h.lookalike.as_deref(), Some("mexc.com"));
    }

    #[test]
    fn what_is_not_a_host_is_an_error() {
        for input in [
            "",
            "   ",
            "garantex",
            "not a domain",
            "https://",
            "a..b",
            "exa mple.com",
        ] {
            assert!(read_domain(input).is_err(), "{input:?}");
        }
    }
}
