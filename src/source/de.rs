//! serde types read from a [`Node`] tree, with the position of the node
//! where reading failed and the path to it (`lists[0].source`).
//!
//! Reading follows what YAML files always meant here: a scalar read as
//! text is its source text (`id: 42` is the text "42"), nothing where a
//! list or mapping is expected is an empty one, and null reads as `None`.

use std::fmt;

use serde::de::{
    self, DeserializeOwned, DeserializeSeed, EnumAccess, IntoDeserializer, MapAccess, SeqAccess,
    VariantAccess, Visitor,
};

use super::yaml::{Node, Value};

/// Why a tree is not the type asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeError {
    /// 1-based line and column of the node where reading failed.
    pub at: Option<(usize, usize)>,
    /// Path to that node (`lists[0].source`; `.` for the root).
    pub path: String,
    /// What is wrong (serde's words: "unknown field `x`, expected …").
    pub message: String,
    /// Whether reading a mapping key failed (the path then names the
    /// mapping, not the key).
    in_key: bool,
}

impl DeError {
    /// The message with the path in front, unless the path is the root.
    pub fn message_with_path(&self) -> String {
        if self.path == "." {
            self.message.clone()
        } else {
            format!("{}: {}", self.path, self.message)
        }
    }
}

impl fmt::Display for DeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for DeError {}

impl de::Error for DeError {
    fn custom<T: fmt::Display>(msg: T) -> DeError {
        DeError {
            at: None,
            path: String::new(),
            message: msg.to_string(),
            in_key: false,
        }
    }
}

/// Reads a `T` from a tree.
pub fn from_node<T: DeserializeOwned>(node: &Node) -> Result<T, DeError> {
    serde_path_to_error::deserialize(NodeDe(node)).map_err(|e| {
        let mut segments: Vec<_> = e.path().iter().cloned().collect();
        let mut inner = e.into_inner();
        if inner.in_key {
            // the key is not a value of the mapping: name the mapping
            segments.pop();
        }
        inner.path = path_text(&segments);
        if inner.at.is_none() {
            inner.at = Some((node.line, node.column));
        }
        inner
    })
}

/// A path as serde_path_to_error writes it: `lists[0].source`, `.` for the root.
fn path_text(segments: &[serde_path_to_error::Segment]) -> String {
    use serde_path_to_error::Segment;
    if segments.is_empty() {
        return ".".into();
    }
    let mut out = String::new();
    for (i, segment) in segments.iter().enumerate() {
        if i > 0 && !matches!(segment, Segment::Seq { .. }) {
            out.push('.');
        }
        out.push_str(&segment.to_string());
    }
    out
}

/// A deserializer for one node.
#[derive(Clone, Copy)]
struct NodeDe<'a>(&'a Node);

impl NodeDe<'_> {
    fn locate(&self, mut e: DeError) -> DeError {
        if e.at.is_none() {
            e.at = Some((self.0.line, self.0.column));
        }
        e
    }

    fn unexpected(&self) -> de::Unexpected<'_> {
        match &self.0.value {
            Value::Null => de::Unexpected::Unit,
            Value::Bool(b) => de::Unexpected::Bool(*b),
            Value::UInt(n) => de::Unexpected::Unsigned(*n),
            Value::Int(n) => de::Unexpected::Signed(*n),
            Value::Float(f) => de::Unexpected::Float(*f),
            Value::Str(s) => de::Unexpected::Str(s),
            Value::Seq(_) => de::Unexpected::Seq,
            Value::Map(_) => de::Unexpected::Map,
        }
    }
}

struct Items<'a>(std::slice::Iter<'a, Node>);

impl<'de> SeqAccess<'de> for Items<'_> {
    type Error = DeError;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, DeError> {
        match self.0.next() {
            Some(n) => seed.deserialize(NodeDe(n)).map(Some),
            None => Ok(None),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.0.len())
    }
}

struct Entries<'a> {
    iter: std::slice::Iter<'a, (Node, Node)>,
    value: Option<(&'a Node, &'a Node)>,
}

