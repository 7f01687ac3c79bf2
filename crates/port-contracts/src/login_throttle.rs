//! Contract suite for the `LoginThrottle` port.
//!
//! Every rule takes a fresh throttle built with [`LIMITS`] (5 failures per account, 8 per client
//! network, a 15-minute window) and drives it with explicit times, so no rule waits.
//! [`login_throttle_contract_tests!`] generates one test per rule.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use calls_core::domain::Email;
use calls_core::ports::{AdmitError, AdmittedAttempt, LoginThrottle, ThrottleLimits, Throttled};
use chrono::{DateTime, TimeDelta, TimeZone, Utc};

/// The limits every adapter under test must be built with.
pub const LIMITS: ThrottleLimits = ThrottleLimits {
    max_failures_per_account: ACCOUNT_LIMIT,
    max_failures_per_client: CLIENT_LIMIT,
    window: Duration::from_secs(WINDOW_SECS as u64),
};

const ACCOUNT_LIMIT: usize = 5;
const CLIENT_LIMIT: usize = 8;
const WINDOW_SECS: i64 = 900;

/// What every rule takes: the adapter under test, shareable with the tasks of the concurrency
/// rules.
pub type Throttle = Arc<dyn LoginThrottle>;

/// `seconds` after an arbitrary origin.
fn at(seconds: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 3, 8, 0, 0)
        .single()
        .expect("contract: valid origin")
        + TimeDelta::seconds(seconds)
}

fn email(raw: &str) -> Email {
    Email::parse(raw).expect("contract: valid email")
}

fn ip(raw: &str) -> IpAddr {
    raw.parse().expect("contract: valid address")
}

/// A distinct IPv4 client per index, none of them in the ranges the rules use by name.
fn nth_client(index: usize) -> IpAddr {
    let index = u32::try_from(index).expect("contract: small index");
    IpAddr::from((0x0a00_0000 + index).to_be_bytes())
}

async fn admit(
    throttle: &Throttle,
    account: &str,
    client: IpAddr,
    now: DateTime<Utc>,
) -> AdmittedAttempt {
    throttle
        .admit(&email(account), client, now)
        .await
        .unwrap_or_else(|err| panic!("contract: {account} from {client} must be admitted: {err:?}"))
}

async fn refusal(
    throttle: &Throttle,
    account: &str,
    client: IpAddr,
    now: DateTime<Utc>,
) -> Duration {
    match throttle.admit(&email(account), client, now).await {
        Err(AdmitError::Throttled(Throttled { retry_after })) => retry_after,
        other => panic!("contract: {account} from {client} must be throttled, got {other:?}"),
    }
}

/// Rule: an account is refused after its limit of failures, from whatever address, and with
/// the time until its oldest failure leaves the window; other accounts are unaffected.
pub async fn the_account_limit_refuses_from_any_address(throttle: Throttle) {
    for index in 0..ACCOUNT_LIMIT {
        admit(
            &throttle,
            "alice@example.com",
            nth_client(index),
            at(index as i64),
        )
        .await;
    }
    assert_eq!(
        refusal(&throttle, "alice@example.com", ip("198.51.100.9"), at(10)).await,
        Duration::from_secs(890),
        "contract: locked until the failure of t=0 leaves the 900 s window"
    );
    admit(&throttle, "bob@example.com", ip("198.51.100.9"), at(10)).await;
}

/// Rule: a client network is refused after its limit of failures over any accounts, even for
/// an account it never tried; other networks are unaffected.
pub async fn the_client_limit_refuses_every_account_from_that_network(throttle: Throttle) {
    let attacker = ip("203.0.113.1");
    for index in 0..CLIENT_LIMIT {
        admit(
            &throttle,
            &format!("user{index}@example.com"),
            attacker,
            at(index as i64),
        )
        .await;
    }
    assert_eq!(
        refusal(&throttle, "fresh@example.com", attacker, at(30)).await,
        Duration::from_secs(870)
    );
    admit(&throttle, "fresh@example.com", ip("203.0.113.2"), at(30)).await;
}

