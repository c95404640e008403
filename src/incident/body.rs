//! Postmortem structure read from the Markdown body: sections by heading (with
//! synonyms), lessons, action items (tables and task lists), timeline entries
//! and `[[ID]]` references. One pass over pulldown-cmark's events.

use std::sync::LazyLock;

use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd, TextMergeWithOffset};
use regex::Regex;

use super::timeparse::{date_in_range, parse_date};
use super::{
    ActionItem, ActionStatus, ItemSource, Lesson, Reference, Section, SectionKind, TimelineEntry,
};
use crate::diagnostics::LineIndex;

/// The Markdown dialect (docs/content.md#the-body), shared by structure extraction and rendering.
pub fn markdown_options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
}

/// What the body says, beyond its text.
#[derive(Debug, Default, Clone)]
pub struct BodyStructure {
    /// Text and 1-based file line of the first `#` heading, if the body has one before any text.
    pub first_h1: Option<(String, usize)>,
    /// First paragraph of the body (for a derived title).
    pub first_paragraph: Option<String>,
    /// First paragraph of the Summary section.
    pub summary_paragraph: Option<String>,
    pub sections: Vec<Section>,
    pub lessons: Vec<Lesson>,
    /// Items of Lessons sections beyond [`MAX_LESSONS`]: text of the page only.
    pub lessons_left_out: usize,
    pub action_items: Vec<ActionItem>,
    pub timeline: Vec<TimelineEntry>,
    pub references: Vec<Reference>,
    /// List items of the Contributing Factors section.
    pub contributing_factors: Vec<String>,
    /// The body as plain text.
    pub text: String,
}

/// Most lessons one postmortem has: each is a search result and a row of the
/// lessons pages. A longer list (a pasted checklist) stays text of the page.
pub const MAX_LESSONS: usize = 1000;

/// `[[INC-2024-007]]`; ids are short and on one line.
pub static REFERENCE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\[\[([^\[\]\n]{1,100})\]\]").expect("valid regex"));

static TIME_PREFIX: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*((?:\d{4}-\d{2}-\d{2}[ T])?\d{1,2}:\d{2}(?::\d{2})?(?:\s*(?:UTC|Z|[AaPp][Mm]))?)\s*(?:[-–—:|]\s*)?(\S.*)$").expect("valid regex")
});

static OWNER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|[\s(])@([A-Za-z][\w.-]*)|(?i:owner:\s*)([^,;)]+)").expect("valid regex")
});
static DUE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i:\b(?:due|by)\b:?\s*)(\d{4}-\d{2}-\d{2})").expect("valid regex")
});

/// Recognises a section heading, case-insensitively, ignoring numbering,
/// punctuation and emoji ("4. Root Cause Analysis", "Lessons Learned ✅").
pub fn section_kind(heading: &str) -> Option<SectionKind> {
    named_section_kind(heading).or_else(|| {
        let words = heading_words(heading);
        // A retrospective's verdict is never a section of its own.
        retrospective(heading)
            .is_none()
            .then(|| kind_by_words(&words))
            .flatten()
    })
}

/// A section by its usual names only. A report's title (its first `#`
/// heading) is one only when it is such a name: "DNS resolution failures"
/// is a title, not a Resolution section.
pub fn named_section_kind(heading: &str) -> Option<SectionKind> {
    let words = heading_words(heading);
    named_kind(&words)
}

fn heading_words(heading: &str) -> Vec<String> {
    heading
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty() && !w.chars().all(|c| c.is_ascii_digit()))
        .map(str::to_lowercase)
        .collect()
}

