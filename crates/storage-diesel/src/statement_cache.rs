//! Diesel's prepared-statement cache, switched off for pools that reach PostgreSQL through a
//! transaction-mode pooler (PgBouncer `pool_mode = transaction`).
//!
//! By default a diesel connection prepares each statement once under a name
//! (`__diesel_stmt_<n>`) and reuses the name afterwards. Behind a transaction-mode pooler, one
//! client connection's transactions run on whichever server connection is free, so a name
//! prepared on one server connection is missing on the next ("prepared statement
//! \"__diesel_stmt_0\" does not exist"), and two client connections sharing a server
//! connection both create the same name ("... already exists"). PgBouncer before 1.21 (Debian
//! 12 ships 1.18) cannot track named statements at all.
//!
//! With the cache disabled, diesel (2.2.8 and later) sends every statement unnamed, with its
//! parameters, in one extended-protocol exchange (`PQsendQueryParams`): parse, bind and execute
//! reach the same server connection inside one request, which any PgBouncer version forwards
//! intact. The price is a parse and plan per statement instead of once per connection.

use diesel::connection::{CacheSize, Connection};
use diesel::r2d2::CustomizeConnection;

/// A pool customizer that turns the statement cache off on every connection the pool opens
/// (r2d2 calls it once per new connection, before the connection is first handed out).
#[derive(Debug, Clone, Copy, Default)]
pub struct WithoutStatementCache;

impl<C: Connection + 'static> CustomizeConnection<C, diesel::r2d2::Error>
    for WithoutStatementCache
{
    fn on_acquire(&self, connection: &mut C) -> Result<(), diesel::r2d2::Error> {
        connection.set_prepared_statement_cache_size(CacheSize::Disabled);
        Ok(())
    }
}
