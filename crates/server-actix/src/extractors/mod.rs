//! Request extractors that turn every kind of bad input into the contract's JSON errors.

mod authenticated;
mod body;
mod client_ip;
mod json_body;
mod query;
mod webhook_form;

pub use authenticated::{Authenticated, SignedIn};
pub use body::MAX_BODY_BYTES;
pub use client_ip::ClientIp;
pub use json_body::ApiJson;
pub use query::ApiQuery;
pub use webhook_form::WebhookForm;
