//! What the voice use cases can refuse, one enum per operation.

use crate::domain::{DestinationRefusal, PhoneNumberError};
use crate::ports::StorageError;

#[derive(Debug, thiserror::Error)]
pub enum InitiateError {
    #[error(transparent)]
    InvalidNumber(#[from] PhoneNumberError),
    /// The operator's destination policy refuses the number. Nothing was stored or sent.
    #[error(transparent)]
    DestinationNotAllowed(#[from] DestinationRefusal),
    /// The user already has as many calls in progress as allowed.
    #[error("you already have {limit} call(s) in progress; end it before starting another")]
    CallInProgress { limit: u64 },
    /// The user started as many calls in the last 24 hours as allowed.
    #[error("the limit of {limit} calls per 24 hours is reached; try again later")]
    DailyLimitReached { limit: u64 },
    /// The provider refused the number (it knows numbering plans better than we do). The call
    /// is stored as `failed`.
    #[error("the voice provider refused the number: {0}")]
    ProviderRefusedNumber(String),
    /// The provider's own geographic permissions refuse the destination. The call is stored as
    /// `failed`.
    #[error("the voice provider does not allow this destination")]
    ProviderRefusedDestination(String),
    /// The provider failed or did not answer in time. The call is stored as `failed`.
    #[error("the voice provider is unavailable: {0}")]
    ProviderUnavailable(String),
    /// The authenticated user no longer exists.
    #[error("the user does not exist")]
    UnknownUser,
    #[error(transparent)]
    Storage(#[from] StorageError),
}

#[derive(Debug, thiserror::Error)]
pub enum TerminateError {
    #[error("call not found")]
    NotFound,
    #[error("this call belongs to another user")]
    Forbidden,
    /// The provider could not be told to hang up; the call is left as it was, so the user can
    /// try again (the reaper closes it if nobody does).
    #[error("the voice provider is unavailable: {0}")]
    ProviderUnavailable(String),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// Why a browser-placed call may not be dialled. Each is answered with a refusal the caller
/// hears; none is an error of the webhook itself.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LinkError {
    #[error("the caller is not one of our users")]
    UnknownCaller,
    #[error(transparent)]
    InvalidNumber(#[from] PhoneNumberError),
    #[error(transparent)]
    DestinationNotAllowed(#[from] DestinationRefusal),
    /// No call was initiated through the API for this number recently: the browser may only
    /// dial what `initiate` checked and recorded.
    #[error("no pending call to this number")]
    NoPendingCall,
    #[error(transparent)]
    Storage(#[from] StorageError),
}
