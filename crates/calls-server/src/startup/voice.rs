//! Picks the voice provider named by `VOIP_PROVIDER` and builds the voice use cases around it.

use std::sync::Arc;
use std::time::Duration;

use calls_adapters_voip::twilio::{SIGNATURE_HEADER, TwilioConfig};
use calls_adapters_voip::{MockVoiceProvider, TwilioVoiceProvider};
use calls_core::domain::DestinationPolicy;
use calls_core::ports::{Clock, VoiceProvider};
use calls_core::services::{CallLimits, ReaperPolicy, VoiceDeps, VoiceService, WebhookService};
use secrecy::{ExposeSecret, SecretString};

use super::StartupError;
use super::storage::Storage;
use crate::settings::{ReaperSettings, SettingsError, VoipProviderKind, VoipSettings};

pub struct Voice {
    pub service: VoiceService,
    /// The provider's webhooks; only Twilio has any.
    pub webhooks: WebhookService,
    /// What may be called, for the destination list (`GET /api/countries`).
    pub destinations: DestinationPolicy,
}

pub fn wire_voice(
    settings: &VoipSettings,
    storage: &Storage,
    clock: Arc<dyn Clock>,
) -> Result<Voice, StartupError> {
    let destinations = DestinationPolicy::new(
        &settings.allowed_countries,
        &settings.blocked_prefixes,
    )
    .map_err(|err| {
        let setting = match err {
            calls_core::domain::DestinationPolicyError::BadCountry(_) => "VOIP_ALLOWED_COUNTRIES",
            calls_core::domain::DestinationPolicyError::BadPrefix(_) => "VOIP_BLOCKED_PREFIXES",
        };
        SettingsError::invalid(setting, err.to_string())
    })?;
    if settings.max_active_calls_per_user == 0 {
        return Err(SettingsError::invalid(
            "VOIP_MAX_ACTIVE_CALLS_PER_USER",
            "must be at least 1 (0 would forbid every call)",
        )
        .into());
    }
    let limits = CallLimits {
        max_in_progress: u64::from(settings.max_active_calls_per_user),
        max_per_day: (settings.max_calls_per_day > 0)
            .then_some(u64::from(settings.max_calls_per_day)),
    };
    let (provider, webhooks): (Arc<dyn VoiceProvider>, _) = match settings.provider {
        // The webhook routes' contract is Twilio's whichever provider is configured: a request
        // signed in Twilio's header learns that webhooks are not configured.
        VoipProviderKind::Mock => (
            Arc::new(MockVoiceProvider::new()),
            WebhookService::without_provider(SIGNATURE_HEADER),
        ),
        VoipProviderKind::Twilio => {
            let provider = TwilioVoiceProvider::new(&twilio_config(settings), clock.clone())
                .map_err(|err| StartupError::Voice(err.to_string()))?;
            tracing::info!(mode = ?provider.mode(), "voice provider: Twilio");
            let webhooks = WebhookService::new(Arc::new(provider.webhooks()));
            (Arc::new(provider), webhooks)
        }
    };
    tracing::info!(destinations = %destinations, ?limits, "voice call policy");
    let service = VoiceService::new(VoiceDeps {
        calls: storage.calls.clone(),
        usage: storage.usage.clone(),
        sweeps: storage.sweeps.clone(),
        provider,
        clock,
        destinations: destinations.clone(),
        limits,
        provider_timeout: Duration::from_secs(settings.start_timeout_secs.max(1)),
        link_window: Duration::from_secs(settings.link_window_secs),
    });
    Ok(Voice {
        service,
        webhooks,
        destinations,
    })
}

pub fn reaper_policy(settings: &ReaperSettings) -> ReaperPolicy {
    ReaperPolicy {
        connecting: Duration::from_secs(settings.connecting_timeout_secs),
        active: Duration::from_secs(settings.active_timeout_secs),
        initiated: Duration::from_secs(settings.initiated_timeout_secs),
    }
}

/// Empty settings count as unset, so the adapter can name every missing one.
fn twilio_config(settings: &VoipSettings) -> TwilioConfig {
    let text = |value: &str| (!value.trim().is_empty()).then(|| value.trim().to_owned());
    let secret =
        |value: &SecretString| (!value.expose_secret().trim().is_empty()).then(|| value.clone());
    TwilioConfig {
        account_sid: text(&settings.account_sid),
        auth_token: secret(&settings.auth_token),
        api_key_sid: text(&settings.api_key_sid),
        api_key_secret: secret(&settings.api_key_secret),
        twiml_app_sid: text(&settings.twiml_app_sid),
        from_number: text(&settings.from_number),
        public_base_url: text(&settings.public_base_url),
        api_base_url: settings.api_base_url.trim().to_owned(),
        request_timeout: Duration::from_secs(settings.request_timeout_secs.max(1)),
        token_ttl: Duration::from_secs(settings.token_ttl_secs),
        ring_timeout: Duration::from_secs(settings.ring_timeout_secs),
        ..TwilioConfig::default()
    }
}