impl<'de> MapAccess<'de> for Entries<'_> {
    type Error = DeError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, DeError> {
        match self.iter.next() {
            Some((k, v)) => {
                self.value = Some((k, v));
                seed.deserialize(NodeDe(k)).map(Some).map_err(|mut e| {
                    e.in_key = true;
                    e
                })
            }
            None => Ok(None),
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, DeError> {
        match self.value.take() {
            Some((k, v)) => seed.deserialize(NodeDe(v)).map_err(|mut e| {
                // nothing after `key:` is found at the next token; point
                // just after the colon instead
                if v.is_empty_scalar() && e.at == Some((v.line, v.column)) {
                    let key_chars = k.scalar_text().unwrap_or_default().chars().count();
                    e.at = Some((k.line, k.column + key_chars + 1));
                }
                e
            }),
            None => Err(de::Error::custom("a value was read before its key")),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.iter.len())
    }
}

struct Variant<'a> {
    name: &'a str,
    content: Option<&'a Node>,
}

impl<'a, 'de> EnumAccess<'de> for Variant<'a> {
    type Error = DeError;
    type Variant = Self;

    fn variant_seed<V: DeserializeSeed<'de>>(self, seed: V) -> Result<(V::Value, Self), DeError> {
        let name: de::value::StrDeserializer<'_, DeError> = self.name.into_deserializer();
        Ok((seed.deserialize(name)?, self))
    }
}

impl<'de> VariantAccess<'de> for Variant<'_> {
    type Error = DeError;

    fn unit_variant(self) -> Result<(), DeError> {
        match self.content {
            None => Ok(()),
            Some(n) if n.is_null() => Ok(()),
            Some(n) => Err(NodeDe(n).locate(de::Error::invalid_type(
                NodeDe(n).unexpected(),
                &"nothing after a unit variant",
            ))),
        }
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, DeError> {
        match self.content {
            Some(n) => seed.deserialize(NodeDe(n)),
            None => Err(de::Error::invalid_type(
                de::Unexpected::UnitVariant,
                &"a newtype variant",
            )),
        }
    }

    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value, DeError> {
        match self.content {
            Some(n) => de::Deserializer::deserialize_seq(NodeDe(n), visitor),
            None => Err(de::Error::invalid_type(
                de::Unexpected::UnitVariant,
                &"a tuple variant",
            )),
        }
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        match self.content {
            Some(n) => de::Deserializer::deserialize_map(NodeDe(n), visitor),
            None => Err(de::Error::invalid_type(
                de::Unexpected::UnitVariant,
                &"a struct variant",
            )),
        }
    }
}

impl<'de> de::Deserializer<'de> for NodeDe<'_> {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        let result = match &self.0.value {
            Value::Null => visitor.visit_unit(),
            Value::Bool(b) => visitor.visit_bool(*b),
            Value::UInt(n) => visitor.visit_u64(*n),
            Value::Int(n) => visitor.visit_i64(*n),
            Value::Float(f) => visitor.visit_f64(*f),
            Value::Str(s) => visitor.visit_str(s),
            Value::Seq(items) => visitor.visit_seq(Items(items.iter())),
            Value::Map(entries) => visitor.visit_map(Entries {
                iter: entries.iter(),
                value: None,
            }),
        };
        result.map_err(|e| self.locate(e))
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.0.scalar_text() {
            Some(text) => visitor.visit_str(text),
            None => Err(de::Error::invalid_type(self.unexpected(), &visitor)),
        }
        .map_err(|e| self.locate(e))
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        if self.0.is_null() {
            visitor.visit_none()
        } else {
            visitor.visit_some(self)
        }
        .map_err(|e| self.locate(e))
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        if self.0.is_empty_scalar() {
            return visitor
                .visit_seq(Items([].iter()))
                .map_err(|e| self.locate(e));
        }
        self.deserialize_any(visitor)
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match &self.0.value {
            Value::Map(entries) => visitor.visit_map(Entries {
                iter: entries.iter(),
                value: None,
            }),
            _ if self.0.is_empty_scalar() => visitor.visit_map(Entries {
                iter: [].iter(),
                value: None,
            }),
            _ => Err(de::Error::invalid_type(self.unexpected(), &visitor)),
        }
        .map_err(|e| self.locate(e))
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        self.deserialize_map(visitor)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        match &self.0.value {
            // any scalar names a unit variant by its text (`-5` is an
            // unknown variant, not a number)
            Value::Seq(_) | Value::Map(_) => {}
            _ => {
                let name = self.0.scalar_text().unwrap_or_default();
                return visitor
                    .visit_enum(Variant {
                        name,
                        content: None,
                    })
                    .map_err(|e| self.locate(e));
            }
        }
        match &self.0.value {
            Value::Map(entries) if entries.len() == 1 => match entries[0].0.scalar_text() {
                Some(name) => visitor.visit_enum(Variant {
                    name,
                    content: Some(&entries[0].1),
                }),
                None => Err(de::Error::invalid_type(self.unexpected(), &visitor)),
            },
            _ => Err(de::Error::invalid_type(self.unexpected(), &visitor)),
        }
        .map_err(|e| self.locate(e))
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        if self.0.is_null() {
            visitor.visit_unit().map_err(|e| self.locate(e))
        } else {
            Err(self.locate(de::Error::invalid_type(self.unexpected(), &visitor)))
        }
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        self.deserialize_unit(visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        visitor
            .visit_newtype_struct(self)
            .map_err(|e| self.locate(e))
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_unit()
    }

    fn deserialize_u8<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_u64(visitor)
    }

    fn deserialize_u16<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_u64(visitor)
    }

    fn deserialize_u32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_u64(visitor)
    }

    /// A negative number where an unsigned one is expected is of the wrong
    /// type (as YAML files always read), not a value out of range.
    fn deserialize_u64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.0.value {
            Value::Int(n) => {
                Err(self.locate(de::Error::invalid_type(de::Unexpected::Signed(n), &visitor)))
            }
            _ => self.deserialize_any(visitor),
        }
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u128 f32 f64 char bytes byte_buf
    }
}

