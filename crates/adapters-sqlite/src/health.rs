//! Readiness: the `DatabaseHealth` port.

use async_trait::async_trait;
use calls_core::ports::{DatabaseHealth, StorageError};
use diesel::prelude::*;
use diesel::sql_types::Integer;

use crate::errors::storage_error;
use crate::storage::SqliteStorage;

#[async_trait]
impl DatabaseHealth for SqliteStorage {
    /// `SELECT 1` over a pooled connection: fails with `Unavailable` within the pool's
    /// connection timeout when the server is gone.
    async fn ping(&self) -> Result<(), StorageError> {
        self.db
            .run("ping", |conn| {
                diesel::select(1.into_sql::<Integer>())
                    .get_result::<i32>(conn)
                    .map(drop)
                    .map_err(storage_error)
            })
            .await
    }
}
