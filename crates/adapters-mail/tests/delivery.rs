//! The SMTP mailer against a real SMTP server on loopback (`testing::SmtpServer`): what the
//! server receives (envelope, headers, text, over which protection, as which user), and that
//! a slow, refusing or absent server costs `send_later` nothing and is counted.

use std::time::{Duration, Instant};

use calls_adapters_mail::testing::{Behaviour, ServerTls, SmtpServer, TestTls};
use calls_adapters_mail::{MailerConfig, SmtpMailer};
use calls_core::domain::Email;
use calls_core::ports::{MailQueueFull, MailReport, Mailer, OutgoingMail};

const WAIT: Duration = Duration::from_secs(10);

fn mail(to: &str, subject: &str, text: &str) -> OutgoingMail {
    OutgoingMail {
        to: Email::parse(to).expect("valid"),
        subject: subject.to_owned(),
        text: text.to_owned(),
    }
}

fn config(url: &str) -> MailerConfig {
    let mut config = MailerConfig::new(url, "Calls <no-reply@calls.example>").expect("valid");
    config.attempt_timeout = Duration::from_secs(2);
    config.retry_delay = Duration::from_millis(50);
    config
}

/// Waits until the mailer has settled every message (none pending).
async fn settled(mailer: &SmtpMailer) -> MailReport {
    let deadline = Instant::now() + WAIT;
    loop {
        let report = mailer.report();
        if report.pending == 0 || Instant::now() > deadline {
            return report;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn a_message_arrives_with_its_envelope_headers_and_text() {
    let server = SmtpServer::start(Behaviour::default()).await;
    let mailer = SmtpMailer::start(config(&server.url())).expect("mailer");
    let text = "Откройте ссылку: https://app.example/reset?token=abc_DEF-123\n.a line that starts with a dot\n";
    mailer
        .send_later(mail("Alice@Example.com", "Сброс пароля", text))
        .expect("queued");
    let received = server.wait_for(1, WAIT).await;
    assert_eq!(received.len(), 1, "one message");
    let message = &received[0];
    assert_eq!(message.mail_from, "no-reply@calls.example");
    assert_eq!(message.rcpt_to, ["alice@example.com"]);
    assert_eq!(message.header("Subject").as_deref(), Some("Сброс пароля"));
    let from = message.header("From").unwrap_or_default();
    assert!(
        from.contains("Calls") && from.contains("<no-reply@calls.example>"),
        "{from}"
    );
    assert!(
        message
            .header("Content-Type")
            .unwrap_or_default()
            .contains("text/plain")
    );
    // Line ends travel as CRLF, and the end of the data adds one.
    assert_eq!(
        message.text().replace("\r\n", "\n").trim_end(),
        text.trim_end(),
        "the text, line for line"
    );
    assert!(!message.over_tls);
    let report = settled(&mailer).await;
    assert_eq!(
        (report.sent, report.failed, report.dropped, report.pending),
        (1, 0, 0, 0)
    );
}

#[tokio::test]
async fn starttls_is_used_and_the_login_sent_only_over_it() {
    let tls = TestTls::generate();
    let ca = tempfile::NamedTempFile::new().expect("temp file");
    std::fs::write(ca.path(), &tls.ca_pem).expect("CA written");
    let server = SmtpServer::start(Behaviour {
        tls: ServerTls::StartTls(tls.server.clone()),
        require_login: Some(("mailer".into(), "s3cret:pass".into())),
        ..Behaviour::default()
    })
    .await;
    let url = format!(
        "smtp://mailer:s3cret%3Apass@127.0.0.1:{}?tls=required",
        server.address().port()
    );
    let mut config = config(&url);
    config.extra_roots = Some(ca.path().to_owned());
    let mailer = SmtpMailer::start(config).expect("mailer");
    mailer
        .send_later(mail("bob@example.com", "Hi", "over TLS"))
        .expect("queued");
    let received = server.wait_for(1, WAIT).await;
    assert_eq!(received.len(), 1, "delivered: {:?}", mailer.report());
    assert!(received[0].over_tls, "after STARTTLS");
    assert_eq!(received[0].user.as_deref(), Some("mailer"));
}

#[tokio::test]
async fn smtps_speaks_tls_from_the_first_byte() {
    let tls = TestTls::generate();
    let ca = tempfile::NamedTempFile::new().expect("temp file");
    std::fs::write(ca.path(), &tls.ca_pem).expect("CA written");
    let server = SmtpServer::start(Behaviour {
        tls: ServerTls::Implicit(tls.server.clone()),
        ..Behaviour::default()
    })
    .await;
    let mut config = config(&format!("smtps://127.0.0.1:{}", server.address().port()));
    config.extra_roots = Some(ca.path().to_owned());
    let mailer = SmtpMailer::start(config).expect("mailer");
    mailer
        .send_later(mail("bob@example.com", "Hi", "implicit"))
        .expect("queued");
    let received = server.wait_for(1, WAIT).await;
    assert_eq!(received.len(), 1, "delivered: {:?}", mailer.report());
    assert!(received[0].over_tls);
}

#[tokio::test]
async fn an_untrusted_certificate_sends_nothing() {
    let tls = TestTls::generate();
    let server = SmtpServer::start(Behaviour {
        tls: ServerTls::Implicit(tls.server.clone()),
        ..Behaviour::default()
    })
    .await;
    // No SMTP_CA_FILE: the test CA is not trusted.
    let mut config = config(&format!("smtps://127.0.0.1:{}", server.address().port()));
    config.attempts = 1;
    let mailer = SmtpMailer::start(config).expect("mailer");
    mailer
        .send_later(mail("bob@example.com", "Hi", "secret link"))
        .expect("queued");
    let report = settled(&mailer).await;
    assert_eq!((report.sent, report.failed), (0, 1), "{report:?}");
    assert!(server.received().is_empty());
}

#[tokio::test]
async fn required_starttls_refuses_a_server_without_it() {
    let server = SmtpServer::start(Behaviour::default()).await;
    let mut config = config(&format!("{}?tls=required", server.url()));
    config.attempts = 1;
    let mailer = SmtpMailer::start(config).expect("mailer");
    mailer
        .send_later(mail("bob@example.com", "Hi", "secret link"))
        .expect("queued");
    let report = settled(&mailer).await;
    assert_eq!((report.sent, report.failed), (0, 1), "{report:?}");
    assert!(server.received().is_empty(), "nothing sent in clear");
}

/// One message to a server that answers every recipient with `refusal`: the server and the
/// mailer's report once the message is settled.
async fn refused_with(refusal: &str) -> (SmtpServer, MailReport) {
    let server = SmtpServer::start(Behaviour {
        refuse_recipients: Some(refusal.into()),
        ..Behaviour::default()
    })
    .await;
    let mailer = SmtpMailer::start(config(&server.url())).expect("mailer");
    mailer
        .send_later(mail("bob@example.com", "Hi", "x"))
        .expect("queued");
    let report = settled(&mailer).await;
    (server, report)
}

#[tokio::test]
async fn a_permanent_refusal_is_not_retried_a_temporary_one_is() {
    let (refusing, report) = refused_with("550 5.1.1 no such user").await;
    assert_eq!((report.sent, report.failed), (0, 1), "{report:?}");
    assert_eq!(refusing.connections(), 1, "550 is final: one attempt");

    let (busy, report) = refused_with("451 4.3.0 try again later").await;
    assert_eq!((report.sent, report.failed), (0, 1), "{report:?}");
    assert_eq!(
        busy.connections(),
        3,
        "451 is retried, up to the 3 attempts"
    );
}

#[tokio::test]
async fn a_silent_server_costs_the_caller_nothing_and_fails_in_bounded_time() {
    let silent = SmtpServer::start(Behaviour {
        greeting_delay: Duration::from_secs(3600),
        ..Behaviour::default()
    })
    .await;
    let mut config = config(&silent.url());
    config.attempt_timeout = Duration::from_millis(300);
    config.attempts = 2;
    config.queue_capacity = 4;
    config.concurrency = 1;
    let mailer = SmtpMailer::start(config).expect("mailer");
    let started = Instant::now();
    let outcomes: Vec<Result<(), MailQueueFull>> = (0..10)
        .map(|i| mailer.send_later(mail("bob@example.com", "Hi", &format!("message {i}"))))
        .collect();
    let handed_over = started.elapsed();
    assert!(
        handed_over < Duration::from_millis(200),
        "handing over never waits for the server (took {handed_over:?})"
    );
    let accepted = outcomes.iter().filter(|outcome| outcome.is_ok()).count();
    // The queue holds 4; the delivery task may already hold one more.
    assert!((4..=5).contains(&accepted), "accepted {accepted}");
    let report = mailer.report();
    assert_eq!(report.dropped, (10 - accepted) as u64, "{report:?}");
    // Each message: 2 attempts of 0.3 s and a 50 ms pause, one message at a time.
    let report = settled(&mailer).await;
    assert_eq!(
        report.failed, accepted as u64,
        "every accepted message given up: {report:?}"
    );
    assert_eq!(report.sent, 0);
}

#[tokio::test]
async fn an_absent_server_is_a_counted_failure() {
    // A port nothing listens on: bind, note, close.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    let mut config = config(&format!("smtp://127.0.0.1:{port}"));
    config.attempts = 2;
    let mailer = SmtpMailer::start(config).expect("mailer");
    mailer
        .send_later(mail("bob@example.com", "Hi", "x"))
        .expect("queued");
    let report = settled(&mailer).await;
    assert_eq!(
        (report.sent, report.failed, report.pending),
        (0, 1, 0),
        "{report:?}"
    );
}

#[tokio::test]
async fn a_ca_file_without_a_certificate_is_refused_at_start() {
    let empty = tempfile::NamedTempFile::new().expect("temp file");
    std::fs::write(empty.path(), "not a certificate\n").expect("written");
    let mut config = config("smtps://127.0.0.1:2465");
    config.extra_roots = Some(empty.path().to_owned());
    let err = SmtpMailer::start(config).expect_err("refused");
    assert!(err.to_string().starts_with("SMTP_CA_FILE"), "{err}");
    let mut config = self::config("smtps://127.0.0.1:2465");
    config.extra_roots = Some("/nonexistent/ca.pem".into());
    assert!(SmtpMailer::start(config).is_err(), "a missing file too");
}
