//! Asking a signed-in user for their password again, before a change that a stolen token alone
//! must not be able to make (a new password, the deletion of the account).

use super::AuthService;
use crate::domain::{Password, PasswordError, User};
use crate::ports::{
    AdmitError, ClientAddress, HashingError, PasswordCheck, StorageError, Throttled, VerifiedToken,
};

#[derive(Debug, thiserror::Error)]
pub enum ReauthError {
    /// The given password is not one a password could be (empty, too long).
    #[error(transparent)]
    InvalidPassword(#[from] PasswordError),
    /// The password is wrong. Counted against the account's and the client's login limits.
    #[error("the password is wrong")]
    WrongPassword,
    #[error(transparent)]
    Throttled(#[from] Throttled),
    /// The token's account no longer exists.
    #[error("the session's account no longer exists")]
    AccountGone,
    #[error(transparent)]
    Hashing(#[from] HashingError),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

impl AuthService {
    /// The token's user, if `password` is theirs. Throttled exactly as a login of that account
    /// from `client` is: a wrong password counts as a failed login, a right one clears the
    /// account's failures, an attempt that could not be judged is taken back. So a stolen
    /// token does not open a new way to guess the password.
    pub(crate) async fn confirm_password(
        &self,
        token: &VerifiedToken,
        password: String,
        client: ClientAddress,
    ) -> Result<User, ReauthError> {
        let password = Password::for_login(password)?;
        let user = self
            .deps
            .users
            .find_by_id(token.user_id)
            .await?
            .ok_or(ReauthError::AccountGone)?;
        let attempt = self
            .deps
            .throttle
            .admit(&user.email, client, self.deps.clock.now())
            .await
            .map_err(|err| match err {
                AdmitError::Throttled(throttled) => ReauthError::Throttled(throttled),
                AdmitError::Storage(err) => ReauthError::Storage(err),
            })?;
        let verdict = match self
            .deps
            .hasher
            .verify(password, user.password_hash.clone())
            .await
        {
            Ok(PasswordCheck::Match { .. }) => Ok(()),
            Ok(PasswordCheck::Mismatch) | Err(HashingError::UnknownFormat) => {
                Err(ReauthError::WrongPassword)
            }
            Err(err) => Err(err.into()),
        };
        let settled = match &verdict {
            Ok(()) => self.deps.throttle.succeeded(&attempt).await,
            // The admitted attempt stays counted as a failure.
            Err(ReauthError::WrongPassword) => Ok(()),
            Err(_) => self.deps.throttle.withdraw(&attempt).await,
        };
        if let Err(err) = settled {
            tracing::warn!(reason = %err.chain(), "login throttle: settling a password check failed");
        }
        if matches!(verdict, Err(ReauthError::WrongPassword)) {
            tracing::info!(user_id = %user.id, "password confirmation refused: wrong password");
        }
        verdict.map(|()| user)
    }
}
