//! `GET /api/countries`: the allowed destinations, named per `Accept-Language`, cacheable.

use std::collections::BTreeSet;

use calls_core::domain::{DestinationPolicy, PhoneNumber};
use calls_server::settings::{self, Settings};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::assertions::header;
use crate::helpers::TestApp;
use crate::on_all_backends;

const COUNTRIES: &str = "/api/countries";

on_all_backends!(
    the_default_deployment_lists_what_its_policy_allows,
    russian_names_for_a_russian_reader,
    a_matching_etag_is_answered_304_and_another_one_200,
);

fn germany_and_france(settings: &mut Settings) {
    settings.voip.allowed_countries = vec!["DE".into(), "FR".into()];
}

mod listed_countries {
    use super::*;
    on_all_backends!(with germany_and_france: only_the_allowed_countries_are_listed);
}

async fn countries(app: &TestApp, headers: &[(&str, &str)]) -> (reqwest::Response, Value) {
    let response = app.call_with_headers(Method::GET, COUNTRIES, headers).await;
    assert_eq!(response.status(), StatusCode::OK);
    let cached = (
        header(&response, "cache-control").map(str::to_owned),
        header(&response, "vary").map(str::to_owned),
    );
    assert_eq!(
        cached,
        (
            Some("public, max-age=3600".to_owned()),
            Some("Accept-Language".to_owned())
        )
    );
    let bytes = response.bytes().await.expect("body");
    let again = app.call_with_headers(Method::GET, COUNTRIES, headers).await;
    let body = serde_json::from_slice(&bytes).expect("JSON");
    (again, body)
}

fn codes(body: &Value) -> Vec<String> {
    body["countries"]
        .as_array()
        .expect("countries")
        .iter()
        .map(|country| country["code"].as_str().expect("code").to_owned())
        .collect()
}

fn named(body: &Value, code: &str) -> Value {
    body["countries"]
        .as_array()
        .expect("countries")
        .iter()
        .find(|country| country["code"] == code)
        .cloned()
        .unwrap_or_else(|| panic!("{code} is listed"))
}

async fn the_default_deployment_lists_what_its_policy_allows(app: TestApp) {
    let defaults = settings::load(&|_| None).expect("default settings");
    let policy = DestinationPolicy::new(
        &defaults.voip.allowed_countries,
        &defaults.voip.blocked_prefixes,
    )
    .expect("the default policy is valid");
    let (again, body) = countries(&app, &[]).await;
    assert_eq!(header(&again, "content-language"), Some("en"));
    assert_eq!(body["language"], "en");
    let listed: BTreeSet<String> = codes(&body).into_iter().collect();
    let allowed: BTreeSet<String> = policy
        .destinations()
        .into_iter()
        .map(|destination| destination.code)
        .collect();
    assert_eq!(listed, allowed, "exactly the policy's destinations");
    assert_eq!(codes(&body).len(), listed.len(), "each once");

    assert_eq!(
        named(&body, "DE"),
        json!({
            "code": "DE", "calling_code": "+49", "name": "Germany",
            "example": named(&body, "DE")["example"], "example_formatted": named(&body, "DE")["example_formatted"],
        })
    );
    assert_eq!(named(&body, "US")["calling_code"], "+1");
    // Sorted by English name: Åland Islands with the As, not after Zimbabwe.
    let names: Vec<&str> = body["countries"]
        .as_array()
        .expect("countries")
        .iter()
        .map(|country| country["name"].as_str().expect("name"))
        .collect();
    assert_eq!(names.first(), Some(&"Afghanistan"));
    let aland = names.iter().position(|name| *name == "Åland Islands");
    let albania = names.iter().position(|name| *name == "Albania");
    assert!(aland.is_some() && aland < albania, "{aland:?} {albania:?}");

    // Every example is a number the server accepts for a call, of its own country.
    for country in body["countries"].as_array().expect("countries") {
        let example = country["example"].as_str().expect("example");
        let number =
            PhoneNumber::parse(example).unwrap_or_else(|error| panic!("{country}: {error}"));
        assert_eq!(number.region(), country["code"].as_str(), "{country}");
        assert_eq!(policy.check(&number), Ok(()), "{country}");
        let formatted = country["example_formatted"].as_str().expect("formatted");
        let digits: String = formatted
            .chars()
            .filter(|c| c.is_ascii_digit() || *c == '+')
            .collect();
        assert_eq!(digits, example, "the same number, grouped: {formatted}");
    }
    let user = app.new_user().await;
    for code in ["DE", "FR", "US", "GB", "JP", "RU"] {
        let example = named(&body, code)["example"].clone();
        let response = app
            .post_json_authed(
                "/api/calls",
                &user.token,
                &json!({ "phone_number": example }),
            )
            .await;
        assert_eq!(response.status(), StatusCode::CREATED, "{code}: {example}");
    }
}

