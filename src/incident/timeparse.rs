//! Timestamps, dates and durations as postmortem authors write them.

use std::ops::RangeInclusive;

use jiff::Timestamp;
use jiff::civil::{Date, DateTime};
use jiff::tz::TimeZone;

/// The years a postmortem's dates and timestamps may fall in: wide enough
/// for history's postmortems (the Vasa sank in 1628), narrow enough to catch
/// typos (`9999-01-01`, `0224-03-01`) that would stretch every chart and
/// quarter list, or leave the calendar altogether.
pub const YEARS: RangeInclusive<i16> = 1000..=2999;

/// The longest duration an incident may have: ten years, in minutes. A
/// longer one is a typo, and would stretch the time-to-resolve charts.
pub const MAX_DURATION_MINUTES: f64 = 10.0 * 365.25 * 24.0 * 60.0;

/// Whether `date` falls within [`YEARS`].
pub fn date_in_range(date: Date) -> bool {
    YEARS.contains(&date.year())
}

/// Whether `timestamp` (in UTC) falls within [`YEARS`].
pub fn timestamp_in_range(timestamp: Timestamp) -> bool {
    YEARS.contains(&timestamp.to_zoned_datetime(TimeZone::UTC).year())
}

/// RFC 3339 (`2024-02-28T14:03:00Z`, `…-05:00`), or a local
/// `YYYY-MM-DD HH:MM[:SS]` (also with `T`) read in `tz`, optionally followed
/// by `UTC`/`Z`. A bare date means midnight in `tz`.
pub fn parse_timestamp(text: &str, tz: &TimeZone) -> Option<Timestamp> {
    let text = text.trim();
    if let Ok(ts) = text.parse::<Timestamp>() {
        return Some(ts);
    }
    let (local, utc) = match text
        .strip_suffix("UTC")
        .or_else(|| text.strip_suffix("GMT"))
    {
        Some(rest) => (rest.trim(), true),
        None => (text, false),
    };
    let zone = if utc { &TimeZone::UTC } else { tz };
    if let Ok(dt) = local.replacen(' ', "T", 1).parse::<DateTime>() {
        return dt
            .to_zoned_datetime(zone.clone())
            .ok()
            .map(|z| z.timestamp());
    }
    parse_date(local)
        .and_then(|d| d.to_zoned_datetime(zone.clone()).ok())
        .map(|z| z.timestamp())
}

/// `2024-02-28`, a timestamp's date part, or `February 28, 2024` / `28 February 2024`.
pub fn parse_date(text: &str) -> Option<Date> {
    let text = text.trim();
    if let Ok(date) = text.parse::<Date>() {
        return Some(date);
    }
    if let Some(prefix) = text.get(..10)
        && let Ok(date) = prefix.parse::<Date>()
    {
        return Some(date);
    }
    let cleaned = text.replace(',', " ");
    let cleaned = cleaned.split_whitespace().collect::<Vec<_>>().join(" ");
    for format in ["%B %d %Y", "%d %B %Y", "%b %d %Y", "%d %b %Y"] {
        if let Ok(date) = Date::strptime(format, &cleaned) {
            return Some(date);
        }
    }
    None
}

