//! Connecting, and what callers see when the database is gone.

use std::time::{Duration, Instant};

use calls_adapters_postgres::testing::TestDatabase;
use calls_adapters_postgres::{ConnectError, POOL_DEFAULTS, PoolOptions, PostgresStorage};
use calls_core::domain::UserId;
use calls_core::ports::{DatabaseHealth, StorageError, UserRepository};
use diesel::prelude::*;

#[test]
fn defaults_match_the_go_backend_pool() {
    assert_eq!(
        POOL_DEFAULTS,
        PoolOptions {
            max_size: 25,
            min_idle: 5,
            connection_timeout: Duration::from_secs(2),
        }
    );
}

#[test]
fn connecting_to_nothing_fails_fast_with_a_clear_error() {
    let started = Instant::now();
    // Port 1 on loopback: nothing listens there, the connection is refused.
    let result = PostgresStorage::connect("postgres://postgres@127.0.0.1:1/calls", POOL_DEFAULTS);
    let error = result.expect_err("nothing listens on port 1");
    assert!(matches!(error, ConnectError::Unreachable(_)), "{error:?}");
    assert!(
        error.to_string().contains("cannot connect to PostgreSQL"),
        "{error}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "took {:?}",
        started.elapsed()
    );
}

#[test]
fn invalid_settings_are_errors_not_panics() {
    let zero = PoolOptions {
        max_size: 0,
        ..POOL_DEFAULTS
    };
    assert!(matches!(
        PostgresStorage::connect("postgres://127.0.0.1/x", zero),
        Err(ConnectError::InvalidOptions(_))
    ));
    let too_idle = PoolOptions {
        max_size: 2,
        min_idle: 3,
        ..POOL_DEFAULTS
    };
    assert!(matches!(
        PostgresStorage::connect("postgres://127.0.0.1/x", too_idle),
        Err(ConnectError::InvalidOptions(_))
    ));
    assert!(matches!(
        PostgresStorage::connect("  ", POOL_DEFAULTS),
        Err(ConnectError::InvalidOptions(_))
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_outage_surfaces_as_unavailable_within_the_timeout() {
    let Some((database, storage)) = TestDatabase::migrated_async().await else {
        return;
    };
    let fast = PostgresStorage::connect(
        database.url(),
        PoolOptions {
            max_size: 2,
            min_idle: 0,
            connection_timeout: Duration::from_secs(2),
        },
    )
    .expect("connect");
    assert_eq!(fast.ping().await, Ok(()));
    drop(storage);

    // Take the database away under the pool: its connections die and cannot be replaced.
    let mut admin = database.admin_connection();
    diesel::sql_query(format!("DROP DATABASE {} WITH (FORCE)", database.name()))
        .execute(&mut admin)
        .expect("dropping the database");

    let started = Instant::now();
    let ping = fast.ping().await;
    assert!(
        matches!(ping, Err(StorageError::Unavailable { .. })),
        "{ping:?}"
    );
    let lookup = fast.find_by_id(UserId::new()).await;
    assert!(
        matches!(lookup, Err(StorageError::Unavailable { .. })),
        "{lookup:?}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(6),
        "two failed operations took {:?}",
        started.elapsed()
    );
}

/// Connections are not tested at checkout (no `SELECT 1` per request), so a connection the
/// server closed must be dropped by the pool once a statement finds it dead, not served again:
/// after the server kills every connection, each dead one fails one request (503), and then
/// every request succeeds.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_the_server_closed_are_dropped_not_reused() {
    const POOL: u32 = 4;
    let Some((database, storage)) = TestDatabase::migrated_async().await else {
        return;
    };
    drop(storage);
    let pool = PostgresStorage::connect(
        database.url(),
        PoolOptions {
            max_size: POOL,
            min_idle: POOL,
            connection_timeout: Duration::from_secs(2),
        },
    )
    .expect("connect");
    // `min_idle = POOL`: the pool opened all its connections before `connect` returned.
    assert_eq!(pool.find_by_id(UserId::new()).await, Ok(None));

    let mut admin = database.admin_connection();
    let killed: Vec<TerminatedRow> = diesel::sql_query(format!(
        "SELECT pg_terminate_backend(pid) AS terminated FROM pg_stat_activity \
         WHERE datname = '{}' AND pid <> pg_backend_pid()",
        database.name()
    ))
    .load(&mut admin)
    .expect("terminating the pool's connections");
    assert!(killed.len() >= POOL as usize, "killed {}", killed.len());

    let mut failures = 0;
    for _ in 0..(3 * POOL) {
        match pool.find_by_id(UserId::new()).await {
            Ok(None) => {}
            Err(StorageError::Unavailable { .. }) => failures += 1,
            other => panic!("unexpected {other:?}"),
        }
    }
    assert!(
        failures <= POOL,
        "{failures} failures: a dead connection was served more than once"
    );
    for attempt in 0..(2 * POOL) {
        assert_eq!(
            pool.find_by_id(UserId::new()).await,
            Ok(None),
            "attempt {attempt} after the pool recovered"
        );
    }
}

#[derive(QueryableByName)]
struct TerminatedRow {
    #[diesel(sql_type = diesel::sql_types::Bool)]
    #[allow(dead_code)]
    terminated: bool,
}
