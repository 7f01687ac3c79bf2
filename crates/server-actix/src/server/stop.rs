//! The first steps of a stop, before actix-server's graceful stop begins: no connection the
//! server has accepted is dropped unanswered, and none is let in that it cannot serve.
//!
//! Why: actix-server's graceful stop makes each worker drop the connections its accept thread
//! has handed it but it has not started serving yet ("drop all pending connections in rx
//! channel", actix-server 2.6 `worker.rs`), and only then closes the listener, whose queue of
//! handshaken connections the kernel resets. A client (nginx) that had sent a request on one of
//! those sees the connection closed under it ("upstream prematurely closed connection").
//!
//! So on SIGTERM/SIGINT, in order:
//! 1. [`Drain`] starts: answers say `Connection: close`, idle connections end.
//! 2. The listening socket gets a packet filter that drops everything (`SO_ATTACH_FILTER`,
//!    "return 0"): from then on no handshake completes, so the kernel queues no new
//!    connection; a client's SYN goes unanswered and is sent again a second later.
//! 3. [`SETTLE`] passes, in which the accept thread takes the connections the kernel had
//!    queued and hands them to the workers.
//! 4. The socket stops listening (`shutdown(SHUT_RD)` on a duplicate of its descriptor, which
//!    changes the one socket both descriptors name): the resent SYNs are refused, which a
//!    proxy treats as "try the next instance" before it has sent anything (nginx: `connect()
//!    failed (111: Connection refused)`, a second late). The accept thread may meet the
//!    stopped socket once (its `accept` fails with `EINVAL`, which it logs as an error:
//!    [`stopping`] lets the log filter drop that line); it is then paused, so that it does not
//!    retry every 500 ms.
//! 5. [`LAST_HANDOFF`] passes, in which every worker takes the connections handed to it last.
//! 6. The stop waits, up to `server.shutdown_timeout_secs`, until [`Drain`] counts no open
//!    connection: each is answered (with `Connection: close`) or closed idle.
//! 7. Only then does actix-server's own stop run, on idle workers. Why not leave the waiting
//!    to it: its stop wakes the accept thread first and tells the workers second, and a worker
//!    that sees the accept thread's channel close before it sees its stop message exits at
//!    once, dropping every connection it serves (actix-server 2.6 `worker.rs`, "None =>
//!    return"): in-flight requests cut, which the shutdown test saw on a busy machine.
//!
//! What is left: a handshake whose final ACK arrives in the microseconds around step 2 is
//! dropped with everything else, and its client (which thinks it is connected) is reset at step
//! 4. On loopback or a LAN that window is one round trip wide.

use std::net::{Shutdown, TcpListener};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use actix_web::dev::ServerHandle;

use super::drain::{Drain, termination};

/// How long the accept thread gets to take the connections the kernel had queued (step 3): it
/// takes one within microseconds of its arrival unless the machine starves it of CPU.
pub const SETTLE: Duration = Duration::from_millis(150);

/// How long the workers get to take the connections handed to them last (step 5): a worker's
/// loop takes one within microseconds unless it is busy running a request's synchronous part,
/// which in this server is short (blocking work runs on the blocking pool).
pub const LAST_HANDOFF: Duration = Duration::from_millis(50);

/// The classic BPF program "return 0": accept no byte of any packet.
const DROP_EVERYTHING: [socket2::SockFilter; 1] = [socket2::SockFilter::new(0x06, 0, 0, 0)];

/// Set by the first stop in the process (see [`stopping`]).
static STOPPING: AtomicBool = AtomicBool::new(false);

/// Whether a server of this process has begun to stop: then actix-server's accept thread
/// complains about the listener the stop closed on purpose, and the log filter drops those
/// lines (target `actix_server::accept`). Process-wide, because the log filter is.
pub fn stopping() -> bool {
    STOPPING.load(Ordering::Relaxed)
}

/// What the stop needs of the running server: its listening socket and its handle (known only
/// once the server runs, hence set later).
#[derive(Debug, Clone)]
pub struct StopSequence {
    listeners: Arc<Mutex<Vec<TcpListener>>>,
    server: Arc<OnceLock<ServerHandle>>,
    /// How long step 6 waits for the connections to end.
    grace: Duration,
}

/// How often step 6 looks at the count of open connections.
const COUNT_EVERY: Duration = Duration::from_millis(10);

impl StopSequence {
    pub fn new(grace: Duration) -> Self {
        Self {
            listeners: Arc::default(),
            server: Arc::default(),
            grace,
        }
    }

    /// Keeps a duplicate of `listener`'s descriptor, to stop it listening at step 3.
    pub fn watch_listener(&self, listener: &TcpListener) -> std::io::Result<()> {
        let duplicate = listener.try_clone()?;
        self.listeners
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(duplicate);
        Ok(())
    }

    /// The running server, whose accept thread step 2 pauses.
    pub fn set_server(&self, handle: ServerHandle) {
        let _ = self.server.set(handle);
    }

    /// Steps 1 to 6, for the stop `signal` names; actix-server's graceful stop follows when
    /// this returns.
    pub async fn run(&self, drain: &Drain, signal: &str) {
        drain.start();
        tracing::info!(
            signal,
            "draining: no new connections; requests already received are answered with \
             Connection: close, idle connections closed"
        );
        STOPPING.store(true, Ordering::Relaxed);
        let listeners = std::mem::take(
            &mut *self
                .listeners
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        );
        for listener in &listeners {
            if let Err(error) = socket2::SockRef::from(listener).attach_filter(&DROP_EVERYTHING) {
                tracing::warn!(%error, "cannot close the listener's door; a connection arriving now may be reset");
            }
        }
        tokio::time::sleep(SETTLE).await;
        for listener in &listeners {
            if let Err(error) = socket2::SockRef::from(listener).shutdown(Shutdown::Read) {
                tracing::warn!(%error, "cannot stop the listener");
            }
        }
        if let Some(server) = self.server.get() {
            server.pause().await;
        }
        tokio::time::sleep(LAST_HANDOFF).await;
        let deadline = tokio::time::Instant::now() + self.grace;
        while drain.open_connections() > 0 && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(COUNT_EVERY).await;
        }
        let left = drain.open_connections();
        if left > 0 {
            tracing::warn!(
                connections = left,
                "stopping with connections still open after the grace period"
            );
        }
    }
}

/// Resolves on SIGTERM or SIGINT, after the first steps of the stop: the server's stop signal
/// (actix-server then waits for the connections to end).
pub async fn stop_on_signal(drain: Drain, stop: StopSequence) {
    let signal = termination().await;
    stop.run(&drain, signal).await;
}
