//! Every `error` code the server can answer, with its HTTP status: the one list that the
//! catalog test (`tests/catalogs.rs`) checks against each language's catalog, so that a code
//! cannot be added without its message in every language.
//!
//! Adding a code: one line here, one entry named after the code in each
//! `locales/<language>/errors.ftl` (plus `<code>--<variant>` entries and their lines in
//! [`super::messages`] when the code has several messages).

use actix_web::http::StatusCode;

macro_rules! error_codes {
    ($( $(#[$doc:meta])* $variant:ident = $code:literal, $status:ident; )+) => {
        /// A stable snake_case `error` code: never translated, whatever the language.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum ErrorCode {
            $( $(#[$doc])* $variant, )+
        }

        impl ErrorCode {
            /// Every code, in the order of this file.
            pub const ALL: &[ErrorCode] = &[$(ErrorCode::$variant),+];

            /// The code as the wire carries it, which is also the id of its catalog entry.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(ErrorCode::$variant => $code,)+
                }
            }

            pub const fn status(self) -> StatusCode {
                match self {
                    $(ErrorCode::$variant => StatusCode::$status,)+
                }
            }
        }
    };
}

error_codes! {
    /// Bad input of any kind; the message says which field and why.
    ValidationError = "validation_error", BAD_REQUEST;
    /// A password-reset token that is malformed, unknown, spent or expired.
    InvalidResetToken = "invalid_reset_token", BAD_REQUEST;
    Unauthorized = "unauthorized", UNAUTHORIZED;
    InvalidCredentials = "invalid_credentials", UNAUTHORIZED;
    Forbidden = "forbidden", FORBIDDEN;
    DestinationNotAllowed = "destination_not_allowed", FORBIDDEN;
    InvalidSignature = "invalid_signature", FORBIDDEN;
    /// An unknown route.
    NotFound = "not_found", NOT_FOUND;
    CallNotFound = "call_not_found", NOT_FOUND;
    MethodNotAllowed = "method_not_allowed", METHOD_NOT_ALLOWED;
    UserAlreadyExists = "user_already_exists", CONFLICT;
    InvalidTransition = "invalid_transition", CONFLICT;
    CallInProgress = "call_in_progress", CONFLICT;
    PayloadTooLarge = "payload_too_large", PAYLOAD_TOO_LARGE;
    UnsupportedMediaType = "unsupported_media_type", UNSUPPORTED_MEDIA_TYPE;
    RateLimited = "rate_limited", TOO_MANY_REQUESTS;
    DailyLimitExceeded = "daily_limit_exceeded", TOO_MANY_REQUESTS;
    /// Refused by actix-http before the application runs (`server/parse_errors.rs`).
    RequestHeaderFieldsTooLarge = "request_header_fields_too_large", REQUEST_HEADER_FIELDS_TOO_LARGE;
    InternalError = "internal_error", INTERNAL_SERVER_ERROR;
    DatabaseUnavailable = "database_unavailable", SERVICE_UNAVAILABLE;
    VoipUnavailable = "voip_unavailable", SERVICE_UNAVAILABLE;
    VoiceNotConfigured = "voice_not_configured", SERVICE_UNAVAILABLE;
    /// Password resets need a mail server (`SMTP_URL`), and none is configured.
    MailNotConfigured = "mail_not_configured", SERVICE_UNAVAILABLE;
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
