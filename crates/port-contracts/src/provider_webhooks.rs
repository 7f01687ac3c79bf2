//! Contract suite for the `provider_webhooks` port.
//!
//! Every adapter must:
//! * name a signature header;
//! * refuse a request without a signature, or with a blank one, as `Unsigned`, and one with a
//!   signature that is not the provider's as `BadSignature`, whatever the request;
//! * let a request through that is signed as the provider signs it, and refuse it again once
//!   its path or a parameter is changed;
//! * refuse to read a status callback or an answer request that carries no parameters at all;
//! * render every reply as a document with a content type, the dial reply naming the number.
//!
//! The suites take a [`Subject`]: the adapter and a function that signs a request as the
//! provider would. Rules are plain functions; `provider_webhooks_contract_tests!` generates one
//! test per rule.

use calls_core::domain::{CallId, PhoneNumber};
use calls_core::ports::{
    ProviderWebhooks, Refusal, ReplyDocument, VerifyError, WebhookReply, WebhookRequest,
};

/// Signs a request as the provider would (the signature header's value).
pub type Signer = Box<dyn Fn(&WebhookRequest) -> String + Send + Sync>;

/// An adapter under test and how its provider signs.
pub struct Subject {
    webhooks: Box<dyn ProviderWebhooks>,
    sign: Signer,
}

impl Subject {
    pub fn new(
        webhooks: impl ProviderWebhooks + 'static,
        sign: impl Fn(&WebhookRequest) -> String + Send + Sync + 'static,
    ) -> Self {
        Self {
            webhooks: Box::new(webhooks),
            sign: Box::new(sign),
        }
    }

    pub fn webhooks(&self) -> &dyn ProviderWebhooks {
        self.webhooks.as_ref()
    }

    /// `request`, signed as the provider signs it.
    pub fn signed(&self, mut request: WebhookRequest) -> WebhookRequest {
        request.signature = Some((self.sign)(&request));
        request
    }
}

/// A form POST to a webhook path with a few plausible parameters, unsigned.
pub fn request() -> WebhookRequest {
    let pair = |name: &str, value: &str| (name.to_owned(), value.to_owned());
    WebhookRequest {
        path_and_query: "/api/voice/status?attempt=1".to_owned(),
        query: vec![pair("attempt", "1")],
        form: vec![pair("id", "contract-1"), pair("status", "ringing")],
        signature: None,
    }
}

/// Rule: the signature header has a name.
pub fn names_a_signature_header(subject: &Subject) {
    let header = subject.webhooks().signature_header();
    assert!(
        !header.is_empty()
            && header
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-'),
        "provider_webhooks contract: the signature header must be a header name, got {header:?}"
    );
}

/// Rule: a missing or blank signature is `Unsigned`, a foreign one `BadSignature`.
pub fn unsigned_and_forged_requests_are_refused(subject: &Subject) {
    for signature in [None, Some(""), Some("   ")] {
        let request = WebhookRequest {
            signature: signature.map(str::to_owned),
            ..request()
        };
        assert_eq!(
            subject.webhooks().verify(&request),
            Err(VerifyError::Unsigned),
            "provider_webhooks contract: a request signed {signature:?} must be Unsigned"
        );
    }
    for signature in ["forged", "AAAAAAAAAAAAAAAAAAAAAAAAAAA=", "\u{0}"] {
        let request = WebhookRequest {
            signature: Some(signature.to_owned()),
            ..request()
        };
        assert_eq!(
            subject.webhooks().verify(&request),
            Err(VerifyError::BadSignature),
            "provider_webhooks contract: a request signed {signature:?} must be BadSignature"
        );
    }
}

/// Rule: a request signed as the provider signs it verifies; changed afterwards, it does not.
pub fn signed_requests_verify_until_changed(subject: &Subject) {
    let signed = subject.signed(request());
    assert_eq!(
        subject.webhooks().verify(&signed),
        Ok(()),
        "provider_webhooks contract: a request signed as the provider signs must verify"
    );
    let mut other_path = signed.clone();
    other_path.path_and_query = "/api/voice/twiml?attempt=1".to_owned();
    let mut other_value = signed.clone();
    other_value.form[1].1 = "completed".to_owned();
    let mut added = signed;
    added.form.push(("duration".to_owned(), "999".to_owned()));
    for (what, request) in [
        ("another path", other_path),
        ("another value", other_value),
        ("an added parameter", added),
    ] {
        assert_eq!(
            subject.webhooks().verify(&request),
            Err(VerifyError::BadSignature),
            "provider_webhooks contract: a signed request with {what} must be BadSignature"
        );
    }
}

