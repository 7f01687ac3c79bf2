//! `GET /api/countries`: the destinations one may call, as listed for one language.

use calls_core::services::ListedDestination;
use serde::Serialize;

#[derive(Debug, Serialize)]
pub struct CountriesResponse<'a> {
    pub language: &'static str,
    pub countries: Vec<CountryDto<'a>>,
}

#[derive(Debug, Serialize)]
pub struct CountryDto<'a> {
    /// ISO 3166-1 alpha-2.
    pub code: &'a str,
    /// `+49`.
    pub calling_code: String,
    pub name: &'a str,
    /// E.164, as `POST /api/calls` takes it.
    pub example: &'a str,
    /// The same number grouped for people: `+49 30 123456`.
    pub example_formatted: String,
}

impl<'a> From<&'a ListedDestination> for CountryDto<'a> {
    fn from(listed: &'a ListedDestination) -> Self {
        Self {
            code: &listed.code,
            calling_code: format!("+{}", listed.calling_code),
            name: &listed.name,
            example: listed.example.as_e164(),
            example_formatted: listed.example.international(),
        }
    }
}