fn named_kind(words: &[String]) -> Option<SectionKind> {
    let key = words.join(" ");
    let kind = match key.as_str() {
        "summary" | "executive summary" | "overview" | "incident summary" | "tl dr" | "tldr"
        | "incident overview" => SectionKind::Summary,
        "timeline" | "incident timeline" | "timeline of events" | "chronology"
        | "sequence of events" | "detailed timeline" => SectionKind::Timeline,
        "impact" | "customer impact" | "user impact" | "impact analysis" | "business impact"
        | "impact assessment" => SectionKind::Impact,
        "root cause"
        | "root causes"
        | "root cause analysis"
        | "what happened"
        | "cause"
        | "causes"
        | "rca"
        | "technical root cause" => SectionKind::RootCause,
        "contributing factors" | "contributing factor" | "contributing causes" => {
            SectionKind::ContributingFactors
        }
        "resolution"
        | "mitigation"
        | "resolution and recovery"
        | "recovery"
        | "mitigation and resolution"
        | "resolution and mitigation"
        | "fix"
        | "the fix" => SectionKind::Resolution,
        "lessons learned" | "lessons learnt" | "lessons" | "key takeaways" | "takeaways"
        | "what we learned" | "what we learnt" | "learnings" | "learning" | "key learnings" => {
            SectionKind::Lessons
        }
        "action items"
        | "action item"
        | "follow ups"
        | "followups"
        | "follow up"
        | "follow up items"
        | "follow up actions"
        | "remediation"
        | "remediation items"
        | "corrective actions"
        | "preventive actions"
        | "preventative actions"
        | "next steps"
        | "action plan" => SectionKind::ActionItems,
        _ => return None,
    };
    Some(kind)
}

/// Headings that are not one of the usual names, read by their words:
/// "Lessons Learned and Future Improvements", "Corrective and Preventative
/// Measures", "Timeline (all times UTC)", "Incident Impact". The first
/// matching rule wins, most specific first.
fn kind_by_words(words: &[String]) -> Option<SectionKind> {
    let has = |w: &str| words.iter().any(|x| x == w);
    let starts = |prefix: &str| words.iter().any(|x| x.starts_with(prefix));
    let phrase = |a: &str, b: &str| words.windows(2).any(|p| p[0] == a && p[1] == b);
    if starts("lesson") || starts("takeaway") || starts("learning") || phrase("we", "learned") {
        Some(SectionKind::Lessons)
    } else if phrase("action", "items")
        || phrase("action", "item")
        || phrase("follow", "up")
        || phrase("follow", "ups")
        || starts("followup")
        || phrase("next", "steps")
        || starts("remediation")
        || starts("corrective")
        || starts("preventive")
        || starts("preventative")
    {
        Some(SectionKind::ActionItems)
    } else if has("timeline") || has("chronology") {
        Some(SectionKind::Timeline)
    } else if phrase("root", "cause") || phrase("root", "causes") {
        Some(SectionKind::RootCause)
    } else if phrase("contributing", "factors") {
        Some(SectionKind::ContributingFactors)
    } else if has("resolution") || has("recovery") || has("mitigation") {
        Some(SectionKind::Resolution)
    } else if has("impact") {
        Some(SectionKind::Impact)
    } else if has("summary") || has("overview") {
        Some(SectionKind::Summary)
    } else {
        None
    }
}

