//! Native HTTPS (`server.tls.*`): the port speaks TLS 1.2 and 1.3 with a certificate chain, only
//! TLS, HTTP/1.1; answers carry `Strict-Transport-Security`; requests actix-http refuses before
//! the application still get the JSON error body over TLS.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::time::Duration;

use calls_server::settings::Settings;
use reqwest::StatusCode;
use reqwest::tls::Version;
use rustls::pki_types::pem::PemObject;

use crate::helpers::{Backend, TestApp};
use crate::tls_certs::TestCertificates;

/// An app serving HTTPS with freshly generated certificates (kept alive by the returned dir).
async fn https_app() -> (TestApp, TestCertificates, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    let certs = TestCertificates::generate(dir.path());
    let (cert, key) = (certs.chain_file.clone(), certs.key_file.clone());
    let app = TestApp::spawn_with(Backend::Sqlite, move |settings: &mut Settings| {
        settings.server.tls.cert_file = cert.display().to_string();
        settings.server.tls.key_file = key.display().to_string();
    })
    .await
    .expect("SQLite app");
    (app, certs, dir)
}

fn port_of(app: &TestApp) -> u16 {
    app.base
        .rsplit(':')
        .next()
        .and_then(|port| port.parse().ok())
        .expect("port in base URL")
}

/// A client that trusts only the test CA, limited to `min..=max`.
fn client(certs: &TestCertificates, min: Version, max: Version) -> reqwest::Client {
    let ca = reqwest::Certificate::from_pem(certs.ca_pem.as_bytes()).expect("CA");
    reqwest::Client::builder()
        .tls_certs_only([ca])
        .tls_version_min(min)
        .tls_version_max(max)
        .http1_only()
        .build()
        .expect("client")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_1_2_and_1_3_are_served_with_hsts() {
    let (app, certs, _dir) = https_app().await;
    let url = format!("https://localhost:{}/system/health", port_of(&app));
    for (min, max) in [
        (Version::TLS_1_2, Version::TLS_1_2),
        (Version::TLS_1_3, Version::TLS_1_3),
    ] {
        let response = client(&certs, min, max)
            .get(&url)
            .send()
            .await
            .unwrap_or_else(|err| panic!("{min:?}..={max:?}: {err:?}"));
        assert_eq!(response.status(), StatusCode::OK, "{min:?}");
        assert_eq!(response.version(), reqwest::Version::HTTP_11);
        assert_eq!(
            response
                .headers()
                .get("strict-transport-security")
                .and_then(|v| v.to_str().ok()),
            Some("max-age=31536000"),
            "{min:?}"
        );
        assert_eq!(response.text().await.expect("body"), r#"{"status":"ok"}"#);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_tls_port_serves_no_plain_http_and_no_untrusted_client() {
    let (app, _certs, _dir) = https_app().await;
    let port = port_of(&app);
    let plain = reqwest::Client::new()
        .get(format!("http://127.0.0.1:{port}/system/health"))
        .timeout(Duration::from_secs(10))
        .send()
        .await;
    assert!(plain.is_err(), "plain HTTP on the TLS port: {plain:?}");
    // A client that does not trust the test CA refuses the certificate.
    let untrusting = reqwest::Client::builder()
        .tls_certs_only([])
        .build()
        .expect("client")
        .get(format!("https://localhost:{port}/system/health"))
        .send()
        .await;
    assert!(untrusting.is_err(), "{untrusting:?}");
    // The app still answers properly afterwards.
    let again = reqwest::Client::builder()
        .tls_certs_only([reqwest::Certificate::from_pem(_certs.ca_pem.as_bytes()).expect("CA")])
        .build()
        .expect("client")
        .get(format!("https://localhost:{port}/system/health"))
        .send()
        .await
        .expect("served");
    assert_eq!(again.status(), StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_garbage_request_over_tls_gets_the_json_400() {
    let (app, certs, _dir) = https_app().await;
    let port = port_of(&app);
    let ca_pem = certs.ca_pem.clone();
    let answer = tokio::task::spawn_blocking(move || {
        let mut roots = rustls::RootCertStore::empty();
        let ca =
            rustls::pki_types::CertificateDer::from_pem_slice(ca_pem.as_bytes()).expect("CA DER");
        roots.add(ca).expect("root added");
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let config = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("versions")
            .with_root_certificates(roots)
            .with_no_client_auth();
        let name = "localhost".try_into().expect("server name");
        let connection = rustls::ClientConnection::new(Arc::new(config), name).expect("connection");
        let socket = TcpStream::connect(("127.0.0.1", port)).expect("connect");
        socket
            .set_read_timeout(Some(Duration::from_secs(10)))
            .expect("timeout");
        let mut stream = rustls::StreamOwned::new(connection, socket);
        stream
            .write_all(b"GARBAGE / NOT-HTTP\r\n\r\n")
            .expect("written");
        let mut answer = Vec::new();
        // The server closes after the parse error (a missing close_notify is fine here).
        let _ = stream.read_to_end(&mut answer);
        String::from_utf8_lossy(&answer).into_owned()
    })
    .await
    .expect("TLS client");
    assert!(answer.starts_with("HTTP/1.1 400 "), "{answer}");
    let (_, body) = answer.split_once("\r\n\r\n").expect("head and body");
    let body: serde_json::Value = serde_json::from_str(body).expect("JSON body");
    assert_eq!(body["error"], "validation_error", "{body}");
}
