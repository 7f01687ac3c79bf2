//! Turns a panic in a handler into the contract's 500 body instead of a dropped connection,
//! so one bug costs one request and the worker keeps serving.

use std::panic::AssertUnwindSafe;

use actix_web::HttpResponse;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use futures::FutureExt;

use crate::error::ApiError;

pub async fn catch_panic(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let request = req.request().clone();
    match AssertUnwindSafe(next.call(req)).catch_unwind().await {
        Ok(result) => result.map(ServiceResponse::map_into_boxed_body),
        Err(_) => {
            tracing::error!("handler panicked; answered 500");
            // From the error, so that `localise` can answer in the request's language.
            Ok(ServiceResponse::new(
                request,
                HttpResponse::from_error(ApiError::internal()),
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use actix_web::middleware::from_fn;
    use actix_web::{App, HttpResponse, test, web};

    use super::catch_panic;

    async fn boom() -> HttpResponse {
        panic!("handler bug")
    }

    #[actix_web::test]
    async fn a_panic_is_a_json_500_and_the_app_keeps_serving() {
        let app = test::init_service(
            App::new()
                .service(
                    web::resource("/boom")
                        .route(web::get().to(boom))
                        .wrap(from_fn(catch_panic)),
                )
                .service(
                    web::resource("/fine")
                        .route(web::get().to(HttpResponse::Ok))
                        .wrap(from_fn(catch_panic)),
                ),
        )
        .await;
        let response =
            test::call_service(&app, test::TestRequest::get().uri("/boom").to_request()).await;
        assert_eq!(response.status(), 500);
        let body: serde_json::Value = test::read_body_json(response).await;
        assert_eq!(
            body,
            serde_json::json!({"error": "internal_error", "message": "an internal error occurred"})
        );
        let response =
            test::call_service(&app, test::TestRequest::get().uri("/fine").to_request()).await;
        assert_eq!(response.status(), 200);
    }
}
