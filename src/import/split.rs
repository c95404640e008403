//! Splitting a legacy document into incidents: one per heading that names an
//! incident id (`## INC-2024-001: …`) or a date (`## Outage (2024-01-20)`).
//! Sections at the same level that are neither (an overview, a metrics
//! summary) are left out and reported.

use std::ops::Range;
use std::sync::LazyLock;

use pulldown_cmark::{Event, Parser, Tag, TagEnd};
use regex::Regex;

use super::clock::{Order, stamps_in};
use crate::incident::SectionKind;
use crate::incident::body::{markdown_options, section_kind};

/// An incident id in running text: letters, then groups with at least three digits in all.
static ID: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b[A-Z][A-Z0-9]{1,9}(?:-[A-Z]{1,10})*(?:-\d+)+(?:-[A-Za-z0-9]+)*\b")
        .expect("valid regex")
});

/// A Markdown heading of the source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heading {
    pub level: u8,
    pub text: String,
    /// Byte offset of the heading's line.
    pub start: usize,
}

/// The incident id a heading names, if any.
pub fn id_in(text: &str) -> Option<&str> {
    ID.find_iter(text)
        .map(|m| m.as_str())
        .find(|id| id.chars().filter(char::is_ascii_digit).count() >= 3)
}

/// A heading names an incident when it has an incident id, or a day (with
/// no time of day: `### 2018-01-19 11:00` is a timeline entry) and words
/// besides it (`## Outage (2024-01-20)`, `### October 21, 2025 - Redis`).
fn is_incident_heading(heading: &Heading, order: Order) -> bool {
    if id_in(&heading.text).is_some() {
        return true;
    }
    let stamps = stamps_in(&heading.text, order);
    let Some(dated) = stamps.iter().find(|s| s.day.is_some()) else {
        return false;
    };
    let mut rest = heading.text.clone();
    for stamp in stamps.iter().rev() {
        rest.replace_range(stamp.range.clone(), " ");
    }
    dated.time.is_none()
        && stamps.iter().all(|s| s.time.is_none())
        && rest
            .split(|c: char| !c.is_alphabetic())
            .any(|w| w.len() >= 2)
}

/// Every heading outside code, in order.
pub fn headings(text: &str) -> Vec<Heading> {
    let mut out = Vec::new();
    let mut current: Option<(u8, String, usize)> = None;
    for (event, range) in Parser::new_ext(text, markdown_options()).into_offset_iter() {
        match event {
            Event::Start(Tag::Heading { level, .. }) => {
                let start = text[..range.start].rfind('\n').map_or(0, |i| i + 1);
                current = Some((level as u8, String::new(), start));
            }
            Event::Text(t) | Event::Code(t) => {
                if let Some((_, buffer, _)) = current.as_mut() {
                    buffer.push_str(&t);
                }
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some((level, text, start)) = current.take() {
                    out.push(Heading {
                        level,
                        text: text.trim().to_string(),
                        start,
                    });
                }
            }
            _ => {}
        }
    }
    out
}

/// One incident's part of the document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chunk {
    /// The heading that names the incident (`None`: the whole document is one incident).
    pub heading: Option<Heading>,
    pub range: Range<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Split {
    pub chunks: Vec<Chunk>,
    /// Sections with content that belong to no incident: (heading, byte offset).
    pub left_out: Vec<(String, usize)>,
}

/// Splits `text` at incident headings: the level with the most of them,
/// when it has at least two. `fields_in` counts the metadata values of a
/// text. When the text before the first incident heading has two or more
/// (a report with dated sections), the document is one incident. A dated
/// heading under a Timeline heading is an incident only when its section
/// has fields of its own (`**Duration:**`, `**Impact:**`), else it is an
/// entry of the timeline.
pub fn split(text: &str, order: Order, fields_in: impl Fn(&str) -> usize) -> Split {
    let all = headings(text);
    // A whole document's title: its `#` heading, else a first heading that
    // comes before any text and names no section (`## INC-7: Queue backlog`).
    let title = all.iter().find(|h| h.level == 1).cloned().or_else(|| {
        all.first()
            .filter(|h| !has_content(&text[..h.start]) && section_kind(&h.text).is_none())
            .cloned()
    });
    let whole = || Split {
        chunks: vec![Chunk {
            heading: title.clone(),
            range: 0..text.len(),
        }],
        left_out: Vec::new(),
    };
    let section_end = |i: usize| {
        all[i + 1..]
            .iter()
            .find(|h| h.level <= all[i].level)
            .map_or(text.len(), |h| h.start)
    };
    let under_timeline = |i: usize| {
        let mut level = all[i].level;
        all[..i].iter().rev().any(|h| {
            let parent = h.level < level;
            if parent {
                level = h.level;
            }
            parent && section_kind(&h.text) == Some(SectionKind::Timeline) && h.level > 1
        })
    };
    let incident: Vec<bool> = (0..all.len())
        .map(|i| {
            is_incident_heading(&all[i], order)
                && (!under_timeline(i) || fields_in(&text[all[i].start..section_end(i)]) >= 1)
        })
        .collect();
    // The level with the most incident headings (the shallowest among equals).
    let mut best: Option<(u8, usize)> = None;
    for level in 1..=6u8 {
        let count = (0..all.len())
            .filter(|&i| all[i].level == level && incident[i])
            .count();
        if count > 0 && best.is_none_or(|(_, n)| count > n) {
            best = Some((level, count));
        }
    }
    let Some((level, count)) = best else {
        return whole();
    };
    let first = (0..all.len())
        .find(|&i| all[i].level == level && incident[i])
        .expect("the level has an incident heading");
    if count < 2 || fields_in(&text[..all[first].start]) >= 2 {
        return whole();
    }

    let mut chunks = Vec::new();
    let mut left_out = Vec::new();
    let sections: Vec<usize> = (0..all.len()).filter(|&i| all[i].level <= level).collect();
    if has_content(&text[..all[sections[0]].start]) {
        left_out.push(("(text before the first heading)".to_string(), 0));
    }
    for (n, &i) in sections.iter().enumerate() {
        let heading = &all[i];
        let end = sections
            .get(n + 1)
            .map_or(text.len(), |&next| all[next].start);
        if heading.level == level && incident[i] {
            chunks.push(Chunk {
                heading: Some(heading.clone()),
                range: heading.start..end,
            });
        } else if has_content(&section_body(&text[heading.start..end])) {
            left_out.push((heading.text.clone(), heading.start));
        }
    }
    Split { chunks, left_out }
}

