//! Time zones as postmortems name them: `UTC`, `PST`, `CEST (UTC+2)`,
//! `GMT+1`, `Central European Time`, `US/Pacific`, and the statements that
//! set a document's zone ("All times in UTC", "Timeline (all times PT)",
//! a `Time (UTC)` column).

use std::sync::LazyLock;

use jiff::tz::{Offset, TimeZone};
use regex::Regex;

/// A zone as written, and what it means.
#[derive(Debug, Clone, PartialEq)]
pub struct Zone {
    /// As the document writes it, e.g. `PST` or `UTC+2`.
    pub label: String,
    pub tz: TimeZone,
}

/// Abbreviations and words for zones, mapped to the region they are used
/// for. A region rather than a fixed offset: authors write `PST` all year
/// round, meaning Pacific time.
const NAMES: &[(&str, &str)] = &[
    ("utc", "UTC"),
    ("gmt", "UTC"),
    ("ut", "UTC"),
    ("z", "UTC"),
    ("zulu", "UTC"),
    ("pst", "America/Los_Angeles"),
    ("pdt", "America/Los_Angeles"),
    ("pt", "America/Los_Angeles"),
    ("pacific", "America/Los_Angeles"),
    ("mst", "America/Denver"),
    ("mdt", "America/Denver"),
    ("mt", "America/Denver"),
    ("mountain", "America/Denver"),
    ("cst", "America/Chicago"),
    ("cdt", "America/Chicago"),
    ("ct", "America/Chicago"),
    ("central", "America/Chicago"),
    ("est", "America/New_York"),
    ("edt", "America/New_York"),
    ("et", "America/New_York"),
    ("eastern", "America/New_York"),
    ("akst", "America/Anchorage"),
    ("akdt", "America/Anchorage"),
    ("hst", "Pacific/Honolulu"),
    ("brt", "America/Sao_Paulo"),
    ("bst", "Europe/London"),
    ("wet", "Europe/Lisbon"),
    ("west", "Europe/Lisbon"),
    ("cet", "Europe/Paris"),
    ("cest", "Europe/Paris"),
    ("met", "Europe/Paris"),
    ("mez", "Europe/Berlin"),
    ("mesz", "Europe/Berlin"),
    ("eet", "Europe/Helsinki"),
    ("eest", "Europe/Helsinki"),
    ("msk", "Europe/Moscow"),
    ("ist", "Asia/Kolkata"),
    ("sgt", "Asia/Singapore"),
    ("hkt", "Asia/Hong_Kong"),
    ("jst", "Asia/Tokyo"),
    ("kst", "Asia/Seoul"),
    ("awst", "Australia/Perth"),
    ("acst", "Australia/Adelaide"),
    ("acdt", "Australia/Adelaide"),
    ("aest", "Australia/Sydney"),
    ("aedt", "Australia/Sydney"),
    ("nzst", "Pacific/Auckland"),
    ("nzdt", "Pacific/Auckland"),
];

/// Spelled-out zone names: `Central European Summer Time`, `Pacific Time`.
const LONG_NAMES: &[(&str, &str)] = &[
    ("coordinated universal time", "UTC"),
    ("greenwich mean time", "UTC"),
    ("central european", "Europe/Paris"),
    ("eastern european", "Europe/Helsinki"),
    ("western european", "Europe/Lisbon"),
    ("british summer", "Europe/London"),
    ("pacific", "America/Los_Angeles"),
    ("mountain", "America/Denver"),
    ("central", "America/Chicago"),
    ("eastern", "America/New_York"),
    ("india", "Asia/Kolkata"),
    ("japan", "Asia/Tokyo"),
];

/// A zone token: an offset (`UTC+2`, `GMT-07:00`, `+02:00`), an IANA name
/// (`Europe/Zurich`), a spelled-out name ending in `Time`, or an
/// abbreviation. Matched case-sensitively for abbreviations, which are
/// written in capitals (so `et` or `ct` in prose are not zones).
static ZONE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?P<offset>\b(?:UTC|GMT|utc|gmt)\s?(?P<sign>[+\-−])\s?(?P<h>\d{1,2})(?::?(?P<m>\d{2}))?\b)",
        r"|(?P<iana>\b[A-Z][A-Za-z]+/[A-Z][A-Za-z_]+(?:/[A-Z][A-Za-z_]+)?\b)",
        r"|(?P<long>\b(?i:coordinated universal|greenwich mean|central european|eastern european|western european|british summer|pacific|mountain|central|eastern|india|japan)(?i:\s+(?:standard|daylight|summer))?\s+(?i:time)\b)",
        r"|(?P<abbr>\b(?:UTC|GMT|Z|Zulu|[A-Z]{1,4}T|MEZ|MESZ|MSK|utc|gmt)\b)",
    ))
    .expect("valid regex")
});

