//! The Twilio provider in Voice SDK mode: the browser dials, we hand out access tokens.

mod support;

use std::collections::HashSet;
use std::time::Duration;

use calls_adapters_voip::twilio::identity::{identity_for_user, user_id_from_identity};
use calls_adapters_voip::twilio::{TwilioMode, TwilioVoiceProvider};
use calls_core::domain::UserId;
use calls_core::ports::{HangUpError, VoiceProvider};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::Value;
use support::*;
use wiremock::matchers::{basic_auth, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn sdk_provider(server: &MockServer) -> TwilioVoiceProvider {
    TwilioVoiceProvider::new(&sdk_config(&server.uri()), fixed_clock()).expect("valid config")
}

/// Decodes with the API key secret, as Twilio does, checking the signature and HS256. Expiry
/// is not checked here (the fixed clock is in the past of the test run); the claims are.
fn decode(token: &str) -> (jsonwebtoken::Header, Value) {
    let mut validation = Validation::new(Algorithm::HS256);
    validation.validate_exp = false;
    validation.validate_nbf = false;
    validation.required_spec_claims = HashSet::new();
    let data = jsonwebtoken::decode::<Value>(
        token,
        &DecodingKey::from_secret(API_KEY_SECRET.as_bytes()),
        &validation,
    )
    .expect("signed with the API key secret");
    (data.header, data.claims)
}

#[tokio::test]
async fn browser_token_is_a_twilio_access_token() {
    let server = MockServer::start().await;
    let provider = sdk_provider(&server);
    assert_eq!(provider.mode(), TwilioMode::VoiceSdk);
    let user_id = UserId::new();
    let now = fixed_now();

    let token = provider
        .browser_token(user_id, now)
        .expect("SDK configured");

    assert_eq!(token.identity, identity_for_user(user_id));
    assert_eq!(user_id_from_identity(&token.identity), Some(user_id));
    assert_eq!(token.expires_at, now + chrono::TimeDelta::hours(1));
    let (header, claims) = decode(&token.token);
    assert_eq!(header.alg, Algorithm::HS256);
    assert_eq!(header.typ.as_deref(), Some("JWT"));
    assert_eq!(header.cty.as_deref(), Some("twilio-fpa;v=1"));
    let issued = now.timestamp();
    assert_eq!(claims["jti"], format!("{API_KEY_SID}-{issued}"));
    assert_eq!(claims["iss"], API_KEY_SID);
    assert_eq!(claims["sub"], ACCOUNT_SID);
    assert_eq!(claims["nbf"], issued);
    assert_eq!(claims["exp"], issued + 3600);
    assert_eq!(claims["grants"]["identity"], token.identity);
    assert_eq!(
        claims["grants"]["voice"]["outgoing"]["application_sid"],
        TWIML_APP_SID
    );
    let incoming = &claims["grants"]["voice"]["incoming"];
    assert!(
        incoming.is_null() || incoming["allow"] == false,
        "incoming calls are not granted: {incoming}"
    );
}

#[tokio::test]
async fn a_token_signed_with_another_secret_does_not_verify() {
    let server = MockServer::start().await;
    let mut config = sdk_config(&server.uri());
    config.api_key_secret = Some("some-other-secret".into());
    let provider = TwilioVoiceProvider::new(&config, fixed_clock()).expect("valid");
    let token = provider
        .browser_token(UserId::new(), fixed_now())
        .expect("token");

    let mut validation = Validation::new(Algorithm::HS256);
    validation.validate_exp = false;
    let result = jsonwebtoken::decode::<Value>(
        &token.token,
        &DecodingKey::from_secret(API_KEY_SECRET.as_bytes()),
        &validation,
    );
    assert!(result.is_err());
}

#[tokio::test]
async fn token_lifetime_follows_the_configuration() {
    let server = MockServer::start().await;
    let mut config = sdk_config(&server.uri());
    config.token_ttl = Duration::from_secs(10 * 60);
    let provider = TwilioVoiceProvider::new(&config, fixed_clock()).expect("valid");

    let token = provider
        .browser_token(UserId::new(), fixed_now())
        .expect("token");

    let (_, claims) = decode(&token.token);
    assert_eq!(claims["exp"], fixed_now().timestamp() + 600);
    assert_eq!(
        token.expires_at,
        fixed_now() + chrono::TimeDelta::minutes(10)
    );
}

#[tokio::test]
async fn start_call_places_nothing_and_returns_a_voice_token() {
    let server = MockServer::start().await;
    let provider = sdk_provider(&server);
    let call = outbound_call();
    let user_id = call.user_id;

    let session = provider.start_call(call).await.expect("prepared");

    assert_eq!(session.session_id, None);
    assert_eq!(session.sdp_offer, None);
    let token = session.voice_token.expect("a voice token");
    let (_, claims) = decode(&token);
    assert_eq!(claims["grants"]["identity"], identity_for_user(user_id));
    assert_eq!(
        claims["iat"],
        Value::Null,
        "only the documented claims are sent"
    );
    assert!(
        server
            .received_requests()
            .await
            .expect("recording")
            .is_empty(),
        "the browser places the call, not us"
    );
}

#[tokio::test]
async fn hang_up_in_sdk_mode_completes_the_call_over_rest_with_the_api_key() {
    let server = MockServer::start().await;
    let sid = "CA0000111122223333444455556666777f";
    Mock::given(method("POST"))
        .and(path(call_path(sid)))
        .and(basic_auth(API_KEY_SID, API_KEY_SECRET))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({"sid": sid})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(twilio_error(404, 20404))
        .mount(&server)
        .await;
    let provider = sdk_provider(&server);

    assert_eq!(provider.hang_up(sid).await, Ok(()));
    assert_eq!(
        provider.hang_up("CA0000111122223333444455556666777e").await,
        Err(HangUpError::UnknownSession)
    );
}
