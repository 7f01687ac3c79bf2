//! `calls-server` through PgBouncer in transaction mode (`DATABASE_POOLER=transaction`), on the
//! real binary, a private `pgbouncer` (Debian's package; 1.18 has no prepared-statement support)
//! with few server connections, and the test PostgreSQL:
//!
//! - migrations never run through the pooler: `migrate` refuses without
//!   `DATABASE_MIGRATION_URL` and changes nothing, `serve` refuses an unmigrated schema, both
//!   work with the direct URL, and `serve` without it logs that it skips migrating and serves;
//! - a full journey of many concurrent users over two instances (register, login, initiate,
//!   status callbacks, terminate, history with a date window, a status filter and cursor
//!   pages, logout, the logged-out token refused, the reaper failing an abandoned call) with
//!   zero errors, more client connections than server connections, and no "prepared
//!   statement" error in any log;
//! - and the negative: the same pooler with the statement cache on (`DATABASE_POOLER=none`)
//!   does fail with prepared-statement errors, so the journey is known to be able to fail.
//!
//! It needs `pgbouncer`, so it is ignored by a plain `cargo test`: run it with
//! `cargo test -p calls-server --test pgbouncer -- --ignored` (`just test-pgbouncer`).

#[path = "../support/mod.rs"]
mod support;

mod fake_twilio;
mod journey;
mod one_shot;

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use calls_adapters_postgres::testing::TestDatabase;
use calls_adapters_postgres::testing::pgbouncer::PgBouncer;
use diesel::prelude::*;
use support::ServerProcess;
use support::api::Api;
use tokio::sync::Barrier;

use one_shot::run_to_exit;

/// Concurrent users of the journey.
const USERS: usize = 10;
/// PgBouncer's server connections for the database: fewer than the instances' client
/// connections (2 x `min_idle` at least), so connections are really shared.
const SERVER_CONNECTIONS: u32 = 3;
/// Each instance: a pool of 6, 3 kept open; the reaper sweeps every second and fails calls left
/// ringing for 8 s; expired revocations are purged every second.
const INSTANCE_CONFIG: &str = "[database]\nmax_connections = 6\nmin_idle = 3\n\n\
                               [auth]\nrevocation_purge_interval_secs = 1\n\n\
                               [voip.reaper]\ninterval_secs = 1\nconnecting_timeout_secs = 8\n";
