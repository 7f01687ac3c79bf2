//! The network-free mock provider.

mod support;

use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

use calls_adapters_voip::mock::{
    MockVoiceProvider, SequentialSessionIds, is_mock_session_id, session_id_from_seed,
};
use calls_core::domain::UserId;
use calls_core::ports::{HangUpError, StartCallError, VoiceProvider};
use support::*;

fn deterministic() -> MockVoiceProvider {
    MockVoiceProvider::with_parts(
        fixed_clock(),
        Arc::new(SequentialSessionIds::starting_at(1)),
    )
}

#[tokio::test]
async fn session_ids_are_unique_and_recognisably_the_mocks() {
    let provider = MockVoiceProvider::new();
    let mut seen = HashSet::new();
    for _ in 0..500 {
        let session = provider.start_call(outbound_call()).await.expect("started");
        let id = session.session_id.expect("the mock returns session ids");
        assert_eq!(id.len(), 34, "{id}");
        assert!(id.starts_with("MK"), "{id}");
        assert!(
            id[2..]
                .bytes()
                .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')),
            "{id}"
        );
        assert!(is_mock_session_id(&id));
        assert!(seen.insert(id), "ids must not repeat");
    }
    assert_eq!(provider.calls_started(), 500);
}

#[tokio::test]
async fn the_sdp_offer_is_a_well_formed_audio_offer() {
    let session = deterministic()
        .start_call(outbound_call())
        .await
        .expect("started");
    let sdp = session.sdp_offer.expect("the mock returns an SDP offer");

    assert!(sdp.ends_with("\r\n"), "CRLF after the last line too");
    let body = sdp.strip_suffix("\r\n").expect("checked");
    assert_eq!(
        sdp.matches('\n').count(),
        sdp.matches("\r\n").count(),
        "no bare LF"
    );
    let lines: Vec<&str> = body.split("\r\n").collect();
    for line in &lines {
        let bytes = line.as_bytes();
        assert!(
            bytes.len() >= 2 && bytes[0].is_ascii_lowercase() && bytes[1] == b'=',
            "every line is <type>=<value>: {line:?}"
        );
        assert!(!line.contains('\r'), "{line:?}");
    }
    // RFC 4566 order of the session section, then the media section.
    let kinds: String = lines.iter().map(|l| char::from(l.as_bytes()[0])).collect();
    let media_at = kinds.find('m').expect("an m= line");
    assert!(kinds[..media_at].starts_with("vos"), "{kinds}");
    let session_kinds = &kinds[..media_at];
    assert!(session_kinds.find('c') < session_kinds.find('t'), "{kinds}");
    assert_eq!(lines[0], "v=0");
    let origin: Vec<&str> = lines[1].trim_start_matches("o=").split(' ').collect();
    assert_eq!(origin.len(), 6, "o=<user> <id> <version> IN IP4 <address>");
    assert!(origin[1].parse::<u64>().is_ok() && origin[2].parse::<u64>().is_ok());
    assert_eq!(&origin[3..5], ["IN", "IP4"]);
    assert!(lines.iter().any(|l| l.starts_with("s=") && l.len() > 2));
    assert!(lines.contains(&"c=IN IP4 127.0.0.1"));
    assert!(lines.contains(&"t=0 0"));
    let media: Vec<&str> = lines[media_at]
        .trim_start_matches("m=")
        .split(' ')
        .collect();
    assert_eq!(media[0], "audio");
    assert!(media[1].parse::<u16>().is_ok());
    assert_eq!(media[2], "RTP/AVP");
    for payload in &media[3..] {
        assert!(
            lines
                .iter()
                .any(|l| l.starts_with(&format!("a=rtpmap:{payload} "))),
            "payload {payload} has an rtpmap"
        );
    }
}

#[tokio::test]
async fn the_injected_clock_and_ids_make_it_deterministic() {
    let first = deterministic()
        .start_call(outbound_call())
        .await
        .expect("started");
    let again = deterministic()
        .start_call(outbound_call())
        .await
        .expect("started");
    assert_eq!(first, again, "same clock and ids give the same session");
    assert_eq!(
        first.session_id.as_deref(),
        Some(session_id_from_seed([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]).as_str())
    );
    let ntp = fixed_now().timestamp() + 2_208_988_800;
    let sdp = first.sdp_offer.expect("offer");
    assert!(
        sdp.contains(&format!("o=- {ntp} {ntp} IN IP4 127.0.0.1\r\n")),
        "{sdp}"
    );
    assert_eq!(first.voice_token, None);
}

#[tokio::test]
async fn hang_up_works_for_ids_from_another_instance() {
    let before_restart = MockVoiceProvider::new();
    let session_id = before_restart
        .start_call(outbound_call())
        .await
        .expect("started")
        .session_id
        .expect("id");
    let after_restart = MockVoiceProvider::new();
    assert_eq!(after_restart.hang_up(&session_id).await, Ok(()));
    assert_eq!(
        after_restart.hang_up(&session_id).await,
        Ok(()),
        "idempotent"
    );
    assert_eq!(after_restart.hang_ups(), 2);
}

#[tokio::test]
async fn hang_up_of_foreign_ids_is_unknown_session() {
    let provider = MockVoiceProvider::new();
    let genuine = session_id_from_seed([9; 12]);
    let mut forged = genuine.clone();
    forged.replace_range(30..31, if &genuine[30..31] == "0" { "1" } else { "0" });
    for id in [
        "",
        "MK",
        "CA0123456789abcdef0123456789abcdef",
        "MK00000000000000000000000000000000",
        forged.as_str(),
        genuine.to_uppercase().as_str(),
    ] {
        assert_eq!(
            provider.hang_up(id).await,
            Err(HangUpError::UnknownSession),
            "{id}"
        );
    }
    assert_eq!(provider.hang_ups(), 0);
}

#[tokio::test]
async fn start_can_be_made_to_fail_and_recover() {
    let provider = deterministic();
    provider.set_start_failure(true);
    let error = provider
        .start_call(outbound_call())
        .await
        .expect_err("set to fail");
    assert!(matches!(error, StartCallError::Unavailable(_)));
    assert_eq!(provider.calls_started(), 0);
    provider.set_start_failure(false);
    assert!(provider.start_call(outbound_call()).await.is_ok());
}

#[tokio::test]
async fn start_can_be_delayed() {
    let provider = deterministic();
    provider.set_start_delay(Duration::from_millis(150));
    let started = Instant::now();
    provider.start_call(outbound_call()).await.expect("started");
    assert!(started.elapsed() >= Duration::from_millis(150));
}

#[tokio::test]
async fn a_slow_start_can_be_abandoned_by_a_caller_timeout() {
    let provider = deterministic();
    provider.set_start_delay(Duration::from_secs(30));
    let result = tokio::time::timeout(
        Duration::from_millis(50),
        provider.start_call(outbound_call()),
    )
    .await;
    assert!(result.is_err(), "still waiting");
    assert_eq!(provider.calls_started(), 0);
}

#[test]
fn the_mock_has_no_browser_sdk() {
    assert_eq!(
        MockVoiceProvider::new().browser_token(UserId::new(), fixed_now()),
        None
    );
}
