//! Hands every finished exchange to an observer: how the API tests check each response against
//! `openapi.yml`. Off (no observer, a pass-through) in a normal server.

use std::sync::Arc;

use actix_web::body::{BoxBody, MessageBody, to_bytes};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{Method, StatusCode, header};
use actix_web::middleware::Next;
use actix_web::web::{self, Bytes};

/// One request and its answer, as the client received it.
#[derive(Debug, Clone)]
pub struct Exchange {
    pub method: Method,
    /// The request path.
    pub path: String,
    /// The matched route pattern (`/api/calls/{id}`), `None` for an unknown route.
    pub route: Option<String>,
    pub status: StatusCode,
    pub content_type: Option<String>,
    pub headers: Vec<(String, String)>,
    pub body: Bytes,
}

/// Called once per exchange, on the worker thread, after the response is complete.
pub type ExchangeObserver = Arc<dyn Fn(&Exchange) + Send + Sync>;

/// The observer as app data (a newtype, so it cannot collide with other app data).
#[derive(Clone)]
pub struct ObserverHandle(pub ExchangeObserver);

pub async fn observe(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let observer = req
        .app_data::<web::Data<ObserverHandle>>()
        .map(|handle| handle.0.clone());
    let method = req.method().clone();
    let path = req.path().to_owned();
    let response = next.call(req).await?.map_into_boxed_body();
    let Some(observer) = observer else {
        return Ok(response);
    };
    let route = response.request().match_pattern();
    let (request, response) = response.into_parts();
    let (response, body) = response.into_parts();
    let body = to_bytes(body)
        .await
        .map_err(|_| actix_web::error::ErrorInternalServerError("response body unreadable"))?;
    let exchange = Exchange {
        method,
        path,
        route,
        status: response.status(),
        content_type: response
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned),
        headers: response
            .headers()
            .iter()
            .map(|(name, value)| {
                (
                    name.as_str().to_owned(),
                    value.to_str().unwrap_or_default().to_owned(),
                )
            })
            .collect(),
        body: body.clone(),
    };
    observer(&exchange);
    Ok(ServiceResponse::new(
        request,
        response.set_body(BoxBody::new(body)),
    ))
}
