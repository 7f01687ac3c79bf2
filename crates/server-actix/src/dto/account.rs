//! Bodies of the account-management routes (`/api/auth/password`, `/api/account`).

use serde::Deserialize;

/// `POST /api/auth/password`. Answered with the same body as a login.
#[derive(Debug, Deserialize)]
pub struct ChangePasswordRequest {
    pub current_password: String,
    pub new_password: String,
}

/// `DELETE /api/account`.
#[derive(Debug, Deserialize)]
pub struct DeleteAccountRequest {
    pub password: String,
}
