//! Provider reports: the rules of [`report_rules`](super::report_rules) on their own, then the
//! use cases around them with mockall mocks (guarded writes retried on a change, calls we gave
//! up on ended at the provider).

use std::time::Duration;

use mockall::predicate::eq;
use tokio::sync::mpsc;

use super::report_rules::{Decision, Effect, Unchanged, decide};
use super::tests::{linked_call, service};
use super::*;
use crate::domain::{Call, CallId, CallStatus, DurationSource, ReportLedger, ReportUpdate};
use crate::ports::{
    ApplyReportError, CallProgress, MockVoiceProvider, ReportGuard, ReportState, StorageError,
};
use crate::services::fixtures::{MockCallStorage, now};

/// Our call's session (the browser's leg, or the call we placed) and its dialled leg.
const OWN: &str = "MK-session";
const DIALLED: &str = "CA-dialled";

fn own(status: CallStatus, sequence: u64, duration: Option<u32>) -> ProviderReport {
    ProviderReport {
        session_id: OWN.into(),
        parent_session_id: None,
        status,
        duration,
        sequence: Some(sequence),
        call_id: None,
    }
}

fn dialled(status: CallStatus, sequence: u64, duration: Option<u32>) -> ProviderReport {
    ProviderReport {
        session_id: DIALLED.into(),
        parent_session_id: Some(OWN.into()),
        ..own(status, sequence, duration)
    }
}

fn unnumbered(mut report: ProviderReport) -> ProviderReport {
    report.sequence = None;
    report
}

/// A tiny in-memory call: applies decisions as storage would, so sequences of reports can be
/// played through the rules.
struct Played {
    call: Call,
    ledger: ReportLedger,
}

impl Played {
    fn new(status: CallStatus) -> Self {
        Self {
            call: linked_call(UserId::new(), status),
            ledger: ReportLedger::default(),
        }
    }

    /// Plays `report`; returns the decision's kind.
    fn play(&mut self, report: &ProviderReport) -> Result<Effect, Unchanged> {
        match decide(&self.call, &self.ledger, report, now()) {
            Decision::Unchanged(why) => Err(why),
            Decision::Write { update, effect, .. } => {
                self.apply(update);
                Ok(effect)
            }
        }
    }

    fn apply(&mut self, update: ReportUpdate) {
        self.call.status = update.status;
        self.call.duration = update.duration.unwrap_or(self.call.duration);
        self.call.session_id = update.session_id.or(self.call.session_id.take());
        let ledger = &mut self.ledger;
        ledger.duration_source = update.duration_source.or(ledger.duration_source);
        ledger.own_sequence = update.own_sequence.or(ledger.own_sequence);
        ledger.dialled_sequence = update.dialled_sequence.or(ledger.dialled_sequence);
        ledger.dialled_session_id = update
            .dialled_session_id
            .or(ledger.dialled_session_id.take());
        ledger.version += 1;
    }
}

#[test]
fn the_dialled_legs_duration_counts_when_the_browser_leg_reports_first() {
    let mut call = Played::new(CallStatus::Active);
    assert_eq!(
        call.play(&own(CallStatus::Completed, 3, Some(45))),
        Ok(Effect::Moved)
    );
    assert_eq!(
        (call.call.duration, call.ledger.duration_source),
        (45, Some(DurationSource::OwnLeg))
    );
    assert_eq!(
        call.play(&dialled(CallStatus::Completed, 4, Some(37))),
        Ok(Effect::DurationSettled),
        "the talk time replaces the browser leg's"
    );
    assert_eq!(
        call.play(&dialled(CallStatus::Completed, 2, Some(5))),
        Err(Unchanged::Stale),
        "a stale repeat"
    );
    assert_eq!(
        call.play(&own(CallStatus::Completed, 9, Some(50))),
        Ok(Effect::Ignored),
        "the browser leg never replaces the talk time"
    );
    assert_eq!(call.call.duration, 37);
}

#[test]
fn the_dialled_legs_duration_counts_when_it_reports_first() {
    let mut call = Played::new(CallStatus::Active);
    assert_eq!(
        call.play(&dialled(CallStatus::Completed, 4, Some(37))),
        Ok(Effect::Moved)
    );
    assert_eq!(
        call.play(&own(CallStatus::Completed, 3, Some(45))),
        Ok(Effect::Ignored)
    );
    assert_eq!(
        call.play(&dialled(CallStatus::Completed, 4, Some(45))),
        Err(Unchanged::Stale),
        "an equal sequence number is a repeat"
    );
    assert_eq!(
        (
            call.call.status,
            call.call.duration,
            call.ledger.duration_source
        ),
        (CallStatus::Completed, 37, Some(DurationSource::DialledLeg))
    );
}

