//! SIGTERM while new connections keep arriving, on the real binary: every connection the
//! server accepted is answered, and once it stops accepting, connecting is refused at once.
//!
//! Client threads open a fresh connection per request in a tight loop (what nginx does when
//! its keep-alive pool is empty), send `GET /system/health` and read the whole answer. The
//! server gets SIGTERM while they run. Each attempt ends one of three ways:
//!
//! - answered: a complete HTTP response;
//! - refused: `connect` fails with `ECONNREFUSED` (the client, like a proxy, knows nothing was
//!   sent and can go elsewhere); the thread stops there;
//! - cut: the connection was established, the request sent, and it was closed or reset with
//!   no answer: what nginx logs as "upstream prematurely closed connection", and what
//!   actix-server's own graceful stop does to the connections its workers had not started
//!   serving. There must be none.
//!
//! Bounded: each thread stops at the first refusal, after `MAX_ATTEMPTS`, or after `LIMIT`.

mod support;

use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use support::ServerProcess;

const CLIENTS: usize = 6;
const MAX_ATTEMPTS: usize = 50_000;
const LIMIT: Duration = Duration::from_secs(30);
const CONFIG: &str = "[server]\nshutdown_timeout_secs = 30\n";

#[derive(Debug, Default)]
struct Tally {
    answered: usize,
    refused: usize,
    cut: Vec<String>,
}

/// One attempt: `Ok(true)` answered, `Ok(false)` refused, `Err` cut (with what happened).
fn attempt(port: u16) -> Result<bool, String> {
    let mut stream = match TcpStream::connect(("127.0.0.1", port)) {
        Ok(stream) => stream,
        Err(err) if err.kind() == ErrorKind::ConnectionRefused => return Ok(false),
        Err(err) => return Err(format!("connect: {err}")),
    };
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .map_err(|err| err.to_string())?;
    stream
        .write_all(b"GET /system/health HTTP/1.1\r\nHost: calls\r\nConnection: close\r\n\r\n")
        .map_err(|err| format!("write: {err}"))?;
    let mut answer = Vec::new();
    let read = stream.read_to_end(&mut answer);
    if answer.starts_with(b"HTTP/1.1 ") && answer.windows(4).any(|w| w == b"\r\n\r\n") {
        return Ok(true);
    }
    Err(format!(
        "no answer after the request ({} bytes, {read:?})",
        answer.len()
    ))
}

fn client(port: u16) -> Tally {
    let mut tally = Tally::default();
    let started = Instant::now();
    for _ in 0..MAX_ATTEMPTS {
        if started.elapsed() > LIMIT {
            break;
        }
        match attempt(port) {
            Ok(true) => tally.answered += 1,
            Ok(false) => {
                tally.refused += 1;
                break;
            }
            Err(what) => tally.cut.push(what),
        }
    }
    tally
}

#[test]
fn sigterm_while_connections_arrive_answers_every_accepted_one() {
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
    let port = server.port;
    let clients: Vec<_> = (0..CLIENTS)
        .map(|_| std::thread::spawn(move || client(port)))
        .collect();
    // Let the clients reach full speed.
    std::thread::sleep(Duration::from_millis(1500));
    let signalled = Instant::now();
    server.sigterm();
    let status = server.wait_exit(Duration::from_secs(40));
    let exit_after = signalled.elapsed();
    let tallies: Vec<Tally> = clients
        .into_iter()
        .map(|c| c.join().expect("client thread"))
        .collect();
    let status = status.unwrap_or_else(|| panic!("still running:\n{}", server.log_tail(30)));
    assert_eq!(status.code(), Some(0), "{}", server.log_tail(30));

    let cut: Vec<&String> = tallies.iter().flat_map(|t| &t.cut).collect();
    let answered: usize = tallies.iter().map(|t| t.answered).sum();
    println!(
        "stop figures: answered={answered} refused={} cut={} exit_after={exit_after:.2?}",
        tallies.iter().map(|t| t.refused).sum::<usize>(),
        cut.len()
    );
    assert!(
        cut.is_empty(),
        "connections cut without an answer: {cut:#?}\n{}",
        server.log_tail(30)
    );
    assert!(
        answered > CLIENTS,
        "the clients were served before the stop"
    );
    // Paused before its listener stopped, the accept thread never met the stopped socket.
    assert!(
        !server.log_text().contains("error accepting connection"),
        "{}",
        server.log_tail(30)
    );
    for (i, tally) in tallies.iter().enumerate() {
        assert_eq!(
            tally.refused, 1,
            "client {i} ended by a refused connection (the server stopped listening): {tally:?}"
        );
    }
    assert!(
        exit_after < Duration::from_secs(10),
        "exit {exit_after:?} after SIGTERM"
    );
}
