//! What the use-case tests share: a fixed clock, a stored call, and the storage ports as mocks
//! in one place, so each test states only the expectations that make it different.

use std::sync::Arc;

use chrono::{DateTime, TimeDelta, TimeZone, Utc};

use crate::domain::{Call, CallId, CallStatus, UserId};
use crate::ports::{
    CallHistory, CallRecords, CallSweeps, CallUsage, MockCallHistory, MockCallRecords,
    MockCallSweeps, MockCallUsage, MockClock,
};

/// A Berlin landline: valid, region `DE`.
pub const NUMBER: &str = "+4930901820";

/// The time every test's clock shows.
pub fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 25, 10, 0, 0)
        .single()
        .expect("valid")
}

/// A clock stopped at [`now`].
pub fn clock() -> Arc<MockClock> {
    let mut clock = MockClock::new();
    clock.expect_now().returning(now);
    Arc::new(clock)
}

/// A stored call of `user_id` to [`NUMBER`], started 75 s before [`now`], not linked to any
/// provider session.
pub fn call_of(user_id: UserId, status: CallStatus) -> Call {
    Call {
        id: CallId::new(),
        user_id,
        phone_number: NUMBER.into(),
        country: Some("DE".into()),
        start_time: now() - TimeDelta::seconds(75),
        duration: 0,
        status,
        session_id: None,
        sdp_offer: None,
        failure_reason: None,
        ended_at: None,
    }
}

/// The call storage ports as mocks. A test sets expectations on the port it exercises; a call
/// to any port without an expectation fails the test, as with a single mock.
#[derive(Default)]
pub struct MockCallStorage {
    pub records: MockCallRecords,
    pub history: MockCallHistory,
    pub usage: MockCallUsage,
    pub sweeps: MockCallSweeps,
}

/// The ports of a [`MockCallStorage`], ready to hand to a service.
pub struct CallPorts {
    pub records: Arc<dyn CallRecords>,
    pub history: Arc<dyn CallHistory>,
    pub usage: Arc<dyn CallUsage>,
    pub sweeps: Arc<dyn CallSweeps>,
}

impl MockCallStorage {
    pub fn into_ports(self) -> CallPorts {
        CallPorts {
            records: Arc::new(self.records),
            history: Arc::new(self.history),
            usage: Arc::new(self.usage),
            sweeps: Arc::new(self.sweeps),
        }
    }
}
