//! Timelines as legacy postmortems write them, read into dated entries:
//! tables (`| Day | Date (2021) | Time (PT) | Event |`, cells such as
//! `Jan 14, 10:18 AM`), bullet lists (`- **16:58 UTC** - …`, `* [13:26] …`),
//! lines of a paragraph (`11:12 AM: …`, `**June 14th, 2022, 10:00 AM:** …`,
//! with `_4/21/23_` lines naming the day), and one heading per timestamp
//! (`### 2017-09-27 13:06`, then `### 13:35`).
//!
//! Entries are read from the sections under a Timeline heading; a document
//! without one gives the lists, tables and paragraphs that are mostly
//! timestamped. Times without a date take the day of the entry before them
//! (or the document's date), and roll over midnight when a time goes back by
//! more than a few hours.

use jiff::civil::{Date, DateTime, Time};
use jiff::tz::TimeZone;
use jiff::{ToSpan, ZonedDateTime};

use super::blocks::{Block, Kind, section_of};
use super::clock::{Order, Stamp, resolve_day, stamp_at_start, stamps_in};
use super::zones::{self, Zone};
use crate::incident::SectionKind;

/// One timeline entry as written.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub stamp: Stamp,
    /// What happened (the text after the stamp, and for a heading the text under it).
    pub text: String,
    /// 1-based line.
    pub line: usize,
    /// The year a table header gives (`Date (2021)`).
    pub year: Option<i16>,
    /// The zone a table header or a statement above the entry gives.
    pub zone: Option<Zone>,
    /// A line that only names a day (`_4/24/23_`): it dates what follows
    /// but is not an event itself.
    pub marker: bool,
}

/// What a document's timeline says.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Timeline {
    pub entries: Vec<Entry>,
    /// A day named around the timeline rather than in an entry:
    /// "Timeline (PST) 4/21/23-4/25/23", "All times in PST, on February 5th 2019".
    pub stated_day: Option<(Stamp, usize)>,
}

/// Longest text kept for an entry (enough to read its keywords).
const ENTRY_TEXT_CHARS: usize = 400;

/// Reads the timeline of `blocks`.
pub fn read(blocks: &[Block], order: Order) -> Timeline {
    let is_timeline = |h: usize| section_of(blocks, h) == Some(SectionKind::Timeline);
    let in_timeline: Vec<bool> = blocks
        .iter()
        .map(|b| b.headings.iter().any(|&h| is_timeline(h)))
        .collect();
    let mut timeline = Timeline::default();
    if in_timeline.iter().any(|&t| t) {
        let mut zone = None;
        for heading in (0..blocks.len())
            .filter(|&i| is_timeline(i))
            .map(|i| &blocks[i])
        {
            note_stated_day(&mut timeline, &heading.text, heading.line, order);
            zone = zone.or_else(|| zones::statement(&heading.text));
        }
        let scope: Vec<usize> = (0..blocks.len())
            .filter(|&i| in_timeline[i] && !blocks[i].quoted)
            .collect();
        read_blocks(blocks, &scope, order, zone, &mut timeline);
    }
    if !timeline.entries.iter().any(|e| e.stamp.time.is_some()) {
        let mut found = Timeline {
            stated_day: timeline.stated_day.take(),
            ..Timeline::default()
        };
        for group in groups(blocks) {
            let mut candidate = Timeline::default();
            read_blocks(blocks, &group, order, None, &mut candidate);
            let timed = candidate
                .entries
                .iter()
                .filter(|e| e.stamp.time.is_some())
                .count();
            if timed >= 2 && timed * 2 >= group.len() {
                found.entries.extend(candidate.entries);
            }
        }
        timeline = found;
    }
    timeline
}

/// Runs of blocks that could be a timeline outside a Timeline section: the
/// items of one list, the rows of one table, one paragraph.
fn groups(blocks: &[Block]) -> Vec<Vec<usize>> {
    let mut out: Vec<Vec<usize>> = Vec::new();
    let mut previous: Option<(Kind, &[usize])> = None;
    for (i, b) in blocks.iter().enumerate() {
        if b.quoted || b.level().is_some() {
            previous = None;
            continue;
        }
        let continues = match (previous, b.kind) {
            (Some((Kind::Item { depth: a, .. }, h)), Kind::Item { depth, .. }) => {
                a == depth && h == b.headings.as_slice()
            }
            (Some((Kind::Row { table: a, .. }, _)), Kind::Row { table, .. }) => a == table,
            _ => false,
        };
        match out.last_mut() {
            Some(group) if continues => group.push(i),
            _ => out.push(vec![i]),
        }
        previous = Some((b.kind, b.headings.as_slice()));
    }
    out
}

