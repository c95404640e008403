//! `hindsight import`'s inference: legacy Markdown without front matter in,
//! one front-matter postmortem per incident out. [`convert`] is a pure
//! function of (file name, text), so it can be tested and fuzzed; the
//! command writes the files.
//!
//! The body of each incident is kept exactly as written; only front matter
//! is added, with the fields the text states (never invented ones).

pub(crate) mod metadata;
pub(crate) mod split;
pub(crate) mod values;

use std::collections::BTreeMap;
use std::sync::LazyLock;

use jiff::Timestamp;
use regex::Regex;

use self::metadata::{Field, RawField};
use self::split::Heading;
use self::values::{Reading, When, reading};
use crate::config::Config;
use crate::diagnostics::LineIndex;
use crate::field;
use crate::scaffold::file_slug;
use crate::scaffold::yaml::{FieldValue, fields_to_yaml};
use crate::scan::placeholders;
use crate::slug::slugify;

/// What one legacy document becomes.
#[derive(Debug, Clone, PartialEq)]
pub struct Conversion {
    pub incidents: Vec<Imported>,
    /// Sections that are not incidents (an overview, a metrics summary): (heading, line).
    pub left_out: Vec<(String, usize)>,
    /// Why the whole document was not converted, when it was not.
    pub refused: Option<String>,
}

/// One incident found in a legacy document.
#[derive(Debug, Clone, PartialEq)]
pub struct Imported {
    /// The source's file name.
    pub origin: String,
    /// 1-based line of the source where the incident starts.
    pub line: usize,
    pub id: Option<String>,
    /// Always set: from a field, the heading, or a fallback (see the notes).
    pub title: String,
    /// Front-matter fields, in canonical order.
    pub fields: Vec<(&'static str, FieldValue)>,
    /// Canonical fields the text did not give.
    pub missing: Vec<&'static str>,
    /// Values found but not usable, and other remarks.
    pub notes: Vec<String>,
    /// Set when the incident looks like an unfilled template: the evidence.
    pub template: Option<String>,
    /// The incident's Markdown, as written.
    pub body: String,
}

impl Imported {
    /// A file name (without `.md`): `<id>-<slug>`, else `<date>-<slug>`, else `<source>-<slug>`.
    pub fn file_stem(&self) -> String {
        let source_stem = self
            .origin
            .rsplit_once('.')
            .map_or(self.origin.as_str(), |(stem, _)| stem);
        let date = self
            .field(field::DATE)
            .or_else(|| self.field(field::STARTED));
        let lead = match (&self.id, date) {
            (Some(id), _) => id.clone(),
            (None, Some(FieldValue::Text(d))) => d.chars().take(10).collect(),
            _ => slugify(source_stem),
        };
        let slug = file_slug(&self.title);
        if slug.is_empty() {
            lead
        } else {
            format!("{lead}-{slug}")
        }
    }

    /// Leaves the id out (another incident has it); the file name becomes the id.
    pub fn drop_id(&mut self, why: &str) {
        if let Some(id) = self.id.take() {
            self.fields.retain(|(k, _)| *k != field::ID);
            self.missing.insert(0, field::ID);
            self.notes.push(format!("id `{id}` {why}; left out"));
        }
    }

    pub fn field(&self, name: &str) -> Option<&FieldValue> {
        self.fields.iter().find(|(k, _)| *k == name).map(|(_, v)| v)
    }

    /// The canonical fields that were inferred, in order.
    pub fn inferred(&self) -> Vec<&'static str> {
        self.fields.iter().map(|(k, _)| *k).collect()
    }

    /// The file to write: front matter (naming where it came from), then the body as written.
    pub fn to_markdown(&self) -> String {
        format!(
            "---\n# Imported by `hindsight import` from {} (line {}).\n{}---\n{}",
            // A comment ends at a line break; a file name must not end it early.
            self.origin.replace(char::is_control, "?"),
            self.line,
            fields_to_yaml(self.fields.iter().map(|(k, v)| (*k, v))),
            self.body
        )
    }
}

