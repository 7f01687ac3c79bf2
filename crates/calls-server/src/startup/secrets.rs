//! The JWT signing key: configured, or generated for a development run.

use base64::Engine as _;
use rand::RngCore;
use secrecy::{ExposeSecret, SecretString};

use crate::settings::SettingsError;

/// HS256 keys shorter than the hash output weaken the MAC (RFC 7518 §3.2).
pub const MIN_JWT_SECRET_BYTES: usize = 32;

pub fn jwt_secret(configured: &SecretString) -> Result<SecretString, SettingsError> {
    let secret = configured.expose_secret();
    if secret.is_empty() {
        tracing::warn!(
            "JWT_SECRET is not set: using a random key; tokens will not survive a restart \
             and are not shared between instances"
        );
        let mut bytes = [0u8; 48];
        rand::rng().fill_bytes(&mut bytes);
        return Ok(SecretString::from(
            base64::engine::general_purpose::STANDARD.encode(bytes),
        ));
    }
    if secret.len() < MIN_JWT_SECRET_BYTES {
        return Err(SettingsError::invalid(
            "JWT_SECRET",
            format!(
                "must be at least {MIN_JWT_SECRET_BYTES} bytes, got {}",
                secret.len()
            ),
        ));
    }
    Ok(configured.clone())
}
