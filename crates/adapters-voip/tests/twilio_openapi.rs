//! Every request the Twilio adapter can send, checked against Twilio's own OpenAPI description
//! of its REST API rather than against our fake: placing a call (authenticated with the auth
//! token, and with an API key), hanging up (REST and Voice SDK mode), and cancelling a call we
//! gave up on, ringing or answered. The checker itself is shown to refuse what Twilio would.

mod support;
mod twilio_spec;

use calls_adapters_voip::TwilioVoiceProvider;
use calls_adapters_voip::twilio::{DEFAULT_API_BASE_URL, TwilioConfig};
use calls_core::ports::{CallProgress, VoiceProvider};
use secrecy::SecretString;
use support::*;
use twilio_spec::Spec;
use wiremock::MockServer;

/// The fake Twilio (which remembers what it created, and takes both our credentials) and the
/// requests it received.
async fn recorded(run: impl AsyncFnOnce(&MockServer)) -> Vec<wiremock::Request> {
    let server = MockServer::start().await;
    let calls = FakeCalls::default();
    calls.mount(&server).await;
    calls
        .mount_accepting(&server, API_KEY_SID, API_KEY_SECRET)
        .await;
    run(&server).await;
    server.received_requests().await.expect("recording is on")
}

fn provider(config: &TwilioConfig) -> TwilioVoiceProvider {
    TwilioVoiceProvider::new(config, fixed_clock()).expect("valid config")
}

fn assert_conforms(spec: &Spec, what: &str, requests: &[wiremock::Request]) {
    assert!(!requests.is_empty(), "{what}: nothing was sent");
    for request in requests {
        let problems = spec.problems(request);
        assert!(
            problems.is_empty(),
            "{what}: {} {} is not what Twilio describes:\n{}",
            request.method,
            request.url.path(),
            problems.join("\n")
        );
    }
}

/// Places a call and ends it in every way the adapter can.
async fn place_and_end(provider: &TwilioVoiceProvider) {
    for ending in [
        None,
        Some(CallProgress::NotAnswered),
        Some(CallProgress::Answered),
    ] {
        let session = provider.start_call(outbound_call()).await.expect("placed");
        let sid = session.session_id.expect("a call SID");
        match ending {
            None => provider.hang_up(&sid).await,
            Some(progress) => provider.cancel(&sid, progress).await,
        }
        .expect("ended");
    }
}

#[tokio::test]
async fn rest_requests_with_the_auth_token_are_twilios_operations() {
    let spec = Spec::load();
    let requests = recorded(async |server| {
        place_and_end(&provider(&rest_config(&server.uri()))).await;
    })
    .await;
    assert_eq!(requests.len(), 6, "three creations, three endings");
    assert_conforms(&spec, "REST mode, auth token", &requests);
}

#[tokio::test]
async fn rest_requests_with_an_api_key_are_twilios_operations() {
    let spec = Spec::load();
    let requests = recorded(async |server| {
        let config = TwilioConfig {
            api_key_sid: Some(API_KEY_SID.to_owned()),
            api_key_secret: Some(SecretString::from(API_KEY_SECRET)),
            ..rest_config(&server.uri())
        };
        place_and_end(&provider(&config)).await;
    })
    .await;
    assert_conforms(&spec, "REST mode, API key", &requests);
}

#[tokio::test]
async fn voice_sdk_hang_ups_and_cancels_are_twilios_operations() {
    let spec = Spec::load();
    let requests = recorded(async |server| {
        // The browser places the call; Twilio's fake creates one for the hang-up to end.
        let sid = provider(&rest_config(&server.uri()))
            .start_call(outbound_call())
            .await
            .expect("placed")
            .session_id
            .expect("sid");
        let sdk = provider(&sdk_config(&server.uri()));
        sdk.cancel(&sid, CallProgress::NotAnswered)
            .await
            .expect("canceled");
        sdk.hang_up(&sid).await.expect("ended");
    })
    .await;
    assert_conforms(&spec, "Voice SDK mode", &requests);
}

#[test]
fn the_default_api_base_is_twilios_server() {
    assert!(
        Spec::load()
            .servers()
            .contains(&DEFAULT_API_BASE_URL.to_owned()),
        "{DEFAULT_API_BASE_URL}"
    );
}

/// A request as the fake Twilio records it.
async fn sent(path: &str, content_type: &str, body: &str) -> wiremock::Request {
    let server = MockServer::start().await;
    reqwest::Client::new()
        .post(format!("{}{path}", server.uri()))
        .basic_auth(ACCOUNT_SID, Some(AUTH_TOKEN))
        .header("content-type", content_type)
        .body(body.to_owned())
        .send()
        .await
        .expect("sent");
    server
        .received_requests()
        .await
        .expect("recording")
        .remove(0)
}

#[tokio::test]
async fn the_checker_refuses_what_twilio_would() {
    let spec = Spec::load();
    let form = "application/x-www-form-urlencoded";
    let create = CALLS_PATH;
    let update = call_path("CA0123456789abcdef0123456789abcdef");
    let good = "To=%2B4930901820&From=%2B15005550006&Url=https%3A%2F%2Fx.test%2Ft&Timeout=30";
    assert_eq!(
        spec.problems(&sent(create, form, good).await),
        Vec::<String>::new()
    );
    let cases = [
        (
            create,
            form,
            "From=%2B1&Url=https%3A%2F%2Fx",
            "the required To",
        ),
        (
            create,
            form,
            &format!("{good}&Hangup=true") as &str,
            "Hangup is not a field",
        ),
        (create, form, &format!("{good}&Method=PUT"), "is not one of"),
        (
            create,
            form,
            &format!("{good}&StatusCallbackEvent=hungup"),
            "none of those",
        ),
        (create, form, &format!("{good}&Timeout=soon"), "not of type"),
        (create, form, &format!("{good}&Timeout=30"), "repeated"),
        (create, "application/json", "{}", "content type"),
        (&update, form, "Status=hangup", "is not one of"),
        (
            "/2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef/Calls/CA123.json",
            form,
            "Status=completed",
            "no operation",
        ),
    ];
    for (path, content_type, body, expected) in cases {
        let problems = spec.problems(&sent(path, content_type, body).await);
        assert!(
            problems.iter().any(|problem| problem.contains(expected)),
            "{body}: expected a problem with {expected:?}, got {problems:?}"
        );
    }
}
