//! Throw-away databases for tests (feature `test-support`).
//!
//! `TEST_DATABASE_URL` names an *admin* connection (default
//! `postgres://postgres@127.0.0.1:5432/postgres`) allowed to create databases. Each
//! [`TestDatabase`] is a new, uniquely named database on that server, dropped on `Drop`, so tests
//! never see each other's rows and may run in parallel.
//!
//! When no server answers, tests are skipped with a loud warning, unless `REQUIRE_POSTGRES=1`,
//! which turns that into a failure (for CI, where a skipped suite must not pass silently).
//!
//! [`pgbouncer::PgBouncer`] puts a private PgBouncer in transaction mode in front of that server;
//! [`counting_proxy::counted`] a proxy that counts the statements a client sends.

pub mod counting_proxy;
pub mod pgbouncer;

use std::io::Write as _;
use std::sync::Once;
use std::time::Duration;

use diesel::prelude::*;
use diesel::{Connection, PgConnection};

use crate::{PoolOptions, PostgresStorage};

const DEFAULT_ADMIN_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// A database that exists for the lifetime of this value.
#[derive(Debug)]
pub struct TestDatabase {
    admin_url: String,
    name: String,
    url: String,
}

impl TestDatabase {
    /// Creates an empty database (no tables: migrations not run). `None` when no PostgreSQL
    /// server answers and `REQUIRE_POSTGRES` is not `1`.
    ///
    /// # Panics
    /// When the server is required but unreachable, or refuses to create the database.
    pub fn create() -> Option<Self> {
        let admin_url =
            std::env::var("TEST_DATABASE_URL").unwrap_or_else(|_| DEFAULT_ADMIN_URL.to_owned());
        let mut admin = match PgConnection::establish(&admin_url) {
            Ok(admin) => admin,
            Err(error) => return unreachable(&admin_url, &error),
        };
        let name = format!("calls_test_{}", uuid::Uuid::new_v4().simple());
        diesel::sql_query(format!("CREATE DATABASE {name}"))
            .execute(&mut admin)
            .unwrap_or_else(|error| panic!("cannot create test database {name}: {error}"));
        let url = with_database(&admin_url, &name);
        Some(Self {
            admin_url,
            name,
            url,
        })
    }

    /// A new database with every migration applied, and a storage connected to it.
    ///
    /// # Panics
    /// As [`TestDatabase::create`], or when connecting or migrating fails.
    pub fn migrated() -> Option<(Self, PostgresStorage)> {
        let database = Self::create()?;
        let storage = database.connect();
        let applied = storage
            .run_migrations()
            .unwrap_or_else(|error| panic!("migrating {}: {error}", database.name));
        assert!(applied > 0, "a new database must need migrations");
        Some((database, storage))
    }

    /// [`TestDatabase::migrated`] off the async workers, for `#[tokio::test]`s.
    pub async fn migrated_async() -> Option<(Self, PostgresStorage)> {
        tokio::task::spawn_blocking(Self::migrated)
            .await
            .unwrap_or_else(|error| panic!("creating a test database: {error}"))
    }

    /// A storage on this database with a pool sized for tests: enough connections for the
    /// concurrency tests, no idle ones kept, so many parallel tests stay well under the server's
    /// `max_connections`.
    ///
    /// # Panics
    /// When the database does not accept connections.
    pub fn connect(&self) -> PostgresStorage {
        PostgresStorage::connect(&self.url, Self::pool_options())
            .unwrap_or_else(|error| panic!("connecting to {}: {error}", self.name))
    }

    /// [`TestDatabase::migrated_async`], with history pages read over pipelined connections
    /// (`connections_per_thread` per thread), as the server reads them by default.
    ///
    /// # Panics
    /// As [`TestDatabase::migrated`], or when no pipelined connection opens.
    pub async fn migrated_pipelined_async(
        connections_per_thread: usize,
    ) -> Option<(Self, PostgresStorage)> {
        let (database, mut storage) = Self::migrated_async().await?;
        let url = database.url.clone();
        let storage = tokio::task::spawn_blocking(move || {
            let target =
                crate::PipelineTarget::of(&url, crate::PreparedStatements::Cached, &|_| None)
                    .unwrap_or_else(|reason| {
                        panic!("the test database is not pipelined: {reason}")
                    });
            storage
                .pipeline_history(target, connections_per_thread, Duration::from_secs(5))
                .unwrap_or_else(|reason| panic!("pipelined connections: {reason}"));
            storage
        })
        .await
        .unwrap_or_else(|error| panic!("pipelining history reads: {error}"));
        Some((database, storage))
    }

