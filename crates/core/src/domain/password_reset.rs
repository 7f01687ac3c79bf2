//! The secret of a password-reset link, and the link itself.
//!
//! The secret is 32 random bytes: guessing one is hopeless whatever the number of tries, so
//! the confirmation needs no throttle of its own. Only its SHA-256 digest is stored, so a copy
//! of the database (a backup, a replica) holds no usable link.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use sha2::{Digest, Sha256};

/// Random bytes in a reset secret.
const SECRET_BYTES: usize = 32;

/// Characters of a secret as it travels: base64url, no padding.
const SECRET_CHARS: usize = 43;

/// What is wrong with a text that is offered as a reset secret. Every such text is answered
/// as an unknown secret would be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("not a password-reset token")]
pub struct MalformedResetSecret;

/// A reset secret, as the e-mail carries it. Its `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct ResetSecret(String);

impl ResetSecret {
    /// A fresh secret from the thread's cryptographically secure generator (ChaCha, seeded by
    /// the operating system).
    pub fn generate() -> Self {
        let mut bytes = [0u8; SECRET_BYTES];
        rand::rng().fill_bytes(&mut bytes);
        Self(URL_SAFE_NO_PAD.encode(bytes))
    }

    /// A secret as a client sends it back. Only the exact form [`ResetSecret::generate`]
    /// makes is accepted, so one secret has one spelling and one digest.
    pub fn parse(raw: &str) -> Result<Self, MalformedResetSecret> {
        if raw.len() != SECRET_CHARS {
            return Err(MalformedResetSecret);
        }
        let bytes = URL_SAFE_NO_PAD
            .decode(raw)
            .map_err(|_| MalformedResetSecret)?;
        if bytes.len() != SECRET_BYTES || URL_SAFE_NO_PAD.encode(&bytes) != raw {
            return Err(MalformedResetSecret);
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    /// What the storage keeps of the secret.
    pub fn digest(&self) -> ResetDigest {
        let hash = Sha256::digest(self.0.as_bytes());
        let mut hex = String::with_capacity(64);
        for byte in hash {
            hex.push(char::from_digit(u32::from(byte >> 4), 16).unwrap_or('0'));
            hex.push(char::from_digit(u32::from(byte & 0xf), 16).unwrap_or('0'));
        }
        ResetDigest(hex)
    }
}

impl std::fmt::Debug for ResetSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ResetSecret(..)")
    }
}

/// The SHA-256 digest of a reset secret, as 64 lower-case hex digits: the stored key.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ResetDigest(String);

impl ResetDigest {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Why a reset-link template was refused at start.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResetLinkError {
    #[error("must be an absolute http:// or https:// URL")]
    NotHttp,
    #[error("must not contain spaces or control characters")]
    BadCharacter,
}

/// Where a reset link points (`PASSWORD_RESET_URL`): the browser client's page that asks for
/// the new password. The secret goes where the template says `{token}`; without that, it is
/// appended as the query parameter `token` (before any `#fragment`). The secret is base64url,
/// so it needs no escaping in either place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResetLinkTemplate(String);

impl ResetLinkTemplate {
    pub const PLACEHOLDER: &'static str = "{token}";

    pub fn parse(raw: &str) -> Result<Self, ResetLinkError> {
        let raw = raw.trim();
        let lower = raw.to_ascii_lowercase();
        let rest = lower
            .strip_prefix("https://")
            .or_else(|| lower.strip_prefix("http://"))
            .ok_or(ResetLinkError::NotHttp)?;
        if rest.is_empty() || rest.starts_with('/') {
            return Err(ResetLinkError::NotHttp);
        }
        if raw.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(ResetLinkError::BadCharacter);
        }
        Ok(Self(raw.to_owned()))
    }

    /// The link that carries `secret`.
    pub fn link(&self, secret: &ResetSecret) -> String {
        let token = secret.expose();
        if self.0.contains(Self::PLACEHOLDER) {
            return self.0.replace(Self::PLACEHOLDER, token);
        }
        let (base, fragment) = match self.0.split_once('#') {
            Some((base, fragment)) => (base, Some(fragment)),
            None => (self.0.as_str(), None),
        };
        let separator = match base.find('?') {
            None => "?",
            Some(at) if at + 1 == base.len() || base.ends_with('&') => "",
            Some(_) => "&",
        };
        let mut link = format!("{base}{separator}token={token}");
        if let Some(fragment) = fragment {
            link.push('#');
            link.push_str(fragment);
        }
        link
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_secrets_parse_back_and_differ() {
        let one = ResetSecret::generate();
        let two = ResetSecret::generate();
        assert_ne!(one, two);
        assert_eq!(one.expose().len(), SECRET_CHARS);
        assert_eq!(ResetSecret::parse(one.expose()), Ok(one.clone()));
        assert_eq!(
            one.digest(),
            ResetSecret::parse(one.expose()).unwrap().digest()
        );
        assert_ne!(one.digest(), two.digest());
    }

    #[test]
    fn the_digest_is_the_sha256_of_the_text() {
        // printf 'A%.0s' $(seq 43) | sha256sum
        let secret = ResetSecret("A".repeat(43));
        assert_eq!(
            secret.digest().as_str(),
            "0f007385b6f9d4b7eeb2748605afe1a984a0a3bfa3f014d09e2a784ce9e5cd1a"
        );
    }

    #[test]
    fn anything_but_the_generated_form_is_refused() {
        let good = ResetSecret::generate();
        for bad in [
            String::new(),
            "short".to_owned(),
            format!("{}=", good.expose()),
            format!("{}A", good.expose()),
            good.expose()
                .replace(|c: char| c.is_ascii_alphanumeric(), "+"),
            "!".repeat(43),
        ] {
            assert_eq!(
                ResetSecret::parse(&bad),
                Err(MalformedResetSecret),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn debug_hides_the_secret() {
        let secret = ResetSecret::generate();
        assert!(!format!("{secret:?}").contains(secret.expose()));
    }

    #[test]
    fn links_put_the_secret_where_the_template_says() {
        let secret = ResetSecret::generate();
        let token = secret.expose();
        let link = |template: &str| ResetLinkTemplate::parse(template).unwrap().link(&secret);
        assert_eq!(
            link("https://app.example/reset"),
            format!("https://app.example/reset?token={token}")
        );
        assert_eq!(
            link("https://app.example/r?lang=ru"),
            format!("https://app.example/r?lang=ru&token={token}")
        );
        assert_eq!(
            link("https://app.example/r?"),
            format!("https://app.example/r?token={token}")
        );
        assert_eq!(
            link("https://app.example/#/reset"),
            format!("https://app.example/?token={token}#/reset")
        );
        assert_eq!(
            link("https://app.example/#/reset/{token}"),
            format!("https://app.example/#/reset/{token}")
        );
    }

    #[test]
    fn templates_must_be_web_urls() {
        for bad in [
            "",
            "app.example/reset",
            "ftp://app.example",
            "https://",
            "https:///x",
        ] {
            assert_eq!(
                ResetLinkTemplate::parse(bad),
                Err(ResetLinkError::NotHttp),
                "{bad:?}"
            );
        }
        assert_eq!(
            ResetLinkTemplate::parse("https://app.example/a b"),
            Err(ResetLinkError::BadCharacter)
        );
        assert!(ResetLinkTemplate::parse("http://127.0.0.1:3000/reset").is_ok());
    }
}
