//! Builders shared by the storage rules.

use calls_core::domain::{
    Call, CallId, CallStatus, Email, HistoryCursor, HistoryFilter, HistoryPage, HistoryQuery,
    NewCall, NewUser, PasswordHash, PhoneNumber, User, UserId,
};
use calls_core::ports::{CallHistory, CallRecords, Clock, SystemClock, UserRepository};
use chrono::{DateTime, TimeDelta, Utc};

/// 2025-11-25T09:20:00.123456Z: a fixed time with a non-zero microsecond part, so that a
/// storage rounding to milliseconds or seconds fails the rules.
pub const BASE_MICROS: i64 = 1_764_062_400_123_456;

pub fn base_time() -> DateTime<Utc> {
    DateTime::from_timestamp_micros(BASE_MICROS).expect("BASE_MICROS is a valid time")
}

/// `base_time()` shifted by `offset` microseconds.
pub fn at(offset: i64) -> DateTime<Utc> {
    base_time() + TimeDelta::microseconds(offset)
}

pub const SECOND: i64 = 1_000_000;
pub const MINUTE: i64 = 60 * SECOND;
pub const HOUR: i64 = 60 * MINUTE;

/// The current time at the domain's precision.
pub fn now() -> DateTime<Utc> {
    SystemClock.now()
}

/// A Berlin landline: valid, with region `DE`.
pub const PHONE: &str = "+4930901820";

pub fn email(raw: &str) -> Email {
    Email::parse(raw).expect("test emails are valid")
}

pub fn new_user(address: &str) -> NewUser {
    NewUser {
        id: UserId::new(),
        email: email(address),
        password_hash: PasswordHash::new(
            "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA".to_owned(),
        ),
        created_at: at(-HOUR),
    }
}

/// Creates an account, panicking if the storage refuses.
pub async fn register<S: UserRepository>(storage: &S, address: &str) -> User {
    UserRepository::create(storage, new_user(address))
        .await
        .unwrap_or_else(|error| panic!("registering {address}: {error}"))
}

pub fn new_call(user: UserId, start: DateTime<Utc>, status: CallStatus) -> NewCall {
    NewCall {
        id: CallId::new(),
        user_id: user,
        phone_number: PhoneNumber::parse(PHONE).expect("valid test number"),
        start_time: start,
        status,
    }
}

/// Creates a call, panicking if the storage refuses.
pub async fn place<S: CallRecords>(
    storage: &S,
    user: UserId,
    start: DateTime<Utc>,
    status: CallStatus,
) -> Call {
    insert_call(storage, new_call(user, start, status)).await
}

pub async fn insert_call<S: CallRecords>(storage: &S, call: NewCall) -> Call {
    CallRecords::create(storage, call)
        .await
        .unwrap_or_else(|error| panic!("creating a call: {error}"))
}

pub fn query(
    user: UserId,
    filter: HistoryFilter,
    page: Option<u32>,
    limit: u32,
    cursor: Option<HistoryCursor>,
) -> HistoryQuery {
    HistoryQuery::new(user, filter, page, Some(limit), cursor).expect("valid history query")
}

pub async fn history<S: CallHistory>(storage: &S, query: HistoryQuery) -> HistoryPage {
    storage
        .page(query)
        .await
        .unwrap_or_else(|error| panic!("history query: {error}"))
}

/// The order the history must have: start time, then id, both descending.
pub fn newest_first(mut calls: Vec<Call>) -> Vec<Call> {
    calls.sort_by_key(|call| std::cmp::Reverse((call.start_time, call.id)));
    calls
}

pub fn ids(calls: &[Call]) -> Vec<CallId> {
    calls.iter().map(|call| call.id).collect()
}
