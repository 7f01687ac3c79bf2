//! `GET /metrics` on the separate `METRICS_ADDR` listener: requests by route template, method
//! and status; latency histograms; pool and calls-by-status gauges read at scrape time;
//! provider errors and rate-limit rejections. Never on the API port, and no listener at all
//! when `METRICS_ADDR` is empty.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use calls_server::settings::Settings;
use reqwest::{Method, StatusCode};
use serde_json::json;
use wiremock::{MockServer, ResponseTemplate};

use crate::assertions::{assert_content_type, assert_error};
use crate::fixtures::{STATUSES, call_in, create_call, set_status, update_call};
use crate::helpers::TestApp;
use crate::on_all_backends;
use crate::voice_support::{
    NUMBER, assert_daily_cap_reached, create_calls_answer, initiate, place_and_end_call,
    twilio_rest,
};

on_all_backends!(with metrics_on_a_free_port:
    requests_are_counted_by_route_template_method_and_status,
    gauges_report_calls_by_status_and_the_pool,
    metrics_are_not_served_on_the_api_port,
    rate_limit_rejections_are_counted_by_code,
    provider_errors_are_counted_by_kind,
    the_metrics_listener_stops_with_the_api,
);

on_all_backends!(without_metrics_addr_no_listener_is_started);

fn metrics_on_a_free_port(settings: &mut Settings) {
    settings.metrics.addr = "127.0.0.1:0".into();
}

/// One parsed exposition: `(name, labels) -> value`, and the `# TYPE` of each family.
struct Exposition {
    text: String,
    samples: BTreeMap<(String, BTreeMap<String, String>), f64>,
    types: BTreeMap<String, String>,
}

impl Exposition {
    fn parse(text: String) -> Self {
        let mut samples = BTreeMap::new();
        let mut types = BTreeMap::new();
        for line in text.lines() {
            if let Some(declaration) = line.strip_prefix("# TYPE ") {
                let (name, kind) = declaration.split_once(' ').expect("TYPE name kind");
                types.insert(name.to_owned(), kind.to_owned());
                continue;
            }
            if line.starts_with('#') || line.is_empty() {
                continue;
            }
            let (series, value) = line.rsplit_once(' ').expect("series value");
            let value: f64 = value.parse().expect("numeric sample");
            let (name, labels) = match series.split_once('{') {
                Some((name, rest)) => (name, parse_labels(rest.strip_suffix('}').expect("}"))),
                None => (series, BTreeMap::new()),
            };
            samples.insert((name.to_owned(), labels), value);
        }
        Self {
            text,
            samples,
            types,
        }
    }

    /// The sample with exactly these labels.
    fn value(&self, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
        let labels = labels
            .iter()
            .map(|(key, value)| ((*key).to_owned(), (*value).to_owned()))
            .collect();
        self.samples.get(&(name.to_owned(), labels)).copied()
    }

    fn expect(&self, name: &str, labels: &[(&str, &str)]) -> f64 {
        self.value(name, labels)
            .unwrap_or_else(|| panic!("no {name} {labels:?} in\n{}", self.text))
    }

    fn has_type(&self, family: &str, kind: &str) -> bool {
        self.types
            .get(family)
            .is_some_and(|declared| declared == kind)
    }
}

/// `a="x",b="y"`, values without escapes (ours never need them).
fn parse_labels(text: &str) -> BTreeMap<String, String> {
    let mut labels = BTreeMap::new();
    let mut rest = text;
    while !rest.is_empty() {
        let (key, after) = rest.split_once("=\"").expect("label=\"");
        let (value, after) = after.split_once('"').expect("closing quote");
        labels.insert(key.to_owned(), value.to_owned());
        rest = after.strip_prefix(',').unwrap_or(after);
    }
    labels
}

async fn scrape(app: &TestApp) -> Exposition {
    let response = app.send(app.metrics_request(Method::GET, "/metrics")).await;
    assert_eq!(response.status(), StatusCode::OK, "scrape");
    assert_content_type("scrape", &response, "application/openmetrics-text");
    let text = response.text().await.expect("scrape body");
    assert!(text.ends_with("# EOF\n"), "a complete exposition:\n{text}");
    Exposition::parse(text)
}

