//! Readiness of the database, for `/system/ready`.

use async_trait::async_trait;

use super::StorageError;

#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait DatabaseHealth: Send + Sync {
    /// Runs a trivial query. Errors: [`StorageError::Unavailable`] when the database does not
    /// answer in time.
    async fn ping(&self) -> Result<(), StorageError>;
}
