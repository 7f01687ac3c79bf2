//! How the provider webhooks' refusals become HTTP answers: a request that is not the
//! provider's is 403 `invalid_signature`, webhooks without a provider that has them are 503
//! `voice_not_configured`, and a request the provider's adapter cannot read is 400.

use calls_core::ports::{AnswerRequestError, ReportRequestError};
use calls_core::services::WebhookAccessError;

use super::ApiError;

impl From<WebhookAccessError> for ApiError {
    fn from(err: WebhookAccessError) -> Self {
        match err {
            WebhookAccessError::Refused(_) => ApiError::invalid_signature(),
            WebhookAccessError::NotConfigured => ApiError::voice_not_configured(),
        }
    }
}

impl From<ReportRequestError> for ApiError {
    fn from(err: ReportRequestError) -> Self {
        ApiError::validation(err)
    }
}

impl From<AnswerRequestError> for ApiError {
    fn from(err: AnswerRequestError) -> Self {
        ApiError::validation(err)
    }
}
