//! Twilio's own OpenAPI description of its 2010-04-01 REST API, read at test time from
//! `../shared/twilio/twilio_api_v2010.json` (Twilio's published file, MIT licence; test data,
//! never copied into the project), and a checker of recorded requests against it: the
//! operation for the path and method, the content type, every form field's name, type and
//! allowed values, and the required fields.

use std::path::PathBuf;

use serde_json::Value;

/// Where the description is: `TWILIO_OPENAPI_SPEC`, else beside the project's checkout.
pub fn spec_path() -> PathBuf {
    std::env::var_os("TWILIO_OPENAPI_SPEC").map_or_else(
        || {
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("../../../shared/twilio/twilio_api_v2010.json")
        },
        PathBuf::from,
    )
}

pub struct Spec(Value);

impl Spec {
    /// Fails the test, naming the file, when the description is not there: the conformance
    /// check is a requirement, not an option.
    pub fn load() -> Self {
        let path = spec_path();
        let text = std::fs::read_to_string(&path).unwrap_or_else(|error| {
            panic!(
                "Twilio's OpenAPI description must be at {} (or TWILIO_OPENAPI_SPEC): {error}",
                path.display()
            )
        });
        Self(serde_json::from_str(&text).expect("the description is JSON"))
    }

    /// The servers the API is described at.
    pub fn servers(&self) -> Vec<String> {
        self.0["servers"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|server| server["url"].as_str().map(str::to_owned))
            .collect()
    }

    /// `#/components/...` references resolved.
    fn resolve<'a>(&'a self, schema: &'a Value) -> &'a Value {
        match schema["$ref"].as_str() {
            Some(reference) => {
                let pointer = reference.trim_start_matches('#');
                self.0.pointer(pointer).unwrap_or(&Value::Null)
            }
            None => schema,
        }
    }

    /// The path template matching `path` (each `{Param}` one segment matching its schema),
    /// with the operation for `method`.
    fn operation(&self, method: &str, path: &str) -> Result<(String, &Value), String> {
        let paths = self.0["paths"]
            .as_object()
            .ok_or("the description has no paths")?;
        let segments: Vec<&str> = path.split('/').collect();
        for (template, item) in paths {
            let pattern: Vec<&str> = template.split('/').collect();
            if pattern.len() != segments.len() {
                continue;
            }
            let Some(operation) = item.get(method.to_ascii_lowercase()) else {
                continue;
            };
            let matches =
                pattern.iter().zip(&segments).all(|(expected, actual)| {
                    match parameter_of(expected) {
                        Some((name, suffix)) => actual
                            .strip_suffix(suffix)
                            .is_some_and(|value| self.path_value_fits(operation, name, value)),
                        None => expected == actual,
                    }
                });
            if matches {
                return Ok((template.clone(), operation));
            }
        }
        Err(format!(
            "no operation {method} {path} in Twilio's description"
        ))
    }

    fn path_value_fits(&self, operation: &Value, name: &str, value: &str) -> bool {
        let Some(parameter) = operation["parameters"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|parameter| parameter["name"] == name && parameter["in"] == "path")
        else {
            return false;
        };
        let schema = self.resolve(&parameter["schema"]);
        let length_fits = |bound: &str, fits: fn(usize, u64) -> bool| {
            schema[bound]
                .as_u64()
                .is_none_or(|limit| fits(value.len(), limit))
        };
        !value.is_empty()
            && length_fits("minLength", |len, min| len as u64 >= min)
            && length_fits("maxLength", |len, max| len as u64 <= max)
            && schema["pattern"].as_str().is_none_or(|pattern| {
                regex::Regex::new(pattern).is_ok_and(|regex| regex.is_match(value))
            })
    }

