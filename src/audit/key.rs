//! The secret key of a keyed audit chain: loaded from a key file, or
//! created there (owner-only, random) at first use.
//!
//! The key file holds the key as hex digits (64 for the 32 random bytes
//! written at creation) and a newline. It must be readable by its owner
//! only and must not be a symbolic link: a key that others could read
//! would let them re-seal a rewritten log, so such a file is refused, not
//! repaired.

use std::io::Read;
use std::path::{Path, PathBuf};

use hmac::{Hmac, Mac};

use super::options::AuditError;
use crate::durable::{self, Access};

/// Smallest accepted chain key, in bytes.
pub const MIN_CHAIN_KEY_BYTES: usize = 32;

/// The secret under which audit records and checkpoints are sealed
/// (HMAC-SHA256). Its `Debug` never shows the bytes.
///
/// ```
/// use amlscreen::audit::AuditKey;
/// let key = AuditKey::from_bytes(&[7u8; 32]).unwrap();
/// assert_eq!(format!("{key:?}"), "AuditKey(..)");
/// assert!(AuditKey::from_bytes(b"short").is_err());
/// ```
#[derive(Clone)]
pub struct AuditKey {
    bytes: Vec<u8>,
}

impl std::fmt::Debug for AuditKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AuditKey(..)")
    }
}

/// Where the key of the audit file `audit` is kept when nothing else is
/// configured: `<audit>.key`, beside it.
pub fn default_key_path(audit: &Path) -> PathBuf {
    let mut name = audit
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_else(|| "audit".into());
    name.push(".key");
    audit.with_file_name(name)
}

impl AuditKey {
    /// A key from bytes held elsewhere (a key store); at least
    /// [`MIN_CHAIN_KEY_BYTES`].
    pub fn from_bytes(bytes: &[u8]) -> Result<AuditKey, AuditError> {
        if bytes.len() < MIN_CHAIN_KEY_BYTES {
            return Err(AuditError::Config(format!(
                "audit chain key has {} bytes; at least {MIN_CHAIN_KEY_BYTES} are needed",
                bytes.len()
            )));
        }
        Ok(AuditKey {
            bytes: bytes.to_vec(),
        })
    }

    /// Reads the key file at `path`, which must exist, be a regular file
    /// (not a symbolic link), be readable by its owner only and hold at
    /// least [`MIN_CHAIN_KEY_BYTES`] bytes as hex digits.
    pub fn load(path: &Path) -> Result<AuditKey, AuditError> {
        let bad = |message: String| AuditError::Key {
            path: path.to_path_buf(),
            message,
        };
        let mut file = durable::open_read(path).map_err(|e| bad(e.to_string()))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = file
                .metadata()
                .map_err(|e| bad(e.to_string()))?
                .permissions()
                .mode();
            if mode & 0o077 != 0 {
                return Err(bad(format!(
                    "key file is readable or writable by group or others (mode {:03o}); \
                     it may have leaked: make it owner-only (chmod 600) or replace it",
                    mode & 0o777
                )));
            }
        }
        let mut text = String::new();
        // A key file is small; a huge one is not a key file.
        file.by_ref()
            .take(4096)
            .read_to_string(&mut text)
            .map_err(|e| bad(format!("cannot read: {e}")))?;
        let digits = text.trim();
        let bytes = decode_hex(digits).ok_or_else(|| {
            bad(
                "key file does not hold hex digits (it is written as 64 hex digits and a newline)"
                    .into(),
            )
        })?;
        if bytes.len() < MIN_CHAIN_KEY_BYTES {
            return Err(bad(format!(
                "key has {} bytes; at least {MIN_CHAIN_KEY_BYTES} ({} hex digits) are needed",
                bytes.len(),
                2 * MIN_CHAIN_KEY_BYTES
            )));
        }
        Ok(AuditKey { bytes })
    }

    /// [`AuditKey::load`]s the key file at `path`, or creates it first
    /// (32 random bytes, owner-only) when there is none. Two processes
    /// creating it at once end with one key: the file appears whole, by a
    /// hard link of a finished temporary file, or not at all.
    pub fn load_or_create(path: &Path) -> Result<AuditKey, AuditError> {
        match std::fs::symlink_metadata(path) {
            Ok(_) => return AuditKey::load(path),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                return Err(AuditError::Key {
                    path: path.to_path_buf(),
                    message: e.to_string(),
                })
            }
        }
        let io = |e: std::io::Error| AuditError::Key {
            path: path.to_path_buf(),
            message: format!("cannot create key file: {e}"),
        };
        let mut bytes = [0u8; MIN_CHAIN_KEY_BYTES];
        getrandom::fill(&mut bytes)
            .map_err(|e| io(std::io::Error::other(format!("no random source: {e}"))))?;
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(io)?;
        }
        let temp = durable::temp_path(path).map_err(io)?;
        let text = format!("{}\n", crate::util::hex(&bytes));
        durable::write_new(&temp, text.as_bytes(), Access::OwnerOnly).map_err(io)?;
        let linked = std::fs::hard_link(&temp, path);
        let _ = std::fs::remove_file(&temp);
        match linked {
            Ok(()) => durable::sync_dir(durable::parent_dir(path)).map_err(io)?,
            // another process created it first: use theirs
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(io(e)),
        }
        AuditKey::load(path)
    }

    /// `HMAC-SHA256(key, domain ‖ bytes)` as 64 hex digits.
    pub(super) fn seal(&self, domain: &[u8], bytes: &[u8]) -> String {
        crate::util::hex(&self.mac(domain, bytes).finalize().into_bytes())
    }

    /// Whether `stored` (lower-case hex, as [`seal`](Self::seal) writes
    /// it: one spelling only) is the seal of `bytes` (compared in constant time).
    pub(super) fn opens(&self, domain: &[u8], bytes: &[u8], stored: &str) -> bool {
        if !stored
            .bytes()
            .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
        {
            return false;
        }
        match decode_hex(stored) {
            Some(tag) => self.mac(domain, bytes).verify_slice(&tag).is_ok(),
            None => false,
        }
    }

    fn mac(&self, domain: &[u8], bytes: &[u8]) -> Hmac<sha2::Sha256> {
        // HMAC accepts keys of any length; this cannot fail.
        let mut mac = match Hmac::<sha2::Sha256>::new_from_slice(&self.bytes) {
            Ok(m) => m,
            Err(_) => unreachable!("HMAC takes keys of any length"),
        };
        mac.update(domain);
        mac.update(bytes);
        mac
    }
}

