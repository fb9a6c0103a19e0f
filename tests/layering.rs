//! The module layering of `../shared/docs/ARCHITECTURE.md`, kept true: each
//! module of the library may import (`crate::…`) only the modules listed
//! for it here, all of them lower in the table. A new import that reaches
//! up or sideways fails this test with the file, line and path.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Module → the modules it may import, lowest layer first.
const ALLOWED: &[(&str, &[&str])] = &[
    ("model", &[]),
    ("util", &[]),
    ("durable", &[]),
    ("source", &["util"]),
    ("addresses", &["util", "model"]),
    ("countries", &[]),
    ("currencies", &[]),
    (
        "lists",
        &[
            "model",
            "util",
            "durable",
            "source",
            "addresses",
            "countries",
        ],
    ),
    ("names", &["model", "util", "lists"]),
    (
        "platforms",
        &["model", "util", "source", "addresses", "lists", "names"],
    ),
    ("decision", &["model"]),
    ("state", &["model", "util", "durable"]),
    ("audit", &["model", "util", "durable"]),
    ("cases", &["model", "util", "durable"]),
    (
        "rules",
        &[
            "model",
            "util",
            "durable",
            "source",
            "countries",
            "currencies",
            "names",
            "platforms",
            "decision",
            "state",
            "cases",
        ],
    ),
    (
        "list_cache",
        &["model", "util", "durable", "addresses", "lists", "names"],
    ),
    (
        "error",
        &[
            "model",
            "source",
            "lists",
            "rules",
            "audit",
            "list_cache",
            "state",
            "cases",
        ],
    ),
    (
        "config",
        &[
            "model", "util", "source", "lists", "names", "state", "audit", "rules", "error",
        ],
    ),
    ("limits", &["model", "lists", "error"]),
    (
        "customers",
        &[
            "model",
            "util",
            "addresses",
            "countries",
            "currencies",
            "lists",
            "names",
            "limits",
        ],
    ),
    (
        "engine",
        &[
            "model",
            "util",
            "durable",
            "source",
            "addresses",
            "countries",
            "lists",
            "names",
            "platforms",
            "decision",
            "state",
            "audit",
            "rules",
            "list_cache",
            "error",
            "config",
            "limits",
        ],
    ),
    (
        "screener",
        &[
            "model",
            "util",
            "durable",
            "source",
            "lists",
            "names",
            "state",
            "audit",
            "cases",
            "rules",
            "list_cache",
            "error",
            "config",
            "limits",
            "engine",
            "customers",
        ],
    ),
    (
        "server",
        &[
            "model",
            "lists",
            "names",
            "state",
            "cases",
            "config",
            "error",
            "limits",
            "customers",
            "screener",
        ],
    ),
];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level module a file belongs to: `src/x.rs` and `src/x/…` are `x`.
fn module_of(src: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(src).unwrap();
    let first = rel
        .components()
        .next()
        .unwrap()
        .as_os_str()
        .to_string_lossy();
    first.trim_end_matches(".rs").to_owned()
}

/// `text` with comments, string and char literals blanked out (newlines
/// kept, so line numbers stay true).
fn code_only(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    let blank = |out: &mut Vec<u8>, bytes: &[u8]| {
        out.extend(bytes.iter().map(|&c| if c == b'\n' { b'\n' } else { b' ' }))
    };
    while i < b.len() {
        let rest = &b[i..];
        if rest.starts_with(b"//") {
            let end = rest.iter().position(|&c| c == b'\n').unwrap_or(rest.len());
            blank(&mut out, &rest[..end]);
            i += end;
        } else if rest.starts_with(b"/*") {
            let end = rest
                .windows(2)
                .position(|w| w == b"*/")
                .map_or(rest.len(), |p| p + 2);
            blank(&mut out, &rest[..end]);
            i += end;
        } else if rest.starts_with(b"r\"") || rest.starts_with(b"r#") || rest.starts_with(b"br\"") {
            // raw string: r"…", r#"…"#, r##"…"## …
            let start = rest.iter().position(|&c| c == b'r').unwrap_or(0) + 1;
            let hashes = rest[start..].iter().take_while(|&&c| c == b'#').count();
            if rest.get(start + hashes) != Some(&b'"') {
                out.push(b[i]);
                i += 1;
                continue;
            }
            let mut close = vec![b'"'];
            close.extend(std::iter::repeat(b'#').take(hashes));
            let body = start + hashes + 1;
            let end = rest[body..]
                .windows(close.len())
                .position(|w| w == close.as_slice())
                .map_or(rest.len(), |p| body + p + close.len());
            blank(&mut out, &rest[..end]);
            i += end;
        } else if rest[0] == b'"' {
            let mut j = 1;
            while j < rest.len() && rest[j] != b'"' {
                j += if rest[j] == b'\\' { 2 } else { 1 };
            }
            let end = (j + 1).min(rest.len());
            blank(&mut out, &rest[..end]);
            i += end;
        } else if rest[0] == b'\'' && rest.len() > 2 && (rest[2] == b'\'' || rest[1] == b'\\') {
            // a char literal ('x', '\n', '\''); a lifetime has no closing quote
            let end = rest[2..]
                .iter()
                .position(|&c| c == b'\'')
                .map_or(1, |p| p + 3);
            blank(&mut out, &rest[..end]);
            i += end;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The first path segment of every item of a `{ … }` use group starting at
/// `group` (just after the `{`), nested groups skipped.
fn group_heads(group: &str) -> Vec<String> {
    let mut heads = Vec::new();
    let mut depth = 0usize;
    let mut at_item_start = true;
    let mut chars = group.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => break,
            '}' => depth -= 1,
            ',' if depth == 0 => at_item_start = true,
            c if at_item_start && depth == 0 && (c.is_alphanumeric() || c == '_') => {
                let head: String = group[i..]
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                for _ in 1..head.chars().count() {
                    chars.next();
                }
                heads.push(head);
                at_item_start = false;
            }
            _ => {}
        }
    }
    heads
}

/// The body of `#[cfg(test)] mod tests { … }` blanked: unit tests may set
/// up with anything.
fn without_unit_tests(code: &str) -> String {
    let mut code = code.to_owned();
    while let Some(at) = code.find("#[cfg(test)]") {
        let after = &code[at + "#[cfg(test)]".len()..];
        let trimmed = after.trim_start();
        let is_tests = trimmed.starts_with("mod tests {") || trimmed.starts_with("mod tests{");
        let Some(open) = after.find('{').filter(|_| is_tests) else {
            // not the tests module: keep it, look further
            code.replace_range(at..at + 1, " ");
            continue;
        };
        let open = at + "#[cfg(test)]".len() + open;
        let mut depth = 0usize;
        let mut close = code.len();
        for (i, c) in code[open..].char_indices() {
            match c {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        close = open + i + 1;
                        break;
                    }
                }
                _ => {}
            }
        }
        let blanked: String = code[at..close]
            .chars()
            .map(|c| if c == '\n' { '\n' } else { ' ' })
            .collect();
        code.replace_range(at..close, &blanked);
    }
    code
}

