//! Draining on SIGTERM/SIGINT: every request already received is answered, with
//! `Connection: close`, and idle keep-alive connections are closed, so that the process exits
//! within a few seconds instead of waiting out `server.shutdown_timeout_secs`.
//!
//! Why this is needed: actix-server's graceful stop closes the listener and then waits for the
//! worker's connection count to reach zero, and actix-http's HTTP/1.1 dispatcher knows nothing
//! of the stop. A keep-alive connection that a client (nginx's upstream pool, a browser) keeps
//! busy is therefore never closed, and one that sits idle lives until its keep-alive timeout;
//! when the grace period ends the worker drops them all, cutting requests it had already read
//! (nginx then logs "upstream prematurely closed connection").
//!
//! How: a [`Drain`] flag, set by the stop signal before actix-server starts its graceful stop,
//! seen by two per-connection pieces sharing a [`ConnectionActivity`]:
//! - [`close_when_draining`], a middleware: counts the connection's requests in progress and,
//!   once draining, marks every response `Connection: close` (actix-http then closes the
//!   connection after writing it);
//! - [`super::draining_io::DrainingIo`], around the socket: once draining, a connection with no
//!   request in progress that has been quiet for [`IDLE_GRACE`] reads end-of-stream, which makes
//!   the dispatcher close it.
//!
//! Why [`IDLE_GRACE`] and not zero: closing a keep-alive connection races with the client
//! sending its next request on it (RFC 9112, section 9.6); the client then sees the connection
//! closed under a request we never read. A connection that carried a request a moment ago is
//! likely to carry the next one, and will: that request is answered with `Connection: close`.
//! One quiet for half a second is one the client is not using (nginx reuses its most recently
//! used upstream connection first, and stops choosing a server whose listener refused it).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use actix_http::ConnectionType;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use tokio::sync::watch;

/// How long an idle connection may wait for one more request once draining has started.
pub const IDLE_GRACE: Duration = Duration::from_millis(500);

/// Set once, when the server starts stopping; shared by every connection of the server, which
/// it also counts (the stop waits for the count to reach zero: see `super::stop`).
#[derive(Debug, Clone)]
pub struct Drain {
    draining: Arc<watch::Sender<bool>>,
    open: Arc<AtomicUsize>,
}

impl Default for Drain {
    fn default() -> Self {
        Self {
            draining: Arc::new(watch::Sender::new(false)),
            open: Arc::default(),
        }
    }
}

impl Drain {
    /// Starts draining (idempotent).
    pub fn start(&self) {
        self.draining.send_replace(true);
    }

    pub fn is_draining(&self) -> bool {
        *self.draining.borrow()
    }

    /// Connections being served now (from the first byte the server reads of them, after any
    /// TLS handshake, until they close).
    pub fn open_connections(&self) -> usize {
        self.open.load(Ordering::Acquire)
    }

    /// Resolves once draining has started (at once if it has).
    pub fn started(&self) -> impl Future<Output = ()> + Send + 'static {
        let mut receiver = self.draining.subscribe();
        async move {
            // An error means the server is gone: as good as draining.
            let _ = receiver.wait_for(|draining| *draining).await;
        }
    }
}

/// What one connection is doing, as far as draining needs to know.
#[derive(Debug)]
pub struct ConnectionActivity {
    drain: Drain,
    opened: Instant,
    in_progress: AtomicUsize,
    /// Milliseconds after `opened` of the last bytes read or the last request finished.
    last_activity_ms: AtomicU64,
}

impl ConnectionActivity {
    /// Counts a connection as open until the last handle of its activity drops.
    pub fn new(drain: Drain) -> Arc<Self> {
        drain.open.fetch_add(1, Ordering::AcqRel);
        Arc::new(Self {
            drain,
            opened: Instant::now(),
            in_progress: AtomicUsize::new(0),
            last_activity_ms: AtomicU64::new(0),
        })
    }

    pub fn drain(&self) -> &Drain {
        &self.drain
    }