/// Converts one legacy document. Pure.
pub fn convert(file_name: &str, text: &str, config: &Config) -> Conversion {
    let refuse = |why: &str| Conversion {
        incidents: Vec::new(),
        left_out: Vec::new(),
        refused: Some(why.to_string()),
    };
    if text.trim().is_empty() {
        return refuse("the file is empty");
    }
    if has_front_matter(file_name, text) {
        return refuse("it already has front matter; copy it into content/ as it is");
    }
    let lines = LineIndex::new(text);
    let line_of = |offset: usize| lines.location(offset, 1).line;
    let split = split::split(text, |preamble| {
        metadata::extract(preamble)
            .iter()
            .filter(|f| reading(f.field, &f.value) != Reading::Nothing)
            .count()
            >= 2
    });
    let incidents: Vec<Imported> = split
        .chunks
        .iter()
        .map(|chunk| {
            infer(
                file_name,
                &text[chunk.range.clone()],
                chunk.heading.as_ref(),
                line_of(chunk.range.start),
                config,
            )
        })
        .collect();
    let whole_document = split.chunks.len() == 1 && split.chunks[0].range == (0..text.len());
    if whole_document && !looks_like_a_postmortem(text, &incidents[0]) {
        return refuse(
            "it does not look like a postmortem: no incident fields, no incident heading and no postmortem sections",
        );
    }
    Conversion {
        incidents,
        left_out: split
            .left_out
            .into_iter()
            .map(|(heading, offset)| (heading, line_of(offset)))
            .collect(),
        refused: None,
    }
}

/// Front matter as `build` reads it: `---`, a YAML mapping, `---`. (A
/// document that merely starts with a `---` rule has none.)
fn has_front_matter(file_name: &str, text: &str) -> bool {
    use crate::incident::frontmatter;
    frontmatter::split(file_name, text).is_ok_and(|split| {
        !split.yaml.trim().is_empty()
            && frontmatter::parse_yaml(file_name, text, &split).is_ok_and(|m| !m.is_empty())
    })
}

fn looks_like_a_postmortem(text: &str, incident: &Imported) -> bool {
    incident.fields.iter().any(|(k, _)| *k != field::TITLE)
        || incident.template.is_some()
        || split::headings(text)
            .iter()
            .any(|h| crate::incident::body::section_kind(&h.text).is_some())
}

