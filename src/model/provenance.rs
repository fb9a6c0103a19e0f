//! What decided: the engine, list and rule files behind a decision, as
//! every audit record names them.

use serde::{Deserialize, Serialize};

/// The version of the engine (this crate).
pub const ENGINE_VERSION: &str = env!("CARGO_PKG_VERSION");

/// Hashes of everything that decided: list files and rule files.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Provenance {
    /// Engine (crate) version.
    pub engine_version: String,
    /// The engine id: a digest of the engine version and every list and
    /// rule file hash, shared with [`Decision::version`](super::Decision::version).
    /// Serialised as `snapshot`, its name in the audit format.
    #[serde(rename = "snapshot")]
    pub engine_id: String,
    /// Each loaded list: source, path, version and SHA-256.
    pub lists: Vec<ListRef>,
    /// Each rule file: path and SHA-256.
    pub rules: Vec<FileVersion>,
}

/// A list file as named in an audit record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListRef {
    /// Loader.
    pub source: String,
    /// File.
    pub path: String,
    /// Version from the file.
    pub version: Option<String>,
    /// SHA-256 of the file.
    pub sha256: String,
}

/// A rule or policy file's identity, for the audit record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileVersion {
    /// File path as loaded.
    pub path: String,
    /// SHA-256 of the file bytes, lower-case hex.
    pub sha256: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_engine_id_keeps_its_name_in_the_audit_format() {
        let p = Provenance {
            engine_version: "0.1.0".into(),
            engine_id: "0123456789abcdef".into(),
            lists: vec![ListRef {
                source: "un_xml".into(),
                path: "un.xml".into(),
                version: None,
                sha256: "aa".into(),
            }],
            rules: vec![FileVersion {
                path: "rules.yaml".into(),
                sha256: "bb".into(),
            }],
        };
        let json = serde_json::to_string(&p).unwrap();
        assert_eq!(
            json,
            r#"{"engine_version":"0.1.0","snapshot":"0123456789abcdef","lists":[{"source":"un_xml","path":"un.xml","version":null,"sha256":"aa"}],"rules":[{"path":"rules.yaml","sha256":"bb"}]}"#
        );
        assert_eq!(serde_json::from_str::<Provenance>(&json).unwrap(), p);
    }
}
