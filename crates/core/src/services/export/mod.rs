//! Export my data: the account and every call of the signed-in user, read page by page so that
//! the HTTP layer can stream it in memory that does not grow with the number of calls.

use std::num::NonZeroU32;
use std::sync::Arc;

use crate::domain::{ExportPosition, ExportProfile, ExportedCall, UserId};
use crate::ports::{CallExport, StorageError, UserRepository};

/// Calls read per page when the operator sets nothing: about 1 MB of JSON with the mock's
/// SDP offers, a few milliseconds of database time.
pub const DEFAULT_EXPORT_PAGE_SIZE: NonZeroU32 = NonZeroU32::new(1000).unwrap();

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// The authenticated user no longer exists (deleted after the token was checked).
    #[error("the user does not exist")]
    UnknownUser,
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// One page of the export, and where the next one starts (`None`: this was the last).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportPage {
    pub calls: Vec<ExportedCall>,
    pub next: Option<ExportPosition>,
}

#[derive(Clone)]
pub struct ExportService {
    users: Arc<dyn UserRepository>,
    calls: Arc<dyn CallExport>,
    page_size: NonZeroU32,
}

impl std::fmt::Debug for ExportService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ExportService")
            .field("page_size", &self.page_size)
            .finish_non_exhaustive()
    }
}

impl ExportService {
    pub fn new(
        users: Arc<dyn UserRepository>,
        calls: Arc<dyn CallExport>,
        page_size: NonZeroU32,
    ) -> Self {
        Self {
            users,
            calls,
            page_size,
        }
    }

    /// The user's account, without its password hash.
    pub async fn profile(&self, user: UserId) -> Result<ExportProfile, ExportError> {
        self.users
            .find_by_id(user)
            .await?
            .map(ExportProfile::from)
            .ok_or(ExportError::UnknownUser)
    }

    /// The calls after `after` (from the newest when `None`), one page of them.
    ///
    /// The pages are not one snapshot: each is read on its own (see [`CallExport`]). Walking
    /// them from `None` to the end yields every call that existed throughout, exactly once,
    /// newest first; a call placed during the export is newer than every page already read
    /// and is not included; a call whose status changes shows the state its page read.
    pub async fn page(
        &self,
        user: UserId,
        after: Option<ExportPosition>,
    ) -> Result<ExportPage, StorageError> {
        let calls = self
            .calls
            .export_page(user, after, self.page_size.get())
            .await?;
        // A full page may have more after it; a short one is the end (one read more at most).
        let full = u32::try_from(calls.len()).is_ok_and(|len| len >= self.page_size.get());
        let next = full
            .then(|| calls.last().map(ExportedCall::position))
            .flatten();
        Ok(ExportPage { calls, next })
    }
}

#[cfg(test)]
mod tests;
