//! Graceful shutdown under load, on the real binary (embedded SQLite in a temporary directory).
//!
//! Five users register, then twenty clients (four per user) loop over `POST /api/calls` with a
//! login now and then (an argon2 hash: the slowest request there is; at most two at once, as the
//! server hashes two at a time on two cores and a debug build takes about a second per hash).
//! The server gets SIGTERM in the middle of it. Then:
//!
//! - it exits with status 0 within 10 s;
//! - every request sent before the signal got a complete HTTP answer (no reset, no truncated
//!   body); requests sent afterwards may be refused, that is what stopping means;
//! - a new connection is refused right after the signal, and after the exit;
//! - nothing is half-written: the database passes `PRAGMA integrity_check` (when the `sqlite3`
//!   command is there), and every call that got a 201 is in its owner's history exactly once,
//!   read back through a server started again on the same file.
//!
//! Clients keep sending for one second after the signal, as clients behind a load balancer do
//! while it notices, then stop. (Clients that never stop are `draining.rs`'s case: the server
//! answers them with `Connection: close` and exits all the same.)

mod support;

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::json;
use support::{Answer, NUMBER, PASSWORD, ServerProcess, exchange, history_ids, percentile};

const CLIENTS: usize = 20;
/// Registrations are argon2 hashes too: a few users, shared by the clients.
const USERS: usize = 5;
/// Logins in flight at once, at most.
const CONCURRENT_LOGINS: usize = 2;
/// Load before the signal.
const LOAD_BEFORE_SIGNAL: Duration = Duration::from_secs(2);
/// How long clients keep sending after the signal.
const CLIENT_TAIL: Duration = Duration::from_secs(1);
/// The process must be gone this long after the signal.
const EXIT_LIMIT: Duration = Duration::from_secs(10);
/// A client tries a login once in this many requests of its loop.
const LOGIN_EVERY: usize = 4;

#[derive(Debug)]
struct Record {
    started: Instant,
    finished: Instant,
    route: &'static str,
    outcome: Result<Answer, String>,
}

/// What one client did: its user, and every call it got a 201 for.
#[derive(Debug, Default)]
struct ClientResult {
    email: String,
    created: Vec<String>,
}

#[derive(Debug, Clone)]
struct Registered {
    email: String,
    token: String,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sigterm_under_load_answers_every_sent_request_and_loses_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let database = dir.path().join("calls.db");
    let database_url = format!("sqlite://{}", database.display());
    let mut server = ServerProcess::start(
        &[("DATABASE_URL", &database_url)],
        &dir.path().join("server.log"),
    );
    let base = server.base();
    let records: Arc<Mutex<Vec<Record>>> = Arc::default();

    // Everyone registers (part of the load, but before the signal: the test needs the users).
    let registering = Instant::now();
    let registered = futures::future::join_all((0..USERS).map(|index| {
        let base = base.clone();
        let records = records.clone();
        async move { register(&base, index, &records).await }
    }))
    .await;
    let registration_time = registering.elapsed();
    // The first call loads the phone number metadata, which is slow in a debug build.
    let warm_up = server
        .api()
        .post_json_authed(
            "/api/calls",
            &registered[0].token,
            &json!({ "phone_number": NUMBER }),
        )
        .await;
    assert_eq!(warm_up.status, 201, "warm-up call: {:?}", warm_up.body);
    let warm_up_id = warm_up.body["id"].as_str().expect("id").to_owned();

    let signal_at: Arc<Mutex<Option<Instant>>> = Arc::default();
    let logins = Arc::new(tokio::sync::Semaphore::new(CONCURRENT_LOGINS));
    let clients: Vec<_> = (0..CLIENTS)
        .map(|index| {
            let base = base.clone();
            let user = registered[index % USERS].clone();
            let records = records.clone();
            let signal_at = signal_at.clone();
            let logins = logins.clone();
            tokio::spawn(async move { run_client(base, user, records, signal_at, logins).await })
        })
        .collect();

    tokio::time::sleep(LOAD_BEFORE_SIGNAL).await;
    let signalled = Instant::now();
    *signal_at.lock().expect("signal time") = Some(signalled);
    server.sigterm();

    // The listener closes at once, while connections already open are still being served.
    let refused_after = wait_until_refused(server.port, Duration::from_secs(2)).await;
    let alive_when_refused = server.wait_exit(Duration::ZERO).is_none();

