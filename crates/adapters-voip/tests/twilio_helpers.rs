//! The pure helpers for Twilio's webhooks: signatures, TwiML, statuses, identities.

use calls_adapters_voip::twilio::identity::{
    MAX_IDENTITY_LEN, identity_for_user, is_valid_identity, user_id_from_caller,
    user_id_from_identity,
};
use calls_adapters_voip::twilio::status::map_twilio_status;
use calls_adapters_voip::twilio::{signature, twiml};
use calls_core::domain::{CallStatus, UserId};

// Twilio's documented example.
const DOC_TOKEN: &str = "12345";
const DOC_URL: &str = "https://mycompany.com/myapp.php?foo=1&bar=2";
const DOC_SIGNATURE: &str = "RSOYDt4T1cUTdK1PDd93/VVr8B8=";

fn doc_params() -> Vec<(&'static str, &'static str)> {
    // Deliberately not in sorted order: sorting is the function's job.
    vec![
        ("To", "+18005551212"),
        ("CallSid", "CA1234567890ABCDE"),
        ("From", "+14158675309"),
        ("Caller", "+14158675309"),
        ("Digits", "1234"),
    ]
}

#[test]
fn signature_matches_twilios_documented_example() {
    assert_eq!(
        signature::compute(DOC_TOKEN, DOC_URL, &doc_params()),
        DOC_SIGNATURE
    );
    assert!(signature::verify(
        DOC_TOKEN,
        DOC_URL,
        &doc_params(),
        DOC_SIGNATURE
    ));
}

#[test]
fn signature_accepts_owned_parameters() {
    let owned: Vec<(String, String)> = doc_params()
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
    assert!(signature::verify(DOC_TOKEN, DOC_URL, &owned, DOC_SIGNATURE));
}

#[test]
fn tampered_requests_are_refused() {
    let mut changed_value = doc_params();
    changed_value[0].1 = "+18005551213";
    let mut added = doc_params();
    added.push(("Extra", "1"));
    let mut removed = doc_params();
    removed.pop();
    let mut renamed = doc_params();
    renamed[4].0 = "digits";
    for params in [changed_value, added, removed, renamed] {
        assert!(
            !signature::verify(DOC_TOKEN, DOC_URL, &params, DOC_SIGNATURE),
            "{params:?}"
        );
    }
    for url in [
        "https://mycompany.com/myapp.php?foo=1&bar=3",
        "https://mycompany.com/myapp.php?bar=2&foo=1",
        "http://mycompany.com/myapp.php?foo=1&bar=2",
        "https://mycompany.com/myapp.php",
        "https://evil.example/myapp.php?foo=1&bar=2",
    ] {
        assert!(
            !signature::verify(DOC_TOKEN, url, &doc_params(), DOC_SIGNATURE),
            "{url}"
        );
    }
    assert!(!signature::verify(
        "54321",
        DOC_URL,
        &doc_params(),
        DOC_SIGNATURE
    ));
    assert!(!signature::verify(DOC_TOKEN, DOC_URL, &doc_params(), ""));
    assert!(!signature::verify(
        DOC_TOKEN,
        DOC_URL,
        &doc_params(),
        "RSOYDt4T1cUTdK1PDd93/VVr8B8"
    ));
    assert!(!signature::verify(
        "",
        DOC_URL,
        &doc_params(),
        DOC_SIGNATURE
    ));
}

#[test]
fn a_get_request_is_signed_over_the_url_alone() {
    let url = "https://calls.example.test/api/voice/twiml?To=%2B4930901820";
    let signature = signature::compute(DOC_TOKEN, url, &[] as &[(&str, &str)]);
    assert!(signature::verify(
        DOC_TOKEN,
        url,
        &[] as &[(&str, &str)],
        &signature
    ));
    assert!(!signature::verify(
        DOC_TOKEN,
        url,
        &[("To", "+4930901820")],
        &signature
    ));
}

#[test]
fn repeated_parameters_are_all_signed() {
    let url = "https://calls.example.test/api/voice/status";
    let params = [
        ("StatusCallbackEvent", "ringing"),
        ("A", "1"),
        ("StatusCallbackEvent", "initiated"),
    ];
    let signature = signature::compute(DOC_TOKEN, url, &params);
    let reordered = [
        ("StatusCallbackEvent", "initiated"),
        ("StatusCallbackEvent", "ringing"),
        ("A", "1"),
    ];
    assert!(signature::verify(DOC_TOKEN, url, &reordered, &signature));
    assert!(!signature::verify(DOC_TOKEN, url, &params[..2], &signature));
}

