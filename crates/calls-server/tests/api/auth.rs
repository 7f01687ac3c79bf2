//! `/api/auth/*` and bearer authentication, end to end.

use calls_core::domain::{Email, NewUser, PasswordHash, UserId};
use chrono::Utc;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::assertions::{assert_case_error, assert_error, assert_invalid, message_of};
use crate::helpers::{JWT_SECRET, TestApp};
use crate::on_all_backends;

on_all_backends!(
    register_answers_the_exact_contract_body,
    login_answers_the_exact_contract_body,
    duplicate_email_in_any_case_is_409,
    invalid_emails_and_passwords_are_400,
    common_passwords_are_refused_with_the_reason,
    bad_bodies_are_400_and_write_nothing,
    concurrent_registrations_of_one_email_yield_one_account,
    unknown_email_and_wrong_password_look_the_same,
    legacy_bcrypt_users_log_in_and_are_upgraded,
    go_backend_tokens_are_accepted_and_can_be_logged_out,
    forged_expired_and_early_tokens_are_401,
    logout_revokes_the_token_on_every_instance,
    repeated_failures_are_throttled_per_account,
);

/// No refused registration created `email`: it registers now.
async fn assert_still_free(app: &TestApp, email: &str) {
    let response = app.register(email, "a sufficiently long passphrase").await;
    assert_eq!(
        response.status(),
        StatusCode::CREATED,
        "{email} was not created by the refused requests"
    );
}

async fn register_answers_the_exact_contract_body(app: TestApp) {
    let response = app
        .register("  New.User@Example.COM ", "a sufficiently long passphrase")
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let body: Value = response.json().await.expect("json");
    let object = body.as_object().expect("object");
    assert_eq!(object.keys().collect::<Vec<_>>(), ["token", "user"]);
    assert_eq!(body["user"]["email"], "new.user@example.com");
    assert!(uuid::Uuid::parse_str(body["user"]["id"].as_str().expect("id")).is_ok());
    assert_eq!(body["user"].as_object().map(|u| u.len()), Some(2));
    assert_eq!(body["token"].as_str().expect("token").split('.').count(), 3);
}

async fn login_answers_the_exact_contract_body(app: TestApp) {
    let user = app.new_user().await;
    let response = app.login(&user.email.to_uppercase(), &user.password).await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["user"]["id"], user.id.as_str());
    assert_eq!(body["user"]["email"], user.email.as_str());
    let token = body["token"].as_str().expect("token");
    let history = app.get_authed("/api/calls/history", token).await;
    assert_eq!(history.status(), StatusCode::OK);
}

async fn duplicate_email_in_any_case_is_409(app: TestApp) {
    let user = app.new_user().await;
    let response = app
        .register(&user.email.to_uppercase(), "another long passphrase")
        .await;
    assert_error(response, StatusCode::CONFLICT, "user_already_exists").await;
}

async fn invalid_emails_and_passwords_are_400(app: TestApp) {
    let long_local = format!("{}@example.com", "a".repeat(250));
    let too_long = "x".repeat(129);
    let (email, password) = ("valid@example.com", "a sufficiently long passphrase");
    // (email, password, the field the refusal names)
    let cases = [
        ("", password, "email"),
        ("not-an-email", password, "email"),
        ("a@b", password, "email"),
        ("@example.com", password, "email"),
        (long_local.as_str(), password, "email"),
        (email, "short", "password"),
        (email, "1234567", "password"),
        (email, too_long.as_str(), "password"),
    ];
    for (email, password, field) in cases {
        let response = app.register(email, password).await;
        let case = format!("email {email:?}, password {password:?}");
        assert_invalid(&case, response, field).await;
    }
    assert_still_free(&app, email).await;
}

async fn common_passwords_are_refused_with_the_reason(app: TestApp) {
    let response = app.register("common@example.com", "password123").await;
    assert_invalid("password123", response, "common").await;
}

