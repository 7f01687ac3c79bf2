//! Requests no HTTP client library would send (a 100 KB request target, a 200 KiB header, a
//! garbage request line), over a plain socket. actix-http refuses them before the application
//! runs; they must still get the contract's JSON error body.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use serde_json::Value;

use crate::helpers::TestApp;
use crate::on_all_backends;

on_all_backends!(
    a_100_kb_request_target_is_a_json_400,
    a_huge_request_head_is_a_json_431,
    garbage_requests_are_json_400,
    the_connection_still_serves_after_an_application_400,
);

/// An answer read off the socket.
pub struct RawAnswer {
    pub status: u16,
    pub head: String,
    pub body: String,
}

impl RawAnswer {
    /// The JSON error body, checked for the contract's shape.
    pub fn error(&self, what: &str) -> Value {
        let body: Value = serde_json::from_str(&self.body)
            .unwrap_or_else(|_| panic!("{what}: JSON error body, got {:?}", self.body));
        assert!(body["error"].is_string(), "{what}: {body}");
        assert!(
            body["message"].as_str().is_some_and(|m| !m.is_empty()),
            "{what}: {body}"
        );
        body
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().skip(1).find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.trim()
                .eq_ignore_ascii_case(name)
                .then_some(value.trim())
        })
    }
}

/// Sends `request` as it is and reads the answer until the server closes the connection.
pub async fn raw_request(app: &TestApp, request: Vec<u8>) -> RawAnswer {
    let address = app.base.trim_start_matches("http://").to_owned();
    tokio::task::spawn_blocking(move || {
        let mut stream = TcpStream::connect(&address).expect("connect");
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .expect("timeout");
        // The server may answer and close before it has read everything (a head over its
        // limit): a failed write is fine, the answer is what counts.
        let _ = stream.write_all(&request);
        let mut response = Vec::new();
        let _ = stream.read_to_end(&mut response);
        let response = String::from_utf8(response).expect("UTF-8 response");
        let (head, body) = response
            .split_once("\r\n\r\n")
            .unwrap_or_else(|| panic!("head and body, got {response:?}"));
        let status = head
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .expect("status code");
        RawAnswer {
            status,
            head: head.to_owned(),
            body: body.to_owned(),
        }
    })
    .await
    .expect("raw request")
}

/// `GET target` with a bearer token, `Connection: close`.
pub async fn raw_get(app: &TestApp, target: &str, token: &str) -> RawAnswer {
    let host = app.base.trim_start_matches("http://");
    let request = format!(
        "GET {target} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\nConnection: close\r\n\r\n"
    );
    raw_request(app, request.into_bytes()).await
}

async fn a_100_kb_request_target_is_a_json_400(app: TestApp) {
    let user = app.new_user().await;
    for name in ["tz", "cursor", "date_from", "status", "page"] {
        let target = format!("/api/calls/history?{name}={}", "A".repeat(100 * 1024));
        let answer = raw_get(&app, &target, &user.token).await;
        assert_eq!(answer.status, 400, "100 KB {name}");
        let body = answer.error(&format!("100 KB {name}"));
        assert_eq!(body["error"], "validation_error");
        assert_eq!(answer.header("content-type"), Some("application/json"));
        assert_eq!(answer.header("x-content-type-options"), Some("nosniff"));
        assert_eq!(
            answer.header("content-length"),
            Some(answer.body.len().to_string().as_str())
        );
    }
}

async fn a_huge_request_head_is_a_json_431(app: TestApp) {
    let host = app.base.trim_start_matches("http://").to_owned();
    let request = format!(
        "GET /system/health HTTP/1.1\r\nHost: {host}\r\nX-Filler: {}\r\nConnection: close\r\n\r\n",
        "a".repeat(200 * 1024)
    );
    let answer = raw_request(&app, request.into_bytes()).await;
    assert_eq!(answer.status, 431);
    let body = answer.error("200 KiB header");
    assert_eq!(body["error"], "request_header_fields_too_large");
}

async fn garbage_requests_are_json_400(app: TestApp) {
    let host = app.base.trim_start_matches("http://").to_owned();
    for request in [
        "NOT A REQUEST\r\n\r\n".to_owned(),
        format!("GET /system/health HTTP/1.1\r\nHost: {host}\r\nBad Header\r\n\r\n"),
        format!("GET /system/health HTTP/1.1\r\nHost: {host}\r\nX-Nul: a\0b\r\n\r\n"),
        format!("GET /sys tem/health HTTP/1.1\r\nHost: {host}\r\n\r\n"),
    ] {
        let answer = raw_request(&app, request.clone().into_bytes()).await;
        assert_eq!(answer.status, 400, "{request:?}");
        assert_eq!(
            answer.error(&format!("{request:?}"))["error"],
            "validation_error"
        );
    }
}

/// The wrapper only replaces actix-http's bare answers: an application 400 keeps its own body,
/// and the keep-alive connection goes on serving.
async fn the_connection_still_serves_after_an_application_400(app: TestApp) {
    let host = app.base.trim_start_matches("http://").to_owned();
    let body = "{not json";
    let request = format!(
        "POST /api/auth/login HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\n\r\n{body}GET /system/health HTTP/1.1\r\nHost: {host}\r\n\
         Connection: close\r\n\r\n",
        body.len()
    );
    let answer = raw_request(&app, request.into_bytes()).await;
    assert_eq!(answer.status, 400);
    let (first_body, rest) = answer
        .body
        .split_once("HTTP/1.1 200 OK")
        .unwrap_or_else(|| panic!("a second answer, got {:?}", answer.body));
    let first: Value = serde_json::from_str(first_body).expect("the application's JSON body");
    assert_eq!(first["error"], "validation_error");
    assert!(rest.ends_with(r#"{"status":"ok"}"#), "{rest}");
}