#[test]
fn dial_twiml_is_exactly_as_documented() {
    assert_eq!(
        twiml::dial(
            "+15005550006",
            "+4930901820",
            "https://calls.example.test/api/voice/status"
        ),
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response>\
         <Dial callerId=\"+15005550006\" answerOnBridge=\"true\">\
         <Number statusCallback=\"https://calls.example.test/api/voice/status\" \
         statusCallbackEvent=\"initiated ringing answered completed\">+4930901820</Number>\
         </Dial></Response>"
    );
}

#[test]
fn dial_twiml_escapes_everything() {
    let xml = twiml::dial(
        "+1&\"<'>",
        "</Number><Hangup/>",
        "https://x.test/s?a=1&b=\"2\"",
    );
    assert!(
        xml.contains("callerId=\"+1&amp;&quot;&lt;&apos;&gt;\""),
        "{xml}"
    );
    assert!(
        xml.contains("statusCallback=\"https://x.test/s?a=1&amp;b=&quot;2&quot;\""),
        "{xml}"
    );
    assert!(
        xml.contains(">&lt;/Number&gt;&lt;Hangup/&gt;</Number>"),
        "{xml}"
    );
    assert_eq!(xml.matches("<Number").count(), 1);
    assert!(!xml.contains("<Hangup/>"));
}

#[test]
fn refuse_twiml_says_why_and_hangs_up() {
    assert_eq!(
        twiml::refuse("Calls to <this> & that are not allowed"),
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response>\
         <Say>Calls to &lt;this&gt; &amp; that are not allowed</Say><Hangup/></Response>"
    );
    assert!(
        twiml::refuse("bell\u{7}").contains("<Say>bell</Say>"),
        "control characters dropped"
    );
}

#[test]
fn twilio_statuses_map_to_ours() {
    let table = [
        ("queued", Some(CallStatus::Connecting)),
        ("initiated", Some(CallStatus::Connecting)),
        ("ringing", Some(CallStatus::Connecting)),
        ("in-progress", Some(CallStatus::Active)),
        ("answered", Some(CallStatus::Active)),
        ("completed", Some(CallStatus::Completed)),
        ("busy", Some(CallStatus::Failed)),
        ("no-answer", Some(CallStatus::Failed)),
        ("failed", Some(CallStatus::Failed)),
        ("canceled", Some(CallStatus::Canceled)),
        ("", None),
        ("paused", None),
        ("cancelled", None),
    ];
    for (twilio, ours) in table {
        assert_eq!(map_twilio_status(twilio), ours, "{twilio}");
    }
}

#[test]
fn identities_use_twilios_charset_and_round_trip() {
    for _ in 0..100 {
        let user_id = UserId::new();
        let identity = identity_for_user(user_id);
        assert!(is_valid_identity(&identity), "{identity}");
        assert!(identity.len() <= MAX_IDENTITY_LEN);
        assert!(
            identity
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_')
        );
        assert_eq!(user_id_from_identity(&identity), Some(user_id));
        assert_eq!(
            user_id_from_caller(&format!("client:{identity}")),
            Some(user_id)
        );
    }
}

#[test]
fn foreign_identities_map_to_no_user() {
    let identity = identity_for_user(UserId::new());
    for foreign in [
        String::new(),
        "user_".to_owned(),
        identity.to_uppercase(),
        identity.replace("user_", "admin_"),
        format!("{identity}0"),
        identity[..identity.len() - 1].to_owned(),
        "user_0123456789abcdef0123456789abcdeg".to_owned(),
        "user_01234567-89ab-cdef-0123-456789abcdef".to_owned(),
    ] {
        assert_eq!(user_id_from_identity(&foreign), None, "{foreign}");
    }
    assert_eq!(
        user_id_from_caller(&identity),
        None,
        "the client: prefix is required"
    );
    assert_eq!(user_id_from_caller("+4930901820"), None);
    assert!(!is_valid_identity(""));
    assert!(!is_valid_identity("has space"));
    assert!(!is_valid_identity("dash-ed"));
    assert!(!is_valid_identity(&"a".repeat(MAX_IDENTITY_LEN + 1)));
    assert!(is_valid_identity(&"a".repeat(MAX_IDENTITY_LEN)));
}
