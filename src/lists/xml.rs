//! Streaming XML for the list loaders: reads the file event by event and
//! hands each *record* element (an OFAC `sdnEntry`, a UN `INDIVIDUAL`, …)
//! to the loader as a small owned tree, so memory stays bounded by the
//! largest record rather than the file.
//!
//! Namespaces are ignored (local names only), so the legacy and SLS OFAC
//! namespaces and the EU export namespace all read alike. Entities are never
//! expanded: only the five predefined ones and character references are
//! decoded; a reference to a DOCTYPE-declared entity is a format error, which
//! keeps "billion laughs" files from growing in memory.
//!
//! A file whose elements are not all closed at the end (a truncated
//! download) is an error naming the position, never a shorter list.

use std::path::Path;

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

use super::ListError;

/// One element of a record: local name, attributes, text and children.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Node {
    /// Local element name, without namespace prefix.
    pub name: String,
    /// Attributes by local name, unescaped.
    pub attrs: Vec<(String, String)>,
    /// Concatenated text content (untrimmed).
    pub text: String,
    /// Child elements, in document order.
    pub children: Vec<Node>,
}

impl Node {
    /// The trimmed text of this element.
    pub fn text(&self) -> &str {
        self.text.trim()
    }

    /// The trimmed text, or `None` when empty.
    pub fn text_opt(&self) -> Option<&str> {
        Some(self.text()).filter(|t| !t.is_empty())
    }

    /// The first child with this local name.
    pub fn child(&self, name: &str) -> Option<&Node> {
        self.children.iter().find(|c| c.name == name)
    }

    /// Every child with this local name.
    pub fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Node> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// The non-empty trimmed text of the first child with this name.
    pub fn child_text(&self, name: &str) -> Option<&str> {
        self.children
            .iter()
            .filter(|c| c.name == name)
            .find_map(Node::text_opt)
    }

    /// Children of the first child `list` named `item` (e.g. `akaList`/`aka`).
    pub fn items<'a>(
        &'a self,
        list: &'a str,
        item: &'a str,
    ) -> impl Iterator<Item = &'a Node> + 'a {
        self.children_named(list)
            .flat_map(move |l| l.children_named(item))
    }

    /// An attribute's trimmed value, or `None` when absent or empty.
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
    }
}

/// `line L (byte B)` for a byte offset into the file.
pub fn position(bytes: &[u8], offset: u64) -> String {
    LineCounter::default().position(bytes, offset)
}

/// Turns increasing byte offsets into line numbers in linear total time
/// (counting from the file start for every record would be quadratic).
#[derive(Debug, Default)]
struct LineCounter {
    offset: usize,
    newlines: usize,
}

impl LineCounter {
    fn position(&mut self, bytes: &[u8], offset: u64) -> String {
        let offset = (offset as usize).min(bytes.len());
        if offset < self.offset {
            *self = LineCounter::default();
        }
        self.newlines += bytes[self.offset..offset]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        self.offset = offset;
        format!("line {} (byte {offset})", self.newlines + 1)
    }
}

fn start_node(
    e: &BytesStart<'_>,
    bytes: &[u8],
    offset: u64,
    path: &Path,
) -> Result<Node, ListError> {
    let name = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
    let mut attrs = Vec::new();
    for attr in e.attributes() {
        let attr = attr.map_err(|err| {
            ListError::format(
                path,
                position(bytes, offset),
                format!("bad attribute in <{name}>: {err}"),
            )
        })?;
        let key = String::from_utf8_lossy(attr.key.local_name().as_ref()).into_owned();
        let value = attr.unescape_value().map_err(|err| {
            ListError::format(
                path,
                position(bytes, offset),
                format!("attribute {key} of <{name}>: {err}"),
            )
        })?;
        attrs.push((key, value.into_owned()));
    }
    Ok(Node {
        name,
        attrs,
        text: String::new(),
        children: Vec::new(),
    })
}

