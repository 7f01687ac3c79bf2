//! SIGTERM under keep-alive load, on the real binary: the server drains instead of waiting out
//! its grace period.
//!
//! Eight clients loop over `GET /api/calls/history` on keep-alive connections and never stop
//! by themselves (as nginx's upstream pool does not), two logins (argon2: slow) are in flight,
//! and one more connection sits idle after a first request. The server gets SIGTERM, with
//! `server.shutdown_timeout_secs` set to 30 s. Then:
//!
//! - every request sent before the drain began got a complete answer, the in-flight logins
//!   included (200, `Connection: close`);
//! - no answer before the signal carries `Connection: close`; after it, every client's open
//!   connection carries one last answer with it, and every request sent after the drain began
//!   and answered carries it;
//! - the idle connection is closed by the server (end of stream) without a request;
//! - the process exits 0 within 10 s: well before the 30 s, which only a server that closes its
//!   connections itself can do while clients keep sending.

mod support;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use support::{PASSWORD, ServerProcess, describe};

const CLIENTS: usize = 8;
const LOGINS_IN_FLIGHT: usize = 2;
/// Well below the 30 s grace period; what it takes is mostly the in-flight logins (debug-build
/// argon2 on a busy machine).
const EXIT_LIMIT: Duration = Duration::from_secs(10);
const CONFIG: &str = "[server]\nshutdown_timeout_secs = 30\n";

#[derive(Debug)]
struct Record {
    started: Instant,
    finished: Instant,
    what: &'static str,
    /// Status and whether the answer said `Connection: close`; `Err` for a transport failure.
    outcome: Result<(u16, bool), String>,
}

