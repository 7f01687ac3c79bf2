//! Forgotten passwords: `POST /api/auth/password-reset` and `.../confirm`, with a real SMTP
//! server on loopback (`calls_adapters_mail::testing::SmtpServer`) receiving the e-mails; the
//! tests read the link from the message the server received, as a user would.

use std::time::Duration;

use calls_adapters_mail::testing::{Behaviour, ReceivedMail, SmtpServer};
use calls_core::domain::{Email, ResetSecret};
use calls_server::settings::Settings;
use chrono::{TimeDelta, Utc};
use reqwest::{Method, Response, StatusCode};
use serde_json::{Value, json};

use crate::assertions::{assert_case_error, assert_error, assert_invalid, header};
use crate::fixtures::TestUser;
use crate::helpers::{Backend, TestApp, run_on};
use crate::on_all_backends;

const LINK_BASE: &str = "https://calls.example/reset-password";
const NEW_PASSWORD: &str = "copper meadow forty-two gently";
const WAIT: Duration = Duration::from_secs(15);

/// Runs `test` on `backend` with an SMTP server behaving as `behaviour` and the mail settings
/// pointing at it, then `tune` applied.
async fn with_smtp<F: Future<Output = ()>>(
    backend: Backend,
    behaviour: Behaviour,
    tune: fn(&mut Settings),
    test: impl FnOnce(TestApp, SmtpServer) -> F,
) {
    let smtp = SmtpServer::start(behaviour).await;
    let url = smtp.url();
    run_on(
        backend,
        |settings| {
            mail_through(settings, &url);
            tune(settings);
        },
        |app| test(app, smtp),
    )
    .await;
}

/// The mail settings of an app that sends through the SMTP server at `url`.
fn mail_through(settings: &mut Settings, url: &str) {
    settings.mail.smtp_url = url.to_owned().into();
    settings.mail.from = "Calls <no-reply@calls.example>".into();
    settings.mail.retry_delay_secs = 0;
    settings.auth.password_reset.url = LINK_BASE.into();
}

/// `mod test { sqlite, postgres }` for each `test: behaviour, tune;` (functions of this
/// module), the test taking `(TestApp, SmtpServer)`.
macro_rules! with_a_mail_server {
    ($($test:ident: $behaviour:ident, $tune:ident;)*) => {$(
        mod $test {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let backend = crate::helpers::Backend::Sqlite;
                super::with_smtp(backend, super::$behaviour(), super::$tune, super::$test).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let backend = crate::helpers::Backend::Postgres;
                super::with_smtp(backend, super::$behaviour(), super::$tune, super::$test).await;
            }
        }
    )*};
}

with_a_mail_server! {
    a_reset_sets_the_password_ends_every_session_and_works_once: accepting, unchanged;
    an_address_without_an_account_gets_the_same_answer_and_no_mail: accepting, unchanged;
    the_mail_follows_the_language_of_the_request: accepting, unchanged;
    a_newer_request_replaces_the_earlier_link: accepting, unchanged;
    requests_are_throttled_per_address_and_per_email: accepting, few_requests;
    bad_tokens_and_bad_passwords_change_nothing: accepting, unchanged;
    an_expired_link_is_refused: accepting, unchanged;
    deleting_the_account_ends_its_links_and_its_counted_requests: accepting, one_request_each;
    a_refusing_mail_server_fails_no_request_and_is_counted: refusing, with_metrics;
    a_silent_mail_server_blocks_no_request: silent, unchanged;
}

on_all_backends!(without_a_mail_server_both_routes_are_unavailable);

fn accepting() -> Behaviour {
    Behaviour::default()
}

fn refusing() -> Behaviour {
    Behaviour {
        refuse_recipients: Some("550 5.1.1 mailbox unavailable".into()),
        ..Behaviour::default()
    }
}

fn silent() -> Behaviour {
    Behaviour {
        greeting_delay: Duration::from_secs(3600),
        ..Behaviour::default()
    }
}

fn unchanged(_: &mut Settings) {}

fn few_requests(settings: &mut Settings) {
    settings.auth.password_reset.email_max_requests = 2;
    settings.auth.password_reset.address_max_requests = 3;
}

fn one_request_each(settings: &mut Settings) {
    settings.auth.password_reset.email_max_requests = 1;
}

fn with_metrics(settings: &mut Settings) {
    settings.metrics.addr = "127.0.0.1:0".into();
}

async fn request_reset(app: &TestApp, email: &str, language: Option<&str>) -> Response {
    let mut request = app
        .request(Method::POST, "/api/auth/password-reset")
        .json(&json!({ "email": email }));
    if let Some(language) = language {
        request = request.header("Accept-Language", language);
    }
    app.send(request).await
}

