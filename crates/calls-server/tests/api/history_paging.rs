//! `GET /api/calls/history`: page sizes, page numbers and the keyset cursor.

use std::cmp::Reverse;
use std::collections::HashSet;

use calls_core::domain::CallStatus;
use chrono::{DateTime, TimeDelta, Utc};
use serde_json::{Value, json};

use crate::assertions::assert_invalid;
use crate::fixtures::TestUser;
use crate::helpers::TestApp;
use crate::history_support::{empty_page, history_ok, history_raw, ids};
use crate::on_all_backends;
use crate::seeding::{Seeded, Seeder, at, seeded_ids};

on_all_backends!(
    limit_defaults_to_20_caps_at_100_and_caps_the_page,
    pages_beyond_the_end_are_empty_with_the_total,
    cursor_walk_equals_the_page_number_walk,
    cursor_walk_is_stable_while_new_calls_arrive,
    cursor_walk_honours_filters,
);

fn next_cursor(body: &Value) -> Option<String> {
    body.get("next_cursor")
        .and_then(Value::as_str)
        .map(str::to_owned)
}

async fn limit_defaults_to_20_caps_at_100_and_caps_the_page(app: TestApp) {
    let user = app.new_user().await;
    let seeder = Seeder::new(&app, &user).await;
    let seeded = seeder.many(at("2026-02-01T00:00:00Z"), 25).await;

    let default = history_ok(&app, &user.token, &[]).await;
    assert_eq!(
        (
            default["page"].clone(),
            default["limit"].clone(),
            default["total"].clone()
        ),
        (json!(1), json!(20), json!(25))
    );
    assert_eq!(ids(&default), seeded_ids(&seeded[..20]));
    assert!(next_cursor(&default).is_some(), "more follow: {default}");

    let second = history_ok(&app, &user.token, &[("page", "2")]).await;
    assert_eq!(ids(&second), seeded_ids(&seeded[20..]));
    assert_eq!(
        (second["page"].clone(), second["limit"].clone()),
        (json!(2), json!(20))
    );
    assert!(next_cursor(&second).is_none(), "last page: {second}");

    for (limit, shown, more) in [
        ("1", 1, true),
        ("24", 24, true),
        ("25", 25, false),
        ("26", 25, false),
        ("100", 25, false),
    ] {
        let body = history_ok(&app, &user.token, &[("limit", limit)]).await;
        assert_eq!(ids(&body), seeded_ids(&seeded[..shown]), "limit={limit}");
        assert_eq!(
            body["limit"],
            json!(limit.parse::<u32>().expect("number")),
            "limit={limit}"
        );
        assert_eq!(body["total"], json!(25), "limit={limit}");
        assert_eq!(next_cursor(&body).is_some(), more, "limit={limit}: {body}");
    }
    let response = history_raw(&app, &user.token, "limit=101").await;
    assert_invalid("limit=101", response, "limit").await;

    // A full history of 150 calls still comes back at most 100 at a time.
    let more = seeder.many(at("2026-01-01T00:00:00Z"), 125).await;
    let body = history_ok(&app, &user.token, &[("limit", "100")]).await;
    assert_eq!(body["calls"].as_array().map(Vec::len), Some(100));
    assert_eq!(body["total"], json!(150));
    let last = history_ok(&app, &user.token, &[("limit", "100"), ("page", "2")]).await;
    assert_eq!(ids(&last), seeded_ids(&more[75..]));
}

async fn pages_beyond_the_end_are_empty_with_the_total(app: TestApp) {
    let user = app.new_user().await;
    let seeder = Seeder::new(&app, &user).await;
    let seeded = seeder.many(at("2026-02-01T00:00:00Z"), 25).await;
    let third = history_ok(&app, &user.token, &[("page", "3"), ("limit", "10")]).await;
    assert_eq!(ids(&third), seeded_ids(&seeded[20..]));
    assert!(next_cursor(&third).is_none());
    for page in ["4", "5", "1000000"] {
        let body = history_ok(&app, &user.token, &[("page", page), ("limit", "10")]).await;
        let page_number: u32 = page.parse().expect("number");
        assert_eq!(
            body,
            json!({ "calls": [], "total": 25, "page": page_number, "limit": 10 }),
            "page={page}"
        );
    }
    let filtered = history_ok(&app, &user.token, &[("page", "2"), ("status", "failed")]).await;
    assert_eq!(filtered, empty_page(2));
}

/// 45 calls in groups of three sharing a start time, so that page boundaries fall inside
/// groups and only the id tie-break keeps the order total.
async fn seed_grouped(
    app: &TestApp,
    user: &TestUser,
    newest: DateTime<Utc>,
    n: i64,
) -> Vec<Seeded> {
    let seeder = Seeder::new(app, user).await;
    let mut seeded = Vec::new();
    for i in 0..n {
        let start = newest - TimeDelta::seconds(i / 3);
        let status = if i % 4 == 0 {
            CallStatus::Failed
        } else {
            CallStatus::Completed
        };
        let duration = u32::try_from(i).expect("small");
        seeded.push(seeder.call(start, status, duration).await);
    }
    // Newest first: start time, then id, both descending.
    seeded.sort_by_key(|s| Reverse((s.start, s.id)));
    seeded
}

/// Follows `next_cursor` from the first page; returns each page's body.
async fn walk_by_cursor(app: &TestApp, token: &str, params: &[(&str, &str)]) -> Vec<Value> {
    let mut pages = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut query = params.to_vec();
        if let Some(cursor) = &cursor {
            query.push(("cursor", cursor));
        }
        let body = history_ok(app, token, &query).await;
        cursor = next_cursor(&body);
        pages.push(body);
        if cursor.is_none() {
            return pages;
        }
        assert!(pages.len() < 100, "the walk ends");
    }
}

