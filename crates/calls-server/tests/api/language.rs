//! Answers in the user's language: the same refusal in Russian and in English has the same
//! `error` code, the text of the language asked for, `Content-Language` and
//! `Vary: Accept-Language`; without `Accept-Language` every answer is the English one it always
//! was. Covers refusals made by the use cases, by the extractors, by the fallbacks, and by the
//! HTTP parser before the application runs.

use reqwest::{Method, Response, StatusCode};
use serde_json::{Value, json};

use crate::assertions::{assert_error, header};
use crate::helpers::TestApp;
use crate::on_all_backends;
use crate::raw_http::raw_request;

on_all_backends!(
    the_same_refusal_in_russian_and_english,
    without_accept_language_the_answer_is_unchanged_english,
    quality_values_and_regions_choose_the_language,
    messages_with_arguments_are_translated_whole,
    extractor_refusals_are_localised,
    the_login_throttle_answers_in_russian,
    a_request_the_parser_refuses_is_localised,
    success_answers_vary_but_have_no_language,
    vary_keeps_origin_for_cors,
);

const RU: &str = "ru-RU,ru;q=0.9,en;q=0.8";

/// `POST path` with a JSON body and `Accept-Language: language` (none when `None`).
async fn post_in(app: &TestApp, language: Option<&str>, path: &str, body: &Value) -> Response {
    let mut request = app.request(Method::POST, path).json(body);
    if let Some(language) = language {
        request = request.header("Accept-Language", language);
    }
    app.send(request).await
}

async fn call_in(app: &TestApp, method: Method, path: &str, language: &str) -> Response {
    app.call_with_headers(method, path, &[("Accept-Language", language)])
        .await
}

/// `Vary` names `Accept-Language` (among other values, on one line or several).
fn varies_on_language(response: &Response) -> bool {
    response
        .headers()
        .get_all("vary")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .any(|name| name.trim().eq_ignore_ascii_case("accept-language"))
}

/// The error answer's code, message and `Content-Language`, after the contract's checks.
async fn localised_error(
    response: Response,
    status: StatusCode,
    code: &str,
    language: &str,
) -> String {
    assert!(
        varies_on_language(&response),
        "Vary: {:?}",
        response.headers()
    );
    assert_eq!(header(&response, "content-language"), Some(language));
    let body = assert_error(response, status, code).await;
    body["message"].as_str().unwrap_or_default().to_owned()
}

async fn the_same_refusal_in_russian_and_english(app: TestApp) {
    let bad_email = json!({"email": "not an address", "password": "a long passphrase"});
    let russian = localised_error(
        post_in(&app, Some(RU), "/api/auth/register", &bad_email).await,
        StatusCode::BAD_REQUEST,
        "validation_error",
        "ru",
    )
    .await;
    let english = localised_error(
        post_in(&app, Some("en"), "/api/auth/register", &bad_email).await,
        StatusCode::BAD_REQUEST,
        "validation_error",
        "en",
    )
    .await;
    assert_eq!(russian, "email не является корректным адресом");
    assert_eq!(english, "email is not a valid address");

    let user = app.new_user().await;
    let taken = json!({"email": user.email, "password": "another long passphrase"});
    let russian = localised_error(
        post_in(&app, Some("ru"), "/api/auth/register", &taken).await,
        StatusCode::CONFLICT,
        "user_already_exists",
        "ru",
    )
    .await;
    assert_eq!(russian, "учётная запись с этим email уже существует");
    let wrong = json!({"email": user.email, "password": "wrong password!"});
    let russian = localised_error(
        post_in(&app, Some("ru"), "/api/auth/login", &wrong).await,
        StatusCode::UNAUTHORIZED,
        "invalid_credentials",
        "ru",
    )
    .await;
    assert_eq!(russian, "неверный email или пароль");
    // Nothing was created by the refused registration, in either language.
    let login = app.login("not an address", "a long passphrase").await;
    assert_error(login, StatusCode::BAD_REQUEST, "validation_error").await;
}

