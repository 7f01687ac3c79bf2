//! A voice provider that places no real calls and needs no network.
//!
//! It behaves like a provider that answers at once: every call gets a fresh session id and an SDP
//! offer. Tests can make it fail or slow down and count what it was asked to do.

mod sdp;
mod session_id;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use calls_core::domain::UserId;
use calls_core::ports::{
    BrowserToken, CallProgress, Clock, HangUpError, OutboundCall, ProviderSession, StartCallError,
    SystemClock, VoiceProvider,
};
use chrono::{DateTime, Utc};

pub use session_id::{
    RandomSessionIds, SequentialSessionIds, SessionIdSource, is_mock_session_id,
    session_id_from_seed,
};

/// The network-free provider. Cheap to share behind an `Arc`; the knobs use atomics so a test
/// can flip them while the server holds the provider.
pub struct MockVoiceProvider {
    clock: Arc<dyn Clock>,
    ids: Arc<dyn SessionIdSource>,
    fail_start: AtomicBool,
    start_delay_ms: AtomicU64,
    calls_started: AtomicUsize,
    hang_ups: AtomicUsize,
}

impl MockVoiceProvider {
    /// System clock and random session ids: what the server uses with `VOIP_PROVIDER=mock`.
    pub fn new() -> Self {
        Self::with_parts(Arc::new(SystemClock), Arc::new(RandomSessionIds))
    }

    /// Injects the clock (used for the SDP origin line) and the source of session ids.
    pub fn with_parts(clock: Arc<dyn Clock>, ids: Arc<dyn SessionIdSource>) -> Self {
        Self {
            clock,
            ids,
            fail_start: AtomicBool::new(false),
            start_delay_ms: AtomicU64::new(0),
            calls_started: AtomicUsize::new(0),
            hang_ups: AtomicUsize::new(0),
        }
    }

    /// Makes `start_call` fail with [`StartCallError::Unavailable`] (or succeed again), to test
    /// what the application does when the provider is down.
    pub fn set_start_failure(&self, fail: bool) {
        self.fail_start.store(fail, Ordering::SeqCst);
    }

    /// Makes `start_call` wait this long before answering, to test timeouts and concurrency.
    pub fn set_start_delay(&self, delay: Duration) {
        let millis = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX);
        self.start_delay_ms.store(millis, Ordering::SeqCst);
    }

    /// How many calls `start_call` placed successfully.
    pub fn calls_started(&self) -> usize {
        self.calls_started.load(Ordering::SeqCst)
    }

    /// How many hang-ups of known sessions succeeded.
    pub fn hang_ups(&self) -> usize {
        self.hang_ups.load(Ordering::SeqCst)
    }
}

impl Default for MockVoiceProvider {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Debug for MockVoiceProvider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MockVoiceProvider")
            .field("fail_start", &self.fail_start.load(Ordering::SeqCst))
            .field(
                "start_delay_ms",
                &self.start_delay_ms.load(Ordering::SeqCst),
            )
            .field("calls_started", &self.calls_started())
            .field("hang_ups", &self.hang_ups())
            .finish_non_exhaustive()
    }
}

#[async_trait]
impl VoiceProvider for MockVoiceProvider {
    async fn start_call(&self, call: OutboundCall) -> Result<ProviderSession, StartCallError> {
        let delay = self.start_delay_ms.load(Ordering::SeqCst);
        if delay > 0 {
            tokio::time::sleep(Duration::from_millis(delay)).await;
        }
        if self.fail_start.load(Ordering::SeqCst) {
            tracing::debug!(call_id = %call.call_id, "mock voice provider set to fail");
            return Err(StartCallError::Unavailable(
                "the mock voice provider is set to fail".to_owned(),
            ));
        }
        let session_id = session_id_from_seed(self.ids.next_seed());
        let sdp_offer = sdp::audio_offer(self.clock.now());
        self.calls_started.fetch_add(1, Ordering::SeqCst);
        tracing::debug!(
            call_id = %call.call_id,
            to = %call.to.masked(),
            session_id = %session_id,
            "mock call started"
        );
        Ok(ProviderSession {
            session_id: Some(session_id),
            sdp_offer: Some(sdp_offer),
            voice_token: None,
        })
    }

    async fn hang_up(&self, session_id: &str) -> Result<(), HangUpError> {
        if !is_mock_session_id(session_id) {
            return Err(HangUpError::UnknownSession);
        }
        self.hang_ups.fetch_add(1, Ordering::SeqCst);
        tracing::debug!(session_id, "mock call hung up");
        Ok(())
    }

    /// The mock's calls do not ring anywhere: cancelling is a hang-up, counted as one.
    async fn cancel(&self, session_id: &str, _progress: CallProgress) -> Result<(), HangUpError> {
        self.hang_up(session_id).await
    }

    /// The mock has no browser SDK: the client uses the SDP offer instead.
    fn browser_token(&self, _user_id: UserId, _now: DateTime<Utc>) -> Option<BrowserToken> {
        None
    }
}
