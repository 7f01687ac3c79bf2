//! `TwilioWebhooks` as the `ProviderWebhooks` port: which requests it lets through, how it reads
//! Twilio's parameters and what TwiML it answers with.

mod support;

use calls_adapters_voip::twilio::replies::spoken;
use calls_adapters_voip::twilio::{SIGNATURE_HEADER, TwilioVoiceProvider, TwilioWebhooks};
use calls_adapters_voip::twilio::{signature, twiml};
use calls_core::domain::{CallId, CallStatus, PhoneNumber, UserId};
use calls_core::ports::{
    AnswerRequest, AnswerRequestError, ProviderWebhooks, Refusal, ReportRequestError,
    StatusCallback, VerifyError, WebhookReply, WebhookRequest,
};
use calls_core::services::ProviderReport;
use support::*;

fn webhooks() -> TwilioWebhooks {
    TwilioVoiceProvider::new(&rest_config("http://127.0.0.1:9"), fixed_clock())
        .expect("valid")
        .webhooks()
}

fn pairs(params: &[(&str, &str)]) -> Vec<(String, String)> {
    params
        .iter()
        .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
        .collect()
}

/// A POST to `path` with `params` in its form body, unsigned.
fn post(path: &str, params: &[(&str, &str)]) -> WebhookRequest {
    WebhookRequest {
        path_and_query: path.to_owned(),
        form: pairs(params),
        ..WebhookRequest::default()
    }
}

/// `request`, signed as Twilio signs it: over the public URL and the form parameters.
fn signed(mut request: WebhookRequest) -> WebhookRequest {
    let url = format!("{PUBLIC_BASE_URL}{}", request.path_and_query);
    request.signature = Some(signature::compute(AUTH_TOKEN, &url, &request.form));
    request
}

#[test]
fn signatures_are_read_from_twilios_header() {
    assert_eq!(webhooks().signature_header(), "X-Twilio-Signature");
    assert_eq!(SIGNATURE_HEADER, "X-Twilio-Signature");
}

#[test]
fn requests_signed_as_twilio_signs_them_verify() {
    let webhooks = webhooks();
    let request = signed(post(
        "/api/voice/status",
        &[("CallSid", "CA1"), ("CallStatus", "ringing")],
    ));
    assert_eq!(webhooks.verify(&request), Ok(()));

    // A GET is signed over its URL alone; its parameters are in the query.
    let mut get = signed(WebhookRequest {
        path_and_query: "/api/voice/twiml?CallSid=CA1&To=%2B4930901820".to_owned(),
        ..WebhookRequest::default()
    });
    get.query = pairs(&[("CallSid", "CA1"), ("To", "+4930901820")]);
    assert_eq!(webhooks.verify(&get), Ok(()));
}

#[test]
fn unsigned_requests_are_refused_as_unsigned() {
    let webhooks = webhooks();
    for signature in [None, Some(""), Some(" \t ")] {
        let mut request = post("/api/voice/status", &[("CallSid", "CA1")]);
        request.signature = signature.map(str::to_owned);
        assert_eq!(
            webhooks.verify(&request),
            Err(VerifyError::Unsigned),
            "{signature:?}"
        );
    }
}

#[test]
fn forged_or_tampered_requests_are_refused() {
    let webhooks = webhooks();
    let params = [("CallSid", "CA1"), ("CallStatus", "completed")];
    let good = signed(post("/api/voice/status", &params));

    let mut forged = good.clone();
    forged.signature = Some(signature::compute(
        "not-the-auth-token",
        &format!("{PUBLIC_BASE_URL}/api/voice/status"),
        &forged.form,
    ));
    let mut other_path = good.clone();
    other_path.path_and_query = "/api/voice/twiml".to_owned();
    let mut other_params = good.clone();
    other_params.form[1].1 = "ringing".to_owned();
    let mut extra_param = good.clone();
    extra_param
        .form
        .push(("CallDuration".to_owned(), "999".to_owned()));
    let mut local_url = good.clone();
    local_url.signature = Some(signature::compute(
        AUTH_TOKEN,
        "http://127.0.0.1:8080/api/voice/status",
        &local_url.form,
    ));
    let mut garbage = good;
    garbage.signature = Some("forged".to_owned());

    for (what, request) in [
        ("another auth token", forged),
        ("another path", other_path),
        ("another value", other_params),
        ("an added parameter", extra_param),
        ("the server's own address", local_url),
        ("not a signature", garbage),
    ] {
        assert_eq!(
            webhooks.verify(&request),
            Err(VerifyError::BadSignature),
            "{what}"
        );
    }
}

