//! The address of the TCP peer, for per-address login throttling.
//!
//! Forwarding headers are not trusted: anyone can send `X-Forwarded-For`, and a throttle keyed
//! on it could be dodged with one header. Behind a proxy every request shares the proxy's
//! address, which makes the per-address limit stricter, never weaker.

use std::future::{Ready, ready};
use std::net::{IpAddr, Ipv4Addr};

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};

use crate::error::ApiError;

#[derive(Debug, Clone, Copy)]
pub struct ClientIp(pub IpAddr);

impl FromRequest for ClientIp {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let ip = req
            .peer_addr()
            .map(|addr| addr.ip())
            .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
        ready(Ok(ClientIp(ip)))
    }
}