async fn requests_are_counted_by_route_template_method_and_status(app: TestApp) {
    let user = app.new_user().await;
    app.new_user().await;
    let first = call_in(&app, &user.token, "completed", 30).await;
    let second = create_call(&app, &user.token, NUMBER).await;
    let unknown = uuid::Uuid::new_v4().to_string();
    let missing = update_call(&app, &user.token, &unknown, 1, "active").await;
    assert_error(missing, StatusCode::NOT_FOUND, "call_not_found").await;
    let wrong_method = app
        .get_authed(&format!("/api/calls/{second}"), &user.token)
        .await;
    assert_eq!(wrong_method.status(), StatusCode::METHOD_NOT_ALLOWED);
    for _ in 0..3 {
        let history = app.get_authed("/api/calls/history", &user.token).await;
        assert_eq!(history.status(), StatusCode::OK);
    }
    let nowhere = app.get(&format!("/api/nowhere/{unknown}")).await;
    assert_error(nowhere, StatusCode::NOT_FOUND, "not_found").await;

    let metrics = scrape(&app).await;
    for (family, kind) in [
        ("http_requests", "counter"),
        ("http_request_duration_seconds", "histogram"),
        ("db_pool_connections_in_use", "gauge"),
        ("db_pool_connections_idle", "gauge"),
        ("db_pool_connections_max", "gauge"),
        ("calls_by_status", "gauge"),
        ("voip_provider_errors", "counter"),
        ("rate_limit_rejections", "counter"),
    ] {
        assert!(
            metrics.has_type(family, kind),
            "{family} is a {kind}:\n{}",
            metrics.text
        );
    }
    let requests = |method: &str, route: &str, status: &str| {
        metrics.expect(
            "http_requests_total",
            &[("method", method), ("route", route), ("status", status)],
        )
    };
    assert_eq!(requests("POST", "/api/auth/register", "201"), 2.0);
    assert_eq!(requests("POST", "/api/calls", "201"), 2.0);
    assert_eq!(requests("PUT", "/api/calls/{id}", "200"), 1.0);
    assert_eq!(requests("PUT", "/api/calls/{id}", "404"), 1.0);
    assert_eq!(requests("GET", "/api/calls/{id}", "405"), 1.0);
    assert_eq!(requests("GET", "/api/calls/history", "200"), 3.0);
    assert_eq!(requests("GET", "unmatched", "404"), 1.0);
    for id in [&first, &second, &unknown] {
        assert!(
            !metrics.text.contains(id.as_str()),
            "concrete ids never become labels:\n{}",
            metrics.text
        );
    }
    assert!(
        !metrics.text.contains("/metrics"),
        "scrapes are not API requests:\n{}",
        metrics.text
    );

    let latency = |suffix: &str, labels: &[(&str, &str)]| {
        metrics.expect(&format!("http_request_duration_seconds_{suffix}"), labels)
    };
    let route = [("method", "GET"), ("route", "/api/calls/history")];
    assert_eq!(latency("count", &route), 3.0);
    assert!(latency("sum", &route) > 0.0);
    let mut inf = route.to_vec();
    inf.push(("le", "+Inf"));
    assert_eq!(
        latency("bucket", &inf),
        3.0,
        "every request in the +Inf bucket"
    );
    let mut put = vec![("method", "PUT"), ("route", "/api/calls/{id}")];
    assert_eq!(latency("count", &put), 2.0, "one histogram per template");
    put.push(("le", "10.0"));
    assert!(latency("bucket", &put) <= 2.0);

    // Counters only grow: a second scrape sees the first one's counts plus the new request.
    app.get_authed("/api/calls/history", &user.token).await;
    let again = scrape(&app).await;
    assert_eq!(
        again.expect(
            "http_requests_total",
            &[
                ("method", "GET"),
                ("route", "/api/calls/history"),
                ("status", "200")
            ]
        ),
        4.0
    );
}

async fn gauges_report_calls_by_status_and_the_pool(app: TestApp) {
    let before = scrape(&app).await;
    for status in STATUSES {
        assert_eq!(
            before.value("calls_by_status", &[("status", status)]),
            Some(0.0),
            "{status}: every status is reported, zero on an empty database"
        );
    }

    let alice = app.new_user().await;
    let bob = app.new_user().await;
    let mut alice_calls = Vec::new();
    for _ in 0..3 {
        alice_calls.push(create_call(&app, &alice.token, NUMBER).await);
    }
    let bobs = create_call(&app, &bob.token, NUMBER).await;
    for (token, id, status) in [
        (&alice.token, &alice_calls[0], "completed"),
        (&alice.token, &alice_calls[1], "active"),
        (&bob.token, &bobs, "canceled"),
    ] {
        set_status(&app, token, id, status, 5).await;
    }

    let metrics = scrape(&app).await;
    for (status, count) in [
        ("initiated", 1.0),
        ("connecting", 0.0),
        ("active", 1.0),
        ("completed", 1.0),
        ("failed", 0.0),
        ("canceled", 1.0),
    ] {
        assert_eq!(
            metrics.expect("calls_by_status", &[("status", status)]),
            count,
            "{status} calls of every user"
        );
    }

    let in_use = metrics.expect("db_pool_connections_in_use", &[]);
    let idle = metrics.expect("db_pool_connections_idle", &[]);
    let max = metrics.expect("db_pool_connections_max", &[]);
    assert!(max >= 1.0, "{max}");
    assert!(idle >= 1.0, "the pool keeps connections open: {idle}");
    assert!(
        in_use >= 0.0 && in_use + idle <= max,
        "in use {in_use} + idle {idle} within {max}"
    );
}