#[test]
fn query_parameters_of_a_post_are_signed_as_part_of_the_url() {
    let webhooks = webhooks();
    let mut request = signed(post("/api/voice/status?attempt=2", &[("CallSid", "CA1")]));
    request.query = pairs(&[("attempt", "2")]);
    assert_eq!(webhooks.verify(&request), Ok(()));
    request.path_and_query = "/api/voice/status?attempt=3".to_owned();
    assert_eq!(webhooks.verify(&request), Err(VerifyError::BadSignature));
}

#[test]
fn a_status_callback_becomes_a_provider_report() {
    let request = post(
        "/api/voice/status",
        &[
            ("CallSid", "CA2"),
            ("ParentCallSid", "CA1"),
            ("CallStatus", "completed"),
            ("CallDuration", " 42 "),
            ("SequenceNumber", "3"),
        ],
    );
    assert_eq!(
        webhooks().status_callback(&request),
        Ok(StatusCallback::Report(ProviderReport {
            session_id: "CA2".to_owned(),
            parent_session_id: Some("CA1".to_owned()),
            status: CallStatus::Completed,
            duration: Some(42),
            sequence: Some(3),
            call_id: None,
        }))
    );
}

#[test]
fn status_callback_fields_are_optional_unless_required() {
    let request = post(
        "/api/voice/status",
        &[
            ("CallSid", "CA1"),
            ("CallStatus", "In-Progress"),
            ("CallDuration", ""),
            ("ParentCallSid", "  "),
        ],
    );
    assert_eq!(
        webhooks().status_callback(&request),
        Ok(StatusCallback::Report(ProviderReport {
            session_id: "CA1".to_owned(),
            parent_session_id: None,
            status: CallStatus::Active,
            duration: None,
            sequence: None,
            call_id: None,
        })),
        "blank means absent"
    );
}

#[test]
fn unknown_statuses_are_reported_as_such() {
    let request = post(
        "/api/voice/status",
        &[("CallSid", "CA1"), ("CallStatus", "teleported")],
    );
    assert_eq!(
        webhooks().status_callback(&request),
        Ok(StatusCallback::UnknownStatus {
            reported: "teleported".to_owned()
        })
    );
    let bad_duration = post(
        "/api/voice/status",
        &[
            ("CallSid", "CA1"),
            ("CallStatus", "teleported"),
            ("CallDuration", "x"),
        ],
    );
    assert!(
        matches!(
            webhooks().status_callback(&bad_duration),
            Ok(StatusCallback::UnknownStatus { .. })
        ),
        "an unknown status is ignored before anything else is read"
    );
}

#[test]
fn a_status_callback_needs_a_call_sid_and_a_status() {
    let webhooks = webhooks();
    for (params, missing) in [
        (vec![("CallStatus", "ringing")], "CallSid"),
        (vec![("CallSid", " "), ("CallStatus", "ringing")], "CallSid"),
        (vec![("CallSid", "CA1")], "CallStatus"),
        (vec![("CallSid", "CA1"), ("CallStatus", "")], "CallStatus"),
    ] {
        let error = webhooks
            .status_callback(&post("/api/voice/status", &params))
            .expect_err("refused");
        assert_eq!(error, ReportRequestError::Missing(missing), "{params:?}");
        assert_eq!(error.to_string(), format!("{missing} is required"));
    }
}

