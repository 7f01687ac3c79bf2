//! Rules for [`CallHistory::page`]: filters, order, totals, page numbers and cursors.

use std::collections::HashSet;

use calls_core::domain::{
    Call, CallId, CallStatus, HistoryCursor, HistoryFilter, HistoryPage, NewCall, UserId,
};
use calls_core::ports::CallHistory;
use uuid::Uuid;

use super::StorageUnderTest;
use super::fixtures::{
    HOUR, MINUTE, SECOND, at, history, ids, insert_call, new_call, newest_first, place, query,
    register,
};

fn filter(status: Option<CallStatus>) -> HistoryFilter {
    HistoryFilter {
        status,
        ..HistoryFilter::default()
    }
}

fn between(from: Option<i64>, to: Option<i64>) -> HistoryFilter {
    HistoryFilter {
        date_from: from.map(at),
        date_to: to.map(at),
        status: None,
    }
}

/// A call with a random (v4) id, so that id order differs from creation order.
fn call_with_random_id(user: UserId, offset: i64, status: CallStatus) -> NewCall {
    NewCall {
        id: CallId::from_uuid(Uuid::new_v4()),
        ..new_call(user, at(offset), status)
    }
}

pub async fn history_is_newest_first_with_ties_broken_by_id<S: StorageUnderTest>(storage: S) {
    let alice = register(&storage, "alice@example.com").await;
    let mut tied: Vec<NewCall> = (0..3)
        .map(|_| call_with_random_id(alice.id, 2 * SECOND, CallStatus::Completed))
        .collect();
    // Inserted in ascending id order, so that insertion order is the reverse of the answer.
    tied.sort_by_key(|call| call.id);
    let mut stored = Vec::new();
    stored.push(place(&storage, alice.id, at(0), CallStatus::Completed).await);
    stored.push(place(&storage, alice.id, at(SECOND), CallStatus::Failed).await);
    for call in tied {
        stored.push(insert_call(&storage, call).await);
    }
    stored.push(
        place(
            &storage,
            alice.id,
            at(2 * SECOND + 1),
            CallStatus::Initiated,
        )
        .await,
    );
    stored.push(place(&storage, alice.id, at(2 * SECOND - 1), CallStatus::Canceled).await);

    let page = history(
        &storage,
        query(alice.id, HistoryFilter::default(), None, 20, None),
    )
    .await;
    assert_eq!(
        page.calls,
        newest_first(stored),
        "newest start time first; equal start times by id, descending; whole calls returned"
    );
    assert_eq!(page.total, 7);
    assert_eq!(page.next_cursor, None, "everything fit on the page");
}

pub async fn history_date_bounds_are_inclusive_to_the_microsecond<S: StorageUnderTest>(storage: S) {
    let alice = register(&storage, "alice@example.com").await;
    let offsets = [-1, 0, 30 * MINUTE, HOUR, HOUR + 1];
    let mut calls = Vec::new();
    for offset in offsets {
        calls.push(place(&storage, alice.id, at(offset), CallStatus::Completed).await);
    }
    let expect = |filter: HistoryFilter, included: &[i64], why: &str| {
        let wanted: Vec<Call> = calls
            .iter()
            .filter(|call| included.iter().any(|offset| call.start_time == at(*offset)))
            .cloned()
            .collect();
        (filter, newest_first(wanted), why.to_owned())
    };
    let cases = [
        expect(
            between(Some(0), Some(HOUR)),
            &[0, 30 * MINUTE, HOUR],
            "both bounds inclusive",
        ),
        expect(
            between(Some(0), None),
            &[0, 30 * MINUTE, HOUR, HOUR + 1],
            "from only",
        ),
        expect(
            between(None, Some(HOUR)),
            &[-1, 0, 30 * MINUTE, HOUR],
            "to only",
        ),
        expect(between(Some(0), Some(0)), &[0], "a single instant"),
        expect(
            between(Some(1), Some(HOUR - 1)),
            &[30 * MINUTE],
            "one microsecond inside",
        ),
    ];
    for (filter, wanted, why) in cases {
        let page = history(&storage, query(alice.id, filter, None, 20, None)).await;
        assert_eq!(page.calls, wanted, "{why}");
        assert_eq!(page.total, wanted.len() as u64, "{why}: total");
    }
}

