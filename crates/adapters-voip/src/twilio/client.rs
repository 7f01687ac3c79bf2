//! The HTTP client for Twilio's REST API: authentication, timeouts and retries, nothing
//! call-specific.

use std::time::Duration;

use reqwest::header::RETRY_AFTER;
use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;

use super::config::{Settings, TwilioConfigError};
use super::errors::{ApiError, RequestFailure};
use super::retry::{Idempotency, RetryPolicy};

/// The REST API version all the resources we use live under.
const API_VERSION: &str = "2010-04-01";

pub(crate) struct TwilioClient {
    http: reqwest::Client,
    api_base_url: String,
    account_sid: String,
    credentials: Credentials,
    retry: RetryPolicy,
}

/// The Basic-auth pair of REST requests: an API key when one is configured (Twilio's
/// recommendation: it can be revoked on its own), else the account SID and auth token.
struct Credentials {
    username: String,
    password: SecretString,
    /// The settings they come from, for the log line when Twilio refuses them.
    settings: &'static str,
}

impl Credentials {
    fn of(settings: &Settings) -> Self {
        match &settings.api_key {
            Some(key) => Self {
                username: key.sid.clone(),
                password: key.secret.clone(),
                settings: API_KEY_SETTINGS,
            },
            None => Self {
                username: settings.account_sid.clone(),
                password: settings.auth_token.clone(),
                settings: AUTH_TOKEN_SETTINGS,
            },
        }
    }
}

const API_KEY_SETTINGS: &str = "VOIP_API_KEY_SID and VOIP_API_KEY_SECRET";
const AUTH_TOKEN_SETTINGS: &str = "VOIP_ACCOUNT_SID and VOIP_AUTH_TOKEN";

impl TwilioClient {
    pub fn new(settings: &Settings) -> Result<Self, TwilioConfigError> {
        let http = reqwest::Client::builder()
            // One limit for the whole exchange (connect, send, headers, body): a hung Twilio
            // must never hold a user's request open.
            .timeout(settings.request_timeout)
            .connect_timeout(settings.request_timeout)
            // Twilio's API does not redirect; following one could send credentials elsewhere.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("calls-platform/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|error| TwilioConfigError::HttpClient(error.to_string()))?;
        Ok(Self {
            http,
            api_base_url: settings.api_base_url.clone(),
            account_sid: settings.account_sid.clone(),
            credentials: Credentials::of(settings),
            retry: settings.retry,
        })
    }

    /// `{api base}/2010-04-01/Accounts/{AccountSid}/{resource}`. `resource` must be made of
    /// validated parts only (SIDs), as it is not escaped.
    pub fn account_url(&self, resource: &str) -> String {
        format!(
            "{}/{API_VERSION}/Accounts/{}/{resource}",
            self.api_base_url, self.account_sid
        )
    }

    /// POSTs a form, retrying as `idempotency` allows, and reads the JSON answer.
    pub async fn post_form<T: DeserializeOwned>(
        &self,
        url: &str,
        form: &[(&str, &str)],
        idempotency: Idempotency,
    ) -> Result<T, RequestFailure> {
        let mut retry = 0;
        loop {
            let failure = match self.post_once(url, form).await {
                Ok(answer) => return Ok(answer),
                Err(failure) => failure,
            };
            if retry >= self.retry.max_retries || !may_retry(&failure, idempotency) {
                return Err(failure);
            }
            let retry_after = match &failure {
                RequestFailure::Api(error) => error.retry_after,
                _ => None,
            };
            let delay = self.retry.delay(retry, retry_after);
            tracing::debug!(
                attempt = retry + 1,
                delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
                failure = ?failure_kind(&failure),
                "retrying request to Twilio"
            );
            tokio::time::sleep(delay).await;
            retry += 1;
        }
    }

    async fn post_once<T: DeserializeOwned>(
        &self,
        url: &str,
        form: &[(&str, &str)],
    ) -> Result<T, RequestFailure> {
        let response = self
            .http
            .post(url)
            .basic_auth(
                &self.credentials.username,
                Some(self.credentials.password.expose_secret()),
            )
            .form(form)
            .send()
            .await
            .map_err(transport_failure)?;
        let status = response.status();
        let retry_after = response
            .headers()
            .get(RETRY_AFTER)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.trim().parse::<u64>().ok())
            .map(Duration::from_secs);
        let body = response.bytes().await.map_err(transport_failure)?;
        if status.is_success() {
            serde_json::from_slice(&body)
                .map_err(|error| RequestFailure::UnreadableAnswer(error.to_string()))
        } else {
            Err(RequestFailure::Api(ApiError::from_response(
                status.as_u16(),
                &body,
                retry_after,
                self.credentials.settings,
            )))
        }
    }
}

fn may_retry(failure: &RequestFailure, idempotency: Idempotency) -> bool {
    match failure {
        RequestFailure::Api(error) if error.is_rate_limited() => true,
        RequestFailure::Api(error) => {
            error.is_server_error() && idempotency == Idempotency::Idempotent
        }
        RequestFailure::Transport(_) => idempotency == Idempotency::Idempotent,
        RequestFailure::UnreadableAnswer(_) => false,
    }
}

/// For the retry log line: what went wrong, without Twilio's text.
fn failure_kind(failure: &RequestFailure) -> String {
    match failure {
        RequestFailure::Api(error) => format!("HTTP {} code {:?}", error.http_status, error.code),
        RequestFailure::Transport(reason) => reason.clone(),
        RequestFailure::UnreadableAnswer(_) => "unreadable answer".to_owned(),
    }
}

/// reqwest's messages name the URL, which holds only the account SID (not a secret); the
/// credentials travel in a header and never appear.
fn transport_failure(error: reqwest::Error) -> RequestFailure {
    let reason = if error.is_timeout() {
        "request to Twilio timed out".to_owned()
    } else if error.is_connect() {
        "could not connect to Twilio".to_owned()
    } else {
        format!("request to Twilio failed: {error}")
    };
    RequestFailure::Transport(reason)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(http_status: u16, code: Option<u32>) -> RequestFailure {
        RequestFailure::Api(ApiError {
            http_status,
            code,
            message: None,
            retry_after: None,
            credentials: AUTH_TOKEN_SETTINGS,
        })
    }

    #[test]
    fn creating_is_retried_only_when_rate_limited() {
        let creates = Idempotency::CreatesResource;
        assert!(may_retry(&api(429, None), creates));
        assert!(may_retry(&api(400, Some(20429)), creates));
        assert!(!may_retry(&api(500, None), creates));
        assert!(!may_retry(&api(503, None), creates));
        assert!(!may_retry(&RequestFailure::Transport("x".into()), creates));
        assert!(!may_retry(&api(400, Some(21211)), creates));
    }

    #[test]
    fn idempotent_requests_are_retried_on_transient_failures() {
        let idempotent = Idempotency::Idempotent;
        assert!(may_retry(&api(429, None), idempotent));
        assert!(may_retry(&api(502, None), idempotent));
        assert!(may_retry(
            &RequestFailure::Transport("x".into()),
            idempotent
        ));
        assert!(!may_retry(&api(404, Some(20404)), idempotent));
        assert!(!may_retry(
            &RequestFailure::UnreadableAnswer("x".into()),
            idempotent
        ));
    }
}