/// A day stated in a timeline heading or statement line.
fn note_stated_day(timeline: &mut Timeline, text: &str, line: usize, order: Order) {
    if timeline.stated_day.is_none()
        && let Some(stamp) = stamps_in(text, order).into_iter().find(|s| s.day.is_some())
    {
        timeline.stated_day = Some((stamp, line));
    }
}

fn read_blocks(
    blocks: &[Block],
    scope: &[usize],
    order: Order,
    mut zone: Option<Zone>,
    timeline: &mut Timeline,
) {
    let mut table_header: Option<TableHeader> = None;
    for (position, &i) in scope.iter().enumerate() {
        let block = &blocks[i];
        match block.kind {
            Kind::Heading(_) => {
                if let Some(z) = zones::statement(&block.text) {
                    zone = Some(z);
                }
                let Some(stamp) = stamp_at_start(&block.text, order) else {
                    continue;
                };
                // The text under a timestamp heading tells what happened then.
                let mut text = rest_after(&block.text, &stamp);
                for &next in &scope[position + 1..] {
                    if blocks[next].level().is_some() {
                        break;
                    }
                    text.push(' ');
                    text.push_str(&blocks[next].text);
                    if text.len() > ENTRY_TEXT_CHARS {
                        break;
                    }
                }
                push(timeline, stamp, &text, block.line, None, zone.clone());
            }
            Kind::Paragraph => {
                for (n, line) in block.text.lines().enumerate() {
                    let statement = zones::statement(line);
                    if let Some(z) = &statement {
                        zone = Some(z.clone());
                    }
                    match stamp_at_start(line, order) {
                        // "2015-10-21 (all times UTC)": names the day and the zone.
                        Some(stamp) if stamp.time.is_none() && statement.is_some() => {
                            note_stated_day(timeline, line, block.line + n, order);
                            push(timeline, stamp, "", block.line + n, None, zone.clone());
                        }
                        Some(stamp) => {
                            let text = rest_after(line, &stamp);
                            push(timeline, stamp, &text, block.line + n, None, zone.clone());
                        }
                        None => {
                            if statement.is_some() {
                                note_stated_day(timeline, line, block.line + n, order);
                            } else if let Some(last) = timeline
                                .entries
                                .last_mut()
                                .filter(|e| e.line + 1 >= block.line && !e.marker)
                            {
                                // A wrapped line continues the entry above.
                                if last.text.len() < ENTRY_TEXT_CHARS {
                                    last.text.push(' ');
                                    last.text.push_str(line.trim());
                                }
                            }
                        }
                    }
                }
            }
            Kind::Item { .. } => {
                let first_line = block.text.lines().next().unwrap_or("");
                if let Some(stamp) = stamp_at_start(first_line, order) {
                    let text = rest_after(&block.text, &stamp);
                    push(timeline, stamp, &text, block.line, None, zone.clone());
                }
            }
            Kind::Row { header: true, .. } => {
                table_header = Some(TableHeader::new(&block.cells));
            }
            Kind::Row { header: false, .. } => {
                let header = table_header.clone().unwrap_or_default();
                let columns = header.time_columns(&block.cells, order);
                let stamp_text: Vec<&str> = columns
                    .iter()
                    .filter_map(|&c| block.cells.get(c).map(String::as_str))
                    .collect();
                let Some(stamp) = stamp_at_start(&stamp_text.join(" "), order) else {
                    continue;
                };
                let text: Vec<&str> = block
                    .cells
                    .iter()
                    .enumerate()
                    .filter(|(c, cell)| !columns.contains(c) && !cell.is_empty())
                    .map(|(_, cell)| cell.as_str())
                    .collect();
                push(
                    timeline,
                    stamp,
                    &text.join(" — "),
                    block.line,
                    header.year,
                    header.zone.clone().or_else(|| zone.clone()),
                );
            }
        }
    }
}

fn push(
    timeline: &mut Timeline,
    stamp: Stamp,
    text: &str,
    line: usize,
    year: Option<i16>,
    zone: Option<Zone>,
) {
    let text: String = text.chars().take(ENTRY_TEXT_CHARS).collect();
    let marker = stamp.time.is_none() && text.trim().is_empty();
    timeline.entries.push(Entry {
        stamp,
        text: text.trim().to_string(),
        line,
        year,
        zone,
        marker,
    });
}

/// The entry's text after its stamp and the separator (`:`, ` - `, `**`, `]`).
fn rest_after(text: &str, stamp: &Stamp) -> String {
    text[stamp.range.end..]
        .trim_start_matches(|c: char| {
            c.is_whitespace()
                || matches!(c, ':' | '-' | '–' | '—' | '|' | ')' | ']' | '*' | '_' | ',')
        })
        .trim()
        .to_string()
}

