//! Every response of the API tests, checked against `openapi.yml`: the operation exists, the
//! status code is documented for it, the documented headers are present, and the body has the
//! documented media type and validates against the documented schema. A violation fails the
//! test that provoked it (see `TestApp`'s `Drop`), so the spec and the server cannot drift.

use std::collections::{BTreeSet, HashMap};
use std::sync::{LazyLock, Mutex};

use calls_server_actix::middleware::Exchange;
use calls_server_actix::routes::OPENAPI_YAML;
use jsonschema::{Draft, Validator};
use serde_json::{Value, json};

/// The methods an OpenAPI path item can list.
pub const HTTP_METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

pub struct SpecChecker {
    spec: Value,
    validators: Mutex<HashMap<String, std::sync::Arc<Validator>>>,
}

pub static SPEC: LazyLock<SpecChecker> = LazyLock::new(|| SpecChecker {
    spec: serde_saphyr::from_str(OPENAPI_YAML).expect("openapi.yml parses"),
    validators: Mutex::new(HashMap::new()),
});

/// `/api/calls/{id}` from actix's `/api/calls/{id}`, `/docs/{file}` from `/docs/{file:.*}`.
pub fn spec_path(route: &str) -> String {
    let mut out = String::with_capacity(route.len());
    let (mut in_param, mut in_regex) = (false, false);
    for c in route.chars() {
        match c {
            '{' if !in_param => {
                in_param = true;
                out.push(c);
            }
            ':' if in_param => in_regex = true,
            '}' if in_param => {
                (in_param, in_regex) = (false, false);
                out.push(c);
            }
            _ if in_regex => {}
            _ => out.push(c),
        }
    }
    out
}

impl SpecChecker {
    pub fn spec(&self) -> &Value {
        &self.spec
    }

    /// Follows a local `$ref` (`#/components/responses/X`).
    fn resolve<'a>(&'a self, node: &'a Value) -> &'a Value {
        let mut node = node;
        while let Some(reference) = node.get("$ref").and_then(Value::as_str) {
            let pointer = reference.trim_start_matches('#');
            node = self.spec.pointer(pointer).unwrap_or(&Value::Null);
        }
        node
    }

    fn validator(&self, key: &str, schema: &Value) -> Result<std::sync::Arc<Validator>, String> {
        let mut cache = self.validators.lock().expect("validator cache");
        if let Some(validator) = cache.get(key) {
            return Ok(validator.clone());
        }
        // The schema inside a document that also holds the components, so that its
        // `#/components/...` references resolve.
        let document = json!({
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "allOf": [schema],
            "components": self.spec["components"],
        });
        let validator = jsonschema::options()
            .with_draft(Draft::Draft202012)
            .should_validate_formats(true)
            .build(&document)
            .map_err(|err| format!("schema of {key} does not compile: {err}"))?;
        let validator = std::sync::Arc::new(validator);
        cache.insert(key.to_owned(), validator.clone());
        Ok(validator)
    }

    /// What is wrong with `exchange` according to the spec, if anything.
    pub fn check(&self, exchange: &Exchange) -> Result<(), String> {
        let method = exchange.method.as_str().to_ascii_lowercase();
        let status = exchange.status.as_u16().to_string();
        let what = format!("{} {} -> {}", exchange.method, exchange.path, status);
        let mut key = format!("{method} unmatched {status}");
        let response = match &exchange.route {
            None => {
                if exchange.status.as_u16() != 404 {
                    return Err(format!("{what}: an unknown route must be 404"));
                }
                self.resolve(&self.spec["components"]["responses"]["NotFound"])
            }
            Some(route) => {
                let path = spec_path(route);
                key = format!("{method} {path} {status}");
                let item = self.spec["paths"]
                    .get(&path)
                    .ok_or_else(|| format!("{what}: no path {path} in openapi.yml"))?;
                let Some(operation) = item.get(&method) else {
                    return self.check_unlisted_method(&what, &key, item, exchange);
                };
                let responses = &operation["responses"];
                let response = responses
                    .get(&status)
                    .or_else(|| responses.get("default"))
                    .ok_or_else(|| {
                        format!("{what}: status {status} is not documented for {method} {path}")
                    })?;
                self.resolve(response)
            }
        };
        self.check_headers(&what, response, exchange)?;
        self.check_body(&what, &key, response, exchange)
    }

