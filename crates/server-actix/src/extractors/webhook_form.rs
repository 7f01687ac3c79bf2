//! `WebhookForm`: a provider webhook's request as the core's [`WebhookRequest`], moved over
//! without interpreting it: path and query, the query's and the form body's parameters, and the
//! header the provider signs with (named by the core's `WebhookService`, so this crate knows no
//! provider). What the parameters mean and which of them are signed is the adapter's business.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::Method;
use actix_web::{FromRequest, HttpRequest, web};
use calls_core::ports::WebhookRequest;

use super::body::{content_type_essence, declared_length, read_limited};
use crate::error::{ApiError, messages as m};
use crate::state::AppState;

#[derive(Debug, Clone)]
pub struct WebhookForm(pub WebhookRequest);

impl FromRequest for WebhookForm {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        match req.app_data::<web::Data<AppState>>() {
            Some(state) => extract(req, payload, state.webhooks.signature_header()),
            None => Box::pin(std::future::ready(Err(ApiError::internal()))),
        }
    }
}

/// The request, its signature read from `signature_header`.
fn extract(
    req: &HttpRequest,
    payload: &mut Payload,
    signature_header: &str,
) -> Pin<Box<dyn Future<Output = Result<WebhookForm, ApiError>>>> {
    let path_and_query = req
        .uri()
        .path_and_query()
        .map_or_else(|| req.path().to_owned(), |pq| pq.as_str().to_owned());
    let signature = req
        .headers()
        .get(signature_header)
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    let is_post = req.method() == Method::POST;
    let is_form = content_type_essence(req)
        .is_some_and(|essence| essence == "application/x-www-form-urlencoded");
    let query = req.query_string().to_owned();
    let declared_length = declared_length(req);
    let payload = payload.take();
    Box::pin(async move {
        let query = parse_pairs(query.as_bytes())?;
        // A GET has no body: its parameters are all in the query string.
        let form = if is_post {
            if !is_form {
                return Err(ApiError::with(m::WEBHOOK_NOT_A_FORM));
            }
            parse_pairs(&read_limited(payload, declared_length).await?)?
        } else {
            Vec::new()
        };
        Ok(WebhookForm(WebhookRequest {
            path_and_query,
            query,
            form,
            signature,
        }))
    })
}

fn parse_pairs(raw: &[u8]) -> Result<Vec<(String, String)>, ApiError> {
    serde_urlencoded::from_bytes(raw).map_err(|_| ApiError::validation(m::WEBHOOK_FORM_INVALID))
}

#[cfg(test)]
mod tests {
    use actix_web::http::header::CONTENT_TYPE;
    use actix_web::test::TestRequest;

    use super::*;

    const HEADER: &str = "X-Test-Signature";
    const FORM: &str = "application/x-www-form-urlencoded";

    fn pairs(params: &[(&str, &str)]) -> Vec<(String, String)> {
        params
            .iter()
            .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
            .collect()
    }

    async fn extracted(request: TestRequest) -> Result<WebhookRequest, ApiError> {
        let (req, mut payload) = request.to_http_parts();
        extract(&req, &mut payload, HEADER)
            .await
            .map(|WebhookForm(request)| request)
    }

    #[actix_web::test]
    async fn a_post_carries_its_form_and_its_query_apart() {
        let request = extracted(
            TestRequest::post()
                .uri("/api/voice/status?attempt=2")
                .insert_header((
                    CONTENT_TYPE,
                    "application/x-www-form-urlencoded; charset=utf-8",
                ))
                .insert_header((HEADER, "sig"))
                .set_payload("CallSid=CA1&To=%2B4930901820&CallSid=CA2"),
        )
        .await
        .expect("extracted");
        assert_eq!(
            request,
            WebhookRequest {
                path_and_query: "/api/voice/status?attempt=2".to_owned(),
                query: pairs(&[("attempt", "2")]),
                form: pairs(&[
                    ("CallSid", "CA1"),
                    ("To", "+4930901820"),
                    ("CallSid", "CA2")
                ]),
                signature: Some("sig".to_owned()),
            }
        );
    }

    #[actix_web::test]
    async fn a_get_has_only_its_query() {
        let request = extracted(
            TestRequest::get()
                .uri("/api/voice/twiml?CallSid=CA1")
                .set_payload("ignored=1"),
        )
        .await
        .expect("extracted");
        assert_eq!(request.query, pairs(&[("CallSid", "CA1")]));
        assert!(request.form.is_empty());
        assert_eq!(request.signature, None);
    }

    #[actix_web::test]
    async fn the_signature_is_read_from_the_header_named_by_the_core_only() {
        let request = extracted(
            TestRequest::post()
                .uri("/api/voice/status")
                .insert_header((CONTENT_TYPE, FORM))
                .insert_header(("X-Twilio-Signature", "other"))
                .set_payload("CallSid=CA1"),
        )
        .await
        .expect("extracted");
        assert_eq!(request.signature, None);
    }

    #[actix_web::test]
    async fn a_post_body_must_be_a_form() {
        for content_type in [None, Some("application/json"), Some("text/plain")] {
            let mut request = TestRequest::post()
                .uri("/api/voice/status")
                .set_payload("CallSid=CA1");
            if let Some(content_type) = content_type {
                request = request.insert_header((CONTENT_TYPE, content_type));
            }
            let err = extracted(request).await.expect_err("refused");
            assert_eq!(err.code(), "unsupported_media_type", "{content_type:?}");
        }
    }

    #[actix_web::test]
    async fn oversized_bodies_are_413() {
        let request = TestRequest::post()
            .uri("/api/voice/status")
            .insert_header((CONTENT_TYPE, FORM))
            .set_payload(format!(
                "CallSid={}",
                "x".repeat(super::super::MAX_BODY_BYTES)
            ));
        let err = extracted(request).await.expect_err("refused");
        assert_eq!(err.code(), "payload_too_large");
    }

    #[actix_web::test]
    async fn without_the_app_state_it_is_an_internal_error() {
        let (req, mut payload) = TestRequest::get().uri("/api/voice/twiml").to_http_parts();
        let err = WebhookForm::from_request(&req, &mut payload)
            .await
            .expect_err("no state");
        assert_eq!(err.code(), "internal_error");
    }
}