/// Rule: IPv6 clients count per /64 network, and an IPv4-mapped IPv6 address as its IPv4
/// address.
pub async fn ipv6_counts_per_network_and_mapped_ipv4_as_ipv4(throttle: Throttle) {
    for index in 0..CLIENT_LIMIT {
        let client = ip(&format!("2001:db8:0:1::{:x}", index + 1));
        admit(
            &throttle,
            &format!("v6user{index}@example.com"),
            client,
            at(0),
        )
        .await;
    }
    refusal(
        &throttle,
        "fresh@example.com",
        ip("2001:db8:0:1:ffff::1"),
        at(1),
    )
    .await;
    admit(&throttle, "fresh@example.com", ip("2001:db8:0:2::1"), at(1)).await;

    for index in 0..CLIENT_LIMIT {
        let client = if index % 2 == 0 {
            ip("198.51.100.7")
        } else {
            ip("::ffff:198.51.100.7")
        };
        admit(
            &throttle,
            &format!("v4user{index}@example.com"),
            client,
            at(0),
        )
        .await;
    }
    refusal(&throttle, "other@example.com", ip("198.51.100.7"), at(1)).await;
}

/// Rule: refused attempts are not counted, and the window slides: once the oldest failure has
/// left it, exactly one more attempt is admitted.
pub async fn refusals_are_not_counted_and_the_window_slides(throttle: Throttle) {
    let client = ip("203.0.113.5");
    for second in 0..ACCOUNT_LIMIT as i64 {
        admit(&throttle, "alice@example.com", client, at(second)).await;
    }
    for second in [100, 200, 300, 899] {
        refusal(&throttle, "alice@example.com", client, at(second)).await;
    }
    // At t=900 the failure of t=0 has left the window; the refusals did not extend the lock.
    admit(&throttle, "alice@example.com", client, at(900)).await;
    assert_eq!(
        refusal(&throttle, "alice@example.com", client, at(900)).await,
        Duration::from_secs(1),
        "contract: the next oldest failure (t=1) leaves at t=901"
    );
    // Long after the window, the account starts afresh.
    for second in 0..ACCOUNT_LIMIT as i64 {
        admit(&throttle, "alice@example.com", client, at(5000 + second)).await;
    }
    refusal(&throttle, "alice@example.com", client, at(5010)).await;
}

/// Rule: `Retry-After` is the remaining lock time rounded up to whole seconds, at least 1; when
/// both limits are reached, the longer wait.
pub async fn retry_after_is_the_remaining_lock_time(throttle: Throttle) {
    let shared = ip("198.51.100.20");
    // The network: locked from t=0 until t=900.
    for index in 0..CLIENT_LIMIT {
        admit(
            &throttle,
            &format!("crowd{index}@example.com"),
            shared,
            at(0),
        )
        .await;
    }
    // The account: locked from t=100 until t=1000.
    for index in 0..ACCOUNT_LIMIT {
        admit(&throttle, "alice@example.com", nth_client(index), at(100)).await;
    }
    assert_eq!(
        refusal(&throttle, "alice@example.com", shared, at(200)).await,
        Duration::from_secs(800),
        "contract: the longer of the two waits"
    );
    assert_eq!(
        refusal(&throttle, "fresh@example.com", shared, at(200)).await,
        Duration::from_secs(700)
    );
    let almost = at(999) + TimeDelta::milliseconds(999);
    assert_eq!(
        refusal(&throttle, "alice@example.com", ip("192.0.2.1"), almost).await,
        Duration::from_secs(1),
        "contract: never 0 seconds"
    );
    let partial = at(101) + TimeDelta::milliseconds(500);
    assert_eq!(
        refusal(&throttle, "alice@example.com", ip("192.0.2.1"), partial).await,
        Duration::from_secs(899),
        "contract: 898.5 s round up"
    );
}

/// Rule: a success clears the account's failures, but not the client network's (only the
/// successful attempt itself is taken back there).
pub async fn success_clears_the_account_but_not_the_client(throttle: Throttle) {
    let office = ip("203.0.113.10");
    for second in 0..(ACCOUNT_LIMIT as i64 - 1) {
        admit(&throttle, "victim@example.com", office, at(second)).await;
    }
    let good = admit(&throttle, "victim@example.com", office, at(10)).await;
    throttle
        .succeeded(&good)
        .await
        .expect("contract: recording a success must work");
    // The account starts afresh: a full limit of attempts, from anywhere.
    for index in 0..ACCOUNT_LIMIT {
        admit(&throttle, "victim@example.com", nth_client(index), at(20)).await;
    }
    refusal(&throttle, "victim@example.com", nth_client(99), at(20)).await;
    // The office keeps its 4 failures: 4 more attempts from it, then it is refused.
    for index in 0..(CLIENT_LIMIT - (ACCOUNT_LIMIT - 1)) {
        admit(
            &throttle,
            &format!("colleague{index}@example.com"),
            office,
            at(30),
        )
        .await;
    }
    refusal(&throttle, "another@example.com", office, at(30)).await;
}

