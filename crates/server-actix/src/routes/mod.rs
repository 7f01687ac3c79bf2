//! The route table. Each resource answers its own methods and a JSON 405 with `Allow` for the
//! rest; anything else is a JSON 404.

mod auth;
mod calls;
mod fallback;
mod history;
mod system;

use actix_web::web;

use fallback::method_not_allowed;

pub use fallback::route_not_found;

/// Registers every route of the API.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/system/health")
            .route(web::get().to(system::health))
            .default_service(method_not_allowed("GET")),
    )
    .service(
        web::resource("/system/ready")
            .route(web::get().to(system::ready))
            .default_service(method_not_allowed("GET")),
    )
    .service(
        web::resource("/api/auth/register")
            .route(web::post().to(auth::register))
            .default_service(method_not_allowed("POST")),
    )
    .service(
        web::resource("/api/auth/login")
            .route(web::post().to(auth::login))
            .default_service(method_not_allowed("POST")),
    )
    .service(
        web::resource("/api/auth/logout")
            .route(web::post().to(auth::logout))
            .default_service(method_not_allowed("POST")),
    )
    .service(
        web::resource("/api/calls")
            .route(web::post().to(calls::create))
            .default_service(method_not_allowed("POST")),
    )
    // Registered before `/api/calls/{id}` so that `history` is never taken for an id.
    .service(
        web::resource("/api/calls/history")
            .route(web::get().to(history::list))
            .default_service(method_not_allowed("GET")),
    )
    .service(
        web::resource("/api/calls/{id}")
            .route(web::put().to(calls::update))
            .default_service(method_not_allowed("PUT")),
    );
}
