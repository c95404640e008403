//! Splitting a legacy document into incidents: one per heading that names an
//! incident id (`## INC-2024-001: …`) or a date (`## Outage (2024-01-20)`).
//! Sections at the same level that are neither (an overview, a metrics
//! summary) are left out and reported.

use std::ops::Range;
use std::sync::LazyLock;

use pulldown_cmark::{Event, Parser, Tag, TagEnd};
use regex::Regex;

use crate::incident::body::markdown_options;
use crate::incident::timeparse::parse_date;

/// An incident id in running text: letters, then groups with at least three digits in all.
static ID: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b[A-Z][A-Z0-9]{1,9}(?:-[A-Z]{1,10})*(?:-\d+)+(?:-[A-Za-z0-9]+)*\b")
        .expect("valid regex")
});

static ISO_DATE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b\d{4}-\d{2}-\d{2}\b").expect("valid regex"));

static NAMED_DATE: LazyLock<Regex> = LazyLock::new(|| {
    let month = r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?";
    Regex::new(&format!(
        r"\b(?:{month}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}|\d{{1,2}}(?:st|nd|rd|th)?\s+{month},?\s+\d{{4}})\b"
    ))
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

/// The date a text names, with the byte range of where it is written.
pub fn date_in(text: &str) -> Option<(jiff::civil::Date, Range<usize>)> {
    ISO_DATE
        .find_iter(text)
        .chain(NAMED_DATE.find_iter(text))
        .find_map(|m| {
            let cleaned = strip_ordinals(m.as_str());
            parse_date(&cleaned).map(|d| (d, m.range()))
        })
}

/// `January 15th, 2024` → `January 15, 2024`.
fn strip_ordinals(text: &str) -> String {
    static ORDINAL: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(\d)(?:st|nd|rd|th)\b").expect("valid regex"));
    ORDINAL.replace_all(text, "$1").into_owned()
}

fn is_incident_heading(heading: &Heading) -> bool {
    id_in(&heading.text).is_some() || date_in(&heading.text).is_some()
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

/// Splits `text` at incident headings. `preamble_is_incident` decides, for
/// the text before the first incident heading, whether it describes an
/// incident itself (metadata fields under a generic title): then the whole
/// document is one incident and dated sub-headings are just sections.
pub fn split(text: &str, preamble_is_incident: impl Fn(&str) -> bool) -> Split {
    let all = headings(text);
    let whole = || Split {
        chunks: vec![Chunk {
            heading: all.iter().find(|h| h.level == 1).cloned(),
            range: 0..text.len(),
        }],
        left_out: Vec::new(),
    };
    // The level with the most incident headings (the shallowest among equals).
    let mut best: Option<(u8, usize)> = None;
    for level in 1..=6u8 {
        let count = all
            .iter()
            .filter(|h| h.level == level && is_incident_heading(h))
            .count();
        if count > 0 && best.is_none_or(|(_, n)| count > n) {
            best = Some((level, count));
        }
    }
    let Some((level, _)) = best else {
        return whole();
    };
    let first = all
        .iter()
        .find(|h| h.level == level && is_incident_heading(h))
        .expect("the level has an incident heading");
    if first.level > 1 && preamble_is_incident(&text[..first.start]) {
        return whole();
    }

    let mut chunks = Vec::new();
    let mut left_out = Vec::new();
    let sections: Vec<&Heading> = all.iter().filter(|h| h.level <= level).collect();
    if has_content(&text[..sections[0].start]) {
        left_out.push(("(text before the first heading)".to_string(), 0));
    }
    for (i, heading) in sections.iter().enumerate() {
        let end = sections.get(i + 1).map_or(text.len(), |next| next.start);
        if heading.level == level && is_incident_heading(heading) {
            chunks.push(Chunk {
                heading: Some((*heading).clone()),
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
    fn finds_ids_and_dates_in_headings() {
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
        let (date, range) = date_in("Service Outage (2024-01-20)").unwrap();
        assert_eq!((date, range), (jiff::civil::date(2024, 1, 20), 16..26));
        assert_eq!(
            date_in("Outage on January 15th, 2024").unwrap().0,
            jiff::civil::date(2024, 1, 15)
        );
        assert!(date_in("2024 Metrics").is_none());
    }

    #[test]
    fn splits_at_incident_headings_and_leaves_other_sections_out() {
        let text = "# History\n\n## Overview\n\nIntro.\n\n## INC-2024-001: A\n\nbody a\n\n### Timeline\n\n- x\n\n## Outage (2024-02-01)\n\nbody b\n\n# Protocols\n\n## Crash (2024-03-01)\n\nbody c\n\n## Metrics\n\n| a | b |\n";
        let split = split(text, |_| false);
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
        let split = split(text, |_| false);
        assert_eq!(split.chunks.len(), 1);
        assert_eq!(split.chunks[0].range, 0..text.len());
        // A generic title with metadata above a dated section: one incident.
        let text = "# Incident Report\n\n**Severity:** SEV2\n\n## Follow-up (2025-01-15)\n\ntext\n";
        let split = super::split(text, |pre| pre.contains("Severity"));
        assert_eq!(split.chunks.len(), 1);
        assert_eq!(split.chunks[0].range, 0..text.len());
        let split = super::split("no headings at all\n", |_| false);
        assert_eq!(split.chunks.len(), 1);
    }
}