/// Rule: a withdrawn attempt counts neither for the account nor for the client network.
pub async fn withdrawn_attempts_count_for_nobody(throttle: Throttle) {
    let client = ip("203.0.113.30");
    for second in 0..(ACCOUNT_LIMIT as i64 - 1) {
        admit(&throttle, "alice@example.com", client, at(second)).await;
    }
    for _ in 0..3 {
        let unjudged = admit(&throttle, "alice@example.com", client, at(10)).await;
        throttle
            .withdraw(&unjudged)
            .await
            .expect("contract: withdrawing must work");
    }
    // Still one attempt left for the account, then refused.
    admit(&throttle, "alice@example.com", client, at(20)).await;
    refusal(&throttle, "alice@example.com", nth_client(0), at(20)).await;
    // The client has 5 failures: 3 more, then refused.
    for index in 0..(CLIENT_LIMIT - ACCOUNT_LIMIT) {
        admit(
            &throttle,
            &format!("other{index}@example.com"),
            client,
            at(30),
        )
        .await;
    }
    refusal(&throttle, "last@example.com", client, at(30)).await;
}

/// Starts `attempts` admissions at once (released together by a barrier) and returns how many
/// were admitted; every other one must be a throttling refusal.
async fn admitted_at_once(
    throttle: &Throttle,
    attempts: usize,
    attempt: impl Fn(usize) -> (String, IpAddr),
) -> usize {
    let barrier = Arc::new(tokio::sync::Barrier::new(attempts));
    let tasks: Vec<_> = (0..attempts)
        .map(|index| {
            let throttle = Arc::clone(throttle);
            let barrier = Arc::clone(&barrier);
            let (account, client) = attempt(index);
            tokio::spawn(async move {
                barrier.wait().await;
                let now = at(0) + TimeDelta::milliseconds(index as i64);
                throttle.admit(&email(&account), client, now).await
            })
        })
        .collect();
    let mut admitted = 0;
    for task in tasks {
        match task.await.expect("contract: attempt task must not panic") {
            Ok(_) => admitted += 1,
            Err(AdmitError::Throttled(_)) => {}
            Err(err) => panic!("contract: a concurrent attempt failed: {err:?}"),
        }
    }
    admitted
}

/// Rule: 16 attempts at one account at the same moment admit exactly the account's limit.
pub async fn concurrent_attempts_on_one_account_admit_exactly_the_limit(throttle: Throttle) {
    let admitted = admitted_at_once(&throttle, 16, |index| {
        ("alice@example.com".to_owned(), nth_client(index))
    })
    .await;
    assert_eq!(
        admitted, ACCOUNT_LIMIT,
        "contract: the account limit holds under concurrency"
    );
}

/// Rule: 16 attempts from one client network at the same moment admit exactly its limit.
pub async fn concurrent_attempts_from_one_client_admit_exactly_the_limit(throttle: Throttle) {
    let admitted = admitted_at_once(&throttle, 16, |index| {
        (format!("user{index}@example.com"), ip("203.0.113.40"))
    })
    .await;
    assert_eq!(
        admitted, CLIENT_LIMIT,
        "contract: the client limit holds under concurrency"
    );
}

/// Rule: purging forgets exactly the keys whose failures all left the window, and changes no
/// answer.
pub async fn purge_forgets_only_expired_keys(throttle: Throttle) {
    // Expired by t=950: one account and one network.
    for _ in 0..ACCOUNT_LIMIT {
        admit(&throttle, "old@example.com", ip("198.51.100.50"), at(0)).await;
    }
    // Live at t=950: carol's lock, and bob's single failure.
    for index in 0..ACCOUNT_LIMIT {
        admit(&throttle, "carol@example.com", nth_client(index), at(500)).await;
    }
    admit(&throttle, "bob@example.com", ip("198.51.100.51"), at(500)).await;

    let purged = throttle
        .purge_expired(at(950))
        .await
        .expect("contract: purging must work");
    assert_eq!(
        purged, 2,
        "contract: the expired account and network, nothing else"
    );
    assert_eq!(
        throttle
            .purge_expired(at(950))
            .await
            .expect("contract: purging must work"),
        0,
        "contract: purging again finds nothing"
    );
    assert_eq!(
        refusal(&throttle, "carol@example.com", ip("192.0.2.9"), at(950)).await,
        Duration::from_secs(450),
        "contract: a live lock survives the purge"
    );
    // bob keeps his failure: 4 more, then refused.
    for index in 0..(ACCOUNT_LIMIT - 1) {
        admit(
            &throttle,
            "bob@example.com",
            nth_client(50 + index),
            at(950),
        )
        .await;
    }
    refusal(&throttle, "bob@example.com", nth_client(60), at(950)).await;
}

