//! JSON answers for unknown routes and wrong methods (actix's defaults are empty bodies).

use actix_web::{Route, web};

use crate::error::ApiError;

pub fn method_not_allowed(allow: &'static str) -> Route {
    web::to(move || async move { Err::<(), _>(ApiError::method_not_allowed(allow)) })
}

pub async fn route_not_found() -> Result<(), ApiError> {
    Err(ApiError::route_not_found())
}