/// What the server logs when it does not migrate at start.
const SKIP_LINE: &str = "not migrating at start";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs pgbouncer: cargo test -p calls-server --test pgbouncer -- --ignored"]
async fn migrations_never_run_through_a_transaction_pooler() {
    let Some(database) = TestDatabase::create() else {
        return;
    };
    let bouncer = PgBouncer::start(SERVER_CONNECTIONS);
    let work = tempfile::tempdir().expect("temp dir");
    let pooled = bouncer.url(database.name());
    let through_pooler = [
        ("DATABASE_URL", pooled.as_str()),
        ("DATABASE_POOLER", "transaction"),
    ];

    let refused = run_to_exit("migrate", &through_pooler, &work.path().join("migrate.log"));
    assert!(!refused.status.success(), "{}", refused.output);
    for named in [
        "DATABASE_MIGRATION_URL",
        "transaction",
        "direct postgres:// URL",
    ] {
        assert!(
            refused.output.contains(named),
            "{named}: {}",
            refused.output
        );
    }
    assert!(!migrated(&database), "a refused migrate changes nothing");

    let refused = run_to_exit("serve", &through_pooler, &work.path().join("serve.log"));
    assert!(!refused.status.success(), "{}", refused.output);
    for named in [SKIP_LINE, "schema is not current", "DATABASE_MIGRATION_URL"] {
        assert!(
            refused.output.contains(named),
            "{named}: {}",
            refused.output
        );
    }
    assert!(
        !migrated(&database),
        "serve did not migrate through the pooler"
    );

    let direct = [
        through_pooler[0],
        through_pooler[1],
        ("DATABASE_MIGRATION_URL", database.url()),
    ];
    let migrate = run_to_exit("migrate", &direct, &work.path().join("direct.log"));
    assert!(migrate.status.success(), "{}", migrate.output);
    assert!(migrated(&database));

    let server = ServerProcess::start(&through_pooler, &work.path().join("server.log"));
    let log = server.log_text();
    assert_eq!(log.matches(SKIP_LINE).count(), 1, "one skip line:\n{log}");
    assert!(log.contains("schema is current"), "{log}");
    let ready = server.api().get("/system/ready").await;
    assert_eq!(ready.status, 200, "{:?}", ready.body);
    let user = server.api().register("skip@example.com").await;
    let history = server.api().get_authed("/api/calls/history", &user).await;
    assert_eq!(history.status, 200, "{:?}", history.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs pgbouncer: cargo test -p calls-server --test pgbouncer -- --ignored"]
async fn a_concurrent_journey_through_pgbouncer_has_no_error() {
    let Some(database) = TestDatabase::create() else {
        return;
    };
    let bouncer = PgBouncer::start(SERVER_CONNECTIONS);
    let twilio = fake_twilio::start().await;
    let work = tempfile::tempdir().expect("temp dir");
    let config = write_config(work.path());
    let pooled = bouncer.url(database.name());
    let mut env: Vec<(&str, String)> = fake_twilio::settings(&twilio);
    env.extend([
        ("DATABASE_URL", pooled),
        ("DATABASE_POOLER", "transaction".to_owned()),
        ("CALLS_CONFIG", config),
    ]);
    let mut with_direct_url = env.clone();
    with_direct_url.push(("DATABASE_MIGRATION_URL", database.url().to_owned()));
    // The first migrates through the direct URL; the second only checks the schema.
    let first = ServerProcess::start(&borrowed(&with_direct_url), &work.path().join("first.log"));
    let second = ServerProcess::start(&borrowed(&env), &work.path().join("second.log"));
    assert!(
        second.log_text().contains(SKIP_LINE),
        "{}",
        second.log_tail(20)
    );

    let sampling = ServerConnections::sample(&database);
    let (one, two) = (client_of(&first), client_of(&second));
    let ready = Barrier::new(USERS);
    futures::future::join_all((0..USERS).map(|index| journey::run(index, [&one, &two], &ready)))
        .await;
    let clients = bouncer.clients_of(database.name());
    let most_server_connections = sampling.stop();

    assert!(
        most_server_connections <= SERVER_CONNECTIONS as usize && most_server_connections > 0,
        "PostgreSQL saw {most_server_connections} connections, PgBouncer allows {SERVER_CONNECTIONS}"
    );
    assert!(
        clients > SERVER_CONNECTIONS as usize,
        "{clients} client connections shared {SERVER_CONNECTIONS} server connections"
    );
    for server in [&first, &second] {
        let log = server.log_text();
        assert!(
            !log.to_lowercase().contains("prepared statement"),
            "no prepared-statement error:\n{}",
            server.log_tail(30)
        );
        assert!(
            !log.contains("\"level\":\"ERROR\""),
            "no ERROR line:\n{}",
            server.log_tail(30)
        );
    }
    assert!(
        !bouncer.log().to_lowercase().contains("prepared statement"),
        "{}",
        bouncer.log()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs pgbouncer: cargo test -p calls-server --test pgbouncer -- --ignored"]
async fn with_the_statement_cache_on_the_same_pooler_fails() {
    let Some((database, storage)) = TestDatabase::migrated_async().await else {
        return;
    };
    drop(storage);
    // One server connection: every client connection's named statements land in one session,
    // where the second to prepare `__diesel_stmt_0` collides with the first.
    let bouncer = PgBouncer::start(1);
    let work = tempfile::tempdir().expect("temp dir");
    let config = write_config(work.path());
    let pooled = bouncer.url(database.name());
    // History on the pool in both: this is about diesel's statement cache (the pipelined
    // history connections name their statements uniquely per process, and are never used
    // behind a transaction pooler anyway).
    let env = |pooler: &'static str| {
        [
            ("DATABASE_URL", pooled.clone()),
            ("DATABASE_POOLER", pooler.to_owned()),
            ("DATABASE_HISTORY_PIPELINE_CONNECTIONS", "0".to_owned()),
            ("CALLS_CONFIG", config.clone()),
            ("VOIP_PROVIDER", "mock".to_owned()),
        ]
    };
    let unnamed = ServerProcess::start(&borrowed(&env("transaction")), &work.path().join("t.log"));
    let token = unnamed.api().register("cache@example.com").await;

    // Bursts of concurrent requests, so that several pooled connections are in use at once.
    let named = ServerProcess::start(&borrowed(&env("none")), &work.path().join("none.log"));
    let mut statuses = Vec::new();
    for _ in 0..5 {
        statuses.extend(burst(&named.api(), &token).await);
        if statuses.iter().any(|status| *status != 200) {
            break;
        }
    }
    assert!(
        statuses.iter().any(|status| *status != 200),
        "named statements through a transaction pooler must fail: {statuses:?}"
    );
    assert!(
        named.log_text().contains("prepared statement"),
        "{}",
        named.log_tail(20)
    );
    drop(named);

    for _ in 0..3 {
        let statuses = burst(&unnamed.api(), &token).await;
        assert!(statuses.iter().all(|status| *status == 200), "{statuses:?}");
    }
    let log = unnamed.log_text();
    assert!(!log.contains("prepared statement"), "{log}");
}

/// 16 history reads at once with `token`; their statuses.
async fn burst(api: &Api, token: &str) -> Vec<u16> {
    futures::future::join_all(
        (0..16).map(|_| async move { api.get_authed("/api/calls/history", token).await.status }),
    )
    .await
}

/// Whether the database has diesel's migration table (any migration ran).
fn migrated(database: &TestDatabase) -> bool {
    #[derive(QueryableByName)]
    struct Present {
        #[diesel(sql_type = diesel::sql_types::Bool)]
        present: bool,
    }
    diesel::sql_query("SELECT to_regclass('__diesel_schema_migrations') IS NOT NULL AS present")
        .get_result::<Present>(&mut database.raw_connection())
        .expect("query")
        .present
}

/// A client that drops connections idle for 2 s: the server closes keep-alive connections
/// after 5 s, and a request sent on one at that moment would be lost to a race that is not
/// the pooler's.
fn client_of(server: &ServerProcess) -> Api {
    let client = reqwest::Client::builder()
        .pool_idle_timeout(Duration::from_secs(2))
        .build()
        .expect("client");
    Api::new(client, server.base())
}

fn write_config(dir: &Path) -> String {
    let path = dir.join("calls.toml");
    std::fs::write(&path, INSTANCE_CONFIG).expect("config written");
    path.to_str().expect("utf-8 path").to_owned()
}

fn borrowed<'a>(env: &'a [(&'a str, String)]) -> Vec<(&'a str, &'a str)> {
    env.iter()
        .map(|(name, value)| (*name, value.as_str()))
        .collect()
}

/// The most connections PostgreSQL served for the database at once, sampled every 50 ms on a
/// direct connection of its own (not counted) until stopped.
struct ServerConnections {
    stop: Arc<AtomicBool>,
    task: std::thread::JoinHandle<usize>,
}

impl ServerConnections {
    fn sample(database: &TestDatabase) -> Self {
        #[derive(QueryableByName)]
        struct Count {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        let mut connection = database.raw_connection();
        let name = database.name().to_owned();
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = Arc::clone(&stop);
        let task = std::thread::spawn(move || {
            let mut most = 0;
            while !stopped.load(Ordering::Relaxed) {
                let count = diesel::sql_query(
                    "SELECT count(*) AS n FROM pg_stat_activity \
                     WHERE datname = $1 AND pid <> pg_backend_pid()",
                )
                .bind::<diesel::sql_types::Text, _>(&name)
                .get_result::<Count>(&mut connection);
                // Ends when the database goes away (a failed test dropping it).
                let Ok(count) = count else { break };
                most = most.max(usize::try_from(count.n).unwrap_or(0));
                std::thread::sleep(Duration::from_millis(50));
            }
            most
        });
        Self { stop, task }
    }

    fn stop(self) -> usize {
        self.stop.store(true, Ordering::Relaxed);
        self.task.join().expect("sampler")
    }
}
