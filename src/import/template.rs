//! Recognising an unfilled postmortem template by what makes one: a
//! title such as "Incident Title" or "[TITLE]", and placeholders where
//! facts should be (`YYYY-MM-DD`, `yyyy`, `nnn`, `HH:MM`, `X minutes`,
//! `<description>`, `[What happened]`, `TBD`, `@name`, empty table rows),
//! many of them for the size of the text. A real report with a stray `TODO`
//! or an unfilled heading is not a template.

use std::sync::LazyLock;

use regex::Regex;

use super::blocks::{Block, Kind};
use crate::scan::placeholders;

/// Placeholders the shared scanner leaves to templates' own spelling:
/// lower-case date patterns, `nnn` counters, capitals-only markers, slots
/// in angle brackets.
static MORE_PLACEHOLDERS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"\b(?:yyyy|yy)(?:[-/.]?mm(?:[-/.]?dd)?)?\b|\bmm/dd(?:/yyyy)?\b|\bhh:mm\b|\b[nN]{3,}\b|\bX{3,}\b",
        r"|\b(?:TBD|TBA|TODO|FIXME|TKTK)\b",
        r"|<(?:[A-Za-z][A-Za-z0-9_'./-]*\s[^<>\n]{1,60}|[A-Z][A-Z_ ]{2,40}|(?i:name|date|time|title|description|owner|service|team|details|value|number|duration|impact|severity|id|link|url|person|email))>",
    ))
    .expect("valid regex")
});

/// Words of a title that only stands in for one: "Incident Title", "ISSUE NAME".
const GENERIC_WORDS: &[&str] = &[
    "incident",
    "postmortem",
    "post",
    "mortem",
    "report",
    "title",
    "name",
    "issue",
    "template",
    "summary",
    "outage",
    "event",
    "rca",
    "root",
    "cause",
    "analysis",
    "your",
    "the",
    "of",
    "a",
    "an",
    "here",
    "insert",
    "short",
    "brief",
    "descriptive",
    "goes",
    "tbd",
    "example",
];
/// …of which at least one says "fill me in".
const SLOT_WORDS: &[&str] = &["title", "name", "template", "insert", "here", "your", "tbd"];

/// Whether a value is (or holds) a placeholder: `YYYY-MM-DD`, `yyyy`,
/// `<one paragraph summary>`, `[Number]`, `TBD`.
pub fn is_placeholder_value(value: &str) -> Option<&str> {
    placeholders::scan(value)
        .first()
        .map(|f| &value[f.range.clone()])
        .or_else(|| MORE_PLACEHOLDERS.find(value).map(|m| m.as_str()))
}

/// Whether a title is a stand-in (`Incident Title`, `ISSUE NAME`, `[TITLE]`).
pub fn is_placeholder_title(title: &str) -> bool {
    if !placeholders::scan(title).is_empty() || MORE_PLACEHOLDERS.is_match(title) {
        return true;
    }
    let words: Vec<String> = title
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    !words.is_empty()
        && words.iter().all(|w| GENERIC_WORDS.contains(&w.as_str()))
        && words.iter().any(|w| SLOT_WORDS.contains(&w.as_str()))
}

/// "Postmortem template", "PMyyyy-nnn - Incident Template": a name that is
/// only generic words (and placeholders) with "template" among them — not
/// "Email template rendering outage".
fn names_a_template(name: &str) -> bool {
    let words: Vec<String> = name
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty() && !w.contains(|c: char| c.is_ascii_digit()))
        .map(str::to_lowercase)
        // `PMyyyy`, `nnn`: a numbering scheme's placeholders.
        .filter(|w| !["yyyy", "nnn", "xxx"].iter().any(|p| w.contains(p)))
        .collect();
    words.iter().any(|w| w == "template")
        && words.iter().all(|w| GENERIC_WORDS.contains(&w.as_str()))
}

/// What a document offers as evidence of being a template.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Signals<'a> {
    /// The source's file name and the incident's title heading.
    pub file_name: &'a str,
    pub heading: &'a str,
    /// Metadata values that are placeholders, and real ones.
    pub placeholder_fields: usize,
    pub real_fields: usize,
    /// Timeline entries with a real date or time.
    pub dated_entries: usize,
}

