//! Adapters of the [`VoiceProvider`](calls_core::ports::VoiceProvider) port.
//!
//! * [`mock`]: a provider that never touches the network, for development and tests. Its
//!   session ids carry a checksum, so any instance (after a restart, on another server) still
//!   recognises them: sessions live in the database, not in this process.
//! * [`twilio`]: the real provider. Either the browser dials through Twilio's Voice SDK (we only
//!   hand out access tokens and answer the TwiML webhook), or we place the call ourselves over
//!   Twilio's REST API. The module also holds the pure helpers the HTTP layer needs for Twilio's
//!   webhooks: request signatures, TwiML, status mapping and client identities.
//!
//! The binary constructs the adapter it wants directly; there is no factory here.

pub mod mock;
pub mod twilio;

pub use mock::MockVoiceProvider;
pub use twilio::{TwilioConfig, TwilioConfigError, TwilioMode, TwilioVoiceProvider};
