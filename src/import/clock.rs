//! Dates and times as people write them in postmortems: `2021-06-22 08:21`,
//! `June 14th, 2022, 10:00 AM`, `10/20/2022 - 15:38 CST`, `[13:26]`,
//! `**16:58 UTC**`, `12:45 PM PST Saturday Oct 30th`, `19. April, 11:00`,
//! `13:06 PM` (a 24-hour time with a stray PM), `~13:30-13:45`.
//!
//! A [`Stamp`] is a run of such tokens (a date, a time, a zone, weekdays
//! and filler words between them). Years may be missing; they are filled in
//! from the document ([`resolve_day`]).

use std::ops::Range;
use std::sync::LazyLock;

use jiff::civil::{Date, Time};
use regex::Regex;

use super::zones::{Zone, zone_at};

/// A calendar day as written; the year may be left out (`Oct 30th`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Day {
    pub year: Option<i16>,
    pub month: i8,
    pub day: i8,
}

/// How a document writes numeric dates: `06/22/2021` or `22/06/2021`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Order {
    #[default]
    MonthFirst,
    DayFirst,
}

/// Dates, a time of day and a zone written together.
#[derive(Debug, Clone, PartialEq)]
pub struct Stamp {
    pub day: Option<Day>,
    pub time: Option<Time>,
    /// The end of a range (`13:30-13:45`, `from 15:30 to 18:10`).
    pub until: Option<Time>,
    pub zone: Option<Zone>,
    /// Where the stamp is written in the scanned text.
    pub range: Range<usize>,
}

const MONTH: &str = r"(?i:(?P<month>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?))\b\.?";

fn anchored(pattern: &str) -> Regex {
    Regex::new(&format!("^(?:{pattern})")).expect("valid regex")
}

static ISO_DATE: LazyLock<Regex> =
    LazyLock::new(|| anchored(r"(?P<y>\d{4})([-/.])(?P<m>\d{1,2})[-/.](?P<d>\d{1,2})"));
static NUMERIC_DATE: LazyLock<Regex> = LazyLock::new(|| {
    anchored(r"(?P<a>\d{1,2})(?P<sep>[/.\-])(?P<b>\d{1,2})(?:/|\.|-)(?P<y>\d{4}|\d{2})")
});
static MONTH_DAY: LazyLock<Regex> =
    LazyLock::new(|| anchored(r"(?P<a>\d{1,2})[/\-](?P<b>\d{1,2})"));
static NAMED_MONTH_FIRST: LazyLock<Regex> = LazyLock::new(|| {
    anchored(&format!(
        r"{MONTH}\s*(?P<d>\d{{1,2}})(?:st|nd|rd|th)?(?:\s*[-–]\s*\d{{1,2}}(?:st|nd|rd|th)?)?(?:,?\s*(?P<y>\d{{4}}))?"
    ))
});
static NAMED_DAY_FIRST: LazyLock<Regex> = LazyLock::new(|| {
    anchored(&format!(
        r"(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\.?(?:\s*[-–]\s*\d{{1,2}}(?:st|nd|rd|th)?)?\s*(?:of\s+)?{MONTH}(?:,?\s*(?P<y>\d{{4}}))?"
    ))
});
static TIME: LazyLock<Regex> = LazyLock::new(|| {
    anchored(
        r"(?P<h>\d{1,2}):(?P<m>\d{2})(?::(?P<s>\d{2})(?:\.\d+)?)?(?:\s?(?P<ap>[aApP])\.?\s?[mM]\b\.?)?|(?P<h2>\d{1,2})\s?(?P<ap2>[aApP])\.?[mM]\b\.?",
    )
});
static RANGE_TO: LazyLock<Regex> =
    LazyLock::new(|| anchored(r"\s*(?:-|–|—|(?i:to|until|till))\s*~?"));
