//! The route table. Each resource answers its own methods and a JSON 405 with `Allow` for the
//! rest; anything else is a JSON 404. Every resource is wrapped in `catch_panic` (at resource
//! level, after routing, because the middleware keeps a handle on the request, which routing
//! needs to own exclusively).

mod auth;
mod calls;
mod fallback;
mod history;
mod system;
mod voice_calls;
mod voice_webhooks;

use actix_web::middleware::from_fn;
use actix_web::web;

use crate::middleware::catch_panic;

use fallback::method_not_allowed;

pub use fallback::route_not_found;

/// Registers every route of the API.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/system/health")
            .route(web::get().to(system::health))
            .default_service(method_not_allowed("GET"))
            .wrap(from_fn(catch_panic)),
    )
    .service(
        web::resource("/system/ready")
            .route(web::get().to(system::ready))
            .default_service(method_not_allowed("GET"))
            .wrap(from_fn(catch_panic)),
    )
    .service(
        web::resource("/api/auth/register")
            .route(web::post().to(auth::register))
            .default_service(method_not_allowed("POST"))
            .wrap(from_fn(catch_panic)),
    )
    .service(
        web::resource("/api/auth/login")
            .route(web::post().to(auth::login))
            .default_service(method_not_allowed("POST"))
            .wrap(from_fn(catch_panic)),
    )
    .service(
        web::resource("/api/auth/logout")
            .route(web::post().to(auth::logout))
            .default_service(method_not_allowed("POST"))
            .wrap(from_fn(catch_panic)),
    )
    .service(
        web::resource("/api/calls")
            .route(web::post().to(calls::create))
            .default_service(method_not_allowed("POST"))
            .wrap(from_fn(catch_panic)),
    )
    // Registered before `/api/calls/{id}` so that these names are never taken for an id.
    .service(
        web::resource("/api/calls/initiate")
            .route(web::post().to(voice_calls::initiate))
            .default_service(method_not_allowed("POST"))
            .wrap(from_fn(catch_panic)),
    )
    .service(
        web::resource("/api/calls/terminate")
            .route(web::post().to(voice_calls::terminate))
            .default_service(method_not_allowed("POST"))
            .wrap(from_fn(catch_panic)),
    )
    .service(
        web::resource("/api/calls/history")
            .route(web::get().to(history::list))
            .default_service(method_not_allowed("GET"))
            .wrap(from_fn(catch_panic)),
    )
    .service(
        web::resource("/api/calls/{id}")
            .route(web::put().to(calls::update))
            .default_service(method_not_allowed("PUT"))
            .wrap(from_fn(catch_panic)),
    )
    .service(
        web::resource("/api/voice/token")
            .route(web::post().to(voice_calls::token))
            .default_service(method_not_allowed("POST"))
            .wrap(from_fn(catch_panic)),
    )
    .service(
        web::resource("/api/voice/twiml")
            .route(web::get().to(voice_webhooks::twiml))
            .route(web::post().to(voice_webhooks::twiml))
            .default_service(method_not_allowed("GET, POST"))
            .wrap(from_fn(catch_panic)),
    )
    .service(
        web::resource("/api/voice/status")
            .route(web::post().to(voice_webhooks::status))
            .default_service(method_not_allowed("POST"))
            .wrap(from_fn(catch_panic)),
    );
}
