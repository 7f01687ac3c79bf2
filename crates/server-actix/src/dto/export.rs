//! `GET /api/account/export`: the document, written piece by piece (see
//! `routes::account_export`). Times are RFC 3339 in UTC (`Z`), with microseconds when there are
//! any; absent values are `null`, never left out, so every call has the same fields.

use calls_core::domain::{ExportProfile, ExportedCall};
use chrono::{DateTime, Utc};
use serde::Serialize;

use super::time::rfc3339_utc;

/// The start of the document, up to the opening bracket of `calls`: `{"format":…,
/// "exported_at":…,"profile":{…},"calls":[`.
pub fn document_head(profile: &ExportProfile, exported_at: DateTime<Utc>) -> Vec<u8> {
    #[derive(Serialize)]
    struct Head<'a> {
        format: &'static str,
        exported_at: String,
        profile: ProfileDto<'a>,
    }
    let head = Head {
        format: FORMAT,
        exported_at: rfc3339_utc(exported_at),
        profile: ProfileDto {
            id: profile.id.to_string(),
            email: profile.email.as_str(),
            created_at: rfc3339_utc(profile.created_at),
        },
    };
    // An object of strings always serialises; the fallback keeps this free of panics.
    let mut bytes = serde_json::to_vec(&head).unwrap_or_else(|_| b"{}".to_vec());
    bytes.pop(); // the closing brace: `calls` follows
    if bytes.len() > 1 {
        bytes.push(b',');
    }
    bytes.extend_from_slice(br#""calls":["#);
    bytes
}

/// The end of the document, after the last call.
pub const DOCUMENT_TAIL: &[u8] = b"]}";

/// Names the document's shape, so that a later change can be told apart.
pub const FORMAT: &str = "calls-platform-export/1";

/// `calls`, serialised one after the other, a comma before each but the document's first.
pub fn append_calls(
    out: &mut Vec<u8>,
    calls: &[ExportedCall],
    first_of_document: bool,
) -> Result<(), serde_json::Error> {
    for (index, call) in calls.iter().enumerate() {
        if index > 0 || !first_of_document {
            out.push(b',');
        }
        serde_json::to_writer(&mut *out, &CallDto::from(call))?;
    }
    Ok(())
}

#[derive(Serialize)]
struct ProfileDto<'a> {
    id: String,
    email: &'a str,
    created_at: String,
}

#[derive(Serialize)]
struct CallDto<'a> {
    id: String,
    phone_number: &'a str,
    country: Option<&'a str>,
    start_time: String,
    created_at: Option<String>,
    ended_at: Option<String>,
    duration: u32,
    status: &'static str,
    session_id: Option<&'a str>,
    dialled_session_id: Option<&'a str>,
    sdp_offer: Option<&'a str>,
    sdp_answer: Option<&'a str>,
    failure_reason: Option<&'a str>,
}

impl<'a> From<&'a ExportedCall> for CallDto<'a> {
    fn from(call: &'a ExportedCall) -> Self {
        Self {
            id: call.id.to_string(),
            phone_number: &call.phone_number,
            country: call.country.as_deref(),
            start_time: rfc3339_utc(call.start_time),
            created_at: call.created_at.map(rfc3339_utc),
            ended_at: call.ended_at.map(rfc3339_utc),
            duration: call.duration,
            status: call.status.as_str(),
            session_id: call.session_id.as_deref(),
            dialled_session_id: call.dialled_session_id.as_deref(),
            sdp_offer: call.sdp_offer.as_deref(),
            sdp_answer: call.sdp_answer.as_deref(),
            failure_reason: call.failure_reason.as_deref(),
        }
    }
}

#[cfg(test)]
mod tests {
    use calls_core::domain::{CallId, CallStatus, Email, UserId};

    use super::*;

    fn call() -> ExportedCall {
        ExportedCall {
            id: CallId::new(),
            phone_number: "+4930901820".into(),
            country: Some("DE".into()),
            start_time: DateTime::from_timestamp_micros(1_764_062_400_123_456).expect("valid"),
            created_at: None,
            ended_at: None,
            duration: 7,
            status: CallStatus::Completed,
            session_id: Some("MK1".into()),
            dialled_session_id: None,
            sdp_offer: None,
            sdp_answer: None,
            failure_reason: None,
        }
    }

    fn document(pages: &[Vec<ExportedCall>]) -> serde_json::Value {
        let profile = ExportProfile {
            id: UserId::new(),
            email: Email::parse("alice@example.com").expect("valid"),
            created_at: DateTime::from_timestamp(1_764_000_000, 0).expect("valid"),
        };
        let mut bytes = document_head(&profile, Utc::now());
        let mut first = true;
        for page in pages {
            append_calls(&mut bytes, page, first).expect("serialises");
            first &= page.is_empty();
        }
        bytes.extend_from_slice(DOCUMENT_TAIL);
        serde_json::from_slice(&bytes).expect("one valid JSON document")
    }

    #[test]
    fn the_pieces_make_one_document_however_the_calls_are_paged() {
        let empty = document(&[]);
        assert_eq!(empty["calls"], serde_json::json!([]));
        assert_eq!(empty["format"], FORMAT);
        assert_eq!(empty["profile"]["email"], "alice@example.com");
        assert_eq!(empty["profile"]["created_at"], "2025-11-24T16:00:00Z");
        let paged = document(&[vec![], vec![call(), call()], vec![call()], vec![]]);
        assert_eq!(paged["calls"].as_array().map(Vec::len), Some(3));
        let first = &paged["calls"][0];
        assert_eq!(first["start_time"], "2025-11-25T09:20:00.123456Z");
        assert_eq!(first["status"], "completed");
        assert_eq!(first["ended_at"], serde_json::Value::Null);
    }
}
