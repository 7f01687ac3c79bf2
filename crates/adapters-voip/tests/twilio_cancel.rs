//! Ending, through Twilio's REST API, a call the platform gave up on: cancelled while it rings,
//! completed once answered; and a creation Twilio answers too late still named our call.

mod support;

use std::time::Duration;

use calls_core::ports::{CallProgress, HangUpError, StartCallError, VoiceProvider};
use support::*;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const CALL_SID: &str = "CA0123456789abcdef0123456789abcdef";

async fn mount_update(server: &MockServer) {
    Mock::given(method("POST"))
        .and(path(call_path(CALL_SID)))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(serde_json::json!({"sid": CALL_SID})),
        )
        .mount(server)
        .await;
}

#[tokio::test]
async fn a_ringing_call_is_canceled_and_an_answered_one_completed() {
    for (progress, status) in [
        (CallProgress::NotAnswered, "canceled"),
        (CallProgress::Answered, "completed"),
    ] {
        let server = MockServer::start().await;
        mount_update(&server).await;

        assert_eq!(
            rest_provider(&server).cancel(CALL_SID, progress).await,
            Ok(())
        );

        let received = server.received_requests().await.expect("recording");
        assert_eq!(received.len(), 1, "{progress:?}");
        assert_eq!(received[0].url.path(), call_path(CALL_SID));
        assert_eq!(
            form_of(&received[0]),
            [("Status".to_owned(), status.to_owned())],
            "{progress:?}"
        );
    }
}

#[tokio::test]
async fn cancelling_a_call_that_already_ended_succeeds_and_an_unknown_one_is_unknown() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(call_path(CALL_SID)))
        .respond_with(twilio_error(400, 21220))
        .mount(&server)
        .await;
    let provider = rest_provider(&server);
    assert_eq!(
        provider.cancel(CALL_SID, CallProgress::NotAnswered).await,
        Ok(())
    );
    assert_eq!(
        provider.cancel("CA../../x", CallProgress::Answered).await,
        Err(HangUpError::UnknownSession)
    );
}

#[tokio::test]
async fn a_creation_answered_too_late_had_already_named_our_call() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(CALLS_PATH))
        .respond_with(created_call(CALL_SID).set_delay(Duration::from_secs(20)))
        .mount(&server)
        .await;
    let mut config = rest_config(&server.uri());
    config.request_timeout = Duration::from_millis(200);
    let provider =
        calls_adapters_voip::TwilioVoiceProvider::new(&config, fixed_clock()).expect("valid");
    let call = outbound_call();
    let call_id = call.call_id.to_string();

    let error = provider.start_call(call).await.expect_err("too late");
    assert!(matches!(error, StartCallError::Unavailable(_)), "{error:?}");

    // Twilio got the request (and may place the call): every URL in it names our call.
    let received = server.received_requests().await.expect("recording");
    let form = form_of(&received[0]);
    for name in ["Url", "StatusCallback"] {
        let url = form
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
            .unwrap_or_default();
        assert!(
            url.ends_with(&format!("?call_id={call_id}")),
            "{name} = {url}"
        );
    }
}
