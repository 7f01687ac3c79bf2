//! Twilio's webhooks: `GET|POST /api/voice/twiml` (what to do with a call) and
//! `POST /api/voice/status` (how a call is going). Both refuse requests whose
//! `X-Twilio-Signature` does not verify against the public URL, before reading anything else;
//! an unsigned request is refused even when the provider is not Twilio.

use actix_web::{HttpResponse, web};
use calls_adapters_voip::twilio::identity::user_id_from_caller;
use calls_adapters_voip::twilio::status::map_twilio_status;
use calls_adapters_voip::twilio::{TwilioWebhooks, twiml};
use calls_core::services::{DialDecision, LinkError, ProviderReport, ReportOutcome};

use crate::error::ApiError;
use crate::extractors::WebhookForm;
use crate::state::AppState;

/// Twilio's `Direction` for a call we placed through the REST API.
const PLACED_BY_US: &str = "outbound-api";

fn verified<'a>(state: &'a AppState, form: &WebhookForm) -> Result<&'a TwilioWebhooks, ApiError> {
    // Unsigned requests are refused whatever the provider: they cannot come from Twilio, and
    // the missing credential is the caller's fault, not the server's configuration.
    let Some(signature) = form
        .signature
        .as_deref()
        .filter(|signature| !signature.trim().is_empty())
    else {
        tracing::warn!("unsigned webhook refused");
        return Err(ApiError::invalid_signature());
    };
    let twilio = state
        .twilio
        .as_ref()
        .ok_or_else(ApiError::voice_not_configured)?;
    if !twilio.verify_signature(&form.path_and_query, &form.signed_params, signature) {
        tracing::warn!(path = %form.path_and_query, "webhook with a bad signature refused");
        return Err(ApiError::invalid_signature());
    }
    Ok(twilio)
}

pub async fn twiml(
    state: web::Data<AppState>,
    form: WebhookForm,
) -> Result<HttpResponse, ApiError> {
    let twilio = verified(&state, &form)?;
    let call_sid = form.required("CallSid")?;
    let document = if form
        .field("Direction")
        .is_some_and(|direction| direction.starts_with(PLACED_BY_US))
    {
        if state.voice.placed_call_answered(call_sid).await? {
            twiml::hold()
        } else {
            twiml::refuse("This call has ended.")
        }
    } else {
        let caller = form.field("From").and_then(user_id_from_caller);
        let to = form.field("To").unwrap_or_default();
        match state.voice.link_browser_call(caller, to, call_sid).await {
            DialDecision::Dial(number) => twilio.dial(&number),
            DialDecision::Refuse(LinkError::Storage(err)) => return Err(err.into()),
            DialDecision::Refuse(refusal) => twiml::refuse(spoken_refusal(&refusal)),
        }
    };
    Ok(HttpResponse::Ok()
        .content_type("application/xml; charset=utf-8")
        .body(document))
}

/// What the caller hears: short, and without the number.
fn spoken_refusal(refusal: &LinkError) -> &'static str {
    match refusal {
        LinkError::UnknownCaller => "This caller is not allowed to place calls.",
        LinkError::InvalidNumber(_) => "The number you dialled is not valid.",
        LinkError::DestinationNotAllowed(_) => "Calls to this destination are not allowed.",
        LinkError::NoPendingCall | LinkError::Storage(_) => {
            "Please start the call from the application."
        }
    }
}

pub async fn status(
    state: web::Data<AppState>,
    form: WebhookForm,
) -> Result<HttpResponse, ApiError> {
    verified(&state, &form)?;
    let call_sid = form.required("CallSid")?;
    let reported = form.required("CallStatus")?;
    let Some(status) = map_twilio_status(reported) else {
        tracing::info!(call_status = reported, "unknown Twilio call status ignored");
        return Ok(HttpResponse::NoContent().finish());
    };
    let duration =
        match form.field("CallDuration") {
            Some(raw) => Some(raw.trim().parse::<u32>().map_err(|_| {
                ApiError::validation("CallDuration must be a whole number of seconds")
            })?),
            None => None,
        };
    let report = ProviderReport {
        session_id: call_sid.to_owned(),
        parent_session_id: form.field("ParentCallSid").map(str::to_owned),
        status,
        duration,
    };
    match state.voice.report(report).await? {
        ReportOutcome::Applied(call) => {
            tracing::info!(call_id = %call.id, status = %call.status, "provider report applied");
        }
        ReportOutcome::DurationSettled => tracing::info!("provider duration settled"),
        ReportOutcome::Ignored { current } => {
            tracing::info!(%current, reported = %status, "stale provider report ignored");
        }
        ReportOutcome::UnknownCall => tracing::info!("provider report for an unknown call"),
    }
    Ok(HttpResponse::NoContent().finish())
}
