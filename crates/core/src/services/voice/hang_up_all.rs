//! Ending every call a user has in progress, before their account goes.

use super::{TerminateError, VoiceService};
use crate::domain::UserId;

impl VoiceService {
    /// Terminates each of the user's unfinished calls as the user's own terminate would: hung
    /// up at the provider, then stored `completed`. Stops at the first call the provider could
    /// not be told to end ([`TerminateError::ProviderUnavailable`]), so that the caller does not
    /// delete the account of a call still running (and billed) at the provider.
    pub(crate) async fn terminate_all_of(&self, user_id: UserId) -> Result<usize, TerminateError> {
        let unfinished = self.deps.calls.unfinished_of(user_id).await?;
        for call in &unfinished {
            match self.terminate(user_id, call.id).await {
                // Deleted meanwhile: nothing left to end.
                Ok(_) | Err(TerminateError::NotFound) => {}
                Err(err) => return Err(err),
            }
        }
        Ok(unfinished.len())
    }
}
