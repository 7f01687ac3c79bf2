//! Bodies of `/api/auth/*`.

use calls_core::services::Session;
use serde::{Deserialize, Serialize};

/// Register and login take the same body.
#[derive(Debug, Deserialize)]
pub struct Credentials {
    pub email: String,
    pub password: String,
}

#[derive(Debug, Serialize)]
pub struct AuthResponse {
    pub token: String,
    pub user: UserBody,
}

#[derive(Debug, Serialize)]
pub struct UserBody {
    pub id: String,
    pub email: String,
}

impl From<Session> for AuthResponse {
    fn from(session: Session) -> Self {
        Self {
            token: session.token.token,
            user: UserBody {
                id: session.user.id.to_string(),
                email: session.user.email.to_string(),
            },
        }
    }
}
