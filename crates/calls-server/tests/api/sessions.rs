//! Ending sessions: `POST /api/auth/logout-all` and `POST /api/auth/password`, on two instances
//! sharing one database (on SQLite too: both open the same file).
//!
//! Each refusal is checked on the two paths a token is checked on: the history read (the
//! check inside its one statement) and a `LiveSession` route (logout).

use chrono::Utc;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::assertions::{assert_case_error, assert_error, assert_invalid, message_of};
use crate::fixtures::TestUser;
use crate::helpers::{JWT_SECRET, TestApp};
use crate::on_all_backends;

on_all_backends!(
    logout_all_ends_every_session_on_every_instance,
    signing_in_right_after_logout_all_works,
    change_password_answers_a_fresh_token_and_ends_the_others,
    change_password_refusals_change_nothing,
    wrong_current_passwords_count_against_the_login_limits,
);

const NEW_PASSWORD: &str = "violet harbour ninety-three slowly";

/// A token as the Go backend signed them (no `jti`), issued now.
fn go_token(user: &TestUser) -> String {
    let now = Utc::now().timestamp();
    let claims = json!({
        "user_id": user.id, "email": user.email, "exp": now + 3600, "iat": now, "nbf": now,
    });
    jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &claims,
        &EncodingKey::from_secret(JWT_SECRET.as_bytes()),
    )
    .expect("signed")
}

async fn logout_all(app: &TestApp, token: &str) -> reqwest::Response {
    let request = app
        .request(Method::POST, "/api/auth/logout-all")
        .bearer_auth(token);
    app.send(request).await
}

async fn change_password(
    app: &TestApp,
    token: &str,
    current: &str,
    new: &str,
) -> reqwest::Response {
    app.post_json_authed(
        "/api/auth/password",
        token,
        &json!({ "current_password": current, "new_password": new }),
    )
    .await
}

/// The token opens a session on `app`: both token checks agree.
async fn live(app: &TestApp, token: &str) -> bool {
    let history = app.get_authed("/api/calls/history", token).await.status();
    let calls = app
        .get_authed("/api/calls/history?status=completed", token)
        .await
        .status();
    assert_eq!(history, calls, "filtered and unfiltered reads agree");
    match history {
        StatusCode::OK => true,
        StatusCode::UNAUTHORIZED => false,
        other => panic!("history answered {other}"),
    }
}

async fn assert_refused(app: &TestApp, token: &str, case: &str) {
    let history = app.get_authed("/api/calls/history", token).await;
    assert_case_error(case, history, StatusCode::UNAUTHORIZED, "unauthorized").await;
    // A `LiveSession` route (it would record a call if the token were live).
    let voice = app
        .post_json_authed("/api/calls", token, &json!({"phone_number": "+4930901820"}))
        .await;
    assert_case_error(case, voice, StatusCode::UNAUTHORIZED, "unauthorized").await;
}

async fn logout_all_ends_every_session_on_every_instance(app: TestApp) {
    let other = app.another_instance().await;
    let user = app.new_user().await;
    let bystander = app.new_user().await;
    let login = app.login(&user.email, &user.password).await;
    let second: Value = login.json().await.expect("json");
    let second = second["token"].as_str().expect("token").to_owned();
    // Issued in this very second, before the logout: refused too.
    let legacy = go_token(&user);
    for token in [&user.token, &second, &legacy] {
        assert!(live(&other, token).await, "live before the logout");
    }

    let response = logout_all(&app, &user.token).await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert!(
        response.bytes().await.expect("body").is_empty(),
        "empty body"
    );

    for (case, token) in [
        ("the token used", &user.token),
        ("another token", &second),
        ("a Go token", &legacy),
    ] {
        assert_refused(&other, token, case).await;
        assert_refused(&app, token, case).await;
    }
    assert_error(
        logout_all(&other, &user.token).await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    )
    .await;
    assert!(
        live(&other, &bystander.token).await,
        "other users are untouched"
    );
    assert_error(
        logout_all(&app, "not-a-token").await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    )
    .await;
}

