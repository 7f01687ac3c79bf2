//! Turns a panic in a handler into the contract's 500 body instead of a dropped connection,
//! so one bug costs one request and the worker keeps serving.

use std::panic::AssertUnwindSafe;

use actix_web::ResponseError;
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
            Ok(ServiceResponse::new(
                request,
                ApiError::internal().error_response(),
            ))
        }
    }
}
