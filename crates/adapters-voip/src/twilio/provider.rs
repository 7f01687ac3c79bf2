//! [`TwilioVoiceProvider`]: the `VoiceProvider` port over Twilio.

use std::sync::Arc;

use async_trait::async_trait;
use calls_core::domain::UserId;
use calls_core::ports::{
    BrowserToken, CallProgress, Clock, HangUpError, OutboundCall, ProviderSession, StartCallError,
    VoiceProvider,
};
use chrono::{DateTime, Utc};

use super::access_token::AccessTokenIssuer;
use super::calls::{self, Ending, NewCall};
use super::client::TwilioClient;
use super::config::{Settings, TwilioConfig, TwilioConfigError, TwilioMode};
use super::identity::identity_for_user;
use super::webhooks::TwilioWebhooks;

/// Places and ends calls through Twilio; in Voice SDK mode also issues the browser's tokens.
pub struct TwilioVoiceProvider {
    settings: Settings,
    client: TwilioClient,
    tokens: Option<AccessTokenIssuer>,
    webhooks: TwilioWebhooks,
    clock: Arc<dyn Clock>,
}

impl TwilioVoiceProvider {
    /// Validates `config` (see [`TwilioConfig::validate`]) and sets up the HTTP client.
    /// `clock` dates the access tokens that `start_call` hands out.
    pub fn new(config: &TwilioConfig, clock: Arc<dyn Clock>) -> Result<Self, TwilioConfigError> {
        let settings = config.settings()?;
        let client = TwilioClient::new(&settings)?;
        let tokens = settings.sdk.as_ref().map(|sdk| {
            AccessTokenIssuer::new(
                &settings.account_sid,
                &sdk.api_key.sid,
                &sdk.api_key.secret,
                &sdk.twiml_app_sid,
                settings.token_ttl,
            )
        });
        let webhooks = TwilioWebhooks::from_settings(&settings);
        Ok(Self {
            settings,
            client,
            tokens,
            webhooks,
            clock,
        })
    }

    pub fn mode(&self) -> TwilioMode {
        self.settings.mode()
    }

    /// Twilio's webhooks (the `ProviderWebhooks` port), bound to this provider's settings.
    pub fn webhooks(&self) -> TwilioWebhooks {
        self.webhooks.clone()
    }

    fn issue_token(
        &self,
        user_id: UserId,
        now: DateTime<Utc>,
    ) -> Option<Result<BrowserToken, String>> {
        let issuer = self.tokens.as_ref()?;
        let identity = identity_for_user(user_id);
        Some(
            issuer
                .issue(&identity, now)
                .map(|token| BrowserToken {
                    token: token.jwt,
                    identity,
                    expires_at: token.expires_at,
                })
                .map_err(|error| {
                    tracing::error!(%error, "could not sign a Twilio access token");
                    "could not sign a Twilio access token".to_owned()
                }),
        )
    }
}

impl std::fmt::Debug for TwilioVoiceProvider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TwilioVoiceProvider")
            .field("mode", &self.mode())
            .field("api_base_url", &self.settings.api_base_url)
            .finish_non_exhaustive()
    }
}

#[async_trait]
impl VoiceProvider for TwilioVoiceProvider {
    /// Voice SDK mode: places nothing (the browser dials with the returned token and Twilio asks
    /// our TwiML webhook), so there is no session id yet. REST mode: creates the call at Twilio
    /// and returns its SID.
    async fn start_call(&self, call: OutboundCall) -> Result<ProviderSession, StartCallError> {
        if let Some(token) = self.issue_token(call.user_id, self.clock.now()) {
            let token = token.map_err(StartCallError::Unavailable)?;
            tracing::debug!(
                call_id = %call.call_id,
                to = %call.to.masked(),
                "Twilio Voice SDK token issued for a call"
            );
            return Ok(ProviderSession {
                session_id: None,
                sdp_offer: None,
                voice_token: Some(token.token),
            });
        }
        // Both carry our call id: should Twilio's answer never reach us, its requests about the
        // call still find it.
        let twiml_url = self.webhooks.twiml_url(call.call_id);
        let status_callback_url = self.webhooks.status_callback_url(call.call_id);
        let call_sid = calls::create(
            &self.client,
            NewCall {
                to: call.to.as_e164(),
                from: &self.settings.from_number,
                twiml_url: &twiml_url,
                status_callback_url: &status_callback_url,
                ring_timeout_secs: self.settings.ring_timeout.as_secs(),
            },
        )
        .await?;
        tracing::info!(
            call_id = %call.call_id,
            to = %call.to.masked(),
            %call_sid,
            "Twilio call placed"
        );
        Ok(ProviderSession {
            session_id: Some(call_sid),
            sdp_offer: None,
            voice_token: None,
        })
    }

    async fn hang_up(&self, session_id: &str) -> Result<(), HangUpError> {
        calls::end(&self.client, session_id, Ending::Completed).await?;
        tracing::info!(call_sid = session_id, "Twilio call ended");
        Ok(())
    }

    /// `Status=canceled` while it rings, `Status=completed` once answered.
    async fn cancel(&self, session_id: &str, progress: CallProgress) -> Result<(), HangUpError> {
        let ending = Ending::for_progress(progress);
        calls::end(&self.client, session_id, ending).await?;
        tracing::info!(
            call_sid = session_id,
            ?ending,
            "Twilio call we gave up on ended"
        );
        Ok(())
    }

    /// `None` unless the Voice SDK settings are configured.
    fn browser_token(&self, user_id: UserId, now: DateTime<Utc>) -> Option<BrowserToken> {
        self.issue_token(user_id, now)?.ok()
    }
}
