//! The mailer's settings (`mail.*`), checked at start.

use std::path::PathBuf;
use std::time::Duration;

use lettre::message::Mailbox;

use crate::target::{SmtpTarget, SmtpUrlError};

#[derive(Debug, Clone)]
pub struct MailerConfig {
    pub target: SmtpTarget,
    /// `MAIL_FROM`: the sender, e.g. `Calls <no-reply@calls.example>`.
    pub from: Mailbox,
    /// `SMTP_CA_FILE`: PEM certificates trusted beside the system's (a private relay's CA).
    pub extra_roots: Option<PathBuf>,
    /// One delivery attempt, connection to final answer (default 10 s).
    pub attempt_timeout: Duration,
    /// Attempts per message, at least 1 (default 3); a permanent refusal (5xx) is not retried.
    pub attempts: u32,
    /// The wait after a failed attempt, doubled after each (default 2 s).
    pub retry_delay: Duration,
    /// Messages waiting to be sent beyond which new ones are dropped (default 100).
    pub queue_capacity: usize,
    /// Messages sent at once (default 4).
    pub concurrency: usize,
}

/// What is wrong with the mail settings, named by the setting.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MailerConfigError {
    #[error("SMTP_URL {0}")]
    Url(#[from] SmtpUrlError),
    #[error("MAIL_FROM must be an address such as \"Calls <no-reply@calls.example>\"")]
    From,
    #[error("SMTP_CA_FILE: {0}")]
    ExtraRoots(String),
}

impl MailerConfig {
    /// The settings with their defaults, from `SMTP_URL` and `MAIL_FROM`.
    pub fn new(smtp_url: &str, from: &str) -> Result<Self, MailerConfigError> {
        Ok(Self {
            target: SmtpTarget::parse(smtp_url)?,
            from: from.trim().parse().map_err(|_| MailerConfigError::From)?,
            extra_roots: None,
            attempt_timeout: Duration::from_secs(10),
            attempts: 3,
            retry_delay: Duration::from_secs(2),
            queue_capacity: 100,
            concurrency: 4,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sender_may_carry_a_display_name() {
        let config = MailerConfig::new("smtp://127.0.0.1:2525", "Calls <no-reply@calls.example>")
            .expect("valid");
        assert_eq!(config.from.email.to_string(), "no-reply@calls.example");
        assert_eq!(config.from.name.as_deref(), Some("Calls"));
    }

    #[test]
    fn a_bad_sender_or_url_names_its_setting() {
        let err = MailerConfig::new("smtp://127.0.0.1:2525", "not an address").unwrap_err();
        assert!(err.to_string().starts_with("MAIL_FROM"), "{err}");
        let err = MailerConfig::new("http://x", "a@b.example").unwrap_err();
        assert!(err.to_string().starts_with("SMTP_URL"), "{err}");
    }
}