    let mut results = Vec::new();
    for client in clients {
        results.push(client.await.expect("client task"));
    }
    let status = tokio::task::spawn_blocking(move || {
        let remaining = EXIT_LIMIT.saturating_sub(signalled.elapsed());
        let status = server.wait_exit(remaining);
        (status, signalled.elapsed(), server)
    })
    .await
    .expect("waiting for the exit");
    let (status, exit_after, server) = status;
    let Some(status) = status else {
        panic!(
            "calls-server still runs {:?} after SIGTERM:\n{}",
            exit_after,
            server.log_tail(30)
        );
    };
    assert_eq!(
        status.code(),
        Some(0),
        "exit status after SIGTERM ({status}):\n{}",
        server.log_tail(30)
    );
    assert!(
        tokio::net::TcpStream::connect(("127.0.0.1", server.port))
            .await
            .is_err(),
        "nothing listens after the exit"
    );
    let log = server.log_text();
    drop(server);

    // Every request sent before the signal got a whole answer, and a sensible one.
    let records = std::mem::take(&mut *records.lock().expect("records"));
    let before: Vec<&Record> = records.iter().filter(|r| r.started < signalled).collect();
    let after: Vec<&Record> = records.iter().filter(|r| r.started >= signalled).collect();
    let broken: Vec<String> = before
        .iter()
        .filter_map(|r| {
            r.outcome
                .as_ref()
                .err()
                .map(|err| format!("{} at {:?}: {err}", r.route, r.started - registering))
        })
        .collect();
    assert!(
        broken.is_empty(),
        "{} requests sent before SIGTERM got no complete answer:\n  {}\nserver log:\n{}",
        broken.len(),
        broken.join("\n  "),
        tail(&log, 30)
    );
    let unexpected: Vec<String> = records
        .iter()
        .filter_map(|r| match &r.outcome {
            Ok(answer) if !matches!(answer.status, 200 | 201) => {
                Some(format!("{} {}: {}", r.route, answer.status, answer.body))
            }
            _ => None,
        })
        .collect();
    assert!(
        unexpected.is_empty(),
        "answers other than success: {unexpected:#?}"
    );
    let in_flight: Vec<&&Record> = before.iter().filter(|r| r.finished > signalled).collect();
    let last_in_flight = in_flight
        .iter()
        .map(|r| r.finished - signalled)
        .max()
        .unwrap_or_default();
    let after_answered = after.iter().filter(|r| r.outcome.is_ok()).count();
    let after_refused = after.len() - after_answered;
    assert!(!before.is_empty(), "load ran before the signal");

    // Nothing half-written.
    let mut created: HashMap<&str, Vec<&String>> = HashMap::new();
    for result in &results {
        created
            .entry(result.email.as_str())
            .or_default()
            .extend(&result.created);
    }
    let all_created: HashSet<&String> = created.values().flatten().copied().collect();
    let integrity = sqlite_check(&database, &all_created, &warm_up_id);

    let mut again = ServerProcess::start(
        &[("DATABASE_URL", &database_url)],
        &dir.path().join("server-again.log"),
    );
    let api = again.api();
    let mut history_calls = 0;
    for user in &registered {
        let (total, ids) = history_ids(&api, &user.token).await;
        let listed: HashSet<&String> = ids.iter().collect();
        assert_eq!(
            listed.len(),
            ids.len(),
            "{}: no call listed twice",
            user.email
        );
        assert_eq!(total as usize, ids.len(), "{}: total matches", user.email);
        for id in created.get(user.email.as_str()).into_iter().flatten() {
            assert!(
                listed.contains(id),
                "{}: call {id} got 201 but is not in the history",
                user.email
            );
        }
        history_calls += ids.len();
    }
    again.sigterm();
    let status = tokio::task::spawn_blocking(move || again.wait_exit(EXIT_LIMIT))
        .await
        .expect("waiting for the second exit");
    assert_eq!(
        status.and_then(|s| s.code()),
        Some(0),
        "idle server exits 0"
    );

    let mut latencies: Vec<Duration> = records
        .iter()
        .filter(|r| r.route == "create_call" && r.outcome.is_ok())
        .map(|r| r.finished - r.started)
        .collect();
    let logins = records.iter().filter(|r| r.route == "login").count();
    let logins_in_flight = in_flight.iter().filter(|r| r.route == "login").count();
    println!(
        "shutdown figures: clients={CLIENTS} users={USERS} \
         registration_phase={registration_time:.2?} requests={} (logins {logins}) \
         before_signal={} in_flight_at_signal={} (logins {logins_in_flight}) \
         last_in_flight_done_after={last_in_flight:.2?} transport_errors_before_signal=0 \
         after_signal_answered={after_answered} after_signal_refused={after_refused} \
         new_connection_refused_after={refused_after:.2?} (process alive then: \
         {alive_when_refused}) exit_after={exit_after:.2?} exit_code=0 calls_201={} \
         calls_in_history={history_calls} (+1 warm-up) sqlite={integrity} \
         create_call_p50={:.2?} create_call_p99={:.2?}",
        records.len(),
        before.len(),
        in_flight.len(),
        all_created.len(),
        percentile(&mut latencies, 0.5),
        percentile(&mut latencies, 0.99),
    );
}

