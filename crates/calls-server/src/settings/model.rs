//! The shape of the configuration, mirrored by `config/default.toml`.

use secrecy::SecretString;
use serde::Deserialize;

use super::PoolerMode;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    pub server: ServerSettings,
    pub database: DatabaseSettings,
    pub auth: AuthSettings,
    pub log: LogSettings,
    pub voip: VoipSettings,
    pub cors: CorsSettings,
    pub metrics: MetricsSettings,
    pub export: ExportSettings,
    pub mail: MailSettings,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerSettings {
    pub host: String,
    pub port: u16,
    pub shutdown_timeout_secs: u64,
    pub workers: usize,
    /// Peers (addresses, CIDR ranges) whose `X-Forwarded-For` / `Forwarded` name the client.
    pub trusted_proxies: Vec<String>,
    pub tls: TlsSettings,
}

/// Native HTTPS: both files set, or neither (plain HTTP).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TlsSettings {
    pub cert_file: String,
    pub key_file: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseSettings {
    pub url: SecretString,
    pub sqlite_path: String,
    pub max_connections: u32,
    pub min_idle: u32,
    pub connect_timeout_secs: u64,
    /// `DATABASE_POOLER`: what sits between the server and PostgreSQL.
    pub pooler: PoolerMode,
    /// `DATABASE_HISTORY_PIPELINE_CONNECTIONS`: pipelined history connections per HTTP worker
    /// (0: history on the pool).
    pub history_pipeline_connections: usize,
    /// `DATABASE_MIGRATION_URL`: a direct PostgreSQL URL for migrations (may hold a password).
    pub migration_url: SecretString,
    /// `DATABASE_REPLICA_URL`: a PostgreSQL streaming replica history pages are read from;
    /// empty for none. The `replica_*` settings below apply only when it is set.
    pub replica_url: SecretString,
    pub replica_max_connections: u32,
    pub replica_min_idle: u32,
    /// How long a read or probe on the replica waits for a connection.
    pub replica_connect_timeout_ms: u64,
    /// Beyond this measured lag, history is read from the primary.
    pub replica_max_lag_ms: u64,
    /// How often the replica's lag and health are measured.
    pub replica_probe_interval_ms: u64,
}

#[cfg(test)]
impl DatabaseSettings {
    /// `config/default.toml`'s database settings (an empty URL: SQLite), for unit tests that
    /// change a field or two with `..DatabaseSettings::defaults_for_tests()`.
    pub(crate) fn defaults_for_tests() -> Self {
        Self {
            url: SecretString::from(String::new()),
            sqlite_path: "./data/calls.db".into(),
            max_connections: 25,
            min_idle: 5,
            connect_timeout_secs: 2,
            pooler: PoolerMode::None,
            history_pipeline_connections: 2,
            migration_url: SecretString::from(String::new()),
            replica_url: SecretString::from(String::new()),
            replica_max_connections: 10,
            replica_min_idle: 2,
            replica_connect_timeout_ms: 500,
            replica_max_lag_ms: 1000,
            replica_probe_interval_ms: 500,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthSettings {
    pub jwt_secret: SecretString,
    pub token_ttl_secs: u64,
    pub token_leeway_secs: u64,
    pub hash_concurrency: usize,
    pub revocation_purge_interval_secs: u64,
    pub throttle: ThrottleSettings,
    pub password_reset: PasswordResetSettings,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ThrottleSettings {
    pub account_max_failures: usize,
    pub address_max_failures: usize,
    pub window_secs: u64,
    /// How long a refused login waits before it is answered (0: at once).
    pub refusal_pause_ms: u64,
}

/// Forgotten passwords (`POST /api/auth/password-reset`); on only with `mail.smtp_url`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PasswordResetSettings {
    /// `PASSWORD_RESET_URL`: the browser client's page the link opens (`{token}` or a `token`
    /// query parameter carries the secret).
    pub url: String,
    /// `PASSWORD_RESET_TTL_SECS`: how long a link works (60..=86400).
    pub link_lifetime_secs: u64,
    /// Reset requests allowed per e-mail address, and per client address, within the window.
    pub email_max_requests: usize,
    pub address_max_requests: usize,
    pub window_secs: u64,
}

/// The SMTP server that sends the password-reset e-mails.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MailSettings {
    /// `SMTP_URL`: `smtp://host:587` (STARTTLS), `smtps://host:465`, `smtp://127.0.0.1:25`
    /// (plain, loopback only unless `?tls=none`); may carry `user:password@`. Empty: no mail.
    pub smtp_url: SecretString,
    /// `MAIL_FROM`: the sender, e.g. `Calls <no-reply@calls.example>`.
    pub from: String,
    /// `SMTP_CA_FILE`: PEM certificates trusted besides the system's.
    pub ca_file: String,
    pub attempt_timeout_secs: u64,
    pub attempts: u32,
    pub retry_delay_secs: u64,
    pub queue_capacity: usize,
    pub concurrency: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogSettings {
    pub level: String,
    pub format: LogFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum VoipProviderKind {
    Mock,
    Twilio,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VoipSettings {
    pub provider: VoipProviderKind,
    pub account_sid: String,
    pub auth_token: SecretString,
    pub api_key_sid: String,
    pub api_key_secret: SecretString,
    pub from_number: String,
    pub twiml_app_sid: String,
    pub public_base_url: String,
    pub api_base_url: String,
    pub request_timeout_secs: u64,
    pub start_timeout_secs: u64,
    pub ring_timeout_secs: u64,
    pub token_ttl_secs: u64,
    pub link_window_secs: u64,
    pub allowed_countries: Vec<String>,
    pub blocked_prefixes: Vec<String>,
    pub max_active_calls_per_user: u32,
    pub max_calls_per_day: u32,
    pub reaper: ReaperSettings,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReaperSettings {
    pub interval_secs: u64,
    pub connecting_timeout_secs: u64,
    pub active_timeout_secs: u64,
    pub initiated_timeout_secs: u64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CorsSettings {
    pub allowed_origins: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetricsSettings {
    pub addr: String,
}

/// `GET /api/account/export`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportSettings {
    /// Calls read from the database per page of the streamed export (1..=10000).
    pub page_size: u32,
}
