//! Turning metadata values as written into front-matter values `build`
//! accepts: severities through the configured scale, timestamps in RFC 3339,
//! names without their job titles. A value that cannot be read is reported,
//! never guessed.

use std::sync::LazyLock;

use jiff::Timestamp;
use jiff::civil::{Date, DateTime, Time};
use jiff::tz::TimeZone;
use regex::Regex;

use super::metadata::Field;
use super::split::date_in;
use crate::config::Config;
use crate::incident::Status;
use crate::incident::timeparse::{parse_duration, parse_timestamp};
use crate::scan::placeholders;

/// A point in time as a report gives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    Day(Date),
    Instant(Timestamp),
}

static TIME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(\d{1,2}):(\d{2})(?::(\d{2}))?\s*(am|pm)?\s*(utc|gmt|z)?\b")
        .expect("valid regex")
});
static PARENTHETICAL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\s*\([^)]*\)").expect("valid regex"));

/// Words that stand for a name in templates (`| Incident Commander | Name |`).
const NAME_STAND_INS: &[&str] = &[
    "name",
    "names",
    "list of people",
    "person",
    "people",
    "your name",
    "full name",
];

/// Values no field means literally.
const STAND_INS: &[&str] = &["tbd", "todo", "xxx", "...", "…"];

/// Values that say "nothing here".
const NOTHING: &[&str] = &["n/a", "na", "none", "-", "—", "unknown", "tbc"];

/// What a raw value is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reading {
    Nothing,
    /// Left from a template; the text is the placeholder.
    Placeholder(String),
    Value,
}

/// Whether `value` of `field` is real, empty, or a template placeholder.
pub fn reading(field: Field, value: &str) -> Reading {
    let lower = value.trim().to_lowercase();
    if lower.is_empty() || NOTHING.contains(&lower.as_str()) {
        return Reading::Nothing;
    }
    if let Some(found) = placeholders::scan(value).first() {
        return Reading::Placeholder(value[found.range.clone()].to_string());
    }
    // A choice left for the author: `P0 / P1 / P2`, `RESOLVED / MITIGATED`.
    let is_choice = matches!(field, Field::Severity | Field::Status) && value.contains('/');
    let stands_in = matches!(field, Field::Commander | Field::Responders | Field::Title)
        && NAME_STAND_INS.contains(&lower.as_str());
    if is_choice || stands_in || STAND_INS.contains(&lower.as_str()) {
        return Reading::Placeholder(value.to_string());
    }
    Reading::Value
}

/// `2025-01-14 14:23:47 UTC`, `January 15, 2024`, `2024-01-15 09:15`, or a
/// time of day on `day`.
pub fn when(value: &str, day: Option<Date>, tz: &TimeZone) -> Option<When> {
    let value = PARENTHETICAL.replace_all(value, "");
    let value = value.trim();
    let time = TIME.captures(value);
    let date = date_in(value).map(|(d, _)| d);
    if time.is_none() {
        return date.map(When::Day);
    }
    if let Some(ts) = parse_timestamp(value, tz) {
        return Some(When::Instant(ts));
    }
    let caps = time.expect("checked above");
    let mut hour: i8 = caps[1].parse().ok()?;
    let minute: i8 = caps[2].parse().ok()?;
    let second: i8 = caps.get(3).map_or(Some(0), |s| s.as_str().parse().ok())?;
    match caps.get(4).map(|m| m.as_str().to_lowercase()).as_deref() {
        Some("pm") if hour < 12 => hour += 12,
        Some("am") if hour == 12 => hour = 0,
        _ => {}
    }
    let zone = if caps.get(5).is_some() {
        &TimeZone::UTC
    } else {
        tz
    };
    let time = Time::new(hour, minute, second, 0).ok()?;
    let date = date.or(day)?;
    DateTime::from_parts(date, time)
        .to_zoned_datetime(zone.clone())
        .ok()
        .map(|z| When::Instant(z.timestamp()))
}

/// RFC 3339 in the configured zone (`Z` for UTC), as front matter writes it.
pub fn format_instant(ts: Timestamp, tz: &TimeZone) -> String {
    let zoned = ts.to_zoned_datetime(tz.clone());
    if zoned.offset().seconds() == 0 {
        zoned.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
    } else {
        zoned.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string()
    }
}

/// The level a severity such as `SEV-2 (escalated from SEV-3)` or `P1 (High)` maps to.
pub fn severity(value: &str, config: &Config) -> Option<String> {
    config
        .severities
        .resolve(value)
        .map(|(_, level)| level.name.clone())
}

pub fn status(value: &str) -> Option<Status> {
    Status::parse(value).or_else(|| value.split_whitespace().find_map(Status::parse))
}

/// Minutes in `4 hours 23 minutes`, `~3h (approx.)`, `44 minutes 35 seconds`.
pub fn duration(value: &str) -> Option<f64> {
    parse_duration(&clean_duration(value))
}

