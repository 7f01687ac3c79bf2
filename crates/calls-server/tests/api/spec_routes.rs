//! The route table and `openapi.yml` list the same operations, and the server publishes the
//! spec and its documentation page.

use std::collections::BTreeSet;

use calls_server_actix::routes::{OPENAPI_YAML, ROUTES};
use reqwest::StatusCode;

use crate::assertions::header;
use crate::helpers::TestApp;
use crate::on_all_backends;
use crate::spec_check::{HTTP_METHODS, SPEC, spec_path};

/// (method, path) of every operation the spec documents.
fn documented_operations() -> BTreeSet<(String, String)> {
    let mut operations = BTreeSet::new();
    let paths = SPEC.spec()["paths"].as_object().expect("paths");
    for (path, item) in paths {
        for method in HTTP_METHODS {
            if item.get(method).is_some() {
                operations.insert((method.to_uppercase(), path.clone()));
            }
        }
    }
    operations
}

fn routed_operations() -> BTreeSet<(String, String)> {
    ROUTES
        .iter()
        .flat_map(|(path, methods)| {
            methods
                .iter()
                .map(move |method| (method.to_string(), spec_path(path)))
        })
        .collect()
}

#[test]
fn every_route_is_in_the_spec_and_every_documented_operation_is_routed() {
    let documented = documented_operations();
    let routed = routed_operations();
    let undocumented: Vec<_> = routed.difference(&documented).collect();
    let unrouted: Vec<_> = documented.difference(&routed).collect();
    assert!(
        undocumented.is_empty(),
        "routes without a spec entry: {undocumented:?}"
    );
    assert!(
        unrouted.is_empty(),
        "documented operations the server does not route: {unrouted:?}"
    );
}

#[test]
fn actix_patterns_become_spec_paths() {
    assert_eq!(spec_path("/api/calls/{id}"), "/api/calls/{id}");
    assert_eq!(spec_path("/docs/{file:.*}"), "/docs/{file}");
    assert_eq!(spec_path("/system/health"), "/system/health");
}

on_all_backends!(
    the_spec_and_the_docs_page_are_served,
    every_unlisted_method_is_405_with_the_listed_methods_in_allow,
);

/// What the spec's general rules promise (and schemathesis' `unsupported_method` and
/// `allow_header_conformance` checks verify): a method a path does not list is 405, before any
/// authentication, with `Allow` naming exactly the listed methods. The spec check of every
/// response compares `Allow` with openapi.yml.
async fn every_unlisted_method_is_405_with_the_listed_methods_in_allow(app: TestApp) {
    let paths = SPEC.spec()["paths"].as_object().expect("paths");
    for (path, item) in paths {
        let concrete = path
            .replace("{id}", "0194f3b2-6c1e-7a4d-9b2f-3e8a5c7d1f20")
            .replace("{file}", "index.html");
        for method in HTTP_METHODS {
            if item.get(method).is_some() {
                continue;
            }
            let verb = method.to_uppercase().parse().expect("method");
            let response = app.call(verb, &concrete).await;
            assert_eq!(
                response.status(),
                StatusCode::METHOD_NOT_ALLOWED,
                "{method} {path}"
            );
            assert!(
                response.headers().contains_key("allow"),
                "{method} {path}: Allow"
            );
        }
    }
}

async fn the_spec_and_the_docs_page_are_served(app: TestApp) {
    let spec = app.get("/openapi.yml").await;
    assert_eq!(spec.status(), StatusCode::OK);
    assert_eq!(spec.text().await.expect("text"), OPENAPI_YAML);

    let redirect = app.get("/docs").await;
    assert_eq!(redirect.status(), StatusCode::PERMANENT_REDIRECT);
    assert_eq!(header(&redirect, "location"), Some("/docs/"));

    for (path, expected) in [
        ("/docs/", "swagger-ui"),
        // The page loads our spec.
        ("/docs/swagger-initializer.js", "/openapi.yml"),
    ] {
        let response = app.get(path).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        let text = response.text().await.expect("text");
        assert!(text.contains(expected), "{path} holds {expected}: {text}");
    }
    let missing = app.get("/docs/no-such-file.js").await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
}

