//! [`SmtpMailer`]: the [`Mailer`] port over SMTP.
//!
//! `send_later` puts the message in a bounded queue and returns: it never waits for the
//! network. One task takes messages off the queue and delivers up to `concurrency` at once,
//! each attempt bounded by `attempt_timeout`, retried with a doubling delay unless the server
//! refused for good (5xx). Every outcome is logged (without the address or the text) and
//! counted for the metrics.

use std::fs;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use calls_core::ports::{MailQueueFull, MailReport, Mailer, OutgoingMail};
use lettre::message::header::ContentType;
use lettre::message::{Mailbox, Message};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use tokio::sync::{Semaphore, mpsc};

use crate::config::{MailerConfig, MailerConfigError};
use crate::target::Security;

type Transport = AsyncSmtpTransport<Tokio1Executor>;

#[derive(Debug, Default)]
struct Counters {
    sent: AtomicU64,
    failed: AtomicU64,
    dropped: AtomicU64,
    pending: AtomicU64,
}

/// Cheap to clone: clones share the queue and the counts.
#[derive(Clone)]
pub struct SmtpMailer {
    queue: mpsc::Sender<OutgoingMail>,
    counters: Arc<Counters>,
}

impl std::fmt::Debug for SmtpMailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpMailer").finish_non_exhaustive()
    }
}

impl SmtpMailer {
    /// Builds the transport and starts the delivery task on the current tokio runtime (which
    /// must outlive the mailer: the process's own). Nothing is connected yet: a mail server
    /// that is down at start is only a logged failure per message later.
    pub fn start(config: MailerConfig) -> Result<Self, MailerConfigError> {
        let transport = transport(&config)?;
        tracing::info!(smtp = %config.target.describe(), "mail: sending through SMTP");
        let (queue, inbox) = mpsc::channel(config.queue_capacity.max(1));
        let counters = Arc::new(Counters::default());
        tokio::spawn(deliver_all(inbox, transport, config, counters.clone()));
        Ok(Self { queue, counters })
    }
}

impl Mailer for SmtpMailer {
    fn send_later(&self, mail: OutgoingMail) -> Result<(), MailQueueFull> {
        self.counters.pending.fetch_add(1, Ordering::Relaxed);
        match self.queue.try_send(mail) {
            Ok(()) => Ok(()),
            Err(_) => {
                self.counters.pending.fetch_sub(1, Ordering::Relaxed);
                self.counters.dropped.fetch_add(1, Ordering::Relaxed);
                tracing::warn!("mail: queue full, message dropped");
                Err(MailQueueFull)
            }
        }
    }

    fn report(&self) -> MailReport {
        MailReport {
            sent: self.counters.sent.load(Ordering::Relaxed),
            failed: self.counters.failed.load(Ordering::Relaxed),
            dropped: self.counters.dropped.load(Ordering::Relaxed),
            pending: self.counters.pending.load(Ordering::Relaxed),
        }
    }
}

fn transport(config: &MailerConfig) -> Result<Transport, MailerConfigError> {
    let target = &config.target;
    let tls = || -> Result<TlsParameters, MailerConfigError> {
        let mut builder = TlsParameters::builder(target.host.clone());
        if let Some(path) = &config.extra_roots {
            let pem = fs::read(path).map_err(|err| {
                MailerConfigError::ExtraRoots(format!("{}: {err}", path.display()))
            })?;
            // An empty or wrong file would otherwise add nothing, silently.
            if !pem
                .windows(27)
                .any(|window| window == b"-----BEGIN CERTIFICATE-----")
            {
                return Err(MailerConfigError::ExtraRoots(format!(
                    "{} holds no PEM certificate",
                    path.display()
                )));
            }
            let certificate = Certificate::from_pem(&pem)
                .map_err(|err| MailerConfigError::ExtraRoots(err.to_string()))?;
            builder = builder.add_root_certificate(certificate);
        }
        builder
            .build_rustls()
            .map_err(|err| MailerConfigError::ExtraRoots(err.to_string()))
    };
    let tls = match target.security {
        Security::ImplicitTls => Tls::Wrapper(tls()?),
        Security::StartTlsRequired => Tls::Required(tls()?),
        Security::StartTlsOpportunistic => Tls::Opportunistic(tls()?),
        Security::Plain => Tls::None,
    };
    let mut builder = Transport::builder_dangerous(target.host.clone())
        .port(target.port)
        .tls(tls)
        .timeout(Some(config.attempt_timeout));
    if let Some((user, password)) = &target.credentials {
        builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
    }
    Ok(builder.build())
}

async fn deliver_all(
    mut inbox: mpsc::Receiver<OutgoingMail>,
    transport: Transport,
    config: MailerConfig,
    counters: Arc<Counters>,
) {
    let slots = Arc::new(Semaphore::new(config.concurrency.max(1)));
    let config = Arc::new(config);
    while let Some(mail) = inbox.recv().await {
        let Ok(slot) = slots.clone().acquire_owned().await else {
            return;
        };
        let transport = transport.clone();
        let config = config.clone();
        let counters = counters.clone();
        tokio::spawn(async move {
            let delivered = deliver(&transport, &config, mail).await;
            let counter = if delivered {
                &counters.sent
            } else {
                &counters.failed
            };
            counter.fetch_add(1, Ordering::Relaxed);
            counters.pending.fetch_sub(1, Ordering::Relaxed);
            drop(slot);
        });
    }
}

/// One message, with its retries; whether the server accepted it.
async fn deliver(transport: &Transport, config: &MailerConfig, mail: OutgoingMail) -> bool {
    let domain = mail.to.as_str().rsplit('@').next().unwrap_or("").to_owned();
    let message = match message(&config.from, mail) {
        Ok(message) => message,
        Err(reason) => {
            tracing::error!(%reason, "mail: message could not be built");
            return false;
        }
    };
    let attempts = config.attempts.max(1);
    let mut delay = config.retry_delay;
    for attempt in 1..=attempts {
        // lettre's own timeout bounds some network steps (not a server that never greets);
        // this bounds the whole attempt.
        let outcome =
            tokio::time::timeout(config.attempt_timeout, transport.send(message.clone())).await;
        let (reason, permanent) = match outcome {
            Ok(Ok(_)) => {
                tracing::info!(to_domain = %domain, attempt, "mail: delivered");
                return true;
            }
            Ok(Err(err)) => (err.to_string(), err.is_permanent()),
            Err(_) => ("no answer in time".to_owned(), false),
        };
        if permanent || attempt == attempts {
            tracing::warn!(to_domain = %domain, attempt, %reason, permanent, "mail: not delivered, given up");
            return false;
        }
        tracing::warn!(to_domain = %domain, attempt, %reason, retry_in = ?delay, "mail: attempt failed");
        tokio::time::sleep(delay).await;
        delay = delay.saturating_mul(2);
    }
    false
}

fn message(from: &Mailbox, mail: OutgoingMail) -> Result<Message, String> {
    let to: Mailbox = mail
        .to
        .as_str()
        .parse()
        .map_err(|_| "the recipient is not a mailbox".to_owned())?;
    Message::builder()
        .from(from.clone())
        .to(to)
        .subject(mail.subject)
        .header(ContentType::TEXT_PLAIN)
        .body(mail.text)
        .map_err(|err| err.to_string())
}
