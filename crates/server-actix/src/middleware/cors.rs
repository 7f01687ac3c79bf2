//! CORS for the browser client: only the origins the operator lists (`CORS_ALLOWED_ORIGINS`,
//! none by default) may read responses from another origin. The answer names the one origin
//! that asked, never `*`, and no credentials mode is granted: the API authenticates with a
//! bearer token, not cookies, so a browser never needs to send credentials cross-origin. (The Go
//! backend answered `*` together with `Allow-Credentials: true`.)

use std::collections::HashSet;
use std::sync::Arc;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::http::header::{self, HeaderMap, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{HttpResponse, web};

const ALLOWED_METHODS: &str = "GET, POST, PUT";
const ALLOWED_HEADERS: &str = "Authorization, Content-Type, X-Request-Id";
const EXPOSED_HEADERS: &str = "X-Request-Id, Retry-After";
/// How long a browser may cache a preflight answer.
const PREFLIGHT_MAX_AGE_SECS: &str = "600";

/// The allowed origins, exactly as browsers send them (`https://app.example.com`).
#[derive(Debug, Clone, Default)]
pub struct CorsOrigins(Arc<HashSet<String>>);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CorsOriginError {
    #[error("'*' is not accepted: list the origins (the API never allows every origin)")]
    Wildcard,
    #[error(
        "'{0}' is not an origin: expected scheme://host[:port] with no path, e.g. https://app.example.com"
    )]
    NotAnOrigin(String),
}

impl CorsOrigins {
    /// Blank entries are skipped; a trailing `/` is dropped, as browsers never send one.
    pub fn new<I, S>(origins: I) -> Result<Self, CorsOriginError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut set = HashSet::new();
        for raw in origins {
            let origin = raw.as_ref().trim().trim_end_matches('/');
            if origin.is_empty() {
                continue;
            }
            if origin == "*" {
                return Err(CorsOriginError::Wildcard);
            }
            let well_formed = origin.split_once("://").is_some_and(|(scheme, rest)| {
                matches!(scheme, "http" | "https")
                    && !rest.is_empty()
                    && !rest.contains(['/', '?', '#', '@', ' ', '*'])
            });
            if !well_formed {
                return Err(CorsOriginError::NotAnOrigin(origin.to_owned()));
            }
            set.insert(origin.to_ascii_lowercase());
        }
        Ok(Self(Arc::new(set)))
    }

    fn allows(&self, origin: &str) -> bool {
        self.0.contains(&origin.to_ascii_lowercase())
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

pub async fn cors(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let origin = req
        .headers()
        .get(header::ORIGIN)
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    let Some(origin) = origin else {
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    let allowed = req
        .app_data::<web::Data<CorsOrigins>>()
        .is_some_and(|origins| origins.allows(&origin));
    let preflight = req.method() == Method::OPTIONS
        && req
            .headers()
            .contains_key(header::ACCESS_CONTROL_REQUEST_METHOD);

    if allowed && preflight {
        let mut response = HttpResponse::NoContent();
        response
            .insert_header((header::ACCESS_CONTROL_ALLOW_METHODS, ALLOWED_METHODS))
            .insert_header((header::ACCESS_CONTROL_ALLOW_HEADERS, ALLOWED_HEADERS))
            .insert_header((header::ACCESS_CONTROL_MAX_AGE, PREFLIGHT_MAX_AGE_SECS));
        let mut response = req.into_response(response.finish());
        allow_origin(response.headers_mut(), &origin);
        return Ok(response);
    }
    let mut response = next.call(req).await?.map_into_boxed_body();
    let headers = response.headers_mut();
    // The answer depends on the Origin header, whatever it was: caches must key on it.
    headers.append(header::VARY, HeaderValue::from_static("Origin"));
    if allowed {
        allow_origin(headers, &origin);
        headers.insert(
            header::ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static(EXPOSED_HEADERS),
        );
    }
    Ok(response)
}

fn allow_origin(headers: &mut HeaderMap, origin: &str) {
    if let Ok(value) = HeaderValue::from_str(origin) {
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, value);
        headers.append(header::VARY, HeaderValue::from_static("Origin"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_exact_and_case_insensitive() {
        let origins = CorsOrigins::new(["https://App.example.com/", ""]).expect("valid");
        assert!(origins.allows("https://app.example.com"));
        assert!(!origins.allows("https://app.example.com.evil.test"));
        assert!(!origins.allows("http://app.example.com"));
        assert!(!origins.allows("null"));
    }

    #[test]
    fn wildcards_and_non_origins_are_refused() {
        assert_eq!(
            CorsOrigins::new(["*"]).err(),
            Some(CorsOriginError::Wildcard)
        );
        for bad in [
            "app.example.com",
            "https://app.example.com/path",
            "ftp://x",
            "https://*.example.com",
        ] {
            assert!(
                matches!(
                    CorsOrigins::new([bad]),
                    Err(CorsOriginError::NotAnOrigin(_))
                ),
                "{bad}"
            );
        }
    }
}