/// Minutes in `4h23m`, `4h 23m`, `44 minutes 35 seconds`, `1 hour 47 minutes`,
/// `2.5h`, `1d 2h`, `90` (minutes) or `01:30` (hours:minutes).
pub fn parse_duration(text: &str) -> Option<f64> {
    let text = text.trim().to_lowercase();
    if text.is_empty() {
        return None;
    }
    if let Ok(minutes) = text.parse::<f64>() {
        return (minutes >= 0.0 && minutes.is_finite()).then_some(minutes);
    }
    if let Some((h, rest)) = text.split_once(':') {
        let (m, s) = rest.split_once(':').unwrap_or((rest, "0"));
        if let (Ok(h), Ok(m), Ok(s)) = (h.parse::<u32>(), m.parse::<u32>(), s.parse::<u32>()) {
            return Some(f64::from(h) * 60.0 + f64::from(m) + f64::from(s) / 60.0);
        }
    }
    let mut total = 0.0;
    let mut matched = false;
    let mut rest = text.as_str();
    loop {
        rest = rest
            .trim_start_matches(|c: char| c.is_whitespace() || c == ',' || c == '~')
            .trim_start_matches("and ")
            .trim_start();
        if rest.is_empty() {
            break;
        }
        let number_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        if number_len == 0 {
            return None;
        }
        let value: f64 = rest[..number_len].parse().ok()?;
        rest = rest[number_len..].trim_start();
        let unit_len = rest
            .find(|c: char| !c.is_alphabetic())
            .unwrap_or(rest.len());
        let factor = match &rest[..unit_len] {
            "d" | "day" | "days" => 1440.0,
            "h" | "hr" | "hrs" | "hour" | "hours" => 60.0,
            "m" | "min" | "mins" | "minute" | "minutes" => 1.0,
            "s" | "sec" | "secs" | "second" | "seconds" => 1.0 / 60.0,
            _ => return None,
        };
        rest = &rest[unit_len..];
        total += value * factor;
        matched = true;
    }
    matched.then_some(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_in_every_accepted_form() {
        let utc = TimeZone::UTC;
        let ny = TimeZone::get("America/New_York").unwrap();
        let expect: Timestamp = "2025-01-14T14:23:47Z".parse().unwrap();
        assert_eq!(parse_timestamp("2025-01-14T14:23:47Z", &ny), Some(expect));
        assert_eq!(
            parse_timestamp("2025-01-14T09:23:47-05:00", &utc),
            Some(expect)
        );
        assert_eq!(parse_timestamp("2025-01-14 14:23:47", &utc), Some(expect));
        assert_eq!(
            parse_timestamp("2025-01-14 14:23:47 UTC", &ny),
            Some(expect)
        );
        assert_eq!(parse_timestamp("2025-01-14 09:23:47", &ny), Some(expect));
        assert_eq!(
            parse_timestamp("2025-01-14 14:23", &utc),
            "2025-01-14T14:23:00Z".parse().ok()
        );
        assert_eq!(
            parse_timestamp("2025-01-14", &utc),
            "2025-01-14T00:00:00Z".parse().ok()
        );
        assert_eq!(parse_timestamp("yesterday", &utc), None);
    }

    #[test]
    fn dates_in_common_forms() {
        let d = jiff::civil::date(2024, 1, 15);
        assert_eq!(parse_date("2024-01-15"), Some(d));
        assert_eq!(parse_date("2024-01-15T09:15:00Z"), Some(d));
        assert_eq!(parse_date("January 15, 2024"), Some(d));
        assert_eq!(parse_date("15 Jan 2024"), Some(d));
        assert_eq!(parse_date("soon"), None);
    }

    #[test]
    fn durations_in_minutes() {
        assert_eq!(parse_duration("4h23m"), Some(263.0));
        assert_eq!(parse_duration("4h 23m"), Some(263.0));
        assert_eq!(parse_duration("4 hours 23 minutes"), Some(263.0));
        assert!((parse_duration("44 minutes 35 seconds").unwrap() - 44.583_333).abs() < 1e-3);
        assert_eq!(parse_duration("1 hour, 47 minutes"), Some(107.0));
        assert_eq!(parse_duration("2.5h"), Some(150.0));
        assert_eq!(parse_duration("1d 2h"), Some(1560.0));
        assert_eq!(parse_duration("90"), Some(90.0));
        assert_eq!(parse_duration("01:30"), Some(90.0));
        assert_eq!(parse_duration("3 hours"), Some(180.0));
        assert_eq!(parse_duration("X hours"), None);
        assert_eq!(parse_duration("forever"), None);
    }
}