fn exchange(
    method: &str,
    path: &str,
    route: Option<&str>,
    status: u16,
    body: &str,
) -> calls_server_actix::middleware::Exchange {
    calls_server_actix::middleware::Exchange {
        method: method.parse().expect("method"),
        path: path.to_owned(),
        route: route.map(str::to_owned),
        status: actix_web::http::StatusCode::from_u16(status).expect("status"),
        content_type: Some("application/json".to_owned()),
        headers: [
            Some(("x-request-id", "r1")),
            Some(("vary", "Accept-Language")),
            (status >= 400).then_some(("content-language", "en")),
        ]
        .into_iter()
        .flatten()
        .map(|(name, value)| (name.to_owned(), value.to_owned()))
        .collect(),
        body: body.to_owned().into(),
    }
}

/// The checker itself: it must refuse what the spec does not say, or it proves nothing.
#[test]
fn the_spec_check_refuses_undocumented_answers() {
    let created = r#"{"id":"0194f3b2-6c1e-7a4d-9b2f-3e8a5c7d1f20","phone_number":"+4930901820","start_time":"2026-11-25T10:15:00Z","duration":0,"status":"initiated"}"#;
    let ok = exchange("POST", "/api/calls", Some("/api/calls"), 201, created);
    assert_eq!(SPEC.check(&ok), Ok(()));

    let wrong_status = exchange("POST", "/api/calls", Some("/api/calls"), 200, created);
    assert!(SPEC.check(&wrong_status).is_err(), "200 is not documented");

    let extra_field = created.replace("\"duration\"", "\"secret\":1,\"duration\"");
    let extra = exchange("POST", "/api/calls", Some("/api/calls"), 201, &extra_field);
    assert!(
        SPEC.check(&extra).is_err(),
        "additional properties are refused"
    );

    let bad_status = created.replace("initiated", "ringing");
    let bad = exchange("POST", "/api/calls", Some("/api/calls"), 201, &bad_status);
    assert!(SPEC.check(&bad).is_err(), "status outside the enum");

    let unknown = exchange("POST", "/api/nothing", Some("/api/nothing"), 201, created);
    assert!(SPEC.check(&unknown).is_err(), "an unrouted operation");

    let not_allowed = r#"{"error":"method_not_allowed","message":"this route accepts only POST"}"#;
    let mut wrong_method = exchange("DELETE", "/api/calls", Some("/api/calls"), 405, not_allowed);
    wrong_method
        .headers
        .push(("allow".to_owned(), "POST".to_owned()));
    assert_eq!(SPEC.check(&wrong_method), Ok(()));
    wrong_method.headers.last_mut().expect("allow").1 = "GET, POST".to_owned();
    assert!(
        SPEC.check(&wrong_method).is_err(),
        "Allow must name exactly the listed methods"
    );
    let unlisted_ok = exchange("DELETE", "/api/calls", Some("/api/calls"), 200, created);
    assert!(
        SPEC.check(&unlisted_ok).is_err(),
        "an unlisted method must be 405"
    );

    let error = r#"{"error":"not_found","message":"no such route"}"#;
    let unmatched = exchange("GET", "/nowhere", None, 404, error);
    assert_eq!(SPEC.check(&unmatched), Ok(()));
    let mut no_request_id = exchange("GET", "/nowhere", None, 404, error);
    no_request_id.headers.clear();
    assert!(
        SPEC.check(&no_request_id).is_err(),
        "documented header missing"
    );
    let mut no_language = exchange("GET", "/nowhere", None, 404, error);
    no_language
        .headers
        .retain(|(name, _)| name != "content-language");
    assert!(
        SPEC.check(&no_language).is_err(),
        "an error without Content-Language"
    );
}