/// A duration without remarks: `~3h (approx.)` → `3h`.
pub fn clean_duration(value: &str) -> String {
    let cleaned = PARENTHETICAL.replace_all(value, "");
    cleaned
        .trim()
        .trim_start_matches('~')
        .trim_start_matches("approx.")
        .trim_start_matches("about")
        .trim()
        .to_string()
}

/// `AI Gateway, Project Alpha Assistant` → two items; `a and b`, `a; b` too.
pub fn list(value: &str) -> Vec<String> {
    PARENTHETICAL
        .replace_all(value, "")
        .split([',', ';'])
        .flat_map(|part| part.split(" and "))
        .map(|s| s.trim().trim_end_matches('.').trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

/// People: items that are counts (`8 engineers`) name no one.
pub fn people(value: &str) -> Vec<String> {
    list(value)
        .into_iter()
        .filter(|p| !p.starts_with(|c: char| c.is_ascii_digit()))
        .collect()
}

/// `Sarah Mitchell, Senior SRE` → `Sarah Mitchell`; `@oncall (approved)` → `@oncall`.
pub fn person(value: &str) -> Option<String> {
    let name = PARENTHETICAL.replace_all(value, "");
    let name = name
        .split([',', ';'])
        .next()
        .unwrap_or("")
        .split(" - ")
        .next()
        .unwrap_or("")
        .trim();
    (!name.is_empty()).then(|| name.to_string())
}

/// Letters, digits, `-`, `_`, `.`: what `build` accepts as an id.
pub fn id(value: &str) -> Option<String> {
    let id = value.trim();
    let valid = !id.is_empty()
        && id.len() <= 120
        && id.starts_with(|c: char| c.is_ascii_alphanumeric())
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    valid.then(|| id.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_read_with_and_without_dates() {
        let utc = TimeZone::UTC;
        let at = |s: &str| When::Instant(s.parse().unwrap());
        assert_eq!(
            when("2025-01-14 14:23:47 UTC", None, &utc),
            Some(at("2025-01-14T14:23:47Z"))
        );
        assert_eq!(
            when("January 15, 2024", None, &utc),
            Some(When::Day(jiff::civil::date(2024, 1, 15)))
        );
        assert_eq!(
            when("January 15, 2024 at 2:05 PM UTC", None, &utc),
            Some(at("2024-01-15T14:05:00Z"))
        );
        let day = Some(jiff::civil::date(2024, 3, 1));
        assert_eq!(when("09:15", day, &utc), Some(at("2024-03-01T09:15:00Z")));
        assert_eq!(when("09:15", None, &utc), None);
        assert_eq!(when("soon", day, &utc), None);
        let ny = TimeZone::get("America/New_York").unwrap();
        assert_eq!(
            format_instant("2025-01-14T14:00:00Z".parse().unwrap(), &ny),
            "2025-01-14T09:00:00-05:00"
        );
        assert_eq!(
            format_instant("2025-01-14T14:00:00Z".parse().unwrap(), &utc),
            "2025-01-14T14:00:00Z"
        );
    }

    #[test]
    fn placeholders_and_stand_ins_are_not_values() {
        assert_eq!(
            reading(Field::Id, "INC-YYYYMMDD-####"),
            Reading::Placeholder("INC-YYYYMMDD-####".into())
        );
        assert_eq!(
            reading(Field::Severity, "P0 / P1 / P2 / P3"),
            Reading::Placeholder("P0 / P1 / P2 / P3".into())
        );
        assert_eq!(
            reading(Field::Commander, "Name"),
            Reading::Placeholder("Name".into())
        );
        assert_eq!(reading(Field::Impact, "N/A"), Reading::Nothing);
        assert_eq!(
            reading(Field::Services, "AI Gateway / GraphRAG"),
            Reading::Value
        );
        assert_eq!(
            reading(Field::Severity, "SEV-2 (escalated from SEV-3)"),
            Reading::Value
        );
    }

    #[test]
    fn people_lists_and_names() {
        assert_eq!(
            people("David Kumar, Jennifer Park, Rachel Adams (customer comms)"),
            ["David Kumar", "Jennifer Park", "Rachel Adams"]
        );
        assert!(people("8 engineers, 2 customer success managers").is_empty());
        assert_eq!(
            person("Sarah Mitchell, Senior SRE").as_deref(),
            Some("Sarah Mitchell")
        );
        assert_eq!(list("AI Gateway, Project Alpha Assistant").len(), 2);
        assert_eq!(duration("4 hours 23 minutes"), Some(263.0));
        assert_eq!(duration("~3h (approx.)"), Some(180.0));
        assert_eq!(id("INC-2025-0023").as_deref(), Some("INC-2025-0023"));
        assert_eq!(id("../x"), None);
        assert_eq!(
            severity("P1 (High)", &Config::default()).as_deref(),
            Some("SEV1")
        );
        assert_eq!(status("Resolved ✅"), Some(Status::Resolved));
    }
}
