//! A user's calls read out in full, page after page, for the account export.

use async_trait::async_trait;

use super::StorageError;
use crate::domain::{ExportPosition, ExportedCall, UserId};

#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait CallExport: Send + Sync {
    /// Up to `limit` of `user`'s calls, newest first (`start_time DESC, id DESC`), strictly
    /// after `after` in that order (from the newest when `None`). Fewer than `limit` means the
    /// end was reached. Each page is its own short read: a keyset seek on the index
    /// `(user_id, start_time DESC, id DESC)`, so every page costs the same however deep, and no
    /// connection or snapshot is held between pages. Never another user's calls.
    ///
    /// A `limit` of 0 reads nothing and answers an empty page.
    async fn export_page(
        &self,
        user: UserId,
        after: Option<ExportPosition>,
        limit: u32,
    ) -> Result<Vec<ExportedCall>, StorageError>;
}
