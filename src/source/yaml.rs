//! YAML text to an owned tree in which every node — scalar, list, mapping
//! and mapping key — carries its line and column.
//!
//! Scalars are resolved as YAML 1.2's core schema does (and as the files
//! were read before this loader): plain `~`, `null` or nothing is null,
//! `true`/`false` (also `True`, `TRUE`…) a boolean, decimal, `0x`, `0o` and
//! `0b` integers and finite decimal floats (plus `.inf`, `.nan`) numbers;
//! digits with a leading zero (`007`) and everything quoted stay text.
//!
//! Hostile text is refused with a positioned error, never expanded: aliases
//! may copy at most [`MAX_ALIAS_NODES`] nodes in all ("billion laughs"),
//! nesting is limited to [`MAX_DEPTH`] levels, a file holds one document,
//! mapping keys are unique, and tags other than the core `!!str`, `!!int`,
//! `!!float`, `!!bool`, `!!null`, `!!seq` and `!!map` are refused.

use std::collections::HashMap;

use yaml_rust2::parser::{Event, Parser, Tag};
use yaml_rust2::scanner::{Marker, TScalarStyle};

/// Deepest nesting of lists and mappings accepted.
pub const MAX_DEPTH: usize = 128;

/// Most nodes that aliases (`*name`) may copy in one file, all aliases
/// together: far above any real use, far below a "billion laughs" bomb.
pub const MAX_ALIAS_NODES: usize = 100_000;

/// A YAML value with its position.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// What it holds.
    pub value: Value,
    /// 1-based line where it starts.
    pub line: usize,
    /// 1-based column where it starts.
    pub column: usize,
    /// The source text of a scalar that did not resolve to text (`42`,
    /// `true`, `~`, or empty for nothing); `None` for text and collections.
    raw: Option<String>,
}

/// What a node holds.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `~`, `null` or nothing.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A non-negative integer.
    UInt(u64),
    /// A negative integer.
    Int(i64),
    /// Any other number.
    Float(f64),
    /// Text.
    Str(String),
    /// A list.
    Seq(Vec<Node>),
    /// A mapping, in file order; keys are unique.
    Map(Vec<(Node, Node)>),
}

/// Why text is not a YAML tree this loader accepts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// What is wrong.
    pub message: String,
}

impl Node {
    fn new(value: Value, mark: Mark, raw: Option<String>) -> Node {
        Node {
            value,
            line: mark.line,
            column: mark.column,
            raw,
        }
    }

    /// Text, when the node is text.
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The source text of any scalar, whatever it resolved to (`42` for
    /// the number 42); `None` for lists and mappings.
    pub fn scalar_text(&self) -> Option<&str> {
        match &self.value {
            Value::Str(s) => Some(s),
            Value::Seq(_) | Value::Map(_) => None,
            _ => self.raw.as_deref(),
        }
    }

    /// Whether the node is null.
    pub fn is_null(&self) -> bool {
        matches!(self.value, Value::Null)
    }

    /// Whether the node is a plain empty scalar (a key with nothing after it).
    pub fn is_empty_scalar(&self) -> bool {
        self.is_null() && self.raw.as_deref() == Some("")
    }

    /// The number, when it is a non-negative integer.
    pub fn as_u64(&self) -> Option<u64> {
        match self.value {
            Value::UInt(n) => Some(n),
            _ => None,
        }
    }

    /// The items, when the node is a list.
    pub fn as_seq(&self) -> Option<&[Node]> {
        match &self.value {
            Value::Seq(items) => Some(items),
            _ => None,
        }
    }

    /// The entries, when the node is a mapping.
    pub fn as_map(&self) -> Option<&[(Node, Node)]> {
        match &self.value {
            Value::Map(entries) => Some(entries),
            _ => None,
        }
    }

    /// The value under a text key, when the node is a mapping holding it.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|(_, v)| v)
    }

    /// The key and value under a text key.
    pub fn entry(&self, key: &str) -> Option<(&Node, &Node)> {
        self.as_map()?
            .iter()
            .find(|(k, _)| k.as_str() == Some(key))
            .map(|(k, v)| (k, v))
    }

