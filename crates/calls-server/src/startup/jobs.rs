//! Background jobs. Each is a single idempotent statement (or one per status), so every
//! instance can run them at once without double effects.

use std::future::Future;
use std::time::Duration;

use calls_core::services::{AuthService, PasswordResetService, VoiceService};
use tokio::task::JoinHandle;

use super::voice::reaper_policy;
use crate::settings::Settings;

pub struct BackgroundJobs {
    handles: Vec<JoinHandle<()>>,
}

impl BackgroundJobs {
    pub fn start(
        settings: &Settings,
        auth: AuthService,
        voice: VoiceService,
        resets: Option<PasswordResetService>,
    ) -> Self {
        let purge_every = Duration::from_secs(settings.auth.revocation_purge_interval_secs.max(1));
        let throttle_auth = auth.clone();
        let purge = every(purge_every, move || {
            let auth = auth.clone();
            async move {
                match auth.purge_expired_revocations().await {
                    Ok(0) => {}
                    Ok(purged) => tracing::info!(purged, "purged expired token revocations"),
                    Err(err) => tracing::warn!(error = %err, "purging token revocations failed"),
                }
            }
        });
        // Login failures live one window at most: purging once per window keeps the table
        // within about two windows of failures (attempts also purge a few rows as they go).
        let throttle_every = Duration::from_secs(settings.auth.throttle.window_secs.max(1));
        let throttle_purge = every(throttle_every, move || {
            let auth = throttle_auth.clone();
            async move {
                match auth.purge_expired_login_failures().await {
                    Ok(0) => {}
                    Ok(purged) => tracing::debug!(purged, "purged expired login failures"),
                    Err(err) => {
                        tracing::warn!(error = %err.chain(), "purging login failures failed")
                    }
                }
            }
        });
        let policy = reaper_policy(&settings.voip.reaper);
        let reap_every = Duration::from_secs(settings.voip.reaper.interval_secs.max(1));
        let reaper = every(reap_every, move || {
            let voice = voice.clone();
            let policy = policy.clone();
            async move {
                // The service logs what it failed; only trouble is reported here.
                if let Err(err) = voice.reap_stale_calls(&policy).await {
                    tracing::warn!(error = %err, "sweeping stale calls failed");
                }
            }
        });
        let mut handles = vec![purge, throttle_purge, reaper];
        if let Some(resets) = resets {
            // Links live 30 minutes by default: purging every quarter of their life keeps the
            // table near the links live now.
            let every_secs = (settings.auth.password_reset.link_lifetime_secs / 4).max(60);
            handles.push(every(Duration::from_secs(every_secs), move || {
                let resets = resets.clone();
                async move {
                    match resets.purge_expired().await {
                        Ok(0) => {}
                        Ok(purged) => tracing::debug!(purged, "purged expired password-reset links"),
                        Err(err) => {
                            tracing::warn!(error = %err.chain(), "purging password-reset links failed")
                        }
                    }
                }
            }));
        }
        Self { handles }
    }

    pub fn stop(self) {
        for handle in self.handles {
            handle.abort();
        }
    }
}

/// Runs `job` now and then every `period`; a slow run delays the next one instead of piling
/// up behind it.
fn every<F, Fut>(period: Duration, job: F) -> JoinHandle<()>
where
    F: Fn() -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send,
{
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(period);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticker.tick().await;
            job().await;
        }
    })
}
