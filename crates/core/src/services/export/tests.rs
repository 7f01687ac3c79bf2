use std::num::NonZeroU32;
use std::sync::Arc;

use chrono::TimeDelta;
use mockall::predicate::eq;

use super::*;
use crate::domain::{CallId, CallStatus, Email, PasswordHash, User};
use crate::ports::{MockCallExport, MockUserRepository};
use crate::services::fixtures::{NUMBER, now};

fn exported(seconds_ago: i64) -> ExportedCall {
    ExportedCall {
        id: CallId::new(),
        phone_number: NUMBER.into(),
        country: Some("DE".into()),
        start_time: now() - TimeDelta::seconds(seconds_ago),
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

fn service(users: MockUserRepository, calls: MockCallExport, page_size: u32) -> ExportService {
    ExportService::new(
        Arc::new(users),
        Arc::new(calls),
        NonZeroU32::new(page_size).expect("non-zero"),
    )
}

#[tokio::test]
async fn the_profile_leaves_the_password_hash_out() {
    let user = User {
        id: UserId::new(),
        email: Email::parse("alice@example.com").expect("valid"),
        password_hash: PasswordHash::new("$argon2id$secret".into()),
        created_at: now(),
        sessions_valid_after: None,
    };
    let id = user.id;
    let mut users = MockUserRepository::new();
    users
        .expect_find_by_id()
        .with(eq(id))
        .returning(move |_| Ok(Some(user.clone())));
    let profile = service(users, MockCallExport::new(), 10)
        .profile(id)
        .await
        .expect("profile");
    assert_eq!(profile.id, id);
    assert_eq!(profile.email.as_str(), "alice@example.com");
    assert_eq!(profile.created_at, now());
}

#[tokio::test]
async fn a_deleted_user_has_no_profile() {
    let mut users = MockUserRepository::new();
    users.expect_find_by_id().returning(|_| Ok(None));
    let refused = service(users, MockCallExport::new(), 10)
        .profile(UserId::new())
        .await;
    assert!(
        matches!(refused, Err(ExportError::UnknownUser)),
        "{refused:?}"
    );
}

#[tokio::test]
async fn a_full_page_points_at_its_last_call_and_a_short_one_ends() {
    let user = UserId::new();
    let first = vec![exported(1), exported(2)];
    let last_position = first[1].position();
    let page_one = first.clone();
    let mut calls = MockCallExport::new();
    calls
        .expect_export_page()
        .with(eq(user), eq(None), eq(2))
        .returning(move |_, _, _| Ok(page_one.clone()));
    calls
        .expect_export_page()
        .with(eq(user), eq(Some(last_position)), eq(2))
        .returning(|_, _, _| Ok(vec![exported(3)]));
    let export = service(MockUserRepository::new(), calls, 2);

    let one = export.page(user, None).await.expect("first page");
    assert_eq!(one.calls, first);
    assert_eq!(one.next, Some(last_position));
    let two = export.page(user, one.next).await.expect("second page");
    assert_eq!(two.calls.len(), 1);
    assert_eq!(two.next, None, "a short page is the last");
}

#[tokio::test]
async fn storage_failures_are_reported() {
    let mut calls = MockCallExport::new();
    calls
        .expect_export_page()
        .returning(|_, _, _| Err(StorageError::unavailable("down")));
    let failed = service(MockUserRepository::new(), calls, 5)
        .page(UserId::new(), None)
        .await;
    assert!(failed.is_err());
}
