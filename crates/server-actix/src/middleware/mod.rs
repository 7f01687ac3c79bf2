//! Cross-cutting request handling: request ids and logs, panics, security headers, and the
//! exchange observer of the API tests.

mod catch_panic;
mod cors;
mod observe;
mod request_id;
mod security_headers;

pub use catch_panic::catch_panic;
pub use cors::{CorsOriginError, CorsOrigins, cors};
pub use observe::{Exchange, ExchangeObserver, ObserverHandle, observe};
pub use request_id::{REQUEST_ID_HEADER, request_id};
pub use security_headers::security_headers;