    /// Everything wrong with a request to Twilio by its own description; empty when nothing.
    pub fn problems(&self, request: &wiremock::Request) -> Vec<String> {
        let method = request.method.as_str();
        let path = request.url.path();
        let (template, operation) = match self.operation(method, path) {
            Ok(found) => found,
            Err(problem) => return vec![problem],
        };
        let mut problems = Vec::new();
        let what = format!("{method} {template}");
        let content_type = request
            .headers
            .get("content-type")
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default();
        let Some(body) = operation["requestBody"]["content"].get(content_type) else {
            return vec![format!(
                "{what}: content type {content_type:?} is not described"
            )];
        };
        if operation["security"]
            .as_array()
            .is_some_and(|schemes| !schemes.is_empty())
            && !request
                .headers
                .get("authorization")
                .and_then(|value| value.to_str().ok())
                .is_some_and(|value| value.starts_with("Basic "))
        {
            problems.push(format!("{what}: no HTTP Basic credentials"));
        }
        let schema = self.resolve(&body["schema"]);
        let properties = schema["properties"]
            .as_object()
            .cloned()
            .unwrap_or_default();
        let form: Vec<(String, String)> =
            serde_urlencoded::from_bytes(&request.body).unwrap_or_default();
        for (name, value) in &form {
            let Some(property) = properties.get(name) else {
                problems.push(format!("{what}: {name} is not a field of the operation"));
                continue;
            };
            let property = self.resolve(property);
            let repeated = form.iter().filter(|(other, _)| other == name).count() > 1;
            let (item, is_array) = if property["type"] == "array" {
                (self.resolve(&property["items"]), true)
            } else {
                (property, false)
            };
            if repeated && !is_array {
                problems.push(format!("{what}: {name} is not a list but is repeated"));
            }
            if let Some(problem) = value_problem(item, value) {
                problems.push(format!("{what}: {name}={value:?} {problem}"));
            }
            if is_array
                && let Some(allowed) = values_listed_in(&property["description"])
                && !allowed.iter().any(|allowed| allowed == value)
            {
                problems.push(format!(
                    "{what}: {name}={value:?} is none of those described: {allowed:?}"
                ));
            }
        }
        for required in schema["required"].as_array().into_iter().flatten() {
            let required = required.as_str().unwrap_or_default();
            if !form.iter().any(|(name, _)| name == required) {
                problems.push(format!("{what}: the required {required} is missing"));
            }
        }
        problems
    }
}

/// `{Sid}.json` -> (`Sid`, `.json`).
fn parameter_of(segment: &str) -> Option<(&str, &str)> {
    let rest = segment.strip_prefix('{')?;
    let end = rest.find('}')?;
    Some((&rest[..end], &rest[end + 1..]))
}

/// What is wrong with `value` for a scalar `schema`: its type, enum and URI format.
fn value_problem(schema: &Value, value: &str) -> Option<String> {
    let type_fits = match schema["type"].as_str() {
        Some("integer") => value.parse::<i64>().is_ok(),
        Some("number") => value.parse::<f64>().is_ok(),
        Some("boolean") => matches!(value, "true" | "false"),
        _ => true,
    };
    if !type_fits {
        return Some(format!("is not of type {}", schema["type"]));
    }
    if let Some(allowed) = schema["enum"].as_array()
        && !allowed.iter().any(|allowed| allowed == value)
    {
        return Some(format!("is not one of {allowed:?}"));
    }
    if schema["format"] == "uri" && !(value.starts_with("https://") || value.starts_with("http://"))
    {
        return Some("is not an absolute URI".to_owned());
    }
    None
}

/// The values a description lists as "Can be: `a`, `b`, and `c`." (Twilio's way of naming the
/// values of a list field).
fn values_listed_in(description: &Value) -> Option<Vec<String>> {
    let text = description.as_str()?;
    let listed = text.split_once("Can be:")?.1;
    let sentence = listed.split_once(". ").map_or(listed, |(first, _)| first);
    let values: Vec<String> = sentence
        .split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_owned)
        .collect();
    (!values.is_empty()).then_some(values)
}
