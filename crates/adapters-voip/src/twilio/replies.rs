//! Our answers to Twilio's TwiML requests as documents, and the sentences a refused caller hears.

use calls_core::ports::{Refusal, ReplyDocument};

/// What Twilio expects a TwiML answer to be served as.
pub const CONTENT_TYPE: &str = "application/xml; charset=utf-8";

pub(crate) fn document(twiml: String) -> ReplyDocument {
    ReplyDocument {
        content_type: CONTENT_TYPE,
        body: twiml,
    }
}

/// What the caller hears: short, and without the number.
pub fn spoken(refusal: Refusal) -> &'static str {
    match refusal {
        Refusal::UnknownCaller => "This caller is not allowed to place calls.",
        Refusal::InvalidNumber => "The number you dialled is not valid.",
        Refusal::DestinationNotAllowed => "Calls to this destination are not allowed.",
        Refusal::NoPendingCall => "Please start the call from the application.",
    }
}
