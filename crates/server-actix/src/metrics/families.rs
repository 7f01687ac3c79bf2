//! The metric families and the registry that exposes them. One [`Metrics`] per application,
//! created by the binary and shared by the API's middleware (which counts) and the metrics
//! listener (which reads); there is no global registry.

use std::sync::Arc;
use std::time::Duration;

use calls_core::domain::CallStatus;
use calls_core::ports::{CallStatusCounts, PoolState};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::{Registry, Unit};

use super::classify::{ProviderErrorKind, RATE_LIMIT_CODES};
use super::mail::MailMetrics;
use super::replica::ReplicaMetrics;

/// Upper bounds of the latency buckets, in seconds (the Prometheus clients' defaults): from
/// 5 ms (a cached read) to 10 s (a provider call near its timeout).
pub const LATENCY_BUCKETS: [f64; 11] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// The route label of a request that matched no route.
pub const UNMATCHED_ROUTE: &str = "unmatched";

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct RequestLabels {
    method: &'static str,
    route: String,
    status: u16,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct RouteLabels {
    method: &'static str,
    route: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct CallStatusLabels {
    status: &'static str,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct ProviderErrorLabels {
    kind: &'static str,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct RateLimitLabels {
    code: &'static str,
}

type LatencyFamily = Family<RouteLabels, Histogram, fn() -> Histogram>;

fn latency_histogram() -> Histogram {
    Histogram::new(LATENCY_BUCKETS)
}

/// Every metric of the application. Cheap to clone: clones share the families.
#[derive(Clone)]
pub struct Metrics {
    inner: Arc<Families>,
}

struct Families {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: LatencyFamily,
    pool_in_use: Gauge,
    pool_idle: Gauge,
    pool_max: Gauge,
    calls: Family<CallStatusLabels, Gauge>,
    provider_errors: Family<ProviderErrorLabels, Counter>,
    rate_limited: Family<RateLimitLabels, Counter>,
    replica: ReplicaMetrics,
    mail: MailMetrics,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metrics").finish_non_exhaustive()
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    /// Registers every family. Counters whose labels are known in advance (provider error
    /// kinds, rate-limit codes) start at zero, so that they are scraped before their first
    /// increment and `rate()` sees it.
    pub fn new() -> Self {
        let mut registry = Registry::default();
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register(
            "http_requests",
            "HTTP requests answered, by method, route template and status code",
            requests.clone(),
        );
        let latency: LatencyFamily = Family::new_with_constructor(latency_histogram);
        registry.register_with_unit(
            "http_request_duration",
            "Time from receiving a request to its response head, by method and route template",
            Unit::Seconds,
            latency.clone(),
        );
        let pool_in_use = Gauge::default();
        registry.register(
            "db_pool_connections_in_use",
            "Database connections checked out of the pool, read at scrape time",
            pool_in_use.clone(),
        );
        let pool_idle = Gauge::default();
        registry.register(
            "db_pool_connections_idle",
            "Open database connections idle in the pool, read at scrape time",
            pool_idle.clone(),
        );
        let pool_max = Gauge::default();
        registry.register(
            "db_pool_connections_max",
            "Most database connections the pool opens",
            pool_max.clone(),
        );
        let calls = Family::<CallStatusLabels, Gauge>::default();
        registry.register(
            "calls_by_status",
            "Stored calls of all users by status, counted at scrape time",
            calls.clone(),
        );
        let provider_errors = Family::<ProviderErrorLabels, Counter>::default();
        registry.register(
            "voip_provider_errors",
            "Voice provider failures answered to clients, by kind",
            provider_errors.clone(),
        );
        for kind in ProviderErrorKind::ALL {
            provider_errors.get_or_create_owned(&ProviderErrorLabels {
                kind: kind.as_str(),
            });
        }
        let rate_limited = Family::<RateLimitLabels, Counter>::default();
        registry.register(
            "rate_limit_rejections",
            "Requests refused with 429, by error code",
            rate_limited.clone(),
        );
        for code in RATE_LIMIT_CODES {
            rate_limited.get_or_create_owned(&RateLimitLabels { code });
        }
        let replica = ReplicaMetrics::register(&mut registry);
        let mail = MailMetrics::register(&mut registry);
        Self {
            inner: Arc::new(Families {
                registry,
                requests,
                latency,
                pool_in_use,
                pool_idle,
                pool_max,
                calls,
                provider_errors,
                rate_limited,
                replica,
                mail,
            }),
        }
    }

    /// Counts one answered request and observes its latency.
    pub fn record_request(
        &self,
        method: &'static str,
        route: &str,
        status: u16,
        elapsed: Duration,
    ) {
        let families = &self.inner;
        families
            .requests
            .get_or_create(&RequestLabels {
                method,
                route: route.to_owned(),
                status,
            })
            .inc();
        families
            .latency
            .get_or_create(&RouteLabels {
                method,
                route: route.to_owned(),
            })
            .observe(elapsed.as_secs_f64());
    }

    pub fn record_provider_error(&self, kind: ProviderErrorKind) {
        self.inner
            .provider_errors
            .get_or_create(&ProviderErrorLabels {
                kind: kind.as_str(),
            })
            .inc();
    }

    /// `code` is the 429's error code (`rate_limited`, `daily_limit_exceeded`, ...).
    pub fn record_rate_limit(&self, code: &'static str) {
        self.inner
            .rate_limited
            .get_or_create(&RateLimitLabels { code })
            .inc();
    }

    pub fn set_pool_state(&self, state: PoolState) {
        let families = &self.inner;
        families.pool_in_use.set(i64::from(state.in_use()));
        families.pool_idle.set(i64::from(state.idle_connections));
        families.pool_max.set(i64::from(state.max_connections));
    }

    /// Sets the per-status gauges, or removes them when the count failed (a missing series
    /// is honest; a stale one would not be).
    pub fn set_calls_by_status(&self, counts: Option<&CallStatusCounts>) {
        let calls = &self.inner.calls;
        match counts {
            Some(counts) => {
                for (status, count) in counts.iter() {
                    calls
                        .get_or_create(&CallStatusLabels {
                            status: status.as_str(),
                        })
                        .set(i64::try_from(count).unwrap_or(i64::MAX));
                }
            }
            None => {
                for status in CallStatus::ALL {
                    calls.remove(&CallStatusLabels {
                        status: status.as_str(),
                    });
                }
            }
        }
    }

    /// The read replica's series, from the storage's report (when it reads from a replica).
    pub fn set_replica(&self, report: &calls_core::ports::ReplicaReport) {
        self.inner.replica.set(report);
    }

    /// The mailer's series, from its report (when a mail server is configured).
    pub fn set_mail(&self, report: &calls_core::ports::MailReport) {
        self.inner.mail.set(report);
    }

    /// The OpenMetrics text exposition of every family, ending with `# EOF`.
    pub fn encode(&self) -> Result<String, std::fmt::Error> {
        let mut text = String::new();
        prometheus_client::encoding::text::encode(&mut text, &self.inner.registry)?;
        Ok(text)
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use calls_core::domain::CallStatus;
    use calls_core::ports::{CallStatusCounts, PoolState};

    use super::Metrics;
    use crate::metrics::classify::ProviderErrorKind;

    #[test]
    fn the_exposition_names_every_family_with_its_labels() {
        let metrics = Metrics::new();
        metrics.record_request("PUT", "/api/calls/{id}", 200, Duration::from_millis(30));
        metrics.record_request("PUT", "/api/calls/{id}", 200, Duration::from_millis(3));
        metrics.record_provider_error(ProviderErrorKind::Unavailable);
        metrics.record_rate_limit("rate_limited");
        metrics.set_pool_state(PoolState {
            connections: 5,
            idle_connections: 2,
            max_connections: 25,
        });
        let counts: CallStatusCounts = [(CallStatus::Active, 2)].into_iter().collect();
        metrics.set_calls_by_status(Some(&counts));
        let text = metrics.encode().expect("encodes");
        for line in [
            r#"http_requests_total{method="PUT",route="/api/calls/{id}",status="200"} 2"#,
            r#"http_request_duration_seconds_bucket{le="0.005",method="PUT",route="/api/calls/{id}"} 1"#,
            r#"http_request_duration_seconds_count{method="PUT",route="/api/calls/{id}"} 2"#,
            "db_pool_connections_in_use 3",
            "db_pool_connections_idle 2",
            "db_pool_connections_max 25",
            r#"calls_by_status{status="active"} 2"#,
            r#"calls_by_status{status="canceled"} 0"#,
            r#"voip_provider_errors_total{kind="unavailable"} 1"#,
            r#"voip_provider_errors_total{kind="refused_number"} 0"#,
            r#"rate_limit_rejections_total{code="rate_limited"} 1"#,
            r#"rate_limit_rejections_total{code="daily_limit_exceeded"} 0"#,
        ] {
            assert!(
                text.lines().any(|l| l == line),
                "missing {line:?} in\n{text}"
            );
        }
        assert!(text.ends_with("# EOF\n"));
    }

    #[test]
    fn a_failed_count_removes_the_call_gauges() {
        let metrics = Metrics::new();
        let counts: CallStatusCounts = [(CallStatus::Failed, 1)].into_iter().collect();
        metrics.set_calls_by_status(Some(&counts));
        metrics.set_calls_by_status(None);
        let text = metrics.encode().expect("encodes");
        assert!(!text.contains("calls_by_status{"), "{text}");
    }
}
