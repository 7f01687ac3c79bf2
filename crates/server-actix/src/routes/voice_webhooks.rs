//! The voice provider's webhooks: `GET|POST /api/voice/twiml` (what to do with a call) and
//! `POST /api/voice/status` (how a call is going). Both refuse requests whose signature does not
//! verify, before reading anything else; an unsigned request is refused even when the provider
//! has no webhooks. The provider's wire format (parameters, signatures, reply documents) is the
//! `ProviderWebhooks` adapter's: these handlers pass the request to it and to the voice use
//! cases, and send back what they answer.

use actix_web::{HttpResponse, web};
use calls_core::ports::{AnswerRequest, Refusal, StatusCallback, WebhookReply};
use calls_core::services::{DialDecision, LinkError, PlacedCallDecision, ReportOutcome};

use crate::error::ApiError;
use crate::extractors::WebhookForm;
use crate::state::AppState;

pub async fn twiml(
    state: web::Data<AppState>,
    WebhookForm(request): WebhookForm,
) -> Result<HttpResponse, ApiError> {
    let webhooks = state.webhooks.verify(&request)?;
    let reply = match webhooks.answer_request(&request)? {
        AnswerRequest::PlacedCallAnswered {
            session_id,
            call_id,
        } => match state
            .voice
            .placed_call_answered(&session_id, call_id)
            .await?
        {
            PlacedCallDecision::Keep => WebhookReply::Hold,
            PlacedCallDecision::HangUp => WebhookReply::HangUp,
        },
        AnswerRequest::BrowserDial {
            caller,
            to,
            session_id,
        } => match state
            .voice
            .link_browser_call(caller, &to, &session_id)
            .await
        {
            DialDecision::Dial { number, call_id } => WebhookReply::Dial { number, call_id },
            DialDecision::Refuse(LinkError::Storage(err)) => return Err(err.into()),
            DialDecision::Refuse(refusal) => WebhookReply::Refuse(refusal_of(&refusal)),
        },
    };
    let document = webhooks.render(&reply);
    Ok(HttpResponse::Ok()
        .content_type(document.content_type)
        .body(document.body))
}

fn refusal_of(refusal: &LinkError) -> Refusal {
    match refusal {
        LinkError::UnknownCaller => Refusal::UnknownCaller,
        LinkError::InvalidNumber(_) => Refusal::InvalidNumber,
        LinkError::DestinationNotAllowed(_) => Refusal::DestinationNotAllowed,
        LinkError::NoPendingCall | LinkError::Storage(_) => Refusal::NoPendingCall,
    }
}

pub async fn status(
    state: web::Data<AppState>,
    WebhookForm(request): WebhookForm,
) -> Result<HttpResponse, ApiError> {
    let webhooks = state.webhooks.verify(&request)?;
    let report = match webhooks.status_callback(&request)? {
        StatusCallback::Report(report) => report,
        StatusCallback::UnknownStatus { reported } => {
            tracing::info!(
                call_status = reported,
                "unknown provider call status ignored"
            );
            return Ok(HttpResponse::NoContent().finish());
        }
    };
    let status = report.status;
    match state.voice.report(report).await? {
        ReportOutcome::Applied(call) => {
            tracing::info!(call_id = %call.id, status = %call.status, "provider report applied");
        }
        ReportOutcome::DurationSettled => tracing::info!("provider duration settled"),
        ReportOutcome::Ignored { current } => {
            tracing::info!(%current, reported = %status, "provider report recorded, call unchanged");
        }
        ReportOutcome::Stale => {
            tracing::info!(reported = %status, "repeated or late provider report ignored")
        }
        ReportOutcome::UnknownCall => tracing::info!("provider report for an unknown call"),
    }
    Ok(HttpResponse::NoContent().finish())
}