async fn bad_bodies_are_400_and_write_nothing(app: TestApp) {
    let bodies = [
        json!({ "email": "bodies@example.com" }),
        json!({ "password": "a sufficiently long passphrase" }),
        json!({ "email": 42, "password": "a sufficiently long passphrase" }),
        json!({ "email": "bodies@example.com", "password": ["a", "list"] }),
        json!(["not", "an", "object"]),
        json!(null),
    ];
    for body in bodies {
        let case = body.to_string();
        let response = app.post_json("/api/auth/register", &body).await;
        let error =
            assert_case_error(&case, response, StatusCode::BAD_REQUEST, "validation_error").await;
        assert!(
            !message_of(&error).contains("line "),
            "{case}: no parser position in {error}"
        );
    }
    let response = app
        .post_json(
            "/api/auth/register",
            &json!({ "email": 42, "password": "x" }),
        )
        .await;
    let error = assert_invalid("a number as the email", response, "email").await;
    assert!(
        message_of(&error).starts_with("email"),
        "names the field first: {error}"
    );
    assert_still_free(&app, "bodies@example.com").await;
}

async fn concurrent_registrations_of_one_email_yield_one_account(app: TestApp) {
    let attempts = (0..20).map(|i| {
        let email = if i % 2 == 0 {
            "race@example.com"
        } else {
            "RACE@example.com"
        };
        app.register(email, "a sufficiently long passphrase")
    });
    let statuses: Vec<StatusCode> = futures::future::join_all(attempts)
        .await
        .iter()
        .map(|r| r.status())
        .collect();
    let created = statuses
        .iter()
        .filter(|s| **s == StatusCode::CREATED)
        .count();
    let conflicts = statuses
        .iter()
        .filter(|s| **s == StatusCode::CONFLICT)
        .count();
    assert_eq!((created, conflicts), (1, 19), "{statuses:?}");
}

async fn unknown_email_and_wrong_password_look_the_same(app: TestApp) {
    let user = app.new_user().await;
    let wrong = app.login(&user.email, "not the right password").await;
    let wrong_status = wrong.status();
    let wrong_body: Value = wrong.json().await.expect("json");
    let unknown = app
        .login("nobody-here@example.com", "not the right password")
        .await;
    let unknown_status = unknown.status();
    let unknown_body: Value = unknown.json().await.expect("json");
    assert_eq!(wrong_status, StatusCode::UNAUTHORIZED);
    assert_eq!(unknown_status, wrong_status);
    assert_eq!(unknown_body, wrong_body);
    assert_eq!(wrong_body["error"], "invalid_credentials");
}

async fn legacy_bcrypt_users_log_in_and_are_upgraded(app: TestApp) {
    let storage = app.storage().await;
    let email = Email::parse("legacy@example.com").expect("valid");
    for (prefix, password) in [
        ("$2a$", "legacy-password-1"),
        ("$2b$", "legacy-password-2"),
        ("$2y$", "legacy-password-3"),
    ] {
        let hash = bcrypt::hash(password, 10).expect("bcrypt");
        let hash = format!("{prefix}{}", &hash[4..]);
        let email = Email::parse(&format!("{}{}", prefix.trim_matches('$'), email.as_str()))
            .expect("valid");
        storage
            .users
            .create(NewUser {
                id: UserId::new(),
                email: email.clone(),
                password_hash: PasswordHash::new(hash),
                created_at: Utc::now(),
            })
            .await
            .expect("legacy user stored");
        let response = app.login(email.as_str(), password).await;
        assert_eq!(response.status(), StatusCode::OK, "{prefix} hash verifies");
        let stored = storage
            .users
            .find_by_email(&email)
            .await
            .expect("read")
            .expect("exists");
        assert!(
            stored.password_hash.as_str().starts_with("$argon2id$"),
            "{prefix} hash upgraded"
        );
        assert_eq!(
            app.login(email.as_str(), password).await.status(),
            StatusCode::OK,
            "still logs in after upgrade"
        );
        assert_eq!(
            app.login(email.as_str(), "wrong-password").await.status(),
            StatusCode::UNAUTHORIZED
        );
    }
}

fn sign(claims: &Value, algorithm: Algorithm) -> String {
    jsonwebtoken::encode(
        &Header::new(algorithm),
        claims,
        &EncodingKey::from_secret(JWT_SECRET.as_bytes()),
    )
    .expect("signed")
}

/// Claims as the Go backend wrote them: no `jti`.
fn go_claims(user_id: &str, email: &str, issued: i64, expires: i64) -> Value {
    json!({ "user_id": user_id, "email": email, "exp": expires, "iat": issued, "nbf": issued })
}

