//! The Twilio provider in REST mode against a local fake of Twilio's API: what Twilio would
//! receive, and how its answers are understood.

mod support;

use std::time::{Duration, Instant};

use calls_adapters_voip::twilio::{TwilioMode, TwilioVoiceProvider};
use calls_core::ports::{HangUpError, StartCallError, VoiceProvider};
use support::*;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const CALL_SID: &str = "CAaaaabbbbccccddddeeeeffff00001111";

async fn mount_create(server: &MockServer, response: ResponseTemplate) {
    Mock::given(method("POST"))
        .and(path(CALLS_PATH))
        .respond_with(response)
        .mount(server)
        .await;
}

async fn mount_hang_up(server: &MockServer, response: ResponseTemplate) {
    Mock::given(method("POST"))
        .and(path(call_path(CALL_SID)))
        .respond_with(response)
        .mount(server)
        .await;
}

async fn requests(server: &MockServer) -> Vec<wiremock::Request> {
    server.received_requests().await.expect("recording is on")
}

#[tokio::test]
async fn start_call_creates_the_call_with_every_field_twilio_needs() {
    let server = MockServer::start().await;
    mount_create(&server, created_call(CALL_SID)).await;
    let provider = rest_provider(&server);
    assert_eq!(provider.mode(), TwilioMode::Rest);

    let call = outbound_call();
    let call_id = call.call_id;
    let session = provider.start_call(call).await.expect("call placed");

    assert_eq!(session.session_id.as_deref(), Some(CALL_SID));
    assert_eq!((session.sdp_offer, session.voice_token), (None, None));
    let received = requests(&server).await;
    assert_eq!(received.len(), 1);
    let request = &received[0];
    assert_eq!(request.method.as_str(), "POST");
    assert_eq!(request.url.path(), CALLS_PATH);
    let expected_auth = format!(
        "Basic {}",
        base64_of(&format!("{ACCOUNT_SID}:{AUTH_TOKEN}"))
    );
    assert_eq!(header(request, "authorization"), expected_auth);
    assert_eq!(
        header(request, "content-type"),
        "application/x-www-form-urlencoded"
    );
    let form = form_of(request);
    let field = |name: &str| -> Vec<&str> {
        form.iter()
            .filter(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
            .collect()
    };
    assert_eq!(field("To"), [DESTINATION]);
    assert_eq!(field("From"), [FROM_NUMBER]);
    assert_eq!(
        field("Url"),
        [format!("{PUBLIC_BASE_URL}/api/voice/twiml?call_id={call_id}").as_str()],
        "our call id, should Twilio's answer never arrive"
    );
    assert_eq!(
        field("StatusCallback"),
        [format!("{PUBLIC_BASE_URL}/api/voice/status?call_id={call_id}").as_str()]
    );
    assert_eq!(field("StatusCallbackMethod"), ["POST"]);
    assert_eq!(
        field("StatusCallbackEvent"),
        ["initiated", "ringing", "answered", "completed"]
    );
    assert_eq!(field("Timeout"), ["30"]);
}

#[tokio::test]
async fn hang_up_completes_the_call() {
    let server = MockServer::start().await;
    mount_hang_up(
        &server,
        ResponseTemplate::new(200).set_body_json(serde_json::json!({"sid": CALL_SID})),
    )
    .await;
    let provider = rest_provider(&server);

    provider.hang_up(CALL_SID).await.expect("hung up");

    let received = requests(&server).await;
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].url.path(), call_path(CALL_SID));
    assert_eq!(
        header(&received[0], "authorization"),
        format!(
            "Basic {}",
            base64_of(&format!("{ACCOUNT_SID}:{AUTH_TOKEN}"))
        )
    );
    assert_eq!(
        form_of(&received[0]),
        [("Status".to_owned(), "completed".to_owned())]
    );
}

#[tokio::test]
async fn hang_up_of_a_call_twilio_does_not_know_is_unknown_session() {
    let server = MockServer::start().await;
    mount_hang_up(&server, twilio_error(404, 20404)).await;
    let provider = rest_provider(&server);

    assert_eq!(
        provider.hang_up(CALL_SID).await,
        Err(HangUpError::UnknownSession)
    );
    assert_eq!(requests(&server).await.len(), 1, "a 404 is not retried");
}

#[tokio::test]
async fn hang_up_of_a_call_that_already_ended_succeeds() {
    let server = MockServer::start().await;
    mount_hang_up(&server, twilio_error(400, 21220)).await;
    assert_eq!(rest_provider(&server).hang_up(CALL_SID).await, Ok(()));
}

