//! `ApiQuery<T>`: query-string extractor with the contract's 400 body. Repeated parameters are
//! refused ("duplicate field") rather than silently picking one.

use std::future::{Ready, ready};

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};
use serde::de::DeserializeOwned;

use crate::error::{ApiError, Message, messages as m};

/// Query strings longer than this are refused outright.
const MAX_QUERY_BYTES: usize = 4 * 1024;

#[derive(Debug)]
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned> FromRequest for ApiQuery<T> {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let query = req.query_string();
        if query.len() > MAX_QUERY_BYTES {
            return ready(Err(ApiError::validation(
                Message::new(m::QUERY_TOO_LONG).arg("max", MAX_QUERY_BYTES),
            )));
        }
        // Invalid UTF-8 in a value decodes to U+FFFD, which the field validation then refuses.
        let result = serde_urlencoded::from_str(query)
            .map(ApiQuery)
            .map_err(|err| {
                ApiError::validation(Message::new(m::QUERY_INVALID).arg("detail", err.to_string()))
            });
        ready(result)
    }
}
