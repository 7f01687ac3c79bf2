//! The voice provider's webhooks: the provider calls us to ask what to do with a call and to
//! report how calls are going.
//!
//! An inbound port: the HTTP layer hands over the request as it received it
//! ([`WebhookRequest`]), an adapter that knows the provider's wire format (field names, signing
//! scheme, reply documents) reads it into the voice use cases' own inputs and renders their
//! answers back, so no web framework and no provider name reaches the HTTP crate.

use crate::domain::{CallId, CallStatus, PhoneNumber, UserId};

/// A progress report of the provider about one of its calls.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderReport {
    /// The provider's id of the call the report is about.
    pub session_id: String,
    /// The id of the call that leg belongs to, when the report is about a dialled leg (Twilio's
    /// `ParentCallSid`): the call we stored is the parent.
    pub parent_session_id: Option<String>,
    pub status: CallStatus,
    /// The provider's measurement, in whole seconds, sent with the final report.
    pub duration: Option<u32>,
    /// The provider's number of this report among those about `session_id` (Twilio's
    /// `SequenceNumber`): a report numbered no higher than one already applied is a repeat or
    /// arrived late, and changes nothing.
    pub sequence: Option<u64>,
    /// Our id of the call, carried in the URL we gave the provider: it finds the call even when
    /// the provider's answer to its creation (with `session_id`) never reached us.
    pub call_id: Option<CallId>,
}

/// A webhook request, moved over from HTTP without interpreting any of it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WebhookRequest {
    /// Path and query exactly as requested, e.g. `/api/voice/twiml?x=1`.
    pub path_and_query: String,
    /// The query string's parameters, in order.
    pub query: Vec<(String, String)>,
    /// The form-encoded body's parameters, in order; empty for a request without a body (GET).
    pub form: Vec<(String, String)>,
    /// The value of the header named by [`ProviderWebhooks::signature_header`], if sent.
    pub signature: Option<String>,
}

impl WebhookRequest {
    /// The signature, unless missing or blank: a blank one is no signature at all.
    pub fn signature(&self) -> Option<&str> {
        self.signature
            .as_deref()
            .filter(|signature| !signature.trim().is_empty())
    }
}

/// What a status callback reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StatusCallback {
    /// A progress report for [`VoiceService::report`](crate::services::VoiceService::report).
    Report(ProviderReport),
    /// A status the adapter does not know (one the provider added later): the call is left as
    /// it is rather than guessed at, and the callback is still acknowledged.
    UnknownStatus { reported: String },
}

/// What the provider asks when a call starts (it waits for a [`WebhookReply`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AnswerRequest {
    /// A call we placed ourselves was answered: keep it up or not, see
    /// [`VoiceService::placed_call_answered`](crate::services::VoiceService::placed_call_answered).
    PlacedCallAnswered {
        session_id: String,
        /// Our id of the call, from the URL we gave the provider when placing it.
        call_id: Option<CallId>,
    },
    /// A browser dials `to` through the provider's SDK, see
    /// [`VoiceService::link_browser_call`](crate::services::VoiceService::link_browser_call).
    BrowserDial {
        /// The calling user; `None` when the caller is not one of our users.
        caller: Option<UserId>,
        /// The number as dialled, not yet checked.
        to: String,
        session_id: String,
    },
}

/// Our answer to an [`AnswerRequest`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WebhookReply {
    /// Connect the browser's call to `number`; the dialled leg's reports name `call_id`.
    Dial {
        number: PhoneNumber,
        call_id: CallId,
    },
    /// Keep the call we placed up until it is ended through the API.
    Hold,
    /// End the call at once without a word: the one who answered is the callee of a call we
    /// have already given up on, a stranger to whom nothing is to be explained.
    HangUp,
    /// Tell the caller why not, then hang up.
    Refuse(Refusal),
}

/// Why a call is refused, for the sentence the caller hears. The adapter words it: short, and
/// never repeating the number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    UnknownCaller,
    InvalidNumber,
    DestinationNotAllowed,
    /// The browser may only dial a call that `initiate` checked and recorded (or storage failed
    /// to tell).
    NoPendingCall,
}

/// The rendered reply, as the provider expects it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplyDocument {
    pub content_type: &'static str,
    pub body: String,
}

/// Why a request is not accepted as coming from the provider.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    /// No signature, or a blank one.
    #[error("the webhook request is not signed")]
    Unsigned,
    /// A signature that does not verify for this URL and these parameters.
    #[error("the webhook request's signature does not verify")]
    BadSignature,
}

/// Why a status callback cannot be read. Each is the sender's mistake.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReportRequestError {
    /// A parameter the report needs is missing or blank; its name as the provider spells it.
    #[error("{0} is required")]
    Missing(&'static str),
    /// A parameter holds something else than the provider documents (or, for our own call id
    /// in the URL, than we put there).
    #[error("{name} must be {expected}")]
    Malformed {
        name: &'static str,
        expected: &'static str,
    },
}

/// Why an answer request cannot be read. The sender's mistake.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AnswerRequestError {
    /// A parameter the request needs is missing or blank; its name as the provider spells it.
    #[error("{0} is required")]
    Missing(&'static str),
    /// A parameter holds something else than expected.
    #[error("{name} must be {expected}")]
    Malformed {
        name: &'static str,
        expected: &'static str,
    },
}

/// One voice provider's webhook wire format. Pure: no network, no storage.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
pub trait ProviderWebhooks: Send + Sync {
    /// The request header that carries the provider's signature.
    fn signature_header(&self) -> &'static str;

    /// Whether the request really comes from the provider; nothing else of it may be trusted
    /// before. Errors as [`VerifyError`].
    fn verify(&self, request: &WebhookRequest) -> Result<(), VerifyError>;

    /// Reads a status callback. Errors as [`ReportRequestError`].
    fn status_callback(
        &self,
        request: &WebhookRequest,
    ) -> Result<StatusCallback, ReportRequestError>;

    /// Reads the provider's question on a starting call. Errors as [`AnswerRequestError`].
    fn answer_request(&self, request: &WebhookRequest)
    -> Result<AnswerRequest, AnswerRequestError>;

    /// The document that gives the provider `reply`.
    fn render(&self, reply: &WebhookReply) -> ReplyDocument;
}
