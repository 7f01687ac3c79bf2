//! Calls seeded straight into storage, for the history tests: they need start times (and
//! ids) the API cannot choose. A [`Seeder`] names the storage and the owner once, so that each
//! seeded call is one line saying when it started and how it ended.

use calls_core::domain::{CallId, CallStatus, NewCall, PhoneNumber, StatusChange, UserId};
use calls_server::startup::Storage;
use chrono::{DateTime, TimeDelta, Utc};

use crate::fixtures::TestUser;
use crate::helpers::TestApp;

/// The number every seeded call dials.
pub const SEEDED_NUMBER: &str = "+4930901820";

pub fn at(rfc3339: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(rfc3339)
        .expect("test time is RFC 3339")
        .to_utc()
}

/// A call as seeded, to compare with what the API answers.
#[derive(Debug, Clone)]
pub struct Seeded {
    pub id: CallId,
    pub start: DateTime<Utc>,
    pub status: CallStatus,
}

pub fn seeded_ids(seeded: &[Seeded]) -> Vec<String> {
    seeded.iter().map(|s| s.id.to_string()).collect()
}

/// Seeds the calls of one user.
pub struct Seeder {
    storage: Storage,
    owner: UserId,
}

impl Seeder {
    /// Seeds `user`'s calls through its own connection to `app`'s database.
    pub async fn new(app: &TestApp, user: &TestUser) -> Self {
        Self {
            storage: app.storage().await,
            owner: user.id.parse().expect("user id is a UUID"),
        }
    }

    /// Seeds another user's calls through the same connection.
    pub fn for_user(&self, user: &TestUser) -> Self {
        Self {
            storage: self.storage.clone(),
            owner: user.id.parse().expect("user id is a UUID"),
        }
    }

    /// A call started at `rfc3339`, moved to `status` with `duration`.
    pub async fn at(&self, rfc3339: &str, status: CallStatus, duration: u32) -> Seeded {
        self.call(at(rfc3339), status, duration).await
    }

    /// A call started at `start`, moved to `status` with `duration`.
    pub async fn call(&self, start: DateTime<Utc>, status: CallStatus, duration: u32) -> Seeded {
        self.call_with_id(CallId::new(), start, status, duration)
            .await
    }

    /// [`Self::call`] with a chosen id (for the order of calls that start together).
    pub async fn call_with_id(
        &self,
        id: CallId,
        start: DateTime<Utc>,
        status: CallStatus,
        duration: u32,
    ) -> Seeded {
        let new_call = NewCall {
            id,
            user_id: self.owner,
            phone_number: PhoneNumber::parse(SEEDED_NUMBER).expect("valid number"),
            start_time: start,
            status: CallStatus::Initiated,
        };
        let created = self
            .storage
            .calls
            .create(new_call)
            .await
            .expect("call stored");
        assert_eq!(
            (created.id, created.start_time),
            (id, start),
            "storage keeps the id and start time"
        );
        if status != CallStatus::Initiated || duration != 0 {
            let change = StatusChange::to(status, Utc::now()).with_duration(duration);
            self.storage
                .calls
                .transition(id, change)
                .await
                .expect("seeded transition");
        }
        Seeded { id, start, status }
    }

    /// `n` completed calls, one second apart, the newest at `newest`; returned newest first.
    pub async fn many(&self, newest: DateTime<Utc>, n: u32) -> Vec<Seeded> {
        let mut seeded = Vec::new();
        for i in 0..n {
            let start = newest - TimeDelta::seconds(i64::from(i));
            seeded.push(self.call(start, CallStatus::Completed, i).await);
        }
        seeded
    }
}