/// Fields of one incident, from its metadata lines and its heading.
fn infer(
    origin: &str,
    text: &str,
    heading: Option<&Heading>,
    line: usize,
    config: &Config,
) -> Imported {
    let tz = &config.timezone;
    let mut notes = Vec::new();
    let mut placeholder_values = Vec::new();
    let mut first: BTreeMap<Field, RawField> = BTreeMap::new();
    let mut real_values = 0;
    for raw in metadata::extract(text) {
        match reading(raw.field, &raw.value) {
            Reading::Nothing => {}
            Reading::Placeholder(p) => placeholder_values.push(format!("{}: `{p}`", raw.key)),
            Reading::Value => {
                real_values += 1;
                first.entry(raw.field).or_insert(raw);
            }
        }
    }
    let heading_text = heading.map(|h| h.text.as_str()).unwrap_or("");
    if let Some(found) = placeholders::scan(heading_text).first() {
        placeholder_values.push(format!("heading: `{}`", &heading_text[found.range.clone()]));
    }
    let value = |field: Field| first.get(&field).map(|r| r.value.as_str());
    let unusable = |field: Field, why: &str, notes: &mut Vec<String>| {
        if let Some(raw) = first.get(&field) {
            notes.push(format!("{} `{}` {why}; left out", raw.key, raw.value));
        }
    };

    let id = value(Field::Id)
        .and_then(values::id)
        .or_else(|| split::id_in(heading_text).and_then(values::id));
    if value(Field::Id).is_some() && id.is_none() {
        unusable(
            Field::Id,
            "cannot be an id (letters, digits, `-`, `_`, `.`)",
            &mut notes,
        );
    }
    let title = value(Field::Title)
        .map(str::to_string)
        .or_else(|| title_from_heading(heading_text))
        .unwrap_or_else(|| {
            // Every file gets a title, so `build` never has to give up on one.
            let fallback = fallback_title(text, heading_text, id.as_deref(), origin, line);
            notes.push(format!("no title found; using \"{fallback}\""));
            fallback
        });

    let heading_date = split::date_in(heading_text).map(|(d, _)| d);
    let mut date = None;
    let mut started = None;
    if let Some(v) = value(Field::When) {
        match values::when(v, heading_date, tz) {
            Some(When::Day(d)) => date = Some(d),
            Some(When::Instant(ts)) => started = Some(ts),
            None => unusable(Field::When, "is not a date", &mut notes),
        }
    }
    let day = date.or(heading_date);
    let mut instant = |field: Field, notes: &mut Vec<String>| -> Option<Timestamp> {
        let raw = first.get(&field)?;
        match values::when(&raw.value, day, tz) {
            Some(When::Instant(ts)) => Some(ts),
            Some(When::Day(d)) => {
                if field == Field::Started && date.is_none() {
                    date = Some(d);
                } else {
                    notes.push(format!(
                        "{} `{}` has no time of day; left out",
                        raw.key, raw.value
                    ));
                }
                None
            }
            None => {
                notes.push(format!(
                    "{} `{}` is not a time; left out",
                    raw.key, raw.value
                ));
                None
            }
        }
    };
    started = instant(Field::Started, &mut notes).or(started);
    let mut stamps = [
        (field::STARTED, started),
        (field::DETECTED, instant(Field::Detected, &mut notes)),
        (field::MITIGATED, instant(Field::Mitigated, &mut notes)),
        (field::RESOLVED, instant(Field::Resolved, &mut notes)),
    ];
    keep_in_order(&mut stamps, &mut notes);
    let date = date.or(heading_date);

    let mut fields: Vec<(&'static str, FieldValue)> = Vec::new();
    let mut text_field = |name: &'static str, v: Option<String>| {
        if let Some(v) = v {
            fields.push((name, FieldValue::Text(v)));
        }
    };
    text_field(field::ID, id.clone());
    text_field(field::TITLE, Some(title.clone()));
    if stamps[0].1.is_none() {
        text_field(field::DATE, date.map(|d| d.to_string()));
    }
    let severity = value(Field::Severity).and_then(|v| values::severity(v, config));
    if value(Field::Severity).is_some() && severity.is_none() {
        notes.push(format!(
            "severity `{}` is not on the severity scale ({}); left out",
            value(Field::Severity).unwrap_or(""),
            config.severities.describe()
        ));
    }
    text_field(field::SEVERITY, severity);
    let status = value(Field::Status).and_then(values::status);
    if value(Field::Status).is_some() && status.is_none() {
        notes.push(format!(
            "status `{}` is not investigating, mitigated, resolved or closed; left out",
            value(Field::Status).unwrap_or("")
        ));
    }
    text_field(field::STATUS, status.map(|s| s.as_str().to_string()));
    for (name, ts) in stamps {
        text_field(name, ts.map(|ts| values::format_instant(ts, tz)));
    }
    let duration = value(Field::Duration).filter(|v| values::duration(v).is_some());
    if value(Field::Duration).is_some() && duration.is_none() {
        notes.push(format!(
            "duration `{}` is not a duration; left out",
            value(Field::Duration).unwrap_or("")
        ));
    }
    text_field(field::DURATION, duration.map(values::clean_duration));
    let services = value(Field::Services).map(values::list).unwrap_or_default();
    let tags = value(Field::Tags).map(values::list).unwrap_or_default();
    let commander = value(Field::Commander).and_then(values::person);
    let responders = value(Field::Responders)
        .map(values::people)
        .unwrap_or_default();
    if value(Field::Responders).is_some() && responders.is_empty() {
        notes.push(format!(
            "participants `{}` name no one; left out",
            value(Field::Responders).unwrap_or("")
        ));
    }
    for (name, list) in [(field::SERVICES, services), (field::TAGS, tags)] {
        if !list.is_empty() {
            fields.push((name, FieldValue::List(list)));
        }
    }
    if let Some(c) = commander {
        fields.push((field::COMMANDER, FieldValue::Text(c)));
    }
    if !responders.is_empty() {
        fields.push((field::RESPONDERS, FieldValue::List(responders)));
    }
    for (name, read) in [
        (field::IMPACT, Field::Impact),
        (field::SUMMARY, Field::Summary),
    ] {
        if let Some(v) = value(read) {
            fields.push((name, FieldValue::Text(v.to_string())));
        }
    }

    let present: Vec<&str> = fields.iter().map(|(k, _)| *k).collect();
    let missing: Vec<&'static str> = [
        field::ID,
        field::TITLE,
        field::DATE,
        field::SEVERITY,
        field::STATUS,
        field::STARTED,
        field::DETECTED,
        field::RESOLVED,
        field::DURATION,
        field::SERVICES,
        field::COMMANDER,
        field::RESPONDERS,
        field::IMPACT,
    ]
    .into_iter()
    // `started` gives the date too.
    .filter(|f| !(present.contains(f) || (*f == field::DATE && present.contains(&field::STARTED))))
    .collect();

    // "Mostly placeholders": at least two, and no fewer than real values.
    let template =
        (placeholder_values.len() >= 2 && placeholder_values.len() >= real_values).then(|| {
            format!(
                "{} of {} fields are template placeholders ({})",
                placeholder_values.len(),
                placeholder_values.len() + real_values,
                placeholder_values
                    .iter()
                    .take(3)
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        });

    Imported {
        origin: origin.to_string(),
        line,
        id,
        title,
        fields,
        missing,
        notes,
        template,
        body: body_of(text),
    }
}