/// Generates one `#[tokio::test]` per throttle rule.
///
/// `$fresh` is a closure taking the [`ThrottleLimits`] to build with ([`LIMITS`]) and returning
/// a future of `Option<(Guard, Adapter)>`: a fresh, empty throttle, and a guard kept alive until
/// the test ends (e.g. the throw-away database). `None` skips the test (the factory is expected
/// to have said why).
///
/// ```ignore
/// calls_port_contracts::login_throttle_contract_tests!(|limits| async move {
///     Some(((), InMemoryLoginThrottle::new(ThrottleConfig { limits, ..Default::default() })))
/// });
/// ```
/// Rule: forgetting an account clears its failures (its logins are admitted again at once),
/// leaves the client networks' counts and other accounts alone, and is no error for an account
/// never seen.
pub async fn forgetting_an_account_clears_only_its_failures(throttle: Throttle) {
    let client = ip("198.51.100.20");
    for index in 0..ACCOUNT_LIMIT {
        admit(
            &throttle,
            "alice@example.com",
            nth_client(index),
            at(index as i64),
        )
        .await;
    }
    for index in 0..ACCOUNT_LIMIT {
        admit(
            &throttle,
            "bob@example.com",
            nth_client(index),
            at(index as i64),
        )
        .await;
    }
    for index in 0..CLIENT_LIMIT - 1 {
        admit(
            &throttle,
            &format!("user{index}@example.com"),
            client,
            at(index as i64),
        )
        .await;
    }
    refusal(&throttle, "alice@example.com", ip("198.51.100.9"), at(10)).await;
    throttle
        .forget_account(&email("alice@example.com"))
        .await
        .expect("contract: forgetting an account works");
    throttle
        .forget_account(&email("nobody@example.com"))
        .await
        .expect("contract: forgetting an unknown account is no error");
    admit(&throttle, "alice@example.com", ip("198.51.100.9"), at(11)).await;
    refusal(&throttle, "bob@example.com", ip("198.51.100.9"), at(11)).await;
    // The client's one remaining failure is still counted: its next account reaches the limit.
    admit(&throttle, "carol@example.com", client, at(12)).await;
    refusal(&throttle, "dave@example.com", client, at(13)).await;
}

#[macro_export]
macro_rules! login_throttle_contract_tests {
    ($fresh:expr) => {
        $crate::login_throttle_contract_tests!(@rules $fresh;
            the_account_limit_refuses_from_any_address,
            the_client_limit_refuses_every_account_from_that_network,
            ipv6_counts_per_network_and_mapped_ipv4_as_ipv4,
            refusals_are_not_counted_and_the_window_slides,
            retry_after_is_the_remaining_lock_time,
            success_clears_the_account_but_not_the_client,
            withdrawn_attempts_count_for_nobody,
            concurrent_attempts_on_one_account_admit_exactly_the_limit,
            concurrent_attempts_from_one_client_admit_exactly_the_limit,
            purge_forgets_only_expired_keys,
            forgetting_an_account_clears_only_its_failures,
        );
    };
    (@rules $fresh:expr; $($rule:ident),* $(,)?) => {
        mod login_throttle_contract {
            #[allow(unused_imports)]
            use super::*;

            $(
                #[::tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $rule() {
                    let fresh = $fresh;
                    let Some((_guard, throttle)) = fresh($crate::login_throttle::LIMITS).await
                    else {
                        return;
                    };
                    let throttle: $crate::login_throttle::Throttle =
                        ::std::sync::Arc::new(throttle);
                    $crate::login_throttle::$rule(throttle).await;
                }
            )*
        }
    };
}
