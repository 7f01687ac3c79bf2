//! The Twilio adapter against Twilio's official Python library (twilio 9.13) rather than our
//! own fake: its `RequestValidator` signs requests we must accept (with and without the default
//! port, with query strings, with non-ASCII and `&=+%` values) and validates ours; its
//! `AccessToken` verifies our Voice tokens and has the same header and claims; its
//! `VoiceResponse` makes the same TwiML as ours after XML canonicalisation.
//!
//! Ignored in a plain `cargo test` (it needs the library): `scripts/twilio-oracle.sh` installs it
//! into a throw-away virtual environment and runs these with `TWILIO_ORACLE_PYTHON` set.

mod support;

use std::io::Write;
use std::process::{Command, Stdio};

use calls_adapters_voip::twilio::{TwilioVoiceProvider, TwilioWebhooks, signature, twiml};
use calls_core::domain::{CallId, PhoneNumber, UserId};
use calls_core::ports::{
    ProviderWebhooks, Refusal, VerifyError, VoiceProvider, WebhookReply, WebhookRequest,
};
use serde_json::{Value, json};
use support::*;

/// Asks `scripts/twilio_oracle.py` (run by `TWILIO_ORACLE_PYTHON`) and returns its answer.
fn oracle(request: &Value) -> Value {
    let python = std::env::var("TWILIO_ORACLE_PYTHON").unwrap_or_else(|_| {
        panic!(
            "TWILIO_ORACLE_PYTHON must name a Python with twilio 9.13: run scripts/twilio-oracle.sh"
        )
    });
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../scripts/twilio_oracle.py"
    );
    let mut child = Command::new(python)
        .arg(script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("the oracle starts");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(request.to_string().as_bytes())
        .expect("request written");
    let output = child.wait_with_output().expect("the oracle answers");
    assert!(output.status.success(), "the oracle failed");
    serde_json::from_slice(&output.stdout).expect("a JSON answer")
}

fn webhooks() -> TwilioWebhooks {
    TwilioVoiceProvider::new(&rest_config("http://127.0.0.1:9"), fixed_clock())
        .expect("valid")
        .webhooks()
}

/// Requests as Twilio sends them: the path and query as requested (percent-encoded), the
/// query's decoded pairs, and the form's.
fn cases() -> Vec<WebhookRequest> {
    let call_id = CallId::new();
    let pair = |name: &str, value: &str| (name.to_owned(), value.to_owned());
    vec![
        WebhookRequest {
            path_and_query: format!("/api/voice/status?call_id={call_id}"),
            query: vec![pair("call_id", &call_id.to_string())],
            form: vec![
                pair("CallSid", "CA0123456789abcdef0123456789abcdef"),
                pair("CallStatus", "completed"),
                pair("CallDuration", "37"),
                pair("SequenceNumber", "4"),
                pair("To", "+4930901820"),
            ],
            signature: None,
        },
        WebhookRequest {
            path_and_query: "/api/voice/twiml?x=%C3%A9t%C3%A9&y=a%26b%3Dc%2Bd%25".to_owned(),
            query: vec![pair("x", "été"), pair("y", "a&b=c+d%")],
            form: vec![
                pair("CallSid", "CA1"),
                pair("From", "client:user_0123"),
                pair("Caller", "Zoë Ünal & Søn"),
                pair("Digits", "1+2=3&4%"),
                pair("Emoji", "☎️ 电话"),
            ],
            signature: None,
        },
        WebhookRequest {
            path_and_query: "/api/voice/twiml".to_owned(),
            query: vec![],
            form: vec![],
            signature: None,
        },
    ]
}

fn pairs_json(pairs: &[(String, String)]) -> Value {
    json!(pairs.iter().map(|(k, v)| [k, v]).collect::<Vec<_>>())
}