#[test]
fn call_duration_must_be_whole_seconds() {
    let webhooks = webhooks();
    for duration in ["-1", "1.5", "42s", "4294967296", "forty"] {
        let request = post(
            "/api/voice/status",
            &[
                ("CallSid", "CA1"),
                ("CallStatus", "completed"),
                ("CallDuration", duration),
            ],
        );
        let error = webhooks.status_callback(&request).expect_err(duration);
        assert_eq!(
            error.to_string(),
            "CallDuration must be a whole number of seconds",
            "{duration}"
        );
    }
}

#[test]
fn form_fields_come_before_query_fields() {
    let mut request = post(
        "/api/voice/status?CallStatus=failed",
        &[("CallSid", "CA1"), ("CallStatus", "ringing")],
    );
    request.query = pairs(&[("CallStatus", "failed"), ("CallDuration", "7")]);
    let Ok(StatusCallback::Report(report)) = webhooks().status_callback(&request) else {
        panic!("a report");
    };
    assert_eq!(report.status, CallStatus::Connecting);
    assert_eq!(
        report.duration,
        Some(7),
        "the query fills in what the form lacks"
    );

    let get = WebhookRequest {
        path_and_query: "/api/voice/twiml?CallSid=CA9&Direction=outbound-api".to_owned(),
        query: pairs(&[("CallSid", "CA9"), ("Direction", "outbound-api")]),
        ..WebhookRequest::default()
    };
    assert_eq!(
        webhooks().answer_request(&get),
        Ok(AnswerRequest::PlacedCallAnswered {
            session_id: "CA9".to_owned(),
            call_id: None,
        }),
        "a GET's parameters are in its query"
    );
}

#[test]
fn a_call_we_placed_asks_whether_to_keep_it() {
    for direction in ["outbound-api", "outbound-api-something-later"] {
        let request = post(
            "/api/voice/twiml",
            &[
                ("CallSid", "CA1"),
                ("Direction", direction),
                ("From", FROM_NUMBER),
                ("To", DESTINATION),
            ],
        );
        assert_eq!(
            webhooks().answer_request(&request),
            Ok(AnswerRequest::PlacedCallAnswered {
                session_id: "CA1".to_owned(),
                call_id: None,
            }),
            "{direction}"
        );
    }
}

#[test]
fn a_browser_asks_to_dial_as_one_of_our_users_or_not() {
    let user = UserId::new();
    let identity = format!("client:user_{}", user.as_uuid().simple());
    for (from, direction, caller) in [
        (identity.as_str(), Some("inbound"), Some(user)),
        (identity.as_str(), None, Some(user)),
        ("client:someone_else", Some("inbound"), None),
        ("+14155550199", Some("outbound-dial"), None),
    ] {
        let mut params = vec![("CallSid", "CA1"), ("From", from), ("To", DESTINATION)];
        params.extend(direction.map(|direction| ("Direction", direction)));
        assert_eq!(
            webhooks().answer_request(&post("/api/voice/twiml", &params)),
            Ok(AnswerRequest::BrowserDial {
                caller,
                to: DESTINATION.to_owned(),
                session_id: "CA1".to_owned(),
            }),
            "{from} {direction:?}"
        );
    }
    assert_eq!(
        webhooks().answer_request(&post("/api/voice/twiml", &[("CallSid", "CA1")])),
        Ok(AnswerRequest::BrowserDial {
            caller: None,
            to: String::new(),
            session_id: "CA1".to_owned(),
        }),
        "nothing to dial is left for the use case to refuse"
    );
}

#[test]
fn an_answer_request_needs_a_call_sid() {
    for params in [vec![("To", DESTINATION)], vec![("CallSid", "")]] {
        let error = webhooks()
            .answer_request(&post("/api/voice/twiml", &params))
            .expect_err("refused");
        assert_eq!(error, AnswerRequestError::Missing("CallSid"));
        assert_eq!(error.to_string(), "CallSid is required");
    }
}

