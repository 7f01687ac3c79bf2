//! The core's validation errors as catalog messages. The core says what is wrong in English
//! (`Display`, for logs and tests); what the client reads is chosen here, per variant, so that
//! it can be said in every language.

use calls_core::domain::{
    CursorError, DestinationRefusal, EmailError, MAX_EMAIL_LENGTH, MAX_PAGE_NUMBER, MAX_PAGE_SIZE,
    MAX_PASSWORD_CHARS, MIN_PASSWORD_CHARS, PaginationError, PasswordError, PhoneNumberError,
    UnknownCallStatus,
};
use calls_core::ports::{AnswerRequestError, ReportRequestError};

use super::messages::{self as m, Message};

impl From<EmailError> for Message {
    fn from(err: EmailError) -> Self {
        match err {
            EmailError::Empty => Message::new(m::EMAIL_REQUIRED),
            EmailError::TooLong => Message::new(m::EMAIL_TOO_LONG).arg("max", MAX_EMAIL_LENGTH),
            EmailError::Invalid => Message::new(m::EMAIL_INVALID),
        }
    }
}

impl From<PasswordError> for Message {
    fn from(err: PasswordError) -> Self {
        match err {
            PasswordError::TooShort => {
                Message::new(m::PASSWORD_TOO_SHORT).arg("min", MIN_PASSWORD_CHARS)
            }
            PasswordError::TooLong => {
                Message::new(m::PASSWORD_TOO_LONG).arg("max", MAX_PASSWORD_CHARS)
            }
            PasswordError::TooCommon => Message::new(m::PASSWORD_TOO_COMMON),
        }
    }
}

impl From<PhoneNumberError> for Message {
    fn from(err: PhoneNumberError) -> Self {
        Message::new(match err {
            PhoneNumberError::Empty => m::PHONE_REQUIRED,
            PhoneNumberError::NotE164 => m::PHONE_NOT_E164,
            PhoneNumberError::NotValidForCountry => m::PHONE_NOT_VALID_FOR_COUNTRY,
        })
    }
}

impl From<DestinationRefusal> for Message {
    fn from(refusal: DestinationRefusal) -> Self {
        match refusal {
            DestinationRefusal::CountryNotAllowed(country) => {
                Message::new(m::DESTINATION_COUNTRY_NOT_ALLOWED).arg("country", country)
            }
            DestinationRefusal::NoCountry => Message::new(m::DESTINATION_WITHOUT_COUNTRY),
            DestinationRefusal::BlockedPrefix => Message::new(m::DESTINATION_NOT_ALLOWED),
        }
    }
}

impl From<UnknownCallStatus> for Message {
    fn from(_: UnknownCallStatus) -> Self {
        Message::new(m::STATUS_UNKNOWN)
    }
}

impl From<PaginationError> for Message {
    fn from(err: PaginationError) -> Self {
        match err {
            PaginationError::Page => Message::new(m::PAGE_OUT_OF_RANGE).arg("max", MAX_PAGE_NUMBER),
            PaginationError::Limit => Message::new(m::LIMIT_OUT_OF_RANGE).arg("max", MAX_PAGE_SIZE),
            PaginationError::EmptyRange => Message::new(m::DATE_RANGE_EMPTY),
        }
    }
}

impl From<CursorError> for Message {
    fn from(_: CursorError) -> Self {
        Message::new(m::CURSOR_UNKNOWN)
    }
}

impl From<ReportRequestError> for Message {
    fn from(err: ReportRequestError) -> Self {
        match err {
            ReportRequestError::Missing(name) => {
                Message::new(m::WEBHOOK_PARAMETER_MISSING).arg("name", name)
            }
            ReportRequestError::Malformed { name, expected } => {
                Message::new(m::WEBHOOK_PARAMETER_MALFORMED)
                    .arg("name", name)
                    .arg("expected", expected)
            }
        }
    }
}

impl From<AnswerRequestError> for Message {
    fn from(err: AnswerRequestError) -> Self {
        match err {
            AnswerRequestError::Missing(name) => {
                Message::new(m::WEBHOOK_PARAMETER_MISSING).arg("name", name)
            }
            AnswerRequestError::Malformed { name, expected } => {
                Message::new(m::WEBHOOK_PARAMETER_MALFORMED)
                    .arg("name", name)
                    .arg("expected", expected)
            }
        }
    }
}