async fn without_accept_language_the_answer_is_unchanged_english(app: TestApp) {
    let response = app.get("/no/such/route").await;
    assert_eq!(header(&response, "content-language"), Some("en"));
    assert!(varies_on_language(&response));
    assert_eq!(
        response.text().await.expect("body"),
        r#"{"error":"not_found","message":"no such route"}"#
    );
    let response = app.get("/api/calls/history").await;
    let body: Value = response.json().await.expect("json");
    assert_eq!(
        body,
        json!({"error": "unauthorized", "message": "a valid bearer token is required"})
    );
}

async fn quality_values_and_regions_choose_the_language(app: TestApp) {
    for (accept_language, expected) in [
        ("ru", "ru"),
        ("RU-ru", "ru"),
        ("en;q=0.5, ru;q=0.9", "ru"),
        ("ru;q=0.5, en", "en"),
        ("de-DE, fr;q=0.9", "en"),
        ("de, ru;q=0.1", "ru"),
        ("en;q=0, *", "ru"),
        ("*", "en"),
        ("ru;q=0", "en"),
        (";;;q=?, ,", "en"),
        ("ru;q=7", "en"),
    ] {
        let response = call_in(&app, Method::GET, "/api/calls/history", accept_language).await;
        assert_eq!(
            header(&response, "content-language"),
            Some(expected),
            "{accept_language:?}"
        );
        let body = assert_error(response, StatusCode::UNAUTHORIZED, "unauthorized").await;
        let russian = body["message"] == "требуется действительный токен (Bearer)";
        assert_eq!(russian, expected == "ru", "{accept_language:?}: {body}");
    }
}

async fn messages_with_arguments_are_translated_whole(app: TestApp) {
    let response = call_in(&app, Method::GET, "/api/auth/login", "ru").await;
    assert_eq!(header(&response, "allow"), Some("POST"));
    let message = localised_error(
        response,
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "ru",
    )
    .await;
    assert_eq!(message, "этот адрес принимает только POST");

    let user = app.new_user().await;
    let request = app
        .request(Method::GET, "/api/calls/history?page=-1&limit=5")
        .bearer_auth(&user.token)
        .header("Accept-Language", "ru");
    let message = localised_error(
        app.send(request).await,
        StatusCode::BAD_REQUEST,
        "validation_error",
        "ru",
    )
    .await;
    assert_eq!(message, "page должен быть положительным целым числом");

    let request = app
        .request(Method::GET, "/api/calls/history?limit=500")
        .bearer_auth(&user.token)
        .header("Accept-Language", "ru");
    let message = localised_error(
        app.send(request).await,
        StatusCode::BAD_REQUEST,
        "validation_error",
        "ru",
    )
    .await;
    assert_eq!(message, "limit должен быть целым числом от 1 до 100");
}

async fn extractor_refusals_are_localised(app: TestApp) {
    let too_large = app
        .request(Method::POST, "/api/auth/login")
        .header("Content-Type", "application/json")
        .header("Accept-Language", "ru")
        .body(vec![b' '; 70 * 1024]);
    let message = localised_error(
        app.send(too_large).await,
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
        "ru",
    )
    .await;
    assert_eq!(message, "тело запроса не может быть больше 65536 байт");

    let malformed = app
        .request(Method::POST, "/api/auth/login")
        .header("Content-Type", "application/json")
        .header("Accept-Language", "ru")
        .body("{\"email\": ");
    let message = localised_error(
        app.send(malformed).await,
        StatusCode::BAD_REQUEST,
        "validation_error",
        "ru",
    )
    .await;
    assert!(message.starts_with("некорректный JSON: "), "{message}");

    let missing = post_in(
        &app,
        Some("ru"),
        "/api/auth/login",
        &json!({"email": "a@b.cd"}),
    )
    .await;
    let message = localised_error(missing, StatusCode::BAD_REQUEST, "validation_error", "ru").await;
    assert_eq!(message, "в теле запроса нет обязательного поля password");

    let wrong_type = app
        .request(Method::POST, "/api/auth/login")
        .header("Content-Type", "text/plain")
        .header("Accept-Language", "ru")
        .body("{}");
    let message = localised_error(
        app.send(wrong_type).await,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
        "ru",
    )
    .await;
    assert!(
        message.starts_with("тело запроса должно быть JSON"),
        "{message}"
    );

    let unknown_call = app
        .request(Method::PUT, "/api/calls/not-a-uuid")
        .bearer_auth(app.new_user().await.token)
        .header("Accept-Language", "ru")
        .json(&json!({"status": "active"}));
    let message = localised_error(
        app.send(unknown_call).await,
        StatusCode::BAD_REQUEST,
        "validation_error",
        "ru",
    )
    .await;
    assert_eq!(message, "идентификатор звонка должен быть UUID");
}

