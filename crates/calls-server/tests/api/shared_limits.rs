//! Every per-user and per-address limit holds for the deployment as a whole, whichever
//! instances the requests reach: the login limits on PostgreSQL (counted in the database; on
//! SQLite, a single-instance deployment, they are counted in process memory), and the call caps
//! on both backends (they count the calls stored in the database).

use reqwest::{Response, StatusCode};

use crate::assertions::assert_error;
use crate::helpers::{Backend, TestApp, run_on};
use crate::on_all_backends;
use crate::voice_support::{
    NUMBER, assert_daily_cap_reached, call_id, initiate, initiate_ok, place_and_end_call,
    terminate_ok,
};

on_all_backends!(call_caps_count_the_calls_of_every_instance);

fn retry_after(response: &Response) -> u64 {
    response
        .headers()
        .get("retry-after")
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse().ok())
        .expect("Retry-After seconds")
}

async fn assert_locked(app: &TestApp, email: &str, password: &str, what: &str) {
    let response = app.login(email, password).await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS, "{what}");
    assert!((1..=900).contains(&retry_after(&response)), "{what}");
    assert_error(response, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
}

/// Five wrong passwords spread over two instances lock the account on both, and on an
/// instance started afterwards (a restart); other accounts are unaffected.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_login_lock_is_shared_by_every_instance_and_survives_a_restart() {
    run_on(
        Backend::Postgres,
        |_| {},
        |first| async move {
            let second = first.another_instance().await;
            let victim = first.new_user().await;
            let bystander = first.new_user().await;
            for attempt in 0..5 {
                let on = if attempt % 2 == 0 { &first } else { &second };
                assert_eq!(
                    on.login(&victim.email, "wrong password!").await.status(),
                    StatusCode::UNAUTHORIZED,
                    "failure {attempt}"
                );
            }
            assert_locked(&first, &victim.email, &victim.password, "first instance").await;
            assert_locked(&second, &victim.email, &victim.password, "second instance").await;
            let restarted = first.another_instance().await;
            assert_locked(
                &restarted,
                &victim.email,
                &victim.password,
                "restarted instance",
            )
            .await;
            assert_eq!(
                second
                    .login(&bystander.email, &bystander.password)
                    .await
                    .status(),
                StatusCode::OK
            );
        },
    )
    .await;
}

/// A right password on one instance clears the account's failures for all of them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_success_on_one_instance_clears_the_failures_on_all() {
    run_on(
        Backend::Postgres,
        |_| {},
        |first| async move {
            let second = first.another_instance().await;
            let user = first.new_user().await;
            for _ in 0..4 {
                assert_eq!(
                    first.login(&user.email, "wrong password!").await.status(),
                    StatusCode::UNAUTHORIZED
                );
            }
            assert_eq!(
                second.login(&user.email, &user.password).await.status(),
                StatusCode::OK
            );
            // Four more failures are allowed again, through the other instance.
            for _ in 0..4 {
                assert_eq!(
                    first.login(&user.email, "wrong password!").await.status(),
                    StatusCode::UNAUTHORIZED
                );
            }
            assert_eq!(
                first.login(&user.email, &user.password).await.status(),
                StatusCode::OK
            );
        },
    )
    .await;
}

/// The in-progress and the daily cap count calls placed through any instance.
async fn call_caps_count_the_calls_of_every_instance(app: TestApp) {
    let capped = |settings: &mut calls_server::settings::Settings| {
        settings.voip.max_calls_per_day = 3;
        settings.voip.max_active_calls_per_user = 1;
    };
    let first = app.another_instance_with(capped).await;
    let second = app.another_instance_with(capped).await;
    let user = first.new_user().await;

    let open = initiate_ok(&first, &user.token, NUMBER).await;
    assert_error(
        initiate(&second, &user.token, NUMBER).await,
        StatusCode::CONFLICT,
        "call_in_progress",
    )
    .await;
    terminate_ok(&second, &user.token, call_id(&open)).await;

    place_and_end_call(&second, &user.token).await;
    place_and_end_call(&first, &user.token).await;
    // Three calls today, over both instances: the cap holds on each.
    assert_daily_cap_reached(&first, &user.token).await;
    assert_daily_cap_reached(&second, &user.token).await;
}
