//! How the password-reset use case's errors become HTTP answers.

use calls_core::services::{ConfirmResetError, RequestResetError};

use super::ApiError;
use super::messages as m;

impl From<RequestResetError> for ApiError {
    fn from(err: RequestResetError) -> Self {
        match err {
            RequestResetError::InvalidEmail(err) => ApiError::validation(err),
            RequestResetError::Throttled(throttled) => {
                ApiError::rate_limited(throttled.retry_after.as_secs_f64().ceil() as u64)
            }
            RequestResetError::Storage(err) => err.into(),
        }
    }
}

impl From<ConfirmResetError> for ApiError {
    fn from(err: ConfirmResetError) -> Self {
        match err {
            ConfirmResetError::InvalidPassword(err) => ApiError::validation(err),
            ConfirmResetError::InvalidToken => ApiError::with(m::INVALID_RESET_TOKEN),
            ConfirmResetError::Hashing(err) => {
                tracing::error!(error = %err, "password hashing failed");
                ApiError::internal()
            }
            ConfirmResetError::Token(err) => {
                tracing::error!(error = %err, "token signing failed");
                ApiError::internal()
            }
            ConfirmResetError::Storage(err) => err.into(),
        }
    }
}
