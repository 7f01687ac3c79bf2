//! Twilio settings as the operator gives them, and their validation.
//!
//! Everything the environment may leave unset is an `Option`, so that validation can name every
//! missing setting at once (by its environment variable) instead of failing on the first.

use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};

use super::retry::RetryPolicy;

/// Environment variable names, used in error messages so an operator knows what to set.
pub mod env {
    pub const ACCOUNT_SID: &str = "VOIP_ACCOUNT_SID";
    pub const AUTH_TOKEN: &str = "VOIP_AUTH_TOKEN";
    pub const API_KEY_SID: &str = "VOIP_API_KEY_SID";
    pub const API_KEY_SECRET: &str = "VOIP_API_KEY_SECRET";
    pub const TWIML_APP_SID: &str = "VOIP_TWIML_APP_SID";
    pub const FROM_NUMBER: &str = "VOIP_FROM_NUMBER";
    pub const PUBLIC_BASE_URL: &str = "VOICE_PUBLIC_BASE_URL";
    pub const API_BASE_URL: &str = "TWILIO_API_BASE_URL";
}

pub const DEFAULT_API_BASE_URL: &str = "https://api.twilio.com";
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(5);
pub const DEFAULT_TOKEN_TTL: Duration = Duration::from_secs(60 * 60);
/// Twilio refuses Voice access tokens that live longer than this.
pub const MAX_TOKEN_TTL: Duration = Duration::from_secs(24 * 60 * 60);
pub const DEFAULT_RING_TIMEOUT: Duration = Duration::from_secs(30);
pub const DEFAULT_MAX_RETRIES: u32 = 2;
pub const DEFAULT_RETRY_BASE_DELAY: Duration = Duration::from_millis(250);
pub const DEFAULT_RETRY_MAX_DELAY: Duration = Duration::from_secs(2);

/// Twilio's bounds for how long a placed call may ring (`Timeout`).
const RING_TIMEOUT_RANGE: std::ops::RangeInclusive<u64> = 5..=600;

/// How the provider reaches Twilio.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TwilioMode {
    /// The browser dials through Twilio's Voice SDK with an access token we issue; Twilio then
    /// asks our TwiML webhook what to do. We place nothing ourselves.
    VoiceSdk,
    /// We place the call with the REST API (`POST .../Calls.json`).
    Rest,
}

/// The operator's Twilio settings. Empty strings count as unset.
///
/// `VOIP_AUTH_TOKEN` is needed in both modes: Twilio signs its webhooks with the account's auth
/// token, so without it the webhooks could not be verified. An API key (`VOIP_API_KEY_SID` with
/// `VOIP_API_KEY_SECRET`, both or neither) authenticates every REST request when given, as
/// Twilio recommends; otherwise the account SID and auth token do. The Voice SDK mode is chosen
/// by `VOIP_TWIML_APP_SID`, and needs the API key (it signs the browser's access tokens).
#[derive(Debug, Clone)]
pub struct TwilioConfig {
    pub account_sid: Option<String>,
    pub auth_token: Option<SecretString>,
    pub api_key_sid: Option<String>,
    pub api_key_secret: Option<SecretString>,
    pub twiml_app_sid: Option<String>,
    /// The caller id: a Twilio number or verified caller id, E.164.
    pub from_number: Option<String>,
    /// Where Twilio reaches our webhooks (`VOICE_PUBLIC_BASE_URL`), e.g.
    /// `https://calls.example.com`. Also the base of the URLs whose signatures we check.
    pub public_base_url: Option<String>,
    /// Twilio's REST API (`TWILIO_API_BASE_URL`); tests point it at a local fake.
    pub api_base_url: String,
    /// Limit for one HTTP request to Twilio, connection and body included.
    pub request_timeout: Duration,
    /// Lifetime of browser access tokens; at most 24 h.
    pub token_ttl: Duration,
    /// How long a REST-placed call may ring before Twilio gives up (5 s to 600 s).
    pub ring_timeout: Duration,
    /// Extra attempts after a retryable failure (0 disables retries).
    pub max_retries: u32,
    /// First backoff delay; doubles on every retry up to `retry_max_delay`.
    pub retry_base_delay: Duration,
    pub retry_max_delay: Duration,
}

