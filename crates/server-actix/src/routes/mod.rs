//! The route table: one line per path, its methods and their handlers. Each resource answers
//! its own methods and a JSON 405 with `Allow` for the rest; anything else is a JSON 404. Every
//! resource is wrapped in `catch_panic` (at resource level, after routing, because the
//! middleware keeps a handle on the request, which routing needs to own exclusively).
//!
//! The same table yields [`ROUTES`], which a test compares with `openapi.yml`: a route cannot be
//! added without its spec entry.

mod account;
// ---- issue 19, items 5 and 7 (export, destinations) ----
mod account_export;
mod countries;
// ----
mod auth;
mod calls;
mod docs;
mod fallback;
mod history;
mod password_reset;
mod system;
mod voice_calls;
mod voice_webhooks;

use actix_web::http::Method;
use actix_web::middleware::from_fn;
use actix_web::web;

use crate::middleware::catch_panic;

use fallback::method_not_allowed;

pub use docs::OPENAPI_YAML;
pub use fallback::route_not_found;

/// `"GET, POST"` from `GET, POST`, at compile time, for the `Allow` header.
macro_rules! allow {
    ($first:ident $(, $rest:ident)*) => {
        concat!(stringify!($first) $(, ", ", stringify!($rest))*)
    };
}

macro_rules! route_table {
    ($( $path:literal => [$($method:ident => $handler:path),+ $(,)?] ),+ $(,)?) => {
        /// Every path the server routes (actix syntax) with the methods it serves, in order.
        pub const ROUTES: &[(&str, &[&str])] = &[$( ($path, &[$(stringify!($method)),+]) ),+];

        /// Registers every route of the API, in the order of the table.
        pub fn configure(cfg: &mut web::ServiceConfig) {
            $(
                cfg.service(
                    web::resource($path)
                        $(.route(web::route().method(Method::$method).to($handler)))+
                        .default_service(method_not_allowed(allow!($($method),+)))
                        .wrap(from_fn(catch_panic)),
                );
            )+
        }
    };
}

route_table! {
    "/system/health" => [GET => system::health],
    "/system/ready" => [GET => system::ready],
    "/openapi.yml" => [GET => docs::openapi],
    "/docs" => [GET => docs::docs_root],
    "/docs/{file:.*}" => [GET => docs::docs_file],
    "/api/auth/register" => [POST => auth::register],
    "/api/auth/login" => [POST => auth::login],
    "/api/auth/logout" => [POST => auth::logout],
    "/api/auth/logout-all" => [POST => account::logout_all],
    "/api/auth/password" => [POST => account::change_password],
    "/api/auth/password-reset" => [POST => password_reset::request],
    "/api/auth/password-reset/confirm" => [POST => password_reset::confirm],
    "/api/account" => [DELETE => account::delete],
    "/api/calls" => [POST => calls::create],
    // Before `/api/calls/{id}`, so that these names are never taken for an id.
    "/api/calls/history" => [GET => history::list],
    "/api/calls/initiate" => [POST => voice_calls::initiate],
    "/api/calls/terminate" => [POST => voice_calls::terminate],
    "/api/calls/{id}" => [PUT => calls::update],
    "/api/voice/token" => [POST => voice_calls::token],
    "/api/voice/twiml" => [GET => voice_webhooks::twiml, POST => voice_webhooks::twiml],
    "/api/voice/status" => [POST => voice_webhooks::status],
    // ---- issue 19, items 5 and 7 (export, destinations) ----
    "/api/account/export" => [GET => account_export::export],
    "/api/countries" => [GET => countries::list],
    // ----
}
