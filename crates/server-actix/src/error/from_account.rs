//! How the account-management use cases' errors become HTTP answers.

use calls_core::services::{ChangePasswordError, DeleteAccountError, LogoutAllError};

use super::ApiError;
use super::messages::{self as m, Message, MessageId};

fn wrong_password(message: MessageId) -> ApiError {
    ApiError::with(message)
}

/// A refused password, named by its field (the detail is the domain's English sentence).
fn invalid_field(field: &'static str, detail: impl std::fmt::Display) -> ApiError {
    ApiError::validation(
        Message::new(m::FIELD_INVALID)
            .arg("field", field)
            .arg("detail", detail.to_string()),
    )
}

fn rate_limited(throttled: &calls_core::ports::Throttled) -> ApiError {
    ApiError::rate_limited(throttled.retry_after.as_secs_f64().ceil() as u64)
}

fn internal(what: &str, err: &dyn std::fmt::Display) -> ApiError {
    tracing::error!(error = %err, "{what} failed");
    ApiError::internal()
}

impl From<LogoutAllError> for ApiError {
    fn from(err: LogoutAllError) -> Self {
        match err {
            // The account was deleted after the token was checked: the token is dead now.
            LogoutAllError::AccountGone => ApiError::unauthorized(),
            LogoutAllError::Storage(err) => err.into(),
        }
    }
}

impl From<ChangePasswordError> for ApiError {
    fn from(err: ChangePasswordError) -> Self {
        match err {
            ChangePasswordError::InvalidCurrentPassword(err) => {
                invalid_field("current_password", err)
            }
            ChangePasswordError::InvalidNewPassword(err) => invalid_field("new_password", err),
            ChangePasswordError::WrongPassword => wrong_password(m::CURRENT_PASSWORD_WRONG),
            ChangePasswordError::Throttled(throttled) => rate_limited(&throttled),
            ChangePasswordError::AccountGone => ApiError::unauthorized(),
            ChangePasswordError::Hashing(err) => internal("password hashing", &err),
            ChangePasswordError::Token(err) => internal("token signing", &err),
            ChangePasswordError::Storage(err) => err.into(),
        }
    }
}

impl From<DeleteAccountError> for ApiError {
    fn from(err: DeleteAccountError) -> Self {
        match err {
            DeleteAccountError::InvalidPassword(err) => invalid_field("password", err),
            DeleteAccountError::WrongPassword => wrong_password(m::PASSWORD_WRONG),
            DeleteAccountError::Throttled(throttled) => rate_limited(&throttled),
            DeleteAccountError::AccountGone => ApiError::unauthorized(),
            DeleteAccountError::ProviderUnavailable(reason) => {
                tracing::warn!(%reason, "account deletion: a call could not be hung up");
                ApiError::voip_unavailable()
            }
            DeleteAccountError::Hashing(err) => internal("password hashing", &err),
            DeleteAccountError::Storage(err) => err.into(),
        }
    }
}
