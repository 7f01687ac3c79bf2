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

/// The suite above is known to be able to fail: through a pooler with one server connection,
/// the same pool with diesel's statement cache on ([`PreparedStatements::Cached`]) fails
/// concurrent reads (several connections prepare `__diesel_stmt_0` in one server session),
/// and with [`PreparedStatements::Unnamed`] the same reads all succeed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs pgbouncer: cargo test -p calls-adapters-postgres --test contract_pgbouncer -- --ignored"]
async fn named_statements_fail_through_the_pooler_and_unnamed_ones_do_not() {
    use calls_core::domain::Email;
    use calls_core::ports::UserRepository;

    let Some((database, direct)) = TestDatabase::migrated_async().await else {
        return;
    };
    drop(direct);
    let bouncer = tokio::task::spawn_blocking(|| PgBouncer::start(1))
        .await
        .expect("pgbouncer");
    let url = bouncer.url(database.name());
    let email = Email::parse("nobody@example.com").expect("email");
    for (statements, must_fail) in [
        (PreparedStatements::Cached, true),
        (PreparedStatements::Unnamed, false),
    ] {
        let url = url.clone();
        let storage = tokio::task::spawn_blocking(move || {
            PostgresStorage::connect_with(&url, TestDatabase::pool_options(), statements)
        })
        .await
        .expect("connect task")
        .expect("connect through pgbouncer");
        let mut failures = Vec::new();
        for _ in 0..5 {
            let mut reads = tokio::task::JoinSet::new();
            for _ in 0..16 {
                let (storage, email) = (storage.clone(), email.clone());
                reads.spawn(async move { storage.find_by_email(&email).await });
            }
            while let Some(read) = reads.join_next().await {
                if let Err(error) = read.expect("read task") {
                    failures.push(error.chain());
                }
            }
            if must_fail && !failures.is_empty() {
                break;
            }
        }
        if must_fail {
            assert!(
                failures
                    .iter()
                    .any(|error| error.contains("prepared statement")),
                "{statements:?}: {failures:?}"
            );
        } else {
            assert!(failures.is_empty(), "{statements:?}: {failures:?}");
        }
    }
}