static WEEKDAY: LazyLock<Regex> = LazyLock::new(|| {
    anchored(r"(?i:(?:mon|tues?|wed(?:nes)?|thu(?:rs?)?|fri|sat(?:ur)?|sun)(?:day)?)\b\.?")
});
static YEAR: LazyLock<Regex> = LazyLock::new(|| anchored(r"(?P<y>(?:19|20)\d{2})"));
static FILLER: LazyLock<Regex> = LazyLock::new(|| {
    anchored(
        r"\s+|,|\(|\)|\[|\]|~|@|\*\*|__|\*|_|[-–—|/]|(?i:at|on|around|about|approx\.?|approximately|ca\.|circa|roughly|the|of|starting|from)\b",
    )
});

/// The next character after a numeric token must not continue it.
fn ends_cleanly(rest: &str) -> bool {
    !rest.starts_with(|c: char| c.is_ascii_alphanumeric())
}

fn month_number(name: &str) -> i8 {
    let lower = name.to_ascii_lowercase();
    const NAMES: [&str; 12] = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    NAMES
        .iter()
        .position(|m| lower.starts_with(m))
        .map_or(0, |i| i as i8 + 1)
}

fn year_of(text: &str) -> Option<i16> {
    let n: i16 = text.parse().ok()?;
    match text.len() {
        2 => Some(if n < 70 { 2000 + n } else { 1900 + n }),
        4 => Some(n),
        _ => None,
    }
}

fn valid_day(year: Option<i16>, month: i8, day: i8) -> Option<Day> {
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    // With a year, the day must exist; without one, Feb 29 is allowed.
    if let Some(y) = year {
        Date::new(y, month, day).ok()?;
    }
    Some(Day { year, month, day })
}

/// Orders two numbers as (month, day): a number above 12 can only be a day.
fn month_and_day(a: i8, b: i8, order: Order) -> (i8, i8) {
    match order {
        _ if a > 12 => (b, a),
        _ if b > 12 => (a, b),
        Order::MonthFirst => (a, b),
        Order::DayFirst => (b, a),
    }
}

/// A date token at the start of `text`: (day, bytes).
fn date_token(text: &str, order: Order) -> Option<(Day, usize)> {
    if let Some(c) = ISO_DATE.captures(text) {
        let end = c.get(0)?.end();
        let next = &text[end..];
        if !next.starts_with(|ch: char| ch.is_ascii_digit()) {
            let day = valid_day(year_of(&c["y"]), c["m"].parse().ok()?, c["d"].parse().ok()?)?;
            return Some((day, end));
        }
    }
    if let Some(c) = NUMERIC_DATE.captures(text) {
        let end = c.get(0)?.end();
        if ends_cleanly(&text[end..]) {
            let (a, b): (i8, i8) = (c["a"].parse().ok()?, c["b"].parse().ok()?);
            // `22.06.2021` is always day first; `1.2.11` is a version.
            if &c["sep"] == "." && c["y"].len() != 4 {
                return None;
            }
            let order = if &c["sep"] == "." {
                Order::DayFirst
            } else {
                order
            };
            let (month, day) = month_and_day(a, b, order);
            return Some((valid_day(year_of(&c["y"]), month, day)?, end));
        }
    }
    for regex in [&*NAMED_MONTH_FIRST, &*NAMED_DAY_FIRST] {
        if let Some(c) = regex.captures(text) {
            let end = c.get(0)?.end();
            if !text[end..].starts_with(|ch: char| ch.is_ascii_digit()) {
                let year = c.name("y").and_then(|y| year_of(y.as_str()));
                let day = valid_day(year, month_number(&c["month"]), c["d"].parse().ok()?)?;
                return Some((day, end));
            }
        }
    }
    None
}

/// `03-26` or `4/21` without a year: only a date when a time follows.
fn month_day_token(text: &str, order: Order) -> Option<(Day, usize)> {
    let c = MONTH_DAY.captures(text)?;
    let end = c.get(0)?.end();
    if !ends_cleanly(&text[end..]) || text[end..].starts_with(['/', '-', '.']) {
        return None;
    }
    let after = skip_filler(&text[end..]);
    time_token(&text[end + after..])?;
    let (a, b): (i8, i8) = (c["a"].parse().ok()?, c["b"].parse().ok()?);
    let (month, day) = month_and_day(a, b, order);
    Some((valid_day(None, month, day)?, end))
}

