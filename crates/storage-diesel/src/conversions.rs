//! The conversions between stored values and the domain that do not depend on the backend's
//! column types (those are each backend's `columns` module).
//!
//! Reading never panics on odd data: a value the domain cannot represent (an unknown status, a
//! negative duration) becomes [`StorageError::Unexpected`]. The migrations normalize legacy rows
//! so that this does not happen to them.

use calls_core::domain::{CallStatus, DurationSource, Email};
use calls_core::ports::StorageError;

/// The stored (and looked-up) form of an email. [`Email`] is already lower case when it was
/// parsed; lower-casing again covers addresses built with `Email::from_trusted`, so that the
/// unique index alone decides "taken" in any letter case.
pub fn stored_email(email: &Email) -> String {
    email.as_str().to_lowercase()
}

/// A stored status text as the domain's status.
pub fn parse_status(text: &str, of: impl std::fmt::Display) -> Result<CallStatus, StorageError> {
    text.parse()
        .map_err(|_| StorageError::unexpected(format!("{of} has an unknown status {text:?}")))
}

/// A stored duration; the Go backend allowed NULL, which means "not measured", i.e. 0 s.
pub fn parse_duration(
    column: Option<i32>,
    of: impl std::fmt::Display,
) -> Result<u32, StorageError> {
    u32::try_from(column.unwrap_or(0))
        .map_err(|_| StorageError::unexpected(format!("{of} has a negative duration")))
}

/// A duration in the column's type (`integer`): 68 years of seconds is the limit.
pub fn duration_column(seconds: u32) -> Result<i32, StorageError> {
    i32::try_from(seconds).map_err(|_| {
        StorageError::unexpected(format!("a duration of {seconds} s cannot be stored"))
    })
}

/// A provider's sequence number in the column's type (`bigint`).
pub fn sequence_column(sequence: u64) -> Result<i64, StorageError> {
    i64::try_from(sequence).map_err(|_| {
        StorageError::unexpected(format!("a sequence number of {sequence} cannot be stored"))
    })
}

/// A stored sequence number or ledger version; negative ones are refused by a constraint.
pub fn parse_sequence(column: i64, of: impl std::fmt::Display) -> Result<u64, StorageError> {
    u64::try_from(column)
        .map_err(|_| StorageError::unexpected(format!("{of} has a negative sequence number")))
}

/// A stored duration source text as the domain's.
pub fn parse_duration_source(
    text: &str,
    of: impl std::fmt::Display,
) -> Result<DurationSource, StorageError> {
    text.parse().map_err(|_| {
        StorageError::unexpected(format!("{of} has an unknown duration source {text:?}"))
    })
}

/// The text form of statuses, for `status IN (...)` guards.
pub fn status_texts(statuses: impl IntoIterator<Item = CallStatus>) -> Vec<&'static str> {
    statuses.into_iter().map(CallStatus::as_str).collect()
}

/// A database count (`bigint`) as a count; a negative one cannot happen and reads as 0.
pub fn count(rows: i64) -> u64 {
    u64::try_from(rows).unwrap_or(0)
}

/// How many rows a statement touched (`usize`) as a count.
pub fn touched(rows: usize) -> u64 {
    u64::try_from(rows).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn odd_stored_values_are_errors_not_panics() {
        assert!(parse_status("ringing", "call 1").is_err());
        assert_eq!(parse_status("active", "call 1"), Ok(CallStatus::Active));
        assert!(parse_duration(Some(-1), "call 1").is_err());
        assert_eq!(parse_duration(None, "call 1"), Ok(0));
        assert!(duration_column(u32::MAX).is_err());
        assert_eq!(count(-5), 0);
        assert!(sequence_column(u64::MAX).is_err());
        assert_eq!(sequence_column(7), Ok(7));
        assert!(parse_sequence(-1, "call 1").is_err());
        assert!(parse_duration_source("ours", "call 1").is_err());
        assert_eq!(
            parse_duration_source("dialled_leg", "call 1"),
            Ok(DurationSource::DialledLeg)
        );
    }
}
