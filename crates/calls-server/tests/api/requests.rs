//! What a test sends: one `TestApp` method a kind of request, so that a test reads as the
//! exchange it checks instead of as the builder calls that make it.
//!
//! Every helper sends through the app's own listener, so the OpenAPI check of every response
//! (the observer `TestApp` installs, checked when the app drops) covers these requests as it
//! covers any other; a request a helper cannot express is built with [`TestApp::request`] and
//! sent with [`TestApp::send`], and is checked the same way.

use reqwest::header::CONTENT_TYPE;
use reqwest::{Method, RequestBuilder, Response};
use serde_json::{Value, json};

use crate::helpers::TestApp;

impl TestApp {
    /// A request to `path` on the API port, for a test to add headers or a body to.
    pub fn request(&self, method: Method, path: &str) -> RequestBuilder {
        self.client.request(method, self.url(path))
    }

    /// A request to `path` on the metrics listener; panics when the app has none.
    pub fn metrics_request(&self, method: Method, path: &str) -> RequestBuilder {
        let base = self
            .metrics_base
            .as_deref()
            .expect("this app was started without metrics.addr");
        self.client.request(method, format!("{base}{path}"))
    }

    /// Sends `request`; the app always answers, so a transport failure fails the test.
    pub async fn send(&self, request: RequestBuilder) -> Response {
        request.send().await.expect("request sent")
    }

    /// `method path` with no body and no token.
    pub async fn call(&self, method: Method, path: &str) -> Response {
        self.send(self.request(method, path)).await
    }

    pub async fn get(&self, path: &str) -> Response {
        self.call(Method::GET, path).await
    }

    pub async fn get_authed(&self, path: &str, token: &str) -> Response {
        let request = authorised(self.request(Method::GET, path), Some(token));
        self.send(request).await
    }

    /// `method path` with `headers`, no body: for the headers a test is about (`Origin`,
    /// `X-Request-Id`).
    pub async fn call_with_headers(
        &self,
        method: Method,
        path: &str,
        headers: &[(&str, &str)],
    ) -> Response {
        let request = headers
            .iter()
            .fold(self.request(method, path), |request, (name, value)| {
                request.header(*name, *value)
            });
        self.send(request).await
    }

    pub async fn post_json(&self, path: &str, body: &Value) -> Response {
        self.send_json(Method::POST, path, None, body).await
    }

    pub async fn post_json_authed(&self, path: &str, token: &str, body: &Value) -> Response {
        self.send_json(Method::POST, path, Some(token), body).await
    }

    pub async fn put_json(&self, path: &str, body: &Value) -> Response {
        self.send_json(Method::PUT, path, None, body).await
    }

    pub async fn put_json_authed(&self, path: &str, token: &str, body: &Value) -> Response {
        self.send_json(Method::PUT, path, Some(token), body).await
    }

    pub async fn delete_json_authed(&self, path: &str, token: &str, body: &Value) -> Response {
        self.send_json(Method::DELETE, path, Some(token), body)
            .await
    }

    /// `method path` with a JSON body, with a bearer token when one is given.
    async fn send_json(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: &Value,
    ) -> Response {
        let request = self.request(method, path).json(body);
        self.send(authorised(request, token)).await
    }

    /// `POST path` with `body` sent as it is under `content_type` (no `Content-Type` header
    /// when `None`): the bodies a JSON client would never send (malformed, mislabelled,
    /// oversized).
    pub async fn post_raw(
        &self,
        path: &str,
        token: Option<&str>,
        content_type: Option<&str>,
        body: impl Into<reqwest::Body>,
    ) -> Response {
        let mut request = authorised(self.request(Method::POST, path).body(body), token);
        if let Some(content_type) = content_type {
            request = request.header(CONTENT_TYPE, content_type);
        }
        self.send(request).await
    }

    /// `POST path` form-encoded, as a provider's webhook arrives, with `X-Twilio-Signature`
    /// when `signature` is given.
    pub async fn post_form(
        &self,
        path: &str,
        signature: Option<&str>,
        params: &[(&str, &str)],
    ) -> Response {
        let mut request = self.request(Method::POST, path).form(params);
        if let Some(signature) = signature {
            request = request.header("X-Twilio-Signature", signature);
        }
        self.send(request).await
    }

    pub async fn register(&self, email: &str, password: &str) -> Response {
        self.post_json(
            "/api/auth/register",
            &json!({ "email": email, "password": password }),
        )
        .await
    }

    pub async fn login(&self, email: &str, password: &str) -> Response {
        self.post_json(
            "/api/auth/login",
            &json!({ "email": email, "password": password }),
        )
        .await
    }

    /// `POST /api/auth/logout` with `token`.
    pub async fn logout(&self, token: &str) -> Response {
        let request = authorised(self.request(Method::POST, "/api/auth/logout"), Some(token));
        self.send(request).await
    }
}

/// `request` with `Authorization: Bearer <token>` when there is a token.
fn authorised(request: RequestBuilder, token: Option<&str>) -> RequestBuilder {
    match token {
        Some(token) => request.bearer_auth(token),
        None => request,
    }
}
