//! The pipelined history reader (`PostgresStorage::pipeline_history`) where it differs from the
//! pool: connections per thread shared by concurrent reads, a connection the server closes
//! replaced without an error, and a target that does not answer refused at set-up (the reads
//! then stay on the pool). Its answers are the storage contract's (`contract_pipelined.rs`).

use std::time::{Duration, Instant};

use calls_adapters_postgres::testing::TestDatabase;
use calls_adapters_postgres::{
    NotPipelined, PIPELINED_APPLICATION_NAME, PipelineTarget, PostgresStorage, PreparedStatements,
};
use calls_core::domain::{HistoryFilter, HistoryQuery, PagePosition, UserId};
use calls_core::ports::CallHistory;
use diesel::connection::SimpleConnection;
use diesel::{PgConnection, RunQueryDsl};

fn first_page(user: UserId) -> HistoryQuery {
    HistoryQuery {
        user_id: user,
        filter: HistoryFilter::default(),
        limit: 20,
        position: PagePosition::Number(1),
    }
}

/// A user with `calls` calls, inserted with plain SQL.
fn seed_user(raw: &mut PgConnection, calls: usize) -> UserId {
    let user = UserId::new();
    raw.batch_execute(&format!(
        "INSERT INTO users (id, email, password_hash, created_at)
           VALUES ('{user}', '{user}@example.com', 'x', now());
         INSERT INTO calls (id, user_id, phone_number, start_time, duration, status)
           SELECT gen_random_uuid(), '{user}', '+4930901820',
                  now() - make_interval(mins => n), 0, 'completed'
           FROM generate_series(1, {calls}) AS n;"
    ))
    .expect("seed");
    user
}

/// The backend pids of the pipelined connections to the test database.
fn pipelined_backends(raw: &mut PgConnection) -> Vec<i32> {
    #[derive(diesel::QueryableByName)]
    struct Backend {
        #[diesel(sql_type = diesel::sql_types::Integer)]
        pid: i32,
    }
    diesel::sql_query(format!(
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database() \
         AND application_name = '{PIPELINED_APPLICATION_NAME}' ORDER BY pid"
    ))
    .load::<Backend>(raw)
    .expect("pg_stat_activity")
    .into_iter()
    .map(|backend| backend.pid)
    .collect()
}

#[tokio::test(flavor = "current_thread")]
async fn concurrent_reads_on_one_thread_share_its_connections() {
    let Some((database, storage)) = TestDatabase::migrated_pipelined_async(2).await else {
        return;
    };
    let mut raw = database.raw_connection();
    let users: Vec<(UserId, u64)> = [3, 25, 70]
        .into_iter()
        .map(|calls| (seed_user(&mut raw, calls), calls as u64))
        .collect();

    let reads = (0..60).map(|n| {
        let (user, calls) = users[n % users.len()];
        let storage = storage.clone();
        async move { (calls, storage.page(first_page(user)).await) }
    });
    for (calls, page) in futures::future::join_all(reads).await {
        let page = page.expect("a pipelined read");
        assert_eq!(page.total, calls);
        assert_eq!(page.calls.len() as u64, calls.min(20));
        assert_eq!(page.next_cursor.is_some(), calls > 20);
    }
    let backends = pipelined_backends(&mut raw);
    assert!(
        !backends.is_empty() && backends.len() <= 2,
        "60 concurrent reads on one thread use at most its 2 connections: {backends:?}"
    );
}

#[tokio::test(flavor = "current_thread")]
async fn a_connection_the_server_closes_is_replaced_without_an_error() {
    let Some((database, storage)) = TestDatabase::migrated_pipelined_async(1).await else {
        return;
    };
    let mut raw = database.raw_connection();
    let user = seed_user(&mut raw, 5);
    assert_eq!(storage.page(first_page(user)).await.expect("read").total, 5);
    let before = pipelined_backends(&mut raw);
    assert_eq!(before.len(), 1, "{before:?}");

    for round in 0..3 {
        raw.batch_execute(&format!(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE datname = current_database() AND application_name = '{PIPELINED_APPLICATION_NAME}'"
        ))
        .expect("terminate");
        // Either the connection's task has seen the goodbye and the read opens a new one, or
        // the read meets the dead connection and is sent again: no error either way.
        let page = storage
            .page(first_page(user))
            .await
            .unwrap_or_else(|error| panic!("round {round}: {error}"));
        assert_eq!(page.total, 5);
    }
    let after = pipelined_backends(&mut raw);
    assert_eq!(after.len(), 1, "{after:?}");
    assert_ne!(after, before, "a new backend serves the reads");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_target_that_does_not_answer_is_refused_and_reads_stay_on_the_pool() {
    let Some((database, storage)) = TestDatabase::migrated_async().await else {
        return;
    };
    let mut raw = database.raw_connection();
    let user = seed_user(&mut raw, 4);
    // A loopback port nothing listens on (bound, then released).
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .port();
    let nowhere = format!("postgres://postgres@127.0.0.1:{port}/nothing");
    let outcome = tokio::task::spawn_blocking(move || {
        let mut storage: PostgresStorage = storage;
        let target = PipelineTarget::of(&nowhere, PreparedStatements::Cached, &|_| None)
            .expect("a loopback URL is pipelined");
        let started = Instant::now();
        let outcome = storage.pipeline_history(target, 2, Duration::from_secs(2));
        (storage, outcome, started.elapsed())
    })
    .await
    .expect("set-up");
    let (storage, outcome, took) = outcome;
    assert!(
        matches!(outcome, Err(NotPipelined::Unreachable(_))),
        "{outcome:?}"
    );
    assert!(
        took < Duration::from_secs(4),
        "bounded by the timeout: {took:?}"
    );
    assert_eq!(storage.page(first_page(user)).await.expect("read").total, 4);
    assert!(pipelined_backends(&mut raw).is_empty());
    assert!(format!("{storage:?}").contains("pipelined_history: false"));
}