/// Every top-level module a file's code names, with its line: through
/// `crate::…` (paths and `use` groups, nested ones too) and through
/// `super::` chains that climb to the crate root (`depth` is how many
/// `super`s that takes from this file's module).
fn crate_imports(text: &str, depth: usize) -> Vec<(usize, String)> {
    let code = without_unit_tests(&code_only(text));
    let line_of = |at: usize| code[..at].bytes().filter(|&b| b == b'\n').count() + 1;
    let ident_at = |at: usize| -> String {
        code[at..]
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect()
    };
    let boundary = |at: usize| {
        at == 0 || {
            let prev = code.as_bytes()[at - 1];
            !(prev.is_ascii_alphanumeric() || prev == b'_' || prev == b':')
        }
    };
    let mut found = Vec::new();
    let heads_at = |at: usize, found: &mut Vec<(usize, String)>| {
        if code[at..].starts_with('{') {
            for head in group_heads(&code[at + 1..]) {
                found.push((line_of(at), head));
            }
        } else {
            found.push((line_of(at), ident_at(at)));
        }
    };
    let mut from = 0;
    while let Some(pos) = code[from..].find("crate::") {
        let at = from + pos;
        from = at + "crate::".len();
        if boundary(at) {
            heads_at(from, &mut found);
        }
    }
    let mut from = 0;
    while let Some(pos) = code[from..].find("super::") {
        let at = from + pos;
        let mut end = at;
        let mut supers = 0;
        while code[end..].starts_with("super::") {
            supers += 1;
            end += "super::".len();
        }
        from = end;
        if boundary(at) && supers >= depth {
            heads_at(end, &mut found);
        }
    }
    found.sort();
    found
}

/// How many `super`s climb from a file's module to the crate root:
/// `src/x.rs` and `src/x/mod.rs` are one below it, `src/x/y.rs` two.
fn depth_of(src: &Path, file: &Path) -> usize {
    let rel = file.strip_prefix(src).unwrap();
    let parts = rel.components().count();
    let is_mod = rel.file_name().is_some_and(|n| n == "mod.rs");
    if is_mod {
        parts - 1
    } else {
        parts
    }
}

#[test]
fn every_module_imports_only_the_modules_below_it() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let src = root.join("src");
    let allowed: BTreeMap<&str, &[&str]> = ALLOWED.iter().copied().collect();
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    let mut violations = Vec::new();
    let mut checked = 0;
    for file in &files {
        let module = module_of(&src, file);
        if matches!(module.as_str(), "lib" | "main" | "cli") {
            continue;
        }
        let Some(may) = allowed.get(module.as_str()) else {
            violations.push(format!(
                "{}: module '{module}' is not in the layering table (tests/layering.rs)",
                file.display()
            ));
            continue;
        };
        checked += 1;
        let text = std::fs::read_to_string(file).unwrap();
        for (line, imported) in crate_imports(&text, depth_of(&src, file)) {
            if imported == module || may.contains(&imported.as_str()) {
                continue;
            }
            violations.push(format!(
                "{}:{line}: '{module}' imports crate::{imported}, which it may not ({})",
                file.strip_prefix(&root).unwrap().display(),
                if allowed.contains_key(imported.as_str()) {
                    "a module at or above its layer"
                } else {
                    "name the module, not a root re-export"
                }
            ));
        }
    }
    assert!(checked > 50, "only {checked} files checked");
    assert!(violations.is_empty(), "\n{}", violations.join("\n"));
}

#[test]
fn the_import_reader_sees_paths_groups_and_supers_but_not_comments_strings_or_tests() {
    let text = r#"use crate::model::Decision;
// crate::screener in a comment
use crate::{lists::{self, Entity}, names};
let url = "https://crate::engine"; let x = crate::util::hex(&b);
/* crate::audit */ let c = 'a';
use super::super::rules::RuleSet;
use super::sibling;
#[cfg(test)]
mod tests {
    use crate::screener::Screener;
}
use crate::state::StateStore;
"#;
    let names: Vec<String> = crate_imports(text, 2).into_iter().map(|(_, n)| n).collect();
    assert_eq!(names, ["model", "lists", "names", "util", "rules", "state"]);
    // From a top-level file one `super` is the crate root.
    let names: Vec<String> = crate_imports("use super::engine::Engine;", 1)
        .into_iter()
        .map(|(_, n)| n)
        .collect();
    assert_eq!(names, ["engine"]);
}
