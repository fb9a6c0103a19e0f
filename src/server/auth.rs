//! API tokens: `Authorization: Bearer <token>`, checked against the SHA-256
//! of each configured token in constant time, then against the roles the
//! route needs. The secret is never kept, logged or echoed.

use axum::http::{HeaderMap, StatusCode};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::error::ApiError;
use crate::config::{ApiToken, Role};

/// Who is calling: the token's name, or `local` when the service runs
/// without tokens (loopback only).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// The token's name: the reviewer id of the caller's staff actions.
    pub name: String,
    /// True when no tokens are configured.
    pub open: bool,
}

/// The configured tokens, hashed.
#[derive(Debug, Clone)]
pub struct Tokens {
    tokens: Vec<([u8; 32], String, Vec<Role>)>,
}

impl Tokens {
    /// From the config's `server.tokens` (each `sha256` already checked to
    /// be 64 hex digits by the config loader).
    pub fn new(configured: &[ApiToken]) -> Tokens {
        let tokens = configured
            .iter()
            .map(|t| {
                let mut hash = [0u8; 32];
                for (i, byte) in hash.iter_mut().enumerate() {
                    *byte = t
                        .sha256
                        .get(2 * i..2 * i + 2)
                        .and_then(|h| u8::from_str_radix(h, 16).ok())
                        .unwrap_or(0);
                }
                (hash, t.name.clone(), t.roles.clone())
            })
            .collect();
        Tokens { tokens }
    }

    /// True when no tokens are configured: every caller has every role
    /// (the service then listens on loopback only).
    pub fn is_open(&self) -> bool {
        self.tokens.is_empty()
    }

    /// The caller of a request needing `role`: 401 without a known token,
    /// 403 when the token lacks the role.
    pub fn authorize(&self, headers: &HeaderMap, role: Role) -> Result<Caller, ApiError> {
        if self.is_open() {
            return Ok(Caller {
                name: "local".into(),
                open: true,
            });
        }
        let presented = headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                let (scheme, token) = v.trim().split_once(' ')?;
                scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
            })
            .filter(|t| !t.is_empty());
        let Some(presented) = presented else {
            return Err(unauthorized(
                "an API token is required: Authorization: Bearer <token>",
            ));
        };
        let hash: [u8; 32] = Sha256::digest(presented.as_bytes()).into();
        // every token is compared, so the time taken does not say which
        // (or whether any) token shares a prefix with the one presented
        let mut found: Option<usize> = None;
        for (i, (known, _, _)) in self.tokens.iter().enumerate() {
            if bool::from(known.ct_eq(&hash)) {
                found = Some(i);
            }
        }
        let Some((_, name, roles)) = found.and_then(|i| self.tokens.get(i)) else {
            return Err(unauthorized("unknown API token"));
        };
        if !roles.contains(&role) {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "forbidden",
                format!(
                    "token '{name}' lacks the role '{}' this request needs",
                    role.as_str()
                ),
            ));
        }
        Ok(Caller {
            name: name.clone(),
            open: false,
        })
    }
}

fn unauthorized(message: &str) -> ApiError {
    ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", message)
}

/// A new random token (32 bytes, hex) and its SHA-256, for the config.
pub fn new_token() -> Result<(String, String), getrandom::Error> {
    let mut secret = [0u8; 32];
    getrandom::fill(&mut secret)?;
    let token: String = secret.iter().map(|b| format!("{b:02x}")).collect();
    Ok((token.clone(), hash_hex(&token)))
}

/// The SHA-256 of a token, lower-case hex: what the config stores.
pub fn hash_hex(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn tokens() -> Tokens {
        Tokens::new(&[ApiToken {
            name: "ops".into(),
            sha256: hash_hex("s3cret-token"),
            roles: vec![Role::Screen],
        }])
    }

    fn bearer(token: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(
            axum::http::header::AUTHORIZATION,
            HeaderValue::from_str(&format!("Bearer {token}")).unwrap(),
        );
        h
    }

    #[test]
    fn a_known_token_with_the_role_passes() {
        let caller = tokens()
            .authorize(&bearer("s3cret-token"), Role::Screen)
            .unwrap();
        assert_eq!(caller.name, "ops");
    }

    #[test]
    fn unknown_missing_and_role_less_tokens_are_refused() {
        let t = tokens();
        assert_eq!(
            t.authorize(&bearer("s3cret-tokeN"), Role::Screen)
                .unwrap_err()
                .status,
            401
        );
        assert_eq!(
            t.authorize(&HeaderMap::new(), Role::Screen)
                .unwrap_err()
                .status,
            401
        );
        let refused = t
            .authorize(&bearer("s3cret-token"), Role::Admin)
            .unwrap_err();
        assert_eq!((refused.status, refused.kind.as_str()), (403, "forbidden"));
        assert!(!refused.message.contains("s3cret"));
    }

    #[test]
    fn no_tokens_is_open() {
        let open = Tokens::new(&[]);
        assert!(open.authorize(&HeaderMap::new(), Role::Admin).unwrap().open);
    }
}