/// A section without its heading line.
fn section_body(section: &str) -> String {
    section
        .split_once('\n')
        .map_or("", |(_, rest)| rest)
        .to_string()
}

/// Anything but blank lines and thematic breaks.
fn has_content(text: &str) -> bool {
    text.lines().any(|l| {
        let t = l.trim();
        !t.is_empty() && !t.chars().all(|c| matches!(c, '-' | '*' | '_' | ' '))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_ids_and_dated_titles_in_headings() {
        assert_eq!(
            id_in("INC-2024-001: AI Gateway Memory Leak"),
            Some("INC-2024-001")
        );
        assert_eq!(
            id_in("Incident Report: INC-2025-0023"),
            Some("INC-2025-0023")
        );
        assert_eq!(id_in("SEV-2 Incidents"), None);
        assert_eq!(id_in("2024 Metrics"), None);
        let h = |text: &str| Heading {
            level: 2,
            text: text.into(),
            start: 0,
        };
        let yes = |text| is_incident_heading(&h(text), Order::MonthFirst);
        assert!(yes("Service Outage (2024-01-20)"));
        assert!(yes("October 21, 2025 - Redis Overload"));
        assert!(!yes("2018-01-19 11:00"));
        assert!(!yes("2022-06-02 10:00 - Problem starts"));
        assert!(!yes("2018-01-15"));
        assert!(!yes("2024 Metrics"));
    }

    #[test]
    fn splits_at_incident_headings_and_leaves_other_sections_out() {
        let text = "# History\n\n## Overview\n\nIntro.\n\n## INC-2024-001: A\n\nbody a\n\n### Timeline\n\n- x\n\n## Outage (2024-02-01)\n\nbody b\n\n# Protocols\n\n## Crash (2024-03-01)\n\nbody c\n\n## Metrics\n\n| a | b |\n";
        let split = split(text, Order::MonthFirst, |_| 0);
        let titles: Vec<&str> = split
            .chunks
            .iter()
            .map(|c| c.heading.as_ref().unwrap().text.as_str())
            .collect();
        assert_eq!(
            titles,
            [
                "INC-2024-001: A",
                "Outage (2024-02-01)",
                "Crash (2024-03-01)"
            ]
        );
        assert!(text[split.chunks[0].range.clone()].contains("### Timeline"));
        assert!(!text[split.chunks[1].range.clone()].contains("Protocols"));
        let left: Vec<&str> = split.left_out.iter().map(|(t, _)| t.as_str()).collect();
        assert_eq!(left, ["Overview", "Metrics"]);
    }

    #[test]
    fn a_single_report_stays_whole() {
        let text = "# Incident Report: INC-2025-0023\n\n## Summary\n\n## Meeting (2025-01-15)\n";
        let split = split(text, Order::MonthFirst, |_| 0);
        assert_eq!(split.chunks.len(), 1);
        assert_eq!(split.chunks[0].range, 0..text.len());
        // Metadata above dated sections: one incident.
        let text = "# Incident Report\n\n**Severity:** SEV2\n\n## Follow-up (2025-01-15)\n\ntext\n\n## Review (2025-01-20)\n";
        let split = super::split(text, Order::MonthFirst, |pre| {
            usize::from(pre.contains("Severity")) * 2
        });
        assert_eq!(split.chunks.len(), 1);
        assert_eq!(split.chunks[0].range, 0..text.len());
        // Dated headings under a Timeline are entries, unless they have fields.
        let text = "# Outages\n\n## Timeline\n\n### 2024-01-02 Deploy\n\ntext\n\n### 2024-01-03 Rollback\n\ntext\n";
        assert_eq!(super::split(text, Order::MonthFirst, |_| 0).chunks.len(), 1);
        let fields = |t: &str| usize::from(t.contains("Duration"));
        let text = "# Outages\n\n## Timeline\n\n### Jan 2, 2024 - Cache\n\n**Duration:** 1h\n\n### Jan 3, 2024 - Queue\n\n**Duration:** 2h\n";
        assert_eq!(
            super::split(text, Order::MonthFirst, fields).chunks.len(),
            2
        );
        let split = super::split("no headings at all\n", Order::MonthFirst, |_| 0);
        assert_eq!(split.chunks.len(), 1);
    }
}
