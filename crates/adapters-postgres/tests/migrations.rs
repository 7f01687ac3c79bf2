//! Migrations on an empty database: idempotent, and safe to start from several instances.

use calls_adapters_postgres::testing::TestDatabase;
use diesel::prelude::*;
use diesel::sql_types::Text;

#[derive(QueryableByName)]
struct IndexName {
    #[diesel(sql_type = Text)]
    indexname: String,
}

#[test]
fn migrations_apply_once_and_then_find_nothing_to_do() {
    let Some(database) = TestDatabase::create() else {
        return;
    };
    let storage = database.connect();
    assert_eq!(
        storage.run_migrations(),
        Ok(migration_count()),
        "an empty database needs every migration"
    );
    assert_eq!(
        storage.run_migrations(),
        Ok(0),
        "a second run applies nothing"
    );
    let again = database.connect();
    assert_eq!(again.run_migrations(), Ok(0), "nor does another instance");

    let mut raw = database.raw_connection();
    let indexes: Vec<String> = diesel::sql_query(
        "SELECT indexname FROM pg_indexes WHERE schemaname = 'public' ORDER BY indexname",
    )
    .load::<IndexName>(&mut raw)
    .expect("listing indexes")
    .into_iter()
    .map(|row| row.indexname)
    .collect();
    for redundant in [
        "idx_calls_start_time",
        "idx_calls_user_id",
        "idx_calls_user_id_start_time",
    ] {
        assert!(
            !indexes.iter().any(|name| name == redundant),
            "the redundant index {redundant} is still there: {indexes:?}"
        );
    }
    for wanted in [
        "idx_calls_session_id",
        "idx_calls_user_start_time_id",
        "idx_calls_unfinished_start_time",
        "idx_login_throttle_expires_at",
        "idx_revoked_tokens_expires_at",
        "idx_users_email",
        "users_email_key",
    ] {
        assert!(
            indexes.iter().any(|name| name == wanted),
            "missing index {wanted}: {indexes:?}"
        );
    }
}

#[test]
fn instances_starting_together_apply_each_migration_once() {
    let Some(database) = TestDatabase::create() else {
        return;
    };
    let first = database.connect();
    let second = database.connect();
    let runs = [first, second].map(|storage| std::thread::spawn(move || storage.run_migrations()));
    let applied: Vec<usize> = runs
        .into_iter()
        .map(|run| {
            run.join()
                .expect("migration thread")
                .expect("migrations succeed")
        })
        .collect();
    assert_eq!(
        applied.iter().sum::<usize>(),
        migration_count(),
        "{applied:?}"
    );
}

/// How many migrations the repository holds (one folder each).
fn migration_count() -> usize {
    let folder = concat!(env!("CARGO_MANIFEST_DIR"), "/../../migrations/postgres");
    std::fs::read_dir(folder)
        .expect("migrations folder")
        .filter(|entry| entry.as_ref().is_ok_and(|entry| entry.path().is_dir()))
        .count()
}