    /// Something happened on the connection (bytes arrived, a request finished).
    pub fn touch(&self) {
        let elapsed = u64::try_from(self.opened.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.last_activity_ms.fetch_max(elapsed, Ordering::Relaxed);
    }

    pub fn last_activity(&self) -> Instant {
        self.opened + Duration::from_millis(self.last_activity_ms.load(Ordering::Relaxed))
    }

    pub fn requests_in_progress(&self) -> usize {
        self.in_progress.load(Ordering::Acquire)
    }

    /// Counts a request as in progress until the guard drops (also when the client goes away
    /// and actix drops the request's future).
    pub(super) fn begin(self: &Arc<Self>) -> InProgress {
        self.in_progress.fetch_add(1, Ordering::AcqRel);
        InProgress(self.clone())
    }
}

impl Drop for ConnectionActivity {
    fn drop(&mut self) {
        self.drain.open.fetch_sub(1, Ordering::AcqRel);
    }
}

pub(super) struct InProgress(Arc<ConnectionActivity>);

impl Drop for InProgress {
    fn drop(&mut self) {
        self.0.touch();
        self.0.in_progress.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Counts the connection's requests in progress; once draining, answers with
/// `Connection: close`. A pass-through for requests without connection data (tests that run
/// the app without [`super::build_server`]).
pub async fn close_when_draining(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let activity = req.conn_data::<Arc<ConnectionActivity>>().cloned();
    let _in_progress = activity.as_ref().map(ConnectionActivity::begin);
    let mut response = next.call(req).await?;
    if activity.as_ref().is_some_and(|a| a.drain().is_draining()) {
        response
            .response_mut()
            .head_mut()
            .set_connection_type(ConnectionType::Close);
    }
    Ok(response)
}

/// Which of SIGTERM and SIGINT arrived first.
#[cfg(unix)]
pub(super) async fn termination() -> &'static str {
    use tokio::signal::unix::{SignalKind, signal};
    match (
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
    ) {
        (Ok(mut term), Ok(mut int)) => tokio::select! {
            _ = term.recv() => "SIGTERM",
            _ = int.recv() => "SIGINT",
        },
        _ => {
            tracing::warn!("cannot listen for SIGTERM/SIGINT: stop the server some other way");
            std::future::pending().await
        }
    }
}

#[cfg(not(unix))]
pub(super) async fn termination() -> &'static str {
    let _ = tokio::signal::ctrl_c().await;
    "Ctrl-C"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn started_resolves_once_draining_and_for_late_subscribers() {
        let drain = Drain::default();
        assert!(!drain.is_draining());
        let early = tokio::spawn(drain.started());
        tokio::task::yield_now().await;
        assert!(!early.is_finished(), "not before start");
        drain.start();
        early.await.expect("early waiter");
        assert!(drain.is_draining());
        tokio::time::timeout(Duration::from_secs(1), drain.started())
            .await
            .expect("a late waiter resolves at once");
    }

    #[test]
    fn connections_are_counted_until_their_activity_drops() {
        let drain = Drain::default();
        let first = ConnectionActivity::new(drain.clone());
        let second = ConnectionActivity::new(drain.clone());
        let also_first = first.clone();
        assert_eq!(drain.open_connections(), 2);
        drop(first);
        assert_eq!(drain.open_connections(), 2, "a handle is left");
        drop(also_first);
        drop(second);
        assert_eq!(drain.open_connections(), 0);
    }

    #[test]
    fn requests_in_progress_are_counted_until_their_guard_drops() {
        let activity = ConnectionActivity::new(Drain::default());
        let first = activity.begin();
        let second = activity.begin();
        assert_eq!(activity.requests_in_progress(), 2);
        drop(first);
        assert_eq!(activity.requests_in_progress(), 1);
        let before = activity.last_activity();
        std::thread::sleep(Duration::from_millis(5));
        drop(second);
        assert_eq!(activity.requests_in_progress(), 0);
        assert!(
            activity.last_activity() > before,
            "finishing counts as activity"
        );
    }
}
