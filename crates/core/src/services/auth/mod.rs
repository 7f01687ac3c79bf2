//! Registration, login, logout and token authentication.

mod reauth;
mod sessions;

use std::sync::Arc;

pub use reauth::ReauthError;
pub use sessions::{ChangePasswordError, LogoutAllError};

use crate::domain::{Email, EmailError, NewUser, Password, PasswordError, User, UserId};
use crate::ports::{
    AdmitError, ClientAddress, Clock, CommonPasswords, CreateUserError, HashingError, IssuedToken,
    LoginThrottle, PasswordCheck, PasswordHasher, RevocationStore, SessionRef, StorageError,
    Throttled, TokenError, TokenIssuer, UserRepository, VerifiedToken,
};

/// A signed-in user: what register and login answer.
#[derive(Debug, Clone)]
pub struct Session {
    pub token: IssuedToken,
    pub user: User,
}

#[derive(Debug, thiserror::Error)]
pub enum RegisterError {
    #[error(transparent)]
    InvalidEmail(#[from] EmailError),
    #[error(transparent)]
    InvalidPassword(#[from] PasswordError),
    #[error("an account with this email already exists")]
    EmailTaken,
    #[error(transparent)]
    Hashing(#[from] HashingError),
    #[error(transparent)]
    Token(#[from] TokenError),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

#[derive(Debug, thiserror::Error)]
pub enum LoginError {
    #[error(transparent)]
    InvalidEmail(#[from] EmailError),
    #[error(transparent)]
    InvalidPassword(#[from] PasswordError),
    /// Unknown email or wrong password: deliberately indistinguishable.
    #[error("invalid email or password")]
    InvalidCredentials,
    #[error(transparent)]
    Throttled(#[from] Throttled),
    #[error(transparent)]
    Hashing(#[from] HashingError),
    #[error(transparent)]
    Token(#[from] TokenError),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

#[derive(Debug, thiserror::Error)]
pub enum AuthenticateError {
    /// Bad signature, expired, malformed or logged out.
    #[error("invalid or revoked token")]
    Unauthorized,
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// A token whose signature and claims are valid, not yet checked against the logged-out
/// tokens. Only [`AuthService::verify_signature`] makes one, and nothing but the user id leaves
/// it before the revocation is checked.
#[derive(Debug, Clone)]
pub struct SignedToken(VerifiedToken);

impl SignedToken {
    pub fn user_id(&self) -> UserId {
        self.0.user_id
    }

    /// What the storage checks to tell whether the token's session is still live.
    pub(crate) fn session(&self) -> SessionRef {
        self.0.session()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum LogoutError {
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// The ports the account use cases need.
#[derive(Clone)]
pub struct AuthDeps {
    pub users: Arc<dyn UserRepository>,
    pub hasher: Arc<dyn PasswordHasher>,
    pub common_passwords: Arc<dyn CommonPasswords>,
    pub tokens: Arc<dyn TokenIssuer>,
    pub revocations: Arc<dyn RevocationStore>,
    pub throttle: Arc<dyn LoginThrottle>,
    pub clock: Arc<dyn Clock>,
}

#[derive(Clone)]
pub struct AuthService {
    pub(crate) deps: AuthDeps,
    /// How long a throttled login waits before its refusal is answered
    /// ([`AuthService::with_refusal_pause`]); zero unless set.
    refusal_pause: std::time::Duration,
}

impl std::fmt::Debug for AuthService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthService").finish_non_exhaustive()
    }
}

impl AuthService {
    pub fn new(deps: AuthDeps) -> Self {
        Self {
            deps,
            refusal_pause: std::time::Duration::ZERO,
        }
    }

    /// Answers a login the throttle refuses only after `pause` (about what judging a password
    /// takes).
    ///
    /// Why: a refusal costs almost nothing (the throttle remembers recent refusals in
    /// process), so without a pause a client that retries as soon as it is answered, as
    /// guessing tools do, is refused tens of thousands of times a second and takes the CPU
    /// that health probes and every other request need. Paused, each of its connections
    /// makes at most `1 / pause` attempts a second, whatever it does, at the price of a timer
    /// per refused attempt (no thread, no database work). The refusal also takes about as
    /// long as a judged attempt, so its timing does not tell whether the throttle is the
    /// reason.
    #[must_use]
    pub fn with_refusal_pause(mut self, pause: std::time::Duration) -> Self {
        self.refusal_pause = pause;
        self
    }

    /// Creates an account and signs it in.
    pub async fn register(&self, email: &str, password: String) -> Result<Session, RegisterError> {
        let email = Email::parse(email)?;
        let password = Password::new(password)?;
        if self.deps.common_passwords.is_common(&password) {
            return Err(PasswordError::TooCommon.into());
        }
        // Cheap early answer for the common duplicate case; the unique index still decides races.
        if self.deps.users.find_by_email(&email).await?.is_some() {
            return Err(RegisterError::EmailTaken);
        }
        let password_hash = self.deps.hasher.hash(password).await?;
        let new_user = NewUser {
            id: UserId::new(),
            email,
            password_hash,
            created_at: self.deps.clock.now(),
        };
        let user = self
            .deps
            .users
            .create(new_user)
            .await
            .map_err(|err| match err {
                CreateUserError::EmailTaken => RegisterError::EmailTaken,
                CreateUserError::Storage(err) => RegisterError::Storage(err),
            })?;
        let token = self.deps.tokens.issue(&user, self.deps.clock.now())?;
        tracing::info!(user_id = %user.id, "account registered");
        Ok(Session { token, user })
    }

    /// Checks the credentials and signs the user in. An unknown email costs the same hashing
    /// work and gets the same error as a wrong password. A legacy hash is upgraded on success.
    ///
    /// The throttle admits the attempt (counting it as a failure) before anything else; a right
    /// password then clears the account's failures, a wrong one leaves the count, and an attempt
    /// that could not be judged (storage or hasher trouble) is taken back.
    pub async fn login(
        &self,
        email: &str,
        password: String,
        client: ClientAddress,
    ) -> Result<Session, LoginError> {
        let email = Email::parse(email)?;
        let password = Password::for_login(password)?;
        let now = self.deps.clock.now();
        let attempt =
            self.deps
                .throttle
                .admit(&email, client, now)
                .await
                .map_err(|err| match err {
                    AdmitError::Throttled(throttled) => LoginError::Throttled(throttled),
                    AdmitError::Storage(err) => LoginError::Storage(err),
                });
        let attempt = match attempt {
            Ok(attempt) => attempt,
            Err(refused @ LoginError::Throttled(_)) => {
                if !self.refusal_pause.is_zero() {
                    tokio::time::sleep(self.refusal_pause).await;
                }
                return Err(refused);
            }
            Err(other) => return Err(other),
        };
        let verdict = self.check_credentials(&email, password).await;
        match &verdict {
            Ok(_) => {
                if let Err(err) = self.deps.throttle.succeeded(&attempt).await {
                    // The password was right: the user is let in; the stale count expires.
                    tracing::warn!(reason = %err.chain(), "login throttle: clearing failures failed");
                }
            }
            // A wrong password: the admitted attempt stays counted.
            Err(LoginError::InvalidCredentials) => {}
            Err(_) => {
                if let Err(err) = self.deps.throttle.withdraw(&attempt).await {
                    tracing::warn!(reason = %err.chain(), "login throttle: withdrawing an attempt failed");
                }
            }
        }
        let user = verdict?;
        let token = self.deps.tokens.issue(&user, self.deps.clock.now())?;
        tracing::info!(user_id = %user.id, "logged in");
        Ok(Session { token, user })
    }

    /// The user whose password this is, or [`LoginError::InvalidCredentials`]; upgrades an
    /// outdated hash on a match.
    async fn check_credentials(
        &self,
        email: &Email,
        password: Password,
    ) -> Result<User, LoginError> {
        let Some(user) = self.deps.users.find_by_email(email).await? else {
            self.deps.hasher.verify_dummy(password).await;
            return Err(LoginError::InvalidCredentials);
        };
        let check = match self
            .deps
            .hasher
            .verify(password.clone(), user.password_hash.clone())
            .await
        {
            Ok(check) => check,
            Err(HashingError::UnknownFormat) => {
                tracing::error!(user_id = %user.id, "stored password hash has an unknown format");
                PasswordCheck::Mismatch
            }
            Err(err) => return Err(err.into()),
        };
        let PasswordCheck::Match { needs_rehash } = check else {
            tracing::info!(user_id = %user.id, "login refused: wrong password");
            return Err(LoginError::InvalidCredentials);
        };
        if needs_rehash {
            self.upgrade_hash(&user, password).await;
        }
        Ok(user)
    }

    /// Forgets login failures that left the throttle's window. Safe on several instances at
    /// once.
    pub async fn purge_expired_login_failures(&self) -> Result<u64, StorageError> {
        self.deps
            .throttle
            .purge_expired(self.deps.clock.now())
            .await
    }

    /// Replaces an outdated hash. Failure is logged, not fatal: the login itself was valid.
    async fn upgrade_hash(&self, user: &User, password: Password) {
        let result = match self.deps.hasher.hash(password).await {
            Ok(hash) => self
                .deps
                .users
                .update_password_hash(user.id, hash)
                .await
                .map(drop)
                .map_err(|e| e.to_string()),
            Err(err) => Err(err.to_string()),
        };
        match result {
            Ok(()) => {
                tracing::info!(user_id = %user.id, "password hash upgraded to the current scheme")
            }
            Err(reason) => {
                tracing::warn!(user_id = %user.id, %reason, "password hash upgrade failed")
            }
        }
    }

    /// Validates a bearer token: signature, validity period, and not logged out.
    pub async fn authenticate(&self, token: &str) -> Result<VerifiedToken, AuthenticateError> {
        let signed = self.verify_signature(token)?;
        self.ensure_not_revoked(&signed).await?;
        Ok(signed.0)
    }

    /// Checks the token's signature, claims and validity period, but not whether it was logged
    /// out: the caller hands the [`SignedToken`] to an operation that checks that in the same
    /// snapshot as the data it reads ([`crate::services::CallService::history_for`]), or to
    /// [`AuthService::ensure_not_revoked`].
    pub fn verify_signature(&self, token: &str) -> Result<SignedToken, AuthenticateError> {
        self.deps
            .tokens
            .verify(token, self.deps.clock.now())
            .map(SignedToken)
            .map_err(|err| {
                tracing::debug!(reason = %err, "token refused");
                AuthenticateError::Unauthorized
            })
    }

    /// The revocation check of [`AuthService::authenticate`], on its own.
    pub async fn ensure_not_revoked(&self, token: &SignedToken) -> Result<(), AuthenticateError> {
        if self.deps.revocations.is_revoked(&token.0.session()).await? {
            return Err(AuthenticateError::Unauthorized);
        }
        Ok(())
    }

    /// Revokes the token for every instance sharing the database, until it would expire anyway.
    pub async fn logout(&self, token: &VerifiedToken) -> Result<(), LogoutError> {
        self.deps
            .revocations
            .revoke(&token.revocation_key, token.expires_at)
            .await?;
        tracing::info!(user_id = %token.user_id, "logged out");
        Ok(())
    }

    /// Deletes revocations of tokens that have expired anyway. Safe on several instances at once.
    pub async fn purge_expired_revocations(&self) -> Result<u64, StorageError> {
        self.deps
            .revocations
            .purge_expired(self.deps.clock.now())
            .await
    }
}

#[cfg(test)]
mod tests;

/// Lets the other use cases' tests hold a [`SignedToken`] without a token issuer.
#[cfg(test)]
pub(crate) mod tests_support {
    use super::{SignedToken, VerifiedToken};

    pub(crate) fn signed_token(verified: VerifiedToken) -> SignedToken {
        SignedToken(verified)
    }
}
