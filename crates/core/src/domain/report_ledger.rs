//! What the voice provider's reports have left on a call, so that a report arriving late, twice
//! or out of order changes nothing.
//!
//! A provider such as Twilio numbers the reports about each of its calls (`SequenceNumber`, per
//! `CallSid`) and sends them without guaranteeing order. A call of ours is one or two of the
//! provider's calls ("legs"): the one it knows by our session id, and, when the browser dials
//! through the provider's SDK, the leg the provider dials to the callee. The ledger remembers
//! the last sequence number applied per leg, which dialled leg belongs to the call, and whose
//! measurement the stored duration is.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};

use super::CallStatus;

/// Which of a call's provider legs a report is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Leg {
    /// The provider's call under our session id: the call we placed (REST), or the browser's
    /// leg (SDK).
    Own,
    /// The leg the provider dialled to the callee on the browser's behalf (Twilio's `<Number>`,
    /// reported with `ParentCallSid`). Its duration is the talk time.
    Dialled,
}

/// Whose measurement a finished call's duration is. `None` in storage means our own (the
/// seconds from start to the user's hang-up) or none yet; any provider measurement replaces it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DurationSource {
    /// The provider's duration of the call's own leg. For a browser call that includes the
    /// ringing, so the dialled leg's replaces it.
    OwnLeg,
    /// The provider's duration of the dialled leg: the talk time, which nothing replaces but a
    /// later report of that same leg.
    DialledLeg,
}

impl DurationSource {
    pub const fn of(leg: Leg) -> Self {
        match leg {
            Leg::Own => Self::OwnLeg,
            Leg::Dialled => Self::DialledLeg,
        }
    }

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::OwnLeg => "own_leg",
            Self::DialledLeg => "dialled_leg",
        }
    }

    /// How much a measurement of this source counts: a duration is only ever replaced by one
    /// of a higher rank, or of the same source reported later. Our own measurement is rank 0.
    pub const fn rank(source: Option<Self>) -> u8 {
        match source {
            None => 0,
            Some(Self::OwnLeg) => 1,
            Some(Self::DialledLeg) => 2,
        }
    }
}

impl fmt::Display for DurationSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("duration source must be own_leg or dialled_leg")]
pub struct UnknownDurationSource;

impl FromStr for DurationSource {
    type Err = UnknownDurationSource;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        [Self::OwnLeg, Self::DialledLeg]
            .into_iter()
            .find(|source| source.as_str() == s)
            .ok_or(UnknownDurationSource)
    }
}

/// The ledger of one call, as stored with it. `version` counts every write to the call's
/// status or ledger, so that a report is applied only to the state it was decided on.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReportLedger {
    /// The highest sequence number applied from the call's own leg.
    pub own_sequence: Option<u64>,
    /// The provider's id of the dialled leg, once one reported.
    pub dialled_session_id: Option<String>,
    /// The highest sequence number applied from the dialled leg.
    pub dialled_sequence: Option<u64>,
    pub duration_source: Option<DurationSource>,
    pub version: u64,
}

impl ReportLedger {
    /// The highest sequence number applied from `leg`.
    pub fn sequence_of(&self, leg: Leg) -> Option<u64> {
        match leg {
            Leg::Own => self.own_sequence,
            Leg::Dialled => self.dialled_sequence,
        }
    }
}

/// What applying a provider report writes, decided from a [`ReportLedger`] and the call it was
/// read with. `None` fields keep their stored value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportUpdate {
    /// The call's status afterwards: the stored one when the report does not move it.
    pub status: CallStatus,
    pub duration: Option<u32>,
    pub duration_source: Option<DurationSource>,
    pub failure_reason: Option<String>,
    /// Set when the report finishes the call.
    pub ended_at: Option<DateTime<Utc>>,
    /// The provider's id of the call, when the call had none yet: found by our own id in the
    /// report's URL because the provider's answer to the creation never arrived.
    pub session_id: Option<String>,
    pub own_sequence: Option<u64>,
    pub dialled_session_id: Option<String>,
    pub dialled_sequence: Option<u64>,
}

impl ReportUpdate {
    /// An update that leaves a call in `status` and changes nothing else yet.
    pub fn keeping(status: CallStatus) -> Self {
        Self {
            status,
            duration: None,
            duration_source: None,
            failure_reason: None,
            ended_at: None,
            session_id: None,
            own_sequence: None,
            dialled_session_id: None,
            dialled_sequence: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_round_trip_and_rank_the_dialled_leg_highest() {
        for source in [DurationSource::OwnLeg, DurationSource::DialledLeg] {
            assert_eq!(source.as_str().parse(), Ok(source));
        }
        assert!("measured".parse::<DurationSource>().is_err());
        assert!(
            DurationSource::rank(None) < DurationSource::rank(Some(DurationSource::OwnLeg))
                && DurationSource::rank(Some(DurationSource::OwnLeg))
                    < DurationSource::rank(Some(DurationSource::DialledLeg))
        );
    }
}
