//! What every handler can reach: the use cases, never an adapter directly.

use std::sync::Arc;

use calls_core::ports::DatabaseHealth;
use calls_core::services::{
    AccountService, AuthService, CallService, ExportService, PasswordResetService, VoiceService,
    WebhookService,
};

use crate::country_list::CountryListings;

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
    // ---- issue 19, items 5 and 7 ----
    /// `GET /api/account/export`.
    pub export: ExportService,
    /// `GET /api/countries`, rendered once.
    pub countries: Arc<CountryListings>,
    // ----
    /// Forgotten passwords, by e-mail; `None` without a mail server (`SMTP_URL`), and the
    /// routes answer 503 `mail_not_configured`.
    pub password_resets: Option<PasswordResetService>,
}
