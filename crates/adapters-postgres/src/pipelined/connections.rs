//! The pipelined connections of one storage on one HTTP worker thread.
//!
//! Why per thread: an actix worker is a single-threaded runtime. A connection opened on it has
//! its socket driven by a task on that same thread, so a request, the connection's I/O and the
//! answer never leave the thread: no wake-up of another thread, no lock handed across cores.
//! Requests of the same worker share its connections; the statements they send concurrently are
//! pipelined (PostgreSQL reads them one after another from the socket, without waiting for the
//! client in between).

use std::cell::RefCell;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Weak};
use std::time::Duration;

use calls_core::ports::StorageError;
use diesel_async::AsyncPgConnection;

thread_local! {
    /// Per storage (its [`Owner`]), this thread's connections.
    static THREAD_CONNECTIONS: RefCell<Vec<WorkerConnections>> = const { RefCell::new(Vec::new()) };
}

/// Distinguishes the storages of one process in the per-thread sets.
static NEXT_OWNER: AtomicU64 = AtomicU64::new(1);

/// The storage a thread's connections belong to. When it is dropped, each thread closes that
/// storage's connections the next time it takes one of any storage (or when it exits).
pub(crate) struct Owner {
    id: u64,
    alive: Arc<()>,
}

impl Owner {
    pub(crate) fn new() -> Self {
        Self {
            id: NEXT_OWNER.fetch_add(1, Ordering::Relaxed),
            alive: Arc::new(()),
        }
    }
}

/// One open connection and what the reader needs to know about it.
pub(crate) struct Slot {
    pub(crate) connection: AsyncPgConnection,
    /// Statements sent on it and not answered yet.
    in_flight: AtomicUsize,
    /// Set when the task driving the socket ended (the server closed it, an error, or the
    /// runtime that ran the task shut down): the connection can serve nothing more.
    closed: Arc<Closed>,
}

/// The end of a connection's task: a flag, and a signal for those waiting to see it.
#[derive(Default)]
struct Closed {
    flag: AtomicBool,
    signal: tokio::sync::Notify,
}

impl Closed {
    fn set(&self) {
        self.flag.store(true, Ordering::Release);
        self.signal.notify_waiters();
    }
}

impl Slot {
    pub(crate) fn is_closed(&self) -> bool {
        self.closed.flag.load(Ordering::Acquire)
    }

    /// Whether the connection's task ends within `wait`: after a statement failed, the
    /// server may be saying goodbye (`FATAL`, then the end of the stream), which the task
    /// reads a moment after the statement's error.
    pub(crate) async fn closes_within(&self, wait: Duration) -> bool {
        let signal = self.closed.signal.notified();
        tokio::pin!(signal);
        signal.as_mut().enable();
        if self.is_closed() {
            return true;
        }
        tokio::time::timeout(wait, signal).await.is_ok() || self.is_closed()
    }

    /// Marks the connection unusable (a statement on it failed as a closed connection).
    pub(crate) fn close(&self) {
        self.closed.set();
    }
}

/// A statement's use of a [`Slot`]: counted in flight until dropped.
pub(crate) struct Lease(Arc<Slot>);

impl Lease {
    fn new(slot: Arc<Slot>) -> Self {
        slot.in_flight.fetch_add(1, Ordering::AcqRel);
        Self(slot)
    }

    pub(crate) fn slot(&self) -> &Slot {
        &self.0
    }
}

impl Drop for Lease {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::AcqRel);
    }
}

struct WorkerConnections {
    owner: u64,
    alive: Weak<()>,
    slots: Vec<Arc<Slot>>,
    /// Connections being opened for this owner on this thread right now.
    opening: usize,
}

/// What [`take`] found.
pub(crate) enum Taken {
    Lease(Lease),
    /// Every connection is busy and there is room for another: open one ([`open`]) and
    /// [`adopt`] it. The caller holds the opening's place until it adopts or gives up.
    Open(OpeningPlace),
    /// No connection is open yet and others are opening the allowed number: ask again soon.
    Wait,
}

/// A connection being opened for `owner` on this thread (counted, so that concurrent requests
/// do not open more than the limit); released when dropped.
pub(crate) struct OpeningPlace {
    owner: u64,
    alive: Weak<()>,
}