/// A time token at the start of `text`.
fn time_token(text: &str) -> Option<(Time, usize)> {
    let c = TIME.captures(text)?;
    let end = c.get(0)?.end();
    if !ends_cleanly(&text[end..]) && c.name("ap").is_none() && c.name("ap2").is_none() {
        return None;
    }
    let (hour, minute, second): (i8, i8, i8) = match c.name("h") {
        Some(h) => (
            h.as_str().parse().ok()?,
            c["m"].parse().ok()?,
            c.name("s").map_or(Some(0), |s| s.as_str().parse().ok())?,
        ),
        None => (c["h2"].parse().ok()?, 0, 0),
    };
    let meridiem = c
        .name("ap")
        .or_else(|| c.name("ap2"))
        .map(|m| m.as_str().to_ascii_lowercase());
    let hour = match meridiem.as_deref() {
        // `13:06 PM`: a 24-hour time with a stray suffix.
        _ if hour > 12 => hour,
        Some("p") if hour < 12 => hour + 12,
        Some("a") if hour == 12 => 0,
        _ => hour,
    };
    Some((Time::new(hour, minute, second, 0).ok()?, end))
}

fn skip_filler(text: &str) -> usize {
    let mut at = 0;
    while let Some(m) = FILLER.find(&text[at..]) {
        if m.end() == 0 {
            break;
        }
        at += m.end();
    }
    at
}

/// The stamp that `text` starts with (after decoration such as `**`, `[`,
/// `~`), if any. It must hold a date or a time.
pub fn stamp_at_start(text: &str, order: Order) -> Option<Stamp> {
    stamp_from(text, 0, order)
}

/// The stamp beginning exactly at byte `start` of `text` (fillers before
/// the first token allowed only when `start` is 0).
fn stamp_from(text: &str, start: usize, order: Order) -> Option<Stamp> {
    let mut stamp = Stamp {
        day: None,
        time: None,
        until: None,
        zone: None,
        range: start..start,
    };
    let mut at = start;
    let mut first: Option<usize> = None;
    // Set after a second time (`12:48 (6:48 PDT)`): its zone is not the stamp's.
    let mut after_alternative = false;
    let mut last_was_time = false;
    loop {
        let rest = &text[at..];
        if rest.is_empty() {
            break;
        }
        if last_was_time
            && stamp.until.is_none()
            && !after_alternative
            && let Some(m) = RANGE_TO.find(rest)
            && let Some((until, n)) = time_token(&rest[m.end()..])
        {
            stamp.until = Some(until);
            at += m.end() + n;
            stamp.range.end = at;
            continue;
        }
        let token = if stamp.day.is_none() {
            date_token(rest, order).or_else(|| month_day_token(rest, order))
        } else {
            None
        };
        if let Some((day, n)) = token {
            // A second date ends the stamp (`from Nov 11 … to Nov 14`).
            first.get_or_insert(at);
            stamp.day = Some(day);
            at += n;
            stamp.range.end = at;
            last_was_time = false;
            continue;
        }
        if let Some((time, n)) = time_token(rest) {
            first.get_or_insert(at);
            if stamp.time.is_none() {
                stamp.time = Some(time);
            } else {
                after_alternative = true;
            }
            at += n;
            stamp.range.end = at;
            last_was_time = true;
            continue;
        }
        if first.is_some()
            && let Some((zone, n)) = zone_at(rest)
        {
            if stamp.zone.is_none() && !after_alternative {
                stamp.zone = Some(zone);
            }
            at += n;
            stamp.range.end = at;
            continue;
        }
        if let Some(day) = stamp.day.as_mut()
            && day.year.is_none()
            && let Some(c) = YEAR.captures(rest)
            && ends_cleanly(&rest[c.get(0).map_or(0, |m| m.end())..])
        {
            let y = year_of(&c["y"]);
            if valid_day(y, day.month, day.day).is_some() {
                day.year = y;
                at += c.get(0).map_or(0, |m| m.end());
                stamp.range.end = at;
                continue;
            }
        }
        if let Some(m) = WEEKDAY.find(rest) {
            at += m.end();
            continue;
        }
        if (first.is_some() || start == 0)
            && let Some(m) = FILLER.find(rest)
            && m.end() > 0
        {
            at += m.end();
            continue;
        }
        // ISO `2024-01-02T10:00`.
        if stamp.day.is_some() && stamp.time.is_none() && rest.starts_with('T') {
            at += 1;
            continue;
        }
        break;
    }
    let first = first?;
    if stamp.day.is_none() && stamp.time.is_none() {
        return None;
    }
    stamp.range.start = first;
    Some(stamp)
}

