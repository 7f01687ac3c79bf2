//! A pool manager that throws away connections found dead, without testing each checkout.
//!
//! r2d2 can test a connection at every checkout (`SELECT 1`), but that is one more round trip
//! per checkout, and a history request checks out twice (the token revocation check, then the
//! page): the benchmark measured those two `SELECT 1` as a fifth of the database's work. Without
//! the test, a connection that the server closed (a restart, a failover, an idle timeout) would
//! stay in the pool and fail every request it serves, because diesel's own `is_broken` only
//! looks at the transaction state. So the adapters mark a connection lost when one of its
//! statements fails with a closed connection ([`mark_connection_lost`]), and this manager tells
//! r2d2 to drop it when it comes back. The request that met the dead connection answers 503
//! `database_unavailable`; the next one gets a fresh connection.

use std::cell::Cell;

use diesel::r2d2::{ConnectionManager, ManageConnection, R2D2Connection};

thread_local! {
    /// Set by the work running on this blocking thread when its connection turned out dead;
    /// read (and cleared) when that connection returns to the pool on the same thread.
    static CONNECTION_LOST: Cell<bool> = const { Cell::new(false) };
}

/// Records that the connection the current blocking work holds is dead. Called by the
/// adapters' error translation for closed connections and broken transaction managers.
pub fn mark_connection_lost() {
    CONNECTION_LOST.with(|lost| lost.set(true));
}

/// Clears a mark left by earlier work on this thread (before new work starts).
pub(crate) fn connection_lost_reset() {
    CONNECTION_LOST.with(|lost| lost.set(false));
}

fn take_connection_lost() -> bool {
    CONNECTION_LOST.with(|lost| lost.replace(false))
}

/// diesel's connection manager, plus the dead-connection mark (see the module documentation).
#[derive(Debug)]
pub struct CheckedManager<C: R2D2Connection + 'static> {
    inner: ConnectionManager<C>,
}

impl<C: R2D2Connection + 'static> CheckedManager<C> {
    pub fn new(database_url: impl Into<String>) -> Self {
        Self {
            inner: ConnectionManager::new(database_url),
        }
    }
}

impl<C: R2D2Connection + Send + 'static> ManageConnection for CheckedManager<C> {
    type Connection = C;
    type Error = diesel::r2d2::Error;

    fn connect(&self) -> Result<C, Self::Error> {
        self.inner.connect()
    }

    fn is_valid(&self, connection: &mut C) -> Result<(), Self::Error> {
        self.inner.is_valid(connection)
    }

    fn has_broken(&self, connection: &mut C) -> bool {
        // Both, so that the mark is always cleared.
        let lost = take_connection_lost();
        self.inner.has_broken(connection) || lost
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_mark_is_read_once_and_only_on_its_own_thread() {
        connection_lost_reset();
        assert!(!take_connection_lost());
        mark_connection_lost();
        let elsewhere = std::thread::spawn(take_connection_lost)
            .join()
            .expect("thread");
        assert!(!elsewhere, "another thread's mark is not this one's");
        assert!(take_connection_lost());
        assert!(!take_connection_lost(), "read once");
        mark_connection_lost();
        connection_lost_reset();
        assert!(!take_connection_lost(), "cleared before new work");
    }
}
