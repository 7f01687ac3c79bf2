//! What the process-level tests (`outage.rs`, `shutdown.rs`) share: the real `calls-server`
//! binary started as a child process, its port read from its JSON log, and killed when the
//! guard drops, whatever happened in the test.

// Each test binary uses only part of this module.
#![allow(dead_code)]

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

pub mod api;
pub mod certs;
pub mod cluster;
use api::Api;

pub const JWT_SECRET: &str = "process-test-secret-that-is-at-least-32-bytes";
pub const PASSWORD: &str = "a sufficiently long passphrase";
/// A Berlin landline: valid, region DE, not in any blocked range.
pub const NUMBER: &str = "+4930901820";

/// The binary's start-up may include migrations and a debug build on a busy machine.
const START_TIMEOUT: Duration = Duration::from_secs(60);

/// A running `calls-server serve`; killed (SIGKILL) on drop if it is still running.
pub struct ServerProcess {
    child: Child,
    log: PathBuf,
    pub port: u16,
}

impl ServerProcess {
    /// Starts `calls-server serve` with a clean environment plus `env`, listening on a free
    /// port of 127.0.0.1, logging JSON into `log`. Waits until it listens.
    ///
    /// # Panics
    /// When the process exits or does not listen within a minute (the log is printed).
    pub fn start(env: &[(&str, &str)], log: &Path) -> Self {
        let out = File::create(log).expect("server log file");
        let err = out.try_clone().expect("server log file");
        let mut command = Command::new(env!("CARGO_BIN_EXE_calls-server"));
        command
            .arg("serve")
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("SERVER_HOST", "127.0.0.1")
            .env("SERVER_PORT", "0")
            .env("LOG_FORMAT", "json")
            .env("JWT_SECRET", JWT_SECRET)
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err);
        for (name, value) in env {
            command.env(name, value);
        }
        let child = command.spawn().expect("calls-server starts");
        let mut server = Self {
            child,
            log: log.to_owned(),
            port: 0,
        };
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            if let Some(port) = server.logged_port() {
                server.port = port;
                return server;
            }
            if let Ok(Some(status)) = server.child.try_wait() {
                panic!("calls-server exited with {status}:\n{}", server.log_text());
            }
            assert!(
                Instant::now() < deadline,
                "calls-server did not listen within {START_TIMEOUT:?}:\n{}",
                server.log_text()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The port of the `listening` line of the JSON log.
    fn logged_port(&self) -> Option<u16> {
        self.log_text().lines().find_map(|line| {
            let entry: Value = serde_json::from_str(line).ok()?;
            if entry["message"] != "listening" {
                return None;
            }
            entry["port"]
                .as_u64()
                .and_then(|port| u16::try_from(port).ok())
        })
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base())
    }

    /// A client for this process, with reqwest's default settings.
    pub fn api(&self) -> Api {
        Api::new(reqwest::Client::new(), self.base())
    }

    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// The last `lines` lines of the log, for failure messages.
    pub fn log_tail(&self, lines: usize) -> String {
        let text = self.log_text();
        let all: Vec<&str> = text.lines().collect();
        all[all.len().saturating_sub(lines)..].join("\n")
    }

    /// `kill -TERM <pid>` (the workspace forbids the unsafe code `libc::kill` would need).
    pub fn sigterm(&self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.pid().to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success(), "kill -TERM {} failed", self.pid());
    }

    /// Waits up to `timeout` for the process to exit.
    pub fn wait_exit(&mut self, timeout: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + timeout;
        loop {
            match self.child.try_wait().expect("try_wait") {
                Some(status) => return Some(status),
                None if Instant::now() >= deadline => return None,
                None => std::thread::sleep(Duration::from_millis(20)),
            }
        }
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// An HTTP answer reduced to what the tests look at.
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: u16,
    pub body: Value,
}

impl Answer {
    /// Whether the body is the contract's error body `{"error","message"}` with `code`.
    pub fn is_error(&self, code: &str) -> bool {
        self.body.as_object().is_some_and(|object| {
            object.len() == 2
                && object.get("error").and_then(Value::as_str) == Some(code)
                && object
                    .get("message")
                    .and_then(Value::as_str)
                    .is_some_and(|message| !message.is_empty())
        })
    }
}

/// Sends `request` and reads the whole body; `Err` is a transport failure (refused, reset,
/// timed out, truncated body).
pub async fn exchange(request: reqwest::RequestBuilder) -> Result<Answer, String> {
    let response = request.send().await.map_err(|err| describe(&err))?;
    let status = response.status().as_u16();
    let bytes = response.bytes().await.map_err(|err| describe(&err))?;
    let body = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()))
    };
    Ok(Answer { status, body })
}

/// reqwest's error with its chain of causes (the top level alone says little).
pub fn describe(err: &reqwest::Error) -> String {
    let mut text = err.to_string();
    let mut source = std::error::Error::source(err);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// Every call id in the user's history, through every page (`limit=100`).
pub async fn history_ids(api: &Api, token: &str) -> (u64, Vec<String>) {
    let mut ids = Vec::new();
    let mut total = 0;
    for page in 1.. {
        let path = format!("/api/calls/history?limit=100&page={page}");
        let answer = api.get_authed(&path, token).await;
        assert_eq!(answer.status, 200, "history page {page}: {:?}", answer.body);
        total = answer.body["total"].as_u64().expect("total");
        let calls = answer.body["calls"].as_array().expect("calls");
        ids.extend(
            calls
                .iter()
                .map(|call| call["callId"].as_str().expect("callId").to_owned()),
        );
        if calls.is_empty() || ids.len() as u64 >= total {
            break;
        }
    }
    (total, ids)
}

/// Latency percentile (`q` in 0..=1) of `samples`, which it sorts.
pub fn percentile(samples: &mut [Duration], q: f64) -> Duration {
    if samples.is_empty() {
        return Duration::ZERO;
    }
    samples.sort_unstable();
    let rank = ((samples.len() - 1) as f64 * q).round() as usize;
    samples[rank.min(samples.len() - 1)]
}
