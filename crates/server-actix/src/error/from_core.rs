//! How the use cases' errors become HTTP answers. Client mistakes are 4xx with the domain's own
//! message; infrastructure trouble is 503 or 500 and is logged here, once.

use calls_core::ports::StorageError;
use calls_core::services::{
    AuthenticateError, LoginError, LogoutError, RecordCallError, RegisterError, UpdateCallError,
};

use super::ApiError;
use super::messages::{self as m, Message};

impl From<StorageError> for ApiError {
    fn from(err: StorageError) -> Self {
        // The whole chain, so the log shows the database's own words, not only ours.
        let reason = err.chain();
        if err.is_unavailable() {
            tracing::warn!(%reason, "database unavailable");
            ApiError::database_unavailable()
        } else {
            tracing::error!(%reason, "unexpected database error");
            ApiError::internal()
        }
    }
}

fn internal(what: &str, err: &dyn std::fmt::Display) -> ApiError {
    tracing::error!(error = %err, "{what} failed");
    ApiError::internal()
}

impl From<RegisterError> for ApiError {
    fn from(err: RegisterError) -> Self {
        match err {
            RegisterError::InvalidEmail(err) => ApiError::validation(err),
            RegisterError::InvalidPassword(err) => ApiError::validation(err),
            RegisterError::EmailTaken => ApiError::with(m::USER_ALREADY_EXISTS),
            RegisterError::Hashing(err) => internal("password hashing", &err),
            RegisterError::Token(err) => internal("token signing", &err),
            RegisterError::Storage(err) => err.into(),
        }
    }
}

impl From<LoginError> for ApiError {
    fn from(err: LoginError) -> Self {
        match err {
            LoginError::InvalidEmail(err) => ApiError::validation(err),
            LoginError::InvalidPassword(err) => ApiError::validation(err),
            LoginError::InvalidCredentials => ApiError::with(m::INVALID_CREDENTIALS),
            LoginError::Throttled(throttled) => {
                ApiError::rate_limited(throttled.retry_after.as_secs_f64().ceil() as u64)
            }
            LoginError::Hashing(err) => internal("password hashing", &err),
            LoginError::Token(err) => internal("token signing", &err),
            LoginError::Storage(err) => err.into(),
        }
    }
}

impl From<AuthenticateError> for ApiError {
    fn from(err: AuthenticateError) -> Self {
        match err {
            AuthenticateError::Unauthorized => ApiError::unauthorized(),
            AuthenticateError::Storage(err) => err.into(),
        }
    }
}

impl From<LogoutError> for ApiError {
    fn from(err: LogoutError) -> Self {
        match err {
            LogoutError::Storage(err) => err.into(),
        }
    }
}

impl From<RecordCallError> for ApiError {
    fn from(err: RecordCallError) -> Self {
        match err {
            RecordCallError::InvalidNumber(err) => ApiError::validation(err),
            RecordCallError::UnknownUser => ApiError::unauthorized(),
            RecordCallError::Storage(err) => err.into(),
        }
    }
}

impl From<UpdateCallError> for ApiError {
    fn from(err: UpdateCallError) -> Self {
        match err {
            UpdateCallError::NotFound => ApiError::call_not_found(),
            UpdateCallError::Forbidden => ApiError::forbidden(),
            UpdateCallError::InvalidTransition { current, requested } => ApiError::with(
                Message::new(m::INVALID_TRANSITION)
                    .arg("current", current.as_str())
                    .arg("requested", requested.as_str()),
            ),
            UpdateCallError::Storage(err) => err.into(),
        }
    }
}
