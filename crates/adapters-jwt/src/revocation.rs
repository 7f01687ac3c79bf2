//! What logout stores for a token.

use std::fmt::Write as _;

use calls_core::ports::RevocationKey;
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// `jti:<uuid>` for our tokens. Legacy Go tokens have no id, so they are named by
/// `sha256:<hex>` of the whole token: stable, unique per token, and useless to anyone who reads
/// the revocation table (the token itself is never stored).
pub(crate) fn revocation_key(jti: Option<Uuid>, token: &str) -> RevocationKey {
    match jti {
        Some(jti) => RevocationKey::new(format!("jti:{}", jti.hyphenated())),
        None => {
            let digest = Sha256::digest(token.as_bytes());
            let mut key = String::with_capacity("sha256:".len() + 2 * digest.len());
            key.push_str("sha256:");
            for byte in digest {
                // Writing to a String cannot fail.
                let _ = write!(key, "{byte:02x}");
            }
            RevocationKey::new(key)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jti_names_the_token() {
        let jti = Uuid::new_v4();
        let key = revocation_key(Some(jti), "a.b.c");
        assert_eq!(key.as_str(), format!("jti:{jti}"));
    }

    #[test]
    fn legacy_tokens_are_named_by_their_sha256() {
        // SHA-256("abc"), FIPS 180-2 appendix B.1.
        let key = revocation_key(None, "abc");
        assert_eq!(
            key.as_str(),
            "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
