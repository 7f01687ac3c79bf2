//! `PostgresLoginThrottle`: the port's contract on a fresh migrated database, and what only a
//! shared store can promise: two instances (two pools) share the counts, a restarted instance
//! still sees the lock, the table stays bounded, and an outage is "unavailable".

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use calls_adapters_postgres::testing::TestDatabase;
use calls_adapters_postgres::{PoolOptions, PostgresLoginThrottle, PostgresStorage};
use calls_core::domain::Email;
use calls_core::ports::{AdmitError, LoginThrottle, StorageError, ThrottleLimits};
use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use diesel::prelude::*;
use diesel::sql_types::BigInt;

calls_port_contracts::login_throttle_contract_tests!(|limits| async move {
    let (database, storage) = TestDatabase::migrated_async().await?;
    Some((database, PostgresLoginThrottle::new(&storage, limits)))
});

const LIMITS: ThrottleLimits = ThrottleLimits {
    max_failures_per_account: 5,
    max_failures_per_client: 20,
    window: Duration::from_secs(900),
};

fn at(seconds: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 3, 9, 0, 0)
        .single()
        .expect("valid")
        + TimeDelta::seconds(seconds)
}

fn email(raw: &str) -> Email {
    Email::parse(raw).expect("valid email")
}

fn client(index: u32) -> IpAddr {
    IpAddr::from((0xc633_6400 + index).to_be_bytes())
}

/// An "instance": a pool of its own on the database, as another server process would have.
fn instance(database: &TestDatabase) -> Arc<dyn LoginThrottle> {
    Arc::new(PostgresLoginThrottle::new(&database.connect(), LIMITS))
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    rows: i64,
}

