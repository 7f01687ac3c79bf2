//! Storage of user accounts.

use async_trait::async_trait;

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

    /// Deletes the account and, by cascade, its calls. Returns whether it existed.
    async fn delete(&self, id: UserId) -> Result<bool, StorageError>;
}
