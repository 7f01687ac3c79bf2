//! `InMemoryLoginThrottle` with explicit clock values.

use std::net::IpAddr;
use std::time::Duration;

use calls_adapters_throttle::{InMemoryLoginThrottle, ThrottleConfig};
use calls_core::domain::Email;
use calls_core::ports::{LoginThrottle, Throttled};
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

fn fail(throttle: &InMemoryLoginThrottle, account: &str, client: &str, times: i64, start: i64) {
    for offset in 0..times {
        throttle.record_failure(&email(account), ip(client), at(start + offset));
    }
}

#[test]
fn the_account_limit_throttles_after_five_failures() {
    let throttle = InMemoryLoginThrottle::default();
    fail(&throttle, "alice@example.com", "203.0.113.1", 4, 0);
    assert_eq!(
        throttle.check(&email("alice@example.com"), ip("203.0.113.1"), at(10)),
        Ok(())
    );
    throttle.record_failure(&email("alice@example.com"), ip("203.0.113.1"), at(10));
    // From any address: the account is what is protected.
    let refused = throttle.check(&email("alice@example.com"), ip("198.51.100.9"), at(20));
    assert!(refused.is_err());
}

#[test]
fn retry_after_is_the_time_until_the_oldest_failure_leaves_the_window() {
    let throttle = InMemoryLoginThrottle::default();
    fail(&throttle, "alice@example.com", "203.0.113.1", 5, 0);
    // Oldest failure at t=0, window 900 s, asked at t=100.
    assert_eq!(
        throttle.check(&email("alice@example.com"), ip("203.0.113.1"), at(100)),
        Err(Throttled {
            retry_after: Duration::from_secs(800)
        })
    );
    assert_eq!(
        throttle.check(&email("alice@example.com"), ip("203.0.113.1"), at(899)),
        Err(Throttled {
            retry_after: Duration::from_secs(1)
        })
    );
}

#[test]
fn the_window_slides() {
    let throttle = InMemoryLoginThrottle::default();
    fail(&throttle, "alice@example.com", "203.0.113.1", 5, 0);
    // At t=900 the failure of t=0 left the window: four remain, one more attempt is allowed.
    assert_eq!(
        throttle.check(&email("alice@example.com"), ip("203.0.113.1"), at(900)),
        Ok(())
    );
    throttle.record_failure(&email("alice@example.com"), ip("203.0.113.1"), at(900));
    assert_eq!(
        throttle.check(&email("alice@example.com"), ip("203.0.113.1"), at(900)),
        Err(Throttled {
            retry_after: Duration::from_secs(1)
        })
    );
    assert_eq!(
        throttle.check(&email("alice@example.com"), ip("203.0.113.1"), at(2000)),
        Ok(())
    );
}

#[test]
fn success_clears_the_account_but_not_the_address() {
    let throttle = InMemoryLoginThrottle::default();
    // 20 failures from one address, spread so that the account victim@ gets 5 of them.
    fail(&throttle, "victim@example.com", "203.0.113.1", 5, 0);
    for index in 0..15 {
        throttle.record_failure(
            &email(&format!("user{index}@example.com")),
            ip("203.0.113.1"),
            at(10),
        );
    }
    throttle.record_success(&email("victim@example.com"));
    assert_eq!(
        throttle.check(&email("victim@example.com"), ip("198.51.100.9"), at(20)),
        Ok(()),
        "the account is cleared"
    );
    assert!(
        throttle
            .check(&email("victim@example.com"), ip("203.0.113.1"), at(20))
            .is_err(),
        "the address stays throttled"
    );
}

#[test]
fn the_client_limit_throttles_an_address_spraying_many_accounts() {
    let throttle = InMemoryLoginThrottle::default();
    for index in 0..20 {
        throttle.record_failure(
            &email(&format!("user{index}@example.com")),
            ip("203.0.113.1"),
            at(index),
        );
    }
    assert_eq!(
        throttle.check(&email("fresh@example.com"), ip("203.0.113.1"), at(30)),
        Err(Throttled {
            retry_after: Duration::from_secs(870)
        })
    );
    assert_eq!(
        throttle.check(&email("fresh@example.com"), ip("203.0.113.2"), at(30)),
        Ok(())
    );
}

