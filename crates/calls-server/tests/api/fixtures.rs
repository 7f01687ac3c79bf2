//! What a test sets up through the API before the exchange it is about: a signed-in user, a
//! call, a call moved to a given status. Set up through the API (not the storage ports) so
//! that the set-up itself is checked against the contract like every other request.

use reqwest::{Response, StatusCode};
use serde_json::{Value, json};

use crate::helpers::TestApp;

/// A Berlin landline: valid, region DE, not in any blocked range.
pub const NUMBER: &str = "+4930901820";

/// Every call status the contract names, in its order (written out here, not taken from the
/// domain code, so that the tests notice when the two differ).
pub const STATUSES: [&str; 6] = [
    "initiated",
    "connecting",
    "active",
    "completed",
    "failed",
    "canceled",
];

/// A registered user and the token its registration answered.
#[derive(Debug, Clone)]
pub struct TestUser {
    pub id: String,
    pub email: String,
    pub password: String,
    pub token: String,
}

impl TestApp {
    /// Registers a new random user and returns it signed in.
    pub async fn new_user(&self) -> TestUser {
        let email = format!("user-{}@example.com", uuid::Uuid::new_v4().simple());
        let password = "a sufficiently long passphrase".to_owned();
        let response = self.register(&email, &password).await;
        assert_eq!(response.status(), StatusCode::CREATED, "register {email}");
        let body: Value = response.json().await.expect("json");
        TestUser {
            id: body["user"]["id"].as_str().expect("id").to_owned(),
            token: body["token"].as_str().expect("token").to_owned(),
            email,
            password,
        }
    }
}

/// Creates a call through the API and returns its id.
pub async fn create_call(app: &TestApp, token: &str, number: &str) -> String {
    let response = app
        .post_json_authed("/api/calls", token, &json!({ "phone_number": number }))
        .await;
    assert_eq!(response.status(), StatusCode::CREATED, "create {number}");
    let body: Value = response.json().await.expect("json");
    body["id"].as_str().expect("id").to_owned()
}

/// `PUT /api/calls/{id}` with any body, valid or not.
pub async fn put_call(app: &TestApp, token: &str, id: &str, body: &Value) -> Response {
    app.put_json_authed(&format!("/api/calls/{id}"), token, body)
        .await
}

/// `PUT /api/calls/{id}` with the contract's update body.
pub async fn update_call(
    app: &TestApp,
    token: &str,
    id: &str,
    duration: u32,
    status: &str,
) -> Response {
    put_call(
        app,
        token,
        id,
        &json!({ "duration": duration, "status": status }),
    )
    .await
}

/// A new call of `token`'s user, moved to `status` with `duration` (the update must succeed);
/// returns its id.
pub async fn call_in(app: &TestApp, token: &str, status: &str, duration: u32) -> String {
    let id = create_call(app, token, NUMBER).await;
    set_status(app, token, &id, status, duration).await;
    id
}

/// Moves the call `id` to `status` with `duration`; the update must succeed.
pub async fn set_status(app: &TestApp, token: &str, id: &str, status: &str, duration: u32) {
    let response = update_call(app, token, id, duration, status).await;
    assert_eq!(
        response.status(),
        StatusCode::OK,
        "setup: {id} to {status} with {duration}"
    );
}