/// Sends `request`, reading the whole body.
async fn exchange(request: reqwest::RequestBuilder) -> Result<(u16, bool), String> {
    let response = request.send().await.map_err(|err| describe(&err))?;
    let status = response.status().as_u16();
    let close = response
        .headers()
        .get(reqwest::header::CONNECTION)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("close"));
    response.bytes().await.map_err(|err| describe(&err))?;
    Ok((status, close))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sigterm_under_keep_alive_load_drains_and_exits_at_once() {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = dir.path().join("calls.toml");
    std::fs::write(&config, CONFIG).expect("config");
    let database_url = format!("sqlite://{}", dir.path().join("calls.db").display());
    let mut server = ServerProcess::start(
        &[
            ("DATABASE_URL", &database_url),
            ("CALLS_CONFIG", config.to_str().expect("utf-8")),
        ],
        &dir.path().join("server.log"),
    );
    let base = server.base();
    let email = "drain@example.com";
    let token = server.api().register(email).await;

    // A keep-alive connection that has served one request and then sits idle.
    let mut idle = TcpStream::connect(("127.0.0.1", server.port)).expect("idle connection");
    idle.write_all(b"GET /system/health HTTP/1.1\r\nHost: x\r\n\r\n")
        .expect("request");
    idle.set_read_timeout(Some(Duration::from_secs(15)))
        .expect("timeout");
    let mut first = [0u8; 4096];
    let n = idle.read(&mut first).expect("first answer");
    assert!(first[..n].starts_with(b"HTTP/1.1 200"), "{:?}", &first[..n]);

    // The logins' connections, opened and used once now, long before the signal: raw TCP, so
    // that the test knows their requests are in the server's socket before it sends SIGTERM
    // (a client library may write later than asked on a busy machine, and a request that
    // reaches an idle connection after the drain closed it is the keep-alive race, not a
    // request the server received).
    let mut login_connections = Vec::new();
    for _ in 0..LOGINS_IN_FLIGHT {
        let mut connection = TcpStream::connect(("127.0.0.1", server.port)).expect("connect");
        connection
            .set_read_timeout(Some(Duration::from_secs(40)))
            .expect("timeout");
        connection
            .write_all(b"GET /system/health HTTP/1.1\r\nHost: x\r\n\r\n")
            .expect("warm-up request");
        let (status, _) = read_answer(&mut connection).expect("warm-up answer");
        assert_eq!(status, 200, "warm-up");
        login_connections.push(connection);
    }

    let records: Arc<Mutex<Vec<Record>>> = Arc::default();
    let clients: Vec<_> = (0..CLIENTS)
        .map(|_| {
            let (base, token, records) = (base.clone(), token.clone(), records.clone());
            tokio::spawn(async move {
                let client = reqwest::Client::builder()
                    .timeout(Duration::from_secs(30))
                    .build()
                    .expect("client");
                // Until the server refuses: no client stops by itself.
                loop {
                    let started = Instant::now();
                    let request = client
                        .get(format!("{base}/api/calls/history"))
                        .bearer_auth(&token);
                    let outcome = exchange(request).await;
                    let failed = outcome.is_err();
                    records.lock().expect("records").push(Record {
                        started,
                        finished: Instant::now(),
                        what: "history",
                        outcome,
                    });
                    if failed {
                        break;
                    }
                }
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(1500)).await;

    let body = json!({ "email": email, "password": PASSWORD }).to_string();
    let login_request = format!(
        "POST /api/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\n\r\n{body}",
        body.len()
    );
    let logins: Vec<_> = login_connections
        .into_iter()
        .map(|mut connection| {
            connection
                .write_all(login_request.as_bytes())
                .expect("login request");
            let started = Instant::now();
            let records = records.clone();
            tokio::task::spawn_blocking(move || {
                let outcome = read_answer(&mut connection);
                records.lock().expect("records").push(Record {
                    started,
                    finished: Instant::now(),
                    what: "login",
                    outcome,
                });
            })
        })
        .collect();
    // The logins are under way (a debug-build argon2 hash takes far longer than this).
    tokio::time::sleep(Duration::from_millis(300)).await;
    let signalled = Instant::now();
    server.sigterm();
    let drained = wait_for_log(&server, "draining:", Duration::from_secs(5));

    // The idle connection: closed by the server, no request needed.
    let idle_end = tokio::task::spawn_blocking(move || {
        let mut rest = [0u8; 64];
        idle.read(&mut rest).map_err(|err| err.to_string())
    });

    let status = tokio::task::spawn_blocking(move || {
        let status = server.wait_exit(Duration::from_secs(40));
        (status, signalled.elapsed(), server)
    });
    let (status, exit_after, server) = status.await.expect("waiting for the exit");
    for task in clients.into_iter().chain(logins) {
        task.await.expect("client task");
    }
    let status = status.unwrap_or_else(|| panic!("still running:\n{}", server.log_tail(30)));
    assert_eq!(status.code(), Some(0), "{}", server.log_tail(30));
    assert!(
        exit_after < EXIT_LIMIT,
        "exit {exit_after:?} after SIGTERM (grace period 30 s):\n{}",
        server.log_tail(30)
    );
    assert_eq!(
        idle_end.await.expect("idle reader"),
        Ok(0),
        "the idle connection is closed by the server"
    );

    let records = std::mem::take(&mut *records.lock().expect("records"));
    let before: Vec<&Record> = records.iter().filter(|r| r.started < signalled).collect();
    let broken: Vec<String> = before
        .iter()
        .filter_map(|r| r.outcome.as_ref().err().map(|e| format!("{}: {e}", r.what)))
        .collect();
    assert!(
        broken.is_empty(),
        "requests sent before SIGTERM without a complete answer: {broken:#?}\n{}",
        server.log_tail(30)
    );
    let logins: Vec<&Record> = records.iter().filter(|r| r.what == "login").collect();
    assert_eq!(logins.len(), LOGINS_IN_FLIGHT);
    for login in logins {
        assert_eq!(
            login.outcome,
            Ok((200, true)),
            "an in-flight login is answered, and closes its connection"
        );
    }
    let history: Vec<&Record> = records.iter().filter(|r| r.what == "history").collect();
    let closed_before = history
        .iter()
        .filter(|r| r.finished < signalled && r.outcome.as_ref().is_ok_and(|(_, close)| *close))
        .count();
    assert_eq!(closed_before, 0, "keep-alive before the signal");
    // Sent after the drain began on a connection still open: answered, and closing it.
    let after_drain: Vec<&&Record> = history
        .iter()
        .filter(|r| r.started >= drained && r.outcome.is_ok())
        .collect();
    for record in &after_drain {
        assert_eq!(
            record.outcome,
            Ok((200, true)),
            "answered while draining without Connection: close: {record:?}"
        );
    }
    // Every client's open connection carried one last answer marked `Connection: close`.
    let closing = history
        .iter()
        .filter(|r| r.outcome.as_ref().is_ok_and(|(_, close)| *close))
        .count();
    assert!(
        closing >= 1,
        "no answer closed its connection while draining"
    );
    let unexpected: Vec<&Record> = records
        .iter()
        .filter(|r| matches!(r.outcome, Ok((status, _)) if status != 200))
        .collect();
    assert!(unexpected.is_empty(), "{unexpected:#?}");
    println!(
        "draining figures: requests={} before_signal={} closing_answers={closing} \
         sent_and_answered_after_drain={} exit_after={exit_after:.2?}",
        records.len(),
        before.len(),
        after_drain.len()
    );
}

/// Reads one HTTP/1.1 answer (headers, then a `Content-Length` body): its status and whether
/// it said `Connection: close`; `Err` when the connection ends before the whole answer.
fn read_answer(connection: &mut TcpStream) -> Result<(u16, bool), String> {
    let mut received = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        if let Some(end) = received.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&received[..end]).to_ascii_lowercase();
            let status = head
                .split(' ')
                .nth(1)
                .and_then(|code| code.parse().ok())
                .ok_or_else(|| format!("no status line: {head}"))?;
            let length: usize = head
                .lines()
                .find_map(|line| line.strip_prefix("content-length:"))
                .and_then(|value| value.trim().parse().ok())
                .unwrap_or(0);
            let close = head.lines().any(|line| line == "connection: close");
            if received.len() >= end + 4 + length {
                return Ok((status, close));
            }
        }
        match connection.read(&mut chunk) {
            Ok(0) => return Err(format!("closed after {} bytes", received.len())),
            Ok(n) => received.extend_from_slice(&chunk[..n]),
            Err(err) => return Err(err.to_string()),
        }
    }
}

/// When the test first saw `needle` in the server's log (polling), panicking after `limit`.
fn wait_for_log(server: &ServerProcess, needle: &str, limit: Duration) -> Instant {
    let start = Instant::now();
    loop {
        let found = server.log_text().lines().any(|line| {
            serde_json::from_str::<Value>(line).is_ok_and(|entry| {
                entry["message"]
                    .as_str()
                    .is_some_and(|m| m.starts_with(needle))
            })
        });
        if found {
            return Instant::now();
        }
        assert!(
            start.elapsed() < limit,
            "no '{needle}' line:\n{}",
            server.log_tail(20)
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}