/// What a table's head row says about its time columns.
#[derive(Debug, Clone, Default)]
struct TableHeader {
    /// Columns named like times or dates (`Time (UTC)`, `Date (2021)`, `Day`).
    named: Vec<usize>,
    year: Option<i16>,
    zone: Option<Zone>,
}

impl TableHeader {
    fn new(cells: &[String]) -> TableHeader {
        let named = cells
            .iter()
            .enumerate()
            .filter(|(_, c)| {
                let lower = c.to_lowercase();
                lower.split(|ch: char| !ch.is_alphanumeric()).any(|w| {
                    matches!(
                        w,
                        "day" | "date" | "time" | "timestamp" | "when" | "datetime" | "hour"
                    )
                })
            })
            .map(|(i, _)| i)
            .collect();
        let joined = cells.join(" ");
        let year = cells.iter().find_map(|c| {
            c.split(|ch: char| !ch.is_ascii_digit())
                .find(|w| w.len() == 4 && (w.starts_with("19") || w.starts_with("20")))
                .and_then(|w| w.parse().ok())
        });
        TableHeader {
            named,
            year,
            zone: zones::statement(&joined).or_else(|| {
                // `| Time (UTC) |` says "time" and the zone in one cell.
                cells
                    .iter()
                    .find_map(|c| zones::zones_in(c).into_iter().next())
            }),
        }
    }

    /// The columns to read the row's stamp from: the named ones, else the
    /// first cell when it starts with a stamp.
    fn time_columns(&self, cells: &[String], order: Order) -> Vec<usize> {
        if !self.named.is_empty() {
            return self.named.clone();
        }
        match cells.first() {
            Some(first) if stamp_at_start(first, order).is_some() => vec![0],
            _ => Vec::new(),
        }
    }
}

/// An entry placed in time.
#[derive(Debug, Clone, PartialEq)]
pub struct Dated {
    pub index: usize,
    pub date: Option<Date>,
    /// Set when the entry has a time and a date.
    pub at: Option<ZonedDateTime>,
    /// The day was moved past midnight (the times went back).
    pub rolled: bool,
}

/// How far a time may go back before it is read as the next day: out-of-
/// order rows a few minutes apart stay on their day.
const ROLLOVER_MINUTES: i32 = 180;

fn minutes(t: Time) -> i32 {
    i32::from(t.hour()) * 60 + i32::from(t.minute())
}

