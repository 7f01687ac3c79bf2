//! How the use cases' errors become HTTP answers. Client mistakes are 4xx with the domain's own
//! message; infrastructure trouble is 503 or 500 and is logged here, once.

use actix_web::http::StatusCode;
use calls_core::ports::StorageError;
use calls_core::services::{
    AuthenticateError, LoginError, LogoutError, RecordCallError, RegisterError, UpdateCallError,
};

use super::ApiError;

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
            RegisterError::InvalidEmail(err) => ApiError::validation(err.to_string()),
            RegisterError::InvalidPassword(err) => ApiError::validation(err.to_string()),
            RegisterError::EmailTaken => ApiError::new(
                StatusCode::CONFLICT,
                "user_already_exists",
                "an account with this email already exists",
            ),
            RegisterError::Hashing(err) => internal("password hashing", &err),
            RegisterError::Token(err) => internal("token signing", &err),
            RegisterError::Storage(err) => err.into(),
        }
    }
}

impl From<LoginError> for ApiError {
    fn from(err: LoginError) -> Self {
        match err {
            LoginError::InvalidEmail(err) => ApiError::validation(err.to_string()),
            LoginError::InvalidPassword(err) => ApiError::validation(err.to_string()),
            LoginError::InvalidCredentials => ApiError::new(
                StatusCode::UNAUTHORIZED,
                "invalid_credentials",
                "invalid email or password",
            ),
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
            RecordCallError::InvalidNumber(err) => ApiError::validation(err.to_string()),
            RecordCallError::UnknownUser => ApiError::unauthorized(),
            RecordCallError::Storage(err) => err.into(),
        }
    }
}

impl From<UpdateCallError> for ApiError {
    fn from(err: UpdateCallError) -> Self {
        match err {
            UpdateCallError::NotFound => {
                ApiError::new(StatusCode::NOT_FOUND, "call_not_found", "call not found")
            }
            UpdateCallError::Forbidden => ApiError::forbidden("this call belongs to another user"),
            UpdateCallError::InvalidTransition { current, requested } => ApiError::new(
                StatusCode::CONFLICT,
                "invalid_transition",
                format!("a {current} call cannot become {requested}"),
            ),
            UpdateCallError::Storage(err) => err.into(),
        }
    }
}
