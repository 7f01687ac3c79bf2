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
///
/// `storage_contract_tests!(in_sequence: name)` instead generates `async fn name(fresh)`, which
/// runs every rule one after the other, each on a storage from `fresh()` (an async closure
/// yielding `(guard, storage)`): for storages that are expensive to set up, such as a primary
/// with a streaming replica, shared by the rules through the closure's captures.
#[macro_export]
macro_rules! storage_contract_tests {
    (in_sequence: $name:ident) => {
        $crate::storage_contract_tests!(@every [@sequence $name] ());
    };
    (attributes [$(#[$attribute:meta])*] $fresh:expr) => {
        $crate::storage_contract_tests!(@every [@rules [$(#[$attribute])*]] $fresh);
    };
    ($fresh:expr) => {
        $crate::storage_contract_tests!(@every [@rules []] $fresh);
    };
    (@every [$($mode:tt)*] $fresh:expr) => {
        $crate::storage_contract_tests!($($mode)* $fresh;
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
            history::history_totals_over_many_days_count_exactly_the_matching_calls,
            history_revocation::page_for_live_session_reads_the_page_only_for_live_tokens,
            history_revocation::page_for_live_session_of_a_user_without_calls_is_an_empty_page,
            export::export_pages_visit_every_call_once_newest_first,
            export::export_never_includes_other_users_calls,
            export::export_carries_every_stored_field,
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
            sessions::ending_all_sessions_refuses_tokens_issued_up_to_then,
            sessions::a_cutoff_never_moves_back,
            sessions::ending_the_sessions_of_an_unknown_user_finds_nobody,
            sessions::changing_the_password_stores_it_and_ends_the_sessions,
            sessions::a_deleted_users_sessions_are_over,
            sessions::deleting_a_user_clears_their_counters_and_frees_the_email,
            sessions::lists_a_users_unfinished_calls,
            password_resets::a_secret_is_live_for_its_account_until_it_expires,
            password_resets::an_address_without_an_account_stores_nothing,
            password_resets::a_newer_secret_replaces_the_accounts_earlier_ones,
            password_resets::concurrent_requests_leave_one_live_secret,
            password_resets::redeeming_sets_the_password_ends_the_sessions_and_spends_the_secret,
            password_resets::an_expired_or_unknown_secret_redeems_nothing,
            password_resets::concurrent_redemptions_of_one_secret_succeed_once,
            password_resets::purging_deletes_only_expired_secrets,
            password_resets::deleting_an_account_deletes_its_secrets,
            status_counts::counts_calls_by_status_across_users,
            status_counts::pool_state_reports_open_and_idle_connections,
        );

    };
    (@sequence $name:ident $unused:expr; $($module:ident :: $rule:ident),* $(,)?) => {
        /// Every storage rule in turn, each on a fresh storage from `fresh`; returns how many
        /// ran. Panics on the first broken rule, naming it.
        async fn $name<F, Fut, G, S>(fresh: F) -> usize
        where
            F: Fn() -> Fut,
            Fut: ::std::future::Future<Output = (G, S)>,
            S: $crate::storage::StorageUnderTest,
        {
            let mut ran = 0;
            $(
                {
                    let (_guard, storage) = fresh().await;
                    eprintln!(concat!("storage rule ", stringify!($module), "::", stringify!($rule)));
                    $crate::storage::$module::$rule(storage).await;
                    ran += 1;
                }
            )*
            ran
        }
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