/// Dates every entry: a missing year from the table header or the day
/// before, a missing day from the entry before (or `start`), a missing zone
/// from the entry before that wrote one, else the statement above the
/// entry, else `zone`. A time that goes back by more than [`ROLLOVER_MINUTES`] on
/// the same written day has crossed midnight.
pub fn date_entries(entries: &[Entry], start: Option<Date>, zone: &TimeZone) -> Vec<Dated> {
    let mut out = Vec::with_capacity(entries.len());
    // The day last written by an entry, and the midnights crossed since.
    let mut written: Option<Date> = None;
    let mut crossed = 0i32;
    let mut previous_time: Option<Time> = None;
    let mut previous_date = start;
    let mut last_zone: Option<TimeZone> = None;
    for (index, entry) in entries.iter().enumerate() {
        if let Some(mut day) = entry.stamp.day {
            if day.year.is_none() {
                day.year = entry.year;
            }
            if let Some(d) = resolve_day(day, previous_date)
                && Some(d) != written
            {
                written = Some(d);
                crossed = 0;
                previous_time = None;
            }
        }
        let mut rolled = false;
        if let (Some(time), Some(before)) = (entry.stamp.time, previous_time)
            && minutes(before) - minutes(time) >= ROLLOVER_MINUTES
        {
            crossed += 1;
            rolled = true;
        }
        let date = written
            .or(start)
            .and_then(|d| d.checked_add(crossed.days()).ok());
        if date.is_some() {
            previous_date = date;
        }
        if entry.stamp.time.is_some() {
            previous_time = entry.stamp.time;
        }
        // A zone written on an entry holds for the entries after it.
        if let Some(z) = &entry.stamp.zone {
            last_zone = Some(z.tz.clone());
        }
        let tz = last_zone
            .as_ref()
            .or(entry.zone.as_ref().map(|z| &z.tz))
            .unwrap_or(zone);
        let at = match (date, entry.stamp.time) {
            (Some(d), Some(t)) => DateTime::from_parts(d, t)
                .to_zoned_datetime(tz.clone())
                .ok(),
            _ => None,
        };
        out.push(Dated {
            index,
            date,
            at,
            rolled,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::blocks::blocks;
    use jiff::civil::date;

    fn times(text: &str, start: Option<Date>) -> Vec<String> {
        let tl = read(&blocks(text), Order::MonthFirst);
        date_entries(&tl.entries, start, &TimeZone::UTC)
            .into_iter()
            .map(|d| match (d.at, d.date) {
                (Some(at), _) => at.strftime("%Y-%m-%d %H:%M %Z").to_string(),
                (None, Some(day)) => day.to_string(),
                (None, None) => "-".into(),
            })
            .collect()
    }

    #[test]
    fn heading_per_timestamp_rolls_over_midnight() {
        let text = "## Timeline\n\nAll times in CET\n\n### 2022-06-02 22:00 - Problem starts\n\nPods stop.\n\n### 23:30\n\nAlerted.\n\n### 00:15\n\nFixed.\n";
        assert_eq!(
            times(text, None),
            [
                "2022-06-02 22:00 CEST",
                "2022-06-02 23:30 CEST",
                "2022-06-03 00:15 CEST"
            ]
        );
        let tl = read(&blocks(text), Order::MonthFirst);
        assert_eq!(tl.entries[0].text, "Problem starts Pods stop.");
    }

    #[test]
    fn tables_with_day_date_and_time_columns() {
        let text = "## Timeline (all times PT )\n\n| Day | Date (2021) | Time (PT) | Event |\n|-----|-----|-----|-----|\n| Sun | Oct 31 | 21:33 | User posts\n| Mon | Nov 1 | 17:00 | New hardware\n";
        assert_eq!(
            times(text, None),
            ["2021-10-31 21:33 PDT", "2021-11-01 17:00 PDT"]
        );
    }

    #[test]
    fn paragraph_lines_with_day_markers() {
        let text = "## Timeline (PST) 4/21/23-4/25/23\n_4/21/23_\n\n11:12 AM: An email.\n\n1:31 PM: Laptop off.\n           wrapped line\n\n_4/24/23_\n\n~9:00 AM: Reset.\n";
        assert_eq!(
            times(text, None),
            [
                "2023-04-21",
                "2023-04-21 11:12 PDT",
                "2023-04-21 13:31 PDT",
                "2023-04-24",
                "2023-04-24 09:00 PDT"
            ]
        );
        let tl = read(&blocks(text), Order::MonthFirst);
        assert_eq!(tl.entries[2].text, "Laptop off. wrapped line");
        assert!(tl.entries[0].marker);
        assert!(tl.stated_day.is_some());
    }

    #[test]
    fn bracketed_times_take_the_documents_day_and_cross_midnight() {
        let text = "## Timeline\n\n* [???] Things degrade\n* [13:26] Reported\n* [23:55] Migrated\n* [07:00] Back to normal\n\n## Appendix\n\n> Katharine [8:27 AM]\n";
        assert_eq!(
            times(text, Some(date(2019, 5, 30))),
            [
                "2019-05-30 13:26 UTC",
                "2019-05-30 23:55 UTC",
                "2019-05-31 07:00 UTC"
            ]
        );
        // Written on the same day, but the times go back: the next day.
        let text = "## Timeline\n\n- [03-26 23:04] Drained (**outage starts**)\n- [03-26 02:50] Reported\n- [03-26 08:10] Fixed (**outage ends**)\n- [03-27 09:00] Postmortem\n";
        assert_eq!(
            times(text, Some(date(2019, 3, 26))),
            [
                "2019-03-26 23:04 UTC",
                "2019-03-27 02:50 UTC",
                "2019-03-27 08:10 UTC",
                "2019-03-27 09:00 UTC"
            ]
        );
    }

    #[test]
    fn a_line_naming_the_day_and_zone_dates_the_lines_after_it() {
        let text = "## Timeline\n\n2015-10-21 (all times UTC)\n\n14:51 News reports a new sonnet\n\n14:54 OUTAGE BEGINS — backends melt\n";
        assert_eq!(
            times(text, None),
            ["2015-10-21", "2015-10-21 14:51 UTC", "2015-10-21 14:54 UTC"]
        );
    }

    #[test]
    fn out_of_order_rows_stay_on_their_day() {
        let text = "## Timeline\n\n- 22:40 Logged out\n- 22:06 Suspended\n";
        assert_eq!(
            times(text, Some(date(2022, 1, 20))),
            ["2022-01-20 22:40 UTC", "2022-01-20 22:06 UTC"]
        );
    }

    #[test]
    fn without_a_timeline_heading_mostly_timestamped_lists_count() {
        let text = "# Outage\n\n**Timeline:**\n\n- **21:45 UTC** - Deploy\n- **21:47 UTC** - Alerts\n\n## Notes\n\n- Version 1.2 at 10:00 was fine\n- Nothing else\n- Or here\n";
        assert_eq!(
            times(text, Some(date(2025, 10, 21))),
            ["2025-10-21 21:45 UTC", "2025-10-21 21:47 UTC"]
        );
    }
}