#[test]
#[ignore = "needs Twilio's Python library: scripts/twilio-oracle.sh"]
fn signatures_the_library_computes_are_accepted_and_tampered_ones_refused() {
    let webhooks = webhooks();
    let host = PUBLIC_BASE_URL.trim_start_matches("https://");
    let mut requests = Vec::new();
    let mut oracle_cases = Vec::new();
    for case in cases() {
        for authority in [host.to_owned(), format!("{host}:443")] {
            let url = format!("https://{authority}{}", case.path_and_query);
            oracle_cases.push(json!({"url": url, "params": pairs_json(&case.form)}));
            requests.push((url, case.clone()));
        }
    }
    let answer = oracle(&json!({
        "command": "sign", "auth_token": AUTH_TOKEN, "cases": oracle_cases,
    }));
    let signatures = answer["signatures"].as_array().expect("signatures");
    assert_eq!(signatures.len(), requests.len());
    for ((url, mut request), signed) in requests.into_iter().zip(signatures) {
        request.signature = Some(signed.as_str().expect("text").to_owned());
        assert_eq!(webhooks.verify(&request), Ok(()), "signed over {url}");

        let mut changed_value = request.clone();
        if let Some(last) = changed_value.form.last_mut() {
            last.1.push('x');
        } else {
            changed_value
                .form
                .push(("Extra".to_owned(), "1".to_owned()));
        }
        let mut other_query = request.clone();
        other_query
            .path_and_query
            .push_str(if request.path_and_query.contains('?') {
                "&z=1"
            } else {
                "?z=1"
            });
        let mut other_port = request.clone();
        other_port.signature = Some(signature::compute(
            AUTH_TOKEN,
            &format!("https://{host}:8443{}", request.path_and_query),
            &request.form,
        ));
        for (what, tampered) in [
            ("a changed value", changed_value),
            ("another query", other_query),
            ("another port", other_port),
        ] {
            assert_eq!(
                webhooks.verify(&tampered),
                Err(VerifyError::BadSignature),
                "{what} of {url}"
            );
        }
    }
}

#[test]
#[ignore = "needs Twilio's Python library: scripts/twilio-oracle.sh"]
fn the_library_validates_the_signatures_we_compute() {
    let cases: Vec<Value> = cases()
        .iter()
        .map(|case| {
            let url = format!("{PUBLIC_BASE_URL}{}", case.path_and_query);
            let signed = signature::compute(AUTH_TOKEN, &url, &case.form);
            json!({"url": url, "params": pairs_json(&case.form), "signature": signed})
        })
        .collect();
    let answer = oracle(&json!({"command": "validate", "auth_token": AUTH_TOKEN, "cases": cases}));
    let valid = answer["valid"].as_array().expect("answers");
    assert_eq!(valid.len(), 3);
    assert!(valid.iter().all(|valid| valid == true), "{answer}");
}

#[test]
#[ignore = "needs Twilio's Python library: scripts/twilio-oracle.sh"]
fn our_voice_token_is_the_librarys_access_token() {
    let provider =
        TwilioVoiceProvider::new(&sdk_config("http://127.0.0.1:9"), fixed_clock()).expect("valid");
    // Now, not the fixed test time: the library checks the expiry.
    let now = chrono::Utc::now();
    let token = provider
        .browser_token(UserId::new(), now)
        .expect("SDK configured");
    let answer = oracle(&json!({
        "command": "token",
        "jwt": token.token,
        "secret": API_KEY_SECRET,
        "account_sid": ACCOUNT_SID,
        "api_key_sid": API_KEY_SID,
        "app_sid": TWIML_APP_SID,
        "identity": token.identity,
        "ttl": 3600,
        "nbf": now.timestamp(),
    }));
    assert_eq!(answer["problems"], json!([]), "{answer}");
}

#[test]
#[ignore = "needs Twilio's Python library: scripts/twilio-oracle.sh"]
fn our_twiml_is_voice_responses() {
    let webhooks = webhooks();
    let to = PhoneNumber::parse(DESTINATION).expect("valid");
    let call_id = CallId::new();
    let dial = webhooks.render(&WebhookReply::Dial {
        number: to,
        call_id,
    });
    let mut documents = vec![
        json!({
            "kind": "dial", "ours": dial.body, "from": FROM_NUMBER, "to": DESTINATION,
            "status_callback": webhooks.status_callback_url(call_id),
            "events": twiml::STATUS_CALLBACK_EVENTS,
        }),
        json!({"kind": "hold", "ours": webhooks.render(&WebhookReply::Hold).body,
               "seconds": twiml::HOLD_SECONDS}),
        json!({"kind": "hang_up", "ours": webhooks.render(&WebhookReply::HangUp).body}),
    ];
    for refusal in [
        Refusal::UnknownCaller,
        Refusal::InvalidNumber,
        Refusal::DestinationNotAllowed,
        Refusal::NoPendingCall,
    ] {
        documents.push(json!({
            "kind": "refuse",
            "ours": webhooks.render(&WebhookReply::Refuse(refusal)).body,
            "message": calls_adapters_voip::twilio::replies::spoken(refusal),
        }));
    }
    // Characters XML must escape, in a caller id and a message.
    documents.push(json!({
        "kind": "refuse", "ours": twiml::refuse("Tom & \"Jerry\" <said> 'no'"),
        "message": "Tom & \"Jerry\" <said> 'no'",
    }));
    let answer = oracle(&json!({"command": "twiml", "documents": documents}));
    assert_eq!(answer["problems"], json!([]), "{answer}");
}
