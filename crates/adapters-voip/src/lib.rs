//! Adapters of the [`VoiceProvider`](calls_core::ports::VoiceProvider) port and of the
//! provider's webhooks, the [`ProviderWebhooks`](calls_core::ports::ProviderWebhooks) port.
//!
//! * [`mock`]: a provider that never touches the network, for development and tests. Its
//!   session ids carry a checksum, so any instance (after a restart, on another server) still
//!   recognises them: sessions live in the database, not in this process. It has no webhooks.
//! * [`twilio`]: the real provider. Either the browser dials through Twilio's Voice SDK (we only
//!   hand out access tokens and answer the TwiML webhook), or we place the call ourselves over
//!   Twilio's REST API. [`twilio::TwilioWebhooks`] is everything Twilio-specific about its
//!   webhooks (request signatures, parameter names, status mapping, client identities, TwiML),
//!   so the HTTP layer serves them without depending on this crate.
//!
//! The binary constructs the adapter it wants directly; there is no factory here.

pub mod mock;
pub mod twilio;

pub use mock::MockVoiceProvider;
pub use twilio::{TwilioConfig, TwilioConfigError, TwilioMode, TwilioVoiceProvider};
