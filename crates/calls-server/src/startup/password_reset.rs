//! Forgotten passwords: the SMTP mailer, the reset requests' throttle and the use case, from
//! `mail.*` and `auth.password_reset.*`. Without `SMTP_URL` there is none of it, and the routes
//! answer 503 `mail_not_configured`.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use calls_adapters_mail::{MailerConfig, MailerConfigError, SmtpMailer};
use calls_adapters_postgres::PostgresLoginThrottle;
use calls_adapters_throttle::{InMemoryLoginThrottle, ThrottleConfig};
use calls_core::domain::ResetLinkTemplate;
use calls_core::ports::{LoginThrottle, Mailer, ThrottleLimits};
use calls_core::services::{AuthService, PasswordResetDeps, PasswordResetService};
use calls_server_actix::i18n::CatalogMailTemplates;
use secrecy::ExposeSecret;

use super::StartupError;
use super::storage::Storage;
use crate::settings::{MailSettings, PasswordResetSettings, SettingsError};

/// What a configured mail server yields: the use case, and the mailer for the metrics.
pub struct PasswordResets {
    pub service: PasswordResetService,
    pub mailer: Arc<dyn Mailer>,
}

/// `None` when `SMTP_URL` is empty. Must run on the process's runtime: the mailer's delivery
/// task is spawned on it.
pub fn password_resets(
    mail: &MailSettings,
    settings: &PasswordResetSettings,
    storage: &Storage,
    auth: AuthService,
) -> Result<Option<PasswordResets>, StartupError> {
    let smtp_url = mail.smtp_url.expose_secret().trim();
    if smtp_url.is_empty() {
        tracing::info!("password reset by e-mail: off (no SMTP_URL)");
        return Ok(None);
    }
    if mail.from.trim().is_empty() {
        return Err(SettingsError::invalid("MAIL_FROM", "is required with SMTP_URL").into());
    }
    if settings.url.trim().is_empty() {
        return Err(
            SettingsError::invalid("PASSWORD_RESET_URL", "is required with SMTP_URL").into(),
        );
    }
    let link = ResetLinkTemplate::parse(&settings.url)
        .map_err(|err| SettingsError::invalid("PASSWORD_RESET_URL", err.to_string()))?;
    if !(60..=86_400).contains(&settings.link_lifetime_secs) {
        return Err(SettingsError::invalid(
            "PASSWORD_RESET_TTL_SECS",
            format!("must be 60 to 86400, not {}", settings.link_lifetime_secs),
        )
        .into());
    }
    for (setting, value) in [
        ("mail.attempt_timeout_secs", mail.attempt_timeout_secs),
        ("mail.attempts", u64::from(mail.attempts)),
        ("mail.queue_capacity", mail.queue_capacity as u64),
        ("mail.concurrency", mail.concurrency as u64),
    ] {
        if value == 0 {
            return Err(SettingsError::invalid(setting, "must be at least 1").into());
        }
    }
    let mut config = MailerConfig::new(smtp_url, &mail.from).map_err(named)?;
    if !mail.ca_file.trim().is_empty() {
        config.extra_roots = Some(PathBuf::from(mail.ca_file.trim()));
    }
    config.attempt_timeout = Duration::from_secs(mail.attempt_timeout_secs);
    config.attempts = mail.attempts;
    config.retry_delay = Duration::from_secs(mail.retry_delay_secs);
    config.queue_capacity = mail.queue_capacity;
    config.concurrency = mail.concurrency;
    let mailer: Arc<dyn Mailer> = Arc::new(SmtpMailer::start(config).map_err(named)?);
    let service = PasswordResetService::new(
        auth,
        PasswordResetDeps {
            tokens: storage.password_resets.clone(),
            mailer: mailer.clone(),
            templates: Arc::new(CatalogMailTemplates),
            throttle: request_throttle(settings, storage),
            link,
            lifetime: Duration::from_secs(settings.link_lifetime_secs),
        },
    );
    Ok(Some(PasswordResets { service, mailer }))
}

/// A mailer setting's error, named by its variable.
fn named(err: MailerConfigError) -> StartupError {
    let setting = match &err {
        MailerConfigError::Url(_) => "SMTP_URL",
        MailerConfigError::From => "MAIL_FROM",
        MailerConfigError::ExtraRoots(_) => "SMTP_CA_FILE",
    };
    let message = err.to_string();
    let reason = message.strip_prefix(setting).unwrap_or(&message).trim();
    SettingsError::invalid(setting, reason.to_owned()).into()
}

/// Reset requests are counted as the login throttle counts failures (shared in PostgreSQL,
/// in its own key namespace; in memory on SQLite), every request counting.
fn request_throttle(settings: &PasswordResetSettings, storage: &Storage) -> Arc<dyn LoginThrottle> {
    let limits = ThrottleLimits {
        max_failures_per_account: settings.email_max_requests,
        max_failures_per_client: settings.address_max_requests,
        window: Duration::from_secs(settings.window_secs),
    };
    match &storage.postgres {
        Some(postgres) => Arc::new(PostgresLoginThrottle::in_namespace(
            postgres,
            limits,
            "password-reset:",
        )),
        None => Arc::new(InMemoryLoginThrottle::new(ThrottleConfig {
            limits,
            ..ThrottleConfig::default()
        })),
    }
}
