//! [`TwilioWebhooks`]: the `ProviderWebhooks` port for Twilio, bound to the configured
//! settings. Signatures are checked against the URL Twilio actually requested; requests are read
//! by [`status_callback`](super::status_callback) and [`answer_request`](super::answer_request);
//! answers are TwiML.

use calls_core::domain::{CallId, PhoneNumber};
use calls_core::ports::{
    AnswerRequest, AnswerRequestError, ProviderWebhooks, ReplyDocument, ReportRequestError,
    StatusCallback, VerifyError, WebhookReply, WebhookRequest,
};
use secrecy::{ExposeSecret, SecretString};

use super::config::{Settings, TwilioConfig, TwilioConfigError};
use super::params::Params;
use super::{answer_request, replies, signature, status_callback, twiml};

/// Path of the webhook Twilio asks for TwiML.
pub const TWIML_PATH: &str = "/api/voice/twiml";
/// Path of the webhook Twilio reports call progress to.
pub const STATUS_PATH: &str = "/api/voice/status";
/// The query parameter that carries our call id in every URL we give Twilio for a call, so
/// that its requests find the call even when its answer to the creation never reached us.
pub const CALL_ID_PARAM: &str = "call_id";

/// Cheap to clone. Its `Debug` hides the auth token.
#[derive(Clone)]
pub struct TwilioWebhooks {
    auth_token: SecretString,
    from_number: String,
    public_base_url: String,
}

impl TwilioWebhooks {
    pub fn from_config(config: &TwilioConfig) -> Result<Self, TwilioConfigError> {
        config
            .settings()
            .map(|settings| Self::from_settings(&settings))
    }

    pub(crate) fn from_settings(settings: &Settings) -> Self {
        Self {
            auth_token: settings.auth_token.clone(),
            from_number: settings.from_number.clone(),
            public_base_url: settings.public_base_url.clone(),
        }
    }

    /// The URL Twilio requested, rebuilt from `VOICE_PUBLIC_BASE_URL` and the request's path and
    /// query (e.g. `/api/voice/twiml?x=1`). Twilio signs the URL it was configured with, which
    /// behind a proxy is not what the server sees in its `Host` header.
    pub fn public_url(&self, path_and_query: &str) -> String {
        format!("{}{path_and_query}", self.public_base_url)
    }

    /// Our TwiML webhook for the call `call_id` (the `Url` of a call we place).
    pub fn twiml_url(&self, call_id: CallId) -> String {
        self.public_url(&format!("{TWIML_PATH}?{CALL_ID_PARAM}={call_id}"))
    }

    /// Our status webhook for the call `call_id` (its `StatusCallback`).
    pub fn status_callback_url(&self, call_id: CallId) -> String {
        self.public_url(&format!("{STATUS_PATH}?{CALL_ID_PARAM}={call_id}"))
    }

    /// Whether `signature_header` is Twilio's signature of the request to `path_and_query` with
    /// these POST parameters (empty for a GET), over the public URL with or without the
    /// default port (see [`signature::url_forms`]).
    pub fn verify_signature<K, V>(
        &self,
        path_and_query: &str,
        params: &[(K, V)],
        signature_header: &str,
    ) -> bool
    where
        K: AsRef<str>,
        V: AsRef<str>,
    {
        signature::url_forms(&self.public_url(path_and_query))
            .iter()
            .any(|url| {
                signature::verify(
                    self.auth_token.expose_secret(),
                    url,
                    params,
                    signature_header,
                )
            })
    }

    /// TwiML that dials `to` from the configured caller id and reports the dialled leg's
    /// progress to our status webhook for the call `call_id`.
    pub fn dial(&self, to: &PhoneNumber, call_id: CallId) -> String {
        twiml::dial(
            &self.from_number,
            to.as_e164(),
            &self.status_callback_url(call_id),
        )
    }
}

impl ProviderWebhooks for TwilioWebhooks {
    fn signature_header(&self) -> &'static str {
        signature::HEADER
    }

    fn verify(&self, request: &WebhookRequest) -> Result<(), VerifyError> {
        let signature = request.signature().ok_or(VerifyError::Unsigned)?;
        let params = Params(request);
        if self.verify_signature(&request.path_and_query, params.signed(), signature) {
            Ok(())
        } else {
            Err(VerifyError::BadSignature)
        }
    }

    fn status_callback(
        &self,
        request: &WebhookRequest,
    ) -> Result<StatusCallback, ReportRequestError> {
        status_callback::read(request)
    }

    fn answer_request(
        &self,
        request: &WebhookRequest,
    ) -> Result<AnswerRequest, AnswerRequestError> {
        answer_request::read(request)
    }

    fn render(&self, reply: &WebhookReply) -> ReplyDocument {
        replies::document(match reply {
            WebhookReply::Dial { number, call_id } => self.dial(number, *call_id),
            WebhookReply::Hold => twiml::hold(),
            WebhookReply::HangUp => twiml::hang_up(),
            WebhookReply::Refuse(refusal) => twiml::refuse(replies::spoken(*refusal)),
        })
    }
}

impl std::fmt::Debug for TwilioWebhooks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TwilioWebhooks")
            .field("public_base_url", &self.public_base_url)
            .finish_non_exhaustive()
    }
}
