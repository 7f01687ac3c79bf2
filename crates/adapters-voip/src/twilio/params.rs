//! A Twilio webhook's parameters, read the way Twilio sends and signs them.
//!
//! Twilio signs the full URL it requested plus, for a POST, every form parameter; a GET carries
//! its parameters in the query string, which is already part of the signed URL. So the signed
//! parameters are the form's, and a field is looked up in the form first, then the query.

use calls_core::domain::CallId;
use calls_core::ports::WebhookRequest;

use super::webhooks::CALL_ID_PARAM;

/// A view of a [`WebhookRequest`] as Twilio parameters.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Params<'a>(pub(crate) &'a WebhookRequest);

impl<'a> Params<'a> {
    /// The parameters the signature covers besides the URL.
    pub(crate) fn signed(self) -> &'a [(String, String)] {
        &self.0.form
    }

    /// The first value of `name`, form before query, unless that value is blank.
    pub(crate) fn field(self, name: &str) -> Option<&'a str> {
        self.0
            .form
            .iter()
            .chain(&self.0.query)
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
            .filter(|value| !value.trim().is_empty())
    }

    /// Our call id from the URL's query (never the form: it is ours, not Twilio's), `None`
    /// when absent; `Err` when present but not a call id.
    pub(crate) fn our_call_id(self) -> Result<Option<CallId>, &'static str> {
        let Some((_, raw)) = self.0.query.iter().find(|(key, _)| key == CALL_ID_PARAM) else {
            return Ok(None);
        };
        raw.trim()
            .parse::<CallId>()
            .map(Some)
            .map_err(|_| CALL_ID_PARAM)
    }

    /// [`Self::field`], or `missing(name)` when absent or blank.
    pub(crate) fn required<E>(
        self,
        name: &'static str,
        missing: impl FnOnce(&'static str) -> E,
    ) -> Result<&'a str, E> {
        self.field(name).ok_or_else(|| missing(name))
    }
}
