//! `GET /api/calls/history`: query parameters and the camelCase response the browser reads.

use calls_core::domain::{
    Call, CallStatus, HistoryCursor, HistoryFilter, HistoryPage, HistoryQuery, UserId,
};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use super::time::rfc3339_in;
use crate::error::{ApiError, Message, messages as m};

/// Raw parameters: all text, so each one gets its own precise message.
#[derive(Debug, Default, Deserialize)]
pub struct HistoryParams {
    pub page: Option<String>,
    pub limit: Option<String>,
    pub date_from: Option<String>,
    pub date_to: Option<String>,
    pub status: Option<String>,
    pub tz: Option<String>,
    pub cursor: Option<String>,
}

/// The validated request: the storage query and the zone to render times in.
#[derive(Debug)]
pub struct HistoryRequest {
    pub query: HistoryQuery,
    pub zone: Option<Tz>,
}

impl HistoryParams {
    pub fn validate(self, user_id: UserId) -> Result<HistoryRequest, ApiError> {
        let page = self
            .page
            .as_deref()
            .map(|v| positive_int("page", v))
            .transpose()?;
        let limit = self
            .limit
            .as_deref()
            .map(|v| positive_int("limit", v))
            .transpose()?;
        let filter = HistoryFilter {
            date_from: self
                .date_from
                .as_deref()
                .map(|v| date("date_from", v))
                .transpose()?,
            date_to: self
                .date_to
                .as_deref()
                .map(|v| date("date_to", v))
                .transpose()?,
            status: self
                .status
                .as_deref()
                .map(|v| v.parse::<CallStatus>().map_err(ApiError::validation))
                .transpose()?,
        };
        let zone = self.tz.as_deref().map(zone).transpose()?;
        let cursor = self
            .cursor
            .as_deref()
            .map(|v| HistoryCursor::decode(v).map_err(ApiError::validation))
            .transpose()?;
        let query = HistoryQuery::new(user_id, filter, page, limit, cursor)
            .map_err(ApiError::validation)?;
        Ok(HistoryRequest { query, zone })
    }
}

fn positive_int(name: &'static str, value: &str) -> Result<u32, ApiError> {
    let invalid = || ApiError::validation(Message::new(m::NOT_POSITIVE_INTEGER).arg("field", name));
    if value.is_empty() || value.len() > 10 || !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid());
    }
    value.parse().map_err(|_| invalid())
}

fn date(name: &'static str, value: &str) -> Result<DateTime<Utc>, ApiError> {
    let invalid = || ApiError::validation(Message::new(m::NOT_DATE_TIME).arg("field", name));
    if value.len() > 64 {
        return Err(invalid());
    }
    DateTime::parse_from_rfc3339(value)
        .map(|t| t.to_utc())
        .map_err(|_| invalid())
}

fn zone(value: &str) -> Result<Tz, ApiError> {
    if value.len() > 64 {
        return Err(ApiError::validation(m::TIME_ZONE_UNKNOWN));
    }
    value
        .parse::<Tz>()
        .map_err(|_| ApiError::validation(m::TIME_ZONE_UNKNOWN))
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HistoryItem {
    pub call_id: String,
    pub phone_number: String,
    pub start_time: String,
    pub duration: u32,
    pub status: &'static str,
}

#[derive(Debug, Serialize)]
pub struct HistoryResponse {
    pub calls: Vec<HistoryItem>,
    pub total: u64,
    pub page: u32,
    pub limit: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

impl HistoryResponse {
    pub fn new(request: &HistoryRequest, page: HistoryPage) -> Self {
        Self {
            calls: page
                .calls
                .into_iter()
                .map(|call| item(call, request.zone))
                .collect(),
            total: page.total,
            page: request.query.page_number(),
            limit: request.query.limit,
            next_cursor: page.next_cursor.map(|cursor| cursor.encode()),
        }
    }
}

fn item(call: Call, zone: Option<Tz>) -> HistoryItem {
    HistoryItem {
        call_id: call.id.to_string(),
        phone_number: call.phone_number,
        start_time: rfc3339_in(call.start_time, zone),
        duration: call.duration,
        status: call.status.as_str(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> HistoryParams {
        let query = serde_urlencoded::to_string(pairs).expect("encodable");
        serde_urlencoded::from_str(&query).expect("decodable")
    }

    fn error_of(pairs: &[(&str, &str)]) -> String {
        params(pairs)
            .validate(UserId::new())
            .expect_err("invalid")
            .message()
            .to_owned()
    }

    #[test]
    fn every_invalid_value_is_named() {
        assert!(error_of(&[("page", "0")]).contains("page"));
        assert!(error_of(&[("page", "-1")]).contains("page"));
        assert!(error_of(&[("page", "1.5")]).contains("page"));
        assert!(error_of(&[("page", "99999999999999999999")]).contains("page"));
        assert!(error_of(&[("limit", "101")]).contains("limit"));
        assert!(error_of(&[("limit", "abc")]).contains("limit"));
        assert!(error_of(&[("date_from", "2026-11-25")]).contains("date_from"));
        assert!(error_of(&[("date_to", "yesterday")]).contains("date_to"));
        assert!(error_of(&[("status", "ringing")]).contains("status"));
        assert!(error_of(&[("tz", "Mars/Olympus")]).contains("tz"));
        assert!(error_of(&[("cursor", "bogus")]).contains("cursor"));
        assert!(error_of(&[("page", "1\0")]).contains("page"));
        assert!(
            error_of(&[
                ("date_from", "2026-11-25T10:00:00Z"),
                ("date_to", "2026-11-24T10:00:00Z")
            ])
            .contains("date_from")
        );
    }

    #[test]
    fn valid_values_become_a_query() {
        let request = params(&[
            ("page", "2"),
            ("limit", "50"),
            ("date_from", "2026-11-01T00:00:00+01:00"),
            ("status", "completed"),
            ("tz", "Europe/Berlin"),
        ])
        .validate(UserId::new())
        .expect("valid");
        assert_eq!(request.query.page_number(), 2);
        assert_eq!(request.query.limit, 50);
        assert_eq!(
            request.query.filter.date_from.map(|t| t.to_rfc3339()),
            Some("2026-10-31T23:00:00+00:00".to_owned())
        );
        assert_eq!(request.query.filter.status, Some(CallStatus::Completed));
        assert_eq!(request.zone, Some(chrono_tz::Europe::Berlin));
    }
}
