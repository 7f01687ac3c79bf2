//! The read replica's metrics, set at scrape time from what the storage reports
//! (`DatabaseHealth::replica`): where history pages were read, the replica's state and lag.
//! Without a replica the families have no series.

use std::sync::atomic::AtomicU64;

use calls_core::ports::{HistoryReadSource, ReplicaCondition, ReplicaReport};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::{Registry, Unit};

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct ReadLabels {
    database: &'static str,
    reason: &'static str,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct StateLabels {
    state: &'static str,
}

/// A series without labels that may be absent (prometheus-client's unlabelled metrics always
/// have their one series).
type NoLabels = [(&'static str, &'static str); 0];

const CONDITIONS: [ReplicaCondition; 3] = [
    ReplicaCondition::Up,
    ReplicaCondition::Lagging,
    ReplicaCondition::Down,
];

#[derive(Clone)]
pub(super) struct ReplicaMetrics {
    reads: Family<ReadLabels, Counter>,
    state: Family<StateLabels, Gauge>,
    lag: Family<NoLabels, Gauge<f64, AtomicU64>>,
}

impl ReplicaMetrics {
    pub(super) fn register(registry: &mut Registry) -> Self {
        let reads = Family::<ReadLabels, Counter>::default();
        registry.register(
            "history_reads",
            "History pages read, by database (replica or primary) and why there",
            reads.clone(),
        );
        let state = Family::<StateLabels, Gauge>::default();
        registry.register(
            "db_replica_state",
            "1 for the read replica's current state (up, lagging, down), 0 for the others",
            state.clone(),
        );
        let lag = Family::<NoLabels, Gauge<f64, AtomicU64>>::default();
        registry.register_with_unit(
            "db_replica_lag",
            "The read replica's last measured replication lag; absent while unknown (down)",
            Unit::Seconds,
            lag.clone(),
        );
        Self { reads, state, lag }
    }

    /// Copies `report` into the series: the storage's totals into the counters (which only
    /// move forward), the state and the lag into the gauges.
    pub(super) fn set(&self, report: &ReplicaReport) {
        for source in HistoryReadSource::ALL {
            let counter = self.reads.get_or_create(&ReadLabels {
                database: source.database(),
                reason: source.reason(),
            });
            let total = report.reads_from(source);
            let counted = counter.get();
            if total > counted {
                counter.inc_by(total - counted);
            }
        }
        for condition in CONDITIONS {
            self.state
                .get_or_create(&StateLabels {
                    state: condition.as_str(),
                })
                .set(i64::from(condition == report.condition));
        }
        match report.lag {
            Some(lag) => {
                self.lag.get_or_create(&[]).set(lag.as_secs_f64());
            }
            None => {
                self.lag.remove(&[]);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use calls_core::ports::{HistoryReadSource, ReplicaCondition, ReplicaReport};
    use prometheus_client::registry::Registry;

    use super::ReplicaMetrics;

    fn encode(registry: &Registry) -> String {
        let mut text = String::new();
        prometheus_client::encoding::text::encode(&mut text, registry).expect("encodes");
        text
    }

    #[test]
    fn reads_state_and_lag_follow_the_report() {
        let mut registry = Registry::default();
        let metrics = ReplicaMetrics::register(&mut registry);
        let mut reads = [0; 5];
        reads[HistoryReadSource::Replica.index()] = 7;
        reads[HistoryReadSource::PrimaryReplicaBehindUser.index()] = 2;
        let mut report = ReplicaReport {
            condition: ReplicaCondition::Up,
            lag: Some(Duration::from_millis(250)),
            max_lag: Duration::from_secs(1),
            reads,
        };
        metrics.set(&report);
        metrics.set(&report);
        let text = encode(&registry);
        for line in [
            r#"history_reads_total{database="replica",reason="fresh"} 7"#,
            r#"history_reads_total{database="primary",reason="replica_behind_user"} 2"#,
            r#"history_reads_total{database="primary",reason="replica_down"} 0"#,
            r#"db_replica_state{state="up"} 1"#,
            r#"db_replica_state{state="down"} 0"#,
            // An empty label set: allowed by OpenMetrics, and how an optional series looks.
            "db_replica_lag_seconds{} 0.25",
        ] {
            assert!(
                text.lines().any(|l| l == line),
                "missing {line:?} in\n{text}"
            );
        }
        report.condition = ReplicaCondition::Down;
        report.lag = None;
        report.reads[HistoryReadSource::PrimaryReplicaDown.index()] = 3;
        metrics.set(&report);
        let text = encode(&registry);
        for line in [
            r#"history_reads_total{database="replica",reason="fresh"} 7"#,
            r#"history_reads_total{database="primary",reason="replica_down"} 3"#,
            r#"db_replica_state{state="up"} 0"#,
            r#"db_replica_state{state="down"} 1"#,
        ] {
            assert!(
                text.lines().any(|l| l == line),
                "missing {line:?} in\n{text}"
            );
        }
        assert!(!text.contains("db_replica_lag_seconds{"), "{text}");
    }
}