#[test]
fn only_the_counting_legs_higher_sequence_number_changes_a_finished_duration() {
    let mut call = Played::new(CallStatus::Active);
    call.play(&own(CallStatus::Completed, 3, Some(40)))
        .expect("completed");
    assert_eq!(
        call.play(&own(CallStatus::Completed, 4, Some(41))),
        Ok(Effect::DurationSettled)
    );
    assert_eq!(
        call.play(&unnumbered(own(CallStatus::Completed, 0, Some(99)))),
        Ok(Effect::Ignored),
        "an unnumbered report cannot be known to be the later one"
    );
    assert_eq!(call.call.duration, 41);
}

#[test]
fn the_providers_measurement_replaces_ours() {
    let mut call = Played::new(CallStatus::Completed);
    call.call.duration = 75;
    assert_eq!(
        call.play(&unnumbered(dialled(CallStatus::Completed, 0, Some(17)))),
        Ok(Effect::DurationSettled)
    );
    assert_eq!(call.call.duration, 17);
}

#[test]
fn status_never_moves_backwards_and_repeats_change_nothing() {
    let mut call = Played::new(CallStatus::Connecting);
    assert_eq!(
        call.play(&own(CallStatus::Active, 2, None)),
        Ok(Effect::Moved)
    );
    assert_eq!(
        call.play(&own(CallStatus::Connecting, 1, None)),
        Err(Unchanged::Stale)
    );
    assert_eq!(
        call.play(&unnumbered(own(CallStatus::Connecting, 0, None))),
        Ok(Effect::Ignored)
    );
    assert_eq!(call.call.status, CallStatus::Active);
    assert_eq!(
        call.play(&own(CallStatus::Failed, 5, None)),
        Ok(Effect::Moved)
    );
    assert_eq!(
        call.play(&own(CallStatus::Completed, 6, Some(30))),
        Ok(Effect::Ignored),
        "a failed call takes no duration"
    );
    assert_eq!(
        (call.call.status, call.call.duration),
        (CallStatus::Failed, 0)
    );
}

#[test]
fn reports_of_other_provider_calls_change_nothing() {
    let mut call = Played::new(CallStatus::Active);
    call.play(&dialled(CallStatus::Active, 1, None))
        .expect("the dialled leg is recorded");
    let mut second_leg = dialled(CallStatus::Completed, 2, Some(3));
    second_leg.session_id = "CA-another-leg".into();
    assert_eq!(call.play(&second_leg), Err(Unchanged::ForeignLeg));
    let mut stranger = own(CallStatus::Completed, 2, Some(3));
    stranger.session_id = "CA-stranger".into();
    assert_eq!(call.play(&stranger), Err(Unchanged::ForeignLeg));
    assert_eq!(call.call.status, CallStatus::Active);
}

#[test]
fn a_call_found_by_our_id_takes_the_providers_session() {
    let mut call = Played::new(CallStatus::Connecting);
    call.call.session_id = None;
    let ringing = own(CallStatus::Connecting, 1, None);
    assert_eq!(call.play(&ringing), Ok(Effect::Moved));
    assert_eq!(call.call.session_id.as_deref(), Some(OWN));
}

#[test]
fn a_live_leg_of_a_finished_call_is_ended_at_the_provider() {
    let cancel_of = |status: CallStatus, report_status: CallStatus| {
        let call = linked_call(UserId::new(), status);
        match decide(
            &call,
            &ReportLedger::default(),
            &own(report_status, 1, None),
            now(),
        ) {
            Decision::Write { cancel, .. } => cancel,
            Decision::Unchanged(why) => panic!("unexpectedly unchanged: {why:?}"),
        }
    };
    use CallStatus::{Active, Canceled, Completed, Connecting, Failed};
    assert_eq!(
        cancel_of(Failed, Connecting),
        Some(CallProgress::NotAnswered)
    );
    assert_eq!(
        cancel_of(Canceled, Connecting),
        Some(CallProgress::NotAnswered)
    );
    assert_eq!(cancel_of(Failed, Active), Some(CallProgress::Answered));
    assert_eq!(cancel_of(Completed, Active), Some(CallProgress::Answered));
    assert_eq!(cancel_of(Failed, Completed), None, "over anyway");
    assert_eq!(cancel_of(Connecting, Active), None, "still ours");
}