    /// A method the path does not list: 405 with `Allow` naming exactly the listed methods, or
    /// (OPTIONS only) an allowed origin's CORS preflight, as the spec's general rules say.
    fn check_unlisted_method(
        &self,
        what: &str,
        key: &str,
        item: &Value,
        exchange: &Exchange,
    ) -> Result<(), String> {
        let responses = &self.spec["components"]["responses"];
        let response = match exchange.status.as_u16() {
            405 => {
                let listed: BTreeSet<String> = HTTP_METHODS
                    .iter()
                    .filter(|method| item.get(**method).is_some())
                    .map(|method| method.to_ascii_uppercase())
                    .collect();
                let allow: BTreeSet<String> = exchange
                    .headers
                    .iter()
                    .filter(|(name, _)| name.eq_ignore_ascii_case("allow"))
                    .flat_map(|(_, value)| value.split(','))
                    .map(|method| method.trim().to_ascii_uppercase())
                    .filter(|method| !method.is_empty())
                    .collect();
                if allow != listed {
                    return Err(format!(
                        "{what}: Allow {allow:?} differs from the methods openapi.yml lists {listed:?}"
                    ));
                }
                self.resolve(&responses["MethodNotAllowed"])
            }
            204 if exchange.method == actix_web::http::Method::OPTIONS => {
                self.resolve(&responses["CorsPreflight"])
            }
            _ => {
                return Err(format!(
                    "{what}: the method is not listed for this path, so the answer must be 405"
                ));
            }
        };
        self.check_headers(what, response, exchange)?;
        self.check_body(what, key, response, exchange)
    }

    fn check_headers(
        &self,
        what: &str,
        response: &Value,
        exchange: &Exchange,
    ) -> Result<(), String> {
        let Some(documented) = response.get("headers").and_then(Value::as_object) else {
            return Ok(());
        };
        for name in documented.keys() {
            let present = exchange
                .headers
                .iter()
                .any(|(header, _)| header.eq_ignore_ascii_case(name));
            if !present {
                return Err(format!("{what}: documented header {name} is missing"));
            }
        }
        Ok(())
    }

    fn check_body(
        &self,
        what: &str,
        key: &str,
        response: &Value,
        exchange: &Exchange,
    ) -> Result<(), String> {
        let Some(content) = response.get("content").and_then(Value::as_object) else {
            return if exchange.body.is_empty() {
                Ok(())
            } else {
                Err(format!(
                    "{what}: documented without a body, but one was sent"
                ))
            };
        };
        let media_type = exchange
            .content_type
            .as_deref()
            .and_then(|value| value.split(';').next())
            .map(|essence| essence.trim().to_ascii_lowercase())
            .ok_or_else(|| format!("{what}: no Content-Type"))?;
        let media = content.get(&media_type).ok_or_else(|| {
            format!(
                "{what}: Content-Type {media_type} is not among the documented {:?}",
                content.keys().collect::<Vec<_>>()
            )
        })?;
        if media_type != "application/json" {
            return Ok(());
        }
        let body: Value = serde_json::from_slice(&exchange.body)
            .map_err(|err| format!("{what}: body is not JSON: {err}"))?;
        let validator = self.validator(&format!("{key} {media_type}"), &media["schema"])?;
        let errors: Vec<String> = validator
            .iter_errors(&body)
            .map(|err| format!("{} at {}", err, err.instance_path))
            .collect();
        if errors.is_empty() {
            Ok(())
        } else {
            Err(format!(
                "{what}: body {body} does not match the schema: {}",
                errors.join("; ")
            ))
        }
    }
}
