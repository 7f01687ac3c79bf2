//! API tests: the real application (same wiring as the binary) on port 0, driven over HTTP,
//! once on SQLite and once on PostgreSQL.

mod helpers;

mod auth;
mod system;
