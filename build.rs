//! Computes the build fingerprint a list snapshot is tied to (see
//! `src/snapshot.rs`): a hash of every source file whose change can alter
//! what the list parsers produce or how the name and address indexes are
//! laid out or read, plus `Cargo.lock` (a new `unicode-normalization` can
//! fold names differently). A snapshot compiled by a build with another
//! fingerprint is refused, even when the crate version is the same — during
//! development the version stays put while the index changes.

use std::path::{Path, PathBuf};

/// Files and directories (walked recursively) that feed the fingerprint.
const FINGERPRINTED: [&str; 7] = [
    "src/lists",
    "src/names",
    "src/addresses.rs",
    "src/util.rs",
    "src/snapshot.rs",
    "Cargo.lock",
    "Cargo.toml",
];

fn main() {
    let root = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let mut files = Vec::new();
    for entry in FINGERPRINTED {
        println!("cargo:rerun-if-changed={entry}");
        collect(&root.join(entry), &mut files);
    }
    files.sort();
    // FNV-1a, 64 bits: this guards against using a stale snapshot by
    // accident, not against an adversary (the payload has its own SHA-256).
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut feed = |bytes: &[u8]| {
        for &b in bytes {
            hash ^= u64::from(b);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    };
    for file in &files {
        let relative = file.strip_prefix(&root).unwrap_or(file);
        feed(relative.to_string_lossy().as_bytes());
        feed(&[0]);
        // an unreadable file still changes the hash (by its name alone)
        feed(&std::fs::read(file).unwrap_or_default());
        feed(&[0]);
    }
    println!("cargo:rustc-env=AMLSCREEN_BUILD_FINGERPRINT={hash:016x}");
}

fn collect(path: &Path, out: &mut Vec<PathBuf>) {
    if path.is_dir() {
        if let Ok(entries) = std::fs::read_dir(path) {
            for entry in entries.flatten() {
                collect(&entry.path(), out);
            }
        }
    } else if path.is_file() {
        out.push(path.to_path_buf());
    }
}
