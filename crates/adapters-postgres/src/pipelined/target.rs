//! Where pipelined reads connect, and the cases where they must not.
//!
//! The blocking pool connects through libpq, the pipelined reads through `tokio-postgres`.
//! They agree on a plain URL, but not on everything libpq does beside it: TLS (negotiated by
//! libpq, absent here), and the `PG*` environment variables and password file libpq reads
//! for what the URL leaves out. A pipelined read must reach the same server, as the same user,
//! with the same protection, so any of those sends the reads down the blocking path instead.

use std::net::IpAddr;
use std::str::FromStr;

use tokio_postgres::config::{Host, SslMode};

use crate::statements::PreparedStatements;

/// libpq's environment variables that change where or how it connects.
const LIBPQ_CONNECTION_ENV: &[&str] = &[
    "PGHOST",
    "PGHOSTADDR",
    "PGPORT",
    "PGDATABASE",
    "PGUSER",
    "PGPASSWORD",
    "PGPASSFILE",
    "PGSERVICE",
    "PGSERVICEFILE",
    "PGOPTIONS",
    "PGSSLMODE",
    "PGREQUIRESSL",
    "PGSSLCERT",
    "PGSSLKEY",
    "PGSSLROOTCERT",
    "PGGSSENCMODE",
    "PGTARGETSESSIONATTRS",
];

/// How the pipelined connections show in `pg_stat_activity` unless the URL names the
/// application itself.
pub const APPLICATION_NAME: &str = "calls-server pipelined history";

/// Why history reads stay on the blocking pool.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotPipelined {
    #[error("switched off (database.history_pipeline_connections = 0)")]
    SwitchedOff,
    #[error(
        "behind a transaction-mode pooler (DATABASE_POOLER=transaction), which cannot keep the \
         statements the pipelined connections name"
    )]
    Pooler,
    #[error("the URL asks for TLS (sslmode={0}), which only the libpq connections provide")]
    Tls(String),
    #[error(
        "the server is not on this machine and the URL does not say sslmode=disable, so libpq \
         may negotiate TLS"
    )]
    MayNegotiateTls,
    #[error("libpq's environment variable {0} is set and would change its connections")]
    LibpqEnvironment(&'static str),
    #[error("the URL has something tokio-postgres does not read: {0}")]
    Unsupported(String),
    #[error("a pipelined connection could not be opened: {0}")]
    Unreachable(String),
}

/// A connection target that a pipelined read reaches exactly as libpq would.
#[derive(Clone)]
pub struct PipelineTarget {
    config: tokio_postgres::Config,
}

impl PipelineTarget {
    /// The target of `url` for a pool sending `statements`, with `env` standing for the
    /// process's environment.
    pub fn of(
        url: &str,
        statements: PreparedStatements,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Self, NotPipelined> {
        if statements == PreparedStatements::Unnamed {
            return Err(NotPipelined::Pooler);
        }
        if let Some(variable) = LIBPQ_CONNECTION_ENV
            .iter()
            .find(|variable| env(variable).is_some())
        {
            return Err(NotPipelined::LibpqEnvironment(variable));
        }
        let mut config = tokio_postgres::Config::from_str(&without_gss_disable(url))
            .map_err(|error| NotPipelined::Unsupported(error.to_string()))?;
        if config.get_password().is_none() && has_password_file(env) {
            return Err(NotPipelined::LibpqEnvironment("~/.pgpass"));
        }
        match config.get_ssl_mode() {
            SslMode::Disable => {}
            SslMode::Require => return Err(NotPipelined::Tls("require".to_owned())),
            // `Prefer` (libpq's default too): libpq would use TLS if the server offers it.
            _ if config.get_hosts().iter().all(is_local) => {}
            _ => return Err(NotPipelined::MayNegotiateTls),
        }
        if config.get_application_name().is_none() {
            config.application_name(APPLICATION_NAME);
        }
        Ok(Self { config })
    }

    pub(crate) fn config(&self) -> &tokio_postgres::Config {
        &self.config
    }
}

impl std::fmt::Debug for PipelineTarget {
    /// Never prints the configuration: it may hold a password.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PipelineTarget").finish_non_exhaustive()
    }
}

/// `url` without `gssencmode=disable`, which tokio-postgres does not read and which asks for
/// what it does anyway (it never encrypts with GSSAPI). Other `gssencmode` values are kept, so
/// that parsing refuses them.
fn without_gss_disable(url: &str) -> String {
    const SETTING: &str = "gssencmode=disable";
    match url.split_once('?') {
        Some((base, query)) if url.contains("://") => {
            let kept: Vec<&str> = query.split('&').filter(|pair| *pair != SETTING).collect();
            if kept.is_empty() {
                base.to_owned()
            } else {
                format!("{base}?{}", kept.join("&"))
            }
        }
        _ if !url.contains("://") => url
            .split_whitespace()
            .filter(|pair| *pair != SETTING)
            .collect::<Vec<_>>()
            .join(" "),
        _ => url.to_owned(),
    }
}