fn state(call: &Call, version: u64) -> ReportState {
    ReportState {
        call: call.clone(),
        ledger: ReportLedger {
            version,
            ..ReportLedger::default()
        },
    }
}

#[tokio::test]
async fn a_report_is_decided_anew_when_the_call_changed_under_it() {
    let call = linked_call(UserId::new(), CallStatus::Connecting);
    let id = call.id;
    let mut calls = MockCallStorage::default();
    let found = call.clone();
    calls
        .records
        .expect_find_by_session_id()
        .with(eq(OWN))
        .returning(move |_| Ok(Some(found.clone())));
    // Read at version 1, then (after another report) at version 2, now active.
    let mut reads = vec![
        {
            let mut active = call.clone();
            active.status = CallStatus::Active;
            state(&active, 2)
        },
        state(&call, 1),
    ];
    calls
        .records
        .expect_report_state()
        .times(2)
        .returning(move |_| Ok(reads.pop()));
    calls
        .records
        .expect_apply_report()
        .withf(|_, guard, _| guard.version == 1)
        .times(1)
        .returning(|_, _, _| Err(ApplyReportError::Changed));
    let completed = linked_call(UserId::new(), CallStatus::Completed);
    calls
        .records
        .expect_apply_report()
        .withf(move |call_id, guard, update| {
            *call_id == id
                && *guard
                    == ReportGuard {
                        status: CallStatus::Active,
                        version: 2,
                    }
                && update.status == CallStatus::Completed
                && update.duration == Some(42)
                && update.own_sequence == Some(5)
        })
        .times(1)
        .returning(move |_, _, _| Ok(completed.clone()));

    let outcome = service(calls, MockVoiceProvider::new())
        .report(own(CallStatus::Completed, 5, Some(42)))
        .await
        .expect("applied");
    assert!(matches!(outcome, ReportOutcome::Applied(_)), "{outcome:?}");
}

#[tokio::test]
async fn a_call_that_keeps_changing_is_an_error_not_a_loop() {
    let call = linked_call(UserId::new(), CallStatus::Connecting);
    let mut calls = MockCallStorage::default();
    let found = call.clone();
    calls
        .records
        .expect_find_by_session_id()
        .returning(move |_| Ok(Some(found.clone())));
    calls
        .records
        .expect_report_state()
        .returning(move |_| Ok(Some(state(&call, 1))));
    calls
        .records
        .expect_apply_report()
        .times(5)
        .returning(|_, _, _| Err(ApplyReportError::Changed));

    let result = service(calls, MockVoiceProvider::new())
        .report(own(CallStatus::Active, 1, None))
        .await;
    assert!(
        matches!(result, Err(StorageError::Unexpected { .. })),
        "{result:?}"
    );
}

#[tokio::test]
async fn a_stale_report_writes_nothing() {
    let call = linked_call(UserId::new(), CallStatus::Active);
    let mut calls = MockCallStorage::default();
    let found = call.clone();
    calls
        .records
        .expect_find_by_session_id()
        .returning(move |_| Ok(Some(found.clone())));
    calls.records.expect_report_state().returning(move |_| {
        Ok(Some(ReportState {
            call: call.clone(),
            ledger: ReportLedger {
                own_sequence: Some(3),
                ..ReportLedger::default()
            },
        }))
    });
    calls.records.expect_apply_report().never();

    let outcome = service(calls, MockVoiceProvider::new())
        .report(own(CallStatus::Connecting, 3, None))
        .await
        .expect("read");
    assert_eq!(outcome, ReportOutcome::Stale);
}

/// A provider whose `cancel` must be called once with `session_id` and `progress`; the
/// receiver hears when it was.
fn provider_expecting_cancel(
    session_id: &'static str,
    progress: CallProgress,
) -> (MockVoiceProvider, mpsc::UnboundedReceiver<()>) {
    let (sent, received) = mpsc::unbounded_channel();
    let mut provider = MockVoiceProvider::new();
    provider
        .expect_cancel()
        .with(eq(session_id), eq(progress))
        .times(1)
        .returning(move |_, _| {
            let _ = sent.send(());
            Ok(())
        });
    (provider, received)
}

async fn heard(mut cancelled: mpsc::UnboundedReceiver<()>) {
    tokio::time::timeout(Duration::from_secs(5), cancelled.recv())
        .await
        .expect("the provider was asked to end the call")
        .expect("sent");
}

