//! Two `calls-server` processes on one PostgreSQL database: nothing is shared but the database
//! (the API tests' instances share a test process; these do not even share that).
//!
//! - a token logged out through one process is refused by the other at once;
//! - a call initiated through one process is terminated through the other, once;
//! - both run the reaper and the revocation purge every second without double effects: a call
//!   left connecting is failed once, and the logged-out token stays refused.

mod support;

use std::time::Duration;

use calls_adapters_postgres::testing::TestDatabase;
use serde_json::{Value, json};
use support::api::Api;
use support::{Answer, NUMBER, ServerProcess};

/// Both processes sweep and purge every second; a call connecting for a second is stale.
const FAST_JOBS: &str = "[auth]\nrevocation_purge_interval_secs = 1\n\n\
                         [voip.reaper]\ninterval_secs = 1\nconnecting_timeout_secs = 1\n";

/// `POST /api/calls/initiate` for [`NUMBER`].
async fn initiate(api: &Api, token: &str) -> Answer {
    let body = json!({"phone_number": NUMBER});
    api.post_json_authed("/api/calls/initiate", token, &body)
        .await
}

/// `POST /api/calls/terminate` for `call_id`.
async fn terminate(api: &Api, token: &str, call_id: &str) -> Answer {
    let body = json!({"call_id": call_id});
    api.post_json_authed("/api/calls/terminate", token, &body)
        .await
}

/// The `status` of the call `id` in the user's history (`null` when it is not listed).
async fn status_in_history(api: &Api, token: &str, id: &str) -> Value {
    let history = api.get_authed("/api/calls/history", token).await;
    history.body["calls"]
        .as_array()
        .and_then(|calls| calls.iter().find(|call| call["callId"] == id))
        .map(|call| call["status"].clone())
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_on_one_database_act_as_one_service() {
    let Some(database) = TestDatabase::create() else {
        return;
    };
    let work = tempfile::tempdir().expect("temp dir");
    let config = work.path().join("calls.toml");
    std::fs::write(&config, FAST_JOBS).expect("config written");
    let config = config.to_str().expect("utf-8 path").to_owned();
    let env = [
        ("DATABASE_URL", database.url()),
        ("CALLS_CONFIG", config.as_str()),
        ("VOIP_PROVIDER", "mock"),
    ];
    // The first one migrates; the second finds nothing to do.
    let first = ServerProcess::start(&env, &work.path().join("first.log"));
    let second = ServerProcess::start(&env, &work.path().join("second.log"));
    assert_ne!(first.pid(), second.pid());
    let (one, two) = (first.api(), second.api());

    let token = one.register("two@example.com").await;

    // A call initiated through one process, terminated through the other, once.
    let started = initiate(&one, &token).await;
    assert_eq!(started.status, 200, "{:?}", started.body);
    let call_id = started.body["call_id"]
        .as_str()
        .expect("call id")
        .to_owned();
    let ended = terminate(&two, &token, &call_id).await;
    assert_eq!(ended.status, 200, "{:?}", ended.body);
    assert_eq!(ended.body["status"], "completed");
    let again = terminate(&one, &token, &call_id).await;
    assert_eq!(again.status, 200);
    assert_eq!(again.body, ended.body, "the stored values, unchanged");

    // A call left connecting is failed by the reapers of both processes, once.
    let stuck = initiate(&two, &token).await;
    assert_eq!(stuck.status, 200, "{:?}", stuck.body);
    let stuck_id = stuck.body["call_id"].as_str().expect("call id").to_owned();
    let mut status = Value::Null;
    for _ in 0..50 {
        tokio::time::sleep(Duration::from_millis(200)).await;
        status = status_in_history(&one, &token, &stuck_id).await;
        if status == "failed" {
            break;
        }
    }
    assert_eq!(status, "failed", "the stuck call is failed by a reaper");
    // Both sweep a few more times: one record per call, and the failed one stays as it is.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let history = two.get_authed("/api/calls/history", &token).await;
    assert_eq!(history.body["total"], 2, "{:?}", history.body);
    let mut raw = database.raw_connection();
    let failures = count(
        &mut raw,
        &format!("SELECT count(*) AS n FROM calls WHERE id = '{stuck_id}' AND status = 'failed'"),
    );
    assert_eq!(failures, 1);

    // Logged out through one process: refused by the other at once, and after both purged.
    let logout = two.logout(&token).await;
    assert_eq!(logout.status, 204);
    for api in [&one, &two] {
        let refused = api.get_authed("/api/calls/history", &token).await;
        assert_eq!(refused.status, 401);
        assert!(refused.is_error("unauthorized"), "{:?}", refused.body);
    }
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let refused = one.get_authed("/api/calls/history", &token).await;
    assert_eq!(
        refused.status, 401,
        "a live revocation survives both purges"
    );
    assert_eq!(
        count(&mut raw, "SELECT count(*) AS n FROM revoked_tokens"),
        1,
        "one revocation row"
    );
    for server in [&first, &second] {
        assert!(
            !server.log_text().contains("\"level\":\"ERROR\""),
            "no ERROR line:\n{}",
            server.log_tail(20)
        );
    }
}

#[derive(diesel::QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

fn count(connection: &mut diesel::PgConnection, sql: &str) -> i64 {
    use diesel::RunQueryDsl;
    diesel::sql_query(sql)
        .get_result::<Count>(connection)
        .expect("count")
        .n
}
