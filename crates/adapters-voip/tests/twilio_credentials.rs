//! Which credentials REST requests carry: the API key whenever one is configured, as Twilio
//! recommends, else the account SID and auth token; and the log line when Twilio refuses them
//! names the settings actually used.

mod support;

use std::io::Write;
use std::sync::{Arc, Mutex};

use calls_adapters_voip::TwilioVoiceProvider;
use calls_adapters_voip::twilio::TwilioConfig;
use calls_core::ports::{StartCallError, VoiceProvider};
use secrecy::SecretString;
use support::*;
use wiremock::matchers::{basic_auth, method, path};
use wiremock::{Mock, MockServer};

fn with_api_key(config: TwilioConfig) -> TwilioConfig {
    TwilioConfig {
        api_key_sid: Some(API_KEY_SID.to_owned()),
        api_key_secret: Some(SecretString::from(API_KEY_SECRET)),
        ..config
    }
}

#[tokio::test]
async fn rest_requests_use_the_api_key_when_one_is_configured() {
    let server = MockServer::start().await;
    let sid = "CAaaaabbbbccccddddeeeeffff00001111";
    Mock::given(method("POST"))
        .and(path(CALLS_PATH))
        .and(basic_auth(API_KEY_SID, API_KEY_SECRET))
        .respond_with(created_call(sid))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(call_path(sid)))
        .and(basic_auth(API_KEY_SID, API_KEY_SECRET))
        .respond_with(created_call(sid))
        .expect(1)
        .mount(&server)
        .await;
    let config = with_api_key(rest_config(&server.uri()));
    let provider = TwilioVoiceProvider::new(&config, fixed_clock()).expect("valid");

    let session = provider
        .start_call(outbound_call())
        .await
        .expect("placed with the API key");
    assert_eq!(session.session_id.as_deref(), Some(sid));
    provider.hang_up(sid).await.expect("ended with the API key");
    server.verify().await;
}

/// Everything logged while `run` runs on this thread.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .expect("not poisoned")
            .extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().expect("not poisoned")).into_owned()
    }
}

async fn log_of_refused_credentials(config: TwilioConfig, server: &MockServer) -> String {
    Mock::given(method("POST"))
        .and(path(CALLS_PATH))
        .respond_with(twilio_error(401, 20003))
        .mount(server)
        .await;
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    // The test runtime runs on this one thread, so the subscriber sees the provider's events.
    let _guard = tracing::subscriber::set_default(subscriber);
    let provider = TwilioVoiceProvider::new(&config, fixed_clock()).expect("valid");
    let error = provider
        .start_call(outbound_call())
        .await
        .expect_err("refused");
    assert!(matches!(error, StartCallError::Unavailable(_)), "{error:?}");
    captured.text()
}

#[tokio::test]
async fn the_401_log_line_names_the_credentials_actually_used() {
    let server = MockServer::start().await;
    let log = log_of_refused_credentials(with_api_key(rest_config(&server.uri())), &server).await;
    assert!(
        log.contains("check VOIP_API_KEY_SID and VOIP_API_KEY_SECRET"),
        "{log}"
    );
    assert!(!log.contains("VOIP_AUTH_TOKEN"), "{log}");

    let server = MockServer::start().await;
    let log = log_of_refused_credentials(rest_config(&server.uri()), &server).await;
    assert!(
        log.contains("check VOIP_ACCOUNT_SID and VOIP_AUTH_TOKEN"),
        "{log}"
    );
    assert!(!log.contains("VOIP_API_KEY"), "{log}");
    assert!(
        !log.contains(AUTH_TOKEN) && !log.contains(API_KEY_SECRET),
        "{log}"
    );
}
