//! `WebhookForm`: the parameters of a provider webhook, as its signature covers them.
//!
//! Twilio signs the full URL it requested plus, for a POST, every form parameter. A GET carries
//! its parameters in the query string, which is already part of the signed URL.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::Method;
use actix_web::{FromRequest, HttpRequest};

use super::body::{content_type_essence, declared_length, read_limited};
use crate::error::ApiError;

const SIGNATURE_HEADER: &str = "X-Twilio-Signature";

#[derive(Debug, Clone)]
pub struct WebhookForm {
    /// Path and query as requested, e.g. `/api/voice/twiml?x=1`.
    pub path_and_query: String,
    /// The POST parameters the signature covers (empty for a GET).
    pub signed_params: Vec<(String, String)>,
    /// Every parameter, from the body (POST) or the query string (GET).
    pub fields: Vec<(String, String)>,
    pub signature: Option<String>,
}

impl WebhookForm {
    /// The first value of `name`, if present and not blank.
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
            .filter(|value| !value.trim().is_empty())
    }

    pub fn required(&self, name: &'static str) -> Result<&str, ApiError> {
        self.field(name)
            .ok_or_else(|| ApiError::validation(format!("{name} is required")))
    }
}

impl FromRequest for WebhookForm {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let path_and_query = req
            .uri()
            .path_and_query()
            .map_or_else(|| req.path().to_owned(), |pq| pq.as_str().to_owned());
        let signature = req
            .headers()
            .get(SIGNATURE_HEADER)
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned);
        let is_post = req.method() == Method::POST;
        let is_form = content_type_essence(req)
            .is_some_and(|essence| essence == "application/x-www-form-urlencoded");
        let query = req.query_string().to_owned();
        let declared_length = declared_length(req);
        let payload = payload.take();
        Box::pin(async move {
            let query_fields = parse_pairs(query.as_bytes())?;
            if !is_post {
                return Ok(Self {
                    path_and_query,
                    signed_params: Vec::new(),
                    fields: query_fields,
                    signature,
                });
            }
            if !is_form {
                return Err(ApiError::new(
                    actix_web::http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    "unsupported_media_type",
                    "webhook body must be application/x-www-form-urlencoded",
                ));
            }
            let body = read_limited(payload, declared_length).await?;
            let signed_params = parse_pairs(&body)?;
            let mut fields = signed_params.clone();
            fields.extend(query_fields);
            Ok(Self {
                path_and_query,
                signed_params,
                fields,
                signature,
            })
        })
    }
}

fn parse_pairs(raw: &[u8]) -> Result<Vec<(String, String)>, ApiError> {
    serde_urlencoded::from_bytes(raw)
        .map_err(|_| ApiError::validation("webhook parameters are not valid form encoding"))
}