async fn register(base: &str, index: usize, records: &Mutex<Vec<Record>>) -> Registered {
    let client = reqwest::Client::new();
    let email = format!(
        "shutdown-{index}-{}@example.com",
        uuid::Uuid::new_v4().simple()
    );
    let started = Instant::now();
    let outcome = exchange(
        client
            .post(format!("{base}/api/auth/register"))
            .json(&json!({ "email": email, "password": PASSWORD })),
    )
    .await;
    let answer = outcome.clone().expect("registration answered");
    assert_eq!(answer.status, 201, "register: {}", answer.body);
    records.lock().expect("records").push(Record {
        started,
        finished: Instant::now(),
        route: "register",
        outcome,
    });
    Registered {
        email,
        token: answer.body["token"].as_str().expect("token").to_owned(),
    }
}

/// Loops until one second after the signal, or until the server refuses it.
async fn run_client(
    base: String,
    user: Registered,
    records: Arc<Mutex<Vec<Record>>>,
    signal_at: Arc<Mutex<Option<Instant>>>,
    logins: Arc<tokio::sync::Semaphore>,
) -> ClientResult {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .expect("client");
    let mut result = ClientResult {
        email: user.email,
        created: Vec::new(),
    };
    let mut token = user.token;
    for iteration in 1.. {
        let signalled = *signal_at.lock().expect("signal time");
        if signalled.is_some_and(|at| at.elapsed() >= CLIENT_TAIL) {
            break;
        }
        let login = if iteration % LOGIN_EVERY == 0 {
            logins.clone().try_acquire_owned().ok()
        } else {
            None
        };
        let (route, request) = if login.is_some() {
            (
                "login",
                client
                    .post(format!("{base}/api/auth/login"))
                    .json(&json!({ "email": result.email, "password": PASSWORD })),
            )
        } else {
            (
                "create_call",
                client
                    .post(format!("{base}/api/calls"))
                    .bearer_auth(&token)
                    .json(&json!({ "phone_number": NUMBER })),
            )
        };
        let started = Instant::now();
        let outcome = exchange(request).await;
        let finished = Instant::now();
        drop(login);
        let failed = outcome.is_err();
        if let Ok(answer) = &outcome {
            match (route, answer.status) {
                ("create_call", 201) => {
                    result
                        .created
                        .push(answer.body["id"].as_str().expect("id").to_owned());
                }
                ("login", 200) => {
                    token = answer.body["token"].as_str().expect("token").to_owned();
                }
                _ => {}
            }
        }
        records.lock().expect("records").push(Record {
            started,
            finished,
            route,
            outcome,
        });
        if failed {
            // The server is going away: a refused connection ends this client.
            break;
        }
    }
    result
}

/// How long after now a new TCP connection to `port` is refused (panics after `limit`).
async fn wait_until_refused(port: u16, limit: Duration) -> Duration {
    let start = Instant::now();
    loop {
        let attempt = tokio::time::timeout(
            Duration::from_millis(500),
            tokio::net::TcpStream::connect(("127.0.0.1", port)),
        )
        .await;
        if let Ok(Err(_)) = attempt {
            return start.elapsed();
        }
        assert!(
            start.elapsed() < limit,
            "new connections are still accepted {limit:?} after SIGTERM"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// With the `sqlite3` command: the file passes `PRAGMA integrity_check` and holds every
/// acknowledged call exactly once. Returns what it checked, for the figures.
fn sqlite_check(database: &std::path::Path, created: &HashSet<&String>, warm_up: &str) -> String {
    let output = match std::process::Command::new("sqlite3")
        .arg(database)
        .arg("PRAGMA integrity_check; SELECT id FROM calls;")
        .output()
    {
        Ok(output) if output.status.success() => output,
        Ok(output) => panic!(
            "sqlite3 failed: {}",
            String::from_utf8_lossy(&output.stderr)
        ),
        Err(_) => return "not checked (no sqlite3 command)".to_owned(),
    };
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("ok"), "integrity_check: {text}");
    let rows: Vec<&str> = lines.collect();
    let stored: HashSet<&str> = rows.iter().copied().collect();
    assert_eq!(stored.len(), rows.len(), "call ids are unique");
    for id in created {
        assert!(
            stored.contains(id.as_str()),
            "call {id} got 201 but is not stored"
        );
    }
    assert!(stored.contains(warm_up), "warm-up call stored");
    let unacknowledged = rows.len().saturating_sub(created.len() + 1);
    format!(
        "integrity ok, {} rows, {unacknowledged} not acknowledged",
        rows.len()
    )
}

fn tail(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}
