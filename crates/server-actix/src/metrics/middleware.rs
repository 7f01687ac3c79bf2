//! The middleware that counts every API request: by method, route template (never the concrete
//! path, so that ids do not explode the label set) and status, with its latency; and, from the
//! error a handler answered with, provider failures and rate-limit rejections.
//!
//! It wraps the whole application, outside every other middleware, so that it sees the final
//! status (404s of unknown routes, 405s, 500s of caught panics included). The latency runs from
//! the request's arrival at the application to its response head, body streaming excluded.

use std::time::{Duration, Instant};

use actix_web::body::MessageBody;
use actix_web::dev::{Service, ServiceRequest, ServiceResponse, Transform, forward_ready};
use actix_web::http::StatusCode;
use futures::future::{LocalBoxFuture, Ready, ready};

use super::classify::{is_rate_limited, method_label, provider_error_kind, rate_limit_code};
use super::families::{Metrics, UNMATCHED_ROUTE};
use crate::error::ApiError;

/// `App::wrap(RecordMetrics::new(metrics))`; with `None` (no metrics listener) requests pass
/// through untouched.
#[derive(Debug, Clone)]
pub struct RecordMetrics {
    metrics: Option<Metrics>,
}

impl RecordMetrics {
    pub fn new(metrics: Option<Metrics>) -> Self {
        Self { metrics }
    }
}

impl<S, B> Transform<S, ServiceRequest> for RecordMetrics
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error>,
    S::Future: 'static,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse<B>;
    type Error = actix_web::Error;
    type Transform = RecordMetricsService<S>;
    type InitError = ();
    type Future = Ready<Result<Self::Transform, Self::InitError>>;

    fn new_transform(&self, service: S) -> Self::Future {
        ready(Ok(RecordMetricsService {
            service,
            metrics: self.metrics.clone(),
        }))
    }
}

pub struct RecordMetricsService<S> {
    service: S,
    metrics: Option<Metrics>,
}

impl<S, B> Service<ServiceRequest> for RecordMetricsService<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error>,
    S::Future: 'static,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse<B>;
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self::Response, Self::Error>>;

    forward_ready!(service);

    fn call(&self, req: ServiceRequest) -> Self::Future {
        let Some(metrics) = self.metrics.clone() else {
            return Box::pin(self.service.call(req));
        };
        let started = Instant::now();
        let method = method_label(req.method());
        // The resource map knows the template before routing runs; `None` is no route at all.
        let route = req
            .match_pattern()
            .unwrap_or_else(|| UNMATCHED_ROUTE.to_owned());
        let response = self.service.call(req);
        Box::pin(async move {
            let result = response.await;
            let outcome = match &result {
                Ok(response) => Outcome {
                    status: response.status(),
                    error: response.response().error(),
                },
                Err(error) => Outcome {
                    status: error.as_response_error().status_code(),
                    error: Some(error),
                },
            };
            outcome.record(&metrics, method, &route, started.elapsed());
            result
        })
    }
}

/// What the application answered: the status, and the error it answered with, if any.
struct Outcome<'a> {
    status: StatusCode,
    error: Option<&'a actix_web::Error>,
}

impl Outcome<'_> {
    fn record(&self, metrics: &Metrics, method: &'static str, route: &str, elapsed: Duration) {
        metrics.record_request(method, route, self.status.as_u16(), elapsed);
        let api_error = self.error.and_then(|error| error.as_error::<ApiError>());
        if let Some(kind) = api_error.and_then(provider_error_kind) {
            metrics.record_provider_error(kind);
        }
        if is_rate_limited(self.status) {
            metrics.record_rate_limit(rate_limit_code(api_error));
        }
    }
}

#[cfg(test)]
mod tests {
    use actix_web::{App, HttpResponse, test, web};
    use calls_core::services::InitiateError;

    use super::RecordMetrics;
    use crate::error::ApiError;
    use crate::metrics::Metrics;

    async fn unavailable() -> Result<HttpResponse, ApiError> {
        Err(ApiError::from(InitiateError::ProviderUnavailable(
            "timeout".to_owned(),
        )))
    }

    async fn throttled() -> Result<HttpResponse, ApiError> {
        Err(ApiError::rate_limited(30))
    }

    fn line_value(text: &str, prefix: &str) -> Option<String> {
        text.lines()
            .find(|line| line.starts_with(prefix))
            .map(|line| line[prefix.len()..].trim().to_owned())
    }

    #[actix_web::test]
    async fn counts_by_template_and_reads_the_error_answered() {
        let metrics = Metrics::new();
        let app = test::init_service(
            App::new()
                .route("/items/{id}", web::get().to(HttpResponse::Ok))
                .route("/voice", web::post().to(unavailable))
                .route("/login", web::post().to(throttled))
                .wrap(RecordMetrics::new(Some(metrics.clone()))),
        )
        .await;
        for uri in ["/items/1", "/items/2", "/nowhere/3"] {
            test::call_service(&app, test::TestRequest::get().uri(uri).to_request()).await;
        }
        for uri in ["/voice", "/login", "/login"] {
            test::call_service(&app, test::TestRequest::post().uri(uri).to_request()).await;
        }
        let text = metrics.encode().expect("encodes");
        let value = |prefix: &str| line_value(&text, prefix);
        assert_eq!(
            value(r#"http_requests_total{method="GET",route="/items/{id}",status="200"}"#),
            Some("2".to_owned()),
            "{text}"
        );
        assert_eq!(
            value(r#"http_requests_total{method="GET",route="unmatched",status="404"}"#),
            Some("1".to_owned()),
            "{text}"
        );
        assert!(!text.contains("/items/1"), "no concrete path: {text}");
        assert_eq!(
            value(r#"voip_provider_errors_total{kind="unavailable"}"#),
            Some("1".to_owned())
        );
        assert_eq!(
            value(r#"rate_limit_rejections_total{code="rate_limited"}"#),
            Some("2".to_owned())
        );
    }

    #[actix_web::test]
    async fn without_metrics_requests_pass_through() {
        let app = test::init_service(
            App::new()
                .route("/items/{id}", web::get().to(HttpResponse::Ok))
                .wrap(RecordMetrics::new(None)),
        )
        .await;
        let response =
            test::call_service(&app, test::TestRequest::get().uri("/items/1").to_request()).await;
        assert_eq!(response.status(), 200);
    }
}
