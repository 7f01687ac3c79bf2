//! The ports: what the use cases need from the outside world, as traits.
//!
//! Every adapter of a port must pass that port's contract suite (`calls-port-contracts`).
//! With the `mocks` feature (or in this crate's tests) each trait also has a mockall mock,
//! `Mock<Trait>`.

mod call_export;
mod call_history;
mod call_records;
mod call_statistics;
mod call_sweeps;
mod call_usage;
mod clock;
mod common_passwords;
mod database_health;
mod login_throttle;
mod mailer;
mod password_hasher;
mod password_reset_tokens;
mod provider_webhooks;
mod read_replica;
mod region_names;
mod revocation_store;
mod storage_backend;
mod storage_error;
mod token_issuer;
mod user_repository;
mod voice_provider;

pub use call_export::CallExport;
pub use call_history::{CallHistory, SessionHistory};
pub use call_records::{
    ApplyReportError, CallRecords, CreateCallError, ReportGuard, ReportState, TransitionError,
};
pub use call_statistics::{CallStatistics, CallStatusCounts};
pub use call_sweeps::CallSweeps;
pub use call_usage::CallUsage;
pub use clock::{Clock, SystemClock};
pub use common_passwords::CommonPasswords;
pub use database_health::{DatabaseHealth, PoolState};
pub use login_throttle::{
    AdmitError, AdmittedAttempt, ClientAddress, LoginThrottle, ThrottleLimits, Throttled,
    client_network,
};
pub use mailer::{MailQueueFull, MailReport, MailTemplates, MailText, Mailer, OutgoingMail};
pub use password_hasher::{HashingError, PasswordCheck, PasswordHasher};
pub use password_reset_tokens::{PasswordResetTokens, RedeemedReset};
pub use provider_webhooks::{
    AnswerRequest, AnswerRequestError, ProviderReport, ProviderWebhooks, Refusal, ReplyDocument,
    ReportRequestError, StatusCallback, VerifyError, WebhookReply, WebhookRequest,
};
pub use read_replica::{HistoryReadSource, ReplicaCondition, ReplicaReport};
pub use region_names::{NameLanguage, RegionNames};
pub use revocation_store::{RevocationKey, RevocationStore, SessionRef};
pub use storage_backend::StorageBackend;
pub use storage_error::{StorageCause, StorageError, error_chain};
pub use token_issuer::{IssuedToken, TokenError, TokenIssuer, VerifiedToken};
pub use user_repository::{CreateUserError, UserRepository};
pub use voice_provider::{
    BrowserToken, CallProgress, HangUpError, OutboundCall, ProviderSession, StartCallError,
    VoiceProvider,
};

#[cfg(any(test, feature = "mocks"))]
pub use self::{
    call_export::MockCallExport, call_history::MockCallHistory, call_records::MockCallRecords,
    call_statistics::MockCallStatistics, call_sweeps::MockCallSweeps, call_usage::MockCallUsage,
    clock::MockClock, common_passwords::MockCommonPasswords, database_health::MockDatabaseHealth,
    login_throttle::MockLoginThrottle, mailer::MockMailTemplates, mailer::MockMailer,
    password_hasher::MockPasswordHasher, password_reset_tokens::MockPasswordResetTokens,
    region_names::MockRegionNames, revocation_store::MockRevocationStore,
    token_issuer::MockTokenIssuer, user_repository::MockUserRepository,
    voice_provider::MockVoiceProvider,
};
#[cfg(any(test, feature = "mocks"))]
pub use provider_webhooks::MockProviderWebhooks;
