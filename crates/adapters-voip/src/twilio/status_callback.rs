//! Twilio's status callback (`CallSid`, `CallStatus`, `CallDuration`, `ParentCallSid`,
//! `SequenceNumber`, and our call id in the URL) as a report for the voice use cases.

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
    let duration = whole_number::<u32>(params, "CallDuration", "a whole number of seconds")?;
    let sequence = whole_number::<u64>(params, "SequenceNumber", "a whole number")?;
    let call_id = params
        .our_call_id()
        .map_err(|name| ReportRequestError::Malformed {
            name,
            expected: "a call id",
        })?;
    Ok(StatusCallback::Report(ProviderReport {
        session_id: call_sid.to_owned(),
        parent_session_id: params.field("ParentCallSid").map(str::to_owned),
        status,
        duration,
        sequence,
        call_id,
    }))
}

/// The optional parameter `name` as a whole number.
fn whole_number<T: std::str::FromStr>(
    params: Params<'_>,
    name: &'static str,
    expected: &'static str,
) -> Result<Option<T>, ReportRequestError> {
    params
        .field(name)
        .map(|raw| {
            raw.trim()
                .parse::<T>()
                .map_err(|_| ReportRequestError::Malformed { name, expected })
        })
        .transpose()
}
