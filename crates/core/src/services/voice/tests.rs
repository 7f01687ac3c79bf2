//! Use-case tests of the voice service with mockall mocks of the ports. The paths through real
//! storage and providers are covered by the API tests; these pin down the orderings and the
//! failure handling that are hard to provoke from outside (timeouts, races, lost writes).

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use mockall::predicate::{always, eq};

use super::*;
use crate::domain::{Call, CallStatus, DestinationPolicy};
use crate::ports::{
    HangUpError, MockVoiceProvider, ProviderSession, StartCallError, StorageError, TransitionError,
};
use crate::services::fixtures::{MockCallStorage, NUMBER, call_of, clock, now};

/// A call the provider knows as `MK-session`.
pub(super) fn linked_call(user_id: UserId, status: CallStatus) -> Call {
    Call {
        session_id: Some("MK-session".into()),
        ..call_of(user_id, status)
    }
}

pub(super) fn service(calls: MockCallStorage, provider: MockVoiceProvider) -> VoiceService {
    service_with(
        calls,
        provider,
        DestinationPolicy::allow_all(),
        CallLimits::default(),
    )
}

fn service_with(
    calls: MockCallStorage,
    provider: MockVoiceProvider,
    destinations: DestinationPolicy,
    limits: CallLimits,
) -> VoiceService {
    let ports = calls.into_ports();
    VoiceService::new(VoiceDeps {
        calls: ports.records,
        usage: ports.usage,
        sweeps: ports.sweeps,
        provider: Arc::new(provider),
        clock: clock(),
        destinations,
        limits,
        provider_timeout: Duration::from_millis(200),
        link_window: Duration::from_secs(120),
    })
}

/// Storage that accepts one new call, counting `in_progress` calls before the insert.
fn storage_accepting_a_call(in_progress: u64) -> MockCallStorage {
    let mut calls = MockCallStorage::default();
    let mut counted = in_progress;
    calls.usage.expect_count_in_progress().returning(move |_| {
        let seen = counted;
        counted += 1;
        Ok(seen)
    });
    calls
        .records
        .expect_create()
        .times(1)
        .returning(|new_call| {
            Ok(Call {
                id: new_call.id,
                user_id: new_call.user_id,
                phone_number: new_call.phone_number.as_e164().to_owned(),
                country: new_call.phone_number.region().map(str::to_owned),
                start_time: new_call.start_time,
                duration: 0,
                status: new_call.status,
                session_id: None,
                sdp_offer: None,
                failure_reason: None,
                ended_at: None,
            })
        });
    calls
}

fn session(id: &str) -> ProviderSession {
    ProviderSession {
        session_id: Some(id.to_owned()),
        sdp_offer: Some("v=0".to_owned()),
        voice_token: None,
    }
}