pub async fn history_filters_by_status<S: StorageUnderTest>(storage: S) {
    let alice = register(&storage, "alice@example.com").await;
    let statuses = [
        CallStatus::Completed,
        CallStatus::Failed,
        CallStatus::Completed,
        CallStatus::Initiated,
        CallStatus::Completed,
    ];
    let mut calls = Vec::new();
    for (i, status) in statuses.into_iter().enumerate() {
        calls.push(place(&storage, alice.id, at(i as i64 * SECOND), status).await);
    }
    for status in CallStatus::ALL {
        let wanted: Vec<Call> = calls
            .iter()
            .filter(|call| call.status == status)
            .cloned()
            .collect();
        let page = history(
            &storage,
            query(alice.id, filter(Some(status)), None, 20, None),
        )
        .await;
        assert_eq!(page.calls, newest_first(wanted.clone()), "status {status}");
        assert_eq!(page.total, wanted.len() as u64, "status {status}: total");
    }
    let combined = HistoryFilter {
        date_from: Some(at(SECOND)),
        date_to: None,
        status: Some(CallStatus::Completed),
    };
    let page = history(&storage, query(alice.id, combined, None, 20, None)).await;
    assert_eq!(
        ids(&page.calls),
        vec![calls[4].id, calls[2].id],
        "status and date together"
    );
}

pub async fn history_total_counts_every_matching_call<S: StorageUnderTest>(storage: S) {
    let alice = register(&storage, "alice@example.com").await;
    for i in 0..10 {
        let status = if i % 3 == 0 {
            CallStatus::Failed
        } else {
            CallStatus::Completed
        };
        place(&storage, alice.id, at(i * SECOND), status).await;
    }
    let completed = filter(Some(CallStatus::Completed));
    for (page, len, has_next) in [
        (1, 2, true),
        (2, 2, true),
        (3, 2, false),
        (4, 0, false),
        (9, 0, false),
    ] {
        let got = history(
            &storage,
            query(alice.id, completed.clone(), Some(page), 2, None),
        )
        .await;
        assert_eq!(
            got.total, 6,
            "page {page}: total counts every match, not the page"
        );
        assert_eq!(got.calls.len(), len, "page {page}: size");
        assert_eq!(
            got.next_cursor.is_some(),
            has_next,
            "page {page}: next cursor"
        );
    }
    let all = history(
        &storage,
        query(alice.id, HistoryFilter::default(), Some(2), 3, None),
    )
    .await;
    assert_eq!((all.total, all.calls.len()), (10, 3));
    let late = history(
        &storage,
        query(alice.id, between(Some(8 * SECOND), None), Some(1), 1, None),
    )
    .await;
    assert_eq!(
        (late.total, late.calls.len()),
        (2, 1),
        "totals follow the date filter too"
    );
}

pub async fn history_pages_with_limit_and_next_cursor<S: StorageUnderTest>(storage: S) {
    let alice = register(&storage, "alice@example.com").await;
    let mut calls = Vec::new();
    for i in 0..5 {
        calls.push(place(&storage, alice.id, at(i * SECOND), CallStatus::Completed).await);
    }
    let calls = newest_first(calls);

    let first = history(
        &storage,
        query(alice.id, HistoryFilter::default(), None, 2, None),
    )
    .await;
    assert_eq!(first.calls, calls[0..2].to_vec());
    let cursor = first.next_cursor.clone().expect("more calls follow page 1");
    assert_eq!(
        cursor,
        HistoryCursor {
            start_time: calls[1].start_time,
            id: calls[1].id,
            page: 2,
        },
        "the cursor points after the last row and names the next page"
    );

    let second = history(
        &storage,
        query(alice.id, HistoryFilter::default(), None, 2, Some(cursor)),
    )
    .await;
    assert_eq!(second.calls, calls[2..4].to_vec());
    assert_eq!(second.total, 5, "a cursor page still counts everything");
    let cursor = second
        .next_cursor
        .clone()
        .expect("more calls follow page 2");
    assert_eq!(cursor.page, 3);

    let third = history(
        &storage,
        query(alice.id, HistoryFilter::default(), None, 2, Some(cursor)),
    )
    .await;
    assert_eq!(third.calls, calls[4..].to_vec());
    assert_eq!(third.next_cursor, None, "the last page has no cursor");

    let exact = history(
        &storage,
        query(alice.id, HistoryFilter::default(), None, 5, None),
    )
    .await;
    assert_eq!(
        (exact.calls.len(), exact.next_cursor),
        (5, None),
        "a full last page has no cursor"
    );
    let by_number = history(
        &storage,
        query(alice.id, HistoryFilter::default(), Some(3), 2, None),
    )
    .await;
    assert_eq!(by_number, third, "page 3 by number equals page 3 by cursor");
}