/// Lower- or upper-case hex digits to bytes; `None` unless the text is an
/// even number of hex digits.
fn decode_hex(text: &str) -> Option<Vec<u8>> {
    if text.len() % 2 != 0 {
        return None;
    }
    let digit = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
    text.as_bytes()
        .chunks(2)
        .map(|pair| Some((digit(pair[0])? << 4) | digit(pair[1])?))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_file_is_created_owner_only_once_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keys/audit.key");
        let created = AuditKey::load_or_create(&path).unwrap();
        let again = AuditKey::load_or_create(&path).unwrap();
        assert_eq!(created.bytes, again.bytes);
        assert_eq!(created.bytes.len(), 32);
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text.len(), 65, "{text:?}");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let other = AuditKey::load_or_create(&dir.path().join("b.key")).unwrap();
        assert_ne!(created.bytes, other.bytes);
        assert_eq!(
            default_key_path(Path::new("/a/log.jsonl")),
            Path::new("/a/log.jsonl.key")
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_readable_symlinked_or_malformed_key_file_is_refused() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.key");
        AuditKey::load_or_create(&path).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let err = AuditKey::load(&path).unwrap_err().to_string();
        assert!(
            err.contains("mode 644") && err.contains("audit.key"),
            "{err}"
        );
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();

        let link = dir.path().join("link.key");
        std::os::unix::fs::symlink(&path, &link).unwrap();
        let err = AuditKey::load_or_create(&link).unwrap_err().to_string();
        assert!(err.contains("symbolic link"), "{err}");

        let short = dir.path().join("short.key");
        durable::write_new(&short, b"abcd\n", Access::OwnerOnly).unwrap();
        let err = AuditKey::load(&short).unwrap_err().to_string();
        assert!(err.contains("at least 32"), "{err}");
        let text = dir.path().join("text.key");
        durable::write_new(&text, b"not hex at all\n", Access::OwnerOnly).unwrap();
        let err = AuditKey::load(&text).unwrap_err().to_string();
        assert!(err.contains("hex digits"), "{err}");
    }

    #[test]
    fn seals_are_hmac_sha256_of_domain_and_bytes() {
        // RFC 4231 test case 2, split between domain and bytes
        let key = AuditKey {
            bytes: b"Jefe".to_vec(),
        };
        let seal = key.seal(b"what do ya ", b"want for nothing?");
        assert_eq!(
            seal,
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        assert!(key.opens(b"what do ya ", b"want for nothing?", &seal));
        assert!(!key.opens(b"what do ya ", b"want for nothing!", &seal));
        assert!(!key.opens(b"what do ya ", b"want for nothing?", "zz"));
        assert!(!key.opens(b"what do ya ", b"want for nothing?", &seal.to_uppercase()));
        assert_eq!(decode_hex("0aFf"), Some(vec![0x0a, 0xff]));
        assert_eq!(decode_hex("0"), None);
    }
}
