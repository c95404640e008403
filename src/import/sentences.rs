//! Dates and times stated in sentences at the top of a report: "On May 9th
//! 2021 at 6:48AM PDT, the blockchain stopped…", "From November 11, 4:02 PM
//! UTC to November 14, 3:02 PM UTC…", "On 28th February, … from 15:30 to
//! 18:10 UTC", "At 4:11 AM UTC on November 24th…".

use jiff::civil::{Date, DateTime, Time};
use jiff::tz::TimeZone;
use jiff::{ToSpan, ZonedDateTime};

use super::blocks::{Block, Kind, section_of};
use super::clock::{Order, Stamp, resolve_day, stamps_in};
use crate::incident::SectionKind;

/// What a sentence says about when the incident was.
#[derive(Debug, Clone, PartialEq)]
pub struct Said {
    pub day: Option<Date>,
    pub start: Option<ZonedDateTime>,
    pub end: Option<ZonedDateTime>,
    pub line: usize,
}

/// The blocks that introduce the incident: those before the first section
/// that is not a summary or an impact statement, and those under Summary
/// and Impact headings. Quoted text and the timeline are not introductions.
pub fn introduction(blocks: &[Block]) -> Vec<usize> {
    let intro_kind = |h: usize| {
        matches!(
            section_of(blocks, h),
            Some(SectionKind::Summary | SectionKind::Impact)
        )
    };
    let mut out = Vec::new();
    let mut past_intro = false;
    for (i, b) in blocks.iter().enumerate() {
        if b.level().is_some() {
            if !intro_kind(i) && section_of(blocks, i).is_some() {
                past_intro = true;
            }
            continue;
        }
        if b.quoted || !matches!(b.kind, Kind::Paragraph | Kind::Item { .. }) {
            continue;
        }
        let under_intro = b.headings.iter().any(|&h| intro_kind(h));
        if !past_intro || under_intro {
            out.push(i);
        }
    }
    out
}

/// What the sentences of `blocks[indices]` say, in order. Days without a
/// year are placed nearest to `near`; times without a zone are in `zone`.
pub fn read(
    blocks: &[Block],
    indices: &[usize],
    order: Order,
    near: Option<Date>,
    zone: &TimeZone,
) -> Vec<Said> {
    let mut out = Vec::new();
    for &i in indices {
        let block = &blocks[i];
        for (n, line) in block.text.lines().enumerate() {
            for sentence in split_sentences(line) {
                if let Some(said) = sentence_says(sentence, order, near, zone, block.line + n) {
                    out.push(said);
                }
            }
        }
    }
    out
}

/// Sentences end at `. ` (not after a single letter or a number, as in
/// `J. Smith` or `1. Item`).
fn split_sentences(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let bytes = text.as_bytes();
    for (i, _) in text.match_indices(". ") {
        let word_before = text[start..i]
            .rsplit(|c: char| c.is_whitespace())
            .next()
            .unwrap_or("");
        let ends_sentence =
            word_before.chars().count() >= 2 && !word_before.chars().all(|c| c.is_ascii_digit());
        if ends_sentence && !bytes.get(i + 2).is_some_and(u8::is_ascii_lowercase) {
            out.push(&text[start..=i]);
            start = i + 2;
        }
    }
    out.push(&text[start..]);
    out
}

