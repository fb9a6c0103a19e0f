//! Typed, positioned access to the keys of one YAML mapping in a rule file.
//!
//! Each rule kind reads its parameters through [`Fields`]: every read names
//! the key, so a wrong type points at that key's line and column, and keys
//! never read are reported as unknown with a "did you mean" hint and the
//! valid keys.

use rust_decimal::Decimal;

use super::duration::RuleDuration;
use super::source::{Position, RuleFileError, SourceText};
use crate::source::{Node, Value};

/// Reads the keys of one mapping, collecting every error.
pub struct Fields<'a> {
    source: &'a SourceText,
    node: &'a Node,
    map: &'a [(Node, Node)],
    known: Vec<&'static str>,
    errors: Vec<RuleFileError>,
}

/// A scalar's text: text as it is, a number as it was always written
/// (`9500`, `9999.99`); `None` for anything else.
pub(crate) fn scalar_text(v: &Node) -> Option<String> {
    match &v.value {
        Value::Str(s) => Some(s.clone()),
        _ => v.number_text(),
    }
}

/// How a YAML value's type reads in an error message.
pub fn type_name(v: &Node) -> &'static str {
    v.type_name()
}

impl<'a> Fields<'a> {
    /// Starts reading the mapping `value`; an error when it is not a mapping.
    pub fn new(source: &'a SourceText, value: &'a Node) -> Result<Fields<'a>, RuleFileError> {
        match value.as_map() {
            Some(map) => Ok(Fields {
                source,
                node: value,
                map,
                known: Vec::new(),
                errors: Vec::new(),
            }),
            None => Err(source.at(value).error(format!(
                "expected a mapping of keys, found {}",
                type_name(value)
            ))),
        }
    }

    /// The source file.
    pub fn source(&self) -> &'a SourceText {
        self.source
    }

    /// Where the mapping starts.
    pub fn position(&self) -> Position<'a> {
        self.source.at(self.node)
    }

    /// Where `key`'s value is (or the mapping, when the key is absent).
    pub fn key_position(&self, key: &str) -> Position<'a> {
        self.source.at(self.node.get(key).unwrap_or(self.node))
    }

    /// Where item `i` of `key`'s list is (or the key's value when it is not
    /// a list that long, or the mapping when the key is absent).
    pub fn item_position(&self, key: &str, i: usize) -> Position<'a> {
        match self.node.get(key) {
            Some(v) => self
                .source
                .at(v.as_seq().and_then(|items| items.get(i)).unwrap_or(v)),
            None => self.position(),
        }
    }

    /// Records an error at `key` (or at the mapping when the key is absent).
    pub fn error(&mut self, key: &str, message: impl Into<String>) {
        let e = self.key_position(key).error(message);
        self.errors.push(e);
    }

    /// Records an error found elsewhere.
    pub fn push(&mut self, e: RuleFileError) {
        self.errors.push(e);
    }

    /// Whether any error was recorded so far.
    pub fn has_errors(&self) -> bool {
        !self.errors.is_empty()
    }

    /// The raw value of a key, marking it as known.
    pub fn raw(&mut self, key: &'static str) -> Option<&'a Node> {
        self.known.push(key);
        self.node.get(key).filter(|v| !v.is_null())
    }

    /// Whether a key is present (and not null).
    pub fn present(&self, key: &str) -> bool {
        self.node.get(key).is_some_and(|v| !v.is_null())
    }

    fn wrong_type(&mut self, key: &str, expected: &str, v: &Node) {
        self.error(
            key,
            format!("'{key}' must be {expected}, found {}", type_name(v)),
        );
    }

    /// Optional text.
    pub fn text(&mut self, key: &'static str) -> Option<String> {
        let v = self.raw(key)?;
        match scalar_text(v) {
            Some(s) => Some(s),
            None => {
                self.wrong_type(key, "text", v);
                None
            }
        }
    }

    /// Required, non-empty text.
    pub fn required_text(&mut self, key: &'static str) -> Option<String> {
        let present = self.present(key);
        match self.text(key) {
            Some(s) if !s.trim().is_empty() => Some(s),
            Some(_) => {
                self.error(key, format!("'{key}' must not be empty"));
                None
            }
            None => {
                if !present {
                    self.error(key, format!("missing '{key}'"));
                }
                None
            }
        }
    }

    /// An optional non-negative exact decimal.
    pub fn opt_decimal(&mut self, key: &'static str) -> Option<Decimal> {
        let v = self.raw(key)?;
        let Some(text) = scalar_text(v) else {
            self.wrong_type(key, "an amount such as 10000 or \"9999.99\"", v);
            return None;
        };
        match super::money::plain_decimal(text.trim()) {
            Some(d) if d >= Decimal::ZERO => Some(d),
            Some(_) => {
                self.error(key, format!("'{key}' must not be negative, found {text}"));
                None
            }
            None => {
                self.error(
                    key,
                    format!("'{key}': '{text}' is not an amount (write e.g. 10000 or \"9999.99\")"),
                );
                None
            }
        }
    }

    /// A whole number in `min..=max`, or `default`.
    pub fn count(&mut self, key: &'static str, default: u32, min: u32, max: u32) -> u32 {
        self.opt_count(key, min, max).unwrap_or(default)
    }

    /// An optional whole number in `min..=max`.
    pub fn opt_count(&mut self, key: &'static str, min: u32, max: u32) -> Option<u32> {
        let v = self.raw(key)?;
        match v.as_u64() {
            Some(n) if n >= u64::from(min) && n <= u64::from(max) => u32::try_from(n).ok(),
            Some(n) => {
                self.error(
                    key,
                    format!("'{key}' is {n}; it must be between {min} and {max}"),
                );
                None
            }
            None => {
                self.wrong_type(key, &format!("a whole number between {min} and {max}"), v);
                None
            }
        }
    }

    /// A duration like `24h`, or `default`.
    pub fn duration(&mut self, key: &'static str, default: RuleDuration) -> RuleDuration {
        self.opt_duration(key).unwrap_or(default)
    }

    /// An optional duration like `24h`.
    pub fn opt_duration(&mut self, key: &'static str) -> Option<RuleDuration> {
        let v = self.raw(key)?;
        let Some(text) = scalar_text(v) else {
            self.wrong_type(key, "a duration such as 90m, 24h or 30d", v);
            return None;
        };
        match RuleDuration::parse(&text) {
            Ok(d) => Some(d),
            Err(e) => {
                self.error(key, format!("'{key}': {e}"));
                None
            }
        }
    }

    /// `true`/`false`, or `default`.
    pub fn flag(&mut self, key: &'static str, default: bool) -> bool {
        match self.raw(key) {
            None => default,
            Some(Node {
                value: Value::Bool(b),
                ..
            }) => *b,
            Some(v) => {
                self.wrong_type(key, "true or false", v);
                default
            }
        }
    }

    /// A list of texts (a single text counts as a list of one); empty when absent.
    pub fn texts(&mut self, key: &'static str) -> Vec<String> {
        let Some(v) = self.raw(key) else {
            return Vec::new();
        };
        match &v.value {
            Value::Str(s) => vec![s.clone()],
            Value::Seq(items) => {
                let mut out = Vec::with_capacity(items.len());
                for (i, item) in items.iter().enumerate() {
                    match scalar_text(item) {
                        Some(s) => out.push(s),
                        None => {
                            let e = self.source.at(item).error(format!(
                                "'{key}' item {} must be text, found {}",
                                i + 1,
                                type_name(item)
                            ));
                            self.errors.push(e);
                        }
                    }
                }
                out
            }
            _ => {
                self.wrong_type(key, "a list of texts", v);
                Vec::new()
            }
        }
    }

    /// Whether a required `key` is missing; if so, marks it known and
    /// records `missing '<key>'` followed by `detail`.
    pub fn missing(&mut self, key: &'static str, detail: impl FnOnce() -> String) -> bool {
        if self.present(key) {
            return false;
        }
        self.raw(key);
        self.error(key, format!("missing '{key}'{}", detail()));
        true
    }

    /// A required choice by name: missing is an error listing the choices.
    pub fn required_choice<T: Copy>(
        &mut self,
        key: &'static str,
        choices: &[(&'static str, T)],
    ) -> Option<T> {
        let names = || {
            let names: Vec<&str> = choices.iter().map(|(n, _)| *n).collect();
            format!(" (valid: {})", names.join(", "))
        };
        if self.missing(key, names) {
            return None;
        }
        self.opt_choice(key, choices)
    }

    /// A required non-negative decimal; missing is an error saying what it is.
    pub fn required_decimal(&mut self, key: &'static str, what: &str) -> Option<Decimal> {
        if self.missing(key, || format!(": {what}")) {
            return None;
        }
        self.opt_decimal(key)
    }

    /// A required whole number in `min..=max`.
    pub fn required_count(
        &mut self,
        key: &'static str,
        min: u32,
        max: u32,
        what: &str,
    ) -> Option<u32> {
        if self.missing(key, || format!(": {what}")) {
            return None;
        }
        self.opt_count(key, min, max)
    }

    /// A required duration like `24h`.
    pub fn required_duration(&mut self, key: &'static str, what: &str) -> Option<RuleDuration> {
        if self.missing(key, || format!(": {what}")) {
            return None;
        }
        self.opt_duration(key)
    }

    /// An optional choice by name.
    pub fn opt_choice<T: Copy>(
        &mut self,
        key: &'static str,
        choices: &[(&'static str, T)],
    ) -> Option<T> {
        let text = self.text(key)?;
        if let Some((_, v)) = choices.iter().find(|(name, _)| *name == text) {
            return Some(*v);
        }
        let names: Vec<&str> = choices.iter().map(|(n, _)| *n).collect();
        let e = self
            .key_position(key)
            .error(format!(
                "unknown {key} '{text}' (valid: {})",
                names.join(", ")
            ))
            .with_hint_for(&text, names.iter().copied());
        self.errors.push(e);
        None
    }

    /// Ends reading without judging unknown keys (when the rule's kind is
    /// itself unknown, its parameters cannot be judged); returns every error.
    pub fn finish_known_only(self) -> Vec<RuleFileError> {
        self.errors
    }

    /// Ends reading: reports keys never read as unknown, returns every error.
    pub fn finish(mut self) -> Vec<RuleFileError> {
        let mut unknown = Vec::new();
        for (k, v) in self.map {
            match k.as_str() {
                Some(name) if self.known.contains(&name) => {}
                Some(name) => unknown.push((name, v)),
                None => {
                    let e = self
                        .position()
                        .error(format!("keys must be names, found {}", type_name(k)));
                    self.errors.push(e);
                }
            }
        }
        let mut valid = self.known.clone();
        valid.sort_unstable();
        valid.dedup();
        for (name, value) in unknown {
            let e = self
                .source
                .at(value)
                .error(format!("unknown key '{name}'"))
                .with_hint_for(name, valid.iter().copied())
                .with_note(format!("(valid here: {})", valid.join(", ")));
            self.errors.push(e);
        }
        self.errors
    }
}