    /// A number as text, written as it always was (`9500`, `9999.99`,
    /// `1e20`, `.inf`); `None` for anything else.
    pub fn number_text(&self) -> Option<String> {
        match self.value {
            Value::UInt(n) => Some(n.to_string()),
            Value::Int(n) => Some(n.to_string()),
            Value::Float(f) if f.is_nan() => Some(".nan".into()),
            Value::Float(f) if f.is_infinite() => {
                Some(if f < 0.0 { "-.inf" } else { ".inf" }.into())
            }
            Value::Float(f) => serde_json::Number::from_f64(f).map(|n| n.to_string()),
            _ => None,
        }
    }

    /// How the node's type reads in an error message.
    pub fn type_name(&self) -> &'static str {
        match self.value {
            Value::Null => "nothing",
            Value::Bool(_) => "true/false",
            Value::UInt(_) | Value::Int(_) | Value::Float(_) => "a number",
            Value::Str(_) => "text",
            Value::Seq(_) => "a list",
            Value::Map(_) => "a mapping",
        }
    }

    /// Nodes in this tree, this one included.
    fn size(&self) -> usize {
        1 + match &self.value {
            Value::Seq(items) => items.iter().map(Node::size).sum(),
            Value::Map(entries) => entries.iter().map(|(k, v)| k.size() + v.size()).sum(),
            _ => 0,
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct Mark {
    line: usize,
    column: usize,
}

impl From<&Marker> for Mark {
    fn from(m: &Marker) -> Mark {
        Mark {
            line: m.line(),
            column: m.col() + 1,
        }
    }
}

fn error(mark: Mark, message: impl Into<String>) -> ParseError {
    ParseError {
        line: mark.line,
        column: mark.column,
        message: message.into(),
    }
}

/// The core-schema tag a node carries: `Some("str")` for `!!str`; an error
/// for any other tag.
fn core_tag(tag: Option<&Tag>, mark: Mark) -> Result<Option<&str>, ParseError> {
    let Some(tag) = tag else {
        return Ok(None);
    };
    let core = matches!(tag.handle.as_str(), "!!" | "tag:yaml.org,2002:");
    match tag.suffix.as_str() {
        s @ ("str" | "int" | "float" | "bool" | "null" | "seq" | "map") if core => Ok(Some(s)),
        _ => Err(error(
            mark,
            format!(
                "tag '{}{}' is not supported: write the value without it",
                tag.handle, tag.suffix
            ),
        )),
    }
}

fn parse_bool(s: &str) -> Option<bool> {
    match s {
        "true" | "True" | "TRUE" => Some(true),
        "false" | "False" | "FALSE" => Some(false),
        _ => None,
    }
}

fn is_null(s: &str) -> bool {
    matches!(s, "" | "~" | "null" | "Null" | "NULL")
}

/// Leading zero(s) followed by digits is text in YAML 1.2 (`007`).
fn digits_but_not_number(s: &str) -> bool {
    let s = s.strip_prefix(['-', '+']).unwrap_or(s);
    s.len() > 1 && s.starts_with('0') && s[1..].bytes().all(|b| b.is_ascii_digit())
}

fn parse_radix<T>(s: &str, from: fn(&str, u32) -> Result<T, std::num::ParseIntError>) -> Option<T> {
    for (prefix, radix) in [("0x", 16), ("0o", 8), ("0b", 2)] {
        if let Some(rest) = s.strip_prefix(prefix) {
            if rest.starts_with(['+', '-']) {
                return None;
            }
            return from(rest, radix).ok();
        }
    }
    None
}

fn parse_uint(s: &str) -> Option<u64> {
    let unsigned = s.strip_prefix('+').unwrap_or(s);
    if unsigned.starts_with(['+', '-']) || digits_but_not_number(s) {
        return None;
    }
    if let Some(n) = parse_radix(unsigned, u64::from_str_radix) {
        return Some(n);
    }
    if unsigned.starts_with("0x") || unsigned.starts_with("0o") || unsigned.starts_with("0b") {
        return None;
    }
    unsigned.parse().ok()
}

fn parse_negative_int(s: &str) -> Option<i64> {
    let rest = s.strip_prefix('-')?;
    if rest.starts_with(['+', '-']) || digits_but_not_number(s) {
        return None;
    }
    if let Some(n) = parse_radix(rest, i64::from_str_radix) {
        return n.checked_neg();
    }
    s.parse().ok()
}

fn parse_float(s: &str) -> Option<f64> {
    let unsigned = match s.strip_prefix('+') {
        Some(u) if u.starts_with(['+', '-']) => return None,
        Some(u) => u,
        None => s,
    };
    if matches!(unsigned, ".inf" | ".Inf" | ".INF") {
        return Some(f64::INFINITY);
    }
    if matches!(s, "-.inf" | "-.Inf" | "-.INF") {
        return Some(f64::NEG_INFINITY);
    }
    if matches!(s, ".nan" | ".NaN" | ".NAN") {
        return Some(f64::NAN);
    }
    unsigned.parse::<f64>().ok().filter(|f| f.is_finite())
}

/// Resolves a plain (unquoted, untagged) scalar.
fn resolve_plain(s: &str) -> Value {
    if is_null(s) {
        return Value::Null;
    }
    if let Some(b) = parse_bool(s) {
        return Value::Bool(b);
    }
    if let Some(n) = parse_uint(s) {
        return Value::UInt(n);
    }
    if let Some(n) = parse_negative_int(s) {
        // `-0` is the number 0
        return u64::try_from(n).map_or(Value::Int(n), Value::UInt);
    }
    if !digits_but_not_number(s) {
        if let Some(f) = parse_float(s) {
            return Value::Float(f);
        }
    }
    Value::Str(s.to_owned())
}

fn scalar(
    text: String,
    style: TScalarStyle,
    tag: Option<&str>,
    mark: Mark,
) -> Result<Node, ParseError> {
    let plain = style == TScalarStyle::Plain;
    let value = match tag {
        Some("str") => Value::Str(text.clone()),
        Some("null") if is_null(&text) => Value::Null,
        Some("bool") => parse_bool(&text).map(Value::Bool).ok_or_else(|| {
            error(
                mark,
                format!("'{text}' is not true or false (tagged !!bool)"),
            )
        })?,
        Some("int") => match (parse_uint(&text), parse_negative_int(&text)) {
            (Some(n), _) => Value::UInt(n),
            (None, Some(n)) => Value::Int(n),
            _ => {
                return Err(error(
                    mark,
                    format!("'{text}' is not an integer (tagged !!int)"),
                ))
            }
        },
        Some("float") => match resolve_plain(&text) {
            Value::UInt(n) => Value::Float(n as f64),
            Value::Int(n) => Value::Float(n as f64),
            Value::Float(f) => Value::Float(f),
            _ => {
                return Err(error(
                    mark,
                    format!("'{text}' is not a number (tagged !!float)"),
                ))
            }
        },
        Some("null") => return Err(error(mark, format!("'{text}' is not null (tagged !!null)"))),
        Some(other) => {
            return Err(error(
                mark,
                format!("tag '!!{other}' does not fit a single value"),
            ))
        }
        None if plain => resolve_plain(&text),
        None => Value::Str(text.clone()),
    };
    let raw = (!matches!(value, Value::Str(_))).then_some(text);
    Ok(Node::new(value, mark, raw))
}

enum Frame {
    Seq {
        mark: Mark,
        anchor: usize,
        items: Vec<Node>,
    },
    Map {
        mark: Mark,
        anchor: usize,
        entries: Vec<(Node, Node)>,
        key: Option<Node>,
        /// Line of each text key so far, to refuse duplicates.
        seen: HashMap<String, usize>,
    },
}

struct Builder {
    stack: Vec<Frame>,
    anchors: HashMap<usize, (Node, usize)>,
    alias_budget: usize,
    root: Option<Node>,
}

impl Builder {
    /// Adds a finished node to the collection being built, or makes it the root.
    fn push(&mut self, node: Node, anchor: usize) -> Result<(), ParseError> {
        if anchor > 0 {
            let size = node.size();
            self.anchors.insert(anchor, (node.clone(), size));
        }
        match self.stack.last_mut() {
            None => self.root = Some(node),
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map {
                entries, key, seen, ..
            }) => match key.take() {
                None => *key = Some(node),
                Some(k) => {
                    if let Some(name) = k.scalar_text() {
                        if let Some(first) = seen.insert(name.to_owned(), k.line) {
                            let mark = Mark {
                                line: k.line,
                                column: k.column,
                            };
                            return Err(error(
                                mark,
                                format!("duplicate key '{name}' (first at line {first}): keep one"),
                            ));
                        }
                    }
                    entries.push((k, node));
                }
            },
        }
        Ok(())
    }

    fn open(&mut self, frame: Frame, mark: Mark) -> Result<(), ParseError> {
        if self.stack.len() >= MAX_DEPTH {
            return Err(error(
                mark,
                format!("lists and mappings nested more than {MAX_DEPTH} deep"),
            ));
        }
        self.stack.push(frame);
        Ok(())
    }

    fn alias(&mut self, id: usize, mark: Mark) -> Result<(), ParseError> {
        let Some((node, size)) = self.anchors.get(&id) else {
            return Err(error(mark, "alias to an unknown anchor"));
        };
        if *size > self.alias_budget {
            return Err(error(
                mark,
                format!(
                    "aliases would copy more than {MAX_ALIAS_NODES} values (the repetition limit for anchors and aliases); write the values out instead"
                ),
            ));
        }
        self.alias_budget -= size;
        let mut copy = node.clone();
        copy.line = mark.line;
        copy.column = mark.column;
        self.push(copy, 0)
    }
}

/// Parses one YAML document. Text with no document is a null node at 1:1.
pub fn parse(text: &str) -> Result<Node, ParseError> {
    let mut parser = Parser::new_from_str(text);
    let mut b = Builder {
        stack: Vec::new(),
        anchors: HashMap::new(),
        alias_budget: MAX_ALIAS_NODES,
        root: None,
    };
    let mut documents = 0;
    loop {
        let (event, marker) = parser.next_token().map_err(|e| {
            let mut mark = Mark::from(e.marker());
            mark.line = mark.line.max(1);
            error(mark, e.info())
        })?;
        let mark = Mark::from(&marker);
        match event {
            Event::StreamEnd => break,
            Event::DocumentStart => {
                documents += 1;
                if documents > 1 {
                    return Err(error(
                        mark,
                        "a second YAML document ('---'): a file holds one document",
                    ));
                }
            }
            Event::Scalar(text, style, anchor, tag) => {
                let tag = core_tag(tag.as_ref(), mark)?;
                let node = scalar(text, style, tag, mark)?;
                b.push(node, anchor)?;
            }
            Event::Alias(id) => b.alias(id, mark)?,
            Event::SequenceStart(anchor, tag) => {
                if let Some(t) = core_tag(tag.as_ref(), mark)?.filter(|t| *t != "seq") {
                    return Err(error(mark, format!("tag '!!{t}' does not fit a list")));
                }
                let frame = Frame::Seq {
                    mark,
                    anchor,
                    items: Vec::new(),
                };
                b.open(frame, mark)?;
            }
            Event::MappingStart(anchor, tag) => {
                if let Some(t) = core_tag(tag.as_ref(), mark)?.filter(|t| *t != "map") {
                    return Err(error(mark, format!("tag '!!{t}' does not fit a mapping")));
                }
                let frame = Frame::Map {
                    mark,
                    anchor,
                    entries: Vec::new(),
                    key: None,
                    seen: HashMap::new(),
                };
                b.open(frame, mark)?;
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let (node, anchor) = match b.stack.pop() {
                    Some(Frame::Seq {
                        mark,
                        anchor,
                        items,
                    }) => (Node::new(Value::Seq(items), mark, None), anchor),
                    Some(Frame::Map {
                        mark,
                        anchor,
                        entries,
                        ..
                    }) => (Node::new(Value::Map(entries), mark, None), anchor),
                    None => return Err(error(mark, "unbalanced end of a list or mapping")),
                };
                b.push(node, anchor)?;
            }
            Event::Nothing | Event::StreamStart | Event::DocumentEnd => {}
        }
    }
    Ok(b.root.unwrap_or_else(|| {
        Node::new(
            Value::Null,
            Mark { line: 1, column: 1 },
            Some(String::new()),
        )
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(n: &Node) -> (usize, usize) {
        (n.line, n.column)
    }

    #[test]
    fn every_node_and_key_has_its_position() {
        let doc =
            parse("rules:\n  - id: a\n    kind: velocty\n  - id: b\n    tags: [x, y]\n").unwrap();
        let rules = doc.get("rules").unwrap().as_seq().unwrap();
        assert_eq!(at(rules[0].get("kind").unwrap()), (3, 11));
        let (key, _) = rules[0].entry("kind").unwrap();
        assert_eq!(at(key), (3, 5));
        let tags = rules[1].get("tags").unwrap().as_seq().unwrap();
        assert_eq!(at(&tags[1]), (5, 15));
        // a block mapping starts where the parser knows it is one: at the
        // first key's ':' (as positions always were)
        assert_eq!(at(&rules[1]), (4, 7));
    }

    #[test]
    fn scalars_resolve_like_yaml_1_2() {
        let doc = parse(
            "a: ~\nb:\nc: True\nd: 42\ne: -7\nf: 0x1F\ng: 007\nh: 9999.99\ni: '42'\nj: 1e400\nk: .inf\nl: !!str 5\nm: text\n",
        )
        .unwrap();
        let v = |k: &str| doc.get(k).unwrap().value.clone();
        assert_eq!(v("a"), Value::Null);
        assert_eq!(v("b"), Value::Null);
        assert!(doc.get("b").unwrap().is_empty_scalar());
        assert_eq!(v("c"), Value::Bool(true));
        assert_eq!(v("d"), Value::UInt(42));
        assert_eq!(v("e"), Value::Int(-7));
        assert_eq!(v("f"), Value::UInt(31));
        assert_eq!(v("g"), Value::Str("007".into()));
        assert_eq!(v("h"), Value::Float(9999.99));
        assert_eq!(doc.get("h").unwrap().number_text().unwrap(), "9999.99");
        assert_eq!(v("i"), Value::Str("42".into()));
        assert_eq!(v("j"), Value::Str("1e400".into()));
        assert_eq!(v("k"), Value::Float(f64::INFINITY));
        assert_eq!(v("l"), Value::Str("5".into()));
        assert_eq!(v("m"), Value::Str("text".into()));
        assert_eq!(doc.get("d").unwrap().scalar_text(), Some("42"));
        assert_eq!(parse("-0").unwrap().as_u64(), Some(0));
    }

    #[test]
    fn a_billion_laughs_is_refused_at_the_alias() {
        let mut text = String::from("a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for (name, prev) in ["b", "c", "d", "e", "f", "g", "h", "i"]
            .iter()
            .zip("abcdefgh".chars())
        {
            let items = vec![format!("*{prev}"); 9].join(", ");
            text.push_str(&format!("{name}: &{name} [{items}]\n"));
        }
        let started = std::time::Instant::now();
        let e = parse(&text).unwrap_err();
        assert!(started.elapsed() < std::time::Duration::from_secs(2));
        assert!(e.message.contains("repetition limit"), "{e:?}");
        // d copies 9 × 91, e 9 × 820 …: f's first aliases pass the budget
        assert!(e.line >= 5 && e.column > 1, "{e:?}");
        // a modest alias is fine, and the copy sits at the alias
        let doc = parse("x: &x {a: 1}\ny: *x\n").unwrap();
        assert_eq!(doc.get("y").unwrap().get("a").unwrap().as_u64(), Some(1));
        assert_eq!(at(doc.get("y").unwrap()), (2, 4));
    }

    #[test]
    fn hostile_shapes_are_refused_with_a_position() {
        let deep = "[".repeat(MAX_DEPTH + 1) + &"]".repeat(MAX_DEPTH + 1);
        let e = parse(&deep).unwrap_err();
        assert!(e.message.contains("nested more than"), "{e:?}");
        assert_eq!((e.line, e.column), (1, MAX_DEPTH + 1));
        assert!(parse(&("[".repeat(MAX_DEPTH) + &"]".repeat(MAX_DEPTH))).is_ok());

        let e = parse("a: 1\nb: 2\na: 3\n").unwrap_err();
        assert_eq!((e.line, e.column), (3, 1));
        assert!(
            e.message.contains("duplicate key 'a' (first at line 1)"),
            "{e:?}"
        );

        // many keys stay linear: duplicates are found through a map
        let many: String = (0..200_000).map(|i| format!("k{i}: 1\n")).collect();
        let started = std::time::Instant::now();
        assert_eq!(parse(&many).unwrap().as_map().unwrap().len(), 200_000);
        assert!(started.elapsed() < std::time::Duration::from_secs(10));

        let e = parse("a: 1\n---\nb: 2\n").unwrap_err();
        assert_eq!(e.line, 2, "{e:?}");

        let e = parse("a: *nope\n").unwrap_err();
        assert!(e.message.contains("unknown anchor"), "{e:?}");

        let e = parse("a: !custom 1\n").unwrap_err();
        assert!(e.message.contains("not supported"), "{e:?}");

        let e = parse("a: [1, 2\n").unwrap_err();
        assert!(e.line >= 1, "{e:?}");

        let empty = parse("# nothing\n").unwrap();
        assert!(empty.is_empty_scalar());
        assert_eq!(at(&empty), (1, 1));
    }
}