fn sentence_says(
    sentence: &str,
    order: Order,
    near: Option<Date>,
    zone: &TimeZone,
    line: usize,
) -> Option<Said> {
    let stamps = stamps_in(sentence, order);
    let first = stamps.first()?;
    // "On 28th February, … from 15:30 to 18:10": a day, then a time.
    let (start_stamp, rest) = match (first.day, first.time, stamps.get(1)) {
        (Some(_), None, Some(next)) if next.day.is_none() && next.time.is_some() => {
            let merged = Stamp {
                day: first.day,
                time: next.time,
                until: next.until,
                zone: next.zone.clone().or_else(|| first.zone.clone()),
                range: first.range.start..next.range.end,
            };
            (merged, &stamps[2..])
        }
        _ => (first.clone(), &stamps[1..]),
    };
    let day = start_stamp.day.and_then(|d| resolve_day(d, near));
    let tz = start_stamp.zone.as_ref().map_or(zone, |z| &z.tz);
    let at = |day: Option<Date>, time: Option<Time>, tz: &TimeZone| {
        DateTime::from_parts(day?, time?)
            .to_zoned_datetime(tz.clone())
            .ok()
    };
    let start = at(day, start_stamp.time, tz);
    let mut end = start_stamp.until.and_then(|until| {
        let mut end_day = day?;
        if start_stamp.time.is_some_and(|t| until < t) {
            end_day = end_day.checked_add(1.day()).ok()?;
        }
        at(Some(end_day), Some(until), tz)
    });
    // "From <stamp> to <stamp>", "between <stamp> and <stamp>".
    if end.is_none()
        && let Some(next) = rest.first()
        && next.time.is_some()
    {
        let between = &sentence[start_stamp.range.end..next.range.start];
        let joined = between.trim().trim_matches(',').trim().to_lowercase();
        if matches!(
            joined.as_str(),
            "to" | "until" | "till" | "and" | "-" | "–" | "—" | "through"
        ) {
            let end_day = next.day.and_then(|d| resolve_day(d, day.or(near))).or(day);
            let end_tz = next.zone.as_ref().map_or(tz, |z| &z.tz);
            end = at(end_day, next.time, end_tz);
        }
    }
    if day.is_none() && start.is_none() {
        return None;
    }
    let end = end.filter(|e| {
        start
            .as_ref()
            .is_some_and(|s| e.timestamp() > s.timestamp())
    });
    Some(Said {
        day,
        start,
        end,
        line,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn says(
        text: &str,
        near: Option<Date>,
    ) -> Option<(Option<String>, Option<String>, Option<String>)> {
        let fmt = |z: Option<ZonedDateTime>| z.map(|z| z.strftime("%Y-%m-%d %H:%M %Z").to_string());
        sentence_says(text, Order::MonthFirst, near, &TimeZone::UTC, 1)
            .map(|s| (s.day.map(|d| d.to_string()), fmt(s.start), fmt(s.end)))
    }

    #[test]
    fn dates_and_times_in_sentences() {
        assert_eq!(
            says(
                "On May 9th 2021 at 6:48AM PDT, the blockchain stopped",
                None
            ),
            Some((
                Some("2021-05-09".into()),
                Some("2021-05-09 06:48 PDT".into()),
                None
            ))
        );
        assert_eq!(
            says(
                "From November 11, 4:02 PM UTC to November 14, 3:02 PM UTC the pipeline",
                Some(date(2025, 11, 15))
            ),
            Some((
                Some("2025-11-11".into()),
                Some("2025-11-11 16:02 UTC".into()),
                Some("2025-11-14 15:02 UTC".into())
            ))
        );
        assert_eq!(
            says(
                "On 28th February, flags went down for about 3 hours, from 15:30 to 18:10 UTC.",
                Some(date(2024, 2, 28))
            ),
            Some((
                Some("2024-02-28".into()),
                Some("2024-02-28 15:30 UTC".into()),
                Some("2024-02-28 18:10 UTC".into())
            ))
        );
        assert_eq!(
            says(
                "At 4:11 AM UTC on November 24th, a number of our SDKs",
                Some(date(2025, 11, 26))
            ),
            Some((
                Some("2025-11-24".into()),
                Some("2025-11-24 04:11 UTC".into()),
                None
            ))
        );
        assert_eq!(says("We shipped version 1.2.11 quickly.", None), None);
    }

    #[test]
    fn sentences_split_at_full_stops() {
        assert_eq!(
            split_sentences("It broke at 10:00. We fixed it. 1. Not a sentence end"),
            [
                "It broke at 10:00.",
                "We fixed it.",
                "1. Not a sentence end"
            ]
        );
    }
}
