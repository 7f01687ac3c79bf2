//! Trusted proxies: whose forwarding headers name the client (login limits per address) and
//! say the request came over HTTPS (`Strict-Transport-Security`).
//!
//! Every test client connects from 127.0.0.1, so an app that trusts 127.0.0.1 plays a server
//! behind a proxy, and one that trusts nobody plays a server reached directly by a client that
//! forges headers.

use calls_server::settings::Settings;
use reqwest::{Method, Response, StatusCode};
use serde_json::json;

use crate::assertions::{assert_error, header};
use crate::helpers::TestApp;
use crate::on_all_backends;

on_all_backends!(with direct: forged_headers_from_an_untrusted_peer_change_nothing);
on_all_backends!(
    with behind_proxy: a_trusted_proxy_names_the_client,
    malformed_headers_are_served_and_counted_under_the_peer,
    hsts_only_for_https_as_the_trusted_proxy_says,
);

/// Failed logins allowed per client address in these tests.
const ADDRESS_LIMIT: usize = 3;

fn direct(settings: &mut Settings) {
    settings.auth.throttle.address_max_failures = ADDRESS_LIMIT;
    settings.auth.throttle.account_max_failures = 100;
}

fn behind_proxy(settings: &mut Settings) {
    direct(settings);
    settings.server.trusted_proxies = vec!["127.0.0.1".to_owned(), "10.0.0.0/8".to_owned()];
}

/// `POST /api/auth/login` with `headers`.
async fn login_with(
    app: &TestApp,
    email: &str,
    password: &str,
    headers: &[(&str, &str)],
) -> Response {
    let request = headers.iter().fold(
        app.request(Method::POST, "/api/auth/login"),
        |request, (name, value)| request.header(*name, *value),
    );
    let body = json!({ "email": email, "password": password });
    app.send(request.json(&body)).await
}

/// A failed login for an account nobody has, sent with `headers`.
async fn fail_login(app: &TestApp, headers: &[(&str, &str)]) {
    let email = format!("nobody-{}@example.com", uuid::Uuid::new_v4().simple());
    let response = login_with(app, &email, "a wrong passphrase", headers).await;
    assert_error(response, StatusCode::UNAUTHORIZED, "invalid_credentials").await;
}

async fn forged_headers_from_an_untrusted_peer_change_nothing(app: TestApp) {
    let victim = app.new_user().await;
    // Each failure claims another client; all of them come from 127.0.0.1.
    let forged: [&[(&str, &str)]; ADDRESS_LIMIT] = [
        &[("x-forwarded-for", "198.51.100.1")],
        &[("forwarded", "for=198.51.100.2")],
        &[("x-forwarded-for", "198.51.100.3, 10.0.0.1")],
    ];
    for headers in forged {
        fail_login(&app, headers).await;
    }
    let response = login_with(
        &app,
        &victim.email,
        &victim.password,
        &[
            ("x-forwarded-for", "203.0.113.50"),
            ("x-forwarded-proto", "https"),
        ],
    )
    .await;
    assert_eq!(
        header(&response, "strict-transport-security"),
        None,
        "an untrusted peer's X-Forwarded-Proto is not HTTPS"
    );
    assert_error(response, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
}

async fn a_trusted_proxy_names_the_client(app: TestApp) {
    let victim = app.new_user().await;
    // The attacker's own additions (left of what the proxy appended) are ignored.
    let attacker: [&[(&str, &str)]; ADDRESS_LIMIT] = [
        &[("x-forwarded-for", "198.51.100.1")],
        &[("x-forwarded-for", "6.6.6.6, 198.51.100.1")],
        &[
            ("x-forwarded-for", "7.7.7.7"),
            ("x-forwarded-for", "198.51.100.1, 10.1.2.3"),
        ],
    ];
    for headers in attacker {
        fail_login(&app, headers).await;
    }
    // Another client behind the same proxy is not affected.
    let victim_login = login_with(
        &app,
        &victim.email,
        &victim.password,
        &[("x-forwarded-for", "198.51.100.2")],
    )
    .await;
    assert_eq!(victim_login.status(), StatusCode::OK);
    // The attacker is throttled, under X-Forwarded-For and under Forwarded alike.
    for headers in [
        &[("x-forwarded-for", "8.8.8.8, 198.51.100.1")][..],
        &[("forwarded", "for=9.9.9.9, for=\"198.51.100.1:4711\"")][..],
    ] {
        let response = login_with(&app, &victim.email, &victim.password, headers).await;
        assert_error(response, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
    }
    // The proxy itself (no header) is a client of its own.
    let proxy_itself = login_with(&app, &victim.email, &victim.password, &[]).await;
    assert_eq!(proxy_itself.status(), StatusCode::OK);
}

async fn malformed_headers_are_served_and_counted_under_the_peer(app: TestApp) {
    let victim = app.new_user().await;
    let malformed: [&[(&str, &str)]; ADDRESS_LIMIT] = [
        &[("x-forwarded-for", "not an address")],
        &[("forwarded", "for=\"198.51.100.1")],
        &[("x-forwarded-for", "198.51.100.1, unknown")],
    ];
    for headers in malformed {
        let health = app
            .call_with_headers(Method::GET, "/system/health", headers)
            .await;
        assert_eq!(health.status(), StatusCode::OK, "{headers:?}");
        fail_login(&app, headers).await;
    }
    // Those three failures counted against the peer, 127.0.0.1 ...
    let peer = login_with(&app, &victim.email, &victim.password, &[]).await;
    assert_error(peer, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
    // ... and not against the address the broken headers would have named.
    let named = login_with(
        &app,
        &victim.email,
        &victim.password,
        &[("x-forwarded-for", "198.51.100.1")],
    )
    .await;
    assert_eq!(named.status(), StatusCode::OK);
}

/// (request headers, the `Strict-Transport-Security` expected)
type HstsCase = (
    &'static [(&'static str, &'static str)],
    Option<&'static str>,
);

async fn hsts_only_for_https_as_the_trusted_proxy_says(app: TestApp) {
    let cases: [HstsCase; 5] = [
        (&[("x-forwarded-proto", "https")], Some("max-age=31536000")),
        (
            &[("forwarded", "for=198.51.100.1;proto=https")],
            Some("max-age=31536000"),
        ),
        (&[("x-forwarded-proto", "http")], None),
        (&[("x-forwarded-proto", "https, http")], None),
        (&[], None),
    ];
    for path in ["/system/health", "/api/calls/history"] {
        for (headers, expected) in &cases {
            let response = app.call_with_headers(Method::GET, path, headers).await;
            assert_eq!(
                header(&response, "strict-transport-security"),
                *expected,
                "{path} {headers:?}"
            );
        }
    }
}
