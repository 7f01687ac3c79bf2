//! What every handler can reach: the use cases, never an adapter directly, and the helpers for
//! the voice provider's webhooks.

use std::sync::Arc;

use calls_adapters_voip::twilio::TwilioWebhooks;
use calls_core::ports::DatabaseHealth;
use calls_core::services::{AuthService, CallService, VoiceService};

#[derive(Clone)]
pub struct AppState {
    pub auth: AuthService,
    pub calls: CallService,
    pub voice: VoiceService,
    /// Set when the provider is Twilio: checks webhook signatures and writes TwiML. `None`
    /// (the mock provider) answers the webhooks with 503 `voice_not_configured`.
    pub twilio: Option<TwilioWebhooks>,
    pub database: Arc<dyn DatabaseHealth>,
}
