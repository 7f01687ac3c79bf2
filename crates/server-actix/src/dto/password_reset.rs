//! Bodies of `/api/auth/password-reset` and `/api/auth/password-reset/confirm`.

use serde::{Deserialize, Serialize};

/// `POST /api/auth/password-reset`.
#[derive(Debug, Deserialize)]
pub struct ResetRequest {
    pub email: String,
}

/// The 202 answer: the same whatever the address (only its language varies).
#[derive(Debug, Serialize)]
pub struct ResetAccepted {
    pub message: String,
}

/// `POST /api/auth/password-reset/confirm`. Answered with the same body as a login.
#[derive(Debug, Deserialize)]
pub struct ResetConfirmation {
    pub token: String,
    pub new_password: String,
}
