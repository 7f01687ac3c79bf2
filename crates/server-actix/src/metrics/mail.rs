//! The mailer's metrics, set at scrape time from its report (`Mailer::report`): messages by
//! outcome, and how many are waiting. Without a mail server the families have no series.

use calls_core::ports::MailReport;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct OutcomeLabels {
    outcome: &'static str,
}

type NoLabels = [(&'static str, &'static str); 0];

#[derive(Clone)]
pub(super) struct MailMetrics {
    messages: Family<OutcomeLabels, Counter>,
    pending: Family<NoLabels, Gauge>,
}

impl MailMetrics {
    pub(super) fn register(registry: &mut Registry) -> Self {
        let messages = Family::<OutcomeLabels, Counter>::default();
        registry.register(
            "mail_messages",
            "E-mails handed to the mailer, by outcome: sent (accepted by the SMTP server), failed (given up after the retries), dropped (the queue was full)",
            messages.clone(),
        );
        let pending = Family::<NoLabels, Gauge>::default();
        registry.register(
            "mail_queue_pending",
            "E-mails waiting in the mailer's queue or being sent",
            pending.clone(),
        );
        Self { messages, pending }
    }

    /// Copies `report` into the series (the counters only move forward).
    pub(super) fn set(&self, report: &MailReport) {
        for (outcome, total) in [
            ("sent", report.sent),
            ("failed", report.failed),
            ("dropped", report.dropped),
        ] {
            let counter = self.messages.get_or_create(&OutcomeLabels { outcome });
            let counted = counter.get();
            if total > counted {
                counter.inc_by(total - counted);
            }
        }
        self.pending
            .get_or_create(&[])
            .set(i64::try_from(report.pending).unwrap_or(i64::MAX));
    }
}

#[cfg(test)]
mod tests {
    use calls_core::ports::MailReport;
    use prometheus_client::registry::Registry;

    use super::MailMetrics;

    #[test]
    fn outcomes_and_the_queue_follow_the_report() {
        let mut registry = Registry::default();
        let metrics = MailMetrics::register(&mut registry);
        let mut text = String::new();
        prometheus_client::encoding::text::encode(&mut text, &registry).expect("encodes");
        assert!(
            !text.contains("mail_messages_total{"),
            "no series before a report:\n{text}"
        );
        let report = MailReport {
            sent: 3,
            failed: 1,
            dropped: 2,
            pending: 4,
        };
        metrics.set(&report);
        metrics.set(&report);
        let mut text = String::new();
        prometheus_client::encoding::text::encode(&mut text, &registry).expect("encodes");
        for line in [
            r#"mail_messages_total{outcome="sent"} 3"#,
            r#"mail_messages_total{outcome="failed"} 1"#,
            r#"mail_messages_total{outcome="dropped"} 2"#,
            "mail_queue_pending{} 4",
        ] {
            assert!(
                text.lines().any(|l| l == line),
                "missing {line:?} in\n{text}"
            );
        }
    }
}