async fn signing_in_right_after_logout_all_works(app: TestApp) {
    let other = app.another_instance().await;
    let user = app.new_user().await;
    assert_eq!(
        logout_all(&app, &user.token).await.status(),
        StatusCode::NO_CONTENT
    );
    // Most likely within the same second as the logout: the new token must be live anyway.
    let login = other.login(&user.email, &user.password).await;
    assert_eq!(login.status(), StatusCode::OK);
    let body: Value = login.json().await.expect("json");
    let fresh = body["token"].as_str().expect("token");
    assert!(
        live(&app, fresh).await,
        "the new session is live on the first instance"
    );
    assert!(live(&other, fresh).await, "and on the second");
    assert!(!live(&other, &user.token).await, "the old one stays dead");
    // And ending everything again ends the new one too.
    assert_eq!(
        logout_all(&other, fresh).await.status(),
        StatusCode::NO_CONTENT
    );
    assert!(!live(&app, fresh).await);
}

async fn change_password_answers_a_fresh_token_and_ends_the_others(app: TestApp) {
    let other = app.another_instance().await;
    let user = app.new_user().await;
    let legacy = go_token(&user);
    let response = change_password(&app, &user.token, &user.password, NEW_PASSWORD).await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.expect("json");
    let keys: Vec<&str> = body
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys, ["token", "user"], "the login body");
    assert_eq!(body["user"]["id"], user.id.as_str());
    assert_eq!(body["user"]["email"], user.email.as_str());
    let fresh = body["token"].as_str().expect("token").to_owned();

    assert!(
        live(&other, &fresh).await,
        "the fresh token works on every instance"
    );
    assert!(live(&app, &fresh).await);
    assert_refused(&other, &user.token, "the token that changed it").await;
    assert_refused(&other, &legacy, "a Go token").await;

    let old = other.login(&user.email, &user.password).await;
    assert_error(old, StatusCode::UNAUTHORIZED, "invalid_credentials").await;
    let new = other.login(&user.email, NEW_PASSWORD).await;
    assert_eq!(new.status(), StatusCode::OK, "the new password signs in");
}

async fn change_password_refusals_change_nothing(app: TestApp) {
    let user = app.new_user().await;
    let wrong = change_password(&app, &user.token, "not the password", NEW_PASSWORD).await;
    let body = assert_error(wrong, StatusCode::UNAUTHORIZED, "invalid_credentials").await;
    assert_eq!(message_of(&body), "the current password is wrong");

    let cases = [
        (
            "short new",
            json!({"current_password": user.password, "new_password": "short"}),
            "new_password",
        ),
        (
            "common new",
            json!({"current_password": user.password, "new_password": "password123"}),
            "new_password",
        ),
        (
            "long new",
            json!({"current_password": user.password, "new_password": "x".repeat(129)}),
            "new_password",
        ),
        (
            "missing new",
            json!({"current_password": user.password}),
            "new_password",
        ),
        (
            "missing current",
            json!({"new_password": NEW_PASSWORD}),
            "current_password",
        ),
        (
            "long current",
            json!({"current_password": "x".repeat(129), "new_password": NEW_PASSWORD}),
            "current_password",
        ),
        (
            "mistyped",
            json!({"current_password": 42, "new_password": NEW_PASSWORD}),
            "current_password",
        ),
    ];
    for (case, body, names) in cases {
        let response = app
            .post_json_authed("/api/auth/password", &user.token, &body)
            .await;
        assert_invalid(case, response, names).await;
    }
    let no_token = app
        .post_json(
            "/api/auth/password",
            &json!({"current_password": user.password, "new_password": NEW_PASSWORD}),
        )
        .await;
    assert_error(no_token, StatusCode::UNAUTHORIZED, "unauthorized").await;

    assert!(
        live(&app, &user.token).await,
        "the session survived every refusal"
    );
    assert_eq!(
        app.login(&user.email, &user.password).await.status(),
        StatusCode::OK,
        "the password is unchanged"
    );
    assert_eq!(
        app.login(&user.email, NEW_PASSWORD).await.status(),
        StatusCode::UNAUTHORIZED
    );
}

async fn wrong_current_passwords_count_against_the_login_limits(app: TestApp) {
    let user = app.new_user().await;
    for attempt in 0..5 {
        let response = change_password(&app, &user.token, "not the password", NEW_PASSWORD).await;
        assert_case_error(
            &format!("attempt {attempt}"),
            response,
            StatusCode::UNAUTHORIZED,
            "invalid_credentials",
        )
        .await;
    }
    let right = change_password(&app, &user.token, &user.password, NEW_PASSWORD).await;
    assert!(right.headers().contains_key("retry-after"), "Retry-After");
    assert_error(right, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
    let login = app.login(&user.email, &user.password).await;
    assert_error(login, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
    assert!(
        live(&app, &user.token).await,
        "throttled, but the session is still live"
    );
}
