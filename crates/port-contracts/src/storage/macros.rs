//! The macro that turns the storage rules into one test each.

/// Generates one `#[tokio::test]` per storage rule.
///
/// `$fresh` is an expression evaluated anew in every test, yielding a future of
/// `Option<(Guard, Storage)>`: a fresh, empty, migrated storage, and a guard kept alive until
/// the test ends (e.g. the throw-away database). `None` skips the test (the factory is
/// expected to have said why).
///
/// The calling crate needs `tokio` (with `macros` and `rt-multi-thread`) as a dev-dependency.
///
/// ```ignore
/// calls_port_contracts::storage_contract_tests!(
///     calls_adapters_sqlite::testing::TestDatabase::migrated_async()
/// );
/// ```
///
/// `attributes [...]` before the expression puts those attributes on every test, e.g.
/// `#[ignore = "..."]` for a run that needs a component a plain `cargo test` does not have (a
/// pooler):
///
/// ```ignore
/// calls_port_contracts::storage_contract_tests!(
///     attributes [#[ignore = "needs pgbouncer"]] through_pgbouncer()
/// );
/// ```
#[macro_export]
macro_rules! storage_contract_tests {
    (attributes [$(#[$attribute:meta])*] $fresh:expr) => {
        $crate::storage_contract_tests!(@list [$(#[$attribute])*] $fresh);
    };
    ($fresh:expr) => {
        $crate::storage_contract_tests!(@list [] $fresh);
    };
    (@list $attributes:tt $fresh:expr) => {
        $crate::storage_contract_tests!(@rules $attributes $fresh;
            health::ping_answers,
            users::creates_and_finds_a_user_by_email,
            users::finds_a_user_by_id,
            users::refuses_a_duplicate_email_in_any_letter_case,
            users::concurrent_registrations_of_one_email_yield_exactly_one_account,
            users::updates_the_password_hash,
            users::deleting_a_user_deletes_their_calls,
            calls::creates_and_gets_a_call,
            calls::refuses_a_call_for_an_unknown_user,
            calls::transition_applies_allowed_moves,
            calls::transition_refuses_backward_moves_without_writing,
            calls::transition_reports_an_unknown_call,
            calls::status_change_keeps_the_fields_it_does_not_set,
            calls::concurrent_transitions_never_move_a_call_backwards,
            calls::finds_a_call_by_session_id,
            history::history_is_newest_first_with_ties_broken_by_id,
            history::history_date_bounds_are_inclusive_to_the_microsecond,
            history::history_filters_by_status,
            history::history_total_counts_every_matching_call,
            history::history_pages_with_limit_and_next_cursor,
            history::walking_cursors_visits_what_page_numbers_visit,
            history::history_never_shows_other_users_calls,
            history_revocation::page_for_live_session_reads_the_page_only_for_live_tokens,
            history_revocation::page_for_live_session_of_a_user_without_calls_is_an_empty_page,
            activity::counts_calls_in_progress,
            activity::counts_calls_started_since,
            activity::finds_the_newest_pending_call_without_session,
            activity::fail_stale_fails_only_old_calls_in_the_given_status,
            reports::a_new_call_has_an_empty_report_ledger,
            reports::apply_report_writes_the_update_and_keeps_what_it_does_not_set,
            reports::apply_report_refuses_a_guard_the_call_no_longer_matches,
            reports::racing_reports_on_one_version_apply_exactly_once,
            reports::sequence_numbers_beyond_the_column_are_errors_not_panics,
            revocations::revoked_keys_count_until_they_expire,
            revocations::revoking_again_keeps_the_later_expiry,
            revocations::purge_deletes_only_expired_revocations,
            status_counts::counts_calls_by_status_across_users,
            status_counts::pool_state_reports_open_and_idle_connections,
        );

    };
    (@rules $attributes:tt $fresh:expr; $($module:ident :: $rule:ident),* $(,)?) => {
        $(
            $crate::storage_contract_tests!(@rule $attributes $fresh; $module :: $rule);
        )*
    };
    (@rule [$(#[$attribute:meta])*] $fresh:expr; $module:ident :: $rule:ident) => {
        #[::tokio::test(flavor = "multi_thread", worker_threads = 2)]
        $(#[$attribute])*
        async fn $rule() {
            let Some((_guard, storage)) = $fresh.await else {
                return;
            };
            $crate::storage::$module::$rule(storage).await;
        }
    };
}
