//! `hindsight import`'s inference: legacy Markdown without front matter in,
//! one front-matter postmortem per incident out. [`convert`] is a pure
//! function of (file name, text); [`Imported::finish`] checks what would be
//! written with the parser `build` uses. The command reads and writes.
//!
//! The body of each incident is kept exactly as written; only front matter
//! is added, with the fields the text states (never invented ones):
//! key lines ([`metadata`]), headings ([`title`], [`split`]), the timeline
//! ([`timeline`], [`moments`]), sentences ([`sentences`]) and the file name
//! ([`ids`]), in any of the shapes [`clock`] and [`zones`] read.

pub mod blocks;
pub mod clock;
pub mod followups;
pub mod ids;
pub mod infer;
pub mod metadata;
pub mod moments;
pub mod sentences;
pub mod split;
pub mod template;
pub mod timeline;
pub mod title;
pub mod values;
pub mod zones;

use crate::config::Config;
use crate::field;
use crate::incident::ActionItem;
use crate::load::SourceFile;
use crate::scaffold::yaml::{FieldValue, fields_to_yaml, scalar};

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
    /// Front-matter fields, in canonical order; `id` and `title` always.
    pub fields: Vec<(&'static str, FieldValue)>,
    /// Where each field came from ("timeline line 14 (earliest entry)").
    pub sources: Vec<(&'static str, String)>,
    /// Canonical fields the text did not give.
    pub missing: Vec<&'static str>,
    /// Values found but not usable, and other remarks.
    pub notes: Vec<String>,
    /// Where two sources disagreed: both, and the choice made.
    pub choices: Vec<String>,
    /// Set when the incident looks like an unfilled template: the evidence.
    pub template: Option<String>,
    /// Action items whose state, owner or due date the body does not show
    /// `build` (written to the front matter; the body keeps the rest).
    pub action_items: Vec<ActionItem>,
    /// The incident's Markdown, as written.
    pub body: String,
    /// Written as `draft: true`: the text still holds a template placeholder,
    /// which `check` refuses in a published postmortem.
    pub draft: bool,
}

/// What `build` reads from a file import would write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Built {
    pub lessons: usize,
    pub action_items: usize,
}

/// Why an incident cannot be imported.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Rejected {
    /// `build` reports errors even without the inferred fields.
    #[error("build would reject it: {0}")]
    Build(String),
    /// The text holds what `check` refuses: a secret or personal data.
    #[error("it contains {0}; remove it from the source and import again")]
    Sensitive(String),
}

impl Imported {
    pub fn id(&self) -> &str {
        self.text(field::ID).unwrap_or_default()
    }

    pub fn title(&self) -> &str {
        self.text(field::TITLE).unwrap_or_default()
    }

    pub fn field(&self, name: &str) -> Option<&FieldValue> {
        self.fields.iter().find(|(k, _)| *k == name).map(|(_, v)| v)
    }

    fn text(&self, name: &str) -> Option<&str> {
        match self.field(name) {
            Some(FieldValue::Text(t)) => Some(t),
            _ => None,
        }
    }

    /// Gives the incident another id (one already taken), noting why.
    pub fn set_id(&mut self, id: String, why: &str) {
        let old = self.id().to_string();
        if let Some((_, value)) = self.fields.iter_mut().find(|(k, _)| *k == field::ID) {
            *value = FieldValue::Text(id.clone());
        }
        self.notes.push(format!("id `{old}` {why}; using `{id}`"));
    }

