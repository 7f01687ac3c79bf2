//! The tables as diesel sees them, written by hand to match `migrations/postgres`.
//!
//! `users` and `calls` are the legacy Go backend's tables plus the columns our migrations add.
//! Columns the Go schema left nullable stay nullable (`calls.duration`, `calls.created_at`), so
//! rows it wrote still load.

diesel::table! {
    users (id) {
        id -> Uuid,
        #[max_length = 255]
        email -> Varchar,
        #[max_length = 255]
        password_hash -> Varchar,
        created_at -> Timestamptz,
        sessions_valid_after -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    calls (id) {
        id -> Uuid,
        user_id -> Uuid,
        #[max_length = 50]
        phone_number -> Varchar,
        start_time -> Timestamptz,
        duration -> Nullable<Int4>,
        #[max_length = 20]
        status -> Varchar,
        created_at -> Nullable<Timestamptz>,
        #[max_length = 255]
        session_id -> Nullable<Varchar>,
        sdp_offer -> Nullable<Text>,
        sdp_answer -> Nullable<Text>,
        #[max_length = 2]
        country -> Nullable<Varchar>,
        failure_reason -> Nullable<Text>,
        ended_at -> Nullable<Timestamptz>,
        own_sequence -> Nullable<Int8>,
        #[max_length = 255]
        dialled_session_id -> Nullable<Varchar>,
        dialled_sequence -> Nullable<Int8>,
        #[max_length = 20]
        duration_source -> Nullable<Varchar>,
        report_version -> Int8,
    }
}

diesel::table! {
    revoked_tokens (key) {
        key -> Text,
        expires_at -> Timestamptz,
    }
}

diesel::table! {
    /// Kept by triggers (see the `user_call_counts` and `user_write_counter` migrations);
    /// read, never written, by us. `writes` counts every write to the user's calls: the read
    /// replica's value is compared with the primary's before a page is read there.
    user_call_counts (user_id) {
        user_id -> Uuid,
        total -> BigInt,
        writes -> BigInt,
    }
}

diesel::table! {
    /// Calls per user, UTC day (days since 1970-01-01) and status, kept by triggers (see the
    /// `call_counts_per_statement` / `call_day_counts` migrations); read, never written, by us.
    user_call_day_counts (user_id, day, status) {
        user_id -> Uuid,
        day -> Integer,
        #[max_length = 20]
        status -> Varchar,
        total -> Integer,
    }
}

diesel::table! {
    /// Failed logins per account and client network, shared by every instance (see the
    /// `login_throttle` migration); read and written only through its SQL functions
    /// (`crate::login_throttle`).
    login_throttle (scope, key) {
        scope -> Text,
        key -> Text,
        failures -> Array<Nullable<Timestamptz>>,
        expires_at -> Timestamptz,
    }
}

diesel::joinable!(calls -> users (user_id));
// The history statement gates its page on subqueries of these (crate::history_statement).
diesel::table! {
    /// Live password-reset links: the SHA-256 of each secret, never the secret (see the
    /// `password_reset_tokens` migration).
    password_reset_tokens (token_hash) {
        token_hash -> Text,
        user_id -> Uuid,
        created_at -> Timestamptz,
        expires_at -> Timestamptz,
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
