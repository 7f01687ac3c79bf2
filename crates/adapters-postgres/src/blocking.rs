//! Diesel work off the async workers, bounded by the pool size (see `calls-adapters-diesel`).

pub(crate) type Blocking = calls_adapters_diesel::Blocking<diesel::PgConnection>;
