//! The macros that stamp the storage ports into a backend crate, one file per port, and
//! [`implement_storage_ports!`](crate::implement_storage_ports), which stamps them all.

mod call_export;
mod call_history;
mod call_records;
mod call_statistics;
mod call_sweeps;
mod call_usage;
mod health;
mod history_statement;
mod password_resets;
mod revocations;
mod rows;
mod users;

/// Stamps every storage port into the calling backend crate, for its storage type (`storage`),
/// its diesel backend and its connection type. See the crate documentation for what the
/// calling crate provides.
///
/// With `read_replica: by_backend`, the backend crate implements `CallHistory` itself (from the
/// stamped `read_history_here` and `crate::history`) and provides an inherent
/// `fn replica_report(&self) -> Option<ReplicaReport>` that `DatabaseHealth::replica` returns:
/// that is how PostgreSQL reads history from a replica. Without it, history is read on the
/// storage's own pool and `DatabaseHealth::replica` is `None`.
#[macro_export]
macro_rules! implement_storage_ports {
    (
        storage: $storage:ident,
        backend: $($backend:ident)::+,
        connection: $($connection:ident)::+ $(,)?
    ) => {
        $crate::implement_storage_ports!(@ports
            storage: $storage,
            backend: $($backend)::+,
            connection: $($connection)::+,
            history: stamped,
            replica: none,
        );
    };
    (
        storage: $storage:ident,
        backend: $($backend:ident)::+,
        connection: $($connection:ident)::+,
        read_replica: by_backend $(,)?
    ) => {
        $crate::implement_storage_ports!(@ports
            storage: $storage,
            backend: $($backend)::+,
            connection: $($connection)::+,
            history: by_backend,
            replica: by_backend,
        );
    };
    (@ports
        storage: $storage:ident,
        backend: $($backend:ident)::+,
        connection: $($connection:ident)::+,
        history: $history:ident,
        replica: $replica:ident,
    ) => {
        $crate::stamp_rows!(backend: $($backend)::+);
        $crate::stamp_user_repository!($storage, connection: $($connection)::+);
        $crate::stamp_call_records!($storage);
        $crate::stamp_password_reset_tokens!($storage);
        $crate::stamp_call_history!(
            storage: $storage,
            backend: $($backend)::+,
            connection: $($connection)::+,
            impl: $history,
        );
        $crate::stamp_call_export!(storage: $storage, backend: $($backend)::+);
        $crate::stamp_call_usage!($storage);
        $crate::stamp_call_sweeps!($storage);
        $crate::stamp_call_statistics!($storage);
        $crate::stamp_revocation_store!($storage);
        $crate::stamp_database_health!($storage, replica: $replica);
    };
}
