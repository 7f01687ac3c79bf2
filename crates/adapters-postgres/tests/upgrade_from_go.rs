//! Our migrations applied to a database the legacy Go backend created and filled: its rows must
//! survive and stay usable through the ports.

use calls_adapters_postgres::testing::TestDatabase;
use calls_core::domain::{
    CallId, CallStatus, Email, HistoryFilter, HistoryQuery, NewCall, PhoneNumber, StatusChange,
    UserId,
};
use calls_core::ports::{CallHistory, CallRecords, TransitionError, UserRepository};
use chrono::{DateTime, Utc};
use diesel::connection::SimpleConnection;

/// The Go backend's schema, as the wire contract describes it.
const GO_SCHEMA: &str = "
CREATE TABLE users (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    email varchar(255) UNIQUE NOT NULL,
    password_hash varchar(255) NOT NULL,
    created_at timestamptz DEFAULT now()
);
CREATE TABLE calls (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    phone_number varchar(50) NOT NULL,
    start_time timestamptz NOT NULL DEFAULT now(),
    duration integer DEFAULT 0,
    status varchar(20) NOT NULL DEFAULT 'initiated',
    created_at timestamptz DEFAULT now()
);
CREATE INDEX idx_users_email ON users(email);
CREATE INDEX idx_calls_user_id ON calls(user_id);
CREATE INDEX idx_calls_start_time ON calls(start_time);
CREATE INDEX idx_calls_user_id_start_time ON calls(user_id, start_time DESC);
";

/// Go's third migration.
const GO_WEBRTC: &str = "
ALTER TABLE calls ADD COLUMN session_id varchar(255);
ALTER TABLE calls ADD COLUMN sdp_offer text;
ALTER TABLE calls ADD COLUMN sdp_answer text;
CREATE INDEX idx_calls_session_id ON calls(session_id);
";

const LEGACY: &str = "11111111-1111-4111-8111-111111111111";
const DUP_MIXED: &str = "22222222-2222-4222-8222-222222222222";
const DUP_LOWER: &str = "33333333-3333-4333-8333-333333333333";
const NO_DATE: &str = "44444444-4444-4444-8444-444444444444";
const BCRYPT: &str = "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy";

const CALL_NULL_DURATION: &str = "aaaaaaaa-0000-4000-8000-000000000001";
const CALL_ODD_STATUS: &str = "aaaaaaaa-0000-4000-8000-000000000002";
const CALL_UPPER_ACTIVE: &str = "aaaaaaaa-0000-4000-8000-000000000003";
const CALL_NEGATIVE: &str = "aaaaaaaa-0000-4000-8000-000000000004";

fn go_rows() -> String {
    format!(
        "
INSERT INTO users (id, email, password_hash, created_at) VALUES
    ('{LEGACY}', 'Legacy.User@Example.COM', '{BCRYPT}', '2025-01-02 03:04:05.678901+00'),
    ('{DUP_MIXED}', 'Dup@Example.com', '{BCRYPT}', '2025-01-02 03:04:05+00'),
    ('{DUP_LOWER}', 'dup@example.com', '{BCRYPT}', '2025-01-02 03:04:06+00'),
    ('{NO_DATE}', 'nodate@example.com', '{BCRYPT}', NULL);
INSERT INTO calls (id, user_id, phone_number, start_time, duration, status) VALUES
    ('{CALL_NULL_DURATION}', '{LEGACY}', '+14155552671', '2025-01-02 10:00:00+00', NULL, 'completed'),
    ('{CALL_ODD_STATUS}', '{LEGACY}', '+4930901820', '2025-01-03 10:00:00+00', 12, 'ringing'),
    ('{CALL_UPPER_ACTIVE}', '{LEGACY}', '+44 20 7946 0958', '2025-01-04 10:00:00.123456+00', 0, 'ACTIVE'),
    ('{CALL_NEGATIVE}', '{LEGACY}', '+33142685300', '2025-01-05 10:00:00+00', -5, 'failed');
-- A row relying on every default, as the Go backend's inserts could.
INSERT INTO calls (user_id, phone_number) VALUES ('{LEGACY}', '+4930901821');
"
    )
}

