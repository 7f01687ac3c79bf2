//! Contract suites for the storage ports: [`UserRepository`], [`CallRecords`], [`CallHistory`],
//! [`CallExport`], [`CallUsage`], [`CallSweeps`], [`CallStatistics`], [`RevocationStore`],
//! [`PasswordResetTokens`] and [`DatabaseHealth`].
//!
//! Each rule is one `async fn` taking a fresh, empty, migrated storage and panicking with a
//! message naming the broken rule. An adapter runs all of them, one `#[tokio::test]` each, with
//! [`storage_contract_tests!`](crate::storage_contract_tests) in its `tests/contract.rs`.
//!
//! Times used by the rules are whole microseconds, the precision the domain guarantees, and
//! boundaries are probed one microsecond either side.

pub mod activity;
pub mod calls;
pub mod export;
pub mod fixtures;
pub mod health;
pub mod history;
pub mod history_revocation;
mod macros;
pub mod password_resets;
pub mod reports;
pub mod revocations;
pub mod sessions;
pub mod status_counts;
pub mod users;

use calls_core::ports::StorageBackend;

/// Everything a storage adapter under test implements: every storage port, and `Clone` so the
/// concurrency rules can share it between tasks. Blanket-implemented.
pub trait StorageUnderTest: StorageBackend + Clone {}

impl<T: StorageBackend + Clone> StorageUnderTest for T {}
