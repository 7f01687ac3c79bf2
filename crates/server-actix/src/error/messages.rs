//! Every message an error can carry: its catalog id, the code it belongs to and the Fluent
//! variables it takes. The messages themselves are in `locales/<language>/errors.ftl`; this list
//! is what the catalog test (`tests/catalogs.rs`) holds each catalog to, entry by entry and
//! variable by variable.
//!
//! A code's own message has the code's name as its id; a code with several messages has
//! `<code>--<variant>` entries too. Adding one: a line here, an entry in every catalog.

use super::codes::ErrorCode;
use crate::i18n::{self, Arg, Language};

/// A catalog entry of an error message. Only the constants of this module exist, so every id
/// the server can use is listed in [`ALL`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct MessageId {
    id: &'static str,
    code: ErrorCode,
    variables: &'static [&'static str],
}

impl MessageId {
    /// The Fluent message id.
    pub const fn id(self) -> &'static str {
        self.id
    }

    pub const fn code(self) -> ErrorCode {
        self.code
    }

    /// The Fluent variables (`{ $name }`) the entry takes.
    pub const fn variables(self) -> &'static [&'static str] {
        self.variables
    }
}

macro_rules! message_ids {
    ($( $(#[$doc:meta])* $name:ident = $id:literal of $code:ident [$($var:ident),*]; )+) => {
        $(
            $(#[$doc])*
            pub const $name: MessageId = MessageId {
                id: $id,
                code: ErrorCode::$code,
                variables: &[$(stringify!($var)),*],
            };
        )+

        /// Every message id, in the order of this file.
        pub const ALL: &[MessageId] = &[$($name),+];
    };
}

message_ids! {
    VALIDATION_ERROR = "validation_error" of ValidationError [];
    EMAIL_REQUIRED = "validation_error--email-required" of ValidationError [];
    EMAIL_TOO_LONG = "validation_error--email-too-long" of ValidationError [max];
    EMAIL_INVALID = "validation_error--email-invalid" of ValidationError [];
    PASSWORD_TOO_SHORT = "validation_error--password-too-short" of ValidationError [min];
    PASSWORD_TOO_LONG = "validation_error--password-too-long" of ValidationError [max];
    PASSWORD_TOO_COMMON = "validation_error--password-too-common" of ValidationError [];
    PHONE_REQUIRED = "validation_error--phone-required" of ValidationError [];
    PHONE_NOT_E164 = "validation_error--phone-not-e164" of ValidationError [];
    PHONE_NOT_VALID_FOR_COUNTRY =
        "validation_error--phone-not-valid-for-country" of ValidationError [];
    PHONE_REFUSED_BY_PROVIDER = "validation_error--phone-refused-by-provider" of ValidationError [];
    STATUS_UNKNOWN = "validation_error--status-unknown" of ValidationError [];
    /// The `{id}` of a call's URL.
    PATH_ID_NOT_UUID = "validation_error--path-id-not-uuid" of ValidationError [];
    FIELD_NOT_UUID = "validation_error--field-not-uuid" of ValidationError [field];
    DURATION_OUT_OF_RANGE = "validation_error--duration-out-of-range" of ValidationError [max];
    NOT_POSITIVE_INTEGER = "validation_error--not-positive-integer" of ValidationError [field];
    NOT_DATE_TIME = "validation_error--not-date-time" of ValidationError [field];
    TIME_ZONE_UNKNOWN = "validation_error--time-zone-unknown" of ValidationError [];
    CURSOR_UNKNOWN = "validation_error--cursor-unknown" of ValidationError [];
    PAGE_OUT_OF_RANGE = "validation_error--page-out-of-range" of ValidationError [max];
    LIMIT_OUT_OF_RANGE = "validation_error--limit-out-of-range" of ValidationError [max];
    DATE_RANGE_EMPTY = "validation_error--date-range-empty" of ValidationError [];
    QUERY_TOO_LONG = "validation_error--query-too-long" of ValidationError [max];
    /// `detail` is serde's description (English: it names the parameter and the problem).
    QUERY_INVALID = "validation_error--query-invalid" of ValidationError [detail];
    BODY_NOT_OBJECT = "validation_error--body-not-object" of ValidationError [];
    BODY_UNREADABLE = "validation_error--body-unreadable" of ValidationError [];
    JSON_TRAILING_DATA = "validation_error--json-trailing-data" of ValidationError [];
    /// `detail` is serde_json's description with its line and column.
    JSON_MALFORMED = "validation_error--json-malformed" of ValidationError [detail];
    FIELD_MISSING = "validation_error--field-missing" of ValidationError [field];
    BODY_INVALID = "validation_error--body-invalid" of ValidationError [detail];
    FIELD_INVALID = "validation_error--field-invalid" of ValidationError [field, detail];
    WEBHOOK_FORM_INVALID = "validation_error--webhook-form-invalid" of ValidationError [];
    WEBHOOK_PARAMETER_MISSING =
        "validation_error--webhook-parameter-missing" of ValidationError [name];
    /// `expected` is the provider adapter's description (English: webhooks are machines').
    WEBHOOK_PARAMETER_MALFORMED =
        "validation_error--webhook-parameter-malformed" of ValidationError [name, expected];
    /// A request actix-http could not parse (`server/parse_errors.rs`).
    REQUEST_UNPARSABLE = "validation_error--request-unparsable" of ValidationError [];
    INVALID_RESET_TOKEN = "invalid_reset_token" of InvalidResetToken [];
    UNAUTHORIZED = "unauthorized" of Unauthorized [];
    INVALID_CREDENTIALS = "invalid_credentials" of InvalidCredentials [];
    /// Change password: the current password given is not the account's.
    CURRENT_PASSWORD_WRONG =
        "invalid_credentials--current-password" of InvalidCredentials [];
    /// Account deletion: the password given is not the account's.
    PASSWORD_WRONG = "invalid_credentials--password" of InvalidCredentials [];
    FORBIDDEN = "forbidden" of Forbidden [];
    DESTINATION_NOT_ALLOWED = "destination_not_allowed" of DestinationNotAllowed [];
    DESTINATION_COUNTRY_NOT_ALLOWED =
        "destination_not_allowed--country" of DestinationNotAllowed [country];
    DESTINATION_WITHOUT_COUNTRY =
        "destination_not_allowed--no-country" of DestinationNotAllowed [];
    DESTINATION_REFUSED_BY_PROVIDER =
        "destination_not_allowed--provider" of DestinationNotAllowed [];
    INVALID_SIGNATURE = "invalid_signature" of InvalidSignature [];
    NOT_FOUND = "not_found" of NotFound [];
    CALL_NOT_FOUND = "call_not_found" of CallNotFound [];
    METHOD_NOT_ALLOWED = "method_not_allowed" of MethodNotAllowed [allow];
    USER_ALREADY_EXISTS = "user_already_exists" of UserAlreadyExists [];
    INVALID_TRANSITION = "invalid_transition" of InvalidTransition [current, requested];
    CALL_IN_PROGRESS = "call_in_progress" of CallInProgress [limit];
    PAYLOAD_TOO_LARGE = "payload_too_large" of PayloadTooLarge [limit];
    UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type" of UnsupportedMediaType [];
    WEBHOOK_NOT_A_FORM = "unsupported_media_type--webhook-form" of UnsupportedMediaType [];
    RATE_LIMITED = "rate_limited" of RateLimited [seconds];
    DAILY_LIMIT_EXCEEDED = "daily_limit_exceeded" of DailyLimitExceeded [limit];
    REQUEST_HEADER_FIELDS_TOO_LARGE =
        "request_header_fields_too_large" of RequestHeaderFieldsTooLarge [];
    INTERNAL_ERROR = "internal_error" of InternalError [];
    DATABASE_UNAVAILABLE = "database_unavailable" of DatabaseUnavailable [];
    VOIP_UNAVAILABLE = "voip_unavailable" of VoipUnavailable [];
    VOICE_NOT_CONFIGURED = "voice_not_configured" of VoiceNotConfigured [];
    MAIL_NOT_CONFIGURED = "mail_not_configured" of MailNotConfigured [];
}

/// A message to render in whichever language the request negotiates: an id and its
/// arguments, not text, so that the language can be chosen after the error is made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    id: MessageId,
    args: Vec<(&'static str, Arg)>,
}

impl Message {
    pub fn new(id: MessageId) -> Self {
        Self {
            id,
            args: Vec::new(),
        }
    }

    /// Sets the variable `name`, which must be one the entry takes.
    pub fn arg(mut self, name: &'static str, value: impl Into<Arg>) -> Self {
        debug_assert!(
            self.id.variables.contains(&name),
            "{} takes no variable {name}",
            self.id.id
        );
        self.args.push((name, value.into()));
        self
    }

    pub fn id(&self) -> MessageId {
        self.id
    }

    pub fn render(&self, language: Language) -> String {
        i18n::render(language, self.id.id, &self.args)
    }
}

impl From<MessageId> for Message {
    fn from(id: MessageId) -> Self {
        Self::new(id)
    }
}
