//! `GET /api/account/export`: the signed-in user's account and every call, as one JSON
//! document, streamed.
//!
//! The body is written page by page (`ExportService::page`, a keyset page of the configured
//! size, read on the blocking pool), each page serialised into one chunk when actix asks for
//! the next one, i.e. when the socket has taken the previous: memory holds one page, whatever
//! the number of calls, and a slow client slows the reads instead of filling a buffer.
//!
//! The profile and the first page are read before the status line, so a database that is down
//! at the start gets the usual JSON 503. A failure after that cannot change the status any
//! more: the stream ends with an error, actix closes the connection without the chunked
//! body's last chunk, and the client has a truncated, invalid JSON document (and a transfer
//! error); the server logs the failure. Pages are separate reads, not one snapshot (see
//! `ExportService::page` for what that means and `stamp_call_export!` for why).

use actix_web::http::header::{self, ContentType};
use actix_web::web::Bytes;
use actix_web::{HttpResponse, web};
use calls_core::domain::{ExportPosition, UserId};
use calls_core::ports::StorageError;
use calls_core::services::{ExportPage, ExportService};
use chrono::Utc;
use futures::Stream;

use crate::dto::export::{DOCUMENT_TAIL, append_calls, document_head};
use crate::error::ApiError;
use crate::extractors::LiveSession;
use crate::state::AppState;

pub async fn export(
    state: web::Data<AppState>,
    LiveSession(token): LiveSession,
) -> Result<HttpResponse, ApiError> {
    let user = token.user_id;
    let profile = state.export.profile(user).await?;
    let first = state.export.page(user, None).await?;
    let now = Utc::now();
    let head = document_head(&profile, now);
    let filename = format!(
        "attachment; filename=\"calls-platform-export-{}.json\"",
        now.format("%Y-%m-%d")
    );
    Ok(HttpResponse::Ok()
        .content_type(ContentType::json())
        .insert_header((header::CONTENT_DISPOSITION, filename))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .streaming(body(state.export.clone(), user, head, first)))
}

/// A page that could not be read once the body had started.
#[derive(Debug, thiserror::Error)]
#[error("the account export stopped after {written} calls: {source}")]
pub struct ExportInterrupted {
    written: u64,
    #[source]
    source: StorageError,
}

/// Where the body is.
struct Progress {
    export: ExportService,
    user: UserId,
    /// The document's start, sent with the first chunk.
    head: Option<Vec<u8>>,
    /// A page read but not yet sent (the first, read before the status line).
    ready: Option<ExportPage>,
    /// Where the next page to read starts; `None` once the last page is sent.
    after: Option<ExportPosition>,
    written: u64,
    finished: bool,
    /// The request's span: the stream runs after the handler returned.
    span: tracing::Span,
}

/// The document as a stream of chunks: the head with the first page, then a chunk per page,
/// the tail with the last. An `Err` item ends it.
pub fn body(
    export: ExportService,
    user: UserId,
    head: Vec<u8>,
    first: ExportPage,
) -> impl Stream<Item = Result<Bytes, ExportInterrupted>> + 'static {
    let progress = Progress {
        export,
        user,
        head: Some(head),
        ready: Some(first),
        after: None,
        written: 0,
        finished: false,
        span: tracing::Span::current(),
    };
    futures::stream::unfold(progress, next_chunk)
}

async fn next_chunk(
    mut progress: Progress,
) -> Option<(Result<Bytes, ExportInterrupted>, Progress)> {
    if progress.finished {
        return None;
    }
    let page = match progress.ready.take() {
        Some(page) => page,
        None => match progress.export.page(progress.user, progress.after).await {
            Ok(page) => page,
            Err(source) => {
                progress.finished = true;
                let error = ExportInterrupted {
                    written: progress.written,
                    source,
                };
                tracing::error!(
                    parent: &progress.span,
                    reason = %calls_core::ports::error_chain(&error),
                    "account export cut short: the client got a truncated document"
                );
                return Some((Err(error), progress));
            }
        },
    };
    let mut chunk = progress.head.take().unwrap_or_default();
    let first_of_document = progress.written == 0;
    if let Err(error) = append_calls(&mut chunk, &page.calls, first_of_document) {
        // Strings and numbers only: cannot happen, but must not panic either.
        progress.finished = true;
        let error = ExportInterrupted {
            written: progress.written,
            source: StorageError::unexpected("a call could not be serialised").caused_by(error),
        };
        tracing::error!(parent: &progress.span, %error, "account export cut short");
        return Some((Err(error), progress));
    }
    progress.written += page.calls.len() as u64;
    match page.next {
        Some(after) => progress.after = Some(after),
        None => {
            chunk.extend_from_slice(DOCUMENT_TAIL);
            progress.finished = true;
        }
    }
    Some((Ok(Bytes::from(chunk)), progress))
}

#[cfg(test)]
mod tests;