fn assert_no_duplicates(walked: &[String]) {
    let unique: HashSet<&String> = walked.iter().collect();
    assert_eq!(unique.len(), walked.len(), "no call listed twice");
}

async fn cursor_walk_equals_the_page_number_walk(app: TestApp) {
    let user = app.new_user().await;
    let expected = seeded_ids(&seed_grouped(&app, &user, at("2026-03-01T12:00:00Z"), 45).await);

    let mut by_number = Vec::new();
    for page in 1..=5 {
        let body = history_ok(
            &app,
            &user.token,
            &[("limit", "10"), ("page", &page.to_string())],
        )
        .await;
        assert_eq!(body["page"], json!(page));
        assert_eq!(next_cursor(&body).is_some(), page < 5, "page {page}");
        by_number.extend(ids(&body));
    }
    assert_eq!(by_number, expected);

    let pages = walk_by_cursor(&app, &user.token, &[("limit", "10")]).await;
    assert_eq!(pages.len(), 5);
    let sizes: Vec<usize> = pages.iter().map(|p| ids(p).len()).collect();
    assert_eq!(sizes, [10, 10, 10, 10, 5]);
    for (index, page) in pages.iter().enumerate() {
        assert_eq!(page["page"], json!(index + 1), "the page field counts up");
        assert_eq!(
            (page["total"].clone(), page["limit"].clone()),
            (json!(45), json!(10))
        );
    }
    let walked: Vec<String> = pages.iter().flat_map(ids).collect();
    assert_no_duplicates(&walked);
    assert_eq!(walked, expected, "same sequence, no gaps");

    // A cursor from a page-number request continues after that page; it wins over `page`.
    let third = history_ok(&app, &user.token, &[("limit", "10"), ("page", "3")]).await;
    let cursor = next_cursor(&third).expect("more follow page 3");
    let fourth = history_ok(
        &app,
        &user.token,
        &[("limit", "10"), ("page", "1"), ("cursor", &cursor)],
    )
    .await;
    assert_eq!(fourth["page"], json!(4));
    assert_eq!(ids(&fourth), expected[30..40]);
    // The cursor carries a position, not a page size.
    let rest = history_ok(&app, &user.token, &[("limit", "100"), ("cursor", &cursor)]).await;
    assert_eq!(ids(&rest), expected[30..]);
    assert!(next_cursor(&rest).is_none());
}

async fn cursor_walk_is_stable_while_new_calls_arrive(app: TestApp) {
    let user = app.new_user().await;
    let newest = at("2026-03-01T12:00:00Z");
    let expected = seeded_ids(&seed_grouped(&app, &user, newest, 45).await);
    let seeder = Seeder::new(&app, &user).await;

    let mut walked = Vec::new();
    let mut pages_seen = Vec::new();
    let mut cursor: Option<String> = None;
    let mut arrivals = 0;
    loop {
        let mut query = vec![("limit", "10")];
        if let Some(cursor) = &cursor {
            query.push(("cursor", cursor.as_str()));
        }
        let body = history_ok(&app, &user.token, &query).await;
        assert_eq!(
            body["total"],
            json!(45 + arrivals),
            "total counts the new calls too"
        );
        pages_seen.push(body["page"].clone());
        walked.extend(ids(&body));
        cursor = next_cursor(&body);
        if cursor.is_none() {
            break;
        }
        // New calls, newer than everything, arrive between pages (three at the same instant).
        for i in 0..3 {
            let start = newest + TimeDelta::minutes(10 + arrivals) + TimeDelta::seconds(i / 2);
            seeder.call(start, CallStatus::Initiated, 0).await;
        }
        arrivals += 3;
    }
    assert_eq!(
        pages_seen,
        [json!(1), json!(2), json!(3), json!(4), json!(5)]
    );
    assert_no_duplicates(&walked);
    assert_eq!(
        walked, expected,
        "the original walk, untouched by the arrivals"
    );

    // Page numbers, by contrast, now start with the arrivals.
    let first = history_ok(&app, &user.token, &[("limit", "10")]).await;
    assert_eq!(first["total"], json!(45 + arrivals));
    assert!(ids(&first).iter().all(|id| !expected.contains(id)));
}

async fn cursor_walk_honours_filters(app: TestApp) {
    let user = app.new_user().await;
    let seeded = seed_grouped(&app, &user, at("2026-03-01T12:00:00Z"), 45).await;
    // Calls from the window below, completed only, newest first.
    let from = at("2026-03-01T11:59:50Z");
    let to = at("2026-03-01T11:59:58Z");
    let expected: Vec<Seeded> = seeded
        .into_iter()
        .filter(|s| s.status == CallStatus::Completed && s.start >= from && s.start <= to)
        .collect();
    assert!(expected.len() > 7, "enough for several pages");
    let filters = [
        ("status", "completed"),
        ("date_from", "2026-03-01T11:59:50Z"),
        ("date_to", "2026-03-01T12:59:58+01:00"),
        ("limit", "3"),
    ];
    let pages = walk_by_cursor(&app, &user.token, &filters).await;
    assert_eq!(pages.len(), expected.len().div_ceil(3));
    for page in &pages {
        assert_eq!(page["total"], json!(expected.len()));
    }
    let walked: Vec<String> = pages.iter().flat_map(ids).collect();
    assert_no_duplicates(&walked);
    assert_eq!(walked, seeded_ids(&expected));
    let mut by_number = Vec::new();
    for page in 1..=pages.len() {
        let page = page.to_string();
        by_number.extend(ids(&history_ok(
            &app,
            &user.token,
            &[
                filters[0],
                filters[1],
                filters[2],
                filters[3],
                ("page", &page),
            ],
        )
        .await));
    }
    assert_eq!(by_number, walked);
}
