//! A database outage, on the real binary and a private PostgreSQL cluster.
//!
//! The test initialises its own cluster in a temporary directory (`support::cluster`: initdb,
//! pg_ctl, as the `postgres` user when it runs as root), starts `calls-server serve` on it, and keeps writers
//! sending `POST /api/calls`. It then kills the cluster (`pg_ctl stop -m immediate`, as a crash
//! would) and checks that:
//!
//! - requests that need the database answer 503 `database_unavailable` with the contract's error
//!   body, each within 5 s (the pool waits `database.connect_timeout_secs`, 2 s), none hangs;
//! - `/system/health` stays 200 and `/system/ready` turns 503;
//!
//! then starts the cluster again on the same port and checks that, without restarting the
//! server, requests succeed again within 15 s and `/system/ready` is 200; and finally that every
//! call that got a 201 (before, during, after) is in the history and in the table exactly once.
//!
//! It needs PostgreSQL's server binaries (`initdb`, `pg_ctl`, `psql`: `PG_BINDIR`, else the
//! newest `/usr/lib/postgresql/*/bin`, else `PATH`), so it is ignored by a plain `cargo test`:
//! run it with `cargo test -p calls-server --test outage -- --ignored` (`just test-outage`).
//! Without those binaries it fails; it never skips.

mod support;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::json;
use support::api::Api;
use support::cluster::{Cluster, free_port};
use support::{Answer, NUMBER, PASSWORD, ServerProcess, exchange, history_ids, percentile};

/// Concurrent writers.
const WRITERS: usize = 4;
/// Each request must be answered within this, outage or not.
const ANSWER_LIMIT: Duration = Duration::from_secs(5);
/// How long the database stays down (after the first 503 has been seen).
const OUTAGE: Duration = Duration::from_secs(4);
/// How long the server may take to notice that the database is back.
const RECOVERY_LIMIT: Duration = Duration::from_secs(15);

