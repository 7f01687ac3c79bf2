//! Use cases, written only against the ports.

mod account;
mod auth;
mod calls;
mod destinations;
mod export;
mod password_reset;
mod voice;
mod webhooks;

#[cfg(test)]
mod fixtures;

pub use account::{AccountService, DeleteAccountError};
pub use auth::{
    AuthDeps, AuthService, AuthenticateError, ChangePasswordError, LoginError, LogoutAllError,
    LogoutError, ReauthError, RegisterError, Session, SignedToken,
};
pub use calls::{CallService, RecordCallError, UpdateCallError};
pub use destinations::{DestinationCatalog, ListedDestination};
pub use export::{DEFAULT_EXPORT_PAGE_SIZE, ExportError, ExportPage, ExportService};
pub use password_reset::{
    ConfirmResetError, DEFAULT_RESET_LINK_LIFETIME, PasswordResetDeps, PasswordResetService,
    RequestResetError,
};
pub use voice::{
    CallLimits, DialDecision, InitiateError, InitiatedCall, LinkError, PlacedCallDecision,
    ProviderReport, ReapReport, ReaperPolicy, ReportOutcome, TerminateError, VoiceDeps,
    VoiceService,
};
pub use webhooks::{WebhookAccessError, WebhookService};
