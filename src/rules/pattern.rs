//! `pattern`: staff-defined typologies as keyword lists (aho-corasick,
//! whole words, case-insensitive) or regular expressions (the `regex`
//! crate: linear time, compiled with a size limit) over the memo and the
//! parties' names.
//!
//! ```yaml
//! - id: memo-ransom
//!   kind: pattern
//!   description: Memo mentions a ransom payment
//!   keywords: [ransom, ransomware, decryptor]
//!   regexes: ['decrypt(ion)?\s+key']
//!   fields: [memo]        # memo | names
//!   score: 40
//! ```

use aho_corasick::{AhoCorasick, MatchKind};
use regex::{Regex, RegexBuilder};

use super::fields::Fields;
use super::rule::{Fired, RuleContext};

/// Largest compiled size of one regex, in bytes. Raising it allows more
/// complex patterns at the cost of memory per rule; a pattern over the
/// limit is a rule-file error, never a slow screen.
pub const MAX_REGEX_SIZE: usize = 1 << 20;
/// Longest keyword or regex source accepted, in characters.
pub const MAX_PATTERN_CHARS: usize = 1_000;

/// Where a pattern rule looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PatternField {
    /// The transaction memo.
    Memo,
    /// Every party's name.
    Names,
}

/// Fields by name, for `fields:`.
pub const FIELDS: &[(&str, PatternField)] =
    &[("memo", PatternField::Memo), ("names", PatternField::Names)];

/// A compiled pattern rule.
#[derive(Debug, Clone)]
pub struct PatternRule {
    keywords: Vec<String>,
    matcher: Option<AhoCorasick>,
    regexes: Vec<Regex>,
    fields: Vec<PatternField>,
}

impl PatternRule {
    /// Reads and compiles the keywords and regexes.
    pub fn compile(f: &mut Fields<'_>) -> Option<PatternRule> {
        let keywords: Vec<String> = f
            .texts("keywords")
            .iter()
            .map(|k| k.trim().to_lowercase())
            .collect();
        let sources = f.texts("regexes");
        let field_names = f.texts("fields");
        let mut fields = Vec::new();
        for (i, name) in field_names.iter().enumerate() {
            match FIELDS.iter().find(|(n, _)| n == name) {
                Some((_, fl)) => fields.push(*fl),
                None => {
                    let at = f.item_position("fields", i);
                    f.push(at.error(format!("unknown field '{name}' (valid: memo, names)")));
                }
            }
        }
        if field_names.is_empty() {
            fields = vec![PatternField::Memo, PatternField::Names];
        }
        for (i, k) in keywords.iter().enumerate() {
            if k.is_empty() || k.chars().count() > MAX_PATTERN_CHARS {
                let at = f.item_position("keywords", i);
                f.push(at.error(format!(
                    "keyword {} must have 1–{MAX_PATTERN_CHARS} characters",
                    i + 1
                )));
            }
        }
        let mut regexes = Vec::new();
        for (i, src) in sources.iter().enumerate() {
            let at = f.item_position("regexes", i);
            if src.chars().count() > MAX_PATTERN_CHARS {
                f.push(at.error(format!(
                    "regex {} is longer than {MAX_PATTERN_CHARS} characters",
                    i + 1
                )));
                continue;
            }
            match RegexBuilder::new(src)
                .case_insensitive(true)
                .size_limit(MAX_REGEX_SIZE)
                .dfa_size_limit(MAX_REGEX_SIZE)
                .build()
            {
                Ok(r) => regexes.push(r),
                Err(e) => {
                    let msg = e.to_string().replace('\n', " ");
                    f.push(at.error(format!("regex {} does not compile: {msg}", i + 1)));
                }
            }
        }
        if keywords.is_empty() && sources.is_empty() && !f.has_errors() {
            f.error(
                "keywords",
                "a pattern rule needs 'keywords' and/or 'regexes'",
            );
        }
        let matcher = if keywords.is_empty() {
            None
        } else {
            match AhoCorasick::builder()
                .match_kind(MatchKind::LeftmostLongest)
                .build(&keywords)
            {
                Ok(m) => Some(m),
                Err(e) => {
                    f.error("keywords", format!("keywords cannot be compiled: {e}"));
                    None
                }
            }
        };
        Some(PatternRule {
            keywords,
            matcher,
            regexes,
            fields,
        })
    }

    /// The first keyword found as a whole word in `text`, or the first regex match.
    fn find(&self, text: &str) -> Option<String> {
        let lower = text.to_lowercase();
        if let Some(m) = &self.matcher {
            let is_word = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
            for hit in m.find_iter(&lower) {
                let before = lower[..hit.start()].chars().next_back();
                let after = lower[hit.end()..].chars().next();
                if !is_word(before) && !is_word(after) {
                    return Some(format!(
                        "keyword '{}'",
                        self.keywords[hit.pattern().as_usize()]
                    ));
                }
            }
        }
        self.regexes.iter().find_map(|r| {
            r.find(text)
                .map(|m| format!("'{}' (regex {})", m.as_str(), r.as_str()))
        })
    }

    /// Fires when a configured field contains a keyword or matches a regex.
    pub fn evaluate(&self, ctx: &RuleContext<'_>) -> Option<Fired> {
        let tx = ctx.tx;
        if self.fields.contains(&PatternField::Memo) {
            if let Some(memo) = tx.memo.as_deref() {
                if let Some(what) = self.find(memo) {
                    return Some(Fired::new(format!("memo '{memo}' contains {what}")));
                }
            }
        }
        if self.fields.contains(&PatternField::Names) {
            for (role, p) in tx.parties() {
                if let Some(name) = p.name.as_deref() {
                    if let Some(what) = self.find(name) {
                        return Some(Fired {
                            party: Some(role),
                            detail: format!("{role} name '{name}' contains {what}"),
                        });
                    }
                }
            }
        }
        None
    }
}
