use std::num::NonZeroU32;
use std::sync::Arc;

use calls_core::domain::{CallId, CallStatus, Email, ExportProfile, ExportedCall};
use calls_core::ports::{MockCallExport, MockUserRepository};
use chrono::{DateTime, TimeDelta};
use futures::StreamExt;

use super::*;

fn call(seconds: i64) -> ExportedCall {
    ExportedCall {
        id: CallId::new(),
        phone_number: "+4930901820".into(),
        country: Some("DE".into()),
        start_time: DateTime::from_timestamp(1_764_000_000, 0).expect("valid")
            - TimeDelta::seconds(seconds),
        created_at: None,
        ended_at: None,
        duration: 0,
        status: CallStatus::Initiated,
        session_id: None,
        dialled_session_id: None,
        sdp_offer: None,
        sdp_answer: None,
        failure_reason: None,
    }
}

/// An export of pages of 2 whose storage answers `later` (in turn) after the first page.
fn export_with(later: Vec<Result<Vec<ExportedCall>, StorageError>>) -> ExportService {
    let mut calls = MockCallExport::new();
    let mut later = later.into_iter();
    calls.expect_export_page().returning(move |_, after, _| {
        assert!(after.is_some(), "later pages start after a call");
        later.next().expect("no more pages were expected")
    });
    ExportService::new(
        Arc::new(MockUserRepository::new()),
        Arc::new(calls),
        NonZeroU32::new(2).expect("non-zero"),
    )
}

fn head() -> Vec<u8> {
    let profile = ExportProfile {
        id: UserId::new(),
        email: Email::parse("alice@example.com").expect("valid"),
        created_at: DateTime::from_timestamp(1_700_000_000, 0).expect("valid"),
    };
    document_head(&profile, Utc::now())
}

fn first_page() -> ExportPage {
    let calls = vec![call(1), call(2)];
    let next = calls.last().map(ExportedCall::position);
    ExportPage { calls, next }
}

#[tokio::test]
async fn the_chunks_make_one_document_of_every_page() {
    let export = export_with(vec![Ok(vec![call(3), call(4)]), Ok(vec![call(5)])]);
    let chunks: Vec<_> = body(export, UserId::new(), head(), first_page())
        .collect()
        .await;
    assert_eq!(chunks.len(), 3, "one chunk per page");
    let mut document = Vec::new();
    for chunk in chunks {
        document.extend_from_slice(&chunk.expect("no failure"));
    }
    let parsed: serde_json::Value = serde_json::from_slice(&document).expect("valid JSON");
    assert_eq!(parsed["calls"].as_array().map(Vec::len), Some(5));
    assert_eq!(parsed["profile"]["email"], "alice@example.com");
}

#[tokio::test]
async fn an_empty_export_is_one_chunk() {
    let export = export_with(vec![]);
    let empty = ExportPage {
        calls: vec![],
        next: None,
    };
    let chunks: Vec<_> = body(export, UserId::new(), head(), empty).collect().await;
    let [Ok(only)] = chunks.as_slice() else {
        panic!("one chunk expected: {chunks:?}");
    };
    let parsed: serde_json::Value = serde_json::from_slice(only).expect("valid JSON");
    assert_eq!(parsed["calls"], serde_json::json!([]));
}

#[tokio::test]
async fn a_failure_mid_stream_ends_it_with_an_error() {
    let export = export_with(vec![
        Ok(vec![call(3), call(4)]),
        Err(StorageError::unavailable("the database went away")),
    ]);
    let chunks: Vec<_> = body(export, UserId::new(), head(), first_page())
        .collect()
        .await;
    assert_eq!(chunks.len(), 3, "two pages, then the error, then nothing");
    assert!(chunks[0].is_ok() && chunks[1].is_ok());
    let error = chunks[2]
        .as_ref()
        .expect_err("the third item is the failure");
    assert!(error.to_string().contains("after 4 calls"), "{error}");
    let mut sent = Vec::new();
    for chunk in chunks.iter().take(2) {
        sent.extend_from_slice(chunk.as_ref().expect("sent"));
    }
    assert!(
        serde_json::from_slice::<serde_json::Value>(&sent).is_err(),
        "what was sent is not a complete document"
    );
}
