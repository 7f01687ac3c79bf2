//! What every handler can reach: the use cases, never an adapter directly.

use std::sync::Arc;

use calls_core::ports::DatabaseHealth;
use calls_core::services::{
    AccountService, AuthService, CallService, VoiceService, WebhookService,
};

#[derive(Clone)]
pub struct AppState {
    pub auth: AuthService,
    /// Deleting one's own account (it spans `auth` and `voice`).
    pub account: AccountService,
    pub calls: CallService,
    pub voice: VoiceService,
    /// The voice provider's webhooks: checks their signatures, reads their requests and renders
    /// our answers. Without a provider that has webhooks (the mock), signed requests are
    /// answered 503 `voice_not_configured`.
    pub webhooks: WebhookService,
    pub database: Arc<dyn DatabaseHealth>,
}
