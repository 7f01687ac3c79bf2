//! `GET /api/countries` (public): the destinations this deployment allows, named in the
//! request's language, cacheable by browsers and shared caches.
//!
//! `Cache-Control: public, max-age=3600`: the list changes only when the operator changes
//! `VOIP_ALLOWED_COUNTRIES` / `VOIP_BLOCKED_PREFIXES` (a restart) or the server's data
//! (an upgrade), so an hour of staleness is harmless and a client that revalidates with
//! `If-None-Match` gets a 304 without a body. `Vary: Accept-Language`, since the body depends
//! on it.

use actix_web::http::StatusCode;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use calls_core::ports::NameLanguage;

use crate::error::ApiError;
use crate::i18n::Language;
use crate::state::AppState;

pub const CACHE_CONTROL: &str = "public, max-age=3600";

/// The language is the one every answer negotiates (`Accept-Language`, see `i18n`).
pub async fn list(
    state: web::Data<AppState>,
    language: Language,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let language = NameLanguage::from(language);
    let rendered = state.countries.get(language).await.map_err(|error| {
        tracing::error!(%error, "destination list");
        ApiError::internal()
    })?;
    let status = if none_match(&req, &rendered.etag) {
        StatusCode::NOT_MODIFIED
    } else {
        StatusCode::OK
    };
    let mut response = HttpResponse::build(status);
    response
        .insert_header((header::ETAG, rendered.etag.as_str()))
        .insert_header((header::CACHE_CONTROL, CACHE_CONTROL))
        .insert_header((header::VARY, "Accept-Language"))
        .insert_header((header::CONTENT_LANGUAGE, language.tag()));
    if status == StatusCode::NOT_MODIFIED {
        return Ok(response.finish());
    }
    Ok(response
        .insert_header((header::CONTENT_TYPE, "application/json"))
        .body(rendered.body))
}

/// Whether `If-None-Match` matches `etag` (RFC 9110, section 13.1.2): `*`, or any entity tag
/// of any of the header's lines equal to it under the weak comparison (`W/` ignored). A field
/// that does not parse is ignored, as if absent: the full answer is never wrong.
fn none_match(req: &HttpRequest, etag: &str) -> bool {
    let ours = etag.trim_matches('"');
    req.headers()
        .get_all(header::IF_NONE_MATCH)
        .filter_map(|value| value.to_str().ok())
        .any(|value| {
            value.trim() == "*" || entity_tags(value).is_some_and(|tags| tags.contains(&ours))
        })
}

/// The opaque tags of a comma-separated list of `"tag"` / `W/"tag"`; `None` when malformed.
fn entity_tags(value: &str) -> Option<Vec<&str>> {
    let mut tags = Vec::new();
    let mut rest = value;
    loop {
        rest = rest.trim_start_matches([' ', '\t', ',']);
        if rest.is_empty() {
            return Some(tags);
        }
        rest = rest.strip_prefix("W/").unwrap_or(rest);
        let quoted = rest.strip_prefix('"')?;
        let end = quoted.find('"')?;
        tags.push(&quoted[..end]);
        rest = &quoted[end + 1..];
        if !(rest.is_empty() || rest.starts_with([' ', '\t', ','])) {
            return None;
        }
    }
}

#[cfg(test)]
mod tests {
    use actix_web::test::TestRequest;

    use super::*;

    #[test]
    fn entity_tag_lists_parse_strictly() {
        assert_eq!(entity_tags(r#""a""#), Some(vec!["a"]));
        assert_eq!(entity_tags(r#"W/"a", "b",,"c""#), Some(vec!["a", "b", "c"]));
        assert_eq!(entity_tags(""), Some(vec![]));
        assert_eq!(entity_tags("a"), None);
        assert_eq!(entity_tags(r#""a"b"#), None);
        assert_eq!(entity_tags(r#""a"#), None);
    }

    fn if_none_match(values: &[&str]) -> HttpRequest {
        let mut req = TestRequest::default();
        for value in values {
            req = req.append_header((header::IF_NONE_MATCH, *value));
        }
        req.to_http_request()
    }

    #[test]
    fn if_none_match_compares_weakly_across_lists_and_lines() {
        let etag = "\"abc\"";
        assert!(none_match(&if_none_match(&["\"abc\""]), etag));
        assert!(none_match(&if_none_match(&["W/\"abc\""]), etag));
        assert!(none_match(&if_none_match(&["\"x\", \"abc\""]), etag));
        assert!(none_match(&if_none_match(&["\"x\"", "\"abc\""]), etag));
        assert!(none_match(&if_none_match(&["*"]), etag));
        assert!(!none_match(&if_none_match(&["\"abcd\""]), etag));
        assert!(!none_match(&if_none_match(&["abc"]), etag));
        assert!(!none_match(&if_none_match(&[]), etag));
    }
}