#[test]
fn replies_are_twiml() {
    let webhooks = webhooks();
    let to = PhoneNumber::parse(DESTINATION).expect("valid");
    let call_id = CallId::new();
    let dial = webhooks.render(&WebhookReply::Dial {
        number: to.clone(),
        call_id,
    });
    assert_eq!(dial.content_type, "application/xml; charset=utf-8");
    assert_eq!(dial.body, webhooks.dial(&to, call_id));
    assert!(
        dial.body.contains(&format!("callerId=\"{FROM_NUMBER}\"")),
        "{}",
        dial.body
    );
    assert!(
        dial.body.contains(&format!(
            "statusCallback=\"{PUBLIC_BASE_URL}/api/voice/status?call_id={call_id}\""
        )),
        "the dialled leg's reports name our call: {}",
        dial.body
    );

    let hold = webhooks.render(&WebhookReply::Hold);
    assert_eq!(hold.content_type, "application/xml; charset=utf-8");
    assert_eq!(hold.body, twiml::hold());

    let hang_up = webhooks.render(&WebhookReply::HangUp);
    assert_eq!(hang_up.content_type, "application/xml; charset=utf-8");
    assert_eq!(
        hang_up.body, r#"<?xml version="1.0" encoding="UTF-8"?><Response><Hangup/></Response>"#,
        "nothing is said to the stranger who answered"
    );
}

#[test]
fn refusals_say_why_and_hang_up_without_the_number() {
    let webhooks = webhooks();
    for (refusal, sentence) in [
        (
            Refusal::UnknownCaller,
            "This caller is not allowed to place calls.",
        ),
        (
            Refusal::InvalidNumber,
            "The number you dialled is not valid.",
        ),
        (
            Refusal::DestinationNotAllowed,
            "Calls to this destination are not allowed.",
        ),
        (
            Refusal::NoPendingCall,
            "Please start the call from the application.",
        ),
    ] {
        assert_eq!(spoken(refusal), sentence);
        let document = webhooks.render(&WebhookReply::Refuse(refusal));
        assert_eq!(document.content_type, "application/xml; charset=utf-8");
        assert_eq!(document.body, twiml::refuse(sentence));
        assert!(document.body.ends_with("<Hangup/></Response>"));
        assert!(!document.body.contains("<Dial"));
    }
}

#[test]
fn webhooks_use_the_public_base_url_and_the_configured_caller_id() {
    let provider =
        TwilioVoiceProvider::new(&rest_config("http://127.0.0.1:9"), fixed_clock()).expect("valid");
    let webhooks = provider.webhooks();

    let call_id = CallId::new();
    assert_eq!(
        webhooks.twiml_url(call_id),
        format!("{PUBLIC_BASE_URL}/api/voice/twiml?call_id={call_id}")
    );
    assert_eq!(
        webhooks.status_callback_url(call_id),
        format!("{PUBLIC_BASE_URL}/api/voice/status?call_id={call_id}")
    );
    let to = PhoneNumber::parse(DESTINATION).expect("valid");
    assert_eq!(
        webhooks.dial(&to, call_id),
        twiml::dial(
            FROM_NUMBER,
            DESTINATION,
            &webhooks.status_callback_url(call_id)
        )
    );

    let params = [("CallSid", "CA1"), ("CallStatus", "ringing")];
    let url = format!("{PUBLIC_BASE_URL}/api/voice/status");
    let header = signature::compute(AUTH_TOKEN, &url, &params);
    assert!(webhooks.verify_signature("/api/voice/status", &params, &header));
    assert!(!webhooks.verify_signature("/api/voice/twiml", &params, &header));
    assert!(!webhooks.verify_signature("/api/voice/status", &params[..1], &header));
    assert!(!format!("{webhooks:?}").contains(AUTH_TOKEN));
}

#[test]
fn signatures_over_the_url_with_or_without_the_default_port_verify() {
    let webhooks = webhooks();
    let params = [("CallSid", "CA1"), ("CallStatus", "ringing")];
    let path = "/api/voice/status?call_id=1";
    let signed_over = |url: &str| signature::compute(AUTH_TOKEN, url, &params);
    let host = PUBLIC_BASE_URL.trim_start_matches("https://");
    for url in [
        format!("https://{host}{path}"),
        format!("https://{host}:443{path}"),
    ] {
        assert!(
            webhooks.verify_signature(path, &params, &signed_over(&url)),
            "{url}"
        );
    }
    for url in [
        format!("https://{host}:8443{path}"),
        format!("https://{host}:80{path}"),
        format!("http://{host}{path}"),
        format!("http://{host}:443{path}"),
        format!("https://{host}:0443{path}"),
    ] {
        assert!(
            !webhooks.verify_signature(path, &params, &signed_over(&url)),
            "only the two forms of the default port: {url}"
        );
    }
}

