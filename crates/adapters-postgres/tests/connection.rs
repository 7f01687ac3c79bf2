//! Connecting, and what callers see when the database is gone.

use std::time::{Duration, Instant};

use calls_adapters_postgres::testing::TestDatabase;
use calls_adapters_postgres::{ConnectError, PoolOptions, PostgresStorage};
use calls_core::domain::UserId;
use calls_core::ports::{DatabaseHealth, StorageError, UserRepository};
use diesel::prelude::*;

#[test]
fn defaults_match_the_go_backend_pool() {
    assert_eq!(
        PoolOptions::default(),
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
    let result = PostgresStorage::connect(
        "postgres://postgres@127.0.0.1:1/calls",
        PoolOptions::default(),
    );
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
        ..PoolOptions::default()
    };
    assert!(matches!(
        PostgresStorage::connect("postgres://127.0.0.1/x", zero),
        Err(ConnectError::InvalidOptions(_))
    ));
    let too_idle = PoolOptions {
        max_size: 2,
        min_idle: 3,
        ..PoolOptions::default()
    };
    assert!(matches!(
        PostgresStorage::connect("postgres://127.0.0.1/x", too_idle),
        Err(ConnectError::InvalidOptions(_))
    ));
    assert!(matches!(
        PostgresStorage::connect("  ", PoolOptions::default()),
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
        matches!(ping, Err(StorageError::Unavailable(_))),
        "{ping:?}"
    );
    let lookup = fast.find_by_id(UserId::new()).await;
    assert!(
        matches!(lookup, Err(StorageError::Unavailable(_))),
        "{lookup:?}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(6),
        "two failed operations took {:?}",
        started.elapsed()
    );
}
