//! Ending every session of a user at once: sign out everywhere, and a password change (which
//! hands back one fresh session).
//!
//! Both store a cutoff on the user's row (`UserRepository::end_all_sessions`), so one write ends
//! any number of tokens, every instance refuses them at once (the check is in the database, in
//! the statement that already checked the token's revocation), and nothing grows per token.

use super::{AuthService, ReauthError, Session};
use crate::domain::{Password, PasswordError};
use crate::ports::{
    ClientAddress, HashingError, StorageError, Throttled, TokenError, VerifiedToken,
};

#[derive(Debug, thiserror::Error)]
pub enum LogoutAllError {
    /// The token's account no longer exists.
    #[error("the session's account no longer exists")]
    AccountGone,
    #[error(transparent)]
    Storage(#[from] StorageError),
}

#[derive(Debug, thiserror::Error)]
pub enum ChangePasswordError {
    /// The current password is not one a password could be (empty, too long).
    #[error("current_password: {0}")]
    InvalidCurrentPassword(PasswordError),
    /// The new password breaks the registration rules.
    #[error("new_password: {0}")]
    InvalidNewPassword(PasswordError),
    /// The current password is wrong; counted against the login limits.
    #[error("the current password is wrong")]
    WrongPassword,
    #[error(transparent)]
    Throttled(Throttled),
    /// The token's account no longer exists.
    #[error("the session's account no longer exists")]
    AccountGone,
    #[error(transparent)]
    Hashing(#[from] HashingError),
    #[error(transparent)]
    Token(#[from] TokenError),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

impl From<ReauthError> for ChangePasswordError {
    fn from(err: ReauthError) -> Self {
        match err {
            ReauthError::InvalidPassword(err) => Self::InvalidCurrentPassword(err),
            ReauthError::WrongPassword => Self::WrongPassword,
            ReauthError::Throttled(throttled) => Self::Throttled(throttled),
            ReauthError::AccountGone => Self::AccountGone,
            ReauthError::Hashing(err) => Self::Hashing(err),
            ReauthError::Storage(err) => Self::Storage(err),
        }
    }
}

impl AuthService {
    /// Ends every session of the token's user opened up to now, on every instance, this one
    /// included.
    pub async fn logout_all(&self, token: &VerifiedToken) -> Result<(), LogoutAllError> {
        let now = self.deps.clock.now();
        self.deps
            .users
            .end_all_sessions(token.user_id, now)
            .await?
            .ok_or(LogoutAllError::AccountGone)?;
        tracing::info!(user_id = %token.user_id, "signed out everywhere");
        Ok(())
    }

    /// Replaces the password of the token's user, if `current` is right, and ends every one of
    /// their sessions; answers a fresh one. The new password obeys the registration rules; it
    /// is checked before the current one, so that a rule the user broke does not cost them a
    /// counted failure.
    pub async fn change_password(
        &self,
        token: &VerifiedToken,
        current: String,
        new: String,
        client: ClientAddress,
    ) -> Result<Session, ChangePasswordError> {
        let new = Password::new(new).map_err(ChangePasswordError::InvalidNewPassword)?;
        if self.deps.common_passwords.is_common(&new) {
            return Err(ChangePasswordError::InvalidNewPassword(
                PasswordError::TooCommon,
            ));
        }
        let mut user = self.confirm_password(token, current, client).await?;
        let hash = self.deps.hasher.hash(new).await?;
        let now = self.deps.clock.now();
        let cutoff = self
            .deps
            .users
            .change_password(user.id, hash.clone(), now)
            .await?
            .ok_or(ChangePasswordError::AccountGone)?;
        user.password_hash = hash;
        user.sessions_valid_after = Some(cutoff);
        let token = self.deps.tokens.issue(&user, self.deps.clock.now())?;
        tracing::info!(user_id = %user.id, "password changed; every other session ended");
        Ok(Session { token, user })
    }
}
