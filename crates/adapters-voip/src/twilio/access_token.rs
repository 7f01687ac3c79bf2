//! Twilio access tokens for the browser's Voice SDK.
//!
//! An access token is an HS256 JWT signed with an API key's secret. Twilio recognises it by the
//! header `cty: twilio-fpa;v=1` and reads from the claims which account (`sub`), which key
//! (`iss`) and what it allows (`grants`): here, placing outgoing calls through our TwiML app as
//! the given identity. Incoming calls are not granted: nobody calls our users.

use chrono::{DateTime, TimeDelta, Utc};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;

/// The content type Twilio requires in the JWT header of an access token.
pub const CONTENT_TYPE: &str = "twilio-fpa;v=1";

/// Signs access tokens. Holds the API key secret, so it has no `Debug`.
pub(crate) struct AccessTokenIssuer {
    account_sid: String,
    api_key_sid: String,
    key: EncodingKey,
    twiml_app_sid: String,
    ttl: TimeDelta,
}

/// A signed token and when it expires.
pub(crate) struct AccessToken {
    pub jwt: String,
    pub expires_at: DateTime<Utc>,
}

#[derive(Serialize)]
struct Claims<'a> {
    jti: String,
    iss: &'a str,
    sub: &'a str,
    nbf: i64,
    exp: i64,
    grants: Grants<'a>,
}

#[derive(Serialize)]
struct Grants<'a> {
    identity: &'a str,
    voice: VoiceGrant<'a>,
}

#[derive(Serialize)]
struct VoiceGrant<'a> {
    outgoing: OutgoingGrant<'a>,
}

#[derive(Serialize)]
struct OutgoingGrant<'a> {
    application_sid: &'a str,
}

impl AccessTokenIssuer {
    /// `ttl` has been validated (at most 24 h); a value chrono cannot hold falls back to 1 h.
    pub fn new(
        account_sid: &str,
        api_key_sid: &str,
        api_key_secret: &SecretString,
        twiml_app_sid: &str,
        ttl: std::time::Duration,
    ) -> Self {
        Self {
            account_sid: account_sid.to_owned(),
            api_key_sid: api_key_sid.to_owned(),
            key: EncodingKey::from_secret(api_key_secret.expose_secret().as_bytes()),
            twiml_app_sid: twiml_app_sid.to_owned(),
            ttl: TimeDelta::from_std(ttl).unwrap_or(TimeDelta::hours(1)),
        }
    }

    /// A token for `identity`, valid from `now` for the configured lifetime. The `jti` follows
    /// Twilio's convention, `<API key SID>-<issue time>`.
    pub fn issue(
        &self,
        identity: &str,
        now: DateTime<Utc>,
    ) -> Result<AccessToken, jsonwebtoken::errors::Error> {
        let expires_at = now + self.ttl;
        let mut header = Header::new(Algorithm::HS256);
        header.typ = Some("JWT".to_owned());
        header.cty = Some(CONTENT_TYPE.to_owned());
        let claims = Claims {
            jti: format!("{}-{}", self.api_key_sid, now.timestamp()),
            iss: &self.api_key_sid,
            sub: &self.account_sid,
            nbf: now.timestamp(),
            exp: expires_at.timestamp(),
            grants: Grants {
                identity,
                voice: VoiceGrant {
                    outgoing: OutgoingGrant {
                        application_sid: &self.twiml_app_sid,
                    },
                },
            },
        };
        let jwt = jsonwebtoken::encode(&header, &claims, &self.key)?;
        Ok(AccessToken { jwt, expires_at })
    }
}
