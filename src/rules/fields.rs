//! Typed, positioned access to the keys of one YAML mapping in a rule file.
//!
//! Each rule kind reads its parameters through [`Fields`]: every read names
//! the key, so a wrong type points at that key's line and column, and keys
//! never read are reported as unknown with a "did you mean" hint and the
//! valid keys.

use std::str::FromStr;

use rust_decimal::Decimal;
use serde_yaml::{Mapping, Value};

use super::duration::RuleDuration;
use super::source::{RuleFileError, SourceText};

/// Reads the keys of one mapping, collecting every error.
pub struct Fields<'a> {
    source: &'a SourceText,
    path: String,
    map: &'a Mapping,
    known: Vec<&'static str>,
    errors: Vec<RuleFileError>,
}

/// How a YAML value's type reads in an error message.
pub fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "nothing",
        Value::Bool(_) => "true/false",
        Value::Number(_) => "a number",
        Value::String(_) => "text",
        Value::Sequence(_) => "a list",
        Value::Mapping(_) => "a mapping",
        Value::Tagged(_) => "a tagged value",
    }
}

impl<'a> Fields<'a> {
    /// Starts reading the mapping at `path` (like `rules[2]`); an error when
    /// the value is not a mapping.
    pub fn new(
        source: &'a SourceText,
        path: &str,
        value: &'a Value,
    ) -> Result<Fields<'a>, RuleFileError> {
        match value.as_mapping() {
            Some(map) => Ok(Fields {
                source,
                path: path.to_owned(),
                map,
                known: Vec::new(),
                errors: Vec::new(),
            }),
            None => Err(source.locate(path, "").error(format!(
                "expected a mapping of keys, found {}",
                type_name(value)
            ))),
        }
    }

    /// The path of a key, for positions (`rules[2].window`).
    pub fn key_path(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_owned()
        } else {
            format!("{}.{key}", self.path)
        }
    }

    /// The source file.
    pub fn source(&self) -> &'a SourceText {
        self.source
    }

    /// Records an error at `key` (or at the mapping when the key is absent).
    pub fn error(&mut self, key: &str, message: impl Into<String>) {
        let e = self.source.locate(&self.key_path(key), "").error(message);
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
    pub fn raw(&mut self, key: &'static str) -> Option<&'a Value> {
        self.known.push(key);
        self.map.get(key).filter(|v| !v.is_null())
    }

    /// Whether a key is present (and not null).
    pub fn present(&self, key: &str) -> bool {
        self.map.get(key).is_some_and(|v| !v.is_null())
    }

    fn wrong_type(&mut self, key: &str, expected: &str, v: &Value) {
        self.error(
            key,
            format!("'{key}' must be {expected}, found {}", type_name(v)),
        );
    }

    /// Optional text.
    pub fn text(&mut self, key: &'static str) -> Option<String> {
        match self.raw(key)? {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            v => {
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

    /// A non-negative exact decimal (a number or a decimal string), or `default`.
    pub fn decimal(&mut self, key: &'static str, default: Decimal) -> Decimal {
        self.opt_decimal(key).unwrap_or(default)
    }

    /// An optional non-negative exact decimal.
    pub fn opt_decimal(&mut self, key: &'static str) -> Option<Decimal> {
        let text = match self.raw(key)? {
            Value::String(s) => s.clone(),
            Value::Number(n) => n.to_string(),
            v => {
                self.wrong_type(key, "an amount such as 10000 or \"9999.99\"", v);
                return None;
            }
        };
        let parsed = Decimal::from_str(text.trim())
            .or_else(|_| Decimal::from_scientific(text.trim()))
            .ok();
        match parsed {
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
        let Some(v) = self.raw(key) else {
            return default;
        };
        let text = match v {
            Value::String(s) => s.clone(),
            Value::Number(n) => n.to_string(),
            v => {
                self.wrong_type(key, "a duration such as 90m, 24h or 30d", v);
                return default;
            }
        };
        match RuleDuration::parse(&text) {
            Ok(d) => d,
            Err(e) => {
                self.error(key, format!("'{key}': {e}"));
                default
            }
        }
    }

    /// `true`/`false`, or `default`.
    pub fn flag(&mut self, key: &'static str, default: bool) -> bool {
        match self.raw(key) {
            None => default,
            Some(Value::Bool(b)) => *b,
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
        match v {
            Value::String(s) => vec![s.clone()],
            Value::Sequence(items) => {
                let mut out = Vec::with_capacity(items.len());
                for (i, item) in items.iter().enumerate() {
                    match item {
                        Value::String(s) => out.push(s.clone()),
                        Value::Number(n) => out.push(n.to_string()),
                        other => {
                            let e = self
                                .source
                                .locate(&format!("{}[{i}]", self.key_path(key)), "")
                                .error(format!(
                                    "'{key}' item {} must be text, found {}",
                                    i + 1,
                                    type_name(other)
                                ));
                            self.errors.push(e);
                        }
                    }
                }
                out
            }
            v => {
                self.wrong_type(key, "a list of texts", v);
                Vec::new()
            }
        }
    }

    /// One of `choices` (by name), or `default`; a wrong name gets a hint.
    pub fn choice<T: Copy>(
        &mut self,
        key: &'static str,
        choices: &[(&'static str, T)],
        default: T,
    ) -> T {
        self.opt_choice(key, choices).unwrap_or(default)
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
        let hint = crate::util::did_you_mean(&text, names.iter().copied())
            .map(|s| format!(", did you mean '{s}'?"))
            .unwrap_or_default();
        self.error(
            key,
            format!("unknown {key} '{text}' (valid: {}){hint}", names.join(", ")),
        );
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
        for k in self.map.keys() {
            match k.as_str() {
                Some(name) if self.known.contains(&name) => {}
                Some(name) => unknown.push(name.to_owned()),
                None => {
                    let e = self
                        .source
                        .locate(&self.path, "")
                        .error(format!("keys must be names, found {}", type_name(k)));
                    self.errors.push(e);
                }
            }
        }
        let mut valid = self.known.clone();
        valid.sort_unstable();
        valid.dedup();
        for name in unknown {
            let hint = crate::util::did_you_mean(&name, valid.iter().copied())
                .map(|s| format!(", did you mean '{s}'?"))
                .unwrap_or_default();
            let at = self.source.locate(&self.key_path(&name), &name);
            self.errors.push(at.error(format!(
                "unknown key '{name}'{hint} (valid here: {})",
                valid.join(", ")
            )));
        }
        self.errors
    }
}
