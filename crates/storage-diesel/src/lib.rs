//! The storage ports of `calls-core`, written once in diesel for both databases.
//!
//! `calls-adapters-postgres` and `calls-adapters-sqlite` hold only what really differs per
//! backend: the schema (PostgreSQL keeps the Go backend's `uuid`/`timestamptz` columns, SQLite
//! has text ids and integer microseconds), the column types that convert ids and times
//! (`columns`), pool and connection set-up, migrations, and the little SQL that differs
//! (`dialect`: the history's snapshot, the upsert's "later expiry"). Everything else is here:
//!
//! * [`Blocking`] runs diesel's blocking calls off the async workers, bounded by the pool;
//!   [`CheckedManager`] drops connections a statement found dead; [`WithoutStatementCache`]
//!   sends statements unnamed, for a transaction-mode pooler.
//! * [`errors`], [`conversions`], [`history`], [`pool`] and [`migrations`]: plain functions and
//!   types both backends call.
//! * The port implementations, stamped into each backend crate by
//!   [`implement_storage_ports!`] (one macro per port under `stamp/`).
//!
//! # Why a macro that stamps the code for each connection type
//!
//! The two schemas differ in their SQL types, so a query is a different Rust type on each
//! backend. The alternatives were weighed:
//!
//! * Generic code over `diesel::backend::Backend` needs a `where` clause naming diesel's query
//!   fragments for every statement (`LoadQuery`, `QueryFragment`, `AppearsOnTable` ... for each
//!   shape), and its errors name those internals instead of our code.
//! * `diesel::MultiConnection` needs one `table!` for both backends: PostgreSQL's `uuid` and
//!   `timestamptz` columns would have to be declared as what SQLite stores, and every value would
//!   pass a run-time dispatch and a boxed bind on the hot path.
//!
//! A macro that stamps the same source into each backend crate keeps every expansion ordinary,
//! concrete diesel code: it is type-checked against that backend's real schema and real
//! `PgConnection`/`SqliteConnection`, prepared-statement caching works as for hand-written code,
//! and a compiler error points at the line in `stamp/` with the backend named in the
//! "in this macro invocation" note. The price is the contract below, checked by the compiler.
//!
//! # What a backend crate provides
//!
//! At its root, before invoking `implement_storage_ports!`:
//!
//! * `schema`: the `table!`s `users`, `calls`, `revoked_tokens`, `user_call_counts`,
//!   `user_call_day_counts`.
//! * `columns`: `StoredId(pub Uuid)` and `StoredTime(pub DateTime<Utc>)`, diesel expressions of
//!   the backend's id and time columns (`AsExpression`, `FromSql`, `ToSql`).
//! * `dialect`: `LATER_EXPIRY` (SQL for the greater of `revoked_tokens.expires_at` and
//!   `excluded.expires_at`).
//! * a storage type with a field `db: Blocking<Connection>`.
//!
//! The stamped code defines `crate::rows` (the row types), `crate::history_statement` (the
//! history read's one statement) and `crate::history` in that crate,
//! and an inherent `read_history_here` on the storage type (a history page on its own pool).
//!
//! A backend that reads history from a read replica (PostgreSQL) invokes the macro with
//! `read_replica: by_backend`: it then implements `CallHistory` itself, from
//! `read_history_here` (no replica, or the replica unusable) and `crate::history::read` with a
//! `ReplayGate` (the page on the replica, in one statement that also checks the replica has
//! replayed the user's last write), and provides `fn replica_report(&self) -> Option<ReplicaReport>` for
//! `DatabaseHealth::replica`.

mod blocking;
pub mod conversions;
pub mod counted_days;
pub mod errors;
pub mod history;
mod manager;
pub mod migrations;
pub mod pool;
mod stamp;
mod statement_cache;

pub use blocking::Blocking;
pub use manager::{CheckedManager, mark_connection_lost};
pub use migrations::MigrationError;
pub use pool::{InvalidPoolOptions, PoolOptions};
pub use statement_cache::WithoutStatementCache;
