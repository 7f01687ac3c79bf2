//! Sending e-mail, off the request path.

use crate::domain::Email;

/// A message ready to go: plain text, one recipient. Its `Debug` shows neither the address
/// nor the text (which may carry a secret link).
#[derive(Clone, PartialEq, Eq)]
pub struct OutgoingMail {
    pub to: Email,
    pub subject: String,
    pub text: String,
}

impl std::fmt::Debug for OutgoingMail {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OutgoingMail").finish_non_exhaustive()
    }
}

/// The mailer's queue is full: the message was dropped (and counted).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the mail queue is full")]
pub struct MailQueueFull;

/// What became of the messages handed over so far, for the metrics.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MailReport {
    /// Accepted by the mail server.
    pub sent: u64,
    /// Given up on: refused by the server, or no answer within the time allowed, after the
    /// retries.
    pub failed: u64,
    /// Never tried: the queue was full when it was handed over.
    pub dropped: u64,
    /// Waiting or being sent now.
    pub pending: u64,
}

#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
pub trait Mailer: Send + Sync {
    /// Queues `mail` and returns at once, whatever the mail server's state: a slow or failing
    /// server costs a request nothing. Delivery (bounded in time, retried, logged) happens in
    /// the background. Errors: [`MailQueueFull`] when too many messages are waiting already.
    fn send_later(&self, mail: OutgoingMail) -> Result<(), MailQueueFull>;

    fn report(&self) -> MailReport;
}

/// The text of an e-mail in one language.
#[derive(Clone, PartialEq, Eq)]
pub struct MailText {
    pub subject: String,
    pub text: String,
}

impl std::fmt::Debug for MailText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MailText")
            .field("subject", &self.subject)
            .finish_non_exhaustive()
    }
}

/// The words of the e-mails, in the languages the platform speaks (kept with the other
/// translations, where translators edit them).
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
pub trait MailTemplates: Send + Sync {
    /// The password-reset message: `link` opens the page that sets a new password, and works
    /// for `valid_minutes`.
    fn password_reset(
        &self,
        language: super::NameLanguage,
        link: &str,
        valid_minutes: u64,
    ) -> MailText;
}