async fn only_the_allowed_countries_are_listed(app: TestApp) {
    let (_, english) = countries(&app, &[]).await;
    assert_eq!(codes(&english), ["FR", "DE"], "France < Germany");
    let (_, russian) = countries(&app, &[("accept-language", "ru")]).await;
    assert_eq!(codes(&russian), ["DE", "FR"], "Германия < Франция");
}

async fn russian_names_for_a_russian_reader(app: TestApp) {
    for accept in ["ru", "ru-RU", "en;q=0.5, ru-RU;q=0.9", "de, ru;q=0.1"] {
        let (again, body) = countries(&app, &[("accept-language", accept)]).await;
        assert_eq!(header(&again, "content-language"), Some("ru"), "{accept}");
        assert_eq!(body["language"], "ru");
        assert_eq!(named(&body, "DE")["name"], "Германия", "{accept}");
        assert_eq!(named(&body, "FR")["name"], "Франция");
    }
    for accept in ["en", "ru;q=0.4, en", "fr", "ru;q=0"] {
        let (again, body) = countries(&app, &[("accept-language", accept)]).await;
        assert_eq!(header(&again, "content-language"), Some("en"), "{accept}");
        assert_eq!(named(&body, "DE")["name"], "Germany", "{accept}");
    }
}

async fn a_matching_etag_is_answered_304_and_another_one_200(app: TestApp) {
    let first = app.get(COUNTRIES).await;
    let etag = header(&first, "etag").expect("an ETag").to_owned();
    assert!(
        etag.starts_with('"') && !etag.starts_with("W/"),
        "strong: {etag}"
    );
    let body = first.bytes().await.expect("body");

    let weak = format!("W/{etag}");
    let listed = format!("\"0123\", {etag}");
    for presented in [etag.as_str(), weak.as_str(), listed.as_str(), "*"] {
        let response = app
            .call_with_headers(Method::GET, COUNTRIES, &[("if-none-match", presented)])
            .await;
        assert_eq!(response.status(), StatusCode::NOT_MODIFIED, "{presented}");
        assert_eq!(header(&response, "etag"), Some(etag.as_str()));
        assert_eq!(
            header(&response, "cache-control"),
            Some("public, max-age=3600")
        );
        assert!(response.bytes().await.expect("body").is_empty(), "no body");
    }

    let russian = app
        .call_with_headers(Method::GET, COUNTRIES, &[("accept-language", "ru")])
        .await;
    let russian_etag = header(&russian, "etag").expect("an ETag").to_owned();
    assert_ne!(russian_etag, etag, "each language has its own tag");
    for stale in [
        "\"0123456789abcdef0123456789abcdef\"",
        "garbage",
        russian_etag.as_str(),
    ] {
        let response = app
            .call_with_headers(Method::GET, COUNTRIES, &[("if-none-match", stale)])
            .await;
        assert_eq!(response.status(), StatusCode::OK, "{stale}");
        assert_eq!(header(&response, "etag"), Some(etag.as_str()));
        assert_eq!(response.bytes().await.expect("body"), body, "the same list");
    }
}