fn user_id(text: &str) -> UserId {
    text.parse().expect("valid uuid")
}

fn call_id(text: &str) -> CallId {
    text.parse().expect("valid uuid")
}

fn time(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .expect("valid time")
        .with_timezone(&Utc)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn go_database_upgrades_in_place_and_its_rows_stay_usable() {
    let Some(database) = TestDatabase::create() else {
        return;
    };
    let mut raw = database.raw_connection();
    raw.batch_execute(GO_SCHEMA).expect("Go schema");
    raw.batch_execute(GO_WEBRTC).expect("Go WebRTC migration");
    raw.batch_execute(&go_rows()).expect("Go rows");

    let storage = database.connect();
    assert_eq!(
        storage.run_migrations(),
        Ok(migration_count()),
        "every migration applies to the Go schema"
    );
    assert_eq!(storage.run_migrations(), Ok(0), "and only once");

    // Users: the mixed-case email is normalized and found, the bcrypt hash kept verbatim.
    let legacy = storage
        .find_by_email(&Email::parse("legacy.user@example.com").expect("valid"))
        .await
        .expect("lookup")
        .expect("the legacy user is found by its lower-case email");
    assert_eq!(legacy.id, user_id(LEGACY));
    assert_eq!(legacy.email.as_str(), "legacy.user@example.com");
    assert_eq!(legacy.password_hash.as_str(), BCRYPT);
    assert_eq!(legacy.created_at, time("2025-01-02T03:04:05.678901Z"));

    // Two accounts differing only in letter case cannot be merged: both are left as they were.
    let dup = storage
        .find_by_email(&Email::parse("dup@example.com").expect("valid"))
        .await
        .expect("lookup")
        .expect("the lower-case account");
    assert_eq!(dup.id, user_id(DUP_LOWER));
    let mixed = storage
        .find_by_id(user_id(DUP_MIXED))
        .await
        .expect("lookup")
        .expect("kept");
    assert_eq!(mixed.email.as_str(), "Dup@Example.com");

    // A missing creation time is filled in, so the account loads.
    let no_date = storage.find_by_id(user_id(NO_DATE)).await.expect("lookup");
    assert!(
        no_date.is_some(),
        "an account without created_at still loads"
    );

    // Calls: the whole history reads back, newest first.
    let all = HistoryQuery::new(legacy.id, HistoryFilter::default(), None, Some(10), None)
        .expect("valid query");
    let page = storage.page(all).await.expect("history of legacy calls");
    assert_eq!(page.total, 5);
    let order: Vec<CallId> = page.calls.iter().skip(1).map(|call| call.id).collect();
    assert_eq!(
        order,
        vec![
            call_id(CALL_NEGATIVE),
            call_id(CALL_UPPER_ACTIVE),
            call_id(CALL_ODD_STATUS),
            call_id(CALL_NULL_DURATION),
        ],
        "legacy calls in start-time order after the one stamped now()"
    );
    let defaults = &page.calls[0];
    assert_eq!(
        (
            defaults.status,
            defaults.duration,
            defaults.phone_number.as_str()
        ),
        (CallStatus::Initiated, 0, "+4930901821"),
        "a row built from the Go defaults"
    );

    let null_duration = storage
        .get(call_id(CALL_NULL_DURATION))
        .await
        .expect("get")
        .expect("kept");
    assert_eq!(
        (null_duration.duration, null_duration.status),
        (0, CallStatus::Completed)
    );
    assert_eq!(
        (null_duration.country.as_deref(), null_duration.ended_at),
        (None, None)
    );

    let odd = storage
        .get(call_id(CALL_ODD_STATUS))
        .await
        .expect("get")
        .expect("kept");
    assert_eq!(
        odd.status,
        CallStatus::Failed,
        "an unknown legacy status ends as failed"
    );
    assert_eq!(
        odd.failure_reason.as_deref(),
        Some("legacy status: ringing")
    );
    assert_eq!(odd.duration, 12);

    let upper = storage
        .get(call_id(CALL_UPPER_ACTIVE))
        .await
        .expect("get")
        .expect("kept");
    assert_eq!(
        upper.status,
        CallStatus::Active,
        "letter case of a known status is fixed"
    );
    assert_eq!(
        upper.phone_number, "+44 20 7946 0958",
        "phone numbers come back as stored"
    );
    assert_eq!(upper.start_time, time("2025-01-04T10:00:00.123456Z"));

    let negative = storage
        .get(call_id(CALL_NEGATIVE))
        .await
        .expect("get")
        .expect("kept");
    assert_eq!(negative.duration, 0, "a negative legacy duration becomes 0");

    // The rows take part in today's operations.
    let failed = HistoryQuery::new(
        legacy.id,
        HistoryFilter {
            status: Some(CallStatus::Failed),
            ..HistoryFilter::default()
        },
        None,
        Some(10),
        None,
    )
    .expect("valid query");
    let failed = storage.page(failed).await.expect("filtered history");
    assert_eq!(
        failed.calls.iter().map(|call| call.id).collect::<Vec<_>>(),
        vec![call_id(CALL_NEGATIVE), call_id(CALL_ODD_STATUS)]
    );
    let ended = storage
        .transition(
            upper.id,
            StatusChange::to(CallStatus::Completed, time("2025-01-04T10:05:00Z"))
                .with_duration(300),
        )
        .await
        .expect("a legacy active call can be completed");
    assert_eq!((ended.status, ended.duration), (CallStatus::Completed, 300));
    assert_eq!(
        storage
            .transition(
                null_duration.id,
                StatusChange::to(CallStatus::Active, Utc::now())
            )
            .await,
        Err(TransitionError::Refused {
            current: CallStatus::Completed,
            requested: CallStatus::Active,
        })
    );
    let new_call = NewCall {
        id: CallId::new(),
        user_id: legacy.id,
        phone_number: PhoneNumber::parse("+4930901820").expect("valid"),
        start_time: time("2025-02-01T00:00:00Z"),
        status: CallStatus::Initiated,
    };
    CallRecords::create(&storage, new_call)
        .await
        .expect("a legacy user places a new call");

    // The schema now refuses what the domain cannot represent.
    let refused = raw.batch_execute(&format!(
        "INSERT INTO calls (user_id, phone_number, status) VALUES ('{LEGACY}', '+4930901822', 'ringing')"
    ));
    assert!(refused.is_err(), "unknown statuses are refused by a CHECK");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn go_database_from_before_its_webrtc_migration_upgrades_too() {
    let Some(database) = TestDatabase::create() else {
        return;
    };
    let mut raw = database.raw_connection();
    raw.batch_execute(GO_SCHEMA)
        .expect("Go schema without WebRTC fields");
    raw.batch_execute(&format!(
        "INSERT INTO users (id, email, password_hash) VALUES ('{LEGACY}', 'old@example.com', '{BCRYPT}');
         INSERT INTO calls (id, user_id, phone_number, status) VALUES ('{CALL_UPPER_ACTIVE}', '{LEGACY}', '+4930901820', 'active');"
    ))
    .expect("Go rows");

    let storage = database.connect();
    assert_eq!(storage.run_migrations(), Ok(migration_count()));
    let linked = storage
        .transition(
            call_id(CALL_UPPER_ACTIVE),
            StatusChange::to(CallStatus::Active, Utc::now())
                .with_session("CA-old".to_owned(), None),
        )
        .await
        .expect("the added session column is usable");
    assert_eq!(storage.find_by_session_id("CA-old").await, Ok(Some(linked)));
}

/// How many migrations the repository holds (one folder each).
fn migration_count() -> usize {
    let folder = concat!(env!("CARGO_MANIFEST_DIR"), "/../../migrations/postgres");
    std::fs::read_dir(folder)
        .expect("migrations folder")
        .filter(|entry| entry.as_ref().is_ok_and(|entry| entry.path().is_dir()))
        .count()
}