async fn confirm(app: &TestApp, token: &str, new_password: &str) -> Response {
    app.post_json(
        "/api/auth/password-reset/confirm",
        &json!({ "token": token, "new_password": new_password }),
    )
    .await
}

/// Asks for a reset of `email` and checks the 202; returns its body.
async fn accepted(app: &TestApp, email: &str) -> Value {
    let response = request_reset(app, email, None).await;
    assert_eq!(response.status(), StatusCode::ACCEPTED, "reset of {email}");
    response.json().await.expect("json")
}

/// The `n`-th message the server received (waiting for it), addressed to `to`.
async fn nth_mail(smtp: &SmtpServer, n: usize, to: &str) -> ReceivedMail {
    let received = smtp.wait_for(n + 1, WAIT).await;
    let mail = received
        .get(n)
        .unwrap_or_else(|| panic!("message {n} never arrived ({} did)", received.len()))
        .clone();
    assert_eq!(mail.rcpt_to, [to.to_lowercase()], "addressed to {to}");
    mail
}

/// The secret of the link in `mail`, which must start with the configured page.
fn token_in(mail: &ReceivedMail) -> String {
    let text = mail.text();
    let start = text
        .find(&format!("{LINK_BASE}?token="))
        .unwrap_or_else(|| panic!("no link to {LINK_BASE} in:\n{text}"));
    let link: String = text[start..]
        .chars()
        .take_while(|c| !c.is_whitespace())
        .collect();
    let token = link
        .rsplit_once("token=")
        .map(|(_, token)| token.to_owned())
        .expect("a token parameter");
    assert_eq!(token.len(), 43, "a 256-bit secret, base64url: {token}");
    token
}

async fn signs_in(app: &TestApp, user: &TestUser, password: &str) -> StatusCode {
    app.login(&user.email, password).await.status()
}

async fn a_reset_sets_the_password_ends_every_session_and_works_once(
    app: TestApp,
    smtp: SmtpServer,
) {
    let other = app
        .another_instance_with(|settings| mail_through(settings, &smtp.url()))
        .await;
    let user = app.new_user().await;
    let second_session = app.login(&user.email, &user.password).await;
    let second: Value = second_session.json().await.expect("json");
    let second = second["token"].as_str().expect("token").to_owned();

    accepted(&app, &user.email.to_uppercase()).await;
    let mail = nth_mail(&smtp, 0, &user.email).await;
    assert_eq!(mail.mail_from, "no-reply@calls.example");
    let token = token_in(&mail);

    let response = confirm(&other, &token, NEW_PASSWORD).await;
    assert_eq!(
        response.status(),
        StatusCode::OK,
        "confirmed on another instance"
    );
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["user"]["id"], user.id.as_str());
    assert_eq!(body["user"]["email"], user.email.as_str());
    let fresh = body["token"].as_str().expect("a fresh token");

    for (name, token) in [
        ("registration", user.token.as_str()),
        ("login", second.as_str()),
    ] {
        for instance in [&app, &other] {
            let history = instance.get_authed("/api/calls/history", token).await;
            assert_case_error(name, history, StatusCode::UNAUTHORIZED, "unauthorized").await;
        }
    }
    let history = app.get_authed("/api/calls/history", fresh).await;
    assert_eq!(
        history.status(),
        StatusCode::OK,
        "the fresh session is live"
    );
    assert_eq!(
        signs_in(&app, &user, &user.password).await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(signs_in(&app, &user, NEW_PASSWORD).await, StatusCode::OK);

    let again = confirm(&app, &token, "another long passphrase here").await;
    assert_error(again, StatusCode::BAD_REQUEST, "invalid_reset_token").await;
    assert_eq!(
        signs_in(&app, &user, NEW_PASSWORD).await,
        StatusCode::OK,
        "the second use changed nothing"
    );
}

async fn an_address_without_an_account_gets_the_same_answer_and_no_mail(
    app: TestApp,
    smtp: SmtpServer,
) {
    let user = app.new_user().await;
    let unknown = request_reset(&app, "nobody-here@example.com", None).await;
    assert_eq!(unknown.status(), StatusCode::ACCEPTED);
    let unknown_type = header(&unknown, "content-type").map(str::to_owned);
    let unknown: Value = unknown.json().await.expect("json");
    let known = request_reset(&app, &user.email, None).await;
    assert_eq!(known.status(), StatusCode::ACCEPTED);
    assert_eq!(
        header(&known, "content-type").map(str::to_owned),
        unknown_type
    );
    let known: Value = known.json().await.expect("json");
    assert_eq!(known, unknown, "the same body either way");
    assert!(known["message"].as_str().is_some_and(|m| !m.is_empty()));

    nth_mail(&smtp, 0, &user.email).await;
    // The unknown address's request came first: had it produced a message, it would be here.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(smtp.received().len(), 1, "one message, to the account");
}