/// "What went well", "What went wrong", "Where we got lucky": a
/// retrospective's verdicts. Under a Lessons or Action Items heading they
/// are neither follow-up work nor (for what went well or lucky) lessons.
fn retrospective(heading: &str) -> Option<Retrospective> {
    let lower = heading.to_lowercase();
    if lower.contains("went well") || lower.contains("went right") || lower.contains("lucky") {
        Some(Retrospective::Good)
    } else if lower.contains("went wrong")
        || lower.contains("went poorly")
        || lower.contains("went badly")
        || lower.contains("gone better")
        || lower.contains("could be improved")
        || lower.contains("can be improved")
        || lower.contains("could have gone")
        || lower.contains("didn't go well")
        || lower.contains("did not go well")
    {
        Some(Retrospective::Bad)
    } else {
        None
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Retrospective {
    /// Good news: never a lesson, never an action item.
    Good,
    /// Problems seen: lessons under a Lessons heading, never action items.
    Bad,
}

struct OpenSection {
    level: HeadingLevel,
    /// Index into `BodyStructure::sections` when the heading is recognised.
    index: Option<usize>,
    kind: Option<SectionKind>,
    retrospective: Option<Retrospective>,
}

/// The kind of section the text under `open` belongs to: the nearest
/// recognised heading, unless a retrospective sub-heading in between rules
/// its items out.
fn current_kind(open: &[OpenSection]) -> Option<SectionKind> {
    let mut verdict = None;
    for section in open.iter().rev() {
        if let Some(kind) = section.kind {
            return match (kind, verdict) {
                (SectionKind::Lessons | SectionKind::ActionItems, Some(Retrospective::Good))
                | (SectionKind::ActionItems, Some(Retrospective::Bad)) => None,
                _ => Some(kind),
            };
        }
        verdict = verdict.or(section.retrospective);
    }
    None
}

#[derive(Default)]
struct TableState {
    header: Vec<String>,
    rows: Vec<(Vec<String>, usize)>,
    row: Vec<String>,
    cell: String,
    row_line: usize,
    in_head: bool,
}

/// Reads the structure of `body`, whose first line is line `body_line` of the file.
pub fn extract(body: &str, body_line: usize) -> BodyStructure {
    let lines = LineIndex::new(body);
    let line_of = |offset: usize| lines.line_number(offset) + body_line - 1;
    let mut out = BodyStructure::default();
    let mut open: Vec<OpenSection> = Vec::new();
    let mut heading: Option<(HeadingLevel, String, usize)> = None;
    let mut paragraph: Option<(String, usize)> = None;
    // Top-level list items: (text, line, task marker); nested lists add to their text.
    let mut list_depth = 0usize;
    let mut item: Option<(String, usize, Option<bool>)> = None;
    let mut table: Option<TableState> = None;
    let mut code_depth = 0usize;
    let mut seen_content = false;

    for (event, range) in
        TextMergeWithOffset::new(Parser::new_ext(body, markdown_options()).into_offset_iter())
    {
        // Words of separate blocks must not run together in the plain text.
        let ends_block = match &event {
            Event::End(
                end @ (TagEnd::Paragraph
                | TagEnd::Item
                | TagEnd::TableCell
                | TagEnd::Heading(_)
                | TagEnd::CodeBlock
                | TagEnd::BlockQuote(_)),
            ) => Some(*end),
            _ => None,
        };
        match event {
            Event::Start(Tag::Heading { level, .. }) => {
                heading = Some((level, String::new(), line_of(range.start)))
            }
            Event::End(TagEnd::Heading(_)) => {
                let Some((level, text, line)) = heading.take() else {
                    continue;
                };
                let text = text.trim().to_string();
                let is_title = level == HeadingLevel::H1 && out.first_h1.is_none() && !seen_content;
                if is_title {
                    out.first_h1 = Some((text.clone(), line));
                }
                seen_content = true;
                while open.last().is_some_and(|s| s.level >= level) {
                    open.pop();
                }
                let kind = if is_title {
                    named_section_kind(&text)
                } else {
                    section_kind(&text)
                };
                let index = kind.map(|kind| {
                    out.sections.push(Section {
                        kind,
                        heading: text.clone(),
                        level: level as u8,
                        line,
                        text: String::new(),
                    });
                    out.sections.len() - 1
                });
                open.push(OpenSection {
                    level,
                    index,
                    kind,
                    retrospective: retrospective(&text),
                });
                out.text.push_str(&text);
            }
            Event::Start(Tag::Paragraph) if item.is_none() && table.is_none() => {
                paragraph = Some((String::new(), line_of(range.start)))
            }
            Event::End(TagEnd::Paragraph) => {
                if let Some((text, line)) = paragraph.take() {
                    seen_content = true;
                    finish_paragraph(&mut out, &open, &text, line);
                }
            }
            Event::Start(Tag::List(_)) => list_depth += 1,
            Event::End(TagEnd::List(_)) => list_depth = list_depth.saturating_sub(1),
            Event::Start(Tag::Item) if list_depth == 1 && item.is_none() => {
                item = Some((String::new(), line_of(range.start), None))
            }
            Event::End(TagEnd::Item) if list_depth == 1 => {
                if let Some((text, line, task)) = item.take() {
                    seen_content = true;
                    finish_item(&mut out, current_kind(&open), text.trim(), line, task);
                }
            }
            Event::TaskListMarker(checked) => {
                if let Some((text, _, task)) = item.as_mut()
                    && task.is_none()
                    && text.trim().is_empty()
                {
                    *task = Some(checked);
                }
            }
            Event::Start(Tag::Table(_)) => table = Some(TableState::default()),
            Event::Start(Tag::TableHead) => {
                if let Some(t) = table.as_mut() {
                    t.in_head = true;
                }
            }
            Event::End(TagEnd::TableHead) => {
                if let Some(t) = table.as_mut() {
                    t.in_head = false;
                    t.header = std::mem::take(&mut t.row);
                }
            }
            Event::Start(Tag::TableRow) => {
                if let Some(t) = table.as_mut() {
                    t.row_line = line_of(range.start);
                }
            }
            Event::End(TagEnd::TableRow) => {
                if let Some(t) = table.as_mut() {
                    let row = std::mem::take(&mut t.row);
                    t.rows.push((row, t.row_line));
                }
            }
            Event::End(TagEnd::TableCell) => {
                if let Some(t) = table.as_mut() {
                    let cell = std::mem::take(&mut t.cell);
                    t.row.push(cell.trim().to_string());
                }
            }
            Event::End(TagEnd::Table) => {
                seen_content = true;
                if let Some(t) = table.take() {
                    finish_table(&mut out, current_kind(&open), t);
                }
            }
            Event::Start(Tag::CodeBlock(_)) => {
                code_depth += 1;
                seen_content = true;
            }
            Event::End(TagEnd::CodeBlock) => code_depth = code_depth.saturating_sub(1),
            Event::Text(text) | Event::Code(text) => {
                let is_code_span = matches!(body.get(range.clone()), Some(s) if s.starts_with('`'));
                if code_depth == 0 && !is_code_span {
                    collect_references(&mut out, &text, body, &range, &lines, body_line);
                }
                if let Some((_, h, _)) = heading.as_mut() {
                    h.push_str(&text);
                    continue;
                }
                append_text(&mut paragraph, &mut item, &mut table, &text);
                out.text.push_str(&text);
                for s in &open {
                    if let Some(i) = s.index {
                        out.sections[i].text.push_str(&text);
                    }
                }
            }
            Event::SoftBreak | Event::HardBreak => {
                append_text(&mut paragraph, &mut item, &mut table, "\n");
                block_break(&mut out, &open);
            }
            _ => {}
        }
        if let Some(end) = ends_block {
            if end == TagEnd::Item
                && let Some((text, _, _)) = item.as_mut()
            {
                // Keep nested list items apart inside a top-level item.
                text.push('\n');
            }
            block_break(&mut out, &open);
        }
    }
    out.text = out.text.split_whitespace().collect::<Vec<_>>().join(" ");
    for section in &mut out.sections {
        section.text = section
            .text
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
    }
    out
}

fn block_break(out: &mut BodyStructure, open: &[OpenSection]) {
    out.text.push(' ');
    for s in open {
        if let Some(i) = s.index {
            out.sections[i].text.push(' ');
        }
    }
}

fn collect_references(
    out: &mut BodyStructure,
    text: &str,
    body: &str,
    range: &std::ops::Range<usize>,
    lines: &LineIndex<'_>,
    body_line: usize,
) {
    let source = body.get(range.clone()).unwrap_or("");
    // Where to look for the next reference in the source: after the last one,
    // so each is found once, in order, in time linear in the text.
    let mut cursor = 0;
    for m in REFERENCE.captures_iter(text) {
        let whole = m.get(0).expect("group 0").as_str();
        // Merged text may differ from the source (escapes); find the reference in the source for its position.
        let offset = match source.get(cursor..).and_then(|s| s.find(whole)) {
            Some(found) => {
                cursor += found + whole.len();
                range.start + cursor - whole.len()
            }
            None => range.start,
        };
        out.references.push(Reference {
            target: m[1].trim().to_string(),
            line: lines.line_number(offset) + body_line - 1,
            offset,
        });
    }
}

fn append_text(
    paragraph: &mut Option<(String, usize)>,
    item: &mut Option<(String, usize, Option<bool>)>,
    table: &mut Option<TableState>,
    text: &str,
) {
    if let Some(t) = table.as_mut() {
        t.cell.push_str(text);
    } else if let Some((buffer, _, _)) = item.as_mut() {
        buffer.push_str(text);
    } else if let Some((buffer, _)) = paragraph.as_mut() {
        buffer.push_str(text);
    }
}

fn finish_paragraph(out: &mut BodyStructure, open: &[OpenSection], text: &str, line: usize) {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.is_empty() {
        return;
    }
    if out.first_paragraph.is_none() {
        out.first_paragraph = Some(flat.clone());
    }
    let kind = open.iter().rev().find_map(|s| s.kind);
    if kind == Some(SectionKind::Summary) && out.summary_paragraph.is_none() {
        out.summary_paragraph = Some(flat);
    }
    if kind == Some(SectionKind::Timeline) {
        // Timelines written as lines with hard breaks: `**14:23** - Alert fired`.
        for (i, raw) in text.split('\n').enumerate() {
            if let Some(entry) = timeline_entry(raw, line + i) {
                out.timeline.push(entry);
            }
        }
    }
}

fn finish_item(
    out: &mut BodyStructure,
    kind: Option<SectionKind>,
    text: &str,
    line: usize,
    task: Option<bool>,
) {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.is_empty() {
        return;
    }
    match kind {
        Some(SectionKind::Lessons) if out.lessons.len() >= MAX_LESSONS => {
            out.lessons_left_out += 1;
        }
        Some(SectionKind::Lessons) => {
            let anchor = format!("lesson-{}", out.lessons.len() + 1);
            out.lessons.push(Lesson {
                text: flat,
                anchor,
                line,
            });
        }
        Some(SectionKind::ActionItems) => {
            out.action_items.push(list_action_item(&flat, line, task))
        }
        Some(SectionKind::ContributingFactors) => out.contributing_factors.push(flat),
        Some(SectionKind::Timeline) => {
            if let Some(entry) = timeline_entry(&flat, line) {
                out.timeline.push(entry);
            }
        }
        _ => {}
    }
}

fn timeline_entry(text: &str, line: usize) -> Option<TimelineEntry> {
    let caps = TIME_PREFIX.captures(text.trim())?;
    Some(TimelineEntry {
        time: caps[1].trim().to_string(),
        text: caps[2].trim().to_string(),
        line,
    })
}

/// `- [ ] Add pool alerts (@alice, due 2025-03-01)` or `- ✅ Fixed the query`.
fn list_action_item(text: &str, line: usize, task: Option<bool>) -> ActionItem {
    let status = match task {
        Some(true) => ActionStatus::Done,
        Some(false) => ActionStatus::Open,
        None => {
            let lead: String = text.chars().take(3).collect();
            ActionStatus::parse(&lead)
                .filter(|_| !lead.chars().all(char::is_alphanumeric))
                .unwrap_or(ActionStatus::Open)
        }
    };
    let owner = OWNER
        .captures(text)
        .and_then(|c| c.get(1).or_else(|| c.get(2)))
        .map(|m| m.as_str().trim().to_string());
    let due = DUE.captures(text).and_then(|c| due_date(&c[1]));
    let title = strip_item_metadata(
        text.trim_start_matches(|c: char| !c.is_alphanumeric() && c != '`' && c != '"'),
    );
    ActionItem {
        title,
        owner,
        due,
        status,
        source: ItemSource::Body(line),
    }
}

/// A due date written in the body; one outside the plausible years is a typo
/// and is left out.
fn due_date(text: &str) -> Option<jiff::civil::Date> {
    parse_date(text).filter(|&date| date_in_range(date))
}

/// `Add alert (@alice, due 2025-03-01)` → `Add alert`: owner and due date are
/// fields of the item, not part of its title.
fn strip_item_metadata(text: &str) -> String {
    let mut title = text.trim();
    if let Some(open) = title.rfind('(')
        && title.ends_with(')')
        && (OWNER.is_match(&title[open..]) || DUE.is_match(&title[open..]))
    {
        title = title[..open].trim_end();
    }
    if let Some(m) = OWNER
        .find(title)
        .filter(|m| m.as_str().to_lowercase().contains("owner:"))
    {
        title = title[..m.start()].trim_end_matches([' ', ',', ';', '-', '—', '–']);
    }
    title.trim().to_string()
}

fn column(header: &[String], names: &[&str]) -> Option<usize> {
    header.iter().position(|h| {
        let key = super::normalise_word(h);
        names.iter().any(|n| key == *n)
    })
}

fn finish_table(out: &mut BodyStructure, kind: Option<SectionKind>, table: TableState) {
    match kind {
        Some(SectionKind::ActionItems) => {
            let title_col = column(
                &table.header,
                &[
                    "action",
                    "actionitem",
                    "title",
                    "task",
                    "item",
                    "description",
                    "what",
                    "remediation",
                    "followup",
                ],
            );
            let owner_col = column(
                &table.header,
                &["owner", "owners", "assignee", "who", "responsible", "team"],
            );
            let due_col = column(
                &table.header,
                &[
                    "due",
                    "duedate",
                    "deadline",
                    "eta",
                    "targetdate",
                    "when",
                    "by",
                ],
            );
            let status_col = column(&table.header, &["status", "state", "done", "progress"]);
            let id_col = column(
                &table.header,
                &["id", "ticket", "jira", "issue", "number", "no"],
            );
            // Without a named action column, the first column that is not one of the others.
            let title_col = title_col.or_else(|| {
                (0..table.header.len())
                    .find(|i| ![owner_col, due_col, status_col, id_col].contains(&Some(*i)))
            });
            let Some(title_col) = title_col else { return };
            for (row, line) in table.rows {
                let cell = |col: Option<usize>| {
                    col.and_then(|c| row.get(c))
                        .map(|s| s.trim().to_string())
                        .filter(|s| !s.is_empty())
                };
                let Some(title) = cell(Some(title_col)) else {
                    continue;
                };
                let status = cell(status_col).map_or(ActionStatus::Open, |s| {
                    ActionStatus::parse(&s).unwrap_or(ActionStatus::Open)
                });
                out.action_items.push(ActionItem {
                    title,
                    owner: cell(owner_col),
                    due: cell(due_col).and_then(|d| due_date(&d)),
                    status,
                    source: ItemSource::Body(line),
                });
            }
        }
        Some(SectionKind::Timeline) => {
            let Some(time_col) = column(
                &table.header,
                &[
                    "time",
                    "timestamp",
                    "when",
                    "timeutc",
                    "date",
                    "datetime",
                    "timeet",
                    "timepst",
                ],
            ) else {
                return;
            };
            for (row, line) in table.rows {
                let Some(time) = row.get(time_col).filter(|t| !t.is_empty()) else {
                    continue;
                };
                let text = row
                    .iter()
                    .enumerate()
                    .filter(|(i, c)| *i != time_col && !c.is_empty())
                    .map(|(_, c)| c.as_str())
                    .collect::<Vec<_>>()
                    .join(" — ");
                out.timeline.push(TimelineEntry {
                    time: time.clone(),
                    text,
                    line,
                });
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_map_to_sections_with_synonyms() {
        assert_eq!(
            section_kind("Executive Summary"),
            Some(SectionKind::Summary)
        );
        assert_eq!(
            section_kind("4. Root Cause Analysis"),
            Some(SectionKind::RootCause)
        );
        assert_eq!(section_kind("What We Learned"), Some(SectionKind::Lessons));
        assert_eq!(
            section_kind("Lessons Learned ✅"),
            Some(SectionKind::Lessons)
        );
        assert_eq!(section_kind("Follow-ups"), Some(SectionKind::ActionItems));
        assert_eq!(section_kind("Remediation"), Some(SectionKind::ActionItems));
        assert_eq!(
            section_kind("Resolution / Mitigation"),
            Some(SectionKind::Resolution)
        );
        assert_eq!(section_kind("Mitigation"), Some(SectionKind::Resolution));
        assert_eq!(section_kind("Technical Details"), None);
    }

    #[test]
    fn unusual_headings_are_read_by_their_words() {
        let kind = |h| section_kind(h);
        assert_eq!(
            kind("Lessons Learned and Future Improvements"),
            Some(SectionKind::Lessons)
        );
        assert_eq!(
            kind("Corrective and Preventative Measures"),
            Some(SectionKind::ActionItems)
        );
        assert_eq!(
            kind("Timeline (all times UTC) Monday May 10th, 2021"),
            Some(SectionKind::Timeline)
        );
        assert_eq!(kind("Issue Summary"), Some(SectionKind::Summary));
        assert_eq!(kind("Incident Impact"), Some(SectionKind::Impact));
        assert_eq!(
            kind("Resolution and Recovery"),
            Some(SectionKind::Resolution)
        );
        assert_eq!(kind("What went well during the recovery"), None);
        assert_eq!(kind("Netspace after the incident"), None);
    }

    #[test]
    fn what_went_well_is_not_a_lesson_and_no_verdict_is_an_action_item() {
        let body = "## Lessons learnt\n\n### What went well\n\n1. Alerts fired\n\n### What went wrong\n\n1. Nobody was paged\n\n### Where we got lucky\n\n1. Someone was awake\n\n## Action items\n\n### Process\n\n1. Page the on-call\n\n### What went wrong\n\n1. Not an action\n";
        let s = extract(body, 1);
        let lessons: Vec<_> = s.lessons.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(lessons, ["Nobody was paged"]);
        let items: Vec<_> = s.action_items.iter().map(|a| a.title.as_str()).collect();
        assert_eq!(items, ["Page the on-call"]);
    }

    const SEED_STYLE: &str = "# Pool exhaustion

## Summary

The pool ran dry at [[INC-2024-007]] scale.

## Timeline

- **14:03** - Services reporting timeouts
- **14:08** - Incident response started
- not a time entry

## Root Cause

An N+1 query in `[[NOT-A-REF]]` code.

## Action Items

| Action | Owner | Status |
|--------|-------|--------|
| Fix N+1 query | Marcus Chen | ✅ Complete |
| Add pool monitoring | Tom Bradley | ⏳ In Progress |
| Separate analytics pool | Nina | TODO |

## Lessons Learned

- Long-running analytics should use separate pools
- N+1 queries should be caught in review
";

    #[test]
    fn extracts_sections_lessons_action_items_timeline_and_refs() {
        let s = extract(SEED_STYLE, 5);
        assert_eq!(s.first_h1, Some(("Pool exhaustion".into(), 5)));
        assert_eq!(
            s.summary_paragraph.as_deref(),
            Some("The pool ran dry at [[INC-2024-007]] scale.")
        );
        let kinds: Vec<_> = s.sections.iter().map(|s| s.kind).collect();
        assert_eq!(
            kinds,
            [
                SectionKind::Summary,
                SectionKind::Timeline,
                SectionKind::RootCause,
                SectionKind::ActionItems,
                SectionKind::Lessons
            ]
        );
        assert_eq!(
            s.sections
                .iter()
                .find(|section| section.kind == SectionKind::RootCause)
                .map_or("", |section| section.text.as_str()),
            "An N+1 query in [[NOT-A-REF]] code."
        );
        assert!(
            s.text
                .starts_with("Pool exhaustion Summary The pool ran dry"),
            "{}",
            s.text
        );
        assert_eq!(s.timeline.len(), 2);
        assert_eq!(
            (s.timeline[0].time.as_str(), s.timeline[0].text.as_str()),
            ("14:03", "Services reporting timeouts")
        );
        let items: Vec<_> = s
            .action_items
            .iter()
            .map(|a| (a.title.as_str(), a.owner.as_deref(), a.status))
            .collect();
        assert_eq!(
            items,
            [
                ("Fix N+1 query", Some("Marcus Chen"), ActionStatus::Done),
                (
                    "Add pool monitoring",
                    Some("Tom Bradley"),
                    ActionStatus::InProgress
                ),
                ("Separate analytics pool", Some("Nina"), ActionStatus::Open)
            ]
        );
        assert_eq!(s.lessons.len(), 2);
        assert_eq!(s.lessons[1].anchor, "lesson-2");
        assert_eq!(s.lessons[1].text, "N+1 queries should be caught in review");
        assert_eq!(s.references.len(), 1);
        assert_eq!(s.references[0].target, "INC-2024-007");
        assert_eq!(s.references[0].line, 9);
    }

    #[test]
    fn task_lists_and_table_timelines() {
        let body = "## Timeline\n\n| Time (UTC) | Event |\n|---|---|\n| 14:23 | Alert fired |\n| 14:30 | Rolled back |\n\n## Follow-ups\n\n- [x] Add index (@dba, due 2025-01-20)\n- [ ] Kill slow queries automatically owner: Platform\n";
        let s = extract(body, 1);
        assert_eq!(
            s.timeline
                .iter()
                .map(|t| (t.time.as_str(), t.text.as_str()))
                .collect::<Vec<_>>(),
            [("14:23", "Alert fired"), ("14:30", "Rolled back")]
        );
        assert_eq!(s.action_items.len(), 2);
        assert_eq!(s.action_items[0].status, ActionStatus::Done);
        assert_eq!(s.action_items[0].owner.as_deref(), Some("dba"));
        assert_eq!(s.action_items[0].due, Some(jiff::civil::date(2025, 1, 20)));
        assert_eq!(s.action_items[1].status, ActionStatus::Open);
        assert_eq!(s.action_items[1].owner.as_deref(), Some("Platform"));
        let titles: Vec<_> = s.action_items.iter().map(|a| a.title.as_str()).collect();
        assert_eq!(titles, ["Add index", "Kill slow queries automatically"]);
    }

    #[test]
    fn hard_break_timelines_like_the_seed_reports() {
        let body = "## Timeline\n\n**14:23:47** - Alert fired  \n**14:24:12** - Page sent  \n**15:08:22** - Incident closed\n";
        let s = extract(body, 1);
        let times: Vec<_> = s.timeline.iter().map(|t| t.time.as_str()).collect();
        assert_eq!(times, ["14:23:47", "14:24:12", "15:08:22"]);
        assert_eq!(s.timeline[2].line, 5);
    }
}
