//! Storage of user accounts.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::StorageError;
use crate::domain::{Email, NewUser, PasswordHash, User, UserId};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CreateUserError {
    /// An account with this email exists already (emails are stored lower-case, so this also
    /// covers any other letter case). Decided by the database's unique index, so concurrent
    /// registrations of one email yield exactly one success.
    #[error("an account with this email already exists")]
    EmailTaken,
    #[error(transparent)]
    Storage(#[from] StorageError),
}

#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait UserRepository: Send + Sync {
    /// Inserts the account. Errors: [`CreateUserError::EmailTaken`], or a storage failure.
    async fn create(&self, user: NewUser) -> Result<User, CreateUserError>;

    /// The account with this (normalized) email, if any.
    async fn find_by_email(&self, email: &Email) -> Result<Option<User>, StorageError>;

    async fn find_by_id(&self, id: UserId) -> Result<Option<User>, StorageError>;

    /// Replaces the stored hash (the bcrypt -> argon2id upgrade at login). Returns whether the
    /// account existed.
    async fn update_password_hash(
        &self,
        id: UserId,
        hash: PasswordHash,
    ) -> Result<bool, StorageError>;

    /// Ends every session of the user opened up to `at`: sets `sessions_valid_after` to
    /// [`crate::domain::sessions_cutoff`]`(at)`, unless a later cutoff is stored already (a
    /// cutoff never moves back, whatever the callers' clocks say). Returns the cutoff now in
    /// force, or `None` when the account does not exist.
    async fn end_all_sessions(
        &self,
        id: UserId,
        at: DateTime<Utc>,
    ) -> Result<Option<DateTime<Utc>>, StorageError>;

    /// Replaces the hash and ends every session opened up to `at`, in one transaction (as
    /// [`UserRepository::end_all_sessions`]): a new password never leaves an old session live.
    /// Returns the cutoff in force, or `None` when the account does not exist.
    async fn change_password(
        &self,
        id: UserId,
        hash: PasswordHash,
        at: DateTime<Utc>,
    ) -> Result<Option<DateTime<Utc>>, StorageError>;

    /// Deletes the account with its calls and their counters, in one transaction (the calls
    /// first, so the counter triggers see them go; then the counters; then the user). Its
    /// tokens die with the row (no user, no live session). Returns whether it existed.
    async fn delete(&self, id: UserId) -> Result<bool, StorageError>;
}
