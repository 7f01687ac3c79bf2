//! History read from a real streaming replica.
//!
//! Each test makes a private primary cluster (`initdb`, `pg_ctl`) and a replica of it
//! (`pg_basebackup -R`), on free local ports, both stopped on drop whatever happens.
//!
//! `history_is_read_from_the_replica_and_never_stale_revived_or_failing` runs two
//! `calls-server` processes on the pair (the replica behind a TCP relay that can turn into a
//! black hole: a host that stops answering, the worst case for connection timeouts) and checks
//! that history pages are read on the replica (its statistics and the servers' metrics), then,
//! with replay paused, that a user's own writes through one instance are in their next page
//! through the other and that a logged-out token is refused; that a replica lagging beyond
//! `database.replica_max_lag_ms` is not read; and that a dead replica costs no request an
//! error or a connection timeout while `/system/health` stays 200 and reports it down.
//!
//! `the_storage_contract_holds_with_a_replica` runs every storage contract rule on a
//! `PostgresStorage` reading history from the replica.
//!
//! `a_history_read_is_one_statement_on_the_primary_and_one_on_the_replica` counts the
//! statements each database receives per read, on the wire: one on each, and when the replica
//! has not replayed the user's last write, a second one on the primary (the page).
//!
//! All are ignored by a plain `cargo test`: `cargo test -p calls-server --test replica --
//! --ignored` (`just test-replica`). Without PostgreSQL's server binaries they fail.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use calls_adapters_postgres::testing::TestDatabase;
use calls_adapters_postgres::{PoolOptions, PostgresStorage, ReplicaOptions};
use calls_core::ports::{DatabaseHealth, HistoryReadSource, ReplicaCondition};
use reqwest::Method;
use serde_json::{Value, json};
use support::api::Api;
use support::cluster::{Cluster, free_port};
use support::{Answer, NUMBER, PASSWORD, ServerProcess};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// Long enough for the reads right after a write with replay paused to come before the lag
/// passes it, on a busy machine.
const MAX_LAG_MS: u64 = 3000;
/// The replica pool's wait for a connection: what every request would pay against a replica
/// that stopped answering if nothing kept requests away from it.
const REPLICA_CONNECT_TIMEOUT_MS: u64 = 2500;
/// How long anything the test waits for may take.
const PATIENCE: Duration = Duration::from_secs(30);

/// A primary and its streaming replica. The replica is stopped first.
struct Pair {
    replica: Cluster,
    primary: Cluster,
}

impl Pair {
    /// Starts a primary (with `settings`), backs it up into a replica, starts that, and waits
    /// until it streams.
    fn start(settings: &[&str]) -> Self {
        // Throw-away clusters: no need to survive a power cut.
        let mut settings = settings.to_vec();
        settings.extend(["fsync=off", "full_page_writes=off"]);
        let primary = Cluster::create("calls-primary-", free_port());
        primary.start_with(&settings);
        let replica = Cluster::replica_of(&primary, "calls-replica-", free_port());
        replica.start_with(&["fsync=off"]);
        wait_until("the replica streams from the primary", || {
            primary
                .try_query_in(
                    "postgres",
                    "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'",
                )
                .as_deref()
                == Some("1")
        });
        Self { replica, primary }
    }

    /// Creates `database` on the primary (`CREATE DATABASE ...` plus `suffix`) and waits until
    /// the replica has replayed it.
    fn create_database(&self, database: &str, suffix: &str) {
        self.primary
            .query(&format!("CREATE DATABASE {database} {suffix}"));
        wait_until("the replica has the new database", || {
            self.replica.try_query_in(database, "SELECT 1").as_deref() == Some("1")
        });
    }

    /// Waits until the replica has replayed everything the primary has written so far.
    fn wait_replayed(&self) {
        let position = self.primary.query("SELECT pg_current_wal_lsn()");
        wait_until("the replica replays the primary's writes", || {
            self.replica
                .try_query_in(
                    "postgres",
                    &format!("SELECT pg_last_wal_replay_lsn() >= '{position}'::pg_lsn"),
                )
                .as_deref()
                == Some("t")
        });
    }
}

fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + PATIENCE;
    while !done() {
        assert!(Instant::now() < deadline, "{what}: not within {PATIENCE:?}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A TCP relay to the replica that can become a black hole: connections it then accepts are
/// never answered, and those it was relaying are cut.
struct Relay {
    port: u16,
    black_hole: Arc<AtomicBool>,
    task: JoinHandle<()>,
}

impl Relay {
    async fn start(target: u16) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("relay port");
        let port = listener.local_addr().expect("relay address").port();
        let black_hole = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&black_hole);
        let task = tokio::spawn(async move {
            let mut swallowed = Vec::new();
            while let Ok((mut inbound, _)) = listener.accept().await {
                if flag.load(Ordering::SeqCst) {
                    swallowed.push(inbound);
                    continue;
                }
                let flag = Arc::clone(&flag);
                tokio::spawn(async move {
                    let Ok(mut outbound) = TcpStream::connect(("127.0.0.1", target)).await else {
                        return;
                    };
                    let cut = async {
                        while !flag.load(Ordering::SeqCst) {
                            tokio::time::sleep(Duration::from_millis(20)).await;
                        }
                    };
                    tokio::select! {
                        _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound) => {}
                        () = cut => {}
                    }
                });
            }
        });
        Self {
            port,
            black_hole,
            task,
        }
    }

    fn swallow_everything(&self) {
        self.black_hole.store(true, Ordering::SeqCst);
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A `calls-server` process with its metrics listener.
struct Instance {
    server: ServerProcess,
    api: Api,
    metrics: String,
}

impl Instance {
    fn start(name: &str, env: &[(&str, &str)], dir: &std::path::Path) -> Self {
        let mut env = env.to_vec();
        env.push(("METRICS_ADDR", "127.0.0.1:0"));
        let server = ServerProcess::start(&env, &dir.join(format!("server-{name}.log")));
        let metrics_port = server
            .log_text()
            .lines()
            .filter_map(|line| serde_json::from_str::<Value>(line).ok())
            .find(|entry| entry["message"] == "metrics listening")
            .and_then(|entry| entry["port"].as_u64())
            .expect("the metrics port is logged");
        let api = server.api();
        Self {
            metrics: format!("http://127.0.0.1:{metrics_port}/metrics"),
            server,
            api,
        }
    }

    /// `history_reads_total` for one (database, reason).
    async fn reads(&self, source: HistoryReadSource) -> u64 {
        let text = reqwest::get(&self.metrics)
            .await
            .expect("metrics answer")
            .text()
            .await
            .expect("metrics body");
        let series = format!(
            "history_reads_total{{database=\"{}\",reason=\"{}\"}} ",
            source.database(),
            source.reason()
        );
        text.lines()
            .find_map(|line| line.strip_prefix(&series))
            .and_then(|value| value.trim().parse().ok())
            .unwrap_or_else(|| panic!("no {series} in\n{text}"))
    }

    /// `/system/health`: must be 200 `ok`; returns its `replica` object.
    async fn replica_health(&self) -> Value {
        let health = self.api.get("/system/health").await;
        assert_eq!(health.status, 200, "health: {}", health.body);
        assert_eq!(health.body["status"], "ok", "{}", health.body);
        health.body["replica"].clone()
    }

    async fn wait_replica(&self, status: &str) -> Value {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let replica = self.replica_health().await;
            if replica["status"] == status {
                return replica;
            }
            assert!(
                Instant::now() < deadline,
                "the replica is not reported {status} within {PATIENCE:?}: {replica}\n{}",
                self.server.log_tail(20)
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    async fn history(&self, token: &str) -> Answer {
        self.api
            .get_authed("/api/calls/history?limit=100", token)
            .await
    }

    /// The history page, which must be 200.
    async fn page(&self, token: &str) -> Value {
        let page = self.history(token).await;
        assert_eq!(page.status, 200, "history: {}", page.body);
        page.body
    }

    async fn create_call(&self, token: &str) -> String {
        let created = self
            .api
            .post_json_authed("/api/calls", token, &json!({ "phone_number": NUMBER }))
            .await;
        assert_eq!(created.status, 201, "create: {}", created.body);
        created.body["id"].as_str().expect("id").to_owned()
    }
}

/// The status and duration of `call` in a history page, if it is there.
fn listed(page: &Value, call: &str) -> Option<(String, u64)> {
    page["calls"].as_array()?.iter().find_map(|entry| {
        (entry["callId"] == call).then(|| {
            (
                entry["status"].as_str().unwrap_or_default().to_owned(),
                entry["duration"].as_u64().unwrap_or_default(),
            )
        })
    })
}

/// Index and sequential scans of `calls` the server has counted (its statistics).
fn calls_scans(cluster: &Cluster) -> u64 {
    cluster
        .query_in(
            "calls",
            "SELECT coalesce(idx_scan, 0) + coalesce(seq_scan, 0) FROM pg_stat_user_tables \
             WHERE relname = 'calls'",
        )
        .parse()
        .expect("a count")
}

fn commits(cluster: &Cluster) -> u64 {
    cluster
        .query_in(
            "calls",
            "SELECT xact_commit FROM pg_stat_database WHERE datname = 'calls'",
        )
        .parse()
        .expect("a count")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "needs private PostgreSQL clusters: just test-replica"]
async fn history_is_read_from_the_replica_and_never_stale_revived_or_failing() {
    let pair = tokio::task::spawn_blocking(|| {
        let pair = Pair::start(&[]);
        pair.create_database("calls", "");
        pair
    })
    .await
    .expect("clusters");
    let relay = Relay::start(pair.replica.port).await;
    let dir = pair.primary.dir.path().to_owned();
    let config = dir.join("replica-test.toml");
    std::fs::write(
        &config,
        format!(
            "[database]\nreplica_probe_interval_ms = 200\nreplica_max_lag_ms = {MAX_LAG_MS}\n\
             replica_connect_timeout_ms = {REPLICA_CONNECT_TIMEOUT_MS}\nreplica_min_idle = 1\n\
             [voip.reaper]\ninterval_secs = 3600\n"
        ),
    )
    .expect("config file");
    let primary_url = pair.primary.url_of("calls");
    let replica_url = format!("postgres://postgres@127.0.0.1:{}/calls", relay.port);
    let config = config.to_string_lossy().into_owned();
    let env = [
        ("DATABASE_URL", primary_url.as_str()),
        ("DATABASE_REPLICA_URL", replica_url.as_str()),
        ("CALLS_CONFIG", config.as_str()),
    ];
    let a = Instance::start("a", &env, &dir);
    let b = Instance::start("b", &env, &dir);
    for instance in [&a, &b] {
        let replica = instance.wait_replica("up").await;
        assert_eq!(replica["max_lag_ms"], MAX_LAG_MS, "{replica}");
        assert!(replica["lag_ms"].is_u64(), "{replica}");
        let mut fields: Vec<_> = replica.as_object().expect("an object").keys().collect();
        fields.sort();
        assert_eq!(
            fields,
            ["lag_ms", "max_lag_ms", "status"],
            "as openapi.yml says"
        );
    }

    // Pages are read on the replica.
    let alice = a.api.register("alice@example.com").await;
    for _ in 0..3 {
        a.create_call(&alice).await;
    }
    let bob = a.api.register("bob@example.com").await;
    let bobs_call = a.create_call(&bob).await;
    pair.wait_replayed();
    let (scans, transactions) = (calls_scans(&pair.replica), commits(&pair.replica));
    let fresh = a.reads(HistoryReadSource::Replica).await;
    let mut primary_reads = 0;
    for source in HistoryReadSource::ALL {
        if source != HistoryReadSource::Replica {
            primary_reads += a.reads(source).await;
        }
    }
    const READS: u64 = 40;
    for _ in 0..READS {
        assert_eq!(a.page(&alice).await["total"], 3);
    }
    assert_eq!(
        a.reads(HistoryReadSource::Replica).await,
        fresh + READS,
        "every page was read on the replica"
    );
    wait_until("the replica's statistics count the reads", || {
        calls_scans(&pair.replica) >= scans + READS
            && commits(&pair.replica) >= transactions + READS
    });
    // (The primary's own statistics are no evidence either way: an idle backend reports its
    // counts up to ten seconds late, so the writes above would be counted among the pages.)
    let mut on_primary = 0;
    for source in HistoryReadSource::ALL {
        if source != HistoryReadSource::Replica {
            on_primary += a.reads(source).await;
        }
    }
    assert_eq!(
        on_primary, primary_reads,
        "no page of the burst was read on the primary"
    );

    // Replay paused: the replica stays behind, and every rule must still hold.
    pair.replica.query("SELECT pg_wal_replay_pause()");
    wait_until("replay is paused", || {
        pair.replica.query("SELECT pg_get_wal_replay_pause_state()") == "paused"
    });
    let behind = b.reads(HistoryReadSource::PrimaryReplicaBehindUser).await;
    let lagging_before_b = b.reads(HistoryReadSource::PrimaryReplicaLagging).await;
    // A call created through A is in the next page read through B ...
    let call = a.create_call(&alice).await;
    let page = b.page(&alice).await;
    assert_eq!(page["total"], 4, "{page}");
    assert_eq!(listed(&page, &call), Some(("initiated".to_owned(), 0)));
    // ... and so is its end.
    let finished = a
        .api
        .send(
            "finish the call",
            a.api
                .request(Method::PUT, &format!("/api/calls/{call}"))
                .bearer_auth(&alice)
                .json(&json!({ "status": "completed", "duration": 42 })),
        )
        .await;
    assert_eq!(finished.status, 200, "{}", finished.body);
    let page = b.page(&alice).await;
    assert_eq!(listed(&page, &call), Some(("completed".to_owned(), 42)));
    assert_eq!(
        pair.replica.query_in(
            "calls",
            &format!("SELECT count(*) FROM calls WHERE id = '{call}'")
        ),
        "0",
        "the replica has not replayed the call: those pages came from the primary"
    );
    // Read on the primary because the replica was behind the user (or, on a slow machine, had
    // already passed the lag limit: the pages are right either way).
    let lagging_b = b.reads(HistoryReadSource::PrimaryReplicaLagging).await;
    assert!(
        b.reads(HistoryReadSource::PrimaryReplicaBehindUser).await + lagging_b
            >= behind + lagging_before_b + 2
    );
    // A logout through A is honoured by B, though the replica has not seen it.
    let login = a
        .api
        .post_json(
            "/api/auth/login",
            &json!({ "email": "alice@example.com", "password": PASSWORD }),
        )
        .await;
    assert_eq!(login.status, 200, "{}", login.body);
    let second = support::api::token_of(&login);
    assert_eq!(b.history(&second).await.status, 200);
    assert_eq!(a.api.logout(&second).await.status, 204);
    let refused = b.history(&second).await;
    assert_eq!(refused.status, 401, "{}", refused.body);
    assert!(refused.is_error("unauthorized"), "{}", refused.body);
    assert_eq!(
        pair.replica
            .query_in("calls", "SELECT count(*) FROM revoked_tokens"),
        "0",
        "the replica has not replayed the logout"
    );
    assert_eq!(b.history(&alice).await.status, 200, "the other token lives");

    // Lag beyond the limit: nobody's pages are read on the replica, not even Bob's, who wrote
    // nothing since replay stopped.
    let waiting = Instant::now();
    let replica = a.wait_replica("lagging").await;
    eprintln!(
        "replay paused: reported lagging after {:?} more, at {} ms",
        waiting.elapsed(),
        replica["lag_ms"]
    );
    // At least the limit: the server compares the lag to the microsecond and reports it in
    // whole milliseconds, so a lag of 3000.4 ms is lagging and reads 3000.
    assert!(
        replica["lag_ms"]
            .as_u64()
            .is_some_and(|lag| lag >= MAX_LAG_MS),
        "{replica}"
    );
    let (lagging, fresh) = (
        a.reads(HistoryReadSource::PrimaryReplicaLagging).await,
        a.reads(HistoryReadSource::Replica).await,
    );
    let page = a.page(&bob).await;
    assert_eq!(listed(&page, &bobs_call), Some(("initiated".to_owned(), 0)));
    assert_eq!(
        a.reads(HistoryReadSource::PrimaryReplicaLagging).await,
        lagging + 1
    );
    assert_eq!(a.reads(HistoryReadSource::Replica).await, fresh);

    // Replay resumes: the replica catches up and is read again.
    pair.replica.query("SELECT pg_wal_replay_resume()");
    pair.wait_replayed();
    a.wait_replica("up").await;
    let fresh = a.reads(HistoryReadSource::Replica).await;
    let page = a.page(&alice).await;
    assert_eq!(listed(&page, &call), Some(("completed".to_owned(), 42)));
    assert_eq!(a.reads(HistoryReadSource::Replica).await, fresh + 1);

    // The replica's host stops answering: no error, no request waits for it.
    relay.swallow_everything();
    pair.replica.kill();
    let replica = a.wait_replica("down").await;
    assert!(replica["lag_ms"].is_null(), "{replica}");
    let down = a.reads(HistoryReadSource::PrimaryReplicaDown).await;
    let limit = Duration::from_millis(REPLICA_CONNECT_TIMEOUT_MS / 2);
    const DOWN_READS: u64 = 20;
    let mut slowest = Duration::ZERO;
    for _ in 0..DOWN_READS {
        let started = Instant::now();
        let page = a.page(&alice).await;
        let took = started.elapsed();
        assert_eq!(page["total"], 4);
        assert!(
            took < limit,
            "a page took {took:?} with the replica down (its connect timeout: \
             {REPLICA_CONNECT_TIMEOUT_MS} ms)"
        );
        slowest = slowest.max(took);
    }
    eprintln!("replica down: {DOWN_READS} pages, the slowest in {slowest:?}");
    assert!(a.reads(HistoryReadSource::PrimaryReplicaDown).await >= down + DOWN_READS);
    assert_eq!(a.wait_replica("down").await["status"], "down");
    let warnings = a
        .server
        .log_text()
        .lines()
        .filter(|line| line.contains("read replica down"))
        .count();
    assert!(
        (1..=3).contains(&warnings),
        "the replica's failure is logged once, not per request: {warnings} lines\n{}",
        a.server.log_tail(30)
    );
    drop(relay);
}

/// Adds what a rule's storage read on the replica to the totals when the rule is done.
struct RuleStorage {
    storage: PostgresStorage,
    replica_reads: Arc<AtomicU64>,
    failed_reads: Arc<AtomicU64>,
}

impl Drop for RuleStorage {
    fn drop(&mut self) {
        if let Some(report) = self.storage.replica() {
            self.replica_reads.fetch_add(
                report.reads_from(HistoryReadSource::Replica),
                Ordering::SeqCst,
            );
            self.failed_reads.fetch_add(
                report.reads_from(HistoryReadSource::PrimaryReplicaFailed),
                Ordering::SeqCst,
            );
        }
    }
}

/// Empties every table but diesel's migration record, in one statement.
const EMPTY_EVERY_TABLE: &str = "DO $$ BEGIN EXECUTE (SELECT 'TRUNCATE ' || \
    string_agg(format('%I', tablename), ', ') || ' CASCADE' FROM pg_tables \
    WHERE schemaname = 'public' AND tablename <> '__diesel_schema_migrations'); END $$";

calls_port_contracts::storage_contract_tests!(in_sequence: every_storage_rule);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs private PostgreSQL clusters: just test-replica"]
async fn the_storage_contract_holds_with_a_replica() {
    // Commits in the rules' database wait until the replica has applied them
    // (`remote_apply`), so that their pages really are read on the replica. One database,
    // emptied before each rule: creating one per rule costs a checkpoint or a copy of every
    // catalog block through the WAL each time.
    let pair = tokio::task::spawn_blocking(|| {
        let pair = Pair::start(&["synchronous_standby_names='*'"]);
        pair.create_database("calls", "");
        pair.primary
            .query("ALTER DATABASE calls SET synchronous_commit = remote_apply");
        pair
    })
    .await
    .expect("clusters");
    let pair = Arc::new(pair);
    let primary = pair.primary.url_of("calls");
    let replica = pair.replica.url_of("calls");
    let migrate = primary.clone();
    tokio::task::spawn_blocking(move || {
        let storage = PostgresStorage::connect(&migrate, TestDatabase::pool_options())
            .expect("the rules' database");
        storage.run_migrations().expect("migrations");
    })
    .await
    .expect("migrated");
    let replica_reads = Arc::new(AtomicU64::new(0));
    let failed_reads = Arc::new(AtomicU64::new(0));
    let fresh = || {
        let pair = Arc::clone(&pair);
        let (primary, replica) = (primary.clone(), replica.clone());
        let replica_reads = Arc::clone(&replica_reads);
        let failed_reads = Arc::clone(&failed_reads);
        async move {
            let storage = tokio::task::spawn_blocking(move || {
                pair.primary.query_in("calls", EMPTY_EVERY_TABLE);
                PostgresStorage::connect(&primary, TestDatabase::pool_options())
            })
            .await
            .expect("connect")
            .expect("the rules' database");
            let options = ReplicaOptions {
                pool: PoolOptions {
                    max_size: 4,
                    min_idle: 0,
                    connection_timeout: Duration::from_secs(5),
                },
                max_lag: Duration::from_secs(10),
                // One probe, right away: later ones would borrow a primary connection while a
                // rule counts the pool's connections.
                probe_interval: Duration::from_secs(3600),
            };
            let storage = storage
                .with_read_replica(&replica, options)
                .expect("replica options");
            let deadline = Instant::now() + PATIENCE;
            while storage.replica().map(|report| report.condition) != Some(ReplicaCondition::Up) {
                assert!(Instant::now() < deadline, "the replica is not up");
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            let guard = RuleStorage {
                storage: storage.clone(),
                replica_reads,
                failed_reads,
            };
            (guard, storage)
        }
    };
    let ran = every_storage_rule(fresh).await;
    assert!(ran >= 30, "only {ran} rules ran");
    let (replica, failed) = (
        replica_reads.load(Ordering::SeqCst),
        failed_reads.load(Ordering::SeqCst),
    );
    assert!(
        replica >= 20,
        "only {replica} pages were read on the replica"
    );
    eprintln!("storage contract with a replica: {ran} rules, {replica} pages read on the replica");
    assert_eq!(failed, 0, "reads on the replica failed");
}

/// Statements per history read, counted on the wire on both databases (issue 18: at most one
/// on the primary and one on the replica). The storage reaches each through a counting proxy
/// (`testing::counting_proxy`), each pool has one connection, and every shape is read once
/// before counting (diesel prepares a statement on first use).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs private PostgreSQL clusters: just test-replica"]
async fn a_history_read_is_one_statement_on_the_primary_and_one_on_the_replica() {
    use calls_adapters_postgres::testing::counting_proxy::counted;
    use calls_core::domain::{HistoryFilter, HistoryQuery, PagePosition, UserId};
    use calls_core::ports::{CallHistory, RevocationKey, SessionHistory, SessionRef};

    const READS: usize = 5;
    let user = UserId::new();
    let pair = tokio::task::spawn_blocking(move || {
        let pair = Pair::start(&[]);
        pair.create_database("calls", "");
        pair
    })
    .await
    .expect("clusters");
    let pair = Arc::new(pair);
    let (primary, replica) = (pair.primary.url_of("calls"), pair.replica.url_of("calls"));
    let seeding = Arc::clone(&pair);
    let migrate = primary.clone();
    tokio::task::spawn_blocking(move || {
        let storage =
            PostgresStorage::connect(&migrate, TestDatabase::pool_options()).expect("the primary");
        storage.run_migrations().expect("migrations");
        seeding.primary.query_in(
            "calls",
            &format!(
                "INSERT INTO users (id, email, password_hash, created_at)
                   VALUES ('{user}', 'counted@example.com', 'x', now());
                 INSERT INTO calls (id, user_id, phone_number, start_time, duration, status)
                   SELECT gen_random_uuid(), '{user}', '+4930901820',
                          now() - make_interval(hours => n), 0, 'completed'
                   FROM generate_series(1, 30) AS n;"
            ),
        );
        seeding.wait_replayed();
    })
    .await
    .expect("seeded");

    let (primary, on_primary) = counted(&primary);
    let (replica, on_replica) = counted(&replica);
    let one = PoolOptions {
        max_size: 1,
        min_idle: 0,
        connection_timeout: Duration::from_secs(5),
    };
    let primary_pool = one.clone();
    let storage =
        tokio::task::spawn_blocking(move || PostgresStorage::connect(&primary, primary_pool))
            .await
            .expect("connect")
            .expect("the primary, through its proxy")
            .with_read_replica(
                &replica,
                ReplicaOptions {
                    pool: one,
                    max_lag: Duration::from_secs(600),
                    // One probe, right away; none while the test counts.
                    probe_interval: Duration::from_secs(3600),
                },
            )
            .expect("replica options");
    let deadline = Instant::now() + PATIENCE;
    while storage.replica().map(|report| report.condition) != Some(ReplicaCondition::Up) {
        assert!(Instant::now() < deadline, "the replica is not up");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let session = SessionRef {
        key: RevocationKey::new("jti:counted".into()),
        user_id: user,
        issued_at: chrono::Utc::now() - chrono::Duration::minutes(1),
    };
    let query = HistoryQuery {
        user_id: user,
        filter: HistoryFilter::default(),
        limit: 20,
        position: PagePosition::Number(1),
    };
    let replica_reads = |storage: &PostgresStorage, source| {
        storage
            .replica()
            .map_or(0, |report| report.reads_from(source))
    };
    // Reads `READS` pages; returns the statements each database received for them, after
    // checking that no simple query (BEGIN, COMMIT, a connection check) was sent.
    let counted_reads = || async {
        let read = storage
            .page_for_live_session(query.clone(), session.clone())
            .await
            .expect("warm-up");
        assert!(matches!(read, SessionHistory::Page(_)), "{read:?}");
        let (primary_before, replica_before) = (on_primary.snapshot(), on_replica.snapshot());
        for _ in 0..READS {
            let read = storage
                .page_for_live_session(query.clone(), session.clone())
                .await
                .expect("read");
            let SessionHistory::Page(page) = read else {
                panic!("a live session gets its page");
            };
            assert!(page.total >= 30, "{}", page.total);
        }
        let (primary_after, replica_after) = (on_primary.snapshot(), on_replica.snapshot());
        assert_eq!(
            primary_after.1, primary_before.1,
            "no simple query on the primary"
        );
        assert_eq!(
            replica_after.1, replica_before.1,
            "no simple query on the replica"
        );
        (
            primary_after.0 - primary_before.0,
            replica_after.0 - replica_before.0,
        )
    };

    let before = replica_reads(&storage, HistoryReadSource::Replica);
    let (primary_statements, replica_statements) = counted_reads().await;
    assert_eq!(
        replica_reads(&storage, HistoryReadSource::Replica) - before,
        READS as u64 + 1,
        "every page was read on the replica"
    );
    assert_eq!(
        primary_statements, READS,
        "one statement on the primary per read"
    );
    assert_eq!(
        replica_statements, READS,
        "one statement on the replica per read"
    );

    // The replica behind the user's last write: its statement finds the write missing, and the
    // page is read on the primary, a second statement there.
    let behind = Arc::clone(&pair);
    tokio::task::spawn_blocking(move || {
        behind.replica.query("SELECT pg_wal_replay_pause()");
        wait_until("replay is paused", || {
            behind
                .replica
                .query("SELECT pg_get_wal_replay_pause_state()")
                == "paused"
        });
        behind.primary.query_in(
            "calls",
            &format!(
                "INSERT INTO calls (id, user_id, phone_number, start_time, duration, status)
                   VALUES (gen_random_uuid(), '{user}', '+4930901820', now(), 0, 'completed')"
            ),
        );
    })
    .await
    .expect("a write the replica has not replayed");
    let before = replica_reads(&storage, HistoryReadSource::PrimaryReplicaBehindUser);
    let (primary_statements, replica_statements) = counted_reads().await;
    assert_eq!(
        replica_reads(&storage, HistoryReadSource::PrimaryReplicaBehindUser) - before,
        READS as u64 + 1,
        "every page was read on the primary, the replica being behind the user"
    );
    assert_eq!(
        primary_statements,
        2 * READS,
        "two statements on the primary per read"
    );
    assert_eq!(
        replica_statements, READS,
        "one statement on the replica per read"
    );
    let resume = Arc::clone(&pair);
    tokio::task::spawn_blocking(move || resume.replica.query("SELECT pg_wal_replay_resume()"))
        .await
        .expect("resumed");
}