async fn go_backend_tokens_are_accepted_and_can_be_logged_out(app: TestApp) {
    let user = app.new_user().await;
    let now = Utc::now().timestamp();
    let token = sign(
        &go_claims(&user.id, &user.email, now, now + 3600),
        Algorithm::HS256,
    );
    assert_eq!(
        app.get_authed("/api/calls/history", &token).await.status(),
        StatusCode::OK
    );
    let logout = app.logout(&token).await;
    assert_eq!(logout.status(), StatusCode::NO_CONTENT);
    assert_eq!(logout.bytes().await.expect("body").len(), 0);
    let response = app.get_authed("/api/calls/history", &token).await;
    assert_error(response, StatusCode::UNAUTHORIZED, "unauthorized").await;
    // The user's other tokens are unaffected.
    assert_eq!(
        app.get_authed("/api/calls/history", &user.token)
            .await
            .status(),
        StatusCode::OK
    );
}

async fn forged_expired_and_early_tokens_are_401(app: TestApp) {
    let user = app.new_user().await;
    let now = Utc::now().timestamp();
    let mut tampered = user.token.clone();
    let last = tampered.pop().expect("non-empty");
    tampered.push(if last == 'A' { 'B' } else { 'A' });
    let header_none = base64_url(br#"{"alg":"none","typ":"JWT"}"#);
    let payload = base64_url(
        go_claims(&user.id, &user.email, now, now + 3600)
            .to_string()
            .as_bytes(),
    );
    let alg_none = format!("{header_none}.{payload}.");
    let hs512 = sign(
        &go_claims(&user.id, &user.email, now, now + 3600),
        Algorithm::HS512,
    );
    let expired = sign(
        &go_claims(&user.id, &user.email, now - 7200, now - 3600),
        Algorithm::HS256,
    );
    let mut early_claims = go_claims(&user.id, &user.email, now, now + 7200);
    early_claims["nbf"] = json!(now + 3600);
    let early = sign(&early_claims, Algorithm::HS256);
    let no_user = sign(
        &json!({ "email": user.email, "exp": now + 3600, "iat": now, "nbf": now }),
        Algorithm::HS256,
    );
    for (what, token) in [
        ("tampered", tampered.as_str()),
        ("alg none", alg_none.as_str()),
        ("HS512", hs512.as_str()),
        ("expired", expired.as_str()),
        ("not yet valid", early.as_str()),
        ("no user_id", no_user.as_str()),
        ("garbage", "not.a.token"),
    ] {
        let response = app.get_authed("/api/calls/history", token).await;
        assert_case_error(what, response, StatusCode::UNAUTHORIZED, "unauthorized").await;
    }
    let history = || app.request(Method::GET, "/api/calls/history");
    for (what, request) in [
        ("no credentials", history()),
        ("basic credentials", history().basic_auth("a", Some("b"))),
    ] {
        let response = app.send(request).await;
        assert_case_error(what, response, StatusCode::UNAUTHORIZED, "unauthorized").await;
    }
}

fn base64_url(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

async fn logout_revokes_the_token_on_every_instance(app: TestApp) {
    let other = app.another_instance().await;
    let user = app.new_user().await;
    assert_eq!(
        other
            .get_authed("/api/calls/history", &user.token)
            .await
            .status(),
        StatusCode::OK
    );
    let logout = app.logout(&user.token).await;
    assert_eq!(logout.status(), StatusCode::NO_CONTENT);
    let response = other.get_authed("/api/calls/history", &user.token).await;
    assert_error(response, StatusCode::UNAUTHORIZED, "unauthorized").await;
    let again = other.logout(&user.token).await;
    assert_error(again, StatusCode::UNAUTHORIZED, "unauthorized").await;
}

async fn repeated_failures_are_throttled_per_account(app: TestApp) {
    let victim = app.new_user().await;
    let bystander = app.new_user().await;
    for _ in 0..5 {
        assert_eq!(
            app.login(&victim.email, "wrong password!").await.status(),
            StatusCode::UNAUTHORIZED
        );
    }
    let response = app.login(&victim.email, &victim.password).await;
    let retry_after: u64 = response
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .expect("Retry-After seconds");
    assert!((1..=900).contains(&retry_after), "{retry_after}");
    assert_error(response, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
    assert_eq!(
        app.login(&bystander.email, &bystander.password)
            .await
            .status(),
        StatusCode::OK
    );
}