#[tokio::test]
async fn a_report_found_by_our_id_for_a_failed_call_cancels_it_at_the_provider() {
    // Failed because the provider's answer to the creation came too late: no session stored.
    let mut failed = linked_call(UserId::new(), CallStatus::Failed);
    failed.session_id = None;
    let id = failed.id;
    let mut calls = MockCallStorage::default();
    let found = failed.clone();
    calls
        .records
        .expect_get()
        .with(eq(id))
        .returning(move |_| Ok(Some(found.clone())));
    let read = failed.clone();
    calls
        .records
        .expect_report_state()
        .returning(move |_| Ok(Some(state(&read, 0))));
    calls
        .records
        .expect_apply_report()
        .withf(|_, _, update| {
            update.status == CallStatus::Failed
                && update.session_id.as_deref() == Some("CA-late")
                && update.own_sequence == Some(1)
        })
        .times(1)
        .returning(move |_, _, _| Ok(failed.clone()));
    let (provider, cancelled) = provider_expecting_cancel("CA-late", CallProgress::NotAnswered);

    let outcome = service(calls, provider)
        .report(ProviderReport {
            session_id: "CA-late".into(),
            call_id: Some(id),
            ..own(CallStatus::Connecting, 1, None)
        })
        .await
        .expect("recorded");
    assert_eq!(
        outcome,
        ReportOutcome::Ignored {
            current: CallStatus::Failed
        }
    );
    heard(cancelled).await;
}

#[tokio::test]
async fn an_answered_call_we_already_failed_is_hung_up_and_completed_at_the_provider() {
    let mut failed = linked_call(UserId::new(), CallStatus::Failed);
    failed.session_id = None;
    let id = failed.id;
    let mut calls = MockCallStorage::default();
    calls
        .records
        .expect_get()
        .with(eq(id))
        .returning(move |_| Ok(Some(failed.clone())));
    let (provider, cancelled) = provider_expecting_cancel("CA-late", CallProgress::Answered);

    let decision = service(calls, provider)
        .placed_call_answered("CA-late", Some(id))
        .await
        .expect("read");
    assert_eq!(decision, PlacedCallDecision::HangUp);
    heard(cancelled).await;
}

#[tokio::test]
async fn an_answered_call_in_progress_is_kept_and_an_unknown_one_hung_up() {
    let call = linked_call(UserId::new(), CallStatus::Connecting);
    let id = call.id;
    let mut calls = MockCallStorage::default();
    calls
        .records
        .expect_get()
        .with(eq(id))
        .returning(move |_| Ok(Some(call.clone())));
    calls.records.expect_get().returning(|_| Ok(None));
    calls
        .records
        .expect_find_by_session_id()
        .returning(|_| Ok(None));
    let mut provider = MockVoiceProvider::new();
    provider.expect_cancel().never();
    let service = service(calls, provider);

    assert_eq!(
        service.placed_call_answered(OWN, Some(id)).await,
        Ok(PlacedCallDecision::Keep)
    );
    assert_eq!(
        service.placed_call_answered(OWN, Some(CallId::new())).await,
        Ok(PlacedCallDecision::HangUp),
        "not ours"
    );
    assert_eq!(
        service.placed_call_answered("CA-other", Some(id)).await,
        Ok(PlacedCallDecision::HangUp),
        "our id with another call's session"
    );
    assert_eq!(
        service.placed_call_answered("CA-other", None).await,
        Ok(PlacedCallDecision::HangUp)
    );
}

#[tokio::test]
async fn a_late_final_report_settles_the_duration_of_a_terminated_call() {
    let call = linked_call(UserId::new(), CallStatus::Completed);
    let id = call.id;
    let mut calls = MockCallStorage::default();
    calls
        .records
        .expect_find_by_session_id()
        .with(eq(DIALLED))
        .returning(|_| Ok(None));
    let found = call.clone();
    calls
        .records
        .expect_find_by_session_id()
        .with(eq(OWN))
        .returning(move |_| Ok(Some(found.clone())));
    let read = call.clone();
    calls
        .records
        .expect_report_state()
        .returning(move |_| Ok(Some(state(&read, 4))));
    calls
        .records
        .expect_apply_report()
        .withf(move |call_id, _, update| {
            *call_id == id
                && update.duration == Some(42)
                && update.duration_source == Some(DurationSource::DialledLeg)
                && update.dialled_session_id.as_deref() == Some(DIALLED)
        })
        .times(1)
        .returning(move |_, _, _| Ok(call.clone()));

    let outcome = service(calls, MockVoiceProvider::new())
        .report(dialled(CallStatus::Completed, 3, Some(42)))
        .await
        .expect("applied");
    assert_eq!(outcome, ReportOutcome::DurationSettled);
}