/// One request of a writer, with when it was sent and how long it took.
#[derive(Debug)]
struct Sample {
    started: Instant,
    elapsed: Duration,
    outcome: Result<Answer, String>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Phase {
    Before,
    Down,
    Back,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "needs a private PostgreSQL cluster: just test-outage"]
async fn a_database_outage_is_503_then_heals_and_loses_no_acknowledged_call() {
    let cluster = Cluster::create("calls-outage-", free_port());
    cluster.start();
    let log = cluster.dir.path().join("server.log");
    let server = ServerProcess::start(&[("DATABASE_URL", &cluster.url())], &log);
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .expect("client");
    let api = Api::new(client, server.base());

    let token = api.register("outage@example.com").await;

    // Writers run through the whole test.
    let samples: Arc<Mutex<Vec<Sample>>> = Arc::default();
    let stop = Arc::new(AtomicBool::new(false));
    let writers: Vec<_> = (0..WRITERS)
        .map(|_| {
            let api = api.clone();
            let token = token.clone();
            let samples = samples.clone();
            let stop = stop.clone();
            tokio::spawn(async move {
                while !stop.load(Ordering::Relaxed) {
                    let started = Instant::now();
                    let outcome = exchange(
                        api.request(Method::POST, "/api/calls")
                            .bearer_auth(&token)
                            .json(&json!({ "phone_number": NUMBER })),
                    )
                    .await;
                    let elapsed = started.elapsed();
                    let pause = outcome.is_err();
                    samples.lock().expect("samples").push(Sample {
                        started,
                        elapsed,
                        outcome,
                    });
                    if pause {
                        // Never a busy loop, whatever goes wrong.
                        tokio::time::sleep(Duration::from_millis(50)).await;
                    }
                }
            })
        })
        .collect();
    let count = |predicate: &dyn Fn(&Sample) -> bool| {
        samples
            .lock()
            .expect("samples")
            .iter()
            .filter(|s| predicate(s))
            .count()
    };
    let created = |s: &Sample| s.outcome.as_ref().is_ok_and(|a| a.status == 201);

    // Before: calls are created.
    wait_for(
        "20 calls created before the outage",
        Duration::from_secs(30),
        || count(&created) >= 20,
    )
    .await;
    let ready = api.get("/system/ready").await;
    assert_eq!(ready.status, 200, "ready before the outage");

    // The database goes away.
    let stopping = Instant::now();
    cluster.kill();
    let down = Instant::now();
    let kill_time = down - stopping;

    let health = timed(api.request(Method::GET, "/system/health")).await;
    assert_eq!(health.1.status, 200, "health during the outage");
    let ready_down = timed(api.request(Method::GET, "/system/ready")).await;
    assert_unavailable("ready", &ready_down.1);
    let history_down = timed(
        api.request(Method::GET, "/api/calls/history")
            .bearer_auth(&token),
    )
    .await;
    assert_unavailable("history", &history_down.1);
    let login = json!({ "email": "outage@example.com", "password": PASSWORD });
    let login_down = timed(api.request(Method::POST, "/api/auth/login").json(&login)).await;
    assert_unavailable("login", &login_down.1);
    for (what, (elapsed, _)) in [
        ("health", &health),
        ("ready", &ready_down),
        ("history", &history_down),
        ("login", &login_down),
    ] {
        assert!(
            *elapsed < ANSWER_LIMIT,
            "{what} took {elapsed:?} during the outage"
        );
    }
    let unavailable = |s: &Sample| {
        s.started >= down
            && s.outcome
                .as_ref()
                .is_ok_and(|a| a.status == 503 && a.is_error("database_unavailable"))
    };
    wait_for("writers answered 503", Duration::from_secs(15), || {
        count(&unavailable) >= WRITERS
    })
    .await;
    tokio::time::sleep(OUTAGE.saturating_sub(down.elapsed())).await;
    let health_still = timed(api.request(Method::GET, "/system/health")).await;
    assert_eq!(
        health_still.1.status, 200,
        "health at the end of the outage"
    );

    // The database comes back on the same port; the server is not restarted.
    let restarting = Instant::now();
    cluster.start();
    let up = Instant::now();
    let restart_time = up - restarting;
    let recovered = |s: &Sample| s.started >= up && created(s);
    wait_for("a call created after the restart", RECOVERY_LIMIT, || {
        count(&recovered) > 0
    })
    .await;
    let first_success_after = samples
        .lock()
        .expect("samples")
        .iter()
        .filter(|s| recovered(s))
        .map(|s| s.started + s.elapsed - up)
        .min()
        .unwrap_or_default();
    let mut ready_after = None;
    while up.elapsed() < RECOVERY_LIMIT {
        let answer = api.get("/system/ready").await;
        if answer.status == 200 {
            ready_after = Some(up.elapsed());
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let ready_after = ready_after.expect("ready is 200 again within 15 s");
    tokio::time::sleep(Duration::from_secs(1)).await;
    stop.store(true, Ordering::Relaxed);
    for writer in writers {
        writer.await.expect("writer");
    }

    // Every answer was quick, and a success or the contract's 503.
    let samples = std::mem::take(&mut *samples.lock().expect("samples"));
    let phase = |s: &Sample| {
        if s.started + s.elapsed < stopping {
            Phase::Before
        } else if s.started >= down && s.started + s.elapsed < restarting {
            Phase::Down
        } else {
            Phase::Back
        }
    };
    let mut problems = Vec::new();
    for sample in &samples {
        if sample.elapsed >= ANSWER_LIMIT {
            problems.push(format!("took {:?}", sample.elapsed));
        }
        match &sample.outcome {
            Err(err) => problems.push(format!("transport error: {err}")),
            Ok(answer) if answer.status == 201 => {
                if phase(sample) == Phase::Down {
                    problems.push("201 while the database was down".to_owned());
                }
            }
            Ok(answer) if answer.status == 503 && answer.is_error("database_unavailable") => {}
            Ok(answer) => problems.push(format!("{} {}", answer.status, answer.body)),
        }
    }
    assert!(
        problems.is_empty(),
        "{} bad answers to writes:\n  {}\nserver log:\n{}",
        problems.len(),
        problems.join("\n  "),
        server.log_tail(40)
    );

    // Every acknowledged call is stored, once.
    let acknowledged: Vec<&str> = samples
        .iter()
        .filter_map(|s| s.outcome.as_ref().ok())
        .filter(|a| a.status == 201)
        .map(|a| a.body["id"].as_str().expect("id"))
        .collect();
    let (total, listed) = history_ids(&api, &token).await;
    let listed_set: std::collections::HashSet<&str> = listed.iter().map(String::as_str).collect();
    assert_eq!(listed_set.len(), listed.len(), "no call listed twice");
    assert_eq!(total as usize, listed.len(), "total matches the pages");
    let missing: Vec<&&str> = acknowledged
        .iter()
        .filter(|id| !listed_set.contains(**id))
        .collect();
    assert!(
        missing.is_empty(),
        "{} acknowledged calls are not in the history: {missing:?}",
        missing.len()
    );
    let rows = cluster.query("SELECT count(*), count(DISTINCT id) FROM calls");
    let (row_count, distinct) = rows.trim().split_once('|').expect("two counts");
    assert_eq!(row_count, distinct, "no call stored twice");
    assert_eq!(
        row_count.parse::<usize>().expect("count"),
        listed.len(),
        "the table holds what the history lists"
    );
    let stored = cluster.query("SELECT id FROM calls");
    let stored: std::collections::HashSet<&str> = stored.lines().collect();
    for id in &acknowledged {
        assert!(stored.contains(id), "call {id} got 201 but is not stored");
    }

    // Figures.
    let in_phase = |p: Phase| samples.iter().filter(|s| phase(s) == p).count();
    let mut outage_latencies: Vec<Duration> = samples
        .iter()
        .filter(|s| phase(s) == Phase::Down)
        .map(|s| s.elapsed)
        .collect();
    let slowest = outage_latencies.iter().max().copied().unwrap_or_default();
    let created_in = |p: Phase| {
        samples
            .iter()
            .filter(|s| phase(s) == p && created(s))
            .count()
    };
    let answered_503 = samples
        .iter()
        .filter(|s| s.outcome.as_ref().is_ok_and(|a| a.status == 503))
        .count();
    println!(
        "outage figures: writers={WRITERS} requests={} (before {}, down {}, around stop/restart \
         and after {}) created_201={} (before {}, after {}) answered_503={answered_503} \
         transport_errors=0 pg_kill_took={kill_time:.2?} outage_write_p50={:.2?} \
         outage_write_p99={:.2?} outage_write_max={slowest:.2?} health_during={:.2?} \
         ready_during={:.2?} (503) history_during={:.2?} login_during={:.2?} \
         outage_length={:.2?} pg_restart_took={restart_time:.2?} \
         first_201_after_restart={first_success_after:.2?} ready_200_after_restart={ready_after:.2?} \
         history_total={total} table_rows={row_count} stored_but_answered_503={}",
        samples.len(),
        in_phase(Phase::Before),
        in_phase(Phase::Down),
        in_phase(Phase::Back),
        acknowledged.len(),
        created_in(Phase::Before),
        created_in(Phase::Back),
        percentile(&mut outage_latencies, 0.5),
        percentile(&mut outage_latencies, 0.99),
        health.0,
        ready_down.0,
        history_down.0,
        login_down.0,
        restarting - stopping,
        listed.len() - acknowledged.len(),
    );
    if std::env::var_os("OUTAGE_PRINT_LOGS").is_some() {
        println!("server log:\n{}", server.log_tail(60));
        println!("postgres log:\n{}", cluster.log());
    }
}

/// The contract's 503 for a request that needs the database, while it is down.
fn assert_unavailable(what: &str, answer: &Answer) {
    assert!(
        answer.status == 503 && answer.is_error("database_unavailable"),
        "{what} during the outage: {} {}",
        answer.status,
        answer.body
    );
}

/// The answer and how long it took; a transport error fails the test.
async fn timed(request: reqwest::RequestBuilder) -> (Duration, Answer) {
    let started = Instant::now();
    let answer = exchange(request)
        .await
        .unwrap_or_else(|err| panic!("no answer: {err}"));
    (started.elapsed(), answer)
}

async fn wait_for(what: &str, limit: Duration, mut done: impl FnMut() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(start.elapsed() < limit, "{what}: not within {limit:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
