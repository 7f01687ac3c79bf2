//! The `calls-server` binary run to its exit (`migrate`, or a `serve` that must refuse), with
//! the same clean environment as `ServerProcess`; killed if it outlives the test's patience.

use std::fs::File;
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use crate::support::JWT_SECRET;

/// A run that must end on its own within this.
const EXIT_TIMEOUT: Duration = Duration::from_secs(60);

/// How the run ended, and everything it printed (stdout and stderr).
pub struct Finished {
    pub status: ExitStatus,
    pub output: String,
}

/// Kills the process if the test gives up on it (a panic, a timeout).
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        if let Ok(None) = self.0.try_wait() {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}

/// Runs `calls-server <subcommand>` with `env` and waits for it to exit.
///
/// # Panics
/// When it is still running after a minute (`serve` that should have refused).
pub fn run_to_exit(subcommand: &str, env: &[(&str, &str)], log: &Path) -> Finished {
    let out = File::create(log).expect("log file");
    let err = out.try_clone().expect("log file");
    let mut command = Command::new(env!("CARGO_BIN_EXE_calls-server"));
    command
        .arg(subcommand)
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
    let mut running = Running(command.spawn().expect("calls-server starts"));
    let deadline = Instant::now() + EXIT_TIMEOUT;
    let status = loop {
        if let Some(status) = running.0.try_wait().expect("try_wait") {
            break status;
        }
        let output = std::fs::read_to_string(log).unwrap_or_default();
        assert!(
            Instant::now() < deadline,
            "calls-server {subcommand} still runs after {EXIT_TIMEOUT:?}:\n{output}"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    Finished {
        status,
        output: std::fs::read_to_string(log).unwrap_or_default(),
    }
}
