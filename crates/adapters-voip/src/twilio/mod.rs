//! The Twilio voice provider and Twilio's webhooks.
//!
//! * [`TwilioVoiceProvider`] implements the `VoiceProvider` port, in one of two [`TwilioMode`]s
//!   chosen by the settings in [`TwilioConfig`].
//! * [`TwilioWebhooks`] implements the `ProviderWebhooks` port for the `/api/voice/*` routes:
//!   it checks Twilio's [`signature`]s, reads Twilio's parameters (statuses mapped by
//!   [`status`], callers by [`identity`]) and answers in [`twiml`]. Pure, no network.

mod access_token;
mod answer_request;
mod calls;
mod client;
mod config;
mod errors;
mod params;
mod provider;
mod retry;
mod status_callback;
mod webhooks;

pub mod identity;
pub mod replies;
pub mod signature;
pub mod status;
pub mod twiml;

pub use access_token::CONTENT_TYPE as ACCESS_TOKEN_CONTENT_TYPE;
pub use calls::is_call_sid;
pub use config::{
    DEFAULT_API_BASE_URL, DEFAULT_MAX_RETRIES, DEFAULT_REQUEST_TIMEOUT, DEFAULT_RETRY_BASE_DELAY,
    DEFAULT_RETRY_MAX_DELAY, DEFAULT_RING_TIMEOUT, DEFAULT_TOKEN_TTL, MAX_TOKEN_TTL, TwilioConfig,
    TwilioConfigError, TwilioMode, env,
};
pub use provider::TwilioVoiceProvider;
pub use signature::HEADER as SIGNATURE_HEADER;
pub use webhooks::{CALL_ID_PARAM, STATUS_PATH, TWIML_PATH, TwilioWebhooks};
