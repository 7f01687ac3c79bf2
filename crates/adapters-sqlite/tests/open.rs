//! Opening databases: locations, missing directories, migrations, and the stored format.

use calls_adapters_sqlite::testing::TestDatabase;
use calls_adapters_sqlite::{ConnectError, POOL_DEFAULTS, SqliteStorage};
use calls_core::domain::{
    CallId, CallStatus, Email, NewCall, NewUser, PasswordHash, PhoneNumber, UserId,
};
use calls_core::ports::{CallRecords, DatabaseHealth, UserRepository};
use chrono::DateTime;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};

#[test]
fn creates_the_file_under_missing_directories() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("a/b/c/calls.db");
    for url in [
        format!("sqlite://{}", path.display()),
        format!("sqlite:{}", path.display()),
        path.display().to_string(),
    ] {
        let storage = SqliteStorage::open(&url, POOL_DEFAULTS)
            .unwrap_or_else(|error| panic!("opening {url}: {error}"));
        assert_eq!(storage.path(), path.as_path());
        assert!(path.is_file(), "{url} created the file");
    }
}

#[test]
fn refuses_in_memory_databases_and_unopenable_paths() {
    assert!(matches!(
        SqliteStorage::open("sqlite::memory:", POOL_DEFAULTS),
        Err(ConnectError::InvalidLocation(_))
    ));
    assert!(matches!(
        SqliteStorage::open("", POOL_DEFAULTS),
        Err(ConnectError::InvalidLocation(_))
    ));
    let dir = tempfile::tempdir().expect("temporary directory");
    let directory = dir.path().display().to_string();
    assert!(
        matches!(
            SqliteStorage::open(&directory, POOL_DEFAULTS),
            Err(ConnectError::CannotOpen { .. })
        ),
        "a directory is no database file"
    );
}

#[tokio::test]
async fn migrations_apply_once_and_the_database_answers() {
    let database = TestDatabase::create();
    let storage = database.open();
    assert_eq!(storage.run_migrations(), Ok(migration_count()));
    assert_eq!(
        storage.run_migrations(),
        Ok(0),
        "a second run applies nothing"
    );
    assert_eq!(
        database.open().run_migrations(),
        Ok(0),
        "nor does a second handle"
    );
    assert_eq!(storage.ping().await, Ok(()));
}

#[derive(QueryableByName)]
struct StoredCall {
    #[diesel(sql_type = Text)]
    id: String,
    #[diesel(sql_type = Text)]
    user_id: String,
    #[diesel(sql_type = Text)]
    time_type: String,
    #[diesel(sql_type = BigInt)]
    start_time: i64,
}

#[tokio::test]
async fn ids_are_uuid_text_and_times_are_exact_microseconds() {
    let Some((database, storage)) = TestDatabase::migrated_async().await else {
        unreachable!("SQLite test databases always exist");
    };
    let user = UserRepository::create(
        &storage,
        NewUser {
            id: UserId::new(),
            email: Email::parse("alice@example.com").expect("valid"),
            password_hash: PasswordHash::new("$argon2id$test".to_owned()),
            created_at: DateTime::from_timestamp_micros(1).expect("valid"),
        },
    )
    .await
    .expect("user");
    let micros = 1_764_062_400_123_457;
    let call = CallRecords::create(
        &storage,
        NewCall {
            id: CallId::new(),
            user_id: user.id,
            phone_number: PhoneNumber::parse("+4930901820").expect("valid"),
            start_time: DateTime::from_timestamp_micros(micros).expect("valid"),
            status: CallStatus::Initiated,
        },
    )
    .await
    .expect("call");

    let mut raw = database.raw_connection();
    let stored: StoredCall = diesel::sql_query(
        "SELECT id, user_id, typeof(start_time) AS time_type, start_time FROM calls",
    )
    .get_result(&mut raw)
    .expect("reading the row");
    assert_eq!(stored.id, call.id.to_string());
    assert_eq!(stored.id, stored.id.to_lowercase(), "ids are lower case");
    assert_eq!(stored.id.len(), 36, "ids are hyphenated");
    assert_eq!(stored.user_id, user.id.to_string());
    assert_eq!(
        (stored.time_type.as_str(), stored.start_time),
        ("integer", micros)
    );
}

/// How many migrations the repository holds (one folder each).
fn migration_count() -> usize {
    let folder = concat!(env!("CARGO_MANIFEST_DIR"), "/../../migrations/sqlite");
    std::fs::read_dir(folder)
        .expect("migrations folder")
        .filter(|entry| entry.as_ref().is_ok_and(|entry| entry.path().is_dir()))
        .count()
}