fn rows(database: &TestDatabase) -> i64 {
    diesel::sql_query("SELECT count(*) AS rows FROM login_throttle")
        .get_result::<Count>(&mut database.raw_connection())
        .expect("counting rows")
        .rows
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_share_the_account_count() {
    let Some((database, _storage)) = TestDatabase::migrated_async().await else {
        return;
    };
    let (first, second) = (instance(&database), instance(&database));
    let alice = email("alice@example.com");
    for attempt in 0..5u32 {
        let on = if attempt % 2 == 0 { &first } else { &second };
        on.admit(&alice, client(attempt), at(i64::from(attempt)))
            .await
            .expect("five failures are admitted, whichever instance they reach");
    }
    for on in [&first, &second] {
        assert!(
            matches!(
                on.admit(&alice, client(9), at(10)).await,
                Err(AdmitError::Throttled(_))
            ),
            "the sixth is refused on every instance"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_attempts_over_two_instances_admit_exactly_the_limit() {
    let Some((database, _storage)) = TestDatabase::migrated_async().await else {
        return;
    };
    let instances = [instance(&database), instance(&database)];
    let barrier = Arc::new(tokio::sync::Barrier::new(16));
    let tasks: Vec<_> = (0..16u32)
        .map(|index| {
            let throttle = Arc::clone(&instances[index as usize % 2]);
            let barrier = Arc::clone(&barrier);
            tokio::spawn(async move {
                barrier.wait().await;
                throttle
                    .admit(&email("alice@example.com"), client(index), at(0))
                    .await
            })
        })
        .collect();
    let mut admitted = 0;
    for task in tasks {
        match task.await.expect("task") {
            Ok(_) => admitted += 1,
            Err(AdmitError::Throttled(_)) => {}
            Err(err) => panic!("{err:?}"),
        }
    }
    assert_eq!(admitted, 5);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restarted_instance_still_sees_the_lock() {
    let Some((database, _storage)) = TestDatabase::migrated_async().await else {
        return;
    };
    let alice = email("alice@example.com");
    {
        let before = instance(&database);
        for second in 0..5 {
            before
                .admit(&alice, client(1), at(second))
                .await
                .expect("admitted");
        }
    }
    // The first instance and its pool are gone; a new one starts on the same database.
    let after = instance(&database);
    match after.admit(&alice, client(2), at(100)).await {
        Err(AdmitError::Throttled(throttled)) => {
            assert_eq!(throttled.retry_after, Duration::from_secs(800));
        }
        other => panic!("the lock must survive the restart: {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_rows_are_purged_so_the_table_stays_bounded() {
    let Some((database, _storage)) = TestDatabase::migrated_async().await else {
        return;
    };
    let throttle = instance(&database);
    for index in 0..50 {
        throttle
            .admit(
                &email(&format!("user{index}@example.com")),
                client(index),
                at(0),
            )
            .await
            .expect("admitted");
    }
    assert_eq!(rows(&database), 100, "one row per account and per client");
    // Each attempt after the window deletes a few expired rows on the way.
    for index in 0..10 {
        throttle
            .admit(
                &email(&format!("late{index}@example.com")),
                client(1000),
                at(1000),
            )
            .await
            .expect("admitted");
    }
    let left = rows(&database);
    assert_eq!(
        left,
        100 + 11 - 10 * 4,
        "each attempt deletes four expired rows on the way"
    );
    // The periodic purge takes the rest of the expired rows, and only those.
    let purged = throttle.purge_expired(at(1000)).await.expect("purged");
    assert_eq!(
        rows(&database),
        11,
        "the late attempts' rows stay ({purged} purged)"
    );
    assert_eq!(
        u64::try_from(left - 11).expect("non-negative"),
        purged,
        "purge reports what it deleted"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_purging_at_once_delete_each_row_once() {
    let Some((database, _storage)) = TestDatabase::migrated_async().await else {
        return;
    };
    let throttle = instance(&database);
    for index in 0..200 {
        throttle
            .admit(
                &email(&format!("user{index}@example.com")),
                client(index),
                at(0),
            )
            .await
            .expect("admitted");
    }
    let (first, second) = (instance(&database), instance(&database));
    let (a, b) = tokio::join!(
        first.purge_expired(at(1000)),
        second.purge_expired(at(1000))
    );
    assert_eq!(a.expect("first purge") + b.expect("second purge"), 400);
    assert_eq!(rows(&database), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_outage_is_unavailable_for_every_operation() {
    let Some((database, storage)) = TestDatabase::migrated_async().await else {
        return;
    };
    drop(storage);
    // A short wait for a connection, so that the operations after the outage fail fast.
    let options = PoolOptions {
        max_size: 2,
        min_idle: 0,
        connection_timeout: Duration::from_secs(1),
    };
    let storage = PostgresStorage::connect(database.url(), options).expect("connect");
    let throttle = PostgresLoginThrottle::new(&storage, LIMITS);
    let attempt = throttle
        .admit(&email("alice@example.com"), client(1), at(0))
        .await
        .expect("admitted while the database is up");

    let mut admin = database.admin_connection();
    diesel::sql_query(format!("DROP DATABASE {} WITH (FORCE)", database.name()))
        .execute(&mut admin)
        .expect("dropping the database");

    let admit = throttle
        .admit(&email("alice@example.com"), client(1), at(1))
        .await;
    assert!(
        matches!(admit, Err(AdmitError::Storage(ref err)) if err.is_unavailable()),
        "{admit:?}"
    );
    for result in [
        throttle.succeeded(&attempt).await,
        throttle.withdraw(&attempt).await,
        throttle.purge_expired(at(2)).await.map(drop),
    ] {
        assert!(
            matches!(result, Err(StorageError::Unavailable { .. })),
            "{result:?}"
        );
    }
}

/// The password-reset requests' throttle: the same contract in a namespace of its own.
mod namespaced {
    use calls_adapters_postgres::PostgresLoginThrottle;
    use calls_adapters_postgres::testing::TestDatabase;

    calls_port_contracts::login_throttle_contract_tests!(|limits| async move {
        let (database, storage) = TestDatabase::migrated_async().await?;
        Some((
            database,
            PostgresLoginThrottle::in_namespace(&storage, limits, "password-reset:"),
        ))
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn throttles_in_different_namespaces_do_not_count_into_each_other() {
    let Some((_database, storage)) = TestDatabase::migrated_async().await else {
        return;
    };
    let one_each = ThrottleLimits {
        max_failures_per_account: 1,
        max_failures_per_client: 1,
        window: Duration::from_secs(900),
    };
    let logins = PostgresLoginThrottle::new(&storage, one_each);
    let resets = PostgresLoginThrottle::in_namespace(&storage, one_each, "password-reset:");
    let alice = email("alice@example.com");
    resets
        .admit(&alice, client(1), at(0))
        .await
        .expect("first reset request");
    assert!(
        matches!(
            resets.admit(&alice, client(1), at(1)).await,
            Err(AdmitError::Throttled(_))
        ),
        "the reset throttle's own limit holds"
    );
    logins
        .admit(&alice, client(1), at(2))
        .await
        .expect("the login throttle has counted nothing for alice or the client");
    resets.forget_account(&alice).await.expect("forget");
    assert!(
        matches!(
            logins.admit(&alice, client(2), at(3)).await,
            Err(AdmitError::Throttled(_))
        ),
        "forgetting in one namespace leaves the other's count"
    );
}

/// A refusal is remembered by the instance that received it (`refusal_memo`): with the table
/// emptied behind its back, the same account is still refused there without asking the
/// database, for that account only, while another instance asks and admits. Settling an
/// attempt on the remembering instance forgets the refusal at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refusal_is_remembered_only_by_its_instance_and_only_for_its_key() {
    let Some((database, _storage)) = TestDatabase::migrated_async().await else {
        return;
    };
    let (remembering, other) = (instance(&database), instance(&database));
    let alice = email("alice@example.com");
    let mut admitted = Vec::new();
    for attempt in 0..5u32 {
        admitted.push(
            remembering
                .admit(&alice, client(attempt), at(0))
                .await
                .expect("admitted"),
        );
    }
    assert!(matches!(
        remembering.admit(&alice, client(9), at(1)).await,
        Err(AdmitError::Throttled(_))
    ));
    diesel::sql_query("DELETE FROM login_throttle")
        .execute(&mut database.raw_connection())
        .expect("emptying the table");

    assert!(
        matches!(
            remembering.admit(&alice, client(9), at(2)).await,
            Err(AdmitError::Throttled(_))
        ),
        "the remembered refusal answers without the database"
    );
    assert_eq!(rows(&database), 0, "and it wrote nothing there");
    remembering
        .admit(&email("bob@example.com"), client(9), at(2))
        .await
        .expect("another account from the same address is asked about, and admitted");
    other
        .admit(&alice, client(9), at(2))
        .await
        .expect("another instance asks the database, which has forgotten");

    // A settled attempt of alice's changes her count here: the memo lets go.
    remembering
        .withdraw(&admitted[0])
        .await
        .expect("withdrawing");
    remembering
        .admit(&alice, client(9), at(3))
        .await
        .expect("asked again after the settle");
}

/// Past the memo's life the database is asked again, and its answer stands.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_remembered_refusal_is_believed_for_about_a_second() {
    let Some((database, _storage)) = TestDatabase::migrated_async().await else {
        return;
    };
    let throttle = instance(&database);
    let alice = email("alice@example.com");
    for attempt in 0..5u32 {
        throttle
            .admit(&alice, client(attempt), at(0))
            .await
            .expect("admitted");
    }
    assert!(throttle.admit(&alice, client(9), at(1)).await.is_err());
    diesel::sql_query("DELETE FROM login_throttle")
        .execute(&mut database.raw_connection())
        .expect("emptying the table");
    tokio::time::sleep(Duration::from_millis(1_200)).await;
    throttle
        .admit(&alice, client(9), at(2))
        .await
        .expect("the memo has expired: the database, now empty, admits");
}