/// The evidence that `text` is an unfilled template, or `None` for a report.
pub fn evidence(text: &str, blocks: &[Block], signals: &Signals<'_>) -> Option<String> {
    let mut found: Vec<String> = placeholders::scan(text)
        .into_iter()
        .map(|f| text[f.range].to_string())
        .collect();
    for (_, line) in crate::prose::lines_outside_code(text) {
        found.extend(
            MORE_PLACEHOLDERS
                .find_iter(line)
                .map(|m| m.as_str().to_string()),
        );
    }
    let empty_rows = blocks
        .iter()
        .filter(|b| {
            matches!(b.kind, Kind::Row { header: false, .. })
                && b.cells.len() > 1
                && b.cells[1..].iter().all(|c| c.trim().is_empty())
        })
        .count();
    found.extend(std::iter::repeat_n(
        "(empty table row)".to_string(),
        empty_rows,
    ));
    let lines = text.lines().filter(|l| !l.trim().is_empty()).count().max(1);
    let density = found.len() as f64 / lines as f64;

    let stem = signals
        .file_name
        .rsplit_once('.')
        .map_or(signals.file_name, |(stem, _)| stem);
    let says_template = names_a_template(stem) || names_a_template(signals.heading);
    let stand_in_title = is_placeholder_title(signals.heading);
    let mostly_placeholder_fields =
        signals.placeholder_fields >= 2 && signals.placeholder_fields >= signals.real_fields;

    let why = if says_template && (!found.is_empty() || signals.dated_entries == 0) {
        "it calls itself a template"
    } else if stand_in_title && found.len() >= 3 {
        "its title is a stand-in"
    } else if mostly_placeholder_fields {
        "most of its fields are placeholders"
    } else if found.len() >= 5 && density >= 0.05 {
        "placeholders are a large part of its text"
    } else {
        return None;
    };
    let mut samples: Vec<&str> = Vec::new();
    for f in &found {
        if !samples.contains(&f.as_str()) && samples.len() < 4 {
            samples.push(f);
        }
    }
    let title_note = if stand_in_title {
        format!("title \"{}\"; ", signals.heading)
    } else {
        String::new()
    };
    Some(format!(
        "{why}: {title_note}{} placeholder{} in {lines} lines ({})",
        found.len(),
        if found.len() == 1 { "" } else { "s" },
        samples.join(", ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::blocks::blocks;

    fn judge(text: &str, heading: &str, file_name: &str) -> Option<String> {
        let signals = Signals {
            file_name,
            heading,
            ..Signals::default()
        };
        evidence(text, &blocks(text), &signals)
    }

    #[test]
    fn stand_in_titles() {
        assert!(is_placeholder_title("Incident Title"));
        assert!(is_placeholder_title("ISSUE NAME"));
        assert!(is_placeholder_title("Incident Report: [TITLE]"));
        assert!(!is_placeholder_title("Incident Report"));
        assert!(!is_placeholder_title("Hub 403"));
        assert!(!is_placeholder_title("Name server outage"));
        assert!(names_a_template("PMyyyy-nnn - Postmortem template"));
        assert!(names_a_template("Incident Postmortem Template"));
        assert!(!names_a_template("Email template rendering outage"));
    }

    #[test]
    fn templates_by_their_placeholders_and_reports_despite_a_few() {
        let template = "# Incident Title\n\n| | |\n|---|---|\n| Date | |\n| Authors | |\n\nTime to detection: X minutes\n\n## Timeline\n\n| Time | Event |\n|---|---|\n| yyyy-mm-dd hh:mm | <what happened> |\n";
        let why = judge(
            template,
            "Incident Title",
            "PMyyyy-nnn - Postmortem template.md",
        )
        .unwrap();
        assert!(why.starts_with("it calls itself a template"), "{why}");
        let why = judge(template, "Incident Title", "notes.md").unwrap();
        assert!(why.starts_with("its title is a stand-in"), "{why}");
        let report = "# ISSUE NAME\nPassword compromise.\n\n## Timeline\n\n11:12 AM: An email.\n\n11:14 AM: Forwarded.\n\nTODO: mail the list\n";
        assert_eq!(judge(report, "ISSUE NAME", "04-25-compromise.md"), None);
    }
}
