//! The storage contract suite through PgBouncer in transaction mode: every rule on a fresh
//! database, migrated directly (migrations never run through a transaction-mode pooler), then
//! used through a private `pgbouncer` with two server connections, by a pool that sends
//! unnamed statements ([`PreparedStatements::Unnamed`]).
//!
//! It needs the `pgbouncer` binary (Debian's package), so it is ignored by a plain
//! `cargo test`: `cargo test -p calls-adapters-postgres --test contract_pgbouncer -- --ignored`
//! (`just test-pgbouncer`; `.ci/run` installs the package). Without it every test fails.

use calls_adapters_postgres::testing::TestDatabase;
use calls_adapters_postgres::testing::pgbouncer::PgBouncer;
use calls_adapters_postgres::{PostgresStorage, PreparedStatements};

/// Fewer server connections than the test pool's 10, so the rules' concurrent operations
/// really share them.
const SERVER_CONNECTIONS: u32 = 2;

calls_port_contracts::storage_contract_tests!(
    attributes [#[ignore = "needs pgbouncer: cargo test -p calls-adapters-postgres --test contract_pgbouncer -- --ignored"]]
    through_pgbouncer()
);

/// A fresh migrated database and a storage that reaches it only through its own PgBouncer.
/// The guard drops the pooler (killed) before the database.
async fn through_pgbouncer() -> Option<((PgBouncer, TestDatabase), PostgresStorage)> {
    tokio::task::spawn_blocking(|| {
        let (database, direct) = TestDatabase::migrated()?;
        drop(direct);
        let bouncer = PgBouncer::start(SERVER_CONNECTIONS);
        let storage = PostgresStorage::connect_with(
            &bouncer.url(database.name()),
            TestDatabase::pool_options(),
            PreparedStatements::Unnamed,
        )
        .unwrap_or_else(|error| panic!("connecting through pgbouncer: {error}"));
        Some(((bouncer, database), storage))
    })
    .await
    .expect("setting up a database behind pgbouncer")
}
