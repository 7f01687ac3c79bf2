//! Twilio's status callback (`CallSid`, `CallStatus`, `CallDuration`, `ParentCallSid`) as a
//! report for the voice use cases.

use calls_core::ports::{ReportRequestError, StatusCallback, WebhookRequest};
use calls_core::services::ProviderReport;

use super::params::Params;
use super::status::map_twilio_status;

pub(crate) fn read(request: &WebhookRequest) -> Result<StatusCallback, ReportRequestError> {
    let params = Params(request);
    let call_sid = params.required("CallSid", ReportRequestError::Missing)?;
    let reported = params.required("CallStatus", ReportRequestError::Missing)?;
    let Some(status) = map_twilio_status(reported) else {
        return Ok(StatusCallback::UnknownStatus {
            reported: reported.to_owned(),
        });
    };
    let duration = params
        .field("CallDuration")
        .map(|raw| {
            raw.trim()
                .parse::<u32>()
                .map_err(|_| ReportRequestError::Malformed {
                    name: "CallDuration",
                    expected: "a whole number of seconds",
                })
        })
        .transpose()?;
    Ok(StatusCallback::Report(ProviderReport {
        session_id: call_sid.to_owned(),
        parent_session_id: params.field("ParentCallSid").map(str::to_owned),
        status,
        duration,
    }))
}