async fn the_mail_follows_the_language_of_the_request(app: TestApp, smtp: SmtpServer) {
    let user = app.new_user().await;
    let russian = request_reset(&app, &user.email, Some("ru-RU,ru;q=0.9,en;q=0.5")).await;
    assert_eq!(russian.status(), StatusCode::ACCEPTED);
    assert_eq!(header(&russian, "content-language"), Some("ru"));
    let body: Value = russian.json().await.expect("json");
    assert!(
        body["message"]
            .as_str()
            .is_some_and(|m| m.contains("ссылка")),
        "answered in Russian: {body}"
    );
    let mail = nth_mail(&smtp, 0, &user.email).await;
    assert_eq!(mail.header("Subject").as_deref(), Some("Сброс пароля"));
    let text = mail.text();
    assert!(text.contains("в течение 30 минут"), "Russian body:\n{text}");
    token_in(&mail);

    let english = request_reset(&app, &user.email, Some("de, en;q=0.5")).await;
    assert_eq!(header(&english, "content-language"), Some("en"));
    let mail = nth_mail(&smtp, 1, &user.email).await;
    assert_eq!(
        mail.header("Subject").as_deref(),
        Some("Reset your password")
    );
    assert!(mail.text().contains("within 30 minutes"), "{}", mail.text());
}

async fn a_newer_request_replaces_the_earlier_link(app: TestApp, smtp: SmtpServer) {
    let user = app.new_user().await;
    accepted(&app, &user.email).await;
    let first = token_in(&nth_mail(&smtp, 0, &user.email).await);
    accepted(&app, &user.email).await;
    let second = token_in(&nth_mail(&smtp, 1, &user.email).await);
    assert_ne!(first, second, "each link has its own secret");
    let old = confirm(&app, &first, NEW_PASSWORD).await;
    assert_error(old, StatusCode::BAD_REQUEST, "invalid_reset_token").await;
    let new = confirm(&app, &second, NEW_PASSWORD).await;
    assert_eq!(new.status(), StatusCode::OK);
}

