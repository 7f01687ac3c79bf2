//! Requests to one running `calls-server` process, each read whole into an [`Answer`]: the
//! process tests' counterpart of the API tests' `TestApp` helpers, so that a test says which
//! route it calls and not how the request is built.

use reqwest::{Method, RequestBuilder};
use serde_json::{Value, json};

use super::{Answer, PASSWORD, exchange};

/// A client for the server at `base` (`http://127.0.0.1:<port>`).
#[derive(Clone)]
pub struct Api {
    client: reqwest::Client,
    base: String,
}

impl Api {
    /// Requests through `client` (its timeouts and connection pool).
    pub fn new(client: reqwest::Client, base: String) -> Self {
        Self { client, base }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A request to `path`, for a test to add headers or a body to.
    pub fn request(&self, method: Method, path: &str) -> RequestBuilder {
        self.client.request(method, self.url(path))
    }

    /// Sends `request`; a transport failure (the server did not answer) fails the test, naming
    /// `what`. Tests that measure unanswered requests call [`exchange`] themselves.
    pub async fn send(&self, what: &str, request: RequestBuilder) -> Answer {
        exchange(request)
            .await
            .unwrap_or_else(|err| panic!("{what}: {err}"))
    }

    pub async fn get(&self, path: &str) -> Answer {
        self.send(path, self.request(Method::GET, path)).await
    }

    pub async fn get_authed(&self, path: &str, token: &str) -> Answer {
        let request = self.request(Method::GET, path).bearer_auth(token);
        self.send(path, request).await
    }

    pub async fn post_json(&self, path: &str, body: &Value) -> Answer {
        self.send(path, self.request(Method::POST, path).json(body))
            .await
    }

    pub async fn post_json_authed(&self, path: &str, token: &str, body: &Value) -> Answer {
        let request = self.request(Method::POST, path).bearer_auth(token);
        self.send(path, request.json(body)).await
    }

    /// `POST /api/auth/logout` with `token`.
    pub async fn logout(&self, token: &str) -> Answer {
        let request = self.request(Method::POST, "/api/auth/logout");
        self.send("logout", request.bearer_auth(token)).await
    }

    /// Registers `email` with [`PASSWORD`]; must be 201; returns the token.
    pub async fn register(&self, email: &str) -> String {
        let body = json!({ "email": email, "password": PASSWORD });
        let registered = self.post_json("/api/auth/register", &body).await;
        assert_eq!(registered.status, 201, "register: {}", registered.body);
        token_of(&registered)
    }
}

/// The `token` of a register or login answer.
pub fn token_of(answer: &Answer) -> String {
    answer.body["token"].as_str().expect("token").to_owned()
}
