//! Readiness: the `DatabaseHealth` port.

use async_trait::async_trait;
use calls_core::ports::{DatabaseHealth, PoolState, StorageError};
use diesel::prelude::*;
use diesel::sql_types::Integer;

use crate::errors::storage_error;
use crate::storage::PostgresStorage;

#[async_trait]
impl DatabaseHealth for PostgresStorage {
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

    /// r2d2's own bookkeeping: no database access.
    fn pool_state(&self) -> PoolState {
        let pool = self.db.pool();
        let state = pool.state();
        PoolState {
            connections: state.connections,
            idle_connections: state.idle_connections,
            max_connections: pool.max_size(),
        }
    }
}
