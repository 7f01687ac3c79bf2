//! What a provider report does to a call, decided from the call and its ledger alone (pure, so
//! every rule is tested without storage):
//!
//! * Per provider leg, a report numbered no higher than one already applied is a repeat or came
//!   late: it changes nothing.
//! * The status only moves forward (see [`CallStatus::can_become`]).
//! * A `completed` call's duration is replaced only by a measurement that counts more (ours,
//!   then the provider's for the call's own leg, then the dialled leg's, which is the talk
//!   time), or by a later-numbered report of the leg it came from. So the dialled leg's
//!   duration counts whichever leg reports first, and a finished call's duration never moves
//!   again once the talk time is known.
//! * A report that a leg is still alive (ringing, in progress) for a call we have finished asks
//!   for that leg to be ended at the provider: nobody on our side will ever end it.

use chrono::{DateTime, Utc};

use super::terminate::elapsed_seconds;
use crate::domain::{Call, CallStatus, DurationSource, Leg, ReportLedger, ReportUpdate};
use crate::ports::{CallProgress, ProviderReport};

/// What to do with one report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Decision {
    /// Nothing to write.
    Unchanged(Unchanged),
    /// Write `update` (at least the report's sequence number), then, if `cancel` says so, end
    /// the reported leg at the provider.
    Write {
        update: ReportUpdate,
        effect: Effect,
        cancel: Option<CallProgress>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Unchanged {
    /// Numbered no higher than a report of the same leg already applied.
    Stale,
    /// About a provider call that is neither this call's own leg nor its dialled leg.
    ForeignLeg,
}

/// What the write does besides recording the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Effect {
    /// The status moved (or stayed, for a report of the same unfinished status).
    Moved,
    /// The call was already completed; the report's duration replaces the stored one.
    DurationSettled,
    /// The status may not move back and the duration stays.
    Ignored,
}

/// Which leg of `call` the report is about, and the session id to store when the call has none
/// yet (it was found by our own id). `None`: another call's report.
fn leg_of(call: &Call, report: &ProviderReport) -> Option<(Leg, Option<String>)> {
    let parent = report.parent_session_id.as_deref();
    match call.session_id.as_deref() {
        Some(own) if own == report.session_id => Some((Leg::Own, None)),
        Some(own) if parent == Some(own) => Some((Leg::Dialled, None)),
        Some(_) => None,
        None => match parent {
            None => Some((Leg::Own, Some(report.session_id.clone()))),
            Some(parent) => Some((Leg::Dialled, Some(parent.to_owned()))),
        },
    }
}

/// The decision on `report` for `call` with `ledger`, at `now`.
pub(super) fn decide(
    call: &Call,
    ledger: &ReportLedger,
    report: &ProviderReport,
    now: DateTime<Utc>,
) -> Decision {
    let Some((leg, new_session)) = leg_of(call, report) else {
        return Decision::Unchanged(Unchanged::ForeignLeg);
    };
    if leg == Leg::Dialled
        && ledger
            .dialled_session_id
            .as_deref()
            .is_some_and(|dialled| dialled != report.session_id)
    {
        return Decision::Unchanged(Unchanged::ForeignLeg);
    }
    if let (Some(sequence), Some(applied)) = (report.sequence, ledger.sequence_of(leg))
        && sequence <= applied
    {
        return Decision::Unchanged(Unchanged::Stale);
    }

    let mut update = ReportUpdate::keeping(call.status);
    update.session_id = new_session;
    match leg {
        Leg::Own => update.own_sequence = report.sequence,
        Leg::Dialled => {
            update.dialled_sequence = report.sequence;
            update.dialled_session_id = Some(report.session_id.clone());
        }
    }

    let effect = if call.status.can_become(report.status) {
        move_forward(&mut update, call, leg, report, now);
        Effect::Moved
    } else if settles_duration(call, ledger, leg, report) {
        update.duration = report.duration;
        update.duration_source = Some(DurationSource::of(leg));
        Effect::DurationSettled
    } else {
        Effect::Ignored
    };
    let cancel = (call.status.is_finished() && !report.status.is_finished()).then(|| {
        if report.status == CallStatus::Active {
            CallProgress::Answered
        } else {
            CallProgress::NotAnswered
        }
    });
    Decision::Write {
        update,
        effect,
        cancel,
    }
}

fn move_forward(
    update: &mut ReportUpdate,
    call: &Call,
    leg: Leg,
    report: &ProviderReport,
    now: DateTime<Utc>,
) {
    update.status = report.status;
    if !report.status.is_finished() {
        return;
    }
    update.ended_at = Some(now);
    if report.status == CallStatus::Completed {
        match report.duration {
            Some(duration) => {
                update.duration = Some(duration);
                update.duration_source = Some(DurationSource::of(leg));
            }
            None => update.duration = Some(elapsed_seconds(call.start_time, now)),
        }
    } else {
        update.failure_reason = Some(format!("provider reported {}", report.status));
    }
}

/// Whether a final report's duration replaces that of an already completed call.
fn settles_duration(call: &Call, ledger: &ReportLedger, leg: Leg, report: &ProviderReport) -> bool {
    if call.status != CallStatus::Completed
        || !report.status.is_finished()
        || report.duration.is_none()
    {
        return false;
    }
    let source = DurationSource::of(leg);
    let counts_more =
        DurationSource::rank(Some(source)) > DurationSource::rank(ledger.duration_source);
    // The same leg again: only a numbered report is known to be the later one (a repeat was
    // refused as stale before).
    let later_of_same_leg = ledger.duration_source == Some(source) && report.sequence.is_some();
    counts_more || later_of_same_leg
}