/// started ≤ detected ≤ mitigated ≤ resolved: a later time that comes
/// earlier (a report mixing zones, an end past midnight) is left out.
fn keep_in_order(stamps: &mut [(&'static str, Option<Timestamp>)], notes: &mut Vec<String>) {
    let mut latest: Option<(&str, Timestamp)> = None;
    for (name, ts) in stamps.iter_mut() {
        let Some(t) = *ts else { continue };
        match latest {
            Some((earlier, prev)) if t < prev => {
                notes.push(format!(
                    "{name} ({t}) is before {earlier} ({prev}); {name} left out"
                ));
                *ts = None;
            }
            _ => latest = Some((name, t)),
        }
    }
}

/// `Major Incident:`, `Postmortem -` before the title proper.
static HEADING_PREFIX: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(?:(?:major|critical|minor|security)\s+)?(?:incident|outage|post-?mortem|post mortem)(?:\s+(?:report|review|post-?mortem|summary))?\s*[:\-–—|]\s*")
        .expect("valid regex")
});

/// A heading that names the kind of document, not the incident.
static GENERIC_TITLE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(?:incident|post-?mortem|post mortem)(?:\s+(?:report|review|summary|post-?mortem))?$")
        .expect("valid regex")
});

/// `INC-2024-001: AI Gateway Memory Leak` → `AI Gateway Memory Leak`;
/// `Major Incident: Database Overload (2023-12-15)` → `Database Overload`.
fn title_from_heading(heading: &str) -> Option<String> {
    let mut title = heading.to_string();
    if let Some(id) = split::id_in(heading) {
        title = title.replacen(id, "", 1);
    }
    if let Some((_, range)) = split::date_in(&title) {
        title.replace_range(range, "");
    }
    let title = title.replace("()", "");
    let trim = |s: &str| {
        s.trim_matches(|c: char| {
            c.is_whitespace() || matches!(c, ':' | '-' | '–' | '—' | '|' | ',')
        })
        .to_string()
    };
    let title = trim(&title);
    let title = trim(&HEADING_PREFIX.replace(&title, ""));
    let meaningful = !title.is_empty()
        && !GENERIC_TITLE.is_match(&title)
        && !placeholders::is_placeholder(&title);
    meaningful.then_some(title)
}

/// A title when neither a `Title:` field nor the heading gives one: the
/// heading as written, else the first sentence (as `build` would derive it),
/// any section heading, the id, or where the incident came from.
fn fallback_title(
    text: &str,
    heading: &str,
    id: Option<&str>,
    origin: &str,
    line: usize,
) -> String {
    // The first sentence of the prose, not of the metadata lines above it.
    let prose: String = text
        .lines()
        .filter(|l| !metadata::is_field_line(l))
        .map(|l| format!("{l}\n"))
        .collect();
    let body = crate::incident::body::extract(&prose, 1);
    Some(heading.to_string())
        .filter(|h| !h.is_empty())
        .or_else(|| {
            body.first_paragraph
                .as_deref()
                .map(crate::incident::parse::shorten_sentence)
                .filter(|s| !s.is_empty())
        })
        .or_else(|| body.sections.first().map(|s| s.heading.clone()))
        .or_else(|| id.map(str::to_string))
        .unwrap_or_else(|| format!("{origin}, line {line}"))
}

/// The incident's text without the blank lines and the `---` that separated it from the next.
fn body_of(text: &str) -> String {
    let mut lines: Vec<&str> = text.lines().collect();
    while lines.last().is_some_and(|l| {
        let t = l.trim();
        t.is_empty() || (t.len() >= 3 && t.chars().all(|c| matches!(c, '-' | '*' | '_' | ' ')))
    }) {
        lines.pop();
    }
    let mut body = lines.join("\n");
    body.push('\n');
    body
}

#[cfg(test)]
mod tests {
    use super::*;

    fn convert_text(text: &str) -> Conversion {
        convert("legacy.md", text, &Config::default())
    }

