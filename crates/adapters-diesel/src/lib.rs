//! What the PostgreSQL and SQLite adapters share, as they differ only in the connection type:
//! blocking diesel work run off the async workers ([`Blocking`]), and a pool manager that
//! discards connections the work found dead ([`CheckedManager`]).

mod blocking;
mod manager;

pub use blocking::Blocking;
pub use manager::{CheckedManager, mark_connection_lost};