#[tokio::test]
async fn malformed_session_ids_never_reach_twilio() {
    let server = MockServer::start().await;
    let provider = rest_provider(&server);
    for session_id in [
        "",
        "CA123",
        "CA../../Accounts/x",
        "MK0123456789abcdef0123456789abcdef",
    ] {
        assert_eq!(
            provider.hang_up(session_id).await,
            Err(HangUpError::UnknownSession),
            "{session_id}"
        );
    }
    assert!(requests(&server).await.is_empty());
}

#[tokio::test]
async fn twilio_error_codes_map_to_start_call_errors() {
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    enum Kind {
        InvalidNumber,
        DestinationRefused,
        Unavailable,
    }
    fn kind(error: &StartCallError) -> Kind {
        match error {
            StartCallError::InvalidNumber(_) => Kind::InvalidNumber,
            StartCallError::DestinationRefused(_) => Kind::DestinationRefused,
            StartCallError::Unavailable(_) => Kind::Unavailable,
        }
    }
    let table = [
        (400, 21211, Kind::InvalidNumber),
        (400, 21214, Kind::InvalidNumber),
        (400, 21217, Kind::InvalidNumber),
        (400, 13223, Kind::InvalidNumber),
        (400, 13224, Kind::InvalidNumber),
        (400, 21215, Kind::DestinationRefused),
        (401, 20003, Kind::Unavailable),
        (403, 20003, Kind::Unavailable),
        (400, 21210, Kind::Unavailable),
    ];
    for (http_status, code, expected) in table {
        let server = MockServer::start().await;
        mount_create(&server, twilio_error(http_status, code)).await;
        let error = rest_provider(&server)
            .start_call(outbound_call())
            .await
            .expect_err("Twilio refused");
        assert_eq!(kind(&error), expected, "code {code} gave {error:?}");
        assert!(
            !error.to_string().contains("5550001"),
            "no phone number in the error: {error}"
        );
        assert_eq!(
            requests(&server).await.len(),
            1,
            "code {code} is not retried"
        );
    }
}

#[tokio::test]
async fn an_unreadable_error_body_is_unavailable() {
    let server = MockServer::start().await;
    mount_create(
        &server,
        ResponseTemplate::new(400).set_body_string("<html>oops</html>"),
    )
    .await;
    let error = rest_provider(&server)
        .start_call(outbound_call())
        .await
        .expect_err("refused");
    assert!(matches!(error, StartCallError::Unavailable(_)), "{error:?}");
}

#[tokio::test]
async fn a_slow_twilio_times_out_as_unavailable() {
    let server = MockServer::start().await;
    // Far slower than the timeout, so that the bound below holds on a loaded machine and still
    // fails if the timeout is not applied.
    let slow = created_call(CALL_SID).set_delay(Duration::from_secs(20));
    mount_create(&server, slow).await;
    let mut config = rest_config(&server.uri());
    config.request_timeout = Duration::from_millis(200);
    let provider = TwilioVoiceProvider::new(&config, fixed_clock()).expect("valid");

    let started = Instant::now();
    let error = provider
        .start_call(outbound_call())
        .await
        .expect_err("timed out");

    assert!(matches!(error, StartCallError::Unavailable(_)), "{error:?}");
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "the timeout applies"
    );
    assert_eq!(
        requests(&server).await.len(),
        1,
        "a timed-out create is not repeated"
    );
}

#[tokio::test]
async fn a_slow_hang_up_is_retried_then_unavailable() {
    let server = MockServer::start().await;
    let slow = ResponseTemplate::new(200)
        .set_body_json(serde_json::json!({"sid": CALL_SID}))
        .set_delay(Duration::from_secs(20));
    mount_hang_up(&server, slow).await;
    let mut config = rest_config(&server.uri());
    config.request_timeout = Duration::from_millis(150);
    let provider = TwilioVoiceProvider::new(&config, fixed_clock()).expect("valid");

    let result = provider.hang_up(CALL_SID).await;

    assert!(
        matches!(result, Err(HangUpError::Unavailable(_))),
        "{result:?}"
    );
    assert_eq!(
        requests(&server).await.len(),
        3,
        "first attempt and two retries"
    );
}

