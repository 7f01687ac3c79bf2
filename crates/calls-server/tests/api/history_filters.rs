//! `GET /api/calls/history`: date bounds (inclusive, at the exact instant, in any offset), the
//! status filter, `total` under filters, and rendering in a time zone.

use calls_core::domain::CallStatus;
use chrono::TimeDelta;
use serde_json::{Value, json};

use crate::helpers::TestApp;
use crate::history_support::{empty_page, history_ok, ids};
use crate::on_all_backends;
use crate::seeding::{Seeded, Seeder, at, seeded_ids};

on_all_backends!(
    date_bounds_are_inclusive_at_the_exact_instant,
    date_filters_accept_any_offset,
    status_filter_and_total_under_filters,
    times_render_in_the_requested_zone,
);

/// A row of the date-window table: its name, the query, and the calls it must list.
type WindowCase<'a> = (&'a str, &'a [(&'a str, &'a str)], &'a [&'a Seeded]);

async fn date_bounds_are_inclusive_at_the_exact_instant(app: TestApp) {
    let user = app.new_user().await;
    let seeder = Seeder::new(&app, &user).await;
    let (from_text, to_text) = ("2026-01-10T08:00:00Z", "2026-01-20T18:30:00Z");
    let (from, to) = (at(from_text), at(to_text));
    let micro = TimeDelta::microseconds(1);
    let completed = |start, duration| seeder.call(start, CallStatus::Completed, duration);
    let before = completed(from - micro, 1).await;
    let at_from = completed(from, 2).await;
    let inside = completed(from + TimeDelta::days(5), 3).await;
    let at_to = completed(to, 4).await;
    let after = completed(to + micro, 5).await;
    // Newest first, as the history lists them.
    let all = [&after, &at_to, &inside, &at_from, &before];
    let cases: [WindowCase; 5] = [
        (
            "the window",
            &[("date_from", from_text), ("date_to", to_text)],
            &all[1..4],
        ),
        ("only date_from", &[("date_from", from_text)], &all[..4]),
        ("only date_to", &[("date_to", to_text)], &all[1..]),
        // A one-instant window holds exactly the call at that instant.
        (
            "one instant",
            &[("date_from", from_text), ("date_to", from_text)],
            &all[3..4],
        ),
        // Fractional bounds are honoured to the microsecond.
        (
            "fractional bounds",
            &[
                ("date_from", "2026-01-10T07:59:59.999999Z"),
                ("date_to", "2026-01-20T18:30:00.000001Z"),
            ],
            &all,
        ),
    ];
    for (case, params, expected) in cases {
        let body = history_ok(&app, &user.token, params).await;
        let expected: Vec<String> = expected.iter().map(|s| s.id.to_string()).collect();
        assert_eq!(ids(&body), expected, "{case}");
        assert_eq!(body["total"], json!(expected.len()), "{case}");
    }
    let outside = [("date_from", "2026-01-20T18:30:00.000002Z")];
    assert_eq!(history_ok(&app, &user.token, &outside).await, empty_page(1));
}

async fn date_filters_accept_any_offset(app: TestApp) {
    let user = app.new_user().await;
    let seeder = Seeder::new(&app, &user).await;
    let completed = |start, duration| seeder.at(start, CallStatus::Completed, duration);
    completed("2026-01-15T09:59:59Z", 1).await;
    let exact = completed("2026-01-15T10:00:00Z", 2).await;
    let late = completed("2026-01-15T10:00:01Z", 3).await;
    // The same instant, 10:00:00Z, written with different offsets.
    for instant in [
        "2026-01-15T10:00:00Z",
        "2026-01-15T10:00:00+00:00",
        "2026-01-15T11:00:00+01:00",
        "2026-01-15T05:00:00-05:00",
        "2026-01-15T15:30:00+05:30",
        "2026-01-15t10:00:00z",
    ] {
        let from = history_ok(&app, &user.token, &[("date_from", instant)]).await;
        assert_eq!(
            ids(&from),
            seeded_ids(&[late.clone(), exact.clone()]),
            "date_from={instant}"
        );
        let to = history_ok(
            &app,
            &user.token,
            &[("date_to", instant), ("status", "completed")],
        )
        .await;
        assert_eq!(to["total"], json!(2), "date_to={instant}");
        assert_eq!(
            ids(&to).first(),
            Some(&exact.id.to_string()),
            "date_to={instant}"
        );
    }
}

async fn status_filter_and_total_under_filters(app: TestApp) {
    let user = app.new_user().await;
    let seeder = Seeder::new(&app, &user).await;
    let statuses = [
        CallStatus::Completed,
        CallStatus::Failed,
        CallStatus::Completed,
        CallStatus::Active,
        CallStatus::Completed,
        CallStatus::Canceled,
        CallStatus::Initiated,
        CallStatus::Completed,
        CallStatus::Connecting,
        CallStatus::Failed,
    ];
    let newest = at("2026-04-01T00:00:00Z");
    let mut seeded = Vec::new();
    for (i, status) in statuses.iter().enumerate() {
        let start = newest - TimeDelta::hours(i64::try_from(i).expect("small"));
        seeded.push(seeder.call(start, *status, 10).await);
    }
    for status in CallStatus::ALL {
        let body = history_ok(&app, &user.token, &[("status", status.as_str())]).await;
        let expected: Vec<_> = seeded
            .iter()
            .filter(|s| s.status == status)
            .cloned()
            .collect();
        assert_eq!(ids(&body), seeded_ids(&expected), "status={status}");
        assert_eq!(body["total"], json!(expected.len()), "status={status}");
    }
    // Status and dates together, paged: total counts every match, not the page.
    let filters = [
        ("status", "completed"),
        ("date_to", "2026-03-31T23:00:00Z"),
        ("limit", "1"),
    ];
    let body = history_ok(&app, &user.token, &filters).await;
    assert_eq!(
        body["total"],
        json!(3),
        "completed calls at or before 23:00"
    );
    assert_eq!(ids(&body), seeded_ids(&seeded[2..3]));
    assert_eq!(body["limit"], json!(1));
    let page3 = history_ok(
        &app,
        &user.token,
        &[filters[0], filters[1], filters[2], ("page", "3")],
    )
    .await;
    assert_eq!(ids(&page3), seeded_ids(&seeded[7..8]));
    assert_eq!(
        (page3["total"].clone(), page3["page"].clone()),
        (json!(3), json!(3))
    );
    assert!(page3.get("next_cursor").is_none(), "last page: {page3}");
    let none = history_ok(
        &app,
        &user.token,
        &[("status", "failed"), ("date_from", "2026-04-01T00:00:00Z")],
    )
    .await;
    assert_eq!(none, empty_page(1));
}

async fn times_render_in_the_requested_zone(app: TestApp) {
    let user = app.new_user().await;
    let seeder = Seeder::new(&app, &user).await;
    let completed = |start| seeder.at(start, CallStatus::Completed, 1);
    let winter = completed("2026-01-15T10:00:00Z").await;
    let summer = completed("2026-07-15T10:00:00Z").await;
    // 25 October 2026: Berlin leaves summer time at 01:00 UTC, so 02:30 local happens twice.
    let before_switch = completed("2026-10-25T00:30:00Z").await;
    let after_switch = completed("2026-10-25T01:30:00Z").await;
    let order = [&after_switch, &before_switch, &summer, &winter];
    let rendered = |body: &Value| -> Vec<String> {
        body["calls"]
            .as_array()
            .expect("calls")
            .iter()
            .map(|c| c["startTime"].as_str().expect("time").to_owned())
            .collect()
    };
    let cases: [(Option<&str>, [&str; 4]); 4] = [
        (
            None,
            [
                "2026-10-25T01:30:00Z",
                "2026-10-25T00:30:00Z",
                "2026-07-15T10:00:00Z",
                "2026-01-15T10:00:00Z",
            ],
        ),
        (
            Some("Europe/Berlin"),
            [
                "2026-10-25T02:30:00+01:00",
                "2026-10-25T02:30:00+02:00",
                "2026-07-15T12:00:00+02:00",
                "2026-01-15T11:00:00+01:00",
            ],
        ),
        (
            Some("Asia/Kolkata"),
            [
                "2026-10-25T07:00:00+05:30",
                "2026-10-25T06:00:00+05:30",
                "2026-07-15T15:30:00+05:30",
                "2026-01-15T15:30:00+05:30",
            ],
        ),
        (
            Some("America/New_York"),
            [
                "2026-10-24T21:30:00-04:00",
                "2026-10-24T20:30:00-04:00",
                "2026-07-15T06:00:00-04:00",
                "2026-01-15T05:00:00-05:00",
            ],
        ),
    ];
    for (zone, expected) in cases {
        let params: Vec<(&str, &str)> = zone.map(|zone| ("tz", zone)).into_iter().collect();
        let body = history_ok(&app, &user.token, &params).await;
        assert_eq!(
            ids(&body),
            order.iter().map(|s| s.id.to_string()).collect::<Vec<_>>(),
            "{params:?}"
        );
        assert_eq!(rendered(&body), expected, "{params:?}");
    }
    // An explicit UTC zone renders the same instants.
    let utc = history_ok(&app, &user.token, &[("tz", "UTC")]).await;
    for (text, seeded) in rendered(&utc).iter().zip(order) {
        let parsed = chrono::DateTime::parse_from_rfc3339(text).expect("RFC 3339");
        assert_eq!(parsed.to_utc(), seeded.start, "{text}");
        assert_eq!(parsed.offset().local_minus_utc(), 0, "{text}");
    }
    // The zone changes only the rendering, never which calls match.
    let filtered = history_ok(
        &app,
        &user.token,
        &[
            ("tz", "Asia/Kolkata"),
            ("date_from", "2026-07-15T10:00:00Z"),
        ],
    )
    .await;
    assert_eq!(filtered["total"], json!(3));
}