impl Default for TwilioConfig {
    fn default() -> Self {
        Self {
            account_sid: None,
            auth_token: None,
            api_key_sid: None,
            api_key_secret: None,
            twiml_app_sid: None,
            from_number: None,
            public_base_url: None,
            api_base_url: DEFAULT_API_BASE_URL.to_owned(),
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
            token_ttl: DEFAULT_TOKEN_TTL,
            ring_timeout: DEFAULT_RING_TIMEOUT,
            max_retries: DEFAULT_MAX_RETRIES,
            retry_base_delay: DEFAULT_RETRY_BASE_DELAY,
            retry_max_delay: DEFAULT_RETRY_MAX_DELAY,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TwilioConfigError {
    /// Names every missing setting by its environment variable.
    #[error("VOIP_PROVIDER is twilio but these settings are missing: {}", .0.join(", "))]
    Missing(Vec<&'static str>),
    #[error("{setting} is invalid: {reason}")]
    Invalid {
        setting: &'static str,
        reason: String,
    },
    #[error("could not set up the HTTP client for Twilio: {0}")]
    HttpClient(String),
}

/// A Twilio API key: its SID (`SK...`) and secret.
#[derive(Clone)]
pub(crate) struct ApiKey {
    pub sid: String,
    pub secret: SecretString,
}

/// The Voice SDK part of validated settings.
#[derive(Clone)]
pub(crate) struct SdkSettings {
    pub api_key: ApiKey,
    pub twiml_app_sid: String,
}

/// Settings after validation: nothing missing, URLs without trailing slash.
#[derive(Clone)]
pub(crate) struct Settings {
    pub account_sid: String,
    pub auth_token: SecretString,
    pub from_number: String,
    pub public_base_url: String,
    pub api_base_url: String,
    /// Authenticates REST requests when given.
    pub api_key: Option<ApiKey>,
    pub sdk: Option<SdkSettings>,
    pub request_timeout: Duration,
    pub token_ttl: Duration,
    pub ring_timeout: Duration,
    pub retry: RetryPolicy,
}

impl Settings {
    pub fn mode(&self) -> TwilioMode {
        if self.sdk.is_some() {
            TwilioMode::VoiceSdk
        } else {
            TwilioMode::Rest
        }
    }
}

impl TwilioConfig {
    /// Checks the settings and tells which mode they select. Meant for start-up, so a
    /// misconfigured server refuses to start with a message naming what to fix.
    pub fn validate(&self) -> Result<TwilioMode, TwilioConfigError> {
        self.settings().map(|settings| settings.mode())
    }

    pub(crate) fn settings(&self) -> Result<Settings, TwilioConfigError> {
        let account_sid = present(self.account_sid.as_deref());
        let auth_token = present_secret(self.auth_token.as_ref());
        let from_number = present(self.from_number.as_deref());
        let public_base_url = present(self.public_base_url.as_deref());
        let api_key_sid = present(self.api_key_sid.as_deref());
        let api_key_secret = present_secret(self.api_key_secret.as_ref());
        let twiml_app_sid = present(self.twiml_app_sid.as_deref());

        let wants_api_key =
            api_key_sid.is_some() || api_key_secret.is_some() || twiml_app_sid.is_some();
        let mut missing = Vec::new();
        for (name, is_set, required) in [
            (env::ACCOUNT_SID, account_sid.is_some(), true),
            (env::AUTH_TOKEN, auth_token.is_some(), true),
            (env::FROM_NUMBER, from_number.is_some(), true),
            (env::PUBLIC_BASE_URL, public_base_url.is_some(), true),
            (env::API_KEY_SID, api_key_sid.is_some(), wants_api_key),
            (env::API_KEY_SECRET, api_key_secret.is_some(), wants_api_key),
        ] {
            if required && !is_set {
                missing.push(name);
            }
        }
        if !missing.is_empty() {
            return Err(TwilioConfigError::Missing(missing));
        }
        let (Some(account_sid), Some(auth_token), Some(from_number), Some(public_base_url)) =
            (account_sid, auth_token, from_number, public_base_url)
        else {
            // Each of them was required just above.
            return Err(TwilioConfigError::Missing(missing));
        };

        check_sid(env::ACCOUNT_SID, account_sid, "AC")?;
        check_e164(env::FROM_NUMBER, from_number)?;
        let public_base_url = check_base_url(env::PUBLIC_BASE_URL, public_base_url)?;
        let api_base_url = check_base_url(env::API_BASE_URL, &self.api_base_url)?;
        let api_key = match (api_key_sid, api_key_secret) {
            (Some(sid), Some(secret)) => {
                check_sid(env::API_KEY_SID, sid, "SK")?;
                Some(ApiKey {
                    sid: sid.to_owned(),
                    secret: secret.clone(),
                })
            }
            _ => None,
        };
        let sdk = match (&api_key, twiml_app_sid) {
            (Some(api_key), Some(twiml_app_sid)) => {
                check_sid(env::TWIML_APP_SID, twiml_app_sid, "AP")?;
                Some(SdkSettings {
                    api_key: api_key.clone(),
                    twiml_app_sid: twiml_app_sid.to_owned(),
                })
            }
            _ => None,
        };
        self.check_durations()?;

        Ok(Settings {
            account_sid: account_sid.to_owned(),
            auth_token: auth_token.clone(),
            from_number: from_number.to_owned(),
            public_base_url,
            api_base_url,
            api_key,
            sdk,
            request_timeout: self.request_timeout,
            token_ttl: self.token_ttl,
            ring_timeout: self.ring_timeout,
            retry: RetryPolicy {
                max_retries: self.max_retries,
                base_delay: self.retry_base_delay,
                max_delay: self.retry_max_delay,
            },
        })
    }

    fn check_durations(&self) -> Result<(), TwilioConfigError> {
        let invalid = |setting, reason: &str| {
            Err(TwilioConfigError::Invalid {
                setting,
                reason: reason.to_owned(),
            })
        };
        if self.request_timeout.is_zero() {
            return invalid("request_timeout", "must be more than zero");
        }
        if self.token_ttl.is_zero() || self.token_ttl > MAX_TOKEN_TTL {
            return invalid("token_ttl", "must be more than zero and at most 24 hours");
        }
        if !RING_TIMEOUT_RANGE.contains(&self.ring_timeout.as_secs())
            || self.ring_timeout.subsec_nanos() != 0
        {
            return invalid("ring_timeout", "must be whole seconds from 5 to 600");
        }
        if self.retry_base_delay > self.retry_max_delay {
            return invalid("retry_base_delay", "must not exceed retry_max_delay");
        }
        Ok(())
    }
}

fn present(value: Option<&str>) -> Option<&str> {
    value.map(str::trim).filter(|v| !v.is_empty())
}

fn present_secret(value: Option<&SecretString>) -> Option<&SecretString> {
    value.filter(|secret| !secret.expose_secret().trim().is_empty())
}

/// Twilio SIDs are a two-letter type prefix and 32 hex digits. Checking the shape catches a value
/// pasted into the wrong variable, and keeps anything odd out of the request paths we build.
fn check_sid(setting: &'static str, value: &str, prefix: &str) -> Result<(), TwilioConfigError> {
    let valid = value.len() == 34
        && value.starts_with(prefix)
        && value[2..].bytes().all(|b| b.is_ascii_hexdigit());
    if valid {
        Ok(())
    } else {
        Err(TwilioConfigError::Invalid {
            setting,
            reason: format!("expected {prefix} followed by 32 hex digits"),
        })
    }
}

fn check_e164(setting: &'static str, value: &str) -> Result<(), TwilioConfigError> {
    let digits = value.strip_prefix('+').unwrap_or_default();
    if (8..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(TwilioConfigError::Invalid {
            setting,
            reason: "expected an E.164 number such as +14155550100".to_owned(),
        })
    }
}

/// An absolute `https://` URL without query or fragment; returned without its trailing slash so
/// paths can be appended. `http://` is refused but for a loopback host (tests, a local fake):
/// anywhere else the account's credentials, or Twilio's signed webhooks, would cross the
/// network in clear text.
fn check_base_url(setting: &'static str, value: &str) -> Result<String, TwilioConfigError> {
    let invalid = |reason: &str| TwilioConfigError::Invalid {
        setting,
        reason: reason.to_owned(),
    };
    let value = value.trim();
    let (rest, secure) = match value.strip_prefix("https://") {
        Some(rest) => (rest, true),
        None => (value.strip_prefix("http://").unwrap_or_default(), false),
    };
    let well_formed =
        !rest.is_empty() && !rest.starts_with('/') && !rest.contains(['?', '#', ' ', '@', '\\']);
    if !well_formed {
        return Err(invalid(
            "expected an absolute https URL without query, e.g. https://calls.example.com",
        ));
    }
    if !secure && !is_loopback_host(rest) {
        return Err(invalid(
            "must use https:// (http:// is accepted only for a loopback host such as 127.0.0.1)",
        ));
    }
    Ok(value.trim_end_matches('/').to_owned())
}

/// Whether the authority at the start of `rest` (`host[:port]/...`) names this machine:
/// `localhost`, 127.0.0.0/8 or `[::1]`.
fn is_loopback_host(rest: &str) -> bool {
    let authority = rest.split('/').next().unwrap_or_default();
    let host = match authority.strip_prefix('[') {
        Some(bracketed) => bracketed.split(']').next().unwrap_or_default(),
        None => authority.split(':').next().unwrap_or_default(),
    };
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|address| address.is_loopback())
}
