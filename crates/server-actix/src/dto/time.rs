//! RFC 3339 rendering of times: `Z` for UTC, the zone's own offset otherwise, fractional
//! seconds only when there are any.

use chrono::{DateTime, SecondsFormat, Utc};
use chrono_tz::Tz;

pub fn rfc3339_utc(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

pub fn rfc3339_in(time: DateTime<Utc>, zone: Option<Tz>) -> String {
    match zone {
        None => rfc3339_utc(time),
        Some(zone) => time
            .with_timezone(&zone)
            .to_rfc3339_opts(SecondsFormat::AutoSi, false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_utc_with_z_and_zones_with_their_offset() {
        let time = DateTime::parse_from_rfc3339("2026-07-01T10:15:00Z")
            .expect("valid")
            .to_utc();
        assert_eq!(rfc3339_in(time, None), "2026-07-01T10:15:00Z");
        assert_eq!(
            rfc3339_in(time, Some(chrono_tz::Europe::Berlin)),
            "2026-07-01T12:15:00+02:00"
        );
        assert_eq!(
            rfc3339_in(time, Some(chrono_tz::Asia::Kolkata)),
            "2026-07-01T15:45:00+05:30"
        );
        let with_micros = time + chrono::TimeDelta::microseconds(1500);
        assert_eq!(rfc3339_utc(with_micros), "2026-07-01T10:15:00.001500Z");
    }
}