/// A zone written at the start of `text` (after spaces and an opening
/// parenthesis), with the bytes it takes.
pub fn zone_at(text: &str) -> Option<(Zone, usize)> {
    let skipped = text.len() - text.trim_start_matches([' ', '(', '\t']).len();
    let m = ZONE.captures(&text[skipped..])?;
    let whole = m.get(0)?;
    if whole.start() != 0 {
        return None;
    }
    let zone = zone_from(&m)?;
    let mut end = skipped + whole.end();
    // `(UTC)`: the closing parenthesis belongs to the zone.
    if skipped > 0 && text[..skipped].contains('(') && text[end..].starts_with(')') {
        end += 1;
    }
    Some((zone, end))
}

/// Every zone named in `text`, in order.
pub fn zones_in(text: &str) -> Vec<Zone> {
    ZONE.captures_iter(text)
        .filter_map(|m| zone_from(&m))
        .collect()
}

fn zone_from(m: &regex::Captures<'_>) -> Option<Zone> {
    let label = m.get(0)?.as_str().to_string();
    if m.name("offset").is_some() {
        let sign = if matches!(&m["sign"], "-" | "−") {
            -1
        } else {
            1
        };
        let hours: i32 = m["h"].parse().ok()?;
        let minutes: i32 = m.name("m").map_or(Some(0), |x| x.as_str().parse().ok())?;
        if hours > 14 || minutes > 59 {
            return None;
        }
        let offset = Offset::from_seconds(sign * (hours * 3600 + minutes * 60)).ok()?;
        return Some(Zone {
            label,
            tz: TimeZone::fixed(offset),
        });
    }
    if let Some(iana) = m.name("iana") {
        let name = iana.as_str();
        if let Ok(tz) = TimeZone::get(name) {
            return Some(Zone { label, tz });
        }
        // `US/Pacific` misspelt: the region word still names the zone.
        let region = name.rsplit('/').next().unwrap_or("").to_lowercase();
        return named(&region).map(|tz| Zone { label, tz });
    }
    if let Some(long) = m.name("long") {
        let lower = long.as_str().to_lowercase();
        let iana = LONG_NAMES
            .iter()
            .find(|(prefix, _)| lower.starts_with(prefix))
            .map(|(_, iana)| *iana)?;
        return TimeZone::get(iana).ok().map(|tz| Zone { label, tz });
    }
    named(&label.to_lowercase()).map(|tz| Zone { label, tz })
}

fn named(word: &str) -> Option<TimeZone> {
    let iana = NAMES.iter().find(|(name, _)| *name == word)?.1;
    if iana == "UTC" {
        Some(TimeZone::UTC)
    } else {
        TimeZone::get(iana).ok()
    }
}

/// "All times in PST", "Times are UTC", "Timeline (all times PT)",
/// "All times in CET (GMT+1)", a `Time (UTC)` header: the zone a line states
/// for the times around it. An explicit offset beats an abbreviation
/// (`PST (UTC-7)` is UTC-7).
pub fn statement(line: &str) -> Option<Zone> {
    static SAYS_TIMES: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)\b(?:times?|timeline|timestamps?|time\s?zone|tz)\b").expect("valid regex")
    });
    let found = SAYS_TIMES.find(line)?;
    let after = &line[found.start()..];
    let zones = zones_in(after);
    zones
        .iter()
        .find(|z| z.label.contains(['+', '-', '−']))
        .or_else(|| zones.first())
        .cloned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn label(z: Option<Zone>) -> Option<String> {
        z.map(|z| z.label)
    }

    #[test]
    fn statements_name_the_zone_of_a_timeline() {
        assert_eq!(label(statement("All times in PST")).as_deref(), Some("PST"));
        assert_eq!(
            label(statement("All times in CEST (UTC+2)")).as_deref(),
            Some("UTC+2")
        );
        assert_eq!(
            label(statement("## Timeline (all times PT )")).as_deref(),
            Some("PT")
        );
        assert_eq!(
            label(statement("All times in Central European Time (CET)")).as_deref(),
            Some("Central European Time")
        );
        assert_eq!(
            label(statement("All times in UC/Pacific")).as_deref(),
            Some("UC/Pacific")
        );
        assert!(statement("The Pacific team was paged").is_none());
        assert!(statement("All times approximate").is_none());
        let pacific = statement("All times in UC/Pacific").unwrap();
        assert_eq!(pacific.tz, TimeZone::get("America/Los_Angeles").unwrap());
        let offset = statement("All times in GMT+2").unwrap();
        assert_eq!(offset.tz, TimeZone::fixed(jiff::tz::offset(2)));
    }

    #[test]
    fn a_zone_right_after_a_time() {
        assert_eq!(
            zone_at(" UTC - Writer").map(|(z, n)| (z.label, n)),
            Some(("UTC".into(), 4))
        );
        assert_eq!(zone_at(" (UTC), 2021").map(|(_, n)| n), Some(6));
        assert!(zone_at(" - Deploy").is_none());
        assert!(zone_at(" Team alerted").is_none());
    }
}