/// A Unix socket, `localhost` or a loopback address: a server on this machine, where TLS
/// protects nothing and libpq's `prefer` and a plain connection reach it the same way.
fn is_local(host: &Host) -> bool {
    match host {
        #[cfg(unix)]
        Host::Unix(_) => true,
        Host::Tcp(name) => {
            name.eq_ignore_ascii_case("localhost")
                || name
                    .trim_start_matches('[')
                    .trim_end_matches(']')
                    .parse::<IpAddr>()
                    .is_ok_and(|address| address.is_loopback())
        }
    }
}

/// Whether libpq would look for a password in `~/.pgpass`.
fn has_password_file(env: &dyn Fn(&str) -> Option<String>) -> bool {
    env("HOME").is_some_and(|home| std::path::Path::new(&home).join(".pgpass").exists())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(url: &str, env: &[(&str, &str)]) -> Result<PipelineTarget, NotPipelined> {
        let env: Vec<(String, String)> = env
            .iter()
            .map(|(key, value)| ((*key).to_owned(), (*value).to_owned()))
            .collect();
        PipelineTarget::of(url, PreparedStatements::Cached, &|name| {
            env.iter()
                .find(|(key, _)| key == name)
                .map(|(_, value)| value.clone())
        })
    }

    #[test]
    fn a_local_server_is_pipelined_with_or_without_sslmode_disable() {
        assert!(target("postgres://postgres@127.0.0.1:5432/calls", &[]).is_ok());
        assert!(target("postgres://postgres@localhost/calls", &[]).is_ok());
        assert!(target("postgres://postgres@[::1]:5432/calls", &[]).is_ok());
        assert!(target("postgres://db.example.com/calls?sslmode=disable", &[]).is_ok());
    }

    #[test]
    fn gss_encryption_switched_off_is_what_tokio_postgres_does_anyway() {
        let url = "postgres://u@127.0.0.1:5432/calls?sslmode=disable&gssencmode=disable";
        assert!(target(url, &[]).is_ok());
        assert!(target("host=127.0.0.1 user=u gssencmode=disable", &[]).is_ok());
        assert!(matches!(
            target("postgres://u@127.0.0.1/calls?gssencmode=require", &[]),
            Err(NotPipelined::Unsupported(_))
        ));
        assert_eq!(
            without_gss_disable("postgres://h/db?gssencmode=disable"),
            "postgres://h/db"
        );
    }

    #[test]
    fn tls_or_a_chance_of_it_stays_on_libpq() {
        assert_eq!(
            target("postgres://db.example.com/calls", &[]).err(),
            Some(NotPipelined::MayNegotiateTls)
        );
        assert_eq!(
            target("postgres://127.0.0.1/calls?sslmode=require", &[]).err(),
            Some(NotPipelined::Tls("require".to_owned()))
        );
        // tokio-postgres does not know verify-full: what it cannot read, it does not guess.
        assert!(matches!(
            target("postgres://127.0.0.1/calls?sslmode=verify-full", &[]),
            Err(NotPipelined::Unsupported(_))
        ));
    }

    #[test]
    fn libpq_environment_and_poolers_stay_on_libpq() {
        assert_eq!(
            target("postgres://127.0.0.1/calls", &[("PGSSLMODE", "require")]).err(),
            Some(NotPipelined::LibpqEnvironment("PGSSLMODE"))
        );
        assert_eq!(
            target("postgres://127.0.0.1/calls", &[("PGPASSWORD", "secret")]).err(),
            Some(NotPipelined::LibpqEnvironment("PGPASSWORD"))
        );
        let pooled = PipelineTarget::of(
            "postgres://127.0.0.1/calls",
            PreparedStatements::Unnamed,
            &|_| None,
        );
        assert_eq!(pooled.err(), Some(NotPipelined::Pooler));
    }

    #[test]
    fn a_password_file_counts_only_when_the_url_has_no_password() {
        let home = std::env::temp_dir().join(format!("pgpass-test-{}", std::process::id()));
        std::fs::create_dir_all(&home).expect("temp dir");
        std::fs::write(home.join(".pgpass"), "*:*:*:*:x\n").expect("write");
        let home = home.to_str().expect("utf-8").to_owned();
        assert_eq!(
            target("postgres://u@127.0.0.1/calls", &[("HOME", &home)]).err(),
            Some(NotPipelined::LibpqEnvironment("~/.pgpass"))
        );
        assert!(target("postgres://u:pw@127.0.0.1/calls", &[("HOME", &home)]).is_ok());
        std::fs::remove_dir_all(&home).expect("clean up");
    }
}
