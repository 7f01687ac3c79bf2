//! The one error type every handler returns, rendered as the contract's
//! `{"error": "<code>", "message": "<text>"}` body. The code comes from the registry in
//! [`codes`]; the message is a catalog entry of [`messages`], rendered in English here and in
//! the request's language by [`crate::i18n::localise`].

mod codes;
mod from_account;
mod from_core;
mod from_domain;
mod from_export;
mod from_password_reset;
mod from_voice;
mod from_webhooks;
pub mod messages;

pub use codes::ErrorCode;
pub use messages::{Message, MessageId};

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;

use crate::i18n::Language;
use messages as m;

/// An HTTP error with a stable snake_case `code` for programs and a sentence for people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    code: ErrorCode,
    message: Message,
    retry_after_secs: Option<u64>,
    allow: Option<&'static str>,
}

/// The wire form of every error.
#[derive(Debug, Serialize)]
pub struct ErrorBody<'a> {
    pub error: &'a str,
    pub message: &'a str,
}

impl ApiError {
    /// `code`'s answer with `message`, which must be one of `code`'s own messages.
    pub fn new(code: ErrorCode, message: impl Into<Message>) -> Self {
        let message = message.into();
        debug_assert_eq!(message.id().code(), code, "{:?}", message.id());
        Self {
            code,
            message,
            retry_after_secs: None,
            allow: None,
        }
    }

    /// The error whose code is `message`'s.
    pub fn with(message: impl Into<Message>) -> Self {
        let message = message.into();
        Self::new(message.id().code(), message)
    }

    pub fn validation(message: impl Into<Message>) -> Self {
        Self::new(ErrorCode::ValidationError, message)
    }

    pub fn unauthorized() -> Self {
        Self::with(m::UNAUTHORIZED)
    }

    pub fn forbidden() -> Self {
        Self::with(m::FORBIDDEN)
    }

    pub fn route_not_found() -> Self {
        Self::with(m::NOT_FOUND)
    }

    pub fn call_not_found() -> Self {
        Self::with(m::CALL_NOT_FOUND)
    }

    /// `allow` lists the methods the route does accept, for the `Allow` header.
    pub fn method_not_allowed(allow: &'static str) -> Self {
        let mut error = Self::with(Message::new(m::METHOD_NOT_ALLOWED).arg("allow", allow));
        error.allow = Some(allow);
        error
    }

    pub fn payload_too_large(limit_bytes: usize) -> Self {
        Self::with(Message::new(m::PAYLOAD_TOO_LARGE).arg("limit", limit_bytes))
    }

    pub fn unsupported_media_type() -> Self {
        Self::with(m::UNSUPPORTED_MEDIA_TYPE)
    }

    pub fn rate_limited(retry_after_secs: u64) -> Self {
        let seconds = retry_after_secs.max(1);
        let mut error = Self::with(Message::new(m::RATE_LIMITED).arg("seconds", seconds));
        error.retry_after_secs = Some(seconds);
        error
    }

    pub fn database_unavailable() -> Self {
        Self::with(m::DATABASE_UNAVAILABLE)
    }

    pub fn internal() -> Self {
        Self::with(m::INTERNAL_ERROR)
    }

    pub fn status(&self) -> StatusCode {
        self.code.status()
    }

    pub fn code(&self) -> &'static str {
        self.code.as_str()
    }

    pub fn error_code(&self) -> ErrorCode {
        self.code
    }

    /// The message in English.
    pub fn message(&self) -> String {
        self.message.render(Language::En)
    }

    pub fn message_in(&self, language: Language) -> String {
        self.message.render(language)
    }

    /// The JSON body in `language`.
    pub fn body_in(&self, language: Language) -> Vec<u8> {
        let message = self.message_in(language);
        serde_json::to_vec(&ErrorBody {
            error: self.code(),
            message: &message,
        })
        // A struct of two strings always serializes.
        .unwrap_or_default()
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {}: {}",
            self.status().as_u16(),
            self.code(),
            self.message()
        )
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status()
    }

    /// In English; [`crate::i18n::localise`] renders it again for another language.
    fn error_response(&self) -> HttpResponse {
        let mut response = HttpResponse::build(self.status());
        if let Some(seconds) = self.retry_after_secs {
            response.insert_header((header::RETRY_AFTER, seconds.to_string()));
        }
        if let Some(allow) = self.allow {
            response.insert_header((header::ALLOW, HeaderValue::from_static(allow)));
        }
        response
            .content_type(mime_json())
            .insert_header((
                header::CONTENT_LANGUAGE,
                HeaderValue::from_static(Language::En.tag()),
            ))
            .body(self.body_in(Language::En))
    }
}

fn mime_json() -> HeaderValue {
    HeaderValue::from_static("application/json")
}
