//! The call-history query: filters, page-number paging and keyset cursors.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};

use super::{Call, CallId, CallStatus, UserId};

pub const DEFAULT_PAGE_SIZE: u32 = 20;
pub const MAX_PAGE_SIZE: u32 = 100;
/// Far beyond any real history; refusing larger pages keeps offsets within every database's
/// integer range and makes absurd requests a clear 400.
pub const MAX_PAGE_NUMBER: u32 = 1_000_000;

/// Which calls to count and list. Both bounds are inclusive and apply to the start time.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HistoryFilter {
    pub date_from: Option<DateTime<Utc>>,
    pub date_to: Option<DateTime<Utc>>,
    pub status: Option<CallStatus>,
}

impl HistoryFilter {
    pub fn is_empty(&self) -> bool {
        self.date_from.is_none() && self.date_to.is_none() && self.status.is_none()
    }
}

/// Where the requested page starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PagePosition {
    /// 1-based page number: `OFFSET (n - 1) * limit`.
    Number(u32),
    /// The page after a cursor: rows strictly older than it in (start_time, id) order, which an
    /// index seeks to directly however deep the page is.
    After(HistoryCursor),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryQuery {
    pub user_id: UserId,
    pub filter: HistoryFilter,
    pub limit: u32,
    pub position: PagePosition,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PaginationError {
    #[error("page must be an integer between 1 and {MAX_PAGE_NUMBER}")]
    Page,
    #[error("limit must be an integer between 1 and {MAX_PAGE_SIZE}")]
    Limit,
    #[error("date_from must not be after date_to")]
    EmptyRange,
}

impl HistoryQuery {
    /// Builds a validated query. A cursor takes precedence over `page`: it carries its own page
    /// number.
    pub fn new(
        user_id: UserId,
        filter: HistoryFilter,
        page: Option<u32>,
        limit: Option<u32>,
        cursor: Option<HistoryCursor>,
    ) -> Result<Self, PaginationError> {
        let limit = limit.unwrap_or(DEFAULT_PAGE_SIZE);
        if !(1..=MAX_PAGE_SIZE).contains(&limit) {
            return Err(PaginationError::Limit);
        }
        let page = page.unwrap_or(1);
        if !(1..=MAX_PAGE_NUMBER).contains(&page) {
            return Err(PaginationError::Page);
        }
        if let (Some(from), Some(to)) = (filter.date_from, filter.date_to)
            && from > to
        {
            return Err(PaginationError::EmptyRange);
        }
        let position = match cursor {
            Some(cursor) => PagePosition::After(cursor),
            None => PagePosition::Number(page),
        };
        Ok(Self {
            user_id,
            filter,
            limit,
            position,
        })
    }

    /// The 1-based number of the page this query returns.
    pub fn page_number(&self) -> u32 {
        match &self.position {
            PagePosition::Number(page) => *page,
            PagePosition::After(cursor) => cursor.page,
        }
    }

    /// Rows to skip for page-number paging (zero for a cursor).
    pub fn offset(&self) -> u64 {
        match &self.position {
            PagePosition::Number(page) => u64::from(page - 1) * u64::from(self.limit),
            PagePosition::After(_) => 0,
        }
    }

    /// The cursor that continues after `last`, the final row of the page this query returned.
    pub fn cursor_after(&self, last: &Call) -> HistoryCursor {
        HistoryCursor {
            start_time: last.start_time,
            id: last.id,
            page: self.page_number().saturating_add(1),
        }
    }
}

/// A position in the newest-first history: the last row seen and the number of the page that
/// follows it. Opaque to clients (URL-safe base64).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryCursor {
    pub start_time: DateTime<Utc>,
    pub id: CallId,
    pub page: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cursor is not one this server issued")]
pub struct CursorError;

const CURSOR_VERSION: &str = "v1";

impl HistoryCursor {
    pub fn encode(&self) -> String {
        let raw = format!(
            "{CURSOR_VERSION}|{}|{}|{}",
            self.start_time.timestamp_micros(),
            self.id,
            self.page
        );
        URL_SAFE_NO_PAD.encode(raw)
    }

    pub fn decode(encoded: &str) -> Result<Self, CursorError> {
        if encoded.len() > 200 {
            return Err(CursorError);
        }
        let bytes = URL_SAFE_NO_PAD.decode(encoded).map_err(|_| CursorError)?;
        let text = String::from_utf8(bytes).map_err(|_| CursorError)?;
        let mut parts = text.split('|');
        let (Some(CURSOR_VERSION), Some(micros), Some(id), Some(page), None) = (
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
        ) else {
            return Err(CursorError);
        };
        let micros: i64 = micros.parse().map_err(|_| CursorError)?;
        let start_time = DateTime::from_timestamp_micros(micros).ok_or(CursorError)?;
        let id = id.parse().map_err(|_| CursorError)?;
        let page: u32 = page.parse().map_err(|_| CursorError)?;
        if !(2..=MAX_PAGE_NUMBER.saturating_add(1)).contains(&page) {
            return Err(CursorError);
        }
        Ok(Self {
            start_time,
            id,
            page,
        })
    }
}

/// One page of history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryPage {
    pub calls: Vec<Call>,
    /// All calls matching the filter, on every page.
    pub total: u64,
    /// Present when more calls follow this page.
    pub next_cursor: Option<HistoryCursor>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(page: Option<u32>, limit: Option<u32>) -> Result<HistoryQuery, PaginationError> {
        HistoryQuery::new(UserId::new(), HistoryFilter::default(), page, limit, None)
    }

    #[test]
    fn defaults_to_first_page_of_twenty() {
        let q = query(None, None).expect("valid");
        assert_eq!((q.page_number(), q.limit, q.offset()), (1, 20, 0));
    }

    #[test]
    fn validates_page_and_limit() {
        assert_eq!(query(Some(0), None), Err(PaginationError::Page));
        assert_eq!(
            query(Some(MAX_PAGE_NUMBER + 1), None),
            Err(PaginationError::Page)
        );
        assert_eq!(query(None, Some(0)), Err(PaginationError::Limit));
        assert_eq!(query(None, Some(101)), Err(PaginationError::Limit));
        assert_eq!(query(Some(3), Some(100)).expect("valid").offset(), 200);
    }

    #[test]
    fn refuses_an_inverted_date_range() {
        let now = Utc::now();
        let filter = HistoryFilter {
            date_from: Some(now),
            date_to: Some(now - chrono::Duration::seconds(1)),
            status: None,
        };
        assert_eq!(
            HistoryQuery::new(UserId::new(), filter, None, None, None),
            Err(PaginationError::EmptyRange)
        );
    }

    #[test]
    fn cursor_round_trips_and_carries_the_page_number() {
        let cursor = HistoryCursor {
            start_time: DateTime::from_timestamp_micros(1_764_000_000_123_456).expect("valid"),
            id: CallId::new(),
            page: 7,
        };
        let decoded = HistoryCursor::decode(&cursor.encode()).expect("own cursor");
        assert_eq!(decoded, cursor);
        let q = HistoryQuery::new(
            UserId::new(),
            HistoryFilter::default(),
            Some(1),
            None,
            Some(decoded),
        )
        .expect("valid");
        assert_eq!((q.page_number(), q.offset()), (7, 0));
    }

    #[test]
    fn forged_cursors_are_refused() {
        for bad in [
            "",
            "%%%",
            "djE",
            &URL_SAFE_NO_PAD.encode("v1|abc|x|2"),
            &URL_SAFE_NO_PAD.encode("v2|1|00000000-0000-0000-0000-000000000000|2"),
            &URL_SAFE_NO_PAD.encode("v1|1|00000000-0000-0000-0000-000000000000|1"),
            &"A".repeat(500),
        ] {
            assert_eq!(HistoryCursor::decode(bad), Err(CursorError), "{bad}");
        }
    }
}