    #[test]
    fn titles_come_from_fields_then_headings() {
        assert_eq!(
            title_from_heading("INC-2024-001: AI Gateway Memory Leak").as_deref(),
            Some("AI Gateway Memory Leak")
        );
        assert_eq!(
            title_from_heading("Major Incident: Database Overload (2023-12-15)").as_deref(),
            Some("Database Overload")
        );
        assert_eq!(title_from_heading("Incident Report: INC-2025-0023"), None);
        assert_eq!(
            title_from_heading("Outage (2024-03-01)").as_deref(),
            Some("Outage")
        );
        assert_eq!(title_from_heading("Incident Report: [TITLE]"), None);
        let c = convert_text(
            "# Incident Report: INC-2024-009\n\n**Title**: Queue backlog\n**Severity**: High\n",
        );
        let i = &c.incidents[0];
        assert_eq!(
            (i.id.as_deref(), i.title.as_str()),
            (Some("INC-2024-009"), "Queue backlog")
        );
        assert_eq!(i.field("severity"), Some(&FieldValue::Text("SEV2".into())));
    }

    #[test]
    fn every_incident_gets_a_title() {
        let c = convert_text("## INC-2024-001\n\n- Fixed it\n\n## INC-2024-002\n\nText.\n");
        let titles: Vec<_> = c.incidents.iter().map(|i| i.title.as_str()).collect();
        assert_eq!(titles, ["INC-2024-001", "INC-2024-002"]);
        assert!(
            c.incidents[0].notes[0].starts_with("no title found"),
            "{:?}",
            c.incidents[0].notes
        );
        let c = convert_text("**Severity:** SEV2\n\nThe cache filled up. Then it fell over.\n");
        assert_eq!(c.incidents[0].title, "The cache filled up");
    }

    #[test]
    fn times_follow_the_day_of_the_incident_and_stay_in_order() {
        let c = convert_text(
            "## Outage (2024-03-01)\n\n**Start Time:** 09:15 UTC\n**Detected:** 09:20\n**Resolved:** 08:00\n",
        );
        let i = &c.incidents[0];
        assert_eq!(
            i.field("started"),
            Some(&FieldValue::Text("2024-03-01T09:15:00Z".into()))
        );
        assert_eq!(
            i.field("detected"),
            Some(&FieldValue::Text("2024-03-01T09:20:00Z".into()))
        );
        assert_eq!(i.field("resolved"), None);
        assert_eq!(i.title, "Outage");
        assert!(
            i.notes[0].starts_with("resolved (2024-03-01T08:00:00Z) is before detected"),
            "{:?}",
            i.notes
        );
        assert_eq!(i.field("date"), None, "started gives the date");
    }

    #[test]
    fn templates_are_recognised_and_real_reports_are_not() {
        let template = convert_text(
            "# Postmortem: [TITLE]\n\n**Date**: YYYY-MM-DD\n**Severity**: [SEV1 / SEV2]\n**Commander**: @name\n**Status**: Resolved\n",
        );
        let evidence = template.incidents[0].template.as_deref().unwrap();
        assert!(
            evidence.starts_with("4 of 5 fields are template placeholders"),
            "{evidence}"
        );
        let report = convert_text(
            "# Outage\n\n**Date**: 2024-01-02\n**Severity**: SEV2\n**Notes**: [link]\n",
        );
        assert_eq!(report.incidents[0].template, None);
    }

    #[test]
    fn non_postmortems_and_converted_files_are_refused() {
        assert!(convert_text("---\ntitle: x\n---\n").refused.is_some());
        let ruled = convert_text("---\n\n# Outage\n\n**Severity:** SEV2\n");
        assert_eq!(ruled.refused, None, "a leading rule is not front matter");
        assert!(convert_text("Shopping list: eggs\n").refused.is_some());
        assert!(convert_text("  \n").refused.is_some());
    }

    #[test]
    fn bodies_lose_only_the_separator_to_the_next_incident() {
        assert_eq!(body_of("## A\n\ntext\n\n---\n\n"), "## A\n\ntext\n");
        assert_eq!(body_of("## A\ntext"), "## A\ntext\n");
    }

    #[test]
    fn written_front_matter_always_reads_back() {
        // Found by fuzzing: a DEL character in a title made the YAML unreadable.
        let title = "A copy th\u{7f}t kept\"the id";
        let c = convert_text(&format!("---\nid: inc-12\ntitle: {title}\n---\n"));
        let markdown = c.incidents[0].to_markdown();
        let split = crate::incident::frontmatter::split("a.md", &markdown).unwrap();
        let fields = crate::incident::frontmatter::parse_yaml("a.md", &markdown, &split).unwrap();
        assert_eq!(fields.get("title").and_then(|v| v.as_str()), Some(title));
    }
}