/// Every stamp written in `text` (for sentences: "On May 9th 2021 at
/// 6:48AM PDT, …"), in order.
pub fn stamps_in(text: &str, order: Order) -> Vec<Stamp> {
    let mut out = Vec::new();
    let mut at = 0;
    while at < text.len() {
        let boundary = at == 0
            || !text[..at]
                .chars()
                .next_back()
                .is_some_and(|c| c.is_alphanumeric());
        let starts_token = text[at..].starts_with(|c: char| c.is_ascii_alphanumeric());
        if boundary
            && starts_token
            && let Some(stamp) = stamp_from(text, at, order)
        {
            at = stamp.range.end.max(at + 1);
            out.push(stamp);
            continue;
        }
        at += text[at..].chars().next().map_or(1, char::len_utf8);
    }
    out
}

/// The date of `day`, taking a missing year from the one that puts it
/// nearest to `near` (so `Dec 31` before a January document is last year's).
pub fn resolve_day(day: Day, near: Option<Date>) -> Option<Date> {
    if let Some(year) = day.year {
        return Date::new(year, day.month, day.day).ok();
    }
    let near = near?;
    [near.year() - 1, near.year(), near.year() + 1]
        .into_iter()
        .filter_map(|y| Date::new(y, day.month, day.day).ok())
        .min_by_key(|d| (*d - near).get_days().unsigned_abs())
}

