//! Deleting one's own account.
//!
//! Its own use case because it spans two: the password is confirmed as a login would check it
//! (`AuthService`), the calls in progress are ended at the provider (`VoiceService`), and only
//! then is anything deleted.

use crate::domain::PasswordError;
use crate::ports::{ClientAddress, HashingError, StorageError, Throttled, VerifiedToken};
use crate::services::auth::ReauthError;
use crate::services::{AuthService, PasswordResetService, TerminateError, VoiceService};

#[derive(Debug, thiserror::Error)]
pub enum DeleteAccountError {
    /// The given password is not one a password could be (empty, too long).
    #[error(transparent)]
    InvalidPassword(PasswordError),
    /// The password is wrong; counted against the login limits. Nothing was deleted.
    #[error("the password is wrong")]
    WrongPassword,
    #[error(transparent)]
    Throttled(Throttled),
    /// The token's account no longer exists.
    #[error("the session's account no longer exists")]
    AccountGone,
    /// A call in progress could not be ended at the provider; nothing was deleted.
    #[error("the voice provider is unavailable: {0}")]
    ProviderUnavailable(String),
    #[error(transparent)]
    Hashing(HashingError),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

impl From<ReauthError> for DeleteAccountError {
    fn from(err: ReauthError) -> Self {
        match err {
            ReauthError::InvalidPassword(err) => Self::InvalidPassword(err),
            ReauthError::WrongPassword => Self::WrongPassword,
            ReauthError::Throttled(throttled) => Self::Throttled(throttled),
            ReauthError::AccountGone => Self::AccountGone,
            ReauthError::Hashing(err) => Self::Hashing(err),
            ReauthError::Storage(err) => Self::Storage(err),
        }
    }
}

impl From<TerminateError> for DeleteAccountError {
    fn from(err: TerminateError) -> Self {
        match err {
            TerminateError::ProviderUnavailable(reason) => Self::ProviderUnavailable(reason),
            TerminateError::Storage(err) => Self::Storage(err),
            // Only the user's own calls are listed, and a vanished one is skipped.
            TerminateError::NotFound | TerminateError::Forbidden => {
                Self::Storage(StorageError::unexpected("a listed call could not be ended"))
            }
        }
    }
}

#[derive(Clone, Debug)]
pub struct AccountService {
    auth: AuthService,
    voice: VoiceService,
    resets: Option<PasswordResetService>,
}

impl AccountService {
    pub fn new(auth: AuthService, voice: VoiceService) -> Self {
        Self {
            auth,
            voice,
            resets: None,
        }
    }

    /// Also forgets the account's counted password-reset requests when it is deleted.
    #[must_use]
    pub fn with_password_resets(mut self, resets: PasswordResetService) -> Self {
        self.resets = Some(resets);
        self
    }

    /// Deletes the token's account if `password` is theirs: its calls in progress are hung up
    /// at the provider first, then the account, its calls and their counters go in one
    /// transaction (its reset links with them), then its login failures and counted reset
    /// requests. Every token of the account is refused from then
    /// on (no user row, no session), and the e-mail address can register again.
    pub async fn delete_account(
        &self,
        token: &VerifiedToken,
        password: String,
        client: ClientAddress,
    ) -> Result<(), DeleteAccountError> {
        let user = self.auth.confirm_password(token, password, client).await?;
        let ended = self.voice.terminate_all_of(user.id).await?;
        if !self.auth.deps.users.delete(user.id).await? {
            return Err(DeleteAccountError::AccountGone);
        }
        if let Err(err) = self.auth.deps.throttle.forget_account(&user.email).await {
            // The failures expire with the window anyway.
            tracing::warn!(reason = %err.chain(), "login throttle: forgetting a deleted account failed");
        }
        if let Some(resets) = &self.resets
            && let Err(err) = resets.forget_account(&user.email).await
        {
            tracing::warn!(reason = %err.chain(), "reset throttle: forgetting a deleted account failed");
        }
        tracing::info!(user_id = %user.id, calls_ended = ended, "account deleted");
        Ok(())
    }
}

#[cfg(test)]
mod tests;
