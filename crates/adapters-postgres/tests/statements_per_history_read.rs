//! How many statements PostgreSQL receives per history read: one, for every shape of the
//! request (page numbers and cursors, with and without filters, with the session check, and
//! for a revoked token), with no `BEGIN`/`COMMIT` and no connection check.
//!
//! Counted on the wire: the storage reaches PostgreSQL through a small proxy
//! (`testing::counting_proxy`) that forwards every byte and parses the frontend side of the
//! protocol, counting `Execute` and
//! simple `Query` messages (statements run) and `Sync` messages (round trips). The pool has one
//! connection, warmed up once per shape (diesel prepares a statement on first use: a `Parse`
//! round trip, once per connection and shape), so what is counted afterwards is what every
//! later request costs. Both read paths are counted: the blocking pool's, and the pipelined
//! connections' (`PostgresStorage::pipeline_history`, one connection per thread here, on a
//! single-threaded runtime as an HTTP worker is).

use std::time::Duration;

use calls_adapters_postgres::testing::TestDatabase;
use calls_adapters_postgres::testing::counting_proxy::counted;
use calls_adapters_postgres::{
    PIPELINED_APPLICATION_NAME, PipelineTarget, PoolOptions, PostgresStorage, PreparedStatements,
};
use calls_core::domain::{
    CallStatus, HistoryCursor, HistoryFilter, HistoryQuery, PagePosition, UserId,
};
use calls_core::ports::{CallHistory, RevocationKey, RevocationStore, SessionHistory, SessionRef};
use chrono::{Duration as Days, Utc};
use diesel::RunQueryDsl;
use diesel::connection::SimpleConnection;

fn query(user: UserId, filter: HistoryFilter, position: PagePosition) -> HistoryQuery {
    HistoryQuery {
        user_id: user,
        filter,
        limit: 20,
        position,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_history_read_is_one_statement_and_one_round_trip() {
    count_history_reads(ReadPath::Pool).await;
}

#[tokio::test(flavor = "current_thread")]
async fn every_pipelined_history_read_is_one_statement_and_one_round_trip() {
    count_history_reads(ReadPath::Pipelined).await;
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ReadPath {
    Pool,
    Pipelined,
}

async fn count_history_reads(path: ReadPath) {
    let Some((database, _direct)) = TestDatabase::migrated_async().await else {
        return;
    };
    let user = UserId::new();
    let mut raw = database.raw_connection();
    raw.batch_execute(&format!(
        "INSERT INTO users (id, email, password_hash, created_at)
           VALUES ('{user}', 'wire@example.com', 'x', now());
         INSERT INTO calls (id, user_id, phone_number, start_time, duration, status)
           SELECT gen_random_uuid(), '{user}', '+4930901820',
                  now() - make_interval(hours => n * 7), 0,
                  CASE WHEN n % 3 = 0 THEN 'failed' ELSE 'completed' END
           FROM generate_series(1, 300) AS n;"
    ))
    .expect("seed");

    let (url, counts) = counted(database.url());
    let storage = tokio::task::spawn_blocking(move || {
        let mut storage = PostgresStorage::connect(
            &url,
            PoolOptions {
                max_size: 1,
                min_idle: 0,
                connection_timeout: Duration::from_secs(5),
            },
        )
        .expect("storage through the proxy");
        if path == ReadPath::Pipelined {
            let target = PipelineTarget::of(&url, PreparedStatements::Cached, &|_| None)
                .expect("a loopback URL is pipelined");
            storage
                .pipeline_history(target, 1, Duration::from_secs(5))
                .expect("pipelined connections open");
        }
        storage
    })
    .await
    .expect("connect");

    let session = |key: &str| SessionRef {
        key: RevocationKey::new(key.to_owned()),
        user_id: user,
        issued_at: Utc::now() - Days::minutes(1),
    };
    let live = session("a-live-session");
    let revoked = session("a-revoked-session");
    storage
        .revoke(&revoked.key, Utc::now() + Days::hours(1))
        .await
        .expect("revoke");
    let first = storage
        .page(query(
            user,
            HistoryFilter::default(),
            PagePosition::Number(1),
        ))
        .await
        .expect("first page");
    let cursor: HistoryCursor = first.next_cursor.clone().expect("a second page exists");
    let month = HistoryFilter {
        date_from: Some(Utc::now() - Days::days(30)),
        date_to: Some(Utc::now()),
        status: None,
    };
    let failed_in_month = HistoryFilter {
        status: Some(CallStatus::Failed),
        ..month.clone()
    };
    let shapes = [
        (
            "page 1",
            query(user, HistoryFilter::default(), PagePosition::Number(1)),
        ),
        (
            "page 3",
            query(user, HistoryFilter::default(), PagePosition::Number(3)),
        ),
        (
            "page beyond the end",
            query(user, HistoryFilter::default(), PagePosition::Number(99)),
        ),
        (
            "cursor",
            query(
                user,
                HistoryFilter::default(),
                PagePosition::After(cursor.clone()),
            ),
        ),
        (
            "30 days",
            query(user, month.clone(), PagePosition::Number(1)),
        ),
        (
            "30 days, failed, cursor",
            query(user, failed_in_month, PagePosition::After(cursor)),
        ),
    ];

    const READS: usize = 10;
    for (name, shape) in &shapes {
        for (session, expect_page) in [(&live, true), (&revoked, false)] {
            // Warm-up: the statement is prepared on the pool's connection.
            storage
                .page_for_live_session(shape.clone(), session.clone())
                .await
                .expect("warm-up");
            let before = counts.snapshot();
            for _ in 0..READS {
                let read = storage
                    .page_for_live_session(shape.clone(), session.clone())
                    .await
                    .expect("read");
                assert_eq!(
                    matches!(read, SessionHistory::Page(_)),
                    expect_page,
                    "{name}: {read:?}"
                );
            }
            let after = counts.snapshot();
            let (executes, simple, syncs) =
                (after.0 - before.0, after.1 - before.1, after.2 - before.2);
            println!(
                "{path:?}, {name} ({}): {executes} statements and {syncs} round trips for {READS} reads",
                if expect_page { "live" } else { "revoked" }
            );
            assert_eq!(
                simple, 0,
                "{name}: no simple queries (BEGIN, COMMIT, checks)"
            );
            assert_eq!(executes, READS, "{name}: one statement per read");
            assert_eq!(syncs, READS, "{name}: one round trip per read");
        }
    }

    // The reads above went where they were meant to: a pipelined connection is open (and
    // served them: the pool's one connection is libpq's), or none is.
    let pipelined_backends: i64 = diesel::dsl::sql::<diesel::sql_types::BigInt>(&format!(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() \
         AND application_name = '{PIPELINED_APPLICATION_NAME}'"
    ))
    .get_result(&mut raw)
    .expect("pg_stat_activity");
    assert_eq!(
        pipelined_backends,
        i64::from(path == ReadPath::Pipelined),
        "pipelined connections"
    );

    // And the answers are the ones the filters describe (the shapes above are not empty).
    let SessionHistory::Page(page) = storage
        .page_for_live_session(query(user, month, PagePosition::Number(1)), live.clone())
        .await
        .expect("month")
    else {
        panic!("a live session gets its page");
    };
    assert!(page.total > 0 && page.total < 300, "{}", page.total);
}