    /// A fingerprint of the incident's text, written into the provenance
    /// comment, so importing the same text again is recognised.
    pub fn fingerprint(&self) -> String {
        // FNV-1a: stable across runs and platforms, no dependency.
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for byte in self.body.trim().bytes() {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
        format!("{hash:016x}")
    }

    /// The file stem to write: the id, with the title for an id that is a code.
    pub fn file_stem(&self) -> String {
        ids::file_stem(self.id(), self.title())
    }

    /// The file to write: front matter (naming where it came from), then the body as written.
    pub fn to_markdown(&self) -> String {
        let mut front = fields_to_yaml(self.fields.iter().map(|(k, v)| (*k, v)));
        if self.draft {
            front.push_str(&format!("{}: true\n", field::DRAFT));
        }
        if !self.action_items.is_empty() {
            front.push_str("action_items:\n");
            for item in &self.action_items {
                front.push_str(&format!("  - title: {}\n", scalar(&item.title, false)));
                if let Some(owner) = &item.owner {
                    front.push_str(&format!("    owner: {}\n", scalar(owner, false)));
                }
                if let Some(due) = item.due {
                    front.push_str(&format!("    due: {due}\n"));
                }
                front.push_str(&format!("    status: {}\n", item.status.as_str()));
            }
        }
        format!(
            "---\n# {}{front}---\n{}",
            provenance_comment(&self.origin, self.line, &self.fingerprint()),
            self.body
        )
    }

    /// Checks the file import would write at `path` as `build` and `check`
    /// read it: no error, no secret. On an error the inferred fields that
    /// `build` rejects are dropped and the file checked again; an incident
    /// that still fails cannot be imported, and the error says why.
    pub fn finish(&mut self, path: &str, config: &Config) -> Result<Built, Rejected> {
        let sensitive: Vec<String> =
            crate::scan::secrets::scan(&self.body, &config.secret_patterns)
                .into_iter()
                .map(|f| {
                    let line = self.line + self.body[..f.range.start].matches('\n').count();
                    format!("{} (source line {line})", f.message)
                })
                .collect();
        if !sensitive.is_empty() {
            return Err(Rejected::Sensitive(sensitive.join("; ")));
        }
        if let Some(found) = crate::scan::placeholders::scan(&self.body).first() {
            let line = self.line + self.body[..found.range.start].matches('\n').count();
            self.draft = true;
            self.notes.push(format!(
                "the text still holds the template placeholder `{}` (source line {line}): written as `draft: true`, unpublished until it is filled in",
                &self.body[found.range.clone()]
            ));
        }
        let errors = match build_errors(path, &self.to_markdown(), config) {
            Ok(built) => return Ok(built),
            Err(errors) => errors,
        };
        // Keep what identifies the incident; drop the inferred facts.
        let dropped: Vec<&'static str> = self
            .fields
            .iter()
            .map(|(k, _)| *k)
            .filter(|k| !matches!(*k, field::ID | field::TITLE))
            .collect();
        let backup = (self.fields.clone(), self.action_items.clone());
        self.fields
            .retain(|(k, _)| matches!(*k, field::ID | field::TITLE));
        self.action_items.clear();
        match build_errors(path, &self.to_markdown(), config) {
            Ok(built) => {
                self.notes.push(format!(
                    "build rejected the inferred fields ({errors}); left out: {}",
                    dropped.join(", ")
                ));
                self.sources
                    .retain(|(k, _)| matches!(*k, field::ID | field::TITLE));
                self.missing.extend(dropped);
                Ok(built)
            }
            Err(e) => {
                (self.fields, self.action_items) = backup;
                Err(Rejected::Build(e))
            }
        }
    }
}

/// `Imported by hindsight import from <file> (line N, source <hash>).`
fn provenance_comment(origin: &str, line: usize, fingerprint: &str) -> String {
    // A comment ends at a line break; a file name must not end it early.
    format!(
        "Imported by `hindsight import` from {} (line {line}, source {fingerprint}).\n",
        origin.replace(char::is_control, "?")
    )
}

/// The source fingerprint in a file import wrote, if it is one.
pub fn fingerprint_in(text: &str) -> Option<&str> {
    let line = text
        .lines()
        .take(3)
        .find(|l| l.starts_with("# Imported by `hindsight import`"))?;
    let start = line.rfind(", source ")? + ", source ".len();
    line.get(start..start + 16)
}

/// The errors `build` would report for `text` at `path`, joined.
fn build_errors(path: &str, text: &str, config: &Config) -> Result<Built, String> {
    use crate::diagnostics::Level;
    let file = SourceFile {
        path: path.to_string(),
        text: text.to_string(),
    };
    let (incident, diagnostics) = crate::incident::parse::parse_incident(&file, config);
    let errors: Vec<String> = diagnostics
        .iter()
        .filter(|d| d.level == Level::Error)
        .map(|d| d.message.clone())
        .collect();
    match incident {
        Some(incident) if errors.is_empty() => Ok(Built {
            lessons: incident.lessons.len(),
            action_items: incident.action_items.len(),
        }),
        _ if errors.is_empty() => Err("build cannot read it".into()),
        _ => Err(errors.join("; ")),
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
    let lines = crate::diagnostics::LineIndex::new(text);
    let line_of = |offset: usize| lines.location(offset, 1).line;
    let order = clock::numeric_order(text);
    let split = split::split(text, order, |part| {
        metadata::extract(part)
            .iter()
            .filter(|f| values::reading(f.field, &f.value) == values::Reading::Value)
            .count()
    });
    let stem = file_name
        .rsplit_once('.')
        .filter(|(stem, ext)| !stem.is_empty() && ext.chars().all(char::is_alphanumeric))
        .map_or(file_name, |(stem, _)| stem);
    let document = infer::Document {
        file_name,
        stem,
        single: split.chunks.len() == 1,
        order,
        zone: crate::prose::lines_outside_code(text).find_map(|(_, l)| zones::statement(l)),
        file_date: ids::starts_with_date(stem)
            .then(|| clock::stamp_at_start(stem, order))
            .flatten()
            .and_then(|s| clock::resolve_day(s.day?, None)),
        config,
    };
    let incidents: Vec<Imported> = split
        .chunks
        .iter()
        .map(|chunk| {
            let mut incident = infer::incident(
                &document,
                &text[chunk.range.clone()],
                chunk.heading.as_ref().map(|h| h.text.as_str()),
                line_of(chunk.range.start),
            );
            followups::enrich(&mut incident, order);
            incident
        })
        .collect();
    if document.single && !looks_like_a_postmortem(text, &incidents[0]) {
        return refuse(
            "it does not look like a postmortem: no incident fields or timeline, no postmortem sections, no account of an outage",
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

/// A licence, a README or notes about postmortems are not postmortems: a
/// postmortem has incident fields or a timeline, postmortem sections (one
/// is enough with a date), or tells of an event (an outage, downtime, a
/// root cause, a breach…) at a time of day.
fn looks_like_a_postmortem(text: &str, incident: &Imported) -> bool {
    use std::sync::LazyLock;
    static EVENT_WORDS: LazyLock<regex::Regex> = LazyLock::new(|| {
        regex::Regex::new(r"(?i)\b(?:outages?|went down|downtime|root cause|degraded|degradation|mitigat\w*|unavailable|breach(?:ed)?|compromised|exploited|incident response)\b")
            .expect("valid regex")
    });
    let inferred = |name: &str| incident.sources.iter().any(|(k, _)| *k == name);
    let dated_by_text = incident
        .sources
        .iter()
        .any(|(k, from)| *k == field::DATE && !from.starts_with("the file name"));
    let sections = split::headings(text)
        .iter()
        .filter(|h| crate::incident::body::section_kind(&h.text).is_some())
        .count();
    let events = EVENT_WORDS.find_iter(text).count();
    // A time in a code span is an example, not a statement.
    static CODE_SPAN: LazyLock<regex::Regex> =
        LazyLock::new(|| regex::Regex::new(r"`[^`\n]*`").expect("valid regex"));
    let states_a_time = crate::prose::lines_outside_code(text).any(|(_, l)| {
        clock::stamps_in(&CODE_SPAN.replace_all(l, ""), clock::Order::MonthFirst)
            .iter()
            .any(|s| s.time.is_some())
    });
    [
        field::SEVERITY,
        field::STATUS,
        field::STARTED,
        field::DETECTED,
        field::RESOLVED,
        field::SERVICES,
        field::COMMANDER,
    ]
    .iter()
    .any(|f| inferred(f))
        || incident.template.is_some()
        || sections >= 2
        || (sections >= 1 && dated_by_text)
        || events >= 3
        || (events >= 1 && states_a_time)
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
    fn non_postmortems_and_converted_files_are_refused() {
        assert!(convert_text("---\ntitle: x\n---\n").refused.is_some());
        let ruled = convert_text("---\n\n# Outage\n\n**Severity:** SEV2\n");
        assert_eq!(ruled.refused, None, "a leading rule is not front matter");
        assert!(convert_text("Shopping list: eggs\n").refused.is_some());
        assert!(convert_text("  \n").refused.is_some());
        let licence = "Apache License\nVersion 2.0, January 2004\n\nTERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION\n\n1. Definitions.\n";
        assert!(convert_text(licence).refused.is_some());
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
        let c = convert_text(&format!("**Title:** {title}\n**Severity:** SEV2\n"));
        let markdown = c.incidents[0].to_markdown();
        let split = crate::incident::frontmatter::split("a.md", &markdown).unwrap();
        let fields = crate::incident::frontmatter::parse_yaml("a.md", &markdown, &split).unwrap();
        assert_eq!(fields.get("title").and_then(|v| v.as_str()), Some(title));
        assert_eq!(
            fingerprint_in(&markdown),
            Some(c.incidents[0].fingerprint().as_str())
        );
    }
}