async fn the_login_throttle_answers_in_russian(app: TestApp) {
    let user = app.new_user().await;
    let wrong = json!({"email": user.email, "password": "wrong password!"});
    for _ in 0..5 {
        let response = post_in(&app, None, "/api/auth/login", &wrong).await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    }
    let response = post_in(&app, Some("ru"), "/api/auth/login", &wrong).await;
    let retry_after = header(&response, "retry-after")
        .and_then(|value| value.parse::<u64>().ok())
        .expect("Retry-After");
    let message = localised_error(
        response,
        StatusCode::TOO_MANY_REQUESTS,
        "rate_limited",
        "ru",
    )
    .await;
    assert!(
        message.starts_with(&format!(
            "слишком много попыток; повторите через {retry_after} "
        )),
        "{message}"
    );
    assert!(message.contains("секунд"), "{message}");
}

async fn a_request_the_parser_refuses_is_localised(app: TestApp) {
    let host = app.base.trim_start_matches("http://").to_owned();
    let refused = |language: &str| {
        format!(
            "GET /system/health HTTP/1.1\r\nHost: {host}\r\nAccept-Language: {language}\r\n\
             Bad Header\r\n\r\n"
        )
        .into_bytes()
    };
    let russian = raw_request(&app, refused("ru-RU")).await;
    assert_eq!(russian.status, 400);
    assert_eq!(russian.header("content-language"), Some("ru"));
    assert_eq!(
        russian.error("ru")["message"],
        "не удалось разобрать запрос: некорректная строка запроса или заголовок либо адрес \
         длиннее 65534 байт"
    );
    let english = raw_request(&app, refused("de")).await;
    assert_eq!(english.header("content-language"), Some("en"));
    assert_eq!(english.error("de")["error"], russian.error("ru")["error"]);
    assert!(
        english.error("de")["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("the request could not be parsed")),
        "{}",
        english.body
    );
}

async fn success_answers_vary_but_have_no_language(app: TestApp) {
    let response = call_in(&app, Method::GET, "/system/health", "ru").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(varies_on_language(&response));
    assert_eq!(header(&response, "content-language"), None);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["status"], "ok");
}

async fn vary_keeps_origin_for_cors(app: TestApp) {
    let origin = "https://app.example.com";
    let app = app
        .another_instance_with(|settings| {
            settings.cors.allowed_origins = vec![origin.to_owned()];
        })
        .await;
    let response = app
        .call_with_headers(
            Method::GET,
            "/no/such/route",
            &[("Origin", origin), ("Accept-Language", "ru")],
        )
        .await;
    let vary: Vec<String> = response
        .headers()
        .get_all("vary")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .map(|name| name.trim().to_ascii_lowercase())
        .collect();
    assert!(vary.contains(&"origin".to_owned()), "{vary:?}");
    assert!(vary.contains(&"accept-language".to_owned()), "{vary:?}");
    assert_eq!(
        header(&response, "access-control-allow-origin"),
        Some(origin)
    );
    let message = localised_error(response, StatusCode::NOT_FOUND, "not_found", "ru").await;
    assert_eq!(message, "такого адреса нет");
}
