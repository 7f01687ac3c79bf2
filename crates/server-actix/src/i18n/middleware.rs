//! Puts every error answer in the request's language. Errors are made where the request is
//! not at hand (an extractor, a use case's error mapping), so they carry a message id and its
//! arguments ([`crate::error::Message`]) and are rendered in English; this middleware, the
//! innermost of the application, finds the [`ApiError`] behind an answer and renders its body
//! again in the negotiated language.
//!
//! The rule on the wire: every answer carries `Vary: Accept-Language` (any route can answer an
//! error whose text depends on it), and every error answer `Content-Language`. Success bodies
//! hold no text for people, so they carry no `Content-Language`; the one that does (the
//! password-reset request's 202) sets its own.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::Next;

use super::Language;
use crate::error::ApiError;

pub async fn localise(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let language = Language::of_request(req.request());
    let mut response = next.call(req).await?.map_into_boxed_body();
    if language != Language::default() {
        let body = response
            .response()
            .error()
            .and_then(|error| error.as_error::<ApiError>())
            .map(|error| error.body_in(language));
        if let Some(body) = body {
            response = response.map_body(|_, _| BoxBody::new(body));
            response.headers_mut().insert(
                header::CONTENT_LANGUAGE,
                HeaderValue::from_static(language.tag()),
            );
        }
    }
    // Appended: CORS adds `Origin` to the same header.
    response
        .headers_mut()
        .append(header::VARY, HeaderValue::from_static("Accept-Language"));
    Ok(response)
}
