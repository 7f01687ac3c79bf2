//! The part of a history read that is the same whatever the database: the page is read one row
//! longer than asked, and that extra row says whether a next page (and its cursor) exists.

use calls_core::domain::{Call, HistoryPage, HistoryQuery};

use crate::conversions::count;

/// Cuts `calls` (newest first, at most `query.limit + 1` of them) to the page and sets its
/// cursor when a row beyond it was read.
pub fn assemble_page(query: &HistoryQuery, total: i64, mut calls: Vec<Call>) -> HistoryPage {
    let limit = usize::try_from(query.limit).unwrap_or(usize::MAX);
    let more = calls.len() > limit;
    calls.truncate(limit);
    let next_cursor = if more {
        calls.last().map(|last| query.cursor_after(last))
    } else {
        None
    };
    HistoryPage {
        calls,
        total: count(total),
        next_cursor,
    }
}
