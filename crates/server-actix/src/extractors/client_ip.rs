//! The client's address, for per-address login throttling.
//!
//! The TCP peer, unless the peer is one of `server.trusted_proxies`: then the address that
//! proxy recorded in `X-Forwarded-For` / `Forwarded` (see [`crate::forwarding`]). Forwarding
//! headers from any other peer are ignored, so a client cannot dodge the limit by sending one.

use std::future::{Ready, ready};
use std::net::IpAddr;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};

use crate::error::ApiError;
use crate::forwarding::client_origin;

#[derive(Debug, Clone, Copy)]
pub struct ClientIp(pub IpAddr);

impl FromRequest for ClientIp {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Ok(ClientIp(client_origin(req).ip)))
    }
}