async fn metrics_are_not_served_on_the_api_port(app: TestApp) {
    assert_no_metrics_on_the_api_port(&app).await;
    // And the metrics listener serves nothing but GET /metrics.
    for (method, path, status) in [
        (Method::GET, "/", StatusCode::NOT_FOUND),
        (Method::GET, "/api/calls/history", StatusCode::NOT_FOUND),
        (Method::GET, "/system/health", StatusCode::NOT_FOUND),
        (Method::GET, "/metrics/x", StatusCode::NOT_FOUND),
        (Method::POST, "/metrics", StatusCode::METHOD_NOT_ALLOWED),
    ] {
        let response = app.send(app.metrics_request(method.clone(), path)).await;
        assert_eq!(response.status(), status, "{method} {path}");
    }
    let metrics = scrape(&app).await;
    assert_eq!(
        metrics.expect(
            "http_requests_total",
            &[("method", "GET"), ("route", "unmatched"), ("status", "404")]
        ),
        1.0,
        "the API counted its own 404 for /metrics"
    );
}

async fn rate_limit_rejections_are_counted_by_code(app: TestApp) {
    let app = app
        .another_instance_with(|settings| {
            metrics_on_a_free_port(settings);
            settings.auth.throttle.account_max_failures = 1;
            settings.voip.max_calls_per_day = 1;
        })
        .await;
    let before = scrape(&app).await;
    for code in ["rate_limited", "daily_limit_exceeded"] {
        assert_eq!(
            before.value("rate_limit_rejections_total", &[("code", code)]),
            Some(0.0),
            "{code} is reported from zero"
        );
    }

    let user = app.new_user().await;
    assert_eq!(
        app.login(&user.email, "not the password").await.status(),
        StatusCode::UNAUTHORIZED
    );
    for _ in 0..2 {
        assert_error(
            app.login(&user.email, &user.password).await,
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
        )
        .await;
    }
    place_and_end_call(&app, &user.token).await;
    assert_daily_cap_reached(&app, &user.token).await;

    let metrics = scrape(&app).await;
    assert_eq!(
        metrics.expect("rate_limit_rejections_total", &[("code", "rate_limited")]),
        2.0
    );
    assert_eq!(
        metrics.expect(
            "rate_limit_rejections_total",
            &[("code", "daily_limit_exceeded")]
        ),
        1.0
    );
    assert_eq!(
        metrics.expect(
            "http_requests_total",
            &[
                ("method", "POST"),
                ("route", "/api/auth/login"),
                ("status", "429")
            ]
        ),
        2.0
    );
    for kind in ["unavailable", "refused_number", "refused_destination"] {
        assert_eq!(
            metrics.expect("voip_provider_errors_total", &[("kind", kind)]),
            0.0,
            "no provider error here"
        );
    }
}

async fn provider_errors_are_counted_by_kind(app: TestApp) {
    let twilio = MockServer::start().await;
    let base = twilio.uri();
    let app = app
        .another_instance_with(move |settings| {
            metrics_on_a_free_port(settings);
            twilio_rest(settings, &base);
        })
        .await;
    let user = app.new_user().await;
    let answers = [
        (
            ResponseTemplate::new(503),
            StatusCode::SERVICE_UNAVAILABLE,
            "voip_unavailable",
        ),
        (
            ResponseTemplate::new(400).set_body_json(json!({
                "code": 21211, "message": "The 'To' number is not a valid phone number.", "status": 400
            })),
            StatusCode::BAD_REQUEST,
            "validation_error",
        ),
        (
            ResponseTemplate::new(400).set_body_json(json!({
                "code": 21215, "message": "Account not authorized to call", "status": 400
            })),
            StatusCode::FORBIDDEN,
            "destination_not_allowed",
        ),
    ];
    for (answer, status, code) in answers {
        twilio.reset().await;
        create_calls_answer(&twilio, answer).await;
        assert_error(initiate(&app, &user.token, NUMBER).await, status, code).await;
    }
    // Our own validation is not the provider's refusal.
    assert_error(
        initiate(&app, &user.token, "+1234").await,
        StatusCode::BAD_REQUEST,
        "validation_error",
    )
    .await;

    let metrics = scrape(&app).await;
    for kind in ["unavailable", "refused_number", "refused_destination"] {
        assert_eq!(
            metrics.expect("voip_provider_errors_total", &[("kind", kind)]),
            1.0,
            "{kind}"
        );
    }
    assert_eq!(
        metrics.expect("calls_by_status", &[("status", "failed")]),
        3.0,
        "each provider failure left a failed call"
    );
}

async fn the_metrics_listener_stops_with_the_api(app: TestApp) {
    scrape(&app).await;
    app.stop().await;
    // A fresh client: no kept-alive connection from the scrape above.
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .timeout(Duration::from_secs(2))
        .build()
        .expect("client");
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        match client.get(app.metrics_url()).send().await {
            Err(_) => break,
            Ok(_) if Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            Ok(response) => panic!(
                "the metrics listener still answers after the API stopped: {}",
                response.status()
            ),
        }
    }
}

async fn without_metrics_addr_no_listener_is_started(app: TestApp) {
    assert!(
        app.metrics_base.is_none(),
        "METRICS_ADDR is empty by default: no metrics listener"
    );
    assert_no_metrics_on_the_api_port(&app).await;
}

/// `GET /metrics` on the API port is an unknown route like any other.
async fn assert_no_metrics_on_the_api_port(app: &TestApp) {
    let response = app.get("/metrics").await;
    assert_error(response, StatusCode::NOT_FOUND, "not_found").await;
}
