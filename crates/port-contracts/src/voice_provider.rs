//! Contract suite for the `voice_provider` port.
//!
//! Every adapter must:
//! * start a call and then hang it up without error;
//! * answer a hang-up of a session id it never issued with `HangUpError::UnknownSession`,
//!   however that id looks (garbage, another provider's format, an all-zero id in its own
//!   format, path tricks);
//! * give two calls different session ids, when it returns session ids at all (a provider
//!   whose browser places the call returns none until the provider's webhook reports one);
//! * cancel a started call, answered or not, without error, and answer a cancel of a session
//!   id it never issued with `HangUpError::UnknownSession`.
//!
//! The suites take a [`Subject`]: the provider plus whatever must stay alive while it is used
//! (typically a local fake of the provider's API). [`run_all`] runs every rule in one test;
//! `voice_provider_contract_tests!` generates one test per rule and needs `tokio` (with the
//! `macros` and `rt` features) among the caller's dev-dependencies.

use std::any::Any;
use std::future::Future;

use calls_core::domain::{CallId, PhoneNumber, UserId};
use calls_core::ports::{CallProgress, HangUpError, OutboundCall, VoiceProvider};

/// Session ids no provider ever issues. Each would be a plausible mistake or attack: empty,
/// free text, all-zero ids in Twilio's and the mock's formats, and attempts to escape a URL
/// path segment.
pub const NEVER_ISSUED_SESSION_IDS: [&str; 7] = [
    "",
    "never-issued",
    "CA00000000000000000000000000000000",
    "MK00000000000000000000000000000000",
    "../Calls.json",
    "CA00000000000000000000000000000000/../../Accounts",
    "00000000-0000-0000-0000-000000000000",
];

/// A provider under test and what it depends on.
pub struct Subject {
    provider: Box<dyn VoiceProvider>,
    /// Dropped after the provider (field order), e.g. a fake HTTP server.
    _keep_alive: Option<Box<dyn Any + Send + Sync>>,
}

impl Subject {
    pub fn new(provider: impl VoiceProvider + 'static) -> Self {
        Self {
            provider: Box::new(provider),
            _keep_alive: None,
        }
    }

    /// Keeps `value` alive as long as the subject, for providers that talk to a local fake.
    pub fn keeping_alive(mut self, value: impl Any + Send + Sync) -> Self {
        self._keep_alive = Some(Box::new(value));
        self
    }

    pub fn provider(&self) -> &dyn VoiceProvider {
        self.provider.as_ref()
    }
}

/// A call to a valid (German landline) number, for a fresh call id and user.
pub fn outbound_call() -> OutboundCall {
    let to = PhoneNumber::parse("+4930901820").unwrap_or_else(|error| {
        panic!("voice_provider contract: the test number must be valid: {error}")
    });
    OutboundCall {
        call_id: CallId::new(),
        user_id: UserId::new(),
        to,
    }
}

/// Rule: a started call can be hung up.
pub async fn start_then_hang_up_succeeds(provider: &dyn VoiceProvider) {
    let session = provider
        .start_call(outbound_call())
        .await
        .unwrap_or_else(|error| {
            panic!("voice_provider contract: start_call must succeed: {error}")
        });
    let Some(session_id) = session.session_id else {
        assert!(
            session.voice_token.is_some(),
            "voice_provider contract: a provider that returns no session id must let the \
             browser place the call (voice_token)"
        );
        return;
    };
    assert!(
        !session_id.is_empty(),
        "voice_provider contract: a session id must not be empty"
    );
    provider.hang_up(&session_id).await.unwrap_or_else(|error| {
        panic!("voice_provider contract: hanging up a started call must succeed: {error}")
    });
}

