//! What only the in-process throttle has: its defaults and its memory bounds. The port's rules
//! are in `contract.rs`.

use std::net::IpAddr;
use std::time::Duration;

use calls_adapters_throttle::{InMemoryLoginThrottle, ThrottleConfig};
use calls_core::domain::Email;
use calls_core::ports::{AdmitError, LoginThrottle, ThrottleLimits, Throttled};
use chrono::{DateTime, TimeDelta, TimeZone, Utc};

fn at(seconds: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 3, 1, 8, 0, 0)
        .single()
        .expect("valid date")
        + TimeDelta::seconds(seconds)
}

fn email(raw: &str) -> Email {
    Email::parse(raw).expect("valid email")
}

fn ip(raw: &str) -> IpAddr {
    raw.parse().expect("valid address")
}

async fn fail(throttle: &InMemoryLoginThrottle, account: &str, client: IpAddr, now: i64) {
    throttle
        .admit(&email(account), client, at(now))
        .await
        .expect("admitted");
}

#[tokio::test]
async fn defaults_are_five_per_account_and_twenty_per_address_in_fifteen_minutes() {
    let throttle = InMemoryLoginThrottle::default();
    assert_eq!(throttle.config().limits, ThrottleLimits::DEFAULT);
    for second in 0..5 {
        fail(&throttle, "alice@example.com", ip("203.0.113.1"), second).await;
    }
    assert_eq!(
        throttle
            .admit(&email("alice@example.com"), ip("198.51.100.9"), at(100))
            .await,
        Err(AdmitError::Throttled(Throttled {
            retry_after: Duration::from_secs(800)
        }))
    );
    for index in 0..15 {
        fail(
            &throttle,
            &format!("user{index}@example.com"),
            ip("203.0.113.1"),
            10,
        )
        .await;
    }
    assert!(
        throttle
            .admit(&email("fresh@example.com"), ip("203.0.113.1"), at(20))
            .await
            .is_err(),
        "20 failures from one address"
    );
}

#[tokio::test]
async fn zero_limits_are_treated_as_one() {
    let throttle = InMemoryLoginThrottle::new(ThrottleConfig {
        limits: ThrottleLimits {
            max_failures_per_account: 0,
            max_failures_per_client: 0,
            window: Duration::ZERO,
        },
        ..ThrottleConfig::default()
    });
    fail(&throttle, "alice@example.com", ip("203.0.113.1"), 0).await;
    assert!(
        throttle
            .admit(&email("alice@example.com"), ip("198.51.100.1"), at(0))
            .await
            .is_err()
    );
    // The window is at least one second.
    fail(&throttle, "alice@example.com", ip("198.51.100.1"), 1).await;
}

#[tokio::test]
async fn memory_stays_bounded_under_many_distinct_accounts_and_addresses() {
    let config = ThrottleConfig {
        max_tracked_accounts: 1000,
        max_tracked_clients: 500,
        ..ThrottleConfig::default()
    };
    let throttle = InMemoryLoginThrottle::new(config);
    for index in 0u32..20_000 {
        let client = IpAddr::from(index.to_be_bytes());
        fail(&throttle, &format!("user{index}@example.com"), client, 1).await;
    }
    assert_eq!(throttle.tracked(), (1000, 500));
    // The most recent attackers are still counted.
    for second in 2..6 {
        fail(
            &throttle,
            "user19999@example.com",
            ip("203.0.113.1"),
            second,
        )
        .await;
    }
    assert!(
        throttle
            .admit(&email("user19999@example.com"), ip("203.0.113.77"), at(10))
            .await
            .is_err()
    );
}

#[tokio::test]
async fn expired_entries_are_released_by_new_failures_and_by_the_purge() {
    let throttle = InMemoryLoginThrottle::default();
    for index in 0..10 {
        fail(
            &throttle,
            &format!("user{index}@example.com"),
            ip("203.0.113.1"),
            0,
        )
        .await;
    }
    assert_eq!(throttle.tracked(), (10, 1));
    fail(&throttle, "late@example.com", ip("198.51.100.9"), 3600).await;
    assert_eq!(throttle.tracked(), (1, 1));
    assert_eq!(throttle.purge_expired(at(9000)).await, Ok(2));
    assert_eq!(throttle.tracked(), (0, 0));
}
