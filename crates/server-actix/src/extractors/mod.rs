//! Request extractors that turn every kind of bad input into the contract's JSON errors.

mod body;
mod client_ip;
mod json_body;
mod query;
mod session;
mod webhook_form;

pub use body::MAX_BODY_BYTES;
pub use client_ip::ClientIp;
pub use json_body::ApiJson;
pub use query::ApiQuery;
pub use session::{LiveSession, SignatureVerifiedOnly};
pub use webhook_form::WebhookForm;
