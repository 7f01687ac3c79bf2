//! `stamp_database_health!`: readiness and the pool's state.

/// Implements `DatabaseHealth` for the calling crate's storage type; `replica: by_backend`
/// reports the backend's inherent `replica_report()`, `replica: none` reports no replica.
#[macro_export]
macro_rules! stamp_database_health {
    ($storage:ident, replica: none) => {
        $crate::stamp_database_health!(@impl $storage, |_storage| None);
    };
    ($storage:ident, replica: by_backend) => {
        $crate::stamp_database_health!(@impl $storage, |storage| storage.replica_report());
    };
    (@impl $storage:ident, $replica:expr) => {
        const _: () = {
            use calls_core::ports::{DatabaseHealth, PoolState, ReplicaReport, StorageError};
            use diesel::prelude::*;
            use diesel::sql_types::Integer;
            use $crate::errors::storage_error;

            #[async_trait::async_trait]
            impl DatabaseHealth for $storage {
                /// `SELECT 1` over a pooled connection: fails with `Unavailable` within the
                /// pool's connection timeout when the database is gone.
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
                    self.db.pool_state()
                }

                /// The backend's read replica, if it has one (no database access).
                fn replica(&self) -> Option<ReplicaReport> {
                    let report: fn(&$storage) -> Option<ReplicaReport> = $replica;
                    report(self)
                }
            }
        };
    };
}