/// Rule: a hang-up of a session the provider never issued is `UnknownSession`.
pub async fn hang_up_of_never_issued_session_is_unknown(provider: &dyn VoiceProvider) {
    for session_id in NEVER_ISSUED_SESSION_IDS {
        assert_eq!(
            provider.hang_up(session_id).await,
            Err(HangUpError::UnknownSession),
            "voice_provider contract: hang_up({session_id:?}) of a never issued session must \
             be UnknownSession"
        );
    }
}

/// Rule: two calls never share a session id.
pub async fn two_starts_give_different_session_ids(provider: &dyn VoiceProvider) {
    let first = provider
        .start_call(outbound_call())
        .await
        .unwrap_or_else(|error| {
            panic!("voice_provider contract: first start_call must succeed: {error}")
        });
    let second = provider
        .start_call(outbound_call())
        .await
        .unwrap_or_else(|error| {
            panic!("voice_provider contract: second start_call must succeed: {error}")
        });
    if let (Some(first), Some(second)) = (first.session_id, second.session_id) {
        assert_ne!(
            first, second,
            "voice_provider contract: two calls must get different session ids"
        );
    }
}

/// Rule: a started call can be cancelled, answered or not; a never issued one is unknown.
pub async fn cancel_ends_started_calls_only(provider: &dyn VoiceProvider) {
    for progress in [CallProgress::NotAnswered, CallProgress::Answered] {
        let session = provider
            .start_call(outbound_call())
            .await
            .unwrap_or_else(|error| {
                panic!("voice_provider contract: start_call must succeed: {error}")
            });
        if let Some(session_id) = session.session_id {
            provider
                .cancel(&session_id, progress)
                .await
                .unwrap_or_else(|error| {
                    panic!(
                        "voice_provider contract: cancelling ({progress:?}) a started call \
                         must succeed: {error}"
                    )
                });
        }
        for session_id in NEVER_ISSUED_SESSION_IDS {
            assert_eq!(
                provider.cancel(session_id, progress).await,
                Err(HangUpError::UnknownSession),
                "voice_provider contract: cancel({session_id:?}, {progress:?}) of a never \
                 issued session must be UnknownSession"
            );
        }
    }
}

/// Runs every rule, each against a fresh subject from `factory`.
pub async fn run_all<F, Fut>(factory: F)
where
    F: Fn() -> Fut,
    Fut: Future<Output = Subject>,
{
    start_then_hang_up_succeeds(factory().await.provider()).await;
    hang_up_of_never_issued_session_is_unknown(factory().await.provider()).await;
    two_starts_give_different_session_ids(factory().await.provider()).await;
    cancel_ends_started_calls_only(factory().await.provider()).await;
}

/// Generates a module `voice_provider_contract` with one `#[tokio::test]` per rule.
/// `$factory` is an expression, evaluated afresh for every test, giving a future of a
/// [`Subject`]; names from the invoking module are in scope:
///
/// ```ignore
/// async fn subject() -> calls_port_contracts::voice_provider::Subject { ... }
/// calls_port_contracts::voice_provider_contract_tests!(subject());
/// ```
#[macro_export]
macro_rules! voice_provider_contract_tests {
    ($factory:expr) => {
        mod voice_provider_contract {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test]
            async fn start_then_hang_up_succeeds() {
                let subject = $factory.await;
                $crate::voice_provider::start_then_hang_up_succeeds(subject.provider()).await;
            }

            #[tokio::test]
            async fn hang_up_of_never_issued_session_is_unknown() {
                let subject = $factory.await;
                $crate::voice_provider::hang_up_of_never_issued_session_is_unknown(
                    subject.provider(),
                )
                .await;
            }

            #[tokio::test]
            async fn two_starts_give_different_session_ids() {
                let subject = $factory.await;
                $crate::voice_provider::two_starts_give_different_session_ids(subject.provider())
                    .await;
            }

            #[tokio::test]
            async fn cancel_ends_started_calls_only() {
                let subject = $factory.await;
                $crate::voice_provider::cancel_ends_started_calls_only(subject.provider()).await;
            }
        }
    };
}
