//! How a date-filtered history total is split between the per-day counters and the calls.
//!
//! `user_call_day_counts` (kept by triggers on both backends) holds one row per user, UTC day
//! and status. A range `[from, to]` covers whole days, whose counts are summed, and at most two
//! partial days at its ends, whose calls are counted from the `(user_id, start_time ...)` index.
//! The total then costs at most one counter row per day and status of the range plus the calls
//! of two days, whatever the number of calls that match: the 30-day filter on a 100,000-call
//! user counted 8,146 rows before.

use chrono::{DateTime, Utc};

const SECONDS_PER_DAY: i64 = 86_400;

/// The day number the counters use: whole days since 1970-01-01 UTC, floored (the migrations
/// compute the same integer: `floor(extract(epoch ...) / 86400)` in PostgreSQL, a floored
/// division of the microseconds in SQLite).
pub fn day_of(time: DateTime<Utc>) -> i32 {
    let day = time.timestamp().div_euclid(SECONDS_PER_DAY);
    i32::try_from(day).unwrap_or(if day < 0 { i32::MIN } else { i32::MAX })
}

/// The first instant of `day`.
fn midnight(day: i32) -> DateTime<Utc> {
    DateTime::from_timestamp(i64::from(day) * SECONDS_PER_DAY, 0).unwrap_or(DateTime::UNIX_EPOCH)
}

/// The parts of one filtered total. Every part is always present, so the total is one statement
/// of one shape (one prepared statement); a part with nothing to count is an empty range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CountedDays {
    /// Days whose counter rows are summed, inclusive; empty when `first > last`.
    pub whole_days: (i32, i32),
    /// Calls counted one by one at the start of the range: `from <= start_time < until`.
    pub head: (DateTime<Utc>, DateTime<Utc>),
    /// Calls counted one by one at the end of the range: `from <= start_time <= to`.
    pub tail: (DateTime<Utc>, DateTime<Utc>),
}

impl CountedDays {
    /// Splits the filter's `[from, to]` (both inclusive, either open).
    pub fn of(from: Option<DateTime<Utc>>, to: Option<DateTime<Utc>>) -> Self {
        // Empty ranges at the epoch: inside every backend's time range, and cheap (an index
        // probe that finds nothing).
        let epoch = DateTime::UNIX_EPOCH;
        let empty_head = (epoch, epoch);
        let empty_tail = (midnight(1), epoch);
        if let (Some(from), Some(to)) = (from, to)
            && (day_of(from) == day_of(to) || from > to)
        {
            // Within one day (or an empty range): its calls, counted, are the whole answer.
            return Self {
                whole_days: (1, 0),
                head: empty_head,
                tail: (from, to),
            };
        }
        let (first, head) = match from {
            None => (i32::MIN, empty_head),
            Some(from) if from == midnight(day_of(from)) => (day_of(from), empty_head),
            Some(from) => {
                let next = day_of(from).saturating_add(1);
                (next, (from, midnight(next)))
            }
        };
        let (last, tail) = match to {
            None => (i32::MAX, empty_tail),
            Some(to) => {
                let day = day_of(to);
                (day.saturating_sub(1), (midnight(day), to))
            }
        };
        Self {
            whole_days: (first, last),
            head,
            tail,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .expect("test time")
            .with_timezone(&Utc)
    }

    #[test]
    fn day_numbers_are_floored_days_since_the_epoch() {
        for (time, day) in [
            ("1970-01-01T00:00:00Z", 0),
            ("1970-01-01T23:59:59.999999Z", 0),
            ("1970-01-02T00:00:00Z", 1),
            ("1969-12-31T23:59:59.999999Z", -1),
            ("2026-12-03T12:00:00Z", 20_790),
        ] {
            assert_eq!(day_of(at(time)), day, "{time}");
        }
    }

    #[test]
    fn a_range_is_split_into_whole_days_and_two_partial_ends() {
        let split = CountedDays::of(
            Some(at("2026-10-04T12:21:00Z")),
            Some(at("2026-11-03T12:21:00Z")),
        );
        assert_eq!(
            split.whole_days,
            (
                day_of(at("2026-10-05T00:00:00Z")),
                day_of(at("2026-11-02T00:00:00Z"))
            )
        );
        assert_eq!(
            split.head,
            (at("2026-10-04T12:21:00Z"), at("2026-10-05T00:00:00Z"))
        );
        assert_eq!(
            split.tail,
            (at("2026-11-03T00:00:00Z"), at("2026-11-03T12:21:00Z"))
        );
    }

    #[test]
    fn a_range_starting_at_midnight_counts_its_first_day_whole() {
        let split = CountedDays::of(Some(at("2026-10-04T00:00:00Z")), None);
        assert_eq!(
            split.whole_days,
            (day_of(at("2026-10-04T00:00:00Z")), i32::MAX)
        );
        assert!(split.head.0 >= split.head.1, "no head: {split:?}");
        assert!(split.tail.0 > split.tail.1, "no tail: {split:?}");
    }

    #[test]
    fn an_open_start_sums_every_day_before_the_last() {
        let split = CountedDays::of(None, Some(at("2026-11-03T12:21:00Z")));
        assert_eq!(
            split.whole_days,
            (i32::MIN, day_of(at("2026-11-02T00:00:00Z")))
        );
        assert_eq!(
            split.tail,
            (at("2026-11-03T00:00:00Z"), at("2026-11-03T12:21:00Z"))
        );
    }

    #[test]
    fn a_range_within_one_day_or_reversed_is_counted_directly() {
        for (from, to) in [
            ("2026-11-03T01:00:00Z", "2026-11-03T02:00:00Z"),
            ("2026-11-03T05:00:00Z", "2026-11-01T02:00:00Z"),
        ] {
            let split = CountedDays::of(Some(at(from)), Some(at(to)));
            assert!(split.whole_days.0 > split.whole_days.1, "{split:?}");
            assert_eq!(split.tail, (at(from), at(to)));
            assert!(split.head.0 >= split.head.1, "{split:?}");
        }
    }

    #[test]
    fn no_dates_sum_every_day() {
        let split = CountedDays::of(None, None);
        assert_eq!(split.whole_days, (i32::MIN, i32::MAX));
    }
}
