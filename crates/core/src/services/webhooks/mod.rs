//! Who may use the voice provider's webhooks.
//!
//! The webhook routes exist whichever provider is configured, and their contract fixes the order
//! of refusals: an unsigned request is the caller's fault and refused first, even when the
//! provider has no webhooks (a missing credential is not the server's configuration problem);
//! only a signed one learns that webhooks are not configured; then the provider checks the
//! signature. [`WebhookService`] holds that order, so the HTTP layer only maps its errors.

use std::sync::Arc;

use crate::ports::{ProviderWebhooks, VerifyError, WebhookRequest};

/// Why a webhook request is not let through.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WebhookAccessError {
    /// The request is unsigned or its signature does not verify. Nothing was read.
    #[error(transparent)]
    Refused(#[from] VerifyError),
    /// Signed, but the voice provider has no webhooks (the mock provider).
    #[error("the voice provider has no webhooks")]
    NotConfigured,
}

/// The provider's webhooks, when it has any. Cheap to clone.
#[derive(Clone)]
pub struct WebhookService {
    signature_header: &'static str,
    provider: Option<Arc<dyn ProviderWebhooks>>,
}

impl WebhookService {
    pub fn new(provider: Arc<dyn ProviderWebhooks>) -> Self {
        Self {
            signature_header: provider.signature_header(),
            provider: Some(provider),
        }
    }

    /// For a voice provider without webhooks. `signature_header` is the header the routes'
    /// contract names, so that unsigned requests are still told apart from signed ones.
    pub fn without_provider(signature_header: &'static str) -> Self {
        Self {
            signature_header,
            provider: None,
        }
    }

    /// The request header the HTTP layer copies into [`WebhookRequest::signature`].
    pub fn signature_header(&self) -> &'static str {
        self.signature_header
    }

    /// Checks the request and returns the provider's webhooks to read and answer it with.
    /// Errors as [`WebhookAccessError`], logged here.
    pub fn verify(
        &self,
        request: &WebhookRequest,
    ) -> Result<&dyn ProviderWebhooks, WebhookAccessError> {
        if request.signature().is_none() {
            tracing::warn!("unsigned webhook refused");
            return Err(VerifyError::Unsigned.into());
        }
        let provider = self
            .provider
            .as_deref()
            .ok_or(WebhookAccessError::NotConfigured)?;
        provider.verify(request).inspect_err(|_| {
            tracing::warn!(path = %request.path_and_query, "webhook with a bad signature refused");
        })?;
        Ok(provider)
    }
}

impl std::fmt::Debug for WebhookService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookService")
            .field("signature_header", &self.signature_header)
            .field("configured", &self.provider.is_some())
            .finish()
    }
}

#[cfg(test)]
mod tests;
