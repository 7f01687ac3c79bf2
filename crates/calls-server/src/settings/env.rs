//! Environment variables and the settings they override. The names are the Go backend's, so an
//! existing deployment's environment keeps working unchanged.

use toml::Value;

use super::SettingsError;

#[derive(Debug, Clone, Copy)]
enum Kind {
    Text,
    Integer,
    /// Comma-separated, blanks dropped.
    List,
}

/// (variable, setting path, kind). Earlier entries lose to later ones for the same path, so
/// `JWT_SECRET` wins over `JWT_SECRET_KEY`.
const OVERRIDES: &[(&str, &str, Kind)] = &[
    ("SERVER_HOST", "server.host", Kind::Text),
    ("SERVER_PORT", "server.port", Kind::Integer),
    ("TRUSTED_PROXIES", "server.trusted_proxies", Kind::List),
    ("TLS_CERT_FILE", "server.tls.cert_file", Kind::Text),
    ("TLS_KEY_FILE", "server.tls.key_file", Kind::Text),
    ("DATABASE_URL", "database.url", Kind::Text),
    ("DATABASE_POOLER", "database.pooler", Kind::Text),
    (
        "DATABASE_HISTORY_PIPELINE_CONNECTIONS",
        "database.history_pipeline_connections",
        Kind::Integer,
    ),
    (
        "DATABASE_MIGRATION_URL",
        "database.migration_url",
        Kind::Text,
    ),
    ("DATABASE_REPLICA_URL", "database.replica_url", Kind::Text),
    ("JWT_SECRET_KEY", "auth.jwt_secret", Kind::Text),
    ("JWT_SECRET", "auth.jwt_secret", Kind::Text),
    ("LOG_LEVEL", "log.level", Kind::Text),
    ("LOG_FORMAT", "log.format", Kind::Text),
    ("VOIP_PROVIDER", "voip.provider", Kind::Text),
    ("VOIP_ACCOUNT_SID", "voip.account_sid", Kind::Text),
    ("VOIP_AUTH_TOKEN", "voip.auth_token", Kind::Text),
    ("VOIP_API_KEY_SID", "voip.api_key_sid", Kind::Text),
    ("VOIP_API_KEY_SECRET", "voip.api_key_secret", Kind::Text),
    ("VOIP_FROM_NUMBER", "voip.from_number", Kind::Text),
    ("VOIP_TWIML_APP_SID", "voip.twiml_app_sid", Kind::Text),
    ("VOICE_PUBLIC_BASE_URL", "voip.public_base_url", Kind::Text),
    ("TWILIO_API_BASE_URL", "voip.api_base_url", Kind::Text),
    (
        "VOIP_ALLOWED_COUNTRIES",
        "voip.allowed_countries",
        Kind::List,
    ),
    ("VOIP_BLOCKED_PREFIXES", "voip.blocked_prefixes", Kind::List),
    (
        "VOIP_MAX_ACTIVE_CALLS_PER_USER",
        "voip.max_active_calls_per_user",
        Kind::Integer,
    ),
    (
        "VOIP_MAX_CALLS_PER_DAY",
        "voip.max_calls_per_day",
        Kind::Integer,
    ),
    ("CORS_ALLOWED_ORIGINS", "cors.allowed_origins", Kind::List),
    ("METRICS_ADDR", "metrics.addr", Kind::Text),
    ("SMTP_URL", "mail.smtp_url", Kind::Text),
    ("MAIL_FROM", "mail.from", Kind::Text),
    ("SMTP_CA_FILE", "mail.ca_file", Kind::Text),
    ("PASSWORD_RESET_URL", "auth.password_reset.url", Kind::Text),
    (
        "PASSWORD_RESET_TTL_SECS",
        "auth.password_reset.link_lifetime_secs",
        Kind::Integer,
    ),
];

/// Writes every set variable into `config`.
pub fn apply(
    config: &mut Value,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<(), SettingsError> {
    for (variable, path, kind) in OVERRIDES {
        let Some(raw) = env(variable) else { continue };
        let value = match kind {
            Kind::Text => Value::String(raw),
            Kind::Integer => raw
                .trim()
                .parse::<i64>()
                .map(Value::Integer)
                .map_err(|_| SettingsError::invalid(*variable, "must be an integer"))?,
            Kind::List => Value::Array(
                raw.split(',')
                    .map(str::trim)
                    .filter(|item| !item.is_empty())
                    .map(|item| Value::String(item.to_owned()))
                    .collect(),
            ),
        };
        set(config, path, value);
    }
    Ok(())
}

fn set(config: &mut Value, path: &str, value: Value) {
    let mut node = config;
    let mut keys = path.split('.').peekable();
    while let Some(key) = keys.next() {
        let Value::Table(table) = node else { return };
        if keys.peek().is_none() {
            table.insert(key.to_owned(), value);
            return;
        }
        node = table
            .entry(key.to_owned())
            .or_insert_with(|| Value::Table(Default::default()));
    }
}
