//! Bodies of `POST /api/calls` and `PUT /api/calls/{id}`.

use calls_core::domain::Call;
use serde::{Deserialize, Serialize};

use super::time::rfc3339_utc;

#[derive(Debug, Deserialize)]
pub struct CreateCallRequest {
    pub phone_number: String,
}

#[derive(Debug, Serialize)]
pub struct CallCreatedResponse {
    pub id: String,
    pub phone_number: String,
    pub start_time: String,
    pub duration: u32,
    pub status: &'static str,
}

impl From<Call> for CallCreatedResponse {
    fn from(call: Call) -> Self {
        Self {
            id: call.id.to_string(),
            phone_number: call.phone_number,
            start_time: rfc3339_utc(call.start_time),
            duration: call.duration,
            status: call.status.as_str(),
        }
    }
}

/// `duration` may be left out to keep the stored one; `status` is required.
#[derive(Debug, Deserialize)]
pub struct UpdateCallRequest {
    pub status: String,
    pub duration: Option<i64>,
}

#[derive(Debug, Serialize)]
pub struct CallUpdatedResponse {
    pub id: String,
    pub duration: u32,
    pub status: &'static str,
}

impl From<Call> for CallUpdatedResponse {
    fn from(call: Call) -> Self {
        Self {
            id: call.id.to_string(),
            duration: call.duration,
            status: call.status.as_str(),
        }
    }
}