impl Drop for OpeningPlace {
    fn drop(&mut self) {
        with_owner(self.owner, &self.alive, |set| {
            set.opening = set.opening.saturating_sub(1);
        });
    }
}

/// Runs `work` on `owner`'s set of this thread (created empty if missing), after dropping the
/// sets of storages that no longer exist. `None` when `owner` itself is gone.
fn with_owner<T>(
    owner: u64,
    alive: &Weak<()>,
    work: impl FnOnce(&mut WorkerConnections) -> T,
) -> Option<T> {
    THREAD_CONNECTIONS.with(|all| {
        let mut all = all.borrow_mut();
        all.retain(|set| set.alive.strong_count() > 0);
        if alive.strong_count() == 0 {
            return None;
        }
        let index = match all.iter().position(|set| set.owner == owner) {
            Some(index) => index,
            None => {
                all.push(WorkerConnections {
                    owner,
                    alive: alive.clone(),
                    slots: Vec::new(),
                    opening: 0,
                });
                all.len() - 1
            }
        };
        Some(work(&mut all[index]))
    })
}

/// The least busy open connection of `owner` on this thread, or the permission to open one
/// more when all are busy and fewer than `per_thread` exist (counting those being opened).
pub(crate) fn take(owner: &Owner, per_thread: usize) -> Taken {
    let alive = Arc::downgrade(&owner.alive);
    with_owner(owner.id, &alive, |set| {
        set.slots.retain(|slot| !slot.is_closed());
        let least_busy = set
            .slots
            .iter()
            .min_by_key(|slot| slot.in_flight.load(Ordering::Acquire))
            .cloned();
        let room = set.slots.len() + set.opening < per_thread.max(1);
        match least_busy {
            // An idle connection; or all busy but no room, or one already being opened:
            // pipeline on the least busy.
            Some(slot)
                if !room || set.opening > 0 || slot.in_flight.load(Ordering::Acquire) == 0 =>
            {
                Taken::Lease(Lease::new(slot))
            }
            // The first connections are being opened by other requests.
            None if !room => Taken::Wait,
            _ => {
                set.opening += 1;
                Taken::Open(OpeningPlace {
                    owner: owner.id,
                    alive: alive.clone(),
                })
            }
        }
    })
    .unwrap_or(Taken::Wait)
}

/// Adds a connection opened with `place` to this thread's set and leases it.
pub(crate) fn adopt(place: OpeningPlace, slot: Arc<Slot>) -> Lease {
    let lease = Lease::new(Arc::clone(&slot));
    with_owner(place.owner, &place.alive, |set| set.slots.push(slot));
    drop(place);
    lease
}

/// Opens a connection to `config`'s server, its socket driven by a task on the current runtime
/// (this thread, on an actix worker), within `timeout`.
pub(crate) async fn open(
    config: &tokio_postgres::Config,
    timeout: Duration,
) -> Result<Arc<Slot>, StorageError> {
    let connecting = config.connect(tokio_postgres::NoTls);
    let (client, connection) = tokio::time::timeout(timeout, connecting)
        .await
        .map_err(|_| {
            StorageError::unavailable(format!(
                "no PostgreSQL connection could be opened within {timeout:?} (pipelined history)"
            ))
        })?
        .map_err(|error| {
            StorageError::unavailable("PostgreSQL refused a pipelined connection").caused_by(error)
        })?;
    let closed = Arc::new(Closed::default());
    let marker = ClosedOnDrop(Arc::clone(&closed));
    tokio::spawn(async move {
        let _marker = marker;
        if let Err(error) = connection.await {
            tracing::warn!(%error, "a pipelined PostgreSQL connection ended");
        }
    });
    let connection = tokio::time::timeout(timeout, AsyncPgConnection::try_from(client))
        .await
        .map_err(|_| StorageError::unavailable("PostgreSQL did not finish a connection's set-up"))?
        .map_err(|error| {
            StorageError::unavailable("a pipelined connection's set-up failed").caused_by(error)
        })?;
    Ok(Arc::new(Slot {
        connection,
        in_flight: AtomicUsize::new(0),
        closed,
    }))
}

/// Marks the connection closed when the task that owns it ends or is dropped with its runtime.
struct ClosedOnDrop(Arc<Closed>);

impl Drop for ClosedOnDrop {
    fn drop(&mut self) {
        self.0.set();
    }
}
