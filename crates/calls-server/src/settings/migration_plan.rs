//! Where migrations run, from `database.pooler` and `database.migration_url`: a transaction-mode
//! pooler must never carry them (diesel's harness and the advisory lock that serializes
//! instances need one session from start to end).

use secrecy::{ExposeSecret, SecretString};

use super::{DatabaseSettings, DatabaseTarget, PoolerMode, SettingsError};

/// How this process migrates the database.
#[derive(Debug)]
pub enum MigrationPlan {
    /// On the serving database itself: SQLite, or PostgreSQL directly or through a session-mode
    /// pooler, with no migration URL (what a deployment that sets neither setting does).
    OnServingDatabase,
    /// On `database.migration_url`, a direct connection to the PostgreSQL primary.
    Direct(SecretString),
    /// Not at all: a transaction-mode pooler and no migration URL. `serve` checks the schema
    /// is current instead; `migrate` refuses.
    Skipped,
}

impl MigrationPlan {
    /// Refuses, naming the setting, a migration URL that is not PostgreSQL, and a pooler or
    /// migration URL for an SQLite database.
    pub fn resolve(
        settings: &DatabaseSettings,
        target: &DatabaseTarget,
    ) -> Result<Self, SettingsError> {
        let postgres = matches!(target, DatabaseTarget::Postgres(_));
        if settings.pooler != PoolerMode::None && !postgres {
            return Err(SettingsError::invalid(
                "database.pooler",
                "a pooler applies to PostgreSQL only, and the database is SQLite",
            ));
        }
        let direct = settings.migration_url.expose_secret().trim();
        if !direct.is_empty() {
            if !(direct.starts_with("postgres://") || direct.starts_with("postgresql://")) {
                return Err(SettingsError::invalid(
                    "database.migration_url",
                    "must be a postgres:// URL of the PostgreSQL server itself (not a pooler)",
                ));
            }
            if !postgres {
                return Err(SettingsError::invalid(
                    "database.migration_url",
                    "is for PostgreSQL only, and the database is SQLite",
                ));
            }
            return Ok(Self::Direct(SecretString::from(direct.to_owned())));
        }
        if settings.pooler.shares_sessions() {
            return Ok(Self::Skipped);
        }
        Ok(Self::OnServingDatabase)
    }
}

/// Why `calls-server migrate` refuses with a transaction-mode pooler and no migration URL.
pub const MIGRATE_NEEDS_DIRECT_URL: &str = "database.pooler is transaction, and migrations never \
     run through a transaction-mode pooler (their advisory lock and diesel's migration table need \
     one session throughout): set DATABASE_MIGRATION_URL (database.migration_url) to a direct \
     postgres:// URL of the PostgreSQL server";

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(pooler: PoolerMode, migration_url: &str) -> DatabaseSettings {
        DatabaseSettings {
            url: SecretString::from(String::new()),
            sqlite_path: "./data/calls.db".into(),
            max_connections: 25,
            min_idle: 5,
            connect_timeout_secs: 2,
            pooler,
            migration_url: SecretString::from(migration_url.to_owned()),
        }
    }

    fn postgres() -> DatabaseTarget {
        DatabaseTarget::Postgres(SecretString::from("postgres://u@pooler:6432/calls"))
    }

    fn sqlite() -> DatabaseTarget {
        DatabaseTarget::Sqlite("./data/calls.db".into())
    }

    #[test]
    fn without_either_setting_the_serving_database_is_migrated() {
        for target in [postgres(), sqlite()] {
            let plan = MigrationPlan::resolve(&settings(PoolerMode::None, ""), &target);
            assert!(
                matches!(plan, Ok(MigrationPlan::OnServingDatabase)),
                "{plan:?}"
            );
        }
        let session = MigrationPlan::resolve(&settings(PoolerMode::Session, ""), &postgres());
        assert!(
            matches!(session, Ok(MigrationPlan::OnServingDatabase)),
            "{session:?}"
        );
    }

    #[test]
    fn a_transaction_pooler_migrates_only_through_the_direct_url() {
        let skipped = MigrationPlan::resolve(&settings(PoolerMode::Transaction, " "), &postgres());
        assert!(matches!(skipped, Ok(MigrationPlan::Skipped)), "{skipped:?}");
        let direct = "postgres://u:secret@primary:5432/calls";
        for pooler in [
            PoolerMode::None,
            PoolerMode::Session,
            PoolerMode::Transaction,
        ] {
            let plan = MigrationPlan::resolve(&settings(pooler, direct), &postgres());
            let Ok(MigrationPlan::Direct(url)) = plan else {
                panic!("{pooler:?}: {plan:?}");
            };
            assert_eq!(url.expose_secret(), direct);
        }
    }

    #[test]
    fn mistakes_name_the_setting_and_never_echo_the_url() {
        let not_postgres = MigrationPlan::resolve(
            &settings(PoolerMode::Transaction, "mysql://u:secret@db/x"),
            &postgres(),
        )
        .expect_err("refused");
        let text = not_postgres.to_string();
        assert!(text.contains("database.migration_url"), "{text}");
        assert!(!text.contains("secret"), "{text}");
        let on_sqlite = MigrationPlan::resolve(&settings(PoolerMode::Transaction, ""), &sqlite())
            .expect_err("refused");
        assert!(
            on_sqlite.to_string().contains("database.pooler"),
            "{on_sqlite}"
        );
        let url_on_sqlite =
            MigrationPlan::resolve(&settings(PoolerMode::None, "postgres://db/x"), &sqlite())
                .expect_err("refused");
        assert!(
            url_on_sqlite.to_string().contains("database.migration_url"),
            "{url_on_sqlite}"
        );
    }
}
