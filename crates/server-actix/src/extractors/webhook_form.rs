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
use crate::error::ApiError;
use crate::state::AppState;

#[derive(Debug, Clone)]
pub struct WebhookForm(pub WebhookRequest);

impl FromRequest for WebhookForm {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let path_and_query = req
            .uri()
            .path_and_query()
            .map_or_else(|| req.path().to_owned(), |pq| pq.as_str().to_owned());
        let Some(state) = req.app_data::<web::Data<AppState>>() else {
            return Box::pin(std::future::ready(Err(ApiError::internal())));
        };
        let signature = req
            .headers()
            .get(state.webhooks.signature_header())
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
                    return Err(ApiError::new(
                        actix_web::http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
                        "unsupported_media_type",
                        "webhook body must be application/x-www-form-urlencoded",
                    ));
                }
                parse_pairs(&read_limited(payload, declared_length).await?)?
            } else {
                Vec::new()
            };
            Ok(Self(WebhookRequest {
                path_and_query,
                query,
                form,
                signature,
            }))
        })
    }
}

fn parse_pairs(raw: &[u8]) -> Result<Vec<(String, String)>, ApiError> {
    serde_urlencoded::from_bytes(raw)
        .map_err(|_| ApiError::validation("webhook parameters are not valid form encoding"))
}