async fn requests_are_throttled_per_address_and_per_email(app: TestApp, smtp: SmtpServer) {
    // 2 per e-mail address, 3 per client address (the tests all come from 127.0.0.1).
    let user = app.new_user().await;
    accepted(&app, &user.email).await;
    accepted(&app, &user.email).await;
    let third = request_reset(&app, &user.email, None).await;
    let retry_after = header(&third, "retry-after").map(str::to_owned);
    assert_error(third, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
    assert!(
        retry_after
            .as_deref()
            .and_then(|value| value.parse::<u64>().ok())
            .is_some_and(|seconds| seconds > 0 && seconds <= 3600),
        "Retry-After within the window: {retry_after:?}"
    );
    // The address has one request left: an unknown e-mail is counted like a known one.
    accepted(&app, "someone-else@example.com").await;
    let fourth = request_reset(&app, "yet-another@example.com", None).await;
    assert_error(fourth, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
    // A malformed address is refused before it is counted.
    let malformed = request_reset(&app, "not an address", None).await;
    assert_invalid("malformed email", malformed, "email").await;

    nth_mail(&smtp, 1, &user.email).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        smtp.received().len(),
        2,
        "the refused requests sent nothing"
    );
    // Password resets count apart from logins: the account still signs in.
    assert_eq!(signs_in(&app, &user, &user.password).await, StatusCode::OK);
}

async fn bad_tokens_and_bad_passwords_change_nothing(app: TestApp, smtp: SmtpServer) {
    let user = app.new_user().await;
    accepted(&app, &user.email).await;
    let token = token_in(&nth_mail(&smtp, 0, &user.email).await);
    let unknown = ResetSecret::generate();
    for (case, token) in [
        ("unknown token", unknown.expose()),
        ("malformed token", "not-a-token"),
        ("empty token", ""),
        ("padded token", &format!("{token}=")),
    ] {
        let response = confirm(&app, token, NEW_PASSWORD).await;
        assert_case_error(
            case,
            response,
            StatusCode::BAD_REQUEST,
            "invalid_reset_token",
        )
        .await;
    }
    for (case, password) in [("too short", "short"), ("too common", "password123")] {
        let response = confirm(&app, &token, password).await;
        assert_invalid(case, response, "password").await;
    }
    let missing = app
        .post_json(
            "/api/auth/password-reset/confirm",
            &json!({ "token": token }),
        )
        .await;
    assert_invalid("missing new_password", missing, "new_password").await;
    let history = app.get_authed("/api/calls/history", &user.token).await;
    assert_eq!(
        history.status(),
        StatusCode::OK,
        "the session is still live"
    );
    assert_eq!(signs_in(&app, &user, &user.password).await, StatusCode::OK);
    let response = confirm(&app, &token, NEW_PASSWORD).await;
    assert_eq!(
        response.status(),
        StatusCode::OK,
        "the link still works after the refusals"
    );
}

async fn an_expired_link_is_refused(app: TestApp, _smtp: SmtpServer) {
    let user = app.new_user().await;
    // A link issued 31 minutes ago with the default 30-minute life, written as the server
    // writes them.
    let secret = ResetSecret::generate();
    let issued = Utc::now() - TimeDelta::minutes(31);
    let storage = app.storage().await;
    let stored = storage
        .password_resets
        .issue(
            &Email::parse(&user.email).expect("valid"),
            &secret.digest(),
            issued,
            issued + TimeDelta::minutes(30),
        )
        .await
        .expect("stored");
    assert!(stored);
    let response = confirm(&app, secret.expose(), NEW_PASSWORD).await;
    assert_error(response, StatusCode::BAD_REQUEST, "invalid_reset_token").await;
    assert_eq!(signs_in(&app, &user, &user.password).await, StatusCode::OK);
}

async fn deleting_the_account_ends_its_links_and_its_counted_requests(
    app: TestApp,
    smtp: SmtpServer,
) {
    let user = app.new_user().await;
    accepted(&app, &user.email).await;
    let token = token_in(&nth_mail(&smtp, 0, &user.email).await);
    let limited = request_reset(&app, &user.email, None).await;
    assert_error(limited, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
    let deleted = app
        .delete_json_authed(
            "/api/account",
            &user.token,
            &json!({ "password": user.password }),
        )
        .await;
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    let response = confirm(&app, &token, NEW_PASSWORD).await;
    assert_error(response, StatusCode::BAD_REQUEST, "invalid_reset_token").await;
    let again = app.register(&user.email, &user.password).await;
    assert_eq!(again.status(), StatusCode::CREATED);
    accepted(&app, &user.email).await;
    let fresh = token_in(&nth_mail(&smtp, 1, &user.email).await);
    assert_ne!(fresh, token);
}

async fn a_refusing_mail_server_fails_no_request_and_is_counted(app: TestApp, smtp: SmtpServer) {
    let user = app.new_user().await;
    accepted(&app, &user.email).await;
    // 550 is final: one attempt, then the failure is counted.
    let mut scraped = String::new();
    for _ in 0..150 {
        let response = app.send(app.metrics_request(Method::GET, "/metrics")).await;
        scraped = response.text().await.expect("scrape body");
        if scraped.contains(r#"mail_messages_total{outcome="failed"} 1"#) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    for line in [
        r#"mail_messages_total{outcome="failed"} 1"#,
        r#"mail_messages_total{outcome="sent"} 0"#,
        r#"mail_messages_total{outcome="dropped"} 0"#,
        "mail_queue_pending{} 0",
    ] {
        assert!(
            scraped.lines().any(|l| l == line),
            "missing {line:?} in\n{scraped}"
        );
    }
    assert!(smtp.received().is_empty());
    assert!(smtp.connections() >= 1, "the server was tried");
}

async fn a_silent_mail_server_blocks_no_request(app: TestApp, smtp: SmtpServer) {
    let user = app.new_user().await;
    // The server accepts connections and never greets: every delivery hangs until its
    // timeout (10 s). The requests are answered all the same, the e-mails still pending.
    for _ in 0..3 {
        accepted(&app, &user.email).await;
    }
    let history = app.get_authed("/api/calls/history", &user.token).await;
    assert_eq!(history.status(), StatusCode::OK);
    for _ in 0..100 {
        if smtp.connections() >= 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        smtp.connections() >= 1,
        "delivery was under way while the requests were answered"
    );
    assert!(smtp.received().is_empty());
}

async fn without_a_mail_server_both_routes_are_unavailable(app: TestApp) {
    let user = app.new_user().await;
    let request = request_reset(&app, &user.email, Some("ru")).await;
    assert_eq!(header(&request, "content-language"), Some("ru"));
    let body = assert_error(
        request,
        StatusCode::SERVICE_UNAVAILABLE,
        "mail_not_configured",
    )
    .await;
    assert!(
        body["message"]
            .as_str()
            .is_some_and(|m| m.contains("почтовый")),
        "{body}"
    );
    let confirm = confirm(&app, ResetSecret::generate().expose(), NEW_PASSWORD).await;
    assert_error(
        confirm,
        StatusCode::SERVICE_UNAVAILABLE,
        "mail_not_configured",
    )
    .await;
    // Even an unreadable body: the feature is off whatever was sent.
    let raw = app
        .post_raw(
            "/api/auth/password-reset",
            None,
            Some("application/json"),
            "{not json",
        )
        .await;
    assert_error(raw, StatusCode::SERVICE_UNAVAILABLE, "mail_not_configured").await;
}
