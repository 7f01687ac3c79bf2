//! Request extractors that turn every kind of bad input into the contract's JSON errors.

mod authenticated;
mod client_ip;
mod json_body;
mod query;

pub use authenticated::Authenticated;
pub use client_ip::ClientIp;
pub use json_body::{ApiJson, MAX_BODY_BYTES};
pub use query::ApiQuery;
