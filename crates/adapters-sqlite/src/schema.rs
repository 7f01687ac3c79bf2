//! The tables as diesel sees them, written by hand to match `migrations/sqlite`. Ids are UUID
//! text, times `BIGINT` microseconds since the Unix epoch (UTC).
//!
//! `calls.duration` is `NOT NULL` in the file but declared nullable here, as it is in
//! PostgreSQL (where the Go backend left it nullable), so that one row type serves both
//! backends; a `NOT NULL` column always reads as `Some`.

diesel::table! {
    users (id) {
        id -> Text,
        email -> Text,
        password_hash -> Text,
        created_at -> BigInt,
        sessions_valid_after -> Nullable<BigInt>,
    }
}

diesel::table! {
    calls (id) {
        id -> Text,
        user_id -> Text,
        phone_number -> Text,
        start_time -> BigInt,
        duration -> Nullable<Integer>,
        status -> Text,
        created_at -> BigInt,
        session_id -> Nullable<Text>,
        sdp_offer -> Nullable<Text>,
        sdp_answer -> Nullable<Text>,
        country -> Nullable<Text>,
        failure_reason -> Nullable<Text>,
        ended_at -> Nullable<BigInt>,
        own_sequence -> Nullable<BigInt>,
        dialled_session_id -> Nullable<Text>,
        dialled_sequence -> Nullable<BigInt>,
        duration_source -> Nullable<Text>,
        report_version -> BigInt,
    }
}

diesel::table! {
    revoked_tokens (key) {
        key -> Text,
        expires_at -> BigInt,
    }
}

diesel::table! {
    /// Kept by triggers (see the `user_call_counts` migration); read, never written, by us.
    user_call_counts (user_id) {
        user_id -> Text,
        total -> BigInt,
    }
}

diesel::table! {
    /// Calls per user, UTC day (days since 1970-01-01) and status, kept by triggers (see the
    /// `call_counts_per_statement` / `call_day_counts` migrations); read, never written, by us.
    user_call_day_counts (user_id, day, status) {
        user_id -> Text,
        day -> Integer,
        status -> Text,
        total -> Integer,
    }
}

diesel::joinable!(calls -> users (user_id));
// The history statement gates its page on subqueries of these (crate::history_statement).
diesel::table! {
    /// Live password-reset links: the SHA-256 of each secret, never the secret (see the
    /// `password_reset_tokens` migration).
    password_reset_tokens (token_hash) {
        token_hash -> Text,
        user_id -> Text,
        created_at -> BigInt,
        expires_at -> BigInt,
    }
}

diesel::joinable!(password_reset_tokens -> users (user_id));

diesel::allow_tables_to_appear_in_same_query!(
    users,
    password_reset_tokens,
    calls,
    revoked_tokens,
    user_call_counts,
    user_call_day_counts,
);