    pub fn pool_options() -> PoolOptions {
        PoolOptions {
            max_size: 10,
            min_idle: 0,
            connection_timeout: Duration::from_secs(5),
        }
    }

    /// The database's URL (credentials as in `TEST_DATABASE_URL`).
    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// A connection to the server's admin database, e.g. to take this database away under a
    /// running pool.
    ///
    /// # Panics
    /// When the server does not accept connections.
    pub fn admin_connection(&self) -> PgConnection {
        PgConnection::establish(&self.admin_url)
            .unwrap_or_else(|error| panic!("connecting to the admin database: {error}"))
    }

    /// A direct connection, for tests that prepare or inspect rows with plain SQL.
    ///
    /// # Panics
    /// When the database does not accept connections.
    pub fn raw_connection(&self) -> PgConnection {
        PgConnection::establish(&self.url)
            .unwrap_or_else(|error| panic!("connecting to {}: {error}", self.name))
    }
}

impl Drop for TestDatabase {
    /// `WITH (FORCE)` ends the connections pools may still hold.
    fn drop(&mut self) {
        let dropped = PgConnection::establish(&self.admin_url)
            .map_err(|error| error.to_string())
            .and_then(|mut admin| {
                diesel::sql_query(format!(
                    "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                    self.name
                ))
                .execute(&mut admin)
                .map_err(|error| error.to_string())
            });
        if let Err(error) = dropped {
            eprintln!(
                "warning: could not drop test database {}: {error}",
                self.name
            );
        }
    }
}

fn unreachable<T>(admin_url: &str, error: &ConnectionError) -> Option<T> {
    let target = without_credentials(admin_url);
    if std::env::var("REQUIRE_POSTGRES").is_ok_and(|value| value == "1") {
        panic!("REQUIRE_POSTGRES=1 but PostgreSQL at {target} is unreachable: {error}");
    }
    // Written to the process's stderr directly: the test harness captures `eprintln!` of
    // passing tests, and a skipped suite must not go unnoticed. Once per process is enough.
    static WARNED: Once = Once::new();
    WARNED.call_once(|| {
        let _ = writeln!(
            std::io::stderr(),
            "\n\
             ************************************************************************\n\
             WARNING: PostgreSQL at {target} is unreachable ({error}).\n\
             PostgreSQL tests are SKIPPED. Set TEST_DATABASE_URL to an admin URL,\n\
             or REQUIRE_POSTGRES=1 to make this a failure.\n\
             ************************************************************************"
        );
    });
    None
}

/// `url` with its path (the database name) replaced by `database`; the query string is kept.
fn with_database(url: &str, database: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let authority_start = base.find("://").map_or(0, |index| index + 3);
    let path_start = base[authority_start..]
        .find('/')
        .map_or(base.len(), |index| authority_start + index);
    let mut result = format!("{}/{database}", &base[..path_start]);
    if let Some(query) = query {
        result.push('?');
        result.push_str(query);
    }
    result
}

/// For messages: the URL without `user:password@`.
fn without_credentials(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            format!("{}{}", &url[..scheme_end + 3], &url[at + 1..])
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_only_the_database_name() {
        assert_eq!(
            with_database("postgres://u:p@h:5432/postgres?sslmode=disable", "t1"),
            "postgres://u:p@h:5432/t1?sslmode=disable"
        );
        assert_eq!(with_database("postgres://h", "t1"), "postgres://h/t1");
    }

    #[test]
    fn hides_credentials_in_messages() {
        assert_eq!(
            without_credentials("postgres://u:secret@h:5432/db"),
            "postgres://h:5432/db"
        );
    }
}
