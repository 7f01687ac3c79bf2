//! The [`Mailer`](calls_core::ports::Mailer) port over SMTP, with lettre: [`SmtpMailer`].
//!
//! Configured by `SMTP_URL` ([`SmtpTarget`]: implicit TLS, STARTTLS or plain), `MAIL_FROM`
//! and optionally `SMTP_CA_FILE` ([`MailerConfig`]). With the `testing` feature,
//! [`testing::SmtpServer`] is a real SMTP server on loopback for tests.

mod config;
mod mailer;
mod target;
#[cfg(feature = "testing")]
pub mod testing;

pub use config::{MailerConfig, MailerConfigError};
pub use mailer::SmtpMailer;
pub use target::{Security, SmtpTarget, SmtpUrlError};
