//! The issuer: key material, configuration and signing.

use std::fmt;

use calls_core::domain::User;
use calls_core::ports::{IssuedToken, TokenError, TokenIssuer, VerifiedToken};
use chrono::{DateTime, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use secrecy::{ExposeSecret, SecretString};
use uuid::Uuid;

use crate::claims::IssuedClaims;
use crate::config::{JwtConfig, MIN_SECRET_BYTES};
use crate::error::JwtConfigError;
use crate::reason::describe;

/// Signs and verifies HS256 access tokens with one shared secret.
///
/// Cheap to share behind an `Arc`; all methods take `&self` and hold no lock.
pub struct JwtTokenIssuer {
    pub(crate) encoding: EncodingKey,
    pub(crate) decoding: DecodingKey,
    pub(crate) validation: Validation,
    pub(crate) lifetime_secs: i64,
    pub(crate) leeway_secs: i64,
    config: JwtConfig,
}

impl JwtTokenIssuer {
    /// Builds an issuer from the `JWT_SECRET` string; its UTF-8 bytes are the HMAC key, as in the
    /// Go backend, so its tokens stay valid.
    ///
    /// # Errors
    /// [`JwtConfigError`] if the secret is shorter than [`MIN_SECRET_BYTES`] or the
    /// configuration is out of range.
    pub fn new(secret: &SecretString, config: JwtConfig) -> Result<Self, JwtConfigError> {
        Self::from_secret_bytes(secret.expose_secret().as_bytes(), config)
    }

    /// Builds an issuer from raw key bytes.
    ///
    /// # Errors
    /// As [`JwtTokenIssuer::new`].
    pub fn from_secret_bytes(secret: &[u8], config: JwtConfig) -> Result<Self, JwtConfigError> {
        if secret.len() < MIN_SECRET_BYTES {
            return Err(JwtConfigError::SecretTooShort);
        }
        let lifetime_secs = config.lifetime.as_secs();
        if lifetime_secs == 0 || config.lifetime > JwtConfig::MAX_LIFETIME {
            return Err(JwtConfigError::LifetimeOutOfRange(config.lifetime));
        }
        if config.leeway > JwtConfig::MAX_LEEWAY {
            return Err(JwtConfigError::LeewayOutOfRange(config.leeway));
        }
        Ok(Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation: library_validation(),
            // Both bounded by the checks above, far below i64::MAX.
            lifetime_secs: i64::try_from(lifetime_secs).unwrap_or(i64::MAX),
            leeway_secs: i64::try_from(config.leeway.as_secs()).unwrap_or(i64::MAX),
            config,
        })
    }

    pub fn config(&self) -> JwtConfig {
        self.config
    }
}

/// The library checks only the signature and the algorithm: the validity period is checked by
/// us against the `now` the caller passes, because the library would read the wall clock.
fn library_validation() -> Validation {
    let mut validation = Validation::new(Algorithm::HS256);
    validation.validate_exp = false;
    validation.validate_nbf = false;
    validation.leeway = 0;
    // Our own checks report missing claims precisely.
    validation.required_spec_claims.clear();
    // Left on: a token naming an audience is not meant for us (we never set `aud`).
    validation.validate_aud = true;
    validation
}

impl fmt::Debug for JwtTokenIssuer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JwtTokenIssuer")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl TokenIssuer for JwtTokenIssuer {
    fn issue(&self, user: &User, now: DateTime<Utc>) -> Result<IssuedToken, TokenError> {
        // Never before the user's cutoff: right after they ended every session (a second at
        // most, see `calls_core::domain::sessions_cutoff`), the new token must be live.
        let issued_at = user.sessions_valid_after.map_or(now.timestamp(), |cutoff| {
            cutoff.timestamp().max(now.timestamp())
        });
        let not_before = now.timestamp();
        let expires_at = not_before
            .checked_add(self.lifetime_secs)
            .and_then(|exp| DateTime::from_timestamp(exp, 0))
            .ok_or_else(|| TokenError::Signing("expiry out of range".to_owned()))?;
        let claims = IssuedClaims {
            user_id: user.id.to_string(),
            email: user.email.as_str(),
            exp: expires_at.timestamp(),
            iat: issued_at,
            nbf: not_before,
            jti: Uuid::new_v4().hyphenated().to_string(),
        };
        let token = jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(|err| TokenError::Signing(describe(&err).to_owned()))?;
        Ok(IssuedToken { token, expires_at })
    }

    fn verify(&self, token: &str, now: DateTime<Utc>) -> Result<VerifiedToken, TokenError> {
        crate::verify::verify(self, token, now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn refuses_short_secrets() {
        let err = JwtTokenIssuer::from_secret_bytes(&[7; 31], JwtConfig::default());
        assert_eq!(err.err(), Some(JwtConfigError::SecretTooShort));
        let secret = SecretString::from("too short");
        let err = JwtTokenIssuer::new(&secret, JwtConfig::default());
        assert_eq!(err.err(), Some(JwtConfigError::SecretTooShort));
        assert!(JwtTokenIssuer::from_secret_bytes(&[7; 32], JwtConfig::default()).is_ok());
    }

    #[test]
    fn refuses_out_of_range_config() {
        let zero = JwtConfig {
            lifetime: Duration::from_millis(500),
            ..JwtConfig::default()
        };
        assert!(matches!(
            JwtTokenIssuer::from_secret_bytes(&[7; 32], zero),
            Err(JwtConfigError::LifetimeOutOfRange(_))
        ));
        let lax = JwtConfig {
            leeway: Duration::from_secs(3600),
            ..JwtConfig::default()
        };
        assert!(matches!(
            JwtTokenIssuer::from_secret_bytes(&[7; 32], lax),
            Err(JwtConfigError::LeewayOutOfRange(_))
        ));
    }

    #[test]
    fn debug_hides_the_key() {
        let issuer = JwtTokenIssuer::from_secret_bytes(
            b"0123456789abcdef0123456789abcdef",
            JwtConfig::default(),
        )
        .expect("valid");
        let debug = format!("{issuer:?}");
        assert!(!debug.contains("0123456789abcdef"));
        assert!(!debug.contains("48, 49"));
    }
}