/// The tree as JSON (keys as their source text), for types read from JSON.
pub fn to_json(node: &Node) -> serde_json::Value {
    use serde_json::Value as J;
    match &node.value {
        Value::Null => J::Null,
        Value::Bool(b) => J::Bool(*b),
        Value::UInt(n) => J::from(*n),
        Value::Int(n) => J::from(*n),
        Value::Float(f) => serde_json::Number::from_f64(*f).map_or(J::Null, J::Number),
        Value::Str(s) => J::String(s.clone()),
        Value::Seq(items) => J::Array(items.iter().map(to_json).collect()),
        Value::Map(entries) => J::Object(
            entries
                .iter()
                .map(|(k, v)| (k.scalar_text().unwrap_or_default().to_owned(), to_json(v)))
                .collect(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::super::yaml::parse;
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Config {
        name: String,
        #[serde(default)]
        items: Vec<Item>,
        #[serde(default)]
        mode: Option<Mode>,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Item {
        id: String,
        count: u32,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(rename_all = "snake_case")]
    enum Mode {
        Fast,
        Slow,
    }

    fn read(text: &str) -> Result<Config, DeError> {
        from_node(&parse(text).unwrap())
    }

    #[test]
    fn reads_types_and_positions_errors() {
        let c = read("name: 42\nitems:\n  - {id: a, count: 3}\nmode: fast\n").unwrap();
        assert_eq!(c.name, "42");
        assert_eq!(c.items[0].count, 3);
        assert_eq!(c.mode, Some(Mode::Fast));
        assert!(read("name: x\nitems:\nmode: ~\n").unwrap().items.is_empty());

        let e = read("name: x\nnmae: y\n").unwrap_err();
        assert_eq!((e.at, e.path.as_str()), (Some((2, 1)), "."));
        assert!(e.message.starts_with("unknown field `nmae`"), "{e:?}");

        let e = read("name: x\nitems:\n  - id: a\n    count: lots\n").unwrap_err();
        assert_eq!(e.at, Some((4, 12)));
        assert_eq!(
            e.message_with_path(),
            "items[0].count: invalid type: string \"lots\", expected u32"
        );

        let e = read("name: x\nitems:\n  - id: a\n").unwrap_err();
        assert_eq!(e.at, Some((3, 7)));
        assert!(e.message.contains("missing field `count`"), "{e:?}");

        // nothing after the colon: the error points just after it
        let e = read("name: x\nitems:\n  - id: a\n    count:\n").unwrap_err();
        assert_eq!(e.at, Some((4, 11)));
        assert!(e.message.contains("invalid type: unit value"), "{e:?}");

        let e = read("name: x\nitems:\n  - {id: a, count: -5}\n").unwrap_err();
        assert!(e.message.starts_with("invalid type: integer `-5`"), "{e:?}");

        let e = read("name: x\nmode: quick\n").unwrap_err();
        assert_eq!(e.at, Some((2, 7)));
        assert!(e.message.contains("unknown variant `quick`"), "{e:?}");
    }
}
