//! Entities and value objects.

mod call;
mod call_status;
mod destination_policy;
mod destinations;
mod email;
mod export;
mod history;
mod ids;
mod password;
mod password_reset;
mod phone_number;
mod report_ledger;
mod user;

pub use call::{Call, NewCall, StatusChange};
pub use call_status::{CallStatus, UnknownCallStatus};
pub use destination_policy::{DestinationPolicy, DestinationPolicyError, DestinationRefusal};
pub use destinations::Destination;
pub use email::{Email, EmailError, MAX_EMAIL_LENGTH};
pub use export::{ExportPosition, ExportProfile, ExportedCall};
pub use history::{
    CursorError, DEFAULT_PAGE_SIZE, HistoryCursor, HistoryFilter, HistoryPage, HistoryQuery,
    MAX_PAGE_NUMBER, MAX_PAGE_SIZE, PagePosition, PaginationError,
};
pub use ids::{CallId, UserId};
pub use password::{MAX_PASSWORD_CHARS, MIN_PASSWORD_CHARS, Password, PasswordError, PasswordHash};
pub use password_reset::{
    MalformedResetSecret, ResetDigest, ResetLinkError, ResetLinkTemplate, ResetSecret,
};
pub use phone_number::{PhoneNumber, PhoneNumberError, mask_phone_number};
pub use report_ledger::{DurationSource, Leg, ReportLedger, ReportUpdate, UnknownDurationSource};
pub use user::{NewUser, User, sessions_cutoff};