#[tokio::test]
async fn rate_limited_creation_is_retried_then_succeeds() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(CALLS_PATH))
        .respond_with(twilio_error(429, 20429))
        .up_to_n_times(2)
        .with_priority(1)
        .mount(&server)
        .await;
    mount_create(&server, created_call(CALL_SID)).await;

    let session = rest_provider(&server)
        .start_call(outbound_call())
        .await
        .expect("placed on the third attempt");

    assert_eq!(session.session_id.as_deref(), Some(CALL_SID));
    let received = requests(&server).await;
    assert_eq!(received.len(), 3);
    assert!(
        received.iter().all(|r| r.body == received[0].body),
        "same request each time"
    );
}

#[tokio::test]
async fn rate_limiting_that_persists_is_unavailable() {
    let server = MockServer::start().await;
    mount_create(&server, twilio_error(429, 20429)).await;

    let error = rest_provider(&server)
        .start_call(outbound_call())
        .await
        .expect_err("gave up");

    assert!(matches!(error, StartCallError::Unavailable(_)), "{error:?}");
    assert_eq!(requests(&server).await.len(), 3, "bounded attempts");
}

#[tokio::test]
async fn a_server_error_on_creation_is_not_retried() {
    for status in [500, 502, 503] {
        let server = MockServer::start().await;
        mount_create(&server, ResponseTemplate::new(status)).await;

        let error = rest_provider(&server)
            .start_call(outbound_call())
            .await
            .expect_err("failed");

        assert!(matches!(error, StartCallError::Unavailable(_)), "{error:?}");
        assert_eq!(
            requests(&server).await.len(),
            1,
            "HTTP {status}: the call may exist, so it is not placed again"
        );
    }
}

#[tokio::test]
async fn server_errors_on_hang_up_are_retried_then_succeed() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(call_path(CALL_SID)))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(call_path(CALL_SID)))
        .respond_with(twilio_error(429, 20429))
        .up_to_n_times(1)
        .with_priority(2)
        .mount(&server)
        .await;
    mount_hang_up(
        &server,
        ResponseTemplate::new(200).set_body_json(serde_json::json!({"sid": CALL_SID})),
    )
    .await;

    assert_eq!(rest_provider(&server).hang_up(CALL_SID).await, Ok(()));
    assert_eq!(requests(&server).await.len(), 3);
}

#[tokio::test]
async fn server_errors_on_hang_up_that_persist_are_unavailable() {
    let server = MockServer::start().await;
    mount_hang_up(&server, ResponseTemplate::new(500)).await;

    let result = rest_provider(&server).hang_up(CALL_SID).await;

    assert!(
        matches!(result, Err(HangUpError::Unavailable(_))),
        "{result:?}"
    );
    assert_eq!(requests(&server).await.len(), 3);
}

#[tokio::test]
async fn retries_can_be_switched_off() {
    let server = MockServer::start().await;
    mount_hang_up(&server, ResponseTemplate::new(500)).await;
    let mut config = rest_config(&server.uri());
    config.max_retries = 0;
    let provider = TwilioVoiceProvider::new(&config, fixed_clock()).expect("valid");

    assert!(provider.hang_up(CALL_SID).await.is_err());
    assert_eq!(requests(&server).await.len(), 1);
}

#[tokio::test]
async fn an_unreachable_twilio_is_unavailable() {
    // Bind a port, then free it: nothing listens there.
    let address = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port");
    let config = rest_config(&format!("http://{address}"));
    let provider = TwilioVoiceProvider::new(&config, fixed_clock()).expect("valid");

    let error = provider
        .start_call(outbound_call())
        .await
        .expect_err("down");
    assert!(matches!(error, StartCallError::Unavailable(_)), "{error:?}");
    let error = provider.hang_up(CALL_SID).await.expect_err("down");
    assert!(matches!(error, HangUpError::Unavailable(_)), "{error:?}");
}

#[tokio::test]
async fn a_success_without_a_call_sid_is_unavailable() {
    let server = MockServer::start().await;
    mount_create(
        &server,
        ResponseTemplate::new(201).set_body_json(serde_json::json!({"status": "queued"})),
    )
    .await;
    let error = rest_provider(&server)
        .start_call(outbound_call())
        .await
        .expect_err("no sid");
    assert!(matches!(error, StartCallError::Unavailable(_)), "{error:?}");
}

#[tokio::test]
async fn the_rest_provider_issues_no_browser_token() {
    let server = MockServer::start().await;
    let provider = rest_provider(&server);
    assert_eq!(
        provider.browser_token(calls_core::domain::UserId::new(), fixed_now()),
        None
    );
}

fn header(request: &wiremock::Request, name: &str) -> String {
    request
        .headers
        .get(name)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

fn base64_of(text: &str) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(text)
}
