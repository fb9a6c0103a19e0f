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
    (
        "lists",
        &["model", "util", "durable", "source", "addresses"],
    ),
    ("names", &["model", "util", "lists"]),
    (
        "platforms",
        &["model", "util", "source", "addresses", "lists", "names"],
    ),
    ("decision", &["model"]),
    ("state", &["model", "util", "durable"]),
    ("audit", &["model", "util", "durable"]),
    (
        "rules",
        &[
            "model",
            "util",
            "durable",
            "source",
            "platforms",
            "decision",
            "state",
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
        ],
    ),
    (
        "config",
        &[
            "model", "util", "source", "lists", "names", "state", "audit", "rules", "error",
        ],
    ),
    ("limits", &["model", "error"]),
    (
        "engine",
        &[
            "model",
            "util",
            "durable",
            "source",
            "addresses",
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
            "rules",
            "list_cache",
            "error",
            "config",
            "limits",
            "engine",
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

/// Every module named after `crate::` in code (not comments), with its line.
fn crate_imports(text: &str) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    let lines: Vec<&str> = text.lines().collect();
    for (n, line) in lines.iter().enumerate() {
        // The unit tests (`#[cfg(test)] mod tests`) may set up with anything.
        let next = lines.get(n + 1).map_or("", |l| l.trim());
        if line.trim() == "#[cfg(test)]" && next.starts_with("mod tests") {
            break;
        }
        let code = line.split("//").next().unwrap_or("");
        let mut rest = code;
        while let Some(at) = rest.find("crate::") {
            rest = &rest[at + "crate::".len()..];
            if let Some(group) = rest.strip_prefix('{') {
                // `use crate::{a::X, b};`: the group may span lines; the
                // first line's names are enough for the one-line groups we
                // write, and multi-line groups are rejected below.
                let end = group.find('}').unwrap_or(group.len());
                for part in group[..end].split(',') {
                    let name: String = part
                        .trim()
                        .chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_')
                        .collect();
                    if !name.is_empty() {
                        found.push((n + 1, name));
                    }
                }
                if !group.contains('}') {
                    found.push((n + 1, "{multi-line group}".into()));
                }
                continue;
            }
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            found.push((n + 1, name));
        }
    }
    found
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
        for (line, imported) in crate_imports(&text) {
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
fn the_import_reader_sees_paths_and_groups_but_not_comments() {
    let text = "use crate::model::Decision;\n// crate::screener in a comment\nuse crate::{lists::Entity, names};\nlet x = crate::util::hex(&b);";
    let names: Vec<String> = crate_imports(text).into_iter().map(|(_, n)| n).collect();
    assert_eq!(names, ["model", "lists", "names", "util"]);
}
