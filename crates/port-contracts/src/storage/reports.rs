//! Rules for the report ledger of [`CallRecords`]: what the provider's reports have left on a
//! call, read with it, and written only by a guarded compare-and-set so that racing reports are
//! applied one after the other.

use calls_core::domain::{
    CallId, CallStatus, DurationSource, ReportLedger, ReportUpdate, StatusChange,
};
use calls_core::ports::{ApplyReportError, CallRecords, ReportGuard, ReportState, StorageError};

use super::StorageUnderTest;
use super::fixtures::{SECOND, at, place, register};

async fn state_of<S: CallRecords>(storage: &S, id: CallId) -> ReportState {
    storage
        .report_state(id)
        .await
        .expect("reading the report state")
        .expect("the call exists")
}

fn guard(status: CallStatus, version: u64) -> ReportGuard {
    ReportGuard { status, version }
}

pub async fn a_new_call_has_an_empty_report_ledger<S: StorageUnderTest>(storage: S) {
    let alice = register(&storage, "alice@example.com").await;
    let call = place(&storage, alice.id, at(0), CallStatus::Connecting).await;
    assert_eq!(
        storage.report_state(call.id).await,
        Ok(Some(ReportState {
            call: call.clone(),
            ledger: ReportLedger::default(),
        })),
        "the call as created, nothing reported, version 0"
    );
    assert_eq!(storage.report_state(CallId::new()).await, Ok(None));
}

pub async fn apply_report_writes_the_update_and_keeps_what_it_does_not_set<S: StorageUnderTest>(
    storage: S,
) {
    let alice = register(&storage, "alice@example.com").await;
    let call = place(&storage, alice.id, at(0), CallStatus::Connecting).await;
    // Beyond 32 bits, to catch a narrower column.
    let big = 1_u64 << 40;
    let update = ReportUpdate {
        status: CallStatus::Completed,
        duration: Some(37),
        duration_source: Some(DurationSource::DialledLeg),
        failure_reason: Some("reason".to_owned()),
        ended_at: Some(at(40 * SECOND + 7)),
        session_id: Some("CA-own".to_owned()),
        own_sequence: Some(big),
        dialled_session_id: Some("CA-dialled".to_owned()),
        dialled_sequence: Some(3),
    };
    let updated = storage
        .apply_report(call.id, guard(CallStatus::Connecting, 0), update)
        .await
        .expect("applied on the state read");
    let expected_call = calls_core::domain::Call {
        status: CallStatus::Completed,
        duration: 37,
        failure_reason: Some("reason".to_owned()),
        ended_at: Some(at(40 * SECOND + 7)),
        session_id: Some("CA-own".to_owned()),
        ..call.clone()
    };
    assert_eq!(updated, expected_call, "returns the call as written");
    let expected_ledger = ReportLedger {
        own_sequence: Some(big),
        dialled_session_id: Some("CA-dialled".to_owned()),
        dialled_sequence: Some(3),
        duration_source: Some(DurationSource::DialledLeg),
        version: 1,
    };
    assert_eq!(
        state_of(&storage, call.id).await,
        ReportState {
            call: expected_call.clone(),
            ledger: expected_ledger.clone(),
        }
    );

    // An update that sets only the status (and one sequence) keeps everything else.
    let mut only_sequence = ReportUpdate::keeping(CallStatus::Completed);
    only_sequence.dialled_sequence = Some(4);
    storage
        .apply_report(call.id, guard(CallStatus::Completed, 1), only_sequence)
        .await
        .expect("applied on version 1");
    assert_eq!(
        state_of(&storage, call.id).await,
        ReportState {
            call: expected_call,
            ledger: ReportLedger {
                dialled_sequence: Some(4),
                version: 2,
                ..expected_ledger
            },
        },
        "only the sequence and the version moved"
    );
}

pub async fn apply_report_refuses_a_guard_the_call_no_longer_matches<S: StorageUnderTest>(
    storage: S,
) {
    let alice = register(&storage, "alice@example.com").await;
    let call = place(&storage, alice.id, at(0), CallStatus::Connecting).await;
    let ringing = || {
        let mut update = ReportUpdate::keeping(CallStatus::Connecting);
        update.own_sequence = Some(1);
        update
    };
    for (what, stale) in [
        (
            "a version the call never had",
            guard(CallStatus::Connecting, 1),
        ),
        ("another status", guard(CallStatus::Active, 0)),
    ] {
        assert_eq!(
            storage.apply_report(call.id, stale, ringing()).await,
            Err(ApplyReportError::Changed),
            "{what}"
        );
    }
    assert_eq!(
        state_of(&storage, call.id).await.ledger,
        ReportLedger::default(),
        "nothing was written"
    );

    // A status change moves the version on: a report decided before it is not applied over it.
    let read_before = state_of(&storage, call.id).await;
    storage
        .transition(
            call.id,
            StatusChange::to(CallStatus::Connecting, at(SECOND)),
        )
        .await
        .expect("a status change");
    let after = state_of(&storage, call.id).await;
    assert_eq!(after.ledger.version, 1, "transition moves the version on");
    assert_eq!(
        storage
            .apply_report(call.id, read_before.guard(), ringing())
            .await,
        Err(ApplyReportError::Changed),
        "decided on the call before the transition"
    );
    assert!(
        storage
            .apply_report(call.id, after.guard(), ringing())
            .await
            .is_ok(),
        "decided on the call as it now is"
    );
    assert_eq!(
        storage
            .apply_report(CallId::new(), guard(CallStatus::Connecting, 0), ringing())
            .await,
        Err(ApplyReportError::NotFound)
    );
}

pub async fn racing_reports_on_one_version_apply_exactly_once<S: StorageUnderTest>(storage: S) {
    let alice = register(&storage, "alice@example.com").await;
    let call = place(&storage, alice.id, at(0), CallStatus::Connecting).await;
    let racers: Vec<_> = (0..8_u64)
        .map(|i| {
            let storage = storage.clone();
            tokio::spawn(async move {
                let mut update = ReportUpdate::keeping(CallStatus::Active);
                update.own_sequence = Some(i);
                storage
                    .apply_report(call.id, guard(CallStatus::Connecting, 0), update)
                    .await
                    .map(|_| i)
            })
        })
        .collect();
    let mut winners = Vec::new();
    for result in futures::future::join_all(racers).await {
        match result.expect("racer panicked") {
            Ok(i) => winners.push(i),
            Err(ApplyReportError::Changed) => {}
            Err(error) => panic!("a racer failed with {error:?}"),
        }
    }
    assert_eq!(winners.len(), 1, "exactly one report applied: {winners:?}");
    let state = state_of(&storage, call.id).await;
    assert_eq!(
        (
            state.call.status,
            state.ledger.own_sequence,
            state.ledger.version
        ),
        (CallStatus::Active, Some(winners[0]), 1),
        "the winner's write, once"
    );
}

pub async fn sequence_numbers_beyond_the_column_are_errors_not_panics<S: StorageUnderTest>(
    storage: S,
) {
    let alice = register(&storage, "alice@example.com").await;
    let call = place(&storage, alice.id, at(0), CallStatus::Connecting).await;
    let mut update = ReportUpdate::keeping(CallStatus::Connecting);
    update.own_sequence = Some(u64::MAX);
    let result = storage
        .apply_report(call.id, guard(CallStatus::Connecting, 0), update)
        .await;
    assert!(
        matches!(
            result,
            Err(ApplyReportError::Storage(StorageError::Unexpected { .. }))
        ),
        "{result:?}"
    );
    assert_eq!(state_of(&storage, call.id).await.ledger.version, 0);
}
