//! The one spelling of a time in everything the program writes for other
//! programs and for the command line (history, exports, result and wait
//! lines): RFC 3339 in UTC with exactly three fraction digits,
//! `2026-12-02T01:47:07.123Z`, so columns line up and every reader parses
//! the same shape. The dashboard shows times in the local zone and names
//! that zone once ([`zone_label`]).

use jiff::Timestamp;
use jiff::tz::TimeZone;

/// `at` as RFC 3339 UTC with milliseconds: `2026-12-02T01:47:07.123Z`.
pub fn rfc3339(at: Timestamp) -> String {
    // Cut to the millisecond first: the precision flag alone would round.
    let ms = Timestamp::from_millisecond(at.as_millisecond()).unwrap_or(at);
    format!("{ms:.3}")
}

/// [`rfc3339`] of a time kept as milliseconds since the Unix epoch (the
/// store's times); empty for one out of range.
pub fn rfc3339_ms(ms: i64) -> String {
    Timestamp::from_millisecond(ms)
        .map(rfc3339)
        .unwrap_or_default()
}

/// The name of the zone `tz` stands for, for the one place the dashboard
/// says which zone its times are in: the IANA name when there is one
/// (`Europe/Berlin`, `UTC`), else the offset in effect at `now` (`+01:00`).
pub fn zone_label(tz: &TimeZone, now: Timestamp) -> String {
    if let Some(name) = tz.iana_name() {
        return name.to_owned();
    }
    let seconds = tz.to_offset(now).seconds();
    if seconds == 0 {
        return "UTC".to_owned();
    }
    let sign = if seconds < 0 { '-' } else { '+' };
    let minutes = seconds.unsigned_abs() / 60;
    format!("{sign}{:02}:{:02}", minutes / 60, minutes % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_time_has_three_fraction_digits_in_utc() {
        let at = |s: &str| rfc3339(s.parse().unwrap());
        assert_eq!(at("2026-12-02T01:47:07Z"), "2026-12-02T01:47:07.000Z");
        assert_eq!(at("2026-12-02T01:47:07.1Z"), "2026-12-02T01:47:07.100Z");
        assert_eq!(
            at("2026-12-02T01:47:07.123999Z"),
            "2026-12-02T01:47:07.123Z",
            "cut, not rounded"
        );
        assert_eq!(
            at("2026-12-02T02:47:07.5+01:00"),
            "2026-12-02T01:47:07.500Z"
        );
        assert_eq!(rfc3339_ms(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(rfc3339_ms(-1), "1969-12-31T23:59:59.999Z");
    }

    #[test]
    fn a_zone_is_named_or_given_as_its_offset() {
        let now: Timestamp = "2026-12-02T01:47:07Z".parse().unwrap();
        assert_eq!(zone_label(&TimeZone::UTC, now), "UTC");
        let fixed = TimeZone::fixed(jiff::tz::offset(1));
        assert_eq!(zone_label(&fixed, now), "+01:00");
        let west = TimeZone::fixed(jiff::tz::Offset::from_seconds(-(3 * 3600 + 30 * 60)).unwrap());
        assert_eq!(zone_label(&west, now), "-03:30");
        let posix = TimeZone::posix("EST5EDT,M3.2.0,M11.1.0").unwrap();
        assert_eq!(zone_label(&posix, now), "-05:00");
    }
}
