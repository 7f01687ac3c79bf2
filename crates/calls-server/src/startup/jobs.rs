//! Background jobs. Each is a single idempotent statement, so every instance can run them at
//! once without double effects.

use std::time::Duration;

use calls_core::services::AuthService;
use tokio::task::JoinHandle;

use crate::settings::Settings;

pub struct BackgroundJobs {
    handles: Vec<JoinHandle<()>>,
}

impl BackgroundJobs {
    pub fn start(settings: &Settings, auth: AuthService) -> Self {
        let interval = Duration::from_secs(settings.auth.revocation_purge_interval_secs.max(1));
        let purge = tokio::spawn(async move {
            let mut ticker = tokio::time::interval(interval);
            loop {
                ticker.tick().await;
                match auth.purge_expired_revocations().await {
                    Ok(0) => {}
                    Ok(purged) => tracing::info!(purged, "purged expired token revocations"),
                    Err(err) => tracing::warn!(error = %err, "purging token revocations failed"),
                }
            }
        });
        Self {
            handles: vec![purge],
        }
    }

    pub fn stop(self) {
        for handle in self.handles {
            handle.abort();
        }
    }
}
