//! The Twilio voice provider and the helpers for Twilio's webhooks.
//!
//! * [`TwilioVoiceProvider`] implements the port, in one of two [`TwilioMode`]s chosen by the
//!   settings in [`TwilioConfig`].
//! * [`signature`], [`twiml`], [`status`], [`identity`] and [`TwilioWebhooks`] are for the HTTP
//!   layer's `/api/voice/*` routes: pure functions, no network.

mod access_token;
mod calls;
mod client;
mod config;
mod errors;
mod provider;
mod retry;
mod webhooks;

pub mod identity;
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
pub use webhooks::{STATUS_PATH, TWIML_PATH, TwilioWebhooks};
