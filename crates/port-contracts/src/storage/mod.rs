//! Contract suites for the storage ports: [`UserRepository`], [`CallRecords`], [`CallHistory`],
//! [`CallUsage`], [`CallSweeps`], [`CallStatistics`], [`RevocationStore`] and [`DatabaseHealth`].
//!
//! Each rule is one `async fn` taking a fresh, empty, migrated storage and panicking with a
//! message naming the broken rule. An adapter runs all of them, one `#[tokio::test]` each, with
//! [`storage_contract_tests!`](crate::storage_contract_tests) in its `tests/contract.rs`.
//!
//! Times used by the rules are whole microseconds, the precision the domain guarantees, and
//! boundaries are probed one microsecond either side.

pub mod activity;
pub mod calls;
pub mod fixtures;
pub mod health;
pub mod history;
pub mod history_revocation;
mod macros;
pub mod reports;
pub mod revocations;
pub mod status_counts;
pub mod users;

use calls_core::ports::{
    CallHistory, CallRecords, CallStatistics, CallSweeps, CallUsage, DatabaseHealth,
    RevocationStore, UserRepository,
};

/// Everything a storage adapter under test implements. Blanket-implemented.
pub trait StorageUnderTest:
    UserRepository
    + CallRecords
    + CallHistory
    + CallUsage
    + CallSweeps
    + CallStatistics
    + RevocationStore
    + DatabaseHealth
    + Clone
    + Send
    + Sync
    + 'static
{
}

impl<T> StorageUnderTest for T where
    T: UserRepository
        + CallRecords
        + CallHistory
        + CallUsage
        + CallSweeps
        + CallStatistics
        + RevocationStore
        + DatabaseHealth
        + Clone
        + Send
        + Sync
        + 'static
{
}
