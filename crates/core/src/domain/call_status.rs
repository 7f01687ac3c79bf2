//! The life cycle of a call and the moves it allows.

use std::fmt;
use std::str::FromStr;

/// Where a call is in its life. A call only ever moves forward along
/// `initiated -> connecting -> active -> completed`; any unfinished call may end as `failed` or
/// `canceled`. A finished call never changes again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CallStatus {
    Initiated,
    Connecting,
    Active,
    Completed,
    Failed,
    Canceled,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("status must be one of initiated, connecting, active, completed, failed, canceled")]
pub struct UnknownCallStatus;

impl CallStatus {
    pub const ALL: [CallStatus; 6] = [
        Self::Initiated,
        Self::Connecting,
        Self::Active,
        Self::Completed,
        Self::Failed,
        Self::Canceled,
    ];

    /// The unfinished statuses: a call in one of them still holds a line.
    pub const IN_PROGRESS: [CallStatus; 3] = [Self::Initiated, Self::Connecting, Self::Active];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Initiated => "initiated",
            Self::Connecting => "connecting",
            Self::Active => "active",
            Self::Completed => "completed",
            Self::Failed => "failed",
            Self::Canceled => "canceled",
        }
    }

    pub const fn is_finished(self) -> bool {
        matches!(self, Self::Completed | Self::Failed | Self::Canceled)
    }

    /// Position on the forward path; the two abnormal endings are reachable from anywhere
    /// unfinished, so they share the last rank with `completed`.
    const fn rank(self) -> u8 {
        match self {
            Self::Initiated => 0,
            Self::Connecting => 1,
            Self::Active => 2,
            Self::Completed | Self::Failed | Self::Canceled => 3,
        }
    }

    /// Whether a call in `self` may be set to `next`. Staying in the same unfinished status is
    /// allowed (it only updates the duration), skipping forward is allowed (a provider may
    /// report `completed` without `active`), moving back or leaving a finished status is not.
    pub const fn can_become(self, next: CallStatus) -> bool {
        !self.is_finished() && next.rank() >= self.rank()
    }

    /// The statuses from which a call may move to `next`: what a storage guard checks in the
    /// same statement as the update, so that concurrent updates cannot move a call backwards.
    pub fn allowed_predecessors(next: CallStatus) -> Vec<CallStatus> {
        Self::ALL
            .into_iter()
            .filter(|from| from.can_become(next))
            .collect()
    }
}

impl fmt::Display for CallStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for CallStatus {
    type Err = UnknownCallStatus;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|status| status.as_str() == s)
            .ok_or(UnknownCallStatus)
    }
}

#[cfg(test)]
mod tests {
    use super::CallStatus::{self, *};

    #[test]
    fn the_full_transition_table() {
        // (from, to, allowed)
        let expected: &[(CallStatus, [bool; 6])] = &[
            //                 ini    con    act    com    fai    can
            (Initiated, [true, true, true, true, true, true]),
            (Connecting, [false, true, true, true, true, true]),
            (Active, [false, false, true, true, true, true]),
            (Completed, [false; 6]),
            (Failed, [false; 6]),
            (Canceled, [false; 6]),
        ];
        for (from, row) in expected {
            for (to, allowed) in CallStatus::ALL.iter().zip(row) {
                assert_eq!(from.can_become(*to), *allowed, "{from} -> {to}");
            }
        }
    }

    #[test]
    fn predecessors_agree_with_the_table() {
        assert_eq!(CallStatus::allowed_predecessors(Initiated), vec![Initiated]);
        assert_eq!(
            CallStatus::allowed_predecessors(Active),
            vec![Initiated, Connecting, Active]
        );
        assert_eq!(
            CallStatus::allowed_predecessors(Failed),
            vec![Initiated, Connecting, Active]
        );
    }

    #[test]
    fn text_form_round_trips_and_refuses_unknown_values() {
        for status in CallStatus::ALL {
            assert_eq!(status.as_str().parse::<CallStatus>(), Ok(status));
        }
        assert!("Active".parse::<CallStatus>().is_err());
        assert!("ringing".parse::<CallStatus>().is_err());
    }
}
