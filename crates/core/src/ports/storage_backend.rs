//! Every storage port as one bound: what a database backend implements.

use super::{
    CallExport, CallHistory, CallRecords, CallStatistics, CallSweeps, CallUsage, DatabaseHealth,
    PasswordResetTokens, RevocationStore, UserRepository,
};

/// Declares the trait and its blanket implementation from one list of ports, so the two can
/// never disagree.
macro_rules! every_storage_port {
    ($(#[$doc:meta])* $name:ident: $($port:ident),+ $(,)?) => {
        $(#[$doc])*
        pub trait $name: $($port +)+ Send + Sync + 'static {}

        impl<T> $name for T where T: $($port +)+ Send + Sync + 'static {}
    };
}

every_storage_port! {
    /// A value that implements every storage port: one database backend. The binary hands one
    /// such value to every use case (each sees only the ports it needs), and the storage
    /// contract suite runs every rule against one. Blanket-implemented.
    StorageBackend:
        UserRepository,
        CallRecords,
        CallHistory,
        CallExport,
        CallUsage,
        CallSweeps,
        CallStatistics,
        RevocationStore,
        PasswordResetTokens,
        DatabaseHealth,
}
