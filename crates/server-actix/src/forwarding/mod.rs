//! The client behind the proxies: which peers are trusted proxies
//! ([`TrustedProxies`], `server.trusted_proxies`), what they record (`X-Forwarded-For`,
//! `Forwarded`, `X-Forwarded-Proto`), and the resulting [`ClientOrigin`] of a request, the one
//! address that login limits, the access log and the request span all use.

mod client;
mod headers;
mod trusted_proxies;

pub use client::{ClientOrigin, Forwarding, client_origin, resolve};
pub use trusted_proxies::{TrustedProxies, TrustedProxyError};
