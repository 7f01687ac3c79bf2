//! The account export's errors (`GET /api/account/export`), before its body starts.

use calls_core::services::ExportError;

use super::ApiError;

impl From<ExportError> for ApiError {
    fn from(err: ExportError) -> Self {
        match err {
            // The token is valid but its account is gone: as for any protected route.
            ExportError::UnknownUser => ApiError::unauthorized(),
            ExportError::Storage(err) => err.into(),
        }
    }
}
