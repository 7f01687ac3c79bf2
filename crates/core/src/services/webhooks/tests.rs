//! The order of refusals of the webhook routes, with a mockall mock of the provider's webhooks.

use std::sync::Arc;

use super::*;
use crate::ports::MockProviderWebhooks;

const HEADER: &str = "X-Provider-Signature";

fn signed(signature: Option<&str>) -> WebhookRequest {
    WebhookRequest {
        path_and_query: "/api/voice/status".into(),
        form: vec![("CallSid".into(), "CA1".into())],
        signature: signature.map(str::to_owned),
        ..WebhookRequest::default()
    }
}

/// A provider whose `verify` answers `verdict`, expected `times` times.
fn provider(verdict: Result<(), VerifyError>, times: usize) -> Arc<dyn ProviderWebhooks> {
    let mut provider = MockProviderWebhooks::new();
    provider.expect_signature_header().return_const(HEADER);
    provider
        .expect_verify()
        .times(times)
        .returning(move |_| verdict.clone());
    Arc::new(provider)
}

#[test]
fn the_signature_header_is_the_providers_or_the_one_given() {
    let service = WebhookService::new(provider(Ok(()), 0));
    assert_eq!(service.signature_header(), HEADER);
    assert_eq!(
        WebhookService::without_provider("X-Other").signature_header(),
        "X-Other"
    );
}

#[test]
fn unsigned_requests_are_refused_before_the_provider_is_asked() {
    for signature in [None, Some(""), Some("  \t")] {
        let request = signed(signature);
        let service = WebhookService::new(provider(Ok(()), 0));
        assert_eq!(
            service.verify(&request).err(),
            Some(WebhookAccessError::Refused(VerifyError::Unsigned)),
            "{signature:?}"
        );
        assert_eq!(
            WebhookService::without_provider(HEADER)
                .verify(&request)
                .err(),
            Some(WebhookAccessError::Refused(VerifyError::Unsigned)),
            "whatever the provider: {signature:?}"
        );
    }
}

#[test]
fn signed_requests_without_a_provider_are_not_configured() {
    let service = WebhookService::without_provider(HEADER);
    assert_eq!(
        service.verify(&signed(Some("sig"))).err(),
        Some(WebhookAccessError::NotConfigured)
    );
}

#[test]
fn the_provider_decides_on_signed_requests() {
    let service = WebhookService::new(provider(Err(VerifyError::BadSignature), 1));
    assert_eq!(
        service.verify(&signed(Some("forged"))).err(),
        Some(WebhookAccessError::Refused(VerifyError::BadSignature))
    );
    let service = WebhookService::new(provider(Ok(()), 1));
    assert!(service.verify(&signed(Some("sig"))).is_ok());
}

#[test]
fn debug_shows_whether_webhooks_are_configured() {
    let debug = format!("{:?}", WebhookService::without_provider(HEADER));
    assert!(debug.contains("configured: false"), "{debug}");
}