/// Every page by number, concatenated.
async fn all_pages_by_number<S: CallHistory>(
    storage: &S,
    user: UserId,
    filter: &HistoryFilter,
    limit: u32,
) -> Vec<Call> {
    let mut seen = Vec::new();
    for page in 1.. {
        let got = history(
            storage,
            query(user, filter.clone(), Some(page), limit, None),
        )
        .await;
        let last = got.next_cursor.is_none();
        seen.extend(got.calls);
        if last {
            return seen;
        }
    }
    unreachable!("pages are finite")
}

/// Every page by cursor, calling `between_pages` after each page.
async fn all_pages_by_cursor<S, F>(
    storage: &S,
    user: UserId,
    filter: &HistoryFilter,
    limit: u32,
    mut between_pages: F,
) -> Vec<Call>
where
    S: CallHistory,
    F: AsyncFnMut(),
{
    let mut seen = Vec::new();
    let mut cursor = None;
    for expected_page in 1u32.. {
        let got: HistoryPage =
            history(storage, query(user, filter.clone(), None, limit, cursor)).await;
        seen.extend(got.calls);
        match got.next_cursor {
            Some(next) => {
                assert_eq!(next.page, expected_page + 1, "cursors count pages");
                cursor = Some(next);
            }
            None => return seen,
        }
        between_pages().await;
    }
    unreachable!("pages are finite")
}

pub async fn walking_cursors_visits_what_page_numbers_visit<S: StorageUnderTest>(storage: S) {
    let alice = register(&storage, "alice@example.com").await;
    let bob = register(&storage, "bob@example.com").await;
    let mut calls = Vec::new();
    for i in 0..23 {
        // Groups of three share a start time, so pages split ties.
        let status = if i % 2 == 0 {
            CallStatus::Completed
        } else {
            CallStatus::Failed
        };
        let call = call_with_random_id(alice.id, (i / 3) * SECOND, status);
        calls.push(insert_call(&storage, call).await);
        place(&storage, bob.id, at((i / 3) * SECOND), status).await;
    }
    let mut next_arrival = 0;
    for (filter, limit) in [
        (HistoryFilter::default(), 5),
        (HistoryFilter::default(), 3),
        (filter(Some(CallStatus::Completed)), 4),
    ] {
        let wanted = newest_first(
            calls
                .iter()
                .filter(|call| filter.status.is_none_or(|status| call.status == status))
                .cloned()
                .collect(),
        );
        let by_number = all_pages_by_number(&storage, alice.id, &filter, limit).await;
        assert_eq!(
            ids(&by_number),
            ids(&wanted),
            "page numbers visit every call once, in order"
        );

        let mut arrivals = Vec::new();
        let by_cursor = all_pages_by_cursor(&storage, alice.id, &filter, limit, async || {
            // New calls arrive while the user pages: newer than everything, they must not
            // shift the following pages.
            next_arrival += 1;
            arrivals.push(
                place(
                    &storage,
                    alice.id,
                    at(HOUR + next_arrival),
                    CallStatus::Completed,
                )
                .await,
            );
        })
        .await;
        assert!(!arrivals.is_empty(), "the walk spanned several pages");
        let unique: HashSet<CallId> = by_cursor.iter().map(|call| call.id).collect();
        assert_eq!(unique.len(), by_cursor.len(), "no call appears twice");
        assert_eq!(
            ids(&by_cursor),
            ids(&by_number),
            "cursors visit the same sequence as page numbers did, despite the inserts"
        );
        calls.extend(arrivals);
    }
}

pub async fn history_never_shows_other_users_calls<S: StorageUnderTest>(storage: S) {
    let alice = register(&storage, "alice@example.com").await;
    let bob = register(&storage, "bob@example.com").await;
    let carol = register(&storage, "carol@example.com").await;
    for i in 0..3 {
        place(&storage, alice.id, at(i * SECOND), CallStatus::Completed).await;
    }
    for i in 0..4 {
        place(&storage, bob.id, at(i * SECOND), CallStatus::Completed).await;
    }
    let mut cursor = None;
    let mut seen = 0;
    loop {
        let page = history(
            &storage,
            query(alice.id, HistoryFilter::default(), None, 2, cursor),
        )
        .await;
        assert_eq!(page.total, 3, "only alice's calls are counted");
        assert!(
            page.calls.iter().all(|call| call.user_id == alice.id),
            "only alice's calls are listed"
        );
        seen += page.calls.len();
        cursor = page.next_cursor;
        if cursor.is_none() {
            break;
        }
    }
    assert_eq!(seen, 3);
    let empty = history(
        &storage,
        query(carol.id, HistoryFilter::default(), None, 20, None),
    )
    .await;
    assert_eq!(
        empty,
        HistoryPage {
            calls: Vec::new(),
            total: 0,
            next_cursor: None,
        },
        "a user without calls has an empty history"
    );
}