/// Streams `bytes` as XML whose root element must be one of `roots`.
///
/// `on_root` receives the root element (attributes only). Every element
/// for which `is_record(local_name, depth)` holds (the root has depth 0) is
/// built as a [`Node`] tree and passed to `on_record` with its position.
pub fn stream(
    bytes: &[u8],
    path: &Path,
    roots: &[&str],
    is_record: impl Fn(&str, usize) -> bool,
    mut on_root: impl FnMut(&Node),
    mut on_record: impl FnMut(Node, &str),
) -> Result<(), ListError> {
    let mut reader = Reader::from_reader(bytes);
    let mut depth = 0usize;
    let mut root_seen = false;
    let mut building: Vec<(Node, u64)> = Vec::new();
    let mut lines = LineCounter::default();
    let fail =
        |offset: u64, message: String| ListError::format(path, position(bytes, offset), message);
    loop {
        let offset = reader.buffer_position();
        let event = reader
            .read_event()
            .map_err(|e| fail(reader.error_position(), format!("malformed XML: {e}")))?;
        match event {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let is_empty = matches!(event, Event::Empty(_));
                if depth == 0 {
                    if root_seen {
                        return Err(fail(
                            offset,
                            "a second root element follows the first".into(),
                        ));
                    }
                    root_seen = true;
                    let root = start_node(e, bytes, offset, path)?;
                    if !roots.contains(&root.name.as_str()) {
                        return Err(fail(
                            offset,
                            format!(
                                "root element is <{}>, expected <{}>: wrong file for this list kind",
                                root.name,
                                roots.join("> or <")
                            ),
                        ));
                    }
                    on_root(&root);
                    if !is_empty {
                        depth += 1;
                    }
                    continue;
                }
                let in_record = !building.is_empty();
                if in_record || is_record(&String::from_utf8_lossy(e.local_name().as_ref()), depth)
                {
                    let node = start_node(e, bytes, offset, path)?;
                    if is_empty {
                        match building.last_mut() {
                            Some((parent, _)) => parent.children.push(node),
                            None => on_record(node, &lines.position(bytes, offset)),
                        }
                    } else {
                        building.push((node, offset));
                    }
                }
                if !is_empty {
                    depth += 1;
                }
            }
            Event::End(_) => {
                depth = depth.saturating_sub(1);
                if let Some((node, start)) = building.pop() {
                    match building.last_mut() {
                        Some((parent, _)) => parent.children.push(node),
                        None => on_record(node, &lines.position(bytes, start)),
                    }
                }
            }
            Event::Text(t) => {
                if let Some((node, _)) = building.last_mut() {
                    let text = t
                        .unescape()
                        .map_err(|e| fail(offset, format!("text in <{}>: {e}", node.name)))?;
                    node.text.push_str(&text);
                } else if depth == 0 && !t.iter().all(u8::is_ascii_whitespace) {
                    return Err(fail(
                        offset,
                        "text outside the root element: not an XML list file".into(),
                    ));
                }
            }
            Event::CData(c) => {
                if let Some((node, _)) = building.last_mut() {
                    node.text.push_str(&String::from_utf8_lossy(&c));
                }
            }
            Event::Eof => {
                if depth > 0 {
                    return Err(fail(
                        offset,
                        format!(
                            "file ends with {depth} element(s) still open: truncated download?"
                        ),
                    ));
                }
                if !root_seen {
                    return Err(fail(
                        offset,
                        format!("no <{}> root element", roots.join("> or <")),
                    ));
                }
                return Ok(());
            }
            _ => {}
        }
    }
}

/// Collapses runs of whitespace to one space and trims.
pub fn collapse(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for word in s.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn records(xml: &str) -> Result<Vec<Node>, ListError> {
        let mut out = Vec::new();
        stream(
            xml.as_bytes(),
            Path::new("t.xml"),
            &["root"],
            |name, depth| depth == 1 && name == "rec",
            |_| {},
            |n, _| out.push(n),
        )?;
        Ok(out)
    }

    #[test]
    fn builds_records_namespace_agnostic() {
        let recs = records(
            r#"<?xml version="1.0"?><x:root xmlns:x="urn:a"><x:rec id="1"><x:a>A &amp; B</x:a><b/></x:rec><other/><rec id="2"/></x:root>"#,
        )
        .unwrap();
        assert_eq!(recs.len(), 2);
        assert_eq!(recs[0].attr("id"), Some("1"));
        assert_eq!(recs[0].child_text("a"), Some("A & B"));
        assert!(recs[0].child("b").is_some());
        assert_eq!(recs[1].attr("id"), Some("2"));
    }

    #[test]
    fn truncated_file_is_an_error_with_position() {
        let err = records("<root>\n<rec><a>x</a></rec>\n<rec><a>y")
            .unwrap_err()
            .to_string();
        assert!(err.contains("t.xml: line 3"), "{err}");
        assert!(err.contains("truncated"), "{err}");
    }

    #[test]
    fn wrong_root_and_non_xml_are_errors() {
        let err = records("<other/>").unwrap_err().to_string();
        assert!(err.contains("root element is <other>"), "{err}");
        let err = records("[{\"sid\": 1}]").unwrap_err().to_string();
        assert!(err.contains("not an XML list file"), "{err}");
        let err = records("").unwrap_err().to_string();
        assert!(err.contains("no <root> root element"), "{err}");
        let err = records("<root><rec></other></root>")
            .unwrap_err()
            .to_string();
        assert!(err.contains("malformed XML"), "{err}");
    }

    #[test]
    fn doctype_entities_are_never_expanded() {
        let mut bomb =
            String::from("<?xml version=\"1.0\"?>\n<!DOCTYPE root [\n<!ENTITY lol \"lol\">\n");
        for i in 1..10 {
            let prev = if i == 1 {
                "lol".to_owned()
            } else {
                format!("lol{}", i - 1)
            };
            bomb.push_str(&format!(
                "<!ENTITY lol{i} \"{}\">\n",
                format!("&{prev};").repeat(10)
            ));
        }
        bomb.push_str("]>\n<root><rec><a>&lol9;</a></rec></root>");
        let err = records(&bomb).unwrap_err().to_string();
        assert!(err.contains("text in <a>"), "{err}");
        // declared but unused entities are harmless and leave text untouched
        let ok =
            records("<!DOCTYPE root [<!ENTITY x \"yyyy\">]><root><rec><a>plain</a></rec></root>")
                .unwrap();
        assert_eq!(ok[0].child_text("a"), Some("plain"));
    }

    #[test]
    fn collapse_whitespace() {
        assert_eq!(collapse("  Abu  Zayd\n Umar "), "Abu Zayd Umar");
    }
}