#[tokio::test]
async fn refused_destinations_store_nothing_and_send_nothing() {
    let mut calls = MockCallStorage::default();
    calls.records.expect_create().never();
    let mut provider = MockVoiceProvider::new();
    provider.expect_start_call().never();
    let policy = DestinationPolicy::new(["FR"], [""; 0]).expect("valid");
    let service = service_with(calls, provider, policy, CallLimits::default());

    let err = service
        .initiate(UserId::new(), NUMBER)
        .await
        .expect_err("DE is not allowed");
    assert!(
        matches!(err, InitiateError::DestinationNotAllowed(_)),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_user_in_a_call_cannot_start_another() {
    let mut calls = MockCallStorage::default();
    calls.usage.expect_count_in_progress().returning(|_| Ok(1));
    calls.records.expect_create().never();
    let mut provider = MockVoiceProvider::new();
    provider.expect_start_call().never();

    let err = service(calls, provider)
        .initiate(UserId::new(), NUMBER)
        .await
        .expect_err("one call at a time");
    assert!(
        matches!(err, InitiateError::CallInProgress { limit: 1 }),
        "{err:?}"
    );
}

#[tokio::test]
async fn the_daily_cap_counts_the_last_24_hours() {
    let mut calls = MockCallStorage::default();
    calls.usage.expect_count_in_progress().returning(|_| Ok(0));
    calls
        .usage
        .expect_count_started_since()
        .with(always(), eq(now() - TimeDelta::hours(24)))
        .returning(|_, _| Ok(5));
    calls.records.expect_create().never();
    let limits = CallLimits {
        max_in_progress: 1,
        max_per_day: Some(5),
    };
    let service = service_with(
        calls,
        MockVoiceProvider::new(),
        DestinationPolicy::allow_all(),
        limits,
    );

    let err = service
        .initiate(UserId::new(), NUMBER)
        .await
        .expect_err("cap reached");
    assert!(
        matches!(err, InitiateError::DailyLimitReached { limit: 5 }),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_racing_initiate_over_the_limit_is_canceled_before_the_provider_hears_of_it() {
    let mut calls = MockCallStorage::default();
    // Both racers saw 0 before inserting; after inserting, this one sees 2.
    let mut answers = vec![Ok(2), Ok(0)];
    calls
        .usage
        .expect_count_in_progress()
        .returning(move |_| answers.pop().expect("two counts"));
    let user = UserId::new();
    calls.records.expect_create().returning(move |new_call| {
        Ok(Call {
            id: new_call.id,
            ..linked_call(user, CallStatus::Connecting)
        })
    });
    calls
        .records
        .expect_transition()
        .withf(|_, change| change.status == CallStatus::Canceled && change.failure_reason.is_some())
        .times(1)
        .returning(|_, _| Ok(linked_call(UserId::new(), CallStatus::Canceled)));
    let mut provider = MockVoiceProvider::new();
    provider.expect_start_call().never();

    let err = service(calls, provider)
        .initiate(user, NUMBER)
        .await
        .expect_err("over the limit");
    assert!(
        matches!(err, InitiateError::CallInProgress { .. }),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_started_call_stores_the_provider_session() {
    let mut calls = storage_accepting_a_call(0);
    calls
        .records
        .expect_transition()
        .withf(|_, change| {
            change.status == CallStatus::Connecting
                && change.session_id.as_deref() == Some("MK1")
                && change.sdp_offer.as_deref() == Some("v=0")
        })
        .times(1)
        .returning(|id, change| {
            Ok(Call {
                id,
                session_id: change.session_id,
                sdp_offer: change.sdp_offer,
                ..linked_call(UserId::new(), CallStatus::Connecting)
            })
        });
    let mut provider = MockVoiceProvider::new();
    provider
        .expect_start_call()
        .withf(|call| call.to.as_e164() == NUMBER)
        .times(1)
        .returning(|_| Ok(session("MK1")));

    let started = service(calls, provider)
        .initiate(UserId::new(), " +4930901820 ")
        .await
        .expect("started");
    assert_eq!(started.session_id.as_deref(), Some("MK1"));
    assert_eq!(started.sdp_offer.as_deref(), Some("v=0"));
    assert_eq!(started.call.status, CallStatus::Connecting);
}

#[tokio::test]
async fn a_provider_failure_fails_the_record_with_the_reason() {
    let mut calls = storage_accepting_a_call(0);
    calls
        .records
        .expect_transition()
        .withf(|_, change| {
            change.status == CallStatus::Failed
                && change
                    .failure_reason
                    .as_deref()
                    .is_some_and(|reason| reason.contains("outage"))
        })
        .times(1)
        .returning(|_, _| Ok(linked_call(UserId::new(), CallStatus::Failed)));
    let mut provider = MockVoiceProvider::new();
    provider
        .expect_start_call()
        .returning(|_| Err(StartCallError::Unavailable("outage".into())));

    let err = service(calls, provider)
        .initiate(UserId::new(), NUMBER)
        .await
        .expect_err("provider down");
    assert!(
        matches!(err, InitiateError::ProviderUnavailable(_)),
        "{err:?}"
    );
}

/// A provider that never answers: `start_call` waits far longer than the service does.
struct SilentProvider;

#[async_trait::async_trait]
impl crate::ports::VoiceProvider for SilentProvider {
    async fn start_call(
        &self,
        _call: crate::ports::OutboundCall,
    ) -> Result<ProviderSession, StartCallError> {
        tokio::time::sleep(Duration::from_secs(3600)).await;
        Ok(session("never"))
    }
    async fn hang_up(&self, _session_id: &str) -> Result<(), HangUpError> {
        Ok(())
    }
    async fn cancel(
        &self,
        _session_id: &str,
        _progress: crate::ports::CallProgress,
    ) -> Result<(), HangUpError> {
        Ok(())
    }
    fn browser_token(
        &self,
        _user_id: UserId,
        _now: DateTime<Utc>,
    ) -> Option<crate::ports::BrowserToken> {
        None
    }
}

#[tokio::test]
async fn a_provider_that_does_not_answer_in_time_fails_the_record() {
    let mut calls = storage_accepting_a_call(0);
    calls
        .records
        .expect_transition()
        .withf(|_, change| change.status == CallStatus::Failed)
        .times(1)
        .returning(|_, _| Ok(linked_call(UserId::new(), CallStatus::Failed)));
    let ports = calls.into_ports();
    let service = VoiceService::new(VoiceDeps {
        calls: ports.records,
        usage: ports.usage,
        sweeps: ports.sweeps,
        provider: Arc::new(SilentProvider),
        clock: clock(),
        destinations: DestinationPolicy::allow_all(),
        limits: CallLimits::default(),
        provider_timeout: Duration::from_millis(50),
        link_window: Duration::from_secs(120),
    });

    let err = service
        .initiate(UserId::new(), NUMBER)
        .await
        .expect_err("timed out");
    assert!(
        matches!(err, InitiateError::ProviderUnavailable(_)),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_session_that_cannot_be_stored_is_hung_up() {
    let mut calls = storage_accepting_a_call(0);
    calls
        .records
        .expect_transition()
        .returning(|_, _| Err(TransitionError::Storage(StorageError::unavailable("down"))));
    let mut provider = MockVoiceProvider::new();
    provider
        .expect_start_call()
        .returning(|_| Ok(session("MK9")));
    provider
        .expect_hang_up()
        .with(eq("MK9"))
        .times(1)
        .returning(|_| Ok(()));

    let err = service(calls, provider)
        .initiate(UserId::new(), NUMBER)
        .await
        .expect_err("storage down");
    assert!(
        matches!(
            err,
            InitiateError::Storage(StorageError::Unavailable { .. })
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn terminating_hangs_up_and_stores_the_elapsed_seconds() {
    let user = UserId::new();
    let call = linked_call(user, CallStatus::Active);
    let id = call.id;
    let mut calls = MockCallStorage::default();
    calls
        .records
        .expect_get()
        .returning(move |_| Ok(Some(call.clone())));
    calls
        .records
        .expect_transition()
        .withf(move |call_id, change| {
            *call_id == id && change.status == CallStatus::Completed && change.duration == Some(75)
        })
        .times(1)
        .returning(move |_, _| Ok(linked_call(user, CallStatus::Completed)));
    let mut provider = MockVoiceProvider::new();
    provider
        .expect_hang_up()
        .with(eq("MK-session"))
        .times(1)
        .returning(|_| Ok(()));

    let ended = service(calls, provider)
        .terminate(user, id)
        .await
        .expect("terminated");
    assert_eq!(ended.status, CallStatus::Completed);
}

#[tokio::test]
async fn terminating_a_finished_call_asks_the_provider_nothing() {
    let user = UserId::new();
    let call = linked_call(user, CallStatus::Completed);
    let stored = call.clone();
    let mut calls = MockCallStorage::default();
    calls
        .records
        .expect_get()
        .returning(move |_| Ok(Some(call.clone())));
    calls.records.expect_transition().never();
    let mut provider = MockVoiceProvider::new();
    provider.expect_hang_up().never();

    let ended = service(calls, provider)
        .terminate(user, stored.id)
        .await
        .expect("idempotent");
    assert_eq!(ended, stored);
}

#[tokio::test]
async fn terminating_while_the_provider_is_down_changes_nothing() {
    let user = UserId::new();
    let call = linked_call(user, CallStatus::Active);
    let id = call.id;
    let mut calls = MockCallStorage::default();
    calls
        .records
        .expect_get()
        .returning(move |_| Ok(Some(call.clone())));
    calls.records.expect_transition().never();
    let mut provider = MockVoiceProvider::new();
    provider
        .expect_hang_up()
        .returning(|_| Err(HangUpError::Unavailable("timeout".into())));

    let err = service(calls, provider)
        .terminate(user, id)
        .await
        .expect_err("provider down");
    assert!(
        matches!(err, TerminateError::ProviderUnavailable(_)),
        "{err:?}"
    );
}

#[tokio::test]
async fn another_users_call_cannot_be_terminated() {
    let call = linked_call(UserId::new(), CallStatus::Active);
    let id = call.id;
    let mut calls = MockCallStorage::default();
    calls
        .records
        .expect_get()
        .returning(move |_| Ok(Some(call.clone())));
    let mut provider = MockVoiceProvider::new();
    provider.expect_hang_up().never();

    let err = service(calls, provider)
        .terminate(UserId::new(), id)
        .await
        .expect_err("not theirs");
    assert!(matches!(err, TerminateError::Forbidden), "{err:?}");
}

#[tokio::test]
async fn a_browser_may_only_dial_the_number_it_initiated() {
    let user = UserId::new();
    let mut pending = linked_call(user, CallStatus::Connecting);
    pending.session_id = None;
    let mut calls = MockCallStorage::default();
    calls
        .records
        .expect_find_by_session_id()
        .returning(|_| Ok(None));
    calls
        .records
        .expect_find_pending_without_session()
        .with(eq(user), eq(now() - TimeDelta::seconds(120)))
        .returning(move |_, _| Ok(Some(pending.clone())));
    calls.records.expect_transition().never();

    let decision = service(calls, MockVoiceProvider::new())
        .link_browser_call(Some(user), "+33142685300", "CA1")
        .await;
    assert_eq!(decision, DialDecision::Refuse(LinkError::NoPendingCall));
}

#[tokio::test]
async fn a_browser_call_is_linked_to_the_pending_record() {
    let user = UserId::new();
    let mut pending = linked_call(user, CallStatus::Connecting);
    pending.session_id = None;
    let id = pending.id;
    let mut calls = MockCallStorage::default();
    calls
        .records
        .expect_find_by_session_id()
        .returning(|_| Ok(None));
    calls
        .records
        .expect_find_pending_without_session()
        .returning(move |_, _| Ok(Some(pending.clone())));
    calls
        .records
        .expect_transition()
        .withf(move |call_id, change| *call_id == id && change.session_id.as_deref() == Some("CA1"))
        .times(1)
        .returning(move |_, _| Ok(linked_call(user, CallStatus::Connecting)));

    let decision = service(calls, MockVoiceProvider::new())
        .link_browser_call(Some(user), NUMBER, "CA1")
        .await;
    assert!(
        matches!(decision, DialDecision::Dial { ref number, call_id } if number.as_e164() == NUMBER && call_id == id),
        "{decision:?}"
    );
}

#[tokio::test]
async fn unknown_callers_are_refused_without_a_lookup() {
    let mut calls = MockCallStorage::default();
    calls.records.expect_find_by_session_id().never();
    calls.records.expect_find_pending_without_session().never();
    let decision = service(calls, MockVoiceProvider::new())
        .link_browser_call(None, NUMBER, "CA1")
        .await;
    assert_eq!(decision, DialDecision::Refuse(LinkError::UnknownCaller));
}

#[tokio::test]
async fn the_reaper_sweeps_each_unfinished_status_with_its_own_limit() {
    let policy = ReaperPolicy::default();
    let mut calls = MockCallStorage::default();
    for (status, limit, failed) in [
        (CallStatus::Connecting, TimeDelta::minutes(2), 3),
        (CallStatus::Active, TimeDelta::hours(4), 1),
        (CallStatus::Initiated, TimeDelta::hours(4), 0),
    ] {
        calls
            .sweeps
            .expect_fail_stale()
            .withf(move |s, before, reason, at| {
                *s == status && *before == now() - limit && !reason.is_empty() && *at == now()
            })
            .times(1)
            .returning(move |_, _, _, _| Ok(failed));
    }
    let report = service(calls, MockVoiceProvider::new())
        .reap_stale_calls(&policy)
        .await
        .expect("swept");
    assert_eq!(
        report,
        ReapReport {
            connecting: 3,
            active: 1,
            initiated: 0
        }
    );
}