/// Which numeric-date order a document uses, judged from its unambiguous
/// dates (`22/06/2021` is day first); month first when nothing tells.
pub fn numeric_order(text: &str) -> Order {
    static NUMERIC: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"\b(\d{1,2})[/-](\d{1,2})[/-](?:\d{4}|\d{2})\b").expect("valid regex")
    });
    let (mut day_first, mut month_first) = (0, 0);
    for c in NUMERIC.captures_iter(text) {
        let (a, b): (u32, u32) = (c[1].parse().unwrap_or(0), c[2].parse().unwrap_or(0));
        if a > 12 && b <= 12 {
            day_first += 1;
        } else if b > 12 && a <= 12 {
            month_first += 1;
        }
    }
    if day_first > month_first {
        Order::DayFirst
    } else {
        Order::MonthFirst
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::{date, time};

    /// (day, time, zone, what follows the stamp)
    type Parsed = (Option<Day>, Option<Time>, Option<String>, String);

    fn start(text: &str) -> Option<Parsed> {
        stamp_at_start(text, Order::MonthFirst).map(|s| {
            (
                s.day,
                s.time,
                s.zone.map(|z| z.label),
                text[s.range.end..].to_string(),
            )
        })
    }

    fn day(year: Option<i16>, month: i8, day: i8) -> Option<Day> {
        Some(Day { year, month, day })
    }

    #[test]
    fn stamps_that_start_timeline_entries() {
        assert_eq!(
            start("**16:58 UTC** - Writer database"),
            Some((
                None,
                Some(time(16, 58, 0, 0)),
                Some("UTC".into()),
                "** - Writer database".into()
            ))
        );
        assert_eq!(
            start("[13:26] @cblecker reports").map(|s| (s.1, s.3)),
            Some((Some(time(13, 26, 0, 0)), "] @cblecker reports".into()))
        );
        assert_eq!(
            start("04:49 PM UTC Site repo branch").map(|s| (s.1, s.2)),
            Some((Some(time(16, 49, 0, 0)), Some("UTC".into())))
        );
        assert_eq!(
            start("12:45 PM PST Saturday Oct 30th: First wave").map(|s| (s.0, s.1, s.3)),
            Some((
                day(None, 10, 30),
                Some(time(12, 45, 0, 0)),
                ": First wave".into()
            ))
        );
        assert_eq!(
            start("June 14th, 2022, 1:00 PM:** Richard").map(|s| (s.0, s.1)),
            Some((day(Some(2022), 6, 14), Some(time(13, 0, 0, 0))))
        );
        assert_eq!(
            start("10/20/2022 - 15:38 CST - a user").map(|s| (s.0, s.1, s.2, s.3)),
            Some((
                day(Some(2022), 10, 20),
                Some(time(15, 38, 0, 0)),
                Some("CST".into()),
                " - a user".into()
            ))
        );
        assert_eq!(
            start("13:06 PM: The impersonator").map(|s| s.1),
            Some(Some(time(13, 6, 0, 0)))
        );
        assert_eq!(
            start("[03-26 23:04] The node").map(|s| (s.0, s.1)),
            Some((day(None, 3, 26), Some(time(23, 4, 0, 0))))
        );
        assert_eq!(
            start("19. April, 11:00").map(|s| (s.0, s.1)),
            Some((day(None, 4, 19), Some(time(11, 0, 0, 0))))
        );
        assert_eq!(
            start("12:48 (6:48 PDT): The last block").map(|s| (s.1, s.2, s.3)),
            Some((Some(time(12, 48, 0, 0)), None, "): The last block".into()))
        );
        assert_eq!(
            start("~13:30-13:45").map(|s| s.1),
            Some(Some(time(13, 30, 0, 0)))
        );
        assert_eq!(
            start("2018-01-17 17:14pm").map(|s| (s.0, s.1)),
            Some((day(Some(2018), 1, 17), Some(time(17, 14, 0, 0))))
        );
        assert_eq!(
            start("07:30am - First report").map(|s| s.1),
            Some(Some(time(7, 30, 0, 0)))
        );
        assert_eq!(
            start("_4/21/23_").map(|s| (s.0, s.1)),
            Some((day(Some(2023), 4, 21), None))
        );
        assert_eq!(start("2X:XX (not sure exact time)"), None);
        assert_eq!(start("[???] IOPS reached"), None);
        assert_eq!(start("Deployment 3 of 4"), None);
        assert_eq!(start("1.1.4 was released"), None);
        assert_eq!(
            start("Jan 14, 10:18 AM").map(|s| (s.0, s.1)),
            Some((day(None, 1, 14), Some(time(10, 18, 0, 0))))
        );
    }

    #[test]
    fn stamps_inside_sentences() {
        let found = stamps_in(
            "At approximately 09:15:04 Monday May 10th (UTC), 2021, the user",
            Order::MonthFirst,
        );
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].day, day(Some(2021), 5, 10));
        assert_eq!(found[0].time, Some(time(9, 15, 4, 0)));
        assert_eq!(
            found[0].zone.as_ref().map(|z| z.label.as_str()),
            Some("UTC")
        );
        let found = stamps_in(
            "From November 11, 4:02 PM UTC to November 14, 3:02 PM UTC the pipeline",
            Order::MonthFirst,
        );
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!(found[1].day, day(None, 11, 14));
        assert_eq!(found[1].time, Some(time(15, 2, 0, 0)));
        let found = stamps_in(
            "went down for about 3 hours, from 15:30 to 18:10 UTC.",
            Order::MonthFirst,
        );
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(
            (found[0].time, found[0].until),
            (Some(time(15, 30, 0, 0)), Some(time(18, 10, 0, 0)))
        );
        assert!(
            stamps_in(
                "version 1.2.11 with 3.2EiB and 255108 blocks",
                Order::MonthFirst
            )
            .is_empty()
        );
    }

    #[test]
    fn missing_years_come_from_the_nearest_date() {
        let d = |m, dd| Day {
            year: None,
            month: m,
            day: dd,
        };
        assert_eq!(
            resolve_day(d(12, 5), Some(date(2019, 3, 26))),
            Some(date(2018, 12, 5))
        );
        assert_eq!(
            resolve_day(d(1, 2), Some(date(2021, 12, 30))),
            Some(date(2022, 1, 2))
        );
        assert_eq!(resolve_day(d(6, 1), None), None);
        assert_eq!(
            numeric_order("on 22/06/2021 and 01/02/2021"),
            Order::DayFirst
        );
        assert_eq!(numeric_order("10/20/2022"), Order::MonthFirst);
    }
}