#[test]
fn a_public_url_with_the_default_port_also_verifies_without_it() {
    let mut config = rest_config("http://127.0.0.1:9");
    config.public_base_url = Some("https://calls.example.test:443".to_owned());
    let webhooks = TwilioVoiceProvider::new(&config, fixed_clock())
        .expect("valid")
        .webhooks();
    let params = [("CallSid", "CA1")];
    for url in [
        "https://calls.example.test/api/voice/status",
        "https://calls.example.test:443/api/voice/status",
    ] {
        let header = signature::compute(AUTH_TOKEN, url, &params);
        assert!(
            webhooks.verify_signature("/api/voice/status", &params, &header),
            "{url}"
        );
    }
}

#[test]
fn our_call_id_and_the_sequence_number_are_read() {
    let call_id = CallId::new();
    let mut request = post(
        &format!("/api/voice/status?call_id={call_id}"),
        &[
            ("CallSid", "CA1"),
            ("CallStatus", "ringing"),
            ("SequenceNumber", "18446744073709551615"),
        ],
    );
    request.query = pairs(&[("call_id", &call_id.to_string())]);
    let Ok(StatusCallback::Report(report)) = webhooks().status_callback(&request) else {
        panic!("a report");
    };
    assert_eq!(
        (report.call_id, report.sequence),
        (Some(call_id), Some(u64::MAX))
    );

    let mut answered = post(
        "/api/voice/twiml",
        &[("CallSid", "CA1"), ("Direction", "outbound-api")],
    );
    answered.query = pairs(&[("call_id", &call_id.to_string())]);
    assert_eq!(
        webhooks().answer_request(&answered),
        Ok(AnswerRequest::PlacedCallAnswered {
            session_id: "CA1".to_owned(),
            call_id: Some(call_id),
        })
    );

    // Only the URL's query carries our id: a form field of that name is not ours.
    let mut from_form = post(
        "/api/voice/status",
        &[
            ("CallSid", "CA1"),
            ("CallStatus", "ringing"),
            ("call_id", &call_id.to_string()),
        ],
    );
    from_form.query.clear();
    let Ok(StatusCallback::Report(report)) = webhooks().status_callback(&from_form) else {
        panic!("a report");
    };
    assert_eq!(report.call_id, None);
}

#[test]
fn a_malformed_call_id_or_sequence_number_is_the_senders_mistake() {
    let mut bad_id = post(
        "/api/voice/status?call_id=nope",
        &[("CallSid", "CA1"), ("CallStatus", "ringing")],
    );
    bad_id.query = pairs(&[("call_id", "nope")]);
    assert_eq!(
        webhooks().status_callback(&bad_id).map(|_| ()),
        Err(ReportRequestError::Malformed {
            name: "call_id",
            expected: "a call id"
        })
    );
    let mut answered = post(
        "/api/voice/twiml?call_id=nope",
        &[("CallSid", "CA1"), ("Direction", "outbound-api")],
    );
    answered.query = pairs(&[("call_id", "nope")]);
    assert_eq!(
        webhooks()
            .answer_request(&answered)
            .map_err(|error| error.to_string()),
        Err("call_id must be a call id".to_owned())
    );
    for sequence in ["-1", "1.0", "x", "18446744073709551616"] {
        let request = post(
            "/api/voice/status",
            &[
                ("CallSid", "CA1"),
                ("CallStatus", "ringing"),
                ("SequenceNumber", sequence),
            ],
        );
        assert_eq!(
            webhooks()
                .status_callback(&request)
                .map_err(|error| error.to_string()),
            Err("SequenceNumber must be a whole number".to_owned()),
            "{sequence}"
        );
    }
}
