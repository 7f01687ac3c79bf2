//! Which database to use, from `DATABASE_URL`, the Go backend's `POSTGRES_*` variables, or the
//! embedded SQLite default.

use std::path::PathBuf;

use secrecy::{ExposeSecret, SecretString};

use super::{DatabaseSettings, SettingsError};

#[derive(Debug)]
pub enum DatabaseTarget {
    /// A `postgres://` URL (it may hold a password, hence secret).
    Postgres(SecretString),
    /// A SQLite database file.
    Sqlite(PathBuf),
}

impl DatabaseTarget {
    pub fn resolve(
        settings: &DatabaseSettings,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Self, SettingsError> {
        let url = settings.url.expose_secret().trim();
        if !url.is_empty() {
            return Self::from_url(url);
        }
        if let Some(host) = env("POSTGRES_HOST").filter(|host| !host.trim().is_empty()) {
            return Ok(Self::Postgres(SecretString::from(postgres_url_from_parts(
                &host, env,
            ))));
        }
        Ok(Self::Sqlite(PathBuf::from(&settings.sqlite_path)))
    }

    fn from_url(url: &str) -> Result<Self, SettingsError> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(Self::Postgres(SecretString::from(url.to_owned())));
        }
        if let Some(path) = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
        {
            if path.is_empty() {
                return Err(SettingsError::invalid(
                    "DATABASE_URL",
                    "sqlite:// URL has no file path",
                ));
            }
            return Ok(Self::Sqlite(PathBuf::from(path)));
        }
        let scheme = url.split_once(':').map_or("none", |(scheme, _)| scheme);
        Err(SettingsError::invalid(
            "DATABASE_URL",
            format!("unknown scheme '{scheme}': expected postgres:// or sqlite://"),
        ))
    }

    /// For logs: the kind and location, never the credentials.
    pub fn describe(&self) -> String {
        match self {
            Self::Postgres(url) => {
                let url = url.expose_secret();
                let location = url.rsplit_once('@').map_or(url, |(_, rest)| rest);
                let location = location
                    .trim_start_matches("postgres://")
                    .trim_start_matches("postgresql://");
                format!(
                    "postgres at {}",
                    location.split('?').next().unwrap_or_default()
                )
            }
            Self::Sqlite(path) => format!("sqlite at {}", path.display()),
        }
    }
}

fn postgres_url_from_parts(host: &str, env: &dyn Fn(&str) -> Option<String>) -> String {
    let part = |name: &str, default: &str| {
        env(name)
            .filter(|v| !v.is_empty())
            .unwrap_or_else(|| default.to_owned())
    };
    let user = encode(&part("POSTGRES_USER", "postgres"));
    let password = env("POSTGRES_PASSWORD").filter(|v| !v.is_empty());
    let credentials = match password {
        Some(password) => format!("{user}:{}", encode(&password)),
        None => user,
    };
    let port = part("POSTGRES_PORT", "5432");
    let database = encode(&part("POSTGRES_DB", "postgres"));
    let sslmode = encode(&part("POSTGRES_SSLMODE", "disable"));
    format!(
        "postgres://{credentials}@{}:{port}/{database}?sslmode={sslmode}",
        host.trim()
    )
}

/// Percent-encodes everything but RFC 3986 unreserved characters.
fn encode(raw: &str) -> String {
    raw.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(url: &str) -> DatabaseSettings {
        DatabaseSettings {
            url: SecretString::from(url.to_owned()),
            sqlite_path: "./data/calls.db".into(),
            max_connections: 25,
            min_idle: 5,
            connect_timeout_secs: 2,
            pooler: super::super::PoolerMode::None,
            migration_url: SecretString::from(String::new()),
        }
    }

    fn no_env(_: &str) -> Option<String> {
        None
    }

    #[test]
    fn defaults_to_the_embedded_sqlite_file() {
        let target = DatabaseTarget::resolve(&settings(""), &no_env).expect("valid");
        assert!(
            matches!(target, DatabaseTarget::Sqlite(path) if path == std::path::Path::new("./data/calls.db"))
        );
    }

    #[test]
    fn picks_the_adapter_from_the_url_scheme() {
        let pg = DatabaseTarget::resolve(&settings("postgres://u:secret@db:5432/calls"), &no_env)
            .expect("valid");
        assert!(matches!(pg, DatabaseTarget::Postgres(_)));
        assert_eq!(pg.describe(), "postgres at db:5432/calls");
        let lite =
            DatabaseTarget::resolve(&settings("sqlite:///tmp/x.db"), &no_env).expect("valid");
        assert!(
            matches!(lite, DatabaseTarget::Sqlite(path) if path == std::path::Path::new("/tmp/x.db"))
        );
    }

    #[test]
    fn unknown_schemes_name_the_setting() {
        let err = DatabaseTarget::resolve(&settings("mysql://x"), &no_env).expect_err("refused");
        assert!(err.to_string().contains("DATABASE_URL"), "{err}");
        assert!(err.to_string().contains("mysql"), "{err}");
    }

    #[test]
    fn builds_a_url_from_the_go_backend_variables() {
        let env = |name: &str| match name {
            "POSTGRES_HOST" => Some("db.internal".to_owned()),
            "POSTGRES_USER" => Some("calls".to_owned()),
            "POSTGRES_PASSWORD" => Some("p@ss:word/".to_owned()),
            "POSTGRES_DB" => Some("calls".to_owned()),
            _ => None,
        };
        let DatabaseTarget::Postgres(url) =
            DatabaseTarget::resolve(&settings(""), &env).expect("valid")
        else {
            panic!("expected postgres");
        };
        assert_eq!(
            url.expose_secret(),
            "postgres://calls:p%40ss%3Aword%2F@db.internal:5432/calls?sslmode=disable"
        );
    }
}