#[test]
fn ipv6_addresses_in_one_slash_64_share_a_limit() {
    let throttle = InMemoryLoginThrottle::default();
    for index in 0..20 {
        let client = ip(&format!("2001:db8:0:1::{:x}", index + 1));
        throttle.record_failure(&email(&format!("user{index}@example.com")), client, at(0));
    }
    assert!(
        throttle
            .check(&email("fresh@example.com"), ip("2001:db8:0:1::ffff"), at(1))
            .is_err()
    );
    assert_eq!(
        throttle.check(&email("fresh@example.com"), ip("2001:db8:0:2::1"), at(1)),
        Ok(())
    );
}

#[test]
fn another_account_is_unaffected() {
    let throttle = InMemoryLoginThrottle::default();
    fail(&throttle, "alice@example.com", "203.0.113.1", 5, 0);
    assert_eq!(
        throttle.check(&email("bob@example.com"), ip("198.51.100.9"), at(10)),
        Ok(())
    );
}

#[test]
fn the_longer_wait_wins_when_both_limits_are_reached() {
    let config = ThrottleConfig {
        max_failures_per_client: 5,
        ..ThrottleConfig::default()
    };
    let throttle = InMemoryLoginThrottle::new(config);
    fail(&throttle, "alice@example.com", "203.0.113.1", 5, 100);
    fail(&throttle, "bob@example.com", "198.51.100.9", 5, 0);
    // Account alice: oldest at 100 -> 800 s; address .9: oldest at 0 -> 700 s.
    assert_eq!(
        throttle.check(&email("alice@example.com"), ip("198.51.100.9"), at(200)),
        Err(Throttled {
            retry_after: Duration::from_secs(800)
        })
    );
}

#[test]
fn limits_and_window_are_configurable() {
    let config = ThrottleConfig {
        max_failures_per_account: 2,
        window: Duration::from_secs(60),
        ..ThrottleConfig::default()
    };
    let throttle = InMemoryLoginThrottle::new(config);
    fail(&throttle, "alice@example.com", "203.0.113.1", 2, 0);
    assert_eq!(
        throttle.check(&email("alice@example.com"), ip("203.0.113.1"), at(30)),
        Err(Throttled {
            retry_after: Duration::from_secs(30)
        })
    );
    assert_eq!(
        throttle.check(&email("alice@example.com"), ip("203.0.113.1"), at(61)),
        Ok(())
    );
}

#[test]
fn memory_stays_bounded_under_many_distinct_accounts_and_addresses() {
    let config = ThrottleConfig {
        max_tracked_accounts: 1000,
        max_tracked_clients: 500,
        ..ThrottleConfig::default()
    };
    let throttle = InMemoryLoginThrottle::new(config);
    for index in 0u32..20_000 {
        let client = IpAddr::from(index.to_be_bytes());
        throttle.record_failure(&email(&format!("user{index}@example.com")), client, at(1));
    }
    assert_eq!(throttle.tracked(), (1000, 500));
    // The most recent attackers are still counted.
    let recent = email("user19999@example.com");
    fail(&throttle, "user19999@example.com", "203.0.113.1", 4, 2);
    assert!(throttle.check(&recent, ip("203.0.113.77"), at(10)).is_err());
}

#[test]
fn expired_entries_are_released() {
    let throttle = InMemoryLoginThrottle::default();
    for index in 0..100 {
        throttle.record_failure(
            &email(&format!("user{index}@example.com")),
            ip("203.0.113.1"),
            at(0),
        );
    }
    assert_eq!(throttle.tracked(), (100, 1));
    throttle.record_failure(&email("late@example.com"), ip("198.51.100.9"), at(3600));
    assert_eq!(throttle.tracked(), (1, 1));
}
