//! `GET /openapi.yml` (the published contract, compiled in) and `GET /docs/` (Swagger UI on that
//! spec, its files compiled in, so the page works without internet access).

use std::sync::{Arc, LazyLock};

use actix_web::http::header;
use actix_web::{HttpResponse, web};
use utoipa_swagger_ui::Config;

use crate::error::ApiError;

/// The contract as committed at the top of the repository.
pub const OPENAPI_YAML: &str = include_str!("../../../../openapi.yml");

const SPEC_PATH: &str = "/openapi.yml";

static SWAGGER_CONFIG: LazyLock<Arc<Config<'static>>> =
    LazyLock::new(|| Arc::new(Config::from(SPEC_PATH)));

pub async fn openapi() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/yaml; charset=utf-8")
        .body(OPENAPI_YAML)
}

/// `/docs` without the slash: the page's assets are relative, so it must be served from `/docs/`.
pub async fn docs_root() -> HttpResponse {
    HttpResponse::PermanentRedirect()
        .insert_header((header::LOCATION, "/docs/"))
        .finish()
}

pub async fn docs_file(tail: web::Path<String>) -> Result<HttpResponse, ApiError> {
    match utoipa_swagger_ui::serve(&tail, SWAGGER_CONFIG.clone()) {
        Ok(Some(file)) => Ok(HttpResponse::Ok()
            .content_type(file.content_type)
            .body(file.bytes.into_owned())),
        Ok(None) => Err(ApiError::route_not_found()),
        Err(error) => {
            tracing::error!(%error, "serving the docs page failed");
            Err(ApiError::internal())
        }
    }
}
