//! How the voice use cases' errors become HTTP answers. Provider trouble is 503
//! `voip_unavailable` with the detail logged for operators, never shown to the caller.

use calls_core::services::{InitiateError, TerminateError};

use super::ApiError;
use super::messages::{self as m, Message};

impl ApiError {
    pub fn voip_unavailable() -> Self {
        Self::with(m::VOIP_UNAVAILABLE)
    }

    pub fn voice_not_configured() -> Self {
        Self::with(m::VOICE_NOT_CONFIGURED)
    }

    pub fn invalid_signature() -> Self {
        Self::with(m::INVALID_SIGNATURE)
    }
}

impl From<InitiateError> for ApiError {
    fn from(err: InitiateError) -> Self {
        match err {
            InitiateError::InvalidNumber(err) => ApiError::validation(err),
            InitiateError::DestinationNotAllowed(refusal) => ApiError::with(refusal),
            InitiateError::CallInProgress { limit } => {
                ApiError::with(Message::new(m::CALL_IN_PROGRESS).arg("limit", limit))
            }
            InitiateError::DailyLimitReached { limit } => {
                ApiError::with(Message::new(m::DAILY_LIMIT_EXCEEDED).arg("limit", limit))
            }
            InitiateError::ProviderRefusedNumber(detail) => {
                tracing::info!(%detail, "the voice provider refused a number");
                ApiError::validation(m::PHONE_REFUSED_BY_PROVIDER)
            }
            InitiateError::ProviderRefusedDestination(detail) => {
                tracing::info!(%detail, "the voice provider refused a destination");
                ApiError::with(m::DESTINATION_REFUSED_BY_PROVIDER)
            }
            InitiateError::ProviderUnavailable(detail) => {
                tracing::warn!(%detail, "voice provider unavailable");
                ApiError::voip_unavailable()
            }
            InitiateError::UnknownUser => ApiError::unauthorized(),
            InitiateError::Storage(err) => err.into(),
        }
    }
}

impl From<TerminateError> for ApiError {
    fn from(err: TerminateError) -> Self {
        match err {
            TerminateError::NotFound => ApiError::call_not_found(),
            TerminateError::Forbidden => ApiError::forbidden(),
            TerminateError::ProviderUnavailable(detail) => {
                tracing::warn!(%detail, "voice provider unavailable for a hang-up");
                ApiError::voip_unavailable()
            }
            TerminateError::Storage(err) => err.into(),
        }
    }
}
