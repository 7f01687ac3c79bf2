//! How the voice use cases' errors become HTTP answers. Provider trouble is 503
//! `voip_unavailable` with the detail logged for operators, never shown to the caller.

use actix_web::http::StatusCode;
use calls_core::services::{InitiateError, TerminateError};

use super::ApiError;

impl ApiError {
    pub fn voip_unavailable() -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "voip_unavailable",
            "the voice provider is unavailable; try again shortly",
        )
    }

    pub fn voice_not_configured() -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "voice_not_configured",
            "the voice provider has no browser SDK (Twilio Voice) settings",
        )
    }

    pub fn destination_not_allowed(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "destination_not_allowed", message)
    }

    pub fn invalid_signature() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "invalid_signature",
            "the request signature does not verify",
        )
    }
}

impl From<InitiateError> for ApiError {
    fn from(err: InitiateError) -> Self {
        match err {
            InitiateError::InvalidNumber(err) => ApiError::validation(err.to_string()),
            InitiateError::DestinationNotAllowed(refusal) => {
                ApiError::destination_not_allowed(refusal.to_string())
            }
            InitiateError::CallInProgress { .. } => {
                ApiError::new(StatusCode::CONFLICT, "call_in_progress", err.to_string())
            }
            InitiateError::DailyLimitReached { .. } => ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "daily_limit_exceeded",
                err.to_string(),
            ),
            InitiateError::ProviderRefusedNumber(detail) => {
                tracing::info!(%detail, "the voice provider refused a number");
                ApiError::validation("phone_number is not a number the voice provider can call")
            }
            InitiateError::ProviderRefusedDestination(detail) => {
                tracing::info!(%detail, "the voice provider refused a destination");
                ApiError::destination_not_allowed(
                    "the voice provider does not allow calls to this destination",
                )
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
            TerminateError::NotFound => {
                ApiError::new(StatusCode::NOT_FOUND, "call_not_found", "call not found")
            }
            TerminateError::Forbidden => ApiError::forbidden("this call belongs to another user"),
            TerminateError::ProviderUnavailable(detail) => {
                tracing::warn!(%detail, "voice provider unavailable for a hang-up");
                ApiError::voip_unavailable()
            }
            TerminateError::Storage(err) => err.into(),
        }
    }
}
