//! A forgotten password: a single-use link by e-mail (`request`), then a new password set
//! with the link's secret (`confirm`).
//!
//! What a request reveals: nothing. It is answered the same whether or not the address has an
//! account, and in about the same time: the storage runs the same statements either way, and
//! the e-mail is only queued (a slow or failing mail server is the mailer's business, in the
//! background). Requests are counted per address and per client network by a throttle of
//! their own, so nobody can flood an inbox or the mail server.

use std::sync::Arc;
use std::time::Duration;

use crate::domain::{Email, EmailError, Password, PasswordError, ResetLinkTemplate, ResetSecret};
use crate::ports::{
    AdmitError, ClientAddress, HashingError, LoginThrottle, MailTemplates, Mailer, NameLanguage,
    OutgoingMail, PasswordResetTokens, StorageError, Throttled, TokenError,
};
use crate::services::{AuthService, Session};

/// 30 minutes, the default life of a reset link.
pub const DEFAULT_RESET_LINK_LIFETIME: Duration = Duration::from_secs(30 * 60);

#[derive(Debug, thiserror::Error)]
pub enum RequestResetError {
    #[error(transparent)]
    InvalidEmail(#[from] EmailError),
    /// Too many requests for this address or from this client network.
    #[error(transparent)]
    Throttled(#[from] Throttled),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

#[derive(Debug, thiserror::Error)]
pub enum ConfirmResetError {
    /// The new password breaks the registration rules.
    #[error(transparent)]
    InvalidPassword(#[from] PasswordError),
    /// The secret is malformed, unknown, spent or expired (deliberately one answer).
    #[error("invalid or expired password-reset token")]
    InvalidToken,
    #[error(transparent)]
    Hashing(#[from] HashingError),
    #[error(transparent)]
    Token(#[from] TokenError),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// The ports and settings of password resets; without a mail server there are none, and the
/// routes answer that mail is not configured.
pub struct PasswordResetDeps {
    pub tokens: Arc<dyn PasswordResetTokens>,
    pub mailer: Arc<dyn Mailer>,
    pub templates: Arc<dyn MailTemplates>,
    /// Counts reset requests per address and per client network. Every request is counted
    /// (none is ever settled as a success), so its limits are requests per window.
    pub throttle: Arc<dyn LoginThrottle>,
    pub link: ResetLinkTemplate,
    /// How long a link works.
    pub lifetime: Duration,
}

#[derive(Clone)]
pub struct PasswordResetService {
    auth: AuthService,
    deps: Arc<PasswordResetDeps>,
}

impl std::fmt::Debug for PasswordResetService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PasswordResetService")
            .field("lifetime", &self.deps.lifetime)
            .finish_non_exhaustive()
    }
}

impl PasswordResetService {
    pub fn new(auth: AuthService, deps: PasswordResetDeps) -> Self {
        Self {
            auth,
            deps: Arc::new(deps),
        }
    }

    /// Sends a reset link to `email` if it has an account, in `language`. `Ok` whether or not
    /// it has one; refused only for a malformed address, a throttled one, or storage trouble,
    /// none of which depends on the account existing.
    pub async fn request(
        &self,
        email: &str,
        language: NameLanguage,
        client: ClientAddress,
    ) -> Result<(), RequestResetError> {
        let email = Email::parse(email)?;
        let now = self.auth.deps.clock.now();
        self.deps
            .throttle
            .admit(&email, client, now)
            .await
            .map_err(|err| match err {
                AdmitError::Throttled(throttled) => RequestResetError::Throttled(throttled),
                AdmitError::Storage(err) => RequestResetError::Storage(err),
            })?;
        let secret = ResetSecret::generate();
        let expires_at = now + self.deps.lifetime;
        let has_account = self
            .deps
            .tokens
            .issue(&email, &secret.digest(), now, expires_at)
            .await?;
        if !has_account {
            tracing::info!("password reset requested for an address without an account");
            return Ok(());
        }
        let link = self.deps.link.link(&secret);
        let minutes = self.deps.lifetime.as_secs().div_ceil(60);
        let text = self.deps.templates.password_reset(language, &link, minutes);
        let mail = OutgoingMail {
            to: email,
            subject: text.subject,
            text: text.text,
        };
        match self.deps.mailer.send_later(mail) {
            Ok(()) => tracing::info!("password reset requested: link queued for sending"),
            // Counted by the mailer; the user may ask again.
            Err(err) => tracing::warn!(reason = %err, "password reset requested: link dropped"),
        }
        Ok(())
    }

    /// Sets `new_password` for the account whose live reset secret `token` is, ends every one
    /// of its sessions, clears its failed logins (whoever reads its mail owns it), and signs it
    /// in afresh. The password obeys the registration rules, checked first; the secret is
    /// looked up before the password is hashed, so a wrong secret costs no hashing.
    pub async fn confirm(
        &self,
        token: &str,
        new_password: String,
    ) -> Result<Session, ConfirmResetError> {
        let password = Password::new(new_password)?;
        if self.auth.deps.common_passwords.is_common(&password) {
            return Err(PasswordError::TooCommon.into());
        }
        let digest = ResetSecret::parse(token)
            .map_err(|_| ConfirmResetError::InvalidToken)?
            .digest();
        let now = self.auth.deps.clock.now();
        if self.deps.tokens.holder(&digest, now).await?.is_none() {
            tracing::info!("password reset refused: unknown, spent or expired token");
            return Err(ConfirmResetError::InvalidToken);
        }
        let hash = self.auth.deps.hasher.hash(password).await?;
        let redeemed = self
            .deps
            .tokens
            .redeem(&digest, hash, self.auth.deps.clock.now())
            .await?
            // Spent by a concurrent confirmation, or expired while hashing.
            .ok_or(ConfirmResetError::InvalidToken)?;
        let user = self
            .auth
            .deps
            .users
            .find_by_id(redeemed.user_id)
            .await?
            // Deleted between the reset and this read: nothing left to sign in to.
            .ok_or(ConfirmResetError::InvalidToken)?;
        if let Err(err) = self.auth.deps.throttle.forget_account(&user.email).await {
            tracing::warn!(reason = %err.chain(), "login throttle: clearing a reset account failed");
        }
        let token = self
            .auth
            .deps
            .tokens
            .issue(&user, self.auth.deps.clock.now())?;
        tracing::info!(user_id = %user.id, "password reset; every other session ended");
        Ok(Session { token, user })
    }

    /// Forgets the reset requests counted for `email` (its account is being deleted).
    pub async fn forget_account(&self, email: &Email) -> Result<(), StorageError> {
        self.deps.throttle.forget_account(email).await
    }

    /// Deletes expired reset secrets and forgets expired request counts; how many secrets.
    pub async fn purge_expired(&self) -> Result<u64, StorageError> {
        let now = self.auth.deps.clock.now();
        self.deps.throttle.purge_expired(now).await?;
        self.deps.tokens.purge_expired_links(now).await
    }
}

#[cfg(test)]
mod tests;
