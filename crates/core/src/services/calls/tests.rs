//! Use-case tests of call records, with mockall mocks of the ports.

use chrono::Utc;

use super::*;
use crate::services::fixtures::{MockCallStorage, call_of, clock};

fn service(calls: MockCallStorage) -> CallService {
    let ports = calls.into_ports();
    CallService::new(ports.records, ports.history, clock())
}

#[tokio::test]
async fn invalid_numbers_are_refused_before_storage() {
    let mut calls = MockCallStorage::default();
    calls.records.expect_create().never();
    let service = service(calls);
    let err = service
        .record(UserId::new(), "+10000000000")
        .await
        .expect_err("invalid");
    assert!(matches!(err, RecordCallError::InvalidNumber(_)), "{err:?}");
}

#[tokio::test]
async fn new_calls_are_initiated_and_normalized() {
    let mut calls = MockCallStorage::default();
    calls
        .records
        .expect_create()
        .times(1)
        .returning(|new_call| {
            assert_eq!(new_call.status, CallStatus::Initiated);
            assert_eq!(new_call.phone_number.as_e164(), "+4930901820");
            assert_eq!(new_call.phone_number.region(), Some("DE"));
            let mut call = call_of(new_call.user_id, new_call.status);
            call.id = new_call.id;
            Ok(call)
        });
    let service = service(calls);
    service
        .record(UserId::new(), " +4930901820 ")
        .await
        .expect("recorded");
}

#[tokio::test]
async fn another_users_call_is_forbidden_and_untouched() {
    let owner = UserId::new();
    let call = call_of(owner, CallStatus::Initiated);
    let call_id = call.id;
    let mut calls = MockCallStorage::default();
    calls
        .records
        .expect_get()
        .returning(move |_| Ok(Some(call.clone())));
    calls.records.expect_transition().never();
    let service = service(calls);
    let err = service
        .update(UserId::new(), call_id, CallStatus::Active, Some(3))
        .await
        .expect_err("forbidden");
    assert!(matches!(err, UpdateCallError::Forbidden), "{err:?}");
}

#[tokio::test]
async fn unknown_call_is_not_found() {
    let mut calls = MockCallStorage::default();
    calls.records.expect_get().returning(|_| Ok(None));
    let service = service(calls);
    let err = service
        .update(UserId::new(), CallId::new(), CallStatus::Active, None)
        .await
        .expect_err("missing");
    assert!(matches!(err, UpdateCallError::NotFound), "{err:?}");
}

#[tokio::test]
async fn a_refused_transition_reports_both_statuses() {
    let owner = UserId::new();
    let call = call_of(owner, CallStatus::Completed);
    let call_id = call.id;
    let mut calls = MockCallStorage::default();
    calls
        .records
        .expect_get()
        .returning(move |_| Ok(Some(call.clone())));
    calls.records.expect_transition().returning(|_, change| {
        Err(TransitionError::Refused {
            current: CallStatus::Completed,
            requested: change.status,
        })
    });
    let service = service(calls);
    let err = service
        .update(owner, call_id, CallStatus::Active, Some(1))
        .await
        .expect_err("refused");
    assert!(
        matches!(
            err,
            UpdateCallError::InvalidTransition {
                current: CallStatus::Completed,
                requested: CallStatus::Active
            }
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn the_update_carries_status_duration_and_time() {
    let owner = UserId::new();
    let call = call_of(owner, CallStatus::Active);
    let call_id = call.id;
    let mut calls = MockCallStorage::default();
    calls
        .records
        .expect_get()
        .returning(move |_| Ok(Some(call.clone())));
    calls
        .records
        .expect_transition()
        .times(1)
        .returning(move |id, change| {
            assert_eq!(id, call_id);
            assert_eq!(change.status, CallStatus::Completed);
            assert_eq!(change.duration, Some(65));
            assert!(change.ended_at().is_some());
            let mut updated = call_of(owner, change.status);
            updated.duration = 65;
            Ok(updated)
        });
    let service = service(calls);
    let updated = service
        .update(owner, call_id, CallStatus::Completed, Some(65))
        .await
        .expect("updated");
    assert_eq!(updated.duration, 65);
}

#[tokio::test]
async fn history_for_a_session_hands_the_tokens_revocation_key_to_the_storage() {
    use crate::domain::{HistoryFilter, HistoryQuery};
    use crate::ports::{RevocationKey, VerifiedToken};
    use crate::services::auth::tests_support::signed_token;

    let user_id = UserId::new();
    let mut calls = MockCallStorage::default();
    calls
        .history
        .expect_page_for_live_session()
        .withf(move |query, session| {
            query.user_id == user_id
                && session.key.as_str() == "jti:h"
                && session.user_id == user_id
        })
        .times(1)
        .returning(|_, _| Ok(SessionHistory::SessionEnded));
    let service = service(calls);
    let token = signed_token(VerifiedToken {
        user_id,
        email: "alice@example.com".into(),
        expires_at: Utc::now(),
        revocation_key: RevocationKey::new("jti:h".into()),
        issued_at: Utc::now(),
    });
    let query =
        HistoryQuery::new(user_id, HistoryFilter::default(), None, None, None).expect("query");
    let read = service
        .history_for_session(&token, query)
        .await
        .expect("read");
    assert_eq!(
        read,
        SessionHistory::SessionEnded,
        "a revoked token reads nothing"
    );
}