/// Rule: a request without any parameter is neither a status callback nor an answer request.
pub fn empty_requests_cannot_be_read(subject: &Subject) {
    let empty = subject.signed(WebhookRequest {
        path_and_query: "/api/voice/status".to_owned(),
        ..WebhookRequest::default()
    });
    let report = subject.webhooks().status_callback(&empty);
    assert!(
        report.is_err(),
        "provider_webhooks contract: an empty status callback must be refused, got {report:?}"
    );
    let answer = subject.webhooks().answer_request(&empty);
    assert!(
        answer.is_err(),
        "provider_webhooks contract: an empty answer request must be refused, got {answer:?}"
    );
}

/// Rule: every reply renders with a content type and a body; dialling names the number; the
/// silent hang-up says nothing (no refusal sentence).
pub fn every_reply_renders(subject: &Subject) {
    let number = PhoneNumber::parse("+4930901820").unwrap_or_else(|error| {
        panic!("provider_webhooks contract: the test number must be valid: {error}")
    });
    let check = |what: &str, document: &ReplyDocument| {
        assert!(
            !document.content_type.is_empty() && !document.body.is_empty(),
            "provider_webhooks contract: the {what} reply must have a content type and a body"
        );
    };
    let dial = subject.webhooks().render(&WebhookReply::Dial {
        number: number.clone(),
        call_id: CallId::new(),
    });
    check("dial", &dial);
    assert!(
        dial.body.contains(number.as_e164()),
        "provider_webhooks contract: the dial reply must name the number: {}",
        dial.body
    );
    check("hold", &subject.webhooks().render(&WebhookReply::Hold));
    let hang_up = subject.webhooks().render(&WebhookReply::HangUp);
    check("hang-up", &hang_up);
    for refusal in [
        Refusal::UnknownCaller,
        Refusal::InvalidNumber,
        Refusal::DestinationNotAllowed,
        Refusal::NoPendingCall,
    ] {
        let document = subject.webhooks().render(&WebhookReply::Refuse(refusal));
        check(&format!("{refusal:?} refusal"), &document);
        assert_ne!(
            document.body, hang_up.body,
            "provider_webhooks contract: a refusal says why, the silent hang-up does not"
        );
    }
}

/// Runs every rule, each against a fresh subject from `factory`.
pub fn run_all(factory: impl Fn() -> Subject) {
    names_a_signature_header(&factory());
    unsigned_and_forged_requests_are_refused(&factory());
    signed_requests_verify_until_changed(&factory());
    empty_requests_cannot_be_read(&factory());
    every_reply_renders(&factory());
}

/// Generates a module `provider_webhooks_contract` with one `#[test]` per rule. `$factory` is
/// an expression, evaluated afresh for every test, giving a [`Subject`]; names from the
/// invoking module are in scope:
///
/// ```ignore
/// fn subject() -> calls_port_contracts::provider_webhooks::Subject { ... }
/// calls_port_contracts::provider_webhooks_contract_tests!(subject());
/// ```
#[macro_export]
macro_rules! provider_webhooks_contract_tests {
    ($factory:expr) => {
        mod provider_webhooks_contract {
            #[allow(unused_imports)]
            use super::*;

            #[test]
            fn names_a_signature_header() {
                $crate::provider_webhooks::names_a_signature_header(&$factory);
            }

            #[test]
            fn unsigned_and_forged_requests_are_refused() {
                $crate::provider_webhooks::unsigned_and_forged_requests_are_refused(&$factory);
            }

            #[test]
            fn signed_requests_verify_until_changed() {
                $crate::provider_webhooks::signed_requests_verify_until_changed(&$factory);
            }

            #[test]
            fn empty_requests_cannot_be_read() {
                $crate::provider_webhooks::empty_requests_cannot_be_read(&$factory);
            }

            #[test]
            fn every_reply_renders() {
                $crate::provider_webhooks::every_reply_renders(&$factory);
            }
        }
    };
}