/// Totals over ranges of many days, whose ends fall inside days, on midnight and one
/// microsecond before it, with and without a status, after status changes: the storage may
/// answer from per-day counters, and must still count exactly the matching calls.
pub async fn history_totals_over_many_days_count_exactly_the_matching_calls<S: StorageUnderTest>(
    storage: S,
) {
    use calls_core::domain::StatusChange;

    const DAY: i64 = 24 * HOUR;
    let alice = register(&storage, "alice@example.com").await;
    // The offset of the UTC midnight that starts the fixtures' base day.
    let base = at(0);
    let midnight = -(i64::from(chrono::Timelike::num_seconds_from_midnight(&base)) * SECOND
        + i64::from(chrono::Timelike::nanosecond(&base) / 1_000));
    let placed = [
        (midnight - DAY - 1, CallStatus::Completed),
        (midnight - 1, CallStatus::Completed),
        (midnight, CallStatus::Failed),
        (midnight + 5 * HOUR, CallStatus::Completed),
        (midnight + DAY - 1, CallStatus::Canceled),
        (midnight + DAY, CallStatus::Completed),
        (midnight + 2 * DAY + 3 * HOUR, CallStatus::Initiated),
        (midnight + 2 * DAY + 3 * HOUR, CallStatus::Completed),
        (midnight + 5 * DAY + 12 * HOUR, CallStatus::Initiated),
        (midnight + 9 * DAY + 1, CallStatus::Failed),
        (midnight + 40 * DAY, CallStatus::Completed),
    ];
    let mut calls = Vec::new();
    for (offset, status) in placed {
        calls.push(place(&storage, alice.id, at(offset), status).await);
    }
    // Status changes move calls between counters: both initiated calls end as failed.
    for call in calls.iter_mut() {
        if call.status == CallStatus::Initiated {
            *call = storage
                .transition(call.id, StatusChange::to(CallStatus::Failed, at(0)))
                .await
                .expect("an initiated call can fail");
        }
    }
    let ranges = [
        (None, None),
        (Some(midnight), Some(midnight + DAY - 1)),
        (Some(midnight + 1), Some(midnight + 2 * DAY + 3 * HOUR)),
        (None, Some(midnight + 5 * DAY)),
        (Some(midnight - 1), None),
        (Some(midnight + 3 * HOUR), Some(midnight + 9 * DAY + 1)),
        (Some(midnight - DAY), Some(midnight + 40 * DAY)),
        (Some(midnight + DAY), Some(midnight + DAY)),
        (Some(midnight + 2 * DAY), Some(midnight + 3 * DAY - 1)),
        // Ranges whose days cover every day the user has calls on (the total is then the
        // user's total minus the days outside the whole days, when no status is filtered):
        // the span exactly, wider, open at the start, and starting one microsecond after the
        // first call (its day covered, the call itself not).
        (Some(midnight - DAY - 1), Some(midnight + 40 * DAY)),
        (Some(midnight - 3 * DAY), Some(midnight + 41 * DAY)),
        (None, Some(midnight + 40 * DAY + HOUR)),
        (Some(midnight - DAY), Some(midnight + 40 * DAY + HOUR)),
        (Some(midnight - 2 * DAY + 1), Some(midnight + 40 * DAY - 1)),
    ];
    for (from, to) in ranges {
        for status in [
            None,
            Some(CallStatus::Completed),
            Some(CallStatus::Failed),
            Some(CallStatus::Initiated),
        ] {
            let wanted = calls
                .iter()
                .filter(|call| from.is_none_or(|from| call.start_time >= at(from)))
                .filter(|call| to.is_none_or(|to| call.start_time <= at(to)))
                .filter(|call| status.is_none_or(|status| call.status == status))
                .count();
            let filter = HistoryFilter {
                status,
                ..between(from, to)
            };
            let page = history(&storage, query(alice.id, filter, None, 2, None)).await;
            assert_eq!(
                page.total, wanted as u64,
                "total from {from:?} to {to:?} (offsets from midnight {midnight}), status {status:?}"
            );
            assert_eq!(
                page.calls.len(),
                wanted.min(2),
                "the page holds the matches"
            );
        }
    }
}
