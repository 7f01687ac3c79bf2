//! Call records and history: creating, updating and listing a user's own calls.

use std::sync::Arc;

use crate::domain::{
    Call, CallId, CallStatus, HistoryPage, HistoryQuery, NewCall, PhoneNumber, PhoneNumberError,
    StatusChange, UserId,
};
use crate::ports::{
    CallHistory, CallRecords, Clock, CreateCallError, SessionHistory, StorageError, TransitionError,
};
use crate::services::auth::SignedToken;

#[derive(Debug, thiserror::Error)]
pub enum RecordCallError {
    #[error(transparent)]
    InvalidNumber(#[from] PhoneNumberError),
    /// The authenticated user no longer exists.
    #[error("the user does not exist")]
    UnknownUser,
    #[error(transparent)]
    Storage(#[from] StorageError),
}

#[derive(Debug, thiserror::Error)]
pub enum UpdateCallError {
    #[error("call not found")]
    NotFound,
    /// The call belongs to another user.
    #[error("this call belongs to another user")]
    Forbidden,
    #[error("a {current} call cannot become {requested}")]
    InvalidTransition {
        current: CallStatus,
        requested: CallStatus,
    },
    #[error(transparent)]
    Storage(#[from] StorageError),
}

#[derive(Clone)]
pub struct CallService {
    records: Arc<dyn CallRecords>,
    history: Arc<dyn CallHistory>,
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for CallService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CallService").finish_non_exhaustive()
    }
}

impl CallService {
    pub fn new(
        records: Arc<dyn CallRecords>,
        history: Arc<dyn CallHistory>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            records,
            history,
            clock,
        }
    }

    /// Records a new `initiated` call to `phone_number` for `user_id`.
    pub async fn record(
        &self,
        user_id: UserId,
        phone_number: &str,
    ) -> Result<Call, RecordCallError> {
        let phone_number = PhoneNumber::parse(phone_number)?;
        let new_call = NewCall {
            id: CallId::new(),
            user_id,
            phone_number,
            start_time: self.clock.now(),
            status: CallStatus::Initiated,
        };
        self.records
            .create(new_call)
            .await
            .map_err(|err| match err {
                CreateCallError::UnknownUser => RecordCallError::UnknownUser,
                CreateCallError::Storage(err) => RecordCallError::Storage(err),
            })
    }

    /// Moves the user's own call to `status`, forward only, setting `duration` when given.
    pub async fn update(
        &self,
        user_id: UserId,
        call_id: CallId,
        status: CallStatus,
        duration: Option<u32>,
    ) -> Result<Call, UpdateCallError> {
        self.owned_call(user_id, call_id).await?;
        let mut change = StatusChange::to(status, self.clock.now());
        change.duration = duration;
        self.records
            .transition(call_id, change)
            .await
            .map_err(|err| match err {
                TransitionError::NotFound => UpdateCallError::NotFound,
                TransitionError::Refused { current, requested } => {
                    UpdateCallError::InvalidTransition { current, requested }
                }
                TransitionError::Storage(err) => UpdateCallError::Storage(err),
            })
    }

    /// The call, if it exists and belongs to `user_id`.
    pub async fn owned_call(
        &self,
        user_id: UserId,
        call_id: CallId,
    ) -> Result<Call, UpdateCallError> {
        let call = self
            .records
            .get(call_id)
            .await?
            .ok_or(UpdateCallError::NotFound)?;
        if call.user_id != user_id {
            return Err(UpdateCallError::Forbidden);
        }
        Ok(call)
    }

    /// One page of the user's history. The query carries the user id, so it can only ever
    /// list that user's calls.
    pub async fn history(&self, query: HistoryQuery) -> Result<HistoryPage, StorageError> {
        self.history.page(query).await
    }

    /// The page of `query` for the session of `token`, which must still be valid: a logged-out
    /// token gets [`SessionHistory::SessionEnded`], checked by the storage in the same snapshot
    /// as the page. The query must be for the token's own user.
    pub async fn history_for_session(
        &self,
        token: &SignedToken,
        query: HistoryQuery,
    ) -> Result<SessionHistory, StorageError> {
        debug_assert_eq!(query.user_id, token.user_id(), "history of another user");
        self.history
            .page_for_live_session(query, token.session())
            .await
    }
}

#[cfg(test)]
mod tests;
